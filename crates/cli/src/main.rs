//! The `medrec` command-line tool. See `docs/cli.md` for the contract of every subcommand.

mod cmd;
mod common;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// medrec: the daily work of a health information technician, on FHIR R4 records.
#[derive(Debug, Parser)]
#[command(name = "medrec", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run every stage on an embedded synthetic hospital and print a summary.
    Demo(cmd::demo::Args),
    /// Parse and structurally validate FHIR R4 JSON / NDJSON files.
    Validate(cmd::validate::Args),
    /// Look up, search and classify ICD-10-CM / ICD-10-PCS codes.
    #[command(subcommand)]
    Code(cmd::code::CodeCommand),
    /// Review records for completeness: deficiencies per encounter, physician worklists.
    Review(cmd::review::Args),
    /// De-identify records (Safe Harbor or limited data set), or redact text.
    Deid(cmd::deid::Args),
    /// Decide and carry out a release of information, logging the disclosure.
    Release(cmd::release::Args),
    /// Hospital statistics for a period: census, admissions, deaths, rates, charges.
    Stats(cmd::stats::Args),
    /// Write a seeded synthetic hospital population.
    Synth(cmd::synth::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    common::install_interrupt_handler();
    let outcome = match cli.command {
        Command::Demo(args) => cmd::demo::run(args),
        Command::Validate(args) => cmd::validate::run(args),
        Command::Code(command) => cmd::code::run(command),
        Command::Review(args) => cmd::review::run(args),
        Command::Deid(args) => cmd::deid::run(args),
        Command::Release(args) => cmd::release::run(args),
        Command::Stats(args) => cmd::stats::run(args),
        Command::Synth(args) => cmd::synth::run(args),
    };
    if common::interrupted() {
        common::report_error(
            "interrupted",
            "stopped by Ctrl-C; no partial output was written",
        );
        return ExitCode::from(common::EXIT_INTERRUPTED);
    }
    outcome.into()
}
