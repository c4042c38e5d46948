//! Every generated resource passes medrec-model's structural validation and round-trips; the
//! records say what the plan says, where fhir-him-mapping.md says.

use crate::population;
use medrec_model::{Resource, Severity};

fn check(resource: &Resource) {
    let issues: Vec<_> = resource
        .validate()
        .into_iter()
        .filter(|i| i.severity == Severity::Error)
        .collect();
    assert!(
        issues.is_empty(),
        "{} {:?}: {issues:?}",
        resource.resource_type(),
        resource.id()
    );
    let bytes = serde_json::to_vec(resource).unwrap();
    let back: Resource =
        medrec_model::parse_resource_strict(&bytes).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(&back, resource);
    assert_eq!(serde_json::to_vec(&back).unwrap(), bytes);
}

#[test]
fn every_resource_validates_and_round_trips() {
    let pop = population(120, 31);
    for r in pop.facility_resources() {
        check(&r);
    }
    let mut n = 0;
    for p in pop.patients() {
        for r in pop.patient_resources(&p) {
            check(&r);
            n += 1;
        }
        check(&Resource::from(pop.patient_bundle(&p)));
    }
    assert!(n > 500, "{n}");
}

#[test]
fn records_carry_the_him_facts() {
    let pop = population(200, 32);
    let mut saw_principal = false;
    let mut saw_transfer = false;
    for p in pop.patients() {
        for r in pop.patient_resources(&p) {
            let v = serde_json::to_value(&r).unwrap();
            match r.resource_type() {
                "Encounter" => {
                    let locations = v["location"].as_array().map(|a| a.len()).unwrap_or(0);
                    saw_transfer |= locations > 1;
                    if v["class"]["code"] == "IMP" {
                        assert!(v["period"]["end"].is_string());
                    }
                }
                "Claim" => {
                    if let Some(d) = v["diagnosis"].as_array().and_then(|a| a.first()) {
                        if d["type"][0]["coding"][0]["code"] == "principal" {
                            saw_principal = true;
                            assert_eq!(d["sequence"], 1);
                            assert_eq!(
                                d["diagnosisCodeableConcept"]["coding"][0]["system"],
                                "http://hl7.org/fhir/sid/icd-10-cm"
                            );
                        }
                    }
                    assert_eq!(v["total"]["currency"], "USD");
                }
                "DocumentReference" => {
                    let data = v["content"][0]["attachment"]["data"].as_str().unwrap();
                    use base64::Engine as _;
                    let text = base64::engine::general_purpose::STANDARD
                        .decode(data)
                        .unwrap();
                    assert!(std::str::from_utf8(&text).is_ok());
                    assert_eq!(v["type"]["coding"][0]["system"], "http://loinc.org");
                }
                _ => {}
            }
        }
    }
    assert!(saw_principal && saw_transfer);
}

#[test]
fn note_attachments_hold_the_labelled_text() {
    use base64::Engine as _;
    let pop = population(40, 33);
    for p in pop.patients() {
        let resources = pop.patient_resources(&p);
        for e in &p.encounters {
            for n in &e.notes {
                let r = resources
                    .iter()
                    .find(|r| r.id() == Some(n.id.as_str()))
                    .unwrap();
                let v = serde_json::to_value(r).unwrap();
                let data = v["content"][0]["attachment"]["data"].as_str().unwrap();
                let text = base64::engine::general_purpose::STANDARD
                    .decode(data)
                    .unwrap();
                assert_eq!(text, n.text.as_bytes());
                assert_eq!(v["authenticator"].is_object(), n.authenticator.is_some());
            }
        }
    }
}

#[test]
fn bed_locations_count_the_beds_in_service() {
    let pop = population(1, 1);
    for u in pop.units() {
        let active_beds = pop
            .unit_locations(u.index)
            .iter()
            .filter(|l| {
                l.physical_type
                    .as_ref()
                    .and_then(|t| t.coding[0].code.as_deref())
                    == Some("bd")
                    && l.status.as_deref() == Some("active")
            })
            .count() as u32;
        let last_day = pop.config().to.yesterday().unwrap();
        assert_eq!(active_beds, u.config.beds_on(last_day), "{}", u.config.id);
    }
}
