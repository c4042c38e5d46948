//! Fuzz the disclosure-log reader and the Consent → authorization reader: no panic on any
//! bytes; a parsed log's records are consecutive; valid prefix + torn tail = the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use medrec::privacy::release::{Authorization, parse_log};

fuzz_target!(|data: &[u8]| {
    if let Ok(contents) = parse_log(data) {
        assert_eq!(contents.valid_len + contents.torn_tail_bytes, data.len() as u64);
        for (i, r) in contents.records.iter().enumerate() {
            assert_eq!(r.seq, i as u64 + 1);
        }
    }
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        let _ = Authorization::from_consent_json(&value);
    }
});
