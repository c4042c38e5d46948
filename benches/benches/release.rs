#![allow(missing_docs)] // criterion_group! generates an undocumented function
//! Release of information: deciding and filtering a patient's record, and appending to the
//! disclosure log. Floors in the same groups: a deep copy of the record's JSON (a release must
//! at least copy what it releases), and a raw `write_all` + `fsync` of the same bytes (a
//! crash-safe append cannot beat the disk).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use medrec::privacy::release::{
    DeidEngine, DisclosureLog, Purpose, Recipient, ReleasePolicy, ReleaseRequest, Requester,
    disclosure_event,
};
use serde_json::Value;
use std::hint::black_box;
use std::io::Write;
use std::path::PathBuf;

fn bundle() -> (Value, String) {
    let data = std::env::var_os("MEDREC_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data"))
        });
    let dir = data.join("synthea/r4-bundles-plain");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e} (set MEDREC_DATA)", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    // The largest plain bundle.
    let file = files
        .into_iter()
        .max_by_key(|f| std::fs::metadata(f).unwrap().len())
        .unwrap();
    let value: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let patient = value["entry"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["resource"]["resourceType"] == "Patient")
        .unwrap()["resource"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    (value, patient)
}

fn release(c: &mut Criterion) {
    let (record, patient) = bundle();
    let n = record["entry"].as_array().unwrap().len() as u64;
    let policy = ReleasePolicy::default();
    let engine = DeidEngine::new(None);
    let on = "2025-06-01".parse().unwrap();
    let mut g = c.benchmark_group("release");
    g.throughput(Throughput::Elements(n));
    g.bench_function("floor: clone record JSON", |b| {
        b.iter(|| black_box(record.clone()))
    });
    for (name, requester, purpose) in [
        (
            "treatment (no minimum necessary)",
            Requester::Provider,
            Purpose::Treatment,
        ),
        (
            "payment (minimum necessary)",
            Requester::Payer,
            Purpose::Payment,
        ),
        ("refused", Requester::Employer, Purpose::Other),
    ] {
        let req = ReleaseRequest::new(requester, purpose, patient.clone(), on);
        g.bench_function(name, |b| {
            b.iter(|| {
                black_box(
                    policy
                        .release(&req, std::slice::from_ref(&record), &engine)
                        .unwrap(),
                )
            })
        });
    }
    g.finish();

    let dir = std::env::temp_dir().join(format!("medrec-bench-release-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let req = ReleaseRequest::new(
        Requester::PublicHealthAuthority,
        Purpose::PublicHealth,
        patient,
        on,
    )
    .with_recipient(Recipient {
        name: Some("State DPH".into()),
        ..Recipient::default()
    });
    let rel = policy
        .release(&req, std::slice::from_ref(&record), &engine)
        .unwrap();
    let event = disclosure_event(&req, &rel, jiff_now(), "bench");
    let line = serde_json::to_vec(&event).unwrap();
    let mut g = c.benchmark_group("disclosure_log");
    g.throughput(Throughput::Elements(1));
    let mut raw = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("raw"))
        .unwrap();
    g.bench_function("floor: write_all + fsync", |b| {
        b.iter(|| {
            raw.write_all(&line).unwrap();
            raw.sync_data().unwrap();
        })
    });
    let mut log = DisclosureLog::open(dir.join("log.ndjson")).unwrap();
    g.bench_function("append (hash chain + fsync)", |b| {
        b.iter(|| black_box(log.append(&event).unwrap()))
    });
    g.bench_function("disclosure_event (build AuditEvent)", |b| {
        b.iter(|| black_box(disclosure_event(&req, &rel, jiff_now(), "bench")))
    });
    g.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

fn jiff_now() -> jiff::Timestamp {
    jiff::Timestamp::now()
}

criterion_group!(benches, release);
criterion_main!(benches);
