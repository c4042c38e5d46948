//! Fuzz medrec-stats' FHIR reading and aggregation: any JSON document that parses as a FHIR
//! resource or Bundle is read into stays and aggregated without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use medrec::stats::fhir::{FhirReadOptions, record_from_json, stays_from_record};
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
});
