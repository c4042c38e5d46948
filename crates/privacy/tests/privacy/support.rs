//! Shared helpers: the data directory, labeled-corpus scoring.

use std::path::PathBuf;

/// `../shared/data` (or `$MEDREC_DATA`). `None` (with a note) when missing outside CI; panics
/// when missing with `CI=true`.
#[allow(dead_code)]
pub fn data_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("MEDREC_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"))
        });
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!(
            "shared data not found at {} (set MEDREC_DATA); CI=true requires it",
            dir.display()
        );
    }
    eprintln!("note: {} missing; skipping real-data test", dir.display());
    None
}
