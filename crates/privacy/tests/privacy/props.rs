//! Property tests: span invariants, pseudonym stability, date-shift interval preservation, and
//! Safe Harbor on generated records (no identifier of the generated patient survives, dates keep
//! only the year, references still resolve).

use crate::leak::{contains_word, full_date_regex, haystack};
use medrec_privacy::pseudonym::shift_fhir_date;
use medrec_privacy::record::{DatePolicy, DeidConfig, Deidentifier};
use medrec_privacy::text::Redactor;
use medrec_privacy::{DateShift, PseudonymKey};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::sync::OnceLock;

fn redactor() -> &'static Redactor {
    static R: OnceLock<Redactor> = OnceLock::new();
    R.get_or_init(Redactor::default)
}

fn key(seed: u8) -> PseudonymKey {
    PseudonymKey::from_bytes(vec![seed; 32]).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn spans_are_ordered_in_bounds_and_disjoint(text in "\\PC{0,200}") {
        let out = redactor().redact(&text);
        let mut last = 0;
        for s in &out.spans {
            prop_assert!(s.start < s.end && s.end <= text.len());
            prop_assert!(s.start >= last);
            prop_assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
            last = s.end;
        }
    }

    #[test]
    fn pseudonyms_are_stable_per_key_and_differ_across_keys(v in "[A-Za-z0-9 -]{1,30}", a in 0u8..=255, b in 0u8..=255) {
        prop_assume!(a != b);
        let (ka, kb) = (key(a), key(b));
        prop_assert_eq!(ka.pseudonym("NAME", &v, 16), key(a).pseudonym("NAME", &v, 16));
        prop_assert_ne!(ka.pseudonym("NAME", &v, 16), kb.pseudonym("NAME", &v, 16));
        prop_assert_eq!(ka.surrogate_uuid(&v), key(a).surrogate_uuid(&v));
        prop_assert_ne!(ka.surrogate_uuid(&v), kb.surrogate_uuid(&v));
    }

    #[test]
    fn date_shift_preserves_intervals_and_weekday(
        d1 in 0i64..40_000, d2 in 0i64..40_000, patient in "[a-z0-9-]{1,20}",
        window in 7u32..1000, keep_weekday: bool, seed in 0u8..=255,
    ) {
        let base = jiff::civil::date(1930, 1, 1);
        let a = base.checked_add(jiff::Span::new().days(d1)).unwrap();
        let b = base.checked_add(jiff::Span::new().days(d2)).unwrap();
        let shift = DateShift { window_days: window, keep_weekday };
        let off = shift.offset_days(&key(seed), &patient);
        prop_assert!(off != 0 && off.unsigned_abs() <= u64::from(window.max(7)));
        prop_assert_eq!(off, shift.offset_days(&key(seed), &patient));
        let sa: jiff::civil::Date = shift_fhir_date(&a.to_string(), off).unwrap().parse().unwrap();
        let sb: jiff::civil::Date = shift_fhir_date(&b.to_string(), off).unwrap().parse().unwrap();
        prop_assert_eq!((sa - sb).get_days(), (a - b).get_days());
        prop_assert_eq!((sa - a).get_days() as i64, off);
        if keep_weekday {
            prop_assert_eq!(sa.weekday(), a.weekday());
        }
    }
}

