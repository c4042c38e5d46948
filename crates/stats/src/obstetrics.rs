//! Obstetric facts read from codes: deliveries, cesareans, birth outcomes, maternal deaths.
//!
//! Sources:
//! - Deliveries and cesareans: ICD-10-PCS, section 1 (Obstetrics), body system 0 (Pregnancy):
//!   root operation D (Extraction) on the products of conception — `10D00Z0` (high/classical),
//!   `10D00Z1` (low/cervical), `10D00Z2` (extraperitoneal) are cesarean sections; `10D07Z*`
//!   (extraction, via natural opening: forceps, vacuum, internal version …) and root operation
//!   E (Delivery) `10E0XZZ` (manually assisted delivery) are vaginal deliveries
//!   (CMS ICD-10-PCS tables; `fhir-him-mapping.md`).
//! - Birth outcomes: ICD-10-CM category `Z37` "Outcome of delivery", coded on the mother's
//!   record (ICD-10-CM Official Guidelines I.C.15.b.5 and the tabular list).
//! - Obstetric stays and direct maternal deaths: ICD-10-CM chapter 15 (`O00`–`O9A`); `O00`–`O95`
//!   are direct obstetric causes, `O98`–`O99` indirect, `O96`–`O97` late (WHO ICD-10 maternal
//!   mortality groups). A stay ending in death with a direct obstetric code is counted as a direct
//!   maternal death — an approximation: the official count needs the certified cause of death.

use crate::stay::{Delivery, Stay};

/// The delivery a PCS code records, if any.
pub fn delivery_of_pcs(code: &str) -> Option<Delivery> {
    let c = normalize(code);
    match c.as_str() {
        "10D00Z0" | "10D00Z1" | "10D00Z2" => Some(Delivery::Cesarean),
        "10E0XZZ" => Some(Delivery::Vaginal),
        _ if c.len() == 7 && c.starts_with("10D07Z") => Some(Delivery::Vaginal),
        _ => None,
    }
}

/// One row of the `Z37` outcome-of-delivery table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BirthOutcome {
    /// Live-born infants.
    pub live: u16,
    /// Stillborn infants (fetal deaths).
    pub still: u16,
    /// False where the code does not give the exact split and the counts are a lower bound
    /// (e.g. `Z37.61` "triplets, some liveborn" is read as 2 live + 1 stillborn).
    pub exact: bool,
}

/// The `Z37` table (ICD-10-CM FY2025 tabular list). Where the code leaves the number of infants
/// open, the smallest count consistent with the title is used and `exact` is false.
const Z37: &[(&str, u16, u16, bool)] = &[
    ("Z370", 1, 0, true),   // single live birth
    ("Z371", 0, 1, true),   // single stillbirth
    ("Z372", 2, 0, true),   // twins, both liveborn
    ("Z373", 1, 1, true),   // twins, one liveborn and one stillborn
    ("Z374", 0, 2, true),   // twins, both stillborn
    ("Z3750", 3, 0, false), // multiple births, unspecified, all liveborn
    ("Z3751", 3, 0, true),  // triplets, all liveborn
    ("Z3752", 4, 0, true),  // quadruplets, all liveborn
    ("Z3753", 5, 0, true),  // quintuplets, all liveborn
    ("Z3754", 6, 0, true),  // sextuplets, all liveborn
    ("Z3759", 7, 0, false), // other multiple births, all liveborn
    ("Z3760", 2, 1, false), // multiple births, unspecified, some liveborn
    ("Z3761", 2, 1, false), // triplets, some liveborn
    ("Z3762", 3, 1, false), // quadruplets, some liveborn
    ("Z3763", 4, 1, false), // quintuplets, some liveborn
    ("Z3764", 5, 1, false), // sextuplets, some liveborn
    ("Z3769", 6, 1, false), // other multiple births, some liveborn
    ("Z377", 0, 3, false),  // other multiple births, all stillborn
    ("Z379", 0, 0, false),  // outcome of delivery, unspecified
];

