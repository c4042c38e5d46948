//! The census and period statistics via SQL equal `medrec-stats` on synth populations, from
//! stays and from FHIR files.

use crate::common::*;
use datafusion::datasource::MemTable;
use datafusion::prelude::{SessionConfig, SessionContext};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use medrec_datafusion::census::{register_bed_views, register_census_views};
use medrec_datafusion::datafusion;
use medrec_datafusion::synth::{patient_stays, population};
use medrec_datafusion::tables::{
    FhirTable, StayTable, census_segments_schema, read_fhir_stays, register_fhir_tables,
    table_batches,
};
use medrec_stats::Stay;
use medrec_stats::fhir::FhirReadOptions;
use std::sync::Arc;

/// The census views over `census_segments` batches of `stays`, on `partitions` partitions.
async fn census_context(
    stays: &[Stay],
    tz: &TimeZone,
    first: Date,
    last: Date,
    partitions: usize,
) -> SessionContext {
    let batches = table_batches(StayTable::CensusSegments, stays, tz);
    let ctx =
        SessionContext::new_with_config(SessionConfig::new().with_target_partitions(partitions));
    medrec_datafusion::register_functions(&ctx);
    // Several partitions, so the census is assembled from partial aggregates.
    let parts: Vec<Vec<_>> = batches.iter().map(|b| vec![b.clone()]).collect();
    ctx.register_table(
        "census_segments",
        Arc::new(MemTable::try_new(census_segments_schema(), parts).unwrap()),
    )
    .unwrap();
    register_census_views(&ctx, first, last).await.unwrap();
    ctx
}

/// A population with many deaths (under 48 h too), autopsies, deliveries, cesareans,
/// stillbirths and newborn deaths, so every period column has something to count.
fn eventful_population(patients: u64, seed: u64) -> medrec_synth::Population {
    let mut cfg = medrec_synth::PopulationConfig {
        seed,
        patients,
        ..medrec_synth::PopulationConfig::default()
    };
    cfg.stays.death = 0.15;
    cfg.stays.death_under_48h = 0.4;
    cfg.stays.autopsy = 0.4;
    cfg.stays.delivery = 0.6;
    cfg.stays.cesarean = 0.4;
    cfg.stays.stillbirth = 0.1;
    cfg.stays.newborn_death = 0.1;
    medrec_synth::Population::new(cfg).unwrap()
}

