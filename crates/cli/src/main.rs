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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Demo(args) => cmd::demo::run(args),
    };
    outcome.into()
}
