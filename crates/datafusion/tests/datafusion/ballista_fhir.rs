//! The FHIR tables on a Ballista cluster: the plan codec round-trips `FhirTable` and
//! `FhirScanExec` (and hands everything else to Ballista's), and a cluster started by
//! `scripts/ballista-cluster` (scheduler + two executors, separate processes on 127.0.0.1)
//! runs the census, period statistics and table queries straight over synthetic FHIR NDJSON
//! files with the same answers as single-process DataFusion and `medrec-stats`.
//!
//! `MEDREC_BALLISTA_FHIR_PATIENTS` sets the number of generated patients (default 2,000 ≈
//! 2,700 encounters in 12 files). Kept small for the suite's time: a FHIR table parses its
//! files on every scan, and the census and period views scan `census_segments` several times
//! each, on both engines. The ≥ 1 M-encounter cluster test is `ballista.rs`, over Parquet.

use crate::common::*;
use datafusion::arrow::array::{Array, Int64Array};
use datafusion::arrow::util::pretty::pretty_format_batches;
use datafusion::datasource::memory::MemorySourceConfig;
use datafusion::datasource::source::DataSourceExec;
use datafusion::execution::TaskContext;
use datafusion::physical_plan::{
    ChildrenPropertiesMode, ExecutionPlan, ReplaceChildrenOptions, collect as collect_plan,
    collect_partitioned, displayable,
};
use datafusion::prelude::{SessionConfig, SessionContext};
use datafusion_proto::bytes::{
    logical_plan_from_bytes_with_extension_codec, logical_plan_to_bytes_with_extension_codec,
    physical_plan_from_bytes_with_extension_codec, physical_plan_to_bytes_with_extension_codec,
};
use datafusion_proto::logical_plan::LogicalExtensionCodec;
use jiff::tz::TimeZone;
use medrec_datafusion::census::register_census_views;
use medrec_datafusion::cluster::remote_context;
use medrec_datafusion::codec::{
    FhirLogicalCodec, FhirPhysicalCodec, decode_fhir_scan, decode_fhir_table, encode_fhir_scan,
    encode_fhir_table,
};
use medrec_datafusion::datafusion;
use medrec_datafusion::scan::FhirScanExec;
use medrec_datafusion::synth::population;
use medrec_datafusion::tables::{
    FhirTable, FhirTableKind, StayTable, read_fhir_stays, register_fhir_tables,
};
use medrec_stats::fhir::FhirReadOptions;
use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

/// A synth population written as `files` NDJSON files, households dealt round robin; each
/// file is a complete multi-patient record (the facilities' Organization / Location resources
/// first, so references resolve within the file). Returns the files and the encounter count.
fn write_ndjson_files(
    pop: &medrec_synth::Population,
    dir: &Path,
    files: usize,
) -> (Vec<PathBuf>, usize) {
    std::fs::create_dir_all(dir).unwrap();
    let paths: Vec<PathBuf> = (0..files)
        .map(|i| dir.join(format!("part-{i:03}.ndjson")))
        .collect();
    let mut writers: Vec<_> = paths
        .iter()
        .map(|p| std::io::BufWriter::new(std::fs::File::create(p).unwrap()))
        .collect();
    let line = |w: &mut std::io::BufWriter<std::fs::File>, r: &medrec_model::Resource| {
        serde_json::to_writer(&mut *w, r).unwrap();
        w.write_all(b"\n").unwrap();
    };
    for w in &mut writers {
        for r in pop.facility_resources() {
            line(w, &r);
        }
    }
    let mut encounters = 0;
    for (i, household) in pop.households().enumerate() {
        let w = &mut writers[i % files];
        for patient in &household.patients {
            encounters += patient.encounters.len();
            for r in pop.patient_resources(patient) {
                line(w, &r);
            }
        }
    }
    for w in writers {
        w.into_inner().unwrap().sync_all().unwrap();
    }
    (paths, encounters)
}

fn options_for(pop: &medrec_synth::Population) -> FhirReadOptions {
    FhirReadOptions {
        time_zone: TimeZone::get(&pop.config().time_zone).unwrap(),
        ..FhirReadOptions::default()
    }
}

