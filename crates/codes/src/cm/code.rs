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
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IcdCmCode {
    raw: [u8; 7],
    len: u8,
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
#[inline]
pub(crate) fn normalize_bytes(input: &[u8]) -> Result<IcdCmCode, MalformedKind> {
    // Trim ASCII white space on both ends.
    let mut start = 0;
    let mut end = input.len();
    while start < end && input[start].is_ascii_whitespace() {
        start += 1;
    }
    while end > start && input[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    let s = &input[start..end];
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
    pub fn starts_with(&self, other: &IcdCmCode) -> bool {
        other.len <= self.len && self.raw[..other.len as usize] == other.raw[..other.len as usize]
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

    /// A 64-bit key unique per code (used by the hash index).
    #[inline]
    pub(crate) fn key(&self) -> u64 {
        let r = &self.raw;
        u64::from_le_bytes([r[0], r[1], r[2], r[3], r[4], r[5], r[6], self.len])
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
}
