//! FHIR R4 datatypes: the complex types (`Coding`, `CodeableConcept`, `Identifier`, `HumanName`,
//! `Address`, `ContactPoint`, `Reference`, `Period`, `Attachment`, `Annotation`, `Narrative`,
//! `Extension`, `Meta`, `Money`, `Quantity` …, generated from the FHIR R4 JSON Schema) and the
//! primitives that keep their lexical form ([`Decimal`], [`Date`], [`DateTime`], [`Instant`],
//! [`Time`]).
//!
//! FHIR primitives map to Rust as: `boolean` → `bool`; `integer` → `i32`; `positiveInt`,
//! `unsignedInt` → `u32`; `decimal` → [`Decimal`]; `date`/`dateTime`/`instant`/`time` → the types
//! of the same name; every string-like type (`string`, `code`, `id`, `uri`, `url`, `canonical`,
//! `oid`, `uuid`, `markdown`, `base64Binary`, `xhtml`) → `String` (checked by
//! [`crate::validate`]).

mod generated;
mod primitives;

pub use generated::*;
pub use primitives::{Date, DateTime, Decimal, Instant, Precision, PrimitiveError, Time};

use serde::ser::SerializeMap;
use serde_json::value::RawValue;

/// Elements that FHIR R4 does not define on a type, kept verbatim (exact JSON text, in input
/// order) when reading leniently, and written back on serialization. Strict reading rejects them.
#[derive(Debug, Clone, Default)]
pub struct UnknownElements(Vec<(String, Box<RawValue>)>);

impl UnknownElements {
    /// No unknown elements.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// How many unknown elements were kept.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// The raw JSON of the unknown element `name`.
    pub fn get(&self, name: &str) -> Option<&RawValue> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| &**v)
    }
    /// Each unknown element name with its raw JSON, in input order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &RawValue)> {
        self.0.iter().map(|(k, v)| (k.as_str(), &**v))
    }
    /// Adds an element (kept after the known elements on serialization).
    pub fn push(&mut self, name: String, value: Box<RawValue>) {
        self.0.push((name, value));
    }
    /// Removes every unknown element.
    pub fn clear(&mut self) {
        self.0.clear();
    }
    pub(crate) fn serialize_entries<M: SerializeMap>(&self, m: &mut M) -> Result<(), M::Error> {
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        Ok(())
    }
}

impl PartialEq for UnknownElements {
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len()
            && self
                .0
                .iter()
                .zip(&other.0)
                .all(|((ka, va), (kb, vb))| ka == kb && va.get() == vb.get())
    }
}

/// The id and extensions of a primitive choice element, with its JSON key (`_valueString`,
/// `_deceasedDateTime` …), so it can be written back under the same name.
#[derive(Debug, Clone, PartialEq)]
pub struct ChoiceElement {
    /// The JSON key, with its leading underscore (`_valueString`).
    pub key: String,
    /// The id and extensions.
    pub element: Element,
}

impl CodeableConcept {
    /// A concept with one coding (`system` + `code` + `display`) and `text` = `display`.
    pub fn from_coding(system: &str, code: &str, display: &str) -> Self {
        CodeableConcept {
            coding: vec![Coding::new(system, code, display)],
            text: (!display.is_empty()).then(|| display.to_string()),
            ..Default::default()
        }
    }
    /// Whether any coding has this system and code.
    pub fn has_code(&self, system: &str, code: &str) -> bool {
        self.coding
            .iter()
            .any(|c| c.system.as_deref() == Some(system) && c.code.as_deref() == Some(code))
    }
    /// The first code of `system`.
    pub fn code_in(&self, system: &str) -> Option<&str> {
        self.coding
            .iter()
            .find(|c| c.system.as_deref() == Some(system))
            .and_then(|c| c.code.as_deref())
    }
}

impl Coding {
    /// A coding with `system`, `code` and (unless empty) `display`.
    pub fn new(system: &str, code: &str, display: &str) -> Self {
        Coding {
            system: Some(system.to_string()),
            code: Some(code.to_string()),
            display: (!display.is_empty()).then(|| display.to_string()),
            ..Default::default()
        }
    }
}

impl Reference {
    /// A reference by literal URL (`Patient/123`, `urn:uuid:…`, `#contained-id`).
    pub fn to(reference: impl Into<String>) -> Self {
        Reference {
            reference: Some(reference.into()),
            ..Default::default()
        }
    }
}

impl Period {
    /// A period from `start` to `end` (either may be absent).
    pub fn new(start: Option<DateTime>, end: Option<DateTime>) -> Self {
        Period {
            start,
            end,
            ..Default::default()
        }
    }
}
