//! The facts of one encounter, read from a [`PatientRecord`] the way
//! `fhir-him-mapping.md` says (documents by LOINC type, signatures, principal diagnosis, POA,
//! operative procedures, consents), computed once and shared by every rule.

use crate::codes::CodeTables;
use crate::config::ReviewConfig;
use crate::rule::{Deficiency, ResponsibleRole, RuleKind, Severity};
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp, tz::TimeZone};
use medrec_model::datatypes::{CodeableConcept, Coding, DateTime, Reference};
use medrec_model::resources::{
    ClaimDiagnosisDiagnosis, ClaimProcedureProcedure, Consent, Patient, Procedure,
    ProcedurePerformed,
};
use medrec_model::{Document, EncounterRecord, PatientRecord, Resource};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::OnceLock;

/// `http://terminology.hl7.org/CodeSystem/v3-ActCode`.
pub const ACT_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
/// `http://terminology.hl7.org/CodeSystem/v3-ParticipationType`.
pub const PARTICIPATION_TYPE: &str = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType";
/// `http://loinc.org`.
pub const LOINC: &str = "http://loinc.org";
/// `http://snomed.info/sct`.
pub const SNOMED: &str = "http://snomed.info/sct";
/// `http://hl7.org/fhir/sid/icd-10-cm`.
pub const ICD10CM: &str = "http://hl7.org/fhir/sid/icd-10-cm";
/// `http://www.cms.gov/Medicare/Coding/ICD10` (ICD-10-PCS).
pub const ICD10PCS: &str = "http://www.cms.gov/Medicare/Coding/ICD10";
/// `http://terminology.hl7.org/CodeSystem/ex-diagnosistype`.
pub const DIAGNOSIS_TYPE: &str = "http://terminology.hl7.org/CodeSystem/ex-diagnosistype";
/// `http://terminology.hl7.org/CodeSystem/diagnosis-role`.
pub const DIAGNOSIS_ROLE: &str = "http://terminology.hl7.org/CodeSystem/diagnosis-role";
/// `http://terminology.hl7.org/CodeSystem/consentscope`.
pub const CONSENT_SCOPE: &str = "http://terminology.hl7.org/CodeSystem/consentscope";
/// `http://terminology.hl7.org/CodeSystem/v2-0203` (identifier types; `MR` = medical record number).
pub const IDENTIFIER_TYPE: &str = "http://terminology.hl7.org/CodeSystem/v2-0203";
/// SNOMED CT 387713003 *Surgical procedure*: `Procedure.category` of an operative procedure.
pub const SURGICAL_PROCEDURE: &str = "387713003";

/// The care setting of an encounter, from `Encounter.class` (v3-ActCode) per the mapping:
/// `IMP`, `ACUTE`, `NONAC` inpatient; `OBSENC` observation; `EMER` emergency; `AMB` ambulatory;
/// any other code other; no class unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CareSetting {
    /// Inpatient stay.
    Inpatient,
    /// Observation stay.
    Observation,
    /// Emergency visit.
    Emergency,
    /// Ambulatory (outpatient) visit.
    Ambulatory,
    /// Any other class (home health, virtual, field …).
    Other,
    /// No class recorded.
    Unknown,
}

impl CareSetting {
    /// Every setting.
    pub const ALL: [CareSetting; 6] = [
        CareSetting::Inpatient,
        CareSetting::Observation,
        CareSetting::Emergency,
        CareSetting::Ambulatory,
        CareSetting::Other,
        CareSetting::Unknown,
    ];

    /// The setting of an `Encounter.class` code.
    pub fn from_class(code: Option<&str>) -> CareSetting {
        match code {
            None => CareSetting::Unknown,
            Some("IMP" | "ACUTE" | "NONAC") => CareSetting::Inpatient,
            Some("OBSENC") => CareSetting::Observation,
            Some("EMER") => CareSetting::Emergency,
            Some("AMB") => CareSetting::Ambulatory,
            Some(_) => CareSetting::Other,
        }
    }

    /// `inpatient`, `observation`, `emergency`, `ambulatory`, `other`, `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            CareSetting::Inpatient => "inpatient",
            CareSetting::Observation => "observation",
            CareSetting::Emergency => "emergency",
            CareSetting::Ambulatory => "ambulatory",
            CareSetting::Other => "other",
            CareSetting::Unknown => "unknown",
        }
    }

    /// Parses [`CareSetting::as_str`] names.
    pub fn parse(s: &str) -> Option<CareSetting> {
        CareSetting::ALL.into_iter().find(|c| c.as_str() == s)
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl fmt::Display for CareSetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of care settings (which encounters a rule applies to).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SettingSet(u8);

impl SettingSet {
    /// No setting.
    pub const NONE: SettingSet = SettingSet(0);
    /// Every setting.
    pub const ALL: SettingSet = SettingSet(0b11_1111);

    /// The set of these settings.
    pub fn of(settings: &[CareSetting]) -> SettingSet {
        SettingSet(settings.iter().fold(0, |a, s| a | s.bit()))
    }
    /// Whether `s` is in the set.
    pub fn contains(self, s: CareSetting) -> bool {
        self.0 & s.bit() != 0
    }
    /// The settings in the set.
    pub fn iter(self) -> impl Iterator<Item = CareSetting> {
        CareSetting::ALL
            .into_iter()
            .filter(move |s| self.contains(*s))
    }
}

/// The kind of a clinical document, by its LOINC type (mapping: documents).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DocumentKind {
    /// `34117-2` History and physical note.
    HistoryAndPhysical,
    /// `18842-5` Discharge summary.
    DischargeSummary,
    /// `11504-8` Surgical operation note (operative report).
    OperativeReport,
    /// `11506-3` Progress note.
    ProgressNote,
    /// `11488-4` Consult note.
    ConsultNote,
    /// `28570-0` Procedure note.
    ProcedureNote,
}

