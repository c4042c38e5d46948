//! `medrec code …`: lookup, search, classify (code tables issue), comorbidity and edits
//! (classification issue). Contract: `docs/cli/code.md`.

use std::io::{self, BufRead, BufWriter, Write};
use std::path::PathBuf;
use std::time::Instant;

use medrec::codes::{
    Classification, CodeEntry, HeldRelease, IcdCmRelease, NoteKind, PcsCode, PcsRelease, ReleaseId,
    SearchOptions, icd10cm, icd10pcs,
};
use serde_json::{Value, json};

use crate::common::{Format, Outcome, report_error};

/// The `medrec code` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum CodeCommand {
    /// Show everything known about ICD-10-CM or ICD-10-PCS codes (title, status, hierarchy,
    /// notes; PCS axes). Exit 1 if any code is not valid.
    Lookup(LookupArgs),
    /// Find ICD-10-CM codes by words of their titles, best first.
    Search(SearchArgs),
    /// Classify ICD-10-CM codes, one per line (FILE or stdin): validity, billable, title,
    /// chapter, block, CCSR. Exit 1 if any code is not valid.
    Classify(ClassifyArgs),
    /// Per patient Elixhauser measures and indices, Charlson conditions and scores, from a CSV.
    Comorbidity(super::comorbidity::Args),
    /// MCE-style code edits: one stay per JSON line in, edits out.
    Edits(super::edits::Args),
}

/// Which ICD-10-CM release to use (the embedded FY2026 April release by default).
#[derive(Debug, Clone, clap::Args)]
pub struct ReleaseArgs {
    /// Use this CDC tabular list XML instead of the embedded release.
    #[arg(long, value_name = "FILE", conflicts_with = "order_file")]
    tabular_xml: Option<PathBuf>,
    /// Use this CMS order file (icd10cm_order_YYYY.txt) instead of the embedded release.
    #[arg(long, value_name = "FILE")]
    order_file: Option<PathBuf>,
    /// Fiscal year of the file given with --tabular-xml / --order-file (default 2026).
    #[arg(long, value_name = "YEAR")]
    fiscal_year: Option<u16>,
}

impl ReleaseArgs {
    /// The release to use, or an error already reported.
    fn release(&self) -> Result<HeldRelease, Outcome> {
        let fy = self.fiscal_year.unwrap_or(2026);
        let loaded = match (&self.tabular_xml, &self.order_file) {
            (Some(p), _) => IcdCmRelease::from_tabular_xml(p, ReleaseId::october(fy)),
            (None, Some(p)) => IcdCmRelease::from_order_file(p, ReleaseId::october(fy)),
            (None, None) => return Ok(HeldRelease::from(icd10cm())),
        };
        loaded.map(HeldRelease::from).map_err(|e| {
            report_error("code", &e.to_string());
            Outcome::USAGE_OR_IO
        })
    }
}

/// Arguments of `medrec code lookup`.
#[derive(Debug, clap::Args)]
pub struct LookupArgs {
    /// Codes, dotted or not (`E11.9`, `e119`); 7-character codes that are ICD-10-PCS codes
    /// and not ICD-10-CM codes are decoded as PCS.
    #[arg(required = true, value_name = "CODE")]
    codes: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    #[command(flatten)]
    release: ReleaseArgs,
}

/// Arguments of `medrec code search`.
#[derive(Debug, clap::Args)]
pub struct SearchArgs {
    /// Words to find in titles ("acute kidney failure").
    #[arg(required = true, value_name = "WORDS")]
    words: Vec<String>,
    /// At most this many results.
    #[arg(long, default_value_t = 20)]
    limit: usize,
    /// Only billable codes.
    #[arg(long)]
    billable_only: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    #[command(flatten)]
    release: ReleaseArgs,
}

/// Arguments of `medrec code classify`.
#[derive(Debug, clap::Args)]
pub struct ClassifyArgs {
    /// A file with one code per line; `-` or nothing reads standard input.
    #[arg(value_name = "FILE")]
    file: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    /// Print the number of codes and codes per second on stderr.
    #[arg(long)]
    stats: bool,
    #[command(flatten)]
    release: ReleaseArgs,
}

