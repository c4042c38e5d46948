//! Keyed pseudonyms (HMAC-SHA-256) and per-patient date shifting.
//!
//! 45 CFR 164.514(c) forbids deriving a Safe Harbor re-identification code from the individual's
//! information; keyed pseudonyms and shifted dates are therefore meant for limited data sets
//! (164.514(e)) and expert-determination releases (164.514(b)(1)). An *unkeyed* hash of an MRN or SSN
//! is never used: the input space is small enough to brute-force.
//!
//! The key is held in memory only: [`PseudonymKey`]'s `Debug` prints no key bytes, and nothing in
//! this crate writes the key into any output or report.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;
use std::path::{Path, PathBuf};

type HmacSha256 = Hmac<Sha256>;

/// The minimum key length in bytes (128 bits).
pub const MIN_KEY_BYTES: usize = 16;

/// A secret key for keyed pseudonyms and date shifts. Supplied by the user (a key file); never
/// logged, never written to output.
#[derive(Clone)]
pub struct PseudonymKey {
    bytes: Vec<u8>,
}

impl fmt::Debug for PseudonymKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PseudonymKey(<redacted>)")
    }
}

/// What went wrong loading a [`PseudonymKey`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyErrorKind {
    /// The key file could not be read (missing, unreadable).
    Io,
    /// The key is shorter than [`MIN_KEY_BYTES`].
    TooShort,
}

/// A key could not be loaded. Never contains key material.
#[derive(Debug, thiserror::Error)]
#[error("{}key: {message}", path.as_ref().map(|p| format!("{}: ", p.display())).unwrap_or_default())]
pub struct KeyError {
    kind: KeyErrorKind,
    path: Option<PathBuf>,
    message: String,
}

impl KeyError {
    /// The kind of failure.
    pub fn kind(&self) -> KeyErrorKind {
        self.kind
    }
    /// The key file, when the key came from one.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }
}

impl PseudonymKey {
    /// A key from raw bytes; at least [`MIN_KEY_BYTES`] long.
    pub fn from_bytes(bytes: impl Into<Vec<u8>>) -> Result<Self, KeyError> {
        let bytes = bytes.into();
        if bytes.len() < MIN_KEY_BYTES {
            return Err(KeyError {
                kind: KeyErrorKind::TooShort,
                path: None,
                message: format!(
                    "a key needs at least {MIN_KEY_BYTES} bytes, this one has {}",
                    bytes.len()
                ),
            });
        }
        Ok(PseudonymKey { bytes })
    }

    /// Reads a key file: its bytes, less trailing ASCII whitespace (so `openssl rand -hex 32 > key`
    /// works), must be at least [`MIN_KEY_BYTES`] long.
    pub fn from_file(path: &Path) -> Result<Self, KeyError> {
        let mut bytes = std::fs::read(path).map_err(|e| KeyError {
            kind: KeyErrorKind::Io,
            path: Some(path.to_path_buf()),
            message: format!("cannot read key file: {e}"),
        })?;
        while bytes.last().is_some_and(|b| b.is_ascii_whitespace()) {
            bytes.pop();
        }
        PseudonymKey::from_bytes(bytes).map_err(|mut e| {
            e.path = Some(path.to_path_buf());
            e
        })
    }

    /// HMAC-SHA-256 of `domain` and `value` (domain-separated so a name and an MRN with equal text
    /// get unrelated pseudonyms).
    pub fn mac(&self, domain: &str, value: &[u8]) -> [u8; 32] {
        let mut mac = HmacSha256::new_from_slice(&self.bytes).expect("HMAC accepts any key length");
        mac.update(&(domain.len() as u64).to_be_bytes());
        mac.update(domain.as_bytes());
        mac.update(value);
        mac.finalize().into_bytes().into()
    }

    /// A pseudonym of `value` in `domain`: the first `hex_len` hex digits (at most 64) of the
    /// HMAC. Stable for a key across records and runs; unrelated across keys.
    pub fn pseudonym(&self, domain: &str, value: &str, hex_len: usize) -> String {
        let mac = self.mac(domain, value.as_bytes());
        let mut s = String::with_capacity(64);
        for b in mac {
            s.push_str(&format!("{b:02x}"));
        }
        s.truncate(hex_len.min(64));
        s
    }