impl DocumentKind {
    /// Every kind.
    pub const ALL: [DocumentKind; 6] = [
        DocumentKind::HistoryAndPhysical,
        DocumentKind::DischargeSummary,
        DocumentKind::OperativeReport,
        DocumentKind::ProgressNote,
        DocumentKind::ConsultNote,
        DocumentKind::ProcedureNote,
    ];

    /// The LOINC code.
    pub fn loinc(self) -> &'static str {
        match self {
            DocumentKind::HistoryAndPhysical => "34117-2",
            DocumentKind::DischargeSummary => "18842-5",
            DocumentKind::OperativeReport => "11504-8",
            DocumentKind::ProgressNote => "11506-3",
            DocumentKind::ConsultNote => "11488-4",
            DocumentKind::ProcedureNote => "28570-0",
        }
    }

    /// The kind of a LOINC code.
    pub fn from_loinc(code: &str) -> Option<DocumentKind> {
        DocumentKind::ALL.into_iter().find(|k| k.loinc() == code)
    }

    /// A readable name (`history and physical`).
    pub fn name(self) -> &'static str {
        match self {
            DocumentKind::HistoryAndPhysical => "history and physical",
            DocumentKind::DischargeSummary => "discharge summary",
            DocumentKind::OperativeReport => "operative report",
            DocumentKind::ProgressNote => "progress note",
            DocumentKind::ConsultNote => "consult note",
            DocumentKind::ProcedureNote => "procedure note",
        }
    }

    /// The kebab-case id (`history-and-physical`), as used in configuration files.
    pub fn id(self) -> &'static str {
        match self {
            DocumentKind::HistoryAndPhysical => "history-and-physical",
            DocumentKind::DischargeSummary => "discharge-summary",
            DocumentKind::OperativeReport => "operative-report",
            DocumentKind::ProgressNote => "progress-note",
            DocumentKind::ConsultNote => "consult-note",
            DocumentKind::ProcedureNote => "procedure-note",
        }
    }

    /// Parses [`DocumentKind::id`].
    pub fn parse(s: &str) -> Option<DocumentKind> {
        DocumentKind::ALL.into_iter().find(|k| k.id() == s)
    }
}

/// One document of the encounter, with the facts the rules need.
#[derive(Debug, Clone)]
pub struct DocumentFacts<'a> {
    /// The document.
    pub document: Document<'a>,
    /// `DocumentReference/<id>` or `Composition/<id>` (the fullUrl if there is no id).
    pub reference: ResourceRef<'a>,
    /// Its kind, if its type is a known (or configured) code.
    pub kind: Option<DocumentKind>,
    /// When it was written (`date`, else `content.attachment.creation`).
    pub written: Option<Timestamp>,
    /// Authenticated: `DocumentReference.authenticator` present, or a `Composition.attester`
    /// with mode `legal` and a `time`.
    pub signed: bool,
    /// `docStatus` / `status` is `final` or `amended`.
    pub is_final: bool,
    /// The first author.
    pub author: Option<&'a Reference>,
}

/// An operative (operating-room) procedure of the encounter.
#[derive(Debug, Clone)]
pub struct OperativeProcedure<'a> {
    /// The Procedure.
    pub procedure: &'a Procedure,
    /// `Procedure/<id>`.
    pub reference: ResourceRef<'a>,
    /// Start (`performedDateTime`, `performedPeriod.start`).
    pub start: Option<Timestamp>,
    /// The surgeon: the first performer's actor.
    pub surgeon: Option<&'a Reference>,
}

/// Where a coded diagnosis was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiagnosisSource {
    /// `Claim.diagnosis[index]` of the claim.
    Claim {
        /// `Claim/<id>` (shared by the claim's diagnoses).
        claim: std::sync::Arc<str>,
        /// Position in `Claim.diagnosis`.
        index: usize,
    },
    /// A `Condition` linked to the encounter.
    Condition(String),
    /// `Encounter.diagnosis[index]`.
    Encounter(usize),
}

