//! The configuration of a synthetic population: seed, size, period, facilities and every rate.
//!
//! Every field has a sensible default ([`PopulationConfig::default`]), so a TOML file only lists
//! what it changes:
//!
//! ```toml
//! seed = 7
//! patients = 5000
//! from = "2025-01-01"
//! to = "2025-04-01"
//!
//! [stays]
//! death = 0.03
//!
//! [documentation]
//! hp_missing = 0.05
//! ```

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Why a configuration could not be loaded or is not usable.
#[derive(Debug, thiserror::Error)]
#[error("{}{message}", location.as_ref().map(|p| format!("{}: ", p.display())).unwrap_or_default())]
pub struct ConfigError {
    kind: ConfigErrorKind,
    location: Option<PathBuf>,
    message: String,
}

/// What kind of problem a [`ConfigError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigErrorKind {
    /// The file could not be read.
    Io,
    /// The TOML is malformed or has an unknown key or a wrong type (the message names line and column).
    Syntax,
    /// A value is out of range or inconsistent (the message names the field).
    Invalid,
}

impl ConfigError {
    /// What kind of problem this is.
    pub fn kind(&self) -> ConfigErrorKind {
        self.kind
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        ConfigError {
            kind: ConfigErrorKind::Invalid,
            location: None,
            message: message.into(),
        }
    }
}

/// The kind of a hospital unit (ward). It decides which stays go there and whether its beds count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UnitKind {
    /// Adult medical/surgical ward.
    MedSurg,
    /// Intensive care unit.
    Icu,
    /// Obstetrics (labor, delivery and postpartum).
    Obstetrics,
    /// Newborn nursery: its cots are bassinets, which are not beds in bed-count statistics (AHIMA).
    Nursery,
    /// Pediatric ward.
    Pediatrics,
}

impl UnitKind {
    /// Display text of the kind (also written into `Location.type.text`).
    pub fn label(self) -> &'static str {
        match self {
            UnitKind::MedSurg => "Medical/surgical unit",
            UnitKind::Icu => "Intensive care unit",
            UnitKind::Obstetrics => "Obstetrics unit",
            UnitKind::Nursery => "Newborn nursery",
            UnitKind::Pediatrics => "Pediatric unit",
        }
    }
}

/// A change of a unit's bed count that takes effect on a date (the count holds until the next change).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BedChange {
    /// First day with the new count.
    pub from: Date,
    /// Beds in service from that day.
    pub beds: u32,
}

/// One unit (ward) of a facility.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitConfig {
    /// Stable id, unique in the population (used in Location ids and truth files), e.g. `RGH-4W`.
    pub id: String,
    /// Display name, e.g. `4 West Medical/Surgical`.
    pub name: String,
    /// What kind of unit it is.
    pub kind: UnitKind,
    /// Beds (bassinets for a nursery) in service at the start of the period.
    pub beds: u32,
    /// Later changes of the bed count, in date order.
    #[serde(default)]
    pub bed_changes: Vec<BedChange>,
    /// Beds per room (rooms are generated as Locations between the unit and its beds).
    #[serde(default = "default_beds_per_room")]
    pub beds_per_room: u32,
}

fn default_beds_per_room() -> u32 {
    2
}

impl UnitConfig {
    /// The bed count in service on `date`.
    pub fn beds_on(&self, date: Date) -> u32 {
        let mut beds = self.beds;
        for change in &self.bed_changes {
            if change.from <= date {
                beds = change.beds;
            }
        }
        beds
    }

    /// The largest bed count over all changes (the number of bed Locations generated).
    pub fn max_beds(&self) -> u32 {
        self.bed_changes
            .iter()
            .map(|c| c.beds)
            .fold(self.beds, u32::max)
    }
}

/// A facility (hospital) with its units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FacilityConfig {
    /// Stable id, e.g. `RGH`.
    pub id: String,
    /// Name, e.g. `Riverside General Hospital`.
    pub name: String,
    /// ZIP of the facility (one of the embedded ZIPs; decides its city and phone area code).
    pub zip: String,
    /// Relative share of the population's stays that happen here.
    #[serde(default = "one")]
    pub weight: u32,
    /// The units.
    pub units: Vec<UnitConfig>,
}

fn one() -> u32 {
    1
}

