//! Integration tests of `medrec stats`.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

fn maternity_source() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../stats/tests/stats/data/fhir/maternity_bundle.json")
}

/// The maternity bundle without its deliberately broken encounter (no period.start).
fn clean_bundle(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(maternity_source()).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["entry"]
        .as_array_mut()
        .unwrap()
        .retain(|e| e["resource"]["id"] != "enc-bad");
    let p = dir.join("maternity.json");
    std::fs::write(&p, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
    p
}

fn stats() -> Command {
    let mut c = Command::cargo_bin("medrec").unwrap();
    c.arg("stats");
    c
}

fn json_lines(out: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn period_report_json_fields() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = clean_bundle(dir.path());
    let before = std::fs::read(&bundle).unwrap();
    let out = stats()
        .args([
            "--from",
            "2024-03-01",
            "--to",
            "2024-03-31",
            "--format",
            "json",
        ])
        .arg(&bundle)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let rows = json_lines(&out);
    assert_eq!(rows.len(), 3, "adults_children, newborn, total");
    for field in [
        "from",
        "to",
        "group_by",
        "group",
        "population",
        "admissions",
        "discharges",
        "deaths",
        "deaths_under_48h",
        "transfers_in",
        "transfers_out",
        "births",
        "inpatient_service_days",
        "average_daily_census",
        "average_length_of_stay",
        "bed_count_days",
        "bed_occupancy_rate",
        "gross_death_rate",
        "net_death_rate",
        "deliveries",
        "cesarean_rate",
        "autopsies",
        "gross_autopsy_rate",
        "total_charges",
    ] {
        assert!(rows[0].get(field).is_some(), "missing {field}");
    }
    let total = rows.iter().find(|r| r["population"] == "total").unwrap();
    assert_eq!(total["from"], "2024-03-01");
    assert_eq!(total["group_by"], "none");
    assert_eq!(total["group"], "all");
    assert_eq!(total["admissions"], 2);
    assert_eq!(total["births"], 1);
    assert_eq!(total["deaths"], 1);
    assert_eq!(total["deliveries"], 1);
    assert_eq!(total["cesarean_rate"], 0.0);
    assert_eq!(total["total_charges"], 6000.0);
    // Beds from the bundle's Locations: OB 2 + ICU 1 beds, 1 bassinet → 4 × 31.
    assert_eq!(total["bed_count_days"], 124);
    let nb = rows.iter().find(|r| r["population"] == "newborn").unwrap();
    assert_eq!(nb["gross_death_rate"], 100.0);
    // Null where the denominator is zero.
    assert!(nb["cesarean_rate"].is_null());
    assert_eq!(std::fs::read(&bundle).unwrap(), before, "input untouched");
}

#[test]
fn daily_rows_csv_text_and_chart() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = clean_bundle(dir.path());
    let out = stats()
        .args([
            "--from",
            "2024-03-09",
            "--to",
            "2024-03-13",
            "--daily",
            "--format",
            "json",
        ])
        .arg(&bundle)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let rows = json_lines(&out);
    for field in [
        "date",
        "unit",
        "census",
        "admissions",
        "discharges",
        "deaths",
        "transfers_in",
        "transfers_out",
        "same_day",
        "inpatient_service_days",
    ] {
        assert!(rows[0].get(field).is_some(), "missing {field}");
    }
    let icu = rows
        .iter()
        .find(|r| r["unit"] == "ICU" && r["date"] == "2024-03-11")
        .unwrap();
    assert_eq!(icu["transfers_in"], 1);
    assert_eq!(icu["census"], 1);

    let chart = dir.path().join("out/census.svg");
    let beds = dir.path().join("beds.csv");
    std::fs::write(
        &beds,
        "unit,beds,effective_from\nOB,10,2024-01-01\nOB,12,2024-03-11\n",
    )
    .unwrap();
    let csv_out = stats()
        .args([
            "--from",
            "2024-03-01",
            "--to",
            "2024-03-31",
            "--format",
            "csv",
            "--group-by",
            "unit,payer",
        ])
        .arg("--beds")
        .arg(&beds)
        .arg("--chart")
        .arg(&chart)
        .arg(&bundle)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(csv_out).unwrap();
    assert!(text.starts_with("from,to,group_by,group,facility,population,"));
    // OB: 10 beds × 10 days + 12 × 21 = 352 bed-count days (the beds file overrides Locations).
    assert!(
        text.lines().any(|l| l.contains(",unit,OB,")
            && l.contains(",adults_children,")
            && l.contains(",352,")),
        "{text}"
    );
    assert!(text.lines().any(|l| l.contains(",payer,Medicaid,")));
    let svg = std::fs::read_to_string(&chart).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("<polyline"));

    stats()
        .args(["--from", "2024-03-01", "--to", "2024-03-31"])
        .arg(&bundle)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Hospital statistics 2024-03-01 to 2024-03-31",
        ))
        .stdout(predicate::str::contains("NB"));
}

