//! On `medrec-synth` populations the review finds exactly the injected deficiencies — no miss,
//! no false alarm — at several injection rates and seeds.

use medrec_completeness::{Deficiency, ReviewConfig, Reviewer, RuleSet};
use medrec_model::PatientRecord;
use medrec_synth::{InjectedDeficiency, Population, PopulationConfig};
use std::collections::BTreeMap;

/// A deficiency reduced to what the synth truth records.
type Key = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn resource_id(path: &str, resource_type: &str) -> Option<String> {
    let rest = path.strip_prefix(resource_type)?.strip_prefix('/')?;
    Some(rest.split('.').next().unwrap_or(rest).to_string())
}

/// The synth truth names MCE edits by family; medrec-codes by edit id.
fn edit_family(edit: &str) -> String {
    match edit {
        "sex_conflict_dx" | "sex_conflict_proc" => "sex-conflict".into(),
        e if e.starts_with("age_conflict_") => "age-conflict".into(),
        "manifestation_principal" => "manifestation-principal".into(),
        other => other.to_string(),
    }
}

fn key_of_found(encounter: &str, d: &Deficiency) -> Key {
    let (document, code, procedure, detail) = match d.rule.as_str() {
        "document.unsigned" | "document.not-final" => {
            // Synth writes a share of notes as Compositions (same facts, other resource).
            let document = resource_id(&d.path, "DocumentReference")
                .or_else(|| resource_id(&d.path, "Composition"));
            (document, None, None, None)
        }
        "code.invalid" | "code.not-billable" | "poa.missing" => (None, d.code.clone(), None, None),
        "code.edit" => (
            None,
            d.code.clone(),
            None,
            d.detail.as_deref().map(edit_family),
        ),
        "operative-report.missing" | "consent.missing" => {
            (None, None, resource_id(&d.path, "Procedure"), None)
        }
        _ => (None, None, None, None),
    };
    (
        encounter.to_string(),
        d.rule.clone(),
        document,
        code,
        procedure,
        detail,
    )
}

fn key_of_truth(encounter: &str, t: &InjectedDeficiency) -> Key {
    let rule = serde_json::to_value(t.rule)
        .expect("rule serializes")
        .as_str()
        .expect("rule is a string")
        .to_string();
    (
        encounter.to_string(),
        rule,
        t.document.clone(),
        t.code.clone(),
        t.procedure.clone(),
        t.detail.clone(),
    )
}

/// The review configuration for synth populations: the synth generator's own POA-exempt list
/// (Z37, Z38, Z3A, Y92; see `medrec_synth::coding::poa_exempt`), which is narrower than
/// medrec-completeness's default approximation of the CMS list (that also exempts Z79, Z80–Z87 …).
fn synth_reviewer() -> Reviewer {
    let config = ReviewConfig::from_toml_str(
        r#"
        [coding]
        poa_exempt = ["Z37", "Z38", "Z3A", "Y92"]
        "#,
    )
    .expect("valid configuration");
    Reviewer::with_config(RuleSet::default_inpatient(), config).expect("valid configuration")
}

struct Outcome {
    encounters: usize,
    injected: usize,
    misses: Vec<Key>,
    false_alarms: Vec<Key>,
}

fn compare(config: PopulationConfig, reviewer: &Reviewer) -> Outcome {
    let population = Population::new(config).expect("valid population config");
    let mut out = Outcome {
        encounters: 0,
        injected: 0,
        misses: Vec::new(),
        false_alarms: Vec::new(),
    };
    for household in population.households() {
        for patient in &household.patients {
            let record = PatientRecord::from_bundle(population.patient_bundle(patient));
            let review = reviewer.review(&record);
            let mut found: BTreeMap<Key, i32> = BTreeMap::new();
            for er in &review.encounters {
                let enc = er.encounter.clone().unwrap_or_default();
                for d in &er.deficiencies {
                    *found.entry(key_of_found(&enc, d)).or_default() += 1;
                }
            }
            for enc in &patient.encounters {
                out.encounters += 1;
                for t in &enc.deficiencies {
                    out.injected += 1;
                    *found.entry(key_of_truth(&enc.id, t)).or_default() -= 1;
                }
            }
            for (k, n) in found {
                for _ in 0..n.max(0) {
                    out.false_alarms.push(k.clone());
                }
                for _ in 0..(-n).max(0) {
                    out.misses.push(k.clone());
                }
            }
        }
    }
    out
}

fn scaled(seed: u64, patients: u64, factor: f64) -> PopulationConfig {
    let mut c = PopulationConfig {
        seed,
        patients,
        ..PopulationConfig::demo()
    };
    let d = &mut c.documentation;
    d.note_text = false;
    for r in [
        &mut d.hp_missing,
        &mut d.hp_late,
        &mut d.hp_after_surgery,
        &mut d.operative_report_missing,
        &mut d.discharge_summary_missing,
        &mut d.progress_note_missing,
        &mut d.unsigned,
        &mut d.not_final,
        &mut d.consent_missing,
        &mut d.attending_missing,
        &mut d.admit_source_missing,
        &mut d.disposition_missing,
        &mut d.patient_identification_missing,
    ] {
        *r = (*r * factor).min(0.9);
    }
    let k = &mut c.coding;
    for r in [
        &mut k.invalid,
        &mut k.header,
        &mut k.sex_conflict,
        &mut k.age_conflict,
        &mut k.manifestation_principal,
        &mut k.poa_missing,
        &mut k.principal_missing,
    ] {
        *r = (*r * factor).min(0.9);
    }
    c
}

fn assert_exact(seed: u64, patients: u64, factor: f64) {
    let o = compare(scaled(seed, patients, factor), &synth_reviewer());
    assert!(o.encounters > 0);
    if factor > 0.0 {
        assert!(
            o.injected > 0,
            "seed {seed} factor {factor}: nothing injected"
        );
    } else {
        assert_eq!(o.injected, 0, "a zero rate injects nothing");
    }
    assert!(
        o.misses.is_empty() && o.false_alarms.is_empty(),
        "seed {seed}, rates x{factor}: {} encounters, {} injected; {} missed (first {:?}), {} false alarms (first {:?})",
        o.encounters,
        o.injected,
        o.misses.len(),
        o.misses.iter().take(5).collect::<Vec<_>>(),
        o.false_alarms.len(),
        o.false_alarms.iter().take(5).collect::<Vec<_>>(),
    );
}

#[test]
fn clean_population_has_no_deficiency() {
    assert_exact(11, 150, 0.0);
}

#[test]
fn default_rates_seed_2025() {
    assert_exact(2025, 300, 1.0);
}

#[test]
fn five_times_the_default_rates_seed_7() {
    assert_exact(7, 250, 5.0);
}

#[test]
fn heavy_injection_seed_99() {
    assert_exact(99, 200, 15.0);
}
