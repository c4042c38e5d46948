//! Realistic surrogate values, and the year / date-shift helpers for dates found in text.
//!
//! Surrogates are drawn from ranges that cannot be real: 555-01xx phone numbers (reserved for
//! fiction), SSNs in the never-issued 9xx area, `example.org` e-mail and URLs (RFC 2606), TEST-NET
//! IP addresses (RFC 5737, 2001:db8::/32 of RFC 3849).

use super::names::NameDictionary;
use crate::PhiKind;
use rand_chacha::ChaCha12Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use std::sync::OnceLock;

pub(crate) struct SurrogateRng {
    rng: ChaCha12Rng,
}

fn name_lists() -> &'static (Vec<&'static str>, Vec<&'static str>) {
    static L: OnceLock<(Vec<&'static str>, Vec<&'static str>)> = OnceLock::new();
    L.get_or_init(|| {
        let mut f = NameDictionary::first_names();
        let mut l = NameDictionary::surnames();
        // The common half of each list reads most natural.
        f.truncate(1000);
        l.truncate(2000);
        (f, l)
    })
}

fn title_case(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

impl SurrogateRng {
    /// Seeded from the operating system's randomness (through a v4 UUID).
    pub(crate) fn random() -> Self {
        let mut seed = [0u8; 32];
        seed[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
        seed[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
        SurrogateRng {
            rng: ChaCha12Rng::from_seed(seed),
        }
    }

    fn below(&mut self, n: u32) -> u32 {
        self.rng.next_u32() % n.max(1)
    }

    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }

    /// A surrogate for `original` of `kind`, shaped like it where that is cheap.
    pub(crate) fn surrogate(&mut self, kind: PhiKind, original: &str) -> String {
        match kind {
            PhiKind::Name => {
                let (f, l) = name_lists();
                let first = title_case(f[self.below(f.len() as u32) as usize]);
                let last = title_case(l[self.below(l.len() as u32) as usize]);
                let words = original.split_whitespace().count();
                let upper = original
                    .chars()
                    .filter(|c| c.is_alphabetic())
                    .all(char::is_uppercase);
                let s = if original.contains(',') {
                    format!("{last}, {first}")
                } else if words >= 2 {
                    format!("{first} {last}")
                } else {
                    last
                };
                if upper { s.to_uppercase() } else { s }
            }
            PhiKind::Date => format!(
                "{:02}/{:02}/{}",
                self.below(12) + 1,
                self.below(28) + 1,
                1950 + self.below(70)
            ),
            PhiKind::Age => "90+".to_string(),
            PhiKind::Phone | PhiKind::Fax => format!("555-01{}", self.digits(2)),
            PhiKind::Email => format!("person{}@example.org", self.digits(4)),
            PhiKind::Ssn => format!("9{}-{}-{}", self.digits(2), self.digits(2), self.digits(4)),
            PhiKind::Url => format!("https://example.org/{}", self.digits(6)),
            PhiKind::Ip => {
                if original.contains(':') {
                    format!("2001:db8::{:x}", self.below(0xffff))
                } else {
                    format!("192.0.2.{}", self.below(254) + 1)
                }
            }
            PhiKind::Zip => "00000".to_string(),
            PhiKind::Address => format!("{} Main Street", self.below(900) + 100),
            PhiKind::Location => "Springfield".to_string(),
            PhiKind::Biometric | PhiKind::Photo => format!("[{}]", kind.tag()),
            _ => {
                // Same shape: letters stay letters, digits stay digits, separators stay.
                original
                    .chars()
                    .map(|c| {
                        if c.is_ascii_digit() {
                            char::from(b'0' + self.below(10) as u8)
                        } else if c.is_ascii_uppercase() {
                            char::from(b'A' + self.below(26) as u8)
                        } else if c.is_ascii_lowercase() {
                            char::from(b'a' + self.below(26) as u8)
                        } else {
                            c
                        }
                    })
                    .collect()
            }
        }
    }
}

/// The four-digit year in a date text (`01/02/2023` → 2023, `Jan 2 '23` → none: a two-digit year
/// is ambiguous), or `None`.
pub(crate) fn year_of(text: &str) -> Option<u32> {
    let b = text.as_bytes();
    let mut i = 0;
    while i + 4 <= b.len() {
        if b[i..i + 4].iter().all(u8::is_ascii_digit)
            && (i == 0 || !b[i - 1].is_ascii_digit())
            && (i + 4 == b.len() || !b[i + 4].is_ascii_digit())
        {
            let y: u32 = text[i..i + 4].parse().ok()?;
            if (1800..=2199).contains(&y) {
                return Some(y);
            }
        }
        i += 1;
    }
    // 20230102 (compact).
    if b.len() == 8 && b.iter().all(u8::is_ascii_digit) {
        return text[..4].parse().ok();
    }
    None
}

const MONTH_NAMES: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Shifts a date written as `MM/DD/YYYY`, `YYYY-MM-DD` (with any time after it kept) or
/// `Month D, YYYY`, keeping the layout; `None` when it cannot be parsed.
pub(crate) fn shift_text_date(text: &str, days: i64) -> Option<String> {
    let shift = |y: i32, m: i32, d: i32| -> Option<jiff::civil::Date> {
        jiff::civil::Date::new(y as i16, m as i8, d as i8)
            .ok()?
            .checked_add(jiff::Span::new().days(days))
            .ok()
    };
    let b = text.as_bytes();
    // YYYY-MM-DD...
    if b.len() >= 10 && b[4] == b'-' && b[7] == b'-' {
        let date = shift(
            text[..4].parse().ok()?,
            text[5..7].parse().ok()?,
            text[8..10].parse().ok()?,
        )?;
        return Some(format!(
            "{:04}-{:02}-{:02}{}",
            date.year(),
            date.month(),
            date.day(),
            &text[10..]
        ));
    }
    // M/D/YYYY
    let parts: Vec<&str> = text.split('/').collect();
    if parts.len() == 3 && parts[2].len() == 4 {
        let date = shift(
            parts[2].parse().ok()?,
            parts[0].parse().ok()?,
            parts[1].parse().ok()?,
        )?;
        return Some(format!(
            "{:02}/{:02}/{:04}",
            date.month(),
            date.day(),
            date.year()
        ));
    }
    // Month D, YYYY
    let words: Vec<&str> = text.split([' ', ',']).filter(|w| !w.is_empty()).collect();
    if words.len() == 3 {
        let mw = words[0].trim_end_matches('.').to_ascii_lowercase();
        let m = MONTH_NAMES
            .iter()
            .position(|n| mw.len() >= 3 && n.starts_with(&mw))? as i32
            + 1;
        let d: i32 = words[1]
            .trim_end_matches(|c: char| c.is_ascii_alphabetic())
            .parse()
            .ok()?;
        let y: i32 = words[2].parse().ok()?;
        if y < 1000 {
            return None;
        }
        let date = shift(y, m, d)?;
        let name = MONTH_NAMES[date.month() as usize - 1];
        return Some(format!(
            "{}{} {}, {}",
            name[..1].to_uppercase(),
            &name[1..],
            date.day(),
            date.year()
        ));
    }
    None
}
