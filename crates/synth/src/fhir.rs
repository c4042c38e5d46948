//! The FHIR R4 form of a population, in `medrec-model` types, written where
//! `shared/reference/fhir-him-mapping.md` says each fact lives:
//!
//! * stays: `Encounter.class` (v3 ActCode `IMP`/`OBSENC`/`EMER`/`AMB`), `period`,
//!   `hospitalization.admitSource` / `dischargeDisposition`, unit history in `Encounter.location`
//!   (one entry per unit stay, pointing at the unit's `wa` Location, with its period), attending
//!   `ATND` and consultant `CON` participants, `serviceProvider` → Organization, the account
//!   number as an `AN` identifier;
//! * units and beds: Locations with `physicalType` `wa` (unit), `ro` (room), `bd` (bed) linked by
//!   `partOf`; beds beyond the count in service at the end of the period are `inactive`;
//! * coding: `Claim.diagnosis` with ICD-10-CM codes (dotted), `sequence`, `type` `principal` on the
//!   principal diagnosis and `onAdmission` POA; `Claim.procedure` with ICD-10-PCS codes and dates,
//!   also written as `Procedure` resources (operating-room ones with category SNOMED CT 387713003);
//!   charges in `Claim.item` (revenue code, `net`, `encounter`) and `Claim.total`;
//! * documents: `DocumentReference` with the LOINC type, author, `authenticator` (absent =
//!   unsigned), `docStatus` (`final` / `preliminary`), `context.encounter`, and the note text as a
//!   base64 `text/plain` attachment; a share of notes (`composition_share`) as `Composition`
//!   instead: `type`, `encounter`, `date`, `author`, `attester` mode `legal` with a `time` (absent
//!   = unsigned), `status` `final`/`preliminary`, the text escaped in `section[0].text.div`;
//! * consents: `Consent` with scope `treatment`, status `active`, `dateTime` before the procedure,
//!   `provision.data` (meaning `related`) pointing at the Procedure;
//! * deaths: `Patient.deceasedDateTime` and disposition `exp`; autopsies as `Procedure` SNOMED CT
//!   29240004.

use crate::plan::{
    EncounterClass, GeneratedEncounter, GeneratedNote, GeneratedPatient, Payer, Population,
};
use base64::Engine as _;
use medrec_model::Resource;
use medrec_model::datatypes::{
    Address, Attachment, CodeableConcept, Coding, ContactPoint, Date, DateTime, Decimal, HumanName,
    Identifier, Instant, Money, Narrative, Period, Quantity, Reference,
};
use medrec_model::resources::{
    Bundle, BundleEntry, Claim, ClaimDiagnosis, ClaimDiagnosisDiagnosis, ClaimInsurance, ClaimItem,
    ClaimProcedure, ClaimProcedureProcedure, Composition, CompositionAttester, CompositionSection,
    Consent, ConsentData, ConsentProvision, Coverage, DocumentReference, DocumentReferenceContent,
    DocumentReferenceContext, Encounter, EncounterHospitalization, EncounterLocation,
    EncounterParticipant, Location, Organization, Patient, PatientContact, PatientDeceased,
    Practitioner, Procedure, ProcedurePerformed, ProcedurePerformer,
};
use std::collections::BTreeSet;

/// Base of the `fullUrl`s in generated Bundles (a reserved `.example` domain).
pub const FULL_URL_BASE: &str = "https://synth.medrec.example/fhir";
/// Identifier system of medical record numbers.
pub const MRN_SYSTEM: &str = "https://synth.medrec.example/id/mrn";
/// Identifier system of account numbers.
pub const ACCOUNT_SYSTEM: &str = "https://synth.medrec.example/id/account";

const ACT_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
const PARTICIPATION: &str = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType";
const V2_0203: &str = "http://terminology.hl7.org/CodeSystem/v2-0203";
const ICD10CM: &str = "http://hl7.org/fhir/sid/icd-10-cm";
const ICD10PCS: &str = "http://www.cms.gov/Medicare/Coding/ICD10";
const SNOMED: &str = "http://snomed.info/sct";
const LOINC: &str = "http://loinc.org";

