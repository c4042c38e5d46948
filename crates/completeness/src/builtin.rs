//! The built-in rules, with stable ids. Each cites its source; where medrec reads a fact from
//! FHIR it follows `fhir-him-mapping.md`.
//!
//! Sources (abbreviated in the rules):
//! * CMS Conditions of Participation for hospitals, 42 CFR Part 482: 482.24(c) content of the
//!   medical record (entries dated, timed, authenticated; H&P; informed consent; discharge
//!   summary; final diagnosis; completion within 30 days of discharge), 482.22(c)(5) H&P within
//!   30 days before or 24 hours after admission and before surgery, 482.51(b) surgical services
//!   (H&P before surgery, informed consent, operative report), 482.13(b)(2) patient rights
//!   (informed decisions), 482.12(c) care under a physician.
//! * The Joint Commission, Comprehensive Accreditation Manual for Hospitals, Record of Care
//!   (RC) chapter: RC.01.01.01 (record contents, authentication), RC.01.02.01 (authentication),
//!   RC.01.04.01 (delinquency), RC.02.01.01 (patient information), RC.02.01.03 (operative
//!   documentation), RC.02.04.01 (discharge information). Standard numbers [verify] against the
//!   current manual.
//! * ICD-10-CM Official Guidelines for Coding and Reporting (Section II principal diagnosis,
//!   Appendix I present-on-admission reporting), UHDDS definitions, HIPAA code-set rule
//!   45 CFR 162.1002, CMS Definitions of Medicare Code Edits, NUBC UB-04 data elements.

use crate::context::{
    ACT_CODE, CareSetting, DocumentKind, EncounterContext, IDENTIFIER_TYPE, SettingSet, plus_hours,
};
use crate::rule::{Findings, ResponsibleRole, Rule, RuleInfo, RuleKind, Severity};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use medrec_codes::clinical::{Sex, Stay, StayDiagnosis, StayProcedure};
use medrec_codes::{CodeStatus, PcsStatus};
use medrec_model::resources::Consent;
use std::borrow::Cow;

