//! Every code the generator emits as correct is valid and billable in the real tables; every
//! deliberate error is what it claims to be.

use crate::shared_data;
use medrec_synth::coding;
use std::collections::BTreeMap;
use std::io::Read;

fn cm_order() -> Option<BTreeMap<String, (bool, String)>> {
    let dir = shared_data()?;
    let text = std::fs::read(dir.join("icd10cm/icd10cm_order_2025.txt")).expect("order file");
    let text = String::from_utf8_lossy(&text);
    let mut map = BTreeMap::new();
    for line in text.lines() {
        if line.len() < 16 {
            continue;
        }
        let code = line[6..13].trim().to_string();
        let billable = &line[14..15] == "1";
        let title = line.get(77..).unwrap_or("").trim().to_string();
        map.insert(code, (billable, title));
    }
    Some(map)
}

#[test]
fn correct_diagnosis_codes_are_valid_and_billable() {
    let Some(order) = cm_order() else { return };
    for code in coding::all_diagnosis_codes() {
        let key = code.replace('.', "");
        match order.get(&key) {
            Some((true, _)) => {}
            other => panic!("{code}: {other:?}"),
        }
    }
}

#[test]
fn error_codes_are_errors() {
    let Some(order) = cm_order() else { return };
    for (code, what) in coding::error_codes() {
        let key = code.replace('.', "");
        let entry = order.get(&key);
        match what {
            "invalid" => assert!(entry.is_none(), "{code} exists"),
            "manifestation" => {
                let (billable, title) = entry.unwrap_or_else(|| panic!("{code} missing"));
                assert!(*billable, "{code}");
                assert!(
                    title.contains("in diseases classified elsewhere")
                        || title.contains("in other diseases classified elsewhere"),
                    "{code}: {title}"
                );
            }
            _ => assert!(entry.is_some_and(|e| e.0), "{code} not billable"),
        }
    }
}

#[test]
fn procedure_codes_exist_in_pcs() {
    let Some(dir) = shared_data() else { return };
    let f = std::fs::File::open(dir.join("icd10cm/icd10pcs_codes_2024.txt.gz")).expect("pcs file");
    let mut text = String::new();
    flate2::read::GzDecoder::new(f)
        .read_to_string(&mut text)
        .expect("gzip");
    let codes: std::collections::BTreeSet<&str> = text.lines().filter_map(|l| l.get(..7)).collect();
    for code in coding::all_procedure_codes() {
        assert!(
            codes.contains(code),
            "{code} is not an ICD-10-PCS FY2024 code"
        );
    }
}
