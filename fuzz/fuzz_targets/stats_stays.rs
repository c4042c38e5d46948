//! Fuzz medrec-stats' FHIR reading, aggregation and Arrow export: any JSON document that parses
//! as a FHIR resource or Bundle is read into stays, aggregated (per patient and as a batch,
//! which agree) and exported as Arrow tables (bounded batches, one encounter row per stay)
//! without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use medrec::stats::fhir::{FhirReadOptions, record_from_json, stays_from_record};
use medrec::stats::arrow::{Table, TableOptions, tables_of};
use medrec::stats::{Aggregator, AggregatorConfig, BedSchedule, GroupBy, Period};

fuzz_target!(|data: &[u8]| {
    let Ok(record) = record_from_json(data) else {
        return;
    };
    let period = Period::month(2024, 3).unwrap();
    let mut agg = Aggregator::new(AggregatorConfig::new(period, jiff::tz::TimeZone::UTC));
    let stays: Vec<_> = stays_from_record(&record, &FhirReadOptions::default())
        .into_iter()
        .filter_map(Result::ok)
        .collect();
    let _ = agg.add_patient(&stays);
    let _ = agg.report(GroupBy::Unit, &BedSchedule::new());
    let _ = agg.daily(&BedSchedule::new());
    let mut batch = Aggregator::new(AggregatorConfig::new(period, jiff::tz::TimeZone::UTC));
    let errors = batch.add_stays(&stays);
    assert!(errors.len() <= stays.len());
    assert_eq!(
        batch.feed_counts().inpatient_stays + batch.feed_counts().other_stays,
        (stays.len() - errors.len()) as u64
    );
    let options = TableOptions::new(jiff::tz::TimeZone::UTC).with_batch_rows(3);
    let tables = tables_of(&stays, &options);
    let mut encounters = 0;
    for t in &tables {
        assert!(t.batch.num_rows() >= 1 && t.batch.num_rows() <= 3);
        if t.table == Table::Encounters {
            encounters += t.batch.num_rows();
        }
    }
    assert_eq!(encounters, stays.len());
});
