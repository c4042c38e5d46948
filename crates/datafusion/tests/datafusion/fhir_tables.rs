//! `patients` and `claims` over synth's FHIR exports equal what `medrec-model` reads from the
//! same files (and synth's ground truth); projection pushdown; the streaming scan splits the
//! sources over partitions, hands on bounded batches and gives the same rows as reading the
//! files up front.

use crate::common::{collect, json_files};
use datafusion::arrow::array::{
    Array, AsArray, BooleanArray, Int32Array, Int64Array, RecordBatch, StringArray,
};
use datafusion::arrow::compute::concat_batches;
use datafusion::arrow::datatypes::{Date32Type, TimestampMicrosecondType};
use datafusion::execution::TaskContext;
use datafusion::physical_plan::{ExecutionPlan, collect as collect_plan};
use datafusion::prelude::{SessionConfig, SessionContext};
use jiff::tz::TimeZone;
use medrec_datafusion::claims::{CLAIM_COLUMNS, ClaimTableBuilder};
use medrec_datafusion::datafusion;
use medrec_datafusion::patients::{PATIENT_COLUMNS, PatientTableBuilder};
use medrec_datafusion::scan::FhirScanExec;
use medrec_datafusion::synth::population;
use medrec_datafusion::tables::{
    FhirTable, FhirTableKind, StayTable, read_fhir_record, read_fhir_stays, register_fhir_tables,
    table_batches,
};
use medrec_model::resources::{Claim, Patient, PatientDeceased};
use medrec_model::{NdjsonReader, PatientRecord, Resource};
use medrec_stats::fhir::FhirReadOptions;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

/// A synth population written as a Bulk Data directory and as one Bundle per patient.
struct Exports {
    _dir: tempfile::TempDir,
    bulk: PathBuf,
    bundles: Vec<PathBuf>,
    options: FhirReadOptions,
    pop: medrec_synth::Population,
}

fn exports(patients: u64, seed: u64) -> Exports {
    let pop = population(patients, seed).unwrap();
    let tz = TimeZone::get(&pop.config().time_zone).unwrap();
    let dir = tempfile::tempdir().unwrap();
    pop.write_to(&dir.path().join("bulk"), medrec_synth::Layout::Ndjson)
        .unwrap();
    pop.write_to(&dir.path().join("bundles"), medrec_synth::Layout::Bundle)
        .unwrap();
    let bundles = json_files(&dir.path().join("bundles").join("bundles"));
    Exports {
        bulk: dir.path().join("bulk"),
        bundles,
        options: FhirReadOptions {
            time_zone: tz,
            ..FhirReadOptions::default()
        },
        pop,
        _dir: dir,
    }
}

/// What `medrec-model` reads from the sources, independently of this crate's reader.
fn model_records(sources: &[PathBuf]) -> Vec<PatientRecord> {
    sources
        .iter()
        .map(|s| {
            if s.is_dir() {
                let mut resources = Vec::new();
                let mut files: Vec<_> = std::fs::read_dir(s)
                    .unwrap()
                    .map(|e| e.unwrap().path())
                    .filter(|p| p.extension().is_some_and(|e| e == "ndjson"))
                    .collect();
                files.sort();
                for f in files {
                    let reader =
                        NdjsonReader::new(std::io::BufReader::new(std::fs::File::open(f).unwrap()));
                    resources.extend(reader.map(|r| r.unwrap()));
                }
                PatientRecord::from_resources(resources)
            } else {
                match medrec_model::parse_resource(&std::fs::read(s).unwrap()).unwrap() {
                    Resource::Bundle(b) => PatientRecord::from_bundle(*b),
                    other => PatientRecord::from_resources([other]),
                }
            }
        })
        .collect()
}

fn context(sources: &[PathBuf], options: &FhirReadOptions, partitions: usize) -> SessionContext {
    let ctx =
        SessionContext::new_with_config(SessionConfig::new().with_target_partitions(partitions));
    medrec_datafusion::register_functions(&ctx);
    register_fhir_tables(&ctx, sources, options).unwrap();
    ctx
}