/// Shares of encounter classes and the number of encounters per patient.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EncounterMix {
    /// Share of a patient's index encounters that are inpatient stays (`IMP`).
    pub inpatient: f64,
    /// Share that are observation stays (`OBSENC`).
    pub observation: f64,
    /// Share that are emergency visits (`EMER`).
    pub emergency: f64,
    /// Share that are outpatient visits (`AMB`). The four shares are normalised.
    pub outpatient: f64,
    /// Probability that a patient has a further index encounter after each one (geometric).
    pub another_encounter: f64,
}

impl Default for EncounterMix {
    fn default() -> Self {
        EncounterMix {
            inpatient: 0.40,
            observation: 0.08,
            emergency: 0.30,
            outpatient: 0.22,
            another_encounter: 0.35,
        }
    }
}

/// Rates of stay events. Probabilities in `[0, 1]`, each applied to the stays it names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StayRates {
    /// Share of inpatient stays admitted and discharged the same calendar day.
    pub same_day: f64,
    /// Share of adult inpatient stays with a stay in intensive care (unit transfers in and out).
    pub icu: f64,
    /// Share of inpatient stays (not newborn) ending in a transfer to another hospital (`hosp`);
    /// when the population has another facility, the patient is admitted there (`hosp-trans`).
    pub transfer_out: f64,
    /// Share of adult inpatient stays ending in death (`exp`); scaled up for ages over 75.
    pub death: f64,
    /// Share of deaths within 48 hours of admission.
    pub death_under_48h: f64,
    /// Share of deaths with an autopsy.
    pub autopsy: f64,
    /// Share of women aged 18–42 whose inpatient stay is a delivery.
    pub delivery: f64,
    /// Share of deliveries by cesarean section.
    pub cesarean: f64,
    /// Share of deliveries of twins.
    pub twins: f64,
    /// Share of births that are stillbirths (fetal deaths: no newborn admission).
    pub stillbirth: f64,
    /// Share of newborn stays ending in death.
    pub newborn_death: f64,
    /// Share of live discharges (home) followed by a readmission within 30 days.
    pub readmission_30d: f64,
    /// Share of inpatient stays with a consultant (`CON`).
    pub consultation: f64,
    /// Share of inpatient stays with a hospital-acquired infection (secondary diagnosis, POA `N`).
    pub hospital_infection: f64,
    /// Share of patients aged over 89.
    pub over_89: f64,
}

impl Default for StayRates {
    fn default() -> Self {
        StayRates {
            same_day: 0.04,
            icu: 0.12,
            transfer_out: 0.03,
            death: 0.025,
            death_under_48h: 0.35,
            autopsy: 0.10,
            delivery: 0.35,
            cesarean: 0.32,
            twins: 0.03,
            stillbirth: 0.006,
            newborn_death: 0.003,
            readmission_30d: 0.12,
            consultation: 0.30,
            hospital_infection: 0.03,
            over_89: 0.05,
        }
    }
}

/// Rates of coding errors injected into claims (each a share of coded inpatient stays).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CodingRates {
    /// A secondary diagnosis replaced by a code that does not exist (`code.invalid`).
    pub invalid: f64,
    /// The principal diagnosis replaced by its category header (`code.not-billable`).
    pub header: f64,
    /// A diagnosis specific to the other sex added (`code.edit`, detail `sex-conflict`).
    pub sex_conflict: f64,
    /// A newborn (perinatal) diagnosis added to an adult's stay (`code.edit`, detail `age-conflict`).
    pub age_conflict: f64,
    /// The principal diagnosis replaced by a manifestation code (`code.edit`, detail
    /// `manifestation-principal`).
    pub manifestation_principal: f64,
    /// A non-exempt diagnosis without its POA indicator (`poa.missing`).
    pub poa_missing: f64,
    /// A stay coded without any principal diagnosis (`diagnosis.principal-missing`).
    pub principal_missing: f64,
}

impl Default for CodingRates {
    fn default() -> Self {
        CodingRates {
            invalid: 0.01,
            header: 0.01,
            sex_conflict: 0.005,
            age_conflict: 0.005,
            manifestation_principal: 0.005,
            poa_missing: 0.02,
            principal_missing: 0.005,
        }
    }
}

