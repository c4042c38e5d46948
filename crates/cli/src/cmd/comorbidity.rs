//! `medrec code comorbidity` (lands with its issue).

use crate::common::{Outcome, report_error};

/// Arguments of `medrec code comorbidity`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `medrec code comorbidity`.
pub fn run(_args: Args) -> Outcome {
    report_error("code comorbidity", "this subcommand is not built yet");
    Outcome::USAGE_OR_IO
}
