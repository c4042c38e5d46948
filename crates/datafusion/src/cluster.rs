//! Running medrec's SQL on an Apache Ballista cluster.
//!
//! Ballista ships query plans between processes: the client serializes the logical plan, the
//! scheduler decodes it with *its* function registry and plans stages, executors decode the
//! stage plans with *theirs*. So every process must know medrec's functions by name, and decode
//! medrec's FHIR tables. This module builds the pieces with both registered:
//!
//! - [`session_builder`] for the scheduler (`SchedulerConfig::with_override_session_builder`);
//! - [`function_registry`] for executors (`ExecutorProcessConfig::override_function_registry`);
//! - [`remote_context`] for clients (`SessionContext::remote_with_state`), with the plan codecs
//!   of [`crate::codec`] in its session config;
//! - [`scheduler_config`] / [`executor_config`]: the scheduler's and executors' configurations
//!   with those codecs (`override_logical_codec`, `override_physical_codec`).
//!
//! [`run_scheduler`] and [`run_executor`] start the processes (the `medrec-ballista` binary
//! calls them; `scripts/ballista-cluster` starts one scheduler and two executors on 127.0.0.1).
//! Stock `ballista-scheduler` / `ballista-executor` binaries do not know medrec's functions nor
//! its tables and fail with "There is no UDF named …" or a plan decoding error: use this
//! crate's binary (or these configurations in your own) on every node of a real cluster.
//!
//! Tables: Ballista executors read files themselves, so every executor must see the sources at
//! the same path (a shared file system mounted at the same point everywhere). Two kinds work:
//! - the FHIR tables ([`crate::tables::register_fhir_tables`]): the FHIR NDJSON / Bundle files
//!   themselves. The client's plan carries each [`crate::tables::FhirTable`] (table, file list,
//!   time zone); the scheduler splits the files into one partition per group of sources (its
//!   `target_partitions`, the client's setting) and ships each executor its
//!   [`crate::scan::FhirScanExec`] partitions, which parse FHIR where they run;
//! - Parquet / CSV / JSON listing tables (`ctx.register_parquet`), e.g. FHIR converted once
//!   with [`crate::export::write_stay_tables`]: cheaper when the same data is queried often
//!   (FHIR JSON is parsed on every query; Parquet is columnar and compressed).
//!
//! ```no_run
//! # async fn run() -> datafusion::error::Result<()> {
//! use medrec_datafusion::cluster::remote_context;
//! use medrec_datafusion::tables::register_fhir_tables;
//! use medrec_datafusion::census::register_census_views;
//! use medrec_stats::fhir::FhirReadOptions;
//! # use medrec_datafusion::datafusion;
//!
//! let ctx = remote_context("df://scheduler.example:50050", 8).await?;
//! // Paths as every executor sees them (the shared mount).
//! let files: Vec<std::path::PathBuf> = std::fs::read_dir("/shared/fhir/2026-10")?
//!     .map(|e| e.map(|e| e.path()))
//!     .collect::<Result<_, _>>()?;
//! let options = FhirReadOptions {
//!     time_zone: jiff::tz::TimeZone::get("America/Chicago").expect("known zone"),
//!     ..FhirReadOptions::default()
//! };
//! register_fhir_tables(&ctx, &files, &options)?;
//! let first = jiff::civil::date(2026, 10, 1);
//! register_census_views(&ctx, first, jiff::civil::date(2026, 10, 31)).await?;
//! ctx.sql("SELECT * FROM period_census").await?.show().await?;
//! # Ok(())
//! # }
//! ```

use ballista::prelude::SessionContextExt;
use ballista_core::registry::BallistaFunctionRegistry;
use ballista_executor::executor_process::{ExecutorProcessConfig, start_executor_process};
use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::config::SchedulerConfig;
use ballista_scheduler::scheduler_process::start_server;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::SessionState;
use datafusion::execution::session_state::SessionStateBuilder;
use datafusion::prelude::{SessionConfig, SessionContext};
use std::net::SocketAddr;
use std::sync::Arc;

use crate::codec::{FhirLogicalCodec, FhirPhysicalCodec};
use crate::{udaf, udf};

fn ballista_error(e: impl std::fmt::Display) -> DataFusionError {
    DataFusionError::Execution(format!("ballista: {e}"))
}

/// A Ballista session state with medrec's functions (and DataFusion's nested functions, which
/// the census views use) registered: the scheduler's session builder.
pub fn session_builder(config: SessionConfig) -> Result<SessionState> {
    let mut state = ballista_core::utils::default_session_builder(config)?;
    register_all(&mut state)?;
    Ok(state)
}

