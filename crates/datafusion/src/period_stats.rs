//! The whole period report of `medrec-stats` as one SQL view: `period_stats` equals
//! `Aggregator::report(group_by, &BedSchedule::new())` for every grouping at once, row for row
//! and field for field, with the `PeriodStats` JSON field names (the issue 9 contract).
//!
//! [`register_period_stats`] creates, for the census days `first..=last`, over the registered
//! `census_segments`, `encounters`, `diagnoses` and `procedures` tables (from
//! [`crate::tables::register_fhir_tables`] or Parquet written by
//! [`crate::export::write_stay_tables`]):
//!
//! - `stay_readmissions`: one row per inpatient encounter: `patient_id`, `encounter_id`,
//!   `readmitted` (`NULL` when the stay is not an index stay; else whether an inpatient
//!   admission of the same patient followed within the window) and `readmission` (this
//!   admission is itself a readmission) — the links `Aggregator::add_patient` makes;
//! - `period_stats`: one row per grouping, group and population: `from`, `to`, `group_by`
//!   (`none`, `facility`, `unit`, `service`, `payer`, `diagnosis_group`), `group` (`all` for
//!   `none`; `(unknown)` for a stay without the attribute), `facility` (`NULL` unless grouped by
//!   facility or unit), `population` (`adults_children`, `newborn`, `total`) and every
//!   `PeriodStats` field in its order, from `days` to `top_procedures` (see
//!   [`PERIOD_STATS_COLUMNS`]). Quote `"from"`, `"to"` and `"group"` in SQL.
//!
//! # Definitions (AHIMA, as `medrec-stats` computes them)
//! - Counts and rates: those of [`crate::census`] (`period_census`), summed over the group's
//!   units (service, payer and diagnosis group: over the stays with that attribute, every unit
//!   segment of a stay counting for its group, so transfers between two units of one service
//!   are transfers in and out of the service, as in the aggregator). `total` rows add the two
//!   populations and recompute the rates from the sums; `births` (newborn admissions) and
//!   `newborn_death_rate` (newborn deaths ÷ newborn discharges) are the group's newborns on
//!   every population row but `births` on the adults-and-children row (0).
//! - **30-day readmissions** (`readmission_index_stays`, `readmissions`, `readmission_rate`,
//!   `readmissions_admitted`), all-cause, linked within the tables as
//!   `Aggregator::add_patient` links a patient's stays: the patient's inpatient stays in
//!   admission order; an **index stay** is a discharged stay not ending in death, transfer to
//!   another acute hospital or discharge against advice (CMS Hospital-Wide Readmission
//!   exclusions); it is **readmitted** when a later inpatient stay of the patient (another
//!   encounter) was admitted at or after its discharge and at most 30 census days later
//!   (facility zone: `admit_day − discharge_day ≤ 30`). An admission **is a readmission** when
//!   the patient's previous inpatient stay that was not a birth (`LAG` over the stays without
//!   admit source `born`) is an index stay it follows within the window, or when the
//!   encounter says so (`is_readmission`). Index stays and readmissions count with the
//!   discharge, readmission admissions on the admission day. Rate = readmissions × 100 ÷
//!   index stays.
//! - **Charges**: `total_charges` (Σ cents ÷ 100), `mean_charges_per_stay`, and
//!   `median_charges_per_stay` / `median_charges_exact` from [`crate::median`]'s
//!   `median_charges` (`medrec_stats::ChargeDistribution` itself: exact up to 4,096 distinct
//!   amounts per group, else within ±0.5 %), over the group's discharges with known charges.
//!   By payer: `group_by = 'payer'`.
//! - **Top diagnoses and procedures**: the 10 codes most often carried by the group's
//!   discharges (each diagnosis / procedure row counts once; a code is upper-cased (ASCII),
//!   stripped of white space at both ends and of dots, and skipped when empty, as the
//!   aggregator's `bump` does), ordered by count descending, then code ascending (byte order);
//!   `List<Struct{code, count}>`, `NULL` when the group's discharges carry no code.
//! - Beds: `bed_count_days` is 0 for the `none`, `facility` and `unit` groupings and `NULL`
//!   otherwise, the bed rates `NULL` — the report without a beds file. With beds, the unit
//!   rows' bed fields are `period_beds` ([`crate::census::register_bed_views`]).
//!
//! # Differences from `medrec-stats`
//! - Two inpatient stays of one patient admitted at the same instant: the aggregator keeps
//!   them in input order, SQL orders them by encounter id. Only a stay discharged at the instant
//!   it was admitted (or before) can then link differently.
//! - `encounter_id` must be unique per patient (the tables are joined on it).
//! - One period per view (no `Split` sub-periods: register one view per sub-period).
//!
//! Everything is plain SQL (joins, `GROUP BY`, `UNION ALL`, `LAG` and `ROW_NUMBER` windows,
//! ordered `array_agg`) plus the `median_charges` aggregate, so it runs unchanged on Ballista.
//! The expensive part (the per-segment counts) is aggregated once at the finest grain
//! (facility, unit, service, payer, diagnosis group, population) and only that small table
//! is expanded into the six groupings and three populations.

