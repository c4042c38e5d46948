//! Ground truth: what a correct implementation must find in the generated records.
//!
//! * Per inpatient encounter, the deficiencies a completeness review must report
//!   ([`InjectedDeficiency`], rule ids of `medrec-completeness`), evaluated from the generated
//!   facts with the definitions below, so combinations (a late *and* unsigned H&P) are exact.
//! * Per note, the PHI spans ([`crate::PhiSpan`], on [`crate::GeneratedNote::phi`]).
//! * Per unit and census day, the daily census ([`CensusDay`]); per facility and population
//!   (adults & children, newborns), the period counts ([`PeriodCounts`]).
//!
//! # Definitions
//! * Census day: a calendar day in the configured time zone; the census is taken at midnight
//!   (the end of the day). No generated event falls exactly on a local midnight.
//! * `admissions`: stays admitted to the hospital that day (on their first unit).
//!   `transfers_in` / `transfers_out`: moves between units of the same facility.
//!   `discharges`: stays ending that day on the unit, **deaths included** (AHIMA: discharges
//!   include deaths); `deaths` is the subset that died. So for every unit and day
//!   `census = previous census + admissions + transfers_in − discharges − transfers_out`
//!   (with live discharges = `discharges − deaths`, this is the issue's
//!   "+ admissions + transfers in − discharges − deaths − transfers out").
//! * `same_day`: stays admitted and discharged on the same day (counted on the discharging unit);
//!   `inpatient_service_days` = `census + same_day`.
//! * Period counts: admissions by admission day, discharges and deaths by discharge day,
//!   births, deliveries and cesareans by the day of birth, all within `[from, to)`. Length of
//!   stay of a discharge = discharge date − admission date, a same-day stay counting 1.
//! * Death under 48 hours: death time − admission time < 48 h.
//! * 30-day readmission: an inpatient admission (not newborn) of the same patient within 30 days
//!   (admission date − discharge date ≤ 30) after an inpatient discharge that was not a death, a
//!   transfer to another hospital (`hosp`) or against medical advice (`aadvice`) (after CMS).
//! * Transfers to other facilities: dispositions `hosp`, `other-hcf`, `snf`, `long`, `rehab`,
//!   `psy` (fhir-him-mapping.md); from other facilities: admit source `hosp-trans`.

use crate::clock::HOUR;
use crate::coding;
use crate::config::UnitKind;
use crate::plan::{
    EncounterClass, GeneratedEncounter, GeneratedPatient, Household, NoteKind, Population,
};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// A completeness rule, by its stable `medrec-completeness` id (issue 6). Serialised as the id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[non_exhaustive]
pub enum DeficiencyRule {
    /// `patient.identification`: no medical record number.
    #[serde(rename = "patient.identification")]
    PatientIdentification,
    /// `encounter.admit-source`.
    #[serde(rename = "encounter.admit-source")]
    EncounterAdmitSource,
    /// `encounter.disposition`.
    #[serde(rename = "encounter.disposition")]
    EncounterDisposition,
    /// `encounter.attending`.
    #[serde(rename = "encounter.attending")]
    EncounterAttending,
    /// `hp.missing`.
    #[serde(rename = "hp.missing")]
    HpMissing,
    /// `hp.late`: the first H&P more than 24 hours after admission.
    #[serde(rename = "hp.late")]
    HpLate,
    /// `hp.after-surgery`: an H&P exists but none before the first operative procedure.
    #[serde(rename = "hp.after-surgery")]
    HpAfterSurgery,
    /// `operative-report.missing`.
    #[serde(rename = "operative-report.missing")]
    OperativeReportMissing,
    /// `discharge-summary.missing`.
    #[serde(rename = "discharge-summary.missing")]
    DischargeSummaryMissing,
    /// `progress-note.missing`: a stay of 2 days or more without a progress note.
    #[serde(rename = "progress-note.missing")]
    ProgressNoteMissing,
    /// `document.unsigned`: one per document without authenticator.
    #[serde(rename = "document.unsigned")]
    DocumentUnsigned,
    /// `document.not-final`: one per preliminary document.
    #[serde(rename = "document.not-final")]
    DocumentNotFinal,
    /// `diagnosis.principal-missing`.
    #[serde(rename = "diagnosis.principal-missing")]
    DiagnosisPrincipalMissing,
    /// `code.invalid`: a code that does not exist.
    #[serde(rename = "code.invalid")]
    CodeInvalid,
    /// `code.not-billable`: a header (category) code.
    #[serde(rename = "code.not-billable")]
    CodeNotBillable,
    /// `code.edit`: an MCE-style edit (edit id in `detail`).
    #[serde(rename = "code.edit")]
    CodeEdit,
    /// `poa.missing`: one per non-exempt inpatient diagnosis without POA.
    #[serde(rename = "poa.missing")]
    PoaMissing,
    /// `consent.missing`: one per operative procedure without a consent.
    #[serde(rename = "consent.missing")]
    ConsentMissing,
}

