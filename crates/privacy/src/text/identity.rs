//! The patient's own identifiers taken from the structured record — the strongest recognizer:
//! names (with nicknames, initials, `Mr. Smith`, `SMITH, JOHN`, `Smith, J.`), address parts,
//! phone numbers in every common layout, e-mail, MRN and other identifier values. Matched
//! ASCII-case-insensitively with Aho-Corasick and whole-word boundaries.

use super::Span;
use crate::PhiKind;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use serde::{Deserialize, Serialize};

/// One person's name parts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonName {
    /// Given names (first, middle), in order.
    pub given: Vec<String>,
    /// Family name.
    pub family: Option<String>,
    /// The whole name as text, if recorded that way.
    pub text: Option<String>,
}

/// Identifiers of one individual (a patient, or a relative or contact of theirs), gathered from
/// the structured record so that free text can be checked against them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatientIdentity {
    /// Names (official, maiden, usual …), and the names of relatives and contacts.
    pub names: Vec<PersonName>,
    /// Nicknames and other single-word names (e.g. `Bob` for Robert).
    pub nicknames: Vec<String>,
    /// Street lines (`575 Deckow Highlands Suite 90`).
    pub address_lines: Vec<String>,
    /// Cities, districts/counties.
    pub localities: Vec<String>,
    /// Postal codes.
    pub postal_codes: Vec<String>,
    /// Phone and fax numbers as written.
    pub phones: Vec<String>,
    /// E-mail addresses.
    pub emails: Vec<String>,
    /// Identifier values (MRN, SSN, driver's license, member id …) and the resource id.
    pub identifiers: Vec<String>,
    /// Full dates directly related to the individual (birth, death), as `YYYY-MM-DD`.
    pub dates: Vec<String>,
}

