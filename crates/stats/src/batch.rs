//! Stays in columns: the fast input of the [`crate::Aggregator`] ([`StayBatch`]).
//!
//! A [`Stay`] is a convenient record (owned `String`s for the ids, the facility and every unit
//! name, a `Vec` of unit history, codes …), but aggregating a million of them chases several
//! heap pointers per stay. A [`StayBatch`] holds what the aggregator counts of many stays as
//! dense arrays (struct of arrays), the way a column store or an Arrow table holds them:
//!
//! - per stay: the admission instant (whole seconds), a word of flags (population, admit
//!   source, disposition, death < 48 h, autopsy facts, obstetric, consultation, readmission
//!   flags, …), hospital-acquired infections, charges, and the ids of its service / payer /
//!   diagnosis-group names;
//! - per census unit segment ([`crate::segment`]): an id into a table of interned
//!   (facility, unit) names and the instant the segment ends (the next segment's start, or the
//!   discharge). The unit history is reduced to its census segments when the stay is pushed
//!   (the segment rules compare instants only, so they do not depend on the time zone); the
//!   aggregator then only turns instants into census days;
//! - rare facts (deliveries, diagnosis and procedure codes, interned) in side lists.
//!
//! [`crate::Aggregator::add_batch`] counts a batch exactly as [`crate::Aggregator::add_stays`]
//! counts the same stays in the same order (every report field, daily row, opening census,
//! code count, charge distribution, feed count and error; a proptest checks it on random stays
//! and random splits into batches), several times faster (`docs/benchmarks.md`).
//!
//! Memory is that of the stays pushed: stream them in batches of a bounded size (e.g. 8,192
//! stays, [`StayBatch::clear`] between batches keeps the allocations), so the aggregation stays
//! bounded by units × days.
//!
//! ```
//! use medrec_stats::{Aggregator, AggregatorConfig, EncounterClass, Period, Stay, StayBatch, UnitStay};
//! use jiff::tz::TimeZone;
//!
//! let period = Period::month(2024, 3).unwrap();
//! let mut stay = Stay::new("p1", "e1", EncounterClass::Inpatient,
//!     "2024-03-04T10:00:00Z".parse()?, Some("2024-03-07T09:00:00Z".parse()?));
//! stay.units.push(UnitStay { unit: "MED".into(), from: stay.admitted, to: None });
//! stay.units.push(UnitStay { unit: "ICU".into(), from: "2024-03-05T20:00:00Z".parse()?, to: None });
//!
//! let mut batch = StayBatch::new();
//! batch.push(&stay);
//! let mut by_batch = Aggregator::new(AggregatorConfig::new(period, TimeZone::UTC));
//! assert!(by_batch.add_batch(&batch).is_empty());
//!
//! let mut one_by_one = Aggregator::new(AggregatorConfig::new(period, TimeZone::UTC));
//! one_by_one.add_stay(&stay)?;
//! assert_eq!(by_batch.totals(), one_by_one.totals());
//! assert_eq!(by_batch.totals()[0].transfers_in, 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::aggregate::{StayError, UNKNOWN_GROUP, normalize_code};
use crate::segment::{SegmentWalk, name_tag};
use crate::stay::{AdmitSource, Delivery, EncounterClass, Stay};
use foldhash::HashMap;
use foldhash::HashMapExt;

/// `seg_until` of a last segment whose stay is not discharged.
pub(crate) const IN_HOUSE: i64 = i64::MIN;

/// Stay flags (one `u32` per stay).
pub(crate) mod flag {
    /// Newborn population (admit source `born`); must stay bit 0 (population index).
    pub(crate) const NEWBORN: u32 = 1;
    /// Admitted from another hospital.
    pub(crate) const FROM_HOSPITAL: u32 = 1 << 1;
    /// Discharged to another facility.
    pub(crate) const TRANSFER_OUT: u32 = 1 << 2;
    /// Died.
    pub(crate) const DIED: u32 = 1 << 3;
    /// Death less than 48 hours after admission.
    pub(crate) const UNDER_48H: u32 = 1 << 4;
    /// Autopsy performed.
    pub(crate) const AUTOPSY: u32 = 1 << 5;
    /// Medical-examiner case not autopsied.
    pub(crate) const ME_NOT_AUTOPSIED: u32 = 1 << 6;
    /// Body available for a hospital autopsy.
    pub(crate) const BODY_AVAILABLE: u32 = 1 << 7;
    /// Direct maternal death.
    pub(crate) const DIRECT_MATERNAL: u32 = 1 << 8;
    /// Obstetric stay.
    pub(crate) const OBSTETRIC: u32 = 1 << 9;
    /// Consultation.
    pub(crate) const CONSULTATION: u32 = 1 << 10;
    /// Readmission flag known: an index stay.
    pub(crate) const READMISSION_INDEX: u32 = 1 << 11;
    /// Readmitted within the window.
    pub(crate) const READMITTED: u32 = 1 << 12;
    /// The stay is a readmission.
    pub(crate) const IS_READMISSION: u32 = 1 << 13;
    /// Charges known (`StayBatch::charges`).
    pub(crate) const CHARGED: u32 = 1 << 14;
    /// Hospital-acquired infections (`StayBatch::infections`).
    pub(crate) const INFECTIONS: u32 = 1 << 15;
    /// A delivery or births: an entry in `StayBatch::deliveries`.
    pub(crate) const DELIVERY: u32 = 1 << 16;
    /// Charges or codes: an entry in `StayBatch::codes`.
    pub(crate) const EXTRAS: u32 = 1 << 17;
}

