//! Property tests: generated resources survive a round trip through JSON unchanged, decimals and
//! dates keep their text, and parsing arbitrary bytes never panics.

use medrec_model::datatypes::*;
use medrec_model::resources::*;
use medrec_model::{Resource, parse_resource, parse_resource_strict};
use proptest::prelude::*;

fn text() -> impl Strategy<Value = String> {
    "[A-Za-z0-9 .,'éü-]{1,12}"
}

fn decimal() -> impl Strategy<Value = Decimal> {
    (any::<bool>(), 0u32..100_000, 0usize..4, 0usize..3).prop_map(
        |(neg, int, frac_digits, trailing_zeros)| {
            let mut s = String::new();
            if neg && int > 0 {
                s.push('-');
            }
            s.push_str(&int.to_string());
            if frac_digits + trailing_zeros > 0 {
                s.push('.');
                for i in 0..frac_digits {
                    s.push(char::from(b'1' + (i as u8 % 9)));
                }
                for _ in 0..trailing_zeros {
                    s.push('0');
                }
            }
            Decimal::new(s).unwrap()
        },
    )
}

fn date() -> impl Strategy<Value = Date> {
    (1900i32..2100, 1u8..=12, 1u8..=28, 0u8..3).prop_map(|(y, m, d, p)| {
        Date::new(match p {
            0 => format!("{y:04}"),
            1 => format!("{y:04}-{m:02}"),
            _ => format!("{y:04}-{m:02}-{d:02}"),
        })
        .unwrap()
    })
}

fn date_time() -> impl Strategy<Value = DateTime> {
    (
        date(),
        0u8..24,
        0u8..60,
        0u8..60,
        prop_oneof![Just("Z"), Just("+01:00"), Just("-05:00")],
        any::<bool>(),
    )
        .prop_map(|(d, h, mi, s, off, with_time)| {
            if with_time && d.precision() == Some(Precision::Day) {
                DateTime::new(format!("{d}T{h:02}:{mi:02}:{s:02}{off}")).unwrap()
            } else {
                DateTime::from(d)
            }
        })
}

fn coding() -> impl Strategy<Value = Coding> {
    (text(), "[A-Z0-9]{1,7}", proptest::option::of(text())).prop_map(|(sys, code, display)| {
        Coding {
            system: Some(format!("http://example.org/{}", sys.replace(' ', "-"))),
            code: Some(code),
            display,
            ..Default::default()
        }
    })
}

fn concept() -> impl Strategy<Value = CodeableConcept> {
    (
        proptest::collection::vec(coding(), 0..3),
        proptest::option::of(text()),
    )
        .prop_map(|(coding, text)| CodeableConcept {
            coding,
            text,
            ..Default::default()
        })
}

fn extension() -> impl Strategy<Value = Extension> {
    (
        text(),
        prop_oneof![
            decimal().prop_map(ExtensionValue::Decimal),
            text().prop_map(ExtensionValue::String),
            date_time().prop_map(ExtensionValue::DateTime),
            any::<bool>().prop_map(ExtensionValue::Boolean),
            concept().prop_map(ExtensionValue::CodeableConcept),
        ],
    )
        .prop_map(|(u, v)| Extension {
            url: Some(format!("http://example.org/{}", u.replace(' ', "_"))),
            value: Some(v),
            ..Default::default()
        })
}