/// The ids of the built-in rules, in their canonical order. Never renamed.
pub const BUILTIN_RULE_IDS: [&str; 20] = [
    "patient.identification",
    "encounter.period",
    "encounter.class",
    "encounter.admit-source",
    "encounter.disposition",
    "encounter.attending",
    "hp.missing",
    "hp.late",
    "hp.after-surgery",
    "operative-report.missing",
    "discharge-summary.missing",
    "progress-note.missing",
    "document.unsigned",
    "document.not-final",
    "diagnosis.principal-missing",
    "code.invalid",
    "code.not-billable",
    "code.edit",
    "poa.missing",
    "consent.missing",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Which {
    PatientIdentification,
    EncounterPeriod,
    EncounterClass,
    AdmitSource,
    Disposition,
    Attending,
    HpMissing,
    HpLate,
    HpAfterSurgery,
    OperativeReportMissing,
    DischargeSummaryMissing,
    ProgressNoteMissing,
    DocumentUnsigned,
    DocumentNotFinal,
    PrincipalMissing,
    CodeInvalid,
    CodeNotBillable,
    CodeEdit,
    PoaMissing,
    ConsentMissing,
}

/// A built-in rule (see [`crate::builtin_rules`] for the list).
#[derive(Debug, Clone)]
pub struct BuiltinRule {
    info: RuleInfo,
    which: Which,
}

fn info(
    id: &'static str,
    title: &'static str,
    source: &'static str,
    severity: Severity,
    kind: RuleKind,
) -> RuleInfo {
    RuleInfo {
        id: Cow::Borrowed(id),
        title: Cow::Borrowed(title),
        source: Cow::Borrowed(source),
        severity,
        kind,
        settings: SettingSet::of(&[CareSetting::Inpatient]),
    }
}

/// Every built-in rule, in [`BUILTIN_RULE_IDS`] order.
pub fn builtin_rules() -> Vec<BuiltinRule> {
    use RuleKind::{Qualitative as Ql, Quantitative as Qn};
    use Severity::{Error as E, Warning as W};
    let r = |which, info| BuiltinRule { info, which };
    vec![
        // patient.identification — 42 CFR 482.24(c): the record must accurately identify the
        // patient; TJC RC.02.01.01 EP 1 (name, sex, date of birth, identifiers). Reads the
        // medical record number (`Patient.identifier` of type v2-0203 `MR`), name, birth date
        // and administrative gender.
        r(
            Which::PatientIdentification,
            info(
                "patient.identification",
                "Patient identified: medical record number, name, birth date, sex",
                "42 CFR 482.24(c); Joint Commission RC.02.01.01 EP 1",
                E,
                Qn,
            ),
        ),
        // encounter.period — 42 CFR 482.24(c)(1): entries dated and timed; UB-04 FL 6/12
        // (statement period, admission date).
        r(
            Which::EncounterPeriod,
            info(
                "encounter.period",
                "Admission and discharge date-times recorded and in order",
                "42 CFR 482.24(c)(1); NUBC UB-04 FL 6, FL 12",
                E,
                Qn,
            ),
        ),
        // encounter.class — UHDDS type of encounter; mapping: Encounter.class (v3-ActCode).
        r(
            Which::EncounterClass,
            info(
                "encounter.class",
                "Encounter class (inpatient, observation, emergency, ambulatory …) recorded",
                "UHDDS; NUBC UB-04 FL 4 (type of bill); fhir-him-mapping: Encounter.class",
                E,
                Qn,
            )
            .with_settings(SettingSet::ALL),
        ),
        // encounter.admit-source — UB-04 FL 15 point of origin; TJC RC.02.01.01 EP 2.
        r(
            Which::AdmitSource,
            info(
                "encounter.admit-source",
                "Admit source (point of origin) recorded",
                "NUBC UB-04 FL 15 (point of origin for admission); Joint Commission RC.02.01.01 EP 2",
                E,
                Qn,
            ),
        ),
        // encounter.disposition — 42 CFR 482.24(c)(4)(vii) outcome and disposition; UB-04 FL 17.
        r(
            Which::Disposition,
            info(
                "encounter.disposition",
                "Discharge disposition recorded for a discharged stay",
                "42 CFR 482.24(c)(4)(vii); NUBC UB-04 FL 17 (patient discharge status)",
                E,
                Qn,
            ),
        ),
        // encounter.attending — 42 CFR 482.12(c)(1): every patient under the care of a
        // physician; UB-04 FL 76 attending provider.
        r(
            Which::Attending,
            info(
                "encounter.attending",
                "Attending physician recorded (Encounter.participant type ATND)",
                "42 CFR 482.12(c)(1); 42 CFR 482.22(c)(5); NUBC UB-04 FL 76",
                E,
                Qn,
            ),
        ),
        // hp.missing — 42 CFR 482.22(c)(5)(i), 482.24(c)(4)(i)(A): H&P no more than 30 days
        // before or 24 hours after admission; TJC PC.01.02.03 EP 4, RC.02.01.01.
        r(
            Which::HpMissing,
            info(
                "hp.missing",
                "History and physical (LOINC 34117-2) on the record",
                "42 CFR 482.22(c)(5)(i); 42 CFR 482.24(c)(4)(i)(A); Joint Commission PC.01.02.03 EP 4",
                E,
                Qn,
            ),
        ),
        // hp.late — same sources: first H&P more than 24 hours after admission.
        r(
            Which::HpLate,
            info(
                "hp.late",
                "History and physical within 24 hours after admission",
                "42 CFR 482.22(c)(5)(i); 42 CFR 482.24(c)(4)(i)(A)",
                E,
                Ql,
            ),
        ),
        // hp.after-surgery — 42 CFR 482.51(b)(1): H&P before surgery, except emergencies.
        r(
            Which::HpAfterSurgery,
            info(
                "hp.after-surgery",
                "History and physical before the first operative procedure",
                "42 CFR 482.51(b)(1); 42 CFR 482.22(c)(5)(i)",
                E,
                Ql,
            ),
        ),
        // operative-report.missing — 42 CFR 482.51(b)(6): operative report written or dictated
        // immediately after surgery and signed by the surgeon; TJC RC.02.01.03 EP 5.
        r(
            Which::OperativeReportMissing,
            info(
                "operative-report.missing",
                "Operative report (LOINC 11504-8) after each operating-room procedure",
                "42 CFR 482.51(b)(6); 42 CFR 482.24(c)(4)(vi); Joint Commission RC.02.01.03 EP 5",
                E,
                Qn,
            ),
        ),
        // discharge-summary.missing — 42 CFR 482.24(c)(4)(vii): discharge summary with
        // outcome, disposition and provisions for follow-up; TJC RC.02.04.01.
        r(
            Which::DischargeSummaryMissing,
            info(
                "discharge-summary.missing",
                "Discharge summary (LOINC 18842-5) for a discharged stay",
                "42 CFR 482.24(c)(4)(vii); Joint Commission RC.02.04.01",
                E,
                Qn,
            ),
        ),
        // progress-note.missing — 42 CFR 482.24(c)(4)(vi) progress notes; TJC RC.02.01.01 EP 2.
        r(
            Which::ProgressNoteMissing,
            info(
                "progress-note.missing",
                "Progress note (LOINC 11506-3) on a stay of 2 days or more",
                "42 CFR 482.24(c)(4)(vi); Joint Commission RC.02.01.01 EP 2",
                W,
                Qn,
            ),
        ),
        // document.unsigned — 42 CFR 482.24(c)(1): entries authenticated; TJC RC.01.02.01.
        r(
            Which::DocumentUnsigned,
            info(
                "document.unsigned",
                "Every document authenticated (signed)",
                "42 CFR 482.24(c)(1); Joint Commission RC.01.02.01 EP 4",
                E,
                Qn,
            ),
        ),
        // document.not-final — 42 CFR 482.24(c)(4)(viii) record completed; a preliminary
        // document is not a completed entry.
        r(
            Which::DocumentNotFinal,
            info(
                "document.not-final",
                "Every document final (docStatus final or amended)",
                "42 CFR 482.24(c)(4)(viii); Joint Commission RC.01.01.01 EP 5",
                W,
                Qn,
            ),
        ),
        // diagnosis.principal-missing — 42 CFR 482.24(c)(4)(vii) final diagnosis; UHDDS and
        // ICD-10-CM Official Guidelines Section II (principal diagnosis).
        r(
            Which::PrincipalMissing,
            info(
                "diagnosis.principal-missing",
                "Principal diagnosis designated",
                "42 CFR 482.24(c)(4)(vii); UHDDS; ICD-10-CM Official Guidelines Section II",
                E,
                Qn,
            ),
        ),
        // code.invalid — HIPAA code sets 45 CFR 162.1002 (the code set valid on the date of
        // service); CMS MCE invalid diagnosis / procedure code edits.
        r(
            Which::CodeInvalid,
            info(
                "code.invalid",
                "Every ICD-10-CM / ICD-10-PCS code exists in the code set in effect",
                "45 CFR 162.1002; CMS Definitions of Medicare Code Edits (invalid code)",
                E,
                Ql,
            ),
        ),
        // code.not-billable — ICD-10-CM Official Guidelines I.B.2 (code to the highest level
        // of detail); header codes are not valid for HIPAA transactions.
        r(
            Which::CodeNotBillable,
            info(
                "code.not-billable",
                "Every ICD-10-CM code billable (not a category or subcategory header)",
                "ICD-10-CM Official Guidelines I.B.2; CMS ICD-10-CM order file (HIPAA-valid flag)",
                E,
                Ql,
            ),
        ),
        // code.edit — CMS Definitions of Medicare Code Edits (age, sex, manifestation,
        // unacceptable principal …), as implemented by medrec-codes.
        r(
            Which::CodeEdit,
            info(
                "code.edit",
                "MCE-style code edits (edit id in `detail`)",
                "CMS Definitions of Medicare Code Edits; ICD-10-CM Official Guidelines I.A.13, I.C.20",
                E,
                Ql,
            ),
        ),
        // poa.missing — ICD-10-CM Official Guidelines Appendix I; UB-04 FL 67 POA indicator;
        // Deficit Reduction Act 2005 §5001(c).
        r(
            Which::PoaMissing,
            info(
                "poa.missing",
                "Present-on-admission indicator on every non-exempt inpatient diagnosis",
                "ICD-10-CM Official Guidelines Appendix I (POA reporting); NUBC UB-04 FL 67",
                E,
                Qn,
            ),
        ),
        // consent.missing — 42 CFR 482.51(b)(2) properly executed informed consent before
        // surgery; 482.24(c)(4)(v); 482.13(b)(2) patient's right to make informed decisions.
        r(
            Which::ConsentMissing,
            info(
                "consent.missing",
                "Informed consent (Consent scope treatment) before each operating-room procedure",
                "42 CFR 482.51(b)(2); 42 CFR 482.24(c)(4)(v); 42 CFR 482.13(b)(2)",
                E,
                Qn,
            ),
        ),
    ]
}

impl Rule for BuiltinRule {
    fn info(&self) -> &RuleInfo {
        &self.info
    }

    fn check(&self, cx: &EncounterContext<'_>, f: &mut Findings<'_>) {
        match self.which {
            Which::PatientIdentification => patient_identification(cx, f),
            Which::EncounterPeriod => encounter_period(cx, f),
            Which::EncounterClass => {
                let has = cx
                    .encounter
                    .encounter
                    .class
                    .as_ref()
                    .is_some_and(|c| c.code.as_deref().is_some_and(|c| !c.is_empty()));
                if !has {
                    f.push(cx.deficiency_for(
                        ResponsibleRole::Registration,
                        None,
                        format!("{}.class", cx.reference),
                        format!("encounter has no class (expected a code of {ACT_CODE})"),
                    ));
                }
            }
            Which::AdmitSource => {
                let h = cx.encounter.encounter.hospitalization.as_ref();
                if h.and_then(|h| h.admit_source.as_ref())
                    .is_none_or(|c| c.coding.iter().all(|c| c.code.is_none()) && c.text.is_none())
                {
                    f.push(cx.deficiency_for(
                        ResponsibleRole::Registration,
                        None,
                        format!("{}.hospitalization.admitSource", cx.reference),
                        "no admit source (point of origin) recorded".into(),
                    ));
                }
            }
            Which::Disposition => {
                if cx.discharged.is_none() {
                    return;
                }
                let h = cx.encounter.encounter.hospitalization.as_ref();
                if h.and_then(|h| h.discharge_disposition.as_ref())
                    .is_none_or(|c| c.coding.iter().all(|c| c.code.is_none()) && c.text.is_none())
                {
                    f.push(cx.deficiency(
                        format!("{}.hospitalization.dischargeDisposition", cx.reference),
                        "discharged stay without a discharge disposition",
                    ));
                }
            }
            Which::Attending => {
                if cx.attending.is_none() {
                    f.push(cx.deficiency_for(
                        ResponsibleRole::Registration,
                        None,
                        format!("{}.participant", cx.reference),
                        format!(
                            "no attending physician (participant type {})",
                            cx.config.encounter.attending_types.join("/")
                        ),
                    ));
                }
            }
            Which::HpMissing => {
                if counted_hps(cx).next().is_none() {
                    f.push(
                        cx.deficiency(
                            cx.missing_document_path(DocumentKind::HistoryAndPhysical),
                            "no history and physical on the record",
                        )
                        .due(hp_due(cx)),
                    );
                }
            }
            Which::HpLate => {
                let (Some(first), Some(admitted)) = (first_hp(cx), cx.admitted) else {
                    return;
                };
                let limit = plus_hours(admitted, cx.config.limits.hp_hours_after_admission);
                if first.0 > limit {
                    let hours = (first.0 - admitted).as_hours();
                    let d = &cx.documents[first.1];
                    let author = d.author.and_then(|a| cx.practitioner(a));
                    let mut def = cx
                        .deficiency(
                            format!("{}.date", d.reference),
                            format!(
                                "first history and physical written {hours} h after admission (limit {} h)",
                                cx.config.limits.hp_hours_after_admission
                            ),
                        )
                        .due(hp_due(cx));
                    if author.is_some() {
                        def = def.responsible(ResponsibleRole::Author, author);
                    }
                    f.push(def);
                }
            }
            Which::HpAfterSurgery => {
                let Some(first) = first_hp(cx) else { return };
                let Some(surgery) = cx.operative_procedures.iter().find(|p| p.start.is_some())
                else {
                    return;
                };
                let start = surgery.start.expect("filtered");
                if first.0 > start {
                    let surgeon = surgery.surgeon.and_then(|s| cx.practitioner(s));
                    let mut def = cx
                        .deficiency(
                            cx.missing_document_path(DocumentKind::HistoryAndPhysical),
                            format!(
                                "no history and physical before the first operative procedure ({}); the first is {} h after it",
                                surgery.reference,
                                (first.0 - start).as_hours()
                            ),
                        )
                        .due(Some(cx.local_date(start)));
                    if surgeon.is_some() {
                        def = def.responsible(ResponsibleRole::Surgeon, surgeon);
                    }
                    f.push(def);
                }
            }
            Which::OperativeReportMissing => {
                for p in &cx.operative_procedures {
                    let reported = cx.documents_of(DocumentKind::OperativeReport).any(|d| {
                        match (d.written, p.start) {
                            (Some(w), Some(s)) => w >= s,
                            _ => true,
                        }
                    });
                    if !reported {
                        let surgeon = p.surgeon.and_then(|s| cx.practitioner(s));
                        f.push(
                            cx.deficiency_for(
                                ResponsibleRole::Surgeon,
                                surgeon,
                                p.reference.to_string(),
                                format!(
                                    "no operative report after operative procedure {}",
                                    p.reference
                                ),
                            )
                            .due(p.start.map(|s| cx.local_date(s)).or(cx.completion_due())),
                        );
                    }
                }
            }
            Which::DischargeSummaryMissing => {
                if cx.discharged.is_some()
                    && cx
                        .documents_of(DocumentKind::DischargeSummary)
                        .next()
                        .is_none()
                {
                    f.push(cx.deficiency(
                        cx.missing_document_path(DocumentKind::DischargeSummary),
                        "no discharge summary",
                    ));
                }
            }
            Which::ProgressNoteMissing => {
                let Some(los) = cx.length_of_stay_days() else {
                    return;
                };
                if cx.discharged.is_some()
                    && los >= cx.config.limits.progress_note_min_stay_days
                    && cx.documents_of(DocumentKind::ProgressNote).next().is_none()
                {
                    f.push(cx.deficiency(
                        cx.missing_document_path(DocumentKind::ProgressNote),
                        format!("no progress note on a stay of {los} days"),
                    ));
                }
            }
            Which::DocumentUnsigned => {
                for d in cx.documents.iter().filter(|d| !d.signed) {
                    let author = d.author.and_then(|a| cx.practitioner(a));
                    let element = match d.document {
                        medrec_model::Document::Reference(_) => "authenticator",
                        medrec_model::Document::Composition(_) => "attester",
                    };
                    f.push(cx.deficiency_for(
                        ResponsibleRole::Author,
                        author,
                        format!("{}.{element}", d.reference),
                        format!(
                            "{} is not authenticated",
                            d.kind.map_or("document", DocumentKind::name)
                        ),
                    ));
                }
            }
            Which::DocumentNotFinal => {
                for d in cx.documents.iter().filter(|d| !d.is_final) {
                    let author = d.author.and_then(|a| cx.practitioner(a));
                    let (element, status) = match d.document {
                        medrec_model::Document::Reference(r) => {
                            ("docStatus", r.doc_status.as_deref())
                        }
                        medrec_model::Document::Composition(c) => ("status", c.status.as_deref()),
                    };
                    f.push(cx.deficiency_for(
                        ResponsibleRole::Author,
                        author,
                        format!("{}.{element}", d.reference),
                        format!(
                            "{} is not final ({element} {})",
                            d.kind.map_or("document", DocumentKind::name),
                            status.unwrap_or("absent")
                        ),
                    ));
                }
            }
            Which::PrincipalMissing => {
                if cx.discharged.is_some() && !cx.diagnoses.iter().any(|d| d.principal) {
                    f.push(
                        cx.deficiency_for(
                            ResponsibleRole::Coding,
                            None,
                            cx.encounter
                                .claims
                                .first()
                                .and_then(|c| c.id.as_deref())
                                .map_or_else(
                                    || format!("{}.diagnosis", cx.reference),
                                    |id| format!("Claim/{id}.diagnosis"),
                                ),
                            if cx.diagnoses.is_empty() {
                                "no diagnosis coded".to_string()
                            } else {
                                format!("{} diagnoses coded, none principal", cx.diagnoses.len())
                            },
                        ),
                    );
                }
            }
            Which::CodeInvalid | Which::CodeNotBillable => code_validity(self.which, cx, f),
            Which::CodeEdit => code_edits(cx, f),
            Which::PoaMissing => {
                if !cx.diagnoses_from_claim {
                    return;
                }
                for d in &cx.diagnoses {
                    let Some(code) = &d.icd10cm else { continue };
                    let reported = d.poa.as_deref().is_some_and(|p| !p.trim().is_empty());
                    // Whether a code needs POA depends on the code: an invalid or header code
                    // is reported by code.invalid / code.not-billable, and its POA requirement
                    // is judged once it is corrected.
                    if !reported
                        && !cx.codes.poa_exempt(code)
                        && cx.codes.cm_validate(code, cx.discharge_date).is_billable()
                    {
                        f.push(
                            cx.deficiency_for(
                                ResponsibleRole::Coding,
                                None,
                                format!("{}.onAdmission", d.path()),
                                format!("{code} has no present-on-admission indicator"),
                            )
                            .code(code.clone()),
                        );
                    }
                }
            }
            Which::ConsentMissing => consent_missing(cx, f),
        }
    }
}

fn hp_due(cx: &EncounterContext<'_>) -> Option<jiff::civil::Date> {
    cx.admitted
        .map(|a| cx.local_date(plus_hours(a, cx.config.limits.hp_hours_after_admission)))
}

/// H&Ps that count: undated ones, and dated ones no more than the configured days before
/// admission.
fn counted_hps<'c, 'a>(
    cx: &'c EncounterContext<'a>,
) -> impl Iterator<Item = (usize, Option<Timestamp>)> + 'c {
    let earliest = cx
        .admitted
        .map(|a| plus_hours(a, -24 * cx.config.limits.hp_days_before_admission));
    cx.documents
        .iter()
        .enumerate()
        .filter(|(_, d)| d.kind == Some(DocumentKind::HistoryAndPhysical))
        .filter(move |(_, d)| match (d.written, earliest) {
            (Some(w), Some(e)) => w >= e,
            _ => true,
        })
        .map(|(i, d)| (i, d.written))
}

