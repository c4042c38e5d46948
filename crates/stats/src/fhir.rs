//! Reading [`Stay`]s and bed counts from FHIR R4 records, as `fhir-him-mapping.md` says.
//!
//! | fact | read from |
//! |---|---|
//! | class | `Encounter.class` (`IMP`, `ACUTE`, `NONAC` inpatient; `OBSENC`; `EMER`; others outpatient) |
//! | admission / discharge | `Encounter.period.start` / `.end` (partial dates: start of the day in the facility's zone) |
//! | admit source | `Encounter.hospitalization.admitSource` (`born` newborn, `hosp-trans` transfer in) |
//! | disposition | `Encounter.hospitalization.dischargeDisposition` (`exp` death, `hosp`, `other-hcf`, `snf`, `long`, `rehab`, `psy` transfer out, `aadvice`) |
//! | unit history | `Encounter.location[]` (`planned` entries skipped), each `Location` walked up `partOf` from a bed (`bd`) or room (`ro`) to its ward (`wa`); the ward's `name` (else id) is the unit |
//! | facility | `Encounter.serviceProvider` → `Organization.name` (else the reference's display or text) |
//! | attending, consultation | `Encounter.participant[].type` `ATND`; `CON` (or a consult note, LOINC `11488-4`) |
//! | death time | `Patient.deceasedDateTime`, else the stay's end |
//! | autopsy | a `Procedure` with SNOMED CT `29240004` on the deceased patient |
//! | diagnoses | `Claim.diagnosis[].diagnosisCodeableConcept` (ICD-10-CM system), else `Condition.code` of the encounter's conditions; principal = type `principal`, else sequence 1, else `Encounter.diagnosis` rank 1 |
//! | procedures | `Claim.procedure[].procedureCodeableConcept` (ICD-10-PCS system), else `Procedure.code` |
//! | deliveries, births | PCS `10D00Z0/1/2` cesarean, `10D07Z*`, `10E0XZZ` vaginal; `Z37.x` outcomes ([`crate::obstetrics`]) |
//! | hospital-acquired infection | a secondary diagnosis with POA `N` from [`HAI_CODE_PREFIXES`] (an approximation of the CMS HAC infection categories) |
//! | payer | `Claim.insurance[].coverage` → `Coverage.payor[0]` → `Organization.name` (else its display) |
//! | charges | `Claim.total` of the encounter's claims, else Σ `Claim.item[].net` |
//! | beds | active `Location`s with `physicalType` `bd`, counted on their ward through `partOf`; a ward whose `name` or `type` text says nursery has bassinets |

use crate::beds::{BedCountChange, BedKind, BedSchedule};
use crate::stay::{
    AdmitSource, Disposition, EncounterClass, Stay, StayDiagnosis, StayProcedure, UnitStay,
};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use medrec_model::datatypes::{CodeableConcept, DateTime, Money, Reference};
use medrec_model::resources::{
    ClaimDiagnosisDiagnosis, ClaimProcedureProcedure, Coverage, Encounter, Location, Organization,
    Patient, PatientDeceased, Practitioner, Procedure, ProcedurePerformed,
};
use medrec_model::{Document, EncounterRecord, PatientRecord, Resource};
use std::collections::BTreeMap;

/// ICD-10-CM code system.
pub const ICD10CM_SYSTEM: &str = "http://hl7.org/fhir/sid/icd-10-cm";
/// ICD-10-PCS code system (CMS).
pub const ICD10PCS_SYSTEM: &str = "http://www.cms.gov/Medicare/Coding/ICD10";
/// SNOMED CT.
pub const SNOMED_SYSTEM: &str = "http://snomed.info/sct";
/// SNOMED CT autopsy examination [verify: `fhir-him-mapping.md`].
pub const AUTOPSY_SNOMED: &str = "29240004";

/// ICD-10-CM prefixes read as hospital-acquired infections when coded as a secondary diagnosis
/// not present on admission: central-line bloodstream infection (`T80.21`), catheter-associated
/// UTI (`T83.51`), surgical-site infection (`T81.4`), ventilator-associated pneumonia
/// (`J95.851`), C. difficile (`A04.7`), UTI site not specified (`N39.0`), infections of
/// devices, implants and grafts (`T82.6`, `T82.7`, `T84.5`, `T85.7`). An approximation of the
/// CMS hospital-acquired condition (HAC) infection categories, not NHSN surveillance definitions.
pub const HAI_CODE_PREFIXES: &[&str] = &[
    "T8021", "T8351", "T814", "J95851", "A047", "N390", "T826", "T827", "T845", "T857",
];

