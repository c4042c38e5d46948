//! `medrec validate PATH…`: parse and structurally validate FHIR R4 JSON, NDJSON and gzip files.
//! Contract: `docs/cli/validate.md`.

use crate::common::{Format, Input, Outcome, expand_inputs, report_error};
use medrec::model::parse::{self, NdjsonReader};
use medrec::model::{Issue, Severity};
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

/// Arguments of `medrec validate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files or directories (searched for .json, .ndjson, .json.gz, .ndjson.gz); `-` reads
    /// standard input (a JSON resource, or NDJSON when it has several lines).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format: one line per problem.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Do not print warnings (they never change the exit code).
    #[arg(long)]
    pub no_warnings: bool,
}

/// One reported problem.
#[derive(Debug, serde::Serialize)]
struct Problem<'a> {
    file: &'a str,
    line: Option<usize>,
    column: Option<usize>,
    severity: &'static str,
    kind: &'static str,
    resource: Option<String>,
    path: String,
    message: String,
}

struct Report<W: Write> {
    out: W,
    csv: Option<csv::Writer<W>>,
    format: Format,
    no_warnings: bool,
    errors: usize,
    warnings: usize,
    resources: usize,
}

impl<W: Write> Report<W> {
    fn emit(&mut self, p: Problem<'_>) -> io::Result<()> {
        if p.severity == Severity::Warning.as_str() {
            self.warnings += 1;
            if self.no_warnings {
                return Ok(());
            }
        } else {
            self.errors += 1;
        }
        match self.format {
            Format::Text => {
                let mut place = p.file.to_string();
                if let Some(l) = p.line {
                    place.push_str(&format!(":{l}"));
                    if let Some(c) = p.column {
                        place.push_str(&format!(":{c}"));
                    }
                }
                let res = p.resource.map(|r| format!(" [{r}]")).unwrap_or_default();
                writeln!(
                    self.out,
                    "{place}: {}{res}: {}: {}",
                    p.severity, p.path, p.message
                )
            }
            Format::Json => {
                serde_json::to_writer(&mut self.out, &p)?;
                writeln!(self.out)
            }
            Format::Csv => {
                let w = self.csv.as_mut().expect("csv writer");
                w.serialize(&p).map_err(io::Error::other)
            }
        }
    }

    fn issues(
        &mut self,
        file: &str,
        line: Option<usize>,
        resource: Option<String>,
        issues: Vec<Issue>,
    ) -> io::Result<()> {
        for i in issues {
            // Parse errors carry a position; in NDJSON it is within the line.
            let (l, c) = match (line, i.position) {
                (Some(l), Some((_, c))) => (Some(l), Some(c)),
                (Some(l), None) => (Some(l), None),
                (None, Some((l, c))) => (Some(l), Some(c)),
                (None, None) => (None, None),
            };
            self.emit(Problem {
                file,
                line: l,
                column: c,
                severity: i.severity.as_str(),
                kind: i.kind.as_str(),
                resource: resource.clone(),
                path: i.path,
                message: i.message,
            })?;
        }
        Ok(())
    }
}

fn resource_label(r: &medrec::model::Resource) -> Option<String> {
    Some(match r.id() {
        Some(id) => format!("{}/{id}", r.resource_type()),
        None => r.resource_type().to_string(),
    })
}

fn is_ndjson_name(name: &str) -> bool {
    name.ends_with(".ndjson") || name.ends_with(".ndjson.gz")
}

/// Whether standard input looks like NDJSON: several non-blank lines, the first a whole object.
fn looks_like_ndjson(bytes: &[u8]) -> bool {
    let mut lines = bytes
        .split(|&b| b == b'\n')
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace));
    match (lines.next(), lines.next()) {
        (Some(first), Some(_)) => serde_json::from_slice::<serde::de::IgnoredAny>(first).is_ok(),
        _ => false,
    }
}

/// Runs `medrec validate`.
pub fn run(args: Args) -> Outcome {
    let (inputs, missing) = expand_inputs(&args.paths);
    let mut io_errors = missing;
    let stdout = io::stdout();
    let out = BufWriter::new(stdout.lock());
    let mut report = Report {
        csv: None,
        out,
        format: args.format,
        no_warnings: args.no_warnings,
        errors: 0,
        warnings: 0,
        resources: 0,
    };
    if args.format == Format::Csv {
        // The csv writer owns its own handle on stdout.
        report.csv = Some(csv::Writer::from_writer(BufWriter::new(
            io::stdout().lock(),
        )));
    }
    let progress = crate::common::progress_bar(inputs.len() as u64, "files validated");
    for input in &inputs {
        if crate::common::interrupted() {
            break;
        }
        if let Err(e) = validate_input(input, &mut report) {
            report_error(&input.name(), &e.to_string());
            io_errors += 1;
        }
        progress.inc(1);
    }
    progress.finish_and_clear();
    let flushed = match report.csv.as_mut() {
        Some(w) => w.flush(),
        None => report.out.flush(),
    };
    if let Err(e) = flushed {
        report_error("stdout", &e.to_string());
        return Outcome::USAGE_OR_IO;
    }
    eprintln!(
        "medrec validate: {} file(s), {} resource(s), {} error(s), {} warning(s){}",
        inputs.len(),
        report.resources,
        report.errors,
        report.warnings,
        if io_errors > 0 {
            format!(", {io_errors} unreadable")
        } else {
            String::new()
        }
    );
    if io_errors > 0 {
        Outcome::USAGE_OR_IO
    } else if report.errors > 0 {
        Outcome::PROBLEMS
    } else {
        Outcome::OK
    }
}

fn validate_input<W: Write>(input: &Input, report: &mut Report<W>) -> io::Result<()> {
    let name = input.name();
    match input {
        Input::File(path) if is_ndjson_name(&name) => {
            let reader = parse::open(path)?;
            validate_ndjson(&name, NdjsonReader::new(reader), report)
        }
        _ => {
            let raw = input.read()?;
            let bytes = parse::gunzip_if_needed(&raw)?;
            if matches!(input, Input::Stdin) && looks_like_ndjson(&bytes) {
                return validate_ndjson(&name, NdjsonReader::new(&bytes[..]), report);
            }
            match parse::parse_resource(&bytes) {
                Ok(r) => {
                    report.resources += 1;
                    let label = resource_label(&r);
                    report.issues(&name, None, label, r.validate())
                }
                Err(e) => report.issues(&name, None, None, vec![e.to_issue()]),
            }
        }
    }
}

fn validate_ndjson<W: Write, R: io::BufRead>(
    name: &str,
    mut reader: NdjsonReader<R>,
    report: &mut Report<W>,
) -> io::Result<()> {
    while let Some(item) = reader.next() {
        match item {
            Ok(r) => {
                report.resources += 1;
                let label = resource_label(&r);
                report.issues(name, Some(reader.line()), label, r.validate())?;
            }
            Err(e) if e.kind() == parse::ParseErrorKind::Io => {
                return Err(io::Error::other(format!(
                    "line {}: {}",
                    e.line(),
                    e.parse_error().message()
                )));
            }
            Err(e) => {
                report.issues(name, Some(e.line()), None, vec![e.parse_error().to_issue()])?
            }
        }
    }
    Ok(())
}
