//! Data-driven textbook cases: `data/*.toml`, each a set of stays with the expected report
//! values worked out by hand (arithmetic in the files' comments).

use crate::common::{CaseStay, by_patient};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use medrec_stats::{Aggregator, AggregatorConfig, BedSchedule, GroupBy, Period};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
struct Case {
    name: String,
    from: Date,
    to: Date,
    tz: String,
    #[serde(default)]
    beds: Option<String>,
    stay: Vec<CaseStay>,
    #[serde(default)]
    expect: BTreeMap<String, toml::Table>,
    #[serde(default)]
    daily: Vec<toml::Table>,
}

fn data_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/stats/data")
}

/// Compares an expected TOML value with the JSON the report serialises.
fn check(
    case: &str,
    what: &str,
    field: &str,
    want: &toml::Value,
    got: Option<&serde_json::Value>,
) -> Option<String> {
    let got = got.unwrap_or(&serde_json::Value::Null);
    let ok = match want {
        toml::Value::String(s) if s == "null" => got.is_null(),
        toml::Value::Integer(i) => got.as_f64() == Some(*i as f64),
        toml::Value::Float(f) => got
            .as_f64()
            .is_some_and(|g| (g - f).abs() <= 1e-9 * f.abs().max(1.0)),
        toml::Value::Boolean(b) => got.as_bool() == Some(*b),
        other => serde_json::to_value(other).ok().as_ref() == Some(got),
    };
    (!ok).then(|| format!("{case}: {what}: {field}: expected {want}, got {got}"))
}

fn run_case(path: &std::path::Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let case: Case = toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let tz = TimeZone::get(&case.tz).unwrap();
    let period = Period::new(case.from, case.to).unwrap();
    let mut agg = Aggregator::new(AggregatorConfig::new(period, tz));
    let stays: Vec<_> = case.stay.iter().map(CaseStay::to_stay).collect();
    for patient in by_patient(&stays) {
        let errors = agg.add_patient(&patient);
        assert!(errors.is_empty(), "{errors:?}");
    }
    let beds = match &case.beds {
        Some(b) => BedSchedule::parse_csv(b).unwrap(),
        None => BedSchedule::new(),
    };
    let rows = agg.report(GroupBy::None, &beds).unwrap();
    let mut failures = Vec::new();
    for (population, fields) in &case.expect {
        let row = rows
            .iter()
            .find(|r| r.population.as_str() == population)
            .unwrap_or_else(|| panic!("{}: no {population} row", case.name));
        let json = serde_json::to_value(row).unwrap();
        for (field, want) in fields {
            assert!(
                json.get(field).is_some(),
                "{}: unknown field {field}",
                case.name
            );
            failures.extend(check(&case.name, population, field, want, json.get(field)));
        }
    }
    let daily = agg.daily(&beds);
    for want in &case.daily {
        let unit = want["unit"].as_str().unwrap();
        let date = want["date"].as_str().unwrap();
        let row = daily
            .iter()
            .find(|r| r.unit == unit && r.date.to_string() == date)
            .unwrap_or_else(|| panic!("{}: no daily row {unit} {date}", case.name));
        let json = serde_json::to_value(row).unwrap();
        for (field, v) in want {
            if field == "unit" || field == "date" {
                continue;
            }
            failures.extend(check(
                &case.name,
                &format!("{unit} {date}"),
                field,
                v,
                json.get(field),
            ));
        }
    }
    // Census balance on every unit-day of every case.
    let mut prev: BTreeMap<&str, i64> = BTreeMap::new();
    let opening_total: i64 = agg.opening_census().iter().sum();
    let mut total_prev = opening_total;
    let mut by_day: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for r in &daily {
        let e = by_day.entry(r.date.to_string()).or_default();
        e.0 += r.census;
        e.1 += r.admissions as i64 - r.discharges as i64 + r.transfers_in as i64
            - r.transfers_out as i64;
        let _ = prev.entry(&r.unit).or_insert(0);
    }
    for (day, (census, change)) in by_day {
        assert_eq!(
            census,
            total_prev + change,
            "{}: balance on {day}",
            case.name
        );
        total_prev = census;
    }
    failures
}

#[test]
fn textbook_cases() {
    let mut files: Vec<_> = std::fs::read_dir(data_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 2, "case files missing");
    let failures: Vec<String> = files.iter().flat_map(|f| run_case(f)).collect();
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