/// How FHIR is read.
#[derive(Debug, Clone)]
pub struct FhirReadOptions {
    /// The zone partial dates (a date without a time) are read in.
    pub time_zone: TimeZone,
    /// Fill [`Stay::diagnosis_group`] with the CCSR category of the principal diagnosis
    /// (embedded AHRQ CCSR map of `medrec-codes`).
    pub ccsr_groups: bool,
}

impl Default for FhirReadOptions {
    fn default() -> FhirReadOptions {
        FhirReadOptions {
            time_zone: TimeZone::UTC,
            ccsr_groups: true,
        }
    }
}

/// What is wrong with an encounter that could not become a stay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FhirStayErrorKind {
    /// `Encounter.period.start` is missing or not a valid dateTime.
    MissingAdmission,
    /// `Encounter.period.end` is present but not a valid dateTime.
    BadDischarge,
}

/// An encounter that could not be read as a stay (the others still are).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Encounter/{encounter}: {path}: {message}")]
pub struct FhirStayError {
    encounter: String,
    path: &'static str,
    kind: FhirStayErrorKind,
    message: String,
}

impl FhirStayError {
    /// What is wrong.
    pub fn kind(&self) -> FhirStayErrorKind {
        self.kind
    }

    /// The encounter's id.
    pub fn encounter(&self) -> &str {
        &self.encounter
    }

    /// The FHIR path of the element.
    pub fn path(&self) -> &str {
        self.path
    }
}

fn codes_of<'a>(
    cc: &'a CodeableConcept,
    system: Option<&'a str>,
) -> impl Iterator<Item = &'a str> + 'a {
    cc.coding
        .iter()
        .filter(move |c| system.is_none_or(|s| c.system.as_deref() == Some(s)))
        .filter_map(|c| c.code.as_deref())
}

fn first_code(cc: Option<&CodeableConcept>) -> Option<&str> {
    cc.and_then(|c| c.coding.iter().find_map(|x| x.code.as_deref()))
}

fn has_code(cc: &[CodeableConcept], code: &str) -> bool {
    cc.iter()
        .any(|c| c.coding.iter().any(|x| x.code.as_deref() == Some(code)))
}

fn timestamp(dt: Option<&DateTime>, tz: &TimeZone) -> Option<Timestamp> {
    dt?.to_timestamp(tz)
}

/// A Money amount in cents, from its decimal text (exact; no float rounding).
pub fn money_cents(m: &Money) -> Option<i64> {
    let text = m.value.as_ref()?.as_str();
    decimal_cents(text)
}

/// Decimal text (`1234.5`, `-3`, `1e3` is not accepted) to cents, rounding half away from zero.
pub fn decimal_cents(text: &str) -> Option<i64> {
    let (neg, t) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    if int.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let whole: i64 = int.parse().ok()?;
    let mut cents = whole.checked_mul(100)?;
    let f = frac.as_bytes();
    let d = |i: usize| f.get(i).map_or(0, |b| i64::from(b - b'0'));
    cents = cents.checked_add(d(0) * 10 + d(1))?;
    if d(2) >= 5 {
        cents = cents.checked_add(1)?;
    }
    Some(if neg { -cents } else { cents })
}

fn reference_label(r: &Reference) -> String {
    r.display
        .clone()
        .or_else(|| r.reference.clone())
        .or_else(|| r.identifier.as_ref().and_then(|i| i.value.clone()))
        .unwrap_or_default()
}

fn practitioner_name(p: &Practitioner) -> Option<String> {
    let n = p.name.first()?;
    if let Some(t) = &n.text {
        return Some(t.clone());
    }
    let given: Vec<&str> = n.given.iter().filter_map(|g| g.as_deref()).collect();
    let s = format!("{} {}", given.join(" "), n.family.as_deref().unwrap_or(""));
    let s = s.trim().to_string();
    (!s.is_empty()).then_some(s)
}

/// The ward (unit) a Location belongs to: itself when a ward (or of no physical type), else the
/// first `wa` up its `partOf` chain (at most 8 steps); and the ward's display name.
fn unit_of<'a>(record: &'a PatientRecord, loc: &'a Location) -> &'a Location {
    let mut cur = loc;
    for _ in 0..8 {
        let kind = first_code(cur.physical_type.as_ref());
        if kind.is_none() || kind == Some("wa") {
            return cur;
        }
        let Some(parent) = cur
            .part_of
            .as_ref()
            .and_then(|r| record.resolve(r))
            .and_then(|r| r.downcast_ref::<Location>())
        else {
            return cur;
        };
        cur = parent;
    }
    cur
}

