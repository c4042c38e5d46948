//! `medrec release`: decide a release of information, write the released bundle, log the
//! disclosure; `medrec release accounting` and `medrec release verify-log` read the log.
//! Contract: `docs/cli/release.md`.

use crate::common::{Format, Input, Outcome, expand_inputs, report_error};
use clap::builder::PossibleValuesParser;
use jiff::civil::Date;
use medrec::model::{NdjsonReader, Resource, parse_resource};
use medrec::privacy::PseudonymKey;
use medrec::privacy::release::{
    Authorization, DateRange, DeidEngine, DisclosureLog, Purpose, Recipient, Release,
    ReleasePolicy, ReleaseRequest, Requester, Waiver, accounting, disclosure_event, read_log,
};
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Arguments of `medrec release`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct Args {
    #[command(subcommand)]
    command: Option<ReleaseCommand>,
    #[command(flatten)]
    request: Box<RequestArgs>,
}

/// The release request (boxed: it is large).
#[derive(Debug, clap::Args)]
struct RequestArgs {
    /// Why the records are asked for.
    #[arg(long, required = true, value_parser = PossibleValuesParser::new(Purpose::ALL.iter().map(|p| p.as_str())))]
    purpose: Option<String>,
    /// Who asks.
    #[arg(long, required = true, value_parser = PossibleValuesParser::new(Requester::ALL.iter().map(|r| r.as_str())))]
    requester: Option<String>,
    /// The patient: Patient.id or an identifier value (MRN).
    #[arg(long, required = true)]
    patient: Option<String>,
    /// The authorization on file: a FHIR R4 Consent (JSON).
    #[arg(long, value_name = "FILE")]
    authorization: Option<PathBuf>,
    /// IRB / privacy board waiver for research: WHO,YYYY-MM-DD.
    #[arg(long, value_name = "WHO,DATE")]
    waiver: Option<String>,
    /// Name of the recipient (matched against the authorization's provision.actor).
    #[arg(long, value_name = "NAME")]
    recipient: Option<String>,
    /// Address of the recipient (for the accounting of disclosures).
    #[arg(long, value_name = "ADDRESS")]
    recipient_address: Option<String>,
    /// Resource types asked for (comma-separated); default: all the decision allows.
    #[arg(long, value_name = "TYPE,…", value_delimiter = ',')]
    record_types: Vec<String>,
    /// First day of service asked for (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    from: Option<Date>,
    /// Last day of service asked for (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    to: Option<Date>,
    /// A data use agreement with the recipient is in place (limited data set).
    #[arg(long)]
    data_use_agreement: bool,
    /// The subpoena comes with satisfactory assurance (45 CFR 164.512(e)(1)(ii)).
    #[arg(long)]
    satisfactory_assurance: bool,
    /// Facility release policy (TOML); default: the built-in policy.
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// Key file for keyed pseudonymous ids in a limited data set.
    #[arg(long, value_name = "FILE")]
    key_file: Option<PathBuf>,
    /// Decision day (YYYY-MM-DD); default: today (UTC).
    #[arg(long, value_name = "DATE")]
    on: Option<Date>,
    /// Disclosure log to append to (created if missing).
    #[arg(long, value_name = "FILE")]
    log: Option<PathBuf>,
    /// Where to write the released bundle (atomically). Without it nothing is released.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Output format of the decision.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// FHIR R4 JSON / NDJSON files or directories of the patient's record; `-` for stdin.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
}

#[derive(Debug, clap::Subcommand)]
enum ReleaseCommand {
    /// A patient's accounting of disclosures (45 CFR 164.528) from a disclosure log.
    Accounting(AccountingArgs),
    /// Verify a disclosure log's hash chain.
    VerifyLog(VerifyArgs),
}

#[derive(Debug, clap::Args)]
struct AccountingArgs {
    /// The patient (as given to `medrec release --patient`).
    #[arg(long)]
    patient: String,
    /// The disclosure log.
    #[arg(long, value_name = "FILE")]
    log: PathBuf,
    /// The day the accounting is asked for (YYYY-MM-DD); default: today (UTC).
    #[arg(long, value_name = "DATE")]
    as_of: Option<Date>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Debug, clap::Args)]
