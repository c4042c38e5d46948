//! Integration tests of `medrec validate`.

use assert_cmd::Command;
use std::io::Write;
use std::path::Path;

const GOOD: &str = r#"{"resourceType":"Encounter","id":"e1","status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"IMP"},"length":{"value":2.50,"unit":"d","system":"http://unitsofmeasure.org","code":"d"}}"#;
const BAD_STATUS: &str =
    r#"{"resourceType":"Encounter","id":"e2","status":"done","class":{"code":"IMP"}}"#;

fn medrec() -> Command {
    Command::cargo_bin("medrec").unwrap()
}

fn write(dir: &Path, name: &str, text: &[u8]) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn json_lines(out: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn valid_file_exits_zero_and_prints_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "good.json", GOOD.as_bytes());
    let out = medrec().arg("validate").arg(&p).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 resource(s), 0 error(s)"));
}

#[test]
fn problems_are_reported_with_file_path_and_exit_one() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "bad.json", BAD_STATUS.as_bytes());
    let out = medrec()
        .args(["validate", "--format", "json"])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let lines = json_lines(&out.stdout);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["file"], p.display().to_string());
    assert_eq!(lines[0]["severity"], "error");
    assert_eq!(lines[0]["kind"], "code");
    assert_eq!(lines[0]["path"], "Encounter.status");
    assert_eq!(lines[0]["resource"], "Encounter/e2");
    // Text format: FILE: severity [Resource]: PATH: message.
    let out = medrec().arg("validate").arg(&p).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with(&format!(
            "{}: error [Encounter/e2]: Encounter.status: code `done`",
            p.display()
        )),
        "{text}"
    );
}

#[test]
fn truncated_garbage_and_wrong_types_are_problems_with_positions() {
    let dir = tempfile::tempdir().unwrap();
    let truncated = write(dir.path(), "a_truncated.json", &GOOD.as_bytes()[..60]);
    let garbage = write(dir.path(), "b_garbage.json", b"\x00\xffnot json at all");
    let wrong = write(
        dir.path(),
        "c_wrong.json",
        br#"{"resourceType":"Patient","gender":["male"]}"#,
    );
    let not_resource = write(dir.path(), "d_array.json", b"[1,2,3]");
    let out = medrec()
        .args(["validate", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let lines = json_lines(&out.stdout);
    assert_eq!(lines.len(), 4, "{lines:?}");
    let files: Vec<&str> = lines.iter().map(|l| l["file"].as_str().unwrap()).collect();
    for (l, p) in lines
        .iter()
        .zip([&truncated, &garbage, &wrong, &not_resource])
    {
        assert_eq!(l["file"], p.display().to_string(), "{files:?}");
        assert_eq!(l["kind"], "structure");
        assert!(l["line"].as_u64().unwrap() >= 1);
    }
    assert_eq!(lines[2]["path"], "$.gender");
}

#[test]
fn ndjson_bad_lines_are_reported_by_line_and_the_rest_still_checked() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("{GOOD}\n{{\"resourceType\":\"Encounter\",\n\n{BAD_STATUS}\n");
    let p = write(dir.path(), "stream.ndjson", text.as_bytes());
    let out = medrec()
        .args(["validate", "--format", "json"])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let lines = json_lines(&out.stdout);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(
        (lines[0]["line"].as_u64(), lines[0]["kind"].as_str()),
        (Some(2), Some("structure"))
    );
    assert_eq!(
        (lines[1]["line"].as_u64(), lines[1]["path"].as_str()),
        (Some(4), Some("Encounter.status"))
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("2 resource(s)"));
}

#[test]
fn gzip_stdin_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(BAD_STATUS.as_bytes()).unwrap();
    let p = write(dir.path(), "bad.json.gz", &gz.finish().unwrap());
    let out = medrec()
        .args(["validate", "--format", "csv"])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        rows.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "file", "line", "column", "severity", "kind", "resource", "path", "message"
        ]
    );
    let recs: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    assert_eq!(recs.len(), 1);
    assert_eq!(&recs[0][6], "Encounter.status");
    // Standard input, as NDJSON.
    let out = medrec()
        .args(["validate", "-"])
        .write_stdin(format!("{GOOD}\n{GOOD}\n"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("2 resource(s)"));
    let out = medrec()
        .args(["validate", "-"])
        .write_stdin(BAD_STATUS)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("<stdin>: error"));
}

#[test]
fn unreadable_input_exits_two_but_the_others_are_still_checked() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write(dir.path(), "bad.json", BAD_STATUS.as_bytes());
    let missing = dir.path().join("missing.json");
    let out = medrec()
        .args(["validate", "--format", "json"])
        .arg(&missing)
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(json_lines(&out.stdout).len(), 1);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("medrec: ") && err.contains("missing.json"),
        "{err}"
    );
    // No argument at all is a usage error.
    assert_eq!(
        medrec().arg("validate").output().unwrap().status.code(),
        Some(2)
    );
}

#[test]
fn inputs_are_left_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "bad.json", BAD_STATUS.as_bytes());
    let q = write(dir.path(), "good.ndjson", format!("{GOOD}\n").as_bytes());
    medrec().arg("validate").arg(dir.path()).output().unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), BAD_STATUS.as_bytes());
    assert_eq!(std::fs::read(&q).unwrap(), format!("{GOOD}\n").as_bytes());
}

#[test]
fn warnings_do_not_change_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    // A RESTful fullUrl that does not match the resource's id is a warning.
    let bundle = r#"{"resourceType":"Bundle","type":"collection","entry":[{"fullUrl":"http://x.org/fhir/Patient/1","resource":{"resourceType":"Patient","id":"2"}}]}"#;
    let p = write(dir.path(), "b.json", bundle.as_bytes());
    let out = medrec()
        .args(["validate", "--format", "json"])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let lines = json_lines(&out.stdout);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["severity"], "warning");
    let out = medrec()
        .args(["validate", "--no-warnings"])
        .arg(&p)
        .output()
        .unwrap();
    assert!(out.stdout.is_empty());
}