use datafusion::error::Result;
use datafusion::prelude::SessionContext;
use jiff::civil::Date;

use crate::tables::date32;

/// The readmission window of [`register_period_stats`] (days), `AggregatorConfig::new`'s.
pub const READMISSION_WINDOW_DAYS: i32 = 30;

/// How many codes `top_diagnoses` / `top_procedures` hold (the report's 10).
pub const TOP_CODES: usize = 10;

/// The columns of `period_stats`, in order: the `PeriodStats` JSON field names — medrec-stats'
/// own list ([`medrec_stats::report::PERIOD_CSV_COLUMNS`]), as an array.
pub const PERIOD_STATS_COLUMNS: [&str; 59] = {
    let all = medrec_stats::report::PERIOD_CSV_COLUMNS;
    assert!(
        all.len() == 59,
        "medrec-stats' period columns changed: update the view"
    );
    match all.first_chunk::<59>() {
        Some(columns) => *columns,
        None => panic!("fewer than 59 period columns"),
    }
};

/// Dispositions that keep a discharge from being a readmission index stay.
const NOT_INDEX: &str = "('died', 'transfer_to_hospital', 'against_advice')";

/// The SQL of the `stay_readmissions` view (over `encounters`), with a window of `window_days`
/// census days.
pub fn stay_readmissions_sql(window_days: i32) -> String {
    format!(
        "WITH inp AS (
  SELECT patient_id, encounter_id, admitted, discharged, admit_source, is_readmission,
         discharge_disposition AS disp,
         arrow_cast(admit_day, 'Int32') AS ad, arrow_cast(discharge_day, 'Int32') AS dd,
         discharged IS NOT NULL AND discharge_disposition NOT IN {NOT_INDEX} AS index_stay
  FROM encounters WHERE encounter_class = 'inpatient'),
followed AS (
  SELECT i.patient_id, i.encounter_id, COUNT(*) AS later
  FROM inp i JOIN inp j ON i.patient_id = j.patient_id
  WHERE i.index_stay AND j.encounter_id <> i.encounter_id
    AND (j.admitted > i.admitted OR (j.admitted = i.admitted AND j.encounter_id > i.encounter_id))
    AND j.admitted >= i.discharged AND j.ad - i.dd <= {window_days}
  GROUP BY i.patient_id, i.encounter_id),
previous AS (
  SELECT patient_id, encounter_id, admitted, ad,
         LAG(index_stay) OVER w AS prev_index, LAG(discharged) OVER w AS prev_discharged,
         LAG(dd) OVER w AS prev_dd
  FROM inp WHERE admit_source <> 'born'
  WINDOW w AS (PARTITION BY patient_id ORDER BY admitted, encounter_id)),
readmission AS (
  SELECT patient_id, encounter_id,
         COALESCE(prev_index AND admitted >= prev_discharged AND ad - prev_dd <= {window_days},
                  false) AS linked
  FROM previous)
SELECT i.patient_id, i.encounter_id,
       CASE WHEN i.index_stay THEN f.later IS NOT NULL END AS readmitted,
       COALESCE(r.linked, false) OR i.is_readmission AS readmission
FROM inp i
LEFT JOIN followed f ON i.patient_id = f.patient_id AND i.encounter_id = f.encounter_id
LEFT JOIN readmission r ON i.patient_id = r.patient_id AND i.encounter_id = r.encounter_id"
    )
}

/// `CASE WHEN cond THEN 1 ELSE 0 END`.
fn flag(cond: &str) -> String {
    format!("CASE WHEN {cond} THEN 1 ELSE 0 END")
}

