//! The code tables the code rules use: ICD-10-CM releases by date, ICD-10-PCS, the POA-exempt
//! list and the MCE-style editor of `medrec-codes`.

use crate::config::{ConfigError, ConfigErrorKind, ReviewConfig};
use jiff::civil::Date;
use medrec_codes::clinical::{EditId, PoaExemptList, StayEditor};
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
        Ok(CodeTables {
            history: None,
            cm: medrec_codes::icd10cm(),
            pcs: medrec_codes::icd10pcs(),
            editor: StayEditor::new().with_use_additional_code(
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

    /// The edits reported under `code.edit`.
    pub fn edits(&self) -> &[EditId] {
        &self.edits
    }
}