/// A diagnosis of the stay (the UB-04 view: mapping "Codes of a stay").
#[derive(Debug, Clone)]
pub struct CodedDiagnosis {
    /// The ICD-10-CM code as written, if the diagnosis has one.
    pub icd10cm: Option<String>,
    /// Principal diagnosis.
    pub principal: bool,
    /// Admitting diagnosis (`Claim.diagnosis.type` `admitting`).
    pub admitting: bool,
    /// The POA indicator code (`y`, `n`, `u`, `w`, `1`…), if recorded.
    pub poa: Option<String>,
    /// Where it was found.
    pub source: DiagnosisSource,
}

impl CodedDiagnosis {
    /// The FHIR path of the diagnosis.
    pub fn path(&self) -> String {
        match &self.source {
            DiagnosisSource::Claim { claim, index } => {
                let mut s = String::with_capacity(claim.len() + 16);
                s.push_str(claim);
                s.push_str(".diagnosis");
                push_index(&mut s, *index);
                s
            }
            DiagnosisSource::Condition(c) => format!("{c}.code"),
            DiagnosisSource::Encounter(i) => format!("Encounter.diagnosis[{i}]"),
        }
    }
}

/// An ICD-10-PCS procedure code of the stay.
#[derive(Debug, Clone)]
pub struct CodedProcedure {
    /// The code as written.
    pub code: String,
    /// The FHIR path where it was found.
    pub path: String,
}

/// Everything the rules read about one encounter. Built once per encounter by the
/// [`crate::Reviewer`]; rules only read it.
#[derive(Debug)]
pub struct EncounterContext<'a> {
    /// The whole record (to resolve references).
    pub record: &'a PatientRecord,
    /// The encounter with what belongs to it.
    pub encounter: EncounterRecord<'a>,
    /// The patient.
    pub patient: Option<&'a Patient>,
    /// The configuration (time limits, lists).
    pub config: &'a ReviewConfig,
    /// The code tables.
    pub codes: &'a CodeTables,
    /// `Encounter/<id>` (else the fullUrl).
    pub reference: ResourceRef<'a>,
    /// The care setting.
    pub setting: CareSetting,
    /// Admission (`period.start`).
    pub admitted: Option<Timestamp>,
    /// Discharge (`period.end`); `None` for a stay still in progress.
    pub discharged: Option<Timestamp>,
    /// Admission date as written.
    pub admission_date: Option<Date>,
    /// Discharge date as written.
    pub discharge_date: Option<Date>,
    /// The documents, without `entered-in-error` ones.
    pub documents: Vec<DocumentFacts<'a>>,
    /// The operative procedures (status not `not-done` / `entered-in-error`), in time order.
    pub operative_procedures: Vec<OperativeProcedure<'a>>,
    /// The diagnoses of the stay: the claims' (with references resolved) if any claim lists
    /// diagnoses, else the ICD-10-CM-coded Conditions of the encounter, else
    /// `Encounter.diagnosis`.
    pub diagnoses: Vec<CodedDiagnosis>,
    /// Whether [`EncounterContext::diagnoses`] come from a claim (POA is reported there).
    pub diagnoses_from_claim: bool,
    /// ICD-10-PCS codes of the stay (claims, else Procedures), deduplicated.
    pub procedure_codes: Vec<CodedProcedure>,
    /// The attending physician reference.
    pub attending: Option<&'a Reference>,
    /// Treatment consents of the patient (scope `treatment`, status `active`); read only when
    /// the encounter has operative procedures (empty otherwise).
    pub consents: Vec<&'a Consent>,
    /// The unit the patient was discharged from (last `Encounter.location`).
    pub unit: Option<String>,
    /// The time zone of the stay: the UTC offset written on the admission (else discharge)
    /// date-time, else UTC. Due dates are calendar days in it.
    pub time_zone: TimeZone,
    /// [`EncounterContext::attending_practitioner`], resolved on first use (most encounters
    /// have no deficiency assigned to the attending).
    attending_resolved: OnceLock<Option<(String, Option<String>)>>,
}

fn ts(dt: &DateTime) -> Option<Timestamp> {
    dt.to_timestamp(&TimeZone::UTC)
}

fn first_code<'c>(cc: &'c CodeableConcept, system: &str) -> Option<&'c str> {
    cc.code_in(system)
}

fn resource_ref<'a>(
    resource_type: &'static str,
    id: Option<&'a str>,
    fallback: Option<&'a str>,
) -> ResourceRef<'a> {
    ResourceRef {
        resource_type,
        id,
        fallback,
    }
}

/// How a resource is named in deficiency paths: `Type/id`, else its `fullUrl`, else the bare
/// type. Borrowed and formatted only when a path is written (it implements `Display`), so
/// reading an encounter allocates no names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceRef<'a> {
    resource_type: &'static str,
    id: Option<&'a str>,
    fallback: Option<&'a str>,
}

