//! Integration tests of `medrec release` (contract: `docs/cli/release.md`).

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../privacy/tests/privacy/data/release/"
    ))
    .join(name)
}

fn medrec() -> Command {
    Command::cargo_bin("medrec").unwrap()
}

/// A copy of the fixture record in a temp dir (so byte-identity after the run can be checked).
fn setup() -> (tempfile::TempDir, PathBuf, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("record.json");
    let bytes = std::fs::read(fixture("record.json")).unwrap();
    std::fs::write(&record, &bytes).unwrap();
    (dir, record, bytes)
}

fn consent(dir: &Path, name: &str) -> PathBuf {
    let all: Value =
        serde_json::from_slice(&std::fs::read(fixture("consents.json")).unwrap()).unwrap();
    let path = dir.join(format!("{name}.json"));
    std::fs::write(&path, serde_json::to_vec(&all[name]).unwrap()).unwrap();
    path
}

fn json_line(out: &[u8]) -> Value {
    let text = String::from_utf8(out.to_vec()).unwrap();
    let line = text.lines().next().expect("one JSON line");
    serde_json::from_str(line).unwrap()
}

fn log_lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn treatment_release_writes_bundle_and_logs() {
    let (dir, record, before) = setup();
    let out = dir.path().join("out/released.json");
    let log = dir.path().join("disclosures.ndjson");
    let assert = medrec()
        .args([
            "release",
            "--purpose",
            "treatment",
            "--requester",
            "provider",
            "--patient",
            "p1",
        ])
        .args([
            "--recipient",
            "Dr. Who",
            "--on",
            "2025-06-01",
            "--format",
            "json",
        ])
        .arg("--out")
        .arg(&out)
        .arg("--log")
        .arg(&log)
        .arg(&record)
        .assert()
        .code(0);
    let v = json_line(&assert.get_output().stdout);
    assert_eq!(v["decision"], "permit");
    assert_eq!(v["basis"], "45 CFR 164.506(c)");
    assert_eq!(v["accounting_required"], false);
    assert_eq!(v["resources_released"], 14);
    assert!(v["reason"].as_str().unwrap().contains("treatment"));
    assert_eq!(v["withheld"].as_array().unwrap().len(), 6);
    assert_eq!(v["log_seq"], 1);
    let bundle: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(bundle["resourceType"], "Bundle");
    assert_eq!(bundle["entry"].as_array().unwrap().len(), 14);
    let text = serde_json::to_string(&bundle).unwrap();
    assert!(!text.contains("HIV disease") && !text.contains("cond-p2"));
    let logged = log_lines(&log);
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0]["entry"]["resourceType"], "AuditEvent");
    assert_eq!(logged[0]["entry"]["outcome"], "0");
    assert_eq!(std::fs::read(&record).unwrap(), before, "input modified");
    // No temporary files left next to the output.
    assert_eq!(std::fs::read_dir(out.parent().unwrap()).unwrap().count(), 1);
}

#[test]
fn refusal_exits_1_writes_nothing_and_is_logged() {
    let (dir, record, before) = setup();
    let out = dir.path().join("released.json");
    let log = dir.path().join("disclosures.ndjson");
    let assert = medrec()
        .args([
            "release",
            "--purpose",
            "other",
            "--requester",
            "employer",
            "--patient",
            "p1",
        ])
        .args(["--format", "json", "--on", "2025-06-01"])
        .arg("--out")
        .arg(&out)
        .arg("--log")
        .arg(&log)
        .arg(&record)
        .assert()
        .code(1);
    let v = json_line(&assert.get_output().stdout);
    assert_eq!(v["decision"], "deny");
    assert_eq!(v["basis"], "45 CFR 164.508(a)(1)");
    assert_eq!(v["resources_released"], 0);
    assert!(!out.exists());
    let logged = log_lines(&log);
    assert_eq!(logged[0]["entry"]["outcome"], "4");
    assert_eq!(std::fs::read(&record).unwrap(), before);
}

#[test]
fn authorization_file_is_checked() {
    let (dir, record, _) = setup();
    let auth = consent(dir.path(), "insurer");
    let ok = medrec()
        .args([
            "release",
            "--purpose",
            "other",
            "--requester",
            "other",
            "--patient",
            "p1",
        ])
        .args([
            "--recipient",
            "Acme Life Insurance",
            "--on",
            "2025-06-01",
            "--format",
            "json",
        ])
        .arg("--authorization")
        .arg(&auth)
        .arg(&record)
        .assert()
        .code(0);
    let v = json_line(&ok.get_output().stdout);
    assert_eq!(v["decision"], "permit-with-authorization");
    assert_eq!(v["resources_released"], 5);
    // Expired by the decision day.
    let expired = medrec()
        .args([
            "release",
            "--purpose",
            "other",
            "--requester",
            "other",
            "--patient",
            "p1",
        ])
        .args([
            "--recipient",
            "Acme Life Insurance",
            "--on",
            "2027-06-01",
            "--format",
            "json",
        ])
        .arg("--authorization")
        .arg(&auth)
        .arg(&record)
        .assert()
        .code(1);
    let v = json_line(&expired.get_output().stdout);
    assert_eq!(v["basis"], "45 CFR 164.508(b)(2)");
    assert!(
        v["authorization_problems"][0]
            .as_str()
            .unwrap()
            .contains("expired")
    );
}

