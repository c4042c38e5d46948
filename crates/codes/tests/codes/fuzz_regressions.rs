//! Crash inputs found by the `code_release_load` fuzz target, replayed: each must load as a
//! `LoadError` (or a release), never panic.

use medrec_codes::{IcdCmRelease, ReleaseId};

#[test]
fn release_loaders_never_panic_on_fuzz_crashes() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/codes/data/fuzz-regressions"
    );
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let s = String::from_utf8_lossy(&bytes);
        let id = ReleaseId::october(2027);
        let _ = IcdCmRelease::from_order_str(&s, id);
        let _ = IcdCmRelease::from_code_descriptions_str(&s, id);
        let _ = IcdCmRelease::from_tabular_xml_str(&s, id);
        n += 1;
    }
    assert!(n >= 1);
}
