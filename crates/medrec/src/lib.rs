//! `medrec`: the daily work of a health information (medical records) technician, in Rust.
//!
//! This facade re-exports each medrec crate as a module, each behind a default-on cargo feature:
//!
//! | module | crate | what it is for |
//! |---|---|---|
//! | [`model`] | `medrec-model` | FHIR R4 (4.0.1) JSON: typed HIM resources, every other resource kept as JSON, lossless round trip, streaming Bundle / NDJSON readers, structural validation, the [`model::PatientRecord`] view grouped by encounter |
//! | [`codes`] | `medrec-codes` | ICD-10-CM / ICD-10-PCS tables (embedded), validation, hierarchy, search; CCSR, Elixhauser, Charlson, MCE-style edits ([`codes::clinical`]) |
//! | [`completeness`] | `medrec-completeness` | completeness review: deficiencies, physician query worklists, delinquency |
//! | [`privacy`] | `medrec-privacy` | Safe Harbor and limited data sets, free-text redaction, pseudonyms, release of information, accounting of disclosures |
//! | [`stats`] | `medrec-stats` | hospital statistics: census, service days, LOS, occupancy, death / autopsy / cesarean rates, reports and indexes |
//! | [`synth`] | `medrec-synth` | seeded synthetic hospital populations with ground truth |
//!
//! # End to end
//!
//! Read a bundle → classify its codes → review completeness → de-identify → compute statistics:
//!
//! ```
//! use medrec::prelude::*;
//!
//! // A synthetic patient's record, written as FHIR R4 JSON and read back.
//! let population = Population::new(PopulationConfig { patients: 20, ..PopulationConfig::demo() })?;
//! let patient = population.patients().find(|p| !p.encounters.is_empty()).unwrap();
//! let json = serde_json::to_vec(&Resource::from(population.patient_bundle(&patient)))?;
//! let Resource::Bundle(bundle) = medrec::model::parse_resource(&json)? else { unreachable!() };
//! let record = PatientRecord::from_bundle(*bundle);
//! assert_eq!(record.encounter_count(), patient.encounters.len());
//!
//! // Classify a code.
//! let cm = icd10cm();
//! assert_eq!(cm.validate("E11.9"), CodeStatus::Billable);
//! assert_eq!(cm.classify("e119").chapter().unwrap().number, 4);
//!
//! // Review completeness: every deficiency names its rule, a FHIR path and a due date.
//! let review = Reviewer::new().review(&record);
//! for deficiency in review.deficiencies() {
//!     assert!(!deficiency.rule.is_empty());
//! }
//!
//! // De-identify under Safe Harbor: the patient's name is gone from the output.
//! let mut deid = Deidentifier::new(DeidConfig::safe_harbor(), None)?;
//! let out = deid.deidentify(serde_json::to_value(Resource::from(record.to_bundle()))?)?.unwrap();
//! let text = out.to_string();
//! let family = record.patient().unwrap().name[0].family.clone().unwrap();
//! assert!(!text.contains(&family));
//!
//! // Statistics over the population's month.
//! let truth = population.truth();
//! let period = Period::new(truth.from, truth.to.yesterday()?).unwrap(); // truth.to: day after the last
//! let mut aggregator = Aggregator::new(AggregatorConfig::new(period, jiff::tz::TimeZone::UTC));
//! let stays: Vec<Stay> = stays_from_record(&record, &FhirReadOptions::default())
//!     .into_iter()
//!     .filter_map(Result::ok)
//!     .collect();
//! aggregator.add_patient(&stays);
//! let rows = aggregator.report(GroupBy::None, &BedSchedule::default())?;
//! assert!(rows.iter().any(|r| r.population == PopulationScope::Total));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Should I use this crate?
//!
//! Depend on `medrec` when you want several stages behind one dependency and one version; depend
//! on a single crate (`medrec-codes`, say) when you need only that stage, or switch off the
//! default features you do not need.
//!
//! # Crate features
//!
//! All on by default: `model`, `codes`, `completeness`, `privacy`, `stats`, `synth` — one per
//! module above.

#[cfg(feature = "codes")]
pub use medrec_codes as codes;
#[cfg(feature = "completeness")]
pub use medrec_completeness as completeness;
#[cfg(feature = "model")]
pub use medrec_model as model;
#[cfg(feature = "privacy")]
pub use medrec_privacy as privacy;
#[cfg(feature = "stats")]
pub use medrec_stats as stats;
#[cfg(feature = "synth")]
pub use medrec_synth as synth;

/// The handful of types most programs need, one `use medrec::prelude::*;` away.
pub mod prelude {
    #[cfg(feature = "codes")]
    pub use medrec_codes::{CodeStatus, IcdCmCode, icd10cm, icd10pcs};
    #[cfg(feature = "completeness")]
    pub use medrec_completeness::{Deficiency, Reviewer, RuleSet};
    #[cfg(feature = "model")]
    pub use medrec_model::{EncounterRecord, PatientRecord, Resource};
    #[cfg(feature = "privacy")]
    pub use medrec_privacy::{DeidConfig, Deidentifier};
    #[cfg(feature = "stats")]
    pub use medrec_stats::fhir::{FhirReadOptions, stays_from_record};
    #[cfg(feature = "stats")]
    pub use medrec_stats::{
        Aggregator, AggregatorConfig, BedSchedule, GroupBy, Period, PopulationScope, Stay,
    };
    #[cfg(feature = "synth")]
    pub use medrec_synth::{Population, PopulationConfig};
}
