//! Fuzz target `code_normalize`: any bytes through ICD-10-CM / ICD-10-PCS normalization,
//! validation and classification. Never panics; a normalized code is a fixed point and
//! validates the same as its input; `classify` (which looks the input up before checking it)
//! gives what `IcdCmCode::parse` and a lookup give.
#![no_main]

use libfuzzer_sys::fuzz_target;
use medrec::codes::{CodeStatus, IcdCmCode, PcsCode, icd10cm, icd10pcs};

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let cm = icd10cm();
    let status = cm.validate(&s);
    let c = cm.classify(&s);
    assert_eq!(status, c.status());
    match IcdCmCode::parse(&s) {
        Ok(code) => {
            assert_eq!(IcdCmCode::parse(&code.to_string()).unwrap(), code);
            assert_eq!(IcdCmCode::parse(code.as_undotted()).unwrap(), code);
            assert_eq!(cm.validate_code(&code), status);
            // The lookup fast path (found proves well formed) gives the full rules' code.
            assert_eq!(c.code(), Some(code));
            assert_eq!(c.entry_id(), cm.get(&code).map(|e| e.id()));
            if let Some(e) = c.entry() {
                assert_eq!(e.code(), code);
                let _ = (e.title(), e.chapter(), e.block(), e.parent());
            }
        }
        Err(e) => assert_eq!(status, CodeStatus::Malformed(e.kind())),
    }
    if let Ok(p) = PcsCode::parse(&s) {
        assert_eq!(PcsCode::parse(p.as_str()).unwrap(), p);
        if let Some(axes) = icd10pcs().decode(&p) {
            assert_eq!(axes.len(), 7);
        }
    }
    let _ = icd10pcs().validate(&s);
});
