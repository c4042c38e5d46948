//! One-pass, mergeable aggregation of stays into daily counters per unit (and per group).
//!
//! # Counting rules (AHIMA basic healthcare statistics)
//! - Only inpatient stays ([`EncounterClass::Inpatient`]) enter the census and the rates.
//! - Every instant becomes a census day in the facility's time zone ([`DayClock`]).
//! - A stay's unit history becomes *segments* `[start day, end day)`: the first starts on the
//!   admission day, each unit change starts the next one, the last ends on the discharge day
//!   (or never, for a patient still in house). A patient is in a unit's **midnight census** of
//!   day `d` when a segment on that unit has `start ≤ d < end`.
//! - A segment's start is an **admission** (first segment) or a **transfer in**; its end a
//!   **discharge** (last segment; deaths included, AHIMA "discharges include deaths") or a
//!   **transfer out**. Hence, per unit and day, the census balance identity:
//!   `census(d) = census(d−1) + admissions + transfers_in − discharges − transfers_out`.
//! - **Same day**: admitted and discharged on the same census day; such a patient is in no
//!   midnight census and is credited to the discharging unit.
//!   **Inpatient service days** of a day = midnight census + same-day patients.
//! - Discharge-based facts (LOS, deaths, autopsies, infections, consultations, charges,
//!   readmission index stays, codes) count on the discharge day at the discharging unit.
//!   Admissions (births: newborn admissions; readmissions) count on the admission day. Deliveries
//!   and their `Z37` outcomes count on the delivery day (the delivery procedure's date, else the
//!   discharge day) on the mother's unit that day.
//! - **LOS** = discharge day − admission day, a same-day stay counting 1 (AHIMA), for the whole
//!   stay, also when it began before the period.
//!
//! Memory is `units × days × populations` counters (plus code counts and charge distributions per
//! unit and report bucket), independent of the number of stays.
//!
//! # Merging
//! Two aggregates merge when they have the same time zone, split and grouping, and either
//! - the **same period** (a population split in parts: everything adds), or
//! - **adjacent periods** (a period split in parts, each fed the same stays): the days are
//!   concatenated and the later part's opening census must equal the earlier part's closing one.

use crate::batch::{IN_HOUSE, StayBatch, flag};
use crate::clock::{DayClock, Period, Split};
use crate::segment::{SegmentWalk, name_tag, same_str, unit_name};
use crate::sketch::ChargeDistribution;
use crate::stay::{Disposition, EncounterClass, Stay};
use foldhash::HashMap;
use foldhash::HashMapExt;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

/// The name used for a stay without unit history.
pub const UNASSIGNED_UNIT: &str = "(no unit)";
/// The group name used for a stay without the grouping attribute (payer, service …).
pub const UNKNOWN_GROUP: &str = "(unknown)";

/// What rows are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum GroupBy {
    /// One group for everything (`all`).
    None,
    /// Per facility.
    Facility,
    /// Per unit (ward).
    Unit,
    /// Per clinical service ([`Stay::service`]).
    Service,
    /// Per payer ([`Stay::payer`]).
    Payer,
    /// Per diagnosis group ([`Stay::diagnosis_group`], e.g. CCSR of the principal diagnosis).
    DiagnosisGroup,
}

impl GroupBy {
    /// The name used in output (`group_by` field).
    pub fn as_str(self) -> &'static str {
        match self {
            GroupBy::None => "none",
            GroupBy::Facility => "facility",
            GroupBy::Unit => "unit",
            GroupBy::Service => "service",
            GroupBy::Payer => "payer",
            GroupBy::DiagnosisGroup => "diagnosis_group",
        }
    }

    /// Parses the output name (also accepts `ccsr` and `diagnosis` for the diagnosis group).
    pub fn parse(s: &str) -> Option<GroupBy> {
        Some(match s {
            "none" | "all" => GroupBy::None,
            "facility" => GroupBy::Facility,
            "unit" => GroupBy::Unit,
            "service" => GroupBy::Service,
            "payer" => GroupBy::Payer,
            "diagnosis_group" | "diagnosis" | "ccsr" => GroupBy::DiagnosisGroup,
            _ => return None,
        })
    }

    /// True when this grouping needs its own grid (the others derive from the unit grid).
    fn needs_own_grid(self) -> bool {
        matches!(
            self,
            GroupBy::Service | GroupBy::Payer | GroupBy::DiagnosisGroup
        )
    }
}

/// How an aggregation is set up.
#[derive(Debug, Clone)]
pub struct AggregatorConfig {
    /// The census days covered.
    pub period: Period,
    /// The facility's time zone (census days are its calendar days).
    pub time_zone: TimeZone,
    /// How report rows split the period (code counts and charge medians are kept per bucket).
    pub split: Split,
    /// Groupings to support besides none/facility/unit (which are always available).
    pub group_by: Vec<GroupBy>,
    /// The readmission window in days (30).
    pub readmission_window_days: i32,
}

impl AggregatorConfig {
    /// A configuration for a period in a time zone: whole-period rows, no extra grouping.
    pub fn new(period: Period, time_zone: TimeZone) -> AggregatorConfig {
        AggregatorConfig {
            period,
            time_zone,
            split: Split::Whole,
            group_by: Vec::new(),
            readmission_window_days: 30,
        }
    }
}

