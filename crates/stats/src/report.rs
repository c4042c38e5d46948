//! Period reports and daily census rows built from an [`Aggregator`], with JSON (serde), CSV and
//! text-table renderings.
//!
//! A report has one [`PeriodStats`] row per sub-period (the aggregator's [`crate::Split`]),
//! group and population (`adults_children`, `newborn`, `total`). Field names are a contract
//! (`docs/cli/stats.md`); rates are percentages and `None` (`null`) where the denominator is
//! zero.

use crate::aggregate::{Aggregator, DayCounts, GroupBy};
use crate::beds::{BedDays, BedSchedule};
use crate::clock::{Period, date_of_day};
use crate::rates;
use foldhash::HashMap;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// The population a row reports on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PopulationScope {
    /// Adults & children.
    AdultsChildren,
    /// Newborns (born in this hospital).
    Newborn,
    /// Both.
    Total,
}

impl PopulationScope {
    /// The output name.
    pub fn as_str(self) -> &'static str {
        match self {
            PopulationScope::AdultsChildren => "adults_children",
            PopulationScope::Newborn => "newborn",
            PopulationScope::Total => "total",
        }
    }
}

/// A code and how many discharges carried it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeCount {
    /// The code (upper case, no dot).
    pub code: String,
    /// Discharges with it.
    pub count: u64,
}

/// The statistics of one period, group and population.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeriodStats {
    /// First day.
    pub from: Date,
    /// Last day (inclusive).
    pub to: Date,
    /// The grouping (`none`, `facility`, `unit`, `service`, `payer`, `diagnosis_group`).
    pub group_by: GroupBy,
    /// The group (`all` when not grouped).
    pub group: String,
    /// The facility of a unit or facility group.
    pub facility: Option<String>,
    /// `adults_children`, `newborn` or `total`.
    pub population: PopulationScope,
    /// Days in the period.
    pub days: u32,
    /// Midnight census at the start (end of the day before `from`).
    pub census_start: i64,
    /// Midnight census at the end of `to`.
    pub census_end: i64,
    /// Admissions.
    pub admissions: u64,
    /// Of which transferred in from another hospital.
    pub admissions_from_other_hospitals: u64,
    /// Discharges (deaths included).
    pub discharges: u64,
    /// Of which transferred out to another facility.
    pub discharges_to_other_facilities: u64,
    /// Inpatient deaths.
    pub deaths: u64,
    /// Deaths less than 48 hours after admission.
    pub deaths_under_48h: u64,
    /// Transfers in from another unit.
    pub transfers_in: u64,
    /// Transfers out to another unit.
    pub transfers_out: u64,
    /// Births in the hospital (newborn admissions).
    pub births: u64,
    /// Live births recorded on mothers' stays (`Z37`).
    pub live_births: u64,
    /// Stillbirths (fetal deaths) recorded on mothers' stays (`Z37`).
    pub stillbirths: u64,
    /// Admitted and discharged the same day.
    pub same_day: u64,
    /// Inpatient service days.
    pub inpatient_service_days: u64,
    /// Average daily census.
    pub average_daily_census: Option<f64>,
    /// Σ LOS of the discharges (days).
    pub total_length_of_stay: u64,
    /// Average length of stay (days).
    pub average_length_of_stay: Option<f64>,
    /// Bed-count days (bassinet days for newborns; both for the total); `None` when not
    /// meaningful for the grouping.
    pub bed_count_days: Option<u64>,
    /// Bed occupancy rate (%).
    pub bed_occupancy_rate: Option<f64>,
    /// Bed turnover rate, direct formula.
    pub bed_turnover_direct: Option<f64>,
    /// Bed turnover rate, indirect formula.
    pub bed_turnover_indirect: Option<f64>,
    /// Gross death rate (%).
    pub gross_death_rate: Option<f64>,
    /// Net death rate (%).
    pub net_death_rate: Option<f64>,
    /// Newborn death rate (%), from the group's newborns.
    pub newborn_death_rate: Option<f64>,
    /// Fetal death rate (%), from the group's mothers' `Z37` codes.
    pub fetal_death_rate: Option<f64>,
    /// Direct maternal deaths.
    pub maternal_deaths: u64,
    /// Obstetric discharges.
    pub obstetric_discharges: u64,
    /// Maternal death rate (%).
    pub maternal_death_rate: Option<f64>,
    /// Deliveries.
    pub deliveries: u64,
    /// Cesarean sections.
    pub cesareans: u64,
    /// Cesarean section rate (%).
    pub cesarean_rate: Option<f64>,
    /// Autopsies.
    pub autopsies: u64,
    /// Gross autopsy rate (%).
    pub gross_autopsy_rate: Option<f64>,
    /// Net autopsy rate (%).
    pub net_autopsy_rate: Option<f64>,
    /// Hospital autopsy rate (%).
    pub hospital_autopsy_rate: Option<f64>,
    /// Hospital-acquired infections.
    pub infections: u64,
    /// Hospital-acquired infection rate (%).
    pub infection_rate: Option<f64>,
    /// Discharges with a consultation.
    pub consultations: u64,
    /// Consultation rate (%).
    pub consultation_rate: Option<f64>,
    /// Index discharges for the readmission rate.
    pub readmission_index_stays: u64,
    /// Readmissions within 30 days.
    pub readmissions: u64,
    /// 30-day readmission rate (%).
    pub readmission_rate: Option<f64>,
    /// Admissions in the period that are 30-day readmissions.
    pub readmissions_admitted: u64,
    /// Σ charges of the discharges (currency units).
    pub total_charges: f64,
    /// Discharges with known charges.
    pub charged_stays: u64,
    /// Mean charges per charged discharge.
    pub mean_charges_per_stay: Option<f64>,
    /// Median charges per charged discharge.
    pub median_charges_per_stay: Option<f64>,
    /// Whether the median is exact (else within ±0.5 %; see
    /// [`ChargeDistribution`](crate::ChargeDistribution)).
    pub median_charges_exact: bool,
    /// Charges per inpatient service day.
    pub charges_per_patient_day: Option<f64>,
    /// The most frequent diagnoses of the discharges (top 10).
    pub top_diagnoses: Vec<CodeCount>,
    /// The most frequent procedures of the discharges (top 10).
    pub top_procedures: Vec<CodeCount>,
}

