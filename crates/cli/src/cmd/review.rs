//! `medrec review PATH… [--worklist] [--as-of DATE] [--config FILE] [--format text|json|csv]`:
//! record completeness review (medrec-completeness). Contract: `docs/cli/review.md`.

use crate::common::{Format, Input, Outcome, expand_inputs, report_error};
use medrec::completeness::{
    Deficiency, DeficiencyKey, DelinquencyReport, EncounterReview, ReviewConfig, ReviewSummary,
    Reviewer, RuleSet, Worklist,
};
use medrec::model::parse::{self, NdjsonReader};
use medrec::model::{PatientRecord, Resource};
use std::collections::BTreeMap;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

/// Arguments of `medrec review`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files or directories of FHIR R4 JSON (a Bundle per patient, or a resource) and NDJSON
    /// (grouped by patient), gzip allowed; `-` reads standard input.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Print the physician query worklist: deficiencies grouped by responsible practitioner,
    /// oldest due date first.
    #[arg(long)]
    pub worklist: bool,
    /// Report date for aging and delinquency (YYYY-MM-DD; default: today).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Review configuration (TOML, or JSON when the name ends in .json): time limits, rules
    /// on/off, severities, care settings, POA-exempt list, code edits.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// One output row (JSON line / CSV row). Field names are a contract (`docs/cli/review.md`).
#[derive(Debug, serde::Serialize)]
struct Row<'a> {
    patient: Option<&'a str>,
    encounter: Option<&'a str>,
    rule: &'a str,
    severity: &'a str,
    path: &'a str,
    practitioner: Option<&'a str>,
    due: Option<String>,
    detail: Option<&'a str>,
    message: &'a str,
    practitioner_name: Option<&'a str>,
    role: &'a str,
    code: Option<&'a str>,
    unit: Option<&'a str>,
    discharged: Option<String>,
    days_since_discharge: Option<i32>,
    delinquent: bool,
    file: &'a str,
}

struct Reviewed {
    file: String,
    review: EncounterReview,
}

fn is_ndjson(input: &Input, bytes: &[u8]) -> bool {
    match input {
        Input::File(p) => {
            let n = p.to_string_lossy();
            n.ends_with(".ndjson") || n.ends_with(".ndjson.gz")
        }
        Input::Stdin => {
            let mut lines = bytes
                .split(|&b| b == b'\n')
                .filter(|l| !l.iter().all(u8::is_ascii_whitespace));
            match (lines.next(), lines.next()) {
                (Some(first), Some(_)) => {
                    serde_json::from_slice::<serde::de::IgnoredAny>(first).is_ok()
                }
                _ => false,
            }
        }
    }
}

/// The patient a resource belongs to (the id part of its patient reference).
fn patient_of(r: &Resource) -> Option<String> {
    use medrec::model::datatypes::Reference;
    let tail = |r: &Option<Reference>| {
        r.as_ref()
            .and_then(|x| x.reference.as_deref())
            .map(|s| s.rsplit(['/', ':']).next().unwrap_or(s).to_string())
    };
    match r {
        Resource::Patient(p) => p.id.clone(),
        Resource::Encounter(x) => tail(&x.subject),
        Resource::Condition(x) => tail(&x.subject),
        Resource::Procedure(x) => tail(&x.subject),
        Resource::Observation(x) => tail(&x.subject),
        Resource::DiagnosticReport(x) => tail(&x.subject),
        Resource::DocumentReference(x) => tail(&x.subject),
        Resource::Composition(x) => tail(&x.subject),
        Resource::MedicationRequest(x) => tail(&x.subject),
        Resource::Claim(x) => tail(&x.patient),
        Resource::ExplanationOfBenefit(x) => tail(&x.patient),
        Resource::Consent(x) => tail(&x.patient),
        Resource::Coverage(x) => tail(&x.beneficiary),
        _ => None,
    }
}

/// Reads one input into patient records; line-level problems are reported and counted.
fn read_records(input: &Input, errors: &mut usize) -> Vec<PatientRecord> {
    let name = input.name();
    let raw = match input.read() {
        Ok(b) => b,
        Err(e) => {
            report_error(&name, &format!("cannot read: {e}"));
            *errors += 1;
            return Vec::new();
        }
    };
    let bytes = match parse::gunzip_if_needed(&raw) {
        Ok(b) => b,
        Err(e) => {
            report_error(&name, &format!("not valid gzip: {e}"));
            *errors += 1;
            return Vec::new();
        }
    };
    if is_ndjson(input, &bytes) {
        let mut shared = Vec::new();
        let mut by_patient: BTreeMap<String, Vec<Resource>> = BTreeMap::new();
        for item in NdjsonReader::new(&bytes[..]) {
            match item {
                Ok(r) => match patient_of(&r) {
                    Some(p) => by_patient.entry(p).or_default().push(r),
                    None => shared.push(r),
                },
                Err(e) => {
                    report_error(
                        &format!("{name}:{}", e.line()),
                        &e.parse_error().to_string(),
                    );
                    *errors += 1;
                }
            }
        }
        if by_patient.is_empty() {
            return vec![PatientRecord::from_resources(shared)];
        }
        return by_patient
            .into_values()
            .map(|rs| PatientRecord::from_resources(rs.into_iter().chain(shared.iter().cloned())))
            .collect();
    }
    match parse::parse_resource(&bytes) {
        Ok(Resource::Bundle(b)) => vec![PatientRecord::from_bundle(*b)],
        Ok(other) => vec![PatientRecord::from_resources([other])],
        Err(e) => {
            let at = if e.line() > 0 {
                format!("{name}:{}:{}", e.line(), e.column())
            } else {
                name.clone()
            };
            report_error(&at, &e.to_string());
            *errors += 1;
            Vec::new()
        }
    }
}

