//! Serialization support for the generated types: elements in FHIR order, absent ones skipped.

use crate::datatypes::ChoiceElement;
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

/// A FHIR object that writes its elements into a JSON object.
pub trait FhirObjectSer {
    /// Writes every present element (and the kept unknown ones) into `m`.
    fn serialize_elements<M: SerializeMap>(&self, m: &mut M) -> Result<(), M::Error>;
}

pub(crate) fn serialize_object<T: FhirObjectSer, S: Serializer>(
    v: &T,
    s: S,
) -> Result<S::Ok, S::Error> {
    let mut m = s.serialize_map(None)?;
    v.serialize_elements(&mut m)?;
    m.end()
}

pub(crate) fn single<M: SerializeMap, T: Serialize>(
    m: &mut M,
    key: &str,
    v: &Option<T>,
) -> Result<(), M::Error> {
    match v {
        Some(v) => m.serialize_entry(key, v),
        None => Ok(()),
    }
}

pub(crate) fn many<M: SerializeMap, T: Serialize>(
    m: &mut M,
    key: &str,
    v: &[T],
) -> Result<(), M::Error> {
    if v.is_empty() {
        Ok(())
    } else {
        m.serialize_entry(key, v)
    }
}

pub(crate) fn choice_ext<M: SerializeMap>(
    m: &mut M,
    v: &Option<Box<ChoiceElement>>,
) -> Result<(), M::Error> {
    match v {
        Some(c) => m.serialize_entry(&c.key, &c.element),
        None => Ok(()),
    }
}
