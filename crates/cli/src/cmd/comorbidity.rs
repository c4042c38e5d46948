//! `medrec code comorbidity FILE.csv`: per patient AHRQ Elixhauser Refined measures and indices,
//! Quan Elixhauser / van Walraven, Charlson conditions and scores. Contract: `docs/cli/comorbidity.md`.

use std::io::{self, BufWriter, Read, Write};
use std::path::PathBuf;

use medrec::codes::clinical::{
    Comorbidities, ComorbidityScorer, PatientCodes, PatientCsvErrorKind, PatientCsvReader,
    PoaExemptList, PoaRule,
};

use crate::common::{Format, Outcome, report_error, write_atomic};

/// How POA indicators are used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PoaArg {
    /// AHRQ rules: POA-dependent measures need POA Y/W (or an exempt code).
    Ahrq,
    /// Count every secondary code regardless of POA.
    Ignore,
}

/// Arguments of `medrec code comorbidity`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// CSV with a header row `patient_id,code[,poa]`, a patient's rows contiguous, the first row
    /// the principal diagnosis; `-` for standard input.
    pub file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// POA rule. Default: `ahrq` when the file has a `poa` column, `ignore` otherwise.
    #[arg(long, value_enum)]
    pub poa: Option<PoaArg>,
    /// CMS POA-exempt code list (one code, prefix or range per line) for the AHRQ POA rules.
    #[arg(long, value_name = "FILE")]
    pub poa_exempt: Option<PathBuf>,
    /// Write the output to FILE (atomically) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Runs `medrec code comorbidity`.
pub fn run(args: Args) -> Outcome {
    let name = if args.file.as_os_str() == "-" {
        "<stdin>".to_string()
    } else {
        args.file.display().to_string()
    };
    let input: Box<dyn Read> = if args.file.as_os_str() == "-" {
        Box::new(io::stdin().lock())
    } else {
        match std::fs::File::open(&args.file) {
            Ok(f) => Box::new(io::BufReader::with_capacity(1 << 16, f)),
            Err(e) => {
                report_error(&name, &e.to_string());
                return Outcome::USAGE_OR_IO;
            }
        }
    };
    let mut scorer = ComorbidityScorer::new();
    if let Some(p) = &args.poa_exempt {
        let text = match std::fs::read_to_string(p) {
            Ok(t) => t,
            Err(e) => {
                report_error(&p.display().to_string(), &e.to_string());
                return Outcome::USAGE_OR_IO;
            }
        };
        match PoaExemptList::from_text(&text) {
            Ok(l) => scorer = scorer.with_exempt_list(l),
            Err((line, bad)) => {
                report_error(
                    &format!("{}:{line}", p.display()),
                    &format!("{bad:?} is not a code, prefix or range"),
                );
                return Outcome::USAGE_OR_IO;
            }
        }
    }

    let mut buffer: Vec<u8> = Vec::new();
    let stdout = io::stdout();
    let mut sink: Box<dyn Write + '_> = if args.out.is_some() {
        Box::new(&mut buffer)
    } else {
        Box::new(BufWriter::with_capacity(1 << 16, stdout.lock()))
    };
    let mut reader = PatientCsvReader::new(input);
    let mut outcome = Outcome::OK;
    let mut header_written = false;
    let mut rule_set = false;
    let write_result = (|| -> io::Result<()> {
        while let Some(item) = reader.next() {
            match item {
                Ok(p) => {
                    if !rule_set {
                        let rule = match args.poa {
                            Some(PoaArg::Ahrq) => PoaRule::Ahrq,
                            Some(PoaArg::Ignore) => PoaRule::Ignore,
                            None if reader.has_poa_column() => PoaRule::Ahrq,
                            None => PoaRule::Ignore,
                        };
                        scorer = scorer.clone().with_poa_rule(rule);
                        rule_set = true;
                    }
                    let c = scorer.score_keys(&p.keys(), p.principal.is_some());
                    if args.format == Format::Csv && !header_written {
                        writeln!(
                            sink,
                            "patient_id,elixhauser,elixhauser_mortality,elixhauser_readmission,charlson,charlson_score,charlson_score_quan2011,quan_elixhauser,van_walraven,codes"
                        )?;
                        header_written = true;
                    }
                    write_patient(&mut sink, args.format, &p, &c)?;
                }
                Err(e) => {
                    report_error(&format!("{name}:{}", e.line()), &e.to_string());
                    if matches!(
                        e.kind(),
                        PatientCsvErrorKind::BadHeader | PatientCsvErrorKind::Io
                    ) {
                        outcome = outcome.max(Outcome::USAGE_OR_IO);
                    } else {
                        outcome = outcome.max(Outcome::PROBLEMS);
                    }
                }
            }
        }
        if args.format == Format::Csv && !header_written && outcome != Outcome::USAGE_OR_IO {
            writeln!(
                sink,
                "patient_id,elixhauser,elixhauser_mortality,elixhauser_readmission,charlson,charlson_score,charlson_score_quan2011,quan_elixhauser,van_walraven,codes"
            )?;
        }
        sink.flush()
    })();
    drop(sink);
    if let Err(e) = write_result {
        if e.kind() != io::ErrorKind::BrokenPipe {
            report_error("output", &e.to_string());
            return Outcome::USAGE_OR_IO;
        }
    }
    if let Some(out) = &args.out {
        if let Err(e) = write_atomic(out, &buffer) {
            report_error(&out.display().to_string(), &e.to_string());
            return Outcome::USAGE_OR_IO;
        }
    }
    outcome
}

fn write_patient(
    w: &mut dyn Write,
    format: Format,
    p: &PatientCodes,
    c: &Comorbidities,
) -> io::Result<()> {
    let elix: Vec<&str> = c.elixhauser.iter().map(|m| m.name()).collect();
    let charlson: Vec<&str> = c.charlson.iter().map(|m| m.name()).collect();
    let quan: Vec<&str> = c.quan_elixhauser.iter().map(|m| m.name()).collect();
    let n = p.secondary.len() + usize::from(p.principal.is_some());
    match format {
        Format::Json => {
            let v = serde_json::json!({
                "patient_id": p.patient_id,
                "elixhauser": elix,
                "elixhauser_mortality": c.elixhauser_mortality,
                "elixhauser_readmission": c.elixhauser_readmission,
                "charlson": charlson,
                "charlson_score": c.charlson_score,
                "charlson_score_quan2011": c.charlson_score_quan2011,
                "quan_elixhauser": quan,
                "van_walraven": c.van_walraven,
                "codes": n,
            });
            writeln!(w, "{v}")
        }
        Format::Csv => {
            let id = csv_field(&p.patient_id);
            writeln!(
                w,
                "{id},{},{},{},{},{},{},{},{},{n}",
                elix.join(";"),
                c.elixhauser_mortality,
                c.elixhauser_readmission,
                charlson.join(";"),
                c.charlson_score,
                c.charlson_score_quan2011,
                quan.join(";"),
                c.van_walraven
            )
        }
        Format::Text => writeln!(
            w,
            "{}: Elixhauser [{}] mortality {} readmission {}; Charlson [{}] score {} (Quan 2011: {}); van Walraven {} ({} codes)",
            p.patient_id,
            elix.join(" "),
            c.elixhauser_mortality,
            c.elixhauser_readmission,
            charlson.join(" "),
            c.charlson_score,
            c.charlson_score_quan2011,
            c.van_walraven,
            n
        ),
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
