//! `medrec synth` (lands with its issue).

use crate::common::{Outcome, report_error};

/// Arguments of `medrec synth`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `medrec synth`.
pub fn run(_args: Args) -> Outcome {
    report_error("synth", "this subcommand is not built yet");
    Outcome::USAGE_OR_IO
}
