//! `medrec deid`: de-identified copies of FHIR R4 files (Safe Harbor or limited data set), and
//! `medrec deid text`: redact free text from standard input. Contract: `docs/cli/deid.md`.

use crate::common::{Format, Input, Outcome, expand_inputs, report_error, write_atomic};
use medrec::privacy::record::{DatePolicy, DeidConfig, DeidReport, Deidentifier, Mode};
use medrec::privacy::text::{Redactor, Replacement};
use medrec::privacy::{DateShift, PhiKind, PseudonymKey};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// Arguments of `medrec deid`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct Args {
    /// `medrec deid text`: redact text read on standard input.
    #[command(subcommand)]
    pub text: Option<DeidTextCommand>,
    /// The secret key file (at least 16 bytes). Keys keyed ids and date shifts of a limited
    /// data set; required in every mode. Never logged, never written to output.
    #[arg(long, value_name = "KEY", required = true)]
    pub key_file: Option<PathBuf>,
    /// The standard: HIPAA Safe Harbor (45 CFR 164.514(b)(2)) or a limited data set (164.514(e)).
    #[arg(long, value_enum, default_value_t = ModeArg::SafeHarbor)]
    pub mode: ModeArg,
    /// Directory for the de-identified copies and `deid-report.json` (created if missing).
    #[arg(long, value_name = "DIR", required = true)]
    pub out: Option<PathBuf>,
    /// Limited data set only: shift each patient's dates by a keyed offset of up to this many
    /// days instead of keeping them.
    #[arg(long, value_name = "DAYS")]
    pub shift_dates: Option<u32>,
    /// With --shift-dates: shift by whole weeks so weekdays are kept.
    #[arg(long)]
    pub keep_weekday: bool,
    /// Write the original-id → surrogate-id crosswalk (JSON) to this file, for the covered
    /// entity to keep. Must not be inside --out.
    #[arg(long, value_name = "FILE")]
    pub crosswalk: Option<PathBuf>,
    /// Summary format on standard output (one JSON object per file with `json`).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Files or directories (.json, .ndjson, optionally .gz); `-` reads standard input.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
}

/// The `deid` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum DeidTextCommand {
    /// Redact free text from standard input to standard output.
    Text(TextArgs),
}

/// Arguments of `medrec deid text`.
#[derive(Debug, clap::Args)]
pub struct TextArgs {
    /// A key file: replacements become keyed pseudonyms (`[NAME-1f0c9a2b3d]`) unless --replace
    /// says otherwise.
    #[arg(long, value_name = "KEY")]
    pub key_file: Option<PathBuf>,
    /// Print one JSON line per PHI span (`start`, `end`, `kind`, `text`; byte offsets into the
    /// input) instead of the redacted text.
    #[arg(long)]
    pub spans: bool,
    /// Replacement: kind tags, realistic surrogates, or keyed pseudonyms (needs --key-file).
    #[arg(long, value_enum)]
    pub replace: Option<ReplaceArg>,
    /// Spans below this confidence are kept (0..1; default 0.5; lower = more recall).
    #[arg(long, value_name = "C", default_value_t = 0.5)]
    pub min_confidence: f32,
}

/// `--mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ModeArg {
    /// Safe Harbor: the 18 identifier kinds removed; years only; random surrogate ids.
    SafeHarbor,
    /// Limited data set: direct identifiers removed; dates, city, state, ZIP, ages kept.
    Limited,
}

/// `--replace`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReplaceArg {
    /// `[NAME]`.
    Tag,
    /// Realistic fake values.
    Surrogate,
    /// Keyed pseudonyms.
    Pseudonym,
}

/// Runs `medrec deid`.
pub fn run(args: Args) -> Outcome {
    if let Some(DeidTextCommand::Text(t)) = args.text {
        return run_text(t);
    }
    match run_files(args) {
        Ok(o) => o,
        Err(o) => o,
    }
}

fn load_key(path: &Path) -> Result<PseudonymKey, Outcome> {
    PseudonymKey::from_file(path).map_err(|e| {
        report_error(&path.display().to_string(), &e.to_string());
        Outcome::USAGE_OR_IO
    })
}

