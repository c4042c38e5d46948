//! Authorizations on file (45 CFR 164.508), read from FHIR `Consent` resources, and the checks
//! that make one valid for a given request.
//!
//! Where each element lives (see `shared/reference/fhir-him-mapping.md`):
//!
//! | authorization fact | FHIR R4 `Consent` element |
//! |---|---|
//! | it is a privacy authorization | `scope` = `patient-privacy` (`http://terminology.hl7.org/CodeSystem/consentscope`) |
//! | it permits (not refuses) | `provision.type` = `permit` |
//! | whose records | `patient` |
//! | signed, and when | `dateTime` |
//! | revoked | `status` = `inactive` (any status other than `active` is not in force) |
//! | recipient | `provision.actor[].reference` (reference and/or display name) |
//! | purposes | `provision.purpose[]` (v3 ActReason codes; `PATRQT` = "at the request of the individual") |
//! | record types | `provision.class[]` (FHIR resource type codes); none = the whole record |
//! | sensitive categories named | `provision.securityLabel[]` (v3 ActCode `HIV`, `ETH`, `PSYTHPN` …) |
//! | expiry | `provision.period.end` (and not before `provision.period.start`) |
//! | records of which dates | `provision.dataPeriod` |
//! | parts refused | nested `provision.provision[]` with `type` = `deny` and `class` / `securityLabel` |
//!
//! Checks (45 CFR 164.508(b)(2), defective authorizations; 164.508(c), core elements): signed
//! (a `dateTime` not after the decision day), in force (`status` `active`, not revoked,
//! 164.508(b)(5)), not expired and already effective (`provision.period`), an expiration date
//! present (164.508(c)(1)(v); research authorizations may say "none"), the patient matches, the
//! recipient is named (164.508(c)(1)(iii)), the purpose is covered (164.508(c)(1)(iv)), and the
//! record types asked for are covered (164.508(c)(1)(i)).

use super::dates::{DateRange, DayBounds, day_bounds};
use super::request::Recipient;
use super::vocab::Purpose;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeSet;
use std::fmt;

/// The consent scope system and the scope code of a privacy authorization.
pub const CONSENT_SCOPE_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/consentscope";

/// A person or organization an authorization names as recipient (`Consent.provision.actor`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedRecipient {
    /// `actor.reference.reference`, e.g. `Organization/123`.
    pub reference: Option<String>,
    /// `actor.reference.display`, e.g. `Acme Life Insurance`.
    pub display: Option<String>,
    /// `actor.reference.identifier.value`, if any.
    pub identifier: Option<String>,
}

/// An authorization on file, as read from a FHIR `Consent`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Authorization {
    /// `Consent.id`.
    pub id: Option<String>,
    /// `Consent.status` (`active`, `inactive` = revoked, `draft`, `proposed`, `rejected`,
    /// `entered-in-error`).
    pub status: Option<String>,
    /// `Consent.scope` codes.
    pub scope: Vec<String>,
    /// The patient reference (`Consent.patient.reference`) and identifier value.
    pub patient: Vec<String>,
    /// `Consent.dateTime`: when it was signed.
    pub signed: Option<String>,
    /// `Consent.provision.type`.
    pub provision_type: Option<String>,
    /// `Consent.provision.period.start`.
    pub period_start: Option<String>,
    /// `Consent.provision.period.end`: the expiration date.
    pub period_end: Option<String>,
    /// `Consent.provision.actor[]`: the recipients it names.
    pub recipients: Vec<NamedRecipient>,
    /// `Consent.provision.purpose[].code` (v3 ActReason).
    pub purposes: Vec<String>,
    /// `Consent.provision.class[].code`: resource types; empty = the whole record.
    pub classes: Vec<String>,
    /// `Consent.provision.securityLabel[].code`: sensitive categories it names.
    pub security_labels: Vec<String>,
    /// `Consent.provision.dataPeriod`: only records of these dates.
    pub data_period: Option<DateRange>,
    /// Resource types a nested `deny` provision excludes.
    pub denied_classes: Vec<String>,
    /// Security labels a nested `deny` provision excludes.
    pub denied_security_labels: Vec<String>,
}