fn row<'a>(
    file: &'a str,
    d: &'a Deficiency,
    review: &'a EncounterReview,
    as_of: jiff::civil::Date,
    after_days: i64,
) -> Row<'a> {
    let days = review.discharged.map(|x| (as_of - x).get_days());
    Row {
        patient: d.patient.as_deref(),
        encounter: d.encounter.as_deref(),
        rule: &d.rule,
        severity: d.severity.as_str(),
        path: &d.path,
        practitioner: d.practitioner.as_deref(),
        due: d.due.map(|x| x.to_string()),
        detail: d.detail.as_deref(),
        message: &d.message,
        practitioner_name: d.practitioner_name.as_deref(),
        role: d.role.as_str(),
        code: d.code.as_deref(),
        unit: d.unit.as_deref(),
        discharged: review.discharged.map(|x| x.to_string()),
        days_since_discharge: days,
        delinquent: days.is_some_and(|x| i64::from(x) > after_days),
        file,
    }
}

fn write_row<W: Write>(
    out: &mut W,
    csv: &mut Option<csv::Writer<Vec<u8>>>,
    format: Format,
    r: &Row<'_>,
) -> io::Result<()> {
    match format {
        Format::Json => {
            serde_json::to_writer(&mut *out, r)?;
            writeln!(out)
        }
        Format::Csv => csv
            .as_mut()
            .expect("csv writer")
            .serialize(r)
            .map_err(io::Error::other),
        Format::Text => {
            let who = match (r.practitioner, r.practitioner_name) {
                (Some(p), Some(n)) => format!("{n} ({p})"),
                (Some(p), None) => p.to_string(),
                (None, _) => r.role.to_string(),
            };
            let due = r
                .due
                .as_deref()
                .map(|d| format!(", due {d}"))
                .unwrap_or_default();
            let detail = r.detail.map(|d| format!(" [{d}]")).unwrap_or_default();
            writeln!(
                out,
                "  {:<7} {}{detail}: {} — {} [{who}{due}]",
                r.severity, r.rule, r.message, r.path
            )
        }
    }
}