#[tokio::test]
async fn sql_census_equals_medrec_stats_on_synth_stays() {
    for (patients, seed, partitions, eventful) in [
        (4000, 7, 2, false),
        (1500, 99, 1, false),
        (2500, 5, 2, true),
    ] {
        let pop = if eventful {
            eventful_population(patients, seed)
        } else {
            population(patients, seed).unwrap()
        };
        let cfg = pop.config();
        let tz = TimeZone::get(&cfg.time_zone).unwrap();
        let (first, last) = (cfg.from, cfg.to.yesterday().unwrap());
        let stays: Vec<Vec<Stay>> = patient_stays(&pop).collect();
        let agg = aggregate(&stays, &tz, first, last);
        let flat: Vec<Stay> = stays.concat();
        let ctx = census_context(&flat, &tz, first, last, partitions).await;
        let days = assert_daily_equal(&agg, daily_sql(&ctx).await);
        assert!(days > 100, "{days} non-empty unit days");
        let period = period_sql(&ctx).await;
        let totals = period_totals(&period);
        let rows = assert_period_equal(&agg, period);
        assert!(rows >= 4, "{rows} unit rows compared");
        // The comparison covers real counts, not zeros on both sides.
        let mut exercised = vec![
            "deaths",
            "deaths_under_48h",
            "net_death_rate",
            "births",
            "live_births",
            "deliveries",
            "cesareans",
            "cesarean_rate",
            "autopsies",
            "gross_autopsy_rate",
            "total_charges",
            "charged_stays",
            "infections",
            "consultations",
            "discharges_to_other_facilities",
        ];
        if eventful {
            exercised.extend(["stillbirths", "fetal_death_rate", "newborn_death_rate"]);
        }
        for name in exercised {
            assert!(totals[name] > 0.0, "{patients} patients: no {name}");
        }
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

/// A stay of facility `F` on `units` (unit, arrival), admitted at the first arrival.
fn stay(id: &str, units: &[(&str, &str)], discharged: Option<&str>) -> Stay {
    let ts = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
    let mut s = Stay::new(
        format!("p-{id}"),
        id,
        medrec_stats::EncounterClass::Inpatient,
        ts(units[0].1),
        discharged.map(ts),
    );
    s.facility = "F".into();
    s.units = units
        .iter()
        .map(|(u, from)| medrec_stats::UnitStay {
            unit: u.to_string(),
            from: ts(from),
            to: None,
        })
        .collect();
    s
}

/// The rules synth populations do not reach: medical-examiner cases, bodies not available,
/// maternal deaths, obstetric discharges, deliveries before the admission day, without a
/// delivery time, on an earlier unit or outside the period, births without a delivery, unknown
/// charges, patients still in house.
#[tokio::test]
async fn sql_period_statistics_equal_medrec_stats_on_edge_stays() {
    use medrec_stats::{AdmitSource, Delivery, Disposition};
    let ts = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
    let tz = TimeZone::get("America/Chicago").unwrap();
    let (first, last) = (
        jiff::civil::date(2024, 3, 1),
        jiff::civil::date(2024, 3, 31),
    );
    let mut stays = Vec::new();
    // Cesarean on L&D, then postpartum: the delivery counts on L&D, the discharge on Postpartum.
    let mut s = stay(
        "c-section",
        &[
            ("L&D", "2024-03-04T16:00:00Z"),
            ("Postpartum", "2024-03-06T14:00:00Z"),
        ],
        Some("2024-03-08T18:00:00Z"),
    );
    s.delivery = Some(Delivery::Cesarean);
    s.delivered = Some(ts("2024-03-05T15:00:00Z"));
    s.live_births = 2;
    s.obstetric = true;
    s.charges_cents = Some(1_234_567);
    stays.push(s);
    // A vaginal delivery without a time (counts on the discharge day), a stillbirth, and a
    // direct maternal death: a medical examiner's case, not autopsied, body not available.
    let mut s = stay(
        "maternal-death",
        &[
            ("L&D", "2024-03-10T16:00:00Z"),
            ("ICU", "2024-03-11T02:00:00Z"),
        ],
        Some("2024-03-13T11:00:00Z"),
    );
    s.delivery = Some(Delivery::Vaginal);
    s.stillbirths = 1;
    s.obstetric = true;
    s.direct_maternal_death = true;
    s.disposition = Disposition::Died;
    s.death_time = Some(ts("2024-03-13T10:30:00Z"));
    s.autopsy.medical_examiner_case = true;
    s.autopsy.body_available = Some(false);
    stays.push(s);
    // Delivered before the admission day: no unit yet, so it counts on the last unit.
    let mut s = stay(
        "born-before-arrival",
        &[
            ("Med", "2024-03-15T16:00:00Z"),
            ("Postpartum", "2024-03-16T16:00:00Z"),
        ],
        Some("2024-03-18T16:00:00Z"),
    );
    s.delivery = Some(Delivery::Vaginal);
    s.delivered = Some(ts("2024-03-14T12:00:00Z"));
    s.live_births = 1;
    stays.push(s);
    // Z37 births without a delivery procedure.
    let mut s = stay(
        "births-only",
        &[("Postpartum", "2024-03-20T16:00:00Z")],
        Some("2024-03-21T16:00:00Z"),
    );
    s.live_births = 1;
    stays.push(s);
    // Delivered before the period, discharged in it.
    let mut s = stay(
        "february",
        &[
            ("L&D", "2024-02-27T16:00:00Z"),
            ("Postpartum", "2024-02-28T16:00:00Z"),
        ],
        Some("2024-03-02T16:00:00Z"),
    );
    s.delivery = Some(Delivery::Cesarean);
    s.delivered = Some(ts("2024-02-28T03:00:00Z"));
    s.live_births = 1;
    s.obstetric = true;
    stays.push(s);
    // A newborn who dies within 48 hours, autopsied.
    let mut s = stay(
        "newborn",
        &[("Nursery", "2024-03-05T15:30:00Z")],
        Some("2024-03-06T20:00:00Z"),
    );
    s.admit_source = AdmitSource::Born;
    s.disposition = Disposition::Died;
    s.autopsy.performed = true;
    s.charges_cents = Some(99_999);
    stays.push(s);
    // A newborn going home.
    let mut s = stay(
        "newborn-home",
        &[("Nursery", "2024-03-05T15:30:00Z")],
        Some("2024-03-07T20:00:00Z"),
    );
    s.admit_source = AdmitSource::Born;
    stays.push(s);
    // Adult deaths: under 48 h, a medical examiner's case that was autopsied; after 48 h, a
    // medical examiner's case not autopsied (body availability unknown).
    let mut s = stay(
        "death-early",
        &[("Med", "2024-03-20T16:00:00Z")],
        Some("2024-03-21T10:00:00Z"),
    );
    s.disposition = Disposition::Died;
    s.autopsy.performed = true;
    s.autopsy.medical_examiner_case = true;
    stays.push(s);
    let mut s = stay(
        "death-late",
        &[("Med", "2024-03-02T16:00:00Z")],
        Some("2024-03-25T10:00:00Z"),
    );
    s.disposition = Disposition::Died;
    s.death_time = Some(ts("2024-03-25T09:00:00Z"));
    s.autopsy.medical_examiner_case = true;
    s.charges_cents = Some(5_000_001);
    stays.push(s);
    // Transferred to another facility, with infections and a consultation.
    let mut s = stay(
        "transfer",
        &[("Med", "2024-03-03T16:00:00Z")],
        Some("2024-03-09T16:00:00Z"),
    );
    s.disposition = Disposition::TransferToOtherFacility;
    s.hospital_acquired_infections = 2;
    s.consultation = true;
    s.charges_cents = Some(0);
    stays.push(s);
    // Still in house: nothing discharge-based counts.
    let mut s = stay("in-house", &[("Med", "2024-03-28T16:00:00Z")], None);
    s.hospital_acquired_infections = 1;
    s.consultation = true;
    s.charges_cents = Some(777);
    stays.push(s);
    let patients: Vec<Vec<Stay>> = stays.iter().map(|s| vec![s.clone()]).collect();
    let agg = aggregate(&patients, &tz, first, last);
    for partitions in [1, 3] {
        let ctx = census_context(&stays, &tz, first, last, partitions).await;
        let period = period_sql(&ctx).await;
        let totals = period_totals(&period);
        let rows = assert_period_equal(&agg, period);
        assert_eq!(rows, 5, "unit rows compared");
        for (name, want) in [
            ("deliveries", 3.0),
            ("cesareans", 1.0),
            ("live_births", 4.0),
            ("stillbirths", 1.0),
            ("births", 2.0),
            ("deaths", 4.0),
            ("deaths_under_48h", 2.0),
            ("autopsies", 2.0),
            ("maternal_deaths", 1.0),
            ("obstetric_discharges", 3.0),
            ("infections", 2.0),
            ("consultations", 1.0),
            ("discharges_to_other_facilities", 1.0),
            ("charged_stays", 4.0),
        ] {
            assert_eq!(totals[name], want, "{name}");
        }
        // The delivery counts where the mother was that day.
        let b = collect(
            &ctx,
            "SELECT unit, SUM(deliveries) FROM census_cells WHERE deliveries > 0 \
             GROUP BY unit ORDER BY unit",
        )
        .await;
        let text = datafusion::arrow::util::pretty::pretty_format_batches(&b)
            .unwrap()
            .to_string();
        assert!(
            text.contains("| L&D        | 1")
                && text.contains("| Postpartum | 1")
                && text.contains("| ICU        | 1"),
            "{text}"
        );
    }
}

/// `period_beds` over a `beds` table equals the bed fields of `Aggregator::report(GroupBy::Unit,
/// &beds)` for the same bed schedule: bed and bassinet units, a count changing mid-period, a row
/// before the period, units without beds, a row for every facility, a unit known only from beds.
#[tokio::test]
async fn sql_bed_occupancy_equals_medrec_stats() {
    use datafusion::arrow::array::{Array, AsArray};
    use datafusion::arrow::array::{Date32Array, Int64Array, RecordBatch, StringArray};
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    use datafusion::arrow::datatypes::{Float64Type, Int64Type};
    use medrec_stats::{BedCountChange, BedKind, BedSchedule, GroupBy, PopulationScope};
    let pop = population(1500, 99).unwrap();
    let cfg = pop.config();
    let tz = TimeZone::get(&cfg.time_zone).unwrap();
    let (first, last) = (cfg.from, cfg.to.yesterday().unwrap());
    let stays: Vec<Vec<Stay>> = patient_stays(&pop).collect();
    let agg = aggregate(&stays, &tz, first, last);
    let newborn_units: std::collections::HashSet<(String, String)> = agg
        .report(GroupBy::Unit, &BedSchedule::new())
        .unwrap()
        .into_iter()
        .filter(|r| r.population == PopulationScope::Newborn && r.admissions > 0)
        .map(|r| (r.facility.unwrap_or_default(), r.group))
        .collect();
    assert!(!newborn_units.is_empty());
    let units = agg.opening_census_by_unit();
    let mut changes = Vec::new();
    let mid = first.checked_add(jiff::Span::new().days(100)).unwrap();
    let before = first.checked_sub(jiff::Span::new().days(3)).unwrap();
    let mut fallback_unit = None;
    for (i, (f, u, _)) in units.iter().enumerate() {
        let kind = if newborn_units.contains(&(f.clone(), u.clone())) {
            BedKind::Bassinet
        } else {
            BedKind::Bed
        };
        let n = 5 + i as u32;
        match i % 4 {
            0 => {
                changes.push((f.clone(), u.clone(), n, before, kind));
                changes.push((f.clone(), u.clone(), n + 3, mid, kind));
            }
            1 => changes.push((f.clone(), u.clone(), n, mid, kind)),
            2 if fallback_unit.is_none() => fallback_unit = Some(u.clone()),
            _ => {}
        }
    }
    // A row for every facility's unit of that name, and a unit only the beds file knows.
    let fallback = fallback_unit.expect("a unit for the every-facility row");
    changes.push((String::new(), fallback, 12, first, BedKind::Bed));
    changes.push((String::new(), "Overflow".to_string(), 4, mid, BedKind::Bed));
    let mut beds = BedSchedule::new();
    for (f, u, n, d, kind) in &changes {
        beds.insert(BedCountChange {
            facility: f.clone(),
            unit: u.clone(),
            beds: *n,
            effective_from: *d,
            kind: *kind,
        });
    }
    let schema = Arc::new(Schema::new(vec![
        Field::new("facility", DataType::Utf8, true),
        Field::new("unit", DataType::Utf8, false),
        Field::new("effective_from", DataType::Date32, false),
        Field::new("beds", DataType::Int64, false),
        Field::new("kind", DataType::Utf8, true),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(StringArray::from_iter(changes.iter().map(|c| {
                // The every-facility rows as NULL and as '' (both mean any facility).
                (!c.0.is_empty() || c.1 != "Overflow").then(|| c.0.clone())
            }))),
            Arc::new(StringArray::from_iter_values(
                changes.iter().map(|c| c.1.clone()),
            )),
            Arc::new(Date32Array::from_iter_values(
                changes
                    .iter()
                    .map(|c| medrec_datafusion::tables::date32(c.3)),
            )),
            Arc::new(Int64Array::from_iter_values(
                changes.iter().map(|c| i64::from(c.2)),
            )),
            Arc::new(StringArray::from_iter(changes.iter().map(|c| match c.4 {
                BedKind::Bassinet => Some("bassinet"),
                _ if c.2 % 2 == 0 => Some("bed"),
                _ => None,
            }))),
        ],
    )
    .unwrap();
    for partitions in [1, 2] {
        let flat: Vec<Stay> = stays.concat();
        let ctx = census_context(&flat, &tz, first, last, partitions).await;
        ctx.register_table(
            "beds",
            Arc::new(MemTable::try_new(schema.clone(), vec![vec![batch.clone()]]).unwrap()),
        )
        .unwrap();
        register_bed_views(&ctx, first, last).await.unwrap();
        let mut sql = std::collections::HashMap::new();
        for b in collect(
            &ctx,
            "SELECT facility, unit, population, bed_count_days, bed_occupancy_rate, \
             bed_turnover_direct, bed_turnover_indirect, days FROM period_beds",
        )
        .await
        {
            for r in 0..b.num_rows() {
                let s = |c: usize| b.column(c).as_string::<i32>().value(r).to_string();
                let f = |c: usize| {
                    let a = b.column(c).as_primitive::<Float64Type>();
                    a.is_valid(r).then(|| a.value(r))
                };
                let bcd = b.column(3).as_primitive::<Int64Type>().value(r);
                let old = sql.insert((s(0), s(1), s(2)), (bcd as u64, f(4), f(5), f(6)));
                assert!(old.is_none());
            }
        }
        let mut compared = [0usize; 3];
        for row in agg.report(GroupBy::Unit, &beds).unwrap() {
            if row.population == PopulationScope::Total {
                continue;
            }
            let key = (
                row.facility.clone().unwrap_or_default(),
                row.group.clone(),
                row.population.as_str().to_string(),
            );
            let want = (
                row.bed_count_days.unwrap(),
                row.bed_occupancy_rate,
                row.bed_turnover_direct,
                row.bed_turnover_indirect,
            );
            let got = sql.remove(&key).unwrap_or((0, None, None, None));
            assert_eq!(got, want, "{key:?}");
            compared[0] += usize::from(want.0 > 0);
            compared[1] += usize::from(want.1.is_some_and(|o| o > 0.0));
            compared[2] += usize::from(key.1 == "Overflow");
        }
        assert!(
            sql.is_empty(),
            "SQL rows medrec-stats does not have: {sql:?}"
        );
        assert!(compared[0] >= 4 && compared[1] >= 2, "{compared:?}");
        assert!(
            compared[2] >= 2,
            "the beds-only unit in every facility: {compared:?}"
        );
        // Daily rows: beds of the day and occupancy, as `Aggregator::daily`.
        let mut daily = std::collections::HashMap::new();
        for b in collect(
            &ctx,
            "SELECT facility, unit, date, beds, occupancy_rate FROM daily_beds",
        )
        .await
        {
            for r in 0..b.num_rows() {
                let s = |c: usize| b.column(c).as_string::<i32>().value(r).to_string();
                let day = b
                    .column(2)
                    .as_primitive::<datafusion::arrow::datatypes::Date32Type>()
                    .value(r);
                let occ = b.column(4).as_primitive::<Float64Type>();
                let v = (
                    b.column(3).as_primitive::<Int64Type>().value(r) as u64,
                    occ.is_valid(r).then(|| occ.value(r)),
                );
                assert!(daily.insert((s(0), s(1), day), v).is_none());
            }
        }
        let mut with_beds = 0;
        for row in agg.daily(&beds) {
            let key = (
                row.facility.clone(),
                row.unit.clone(),
                medrec_datafusion::tables::date32(row.date),
            );
            let got = daily.remove(&key).unwrap_or((0, None));
            assert_eq!(got, (row.beds, row.occupancy_rate), "{key:?}");
            with_beds += usize::from(row.beds > 0);
        }
        assert!(daily.is_empty(), "SQL rows medrec-stats does not have");
        assert!(with_beds > 100, "{with_beds} unit days with beds");
    }
}

// ---------------------------------------------------------------------------------------------
// `period_stats`: the whole report (every grouping and population, readmissions, charge
// medians, top codes) against `Aggregator::report`.

use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Date32Type, Float64Type, Int64Type};
use medrec_datafusion::period_stats::{PERIOD_STATS_COLUMNS, register_period_stats};
use medrec_stats::report::PERIOD_CSV_COLUMNS;
use medrec_stats::{BedSchedule, GroupBy};
use std::collections::HashMap;

/// Every grouping the report has.
pub(crate) const GROUPINGS: [GroupBy; 6] = [
    GroupBy::None,
    GroupBy::Facility,
    GroupBy::Unit,
    GroupBy::Service,
    GroupBy::Payer,
    GroupBy::DiagnosisGroup,
];

/// The aggregator with every grouping, fed patient by patient (`add_patient` links the
/// readmissions).
pub(crate) fn aggregate_all(
    patients: &[Vec<Stay>],
    tz: &TimeZone,
    first: Date,
    last: Date,
) -> medrec_stats::Aggregator {
    let mut config = medrec_stats::AggregatorConfig::new(
        medrec_stats::Period::new(first, last).unwrap(),
        tz.clone(),
    );
    config.group_by = GROUPINGS.to_vec();
    let mut agg = medrec_stats::Aggregator::new(config);
    for p in patients {
        let errors = agg.add_patient(p);
        assert!(errors.is_empty(), "{errors:?}");
    }
    agg
}

/// Gives synth's stays the attributes its ADT mapping leaves empty, deterministically: a payer
/// (by patient), a service (by first unit) and the CCSR category of the principal diagnosis
/// (as `medrec-stats`' FHIR reader fills it); about one in seven stays lacks each.
pub(crate) fn with_groups(patients: &mut [Vec<Stay>]) {
    for (i, p) in patients.iter_mut().enumerate() {
        with_groups_of(i, p);
    }
}

/// [`with_groups`] for the `i`-th patient's stays.
pub(crate) fn with_groups_of(i: usize, stays: &mut [Stay]) {
    const PAYERS: [&str; 4] = ["medicare", "medicaid", "commercial", "self_pay"];
    const SERVICES: [&str; 3] = ["medicine", "surgery", "women_and_children"];
    let ccsr = medrec_codes::clinical::ccsr::CcsrMap::embedded();
    {
        for (j, s) in stays.iter_mut().enumerate() {
            let h = i * 31 + j * 7;
            s.payer = (i % 7 != 3).then(|| PAYERS[i % 4].to_string());
            let unit_hash = s
                .units
                .first()
                .map_or(0, |u| u.unit.bytes().map(usize::from).sum::<usize>());
            s.service = (h % 7 != 5).then(|| SERVICES[unit_hash % 3].to_string());
            s.diagnosis_group = s
                .diagnoses
                .first()
                .filter(|_| h % 7 != 1)
                .and_then(|d| ccsr.categories(&d.code).first())
                .map(|c| c.as_str().to_string());
        }
    }
}

/// A context with the four stay tables of `stays` (each batch its own partition), the census
/// views and `period_stats`.
pub(crate) async fn stats_context(
    stays: &[Stay],
    tz: &TimeZone,
    first: Date,
    last: Date,
    partitions: usize,
) -> SessionContext {
    let ctx =
        SessionContext::new_with_config(SessionConfig::new().with_target_partitions(partitions));
    medrec_datafusion::register_functions(&ctx);
    for table in [
        StayTable::CensusSegments,
        StayTable::Encounters,
        StayTable::Diagnoses,
        StayTable::Procedures,
    ] {
        // Small batches, several partitions: the statistics come from partial aggregates.
        let n_parts = partitions.max(1);
        let mut parts: Vec<Vec<RecordBatch>> = vec![Vec::new(); n_parts];
        for (i, b) in table_batches(table, stays, tz).into_iter().enumerate() {
            for k in (0..b.num_rows()).step_by(997) {
                let n = 997.min(b.num_rows() - k);
                parts[(i + k) % n_parts].push(b.slice(k, n));
            }
        }
        let name = match table {
            StayTable::CensusSegments => "census_segments",
            StayTable::Encounters => "encounters",
            StayTable::Diagnoses => "diagnoses",
            _ => "procedures",
        };
        ctx.register_table(
            name,
            Arc::new(MemTable::try_new(table.schema(tz), parts).unwrap()),
        )
        .unwrap();
    }
    register_census_views(&ctx, first, last).await.unwrap();
    register_period_stats(&ctx, first, last).await.unwrap();
    ctx
}

/// A `period_stats` cell as `PeriodStats::csv_record` writes the field.
fn csv_cell(column: &str, array: &dyn Array, row: usize) -> String {
    if array.is_null(row) {
        return String::new();
    }
    match array.data_type() {
        DataType::Utf8 => array.as_string::<i32>().value(row).to_string(),
        DataType::Int64 => array.as_primitive::<Int64Type>().value(row).to_string(),
        DataType::Boolean => array.as_boolean().value(row).to_string(),
        DataType::Date32 => {
            medrec_stats::clock::date_of_day(array.as_primitive::<Date32Type>().value(row))
                .to_string()
        }
        DataType::Float64 => {
            let x = array.as_primitive::<Float64Type>().value(row);
            if column == "total_charges" {
                format!("{x:.2}")
            } else {
                format!("{x}")
            }
        }
        DataType::List(_) => {
            let list = array.as_list::<i32>().value(row);
            let s = list.as_struct();
            let code = datafusion::arrow::compute::cast(s.column(0), &DataType::Utf8).unwrap();
            let count = s.column(1).as_primitive::<Int64Type>();
            (0..s.len())
                .map(|i| format!("{}:{}", code.as_string::<i32>().value(i), count.value(i)))
                .collect::<Vec<_>>()
                .join(";")
        }
        t => panic!("{column}: unexpected type {t}"),
    }
}

/// `period_stats` as CSV records keyed by (group_by, group, facility, population).
pub(crate) async fn period_stats_records(
    ctx: &SessionContext,
) -> HashMap<(String, String, String, String), Vec<String>> {
    let mut out = HashMap::new();
    for b in collect(ctx, "SELECT * FROM period_stats").await {
        let names: Vec<String> = b
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        assert_eq!(names, PERIOD_STATS_COLUMNS);
        for r in 0..b.num_rows() {
            let rec: Vec<String> = names
                .iter()
                .enumerate()
                .map(|(i, n)| csv_cell(n, b.column(i).as_ref(), r))
                .collect();
            let key = (
                rec[2].clone(),
                rec[3].clone(),
                rec[4].clone(),
                rec[5].clone(),
            );
            assert!(out.insert(key.clone(), rec).is_none(), "{key:?} twice");
        }
    }
    out
}

/// Every row of `Aggregator::report` for every grouping equals the `period_stats` row of the
/// same grouping, group, facility and population, field by field, and SQL has no other rows.
/// Returns the column totals of the report (to check a population exercises a column).
pub(crate) fn assert_report_equal(
    agg: &medrec_stats::Aggregator,
    mut sql: HashMap<(String, String, String, String), Vec<String>>,
) -> HashMap<&'static str, f64> {
    assert_eq!(PERIOD_STATS_COLUMNS.as_slice(), PERIOD_CSV_COLUMNS);
    let mut totals: HashMap<&'static str, f64> = HashMap::new();
    for g in GROUPINGS {
        for row in agg.report(g, &BedSchedule::new()).unwrap() {
            let want = row.csv_record();
            let key = (
                want[2].clone(),
                want[3].clone(),
                want[4].clone(),
                want[5].clone(),
            );
            let got = sql
                .remove(&key)
                .unwrap_or_else(|| panic!("{key:?} missing from period_stats"));
            for (i, name) in PERIOD_CSV_COLUMNS.iter().enumerate() {
                assert_eq!(got[i], want[i], "{key:?} {name}");
                if let Ok(v) = want[i].parse::<f64>() {
                    *totals.entry(name).or_default() += v;
                } else if name.starts_with("top_") && !want[i].is_empty() {
                    *totals.entry(name).or_default() += 1.0;
                }
            }
            if row.median_charges_exact {
                *totals.entry("exact_medians").or_default() += 1.0;
            } else {
                *totals.entry("bucketed_medians").or_default() += 1.0;
            }
        }
    }
    assert!(
        sql.is_empty(),
        "period_stats rows medrec-stats does not have: {:?}",
        sql.keys().take(5).collect::<Vec<_>>()
    );
    totals
}

#[tokio::test]
async fn sql_period_stats_equal_the_medrec_stats_report_on_synth_stays() {
    for (patients, seed, partitions, eventful) in [(3000, 7, 2, false), (1500, 5, 3, true)] {
        let pop = if eventful {
            eventful_population(patients, seed)
        } else {
            population(patients, seed).unwrap()
        };
        let cfg = pop.config();
        let tz = TimeZone::get(&cfg.time_zone).unwrap();
        let (first, last) = (cfg.from, cfg.to.yesterday().unwrap());
        let mut stays: Vec<Vec<Stay>> = patient_stays(&pop).collect();
        with_groups(&mut stays);
        let agg = aggregate_all(&stays, &tz, first, last);
        let ctx = stats_context(&stays.concat(), &tz, first, last, partitions).await;
        let totals = assert_report_equal(&agg, period_stats_records(&ctx).await);
        for name in [
            "readmission_index_stays",
            "readmissions",
            "readmission_rate",
            "readmissions_admitted",
            "median_charges_per_stay",
            "top_diagnoses",
            "top_procedures",
            "births",
            "deliveries",
            "deaths",
            "transfers_in",
            "exact_medians",
        ] {
            assert!(
                totals.get(name).copied().unwrap_or(0.0) > 0.0,
                "{patients} patients: no {name}"
            );
        }
        // The views agree with each other: the unit rows of period_stats are period_census.
        let b = collect(
            &ctx,
            "SELECT count(*) FROM period_census p JOIN period_stats s \
             ON s.group_by = 'unit' AND s.facility = p.facility AND s.\"group\" = p.unit \
             AND s.population = p.population \
             WHERE s.admissions = p.admissions AND s.inpatient_service_days = p.inpatient_service_days \
             AND s.census_end = p.census_end",
        )
        .await;
        let n = b[0].column(0).as_primitive::<Int64Type>().value(0);
        let units = collect(&ctx, "SELECT count(*) FROM period_census").await;
        assert_eq!(n, units[0].column(0).as_primitive::<Int64Type>().value(0));
    }
}

/// A stay of `patient` on one unit of facility `F`, admitted and (maybe) discharged then.
fn patient_stay(
    patient: &str,
    id: &str,
    unit: &str,
    admitted: &str,
    discharged: Option<&str>,
) -> Stay {
    let mut s = stay(id, &[(unit, admitted)], discharged);
    s.patient_id = patient.to_string();
    s
}

/// The readmission links, charge medians and top codes on hand-built stays: index stays ending
/// in death, transfer to a hospital or against advice; a readmission exactly 30 census days
/// later (and one 31 days later) in the facility zone, after the period; a birth stay as index
/// but not as "previous stay"; overlapping stays; a stay flagged `is_readmission`; a patient
/// still in house; an observation stay between two inpatient ones; codes in every spelling,
/// ties and more than ten codes; an even number of charges and a unit with more than 4,096
/// distinct charges (the bucketed median); three facilities (one empty) and unknown groups.
#[tokio::test]
async fn sql_period_stats_equal_the_medrec_stats_report_on_edge_stays() {
    use medrec_stats::{AdmitSource, Disposition, EncounterClass, StayDiagnosis, StayProcedure};
    let tz = TimeZone::get("America/Chicago").unwrap();
    let (first, last) = (
        jiff::civil::date(2024, 3, 1),
        jiff::civil::date(2024, 3, 31),
    );
    let dx = |codes: &[&str]| -> Vec<StayDiagnosis> {
        codes
            .iter()
            .enumerate()
            .map(|(i, c)| StayDiagnosis {
                code: c.to_string(),
                principal: i == 0,
                present_on_admission: None,
                admitting: false,
            })
            .collect()
    };
    let px = |codes: &[&str]| -> Vec<StayProcedure> {
        codes
            .iter()
            .map(|c| StayProcedure {
                code: c.to_string(),
                performed: None,
                performer: None,
            })
            .collect()
    };
    let mut patients: Vec<Vec<Stay>> = Vec::new();
    // A: readmitted within 9 days; then exactly 30 census days later (Chicago), after the period.
    let mut a1 = patient_stay(
        "A",
        "a1",
        "Med",
        "2024-03-01T16:00:00Z",
        Some("2024-03-05T16:00:00Z"),
    );
    a1.diagnoses = dx(&[" e11.9 ", "I10", "i10", "\tJ18.9\n", ".", ""]);
    a1.procedures = px(&["0dtj4zz", "0DTJ4ZZ"]);
    a1.charges_cents = Some(100);
    a1.service = Some("medicine".into());
    a1.payer = Some("medicare".into());
    let mut a2 = patient_stay(
        "A",
        "a2",
        "Med",
        "2024-03-14T16:00:00Z",
        Some("2024-03-22T16:00:00Z"),
    );
    a2.diagnoses = dx(&["E119", "é11", "I10"]);
    a2.charges_cents = Some(300);
    a2.payer = Some("medicare".into());
    let a3 = patient_stay(
        "A",
        "a3",
        "Surg",
        "2024-04-21T16:00:00Z",
        Some("2024-04-23T16:00:00Z"),
    );
    patients.push(vec![a3, a1, a2]);
    // B: against advice (not an index stay), then 31 days: not a readmission.
    let mut b1 = patient_stay(
        "B",
        "b1",
        "Med",
        "2024-03-01T16:00:00Z",
        Some("2024-03-03T16:00:00Z"),
    );
    b1.disposition = Disposition::AgainstAdvice;
    b1.charges_cents = Some(500);
    let mut b2 = patient_stay(
        "B",
        "b2",
        "Med",
        "2024-03-08T16:00:00Z",
        Some("2024-03-12T16:00:00Z"),
    );
    b2.charges_cents = Some(900);
    b2.diagnoses = dx(&["C01", "C02", "C03", "C04", "C05", "C06", "C07", "C08"]);
    let b3 = patient_stay("B", "b3", "Med", "2024-04-12T16:00:00Z", None);
    patients.push(vec![b1, b2, b3]);
    // C: a birth stay is an index stay, but not the "previous stay" of the next admission.
    let mut c0 = patient_stay(
        "C",
        "c0",
        "Nursery",
        "2024-03-05T16:00:00Z",
        Some("2024-03-07T16:00:00Z"),
    );
    c0.admit_source = AdmitSource::Born;
    c0.diagnoses = dx(&["Z38.00", "P59.9"]);
    let mut c1 = patient_stay(
        "C",
        "c1",
        "Peds",
        "2024-03-15T16:00:00Z",
        Some("2024-03-16T16:00:00Z"),
    );
    c1.diagnoses = dx(&["C09", "C10", "C11", "C12", "C01", "C02"]);
    c1.service = Some(String::new());
    patients.push(vec![c0, c1]);
    // D: overlapping stays; the last one a transfer to another hospital.
    let d1 = patient_stay(
        "D",
        "d1",
        "Med",
        "2024-03-01T16:00:00Z",
        Some("2024-03-20T16:00:00Z"),
    );
    let d2 = patient_stay(
        "D",
        "d2",
        "ICU",
        "2024-03-10T16:00:00Z",
        Some("2024-03-12T16:00:00Z"),
    );
    let mut d3 = patient_stay(
        "D",
        "d3",
        "ICU",
        "2024-03-25T16:00:00Z",
        Some("2024-03-27T16:00:00Z"),
    );
    d3.disposition = Disposition::TransferToHospital;
    let mut d4 = patient_stay(
        "D",
        "d4",
        "ICU",
        "2024-03-28T16:00:00Z",
        Some("2024-03-29T16:00:00Z"),
    );
    d4.disposition = Disposition::Died;
    let d5 = patient_stay(
        "D",
        "d5",
        "ICU",
        "2024-03-30T16:00:00Z",
        Some("2024-03-30T18:00:00Z"),
    );
    patients.push(vec![d1, d2, d3, d4, d5]);
    // E: a stay the feed flags as a readmission; another facility.
    let mut e1 = patient_stay(
        "E",
        "e1",
        "Med",
        "2024-03-11T16:00:00Z",
        Some("2024-03-13T16:00:00Z"),
    );
    e1.is_readmission = true;
    e1.facility = "G".into();
    patients.push(vec![e1]);
    // F: readmitted and still in house at the end; an empty facility.
    let mut f1 = patient_stay(
        "F",
        "f1",
        "Med",
        "2024-03-01T16:00:00Z",
        Some("2024-03-02T16:00:00Z"),
    );
    let mut f2 = patient_stay("F", "f2", "Med", "2024-03-28T16:00:00Z", None);
    f1.facility = String::new();
    f2.facility = String::new();
    patients.push(vec![f1, f2]);
    // G: an observation stay between two inpatient stays does not link them.
    let g1 = patient_stay(
        "G",
        "g1",
        "Med",
        "2024-03-01T16:00:00Z",
        Some("2024-03-05T16:00:00Z"),
    );
    let mut g2 = patient_stay(
        "G",
        "g2",
        "Med",
        "2024-03-07T16:00:00Z",
        Some("2024-03-07T20:00:00Z"),
    );
    g2.class = EncounterClass::Observation;
    let g3 = patient_stay(
        "G",
        "g3",
        "Med",
        "2024-04-20T16:00:00Z",
        Some("2024-04-22T16:00:00Z"),
    );
    patients.push(vec![g1, g2, g3]);
    // 4,100 one-day stays with distinct charges: a bucketed median.
    for i in 0..4100 {
        let mut s = patient_stay(
            &format!("bulk-{i}"),
            &format!("bulk-{i}"),
            "Bulk",
            "2024-03-10T16:00:00Z",
            Some("2024-03-11T16:00:00Z"),
        );
        s.charges_cents = Some(1000 + 37 * i);
        s.payer = Some(["medicaid", "commercial"][i as usize % 2].into());
        s.diagnosis_group = Some("RSP002".into());
        patients.push(vec![s]);
    }
    let agg = aggregate_all(&patients, &tz, first, last);
    let flat = patients.concat();
    for partitions in [1, 3] {
        let ctx = stats_context(&flat, &tz, first, last, partitions).await;
        let totals = assert_report_equal(&agg, period_stats_records(&ctx).await);
        for name in [
            "bucketed_medians",
            "exact_medians",
            "readmissions",
            "readmissions_admitted",
        ] {
            assert!(totals.get(name).copied().unwrap_or(0.0) > 0.0, "no {name}");
        }
        // The links themselves.
        let b = collect(
            &ctx,
            "SELECT encounter_id, readmitted, readmission FROM stay_readmissions \
             WHERE patient_id NOT LIKE 'bulk-%' ORDER BY encounter_id",
        )
        .await;
        let text = datafusion::arrow::util::pretty::pretty_format_batches(&b)
            .unwrap()
            .to_string();
        let want = [
            "| a1           | true       | false       |",
            "| a2           | true       | true        |",
            "| a3           | false      | true        |",
            "| b1           |            | false       |",
            "| b2           | false      | false       |",
            "| b3           |            | false       |",
            "| c0           | true       | false       |",
            "| c1           | false      | false       |",
            "| d1           | true       | false       |",
            "| d2           | true       | false       |",
            "| d3           |            | true        |",
            "| d4           |            | false       |",
            "| d5           | false      | false       |",
            "| e1           | false      | true        |",
            "| f1           | true       | false       |",
            "| f2           |            | true        |",
            "| g1           | false      | false       |",
            "| g3           | false      | false       |",
        ];
        for line in want {
            assert!(text.contains(line), "{line}\n{text}");
        }
    }
}
