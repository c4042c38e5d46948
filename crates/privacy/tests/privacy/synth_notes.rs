//! Measurement on `medrec-synth` notes with exact PHI labels: per-kind recall and precision of
//! the free-text engine, blind (text only) and with the patient's record (identities learned from
//! the generated FHIR bundle, as `Deidentifier` does); and a Safe Harbor run over the generated
//! bundles that must leave none of the labeled identifiers in the decoded notes.

use crate::leak::{count_text_attachments, haystack};
use crate::text_corpus::{Tally, score};
use medrec_privacy::PhiKind;
use medrec_privacy::record::{DeidConfig, Deidentifier};
use medrec_privacy::text::Redactor;
use medrec_synth::{Population, PopulationConfig};
use std::collections::BTreeMap;

struct Run {
    tallies: BTreeMap<PhiKind, Tally>,
    tp: usize,
    fp: Vec<String>,
    misses: Vec<String>,
}

impl Run {
    fn new() -> Self {
        Run {
            tallies: BTreeMap::new(),
            tp: 0,
            fp: Vec::new(),
            misses: Vec::new(),
        }
    }
    fn precision(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fp.len()).max(1) as f64
    }
    fn print(&self, label: &str) {
        eprintln!("== {label}: kind gold recalled recall");
        for (k, t) in &self.tallies {
            eprintln!(
                "{:<11} {:>5} {:>5} {:.4}",
                k.tag(),
                t.gold,
                t.recalled,
                t.recalled as f64 / t.gold as f64
            );
        }
        eprintln!(
            "precision {:.4} ({} true, {} false)",
            self.precision(),
            self.tp,
            self.fp.len()
        );
        for m in self.misses.iter().take(25) {
            eprintln!("MISS {m}");
        }
        for f in self.fp.iter().take(25) {
            eprintln!("FALSE {f}");
        }
    }
}

#[test]
fn synth_notes_recall_and_precision() {
    let config = PopulationConfig {
        patients: 60,
        seed: 7,
        ..PopulationConfig::demo()
    };
    let population = Population::new(config).expect("synth config");
    let blind = Redactor::default();
    let (mut rb, mut rr) = (Run::new(), Run::new());
    let mut notes = 0;
    let mut leaks = Vec::new();
    for household in population.households() {
        for patient in &household.patients {
            let bundle = serde_json::to_value(population.patient_bundle(patient)).unwrap();
            let mut deid = Deidentifier::new(DeidConfig::safe_harbor(), None).unwrap();
            deid.learn(&bundle);
            let with_record = Redactor::builder().identities(deid.identities()).build();
            let mut labeled: Vec<String> = Vec::new();
            for enc in &patient.encounters {
                for note in &enc.notes {
                    notes += 1;
                    let gold: Vec<(usize, usize, PhiKind)> = note
                        .phi
                        .iter()
                        .map(|s| (s.start as usize, s.end as usize, s.kind))
                        .collect();
                    for s in &note.phi {
                        // Years alone are not PHI under Safe Harbor; check full labels only.
                        labeled.push(s.text(&note.text).to_string());
                    }
                    let t = &note.text;
                    score(
                        t,
                        &gold,
                        &blind.find(t),
                        &mut rb.tallies,
                        &mut rb.tp,
                        &mut rb.fp,
                        &mut rb.misses,
                    );
                    score(
                        t,
                        &gold,
                        &with_record.find(t),
                        &mut rr.tallies,
                        &mut rr.tp,
                        &mut rr.fp,
                        &mut rr.misses,
                    );
                }
            }
            // Safe Harbor on the whole generated bundle: no labeled identifier survives.
            let notes_in = count_text_attachments(&bundle);
            let out = deid.deidentify(bundle).unwrap().unwrap();
            assert_eq!(
                count_text_attachments(&out),
                notes_in,
                "notes are redacted, not dropped"
            );
            let hay = haystack(&out);
            for l in labeled {
                if l.len() >= 4 && hay.contains(&l) {
                    leaks.push(l);
                }
            }
        }
    }
    assert!(notes >= 50, "synth wrote {notes} notes");
    rb.print("blind (text only)");
    rr.print("with the patient's record");
    assert!(
        leaks.is_empty(),
        "labeled PHI survives Safe Harbor: {leaks:?}"
    );
    for (k, t) in &rr.tallies {
        let recall = t.recalled as f64 / t.gold as f64;
        assert!(recall >= 0.99, "with-record recall of {k} is {recall:.4}");
    }
    assert!(
        rr.precision() >= 0.90,
        "with-record precision {:.4}",
        rr.precision()
    );
}