impl PatientIdentity {
    /// Whether nothing is known.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
            && self.nicknames.is_empty()
            && self.address_lines.is_empty()
            && self.localities.is_empty()
            && self.postal_codes.is_empty()
            && self.phones.is_empty()
            && self.emails.is_empty()
            && self.identifiers.is_empty()
            && self.dates.is_empty()
    }

    /// Every search term with its kind: the variants a clinician or a system writes.
    pub fn variants(&self) -> Vec<(String, PhiKind)> {
        let mut out: Vec<(String, PhiKind)> = Vec::new();
        // Case-insensitive dedup in linear time (first variant wins).
        let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
        let mut add = |s: String, k: PhiKind| {
            let s = s.trim().to_string();
            if s.chars().count() >= 2 && seen.insert(s.to_ascii_lowercase()) {
                out.push((s, k));
            }
        };
        for n in &self.names {
            let given: Vec<&str> = n
                .given
                .iter()
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
                .collect();
            let family = n.family.as_deref().map(str::trim).filter(|s| !s.is_empty());
            if let Some(t) = &n.text {
                add(t.clone(), PhiKind::Name);
            }
            // Each part alone, with and without Synthea's trailing digits.
            for part in given.iter().copied().chain(family) {
                for p in with_stripped_digits(part) {
                    add(p.clone(), PhiKind::Name);
                    // Hyphenated or multi-word parts: each piece too.
                    for piece in p.split(['-', ' ']) {
                        if piece.len() >= 3 {
                            add(piece.to_string(), PhiKind::Name);
                        }
                    }
                }
            }
            if let Some(f) = family {
                for fv in with_stripped_digits(f) {
                    for g in &given {
                        for gv in with_stripped_digits(g) {
                            add(format!("{gv} {fv}"), PhiKind::Name);
                            add(format!("{fv}, {gv}"), PhiKind::Name);
                            add(format!("{fv},{gv}"), PhiKind::Name);
                            let initial = gv.chars().next().unwrap_or(' ');
                            add(format!("{initial}. {fv}"), PhiKind::Name);
                            add(format!("{initial} {fv}"), PhiKind::Name);
                            add(format!("{fv}, {initial}."), PhiKind::Name);
                        }
                    }
                    let all_given: Vec<String> = given
                        .iter()
                        .map(|g| with_stripped_digits(g).pop().unwrap_or_default())
                        .collect();
                    if all_given.len() > 1 {
                        add(format!("{} {fv}", all_given.join(" ")), PhiKind::Name);
                        add(format!("{fv}, {}", all_given.join(" ")), PhiKind::Name);
                    }
                }
            }
        }
        for n in &self.nicknames {
            add(n.clone(), PhiKind::Name);
        }
        for l in &self.address_lines {
            add(l.clone(), PhiKind::Address);
            // The street without the unit: "575 Deckow Highlands".
            let words: Vec<&str> = l.split_whitespace().collect();
            if let Some(pos) = words.iter().position(|w| {
                matches!(
                    w.to_ascii_lowercase().trim_end_matches('.'),
                    "apt" | "apartment" | "suite" | "ste" | "unit" | "#" | "unit#" | "bldg" | "fl"
                )
            }) && pos >= 2
            {
                add(words[..pos].join(" "), PhiKind::Address);
            }
            // The street name without the number: "Deckow Highlands".
            if words.len() >= 3 && words[0].bytes().any(|b| b.is_ascii_digit()) {
                let end = words
                    .iter()
                    .position(|w| {
                        matches!(
                            w.to_ascii_lowercase().trim_end_matches('.'),
                            "apt" | "apartment" | "suite" | "ste" | "unit" | "#" | "bldg" | "fl"
                        )
                    })
                    .unwrap_or(words.len());
                if end > 2 {
                    add(words[1..end].join(" "), PhiKind::Address);
                }
            }
        }
        for c in &self.localities {
            add(c.clone(), PhiKind::Location);
        }
        for z in &self.postal_codes {
            add(z.clone(), PhiKind::Zip);
            if z.len() > 5 && z.as_bytes()[5] == b'-' {
                add(z[..5].to_string(), PhiKind::Zip);
            }
        }
        for ph in &self.phones {
            let digits: String = ph.chars().filter(char::is_ascii_digit).collect();
            let d = digits
                .strip_prefix('1')
                .filter(|d| d.len() == 10)
                .unwrap_or(&digits);
            add(ph.clone(), PhiKind::Phone);
            if d.len() == 10 {
                let (a, b, c) = (&d[..3], &d[3..6], &d[6..]);
                for v in [
                    format!("{a}-{b}-{c}"),
                    format!("({a}) {b}-{c}"),
                    format!("({a}){b}-{c}"),
                    format!("{a}.{b}.{c}"),
                    format!("{a} {b} {c}"),
                    format!("{a}{b}{c}"),
                    format!("+1 {a} {b} {c}"),
                    format!("+1-{a}-{b}-{c}"),
                    format!("1-{a}-{b}-{c}"),
                    format!("{b}-{c}"),
                ] {
                    add(v, PhiKind::Phone);
                }
            }
        }
        for e in &self.emails {
            add(e.clone(), PhiKind::Email);
            if let Some((user, _)) = e.split_once('@')
                && user.len() >= 4
            {
                add(user.to_string(), PhiKind::Email);
            }
        }
        for id in &self.identifiers {
            add(id.clone(), identifier_kind(id));
            let compact: String = id.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
            if compact.len() >= 4 && compact != *id {
                add(compact, identifier_kind(id));
            }
        }
        for d in &self.dates {
            if let Some((y, m, day)) = parse_iso_date(d) {
                for v in [
                    format!("{y:04}-{m:02}-{day:02}"),
                    format!("{m:02}/{day:02}/{y:04}"),
                    format!("{m}/{day}/{y:04}"),
                    format!("{m:02}/{day:02}/{:02}", y % 100),
                    format!("{m}/{day}/{:02}", y % 100),
                    format!("{} {day}, {y}", MONTHS[m as usize - 1]),
                    format!("{} {day} {y}", MONTHS[m as usize - 1]),
                    format!("{day} {} {y}", MONTHS[m as usize - 1]),
                    format!("{} {day}, {y}", &MONTHS[m as usize - 1][..3]),
                ] {
                    add(v, PhiKind::Date);
                }
            }
        }
        out
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn parse_iso_date(d: &str) -> Option<(u32, u32, u32)> {
    let b = d.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y = d.get(0..4)?.parse().ok()?;
    let m: u32 = d.get(5..7)?.parse().ok()?;
    let day: u32 = d.get(8..10)?.parse().ok()?;
    ((1..=12).contains(&m) && (1..=31).contains(&day)).then_some((y, m, day))
}

fn identifier_kind(id: &str) -> PhiKind {
    let digits = id.bytes().filter(u8::is_ascii_digit).count();
    let b = id.as_bytes();
    if digits == 9 && (b.len() == 9 || b.len() == 11 && b[3] == b'-' && b[6] == b'-') {
        PhiKind::Ssn
    } else {
        PhiKind::Mrn
    }
}

/// `Angelique249` → [`Angelique249`, `Angelique`]; `Smith` → [`Smith`].
fn with_stripped_digits(s: &str) -> Vec<String> {
    let stripped = s.trim_end_matches(|c: char| c.is_ascii_digit());
    if stripped.len() != s.len() && stripped.len() >= 2 {
        vec![s.to_string(), stripped.to_string()]
    } else {
        vec![s.to_string()]
    }
}

/// A compiled matcher over the identities of one or more individuals.
#[derive(Debug, Clone)]
pub struct IdentityMatcher {
    automaton: Option<AhoCorasick>,
    kinds: Vec<PhiKind>,
}

impl IdentityMatcher {
    /// Compiles the variants of every identity.
    pub fn new<'a>(identities: impl IntoIterator<Item = &'a PatientIdentity>) -> Self {
        let mut terms: Vec<(String, PhiKind)> = Vec::new();
        // Case-insensitive dedup in linear time (a redactor may hold thousands of identities).
        let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
        for id in identities {
            for (t, k) in id.variants() {
                if seen.insert(t.to_ascii_lowercase()) {
                    terms.push((t, k));
                }
            }
        }
        IdentityMatcher::from_terms(terms)
    }

    /// Compiles explicit terms.
    pub fn from_terms(terms: Vec<(String, PhiKind)>) -> Self {
        if terms.is_empty() {
            return IdentityMatcher {
                automaton: None,
                kinds: Vec::new(),
            };
        }
        // The terms of one record (a few dozen to a few hundred): a full DFA is cheap to build
        // and several times faster to run than the default NFA.
        let kind = (terms.len() <= 2000).then_some(AhoCorasickKind::DFA);
        let automaton = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(kind)
            .build(terms.iter().map(|(t, _)| t.as_str()))
            .expect("identity terms compile");
        IdentityMatcher {
            automaton: Some(automaton),
            kinds: terms.into_iter().map(|(_, k)| k).collect(),
        }
    }

    /// Whether there is nothing to match.
    pub fn is_empty(&self) -> bool {
        self.automaton.is_none()
    }

    /// Finds whole-word occurrences in `text`.
    pub(crate) fn scan(&self, text: &str, out: &mut Vec<Span>) {
        let Some(ac) = &self.automaton else { return };
        let b = text.as_bytes();
        // Overlapping search: a candidate that fails the word-boundary check ("d Aaaa" inside
        // "Called Aaaa") must not hide a valid one that starts inside it.
        for m in ac.find_overlapping_iter(text) {
            let (s, e) = (m.start(), m.end());
            let left_ok =
                s == 0 || !b[s - 1].is_ascii_alphanumeric() || !b[s].is_ascii_alphanumeric();
            let right_ok =
                e == b.len() || !b[e].is_ascii_alphanumeric() || !b[e - 1].is_ascii_alphanumeric();
            // A name part followed by Synthea digits ("Smith67") is still the name.
            let right_ok = right_ok
                || self.kinds[m.pattern().as_usize()] == PhiKind::Name
                    && b[e].is_ascii_digit()
                    && b[e - 1].is_ascii_alphabetic();
            if left_ok && right_ok {
                let mut end = e;
                if self.kinds[m.pattern().as_usize()] == PhiKind::Name {
                    while end < b.len() && b[end].is_ascii_digit() {
                        end += 1;
                    }
                }
                out.push(Span {
                    start: s,
                    end,
                    kind: self.kinds[m.pattern().as_usize()],
                    confidence: 1.0,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comma_variant_matches() {
        let id = PatientIdentity {
            names: vec![PersonName {
                given: vec!["Dbaa".into()],
                family: Some("Aaaa".into()),
                text: None,
            }],
            localities: vec!["Aaaaa".into()],
            ..Default::default()
        };
        let m = IdentityMatcher::new([&id]);
        let mut spans = Vec::new();
        m.scan("Called Aaaa, Dbaa at", &mut spans);
        let spans = crate::text::merge(spans);
        assert_eq!(
            spans.first().map(|s| (s.start, s.end)),
            Some((7, 17)),
            "{:?}",
            id.variants()
        );
    }
}
