//! `medrec code edits` (lands with its issue).

use crate::common::{Outcome, report_error};

/// Arguments of `medrec code edits`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `medrec code edits`.
pub fn run(_args: Args) -> Outcome {
    report_error("code edits", "this subcommand is not built yet");
    Outcome::USAGE_OR_IO
}
