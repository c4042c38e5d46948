//! CCSR: the embedded v2023.1 category-1 map and the DXCCSR CSV loader.

use medrec_codes::clinical::{
    BodySystem, CcsrCategory, CcsrLoadErrorKind, CcsrMap, ccsr_categories,
};

use super::shared_data;

#[test]
fn embedded_map_matches_the_source_json() {
    let map = CcsrMap::embedded();
    assert_eq!(map.len(), 74_549);
    assert_eq!(map.all_categories().len(), 515);
    // Every category id names one of the 22 body systems.
    for c in map.all_categories() {
        assert!(c.body_system().is_some(), "{c}");
    }
    assert_eq!(
        map.default_inpatient("E11.9"),
        None,
        "the embedded map has no defaults"
    );
    assert_eq!(ccsr_categories("e11.9"), ["END002"]);
    assert!(ccsr_categories("not a code").is_empty());
    let Some(data) = shared_data() else { return };
    let j: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(data.join("maps/ccsr/dxccsr_v2023_1_category1_by_icd10cm.json"))
            .unwrap(),
    )
    .unwrap();
    for (code, cat) in j.as_object().unwrap() {
        assert_eq!(
            map.categories(code)
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>(),
            [cat.as_str().unwrap()],
            "{code}"
        );
    }
}

#[test]
fn body_systems_are_the_22_ccsr_domains() {
    assert_eq!(BodySystem::ALL.len(), 22);
    for b in BodySystem::ALL {
        assert_eq!(BodySystem::from_abbreviation(b.abbreviation()), Some(b));
    }
    assert_eq!(
        CcsrCategory::parse("cir019").unwrap().body_system(),
        Some(BodySystem::Circulatory)
    );
    assert_eq!(CcsrCategory::parse("XXX000").unwrap().body_system(), None);
    assert!(CcsrCategory::parse("CIR19").is_none());
}

/// A small file in the published DXCCSR layout (18 columns, values in single quotes).
const DXCCSR: &str = "\
'ICD-10-CM CODE','ICD-10-CM CODE DESCRIPTION','Default CCSR CATEGORY IP','Default CCSR CATEGORY DESCRIPTION IP','Default CCSR CATEGORY OP','Default CCSR CATEGORY DESCRIPTION OP','CCSR CATEGORY 1','CCSR CATEGORY 1 DESCRIPTION','CCSR CATEGORY 2','CCSR CATEGORY 2 DESCRIPTION','CCSR CATEGORY 3','CCSR CATEGORY 3 DESCRIPTION','CCSR CATEGORY 4','CCSR CATEGORY 4 DESCRIPTION','CCSR CATEGORY 5','CCSR CATEGORY 5 DESCRIPTION','CCSR CATEGORY 6','CCSR CATEGORY 6 DESCRIPTION'
'E1122','Type 2 diabetes mellitus with diabetic chronic kidney disease','END003','Diabetes mellitus with complication','END003','Diabetes mellitus with complication','END003','Diabetes mellitus with complication','GEN003','Chronic kidney disease',' ',' ',' ',' ',' ',' ',' ',' '
\"'A000'\",\"'Cholera due to Vibrio cholerae 01, biovar cholerae'\",'DIG001','Intestinal infection','DIG001','Intestinal infection','DIG001','Intestinal infection','INF003','Bacterial infections',' ',' ',' ',' ',' ',' ',' ',' '
'V0001XA',\"'Pedestrian injured in collision with roller-skater, initial encounter'\",'XXX000','No default','EXT001','External cause','EXT001','External cause',' ',' ',' ',' ',' ',' ',' ',' ',' ',' '
'E1','bad code row','END002','x','END002','x','END002','x',' ',' ',' ',' ',' ',' ',' ',' ',' ',' '
'E119','bad category row','END02','x','END002','x','END002','x',' ',' ',' ',' ',' ',' ',' ',' ',' ',' '
";

#[test]
fn loads_the_full_dxccsr_csv_layout() {
    let map = CcsrMap::from_dxccsr_csv(DXCCSR.as_bytes(), "v2023.1 test").unwrap();
    assert_eq!(map.len(), 3);
    let cats: Vec<&str> = map
        .categories("E11.22")
        .iter()
        .map(|c| c.as_str())
        .collect();
    assert_eq!(cats, ["END003", "GEN003"]);
    assert_eq!(map.default_inpatient("E1122").unwrap().as_str(), "END003");
    assert_eq!(map.default_outpatient("A00.0").unwrap().as_str(), "DIG001");
    assert_eq!(map.categories("A000").len(), 2);
    assert_eq!(
        map.default_inpatient("V00.01XA").unwrap().as_str(),
        "XXX000"
    );
    assert_eq!(
        map.title(CcsrCategory::parse("GEN003").unwrap()),
        Some("Chronic kidney disease")
    );
    assert_eq!(map.version(), "v2023.1 test");
    let skipped: Vec<u64> = map.skipped().iter().map(|e| e.line()).collect();
    assert_eq!(skipped, [5, 6]);
    assert!(
        map.skipped()
            .iter()
            .all(|e| e.kind() == CcsrLoadErrorKind::BadRow)
    );
}

#[test]
fn dxccsr_loader_rejects_a_bad_header_and_survives_garbage() {
    let e = CcsrMap::from_dxccsr_csv("code,category\nE119,END002\n".as_bytes(), "x").unwrap_err();
    assert_eq!(e.kind(), CcsrLoadErrorKind::BadHeader);
    assert_eq!(
        CcsrMap::from_dxccsr_csv(&b""[..], "x").unwrap_err().kind(),
        CcsrLoadErrorKind::BadHeader
    );
    let mut garbage = DXCCSR.as_bytes()[..400].to_vec();
    garbage.extend_from_slice(&[0xff, 0xfe, b'"', b'\n', b'\'', 0]);
    let _ = CcsrMap::from_dxccsr_csv(&garbage[..], "x");
}
