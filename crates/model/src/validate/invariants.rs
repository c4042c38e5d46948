//! Hand-written FHIR R4 invariants (constraints) for a few key types. Each cites its constraint
//! key from the R4 specification (hl7.org/fhir/R4, "Constraints" of each type).

use super::{Cx, IssueKind, Severity, is_urn_uuid};
use crate::datatypes::{
    Attachment, Coding, Extension, Meta, Narrative, Period, Quantity, Reference,
};
use crate::resources::{Bundle, Observation, Patient};
use crate::validate::{Kind, Validate};
use crate::{RawResource, Resource};
use std::cmp::Ordering;
use std::collections::HashSet;

/// Invariants of one type; the default checks nothing.
pub(crate) trait Invariants {
    fn check_invariants(&self, _cx: &mut Cx) {}
}

fn error(cx: &mut Cx, child: &str, message: &str) {
    cx.issue(Severity::Error, IssueKind::Invariant, child, message);
}

impl Invariants for Extension {
    fn check_invariants(&self, cx: &mut Cx) {
        // ext-1: Must have either extensions or value[x], not both.
        let has_value = self.value.is_some() || self.value_ext.is_some();
        if has_value != self.extension.is_empty() {
            error(
                cx,
                "",
                "ext-1: an extension must have either extensions or a value[x], not both",
            );
        }
    }
}

impl Invariants for Period {
    fn check_invariants(&self, cx: &mut Cx) {
        // per-1: If present, start SHALL have a lower value than end.
        if let (Some(s), Some(e)) = (&self.start, &self.end) {
            if s.partial_cmp(e) == Some(Ordering::Greater) {
                error(cx, "", "per-1: the period's start is after its end");
            }
        }
    }
}

/// Whether a literal reference has one of the forms FHIR R4 allows (3.1.3.1 Literal references):
/// `#id` (contained), `urn:uuid:…`, `urn:oid:…`, `Type/id(/_history/vid)`, or an absolute URL.
pub(crate) fn is_reference_form(r: &str) -> bool {
    if let Some(id) = r.strip_prefix('#') {
        return id.is_empty() || is_id(id);
    }
    if r.starts_with("urn:uuid:") {
        return is_urn_uuid(r);
    }
    if r.starts_with("urn:oid:") {
        return r.len() > 8 && !r.contains(char::is_whitespace);
    }
    if r.contains(char::is_whitespace) || r.is_empty() {
        return false;
    }
    if r.contains("://") {
        return true;
    }
    // Relative: [Type/id] or [Type/id/_history/vid], optionally with a search query (conditional).
    let (path, _query) = r.split_once('?').unwrap_or((r, ""));
    let parts: Vec<&str> = path.split('/').collect();
    let type_ok = |t: &str| {
        t.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && t.chars().all(|c| c.is_ascii_alphanumeric())
    };
    match parts.as_slice() {
        [t] => type_ok(t) && !_query.is_empty(),
        [t, id] => type_ok(t) && is_id(id),
        [t, id, "_history", v] => type_ok(t) && is_id(id) && is_id(v),
        _ => false,
    }
}

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

impl Invariants for Reference {
    fn check_invariants(&self, cx: &mut Cx) {
        // ref-1: SHALL have a contained resource if a local reference is provided.
        if let Some(id) = self.reference.as_deref().and_then(|r| r.strip_prefix('#')) {
            if !cx.contained_id_exists(id) {
                cx.issue(
                    Severity::Error,
                    IssueKind::Reference,
                    "reference",
                    format!("ref-1: `#{id}` names no contained resource"),
                );
            }
        }
        if let Some(r) = &self.reference {
            if !r.is_empty() && !is_reference_form(r) {
                cx.issue(
                    Severity::Error,
                    IssueKind::Reference,
                    "reference",
                    format!("`{r}` is not a FHIR reference (Type/id, urn:uuid:…, #id or an absolute URL)"),
                );
            }
        }
    }
}

impl Invariants for Quantity {
    fn check_invariants(&self, cx: &mut Cx) {
        // qty-3: If a code for the unit is present, the system SHALL also be present.
        if self.code.is_some() && self.system.is_none() {
            error(
                cx,
                "",
                "qty-3: a Quantity with a unit code must have a system",
            );
        }
    }
}

impl Invariants for Attachment {
    fn check_invariants(&self, cx: &mut Cx) {
        // att-1: If the Attachment has data, it SHALL have a contentType.
        if self.data.is_some() && self.content_type.is_none() {
            error(
                cx,
                "",
                "att-1: an Attachment with data must have a contentType",
            );
        }
    }
}