/// The note text as an XHTML narrative: `<div xmlns=…>` with `&`, `<` and `>` escaped; the text
/// content of the div is exactly the note text (PHI spans index it).
pub fn narrative_div(text: &str) -> String {
    let mut div = String::with_capacity(text.len() + 64);
    div.push_str(r#"<div xmlns="http://www.w3.org/1999/xhtml">"#);
    for ch in text.chars() {
        match ch {
            '&' => div.push_str("&amp;"),
            '<' => div.push_str("&lt;"),
            '>' => div.push_str("&gt;"),
            c => div.push(c),
        }
    }
    div.push_str("</div>");
    div
}

fn coding(system: &str, code: &str, display: Option<&str>) -> Coding {
    Coding {
        system: Some(system.to_string()),
        code: Some(code.to_string()),
        display: display.map(str::to_string),
        ..Coding::default()
    }
}

fn cc(system: &str, code: &str, display: Option<&str>) -> CodeableConcept {
    CodeableConcept {
        coding: vec![coding(system, code, display)],
        ..CodeableConcept::default()
    }
}

fn text_cc(text: &str) -> CodeableConcept {
    CodeableConcept {
        text: Some(text.to_string()),
        ..CodeableConcept::default()
    }
}

fn reference(kind: &str, id: &str) -> Reference {
    Reference {
        reference: Some(format!("{kind}/{id}")),
        ..Reference::default()
    }
}

fn reference_display(kind: &str, id: &str, display: &str) -> Reference {
    Reference {
        display: Some(display.to_string()),
        ..reference(kind, id)
    }
}

fn identifier(system: &str, value: &str, type_code: Option<&str>) -> Identifier {
    Identifier {
        system: Some(system.to_string()),
        value: Some(value.to_string()),
        type_: type_code.map(|c| cc(V2_0203, c, None)),
        ..Identifier::default()
    }
}

fn money(cents: i64) -> Money {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    Money {
        value: Decimal::new(format!("{sign}{}.{:02}", abs / 100, abs % 100)).ok(),
        currency: Some("USD".to_string()),
        ..Money::default()
    }
}

impl Population {
    fn dt(&self, secs: i64) -> DateTime {
        DateTime::new_unchecked(self.datetime(secs))
    }

    fn instant(&self, secs: i64) -> Instant {
        Instant::new_unchecked(self.datetime(secs))
    }

    fn period(&self, start: i64, end: Option<i64>) -> Period {
        Period {
            start: Some(self.dt(start)),
            end: end.map(|e| self.dt(e)),
            ..Period::default()
        }
    }

    /// Id of a unit's `wa` Location.
    pub fn unit_location_id(&self, unit: usize) -> String {
        format!("loc-{}", self.units()[unit].config.id)
    }

    /// The shared resources: an Organization per facility, the Locations of every unit, room and
    /// bed, and every Practitioner.
    pub fn facility_resources(&self) -> Vec<Resource> {
        let mut out = Vec::new();
        for f in self.facilities() {
            out.push(Resource::from(self.organization(f.index)));
        }
        for u in self.units() {
            out.extend(self.unit_locations(u.index).into_iter().map(Resource::from));
        }
        for c in 0..self.clinicians().len() {
            out.push(Resource::from(self.practitioner(c)));
        }
        out
    }

    fn organization(&self, index: usize) -> Organization {
        let f = &self.facilities()[index];
        Organization {
            id: Some(format!("org-{}", f.id)),
            active: Some(true),
            type_: vec![cc(
                "http://terminology.hl7.org/CodeSystem/organization-type",
                "prov",
                Some("Healthcare Provider"),
            )],
            name: Some(f.name.clone()),
            telecom: vec![
                ContactPoint {
                    system: Some("phone".into()),
                    value: Some(f.phone.clone()),
                    use_: Some("work".into()),
                    ..ContactPoint::default()
                },
                ContactPoint {
                    system: Some("fax".into()),
                    value: Some(f.fax.clone()),
                    use_: Some("work".into()),
                    ..ContactPoint::default()
                },
            ],
            address: vec![Address {
                line: vec![Some(f.street.clone())],
                city: Some(f.place.city.to_string()),
                state: Some(f.place.state.to_string()),
                postal_code: Some(f.place.zip.to_string()),
                country: Some("US".into()),
                ..Address::default()
            }],
            ..Organization::default()
        }
    }

    /// The Locations of a unit: the unit (`wa`), its rooms (`ro`) and beds (`bd`).
    pub fn unit_locations(&self, unit: usize) -> Vec<Location> {
        let u = &self.units()[unit];
        let f = &self.facilities()[u.facility];
        let org = reference("Organization", &format!("org-{}", f.id));
        let unit_id = self.unit_location_id(unit);
        let mut out = vec![Location {
            id: Some(unit_id.clone()),
            status: Some("active".into()),
            name: Some(u.config.name.clone()),
            mode: Some("instance".into()),
            type_: vec![text_cc(u.config.kind.label())],
            physical_type: Some(cc(
                "http://terminology.hl7.org/CodeSystem/location-physical-type",
                "wa",
                Some("Ward"),
            )),
            managing_organization: Some(org.clone()),
            ..Location::default()
        }];
        let per_room = u.config.beds_per_room.max(1);
        let max = u.config.max_beds();
        let in_service_at_end = u
            .config
            .beds_on(self.config().to.yesterday().unwrap_or(self.config().to));
        let rooms = max.div_ceil(per_room);
        for r in 0..rooms {
            let room_id = format!("{unit_id}-r{}", r + 1);
            out.push(Location {
                id: Some(room_id.clone()),
                status: Some("active".into()),
                name: Some(format!("{} room {}", u.config.name, r + 1)),
                mode: Some("instance".into()),
                physical_type: Some(cc(
                    "http://terminology.hl7.org/CodeSystem/location-physical-type",
                    "ro",
                    Some("Room"),
                )),
                managing_organization: Some(org.clone()),
                part_of: Some(reference("Location", &unit_id)),
                ..Location::default()
            });
            for b in 0..per_room {
                let bed = r * per_room + b;
                if bed >= max {
                    break;
                }
                out.push(Location {
                    id: Some(format!("{room_id}-b{}", b + 1)),
                    status: Some(
                        if bed < in_service_at_end {
                            "active"
                        } else {
                            "inactive"
                        }
                        .into(),
                    ),
                    name: Some(format!("{} bed {}", u.config.name, bed + 1)),
                    mode: Some("instance".into()),
                    physical_type: Some(cc(
                        "http://terminology.hl7.org/CodeSystem/location-physical-type",
                        "bd",
                        Some("Bed"),
                    )),
                    managing_organization: Some(org.clone()),
                    part_of: Some(reference("Location", &room_id)),
                    ..Location::default()
                });
            }
        }
        out
    }

    fn practitioner(&self, index: usize) -> Practitioner {
        let c = &self.clinicians()[index];
        Practitioner {
            id: Some(c.id.clone()),
            identifier: vec![
                identifier("http://hl7.org/fhir/sid/us-npi", &c.npi, Some("NPI")),
                identifier("urn:oid:2.16.840.1.113883.4.3.39", &c.license, Some("MD")),
            ],
            active: Some(true),
            name: vec![HumanName {
                family: Some(c.family.clone()),
                given: vec![Some(c.given.clone())],
                suffix: vec![Some("MD".into())],
                ..HumanName::default()
            }],
            ..Practitioner::default()
        }
    }

    /// Every resource of one patient: Patient, Coverage, and per encounter the Encounter, its
    /// Procedures, Consents, DocumentReferences and Claim.
    pub fn patient_resources(&self, patient: &GeneratedPatient) -> Vec<Resource> {
        let mut out = Vec::with_capacity(4 + patient.encounters.len() * 8);
        out.push(Resource::from(self.patient(patient)));
        out.push(Resource::from(self.coverage(patient)));
        for enc in &patient.encounters {
            out.push(Resource::from(self.encounter(patient, enc)));
            for p in &enc.procedures {
                out.push(Resource::from(self.procedure(patient, enc, p)));
                if let Some((id, t)) = &p.consent {
                    out.push(Resource::from(self.consent(patient, enc, p, id, *t)));
                }
            }
            if let Some(true) = enc.death {
                out.push(Resource::from(self.autopsy(patient, enc)));
            }
            for n in &enc.notes {
                if n.composition {
                    out.push(Resource::from(self.composition(patient, enc, n)));
                } else {
                    out.push(Resource::from(self.document(patient, enc, n)));
                }
            }
            out.push(Resource::from(self.claim(patient, enc)));
        }
        out
    }

    /// A `collection` Bundle of one patient's resources with the Organization, Locations and
    /// Practitioners they reference (so that the Bundle resolves on its own).
    pub fn patient_bundle(&self, patient: &GeneratedPatient) -> Bundle {
        let mut shared: Vec<Resource> = Vec::new();
        let mut facilities = BTreeSet::new();
        let mut units = BTreeSet::new();
        let mut clinicians = BTreeSet::new();
        for e in &patient.encounters {
            facilities.insert(e.facility);
            units.extend(e.units.iter().map(|u| u.unit));
            clinicians.extend(e.attending);
            clinicians.extend(e.consultant);
            clinicians.extend(e.notes.iter().map(|n| n.author));
            clinicians.extend(e.notes.iter().filter_map(|n| n.authenticator));
            clinicians.extend(e.procedures.iter().map(|p| p.performer));
        }
        for f in facilities {
            shared.push(Resource::from(self.organization(f)));
        }
        for u in units {
            let unit = self.unit_locations(u).into_iter().next();
            shared.extend(unit.map(Resource::from));
        }
        for c in clinicians {
            shared.push(Resource::from(self.practitioner(c)));
        }
        let entries = self
            .patient_resources(patient)
            .into_iter()
            .chain(shared)
            .map(|r| BundleEntry {
                full_url: Some(format!(
                    "{FULL_URL_BASE}/{}/{}",
                    r.resource_type(),
                    r.id().unwrap_or("")
                )),
                resource: Some(r),
                ..BundleEntry::default()
            })
            .collect();
        Bundle {
            id: Some(format!("bundle-{}", patient.id)),
            type_: Some("collection".into()),
            entry: entries,
            ..Bundle::default()
        }
    }

    fn patient(&self, p: &GeneratedPatient) -> Patient {
        let mut ids = Vec::new();
        if let Some(m) = &p.mrn {
            ids.push(identifier(MRN_SYSTEM, m, Some("MR")));
        }
        if p.mother.is_none() {
            ids.push(identifier(
                "http://hl7.org/fhir/sid/us-ssn",
                &p.ssn,
                Some("SS"),
            ));
        }
        if !p.drivers_license.is_empty() {
            ids.push(identifier(
                "urn:oid:2.16.840.1.113883.4.3.39",
                &p.drivers_license,
                Some("DL"),
            ));
        }
        let home = |system: &str, value: &str| ContactPoint {
            system: Some(system.into()),
            value: Some(value.into()),
            use_: Some("home".into()),
            ..ContactPoint::default()
        };
        let facility = p.encounters.first().map(|e| e.facility).unwrap_or(0);
        Patient {
            id: Some(p.id.clone()),
            identifier: ids,
            active: Some(true),
            name: vec![HumanName {
                use_: Some("official".into()),
                family: Some(p.family.clone()),
                given: vec![Some(p.given.clone()), Some(p.middle.to_string())],
                ..HumanName::default()
            }],
            telecom: vec![home("phone", &p.phone), home("email", &p.email)],
            gender: Some(p.sex.code().into()),
            birth_date: Some(Date::new_unchecked(p.birth_date.to_string())),
            deceased: p.deceased.map(|t| PatientDeceased::DateTime(self.dt(t))),
            address: vec![Address {
                use_: Some("home".into()),
                line: vec![Some(p.address.line.clone())],
                city: Some(p.address.place.city.to_string()),
                district: (!p.address.place.county.is_empty())
                    .then(|| p.address.place.county.to_string()),
                state: Some(p.address.place.state.to_string()),
                postal_code: Some(p.address.place.zip.to_string()),
                country: Some("US".into()),
                ..Address::default()
            }],
            contact: vec![PatientContact {
                relationship: vec![cc(
                    "http://terminology.hl7.org/CodeSystem/v2-0131",
                    "N",
                    Some("Next-of-Kin"),
                )],
                name: Some(HumanName {
                    family: Some(p.contact.family.clone()),
                    given: vec![Some(p.contact.given.clone())],
                    text: Some(format!(
                        "{} {} ({})",
                        p.contact.given, p.contact.family, p.contact.relationship
                    )),
                    ..HumanName::default()
                }),
                telecom: vec![home("phone", &p.contact.phone)],
                ..PatientContact::default()
            }],
            managing_organization: Some(reference(
                "Organization",
                &format!("org-{}", self.facilities()[facility].id),
            )),
            ..Patient::default()
        }
    }

    fn coverage(&self, p: &GeneratedPatient) -> Coverage {
        let (type_, payor) = match p.payer {
            Payer::SelfPay => (
                cc(
                    "http://terminology.hl7.org/CodeSystem/coverage-selfpay",
                    "pay",
                    Some("PAY"),
                ),
                reference("Patient", &p.id),
            ),
            Payer::Medicare | Payer::Medicaid => (
                cc(ACT_CODE, "PUBLICPOL", Some("public healthcare")),
                Reference {
                    display: Some(p.payer.display().into()),
                    ..Reference::default()
                },
            ),
            Payer::Commercial => (
                cc(ACT_CODE, "EHCPOL", Some("extended healthcare")),
                Reference {
                    display: Some(p.payer.display().into()),
                    ..Reference::default()
                },
            ),
        };
        Coverage {
            id: Some(format!("cov-{}", p.id.trim_start_matches("pat-"))),
            status: Some("active".into()),
            type_: Some(type_),
            subscriber_id: (!p.member_id.is_empty()).then(|| p.member_id.clone()),
            beneficiary: Some(reference("Patient", &p.id)),
            payor: vec![payor],
            ..Coverage::default()
        }
    }

    fn encounter(&self, p: &GeneratedPatient, e: &GeneratedEncounter) -> Encounter {
        let f = &self.facilities()[e.facility];
        let mut participant = Vec::new();
        let part = |code: &str, display: &str, who: usize| EncounterParticipant {
            type_: vec![cc(PARTICIPATION, code, Some(display))],
            individual: Some(reference_display(
                "Practitioner",
                &self.clinicians()[who].id,
                &self.clinicians()[who].display(),
            )),
            ..EncounterParticipant::default()
        };
        if let Some(a) = e.attending {
            participant.push(part("ATND", "attender", a));
        }
        if let Some(c) = e.consultant {
            participant.push(part("CON", "consultant", c));
        }
        let hospitalization = matches!(
            e.class,
            EncounterClass::Inpatient | EncounterClass::Observation
        )
        .then(|| EncounterHospitalization {
            admit_source: e.admit_source_recorded.then(|| {
                cc(
                    "http://terminology.hl7.org/CodeSystem/admit-source",
                    e.admit_source,
                    None,
                )
            }),
            discharge_disposition: e.disposition_recorded.then(|| {
                cc(
                    "http://terminology.hl7.org/CodeSystem/discharge-disposition",
                    e.disposition,
                    None,
                )
            }),
            ..EncounterHospitalization::default()
        });
        let location = e
            .units
            .iter()
            .map(|u| EncounterLocation {
                location: Some(reference_display(
                    "Location",
                    &self.unit_location_id(u.unit),
                    &self.units()[u.unit].config.name,
                )),
                status: Some("completed".into()),
                physical_type: Some(cc(
                    "http://terminology.hl7.org/CodeSystem/location-physical-type",
                    "wa",
                    Some("Ward"),
                )),
                period: Some(self.period(u.start, Some(u.end))),
                ..EncounterLocation::default()
            })
            .collect();
        Encounter {
            id: Some(e.id.clone()),
            identifier: vec![identifier(ACCOUNT_SYSTEM, &e.account, Some("AN"))],
            status: Some("finished".into()),
            class: Some(coding(ACT_CODE, e.class.code(), Some(e.class.display()))),
            subject: Some(reference("Patient", &p.id)),
            participant,
            period: Some(self.period(e.start, Some(e.end))),
            hospitalization,
            location,
            service_provider: Some(reference_display(
                "Organization",
                &format!("org-{}", f.id),
                &f.name,
            )),
            ..Encounter::default()
        }
    }

    fn procedure(
        &self,
        p: &GeneratedPatient,
        e: &GeneratedEncounter,
        pr: &crate::plan::CodedProcedure,
    ) -> Procedure {
        Procedure {
            id: Some(pr.id.clone()),
            status: Some("completed".into()),
            category: pr
                .operative
                .then(|| cc(SNOMED, "387713003", Some("Surgical procedure"))),
            code: Some(cc(ICD10PCS, pr.code, None)),
            subject: Some(reference("Patient", &p.id)),
            encounter: Some(reference("Encounter", &e.id)),
            performed: Some(ProcedurePerformed::Period(
                self.period(pr.start, Some(pr.end)),
            )),
            performer: vec![ProcedurePerformer {
                actor: Some(reference(
                    "Practitioner",
                    &self.clinicians()[pr.performer].id,
                )),
                ..ProcedurePerformer::default()
            }],
            ..Procedure::default()
        }
    }

    fn autopsy(&self, p: &GeneratedPatient, e: &GeneratedEncounter) -> Procedure {
        Procedure {
            id: Some(format!("autopsy-{}", e.id.trim_start_matches("enc-"))),
            status: Some("completed".into()),
            code: Some(cc(SNOMED, "29240004", Some("Autopsy examination"))),
            subject: Some(reference("Patient", &p.id)),
            encounter: Some(reference("Encounter", &e.id)),
            performed: Some(ProcedurePerformed::DateTime(self.dt(e.end + 86_400))),
            ..Procedure::default()
        }
    }

    fn consent(
        &self,
        p: &GeneratedPatient,
        e: &GeneratedEncounter,
        pr: &crate::plan::CodedProcedure,
        id: &str,
        signed: i64,
    ) -> Consent {
        Consent {
            id: Some(id.to_string()),
            status: Some("active".into()),
            scope: Some(cc(
                "http://terminology.hl7.org/CodeSystem/consentscope",
                "treatment",
                Some("Treatment"),
            )),
            category: vec![cc(LOINC, "59284-0", Some("Patient Consent"))],
            patient: Some(reference("Patient", &p.id)),
            date_time: Some(self.dt(signed)),
            organization: vec![reference(
                "Organization",
                &format!("org-{}", self.facilities()[e.facility].id),
            )],
            policy_rule: Some(cc(ACT_CODE, "OPTIN", Some("opt-in"))),
            provision: Some(ConsentProvision {
                type_: Some("permit".into()),
                period: Some(self.period(signed, Some(pr.end))),
                data: vec![ConsentData {
                    meaning: Some("related".into()),
                    reference: Some(reference("Procedure", &pr.id)),
                    ..ConsentData::default()
                }],
                ..ConsentProvision::default()
            }),
            ..Consent::default()
        }
    }

    fn document(
        &self,
        p: &GeneratedPatient,
        e: &GeneratedEncounter,
        n: &GeneratedNote,
    ) -> DocumentReference {
        let f = &self.facilities()[e.facility];
        DocumentReference {
            id: Some(n.id.clone()),
            status: Some("current".into()),
            doc_status: Some(if n.is_final { "final" } else { "preliminary" }.into()),
            type_: Some(cc(LOINC, n.kind.loinc(), Some(n.kind.display()))),
            category: vec![cc(
                "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category",
                "clinical-note",
                Some("Clinical Note"),
            )],
            subject: Some(reference("Patient", &p.id)),
            date: Some(self.instant(n.date)),
            author: vec![reference("Practitioner", &self.clinicians()[n.author].id)],
            authenticator: n
                .authenticator
                .map(|a| reference("Practitioner", &self.clinicians()[a].id)),
            custodian: Some(reference("Organization", &format!("org-{}", f.id))),
            content: vec![DocumentReferenceContent {
                attachment: Some(Attachment {
                    content_type: Some("text/plain".into()),
                    data: Some(base64::engine::general_purpose::STANDARD.encode(&n.text)),
                    creation: Some(self.dt(n.date)),
                    title: Some(n.kind.display().into()),
                    ..Attachment::default()
                }),
                ..DocumentReferenceContent::default()
            }],
            context: Some(DocumentReferenceContext {
                encounter: vec![reference("Encounter", &e.id)],
                period: Some(self.period(e.start, Some(e.end))),
                ..DocumentReferenceContext::default()
            }),
            ..DocumentReference::default()
        }
    }

    fn composition(
        &self,
        p: &GeneratedPatient,
        e: &GeneratedEncounter,
        n: &GeneratedNote,
    ) -> Composition {
        let f = &self.facilities()[e.facility];
        Composition {
            id: Some(n.id.clone()),
            status: Some(if n.is_final { "final" } else { "preliminary" }.into()),
            type_: Some(cc(LOINC, n.kind.loinc(), Some(n.kind.display()))),
            subject: Some(reference("Patient", &p.id)),
            encounter: Some(reference("Encounter", &e.id)),
            date: Some(self.dt(n.date)),
            author: vec![reference("Practitioner", &self.clinicians()[n.author].id)],
            title: Some(n.kind.display().into()),
            attester: n
                .authenticator
                .map(|a| CompositionAttester {
                    mode: Some("legal".into()),
                    time: Some(self.dt(n.date)),
                    party: Some(reference("Practitioner", &self.clinicians()[a].id)),
                    ..CompositionAttester::default()
                })
                .into_iter()
                .collect(),
            custodian: Some(reference("Organization", &format!("org-{}", f.id))),
            section: vec![CompositionSection {
                title: Some(n.kind.display().into()),
                text: Some(Narrative {
                    status: Some("generated".into()),
                    div: Some(narrative_div(&n.text)),
                    ..Narrative::default()
                }),
                ..CompositionSection::default()
            }],
            ..Composition::default()
        }
    }

    fn claim(&self, p: &GeneratedPatient, e: &GeneratedEncounter) -> Claim {
        let f = &self.facilities()[e.facility];
        let diagnosis = e
            .diagnoses
            .iter()
            .enumerate()
            .map(|(i, d)| ClaimDiagnosis {
                sequence: Some(i as u32 + 1),
                diagnosis: Some(ClaimDiagnosisDiagnosis::CodeableConcept(cc(
                    ICD10CM, d.code, None,
                ))),
                type_: if d.principal {
                    vec![cc(
                        "http://terminology.hl7.org/CodeSystem/ex-diagnosistype",
                        "principal",
                        Some("Principal Diagnosis"),
                    )]
                } else {
                    Vec::new()
                },
                on_admission: d.poa.map(|poa| {
                    cc(
                        "http://terminology.hl7.org/CodeSystem/ex-diagnosis-on-admission",
                        poa.code(),
                        None,
                    )
                }),
                ..ClaimDiagnosis::default()
            })
            .collect();
        let procedure = e
            .procedures
            .iter()
            .enumerate()
            .map(|(i, pr)| ClaimProcedure {
                sequence: Some(i as u32 + 1),
                date: Some(self.dt(pr.start)),
                procedure: Some(ClaimProcedureProcedure::CodeableConcept(cc(
                    ICD10PCS, pr.code, None,
                ))),
                ..ClaimProcedure::default()
            })
            .collect();
        let item = e
            .charges
            .iter()
            .enumerate()
            .map(|(i, c)| ClaimItem {
                sequence: Some(i as u32 + 1),
                revenue: Some(cc(
                    "https://www.nubc.org/CodeSystem/RevenueCodes",
                    c.revenue_code,
                    Some(c.description),
                )),
                product_or_service: Some(text_cc(c.description)),
                quantity: Some(Quantity {
                    value: Some(Decimal::from(c.quantity)),
                    ..Quantity::default()
                }),
                net: Some(money(c.net_cents)),
                encounter: vec![reference("Encounter", &e.id)],
                ..ClaimItem::default()
            })
            .collect();
        let institutional = e.class != EncounterClass::Outpatient;
        Claim {
            id: Some(format!("claim-{}", e.id.trim_start_matches("enc-"))),
            identifier: vec![identifier(ACCOUNT_SYSTEM, &e.account, Some("AN"))],
            status: Some("active".into()),
            type_: Some(cc(
                "http://terminology.hl7.org/CodeSystem/claim-type",
                if institutional {
                    "institutional"
                } else {
                    "professional"
                },
                None,
            )),
            use_: Some("claim".into()),
            patient: Some(reference("Patient", &p.id)),
            billable_period: Some(self.period(e.start, Some(e.end))),
            created: Some(self.dt(e.end)),
            provider: Some(reference_display(
                "Organization",
                &format!("org-{}", f.id),
                &f.name,
            )),
            priority: Some(cc(
                "http://terminology.hl7.org/CodeSystem/processpriority",
                "normal",
                None,
            )),
            diagnosis,
            procedure,
            insurance: vec![ClaimInsurance {
                sequence: Some(1),
                focal: Some(true),
                coverage: Some(reference_display(
                    "Coverage",
                    &format!("cov-{}", p.id.trim_start_matches("pat-")),
                    p.payer.display(),
                )),
                ..ClaimInsurance::default()
            }],
            item,
            total: Some(money(e.total_cents())),
            ..Claim::default()
        }
    }
}