fn location_name(l: &Location) -> String {
    l.name
        .clone()
        .or_else(|| l.id.clone())
        .unwrap_or_else(|| crate::aggregate::UNASSIGNED_UNIT.to_string())
}

/// The first performer of a Procedure (`Procedure.performer[].actor`): the practitioner's name,
/// else the reference's display or text.
fn procedure_performer(record: &PatientRecord, p: &Procedure) -> Option<String> {
    let actor = p.performer.iter().find_map(|x| x.actor.as_ref())?;
    Some(
        record
            .resolve(actor)
            .and_then(|x| x.downcast_ref::<Practitioner>())
            .and_then(practitioner_name)
            .unwrap_or_else(|| reference_label(actor)),
    )
}

/// The performer of a claim's procedure: that of the encounter's `Procedure` with the same
/// ICD-10-PCS code (a claim line names no performer).
fn performer_of_code(
    record: &PatientRecord,
    er: &EncounterRecord<'_>,
    code: &str,
) -> Option<String> {
    er.procedures
        .iter()
        .filter(|p| {
            p.code
                .as_ref()
                .is_some_and(|cc| codes_of(cc, Some(ICD10PCS_SYSTEM)).any(|c| c == code))
        })
        .find_map(|p| procedure_performer(record, p))
}

fn patient_of<'a>(record: &'a PatientRecord, e: &Encounter) -> Option<&'a Patient> {
    e.subject
        .as_ref()
        .and_then(|r| record.resolve(r))
        .and_then(|r| r.downcast_ref::<Patient>())
        .or_else(|| record.patient())
}

/// Reads every encounter of a record as a stay (any class; the aggregator keeps inpatients).
/// Works on a one-patient Bundle and on a multi-patient record (e.g. a whole Bulk Data export):
/// each encounter's patient is its `subject`.
pub fn stays_from_record(
    record: &PatientRecord,
    options: &FhirReadOptions,
) -> Vec<Result<Stay, FhirStayError>> {
    // Autopsies per patient (by Patient id or subject reference text).
    let mut autopsied: Vec<String> = Vec::new();
    for p in record.all::<Procedure>() {
        if p.status.as_deref() == Some("entered-in-error") {
            continue;
        }
        let is_autopsy = p
            .code
            .as_ref()
            .is_some_and(|c| codes_of(c, Some(SNOMED_SYSTEM)).any(|x| x == AUTOPSY_SNOMED));
        if is_autopsy && let Some(s) = &p.subject {
            let id = s
                .reference
                .as_ref()
                .and_then(|_| record.resolve(s))
                .and_then(|r| r.downcast_ref::<Patient>())
                .and_then(|pt| pt.id.clone())
                .unwrap_or_else(|| reference_label(s));
            autopsied.push(id);
        }
    }
    record
        .encounters()
        .map(|er| stay_from_encounter(record, &er, options, &autopsied))
        .collect()
}

