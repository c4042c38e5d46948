//! The code tables the code rules use: ICD-10-CM releases by date, ICD-10-PCS, the POA-exempt
//! list and the MCE-style editor of `medrec-codes`.

use crate::config::{ConfigError, ConfigErrorKind, ReviewConfig};
use jiff::civil::Date;
use medrec_codes::clinical::{CodeEdit, DxKey, EditId, PoaExemptList, Sex, Stay, StayEditor};
use medrec_codes::{CodeStatus, IcdCmRelease, PcsRelease, PcsStatus, ReleaseHistory};
use std::sync::Arc;

/// The code tables of a review.
///
/// ICD-10-CM codes are checked against the release in effect on the discharge date when a
/// [`ReleaseHistory`] holding it is given ([`CodeTables::with_history`]); otherwise (and for
/// dates the history does not cover) against the embedded release of `medrec-codes`
/// (FY2026, April 1 update) — an approximation for older stays, stated in each message.
#[derive(Debug, Clone)]
pub struct CodeTables {
    history: Option<Arc<ReleaseHistory>>,
    cm: &'static IcdCmRelease,
    pcs: &'static PcsRelease,
    editor: StayEditor<'static>,
    poa_exempt: PoaExemptList,
    edits: Vec<EditId>,
    /// Whether an edit that needs the tabular notes (or the full editor) is wanted.
    needs_editor: bool,
    proc_female: Vec<String>,
    proc_male: Vec<String>,
}

impl CodeTables {
    /// The embedded tables, with the POA-exempt list and edits of `config`.
    pub fn new(config: &ReviewConfig) -> Result<CodeTables, ConfigError> {
        let poa_exempt = PoaExemptList::from_text(&config.coding.poa_exempt.join("\n")).map_err(
            |(line, bad)| {
                ConfigError::new(
                    ConfigErrorKind::BadCode,
                    Some(format!("coding.poa_exempt[{}]", line.saturating_sub(1))),
                    format!("`{bad}` is not an ICD-10-CM code, category or range"),
                )
            },
        )?;
        let mut edits = Vec::new();
        for (i, e) in config.coding.edits.iter().enumerate() {
            match EditId::ALL.iter().find(|x| x.as_str() == e) {
                Some(id) => edits.push(*id),
                None => {
                    return Err(ConfigError::new(
                        ConfigErrorKind::UnknownEdit,
                        Some(format!("coding.edits[{i}]")),
                        format!("`{e}` is not an MCE-style edit id of medrec-codes"),
                    ));
                }
            }
        }
        let wants_notes = edits.iter().any(|e| {
            matches!(
                e,
                EditId::CodeFirst | EditId::UseAdditionalCode | EditId::Excludes1
            )
        });
        let needs_editor = edits.iter().any(|e| {
            matches!(
                e,
                EditId::CodeFirst
                    | EditId::UseAdditionalCode
                    | EditId::Excludes1
                    | EditId::DuplicatePrincipal
            )
        });
        let editor = StayEditor::new();
        let proc_female = editor.tables().entries("proc_sex_female");
        let proc_male = editor.tables().entries("proc_sex_male");
        Ok(CodeTables {
            needs_editor,
            proc_female,
            proc_male,
            history: None,
            cm: medrec_codes::icd10cm(),
            pcs: medrec_codes::icd10pcs(),
            editor: editor.with_use_additional_code(
                edits.contains(&EditId::UseAdditionalCode) && wants_notes,
            ),
            poa_exempt,
            edits,
        })
    }

    /// Checks ICD-10-CM codes against the release in effect on each discharge date.
    pub fn with_history(mut self, history: Arc<ReleaseHistory>) -> CodeTables {
        self.history = Some(history);
        self
    }

    /// The status of an ICD-10-CM code on `date`, and the name of the release used.
    pub fn cm_status(&self, code: &str, date: Option<Date>) -> (CodeStatus, String) {
        if let (Some(h), Some(d)) = (&self.history, date) {
            if let Ok(r) = h.release_on(d) {
                return (
                    r.validate(code),
                    format!("ICD-10-CM {} (in effect on {d})", r.id()),
                );
            }
        }
        (
            self.cm.validate(code),
            format!("ICD-10-CM {} (embedded)", self.cm.id()),
        )
    }

    /// The status of an ICD-10-PCS code (embedded release).
    pub fn pcs_status(&self, code: &str) -> (PcsStatus, String) {
        (
            self.pcs.validate(code),
            format!("ICD-10-PCS FY{} (embedded)", self.pcs.fiscal_year()),
        )
    }

    /// Whether an ICD-10-CM code is exempt from POA reporting.
    pub fn poa_exempt(&self, code: &str) -> bool {
        medrec_codes::clinical::DxKey::parse(code).is_some_and(|k| self.poa_exempt.contains(k))
    }