impl ResourceRef<'_> {
    /// The name (as [`std::fmt::Display`] writes it) followed by `suffix`, built without the
    /// formatting machinery (this runs for every claim and procedure code of every stay).
    fn to_string_with(self, suffix: &str) -> String {
        let mut s = String::with_capacity(
            self.resource_type.len()
                + 1
                + self.id.or(self.fallback).map_or(0, str::len)
                + suffix.len()
                + 8,
        );
        match (self.id, self.fallback) {
            (Some(id), _) => {
                s.push_str(self.resource_type);
                s.push('/');
                s.push_str(id);
            }
            (None, Some(u)) => s.push_str(u),
            (None, None) => s.push_str(self.resource_type),
        }
        s.push_str(suffix);
        s
    }

    /// The resource type (`Encounter`, `DocumentReference` …).
    pub fn resource_type(&self) -> &'static str {
        self.resource_type
    }

    /// The logical id, if the resource has one.
    pub fn id(&self) -> Option<&str> {
        self.id
    }
}

impl std::fmt::Display for ResourceRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.id, self.fallback) {
            (Some(id), _) => {
                f.write_str(self.resource_type)?;
                f.write_str("/")?;
                f.write_str(id)
            }
            (None, Some(u)) => f.write_str(u),
            (None, None) => f.write_str(self.resource_type),
        }
    }
}

impl PartialEq<str> for ResourceRef<'_> {
    fn eq(&self, other: &str) -> bool {
        match (self.id, self.fallback) {
            (Some(id), _) => {
                other
                    .strip_prefix(self.resource_type)
                    .and_then(|r| r.strip_prefix('/'))
                    == Some(id)
            }
            (None, Some(u)) => other == u,
            (None, None) => other == self.resource_type,
        }
    }
}

impl<'a> EncounterContext<'a> {
    /// Reads the facts of `encounter`.
    pub fn new(
        record: &'a PatientRecord,
        encounter: EncounterRecord<'a>,
        config: &'a ReviewConfig,
        codes: &'a CodeTables,
    ) -> EncounterContext<'a> {
        let e = encounter.encounter;
        let reference = resource_ref("Encounter", e.id.as_deref(), encounter.full_url);
        let setting = CareSetting::from_class(
            e.class
                .as_ref()
                .and_then(|c| c.code.as_deref())
                .filter(|c| !c.is_empty()),
        );
        let start = e.period.as_ref().and_then(|p| p.start.as_ref());
        let end = e.period.as_ref().and_then(|p| p.end.as_ref());
        let admitted = start.and_then(ts);
        let discharged = end.and_then(ts);
        let admission_date = start.and_then(DateTime::date);
        let discharge_date = end.and_then(DateTime::date);

        let documents = encounter
            .documents
            .iter()
            .filter_map(|d| document_facts(*d, config))
            .collect();

        let mut operative_procedures: Vec<OperativeProcedure<'a>> = encounter
            .procedures
            .iter()
            .filter(|p| !matches!(p.status.as_deref(), Some("not-done" | "entered-in-error")))
            .filter(|p| is_operative(p))
            .map(|p| OperativeProcedure {
                procedure: p,
                reference: resource_ref("Procedure", p.id.as_deref(), None),
                start: procedure_start(p),
                surgeon: p.performer.iter().find_map(|x| x.actor.as_ref()),
            })
            .collect();
        operative_procedures.sort_by_key(|p| p.start);

        let (diagnoses, diagnoses_from_claim) = diagnoses_of(record, &encounter);
        let procedure_codes = procedure_codes_of(&encounter);

        let attending = e
            .participant
            .iter()
            .find(|p| {
                p.type_.iter().any(|t| {
                    t.coding.iter().any(|c| {
                        c.system.as_deref() == Some(PARTICIPATION_TYPE)
                            && c.code.as_deref().is_some_and(|code| {
                                config.encounter.attending_types.iter().any(|a| a == code)
                            })
                    })
                })
            })
            .and_then(|p| p.individual.as_ref());

        let patient = record.patient();
        let patient_id = patient.and_then(|p| p.id.as_deref());
        // Consents matter only for operative procedures.
        let consents = if operative_procedures.is_empty() {
            Vec::new()
        } else {
            record
                .all::<Consent>()
                .filter(|c| c.status.as_deref() == Some("active"))
                .filter(|c| {
                    c.scope
                        .as_ref()
                        .is_some_and(|s| s.has_code(CONSENT_SCOPE, "treatment"))
                })
                .filter(|c| match (&c.patient, patient_id) {
                    (Some(r), Some(_)) => record
                        .resolve(r)
                        .is_some_and(|x| matches!(x, Resource::Patient(_)) && x.id() == patient_id),
                    _ => true,
                })
                .collect()
        };