fn run_text(args: TextArgs) -> Outcome {
    let key = match &args.key_file {
        Some(p) => match load_key(p) {
            Ok(k) => Some(k),
            Err(o) => return o,
        },
        None => None,
    };
    let replacement = match (args.replace, key) {
        (Some(ReplaceArg::Tag), _) | (None, None) => Replacement::Tag,
        (Some(ReplaceArg::Surrogate), _) => Replacement::Surrogate,
        (Some(ReplaceArg::Pseudonym) | None, Some(k)) => Replacement::Pseudonym(k),
        (Some(ReplaceArg::Pseudonym), None) => {
            report_error("deid text", "--replace pseudonym needs --key-file");
            return Outcome::USAGE_OR_IO;
        }
    };
    let mut raw = Vec::new();
    if let Err(e) = io::stdin().lock().read_to_end(&mut raw) {
        report_error("<stdin>", &e.to_string());
        return Outcome::USAGE_OR_IO;
    }
    let text = match String::from_utf8(raw) {
        Ok(t) => t,
        Err(e) => {
            report_error(
                "<stdin>",
                &format!(
                    "not UTF-8 text (invalid byte at offset {})",
                    e.utf8_error().valid_up_to()
                ),
            );
            return Outcome::USAGE_OR_IO;
        }
    };
    let redactor = Redactor::builder()
        .replacement(replacement)
        .min_confidence(args.min_confidence)
        .build();
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let result = if args.spans {
        let spans = redactor.find(&text);
        spans.iter().try_for_each(|s| {
            let line = serde_json::json!({
                "start": s.start,
                "end": s.end,
                "kind": s.kind.tag(),
                "text": s.text(&text),
            });
            writeln!(out, "{line}")
        })
    } else {
        out.write_all(redactor.redact(&text).text.as_bytes())
    };
    if let Err(e) = result.and_then(|_| out.flush()) {
        if e.kind() != io::ErrorKind::BrokenPipe {
            report_error("<stdout>", &e.to_string());
            return Outcome::USAGE_OR_IO;
        }
    }
    Outcome::OK
}

/// One input file's outcome, printed as a summary line.
#[derive(serde::Serialize)]
struct FileSummary {
    input: String,
    output: Option<String>,
    resources_in: usize,
    resources_out: usize,
    removed_resources: usize,
    phi: BTreeMap<String, usize>,
    error: Option<String>,
}

