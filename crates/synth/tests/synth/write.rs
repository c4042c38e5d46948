//! Writing to disk: layouts, truth files, byte-identical output for the same seed, atomicity.

use medrec_synth::{Layout, Population, PopulationConfig, WriteErrorKind};
use std::collections::BTreeMap;
use std::path::Path;

fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else {
                let rel = e
                    .path()
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(rel, std::fs::read(e.path()).unwrap());
            }
        }
    }
    out
}

fn pop(seed: u64) -> Population {
    Population::new(PopulationConfig {
        patients: 60,
        seed,
        ..PopulationConfig::demo()
    })
    .unwrap()
}

#[test]
fn same_seed_same_bytes_different_seed_different_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    for layout in [Layout::Ndjson, Layout::Bundle] {
        let a = tmp.path().join(format!("a-{layout:?}"));
        let b = tmp.path().join(format!("b-{layout:?}"));
        let c = tmp.path().join(format!("c-{layout:?}"));
        pop(5).write_to(&a, layout).unwrap();
        pop(5).write_to(&b, layout).unwrap();
        pop(6).write_to(&c, layout).unwrap();
        let (ta, tb, tc) = (read_tree(&a), read_tree(&b), read_tree(&c));
        assert_eq!(ta, tb);
        assert_ne!(ta.get("truth/summary.json"), tc.get("truth/summary.json"));
        assert!(ta.contains_key("truth/census_daily.ndjson"));
        assert!(ta.contains_key("truth/deficiencies.ndjson"));
        assert!(ta.contains_key("truth/phi.ndjson"));
        match layout {
            Layout::Ndjson => {
                for t in [
                    "Patient",
                    "Encounter",
                    "Claim",
                    "DocumentReference",
                    "Location",
                    "Organization",
                    "Practitioner",
                ] {
                    assert!(ta.contains_key(&format!("{t}.ndjson")), "{t}");
                }
            }
            Layout::Bundle => assert!(
                ta.contains_key("bundles/facilities.json") && ta.contains_key("bundles/pat-0.json")
            ),
        }
    }
}

#[test]
fn ndjson_lines_parse_and_truth_matches_records() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let summary = pop(8).write_to(&out, Layout::Ndjson).unwrap();
    let enc = std::fs::read_to_string(out.join("Encounter.ndjson")).unwrap();
    assert_eq!(enc.lines().count() as u64, summary.encounters);
    for line in enc.lines() {
        medrec_model::parse_resource_strict(line.as_bytes()).unwrap();
    }
    let truth: medrec_synth::Truth =
        serde_json::from_slice(&std::fs::read(out.join("truth/summary.json")).unwrap()).unwrap();
    assert_eq!(truth.encounters, summary.encounters);
    truth.check_census_balance().unwrap();
    // Every PHI span in the truth file is the text at those bytes of the decoded note.
    let phi = std::fs::read_to_string(out.join("truth/phi.ndjson")).unwrap();
    let mut texts = BTreeMap::new();
    for file in ["DocumentReference.ndjson", "Composition.ndjson"] {
        let docs = std::fs::read_to_string(out.join(file)).unwrap();
        for line in docs.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            texts.insert(v["id"].as_str().unwrap().to_string(), crate::note_text(&v));
        }
    }
    for line in phi.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let text = &texts[v["document"].as_str().unwrap()];
        for s in v["spans"].as_array().unwrap() {
            let (a, b) = (
                s["start"].as_u64().unwrap() as usize,
                s["end"].as_u64().unwrap() as usize,
            );
            assert_eq!(&text[a..b], s["text"].as_str().unwrap().as_bytes());
        }
    }
}

#[test]
fn refuses_a_non_empty_directory_and_leaves_it_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let keep = tmp.path().join("keep.txt");
    std::fs::write(&keep, b"mine").unwrap();
    let err = pop(1).write_to(tmp.path(), Layout::Ndjson).unwrap_err();
    assert_eq!(err.kind(), WriteErrorKind::NotEmpty);
    assert_eq!(std::fs::read(&keep).unwrap(), b"mine");
    let names: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        names.len(),
        1,
        "no staging directory left behind: {names:?}"
    );
}
