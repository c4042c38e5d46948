//! Code edits of a stay in the manner of the CMS Medicare Code Editor (MCE).
//!
//! Source of the edit types: CMS, *Definitions of Medicare Code Edits* (MCE), which defines each
//! edit by a code list. **Those lists are not in the shared data.** The embedded lists are
//! derived from what the FY2026 ICD-10-CM tabular list itself states, and each is an
//! APPROXIMATION of the corresponding MCE list (derivations in `docs/classifications.md`):
//!
//! | list | derivation (FY2026 tabular XML) |
//! |---|---|
//! | `manifestation` | titles "in … diseases classified elsewhere", or "classified elsewhere" with a code-first note (tabular conventions: never principal) |
//! | `unacceptable_principal` | nodes whose notes say "for use as (supplementary or) additional code(s)" / "intended for use as an additional code" (B95–B97, Z16, Z37) |
//! | `maternity` | chapter 15 (note: "for use only on maternal records") + notes naming the maternal/mother's record (Z3A, Z37) |
//! | `newborn` | chapter 16 (note: "for use on newborn records only") + "initial record of a newborn" (Z38) |
//! | `pediatric`, `adult` | not derivable: empty unless loaded |
//! | `sex_female`, `sex_male` | titles naming female/male genital organs, pregnancy/puerperium, uterus, ovary, vulva, vagina, prostate, testis, scrotum, penis … (not "family history"), chapter 15 female |
//! | `external_cause` | chapter 20 (V00–Y99) |
//! | `proc_sex_female`, `proc_sex_male` | ICD-10-PCS body systems 0U Female / 0V Male Reproductive System, section 1 Obstetrics |
//!
//! Load the official CMS lists with [`MceTables::from_text`] to replace them.

use std::collections::HashMap;
use std::fmt;

use jiff::civil::Date;

use super::key::{CodeSet, DxKey};
use super::poa::Poa;
use super::tables::{MCE_TABLE, NOTES_TABLE, data_lines};
use crate::{CodeStatus, IcdCmRelease, ReleaseHistory};

/// Patient sex as the MCE uses it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum Sex {
    /// Male.
    #[serde(alias = "M", alias = "m", alias = "male", alias = "1")]
    Male,
    /// Female.
    #[serde(alias = "F", alias = "f", alias = "female", alias = "2")]
    Female,
    /// Unknown / other: sex edits are not applied.
    #[default]
    #[serde(
        alias = "U",
        alias = "u",
        alias = "unknown",
        alias = "0",
        alias = "other"
    )]
    Unknown,
}

/// One diagnosis of a stay.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StayDiagnosis {
    /// The ICD-10-CM code as written (dotted or not).
    pub code: String,
    /// Its POA indicator (`Y`, `N`, `U`, `W`, `1`, or empty).
    #[serde(default, with = "poa_serde")]
    pub poa: Poa,
}

/// One procedure of a stay.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum StayProcedure {
    /// Just the ICD-10-PCS code.
    Code(String),
    /// An object `{"code": "…"}` (room for dates later).
    Detailed {
        /// The ICD-10-PCS code.
        code: String,
    },
}

impl StayProcedure {
    /// The code.
    pub fn code(&self) -> &str {
        match self {
            StayProcedure::Code(c) | StayProcedure::Detailed { code: c } => c,
        }
    }
}

mod poa_serde {
    use super::Poa;
    pub fn serialize<S: serde::Serializer>(p: &Poa, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(p.as_str())
    }
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Poa, D::Error> {
        let s: Option<String> = serde::Deserialize::deserialize(d)?;
        let s = s.unwrap_or_default();
        Poa::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!("POA {s:?} is not Y, N, U, W, 1/E or blank"))
        })
    }
}

