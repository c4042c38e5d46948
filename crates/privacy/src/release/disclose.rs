//! Carrying out a decision: the released bundle, filtered from the full record.
//!
//! Filters, in order, for each resource of the input:
//! 1. it belongs to the patient (the `Patient` itself, a resource that references it), or it
//!    references no patient at all (a supporting `Organization`, `Practitioner`, `Location` …)
//!    *and* a released resource references it; a resource about another patient is never
//!    released;
//! 2. its dates overlap the dates asked for (and the authorization's `dataPeriod`); resources
//!    without a clinical date (`Patient`, `Organization` …) always do;
//! 3. its type was asked for (when types were named), is covered by the authorization, and is
//!    in the purpose's minimum-necessary table (when the standard applies);
//! 4. no special protection keeps it out (psychotherapy notes, 42 CFR Part 2, the facility's
//!    sensitive categories — a category whose handling is `deny` refuses the whole request);
//! 5. only the minimum-necessary elements are kept (when the standard applies).
//!
//! A refused request releases nothing. A `limited-data-set` or `de-identified` decision hands
//! the filtered bundle to a [`DeidTransform`] (e.g. [`crate::release::DeidEngine`]) before it is released; if that fails, nothing is
//! released (fail closed).

use super::authorization::reference_names;
use super::dates::{DateRange, day_bounds};
use super::policy::{Decision, ElementSet, Handling, LabelPattern, Protection, ReleasePolicy};
use super::request::ReleaseRequest;
use super::vocab::{Basis, DecisionKind, Purpose, Requester};
use serde::Serialize;
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;

/// Turns a filtered bundle into a limited data set (45 CFR 164.514(e)) or a Safe Harbor
/// de-identified one (164.514(b)(2)). [`crate::release::DeidEngine`] implements it over the crate's
/// de-identification engine ([`crate::record::Deidentifier`]); callers may supply their own
/// (e.g. an expert-determination pipeline).
pub trait DeidTransform {
    /// Removes the 16 direct identifiers of 164.514(e)(2), keeping dates, city, state, ZIP.
    fn limited_data_set(&self, bundle: Value) -> Result<Value, String>;
    /// Removes the 18 Safe Harbor identifiers of 164.514(b)(2)(i).
    fn safe_harbor(&self, bundle: Value) -> Result<Value, String>;
}

/// A resource in or kept out of a release.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ResourceKey {
    /// `resourceType`.
    pub resource_type: String,
    /// `id` (empty if the resource has none).
    pub id: String,
}

/// A record withheld by a special protection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Withheld {
    /// Which resource.
    pub resource: ResourceKey,
    /// Which protection.
    pub protection: Protection,
    /// The rule it rests on.
    pub basis: Basis,
}

/// The result of a release: the final decision and what goes out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Release {
    /// The final decision (a `deny` handling of a sensitive category can turn a permit into a
    /// deny).
    pub decision: Decision,
    /// The released FHIR `Bundle` (type `collection`); `None` when refused.
    pub bundle: Option<Value>,
    /// The resources released, in bundle order.
    pub released: Vec<ResourceKey>,
    /// Records kept out by a special protection.
    pub withheld: Vec<Withheld>,
    /// Resource types left out by the date range, the types asked for, the authorization or
    /// the minimum-necessary table.
    pub omitted: BTreeSet<String>,
    /// Whether the patient's `Patient` resource was found in the input.
    pub patient_found: bool,
}

impl Release {
    /// How many resources are released.
    pub fn resources_released(&self) -> usize {
        self.released.len()
    }
}

/// Why a release could not be carried out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("release: {message}")]
pub struct ReleaseError {
    kind: ReleaseErrorKind,
    message: String,
}

/// The kind of a [`ReleaseError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReleaseErrorKind {
    /// The de-identification step failed; nothing was released.
    Deidentification,
}

impl ReleaseError {
    /// What kind of error this is.
    pub fn kind(&self) -> ReleaseErrorKind {
        self.kind
    }
}

/// One resource of the input, with the `fullUrl` it had in its bundle.
struct Entry<'a> {
    full_url: Option<&'a str>,
    resource: &'a Value,
}

fn flatten<'a>(inputs: &'a [Value], out: &mut Vec<Entry<'a>>) {
    for v in inputs {
        flatten_one(v, None, out);
    }
}

