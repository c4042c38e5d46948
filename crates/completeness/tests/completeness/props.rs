//! Property tests of the review's invariants.

use crate::cases::{apply, base_bundle, record_of};
use medrec_completeness::{DeficiencyKey, RecordReview, Reviewer, RuleSet};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// Breakages that can be applied to the complete base stay, each a case-style edit.
fn breakages() -> Vec<Value> {
    vec![
        json!({"remove": ["DocumentReference/hp1"]}),
        json!({"remove": ["DocumentReference/ds1"]}),
        json!({"remove": ["DocumentReference/op1"]}),
        json!({"remove": ["DocumentReference/pn1"]}),
        json!({"remove": ["Consent/c1"]}),
        json!({"patch": {"DocumentReference/hp1": {"date": "2025-03-04T10:00:00-05:00"}}}),
        json!({"patch": {"DocumentReference/ds1": {"authenticator": null}}}),
        json!({"patch": {"DocumentReference/pn1": {"docStatus": "preliminary"}}}),
        json!({"patch": {"Encounter/e1": {"hospitalization": {"admitSource": null}}}}),
        json!({"patch": {"Encounter/e1": {"participant": null}}}),
        json!({"patch": {"Patient/p1": {"identifier": null}}}),
        json!({"patch": {"Patient/p1": {"gender": "male"}}}),
        json!({"patch": {"Claim/cl1": {"diagnosis": [
            {"sequence": 2, "diagnosisCodeableConcept": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "E11.99"}]}},
            {"sequence": 3, "diagnosisCodeableConcept": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "N92.0"}]},
             "onAdmission": {"coding": [{"code": "y"}]}}]}}}),
    ]
}

fn broken_bundle(mask: &[bool]) -> Value {
    let mut bundle = base_bundle("surgical-stay");
    // Removals first (a patch never targets a removed resource: patches on removed
    // resources are skipped).
    let all = breakages();
    for (b, on) in all.iter().zip(mask) {
        if *on && b.get("remove").is_some() {
            apply(&mut bundle, b);
        }
    }
    for (b, on) in all.iter().zip(mask) {
        if *on {
            if let Some(p) = b.get("patch").and_then(Value::as_object) {
                let present: Vec<String> = bundle["entry"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| {
                        format!(
                            "{}/{}",
                            e["resource"]["resourceType"].as_str().unwrap_or(""),
                            e["resource"]["id"].as_str().unwrap_or("")
                        )
                    })
                    .collect();
                let p: serde_json::Map<String, Value> = p
                    .iter()
                    .filter(|(k, _)| present.contains(k))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                apply(&mut bundle, &json!({ "patch": p }));
            }
        }
    }
    bundle
}

fn keys(r: &RecordReview) -> BTreeSet<DeficiencyKey> {
    r.deficiencies().map(|d| d.key()).collect()
}

/// A proper document of `kind` (LOINC), signed and final, written at `date`.
fn proper_document(id: &str, loinc: &str, date: &str) -> Value {
    json!({"add": [{"resourceType": "DocumentReference", "id": id, "status": "current", "docStatus": "final",
        "type": {"coding": [{"system": "http://loinc.org", "code": loinc}]},
        "subject": {"reference": "urn:uuid:p1"}, "date": date,
        "author": [{"reference": "urn:uuid:dr-att"}], "authenticator": {"reference": "urn:uuid:dr-att"},
        "context": {"encounter": [{"reference": "urn:uuid:e1"}]}}]})
}