fn one(batches: &[RecordBatch]) -> RecordBatch {
    assert!(!batches.is_empty());
    concat_batches(&batches[0].schema(), batches).unwrap()
}

fn strings(b: &RecordBatch, c: usize) -> Vec<Option<String>> {
    let a = b.column(c).as_string::<i32>();
    (0..b.num_rows())
        .map(|r| a.is_valid(r).then(|| a.value(r).to_string()))
        .collect()
}

fn count(ctx: &SessionContext, table: &str) -> impl std::future::Future<Output = i64> {
    let sql = format!("SELECT count(*) FROM {table}");
    let ctx = ctx.clone();
    async move {
        let b = collect(&ctx, &sql).await;
        b[0].column(0)
            .as_any()
            .downcast_ref::<Int64Array>()
            .unwrap()
            .value(0)
    }
}

#[tokio::test]
async fn patients_equal_medrec_model_and_synth_truth() {
    let ex = exports(300, 5);
    let tz = ex.options.time_zone.clone();
    let truth: HashMap<String, medrec_synth::GeneratedPatient> =
        ex.pop.patients().map(|p| (p.id.clone(), p)).collect();
    for sources in [vec![ex.bulk.clone()], ex.bundles.clone()] {
        let records = model_records(&sources);
        let model: BTreeMap<String, &Patient> = records
            .iter()
            .flat_map(|r| r.all::<Patient>())
            .map(|p| (p.id.clone().unwrap(), p))
            .collect();
        assert_eq!(
            model.len(),
            truth.len(),
            "one Patient per generated patient"
        );
        let ctx = context(&sources, &ex.options, 2);
        assert_eq!(count(&ctx, "patients").await as usize, model.len());
        let b = one(&collect(
            &ctx,
            "SELECT patient_id, mrn, family_name, given_names, gender, birth_date, birth_year, \
                    deceased, deceased_time, city, state, postal_code, managing_organization, active \
             FROM patients ORDER BY patient_id",
        )
        .await);
        assert_eq!(b.num_rows(), model.len());
        let ids = strings(&b, 0);
        let mrn = strings(&b, 1);
        let family = strings(&b, 2);
        let given = strings(&b, 3);
        let gender = strings(&b, 4);
        let birth = b.column(5).as_primitive::<Date32Type>();
        let year = b.column(6).as_any().downcast_ref::<Int32Array>().unwrap();
        let deceased = b.column(7).as_any().downcast_ref::<BooleanArray>().unwrap();
        let died_at = b.column(8).as_primitive::<TimestampMicrosecondType>();
        let (city, state, zip, org) = (
            strings(&b, 9),
            strings(&b, 10),
            strings(&b, 11),
            strings(&b, 12),
        );
        let active = b
            .column(13)
            .as_any()
            .downcast_ref::<BooleanArray>()
            .unwrap();
        let mut deaths = 0;
        for (r, (id, p)) in model.iter().enumerate() {
            assert_eq!(ids[r].as_deref(), Some(id.as_str()));
            // medrec-model's resource, element by element.
            let mr = p.identifier.iter().find(|i| {
                i.type_
                    .as_ref()
                    .is_some_and(|t| t.coding.iter().any(|c| c.code.as_deref() == Some("MR")))
            });
            assert_eq!(mrn[r], mr.and_then(|i| i.value.clone()), "{id}");
            let name = &p.name[0];
            assert_eq!(family[r], name.family.clone(), "{id}");
            let g: Vec<&str> = name.given.iter().flatten().map(String::as_str).collect();
            assert_eq!(given[r].as_deref(), Some(g.join(" ").as_str()), "{id}");
            assert_eq!(gender[r], p.gender.clone(), "{id}");
            let bd = p.birth_date.as_ref().unwrap().date().unwrap();
            assert_eq!(
                birth.value(r),
                medrec_datafusion::tables::date32(bd),
                "{id}"
            );
            assert_eq!(year.value(r), i32::from(bd.year()));
            let want_death = match &p.deceased {
                Some(PatientDeceased::DateTime(dt)) => dt.to_timestamp(&tz),
                _ => None,
            };
            assert_eq!(deceased.value(r), want_death.is_some(), "{id}");
            assert_eq!(
                died_at.is_valid(r).then(|| died_at.value(r)),
                want_death.map(|t| t.as_microsecond()),
                "{id}"
            );
            deaths += usize::from(want_death.is_some());
            let a = &p.address[0];
            assert_eq!(
                (&city[r], &state[r], &zip[r]),
                (&a.city, &a.state, &a.postal_code)
            );
            assert!(org[r].is_some(), "{id}: managing organization");
            assert_eq!(active.is_valid(r).then(|| active.value(r)), p.active);
            // synth's ground truth.
            let t = &truth[id];
            assert_eq!(mrn[r], t.mrn, "{id}");
            assert_eq!(family[r].as_deref(), Some(t.family.as_str()));
            assert_eq!(gender[r].as_deref(), Some(t.sex.code()));
            assert_eq!(
                birth.value(r),
                medrec_datafusion::tables::date32(t.birth_date)
            );
            assert_eq!(
                died_at.is_valid(r).then(|| died_at.value(r)),
                t.deceased.map(|s| s * 1_000_000),
                "{id}"
            );
        }
        assert!(deaths > 0, "the population has deaths to compare");
    }
}