        let unit = unit_of(&encounter);
        let time_zone = start
            .and_then(DateTime::offset)
            .or_else(|| end.and_then(DateTime::offset))
            .map_or(TimeZone::UTC, TimeZone::fixed);
        EncounterContext {
            record,
            encounter,
            patient,
            config,
            codes,
            reference,
            setting,
            admitted,
            discharged,
            admission_date,
            discharge_date,
            documents,
            operative_procedures,
            diagnoses,
            diagnoses_from_claim,
            procedure_codes,
            attending,
            consents,
            unit,
            time_zone,
            attending_resolved: OnceLock::new(),
        }
    }

    /// The documents of a kind.
    pub fn documents_of(&self, kind: DocumentKind) -> impl Iterator<Item = &DocumentFacts<'a>> {
        self.documents.iter().filter(move |d| d.kind == Some(kind))
    }

    /// The search that should find a document of `kind` for this encounter (the path of a
    /// missing-document deficiency).
    pub fn missing_document_path(&self, kind: DocumentKind) -> String {
        format!(
            "DocumentReference?encounter={}&type={LOINC}|{}",
            self.reference,
            kind.loinc()
        )
    }

    /// Whole days from the admission date to the discharge date (dates as written).
    pub fn length_of_stay_days(&self) -> Option<i32> {
        Some((self.discharge_date? - self.admission_date?).get_days())
    }

    /// The discharge date plus the configured completion period: when the record must be
    /// complete (42 CFR 482.24(c)(4)(viii): 30 days).
    pub fn completion_due(&self) -> Option<Date> {
        self.discharge_date.and_then(|d| {
            d.checked_add(jiff::Span::new().days(self.config.limits.completion_days))
                .ok()
        })
    }

    /// The practitioner a reference names: (`Practitioner/<id>` or the reference as written,
    /// name).
    pub fn practitioner(&self, reference: &Reference) -> Option<(String, Option<String>)> {
        let resolved = self.record.resolve(reference);
        let practitioner = match resolved {
            Some(Resource::Practitioner(p)) => Some(&**p),
            Some(Resource::PractitionerRole(role)) => role
                .practitioner
                .as_ref()
                .and_then(|r| self.record.resolve_as(r)),
            _ => None,
        };
        let display = reference.display.clone();
        match practitioner {
            Some(p) => {
                let id = match &p.id {
                    Some(id) => format!("Practitioner/{id}"),
                    None => reference.reference.clone()?,
                };
                let name = p
                    .name
                    .first()
                    .and_then(|n| {
                        n.text.clone().or_else(|| {
                            let given: Vec<&str> =
                                n.given.iter().filter_map(|g| g.as_deref()).collect();
                            let mut s = given.join(" ");
                            if let Some(f) = &n.family {
                                if !s.is_empty() {
                                    s.push(' ');
                                }
                                s.push_str(f);
                            }
                            (!s.is_empty()).then_some(s)
                        })
                    })
                    .or(display);
                Some((id, name))
            }
            None => match &reference.reference {
                Some(r) => Some((r.clone(), display)),
                None => display.map(|d| (d.clone(), Some(d))),
            },
        }
    }

    /// The attending physician as (`Practitioner/<id>`, name).
    pub fn attending_practitioner(&self) -> Option<(String, Option<String>)> {
        self.attending_resolved
            .get_or_init(|| self.attending.and_then(|r| self.practitioner(r)))
            .clone()
    }

    /// A deficiency of this encounter at `path`, assigned to the attending physician and due at
    /// [`EncounterContext::completion_due`]. Rule id, kind and severity are set by
    /// [`crate::Findings::push`].
    pub fn deficiency(&self, path: impl Into<String>, message: impl Into<String>) -> Deficiency {
        let (practitioner, practitioner_name) = match self.attending_practitioner() {
            Some((id, name)) => (Some(id), name),
            None => (None, None),
        };
        self.deficiency_of(
            path.into(),
            message.into(),
            ResponsibleRole::Attending,
            practitioner,
            practitioner_name,
        )
    }

    /// A deficiency of this encounter at `path` for `role` with no practitioner (the attending
    /// is not resolved): what [`EncounterContext::deficiency`] followed by
    /// [`Deficiency::responsible`]`(role, None)` gives.
    pub(crate) fn deficiency_for(
        &self,
        role: ResponsibleRole,
        practitioner: Option<(String, Option<String>)>,
        path: String,
        message: String,
    ) -> Deficiency {
        let (practitioner, practitioner_name) = match practitioner {
            Some((id, name)) => (Some(id), name),
            None => (None, None),
        };
        self.deficiency_of(path, message, role, practitioner, practitioner_name)
    }

    fn deficiency_of(
        &self,
        path: String,
        message: String,
        role: ResponsibleRole,
        practitioner: Option<String>,
        practitioner_name: Option<String>,
    ) -> Deficiency {
        Deficiency {
            patient: None,
            encounter: None,
            rule: String::new(),
            severity: Severity::Error,
            kind: RuleKind::Quantitative,
            message,
            path,
            practitioner,
            practitioner_name,
            role,
            assigned: self.discharge_date.or(self.admission_date),
            due: self.completion_due(),
            detail: None,
            code: None,
            unit: None,
        }
    }

    /// The calendar date of an instant in the stay's time zone.
    pub fn local_date(&self, t: Timestamp) -> Date {
        self.time_zone.to_datetime(t).date()
    }

    /// The patient's age in whole years at admission.
    pub fn age_at_admission(&self) -> Option<u32> {
        let birth = self.patient?.birth_date.as_ref()?.date()?;
        let at = self.admission_date?;
        let mut y = at.year() as i32 - birth.year() as i32;
        if (at.month(), at.day()) < (birth.month(), birth.day()) {
            y -= 1;
        }
        (y >= 0).then_some(y as u32)
    }
}

