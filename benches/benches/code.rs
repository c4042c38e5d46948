#![allow(missing_docs)] // criterion_group! generates an undocumented function
//! Bench `code`: 1,000,000 mixed ICD-10-CM codes (dotted, undotted, lower case, ~10% invalid)
//! through validate + chapter + title, next to a `HashMap<String, _>` floor doing the same
//! (normalize on the stack, one lookup, chapter and title from the value) in the same group.
//! Also: loading the embedded tables, and their resident memory (printed once on stderr).

use std::collections::HashMap;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use medrec::codes::{IcdCmRelease, icd10cm};

const N: usize = 1_000_000;

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
            "code: embedded ICD-10-CM first load {:.1} ms, resident memory +{:.1} MiB ({} codes)",
            load.as_secs_f64() * 1e3,
            (a.saturating_sub(b)) as f64 / 1024.0,
            cm.len()
        );
    }
    let inputs = inputs();
    let map: HashMap<String, (bool, u8, &str)> = cm
        .iter()
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
        .collect();

    let mut g = c.benchmark_group("code");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("medrec/validate+chapter+title", |b| {
        b.iter(|| {
            let mut acc = 0usize;
            for s in &inputs {
                let c = cm.classify(s);
                acc += c.is_billable() as usize;
                if let Some(e) = c.entry() {
                    acc += e.chapter().map(|c| c.number as usize).unwrap_or(0);
                    acc += e.title().len();
                }
            }
            black_box(acc)
        })
    });
    g.bench_function("floor/hashmap-string", |b| {
        b.iter(|| {
            let mut acc = 0usize;
            let mut buf = [0u8; 8];
            for s in &inputs {
                if let Some(n) = normalize(s, &mut buf)
                    && let Ok(k) = std::str::from_utf8(&buf[..n])
                    && let Some((billable, chapter, title)) = map.get(k)
                {
                    acc += *billable as usize + *chapter as usize + title.len();
                }
            }
            black_box(acc)
        })
    });
    g.finish();

    let mut g = c.benchmark_group("code-load");
    g.sample_size(10);
    g.bench_function("embedded-icd10cm", |b| {
        b.iter(|| black_box(IcdCmRelease::embedded().len()))
    });
    g.bench_function("embedded-icd10pcs", |b| {
        b.iter(|| black_box(medrec::codes::PcsRelease::embedded().len()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