fn run_files(args: Args) -> Result<Outcome, Outcome> {
    let key_path = args.key_file.as_deref().expect("clap requires --key-file");
    let key = load_key(key_path)?;
    let out_dir = args.out.clone().expect("clap requires --out");
    let mode = match args.mode {
        ModeArg::SafeHarbor => Mode::SafeHarbor,
        ModeArg::Limited => Mode::LimitedDataSet,
    };
    let mut config = DeidConfig::for_mode(mode);
    if let Some(days) = args.shift_dates {
        if mode == Mode::SafeHarbor {
            report_error(
                "--shift-dates",
                "Safe Harbor keeps years only; shifted dates are for a limited data set (--mode limited)",
            );
            return Err(Outcome::USAGE_OR_IO);
        }
        config.dates = DatePolicy::Shift(DateShift {
            window_days: days.max(1),
            keep_weekday: args.keep_weekday,
        });
    }
    if let Some(cw) = &args.crosswalk
        && is_inside(cw, &out_dir)
    {
        report_error(
            &cw.display().to_string(),
            "the crosswalk re-identifies the data: write it outside --out",
        );
        return Err(Outcome::USAGE_OR_IO);
    }
    let mut deid = Deidentifier::new(config, Some(key)).map_err(|e| {
        report_error("deid", &e.to_string());
        Outcome::USAGE_OR_IO
    })?;
    let (inputs, missing) = expand_inputs(&args.paths);
    let mut outcome = if missing > 0 {
        Outcome::USAGE_OR_IO
    } else {
        Outcome::OK
    };
    if let Err(e) = std::fs::create_dir_all(&out_dir) {
        report_error(&out_dir.display().to_string(), &e.to_string());
        return Err(Outcome::USAGE_OR_IO);
    }
    // Read everything once; NDJSON files (one resource type per file) teach the de-identifier
    // every patient's identity before any file is written.
    let mut loaded: Vec<(Input, LoadResult)> = Vec::new();
    for input in inputs {
        if crate::common::interrupted() {
            return Ok(Outcome(crate::common::EXIT_INTERRUPTED));
        }
        let l = load(&input);
        if let Ok(Loaded::Ndjson(lines)) = &l {
            for (_, v) in lines.iter().flatten() {
                deid.learn(v);
            }
        }
        loaded.push((input, l));
    }
    let mut total = DeidReport::default();
    let stdout = io::stdout();
    let mut so = io::BufWriter::new(stdout.lock());
    if args.format == Format::Csv {
        let _ = writeln!(
            so,
            "input,output,resources_in,resources_out,removed_resources,error"
        );
    }
    for (input, l) in loaded {
        if crate::common::interrupted() {
            return Ok(Outcome(crate::common::EXIT_INTERRUPTED));
        }
        let name = input.name();
        let mut summary = FileSummary {
            input: name.clone(),
            output: None,
            resources_in: 0,
            resources_out: 0,
            removed_resources: 0,
            phi: BTreeMap::new(),
            error: None,
        };
        let target = output_path(&input, &args.paths, &out_dir);
        if let Input::File(p) = &input
            && same_file(p, &target)
        {
            report_error(
                &name,
                "output would overwrite the input; choose another --out",
            );
            outcome = outcome.max(Outcome::USAGE_OR_IO);
            continue;
        }
        match l {
            Err((o, msg)) => {
                report_error(&name, &msg);
                outcome = outcome.max(o);
                summary.error = Some(msg);
            }
            Ok(loaded) => {
                let bytes = match loaded {
                    Loaded::Json(v) => match deid.deidentify(v) {
                        Ok(Some(out)) => {
                            let mut b = serde_json::to_vec_pretty(&out).expect("JSON serializes");
                            b.push(b'\n');
                            Some(b)
                        }
                        Ok(None) => Some(Vec::new()),
                        Err(e) => {
                            report_error(&name, &e.to_string());
                            outcome = outcome.max(Outcome::PROBLEMS);
                            summary.error = Some(e.to_string());
                            None
                        }
                    },
                    Loaded::Ndjson(lines) => {
                        let mut b = Vec::new();
                        for line in lines {
                            match line {
                                Ok((n, v)) => match deid.deidentify(v) {
                                    Ok(Some(out)) => {
                                        serde_json::to_writer(&mut b, &out).expect("JSON");
                                        b.push(b'\n');
                                    }
                                    Ok(None) => {}
                                    Err(e) => {
                                        report_error(&format!("{name}:{n}"), &e.to_string());
                                        outcome = outcome.max(Outcome::PROBLEMS);
                                    }
                                },
                                Err((n, msg)) => {
                                    report_error(&format!("{name}:{n}"), &msg);
                                    outcome = outcome.max(Outcome::PROBLEMS);
                                }
                            }
                        }
                        Some(b)
                    }
                };
                let report = deid.take_report();
                summary.resources_in = report.resources_in;
                summary.resources_out = report.resources_out;
                summary.removed_resources = report.removed_resources.values().sum();
                for k in PhiKind::ALL {
                    let c = report.count(k);
                    if c > 0 {
                        summary.phi.insert(k.tag().to_string(), c);
                    }
                }
                total.merge(&report);
                if let Some(b) = bytes {
                    match write_atomic(&target, &b) {
                        Ok(()) => summary.output = Some(target.display().to_string()),
                        Err(e) => {
                            report_error(&target.display().to_string(), &e.to_string());
                            outcome = outcome.max(Outcome::USAGE_OR_IO);
                        }
                    }
                }
            }
        }
        let _ = match args.format {
            Format::Json => writeln!(
                so,
                "{}",
                serde_json::to_string(&summary).expect("summary serializes")
            ),
            Format::Csv => writeln!(
                so,
                "{},{},{},{},{},{}",
                csv_field(&summary.input),
                csv_field(summary.output.as_deref().unwrap_or("")),
                summary.resources_in,
                summary.resources_out,
                summary.removed_resources,
                csv_field(summary.error.as_deref().unwrap_or(""))
            ),
            Format::Text => {
                let phi: Vec<String> = summary
                    .phi
                    .iter()
                    .map(|(k, v)| format!("{k} {v}"))
                    .collect();
                writeln!(
                    so,
                    "{} -> {}: {} resources in, {} out; {}",
                    summary.input,
                    summary.output.as_deref().unwrap_or("(not written)"),
                    summary.resources_in,
                    summary.resources_out,
                    if phi.is_empty() {
                        "no identifiers found".to_string()
                    } else {
                        phi.join(", ")
                    }
                )
            }
        };
    }
    let _ = so.flush();
    let report_path = out_dir.join("deid-report.json");
    let report_json = serde_json::json!({
        "mode": match mode { Mode::SafeHarbor => "safe-harbor", _ => "limited" },
        "standard": match mode {
            Mode::SafeHarbor => "45 CFR 164.514(b)(2) Safe Harbor",
            _ => "45 CFR 164.514(e) limited data set",
        },
        "report": total,
    });
    let mut rb = serde_json::to_vec_pretty(&report_json).expect("report serializes");
    rb.push(b'\n');
    if let Err(e) = write_atomic(&report_path, &rb) {
        report_error(&report_path.display().to_string(), &e.to_string());
        outcome = outcome.max(Outcome::USAGE_OR_IO);
    }
    if let Some(cw) = &args.crosswalk {
        let mut b = serde_json::to_vec_pretty(&deid.crosswalk()).expect("crosswalk serializes");
        b.push(b'\n');
        if let Err(e) = write_atomic(cw, &b) {
            report_error(&cw.display().to_string(), &e.to_string());
            outcome = outcome.max(Outcome::USAGE_OR_IO);
        }
    }
    Ok(outcome)
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

type NdjsonLine = Result<(usize, Value), (usize, String)>;

/// A loaded input, or the exit code and message of why it could not be loaded.
type LoadResult = Result<Loaded, (Outcome, String)>;

enum Loaded {
    Json(Value),
    Ndjson(Vec<NdjsonLine>),
}

fn load(input: &Input) -> LoadResult {
    let raw = input
        .read()
        .map_err(|e| (Outcome::USAGE_OR_IO, e.to_string()))?;
    let bytes = medrec::model::parse::gunzip_if_needed(&raw)
        .map_err(|e| (Outcome::PROBLEMS, format!("not valid gzip: {e}")))?;
    let name = input.name();
    let ndjson = name.ends_with(".ndjson") || name.ends_with(".ndjson.gz");
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        (
            Outcome::PROBLEMS,
            format!("not UTF-8 (invalid byte at offset {})", e.valid_up_to()),
        )
    })?;
    let as_ndjson = ndjson
        || matches!(input, Input::Stdin)
            && text.trim().lines().filter(|l| !l.trim().is_empty()).count() > 1
            && serde_json::from_str::<Value>(text).is_err();
    if as_ndjson {
        let lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| {
                let v: Value = serde_json::from_str(l)
                    .map_err(|e| (i + 1, format!("column {}: {e}", e.column())))?;
                check_fhir(&v).map_err(|m| (i + 1, m))?;
                Ok((i + 1, v))
            })
            .collect();
        return Ok(Loaded::Ndjson(lines));
    }
    let v: Value = serde_json::from_str(text).map_err(|e| {
        (
            Outcome::PROBLEMS,
            format!(
                "line {}, column {}: invalid JSON: {e}",
                e.line(),
                e.column()
            ),
        )
    })?;
    check_fhir(&v).map_err(|m| (Outcome::PROBLEMS, m))?;
    Ok(Loaded::Json(v))
}