/// A stay (one inpatient discharge abstract) to edit. JSON form (`medrec code edits`):
/// `{"id":"…","age":67,"sex":"F","discharge_date":"2026-03-01","principal":{"code":"I21.4","poa":"Y"},
/// "secondary":[{"code":"E11.9","poa":"Y"}],"procedures":["02703DZ"]}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stay {
    /// Caller's identifier, echoed in outputs.
    #[serde(default)]
    pub id: Option<String>,
    /// Age in years at admission (0 for newborns).
    #[serde(default)]
    pub age: Option<u32>,
    /// Sex.
    #[serde(default)]
    pub sex: Sex,
    /// Discharge date: codes must be valid on it (needs a [`ReleaseHistory`] holding that year).
    #[serde(default)]
    pub discharge_date: Option<Date>,
    /// Principal diagnosis.
    #[serde(default)]
    pub principal: Option<StayDiagnosis>,
    /// Secondary diagnoses in order.
    #[serde(default)]
    pub secondary: Vec<StayDiagnosis>,
    /// ICD-10-PCS procedures.
    #[serde(default)]
    pub procedures: Vec<StayProcedure>,
}

macro_rules! edit_ids {
    ($( $variant:ident, $id:literal, $sev:ident, $what:literal; )*) => {
        /// A stable edit identifier (the `edit` field of `medrec code edits`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum EditId {
            $( #[doc = $what] $variant, )*
        }

        impl EditId {
            /// All edit ids.
            pub const ALL: &'static [EditId] = &[$( EditId::$variant, )*];

            /// The stable id (`sex_conflict_dx`).
            pub fn as_str(self) -> &'static str {
                match self { $( EditId::$variant => $id, )* }
            }

            /// Default severity.
            pub fn severity(self) -> EditSeverity {
                match self { $( EditId::$variant => EditSeverity::$sev, )* }
            }

            /// What the edit checks.
            pub fn description(self) -> &'static str {
                match self { $( EditId::$variant => $what, )* }
            }
        }
    };
}

edit_ids! {
    InvalidDx, "invalid_dx", Error, "Diagnosis code not valid in the code set in effect (unknown, malformed, missing or invalid 7th character)";
    HeaderDx, "header_dx", Error, "Diagnosis code is a header (category or subcategory), not billable";
    InvalidProc, "invalid_proc", Error, "Procedure code is not a well-formed ICD-10-PCS code";
    UnknownProc, "unknown_proc", Warning, "Well-formed ICD-10-PCS code not in the PCS code set in use (check the code set's fiscal year)";
    MissingPrincipal, "missing_principal", Error, "The stay has no principal diagnosis";
    InvalidAge, "invalid_age", Error, "Age outside 0-124 years";
    SexConflictDx, "sex_conflict_dx", Error, "Diagnosis inconsistent with the patient's sex";
    SexConflictProc, "sex_conflict_proc", Error, "Procedure inconsistent with the patient's sex";
    AgeConflictNewborn, "age_conflict_newborn", Warning, "Newborn/perinatal diagnosis for a patient older than 0";
    AgeConflictPediatric, "age_conflict_pediatric", Warning, "Pediatric diagnosis outside ages 0-17";
    AgeConflictMaternity, "age_conflict_maternity", Warning, "Maternity diagnosis outside the maternity age range";
    AgeConflictAdult, "age_conflict_adult", Warning, "Adult diagnosis outside ages 15-124";
    ManifestationPrincipal, "manifestation_principal", Error, "Manifestation code ('in diseases classified elsewhere') as principal diagnosis";
    UnacceptablePrincipal, "unacceptable_principal", Error, "Code not acceptable as principal diagnosis (for use as an additional code only)";
    ExternalCausePrincipal, "external_cause_principal", Error, "External cause code (V00-Y99) as principal diagnosis";
    DuplicatePrincipal, "duplicate_principal", Warning, "Secondary diagnosis duplicates the principal diagnosis";
    CodeFirst, "code_first", Warning, "A 'code first' note is not met: no code it names is sequenced before this code";
    UseAdditionalCode, "use_additional_code", Info, "A 'use additional code' note names codes none of which is on the stay";
    Excludes1, "excludes1", Warning, "Two codes on the stay are in an Excludes1 relation (allowed only when the conditions are unrelated)";
}