/// Runs `medrec code …`.
pub fn run(command: CodeCommand) -> Outcome {
    match command {
        CodeCommand::Lookup(args) => lookup(args),
        CodeCommand::Search(args) => search(args),
        CodeCommand::Classify(args) => classify(args),
        CodeCommand::Comorbidity(args) => super::comorbidity::run(args),
        CodeCommand::Edits(args) => super::edits::run(args),
    }
}

/// CCSR categories of a code (the `ccsr` field), from the classification module.
fn ccsr(code: &str) -> Vec<String> {
    medrec::codes::clinical::ccsr_categories(code)
}

fn write_failed(e: io::Error) -> Outcome {
    if e.kind() == io::ErrorKind::BrokenPipe {
        return Outcome::OK;
    }
    report_error("<stdout>", &e.to_string());
    Outcome::USAGE_OR_IO
}

fn csv_line(fields: &[String]) -> String {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    let _ = w.write_record(fields);
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The classify record (shared by lookup): the contract's fields first.
fn classification_json(input: &str, c: &Classification<'_>) -> Value {
    let code = c.code().map(|c| c.to_string());
    json!({
        "input": input,
        "code": code,
        "valid": c.is_valid(),
        "billable": c.is_billable(),
        "title": c.title(),
        "chapter": c.chapter().map(|ch| ch.number),
        "block": c.block().map(|b| b.range()),
        "ccsr": if c.is_valid() { ccsr(input) } else { Vec::new() },
        "status": c.status().as_str(),
        "category": c.category().map(|c| c.to_string()),
        "chapter_title": c.chapter().map(|ch| ch.title.as_str()),
        "block_title": c.block().map(|b| b.title.as_str()),
    })
}

const CLASSIFY_HEADER: &str = "input,code,valid,billable,title,chapter,block,ccsr,status\n";

fn classification_csv(input: &str, c: &Classification<'_>) -> String {
    csv_line(&[
        input.to_string(),
        c.code().map(|c| c.to_string()).unwrap_or_default(),
        c.is_valid().to_string(),
        c.is_billable().to_string(),
        c.title().unwrap_or("").to_string(),
        c.chapter()
            .map(|ch| ch.number.to_string())
            .unwrap_or_default(),
        c.block().map(|b| b.range()).unwrap_or_default(),
        if c.is_valid() {
            ccsr(input).join(";")
        } else {
            String::new()
        },
        c.status().as_str().to_string(),
    ])
}

fn classification_text(input: &str, c: &Classification<'_>) -> String {
    match c.code() {
        Some(code) => format!(
            "{:<9} {:<26} {}{}\n",
            code.to_string(),
            c.status().to_string(),
            c.title().unwrap_or("-"),
            match (c.chapter(), c.block()) {
                (Some(ch), Some(b)) => format!("  [chapter {}, block {}]", ch.number, b.range()),
                (Some(ch), None) => format!("  [chapter {}]", ch.number),
                _ => String::new(),
            }
        ),
        None => format!("{:<9} {}\n", format!("{input:?}"), c.status()),
    }
}

fn pcs_lookup(input: &str, pcs: &PcsRelease) -> Option<(PcsCode, Value, String, String)> {
    let code = PcsCode::parse(input).ok()?;
    let title = pcs.title(&code)?;
    let axes = pcs.decode(&code)?;
    let j = json!({
        "input": input,
        "system": "icd10pcs",
        "code": code.as_str(),
        "valid": true,
        "billable": true,
        "title": title,
        "axes": axes.iter().map(|a| json!({"position": a.position, "name": a.name, "value": a.value.to_string(), "title": a.title})).collect::<Vec<_>>(),
    });
    let mut text = format!("{code}  ICD-10-PCS FY{}  {title}\n", pcs.fiscal_year());
    for a in &axes {
        text.push_str(&format!(
            "  {} {:<15} {}  {}\n",
            a.position,
            a.name,
            a.value,
            a.title.as_deref().unwrap_or("-")
        ));
    }
    let csv = csv_line(&[
        input.to_string(),
        code.to_string(),
        "true".into(),
        "true".into(),
        title.to_string(),
        String::new(),
        String::new(),
        String::new(),
        "billable".into(),
    ]);
    Some((code, j, text, csv))
}

fn lookup_text(input: &str, c: &Classification<'_>, e: Option<CodeEntry<'_>>) -> String {
    let mut out = classification_text(input, c);
    let Some(e) = e else { return out };
    if let Some(s) = e.short_title() {
        out.push_str(&format!("  short title: {s}\n"));
    }
    if let Some(ch) = e.chapter() {
        out.push_str(&format!(
            "  chapter {} ({}): {}\n",
            ch.number,
            ch.range(),
            ch.title
        ));
    }
    if let Some(b) = e.block() {
        out.push_str(&format!("  block {}: {}\n", b.range(), b.title));
    }
    if let Some(p) = e.parent() {
        out.push_str(&format!("  parent {}: {}\n", p.code(), p.title()));
    }
    let kids: Vec<String> = e.children().map(|k| k.code().to_string()).collect();
    if !kids.is_empty() {
        out.push_str(&format!("  children: {}\n", kids.join(" ")));
    }
    if let Some(m) = e.seventh_character_meaning() {
        out.push_str(&format!("  7th character: {m}\n"));
    } else if let Some(d) = e.seventh_character_def() {
        let list: Vec<String> = d
            .extensions
            .iter()
            .map(|(c, m)| format!("{c} {m}"))
            .collect();
        out.push_str(&format!(
            "  7th characters (from {}): {}\n",
            d.defined_at,
            list.join("; ")
        ));
    }
    for (owner, kind, text) in e.notes_applying() {
        if matches!(
            kind,
            NoteKind::InclusionTerm | NoteKind::Includes | NoteKind::Note
        ) {
            continue;
        }
        let at = match owner {
            medrec::codes::NoteOwner::Code(c) => c.to_string(),
            medrec::codes::NoteOwner::Block(a, b) => format!("{a}-{b}"),
            medrec::codes::NoteOwner::Chapter(n) => format!("chapter {n}"),
        };
        out.push_str(&format!("  {} (at {at}): {text}\n", kind.xml_name()));
    }
    out
}

fn lookup_json(input: &str, c: &Classification<'_>, e: Option<CodeEntry<'_>>) -> Value {
    let mut j = classification_json(input, c);
    j["system"] = json!("icd10cm");
    if let Some(e) = e {
        j["short_title"] = json!(e.short_title());
        j["parent"] = json!(e.parent().map(|p| p.code().to_string()));
        j["children"] = json!(
            e.children()
                .map(|k| k.code().to_string())
                .collect::<Vec<_>>()
        );
        j["seventh_character"] = json!(e.seventh_character_meaning());
        j["notes"] = json!(
            e.notes_applying()
                .into_iter()
                .map(|(o, k, t)| json!({"kind": k, "at": match o {
                    medrec::codes::NoteOwner::Code(c) => c.to_string(),
                    medrec::codes::NoteOwner::Block(a, b) => format!("{a}-{b}"),
                    medrec::codes::NoteOwner::Chapter(n) => format!("chapter {n}"),
                }, "text": t}))
                .collect::<Vec<_>>()
        );
    }
    j
}

fn lookup(args: LookupArgs) -> Outcome {
    let release = match args.release.release() {
        Ok(r) => r,
        Err(o) => return o,
    };
    let cm: &IcdCmRelease = &release;
    let pcs = icd10pcs();
    let mut out = BufWriter::new(io::stdout().lock());
    let mut outcome = Outcome::OK;
    if args.format == Format::Csv
        && let Err(e) = out.write_all(CLASSIFY_HEADER.as_bytes())
    {
        return write_failed(e);
    }
    for input in &args.codes {
        let c = cm.classify(input);
        let text = if !c.is_valid()
            && let Some((_, j, text, csv)) = pcs_lookup(input, pcs)
        {
            match args.format {
                Format::Text => text,
                Format::Json => format!("{j}\n"),
                Format::Csv => csv,
            }
        } else {
            if !c.is_valid() {
                outcome = Outcome::PROBLEMS;
            }
            let e = c.entry();
            match args.format {
                Format::Text => lookup_text(input, &c, e),
                Format::Json => format!("{}\n", lookup_json(input, &c, e)),
                Format::Csv => classification_csv(input, &c),
            }
        };
        if let Err(e) = out.write_all(text.as_bytes()) {
            return write_failed(e);
        }
    }
    if let Err(e) = out.flush() {
        return write_failed(e);
    }
    outcome
}

fn search(args: SearchArgs) -> Outcome {
    let release = match args.release.release() {
        Ok(r) => r,
        Err(o) => return o,
    };
    let cm: &IcdCmRelease = &release;
    let query = args.words.join(" ");
    let hits = cm.search_with(
        &query,
        &SearchOptions {
            limit: args.limit,
            billable_only: args.billable_only,
            ..SearchOptions::default()
        },
    );
    let mut out = BufWriter::new(io::stdout().lock());
    let mut buf = String::new();
    if args.format == Format::Csv {
        buf.push_str("code,title,billable,score,matched_all\n");
    }
    for h in &hits {
        let e = h.entry;
        let score = if h.score.is_finite() { h.score } else { 1000.0 };
        match args.format {
            Format::Text => buf.push_str(&format!(
                "{:<9} {}{}\n",
                e.code().to_string(),
                e.title(),
                if e.is_billable() { "" } else { "  (header)" }
            )),
            Format::Json => buf.push_str(&format!(
                "{}\n",
                json!({"code": e.code().to_string(), "title": e.title(), "billable": e.is_billable(),
                       "score": (score * 1000.0).round() / 1000.0, "matched_all": h.matched_all})
            )),
            Format::Csv => buf.push_str(&csv_line(&[
                e.code().to_string(),
                e.title().to_string(),
                e.is_billable().to_string(),
                format!("{score:.3}"),
                h.matched_all.to_string(),
            ])),
        }
    }
    if let Err(e) = out.write_all(buf.as_bytes()).and_then(|_| out.flush()) {
        return write_failed(e);
    }
    if hits.is_empty() {
        report_error("code search", &format!("no code title matches {query:?}"));
        return Outcome::PROBLEMS;
    }
    Outcome::OK
}

fn classify(args: ClassifyArgs) -> Outcome {
    let release = match args.release.release() {
        Ok(r) => r,
        Err(o) => return o,
    };
    let cm: &IcdCmRelease = &release;
    let (name, reader): (String, Box<dyn BufRead>) = match &args.file {
        None => ("<stdin>".into(), Box::new(io::stdin().lock())),
        Some(p) if p.as_os_str() == "-" => ("<stdin>".into(), Box::new(io::stdin().lock())),
        Some(p) => match std::fs::File::open(p) {
            Ok(f) => (
                p.display().to_string(),
                Box::new(io::BufReader::with_capacity(1 << 16, f)),
            ),
            Err(e) => {
                report_error(&p.display().to_string(), &e.to_string());
                return Outcome::USAGE_OR_IO;
            }
        },
    };
    let started = Instant::now();
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    if args.format == Format::Csv
        && let Err(e) = out.write_all(CLASSIFY_HEADER.as_bytes())
    {
        return write_failed(e);
    }
    let mut outcome = Outcome::OK;
    let mut count = 0u64;
    let mut line = Vec::with_capacity(64);
    let mut reader = reader;
    let mut line_no = 0u64;
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                report_error(&format!("{name}:{}", line_no + 1), &e.to_string());
                outcome = Outcome::USAGE_OR_IO;
                break;
            }
        }
        line_no += 1;
        let text = String::from_utf8_lossy(&line);
        let input = text.trim_end_matches(['\n', '\r']);
        if input.trim().is_empty() {
            continue;
        }
        count += 1;
        let c = cm.classify(input);
        if !c.is_valid() {
            outcome = outcome.max(Outcome::PROBLEMS);
        }
        let res = match args.format {
            Format::Text => out.write_all(classification_text(input, &c).as_bytes()),
            Format::Json => {
                let mut line = classification_json(input, &c).to_string();
                line.push('\n');
                out.write_all(line.as_bytes())
            }
            Format::Csv => out.write_all(classification_csv(input, &c).as_bytes()),
        };
        if let Err(e) = res {
            return write_failed(e);
        }
    }
    if let Err(e) = out.flush() {
        return write_failed(e);
    }
    if args.stats {
        let secs = started.elapsed().as_secs_f64();
        let rate = if secs > 0.0 { count as f64 / secs } else { 0.0 };
        let _ = writeln!(
            io::stderr(),
            "medrec: classified {count} codes in {secs:.3} s ({rate:.0} codes/s, ICD-10-CM {})",
            cm.id()
        );
    }
    outcome
}
