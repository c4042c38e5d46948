//! [`DxKey`]: an ICD-10-CM diagnosis code packed into a `u64`, the lookup key of every
//! classification table (fast path: no allocation, one multiply to hash).

use std::fmt;

/// Bits per packed character.
const BITS: u32 = 6;
/// Characters a key holds (ICD-10-CM codes have 3 to 7).
pub(crate) const MAX_LEN: usize = 7;

/// An ICD-10-CM diagnosis code reduced to its undotted characters and packed into 42 bits.
///
/// `DxKey` is the key of the CCSR, Elixhauser, Charlson and edit tables. It is built from text by
/// [`DxKey::parse`], which accepts the spellings coders and claim files use (`E11.9`, `e119`,
/// ` E11.9 `) and rejects anything that is not shaped like an ICD-10-CM code (first a letter,
/// then a digit, then 1–5 letters or digits, at most one dot, after the third character). Like
/// [`IcdCmCode`](crate::IcdCmCode) it says nothing about whether the code exists in a release.
///
/// Packing keeps the order of the undotted strings (`E11` < `E119` < `E12`), so a code's
/// ancestors are its [`prefix`](DxKey::prefix)es.
///
/// ```
/// use medrec_codes::clinical::DxKey;
/// let k = DxKey::parse(" e11.9 ").unwrap();
/// assert_eq!(k.to_string(), "E119");
/// assert_eq!(k.prefix(3), DxKey::parse("E11").unwrap());
/// assert!(DxKey::parse("11.9").is_none());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DxKey(u64);

#[inline]
fn char_value(b: u8) -> Option<u64> {
    match b {
        b'0'..=b'9' => Some(u64::from(b - b'0') + 1),
        b'A'..=b'Z' => Some(u64::from(b - b'A') + 11),
        b'a'..=b'z' => Some(u64::from(b - b'a') + 11),
        _ => None,
    }
}

impl DxKey {
    /// Parses a code, tolerating surrounding white space, lower case and one dot after the third
    /// character. Returns `None` when the text is not shaped like an ICD-10-CM code.
    #[inline]
    pub fn parse(text: &str) -> Option<DxKey> {
        let b = text.trim_ascii().as_bytes();
        let mut v: u64 = 0;
        let mut n = 0usize;
        let mut dot = false;
        for (i, &c) in b.iter().enumerate() {
            if c == b'.' {
                if dot || n != 3 || i + 1 == b.len() {
                    return None;
                }
                dot = true;
                continue;
            }
            if n == MAX_LEN {
                return None;
            }
            let cv = char_value(c)?;
            match n {
                0 if cv <= 10 => return None,
                1 if cv > 10 => return None,
                _ => {}
            }
            v |= cv << (BITS * (MAX_LEN - 1 - n) as u32);
            n += 1;
        }
        if n < 3 {
            return None;
        }
        Some(DxKey(v))
    }

    /// The key of the first `len` characters (`len` ≥ the code's length gives the code itself).
    #[inline]
    pub fn prefix(self, len: usize) -> DxKey {
        if len >= MAX_LEN {
            return self;
        }
        let keep = BITS * len as u32;
        let mask = if keep == 0 {
            0
        } else {
            !0u64 << (BITS * MAX_LEN as u32 - keep)
        };
        DxKey(self.0 & mask & ((1u64 << (BITS * MAX_LEN as u32)) - 1))
    }

    /// Number of characters (3 to 7).
    #[inline]
    pub fn len(self) -> usize {
        // Any non-zero 6-bit character has at most 5 trailing zero bits, so whole empty
        // character slots are exactly `trailing_zeros / 6`.
        let tz = self.0.trailing_zeros();
        MAX_LEN - (tz / BITS) as usize
    }

    /// Always false: a key holds at least 3 characters (present for clippy's `len_without_is_empty`).
    #[inline]
    pub fn is_empty(self) -> bool {
        false
    }

    /// Whether `self` is `other` or lies below it (`E119` starts with `E11`).
    #[inline]
    pub fn starts_with(self, other: DxKey) -> bool {
        self.prefix(other.len()) == other
    }

    /// The packed value (stable within one version of this crate; not a storage format).
    #[inline]
    pub fn as_u64(self) -> u64 {
        self.0
    }

    /// The character at `index` (0-based), if the code is that long.
    pub fn char_at(self, index: usize) -> Option<char> {
        if index >= MAX_LEN {
            return None;
        }
        let v = (self.0 >> (BITS * (MAX_LEN - 1 - index) as u32)) & 0x3f;
        match v {
            0 => None,
            1..=10 => Some((b'0' + (v - 1) as u8) as char),
            _ => Some((b'A' + (v - 11) as u8) as char),
        }
    }

    /// Writes the undotted code into a stack buffer and returns it as `&str`.
    pub fn write_undotted(self, buf: &mut [u8; MAX_LEN]) -> &str {
        let mut n = 0;
        while let Some(c) = self.char_at(n) {
            buf[n] = c as u8;
            n += 1;
        }
        // Only ASCII letters and digits are ever written.
        std::str::from_utf8(&buf[..n]).unwrap_or("")
    }

    /// The undotted code as a `String`.
    pub fn undotted(self) -> String {
        let mut b = [0u8; MAX_LEN];
        self.write_undotted(&mut b).to_string()
    }

