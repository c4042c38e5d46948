//! Review configuration: time limits, lists, per-rule switches, from TOML or JSON.
//!
//! ```toml
//! [limits]
//! hp_hours_after_admission = 24     # 42 CFR 482.22(c)(5)(i), 482.24(c)(4)(i)
//! hp_days_before_admission = 30
//! progress_note_min_stay_days = 2
//! completion_days = 30              # 42 CFR 482.24(c)(4)(viii)
//! consent_hours_before_admission = 0
//!
//! [delinquency]
//! after_days = 30
//! aging_buckets = [7, 14, 30, 60, 90]
//! average_over_months = 3
//!
//! [coding]
//! poa_exempt = ["Z37", "Z38", "Z3A", "Y92"]
//! edits = ["sex_conflict_dx", "manifestation_principal"]
//!
//! [encounter]
//! attending_types = ["ATND"]
//!
//! [documents]
//! "http://example.org/note-types|HP" = "history-and-physical"
//!
//! [rules."progress-note.missing"]
//! enabled = false
//!
//! [rules."hp.late"]
//! severity = "warning"
//! settings = ["inpatient", "observation"]
//! ```

use crate::context::{CareSetting, DocumentKind};
use crate::rule::Severity;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

/// Time limits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// An H&P is late when written more than this many hours after admission (default 24;
    /// 42 CFR 482.22(c)(5)(i) and 482.24(c)(4)(i)(A)).
    pub hp_hours_after_admission: i64,
    /// An H&P written more than this many days before admission does not count (default 30;
    /// same sources).
    pub hp_days_before_admission: i64,
    /// A stay of at least this many days (discharge date − admission date) needs a progress
    /// note (default 2).
    pub progress_note_min_stay_days: i32,
    /// The record must be complete this many days after discharge (default 30;
    /// 42 CFR 482.24(c)(4)(viii)); the due date of most deficiencies.
    pub completion_days: i64,
    /// A treatment consent not linked to the procedure counts if dated at most this many hours
    /// before admission (default 0: during the stay).
    pub consent_hours_before_admission: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            hp_hours_after_admission: 24,
            hp_days_before_admission: 30,
            progress_note_min_stay_days: 2,
            completion_days: 30,
            consent_hours_before_admission: 0,
        }
    }
}

/// Delinquency settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DelinquencyConfig {
    /// A record with open deficiencies more than this many days after discharge is delinquent
    /// (default 30: 42 CFR 482.24(c)(4)(viii), Joint Commission RC.01.04.01).
    pub after_days: i64,
    /// Upper bounds (inclusive, days since discharge) of the aging buckets; one more bucket
    /// holds everything older (default 7, 14, 30, 60, 90).
    pub aging_buckets: Vec<i64>,
    /// Months over which the average monthly discharges are counted (default 3: the Joint
    /// Commission measures delinquency quarterly).
    pub average_over_months: i32,
}

impl Default for DelinquencyConfig {
    fn default() -> Self {
        DelinquencyConfig {
            after_days: 30,
            aging_buckets: vec![7, 14, 30, 60, 90],
            average_over_months: 3,
        }
    }
}

/// Coding settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CodingConfig {
    /// ICD-10-CM codes, categories or ranges (`Z37`, `V00-Y99`) exempt from POA reporting.
    /// The default is an APPROXIMATION of the CMS POA-exempt list (not in the shared data):
    /// see [`default_poa_exempt`].
    pub poa_exempt: Vec<String>,
    /// The MCE-style edits of `medrec-codes` reported under `code.edit` (edit ids such as
    /// `sex_conflict_dx`). The default is [`default_code_edits`].
    pub edits: Vec<String>,
}

impl Default for CodingConfig {
    fn default() -> Self {
        CodingConfig {
            poa_exempt: default_poa_exempt().iter().map(|s| s.to_string()).collect(),
            edits: default_code_edits().iter().map(|s| s.to_string()).collect(),
        }
    }
}