/// The delivery facts of a stay with a delivery or births.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DeliveryFacts {
    pub(crate) delivery: Option<Delivery>,
    /// Seconds, or [`IN_HOUSE`] when unknown.
    pub(crate) delivered: i64,
    pub(crate) live_births: u16,
    pub(crate) stillbirths: u16,
}

/// The codes of a stay with charges or codes: `code_ids[start..mid]` diagnoses,
/// `code_ids[mid..end]` procedures (normalized: upper case, no dot, empty ones dropped).
#[derive(Debug, Clone, Copy)]
pub(crate) struct CodeRange {
    pub(crate) start: u32,
    pub(crate) mid: u32,
    pub(crate) end: u32,
}

/// The names of one facility: name → id in [`StayBatch::names`].
#[derive(Debug, Clone)]
struct FacilityNames {
    facility: Box<str>,
    ids: HashMap<Box<str>, u32>,
}

/// One slot of [`StayBatch::name_cache`]: `meta` = `len << 32 | (facility + 1)`, 0 = empty.
#[derive(Debug, Clone, Copy, Default)]
struct NameSlot {
    tag: u64,
    meta: u64,
    id: u32,
}

/// Slots of the name cache (a power of two).
const NAME_CACHE: usize = 64;

/// Many stays in columns, ready for [`crate::Aggregator::add_batch`] (see the [module
/// docs](self)).
///
/// Build it with [`StayBatch::push`] (or [`StayBatch::from_stays`], `extend`, `collect`) and
/// reuse it with [`StayBatch::clear`]. A batch does not depend on the aggregator's time zone
/// or period: the same batch can feed several aggregators.
#[derive(Debug, Clone, Default)]
pub struct StayBatch {
    // One entry per stay the census counts (inpatient, not discharged before admitted).
    /// Admission, whole seconds since the epoch ([`jiff::Timestamp::as_second`]).
    pub(crate) admitted: Vec<i64>,
    pub(crate) flags: Vec<u32>,
    /// One past the stay's last segment in `seg_unit` / `seg_until`.
    pub(crate) seg_end: Vec<u32>,
    /// Hospital-acquired infections (read when flagged).
    pub(crate) infections: Vec<u16>,
    /// Charges in cents (read when flagged).
    pub(crate) charges: Vec<i64>,
    /// Name ids of the service, payer and diagnosis group ((facility, `(unknown)`) when absent).
    pub(crate) groups: [Vec<u32>; 3],
    // One entry per census unit segment.
    /// Name id of the segment's unit.
    pub(crate) seg_unit: Vec<u32>,
    /// The instant the segment ends (seconds): the next segment's start, or the discharge
    /// ([`IN_HOUSE`] for a patient still in house).
    pub(crate) seg_until: Vec<i64>,
    // Rare facts, in stay order.
    pub(crate) deliveries: Vec<DeliveryFacts>,
    pub(crate) codes: Vec<CodeRange>,
    pub(crate) code_ids: Vec<u32>,
    pub(crate) code_names: Vec<Box<str>>,
    code_index: HashMap<Box<str>, u32>,
    // Interned (facility, name) pairs of units and groups.
    /// (facility index, name).
    pub(crate) names: Vec<(u32, Box<str>)>,
    pub(crate) facilities: Vec<Box<str>>,
    facility_names: Vec<FacilityNames>,
    facility_index: HashMap<Box<str>, u32>,
    last_facility: u32,
    /// Direct-mapped cache of recent (facility, name) → id, on the name's tag (length, first
    /// and last 4 bytes; longer names compared in full): most lookups skip hashing the name.
    name_cache: Vec<NameSlot>,
    // Stays not in the census.
    pub(crate) other_stays: u64,
    pub(crate) rejected: Vec<StayError>,
    pushed: usize,
    code_buf: String,
}