fn register_all(state: &mut SessionState) -> Result<()> {
    use datafusion::execution::FunctionRegistry;
    for f in datafusion::functions_nested::all_default_nested_functions() {
        state.register_udf(f)?;
    }
    crate::register_functions_in(state)
}

/// The executors' function registry: Ballista's defaults, DataFusion's nested functions and
/// medrec's scalar and aggregate functions.
pub fn function_registry() -> BallistaFunctionRegistry {
    let mut r = BallistaFunctionRegistry::default();
    for f in datafusion::functions_nested::all_default_nested_functions()
        .into_iter()
        .chain(udf::scalar_functions())
    {
        r.scalar_functions.insert(f.name().to_string(), f);
    }
    for f in udaf::aggregate_functions() {
        r.aggregate_functions.insert(f.name().to_string(), f);
    }
    r
}

/// A client context for the scheduler at `url` (`df://host:port`), with medrec's functions
/// registered and `target_partitions` partitions per stage.
pub async fn remote_context(url: &str, target_partitions: usize) -> Result<SessionContext> {
    use ballista_core::extension::SessionConfigExt;
    let config = SessionConfig::new_with_ballista()
        .with_target_partitions(target_partitions.max(1))
        .with_ballista_logical_extension_codec(Arc::new(FhirLogicalCodec::default()))
        .with_ballista_physical_extension_codec(Arc::new(FhirPhysicalCodec::default()));
    let mut state = SessionStateBuilder::new()
        .with_config(config)
        .with_default_features()
        .build();
    register_all(&mut state)?;
    let ctx = SessionContext::remote_with_state(url, state).await?;
    // The Ballista upgrade of the state keeps the built-in functions only: register again.
    crate::register_functions(&ctx);
    Ok(ctx)
}

/// A scheduler configuration bound to `addr`, advertised as `external_host`, with medrec's
/// session builder ([`session_builder`]) and plan codecs ([`crate::codec`]).
pub fn scheduler_config(addr: SocketAddr, external_host: &str) -> SchedulerConfig {
    let mut config = SchedulerConfig::default()
        .with_hostname(external_host)
        .with_port(addr.port())
        .with_override_session_builder(Arc::new(session_builder));
    config.bind_host = addr.ip().to_string();
    config.override_logical_codec = Some(Arc::new(FhirLogicalCodec::default()));
    config.override_physical_codec = Some(Arc::new(FhirPhysicalCodec::default()));
    config
}

/// Runs a scheduler bound to `addr` until the process ends ([`scheduler_config`]).
pub async fn run_scheduler(addr: SocketAddr, external_host: &str) -> Result<()> {
    let config = scheduler_config(addr, external_host);
    let cluster = BallistaCluster::new_from_config(&config)
        .await
        .map_err(ballista_error)?;
    start_server(cluster, addr, Arc::new(config))
        .await
        .map_err(ballista_error)
}

/// Where an executor listens and which scheduler it serves.
#[derive(Debug, Clone)]
pub struct ExecutorOptions {
    /// Address to bind (`127.0.0.1` for a loopback cluster).
    pub bind_host: String,
    /// Host name the scheduler and other executors reach this executor at.
    pub external_host: Option<String>,
    /// Arrow Flight port (shuffle data).
    pub port: u16,
    /// gRPC port.
    pub grpc_port: u16,
    /// The scheduler's host.
    pub scheduler_host: String,
    /// The scheduler's port.
    pub scheduler_port: u16,
    /// Task slots (concurrent tasks).
    pub vcores: usize,
    /// Directory for shuffle files (a temporary directory when `None`).
    pub work_dir: Option<String>,
}

/// An executor configuration: `options`, medrec's function registry ([`function_registry`])
/// and plan codecs ([`crate::codec`]).
pub fn executor_config(options: ExecutorOptions) -> ExecutorProcessConfig {
    ExecutorProcessConfig {
        bind_host: options.bind_host,
        external_host: options.external_host,
        port: options.port,
        grpc_port: options.grpc_port,
        scheduler_host: options.scheduler_host,
        scheduler_port: options.scheduler_port,
        scheduler_connect_timeout_seconds: 30,
        vcores: options.vcores.max(1),
        work_dir: options.work_dir,
        print_thread_info: false,
        override_function_registry: Some(Arc::new(function_registry())),
        override_logical_codec: Some(Arc::new(FhirLogicalCodec::default())),
        override_physical_codec: Some(Arc::new(FhirPhysicalCodec::default())),
        ..ExecutorProcessConfig::default()
    }
}

/// Runs an executor until the process ends ([`executor_config`]).
pub async fn run_executor(options: ExecutorOptions) -> Result<()> {
    start_executor_process(Arc::new(executor_config(options)))
        .await
        .map_err(ballista_error)
}