impl DeficiencyRule {
    /// The stable rule id.
    pub fn id(self) -> &'static str {
        match self {
            DeficiencyRule::PatientIdentification => "patient.identification",
            DeficiencyRule::EncounterAdmitSource => "encounter.admit-source",
            DeficiencyRule::EncounterDisposition => "encounter.disposition",
            DeficiencyRule::EncounterAttending => "encounter.attending",
            DeficiencyRule::HpMissing => "hp.missing",
            DeficiencyRule::HpLate => "hp.late",
            DeficiencyRule::HpAfterSurgery => "hp.after-surgery",
            DeficiencyRule::OperativeReportMissing => "operative-report.missing",
            DeficiencyRule::DischargeSummaryMissing => "discharge-summary.missing",
            DeficiencyRule::ProgressNoteMissing => "progress-note.missing",
            DeficiencyRule::DocumentUnsigned => "document.unsigned",
            DeficiencyRule::DocumentNotFinal => "document.not-final",
            DeficiencyRule::DiagnosisPrincipalMissing => "diagnosis.principal-missing",
            DeficiencyRule::CodeInvalid => "code.invalid",
            DeficiencyRule::CodeNotBillable => "code.not-billable",
            DeficiencyRule::CodeEdit => "code.edit",
            DeficiencyRule::PoaMissing => "poa.missing",
            DeficiencyRule::ConsentMissing => "consent.missing",
        }
    }
}

/// One deficiency a correct review must report for an encounter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InjectedDeficiency {
    /// The rule.
    pub rule: DeficiencyRule,
    /// The document concerned (`document.unsigned`, `document.not-final`), its FHIR id.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub document: Option<String>,
    /// The code concerned (code rules, `poa.missing`), as written (dotted).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub code: Option<String>,
    /// The Procedure concerned (`operative-report.missing`, `consent.missing`), its FHIR id.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub procedure: Option<String>,
    /// For `code.edit`: the edit (`sex-conflict`, `age-conflict`, `manifestation-principal`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub detail: Option<String>,
}

impl InjectedDeficiency {
    fn new(rule: DeficiencyRule) -> Self {
        InjectedDeficiency {
            rule,
            document: None,
            code: None,
            procedure: None,
            detail: None,
        }
    }
}