impl Invariants for Narrative {
    fn check_invariants(&self, cx: &mut Cx) {
        // txt-2: The narrative SHALL have some non-whitespace content.
        if let Some(div) = &self.div {
            if !div.contains('>') || div.trim().is_empty() {
                error(
                    cx,
                    "div",
                    "txt-2: the narrative must have some non-whitespace content",
                );
            }
        }
    }
}

impl Invariants for Observation {
    fn check_invariants(&self, cx: &mut Cx) {
        // obs-6: dataAbsentReason SHALL only be present if Observation.value[x] is not present.
        if self.data_absent_reason.is_some() && self.value.is_some() {
            error(
                cx,
                "",
                "obs-6: dataAbsentReason must not be present when value[x] is",
            );
        }
        // obs-7: If Observation.code is the same as a component code then the value element
        // associated with the code SHALL NOT be present.
        if let (Some(code), Some(_)) = (&self.code, &self.value) {
            let same = self.component.iter().any(|c| {
                c.code.as_ref().is_some_and(|cc| {
                    cc.coding.iter().any(|x| {
                        code.coding
                            .iter()
                            .any(|y| x.system == y.system && x.code == y.code && x.code.is_some())
                    })
                })
            });
            if same {
                error(
                    cx,
                    "",
                    "obs-7: value[x] must be absent when a component has the same code as the observation",
                );
            }
        }
    }
}

impl Invariants for Patient {
    fn check_invariants(&self, cx: &mut Cx) {
        // pat-1: SHALL at least contain a contact's details or a reference to an organization.
        for (i, c) in self.contact.iter().enumerate() {
            if c.name.is_none()
                && c.telecom.is_empty()
                && c.address.is_none()
                && c.organization.is_none()
            {
                cx.at("contact", Some(i), |cx| {
                    error(
                        cx,
                        "",
                        "pat-1: a contact needs a name, telecom, address or organization",
                    )
                });
            }
        }
    }
}

