//! Every generated resource passes medrec-model's structural validation and round-trips; the
//! records say what the plan says, where fhir-him-mapping.md says.

use crate::population;
use medrec_model::{Resource, Severity};
use medrec_synth::{Population, PopulationConfig};

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
    let pop = population(40, 33);
    let (mut compositions, mut references) = (0, 0);
    for p in pop.patients() {
        let resources = pop.patient_resources(&p);
        for e in &p.encounters {
            for n in &e.notes {
                let r = resources
                    .iter()
                    .find(|r| r.id() == Some(n.id.as_str()))
                    .unwrap();
                let v = serde_json::to_value(r).unwrap();
                assert_eq!(crate::note_text(&v), n.text.as_bytes());
                if n.composition {
                    compositions += 1;
                    assert_eq!(v["resourceType"], "Composition");
                    assert_eq!(v["encounter"]["reference"], format!("Encounter/{}", e.id));
                    let legal = v["attester"].as_array().is_some_and(|a| {
                        a.iter()
                            .any(|x| x["mode"] == "legal" && x["time"].is_string())
                    });
                    assert_eq!(legal, n.authenticator.is_some());
                    assert_eq!(v["status"] == "final", n.is_final);
                } else {
                    references += 1;
                    assert_eq!(v["resourceType"], "DocumentReference");
                    assert_eq!(v["authenticator"].is_object(), n.authenticator.is_some());
                    assert_eq!(v["docStatus"] == "final", n.is_final);
                }
            }
        }
    }
    // The default share (0.2) gives both forms.
    let share = compositions as f64 / (compositions + references) as f64;
    assert!((0.1..0.3).contains(&share), "composition share {share}");
}

#[test]
fn composition_share_zero_and_one() {
    for (share, want) in [(0.0, false), (1.0, true)] {
        let mut config = PopulationConfig {
            patients: 30,
            seed: 4,
            ..PopulationConfig::demo()
        };
        config.documentation.composition_share = share;
        let pop = Population::new(config).unwrap();
        for p in pop.patients() {
            for e in &p.encounters {
                assert!(e.notes.iter().all(|n| n.composition == want));
            }
        }
    }
}