/// Rates of documentation deficiencies injected into inpatient stays.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DocumentationRates {
    /// No history and physical (`hp.missing`).
    pub hp_missing: f64,
    /// History and physical dated more than 24 hours after admission (`hp.late`).
    pub hp_late: f64,
    /// History and physical only after the first operative procedure (`hp.after-surgery`).
    pub hp_after_surgery: f64,
    /// No operative report for the operating-room procedure (`operative-report.missing`).
    pub operative_report_missing: f64,
    /// No discharge summary (`discharge-summary.missing`).
    pub discharge_summary_missing: f64,
    /// No progress note on a stay of two days or more (`progress-note.missing`).
    pub progress_note_missing: f64,
    /// Share of documents without an authenticator (`document.unsigned`).
    pub unsigned: f64,
    /// Share of documents with status `preliminary` (`document.not-final`).
    pub not_final: f64,
    /// No consent for the operating-room procedure (`consent.missing`).
    pub consent_missing: f64,
    /// No attending physician on the encounter (`encounter.attending`).
    pub attending_missing: f64,
    /// No admit source (`encounter.admit-source`).
    pub admit_source_missing: f64,
    /// No discharge disposition (`encounter.disposition`).
    pub disposition_missing: f64,
    /// Share of patients without a medical record number (`patient.identification`).
    pub patient_identification_missing: f64,
    /// Whether notes carry their full text (clinical prose with labelled PHI). Without it the
    /// attachments hold a one-line text and generation is several times faster.
    pub note_text: bool,
    /// Share of notes written as FHIR `Composition` instead of `DocumentReference` (both forms
    /// carry the same facts, per the FHIR mapping: type, encounter, date, author, signature,
    /// status, text), so readers are exercised on both.
    pub composition_share: f64,
}

impl Default for DocumentationRates {
    fn default() -> Self {
        DocumentationRates {
            hp_missing: 0.03,
            hp_late: 0.05,
            hp_after_surgery: 0.03,
            operative_report_missing: 0.04,
            discharge_summary_missing: 0.04,
            progress_note_missing: 0.03,
            unsigned: 0.04,
            not_final: 0.03,
            consent_missing: 0.04,
            attending_missing: 0.01,
            admit_source_missing: 0.01,
            disposition_missing: 0.01,
            patient_identification_missing: 0.005,
            note_text: true,
            composition_share: 0.2,
        }
    }
}

/// The whole configuration of a population. Load from TOML with [`PopulationConfig::from_toml`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PopulationConfig {
    /// The seed: the same seed and configuration give the same bytes on every platform.
    pub seed: u64,
    /// Number of patients generated directly (newborns born in the hospital come on top).
    pub patients: u64,
    /// First day of the period (encounters start on or after it, or up to two weeks before it so
    /// that the census does not start empty).
    pub from: Date,
    /// First day after the period (exclusive).
    pub to: Date,
    /// IANA time zone of the facilities: timestamps carry its offset and census days are its
    /// calendar days.
    pub time_zone: String,
    /// Share of patients living in the facilities' area (ZIPs starting with `home_zip_prefixes`);
    /// the others live anywhere in the embedded ZIP table.
    pub home_share: f64,
    /// 3-digit ZIP prefixes of the catchment area.
    pub home_zip_prefixes: Vec<String>,
    /// The facilities and their units.
    pub facilities: Vec<FacilityConfig>,
    /// Encounter classes.
    pub encounters: EncounterMix,
    /// Stay events.
    pub stays: StayRates,
    /// Coding errors.
    pub coding: CodingRates,
    /// Documentation deficiencies.
    pub documentation: DocumentationRates,
}

impl Default for PopulationConfig {
    fn default() -> Self {
        PopulationConfig {
            seed: 1,
            patients: 1000,
            from: Date::constant(2025, 1, 1),
            to: Date::constant(2025, 4, 1),
            time_zone: "America/New_York".to_string(),
            home_share: 0.85,
            home_zip_prefixes: vec!["430".into(), "431".into(), "432".into()],
            facilities: default_facilities(),
            encounters: EncounterMix::default(),
            stays: StayRates::default(),
            coding: CodingRates::default(),
            documentation: DocumentationRates::default(),
        }
    }
}

fn unit(id: &str, name: &str, kind: UnitKind, beds: u32) -> UnitConfig {
    UnitConfig {
        id: id.to_string(),
        name: name.to_string(),
        kind,
        beds,
        bed_changes: Vec::new(),
        beds_per_room: if kind == UnitKind::Icu { 1 } else { 2 },
    }
}

