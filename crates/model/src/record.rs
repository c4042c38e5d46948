//! [`PatientRecord`]: one patient's resources with references resolved and clinical content
//! grouped by encounter — the view health information management works on (chart review,
//! coding, abstracting, release of information, statistics).

use crate::Resource;
use crate::datatypes::{Identifier, Reference};
use crate::resource_generated::contained_of;
use crate::resources::*;
use std::collections::HashMap;

/// One patient's record: every resource of a Bundle (or stream), references resolved, clinical
/// content grouped by encounter.
///
/// References resolve in the forms FHIR R4 allows: `urn:uuid:…` / any `fullUrl`, `Type/id`
/// (also the `Type/id` tail of an absolute URL, and version-specific `…/_history/n`), contained
/// `#id` (with [`PatientRecord::resolve_in`]), and conditional `Type?identifier=system|value` (as
/// Synthea's transaction Bundles write them for practitioners, organizations and locations).
///
/// A resource belongs to the encounter its encounter reference names: `Condition.encounter`,
/// `Procedure.encounter`, `Observation.encounter`, `DiagnosticReport.encounter`,
/// `DocumentReference.context.encounter`, `Composition.encounter`,
/// `MedicationRequest.encounter`, `MedicationAdministration.context`,
/// `Immunization.encounter`, `AllergyIntolerance.encounter`, `CarePlan.encounter`,
/// `CareTeam.encounter`, `Claim.item.encounter`, `ExplanationOfBenefit.item.encounter` (or the
/// encounter of its `claim`); conditions named in `Encounter.diagnosis` are grouped there too.
#[derive(Debug, Clone, Default)]
pub struct PatientRecord {
    resources: Vec<Resource>,
    full_urls: Vec<Option<String>>,
    index: HashMap<String, usize>,
    patient: Option<usize>,
    encounters: Vec<EncounterIndex>,
    /// Resource index → encounter group (position in `encounters`).
    encounter_of: Vec<Option<usize>>,
}

#[derive(Debug, Clone, Default)]
struct EncounterIndex {
    encounter: usize,
    members: Vec<usize>,
    practitioners: Vec<usize>,
    locations: Vec<usize>,
}

/// A document of an encounter: a `DocumentReference` or a `Composition`.
#[derive(Debug, Clone, Copy)]
pub enum Document<'a> {
    /// A `DocumentReference` (a scanned or text note, discharge summary …).
    Reference(&'a DocumentReference),
    /// A `Composition` (a structured document).
    Composition(&'a Composition),
}

/// One encounter with everything that belongs to it (see [`PatientRecord`]).
#[derive(Debug, Clone)]
pub struct EncounterRecord<'a> {
    /// The encounter.
    pub encounter: &'a Encounter,
    /// Its fullUrl in the Bundle, if any.
    pub full_url: Option<&'a str>,
    /// Conditions (diagnoses, problems) recorded in it.
    pub conditions: Vec<&'a Condition>,
    /// Procedures performed in it.
    pub procedures: Vec<&'a Procedure>,
    /// Observations (vital signs, labs, surveys …) made in it.
    pub observations: Vec<&'a Observation>,
    /// Diagnostic reports.
    pub diagnostic_reports: Vec<&'a DiagnosticReport>,
    /// Documents (DocumentReference and Composition).
    pub documents: Vec<Document<'a>>,
    /// Medication orders.
    pub medication_requests: Vec<&'a MedicationRequest>,
    /// Medication administrations.
    pub medication_administrations: Vec<&'a MedicationAdministration>,
    /// Immunizations.
    pub immunizations: Vec<&'a Immunization>,
    /// Allergies recorded in it.
    pub allergies: Vec<&'a AllergyIntolerance>,
    /// Care plans.
    pub care_plans: Vec<&'a CarePlan>,
    /// Care teams.
    pub care_teams: Vec<&'a CareTeam>,
    /// Claims billing it.
    pub claims: Vec<&'a Claim>,
    /// Explanations of benefit (adjudicated claims).
    pub explanations_of_benefit: Vec<&'a ExplanationOfBenefit>,
    /// Practitioners: encounter participants (through PractitionerRole too), procedure
    /// performers, document authors and authenticators.
    pub practitioners: Vec<&'a Practitioner>,
    /// Locations of `Encounter.location` (the unit history, in order).
    pub locations: Vec<&'a Location>,
    /// Other resources linked to the encounter (untyped ones, Provenance …).
    pub other: Vec<&'a Resource>,
}

