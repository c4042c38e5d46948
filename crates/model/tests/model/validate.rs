//! Structural validation: no false alarm on the official R4 examples; measured against the
//! official validator's test cases.

use crate::data::{data_dir, files, read};
use medrec_model::Severity;
use medrec_model::parse::validate_json;

#[test]
fn no_false_alarm_on_any_r4_spec_example() {
    let Some(dir) = data_dir("fhir-examples/r4-spec-examples") else {
        return;
    };
    let mut alarms = Vec::new();
    let paths = files(&dir, &[".json"]);
    for p in &paths {
        for issue in validate_json(&read(p)) {
            if issue.severity == Severity::Error {
                alarms.push(format!(
                    "{}: {issue}",
                    p.file_name().unwrap().to_string_lossy()
                ));
            }
        }
    }
    assert!(
        alarms.is_empty(),
        "{} false alarms:\n{}",
        alarms.len(),
        alarms.join("\n")
    );
    assert!(paths.len() > 500);
}

/// The validator test suite: cases expecting errors that we catch, and valid cases we flag.
#[test]
fn validator_test_cases_caught_and_false_alarms() {
    let Some(dir) = data_dir("fhir-examples/validator-test-cases") else {
        return;
    };
    let manifest: serde_json::Value =
        serde_json::from_slice(&read(&dir.join("manifest.json"))).unwrap();
    let (mut error_cases, mut caught, mut valid_cases, mut false_alarms) = (0, 0, 0, 0);
    let mut report = Vec::new();
    for case in manifest["test-cases"].as_array().unwrap() {
        let file = dir.join(case["instance"].as_str().unwrap());
        let Ok(bytes) = std::fs::read(&file) else {
            continue;
        };
        let expected = case["expected_error_count"].as_u64().unwrap_or(0);
        let errors: Vec<_> = validate_json(&bytes)
            .into_iter()
            .filter(|i| i.severity == Severity::Error)
            .collect();
        let name = case["name"].as_str().unwrap_or("?");
        if expected > 0 {
            error_cases += 1;
            if !errors.is_empty() {
                caught += 1;
            }
            report.push(format!(
                "error case {name}: expected {expected}, found {}: {}",
                errors.len(),
                errors
                    .iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join(" | ")
            ));
        } else {
            valid_cases += 1;
            if !errors.is_empty() {
                false_alarms += 1;
                report.push(format!(
                    "FALSE ALARM {name}: {}",
                    errors
                        .iter()
                        .map(|e| e.to_string())
                        .collect::<Vec<_>>()
                        .join(" | ")
                ));
            }
        }
    }
    eprintln!("{}", report.join("\n"));
    eprintln!(
        "validator test cases: caught {caught} of {error_cases} error cases; {false_alarms} false alarms on {valid_cases} valid cases"
    );
    assert!(
        error_cases >= 50 && valid_cases >= 30,
        "manifest changed: {error_cases} / {valid_cases}"
    );
    // Floors from the measurement written in docs/model.md (a regression fails).
    assert!(caught >= MIN_CAUGHT, "caught only {caught}");
    assert!(
        false_alarms <= MAX_FALSE_ALARMS,
        "{false_alarms} false alarms"
    );
}

const MIN_CAUGHT: usize = 21;
const MAX_FALSE_ALARMS: usize = 1;

/// The data-driven cases in `data/validate_cases.json`: each resource with the exact set of
/// (FHIR path, issue kind) errors expected.
#[test]
fn validation_cases() {
    let text = include_str!("data/validate_cases.json");
    let cases: Vec<serde_json::Value> = serde_json::from_str(text).unwrap();
    let mut failures = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let bytes = serde_json::to_vec(&case["resource"]).unwrap();
        let mut found: Vec<(String, String)> = validate_json(&bytes)
            .into_iter()
            .filter(|i| i.severity == Severity::Error)
            .map(|i| (i.path, i.kind.as_str().to_string()))
            .collect();
        let mut expected: Vec<(String, String)> = case["expect"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["path"].as_str().unwrap().to_string(),
                    e["kind"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        found.sort();
        expected.sort();
        if found != expected {
            failures.push(format!("{name}: expected {expected:?}, found {found:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(cases.len() >= 30);
}

/// The list of R4 resource types is exactly the official schema's.
#[test]
fn r4_resource_types_match_the_official_schema() {
    let Some(dir) = data_dir("fhir-schema") else {
        return;
    };
    let schema: serde_json::Value =
        serde_json::from_slice(&read(&dir.join("fhir.r4.schema.json"))).unwrap();
    let mut names: Vec<&str> = schema["discriminator"]["mapping"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    names.sort_unstable();
    assert_eq!(names, medrec_model::R4_RESOURCE_TYPES.to_vec());
}

/// A resource type R4 does not define is kept (lossless) but is a validation error.
#[test]
fn unknown_resource_type_is_an_error() {
    let issues = validate_json(br#"{"resourceType":"Banana","id":"b1"}"#);
    assert!(
        issues.iter().any(|i| i.severity == Severity::Error
            && i.to_string().contains("not a FHIR R4 resource type")),
        "{issues:?}"
    );
    // A real but untyped R4 type is fine.
    let issues = validate_json(br#"{"resourceType":"Device","id":"d1"}"#);
    assert!(
        issues.iter().all(|i| i.severity != Severity::Error),
        "{issues:?}"
    );
}
