//! Data-driven cases: hand-worked patients with known scores, and codes inside / just outside
//! each definition (`data/clinical/*.json`).

use medrec_codes::clinical::{
    AhrqMeasure, Charlson, CharlsonCondition, ComorbidityScorer, Elixhauser, Poa,
};
use serde_json::Value;

use super::case_file;

fn names(v: &Value) -> Vec<String> {
    let mut n: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect();
    n.sort();
    n
}

#[test]
fn hand_worked_patients() {
    let cases: Value = serde_json::from_str(&case_file("patients.json")).unwrap();
    let scorer = ComorbidityScorer::new();
    for case in cases.as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let codes: Vec<(String, Poa)> = case["codes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p[0].as_str().unwrap().to_string(),
                    Poa::parse(p[1].as_str().unwrap()).unwrap(),
                )
            })
            .collect();
        let refs: Vec<(&str, Poa)> = codes.iter().map(|(c, p)| (c.as_str(), *p)).collect();
        let c = scorer.score_batch([&refs[..]])[0];
        let mut elix: Vec<String> = c.elixhauser.iter().map(|m| m.name().to_string()).collect();
        elix.sort();
        assert_eq!(elix, names(&case["elixhauser"]), "{name}: elixhauser");
        assert_eq!(
            i64::from(c.elixhauser_mortality),
            case["elixhauser_mortality"].as_i64().unwrap(),
            "{name}: mortality"
        );
        assert_eq!(
            i64::from(c.elixhauser_readmission),
            case["elixhauser_readmission"].as_i64().unwrap(),
            "{name}: readmission"
        );
        let mut ch: Vec<String> = c.charlson.iter().map(|m| m.name().to_string()).collect();
        ch.sort();
        assert_eq!(ch, names(&case["charlson"]), "{name}: charlson");
        assert_eq!(
            u64::from(c.charlson_score),
            case["charlson_score"].as_u64().unwrap(),
            "{name}: charlson_score"
        );
        assert_eq!(
            u64::from(c.charlson_score_quan2011),
            case["charlson_score_quan2011"].as_u64().unwrap(),
            "{name}: quan2011"
        );
        let mut q: Vec<String> = c
            .quan_elixhauser
            .iter()
            .map(|m| m.name().to_string())
            .collect();
        q.sort();
        assert_eq!(
            q,
            names(&case["quan_elixhauser"]),
            "{name}: quan elixhauser"
        );
        assert_eq!(
            i64::from(c.van_walraven),
            case["van_walraven"].as_i64().unwrap(),
            "{name}: van walraven"
        );
        // The single-purpose scorers agree with the combined one.
        assert_eq!(
            Elixhauser::embedded().stay(&refs, Default::default()),
            c.elixhauser,
            "{name}"
        );
        assert_eq!(
            Charlson::embedded().patient(refs.iter().map(|r| r.0)),
            c.charlson,
            "{name}"
        );
    }
}

#[test]
fn codes_inside_and_just_outside_each_definition() {
    let cases: Value = serde_json::from_str(&case_file("measure_cases.json")).unwrap();
    let charlson = Charlson::embedded();
    let mut seen = 0;
    for (cond, io) in cases["charlson"].as_object().unwrap() {
        let c = CharlsonCondition::from_name(cond).unwrap_or_else(|| panic!("{cond}"));
        for code in io["in"].as_array().unwrap() {
            let code = code.as_str().unwrap();
            assert!(
                charlson.code_conditions(code).contains(c),
                "{cond}: {code} should be in"
            );
        }
        for code in io["out"].as_array().unwrap() {
            let code = code.as_str().unwrap();
            assert!(
                !charlson.code_conditions(code).contains(c),
                "{cond}: {code} should be out"
            );
        }
        seen += 1;
    }
    assert_eq!(seen, 17, "every Charlson condition has cases");
    let elix = Elixhauser::embedded();
    for (m, io) in cases["ahrq"].as_object().unwrap() {
        let measure = AhrqMeasure::from_name(m).unwrap();
        for code in io["in"].as_array().unwrap() {
            let code = code.as_str().unwrap();
            assert!(
                elix.code_measures(code).contains(measure),
                "{m}: {code} should be in"
            );
        }
        for code in io["out"].as_array().unwrap() {
            let code = code.as_str().unwrap();
            assert!(
                !elix.code_measures(code).contains(measure),
                "{m}: {code} should be out"
            );
        }
    }
}