impl PatientRecord {
    /// A record from a Bundle (fullUrls are kept for reference resolution).
    pub fn from_bundle(bundle: Bundle) -> PatientRecord {
        PatientRecord::from_entries(
            bundle
                .entry
                .into_iter()
                .filter_map(|e| e.resource.map(|r| (e.full_url, r))),
        )
    }

    /// A record from resources (a Bulk Data stream, a search result …).
    pub fn from_resources(resources: impl IntoIterator<Item = Resource>) -> PatientRecord {
        PatientRecord::from_entries(resources.into_iter().map(|r| (None, r)))
    }

    /// A record from `(fullUrl, resource)` pairs.
    pub fn from_entries(
        entries: impl IntoIterator<Item = (Option<String>, Resource)>,
    ) -> PatientRecord {
        let mut rec = PatientRecord::default();
        for (url, r) in entries {
            rec.resources.push(r);
            rec.full_urls.push(url);
        }
        rec.build();
        rec
    }

    fn build(&mut self) {
        self.index.clear();
        for (i, r) in self.resources.iter().enumerate() {
            if let Some(u) = &self.full_urls[i] {
                self.index.entry(u.clone()).or_insert(i);
                if let Some(tail) = type_id_tail(u) {
                    self.index.entry(tail.to_string()).or_insert(i);
                }
            }
            if let Some(local) = r.local_reference() {
                self.index.entry(local).or_insert(i);
            }
        }
        self.patient = self
            .resources
            .iter()
            .position(|r| matches!(r, Resource::Patient(_)));
        self.encounters.clear();
        self.encounter_of = vec![None; self.resources.len()];
        for (i, r) in self.resources.iter().enumerate() {
            if matches!(r, Resource::Encounter(_)) {
                self.encounter_of[i] = Some(self.encounters.len());
                self.encounters.push(EncounterIndex {
                    encounter: i,
                    ..Default::default()
                });
            }
        }
        // Claims first, so that EOBs can follow their claim.
        let mut order: Vec<usize> = (0..self.resources.len()).collect();
        order.sort_by_key(|&i| matches!(self.resources[i], Resource::ExplanationOfBenefit(_)));
        for i in order {
            if matches!(self.resources[i], Resource::Encounter(_)) {
                continue;
            }
            let group = self.group_of(i);
            if let Some(g) = group {
                self.encounter_of[i] = Some(g);
                self.encounters[g].members.push(i);
            }
        }
        // Conditions named by Encounter.diagnosis but without their own encounter link.
        for g in 0..self.encounters.len() {
            let Resource::Encounter(e) = &self.resources[self.encounters[g].encounter] else {
                continue;
            };
            let refs: Vec<usize> = e
                .diagnosis
                .iter()
                .filter_map(|d| d.condition.as_ref())
                .filter_map(|r| self.lookup(r))
                .collect();
            for c in refs {
                if self.encounter_of[c].is_none() {
                    self.encounter_of[c] = Some(g);
                    self.encounters[g].members.push(c);
                }
            }
            self.encounters[g].members.sort_unstable();
        }
        // Practitioners and locations.
        for g in 0..self.encounters.len() {
            let mut practitioners = Vec::new();
            let mut locations = Vec::new();
            let ei = self.encounters[g].encounter;
            if let Resource::Encounter(e) = &self.resources[ei] {
                for p in &e.participant {
                    if let Some(r) = &p.individual {
                        self.push_practitioner(r, &mut practitioners);
                    }
                }
                for l in &e.location {
                    if let Some(i) = l.location.as_ref().and_then(|r| self.lookup(r)) {
                        if matches!(self.resources[i], Resource::Location(_))
                            && !locations.contains(&i)
                        {
                            locations.push(i);
                        }
                    }
                }
            }
            for &m in &self.encounters[g].members {
                for r in practitioner_refs(&self.resources[m]) {
                    self.push_practitioner(r, &mut practitioners);
                }
            }
            self.encounters[g].practitioners = practitioners;
            self.encounters[g].locations = locations;
        }
    }

