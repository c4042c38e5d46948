//! Lossless round trip over every JSON file of the shared real data: `from_slice::<Resource>` then
//! `to_value` equals the input parsed as a `serde_json::Value`.

use crate::data::{data_dir, files, read};
use medrec_model::Resource;
use serde_json::Value;
use std::path::Path;

/// Checks one JSON document; returns a description of the first difference.
fn round_trip(bytes: &[u8]) -> Result<usize, String> {
    let input: Value = serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
    let resource: Resource = serde_json::from_slice(bytes).map_err(|e| format!("parse: {e}"))?;
    let output = serde_json::to_value(&resource).map_err(|e| format!("serialize: {e}"))?;
    if output != input {
        return Err(format!(
            "differs: {}",
            first_difference(&input, &output, "$")
        ));
    }
    // Decimals keep their text: serializing to a string reproduces every number as written.
    let text = serde_json::to_string(&resource).map_err(|e| format!("serialize: {e}"))?;
    let again: Resource = serde_json::from_str(&text).map_err(|e| format!("re-parse: {e}"))?;
    if again != resource {
        return Err("second round trip differs".into());
    }
    Ok(if let Resource::Bundle(b) = &resource {
        b.entry.len()
    } else {
        1
    })
}

fn first_difference(a: &Value, b: &Value, path: &str) -> String {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                match y.get(k) {
                    None => return format!("{path}.{k} missing in output"),
                    Some(w) if w != v => return first_difference(v, w, &format!("{path}.{k}")),
                    _ => {}
                }
            }
            for k in y.keys() {
                if !x.contains_key(k) {
                    return format!("{path}.{k} added in output");
                }
            }
            format!("{path}: ?")
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                if v != w {
                    return first_difference(v, w, &format!("{path}[{i}]"));
                }
            }
            format!("{path}: ?")
        }
        _ => format!("{path}: {a} vs {b}"),
    }
}

fn check_folder(sub: &str) {
    let Some(dir) = data_dir(sub) else { return };
    let paths = files(&dir, &[".json", ".json.gz"]);
    assert!(!paths.is_empty(), "no JSON files in {}", dir.display());
    // Two threads: the gzipped folder is 250 MB of JSON and the test binary is a debug build.
    let paths: Vec<_> = paths
        .into_iter()
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n == "MANIFEST.json" || n == "manifest.json")
        })
        .collect();
    let (mut failures, mut resources) = (Vec::new(), 0);
    std::thread::scope(|s| {
        let halves: Vec<_> = paths
            .chunks(paths.len().div_ceil(2).max(1))
            .map(|chunk| {
                let dir = &dir;
                s.spawn(move || {
                    let (mut failures, mut resources) = (Vec::new(), 0);
                    for p in chunk {
                        match round_trip(&read(p)) {
                            Ok(n) => resources += n,
                            Err(e) => failures.push(format!("{}: {e}", rel(p, dir))),
                        }
                    }
                    (failures, resources)
                })
            })
            .collect();
        for h in halves {
            let (f, n) = h.join().unwrap();
            failures.extend(f);
            resources += n;
        }
    });
    assert!(
        failures.is_empty(),
        "{} of {} files fail:\n{}",
        failures.len(),
        paths.len(),
        failures.join("\n")
    );
    eprintln!(
        "{sub}: {} files, {resources} resources round-tripped",
        paths.len()
    );
}

fn rel(p: &Path, base: &Path) -> String {
    p.strip_prefix(base).unwrap_or(p).display().to_string()
}

#[test]
fn spec_examples_round_trip() {
    check_folder("fhir-examples/r4-spec-examples");
}

#[test]
fn synthea_plain_bundles_round_trip() {
    check_folder("synthea/r4-bundles-plain");
}

#[test]
fn synthea_us_core_bundles_round_trip() {
    check_folder("synthea/r4-bundles-us-core");
}

#[test]
fn synthea_gzipped_bundles_round_trip() {
    check_folder("synthea/r4-bundles");
}

#[test]
fn bulk_ndjson_lines_round_trip() {
    let Some(dir) = data_dir("synthea/bulk-ndjson") else {
        return;
    };
    let paths = files(&dir, &[".ndjson", ".ndjson.gz"]);
    assert!(!paths.is_empty());
    let mut failures = Vec::new();
    let mut lines = 0;
    for p in &paths {
        for (i, line) in read(p).split(|&b| b == b'\n').enumerate() {
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            lines += 1;
            if let Err(e) = round_trip(line) {
                failures.push(format!("{}:{}: {e}", rel(p, &dir), i + 1));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} lines fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(lines > 1000, "only {lines} NDJSON lines found");
}