#[tokio::test]
async fn claims_equal_medrec_model_and_agree_with_the_stays() {
    let ex = exports(300, 11);
    let truth: HashMap<String, i64> = ex
        .pop
        .patients()
        .flat_map(|p| p.encounters.into_iter())
        .map(|e| (e.id.clone(), e.total_cents()))
        .collect();
    for sources in [vec![ex.bulk.clone()], ex.bundles.clone()] {
        let records = model_records(&sources);
        let model: BTreeMap<String, &Claim> = records
            .iter()
            .flat_map(|r| r.all::<Claim>())
            .map(|c| (c.id.clone().unwrap(), c))
            .collect();
        assert_eq!(model.len(), truth.len(), "one Claim per encounter");
        let ctx = context(&sources, &ex.options, 3);
        assert_eq!(count(&ctx, "claims").await as usize, model.len());
        let b = one(&collect(
            &ctx,
            "SELECT claim_id, patient_id, encounter_id, status, claim_type, claim_use, \
                    diagnosis_count, procedure_count, item_count, total_cents, currency, \
                    principal_diagnosis, billable_start, billable_end \
             FROM claims ORDER BY claim_id",
        )
        .await);
        assert_eq!(b.num_rows(), model.len());
        let ids = strings(&b, 0);
        let patient = strings(&b, 1);
        let encounter = strings(&b, 2);
        let status = strings(&b, 3);
        let kind = strings(&b, 4);
        let use_ = strings(&b, 5);
        let n = |c: usize| {
            b.column(c)
                .as_any()
                .downcast_ref::<Int32Array>()
                .unwrap()
                .clone()
        };
        let (dx, px, items) = (n(6), n(7), n(8));
        let total = b.column(9).as_any().downcast_ref::<Int64Array>().unwrap();
        let start = b.column(12).as_primitive::<TimestampMicrosecondType>();
        for (r, (id, c)) in model.iter().enumerate() {
            assert_eq!(ids[r].as_deref(), Some(id.as_str()));
            let reference_id = |s: &Option<String>| {
                s.as_deref()
                    .and_then(|s| s.rsplit_once('/'))
                    .map(|(_, id)| id.to_string())
            };
            assert_eq!(
                patient[r],
                reference_id(&c.patient.as_ref().unwrap().reference),
                "{id}"
            );
            let enc = reference_id(&c.item[0].encounter[0].reference);
            assert_eq!(encounter[r], enc, "{id}");
            assert_eq!(status[r], c.status.clone());
            assert_eq!(
                kind[r].as_deref(),
                c.type_.as_ref().unwrap().coding[0].code.as_deref()
            );
            assert_eq!(use_[r], c.use_.clone());
            assert_eq!(dx.value(r) as usize, c.diagnosis.len(), "{id}");
            assert_eq!(px.value(r) as usize, c.procedure.len(), "{id}");
            assert_eq!(items.value(r) as usize, c.item.len(), "{id}");
            // Claim.total is exact decimal text; the column is its cents.
            let text = c.total.as_ref().unwrap().value.as_ref().unwrap().as_str();
            let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
            let cents = whole.parse::<i64>().unwrap() * 100
                + format!("{frac:0<2}")[..2].parse::<i64>().unwrap();
            assert_eq!(total.value(r), cents, "{id}: {text}");
            assert_eq!(
                total.value(r),
                truth[enc.as_deref().unwrap()],
                "{id}: synth truth"
            );
            let s = c.billable_period.as_ref().unwrap().start.as_ref().unwrap();
            assert_eq!(
                start.value(r),
                s.to_timestamp(&ex.options.time_zone)
                    .unwrap()
                    .as_microsecond()
            );
        }
        // The claims agree with the stays medrec-stats reads from the same files.
        let joined = one(&collect(
            &ctx,
            "SELECT count(*) AS n, \
                    sum(CASE WHEN c.total_cents = e.charges_cents THEN 1 ELSE 0 END) AS charges, \
                    sum(CASE WHEN c.principal_diagnosis IS NOT DISTINCT FROM e.principal_diagnosis \
                        THEN 1 ELSE 0 END) AS principal, \
                    sum(CASE WHEN c.patient_id = e.patient_id THEN 1 ELSE 0 END) AS patient, \
                    sum(CASE WHEN c.payer IS NOT DISTINCT FROM e.payer THEN 1 ELSE 0 END) AS payer \
             FROM claims c JOIN encounters e ON c.encounter_id = e.encounter_id",
        )
        .await);
        let v: Vec<i64> = (0..5)
            .map(|i| {
                joined
                    .column(i)
                    .as_primitive::<datafusion::arrow::datatypes::Int64Type>()
                    .value(0)
            })
            .collect();
        assert_eq!(
            v,
            vec![model.len() as i64; 5],
            "n, charges, principal, patient, payer"
        );
    }
}