    fn push_practitioner(&self, r: &Reference, out: &mut Vec<usize>) {
        let Some(i) = self.lookup(r) else { return };
        match &self.resources[i] {
            Resource::Practitioner(_) if !out.contains(&i) => out.push(i),
            Resource::PractitionerRole(role) => {
                if let Some(p) = role.practitioner.as_ref().and_then(|p| self.lookup(p)) {
                    if matches!(self.resources[p], Resource::Practitioner(_)) && !out.contains(&p) {
                        out.push(p);
                    }
                }
            }
            _ => {}
        }
    }

    /// The encounter group resource `i` belongs to.
    fn group_of(&self, i: usize) -> Option<usize> {
        let r = &self.resources[i];
        for e in encounter_refs(r) {
            if let Some(g) = self.lookup(e).and_then(|x| self.encounter_of[x]) {
                return Some(g);
            }
        }
        if let Resource::ExplanationOfBenefit(eob) = r {
            let claim = eob.claim.as_ref().and_then(|c| self.lookup(c));
            return claim.and_then(|c| self.encounter_of[c]);
        }
        None
    }

    fn lookup(&self, r: &Reference) -> Option<usize> {
        self.lookup_str(r.reference.as_deref()?)
    }

    fn lookup_str(&self, r: &str) -> Option<usize> {
        if let Some(&i) = self.index.get(r) {
            return Some(i);
        }
        let r = r.split("/_history/").next().unwrap_or(r);
        if let Some(&i) = self.index.get(r) {
            return Some(i);
        }
        if let Some(tail) = type_id_tail(r) {
            if let Some(&i) = self.index.get(tail) {
                return Some(i);
            }
        }
        // Conditional reference: Type?identifier=system|value.
        let (ty, query) = r.split_once('?')?;
        let wanted = query
            .split('&')
            .find_map(|kv| kv.strip_prefix("identifier="))?;
        let (system, value) = match wanted.split_once('|') {
            Some((s, v)) => (Some(s), v),
            None => (None, wanted),
        };
        self.resources.iter().position(|res| {
            res.resource_type() == ty
                && identifiers(res).iter().any(|id| {
                    id.value.as_deref() == Some(value)
                        && system.is_none_or(|s| id.system.as_deref() == Some(s))
                })
        })
    }

    /// The patient (the first Patient resource).
    pub fn patient(&self) -> Option<&Patient> {
        self.patient.and_then(|i| self.resources[i].downcast_ref())
    }

    /// Every resource, in input order.
    pub fn resources(&self) -> &[Resource] {
        &self.resources
    }

    /// Every resource with its fullUrl, in input order.
    pub fn entries(&self) -> impl Iterator<Item = (Option<&str>, &Resource)> {
        self.full_urls
            .iter()
            .map(|u| u.as_deref())
            .zip(&self.resources)
    }

