#![allow(missing_docs)] // criterion_group! generates an undocumented function
//! Bench `code`: 1,000,000 mixed ICD-10-CM codes (dotted, undotted, lower case, padded, ~10%
//! invalid) through validate + chapter + title, next to a `HashMap<String, _>` floor doing the
//! same (normalize on the stack, one lookup, chapter and title from the value) in the same group.
//!
//! - `medrec/classify`: `IcdCmRelease::classify` per code;
//! - `medrec/classify_into`: the batch API, 4,096 codes per call into a reused `Vec`;
//! - `floor/hashmap-string`: the floor;
//! - the same batch and floor over the same codes held in one `String` (`&str` slices, as codes
//!   read from a file or an Arrow string column are), rather than one heap `String` each.
//!
//! Also: loading the embedded tables (`embedded-icd10cm`: the binary image read in place;
//! `built-icd10cm`: the same release built from its compact text table, the previous way, as the
//! load's floor), and their resident memory (printed once on stderr).
//!
//! Group `code-cpu` repeats the main three and the load measured in CPU time of the bench
//! thread (`/proc/thread-self/schedstat`) instead of wall time: on the shared 2-core machine,
//! wall time also counts the time other engineers' compilers hold the core; CPU time counts only
//! the time this thread ran (cache disturbance by the others remains).

use std::collections::HashMap;
use std::hint::black_box;

#[path = "shared/cpu_time.rs"]
mod cpu_time;

use cpu_time::CpuTime;
use criterion::measurement::WallTime;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use medrec::codes::{IcdCmRelease, icd10cm};

const N: usize = 1_000_000;

/// The embedded release's compact text table (what the binary image holds, before building).
const TABLE: &str = include_str!("../../crates/codes/data/icd10cm_2026_april.tab");

/// A small deterministic generator (xorshift64*), so every run sees the same codes.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

fn inputs() -> Vec<String> {
    let cm = icd10cm();
    let codes: Vec<_> = cm.iter().map(|e| e.code()).collect();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    (0..N)
        .map(|_| {
            let r = rng.next();
            let code = codes[(r as usize >> 8) % codes.len()];
            match r % 20 {
                // ~10% invalid: unknown but well formed, or malformed.
                0 => format!("{}Q", &code.as_undotted()[..code.len().min(6)]),
                1 => format!("{}-{}", &code.as_undotted()[..3], &code.as_undotted()[3..]),
                2..=9 => code.to_string(),
                10..=15 => code.as_undotted().to_string(),
                16 | 17 => code.to_string().to_lowercase(),
                _ => format!(" {code} "),
            }
        })
        .collect()
}

/// The floor's normalization: trim, drop the dot, upper-case, into a stack buffer.
#[inline]
fn normalize(s: &str, buf: &mut [u8; 8]) -> Option<usize> {
    let t = s.trim().as_bytes();
    let mut n = 0;
    for &b in t {
        if b == b'.' {
            continue;
        }
        if n == 7 || !b.is_ascii_alphanumeric() {
            return None;
        }
        buf[n] = b.to_ascii_uppercase();
        n += 1;
    }
    (n >= 3).then_some(n)
}

/// Codes per `classify_into` call.
const BATCH: usize = 4096;

fn batch<'a, S: AsRef<str>>(
    cm: &'a IcdCmRelease,
    inputs: &[S],
    out: &mut Vec<medrec::codes::Classification<'a>>,
) -> usize {
    let mut acc = 0usize;
    for chunk in inputs.chunks(BATCH) {
        cm.classify_into(chunk, out);
        for c in out.iter() {
            acc += c.is_billable() as usize;
            acc += c.chapter().map_or(0, |c| c.number as usize);
            acc += c.title().map_or(0, str::len);
        }
    }
    black_box(acc)
}

fn floor<S: AsRef<str>>(map: &HashMap<String, (bool, u8, &str)>, inputs: &[S]) -> usize {
    let mut acc = 0usize;
    let mut buf = [0u8; 8];
    for s in inputs {
        if let Some(n) = normalize(s.as_ref(), &mut buf)
            && let Ok(k) = std::str::from_utf8(&buf[..n])
            && let Some((billable, chapter, title)) = map.get(k)
        {
            acc += *billable as usize + *chapter as usize + title.len();
        }
    }
    black_box(acc)
}

