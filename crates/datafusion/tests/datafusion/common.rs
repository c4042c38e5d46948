//! Shared helpers: medrec-stats' answers for a set of stays, and comparison with the SQL views.

use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Date32Type, Field, Float64Type, Int64Type, Schema};
use datafusion::prelude::SessionContext;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use medrec_datafusion::datafusion;
use medrec_datafusion::tables::date32;
use medrec_stats::{
    Aggregator, AggregatorConfig, BedSchedule, GroupBy, Period, PopulationScope, Stay,
};
use std::collections::HashMap;
use std::sync::Arc;

/// The aggregator fed with every patient's stays.
pub fn aggregate(patients: &[Vec<Stay>], tz: &TimeZone, first: Date, last: Date) -> Aggregator {
    let mut agg = Aggregator::new(AggregatorConfig::new(
        Period::new(first, last).unwrap(),
        tz.clone(),
    ));
    for p in patients {
        let errors = agg.add_patient(p);
        assert!(errors.is_empty(), "{errors:?}");
    }
    agg
}

/// Runs a query; string columns come back as `Utf8` whatever the source's string type
/// (Parquet reads as `Utf8View`).
pub async fn collect(ctx: &SessionContext, sql: &str) -> Vec<RecordBatch> {
    let batches = ctx.sql(sql).await.unwrap().collect().await.unwrap();
    batches
        .into_iter()
        .map(|b| {
            let cols = b
                .columns()
                .iter()
                .map(|c| match c.data_type() {
                    DataType::Utf8View | DataType::LargeUtf8 => cast(c, &DataType::Utf8).unwrap(),
                    _ => c.clone(),
                })
                .collect::<Vec<_>>();
            let fields: Vec<_> = b
                .schema()
                .fields()
                .iter()
                .zip(&cols)
                .map(|(f, c)| Field::new(f.name(), c.data_type().clone(), f.is_nullable()))
                .collect();
            RecordBatch::try_new(Arc::new(Schema::new(fields)), cols).unwrap()
        })
        .collect()
}

const DAILY: &str = "SELECT facility, unit, date, census, newborn_census, admissions, discharges, \
    deaths, transfers_in, transfers_out, same_day, inpatient_service_days FROM daily_census";

/// `daily_census` as a map (facility, unit, Date32 day) → counts.
pub async fn daily_sql(ctx: &SessionContext) -> HashMap<(String, String, i32), [i64; 9]> {
    let mut m = HashMap::new();
    for b in collect(ctx, DAILY).await {
        let f = b.column(0).as_string::<i32>();
        let u = b.column(1).as_string::<i32>();
        let d = b.column(2).as_primitive::<Date32Type>();
        for r in 0..b.num_rows() {
            let mut v = [0i64; 9];
            for (i, x) in v.iter_mut().enumerate() {
                *x = b.column(3 + i).as_primitive::<Int64Type>().value(r);
            }
            let old = m.insert(
                (f.value(r).to_string(), u.value(r).to_string(), d.value(r)),
                v,
            );
            assert!(old.is_none(), "one row per unit and day");
        }
    }
    m
}

/// Daily rows of the SQL view equal `Aggregator::daily`; returns the number of non-empty days.
pub fn assert_daily_equal(
    agg: &Aggregator,
    mut sql: HashMap<(String, String, i32), [i64; 9]>,
) -> usize {
    let mut nonzero = 0;
    for row in agg.daily(&BedSchedule::new()) {
        let want = [
            row.census,
            row.newborn_census,
            row.admissions as i64,
            row.discharges as i64,
            row.deaths as i64,
            row.transfers_in as i64,
            row.transfers_out as i64,
            row.same_day as i64,
            row.inpatient_service_days as i64,
        ];
        let got = sql
            .remove(&(row.facility.clone(), row.unit.clone(), date32(row.date)))
            .unwrap_or([0; 9]);
        assert_eq!(got, want, "{} {} {}", row.facility, row.unit, row.date);
        nonzero += usize::from(want != [0; 9]);
    }
    assert!(
        sql.is_empty(),
        "SQL rows medrec-stats does not have: {:?}",
        sql.keys().take(5).collect::<Vec<_>>()
    );
    nonzero
}

const PERIOD: &str = "SELECT facility, unit, population, census_start, census_end, admissions, \
    admissions_from_other_hospitals, discharges, deaths, transfers_in, transfers_out, same_day, \
    inpatient_service_days, total_length_of_stay, average_daily_census, average_length_of_stay, \
    gross_death_rate FROM period_census";

/// (counts, rates) per (facility, unit, population).
pub type PeriodMap = HashMap<(String, String, String), ([i64; 11], [Option<f64>; 3])>;

pub async fn period_sql(ctx: &SessionContext) -> PeriodMap {
    let mut m = HashMap::new();
    for b in collect(ctx, PERIOD).await {
        for r in 0..b.num_rows() {
            let s = |c: usize| b.column(c).as_string::<i32>().value(r).to_string();
            let mut v = [0i64; 11];
            for (i, x) in v.iter_mut().enumerate() {
                *x = b.column(3 + i).as_primitive::<Int64Type>().value(r);
            }
            let mut f = [None; 3];
            for (i, x) in f.iter_mut().enumerate() {
                let a = b.column(14 + i).as_primitive::<Float64Type>();
                *x = a.is_valid(r).then(|| a.value(r));
            }
            m.insert((s(0), s(1), s(2)), (v, f));
        }
    }
    m
}

/// The unit rows (both populations) of `Aggregator::report(GroupBy::Unit)` equal the SQL view.
pub fn assert_period_equal(agg: &Aggregator, mut sql: PeriodMap) -> usize {
    let rows = agg.report(GroupBy::Unit, &BedSchedule::new()).unwrap();
    let mut compared = 0;
    for row in rows {
        if row.population == PopulationScope::Total {
            continue;
        }
        let want = [
            row.census_start,
            row.census_end,
            row.admissions as i64,
            row.admissions_from_other_hospitals as i64,
            row.discharges as i64,
            row.deaths as i64,
            row.transfers_in as i64,
            row.transfers_out as i64,
            row.same_day as i64,
            row.inpatient_service_days as i64,
            row.total_length_of_stay as i64,
        ];
        let key = (
            row.facility.clone().unwrap_or_default(),
            row.group.clone(),
            row.population.as_str().to_string(),
        );
        match sql.remove(&key) {
            Some((got, rates)) => {
                assert_eq!(got, want, "{key:?}");
                assert_eq!(rates[0], row.average_daily_census, "{key:?} ADC");
                assert_eq!(rates[1], row.average_length_of_stay, "{key:?} ALOS");
                assert_eq!(rates[2], row.gross_death_rate, "{key:?} gross death rate");
                compared += 1;
            }
            None => assert_eq!(want, [0; 11], "{key:?} missing from SQL"),
        }
    }
    assert!(
        sql.is_empty(),
        "SQL rows medrec-stats does not have: {:?}",
        sql.keys().collect::<Vec<_>>()
    );
    compared
}

/// Every `.json` file under `dir` (recursively), sorted: synth's Bundle layout.
pub fn json_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|e| e == "json") {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.sort();
    out
}