/// One unit and day of the census (all populations).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DailyRow {
    /// The census day.
    pub date: Date,
    /// The facility.
    pub facility: String,
    /// The unit.
    pub unit: String,
    /// Midnight census (end of the day).
    pub census: i64,
    /// Of which newborns.
    pub newborn_census: i64,
    /// Admissions.
    pub admissions: u64,
    /// Discharges (deaths included).
    pub discharges: u64,
    /// Deaths.
    pub deaths: u64,
    /// Transfers in from other units.
    pub transfers_in: u64,
    /// Transfers out to other units.
    pub transfers_out: u64,
    /// Admitted and discharged that day.
    pub same_day: u64,
    /// Inpatient service days (census + same day).
    pub inpatient_service_days: u64,
    /// Beds (and bassinets) that day.
    pub beds: u64,
    /// Occupancy (%) that day.
    pub occupancy_rate: Option<f64>,
}

/// Why a report could not be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReportErrorKind {
    /// The grouping was not configured when aggregating.
    GroupingNotAggregated,
}

/// A report could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ReportError {
    kind: ReportErrorKind,
    message: String,
}

impl ReportError {
    /// Why.
    pub fn kind(&self) -> ReportErrorKind {
        self.kind
    }
}

/// One group: its name, facility, and its keys in a grid (and, for unit groupings, its units).
struct GroupPlan {
    name: String,
    facility: Option<String>,
    keys: Vec<u32>,
    /// (facility, unit) whose beds count for the group; empty = beds not meaningful.
    bed_units: Vec<(String, String)>,
    beds_meaningful: bool,
}

