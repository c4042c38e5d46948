//! The Safe Harbor ZIP code rule, 45 CFR 164.514(b)(2)(i)(B): the initial three digits of a ZIP
//! code may stay only where the geographic unit formed by all ZIP codes with those three digits
//! holds more than 20,000 people (per current Census data); otherwise they become `000`.
//!
//! The restricted list is data ([`Zip3Rule::hhs_2000_census`] is the 17 prefixes HHS lists from
//! the 2000 Census, `data/restricted_zip3_2000.txt`); load a newer list with [`Zip3Rule::parse`].

use std::collections::BTreeSet;

/// The set of restricted three-digit ZIP prefixes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zip3Rule {
    restricted: BTreeSet<[u8; 3]>,
}

/// A ZIP3 list line is not three digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("restricted ZIP3 list, line {line}: {text:?} is not a three-digit prefix")]
pub struct Zip3ParseError {
    /// 1-based line number.
    pub line: usize,
    /// The offending text.
    pub text: String,
}

impl Zip3Rule {
    /// The HHS list from the 2000 Census (HHS OCR de-identification guidance, 2012, §3.4).
    pub fn hhs_2000_census() -> Self {
        Zip3Rule::parse(include_str!("../data/restricted_zip3_2000.txt"))
            .expect("built-in ZIP3 list parses")
    }

    /// Parses a list: one three-digit prefix per line, `#` comments and blank lines ignored.
    pub fn parse(text: &str) -> Result<Self, Zip3ParseError> {
        let mut restricted = BTreeSet::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let b = line.as_bytes();
            if b.len() != 3 || !b.iter().all(u8::is_ascii_digit) {
                return Err(Zip3ParseError {
                    line: i + 1,
                    text: line.to_string(),
                });
            }
            restricted.insert([b[0], b[1], b[2]]);
        }
        Ok(Zip3Rule { restricted })
    }

    /// Whether a prefix is restricted.
    pub fn is_restricted(&self, prefix: &str) -> bool {
        let b = prefix.as_bytes();
        b.len() == 3 && self.restricted.contains(&[b[0], b[1], b[2]])
    }

    /// The Safe Harbor form of a US ZIP code: its first three digits, or `000` for a restricted
    /// area. A value that does not start with three digits gives `None` (remove it).
    pub fn generalize(&self, zip: &str) -> Option<String> {
        let t = zip.trim();
        let b = t.as_bytes();
        if b.len() < 5 || !b[..5].iter().all(u8::is_ascii_digit) {
            return None;
        }
        let prefix = &t[..3];
        Some(if self.is_restricted(prefix) {
            "000".to_string()
        } else {
            prefix.to_string()
        })
    }
}

impl Default for Zip3Rule {
    fn default() -> Self {
        Zip3Rule::hhs_2000_census()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restricted_prefixes_become_000() {
        let r = Zip3Rule::default();
        assert_eq!(r.generalize("03601").as_deref(), Some("000"));
        assert_eq!(r.generalize("89301-1234").as_deref(), Some("000"));
        assert_eq!(r.generalize("02210").as_deref(), Some("022"));
        assert_eq!(r.generalize("K1A 0B1"), None);
        assert!(Zip3Rule::parse("12").is_err());
    }
}