    /// The code with its dot after the third character when longer than 3 (`E11.9`).
    pub fn dotted(self) -> String {
        let s = self.undotted();
        if s.len() > 3 {
            format!("{}.{}", &s[..3], &s[3..])
        } else {
            s
        }
    }
}

impl fmt::Display for DxKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut b = [0u8; MAX_LEN];
        f.write_str(self.write_undotted(&mut b))
    }
}

impl fmt::Debug for DxKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DxKey({self})")
    }
}

impl From<crate::IcdCmCode> for DxKey {
    fn from(code: crate::IcdCmCode) -> DxKey {
        // An IcdCmCode is always well formed, so it always packs.
        DxKey::parse(code.as_undotted()).unwrap_or(DxKey(0))
    }
}

/// A set of codes given as prefixes (`E11` = E11 and every code below it) and ranges of
/// prefixes (`N40-N53` = every code whose first characters fall between N40 and N53, inclusive,
/// the way the tabular list writes block ranges and "X.-" references).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodeSet {
    prefixes: Vec<DxKey>,
    ranges: Vec<(DxKey, DxKey)>,
}

impl CodeSet {
    /// Parses entries separated by white space or commas: `E11`, `E11.9`, `N40-N53`, `E08.-`.
    /// Returns the first entry that is not a code, prefix or range as the error.
    pub fn parse(text: &str) -> Result<CodeSet, String> {
        let mut set = CodeSet::default();
        for item in text.split(|c: char| c.is_whitespace() || c == ',') {
            let item = item.trim().trim_end_matches(".-").trim_end_matches('-');
            if item.is_empty() {
                continue;
            }
            set.insert_entry(item)?;
        }
        set.prefixes.sort();
        set.prefixes.dedup();
        Ok(set)
    }

    fn insert_entry(&mut self, item: &str) -> Result<(), String> {
        if let Some((lo, hi)) = item.split_once('-') {
            let lo_k = DxKey::parse(lo.trim_end_matches('.')).ok_or_else(|| item.to_string())?;
            let hi_k = DxKey::parse(hi.trim_end_matches('.')).ok_or_else(|| item.to_string())?;
            if lo_k == hi_k {
                self.prefixes.push(lo_k);
            } else {
                self.ranges.push((lo_k, hi_k));
            }
        } else {
            self.prefixes
                .push(DxKey::parse(item).ok_or_else(|| item.to_string())?);
        }
        Ok(())
    }

    /// Adds one prefix.
    pub fn insert_prefix(&mut self, key: DxKey) {
        if let Err(i) = self.prefixes.binary_search(&key) {
            self.prefixes.insert(i, key);
        }
    }

    /// Whether `code` is one of the prefixes, lies below one, or falls in a range.
    pub fn contains(&self, code: DxKey) -> bool {
        for len in 3..=code.len() {
            if self.prefixes.binary_search(&code.prefix(len)).is_ok() {
                return true;
            }
        }
        self.ranges
            .iter()
            .any(|&(lo, hi)| code >= lo && code.prefix(hi.len()) <= hi)
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.prefixes.is_empty() && self.ranges.is_empty()
    }

    /// Number of entries (prefixes + ranges).
    pub fn len(&self) -> usize {
        self.prefixes.len() + self.ranges.len()
    }

    /// Whether `code` is in the set or has a descendant in it: used to check a header.
    pub fn intersects_subtree(&self, code: DxKey) -> bool {
        self.contains(code)
            || self.prefixes.iter().any(|p| p.starts_with(code))
            || self.ranges.iter().any(|&(lo, _)| lo.starts_with(code))
    }

    /// The entries as text, prefixes first (`E11 N40-N53`).
    pub fn entries(&self) -> Vec<String> {
        let mut v: Vec<String> = self.prefixes.iter().map(|p| p.to_string()).collect();
        v.extend(self.ranges.iter().map(|(a, b)| format!("{a}-{b}")));
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_and_orders() {
        let a = DxKey::parse("E11").unwrap();
        let b = DxKey::parse("E11.9").unwrap();
        let c = DxKey::parse("E12").unwrap();
        assert!(a < b && b < c);
        assert_eq!(b.len(), 4);
        assert_eq!(a.len(), 3);
        assert_eq!(DxKey::parse("S72.001A").map(|k| k.len()), Some(7));
        assert_eq!(DxKey::parse("S72001A").unwrap().len(), 7);
        assert_eq!(DxKey::parse("S72001A").unwrap().dotted(), "S72.001A");
        assert!(b.starts_with(a));
        assert!(!c.starts_with(a));
        assert_eq!(DxKey::parse("Z3A").unwrap().to_string(), "Z3A");
        for bad in [
            "", "E1", "1E1", "EE1", "E11..9", "E1.19", "E11.", "E11-9", "E1190000", "É11",
        ] {
            assert!(DxKey::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn code_set_prefixes_and_ranges() {
        let s = CodeSet::parse("E11 N40-N53 B95-B97, O9A").unwrap();
        for yes in ["E119", "E11", "N40", "N5311", "B96", "B9729", "O9A119"] {
            assert!(s.contains(DxKey::parse(yes).unwrap()), "{yes}");
        }
        for no in ["E10", "N39", "N54", "B94", "B98", "O99"] {
            assert!(!s.contains(DxKey::parse(no).unwrap()), "{no}");
        }
        assert!(CodeSet::parse("E11 nonsense!").is_err());
    }
}
