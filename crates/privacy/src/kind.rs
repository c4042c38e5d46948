//! The kinds of protected health information (PHI) medrec recognizes, mapped to the 18 Safe Harbor
//! identifier categories of 45 CFR 164.514(b)(2)(i)(A)–(R).
//!
//! The vocabulary lives in `medrec-model` ([`medrec_model::phi`]) so that `medrec-synth` labels its
//! notes with the same kinds this crate finds; it is re-exported here unchanged.

pub use medrec_model::phi::{PhiKind, UnknownPhiKind};