fn default_facilities() -> Vec<FacilityConfig> {
    let mut med_surg = unit("RGH-4W", "4 West Medical/Surgical", UnitKind::MedSurg, 36);
    med_surg.bed_changes.push(BedChange {
        from: Date::constant(2025, 2, 15),
        beds: 40,
    });
    vec![
        FacilityConfig {
            id: "RGH".into(),
            name: "Riverside General Hospital".into(),
            zip: "43215".into(),
            weight: 4,
            units: vec![
                med_surg,
                unit("RGH-5E", "5 East Medical", UnitKind::MedSurg, 32),
                unit("RGH-ICU", "Medical/Surgical ICU", UnitKind::Icu, 12),
                unit("RGH-OB", "Birthing Center", UnitKind::Obstetrics, 16),
                unit("RGH-NUR", "Newborn Nursery", UnitKind::Nursery, 16),
                unit("RGH-PED", "Pediatrics", UnitKind::Pediatrics, 10),
            ],
        },
        FacilityConfig {
            id: "NCH".into(),
            name: "Northside Community Hospital".into(),
            zip: "43081".into(),
            weight: 1,
            units: vec![
                unit("NCH-2N", "2 North Medical/Surgical", UnitKind::MedSurg, 24),
                unit("NCH-ICU", "Intensive Care", UnitKind::Icu, 6),
            ],
        },
    ]
}

impl PopulationConfig {
    /// The embedded demo: the default two hospitals over one month (March 2025) with 400 patients.
    pub fn demo() -> Self {
        PopulationConfig {
            seed: 2025,
            patients: 400,
            from: Date::constant(2025, 3, 1),
            to: Date::constant(2025, 4, 1),
            ..PopulationConfig::default()
        }
    }

