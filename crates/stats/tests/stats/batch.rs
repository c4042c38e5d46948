//! `StayBatch` + `Aggregator::add_batch` count exactly what `Aggregator::add_stays` counts:
//! every report field (all groupings, whole / daily / monthly rows, code counts, charge
//! medians), every daily row, the opening census, the totals, the feed counts and the errors —
//! for any split of the stays into batches, streamed through one reused batch, mixed with
//! `add_stays`, and after a population split merged.

use crate::props::{Gen, gen_stay, stays_of};
use jiff::Timestamp;
use jiff::civil::date;
use jiff::tz::TimeZone;
use medrec_stats::{
    Aggregator, AggregatorConfig, BedSchedule, GroupBy, Period, Split, Stay, StayBatch,
    StayDiagnosis, StayProcedure, UnitStay,
};
use proptest::prelude::*;

/// What the common generator does not vary, varied here.
#[derive(Debug, Clone)]
struct Extra {
    facility: u8,
    /// 0: as generated; 1: unit history shuffled (out of order, same instants); 2: entries
    /// before the admission and after the discharge; 3: no unit history.
    history: u8,
    delivered_h: Option<i64>,
    readmitted: Option<bool>,
    is_readmission: bool,
    death_time_h: Option<i64>,
    body_available: Option<bool>,
    service: Option<u8>,
    group: Option<u8>,
    codes: Vec<u8>,
    procedures: Vec<u8>,
    /// Discharged this many hours before admitted (a rejected stay).
    reject: Option<u8>,
    sub_second: u32,
}

fn gen_extra() -> impl Strategy<Value = Extra> {
    (
        (0u8..3, 0u8..4, proptest::option::weighted(0.3, -50i64..600)),
        (
            proptest::option::of(any::<bool>()),
            any::<bool>(),
            proptest::option::weighted(0.3, 0i64..100),
            proptest::option::of(any::<bool>()),
        ),
        (
            proptest::option::of(0u8..3),
            proptest::option::of(0u8..3),
            proptest::collection::vec(0u8..6, 0..3),
            proptest::collection::vec(0u8..4, 0..2),
        ),
        (
            proptest::option::weighted(0.05, 1u8..30),
            prop_oneof![Just(0u32), 1u32..1_000_000_000],
        ),
    )
        .prop_map(
            |(
                (facility, history, delivered_h),
                (readmitted, is_readmission, death_time_h, body_available),
                (service, group, codes, procedures),
                (reject, sub_second),
            )| Extra {
                facility,
                history,
                delivered_h,
                readmitted,
                is_readmission,
                death_time_h,
                body_available,
                service,
                group,
                codes,
                procedures,
                reject,
                sub_second,
            },
        )
}

const DIAGNOSES: [&str; 6] = ["I10", "i10", "E11.9", " J18.9 ", "", "O80"];
const PROCEDURES: [&str; 4] = ["10D00Z1", "0DTJ4ZZ", ".", "10E0XZZ"];

fn vary(mut s: Stay, e: &Extra, i: usize) -> Stay {
    let h = |t: Timestamp, hours: i64| {
        Timestamp::new(t.as_second() + hours * 3600, e.sub_second as i32).unwrap()
    };
    s.facility = ["", "North", "South"][e.facility as usize].to_string();
    match e.history {
        1 => {
            // Out of order, and two entries at one instant.
            s.units.reverse();
            if let Some(u) = s.units.first().cloned() {
                s.units.push(UnitStay {
                    unit: "ICU".into(),
                    ..u
                });
            }
        }
        2 => {
            s.units.insert(
                0,
                UnitStay {
                    unit: "ED-HOLD".into(),
                    from: h(s.admitted, -3),
                    to: None,
                },
            );
            if let Some(d) = s.discharged {
                s.units.push(UnitStay {
                    unit: "LATE".into(),
                    from: h(d, 2),
                    to: None,
                });
            }
        }
        3 => s.units.clear(),
        _ => {}
    }
    if i % 4 == 1 {
        // Long look-alike names (equal length, first and last 4 bytes: equal cache tags).
        for u in &mut s.units {
            if let Some(k) = ["MED", "SURG", "ICU", "NURSERY"]
                .iter()
                .position(|n| *n == u.unit)
            {
                u.unit = format!("WARD-{k}-EAST");
            }
        }
    }
    s.delivered = e.delivered_h.map(|d| h(s.admitted, d));
    s.readmitted_within_30_days = e.readmitted;
    s.is_readmission = e.is_readmission;
    s.death_time = e.death_time_h.map(|d| h(s.admitted, d));
    s.autopsy.body_available = e.body_available;
    s.service = e
        .service
        .map(|k| ["medicine", "surgery", "obstetrics"][k as usize].into());
    s.diagnosis_group = e
        .group
        .map(|k| ["CIR007", "END002", "RSP002"][k as usize].into());
    if i % 3 == 0 {
        s.payer = None;
    }
    s.diagnoses
        .extend(e.codes.iter().enumerate().map(|(k, c)| StayDiagnosis {
            code: DIAGNOSES[*c as usize].into(),
            principal: false,
            present_on_admission: (k == 0).then_some('N'),
            admitting: false,
        }));
    if i % 5 == 0 {
        s.diagnoses.clear();
    }
    s.procedures = e
        .procedures
        .iter()
        .map(|c| StayProcedure {
            code: PROCEDURES[*c as usize].into(),
            performed: None,
            performer: None,
        })
        .collect();
    if let Some(r) = e.reject {
        s.discharged = Some(h(s.admitted, -i64::from(r)));
    }
    if e.sub_second != 0 {
        s.admitted = Timestamp::new(s.admitted.as_second(), e.sub_second as i32).unwrap();
    }
    s
}