/// Reads, level by level, the memory the facts come from: the resources' own fields, then the
/// codings and texts they point to, then the first bytes of those texts. Each level is a short
/// loop of independent loads, so that the processor overlaps their cache misses; reading each
/// resource in full, one after the other, waits for one miss at a time. On a population larger
/// than the caches (the `review` bench: 1,500 patients) most of the time of a review is such
/// waiting. Returns a sum of what it read (pass it to [`std::hint::black_box`]). The
/// [`crate::Reviewer`] calls it before building the [`EncounterContext`].
pub(crate) fn prefetch<'a>(enc: &EncounterRecord<'a>, patient: Option<&'a Patient>) -> usize {
    fn text<'t>(texts: &mut Vec<&'t str>, s: Option<&'t str>) {
        if let Some(s) = s {
            texts.push(s);
        }
    }
    let mut texts: Vec<&'a str> = Vec::with_capacity(64);
    let mut codings: Vec<&'a [Coding]> = Vec::with_capacity(32);
    let mut concepts: Vec<&'a [CodeableConcept]> = Vec::with_capacity(16);
    let mut acc = 0usize;
    // Level 1: the resources' own fields.
    let e = enc.encounter;
    text(&mut texts, e.id.as_deref());
    if let Some(p) = &e.period {
        text(&mut texts, p.start.as_ref().map(DateTime::as_str));
        text(&mut texts, p.end.as_ref().map(DateTime::as_str));
    }
    for p in &e.participant {
        concepts.push(&p.type_);
    }
    if let Some(p) = patient {
        text(&mut texts, p.id.as_deref());
        text(&mut texts, p.gender.as_deref());
        for i in &p.identifier {
            text(&mut texts, i.value.as_deref());
            if let Some(t) = &i.type_ {
                codings.push(&t.coding);
            }
        }
    }
    for &l in &enc.locations {
        text(&mut texts, l.name.as_deref());
    }
    for d in &enc.documents {
        match *d {
            Document::Reference(r) => {
                if let Some(t) = &r.type_ {
                    codings.push(&t.coding);
                }
                text(&mut texts, r.date.as_ref().map(|d| d.as_str()));
                text(&mut texts, r.doc_status.as_deref());
                acc += usize::from(r.authenticator.is_some()) + r.author.len();
            }
            Document::Composition(c) => {
                if let Some(t) = &c.type_ {
                    codings.push(&t.coding);
                }
                text(&mut texts, c.date.as_ref().map(DateTime::as_str));
                text(&mut texts, c.status.as_deref());
                acc += c.attester.len() + c.author.len();
            }
        }
    }
    for &p in &enc.procedures {
        if let Some(c) = &p.category {
            codings.push(&c.coding);
        }
        if let Some(c) = &p.code {
            codings.push(&c.coding);
        }
        acc += p.performer.len();
    }
    for c in &enc.claims {
        acc += c.diagnosis.len() + c.procedure.len();
    }
    // Level 2: what the fields point to (claim diagnoses, participant types).
    for &c in &enc.claims {
        for d in &c.diagnosis {
            if let Some(ClaimDiagnosisDiagnosis::CodeableConcept(cc)) = &d.diagnosis {
                codings.push(&cc.coding);
            }
            concepts.push(&d.type_);
            if let Some(o) = &d.on_admission {
                codings.push(&o.coding);
            }
        }
        for p in &c.procedure {
            if let Some(ClaimProcedureProcedure::CodeableConcept(cc)) = &p.procedure {
                codings.push(&cc.coding);
            }
        }
    }
    for list in &concepts {
        for cc in *list {
            codings.push(&cc.coding);
        }
    }
    // Level 3: the codings' texts.
    for list in &codings {
        for c in *list {
            text(&mut texts, c.system.as_deref());
            text(&mut texts, c.code.as_deref());
        }
    }
    // Level 4: the first byte of every text.
    for t in &texts {
        acc += usize::from(t.as_bytes().first().copied().unwrap_or(0));
    }
    acc
}

