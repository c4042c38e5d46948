//! CLI integration tests: one module per subcommand.

mod bad_inputs;
mod code;
mod comorbidity;
mod deid;
mod demo;
mod edits;
mod release;
mod review;
mod stats;
mod synth;
mod validate;