/// A generated patient bundle: a Patient and an Observation whose note repeats the identifiers.
fn patient_bundle(
    given: &str,
    family: &str,
    city: &str,
    phone: &str,
    mrn: &str,
    birth: &str,
) -> Value {
    json!({
        "resourceType": "Bundle", "type": "collection",
        "entry": [
            {"fullUrl": "urn:uuid:11111111-2222-3333-4444-555555555555",
             "resource": {"resourceType": "Patient", "id": "11111111-2222-3333-4444-555555555555",
               "identifier": [{"type": {"coding": [{"code": "MR"}]}, "value": mrn}],
               "name": [{"family": family, "given": [given]}],
               "telecom": [{"system": "phone", "value": phone}],
               "birthDate": birth,
               "address": [{"line": ["12 Elm Street"], "city": city, "state": "MA", "postalCode": "02110"}],
               "extension": [{"url": "http://example.org/unknown", "valueString": given}]}},
            {"fullUrl": "urn:uuid:66666666-2222-3333-4444-555555555555",
             "resource": {"resourceType": "Observation", "id": "66666666-2222-3333-4444-555555555555",
               "status": "final", "code": {"text": "note"},
               "subject": {"reference": "urn:uuid:11111111-2222-3333-4444-555555555555", "display": format!("{given} {family}")},
               "effectiveDateTime": format!("{birth}T10:00:00Z"),
               "valueString": format!("{} {}, MRN {mrn}, lives in {city}; phone {phone}; seen {birth}.", given, family.to_uppercase()),
               "note": [{"text": format!("Called {family}, {given} at {phone}.")}]}}
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn safe_harbor_removes_generated_identifiers(
        given in "[A-Z][a-z]{3,9}", family in "[A-Z][a-z]{3,10}", city in "[A-Z][a-z]{4,10}",
        area in 200u32..999, line in 0u32..9999, mrn in "[A-Z]{2}[0-9]{6}",
        y in 1925i32..2020, m in 1u32..=12, d in 1u32..=28,
    ) {
        let phone = format!("{area}-555-{line:04}");
        let birth = format!("{y:04}-{m:02}-{d:02}");
        let input = patient_bundle(&given, &family, &city, &phone, &mrn, &birth);
        let mut deid = Deidentifier::new(DeidConfig::safe_harbor(), None).unwrap();
        let out = deid.deidentify(input).unwrap().unwrap();
        let hay = haystack(&out).to_ascii_lowercase();
        for t in [&given, &family, &city, &phone, &mrn] {
            prop_assert!(!contains_word(&hay, t), "{} leaks: {}", t, hay);
        }
        prop_assert!(full_date_regex().find(&hay).is_none(), "full date in {}", hay);
        let pid = out["entry"][0]["resource"]["id"].as_str().unwrap().to_string();
        prop_assert_eq!(out["entry"][0]["fullUrl"].as_str().unwrap(), format!("urn:uuid:{pid}"));
        prop_assert_eq!(out["entry"][1]["resource"]["subject"]["reference"].as_str().unwrap(), format!("urn:uuid:{pid}"));
        prop_assert!(out["entry"][0]["resource"].get("extension").is_none());
    }

    #[test]
    fn limited_data_set_ids_are_keyed_and_dates_shift_together(seed in 0u8..=255, other in 0u8..=255, window in 7u32..400) {
        prop_assume!(seed != other);
        let mk = |k: u8| {
            let mut c = DeidConfig::limited_data_set();
            c.dates = DatePolicy::Shift(DateShift { window_days: window, keep_weekday: false });
            Deidentifier::new(c, Some(key(k))).unwrap()
        };
        let input = patient_bundle("Maria", "Gonzalez", "Salem", "413-555-0100", "AB123456", "1950-03-01");
        let a = mk(seed).deidentify(input.clone()).unwrap().unwrap();
        let b = mk(seed).deidentify(input.clone()).unwrap().unwrap();
        let c = mk(other).deidentify(input).unwrap().unwrap();
        prop_assert_eq!(&a["entry"][0]["resource"]["id"], &b["entry"][0]["resource"]["id"]);
        prop_assert_ne!(&a["entry"][0]["resource"]["id"], &c["entry"][0]["resource"]["id"]);
        // Birth date and observation shift by the same offset.
        let birth: jiff::civil::Date = a["entry"][0]["resource"]["birthDate"].as_str().unwrap().parse().unwrap();
        let eff: jiff::civil::Date = a["entry"][1]["resource"]["effectiveDateTime"].as_str().unwrap()[..10].parse().unwrap();
        prop_assert_eq!(birth, eff);
        prop_assert_ne!(birth, jiff::civil::date(1950, 3, 1));
        // Direct identifiers are gone, the city stays (164.514(e)).
        prop_assert!(a["entry"][0]["resource"].get("name").is_none());
        prop_assert_eq!(a["entry"][0]["resource"]["address"][0]["city"].as_str(), Some("Salem"));
    }
}

#[test]
fn comma_form_of_the_patients_name_is_redacted() {
    let input = patient_bundle(
        "Dbaa",
        "Aaaa",
        "Aaaaa",
        "200-555-0000",
        "AA000000",
        "1925-01-01",
    );
    let mut deid = Deidentifier::new(DeidConfig::safe_harbor(), None).unwrap();
    let out = deid.deidentify(input).unwrap().unwrap();
    let note = out["entry"][1]["resource"]["note"][0]["text"]
        .as_str()
        .unwrap();
    assert_eq!(note, "Called [NAME] at [PHONE].", "{:?}", deid.identities());
}
