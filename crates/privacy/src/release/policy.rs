//! The release policy: the facility's configuration (minimum-necessary tables, sensitive
//! categories) and the decision rules of the HIPAA Privacy Rule.
//!
//! # The decision rules
//!
//! In order; the first that applies decides.
//!
//! 1. The patient or a personal representative asks: `permit`, 45 CFR 164.524 (right of access)
//!    for `patient-access`, else 164.502(a)(1)(i) (disclosure to the individual). No accounting
//!    (164.528(a)(1)(ii)); minimum necessary does not apply (164.502(b)(2)(ii)).
//! 2. A valid authorization covers the request (signed, in force, unexpired, names the
//!    recipient, covers the purpose and the record types): `permit-with-authorization`,
//!    164.508(a)(1) (marketing: 164.508(a)(3); a copy the patient directs to a third party:
//!    164.524(c)(3)(ii)). No accounting (164.528(a)(1)(iv)); minimum necessary does not apply
//!    (164.502(b)(2)(iii)).
//! 3. Without authorization, by purpose:
//!    - `treatment` to a provider: `permit`, 164.506(c) (no accounting, no minimum necessary);
//!    - `payment` to a payer or provider, `operations` to a provider or payer: `permit`,
//!      164.506(c) (no accounting; minimum necessary applies);
//!    - `public-health` to a public health authority: `permit`, 164.512(b);
//!    - `health-oversight` to a health oversight agency: `permit`, 164.512(d);
//!    - `court-order` (any requester presenting the order): `permit`, 164.512(e)(1)(i), only
//!      what the order names (give its record types and dates with the request);
//!    - `subpoena` with satisfactory assurance (164.512(e)(1)(ii)(A)/(B)): `permit`; without:
//!      `deny`;
//!    - `law-enforcement` to a law enforcement official: `permit`, 164.512(f), limited by the
//!      default policy to the identification and location elements of 164.512(f)(2);
//!    - `research` under an IRB / privacy board waiver approved on or before the decision day:
//!      `permit`, 164.512(i)(1)(i);
//!    - all 164.512 disclosures above are accounted (164.528(a)) and minimum necessary applies,
//!      except a court order (required by law, 164.502(b)(2)(v));
//!    - `research` without waiver, and `operations` or `public-health` by anyone else: with a
//!      data use agreement `limited-data-set`, 164.514(e) (no accounting, 164.528(a)(1)(viii));
//!      research without one: `de-identified`, 164.514(b) / 164.502(d)(2) (not PHI);
//!    - `marketing`: `deny`, 164.508(a)(3);
//!    - anything else: `deny`, 164.508(a)(1) (an authorization is needed), or 164.508(b)(2) when
//!      the authorization given is defective, with every defect listed.
//!
//! Special protections then filter the released records (see [`crate::release::disclose`]):
//! psychotherapy notes (164.508(a)(2)), 42 CFR Part 2 records, and the facility's sensitive
//! categories (45 CFR 160.203(b)).

use super::authorization::{AuthorizationProblem, AuthorizationScope};
use super::request::ReleaseRequest;
use super::vocab::{Basis, DecisionKind, Purpose, Requester};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// The policy medrec ships with (`default-policy.toml`).
pub const DEFAULT_POLICY_TOML: &str = include_str!("default-policy.toml");

/// Which elements of a resource type a purpose may receive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ElementSet {
    /// Every element.
    All,
    /// Only these top-level elements (plus `resourceType`, `id`, `meta`).
    Only(BTreeSet<String>),
}

impl ElementSet {
    /// Whether a top-level element is kept.
    pub fn keeps(&self, element: &str) -> bool {
        matches!(element, "resourceType" | "id" | "meta")
            || match self {
                ElementSet::All => true,
                ElementSet::Only(set) => set.contains(element),
            }
    }
}

/// The minimum-necessary table of one purpose: resource type → elements.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MinimumNecessary {
    types: BTreeMap<String, ElementSet>,
    any_type: Option<ElementSet>,
}

impl MinimumNecessary {
    /// The elements of a resource type released, or `None` if the type is not released.
    pub fn elements(&self, resource_type: &str) -> Option<&ElementSet> {
        self.types.get(resource_type).or(self.any_type.as_ref())
    }

