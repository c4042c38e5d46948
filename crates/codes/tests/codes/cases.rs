//! Runs the case files under `data/` against the embedded release.

use medrec_codes::{CodeStatus, icd10cm};
use serde_json::Value;

fn cases(name: &str) -> Vec<Value> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/codes/data/").to_string() + name;
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn icd10cm_cases() {
    let cm = icd10cm();
    for case in cases("icd10cm_cases.json") {
        let input = case["input"].as_str().unwrap();
        let c = cm.classify(input);
        let status = c.status();
        assert_eq!(
            status.as_str(),
            case["status"].as_str().unwrap(),
            "{input:?}"
        );
        assert_eq!(cm.validate(input), status, "{input:?}");
        if let Some(code) = case.get("code").and_then(Value::as_str) {
            assert_eq!(c.code().unwrap().to_string(), code, "{input:?}");
        }
        if let Some(m) = case.get("malformed").and_then(Value::as_str) {
            let CodeStatus::Malformed(kind) = status else {
                panic!("{input:?}")
            };
            assert_eq!(serde_json::to_value(kind).unwrap(), m, "{input:?}");
        }
        if let Some(t) = case.get("title").and_then(Value::as_str) {
            assert_eq!(c.title(), Some(t), "{input:?}");
        }
        if let Some(n) = case.get("chapter").and_then(Value::as_u64) {
            let ch = c
                .entry()
                .and_then(|e| e.chapter())
                .or_else(|| cm.chapter_of(&c.code().unwrap()));
            assert_eq!(ch.unwrap().number as u64, n, "{input:?}");
        }
        if let Some(b) = case.get("block").and_then(Value::as_str) {
            assert_eq!(c.block().unwrap().range(), b, "{input:?}");
        }
        if let Some(p) = case.get("parent").and_then(Value::as_str) {
            assert_eq!(
                c.entry().unwrap().parent().unwrap().code().to_string(),
                p,
                "{input:?}"
            );
        }
        if let Some(s) = case.get("seventh").and_then(Value::as_str) {
            assert_eq!(
                c.entry().unwrap().seventh_character_meaning(),
                Some(s),
                "{input:?}"
            );
        }
    }
}

#[test]
fn hierarchy_walks() {
    let cm = icd10cm();
    let e11 = cm.lookup("E11").unwrap();
    let children: Vec<String> = e11.children().map(|c| c.code().to_string()).collect();
    assert!(children.contains(&"E11.9".to_string()));
    assert!(children.contains(&"E11.2".to_string()));
    assert!(
        !children.contains(&"E11.21".to_string()),
        "grandchildren are not children"
    );
    for c in e11.children() {
        assert_eq!(c.parent().unwrap().code(), e11.code());
    }
    assert!(e11.descendants().all(|d| d.code().starts_with(&e11.code())));
    assert!(e11.descendants().any(|d| d.code().as_undotted() == "E1121"));
    let e = cm.lookup("E11.21").unwrap();
    let up: Vec<String> = e.ancestors().map(|a| a.code().to_string()).collect();
    assert_eq!(up, ["E11.2", "E11"]);
    assert_eq!(e.category().unwrap().code().to_string(), "E11");
    let ch = e.chapter().unwrap();
    assert_eq!((ch.number, ch.range().as_str()), (4, "E00-E89"));
    assert_eq!(ch.title, "Endocrine, nutritional and metabolic diseases");
    assert_eq!(e.block().unwrap().title, "Diabetes mellitus");
    // 7th-character children of a code that requires them.
    let t = cm.lookup("T36.0X1").unwrap();
    assert!(t.requires_seventh_character());
    let kids: Vec<String> = t.children().map(|c| c.code().to_string()).collect();
    assert_eq!(kids, ["T36.0X1A", "T36.0X1D", "T36.0X1S"]);
    assert_eq!(
        t.seventh_character_def().unwrap().defined_at.to_string(),
        "T36"
    );
}

#[test]
fn instructional_notes_are_exposed() {
    let cm = icd10cm();
    let e = cm.lookup("E11.9").unwrap();
    let applying = e.notes_applying();
    // Category E11 says "Use additional code to identify control using: insulin (Z79.4) …".
    assert!(applying.iter().any(|(o, k, t)| {
        *k == medrec_codes::NoteKind::UseAdditionalCode
            && t.contains("Z79.4")
            && *o == medrec_codes::NoteOwner::Code("E11".parse().unwrap())
    }));
    assert!(
        !cm.notes_of_kind(&"E11.9".parse().unwrap(), medrec_codes::NoteKind::Excludes1)
            .is_empty()
    );
    // Chapter-level notes apply too (chapter 1: use additional code for resistance, Z16.-).
    let a = cm.lookup("A00.0").unwrap().notes_applying();
    assert!(
        a.iter()
            .any(|(o, _, t)| *o == medrec_codes::NoteOwner::Chapter(1) && t.contains("Z16"))
    );
    // A manifestation code has its code-first note.
    let g = cm.lookup("G63").unwrap();
    assert!(g.title().contains("classified elsewhere"));
    assert!(
        g.notes()
            .iter()
            .any(|(k, _)| *k == medrec_codes::NoteKind::CodeFirst)
    );
}

#[test]
fn search_ranks_titles_by_words() {
    let cm = icd10cm();
    let hits = cm.search("acute kidney failure", 5);
    assert_eq!(hits[0].entry.code().to_string(), "N17");
    assert!(hits.iter().any(|h| h.entry.code().to_string() == "N17.9"));
    assert!(hits.iter().all(|h| h.matched_all));
    let hits = cm.search("type 2 diabetes with neuropathy", 10);
    assert!(
        hits.iter()
            .take(5)
            .any(|h| h.entry.code().to_string() == "E11.40"),
        "{hits:?}"
    );
    assert!(
        hits[0]
            .entry
            .title()
            .to_lowercase()
            .contains("type 2 diabetes")
    );
    let hits = cm.search("E11.9", 3);
    assert_eq!(hits[0].entry.code().to_string(), "E11.9");
    assert!(cm.search("   ", 5).is_empty());
    assert!(cm.search("xyzzyplugh", 5).is_empty());
}

#[test]
fn pcs_axes_decode() {
    let pcs = medrec_codes::icd10pcs();
    let code = "0DTJ4ZZ".parse().unwrap();
    let axes = pcs.decode(&code).unwrap();
    let titles: Vec<Option<&str>> = axes.iter().map(|a| a.title.as_deref()).collect();
    assert_eq!(titles[0], Some("Medical and Surgical"));
    assert_eq!(titles[1], Some("Gastrointestinal System"));
    assert_eq!(titles[2], Some("Resection"));
    assert_eq!(titles[3], Some("Appendix"));
    assert_eq!(titles[4], Some("Percutaneous Endoscopic"));
    assert_eq!(titles[5], Some("No Device"));
    assert_eq!(titles[6], Some("No Qualifier"));
    assert_eq!(pcs.validate("0DTJ4ZZ"), medrec_codes::PcsStatus::Valid);
    assert_eq!(pcs.validate("0DTJ4ZY"), medrec_codes::PcsStatus::Unknown);
    assert_eq!(pcs.validate("0DTI4ZZ"), medrec_codes::PcsStatus::Malformed);
    assert!(pcs.decode(&"0DTJ4ZY".parse().unwrap()).is_none());
}
