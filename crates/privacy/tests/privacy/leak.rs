//! Leak test over every Synthea bundle and the bulk NDJSON export in `../shared/data`: after Safe
//! Harbor no name, street line, city, phone, e-mail or identifier value of the input Patients
//! appears anywhere in the output (base64 note text decoded; whole words, any case), no full date
//! remains, and the output still parses with `medrec-model` and its references resolve.

use crate::support::data_dir;
use base64::Engine as _;
use medrec_privacy::record::{DeidConfig, Deidentifier};
use regex::Regex;
use serde_json::Value;
use std::collections::HashSet;
use std::io::Read;
use std::path::Path;

/// The identifying strings of the Patients in `v` (a bundle or a resource).
pub fn patient_terms(v: &Value, out: &mut Vec<String>) {
    match v.get("resourceType").and_then(Value::as_str) {
        Some("Bundle") => {
            for e in v["entry"].as_array().into_iter().flatten() {
                patient_terms(&e["resource"], out);
            }
        }
        Some("Patient") => {
            let s = |x: &Value| x.as_str().map(str::to_string);
            for n in v["name"].as_array().into_iter().flatten() {
                out.extend(n["given"].as_array().into_iter().flatten().filter_map(s));
                out.extend(s(&n["family"]));
                out.extend(s(&n["text"]));
            }
            for a in v["address"].as_array().into_iter().flatten() {
                out.extend(a["line"].as_array().into_iter().flatten().filter_map(s));
                out.extend(s(&a["city"]));
            }
            for t in v["telecom"].as_array().into_iter().flatten() {
                out.extend(s(&t["value"]));
            }
            for i in v["identifier"].as_array().into_iter().flatten() {
                out.extend(s(&i["value"]));
            }
            out.extend(s(&v["id"]));
        }
        _ => {}
    }
}

/// The output bytes plus the decoded text of every base64 attachment.
pub fn haystack(v: &Value) -> String {
    let mut h = serde_json::to_string(v).unwrap();
    fn walk(v: &Value, h: &mut String) {
        match v {
            Value::Object(o) => {
                if let (Some(Value::String(d)), Some(_)) = (o.get("data"), o.get("contentType")) {
                    let bytes = base64::engine::general_purpose::STANDARD
                        .decode(d)
                        .expect("attachment data stays base64");
                    h.push('\n');
                    h.push_str(&String::from_utf8_lossy(&bytes));
                }
                o.values().for_each(|x| walk(x, h));
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, h)),
            _ => {}
        }
    }
    walk(v, &mut h);
    h
}

/// Whole-word, ASCII-case-insensitive occurrences of `term` in `hay` (lowercased).
pub fn contains_word(hay_lower: &str, term: &str) -> bool {
    let t = term.to_ascii_lowercase();
    if t.len() < 3 {
        return false;
    }
    let hb = hay_lower.as_bytes();
    let mut from = 0;
    while let Some(i) = hay_lower[from..].find(&t) {
        let s = from + i;
        let e = s + t.len();
        let left = s == 0
            || !hb[s - 1].is_ascii_alphanumeric()
            || !t.as_bytes()[0].is_ascii_alphanumeric();
        let right = e == hb.len()
            || !hb[e].is_ascii_alphanumeric()
            || !t.as_bytes()[t.len() - 1].is_ascii_alphanumeric();
        if left && right {
            return true;
        }
        from = s + 1;
        while !hay_lower.is_char_boundary(from) {
            from += 1;
        }
    }
    false
}

/// Full dates in any common layout.
pub fn full_date_regex() -> Regex {
    Regex::new(
        r"(?i)\b(?:1[89]|20)\d\d-(?:0[1-9]|1[0-2])(?:-\d\d)?\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}(?:st|nd|rd|th)?\b",
    )
    .unwrap()
}

/// Every reference in `v` resolves inside the output set.
pub fn check_links(v: &Value, full_urls: &HashSet<String>, typed: &HashSet<String>, what: &str) {
    let types: HashSet<&str> = typed.iter().filter_map(|t| t.split('/').next()).collect();
    check_links_in(v, full_urls, typed, &types, what);
}

fn check_links_in(
    v: &Value,
    full_urls: &HashSet<String>,
    typed: &HashSet<String>,
    types: &HashSet<&str>,
    what: &str,
) {
    match v {
        Value::Object(o) => {
            if let Some(Value::String(r)) = o.get("reference") {
                let ok = if r.starts_with("urn:uuid:") {
                    full_urls.contains(r)
                } else if r.starts_with('#') {
                    true
                } else {
                    // Only types present in the output can be checked (the bulk sample lacks
                    // Encounter and other large files).
                    !types.contains(r.split('/').next().unwrap_or("")) || typed.contains(r)
                };
                assert!(ok, "{what}: dangling reference {r}");
            }
            o.values()
                .for_each(|x| check_links_in(x, full_urls, typed, types, what));
        }
        Value::Array(a) => a
            .iter()
            .for_each(|x| check_links_in(x, full_urls, typed, types, what)),
        _ => {}
    }
}

