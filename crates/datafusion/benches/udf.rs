//! UDF throughput: codes per second through `icd10cm_chapter` over an Arrow array, against
//! DataFusion's built-in string functions on the same array as a floor, and single-process
//! scaling with 1 vs 2 target partitions.
//!
//! Input: 1,000,000 code strings (every ICD-10-CM code of the release, dotted, repeated), in
//! 8,192-row batches.

// `criterion_main!` generates an undocumented `main`.
#![allow(missing_docs)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use datafusion::arrow::array::{RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::datasource::MemTable;
use datafusion::prelude::{SessionConfig, SessionContext};
use medrec_codes::icd10cm;
use medrec_datafusion::datafusion;
use medrec_datafusion::udf::{CodeFunction, CodeFunctionKind};
use std::sync::Arc;

const ROWS: usize = 1_000_000;
const BATCH: usize = 8192;

fn codes() -> Vec<String> {
    let all: Vec<String> = icd10cm().iter().map(|e| e.code().to_string()).collect();
    all.iter().cycle().take(ROWS).cloned().collect()
}

fn batches(codes: &[String]) -> Vec<RecordBatch> {
    let schema = Arc::new(Schema::new(vec![Field::new("c", DataType::Utf8, false)]));
    codes
        .chunks(BATCH)
        .map(|c| {
            RecordBatch::try_new(
                schema.clone(),
                vec![Arc::new(StringArray::from_iter_values(c))],
            )
            .unwrap()
        })
        .collect()
}

fn context(partitions: usize, batches: &[RecordBatch]) -> SessionContext {
    let ctx = SessionContext::new_with_config(
        SessionConfig::new()
            .with_target_partitions(partitions)
            .with_batch_size(BATCH),
    );
    medrec_datafusion::register_functions(&ctx);
    // One memory partition per target partition, batches dealt round-robin.
    let mut parts = vec![Vec::new(); partitions];
    for (i, b) in batches.iter().enumerate() {
        parts[i % partitions].push(b.clone());
    }
    let table = MemTable::try_new(batches[0].schema(), parts).unwrap();
    ctx.register_table("codes", Arc::new(table)).unwrap();
    ctx
}

fn run(rt: &tokio::runtime::Runtime, ctx: &SessionContext, sql: &str) -> usize {
    rt.block_on(async {
        let b = ctx.sql(sql).await.unwrap().collect().await.unwrap();
        b.iter().map(|b| b.num_rows()).sum()
    })
}

fn bench(c: &mut Criterion) {
    let codes = codes();
    let batches = batches(&codes);
    let array = batches[0].column(0).clone();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();

    let mut g = c.benchmark_group("udf_array");
    g.throughput(Throughput::Elements(array.len() as u64));
    let chapter = CodeFunction::new(CodeFunctionKind::Icd10CmChapter);
    g.bench_function("icd10cm_chapter_evaluate_8192", |b| {
        b.iter(|| chapter.evaluate(array.as_ref()).unwrap())
    });
    g.bench_function("floor_arrow_substring_8192", |b| {
        b.iter(|| {
            datafusion::arrow::compute::kernels::substring::substring(array.as_ref(), 0, Some(3))
                .unwrap()
        })
    });
    g.finish();

    for partitions in [1, 2] {
        let ctx = context(partitions, &batches);
        let mut g = c.benchmark_group(format!("udf_sql_{partitions}_partitions"));
        g.throughput(Throughput::Elements(ROWS as u64));
        g.sample_size(10);
        g.bench_function("icd10cm_chapter", |b| {
            b.iter(|| run(&rt, &ctx, "SELECT icd10cm_chapter(c) FROM codes"))
        });
        g.bench_function("icd10cm_title", |b| {
            b.iter(|| run(&rt, &ctx, "SELECT icd10cm_title(c) FROM codes"))
        });
        g.bench_function("floor_builtin_upper", |b| {
            b.iter(|| run(&rt, &ctx, "SELECT upper(c) FROM codes"))
        });
        g.bench_function("floor_builtin_substr_3", |b| {
            b.iter(|| run(&rt, &ctx, "SELECT substr(c, 1, 3) FROM codes"))
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
