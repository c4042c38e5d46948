//! The batch CSV reader `patient_id,code[,poa]`.

use medrec_codes::clinical::{ComorbidityScorer, PatientCsvErrorKind, PatientCsvReader, Poa};

#[test]
fn groups_rows_by_patient_with_principal_first() {
    let csv = "patient_id,code,poa\np1,I21.4,Y\np1,I50.22,Y\np1,E11.9,N\np2,J18.9,\np2,I10,Y\n";
    let items: Vec<_> = PatientCsvReader::new(csv.as_bytes()).collect();
    assert_eq!(items.len(), 2);
    let p1 = items[0].as_ref().unwrap();
    assert_eq!(p1.patient_id, "p1");
    assert_eq!(p1.principal.as_ref().unwrap().code.to_string(), "I214");
    assert_eq!(p1.secondary.len(), 2);
    assert_eq!(p1.secondary[1].poa, Poa::N);
    assert_eq!(p1.secondary[1].line, 4);
    let p2 = items[1].as_ref().unwrap();
    assert_eq!(p2.principal.as_ref().unwrap().poa, Poa::Missing);
    let scores = ComorbidityScorer::new().score_keys(&p1.keys(), true);
    assert_eq!(scores.charlson_score, 1 + 1 + 1);
}

#[test]
fn bad_rows_are_reported_with_line_numbers_and_skipped() {
    let csv = "\u{feff}Patient_ID,Code,POA\np1,I21.4,Y\np1,XYZ,Y\np1,I50.22,Q\np2,,Y\n,E11.9,Y\np3,E11.9,Y\np1,I10,Y\np4,\"E11.9\nbroken\n";
    let items: Vec<_> = PatientCsvReader::new(csv.as_bytes()).collect();
    let errs: Vec<(u64, PatientCsvErrorKind)> = items
        .iter()
        .filter_map(|i| i.as_ref().err())
        .map(|e| (e.line(), e.kind()))
        .collect();
    assert_eq!(
        errs[..5],
        [
            (3, PatientCsvErrorKind::BadCode),
            (4, PatientCsvErrorKind::BadPoa),
            (5, PatientCsvErrorKind::BadCode),
            (6, PatientCsvErrorKind::EmptyPatientId),
            (8, PatientCsvErrorKind::NotContiguous),
        ]
    );
    let ok: Vec<&str> = items
        .iter()
        .filter_map(|i| i.as_ref().ok())
        .map(|p| p.patient_id.as_str())
        .collect();
    assert_eq!(ok[..3], ["p1", "p2", "p3"]);
    // p2's only row was rejected: it has no principal and no codes.
    let p2 = items
        .iter()
        .filter_map(|i| i.as_ref().ok())
        .find(|p| p.patient_id == "p2")
        .unwrap();
    assert!(p2.principal.is_none() && p2.secondary.is_empty());
    let p1 = items
        .iter()
        .filter_map(|i| i.as_ref().ok())
        .find(|p| p.patient_id == "p1")
        .unwrap();
    assert_eq!(
        p1.secondary.len(),
        0,
        "p1's later rows were all bad or non-contiguous"
    );
}

#[test]
fn rejected_principal_leaves_no_principal() {
    let csv = "patient_id,code\np1,??,\np1,I50.22\n";
    let items: Vec<_> = PatientCsvReader::new(csv.as_bytes()).collect();
    let p1 = items.iter().find_map(|i| i.as_ref().ok()).unwrap();
    assert!(p1.principal.is_none());
    assert_eq!(p1.secondary.len(), 1);
}

#[test]
fn header_is_required() {
    let items: Vec<_> = PatientCsvReader::new("p1,I21.4\n".as_bytes()).collect();
    assert_eq!(items.len(), 1);
    assert_eq!(
        items[0].as_ref().unwrap_err().kind(),
        PatientCsvErrorKind::BadHeader
    );
    let items: Vec<_> = PatientCsvReader::new(&b""[..]).collect();
    assert_eq!(
        items[0].as_ref().unwrap_err().kind(),
        PatientCsvErrorKind::BadHeader
    );
    let mut r = PatientCsvReader::new("code,patient_id\nI10,p9\n".as_bytes());
    let p = r.next().unwrap().unwrap();
    assert_eq!((p.patient_id.as_str(), r.has_poa_column()), ("p9", false));
}

#[test]
fn invalid_utf8_is_an_error_not_a_panic() {
    let bytes = b"patient_id,code,poa\np1,I21.4,Y\n\xff\xfe,E11.9,Y\np2,\xc3\x28,Y\n";
    let items: Vec<_> = PatientCsvReader::new(&bytes[..]).collect();
    let kinds: Vec<PatientCsvErrorKind> = items
        .iter()
        .filter_map(|i| i.as_ref().err())
        .map(|e| e.kind())
        .collect();
    assert!(kinds.contains(&PatientCsvErrorKind::Malformed));
}