impl Aggregator {
    fn plan_groups(
        &self,
        group_by: GroupBy,
        beds: &BedSchedule,
    ) -> Result<(usize, Vec<GroupPlan>), ReportError> {
        let g = self.grid_for(group_by).ok_or_else(|| ReportError {
            kind: ReportErrorKind::GroupingNotAggregated,
            message: format!(
                "grouping by {} was not configured when aggregating",
                group_by.as_str()
            ),
        })?;
        let grid = &self.grids[g];
        let mut plans: BTreeMap<(String, String), GroupPlan> = BTreeMap::new();
        if g == 0 {
            // Units known from the data and from the beds file.
            let mut units: BTreeSet<(String, String)> = grid
                .names
                .iter()
                .map(|n| (n.facility.to_string(), n.name.to_string()))
                .collect();
            let facilities: BTreeSet<String> = units.iter().map(|u| u.0.clone()).collect();
            for (f, u) in beds.units() {
                if !f.is_empty() {
                    units.insert((f.to_string(), u.to_string()));
                } else if facilities.is_empty() {
                    units.insert((String::new(), u.to_string()));
                } else {
                    for fac in &facilities {
                        units.insert((fac.clone(), u.to_string()));
                    }
                }
            }
            let key_of: HashMap<(&str, &str), u32> = grid
                .names
                .iter()
                .enumerate()
                .map(|(k, n)| ((&*n.facility, &*n.name), k as u32))
                .collect();
            for (f, u) in &units {
                let (gkey, name, facility) = match group_by {
                    GroupBy::None => ((String::new(), String::new()), "all".to_string(), None),
                    GroupBy::Facility => ((f.clone(), String::new()), f.clone(), Some(f.clone())),
                    _ => ((f.clone(), u.clone()), u.clone(), Some(f.clone())),
                };
                let plan = plans.entry(gkey).or_insert_with(|| GroupPlan {
                    name,
                    facility,
                    keys: Vec::new(),
                    bed_units: Vec::new(),
                    beds_meaningful: true,
                });
                if let Some(&k) = key_of.get(&(f.as_str(), u.as_str())) {
                    plan.keys.push(k);
                }
                plan.bed_units.push((f.clone(), u.clone()));
            }
            if plans.is_empty() && group_by == GroupBy::None {
                plans.insert(
                    (String::new(), String::new()),
                    GroupPlan {
                        name: "all".into(),
                        facility: None,
                        keys: Vec::new(),
                        bed_units: Vec::new(),
                        beds_meaningful: true,
                    },
                );
            }
        } else {
            for (k, n) in grid.names.iter().enumerate() {
                plans
                    .entry((String::new(), n.name.to_string()))
                    .or_insert_with(|| GroupPlan {
                        name: n.name.to_string(),
                        facility: None,
                        keys: Vec::new(),
                        bed_units: Vec::new(),
                        beds_meaningful: false,
                    })
                    .keys
                    .push(k as u32);
            }
        }
        Ok((g, plans.into_values().collect()))
    }

