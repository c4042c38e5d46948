//! The typed FHIR R4 resources health information management touches, complete to R4 4.0.1 (every
//! element), with their backbone elements (`EncounterLocation`, `ClaimDiagnosis` …) and choice
//! enums (`ObservationValue`, `PatientDeceased` …). Generated from the FHIR R4 JSON Schema by
//! `crates/model/generate`.
//!
//! Naming: struct fields are the FHIR element names in snake_case; Rust keywords get a trailing
//! underscore (`type_`, `use_`; the only two that occur); the id/extensions of a primitive element `x`
//! (JSON `_x`) are in `x_ext`. 0..1 and 1..1 elements are `Option<T>` (so that incomplete input is
//! still read losslessly; `validate()` reports missing required elements), 0..* and 1..* are
//! `Vec<T>`, repeating primitives are `Vec<Option<T>>` (FHIR allows `null` in a primitive array
//! when `_x` carries an extension in that slot).

mod generated;

pub use generated::*;
