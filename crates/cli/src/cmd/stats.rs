//! `medrec stats` (lands with its issue).

use crate::common::{Outcome, report_error};

/// Arguments of `medrec stats`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `medrec stats`.
pub fn run(_args: Args) -> Outcome {
    report_error("stats", "this subcommand is not built yet");
    Outcome::USAGE_OR_IO
}