#[test]
fn bad_inputs_are_reported_and_the_rest_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let good = clean_bundle(dir.path());
    let truncated = dir.path().join("truncated.json");
    let text = std::fs::read_to_string(&good).unwrap();
    std::fs::write(&truncated, &text[..text.len() / 2]).unwrap();
    let garbage = dir.path().join("garbage.json");
    std::fs::write(&garbage, [0u8, 159, 146, 150, 255, 1, 2]).unwrap();
    let out = stats()
        .args([
            "--from",
            "2024-03-01",
            "--to",
            "2024-03-31",
            "--format",
            "json",
        ])
        .arg(&truncated)
        .arg(&garbage)
        .arg(&good)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("truncated.json"))
        .stderr(predicate::str::contains("garbage.json"))
        .get_output()
        .stdout
        .clone();
    let rows = json_lines(&out);
    let total = rows.iter().find(|r| r["population"] == "total").unwrap();
    assert_eq!(total["admissions"], 2, "the good file is still counted");

    // An encounter without period.start: one error line with the FHIR path; exit 1.
    stats()
        .args(["--from", "2024-03-01", "--to", "2024-03-31"])
        .arg(maternity_source())
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "Encounter/enc-bad: Encounter.period.start",
        ));

    // A resource that is not a record of stays (wrong resourceType for statistics): read, no stays.
    let wrong = dir.path().join("wrong.json");
    std::fs::write(
        &wrong,
        r#"{"resourceType":"Observation","id":"o1","status":"final","code":{"text":"x"}}"#,
    )
    .unwrap();
    let out = stats()
        .args([
            "--from",
            "2024-03-01",
            "--to",
            "2024-03-31",
            "--format",
            "json",
        ])
        .arg(&wrong)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(
        json_lines(&out)
            .iter()
            .find(|r| r["population"] == "total")
            .unwrap()["admissions"],
        0
    );
}

#[test]
fn usage_and_io_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let good = clean_bundle(dir.path());
    stats()
        .args(["--from", "2024-03-01", "--to", "2024-03-31"])
        .arg(dir.path().join("missing.json"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing.json"));
    stats()
        .args(["--from", "2024-03-31", "--to", "2024-03-01"])
        .arg(&good)
        .assert()
        .code(2);
    stats()
        .args([
            "--from",
            "2024-03-01",
            "--to",
            "2024-03-31",
            "--tz",
            "Mars/Olympus",
        ])
        .arg(&good)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--tz"));
    let beds = dir.path().join("beds.csv");
    std::fs::write(&beds, "unit,beds,effective_from\nOB,many,2024-01-01\n").unwrap();
    stats()
        .args(["--from", "2024-03-01", "--to", "2024-03-31", "--beds"])
        .arg(&beds)
        .arg(&good)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("line 2"));
    stats()
        .args(["--from", "2024-03-01", "--to", "2024-03-31", "--beds"])
        .arg(dir.path().join("no-beds.csv"))
        .arg(&good)
        .assert()
        .code(2);
    stats()
        .args([
            "--from",
            "2024-03-01",
            "--to",
            "2024-03-31",
            "--group-by",
            "color",
        ])
        .arg(&good)
        .assert()
        .code(2);
}

#[test]
fn synthea_directory_and_stdin() {
    let data = std::env::var_os("MEDREC_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    let dir = data.join("synthea/r4-bundles-plain");
    if !dir.is_dir() {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("shared data missing at {}", dir.display());
        }
        eprintln!("note: {} missing; skipping", dir.display());
        return;
    }
    let out = stats()
        .args([
            "--from",
            "2000-01-01",
            "--to",
            "2019-12-31",
            "--split",
            "year",
            "--format",
            "json",
        ])
        .arg(&dir)
        .assert()
        .get_output()
        .clone();
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "{out:?}"
    );
    let rows = json_lines(&out.stdout);
    assert_eq!(rows.len(), 20 * 3, "one row per year and population");
    assert_eq!(rows[0]["from"], "2000-01-01");
    assert_eq!(rows[59]["to"], "2019-12-31");

    let bundle = std::fs::read(clean_bundle(tempfile::tempdir().unwrap().path())).unwrap();
    let out = stats()
        .args([
            "--from",
            "2024-03-01",
            "--to",
            "2024-03-31",
            "--format",
            "json",
            "-",
        ])
        .write_stdin(bundle)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(
        json_lines(&out)
            .iter()
            .find(|r| r["population"] == "total")
            .unwrap()["admissions"],
        2
    );
}

/// `--arrow-out DIR` writes the four tables as Arrow IPC files (magic `ARROW1` at both ends),
/// leaves no temporary files and does not change the report; a DIR that is a file is an I/O
/// error (exit 2).
#[test]
fn arrow_out_writes_ipc_files() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = clean_bundle(dir.path());
    let before = std::fs::read(&bundle).unwrap();
    let out_dir = dir.path().join("arrow");
    let args = [
        "--from",
        "2024-03-01",
        "--to",
        "2024-03-31",
        "--format",
        "json",
    ];
    let plain = stats()
        .args(args)
        .arg(&bundle)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let with_arrow = stats()
        .args(args)
        .arg("--arrow-out")
        .arg(&out_dir)
        .arg(&bundle)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(
        plain, with_arrow,
        "the report does not depend on --arrow-out"
    );
    let mut names: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "diagnoses.arrow",
            "encounter_unit_stays.arrow",
            "encounters.arrow",
            "procedures.arrow"
        ]
    );
    for n in &names {
        let bytes = std::fs::read(out_dir.join(n)).unwrap();
        assert!(bytes.len() > 100, "{n}");
        assert_eq!(&bytes[..6], b"ARROW1", "{n}");
        assert_eq!(&bytes[bytes.len() - 6..], b"ARROW1", "{n}");
    }
    // The encounters file names every encounter id of the bundle.
    let enc = std::fs::read(out_dir.join("encounters.arrow")).unwrap();
    let text = String::from_utf8_lossy(&enc);
    for id in ["enc-mother", "enc-baby", "enc-er"] {
        assert!(text.contains(id), "{id} in encounters.arrow");
    }
    assert_eq!(std::fs::read(&bundle).unwrap(), before, "input unchanged");

    // A file where the directory should be.
    let blocker = dir.path().join("not-a-dir");
    std::fs::write(&blocker, b"x").unwrap();
    stats()
        .args(args)
        .arg("--arrow-out")
        .arg(&blocker)
        .arg(&bundle)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not-a-dir"));
    assert_eq!(std::fs::read(&blocker).unwrap(), b"x");
}
