//! PHI labels point at exactly the inserted text, and every Safe Harbor kind occurs.

use crate::population;
use medrec_synth::{PhiKind, PhiSubject};
use std::collections::BTreeMap;

#[test]
fn spans_are_ordered_in_bounds_and_on_char_boundaries() {
    let pop = population(200, 21);
    for p in pop.patients() {
        for e in &p.encounters {
            for n in &e.notes {
                let mut last = 0;
                for s in &n.phi {
                    assert!(s.start < s.end && s.end as usize <= n.text.len());
                    assert!(s.start >= last, "{}: overlapping spans", n.id);
                    assert!(n.text.is_char_boundary(s.start as usize));
                    assert!(n.text.is_char_boundary(s.end as usize));
                    last = s.end;
                }
            }
        }
    }
}

#[test]
fn spans_hold_the_patients_own_identifiers() {
    let pop = population(150, 22);
    for p in pop.patients() {
        for e in &p.encounters {
            for n in &e.notes {
                for s in n.phi.iter().filter(|s| s.subject == PhiSubject::Patient) {
                    let t = s.text(&n.text);
                    match s.kind {
                        PhiKind::Ssn => assert_eq!(t, p.ssn),
                        PhiKind::Email => assert_eq!(t, p.email),
                        PhiKind::Mrn => assert_eq!(Some(t), p.mrn.as_deref()),
                        PhiKind::Account => assert_eq!(t, e.account),
                        PhiKind::Zip => assert_eq!(t, p.address.place.zip),
                        PhiKind::Location => assert!(
                            t == p.address.place.city
                                || t == p.address.place.county.trim_end_matches(" County"),
                            "{t}"
                        ),
                        PhiKind::Address => assert_eq!(t, p.address.line),
                        PhiKind::HealthPlan => assert_eq!(t, p.member_id),
                        PhiKind::License => assert_eq!(t, p.drivers_license),
                        PhiKind::Name => assert!(
                            t.to_ascii_uppercase()
                                .contains(&p.family.to_ascii_uppercase())
                                || t == p.given,
                            "{t}"
                        ),
                        PhiKind::Age => assert!(t.parse::<u32>().unwrap() > 89),
                        PhiKind::Date => assert!(t.chars().any(|c| c.is_ascii_digit())),
                        _ => assert!(!t.trim().is_empty()),
                    }
                }
            }
        }
    }
}

#[test]
fn every_safe_harbor_kind_occurs() {
    let pop = population(300, 23);
    let mut counts: BTreeMap<PhiKind, u64> = BTreeMap::new();
    for p in pop.patients() {
        for e in &p.encounters {
            for n in &e.notes {
                for s in &n.phi {
                    *counts.entry(s.kind).or_default() += 1;
                }
            }
        }
    }
    // A full-face photograph (Q) cannot be written into note text.
    for kind in PhiKind::ALL.into_iter().filter(|&k| k != PhiKind::Photo) {
        assert!(
            counts.get(&kind).copied().unwrap_or(0) >= 5,
            "{kind:?}: {counts:?}"
        );
    }
}