impl fmt::Display for EditId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How serious an edit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EditSeverity {
    /// Informational.
    Info,
    /// Review needed.
    Warning,
    /// The claim would fail this edit.
    Error,
}

impl EditSeverity {
    /// `info`, `warning` or `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            EditSeverity::Info => "info",
            EditSeverity::Warning => "warning",
            EditSeverity::Error => "error",
        }
    }
}

/// One edit raised on a stay.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CodeEdit {
    /// Stable id.
    pub edit: EditId,
    /// Severity.
    pub severity: EditSeverity,
    /// The code the edit is about (as written), if any.
    pub code: Option<String>,
    /// The other code of a pair edit (Excludes1, duplicate).
    pub related_code: Option<String>,
    /// Human-readable message.
    pub message: String,
    /// The table the edit comes from.
    pub source: String,
}

impl serde::Serialize for EditId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Names of the MCE-style lists.
const LIST_NAMES: &[&str] = &[
    "manifestation",
    "unacceptable_principal",
    "maternity",
    "newborn",
    "pediatric",
    "adult",
    "sex_female",
    "sex_male",
    "external_cause",
    "proc_sex_female",
    "proc_sex_male",
];

/// Error loading MCE tables.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("MCE table line {line}: {message}")]
pub struct MceTablesError {
    line: usize,
    kind: MceTablesErrorKind,
    message: String,
}

/// Kind of [`MceTablesError`].
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MceTablesErrorKind {
    /// A list name that is not one of the known lists.
    UnknownList,
    /// An entry that is not a code, prefix or range.
    BadEntry,
    /// A bad `age_range` line.
    BadAgeRange,
}

impl MceTablesError {
    /// The kind.
    pub fn kind(&self) -> MceTablesErrorKind {
        self.kind
    }
    /// The 1-based line.
    pub fn line(&self) -> usize {
        self.line
    }
}

#[derive(Debug, Clone)]
struct McList {
    set: CodeSet,
    /// Procedure lists hold PCS prefixes as raw strings.
    proc_prefixes: Vec<String>,
    source: String,
}

/// The code lists behind the MCE-style edits, and the age ranges.
#[derive(Debug, Clone)]
pub struct MceTables {
    lists: HashMap<&'static str, McList>,
    /// Maternity age range, inclusive (default 9–64, CMS MCE since FY2017 [verify]; older MCE
    /// versions used 12–55).
    pub maternity_ages: (u32, u32),
    /// Pediatric age range (default 0–17).
    pub pediatric_ages: (u32, u32),
    /// Adult age range (default 15–124).
    pub adult_ages: (u32, u32),
}

const DERIVED_SOURCE: &str =
    "derived from ICD-10-CM FY2026 tabular list (APPROXIMATION of the CMS MCE list)";

impl MceTables {
    /// The lists derived from the FY2026 tabular list (approximations; see the module docs).
    pub fn derived() -> MceTables {
        let mut lists = HashMap::new();
        for &name in LIST_NAMES {
            lists.insert(
                name,
                McList {
                    set: CodeSet::default(),
                    proc_prefixes: Vec::new(),
                    source: format!("{name}: {DERIVED_SOURCE}"),
                },
            );
        }
        let mut t = MceTables {
            lists,
            maternity_ages: (9, 64),
            pediatric_ages: (0, 17),
            adult_ages: (15, 124),
        };
        // The embedded table is generated and well formed; a bad line would be skipped.
        let _ = t.merge(MCE_TABLE, None, false);
        t
    }

