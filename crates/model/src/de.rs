//! Deserialization support for the generated types: one visitor for every FHIR object, no
//! buffering, no `#[serde(flatten)]`.

use crate::datatypes::{ChoiceElement, Element, UnknownElements};
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;

thread_local! {
    static STRICT: Cell<bool> = const { Cell::new(false) };
    /// JSON path segments of the last error, innermost first (written only on the error path).
    static ERROR_PATH: std::cell::RefCell<Vec<PathSegment>> = const { std::cell::RefCell::new(Vec::new()) };
    /// Set when the last error was an unknown element (strict mode).
    static UNKNOWN_ERROR: Cell<bool> = const { Cell::new(false) };
}

/// One step of a JSON path.
#[derive(Debug, Clone)]
pub(crate) enum PathSegment {
    Key(String),
    Index(usize),
}

fn note(seg: PathSegment) {
    ERROR_PATH.with(|p| p.borrow_mut().push(seg));
}

/// Clears the error path and hint before a parse.
pub(crate) fn reset_error_state() {
    ERROR_PATH.with(|p| p.borrow_mut().clear());
    UNKNOWN_ERROR.with(|u| u.set(false));
}

/// The JSON path of the last error (`$.entry[2].resource.status`) and whether it was an unknown
/// element; clears both.
pub(crate) fn take_error_state() -> (String, bool) {
    let segs = ERROR_PATH.with(|p| std::mem::take(&mut *p.borrow_mut()));
    let mut path = String::from("$");
    for s in segs.iter().rev() {
        match s {
            PathSegment::Key(k) => {
                path.push('.');
                path.push_str(k);
            }
            PathSegment::Index(i) => {
                use std::fmt::Write;
                let _ = write!(path, "[{i}]");
            }
        }
    }
    (path, UNKNOWN_ERROR.with(|u| u.replace(false)))
}

/// Runs `f` with strict reading switched on for this thread (unknown elements are errors).
pub(crate) fn with_strict<T>(strict: bool, f: impl FnOnce() -> T) -> T {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            STRICT.with(|s| s.set(self.0));
        }
    }
    let _restore = Restore(STRICT.with(|s| s.replace(strict)));
    f()
}

fn strict() -> bool {
    STRICT.with(Cell::get)
}

/// A FHIR object (datatype, backbone element or resource) filled element by element.
pub trait FhirObject: Default {
    /// The FHIR name of the type (`Coding`, `Encounter.location` …).
    const TYPE_NAME: &'static str;
    /// Reads the value of `key` from `map` into `self`; `Ok(false)` if `key` is not an element of
    /// this type (the value is then still unread).
    fn visit_element<'de, A: MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
    ) -> Result<bool, A::Error>;
    /// The store of unknown elements.
    fn unknown_mut(&mut self) -> &mut UnknownElements;
}

/// An object key, borrowed from the input when possible.
pub(crate) struct Key<'de>(pub(crate) Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an element name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

/// Deserializes any FHIR object.
pub(crate) fn deserialize_object<'de, T: FhirObject, D: Deserializer<'de>>(
    d: D,
) -> Result<T, D::Error> {
    struct ObjectVisitor<T>(PhantomData<T>);
    impl<'de, T: FhirObject> Visitor<'de> for ObjectVisitor<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "a FHIR {} object", T::TYPE_NAME)
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            visit_rest(map)
        }
    }
    d.deserialize_map(ObjectVisitor(PhantomData))
}

/// Reads the remaining entries of `map` into a new `T`.
pub(crate) fn visit_rest<'de, T: FhirObject, A: MapAccess<'de>>(mut map: A) -> Result<T, A::Error> {
    let mut out = T::default();
    while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
        match out.visit_element(&key, &mut map) {
            Ok(true) => {}
            Ok(false) => {
                let name = key.to_string();
                if let Err(e) = unknown_element(&mut map, key, T::TYPE_NAME, out.unknown_mut()) {
                    note(PathSegment::Key(name));
                    return Err(e);
                }
            }
            Err(e) => {
                note(PathSegment::Key(key.into_owned()));
                return Err(e);
            }
        }
    }
    Ok(out)
}

