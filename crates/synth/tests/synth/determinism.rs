//! Same seed ⇒ same population; different seeds differ.

use crate::population;

fn fingerprint(seed: u64) -> String {
    let pop = population(120, seed);
    let mut s = String::new();
    for p in pop.patients() {
        s.push_str(&format!("{p:?}\n"));
    }
    s
}

#[test]
fn same_seed_same_population() {
    assert_eq!(fingerprint(9), fingerprint(9));
}

#[test]
fn different_seeds_differ() {
    assert_ne!(fingerprint(9), fingerprint(10));
}

#[test]
fn households_are_random_access() {
    let pop = population(50, 3);
    let all: Vec<_> = pop.households().collect();
    for i in [0u64, 7, 49] {
        assert_eq!(pop.household(i), all[i as usize]);
    }
}

#[test]
fn ids_are_unique() {
    let pop = population(400, 5);
    let mut ids = std::collections::BTreeSet::new();
    let mut accounts = std::collections::BTreeSet::new();
    let mut mrns = std::collections::BTreeSet::new();
    for p in pop.patients() {
        assert!(ids.insert(p.id.clone()), "patient {}", p.id);
        if let Some(m) = &p.mrn {
            assert!(mrns.insert(m.clone()), "mrn {m}");
        }
        for e in &p.encounters {
            assert!(ids.insert(e.id.clone()), "encounter {}", e.id);
            assert!(accounts.insert(e.account.clone()), "account {}", e.account);
            for n in &e.notes {
                assert!(ids.insert(n.id.clone()), "note {}", n.id);
            }
            for pr in &e.procedures {
                assert!(ids.insert(pr.id.clone()), "procedure {}", pr.id);
            }
        }
    }
}

#[test]
fn every_patient_has_an_encounter() {
    for seed in [1, 2, 3] {
        for p in population(300, seed).patients() {
            assert!(!p.encounters.is_empty(), "{} has no encounter", p.id);
        }
    }
}