/// The per-segment counts summed into the period rows: (name, expression over `seg`).
fn segment_counts(f: i32, l: i32) -> Vec<(&'static str, String)> {
    let after = l + 1;
    let arrive = format!("(s >= {f} AND s <= {l})");
    let depart = format!("(e IS NOT NULL AND e >= {f} AND e <= {l})");
    let dis = format!("(is_last AND {depart})");
    let death = format!("({dis} AND died)");
    // Deliveries and the mother's Z37 births: on the delivery day (else the discharge day), on
    // the last segment that began by that day (segments are contiguous), else the last one.
    let dlv = format!(
        "((delivery IS NOT NULL OR live_births > 0 OR stillbirths > 0) \
         AND dv >= {f} AND dv <= {l} \
         AND ((s <= dv AND (is_last OR e > dv)) OR (is_last AND dv < a)))"
    );
    vec![
        (
            "census_start",
            flag(&format!("s < {f} AND (e IS NULL OR e >= {f})")),
        ),
        (
            "census_end",
            flag(&format!("s <= {l} AND (e IS NULL OR e > {l})")),
        ),
        (
            "midnights",
            format!("GREATEST(LEAST(COALESCE(e, {after}), {after}) - GREATEST(s, {f}), 0)"),
        ),
        ("admissions", flag(&format!("is_first AND {arrive}"))),
        (
            "admissions_from_other_hospitals",
            flag(&format!("is_first AND {arrive} AND admitted_from_hospital")),
        ),
        (
            "readmissions_admitted",
            flag(&format!("is_first AND {arrive} AND readmission")),
        ),
        ("transfers_in", flag(&format!("NOT is_first AND {arrive}"))),
        ("transfers_out", flag(&format!("NOT is_last AND {depart}"))),
        ("discharges", flag(&dis)),
        (
            "discharges_to_other_facilities",
            flag(&format!("{dis} AND discharged_to_other_facility")),
        ),
        ("deaths", flag(&death)),
        (
            "deaths_under_48h",
            flag(&format!("{death} AND death_under_48h")),
        ),
        ("same_day", flag(&format!("{dis} AND e = a"))),
        (
            "total_length_of_stay",
            format!("CASE WHEN {dis} THEN GREATEST(e - a, 1) ELSE 0 END"),
        ),
        ("autopsies", flag(&format!("{death} AND autopsy_performed"))),
        (
            "medical_examiner_not_autopsied",
            flag(&format!(
                "{death} AND medical_examiner_case AND NOT autopsy_performed"
            )),
        ),
        (
            "deaths_body_available",
            flag(&format!(
                "{death} AND COALESCE(body_available, autopsy_performed OR NOT medical_examiner_case)"
            )),
        ),
        (
            "maternal_deaths",
            flag(&format!("{death} AND direct_maternal_death")),
        ),
        (
            "obstetric_discharges",
            flag(&format!("{dis} AND obstetric")),
        ),
        (
            "infections",
            format!(
                "CASE WHEN {dis} THEN arrow_cast(hospital_acquired_infections, 'Int64') ELSE 0 END"
            ),
        ),
        ("consultations", flag(&format!("{dis} AND consultation"))),
        (
            "readmission_index_stays",
            flag(&format!("{dis} AND readmitted IS NOT NULL")),
        ),
        (
            "readmissions",
            flag(&format!("{dis} AND COALESCE(readmitted, false)")),
        ),
        (
            "charged_stays",
            flag(&format!("{dis} AND charges_cents IS NOT NULL")),
        ),
        (
            "charges_cents",
            format!("CASE WHEN {dis} THEN COALESCE(charges_cents, 0) ELSE 0 END"),
        ),
        (
            "deliveries",
            flag(&format!("{dlv} AND delivery IS NOT NULL")),
        ),
        (
            "cesareans",
            flag(&format!("{dlv} AND delivery = 'cesarean'")),
        ),
        (
            "live_births",
            format!("CASE WHEN {dlv} THEN arrow_cast(live_births, 'Int64') ELSE 0 END"),
        ),
        (
            "stillbirths",
            format!("CASE WHEN {dlv} THEN arrow_cast(stillbirths, 'Int64') ELSE 0 END"),
        ),
    ]
}

