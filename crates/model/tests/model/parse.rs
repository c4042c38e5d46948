//! Strict and lenient parsing, error positions, NDJSON and Bundle streaming.

use crate::data::{data_dir, files, read};
use medrec_model::parse::{self, Mode, NdjsonReader, ParseErrorKind};
use medrec_model::resources::{Bundle, Observation, ObservationValue, Patient};
use medrec_model::{Resource, parse_resource, parse_resource_strict};
use std::ops::ControlFlow;

const WITH_UNKNOWN: &str = r#"{
  "resourceType": "Patient",
  "id": "p1",
  "name": [{"family": "Chalmers", "nickname": "Jim"}],
  "gender": "male"
}"#;

#[test]
fn lenient_keeps_unknown_elements_and_strict_rejects_them_with_path_and_position() {
    let r = parse_resource(WITH_UNKNOWN.as_bytes()).unwrap();
    let p = r.downcast_ref::<Patient>().unwrap();
    assert_eq!(p.name[0].unknown.get("nickname").unwrap().get(), r#""Jim""#);
    let back = serde_json::to_value(&r).unwrap();
    assert_eq!(
        back,
        serde_json::from_str::<serde_json::Value>(WITH_UNKNOWN).unwrap()
    );
    // validate() reports it as an unknown element, with its FHIR path.
    let issues = r.validate();
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(issues[0].path, "Patient.name[0].nickname");

    let e = parse_resource_strict(WITH_UNKNOWN.as_bytes()).unwrap_err();
    assert_eq!(e.kind(), ParseErrorKind::UnknownElement);
    assert_eq!(e.path(), "$.name[0].nickname");
    assert_eq!(e.line(), 4);
    assert!(e.column() > 30, "{e}");
    assert!(e.to_string().contains("nickname"), "{e}");
}

#[test]
fn wrong_types_are_rejected_in_both_modes() {
    let cases: &[(&str, &str)] = &[
        (r#"{"resourceType":"Patient","active":"yes"}"#, "$.active"),
        (
            r#"{"resourceType":"Patient","name":{"family":"x"}}"#,
            "$.name",
        ),
        (
            r#"{"resourceType":"Patient","gender":["male"]}"#,
            "$.gender",
        ),
        (
            r#"{"resourceType":"Observation","valueQuantity":{"value":"1.5"}}"#,
            "$.valueQuantity.value",
        ),
        (
            r#"{"resourceType":"Observation","valueString":"a","valueBoolean":true}"#,
            "$.valueBoolean",
        ),
        (r#"{"resourceType":"Patient","id":"a","id":"b"}"#, "$.id"),
        (
            r#"{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Patient","birthDate":7}}]}"#,
            "$.entry[0].resource.birthDate",
        ),
    ];
    for (json, path) in cases {
        for mode in [Mode::Lenient, Mode::Strict] {
            let e = parse::parse_resource_with(json.as_bytes(), mode).unwrap_err();
            assert_eq!(e.kind(), ParseErrorKind::Invalid, "{json}: {e}");
            assert_eq!(e.path(), *path, "{json}: {e}");
            assert_eq!(e.line(), 1);
        }
    }
}

#[test]
fn malformed_and_truncated_json_are_told_apart() {
    let e = parse_resource(br#"{"resourceType":"Patient","id":"#).unwrap_err();
    assert_eq!(e.kind(), ParseErrorKind::Truncated);
    let e = parse_resource(br#"{"resourceType":"Patient",,}"#).unwrap_err();
    assert_eq!(e.kind(), ParseErrorKind::Syntax);
    let e = parse_resource(b"[1,2]").unwrap_err();
    assert_eq!(e.kind(), ParseErrorKind::Invalid);
    let e = parse_resource(br#"{"id":"x"}"#).unwrap_err();
    assert_eq!(e.kind(), ParseErrorKind::Invalid);
    assert!(e.message().contains("resourceType"));
}

#[test]
fn resource_type_need_not_come_first() {
    let json = br#"{"id":"o1","valueQuantity":{"value":1.50,"unit":"mg"},"resourceType":"Observation","status":"final"}"#;
    let r = parse_resource(json).unwrap();
    let o = r.downcast_ref::<Observation>().unwrap();
    assert_eq!(o.id.as_deref(), Some("o1"));
    let Some(ObservationValue::Quantity(q)) = &o.value else {
        panic!("{o:?}")
    };
    assert_eq!(q.value.as_ref().unwrap().as_str(), "1.50");
    // Unknown resource types are kept verbatim even out of order.
    let r = parse_resource(br#"{"id":"g","resourceType":"Goal","x":1.10}"#).unwrap();
    assert_eq!(r.resource_type(), "Goal");
    assert_eq!(r.id(), Some("g"));
    assert_eq!(
        serde_json::to_string(&r).unwrap(),
        r#"{"resourceType":"Goal","id":"g","x":1.10}"#
    );
}

#[test]
fn decimals_and_primitive_extensions_keep_their_exact_text() {
    let json = r#"{"resourceType":"Patient","name":[{"given":["Peter",null,"James"],"_given":[null,{"extension":[{"url":"http://x","valueDecimal":1.500}]},null]}],"birthDate":"1970","_birthDate":{"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/patient-birthTime","valueDateTime":"1970-03-30T12:00:00+01:00"}]},"multipleBirthInteger":2}"#;
    let r = parse_resource(json.as_bytes()).unwrap();
    assert_eq!(serde_json::to_string(&r).unwrap(), json);
    let p = r.downcast_ref::<Patient>().unwrap();
    assert_eq!(
        p.name[0].given,
        vec![Some("Peter".to_string()), None, Some("James".to_string())]
    );
    assert_eq!(
        p.birth_date.as_ref().unwrap().precision(),
        Some(medrec_model::datatypes::Precision::Year)
    );
}

#[test]
fn ndjson_reports_bad_lines_and_goes_on() {
    let text = b"{\"resourceType\":\"Patient\",\"id\":\"a\"}\n\
                 {\"resourceType\":\"Patient\",\"id\":\n\
                 \n\
                 garbage\n\
                 {\"resourceType\":\"Patient\",\"id\":\"b\",\"bogus\":1}\n\
                 {\"resourceType\":\"Observation\",\"id\":\"c\",\"status\":\"final\"}";
    let out: Vec<_> = NdjsonReader::new(&text[..]).collect();
    assert_eq!(out.len(), 5);
    assert_eq!(out[0].as_ref().unwrap().id(), Some("a"));
    let e = out[1].as_ref().unwrap_err();
    assert_eq!((e.line(), e.kind()), (2, ParseErrorKind::Truncated));
    let e = out[2].as_ref().unwrap_err();
    assert_eq!((e.line(), e.kind()), (4, ParseErrorKind::Syntax));
    assert_eq!(out[3].as_ref().unwrap().id(), Some("b"));
    assert_eq!(out[4].as_ref().unwrap().id(), Some("c"));
    // Strict: the unknown element becomes an error on its line only.
    let strict: Vec<_> = NdjsonReader::with_mode(&text[..], Mode::Strict).collect();
    let e = strict[3].as_ref().unwrap_err();
    assert_eq!((e.line(), e.kind()), (5, ParseErrorKind::UnknownElement));
    assert!(strict[4].is_ok());
}

#[test]
fn ndjson_memory_is_bounded_by_the_longest_line() {
    let line = br#"{"resourceType":"Patient","id":"a","name":[{"family":"Smith"}]}"#;
    let mut text = Vec::new();
    for _ in 0..20_000 {
        text.extend_from_slice(line);
        text.push(b'\n');
    }
    let mut reader = NdjsonReader::new(&text[..]);
    let mut n = 0;
    for r in reader.by_ref() {
        r.unwrap();
        n += 1;
    }
    assert_eq!(n, 20_000);
    assert!(
        reader.buffer_capacity() < 16 * 1024,
        "buffer grew to {}",
        reader.buffer_capacity()
    );
}

#[test]
fn real_bulk_ndjson_streams_without_errors() {
    let Some(dir) = data_dir("synthea/bulk-ndjson") else {
        return;
    };
    let mut n = 0;
    for p in files(&dir, &[".ndjson"]) {
        for r in NdjsonReader::with_mode(parse::open(&p).unwrap(), Mode::Strict) {
            let r = r.unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            assert!(r.id().is_some());
            n += 1;
        }
    }
    assert!(n > 2000, "{n}");
}

#[test]
fn bundle_streaming_yields_the_same_entries_as_a_full_parse() {
    let Some(dir) = data_dir("synthea/r4-bundles-us-core") else {
        return;
    };
    for p in files(&dir, &[".json.gz"]).into_iter().take(3) {
        let full: Bundle = serde_json::from_slice(&read(&p)).unwrap();
        let mut entries = Vec::new();
        let header =
            parse::read_bundle_entries(std::fs::File::open(&p).unwrap(), Mode::Strict, |e| {
                entries.push(e);
                ControlFlow::Continue(())
            })
            .unwrap();
        assert_eq!(entries, full.entry);
        assert!(header.entry.is_empty());
        assert_eq!(header.type_, full.type_);
    }
    // Early stop.
    let json = br#"{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Patient"}},{"resource":{"resourceType":"Goal"}}]}"#;
    let mut seen = 0;
    parse::read_bundle_entries(&json[..], Mode::Lenient, |_| {
        seen += 1;
        ControlFlow::Break(())
    })
    .unwrap();
    assert_eq!(seen, 1);
    // A bad entry names its index and path.
    let bad = br#"{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Patient"}},{"resource":{"resourceType":"Patient","active":3}}]}"#;
    let e = parse::read_bundle_entries(&bad[..], Mode::Lenient, |_| ControlFlow::Continue(()))
        .unwrap_err();
    assert_eq!(e.entry(), Some(1));
    assert_eq!(e.parse_error().path(), "$.entry[1].resource.active");
}

#[test]
fn gzip_is_detected_by_content() {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(b"{\"resourceType\":\"Patient\",\"id\":\"z\"}\n")
        .unwrap();
    let bytes = gz.finish().unwrap();
    let plain = parse::gunzip_if_needed(&bytes).unwrap();
    assert_eq!(parse_resource(&plain).unwrap().id(), Some("z"));
    let r: Vec<Resource> = NdjsonReader::new(parse::reader(std::io::Cursor::new(bytes)).unwrap())
        .map(Result::unwrap)
        .collect();
    assert_eq!(r.len(), 1);
}
