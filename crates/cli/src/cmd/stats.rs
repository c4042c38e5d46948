//! `medrec stats`: hospital statistics for a period (census, admissions, deaths, rates, charges).
//!
//! Contract (flags, JSON fields, exit codes): `docs/cli/stats.md`.

use crate::common::{Format, Input, Outcome, expand_inputs, report_error, write_atomic};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use medrec::model::{PatientRecord, Resource};
use medrec::stats::arrow::{IpcFileWriter, StayTables, Table, TableBatch, TableOptions};
use medrec::stats::fhir::{
    FhirReadOptions, beds_from_locations, record_from_json, record_from_ndjson, stays_from_record,
};
use medrec::stats::report::{
    DAILY_CSV_COLUMNS, PERIOD_CSV_COLUMNS, daily_text_table, period_text_table,
};
use medrec::stats::{
    Aggregator, AggregatorConfig, BedSchedule, GroupBy, Period, PeriodStats, Split, Stay,
};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `medrec stats`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// First census day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub from: Date,
    /// Last census day, inclusive (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub to: Date,
    /// The facility's time zone (IANA name); census days are its calendar days.
    #[arg(long, value_name = "ZONE", default_value = "UTC")]
    pub tz: String,
    /// Beds file (CSV: unit,beds,effective_from[,kind][,facility]); default: beds from the
    /// inputs' Location resources.
    #[arg(long, value_name = "FILE")]
    pub beds: Option<PathBuf>,
    /// Write an SVG chart of the daily census and occupancy to this file.
    #[arg(long, value_name = "FILE")]
    pub chart: Option<PathBuf>,
    /// One row per unit and day instead of the period report.
    #[arg(long)]
    pub daily: bool,
    /// Group rows by none, facility, unit, service, payer or diagnosis_group (comma-separated
    /// for several groupings).
    #[arg(
        long,
        value_name = "GROUPING",
        value_delimiter = ',',
        default_value = "none"
    )]
    pub group_by: Vec<String>,
    /// Split the period into rows: whole, day, month, quarter or year.
    #[arg(long, value_name = "SPLIT", default_value = "whole")]
    pub split: String,
    /// Also write the stays as Apache Arrow IPC files `encounters.arrow`,
    /// `encounter_unit_stays.arrow`, `diagnoses.arrow` and `procedures.arrow` in this directory
    /// (created if missing; each file written atomically).
    #[arg(long, value_name = "DIR")]
    pub arrow_out: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// FHIR R4 JSON (resource or Bundle) or NDJSON files or directories; `-` for stdin.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

fn parse_split(s: &str) -> Option<Split> {
    Some(match s {
        "whole" | "period" => Split::Whole,
        "day" => Split::Day,
        "month" => Split::Month,
        "quarter" => Split::Quarter,
        "year" => Split::Year,
        _ => return None,
    })
}