#[test]
fn bad_authorization_files_are_usage_errors() {
    let (dir, record, _) = setup();
    let patient = dir.path().join("patient.json");
    std::fs::write(&patient, br#"{"resourceType":"Patient","id":"x"}"#).unwrap();
    let truncated = dir.path().join("truncated.json");
    std::fs::write(&truncated, br#"{"resourceType":"Consent","status":"act"#).unwrap();
    for (file, message) in [
        (patient, "expected a Consent"),
        (truncated.clone(), "truncated.json"),
        (dir.path().join("missing.json"), "missing.json"),
    ] {
        medrec()
            .args([
                "release",
                "--purpose",
                "marketing",
                "--requester",
                "other",
                "--patient",
                "p1",
            ])
            .arg("--authorization")
            .arg(&file)
            .arg(&record)
            .assert()
            .code(2)
            .stderr(predicates::str::contains(message));
    }
}

#[test]
fn bad_inputs_are_reported_and_the_rest_still_processed() {
    let (dir, record, before) = setup();
    let truncated = dir.path().join("truncated.json");
    std::fs::write(
        &truncated,
        br#"{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"#,
    )
    .unwrap();
    let garbage = dir.path().join("garbage.json");
    std::fs::write(&garbage, [0u8, 159, 146, 150, 255, 1, 2]).unwrap();
    let wrong = dir.path().join("wrong.json");
    std::fs::write(&wrong, br#"{"resourceType":42}"#).unwrap();
    let assert = medrec()
        .args([
            "release",
            "--purpose",
            "treatment",
            "--requester",
            "provider",
            "--patient",
            "p1",
        ])
        .args(["--format", "json"])
        .arg(&truncated)
        .arg(&garbage)
        .arg(&wrong)
        .arg(dir.path().join("nope.json"))
        .arg(&record)
        .assert()
        .code(2);
    let out = assert.get_output();
    let stderr = String::from_utf8_lossy(&out.stderr);
    for name in ["truncated.json", "garbage.json", "wrong.json", "nope.json"] {
        assert!(stderr.contains(name), "no error for {name}: {stderr}");
    }
    assert!(stderr.lines().all(|l| l.starts_with("medrec: ")));
    // The good file was still released from.
    let v = json_line(&out.stdout);
    assert_eq!(v["resources_released"], 14);
    assert_eq!(std::fs::read(&record).unwrap(), before);
}

#[test]
fn usage_errors() {
    let (_dir, record, _) = setup();
    medrec()
        .args([
            "release",
            "--purpose",
            "fishing",
            "--requester",
            "provider",
            "--patient",
            "p1",
        ])
        .arg(&record)
        .assert()
        .code(2);
    medrec()
        .args([
            "release",
            "--purpose",
            "research",
            "--requester",
            "researcher",
            "--patient",
            "p1",
        ])
        .args(["--waiver", "IRB without a date"])
        .arg(&record)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("waiver"));
    medrec()
        .args(["release", "--requester", "provider", "--patient", "p1"])
        .arg(&record)
        .assert()
        .code(2);
}

#[test]
fn unknown_patient_releases_nothing() {
    let (dir, record, _) = setup();
    let out = dir.path().join("released.json");
    medrec()
        .args([
            "release",
            "--purpose",
            "treatment",
            "--requester",
            "provider",
            "--patient",
            "nobody",
        ])
        .arg("--out")
        .arg(&out)
        .arg(&record)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("not found"));
    assert!(!out.exists());
}

#[test]
fn research_waiver_is_accounted_and_accounting_lists_it() {
    let (dir, record, _) = setup();
    let log = dir.path().join("disclosures.ndjson");
    let out = dir.path().join("released.json");
    let assert = medrec()
        .args([
            "release",
            "--purpose",
            "research",
            "--requester",
            "researcher",
            "--patient",
            "p1",
        ])
        .args([
            "--waiver",
            "Mercy IRB,2025-01-15",
            "--on",
            "2025-06-01",
            "--format",
            "json",
        ])
        .args([
            "--recipient",
            "Dr. Curie",
            "--recipient-address",
            "1 Lab Way, Boston",
        ])
        .arg("--out")
        .arg(&out)
        .arg("--log")
        .arg(&log)
        .arg(&record)
        .assert()
        .code(0);
    let v = json_line(&assert.get_output().stdout);
    assert_eq!(v["basis"], "45 CFR 164.512(i)(1)(i)");
    assert_eq!(v["accounting_required"], true);
    let acc = medrec()
        .args([
            "release",
            "accounting",
            "--patient",
            "p1",
            "--format",
            "json",
        ])
        .arg("--log")
        .arg(&log)
        .assert()
        .code(0);
    let e = json_line(&acc.get_output().stdout);
    assert_eq!(e["recipient"], "Dr. Curie");
    assert_eq!(e["address"], "1 Lab Way, Boston");
    assert_eq!(e["purpose"], "research");
    assert_eq!(e["basis"], "45 CFR 164.512(i)(1)(i)");
    // A treatment disclosure is not accounted.
    medrec()
        .args([
            "release",
            "--purpose",
            "treatment",
            "--requester",
            "provider",
            "--patient",
            "p1",
        ])
        .arg("--out")
        .arg(dir.path().join("t.json"))
        .arg("--log")
        .arg(&log)
        .arg(&record)
        .assert()
        .code(0);
    let acc = medrec()
        .args([
            "release",
            "accounting",
            "--patient",
            "p1",
            "--format",
            "json",
        ])
        .arg("--log")
        .arg(&log)
        .assert()
        .code(0);
    assert_eq!(
        String::from_utf8_lossy(&acc.get_output().stdout)
            .lines()
            .count(),
        1
    );
}

#[test]
fn de_identified_release_runs_safe_harbor() {
    let (dir, record, _) = setup();
    let out = dir.path().join("released.json");
    let assert = medrec()
        .args([
            "release",
            "--purpose",
            "research",
            "--requester",
            "researcher",
            "--patient",
            "p1",
        ])
        .args(["--format", "json"])
        .arg("--out")
        .arg(&out)
        .arg(&record)
        .assert()
        .code(0);
    let v = json_line(&assert.get_output().stdout);
    assert_eq!(v["decision"], "de-identified");
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(!text.contains("1970-04-02"), "full birth date released");
    assert!(!text.contains("MRN-1001"));
}

#[test]
fn verify_log_detects_tampering() {
    let (dir, record, _) = setup();
    let log = dir.path().join("disclosures.ndjson");
    for purpose in ["public-health", "public-health"] {
        medrec()
            .args([
                "release",
                "--purpose",
                purpose,
                "--requester",
                "public-health-authority",
                "--patient",
                "p1",
            ])
            .arg("--out")
            .arg(dir.path().join("o.json"))
            .arg("--log")
            .arg(&log)
            .arg(&record)
            .assert()
            .code(0);
    }
    let ok = medrec()
        .args(["release", "verify-log", "--format", "json", "--log"])
        .arg(&log)
        .assert()
        .code(0);
    let v = json_line(&ok.get_output().stdout);
    assert_eq!(v["entries"], 2);
    let text = std::fs::read_to_string(&log).unwrap();
    std::fs::write(&log, text.replacen("public-health", "treatment", 1)).unwrap();
    medrec()
        .args(["release", "verify-log", "--log"])
        .arg(&log)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("does not verify"));
    medrec()
        .args(["release", "accounting", "--patient", "p1", "--log"])
        .arg(&log)
        .assert()
        .code(2);
}

