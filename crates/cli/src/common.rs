#![allow(dead_code)] // helpers used by the subcommands as each lands
//! Conventions shared by every subcommand: output format, input expansion, exit codes, atomic writes.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

/// Exit code: everything went fine and nothing was found.
pub const EXIT_OK: u8 = 0;
/// Exit code: the command ran and found problems (invalid records, deficiencies, denied release …).
pub const EXIT_PROBLEMS: u8 = 1;
/// Exit code: usage error or an input/output error.
pub const EXIT_USAGE_OR_IO: u8 = 2;
/// Exit code: interrupted by Ctrl-C (128 + SIGINT, the shell convention). Nothing half-written is
/// left behind: every output goes through a temporary file or directory that is only renamed into
/// place when complete.
pub const EXIT_INTERRUPTED: u8 = 130;

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Installs the Ctrl-C handler: the first Ctrl-C asks the running command to stop at the next
/// input (it then drops its temporary files and exits with [`EXIT_INTERRUPTED`]); a second one
/// exits at once (temporary files may then remain, never a half-written output under its final
/// name, because outputs are only renamed into place when complete).
pub fn install_interrupt_handler() {
    let installed = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, Ordering::SeqCst) {
            std::process::exit(i32::from(EXIT_INTERRUPTED));
        }
    });
    if let Err(e) = installed {
        report_error("ctrl-c", &format!("could not install the handler: {e}"));
    }
}

/// Whether Ctrl-C was pressed: long loops check this between inputs and stop cleanly.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::Relaxed)
}

/// A progress bar on stderr for `len` steps of `what` (e.g. "files"), shown only when stderr is a
/// terminal and the run is long enough to be worth one; hidden (a no-op) otherwise, so pipes and
/// logs stay clean.
pub fn progress_bar(len: u64, what: &str) -> indicatif::ProgressBar {
    if len < 2 || !io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    let template = format!("{{bar:40}} {{pos}}/{{len}} {what} {{eta}}");
    bar.set_style(
        indicatif::ProgressStyle::with_template(&template)
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

/// Output format, shared by every subcommand (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Human-readable text.
    #[default]
    Text,
    /// One JSON object per line, with the field names documented in `docs/cli.md`.
    Json,
    /// CSV with a header row.
    Csv,
}

/// The result of a subcommand: an exit code (0 ok, 1 problems found, 2 usage or I/O error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome(pub u8);

impl Outcome {
    /// Exit 0.
    pub const OK: Outcome = Outcome(EXIT_OK);
    /// Exit 1.
    pub const PROBLEMS: Outcome = Outcome(EXIT_PROBLEMS);
    /// Exit 2.
    pub const USAGE_OR_IO: Outcome = Outcome(EXIT_USAGE_OR_IO);

    /// The worse (higher) of two outcomes.
    pub fn max(self, other: Outcome) -> Outcome {
        Outcome(self.0.max(other.0))
    }
}

impl From<Outcome> for ExitCode {
    fn from(o: Outcome) -> ExitCode {
        ExitCode::from(o.0)
    }
}

/// One input named on the command line, after directory expansion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Standard input (`-`).
    Stdin,
    /// A file.
    File(PathBuf),
}

impl Input {
    /// A display name for messages.
    pub fn name(&self) -> String {
        match self {
            Input::Stdin => "<stdin>".to_string(),
            Input::File(p) => p.display().to_string(),
        }
    }

    /// Reads the whole input; gzip files (`.gz`) are not decompressed here.
    pub fn read(&self) -> io::Result<Vec<u8>> {
        match self {
            Input::Stdin => {
                let mut buf = Vec::new();
                io::Read::read_to_end(&mut io::stdin().lock(), &mut buf)?;
                Ok(buf)
            }
            Input::File(p) => std::fs::read(p),
        }
    }
}

/// Expands files and directories (recursively, sorted, keeping `.json`, `.ndjson`, `.json.gz`
/// and `.ndjson.gz` files) into a list of inputs. `-` stands for standard input. A path that
/// does not exist is reported on stderr and counted in the returned error count; the others
/// are still returned.
pub fn expand_inputs(paths: &[PathBuf]) -> (Vec<Input>, usize) {
    let mut out = Vec::new();
    let mut errors = 0;
    for p in paths {
        if p.as_os_str() == "-" {
            out.push(Input::Stdin);
            continue;
        }
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => {
                let mut found = Vec::new();
                if let Err(e) = walk(p, &mut found) {
                    report_error(&p.display().to_string(), &e.to_string());
                    errors += 1;
                }
                found.sort();
                out.extend(found.into_iter().map(Input::File));
            }
            Ok(_) => out.push(Input::File(p.clone())),
            Err(e) => {
                report_error(&p.display().to_string(), &e.to_string());
                errors += 1;
            }
        }
    }
    (out, errors)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            walk(&path, out)?;
        } else if is_fhir_file(&path) {
            out.push(path);
        }
    }
    Ok(())
}

fn is_fhir_file(p: &Path) -> bool {
    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
    [".json", ".ndjson", ".json.gz", ".ndjson.gz"]
        .iter()
        .any(|ext| name.ends_with(ext))
}

/// Prints one error line on stderr: `medrec: WHERE: WHAT`.
pub fn report_error(place: &str, what: &str) {
    let _ = writeln!(io::stderr().lock(), "medrec: {place}: {what}");
}

/// Writes `bytes` to `path` atomically: a temporary file in the same directory, then a rename.
/// A reader never sees a half-written file, and an interrupted run leaves the old file (or none).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
