//! The domain facts one hospital stay contributes to the statistics, independent of FHIR.
//!
//! A [`Stay`] is what a census clerk reads off an admission/discharge/transfer (ADT) log and the
//! coded abstract: who, where, when, how the patient arrived and left, and the events that the
//! AHIMA rates count (deaths, autopsies, deliveries, infections, consultations). The FHIR reader
//! ([`crate::fhir`]) fills it from R4 resources exactly as `fhir-him-mapping.md` says; any other
//! source (an HL7 v2 ADT feed, a data warehouse) can fill it too.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// The encounter class (FHIR `Encounter.class`, v3 ActCode), reduced to what census statistics need.
///
/// Only [`EncounterClass::Inpatient`] stays enter the inpatient census and its rates; the
/// others are kept for the indexes and the encounter table (AHIMA: dead-on-arrival and emergency
/// department deaths are not inpatient deaths).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EncounterClass {
    /// `IMP`, `ACUTE`, `NONAC`: an inpatient stay.
    Inpatient,
    /// `OBSENC`: observation (an outpatient service, not in the inpatient census).
    Observation,
    /// `EMER`: emergency department.
    Emergency,
    /// `AMB` and every other class: outpatient.
    Outpatient,
}

impl EncounterClass {
    /// Maps a v3 ActCode encounter class code (`IMP`, `ACUTE`, `NONAC`, `OBSENC`, `EMER`, `AMB` …).
    /// Unknown codes are outpatient, as `fhir-him-mapping.md` says.
    pub fn from_act_code(code: &str) -> EncounterClass {
        match code {
            "IMP" | "ACUTE" | "NONAC" => EncounterClass::Inpatient,
            "OBSENC" => EncounterClass::Observation,
            "EMER" => EncounterClass::Emergency,
            _ => EncounterClass::Outpatient,
        }
    }

    /// The snake_case name used in CSV/Arrow tables.
    pub fn as_str(self) -> &'static str {
        match self {
            EncounterClass::Inpatient => "inpatient",
            EncounterClass::Observation => "observation",
            EncounterClass::Emergency => "emergency",
            EncounterClass::Outpatient => "outpatient",
        }
    }
}

/// How the patient arrived (FHIR `Encounter.hospitalization.admitSource`, HL7 `admit-source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AdmitSource {
    /// `born`: born in this hospital. The stay is a newborn (NB) stay and its admission is a birth.
    Born,
    /// `hosp-trans`: transferred in from another hospital (an admission, not an intra-hospital transfer).
    TransferFromHospital,
    /// Any other source (`emd`, `outp`, `gp`, `mp`, `nursing`, `psych`, `rehab`, `other`) or none.
    #[default]
    Other,
}

impl AdmitSource {
    /// The snake_case name used in CSV/Arrow tables (`born`, `transfer_from_hospital`, `other`).
    pub fn as_str(self) -> &'static str {
        match self {
            AdmitSource::Born => "born",
            AdmitSource::TransferFromHospital => "transfer_from_hospital",
            AdmitSource::Other => "other",
        }
    }

    /// Maps an HL7 `admit-source` code.
    pub fn from_code(code: &str) -> AdmitSource {
        match code {
            "born" => AdmitSource::Born,
            "hosp-trans" => AdmitSource::TransferFromHospital,
            _ => AdmitSource::Other,
        }
    }
}

/// How the stay ended (FHIR `Encounter.hospitalization.dischargeDisposition`, HL7 `discharge-disposition`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Disposition {
    /// `exp`: the patient died (an inpatient death; a discharge that is a death).
    Died,
    /// `hosp`: transferred to another acute-care hospital.
    TransferToHospital,
    /// `other-hcf`, `snf`, `long`, `rehab`, `psy`: transferred to another (non-acute) facility.
    TransferToOtherFacility,
    /// `aadvice`: left against medical advice.
    AgainstAdvice,
    /// `home`, `alt-home`, `oth`, anything else, or not recorded.
    #[default]
    Other,
}

impl Disposition {
    /// The snake_case name used in CSV/Arrow tables (`died`, `transfer_to_hospital`,
    /// `transfer_to_other_facility`, `against_advice`, `other`).
    pub fn as_str(self) -> &'static str {
        match self {
            Disposition::Died => "died",
            Disposition::TransferToHospital => "transfer_to_hospital",
            Disposition::TransferToOtherFacility => "transfer_to_other_facility",
            Disposition::AgainstAdvice => "against_advice",
            Disposition::Other => "other",
        }
    }

    /// Maps an HL7 `discharge-disposition` code.
    pub fn from_code(code: &str) -> Disposition {
        match code {
            "exp" => Disposition::Died,
            "hosp" => Disposition::TransferToHospital,
            "other-hcf" | "snf" | "long" | "rehab" | "psy" => Disposition::TransferToOtherFacility,
            "aadvice" => Disposition::AgainstAdvice,
            _ => Disposition::Other,
        }
    }

    /// True for a transfer out to another facility (acute or not).
    pub fn is_transfer_out(self) -> bool {
        matches!(
            self,
            Disposition::TransferToHospital | Disposition::TransferToOtherFacility
        )
    }
}

