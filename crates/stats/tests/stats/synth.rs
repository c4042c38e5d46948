//! On `medrec-synth` populations, the statistics equal the generator's ground truth.

use jiff::tz::TimeZone;
use medrec_stats::{
    Aggregator, AggregatorConfig, BedCountChange, BedKind, BedSchedule, GroupBy, Period,
    PeriodStats,
};
pub(crate) use medrec_synth::stays::stays_of;
use medrec_synth::{Population, PopulationConfig, UnitKind};

fn beds_of(pop: &Population, period: Period) -> BedSchedule {
    let mut beds = BedSchedule::new();
    for u in pop.units() {
        let kind = if u.config.kind == UnitKind::Nursery {
            BedKind::Bassinet
        } else {
            BedKind::Bed
        };
        let mut last = None;
        let mut day = period.from;
        while day <= period.to {
            let n = u.config.beds_on(day);
            if last != Some(n) {
                beds.insert(BedCountChange {
                    facility: pop.facilities()[u.facility].id.clone(),
                    unit: u.config.id.clone(),
                    beds: n,
                    effective_from: day,
                    kind,
                });
                last = Some(n);
            }
            day = day.tomorrow().unwrap();
        }
    }
    beds
}

fn check(population: &Population) {
    let cfg = population.config();
    let period = Period::new(cfg.from, cfg.to.yesterday().unwrap()).unwrap();
    let tz = TimeZone::get(&cfg.time_zone).unwrap();
    let mut agg = Aggregator::new(AggregatorConfig::new(period, tz));
    for h in population.households() {
        for p in &h.patients {
            assert!(agg.add_patient(&stays_of(population, p)).is_empty());
        }
    }
    let truth = population.truth();
    let beds = beds_of(population, period);

    // Daily census per unit and day.
    let daily = agg.daily(&beds);
    let opening = agg.opening_census_by_unit();
    let mut checked = 0;
    for u in &truth.census {
        let open = opening
            .iter()
            .find(|o| o.0 == u.facility && o.1 == u.unit)
            .map_or(0, |o| o.2[0] + o.2[1]);
        assert_eq!(open, i64::from(u.census_start), "{} opening census", u.unit);
        for t in &u.days {
            let date = t.date.unwrap();
            let got = daily
                .iter()
                .find(|r| r.facility == u.facility && r.unit == u.unit && r.date == date);
            let Some(r) = got else {
                assert_eq!(
                    (t.census, t.admissions, t.discharges),
                    (0, 0, 0),
                    "{} {date}",
                    u.unit
                );
                continue;
            };
            let want = (
                t.census as i64,
                t.admissions as u64,
                t.discharges as u64,
                t.deaths as u64,
                t.transfers_in as u64,
                t.transfers_out as u64,
                t.same_day as u64,
                t.inpatient_service_days as u64,
                t.beds as u64,
            );
            let have = (
                r.census,
                r.admissions,
                r.discharges,
                r.deaths,
                r.transfers_in,
                r.transfers_out,
                r.same_day,
                r.inpatient_service_days,
                r.beds,
            );
            assert_eq!(have, want, "{} {date}", u.unit);
            checked += 1;
        }
    }
    assert!(checked > 0);

    // Period counts per facility and for all ('*').
    let by_facility = agg.report(GroupBy::Facility, &beds).unwrap();
    let all = agg.report(GroupBy::None, &beds).unwrap();
    for fc in &truth.counts {
        let rows: Vec<&PeriodStats> = if fc.facility == "*" {
            all.iter().collect()
        } else {
            by_facility
                .iter()
                .filter(|r| r.group == fc.facility)
                .collect()
        };
        let row = |pop: &str| *rows.iter().find(|r| r.population.as_str() == pop).unwrap();
        for (pop, t) in [
            ("adults_children", &fc.adults_children),
            ("newborn", &fc.newborn),
            ("total", &fc.total),
        ] {
            let r = row(pop);
            let what = format!("{} {pop}", fc.facility);
            assert_eq!(r.admissions, t.admissions, "{what} admissions");
            assert_eq!(r.discharges, t.discharges, "{what} discharges");
            assert_eq!(r.deaths, t.deaths, "{what} deaths");
            assert_eq!(
                r.deaths_under_48h, t.deaths_under_48h,
                "{what} deaths < 48 h"
            );
            assert_eq!(r.autopsies, t.autopsies, "{what} autopsies");
            assert_eq!(
                r.admissions_from_other_hospitals, t.transfers_in,
                "{what} transfers in from hospitals"
            );
            assert_eq!(
                r.discharges_to_other_facilities, t.transfers_out,
                "{what} transfers out"
            );
            assert_eq!(
                r.transfers_in, t.transfers_between_units,
                "{what} unit transfers"
            );
            assert_eq!(r.stillbirths, t.stillbirths, "{what} stillbirths");
            assert_eq!(r.deliveries, t.deliveries, "{what} deliveries");
            assert_eq!(r.cesareans, t.cesareans, "{what} cesareans");
            assert_eq!(r.total_length_of_stay, t.total_length_of_stay, "{what} LOS");
            assert_eq!(
                r.infections, t.hospital_acquired_infections,
                "{what} infections"
            );
            assert_eq!(r.consultations, t.consultations, "{what} consultations");
            assert_eq!(
                (r.total_charges * 100.0).round() as i64,
                t.total_charges_cents,
                "{what} charges"
            );
            assert_eq!(
                r.readmissions_admitted, t.readmissions_30d,
                "{what} readmissions"
            );
            // Rates from the truth's counts.
            let rate = |n: u64, d: u64| (d > 0).then(|| n as f64 * 100.0 / d as f64);
            assert_eq!(
                r.gross_death_rate,
                rate(t.deaths, t.discharges),
                "{what} gross death rate"
            );
            assert_eq!(
                r.net_death_rate,
                rate(
                    t.deaths - t.deaths_under_48h,
                    t.discharges - t.deaths_under_48h
                ),
                "{what} net death rate"
            );
            assert_eq!(
                r.cesarean_rate,
                rate(t.cesareans, t.deliveries),
                "{what} cesarean rate"
            );
            assert_eq!(
                r.gross_autopsy_rate,
                rate(t.autopsies, t.deaths),
                "{what} autopsy rate"
            );
        }
        // Births: newborn admissions = the truth's live births of the deliveries.
        assert_eq!(
            row("total").births,
            fc.newborn.births,
            "{} births",
            fc.facility
        );
        assert_eq!(
            row("total").inpatient_service_days,
            fc.total.inpatient_service_days,
            "{} IPSD",
            fc.facility
        );
        // Bed-count days: the truth counts beds only (bassinets are not beds).
        assert_eq!(
            row("adults_children").bed_count_days,
            Some(fc.adults_children.bed_count_days),
            "{} bed days",
            fc.facility
        );
        let occupancy = rate_f(
            row("adults_children").inpatient_service_days,
            fc.adults_children.bed_count_days,
        );
        assert_eq!(row("adults_children").bed_occupancy_rate, occupancy);
    }
}

fn rate_f(n: u64, d: u64) -> Option<f64> {
    (d > 0).then(|| n as f64 * 100.0 / d as f64)
}

#[test]
fn demo_population_matches_ground_truth() {
    let config = PopulationConfig {
        patients: 400,
        seed: 7,
        ..PopulationConfig::demo()
    };
    check(&Population::new(config).unwrap());
}

#[test]
fn other_seed_matches_ground_truth() {
    let config = PopulationConfig {
        patients: 300,
        seed: 20_260_101,
        ..PopulationConfig::demo()
    };
    check(&Population::new(config).unwrap());
}