impl StayBatch {
    /// An empty batch.
    pub fn new() -> StayBatch {
        StayBatch {
            last_facility: u32::MAX,
            ..StayBatch::default()
        }
    }

    /// An empty batch with room for `stays` stays (of about two unit segments each).
    pub fn with_capacity(stays: usize) -> StayBatch {
        let mut b = StayBatch::new();
        b.admitted.reserve(stays);
        b.flags.reserve(stays);
        b.seg_end.reserve(stays);
        b.infections.reserve(stays);
        b.charges.reserve(stays);
        for g in &mut b.groups {
            g.reserve(stays);
        }
        b.seg_unit.reserve(stays * 2);
        b.seg_until.reserve(stays * 2);
        b
    }

    /// A batch of the given stays, in order.
    pub fn from_stays(stays: &[Stay]) -> StayBatch {
        let mut b = StayBatch::with_capacity(stays.len());
        for s in stays {
            b.push(s);
        }
        b
    }

    /// The number of stays pushed (every class, rejected ones included).
    pub fn len(&self) -> usize {
        self.pushed
    }

    /// True when no stay was pushed.
    pub fn is_empty(&self) -> bool {
        self.pushed == 0
    }

    /// The number of stays the census counts (inpatient, not discharged before admitted).
    pub fn census_stays(&self) -> usize {
        self.admitted.len()
    }

    /// The number of census unit segments held (≥ [`StayBatch::census_stays`]).
    pub fn unit_segments(&self) -> usize {
        self.seg_unit.len()
    }

    /// Empties the batch, keeping its allocations and its name tables (for streaming: push,
    /// aggregate, clear, push …).
    pub fn clear(&mut self) {
        self.admitted.clear();
        self.flags.clear();
        self.seg_end.clear();
        self.infections.clear();
        self.charges.clear();
        for g in &mut self.groups {
            g.clear();
        }
        self.seg_unit.clear();
        self.seg_until.clear();
        self.deliveries.clear();
        self.codes.clear();
        self.code_ids.clear();
        self.other_stays = 0;
        self.rejected.clear();
        self.pushed = 0;
    }

    /// Adds a stay (its readmission flags as given, like [`crate::Aggregator::add_stay`]).
    ///
    /// A stay of another class than inpatient is only counted (`other_stays` of the feed
    /// counts); a stay discharged before it was admitted is kept as the [`StayError`]
    /// [`crate::Aggregator::add_batch`] returns.
    pub fn push(&mut self, stay: &Stay) {
        self.pushed += 1;
        if stay.class != EncounterClass::Inpatient {
            self.other_stays += 1;
            return;
        }
        if let Some(d) = stay.discharged
            && d < stay.admitted
        {
            self.rejected
                .push(StayError::discharge_before_admission(stay, d));
            return;
        }
        let fac = self.facility(&stay.facility);
        // Census unit segments: the one implementation of the rules, in instants (the days
        // given here are not used).
        let mut walk = SegmentWalk::new(stay, 0, None);
        while let Some((seg, _)) = walk.next_with(|_| 0) {
            let name = crate::segment::unit_name(stay, seg.unit);
            let id = self.name_id(fac, name);
            self.seg_unit.push(id);
            self.seg_until
                .push(seg.until.map_or(IN_HOUSE, |t| t.as_second()));
        }
        self.seg_end.push(self.seg_unit.len() as u32);
        self.admitted.push(stay.admitted.as_second());
        for (g, name) in [&stay.service, &stay.payer, &stay.diagnosis_group]
            .into_iter()
            .enumerate()
        {
            let id = self.name_id(fac, name.as_deref().unwrap_or(UNKNOWN_GROUP));
            self.groups[g].push(id);
        }
        let mut f = 0;
        let mut set = |bit: u32, on: bool| {
            if on {
                f |= bit;
            }
        };
        set(flag::NEWBORN, stay.admit_source == AdmitSource::Born);
        set(
            flag::FROM_HOSPITAL,
            stay.admit_source == AdmitSource::TransferFromHospital,
        );
        set(flag::TRANSFER_OUT, stay.disposition.is_transfer_out());
        if stay.died() {
            let a = stay.autopsy;
            set(flag::DIED, true);
            set(flag::UNDER_48H, stay.death_under_48h());
            set(flag::AUTOPSY, a.performed);
            set(
                flag::ME_NOT_AUTOPSIED,
                a.medical_examiner_case && !a.performed,
            );
            set(
                flag::BODY_AVAILABLE,
                a.body_available
                    .unwrap_or(a.performed || !a.medical_examiner_case),
            );
            set(flag::DIRECT_MATERNAL, stay.direct_maternal_death);
        }
        set(flag::OBSTETRIC, stay.obstetric);
        set(flag::CONSULTATION, stay.consultation);
        set(
            flag::READMISSION_INDEX,
            stay.readmitted_within_30_days.is_some(),
        );
        set(
            flag::READMITTED,
            stay.readmitted_within_30_days == Some(true),
        );
        set(flag::IS_READMISSION, stay.is_readmission);
        set(flag::CHARGED, stay.charges_cents.is_some());
        set(flag::INFECTIONS, stay.hospital_acquired_infections > 0);
        let delivery = stay.delivery.is_some() || stay.live_births > 0 || stay.stillbirths > 0;
        set(flag::DELIVERY, delivery);
        let extras = stay.charges_cents.is_some()
            || !stay.diagnoses.is_empty()
            || !stay.procedures.is_empty();
        set(flag::EXTRAS, extras);
        self.flags.push(f);
        self.infections.push(stay.hospital_acquired_infections);
        self.charges.push(stay.charges_cents.unwrap_or(0));
        if delivery {
            self.deliveries.push(DeliveryFacts {
                delivery: stay.delivery,
                delivered: stay.delivered.map_or(IN_HOUSE, |t| t.as_second()),
                live_births: stay.live_births,
                stillbirths: stay.stillbirths,
            });
        }
        if extras {
            let start = self.code_ids.len() as u32;
            for d in &stay.diagnoses {
                self.push_code(&d.code);
            }
            let mid = self.code_ids.len() as u32;
            for p in &stay.procedures {
                self.push_code(&p.code);
            }
            self.codes.push(CodeRange {
                start,
                mid,
                end: self.code_ids.len() as u32,
            });
        }
    }

