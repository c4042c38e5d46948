//! The census and the hospital statistics of `medrec-stats` as SQL views over
//! `census_segments` (see [`crate::tables`]).
//!
//! [`register_census_views`] creates, for a period of census days `first..=last`:
//!
//! - `census_cells`: one row per facility, unit, population (`adults_children` / `newborn`) and
//!   day with anything to count, the columns of [`CELL_COUNTS`]: `census` (midnight census),
//!   `admissions`, `admissions_from_other_hospitals`, `transfers_in`, `transfers_out`,
//!   `discharges` (deaths included), `discharges_to_other_facilities`, `deaths`,
//!   `deaths_under_48h`, `same_day`, `length_of_stay_days` (Σ LOS of the discharges, a same-day
//!   stay counting 1), `autopsies`, `medical_examiner_not_autopsied`, `deaths_body_available`,
//!   `maternal_deaths` (direct), `obstetric_discharges`, `infections`, `consultations`,
//!   `charged_stays`, `charges_cents`, `deliveries`, `cesareans`, `live_births`, `stillbirths`;
//! - `daily_census`: `medrec_stats::DailyRow` without beds: per facility, unit and `date`:
//!   `census`, `newborn_census`, `admissions`, `discharges`, `deaths`, `transfers_in`,
//!   `transfers_out`, `same_day`, `inpatient_service_days` (census + same-day stays);
//! - `period_census`: `medrec_stats::PeriodStats` by unit and population for the whole period:
//!   `days`, `census_start`, `census_end`, the counts above (`births` = the newborn
//!   population's admissions, 0 for adults and children, as the report has it; `total_length_of_stay`;
//!   `total_charges` = Σ cents ÷ 100), `inpatient_service_days`, and the rates
//!   `average_daily_census`, `average_length_of_stay`, `gross_death_rate`, `net_death_rate`,
//!   `newborn_death_rate` (the unit's newborns, on both population rows, as the report has it),
//!   `fetal_death_rate`, `maternal_death_rate`, `cesarean_rate`, `gross_autopsy_rate`,
//!   `net_autopsy_rate`, `hospital_autopsy_rate`, `infection_rate`, `consultation_rate`,
//!   `mean_charges_per_stay`, `charges_per_patient_day` (the AHIMA formulas of
//!   `medrec_stats::rates`, same floating-point operations, `NULL` for a zero denominator).
//!
//! The definitions are `medrec-stats`' (AHIMA): a patient is in the midnight census of day *d*
//! on a unit when the unit segment covers `start_day ≤ d < end_day`; admissions count on the
//! first segment's start day, transfers in/out on the later segments' start/end days,
//! discharges and everything counted with them (deaths, deaths under 48 h, autopsies, LOS,
//! charges, infections, consultations, obstetric discharges) on the discharge day at the last
//! unit, same-day stays (admission day = discharge day) on the discharging unit; deliveries,
//! cesareans and the mother's `Z37` live births and stillbirths on the delivery day (else the
//! discharge day) on the unit of the last segment that started by that day (else the last
//! unit). Everything is plain SQL (`unnest(range(..))`, `UNION ALL`, `GROUP BY`, joins), so it
//! runs unchanged on Ballista.
//!
//! With a `beds` table registered (`medrec-stats`' beds file as rows), [`register_bed_views`]
//! adds `unit_bed_days` and `period_beds`: the bed fields of `PeriodStats` (`bed_count_days`,
//! `bed_occupancy_rate`, `bed_turnover_direct`, `bed_turnover_indirect`) by unit and population.
//!
//! `daily_beds` adds the `beds` / `occupancy_rate` of `DailyRow`.
//!
//! The whole report — every grouping (none, facility, unit, service, payer, diagnosis group),
//! the `total` population rows, 30-day readmissions, charge medians and the top diagnoses and
//! procedures — is the `period_stats` view of [`crate::period_stats`] (it needs the
//! `encounters`, `diagnoses` and `procedures` tables besides `census_segments`).

use datafusion::error::Result;
use datafusion::prelude::SessionContext;
use jiff::civil::Date;

use crate::tables::date32;