fn flatten_one<'a>(v: &'a Value, full_url: Option<&'a str>, out: &mut Vec<Entry<'a>>) {
    match v.get("resourceType").and_then(Value::as_str) {
        Some("Bundle") => {
            if let Some(entries) = v.get("entry").and_then(Value::as_array) {
                for e in entries {
                    if let Some(r) = e.get("resource") {
                        flatten_one(r, e.get("fullUrl").and_then(Value::as_str), out);
                    }
                }
            }
        }
        Some(_) => out.push(Entry {
            full_url,
            resource: v,
        }),
        None => {}
    }
}

fn key(resource: &Value) -> ResourceKey {
    ResourceKey {
        resource_type: resource
            .get("resourceType")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        id: resource
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
    }
}

fn collect_references<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                if k == "reference" {
                    if let Value::String(s) = child {
                        out.push(s);
                    }
                } else {
                    collect_references(child, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|c| collect_references(c, out)),
        _ => {}
    }
}

/// Elements holding the clinical date of a resource, in order of preference.
const DATE_ELEMENTS: &[&str] = &[
    "effectiveDateTime",
    "effectivePeriod",
    "performedDateTime",
    "performedPeriod",
    "period",
    "onsetDateTime",
    "occurrenceDateTime",
    "authoredOn",
    "recordedDate",
    "billablePeriod",
    "date",
    "issued",
    "created",
    "recorded",
    "started",
];

/// Whether a resource's clinical date overlaps a range; resources without one are in range.
fn in_range(resource: &Value, range: &DateRange) -> bool {
    if range.from.is_none() && range.to.is_none() {
        return true;
    }
    for name in DATE_ELEMENTS {
        match resource.get(*name) {
            Some(Value::String(s)) => {
                if let Some(b) = day_bounds(s) {
                    return range.overlaps(b);
                }
            }
            Some(Value::Object(p)) => {
                let start = p.get("start").and_then(Value::as_str).and_then(day_bounds);
                let end = p.get("end").and_then(Value::as_str).and_then(day_bounds);
                if start.is_some() || end.is_some() {
                    let from_ok = range
                        .to
                        .is_none_or(|t| start.is_none_or(|s| s.earliest <= t));
                    let to_ok = range.from.is_none_or(|f| end.is_none_or(|e| e.latest >= f));
                    return from_ok && to_ok;
                }
            }
            _ => {}
        }
    }
    true
}