    /// Interns a code (normalized as the aggregator counts it; empty codes are dropped).
    fn push_code(&mut self, code: &str) {
        let mut buf = std::mem::take(&mut self.code_buf);
        normalize_code(code, &mut buf);
        if !buf.is_empty() {
            let id = match self.code_index.get(buf.as_str()) {
                Some(&id) => id,
                None => {
                    let id = self.code_names.len() as u32;
                    self.code_names.push(buf.as_str().into());
                    self.code_index.insert(buf.as_str().into(), id);
                    id
                }
            };
            self.code_ids.push(id);
        }
        self.code_buf = buf;
    }

    /// The index of a facility (created when new).
    #[inline]
    fn facility(&mut self, facility: &str) -> u32 {
        if let Some(f) = self.facility_names.get(self.last_facility as usize)
            && crate::segment::same_str(&f.facility, facility)
        {
            return self.last_facility;
        }
        let f = match self.facility_index.get(facility) {
            Some(&f) => f,
            None => {
                let f = self.facilities.len() as u32;
                self.facilities.push(facility.into());
                self.facility_names.push(FacilityNames {
                    facility: facility.into(),
                    ids: HashMap::new(),
                });
                self.facility_index.insert(facility.into(), f);
                f
            }
        };
        self.last_facility = f;
        f
    }

    /// The id of a (facility, name) pair (created when new).
    #[inline]
    fn name_id(&mut self, fac: u32, name: &str) -> u32 {
        let bytes = name.as_bytes();
        let tag = name_tag(bytes);
        let meta = ((bytes.len() as u64) << 32) | (u64::from(fac) + 1);
        let slot = ((tag ^ meta.rotate_left(29)).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40)
            as usize
            & (NAME_CACHE - 1);
        if let Some(e) = self.name_cache.get(slot)
            && e.tag == tag
            && e.meta == meta
            && (bytes.len() <= 8 || *self.names[e.id as usize].1 == *name)
        {
            return e.id;
        }
        let id = self.name_id_slow(fac, name);
        if self.name_cache.is_empty() {
            self.name_cache = vec![NameSlot::default(); NAME_CACHE];
        }
        self.name_cache[slot] = NameSlot { tag, meta, id };
        id
    }

    fn name_id_slow(&mut self, fac: u32, name: &str) -> u32 {
        let names = &mut self.facility_names[fac as usize];
        if let Some(&id) = names.ids.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        names.ids.insert(name.into(), id);
        self.names.push((fac, name.into()));
        id
    }
}

impl<'a> Extend<&'a Stay> for StayBatch {
    fn extend<I: IntoIterator<Item = &'a Stay>>(&mut self, iter: I) {
        for s in iter {
            self.push(s);
        }
    }
}

impl<'a> FromIterator<&'a Stay> for StayBatch {
    fn from_iter<I: IntoIterator<Item = &'a Stay>>(iter: I) -> StayBatch {
        let mut b = StayBatch::new();
        b.extend(iter);
        b
    }
}