/// The deficiencies of an inpatient encounter under the definitions of this module.
pub(crate) fn evaluate(
    pop: &Population,
    patient: &GeneratedPatient,
    enc: &GeneratedEncounter,
) -> Vec<InjectedDeficiency> {
    use DeficiencyRule as R;
    let mut out = Vec::new();
    if enc.class != EncounterClass::Inpatient {
        return out;
    }
    if patient.mrn.is_none() {
        out.push(InjectedDeficiency::new(R::PatientIdentification));
    }
    if !enc.admit_source_recorded {
        out.push(InjectedDeficiency::new(R::EncounterAdmitSource));
    }
    if !enc.disposition_recorded {
        out.push(InjectedDeficiency::new(R::EncounterDisposition));
    }
    if enc.attending.is_none() {
        out.push(InjectedDeficiency::new(R::EncounterAttending));
    }
    let first_hp = enc
        .notes
        .iter()
        .filter(|n| n.kind == NoteKind::HistoryAndPhysical)
        .map(|n| n.date)
        .min();
    let first_or = enc.operative_procedures().map(|p| p.start).min();
    match first_hp {
        None => out.push(InjectedDeficiency::new(R::HpMissing)),
        Some(t) => {
            if t > enc.start + 24 * HOUR {
                out.push(InjectedDeficiency::new(R::HpLate));
            }
            if let Some(or) = first_or {
                if t > or {
                    out.push(InjectedDeficiency::new(R::HpAfterSurgery));
                }
            }
        }
    }
    for p in enc.operative_procedures() {
        let reported = enc
            .notes
            .iter()
            .any(|n| n.kind == NoteKind::OperativeReport && n.date >= p.start);
        if !reported {
            let mut d = InjectedDeficiency::new(R::OperativeReportMissing);
            d.procedure = Some(p.id.clone());
            out.push(d);
        }
    }
    if !enc
        .notes
        .iter()
        .any(|n| n.kind == NoteKind::DischargeSummary)
    {
        out.push(InjectedDeficiency::new(R::DischargeSummaryMissing));
    }
    let los_days = (pop.local_date(enc.end) - pop.local_date(enc.start)).get_days();
    if los_days >= 2 && !enc.notes.iter().any(|n| n.kind == NoteKind::ProgressNote) {
        out.push(InjectedDeficiency::new(R::ProgressNoteMissing));
    }
    for n in &enc.notes {
        if n.authenticator.is_none() {
            let mut d = InjectedDeficiency::new(R::DocumentUnsigned);
            d.document = Some(n.id.clone());
            out.push(d);
        }
        if !n.is_final {
            let mut d = InjectedDeficiency::new(R::DocumentNotFinal);
            d.document = Some(n.id.clone());
            out.push(d);
        }
    }
    if !enc.diagnoses.iter().any(|d| d.principal) {
        out.push(InjectedDeficiency::new(R::DiagnosisPrincipalMissing));
    }
    let age = patient.age_on(pop.local_date(enc.start));
    for dx in &enc.diagnoses {
        let mut found = |rule: DeficiencyRule, detail: Option<&str>| {
            let mut d = InjectedDeficiency::new(rule);
            d.code = Some(dx.code.to_string());
            d.detail = detail.map(str::to_string);
            out.push(d);
        };
        if coding::INVALID_CODES.contains(&dx.code) {
            found(R::CodeInvalid, None);
            continue;
        }
        if dx.code.len() == 3 && coding::header_of(dx.code) == Some(dx.code) {
            found(R::CodeNotBillable, None);
            continue;
        }
        if dx.principal && coding::MANIFESTATIONS.contains(&dx.code) {
            found(R::CodeEdit, Some("manifestation-principal"));
        }
        let sex_conflict = match patient.sex {
            crate::plan::Sex::Male => coding::FEMALE_ONLY.contains(&dx.code),
            crate::plan::Sex::Female => coding::MALE_ONLY.contains(&dx.code),
        };
        if sex_conflict {
            found(R::CodeEdit, Some("sex-conflict"));
        }
        if age >= 18 && dx.code.starts_with('P') {
            found(R::CodeEdit, Some("age-conflict"));
        }
        if dx.poa.is_none() && !coding::poa_exempt(dx.code) {
            found(R::PoaMissing, None);
        }
    }
    for p in enc.operative_procedures() {
        let consented = p
            .consent
            .as_ref()
            .is_some_and(|(_, t)| *t >= enc.start && *t <= p.start);
        if !consented {
            let mut d = InjectedDeficiency::new(R::ConsentMissing);
            d.procedure = Some(p.id.clone());
            out.push(d);
        }
    }
    out
}

/// Marks 30-day readmissions of one patient (definition in the module docs).
pub(crate) fn mark_readmissions(patient: &mut GeneratedPatient) {
    let mut last_discharge: Option<(i64, &'static str)> = None;
    for enc in patient.encounters.iter_mut() {
        if enc.class != EncounterClass::Inpatient || enc.newborn {
            continue;
        }
        if let Some((end, disp)) = last_discharge {
            let gap_days = (enc.start - end) / 86_400;
            let eligible = !matches!(disp, "exp" | "hosp" | "aadvice");
            enc.readmission = eligible && enc.start >= end && gap_days <= 30;
        }
        last_discharge = Some((enc.end, enc.disposition));
    }
}

/// One unit's census on one day.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CensusDay {
    /// The census day.
    pub date: Option<Date>,
    /// Patients on the unit at midnight at the end of the day.
    pub census: u32,
    /// Hospital admissions to the unit.
    pub admissions: u32,
    /// Discharges from the unit, deaths included.
    pub discharges: u32,
    /// Deaths on the unit (a subset of `discharges`).
    pub deaths: u32,
    /// Transfers in from another unit of the facility.
    pub transfers_in: u32,
    /// Transfers out to another unit of the facility.
    pub transfers_out: u32,
    /// Stays admitted and discharged that day (counted on the discharging unit).
    pub same_day: u32,
    /// `census + same_day`.
    pub inpatient_service_days: u32,
    /// Beds (bassinets for a nursery) in service that day.
    pub beds: u32,
}

