//! Integration tests of `medrec review` (contract: docs/cli/review.md).

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixture() -> Value {
    let p = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../completeness/tests/completeness/data/base/surgical-stay.json"
    );
    serde_json::from_str(&std::fs::read_to_string(p).expect("fixture")).expect("json")
}

/// The complete fixture stay without its H&P and with an unsigned discharge summary.
fn broken_fixture() -> Value {
    let mut b = fixture();
    let entries = b["entry"].as_array_mut().unwrap();
    entries.retain(|e| e["resource"]["id"] != "hp1");
    for e in entries.iter_mut() {
        if e["resource"]["id"] == "ds1" {
            e["resource"]
                .as_object_mut()
                .unwrap()
                .remove("authenticator");
        }
    }
    b
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn medrec() -> Command {
    Command::cargo_bin("medrec").unwrap()
}

fn json_lines(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

#[test]
fn complete_record_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "complete.json",
        fixture().to_string().as_bytes(),
    );
    let out = medrec()
        .args(["review", "--format", "json", "--as-of", "2025-04-30"])
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn deficiencies_as_json_lines_with_the_contract_fields() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = broken_fixture().to_string();
    let f = write(dir.path(), "stay.json", bytes.as_bytes());
    let out = medrec()
        .args(["review", "--format", "json", "--as-of", "2025-04-30"])
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = json_lines(&out.stdout);
    let rules: Vec<&str> = rows.iter().map(|r| r["rule"].as_str().unwrap()).collect();
    assert_eq!(rules, ["document.unsigned", "hp.missing"]);
    for r in &rows {
        for field in [
            "patient",
            "encounter",
            "rule",
            "severity",
            "path",
            "practitioner",
            "due",
            "detail",
            "message",
        ] {
            assert!(r.get(field).is_some(), "missing field {field} in {r}");
        }
        assert_eq!(r["patient"], "p1");
        assert_eq!(r["encounter"], "e1");
        assert_eq!(r["practitioner"], "Practitioner/dr-att");
        // Discharged 2025-03-07: 54 days before the report date, so delinquent.
        assert_eq!(r["days_since_discharge"], 54);
        assert_eq!(r["delinquent"], true);
    }
    assert_eq!(
        rows[1]["path"],
        "DocumentReference?encounter=Encounter/e1&type=http://loinc.org|34117-2"
    );
    assert_eq!(rows[1]["due"], "2025-03-04");
    assert_eq!(rows[0]["path"], "DocumentReference/ds1.authenticator");
    // The input is untouched.
    assert_eq!(std::fs::read(&f).unwrap(), bytes.as_bytes());
}

#[test]
fn text_output_lists_and_summarizes() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "stay.json",
        broken_fixture().to_string().as_bytes(),
    );
    medrec()
        .args(["review", "--as-of", "2025-03-20"])
        .arg(&f)
        .assert()
        .code(1)
        .stdout(predicates::str::contains("hp.missing"))
        .stdout(predicates::str::contains(
            "William Osler (Practitioner/dr-att)",
        ))
        .stdout(predicates::str::contains(
            "1 record(s), 1 encounter(s) reviewed: 2 deficiencies",
        ))
        .stdout(predicates::str::contains("1 incomplete, 0 delinquent"));
}

#[test]
fn worklist_groups_by_practitioner() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = broken_fixture();
    // Also drop the operative report: the surgeon gets an item.
    b["entry"]
        .as_array_mut()
        .unwrap()
        .retain(|e| e["resource"]["id"] != "op1");
    let f = write(dir.path(), "stay.json", b.to_string().as_bytes());
    let out = medrec()
        .args([
            "review",
            "--worklist",
            "--format",
            "json",
            "--as-of",
            "2025-04-30",
        ])
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let rows = json_lines(&out.stdout);
    let who: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["practitioner"].as_str().unwrap(),
                r["rule"].as_str().unwrap(),
            )
        })
        .collect();
    // Osler's items oldest due first (H&P due the day after admission), then Halsted's.
    assert_eq!(
        who,
        [
            ("Practitioner/dr-att", "hp.missing"),
            ("Practitioner/dr-att", "document.unsigned"),
            ("Practitioner/dr-surg", "operative-report.missing"),
        ]
    );
    medrec()
        .args(["review", "--worklist", "--as-of", "2025-04-30"])
        .arg(&f)
        .assert()
        .code(1)
        .stdout(predicates::str::contains(
            "William Halsted (Practitioner/dr-surg): 1 item(s)",
        ));
}

#[test]
fn csv_has_a_header_row() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "stay.json",
        broken_fixture().to_string().as_bytes(),
    );
    let out = medrec()
        .args(["review", "--format", "csv", "--as-of", "2025-04-30"])
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let mut rdr = csv::Reader::from_reader(&out.stdout[..]);
    let headers = rdr.headers().unwrap().clone();
    for field in [
        "patient",
        "encounter",
        "rule",
        "severity",
        "path",
        "practitioner",
        "due",
        "detail",
        "message",
    ] {
        assert!(headers.iter().any(|h| h == field), "{field}");
    }
    assert_eq!(rdr.records().count(), 2);
}

