//! Tests of `medrec_codes::clinical` (CCSR, Elixhauser, Charlson, edits, patient CSV).

mod cases;
mod ccsr;
mod definitions;
mod edits;
mod patient_csv;
mod props;

use std::path::PathBuf;

/// `../shared/data` (override with `MEDREC_DATA`). `None` (after a note) when missing and not in
/// CI; panics in CI (`CI=true`).
pub fn shared_data() -> Option<PathBuf> {
    let dir = std::env::var_os("MEDREC_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"))
        });
    if dir.join("maps").is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!(
            "shared data not found at {} (set MEDREC_DATA)",
            dir.display()
        );
    }
    eprintln!("note: shared data not found at {}; skipping", dir.display());
    None
}

/// The test case files of this module.
pub fn case_file(name: &str) -> String {
    let p = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/codes/data/clinical"
    ))
    .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Every code (undotted) of the FY2026 code list in the shared data, headers included.
pub fn fy2026_codes(data: &std::path::Path) -> Vec<String> {
    let text =
        std::fs::read_to_string(data.join("icd10cm/icd10cm_code_list_2026_april1.txt")).unwrap();
    let mut v: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.contains('-'))
        .map(|l| l.replace('.', ""))
        .collect();
    v.sort();
    v.dedup();
    v
}