    /// The period report, one row per sub-period, group and population.
    pub fn report(
        &self,
        group_by: GroupBy,
        beds: &BedSchedule,
    ) -> Result<Vec<PeriodStats>, ReportError> {
        let (g, plans) = self.plan_groups(group_by, beds)?;
        let grid = &self.grids[g];
        let subperiods = self.config.split.periods(self.config.period);
        let mut rows = Vec::new();
        // Census series per key and population, computed once.
        let series: Vec<[Vec<i64>; 2]> = (0..grid.names.len() as u32)
            .map(|k| [self.census_series(g, k, 0), self.census_series(g, k, 1)])
            .collect();
        for sub in &subperiods {
            let d0 = (sub.first_day() - self.first) as usize;
            let d1 = (sub.last_day() - self.first) as usize;
            let days = sub.days();
            let bucket = self.config.split.bucket(sub.first_day());
            for plan in &plans {
                let mut counts = [DayCounts::default(), DayCounts::default()];
                let mut ipsd = [0u64; 2];
                let mut start = [0i64; 2];
                let mut end = [0i64; 2];
                let mut extras = [
                    crate::aggregate::BucketExtras::default(),
                    crate::aggregate::BucketExtras::default(),
                ];
                for &k in &plan.keys {
                    for p in 0..2 {
                        let s = &series[k as usize][p];
                        start[p] += if d0 == 0 {
                            grid.opening[k as usize][p]
                        } else {
                            s[d0 - 1]
                        };
                        end[p] += s[d1];
                        for (d, census) in s.iter().enumerate().take(d1 + 1).skip(d0) {
                            let c = &grid.cells[grid.cell_index(k, d, p, self.days)];
                            counts[p].add(c);
                            ipsd[p] += (census.max(&0).unsigned_abs()) + u64::from(c.same_day);
                        }
                        if let Some(ex) = grid.extras.get(&(k, bucket, p as u8)) {
                            extras[p].merge(ex);
                        }
                    }
                }
                let mut bed_days = BedDays::default();
                for (f, u) in &plan.bed_units {
                    let b = beds.bed_days(f, u, sub.first_day(), sub.last_day());
                    bed_days.beds += b.beds;
                    bed_days.bassinets += b.bassinets;
                }
                let nb = counts[1];
                for scope in [
                    PopulationScope::AdultsChildren,
                    PopulationScope::Newborn,
                    PopulationScope::Total,
                ] {
                    let (c, service_days, cs, ce, ex, bcd) = match scope {
                        PopulationScope::AdultsChildren => (
                            counts[0],
                            ipsd[0],
                            start[0],
                            end[0],
                            extras[0].clone(),
                            bed_days.beds,
                        ),
                        PopulationScope::Newborn => (
                            counts[1],
                            ipsd[1],
                            start[1],
                            end[1],
                            extras[1].clone(),
                            bed_days.bassinets,
                        ),
                        PopulationScope::Total => {
                            let mut c = counts[0];
                            c.add(&counts[1]);
                            let mut ex = extras[0].clone();
                            ex.merge(&extras[1]);
                            (
                                c,
                                ipsd[0] + ipsd[1],
                                start[0] + start[1],
                                end[0] + end[1],
                                ex,
                                bed_days.beds + bed_days.bassinets,
                            )
                        }
                    };
                    let births = if scope == PopulationScope::AdultsChildren {
                        0
                    } else {
                        u64::from(nb.admissions)
                    };
                    rows.push(build_row(
                        sub,
                        group_by,
                        plan,
                        scope,
                        days,
                        &c,
                        service_days,
                        cs,
                        ce,
                        births,
                        &nb,
                        &ex,
                        plan.beds_meaningful.then_some(bcd),
                    ));
                }
            }
        }
        Ok(rows)
    }

    /// One row per unit and day (all populations), with beds and occupancy from `beds`.
    pub fn daily(&self, beds: &BedSchedule) -> Vec<DailyRow> {
        let grid = &self.grids[0];
        let mut order: Vec<u32> = (0..grid.names.len() as u32).collect();
        order.sort_by(|a, b| grid.names[*a as usize].cmp(&grid.names[*b as usize]));
        let mut rows = Vec::with_capacity(order.len() * self.days);
        for k in order {
            let name = &grid.names[k as usize];
            let s0 = self.census_series(0, k, 0);
            let s1 = self.census_series(0, k, 1);
            for d in 0..self.days {
                let mut c = grid.cells[grid.cell_index(k, d, 0, self.days)];
                c.add(&grid.cells[grid.cell_index(k, d, 1, self.days)]);
                let day = self.first + d as i32;
                let census = s0[d] + s1[d];
                let ipsd = census.max(0) as u64 + u64::from(c.same_day);
                let b = beds.bed_days(&name.facility, &name.name, day, day);
                let bed_total = b.beds + b.bassinets;
                rows.push(DailyRow {
                    date: date_of_day(day),
                    facility: name.facility.to_string(),
                    unit: name.name.to_string(),
                    census,
                    newborn_census: s1[d],
                    admissions: c.admissions.into(),
                    discharges: c.discharges.into(),
                    deaths: c.deaths.into(),
                    transfers_in: c.transfers_in.into(),
                    transfers_out: c.transfers_out.into(),
                    same_day: c.same_day.into(),
                    inpatient_service_days: ipsd,
                    beds: bed_total,
                    occupancy_rate: rates::bed_occupancy_rate(ipsd, bed_total),
                });
            }
        }
        rows
    }
}