/// The counters of one unit (or group), day and population.
///
/// All counts are of inpatient stays. `discharges` include deaths.
///
/// Laid out for the aggregation's hot path: one cell is two cache lines, aligned, and the
/// counters every stay touches (census change, admissions, discharges, transfers, same day,
/// LOS, deaths) share the first line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[repr(C, align(64))]
pub struct DayCounts {
    /// Change of the midnight census at this day (difference array; internal).
    pub(crate) census_delta: i32,
    /// Admissions (first unit of a stay).
    pub admissions: u32,
    /// Admissions transferred in from another hospital (admit source `hosp-trans`).
    pub admissions_from_other_hospital: u32,
    /// Discharges, deaths included.
    pub discharges: u32,
    /// Discharges transferred out to another facility.
    pub discharges_to_other_facility: u32,
    /// Inpatient deaths.
    pub deaths: u32,
    /// Deaths less than 48 hours after admission.
    pub deaths_under_48h: u32,
    /// Transfers in from another unit.
    pub transfers_in: u32,
    /// Transfers out to another unit.
    pub transfers_out: u32,
    /// Admitted and discharged the same day.
    pub same_day: u32,
    /// Σ length of stay (days) of the discharges.
    pub los_days: u32,
    /// Autopsies on the deaths.
    pub autopsies: u32,
    /// Deaths that were medical-examiner cases and not autopsied.
    pub medical_examiner_not_autopsied: u32,
    /// Deaths whose bodies were available for a hospital autopsy.
    pub deaths_body_available: u32,
    /// Deliveries (mothers' stays with a delivery procedure).
    pub deliveries: u32,
    /// Cesarean sections.
    pub cesareans: u32,
    /// Live births (mothers' `Z37`).
    pub live_births: u32,
    /// Stillbirths / fetal deaths (mothers' `Z37`).
    pub stillbirths: u32,
    /// Obstetric discharges.
    pub obstetric_discharges: u32,
    /// Direct maternal deaths.
    pub direct_maternal_deaths: u32,
    /// Hospital-acquired infections.
    pub infections: u32,
    /// Discharges with a consultation.
    pub consultations: u32,
    /// Index discharges for the readmission rate.
    pub readmission_index: u32,
    /// Index discharges followed by a readmission within the window.
    pub readmissions: u32,
    /// Admissions that are readmissions (counted on the admission day).
    pub readmission_admissions: u32,
    /// Discharges with known charges.
    pub charged_stays: u32,
    /// Σ charges (cents).
    pub charges_cents: i64,
}

impl DayCounts {
    /// Adds another cell's counts (saturating: absurd inputs cannot overflow).
    pub fn add(&mut self, o: &DayCounts) {
        self.census_delta = self.census_delta.saturating_add(o.census_delta);
        self.admissions = self.admissions.saturating_add(o.admissions);
        self.admissions_from_other_hospital = self
            .admissions_from_other_hospital
            .saturating_add(o.admissions_from_other_hospital);
        self.discharges = self.discharges.saturating_add(o.discharges);
        self.discharges_to_other_facility = self
            .discharges_to_other_facility
            .saturating_add(o.discharges_to_other_facility);
        self.deaths = self.deaths.saturating_add(o.deaths);
        self.deaths_under_48h = self.deaths_under_48h.saturating_add(o.deaths_under_48h);
        self.transfers_in = self.transfers_in.saturating_add(o.transfers_in);
        self.transfers_out = self.transfers_out.saturating_add(o.transfers_out);
        self.same_day = self.same_day.saturating_add(o.same_day);
        self.los_days = self.los_days.saturating_add(o.los_days);
        self.autopsies = self.autopsies.saturating_add(o.autopsies);
        self.medical_examiner_not_autopsied = self
            .medical_examiner_not_autopsied
            .saturating_add(o.medical_examiner_not_autopsied);
        self.deaths_body_available = self
            .deaths_body_available
            .saturating_add(o.deaths_body_available);
        self.deliveries = self.deliveries.saturating_add(o.deliveries);
        self.cesareans = self.cesareans.saturating_add(o.cesareans);
        self.live_births = self.live_births.saturating_add(o.live_births);
        self.stillbirths = self.stillbirths.saturating_add(o.stillbirths);
        self.obstetric_discharges = self
            .obstetric_discharges
            .saturating_add(o.obstetric_discharges);
        self.direct_maternal_deaths = self
            .direct_maternal_deaths
            .saturating_add(o.direct_maternal_deaths);
        self.infections = self.infections.saturating_add(o.infections);
        self.consultations = self.consultations.saturating_add(o.consultations);
        self.readmission_index = self.readmission_index.saturating_add(o.readmission_index);
        self.readmissions = self.readmissions.saturating_add(o.readmissions);
        self.readmission_admissions = self
            .readmission_admissions
            .saturating_add(o.readmission_admissions);
        self.charged_stays = self.charged_stays.saturating_add(o.charged_stays);
        self.charges_cents = self.charges_cents.saturating_add(o.charges_cents);
    }
}

/// Code counts and charges of one unit (or group), report bucket and population.
#[derive(Debug, Clone, Default)]
pub(crate) struct BucketExtras {
    pub(crate) diagnoses: HashMap<Box<str>, u64>,
    pub(crate) procedures: HashMap<Box<str>, u64>,
    pub(crate) charges: ChargeDistribution,
}

impl BucketExtras {
    pub(crate) fn merge(&mut self, o: &BucketExtras) {
        for (k, v) in &o.diagnoses {
            *self.diagnoses.entry(k.clone()).or_insert(0) += v;
        }
        for (k, v) in &o.procedures {
            *self.procedures.entry(k.clone()).or_insert(0) += v;
        }
        self.charges.merge(&o.charges);
    }
}

/// The name of a group key: the facility and, for units, the unit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct KeyName {
    pub(crate) facility: Box<str>,
    pub(crate) name: Box<str>,
}

/// The keys of one facility's units (or groups).
#[derive(Debug, Clone)]
struct FacilityKeys {
    facility: Box<str>,
    keys: HashMap<Box<str>, u32>,
}

/// Initial slots of a grid's name table (a power of two; it doubles at half load).
const NAME_TABLE: usize = 64;

/// One slot of a grid's name table: a name's tag ([`name_tag`]), its length and facility, and
/// its key.
#[derive(Debug, Clone, Copy, Default)]
struct NameSlot {
    tag: u64,
    /// `len << 32 | (facility index + 1)`; 0 = empty slot.
    meta: u64,
    key: u32,
}

impl NameSlot {
    #[inline]
    fn home(tag: u64, meta: u64, mask: usize) -> usize {
        ((tag ^ meta.rotate_left(29)).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) as usize & mask
    }
}

/// A grid of day counters for one grouping.
#[derive(Debug, Clone)]
pub(crate) struct Grid {
    pub(crate) group_by: GroupBy,
    pub(crate) names: Vec<KeyName>,
    /// per facility index: name → key
    lookup: Vec<FacilityKeys>,
    /// facility → index into `lookup`
    facility_index: HashMap<Box<str>, u32>,
    /// the facility found last (stays come mostly from one facility): skips a hash lookup
    last_facility: usize,
    /// every (facility, name) → key, open addressing on the name's tag: integer compares
    /// instead of hashing and comparing the name (names longer than 8 bytes are compared in
    /// full on a tag match)
    name_table: Vec<NameSlot>,
    /// key-major: (key × days + day) × 2 + population
    pub(crate) cells: Vec<DayCounts>,
    /// midnight census before the first day, per key and population
    pub(crate) opening: Vec<[i64; 2]>,
    /// (key, bucket, population) → extras
    pub(crate) extras: HashMap<(u32, i32, u8), BucketExtras>,
}

