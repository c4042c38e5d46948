//! Rule sets and the reviewer.

use crate::builtin::{BuiltinRule, builtin_rules};
use crate::codes::CodeTables;
use crate::config::{ConfigError, ConfigErrorKind, ReviewConfig};
use crate::context::{CareSetting, EncounterContext, SettingSet};
use crate::rule::{Deficiency, DeficiencyKey, Findings, Rule, Severity};
use jiff::civil::Date;
use medrec_codes::ReleaseHistory;
use medrec_model::PatientRecord;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::sync::Arc;

#[derive(Clone)]
struct Entry {
    rule: Arc<dyn Rule>,
    enabled: bool,
    severity: Severity,
    settings: SettingSet,
}

/// An ordered set of rules with their switches: a value users compose, extend and configure.
///
/// ```
/// use medrec_completeness::{RuleSet, CareSetting, Severity};
/// let rules = RuleSet::default_inpatient()
///     .without("progress-note.missing")
///     .with_severity("hp.late", Severity::Warning)
///     .with_settings("document.unsigned", &[CareSetting::Inpatient, CareSetting::Emergency]);
/// assert!(!rules.is_enabled("progress-note.missing"));
/// assert_eq!(rules.severity("hp.late"), Some(Severity::Warning));
/// ```
#[derive(Clone, Default)]
pub struct RuleSet {
    entries: Vec<Entry>,
}

impl std::fmt::Debug for RuleSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.entries.iter().map(|e| {
                (
                    e.rule.info().id.to_string(),
                    e.enabled,
                    e.severity,
                    e.settings.iter().collect::<Vec<_>>(),
                )
            }))
            .finish()
    }
}

impl RuleSet {
    /// An empty rule set.
    pub fn new() -> RuleSet {
        RuleSet::default()
    }

    /// Every built-in rule with its defaults: the hospital inpatient review of the CMS
    /// Conditions of Participation and the Joint Commission RC standards (`encounter.class`
    /// applies to every encounter, the other rules to inpatient stays).
    pub fn default_inpatient() -> RuleSet {
        let mut s = RuleSet::new();
        for r in builtin_rules() {
            s = s.with(r);
        }
        s
    }

    /// Adds a rule (replacing a rule with the same id, in place).
    pub fn with(mut self, rule: impl Rule + 'static) -> RuleSet {
        self.push(Arc::new(rule));
        self
    }

    /// Adds a shared rule (replacing a rule with the same id, in place).
    pub fn push(&mut self, rule: Arc<dyn Rule>) {
        let info = rule.info();
        let entry = Entry {
            enabled: true,
            severity: info.severity,
            settings: info.settings,
            rule: rule.clone(),
        };
        match self.position(&rule.info().id) {
            Some(i) => self.entries[i] = entry,
            None => self.entries.push(entry),
        }
    }

    /// The rules of `self` followed by those of `other` (a rule of `other` replaces the one of
    /// `self` with the same id, switches included).
    pub fn extend(mut self, other: RuleSet) -> RuleSet {
        for e in other.entries {
            match self.position(&e.rule.info().id) {
                Some(i) => self.entries[i] = e,
                None => self.entries.push(e),
            }
        }
        self
    }

    fn position(&self, id: &str) -> Option<usize> {
        self.entries.iter().position(|e| e.rule.info().id == id)
    }

    /// Switches a rule off (no effect if there is no such rule).
    pub fn without(mut self, id: &str) -> RuleSet {
        if let Some(i) = self.position(id) {
            self.entries[i].enabled = false;
        }
        self
    }

    /// Switches a rule on.
    pub fn enable(mut self, id: &str) -> RuleSet {
        if let Some(i) = self.position(id) {
            self.entries[i].enabled = true;
        }
        self
    }

    /// Overrides a rule's severity.
    pub fn with_severity(mut self, id: &str, severity: Severity) -> RuleSet {
        if let Some(i) = self.position(id) {
            self.entries[i].severity = severity;
        }
        self
    }

    /// Sets the care settings a rule applies to.
    pub fn with_settings(mut self, id: &str, settings: &[CareSetting]) -> RuleSet {
        if let Some(i) = self.position(id) {
            self.entries[i].settings = SettingSet::of(settings);
        }
        self
    }