/// The two census populations AHIMA reports apart: adults & children (A&C) and newborns (NB).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Population {
    /// Adults and children: every inpatient not born in this hospital (babies born before
    /// arrival count here).
    AdultsChildren,
    /// Newborns born in this hospital (admit source `born`).
    Newborn,
}

impl Population {
    /// Both populations, in report order.
    pub const ALL: [Population; 2] = [Population::AdultsChildren, Population::Newborn];

    /// Index 0 (A&C) or 1 (NB).
    pub fn index(self) -> usize {
        match self {
            Population::AdultsChildren => 0,
            Population::Newborn => 1,
        }
    }
}

/// A period the patient spent on one unit (ward) — one `Encounter.location[]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitStay {
    /// The unit's name or id (as the beds file names it).
    pub unit: String,
    /// When the patient arrived on the unit.
    pub from: Timestamp,
    /// When the patient left the unit; `None` = still there (or until the stay's end).
    pub to: Option<Timestamp>,
}

/// How a delivery was performed (ICD-10-PCS; see [`crate::obstetrics`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// `10D07Z*`, `10E0XZZ`.
    Vaginal,
    /// `10D00Z0`, `10D00Z1`, `10D00Z2`.
    Cesarean,
}

impl Delivery {
    /// The snake_case name used in CSV/Arrow tables (`vaginal`, `cesarean`).
    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Vaginal => "vaginal",
            Delivery::Cesarean => "cesarean",
        }
    }
}

/// Autopsy facts of a death.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Autopsy {
    /// An autopsy was performed (SNOMED CT `29240004` procedure on the deceased).
    pub performed: bool,
    /// The death was a medical examiner's (coroner's) case.
    pub medical_examiner_case: bool,
    /// The body was available for a hospital autopsy (not released to the medical examiner
    /// or otherwise unavailable). `None` = unknown, read as available unless a medical
    /// examiner case that was not autopsied.
    pub body_available: Option<bool>,
}

/// One ICD-10-CM diagnosis of the stay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StayDiagnosis {
    /// The code as found (dotted or undotted).
    pub code: String,
    /// The principal diagnosis of the stay.
    pub principal: bool,
    /// Present on admission indicator (`y`, `n`, `u`, `w`), if recorded.
    pub present_on_admission: Option<char>,
    /// Recorded as the admitting diagnosis (`Claim.diagnosis.type` `admitting`). An admitting
    /// diagnosis entry that is not also the principal one is still counted with the stay's codes.
    #[serde(default)]
    pub admitting: bool,
}

/// One ICD-10-PCS (or other) procedure of the stay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StayProcedure {
    /// The code as found.
    pub code: String,
    /// When it was performed, if known.
    pub performed: Option<Timestamp>,
    /// Who performed it (`Procedure.performer[0].actor`: the practitioner's name, else the
    /// reference's display or text), if known.
    #[serde(default)]
    pub performer: Option<String>,
}