fn stay_from_encounter(
    record: &PatientRecord,
    er: &EncounterRecord<'_>,
    options: &FhirReadOptions,
    autopsied: &[String],
) -> Result<Stay, FhirStayError> {
    let tz = &options.time_zone;
    let e = er.encounter;
    let encounter_id = e.id.clone().unwrap_or_default();
    let err = |path, kind, message: &str| FhirStayError {
        encounter: encounter_id.clone(),
        path,
        kind,
        message: message.to_string(),
    };
    let period = e.period.as_ref();
    let admitted = timestamp(period.and_then(|p| p.start.as_ref()), tz).ok_or_else(|| {
        err(
            "Encounter.period.start",
            FhirStayErrorKind::MissingAdmission,
            "no admission time (period.start missing or invalid)",
        )
    })?;
    let discharged = match period.and_then(|p| p.end.as_ref()) {
        None => None,
        Some(d) => Some(d.to_timestamp(tz).ok_or_else(|| {
            err(
                "Encounter.period.end",
                FhirStayErrorKind::BadDischarge,
                "period.end is not a valid dateTime",
            )
        })?),
    };
    let patient = patient_of(record, e);
    let patient_id = patient
        .and_then(|p| p.id.clone())
        .or_else(|| e.subject.as_ref().map(reference_label))
        .unwrap_or_default();
    let class = EncounterClass::from_act_code(
        e.class
            .as_ref()
            .and_then(|c| c.code.as_deref())
            .unwrap_or(""),
    );
    let mut stay = Stay::new(
        patient_id.clone(),
        encounter_id.clone(),
        class,
        admitted,
        discharged,
    );
    // Facility.
    if let Some(r) = &e.service_provider {
        stay.facility = record
            .resolve(r)
            .and_then(|x| x.downcast_ref::<Organization>())
            .and_then(|o| o.name.clone())
            .unwrap_or_else(|| reference_label(r));
    }
    if let Some(h) = &e.hospitalization {
        if let Some(code) = first_code(h.admit_source.as_ref()) {
            stay.admit_source = AdmitSource::from_code(code);
        }
        if let Some(code) = first_code(h.discharge_disposition.as_ref()) {
            stay.disposition = Disposition::from_code(code);
        }
    }
    // Unit history.
    let mut units: Vec<UnitStay> = Vec::new();
    for l in &e.location {
        if l.status.as_deref() == Some("planned") {
            continue;
        }
        let name = match l.location.as_ref() {
            Some(r) => match record.resolve(r).and_then(|x| x.downcast_ref::<Location>()) {
                Some(loc) => location_name(unit_of(record, loc)),
                None => reference_label(r),
            },
            None => continue,
        };
        let from =
            timestamp(l.period.as_ref().and_then(|p| p.start.as_ref()), tz).unwrap_or(admitted);
        let to = timestamp(l.period.as_ref().and_then(|p| p.end.as_ref()), tz);
        units.push(UnitStay {
            unit: name,
            from,
            to,
        });
    }
    units.sort_by_key(|u| u.from);
    stay.units = units;
    // Participants.
    for p in &e.participant {
        let name = || {
            p.individual.as_ref().map(|r| {
                record
                    .resolve(r)
                    .and_then(|x| x.downcast_ref::<Practitioner>())
                    .and_then(practitioner_name)
                    .unwrap_or_else(|| reference_label(r))
            })
        };
        if has_code(&p.type_, "ATND") && stay.attending.is_none() {
            stay.attending = name();
        }
        if has_code(&p.type_, "CON") {
            stay.consultation = true;
        }
    }
    if stay.attending.is_none() {
        stay.attending = er.practitioners.first().and_then(|p| practitioner_name(p));
    }
    if er.documents.iter().any(|d| match d {
        Document::Reference(r) => r
            .type_
            .as_ref()
            .is_some_and(|t| codes_of(t, None).any(|c| c == "11488-4")),
        Document::Composition(c) => c
            .type_
            .as_ref()
            .is_some_and(|t| codes_of(t, None).any(|x| x == "11488-4")),
    }) {
        stay.consultation = true;
    }
    // Service.
    stay.service = e.service_type.as_ref().and_then(|s| {
        s.text.clone().or_else(|| {
            s.coding
                .iter()
                .find_map(|c| c.display.clone().or_else(|| c.code.clone()))
        })
    });
    // Death.
    if stay.died() {
        if let Some(PatientDeceased::DateTime(dt)) = patient.and_then(|p| p.deceased.as_ref())
            && let Some(t) = dt.to_timestamp(tz)
            && t >= admitted
        {
            stay.death_time = Some(t);
        }
        stay.autopsy.performed = autopsied.contains(&patient_id);
    }
    // Codes: claims first.
    let mut diagnoses: Vec<(Option<u32>, bool, StayDiagnosis)> = Vec::new();
    let mut procedures: Vec<StayProcedure> = Vec::new();
    let mut charges: Option<i64> = None;
    for claim in &er.claims {
        if claim.status.as_deref() == Some("entered-in-error") {
            continue;
        }
        for d in &claim.diagnosis {
            let principal_type = d
                .type_
                .iter()
                .any(|t| codes_of(t, None).any(|c| c == "principal"));
            let admitting = d
                .type_
                .iter()
                .any(|t| codes_of(t, None).any(|c| c == "admitting"));
            let poa = first_code(d.on_admission.as_ref()).and_then(|c| c.chars().next());
            let code = match &d.diagnosis {
                Some(ClaimDiagnosisDiagnosis::CodeableConcept(cc)) => {
                    codes_of(cc, Some(ICD10CM_SYSTEM))
                        .next()
                        .map(str::to_string)
                }
                Some(ClaimDiagnosisDiagnosis::Reference(r)) => record
                    .resolve(r)
                    .and_then(|x| x.downcast_ref::<medrec_model::resources::Condition>())
                    .and_then(|c| c.code.as_ref())
                    .and_then(|cc| {
                        codes_of(cc, Some(ICD10CM_SYSTEM))
                            .next()
                            .map(str::to_string)
                    }),
                _ => None,
            };
            if let Some(code) = code {
                diagnoses.push((
                    d.sequence,
                    principal_type,
                    StayDiagnosis {
                        code,
                        principal: false,
                        present_on_admission: poa,
                        admitting,
                    },
                ));
            }
        }
        for p in &claim.procedure {
            if let Some(ClaimProcedureProcedure::CodeableConcept(cc)) = &p.procedure
                && let Some(code) = codes_of(cc, Some(ICD10PCS_SYSTEM)).next()
            {
                procedures.push(StayProcedure {
                    code: code.to_string(),
                    performed: timestamp(p.date.as_ref(), tz),
                    performer: performer_of_code(record, er, code),
                });
            }
        }
        let c = claim.total.as_ref().and_then(money_cents).or_else(|| {
            let items: Vec<i64> = claim
                .item
                .iter()
                .filter_map(|i| i.net.as_ref().and_then(money_cents))
                .collect();
            (!items.is_empty()).then(|| items.iter().sum())
        });
        if let Some(c) = c {
            charges = Some(charges.unwrap_or(0) + c);
        }
        // Payer.
        if stay.payer.is_none() {
            let mut ins: Vec<_> = claim.insurance.iter().collect();
            ins.sort_by_key(|i| (!i.focal.unwrap_or(false), i.sequence.unwrap_or(u32::MAX)));
            stay.payer = ins.iter().find_map(|i| {
                let cov = i.coverage.as_ref()?;
                match record
                    .resolve(cov)
                    .and_then(|x| x.downcast_ref::<Coverage>())
                {
                    Some(c) => c.payor.first().map(|p| {
                        record
                            .resolve(p)
                            .and_then(|x| x.downcast_ref::<Organization>())
                            .and_then(|o| o.name.clone())
                            .unwrap_or_else(|| reference_label(p))
                    }),
                    None => cov.display.clone(),
                }
            });
        }
    }
    stay.charges_cents = charges;
    if diagnoses.is_empty() {
        for c in &er.conditions {
            if let Some(code) = c
                .code
                .as_ref()
                .and_then(|cc| codes_of(cc, Some(ICD10CM_SYSTEM)).next())
            {
                diagnoses.push((
                    None,
                    false,
                    StayDiagnosis {
                        code: code.to_string(),
                        principal: false,
                        present_on_admission: None,
                        admitting: false,
                    },
                ));
            }
        }
    }
    if procedures.is_empty() {
        for p in &er.procedures {
            if let Some(code) = p
                .code
                .as_ref()
                .and_then(|cc| codes_of(cc, Some(ICD10PCS_SYSTEM)).next())
            {
                let performed = match &p.performed {
                    Some(ProcedurePerformed::DateTime(d)) => d.to_timestamp(tz),
                    Some(ProcedurePerformed::Period(pp)) => timestamp(pp.start.as_ref(), tz),
                    _ => None,
                };
                procedures.push(StayProcedure {
                    code: code.to_string(),
                    performed,
                    performer: procedure_performer(record, p),
                });
            }
        }
    }
    // Principal: type principal, else sequence 1, else the first.
    let principal = diagnoses
        .iter()
        .position(|d| d.1)
        .or_else(|| diagnoses.iter().position(|d| d.0 == Some(1)))
        .or(if diagnoses.is_empty() { None } else { Some(0) });
    if let Some(p) = principal {
        let d = diagnoses.remove(p);
        diagnoses.insert(0, d);
        diagnoses[0].2.principal = true;
    }
    stay.diagnoses = diagnoses.into_iter().map(|d| d.2).collect();
    stay.procedures = procedures;
    // Hospital-acquired infections.
    stay.hospital_acquired_infections = stay
        .diagnoses
        .iter()
        .filter(|d| !d.principal && matches!(d.present_on_admission, Some('n' | 'N')))
        .filter(|d| {
            let k: String = d
                .code
                .chars()
                .filter(|c| *c != '.')
                .map(|c| c.to_ascii_uppercase())
                .collect();
            HAI_CODE_PREFIXES.iter().any(|p| k.starts_with(p))
        })
        .count()
        .min(usize::from(u16::MAX)) as u16;
    if options.ccsr_groups
        && let Some(p) = stay.diagnoses.first()
    {
        stay.diagnosis_group = medrec_codes::clinical::ccsr::CcsrMap::embedded()
            .categories(&p.code)
            .first()
            .map(|c| c.as_str().to_string());
    }
    stay.derive_from_codes();
    Ok(stay)
}

