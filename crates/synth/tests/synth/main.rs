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

/// The note text of a generated document resource, whichever FHIR form it has: the decoded
/// base64 attachment of a `DocumentReference`, or the unescaped text of a `Composition`'s
/// `section[0].text.div`.
pub fn note_text(v: &serde_json::Value) -> Vec<u8> {
    match v["resourceType"].as_str() {
        Some("Composition") => {
            let div = v["section"][0]["text"]["div"].as_str().unwrap();
            let open = r#"<div xmlns="http://www.w3.org/1999/xhtml">"#;
            let inner = div
                .strip_prefix(open)
                .and_then(|d| d.strip_suffix("</div>"))
                .expect("generated narrative div");
            inner
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&")
                .into_bytes()
        }
        _ => {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD
                .decode(v["content"][0]["attachment"]["data"].as_str().unwrap())
                .unwrap()
        }
    }
}
