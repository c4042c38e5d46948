//! `PatientRecord`: reference resolution and grouping by encounter.

use crate::data::{data_dir, files, read};
use medrec_model::datatypes::Reference;
use medrec_model::resources::{Bundle, Claim, Condition, Encounter, Practitioner};
use medrec_model::{Document, PatientRecord, Resource};

fn bundle(json: &str) -> Bundle {
    serde_json::from_str(json).unwrap()
}

fn ids(v: Vec<Option<&str>>) -> Vec<&str> {
    v.into_iter().flatten().collect()
}

const SMALL: &str = r##"{"resourceType":"Bundle","type":"collection","entry":[
 {"fullUrl":"urn:uuid:11111111-1111-1111-1111-111111111111","resource":{"resourceType":"Patient","id":"p1"}},
 {"fullUrl":"http://example.org/fhir/Encounter/e1","resource":{"resourceType":"Encounter","id":"e1","status":"finished",
   "class":{"code":"IMP"},
   "participant":[{"individual":{"reference":"Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|123"}}],
   "location":[{"location":{"reference":"Location/ward"}},{"location":{"reference":"Location/icu"}}],
   "diagnosis":[{"condition":{"reference":"Condition/c2"}}]}},
 {"resource":{"resourceType":"Encounter","id":"e2","status":"finished","class":{"code":"AMB"}}},
 {"resource":{"resourceType":"Practitioner","id":"dr","identifier":[{"system":"http://hl7.org/fhir/sid/us-npi","value":"123"}]}},
 {"resource":{"resourceType":"Location","id":"ward"}},
 {"resource":{"resourceType":"Location","id":"icu"}},
 {"resource":{"resourceType":"Condition","id":"c1","subject":{"reference":"urn:uuid:11111111-1111-1111-1111-111111111111"},
   "encounter":{"reference":"Encounter/e1"}}},
 {"resource":{"resourceType":"Condition","id":"c2","subject":{"reference":"Patient/p1"}}},
 {"resource":{"resourceType":"Condition","id":"c3","subject":{"reference":"Patient/p1"},"encounter":{"reference":"Encounter/e2/_history/3"}}},
 {"resource":{"resourceType":"DocumentReference","id":"d1","status":"current","content":[{"attachment":{"contentType":"text/plain","data":"aGk="}}],
   "authenticator":{"reference":"Practitioner/dr"},"context":{"encounter":[{"reference":"http://example.org/fhir/Encounter/e1"}]}}},
 {"resource":{"resourceType":"Claim","id":"cl1","status":"active","contained":[{"resourceType":"Coverage","id":"cov","status":"active"}],
   "insurance":[{"sequence":1,"focal":true,"coverage":{"reference":"#cov"}}],
   "item":[{"sequence":1,"encounter":[{"reference":"Encounter/e1"}]}]}},
 {"resource":{"resourceType":"ExplanationOfBenefit","id":"eob1","claim":{"reference":"Claim/cl1"}}},
 {"resource":{"resourceType":"Consent","id":"consent1","status":"active"}},
 {"resource":{"resourceType":"Goal","id":"g1"}}
]}"##;