fn security_labels(resource: &Value) -> Vec<(Option<&str>, &str)> {
    resource
        .get("meta")
        .and_then(|m| m.get("security"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|c| {
                    Some((
                        c.get("system").and_then(Value::as_str),
                        c.get("code").and_then(Value::as_str)?,
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn any_label(labels: &[(Option<&str>, &str)], patterns: &[LabelPattern]) -> bool {
    labels
        .iter()
        .any(|(s, c)| patterns.iter().any(|p| p.matches(*s, c)))
}

fn pattern_codes(patterns: &[LabelPattern]) -> Vec<&str> {
    patterns.iter().map(LabelPattern::code).collect()
}

impl ReleasePolicy {
    fn is_psychotherapy_note(&self, resource: &Value, labels: &[(Option<&str>, &str)]) -> bool {
        if any_label(labels, self.psychotherapy_labels()) {
            return true;
        }
        let types = self.psychotherapy_document_types();
        if types.is_empty() {
            return false;
        }
        let codings = resource
            .get("type")
            .and_then(|t| t.get("coding"))
            .and_then(Value::as_array);
        codings.is_some_and(|cs| {
            cs.iter().any(|c| {
                types.iter().any(|t| {
                    c.get("system").and_then(Value::as_str) == Some(t.system.as_str())
                        && c.get("code").and_then(Value::as_str) == Some(t.code.as_str())
                })
            })
        })
    }

    /// The protections that keep a resource out of this release, given the decision.
    fn protections(
        &self,
        resource: &Value,
        request: &ReleaseRequest,
        decision: &Decision,
    ) -> Vec<(Protection, Handling)> {
        let labels = security_labels(resource);
        let names = |codes: &[&str]| {
            decision
                .authorization_scope
                .as_ref()
                .is_some_and(|s| s.names_label(codes))
        };
        let to_individual = matches!(
            request.requester,
            Requester::Patient | Requester::PersonalRepresentative
        );
        let mut out = Vec::new();
        // 164.508(a)(2): an authorization naming them; exception for oversight of the
        // originator (164.508(a)(2)(ii), 164.512(d)). Excluded from the right of access,
        // 164.524(a)(1)(i).
        if self.is_psychotherapy_note(resource, &labels)
            && !names(&pattern_codes(self.psychotherapy_labels()))
            && request.purpose != Purpose::HealthOversight
        {
            out.push((Protection::PsychotherapyNotes, Handling::Withhold));
        }
        // 42 CFR Part 2: the patient (2.23), a consent naming SUD records (2.31), audit and
        // evaluation (2.53), de-identified data (not patient identifying).
        if any_label(&labels, self.sud_labels())
            && !to_individual
            && !names(&pattern_codes(self.sud_labels()))
            && request.purpose != Purpose::HealthOversight
            && decision.decision != DecisionKind::DeIdentified
        {
            out.push((Protection::SubstanceUseDisorder, Handling::Withhold));
        }
        for cat in self.sensitive_categories() {
            if !any_label(&labels, &cat.labels) {
                continue;
            }
            // A purpose exemption for patient access covers the individual only: a copy the
            // patient directs to a third party (164.524(c)(3)(ii)) still needs the category named.
            let exempt = (cat.released_for.contains(&request.purpose)
                && (request.purpose != Purpose::PatientAccess || to_individual))
                || (to_individual && cat.released_for.contains(&Purpose::PatientAccess));
            if !exempt && !names(&pattern_codes(&cat.labels)) {
                out.push((Protection::Sensitive(cat.name.clone()), cat.handling));
            }
        }
        out
    }

    /// Decides a request and carries it out on a record: `inputs` are FHIR resources or
    /// Bundles (flattened); the result holds the final decision and the released bundle.
    /// A `limited-data-set` or `de-identified` decision passes the bundle through
    /// `deidentifier`; if that fails nothing is released.
    pub fn release(
        &self,
        request: &ReleaseRequest,
        inputs: &[Value],
        deidentifier: &dyn DeidTransform,
    ) -> Result<Release, ReleaseError> {
        let mut entries = Vec::new();
        flatten(inputs, &mut entries);

        // The patient: by id, identifier value or fullUrl.
        let mut patient_ids: BTreeSet<String> = BTreeSet::new();
        patient_ids.insert(request.patient.clone());
        let mut patient_urls: BTreeSet<String> = BTreeSet::new();
        let mut patient_found = false;
        for e in &entries {
            let r = e.resource;
            if r.get("resourceType").and_then(Value::as_str) != Some("Patient") {
                continue;
            }
            let id = r.get("id").and_then(Value::as_str);
            let by_id = id == Some(request.patient.as_str());
            let by_url = e
                .full_url
                .is_some_and(|u| reference_names(u, "Patient", &request.patient));
            let by_identifier = r
                .get("identifier")
                .and_then(Value::as_array)
                .is_some_and(|ids| {
                    ids.iter().any(|i| {
                        i.get("value").and_then(Value::as_str) == Some(request.patient.as_str())
                    })
                });
            if by_id || by_url || by_identifier {
                patient_found = true;
                if let Some(id) = id {
                    patient_ids.insert(id.to_string());
                }
                if let Some(u) = e.full_url {
                    patient_urls.insert(u.to_string());
                }
            }
        }
        let is_ours = |reference: &str| {
            patient_urls.contains(reference)
                || patient_ids
                    .iter()
                    .any(|id| reference_names(reference, "Patient", id))
        };
        let ids: Vec<&str> = patient_ids.iter().map(String::as_str).collect();
        let mut decision = self.decide(request, &ids);

        let mut release = Release {
            decision: decision.clone(),
            bundle: None,
            released: Vec::new(),
            withheld: Vec::new(),
            omitted: BTreeSet::new(),
            patient_found,
        };
        if !decision.decision.releases() {
            return Ok(release);
        }

        let table = if decision.minimum_necessary {
            // Fail closed: a purpose the standard applies to with no table releases nothing.
            Some(self.minimum_necessary(request.purpose))
        } else {
            None
        };
        let auth_period = decision
            .authorization_scope
            .as_ref()
            .map(|s| s.data_period)
            .unwrap_or(DateRange::ALL);
        let asked: BTreeSet<&str> = request.record_types.iter().map(String::as_str).collect();

        let all_patient_urls: BTreeSet<&str> = entries
            .iter()
            .filter(|e| e.resource.get("resourceType").and_then(Value::as_str) == Some("Patient"))
            .filter_map(|e| e.full_url)
            .collect();
        let mut out_entries: Vec<(usize, Value)> = Vec::new();
        let mut denied_by: Option<Protection> = None;
        // Patient resources first; supporting resources (no patient reference) afterwards, and
        // only those a released resource references (minimum necessary: no unrelated staff or
        // organizations).
        let mut supporting: Vec<usize> = Vec::new();
        let mut released_refs: BTreeSet<String> = BTreeSet::new();
        for pass in 0..2 {
            let indices: Vec<usize> = if pass == 0 {
                (0..entries.len()).collect()
            } else {
                std::mem::take(&mut supporting)
            };
            for i in indices {
                let e = &entries[i];
                let r = e.resource;
                let k = key(r);
                if pass == 0 {
                    // 1. The patient's own, or supporting.
                    if k.resource_type == "Patient" {
                        let ours = patient_ids.contains(&k.id)
                            || e.full_url.is_some_and(|u| patient_urls.contains(u));
                        if !ours {
                            continue;
                        }
                    } else {
                        let mut refs = Vec::new();
                        collect_references(r, &mut refs);
                        let any_ours = refs.iter().any(|s| is_ours(s));
                        let any_patient = refs
                            .iter()
                            .any(|s| s.starts_with("Patient/") || s.contains("/Patient/"));
                        if !any_ours {
                            if !any_patient && !refs.iter().any(|s| all_patient_urls.contains(s)) {
                                supporting.push(i);
                            }
                            continue;
                        }
                    }
                } else {
                    let referenced = e.full_url.is_some_and(|u| released_refs.contains(u))
                        || released_refs.iter().any(|s| {
                            reference_names(s, &k.resource_type, &k.id) && !k.id.is_empty()
                        });
                    if !referenced {
                        continue;
                    }
                }
                // 2. Dates.
                if !in_range(r, &request.date_range) || !in_range(r, &auth_period) {
                    release.omitted.insert(k.resource_type.clone());
                    continue;
                }
                // 3. Types.
                let elements: Option<&ElementSet> = match table {
                    Some(Some(t)) => t.elements(&k.resource_type),
                    Some(None) => None,
                    None => Some(&ElementSet::All),
                };
                let type_ok = (asked.is_empty() || asked.contains(k.resource_type.as_str()))
                    && decision
                        .authorization_scope
                        .as_ref()
                        .is_none_or(|s| s.covers_type(&k.resource_type))
                    && elements.is_some();
                if !type_ok {
                    release.omitted.insert(k.resource_type.clone());
                    continue;
                }
                // 4. Special protections.
                let protections = self.protections(r, request, &decision);
                if !protections.is_empty() {
                    for (p, handling) in protections {
                        if handling == Handling::Deny && denied_by.is_none() {
                            denied_by = Some(p.clone());
                        }
                        release.withheld.push(Withheld {
                            resource: k.clone(),
                            basis: p.basis(),
                            protection: p,
                        });
                    }
                    continue;
                }
                // 5. Elements.
                let kept = match elements {
                    Some(ElementSet::All) | None => r.clone(),
                    Some(set) => match r {
                        Value::Object(m) => Value::Object(
                            m.iter()
                                .filter(|(name, _)| set.keeps(name))
                                .map(|(n, v)| (n.clone(), v.clone()))
                                .collect::<Map<String, Value>>(),
                        ),
                        other => other.clone(),
                    },
                };
                let mut refs = Vec::new();
                collect_references(&kept, &mut refs);
                released_refs.extend(refs.into_iter().map(str::to_string));
                let full_url = e
                    .full_url
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("{}/{}", k.resource_type, k.id));
                out_entries.push((i, json!({"fullUrl": full_url, "resource": kept})));
            }
        }
        out_entries.sort_by_key(|(i, _)| *i);
        release.released = out_entries
            .iter()
            .map(|(_, v)| key(&v["resource"]))
            .collect();
        let out_entries: Vec<Value> = out_entries.into_iter().map(|(_, v)| v).collect();

        if let Some(p) = denied_by {
            decision.decision = DecisionKind::Deny;
            decision.basis = p.basis();
            decision.reason = format!(
                "Refused: the records asked for include {p}, which this facility releases only to the patient or with an authorization that names them."
            );
            decision.accounting_required = false;
            release.decision = decision;
            release.released.clear();
            return Ok(release);
        }

        let mut bundle = json!({
            "resourceType": "Bundle",
            "type": "collection",
            "entry": out_entries,
        });
        match decision.decision {
            DecisionKind::LimitedDataSet => {
                bundle = deidentifier
                    .limited_data_set(bundle)
                    .map_err(|m| ReleaseError {
                        kind: ReleaseErrorKind::Deidentification,
                        message: format!("limited data set: {m}"),
                    })?;
            }
            DecisionKind::DeIdentified => {
                bundle = deidentifier.safe_harbor(bundle).map_err(|m| ReleaseError {
                    kind: ReleaseErrorKind::Deidentification,
                    message: format!("de-identification: {m}"),
                })?;
            }
            _ => {}
        }
        release.bundle = Some(bundle);
        release.decision = decision;
        Ok(release)
    }
}