fn encounter() -> impl Strategy<Value = Encounter> {
    (
        prop_oneof![Just("finished"), Just("in-progress"), Just("planned")],
        coding(),
        proptest::collection::vec(concept(), 0..3),
        proptest::option::of((date_time(), date_time())),
        proptest::collection::vec(
            (
                text(),
                prop_oneof![Just("active"), Just("completed")],
                proptest::option::of(date_time()),
            ),
            0..4,
        ),
        proptest::option::of(decimal()),
        proptest::collection::vec(extension(), 0..2),
    )
        .prop_map(
            |(status, class, types, period, locations, length, extension)| Encounter {
                id: Some("enc-1".into()),
                status: Some(status.into()),
                class: Some(class),
                type_: types,
                period: period.map(|(s, e)| Period::new(Some(s), Some(e))),
                location: locations
                    .into_iter()
                    .map(|(l, st, start)| EncounterLocation {
                        location: Some(Reference {
                            reference: Some(format!("Location/{}", l.len())),
                            display: Some(l),
                            ..Default::default()
                        }),
                        status: Some(st.into()),
                        period: start.map(|s| Period::new(Some(s), None)),
                        ..Default::default()
                    })
                    .collect(),
                length: length.map(|v| Duration {
                    value: Some(v),
                    unit: Some("d".into()),
                    ..Default::default()
                }),
                extension,
                ..Default::default()
            },
        )
}