/// Why a `Consent` could not be read as an authorization at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("authorization: {problem}")]
pub struct AuthorizationError {
    kind: AuthorizationErrorKind,
    problem: String,
}

/// The kind of an [`AuthorizationError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthorizationErrorKind {
    /// The JSON is not an object with `resourceType` `Consent`.
    NotAConsent,
    /// An element has the wrong JSON type (the problem names its FHIR path).
    Malformed,
}

impl AuthorizationError {
    /// What kind of error this is.
    pub fn kind(&self) -> AuthorizationErrorKind {
        self.kind
    }

    fn malformed(path: &str, expected: &str) -> AuthorizationError {
        AuthorizationError {
            kind: AuthorizationErrorKind::Malformed,
            problem: format!("{path}: expected {expected}"),
        }
    }
}

/// One reason an authorization does not support a request. Each says in plain words what is
/// wrong; the set is `#[non_exhaustive]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum AuthorizationProblem {
    /// `Consent.scope` is not `patient-privacy`.
    NotPrivacyConsent,
    /// `provision.type` is `deny` (or missing): it refuses rather than permits.
    NotPermit,
    /// `status` is `inactive`: the patient revoked it (164.508(b)(5)).
    Revoked,
    /// `status` is something other than `active` / `inactive`.
    NotInForce {
        /// The status found.
        status: String,
    },
    /// It is about another patient.
    OtherPatient,
    /// No signature date (`dateTime`).
    Unsigned,
    /// Signed after the decision day.
    SignedInFuture,
    /// `provision.period.start` is after the decision day.
    NotYetEffective {
        /// The start.
        start: String,
    },
    /// `provision.period.end` has passed (164.508(b)(2)(i)).
    Expired {
        /// The expiration date.
        end: String,
    },
    /// No expiration date (required by 164.508(c)(1)(v) except for research).
    NoExpiration,
    /// It names no recipient (164.508(c)(1)(iii)).
    NoRecipientNamed,
    /// The recipient of this request is not among those it names.
    RecipientNotNamed,
    /// The purpose of this request is not among those it lists.
    PurposeNotCovered,
    /// Some record types asked for are not among those it lists.
    RecordTypesNotCovered {
        /// The types asked for and not covered.
        types: Vec<String>,
    },
}

impl fmt::Display for AuthorizationProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthorizationProblem::NotPrivacyConsent => f.write_str(
                "it is not a privacy authorization (Consent.scope is not patient-privacy)",
            ),
            AuthorizationProblem::NotPermit => {
                f.write_str("it does not permit disclosure (provision.type is not permit)")
            }
            AuthorizationProblem::Revoked => f.write_str("the patient has revoked it"),
            AuthorizationProblem::NotInForce { status } => {
                write!(f, "it is not in force (status {status})")
            }
            AuthorizationProblem::OtherPatient => f.write_str("it is for a different patient"),
            AuthorizationProblem::Unsigned => f.write_str("it is not signed and dated"),
            AuthorizationProblem::SignedInFuture => {
                f.write_str("its signature date is later than today")
            }
            AuthorizationProblem::NotYetEffective { start } => {
                write!(f, "it does not take effect until {start}")
            }
            AuthorizationProblem::Expired { end } => write!(f, "it expired on {end}"),
            AuthorizationProblem::NoExpiration => f.write_str("it has no expiration date"),
            AuthorizationProblem::NoRecipientNamed => {
                f.write_str("it does not name who may receive the records")
            }
            AuthorizationProblem::RecipientNotNamed => {
                f.write_str("it does not name this requester as a recipient")
            }
            AuthorizationProblem::PurposeNotCovered => {
                f.write_str("it does not cover this purpose")
            }
            AuthorizationProblem::RecordTypesNotCovered { types } => {
                write!(f, "it does not cover these records: {}", types.join(", "))
            }
        }
    }
}

