//! Fuzz target: the patient CSV reader (`patient_id,code[,poa]`) and the comorbidity scorer on
//! whatever it yields, plus the DXCCSR CSV loader on the same bytes. Must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use medrec::codes::clinical::{CcsrMap, ComorbidityScorer, PatientCsvReader};

fuzz_target!(|data: &[u8]| {
    let scorer = ComorbidityScorer::new();
    // Half the inputs get a valid header so the row logic is reached.
    let mut input = Vec::with_capacity(data.len() + 24);
    if data.first().is_some_and(|b| b & 1 == 0) {
        input.extend_from_slice(b"patient_id,code,poa\n");
    }
    input.extend_from_slice(data);
    for item in PatientCsvReader::new(&input[..]) {
        if let Ok(p) = item {
            let c = scorer.score_keys(&p.keys(), p.principal.is_some());
            assert!(c.charlson_score <= 29);
        }
    }
    let _ = CcsrMap::from_dxccsr_csv(data, "fuzz");
});
