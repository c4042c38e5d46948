//! `medrec deid` (lands with its issue).

use crate::common::{Outcome, report_error};

/// Arguments of `medrec deid`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `medrec deid`.
pub fn run(_args: Args) -> Outcome {
    report_error("deid", "this subcommand is not built yet");
    Outcome::USAGE_OR_IO
}
