//! `medrec validate` (lands with its issue).

use crate::common::{Outcome, report_error};

/// Arguments of `medrec validate`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `medrec validate`.
pub fn run(_args: Args) -> Outcome {
    report_error("validate", "this subcommand is not built yet");
    Outcome::USAGE_OR_IO
}
