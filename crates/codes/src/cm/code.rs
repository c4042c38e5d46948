//! The normalized ICD-10-CM code value and its normalization rules.

use std::fmt;
use std::str::FromStr;

/// A syntactically normalized ICD-10-CM code: 3 to 7 characters, upper case, stored without the
/// dot (`E119`), displayed with the dot after the third character (`E11.9`).
///
/// An `IcdCmCode` can only hold a well-formed code: the first character is a letter, the others
/// letters or digits. The second character is a digit in every chapter except since FY2026
/// chapter 17's `QA0` category, and the third may be a letter (`C4A`, `M1A`, `Z3A`), so only the
/// first position is constrained beyond the character set. It says
/// nothing about whether the code exists in a release: ask an [`IcdCmRelease`](crate::IcdCmRelease)
/// for that ([`validate`](crate::IcdCmRelease::validate)).
///
/// Ordering is the plain string order of the undotted code, so a code sorts right before the codes
/// below it in the hierarchy (`E11` < `E119` < `E12`).
///
/// ```
/// use medrec_codes::IcdCmCode;
/// let code: IcdCmCode = " e11.9 ".parse()?;
/// assert_eq!(code.to_string(), "E11.9");
/// assert_eq!(code.as_undotted(), "E119");
/// assert_eq!(code, IcdCmCode::parse("E119")?);
/// # Ok::<(), medrec_codes::MalformedCode>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct IcdCmCode {
    raw: [u8; 7],
    len: u8,
}

impl Ord for IcdCmCode {
    /// String order of the undotted code, compared as one big-endian word (the padding bytes
    /// are 0, below every character, so a code sorts before the longer codes it starts).
    #[inline]
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.order_key().cmp(&other.order_key())
    }
}

