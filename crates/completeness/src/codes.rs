//! The code tables the code rules use: ICD-10-CM releases by date, ICD-10-PCS, the POA-exempt
//! list and the MCE-style editor of `medrec-codes`.

use crate::config::{ConfigError, ConfigErrorKind, ReviewConfig};
use jiff::civil::Date;
use medrec_codes::clinical::{
    CodeEdit, CodeSet, DxKey, EditId, MceTables, PoaExemptList, Sex, Stay, StayEditor,
};
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
    /// The diagnosis lists of the editor's tables, copied once so that checking a code does
    /// not look a list up by name.
    lists: MceLists,
}

/// The list-driven MCE diagnosis lists (copies of the `medrec-codes`
/// [`MceTables`](medrec_codes::clinical::MceTables) lists of the same names).
#[derive(Debug, Clone)]
struct MceLists {
    manifestation: CodeSet,
    unacceptable_principal: CodeSet,
    external_cause: CodeSet,
    sex_female: CodeSet,
    sex_male: CodeSet,
    /// `newborn`, `pediatric`, `maternity`, `adult`, with their edit and age range.
    ages: [(&'static str, CodeSet, EditId, (u32, u32)); 4],
}

impl MceLists {
    fn of(t: &MceTables) -> MceLists {
        // `entries` writes a list back as text that `CodeSet::parse` reads to the same set
        // (medrec-codes merges lists the same way).
        let set = |name: &str| CodeSet::parse(&t.entries(name).join(" ")).unwrap_or_default();
        MceLists {
            manifestation: set("manifestation"),
            unacceptable_principal: set("unacceptable_principal"),
            external_cause: set("external_cause"),
            sex_female: set("sex_female"),
            sex_male: set("sex_male"),
            ages: [
                (
                    "newborn",
                    set("newborn"),
                    EditId::AgeConflictNewborn,
                    (0, 0),
                ),
                (
                    "pediatric",
                    set("pediatric"),
                    EditId::AgeConflictPediatric,
                    t.pediatric_ages,
                ),
                (
                    "maternity",
                    set("maternity"),
                    EditId::AgeConflictMaternity,
                    t.maternity_ages,
                ),
                (
                    "adult",
                    set("adult"),
                    EditId::AgeConflictAdult,
                    t.adult_ages,
                ),
            ],
        }
    }
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
        let lists = MceLists::of(editor.tables());
        Ok(CodeTables {
            lists,
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
        (self.cm_validate(code, date), self.cm_release_name(date))
    }

    /// The release used for `date`, and the date when it comes from the history.
    fn cm_release(&self, date: Option<Date>) -> (&IcdCmRelease, Option<Date>) {
        if let (Some(h), Some(d)) = (&self.history, date) {
            if let Ok(r) = h.release_on(d) {
                return (r, Some(d));
            }
        }
        (self.cm, None)
    }

    /// The status of an ICD-10-CM code on `date` (what [`CodeTables::cm_status`] gives without
    /// naming the release: no allocation).
    pub fn cm_validate(&self, code: &str, date: Option<Date>) -> CodeStatus {
        self.cm_release(date).0.validate(code)
    }

    /// The name of the ICD-10-CM release used for `date`, as the code rules write it in
    /// messages.
    pub fn cm_release_name(&self, date: Option<Date>) -> String {
        match self.cm_release(date) {
            (r, Some(d)) => format!("ICD-10-CM {} (in effect on {d})", r.id()),
            (r, None) => format!("ICD-10-CM {} (embedded)", r.id()),
        }
    }

    /// The status of an ICD-10-PCS code (embedded release).
    pub fn pcs_status(&self, code: &str) -> (PcsStatus, String) {
        (self.pcs_validate(code), self.pcs_release_name())
    }

    /// The status of an ICD-10-PCS code (embedded release), without naming the release.
    pub fn pcs_validate(&self, code: &str) -> PcsStatus {
        self.pcs.validate(code)
    }

    /// The name of the ICD-10-PCS release, as the code rules write it in messages.
    pub fn pcs_release_name(&self) -> String {
        format!("ICD-10-PCS FY{} (embedded)", self.pcs.fiscal_year())
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
        if self.edits.is_empty() {
            return Vec::new();
        }
        if self.needs_editor {
            let mut out = self.editor.edit(stay);
            out.retain(|e| self.edits.contains(&e.edit));
            return out;
        }
        self.list_edits(
            stay.age,
            stay.sex,
            stay.principal.as_ref().map(|p| p.code.as_str()),
            stay.secondary.iter().map(|d| d.code.as_str()),
            stay.procedures.iter().map(|p| p.code()),
        )
    }

    /// Whether [`CodeTables::edit`] needs the full [`StayEditor`] (a tabular-note or pair
    /// edit is wanted); otherwise [`CodeTables::list_edits`] gives the same result.
    pub(crate) fn needs_editor(&self) -> bool {
        self.needs_editor
    }

    /// The list-driven edits of [`CodeTables::edit`] on borrowed codes: the principal
    /// diagnosis, the secondary ones (in order), the ICD-10-PCS codes.
    pub(crate) fn list_edits<'s>(
        &self,
        age: Option<u32>,
        sex: Sex,
        principal: Option<&'s str>,
        secondary: impl Iterator<Item = &'s str>,
        procedures: impl Iterator<Item = &'s str>,
    ) -> Vec<CodeEdit> {
        let mut out: Vec<CodeEdit> = Vec::new();
        let t = self.editor.tables();
        let l = &self.lists;
        let wanted = |edit: EditId| self.edits.contains(&edit);
        let mut push = |edit: EditId, code: Option<&str>, message: String, source: &str| {
            out.push(CodeEdit {
                edit,
                severity: edit.severity(),
                code: code.map(str::to_string),
                related_code: None,
                message,
                source: source.to_string(),
            });
        };
        if let Some(age) = age.filter(|a| *a > 124) {
            if wanted(EditId::InvalidAge) {
                push(
                    EditId::InvalidAge,
                    None,
                    format!("age {age} is outside 0-124"),
                    "CMS MCE age value set (0-124)",
                );
            }
        }
        if let Some(code) = principal {
            if let Some(k) = DxKey::parse(code) {
                if l.manifestation.contains(k) && wanted(EditId::ManifestationPrincipal) {
                    push(
                        EditId::ManifestationPrincipal,
                        Some(code),
                        format!(
                            "{code} is a manifestation code and cannot be the principal diagnosis; sequence the underlying condition first"
                        ),
                        t.source("manifestation"),
                    );
                }
                if l.unacceptable_principal.contains(k) && wanted(EditId::UnacceptablePrincipal) {
                    push(
                        EditId::UnacceptablePrincipal,
                        Some(code),
                        format!(
                            "{code} is for use as an additional code only, not as principal diagnosis"
                        ),
                        t.source("unacceptable_principal"),
                    );
                }
                if l.external_cause.contains(k) && wanted(EditId::ExternalCausePrincipal) {
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
        for code in principal.into_iter().chain(secondary) {
            let Some(k) = DxKey::parse(code) else {
                continue;
            };
            match sex {
                Sex::Male if l.sex_female.contains(k) && wanted(EditId::SexConflictDx) => push(
                    EditId::SexConflictDx,
                    Some(code),
                    format!("{code} is a female-only diagnosis; patient is male"),
                    t.source("sex_female"),
                ),
                Sex::Female if l.sex_male.contains(k) && wanted(EditId::SexConflictDx) => push(
                    EditId::SexConflictDx,
                    Some(code),
                    format!("{code} is a male-only diagnosis; patient is female"),
                    t.source("sex_male"),
                ),
                _ => {}
            }
            if let Some(age) = age {
                for (list, set, id, (lo, hi)) in &l.ages {
                    if set.contains(k) && !(*lo..=*hi).contains(&age) && wanted(*id) {
                        push(
                            *id,
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
        if !wanted(EditId::SexConflictProc) {
            return out;
        }
        for code in procedures {
            let (list, prefixes, who) = match sex {
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
            // The prefixes are upper case: compare with the trimmed code upper-cased.
            let c = code.trim().as_bytes();
            let on_list = prefixes
                .iter()
                .any(|x| c.len() >= x.len() && c[..x.len()].eq_ignore_ascii_case(x.as_bytes()));
            if on_list {
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