/// An element not defined by FHIR: an error when strict, kept verbatim when lenient.
pub(crate) fn unknown_element<'de, A: MapAccess<'de>>(
    map: &mut A,
    key: Cow<'de, str>,
    type_name: &str,
    store: &mut UnknownElements,
) -> Result<(), A::Error> {
    if strict() {
        UNKNOWN_ERROR.with(|u| u.set(true));
        return Err(de::Error::custom(format_args!(
            "unknown element `{key}` in {type_name}"
        )));
    }
    let value: Box<RawValue> = map.next_value()?;
    if store.get(&key).is_some() {
        return Err(de::Error::custom(format_args!("duplicate element `{key}`")));
    }
    store.push(key.into_owned(), value);
    Ok(())
}

/// Checks a `resourceType` value against the expected type.
pub(crate) fn resource_type<'de, A: MapAccess<'de>>(
    map: &mut A,
    expected: &str,
) -> Result<(), A::Error> {
    let Key(found) = map.next_value::<Key<'de>>()?;
    if found != expected {
        return Err(de::Error::custom(format_args!(
            "resourceType `{found}` where `{expected}` was expected"
        )));
    }
    Ok(())
}

/// A 0..1 element.
pub(crate) fn single<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
    slot: &mut Option<T>,
    map: &mut A,
    name: &'static str,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(de::Error::duplicate_field(name));
    }
    *slot = map.next_value()?;
    Ok(())
}

/// A 0..* element (a JSON array).
pub(crate) fn many<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
    slot: &mut Vec<T>,
    map: &mut A,
    name: &'static str,
) -> Result<(), A::Error> {
    if !slot.is_empty() {
        return Err(de::Error::duplicate_field(name));
    }
    *slot = map.next_value_seed(NonEmptySeq(PhantomData, name))?;
    Ok(())
}

/// Reads an array, keeping an empty array as-is (FHIR forbids empty arrays, see `validate`).
struct NonEmptySeq<T>(PhantomData<T>, &'static str);

impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for NonEmptySeq<T> {
    type Value = Vec<T>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<T>, D::Error> {
        struct SeqVisitor<T>(PhantomData<T>, &'static str);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for SeqVisitor<T> {
            type Value = Vec<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "an array for the repeating element `{}`", self.1)
            }
            fn visit_seq<S: de::SeqAccess<'de>>(self, mut seq: S) -> Result<Vec<T>, S::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
                loop {
                    match seq.next_element() {
                        Ok(Some(v)) => out.push(v),
                        Ok(None) => return Ok(out),
                        Err(e) => {
                            note(PathSegment::Index(out.len()));
                            return Err(e);
                        }
                    }
                }
            }
        }
        d.deserialize_seq(SeqVisitor(PhantomData, self.1))
    }
}

/// One type of a choice element (`valueQuantity` …).
pub(crate) fn choice<'de, A: MapAccess<'de>, T: Deserialize<'de>, E>(
    slot: &mut Option<E>,
    map: &mut A,
    name: &'static str,
    make: impl FnOnce(T) -> E,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(de::Error::custom(format_args!(
            "more than one `{name}` element"
        )));
    }
    let v: T = map.next_value()?;
    *slot = Some(make(v));
    Ok(())
}

/// The `_valueString`-style companion of a primitive choice element.
pub(crate) fn choice_ext<'de, A: MapAccess<'de>>(
    slot: &mut Option<Box<ChoiceElement>>,
    map: &mut A,
    key: &'static str,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(de::Error::duplicate_field(key));
    }
    let element: Element = map.next_value()?;
    *slot = Some(Box::new(ChoiceElement {
        key: key.to_string(),
        element,
    }));
    Ok(())
}

/// Records a key on the error path (for callers outside this module).
pub(crate) fn note_key(k: String) {
    note(PathSegment::Key(k));
}

/// Records an array index on the error path.
pub(crate) fn note_index(i: usize) {
    note(PathSegment::Index(i));
}