#[test]
fn hierarchy_rules() {
    let s = ComorbidityScorer::new();
    let names = |dx: &[(&str, Poa)]| -> Vec<String> {
        s.score(dx.first().copied(), dx[1..].iter().copied())
            .elixhauser
            .iter()
            .map(|m| m.name().to_string())
            .collect()
    };
    let p = ("R69", Poa::Y);
    // AHRQ exclusions, one pair at a time.
    assert_eq!(
        names(&[p, ("E11.9", Poa::Y), ("E11.22", Poa::Y)]),
        ["DIAB_CX"]
    );
    assert_eq!(names(&[p, ("I10", Poa::Y), ("I12.9", Poa::Y)]), ["HTN_CX"]);
    assert_eq!(
        names(&[p, ("D05.10", Poa::Y), ("C50.911", Poa::Y)]),
        ["CANCER_SOLID"]
    );
    assert_eq!(names(&[p, ("D05.10", Poa::Y)]), ["CANCER_NSITU"]);
    assert_eq!(
        names(&[p, ("C50.911", Poa::Y), ("C78.7", Poa::Y)]),
        ["CANCER_METS"]
    );
    assert_eq!(
        names(&[p, ("K70.30", Poa::Y), ("K76.6", Poa::Y)]),
        ["LIVER_SEV"]
    );
    assert_eq!(
        names(&[p, ("N18.30", Poa::Y), ("N18.4", Poa::Y)]),
        ["RENLFL_SEV"]
    );
    // Leukemia and lymphoma stay with metastatic cancer (AHRQ SAS drops only SOLID and NSITU).
    let with_leuk = names(&[p, ("C78.7", Poa::Y), ("C91.00", Poa::Y)]);
    assert!(
        with_leuk.contains(&"CANCER_LEUK".to_string())
            && with_leuk.contains(&"CANCER_METS".to_string())
    );
    // Without the senior measure the junior one stays.
    assert_eq!(names(&[p, ("E11.9", Poa::Y)]), ["DIAB_UNCX"]);
    // Charlson hierarchy and age adjustment.
    let c = s.score(
        Some(("K70.30", Poa::Y)),
        [("K76.6", Poa::Y), ("E11.9", Poa::Y), ("C18.9", Poa::Y)],
    );
    let ch: Vec<&str> = c.charlson.iter().map(|x| x.name()).collect();
    assert_eq!(ch, ["diab", "canc", "msld"]);
    assert_eq!(c.charlson_score, 1 + 2 + 3);
    use medrec_codes::clinical::CharlsonWeights::*;
    assert_eq!(c.charlson_age_adjusted(Charlson1987, 49), 6);
    assert_eq!(c.charlson_age_adjusted(Charlson1987, 50), 7);
    assert_eq!(c.charlson_age_adjusted(Charlson1987, 79), 9);
    assert_eq!(c.charlson_age_adjusted(Quan2011, 85), 2 + 4 + 4); // MI weighs 0 in Quan 2011
}

#[test]
fn poa_rules_per_indicator_and_exempt_list() {
    use medrec_codes::clinical::{PoaExemptList, PoaRule};
    let s = ComorbidityScorer::new();
    let hf = |poa| {
        s.score(Some(("R69", Poa::Y)), [("I50.22", poa)])
            .elixhauser
            .contains(AhrqMeasure::Hf)
    };
    assert!(hf(Poa::Y));
    assert!(hf(Poa::W));
    assert!(hf(Poa::Exempt));
    assert!(!hf(Poa::N));
    assert!(!hf(Poa::U));
    assert!(!hf(Poa::Missing));
    let ex = PoaExemptList::from_text("# test list\nI50.2\n").unwrap();
    let s2 = ComorbidityScorer::new().with_exempt_list(ex);
    assert!(
        s2.score(Some(("R69", Poa::Y)), [("I50.22", Poa::N)])
            .elixhauser
            .contains(AhrqMeasure::Hf)
    );
    let s3 = ComorbidityScorer::new().with_poa_rule(PoaRule::Ignore);
    assert!(
        s3.score(Some(("R69", Poa::Y)), [("I50.22", Poa::N)])
            .elixhauser
            .contains(AhrqMeasure::Hf)
    );
    assert_eq!(
        PoaExemptList::from_text("Z37\nnot a code\n").unwrap_err().0,
        2
    );
}
