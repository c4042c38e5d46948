#![allow(missing_docs)] // criterion_group! generates an undocumented function
//! `synth`: encounters generated per second by medrec-synth, next to floors measured in the same
//! group: raw ChaCha8 draws (the random source itself) and serializing one fixed Encounter.
//!
//! Run: `cargo bench -p medrec-benches --bench synth -- --warm-up-time 1 --measurement-time 3`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use medrec::synth::{Population, PopulationConfig, SynthRng};
use std::hint::black_box;

const HOUSEHOLDS: u64 = 2000;

fn population(note_text: bool) -> Population {
    let mut config = PopulationConfig {
        patients: HOUSEHOLDS,
        seed: 42,
        ..PopulationConfig::default()
    };
    config.documentation.note_text = note_text;
    Population::new(config).expect("valid configuration")
}

fn encounters(pop: &Population) -> u64 {
    pop.patients().map(|p| p.encounters.len() as u64).sum()
}

fn bench(c: &mut Criterion) {
    let with_text = population(true);
    let without_text = population(false);
    let n = encounters(&with_text);
    let mut group = c.benchmark_group("synth");
    group.sample_size(10);
    group.throughput(Throughput::Elements(n));
    group.bench_function("plan_with_notes", |b| {
        b.iter(|| {
            let mut k = 0usize;
            for h in with_text.households() {
                k += black_box(&h).patients.len();
            }
            k
        })
    });
    group.bench_function("plan_without_note_text", |b| {
        b.iter(|| {
            let mut k = 0usize;
            for h in without_text.households() {
                k += black_box(&h).patients.len();
            }
            k
        })
    });
    group.bench_function("fhir_ndjson_with_notes", |b| {
        let mut sink = Vec::with_capacity(1 << 26);
        b.iter(|| {
            sink.clear();
            for p in with_text.patients() {
                for r in with_text.patient_resources(&p) {
                    serde_json::to_writer(&mut sink, &r).unwrap();
                    sink.push(b'\n');
                }
            }
            sink.len()
        })
    });
    group.bench_function("truth_only", |b| {
        b.iter(|| black_box(without_text.truth()).encounters)
    });
    // Floor 1: the random source alone — 64 ChaCha8 draws per encounter.
    group.bench_function("floor_chacha8_64_draws_per_encounter", |b| {
        b.iter(|| {
            let mut rng = SynthRng::new(1, 1);
            let mut x = 0u64;
            for _ in 0..n * 64 {
                x ^= rng.next_u64();
            }
            x
        })
    });
    // Floor 2: serializing one fixed Encounter resource, n times (no generation at all).
    let fixed = with_text
        .patients()
        .find(|p| p.encounters.iter().any(|e| e.units.len() > 1))
        .expect("a transfer");
    let encounter = with_text
        .patient_resources(&fixed)
        .into_iter()
        .find(|r| r.resource_type() == "Encounter")
        .expect("an Encounter");
    group.bench_function("floor_serialize_fixed_encounter", |b| {
        let mut sink = Vec::with_capacity(1 << 20);
        b.iter(|| {
            sink.clear();
            for _ in 0..n {
                serde_json::to_writer(&mut sink, &encounter).unwrap();
                sink.push(b'\n');
            }
            sink.len()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