/// What a valid authorization lets through (the result of a successful check).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuthorizationScope {
    /// Resource types covered; `None` = the whole record.
    pub classes: Option<BTreeSet<String>>,
    /// Resource types explicitly refused.
    pub denied_classes: BTreeSet<String>,
    /// Sensitive-category security labels it names.
    pub security_labels: BTreeSet<String>,
    /// Security labels explicitly refused.
    pub denied_security_labels: BTreeSet<String>,
    /// Dates of records covered.
    pub data_period: DateRange,
}

impl AuthorizationScope {
    /// Whether a resource type is covered.
    pub fn covers_type(&self, resource_type: &str) -> bool {
        !self.denied_classes.contains(resource_type)
            && self
                .classes
                .as_ref()
                .is_none_or(|c| c.contains(resource_type))
    }

    /// Whether the authorization names a sensitive category by one of these labels.
    pub fn names_label(&self, labels: &[&str]) -> bool {
        labels
            .iter()
            .any(|l| self.security_labels.contains(*l) && !self.denied_security_labels.contains(*l))
    }
}

fn str_at<'a>(v: &'a Value, path: &str, key: &str) -> Result<Option<&'a str>, AuthorizationError> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(AuthorizationError::malformed(
            &format!("{path}.{key}"),
            "a string",
        )),
    }
}

fn array_at<'a>(v: &'a Value, path: &str, key: &str) -> Result<&'a [Value], AuthorizationError> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(a)) => Ok(a),
        Some(_) => Err(AuthorizationError::malformed(
            &format!("{path}.{key}"),
            "an array",
        )),
    }
}

/// Codes of a CodeableConcept (`coding[].code`).
fn concept_codes(v: &Value, path: &str) -> Result<Vec<String>, AuthorizationError> {
    let mut out = Vec::new();
    for (i, c) in array_at(v, path, "coding")?.iter().enumerate() {
        if let Some(code) = str_at(c, &format!("{path}.coding[{i}]"), "code")? {
            out.push(code.to_string());
        }
    }
    Ok(out)
}

/// Codes of an array of Codings (`key[].code`).
fn coding_codes(v: &Value, path: &str, key: &str) -> Result<Vec<String>, AuthorizationError> {
    let mut out = Vec::new();
    for (i, c) in array_at(v, path, key)?.iter().enumerate() {
        if let Some(code) = str_at(c, &format!("{path}.{key}[{i}]"), "code")? {
            out.push(code.to_string());
        }
    }
    Ok(out)
}

fn period(
    v: &Value,
    path: &str,
    key: &str,
) -> Result<(Option<String>, Option<String>), AuthorizationError> {
    match v.get(key) {
        None | Some(Value::Null) => Ok((None, None)),
        Some(p @ Value::Object(_)) => {
            let path = format!("{path}.{key}");
            Ok((
                str_at(p, &path, "start")?.map(str::to_string),
                str_at(p, &path, "end")?.map(str::to_string),
            ))
        }
        Some(_) => Err(AuthorizationError::malformed(
            &format!("{path}.{key}"),
            "a Period",
        )),
    }
}