    /// A keyed surrogate resource id shaped like a UUID (version-4 bits set), so it stays valid
    /// inside `urn:uuid:` references.
    pub fn surrogate_uuid(&self, original_id: &str) -> String {
        let mac = self.mac("resource-id", original_id.as_bytes());
        let mut b = [0u8; 16];
        b.copy_from_slice(&mac[..16]);
        uuid::Builder::from_random_bytes(b).into_uuid().to_string()
    }
}

/// Per-patient date shifting: every date of one patient moves by the same keyed number of days, so
/// intervals are preserved exactly; with `keep_weekday` the offset is a multiple of 7.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateShift {
    /// The largest shift in days, either direction (≥ 1; a week or more with `keep_weekday`).
    pub window_days: u32,
    /// Shift by whole weeks so every date keeps its weekday.
    pub keep_weekday: bool,
}

impl Default for DateShift {
    fn default() -> Self {
        DateShift {
            window_days: 365,
            keep_weekday: false,
        }
    }
}

impl DateShift {
    /// The shift in days for `patient_key` (e.g. the patient's original resource id): keyed,
    /// never zero, within `±window_days`.
    pub fn offset_days(&self, key: &PseudonymKey, patient_key: &str) -> i64 {
        let mac = key.mac("date-shift", patient_key.as_bytes());
        let n = u64::from_be_bytes(mac[..8].try_into().expect("8 bytes"));
        let window = i64::from(self.window_days.max(1));
        if self.keep_weekday {
            let weeks = (window / 7).max(1);
            // 1..=weeks, with a sign.
            let w = (n % weeks as u64) as i64 + 1;
            let sign = if (n >> 63) == 1 { -1 } else { 1 };
            sign * w * 7
        } else {
            let d = (n % window as u64) as i64 + 1;
            let sign = if (n >> 63) == 1 { -1 } else { 1 };
            sign * d
        }
    }
}

/// Shifts a FHIR `date`, `dateTime` or `instant` string by `days`, keeping its precision, time of
/// day and offset. A year-only or year-month value is shifted through its first day and truncated
/// back to its precision (so a partial date may move by less than `days`; stated in
/// `docs/privacy.md`). Returns `None` when the text is not a FHIR date.
pub fn shift_fhir_date(text: &str, days: i64) -> Option<String> {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<i32> {
        let s = text.get(r)?;
        if s.bytes().all(|c| c.is_ascii_digit()) {
            s.parse().ok()
        } else {
            None
        }
    };
    let year = digits(0..4)?;
    let (month, day, precision, rest_at) = if b.len() == 4 {
        (1, 1, 1, 4)
    } else if b.len() == 7 && b[4] == b'-' {
        (digits(5..7)?, 1, 2, 7)
    } else if b.len() >= 10 && b[4] == b'-' && b[7] == b'-' {
        (digits(5..7)?, digits(8..10)?, 3, 10)
    } else {
        return None;
    };
    let date = jiff::civil::Date::new(year as i16, month as i8, day as i8).ok()?;
    let shifted = date.checked_add(jiff::Span::new().days(days)).ok()?;
    let mut out = match precision {
        1 => format!("{:04}", shifted.year()),
        2 => format!("{:04}-{:02}", shifted.year(), shifted.month()),
        _ => format!(
            "{:04}-{:02}-{:02}",
            shifted.year(),
            shifted.month(),
            shifted.day()
        ),
    };
    out.push_str(&text[rest_at..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shift_keeps_precision_and_time() {
        assert_eq!(shift_fhir_date("2023-01-02", 30).unwrap(), "2023-02-01");
        assert_eq!(
            shift_fhir_date("2023-01-02T08:42:20.799+00:00", -2).unwrap(),
            "2022-12-31T08:42:20.799+00:00"
        );
        assert_eq!(shift_fhir_date("2023", 400).unwrap(), "2024");
        assert!(shift_fhir_date("hello", 1).is_none());
    }

    #[test]
    fn debug_hides_key() {
        let k = PseudonymKey::from_bytes(b"super-secret-key-material".to_vec()).unwrap();
        assert!(!format!("{k:?}").contains("secret"));
    }
}