impl Grid {
    fn new(group_by: GroupBy) -> Grid {
        Grid {
            group_by,
            names: Vec::new(),
            lookup: Vec::new(),
            facility_index: HashMap::new(),
            last_facility: usize::MAX,
            name_table: vec![NameSlot::default(); NAME_TABLE],
            cells: Vec::new(),
            opening: Vec::new(),
            extras: HashMap::new(),
        }
    }

    /// The index of a facility's key map (created when new).
    #[inline(always)]
    fn facility(&mut self, facility: &str) -> usize {
        if let Some(f) = self.lookup.get(self.last_facility)
            && same_str(&f.facility, facility)
        {
            return self.last_facility;
        }
        self.facility_slow(facility)
    }

    #[cold]
    #[inline(never)]
    fn facility_slow(&mut self, facility: &str) -> usize {
        let f = match self.facility_index.get(facility) {
            Some(&f) => f as usize,
            None => {
                let f = self.lookup.len();
                self.lookup.push(FacilityKeys {
                    facility: facility.into(),
                    keys: HashMap::new(),
                });
                self.facility_index.insert(facility.into(), f as u32);
                f
            }
        };
        self.last_facility = f;
        f
    }

    /// The key of a name within a facility (index from [`Grid::facility`]), created when new.
    #[inline(always)]
    fn key_in(&mut self, f: usize, name: &str, days: usize) -> u32 {
        let bytes = name.as_bytes();
        let tag = name_tag(bytes);
        let meta = ((bytes.len() as u64) << 32) | (f as u64 + 1);
        let mask = self.name_table.len() - 1;
        let mut slot = NameSlot::home(tag, meta, mask);
        loop {
            let e = self.name_table[slot];
            if e.tag == tag
                && e.meta == meta
                && (bytes.len() <= 8 || *self.names[e.key as usize].name == *name)
            {
                return e.key;
            }
            if e.meta == 0 {
                return self.key_insert(f, name, days, tag, meta);
            }
            slot = (slot + 1) & mask;
        }
    }

    /// A (facility, name) the name table does not hold: its key (new), entered in the table.
    #[cold]
    #[inline(never)]
    fn key_insert(&mut self, f: usize, name: &str, days: usize, tag: u64, meta: u64) -> u32 {
        let key = self.key_in_map(f, name, days);
        if (self.names.len() + 1) * 2 > self.name_table.len() {
            let old = std::mem::take(&mut self.name_table);
            self.name_table = vec![NameSlot::default(); old.len() * 2];
            for e in old.into_iter().filter(|e| e.meta != 0) {
                self.put_slot(e);
            }
        }
        self.put_slot(NameSlot { tag, meta, key });
        key
    }

    fn put_slot(&mut self, e: NameSlot) {
        let mask = self.name_table.len() - 1;
        let mut slot = NameSlot::home(e.tag, e.meta, mask);
        while self.name_table[slot].meta != 0 {
            slot = (slot + 1) & mask;
        }
        self.name_table[slot] = e;
    }

    fn key_in_map(&mut self, f: usize, name: &str, days: usize) -> u32 {
        if let Some(&k) = self.lookup[f].keys.get(name) {
            return k;
        }
        let k = self.names.len() as u32;
        self.names.push(KeyName {
            facility: self.lookup[f].facility.clone(),
            name: name.into(),
        });
        self.lookup[f].keys.insert(name.into(), k);
        self.cells
            .resize(self.cells.len() + days * 2, DayCounts::default());
        self.opening.push([0, 0]);
        k
    }

    #[inline]
    fn key(&mut self, facility: &str, name: &str, days: usize) -> u32 {
        let f = self.facility(facility);
        self.key_in(f, name, days)
    }

    #[inline]
    pub(crate) fn cell_index(&self, key: u32, day: usize, pop: usize, days: usize) -> usize {
        (key as usize * days + day) * 2 + pop
    }
}

/// What a stay contributes to every grid, computed once per stay.
#[derive(Debug, Clone, Copy)]
struct StayFacts {
    pop: usize,
    adm_day: i32,
    dis_day: Option<i32>,
    under_48: bool,
    bucket: Option<i32>,
    readmitted: Option<bool>,
    is_readmission: bool,
}

/// Counts of the stays an aggregator was fed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedCounts {
    /// Inpatient stays aggregated.
    pub inpatient_stays: u64,
    /// Stays of other classes (not in the census).
    pub other_stays: u64,
    /// Stays rejected (see [`StayError`]).
    pub rejected_stays: u64,
}

/// What is wrong with a stay that could not be aggregated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StayErrorKind {
    /// The discharge is before the admission.
    DischargeBeforeAdmission,
}

/// A stay that could not be aggregated; the others still are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("encounter {encounter_id:?} (patient {patient_id:?}): {message}")]
pub struct StayError {
    encounter_id: String,
    patient_id: String,
    kind: StayErrorKind,
    message: String,
}

impl StayError {
    /// A stay discharged (`discharged`) before it was admitted.
    pub(crate) fn discharge_before_admission(
        stay: &Stay,
        discharged: jiff::Timestamp,
    ) -> StayError {
        StayError {
            encounter_id: stay.encounter_id.clone(),
            patient_id: stay.patient_id.clone(),
            kind: StayErrorKind::DischargeBeforeAdmission,
            message: format!(
                "discharged {} before admitted {}",
                discharged, stay.admitted
            ),
        }
    }

    /// What is wrong.
    pub fn kind(&self) -> StayErrorKind {
        self.kind
    }

    /// The encounter's id.
    pub fn encounter_id(&self) -> &str {
        &self.encounter_id
    }
}

/// Why two aggregates cannot merge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MergeErrorKind {
    /// Different time zones, splits or groupings.
    Incompatible,
    /// Periods neither equal nor adjacent.
    Periods,
    /// Adjacent periods whose census does not join up (they were not fed the same stays).
    CensusMismatch,
}

/// Two aggregates could not be merged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot merge statistics: {message}")]
pub struct MergeError {
    kind: MergeErrorKind,
    message: String,
}

impl MergeError {
    fn new(kind: MergeErrorKind, message: impl Into<String>) -> MergeError {
        MergeError {
            kind,
            message: message.into(),
        }
    }

    /// Why.
    pub fn kind(&self) -> MergeErrorKind {
        self.kind
    }
}

