//! `medrec-model`: FHIR R4 (4.0.1) JSON records for health information management — typed,
//! lossless, streaming.
//!
//! ```
//! use medrec_model::{Resource, resources::Encounter};
//!
//! let json = br#"{"resourceType":"Encounter","id":"e1","status":"finished",
//!   "class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"IMP"},
//!   "length":{"value":2.50,"unit":"d"}}"#;
//! let resource: Resource = serde_json::from_slice(json).unwrap();
//! let encounter = resource.downcast_ref::<Encounter>().unwrap();
//! assert_eq!(encounter.status.as_deref(), Some("finished"));
//! // Decimals keep their text: 2.50 stays 2.50.
//! assert_eq!(encounter.length.as_ref().unwrap().value.as_ref().unwrap().as_str(), "2.50");
//! assert!(serde_json::to_string(&resource).unwrap().contains("2.50"));
//! assert!(resource.validate().is_empty());
//! ```
//!
//! # Should I use this crate?
//!
//! Use it to read and write FHIR R4 JSON (Synthea, Bulk Data exports, EHR APIs) when you must get
//! back exactly what you read, and want typed access to the resources medical-record work touches
//! (Patient, Encounter, Condition, Procedure, Observation, DocumentReference, Claim,
//! ExplanationOfBenefit …, 26 types). Every other resource type is kept as raw JSON. If you need
//! all ~150 R4 resources typed, or FHIR versions other than R4, use a full FHIR crate instead and
//! pay its compile time.
//!
//! # Crate features
//!
//! None. The crate depends on serde, serde_json (with `raw_value`), jiff and thiserror.
#![forbid(unsafe_code)]

pub mod datatypes;
mod de;
pub mod parse;
pub mod phi;
mod record;
mod resource;
mod resource_generated;
mod resource_types;
pub mod resources;
mod ser;
pub mod validate;

pub use parse::{
    Mode, NdjsonReader, ParseError, ParseErrorKind, parse_resource, parse_resource_strict,
    read_bundle_entries,
};
pub use phi::{PhiKind, UnknownPhiKind};
pub use record::{Document, EncounterRecord, PatientRecord, contained};
pub use resource::{RawResource, Resource, TYPED_RESOURCE_TYPES, TypedResource};
pub use resource_types::{R4_RESOURCE_TYPES, is_r4_resource_type};
pub use validate::{Issue, IssueKind, Severity};
