//! Integration tests of `medrec synth`.

use assert_cmd::Command;
use predicates::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;

fn medrec() -> Command {
    Command::cargo_bin("medrec").unwrap()
}

fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
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

#[test]
fn writes_ndjson_and_truth_deterministically() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    for out in [&a, &b] {
        medrec()
            .args([
                "synth",
                "--patients",
                "30",
                "--seed",
                "7",
                "--from",
                "2025-03-01",
                "--to",
                "2025-04-01",
                "--out",
            ])
            .arg(out)
            .assert()
            .success()
            .stdout(predicate::str::contains("patients"));
    }
    let (ta, tb) = (tree(&a), tree(&b));
    assert_eq!(ta, tb, "same seed, same bytes");
    for f in [
        "Patient.ndjson",
        "Encounter.ndjson",
        "Claim.ndjson",
        "truth/summary.json",
        "truth/census_daily.ndjson",
        "truth/phi.ndjson",
        "truth/deficiencies.ndjson",
        "truth/config.toml",
    ] {
        assert!(ta.contains_key(f), "{f} missing");
    }
    let patients = String::from_utf8(ta["Patient.ndjson"].clone()).unwrap();
    assert!(patients.lines().count() >= 30);
    // The records validate with medrec itself when `medrec validate` is available.
    let c = tmp.path().join("c");
    medrec()
        .args(["synth", "--patients", "30", "--seed", "8", "--out"])
        .arg(&c)
        .assert()
        .success();
    assert_ne!(tree(&c)["Patient.ndjson"], ta["Patient.ndjson"]);
}

#[test]
fn bundle_layout_and_json_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let assert = medrec()
        .args([
            "synth",
            "--patients",
            "5",
            "--seed",
            "1",
            "--layout",
            "bundle",
            "--format",
            "json",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(v["layout"], "bundle");
    assert!(v["patients"].as_u64().unwrap() >= 5);
    assert!(v["resources"]["Patient"].as_u64().unwrap() >= 5);
    assert!(out.join("bundles/facilities.json").is_file());
    assert!(out.join("bundles/pat-0.json").is_file());
}

#[test]
fn refuses_non_empty_output_and_leaves_it_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("keep.json");
    std::fs::write(&file, b"{\"resourceType\":\"Patient\"}").unwrap();
    let before = tree(tmp.path());
    medrec()
        .args(["synth", "--patients", "3", "--out"])
        .arg(tmp.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not empty"));
    assert_eq!(tree(tmp.path()), before);
}

#[test]
fn bad_arguments_and_configurations_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    medrec()
        .args(["synth", "--from", "2025-13-01", "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--from"));
    medrec()
        .args([
            "synth",
            "--from",
            "2025-05-01",
            "--to",
            "2025-04-01",
            "--out",
        ])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("after"));
    medrec()
        .args(["synth", "--patients", "lots", "--out"])
        .arg(&out)
        .assert()
        .code(2);
    let garbage = tmp.path().join("synth.toml");
    std::fs::write(&garbage, b"\x00\x01 not toml [[").unwrap();
    let before = std::fs::read(&garbage).unwrap();
    medrec()
        .args(["synth", "--config"])
        .arg(&garbage)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("synth.toml"));
    assert_eq!(std::fs::read(&garbage).unwrap(), before, "input untouched");
    medrec()
        .args(["synth", "--config", "/nonexistent/synth.toml", "--out"])
        .arg(&out)
        .assert()
        .code(2);
    assert!(!out.exists(), "nothing written on error");
}

#[test]
fn configuration_file_is_used_and_flags_override_it() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tmp.path().join("pop.toml");
    std::fs::write(&cfg, "seed = 3\npatients = 4\nfrom = \"2025-06-01\"\nto = \"2025-06-08\"\n[stays]\ndeath = 0.0\n").unwrap();
    let out = tmp.path().join("out");
    medrec()
        .args(["synth", "--patients", "6", "--config"])
        .arg(&cfg)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let used = std::fs::read_to_string(out.join("truth/config.toml")).unwrap();
    assert!(
        used.contains("patients = 6") && used.contains("seed = 3") && used.contains("2025-06-01"),
        "{used}"
    );
}

/// Ctrl-C (SIGINT) in the middle of a long write: exit 130, the output directory is never
/// created and the staging directory is removed (brief: "Ctrl-C leaves no half-written output").
#[cfg(unix)]
#[test]
fn ctrl_c_mid_write_publishes_nothing_and_cleans_up() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("population");
    let bin = assert_cmd::cargo::cargo_bin("medrec");
    let mut child = std::process::Command::new(bin)
        .args(["synth", "--patients", "500000", "--seed", "3", "--out"])
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the staging directory exists, i.e. the write has started.
    let staging = || {
        std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .any(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(".medrec-synth-")
            })
    };
    let started = std::time::Instant::now();
    while !staging() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "synth never started writing"
        );
        assert!(child.try_wait().unwrap().is_none(), "synth ended early");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(200));
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "stderr: {stderr}");
    assert!(stderr.contains("interrupted"), "stderr: {stderr}");
    assert!(!out.exists(), "a half-written population was published");
    assert!(!staging(), "the staging directory was left behind");
}