/// The default POA-exempt categories: an APPROXIMATION of the CMS "ICD-10-CM Official
/// Guidelines for Coding and Reporting", Appendix I, *Categories and Codes Exempt from Diagnosis
/// Present on Admission Requirement* [verify against the current list]: outcome of delivery
/// (Z37), liveborn infants (Z38), weeks of gestation (Z3A), place of occurrence (Y92), activity
/// (Y93), external cause status (Y99), family history (Z80–Z84), personal history (Z85–Z87),
/// long-term drug therapy (Z79) and body mass index (Z68).
pub fn default_poa_exempt() -> &'static [&'static str] {
    &[
        "Z37", "Z38", "Z3A", "Y92", "Y93", "Y99", "Z79", "Z80", "Z81", "Z82", "Z83", "Z84", "Z85",
        "Z86", "Z87", "Z68",
    ]
}

/// The MCE-style edits reported under `code.edit` by default: the list-driven edits of the
/// CMS Medicare Code Editor that are not already their own rule (invalid and header codes are
/// `code.invalid` / `code.not-billable`, a missing principal is `diagnosis.principal-missing`):
/// age and sex conflicts, manifestation / unacceptable / external-cause principal diagnosis,
/// invalid age. The tabular-note edits (`code_first`, `use_additional_code`, `excludes1`) and
/// `duplicate_principal` are qualitative coding review and off by default.
pub fn default_code_edits() -> &'static [&'static str] {
    &[
        "invalid_age",
        "sex_conflict_dx",
        "sex_conflict_proc",
        "age_conflict_newborn",
        "age_conflict_pediatric",
        "age_conflict_maternity",
        "age_conflict_adult",
        "manifestation_principal",
        "unacceptable_principal",
        "external_cause_principal",
    ]
}

/// Encounter settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EncounterConfig {
    /// `Encounter.participant.type` codes (v3-ParticipationType) that name the attending
    /// physician (default `ATND`).
    pub attending_types: Vec<String>,
}

impl Default for EncounterConfig {
    fn default() -> Self {
        EncounterConfig {
            attending_types: vec!["ATND".to_string()],
        }
    }
}

/// Per-rule settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RuleConfig {
    /// Switch the rule on or off.
    pub enabled: Option<bool>,
    /// Override its severity.
    pub severity: Option<Severity>,
    /// The care settings it applies to (`inpatient`, `observation`, `emergency`, `ambulatory`,
    /// `other`, `unknown`).
    pub settings: Option<Vec<String>>,
}

/// The configuration of a review. Every field has a documented default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReviewConfig {
    /// Time limits.
    pub limits: Limits,
    /// Delinquency.
    pub delinquency: DelinquencyConfig,
    /// Coding.
    pub coding: CodingConfig,
    /// Encounter reading.
    pub encounter: EncounterConfig,
    /// Facility document types: `"system|code"` → document kind id (`history-and-physical`,
    /// `discharge-summary`, `operative-report`, `progress-note`, `consult-note`,
    /// `procedure-note`).
    pub documents: BTreeMap<String, String>,
    /// Per-rule settings by rule id.
    pub rules: BTreeMap<String, RuleConfig>,
}

/// What went wrong reading a configuration.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConfigErrorKind {
    /// The file could not be read.
    Io,
    /// Not well-formed TOML / JSON.
    Syntax,
    /// A key the configuration does not have.
    UnknownField,
    /// A value of the wrong type or out of range.
    InvalidValue,
    /// A rule id no rule of the rule set has.
    UnknownRule,
    /// A care setting name that does not exist.
    UnknownSetting,
    /// A document kind that does not exist, or a type key that is not `system|code`.
    UnknownDocumentKind,
    /// An MCE edit id that `medrec-codes` does not define.
    UnknownEdit,
    /// A POA-exempt entry that is not a code, category or range.
    BadCode,
}

/// Where in a configuration an error is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConfigLocation {
    /// The file, if read from one.
    pub file: Option<String>,
    /// 1-based line, if known.
    pub line: Option<usize>,
    /// 1-based column, if known.
    pub column: Option<usize>,
    /// The key path (`rules."hp.late".severity`), if known.
    pub key: Option<String>,
}

impl fmt::Display for ConfigLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(file) = &self.file {
            parts.push(file.clone());
        }
        match (self.line, self.column) {
            (Some(l), Some(c)) => parts.push(format!("line {l}, column {c}")),
            (Some(l), None) => parts.push(format!("line {l}")),
            _ => {}
        }
        if let Some(k) = &self.key {
            parts.push(format!("key {k}"));
        }
        if parts.is_empty() {
            f.write_str("configuration")
        } else {
            f.write_str(&parts.join(", "))
        }
    }
}