/// Bed and bassinet counts from the record's `Location`s (see the module table): every active
/// bed (`bd`) counted on its ward, effective from `effective_from`.
pub fn beds_from_locations(
    record: &PatientRecord,
    effective_from: jiff::civil::Date,
) -> BedSchedule {
    let mut counts: BTreeMap<String, (u32, bool)> = BTreeMap::new();
    for loc in record.all::<Location>() {
        let kind = first_code(loc.physical_type.as_ref());
        let ward = unit_of(record, loc);
        let ward_kind = first_code(ward.physical_type.as_ref());
        let nursery = is_nursery(ward);
        if kind == Some("wa") || (kind.is_none() && ward_kind.is_none()) {
            counts.entry(location_name(ward)).or_insert((0, nursery));
        }
        if kind != Some("bd") || matches!(loc.status.as_deref(), Some("inactive" | "suspended")) {
            continue;
        }
        let e = counts.entry(location_name(ward)).or_insert((0, nursery));
        e.0 += 1;
    }
    let mut s = BedSchedule::new();
    for (unit, (beds, nursery)) in counts {
        if beds == 0 {
            continue;
        }
        s.insert(BedCountChange {
            facility: String::new(),
            unit,
            beds,
            effective_from,
            kind: if nursery {
                BedKind::Bassinet
            } else {
                BedKind::Bed
            },
        });
    }
    s
}