#[allow(clippy::too_many_arguments)]
fn build_row(
    sub: &Period,
    group_by: GroupBy,
    plan: &GroupPlan,
    population: PopulationScope,
    days: u32,
    c: &DayCounts,
    ipsd: u64,
    census_start: i64,
    census_end: i64,
    births: u64,
    nb: &DayCounts,
    ex: &crate::aggregate::BucketExtras,
    bed_count_days: Option<u64>,
) -> PeriodStats {
    let u = |x: u32| u64::from(x);
    let discharges = u(c.discharges);
    let alos = rates::average_length_of_stay(u(c.los_days), discharges);
    let occupancy = bed_count_days.and_then(|b| rates::bed_occupancy_rate(ipsd, b));
    let total_charges = c.charges_cents as f64 / 100.0;
    PeriodStats {
        from: sub.from,
        to: sub.to,
        group_by,
        group: plan.name.clone(),
        facility: plan.facility.clone(),
        population,
        days,
        census_start,
        census_end,
        admissions: u(c.admissions),
        admissions_from_other_hospitals: u(c.admissions_from_other_hospital),
        discharges,
        discharges_to_other_facilities: u(c.discharges_to_other_facility),
        deaths: u(c.deaths),
        deaths_under_48h: u(c.deaths_under_48h),
        transfers_in: u(c.transfers_in),
        transfers_out: u(c.transfers_out),
        births,
        live_births: u(c.live_births),
        stillbirths: u(c.stillbirths),
        same_day: u(c.same_day),
        inpatient_service_days: ipsd,
        average_daily_census: rates::average_daily_census(ipsd, days),
        total_length_of_stay: u(c.los_days),
        average_length_of_stay: alos,
        bed_count_days,
        bed_occupancy_rate: occupancy,
        bed_turnover_direct: bed_count_days
            .and_then(|b| rates::bed_turnover_direct(discharges, b, days)),
        bed_turnover_indirect: rates::bed_turnover_indirect(occupancy, days, alos),
        gross_death_rate: rates::gross_death_rate(u(c.deaths), discharges),
        net_death_rate: rates::net_death_rate(u(c.deaths), u(c.deaths_under_48h), discharges),
        newborn_death_rate: rates::newborn_death_rate(u(nb.deaths), u(nb.discharges)),
        fetal_death_rate: rates::fetal_death_rate(u(c.stillbirths), u(c.live_births)),
        maternal_deaths: u(c.direct_maternal_deaths),
        obstetric_discharges: u(c.obstetric_discharges),
        maternal_death_rate: rates::maternal_death_rate(
            u(c.direct_maternal_deaths),
            u(c.obstetric_discharges),
        ),
        deliveries: u(c.deliveries),
        cesareans: u(c.cesareans),
        cesarean_rate: rates::cesarean_rate(u(c.cesareans), u(c.deliveries)),
        autopsies: u(c.autopsies),
        gross_autopsy_rate: rates::gross_autopsy_rate(u(c.autopsies), u(c.deaths)),
        net_autopsy_rate: rates::net_autopsy_rate(
            u(c.autopsies),
            u(c.deaths),
            u(c.medical_examiner_not_autopsied),
        ),
        hospital_autopsy_rate: rates::hospital_autopsy_rate(
            u(c.autopsies),
            u(c.deaths_body_available),
        ),
        infections: u(c.infections),
        infection_rate: rates::infection_rate(u(c.infections), discharges),
        consultations: u(c.consultations),
        consultation_rate: rates::consultation_rate(u(c.consultations), discharges),
        readmission_index_stays: u(c.readmission_index),
        readmissions: u(c.readmissions),
        readmission_rate: rates::readmission_rate(u(c.readmissions), u(c.readmission_index)),
        readmissions_admitted: u(c.readmission_admissions),
        total_charges,
        charged_stays: u(c.charged_stays),
        mean_charges_per_stay: (c.charged_stays > 0)
            .then(|| total_charges / f64::from(c.charged_stays)),
        median_charges_per_stay: ex.charges.median_cents().map(|m| m / 100.0),
        median_charges_exact: ex.charges.is_exact(),
        charges_per_patient_day: (ipsd > 0 && c.charged_stays > 0)
            .then(|| total_charges / ipsd as f64),
        top_diagnoses: top(&ex.diagnoses, 10),
        top_procedures: top(&ex.procedures, 10),
    }
}

fn top(map: &HashMap<Box<str>, u64>, n: usize) -> Vec<CodeCount> {
    let mut v: Vec<CodeCount> = map
        .iter()
        .map(|(k, c)| CodeCount {
            code: k.to_string(),
            count: *c,
        })
        .collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.code.cmp(&b.code)));
    v.truncate(n);
    v
}

fn opt(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.2}"))
        .unwrap_or_else(|| "—".to_string())
}

fn opt_csv(v: Option<f64>) -> String {
    v.map(|x| format!("{x}")).unwrap_or_default()
}

