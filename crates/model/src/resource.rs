//! The [`Resource`] enum: any FHIR R4 resource, typed or kept as raw JSON.

use crate::datatypes::Meta;
use crate::de::Key;
use crate::resources::*;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::fmt;

pub use crate::resource_generated::TYPED_RESOURCE_TYPES;
use crate::resource_generated::{dispatch, for_each_typed_resource};

/// A resource of a type medrec-model does not type (`Goal`, `ImagingStudy`, `Device` …), kept
/// exactly as read: every element's JSON text in input order.
#[derive(Debug, Clone)]
pub struct RawResource {
    resource_type: String,
    id: Option<String>,
    elements: Vec<(String, Box<RawValue>)>,
}

impl PartialEq for RawResource {
    fn eq(&self, other: &Self) -> bool {
        self.resource_type == other.resource_type
            && self.elements.len() == other.elements.len()
            && self
                .elements
                .iter()
                .zip(&other.elements)
                .all(|((ka, va), (kb, vb))| ka == kb && va.get() == vb.get())
    }
}

impl RawResource {
    /// A raw resource from a JSON object (which must hold a string `resourceType`).
    pub fn from_value(value: &serde_json::Value) -> Option<RawResource> {
        let obj = value.as_object()?;
        let resource_type = obj.get("resourceType")?.as_str()?.to_string();
        let mut out = RawResource {
            resource_type,
            id: None,
            elements: Vec::new(),
        };
        for (k, v) in obj {
            if k != "resourceType" {
                out.push(k.clone(), serde_json::value::to_raw_value(v).ok()?);
            }
        }
        Some(out)
    }
    /// The resource type (`Goal`).
    pub fn resource_type(&self) -> &str {
        &self.resource_type
    }
    /// The logical id.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
    /// The raw JSON of element `name`.
    pub fn get(&self, name: &str) -> Option<&RawValue> {
        self.elements
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| &**v)
    }
    /// Every element (except `resourceType`) with its raw JSON, in input order.
    pub fn elements(&self) -> impl Iterator<Item = (&str, &RawValue)> {
        self.elements.iter().map(|(k, v)| (k.as_str(), &**v))
    }
    /// The resource as a JSON value.
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
    fn push(&mut self, key: String, value: Box<RawValue>) {
        if key == "id" {
            self.id = serde_json::from_str::<String>(value.get()).ok();
        }
        self.elements.push((key, value));
    }
    pub(crate) fn visit_rest<'de, A: MapAccess<'de>>(
        resource_type: &str,
        mut map: A,
    ) -> Result<Self, A::Error> {
        let mut out = RawResource {
            resource_type: resource_type.to_string(),
            id: None,
            elements: Vec::new(),
        };
        while let Some(Key(k)) = map.next_key::<Key<'de>>()? {
            let v: Box<RawValue> = map.next_value()?;
            if out.get(&k).is_some() || k == "resourceType" {
                return Err(de::Error::custom(format_args!("duplicate element `{k}`")));
            }
            out.push(k.into_owned(), v);
        }
        Ok(out)
    }
}

impl Serialize for RawResource {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.elements.len() + 1))?;
        m.serialize_entry("resourceType", &self.resource_type)?;
        for (k, v) in &self.elements {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// A typed resource struct (implemented by every struct in [`crate::resources`] that is a resource).
pub trait TypedResource: Sized + 'static {
    /// The FHIR `resourceType`.
    const RESOURCE_TYPE: &'static str;
    /// The resource, if `resource` is of this type.
    fn from_resource_ref(resource: &Resource) -> Option<&Self>;
    /// The resource, if `resource` is of this type.
    fn from_resource_mut(resource: &mut Resource) -> Option<&mut Self>;
    /// Wraps this into a [`Resource`].
    fn into_resource(self) -> Resource;
}