fn is_nursery(l: &Location) -> bool {
    let says = |s: &str| s.to_ascii_lowercase().contains("nursery");
    l.name.as_deref().is_some_and(says)
        || l.type_.iter().any(|t| {
            t.text.as_deref().is_some_and(says)
                || t.coding
                    .iter()
                    .any(|c| c.display.as_deref().is_some_and(says))
        })
}

/// A record from one JSON document: a Bundle (one record of its entries) or a single resource.
/// Gzip input is detected.
pub fn record_from_json(bytes: &[u8]) -> Result<PatientRecord, medrec_model::ParseError> {
    // A corrupt gzip stream is parsed as is and reported as malformed JSON.
    let bytes =
        medrec_model::parse::gunzip_if_needed(bytes).unwrap_or(std::borrow::Cow::Borrowed(bytes));
    Ok(match medrec_model::parse_resource(&bytes)? {
        Resource::Bundle(b) => PatientRecord::from_bundle(*b),
        other => PatientRecord::from_resources([other]),
    })
}

/// A record from NDJSON (one resource per line; gzip detected): every readable line, and the
/// lines that could not be read (the others are kept).
pub fn record_from_ndjson(bytes: &[u8]) -> (PatientRecord, Vec<medrec_model::parse::NdjsonError>) {
    let owned = match medrec_model::parse::gunzip_if_needed(bytes) {
        Ok(b) => b.into_owned(),
        Err(_) => bytes.to_vec(),
    };
    let mut resources = Vec::new();
    let mut errors = Vec::new();
    for r in medrec_model::NdjsonReader::new(std::io::Cursor::new(owned)) {
        match r {
            Ok(r) => resources.push(r),
            Err(e) => errors.push(e),
        }
    }
    (PatientRecord::from_resources(resources), errors)
}

/// Every resource of a record that is a `Location` (for building a bed schedule across files).
pub fn locations(record: &PatientRecord) -> impl Iterator<Item = &Resource> {
    record
        .resources()
        .iter()
        .filter(|r| matches!(r, Resource::Location(_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_to_cents() {
        assert_eq!(decimal_cents("1234.5"), Some(123_450));
        assert_eq!(decimal_cents("0.005"), Some(1));
        assert_eq!(decimal_cents("-2.10"), Some(-210));
        assert_eq!(decimal_cents("7"), Some(700));
        assert_eq!(decimal_cents("1e3"), None);
        assert_eq!(decimal_cents(""), None);
    }
}
