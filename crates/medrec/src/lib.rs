//! `medrec`: health information management in Rust.
//!
//! This facade re-exports each medrec crate as a module, each behind a default-on feature.

#[cfg(feature = "codes")]
pub use medrec_codes as codes;
#[cfg(feature = "completeness")]
pub use medrec_completeness as completeness;
#[cfg(feature = "model")]
pub use medrec_model as model;
#[cfg(feature = "privacy")]
pub use medrec_privacy as privacy;
#[cfg(feature = "stats")]
pub use medrec_stats as stats;
#[cfg(feature = "synth")]
pub use medrec_synth as synth;