/// The daily census of one unit over the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitCensus {
    /// Unit id.
    pub unit: String,
    /// Facility id.
    pub facility: String,
    /// Unit kind.
    pub kind: UnitKind,
    /// Patients on the unit at the midnight before the first day.
    pub census_start: u32,
    /// One row per day of the period.
    pub days: Vec<CensusDay>,
}

/// Counts over the period for one population group.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodCounts {
    /// Inpatient admissions.
    pub admissions: u64,
    /// Inpatient discharges, deaths included.
    pub discharges: u64,
    /// Inpatient deaths.
    pub deaths: u64,
    /// Deaths less than 48 hours after admission.
    pub deaths_under_48h: u64,
    /// Autopsies (on inpatient deaths of the period).
    pub autopsies: u64,
    /// Admissions transferred in from another hospital (`hosp-trans`).
    pub transfers_in: u64,
    /// Discharges transferred out to another facility.
    pub transfers_out: u64,
    /// Moves between units (intra-hospital transfers).
    pub transfers_between_units: u64,
    /// Live births (newborn admissions born here).
    pub births: u64,
    /// Stillbirths (fetal deaths).
    pub stillbirths: u64,
    /// Deliveries (mothers' stays).
    pub deliveries: u64,
    /// Cesarean deliveries.
    pub cesareans: u64,
    /// Inpatient service days (sum of the daily `inpatient_service_days`).
    pub inpatient_service_days: u64,
    /// Total length of stay of the discharges, in days.
    pub total_length_of_stay: u64,
    /// Bed-count days (beds × days, bed changes applied).
    pub bed_count_days: u64,
    /// 30-day readmissions admitted in the period.
    pub readmissions_30d: u64,
    /// Discharges with a hospital-acquired infection.
    pub hospital_acquired_infections: u64,
    /// Discharges with a consultation.
    pub consultations: u64,
    /// Total charges of the discharges, in cents.
    pub total_charges_cents: i64,
    /// Observation stays starting in the period.
    pub observation_stays: u64,
    /// Emergency visits starting in the period.
    pub emergency_visits: u64,
    /// Outpatient visits starting in the period.
    pub outpatient_visits: u64,
}

impl PeriodCounts {
    fn add(&mut self, o: &PeriodCounts) {
        self.admissions += o.admissions;
        self.discharges += o.discharges;
        self.deaths += o.deaths;
        self.deaths_under_48h += o.deaths_under_48h;
        self.autopsies += o.autopsies;
        self.transfers_in += o.transfers_in;
        self.transfers_out += o.transfers_out;
        self.transfers_between_units += o.transfers_between_units;
        self.births += o.births;
        self.stillbirths += o.stillbirths;
        self.deliveries += o.deliveries;
        self.cesareans += o.cesareans;
        self.inpatient_service_days += o.inpatient_service_days;
        self.total_length_of_stay += o.total_length_of_stay;
        self.bed_count_days += o.bed_count_days;
        self.readmissions_30d += o.readmissions_30d;
        self.hospital_acquired_infections += o.hospital_acquired_infections;
        self.consultations += o.consultations;
        self.total_charges_cents += o.total_charges_cents;
        self.observation_stays += o.observation_stays;
        self.emergency_visits += o.emergency_visits;
        self.outpatient_visits += o.outpatient_visits;
    }
}

/// Counts of one facility (or all), adults & children and newborns apart, then the total.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacilityCounts {
    /// Facility id (`*` for all facilities).
    pub facility: String,
    /// Adults and children (everyone not born in the hospital).
    pub adults_children: PeriodCounts,
    /// Newborns born in the hospital.
    pub newborn: PeriodCounts,
    /// Both.
    pub total: PeriodCounts,
}

/// The ground truth of a population over its period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Truth {
    /// First day.
    pub from: Date,
    /// Day after the last.
    pub to: Date,
    /// Time zone of the census days.
    pub time_zone: String,
    /// Households generated.
    pub households: u64,
    /// Patients (newborns included).
    pub patients: u64,
    /// Encounters of every class.
    pub encounters: u64,
    /// Notes.
    pub notes: u64,
    /// PHI spans in the notes.
    pub phi_spans: u64,
    /// Injected deficiencies.
    pub deficiencies: u64,
    /// Daily census per unit.
    pub census: Vec<UnitCensus>,
    /// Counts per facility, then `*` for all.
    pub counts: Vec<FacilityCounts>,
}

