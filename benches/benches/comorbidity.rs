//! `comorbidity`: 1,000,000 synthetic patients × 1–25 ICD-10-CM codes through every comorbidity
#![allow(missing_docs)] // criterion_group! generates undocumented items
//! measure at once (AHRQ Elixhauser Refined v2026.1 with POA rules, exclusions and both indices;
//! Quan 2005 Elixhauser + van Walraven; Charlson with 1987 and Quan 2011 weights), next to a
//! floor in the same group: a naive `HashMap<String, Vec<&str>>` lookup of the AHRQ table alone
//! (normalize each code into a new `String`, look it up, collect measure names in a `HashSet`).
//!
//! Goal (issue 4): ≥ 10 million codes per second on one core. Run:
//! `cargo bench -p medrec-benches --bench comorbidity -- --warm-up-time 1 --measurement-time 3`
//! (`MEDREC_BENCH_PATIENTS` overrides the patient count).

use std::collections::{HashMap, HashSet};
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use medrec::codes::clinical::{ComorbidityScorer, Poa, embedded_tables};

/// Deterministic xorshift, so every run scores the same population.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

struct Population {
    codes: Vec<(&'static str, Poa)>,
    patients: Vec<(u32, u32)>,
}

fn population(n: usize) -> Population {
    // Code pool: every AHRQ code (comorbidity hits) and every CCSR-mapped code (the rest of
    // ICD-10-CM), half of them written with the dot as claim files do.
    let mut pool: Vec<String> = Vec::new();
    for line in embedded_tables::AHRQ_CMR_V2026_1
        .lines()
        .filter(|l| !l.starts_with('#'))
    {
        if let Some(c) = line.split(' ').next() {
            pool.push(c.to_string());
        }
    }
    let ahrq = pool.len();
    for line in embedded_tables::CCSR_V2023_1_CAT1
        .lines()
        .filter(|l| !l.starts_with('#'))
    {
        pool.extend(line.split(' ').skip(1).map(str::to_string));
    }
    let pool: Vec<&'static str> = pool
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let s = if i % 2 == 0 && c.len() > 3 {
                format!("{}.{}", &c[..3], &c[3..])
            } else {
                c
            };
            &*Box::leak(s.into_boxed_str())
        })
        .collect();
    let poas = [Poa::Y, Poa::Y, Poa::Y, Poa::N, Poa::W, Poa::U, Poa::Missing];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut codes = Vec::with_capacity(n * 13);
    let mut patients = Vec::with_capacity(n);
    for _ in 0..n {
        let k = 1 + rng.below(25);
        let start = codes.len() as u32;
        for _ in 0..k {
            // One code in four from the AHRQ table, so patients carry comorbidities.
            let i = if rng.below(4) == 0 {
                rng.below(ahrq)
            } else {
                rng.below(pool.len())
            };
            codes.push((pool[i], poas[rng.below(poas.len())]));
        }
        patients.push((start, k as u32));
    }
    Population { codes, patients }
}

fn naive_table() -> HashMap<String, Vec<&'static str>> {
    let mut m = HashMap::new();
    for line in embedded_tables::AHRQ_CMR_V2026_1
        .lines()
        .filter(|l| !l.starts_with('#'))
    {
        let (code, measures) = line.split_once(' ').unwrap_or((line, ""));
        m.insert(code.to_string(), measures.split(',').collect());
    }
    m
}

fn bench(c: &mut Criterion) {
    let n: usize = std::env::var("MEDREC_BENCH_PATIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let pop = population(n);
    let total = pop.codes.len() as u64;
    let scorer = ComorbidityScorer::new();
    let naive = naive_table();
    // Warm the lazily built tables outside the measurement.
    black_box(scorer.score(Some(("I10", Poa::Y)), []));

    let mut g = c.benchmark_group("comorbidity");
    g.sample_size(10);
    g.throughput(Throughput::Elements(total));
    g.bench_function("medrec_all_measures", |b| {
        b.iter(|| {
            let mut sum = 0i64;
            for &(s, k) in &pop.patients {
                let p = &pop.codes[s as usize..(s + k) as usize];
                let r = scorer.score(p.first().copied(), p[1..].iter().copied());
                sum += i64::from(r.elixhauser_mortality) + i64::from(r.charlson_score);
            }
            black_box(sum)
        })
    });
    g.bench_function("floor_hashmap_string_ahrq_only", |b| {
        b.iter(|| {
            let mut sum = 0usize;
            for &(s, k) in &pop.patients {
                let p = &pop.codes[s as usize..(s + k) as usize];
                let mut flags: HashSet<&str> = HashSet::new();
                for (code, _) in &p[1..] {
                    let key = code.trim().replace('.', "").to_ascii_uppercase();
                    if let Some(ms) = naive.get(&key) {
                        flags.extend(ms.iter().copied());
                    }
                }
                sum += flags.len();
            }
            black_box(sum)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