/// An error reading or applying a review configuration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {message}")]
pub struct ConfigError {
    kind: ConfigErrorKind,
    location: ConfigLocation,
    message: String,
}

impl ConfigError {
    pub(crate) fn new(kind: ConfigErrorKind, key: Option<String>, message: String) -> ConfigError {
        ConfigError {
            kind,
            location: ConfigLocation {
                key,
                ..Default::default()
            },
            message,
        }
    }
    /// What went wrong.
    pub fn kind(&self) -> ConfigErrorKind {
        self.kind
    }
    /// Where.
    pub fn location(&self) -> &ConfigLocation {
        &self.location
    }
    /// The message without the location.
    pub fn message(&self) -> &str {
        &self.message
    }
    fn in_file(mut self, file: &Path) -> ConfigError {
        self.location.file = Some(file.display().to_string());
        self
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&before[start..]).chars().count() + 1;
    (line, column)
}

fn classify_data_error(message: &str) -> ConfigErrorKind {
    if message.contains("unknown field") {
        ConfigErrorKind::UnknownField
    } else {
        ConfigErrorKind::InvalidValue
    }
}

impl ReviewConfig {
    /// The defaults (all rules on, documented limits); the same as `ReviewConfig::default()`.
    pub fn new() -> ReviewConfig {
        ReviewConfig::default()
    }

    /// Reads a TOML configuration.
    pub fn from_toml_str(text: &str) -> Result<ReviewConfig, ConfigError> {
        // Syntax first, so that a malformed file is reported as such.
        if let Err(e) = text.parse::<toml::Table>() {
            return Err(toml_error(text, e, ConfigErrorKind::Syntax));
        }
        let mut c: ReviewConfig = toml::from_str(text).map_err(|e| {
            let kind = classify_data_error(e.message());
            toml_error(text, e, kind)
        })?;
        c.prepare()?;
        Ok(c)
    }

    /// Reads a JSON configuration.
    pub fn from_json_str(text: &str) -> Result<ReviewConfig, ConfigError> {
        let mut c: ReviewConfig = serde_json::from_str(text).map_err(|e| {
            let kind = match e.classify() {
                serde_json::error::Category::Data => classify_data_error(&e.to_string()),
                serde_json::error::Category::Io => ConfigErrorKind::Io,
                _ => ConfigErrorKind::Syntax,
            };
            let msg = e.to_string();
            let msg = match msg.rfind(" at line ") {
                Some(p) => msg[..p].to_string(),
                None => msg,
            };
            ConfigError {
                kind,
                location: ConfigLocation {
                    line: Some(e.line()).filter(|&l| l > 0),
                    column: Some(e.column()).filter(|&c| c > 0),
                    ..Default::default()
                },
                message: msg,
            }
        })?;
        c.prepare()?;
        Ok(c)
    }

