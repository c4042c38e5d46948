//! `review`: encounters reviewed per second by medrec-completeness with the default inpatient
//! rule set, next to a floor measured in the same group: walking every encounter of the same
//! records and touching each document (what any review must at least do).
//!
//! Records are medrec-synth patients (built once, outside the timing): an inpatient-only
//! population (every encounter is reviewed by all 20 rules, with deficiencies injected at the
//! default rates) and the default encounter mix (40 % inpatient; the others are only checked
//! for their class).
//!
//! Run: `cargo bench -p medrec-benches --bench review -- --warm-up-time 1 --measurement-time 3`.

#![allow(missing_docs)] // criterion_group! generates an undocumented function

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use medrec::completeness::Reviewer;
use medrec::model::PatientRecord;
use medrec::synth::{Population, PopulationConfig};
use std::hint::black_box;

fn records(inpatient_only: bool) -> Vec<PatientRecord> {
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

fn bench(c: &mut Criterion) {
    let reviewer = Reviewer::new();
    for (name, inpatient_only) in [("inpatient", true), ("mixed", false)] {
        let records = records(inpatient_only);
        let n: u64 = records.iter().map(|r| r.encounter_count() as u64).sum();
        let mut group = c.benchmark_group(format!("review_{name}"));
        group.sample_size(20);
        group.throughput(Throughput::Elements(n));
        group.bench_function("floor_iterate_documents", |b| {
            b.iter(|| {
                let mut k = 0usize;
                for r in &records {
                    for e in r.encounters() {
                        k += black_box(&e.documents).len();
                    }
                }
                k
            })
        });
        group.bench_function("default_inpatient_rules", |b| {
            b.iter(|| {
                let mut k = 0usize;
                for r in &records {
                    k += black_box(reviewer.review(r)).encounters.len();
                }
                k
            })
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
