//! `medrec code …`: lookup, search, classify (code tables issue), comorbidity and edits (classification issue).

use crate::common::{Outcome, report_error};

/// The `medrec code` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum CodeCommand {
    /// Per patient Elixhauser measures and indices, Charlson conditions and scores, from a CSV.
    Comorbidity(super::comorbidity::Args),
    /// MCE-style code edits: one stay per JSON line in, edits out.
    Edits(super::edits::Args),
}

/// Runs `medrec code …`.
pub fn run(command: CodeCommand) -> Outcome {
    match command {
        CodeCommand::Comorbidity(args) => super::comorbidity::run(args),
        CodeCommand::Edits(args) => super::edits::run(args),
    }
}

#[allow(dead_code)]
fn unbuilt(what: &str) -> Outcome {
    report_error(what, "this subcommand is not built yet");
    Outcome::USAGE_OR_IO
}