fn local_context(
    files: &[PathBuf],
    options: &FhirReadOptions,
    partitions: usize,
) -> SessionContext {
    let ctx =
        SessionContext::new_with_config(SessionConfig::new().with_target_partitions(partitions));
    medrec_datafusion::register_functions(&ctx);
    register_fhir_tables(&ctx, files, options).unwrap();
    ctx
}

fn pretty(batches: &[datafusion::arrow::array::RecordBatch]) -> String {
    pretty_format_batches(batches).unwrap().to_string()
}

/// The scans of a physical plan (depth first).
fn fhir_scans(plan: &Arc<dyn ExecutionPlan>, out: &mut Vec<Arc<dyn ExecutionPlan>>) {
    if plan.downcast_ref::<FhirScanExec>().is_some() {
        out.push(Arc::clone(plan));
    }
    for c in plan.children() {
        fhir_scans(c, out);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plan_codec_round_trips_fhir_tables_and_scans() {
    let pop = population(60, 11).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (files, _) = write_ndjson_files(&pop, dir.path(), 3);
    let options = options_for(&pop);
    let ctx = local_context(&files, &options, 2);
    let logical_codec = FhirLogicalCodec::default();
    let physical_codec = FhirPhysicalCodec::default();
    let task = ctx.task_ctx();

    // Table: every kind, every file, the time zone and options survive.
    for kind in FhirTableKind::ALL {
        let table = FhirTable::new(kind, files.clone(), options.clone());
        let mut buf = Vec::new();
        encode_fhir_table(&table, &mut buf).unwrap();
        let back = decode_fhir_table(&buf).expect("a FHIR table").unwrap();
        assert_eq!(back.kind(), kind);
        assert_eq!(back.files(), files.as_slice());
        assert_eq!(
            back.options().time_zone.iana_name(),
            options.time_zone.iana_name()
        );
        assert_eq!(back.options().ccsr_groups, options.ccsr_groups);
        // Through the codec trait, with the plan's schema checked.
        let provider: Arc<dyn datafusion::catalog::TableProvider> = Arc::new(table);
        let mut buf2 = Vec::new();
        logical_codec
            .try_encode_table_provider(&kind.name().into(), Arc::clone(&provider), &mut buf2)
            .unwrap();
        assert_eq!(buf, buf2);
        let schema = provider.schema();
        let back = logical_codec
            .try_decode_table_provider(&buf2, &kind.name().into(), schema, &task)
            .unwrap();
        assert_eq!(back.schema(), provider.schema());
        // A plan schema that is not this build's is refused (version skew), not misread.
        let other = FhirTableKind::ALL
            .into_iter()
            .find(|k| k.schema(&options.time_zone) != provider.schema())
            .unwrap();
        let err = logical_codec
            .try_decode_table_provider(
                &buf2,
                &kind.name().into(),
                other.schema(&options.time_zone),
                &task,
            )
            .unwrap_err();
        assert!(err.to_string().contains("schema differs"), "{err}");
    }
    // Any path travels as it is (on Unix, a path need not be UTF-8).
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let odd = PathBuf::from(std::ffi::OsStr::from_bytes(b"/shared/caf\xe9/p\xff.ndjson"));
        let table = FhirTable::new(StayTable::Encounters, vec![odd.clone()], options.clone());
        let mut buf = Vec::new();
        encode_fhir_table(&table, &mut buf).unwrap();
        assert_eq!(decode_fhir_table(&buf).unwrap().unwrap().files(), &[odd]);
    }
    // Not a FHIR node: handed on (and the wrapped codec's error kept).
    assert!(decode_fhir_table(b"\x0a\x03abc").is_none());
    let sources = medrec_datafusion::scan::source_list(std::slice::from_ref(&files)).unwrap();
    assert!(decode_fhir_scan(b"\x0a\x03abc", sources).is_none());
    // A truncated node is an error, not a panic.
    let mut buf = Vec::new();
    encode_fhir_table(
        &FhirTable::new(StayTable::Encounters, files.clone(), options.clone()),
        &mut buf,
    )
    .unwrap();
    assert!(decode_fhir_table(&buf[..buf.len() - 3]).unwrap().is_err());
    // A time zone executors could not rebuild is refused when encoding.
    let posix = FhirReadOptions {
        time_zone: TimeZone::posix("EST5EDT,M3.2.0,M11.1.0").unwrap(),
        ..FhirReadOptions::default()
    };
    let err = encode_fhir_table(
        &FhirTable::new(StayTable::Encounters, files.clone(), posix),
        &mut Vec::new(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("IANA"), "{err}");
    // A fixed offset travels.
    let fixed = FhirReadOptions {
        time_zone: TimeZone::fixed(jiff::tz::offset(-5)),
        ..FhirReadOptions::default()
    };
    let mut buf = Vec::new();
    encode_fhir_table(
        &FhirTable::new(StayTable::Encounters, files.clone(), fixed),
        &mut buf,
    )
    .unwrap();
    let back = decode_fhir_table(&buf).unwrap().unwrap();
    assert_eq!(
        back.options().time_zone.to_fixed_offset().unwrap(),
        jiff::tz::offset(-5)
    );

    // A bad line is counted in the scan's metrics (what a Ballista job's stage metrics show;
    // the problems themselves stay where the file was read).
    let broken = dir.path().join("broken.ndjson");
    std::fs::write(
        &broken,
        "{\"resourceType\":\"Patient\",\"id\":\"p1\"}\nnot json\n",
    )
    .unwrap();
    let one = SessionContext::new();
    one.register_table(
        "patients",
        Arc::new(FhirTable::new(
            FhirTableKind::Patients,
            vec![broken],
            options.clone(),
        )),
    )
    .unwrap();
    let analyze = pretty(&collect(&one, "EXPLAIN ANALYZE SELECT count(*) FROM patients").await);
    assert!(
        analyze.contains("read_problems=1") && analyze.contains("sources_read=1"),
        "{analyze}"
    );

    // Logical plans with FHIR scans: encoded, decoded, the same plan.
    let queries = [
        "SELECT encounter_id, admit_day FROM encounters WHERE encounter_class = 'inpatient'",
        "SELECT p.gender, count(*) FROM patients p JOIN claims c ON c.patient_id = p.patient_id \
         GROUP BY p.gender",
        "SELECT icd10cm_chapter(code), count(*) FROM diagnoses GROUP BY 1 LIMIT 3",
    ];
    for sql in queries {
        let df = ctx.sql(sql).await.unwrap();
        let plan = df.logical_plan().clone();
        let bytes = logical_plan_to_bytes_with_extension_codec(&plan, &logical_codec).unwrap();
        let back =
            logical_plan_from_bytes_with_extension_codec(&bytes, &task, &logical_codec).unwrap();
        assert_eq!(
            format!("{}", back.display_indent_schema()),
            format!("{}", plan.display_indent_schema()),
            "{sql}"
        );
    }

    // Physical plans: the scans keep their file groups, projection, limit and options, and the
    // decoded plan gives the same rows.
    let sql = "SELECT encounter_id, unit, start_day FROM census_segments \
               ORDER BY encounter_id, start_day, unit";
    let plan = ctx
        .sql(sql)
        .await
        .unwrap()
        .create_physical_plan()
        .await
        .unwrap();
    let bytes =
        physical_plan_to_bytes_with_extension_codec(Arc::clone(&plan), &physical_codec).unwrap();
    let back =
        physical_plan_from_bytes_with_extension_codec(&bytes, &task, &physical_codec).unwrap();
    assert_eq!(
        displayable(back.as_ref()).indent(true).to_string(),
        displayable(plan.as_ref()).indent(true).to_string()
    );
    let (mut before, mut after) = (Vec::new(), Vec::new());
    fhir_scans(&plan, &mut before);
    fhir_scans(&back, &mut after);
    assert_eq!(before.len(), 1);
    assert_eq!(after.len(), 1);
    let (a, b) = (
        before[0].downcast_ref::<FhirScanExec>().unwrap(),
        after[0].downcast_ref::<FhirScanExec>().unwrap(),
    );
    assert_eq!(a.kind(), b.kind());
    assert_eq!(a.file_groups(), b.file_groups());
    assert_eq!(a.file_groups().len(), 2, "two partitions");
    assert_eq!(a.projection(), b.projection());
    assert!(a.projection().is_some_and(|p| p.len() == 3));
    assert_eq!(a.limit(), b.limit());
    let rows_before = collect_plan(plan, Arc::clone(&task)).await.unwrap();
    let rows_after = collect_plan(back, Arc::clone(&task)).await.unwrap();
    assert!(rows_before.iter().map(|b| b.num_rows()).sum::<usize>() > 20);
    assert_eq!(pretty(&rows_after), pretty(&rows_before));

    // A limit travels with the scan.
    let scan = FhirScanExec::try_new(
        StayTable::Diagnoses.into(),
        vec![files[..2].to_vec(), files[2..].to_vec()],
        options.clone(),
        Some(vec![2, 0]),
        Some(7),
        Arc::default(),
    )
    .unwrap();
    let mut buf = Vec::new();
    encode_fhir_scan(&scan, &mut buf).unwrap();
    let back = decode_fhir_scan(&buf, Arc::clone(scan.children()[0]))
        .unwrap()
        .unwrap();
    assert_eq!(back.limit(), Some(7));
    assert_eq!(back.projection(), Some(&[2usize, 0][..]));
    assert_eq!(back.file_groups(), scan.file_groups());
    let task = Arc::new(TaskContext::default());
    // Partition by partition (collecting all at once would interleave them).
    let want = collect_partitioned(Arc::new(scan), Arc::clone(&task))
        .await
        .unwrap();
    let got = collect_partitioned(Arc::new(back), task).await.unwrap();
    assert_eq!(got.len(), 2);
    for (g, w) in got.iter().zip(&want) {
        assert!(g.iter().map(|b| b.num_rows()).sum::<usize>() >= 7);
        assert_eq!(g[0].num_columns(), 2);
        assert_eq!(pretty(g), pretty(w));
    }
}

fn recompute() -> ReplaceChildrenOptions {
    ReplaceChildrenOptions::new(ChildrenPropertiesMode::Recompute)
}

#[test]
fn a_sliced_source_list_gives_a_scan_of_those_partitions_only() {
    // What Ballista's scheduler does for each task: restrict the stage's leaves (here the
    // scan's in-memory source list) to the task's partitions, then rebuild the parents.
    let files: Vec<PathBuf> = (0..5)
        .map(|i| PathBuf::from(format!("/shared/f{i}.ndjson")))
        .collect();
    let groups = vec![
        files[..2].to_vec(),
        files[2..3].to_vec(),
        files[3..].to_vec(),
    ];
    let scan: Arc<dyn ExecutionPlan> = Arc::new(
        FhirScanExec::try_new(
            StayTable::CensusSegments.into(),
            groups.clone(),
            FhirReadOptions::default(),
            None,
            None,
            Arc::default(),
        )
        .unwrap(),
    );
    assert_eq!(scan.properties().partitioning.partition_count(), 3);
    let child = scan.children()[0];
    let exec = child.downcast_ref::<DataSourceExec>().unwrap();
    let source: &dyn std::any::Any = exec.data_source().as_ref();
    let memory = source.downcast_ref::<MemorySourceConfig>().unwrap();
    for slice in [vec![2usize], vec![0, 2], vec![]] {
        let kept: Vec<_> = slice
            .iter()
            .map(|&i| memory.partitions()[i].clone())
            .collect();
        let restricted = DataSourceExec::from_data_source(
            MemorySourceConfig::try_new(&kept, memory.original_schema(), None).unwrap(),
        );
        let rebuilt = Arc::clone(&scan)
            .replace_children(vec![restricted], recompute())
            .unwrap();
        let rebuilt = rebuilt.downcast_ref::<FhirScanExec>().unwrap();
        let want: Vec<_> = slice.iter().map(|&i| groups[i].clone()).collect();
        assert_eq!(rebuilt.file_groups(), want.as_slice());
        assert_eq!(
            rebuilt.properties().partitioning.partition_count(),
            slice.len()
        );
    }
    // Anything else as the input is refused, not read as "no files".
    let err = Arc::clone(&scan)
        .replace_children(
            vec![Arc::new(datafusion::physical_plan::empty::EmptyExec::new(
                scan.schema(),
            ))],
            recompute(),
        )
        .unwrap_err();
    assert!(err.to_string().contains("source list"), "{err}");
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../scripts/ballista-cluster"
);

/// A cluster started by `scripts/ballista-cluster`, stopped (by its recorded pids) on drop.
struct ScriptCluster {
    run_dir: PathBuf,
    scheduler_port: u16,
}

impl ScriptCluster {
    fn start(run_dir: &Path) -> ScriptCluster {
        let cluster = ScriptCluster {
            run_dir: run_dir.to_path_buf(),
            scheduler_port: free_port(),
        };
        let ports = format!(
            "{}:{} {}:{}",
            free_port(),
            free_port(),
            free_port(),
            free_port()
        );
        let out = Command::new("bash")
            .arg(SCRIPT)
            .arg("start")
            .env("BALLISTA_DIR", run_dir)
            .env("SCHEDULER_PORT", cluster.scheduler_port.to_string())
            .env("EXECUTOR_PORTS", ports)
            .env("CONCURRENT_TASKS", "2")
            .env("MEDREC_BALLISTA", env!("CARGO_BIN_EXE_medrec-ballista"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "ballista-cluster start: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        cluster
    }
}

impl Drop for ScriptCluster {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(SCRIPT)
            .arg("stop")
            .env("BALLISTA_DIR", &self.run_dir)
            .output();
    }
}

/// Files and directories under `dir`.
fn entries(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| {
                    1 + if e.path().is_dir() {
                        entries(&e.path())
                    } else {
                        0
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

const PATIENTS: &str = "SELECT gender, count(*) AS n, count(mrn) AS with_mrn, \
    min(birth_year) AS first_year, max(birth_year) AS last_year, \
    sum(CASE WHEN deceased THEN 1 ELSE 0 END) AS deceased \
    FROM patients GROUP BY gender ORDER BY gender NULLS FIRST";
const CLAIMS: &str = "SELECT status, claim_type, count(*) AS n, sum(total_cents) AS cents, \
    sum(diagnosis_count) AS diagnoses, sum(procedure_count) AS procedures, \
    count(DISTINCT encounter_id) AS encounters \
    FROM claims GROUP BY status, claim_type ORDER BY status NULLS FIRST, claim_type NULLS FIRST";
const UNIT_HISTORY: &str = "SELECT e.encounter_class, count(u.unit) AS unit_stays, \
    count(DISTINCT e.encounter_id) AS encounters, \
    sum(CASE WHEN u.unit IS NOT NULL AND u.departed IS NULL THEN 1 ELSE 0 END) AS open_entries \
    FROM encounters e LEFT JOIN encounter_unit_stays u ON u.encounter_id = e.encounter_id \
    GROUP BY e.encounter_class ORDER BY e.encounter_class";
const CHAPTERS: &str = "SELECT icd10cm_chapter(code) AS chapter, count(*) AS n, \
    count(DISTINCT encounter_id) AS encounters FROM diagnoses \
    GROUP BY icd10cm_chapter(code) ORDER BY chapter NULLS FIRST";
const PROCEDURES: &str = "SELECT count(*) AS n, count(DISTINCT code) AS codes, \
    sum(CASE WHEN icd10pcs_valid(code) THEN 1 ELSE 0 END) AS valid FROM procedures";

/// Every answer compared between the two engines.
struct Answers {
    daily: std::collections::HashMap<(String, String, i32), [i64; 9]>,
    period: PeriodMap,
    tables: Vec<String>,
    encounters: i64,
}

async fn answers(ctx: &SessionContext) -> Answers {
    let mut tables = Vec::new();
    let mut encounters = 0;
    for sql in [PATIENTS, CLAIMS, UNIT_HISTORY, CHAPTERS, PROCEDURES] {
        let batches = collect(ctx, sql).await;
        if sql == UNIT_HISTORY {
            for b in &batches {
                let n = b.column(2).as_any().downcast_ref::<Int64Array>().unwrap();
                encounters += n.iter().flatten().sum::<i64>();
            }
        }
        tables.push(pretty(&batches));
    }
    Answers {
        daily: daily_sql(ctx).await,
        period: period_sql(ctx).await,
        tables,
        encounters,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ballista_cluster_reads_fhir_ndjson_like_one_process_and_medrec_stats() {
    let patients: u64 = std::env::var("MEDREC_BALLISTA_FHIR_PATIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000);
    let pop = population(patients, 2027).unwrap();
    let cfg = pop.config();
    let (first, last) = (cfg.from, cfg.to.yesterday().unwrap());
    let options = options_for(&pop);
    let dir = tempfile::tempdir().unwrap();
    let t = Instant::now();
    let (files, encounters) = write_ndjson_files(&pop, &dir.path().join("fhir"), 12);
    eprintln!(
        "wrote {encounters} encounters as {} FHIR NDJSON files in {:?}",
        files.len(),
        t.elapsed()
    );

    // medrec-stats over the stays of the same files.
    let mut stays = Vec::new();
    for f in &files {
        let (s, problems) = read_fhir_stays(f, &options).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        stays.push(s);
    }
    let stay_count: usize = stays.iter().map(Vec::len).sum();
    assert_eq!(stay_count, encounters);
    let agg = aggregate(&stays, &options.time_zone, first, last);

    // Single-process DataFusion over the FHIR tables.
    let local = local_context(&files, &options, 4);
    register_census_views(&local, first, last).await.unwrap();
    let t = Instant::now();
    let local_answers = answers(&local).await;
    eprintln!("single-process DataFusion in {:?}", t.elapsed());
    assert_eq!(local_answers.encounters as usize, encounters);
    // The scan's metrics: every source read once per partition's scan, no problems.
    let analyze = pretty(&collect(&local, "EXPLAIN ANALYZE SELECT count(*) FROM encounters").await);
    assert!(
        analyze.contains("sources_read=12") && analyze.contains("read_problems=0"),
        "{analyze}"
    );

    // The cluster, over the same files (the same paths: one machine).
    let run_dir = dir.path().join("cluster");
    let cluster = ScriptCluster::start(&run_dir);
    let remote = remote_context(&format!("df://127.0.0.1:{}", cluster.scheduler_port), 4)
        .await
        .unwrap();
    register_fhir_tables(&remote, &files, &options).unwrap();
    register_census_views(&remote, first, last).await.unwrap();
    // The plan the client hands the scheduler holds the FHIR tables themselves, and the
    // scheduler's stages scan FHIR (not a converted copy).
    let explain = pretty(&collect(&remote, "EXPLAIN SELECT count(*) FROM encounters").await);
    assert!(
        explain.contains("TableScan: encounters")
            && explain.contains("distributed_plan")
            && explain.contains("FhirScanExec: table=encounters, sources=12, partitions=4"),
        "{explain}"
    );
    let t = Instant::now();
    let remote_answers = answers(&remote).await;
    eprintln!("Ballista (scheduler + 2 executors) in {:?}", t.elapsed());

    // Identical: cluster = single process = medrec-stats.
    assert_eq!(remote_answers.encounters, local_answers.encounters);
    for (r, l) in remote_answers.tables.iter().zip(&local_answers.tables) {
        assert_eq!(r, l);
    }
    assert_eq!(remote_answers.daily, local_answers.daily);
    assert_eq!(remote_answers.period, local_answers.period);
    let days = assert_daily_equal(&agg, remote_answers.daily);
    assert!(days > 100, "{days} non-empty unit days");
    let rows = assert_period_equal(&agg, remote_answers.period);
    assert!(rows >= 4, "{rows} unit rows");
    // The tables are not empty on either side.
    for t in &local_answers.tables {
        assert!(t.lines().count() > 4, "{t}");
    }
    // Both executors ran tasks: each wrote shuffle files under its work directory.
    for i in 0..2 {
        let used = entries(&run_dir.join(format!("executor{i}")));
        assert!(used > 0, "executor {i} ran no task");
    }
    drop(cluster);
    assert!(
        !run_dir.join("pids").exists(),
        "the script stopped the cluster"
    );
}