    /// Applies the `[rules]` section of a configuration. An id that no rule of the set has is
    /// an error of kind [`ConfigErrorKind::UnknownRule`].
    pub fn configure(mut self, config: &ReviewConfig) -> Result<RuleSet, ConfigError> {
        for (id, rc) in &config.rules {
            let Some(i) = self.position(id) else {
                return Err(ConfigError::new(
                    ConfigErrorKind::UnknownRule,
                    Some(format!("rules.\"{id}\"")),
                    format!("no rule has the id `{id}`"),
                ));
            };
            let e = &mut self.entries[i];
            if let Some(on) = rc.enabled {
                e.enabled = on;
            }
            if let Some(s) = rc.severity {
                e.severity = s;
            }
            if let Some(settings) = &rc.settings {
                let mut parsed = Vec::new();
                for (j, s) in settings.iter().enumerate() {
                    match CareSetting::parse(s) {
                        Some(c) => parsed.push(c),
                        None => {
                            return Err(ConfigError::new(
                                ConfigErrorKind::UnknownSetting,
                                Some(format!("rules.\"{id}\".settings[{j}]")),
                                format!("`{s}` is not a care setting"),
                            ));
                        }
                    }
                }
                e.settings = SettingSet::of(&parsed);
            }
        }
        Ok(self)
    }

    /// The rule with this id.
    pub fn get(&self, id: &str) -> Option<&dyn Rule> {
        self.position(id).map(|i| &*self.entries[i].rule)
    }

    /// Whether the rule is in the set and on.
    pub fn is_enabled(&self, id: &str) -> bool {
        self.position(id).is_some_and(|i| self.entries[i].enabled)
    }

    /// The effective severity of a rule.
    pub fn severity(&self, id: &str) -> Option<Severity> {
        self.position(id).map(|i| self.entries[i].severity)
    }

    /// The care settings a rule applies to.
    pub fn settings(&self, id: &str) -> Option<SettingSet> {
        self.position(id).map(|i| self.entries[i].settings)
    }

    /// The rule ids, in order.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| &*e.rule.info().id)
    }

    /// The rules in reverse order (for tests of order independence).
    pub fn reversed(mut self) -> RuleSet {
        self.entries.reverse();
        self
    }

    /// The number of rules.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there is no rule.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The review of one encounter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncounterReview {
    /// Patient id.
    pub patient: Option<String>,
    /// Encounter id (else fullUrl).
    pub encounter: Option<String>,
    /// Care setting.
    pub setting: CareSetting,
    /// Admission date.
    pub admitted: Option<Date>,
    /// Discharge date; `None` while in progress.
    pub discharged: Option<Date>,
    /// The discharging unit.
    pub unit: Option<String>,
    /// What is missing or wrong, sorted by rule id, path, detail.
    pub deficiencies: Vec<Deficiency>,
}

impl EncounterReview {
    /// Whether the record of this encounter is complete (no deficiency of severity error or
    /// warning).
    pub fn is_complete(&self) -> bool {
        self.deficiencies
            .iter()
            .all(|d| d.severity == Severity::Info)
    }
}

/// The review of a patient record: one [`EncounterReview`] per encounter, in record order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordReview {
    /// Patient id.
    pub patient: Option<String>,
    /// One review per encounter.
    pub encounters: Vec<EncounterReview>,
}

impl RecordReview {
    /// Every deficiency of the record.
    pub fn deficiencies(&self) -> impl Iterator<Item = &Deficiency> {
        self.encounters.iter().flat_map(|e| e.deficiencies.iter())
    }

    /// What changed from an earlier review of the same record (after fixes).
    pub fn diff_from(&self, before: &RecordReview) -> ReviewDiff {
        ReviewDiff::between(before.deficiencies(), self.deficiencies())
    }
}

/// The difference between two reviews: deficiencies resolved, new, and still open (by
/// [`Deficiency::key`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReviewDiff {
    /// In the earlier review only: fixed.
    pub resolved: Vec<Deficiency>,
    /// In the later review only.
    pub new: Vec<Deficiency>,
    /// In both (as in the later review).
    pub open: Vec<Deficiency>,
}

impl ReviewDiff {
    /// Compares two lists of deficiencies.
    pub fn between<'a>(
        before: impl IntoIterator<Item = &'a Deficiency>,
        after: impl IntoIterator<Item = &'a Deficiency>,
    ) -> ReviewDiff {
        let before: Vec<&Deficiency> = before.into_iter().collect();
        let after: Vec<&Deficiency> = after.into_iter().collect();
        let before_keys: BTreeSet<DeficiencyKey> = before.iter().map(|d| d.key()).collect();
        let after_keys: BTreeSet<DeficiencyKey> = after.iter().map(|d| d.key()).collect();
        ReviewDiff {
            resolved: before
                .iter()
                .filter(|d| !after_keys.contains(&d.key()))
                .map(|d| (*d).clone())
                .collect(),
            new: after
                .iter()
                .filter(|d| !before_keys.contains(&d.key()))
                .map(|d| (*d).clone())
                .collect(),
            open: after
                .iter()
                .filter(|d| before_keys.contains(&d.key()))
                .map(|d| (*d).clone())
                .collect(),
        }
    }
}

/// Reviews records with a rule set, a configuration and code tables.
///
/// A `Reviewer` is immutable and `Sync`: share one across threads.
#[derive(Debug, Clone)]
pub struct Reviewer {
    rules: RuleSet,
    config: ReviewConfig,
    codes: CodeTables,
}