/// The earliest dated counted H&P: (time, index into documents).
fn first_hp(cx: &EncounterContext<'_>) -> Option<(Timestamp, usize)> {
    counted_hps(cx).filter_map(|(i, w)| w.map(|w| (w, i))).min()
}

fn patient_identification(cx: &EncounterContext<'_>, f: &mut Findings<'_>) {
    let Some(p) = cx.patient else {
        f.push(cx.deficiency_for(
            ResponsibleRole::Registration,
            None,
            "Patient".into(),
            "the record has no Patient resource".into(),
        ));
        return;
    };
    let base = match &p.id {
        Some(id) => format!("Patient/{id}"),
        None => "Patient".to_string(),
    };
    let has_mrn = p.identifier.iter().any(|i| {
        i.value.as_deref().is_some_and(|v| !v.trim().is_empty())
            && i.type_
                .as_ref()
                .is_some_and(|t| t.has_code(IDENTIFIER_TYPE, "MR"))
    });
    let mut missing = Vec::new();
    if !has_mrn {
        missing.push((
            "identifier",
            "no medical record number (identifier type MR)",
        ));
    }
    if p.name.is_empty() {
        missing.push(("name", "no patient name"));
    }
    if p.birth_date.is_none() {
        missing.push(("birthDate", "no birth date"));
    }
    if p.gender.is_none() {
        missing.push(("gender", "no administrative gender"));
    }
    for (element, message) in missing {
        f.push(cx.deficiency_for(
            ResponsibleRole::Registration,
            None,
            format!("{base}.{element}"),
            message.into(),
        ));
    }
}