/// The CSV columns of [`PeriodStats`] (the JSON fields, top codes as `CODE:COUNT;…`).
pub const PERIOD_CSV_COLUMNS: &[&str] = &[
    "from",
    "to",
    "group_by",
    "group",
    "facility",
    "population",
    "days",
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
    "average_daily_census",
    "total_length_of_stay",
    "average_length_of_stay",
    "bed_count_days",
    "bed_occupancy_rate",
    "bed_turnover_direct",
    "bed_turnover_indirect",
    "gross_death_rate",
    "net_death_rate",
    "newborn_death_rate",
    "fetal_death_rate",
    "maternal_deaths",
    "obstetric_discharges",
    "maternal_death_rate",
    "deliveries",
    "cesareans",
    "cesarean_rate",
    "autopsies",
    "gross_autopsy_rate",
    "net_autopsy_rate",
    "hospital_autopsy_rate",
    "infections",
    "infection_rate",
    "consultations",
    "consultation_rate",
    "readmission_index_stays",
    "readmissions",
    "readmission_rate",
    "readmissions_admitted",
    "total_charges",
    "charged_stays",
    "mean_charges_per_stay",
    "median_charges_per_stay",
    "median_charges_exact",
    "charges_per_patient_day",
    "top_diagnoses",
    "top_procedures",
];

impl PeriodStats {
    /// The row's values in [`PERIOD_CSV_COLUMNS`] order.
    pub fn csv_record(&self) -> Vec<String> {
        let codes = |v: &[CodeCount]| {
            v.iter()
                .map(|c| format!("{}:{}", c.code, c.count))
                .collect::<Vec<_>>()
                .join(";")
        };
        vec![
            self.from.to_string(),
            self.to.to_string(),
            self.group_by.as_str().to_string(),
            self.group.clone(),
            self.facility.clone().unwrap_or_default(),
            self.population.as_str().to_string(),
            self.days.to_string(),
            self.census_start.to_string(),
            self.census_end.to_string(),
            self.admissions.to_string(),
            self.admissions_from_other_hospitals.to_string(),
            self.discharges.to_string(),
            self.discharges_to_other_facilities.to_string(),
            self.deaths.to_string(),
            self.deaths_under_48h.to_string(),
            self.transfers_in.to_string(),
            self.transfers_out.to_string(),
            self.births.to_string(),
            self.live_births.to_string(),
            self.stillbirths.to_string(),
            self.same_day.to_string(),
            self.inpatient_service_days.to_string(),
            opt_csv(self.average_daily_census),
            self.total_length_of_stay.to_string(),
            opt_csv(self.average_length_of_stay),
            self.bed_count_days
                .map(|b| b.to_string())
                .unwrap_or_default(),
            opt_csv(self.bed_occupancy_rate),
            opt_csv(self.bed_turnover_direct),
            opt_csv(self.bed_turnover_indirect),
            opt_csv(self.gross_death_rate),
            opt_csv(self.net_death_rate),
            opt_csv(self.newborn_death_rate),
            opt_csv(self.fetal_death_rate),
            self.maternal_deaths.to_string(),
            self.obstetric_discharges.to_string(),
            opt_csv(self.maternal_death_rate),
            self.deliveries.to_string(),
            self.cesareans.to_string(),
            opt_csv(self.cesarean_rate),
            self.autopsies.to_string(),
            opt_csv(self.gross_autopsy_rate),
            opt_csv(self.net_autopsy_rate),
            opt_csv(self.hospital_autopsy_rate),
            self.infections.to_string(),
            opt_csv(self.infection_rate),
            self.consultations.to_string(),
            opt_csv(self.consultation_rate),
            self.readmission_index_stays.to_string(),
            self.readmissions.to_string(),
            opt_csv(self.readmission_rate),
            self.readmissions_admitted.to_string(),
            format!("{:.2}", self.total_charges),
            self.charged_stays.to_string(),
            opt_csv(self.mean_charges_per_stay),
            opt_csv(self.median_charges_per_stay),
            self.median_charges_exact.to_string(),
            opt_csv(self.charges_per_patient_day),
            codes(&self.top_diagnoses),
            codes(&self.top_procedures),
        ]
    }
}