#[tokio::test]
async fn projection_builds_only_the_asked_columns() {
    let ex = exports(60, 2);
    let (record, problems) = read_fhir_record(&ex.bulk).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    let record = record.unwrap();
    let tz = &ex.options.time_zone;
    // Builders: a projection gives exactly those columns, equal to the full table's.
    let full = {
        let mut b = PatientTableBuilder::new(tz, None, 1 << 20).unwrap();
        let mut out = Vec::new();
        b.push_record(&record, &mut out).unwrap();
        b.finish(&mut out).unwrap();
        one(&out)
    };
    assert_eq!(full.num_columns(), PATIENT_COLUMNS.len());
    let mut b = PatientTableBuilder::new(tz, Some(&[1, 0]), 1 << 20).unwrap();
    let mut out = Vec::new();
    b.push_record(&record, &mut out).unwrap();
    b.finish(&mut out).unwrap();
    let projected = one(&out);
    assert_eq!(projected.num_columns(), 2);
    assert_eq!(projected.schema().field(0).name(), "mrn");
    assert_eq!(projected.column(0), full.column(1));
    assert_eq!(projected.column(1), full.column(0));
    // An empty projection (count(*)) keeps the row count.
    let mut b = ClaimTableBuilder::new(tz, Some(&[]), 7).unwrap();
    let mut out = Vec::new();
    b.push_record(&record, &mut out).unwrap();
    b.finish(&mut out).unwrap();
    let claims = record.all::<Claim>().count();
    assert_eq!(out.iter().map(|b| b.num_rows()).sum::<usize>(), claims);
    assert!(
        out.iter()
            .all(|b| b.num_columns() == 0 && b.num_rows() <= 7)
    );
    assert!(ClaimTableBuilder::new(tz, Some(&[CLAIM_COLUMNS.len()]), 7).is_err());
    // SQL: the scan is asked for the projected columns only.
    let ctx = context(std::slice::from_ref(&ex.bulk), &ex.options, 1);
    for (sql, want) in [
        (
            "SELECT claim_id, total_cents FROM claims",
            "projection=[claim_id, total_cents]",
        ),
        ("SELECT mrn FROM patients", "projection=[mrn]"),
        (
            "SELECT encounter_id FROM encounters",
            "projection=[encounter_id]",
        ),
    ] {
        let plan = collect(&ctx, &format!("EXPLAIN {sql}")).await;
        let text = datafusion::arrow::util::pretty::pretty_format_batches(&plan)
            .unwrap()
            .to_string();
        assert!(
            text.contains("FhirScanExec") && text.contains(want),
            "{text}"
        );
        let b = collect(&ctx, sql).await;
        assert_eq!(b[0].num_columns(), want.matches(',').count() + 1);
    }
}

