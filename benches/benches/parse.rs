#![allow(missing_docs)] // criterion_group! generates an undocumented function
//! Bench `parse` (medrec-model): parse + serialize the Synthea bundles into `medrec_model::Resource`,
//! next to the `serde_json::Value` floor (parse of the same bytes) and the `fhirkit` crate (R4,
//! generated, lossless), all in one group with byte throughput. A second group streams the Bulk
//! Data NDJSON through `NdjsonReader` (bounded memory) next to a `Value`-per-line floor.
//!
//! Inputs: `$MEDREC_DATA` or `../shared/data` beside the checkout: the 10 plain Synthea bundles,
//! the 10 US Core bundles and the first 20 gzipped bundles (decompressed once, before measuring).

use std::hint::black_box;
use std::io::Read;
use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use medrec::model::Resource;
use medrec::model::parse::NdjsonReader;

fn data_dir() -> PathBuf {
    std::env::var_os("MEDREC_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data")))
}

fn read(p: &Path) -> Vec<u8> {
    let raw = std::fs::read(p).unwrap();
    if p.extension().is_some_and(|e| e == "gz") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .unwrap();
        out
    } else {
        raw
    }
}

fn files(dir: &Path, ext: &str, take: usize) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = rd
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(ext) && !p.ends_with("MANIFEST.json"))
        .collect();
    v.sort();
    v.truncate(take);
    v
}

fn bundles() -> Vec<Vec<u8>> {
    let d = data_dir().join("synthea");
    let mut paths = files(&d.join("r4-bundles-plain"), ".json", usize::MAX);
    paths.extend(files(&d.join("r4-bundles-us-core"), ".json.gz", usize::MAX));
    paths.extend(files(&d.join("r4-bundles"), ".json.gz", 20));
    assert!(
        !paths.is_empty(),
        "no Synthea bundles under {} (set MEDREC_DATA)",
        d.display()
    );
    let mut out = Vec::with_capacity(paths.len());
    for p in &paths {
        out.push(read(p));
    }
    out
}

fn bench_parse(c: &mut Criterion) {
    let docs = bundles();
    let bytes: usize = docs.iter().map(Vec::len).sum();
    let texts: Vec<&str> = docs
        .iter()
        .map(|d| std::str::from_utf8(d).unwrap())
        .collect();
    eprintln!(
        "parse: {} bundles, {:.1} MB",
        docs.len(),
        bytes as f64 / 1e6
    );

    let mut g = c.benchmark_group("parse");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("serde_json::Value parse (floor)", |b| {
        b.iter(|| {
            for d in &docs {
                black_box(serde_json::from_slice::<serde_json::Value>(d).unwrap());
            }
        })
    });
    g.bench_function("medrec Resource parse", |b| {
        b.iter(|| {
            for d in &docs {
                black_box(serde_json::from_slice::<Resource>(d).unwrap());
            }
        })
    });
    g.bench_function("serde_json::Value parse+serialize (floor)", |b| {
        b.iter(|| {
            for d in &docs {
                let v: serde_json::Value = serde_json::from_slice(d).unwrap();
                black_box(serde_json::to_vec(&v).unwrap());
            }
        })
    });
    g.bench_function("medrec Resource parse+serialize", |b| {
        b.iter(|| {
            for d in &docs {
                let r: Resource = serde_json::from_slice(d).unwrap();
                black_box(serde_json::to_vec(&r).unwrap());
            }
        })
    });
    #[cfg(feature = "peer-fhirkit")]
    {
        g.bench_function("fhirkit parse", |b| {
            b.iter(|| {
                for t in &texts {
                    black_box(fhirkit::from_json::<fhirkit::r4::Resource>(t).unwrap());
                }
            })
        });
        g.bench_function("fhirkit parse+serialize", |b| {
            b.iter(|| {
                for t in &texts {
                    let (r, _) = fhirkit::from_json::<fhirkit::r4::Resource>(t).unwrap();
                    black_box(fhirkit::to_json(&r.unwrap()));
                }
            })
        });
    }
    let _ = &texts;
    g.finish();
}

fn bench_ndjson(c: &mut Criterion) {
    let dir = data_dir().join("synthea/bulk-ndjson");
    let mut all = Vec::new();
    for p in files(&dir, ".ndjson", usize::MAX) {
        all.extend_from_slice(&read(&p));
        if !all.ends_with(b"\n") {
            all.push(b'\n');
        }
    }
    assert!(!all.is_empty(), "no NDJSON under {}", dir.display());
    let mut g = c.benchmark_group("parse_ndjson");
    g.throughput(Throughput::Bytes(all.len() as u64));
    g.bench_function("serde_json::Value per line (floor)", |b| {
        b.iter(|| {
            for line in all.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
                black_box(serde_json::from_slice::<serde_json::Value>(line).unwrap());
            }
        })
    });
    g.bench_function("medrec NdjsonReader stream", |b| {
        b.iter(|| {
            for r in NdjsonReader::new(&all[..]) {
                black_box(r.unwrap());
            }
        })
    });
    g.finish();
    // Memory bound: the reader's buffer never exceeds the longest line (rounded up by Vec growth).
    let longest = all
        .split(|&b| b == b'\n')
        .map(<[u8]>::len)
        .max()
        .unwrap_or(0);
    let mut reader = NdjsonReader::new(&all[..]);
    for r in reader.by_ref() {
        r.unwrap();
    }
    eprintln!(
        "parse_ndjson: {:.1} MB, longest line {} bytes, reader buffer {} bytes",
        all.len() as f64 / 1e6,
        longest,
        reader.buffer_capacity()
    );
}

criterion_group!(benches, bench_parse, bench_ndjson);
criterion_main!(benches);