fn stays(gens: &[(Gen, Extra)]) -> Vec<Stay> {
    let base: Vec<Gen> = gens.iter().map(|(g, _)| g.clone()).collect();
    stays_of(&base)
        .into_iter()
        .zip(gens)
        .enumerate()
        .map(|(i, (s, (_, e)))| vary(s, e, i))
        .collect()
}

fn tz_of(i: u8) -> TimeZone {
    match i {
        0 => TimeZone::UTC,
        1 => TimeZone::get("America/New_York").unwrap(),
        _ => TimeZone::get("Asia/Kolkata").unwrap(),
    }
}

fn config(tz: &TimeZone, split: u8, period: u8) -> AggregatorConfig {
    let period = if period == 0 {
        Period::month(2024, 3).unwrap()
    } else {
        Period::new(date(2024, 2, 20), date(2024, 4, 5)).unwrap()
    };
    let mut c = AggregatorConfig::new(period, tz.clone());
    c.split = [Split::Whole, Split::Day, Split::Month][split as usize % 3];
    c.group_by = vec![GroupBy::Payer, GroupBy::Service, GroupBy::DiagnosisGroup];
    c
}

fn beds() -> BedSchedule {
    BedSchedule::parse_csv(
        "unit,beds,effective_from,kind\nMED,4,2024-01-01,bed\nSURG,3,2024-01-01,bed\nICU,2,2024-01-01,bed\nNURSERY,3,2024-01-01,bassinet\n",
    )
    .unwrap()
}

/// Everything an aggregate reports, as JSON (equal JSON = equal results).
fn everything(a: &Aggregator) -> serde_json::Value {
    let b = beds();
    let mut v = Vec::new();
    for g in [
        GroupBy::None,
        GroupBy::Facility,
        GroupBy::Unit,
        GroupBy::Payer,
        GroupBy::Service,
        GroupBy::DiagnosisGroup,
    ] {
        v.push(serde_json::to_value(a.report(g, &b).unwrap()).unwrap());
    }
    v.push(serde_json::to_value(a.daily(&b)).unwrap());
    v.push(serde_json::to_value(a.opening_census_by_unit()).unwrap());
    v.push(serde_json::to_value(a.totals()).unwrap());
    v.push(serde_json::to_value(a.feed_counts()).unwrap());
    serde_json::Value::Array(v)
}