/// The FhirScanExec of a physical plan.
fn find_scan(plan: &Arc<dyn ExecutionPlan>) -> Option<Arc<dyn ExecutionPlan>> {
    if plan.downcast_ref::<FhirScanExec>().is_some() {
        return Some(Arc::clone(plan));
    }
    plan.children().into_iter().find_map(find_scan)
}

#[tokio::test]
async fn a_two_partition_scan_splits_the_files_and_streams_bounded_batches() {
    let ex = exports(120, 8);
    let files = ex.bundles.clone();
    assert!(files.len() >= 120);
    let tz = ex.options.time_zone.clone();
    // What reading every file up front gives.
    let mut stays = Vec::new();
    for f in &files {
        stays.extend(read_fhir_stays(f, &ex.options).unwrap().0);
    }
    let upfront = one(&table_batches(StayTable::Encounters, &stays, &tz));

    let ctx = SessionContext::new_with_config(
        SessionConfig::new()
            .with_target_partitions(2)
            .with_batch_size(16),
    );
    let table = Arc::new(FhirTable::new(
        StayTable::Encounters,
        files.clone(),
        ex.options.clone(),
    ));
    ctx.register_table("encounters", table.clone()).unwrap();
    let df = ctx
        .sql("SELECT encounter_id, patient_id, charges_cents FROM encounters")
        .await
        .unwrap();
    let plan = df.create_physical_plan().await.unwrap();
    let scan = find_scan(&plan).expect("a FhirScanExec in the plan");
    let exec = scan.downcast_ref::<FhirScanExec>().unwrap();
    assert_eq!(exec.kind(), FhirTableKind::Stay(StayTable::Encounters));
    let groups = exec.file_groups().to_vec();
    assert_eq!(groups.len(), 2);
    assert_eq!(scan.properties().partitioning.partition_count(), 2);
    let (a, b): (BTreeSet<_>, BTreeSet<_>) =
        (groups[0].iter().collect(), groups[1].iter().collect());
    assert!(a.is_disjoint(&b), "each file in one partition");
    assert!(a.len().abs_diff(b.len()) <= 1, "{} vs {}", a.len(), b.len());
    assert_eq!(a.len() + b.len(), files.len());

    // Each partition reads its own files only, in batches of at most the session's batch size.
    let task: Arc<TaskContext> = ctx.task_ctx();
    let mut all_ids = Vec::new();
    for (p, group) in groups.iter().enumerate() {
        let batches =
            datafusion::physical_plan::common::collect(scan.execute(p, Arc::clone(&task)).unwrap())
                .await
                .unwrap();
        assert!(
            batches.len() > 1,
            "partition {p} streamed {} batches",
            batches.len()
        );
        assert!(batches.iter().all(|b| b.num_rows() <= 16));
        let mut want = Vec::new();
        for f in group {
            want.extend(
                read_fhir_stays(f, &ex.options)
                    .unwrap()
                    .0
                    .into_iter()
                    .map(|s| s.encounter_id),
            );
        }
        let got: Vec<String> = batches
            .iter()
            .flat_map(|b| strings(b, 0))
            .map(Option::unwrap)
            .collect();
        assert_eq!(got, want, "partition {p}: its files, in order");
        all_ids.extend(got);
    }
    assert_eq!(all_ids.len(), upfront.num_rows());

    // The query's rows are those of reading everything up front.
    let result = one(&collect_plan(plan, ctx.task_ctx()).await.unwrap());
    let rows =
        |b: &RecordBatch, c: (usize, usize, usize)| -> BTreeSet<(String, String, Option<i64>)> {
            let e = b
                .column(c.0)
                .as_any()
                .downcast_ref::<StringArray>()
                .unwrap();
            let p = b
                .column(c.1)
                .as_any()
                .downcast_ref::<StringArray>()
                .unwrap();
            let ch = b.column(c.2).as_any().downcast_ref::<Int64Array>().unwrap();
            (0..b.num_rows())
                .map(|r| {
                    (
                        e.value(r).to_string(),
                        p.value(r).to_string(),
                        ch.is_valid(r).then(|| ch.value(r)),
                    )
                })
                .collect()
        };
    let schema = upfront.schema();
    let idx = |n: &str| schema.index_of(n).unwrap();
    assert_eq!(
        rows(&result, (0, 1, 2)),
        rows(
            &upfront,
            (idx("encounter_id"), idx("patient_id"), idx("charges_cents"))
        )
    );
    assert_eq!(result.num_rows(), upfront.num_rows());
    assert!(table.problems().is_empty(), "{:?}", table.problems());

    // A LIMIT is honoured (and stops the reading early).
    let b = collect(&ctx, "SELECT encounter_id FROM encounters LIMIT 5").await;
    assert_eq!(b.iter().map(|b| b.num_rows()).sum::<usize>(), 5);
}