fn floor_map(cm: &IcdCmRelease) -> HashMap<String, (bool, u8, &str)> {
    cm.iter()
        .map(|e| {
            (
                e.code().as_undotted().to_string(),
                (
                    e.is_billable(),
                    e.chapter().map(|c| c.number).unwrap_or(0),
                    e.title(),
                ),
            )
        })
        .collect()
}

fn bench_cpu(c: &mut Criterion<CpuTime>) {
    let cm = icd10cm();
    let inputs = inputs();
    let map = floor_map(cm);
    let mut g = c.benchmark_group("code-cpu");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("medrec/classify", |b| b.iter(|| one_by_one(cm, &inputs)));
    let mut out = Vec::with_capacity(BATCH);
    g.bench_function("medrec/classify_into", |b| {
        b.iter(|| batch(cm, &inputs, &mut out))
    });
    g.bench_function("floor/hashmap-string", |b| b.iter(|| floor(&map, &inputs)));
    g.finish();
    let mut g = c.benchmark_group("code-cpu-load");
    g.sample_size(10);
    g.bench_function("embedded-icd10cm", |b| {
        b.iter(|| black_box(IcdCmRelease::embedded().len()))
    });
    g.finish();
}

fn one_by_one(cm: &IcdCmRelease, inputs: &[String]) -> usize {
    let mut acc = 0usize;
    for s in inputs {
        let c = cm.classify(s);
        acc += c.is_billable() as usize;
        acc += c.chapter().map_or(0, |c| c.number as usize);
        acc += c.title().map_or(0, str::len);
    }
    black_box(acc)
}

fn rss_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn bench(c: &mut Criterion) {
    // Memory and first load, once, before anything else touches the tables.
    let before = rss_kib();
    let t = std::time::Instant::now();
    let cm = icd10cm();
    let load = t.elapsed();
    let after = rss_kib();
    if let (Some(b), Some(a)) = (before, after) {
        eprintln!(
            "code: embedded ICD-10-CM first load {:.1} ms, resident memory +{:.1} MiB, tables on \
             the heap {:.1} MiB, used in place from the binary {:.1} MiB ({} codes)",
            load.as_secs_f64() * 1e3,
            (a.saturating_sub(b)) as f64 / 1024.0,
            cm.heap_bytes() as f64 / (1 << 20) as f64,
            cm.in_place_bytes() as f64 / (1 << 20) as f64,
            cm.len()
        );
    }
    let inputs = inputs();
    // The same codes back to back in one buffer.
    let joined: String = inputs.concat();
    let mut contiguous: Vec<&str> = Vec::with_capacity(N);
    let mut at = 0;
    for s in &inputs {
        contiguous.push(&joined[at..at + s.len()]);
        at += s.len();
    }
    let map = floor_map(cm);

    let mut g = c.benchmark_group("code");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("medrec/classify", |b| b.iter(|| one_by_one(cm, &inputs)));
    let mut out = Vec::with_capacity(BATCH);
    g.bench_function("medrec/classify_into", |b| {
        b.iter(|| batch(cm, &inputs, &mut out))
    });
    g.bench_function("floor/hashmap-string", |b| b.iter(|| floor(&map, &inputs)));
    g.bench_function("medrec/classify_into/one-buffer", |b| {
        b.iter(|| batch(cm, &contiguous, &mut out))
    });
    g.bench_function("floor/hashmap-string/one-buffer", |b| {
        b.iter(|| floor(&map, &contiguous))
    });
    g.finish();

    let mut g = c.benchmark_group("code-load");
    g.sample_size(10);
    g.bench_function("embedded-icd10cm", |b| {
        b.iter(|| black_box(IcdCmRelease::embedded().len()))
    });
    g.bench_function("built-icd10cm", |b| {
        b.iter(|| black_box(IcdCmRelease::from_compact(TABLE, None, None).map(|r| r.len())))
    });
    g.bench_function("embedded-icd10pcs", |b| {
        b.iter(|| black_box(medrec::codes::PcsRelease::embedded().len()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_group! {
    name = cpu;
    config = Criterion::default().with_measurement(CpuTime(WallTime));
    targets = bench_cpu
}
criterion_main!(benches, cpu);
