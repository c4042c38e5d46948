//! Every code of both code sets through SQL equals the `medrec-codes` API.

use datafusion::arrow::array::{Array, AsArray, RecordBatch, StringArray, UInt32Array};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::prelude::{SessionConfig, SessionContext};
use medrec_codes::clinical::CcsrMap;
use medrec_codes::{IcdCmCode, PcsStatus, icd10cm, icd10pcs};
use medrec_datafusion::datafusion;
use medrec_datafusion::register_functions;
use medrec_privacy::PseudonymKey;
use medrec_privacy::text::{Redactor, Replacement};
use std::sync::Arc;

fn context(partitions: usize) -> SessionContext {
    let ctx =
        SessionContext::new_with_config(SessionConfig::new().with_target_partitions(partitions));
    register_functions(&ctx);
    ctx
}

/// Every ICD-10-CM code of the release, each also lower-cased and undotted, plus malformed,
/// unknown and incomplete inputs.
fn cm_inputs() -> Vec<String> {
    let mut v = Vec::new();
    for e in icd10cm().iter() {
        let code = e.code();
        v.push(code.to_string());
        v.push(code.as_undotted().to_ascii_lowercase());
    }
    for bad in [
        "",
        " ",
        "E11.",
        "E1",
        "11.9",
        "E11.9.",
        "ÉLAN",
        "Z99999999",
        "U07.1",
        "S30.1",
        "S30.1XXB",
        "T36.0X1",
        "QA0",
        " e11.9 ",
        "R99",
        "B20",
        "A00-B99",
        "E11.9X",
        "ZZZ",
        "E11..9",
    ] {
        v.push(bad.to_string());
    }
    v
}

async fn table(ctx: &SessionContext, name: &str, values: &[String]) {
    let schema = Arc::new(Schema::new(vec![
        Field::new("i", DataType::UInt32, false),
        Field::new("c", DataType::Utf8, true),
    ]));
    let mut codes: Vec<Option<&str>> = values.iter().map(|s| Some(s.as_str())).collect();
    codes.push(None);
    let ids = UInt32Array::from_iter_values(0..codes.len() as u32);
    let batch = RecordBatch::try_new(
        schema,
        vec![Arc::new(ids), Arc::new(StringArray::from(codes))],
    )
    .unwrap();
    ctx.register_batch(name, batch).unwrap();
}

#[tokio::test]
async fn icd10cm_functions_equal_the_codes_api_for_every_code() {
    let inputs = cm_inputs();
    assert!(inputs.len() > 190_000, "{} inputs", inputs.len());
    let cm = icd10cm();
    let ccsr = CcsrMap::embedded();
    // Utf8 and Utf8View inputs, one and two partitions.
    for (partitions, cast) in [(1, "c"), (2, "arrow_cast(c, 'Utf8View')")] {
        let ctx = context(partitions);
        table(&ctx, "codes", &inputs).await;
        let sql = format!(
            "SELECT i, icd10cm_valid({cast}), icd10cm_billable({cast}), icd10cm_status({cast}), \
             icd10cm_chapter({cast}), icd10cm_title({cast}), icd10cm_normalize({cast}), \
             ccsr_category({cast}) FROM codes ORDER BY i"
        );
        let batches = ctx.sql(&sql).await.unwrap().collect().await.unwrap();
        let mut seen = 0usize;
        let (mut billable, mut titled, mut mapped) = (0, 0, 0);
        for b in &batches {
            let idx = b
                .column(0)
                .as_primitive::<datafusion::arrow::datatypes::UInt32Type>();
            let valid = b.column(1).as_boolean();
            let bill = b.column(2).as_boolean();
            let status = b.column(3).as_string::<i32>();
            let chapter = b
                .column(4)
                .as_primitive::<datafusion::arrow::datatypes::Int32Type>();
            let title = b.column(5).as_string::<i32>();
            let norm = b.column(6).as_string::<i32>();
            let cat = b.column(7).as_string::<i32>();
            for r in 0..b.num_rows() {
                let i = idx.value(r) as usize;
                assert_eq!(i, seen, "row order");
                seen += 1;
                let Some(input) = inputs.get(i) else {
                    // The trailing NULL row: NULL out everywhere.
                    for c in 1..8 {
                        assert!(b.column(c).is_null(r), "NULL in, column {c}");
                    }
                    continue;
                };
                let st = cm.validate(input);
                assert_eq!(valid.value(r), st.is_valid(), "{input:?} valid");
                assert_eq!(bill.value(r), st.is_billable(), "{input:?} billable");
                billable += usize::from(bill.value(r));
                assert_eq!(status.value(r), st.as_str(), "{input:?} status");
                let parsed = IcdCmCode::parse(input).ok();
                let want_chapter = parsed
                    .and_then(|c| cm.chapter_of(&c))
                    .map(|c| i32::from(c.number));
                assert_eq!(
                    chapter.is_valid(r).then(|| chapter.value(r)),
                    want_chapter,
                    "{input:?} chapter"
                );
                let want_title = cm.classify(input).title();
                assert_eq!(
                    title.is_valid(r).then(|| title.value(r)),
                    want_title,
                    "{input:?} title"
                );
                titled += usize::from(title.is_valid(r));
                let want_norm = parsed.map(|c| c.to_string());
                assert_eq!(
                    norm.is_valid(r).then(|| norm.value(r).to_string()),
                    want_norm,
                    "{input:?} normalize"
                );
                let want_cat = ccsr
                    .categories(input)
                    .first()
                    .map(|c| c.as_str().to_string());
                assert_eq!(
                    cat.is_valid(r).then(|| cat.value(r).to_string()),
                    want_cat,
                    "{input:?} ccsr"
                );
                mapped += usize::from(cat.is_valid(r));
            }
        }
        assert_eq!(seen, inputs.len() + 1);
        // Each code twice (dotted and lower-case undotted): 2 × 74,719 billable codes, plus the
        // billable ones among the extra inputs.
        let extra = inputs[2 * cm.len()..]
            .iter()
            .filter(|s| cm.validate(s).is_billable())
            .count();
        assert_eq!(billable, 2 * cm.billable_count() + extra);
        assert!(extra >= 3, "{extra}");
        assert!(titled >= 2 * cm.len(), "{titled}");
        assert!(mapped > 100_000, "{mapped} CCSR-mapped inputs");
    }
}

