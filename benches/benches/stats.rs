//! `stats`: stays aggregated per second into the daily census and counts (medrec-stats), against
//! a floor in the same group: a naive `HashMap<(unit, day), count>` filled day by day.
//!
//! Functions of `stats/census_and_counts` (throughput in stays; the aggregator is created
//! inside the timed loop every time):
//! - `medrec_aggregator_utc` / `_new_york`: `Aggregator::add_stays` over `Stay` records (the
//!   row API);
//! - `medrec_batch_utc` / `_new_york`: `Aggregator::add_batch` over `StayBatch`es of 8,192
//!   stays built **outside** the timed loop — aggregation from data already in columns, as
//!   when reading a column store or Arrow tables;
//! - `medrec_build_batch_utc`: `StayBatch::push` of every `Stay` into one reused batch of
//!   8,192 (cleared between batches) **and** `add_batch`, both **inside** the timed loop — what
//!   a caller holding `Stay` records pays for the batch path;
//! - `floor_naive_hashmap_unit_day`: the floor.
//!
//! Group `stats-cpu/census_and_counts` repeats `stats/census_and_counts` measured in CPU time of
//! the bench thread (`/proc/thread-self/schedstat`) instead of wall time: on the shared 2-core
//! machine wall time also counts the time other processes hold the core; CPU time counts only
//! the time this thread ran (cache disturbance by the others remains).

#![allow(missing_docs)] // criterion_group! generates an undocumented function

#[path = "shared/cpu_time.rs"]
mod cpu_time;

use cpu_time::CpuTime;
use criterion::measurement::{Measurement, WallTime};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use medrec::stats::{
    AdmitSource, Aggregator, AggregatorConfig, Disposition, EncounterClass, Period, Stay,
    StayBatch, UnitStay,
};
use std::collections::HashMap;
use std::hint::black_box;

const UNITS: [&str; 12] = [
    "MED-1", "MED-2", "MED-3", "SURG-1", "SURG-2", "ICU", "CCU", "OB", "NURSERY", "PEDS", "ORTHO",
    "NEURO",
];

/// A year of synthetic stays (deterministic xorshift): 1–3 units, 0–14 days, some deaths and
/// newborns; no codes or charges (the census-and-counts path).
fn stays(n: usize) -> Vec<Stay> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let base = 1_704_067_200i64; // 2024-01-01T00:00:00Z
    (0..n)
        .map(|i| {
            let start = base + (next() % (366 * 86_400)) as i64;
            let los = (next() % (14 * 86_400)) as i64;
            let t = |s: i64| Timestamp::from_second(s).unwrap();
            let mut s = Stay::new(
                format!("p{}", i / 2),
                format!("e{i}"),
                EncounterClass::Inpatient,
                t(start),
                Some(t(start + los)),
            );
            let n_units = 1 + (next() % 3) as i64;
            for k in 0..n_units {
                s.units.push(UnitStay {
                    unit: UNITS[(next() % UNITS.len() as u64) as usize].to_string(),
                    from: t(start + los * k / n_units),
                    to: None,
                });
            }
            if next() % 10 == 0 {
                s.admit_source = AdmitSource::Born;
            }
            if next() % 40 == 0 {
                s.disposition = Disposition::Died;
            }
            s
        })
        .collect()
}

/// Stays per `StayBatch` in the batch functions.
const BATCH: usize = 8192;

fn census_and_counts(c: &mut Criterion) {
    census_and_counts_in(c, "stats/census_and_counts");
}

fn census_and_counts_cpu(c: &mut Criterion<CpuTime>) {
    census_and_counts_in(c, "stats-cpu/census_and_counts");
}

