//! `Stay::unit_segments`: the segments' day counts equal what the aggregator counts.

use crate::props::{gen_stay, stays_of};
use jiff::tz::TimeZone;
use medrec_stats::clock::{date_of_day, day_number};
use medrec_stats::{Aggregator, AggregatorConfig, BedSchedule, DayClock, Period, UnitSegment};
use proptest::prelude::*;
use std::collections::BTreeMap;

/// Per (unit, date): census at midnight, admissions, transfers in, transfers out, discharges,
/// same-day stays.
type Counts = BTreeMap<(String, String), [i64; 6]>;

fn zone(i: u8) -> TimeZone {
    let name = ["UTC", "America/New_York", "Asia/Kolkata"][i as usize];
    TimeZone::get(name).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// Counting each day's midnight census, admissions, transfers, discharges and same-day
    /// stays from the segments gives the aggregator's daily rows and opening census; the
    /// segments from a time zone and from a `DayClock` are the same.
    #[test]
    fn segments_count_what_the_aggregator_counts(gens in proptest::collection::vec(gen_stay(), 0..40), tz in 0u8..3) {
        let tz = zone(tz);
        let stays = stays_of(&gens);
        let period = Period::month(2024, 3).unwrap();
        let mut agg = Aggregator::new(AggregatorConfig::new(period, tz.clone()));
        let rejected = agg.add_stays(&stays).len();
        let clock = DayClock::new(tz.clone(), period);

        let (first, last) = (period.first_day(), period.last_day());
        let mut want = Counts::new();
        let mut opening: BTreeMap<String, i64> = BTreeMap::new();
        let mut in_census = 0u64;
        for s in &stays {
            let segs: Vec<UnitSegment<'_>> = s.unit_segments(&tz).collect();
            let with_clock: Vec<UnitSegment<'_>> = s.unit_segments_with_clock(&clock).collect();
            prop_assert_eq!(&segs, &with_clock);
            prop_assert_eq!(segs.is_empty(), !s.in_census());
            if segs.is_empty() {
                continue;
            }
            in_census += 1;
            let n = segs.len();
            for (i, g) in segs.iter().enumerate() {
                prop_assert_eq!(g.sequence as usize, i + 1);
                prop_assert_eq!((g.is_first, g.is_last), (i == 0, i + 1 == n));
                if i + 1 < n {
                    prop_assert_eq!(g.departure_day, Some(segs[i + 1].arrival_day));
                }
                prop_assert!(g.departure_day.is_none_or(|d| d >= g.arrival_day));
            }
            let same_day = segs[n - 1].departure_day == Some(segs[0].arrival_day);
            for g in &segs {
                if g.in_midnight_census(first - 1) {
                    *opening.entry(g.unit.to_string()).or_default() += 1;
                }
                for d in first..=last {
                    let mut c = [0i64; 6];
                    c[0] = i64::from(g.in_midnight_census(d));
                    if g.arrival_day == d {
                        c[if g.is_first { 1 } else { 2 }] += 1;
                    }
                    if g.departure_day == Some(d) {
                        c[if g.is_last { 4 } else { 3 }] += 1;
                        if g.is_last && same_day {
                            c[5] += 1;
                        }
                    }
                    if c != [0; 6] {
                        let e = want.entry((g.unit.to_string(), date_of_day(d).to_string())).or_default();
                        for k in 0..6 {
                            e[k] += c[k];
                        }
                    }
                }
            }
        }
        prop_assert_eq!(agg.feed_counts().inpatient_stays, in_census);
        prop_assert_eq!(agg.feed_counts().rejected_stays, rejected as u64);

        let mut got = Counts::new();
        for r in agg.daily(&BedSchedule::new()) {
            let c = [
                r.census,
                r.admissions as i64,
                r.transfers_in as i64,
                r.transfers_out as i64,
                r.discharges as i64,
                r.same_day as i64,
            ];
            if c != [0; 6] {
                got.insert((r.unit.clone(), r.date.to_string()), c);
            }
        }
        prop_assert_eq!(got, want);
        let got_opening: BTreeMap<String, i64> = agg
            .opening_census_by_unit()
            .into_iter()
            .filter(|(_, _, o)| o[0] + o[1] != 0)
            .map(|(_, u, o)| (u, o[0] + o[1]))
            .collect();
        opening.retain(|_, v| *v != 0);
        prop_assert_eq!(got_opening, opening);
        prop_assert_eq!(day_number(period.from), first);
    }
}

/// Many units in several facilities (the aggregator's name table grows several times): every
/// (facility, unit) keeps its own counts.
#[test]
fn many_units_keep_their_own_counts() {
    use medrec_stats::{EncounterClass, GroupBy, Stay, UnitStay};
    let period = Period::month(2024, 3).unwrap();
    let mut agg = Aggregator::new(AggregatorConfig::new(period, TimeZone::UTC));
    let t = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
    let mut want = BTreeMap::new();
    for f in 0..3 {
        for u in 0..150 {
            // Names of 1 to 30 bytes, some sharing first and last 4 bytes.
            let unit = match u % 3 {
                0 => format!("W{u}"),
                1 => format!("WARD-{u}-EAST"),
                _ => "X".repeat(u % 30 + 1),
            };
            let n = 1 + (u + f) % 3;
            for k in 0..n {
                let mut s = Stay::new(
                    "p",
                    format!("e{f}-{u}-{k}"),
                    EncounterClass::Inpatient,
                    t("2024-03-05T10:00:00Z"),
                    Some(t("2024-03-08T10:00:00Z")),
                );
                s.facility = format!("F{f}");
                s.units.push(UnitStay {
                    unit: unit.clone(),
                    from: s.admitted,
                    to: None,
                });
                agg.add_stay(&s).unwrap();
            }
            *want.entry((format!("F{f}"), unit)).or_insert(0u64) += n as u64;
        }
    }
    let mut got = BTreeMap::new();
    for r in agg.daily(&BedSchedule::new()) {
        *got.entry((r.facility.clone(), r.unit.clone()))
            .or_insert(0u64) += r.admissions;
        if r.date == jiff::civil::date(2024, 3, 6) {
            let w = want[&(r.facility.clone(), r.unit.clone())];
            assert_eq!(r.census as u64, w, "{} {}", r.facility, r.unit);
        }
    }
    assert_eq!(got, want);
    assert!(
        agg.report(GroupBy::Unit, &BedSchedule::new())
            .unwrap()
            .len()
            >= want.len()
    );
}