/// The CSV columns of [`DailyRow`].
pub const DAILY_CSV_COLUMNS: &[&str] = &[
    "date",
    "facility",
    "unit",
    "census",
    "newborn_census",
    "admissions",
    "discharges",
    "deaths",
    "transfers_in",
    "transfers_out",
    "same_day",
    "inpatient_service_days",
    "beds",
    "occupancy_rate",
];

impl DailyRow {
    /// The row's values in [`DAILY_CSV_COLUMNS`] order.
    pub fn csv_record(&self) -> Vec<String> {
        vec![
            self.date.to_string(),
            self.facility.clone(),
            self.unit.clone(),
            self.census.to_string(),
            self.newborn_census.to_string(),
            self.admissions.to_string(),
            self.discharges.to_string(),
            self.deaths.to_string(),
            self.transfers_in.to_string(),
            self.transfers_out.to_string(),
            self.same_day.to_string(),
            self.inpatient_service_days.to_string(),
            self.beds.to_string(),
            opt_csv(self.occupancy_rate),
        ]
    }
}

/// A readable text table of period rows: the counts, census and key rates.
pub fn period_text_table(rows: &[PeriodStats]) -> String {
    let header = [
        "period", "group", "pop", "adm", "dis", "deaths", "<48h", "trIn", "trOut", "births",
        "IPSD", "ADC", "ALOS", "occ%", "gross%", "net%", "autop%", "csect%", "readm%", "charges",
    ];
    let mut table: Vec<Vec<String>> = vec![header.iter().map(|s| s.to_string()).collect()];
    for r in rows {
        let pop = match r.population {
            PopulationScope::AdultsChildren => "A&C",
            PopulationScope::Newborn => "NB",
            PopulationScope::Total => "total",
        };
        let group = match &r.facility {
            Some(f) if !f.is_empty() && r.group_by == GroupBy::Unit => format!("{f}/{}", r.group),
            _ => r.group.clone(),
        };
        table.push(vec![
            format!("{}..{}", r.from, r.to),
            group,
            pop.to_string(),
            r.admissions.to_string(),
            r.discharges.to_string(),
            r.deaths.to_string(),
            r.deaths_under_48h.to_string(),
            r.transfers_in.to_string(),
            r.transfers_out.to_string(),
            r.births.to_string(),
            r.inpatient_service_days.to_string(),
            opt(r.average_daily_census),
            opt(r.average_length_of_stay),
            opt(r.bed_occupancy_rate),
            opt(r.gross_death_rate),
            opt(r.net_death_rate),
            opt(r.gross_autopsy_rate),
            opt(r.cesarean_rate),
            opt(r.readmission_rate),
            format!("{:.2}", r.total_charges),
        ]);
    }
    render(&table)
}

/// A readable text table of daily rows.
pub fn daily_text_table(rows: &[DailyRow]) -> String {
    let header = [
        "date", "unit", "census", "adm", "dis", "deaths", "trIn", "trOut", "sameDay", "IPSD",
        "beds", "occ%",
    ];
    let mut table: Vec<Vec<String>> = vec![header.iter().map(|s| s.to_string()).collect()];
    for r in rows {
        let unit = if r.facility.is_empty() {
            r.unit.clone()
        } else {
            format!("{}/{}", r.facility, r.unit)
        };
        table.push(vec![
            r.date.to_string(),
            unit,
            r.census.to_string(),
            r.admissions.to_string(),
            r.discharges.to_string(),
            r.deaths.to_string(),
            r.transfers_in.to_string(),
            r.transfers_out.to_string(),
            r.same_day.to_string(),
            r.inpatient_service_days.to_string(),
            r.beds.to_string(),
            opt(r.occupancy_rate),
        ]);
    }
    render(&table)
}

/// Right-aligns numbers, left-aligns the first columns, one space-padded line per row.
fn render(table: &[Vec<String>]) -> String {
    let cols = table.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            table
                .iter()
                .map(|r| r[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for (i, row) in table.iter().enumerate() {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            let pad = widths[c] - cell.chars().count();
            if c > 0 {
                line.push_str("  ");
            }
            let left = c < 3 || i == 0;
            if left {
                line.push_str(cell);
                if c + 1 < cols {
                    line.push_str(&" ".repeat(pad));
                }
            } else {
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out
}
