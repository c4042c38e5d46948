//! Running medrec's SQL on an Apache Ballista cluster.
//!
//! Ballista ships query plans between processes: the client serializes the logical plan, the
//! scheduler decodes it with *its* function registry and plans stages, executors decode the
//! stage plans with *theirs*. So every process must know medrec's functions by name. This module
//! builds the three pieces with them registered:
//!
//! - [`session_builder`] for the scheduler (`SchedulerConfig::with_override_session_builder`);
//! - [`function_registry`] for executors (`ExecutorProcessConfig::override_function_registry`);
//! - [`remote_context`] for clients (`SessionContext::remote_with_state`).
//!
//! [`run_scheduler`] and [`run_executor`] start the processes (the `medrec-ballista` binary
//! calls them; `scripts/ballista-cluster` starts one scheduler and two executors on 127.0.0.1).
//! Stock `ballista-scheduler` / `ballista-executor` binaries do not know medrec's functions and
//! fail with "There is no UDF named …": use this crate's binary (or call these functions from
//! your own) on every node of a real cluster.
//!
//! Tables: Ballista executors read files themselves, so register tables that Ballista can
//! serialize — Parquet / CSV / JSON listing tables (`ctx.register_parquet`) on a path every
//! executor sees (a shared file system or an object store). The in-process
//! [`crate::tables::FhirTable`] is not serializable; convert FHIR to Parquet first
//! ([`crate::export::write_stay_tables`]).

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
    let config =
        SessionConfig::new_with_ballista().with_target_partitions(target_partitions.max(1));
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

/// Runs a scheduler bound to `addr` until the process ends.
pub async fn run_scheduler(addr: SocketAddr, external_host: &str) -> Result<()> {
    let mut config = SchedulerConfig::default()
        .with_hostname(external_host)
        .with_port(addr.port())
        .with_override_session_builder(Arc::new(session_builder));
    config.bind_host = addr.ip().to_string();
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

/// Runs an executor until the process ends.
pub async fn run_executor(options: ExecutorOptions) -> Result<()> {
    let config = ExecutorProcessConfig {
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
        ..ExecutorProcessConfig::default()
    };
    start_executor_process(Arc::new(config))
        .await
        .map_err(ballista_error)
}