/// The counts of a `census_cells` row, in column order (after facility, unit, population, date).
pub const CELL_COUNTS: [&str; 24] = [
    "census",
    "admissions",
    "admissions_from_other_hospitals",
    "transfers_in",
    "transfers_out",
    "discharges",
    "discharges_to_other_facilities",
    "deaths",
    "deaths_under_48h",
    "same_day",
    "length_of_stay_days",
    "autopsies",
    "medical_examiner_not_autopsied",
    "deaths_body_available",
    "maternal_deaths",
    "obstetric_discharges",
    "infections",
    "consultations",
    "charged_stays",
    "charges_cents",
    "deliveries",
    "cesareans",
    "live_births",
    "stillbirths",
];

/// One branch of the `cells` union: `exprs` for the named counts, 0 for the others.
fn cell_branch(exprs: &[(&str, &str)]) -> String {
    CELL_COUNTS
        .iter()
        .map(|c| {
            let e = exprs
                .iter()
                .find(|(name, _)| name == c)
                .map_or("0", |(_, e)| e);
            format!("{e} AS {c}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The SQL of the `census_cells` view for census days `first..=last`.
pub fn census_cells_sql(first: Date, last: Date) -> String {
    let (f, l) = (date32(first), date32(last));
    let after = l + 1;
    let present = cell_branch(&[("census", "1")]);
    let arrivals = cell_branch(&[
        ("admissions", "CASE WHEN is_first THEN 1 ELSE 0 END"),
        (
            "admissions_from_other_hospitals",
            "CASE WHEN is_first AND admitted_from_hospital THEN 1 ELSE 0 END",
        ),
        ("transfers_in", "CASE WHEN is_first THEN 0 ELSE 1 END"),
    ]);
    // Everything the aggregator counts with the discharge (`add_discharge`, `add_death`).
    let departures = cell_branch(&[
        ("transfers_out", "CASE WHEN is_last THEN 0 ELSE 1 END"),
        ("discharges", "CASE WHEN is_last THEN 1 ELSE 0 END"),
        (
            "discharges_to_other_facilities",
            "CASE WHEN is_last AND discharged_to_other_facility THEN 1 ELSE 0 END",
        ),
        ("deaths", "CASE WHEN is_last AND died THEN 1 ELSE 0 END"),
        (
            "deaths_under_48h",
            "CASE WHEN is_last AND died AND death_under_48h THEN 1 ELSE 0 END",
        ),
        ("same_day", "CASE WHEN is_last AND e = a THEN 1 ELSE 0 END"),
        (
            "length_of_stay_days",
            "CASE WHEN is_last THEN GREATEST(e - a, 1) ELSE 0 END",
        ),
        (
            "autopsies",
            "CASE WHEN is_last AND died AND autopsy_performed THEN 1 ELSE 0 END",
        ),
        (
            "medical_examiner_not_autopsied",
            "CASE WHEN is_last AND died AND medical_examiner_case AND NOT autopsy_performed \
             THEN 1 ELSE 0 END",
        ),
        (
            "deaths_body_available",
            "CASE WHEN is_last AND died AND COALESCE(body_available, \
             autopsy_performed OR NOT medical_examiner_case) THEN 1 ELSE 0 END",
        ),
        (
            "maternal_deaths",
            "CASE WHEN is_last AND died AND direct_maternal_death THEN 1 ELSE 0 END",
        ),
        (
            "obstetric_discharges",
            "CASE WHEN is_last AND obstetric THEN 1 ELSE 0 END",
        ),
        (
            "infections",
            "CASE WHEN is_last THEN arrow_cast(hospital_acquired_infections, 'Int64') ELSE 0 END",
        ),
        (
            "consultations",
            "CASE WHEN is_last AND consultation THEN 1 ELSE 0 END",
        ),
        (
            "charged_stays",
            "CASE WHEN is_last AND charges_cents IS NOT NULL THEN 1 ELSE 0 END",
        ),
        (
            "charges_cents",
            "CASE WHEN is_last THEN COALESCE(charges_cents, 0) ELSE 0 END",
        ),
    ]);
    let deliveries = cell_branch(&[
        (
            "deliveries",
            "CASE WHEN g.delivery IS NOT NULL THEN 1 ELSE 0 END",
        ),
        (
            "cesareans",
            "CASE WHEN g.delivery = 'cesarean' THEN 1 ELSE 0 END",
        ),
        ("live_births", "arrow_cast(g.live_births, 'Int64')"),
        ("stillbirths", "arrow_cast(g.stillbirths, 'Int64')"),
    ]);
    let sums = CELL_COUNTS
        .iter()
        .map(|c| format!("SUM({c}) AS {c}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "WITH seg AS (
  SELECT patient_id, encounter_id, sequence, facility, unit,
         CASE WHEN newborn THEN 'newborn' ELSE 'adults_children' END AS population,
         is_first, is_last, died, admitted_from_hospital, discharged_to_other_facility,
         death_under_48h, autopsy_performed, medical_examiner_case, body_available,
         direct_maternal_death, obstetric, hospital_acquired_infections, consultation,
         charges_cents, delivery, live_births, stillbirths,
         arrow_cast(start_day, 'Int32') AS s, arrow_cast(end_day, 'Int32') AS e,
         arrow_cast(admit_day, 'Int32') AS a,
         arrow_cast(COALESCE(delivery_day, discharge_day), 'Int32') AS dd
  FROM census_segments),
present AS (
  SELECT facility, unit, population,
         unnest(range(arrow_cast(GREATEST(s, {f}), 'Int64'),
                      arrow_cast(LEAST(COALESCE(e, {after}), {after}), 'Int64'))) AS day
  FROM seg WHERE s <= {l} AND COALESCE(e, {after}) > {f}),
delivering AS (
  SELECT patient_id, encounter_id,
         COALESCE(MAX(CASE WHEN s <= dd THEN sequence END), MAX(sequence)) AS at_sequence
  FROM seg
  WHERE dd >= {f} AND dd <= {l}
    AND (delivery IS NOT NULL OR live_births > 0 OR stillbirths > 0)
  GROUP BY patient_id, encounter_id),
cells AS (
  SELECT facility, unit, population, day, {present}
  FROM present
  UNION ALL
  SELECT facility, unit, population, arrow_cast(s, 'Int64') AS day, {arrivals}
  FROM seg WHERE s >= {f} AND s <= {l}
  UNION ALL
  SELECT facility, unit, population, arrow_cast(e, 'Int64') AS day, {departures}
  FROM seg WHERE e >= {f} AND e <= {l}
  UNION ALL
  SELECT g.facility, g.unit, g.population, arrow_cast(g.dd, 'Int64') AS day, {deliveries}
  FROM seg g JOIN delivering d
    ON g.patient_id = d.patient_id AND g.encounter_id = d.encounter_id
   AND g.sequence = d.at_sequence
  WHERE g.dd >= {f} AND g.dd <= {l})
SELECT facility, unit, population, arrow_cast(arrow_cast(day, 'Int32'), 'Date32') AS date,
       {sums}
FROM cells GROUP BY facility, unit, population, day"
    )
}

/// The SQL of the `daily_census` view (over `census_cells`).
pub fn daily_census_sql() -> &'static str {
    "SELECT facility, unit, date,
       SUM(census) AS census,
       SUM(CASE WHEN population = 'newborn' THEN census ELSE 0 END) AS newborn_census,
       SUM(admissions) AS admissions, SUM(discharges) AS discharges, SUM(deaths) AS deaths,
       SUM(transfers_in) AS transfers_in, SUM(transfers_out) AS transfers_out,
       SUM(same_day) AS same_day, SUM(census) + SUM(same_day) AS inpatient_service_days
FROM census_cells GROUP BY facility, unit, date"
}

/// `numerator × 100 ÷ denominator` as `medrec_stats::rates::percent` computes it, `NULL` for a
/// zero denominator.
fn percent_sql(numerator: &str, denominator: &str) -> String {
    format!(
        "CASE WHEN {denominator} > 0 \
         THEN CAST({numerator} AS DOUBLE) * 100.0 / CAST({denominator} AS DOUBLE) END"
    )
}

/// The SQL of the `period_census` view for census days `first..=last` (over `census_cells` and
/// `census_segments`).
pub fn period_census_sql(first: Date, last: Date) -> String {
    let (f, l) = (date32(first), date32(last));
    let days = l - f + 1;
    // Period sums of every cell count but the census (`census_end` and IPSD come from it).
    let summed: Vec<&str> = CELL_COUNTS[1..].to_vec();
    let sums = summed
        .iter()
        .map(|c| format!("SUM({c}) AS {c}"))
        .collect::<Vec<_>>()
        .join(",\n         ");
    let coalesced = summed
        .iter()
        .chain(&["inpatient_service_days", "census_end"])
        .map(|c| format!("COALESCE(t.{c}, 0) AS {c}"))
        .collect::<Vec<_>>()
        .join(",\n         ");
    let rates = [
        (
            "average_daily_census",
            format!("CAST(inpatient_service_days AS DOUBLE) / CAST({days} AS DOUBLE)"),
        ),
        (
            "average_length_of_stay",
            "CASE WHEN discharges > 0 \
             THEN CAST(length_of_stay_days AS DOUBLE) / CAST(discharges AS DOUBLE) END"
                .to_string(),
        ),
        ("gross_death_rate", percent_sql("deaths", "discharges")),
        (
            "net_death_rate",
            percent_sql(
                "(deaths - deaths_under_48h)",
                "(discharges - deaths_under_48h)",
            ),
        ),
        (
            "newborn_death_rate",
            percent_sql("COALESCE(nb_deaths, 0)", "COALESCE(nb_discharges, 0)"),
        ),
        (
            "fetal_death_rate",
            percent_sql("stillbirths", "(live_births + stillbirths)"),
        ),
        (
            "maternal_death_rate",
            percent_sql("maternal_deaths", "obstetric_discharges"),
        ),
        ("cesarean_rate", percent_sql("cesareans", "deliveries")),
        ("gross_autopsy_rate", percent_sql("autopsies", "deaths")),
        (
            "net_autopsy_rate",
            percent_sql("autopsies", "(deaths - medical_examiner_not_autopsied)"),
        ),
        (
            "hospital_autopsy_rate",
            percent_sql("autopsies", "deaths_body_available"),
        ),
        ("infection_rate", percent_sql("infections", "discharges")),
        ("consultation_rate", percent_sql("consultations", "discharges")),
        (
            "mean_charges_per_stay",
            "CASE WHEN charged_stays > 0 THEN CAST(charges_cents AS DOUBLE) / 100.0 \
             / CAST(charged_stays AS DOUBLE) END"
                .to_string(),
        ),
        (
            "charges_per_patient_day",
            "CASE WHEN inpatient_service_days > 0 AND charged_stays > 0 \
             THEN CAST(charges_cents AS DOUBLE) / 100.0 / CAST(inpatient_service_days AS DOUBLE) END"
                .to_string(),
        ),
    ]
    .iter()
    .map(|(name, e)| format!("{e} AS {name}"))
    .collect::<Vec<_>>()
    .join(",\n       ");
    format!(
        "WITH totals AS (
  SELECT facility, unit, population,
         {sums},
         SUM(census) + SUM(same_day) AS inpatient_service_days,
         SUM(CASE WHEN date = arrow_cast(arrow_cast({l}, 'Int32'), 'Date32') THEN census ELSE 0 END) AS census_end
  FROM census_cells GROUP BY facility, unit, population),
opening AS (
  SELECT facility, unit,
         CASE WHEN newborn THEN 'newborn' ELSE 'adults_children' END AS population,
         COUNT(*) AS census_start
  FROM census_segments
  WHERE arrow_cast(start_day, 'Int32') < {f}
    AND COALESCE(arrow_cast(end_day, 'Int32'), {f}) >= {f}
    AND COALESCE(arrow_cast(end_day, 'Int32'), {f} + 1) > arrow_cast(start_day, 'Int32')
  GROUP BY 1, 2, 3),
newborns AS (
  SELECT facility AS nb_facility, unit AS nb_unit, SUM(deaths) AS nb_deaths,
         SUM(discharges) AS nb_discharges
  FROM census_cells WHERE population = 'newborn' GROUP BY facility, unit),
p AS (
  SELECT COALESCE(t.facility, o.facility) AS facility, COALESCE(t.unit, o.unit) AS unit,
         COALESCE(t.population, o.population) AS population,
         COALESCE(o.census_start, 0) AS census_start,
         {coalesced}
  FROM totals t FULL OUTER JOIN opening o
    ON t.facility = o.facility AND t.unit = o.unit AND t.population = o.population)
SELECT facility, unit, population, {days} AS days, census_start, census_end,
       admissions, admissions_from_other_hospitals, discharges, discharges_to_other_facilities,
       deaths, deaths_under_48h, transfers_in, transfers_out,
       CASE WHEN population = 'newborn' THEN admissions ELSE 0 END AS births,
       live_births, stillbirths, same_day, inpatient_service_days,
       length_of_stay_days AS total_length_of_stay, maternal_deaths, obstetric_discharges,
       deliveries, cesareans, autopsies, infections, consultations, charged_stays,
       CAST(charges_cents AS DOUBLE) / 100.0 AS total_charges,
       {rates}
FROM p LEFT JOIN newborns ON p.facility = nb_facility AND p.unit = nb_unit"
    )
}

/// Creates the views `census_cells`, `daily_census` and `period_census` for census days
/// `first..=last` over the registered `census_segments` table.
pub async fn register_census_views(ctx: &SessionContext, first: Date, last: Date) -> Result<()> {
    for (name, sql) in [
        ("census_cells", census_cells_sql(first, last)),
        ("daily_census", daily_census_sql().to_string()),
        ("period_census", period_census_sql(first, last)),
    ] {
        // DDL runs when the statement is planned (locally, also on a Ballista client).
        ctx.sql(&format!("CREATE OR REPLACE VIEW {name} AS {sql}"))
            .await?;
    }
    Ok(())
}

/// The CTEs `b`, `facilities`, `resolved` and `spans` shared by the bed views: each `beds` row
/// resolved to the (facility, unit) it counts for, with the days `[lo, hi)` of the period
/// `f..after` its count holds.
fn bed_spans_ctes(f: i32, after: i32) -> String {
    format!(
        "b AS (
  SELECT COALESCE(facility, '') AS facility, unit,
         arrow_cast(effective_from, 'Int32') AS d, arrow_cast(beds, 'Int64') AS n,
         COALESCE(kind, 'bed') AS kind
  FROM beds),
facilities AS (SELECT DISTINCT facility FROM census_segments),
resolved AS (
  SELECT facility, unit, d, n, kind FROM b WHERE facility <> ''
  UNION ALL
  SELECT x.facility, b.unit, b.d, b.n, b.kind
  FROM b CROSS JOIN facilities x
  WHERE b.facility = ''
    AND NOT EXISTS (SELECT 1 FROM b e
                    WHERE e.facility <> '' AND e.facility = x.facility AND e.unit = b.unit)
  UNION ALL
  SELECT facility, unit, d, n, kind FROM b
  WHERE facility = '' AND NOT EXISTS (SELECT 1 FROM census_segments)),
spans AS (
  SELECT facility, unit, n, kind, GREATEST(d, {f}) AS lo,
         LEAST(COALESCE(LEAD(d) OVER (PARTITION BY facility, unit ORDER BY d), {after}),
               {after}) AS hi
  FROM resolved)"
    )
}

/// The SQL of the `unit_bed_days` view for census days `first..=last`, over a `beds` table the
/// caller registers (see [`register_bed_views`]).
pub fn unit_bed_days_sql(first: Date, last: Date) -> String {
    let (f, l) = (date32(first), date32(last));
    let ctes = bed_spans_ctes(f, l + 1);
    format!(
        "WITH {ctes}
SELECT facility, unit,
       SUM(CASE WHEN kind = 'bassinet' THEN 0 ELSE n * GREATEST(hi - lo, 0) END) AS bed_count_days,
       SUM(CASE WHEN kind = 'bassinet' THEN n * GREATEST(hi - lo, 0) ELSE 0 END) AS bassinet_count_days
FROM spans GROUP BY facility, unit"
    )
}

/// The SQL of the `daily_beds` view for census days `first..=last` (over `beds`,
/// `census_segments` and `daily_census`).
pub fn daily_beds_sql(first: Date, last: Date) -> String {
    let (f, l) = (date32(first), date32(last));
    let ctes = bed_spans_ctes(f, l + 1);
    format!(
        "WITH {ctes},
bed_days AS (
  SELECT facility, unit,
         unnest(range(arrow_cast(lo, 'Int64'), arrow_cast(hi, 'Int64'))) AS day, n
  FROM spans WHERE hi > lo),
units AS (SELECT DISTINCT facility, unit FROM census_segments),
unit_beds AS (
  SELECT d.facility, d.unit, arrow_cast(arrow_cast(d.day, 'Int32'), 'Date32') AS date,
         SUM(d.n) AS beds
  FROM bed_days d JOIN units u ON d.facility = u.facility AND d.unit = u.unit
  GROUP BY d.facility, d.unit, d.day),
j AS (
  SELECT COALESCE(c.facility, b.facility) AS facility, COALESCE(c.unit, b.unit) AS unit,
         COALESCE(c.date, b.date) AS date, COALESCE(b.beds, 0) AS beds,
         COALESCE(c.inpatient_service_days, 0) AS inpatient_service_days
  FROM daily_census c FULL OUTER JOIN unit_beds b
    ON c.facility = b.facility AND c.unit = b.unit AND c.date = b.date)
SELECT facility, unit, date, beds,
       CASE WHEN beds > 0
            THEN CAST(inpatient_service_days AS DOUBLE) * 100.0 / CAST(beds AS DOUBLE) END
         AS occupancy_rate
FROM j"
    )
}

/// The SQL of the `period_beds` view for census days `first..=last` (over `period_census` and
/// `unit_bed_days`).
pub fn period_beds_sql(first: Date, last: Date) -> String {
    let days = date32(last) - date32(first) + 1;
    format!(
        "WITH b AS (
  SELECT facility, unit, 'adults_children' AS population, bed_count_days AS bcd
  FROM unit_bed_days
  UNION ALL
  SELECT facility, unit, 'newborn', bassinet_count_days FROM unit_bed_days),
j AS (
  SELECT COALESCE(p.facility, b.facility) AS facility, COALESCE(p.unit, b.unit) AS unit,
         COALESCE(p.population, b.population) AS population,
         COALESCE(b.bcd, 0) AS bed_count_days,
         COALESCE(p.inpatient_service_days, 0) AS ipsd,
         COALESCE(p.discharges, 0) AS discharges,
         p.average_length_of_stay AS alos
  FROM period_census p FULL OUTER JOIN b
    ON p.facility = b.facility AND p.unit = b.unit AND p.population = b.population),
o AS (
  SELECT facility, unit, population, bed_count_days, discharges, alos,
         CASE WHEN bed_count_days > 0
              THEN CAST(ipsd AS DOUBLE) * 100.0 / CAST(bed_count_days AS DOUBLE) END
           AS bed_occupancy_rate
  FROM j)
SELECT facility, unit, population, {days} AS days, bed_count_days, bed_occupancy_rate,
       CASE WHEN bed_count_days > 0
            THEN CAST(discharges AS DOUBLE)
                 / (CAST(bed_count_days AS DOUBLE) / CAST({days} AS DOUBLE)) END
         AS bed_turnover_direct,
       CASE WHEN bed_occupancy_rate IS NOT NULL AND alos > 0
            THEN bed_occupancy_rate / 100.0 * CAST({days} AS DOUBLE) / alos END
         AS bed_turnover_indirect
FROM o"
    )
}

/// Creates the views `unit_bed_days`, `period_beds` and `daily_beds` for census days `first..=last` over a
/// registered `beds` table (and the views of [`register_census_views`], which must exist).
///
/// `beds` holds `medrec-stats`' beds file as a table, one row per change: `facility` (Utf8,
/// empty or null = the unit of that name in every facility without its own rows), `unit`
/// (Utf8), `effective_from` (Date32: the count holds from that day until the unit's next row;
/// 0 before its first), `beds` (integer), `kind` (Utf8 `bed` / `bassinet`, null = `bed`). One
/// row per unit and day (`medrec_stats::BedSchedule` keeps the later of two; SQL would add
/// them).
///
/// - `unit_bed_days`: per facility and unit, `bed_count_days` and `bassinet_count_days` of the
///   period (`medrec_stats::BedSchedule::bed_days`);
/// - `period_beds`: per facility, unit and population (also units known only from `beds`):
///   `days`, `bed_count_days` (bassinet days for newborns), `bed_occupancy_rate`,
///   `bed_turnover_direct`, `bed_turnover_indirect` — the `PeriodStats` bed fields of
///   `Aggregator::report(GroupBy::Unit, &beds)`, same floating-point operations;
/// - `daily_beds`: per facility, unit (of the stays) and `date` with beds or anything counted:
///   `beds` (beds + bassinets that day) and `occupancy_rate`, the `DailyRow` bed fields of
///   `Aggregator::daily(&beds)`.
pub async fn register_bed_views(ctx: &SessionContext, first: Date, last: Date) -> Result<()> {
    for (name, sql) in [
        ("unit_bed_days", unit_bed_days_sql(first, last)),
        ("period_beds", period_beds_sql(first, last)),
        ("daily_beds", daily_beds_sql(first, last)),
    ] {
        ctx.sql(&format!("CREATE OR REPLACE VIEW {name} AS {sql}"))
            .await?;
    }
    Ok(())
}
