//! `medrec code edits [FILE…]`: MCE-style code edits, one stay per JSON line in, one edit per line
//! out. Contract (stay JSON, output fields, exit codes): `docs/cli/edits.md`.

use std::io::{self, BufRead, BufWriter, Write};
use std::path::PathBuf;

use medrec::codes::clinical::{CodeEdit, EditSeverity, MceTables, Stay, StayEditor};

use crate::common::{Format, Outcome, report_error, write_atomic};

/// Arguments of `medrec code edits`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// NDJSON files of stays (one JSON object per line); `-` or nothing for standard input.
    pub files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Official CMS MCE lists replacing the derived approximations (format in docs/cli/edits.md).
    #[arg(long, value_name = "FILE")]
    pub mce_tables: Option<PathBuf>,
    /// Leave out the informational `use_additional_code` edits.
    #[arg(long)]
    pub no_use_additional_code: bool,
    /// Write the output to FILE (atomically) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Runs `medrec code edits`.
pub fn run(args: Args) -> Outcome {
    let mut editor = StayEditor::new().with_use_additional_code(!args.no_use_additional_code);
    if let Some(p) = &args.mce_tables {
        let text = match std::fs::read_to_string(p) {
            Ok(t) => t,
            Err(e) => {
                report_error(&p.display().to_string(), &e.to_string());
                return Outcome::USAGE_OR_IO;
            }
        };
        let name = p.file_name().map_or_else(
            || p.display().to_string(),
            |n| n.to_string_lossy().to_string(),
        );
        match MceTables::from_text(&text, &format!("loaded from {name}")) {
            Ok(t) => editor = editor.with_tables(t),
            Err(e) => {
                report_error(&format!("{}:{}", p.display(), e.line()), &e.to_string());
                return Outcome::USAGE_OR_IO;
            }
        }
    }
    let files = if args.files.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        args.files.clone()
    };
    let mut buffer: Vec<u8> = Vec::new();
    let stdout = io::stdout();
    let mut sink: Box<dyn Write + '_> = if args.out.is_some() {
        Box::new(&mut buffer)
    } else {
        Box::new(BufWriter::new(stdout.lock()))
    };
    let mut outcome = Outcome::OK;
    let result = (|| -> io::Result<()> {
        if args.format == Format::Csv {
            writeln!(
                sink,
                "input,line,stay,edit,severity,code,related_code,message,source"
            )?;
        }
        for f in &files {
            let name = if f.as_os_str() == "-" {
                "<stdin>".to_string()
            } else {
                f.display().to_string()
            };
            let reader: Box<dyn BufRead> = if f.as_os_str() == "-" {
                Box::new(io::stdin().lock())
            } else {
                match std::fs::File::open(f) {
                    Ok(file) => Box::new(io::BufReader::new(file)),
                    Err(e) => {
                        report_error(&name, &e.to_string());
                        outcome = outcome.max(Outcome::USAGE_OR_IO);
                        continue;
                    }
                }
            };
            for (i, line) in reader.split(b'\n').enumerate() {
                let line_no = i + 1;
                let bytes = match line {
                    Ok(b) => b,
                    Err(e) => {
                        report_error(&format!("{name}:{line_no}"), &e.to_string());
                        outcome = outcome.max(Outcome::USAGE_OR_IO);
                        break;
                    }
                };
                let text = String::from_utf8_lossy(&bytes);
                let text = text.trim();
                if text.is_empty() {
                    continue;
                }
                let stay: Stay = match serde_json::from_str(text) {
                    Ok(s) => s,
                    Err(e) => {
                        report_error(
                            &format!("{name}:{line_no}"),
                            &format!("not a stay JSON object: {e}"),
                        );
                        outcome = outcome.max(Outcome::PROBLEMS);
                        continue;
                    }
                };
                let edits = editor.edit(&stay);
                if edits.iter().any(|e| e.severity >= EditSeverity::Warning) {
                    outcome = outcome.max(Outcome::PROBLEMS);
                }
                let stay_id = stay
                    .id
                    .clone()
                    .unwrap_or_else(|| format!("{name}:{line_no}"));
                for e in &edits {
                    write_edit(&mut sink, args.format, &name, line_no, &stay_id, e)?;
                }
            }
        }
        sink.flush()
    })();
    drop(sink);
    if let Err(e) = result {
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

fn write_edit(
    w: &mut dyn Write,
    format: Format,
    input: &str,
    line: usize,
    stay: &str,
    e: &CodeEdit,
) -> io::Result<()> {
    match format {
        Format::Json => {
            let v = serde_json::json!({
                "input": input,
                "line": line,
                "stay": stay,
                "edit": e.edit.as_str(),
                "severity": e.severity.as_str(),
                "code": e.code,
                "related_code": e.related_code,
                "message": e.message,
                "source": e.source,
            });
            writeln!(w, "{v}")
        }
        Format::Csv => {
            let f = |s: &str| {
                if s.contains([',', '"', '\n', '\r']) {
                    format!("\"{}\"", s.replace('"', "\"\""))
                } else {
                    s.to_string()
                }
            };
            writeln!(
                w,
                "{},{line},{},{},{},{},{},{},{}",
                f(input),
                f(stay),
                e.edit.as_str(),
                e.severity.as_str(),
                f(e.code.as_deref().unwrap_or("")),
                f(e.related_code.as_deref().unwrap_or("")),
                f(&e.message),
                f(&e.source)
            )
        }
        Format::Text => writeln!(
            w,
            "{stay}: {} {} {}: {} [{}]",
            e.severity.as_str(),
            e.edit.as_str(),
            e.code.as_deref().unwrap_or("-"),
            e.message,
            e.source
        ),
    }
}