impl Authorization {
    /// Reads an authorization from FHIR R4 `Consent` JSON.
    pub fn from_consent_json(consent: &Value) -> Result<Authorization, AuthorizationError> {
        if consent.get("resourceType").and_then(Value::as_str) != Some("Consent") {
            return Err(AuthorizationError {
                kind: AuthorizationErrorKind::NotAConsent,
                problem: format!(
                    "expected a Consent resource, found {}",
                    match consent.get("resourceType") {
                        Some(Value::String(s)) => format!("resourceType {s}"),
                        _ => "no resourceType".to_string(),
                    }
                ),
            });
        }
        let root = "Consent";
        let mut patient = Vec::new();
        if let Some(p) = consent.get("patient") {
            if let Some(r) = str_at(p, "Consent.patient", "reference")? {
                patient.push(r.to_string());
            }
            if let Some(ident) = p.get("identifier") {
                if let Some(v) = str_at(ident, "Consent.patient.identifier", "value")? {
                    patient.push(v.to_string());
                }
            }
        }
        let mut scope = Vec::new();
        if let Some(s) = consent.get("scope") {
            scope = concept_codes(s, "Consent.scope")?;
        }
        let empty = Value::Object(Default::default());
        let provision = consent.get("provision").unwrap_or(&empty);
        let pp = "Consent.provision";
        let (period_start, period_end) = period(provision, pp, "period")?;
        let (dp_start, dp_end) = period(provision, pp, "dataPeriod")?;
        let data_period = if provision.get("dataPeriod").is_some() {
            Some(DateRange {
                from: dp_start.as_deref().and_then(day_bounds).map(|b| b.earliest),
                to: dp_end.as_deref().and_then(day_bounds).map(|b| b.latest),
            })
        } else {
            None
        };
        let mut recipients = Vec::new();
        for (i, actor) in array_at(provision, pp, "actor")?.iter().enumerate() {
            let path = format!("{pp}.actor[{i}].reference");
            let Some(r) = actor.get("reference") else {
                continue;
            };
            recipients.push(NamedRecipient {
                reference: str_at(r, &path, "reference")?.map(str::to_string),
                display: str_at(r, &path, "display")?.map(str::to_string),
                identifier: match r.get("identifier") {
                    Some(ident) => {
                        str_at(ident, &format!("{path}.identifier"), "value")?.map(str::to_string)
                    }
                    None => None,
                },
            });
        }
        let mut purposes = coding_codes(provision, pp, "purpose")?;
        purposes.sort();
        purposes.dedup();
        let classes = coding_codes(provision, pp, "class")?;
        let security_labels = coding_codes(provision, pp, "securityLabel")?;
        let mut denied_classes = Vec::new();
        let mut denied_security_labels = Vec::new();
        for (i, nested) in array_at(provision, pp, "provision")?.iter().enumerate() {
            let path = format!("{pp}.provision[{i}]");
            if str_at(nested, &path, "type")? == Some("deny") {
                denied_classes.extend(coding_codes(nested, &path, "class")?);
                denied_security_labels.extend(coding_codes(nested, &path, "securityLabel")?);
            }
        }
        Ok(Authorization {
            id: str_at(consent, root, "id")?.map(str::to_string),
            status: str_at(consent, root, "status")?.map(str::to_string),
            scope,
            patient,
            signed: str_at(consent, root, "dateTime")?.map(str::to_string),
            provision_type: str_at(provision, pp, "type")?.map(str::to_string),
            period_start,
            period_end,
            recipients,
            purposes,
            classes,
            security_labels,
            data_period,
            denied_classes,
            denied_security_labels,
        })
    }

    /// Whether the authorization is about this patient (`Patient/ID`, `urn:uuid:ID`, a full
    /// URL ending in `/Patient/ID`, or the identifier value).
    pub fn is_for_patient(&self, patient_ids: &[&str]) -> bool {
        self.patient.iter().any(|p| {
            patient_ids
                .iter()
                .any(|id| !id.is_empty() && reference_names(p, "Patient", id))
        })
    }

    /// Whether it names this recipient (by reference, identifier, or display name compared
    /// case- and punctuation-insensitively).
    pub fn names_recipient(&self, recipient: &Recipient) -> bool {
        self.recipients.iter().any(|named| {
            let by_reference = match (&named.reference, &recipient.reference) {
                (Some(a), Some(b)) => a == b,
                _ => false,
            };
            let by_identifier = match (&named.identifier, &recipient.reference) {
                (Some(a), Some(b)) => a == b,
                _ => false,
            };
            let by_name = match (&named.display, &recipient.name) {
                (Some(a), Some(b)) => {
                    let (a, b) = (normalize_name(a), normalize_name(b));
                    !a.is_empty() && a == b
                }
                _ => false,
            };
            by_reference || by_identifier || by_name
        })
    }

