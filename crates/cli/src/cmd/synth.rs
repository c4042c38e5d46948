//! `medrec synth`: write a seeded synthetic hospital population with its ground truth.
//!
//! Contract (see `docs/cli/synth.md`): records and `truth/` are written into `--out`, which must
//! be absent or empty; everything appears at once (staged beside it, then renamed) or not at all.
//! Exit 0 on success, 2 on a usage, configuration or I/O error.

use crate::common::{Format, Outcome, report_error};
use medrec::synth::{Layout, Population, PopulationConfig};
use std::path::PathBuf;

/// Record layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LayoutArg {
    /// One `collection` Bundle per patient under `bundles/`.
    Bundle,
    /// One NDJSON file per resource type (FHIR Bulk Data layout).
    Ndjson,
}

/// Arguments of `medrec synth`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output directory (created; must be absent or empty).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Number of patients (newborns born in the hospital come on top). Default: 1000, or the
    /// configuration file's value.
    #[arg(long, value_name = "N")]
    pub patients: Option<u64>,
    /// Seed: the same seed and options give the same bytes. Default: 1, or the configuration's.
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Record layout.
    #[arg(long, value_enum, default_value = "ndjson")]
    pub layout: LayoutArg,
    /// First day of the period (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Day after the last day of the period (YYYY-MM-DD, exclusive).
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// A TOML configuration (facilities, units, beds, rates); flags override its values.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Notes with a one-line text instead of clinical prose with PHI (much faster).
    #[arg(long)]
    pub no_note_text: bool,
    /// Output format of the summary.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

fn parse_date(flag: &str, text: &str) -> Result<jiff::civil::Date, String> {
    text.parse::<jiff::civil::Date>()
        .map_err(|e| format!("--{flag} {text:?}: not a date YYYY-MM-DD ({e})"))
}

/// Runs `medrec synth`.
pub fn run(args: Args) -> Outcome {
    let mut config = match &args.config {
        Some(path) => match PopulationConfig::load(path) {
            Ok(c) => c,
            Err(e) => {
                report_error(&path.display().to_string(), &e.to_string());
                return Outcome::USAGE_OR_IO;
            }
        },
        None => PopulationConfig::default(),
    };
    if let Some(n) = args.patients {
        config.patients = n;
    }
    if let Some(s) = args.seed {
        config.seed = s;
    }
    for (flag, value, slot) in [
        ("from", &args.from, &mut config.from),
        ("to", &args.to, &mut config.to),
    ] {
        if let Some(text) = value {
            match parse_date(flag, text) {
                Ok(d) => *slot = d,
                Err(e) => {
                    report_error("synth", &e);
                    return Outcome::USAGE_OR_IO;
                }
            }
        }
    }
    if args.no_note_text {
        config.documentation.note_text = false;
    }
    let population = match Population::new(config) {
        Ok(p) => p,
        Err(e) => {
            report_error("synth", &e.to_string());
            return Outcome::USAGE_OR_IO;
        }
    };
    let layout = match args.layout {
        LayoutArg::Bundle => Layout::Bundle,
        LayoutArg::Ndjson => Layout::Ndjson,
    };
    let total = population.household_count();
    let bar = crate::common::progress_bar(total, "patients");
    let mut tick = |done: u64| {
        if done % 256 == 0 || done == total {
            bar.set_position(done);
        }
        if crate::common::interrupted() {
            std::ops::ControlFlow::Break(())
        } else {
            std::ops::ControlFlow::Continue(())
        }
    };
    let result = population.write_to_with_progress(&args.out, layout, &mut tick);
    bar.finish_and_clear();
    match result {
        Ok(summary) => {
            let layout_name = match layout {
                Layout::Bundle => "bundle",
                Layout::Ndjson => "ndjson",
            };
            match args.format {
                Format::Json => {
                    let line = serde_json::json!({
                        "out": args.out.display().to_string(),
                        "layout": layout_name,
                        "seed": population.config().seed,
                        "from": population.config().from.to_string(),
                        "to": population.config().to.to_string(),
                        "patients": summary.patients,
                        "encounters": summary.encounters,
                        "resources": summary.resources,
                        "files": summary.files,
                    });
                    println!("{line}");
                }
                Format::Csv => {
                    println!("out,layout,seed,from,to,patients,encounters,files");
                    println!(
                        "{},{layout_name},{},{},{},{},{},{}",
                        args.out.display(),
                        population.config().seed,
                        population.config().from,
                        population.config().to,
                        summary.patients,
                        summary.encounters,
                        summary.files
                    );
                }
                Format::Text => {
                    let resources: u64 = summary.resources.values().sum();
                    println!(
                        "wrote {} patients, {} encounters, {resources} resources ({layout_name}) and truth/ to {}",
                        summary.patients,
                        summary.encounters,
                        args.out.display()
                    );
                }
            }
            Outcome::OK
        }
        Err(e) => {
            report_error("synth", &e.to_string());
            Outcome::USAGE_OR_IO
        }
    }
}