    fn from_table(table: BTreeMap<String, Vec<String>>) -> MinimumNecessary {
        let mut out = MinimumNecessary::default();
        for (ty, elements) in table {
            let set = if elements.iter().any(|e| e == "*") {
                ElementSet::All
            } else {
                ElementSet::Only(elements.into_iter().collect())
            };
            if ty == "*" {
                out.any_type = Some(set);
            } else {
                out.types.insert(ty, set);
            }
        }
        out
    }
}

/// How a sensitive category is handled when the request may not include it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Handling {
    /// Withhold the labelled records, release the rest.
    Withhold,
    /// Refuse the whole request when labelled records are in scope.
    Deny,
}

/// A security label (`meta.security`) pattern: a code, optionally with its system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelPattern {
    system: Option<String>,
    code: String,
}

impl LabelPattern {
    /// Parses `CODE` or `SYSTEM|CODE`.
    pub fn parse(s: &str) -> LabelPattern {
        match s.rsplit_once('|') {
            Some((system, code)) => LabelPattern {
                system: Some(system.to_string()),
                code: code.to_string(),
            },
            None => LabelPattern {
                system: None,
                code: s.to_string(),
            },
        }
    }

    /// Whether a coding (system, code) matches.
    pub fn matches(&self, system: Option<&str>, code: &str) -> bool {
        self.code == code && self.system.as_deref().is_none_or(|s| Some(s) == system)
    }

    /// The code.
    pub fn code(&self) -> &str {
        &self.code
    }
}

/// A facility-configured sensitive category (HIV, reproductive health, genetic …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SensitiveCategory {
    /// Its name (`hiv`).
    pub name: String,
    /// The `meta.security` labels that mark it.
    pub labels: Vec<LabelPattern>,
    /// Withhold or deny.
    pub handling: Handling,
    /// Purposes that receive it without an authorization naming it.
    pub released_for: BTreeSet<Purpose>,
}

/// The special protection that keeps a record out of a release.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "protection", content = "category")]
#[non_exhaustive]
pub enum Protection {
    /// Psychotherapy notes, 45 CFR 164.508(a)(2).
    PsychotherapyNotes,
    /// Substance use disorder records, 42 CFR Part 2.
    SubstanceUseDisorder,
    /// A facility-configured sensitive category (by name).
    Sensitive(String),
}

impl Protection {
    /// The rule the protection rests on.
    pub fn basis(&self) -> Basis {
        match self {
            Protection::PsychotherapyNotes => Basis::PsychotherapyNotes,
            Protection::SubstanceUseDisorder => Basis::Part2,
            Protection::Sensitive(_) => Basis::MoreStringentLaw,
        }
    }
}

impl fmt::Display for Protection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Protection::PsychotherapyNotes => f.write_str("psychotherapy notes"),
            Protection::SubstanceUseDisorder => f.write_str("substance use disorder records"),
            Protection::Sensitive(name) => write!(f, "{name} records"),
        }
    }
}

/// A coding (system, code) naming a document type the facility treats as psychotherapy notes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentType {
    /// Code system (e.g. `http://loinc.org` or a local system).
    pub system: String,
    /// Code.
    pub code: String,
}

/// A release policy: the facility's minimum-necessary tables and special protections, and
/// the decision rules of the Privacy Rule (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct ReleasePolicy {
    minimum_necessary: BTreeMap<Purpose, MinimumNecessary>,
    psychotherapy_labels: Vec<LabelPattern>,
    psychotherapy_document_types: Vec<DocumentType>,
    sud_labels: Vec<LabelPattern>,
    sensitive: Vec<SensitiveCategory>,
}

/// A policy file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("release policy: {message}")]
pub struct PolicyError {
    kind: PolicyErrorKind,
    message: String,
}

/// The kind of a [`PolicyError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PolicyErrorKind {
    /// Not valid TOML, or not the expected shape (the message gives line and column).
    Syntax,
    /// A purpose name that is not in the vocabulary.
    UnknownPurpose,
}

