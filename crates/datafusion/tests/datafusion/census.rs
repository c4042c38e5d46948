//! The census and period statistics via SQL equal `medrec-stats` on synth populations, from
//! stays and from FHIR files.

use crate::common::*;
use datafusion::datasource::MemTable;
use datafusion::prelude::{SessionConfig, SessionContext};
use jiff::tz::TimeZone;
use medrec_datafusion::census::register_census_views;
use medrec_datafusion::datafusion;
use medrec_datafusion::synth::{patient_stays, population};
use medrec_datafusion::tables::{
    FhirTable, StayTable, census_segments_schema, read_fhir_stays, register_fhir_tables,
    table_batches,
};
use medrec_stats::Stay;
use medrec_stats::fhir::FhirReadOptions;
use std::sync::Arc;

#[tokio::test]
async fn sql_census_equals_medrec_stats_on_synth_stays() {
    for (patients, seed, partitions) in [(4000, 7, 2), (1500, 99, 1)] {
        let pop = population(patients, seed).unwrap();
        let cfg = pop.config();
        let tz = TimeZone::get(&cfg.time_zone).unwrap();
        let (first, last) = (cfg.from, cfg.to.yesterday().unwrap());
        let stays: Vec<Vec<Stay>> = patient_stays(&pop).collect();
        let agg = aggregate(&stays, &tz, first, last);
        let flat: Vec<Stay> = stays.concat();
        let batches = table_batches(StayTable::CensusSegments, &flat, &tz);
        let ctx = SessionContext::new_with_config(
            SessionConfig::new().with_target_partitions(partitions),
        );
        medrec_datafusion::register_functions(&ctx);
        // Several partitions, so the census is assembled from partial aggregates.
        let parts: Vec<Vec<_>> = batches.iter().map(|b| vec![b.clone()]).collect();
        ctx.register_table(
            "census_segments",
            Arc::new(MemTable::try_new(census_segments_schema(), parts).unwrap()),
        )
        .unwrap();
        register_census_views(&ctx, first, last).await.unwrap();
        let days = assert_daily_equal(&agg, daily_sql(&ctx).await);
        assert!(days > 100, "{days} non-empty unit days");
        let rows = assert_period_equal(&agg, period_sql(&ctx).await);
        assert!(rows >= 4, "{rows} unit rows compared");
    }
}

#[tokio::test]
async fn fhir_tables_read_synth_exports_and_the_census_matches() {
    let pop = population(400, 3).unwrap();
    let cfg = pop.config();
    let tz = TimeZone::get(&cfg.time_zone).unwrap();
    let (first, last) = (cfg.from, cfg.to.yesterday().unwrap());
    let dir = tempfile::tempdir().unwrap();
    pop.write_to(&dir.path().join("bulk"), medrec_synth::Layout::Ndjson)
        .unwrap();
    pop.write_to(&dir.path().join("bundles"), medrec_synth::Layout::Bundle)
        .unwrap();
    let options = FhirReadOptions {
        time_zone: tz.clone(),
        ..FhirReadOptions::default()
    };
    // The Bulk Data layout as one source; the Bundle layout as one file per patient.
    let bundle_files: Vec<_> = json_files(&dir.path().join("bundles").join("bundles"));
    assert!(bundle_files.len() >= 400, "{} bundles", bundle_files.len());
    for sources in [vec![dir.path().join("bulk")], bundle_files] {
        let mut stays = Vec::new();
        for s in &sources {
            let (st, problems) = read_fhir_stays(s, &options).unwrap();
            assert!(problems.is_empty(), "{problems:?}");
            stays.push(st);
        }
        let agg = aggregate(&stays, &tz, first, last);
        let ctx = SessionContext::new_with_config(SessionConfig::new().with_target_partitions(2));
        medrec_datafusion::register_functions(&ctx);
        register_fhir_tables(&ctx, &sources, &options).unwrap();
        register_census_views(&ctx, first, last).await.unwrap();
        let days = assert_daily_equal(&agg, daily_sql(&ctx).await);
        assert!(days > 20, "{days}");
        assert_period_equal(&agg, period_sql(&ctx).await);
        // Every encounter is a row; projection pushdown hands on only the asked columns.
        let n: usize = stays.iter().map(Vec::len).sum();
        let b = collect(&ctx, "SELECT count(*) FROM encounters").await;
        let count = b[0]
            .column(0)
            .as_any()
            .downcast_ref::<datafusion::arrow::array::Int64Array>()
            .unwrap()
            .value(0);
        assert_eq!(count as usize, n);
        let b = collect(
            &ctx,
            "SELECT code, icd10cm_chapter(code) FROM diagnoses LIMIT 5",
        )
        .await;
        assert_eq!(b[0].num_columns(), 2);
        let plan = collect(&ctx, "EXPLAIN SELECT encounter_id FROM encounters").await;
        let text = datafusion::arrow::util::pretty::pretty_format_batches(&plan)
            .unwrap()
            .to_string();
        assert!(
            text.contains("projection=[encounter_id]") || text.contains("encounter_id]"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn a_broken_fhir_file_is_reported_and_the_rest_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.ndjson");
    std::fs::write(
        &bad,
        "{\"resourceType\":\"Encounter\",\"id\":\"e1\"\n not json\n",
    )
    .unwrap();
    let truncated = dir.path().join("cut.json");
    std::fs::write(&truncated, "{\"resourceType\":\"Bundle\",\"entry\":[").unwrap();
    let options = FhirReadOptions::default();
    let (_, problems) = read_fhir_stays(&bad, &options).unwrap();
    assert!(!problems.is_empty());
    let (stays, problems) = read_fhir_stays(&truncated, &options).unwrap();
    assert!(
        stays.is_empty() && problems.len() == 1 && problems[0].to_string().contains("cut.json"),
        "{problems:?}"
    );
    let table = FhirTable::new(
        StayTable::Encounters,
        vec![bad, truncated, dir.path().join("missing.json")],
        options,
    );
    let ctx = SessionContext::new();
    ctx.register_table("encounters", Arc::new(table)).unwrap();
    let err = ctx
        .sql("SELECT * FROM encounters")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("missing.json"), "{err}");
}