/// Runs `medrec review`.
pub fn run(args: Args) -> Outcome {
    let as_of = match &args.as_of {
        Some(s) => match s.parse::<jiff::civil::Date>() {
            Ok(d) => d,
            Err(e) => {
                report_error("--as-of", &format!("`{s}` is not a date (YYYY-MM-DD): {e}"));
                return Outcome::USAGE_OR_IO;
            }
        },
        None => jiff::ZonedDateTime::now().date(),
    };
    let reviewer = match &args.config {
        None => Reviewer::new(),
        Some(path) => {
            match ReviewConfig::from_path(path)
                .and_then(|c| Reviewer::with_config(RuleSet::default_inpatient(), c))
            {
                Ok(r) => r,
                Err(e) => {
                    // The error names the file and the position or key.
                    report_error("--config", &e.to_string());
                    return Outcome::USAGE_OR_IO;
                }
            }
        }
    };
    let after_days = reviewer.config().delinquency.after_days;
    let (inputs, missing) = expand_inputs(&args.paths);
    let mut errors = missing;
    let progress = crate::common::progress_bar(inputs.len() as u64, "files reviewed");
    let mut reviewed: Vec<Reviewed> = Vec::new();
    let mut records = 0usize;
    for input in &inputs {
        if crate::common::interrupted() {
            break;
        }
        let name = input.name();
        let recs = read_records(input, &mut errors);
        let before = reviewed.len();
        for record in &recs {
            records += 1;
            for review in reviewer.review(record).encounters {
                reviewed.push(Reviewed {
                    file: name.clone(),
                    review,
                });
            }
        }
        if !recs.is_empty() && reviewed.len() == before {
            report_error(
                &name,
                "no Encounter to review (expected a Bundle or NDJSON of a patient's resources)",
            );
            errors += 1;
        }
        progress.inc(1);
    }
    progress.finish_and_clear();
    if crate::common::interrupted() {
        return Outcome(crate::common::EXIT_INTERRUPTED);
    }

    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut csv = (args.format == Format::Csv).then(|| csv::Writer::from_writer(Vec::new()));
    let deficiencies: usize = reviewed.iter().map(|r| r.review.deficiencies.len()).sum();
    let result = (|| -> io::Result<()> {
        if args.worklist {
            // Each deficiency's encounter review and file, by identity.
            let mut owner: BTreeMap<DeficiencyKey, usize> = BTreeMap::new();
            for (i, r) in reviewed.iter().enumerate() {
                for d in &r.review.deficiencies {
                    owner.entry(d.key()).or_insert(i);
                }
            }
            let all = reviewed.iter().flat_map(|r| r.review.deficiencies.iter());
            let worklist = Worklist::build(all);
            for g in &worklist.groups {
                if args.format == Format::Text {
                    let who = match (&g.practitioner, &g.practitioner_name) {
                        (Some(p), Some(n)) => format!("{n} ({p})"),
                        (Some(p), None) => p.clone(),
                        (None, _) => format!("{} (no practitioner named)", g.role.as_str()),
                    };
                    writeln!(out, "{who}: {} item(s)", g.items.len())?;
                }
                for item in &g.items {
                    let Some(&i) = owner.get(&item.key()) else {
                        continue;
                    };
                    let r = &reviewed[i];
                    write_row(
                        &mut out,
                        &mut csv,
                        args.format,
                        &row(&r.file, item, &r.review, as_of, after_days),
                    )?;
                }
            }
        } else {
            for r in &reviewed {
                if r.review.deficiencies.is_empty() {
                    continue;
                }
                if args.format == Format::Text {
                    let e = &r.review;
                    writeln!(
                        out,
                        "{}: Patient/{} Encounter/{} ({}{}{})",
                        r.file,
                        e.patient.as_deref().unwrap_or("?"),
                        e.encounter.as_deref().unwrap_or("?"),
                        e.setting,
                        e.discharged
                            .map(|d| format!(", discharged {d}"))
                            .unwrap_or_default(),
                        e.unit
                            .as_deref()
                            .map(|u| format!(", {u}"))
                            .unwrap_or_default(),
                    )?;
                }
                for d in &r.review.deficiencies {
                    write_row(
                        &mut out,
                        &mut csv,
                        args.format,
                        &row(&r.file, d, &r.review, as_of, after_days),
                    )?;
                }
            }
        }
        if let Some(w) = csv.take() {
            let bytes = w
                .into_inner()
                .map_err(|e| io::Error::other(e.to_string()))?;
            if deficiencies == 0 {
                // Still write the header row.
                let mut h = csv::Writer::from_writer(Vec::new());
                h.write_record([
                    "patient",
                    "encounter",
                    "rule",
                    "severity",
                    "path",
                    "practitioner",
                    "due",
                    "detail",
                    "message",
                    "practitioner_name",
                    "role",
                    "code",
                    "unit",
                    "discharged",
                    "days_since_discharge",
                    "delinquent",
                    "file",
                ])?;
                out.write_all(
                    &h.into_inner()
                        .map_err(|e| io::Error::other(e.to_string()))?,
                )?;
            } else {
                out.write_all(&bytes)?;
            }
        }
        if args.format == Format::Text {
            let reviews: Vec<&EncounterReview> = reviewed.iter().map(|r| &r.review).collect();
            let summary = ReviewSummary::of(reviews.iter().copied());
            let delinquency = DelinquencyReport::compute(
                reviews.iter().copied(),
                as_of,
                &reviewer.config().delinquency,
            );
            writeln!(
                out,
                "{records} record(s), {} encounter(s) reviewed: {} deficiencies in {} encounter(s)",
                summary.encounters, summary.deficiencies, summary.incomplete
            )?;
            for (rule, c) in &summary.by_rule {
                writeln!(
                    out,
                    "  {rule:<28} {:>6} in {:>5} encounter(s)",
                    c.deficiencies, c.encounters
                )?;
            }
            let rate = delinquency
                .rate_percent
                .map(|r| {
                    format!(
                        "{r:.1}% of {:.1} average monthly discharges",
                        delinquency.average_monthly_discharges
                    )
                })
                .unwrap_or_else(|| "no discharge in the averaging window".to_string());
            writeln!(
                out,
                "as of {as_of}: {} incomplete, {} delinquent (> {} days after discharge): {rate}",
                delinquency.incomplete_records,
                delinquency.delinquent_records,
                delinquency.after_days
            )?;
        }
        out.flush()
    })();
    if let Err(e) = result {
        if e.kind() != io::ErrorKind::BrokenPipe {
            report_error("stdout", &e.to_string());
        }
        return Outcome::USAGE_OR_IO;
    }
    let mut outcome = if deficiencies > 0 {
        Outcome::PROBLEMS
    } else {
        Outcome::OK
    };
    if errors > 0 {
        outcome = outcome.max(Outcome::USAGE_OR_IO);
    }
    outcome
}
