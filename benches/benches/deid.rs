#![allow(missing_docs)] // criterion_group! generates an undocumented function
//! `deid`: MB/s of clinical note text redacted by medrec-privacy with every recognizer on (patterns,
//! census name dictionaries, the patient's own identifiers), against floors in the same group: one
//! SSN regex (`\b\d{3}[- ]?\d{2}[- ]?\d{4}\b`, the layouts the engine recognizes) scanned over the
//! same text, and a plain copy of it.
//!
//! The regex floor has no literal the regex engine can skip to, so its lazy DFA reads every byte,
//! as one recognizer pass must. (An earlier floor, `\d{3}-\d{3}-\d{4}`, matched nothing in these
//! notes and was answered by a `memchr` for `-` alone: 10 GiB/s, not a regex pass.)

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use medrec::privacy::text::{PatientIdentity, PersonName, Redactor};
use std::hint::black_box;

const FIRST: [&str; 8] = [
    "Maria",
    "John",
    "Angelique",
    "Robert",
    "Linda",
    "Wei",
    "Fatima",
    "Omar",
];
const LAST: [&str; 8] = [
    "Gonzalez",
    "Smith",
    "Gleichner",
    "Chen",
    "Okafor",
    "Nguyen",
    "Walker",
    "Haddad",
];

/// About 1 MB of varied clinical notes: headings, vitals, medications, and PHI of every kind in
/// roughly the density of a discharge summary.
fn notes() -> String {
    let mut s = String::new();
    let mut i = 0usize;
    while s.len() < 1 << 20 {
        let (f, l) = (FIRST[i % 8], LAST[(i / 8) % 8]);
        let (m, d, y) = (1 + i % 12, 1 + i % 28, 1940 + i % 80);
        s.push_str(&format!(
            "# History of Present Illness\n{f} {l} is a {age}-year-old seen on {m}/{d}/{y} at 10:{mm:02} \
             for chest pain radiating to the left arm. Blood pressure 132/84, heart rate 88, SpO2 97% \
             on room air. Hemoglobin 13.2 g/dL, creatinine 1.1 mg/dL. Take 1/2 tablet of metoprolol \
             25 mg twice daily.\n# Social History\nLives at {n} Oak Street, Springfield, MA 01105 with \
             her husband; call (413) 555-{ph:04} or email {fl}.{ll}@example.com. MRN: {mrn}. \
             Discussed with Dr. {l2} on Jan {d}, {y2}.\n# Assessment and Plan\nType 2 diabetes \
             mellitus, continue metformin 500 mg. Follow up in 2 weeks. No Known Allergies.\n\n",
            age = 30 + i % 70,
            mm = i % 60,
            n = 10 + i % 900,
            ph = i % 10_000,
            fl = f.to_lowercase(),
            ll = l.to_lowercase(),
            mrn = 100_000 + i * 7,
            l2 = LAST[(i + 3) % 8],
            y2 = 2000 + i % 25,
        ));
        i += 1;
    }
    s
}

fn bench(c: &mut Criterion) {
    let text = notes();
    let mut who = PatientIdentity::default();
    who.names.push(PersonName {
        given: vec!["Angelique249".into()],
        family: Some("Gleichner915".into()),
        text: None,
    });
    who.phones.push("555-511-6500".into());
    who.address_lines
        .push("575 Deckow Highlands Suite 90".into());
    let redactor = Redactor::builder().identity(&who).build();
    let phone = regex_floor();
    let mut g = c.benchmark_group("deid");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("redact_all_recognizers", |b| {
        b.iter(|| black_box(redactor.redact(black_box(&text))).spans.len())
    });
    g.bench_function("find_spans_only", |b| {
        b.iter(|| black_box(redactor.find(black_box(&text))).len())
    });
    g.bench_function("floor_single_regex_scan", |b| {
        b.iter(|| phone.find_iter(black_box(&text)).count())
    });
    g.bench_function("floor_copy", |b| b.iter(|| black_box(text.clone()).len()));
    g.finish();
}

fn regex_floor() -> regex::Regex {
    regex::Regex::new(r"\b\d{3}[- ]?\d{2}[- ]?\d{4}\b").unwrap()
}

criterion_group!(benches, bench);
criterion_main!(benches);
