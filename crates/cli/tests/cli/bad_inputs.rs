//! One folder of mixed inputs through every subcommand that reads FHIR files: a good Synthea
//! bundle beside a truncated file, binary garbage, a resource type R4 does not define and a file
//! that cannot be opened (a dangling symlink: readable-permission tricks do not work as root).
//! Each bad file gets one error line naming it, the good file is still processed, the exit code
//! is 2 (an I/O error outranks problems found), and no input changes (brief: "a bad file never
//! stops the others").

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const PATIENT: &str = "fc712d1f-5a2e-4407-9c55-a2a2bad623c2";

fn good_bundle() -> Option<PathBuf> {
    let root = std::env::var_os("MEDREC_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"))
        });
    let p = root.join(format!(
        "synthea/r4-bundles-plain/Alberto_Atencio_{PATIENT}.json"
    ));
    if p.is_file() {
        return Some(p);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("shared data missing at {}", root.display());
    }
    eprintln!("note: shared data missing; skipping");
    None
}

/// The fixture folder; returns it with a snapshot of its bytes.
fn fixture(dir: &Path) -> Option<BTreeMap<String, Vec<u8>>> {
    let good = good_bundle()?;
    let bytes = std::fs::read(good).unwrap();
    std::fs::write(dir.join("good.json"), &bytes).unwrap();
    std::fs::write(dir.join("truncated.json"), &bytes[..5000]).unwrap();
    let garbage: Vec<u8> = (0..3000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(dir.join("garbage.json"), garbage).unwrap();
    std::fs::write(
        dir.join("wrong-type.json"),
        br#"{"resourceType":"Banana","id":"b1"}"#,
    )
    .unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink("/nonexistent/medrec/file.json", dir.join("dangling.json")).unwrap();
    Some(snapshot(dir))
}

fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect()
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str], dir: &Path) -> Run {
    let out = Command::cargo_bin("medrec")
        .unwrap()
        .args(args)
        .arg(dir)
        .output()
        .unwrap();
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Every bad file is named on stderr, on a `medrec: PATH: …` line.
fn names_bad_files(r: &Run, files: &[&str]) {
    for f in files {
        assert!(
            r.stderr
                .lines()
                .any(|l| l.starts_with("medrec: ") && l.contains(f)),
            "no error line for {f}:\n{}",
            r.stderr
        );
    }
}

fn check(args: &[&str], bad: &[&str], good_was_read: impl Fn(&Run) -> bool) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    std::fs::create_dir(&dir).unwrap();
    let Some(before) = fixture(&dir) else { return };
    let r = run(args, &dir);
    assert_eq!(r.code, Some(2), "{args:?}\nstderr: {}", r.stderr);
    names_bad_files(&r, bad);
    assert!(
        good_was_read(&r),
        "{args:?}: the good bundle was not processed\nstdout: {}\nstderr: {}",
        r.stdout,
        r.stderr
    );
    assert_eq!(snapshot(&dir), before, "{args:?} changed its inputs");
}

const ALWAYS_BAD: [&str; 3] = ["truncated.json", "garbage.json", "dangling.json"];

#[test]
fn validate_reports_each_bad_file_and_validates_the_rest() {
    let mut bad = ALWAYS_BAD.to_vec();
    bad.push("wrong-type.json");
    // validate writes its findings on stdout and its I/O errors on stderr.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    std::fs::create_dir(&dir).unwrap();
    let Some(before) = fixture(&dir) else { return };
    let r = run(&["validate"], &dir);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    names_bad_files(&r, &["dangling.json"]);
    for f in ["truncated.json", "garbage.json", "wrong-type.json"] {
        assert!(
            r.stdout
                .lines()
                .any(|l| l.contains(f) && l.contains("error")),
            "no finding for {f}:\n{}",
            r.stdout
        );
    }
    assert!(
        !r.stdout.contains("good.json"),
        "false alarm on the good bundle:\n{}",
        r.stdout
    );
    assert!(r.stderr.contains("5 file(s)"), "{}", r.stderr);
    assert_eq!(snapshot(&dir), before);
}

#[test]
fn review_reports_each_bad_file_and_reviews_the_rest() {
    let mut bad = ALWAYS_BAD.to_vec();
    bad.push("wrong-type.json");
    // Text mode ends with a summary; the good bundle's six encounters are counted (the
    // wrong-type file is a record without an encounter).
    check(&["review"], &bad, |r| {
        r.stdout.contains("6 encounter(s) reviewed")
    });
}

#[test]
fn stats_reports_each_bad_file_and_counts_the_rest() {
    let mut bad = ALWAYS_BAD.to_vec();
    bad.push("wrong-type.json");
    check(
        &["stats", "--from", "1900-01-01", "--to", "2030-12-31"],
        &bad,
        |r| !r.stdout.trim().is_empty(),
    );
}

#[test]
fn deid_reports_each_bad_file_and_deidentifies_the_rest() {
    let tmp = tempfile::tempdir().unwrap();
    let key = tmp.path().join("key");
    std::fs::write(&key, [7u8; 32]).unwrap();
    let out = tmp.path().join("out");
    let (k, o) = (key.to_str().unwrap(), out.to_str().unwrap());
    let mut bad = ALWAYS_BAD.to_vec();
    bad.push("wrong-type.json");
    check(&["deid", "--key-file", k, "--out", o], &bad, |_| {
        out.join("good.json").is_file()
    });
    assert!(!out.join("truncated.json").exists());
}

#[test]
fn release_reports_each_bad_file_and_releases_from_the_rest() {
    check(
        &[
            "release",
            "--format",
            "json",
            "--purpose",
            "treatment",
            "--requester",
            "provider",
            "--patient",
            PATIENT,
        ],
        &ALWAYS_BAD,
        |r| r.stdout.contains("\"decision\""),
    );
}
