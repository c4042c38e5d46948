//! CLI integration tests: one module per subcommand.

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