/// Runs `medrec stats`.
pub fn run(args: Args) -> Outcome {
    // Usage checks first.
    let Some(period) = Period::new(args.from, args.to) else {
        report_error(
            "--from/--to",
            &format!("{} is after {}", args.from, args.to),
        );
        return Outcome::USAGE_OR_IO;
    };
    let tz = match TimeZone::get(&args.tz) {
        Ok(tz) => tz,
        Err(e) => {
            report_error("--tz", &format!("unknown time zone {:?}: {e}", args.tz));
            return Outcome::USAGE_OR_IO;
        }
    };
    let Some(split) = parse_split(&args.split) else {
        report_error(
            "--split",
            &format!(
                "{:?} is not one of whole, day, month, quarter, year",
                args.split
            ),
        );
        return Outcome::USAGE_OR_IO;
    };
    let mut groupings = Vec::new();
    for g in &args.group_by {
        match GroupBy::parse(g.trim()) {
            Some(g) => groupings.push(g),
            None => {
                report_error(
                    "--group-by",
                    &format!(
                        "{g:?} is not one of none, facility, unit, service, payer, diagnosis_group"
                    ),
                );
                return Outcome::USAGE_OR_IO;
            }
        }
    }
    let file_beds = match &args.beds {
        None => None,
        Some(p) => match std::fs::read_to_string(p) {
            Ok(text) => match BedSchedule::parse_csv(&text) {
                Ok(b) => Some(b),
                Err(e) => {
                    report_error(&p.display().to_string(), &e.to_string());
                    return Outcome::USAGE_OR_IO;
                }
            },
            Err(e) => {
                report_error(&p.display().to_string(), &e.to_string());
                return Outcome::USAGE_OR_IO;
            }
        },
    };

    let mut config = AggregatorConfig::new(period, tz.clone());
    config.split = split;
    config.group_by = groupings.clone();
    let mut agg = Aggregator::new(config);
    let options = FhirReadOptions {
        time_zone: tz,
        ccsr_groups: true,
    };
    let (inputs, missing) = expand_inputs(&args.paths);
    let mut outcome = if missing > 0 {
        Outcome::USAGE_OR_IO
    } else {
        Outcome::OK
    };
    let mut arrow = match &args.arrow_out {
        None => None,
        Some(dir) => match ArrowOut::create(dir, &options.time_zone) {
            Ok(a) => Some(a),
            Err(e) => {
                report_error(&dir.display().to_string(), &e);
                return Outcome::USAGE_OR_IO;
            }
        },
    };
    let progress = progress_bar(inputs.len() as u64);
    // Locations by id across all inputs (bundles repeat their providers' locations).
    let mut locations: BTreeMap<String, Resource> = BTreeMap::new();
    for input in &inputs {
        if crate::common::interrupted() {
            return Outcome(crate::common::EXIT_INTERRUPTED);
        }
        progress.inc(1);
        let name = input.name();
        let bytes = match input.read() {
            Ok(b) => b,
            Err(e) => {
                report_error(&name, &e.to_string());
                outcome = outcome.max(Outcome::USAGE_OR_IO);
                continue;
            }
        };
        let record = match read_record(input, &bytes) {
            Ok((record, line_errors)) => {
                for e in line_errors {
                    report_error(&name, &e);
                    outcome = outcome.max(Outcome::PROBLEMS);
                }
                record
            }
            Err(e) => {
                report_error(&name, &e);
                outcome = outcome.max(Outcome::PROBLEMS);
                continue;
            }
        };
        for r in record.resources() {
            let ty = r.resource_type();
            if !medrec::model::is_r4_resource_type(ty) {
                report_error(
                    &name,
                    &format!("`{ty}` is not a FHIR R4 resource type; ignored"),
                );
                outcome = outcome.max(Outcome::PROBLEMS);
            }
            if let Resource::Location(l) = r {
                let key =
                    l.id.clone()
                        .unwrap_or_else(|| format!("{name}#{}", locations.len()));
                locations.entry(key).or_insert_with(|| r.clone());
            }
        }
        let mut by_patient: BTreeMap<String, Vec<Stay>> = BTreeMap::new();
        for s in stays_from_record(&record, &options) {
            match s {
                Ok(s) => {
                    if let Some(a) = &mut arrow
                        && let Err(e) = a.push(&s)
                    {
                        report_error(&e.0, &e.1);
                        return Outcome::USAGE_OR_IO;
                    }
                    by_patient.entry(s.patient_id.clone()).or_default().push(s)
                }
                Err(e) => {
                    report_error(&name, &e.to_string());
                    outcome = outcome.max(Outcome::PROBLEMS);
                }
            }
        }
        for stays in by_patient.values() {
            for e in agg.add_patient(stays) {
                report_error(&name, &e.to_string());
                outcome = outcome.max(Outcome::PROBLEMS);
            }
        }
    }
    progress.finish_and_clear();
    if let Some(a) = arrow
        && let Err(e) = a.finish()
    {
        report_error(&e.0, &e.1);
        return Outcome::USAGE_OR_IO;
    }
    let beds = file_beds.unwrap_or_else(|| {
        let record = PatientRecord::from_resources(locations.into_values());
        beds_from_locations(&record, Date::MIN)
    });

    let daily = agg.daily(&beds);
    if let Some(path) = &args.chart {
        let points = medrec::stats::chart::chart_points(&daily);
        let title = format!(
            "Daily inpatient census {} to {} ({})",
            period.from, period.to, args.tz
        );
        let svg = medrec::stats::chart::census_svg(&title, &points);
        if let Err(e) = write_atomic(path, svg.as_bytes()) {
            report_error(&path.display().to_string(), &e.to_string());
            outcome = outcome.max(Outcome::USAGE_OR_IO);
        }
    }
    let mut out = Vec::new();
    if args.daily {
        write_daily(&mut out, &daily, args.format);
    } else {
        let mut rows: Vec<PeriodStats> = Vec::new();
        for g in &groupings {
            match agg.report(*g, &beds) {
                Ok(r) => rows.extend(r),
                Err(e) => {
                    report_error("--group-by", &e.to_string());
                    return Outcome::USAGE_OR_IO;
                }
            }
        }
        write_period(&mut out, &rows, args.format, &agg, &args.tz);
    }
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_all(&out).and_then(|()| stdout.flush())
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        report_error("<stdout>", &e.to_string());
        outcome = outcome.max(Outcome::USAGE_OR_IO);
    }
    outcome
}

/// The Arrow IPC files of `--arrow-out`: one per table, fed batch by batch.
struct ArrowOut {
    tables: StayTables,
    files: Vec<(Table, IpcFileWriter)>,
    ready: Vec<TableBatch>,
}

