//! Embedded public tables: real US ZIP/city pairs and Census name frequencies (see
//! `data/README.md` for provenance).

use std::sync::OnceLock;

/// A real US ZIP with its primary city, state, county, first telephone area code and time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZipPlace {
    /// 5-digit ZIP.
    pub zip: &'static str,
    /// Primary USPS city name.
    pub city: &'static str,
    /// 2-letter state or territory.
    pub state: &'static str,
    /// County (may be empty).
    pub county: &'static str,
    /// Telephone area code.
    pub area_code: &'static str,
}

const ZIP_TSV: &str = include_str!("../data/us_zip_places.tsv");
const NAMES_TSV: &str = include_str!("../data/census1990_names.tsv");

/// All embedded ZIP places, in ZIP order.
pub fn zip_places() -> &'static [ZipPlace] {
    static PLACES: OnceLock<Vec<ZipPlace>> = OnceLock::new();
    PLACES.get_or_init(|| {
        ZIP_TSV
            .lines()
            .filter(|l| !l.is_empty())
            .map(|line| {
                let mut f = line.split('\t');
                let mut next = || f.next().unwrap_or("");
                ZipPlace {
                    zip: next(),
                    city: next(),
                    state: next(),
                    county: next(),
                    area_code: next(),
                }
            })
            .collect()
    })
}

/// The embedded place of a ZIP.
pub fn zip_place(zip: &str) -> Option<&'static ZipPlace> {
    let places = zip_places();
    places
        .binary_search_by(|p| p.zip.cmp(zip))
        .ok()
        .map(|i| &places[i])
}

/// A weighted name list: names and cumulative weights.
#[derive(Debug)]
pub(crate) struct NameList {
    pub names: Vec<&'static str>,
    pub cumulative: Vec<u32>,
}

pub(crate) struct Names {
    pub female: NameList,
    pub male: NameList,
    pub surnames: NameList,
}

pub(crate) fn names() -> &'static Names {
    static NAMES: OnceLock<Names> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut lists = [
            NameList {
                names: vec![],
                cumulative: vec![],
            },
            NameList {
                names: vec![],
                cumulative: vec![],
            },
            NameList {
                names: vec![],
                cumulative: vec![],
            },
        ];
        for line in NAMES_TSV.lines().filter(|l| !l.is_empty()) {
            let mut f = line.split('\t');
            let (k, name, w) = (
                f.next().unwrap_or(""),
                f.next().unwrap_or(""),
                f.next().and_then(|w| w.parse::<u32>().ok()).unwrap_or(1),
            );
            let list = match k {
                "F" => &mut lists[0],
                "M" => &mut lists[1],
                _ => &mut lists[2],
            };
            let total = list.cumulative.last().copied().unwrap_or(0);
            list.names.push(name);
            list.cumulative.push(total + w.max(1));
        }
        let [female, male, surnames] = lists;
        Names {
            female,
            male,
            surnames,
        }
    })
}

/// Street names for generated (fictitious) street addresses.
pub(crate) const STREETS: &[&str] = &[
    "Main St",
    "Oak Ave",
    "Maple Dr",
    "Cedar Ln",
    "Elm St",
    "Park Ave",
    "Pine St",
    "Washington Blvd",
    "Lake Rd",
    "Hill St",
    "Church St",
    "Walnut St",
    "High St",
    "Sunset Dr",
    "River Rd",
    "Mill Rd",
    "Spring St",
    "Chestnut St",
    "Jackson Ave",
    "Lincoln Way",
    "Franklin St",
    "Broad St",
    "Meadow Ln",
    "Highland Ave",
    "Cherry St",
    "Forest Dr",
    "Willow Way",
    "Ridge Rd",
    "Center St",
    "Grant Ave",
    "Poplar St",
    "Harrison Rd",
    "Summit Ave",
    "Orchard Ln",
    "Vine St",
    "Dogwood Ct",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_load() {
        assert!(zip_places().len() > 400);
        assert!(zip_places().windows(2).all(|w| w[0].zip < w[1].zip));
        assert_eq!(zip_place("43215").map(|p| p.city), Some("Columbus"));
        let n = names();
        assert_eq!(n.female.names.len(), 300);
        assert_eq!(n.male.names.len(), 300);
        assert_eq!(n.surnames.names.len(), 1000);
        assert_eq!(n.surnames.names[0], "Smith");
    }
}
