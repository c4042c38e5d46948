//! Realised shares are within tolerance of the configured rates.

use medrec_synth::{EncounterClass, Population, PopulationConfig};

#[test]
fn shares_follow_the_configuration() {
    let cfg = PopulationConfig {
        patients: 6000,
        seed: 77,
        ..PopulationConfig::default()
    };
    let stays = cfg.stays.clone();
    let docs = cfg.documentation.clone();
    let pop = Population::new(cfg).unwrap();
    let (mut inpatient, mut deliveries, mut cesareans, mut deaths, mut early, mut same_day) =
        (0f64, 0f64, 0f64, 0f64, 0f64, 0f64);
    let (mut notes, mut unsigned, mut preliminary, mut hp_missing, mut adult_stays) =
        (0f64, 0f64, 0f64, 0f64, 0f64);
    let (mut over_89, mut patients) = (0f64, 0f64);
    for p in pop.patients() {
        if p.mother.is_none() {
            patients += 1.0;
            if p.age_on(pop.config().from) > 89 {
                over_89 += 1.0;
            }
        }
        for e in &p.encounters {
            if e.class != EncounterClass::Inpatient {
                continue;
            }
            inpatient += 1.0;
            if !e.newborn && e.delivery.is_none() {
                adult_stays += 1.0;
            }
            if pop.local_date(e.start) == pop.local_date(e.end) && !e.newborn {
                same_day += 1.0;
            }
            if let Some(d) = e.delivery {
                deliveries += 1.0;
                cesareans += f64::from(u8::from(d.cesarean));
            }
            if e.death.is_some() && !e.newborn {
                deaths += 1.0;
                if e.end - e.start < 48 * 3600 {
                    early += 1.0;
                }
            }
            if !e
                .notes
                .iter()
                .any(|n| n.kind == medrec_synth::NoteKind::HistoryAndPhysical)
            {
                hp_missing += 1.0;
            }
            for n in &e.notes {
                notes += 1.0;
                unsigned += f64::from(u8::from(n.authenticator.is_none()));
                preliminary += f64::from(u8::from(!n.is_final));
            }
        }
    }
    let near = |name: &str, got: f64, want: f64, tol: f64| {
        assert!(
            (got - want).abs() <= tol,
            "{name}: got {got:.4}, configured {want:.4} (±{tol})"
        );
    };
    near("cesarean", cesareans / deliveries, stays.cesarean, 0.06);
    near("unsigned", unsigned / notes, docs.unsigned, 0.01);
    near("not final", preliminary / notes, docs.not_final, 0.01);
    near("hp missing", hp_missing / inpatient, docs.hp_missing, 0.015);
    near("over 89", over_89 / patients, stays.over_89, 0.015);
    // Same-day stays: the configured share of non-transfer stays plus early deaths on day one.
    near("same day", same_day / inpatient, stays.same_day, 0.02);
    // Deaths: the configured rate, doubled over 75 (so between 1× and 2×).
    let death_rate = deaths / adult_stays;
    assert!(
        death_rate > stays.death * 0.8 && death_rate < stays.death * 2.2,
        "death rate {death_rate}"
    );
    near(
        "deaths under 48h",
        early / deaths,
        stays.death_under_48h,
        0.12,
    );
}