/// The documents a stay requires, each written when the requirement says.
fn required_documents() -> Vec<Value> {
    vec![
        proper_document("new-hp", "34117-2", "2025-03-03T08:30:00-05:00"),
        proper_document("new-op", "11504-8", "2025-03-04T12:00:00-05:00"),
        proper_document("new-pn", "11506-3", "2025-03-05T08:00:00-05:00"),
        proper_document("new-ds", "18842-5", "2025-03-07T10:30:00-05:00"),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn adding_a_missing_required_document_never_adds_a_deficiency(
        mask in proptest::collection::vec(any::<bool>(), 13),
        which in 0usize..4,
    ) {
        let bundle = broken_bundle(&mask);
        let reviewer = Reviewer::new();
        let before = reviewer.review(&record_of(&bundle));
        let mut fixed = bundle.clone();
        apply(&mut fixed, &required_documents()[which]);
        let after = reviewer.review(&record_of(&fixed));
        let (b, a) = (keys(&before), keys(&after));
        prop_assert!(a.is_subset(&b), "new deficiencies: {:?}", a.difference(&b).collect::<Vec<_>>());
        let diff = after.diff_from(&before);
        prop_assert!(diff.new.is_empty());
        prop_assert_eq!(diff.open.len() + diff.resolved.len(), b.len());
    }

    #[test]
    fn rule_order_does_not_change_results(
        mask in proptest::collection::vec(any::<bool>(), 13),
        rotate in 0usize..20,
    ) {
        let record = record_of(&broken_bundle(&mask));
        let forward = Reviewer::new().review(&record);
        let ids: Vec<String> = RuleSet::default_inpatient().ids().map(str::to_string).collect();
        let mut order = ids.clone();
        order.rotate_left(rotate % ids.len());
        order.reverse();
        let all = medrec_completeness::builtin_rule_set();
        let mut shuffled = RuleSet::new();
        for id in &order {
            shuffled.push(all.iter().find(|r| r.info().id == id.as_str()).unwrap().clone());
        }
        let reviewer = Reviewer::with_config(shuffled, Default::default()).unwrap();
        prop_assert_eq!(reviewer.review(&record), forward);
    }

    #[test]
    fn a_complete_record_yields_none(
        shift_hours in -2000i64..2000,
        extra_progress_notes in 0usize..4,
        stay_days in 2i64..30,
    ) {
        // The complete stay, moved in time, lengthened, with more notes: still complete.
        let mut bundle = base_bundle("surgical-stay");
        let t = |s: &str, extra: i64| -> String {
            let ts: jiff::Timestamp = s.parse().unwrap();
            let ts = ts + jiff::SignedDuration::from_hours(shift_hours + extra);
            jiff::tz::TimeZone::fixed(jiff::tz::offset(-5)).to_datetime(ts).strftime("%Y-%m-%dT%H:%M:%S-05:00").to_string()
        };
        let end_extra = 24 * (stay_days - 4);
        let mut edit = json!({"patch": {
            "Encounter/e1": {"period": {"start": t("2025-03-03T08:00:00-05:00", 0), "end": t("2025-03-07T11:00:00-05:00", end_extra)}},
            "Procedure/proc1": {"performedDateTime": t("2025-03-04T09:00:00-05:00", 0)},
            "Consent/c1": {"dateTime": t("2025-03-04T07:00:00-05:00", 0)},
            "DocumentReference/hp1": {"date": t("2025-03-03T12:00:00-05:00", 0)},
            "DocumentReference/op1": {"date": t("2025-03-04T10:30:00-05:00", 0)},
            "DocumentReference/pn1": {"date": t("2025-03-05T09:00:00-05:00", 0)},
            "DocumentReference/ds1": {"date": t("2025-03-07T10:00:00-05:00", end_extra)}
        }, "add": []});
        for i in 0..extra_progress_notes {
            let doc = proper_document(&format!("pn-extra-{i}"), "11506-3", &t("2025-03-05T09:00:00-05:00", 6 * i as i64));
            edit["add"].as_array_mut().unwrap().push(doc["add"][0].clone());
        }
        apply(&mut bundle, &edit);
        let review = Reviewer::new().review(&record_of(&bundle));
        let found: Vec<String> = review.deficiencies().map(|d| format!("{} {}", d.rule, d.path)).collect();
        prop_assert!(found.is_empty(), "{:?}", found);
    }
}