/// Attachments with text content and data.
pub fn count_text_attachments(v: &Value) -> usize {
    match v {
        Value::Object(o) => {
            let here = usize::from(
                o.get("data").is_some_and(Value::is_string)
                    && o.get("contentType")
                        .and_then(Value::as_str)
                        .is_some_and(|c| c.starts_with("text/")),
            );
            here + o.values().map(count_text_attachments).sum::<usize>()
        }
        Value::Array(a) => a.iter().map(count_text_attachments).sum(),
        _ => 0,
    }
}

fn read(path: &Path) -> Vec<u8> {
    let raw = std::fs::read(path).unwrap();
    if path.extension().is_some_and(|e| e == "gz") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .unwrap();
        out
    } else {
        raw
    }
}

fn floor(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn check_output(out: &Value, terms: &[String], dates: &Regex, what: &str) {
    let hay = haystack(out).to_ascii_lowercase();
    for t in terms {
        assert!(!contains_word(&hay, t), "{what}: {t:?} leaks");
    }
    if let Some(m) = dates.find(&hay) {
        let from = m.start().saturating_sub(60);
        panic!(
            "{what}: full date {:?} remains near {:?}",
            m.as_str(),
            &hay[floor(&hay, from)..floor(&hay, m.end() + 20)]
        );
    }
}

#[test]
fn synthea_bundles_leak_nothing_and_still_link() {
    let Some(data) = data_dir() else { return };
    let dates = full_date_regex();
    let mut n = 0;
    for folder in ["r4-bundles", "r4-bundles-plain", "r4-bundles-us-core"] {
        let dir = data.join("synthea").join(folder);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .filter(|p| {
                let n = p.file_name().unwrap().to_string_lossy();
                n != "MANIFEST.json" && (n.ends_with(".json") || n.ends_with(".json.gz"))
            })
            .collect();
        files.sort();
        for f in files {
            let what = f.display().to_string();
            let input: Value = serde_json::from_slice(&read(&f)).unwrap();
            let mut terms = Vec::new();
            patient_terms(&input, &mut terms);
            assert!(!terms.is_empty(), "{what}: no patient");
            let mut deid = Deidentifier::new(DeidConfig::safe_harbor(), None).unwrap();
            let input_copy = input.clone();
            let out = deid.deidentify(input).unwrap().expect("a bundle stays");
            check_output(&out, &terms, &dates, &what);
            // Text notes are redacted, not dropped.
            let notes_in = count_text_attachments(&input_copy);
            let notes_out = count_text_attachments(&out);
            assert_eq!(notes_in, notes_out, "{what}: text attachments lost");
            // Parses with the model, entry by entry, and links.
            let mut full_urls = HashSet::new();
            let mut typed = HashSet::new();
            for e in out["entry"].as_array().unwrap() {
                if let Some(u) = e["fullUrl"].as_str() {
                    full_urls.insert(u.to_string());
                }
                let r = &e["resource"];
                typed.insert(format!(
                    "{}/{}",
                    r["resourceType"].as_str().unwrap(),
                    r["id"].as_str().unwrap_or("")
                ));
                let bytes = serde_json::to_vec(r).unwrap();
                medrec_model::parse_resource(&bytes)
                    .unwrap_or_else(|e| panic!("{what}: output does not parse: {e}"));
            }
            check_links(&out, &full_urls, &typed, &what);
            n += 1;
        }
    }
    assert!(n >= 220, "expected the 220 shared bundles, saw {n}");
}

#[test]
fn bulk_ndjson_leaks_nothing_and_still_links() {
    let Some(data) = data_dir() else { return };
    let dir = data.join("synthea").join("bulk-ndjson");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".ndjson"))
        .collect();
    files.sort();
    let mut inputs = Vec::new();
    for f in &files {
        let text = String::from_utf8(read(f)).unwrap();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            inputs.push(serde_json::from_str::<Value>(line).unwrap());
        }
    }
    let mut terms = Vec::new();
    let mut deid = Deidentifier::new(DeidConfig::safe_harbor(), None).unwrap();
    for v in &inputs {
        patient_terms(v, &mut terms);
        deid.learn(v);
    }
    assert!(terms.len() > 100);
    let dates = full_date_regex();
    let mut outputs = Vec::new();
    for v in inputs {
        if let Some(o) = deid.deidentify(v).unwrap() {
            outputs.push(o);
        }
    }
    let typed: HashSet<String> = outputs
        .iter()
        .map(|r| {
            format!(
                "{}/{}",
                r["resourceType"].as_str().unwrap(),
                r["id"].as_str().unwrap()
            )
        })
        .collect();
    let all = Value::Array(outputs);
    check_output(&all, &terms, &dates, "bulk-ndjson");
    for r in all.as_array().unwrap() {
        medrec_model::parse_resource(&serde_json::to_vec(r).unwrap()).expect("output parses");
    }
    // References between files resolve (Patient/…, Organization/…, Location/…), except
    // conditional references, which are removed.
    check_links(&all, &HashSet::new(), &typed, "bulk-ndjson");
}
