//! `medrec release` (lands with its issue).

use crate::common::{Outcome, report_error};

/// Arguments of `medrec release`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `medrec release`.
pub fn run(_args: Args) -> Outcome {
    report_error("release", "this subcommand is not built yet");
    Outcome::USAGE_OR_IO
}