/// The characters Rust's `str::trim` removes (Unicode `White_Space`), as a SQL expression.
fn white_space_sql() -> String {
    let chars: Vec<u32> = [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680]
        .into_iter()
        .chain(0x2000..=0x200A)
        .chain([0x2028, 0x2029, 0x202F, 0x205F, 0x3000])
        .collect();
    chars
        .iter()
        .map(|c| format!("chr({c})"))
        .collect::<Vec<_>>()
        .join(" || ")
}

/// `numerator × 100 ÷ denominator` (`medrec_stats::rates::percent`), `NULL` for a zero
/// denominator.
fn percent(numerator: &str, denominator: &str) -> String {
    format!(
        "CASE WHEN {denominator} > 0 \
         THEN CAST({numerator} AS DOUBLE) * 100.0 / CAST({denominator} AS DOUBLE) END"
    )
}

/// The SQL of the `period_stats` view for census days `first..=last` (over `census_segments`,
/// `encounters`, `diagnoses`, `procedures` and the `stay_readmissions` view).
pub fn period_stats_sql(first: Date, last: Date) -> String {
    let (f, l) = (date32(first), date32(last));
    let days = l - f + 1;
    let counts = segment_counts(f, l);
    let names: Vec<&str> = counts.iter().map(|(n, _)| *n).collect();
    let exprs = counts
        .iter()
        .map(|(n, e)| format!("SUM({e}) AS {n}"))
        .collect::<Vec<_>>()
        .join(",\n         ");
    let zeros = names
        .iter()
        .map(|n| format!("arrow_cast(0, 'Int64') AS {n}"))
        .collect::<Vec<_>>()
        .join(", ");
    let weighted = names
        .iter()
        .map(|n| format!("SUM(CASE WHEN nb THEN p.w1 ELSE p.w0 END * {n}) AS {n}"))
        .collect::<Vec<_>>()
        .join(",\n         ");
    let keys = "facility, unit, service, payer, diagnosis_group, nb";
    let group_name = "CASE g.group_by WHEN 'none' THEN 'all' WHEN 'facility' THEN facility \
         WHEN 'unit' THEN unit WHEN 'service' THEN service WHEN 'payer' THEN payer \
         ELSE diagnosis_group END";
    let group_facility = "CASE WHEN g.group_by IN ('facility', 'unit') THEN facility END";
    let in_scope = "(CASE WHEN nb THEN p.w1 ELSE p.w0 END) = 1";
    let ws = white_space_sql();
    let date = |d: i32| format!("arrow_cast(arrow_cast({d}, 'Int32'), 'Date32')");
    let (from, to) = (date(f), date(l));
    let rates = [
        (
            "average_daily_census",
            format!("CAST(inpatient_service_days AS DOUBLE) / CAST({days} AS DOUBLE)"),
        ),
        (
            "average_length_of_stay",
            "CASE WHEN discharges > 0 THEN CAST(total_length_of_stay AS DOUBLE) \
             / CAST(discharges AS DOUBLE) END"
                .to_string(),
        ),
        ("gross_death_rate", percent("deaths", "discharges")),
        (
            "net_death_rate",
            percent(
                "(deaths - deaths_under_48h)",
                "(discharges - deaths_under_48h)",
            ),
        ),
        ("newborn_death_rate", percent("nb_deaths", "nb_discharges")),
        (
            "fetal_death_rate",
            percent("stillbirths", "(live_births + stillbirths)"),
        ),
        (
            "maternal_death_rate",
            percent("maternal_deaths", "obstetric_discharges"),
        ),
        ("cesarean_rate", percent("cesareans", "deliveries")),
        ("gross_autopsy_rate", percent("autopsies", "deaths")),
        (
            "net_autopsy_rate",
            percent("autopsies", "(deaths - medical_examiner_not_autopsied)"),
        ),
        (
            "hospital_autopsy_rate",
            percent("autopsies", "deaths_body_available"),
        ),
        ("infection_rate", percent("infections", "discharges")),
        ("consultation_rate", percent("consultations", "discharges")),
        (
            "readmission_rate",
            percent("readmissions", "readmission_index_stays"),
        ),
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
    ];
    let rate = |name: &str| {
        rates
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, e)| format!("{e} AS {name}"))
            .unwrap_or_default()
    };
    let null_double = "arrow_cast(NULL, 'Float64')";
    let select: Vec<String> = PERIOD_STATS_COLUMNS
        .iter()
        .map(|&c| match c {
            "from" => format!("{from} AS \"from\""),
            "to" => format!("{to} AS \"to\""),
            "group_by" => "t.group_by AS group_by".into(),
            "group" => "t.grp AS \"group\"".into(),
            "facility" => "t.fac AS facility".into(),
            "population" => "t.population AS population".into(),
            "days" => format!("arrow_cast({days}, 'Int64') AS days"),
            "births" => "CASE WHEN t.population = 'adults_children' THEN 0 ELSE nb_admissions END \
                 AS births"
                .into(),
            "inpatient_service_days" => "inpatient_service_days".into(),
            "bed_count_days" => "CASE WHEN t.group_by IN ('none', 'facility', 'unit') \
                 THEN arrow_cast(0, 'Int64') END AS bed_count_days"
                .into(),
            "bed_occupancy_rate" | "bed_turnover_direct" | "bed_turnover_indirect" => {
                format!("{null_double} AS {c}")
            }
            "total_charges" => "CAST(charges_cents AS DOUBLE) / 100.0 AS total_charges".into(),
            "median_charges_per_stay" => "m.m['median'] AS median_charges_per_stay".into(),
            "median_charges_exact" => "COALESCE(m.m['exact'], true) AS median_charges_exact".into(),
            "top_diagnoses" => "c.top_diagnoses AS top_diagnoses".into(),
            "top_procedures" => "c.top_procedures AS top_procedures".into(),
            _ if rates.iter().any(|(n, _)| *n == c) => rate(c),
            _ => c.to_string(),
        })
        .collect();
    let select = select.join(",\n       ");
    format!(
        "WITH seg AS (
  SELECT c.encounter_id, c.facility, c.unit,
         COALESCE(x.service, '(unknown)') AS service, COALESCE(x.payer, '(unknown)') AS payer,
         COALESCE(x.diagnosis_group, '(unknown)') AS diagnosis_group, c.newborn AS nb,
         c.is_first, c.is_last, c.died, c.admitted_from_hospital, c.discharged_to_other_facility,
         c.death_under_48h, c.autopsy_performed, c.medical_examiner_case, c.body_available,
         c.direct_maternal_death, c.obstetric, c.hospital_acquired_infections, c.consultation,
         c.charges_cents, c.delivery, c.live_births, c.stillbirths,
         r.readmitted, r.readmission,
         arrow_cast(c.start_day, 'Int32') AS s, arrow_cast(c.end_day, 'Int32') AS e,
         arrow_cast(c.admit_day, 'Int32') AS a,
         arrow_cast(COALESCE(c.delivery_day, c.discharge_day), 'Int32') AS dv
  FROM census_segments c
  JOIN encounters x ON c.patient_id = x.patient_id AND c.encounter_id = x.encounter_id
  JOIN stay_readmissions r ON c.patient_id = r.patient_id AND c.encounter_id = r.encounter_id
  WHERE x.encounter_class = 'inpatient'),
