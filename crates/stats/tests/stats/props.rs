//! Properties: census balance per unit and day, rates within [0, 100], split-and-merge.

use crate::common::by_patient;
use jiff::Timestamp;
use jiff::civil::date;
use jiff::tz::TimeZone;
use medrec_stats::{
    AdmitSource, Aggregator, AggregatorConfig, BedSchedule, Delivery, Disposition, EncounterClass,
    GroupBy, Period, Split, Stay, UnitStay,
};
use proptest::prelude::*;
use std::collections::BTreeMap;

const UNITS: [&str; 4] = ["MED", "SURG", "ICU", "NURSERY"];
/// 2024-03-01T00:00:00Z
const MARCH_1: i64 = 1_709_251_200;

#[derive(Debug, Clone)]
pub(crate) struct Gen {
    patient: u8,
    start_h: i64,
    los_h: Option<i64>,
    units: Vec<(usize, u16)>,
    born: bool,
    disposition: u8,
    autopsy: (bool, bool),
    delivery: u8,
    consult: bool,
    charges: Option<u32>,
    payer: u8,
    outpatient: bool,
}

pub(crate) fn gen_stay() -> impl Strategy<Value = Gen> {
    (
        (
            0u8..12,
            -400i64..1000,
            proptest::option::weighted(0.85, 0i64..500),
        ),
        proptest::collection::vec((0usize..4, 0u16..1000), 0..4),
        (any::<bool>(), 0u8..6, any::<(bool, bool)>(), 0u8..4),
        (
            any::<bool>(),
            proptest::option::of(0u32..1_000_000),
            0u8..3,
            proptest::bool::weighted(0.1),
        ),
    )
        .prop_map(
            |(
                (patient, start_h, los_h),
                units,
                (born, disposition, autopsy, delivery),
                (consult, charges, payer, outpatient),
            )| Gen {
                patient,
                start_h,
                los_h,
                units,
                born,
                disposition,
                autopsy,
                delivery,
                consult,
                charges,
                payer,
                outpatient,
            },
        )
}

fn build(i: usize, g: &Gen) -> Stay {
    let t = |h: i64| Timestamp::from_second(MARCH_1 + h * 3600 + (i as i64 % 7) * 60).unwrap();
    let admitted = t(g.start_h);
    let discharged = g.los_h.map(|l| t(g.start_h + l));
    let class = if g.outpatient {
        EncounterClass::Emergency
    } else {
        EncounterClass::Inpatient
    };
    let mut s = Stay::new(
        format!("p{}", g.patient),
        format!("e{i}"),
        class,
        admitted,
        discharged,
    );
    let span = g.los_h.unwrap_or(300).max(1);
    let mut offs: Vec<(usize, i64)> = g
        .units
        .iter()
        .map(|(u, f)| (*u, i64::from(*f) % span))
        .collect();
    offs.sort_by_key(|o| o.1);
    s.units = offs
        .iter()
        .map(|(u, o)| UnitStay {
            unit: UNITS[*u].to_string(),
            from: t(g.start_h + o),
            to: None,
        })
        .collect();
    s.admit_source = if g.born {
        AdmitSource::Born
    } else if g.disposition == 5 {
        AdmitSource::TransferFromHospital
    } else {
        AdmitSource::Other
    };
    s.disposition = match g.disposition {
        0 | 1 => Disposition::Died,
        2 => Disposition::TransferToHospital,
        3 => Disposition::AgainstAdvice,
        _ => Disposition::Other,
    };
    s.autopsy.performed = g.autopsy.0;
    s.autopsy.medical_examiner_case = g.autopsy.1;
    s.delivery = match g.delivery {
        1 => Some(Delivery::Vaginal),
        2 => Some(Delivery::Cesarean),
        _ => None,
    };
    if s.delivery.is_some() {
        s.obstetric = true;
        s.live_births = 1;
        s.stillbirths = u16::from(g.autopsy.0);
        s.direct_maternal_death = s.died();
    }
    s.consultation = g.consult;
    s.hospital_acquired_infections = u16::from(g.consult && g.autopsy.1);
    s.charges_cents = g.charges.map(i64::from);
    s.payer = Some(["Medicare", "Medicaid", "Blue"][g.payer as usize].to_string());
    s.diagnoses = vec![medrec_stats::StayDiagnosis {
        code: format!("I{}", 10 + g.payer),
        principal: true,
        present_on_admission: None,
        admitting: false,
    }];
    s
}