/// Accumulates the truth of a population household by household (memory: units × days).
#[derive(Debug)]
pub struct TruthBuilder<'p> {
    pop: &'p Population,
    first_day: i64,
    days: usize,
    census: Vec<UnitCensus>,
    counts: Vec<[PeriodCounts; 2]>,
    households: u64,
    patients: u64,
    encounters: u64,
    notes: u64,
    phi_spans: u64,
    deficiencies: u64,
}

impl<'p> TruthBuilder<'p> {
    /// An empty accumulator for `pop`.
    pub fn new(pop: &'p Population) -> Self {
        let cfg = pop.config();
        let days = cfg.days() as usize;
        let census = pop
            .units()
            .iter()
            .map(|u| UnitCensus {
                unit: u.config.id.clone(),
                facility: pop.facilities()[u.facility].id.clone(),
                kind: u.config.kind,
                census_start: 0,
                days: (0..days)
                    .map(|i| {
                        let date = cfg.from + jiff::Span::new().days(i as i64);
                        CensusDay {
                            date: Some(date),
                            beds: u.config.beds_on(date),
                            ..CensusDay::default()
                        }
                    })
                    .collect(),
            })
            .collect();
        TruthBuilder {
            pop,
            first_day: crate::clock::date_to_epoch_day(cfg.from),
            days,
            census,
            counts: vec![Default::default(); pop.facilities().len()],
            households: 0,
            patients: 0,
            encounters: 0,
            notes: 0,
            phi_spans: 0,
            deficiencies: 0,
        }
    }

    fn day(&self, secs: i64) -> i64 {
        crate::clock::date_to_epoch_day(self.pop.local_date(secs)) - self.first_day
    }

    fn in_period(&self, d: i64) -> bool {
        d >= 0 && (d as usize) < self.days
    }

    /// Adds a household.
    pub fn add(&mut self, household: &Household) {
        self.households += 1;
        for p in &household.patients {
            self.add_patient(p);
        }
    }

    /// Adds one patient.
    pub fn add_patient(&mut self, patient: &GeneratedPatient) {
        self.patients += 1;
        for enc in &patient.encounters {
            self.encounters += 1;
            self.notes += enc.notes.len() as u64;
            self.phi_spans += enc.notes.iter().map(|n| n.phi.len() as u64).sum::<u64>();
            self.deficiencies += enc.deficiencies.len() as u64;
            self.add_encounter(enc);
        }
    }

    fn add_encounter(&mut self, enc: &GeneratedEncounter) {
        let group = usize::from(enc.newborn);
        let start_day = self.day(enc.start);
        let end_day = self.day(enc.end);
        let f = enc.facility;
        match enc.class {
            EncounterClass::Observation
            | EncounterClass::Emergency
            | EncounterClass::Outpatient => {
                if self.in_period(start_day) {
                    let c = &mut self.counts[f][group];
                    match enc.class {
                        EncounterClass::Observation => c.observation_stays += 1,
                        EncounterClass::Emergency => c.emergency_visits += 1,
                        _ => c.outpatient_visits += 1,
                    }
                }
                return;
            }
            EncounterClass::Inpatient => {}
        }
        // Census.
        let n = enc.units.len();
        for (i, seg) in enc.units.iter().enumerate() {
            let a = self.day(seg.start);
            let b = self.day(seg.end);
            let days = self.days as i64;
            let unit = &mut self.census[seg.unit];
            if a < 0 && b >= 0 {
                unit.census_start += 1;
            }
            for d in a.max(0)..b.min(days) {
                unit.days[d as usize].census += 1;
            }
            if (0..days).contains(&a) {
                let row = &mut unit.days[a as usize];
                if i == 0 {
                    row.admissions += 1;
                } else {
                    row.transfers_in += 1;
                }
            }
            if (0..days).contains(&b) {
                let row = &mut unit.days[b as usize];
                if i + 1 == n {
                    row.discharges += 1;
                    if enc.death.is_some() {
                        row.deaths += 1;
                    }
                    if start_day == end_day {
                        row.same_day += 1;
                    }
                } else {
                    row.transfers_out += 1;
                }
            }
            if i > 0 && (0..days).contains(&a) {
                self.counts[f][group].transfers_between_units += 1;
            }
        }
        let delivery_day = enc.delivery.map(|d| self.day(d.time)).unwrap_or(-1);
        let c = &mut self.counts[f][group];
        if (0..self.days as i64).contains(&start_day) {
            c.admissions += 1;
            if enc.admit_source == "hosp-trans" {
                c.transfers_in += 1;
            }
            if enc.readmission {
                c.readmissions_30d += 1;
            }
        }
        if (0..self.days as i64).contains(&end_day) {
            c.discharges += 1;
            c.total_length_of_stay += (end_day - start_day).max(1) as u64;
            c.total_charges_cents += enc.total_cents();
            if enc.hospital_infection {
                c.hospital_acquired_infections += 1;
            }
            if enc.consultant.is_some() {
                c.consultations += 1;
            }
            if matches!(
                enc.disposition,
                "hosp" | "other-hcf" | "snf" | "long" | "rehab" | "psy"
            ) {
                c.transfers_out += 1;
            }
            if let Some(autopsy) = enc.death {
                c.deaths += 1;
                if enc.end - enc.start < 48 * HOUR {
                    c.deaths_under_48h += 1;
                }
                if autopsy {
                    c.autopsies += 1;
                }
            }
        }
        if let Some(d) = enc.delivery {
            let day = delivery_day;
            if (0..self.days as i64).contains(&day) {
                // Births are counted on the newborn group; deliveries on the mother's.
                c.deliveries += 1;
                if d.cesarean {
                    c.cesareans += 1;
                }
                c.stillbirths += d.stillbirths as u64;
                self.counts[f][1].births += d.live_births as u64;
            }
        }
    }