/// The birth outcome a `Z37` code records, if the code is one.
pub fn birth_outcome(code: &str) -> Option<BirthOutcome> {
    let c = normalize(code);
    Z37.iter()
        .find(|(k, ..)| *k == c)
        .map(|&(_, live, still, exact)| BirthOutcome { live, still, exact })
}

/// True for an ICD-10-CM chapter 15 code (`O00`–`O9A`: pregnancy, childbirth and the puerperium).
pub fn is_obstetric_dx(code: &str) -> bool {
    let c = normalize(code);
    c.len() >= 3 && c.as_bytes()[0] == b'O' && c.as_bytes()[1].is_ascii_digit()
}

/// True for a direct obstetric cause (`O00`–`O95`).
pub fn is_direct_obstetric_dx(code: &str) -> bool {
    let c = normalize(code);
    if !is_obstetric_dx(&c) {
        return false;
    }
    match c[1..3].parse::<u8>() {
        Ok(n) => n <= 95,
        Err(_) => false, // O9A: maternal malignancy, injury, abuse — indirect
    }
}

/// Upper-case and drop the dot.
fn normalize(code: &str) -> String {
    code.trim()
        .chars()
        .filter(|c| *c != '.')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Fills the obstetric fields of a stay from its codes (see [`Stay::derive_from_codes`]).
pub(crate) fn apply(stay: &mut Stay) {
    let mut delivery = stay.delivery;
    let mut delivered = stay.delivered;
    for p in &stay.procedures {
        let found = delivery_of_pcs(&p.code);
        match found {
            Some(Delivery::Cesarean) => delivery = Some(Delivery::Cesarean),
            Some(Delivery::Vaginal) if delivery.is_none() => delivery = Some(Delivery::Vaginal),
            _ => {}
        }
        if found.is_some() && delivered.is_none() {
            delivered = p.performed;
        }
    }
    stay.delivery = delivery;
    stay.delivered = delivered;
    let mut live = 0u16;
    let mut still = 0u16;
    let mut any_outcome = false;
    let mut obstetric = stay.obstetric || delivery.is_some();
    let mut direct = false;
    for d in &stay.diagnoses {
        if let Some(o) = birth_outcome(&d.code) {
            any_outcome = true;
            live = live.saturating_add(o.live);
            still = still.saturating_add(o.still);
        }
        if is_obstetric_dx(&d.code) {
            obstetric = true;
        }
        if is_direct_obstetric_dx(&d.code) {
            direct = true;
        }
    }
    if any_outcome {
        stay.live_births = live;
        stay.stillbirths = still;
    }
    stay.obstetric = obstetric;
    stay.direct_maternal_death = stay.direct_maternal_death || (direct && stay.died());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pcs_deliveries() {
        assert_eq!(delivery_of_pcs("10D00Z1"), Some(Delivery::Cesarean));
        assert_eq!(delivery_of_pcs("10D07Z6"), Some(Delivery::Vaginal));
        assert_eq!(delivery_of_pcs("10E0XZZ"), Some(Delivery::Vaginal));
        assert_eq!(delivery_of_pcs("10D00Z3"), None);
        assert_eq!(delivery_of_pcs("10D07Z"), None);
        assert_eq!(delivery_of_pcs("0DTJ4ZZ"), None);
    }

    #[test]
    fn z37_outcomes() {
        assert_eq!(
            birth_outcome("Z37.3"),
            Some(BirthOutcome {
                live: 1,
                still: 1,
                exact: true
            })
        );
        assert_eq!(birth_outcome("z370").map(|o| o.live), Some(1));
        assert_eq!(birth_outcome("Z37.51").map(|o| o.live), Some(3));
        assert_eq!(birth_outcome("Z38.00"), None);
    }

    #[test]
    fn obstetric_chapters() {
        assert!(is_obstetric_dx("O80"));
        assert!(is_direct_obstetric_dx("O72.1"));
        assert!(!is_direct_obstetric_dx("O99.4"));
        assert!(!is_direct_obstetric_dx("O9A.1"));
        assert!(is_obstetric_dx("O9A.1"));
        assert!(!is_obstetric_dx("Z37.0"));
    }
}