impl Invariants for Bundle {
    fn check_invariants(&self, cx: &mut Cx) {
        let ty = self.type_.as_deref().unwrap_or("");
        // bdl-1: total only when a search or history.
        if self.total.is_some() && !matches!(ty, "searchset" | "history") {
            error(cx, "total", "bdl-1: total only when a search or history");
        }
        // Each link relation (self, first, next …) occurs once (R4 3.1.3.3 / Bundle.link).
        let mut relations = HashSet::new();
        for (i, l) in self.link.iter().enumerate() {
            if let Some(rel) = &l.relation {
                if !relations.insert(rel.as_str()) {
                    cx.at("link", Some(i), |cx| {
                        error(cx, "relation", "each link relation may occur only once")
                    });
                }
            }
        }
        let mut seen = HashSet::new();
        for (i, e) in self.entry.iter().enumerate() {
            cx.at("entry", Some(i), |cx| {
                // bdl-2: entry.search only when a search.
                if e.search.is_some() && ty != "searchset" {
                    error(cx, "search", "bdl-2: entry.search only when a search");
                }
                // bdl-3: entry.request mandatory for batch/transaction/history, otherwise prohibited.
                let needs_request = matches!(ty, "batch" | "transaction" | "history");
                if needs_request != e.request.is_some() {
                    error(cx, "request", "bdl-3: entry.request is required for batch/transaction/history and prohibited otherwise");
                }
                // bdl-4: entry.response mandatory for batch-response/transaction-response/history, otherwise prohibited.
                let needs_response = matches!(ty, "batch-response" | "transaction-response" | "history");
                if needs_response != e.response.is_some() {
                    error(cx, "response", "bdl-4: entry.response is required for batch-response/transaction-response/history and prohibited otherwise");
                }
                // bdl-5: must be a resource unless there's a request or response.
                if e.resource.is_none() && e.request.is_none() && e.response.is_none() {
                    error(cx, "", "bdl-5: an entry needs a resource, a request or a response");
                }
                if let Some(u) = &e.full_url {
                    // fullUrl is an absolute URL (R4 Bundle.entry.fullUrl: "The Absolute URL for
                    // the resource"), and when RESTful it must end with the resource's Type/id.
                    if !u.contains(':') {
                        error(cx, "fullUrl", "fullUrl must be an absolute URL (urn:uuid:…, http…), not a relative one");
                    } else if let (Some(r), Some(tail)) = (&e.resource, restful_tail(u)) {
                        if let Some(id) = r.id() {
                            if tail != (r.resource_type(), id) {
                                // A warning: the R4 examples themselves have mismatches.
                                cx.issue(
                                    Severity::Warning,
                                    IssueKind::Invariant,
                                    "fullUrl",
                                    "a RESTful fullUrl should end with the resource's type and id",
                                );
                            }
                        }
                    }
                }
                if ty == "searchset" {
                    if let Some(r) = &e.resource {
                        let outcome = e.search.as_ref().and_then(|s| s.mode.as_deref()) == Some("outcome");
                        if outcome && r.resource_type() != "OperationOutcome" {
                            error(cx, "resource", "a search entry with mode `outcome` must be an OperationOutcome");
                        }
                        if !outcome && r.id().is_none() {
                            error(cx, "resource", "search results must have ids");
                        }
                    }
                }
                // bdl-8: fullUrl cannot be a version specific reference.
                if let Some(u) = &e.full_url {
                    if u.contains("/_history/") {
                        error(cx, "fullUrl", "bdl-8: fullUrl cannot be a version-specific reference");
                    }
                }
            });
            // bdl-7: FullUrl must be unique in a bundle, or else entries with the same fullUrl
            // must have different meta.versionId (except in history bundles).
            if let Some(u) = &e.full_url {
                let version = e
                    .resource
                    .as_ref()
                    .and_then(|r| r.meta())
                    .and_then(|m| m.version_id.clone());
                if ty != "history" && !seen.insert((u.clone(), version)) {
                    cx.at("entry", Some(i), |cx| {
                        error(cx, "fullUrl", "bdl-7: fullUrl must be unique in a bundle")
                    });
                }
            }
        }
        if ty == "document" {
            // bdl-9: a document must have an identifier with a system and a value.
            if !self
                .identifier
                .as_ref()
                .is_some_and(|i| i.system.is_some() && i.value.is_some())
            {
                error(
                    cx,
                    "identifier",
                    "bdl-9: a document must have an identifier with a system and a value",
                );
            }
            // bdl-10: a document must have a date.
            if self.timestamp.is_none() {
                error(cx, "timestamp", "bdl-10: a document must have a timestamp");
            }
            // bdl-11: a document must have a Composition as the first resource.
            if first_type(self) != Some("Composition") {
                error(
                    cx,
                    "entry",
                    "bdl-11: a document must have a Composition as the first resource",
                );
            }
        }
        if ty == "message" {
            // bdl-12: a message must have a MessageHeader as the first resource.
            if first_type(self) != Some("MessageHeader") {
                error(
                    cx,
                    "entry",
                    "bdl-12: a message must have a MessageHeader as the first resource",
                );
            }
        }
    }
}

fn first_type(b: &Bundle) -> Option<&str> {
    b.entry
        .first()
        .and_then(|e| e.resource.as_ref())
        .map(|r| r.resource_type())
}

impl Invariants for Coding {
    fn check_invariants(&self, cx: &mut Cx) {
        // Coding.system is an absolute URI (R4 Coding: "system: Identity of the terminology
        // system", a uri; relative references are not terminology identities).
        if let Some(sys) = &self.system {
            if !sys.is_empty() && !sys.contains(':') {
                cx.issue(
                    Severity::Error,
                    IssueKind::Value,
                    "system",
                    format!("Coding.system `{sys}` must be an absolute URI, not a local reference"),
                );
            }
        }
    }
}

