//! `medrec-completeness`: record completeness review — the deficiency analysis a health
//! information technician does on every discharged record, the physician query worklist, and
//! delinquency reporting.
//!
//! A [`Reviewer`] runs a [`RuleSet`] over every encounter of a [`medrec_model::PatientRecord`].
//! Each [`Rule`] has a stable id (`hp.late`), a title, the regulation it implements, a default
//! [`Severity`] and [`RuleKind`] (quantitative: is it there; qualitative: is it right), and
//! reports [`Deficiency`] values: rule, severity, message, the FHIR path of the offending or
//! missing element, the responsible practitioner and the due date. Facts are read where
//! `fhir-him-mapping.md` puts them (documents by LOINC type, `authenticator` /
//! `attester`, `docStatus`, `Claim.diagnosis` type and `onAdmission`, `Procedure.category`,
//! `Consent` scope `treatment`).
//!
//! ```
//! use medrec_completeness::{Reviewer, Worklist, ReviewSummary, DelinquencyReport};
//! use medrec_model::{PatientRecord, Resource};
//!
//! let bundle = r#"{"resourceType":"Bundle","type":"collection","entry":[
//!   {"fullUrl":"urn:uuid:p1","resource":{"resourceType":"Patient","id":"p1",
//!     "identifier":[{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR"}]},"value":"MRN1"}],
//!     "name":[{"family":"Doe"}],"gender":"female","birthDate":"1970-01-01"}},
//!   {"fullUrl":"urn:uuid:dr1","resource":{"resourceType":"Practitioner","id":"dr1","name":[{"family":"Osler","given":["William"]}]}},
//!   {"fullUrl":"urn:uuid:e1","resource":{"resourceType":"Encounter","id":"e1","status":"finished",
//!     "class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"IMP"},
//!     "subject":{"reference":"urn:uuid:p1"},
//!     "participant":[{"type":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ParticipationType","code":"ATND"}]}],
//!                     "individual":{"reference":"urn:uuid:dr1"}}],
//!     "period":{"start":"2025-03-01T10:00:00Z","end":"2025-03-02T09:00:00Z"},
//!     "hospitalization":{"admitSource":{"coding":[{"code":"emd"}]},"dischargeDisposition":{"coding":[{"code":"home"}]}}}}
//! ]}"#;
//! let Resource::Bundle(bundle) = serde_json::from_str::<Resource>(bundle)? else { panic!() };
//! let record = PatientRecord::from_bundle(*bundle);
//!
//! let review = Reviewer::new().review(&record);
//! let rules: Vec<&str> = review.deficiencies().map(|d| d.rule.as_str()).collect();
//! assert_eq!(rules, ["diagnosis.principal-missing", "discharge-summary.missing", "hp.missing"]);
//! let hp = review.deficiencies().find(|d| d.rule == "hp.missing").unwrap();
//! assert_eq!(hp.practitioner.as_deref(), Some("Practitioner/dr1"));
//! assert_eq!(hp.due.unwrap().to_string(), "2025-03-02"); // 24 h after admission
//!
//! // What each clinician must complete, oldest first; counts by rule; delinquency.
//! let worklist = Worklist::build(review.deficiencies());
//! assert_eq!(worklist.groups[0].practitioner_name.as_deref(), Some("William Osler"));
//! let summary = ReviewSummary::of(&review.encounters);
//! assert_eq!(summary.by_rule["hp.missing"].deficiencies, 1);
//! let as_of = jiff::civil::date(2025, 4, 15);
//! let delinquency = DelinquencyReport::compute(&review.encounters, as_of, &Default::default());
//! assert_eq!(delinquency.delinquent_records, 1); // 44 days after discharge
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! Rule sets are values: start from [`RuleSet::default_inpatient`], switch rules off, change
//! severities and the care settings a rule applies to, add your own rules ([`Rule`] or
//! [`FnRule`]), or configure all of that plus the time limits from a TOML or JSON file
//! ([`ReviewConfig`], errors of type [`ConfigError`] with a kind and a location). After fixes,
//! review the corrected record again and compare with [`RecordReview::diff_from`]: resolved
//! deficiencies disappear, nothing else changes.
//!
//! # Built-in rules
//!
//! Stable ids (the JSON field `rule`), never renamed; each rule's doc comment in
//! `src/builtin.rs` and `docs/completeness.md` cite its source (42 CFR 482.24(c), 482.22(c),
//! 482.51(b), 482.13(b), 482.12(c); Joint Commission RC standards; ICD-10-CM Official
//! Guidelines; UB-04): `patient.identification`, `encounter.period`, `encounter.class`,
//! `encounter.admit-source`, `encounter.disposition`, `encounter.attending`, `hp.missing`,
//! `hp.late`, `hp.after-surgery`, `operative-report.missing`, `discharge-summary.missing`,
//! `progress-note.missing`, `document.unsigned`, `document.not-final`,
//! `diagnosis.principal-missing`, `code.invalid`, `code.not-billable`, `code.edit` (the
//! `medrec-codes` edit id in `detail`), `poa.missing`, `consent.missing`.
//!
//! # Should I use this crate?
//!
//! Use it to run the quantitative and rule-based qualitative review of discharged hospital
//! records held as FHIR R4 (chart deficiency analysis, physician query worklists, delinquency
//! rates), embedded in an EHR tool or a batch job; it reviews about 100,000 inpatient stays per
//! second on one core (see docs/benchmarks.md). It does not read free text to judge whether documentation supports the
//! codes (that is a human reviewer's job), and the operating-room procedure list and the POA
//! exempt list are documented approximations of the CMS lists.
//!
//! # Crate features
//!
//! None. The code rules use the tables embedded in `medrec-codes` (ICD-10-CM FY2026 April 1,
//! ICD-10-PCS FY2024) unless you give a [`medrec_codes::ReleaseHistory`]
//! ([`Reviewer::with_code_history`]).
#![forbid(unsafe_code)]

mod builtin;
mod codes;
mod config;
mod context;
mod report;
mod review;
mod rule;

pub use builtin::{BUILTIN_RULE_IDS, BuiltinRule, builtin_rules};
pub use codes::CodeTables;
pub use config::{
    CodingConfig, ConfigError, ConfigErrorKind, ConfigLocation, DelinquencyConfig, EncounterConfig,
    Limits, ReviewConfig, RuleConfig, default_code_edits, default_poa_exempt,
};
pub use context::{
    CareSetting, CodedDiagnosis, CodedProcedure, DiagnosisSource, DocumentFacts, DocumentKind,
    EncounterContext, OperativeProcedure, SettingSet, is_operative, is_operative_pcs,
};
pub use report::{
    AgingBucket, DelinquencyReport, DelinquentRecord, ReviewSummary, RuleCount, UnitCount,
    Worklist, WorklistGroup,
};
pub use review::{EncounterReview, RecordReview, ReviewDiff, Reviewer, RuleSet, builtin_rule_set};
pub use rule::{
    Deficiency, DeficiencyKey, Findings, FnRule, ResponsibleRole, Rule, RuleInfo, RuleKind,
    Severity,
};