fn gens() -> impl Strategy<Value = Vec<(Gen, Extra)>> {
    proptest::collection::vec((gen_stay(), gen_extra()), 0..60)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// Any split of the stays into batches (each aggregated with `add_batch`) gives exactly
    /// what `add_stays` on all of them gives, errors included.
    #[test]
    fn add_batch_equals_add_stays(
        gens in gens(),
        cuts in proptest::collection::vec(0usize..60, 0..4),
        tz in 0u8..3,
        split in 0u8..3,
        period in 0u8..2,
    ) {
        let tz = tz_of(tz);
        let stays = stays(&gens);
        let mut one = Aggregator::new(config(&tz, split, period));
        let errors_one = one.add_stays(&stays);

        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(stays.len())).collect();
        cuts.push(0);
        cuts.push(stays.len());
        cuts.sort();
        let mut by_batch = Aggregator::new(config(&tz, split, period));
        let mut errors_batch = Vec::new();
        for w in cuts.windows(2) {
            let batch = StayBatch::from_stays(&stays[w[0]..w[1]]);
            prop_assert_eq!(batch.len(), w[1] - w[0]);
            errors_batch.extend(by_batch.add_batch(&batch));
        }
        prop_assert_eq!(&errors_one, &errors_batch);
        prop_assert_eq!(everything(&one), everything(&by_batch));

        // Streamed through one reused batch (clear between), the first part by add_stays.
        let half = stays.len() / 2;
        let mut streamed = Aggregator::new(config(&tz, split, period));
        let mut errors = streamed.add_stays(&stays[..half]);
        let mut batch = StayBatch::with_capacity(7);
        for chunk in stays[half..].chunks(7) {
            batch.clear();
            batch.extend(chunk);
            errors.extend(streamed.add_batch(&batch));
        }
        prop_assert_eq!(&errors_one, &errors);
        prop_assert_eq!(everything(&one), everything(&streamed));
    }

    /// Aggregates fed by batches still merge: a population split, each part by batch, merged,
    /// equals one pass; so does a period split.
    #[test]
    fn batch_aggregates_merge(gens in gens(), mask in any::<u64>(), tz in 0u8..3, cut in 1i32..30) {
        let tz = tz_of(tz);
        let stays = stays(&gens);
        let mut whole = Aggregator::new(config(&tz, 2, 0));
        whole.add_stays(&stays);
        let (left, right): (Vec<Stay>, Vec<Stay>) = stays
            .iter()
            .cloned()
            .enumerate()
            .partition(|(i, _)| mask & (1 << (i % 64)) != 0)
            .into_iter_pair();
        let mut l = Aggregator::new(config(&tz, 2, 0));
        l.add_batch(&StayBatch::from_stays(&left));
        let mut r = Aggregator::new(config(&tz, 2, 0));
        r.add_batch(&StayBatch::from_stays(&right));
        l.merge(r).unwrap();
        prop_assert_eq!(everything(&whole), everything(&l));

        let m = date(2024, 3, 1).checked_add(jiff::Span::new().days(cut - 1)).unwrap();
        let mut first = config(&tz, 2, 0);
        first.period = Period::new(date(2024, 3, 1), m).unwrap();
        let mut second = config(&tz, 2, 0);
        second.period = Period::new(m.tomorrow().unwrap(), date(2024, 3, 31)).unwrap();
        let batch: StayBatch = stays.iter().collect();
        let mut a = Aggregator::new(first);
        a.add_batch(&batch);
        let mut b = Aggregator::new(second);
        b.add_batch(&batch);
        a.merge(b).unwrap();
        prop_assert_eq!(everything(&whole), everything(&a));
    }
}

/// Splits `(index, stay)` pairs back into stays.
trait IntoIterPair {
    fn into_iter_pair(self) -> (Vec<Stay>, Vec<Stay>);
}

impl IntoIterPair for (Vec<(usize, Stay)>, Vec<(usize, Stay)>) {
    fn into_iter_pair(self) -> (Vec<Stay>, Vec<Stay>) {
        (
            self.0.into_iter().map(|p| p.1).collect(),
            self.1.into_iter().map(|p| p.1).collect(),
        )
    }
}

/// The counts a batch reports about itself, and a known error.
#[test]
fn batch_counts_and_errors() {
    let t = |s: &str| s.parse::<Timestamp>().unwrap();
    let mut ok = Stay::new(
        "p1",
        "e1",
        medrec_stats::EncounterClass::Inpatient,
        t("2024-03-04T10:00:00Z"),
        Some(t("2024-03-07T09:00:00Z")),
    );
    ok.units = vec![
        UnitStay {
            unit: "MED".into(),
            from: t("2024-03-04T10:00:00Z"),
            to: None,
        },
        UnitStay {
            unit: "MED".into(),
            from: t("2024-03-05T10:00:00Z"),
            to: None,
        },
        UnitStay {
            unit: "ICU".into(),
            from: t("2024-03-06T10:00:00Z"),
            to: None,
        },
    ];
    let bad = Stay::new(
        "p2",
        "e2",
        medrec_stats::EncounterClass::Inpatient,
        t("2024-03-04T10:00:00Z"),
        Some(t("2024-03-03T09:00:00Z")),
    );
    let er = Stay::new(
        "p3",
        "e3",
        medrec_stats::EncounterClass::Emergency,
        t("2024-03-04T10:00:00Z"),
        None,
    );
    let batch = StayBatch::from_stays(&[ok, bad, er]);
    assert_eq!(batch.len(), 3);
    assert_eq!(batch.census_stays(), 1);
    assert_eq!(
        batch.unit_segments(),
        2,
        "MED twice is one segment, then ICU"
    );
    let mut a = Aggregator::new(AggregatorConfig::new(
        Period::month(2024, 3).unwrap(),
        TimeZone::UTC,
    ));
    let errors = a.add_batch(&batch);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].encounter_id(), "e2");
    assert_eq!(
        errors[0].kind(),
        medrec_stats::StayErrorKind::DischargeBeforeAdmission
    );
    let f = a.feed_counts();
    assert_eq!(
        (f.inpatient_stays, f.other_stays, f.rejected_stays),
        (1, 1, 1)
    );
    let [ac, _] = a.totals();
    assert_eq!((ac.admissions, ac.transfers_in, ac.discharges), (1, 1, 1));
    assert_eq!(ac.los_days, 3);
}