fn observation() -> impl Strategy<Value = Observation> {
    (
        concept(),
        prop_oneof![
            decimal().prop_map(|v| ObservationValue::Quantity(Quantity {
                value: Some(v),
                unit: Some("mg".into()),
                ..Default::default()
            })),
            text().prop_map(ObservationValue::String),
            any::<i32>().prop_map(ObservationValue::Integer),
            date_time().prop_map(ObservationValue::DateTime),
            concept().prop_map(ObservationValue::CodeableConcept),
        ],
        proptest::option::of(date_time()),
        proptest::collection::vec(proptest::option::of(text()), 0..3),
    )
        .prop_map(|(code, value, effective, given)| Observation {
            status: Some("final".into()),
            code: Some(code),
            value: Some(value),
            effective: effective.map(ObservationEffective::DateTime),
            // A name-like array with nulls and matching primitive extensions.
            note: given
                .into_iter()
                .flatten()
                .map(|t| Annotation {
                    text: Some(t),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        })
}

fn patient() -> impl Strategy<Value = Patient> {
    (
        proptest::collection::vec(proptest::option::of(text()), 1..4),
        date(),
        proptest::option::of(date_time()),
        any::<bool>(),
    )
        .prop_map(|(given, birth, deceased, ext)| {
            let given_ext = if ext {
                given
                    .iter()
                    .map(|g| {
                        g.is_none().then(|| Element {
                            extension: vec![Extension {
                                url: Some("http://x".into()),
                                value: Some(ExtensionValue::Code("masked".into())),
                                ..Default::default()
                            }],
                            ..Default::default()
                        })
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let given = if ext {
                given
            } else {
                given.into_iter().map(|g| g.or(Some("X".into()))).collect()
            };
            Patient {
                name: vec![HumanName {
                    given,
                    given_ext,
                    family: Some("Doe".into()),
                    ..Default::default()
                }],
                gender: Some("female".into()),
                birth_date: Some(birth),
                deceased: deceased.map(PatientDeceased::DateTime),
                ..Default::default()
            }
        })
}

fn resource() -> impl Strategy<Value = Resource> {
    prop_oneof![
        encounter().prop_map(Resource::from),
        observation().prop_map(Resource::from),
        patient().prop_map(Resource::from),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn generated_resources_round_trip(r in resource()) {
        let text = serde_json::to_string(&r).unwrap();
        let back = parse_resource_strict(text.as_bytes()).unwrap();
        prop_assert_eq!(&back, &r);
        prop_assert_eq!(serde_json::to_string(&back).unwrap(), text);
        // In a Bundle, too.
        let bundle = Bundle { type_: Some("collection".into()), entry: vec![BundleEntry { resource: Some(r.clone()), ..Default::default() }], ..Default::default() };
        let b: Resource = serde_json::from_str(&serde_json::to_string(&Resource::from(bundle.clone())).unwrap()).unwrap();
        prop_assert_eq!(b, Resource::from(bundle));
    }

    #[test]
    fn decimal_text_survives(d in decimal()) {
        let q = Quantity { value: Some(d.clone()), ..Default::default() };
        let text = serde_json::to_string(&q).unwrap();
        prop_assert_eq!(&text, &format!("{{\"value\":{}}}", d.as_str()));
        let back: Quantity = serde_json::from_str(&text).unwrap();
        let v = back.value.unwrap();
        prop_assert_eq!(v.as_str(), d.as_str());
    }

    #[test]
    fn date_order_agrees_with_first_days(a in date(), b in date()) {
        if let Some(o) = a.partial_cmp(&b) {
            // Ordered dates: the first days are ordered the same way (or equal when Equal).
            prop_assert_eq!(a.date().unwrap().cmp(&b.date().unwrap()) == o || o == std::cmp::Ordering::Equal, true);
            prop_assert!(o != std::cmp::Ordering::Less || a.last_date().unwrap() < b.date().unwrap());
        } else {
            // Unordered: the day ranges overlap.
            prop_assert!(a.date().unwrap() <= b.last_date().unwrap() && b.date().unwrap() <= a.last_date().unwrap());
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = parse_resource(&bytes);
        let _ = medrec_model::parse::validate_json(&bytes);
    }

    #[test]
    fn mutated_real_json_never_panics(cut in 0usize..400, byte in any::<u8>()) {
        let mut json = br#"{"resourceType":"Bundle","type":"collection","entry":[{"fullUrl":"urn:uuid:0b0f4a5e-3c1f-4f53-9b3e-2d2b8c6b9a10","resource":{"resourceType":"Encounter","status":"finished","class":{"code":"IMP"},"period":{"start":"2024-01-02T10:00:00Z"},"length":{"value":1.50}}},{"resource":{"resourceType":"Goal","x":[1,2]}}]}"#.to_vec();
        let i = cut % json.len();
        json[i] = byte;
        if let Ok(r) = parse_resource(&json) {
            let _ = r.validate();
            let _ = serde_json::to_vec(&r).unwrap();
        }
    }
}

#[test]
fn date_time_accessors() {
    use jiff::tz::TimeZone;
    let dt = DateTime::new("2024-03-15T10:30:00+01:00").unwrap();
    assert_eq!(dt.precision(), Some(Precision::Second));
    assert_eq!(
        dt.to_timestamp(&TimeZone::UTC).unwrap().to_string(),
        "2024-03-15T09:30:00Z"
    );
    assert_eq!(dt.date().unwrap(), jiff::civil::date(2024, 3, 15));
    let month = DateTime::new("2024-02").unwrap();
    let (s, e) = month.to_range(&TimeZone::UTC).unwrap();
    assert_eq!(
        (s.to_string().as_str(), e.to_string().as_str()),
        ("2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z")
    );
    assert!(
        DateTime::new("2024-01-02T10:00:00").is_err(),
        "a time needs a zone"
    );
    assert!(Date::new("2023-02-29").is_err());
    assert!(Date::new("2024-02-29").is_ok());
    assert_eq!(
        Date::new("2024")
            .unwrap()
            .partial_cmp(&Date::new("2024-06-01").unwrap()),
        None
    );
    assert!(Date::new("2023").unwrap() < Date::new("2024-01").unwrap());
    assert!(
        DateTime::new("2024-01-01T23:30:00-05:00").unwrap()
            > DateTime::new("2024-01-02T01:00:00Z").unwrap()
    );
    assert_eq!(
        DateTime::from_timestamp("2024-05-01T12:00:00Z".parse().unwrap()).as_str(),
        "2024-05-01T12:00:00Z"
    );
    assert_eq!(
        Instant::new("2024-05-01T12:00:00.123+02:00")
            .unwrap()
            .to_timestamp()
            .unwrap()
            .to_string(),
        "2024-05-01T10:00:00.123Z"
    );
    assert!(Instant::new("2024-05-01").is_err());
    assert_eq!(
        Time::new("23:59:60").unwrap().time().unwrap(),
        jiff::civil::time(23, 59, 59, 0)
    );
    assert_eq!(Decimal::new("1.50").unwrap().scale(), 2);
    assert!(Decimal::new("01.5").is_err());
    assert_eq!(Decimal::try_from(0.1).unwrap().as_str(), "0.1");
    assert_eq!(Decimal::try_from(3.0).unwrap().as_str(), "3");
}