fn document_facts<'a>(d: Document<'a>, config: &ReviewConfig) -> Option<DocumentFacts<'a>> {
    match d {
        Document::Reference(r) => {
            if r.status.as_deref() == Some("entered-in-error") {
                return None;
            }
            let kind = r.type_.as_ref().and_then(|t| kind_of(t, config));
            let written = r.date.as_ref().and_then(|d| d.to_timestamp()).or_else(|| {
                r.content
                    .iter()
                    .filter_map(|c| c.attachment.as_ref()?.creation.as_ref())
                    .find_map(ts)
            });
            Some(DocumentFacts {
                document: d,
                reference: resource_ref("DocumentReference", r.id.as_deref(), None),
                kind,
                written,
                signed: r.authenticator.is_some(),
                is_final: matches!(r.doc_status.as_deref(), Some("final" | "amended")),
                author: r.author.first(),
            })
        }
        Document::Composition(c) => {
            if c.status.as_deref() == Some("entered-in-error") {
                return None;
            }
            let kind = c.type_.as_ref().and_then(|t| kind_of(t, config));
            Some(DocumentFacts {
                document: d,
                reference: resource_ref("Composition", c.id.as_deref(), None),
                kind,
                written: c.date.as_ref().and_then(ts),
                signed: c
                    .attester
                    .iter()
                    .any(|a| a.mode.as_deref() == Some("legal") && a.time.is_some()),
                is_final: matches!(c.status.as_deref(), Some("final" | "amended")),
                author: c.author.first(),
            })
        }
    }
}

fn kind_of(t: &CodeableConcept, config: &ReviewConfig) -> Option<DocumentKind> {
    for c in &t.coding {
        let (Some(system), Some(code)) = (c.system.as_deref(), c.code.as_deref()) else {
            continue;
        };
        if let Some(k) = config.document_kind(system, code) {
            return Some(k);
        }
        if system == LOINC {
            if let Some(k) = DocumentKind::from_loinc(code) {
                return Some(k);
            }
        }
    }
    None
}

/// Whether a Procedure is operative (an operating-room procedure): `Procedure.category` SNOMED CT
/// 387713003, or an ICD-10-PCS code in section `0` (Medical and Surgical) with approach
/// (5th character) `0` open or `4` percutaneous endoscopic. The PCS test is the mapping's
/// APPROXIMATION of the MS-DRG operating-room procedure list.
pub fn is_operative(p: &Procedure) -> bool {
    if p.category
        .as_ref()
        .is_some_and(|c| c.has_code(SNOMED, SURGICAL_PROCEDURE))
    {
        return true;
    }
    p.code
        .as_ref()
        .and_then(|c| first_code(c, ICD10PCS))
        .is_some_and(is_operative_pcs)
}

/// The PCS half of [`is_operative`].
pub fn is_operative_pcs(code: &str) -> bool {
    let b = code.trim().as_bytes();
    b.len() == 7 && b[0] == b'0' && (b[4] == b'0' || b[4] == b'4')
}

fn procedure_start(p: &Procedure) -> Option<Timestamp> {
    match p.performed.as_ref()? {
        ProcedurePerformed::DateTime(d) => ts(d),
        ProcedurePerformed::Period(per) => per.start.as_ref().and_then(ts),
        _ => None,
    }
}

fn diagnoses_of(record: &PatientRecord, enc: &EncounterRecord<'_>) -> (Vec<CodedDiagnosis>, bool) {
    let mut out: Vec<CodedDiagnosis> = Vec::new();
    for claim in &enc.claims {
        if claim.status.as_deref() == Some("entered-in-error") {
            continue;
        }
        let claim_ref: std::sync::Arc<str> = resource_ref("Claim", claim.id.as_deref(), None)
            .to_string_with("")
            .into();
        let has_principal_type = claim.diagnosis.iter().any(|d| {
            d.type_
                .iter()
                .any(|t| t.has_code(DIAGNOSIS_TYPE, "principal"))
        });
        for (index, d) in claim.diagnosis.iter().enumerate() {
            let icd10cm = match &d.diagnosis {
                Some(ClaimDiagnosisDiagnosis::CodeableConcept(cc)) => {
                    first_code(cc, ICD10CM).map(str::to_string)
                }
                Some(ClaimDiagnosisDiagnosis::Reference(r)) => record
                    .resolve_as::<medrec_model::resources::Condition>(r)
                    .and_then(|c| c.code.as_ref())
                    .and_then(|cc| first_code(cc, ICD10CM))
                    .map(str::to_string),
                None => None,
            };
            let is_type = |code: &str| d.type_.iter().any(|t| t.has_code(DIAGNOSIS_TYPE, code));
            let principal = if has_principal_type {
                is_type("principal")
            } else {
                d.sequence == Some(1)
            };
            let poa = d
                .on_admission
                .as_ref()
                .and_then(|o| o.coding.iter().find_map(|c| c.code.clone()));
            let dx = CodedDiagnosis {
                icd10cm,
                principal,
                admitting: is_type("admitting"),
                poa,
                source: DiagnosisSource::Claim {
                    claim: claim_ref.clone(),
                    index,
                },
            };
            // The same code on two claims of the stay (a claim and its resubmission) counts once.
            if let Some(code) = &dx.icd10cm {
                if let Some(prev) = out
                    .iter_mut()
                    .find(|o| o.icd10cm.as_deref() == Some(code.as_str()))
                {
                    prev.principal |= dx.principal;
                    prev.admitting |= dx.admitting;
                    continue;
                }
            }
            out.push(dx);
        }
    }
    if !out.is_empty() {
        return (out, true);
    }
    // Encounter.diagnosis ranks name the principal when there is no claim.
    let e = enc.encounter;
    let principal_condition = e
        .diagnosis
        .iter()
        .filter(|d| d.rank == Some(1))
        .filter(|d| {
            d.use_.as_ref().is_none_or(|u| {
                u.has_code(DIAGNOSIS_ROLE, "DD") || u.has_code(DIAGNOSIS_ROLE, "billing")
            })
        })
        .find_map(|d| d.condition.as_ref())
        .and_then(|r| record.resolve(r))
        .and_then(|r| r.id().map(str::to_string));
    for c in &enc.conditions {
        if c.verification_status.as_ref().is_some_and(|v| {
            v.coding
                .iter()
                .any(|x| x.code.as_deref() == Some("entered-in-error"))
        }) {
            continue;
        }
        let Some(code) = c.code.as_ref().and_then(|cc| first_code(cc, ICD10CM)) else {
            continue;
        };
        if out.iter().any(|o| o.icd10cm.as_deref() == Some(code)) {
            continue;
        }
        out.push(CodedDiagnosis {
            icd10cm: Some(code.to_string()),
            principal: principal_condition.is_some() && c.id == principal_condition,
            admitting: false,
            poa: None,
            source: DiagnosisSource::Condition(
                resource_ref("Condition", c.id.as_deref(), None).to_string_with(""),
            ),
        });
    }
    if out.is_empty() {
        for (i, d) in e.diagnosis.iter().enumerate() {
            let principal = d.rank == Some(1)
                && d.use_.as_ref().is_none_or(|u| {
                    u.has_code(DIAGNOSIS_ROLE, "DD") || u.has_code(DIAGNOSIS_ROLE, "billing")
                });
            out.push(CodedDiagnosis {
                icd10cm: None,
                principal,
                admitting: false,
                poa: None,
                source: DiagnosisSource::Encounter(i),
            });
        }
    }
    (out, false)
}

