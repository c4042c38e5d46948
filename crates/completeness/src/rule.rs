//! Rules and what they find: [`Rule`], [`RuleInfo`], [`Deficiency`].

use crate::context::{CareSetting, EncounterContext, SettingSet};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

/// How serious a deficiency is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; never makes a record incomplete on its own.
    Info,
    /// Needs attention (a late or questionable entry).
    Warning,
    /// The record is incomplete until this is fixed.
    Error,
}

impl Severity {
    /// `info`, `warning` or `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The two kinds of record analysis health information management distinguishes (AHIMA).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleKind {
    /// Quantitative analysis: is the required item there (present, dated, signed)?
    Quantitative,
    /// Qualitative analysis: is it right (timely, consistent, correctly coded)?
    Qualitative,
}

/// Who must act on a deficiency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResponsibleRole {
    /// The attending physician of the encounter (`Encounter.participant` type `ATND`).
    Attending,
    /// The author of the document concerned.
    Author,
    /// The surgeon (first performer) of the procedure concerned.
    Surgeon,
    /// Health information management: coding and abstracting staff.
    Coding,
    /// Registration / patient access staff (identification, admit source).
    Registration,
}

impl ResponsibleRole {
    /// `attending`, `author`, `surgeon`, `coding` or `registration`.
    pub fn as_str(self) -> &'static str {
        match self {
            ResponsibleRole::Attending => "attending",
            ResponsibleRole::Author => "author",
            ResponsibleRole::Surgeon => "surgeon",
            ResponsibleRole::Coding => "coding",
            ResponsibleRole::Registration => "registration",
        }
    }
}

/// What a rule is: its stable id, title, source and defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleInfo {
    /// Stable id (JSON field `rule`), e.g. `hp.late`. Built-in ids never change.
    pub id: Cow<'static, str>,
    /// One-line title.
    pub title: Cow<'static, str>,
    /// The regulation, standard or guideline the rule implements.
    pub source: Cow<'static, str>,
    /// Default severity (a [`crate::ReviewConfig`] may override it).
    pub severity: Severity,
    /// Quantitative or qualitative.
    pub kind: RuleKind,
    /// The care settings the rule applies to by default.
    pub settings: SettingSet,
}

impl RuleInfo {
    /// A rule description applying to inpatient stays by default.
    pub fn new(
        id: impl Into<Cow<'static, str>>,
        title: impl Into<Cow<'static, str>>,
        source: impl Into<Cow<'static, str>>,
        severity: Severity,
        kind: RuleKind,
    ) -> RuleInfo {
        RuleInfo {
            id: id.into(),
            title: title.into(),
            source: source.into(),
            severity,
            kind,
            settings: SettingSet::of(&[CareSetting::Inpatient]),
        }
    }

    /// The same with other default care settings.
    pub fn with_settings(mut self, settings: SettingSet) -> RuleInfo {
        self.settings = settings;
        self
    }
}

/// A completeness rule, evaluated on one encounter of a [`medrec_model::PatientRecord`].
///
/// Implement it for your own rules (or use [`FnRule`] with a closure) and add them to a
/// [`crate::RuleSet`]. A rule reports what it finds with [`Findings::push`]; the reviewer fills
/// in the patient, encounter, unit and severity overrides, and sorts the result, so the order in
/// which rules run never matters.
pub trait Rule: Send + Sync {
    /// The rule's id, title, source and defaults.
    fn info(&self) -> &RuleInfo;
    /// Checks one encounter.
    fn check(&self, cx: &EncounterContext<'_>, findings: &mut Findings<'_>);
}

impl fmt::Debug for dyn Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rule").field("id", &self.info().id).finish()
    }
}

type CheckFn = dyn Fn(&EncounterContext<'_>, &mut Findings<'_>) + Send + Sync;

/// A rule made of a [`RuleInfo`] and a closure.
///
/// ```
/// use medrec_completeness::{FnRule, RuleInfo, RuleKind, Severity, RuleSet};
/// let rule = FnRule::new(
///     RuleInfo::new("local.no-location", "Stay has no unit", "Facility policy 12",
///                   Severity::Warning, RuleKind::Quantitative),
///     |cx, findings| {
///         if cx.encounter.encounter.location.is_empty() {
///             findings.push(cx.deficiency("Encounter.location", "no unit recorded"));
///         }
///     },
/// );
/// let rules = RuleSet::default_inpatient().with(rule);
/// assert!(rules.get("local.no-location").is_some());
/// ```
#[derive(Clone)]
pub struct FnRule {
    info: RuleInfo,
    check: Arc<CheckFn>,
}

impl FnRule {
    /// A rule from its description and check.
    pub fn new(
        info: RuleInfo,
        check: impl Fn(&EncounterContext<'_>, &mut Findings<'_>) + Send + Sync + 'static,
    ) -> FnRule {
        FnRule {
            info,
            check: Arc::new(check),
        }
    }
}

