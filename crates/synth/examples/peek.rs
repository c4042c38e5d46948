//! Development aid: times generating a population (`peek PATIENTS [text|notext] [plan|fhir]`)
//! and prints its period counts.

use medrec_synth::{Population, PopulationConfig};
use std::io::Write;

fn main() {
    let mut args = std::env::args().skip(1);
    let patients: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(400);
    let text = args.next().as_deref() != Some("notext");
    let fhir = args.next().as_deref() == Some("fhir");
    let mut config = PopulationConfig {
        patients,
        ..PopulationConfig::demo()
    };
    config.documentation.note_text = text;
    let pop = Population::new(config).expect("valid configuration");
    let t0 = std::time::Instant::now();
    let mut encounters = 0u64;
    let mut bytes = 0usize;
    let mut sink = Vec::with_capacity(1 << 24);
    for p in pop.patients() {
        encounters += p.encounters.len() as u64;
        if fhir {
            for r in pop.patient_resources(&p) {
                serde_json::to_writer(&mut sink, &r).expect("serializes");
                sink.push(b'\n');
            }
            bytes += sink.len();
            sink.clear();
        }
    }
    let secs = t0.elapsed().as_secs_f64();
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "{encounters} encounters in {secs:.2} s = {:.0} encounters/s (note text: {text}, fhir ndjson: {fhir}, {} MB)",
        encounters as f64 / secs,
        bytes / 1_000_000
    );
}