#[test]
fn config_file_switches_rules_and_bad_config_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "stay.json",
        broken_fixture().to_string().as_bytes(),
    );
    let cfg = write(
        dir.path(),
        "review.toml",
        b"[rules.\"document.unsigned\"]\nenabled = false\n",
    );
    let out = medrec()
        .args([
            "review",
            "--format",
            "json",
            "--as-of",
            "2025-04-30",
            "--config",
        ])
        .arg(&cfg)
        .arg(&f)
        .output()
        .unwrap();
    let rows = json_lines(&out.stdout);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["rule"], "hp.missing");
    let bad = write(
        dir.path(),
        "bad.toml",
        b"[limits]\ncompletion_days = \"soon\"\n",
    );
    medrec()
        .args(["review", "--config"])
        .arg(&bad)
        .arg(&f)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("bad.toml"))
        .stderr(predicates::str::contains("line 2"));
    let unknown = write(
        dir.path(),
        "unknown.toml",
        b"[rules.\"hp.tardy\"]\nenabled = false\n",
    );
    medrec()
        .args(["review", "--config"])
        .arg(&unknown)
        .arg(&f)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("hp.tardy"));
    medrec()
        .args(["review", "--as-of", "30/04/2025"])
        .arg(&f)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--as-of"));
}

#[test]
fn bad_inputs_are_reported_and_the_rest_is_reviewed() {
    let dir = tempfile::tempdir().unwrap();
    let good_bytes = broken_fixture().to_string();
    let good = write(dir.path(), "a-good.json", good_bytes.as_bytes());
    let truncated_bytes = &good_bytes.as_bytes()[..good_bytes.len() / 2];
    let truncated = write(dir.path(), "b-truncated.json", truncated_bytes);
    let garbage = write(
        dir.path(),
        "c-garbage.json",
        &[0xff, 0x00, 0x13, 0x37, 0xfe],
    );
    let wrong = write(
        dir.path(),
        "d-wrong.json",
        br#"{"resourceType":"Banana","id":"x"}"#,
    );
    let missing = dir.path().join("e-missing.json");
    let out = medrec()
        .args(["review", "--format", "json", "--as-of", "2025-04-30"])
        .args([&good, &truncated, &garbage, &wrong, &missing])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 4, "{stderr}");
    assert!(stderr.contains("b-truncated.json:1:"), "{stderr}");
    assert!(stderr.contains("c-garbage.json"), "{stderr}");
    assert!(stderr.contains("d-wrong.json"), "{stderr}");
    assert!(stderr.contains("e-missing.json"), "{stderr}");
    // The good file is still reviewed.
    assert_eq!(json_lines(&out.stdout).len(), 2);
    // Inputs are byte-identical afterwards.
    assert_eq!(std::fs::read(&good).unwrap(), good_bytes.as_bytes());
    assert_eq!(std::fs::read(&truncated).unwrap(), truncated_bytes);
}

#[test]
fn ndjson_is_grouped_by_patient() {
    let dir = tempfile::tempdir().unwrap();
    let b = broken_fixture();
    let mut nd = String::new();
    for e in b["entry"].as_array().unwrap() {
        let mut r = e["resource"].clone();
        // NDJSON uses relative references.
        let s = r
            .to_string()
            .replace("urn:uuid:p1", "Patient/p1")
            .replace("urn:uuid:e1", "Encounter/e1")
            .replace("urn:uuid:dr-att", "Practitioner/dr-att")
            .replace("urn:uuid:dr-surg", "Practitioner/dr-surg")
            .replace("urn:uuid:proc1", "Procedure/proc1")
            .replace("urn:uuid:loc-4w", "Location/loc-4w");
        r = serde_json::from_str(&s).unwrap();
        nd.push_str(&r.to_string());
        nd.push('\n');
    }
    let f = write(dir.path(), "export.ndjson", nd.as_bytes());
    let out = medrec()
        .args(["review", "--format", "json", "--as-of", "2025-04-30"])
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rules: Vec<String> = json_lines(&out.stdout)
        .iter()
        .map(|r| r["rule"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(rules, ["document.unsigned", "hp.missing"]);
}

#[test]
fn synth_population_rows_match_the_ground_truth() {
    use medrec::synth::{Population, PopulationConfig};
    let mut config = PopulationConfig {
        patients: 40,
        seed: 5,
        ..PopulationConfig::demo()
    };
    config.documentation.note_text = false;
    config.documentation.hp_missing = 0.3;
    config.documentation.unsigned = 0.2;
    let pop = Population::new(config).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut injected = 0;
    for (i, p) in pop.patients().enumerate() {
        injected += p
            .encounters
            .iter()
            .map(|e| e.deficiencies.len())
            .sum::<usize>();
        let bundle =
            serde_json::to_vec(&medrec::model::Resource::from(pop.patient_bundle(&p))).unwrap();
        write(dir.path(), &format!("patient-{i:03}.json"), &bundle);
    }
    assert!(injected > 0);
    // The synth generator's POA-exempt list (see medrec-completeness docs).
    let cfg = write(
        dir.path(),
        "synth.toml",
        b"[coding]\npoa_exempt = [\"Z37\", \"Z38\", \"Z3A\", \"Y92\"]\n",
    );
    let out = medrec()
        .args([
            "review",
            "--format",
            "json",
            "--as-of",
            "2025-06-30",
            "--config",
        ])
        .arg(&cfg)
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(json_lines(&out.stdout).len(), injected);
}

#[test]
fn synthea_bundle_from_shared_data() {
    let root = std::env::var_os("MEDREC_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"))
        });
    let dir = root.join("synthea/r4-bundles-us-core");
    if !dir.is_dir() {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("shared data missing at {}", root.display());
        }
        eprintln!("note: shared data missing; skipping");
        return;
    }
    // The folder also holds MANIFEST.json (not FHIR): name the bundles.
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".json.gz"))
        .collect();
    files.sort();
    let out = medrec()
        .args(["review", "--format", "json", "--as-of", "2026-01-01"])
        .args(&files)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = json_lines(&out.stdout);
    assert!(rows.iter().any(|r| r["rule"] == "encounter.attending"));
    assert!(
        rows.iter()
            .all(|r| r["file"].as_str().unwrap().ends_with(".json.gz"))
    );
}
