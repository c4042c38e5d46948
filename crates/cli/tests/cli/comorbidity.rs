//! Integration tests of `medrec code comorbidity`.

use assert_cmd::Command;
use predicates::prelude::*;

const CSV: &str = "patient_id,code,poa\np1,I21.4,Y\np1,I50.22,Y\np1,E11.22,Y\np1,E11.9,Y\np1,N18.4,Y\np1,I10,Y\np2,C18.9,Y\np2,C78.7,Y\np2,K76.6,N\np2,K70.30,Y\np2,F32.9,N\n";

fn medrec() -> Command {
    Command::cargo_bin("medrec").unwrap()
}

#[test]
fn json_per_patient_with_the_contract_fields() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stays.csv");
    std::fs::write(&path, CSV).unwrap();
    let out = medrec()
        .args(["code", "comorbidity", "--format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    let p1 = &lines[0];
    assert_eq!(p1["patient_id"], "p1");
    assert_eq!(
        p1["elixhauser"],
        serde_json::json!(["DIAB_CX", "HF", "HTN_UNCX", "RENLFL_SEV"])
    );
    assert_eq!(p1["elixhauser_mortality"], 19);
    assert_eq!(p1["elixhauser_readmission"], 19);
    assert_eq!(
        p1["charlson"],
        serde_json::json!(["ami", "chf", "diabwc", "rend"])
    );
    assert_eq!(p1["charlson_score"], 6);
    assert_eq!(p1["charlson_score_quan2011"], 4);
    assert_eq!(
        lines[1]["elixhauser"],
        serde_json::json!(["CANCER_METS", "DEPRESS", "LIVER_MLD"])
    );
    assert_eq!(lines[1]["charlson_score_quan2011"], 10);
    // The input is untouched.
    assert_eq!(std::fs::read_to_string(&path).unwrap(), CSV);
}

#[test]
fn csv_and_text_formats_and_atomic_out_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stays.csv");
    std::fs::write(&path, CSV).unwrap();
    let out_file = dir.path().join("out/scores.csv");
    medrec()
        .args(["code", "comorbidity", "--format", "csv", "-o"])
        .arg(&out_file)
        .arg(&path)
        .assert()
        .success();
    let text = std::fs::read_to_string(&out_file).unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(&rdr.headers().unwrap()[0], "patient_id");
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(&rows[0][1], "DIAB_CX;HF;HTN_UNCX;RENLFL_SEV");
    assert_eq!(&rows[1][0], "p2");
    medrec()
        .args(["code", "comorbidity"])
        .arg(&path)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "p1: Elixhauser [DIAB_CX HF HTN_UNCX RENLFL_SEV] mortality 19",
        ));
}

#[test]
fn stdin_and_poa_rule() {
    // Without a poa column, POA is ignored by default: HF counts.
    medrec()
        .args(["code", "comorbidity", "--format", "json", "-"])
        .write_stdin("patient_id,code\np1,I21.4\np1,I50.22\n")
        .assert()
        .success()
        .stdout(predicate::str::contains("\"HF\""));
    // With --poa ahrq and no indicator, HF (POA-dependent) does not count.
    medrec()
        .args([
            "code",
            "comorbidity",
            "--format",
            "json",
            "--poa",
            "ahrq",
            "-",
        ])
        .write_stdin("patient_id,code\np1,I21.4\np1,I50.22\n")
        .assert()
        .success()
        .stdout(predicate::str::contains("\"elixhauser\":[]"));
}

#[test]
fn bad_rows_are_reported_and_skipped_with_exit_1() {
    let out = medrec()
        .args(["code", "comorbidity", "--format", "json", "-"])
        .write_stdin(
            "patient_id,code,poa\np1,I21.4,Y\np1,garbage!,Y\np1,I50.22,Q\np2,I10,Y\np1,I50.22,Y\n",
        )
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("<stdin>:3: line 3"), "{err}");
    assert!(
        err.contains("line 4") && err.contains("line 6") && err.contains("not contiguous"),
        "{err}"
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 2);
}

#[test]
fn unreadable_file_bad_header_and_binary_garbage() {
    medrec()
        .args(["code", "comorbidity", "/nonexistent/file.csv"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/nonexistent/file.csv"));
    medrec()
        .args(["code", "comorbidity", "-"])
        .write_stdin("id,dx\n1,I10\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("patient_id"));
    medrec()
        .args(["code", "comorbidity", "-"])
        .write_stdin(vec![0xffu8, 0x00, 0x13, b'\n', 0x80, b',', b'"'])
        .assert()
        .code(2);
    let dir = tempfile::tempdir().unwrap();
    let exempt = dir.path().join("exempt.txt");
    std::fs::write(&exempt, "Z37\n%%%\n").unwrap();
    medrec()
        .args(["code", "comorbidity", "--poa-exempt"])
        .arg(&exempt)
        .arg("-")
        .write_stdin(CSV)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(":2"));
}