struct VerifyArgs {
    /// The disclosure log.
    #[arg(long, value_name = "FILE")]
    log: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

fn today() -> Date {
    jiff::tz::Offset::UTC
        .to_datetime(jiff::Timestamp::now())
        .date()
}

/// Runs `medrec release`.
pub fn run(args: Args) -> Outcome {
    match args.command {
        Some(ReleaseCommand::Accounting(a)) => return run_accounting(a),
        Some(ReleaseCommand::VerifyLog(v)) => return run_verify(v),
        None => {}
    }
    let args = *args.request;
    // clap enforces these when no subcommand is given.
    let (Some(purpose), Some(requester), Some(patient)) =
        (&args.purpose, &args.requester, &args.patient)
    else {
        report_error(
            "release",
            "--purpose, --requester and --patient are required",
        );
        return Outcome::USAGE_OR_IO;
    };
    let purpose: Purpose = purpose.parse().expect("clap checked the value");
    let requester: Requester = requester.parse().expect("clap checked the value");
    let on = args.on.unwrap_or_else(today);

    let mut request = ReleaseRequest::new(requester, purpose, patient.clone(), on)
        .with_recipient(Recipient {
            name: args.recipient.clone(),
            address: args.recipient_address.clone(),
            reference: None,
        })
        .with_record_types(args.record_types.iter().map(|t| t.trim().to_string()))
        .with_date_range(DateRange {
            from: args.from,
            to: args.to,
        })
        .with_data_use_agreement(args.data_use_agreement)
        .with_satisfactory_assurance(args.satisfactory_assurance);
    if let Some(w) = &args.waiver {
        match w.parse::<Waiver>() {
            Ok(w) => request = request.with_waiver(w),
            Err(e) => {
                report_error("--waiver", &e.to_string());
                return Outcome::USAGE_OR_IO;
            }
        }
    }
    if let Some(path) = &args.authorization {
        match read_authorization(path) {
            Ok(a) => request = request.with_authorization(a),
            Err(e) => {
                report_error(&path.display().to_string(), &e);
                return Outcome::USAGE_OR_IO;
            }
        }
    }
    let policy = match &args.policy {
        Some(p) => match std::fs::read_to_string(p)
            .map_err(|e| e.to_string())
            .and_then(|t| ReleasePolicy::from_toml(&t).map_err(|e| e.to_string()))
        {
            Ok(p) => p,
            Err(e) => {
                report_error(&p.display().to_string(), &e);
                return Outcome::USAGE_OR_IO;
            }
        },
        None => ReleasePolicy::default(),
    };
    let key = match &args.key_file {
        Some(p) => match std::fs::read(p)
            .map_err(|e| e.to_string())
            .and_then(|b| PseudonymKey::from_bytes(trim_key(b)).map_err(|e| e.to_string()))
        {
            Ok(k) => Some(k),
            Err(e) => {
                report_error(&p.display().to_string(), &e);
                return Outcome::USAGE_OR_IO;
            }
        },
        None => None,
    };

    // The record.
    let mut outcome = Outcome::OK;
    let (inputs, missing) = expand_inputs(&args.paths);
    if missing > 0 {
        outcome = Outcome::USAGE_OR_IO;
    }
    let mut resources: Vec<Value> = Vec::new();
    for input in &inputs {
        if crate::common::interrupted() {
            return Outcome(crate::common::EXIT_INTERRUPTED);
        }
        if let Err(e) = read_resources(input, &mut resources) {
            report_error(&input.name(), &e);
            outcome = Outcome::USAGE_OR_IO;
        }
    }

    let release = match policy.release(&request, &resources, &DeidEngine::new(key)) {
        Ok(r) => r,
        Err(e) => {
            report_error("release", &e.to_string());
            return Outcome::USAGE_OR_IO;
        }
    };
    let granted = release.decision.decision.releases();
    if granted && !release.patient_found && release.released.is_empty() {
        report_error(
            "release",
            &format!("patient {patient} not found in the inputs: nothing to release"),
        );
        print_decision(&args, &release, None, None);
        return outcome.max(Outcome::PROBLEMS);
    }

    // Carry it out: stage the bundle, log, then publish (a logged disclosure never lacks its
    // file for longer than a rename; an unlogged one is never published).
    let mut staged = None;
    if let (true, Some(out), Some(bundle)) = (granted, &args.out, &release.bundle) {
        match stage(out, bundle) {
            Ok(t) => staged = Some(t),
            Err(e) => {
                report_error(&out.display().to_string(), &e.to_string());
                return Outcome::USAGE_OR_IO;
            }
        }
    }
    let disclosed = staged.is_some() || !granted;
    let mut logged = None;
    if let (Some(log_path), true) = (&args.log, disclosed) {
        let event = disclosure_event(&request, &release, jiff::Timestamp::now(), "medrec");
        match DisclosureLog::open(log_path).and_then(|mut log| log.append(&event)) {
            Ok(rec) => logged = Some(rec.seq),
            Err(e) => {
                report_error("--log", &e.to_string());
                // Not logged: nothing is released.
                return Outcome::USAGE_OR_IO;
            }
        }
    }
    let mut written = None;
    if let (Some(tmp), Some(out)) = (staged, &args.out) {
        match tmp.persist(out) {
            Ok(_) => written = Some(out.clone()),
            Err(e) => {
                report_error(&out.display().to_string(), &e.error.to_string());
                return Outcome::USAGE_OR_IO;
            }
        }
    }
    print_decision(&args, &release, written.as_deref(), logged);
    if !granted {
        outcome = outcome.max(Outcome::PROBLEMS);
    }
    outcome
}

fn trim_key(mut b: Vec<u8>) -> Vec<u8> {
    while b.last().is_some_and(|c| c.is_ascii_whitespace()) {
        b.pop();
    }
    b
}

fn stage(out: &Path, bundle: &Value) -> std::io::Result<tempfile::NamedTempFile> {
    let dir = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    let mut bytes = serde_json::to_vec_pretty(bundle).map_err(std::io::Error::other)?;
    bytes.push(b'\n');
    tmp.write_all(&bytes)?;
    tmp.as_file().sync_all()?;
    Ok(tmp)
}

fn read_authorization(path: &Path) -> Result<Authorization, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let resource = parse_resource(&bytes).map_err(|e| e.to_string())?;
    if resource.resource_type() != "Consent" {
        return Err(format!(
            "expected a Consent resource, found {}",
            resource.resource_type()
        ));
    }
    Authorization::from_resource(&resource).map_err(|e| e.to_string())
}

