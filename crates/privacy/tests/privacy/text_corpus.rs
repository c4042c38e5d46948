//! The labeled corpus (`data/text_corpus.toml`): recall per PHI kind and precision of the
//! free-text engine, with the thresholds of the issue (recall ≥ 0.99 per kind, precision ≥ 0.90).

use medrec_privacy::PhiKind;
use medrec_privacy::text::{Redactor, Span};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
struct Corpus {
    case: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    text: String,
    phi: Vec<(String, String)>,
}

/// Per-kind tallies.
#[derive(Default, Debug)]
pub struct Tally {
    pub gold: usize,
    pub recalled: usize,
    pub kind_right: usize,
}

/// Scores `found` against gold spans: a gold span is recalled when every non-space byte of it is
/// inside some found span; a found span is a true positive when it overlaps a gold span.
pub fn score(
    text: &str,
    gold: &[(usize, usize, PhiKind)],
    found: &[Span],
    tallies: &mut BTreeMap<PhiKind, Tally>,
    tp: &mut usize,
    fp: &mut Vec<String>,
    misses: &mut Vec<String>,
) {
    for &(s, e, k) in gold {
        let t = tallies.entry(k).or_default();
        t.gold += 1;
        let covered = (s..e).all(|i| {
            text.as_bytes()[i].is_ascii_whitespace()
                || found.iter().any(|f| f.start <= i && i < f.end)
        });
        if covered {
            t.recalled += 1;
            if found
                .iter()
                .any(|f| f.start < e && s < f.end && f.kind == k)
            {
                t.kind_right += 1;
            }
        } else {
            misses.push(format!("{:?} {k} in {text:?}", &text[s..e]));
        }
    }
    for f in found {
        if gold.iter().any(|&(s, e, _)| f.start < e && s < f.end) {
            *tp += 1;
        } else {
            fp.push(format!(
                "{:?} as {} in {text:?}",
                &text[f.start..f.end],
                f.kind
            ));
        }
    }
}

/// A labeled text: the text and its gold spans.
pub type Labeled = (String, Vec<(usize, usize, PhiKind)>);

fn load() -> Vec<Labeled> {
    let raw = include_str!("data/text_corpus.toml");
    let corpus: Corpus = toml::from_str(raw).expect("text_corpus.toml parses");
    corpus
        .case
        .into_iter()
        .map(|c| {
            let mut from = 0;
            let gold = c
                .phi
                .iter()
                .map(|(sub, kind)| {
                    let at = c.text[from..]
                        .find(sub.as_str())
                        .unwrap_or_else(|| panic!("label {sub:?} not in {:?}", c.text))
                        + from;
                    from = at + sub.len();
                    (at, at + sub.len(), kind.parse::<PhiKind>().expect("kind"))
                })
                .collect();
            (c.text, gold)
        })
        .collect()
}

#[test]
fn corpus_recall_and_precision() {
    let cases = load();
    assert!(cases.len() >= 100, "the corpus should stay large");
    let redactor = Redactor::default();
    let mut tallies = BTreeMap::new();
    let (mut tp, mut fp, mut misses) = (0, Vec::new(), Vec::new());
    for (text, gold) in &cases {
        let found = redactor.find(text);
        score(
            text,
            gold,
            &found,
            &mut tallies,
            &mut tp,
            &mut fp,
            &mut misses,
        );
    }
    let precision = tp as f64 / (tp + fp.len()) as f64;
    eprintln!("kind        gold recalled recall kind-agreement");
    for (k, t) in &tallies {
        eprintln!(
            "{:<11} {:>4} {:>8} {:>6.3} {:>6.3}",
            k.tag(),
            t.gold,
            t.recalled,
            t.recalled as f64 / t.gold as f64,
            t.kind_right as f64 / t.gold as f64
        );
    }
    eprintln!(
        "found spans: {} true, {} false; precision {precision:.3}",
        tp,
        fp.len()
    );
    for m in &misses {
        eprintln!("MISS {m}");
    }
    for f in &fp {
        eprintln!("FALSE {f}");
    }
    for (k, t) in &tallies {
        let recall = t.recalled as f64 / t.gold as f64;
        assert!(recall >= 0.99, "recall of {k} is {recall:.3} < 0.99");
    }
    assert!(precision >= 0.90, "precision {precision:.3} < 0.90");
    // Every kind the engine recognizes in text is exercised.
    for k in [
        PhiKind::Name,
        PhiKind::Address,
        PhiKind::Location,
        PhiKind::Zip,
        PhiKind::Date,
        PhiKind::Age,
        PhiKind::Phone,
        PhiKind::Fax,
        PhiKind::Email,
        PhiKind::Ssn,
        PhiKind::Mrn,
        PhiKind::HealthPlan,
        PhiKind::Account,
        PhiKind::License,
        PhiKind::Vehicle,
        PhiKind::Device,
        PhiKind::Url,
        PhiKind::Ip,
    ] {
        assert!(tallies.contains_key(&k), "no labeled {k} in the corpus");
    }
}

#[test]
fn redacted_text_keeps_no_labeled_phi() {
    let redactor = Redactor::default();
    for (text, gold) in load() {
        let out = redactor.redact(&text);
        for (s, e, _) in gold {
            let phi = &text[s..e];
            assert!(
                !out.text.contains(phi) || phi.len() < 3,
                "{phi:?} survives in {:?}",
                out.text
            );
        }
    }
}
