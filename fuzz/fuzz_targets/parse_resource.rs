//! Fuzz target: reading any bytes as a FHIR resource (lenient and strict), validating and
//! writing back what was read never panics, and what is read survives a round trip.
#![no_main]
use libfuzzer_sys::fuzz_target;
use medrec_model::{Resource, parse};

fuzz_target!(|data: &[u8]| {
    for mode in [parse::Mode::Lenient, parse::Mode::Strict] {
        if let Ok(r) = parse::parse_resource_with(data, mode) {
            let _ = r.validate();
            let text = serde_json::to_vec(&r).expect("a parsed resource serializes");
            let again: Resource = serde_json::from_slice(&text).expect("serialized output parses");
            assert_eq!(again, r, "round trip changed the resource");
        }
    }
    let _ = parse::validate_json(data);
});