fn read_resources(input: &Input, out: &mut Vec<Value>) -> Result<(), String> {
    let raw = input.read().map_err(|e| e.to_string())?;
    let name = input.name();
    let bytes = if name.ends_with(".gz") {
        let mut d = Vec::new();
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_end(&mut d)
            .map_err(|e| format!("gzip: {e}"))?;
        d
    } else {
        raw
    };
    let to_value = |r: &Resource| serde_json::to_value(r).map_err(|e| e.to_string());
    if name.ends_with(".ndjson") || name.ends_with(".ndjson.gz") {
        let mut errors = Vec::new();
        for item in NdjsonReader::new(&bytes[..]) {
            match item {
                Ok(r) => out.push(to_value(&r)?),
                Err(e) => errors.push(e.to_string()),
            }
        }
        if !errors.is_empty() {
            return Err(errors.join("; "));
        }
        Ok(())
    } else {
        let r = parse_resource(&bytes).map_err(|e| e.to_string())?;
        out.push(to_value(&r)?);
        Ok(())
    }
}

fn print_decision(
    args: &RequestArgs,
    release: &Release,
    written: Option<&Path>,
    logged: Option<u64>,
) {
    let d = &release.decision;
    let mut stdout = std::io::stdout().lock();
    match args.format {
        Format::Json => {
            let withheld: Vec<Value> = release
                .withheld
                .iter()
                .map(|w| {
                    json!({
                        "resource": format!("{}/{}", w.resource.resource_type, w.resource.id),
                        "protection": w.protection.to_string(),
                        "basis": w.basis.citation(),
                    })
                })
                .collect();
            let line = json!({
                "decision": d.decision.as_str(),
                "basis": d.basis.citation(),
                "reason": d.reason,
                "accounting_required": d.accounting_required,
                "resources_released": release.resources_released(),
                "patient": args.patient,
                "requester": args.requester,
                "purpose": args.purpose,
                "withheld": withheld,
                "authorization_problems": d.authorization_problems.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
                "out": written.map(|p| p.display().to_string()),
                "log_seq": logged,
            });
            let _ = writeln!(stdout, "{line}");
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(stdout);
            let _ = w.write_record([
                "decision",
                "basis",
                "reason",
                "accounting_required",
                "resources_released",
            ]);
            let _ = w.write_record([
                d.decision.as_str(),
                d.basis.citation(),
                &d.reason,
                &d.accounting_required.to_string(),
                &release.resources_released().to_string(),
            ]);
            let _ = w.flush();
        }
        Format::Text => {
            let _ = writeln!(stdout, "decision: {}", d.decision);
            let _ = writeln!(stdout, "basis: {}", d.basis);
            let _ = writeln!(stdout, "reason: {}", d.reason);
            let _ = writeln!(
                stdout,
                "accounting required: {}",
                if d.accounting_required { "yes" } else { "no" }
            );
            let _ = writeln!(
                stdout,
                "resources released: {}",
                release.resources_released()
            );
            for w in &release.withheld {
                let _ = writeln!(
                    stdout,
                    "withheld: {}/{} ({}, {})",
                    w.resource.resource_type, w.resource.id, w.protection, w.basis
                );
            }
            match written {
                Some(p) => {
                    let _ = writeln!(stdout, "released bundle: {}", p.display());
                }
                None if d.decision.releases() => {
                    let _ = writeln!(stdout, "released bundle: none written (give --out FILE)");
                }
                None => {}
            }
            if let Some(seq) = logged {
                let _ = writeln!(stdout, "logged: disclosure log entry {seq}");
            }
        }
    }
}