fn encounter_period(cx: &EncounterContext<'_>, f: &mut Findings<'_>) {
    let e = cx.encounter.encounter;
    let period = e.period.as_ref();
    let start = period.and_then(|p| p.start.as_ref());
    let end = period.and_then(|p| p.end.as_ref());
    let reg = |path: String, message: &str| {
        cx.deficiency_for(ResponsibleRole::Registration, None, path, message.into())
    };
    if start.is_none() {
        f.push(reg(
            format!("{}.period.start", cx.reference),
            "no admission date-time",
        ));
    } else if cx.admitted.is_none() {
        f.push(reg(
            format!("{}.period.start", cx.reference),
            "admission date-time is not a valid dateTime",
        ));
    }
    match end {
        None => {
            if matches!(e.status.as_deref(), Some("finished")) {
                f.push(reg(
                    format!("{}.period.end", cx.reference),
                    "finished encounter without a discharge date-time",
                ));
            }
        }
        Some(_) if cx.discharged.is_none() => f.push(reg(
            format!("{}.period.end", cx.reference),
            "discharge date-time is not a valid dateTime",
        )),
        Some(_) => {
            if let (Some(a), Some(d)) = (cx.admitted, cx.discharged) {
                if d < a {
                    f.push(reg(
                        format!("{}.period", cx.reference),
                        "discharge is before admission",
                    ));
                }
            }
        }
    }
}

