//! MCE-style edits (`data/clinical/edits.json`) and loading official MCE tables.

use medrec_codes::clinical::{EditId, MceTables, MceTablesErrorKind, Stay, StayEditor};
use serde_json::Value;

use super::case_file;

#[test]
fn edit_cases() {
    let cases: Value = serde_json::from_str(&case_file("edits.json")).unwrap();
    let editor = StayEditor::new().with_use_additional_code(false);
    for case in cases.as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let stay: Stay =
            serde_json::from_value(case["stay"].clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut got: Vec<&str> = editor.edit(&stay).iter().map(|e| e.edit.as_str()).collect();
        let mut want: Vec<&str> = case["edits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        got.sort();
        want.sort();
        assert_eq!(got, want, "{name}: {:#?}", editor.edit(&stay));
    }
}

#[test]
fn every_edit_has_id_message_and_source() {
    let stay: Stay = serde_json::from_str(
        r#"{"age":40,"sex":"M","principal":{"code":"O80","poa":"Y"},"secondary":[{"code":"E11.9","poa":"Y"},{"code":"E10.9","poa":""}]}"#,
    )
    .unwrap();
    let edits = StayEditor::new().edit(&stay);
    assert!(!edits.is_empty());
    for e in &edits {
        assert!(!e.message.is_empty() && !e.source.is_empty(), "{e:?}");
        assert_eq!(e.severity, e.edit.severity());
    }
    let sex = edits
        .iter()
        .find(|e| e.edit == EditId::SexConflictDx)
        .unwrap();
    assert!(sex.source.contains("APPROXIMATION"), "{}", sex.source);
    let ids: std::collections::BTreeSet<&str> = EditId::ALL.iter().map(|e| e.as_str()).collect();
    assert_eq!(ids.len(), EditId::ALL.len(), "ids are unique");
}

#[test]
fn official_tables_replace_the_derived_lists() {
    let text = "# official lists (test excerpt)\nsex_male N40 N41\nage_range maternity 12 55\nmaternity O00-O9A\n";
    let t = MceTables::from_text(text, "CMS MCE v43 (test)").unwrap();
    assert_eq!(t.entries("sex_male"), ["N40", "N41"]);
    assert!(t.source("sex_male").contains("CMS MCE v43"));
    assert!(
        t.source("sex_female").contains("APPROXIMATION"),
        "unnamed lists stay derived"
    );
    assert_eq!(t.maternity_ages, (12, 55));
    let stay: Stay = serde_json::from_str(
        r#"{"age":60,"sex":"F","principal":{"code":"O80"},"secondary":[{"code":"N42.1"}]}"#,
    )
    .unwrap();
    let ids: Vec<&str> = StayEditor::new()
        .with_tables(t)
        .with_use_additional_code(false)
        .edit(&stay)
        .iter()
        .map(|e| e.edit.as_str())
        .collect();
    assert!(ids.contains(&"age_conflict_maternity"));
    assert!(
        !ids.contains(&"sex_conflict_dx"),
        "N42 is no longer male-only: {ids:?}"
    );
    assert_eq!(
        MceTables::from_text("nonsense E11\n", "x")
            .unwrap_err()
            .kind(),
        MceTablesErrorKind::UnknownList
    );
    assert_eq!(
        MceTables::from_text("\nsex_male E11 ??\n", "x")
            .unwrap_err()
            .line(),
        2
    );
    assert_eq!(
        MceTables::from_text("age_range adult 20\n", "x")
            .unwrap_err()
            .kind(),
        MceTablesErrorKind::BadAgeRange
    );
}

#[test]
fn derived_lists_have_their_documented_anchors() {
    let t = MceTables::derived();
    let k = |c: &str| medrec_codes::clinical::DxKey::parse(c).unwrap();
    assert!(t.contains("manifestation", k("F02.80")));
    assert!(t.contains("manifestation", k("G63")));
    assert!(
        !t.contains("manifestation", k("B95.0")),
        "'as the cause of diseases classified elsewhere' is not a manifestation"
    );
    assert!(t.contains("unacceptable_principal", k("B95.0")));
    assert!(
        t.contains("maternity", k("O80"))
            && t.contains("maternity", k("Z3A.20"))
            && t.contains("maternity", k("Z37.0"))
    );
    assert!(t.contains("newborn", k("P07.30")) && t.contains("newborn", k("Z38.00")));
    assert!(t.contains("sex_female", k("N80.00")) && t.contains("sex_female", k("C56.1")));
    assert!(t.contains("sex_male", k("C61")) && t.contains("sex_male", k("N40.0")));
    assert!(
        !t.contains("sex_female", k("Z38.00")),
        "'delivered vaginally' is about the birth, not the patient's sex"
    );
    assert!(
        !t.contains("sex_female", k("Z80.41")),
        "family history says nothing about the patient's sex"
    );
    assert!(t.contains("external_cause", k("W19.XXXA")));
    assert!(t.entries("pediatric").is_empty() && t.entries("adult").is_empty());
}
