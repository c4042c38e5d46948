//! Stays of `medrec-synth` populations, as an ADT feed gives them (no FHIR round trip): the
//! input of the million-encounter tests and of `medrec-ballista generate`.
//!
//! The mapping is `medrec-synth`'s (feature `stats`: class, facility, unit history, admit
//! source, disposition, death and autopsy, delivery and births, hospital-acquired infection,
//! consultation, charges, diagnoses with POA, procedures), the same `medrec-stats`' own synth
//! ground-truth tests use. Going through FHIR instead (synth's resources read back with
//! `medrec_stats::fhir`) costs about 6× as much (1.93 s against 0.33 s
//! for 27,000 encounters, measured), too slow for the million-encounter test.

use medrec_synth::Population;

/// The stays of one generated patient and of a whole population, from `medrec-synth`'s ADT-feed
/// mapping (`medrec_synth::stays`, the one `medrec-stats`' own synth tests use).
pub use medrec_synth::stays::{patient_stays, stays_of};

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