pub(crate) fn stays_of(gens: &[Gen]) -> Vec<Stay> {
    gens.iter().enumerate().map(|(i, g)| build(i, g)).collect()
}

fn config(period: Period, tz: &TimeZone) -> AggregatorConfig {
    let mut c = AggregatorConfig::new(period, tz.clone());
    c.group_by = vec![GroupBy::Payer];
    c
}

fn aggregate(stays: &[Stay], cfg: AggregatorConfig) -> Aggregator {
    let mut a = Aggregator::new(cfg);
    for p in by_patient(stays) {
        let errors = a.add_patient(&p);
        assert!(errors.is_empty());
    }
    a
}

fn tz_of(i: u8) -> TimeZone {
    if i == 0 {
        TimeZone::UTC
    } else {
        TimeZone::get("America/New_York").unwrap()
    }
}

fn beds() -> BedSchedule {
    BedSchedule::parse_csv(
        "unit,beds,effective_from,kind\nMED,4,2024-01-01,bed\nMED,6,2024-03-10,bed\nSURG,3,2024-01-01,bed\nICU,2,2024-01-01,bed\nNURSERY,3,2024-01-01,bassinet\n",
    )
    .unwrap()
}

fn reports_json(a: &Aggregator) -> serde_json::Value {
    let b = beds();
    let mut v = Vec::new();
    for g in [
        GroupBy::None,
        GroupBy::Unit,
        GroupBy::Payer,
        GroupBy::Facility,
    ] {
        v.push(serde_json::to_value(a.report(g, &b).unwrap()).unwrap());
    }
    v.push(serde_json::to_value(a.daily(&b)).unwrap());
    serde_json::Value::Array(v)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// census(d) = census(d−1) + admissions + transfers in − discharges − transfers out, per unit
    /// and day (discharges include deaths); the census is never negative.
    #[test]
    fn census_balance_per_unit_and_day(gens in proptest::collection::vec(gen_stay(), 0..40), tz in 0u8..2) {
        let period = Period::month(2024, 3).unwrap();
        let a = aggregate(&stays_of(&gens), config(period, &tz_of(tz)));
        let mut prev: BTreeMap<(String, String), i64> = a
            .opening_census_by_unit()
            .into_iter()
            .map(|(f, u, o)| ((f, u), o[0] + o[1]))
            .collect();
        for r in a.daily(&beds()) {
            let key = (r.facility.clone(), r.unit.clone());
            let before = prev.get(&key).copied().unwrap_or(0);
            let expected = before + r.admissions as i64 + r.transfers_in as i64
                - r.discharges as i64 - r.transfers_out as i64;
            prop_assert_eq!(r.census, expected, "{} {}", r.unit, r.date);
            prop_assert!(r.census >= 0);
            prop_assert!(r.deaths <= r.discharges);
            prev.insert(key, r.census);
        }
        // Hospital-wide, intra-hospital transfers net to zero.
        let t = a.report(GroupBy::None, &beds()).unwrap();
        let total = t.iter().find(|r| r.population.as_str() == "total").unwrap();
        prop_assert_eq!(total.transfers_in, total.transfers_out);
        prop_assert_eq!(total.census_end, total.census_start + total.admissions as i64 - total.discharges as i64);
    }

    /// Every true percentage lies in [0, 100] (occupancy and infection rates can exceed 100).
    #[test]
    fn rates_are_percentages(gens in proptest::collection::vec(gen_stay(), 0..40), tz in 0u8..2) {
        let period = Period::month(2024, 3).unwrap();
        let a = aggregate(&stays_of(&gens), config(period, &tz_of(tz)));
        for g in [GroupBy::None, GroupBy::Unit, GroupBy::Payer] {
            for r in a.report(g, &beds()).unwrap() {
                for (name, v) in [
                    ("gross", r.gross_death_rate), ("net", r.net_death_rate),
                    ("newborn", r.newborn_death_rate), ("fetal", r.fetal_death_rate),
                    ("maternal", r.maternal_death_rate), ("autopsy", r.gross_autopsy_rate),
                    ("net autopsy", r.net_autopsy_rate), ("hospital autopsy", r.hospital_autopsy_rate),
                    ("cesarean", r.cesarean_rate), ("consultation", r.consultation_rate),
                    ("readmission", r.readmission_rate),
                ] {
                    if let Some(v) = v {
                        prop_assert!((0.0..=100.0).contains(&v), "{} = {} in {:?}", name, v, r.group);
                    }
                }
                // null exactly when the denominator is zero
                prop_assert_eq!(r.gross_death_rate.is_none(), r.discharges == 0);
                prop_assert_eq!(r.average_length_of_stay.is_none(), r.discharges == 0);
            }
        }
    }

    /// Splitting the period in two, aggregating each part (fed the same stays) and merging gives
    /// the same report as one pass; so does splitting the population.
    #[test]
    fn split_and_merge(gens in proptest::collection::vec(gen_stay(), 0..40), cut in 0i32..30, tz in 0u8..2, mask in any::<u16>()) {
        let tz = tz_of(tz);
        let stays = stays_of(&gens);
        let period = Period::month(2024, 3).unwrap();
        let whole = aggregate(&stays, config(period, &tz));
        let want = reports_json(&whole);

        let m = date(2024, 3, 1).checked_add(jiff::Span::new().days(cut)).unwrap();
        let first = Period::new(date(2024, 3, 1), m).unwrap();
        let second = Period::new(m.tomorrow().unwrap(), date(2024, 3, 31)).unwrap();
        let mut a = aggregate(&stays, config(first, &tz));
        let b = aggregate(&stays, config(second, &tz));
        // Merge in either order.
        if cut % 2 == 0 {
            a.merge(b).unwrap();
        } else {
            let mut b = b;
            b.merge(a).unwrap();
            a = b;
        }
        prop_assert_eq!(&reports_json(&a), &want);
        prop_assert_eq!(a.feed_counts(), whole.feed_counts());

        // Population split: patient p goes left when bit p of the mask is set.
        let (left, right): (Vec<Stay>, Vec<Stay>) = stays.iter().cloned().partition(|s| {
            let p: u32 = s.patient_id[1..].parse().unwrap();
            mask & (1 << p) != 0
        });
        let mut l = aggregate(&left, config(period, &tz));
        l.merge(aggregate(&right, config(period, &tz))).unwrap();
        prop_assert_eq!(&reports_json(&l), &want);
    }

    /// Inpatient service days of stays wholly inside the period equal their total LOS.
    #[test]
    fn service_days_equal_los_inside_the_period(gens in proptest::collection::vec(gen_stay(), 0..30)) {
        let gens: Vec<Gen> = gens
            .into_iter()
            .map(|mut g| { g.start_h = g.start_h.rem_euclid(300); g.los_h = Some(g.los_h.unwrap_or(5) % 300); g })
            .collect();
        let period = Period::month(2024, 3).unwrap();
        let a = aggregate(&stays_of(&gens), config(period, &TimeZone::UTC));
        let r = a.report(GroupBy::None, &beds()).unwrap();
        let total = r.iter().find(|r| r.population.as_str() == "total").unwrap();
        prop_assert_eq!(total.inpatient_service_days, total.total_length_of_stay);
    }
}

