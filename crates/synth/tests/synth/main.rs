//! Integration tests of medrec-synth: determinism, ground-truth consistency, realistic shares,
//! PHI labels, code tables, configuration.

mod codes;
mod config;
mod determinism;
mod fhir;
mod phi;
mod props;
mod rates;
mod truth;
mod write;

use medrec_synth::{Population, PopulationConfig};
use std::path::PathBuf;

/// A population of `patients` over the demo month with `seed`.
pub fn population(patients: u64, seed: u64) -> Population {
    Population::new(PopulationConfig {
        patients,
        seed,
        ..PopulationConfig::demo()
    })
    .expect("valid configuration")
}

/// The shared data folder, or `None` (with a note) when it is missing outside CI.
pub fn shared_data() -> Option<PathBuf> {
    let dir = std::env::var_os("MEDREC_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"))
        });
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("shared data folder {} is missing (CI=true)", dir.display());
    }
    eprintln!(
        "note: {} missing; skipping a real-data check",
        dir.display()
    );
    None
}
