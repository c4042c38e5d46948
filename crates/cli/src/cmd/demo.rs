//! `medrec demo`: the main job on the embedded default.

use crate::common::Outcome;

/// Arguments of `medrec demo`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs the demo.
pub fn run(_args: Args) -> Outcome {
    println!(
        "medrec {}: workspace foundation; the stages land with their issues.",
        env!("CARGO_PKG_VERSION")
    );
    Outcome::OK
}