impl fmt::Debug for FnRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FnRule").field("info", &self.info).finish()
    }
}

impl Rule for FnRule {
    fn info(&self) -> &RuleInfo {
        &self.info
    }
    fn check(&self, cx: &EncounterContext<'_>, findings: &mut Findings<'_>) {
        (self.check)(cx, findings)
    }
}

/// One deficiency of one encounter: what is missing or wrong, where, who must fix it, by when.
///
/// Its identity (for re-review and diffs) is [`Deficiency::key`]: patient, encounter, rule,
/// path and detail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deficiency {
    /// The patient's logical id (`Patient.id`), if any.
    pub patient: Option<String>,
    /// The encounter's logical id (`Encounter.id`), else its fullUrl.
    pub encounter: Option<String>,
    /// The rule id (`hp.missing` …).
    pub rule: String,
    /// Severity (after configuration overrides).
    pub severity: Severity,
    /// Quantitative or qualitative.
    pub kind: RuleKind,
    /// What is wrong, in words.
    pub message: String,
    /// FHIR path of the offending element (`DocumentReference/dr1.authenticator`) or, for a
    /// missing document, the search that should find it
    /// (`DocumentReference?encounter=Encounter/e1&type=http://loinc.org|34117-2`).
    pub path: String,
    /// The responsible practitioner (`Practitioner/<id>`, else the reference as written), if known.
    pub practitioner: Option<String>,
    /// The practitioner's name, if known.
    pub practitioner_name: Option<String>,
    /// The role that must act.
    pub role: ResponsibleRole,
    /// The date the deficiency is assigned (the discharge date; the admission date for an
    /// unfinished stay).
    pub assigned: Option<Date>,
    /// When it must be completed.
    pub due: Option<Date>,
    /// Sub-id: the MCE-style edit id for `code.edit` (`sex_conflict_dx`).
    pub detail: Option<String>,
    /// The ICD-10-CM / ICD-10-PCS code concerned (code rules, `poa.missing`), as written.
    pub code: Option<String>,
    /// The unit (ward) the patient was discharged from.
    pub unit: Option<String>,
}

/// The identity of a deficiency across reviews.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct DeficiencyKey {
    /// Patient id.
    pub patient: Option<String>,
    /// Encounter id.
    pub encounter: Option<String>,
    /// Rule id.
    pub rule: String,
    /// FHIR path.
    pub path: String,
    /// Detail.
    pub detail: Option<String>,
}

impl Deficiency {
    /// The identity of this deficiency (patient, encounter, rule, path, detail).
    pub fn key(&self) -> DeficiencyKey {
        DeficiencyKey {
            patient: self.patient.clone(),
            encounter: self.encounter.clone(),
            rule: self.rule.clone(),
            path: self.path.clone(),
            detail: self.detail.clone(),
        }
    }

    /// Sets the responsible practitioner and role.
    pub fn responsible(
        mut self,
        role: ResponsibleRole,
        practitioner: Option<(String, Option<String>)>,
    ) -> Deficiency {
        self.role = role;
        match practitioner {
            Some((id, name)) => {
                self.practitioner = Some(id);
                self.practitioner_name = name;
            }
            None => {
                self.practitioner = None;
                self.practitioner_name = None;
            }
        }
        self
    }

    /// Sets the detail.
    pub fn detail(mut self, detail: impl Into<String>) -> Deficiency {
        self.detail = Some(detail.into());
        self
    }

    /// Sets the code concerned.
    pub fn code(mut self, code: impl Into<String>) -> Deficiency {
        self.code = Some(code.into());
        self
    }

    /// Sets the due date.
    pub fn due(mut self, due: Option<Date>) -> Deficiency {
        self.due = due;
        self
    }

    /// Days from the discharge (assignment) date to `as_of`, if assigned.
    pub fn age_days(&self, as_of: Date) -> Option<i32> {
        self.assigned.map(|a| (as_of - a).get_days())
    }

    pub(crate) fn sort_key(&self) -> (&str, &str, Option<&str>, &str) {
        (
            self.rule.as_str(),
            self.path.as_str(),
            self.detail.as_deref(),
            self.message.as_str(),
        )
    }
}

/// Where a rule reports its deficiencies.
#[derive(Debug)]
pub struct Findings<'o> {
    pub(crate) rule: &'o RuleInfo,
    pub(crate) severity: Severity,
    pub(crate) out: &'o mut Vec<Deficiency>,
}

impl Findings<'_> {
    /// Reports a deficiency (usually made with [`EncounterContext::deficiency`]); the rule id,
    /// kind and severity are set from the rule.
    pub fn push(&mut self, mut deficiency: Deficiency) {
        deficiency.rule = self.rule.id.to_string();
        deficiency.kind = self.rule.kind;
        deficiency.severity = self.severity;
        self.out.push(deficiency);
    }

    /// The rule being evaluated.
    pub fn rule(&self) -> &RuleInfo {
        self.rule
    }
}