#[test]
fn groups_by_encounter_and_resolves_every_reference_form() {
    let rec = PatientRecord::from_bundle(bundle(SMALL));
    assert_eq!(rec.patient().and_then(|p| p.id.as_deref()), Some("p1"));
    assert_eq!(rec.encounter_count(), 2);
    let encounters: Vec<_> = rec.encounters().collect();
    let e1 = &encounters[0];
    assert_eq!(e1.encounter.id.as_deref(), Some("e1"));
    // c1 by its own encounter link, c2 through Encounter.diagnosis.
    assert_eq!(
        ids(e1.conditions.iter().map(|c| c.id.as_deref()).collect()),
        ["c1", "c2"]
    );
    assert_eq!(e1.documents.len(), 1);
    assert!(matches!(e1.documents[0], Document::Reference(d) if d.id.as_deref() == Some("d1")));
    assert_eq!(
        ids(e1.claims.iter().map(|c| c.id.as_deref()).collect()),
        ["cl1"]
    );
    assert_eq!(
        ids(e1
            .explanations_of_benefit
            .iter()
            .map(|c| c.id.as_deref())
            .collect()),
        ["eob1"]
    );
    // Conditional reference (Synthea style) and the authenticator, deduplicated.
    assert_eq!(
        ids(e1.practitioners.iter().map(|p| p.id.as_deref()).collect()),
        ["dr"]
    );
    assert_eq!(
        ids(e1.locations.iter().map(|l| l.id.as_deref()).collect()),
        ["ward", "icu"]
    );
    // Version-specific reference.
    assert_eq!(
        ids(encounters[1]
            .conditions
            .iter()
            .map(|c| c.id.as_deref())
            .collect()),
        ["c3"]
    );
    // Patient-level resources.
    let level: Vec<&str> = rec.patient_level().map(|r| r.resource_type()).collect();
    assert_eq!(
        level,
        [
            "Patient",
            "Practitioner",
            "Location",
            "Location",
            "Consent",
            "Goal"
        ]
    );
    // resolve: urn:uuid, Type/id, absolute URL, contained.
    assert_eq!(
        rec.resolve(&Reference::to(
            "urn:uuid:11111111-1111-1111-1111-111111111111"
        ))
        .unwrap()
        .id(),
        Some("p1")
    );
    assert!(
        rec.resolve_as::<Practitioner>(&Reference::to("Practitioner/dr"))
            .is_some()
    );
    assert!(
        rec.resolve_as::<Encounter>(&Reference::to("https://other.org/fhir/Encounter/e2"))
            .is_some()
    );
    assert!(rec.resolve(&Reference::to("Patient/nobody")).is_none());
    let claim = rec
        .resources()
        .iter()
        .find(|r| r.downcast_ref::<Claim>().is_some())
        .unwrap();
    let cov = rec.resolve_in(claim, &Reference::to("#cov")).unwrap();
    assert_eq!(cov.resource_type(), "Coverage");
    assert_eq!(rec.all::<Condition>().count(), 3);
    // Back to a Bundle, nothing lost.
    assert_eq!(rec.to_bundle().entry.len(), 14);
}

/// On real Synthea bundles, every clinical resource with an encounter link lands in that
/// encounter, every claim's diagnosis references resolve to Conditions, and no EOB is orphaned.
#[test]
fn synthea_bundles_group_completely() {
    for sub in ["synthea/r4-bundles-plain", "synthea/r4-bundles-us-core"] {
        let Some(dir) = data_dir(sub) else { return };
        for p in files(&dir, &[".json", ".json.gz"]) {
            if p.file_name().is_some_and(|n| n == "MANIFEST.json") {
                continue;
            }
            let b: Bundle = serde_json::from_slice(&read(&p)).unwrap();
            let total = b.entry.len();
            let rec = PatientRecord::from_bundle(b);
            assert_eq!(rec.resources().len(), total);
            assert!(rec.patient().is_some(), "{}", p.display());
            let grouped: usize = rec
                .encounters()
                .map(|e| {
                    e.conditions.len()
                        + e.procedures.len()
                        + e.observations.len()
                        + e.claims.len()
                        + e.explanations_of_benefit.len()
                        + e.diagnostic_reports.len()
                        + e.documents.len()
                        + e.medication_requests.len()
                        + e.immunizations.len()
                })
                .sum();
            for r in rec.patient_level() {
                let orphan = matches!(
                    r,
                    Resource::Observation(_)
                        | Resource::Procedure(_)
                        | Resource::Claim(_)
                        | Resource::ExplanationOfBenefit(_)
                );
                assert!(
                    !orphan,
                    "{}: {} {:?} not grouped",
                    p.display(),
                    r.resource_type(),
                    r.id()
                );
            }
            for e in rec.encounters() {
                for c in &e.claims {
                    for d in &c.diagnosis {
                        if let Some(medrec_model::resources::ClaimDiagnosisDiagnosis::Reference(
                            r,
                        )) = &d.diagnosis
                        {
                            assert!(
                                rec.resolve_as::<Condition>(r).is_some(),
                                "{}: unresolved {r:?}",
                                p.display()
                            );
                        }
                    }
                }
                // Participants that resolve (2019 Synthea: same Bundle; the us-core set keeps them elsewhere).
                let resolvable = e.encounter.participant.iter().any(|x| {
                    x.individual
                        .as_ref()
                        .is_some_and(|r| rec.resolve(r).is_some())
                });
                if resolvable {
                    assert!(
                        !e.practitioners.is_empty(),
                        "{}: participants not resolved",
                        p.display()
                    );
                }
            }
            assert!(grouped > 0);
        }
    }
}