    /// Every resource of type `T`, in input order (`record.all::<Consent>()`).
    pub fn all<T: crate::TypedResource + 'static>(&self) -> impl Iterator<Item = &T> {
        self.resources.iter().filter_map(|r| r.downcast_ref::<T>())
    }

    /// The resources linked to no encounter (patient-level: Patient, Coverage, Consent,
    /// AuditEvent, EpisodeOfCare, conditions without an encounter …).
    pub fn patient_level(&self) -> impl Iterator<Item = &Resource> {
        self.resources
            .iter()
            .enumerate()
            .filter(|(i, _)| self.encounter_of[*i].is_none())
            .map(|(_, r)| r)
    }

    /// The number of encounters.
    pub fn encounter_count(&self) -> usize {
        self.encounters.len()
    }

    /// Every encounter with what belongs to it, in input order.
    pub fn encounters(&self) -> impl Iterator<Item = EncounterRecord<'_>> {
        (0..self.encounters.len()).map(|g| self.encounter_record(g))
    }

    /// The encounter record of the encounter `reference` names.
    pub fn encounter_by_reference(&self, reference: &Reference) -> Option<EncounterRecord<'_>> {
        let g = self.lookup(reference).and_then(|i| self.encounter_of[i])?;
        Some(self.encounter_record(g))
    }

    /// The encounter a resource belongs to (by position in [`PatientRecord::resources`]).
    pub fn encounter_of(&self, resource_index: usize) -> Option<EncounterRecord<'_>> {
        let g = (*self.encounter_of.get(resource_index)?)?;
        Some(self.encounter_record(g))
    }

    fn encounter_record(&self, g: usize) -> EncounterRecord<'_> {
        let ix = &self.encounters[g];
        let Resource::Encounter(encounter) = &self.resources[ix.encounter] else {
            unreachable!("encounter groups index Encounter resources")
        };
        let mut rec = EncounterRecord {
            encounter,
            full_url: self.full_urls[ix.encounter].as_deref(),
            conditions: Vec::new(),
            procedures: Vec::new(),
            observations: Vec::new(),
            diagnostic_reports: Vec::new(),
            documents: Vec::new(),
            medication_requests: Vec::new(),
            medication_administrations: Vec::new(),
            immunizations: Vec::new(),
            allergies: Vec::new(),
            care_plans: Vec::new(),
            care_teams: Vec::new(),
            claims: Vec::new(),
            explanations_of_benefit: Vec::new(),
            practitioners: ix
                .practitioners
                .iter()
                .filter_map(|&i| self.resources[i].downcast_ref())
                .collect(),
            locations: ix
                .locations
                .iter()
                .filter_map(|&i| self.resources[i].downcast_ref())
                .collect(),
            other: Vec::new(),
        };
        for &m in &ix.members {
            match &self.resources[m] {
                Resource::Condition(x) => rec.conditions.push(x),
                Resource::Procedure(x) => rec.procedures.push(x),
                Resource::Observation(x) => rec.observations.push(x),
                Resource::DiagnosticReport(x) => rec.diagnostic_reports.push(x),
                Resource::DocumentReference(x) => rec.documents.push(Document::Reference(x)),
                Resource::Composition(x) => rec.documents.push(Document::Composition(x)),
                Resource::MedicationRequest(x) => rec.medication_requests.push(x),
                Resource::MedicationAdministration(x) => rec.medication_administrations.push(x),
                Resource::Immunization(x) => rec.immunizations.push(x),
                Resource::AllergyIntolerance(x) => rec.allergies.push(x),
                Resource::CarePlan(x) => rec.care_plans.push(x),
                Resource::CareTeam(x) => rec.care_teams.push(x),
                Resource::Claim(x) => rec.claims.push(x),
                Resource::ExplanationOfBenefit(x) => rec.explanations_of_benefit.push(x),
                other => rec.other.push(other),
            }
        }
        rec
    }

    /// The resource a reference names (`urn:uuid:…`, `Type/id`, an absolute URL, a conditional
    /// `Type?identifier=…`). Contained `#id` references need the container: use
    /// [`PatientRecord::resolve_in`].
    pub fn resolve(&self, reference: &Reference) -> Option<&Resource> {
        self.lookup(reference).map(|i| &self.resources[i])
    }

    /// The resource a reference string names (see [`PatientRecord::resolve`]).
    pub fn resolve_str(&self, reference: &str) -> Option<&Resource> {
        self.lookup_str(reference).map(|i| &self.resources[i])
    }

    /// Like [`PatientRecord::resolve`], and also resolves `#id` among the contained resources of
    /// `container` (the resource the reference appears in).
    pub fn resolve_in<'a>(
        &'a self,
        container: &'a Resource,
        reference: &Reference,
    ) -> Option<&'a Resource> {
        let r = reference.reference.as_deref()?;
        if let Some(id) = r.strip_prefix('#') {
            return contained_of(container).iter().find(|c| c.id() == Some(id));
        }
        self.resolve(reference)
    }

    /// The resource a reference names, typed (`record.resolve_as::<Practitioner>(r)`).
    pub fn resolve_as<T: crate::TypedResource>(&self, reference: &Reference) -> Option<&T> {
        self.resolve(reference)?.downcast_ref()
    }

    /// Gives back the resources (with their fullUrls).
    pub fn into_entries(self) -> Vec<(Option<String>, Resource)> {
        self.full_urls.into_iter().zip(self.resources).collect()
    }

    /// A `collection` Bundle of the record (fullUrls kept).
    pub fn to_bundle(&self) -> Bundle {
        Bundle {
            type_: Some("collection".to_string()),
            entry: self
                .entries()
                .map(|(u, r)| BundleEntry {
                    full_url: u.map(String::from),
                    resource: Some(r.clone()),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }
    }
}

/// The contained resources of a resource (empty for Bundle and untyped resources).
pub fn contained(resource: &Resource) -> &[Resource] {
    contained_of(resource)
}

/// `Type/id` at the end of an absolute URL (`http://x/fhir/Patient/1` → `Patient/1`).
fn type_id_tail(url: &str) -> Option<&str> {
    let url = url.split("/_history/").next().unwrap_or(url);
    let mut it = url.rmatch_indices('/');
    let (_, _) = it.next()?;
    let (start, _) = it.next()?;
    let tail = &url[start + 1..];
    tail.chars()
        .next()
        .filter(char::is_ascii_uppercase)
        .map(|_| tail)
}

/// The encounter references of a resource.
fn encounter_refs(r: &Resource) -> Vec<&Reference> {
    let mut out: Vec<&Reference> = Vec::new();
    match r {
        Resource::Condition(x) => out.extend(&x.encounter),
        Resource::Procedure(x) => out.extend(&x.encounter),
        Resource::Observation(x) => out.extend(&x.encounter),
        Resource::DiagnosticReport(x) => out.extend(&x.encounter),
        Resource::DocumentReference(x) => {
            if let Some(c) = &x.context {
                out.extend(&c.encounter)
            }
        }
        Resource::Composition(x) => out.extend(&x.encounter),
        Resource::MedicationRequest(x) => out.extend(&x.encounter),
        Resource::MedicationAdministration(x) => out.extend(&x.context),
        Resource::Immunization(x) => out.extend(&x.encounter),
        Resource::AllergyIntolerance(x) => out.extend(&x.encounter),
        Resource::CarePlan(x) => out.extend(&x.encounter),
        Resource::CareTeam(x) => out.extend(&x.encounter),
        Resource::Claim(x) => {
            for i in &x.item {
                out.extend(&i.encounter)
            }
        }
        Resource::ExplanationOfBenefit(x) => {
            for i in &x.item {
                out.extend(&i.encounter)
            }
        }
        _ => {}
    }
    out
}

/// Practitioner-like references of a member resource.
fn practitioner_refs(r: &Resource) -> Vec<&Reference> {
    let mut out: Vec<&Reference> = Vec::new();
    match r {
        Resource::Procedure(x) => out.extend(x.performer.iter().filter_map(|p| p.actor.as_ref())),
        Resource::DocumentReference(x) => {
            out.extend(&x.author);
            out.extend(&x.authenticator);
        }
        Resource::Composition(x) => {
            out.extend(&x.author);
            out.extend(x.attester.iter().filter_map(|a| a.party.as_ref()));
        }
        _ => {}
    }
    out
}

fn identifiers(r: &Resource) -> &[Identifier] {
    match r {
        Resource::Practitioner(x) => &x.identifier,
        Resource::PractitionerRole(x) => &x.identifier,
        Resource::Organization(x) => &x.identifier,
        Resource::Location(x) => &x.identifier,
        Resource::Patient(x) => &x.identifier,
        Resource::Encounter(x) => &x.identifier,
        _ => &[],
    }
}