    /// The finished truth.
    pub fn finish(mut self) -> Truth {
        let cfg = self.pop.config();
        for unit in &mut self.census {
            for row in &mut unit.days {
                row.inpatient_service_days = row.census + row.same_day;
            }
        }
        let mut counts = Vec::new();
        let mut all = FacilityCounts {
            facility: "*".into(),
            ..Default::default()
        };
        for (fi, f) in self.pop.facilities().iter().enumerate() {
            let [mut ac, mut nb] = self.counts[fi].clone();
            for u in &self.census {
                if u.facility != f.id {
                    continue;
                }
                let isd: u64 = u.days.iter().map(|d| d.inpatient_service_days as u64).sum();
                let beds: u64 = u.days.iter().map(|d| d.beds as u64).sum();
                if u.kind == UnitKind::Nursery {
                    nb.inpatient_service_days += isd;
                } else {
                    ac.inpatient_service_days += isd;
                    // Bassinets are not beds (AHIMA).
                    ac.bed_count_days += beds;
                }
            }
            let mut total = ac.clone();
            total.add(&nb);
            all.adults_children.add(&ac);
            all.newborn.add(&nb);
            all.total.add(&total);
            counts.push(FacilityCounts {
                facility: f.id.clone(),
                adults_children: ac,
                newborn: nb,
                total,
            });
        }
        counts.push(all);
        Truth {
            from: cfg.from,
            to: cfg.to,
            time_zone: cfg.time_zone.clone(),
            households: self.households,
            patients: self.patients,
            encounters: self.encounters,
            notes: self.notes,
            phi_spans: self.phi_spans,
            deficiencies: self.deficiencies,
            census: self.census,
            counts,
        }
    }
}

impl Truth {
    /// The counts of all facilities together.
    pub fn all(&self) -> &FacilityCounts {
        self.counts
            .last()
            .expect("the all-facilities row is always present")
    }

    /// Checks the census balance of every unit and day; returns the first violation.
    pub fn check_census_balance(&self) -> Result<(), String> {
        for u in &self.census {
            let mut prev = u.census_start as i64;
            for d in &u.days {
                let expect = prev + d.admissions as i64 + d.transfers_in as i64
                    - d.discharges as i64
                    - d.transfers_out as i64;
                if expect != d.census as i64 {
                    return Err(format!(
                        "unit {} on {:?}: {prev} + {} + {} - {} - {} = {expect}, census {}",
                        u.unit,
                        d.date,
                        d.admissions,
                        d.transfers_in,
                        d.discharges,
                        d.transfers_out,
                        d.census
                    ));
                }
                if d.deaths > d.discharges {
                    return Err(format!(
                        "unit {} on {:?}: more deaths than discharges",
                        u.unit, d.date
                    ));
                }
                prev = d.census as i64;
            }
        }
        Ok(())
    }
}

impl Population {
    /// Generates every household and returns the ground truth (streaming: memory bounded by
    /// units × days, not by the population).
    pub fn truth(&self) -> Truth {
        let mut b = TruthBuilder::new(self);
        for h in self.households() {
            b.add(&h);
        }
        b.finish()
    }
}
