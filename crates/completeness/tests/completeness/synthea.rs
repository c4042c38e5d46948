//! The review on the Synthea bundles of the shared data (`synthea/r4-bundles*`): it runs
//! without error on every bundle and its findings are what the data implies.

use medrec_completeness::{CareSetting, ReviewSummary, Reviewer};
use medrec_model::{PatientRecord, Resource};
use std::path::{Path, PathBuf};

fn data_root() -> Option<PathBuf> {
    let root = std::env::var_os("MEDREC_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data")).to_path_buf()
        });
    if root.join("synthea").is_dir() {
        return Some(root);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!(
            "shared data not found at {} (set MEDREC_DATA); CI requires it",
            root.display()
        );
    }
    eprintln!(
        "note: shared data not found at {}; skipping",
        root.display()
    );
    None
}

fn bundle_files(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["r4-bundles", "r4-bundles-plain", "r4-bundles-us-core"] {
        let Ok(rd) = std::fs::read_dir(root.join("synthea").join(dir)) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name != "MANIFEST.json" && (name.ends_with(".json") || name.ends_with(".json.gz")) {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn synthea_bundles_review_without_error() {
    let Some(root) = data_root() else { return };
    let files = bundle_files(&root);
    assert_eq!(files.len(), 220, "the shared data has 220 Synthea bundles");
    let reviewer = Reviewer::new();
    let mut summary = ReviewSummary::default();
    let mut by_setting = std::collections::BTreeMap::<CareSetting, u64>::new();
    for f in &files {
        let bytes = std::fs::read(f).expect("readable");
        let bytes = medrec_model::parse::gunzip_if_needed(&bytes).expect("gzip");
        let resource =
            medrec_model::parse_resource(&bytes).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let Resource::Bundle(bundle) = resource else {
            panic!("{}: not a Bundle", f.display())
        };
        let record = PatientRecord::from_bundle(*bundle);
        let review = reviewer.review(&record);
        assert_eq!(review.encounters.len(), record.encounter_count());
        for e in &review.encounters {
            *by_setting.entry(e.setting).or_default() += 1;
            for d in &e.deficiencies {
                // Only encounter.class applies outside inpatient stays by default.
                assert!(
                    e.setting == CareSetting::Inpatient || d.rule == "encounter.class",
                    "{}: {} on a {} encounter",
                    f.display(),
                    d.rule,
                    e.setting
                );
                assert!(!d.path.is_empty() && !d.message.is_empty());
                assert_eq!(d.encounter, e.encounter);
            }
            summary.add(e);
        }
    }
    eprintln!(
        "Synthea review summary: {}",
        serde_json::to_string_pretty(&summary).expect("serializes")
    );
    // Facts of the shared data (data/README.md): 6,964 encounters, 222 of them IMP.
    assert_eq!(summary.encounters, 6964);
    assert_eq!(by_setting.get(&CareSetting::Inpatient), Some(&222));
    let count = |rule: &str| summary.by_rule.get(rule).map_or(0, |r| r.deficiencies);
    // Synthea names the clinician a primary performer (PPRF), never an attending (ATND).
    assert_eq!(count("encounter.attending"), 222);
    // No ICD-10 code occurs anywhere in the data: the code rules find nothing to check.
    for rule in [
        "code.invalid",
        "code.not-billable",
        "code.edit",
        "poa.missing",
    ] {
        assert_eq!(count(rule), 0, "{rule}");
    }
    // Synthea writes neither admit source nor discharge disposition.
    assert_eq!(count("encounter.admit-source"), 222);
    // Every stay has a period and a class.
    assert_eq!(count("encounter.class"), 0);
    assert_eq!(count("encounter.period"), 0);
    // At most one H&P / discharge summary deficiency per stay.
    assert!(count("hp.missing") <= 222 && count("discharge-summary.missing") <= 222);
}