impl PartialOrd for IcdCmCode {
    #[inline]
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Why a string is not a well-formed ICD-10-CM code (see [`IcdCmCode::parse`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed ICD-10-CM code {input:?}: {reason}")]
pub struct MalformedCode {
    input: String,
    kind: MalformedKind,
    reason: String,
}

/// The kind of a [`MalformedCode`].
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MalformedKind {
    /// Nothing but white space.
    Empty,
    /// Fewer than 3 characters (dot not counted).
    TooShort,
    /// More than 7 characters (dot not counted).
    TooLong,
    /// A character outside `A-Z`, `0-9` and the dot.
    InvalidCharacter,
    /// A dot anywhere but right after the third character, a second dot, or a trailing dot.
    MisplacedDot,
    /// The first character is not a letter.
    FirstNotLetter,
}

impl MalformedCode {
    fn new(input: &str, kind: MalformedKind, reason: impl Into<String>) -> Self {
        MalformedCode {
            input: input.chars().take(64).collect(),
            kind,
            reason: reason.into(),
        }
    }

    /// What is wrong.
    pub fn kind(&self) -> MalformedKind {
        self.kind
    }

    /// The offending input (cut to 64 characters).
    pub fn input(&self) -> &str {
        &self.input
    }
}

/// Fast syntactic check without building an error value: the shared core of [`IcdCmCode::parse`].
///
/// Trims ASCII white space, then takes the branch-light path ([`normalize_word`]) for the usual
/// 3–8 byte inputs; anything that path does not accept (errors, odd lengths) goes to the
/// byte-by-byte [`normalize_scalar`], which defines the rules and the exact error kind. The two
/// agree on every input (property-tested in this module).
#[inline]
pub(crate) fn normalize_bytes(input: &[u8]) -> Result<IcdCmCode, MalformedKind> {
    let s = trim_white_space(input);
    match normalize_word(s) {
        Some(code) => Ok(code),
        None => normalize_scalar(s),
    }
}

/// Trims ASCII white space (`u8::is_ascii_whitespace`) at both ends.
#[inline(always)]
pub(crate) fn trim_white_space(input: &[u8]) -> &[u8] {
    // Most inputs have none: every ASCII white-space byte is at most 0x20, so one look at both
    // ends tells.
    match (input.first(), input.last()) {
        (Some(&first), Some(&last)) if first > b' ' && last > b' ' => input,
        _ => input.trim_ascii(),
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Lanes (bytes, all below 0x80) that are at least `c`, as the lane's high bit.
#[inline(always)]
const fn lanes_ge(w: u64, c: u8) -> u64 {
    w.wrapping_add(ONES * (0x80 - c as u64)) & HIGH
}

/// Lanes (bytes, all below 0x80) equal to `c`, as the lane's high bit.
#[inline(always)]
const fn lanes_eq(w: u64, c: u8) -> u64 {
    !((w ^ (ONES * c as u64)).wrapping_add(ONES * 0x7F)) & HIGH
}

/// The SWAR fast path: an already trimmed input of 3 to 8 bytes read as one little-endian word,
/// upper-cased, its dot (only after the third character) removed and every character checked in
/// a few word operations. `None` means "not accepted here": the caller falls back to
/// [`normalize_scalar`] (for the error kind, or for inputs outside 3–8 bytes).
#[inline(always)]
pub(crate) fn normalize_word(s: &[u8]) -> Option<IcdCmCode> {
    normalize_to_word(s).map(IcdCmCode::from_word)
}

/// [`normalize_word`] giving the code as its [`word`](IcdCmCode::word) (the 7 code bytes, 0
/// past the end, then the length), so that the hot paths hash the word they already hold
/// instead of packing the code's bytes back into one.
#[inline(always)]
pub(crate) fn normalize_to_word(s: &[u8]) -> Option<u64> {
    let n = s.len();
    let w = upper_word(s)?;
    // One dot at most, right after the third character and followed by at least one more.
    // Whether there is one is about a coin toss in real input (dotted and undotted codes mix),
    // so it is not a branch: the dot-less word is computed either way and selected by a mask.
    let dots = lanes_eq(w, b'.');
    let dotted = (dots == 0x80 << 24) as u64;
    if dots & !(0x80 << 24) != 0 || (dotted != 0 && n < 5) {
        return None;
    }
    let w = drop_fourth_lane_if(w, dotted);
    let len = n - dotted as usize;
    if len > 7 {
        return None;
    }
    let used = HIGH & ((1u64 << (8 * len)) - 1);
    let digit = lanes_ge(w, b'0') & !lanes_ge(w, b'9' + 1);
    let upper = lanes_ge(w, b'A') & !lanes_ge(w, b'Z' + 1);
    if (digit | upper) & used != used || upper & 0x80 == 0 {
        return None;
    }
    // The lanes past the code are 0 (never loaded, or emptied by the dot's removal).
    Some(w | (len as u64) << 56)
}

/// The word to look up for an input, on the lookup fast path: [`normalize_to_word`] without
/// the checks that a successful lookup makes for it. `None` means "take the full rules"
/// ([`normalize_input_word`]).
///
/// The input is trimmed, upper-cased and its dot after the third character (followed by more)
/// dropped; the characters are not checked. That is enough for lookups, because a word that
/// *is found* equals a code of the release, so each of its characters is one a code may have
/// (`A`–`Z`, `0`–`9`, the first a letter); the transformation only maps `a`–`z` to `A`–`Z`, so
/// the input's characters were letters, digits and at most that one dot, and the full rules
/// give the same code. What could make a wrong word equal a code is checked here: a byte
/// outside ASCII (the lane arithmetic needs ASCII), more than 7 characters (the key holds 7),
/// and a NUL byte (a NUL inside the code would read as its end). A word that is not found is not
/// known to be well formed: the caller must take the full rules for it (malformed, or a
/// well-formed code to diagnose). Property-tested against the full rules in this module.
#[inline(always)]
pub(crate) fn lookup_word(input: &[u8]) -> Option<u64> {
    let s = trim_white_space(input);
    let n = s.len();
    let w = upper_word(s)?;
    // A dot right after the third character and followed by more is dropped; any other dot
    // stays and makes the word match no code.
    let dotted = ((w >> 24) & 0xFF == b'.' as u64 && n >= 5) as u64;
    let w = drop_fourth_lane_if(w, dotted);
    let len = n - dotted as usize;
    if len > 7 {
        return None;
    }
    let used = HIGH & ((1u64 << (8 * len)) - 1);
    if lanes_eq(w, 0) & used != 0 {
        return None;
    }
    Some(w | (len as u64) << 56)
}

/// An already trimmed input of 3 to 8 bytes read as one little-endian word and upper-cased;
/// `None` for other lengths and for bytes outside ASCII.
#[inline(always)]
fn upper_word(s: &[u8]) -> Option<u64> {
    let n = s.len();
    let w = if let (Some(lo), Some(hi)) = (s.first_chunk::<4>(), s.last_chunk::<4>()) {
        if n > 8 {
            return None;
        }
        // Two overlapping 4-byte loads cover 4..=8 bytes; overlapping bytes are equal.
        u32::from_le_bytes(*lo) as u64 | ((u32::from_le_bytes(*hi) as u64) << (8 * (n - 4)))
    } else if let [a, b, c] = *s {
        a as u64 | (b as u64) << 8 | (c as u64) << 16
    } else {
        return None;
    };
    if w & HIGH != 0 {
        return None; // not ASCII
    }
    // Upper-case a-z (unused lanes are 0 and stay 0).
    let lower = lanes_ge(w, b'a') & !lanes_ge(w, b'{');
    Some(w ^ (lower >> 2))
}

/// The word without its fourth byte (the dot's place) when `drop` is 1, unchanged when 0: a
/// mask, not a branch (dotted and undotted codes mix at random in real input).
#[inline(always)]
fn drop_fourth_lane_if(w: u64, drop: u64) -> u64 {
    let keep = drop.wrapping_sub(1); // all ones to keep, 0 to drop
    let undotted = (w & 0x00FF_FFFF) | ((w >> 8) & !0x00FF_FFFF);
    (w & keep) | (undotted & !keep)
}

/// [`normalize_scalar`] with the code as a [`word`](IcdCmCode::word): a result that comes back
/// in registers, so that a caller's fast path and this slow one meet without a trip through
/// memory.
#[cold]
#[inline(never)]
pub(crate) fn normalize_scalar_word(s: &[u8]) -> Result<u64, MalformedKind> {
    normalize_scalar(s).map(|c| c.word())
}

/// The code word of an input (trimmed here) by the fast path, else the byte-by-byte rules: what
/// the hot paths call.
#[inline(always)]
pub(crate) fn normalize_input_word(input: &[u8]) -> Result<u64, MalformedKind> {
    let s = trim_white_space(input);
    match normalize_to_word(s) {
        Some(word) => Ok(word),
        None => normalize_scalar_word(s),
    }
}

/// The key of a code [`word`](IcdCmCode::word): [`IcdCmCode::key`] without unpacking.
#[inline(always)]
pub(crate) const fn word_key(word: u64) -> u64 {
    word & ((1 << 56) - 1)
}

/// The normalization rules, byte by byte, on an already trimmed input: the reference for
/// [`normalize_word`] and the source of every error kind.
#[cold]
pub(crate) fn normalize_scalar(s: &[u8]) -> Result<IcdCmCode, MalformedKind> {
    if s.is_empty() {
        return Err(MalformedKind::Empty);
    }
    let mut raw = [0u8; 7];
    let mut len = 0usize;
    let mut dot_seen = false;
    for (i, &b) in s.iter().enumerate() {
        if b == b'.' {
            // The only dot allowed is right after the third character, followed by more.
            if dot_seen || len != 3 || i + 1 == s.len() {
                return Err(MalformedKind::MisplacedDot);
            }
            dot_seen = true;
            continue;
        }
        if len == 7 {
            return Err(MalformedKind::TooLong);
        }
        let u = b.to_ascii_uppercase();
        if !(u.is_ascii_uppercase() || u.is_ascii_digit()) {
            return Err(MalformedKind::InvalidCharacter);
        }
        raw[len] = u;
        len += 1;
    }
    if len < 3 {
        return Err(MalformedKind::TooShort);
    }
    if !raw[0].is_ascii_uppercase() {
        return Err(MalformedKind::FirstNotLetter);
    }
    Ok(IcdCmCode {
        raw,
        len: len as u8,
    })
}

impl IcdCmCode {
    /// A well-formed code (`A00`) used where a value is needed but never shown (the code of a
    /// malformed input in a batch).
    pub(crate) const PLACEHOLDER: IcdCmCode = IcdCmCode {
        raw: [b'A', b'0', b'0', 0, 0, 0, 0],
        len: 3,
    };

    /// Normalizes a code as written by people and systems: surrounding white space is dropped,
    /// letters are upper-cased, and the dot is optional but only allowed after the third
    /// character (`e11.9`, `E119`, ` E11.9 ` all give `E11.9`).
    pub fn parse(input: &str) -> Result<IcdCmCode, MalformedCode> {
        normalize_bytes(input.as_bytes()).map_err(|kind| {
            let reason = match kind {
                MalformedKind::Empty => "empty",
                MalformedKind::TooShort => "fewer than 3 characters",
                MalformedKind::TooLong => "more than 7 characters",
                MalformedKind::InvalidCharacter => "only letters, digits and one dot are allowed",
                MalformedKind::MisplacedDot => "the dot must follow the third character",
                MalformedKind::FirstNotLetter => "the first character must be a letter",
            };
            MalformedCode::new(input, kind, reason)
        })
    }

    /// Builds a code from undotted upper-case bytes that are already known to be well formed
    /// (tables), checking them anyway.
    pub(crate) fn from_undotted(s: &str) -> Option<IcdCmCode> {
        if s.contains('.') {
            return None;
        }
        normalize_bytes(s.as_bytes()).ok()
    }

    /// The code without its dot, e.g. `E119`.
    pub fn as_undotted(&self) -> &str {
        // Only ASCII letters and digits are ever stored.
        std::str::from_utf8(&self.raw[..self.len as usize]).unwrap_or("")
    }

    /// The number of characters (3 to 7, dot not counted).
    #[allow(clippy::len_without_is_empty)] // a code is never empty
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// The 3-character category (`E11` for `E11.9`).
    pub fn category(&self) -> IcdCmCode {
        let mut raw = [0u8; 7];
        raw[..3].copy_from_slice(&self.raw[..3]);
        IcdCmCode { raw, len: 3 }
    }

    /// Whether this code is a 3-character category.
    pub fn is_category(&self) -> bool {
        self.len == 3
    }

    /// The code one character shorter, if any (`E11.9` → `E11`). This is a string relation;
    /// the hierarchy of a release ([`IcdCmRelease::parent`](crate::IcdCmRelease::parent)) skips
    /// placeholder positions that are not codes.
    pub fn truncated(&self) -> Option<IcdCmCode> {
        if self.len <= 3 {
            return None;
        }
        let mut c = *self;
        c.len -= 1;
        c.raw[c.len as usize] = 0;
        Some(c)
    }

    /// Whether `self` is `other` or a code below it by string prefix (`E11.9` starts with `E11`).
    #[inline]
    pub fn starts_with(&self, other: &IcdCmCode) -> bool {
        // Compare the first `other.len` bytes (3..=7) of the big-endian words.
        let mask = !0u64 << (64 - 8 * other.len as u32);
        other.len <= self.len && (self.order_key() ^ other.order_key()) & mask == 0
    }

    /// The character at a 0-based position, if the code is that long.
    pub fn char_at(&self, index: usize) -> Option<char> {
        (index < self.len as usize).then(|| self.raw[index] as char)
    }

    /// The code with `c` appended (used to build 7th-character codes).
    pub(crate) fn with_appended(&self, c: u8) -> Option<IcdCmCode> {
        if self.len >= 7 {
            return None;
        }
        let mut out = *self;
        out.raw[out.len as usize] = c;
        out.len += 1;
        Some(out)
    }

    /// The code bytes as a big-endian word (length in the last byte): its order is the code
    /// order.
    #[inline]
    fn order_key(&self) -> u64 {
        let r = &self.raw;
        u64::from_be_bytes([r[0], r[1], r[2], r[3], r[4], r[5], r[6], self.len])
    }

    /// The code and its length as one word (the 7 code bytes, then the length), for passing
    /// a code through registers.
    #[inline(always)]
    pub(crate) fn word(&self) -> u64 {
        let r = &self.raw;
        u64::from_le_bytes([r[0], r[1], r[2], r[3], r[4], r[5], r[6], self.len])
    }

    /// The code of a [`word`](Self::word).
    #[inline(always)]
    pub(crate) fn from_word(w: u64) -> IcdCmCode {
        let b = w.to_le_bytes();
        IcdCmCode {
            raw: [b[0], b[1], b[2], b[3], b[4], b[5], b[6]],
            len: b[7],
        }
    }

    /// The code bytes as one little-endian word (the 7 code bytes, 0 past the end; the top byte
    /// is 0): unique per code and never 0. The hash index hashes and stores it as it is, so a
    /// lookup spends no work on packing the code.
    #[inline]
    pub(crate) fn key(&self) -> u64 {
        let r = &self.raw;
        u64::from_le_bytes([r[0], r[1], r[2], r[3], r[4], r[5], r[6], 0])
    }

    /// Writes the dotted form into a stack buffer and returns it (no allocation).
    pub fn dotted(&self) -> DottedCode {
        let mut buf = [0u8; 8];
        let len = self.len as usize;
        buf[..3].copy_from_slice(&self.raw[..3]);
        if len > 3 {
            buf[3] = b'.';
            buf[4..len + 1].copy_from_slice(&self.raw[3..len]);
            DottedCode {
                buf,
                len: (len + 1) as u8,
            }
        } else {
            DottedCode { buf, len: 3 }
        }
    }
}

/// The dotted form of an [`IcdCmCode`] held on the stack (see [`IcdCmCode::dotted`]).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct DottedCode {
    buf: [u8; 8],
    len: u8,
}

impl DottedCode {
    /// The dotted code, e.g. `E11.9`.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len as usize]).unwrap_or("")
    }
}

impl fmt::Display for DottedCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for IcdCmCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.dotted().as_str())
    }
}