    /// Whether it covers a purpose: one of the purpose's ActReason codes is listed, or
    /// `PATRQT` ("at the request of the individual", 45 CFR 164.508(c)(1)(iv)).
    pub fn covers_purpose(&self, purpose: Purpose) -> bool {
        self.purposes
            .iter()
            .any(|p| p == "PATRQT" || purpose.act_reason_codes().contains(&p.as_str()))
    }

    /// Checks the authorization against a request. Returns what it lets through, or every
    /// problem found (so the requester learns all of them at once).
    pub fn check(
        &self,
        patient_ids: &[&str],
        recipient: &Recipient,
        purpose: Purpose,
        record_types: &[String],
        on: Date,
    ) -> Result<AuthorizationScope, Vec<AuthorizationProblem>> {
        let mut problems = Vec::new();
        if !self.scope.iter().any(|s| s == "patient-privacy") {
            problems.push(AuthorizationProblem::NotPrivacyConsent);
        }
        if self.provision_type.as_deref() != Some("permit") {
            problems.push(AuthorizationProblem::NotPermit);
        }
        match self.status.as_deref() {
            Some("active") => {}
            Some("inactive") => problems.push(AuthorizationProblem::Revoked),
            other => problems.push(AuthorizationProblem::NotInForce {
                status: other.unwrap_or("missing").to_string(),
            }),
        }
        if !self.is_for_patient(patient_ids) {
            problems.push(AuthorizationProblem::OtherPatient);
        }
        match self.signed.as_deref().map(day_bounds) {
            None | Some(None) => problems.push(AuthorizationProblem::Unsigned),
            Some(Some(DayBounds { earliest, .. })) if earliest > on => {
                problems.push(AuthorizationProblem::SignedInFuture)
            }
            Some(Some(_)) => {}
        }
        if let Some(start) = &self.period_start {
            match day_bounds(start) {
                Some(b) if b.earliest <= on => {}
                _ => problems.push(AuthorizationProblem::NotYetEffective {
                    start: start.clone(),
                }),
            }
        }
        match &self.period_end {
            Some(end) => match day_bounds(end) {
                Some(b) if b.latest >= on => {}
                _ => problems.push(AuthorizationProblem::Expired { end: end.clone() }),
            },
            // 164.508(c)(1)(v): "none" is allowed for research (a research database).
            None if purpose != Purpose::Research => {
                problems.push(AuthorizationProblem::NoExpiration)
            }
            None => {}
        }
        if self.recipients.is_empty() {
            problems.push(AuthorizationProblem::NoRecipientNamed);
        } else if !self.names_recipient(recipient) {
            problems.push(AuthorizationProblem::RecipientNotNamed);
        }
        if !self.covers_purpose(purpose) {
            problems.push(AuthorizationProblem::PurposeNotCovered);
        }
        let classes: Option<BTreeSet<String>> = if self.classes.is_empty() {
            None
        } else {
            Some(self.classes.iter().cloned().collect())
        };
        let denied_classes: BTreeSet<String> = self.denied_classes.iter().cloned().collect();
        let uncovered: Vec<String> = record_types
            .iter()
            .filter(|t| {
                denied_classes.contains(*t) || classes.as_ref().is_some_and(|c| !c.contains(*t))
            })
            .cloned()
            .collect();
        if !uncovered.is_empty() {
            problems.push(AuthorizationProblem::RecordTypesNotCovered { types: uncovered });
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(AuthorizationScope {
            classes,
            denied_classes,
            security_labels: self.security_labels.iter().cloned().collect(),
            denied_security_labels: self.denied_security_labels.iter().cloned().collect(),
            data_period: self.data_period.unwrap_or(DateRange::ALL),
        })
    }
}

/// Whether a FHIR reference string points at `Type/id` (relative, absolute URL or
/// `urn:uuid:id`), or is the bare id / identifier value itself.
pub(crate) fn reference_names(reference: &str, resource_type: &str, id: &str) -> bool {
    if reference == id {
        return true;
    }
    if let Some(uuid) = reference.strip_prefix("urn:uuid:") {
        return uuid == id;
    }
    let (head, tail) = match reference.rsplit_once('/') {
        Some(x) => x,
        None => return false,
    };
    // `Patient/1/_history/2` → the id is before `_history`.
    let (head, tail) = match head.rsplit_once("/_history") {
        Some((h, _)) => match h.rsplit_once('/') {
            Some((hh, t)) => (hh, t),
            None => ("", h),
        },
        None => (head, tail),
    };
    tail == id && (head == resource_type || head.ends_with(&format!("/{resource_type}")))
}

fn normalize_name(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c == '.' || c == ',')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use serde_json::json;

