//! `review`: encounters reviewed per second by medrec-completeness with the default inpatient
//! rule set, next to a floor measured in the same group: walking every encounter of the same
//! records and touching each document (what any review must at least do).
//!
//! Records are medrec-synth patients (built once, outside the timing): an inpatient-only
//! population (every encounter is reviewed by all 20 rules, with deficiencies injected at the
//! default rates) and the default encounter mix (40 % inpatient; the others are only checked
//! for their class).
//!
//! Groups `review_inpatient` and `review_mixed` measure wall time. Group `review_inpatient-cpu`
//! repeats the inpatient floor and review measured in CPU time of the bench thread
//! (`/proc/thread-self/schedstat`, as in the `code` bench): on the shared 2-core machine wall
//! time also counts the time other processes hold the core; CPU time counts only the time this
//! thread ran (cache disturbance by the others remains).
//!
//! Run: `cargo bench -p medrec-benches --bench review -- --warm-up-time 1 --measurement-time 3`
//! (add `review_inpatient-cpu` to run only the CPU-time group).

#![allow(missing_docs)] // criterion_group! generates an undocumented function

#[path = "shared/cpu_time.rs"]
mod cpu_time;

use cpu_time::CpuTime;
use criterion::measurement::WallTime;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use medrec::completeness::Reviewer;
use medrec::model::PatientRecord;
use medrec::synth::{Population, PopulationConfig};
use std::hint::black_box;
use std::sync::OnceLock;

fn build_records(inpatient_only: bool) -> Vec<PatientRecord> {
    let mut config = PopulationConfig {
        patients: 1500,
        seed: 7,
        ..PopulationConfig::default()
    };
    config.documentation.note_text = false;
    if inpatient_only {
        config.encounters.inpatient = 1.0;
        config.encounters.observation = 0.0;
        config.encounters.emergency = 0.0;
        config.encounters.outpatient = 0.0;
    }
    let pop = Population::new(config).expect("valid configuration");
    pop.patients()
        .map(|p| PatientRecord::from_bundle(pop.patient_bundle(&p)))
        .collect()
}

/// The records of a population, built on first use and shared by the wall and CPU groups.
fn records(inpatient_only: bool) -> &'static [PatientRecord] {
    static INPATIENT: OnceLock<Vec<PatientRecord>> = OnceLock::new();
    static MIXED: OnceLock<Vec<PatientRecord>> = OnceLock::new();
    let cell = if inpatient_only { &INPATIENT } else { &MIXED };
    cell.get_or_init(|| build_records(inpatient_only))
}

fn floor(records: &[PatientRecord]) -> usize {
    let mut k = 0usize;
    for r in records {
        for e in r.encounters() {
            k += black_box(&e.documents).len();
        }
    }
    k
}

fn review(reviewer: &Reviewer, records: &[PatientRecord]) -> usize {
    let mut k = 0usize;
    for r in records {
        k += black_box(reviewer.review(r)).encounters.len();
    }
    k
}

fn bench(c: &mut Criterion) {
    let reviewer = Reviewer::new();
    for (name, inpatient_only) in [("inpatient", true), ("mixed", false)] {
        let mut group = c.benchmark_group(format!("review_{name}"));
        group.sample_size(20);
        let records = records(inpatient_only);
        let n: u64 = records.iter().map(|r| r.encounter_count() as u64).sum();
        group.throughput(Throughput::Elements(n));
        group.bench_function("floor_iterate_documents", |b| b.iter(|| floor(records)));
        group.bench_function("default_inpatient_rules", |b| {
            b.iter(|| review(&reviewer, records))
        });
        group.finish();
    }
}

fn bench_cpu(c: &mut Criterion<CpuTime>) {
    let reviewer = Reviewer::new();
    let mut group = c.benchmark_group("review_inpatient-cpu");
    group.sample_size(20);
    let records = records(true);
    let n: u64 = records.iter().map(|r| r.encounter_count() as u64).sum();
    group.throughput(Throughput::Elements(n));
    group.bench_function("floor_iterate_documents", |b| b.iter(|| floor(records)));
    group.bench_function("default_inpatient_rules", |b| {
        b.iter(|| review(&reviewer, records))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_group! {
    name = cpu;
    config = Criterion::default().with_measurement(CpuTime(WallTime));
    targets = bench_cpu
}
criterion_main!(benches, cpu);
