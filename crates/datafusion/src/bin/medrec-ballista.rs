//! `medrec-ballista`: a Ballista scheduler or executor with medrec's SQL functions and FHIR
//! plan codecs registered (so clients may query FHIR files through
//! `tables::register_fhir_tables` as well as Parquet), and a generator of synthetic stay
//! tables as Parquet.
//!
//! ```text
//! medrec-ballista scheduler [--bind 127.0.0.1] [--port 50050] [--external-host localhost]
//! medrec-ballista executor  [--bind 127.0.0.1] [--port 50051] [--grpc-port 50052]
//!                           [--scheduler-host 127.0.0.1] [--scheduler-port 50050]
//!                           [--external-host HOST] [--concurrent-tasks N] [--work-dir DIR]
//! medrec-ballista generate  --out DIR [--patients N] [--seed S] [--files K]
//! ```
//!
//! Exit codes: 0 done, 2 usage or I/O error, 1 the scheduler/executor stopped with an error.

use medrec_datafusion::cluster::{ExecutorOptions, run_executor, run_scheduler};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: medrec-ballista scheduler|executor|generate [--flag value]...\n\
  scheduler: --bind 127.0.0.1 --port 50050 --external-host localhost\n\
  executor:  --bind 127.0.0.1 --port 50051 --grpc-port 50052 --scheduler-host 127.0.0.1\n\
             --scheduler-port 50050 --external-host HOST --concurrent-tasks N --work-dir DIR\n\
  generate:  --out DIR --patients 1000 --seed 1 --files 8";

fn parse_flags(args: &[String]) -> Result<HashMap<String, String>, String> {
    let mut flags = HashMap::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let Some(name) = a.strip_prefix("--") else {
            return Err(format!("unexpected argument {a:?}"));
        };
        let Some(v) = it.next() else {
            return Err(format!("--{name} needs a value"));
        };
        flags.insert(name.to_string(), v.clone());
    }
    Ok(flags)
}

fn get<T: std::str::FromStr>(
    flags: &HashMap<String, String>,
    name: &str,
    default: T,
) -> Result<T, String> {
    match flags.get(name) {
        None => Ok(default),
        Some(v) => v
            .parse()
            .map_err(|_| format!("--{name}: cannot read {v:?}")),
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(32 * 1024 * 1024)
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))
}

fn run(args: &[String]) -> Result<(), (u8, String)> {
    let usage = |m: String| (2u8, format!("{m}\n{USAGE}"));
    let Some(cmd) = args.first() else {
        return Err(usage("no command".into()));
    };
    let flags = parse_flags(&args[1..]).map_err(usage)?;
    let allowed: &[&str] = match cmd.as_str() {
        "scheduler" => &["bind", "port", "external-host"],
        "executor" => &[
            "bind",
            "port",
            "grpc-port",
            "scheduler-host",
            "scheduler-port",
            "external-host",
            "concurrent-tasks",
            "work-dir",
        ],
        "generate" => &["out", "patients", "seed", "files"],
        "--help" | "-h" | "help" => {
            println!("{USAGE}");
            return Ok(());
        }
        other => return Err(usage(format!("unknown command {other:?}"))),
    };
    if let Some(bad) = flags.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(usage(format!("{cmd}: unknown flag --{bad}")));
    }
    match cmd.as_str() {
        "scheduler" => {
            let bind: String = get(&flags, "bind", "127.0.0.1".to_string()).map_err(usage)?;
            let port: u16 = get(&flags, "port", 50050).map_err(usage)?;
            let external: String =
                get(&flags, "external-host", "localhost".to_string()).map_err(usage)?;
            let addr: SocketAddr = format!("{bind}:{port}")
                .parse()
                .map_err(|e| usage(format!("--bind/--port: {e}")))?;
            let rt = runtime().map_err(|e| (2, e))?;
            rt.block_on(run_scheduler(addr, &external))
                .map_err(|e| (1, e.to_string()))
        }
        "executor" => {
            let options = ExecutorOptions {
                bind_host: get(&flags, "bind", "127.0.0.1".to_string()).map_err(usage)?,
                external_host: flags.get("external-host").cloned(),
                port: get(&flags, "port", 50051).map_err(usage)?,
                grpc_port: get(&flags, "grpc-port", 50052).map_err(usage)?,
                scheduler_host: get(&flags, "scheduler-host", "127.0.0.1".to_string())
                    .map_err(usage)?,
                scheduler_port: get(&flags, "scheduler-port", 50050).map_err(usage)?,
                vcores: get(&flags, "concurrent-tasks", 2).map_err(usage)?,
                work_dir: flags.get("work-dir").cloned(),
            };
            let rt = runtime().map_err(|e| (2, e))?;
            rt.block_on(run_executor(options))
                .map_err(|e| (1, e.to_string()))
        }
        _ => {
            let out: PathBuf = flags
                .get("out")
                .map(PathBuf::from)
                .ok_or_else(|| usage("generate: --out is required".into()))?;
            let patients: u64 = get(&flags, "patients", 1000).map_err(usage)?;
            let seed: u64 = get(&flags, "seed", 1).map_err(usage)?;
            let files: usize = get(&flags, "files", 8).map_err(usage)?;
            let summary = medrec_datafusion::synth::write_population(&out, patients, seed, files)
                .map_err(|e| (2, e.to_string()))?;
            println!("{summary}");
            Ok(())
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err((code, message)) => {
            eprintln!("medrec-ballista: {message}");
            ExitCode::from(code)
        }
    }
}
