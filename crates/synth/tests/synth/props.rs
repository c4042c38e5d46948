//! Property tests over seeds and rates: the truth's invariants hold for any configuration.

use medrec_synth::{Population, PopulationConfig};
use proptest::prelude::*;

fn config(seed: u64, death: f64, icu: f64, same_day: f64, missing: f64) -> PopulationConfig {
    let mut c = PopulationConfig {
        patients: 40,
        seed,
        ..PopulationConfig::demo()
    };
    c.stays.death = death;
    c.stays.icu = icu;
    c.stays.same_day = same_day;
    c.documentation.hp_missing = missing;
    c.documentation.unsigned = missing;
    c
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    #[test]
    fn census_balances_and_spans_are_exact(
        seed in any::<u64>(),
        death in 0.0f64..0.5,
        icu in 0.0f64..1.0,
        same_day in 0.0f64..0.5,
        missing in 0.0f64..0.5,
    ) {
        let pop = Population::new(config(seed, death, icu, same_day, missing)).unwrap();
        let truth = pop.truth();
        prop_assert!(truth.check_census_balance().is_ok(), "{:?}", truth.check_census_balance());
        for p in pop.patients() {
            let mut last_end = i64::MIN;
            for e in &p.encounters {
                // A patient's encounters never overlap and each unit history is contiguous.
                prop_assert!(e.start >= last_end, "{} overlaps", e.id);
                prop_assert!(e.end > e.start);
                last_end = e.end;
                for w in e.units.windows(2) {
                    prop_assert_eq!(w[0].end, w[1].start);
                }
                if let (Some(first), Some(last)) = (e.units.first(), e.units.last()) {
                    prop_assert_eq!(first.start, e.start);
                    prop_assert_eq!(last.end, e.end);
                }
                for n in &e.notes {
                    for s in &n.phi {
                        prop_assert!(s.end as usize <= n.text.len() && s.start < s.end);
                        prop_assert!(n.text.is_char_boundary(s.start as usize) && n.text.is_char_boundary(s.end as usize));
                    }
                }
            }
        }
    }
}