#[tokio::test]
async fn every_fhir_table_reads_the_same_sources_with_one_or_three_partitions() {
    let ex = exports(80, 21);
    let mut counts = Vec::new();
    for partitions in [1, 3] {
        let ctx = context(&ex.bundles, &ex.options, partitions);
        let mut c = Vec::new();
        for t in FhirTableKind::ALL {
            c.push((t.name(), count(&ctx, t.name()).await));
        }
        counts.push(c);
    }
    assert_eq!(counts[0], counts[1]);
    assert!(counts[0].iter().all(|(_, n)| *n > 0), "{:?}", counts[0]);
}

#[tokio::test]
async fn sources_are_read_while_the_query_runs_and_only_as_far_as_needed() {
    let ex = exports(40, 4);
    let missing = ex.bulk.join("no-such-file.ndjson");
    let mut files = ex.bundles.clone();
    files.push(missing.clone());
    let ctx = SessionContext::new_with_config(
        SessionConfig::new()
            .with_target_partitions(1)
            .with_batch_size(1),
    );
    for t in [
        FhirTableKind::Stay(StayTable::Encounters),
        FhirTableKind::Claims,
    ] {
        ctx.register_table(
            t.name(),
            Arc::new(FhirTable::new(t, files.clone(), ex.options.clone())),
        )
        .unwrap();
    }
    // Planning reads nothing: a plan over a missing source is made, its execution fails.
    let df = ctx.sql("SELECT claim_id FROM claims").await.unwrap();
    let plan = df.create_physical_plan().await.unwrap();
    let err = collect_plan(plan, ctx.task_ctx()).await.unwrap_err();
    assert!(err.to_string().contains("no-such-file.ndjson"), "{err}");
    // A LIMIT met from the first sources never reaches the missing last one (the reader runs
    // at most a couple of one-row batches ahead of the query).
    for sql in [
        "SELECT encounter_id FROM encounters LIMIT 3",
        "SELECT claim_id, total_cents FROM claims LIMIT 3",
    ] {
        let b = collect(&ctx, sql).await;
        assert_eq!(b.iter().map(|b| b.num_rows()).sum::<usize>(), 3, "{sql}");
    }
}