#[tokio::test]
async fn icd10pcs_valid_equals_the_codes_api_for_every_code() {
    let pcs = icd10pcs();
    let mut inputs: Vec<String> = pcs.iter().map(|(c, _)| c.as_str().to_string()).collect();
    let n = inputs.len();
    // Lower case, one-character changes (mostly unknown), malformed.
    for (c, _) in pcs.iter().step_by(97) {
        inputs.push(c.as_str().to_ascii_lowercase());
        let mut s = c.as_str().to_string();
        s.replace_range(6..7, "Y");
        inputs.push(s);
    }
    for bad in [
        "", "0DTJ4Z", "0DTJ4ZZZ", "0DTJ4ZI", "0DTJ4ZO", "E11.9", "       ",
    ] {
        inputs.push(bad.to_string());
    }
    let ctx = context(2);
    table(&ctx, "pcs", &inputs).await;
    let batches = ctx
        .sql("SELECT i, icd10pcs_valid(c) FROM pcs ORDER BY i")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let mut valid_count = 0;
    let mut rows = 0;
    for b in &batches {
        let idx = b
            .column(0)
            .as_primitive::<datafusion::arrow::datatypes::UInt32Type>();
        let valid = b.column(1).as_boolean();
        for r in 0..b.num_rows() {
            rows += 1;
            let i = idx.value(r) as usize;
            match inputs.get(i) {
                Some(input) => {
                    assert_eq!(
                        valid.value(r),
                        pcs.validate(input) == PcsStatus::Valid,
                        "{input:?}"
                    );
                    valid_count += usize::from(valid.value(r));
                }
                None => assert!(valid.is_null(r)),
            }
        }
    }
    assert_eq!(rows, inputs.len() + 1);
    assert!(
        valid_count >= n,
        "every code of the set is valid: {valid_count} < {n}"
    );
}

const NOTES: &[&str] = &[
    "Patient John Smith (MRN 12345678) seen on 03/14/2023 by Dr. Alice Walker, phone 617-555-0199.",
    "No PHI here: type 2 diabetes mellitus without complications, E11.9.",
    "Lives at 12 Main Street, Springfield, MA 01103; email jsmith@example.com.",
    "",
    "92-year-old male, SSN 123-45-6789, admitted January 2nd 2024.",
];

#[tokio::test]
async fn deid_text_equals_the_redactor() {
    let ctx = context(2);
    let texts: Vec<String> = NOTES.iter().map(|s| s.to_string()).collect();
    table(&ctx, "notes", &texts).await;
    let key = "a-key-of-at-least-16-bytes";
    let batches = ctx
        .sql(&format!(
            "SELECT i, deid_text(c), deid_text(c, '{key}') FROM notes ORDER BY i"
        ))
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let tags = Redactor::builder().build();
    let pseudo = Redactor::builder()
        .replacement(Replacement::Pseudonym(
            PseudonymKey::from_bytes(key.as_bytes().to_vec()).unwrap(),
        ))
        .build();
    let mut checked = 0;
    for b in &batches {
        let idx = b
            .column(0)
            .as_primitive::<datafusion::arrow::datatypes::UInt32Type>();
        let (t, p) = (
            b.column(1).as_string::<i32>(),
            b.column(2).as_string::<i32>(),
        );
        for r in 0..b.num_rows() {
            match texts.get(idx.value(r) as usize) {
                Some(text) => {
                    assert_eq!(t.value(r), tags.redact(text).text);
                    assert_eq!(p.value(r), pseudo.redact(text).text);
                    checked += 1;
                }
                None => assert!(t.is_null(r) && p.is_null(r)),
            }
        }
    }
    assert_eq!(checked, texts.len());
    // The redaction did something: the name and SSN are gone.
    let first = tags.redact(NOTES[0]).text;
    assert!(
        !first.contains("Smith") && !first.contains("12345678"),
        "{first}"
    );
    let err = ctx
        .sql("SELECT deid_text(c, 'short') FROM notes")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("bad key"), "{err}");
}

#[tokio::test]
async fn scalar_arguments_and_bad_types() {
    let ctx = context(1);
    let b = ctx
        .sql("SELECT icd10cm_title('I21.4'), icd10pcs_valid('0DTJ4ZZ'), icd10cm_chapter(NULL)")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    assert_eq!(
        b[0].column(0).as_string::<i32>().value(0),
        icd10cm().classify("I21.4").title().unwrap()
    );
    assert!(b[0].column(1).as_boolean().value(0));
    assert!(b[0].column(2).is_null(0));
    // An integer argument is coerced to a string or rejected at planning, never a panic.
    let r = ctx.sql("SELECT icd10cm_valid(42)").await;
    if let Ok(df) = r {
        let v = df.collect().await.unwrap();
        assert!(!v[0].column(0).as_boolean().value(0));
    }
}