    /// Parses a TOML configuration; missing fields take their defaults, unknown keys are errors.
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        let config: PopulationConfig = toml::from_str(text).map_err(|e| ConfigError {
            kind: ConfigErrorKind::Syntax,
            location: None,
            message: e.to_string().trim_end().replace('\n', " "),
        })?;
        config.check()?;
        Ok(config)
    }

    /// Reads and parses a TOML configuration file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            kind: ConfigErrorKind::Io,
            location: Some(path.to_path_buf()),
            message: e.to_string(),
        })?;
        Self::from_toml(&text).map_err(|mut e| {
            e.location = Some(path.to_path_buf());
            e
        })
    }

    /// The configuration as TOML (what [`from_toml`](Self::from_toml) reads back).
    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("a PopulationConfig always serializes to TOML")
    }

    /// Number of calendar days in the period.
    pub fn days(&self) -> u32 {
        let span = self.to - self.from;
        span.get_days().max(0) as u32
    }

    /// Checks ranges and consistency: rates in `[0, 1]`, a non-empty period, unique unit ids, at
    /// least one facility with a medical/surgical unit, a known time zone and known facility ZIPs.
    pub fn check(&self) -> Result<(), ConfigError> {
        if self.to <= self.from {
            return Err(ConfigError::invalid(format!(
                "`to` ({}) must be after `from` ({})",
                self.to, self.from
            )));
        }
        if self.days() > 3660 {
            return Err(ConfigError::invalid("the period may not exceed 10 years"));
        }
        if jiff::tz::TimeZone::get(&self.time_zone).is_err() {
            return Err(ConfigError::invalid(format!(
                "`time_zone`: unknown IANA time zone {:?}",
                self.time_zone
            )));
        }
        let rates: [(&str, f64); 38] = [
            ("home_share", self.home_share),
            ("encounters.inpatient", self.encounters.inpatient),
            ("encounters.observation", self.encounters.observation),
            ("encounters.emergency", self.encounters.emergency),
            ("encounters.outpatient", self.encounters.outpatient),
            (
                "encounters.another_encounter",
                self.encounters.another_encounter,
            ),
            ("stays.same_day", self.stays.same_day),
            ("stays.icu", self.stays.icu),
            ("stays.transfer_out", self.stays.transfer_out),
            ("stays.death", self.stays.death),
            ("stays.death_under_48h", self.stays.death_under_48h),
            ("stays.autopsy", self.stays.autopsy),
            ("stays.delivery", self.stays.delivery),
            ("stays.cesarean", self.stays.cesarean),
            ("stays.twins", self.stays.twins),
            ("stays.stillbirth", self.stays.stillbirth),
            ("stays.newborn_death", self.stays.newborn_death),
            ("stays.readmission_30d", self.stays.readmission_30d),
            ("stays.consultation", self.stays.consultation),
            ("stays.hospital_infection", self.stays.hospital_infection),
            ("stays.over_89", self.stays.over_89),
            ("coding.invalid", self.coding.invalid),
            ("coding.header", self.coding.header),
            ("coding.sex_conflict", self.coding.sex_conflict),
            ("coding.age_conflict", self.coding.age_conflict),
            (
                "coding.manifestation_principal",
                self.coding.manifestation_principal,
            ),
            ("coding.poa_missing", self.coding.poa_missing),
            ("coding.principal_missing", self.coding.principal_missing),
            ("documentation.hp_missing", self.documentation.hp_missing),
            ("documentation.hp_late", self.documentation.hp_late),
            (
                "documentation.hp_after_surgery",
                self.documentation.hp_after_surgery,
            ),
            (
                "documentation.operative_report_missing",
                self.documentation.operative_report_missing,
            ),
            (
                "documentation.discharge_summary_missing",
                self.documentation.discharge_summary_missing,
            ),
            (
                "documentation.progress_note_missing",
                self.documentation.progress_note_missing,
            ),
            ("documentation.unsigned", self.documentation.unsigned),
            ("documentation.not_final", self.documentation.not_final),
            (
                "documentation.composition_share",
                self.documentation.composition_share,
            ),
            (
                "documentation.consent_missing",
                self.documentation.consent_missing,
            ),
        ];
        let more = [
            (
                "documentation.attending_missing",
                self.documentation.attending_missing,
            ),
            (
                "documentation.admit_source_missing",
                self.documentation.admit_source_missing,
            ),
            (
                "documentation.disposition_missing",
                self.documentation.disposition_missing,
            ),
            (
                "documentation.patient_identification_missing",
                self.documentation.patient_identification_missing,
            ),
        ];
        for (name, rate) in rates.iter().chain(more.iter()) {
            if !(0.0..=1.0).contains(rate) {
                return Err(ConfigError::invalid(format!(
                    "`{name}` = {rate} is not a share in [0, 1]"
                )));
            }
        }
        let mix = &self.encounters;
        if mix.inpatient + mix.observation + mix.emergency + mix.outpatient <= 0.0 {
            return Err(ConfigError::invalid(
                "`encounters`: the class shares may not all be zero",
            ));
        }
        if self.encounters.another_encounter > 0.95 {
            return Err(ConfigError::invalid(
                "`encounters.another_encounter` may not exceed 0.95",
            ));
        }
        if self.facilities.is_empty() {
            return Err(ConfigError::invalid("`facilities`: at least one is needed"));
        }
        let mut ids = std::collections::BTreeSet::new();
        for (fi, f) in self.facilities.iter().enumerate() {
            if !ids.insert(f.id.clone()) {
                return Err(ConfigError::invalid(format!(
                    "`facilities[{fi}].id`: duplicate id {:?}",
                    f.id
                )));
            }
            if crate::tables::zip_place(&f.zip).is_none() {
                return Err(ConfigError::invalid(format!(
                    "`facilities[{fi}].zip`: {:?} is not in the embedded ZIP table",
                    f.zip
                )));
            }
            if !f.units.iter().any(|u| u.kind == UnitKind::MedSurg) {
                return Err(ConfigError::invalid(format!(
                    "`facilities[{fi}]`: a medical/surgical unit is needed"
                )));
            }
            for (ui, u) in f.units.iter().enumerate() {
                if !ids.insert(u.id.clone()) {
                    return Err(ConfigError::invalid(format!(
                        "`facilities[{fi}].units[{ui}].id`: duplicate id {:?}",
                        u.id
                    )));
                }
                if u.beds_per_room == 0 {
                    return Err(ConfigError::invalid(format!(
                        "`facilities[{fi}].units[{ui}].beds_per_room` must be at least 1"
                    )));
                }
                if !u
                    .id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
                {
                    return Err(ConfigError::invalid(format!(
                        "`facilities[{fi}].units[{ui}].id`: {:?} may hold only A-Z, a-z, 0-9, `-` and `.` (it becomes a FHIR id)",
                        u.id
                    )));
                }
            }
        }
        Ok(())
    }
}
