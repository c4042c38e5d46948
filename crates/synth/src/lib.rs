//! `medrec-synth`: seeded synthetic hospital populations with ground truth.
//!
//! Tests, benchmarks and demos of the other medrec crates need realistic records at any scale
//! *with known answers*. This crate generates a population — facilities with units and beds,
//! patients with every kind of identifier, inpatient, observation, emergency and outpatient
//! encounters with unit transfers, deliveries, newborns, deaths, readmissions, ICD-10-CM/PCS
//! coding, clinical notes and charges — and, beside it, the [`Truth`] a correct implementation
//! must find: injected documentation and coding deficiencies per encounter, the exact byte spans
//! of every identifier written into each note, the daily census per unit and the period counts.
//!
//! ```
//! use medrec_synth::{Population, PopulationConfig};
//!
//! let config = PopulationConfig { patients: 50, seed: 42, ..PopulationConfig::demo() };
//! let population = Population::new(config)?;
//! let mut encounters = 0;
//! for household in population.households() {
//!     for patient in &household.patients {
//!         for encounter in &patient.encounters {
//!             encounters += 1;
//!             for note in &encounter.notes {
//!                 for span in &note.phi {
//!                     // Every label points at exactly the text that was inserted.
//!                     assert!(!span.text(&note.text).is_empty());
//!                 }
//!             }
//!         }
//!     }
//! }
//! let truth = population.truth();
//! assert_eq!(truth.encounters, encounters);
//! truth.check_census_balance().unwrap();
//! # Ok::<(), medrec_synth::ConfigError>(())
//! ```
//!
//! # Should I use this crate?
//! Use it to test and benchmark code that reads hospital records: completeness review,
//! de-identification, statistics. The population is synthetic: names come from Census frequency
//! tables, ZIPs and cities are real, every other identifier is generated in ranges reserved for
//! fiction or never issued (555-01xx phones, SSN areas 900–999, `example.*` domains, RFC 5737 IP
//! addresses). It is not a clinical simulator (use Synthea for disease progression): clinical
//! content is a plausible case mix, not an epidemiological model.
//!
//! # Crate features
//! - `stats` (off by default): module `stays`, the population as `medrec-stats` stays (an ADT feed
//!   without the FHIR round trip), for statistics tests and million-stay benches. Adds the
//!   `medrec-stats` dependency.
//!
//! Determinism: the same [`PopulationConfig`] gives the same bytes on every platform
//! (ChaCha8 streams, integer arithmetic, no hash-map iteration, no clock).

#![forbid(unsafe_code)]

mod clock;
pub mod coding;
mod config;
mod fhir;
mod notes;
mod phi;
mod plan;
mod rng;
#[cfg(feature = "stats")]
pub mod stays;
mod tables;
mod truth;
mod write;

pub use config::{
    BedChange, CodingRates, ConfigError, ConfigErrorKind, DocumentationRates, EncounterMix,
    FacilityConfig, PopulationConfig, StayRates, UnitConfig, UnitKind,
};
pub use fhir::{ACCOUNT_SYSTEM, FULL_URL_BASE, MRN_SYSTEM, narrative_div};
pub use phi::{PhiKind, PhiSpan, PhiSubject};
pub use plan::{
    Address, ChargeLine, Clinician, CodedDiagnosis, CodedProcedure, Delivery, EncounterClass,
    Facility, GeneratedEncounter, GeneratedNote, GeneratedPatient, Household, NoteKind, Payer, Poa,
    Population, Relative, Sex, Specialty, Unit, UnitStay,
};
pub use rng::SynthRng;
pub use tables::{ZipPlace, zip_place, zip_places};
pub use truth::{
    CensusDay, DeficiencyRule, FacilityCounts, InjectedDeficiency, PeriodCounts, Truth,
    TruthBuilder, UnitCensus,
};
pub use write::{Layout, Progress, WriteError, WriteErrorKind, WriteSummary};