    fn consent() -> Value {
        json!({
            "resourceType": "Consent", "id": "auth1", "status": "active",
            "scope": {"coding": [{"system": CONSENT_SCOPE_SYSTEM, "code": "patient-privacy"}]},
            "patient": {"reference": "Patient/p1"},
            "dateTime": "2025-01-10",
            "provision": {
                "type": "permit",
                "period": {"start": "2025-01-10", "end": "2026-01-10"},
                "actor": [{"reference": {"display": "Acme Life Insurance, Inc."}}],
                "purpose": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": "HPAYMT"}],
                "class": [{"system": "http://hl7.org/fhir/resource-types", "code": "Condition"}],
                "securityLabel": [{"code": "HIV"}]
            }
        })
    }

    fn recipient(name: &str) -> Recipient {
        Recipient {
            name: Some(name.into()),
            ..Recipient::default()
        }
    }

    #[test]
    fn a_complete_authorization_covers_its_request() {
        let a = Authorization::from_consent_json(&consent()).unwrap();
        let scope = a
            .check(
                &["p1"],
                &recipient("ACME life insurance inc"),
                Purpose::Payment,
                &["Condition".into()],
                date(2025, 6, 1),
            )
            .unwrap();
        assert!(scope.covers_type("Condition"));
        assert!(!scope.covers_type("Observation"));
        assert!(scope.names_label(&["HIV"]));
    }

    #[test]
    fn every_defect_is_reported() {
        let mut c = consent();
        c["status"] = json!("inactive");
        c["dateTime"] = json!("2025-07-01");
        let a = Authorization::from_consent_json(&c).unwrap();
        let problems = a
            .check(
                &["p2"],
                &recipient("Someone Else"),
                Purpose::Marketing,
                &["Observation".into()],
                date(2027, 6, 1),
            )
            .unwrap_err();
        assert!(problems.contains(&AuthorizationProblem::Revoked));
        assert!(problems.contains(&AuthorizationProblem::OtherPatient));
        assert!(problems.contains(&AuthorizationProblem::RecipientNotNamed));
        assert!(problems.contains(&AuthorizationProblem::PurposeNotCovered));
        assert!(problems.contains(&AuthorizationProblem::Expired {
            end: "2026-01-10".into()
        }));
        assert!(
            problems
                .iter()
                .any(|p| matches!(p, AuthorizationProblem::RecordTypesNotCovered { .. }))
        );
    }

    #[test]
    fn references_match_in_every_form() {
        assert!(reference_names("Patient/p1", "Patient", "p1"));
        assert!(reference_names(
            "https://x.org/fhir/Patient/p1",
            "Patient",
            "p1"
        ));
        assert!(reference_names("Patient/p1/_history/3", "Patient", "p1"));
        assert!(reference_names("urn:uuid:p1", "Patient", "p1"));
        assert!(!reference_names("Patient/p10", "Patient", "p1"));
        assert!(!reference_names("Group/p1", "Patient", "p1"));
    }

    #[test]
    fn wrong_resource_type_is_an_error_not_a_panic() {
        let e = Authorization::from_consent_json(&json!({"resourceType": "Patient"})).unwrap_err();
        assert_eq!(e.kind(), AuthorizationErrorKind::NotAConsent);
        let e = Authorization::from_consent_json(&json!({"resourceType": "Consent", "status": 3}))
            .unwrap_err();
        assert_eq!(e.kind(), AuthorizationErrorKind::Malformed);
        assert!(e.to_string().contains("Consent.status"));
    }
}
