//! Finding the shared real data (`../shared/data` beside the checkout, or `$MEDREC_DATA`).

use std::io::Read;
use std::path::{Path, PathBuf};

/// The shared data folder, or `None` (with a note) when it is missing outside CI.
/// Panics when `CI=true` and the folder is missing: CI must not silently skip real-data tests.
pub fn data_dir(sub: &str) -> Option<PathBuf> {
    let base = std::env::var_os("MEDREC_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"))
        });
    let dir = base.join(sub);
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!(
            "CI=true but the real data folder {} is missing",
            dir.display()
        );
    }
    eprintln!(
        "note: {} is missing; skipping this real-data test",
        dir.display()
    );
    None
}

/// Every file under `dir` whose name ends with one of `exts`, sorted.
pub fn files(dir: &Path, exts: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if exts.iter().any(|x| p.to_string_lossy().ends_with(x)) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The bytes of a file, gunzipped if it ends in `.gz`.
pub fn read(path: &Path) -> Vec<u8> {
    let raw = std::fs::read(path).unwrap();
    if path.extension().is_some_and(|e| e == "gz") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .unwrap();
        out
    } else {
        raw
    }
}