#[test]
fn monthly_split_rows_add_up() {
    let gens: Vec<Gen> = (0..30)
        .map(|i| Gen {
            patient: (i % 12) as u8,
            start_h: i * 37,
            los_h: Some(50 + i * 3),
            units: vec![(i as usize % 3, 10)],
            born: i % 5 == 0,
            disposition: (i % 6) as u8,
            autopsy: (i % 2 == 0, i % 3 == 0),
            delivery: (i % 4) as u8,
            consult: i % 2 == 1,
            charges: Some(1000 + i as u32),
            payer: (i % 3) as u8,
            outpatient: false,
        })
        .collect();
    let stays = stays_of(&gens);
    let period = Period::new(date(2024, 3, 1), date(2024, 5, 31)).unwrap();
    let whole = aggregate(&stays, config(period, &TimeZone::UTC));
    let mut cfg = config(period, &TimeZone::UTC);
    cfg.split = Split::Month;
    let monthly = aggregate(&stays, cfg);
    let w = whole.report(GroupBy::None, &beds()).unwrap();
    let m = monthly.report(GroupBy::None, &beds()).unwrap();
    assert_eq!(m.len(), 9); // 3 months × 3 populations
    for pop in ["adults_children", "newborn", "total"] {
        let wr = w.iter().find(|r| r.population.as_str() == pop).unwrap();
        let rows: Vec<_> = m.iter().filter(|r| r.population.as_str() == pop).collect();
        assert_eq!(
            rows.iter().map(|r| r.discharges).sum::<u64>(),
            wr.discharges
        );
        assert_eq!(
            rows.iter().map(|r| r.inpatient_service_days).sum::<u64>(),
            wr.inpatient_service_days
        );
        assert_eq!(
            rows.iter().map(|r| r.bed_count_days.unwrap()).sum::<u64>(),
            wr.bed_count_days.unwrap()
        );
        assert_eq!(rows[0].census_start, wr.census_start);
        assert_eq!(rows[2].census_end, wr.census_end);
        assert_eq!(rows[1].census_start, rows[0].census_end);
        assert!(wr.discharges > 0);
    }
}