macro_rules! define_resource {
    ($($t:ident),*) => {
        /// Any FHIR R4 resource. The resource types health information management touches are typed
        /// (one boxed variant each); every other type is [`Resource::Other`], kept as raw JSON.
        ///
        /// Deserialization dispatches on `resourceType` without buffering when it is the first key
        /// (as every FHIR server writes it), and falls back to buffering the object otherwise.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Resource {
            $(
                #[doc = concat!("A FHIR R4 `", stringify!($t), "`.")]
                $t(Box<$t>),
            )*
            /// Any other resource type, kept verbatim.
            Other(RawResource),
        }

        impl Resource {
            /// The `resourceType` (`"Encounter"`).
            pub fn resource_type(&self) -> &str {
                match self {
                    $(Resource::$t(_) => stringify!($t),)*
                    Resource::Other(r) => r.resource_type(),
                }
            }
            /// The logical id.
            pub fn id(&self) -> Option<&str> {
                match self {
                    $(Resource::$t(r) => r.id.as_deref(),)*
                    Resource::Other(r) => r.id(),
                }
            }
            /// The resource metadata (typed resources only).
            pub fn meta(&self) -> Option<&Meta> {
                match self {
                    $(Resource::$t(r) => r.meta.as_ref(),)*
                    Resource::Other(_) => None,
                }
            }
            pub(crate) fn validate_typed(&self, cx: &mut crate::validate::Cx) {
                match self {
                    $(Resource::$t(r) => crate::validate::Validate::validate_into(&**r, cx),)*
                    Resource::Other(_) => {}
                }
            }
            fn serialize_inner<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self {
                    $(Resource::$t(r) => r.serialize(s),)*
                    Resource::Other(r) => r.serialize(s),
                }
            }
        }

        $(
            impl TypedResource for $t {
                const RESOURCE_TYPE: &'static str = stringify!($t);
                fn from_resource_ref(resource: &Resource) -> Option<&Self> {
                    match resource {
                        Resource::$t(r) => Some(r),
                        _ => None,
                    }
                }
                fn from_resource_mut(resource: &mut Resource) -> Option<&mut Self> {
                    match resource {
                        Resource::$t(r) => Some(r),
                        _ => None,
                    }
                }
                fn into_resource(self) -> Resource {
                    Resource::$t(Box::new(self))
                }
            }

            impl From<$t> for Resource {
                fn from(r: $t) -> Resource {
                    Resource::$t(Box::new(r))
                }
            }
        )*
    };
}

for_each_typed_resource!(define_resource);

impl From<RawResource> for Resource {
    fn from(r: RawResource) -> Resource {
        Resource::Other(r)
    }
}

impl Resource {
    /// The typed resource, if this is a `T` (`resource.downcast_ref::<Encounter>()`).
    pub fn downcast_ref<T: TypedResource>(&self) -> Option<&T> {
        T::from_resource_ref(self)
    }
    /// The typed resource, mutably, if this is a `T`.
    pub fn downcast_mut<T: TypedResource>(&mut self) -> Option<&mut T> {
        T::from_resource_mut(self)
    }
    /// `Type/id` (e.g. `Patient/123`), if the resource has an id.
    pub fn local_reference(&self) -> Option<String> {
        Some(format!("{}/{}", self.resource_type(), self.id()?))
    }
    /// Whether the resource type is one medrec-model types.
    pub fn is_typed(&self) -> bool {
        !matches!(self, Resource::Other(_))
    }
}

impl Serialize for Resource {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.serialize_inner(s)
    }
}

impl<'de> Deserialize<'de> for Resource {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(ResourceVisitor)
    }
}

struct ResourceVisitor;

impl<'de> Visitor<'de> for ResourceVisitor {
    type Value = Resource;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a FHIR resource (a JSON object with a resourceType)")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Resource, A::Error> {
        let first = match map.next_key::<Key<'de>>()? {
            None => return Err(de::Error::custom("a resource needs a `resourceType`")),
            Some(Key(k)) => k,
        };
        if first == "resourceType" {
            let Key(rt) = map.next_value::<Key<'de>>()?;
            return dispatch(&rt, map);
        }
        // `resourceType` is not first: buffer the object, then read it again with the type first.
        let mut entries: Vec<(String, Box<RawValue>)> =
            vec![(first.into_owned(), map.next_value()?)];
        while let Some(Key(k)) = map.next_key::<Key<'de>>()? {
            entries.push((k.into_owned(), map.next_value()?));
        }
        let Some(ix) = entries.iter().position(|(k, _)| k == "resourceType") else {
            return Err(de::Error::custom("a resource needs a `resourceType`"));
        };
        let mut text = String::with_capacity(
            entries
                .iter()
                .map(|(k, v)| k.len() + v.get().len() + 4)
                .sum(),
        );
        text.push_str("{\"resourceType\":");
        text.push_str(entries[ix].1.get());
        for (i, (k, v)) in entries.iter().enumerate() {
            if i != ix {
                text.push(',');
                text.push_str(&serde_json::to_string(k).map_err(de::Error::custom)?);
                text.push(':');
                text.push_str(v.get());
            }
        }
        text.push('}');
        serde_json::from_slice::<Resource>(text.as_bytes()).map_err(de::Error::custom)
    }
}