fn census_and_counts_in<M: Measurement>(c: &mut Criterion<M>, group_name: &str) {
    let data = stays(200_000);
    let period = Period::new(
        jiff::civil::date(2024, 1, 1),
        jiff::civil::date(2024, 12, 31),
    )
    .unwrap();
    let mut group = c.benchmark_group(group_name);
    group.throughput(Throughput::Elements(data.len() as u64));
    group.bench_function("medrec_aggregator_utc", |b| {
        b.iter(|| {
            let mut agg = Aggregator::new(AggregatorConfig::new(period, TimeZone::UTC));
            assert!(agg.add_stays(&data).is_empty());
            black_box(agg.feed_counts())
        })
    });
    let ny = TimeZone::get("America/New_York").unwrap();
    group.bench_function("medrec_aggregator_new_york", |b| {
        b.iter(|| {
            let mut agg = Aggregator::new(AggregatorConfig::new(period, ny.clone()));
            assert!(agg.add_stays(&data).is_empty());
            black_box(agg.feed_counts())
        })
    });
    // The batch path: stays already in columns (built outside the timed loop).
    let batches: Vec<StayBatch> = data.chunks(BATCH).map(StayBatch::from_stays).collect();
    group.bench_function("medrec_batch_utc", |b| {
        b.iter(|| {
            let mut agg = Aggregator::new(AggregatorConfig::new(period, TimeZone::UTC));
            for batch in &batches {
                assert!(agg.add_batch(batch).is_empty());
            }
            black_box(agg.feed_counts())
        })
    });
    group.bench_function("medrec_batch_new_york", |b| {
        b.iter(|| {
            let mut agg = Aggregator::new(AggregatorConfig::new(period, ny.clone()));
            for batch in &batches {
                assert!(agg.add_batch(batch).is_empty());
            }
            black_box(agg.feed_counts())
        })
    });
    // The batch path from `Stay` records: building the batches is timed too.
    let mut batch = StayBatch::with_capacity(BATCH);
    group.bench_function("medrec_build_batch_utc", |b| {
        b.iter(|| {
            let mut agg = Aggregator::new(AggregatorConfig::new(period, TimeZone::UTC));
            for chunk in data.chunks(BATCH) {
                batch.clear();
                batch.extend(chunk);
                assert!(agg.add_batch(&batch).is_empty());
            }
            black_box(agg.feed_counts())
        })
    });
    // Floor: the naive way — walk each stay day by day into a HashMap keyed by (unit, day).
    group.bench_function("floor_naive_hashmap_unit_day", |b| {
        b.iter(|| {
            let mut census: HashMap<(String, i64), u32> = HashMap::new();
            for s in &data {
                let a = s.admitted.as_second().div_euclid(86_400);
                let d = s.discharged.map_or(a, |d| d.as_second().div_euclid(86_400));
                let unit = s.units.first().map_or("", |u| u.unit.as_str());
                for day in a..d {
                    *census.entry((unit.to_string(), day)).or_insert(0) += 1;
                }
            }
            black_box(census.len())
        })
    });
    group.finish();
}

fn report(c: &mut Criterion) {
    let data = stays(50_000);
    let period = Period::new(
        jiff::civil::date(2024, 1, 1),
        jiff::civil::date(2024, 12, 31),
    )
    .unwrap();
    let mut agg = Aggregator::new(AggregatorConfig::new(period, TimeZone::UTC));
    for s in &data {
        agg.add_stay(s).unwrap();
    }
    let beds = medrec::stats::BedSchedule::new();
    let mut group = c.benchmark_group("stats/report");
    group.bench_function("report_by_unit_year", |b| {
        b.iter(|| {
            black_box(
                agg.report(medrec::stats::GroupBy::Unit, &beds)
                    .unwrap()
                    .len(),
            )
        })
    });
    group.bench_function("floor_clone_aggregate", |b| {
        b.iter(|| black_box(agg.clone().feed_counts()))
    });
    group.finish();
}

criterion_group!(benches, census_and_counts, report);
criterion_group! {
    name = cpu;
    config = Criterion::default().with_measurement(CpuTime(WallTime));
    targets = census_and_counts_cpu
}
criterion_main!(benches, cpu);
