//! One module per subcommand; each has clap arguments and a `run(…) -> Outcome`.

pub mod code;
pub mod comorbidity;
pub mod deid;
pub mod demo;
pub mod edits;
pub mod release;
pub mod review;
pub mod stats;
pub mod synth;
pub mod validate;