impl ArrowOut {
    fn create(dir: &std::path::Path, tz: &TimeZone) -> Result<ArrowOut, String> {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        let options = TableOptions::new(tz.clone());
        let tables = StayTables::new(&options);
        let mut files = Vec::new();
        for t in Table::ALL {
            let path = dir.join(format!("{}.arrow", t.name()));
            files.push((
                t,
                IpcFileWriter::create(&path, tables.schema(t)).map_err(|e| e.to_string())?,
            ));
        }
        Ok(ArrowOut {
            tables,
            files,
            ready: Vec::new(),
        })
    }

    /// Errors as (where, what).
    fn push(&mut self, stay: &Stay) -> Result<(), (String, String)> {
        self.tables.push_into(stay, &mut self.ready);
        self.flush()
    }

    fn flush(&mut self) -> Result<(), (String, String)> {
        for b in self.ready.drain(..) {
            if let Some((_, f)) = self.files.iter_mut().find(|(t, _)| *t == b.table) {
                f.write(&b.batch)
                    .map_err(|e| (e.path().display().to_string(), e.message().to_string()))?;
            }
        }
        Ok(())
    }

    fn finish(mut self) -> Result<(), (String, String)> {
        let rest = self.tables.finish();
        self.ready.extend(rest);
        self.flush()?;
        for (_, f) in self.files {
            f.finish()
                .map_err(|e| (e.path().display().to_string(), e.message().to_string()))?;
        }
        Ok(())
    }
}

fn progress_bar(n: u64) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if std::io::stderr().is_terminal() && n > 1 {
        indicatif::ProgressBar::new(n)
    } else {
        indicatif::ProgressBar::hidden()
    }
}

/// Reads one input as a record: NDJSON by extension (`.ndjson`, `.ndjson.gz`), else one JSON
/// resource or Bundle. NDJSON lines that fail are returned as messages; the rest is kept.
fn read_record(input: &Input, bytes: &[u8]) -> Result<(PatientRecord, Vec<String>), String> {
    let ndjson = match input {
        Input::File(p) => {
            let n = p.to_string_lossy();
            n.ends_with(".ndjson") || n.ends_with(".ndjson.gz")
        }
        Input::Stdin => {
            // One JSON document (a resource or a pretty-printed Bundle) if it parses as one;
            // else NDJSON when its first line is a complete JSON value on its own.
            if let Ok(record) = record_from_json(bytes) {
                return Ok((record, Vec::new()));
            }
            let text = String::from_utf8_lossy(bytes);
            text.lines()
                .find(|l| !l.trim().is_empty())
                .is_some_and(|l| serde_json::from_str::<serde_json::Value>(l).is_ok())
        }
    };
    if ndjson {
        let (record, errors) = record_from_ndjson(bytes);
        let messages = errors
            .iter()
            .map(|e| {
                let p = e.parse_error();
                format!("line {}: {}: {}", e.line(), p.path(), p.message())
            })
            .collect();
        Ok((record, messages))
    } else {
        record_from_json(bytes)
            .map(|r| (r, Vec::new()))
            .map_err(|e| {
                format!(
                    "line {}, column {}: {}: {}",
                    e.line(),
                    e.column(),
                    e.path(),
                    e.message()
                )
            })
    }
}

fn csv_line(fields: &[String]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(fields);
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

fn write_daily(out: &mut Vec<u8>, rows: &[medrec::stats::DailyRow], format: Format) {
    match format {
        Format::Json => {
            for r in rows {
                let _ = serde_json::to_writer(&mut *out, r);
                out.push(b'\n');
            }
        }
        Format::Csv => {
            let header: Vec<String> = DAILY_CSV_COLUMNS.iter().map(|s| s.to_string()).collect();
            out.extend(csv_line(&header).as_bytes());
            for r in rows {
                out.extend(csv_line(&r.csv_record()).as_bytes());
            }
        }
        Format::Text => out.extend(daily_text_table(rows).as_bytes()),
    }
}

fn write_period(
    out: &mut Vec<u8>,
    rows: &[PeriodStats],
    format: Format,
    agg: &Aggregator,
    tz: &str,
) {
    match format {
        Format::Json => {
            for r in rows {
                let _ = serde_json::to_writer(&mut *out, r);
                out.push(b'\n');
            }
        }
        Format::Csv => {
            let header: Vec<String> = PERIOD_CSV_COLUMNS.iter().map(|s| s.to_string()).collect();
            out.extend(csv_line(&header).as_bytes());
            for r in rows {
                out.extend(csv_line(&r.csv_record()).as_bytes());
            }
        }
        Format::Text => {
            let f = agg.feed_counts();
            let p = agg.period();
            let _ = writeln!(
                out,
                "Hospital statistics {} to {} ({} days, census at midnight {tz})",
                p.from,
                p.to,
                p.days()
            );
            let _ = writeln!(
                out,
                "Stays read: {} inpatient, {} other encounters, {} rejected",
                f.inpatient_stays, f.other_stays, f.rejected_stays
            );
            let _ = writeln!(
                out,
                "A&C = adults & children, NB = newborns; rates in %; — = no denominator\n"
            );
            out.extend(period_text_table(rows).as_bytes());
        }
    }
}