    /// The MCE-style editor.
    pub fn editor(&self) -> &StayEditor<'static> {
        &self.editor
    }

    /// Runs the wanted MCE-style edits on a stay. The list-driven edits (age, sex,
    /// manifestation / unacceptable / external-cause principal, invalid age) are evaluated
    /// directly on the `medrec-codes` lists ([`MceTables`](medrec_codes::clinical::MceTables));
    /// the full [`StayEditor`] (tabular-note and pair edits) runs only when one of its edits
    /// is wanted.
    pub fn edit(&self, stay: &Stay) -> Vec<CodeEdit> {
        let mut out: Vec<CodeEdit> = Vec::new();
        if self.edits.is_empty() {
            return out;
        }
        if self.needs_editor {
            out = self.editor.edit(stay);
            out.retain(|e| self.edits.contains(&e.edit));
            return out;
        }
        let t = self.editor.tables();
        let mut push = |edit: EditId, code: Option<&str>, message: String, source: &str| {
            if self.edits.contains(&edit) {
                out.push(CodeEdit {
                    edit,
                    severity: edit.severity(),
                    code: code.map(str::to_string),
                    related_code: None,
                    message,
                    source: source.to_string(),
                });
            }
        };
        if let Some(age) = stay.age.filter(|a| *a > 124) {
            push(
                EditId::InvalidAge,
                None,
                format!("age {age} is outside 0-124"),
                "CMS MCE age value set (0-124)",
            );
        }
        if let Some(p) = &stay.principal {
            if let Some(k) = DxKey::parse(&p.code) {
                let code = p.code.as_str();
                if t.contains("manifestation", k) {
                    push(
                        EditId::ManifestationPrincipal,
                        Some(code),
                        format!(
                            "{code} is a manifestation code and cannot be the principal diagnosis; sequence the underlying condition first"
                        ),
                        t.source("manifestation"),
                    );
                }
                if t.contains("unacceptable_principal", k) {
                    push(
                        EditId::UnacceptablePrincipal,
                        Some(code),
                        format!(
                            "{code} is for use as an additional code only, not as principal diagnosis"
                        ),
                        t.source("unacceptable_principal"),
                    );
                }
                if t.contains("external_cause", k) {
                    push(
                        EditId::ExternalCausePrincipal,
                        Some(code),
                        format!(
                            "{code} is an external cause code (V00-Y99) and cannot be the principal diagnosis"
                        ),
                        t.source("external_cause"),
                    );
                }
            }
        }
        for d in stay.principal.iter().chain(&stay.secondary) {
            let Some(k) = DxKey::parse(&d.code) else {
                continue;
            };
            let code = d.code.as_str();
            match stay.sex {
                Sex::Male if t.contains("sex_female", k) => push(
                    EditId::SexConflictDx,
                    Some(code),
                    format!("{code} is a female-only diagnosis; patient is male"),
                    t.source("sex_female"),
                ),
                Sex::Female if t.contains("sex_male", k) => push(
                    EditId::SexConflictDx,
                    Some(code),
                    format!("{code} is a male-only diagnosis; patient is female"),
                    t.source("sex_male"),
                ),
                _ => {}
            }
            if let Some(age) = stay.age {
                for (list, (lo, hi), id) in [
                    ("newborn", (0, 0), EditId::AgeConflictNewborn),
                    ("pediatric", t.pediatric_ages, EditId::AgeConflictPediatric),
                    ("maternity", t.maternity_ages, EditId::AgeConflictMaternity),
                    ("adult", t.adult_ages, EditId::AgeConflictAdult),
                ] {
                    if t.contains(list, k) && !(lo..=hi).contains(&age) {
                        push(
                            id,
                            Some(code),
                            format!(
                                "{code} is a {list} diagnosis (ages {lo}-{hi}); patient is {age}"
                            ),
                            t.source(list),
                        );
                    }
                }
            }
        }
        for p in &stay.procedures {
            let code = p.code();
            let c = code.trim().to_ascii_uppercase();
            let (list, prefixes, who) = match stay.sex {
                Sex::Male => (
                    "proc_sex_female",
                    &self.proc_female,
                    "female-only procedure; patient is male",
                ),
                Sex::Female => (
                    "proc_sex_male",
                    &self.proc_male,
                    "male-only procedure; patient is female",
                ),
                _ => continue,
            };
            if prefixes.iter().any(|x| c.starts_with(x.as_str())) {
                push(
                    EditId::SexConflictProc,
                    Some(code),
                    format!("{code} is a {who}"),
                    t.source(list),
                );
            }
        }
        out
    }

    /// The edits reported under `code.edit`.
    pub fn edits(&self) -> &[EditId] {
        &self.edits
    }
}