impl fmt::Debug for IcdCmCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IcdCmCode({})", self.dotted())
    }
}

impl FromStr for IcdCmCode {
    type Err = MalformedCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        IcdCmCode::parse(s)
    }
}

impl serde::Serialize for IcdCmCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.dotted().as_str())
    }
}

impl<'de> serde::Deserialize<'de> for IcdCmCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        IcdCmCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_the_written_forms() {
        for s in ["e11.9", "E119", " E11.9 ", "\tE11.9\n", "E11.9"] {
            assert_eq!(IcdCmCode::parse(s).unwrap().to_string(), "E11.9", "{s:?}");
        }
        assert_eq!(
            IcdCmCode::parse("t36.0x1a").unwrap().to_string(),
            "T36.0X1A"
        );
        assert_eq!(IcdCmCode::parse("C4A").unwrap().to_string(), "C4A");
        assert_eq!(IcdCmCode::parse("qa0.0").unwrap().to_string(), "QA0.0");
    }

    #[test]
    fn rejects_malformed() {
        let cases = [
            ("", MalformedKind::Empty),
            ("  ", MalformedKind::Empty),
            ("E1", MalformedKind::TooShort),
            ("E11.", MalformedKind::MisplacedDot),
            ("E1.19", MalformedKind::MisplacedDot),
            ("E11..9", MalformedKind::MisplacedDot),
            ("E11.9.", MalformedKind::MisplacedDot),
            ("E11-9", MalformedKind::InvalidCharacter),
            ("E11 9", MalformedKind::InvalidCharacter),
            ("É11", MalformedKind::InvalidCharacter),
            ("S301XXAA", MalformedKind::TooLong),
            ("111", MalformedKind::FirstNotLetter),
            ("1E1", MalformedKind::FirstNotLetter),
        ];
        for (s, kind) in cases {
            assert_eq!(IcdCmCode::parse(s).unwrap_err().kind(), kind, "{s:?}");
        }
    }

    #[test]
    fn order_puts_parents_first() {
        let a = IcdCmCode::parse("E11").unwrap();
        let b = IcdCmCode::parse("E11.9").unwrap();
        let c = IcdCmCode::parse("E12").unwrap();
        assert!(a < b && b < c);
        assert!(b.starts_with(&a) && !c.starts_with(&a));
        assert_eq!(b.truncated(), Some(a));
        assert_eq!(b.category(), a);
    }

    /// The reference: trim, then the byte-by-byte rules.
    fn reference(input: &[u8]) -> Result<IcdCmCode, MalformedKind> {
        let t = input.trim_ascii();
        normalize_scalar(t)
    }

    #[test]
    fn word_path_agrees_with_the_scalar_rules_on_edge_cases() {
        let cases: &[&[u8]] = &[
            b"E11",
            b"e11",
            b"E119",
            b"E11.9",
            b"e11.9",
            b" E11.9 ",
            b"S72.001A",
            b"s72001a",
            b"S72001AA",
            b"S72.001AA",
            b"E11.",
            b"E1.19",
            b"E11..9",
            b".E119",
            b"E119.",
            b"111",
            b"1E1",
            b"E1",
            b"",
            b"  ",
            b"E11-9",
            b"E11 9",
            b"\xC3\x8911",
            b"QA0.0",
            b"C4A",
            b"Z3A.01",
            b"E1\x7F9",
            b"E1@9",
            b"E1[9",
            b"E1`9",
            b"E1{9",
            b"E1/9",
            b"E1:9",
            b"A.B.C",
            b"AB.CD",
            b"ABC.",
            b"ABC.D",
            b"ABCD.EFG",
            b"\tT36.0X1A\n",
            b"t36.0x1a",
        ];
        for &c in cases {
            assert_eq!(
                normalize_bytes(c),
                reference(c),
                "{:?}",
                String::from_utf8_lossy(c)
            );
        }
    }

    #[test]
    fn key_is_unique_and_nonzero() {
        let a = IcdCmCode::parse("E11").unwrap();
        let b = IcdCmCode::parse("E110").unwrap();
        let c = IcdCmCode::parse("E11A").unwrap();
        let z = IcdCmCode::parse("Z99.89XAB").unwrap_err();
        assert_eq!(z.kind(), MalformedKind::TooLong);
        let keys = [a.key(), b.key(), c.key()];
        assert!(keys.iter().all(|&k| k != 0 && k < 1 << 56));
        assert!(keys[0] != keys[1] && keys[1] != keys[2] && keys[0] != keys[2]);
    }

    /// Whether a word is a well-formed code's word (what a found lookup word is).
    fn is_code_word(w: u64) -> bool {
        let len = (w >> 56) as usize;
        len <= 7 && normalize_scalar(&w.to_le_bytes()[..len]).is_ok_and(|c| c.word() == w)
    }

    /// The lookup word of an input, where it is a code's word (so that a lookup can find it),
    /// is the code the full rules give; where the full rules give a code, the lookup word is
    /// that code's word or `None`.
    fn lookup_word_agrees(input: &[u8]) -> Result<(), String> {
        let full = normalize_input_word(input);
        match lookup_word(input) {
            Some(w) if is_code_word(w) && full != Ok(w) => Err(format!(
                "{input:?}: lookup word {:?}, full rules {full:?}",
                w.to_le_bytes()
            )),
            Some(w) if full.is_ok() && full != Ok(w) => Err(format!(
                "{input:?}: lookup word differs from the code {full:?}"
            )),
            _ => Ok(()),
        }
    }

    #[test]
    fn lookup_word_agrees_on_edge_cases() {
        for s in [
            "E11",
            "e11.9",
            " E11.9 ",
            "E11.",
            "E11..9",
            "E1.19",
            "E11.9.",
            "E\x001",
            "E11\0",
            "E11\0\0\0\0",
            "S72.001A",
            "S72.001AB",
            "S72001AB",
            "s72001a",
            "E11-9",
            "1E1",
            "E1#",
            "É11",
            "E11.9\t",
            "\tE11",
            "E11 9",
            ".E11",
            "E11.99999",
            "A0",
            "a00",
        ] {
            lookup_word_agrees(s.as_bytes()).unwrap();
        }
        // A NUL would read as the code's end; more than 7 characters would lose the 8th.
        assert_eq!(lookup_word(b"E11\0"), None);
        assert_eq!(lookup_word(b"S72001AB"), None);
        // Characters are not checked: such a word is simply found nowhere.
        assert!(lookup_word(b"E1#").is_some_and(|w| !is_code_word(w)));
        assert_eq!(
            lookup_word(b" e11.9 "),
            Some(IcdCmCode::parse("E11.9").unwrap().word())
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]

        /// The lookup fast path agrees with the full rules on inputs made of code characters,
        /// their lower case, dots, white space, NUL and other bytes.
        #[test]
        fn lookup_word_agrees_with_the_full_rules(s in "[ \t]?[A-Za-z0-9.\x00#é-]{0,9}[ \t]?") {
            proptest::prop_assert!(lookup_word_agrees(s.as_bytes()).is_ok(), "{:?}", lookup_word_agrees(s.as_bytes()));
        }

        /// ... and on any bytes.
        #[test]
        fn lookup_word_agrees_on_any_bytes(s in proptest::collection::vec(proptest::num::u8::ANY, 0..10)) {
            proptest::prop_assert!(lookup_word_agrees(&s).is_ok(), "{:?}", lookup_word_agrees(&s));
        }

        #[test]
        fn word_path_agrees_with_the_scalar_rules(s in r"[ \t]{0,2}[A-Za-z0-9.\-@`\[{/: ]{0,9}[ \t\n]{0,2}") {
            proptest::prop_assert_eq!(normalize_bytes(s.as_bytes()), reference(s.as_bytes()));
        }

        #[test]
        fn word_path_agrees_on_any_bytes(b in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..11)) {
            proptest::prop_assert_eq!(normalize_bytes(&b), reference(&b));
        }

        #[test]
        fn packing_and_order_are_faithful(a in "[A-Z][A-Z0-9]{2,6}", b in "[A-Z][A-Z0-9]{2,6}") {
            let (x, y) = (IcdCmCode::parse(&a).unwrap(), IcdCmCode::parse(&b).unwrap());
            proptest::prop_assert_eq!(x.key() == y.key(), a == b);
            proptest::prop_assert_eq!(x.cmp(&y), a.cmp(&b));
            proptest::prop_assert_eq!(x.starts_with(&y), a.starts_with(&b));
        }
    }
}