fn code_validity(which: Which, cx: &EncounterContext<'_>, f: &mut Findings<'_>) {
    for d in &cx.diagnoses {
        let Some(code) = &d.icd10cm else { continue };
        let status = cx.codes.cm_validate(code, cx.discharge_date);
        let hit = match status {
            CodeStatus::Billable => false,
            CodeStatus::Header => which == Which::CodeNotBillable,
            _ => which == Which::CodeInvalid,
        };
        if !hit {
            continue;
        }
        let release = cx.codes.cm_release_name(cx.discharge_date);
        let message = match status {
            CodeStatus::Header => format!(
                "{code} is a header code, not billable in {release}: code to the highest specificity"
            ),
            other => format!(
                "{code} is not a valid ICD-10-CM code in {release} ({})",
                other.as_str().replace('_', " ")
            ),
        };
        f.push(
            cx.deficiency_for(ResponsibleRole::Coding, None, d.path(), message)
                .code(code.clone()),
        );
    }
    if which == Which::CodeInvalid {
        for p in &cx.procedure_codes {
            let status = cx.codes.pcs_validate(&p.code);
            if status != PcsStatus::Valid {
                let release = cx.codes.pcs_release_name();
                f.push(
                    cx.deficiency_for(
                        ResponsibleRole::Coding,
                        None,
                        p.path.clone(),
                        format!(
                            "{} is not a valid ICD-10-PCS code in {release} ({})",
                            p.code,
                            if status == PcsStatus::Unknown {
                                "unknown"
                            } else {
                                "malformed"
                            }
                        ),
                    )
                    .code(p.code.clone()),
                );
            }
        }
    }
}

