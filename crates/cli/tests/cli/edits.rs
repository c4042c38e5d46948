//! Integration tests of `medrec code edits`.

use assert_cmd::Command;
use predicates::prelude::*;

fn medrec() -> Command {
    Command::cargo_bin("medrec").unwrap()
}

const STAYS: &str = r#"{"id":"s1","age":40,"sex":"M","principal":{"code":"O80","poa":"Y"},"secondary":[{"code":"Z37.0","poa":"Y"}],"procedures":["0UT90ZZ"]}
{"id":"s2","age":67,"sex":"F","discharge_date":"2026-05-01","principal":{"code":"I21.4","poa":"Y"},"secondary":[{"code":"I10","poa":"Y"}]}
"#;

#[test]
fn json_edits_per_stay() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stays.ndjson");
    std::fs::write(&path, STAYS).unwrap();
    let out = medrec()
        // I21.4's "use additional code" note is informational; this test is about the errors.
        .args([
            "code",
            "edits",
            "--format",
            "json",
            "--no-use-additional-code",
        ])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let edits: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        edits.iter().all(|e| e["stay"] == "s1"),
        "the clean stay has no edits: {edits:?}"
    );
    let ids: Vec<&str> = edits.iter().map(|e| e["edit"].as_str().unwrap()).collect();
    assert!(
        ids.contains(&"sex_conflict_dx") && ids.contains(&"sex_conflict_proc"),
        "{ids:?}"
    );
    for e in &edits {
        for k in ["input", "line", "edit", "severity", "message", "source"] {
            assert!(!e[k].is_null(), "{k} missing in {e}");
        }
    }
    assert_eq!(std::fs::read_to_string(&path).unwrap(), STAYS);
}

#[test]
fn clean_stays_exit_0_and_text_csv_formats() {
    let clean = r#"{"age":67,"sex":"F","principal":{"code":"I21.4","poa":"Y"},"secondary":[{"code":"I10","poa":"Y"}]}"#;
    medrec()
        .args(["code", "edits", "--no-use-additional-code", "-"])
        .write_stdin(clean)
        .assert()
        .success()
        .stdout("");
    // Informational edits alone do not make the exit code 1.
    medrec()
        .args(["code", "edits", "-"])
        .write_stdin(clean)
        .assert()
        .success();
    medrec()
        .args(["code", "edits", "--format", "csv", "-"])
        .write_stdin(STAYS)
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with("input,line,stay,edit,severity"))
        .stdout(predicate::str::contains("s1,sex_conflict_dx,error"));
    medrec()
        .args(["code", "edits", "-"])
        .write_stdin(STAYS)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("s1: error sex_conflict_dx O80"));
}

#[test]
fn bad_lines_are_reported_and_the_rest_processed() {
    let input = format!(
        "{{\"age\": 4\n[1,2]\n{{\"resourceType\":\"Patient\"}}\n\u{1}\u{2}garbage\n{}",
        STAYS
    );
    let out = medrec()
        .args(["code", "edits", "--format", "json", "-"])
        .write_stdin(input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    for l in ["<stdin>:1", "<stdin>:2", "<stdin>:3", "<stdin>:4"] {
        assert!(err.contains(l), "{l} not reported: {err}");
    }
    assert!(String::from_utf8_lossy(&out.stdout).contains("sex_conflict_dx"));
}

#[test]
fn missing_file_and_bad_mce_tables() {
    medrec()
        .args(["code", "edits", "/nonexistent/stays.ndjson"])
        .assert()
        .code(2);
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("mce.txt");
    std::fs::write(&t, "sex_male N40\nbogus_list E11\n").unwrap();
    medrec()
        .args(["code", "edits", "--mce-tables"])
        .arg(&t)
        .arg("-")
        .write_stdin(STAYS)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("mce.txt:2"));
    std::fs::write(&t, "sex_female O00-O9A\nproc_sex_female 0U\n").unwrap();
    medrec()
        .args(["code", "edits", "--format", "json", "--mce-tables"])
        .arg(&t)
        .arg("-")
        .write_stdin(STAYS)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("loaded from mce.txt"));
}
