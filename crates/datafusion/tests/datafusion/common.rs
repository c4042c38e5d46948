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
    Aggregator, AggregatorConfig, BedSchedule, GroupBy, Period, PeriodStats, PopulationScope, Stay,
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

/// The integer columns of `period_census` compared with `PeriodStats`.
const PERIOD_COUNTS: [&str; 25] = [
    "census_start",
    "census_end",
    "admissions",
    "admissions_from_other_hospitals",
    "discharges",
    "discharges_to_other_facilities",
    "deaths",
    "deaths_under_48h",
    "transfers_in",
    "transfers_out",
    "births",
    "live_births",
    "stillbirths",
    "same_day",
    "inpatient_service_days",
    "total_length_of_stay",
    "maternal_deaths",
    "obstetric_discharges",
    "deliveries",
    "cesareans",
    "autopsies",
    "infections",
    "consultations",
    "charged_stays",
    "days",
];

/// The floating-point columns of `period_census` compared with `PeriodStats` (exact equality).
const PERIOD_RATES: [&str; 16] = [
    "total_charges",
    "average_daily_census",
    "average_length_of_stay",
    "gross_death_rate",
    "net_death_rate",
    "newborn_death_rate",
    "fetal_death_rate",
    "maternal_death_rate",
    "cesarean_rate",
    "gross_autopsy_rate",
    "net_autopsy_rate",
    "hospital_autopsy_rate",
    "infection_rate",
    "consultation_rate",
    "mean_charges_per_stay",
    "charges_per_patient_day",
];

/// The `PeriodStats` values of [`PERIOD_COUNTS`] and [`PERIOD_RATES`].
fn period_values(row: &PeriodStats) -> (Vec<i64>, Vec<Option<f64>>) {
    let u = |x: u64| x as i64;
    let counts = vec![
        row.census_start,
        row.census_end,
        u(row.admissions),
        u(row.admissions_from_other_hospitals),
        u(row.discharges),
        u(row.discharges_to_other_facilities),
        u(row.deaths),
        u(row.deaths_under_48h),
        u(row.transfers_in),
        u(row.transfers_out),
        u(row.births),
        u(row.live_births),
        u(row.stillbirths),
        u(row.same_day),
        u(row.inpatient_service_days),
        u(row.total_length_of_stay),
        u(row.maternal_deaths),
        u(row.obstetric_discharges),
        u(row.deliveries),
        u(row.cesareans),
        u(row.autopsies),
        u(row.infections),
        u(row.consultations),
        u(row.charged_stays),
        i64::from(row.days),
    ];
    let rates = vec![
        Some(row.total_charges),
        row.average_daily_census,
        row.average_length_of_stay,
        row.gross_death_rate,
        row.net_death_rate,
        row.newborn_death_rate,
        row.fetal_death_rate,
        row.maternal_death_rate,
        row.cesarean_rate,
        row.gross_autopsy_rate,
        row.net_autopsy_rate,
        row.hospital_autopsy_rate,
        row.infection_rate,
        row.consultation_rate,
        row.mean_charges_per_stay,
        row.charges_per_patient_day,
    ];
    (counts, rates)
}

/// (counts, rates) per (facility, unit, population), in the order of [`PERIOD_COUNTS`] and
/// [`PERIOD_RATES`].
pub type PeriodMap = HashMap<(String, String, String), (Vec<i64>, Vec<Option<f64>>)>;

pub async fn period_sql(ctx: &SessionContext) -> PeriodMap {
    let sql = format!(
        "SELECT facility, unit, population, {}, {} FROM period_census",
        PERIOD_COUNTS.join(", "),
        PERIOD_RATES.join(", ")
    );
    let mut m = HashMap::new();
    for b in collect(ctx, &sql).await {
        for r in 0..b.num_rows() {
            let s = |c: usize| b.column(c).as_string::<i32>().value(r).to_string();
            let counts = (0..PERIOD_COUNTS.len())
                .map(|i| b.column(3 + i).as_primitive::<Int64Type>().value(r))
                .collect();
            let rates = (0..PERIOD_RATES.len())
                .map(|i| {
                    let a = b
                        .column(3 + PERIOD_COUNTS.len() + i)
                        .as_primitive::<Float64Type>();
                    a.is_valid(r).then(|| a.value(r))
                })
                .collect();
            let old = m.insert((s(0), s(1), s(2)), (counts, rates));
            assert!(old.is_none(), "one row per unit and population");
        }
    }
    m
}

/// Column sums of the period rows, by name (to check a population exercises a column).
pub fn period_totals(sql: &PeriodMap) -> HashMap<&'static str, f64> {
    let mut t: HashMap<&'static str, f64> = HashMap::new();
    for (counts, rates) in sql.values() {
        for (name, v) in PERIOD_COUNTS.iter().zip(counts) {
            *t.entry(name).or_default() += *v as f64;
        }
        for (name, v) in PERIOD_RATES.iter().zip(rates) {
            *t.entry(name).or_default() += v.unwrap_or(0.0);
        }
    }
    t
}

/// The unit rows (both populations) of `Aggregator::report(GroupBy::Unit)` equal the SQL view,
/// field by field; returns the number of rows compared.
pub fn assert_period_equal(agg: &Aggregator, mut sql: PeriodMap) -> usize {
    let rows = agg.report(GroupBy::Unit, &BedSchedule::new()).unwrap();
    let mut compared = 0;
    for row in rows {
        if row.population == PopulationScope::Total {
            continue;
        }
        let (mut want, want_rates) = period_values(&row);
        let key = (
            row.facility.clone().unwrap_or_default(),
            row.group.clone(),
            row.population.as_str().to_string(),
        );
        match sql.remove(&key) {
            Some((got, rates)) => {
                for (i, name) in PERIOD_COUNTS.iter().enumerate() {
                    assert_eq!(got[i], want[i], "{key:?} {name}");
                }
                for (i, name) in PERIOD_RATES.iter().enumerate() {
                    assert_eq!(rates[i], want_rates[i], "{key:?} {name}");
                }
                compared += 1;
            }
            None => {
                let days = want.pop();
                assert!(
                    want.iter().all(|&v| v == 0) && days == Some(i64::from(row.days)),
                    "{key:?} missing from SQL: {want:?}"
                );
            }
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