fn code_edits(cx: &EncounterContext<'_>, f: &mut Findings<'_>) {
    if cx.codes.edits().is_empty() || (cx.diagnoses.is_empty() && cx.procedure_codes.is_empty()) {
        return;
    }
    let sex = match cx.patient.and_then(|p| p.gender.as_deref()) {
        Some("male") => Sex::Male,
        Some("female") => Sex::Female,
        _ => Sex::Unknown,
    };
    // The principal: the first coded diagnosis marked principal; the others are secondary.
    let principal = cx
        .diagnoses
        .iter()
        .position(|d| d.principal && d.icd10cm.is_some());
    let edits = if cx.codes.needs_editor() {
        let poa = |d: &crate::context::CodedDiagnosis| {
            medrec_codes::clinical::Poa::parse(d.poa.as_deref().unwrap_or("")).unwrap_or_default()
        };
        let stay_dx = |d: &crate::context::CodedDiagnosis| {
            d.icd10cm.as_ref().map(|code| StayDiagnosis {
                code: code.clone(),
                poa: poa(d),
            })
        };
        let stay = Stay {
            id: None,
            age: cx.age_at_admission(),
            sex,
            discharge_date: cx.discharge_date,
            principal: principal.and_then(|i| stay_dx(&cx.diagnoses[i])),
            secondary: cx
                .diagnoses
                .iter()
                .enumerate()
                .filter(|(i, _)| Some(*i) != principal)
                .filter_map(|(_, d)| stay_dx(d))
                .collect(),
            procedures: cx
                .procedure_codes
                .iter()
                .map(|p| StayProcedure::Code(p.code.clone()))
                .collect(),
        };
        cx.codes.edit(&stay)
    } else {
        cx.codes.list_edits(
            cx.age_at_admission(),
            sex,
            principal.and_then(|i| cx.diagnoses[i].icd10cm.as_deref()),
            cx.diagnoses
                .iter()
                .enumerate()
                .filter(|(i, _)| Some(*i) != principal)
                .filter_map(|(_, d)| d.icd10cm.as_deref()),
            cx.procedure_codes.iter().map(|p| p.code.as_str()),
        )
    };
    for e in edits {
        let path = match &e.code {
            Some(code) => cx
                .diagnoses
                .iter()
                .find(|d| d.icd10cm.as_deref() == Some(code.as_str()))
                .map(|d| d.path())
                .or_else(|| {
                    cx.procedure_codes
                        .iter()
                        .find(|p| &p.code == code)
                        .map(|p| p.path.clone())
                })
                .unwrap_or_else(|| format!("{}.diagnosis", cx.reference)),
            None => cx.patient.and_then(|p| p.id.as_deref()).map_or_else(
                || "Patient.birthDate".to_string(),
                |id| format!("Patient/{id}.birthDate"),
            ),
        };
        let mut d = cx
            .deficiency_for(ResponsibleRole::Coding, None, path, e.message)
            .detail(e.edit.as_str());
        if let Some(code) = e.code {
            d = d.code(code);
        }
        f.push(d);
    }
}