fine AS (
  SELECT {keys}, false AS only_none,
         {exprs}
  FROM seg GROUP BY {keys}
  UNION ALL
  -- One zero row, so the `none` grouping has its rows without any stay. From a VALUES
  -- relation: a FROM-less SELECT in a UNION never finishes on Ballista 55.
  SELECT '', '', '', '', '', false, true, {zeros} FROM (VALUES (1)) AS one(x)),
groupings AS (
  SELECT * FROM (VALUES ('none'), ('facility'), ('unit'), ('service'), ('payer'),
                        ('diagnosis_group')) AS g(group_by)),
scopes AS (
  SELECT * FROM (VALUES ('adults_children', arrow_cast(1, 'Int64'), arrow_cast(0, 'Int64')),
                        ('newborn', arrow_cast(0, 'Int64'), arrow_cast(1, 'Int64')),
                        ('total', arrow_cast(1, 'Int64'), arrow_cast(1, 'Int64')))
         AS p(population, w0, w1)),
totals AS (
  SELECT g.group_by, {group_name} AS grp, {group_facility} AS fac, p.population,
         {weighted},
         SUM(CASE WHEN nb THEN deaths ELSE 0 END) AS nb_deaths,
         SUM(CASE WHEN nb THEN discharges ELSE 0 END) AS nb_discharges,
         SUM(CASE WHEN nb THEN admissions ELSE 0 END) AS nb_admissions
  FROM fine CROSS JOIN groupings g CROSS JOIN scopes p
  WHERE NOT only_none OR g.group_by = 'none'
  GROUP BY 1, 2, 3, 4),
