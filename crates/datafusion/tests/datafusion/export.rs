//! Parquet out: de-identified, classified tables.

use crate::common::collect;
use datafusion::arrow::array::{Array, AsArray};
use datafusion::datasource::MemTable;
use datafusion::prelude::{ParquetReadOptions, SessionContext};
use jiff::tz::TimeZone;
use medrec_codes::icd10cm;
use medrec_datafusion::datafusion;
use medrec_datafusion::export::write_deidentified;
use medrec_datafusion::synth::{patient_stays, population};
use medrec_datafusion::tables::{StayTable, table_batches};
use medrec_stats::Stay;
use std::collections::HashSet;
use std::sync::Arc;

#[tokio::test]
async fn deidentified_classified_parquet() {
    let pop = population(500, 5).unwrap();
    let tz = TimeZone::get(&pop.config().time_zone).unwrap();
    let stays: Vec<Stay> = patient_stays(&pop).flatten().collect();
    let ctx = SessionContext::new();
    medrec_datafusion::register_functions(&ctx);
    for t in [StayTable::Encounters, StayTable::Diagnoses] {
        let batches = table_batches(t, &stays, &tz);
        let table = MemTable::try_new(t.schema(&tz), vec![batches]).unwrap();
        ctx.register_table(t.name(), Arc::new(table)).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let key = "0123456789abcdef-secret";
    write_deidentified(&ctx, dir.path(), key).await.unwrap();
    assert!(write_deidentified(&ctx, dir.path(), "short").await.is_err());

    let out = SessionContext::new();
    for t in ["encounters_deidentified", "diagnoses_classified"] {
        out.register_parquet(
            t,
            &format!("{}/", dir.path().join(t).display()),
            ParquetReadOptions::default(),
        )
        .await
        .unwrap();
    }
    let enc = collect(&out, "SELECT encounter_key, patient_key, admit_year, principal_diagnosis FROM encounters_deidentified").await;
    let rows: usize = enc.iter().map(|b| b.num_rows()).sum();
    assert_eq!(rows, stays.len());
    let raw_ids: HashSet<&str> = stays
        .iter()
        .flat_map(|s| [s.encounter_id.as_str(), s.patient_id.as_str()])
        .collect();
    let mut keys = HashSet::new();
    for b in &enc {
        for r in 0..b.num_rows() {
            let (e, p) = (
                b.column(0).as_string::<i32>().value(r),
                b.column(1).as_string::<i32>().value(r),
            );
            assert!(
                !raw_ids.contains(e) && !raw_ids.contains(p),
                "raw identifier written"
            );
            assert_eq!(e.len(), 20);
            keys.insert(e.to_string());
            let year = b
                .column(2)
                .as_primitive::<datafusion::arrow::datatypes::Int32Type>()
                .value(r);
            assert!((2020..=2030).contains(&year), "{year}");
        }
    }
    assert_eq!(keys.len(), stays.len(), "one pseudonym per encounter");
    let dx = collect(
        &out,
        "SELECT encounter_key, code, billable, chapter, ccsr_category FROM diagnoses_classified",
    )
    .await;
    let n_dx: usize = stays.iter().map(|s| s.diagnoses.len()).sum();
    assert_eq!(dx.iter().map(|b| b.num_rows()).sum::<usize>(), n_dx);
    let cm = icd10cm();
    for b in &dx {
        for r in 0..b.num_rows() {
            assert!(
                keys.contains(b.column(0).as_string::<i32>().value(r)),
                "diagnosis joins an encounter"
            );
            let code = b.column(1).as_string::<i32>().value(r);
            assert_eq!(
                b.column(2).as_boolean().value(r),
                cm.validate(code).is_billable(),
                "{code}"
            );
            let ch = b
                .column(3)
                .as_primitive::<datafusion::arrow::datatypes::Int32Type>();
            let want = code
                .parse()
                .ok()
                .and_then(|c| cm.chapter_of(&c))
                .map(|c| i32::from(c.number));
            assert_eq!(ch.is_valid(r).then(|| ch.value(r)), want);
        }
    }
    // Stable pseudonyms: the same key gives the same encounter keys.
    let again = tempfile::tempdir().unwrap();
    write_deidentified(&ctx, again.path(), key).await.unwrap();
    let out2 = SessionContext::new();
    out2.register_parquet(
        "e",
        &format!(
            "{}/",
            again.path().join("encounters_deidentified").display()
        ),
        ParquetReadOptions::default(),
    )
    .await
    .unwrap();
    let enc2 = collect(&out2, "SELECT encounter_key FROM e").await;
    let keys2: HashSet<String> = enc2
        .iter()
        .flat_map(|b| {
            (0..b.num_rows())
                .map(|r| b.column(0).as_string::<i32>().value(r).to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(keys, keys2);
}
