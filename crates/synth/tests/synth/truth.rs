//! The ground truth is consistent with itself and with the records.

use crate::population;
use medrec_synth::{DeficiencyRule, EncounterClass, TruthBuilder};

#[test]
fn census_balances_per_unit_and_day() {
    for seed in [1, 2, 3] {
        let truth = population(600, seed).truth();
        truth.check_census_balance().unwrap();
        // The census is not trivially empty.
        let isd: u64 = truth.all().total.inpatient_service_days;
        assert!(isd > 100, "seed {seed}: {isd} service days");
    }
}

#[test]
fn service_days_equal_length_of_stay_of_stays_inside_the_period() {
    // For every stay admitted and discharged inside the period, its length of stay (same-day = 1)
    // is exactly its contribution to the service days, so summing the two must agree for them.
    let pop = population(300, 11);
    let from = pop.config().from;
    let to = pop.config().to;
    let mut los = 0i64;
    let mut only_inside = TruthBuilder::new(&pop);
    for h in pop.households() {
        for p in &h.patients {
            let mut q = p.clone();
            q.encounters.retain(|e| {
                e.class == EncounterClass::Inpatient
                    && pop.local_date(e.start) >= from
                    && pop.local_date(e.end) < to
            });
            for e in &q.encounters {
                los += (pop.local_date(e.end) - pop.local_date(e.start))
                    .get_days()
                    .max(1) as i64;
            }
            only_inside.add_patient(&q);
        }
    }
    let truth = only_inside.finish();
    assert_eq!(truth.all().total.inpatient_service_days as i64, los);
    assert_eq!(truth.all().total.total_length_of_stay as i64, los);
}

#[test]
fn counts_match_daily_rows() {
    let truth = population(500, 4).truth();
    let all = truth.all();
    let adm: u64 = truth
        .census
        .iter()
        .flat_map(|u| &u.days)
        .map(|d| d.admissions as u64)
        .sum();
    let dis: u64 = truth
        .census
        .iter()
        .flat_map(|u| &u.days)
        .map(|d| d.discharges as u64)
        .sum();
    let dth: u64 = truth
        .census
        .iter()
        .flat_map(|u| &u.days)
        .map(|d| d.deaths as u64)
        .sum();
    assert_eq!(adm, all.total.admissions);
    assert_eq!(dis, all.total.discharges);
    assert_eq!(dth, all.total.deaths);
    let tin: u64 = truth
        .census
        .iter()
        .flat_map(|u| &u.days)
        .map(|d| d.transfers_in as u64)
        .sum();
    let tout: u64 = truth
        .census
        .iter()
        .flat_map(|u| &u.days)
        .map(|d| d.transfers_out as u64)
        .sum();
    assert_eq!(tin, all.total.transfers_between_units);
    assert!(tout <= tin + 20 && tin <= tout + 20);
    // Live births equal the newborn admissions born in the period.
    assert_eq!(all.newborn.births, all.newborn.admissions);
}

#[test]
fn deficiencies_are_inpatient_only_and_reference_real_items() {
    let pop = population(500, 8);
    let mut seen = std::collections::BTreeSet::new();
    for p in pop.patients() {
        for e in &p.encounters {
            if e.class != EncounterClass::Inpatient {
                assert!(e.deficiencies.is_empty());
                continue;
            }
            for d in &e.deficiencies {
                seen.insert(d.rule);
                if let Some(doc) = &d.document {
                    assert!(e.notes.iter().any(|n| &n.id == doc));
                }
                if let Some(code) = &d.code {
                    assert!(e.diagnoses.iter().any(|x| x.code == code));
                }
                if let Some(pr) = &d.procedure {
                    assert!(e.procedures.iter().any(|x| &x.id == pr && x.operative));
                }
                if d.rule == DeficiencyRule::CodeEdit {
                    assert!(d.detail.is_some());
                }
            }
        }
    }
    for rule in [
        DeficiencyRule::HpMissing,
        DeficiencyRule::HpLate,
        DeficiencyRule::DischargeSummaryMissing,
        DeficiencyRule::DocumentUnsigned,
        DeficiencyRule::DocumentNotFinal,
        DeficiencyRule::PoaMissing,
    ] {
        assert!(
            seen.contains(&rule),
            "{rule:?} never injected in 500 patients"
        );
    }
}

#[test]
fn zero_rates_give_no_deficiencies() {
    let mut cfg = medrec_synth::PopulationConfig {
        patients: 300,
        ..medrec_synth::PopulationConfig::demo()
    };
    cfg.coding = medrec_synth::CodingRates {
        invalid: 0.0,
        header: 0.0,
        sex_conflict: 0.0,
        age_conflict: 0.0,
        manifestation_principal: 0.0,
        poa_missing: 0.0,
        principal_missing: 0.0,
    };
    let d = &mut cfg.documentation;
    d.hp_missing = 0.0;
    d.hp_late = 0.0;
    d.hp_after_surgery = 0.0;
    d.operative_report_missing = 0.0;
    d.discharge_summary_missing = 0.0;
    d.progress_note_missing = 0.0;
    d.unsigned = 0.0;
    d.not_final = 0.0;
    d.consent_missing = 0.0;
    d.attending_missing = 0.0;
    d.admit_source_missing = 0.0;
    d.disposition_missing = 0.0;
    d.patient_identification_missing = 0.0;
    let pop = medrec_synth::Population::new(cfg).unwrap();
    for p in pop.patients() {
        for e in &p.encounters {
            assert!(e.deficiencies.is_empty(), "{}: {:?}", e.id, e.deficiencies);
        }
    }
}