fn consent_missing(cx: &EncounterContext<'_>, f: &mut Findings<'_>) {
    if cx.operative_procedures.is_empty() {
        return;
    }
    let record = cx.record;
    // Consents that name a procedure (provision.data) are for that procedure only.
    let linked_to = |c: &Consent| -> Vec<String> {
        c.provision
            .iter()
            .flat_map(|p| p.data.iter())
            .filter_map(|d| d.reference.as_ref())
            .filter_map(|r| record.resolve(r))
            .filter(|r| r.resource_type() == "Procedure")
            .filter_map(|r| r.id().map(|id| format!("Procedure/{id}")))
            .collect()
    };
    let consent_time = |c: &Consent| {
        c.date_time
            .as_ref()
            .and_then(|d| d.to_timestamp(&TimeZone::UTC))
    };
    let earliest = cx
        .admitted
        .map(|a| plus_hours(a, -cx.config.limits.consent_hours_before_admission));
    let mut unlinked: Vec<(Option<Timestamp>, bool)> = Vec::new();
    let mut linked: Vec<(Vec<String>, Option<Timestamp>)> = Vec::new();
    for c in &cx.consents {
        let l = linked_to(c);
        let t = consent_time(c);
        if l.is_empty() {
            let in_window = match (t, earliest) {
                (Some(t), Some(e)) => t >= e,
                (None, _) => false,
                (Some(_), None) => true,
            };
            if in_window {
                unlinked.push((t, false));
            }
        } else {
            linked.push((l, t));
        }
    }
    unlinked.sort_by_key(|u| u.0);
    for p in &cx.operative_procedures {
        let before = |t: Option<Timestamp>| match (t, p.start) {
            (Some(t), Some(s)) => t <= s,
            (None, _) => false,
            (Some(_), None) => true,
        };
        let by_link = linked
            .iter()
            .any(|(procs, t)| procs.iter().any(|x| p.reference == **x) && before(*t));
        let ok = by_link || {
            // One unlinked consent per procedure: the earliest unused one dated before it.
            match unlinked.iter_mut().find(|(t, used)| !*used && before(*t)) {
                Some(u) => {
                    u.1 = true;
                    true
                }
                None => false,
            }
        };
        if !ok {
            let surgeon = p.surgeon.and_then(|s| cx.practitioner(s));
            f.push(
                cx.deficiency_for(
                    ResponsibleRole::Surgeon,
                    surgeon,
                    p.reference.to_string(),
                    format!(
                        "no informed consent (Consent scope treatment, active) before {}",
                        p.reference
                    ),
                )
                .due(p.start.map(|s| cx.local_date(s)).or(cx.completion_due())),
            );
        }
    }
}
