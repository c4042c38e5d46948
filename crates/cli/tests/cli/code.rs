//! Integration tests of `medrec code` (lookup, search, classify).

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn medrec() -> Command {
    Command::cargo_bin("medrec").unwrap()
}

fn json_lines(out: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

#[test]
fn lookup_shows_title_hierarchy_and_status() {
    medrec()
        .args(["code", "lookup", "e11.9"])
        .assert()
        .success()
        .stdout(predicate::str::contains("E11.9"))
        .stdout(predicate::str::contains(
            "Type 2 diabetes mellitus without complications",
        ))
        .stdout(predicate::str::contains("chapter 4 (E00-E89)"))
        .stdout(predicate::str::contains("block E08-E13: Diabetes mellitus"))
        .stdout(predicate::str::contains("parent E11"));
}

#[test]
fn lookup_json_fields() {
    let out = medrec()
        .args([
            "code", "lookup", "--format", "json", "T36.0X1A", "T36.0X1", "E119",
        ])
        .assert()
        .code(1) // T36.0X1 lacks its 7th character
        .get_output()
        .stdout
        .clone();
    let v = json_lines(&out);
    assert_eq!(v.len(), 3);
    assert_eq!(v[0]["code"], "T36.0X1A");
    assert_eq!(v[0]["valid"], true);
    assert_eq!(v[0]["billable"], true);
    assert_eq!(v[0]["seventh_character"], "initial encounter");
    assert_eq!(v[0]["chapter"], 19);
    assert_eq!(v[0]["block"], "T36-T50");
    assert_eq!(v[0]["parent"], "T36.0X1");
    assert_eq!(v[1]["status"], "missing_seventh_character");
    assert_eq!(v[1]["valid"], false);
    assert_eq!(v[1]["children"].as_array().unwrap().len(), 3);
    assert_eq!(v[2]["code"], "E11.9");
    assert!(
        v[2]["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "use_additional_code")
    );
}

#[test]
fn lookup_decodes_pcs_codes() {
    let out = medrec()
        .args(["code", "lookup", "--format", "json", "0DTJ4ZZ"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v = &json_lines(&out)[0];
    assert_eq!(v["system"], "icd10pcs");
    assert_eq!(
        v["title"],
        "Resection of Appendix, Percutaneous Endoscopic Approach"
    );
    let axes = v["axes"].as_array().unwrap();
    assert_eq!(axes.len(), 7);
    assert_eq!(axes[2]["title"], "Resection");
    assert_eq!(axes[3]["title"], "Appendix");
}

#[test]
fn lookup_of_unknown_and_malformed_codes_exits_1() {
    medrec()
        .args(["code", "lookup", "Z99.99", "E1-1"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("not in this release"))
        .stdout(predicate::str::contains("malformed"));
}

#[test]
fn search_ranks_by_words() {
    let out = medrec()
        .args([
            "code", "search", "--format", "json", "--limit", "5", "acute", "kidney", "failure",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v = json_lines(&out);
    assert!(!v.is_empty() && v.len() <= 5);
    assert_eq!(v[0]["code"], "N17");
    assert!(v.iter().any(|h| h["code"] == "N17.9"));
    medrec()
        .args([
            "code",
            "search",
            "type 2 diabetes with neuropathy",
            "--limit",
            "5",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("E11.40"));
    medrec()
        .args(["code", "search", "qqqqzzzz"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no code title matches"));
}

#[test]
fn classify_reads_a_file_and_leaves_it_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("codes.txt");
    let input = "E11.9\ne119\n N17.9 \nS30.1XXA\nT36.0X1\nnot a code\n\nI10\n";
    std::fs::write(&path, input).unwrap();
    let out = medrec()
        .args(["code", "classify", "--format", "json"])
        .arg(&path)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        input,
        "input untouched"
    );
    let v = json_lines(&out);
    assert_eq!(v.len(), 7, "blank lines are skipped");
    for field in [
        "input", "code", "valid", "billable", "title", "chapter", "block", "ccsr",
    ] {
        assert!(v.iter().all(|r| r.get(field).is_some()), "field {field}");
    }
    assert_eq!(v[0]["code"], "E11.9");
    assert_eq!(v[1]["code"], "E11.9");
    assert_eq!(v[2]["input"], " N17.9 ");
    assert_eq!(v[2]["chapter"], 14);
    assert_eq!(v[3]["valid"], false, "S30.1XXA was removed in FY2026");
    assert_eq!(v[4]["status"], "missing_seventh_character");
    assert_eq!(v[5]["status"], "malformed");
    assert_eq!(v[5]["code"], Value::Null);
    assert_eq!(v[6]["title"], "Essential (primary) hypertension");
    assert!(v[0]["ccsr"].is_array());
}

#[test]
fn classify_stdin_csv_and_stats() {
    let out = medrec()
        .args(["code", "classify", "--format", "csv", "--stats", "-"])
        .write_stdin("E11.9\nI10\n")
        .assert()
        .success()
        .stderr(predicate::str::contains("classified 2 codes"))
        .stderr(predicate::str::contains("codes/s"))
        .get_output()
        .stdout
        .clone();
    let mut r = csv::Reader::from_reader(&out[..]);
    let headers = r.headers().unwrap().clone();
    assert_eq!(&headers[0], "input");
    assert_eq!(&headers[7], "ccsr");
    let rows: Vec<_> = r.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[0][1], "E11.9");
    assert_eq!(&rows[0][3], "true");
}

#[test]
fn classify_binary_garbage_is_reported_per_line_not_fatal() {
    let mut bytes = vec![0xff, 0xfe, 0x00, b'\n'];
    bytes.extend_from_slice(b"E11.9\n");
    let out = medrec()
        .args(["code", "classify", "--format", "json"])
        .write_stdin(bytes)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v = json_lines(&out);
    assert_eq!(v.len(), 2);
    assert_eq!(v[0]["status"], "malformed");
    assert_eq!(v[1]["billable"], true);
}

#[test]
fn classify_missing_file_exits_2() {
    medrec()
        .args(["code", "classify", "/nonexistent/codes.txt"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/nonexistent/codes.txt"));
}

#[test]
fn classify_with_a_bad_order_file_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("order.txt");
    std::fs::write(&path, "garbage\n").unwrap();
    medrec()
        .args(["code", "classify", "--order-file"])
        .arg(&path)
        .write_stdin("E11.9\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("order.txt:1"));
}

#[test]
fn classify_with_a_runtime_order_file() {
    let Some(dir) = std::env::var_os("MEDREC_DATA")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            Some(std::path::PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/data"
            )))
        })
        .filter(|d| d.join("icd10cm").is_dir())
    else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("real data missing (set MEDREC_DATA)");
        }
        eprintln!("note: real data missing; skipping");
        return;
    };
    let out = medrec()
        .args([
            "code",
            "classify",
            "--format",
            "json",
            "--fiscal-year",
            "2025",
            "--order-file",
        ])
        .arg(dir.join("icd10cm/icd10cm_order_2025.txt"))
        .write_stdin("S30.1XXA\n")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v = json_lines(&out);
    assert_eq!(v[0]["billable"], true, "valid in FY2025");
}
