//! Fuzz target: streaming any bytes as Bulk Data NDJSON and as a Bundle never panics, and the
//! NDJSON reader reports one result per non-blank line.
#![no_main]
use libfuzzer_sys::fuzz_target;
use medrec_model::parse::{self, Mode, NdjsonReader};
use std::ops::ControlFlow;

fuzz_target!(|data: &[u8]| {
    let non_blank = data.split(|&b| b == b'\n').filter(|l| !l.iter().all(u8::is_ascii_whitespace)).count();
    let results = NdjsonReader::with_mode(data, Mode::Strict).count();
    assert_eq!(results, non_blank);
    for r in NdjsonReader::new(data).flatten() {
        let _ = r.validate();
    }
    let _ = parse::read_bundle_entries(std::io::Cursor::new(data.to_vec()), Mode::Lenient, |entry| {
        if let Some(r) = entry.resource {
            let _ = r.validate();
        }
        ControlFlow::Continue(())
    });
    let _ = parse::gunzip_if_needed(data);
});