/// Checks the elements every resource has (Resource / DomainResource) on an untyped resource:
/// `id`, `meta`, `implicitRules`, `language`, `text`, `contained`, `extension`,
/// `modifierExtension`, each parsed with its R4 type.
pub(crate) fn check_raw_resource(raw: &RawResource, cx: &mut Cx) {
    let ty = raw.resource_type();
    if !crate::is_r4_resource_type(ty) {
        cx.issue(
            Severity::Error,
            IssueKind::Structure,
            "resourceType",
            format!("`{ty}` is not a FHIR R4 resource type"),
        );
    }
    fn typed<T: serde::de::DeserializeOwned + Validate>(
        cx: &mut Cx,
        name: &str,
        raw: &serde_json::value::RawValue,
    ) {
        match serde_json::from_slice::<T>(raw.get().as_bytes()) {
            Ok(v) => cx.node(name, &v),
            Err(e) => cx.issue(Severity::Error, IssueKind::Structure, name, format!("{e}")),
        }
    }
    for (name, value) in raw.elements() {
        match name {
            "id" | "implicitRules" | "language" => {
                match serde_json::from_str::<String>(value.get()) {
                    Ok(s) => {
                        let kind = match name {
                            "id" => Kind::Id,
                            "language" => Kind::Code,
                            _ => Kind::Uri,
                        };
                        cx.prim_value(name, &s, kind, None);
                    }
                    Err(_) => cx.issue(
                        Severity::Error,
                        IssueKind::Structure,
                        name,
                        format!("`{name}` must be a JSON string"),
                    ),
                }
            }
            "meta" => typed::<Meta>(cx, name, value),
            "text" => typed::<Narrative>(cx, name, value),
            "extension" | "modifierExtension" => {
                match serde_json::from_slice::<Vec<Extension>>(value.get().as_bytes()) {
                    Ok(v) => cx.children(name, &v),
                    Err(e) => cx.issue(Severity::Error, IssueKind::Structure, name, format!("{e}")),
                }
            }
            "contained" => match serde_json::from_slice::<Vec<Resource>>(value.get().as_bytes()) {
                Ok(v) => cx.contained(name, &v),
                Err(e) => cx.issue(Severity::Error, IssueKind::Structure, name, format!("{e}")),
            },
            _ => {}
        }
    }
}

/// dom-3: a contained resource SHALL be referred to from elsewhere in the containing resource, or
/// SHALL refer to the containing resource (`#`). Any string `#id` anywhere in the container counts
/// (references, canonicals, uris — the R4 expression looks at all three).
pub(crate) fn check_contained_referenced(
    container: &Resource,
    contained: &[Resource],
    cx: &mut Cx,
) {
    let Some(value) = serde_json::to_vec(container)
        .ok()
        .and_then(|v| serde_json::from_slice::<serde_json::Value>(&v).ok())
    else {
        return;
    };
    let mut outside = HashSet::new();
    let mut refers_to_container = vec![false; contained.len()];
    fn walk<'a>(v: &'a serde_json::Value, out: &mut HashSet<&'a str>, skip_contained: bool) {
        match v {
            serde_json::Value::String(s) if s.starts_with('#') => {
                out.insert(s.as_str());
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, out, false)),
            serde_json::Value::Object(o) => {
                for (k, x) in o {
                    if !(skip_contained && k == "contained") {
                        walk(x, out, false);
                    }
                }
            }
            _ => {}
        }
    }
    walk(&value, &mut outside, true);
    if let Some(serde_json::Value::Array(cs)) = value.get("contained") {
        for (i, c) in cs.iter().enumerate() {
            let mut inner = HashSet::new();
            walk(c, &mut inner, true);
            if inner.contains("#") && i < refers_to_container.len() {
                refers_to_container[i] = true;
            }
            // References between contained resources count as "elsewhere in the resource".
            for (j, other) in cs.iter().enumerate() {
                if j != i {
                    let mut x = HashSet::new();
                    walk(other, &mut x, true);
                    outside.extend(x.into_iter().map(|s| -> &str { s }));
                }
            }
        }
    }
    for (i, c) in contained.iter().enumerate() {
        let Some(id) = c.id() else { continue };
        let key = format!("#{id}");
        if !outside.contains(key.as_str()) && !refers_to_container[i] {
            cx.at("contained", Some(i), |cx| {
                error(cx, "", &format!("dom-3: contained resource `{id}` is not referenced from the containing resource"))
            });
        }
    }
}

/// `(Type, id)` when `url` looks like a RESTful URL `…/Type/id` (Type capitalised).
fn restful_tail(url: &str) -> Option<(&str, &str)> {
    if url.starts_with("urn:") {
        return None;
    }
    let url = url.split("/_history/").next().unwrap_or(url);
    let mut parts = url.rsplit('/');
    let id = parts.next()?;
    let ty = parts.next()?;
    let known = crate::TYPED_RESOURCE_TYPES.contains(&ty) || KNOWN_OTHER_TYPES.contains(&ty);
    known.then_some((ty, id))
}

/// Untyped R4 resource types commonly seen in Bundles (for the RESTful fullUrl check).
const KNOWN_OTHER_TYPES: &[&str] = &[
    "MessageHeader",
    "OperationOutcome",
    "Device",
    "Goal",
    "ImagingStudy",
    "Medication",
    "Specimen",
    "List",
    "RelatedPerson",
    "ServiceRequest",
    "Measure",
    "MeasureReport",
    "Questionnaire",
    "QuestionnaireResponse",
    "ValueSet",
    "CodeSystem",
    "StructureDefinition",
    "Binary",
    "Parameters",
    "Library",
    "Group",
];