/// Everything one encounter contributes to the hospital statistics.
///
/// Build one per encounter (the FHIR reader does) and feed it to a
/// [`crate::Aggregator`]. Fields not known stay at their defaults; a rate whose facts are
/// absent simply has a zero numerator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stay {
    /// The patient's id (for readmissions and the indexes).
    pub patient_id: String,
    /// The encounter's id.
    pub encounter_id: String,
    /// The facility (the `Encounter.serviceProvider` organization), or empty.
    pub facility: String,
    /// Encounter class.
    pub class: EncounterClass,
    /// Admission instant (`Encounter.period.start`).
    pub admitted: Timestamp,
    /// Discharge instant (`Encounter.period.end`); `None` for a patient still in house.
    pub discharged: Option<Timestamp>,
    /// The unit history, in time order. Empty = one unnamed unit for the whole stay.
    pub units: Vec<UnitStay>,
    /// Admit source.
    pub admit_source: AdmitSource,
    /// Discharge disposition (`Died` for an inpatient death).
    pub disposition: Disposition,
    /// Time of death (`Patient.deceasedDateTime`); for a death without it the discharge instant is used.
    pub death_time: Option<Timestamp>,
    /// Autopsy facts (meaningful for deaths).
    pub autopsy: Autopsy,
    /// A delivery during this (mother's) stay.
    pub delivery: Option<Delivery>,
    /// When the delivery happened (the delivery procedure's date), if known; deliveries and
    /// their births count on this day, else on the discharge day.
    pub delivered: Option<Timestamp>,
    /// Live births from the mother's `Z37` outcome-of-delivery code.
    pub live_births: u16,
    /// Stillbirths (fetal deaths) from the mother's `Z37` code. Never inpatient deaths.
    pub stillbirths: u16,
    /// An obstetric stay (pregnancy, childbirth or puerperium: a delivery or an `O` code).
    pub obstetric: bool,
    /// A death from a direct obstetric cause (ICD-10-CM `O00`–`O95` on a stay ending in death).
    pub direct_maternal_death: bool,
    /// Hospital-acquired (healthcare-associated) infections during the stay.
    pub hospital_acquired_infections: u16,
    /// The patient had at least one consultation during the stay.
    pub consultation: bool,
    /// The payer (`Coverage.payor` name or id), if known.
    pub payer: Option<String>,
    /// The clinical service (e.g. medicine, surgery, obstetrics), if known.
    pub service: Option<String>,
    /// Diagnosis group (e.g. the CCSR category of the principal diagnosis), if known.
    pub diagnosis_group: Option<String>,
    /// Total charges in minor currency units (cents), if known.
    pub charges_cents: Option<i64>,
    /// Diagnoses (ICD-10-CM).
    pub diagnoses: Vec<StayDiagnosis>,
    /// Procedures (ICD-10-PCS).
    pub procedures: Vec<StayProcedure>,
    /// Attending physician (id or name), if known.
    pub attending: Option<String>,
    /// Readmitted (an inpatient admission of the same patient) within 30 days of this stay's
    /// discharge: `None` = not known, the stay is then not an index stay for the readmission
    /// rate. [`crate::Aggregator::add_patient`] fills it from the patient's other stays.
    pub readmitted_within_30_days: Option<bool>,
    /// This stay is itself a readmission (an inpatient admission within 30 days of the
    /// patient's previous eligible discharge). Filled by [`crate::Aggregator::add_patient`].
    pub is_readmission: bool,
}

impl Stay {
    /// A stay with the given identity and times, everything else at its default.
    pub fn new(
        patient_id: impl Into<String>,
        encounter_id: impl Into<String>,
        class: EncounterClass,
        admitted: Timestamp,
        discharged: Option<Timestamp>,
    ) -> Stay {
        Stay {
            patient_id: patient_id.into(),
            encounter_id: encounter_id.into(),
            facility: String::new(),
            class,
            admitted,
            discharged,
            units: Vec::new(),
            admit_source: AdmitSource::Other,
            disposition: Disposition::Other,
            death_time: None,
            autopsy: Autopsy::default(),
            delivery: None,
            delivered: None,
            live_births: 0,
            stillbirths: 0,
            obstetric: false,
            direct_maternal_death: false,
            hospital_acquired_infections: 0,
            consultation: false,
            payer: None,
            service: None,
            diagnosis_group: None,
            charges_cents: None,
            diagnoses: Vec::new(),
            procedures: Vec::new(),
            attending: None,
            readmitted_within_30_days: None,
            is_readmission: false,
        }
    }

    /// The census population: newborn when born in this hospital, else adults & children.
    pub fn population(&self) -> Population {
        if self.admit_source == AdmitSource::Born {
            Population::Newborn
        } else {
            Population::AdultsChildren
        }
    }

    /// True for an inpatient death (disposition `exp` on an inpatient stay).
    pub fn died(&self) -> bool {
        self.disposition == Disposition::Died
    }

    /// The death instant: `death_time`, else the discharge instant, for a stay that ended in death.
    pub fn death_instant(&self) -> Option<Timestamp> {
        if !self.died() {
            return None;
        }
        self.death_time.or(self.discharged)
    }

    /// A death less than 48 hours after admission (excluded from the net death rate).
    /// Source: AHIMA, net death rate; `fhir-him-mapping.md` "death < 48 h".
    pub fn death_under_48h(&self) -> bool {
        match self.death_instant() {
            Some(t) => t.as_second() - self.admitted.as_second() < 48 * 3600,
            None => false,
        }
    }

    /// Fills `delivery`, `live_births`, `stillbirths`, `obstetric` and `direct_maternal_death`
    /// from the stay's diagnosis and procedure codes (see [`crate::obstetrics`]). Values already
    /// set are kept where the codes say nothing.
    pub fn derive_from_codes(&mut self) {
        crate::obstetrics::apply(self);
    }
}
