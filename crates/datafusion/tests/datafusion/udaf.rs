//! `elixhauser` / `charlson` grouped by patient equal `ComorbidityScorer`.

use datafusion::arrow::array::{AsArray, RecordBatch, StringArray, StructArray};
use datafusion::arrow::datatypes::{DataType, Field, Int32Type, Schema};
use datafusion::prelude::{SessionConfig, SessionContext};
use medrec_codes::clinical::{ComorbidityScorer, Poa};
use medrec_codes::icd10cm;
use medrec_datafusion::datafusion;
use medrec_datafusion::register_functions;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A small deterministic generator (SplitMix64).
struct Mix(u64);
impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn struct_list(s: &StructArray, col: usize, row: usize) -> Vec<String> {
    let l = s.column(col).as_list::<i32>().value(row);
    l.as_string::<i32>()
        .iter()
        .map(|v| v.unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn comorbidity_aggregates_equal_the_scorer() {
    // Codes that hit comorbidity measures (chapters of chronic disease) plus random ones.
    let billable: Vec<String> = icd10cm()
        .iter()
        .filter(|e| e.is_billable())
        .map(|e| e.code().to_string())
        .collect();
    let hot: Vec<&String> = billable
        .iter()
        .filter(|c| {
            [
                "I50", "E11", "N18", "C78", "I21", "J44", "F32", "K70", "B20", "G30", "I10", "E66",
            ]
            .iter()
            .any(|p| c.replace('.', "").starts_with(p))
        })
        .collect();
    assert!(hot.len() > 100);
    let poas = ["Y", "N", "U", "W", "1", "", "y", "garbage"];
    let mut rng = Mix(11);
    let mut patients: BTreeMap<String, Vec<(String, Option<&str>)>> = BTreeMap::new();
    let (mut pid, mut code, mut poa) = (Vec::new(), Vec::new(), Vec::new());
    for p in 0..3000 {
        let id = format!("p{p:05}");
        let n = rng.below(12);
        for _ in 0..n {
            let c = if rng.below(3) == 0 {
                billable[rng.below(billable.len())].clone()
            } else {
                hot[rng.below(hot.len())].clone()
            };
            let c = if rng.below(5) == 0 {
                c.replace('.', "").to_lowercase()
            } else {
                c
            };
            let pa = if rng.below(10) == 0 {
                None
            } else {
                Some(poas[rng.below(poas.len())])
            };
            patients
                .entry(id.clone())
                .or_default()
                .push((c.clone(), pa));
            pid.push(id.clone());
            code.push(c);
            poa.push(pa);
        }
        if n == 0 {
            // A patient with only a NULL code still gets a row (no measures, scores 0).
            patients.entry(id.clone()).or_default();
            pid.push(id.clone());
            code.push(String::new());
            poa.push(None);
        }
    }
    let codes: Vec<Option<&str>> = code
        .iter()
        .map(|c| (!c.is_empty()).then_some(c.as_str()))
        .collect();
    let schema = Arc::new(Schema::new(vec![
        Field::new("patient_id", DataType::Utf8, false),
        Field::new("code", DataType::Utf8, true),
        Field::new("poa", DataType::Utf8, true),
    ]));
    let batch = RecordBatch::try_new(
        schema,
        vec![
            Arc::new(StringArray::from(pid)),
            Arc::new(StringArray::from(codes)),
            Arc::new(StringArray::from(poa)),
        ],
    )
    .unwrap();
    // Split into several batches so that partial aggregates merge.
    let parts: Vec<RecordBatch> = (0..batch.num_rows())
        .step_by(997)
        .map(|o| batch.slice(o, 997.min(batch.num_rows() - o)))
        .collect();
    let scorer = ComorbidityScorer::new();
    for partitions in [1, 3] {
        let ctx = SessionContext::new_with_config(
            SessionConfig::new()
                .with_target_partitions(partitions)
                .with_batch_size(512),
        );
        register_functions(&ctx);
        let table = datafusion::datasource::MemTable::try_new(
            parts[0].schema(),
            parts.iter().map(|b| vec![b.clone()]).collect(),
        )
        .unwrap();
        ctx.register_table("dx", Arc::new(table)).unwrap();
        let out = ctx
            .sql("SELECT patient_id, elixhauser(code, poa), charlson(code) FROM dx GROUP BY patient_id ORDER BY patient_id")
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
        let mut rows = 0;
        let mut nonzero = 0;
        for b in &out {
            let ids = b.column(0).as_string::<i32>();
            let e = b.column(1).as_struct();
            let c = b.column(2).as_struct();
            for r in 0..b.num_rows() {
                rows += 1;
                let dx = &patients[ids.value(r)];
                let want = scorer.score(
                    None,
                    dx.iter()
                        .map(|(c, p)| (c.as_str(), p.and_then(Poa::parse).unwrap_or(Poa::Missing))),
                );
                let names: Vec<String> = want
                    .elixhauser
                    .iter()
                    .map(|m| m.name().to_string())
                    .collect();
                assert_eq!(struct_list(e, 0, r), names, "{}", ids.value(r));
                assert_eq!(
                    e.column(1).as_primitive::<Int32Type>().value(r),
                    want.elixhauser_mortality
                );
                assert_eq!(
                    e.column(2).as_primitive::<Int32Type>().value(r),
                    want.elixhauser_readmission
                );
                let cnames: Vec<String> =
                    want.charlson.iter().map(|m| m.name().to_string()).collect();
                assert_eq!(struct_list(c, 0, r), cnames);
                assert_eq!(
                    c.column(1).as_primitive::<Int32Type>().value(r) as u32,
                    want.charlson_score
                );
                assert_eq!(
                    c.column(2).as_primitive::<Int32Type>().value(r) as u32,
                    want.charlson_score_quan2011
                );
                nonzero += usize::from(want.charlson_score > 0);
            }
        }
        assert_eq!(rows, patients.len());
        assert!(nonzero > 1000, "{nonzero} patients with a Charlson score");
    }
}

#[tokio::test]
async fn struct_fields_are_addressable_in_sql() {
    let ctx = SessionContext::new();
    register_functions(&ctx);
    let out = ctx
        .sql("SELECT charlson(c)['score'] AS s, elixhauser(c, 'Y')['mortality_index'] AS m FROM (VALUES ('I21.4'), ('I50.22'), ('E11.22'), ('N18.4')) AS t(c)")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let want = ComorbidityScorer::new().score(
        None,
        [
            ("I21.4", Poa::Y),
            ("I50.22", Poa::Y),
            ("E11.22", Poa::Y),
            ("N18.4", Poa::Y),
        ],
    );
    assert_eq!(
        out[0].column(0).as_primitive::<Int32Type>().value(0) as u32,
        want.charlson_score
    );
    assert_eq!(
        out[0].column(1).as_primitive::<Int32Type>().value(0),
        want.elixhauser_mortality
    );
    assert!(want.charlson_score >= 4);
}