    /// Reads a configuration file: JSON if its name ends in `.json`, TOML otherwise.
    pub fn from_path(path: impl AsRef<Path>) -> Result<ReviewConfig, ConfigError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| {
            ConfigError::new(ConfigErrorKind::Io, None, format!("cannot read: {e}")).in_file(path)
        })?;
        let parsed = if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            ReviewConfig::from_json_str(&text)
        } else {
            ReviewConfig::from_toml_str(&text)
        };
        parsed.map_err(|e| e.in_file(path))
    }

    /// Checks the values that serde cannot (names of settings, kinds, edits, codes) and builds
    /// the lookup tables. Rule ids are checked against a rule set by
    /// [`crate::RuleSet::configure`].
    pub(crate) fn prepare(&mut self) -> Result<(), ConfigError> {
        let l = &self.limits;
        for (key, v) in [
            (
                "limits.hp_hours_after_admission",
                l.hp_hours_after_admission,
            ),
            (
                "limits.hp_days_before_admission",
                l.hp_days_before_admission,
            ),
            ("limits.completion_days", l.completion_days),
            (
                "limits.consent_hours_before_admission",
                l.consent_hours_before_admission,
            ),
            ("delinquency.after_days", self.delinquency.after_days),
        ] {
            if !(0..=36_500).contains(&v) {
                return Err(ConfigError::new(
                    ConfigErrorKind::InvalidValue,
                    Some(key.to_string()),
                    format!("{v} is out of range 0..=36500"),
                ));
            }
        }
        if !(0..=3650).contains(&l.progress_note_min_stay_days) {
            return Err(ConfigError::new(
                ConfigErrorKind::InvalidValue,
                Some("limits.progress_note_min_stay_days".into()),
                format!("{} is out of range 0..=3650", l.progress_note_min_stay_days),
            ));
        }
        if !(1..=120).contains(&self.delinquency.average_over_months) {
            return Err(ConfigError::new(
                ConfigErrorKind::InvalidValue,
                Some("delinquency.average_over_months".into()),
                format!(
                    "{} is out of range 1..=120",
                    self.delinquency.average_over_months
                ),
            ));
        }
        let b = &self.delinquency.aging_buckets;
        if b.windows(2).any(|w| w[0] >= w[1]) || b.iter().any(|&x| !(0..=36_500).contains(&x)) {
            return Err(ConfigError::new(
                ConfigErrorKind::InvalidValue,
                Some("delinquency.aging_buckets".into()),
                "bucket bounds must be increasing days in 0..=36500".into(),
            ));
        }
        for (i, e) in self.coding.edits.iter().enumerate() {
            if !medrec_codes::clinical::EditId::ALL
                .iter()
                .any(|x| x.as_str() == e)
            {
                return Err(ConfigError::new(
                    ConfigErrorKind::UnknownEdit,
                    Some(format!("coding.edits[{i}]")),
                    format!("`{e}` is not an MCE-style edit id of medrec-codes"),
                ));
            }
        }
        if let Err((line, bad)) =
            medrec_codes::clinical::PoaExemptList::from_text(&self.coding.poa_exempt.join("\n"))
        {
            return Err(ConfigError::new(
                ConfigErrorKind::BadCode,
                Some(format!("coding.poa_exempt[{}]", line.saturating_sub(1))),
                format!("`{bad}` is not an ICD-10-CM code, category or range"),
            ));
        }
        for (key, kind) in &self.documents {
            let Some((system, code)) = key.rsplit_once('|') else {
                return Err(ConfigError::new(
                    ConfigErrorKind::UnknownDocumentKind,
                    Some(format!("documents.\"{key}\"")),
                    "a document type key is `system|code`".into(),
                ));
            };
            if DocumentKind::parse(kind).is_none() {
                return Err(ConfigError::new(
                    ConfigErrorKind::UnknownDocumentKind,
                    Some(format!("documents.\"{key}\"")),
                    format!(
                        "`{kind}` is not a document kind (history-and-physical, discharge-summary, operative-report, progress-note, consult-note, procedure-note)"
                    ),
                ));
            }
            if system.is_empty() || code.is_empty() {
                return Err(ConfigError::new(
                    ConfigErrorKind::UnknownDocumentKind,
                    Some(format!("documents.\"{key}\"")),
                    "a document type key is `system|code` with both parts".into(),
                ));
            }
        }
        for (id, rc) in &self.rules {
            if let Some(settings) = &rc.settings {
                for (i, s) in settings.iter().enumerate() {
                    if CareSetting::parse(s).is_none() {
                        return Err(ConfigError::new(
                            ConfigErrorKind::UnknownSetting,
                            Some(format!("rules.\"{id}\".settings[{i}]")),
                            format!(
                                "`{s}` is not a care setting (inpatient, observation, emergency, ambulatory, other, unknown)"
                            ),
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// The kind a facility document type maps to.
    pub(crate) fn document_kind(&self, system: &str, code: &str) -> Option<DocumentKind> {
        if self.documents.is_empty() {
            return None;
        }
        self.documents.iter().find_map(|(key, kind)| {
            let (s, c) = key.rsplit_once('|')?;
            (s == system && c == code).then(|| DocumentKind::parse(kind))?
        })
    }
}

fn toml_error(text: &str, e: toml::de::Error, kind: ConfigErrorKind) -> ConfigError {
    let (line, column) = match e.span() {
        Some(span) => {
            let (l, c) = line_col(text, span.start);
            (Some(l), Some(c))
        }
        None => (None, None),
    };
    ConfigError {
        kind,
        location: ConfigLocation {
            line,
            column,
            ..Default::default()
        },
        message: e.message().trim().to_string(),
    }
}