fn check_fhir(v: &Value) -> Result<(), String> {
    let rt = v
        .get("resourceType")
        .and_then(Value::as_str)
        .ok_or_else(|| "$.resourceType: missing; not a FHIR resource".to_string())?;
    if !medrec::model::is_r4_resource_type(rt) {
        return Err(format!(
            "$.resourceType: {rt:?} is not a FHIR R4 resource type"
        ));
    }
    Ok(())
}

/// `DIR/<path relative to the directory argument it came from>`, without `.gz`.
fn output_path(input: &Input, roots: &[PathBuf], out_dir: &Path) -> PathBuf {
    let rel = match input {
        Input::Stdin => PathBuf::from("stdin.json"),
        Input::File(p) => roots
            .iter()
            .filter(|r| r.is_dir())
            .find_map(|r| p.strip_prefix(r).ok().map(Path::to_path_buf))
            .unwrap_or_else(|| PathBuf::from(p.file_name().unwrap_or_default())),
    };
    let s = rel.to_string_lossy().to_string();
    let s = s.strip_suffix(".gz").unwrap_or(&s).to_string();
    out_dir.join(s)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (
        std::fs::canonicalize(a),
        b.parent().map(std::fs::canonicalize),
    ) {
        (Ok(ca), Some(Ok(pb))) => b.file_name().is_some_and(|n| pb.join(n) == ca),
        _ => false,
    }
}

fn is_inside(file: &Path, dir: &Path) -> bool {
    let parent = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    match (std::fs::canonicalize(parent), std::fs::canonicalize(dir)) {
        (Ok(p), Ok(d)) => p.starts_with(d),
        _ => parent.starts_with(dir),
    }
}