period_rows AS (SELECT *, midnights + same_day AS inpatient_service_days FROM totals),
discharged AS (
  -- The discharges again from the tables (not from `seg`: a CTE is planned once per use, and
  -- `seg` carries the readmission links, which the medians and codes do not need).
  SELECT c.encounter_id, c.charges_cents, c.facility, c.unit,
         COALESCE(x.service, '(unknown)') AS service, COALESCE(x.payer, '(unknown)') AS payer,
         COALESCE(x.diagnosis_group, '(unknown)') AS diagnosis_group, c.newborn AS nb
  FROM census_segments c
  JOIN encounters x ON c.patient_id = x.patient_id AND c.encounter_id = x.encounter_id
  WHERE x.encounter_class = 'inpatient' AND c.is_last
    AND arrow_cast(c.end_day, 'Int32') >= {f} AND arrow_cast(c.end_day, 'Int32') <= {l}),
medians AS (
  SELECT g.group_by, {group_name} AS grp, COALESCE({group_facility}, '') AS fac_key,
         p.population, median_charges(charges_cents) AS m
  FROM discharged CROSS JOIN groupings g CROSS JOIN scopes p
  WHERE {in_scope}
  GROUP BY 1, 2, 3, 4),
codes AS (
  SELECT encounter_id, 'diagnosis' AS kind,
         translate(btrim(code, {ws}), 'abcdefghijklmnopqrstuvwxyz.', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')
           AS code
  FROM diagnoses
  UNION ALL
  SELECT encounter_id, 'procedure' AS kind,
         translate(btrim(code, {ws}), 'abcdefghijklmnopqrstuvwxyz.', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')
           AS code
  FROM procedures),
code_fine AS (
  SELECT d.facility, d.unit, d.service, d.payer, d.diagnosis_group, d.nb, k.kind, k.code,
         COUNT(*) AS n
  FROM discharged d JOIN codes k ON d.encounter_id = k.encounter_id
  WHERE k.code <> ''
  GROUP BY d.facility, d.unit, d.service, d.payer, d.diagnosis_group, d.nb, k.kind, k.code),
code_counts AS (
  SELECT g.group_by, {group_name} AS grp, COALESCE({group_facility}, '') AS fac_key,
         p.population, kind, code, SUM(n) AS n
  FROM code_fine CROSS JOIN groupings g CROSS JOIN scopes p
  WHERE {in_scope}
  GROUP BY 1, 2, 3, 4, 5, 6),
ranked AS (
  SELECT group_by, grp, fac_key, population, kind, code, n,
         ROW_NUMBER() OVER (PARTITION BY group_by, grp, fac_key, population, kind
                            ORDER BY n DESC, code) AS rk
  FROM code_counts),
top_codes AS (
  SELECT group_by, grp, fac_key, population,
         array_agg(named_struct('code', code, 'count', n) ORDER BY rk)
           FILTER (WHERE kind = 'diagnosis') AS top_diagnoses,
         array_agg(named_struct('code', code, 'count', n) ORDER BY rk)
           FILTER (WHERE kind = 'procedure') AS top_procedures
  FROM ranked WHERE rk <= {TOP_CODES}
  GROUP BY group_by, grp, fac_key, population)
SELECT {select}
FROM period_rows t
LEFT JOIN medians m
  ON t.group_by = m.group_by AND t.grp = m.grp AND COALESCE(t.fac, '') = m.fac_key
 AND t.population = m.population
LEFT JOIN top_codes c
  ON t.group_by = c.group_by AND t.grp = c.grp AND COALESCE(t.fac, '') = c.fac_key
 AND t.population = c.population"
    )
}

/// Creates the views `stay_readmissions` and `period_stats` for census days `first..=last`
/// (see the module docs) over the registered `census_segments`, `encounters`, `diagnoses` and
/// `procedures` tables.
pub async fn register_period_stats(ctx: &SessionContext, first: Date, last: Date) -> Result<()> {
    for (name, sql) in [
        (
            "stay_readmissions",
            stay_readmissions_sql(READMISSION_WINDOW_DAYS),
        ),
        ("period_stats", period_stats_sql(first, last)),
    ] {
        ctx.sql(&format!("CREATE OR REPLACE VIEW {name} AS {sql}"))
            .await?;
    }
    Ok(())
}
