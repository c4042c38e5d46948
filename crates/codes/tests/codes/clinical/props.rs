//! Property tests: adding codes never removes a flag before the hierarchy; scores stay in range;
//! the CSV reader and code parser never panic.

use medrec_codes::clinical::{
    CharlsonFlags, CharlsonWeights, ComorbidityScorer, DxKey, ElixhauserFlags, PatientCsvReader,
    Poa, QuanElixhauserFlags,
};
use proptest::prelude::*;

/// Codes from the tables plus neighbours and junk, so that flags actually fire.
fn code() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "I50.22", "I11.0", "I13.2", "E11.9", "E11.22", "E11.65", "N18.4", "N18.30", "C78.7",
            "C18.9", "D05.10", "C91.00", "K70.30", "K76.6", "I63.9", "I69.351", "G81.94", "F32.9",
            "F10.20", "B20", "Z21", "I10", "J44.9", "E66.01", "D50.0", "D50.9", "I21.4", "I25.2",
            "G30.9", "M06.9", "K25.4", "I73.9", "E03.9", "R62.7", "I48.0", "F20.9", "I26.99",
            "Z99.2",
        ])
        .prop_map(str::to_string),
        "[A-Z][0-9][0-9A-Z]{1,5}",
        ".{0,9}",
    ]
}

fn poa() -> impl Strategy<Value = Poa> {
    prop::sample::select(vec![
        Poa::Y,
        Poa::N,
        Poa::U,
        Poa::W,
        Poa::Exempt,
        Poa::Missing,
    ])
}

proptest! {
    #[test]
    fn adding_codes_never_removes_a_flag_before_hierarchy(
        base in prop::collection::vec((code(), poa()), 1..12),
        extra in prop::collection::vec((code(), poa()), 0..8),
    ) {
        let scorer = ComorbidityScorer::new();
        let elix = medrec_codes::clinical::Elixhauser::embedded();
        let raw = |dx: &[(String, Poa)]| {
            let mut acc = medrec_codes::clinical::ElixhauserAccumulator::default();
            for (c, p) in dx.iter().skip(1) {
                if let Some(k) = DxKey::parse(c) {
                    elix.add(&mut acc, k, *p, Default::default());
                }
            }
            let ch = medrec_codes::clinical::Charlson::embedded();
            let mut cf = 0u32;
            for (c, _) in dx {
                for cond in ch.code_conditions(c).iter() { cf |= 1 << cond as u32; }
            }
            (acc.before_hierarchy(), cf)
        };
        let mut more = base.clone();
        more.extend(extra);
        let (a1, c1) = raw(&base);
        let (a2, c2) = raw(&more);
        prop_assert!(a1.is_subset(a2));
        prop_assert_eq!(c1 & !c2, 0);
        // After the hierarchy, scores stay in their possible ranges.
        let refs: Vec<(&str, Poa)> = more.iter().map(|(c, p)| (c.as_str(), *p)).collect();
        let s = scorer.score_batch([&refs[..]])[0];
        let (mlo, mhi) = ElixhauserFlags::mortality_range();
        let (rlo, rhi) = ElixhauserFlags::readmission_range();
        prop_assert!((mlo..=mhi).contains(&s.elixhauser_mortality));
        prop_assert!((rlo..=rhi).contains(&s.elixhauser_readmission));
        prop_assert!(s.charlson_score <= CharlsonFlags::max_score(CharlsonWeights::Charlson1987));
        prop_assert!(s.charlson_score_quan2011 <= CharlsonFlags::max_score(CharlsonWeights::Quan2011));
        let (vlo, vhi) = QuanElixhauserFlags::van_walraven_range();
        prop_assert!((vlo..=vhi).contains(&s.van_walraven));
    }

    #[test]
    fn dx_key_round_trips(c in "[A-Z][0-9][0-9A-Z]{1,5}") {
        let k = DxKey::parse(&c).unwrap();
        prop_assert_eq!(k.to_string(), c.clone());
        prop_assert_eq!(DxKey::parse(&k.dotted()), Some(k));
        prop_assert_eq!(k.len(), c.len());
    }

    #[test]
    fn csv_reader_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let mut input = b"patient_id,code,poa\n".to_vec();
        input.extend(bytes);
        for item in PatientCsvReader::new(&input[..]) {
            if let Err(e) = item { prop_assert!(e.line() >= 1); }
        }
    }
}
