//! `medrec review` (lands with its issue).

use crate::common::{Outcome, report_error};

/// Arguments of `medrec review`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `medrec review`.
pub fn run(_args: Args) -> Outcome {
    report_error("review", "this subcommand is not built yet");
    Outcome::USAGE_OR_IO
}