    /// Replaces lists with the official ones. Format: one list entry per line or several per
    /// line, `LIST ENTRY [ENTRY…]` where LIST is one of `manifestation`,
    /// `unacceptable_principal`, `maternity`, `newborn`, `pediatric`, `adult`, `sex_female`,
    /// `sex_male`, `external_cause`, `proc_sex_female`, `proc_sex_male`, and ENTRY a code
    /// (`D63.1`), a prefix (`O`-codes: `O00-O9A` range, or `E11` for E11 and below). Optional
    /// lines `age_range maternity 12 55` (also `pediatric`, `adult`) set ranges. `#` starts a
    /// comment. Every list named in `text` replaces the derived one entirely; lists not named
    /// keep the derived content. `source_name` labels the edits' `source` field.
    pub fn from_text(text: &str, source_name: &str) -> Result<MceTables, MceTablesError> {
        let mut t = MceTables::derived();
        t.merge(text, Some(source_name), true)?;
        Ok(t)
    }

    fn merge(
        &mut self,
        text: &str,
        source_name: Option<&str>,
        replace: bool,
    ) -> Result<(), MceTablesError> {
        let mut replaced: Vec<&'static str> = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line_no = i + 1;
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let mut it = line.split_ascii_whitespace();
            let name = it.next().unwrap_or("");
            if name == "age_range" {
                let parts: Vec<&str> = it.collect();
                let bad = || MceTablesError {
                    line: line_no,
                    kind: MceTablesErrorKind::BadAgeRange,
                    message: format!(
                        "expected `age_range maternity|pediatric|adult MIN MAX`, got {line:?}"
                    ),
                };
                if parts.len() != 3 {
                    return Err(bad());
                }
                let lo: u32 = parts[1].parse().map_err(|_| bad())?;
                let hi: u32 = parts[2].parse().map_err(|_| bad())?;
                if lo > hi {
                    return Err(bad());
                }
                match parts[0] {
                    "maternity" => self.maternity_ages = (lo, hi),
                    "pediatric" => self.pediatric_ages = (lo, hi),
                    "adult" => self.adult_ages = (lo, hi),
                    _ => return Err(bad()),
                }
                continue;
            }
            let Some(&key) = LIST_NAMES.iter().find(|n| **n == name) else {
                return Err(MceTablesError {
                    line: line_no,
                    kind: MceTablesErrorKind::UnknownList,
                    message: format!("unknown list {name:?}; known: {}", LIST_NAMES.join(", ")),
                });
            };
            let list = self.lists.get_mut(key).ok_or_else(|| MceTablesError {
                line: line_no,
                kind: MceTablesErrorKind::UnknownList,
                message: name.to_string(),
            })?;
            if replace && !replaced.contains(&key) {
                replaced.push(key);
                list.set = CodeSet::default();
                list.proc_prefixes.clear();
                list.source = format!("{key}: {}", source_name.unwrap_or("loaded"));
            }
            let rest: Vec<&str> = it.collect();
            if key.starts_with("proc_") {
                for e in rest {
                    let p = e.trim().to_ascii_uppercase();
                    if p.is_empty() || p.len() > 7 || !p.bytes().all(|b| b.is_ascii_alphanumeric())
                    {
                        return Err(MceTablesError {
                            line: line_no,
                            kind: MceTablesErrorKind::BadEntry,
                            message: format!("{e:?} is not an ICD-10-PCS code or prefix"),
                        });
                    }
                    list.proc_prefixes.push(p);
                }
            } else {
                let add = CodeSet::parse(&rest.join(" ")).map_err(|bad| MceTablesError {
                    line: line_no,
                    kind: MceTablesErrorKind::BadEntry,
                    message: format!("{bad:?} is not an ICD-10-CM code, prefix or range"),
                })?;
                let mut merged = list.set.entries();
                merged.extend(add.entries());
                list.set = CodeSet::parse(&merged.join(" ")).unwrap_or_default();
            }
        }
        Ok(())
    }

    /// Whether `code` is on list `name` (diagnosis lists).
    pub fn contains(&self, name: &str, code: DxKey) -> bool {
        self.lists.get(name).is_some_and(|l| l.set.contains(code))
    }

    fn proc_in(&self, name: &str, code: &str) -> bool {
        self.lists
            .get(name)
            .is_some_and(|l| l.proc_prefixes.iter().any(|p| code.starts_with(p.as_str())))
    }

    /// The source label of list `name`.
    pub fn source(&self, name: &str) -> &str {
        self.lists.get(name).map_or("", |l| l.source.as_str())
    }

    /// The entries of list `name` as text.
    pub fn entries(&self, name: &str) -> Vec<String> {
        self.lists.get(name).map_or_else(Vec::new, |l| {
            if name.starts_with("proc_") {
                l.proc_prefixes.clone()
            } else {
                l.set.entries()
            }
        })
    }
}

