//! Stays of `medrec-synth` populations, as an ADT feed gives them (no FHIR round trip): the
//! input of the million-encounter tests and of `medrec-ballista generate`.
//!
//! The mapping is the one `medrec-stats`' own synth ground-truth tests use (class, facility,
//! unit history, admit source, disposition, death and autopsy, delivery and births,
//! hospital-acquired infection, consultation, charges, diagnoses), plus the procedures and the
//! diagnoses' POA indicators.

use jiff::Timestamp;
use medrec_stats::{
    AdmitSource, Delivery, Disposition, EncounterClass, Stay, StayDiagnosis, StayProcedure,
    UnitStay,
};
use medrec_synth::{GeneratedPatient, Population};

fn ts(s: i64) -> Timestamp {
    Timestamp::from_second(s).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// The stays of one generated patient.
pub fn stays_of(pop: &Population, p: &GeneratedPatient) -> Vec<Stay> {
    p.encounters
        .iter()
        .map(|e| {
            let class = match e.class {
                medrec_synth::EncounterClass::Inpatient => EncounterClass::Inpatient,
                medrec_synth::EncounterClass::Observation => EncounterClass::Observation,
                medrec_synth::EncounterClass::Emergency => EncounterClass::Emergency,
                _ => EncounterClass::Outpatient,
            };
            let mut s = Stay::new(&p.id, &e.id, class, ts(e.start), Some(ts(e.end)));
            s.facility = pop.facilities()[e.facility].id.clone();
            s.units = e
                .units
                .iter()
                .map(|u| UnitStay {
                    unit: pop.units()[u.unit].config.id.clone(),
                    from: ts(u.start),
                    to: Some(ts(u.end)),
                })
                .collect();
            s.admit_source = AdmitSource::from_code(e.admit_source);
            s.disposition = Disposition::from_code(e.disposition);
            if let Some(autopsy) = e.death {
                s.disposition = Disposition::Died;
                s.autopsy.performed = autopsy;
            }
            if let Some(d) = e.delivery {
                s.delivery = Some(if d.cesarean {
                    Delivery::Cesarean
                } else {
                    Delivery::Vaginal
                });
                s.delivered = Some(ts(d.time));
                s.live_births = d.live_births.into();
                s.stillbirths = d.stillbirths.into();
            }
            s.hospital_acquired_infections = u16::from(e.hospital_infection);
            s.consultation = e.consultant.is_some();
            s.charges_cents = Some(e.total_cents());
            s.diagnoses = e
                .diagnoses
                .iter()
                .map(|d| StayDiagnosis {
                    code: d.code.to_string(),
                    principal: d.principal,
                    present_on_admission: d.poa.and_then(|p| p.code().chars().next()),
                    admitting: false,
                })
                .collect();
            s.procedures = e
                .procedures
                .iter()
                .map(|p| StayProcedure {
                    code: p.code.to_string(),
                    performed: Some(ts(p.start)),
                    performer: None,
                })
                .collect();
            s
        })
        .collect()
}

/// A generated population's configuration as the census needs it.
#[derive(Debug, Clone)]
pub struct PopulationSummary {
    /// Patients generated.
    pub patients: u64,
    /// Stays (encounters of every class) written.
    pub stays: u64,
    /// First census day of the population's period.
    pub first_day: jiff::civil::Date,
    /// Last census day of the period.
    pub last_day: jiff::civil::Date,
    /// The facilities' IANA time zone.
    pub time_zone: String,
}

impl std::fmt::Display for PopulationSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{{\"patients\":{},\"stays\":{},\"first_day\":\"{}\",\"last_day\":\"{}\",\"time_zone\":\"{}\"}}",
            self.patients, self.stays, self.first_day, self.last_day, self.time_zone
        )
    }
}

/// A population of `patients` patients (seed `seed`, otherwise the default configuration).
pub fn population(patients: u64, seed: u64) -> Result<Population, medrec_synth::ConfigError> {
    Population::new(medrec_synth::PopulationConfig {
        seed,
        patients,
        ..medrec_synth::PopulationConfig::default()
    })
}

/// Every patient's stays, one `Vec` per patient, streamed (the population is not held).
pub fn patient_stays(pop: &Population) -> impl Iterator<Item = Vec<Stay>> + '_ {
    pop.households()
        .flat_map(|h| h.patients.into_iter())
        .map(move |p| stays_of(pop, &p))
}

/// Generates a population and writes its stay tables as Parquet under `dir` (see
/// [`crate::export::write_stay_tables`]), `files` files per table.
pub fn write_population(
    dir: &std::path::Path,
    patients: u64,
    seed: u64,
    files: usize,
) -> Result<PopulationSummary, Box<dyn std::error::Error + Send + Sync>> {
    let pop = population(patients, seed)?;
    let cfg = pop.config();
    let tz = jiff::tz::TimeZone::get(&cfg.time_zone)?;
    let stays = crate::export::write_stay_tables(dir, &tz, files, patient_stays(&pop))?;
    Ok(PopulationSummary {
        patients,
        stays,
        first_day: cfg.from,
        last_day: cfg.to.yesterday()?,
        time_zone: cfg.time_zone.clone(),
    })
}
