//! Data-driven rule cases: `data/cases/*.json`, each an array of cases. A case starts from a
//! base record (`data/base/<base>.json`, a complete inpatient stay), removes resources
//! (`remove`: `Type/id`), applies JSON merge patches (RFC 7396) to resources (`patch`:
//! `Type/id` → patch), adds resources (`add`), optionally configures the review (`config`, the
//! JSON form of `ReviewConfig`), and lists the deficiencies expected — exactly: every
//! `(rule, path)` found must be expected and every expected one found. Optional fields of an
//! expectation (`detail`, `code`, `practitioner`, `practitioner_name`, `role`, `due`,
//! `severity`) are checked when given (`null` = must be absent).

use medrec_completeness::{Deficiency, ReviewConfig, Reviewer, RuleSet};
use medrec_model::{PatientRecord, Resource};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/completeness/data")
}

pub fn base_bundle(name: &str) -> Value {
    let path = data_dir().join("base").join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn merge_patch(target: &mut Value, patch: &Value) {
    match patch {
        Value::Object(p) => {
            if !target.is_object() {
                *target = Value::Object(Map::new());
            }
            let t = target.as_object_mut().expect("object");
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else {
                    merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        other => *target = other.clone(),
    }
}

fn key_of(resource: &Value) -> String {
    format!(
        "{}/{}",
        resource["resourceType"].as_str().unwrap_or(""),
        resource["id"].as_str().unwrap_or("")
    )
}

/// Applies a case's `remove`, `patch` and `add` to a Bundle.
pub fn apply(bundle: &mut Value, case: &Value) {
    let entries = bundle["entry"].as_array_mut().expect("bundle entries");
    if let Some(remove) = case.get("remove").and_then(Value::as_array) {
        for r in remove {
            let r = r.as_str().expect("remove names Type/id");
            let before = entries.len();
            entries.retain(|e| key_of(&e["resource"]) != r);
            assert!(entries.len() < before, "remove: no resource {r}");
        }
    }
    if let Some(patch) = case.get("patch").and_then(Value::as_object) {
        for (r, p) in patch {
            let e = entries
                .iter_mut()
                .find(|e| key_of(&e["resource"]) == *r)
                .unwrap_or_else(|| panic!("patch: no resource {r}"));
            merge_patch(&mut e["resource"], p);
        }
    }
    if let Some(add) = case.get("add").and_then(Value::as_array) {
        for r in add {
            let id = r["id"].as_str().expect("added resources have ids");
            entries.push(serde_json::json!({"fullUrl": format!("urn:uuid:{id}"), "resource": r}));
        }
    }
}

pub fn record_of(bundle: &Value) -> PatientRecord {
    match serde_json::from_value::<Resource>(bundle.clone()).expect("a FHIR resource") {
        Resource::Bundle(b) => PatientRecord::from_bundle(*b),
        other => PatientRecord::from_resources([other]),
    }
}

fn reviewer_for(case: &Value) -> Reviewer {
    match case.get("config") {
        None => Reviewer::new(),
        Some(c) => {
            let config =
                ReviewConfig::from_json_str(&c.to_string()).expect("the case's config is valid");
            Reviewer::with_config(RuleSet::default_inpatient(), config).expect("valid config")
        }
    }
}

fn field(d: &Deficiency, name: &str) -> Value {
    let v = serde_json::to_value(d).expect("deficiency serializes");
    v.get(name).cloned().unwrap_or(Value::Null)
}

fn run_case(file: &str, case: &Value) -> Vec<String> {
    let name = case["name"].as_str().unwrap_or("?");
    let mut bundle = base_bundle(case["base"].as_str().expect("base"));
    apply(&mut bundle, case);
    let record = record_of(&bundle);
    let review = reviewer_for(case).review(&record);
    let found: Vec<&Deficiency> = review.deficiencies().collect();
    let expected = case["expect"].as_array().expect("expect is an array");
    let mut problems = Vec::new();
    for e in expected {
        let (rule, path) = (e["rule"].as_str().unwrap(), e["path"].as_str().unwrap());
        match found.iter().find(|d| d.rule == rule && d.path == path) {
            None => problems.push(format!("{file}: {name}: missed {rule} at {path}")),
            Some(d) => {
                for (k, want) in e.as_object().unwrap() {
                    if k == "rule" || k == "path" {
                        continue;
                    }
                    let got = field(d, k);
                    if &got != want {
                        problems.push(format!(
                            "{file}: {name}: {rule} at {path}: {k} is {got}, expected {want}"
                        ));
                    }
                }
            }
        }
    }
    for d in &found {
        if !expected
            .iter()
            .any(|e| e["rule"] == d.rule.as_str() && e["path"] == d.path.as_str())
        {
            problems.push(format!(
                "{file}: {name}: unexpected {} at {} ({})",
                d.rule, d.path, d.message
            ));
        }
    }
    problems
}

#[test]
fn rule_cases() {
    let dir = data_dir().join("cases");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("case directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut problems = Vec::new();
    let mut count = 0;
    let mut rules_covered = std::collections::BTreeSet::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("readable case file");
        let cases: Vec<Value> =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let fname = f.file_name().unwrap().to_string_lossy().to_string();
        for case in &cases {
            count += 1;
            for e in case["expect"].as_array().into_iter().flatten() {
                rules_covered.insert(e["rule"].as_str().unwrap_or("").to_string());
            }
            problems.extend(run_case(&fname, case));
        }
    }
    assert!(count >= 60, "only {count} cases");
    for id in medrec_completeness::BUILTIN_RULE_IDS {
        assert!(rules_covered.contains(id), "no case expects {id}");
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