/// Aggregates stays, one pass, into mergeable daily counters.
///
/// ```
/// use medrec_stats::{Aggregator, AggregatorConfig, EncounterClass, Period, Stay};
/// use jiff::tz::TimeZone;
///
/// let period = Period::month(2024, 3).unwrap();
/// let mut agg = Aggregator::new(AggregatorConfig::new(period, TimeZone::UTC));
/// let stay = Stay::new("p1", "e1", EncounterClass::Inpatient,
///     "2024-03-04T10:00:00Z".parse()?, Some("2024-03-07T09:00:00Z".parse()?));
/// agg.add_stay(&stay)?;
/// assert_eq!(agg.feed_counts().inpatient_stays, 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Aggregator {
    pub(crate) config: AggregatorConfig,
    clock: DayClock,
    pub(crate) first: i32,
    pub(crate) days: usize,
    /// grids[0] is the unit grid; the others follow `config.group_by` (own-grid groupings only).
    pub(crate) grids: Vec<Grid>,
    feed: FeedCounts,
    code_buf: String,
    /// Scratch of [`Aggregator::add_batch`]: a batch's name id → the grid's key.
    batch_keys: Vec<u32>,
}

impl Aggregator {
    /// An empty aggregate.
    pub fn new(config: AggregatorConfig) -> Aggregator {
        let clock = DayClock::new(config.time_zone.clone(), config.period);
        let mut grids = vec![Grid::new(GroupBy::Unit)];
        for g in &config.group_by {
            if g.needs_own_grid() && !grids.iter().any(|x| x.group_by == *g) {
                grids.push(Grid::new(*g));
            }
        }
        Aggregator {
            first: config.period.first_day(),
            days: config.period.days() as usize,
            config,
            clock,
            grids,
            feed: FeedCounts::default(),
            code_buf: String::new(),
            batch_keys: Vec::new(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &AggregatorConfig {
        &self.config
    }

    /// The period covered.
    pub fn period(&self) -> Period {
        self.config.period
    }

    /// The day clock (time zone) used.
    pub fn clock(&self) -> &DayClock {
        &self.clock
    }

    /// How many stays were fed.
    pub fn feed_counts(&self) -> FeedCounts {
        self.feed
    }

    /// Adds all stays of one patient: fills the readmission flag of each (an inpatient
    /// admission within the window after an index discharge; index stays ending in death,
    /// transfer to another acute hospital or discharge against advice are excluded, as in the
    /// CMS measure) and aggregates them. Returns the stays that could not be aggregated; the
    /// others are.
    pub fn add_patient(&mut self, stays: &[Stay]) -> Vec<StayError> {
        let mut order: Vec<usize> = (0..stays.len())
            .filter(|&i| stays[i].class == EncounterClass::Inpatient)
            .collect();
        order.sort_by_key(|&i| stays[i].admitted);
        let mut flags: Vec<Option<bool>> =
            stays.iter().map(|s| s.readmitted_within_30_days).collect();
        for (pos, &i) in order.iter().enumerate() {
            let s = &stays[i];
            let Some(dis) = s.discharged else {
                flags[i] = None;
                continue;
            };
            if matches!(
                s.disposition,
                Disposition::Died | Disposition::TransferToHospital | Disposition::AgainstAdvice
            ) {
                flags[i] = None;
                continue;
            }
            let dis_day = self.clock.day(dis);
            let readmitted = order[pos + 1..].iter().any(|&j| {
                let a = stays[j].admitted;
                a >= dis
                    && self.clock.day(a) - dis_day <= self.config.readmission_window_days
                    && stays[j].encounter_id != s.encounter_id
            });
            flags[i] = Some(readmitted);
        }
        // Readmission admissions: an inpatient stay admitted within the window after the
        // previous (non-birth) inpatient stay's eligible discharge.
        let mut readmission = vec![false; stays.len()];
        let mut last: Option<usize> = None;
        for &j in &order {
            let s = &stays[j];
            if s.admit_source == crate::stay::AdmitSource::Born {
                continue;
            }
            if let Some(i) = last
                && let Some(dis) = stays[i].discharged
                && !matches!(
                    stays[i].disposition,
                    Disposition::Died
                        | Disposition::TransferToHospital
                        | Disposition::AgainstAdvice
                )
                && s.admitted >= dis
                && self.clock.day(s.admitted) - self.clock.day(dis)
                    <= self.config.readmission_window_days
            {
                readmission[j] = true;
            }
            last = Some(j);
        }
        let mut errors = Vec::new();
        for ((s, flag), re) in stays.iter().zip(flags).zip(readmission) {
            if let Err(e) = self.add_stay_inner(s, flag, re || s.is_readmission) {
                errors.push(e);
            }
        }
        errors
    }

    /// Adds stays in order, exactly as [`Aggregator::add_stay`] on each would, and returns the
    /// stays that could not be aggregated (the others are). Readmission flags are taken as
    /// given; use [`Aggregator::add_patient`] to link a patient's stays.
    pub fn add_stays(&mut self, stays: &[Stay]) -> Vec<StayError> {
        stays
            .iter()
            .filter_map(|s| {
                self.add_stay_inner(s, s.readmitted_within_30_days, s.is_readmission)
                    .err()
            })
            .collect()
    }

    /// Adds a batch of stays in columns ([`StayBatch`]): exactly what
    /// [`Aggregator::add_stays`] on the same stays in the same order counts (every counter,
    /// opening census, code count and charge; the same errors, in order), several times
    /// faster. Readmission flags are taken as given.
    ///
    /// ```
    /// use medrec_stats::{Aggregator, AggregatorConfig, EncounterClass, Period, Stay, StayBatch};
    /// use jiff::tz::TimeZone;
    ///
    /// let period = Period::month(2024, 3).unwrap();
    /// let mut agg = Aggregator::new(AggregatorConfig::new(period, TimeZone::UTC));
    /// let mut batch = StayBatch::with_capacity(8192);
    /// for i in 0..20_000 {
    ///     let stay = Stay::new(format!("p{i}"), format!("e{i}"), EncounterClass::Inpatient,
    ///         "2024-03-04T10:00:00Z".parse()?, Some("2024-03-07T09:00:00Z".parse()?));
    ///     batch.push(&stay);
    ///     if batch.len() == 8192 {
    ///         assert!(agg.add_batch(&batch).is_empty());
    ///         batch.clear(); // memory bounded by the batch size
    ///     }
    /// }
    /// assert!(agg.add_batch(&batch).is_empty());
    /// assert_eq!(agg.feed_counts().inpatient_stays, 20_000);
    /// assert_eq!(agg.totals()[0].los_days, 60_000);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn add_batch(&mut self, batch: &StayBatch) -> Vec<StayError> {
        self.feed.inpatient_stays += batch.admitted.len() as u64;
        self.feed.other_stays += batch.other_stays;
        self.feed.rejected_stays += batch.rejected.len() as u64;
        let mut map = std::mem::take(&mut self.batch_keys);
        for g in 0..self.grids.len() {
            map.clear();
            map.resize(batch.names.len(), NO_KEY);
            match self.grids[g].group_by {
                GroupBy::Service => self.add_batch_to_grid::<false>(g, batch, &mut map, 0),
                GroupBy::Payer => self.add_batch_to_grid::<false>(g, batch, &mut map, 1),
                GroupBy::DiagnosisGroup => self.add_batch_to_grid::<false>(g, batch, &mut map, 2),
                _ => self.add_batch_to_grid::<true>(g, batch, &mut map, 0),
            }
        }
        self.batch_keys = map;
        batch.rejected.clone()
    }

    /// Adds a batch's counts to one grid: the unit grid (`UNIT`: each segment on its unit) or
    /// a group grid (every segment on the stay's group `batch.groups[group]`). The same
    /// counting as [`Aggregator::add_to_grid`].
    // `i` indexes several columns of the batch.
    #[allow(clippy::needless_range_loop)]
    #[inline(always)]
    fn add_batch_to_grid<const UNIT: bool>(
        &mut self,
        g: usize,
        b: &StayBatch,
        map: &mut [u32],
        group: usize,
    ) {
        let Aggregator {
            clock,
            grids,
            config,
            days,
            first,
            ..
        } = self;
        let (days, first_day) = (*days, *first);
        let first = i64::from(first_day);
        let grid = &mut grids[g];
        let group_ids: &[u32] = if UNIT { &[] } else { &b.groups[group] };
        let mut deliveries = b.deliveries.iter();
        let mut codes = b.codes.iter();
        let mut seg_lo = 0usize;
        let n = b.admitted.len();
        for i in 0..n {
            let f = b.flags[i];
            let seg_hi = b.seg_end[i] as usize;
            let pop = (f & flag::NEWBORN) as usize;
            let adm_day = clock.day_of_second(b.admitted[i]);
            let fixed_key = if UNIT {
                0
            } else {
                batch_key(grid, map, b, group_ids[i], days)
            };
            let mut start_day = adm_day;
            let mut last_key = fixed_key;
            let mut dis_day = None;
            for k in seg_lo..seg_hi {
                let is_first = k == seg_lo;
                let is_last = k + 1 == seg_hi;
                let until = b.seg_until[k];
                let end_day = if until == IN_HOUSE {
                    None
                } else {
                    Some(clock.day_of_second(until))
                };
                let key = if UNIT {
                    batch_key(grid, map, b, b.seg_unit[k], days)
                } else {
                    fixed_key
                };
                last_key = key;
                let Grid { cells, opening, .. } = &mut *grid;
                let base = key as usize * days * 2;
                let (pairs, _) = cells[base..base + days * 2].as_chunks_mut::<2>();
                let start = i64::from(start_day) - first;
                let end = end_day.map_or(i64::MAX, |e| i64::from(e) - first);
                let stays_a_midnight = i32::from(start < end);
                if let Some(pair) = pairs.get_mut(start as usize) {
                    let c = &mut pair[pop];
                    c.census_delta += stays_a_midnight;
                    if is_first {
                        c.admissions += 1;
                        c.readmission_admissions += u32::from(f & flag::IS_READMISSION != 0);
                        c.admissions_from_other_hospital += u32::from(f & flag::FROM_HOSPITAL != 0);
                    } else {
                        c.transfers_in += 1;
                    }
                } else if start < 0 && end >= 0 {
                    opening[key as usize][pop] += 1;
                }
                if let Some(pair) = pairs.get_mut(end as usize) {
                    let c = &mut pair[pop];
                    c.census_delta -= stays_a_midnight;
                    if !is_last {
                        c.transfers_out += 1;
                    } else {
                        let dd = end_day.unwrap_or(adm_day);
                        add_batch_discharge(c, f, dd - adm_day, b, i);
                    }
                }
                if is_last {
                    dis_day = end_day;
                } else {
                    start_day = end_day.unwrap_or(start_day);
                }
            }
            // Deliveries and their births: on the delivery day (else the discharge day), on
            // the unit the mother was on that day.
            if f & flag::DELIVERY != 0
                && let Some(d) = deliveries.next()
            {
                let day = if d.delivered == IN_HOUSE {
                    dis_day
                } else {
                    Some(clock.day_of_second(d.delivered))
                };
                if let Some(day) = day
                    && let Some(di) = day_index_in(first_day, days, day)
                {
                    let mut key = last_key;
                    if UNIT {
                        let mut seg_start = adm_day;
                        for k in seg_lo..seg_hi {
                            if seg_start <= day {
                                key = batch_key(grid, map, b, b.seg_unit[k], days);
                            }
                            if k + 1 < seg_hi {
                                seg_start = clock.day_of_second(b.seg_until[k]);
                            }
                        }
                    }
                    let idx = grid.cell_index(key, di, pop, days);
                    let c = &mut grid.cells[idx];
                    if let Some(kind) = d.delivery {
                        c.deliveries += 1;
                        if kind == crate::stay::Delivery::Cesarean {
                            c.cesareans += 1;
                        }
                    }
                    c.live_births += u32::from(d.live_births);
                    c.stillbirths += u32::from(d.stillbirths);
                }
            }
            // Code counts and charge distribution of the discharge.
            if f & flag::EXTRAS != 0
                && let Some(r) = codes.next()
                && let Some(dd) = dis_day
                && day_index_in(first_day, days, dd).is_some()
            {
                let bucket = config.split.bucket(dd);
                let extras = grid
                    .extras
                    .entry((last_key, bucket, pop as u8))
                    .or_default();
                if f & flag::CHARGED != 0 {
                    extras.charges.add(b.charges[i]);
                }
                for &id in &b.code_ids[r.start as usize..r.mid as usize] {
                    bump_normalized(&mut extras.diagnoses, &b.code_names[id as usize]);
                }
                for &id in &b.code_ids[r.mid as usize..r.end as usize] {
                    bump_normalized(&mut extras.procedures, &b.code_names[id as usize]);
                }
            }
            seg_lo = seg_hi;
        }
    }

    /// Adds one stay. Its readmission flag is taken as given ([`Stay::readmitted_within_30_days`]).
    pub fn add_stay(&mut self, stay: &Stay) -> Result<(), StayError> {
        self.add_stay_inner(stay, stay.readmitted_within_30_days, stay.is_readmission)
    }

    fn add_stay_inner(
        &mut self,
        stay: &Stay,
        readmitted: Option<bool>,
        is_readmission: bool,
    ) -> Result<(), StayError> {
        if stay.class != EncounterClass::Inpatient {
            self.feed.other_stays += 1;
            return Ok(());
        }
        if let Some(d) = stay.discharged
            && d < stay.admitted
        {
            self.feed.rejected_stays += 1;
            return Err(StayError::discharge_before_admission(stay, d));
        }
        self.feed.inpatient_stays += 1;
        let adm_day = self.clock.day(stay.admitted);
        let dis_day = stay.discharged.map(|d| self.clock.day(d));
        // Build the unit segments (in a buffer kept between stays: no allocation per stay).
        let facts = StayFacts {
            pop: stay.population().index(),
            adm_day,
            dis_day,
            under_48: stay.death_under_48h(),
            bucket: dis_day.map(|d| self.config.split.bucket(d)),
            readmitted,
            is_readmission,
        };
        // The unit grid apart from the loop over the others: straight-line code for the usual
        // configuration (no service / payer / diagnosis-group grids).
        self.add_to_grid(0, stay, &facts);
        for g in 1..self.grids.len() {
            self.add_to_grid(g, stay, &facts);
        }
        Ok(())
    }

    /// Adds a stay's counts to one grid (see [`Aggregator::add_stay_inner`]).
    #[inline(always)]
    fn add_to_grid(&mut self, g: usize, stay: &Stay, facts: &StayFacts) {
        let StayFacts {
            pop,
            adm_day,
            dis_day,
            under_48,
            bucket,
            readmitted,
            is_readmission,
        } = *facts;
        let pop = pop & 1;
        let facility = stay.facility.as_str();
        let group_by = self.grids[g].group_by;
        let fac = self.grids[g].facility(facility);
        let fixed_key: Option<u32> = if group_by == GroupBy::Unit {
            None
        } else {
            let name = match group_by {
                GroupBy::Service => stay.service.as_deref(),
                GroupBy::Payer => stay.payer.as_deref(),
                GroupBy::DiagnosisGroup => stay.diagnosis_group.as_deref(),
                _ => None,
            }
            .unwrap_or(UNKNOWN_GROUP);
            Some(self.grids[g].key_in(fac, name, self.days))
        };
        let days = self.days;
        let first = i64::from(self.first);
        let mut last_key = 0;
        // The stay's unit segments, walked as they are counted (no buffer; every grid walks).
        let mut walk = SegmentWalk::new(stay, adm_day, dis_day);
        let mut is_first = true;
        while let Some((seg, is_last)) = walk.next_with(|t| self.clock.day(t)) {
            let key = match fixed_key {
                Some(k) => k,
                None => self.grids[g].key_in(fac, unit_name(stay, seg.unit), days),
            };
            last_key = key;
            // Census, arrival and departure of the segment: one slice of this key's cells, a
            // pair (A&C, NB) per day, indexed by the segment's start and end relative to the
            // period (`get_mut` is the in-period test: negative offsets wrap to huge ones).
            let Grid { cells, opening, .. } = &mut self.grids[g];
            let base = key as usize * days * 2;
            let (pairs, _) = cells[base..base + days * 2].as_chunks_mut::<2>();
            let start = i64::from(seg.start) - first;
            let end = seg.end.map_or(i64::MAX, |e| i64::from(e) - first);
            // Midnight census: present at the end of days start..end (a stay that began
            // before the period and ends in it or later is in the opening census).
            let stays_a_midnight = i32::from(start < end);
            if let Some(pair) = pairs.get_mut(start as usize) {
                let c = &mut pair[pop];
                c.census_delta += stays_a_midnight;
                if is_first {
                    c.admissions += 1;
                    c.readmission_admissions += u32::from(is_readmission);
                    c.admissions_from_other_hospital += u32::from(
                        stay.admit_source == crate::stay::AdmitSource::TransferFromHospital,
                    );
                } else {
                    c.transfers_in += 1;
                }
            } else if start < 0 && end >= 0 {
                opening[key as usize][pop] += 1;
            }
            if let Some(pair) = pairs.get_mut(end as usize) {
                let c = &mut pair[pop];
                // start < end here implies start < days: counted on arrival or in the opening.
                c.census_delta -= stays_a_midnight;
                if !is_last {
                    c.transfers_out += 1;
                } else {
                    // The last segment ends with the discharge (end = discharge day).
                    let dd = seg.end.unwrap_or(adm_day);
                    add_discharge(c, stay, dd - adm_day, under_48, readmitted);
                }
            }
            is_first = false;
        }
        // Deliveries and their births: on the delivery day (else the discharge day), on the
        // unit the mother was on that day.
        if stay.delivery.is_some() || stay.live_births > 0 || stay.stillbirths > 0 {
            self.add_delivery(g, stay, fac, fixed_key, last_key, pop, facts);
        }
        // Code counts and charge distribution of the discharge.
        if (stay.charges_cents.is_some()
            || !stay.diagnoses.is_empty()
            || !stay.procedures.is_empty())
            && dis_day.is_some_and(|d| self.day_index(d).is_some())
        {
            self.add_extras(g, stay, last_key, bucket.unwrap_or(0), pop);
        }
    }

    /// Deliveries and their births: on the delivery day (else the discharge day), on the unit
    /// the mother was on that day.
    #[allow(clippy::too_many_arguments)]
    #[inline(never)]
    fn add_delivery(
        &mut self,
        g: usize,
        stay: &Stay,
        fac: usize,
        fixed_key: Option<u32>,
        last_key: u32,
        pop: usize,
        facts: &StayFacts,
    ) {
        let dis_day = facts.dis_day;
        let day = stay.delivered.map(|t| self.clock.day(t)).or(dis_day);
        if let Some(day) = day
            && let Some(di) = self.day_index(day)
        {
            let mut key = last_key;
            if fixed_key.is_none() {
                let mut walk = SegmentWalk::new(stay, facts.adm_day, dis_day);
                while let Some((seg, _)) = walk.next_with(|t| self.clock.day(t)) {
                    if seg.start <= day {
                        key = self.grids[g].key_in(fac, unit_name(stay, seg.unit), self.days);
                    }
                }
            }
            let idx = self.grids[g].cell_index(key, di, pop, self.days);
            let c = &mut self.grids[g].cells[idx];
            if let Some(d) = stay.delivery {
                c.deliveries += 1;
                if d == crate::stay::Delivery::Cesarean {
                    c.cesareans += 1;
                }
            }
            c.live_births += u32::from(stay.live_births);
            c.stillbirths += u32::from(stay.stillbirths);
        }
    }

    /// The discharge's code counts and charges, per (key, report bucket, population).
    #[inline(never)]
    fn add_extras(&mut self, g: usize, stay: &Stay, key: u32, bucket: i32, pop: usize) {
        let mut buf = std::mem::take(&mut self.code_buf);
        let extras = self.grids[g]
            .extras
            .entry((key, bucket, pop as u8))
            .or_default();
        if let Some(ch) = stay.charges_cents {
            extras.charges.add(ch);
        }
        for d in &stay.diagnoses {
            bump(&mut extras.diagnoses, &d.code, &mut buf);
        }
        for p in &stay.procedures {
            bump(&mut extras.procedures, &p.code, &mut buf);
        }
        self.code_buf = buf;
    }

    #[inline]
    fn day_index(&self, day: i32) -> Option<usize> {
        let i = day - self.first;
        (i >= 0 && (i as usize) < self.days).then_some(i as usize)
    }

    /// Merges another aggregate into this one (see the module docs for when that is possible).
    pub fn merge(&mut self, other: Aggregator) -> Result<(), MergeError> {
        let a = &self.config;
        let b = &other.config;
        if a.time_zone.iana_name() != b.time_zone.iana_name()
            || a.split != b.split
            || self.grids.len() != other.grids.len()
            || self
                .grids
                .iter()
                .zip(&other.grids)
                .any(|(x, y)| x.group_by != y.group_by)
            || a.readmission_window_days != b.readmission_window_days
        {
            return Err(MergeError::new(
                MergeErrorKind::Incompatible,
                "time zone, split, grouping or readmission window differ",
            ));
        }
        let same_period = a.period == b.period;
        let (lo, hi) = if a.period.first_day() <= b.period.first_day() {
            (a.period, b.period)
        } else {
            (b.period, a.period)
        };
        if !same_period && lo.last_day() + 1 != hi.first_day() {
            return Err(MergeError::new(
                MergeErrorKind::Periods,
                format!(
                    "periods {}..{} and {}..{} are neither equal nor adjacent",
                    a.period.from, a.period.to, b.period.from, b.period.to
                ),
            ));
        }
        let union = Period {
            from: lo.from,
            to: hi.to,
        };
        let mut out = Aggregator::new(AggregatorConfig {
            period: union,
            ..self.config.clone()
        });
        let this = std::mem::replace(self, Aggregator::new(self.config.clone()));
        let mut parts = [this, other];
        parts.sort_by_key(|p| p.first);
        for (part_no, part) in parts.into_iter().enumerate() {
            // With adjacent periods both parts saw the same stays: the earlier part's opening
            // census and feed counts stand for both.
            let is_lo = same_period || part_no == 0;
            if is_lo {
                out.feed.inpatient_stays += part.feed.inpatient_stays;
                out.feed.other_stays += part.feed.other_stays;
                out.feed.rejected_stays += part.feed.rejected_stays;
            }
            let offset = (part.first - out.first) as usize;
            for (g, grid) in part.grids.into_iter().enumerate() {
                for (k, name) in grid.names.iter().enumerate() {
                    let key = out.grids[g].key(&name.facility, &name.name, out.days);
                    if is_lo {
                        for p in 0..2 {
                            out.grids[g].opening[key as usize][p] += grid.opening[k][p];
                        }
                    }
                    for day in 0..part.days {
                        for p in 0..2 {
                            let src = grid.cell_index(k as u32, day, p, part.days);
                            let dst = out.grids[g].cell_index(key, day + offset, p, out.days);
                            let c = grid.cells[src];
                            out.grids[g].cells[dst].add(&c);
                        }
                    }
                    if !is_lo {
                        // The later part's opening census must join the earlier part's closing one.
                        for p in 0..2 {
                            let closing = out.census_at(g, key, offset - 1, p);
                            let diff = grid.opening[k][p] - closing;
                            if diff != 0 {
                                return Err(MergeError::new(
                                    MergeErrorKind::CensusMismatch,
                                    format!(
                                        "{:?}/{:?}: opening census {} of {} is not the closing census {} of the earlier part",
                                        name.facility,
                                        name.name,
                                        grid.opening[k][p],
                                        date_str(part.first),
                                        closing
                                    ),
                                ));
                            }
                        }
                    }
                }
                for ((k, bucket, p), ex) in grid.extras {
                    let name = &grid.names[k as usize];
                    let key = out.grids[g].key(&name.facility, &name.name, out.days);
                    out.grids[g]
                        .extras
                        .entry((key, bucket, p))
                        .or_default()
                        .merge(&ex);
                }
            }
        }
        *self = out;
        Ok(())
    }

    /// The midnight census of a key at the end of day index `day` (population index `pop`).
    pub(crate) fn census_at(&self, g: usize, key: u32, day: usize, pop: usize) -> i64 {
        let grid = &self.grids[g];
        let mut c = grid.opening[key as usize][pop];
        for d in 0..=day {
            c += i64::from(grid.cells[grid.cell_index(key, d, pop, self.days)].census_delta);
        }
        c
    }

    /// The midnight census series of a key and population, one value per day of the period.
    pub(crate) fn census_series(&self, g: usize, key: u32, pop: usize) -> Vec<i64> {
        let grid = &self.grids[g];
        let mut c = grid.opening[key as usize][pop];
        (0..self.days)
            .map(|d| {
                c += i64::from(grid.cells[grid.cell_index(key, d, pop, self.days)].census_delta);
                c
            })
            .collect()
    }

    /// The grid index serving a grouping.
    pub(crate) fn grid_for(&self, group_by: GroupBy) -> Option<usize> {
        if group_by.needs_own_grid() {
            self.grids.iter().position(|g| g.group_by == group_by)
        } else {
            Some(0)
        }
    }

    /// The midnight census opening the period (end of the day before `from`), per population.
    pub fn opening_census(&self) -> [i64; 2] {
        let mut out = [0, 0];
        for o in &self.grids[0].opening {
            out[0] += o[0];
            out[1] += o[1];
        }
        out
    }

    /// The opening midnight census (end of the day before `from`) of each unit:
    /// `(facility, unit, [adults & children, newborns])`, sorted.
    pub fn opening_census_by_unit(&self) -> Vec<(String, String, [i64; 2])> {
        let g = &self.grids[0];
        let mut v: Vec<_> = g
            .names
            .iter()
            .zip(&g.opening)
            .map(|(n, o)| (n.facility.to_string(), n.name.to_string(), *o))
            .collect();
        v.sort();
        v
    }

    /// Totals of the unit grid over the whole period, per population (A&C, NB).
    pub fn totals(&self) -> [DayCounts; 2] {
        let mut out = [DayCounts::default(), DayCounts::default()];
        for (i, c) in self.grids[0].cells.iter().enumerate() {
            out[i % 2].add(c);
        }
        out
    }
}

/// Counts a discharge in its cell (discharge day, discharging unit): `los` = discharge day −
/// admission day (a same-day stay counts 1 day of LOS, AHIMA).
#[inline(always)]
fn add_discharge(
    c: &mut DayCounts,
    stay: &Stay,
    los: i32,
    under_48: bool,
    readmitted: Option<bool>,
) {
    c.discharges += 1;
    c.los_days = c.los_days.saturating_add(los.max(1).unsigned_abs());
    c.same_day += u32::from(los == 0);
    c.discharges_to_other_facility += u32::from(stay.disposition.is_transfer_out());
    if stay.died() {
        add_death(c, stay, under_48);
    }
    c.obstetric_discharges += u32::from(stay.obstetric);
    c.infections += u32::from(stay.hospital_acquired_infections);
    c.consultations += u32::from(stay.consultation);
    if let Some(r) = readmitted {
        c.readmission_index += 1;
        c.readmissions += u32::from(r);
    }
    if let Some(ch) = stay.charges_cents {
        c.charged_stays += 1;
        c.charges_cents = c.charges_cents.saturating_add(ch);
    }
}

/// [`add_discharge`] for a stay of a [`StayBatch`] (index `i`, flags `f`).
#[inline(always)]
fn add_batch_discharge(c: &mut DayCounts, f: u32, los: i32, b: &StayBatch, i: usize) {
    let bit = |x: u32| u32::from(f & x != 0);
    c.discharges += 1;
    c.los_days = c.los_days.saturating_add(los.max(1).unsigned_abs());
    c.same_day += u32::from(los == 0);
    c.discharges_to_other_facility += bit(flag::TRANSFER_OUT);
    if f & flag::DIED != 0 {
        add_batch_death(c, f);
    }
    c.obstetric_discharges += bit(flag::OBSTETRIC);
    if f & flag::INFECTIONS != 0 {
        c.infections += u32::from(b.infections[i]);
    }
    c.consultations += bit(flag::CONSULTATION);
    c.readmission_index += bit(flag::READMISSION_INDEX);
    c.readmissions += bit(flag::READMITTED);
    if f & flag::CHARGED != 0 {
        c.charged_stays += 1;
        c.charges_cents = c.charges_cents.saturating_add(b.charges[i]);
    }
}

/// [`add_death`] for a stay of a [`StayBatch`].
#[inline(never)]
fn add_batch_death(c: &mut DayCounts, f: u32) {
    let bit = |x: u32| u32::from(f & x != 0);
    c.deaths += 1;
    c.deaths_under_48h += bit(flag::UNDER_48H);
    c.autopsies += bit(flag::AUTOPSY);
    c.medical_examiner_not_autopsied += bit(flag::ME_NOT_AUTOPSIED);
    c.deaths_body_available += bit(flag::BODY_AVAILABLE);
    c.direct_maternal_deaths += bit(flag::DIRECT_MATERNAL);
}

/// A batch name id not yet resolved to a key.
const NO_KEY: u32 = u32::MAX;

/// The grid key of a batch name id (resolved once per batch and grid, when first used: keys
/// are created in the order [`Aggregator::add_stays`] creates them).
#[inline(always)]
fn batch_key(grid: &mut Grid, map: &mut [u32], b: &StayBatch, id: u32, days: usize) -> u32 {
    let k = map[id as usize];
    if k != NO_KEY {
        return k;
    }
    batch_key_new(grid, map, b, id, days)
}

#[cold]
#[inline(never)]
fn batch_key_new(grid: &mut Grid, map: &mut [u32], b: &StayBatch, id: u32, days: usize) -> u32 {
    let (f, name) = &b.names[id as usize];
    let fac = grid.facility(&b.facilities[*f as usize]);
    let k = grid.key_in(fac, name, days);
    map[id as usize] = k;
    k
}

/// The index of `day` in a period of `days` days from `first`.
#[inline]
fn day_index_in(first: i32, days: usize, day: i32) -> Option<usize> {
    let i = day - first;
    (i >= 0 && (i as usize) < days).then_some(i as usize)
}

/// Counts an inpatient death in its discharge cell.
#[inline(never)]
fn add_death(c: &mut DayCounts, stay: &Stay, under_48: bool) {
    c.deaths += 1;
    c.deaths_under_48h += u32::from(under_48);
    let a = stay.autopsy;
    c.autopsies += u32::from(a.performed);
    c.medical_examiner_not_autopsied += u32::from(a.medical_examiner_case && !a.performed);
    let available = a
        .body_available
        .unwrap_or(a.performed || !a.medical_examiner_case);
    c.deaths_body_available += u32::from(available);
    c.direct_maternal_deaths += u32::from(stay.direct_maternal_death);
}

fn date_str(day: i32) -> String {
    crate::clock::date_of_day(day).to_string()
}

/// Counts one code (upper-cased, dot removed) without allocating for known codes.
#[inline]
fn bump(map: &mut HashMap<Box<str>, u64>, code: &str, buf: &mut String) {
    normalize_code(code, buf);
    if buf.is_empty() {
        return;
    }
    if let Some(v) = map.get_mut(buf.as_str()) {
        *v += 1;
    } else {
        map.insert(buf.as_str().into(), 1);
    }
}

/// A code as the aggregator counts it, into `buf`: trimmed, upper case, without dots (empty
/// codes stay empty and are not counted).
pub(crate) fn normalize_code(code: &str, buf: &mut String) {
    buf.clear();
    for ch in code.trim().chars() {
        if ch != '.' {
            buf.push(ch.to_ascii_uppercase());
        }
    }
}

/// Counts one interned, normalized code.
#[inline]
fn bump_normalized(map: &mut HashMap<Box<str>, u64>, code: &str) {
    if let Some(v) = map.get_mut(code) {
        *v += 1;
    } else {
        map.insert(code.into(), 1);
    }
}
