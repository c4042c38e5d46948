//! The census and the hospital statistics of `medrec-stats` as SQL views over
//! `census_segments` (see [`crate::tables`]).
//!
//! [`register_census_views`] creates, for a period of census days `first..=last`:
//!
//! - `census_cells`: one row per facility, unit, population (`adults_children` / `newborn`) and
//!   day with anything to count: `census` (midnight census), `admissions`, `admissions_from_other_hospitals`,
//!   `transfers_in`, `transfers_out`, `discharges` (deaths included), `deaths`, `same_day`,
//!   `length_of_stay_days` (Σ LOS of the discharges, a same-day stay counting 1);
//! - `daily_census`: `medrec_stats::DailyRow` without beds: per facility, unit and `date`:
//!   `census`, `newborn_census`, `admissions`, `discharges`, `deaths`, `transfers_in`,
//!   `transfers_out`, `same_day`, `inpatient_service_days` (census + same-day stays);
//! - `period_census`: `medrec_stats::PeriodStats` by unit and population for the whole period:
//!   `census_start`, `census_end`, the counts above, `inpatient_service_days`,
//!   `average_daily_census`, `total_length_of_stay`, `average_length_of_stay`,
//!   `gross_death_rate` (the AHIMA formulas of `medrec_stats::rates`, same floating-point
//!   operations, `NULL` for a zero denominator).
//!
//! The definitions are `medrec-stats`' (AHIMA): a patient is in the midnight census of day *d*
//! on a unit when the unit segment covers `start_day ≤ d < end_day`; admissions count on the
//! first segment's start day, transfers in/out on the later segments' start/end days,
//! discharges, deaths and LOS on the discharge day at the last unit, same-day stays (admission
//! day = discharge day) on the discharging unit. Everything is plain SQL (`unnest(range(..))`,
//! `UNION ALL`, `GROUP BY`), so it runs unchanged on Ballista.

use datafusion::error::Result;
use datafusion::prelude::SessionContext;
use jiff::civil::Date;

use crate::tables::date32;