impl Default for Reviewer {
    fn default() -> Self {
        Reviewer::new()
    }
}

impl Reviewer {
    /// The default inpatient rule set with the default configuration.
    pub fn new() -> Reviewer {
        let config = ReviewConfig::default();
        let codes = CodeTables::new(&config).expect("the default configuration is valid");
        Reviewer {
            rules: RuleSet::default_inpatient(),
            config,
            codes,
        }
    }

    /// A reviewer with `rules` configured by `config` (its `[rules]` section is applied to
    /// `rules`).
    pub fn with_config(rules: RuleSet, config: ReviewConfig) -> Result<Reviewer, ConfigError> {
        let mut config = config;
        config.prepare()?;
        let rules = rules.configure(&config)?;
        let codes = CodeTables::new(&config)?;
        Ok(Reviewer {
            rules,
            config,
            codes,
        })
    }

    /// Checks ICD-10-CM codes against the release in effect on each discharge date.
    pub fn with_code_history(mut self, history: Arc<ReleaseHistory>) -> Reviewer {
        self.codes = self.codes.with_history(history);
        self
    }

    /// The rules.
    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// The configuration.
    pub fn config(&self) -> &ReviewConfig {
        &self.config
    }

    /// Reviews every encounter of a record.
    pub fn review(&self, record: &PatientRecord) -> RecordReview {
        let patient = record.patient();
        let mut out = RecordReview {
            patient: None,
            encounters: Vec::with_capacity(record.encounter_count()),
        };
        for enc in record.encounters() {
            out.encounters
                .push(self.review_encounter_record(record, enc, patient));
        }
        // Read after the encounters: by then the patient is in cache.
        out.patient = patient.and_then(|p| p.id.clone());
        out
    }

    /// Reviews one encounter of a record.
    pub fn review_encounter(
        &self,
        record: &PatientRecord,
        encounter: medrec_model::EncounterRecord<'_>,
    ) -> EncounterReview {
        self.review_encounter_record(record, encounter, record.patient())
    }

    fn review_encounter_record(
        &self,
        record: &PatientRecord,
        encounter: medrec_model::EncounterRecord<'_>,
        patient: Option<&medrec_model::resources::Patient>,
    ) -> EncounterReview {
        // First read what the review reads, level by level, so that cache misses overlap.
        std::hint::black_box(crate::context::prefetch(&encounter, patient));
        let patient = patient.and_then(|p| p.id.as_deref());
        let encounter_id = encounter
            .encounter
            .id
            .clone()
            .or_else(|| encounter.full_url.map(str::to_string));
        let setting = CareSetting::from_class(
            encounter
                .encounter
                .class
                .as_ref()
                .and_then(|c| c.code.as_deref())
                .filter(|c| !c.is_empty()),
        );
        if !self
            .rules
            .entries
            .iter()
            .any(|e| e.enabled && e.settings.contains(setting))
        {
            // No rule applies: skip reading the encounter's facts.
            let period = encounter.encounter.period.as_ref();
            let date = |d: Option<&medrec_model::datatypes::DateTime>| d.and_then(|d| d.date());
            return EncounterReview {
                patient: patient.map(str::to_string),
                encounter: encounter_id,
                setting,
                admitted: date(period.and_then(|p| p.start.as_ref())),
                discharged: date(period.and_then(|p| p.end.as_ref())),
                unit: crate::context::unit_of(&encounter),
                deficiencies: Vec::new(),
            };
        }
        let cx = EncounterContext::new(record, encounter, &self.config, &self.codes);
        let mut deficiencies = Vec::new();
        for e in &self.rules.entries {
            if !e.enabled || !e.settings.contains(cx.setting) {
                continue;
            }
            let mut findings = Findings {
                rule: e.rule.info(),
                severity: e.severity,
                out: &mut deficiencies,
            };
            e.rule.check(&cx, &mut findings);
        }
        for d in &mut deficiencies {
            d.patient = patient.map(str::to_string);
            d.encounter = encounter_id.clone();
            d.unit = cx.unit.clone();
        }
        deficiencies.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        deficiencies.dedup();
        EncounterReview {
            patient: patient.map(str::to_string),
            encounter: encounter_id,
            setting: cx.setting,
            admitted: cx.admission_date,
            discharged: cx.discharged.and(cx.discharge_date),
            unit: cx.unit,
            deficiencies,
        }
    }
}

/// The built-in rules as a vector of shared rules (for building rule sets by hand).
pub fn builtin_rule_set() -> Vec<Arc<dyn Rule>> {
    builtin_rules()
        .into_iter()
        .map(|r: BuiltinRule| Arc::new(r) as Arc<dyn Rule>)
        .collect()
}