/// One parsed tabular note: the node it sits on and the codes it references.
#[derive(Debug, Clone)]
struct TabularNote {
    node: CodeSet,
    node_text: String,
    refs: CodeSet,
    refs_text: String,
    on_range: bool,
}

#[derive(Debug, Default)]
struct TabularNotes {
    excludes1: Vec<TabularNote>,
    code_first: Vec<TabularNote>,
    use_additional: Vec<TabularNote>,
}

fn tabular_notes() -> &'static TabularNotes {
    static N: std::sync::OnceLock<TabularNotes> = std::sync::OnceLock::new();
    N.get_or_init(|| {
        let mut n = TabularNotes::default();
        for line in data_lines(NOTES_TABLE) {
            let mut it = line.split_ascii_whitespace();
            let (Some(kind), Some(node)) = (it.next(), it.next()) else {
                continue;
            };
            let refs: Vec<&str> = it.collect();
            let (Ok(node_set), Ok(ref_set)) =
                (CodeSet::parse(node), CodeSet::parse(&refs.join(" ")))
            else {
                continue;
            };
            let note = TabularNote {
                node: node_set,
                node_text: node.to_string(),
                refs: ref_set,
                refs_text: refs.join(" "),
                on_range: node.contains('-'),
            };
            match kind {
                "X1" => n.excludes1.push(note),
                "CF" => n.code_first.push(note),
                "UA" => n.use_additional.push(note),
                _ => {}
            }
        }
        n
    })
}

/// Runs the MCE-style edits on stays.
///
/// ```
/// use medrec_codes::clinical::{Sex, Stay, StayDiagnosis, StayEditor};
/// let stay = Stay {
///     age: Some(40),
///     sex: Sex::Male,
///     principal: Some(StayDiagnosis { code: "O80".into(), poa: Default::default() }),
///     ..Stay::default()
/// };
/// let edits = StayEditor::new().edit(&stay);
/// assert!(edits.iter().any(|e| e.edit.as_str() == "sex_conflict_dx"));
/// ```
#[derive(Debug, Clone)]
pub struct StayEditor<'a> {
    release: &'a IcdCmRelease,
    pcs: Option<&'a crate::PcsRelease>,
    history: Option<&'a ReleaseHistory>,
    tables: std::borrow::Cow<'a, MceTables>,
    use_additional_code: bool,
}

impl Default for StayEditor<'static> {
    fn default() -> Self {
        Self::new()
    }
}

impl StayEditor<'static> {
    /// An editor over the embedded FY2026 code set and the derived MCE-style lists.
    pub fn new() -> StayEditor<'static> {
        static T: std::sync::OnceLock<MceTables> = std::sync::OnceLock::new();
        StayEditor {
            release: crate::icd10cm(),
            pcs: Some(crate::icd10pcs()),
            history: None,
            tables: std::borrow::Cow::Borrowed(T.get_or_init(MceTables::derived)),
            use_additional_code: true,
        }
    }
}

impl<'a> StayEditor<'a> {
    /// Uses `tables` (e.g. official lists loaded with [`MceTables::from_text`]).
    pub fn with_tables(mut self, tables: MceTables) -> Self {
        self.tables = std::borrow::Cow::Owned(tables);
        self
    }