/// Long unit names that share length, first and last 4 bytes (they collide in the
/// aggregator's name cache tag and must be told apart in full).
fn long_name(short: &str) -> String {
    match UNITS.iter().position(|u| *u == short) {
        Some(k) => format!("WARD-{k}-EAST"),
        None => short.to_string(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// `add_stays` (read-ahead batch entry point) gives exactly what one `add_stay` per stay
    /// gives; and unit names that collide in the name cache's tag stay apart: renaming every
    /// unit to a long look-alike name changes nothing but the names.
    #[test]
    fn add_stays_equals_add_stay_and_names_stay_apart(gens in proptest::collection::vec(gen_stay(), 0..40), tz in 0u8..2) {
        let tz = tz_of(tz);
        let stays = stays_of(&gens);
        let period = Period::month(2024, 3).unwrap();
        let mut one = Aggregator::new(config(period, &tz));
        let mut errors_one = 0;
        for s in &stays {
            errors_one += usize::from(one.add_stay(s).is_err());
        }
        let mut batch = Aggregator::new(config(period, &tz));
        let errors_batch = batch.add_stays(&stays).len();
        prop_assert_eq!(errors_one, errors_batch);
        prop_assert_eq!(reports_json(&one), reports_json(&batch));

        let mut renamed = stays.clone();
        for s in &mut renamed {
            for u in &mut s.units {
                u.unit = long_name(&u.unit);
            }
        }
        let mut long = Aggregator::new(config(period, &tz));
        prop_assert_eq!(long.add_stays(&renamed).len(), errors_batch);
        let rows = |a: &Aggregator, rename: bool| -> Vec<(String, String, u64, u64, u64, u64)> {
            let mut v: Vec<_> = a
                .report(GroupBy::Unit, &BedSchedule::new())
                .unwrap()
                .into_iter()
                .map(|r| {
                    let g = if rename { long_name(&r.group) } else { r.group.clone() };
                    (g, r.population.as_str().to_string(), r.admissions, r.discharges, r.transfers_in, r.inpatient_service_days)
                })
                .collect();
            v.sort();
            v
        };
        prop_assert_eq!(rows(&batch, true), rows(&long, false));
    }
}