fn run_accounting(a: AccountingArgs) -> Outcome {
    let contents = match read_log(&a.log) {
        Ok(c) => c,
        Err(e) => {
            report_error(&a.log.display().to_string(), &e.to_string());
            return Outcome::USAGE_OR_IO;
        }
    };
    if !a.log.exists() {
        report_error(&a.log.display().to_string(), "no such disclosure log");
        return Outcome::USAGE_OR_IO;
    }
    if contents.torn_tail_bytes > 0 {
        report_error(
            &a.log.display().to_string(),
            &format!(
                "ignoring {} bytes of an interrupted last entry",
                contents.torn_tail_bytes
            ),
        );
    }
    let as_of = a.as_of.unwrap_or_else(today);
    let entries = accounting(&contents.records, &a.patient, as_of);
    let mut stdout = std::io::stdout().lock();
    match a.format {
        Format::Json => {
            for e in &entries {
                let _ = writeln!(stdout, "{}", serde_json::to_string(e).unwrap_or_default());
            }
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(stdout);
            let _ = w.write_record([
                "date",
                "recipient",
                "address",
                "description",
                "purpose",
                "basis",
            ]);
            for e in &entries {
                let _ = w.write_record([
                    e.date.as_str(),
                    &e.recipient,
                    e.address.as_deref().unwrap_or(""),
                    &e.description,
                    &e.purpose,
                    &e.basis,
                ]);
            }
            let _ = w.flush();
        }
        Format::Text => {
            let _ = writeln!(
                stdout,
                "Accounting of disclosures for patient {} (six years to {as_of}): {} disclosure(s)",
                a.patient,
                entries.len()
            );
            for e in &entries {
                let _ = writeln!(
                    stdout,
                    "{}  {}{}  purpose: {} ({})  disclosed: {}",
                    e.date,
                    e.recipient,
                    e.address
                        .as_deref()
                        .map(|x| format!(", {x}"))
                        .unwrap_or_default(),
                    e.purpose,
                    e.basis,
                    e.description
                );
            }
        }
    }
    Outcome::OK
}

fn run_verify(v: VerifyArgs) -> Outcome {
    if !v.log.exists() {
        report_error(&v.log.display().to_string(), "no such disclosure log");
        return Outcome::USAGE_OR_IO;
    }
    let name = v.log.display().to_string();
    let (ok, line) = match read_log(&v.log) {
        Ok(c) => {
            let head = c.head();
            (
                c.torn_tail_bytes == 0,
                json!({"log": name, "valid": true, "entries": c.records.len(), "head_seq": head.seq,
                       "head_hash": head.hash, "torn_tail_bytes": c.torn_tail_bytes, "error": null}),
            )
        }
        Err(e) if e.kind() == medrec::privacy::release::LogErrorKind::Io => {
            report_error(&name, &e.to_string());
            return Outcome::USAGE_OR_IO;
        }
        Err(e) => {
            report_error(&name, &e.to_string());
            (
                false,
                json!({"log": name, "valid": false, "entries": null, "head_seq": null, "head_hash": null,
                       "torn_tail_bytes": null, "error": e.to_string()}),
            )
        }
    };
    let mut stdout = std::io::stdout().lock();
    match v.format {
        Format::Json | Format::Csv => {
            let _ = writeln!(stdout, "{line}");
        }
        Format::Text => {
            if line["valid"] == true {
                let _ = writeln!(
                    stdout,
                    "{name}: chain verified, {} entries, head {} {}{}",
                    line["entries"],
                    line["head_seq"],
                    line["head_hash"].as_str().unwrap_or(""),
                    if ok {
                        String::new()
                    } else {
                        format!(
                            " ({} bytes of an interrupted last entry ignored)",
                            line["torn_tail_bytes"]
                        )
                    }
                );
            } else {
                let _ = writeln!(stdout, "{name}: NOT VALID");
            }
        }
    }
    if ok { Outcome::OK } else { Outcome::PROBLEMS }
}