/// The SQL of the `census_cells` view for census days `first..=last`.
pub fn census_cells_sql(first: Date, last: Date) -> String {
    let (f, l) = (date32(first), date32(last));
    let after = l + 1;
    format!(
        "WITH seg AS (
  SELECT facility, unit,
         CASE WHEN newborn THEN 'newborn' ELSE 'adults_children' END AS population,
         is_first, is_last, died, admitted_from_hospital,
         arrow_cast(start_day, 'Int32') AS s, arrow_cast(end_day, 'Int32') AS e,
         arrow_cast(admit_day, 'Int32') AS a
  FROM census_segments),
present AS (
  SELECT facility, unit, population,
         unnest(range(arrow_cast(GREATEST(s, {f}), 'Int64'),
                      arrow_cast(LEAST(COALESCE(e, {after}), {after}), 'Int64'))) AS day
  FROM seg WHERE s <= {l} AND COALESCE(e, {after}) > {f}),
cells AS (
  SELECT facility, unit, population, day, 1 AS census, 0 AS admissions,
         0 AS admissions_from_other_hospitals, 0 AS transfers_in, 0 AS transfers_out,
         0 AS discharges, 0 AS deaths, 0 AS same_day, 0 AS length_of_stay_days
  FROM present
  UNION ALL
  SELECT facility, unit, population, arrow_cast(s, 'Int64'), 0,
         CASE WHEN is_first THEN 1 ELSE 0 END,
         CASE WHEN is_first AND admitted_from_hospital THEN 1 ELSE 0 END,
         CASE WHEN is_first THEN 0 ELSE 1 END, 0, 0, 0, 0, 0
  FROM seg WHERE s >= {f} AND s <= {l}
  UNION ALL
  SELECT facility, unit, population, arrow_cast(e, 'Int64'), 0, 0, 0, 0,
         CASE WHEN is_last THEN 0 ELSE 1 END,
         CASE WHEN is_last THEN 1 ELSE 0 END,
         CASE WHEN is_last AND died THEN 1 ELSE 0 END,
         CASE WHEN is_last AND e = a THEN 1 ELSE 0 END,
         CASE WHEN is_last THEN GREATEST(e - a, 1) ELSE 0 END
  FROM seg WHERE e >= {f} AND e <= {l})
SELECT facility, unit, population, arrow_cast(arrow_cast(day, 'Int32'), 'Date32') AS date,
       SUM(census) AS census, SUM(admissions) AS admissions,
       SUM(admissions_from_other_hospitals) AS admissions_from_other_hospitals,
       SUM(transfers_in) AS transfers_in, SUM(transfers_out) AS transfers_out,
       SUM(discharges) AS discharges, SUM(deaths) AS deaths, SUM(same_day) AS same_day,
       SUM(length_of_stay_days) AS length_of_stay_days
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

/// The SQL of the `period_census` view for census days `first..=last` (over `census_cells` and
/// `census_segments`).
pub fn period_census_sql(first: Date, last: Date) -> String {
    let (f, l) = (date32(first), date32(last));
    let days = l - f + 1;
    format!(
        "WITH totals AS (
  SELECT facility, unit, population,
         SUM(admissions) AS admissions,
         SUM(admissions_from_other_hospitals) AS admissions_from_other_hospitals,
         SUM(discharges) AS discharges, SUM(deaths) AS deaths,
         SUM(transfers_in) AS transfers_in, SUM(transfers_out) AS transfers_out,
         SUM(same_day) AS same_day,
         SUM(census) + SUM(same_day) AS inpatient_service_days,
         SUM(CASE WHEN date = arrow_cast(arrow_cast({l}, 'Int32'), 'Date32') THEN census ELSE 0 END) AS census_end,
         SUM(length_of_stay_days) AS total_length_of_stay
  FROM census_cells GROUP BY facility, unit, population),
opening AS (
  SELECT facility, unit,
         CASE WHEN newborn THEN 'newborn' ELSE 'adults_children' END AS population,
         COUNT(*) AS census_start
  FROM census_segments
  WHERE arrow_cast(start_day, 'Int32') < {f}
    AND COALESCE(arrow_cast(end_day, 'Int32'), {f}) >= {f}
    AND COALESCE(arrow_cast(end_day, 'Int32'), {f} + 1) > arrow_cast(start_day, 'Int32')
  GROUP BY 1, 2, 3)
SELECT COALESCE(t.facility, o.facility) AS facility, COALESCE(t.unit, o.unit) AS unit,
       COALESCE(t.population, o.population) AS population,
       {days} AS days,
       COALESCE(o.census_start, 0) AS census_start, COALESCE(t.census_end, 0) AS census_end,
       COALESCE(t.admissions, 0) AS admissions,
       COALESCE(t.admissions_from_other_hospitals, 0) AS admissions_from_other_hospitals,
       COALESCE(t.discharges, 0) AS discharges, COALESCE(t.deaths, 0) AS deaths,
       COALESCE(t.transfers_in, 0) AS transfers_in, COALESCE(t.transfers_out, 0) AS transfers_out,
       COALESCE(t.same_day, 0) AS same_day,
       COALESCE(t.inpatient_service_days, 0) AS inpatient_service_days,
       CAST(COALESCE(t.inpatient_service_days, 0) AS DOUBLE) / CAST({days} AS DOUBLE) AS average_daily_census,
       COALESCE(t.total_length_of_stay, 0) AS total_length_of_stay,
       CASE WHEN COALESCE(t.discharges, 0) > 0
            THEN CAST(t.total_length_of_stay AS DOUBLE) / CAST(t.discharges AS DOUBLE) END
         AS average_length_of_stay,
       CASE WHEN COALESCE(t.discharges, 0) > 0
            THEN CAST(t.deaths AS DOUBLE) * 100.0 / CAST(t.discharges AS DOUBLE) END
         AS gross_death_rate
FROM totals t FULL OUTER JOIN opening o
  ON t.facility = o.facility AND t.unit = o.unit AND t.population = o.population"
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