fn procedure_codes_of(enc: &EncounterRecord<'_>) -> Vec<CodedProcedure> {
    let mut out: Vec<CodedProcedure> = Vec::new();
    for claim in &enc.claims {
        if claim.status.as_deref() == Some("entered-in-error") {
            continue;
        }
        let claim_ref = resource_ref("Claim", claim.id.as_deref(), None);
        for (i, p) in claim.procedure.iter().enumerate() {
            if let Some(ClaimProcedureProcedure::CodeableConcept(cc)) = &p.procedure {
                if let Some(code) = first_code(cc, ICD10PCS) {
                    if !out.iter().any(|o| o.code == code) {
                        out.push(CodedProcedure {
                            code: code.to_string(),
                            path: {
                                let mut path = claim_ref.to_string_with(".procedure");
                                push_index(&mut path, i);
                                path
                            },
                        });
                    }
                }
            }
        }
    }
    for p in &enc.procedures {
        if matches!(p.status.as_deref(), Some("not-done" | "entered-in-error")) {
            continue;
        }
        if let Some(code) = p.code.as_ref().and_then(|c| first_code(c, ICD10PCS)) {
            if !out.iter().any(|o| o.code == code) {
                out.push(CodedProcedure {
                    code: code.to_string(),
                    path: resource_ref("Procedure", p.id.as_deref(), None).to_string_with(".code"),
                });
            }
        }
    }
    out
}

pub(crate) fn unit_of(enc: &EncounterRecord<'_>) -> Option<String> {
    if let Some(l) = enc.locations.last() {
        if let Some(n) = &l.name {
            return Some(n.clone());
        }
        if let Some(id) = &l.id {
            return Some(id.clone());
        }
    }
    let last = enc.encounter.location.last()?.location.as_ref()?;
    last.display.clone().or_else(|| last.reference.clone())
}

/// Appends `[i]` (decimal) to a path.
fn push_index(s: &mut String, i: usize) {
    let mut digits = [0u8; 20];
    let mut n = i;
    let mut k = digits.len();
    loop {
        k -= 1;
        digits[k] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    s.push('[');
    for &d in &digits[k..] {
        s.push(char::from(d));
    }
    s.push(']');
}

/// Adds hours to a timestamp.
pub(crate) fn plus_hours(t: Timestamp, hours: i64) -> Timestamp {
    t.checked_add(SignedDuration::from_hours(hours))
        .unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_index_writes_decimal_in_brackets() {
        for i in [0usize, 7, 10, 99, 123, 4096, usize::MAX] {
            let mut s = String::from("x");
            push_index(&mut s, i);
            assert_eq!(s, format!("x[{i}]"));
        }
    }

    #[test]
    fn resource_names_match_display() {
        for r in [
            resource_ref("Claim", Some("c1"), None),
            resource_ref("Claim", None, Some("urn:uuid:1")),
            resource_ref("Claim", None, None),
        ] {
            assert_eq!(r.to_string_with(".procedure"), format!("{r}.procedure"));
        }
    }
}
