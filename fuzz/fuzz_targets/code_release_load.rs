//! Fuzz target `code_release_load`: any bytes through the run-time release loaders (order file,
//! code descriptions, compact table, tabular XML, PCS codes file and compact table). Never
//! panics: bad input is a `LoadError`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use medrec::codes::{IcdCmRelease, PcsRelease, ReleaseId};

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let id = ReleaseId::october(2027);
    for r in [
        IcdCmRelease::from_order_str(&s, id),
        IcdCmRelease::from_code_descriptions_str(&s, id),
        IcdCmRelease::from_compact(&s, Some(&s), Some(&s)),
        IcdCmRelease::from_tabular_xml_str(&s, id),
    ]
    .into_iter()
    .flatten()
    {
        for e in r.iter().take(50) {
            let _ = (e.title(), e.status(), e.chapter(), e.block(), e.parent(), e.notes_applying());
        }
        let _ = r.search("a b", 3);
    }
    for p in [PcsRelease::from_codes_str(&s, 2027), PcsRelease::from_compact(&s)].into_iter().flatten() {
        for (c, _) in p.iter().take(20) {
            let _ = p.decode(&c);
        }
    }
});