#[test]
fn synthea_bundle_from_shared_data() {
    let data = std::env::var_os("MEDREC_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"))
        });
    let file = data
        .join("synthea/r4-bundles-plain/Alberto_Atencio_fc712d1f-5a2e-4407-9c55-a2a2bad623c2.json");
    if !file.exists() {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("shared data missing at {} (CI=true)", file.display());
        }
        eprintln!("note: {} missing; skipping", file.display());
        return;
    }
    let before = std::fs::read(&file).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("released.json");
    let assert = medrec()
        .args(["release", "--purpose", "payment", "--requester", "payer"])
        .args([
            "--patient",
            "4e8ed886-fd5f-40bb-8feb-f339b04d853a",
            "--format",
            "json",
        ])
        .arg("--out")
        .arg(&out)
        .arg(&file)
        .assert()
        .code(0);
    let v = json_line(&assert.get_output().stdout);
    assert_eq!(v["decision"], "permit");
    let n = v["resources_released"].as_u64().unwrap();
    assert!(n > 10, "{n}");
    let bundle: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    for e in bundle["entry"].as_array().unwrap() {
        let ty = e["resource"]["resourceType"].as_str().unwrap();
        assert!(
            [
                "Patient",
                "Coverage",
                "Claim",
                "ExplanationOfBenefit",
                "Encounter",
                "Condition",
                "Procedure",
                "MedicationRequest",
                "Organization",
                "Practitioner"
            ]
            .contains(&ty),
            "{ty} released for payment"
        );
        if ty == "Patient" {
            assert!(e["resource"].get("telecom").is_none());
        }
    }
    assert_eq!(std::fs::read(&file).unwrap(), before);
}