    /// Validates codes against the release in effect on the stay's discharge date.
    pub fn with_history(self, history: &'a ReleaseHistory) -> StayEditor<'a> {
        StayEditor {
            release: self.release,
            pcs: self.pcs,
            history: Some(history),
            tables: self.tables,
            use_additional_code: self.use_additional_code,
        }
    }

    /// Checks procedure codes against `pcs` (default: the embedded ICD-10-PCS code set, FY2024
    /// codes file), or only their structure with `None`. A well-formed code missing from the set
    /// gives `unknown_proc` (a warning: codes added in later fiscal years are missing from an
    /// older set, so load the year of the stay's discharge).
    pub fn with_pcs(self, pcs: Option<&'a crate::PcsRelease>) -> StayEditor<'a> {
        StayEditor {
            release: self.release,
            pcs,
            history: self.history,
            tables: self.tables,
            use_additional_code: self.use_additional_code,
        }
    }

    /// Turns the informational `use_additional_code` edit on or off (default on).
    pub fn with_use_additional_code(mut self, on: bool) -> Self {
        self.use_additional_code = on;
        self
    }

    /// The lists in use.
    pub fn tables(&self) -> &MceTables {
        &self.tables
    }

    fn status(&self, code: &str, date: Option<Date>) -> (CodeStatus, String) {
        if let (Some(h), Some(d)) = (self.history, date) {
            match h.release_on(d) {
                Ok(r) => {
                    return (
                        r.validate(code),
                        format!("ICD-10-CM release in effect on {d}"),
                    );
                }
                Err(e) => {
                    return (
                        self.release.validate(code),
                        format!("ICD-10-CM embedded FY2026 ({e}; fell back)"),
                    );
                }
            }
        }
        (
            self.release.validate(code),
            "ICD-10-CM FY2026 tabular list (embedded)".to_string(),
        )
    }

    /// Runs every edit on one stay. The result is in a stable order: principal-diagnosis edits,
    /// then per-code edits in input order, then pair edits.
    pub fn edit(&self, stay: &Stay) -> Vec<CodeEdit> {
        let mut out = Vec::new();
        let t = &*self.tables;
        let push = |out: &mut Vec<CodeEdit>,
                    edit: EditId,
                    code: Option<&str>,
                    related: Option<&str>,
                    message: String,
                    source: String| {
            out.push(CodeEdit {
                edit,
                severity: edit.severity(),
                code: code.map(str::to_string),
                related_code: related.map(str::to_string),
                message,
                source,
            });
        };

        if let Some(age) = stay.age {
            if age > 124 {
                push(
                    &mut out,
                    EditId::InvalidAge,
                    None,
                    None,
                    format!("age {age} is outside 0-124"),
                    "CMS MCE age value set (0-124)".into(),
                );
            }
        }

        // All diagnoses in order, principal first.
        let mut dx: Vec<(&str, Option<DxKey>, bool)> = Vec::new();
        match &stay.principal {
            Some(p) => dx.push((p.code.as_str(), DxKey::parse(&p.code), true)),
            None => push(
                &mut out,
                EditId::MissingPrincipal,
                None,
                None,
                "no principal diagnosis".into(),
                "UHDDS principal diagnosis definition".into(),
            ),
        }
        for s in &stay.secondary {
            dx.push((s.code.as_str(), DxKey::parse(&s.code), false));
        }

        // Principal-diagnosis edits.
        if let Some((code, Some(k), _)) = dx.first().copied().filter(|d| d.2) {
            if t.contains("manifestation", k) {
                push(
                    &mut out,
                    EditId::ManifestationPrincipal,
                    Some(code),
                    None,
                    format!(
                        "{code} is a manifestation code and cannot be the principal diagnosis; sequence the underlying condition first"
                    ),
                    t.source("manifestation").into(),
                );
            }
            if t.contains("unacceptable_principal", k) {
                push(
                    &mut out,
                    EditId::UnacceptablePrincipal,
                    Some(code),
                    None,
                    format!(
                        "{code} is for use as an additional code only, not as principal diagnosis"
                    ),
                    t.source("unacceptable_principal").into(),
                );
            }
            if t.contains("external_cause", k) {
                push(
                    &mut out,
                    EditId::ExternalCausePrincipal,
                    Some(code),
                    None,
                    format!(
                        "{code} is an external cause code (V00-Y99) and cannot be the principal diagnosis"
                    ),
                    t.source("external_cause").into(),
                );
            }
        }

        // Per-code edits.
        for (i, &(code, key, _)) in dx.iter().enumerate() {
            let (status, source) = self.status(code, stay.discharge_date);
            match status {
                CodeStatus::Billable => {}
                CodeStatus::Header => push(
                    &mut out,
                    EditId::HeaderDx,
                    Some(code),
                    None,
                    format!(
                        "{code} is a header code with codes below it; code to the highest specificity"
                    ),
                    source,
                ),
                other => push(
                    &mut out,
                    EditId::InvalidDx,
                    Some(code),
                    None,
                    format!(
                        "{code} is not a valid ICD-10-CM code: {}",
                        other.as_str().replace('_', " ")
                    ),
                    source,
                ),
            }
            let Some(k) = key else { continue };
            if i > 0 && stay.principal.is_some() {
                if let Some((p, Some(pk), true)) = dx.first().copied() {
                    if pk == k {
                        push(
                            &mut out,
                            EditId::DuplicatePrincipal,
                            Some(code),
                            Some(p),
                            format!(
                                "secondary diagnosis {code} duplicates the principal diagnosis"
                            ),
                            "CMS MCE duplicate of principal diagnosis edit".into(),
                        );
                    }
                }
            }
            match stay.sex {
                Sex::Male if t.contains("sex_female", k) => push(
                    &mut out,
                    EditId::SexConflictDx,
                    Some(code),
                    None,
                    format!("{code} is a female-only diagnosis; patient is male"),
                    t.source("sex_female").into(),
                ),
                Sex::Female if t.contains("sex_male", k) => push(
                    &mut out,
                    EditId::SexConflictDx,
                    Some(code),
                    None,
                    format!("{code} is a male-only diagnosis; patient is female"),
                    t.source("sex_male").into(),
                ),
                _ => {}
            }
            if let Some(age) = stay.age {
                let ranges = [
                    ("newborn", (0, 0), EditId::AgeConflictNewborn),
                    ("pediatric", t.pediatric_ages, EditId::AgeConflictPediatric),
                    ("maternity", t.maternity_ages, EditId::AgeConflictMaternity),
                    ("adult", t.adult_ages, EditId::AgeConflictAdult),
                ];
                for (list, (lo, hi), id) in ranges {
                    if t.contains(list, k) && !(lo..=hi).contains(&age) {
                        push(
                            &mut out,
                            id,
                            Some(code),
                            None,
                            format!(
                                "{code} is a {list} diagnosis (ages {lo}-{hi}); patient is {age}"
                            ),
                            t.source(list).into(),
                        );
                    }
                }
            }
            // Code first: a code naming its etiology must come after one of the named codes.
            let notes = tabular_notes();
            for n in notes.code_first.iter().filter(|n| n.node.contains(k)) {
                let before = dx[..i]
                    .iter()
                    .any(|&(_, ok, _)| ok.is_some_and(|o| n.refs.contains(o)));
                if !before {
                    push(
                        &mut out,
                        EditId::CodeFirst,
                        Some(code),
                        None,
                        format!(
                            "{code}: 'code first' note at {} names {} and none is sequenced before it",
                            n.node_text, n.refs_text
                        ),
                        "ICD-10-CM FY2026 tabular list, codeFirst notes".into(),
                    );
                    break;
                }
            }
            if self.use_additional_code {
                for n in notes
                    .use_additional
                    .iter()
                    .filter(|n| !n.on_range && n.node.contains(k))
                {
                    let any = dx
                        .iter()
                        .any(|&(_, ok, _)| ok.is_some_and(|o| o != k && n.refs.contains(o)));
                    if !any {
                        push(
                            &mut out,
                            EditId::UseAdditionalCode,
                            Some(code),
                            None,
                            format!(
                                "{code}: 'use additional code' note at {} names {}; none is on the stay",
                                n.node_text, n.refs_text
                            ),
                            "ICD-10-CM FY2026 tabular list, useAdditionalCode notes".into(),
                        );
                    }
                }
            }
        }

        // Excludes1 pairs.
        let notes = tabular_notes();
        let mut reported: Vec<(DxKey, DxKey)> = Vec::new();
        for (i, &(a, ak, _)) in dx.iter().enumerate() {
            let Some(ak) = ak else { continue };
            for (j, &(b, bk, _)) in dx.iter().enumerate() {
                let Some(bk) = bk else { continue };
                if i == j
                    || ak == bk
                    || reported.contains(&(bk, ak))
                    || reported.contains(&(ak, bk))
                {
                    continue;
                }
                if let Some(n) = notes
                    .excludes1
                    .iter()
                    .find(|n| n.node.contains(ak) && n.refs.contains(bk) && !n.node.contains(bk))
                {
                    reported.push((ak, bk));
                    push(
                        &mut out,
                        EditId::Excludes1,
                        Some(a),
                        Some(b),
                        format!(
                            "{a} and {b}: Excludes1 note at {} excludes {b}; report both only if the conditions are unrelated",
                            n.node_text
                        ),
                        "ICD-10-CM FY2026 tabular list, excludes1 notes".into(),
                    );
                }
            }
        }

        // Procedures.
        for p in &stay.procedures {
            let code = p.code();
            let c = code.trim().to_ascii_uppercase();
            let ok = c.len() == 7
                && c.bytes().all(|b| {
                    (b.is_ascii_digit() || b.is_ascii_uppercase()) && b != b'I' && b != b'O'
                });
            if !ok {
                push(
                    &mut out,
                    EditId::InvalidProc,
                    Some(code),
                    None,
                    format!(
                        "{code} is not a well-formed ICD-10-PCS code (7 characters from 0-9 and A-Z without I and O)"
                    ),
                    "ICD-10-PCS code structure (CMS ICD-10-PCS Official Guidelines A.1-A.3)".into(),
                );
                continue;
            }
            if let Some(pcs) = self.pcs {
                if pcs.validate(&c) == crate::PcsStatus::Unknown {
                    push(
                        &mut out,
                        EditId::UnknownProc,
                        Some(code),
                        None,
                        format!(
                            "{code} is not in the ICD-10-PCS FY{} code set",
                            pcs.fiscal_year()
                        ),
                        format!("CMS ICD-10-PCS FY{} code set", pcs.fiscal_year()),
                    );
                }
            }
            match stay.sex {
                Sex::Male if t.proc_in("proc_sex_female", &c) => push(
                    &mut out,
                    EditId::SexConflictProc,
                    Some(code),
                    None,
                    format!("{code} is a female-only procedure; patient is male"),
                    t.source("proc_sex_female").into(),
                ),
                Sex::Female if t.proc_in("proc_sex_male", &c) => push(
                    &mut out,
                    EditId::SexConflictProc,
                    Some(code),
                    None,
                    format!("{code} is a male-only procedure; patient is female"),
                    t.source("proc_sex_male").into(),
                ),
                _ => {}
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_derived_table_parses_completely() {
        let mut t = MceTables::derived();
        assert!(t.merge(MCE_TABLE, None, false).is_ok());
        for name in LIST_NAMES {
            if !matches!(*name, "pediatric" | "adult") {
                assert!(!t.entries(name).is_empty(), "{name} is empty");
            }
        }
        assert!(!tabular_notes().excludes1.is_empty());
    }
}