impl PolicyError {
    /// What kind of error this is.
    pub fn kind(&self) -> PolicyErrorKind {
        self.kind
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    #[serde(default)]
    minimum_necessary: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    #[serde(default)]
    psychotherapy_notes: PsychotherapyFile,
    #[serde(default)]
    substance_use_disorder: LabelsFile,
    #[serde(default)]
    sensitive_categories: Vec<CategoryFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PsychotherapyFile {
    #[serde(default = "default_psychotherapy_labels")]
    labels: Vec<String>,
    #[serde(default)]
    document_types: Vec<DocumentType>,
}

impl Default for PsychotherapyFile {
    fn default() -> Self {
        PsychotherapyFile {
            labels: default_psychotherapy_labels(),
            document_types: Vec::new(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LabelsFile {
    #[serde(default = "default_sud_labels")]
    labels: Vec<String>,
}

impl Default for LabelsFile {
    fn default() -> Self {
        LabelsFile {
            labels: default_sud_labels(),
        }
    }
}

// The federal protections cannot be switched off by leaving a section out of a policy file.
fn default_psychotherapy_labels() -> Vec<String> {
    vec!["PSYTHPN".into()]
}

fn default_sud_labels() -> Vec<String> {
    vec!["ETH".into(), "SUD".into(), "OPIOIDUD".into()]
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CategoryFile {
    name: String,
    labels: Vec<String>,
    handling: Handling,
    #[serde(default)]
    released_for: Vec<String>,
}

fn purpose_named(name: &str) -> Result<Purpose, PolicyError> {
    name.parse()
        .map_err(|e: super::vocab::UnknownValue| PolicyError {
            kind: PolicyErrorKind::UnknownPurpose,
            message: e.to_string(),
        })
}

impl Default for ReleasePolicy {
    fn default() -> ReleasePolicy {
        ReleasePolicy::from_toml(DEFAULT_POLICY_TOML).expect("the embedded default policy parses")
    }
}

impl ReleasePolicy {
    /// Reads a policy from TOML (the format of `default-policy.toml`).
    pub fn from_toml(text: &str) -> Result<ReleasePolicy, PolicyError> {
        let file: PolicyFile = toml::from_str(text).map_err(|e| PolicyError {
            kind: PolicyErrorKind::Syntax,
            message: e.to_string(),
        })?;
        let mut minimum_necessary = BTreeMap::new();
        for (purpose, table) in file.minimum_necessary {
            minimum_necessary.insert(
                purpose_named(&purpose)?,
                MinimumNecessary::from_table(table),
            );
        }
        let mut sensitive = Vec::new();
        for c in file.sensitive_categories {
            sensitive.push(SensitiveCategory {
                name: c.name,
                labels: c.labels.iter().map(|l| LabelPattern::parse(l)).collect(),
                handling: c.handling,
                released_for: c
                    .released_for
                    .iter()
                    .map(|p| purpose_named(p))
                    .collect::<Result<_, _>>()?,
            });
        }
        Ok(ReleasePolicy {
            minimum_necessary,
            psychotherapy_labels: file
                .psychotherapy_notes
                .labels
                .iter()
                .map(|l| LabelPattern::parse(l))
                .collect(),
            psychotherapy_document_types: file.psychotherapy_notes.document_types,
            sud_labels: file
                .substance_use_disorder
                .labels
                .iter()
                .map(|l| LabelPattern::parse(l))
                .collect(),
            sensitive,
        })
    }

    /// The minimum-necessary table of a purpose (`None`: nothing is released when the
    /// standard applies — fail closed).
    pub fn minimum_necessary(&self, purpose: Purpose) -> Option<&MinimumNecessary> {
        self.minimum_necessary.get(&purpose)
    }

    /// Replaces the minimum-necessary table of a purpose: `types` maps a resource type (or
    /// `"*"`) to its elements (`"*"` = all).
    pub fn set_minimum_necessary(
        &mut self,
        purpose: Purpose,
        types: BTreeMap<String, Vec<String>>,
    ) {
        self.minimum_necessary
            .insert(purpose, MinimumNecessary::from_table(types));
    }

    /// Adds a document type (coding) the facility treats as psychotherapy notes.
    pub fn add_psychotherapy_document_type(&mut self, system: &str, code: &str) {
        self.psychotherapy_document_types.push(DocumentType {
            system: system.into(),
            code: code.into(),
        });
    }

    /// The facility's sensitive categories.
    pub fn sensitive_categories(&self) -> &[SensitiveCategory] {
        &self.sensitive
    }

    /// Replaces the facility's sensitive categories.
    pub fn set_sensitive_categories(&mut self, categories: Vec<SensitiveCategory>) {
        self.sensitive = categories;
    }

    pub(crate) fn psychotherapy_labels(&self) -> &[LabelPattern] {
        &self.psychotherapy_labels
    }

    pub(crate) fn psychotherapy_document_types(&self) -> &[DocumentType] {
        &self.psychotherapy_document_types
    }

    pub(crate) fn sud_labels(&self) -> &[LabelPattern] {
        &self.sud_labels
    }

    /// Decides a request without looking at the records (the special protections, which do,
    /// are applied by [`ReleasePolicy::release`](crate::release::ReleasePolicy::release)).
    /// `patient_ids` are the ids and identifiers the patient is known by (for the
    /// authorization's patient check); the request's `patient` is always included.
    pub fn decide(&self, request: &ReleaseRequest, patient_ids: &[&str]) -> Decision {
        let mut ids: Vec<&str> = vec![request.patient.as_str()];
        ids.extend_from_slice(patient_ids);
        let auth = request.authorization.as_ref().map(|a| {
            a.check(
                &ids,
                &request.recipient,
                request.purpose,
                &request.record_types,
                request.on,
            )
        });
        let (scope, problems) = match auth {
            Some(Ok(scope)) => (Some(scope), Vec::new()),
            Some(Err(problems)) => (None, problems),
            None => (None, Vec::new()),
        };
        decide_rules(
            request,
            scope,
            problems,
            self.minimum_necessary.contains_key(&request.purpose),
        )
    }
}

/// The outcome of the decision rules.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    /// What was decided.
    pub decision: DecisionKind,
    /// The rule it rests on.
    pub basis: Basis,
    /// Plain words for the requester.
    pub reason: String,
    /// Whether the disclosure must appear in the patient's accounting (45 CFR 164.528).
    pub accounting_required: bool,
    /// Whether the minimum-necessary standard limits what is released.
    pub minimum_necessary: bool,
    /// Why the authorization given could not be used (empty when none was given or it was
    /// valid).
    pub authorization_problems: Vec<AuthorizationProblem>,
    /// What a valid authorization lets through (`None` when none is used).
    #[serde(skip)]
    pub authorization_scope: Option<AuthorizationScope>,
}

fn list_problems(problems: &[AuthorizationProblem]) -> String {
    problems
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

fn requester_words(r: Requester) -> &'static str {
    match r {
        Requester::Patient => "the patient",
        Requester::PersonalRepresentative => "a personal representative",
        Requester::Provider => "a health care provider",
        Requester::Payer => "a health plan or payer",
        Requester::PublicHealthAuthority => "a public health authority",
        Requester::HealthOversightAgency => "a health oversight agency",
        Requester::Court => "a court",
        Requester::Attorney => "an attorney",
        Requester::LawEnforcement => "a law enforcement official",
        Requester::Researcher => "a researcher",
        Requester::Employer => "an employer",
        Requester::Other => "this requester",
    }
}

fn decide_rules(
    request: &ReleaseRequest,
    scope: Option<AuthorizationScope>,
    problems: Vec<AuthorizationProblem>,
    _has_table: bool,
) -> Decision {
    let purpose = request.purpose;
    let requester = request.requester;
    let mk = |decision, basis, reason: String, accounting_required, minimum_necessary| Decision {
        decision,
        basis,
        reason,
        accounting_required,
        minimum_necessary,
        authorization_problems: Vec::new(),
        authorization_scope: None,
    };
    let unused_note = if problems.is_empty() {
        String::new()
    } else {
        format!(
            " The authorization on file was not used: {}.",
            list_problems(&problems)
        )
    };

    // 1. The individual (or a personal representative, 164.502(g)).
    if matches!(
        requester,
        Requester::Patient | Requester::PersonalRepresentative
    ) {
        let (basis, reason) = if purpose == Purpose::PatientAccess {
            (
                Basis::RightOfAccess,
                "Released: patients have the right to inspect and obtain a copy of their own records. Psychotherapy notes are not part of that right.".to_string(),
            )
        } else {
            (
                Basis::ToIndividual,
                "Released: records may always be disclosed to the patient they are about."
                    .to_string(),
            )
        };
        let mut d = mk(DecisionKind::Permit, basis, reason, false, false);
        d.authorization_problems = problems;
        return d;
    }

    // 2. A valid authorization covers the request.
    if let Some(scope) = scope {
        let (basis, reason) = match purpose {
            Purpose::Marketing => (
                Basis::Marketing,
                "Released with the patient's signed authorization, which marketing requires.",
            ),
            Purpose::PatientAccess => (
                Basis::AccessToThirdParty,
                "Released to the person the patient named in a signed, written direction.",
            ),
            _ => (
                Basis::Authorization,
                "Released with the patient's signed authorization, which covers this requester, purpose and these records.",
            ),
        };
        let mut d = mk(
            DecisionKind::PermitWithAuthorization,
            basis,
            reason.to_string(),
            false,
            false,
        );
        d.authorization_scope = Some(scope);
        return d;
    }

    // 3. Without authorization.
    let who = requester_words(requester);
    let needs_authorization = |problems: Vec<AuthorizationProblem>, what: String| {
        if problems.is_empty() {
            let mut d = mk(
                DecisionKind::Deny,
                Basis::Authorization,
                format!(
                    "Refused: {what} needs the patient's signed authorization, and none is on file."
                ),
                false,
                false,
            );
            d.authorization_problems = problems;
            d
        } else {
            let mut d = mk(
                DecisionKind::Deny,
                Basis::DefectiveAuthorization,
                format!(
                    "Refused: {what} needs the patient's signed authorization, and the one on file cannot be used: {}.",
                    list_problems(&problems)
                ),
                false,
                false,
            );
            d.authorization_problems = problems;
            d
        }
    };
    let mut d = match purpose {
        Purpose::Treatment if requester == Requester::Provider => mk(
            DecisionKind::Permit,
            Basis::Tpo,
            "Released without authorization: a health care provider may receive records for the patient's treatment.".into(),
            false,
            false,
        ),
        Purpose::Payment if matches!(requester, Requester::Payer | Requester::Provider) => mk(
            DecisionKind::Permit,
            Basis::Tpo,
            "Released without authorization for payment, limited to the minimum necessary.".into(),
            false,
            true,
        ),
        Purpose::Operations if matches!(requester, Requester::Provider | Requester::Payer) => mk(
            DecisionKind::Permit,
            Basis::Tpo,
            "Released without authorization for health care operations, limited to the minimum necessary.".into(),
            false,
            true,
        ),
        Purpose::PublicHealth if requester == Requester::PublicHealthAuthority => mk(
            DecisionKind::Permit,
            Basis::PublicHealth,
            "Released without authorization to a public health authority for public health activities, limited to the minimum necessary; the disclosure is recorded for the patient's accounting.".into(),
            true,
            true,
        ),
        Purpose::HealthOversight if requester == Requester::HealthOversightAgency => mk(
            DecisionKind::Permit,
            Basis::HealthOversight,
            "Released without authorization to a health oversight agency for oversight activities; the disclosure is recorded for the patient's accounting.".into(),
            true,
            true,
        ),
        Purpose::CourtOrder => mk(
            DecisionKind::Permit,
            Basis::CourtOrder,
            "Released as the court order requires, only the records it names; the disclosure is recorded for the patient's accounting.".into(),
            true,
            false,
        ),
        Purpose::Subpoena if request.satisfactory_assurance => mk(
            DecisionKind::Permit,
            Basis::Subpoena,
            "Released for the subpoena, which comes with assurance that the patient was notified or a protective order sought; limited to the minimum necessary and recorded for the patient's accounting.".into(),
            true,
            true,
        ),
        Purpose::Subpoena => {
            let mut d = mk(
                DecisionKind::Deny,
                Basis::Subpoena,
                "Refused: a subpoena without a court order must come with assurance that the patient was notified or that a qualified protective order was sought, or with the patient's authorization.".into(),
                false,
                false,
            );
            d.authorization_problems = problems.clone();
            d.reason.push_str(&unused_note);
            d
        }
        Purpose::LawEnforcement if requester == Requester::LawEnforcement => mk(
            DecisionKind::Permit,
            Basis::LawEnforcement,
            "Released without authorization to law enforcement, limited to the minimum necessary (identification and location details by default); the disclosure is recorded for the patient's accounting.".into(),
            true,
            true,
        ),
        Purpose::Research => match &request.waiver {
            Some(w) if w.approved_on <= request.on => mk(
                DecisionKind::Permit,
                Basis::ResearchWaiver,
                format!(
                    "Released without authorization under the waiver approved by {} on {}, limited to the minimum necessary; the disclosure is recorded for the patient's accounting.",
                    w.approved_by, w.approved_on
                ),
                true,
                true,
            ),
            waiver => {
                let late = match waiver {
                    Some(w) => format!(
                        " The waiver given is dated {}, after today, so it cannot be used.",
                        w.approved_on
                    ),
                    None => String::new(),
                };
                if request.data_use_agreement {
                    mk(
                        DecisionKind::LimitedDataSet,
                        Basis::LimitedDataSet,
                        format!("Released only as a limited data set (direct identifiers removed) under the data use agreement; research without authorization or waiver gets no more.{late}"),
                        false,
                        true,
                    )
                } else {
                    mk(
                        DecisionKind::DeIdentified,
                        Basis::DeIdentification,
                        format!("Released only de-identified (Safe Harbor): research without authorization, waiver or data use agreement may not receive identifiable records.{late}"),
                        false,
                        true,
                    )
                }
            }
        },
        Purpose::Operations | Purpose::PublicHealth if request.data_use_agreement => mk(
            DecisionKind::LimitedDataSet,
            Basis::LimitedDataSet,
            format!("Released only as a limited data set (direct identifiers removed) under the data use agreement: {who} may not receive identifiable records for this purpose without authorization."),
            false,
            true,
        ),
        Purpose::Marketing => {
            let mut d = needs_authorization(problems.clone(), "marketing".into());
            if d.basis == Basis::Authorization {
                d.basis = Basis::Marketing;
            }
            d
        }
        Purpose::PatientAccess => {
            let mut d = needs_authorization(
                problems.clone(),
                format!("sending the patient's records to {who}"),
            );
            if d.basis == Basis::Authorization {
                d.basis = Basis::RightOfAccess;
                d.reason = "Refused: only the patient or a personal representative may use the right of access; a copy for anyone else needs the patient's signed, written direction.".into();
            }
            d
        }
        _ => needs_authorization(
            problems.clone(),
            format!("disclosure to {who} for {}", purpose_words(purpose)),
        ),
    };
    if d.decision.releases() && !problems.is_empty() {
        d.authorization_problems = problems;
        d.reason.push_str(&unused_note);
    }
    d
}

fn purpose_words(p: Purpose) -> &'static str {
    match p {
        Purpose::Treatment => "treatment",
        Purpose::Payment => "payment",
        Purpose::Operations => "health care operations",
        Purpose::PatientAccess => "patient access",
        Purpose::PublicHealth => "public health",
        Purpose::HealthOversight => "health oversight",
        Purpose::CourtOrder => "a court order",
        Purpose::Subpoena => "a subpoena",
        Purpose::LawEnforcement => "law enforcement",
        Purpose::Research => "research",
        Purpose::Marketing => "marketing",
        Purpose::Other => "this purpose",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_policy_parses_and_has_tables_for_every_purpose_that_needs_one() {
        let p = ReleasePolicy::default();
        for purpose in Purpose::ALL {
            if matches!(
                purpose,
                Purpose::Payment
                    | Purpose::Operations
                    | Purpose::PublicHealth
                    | Purpose::HealthOversight
                    | Purpose::Subpoena
                    | Purpose::LawEnforcement
                    | Purpose::Research
            ) {
                assert!(p.minimum_necessary(*purpose).is_some(), "{purpose}");
            }
        }
        let pay = p.minimum_necessary(Purpose::Payment).unwrap();
        assert!(pay.elements("Claim").is_some());
        assert!(pay.elements("Observation").is_none());
        assert!(!pay.elements("Patient").unwrap().keeps("telecom"));
        assert!(pay.elements("Patient").unwrap().keeps("id"));
    }

    #[test]
    fn bad_policy_files_are_errors() {
        let e =
            ReleasePolicy::from_toml("[minimum_necessary.fishing]\nPatient = [\"*\"]").unwrap_err();
        assert_eq!(e.kind(), PolicyErrorKind::UnknownPurpose);
        let e = ReleasePolicy::from_toml("minimum_necessary = 3").unwrap_err();
        assert_eq!(e.kind(), PolicyErrorKind::Syntax);
    }
}
