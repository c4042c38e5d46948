//! A Ballista cluster (scheduler + two executors, separate processes on 127.0.0.1) runs the
//! statistics over ≥ 1,000,000 synthetic encounters split across many Parquet files, and gives
//! the same answers as single-process DataFusion and as `medrec-stats`: the daily census, the
//! unit period statistics, the whole report (`period_stats`: every grouping and population,
//! readmissions, charge medians, top codes), ICD-10-CM chapters and comorbidity scores.
//!
//! `MEDREC_BALLISTA_ENCOUNTERS` sets the target number of encounters (default 1,000,000).

use crate::census::{GROUPINGS, assert_report_equal, period_stats_records, with_groups_of};
use crate::common::*;
use datafusion::prelude::{ParquetReadOptions, SessionConfig, SessionContext};
use jiff::tz::TimeZone;
use medrec_datafusion::census::register_census_views;
use medrec_datafusion::cluster::remote_context;
use medrec_datafusion::datafusion;
use medrec_datafusion::export::write_stay_tables;
use medrec_datafusion::period_stats::register_period_stats;
use medrec_datafusion::synth::{patient_stays, population};
use medrec_stats::{Aggregator, AggregatorConfig, Period, Stay};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Cluster {
    children: Vec<Child>,
    scheduler_port: u16,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_port(port: u16, what: &str, children: &mut [Child]) {
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        for c in children.iter_mut() {
            if let Ok(Some(status)) = c.try_wait() {
                panic!("{what}: a cluster process exited early ({status})");
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "{what} did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn start_cluster(logs: &Path) -> Cluster {
    let exe = env!("CARGO_BIN_EXE_medrec-ballista");
    let log = |name: &str| Stdio::from(std::fs::File::create(logs.join(name)).unwrap());
    let sp = free_port();
    let mut children = vec![
        Command::new(exe)
            .args([
                "scheduler",
                "--bind",
                "127.0.0.1",
                "--port",
                &sp.to_string(),
                "--external-host",
                "127.0.0.1",
            ])
            .stdout(log("scheduler.log"))
            .stderr(log("scheduler.err"))
            .spawn()
            .unwrap(),
    ];
    wait_port(sp, "scheduler", &mut children);
    for i in 0..2 {
        let (p, g) = (free_port(), free_port());
        let work = logs.join(format!("executor{i}"));
        std::fs::create_dir_all(&work).unwrap();
        children.push(
            Command::new(exe)
                .args([
                    "executor",
                    "--bind",
                    "127.0.0.1",
                    "--external-host",
                    "127.0.0.1",
                    "--port",
                    &p.to_string(),
                    "--grpc-port",
                    &g.to_string(),
                    "--scheduler-host",
                    "127.0.0.1",
                    "--scheduler-port",
                    &sp.to_string(),
                    "--concurrent-tasks",
                    "2",
                    "--work-dir",
                    work.to_str().unwrap(),
                ])
                .stdout(log(&format!("executor{i}.log")))
                .stderr(log(&format!("executor{i}.err")))
                .spawn()
                .unwrap(),
        );
        wait_port(p, "executor flight", &mut children);
        wait_port(g, "executor grpc", &mut children);
    }
    Cluster {
        children,
        scheduler_port: sp,
    }
}

async fn register(ctx: &SessionContext, dir: &Path) {
    for t in ["census_segments", "encounters", "diagnoses", "procedures"] {
        ctx.register_parquet(
            t,
            &format!("{}/", dir.join(t).display()),
            ParquetReadOptions::default(),
        )
        .await
        .unwrap();
    }
}

const CHAPTERS: &str = "SELECT icd10cm_chapter(code) AS chapter, count(*) AS n, \
    sum(CASE WHEN icd10cm_billable(code) THEN 1 ELSE 0 END) AS billable \
    FROM diagnoses GROUP BY icd10cm_chapter(code) ORDER BY chapter NULLS FIRST";
const COMORBIDITY: &str = "SELECT count(*) AS patients, sum(s) AS charlson, sum(m) AS mortality, \
    sum(CASE WHEN s > 0 THEN 1 ELSE 0 END) AS with_charlson FROM ( \
    SELECT e.patient_id, charlson(d.code)['score'] AS s, \
           elixhauser(d.code, d.present_on_admission)['mortality_index'] AS m \
    FROM diagnoses d JOIN encounters e ON d.encounter_id = e.encounter_id \
    WHERE e.encounter_class = 'inpatient' GROUP BY e.patient_id)";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ballista_cluster_statistics_equal_datafusion_and_medrec_stats() {
    let target: u64 = std::env::var("MEDREC_BALLISTA_ENCOUNTERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    // The default synth mix has ≈ 1.32 encounters per patient.
    let patients = target * 100 / 125;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // Synth's stays with a payer, a service and a diagnosis group (its ADT mapping has none),
    // so every grouping of the report has groups.
    fn grouped(pop: &medrec_synth::Population) -> impl Iterator<Item = Vec<Stay>> + '_ {
        patient_stays(pop).enumerate().map(|(i, mut p)| {
            with_groups_of(i, &mut p);
            p
        })
    }
    let t = Instant::now();
    let pop = population(patients, 2026).unwrap();
    let cfg = pop.config().clone();
    let tz = TimeZone::get(&cfg.time_zone).unwrap();
    let (first, last) = (cfg.from, cfg.to.yesterday().unwrap());
    let stays = write_stay_tables(&data, &tz, 24, grouped(&pop)).unwrap();
    eprintln!("generated {stays} stays as Parquet in {:?}", t.elapsed());
    assert!(stays >= target, "{stays} stays < {target}");
    let files = std::fs::read_dir(data.join("encounters")).unwrap().count();
    assert_eq!(files, 24);

    // medrec-stats over the same stays (regenerated: the population is seeded), every grouping.
    let t = Instant::now();
    let mut config = AggregatorConfig::new(Period::new(first, last).unwrap(), tz);
    config.group_by = GROUPINGS.to_vec();
    let mut agg = Aggregator::new(config);
    for p in grouped(&pop) {
        assert!(agg.add_patient(&p).is_empty());
    }
    eprintln!("medrec-stats in {:?}", t.elapsed());

    // Single-process DataFusion.
    let local = SessionContext::new_with_config(SessionConfig::new().with_target_partitions(2));
    medrec_datafusion::register_functions(&local);
    register(&local, &data).await;
    register_census_views(&local, first, last).await.unwrap();
    let t = Instant::now();
    let local_daily = daily_sql(&local).await;
    let local_period = period_sql(&local).await;
    let local_chapters = collect(&local, CHAPTERS).await;
    let local_comorbidity = collect(&local, COMORBIDITY).await;
    eprintln!("single-process DataFusion in {:?}", t.elapsed());
    let n = collect(&local, "SELECT count(*) FROM encounters").await;
    let count = n[0]
        .column(0)
        .as_any()
        .downcast_ref::<datafusion::arrow::array::Int64Array>()
        .unwrap()
        .value(0);
    assert_eq!(count as u64, stays);

    // The cluster.
    let cluster = start_cluster(dir.path());
    let remote = remote_context(&format!("df://127.0.0.1:{}", cluster.scheduler_port), 4)
        .await
        .unwrap();
    register(&remote, &data).await;
    register_census_views(&remote, first, last).await.unwrap();
    register_period_stats(&remote, first, last).await.unwrap();
    let t = Instant::now();
    let remote_daily = daily_sql(&remote).await;
    let remote_period = period_sql(&remote).await;
    let ts = Instant::now();
    let remote_stats = period_stats_records(&remote).await;
    eprintln!("Ballista period_stats in {:?}", ts.elapsed());
    let remote_chapters = collect(&remote, CHAPTERS).await;
    let remote_comorbidity = collect(&remote, COMORBIDITY).await;
    eprintln!("Ballista (scheduler + 2 executors) in {:?}", t.elapsed());

    // Identical: cluster = single process = medrec-stats.
    assert_eq!(remote_daily, local_daily);
    assert_eq!(remote_period, local_period);
    assert_eq!(
        datafusion::arrow::util::pretty::pretty_format_batches(&remote_chapters)
            .unwrap()
            .to_string(),
        datafusion::arrow::util::pretty::pretty_format_batches(&local_chapters)
            .unwrap()
            .to_string()
    );
    assert_eq!(
        datafusion::arrow::util::pretty::pretty_format_batches(&remote_comorbidity)
            .unwrap()
            .to_string(),
        datafusion::arrow::util::pretty::pretty_format_batches(&local_comorbidity)
            .unwrap()
            .to_string()
    );
    let days = assert_daily_equal(&agg, remote_daily);
    assert!(days > 100, "{days}");
    let rows = assert_period_equal(&agg, remote_period);
    assert!(rows >= 4, "{rows}");
    // The whole report on the cluster: every grouping and population, readmissions, medians,
    // top codes, row for row equal to medrec-stats (`census.rs` checks the single-process view
    // against medrec-stats on smaller populations; running it here too would add ≈ 10 s).
    let totals = assert_report_equal(&agg, remote_stats);
    for name in [
        "readmissions",
        "bucketed_medians",
        "top_diagnoses",
        "top_procedures",
    ] {
        assert!(totals.get(name).copied().unwrap_or(0.0) > 0.0, "no {name}");
    }
    // Both executors took part: each wrote shuffle files under its work directory.
    for i in 0..2 {
        let work = dir.path().join(format!("executor{i}"));
        let used = walk_count(&work);
        assert!(used > 0, "executor {i} ran no task");
    }
    drop(cluster);
}

fn walk_count(dir: &Path) -> usize {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return 0;
    };
    rd.filter_map(Result::ok)
        .map(|e| {
            if e.path().is_dir() {
                1 + walk_count(&e.path())
            } else {
                1
            }
        })
        .sum()
}