/// A stay as the `encounters` and `encounter_unit_stays` tables hold it: instants in
/// microseconds, no codes, no delivery instant, no `body_available`.
#[cfg(feature = "arrow")]
fn as_tables_hold(s: &Stay) -> Stay {
    let us = |t: Timestamp| Timestamp::from_microsecond(t.as_microsecond()).unwrap();
    let mut s = s.clone();
    s.admitted = us(s.admitted);
    s.discharged = s.discharged.map(us);
    s.death_time = s.death_time.map(us);
    for u in &mut s.units {
        u.from = us(u.from);
        u.to = u.to.map(us);
    }
    s.delivered = None;
    s.autopsy.body_available = None;
    s.diagnoses.clear();
    s.procedures.clear();
    s
}

#[cfg(feature = "arrow")]
proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Stays exported as Arrow tables (record batches of the two tables cut at different
    /// rows) and read back with `arrow::stay_batches` count exactly what `add_stays` counts on
    /// the stays as the tables hold them.
    #[test]
    fn arrow_tables_read_back_equal_add_stays(gens in gens(), rows in 1usize..9, tz in 0u8..3) {
        use medrec_stats::arrow::{StayTables, Table, TableOptions, stay_batches};
        let tz = tz_of(tz);
        let stays = stays(&gens);
        let mut tables = StayTables::new(&TableOptions::new(tz.clone()).with_batch_rows(rows));
        let mut out = Vec::new();
        for s in &stays {
            out.extend(tables.push(s));
        }
        out.extend(tables.finish());
        let of = |t: Table| -> Vec<_> {
            out.iter().filter(|b| b.table == t).map(|b| b.batch.clone()).collect()
        };
        let mut read = Aggregator::new(config(&tz, 2, 1));
        let mut errors = Vec::new();
        let mut n = 0;
        for batch in stay_batches(of(Table::Encounters), of(Table::EncounterUnitStays)) {
            let batch = batch.unwrap();
            n += batch.len();
            errors.extend(read.add_batch(&batch));
        }
        prop_assert_eq!(n, stays.len());
        let held: Vec<Stay> = stays.iter().map(as_tables_hold).collect();
        let mut want = Aggregator::new(config(&tz, 2, 1));
        let want_errors = want.add_stays(&held);
        prop_assert_eq!(want_errors, errors);
        prop_assert_eq!(everything(&want), everything(&read));
    }
}

/// Unit-stay rows that follow no encounter are an `Order` error, with where.
#[cfg(feature = "arrow")]
#[test]
fn arrow_unit_stays_out_of_order_are_an_error() {
    use medrec_stats::arrow::{ArrowReadErrorKind, StayTables, Table, TableOptions, stay_batches};
    let t = |s: &str| s.parse::<Timestamp>().unwrap();
    let mut stays = Vec::new();
    for i in 0..2 {
        let mut s = Stay::new(
            "p",
            format!("e{i}"),
            medrec_stats::EncounterClass::Inpatient,
            t("2024-03-04T10:00:00Z"),
            None,
        );
        s.units.push(UnitStay {
            unit: "MED".into(),
            from: s.admitted,
            to: None,
        });
        stays.push(s);
    }
    let export = |stays: &[Stay], t: Table| -> Vec<arrow_array::RecordBatch> {
        let mut tables = StayTables::new(&TableOptions::new(TimeZone::UTC));
        let mut out = Vec::new();
        for s in stays {
            out.extend(tables.push(s));
        }
        out.extend(tables.finish());
        out.into_iter()
            .filter(|b| b.table == t)
            .map(|b| b.batch)
            .collect()
    };
    // The unit stays in the other order: e1 takes its row, e0's is left over.
    let reversed: Vec<Stay> = stays.iter().rev().cloned().collect();
    let results: Vec<_> = stay_batches(
        export(&stays, Table::Encounters),
        export(&reversed, Table::EncounterUnitStays),
    )
    .collect();
    let err = results.last().unwrap().as_ref().unwrap_err();
    assert_eq!(err.kind(), ArrowReadErrorKind::Order);
    assert_eq!(err.table(), "encounter_unit_stays");
    assert!(err.to_string().contains("\"e0\""), "{err}");
    // In the same order, no error.
    assert!(
        stay_batches(
            export(&stays, Table::Encounters),
            export(&stays, Table::EncounterUnitStays)
        )
        .all(|b| b.is_ok())
    );
}
