//! FHIR primitive types that keep their exact lexical form: [`Decimal`], [`Date`], [`DateTime`],
//! [`Instant`], [`Time`]. Values are checked lazily: parsing keeps any text (so nothing is lost),
//! [`crate::validate`] reports text that is not valid for the type, and the accessors return `None`
//! for it.

use jiff::Timestamp;
use jiff::civil;
use jiff::tz::{Offset, TimeZone};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::value::RawValue;
use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// Why a text is not a valid FHIR primitive of some type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a valid FHIR {type_name}")]
pub struct PrimitiveError {
    text: String,
    type_name: &'static str,
}

impl PrimitiveError {
    fn new(text: &str, type_name: &'static str) -> Self {
        PrimitiveError {
            text: text.chars().take(64).collect(),
            type_name,
        }
    }
    /// The FHIR type that was expected (`date`, `decimal` …).
    pub fn type_name(&self) -> &'static str {
        self.type_name
    }
}

// ---------------------------------------------------------------------------------------------
// Decimal

/// FHIR `decimal`: a JSON number kept as written, so `1.50` stays `1.50` (precision is meaningful
/// in FHIR: `1.50` says two decimal places were measured).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Decimal(String);

impl Decimal {
    /// A decimal from its text; checked against the FHIR/JSON number grammar.
    pub fn new(text: impl Into<String>) -> Result<Self, PrimitiveError> {
        let text = text.into();
        if is_json_number(&text) {
            Ok(Decimal(text))
        } else {
            Err(PrimitiveError::new(&text, "decimal"))
        }
    }
    /// The decimal as written (`"1.50"`).
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The value as `f64` (may round; use [`Decimal::as_str`] for the exact text).
    pub fn to_f64(&self) -> f64 {
        self.0.parse().unwrap_or(f64::NAN)
    }
    /// The number of digits after the decimal point as written (`1.50` → 2, `3` → 0).
    pub fn scale(&self) -> usize {
        let mantissa = self.0.split(['e', 'E']).next().unwrap_or("");
        mantissa.split_once('.').map_or(0, |(_, f)| f.len())
    }
    /// Compares two decimals by value (`1.5` equals `1.50`).
    pub fn cmp_value(&self, other: &Decimal) -> Option<Ordering> {
        self.to_f64().partial_cmp(&other.to_f64())
    }
}

impl From<i64> for Decimal {
    fn from(v: i64) -> Self {
        Decimal(v.to_string())
    }
}

impl From<u32> for Decimal {
    fn from(v: u32) -> Self {
        Decimal(v.to_string())
    }
}

impl TryFrom<f64> for Decimal {
    type Error = PrimitiveError;
    /// The shortest text that reads back as `v` (`0.1` → `"0.1"`); NaN and infinities fail.
    fn try_from(v: f64) -> Result<Self, PrimitiveError> {
        if v.is_finite() {
            let s = if v.fract() == 0.0 && v.abs() < 1e15 {
                format!("{v:.0}")
            } else {
                v.to_string()
            };
            Decimal::new(s)
        } else {
            Err(PrimitiveError::new(&v.to_string(), "decimal"))
        }
    }
}

impl FromStr for Decimal {
    type Err = PrimitiveError;
    fn from_str(s: &str) -> Result<Self, PrimitiveError> {
        Decimal::new(s)
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn is_json_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    let start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if i == start || (b[start] == b'0' && i - start > 1) {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        let f = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == f {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let e = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == e {
            return false;
        }
    }
    i == b.len()
}

impl Serialize for Decimal {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // serde_json writes a RawValue verbatim: the number keeps its exact text.
        match RawValue::from_string(self.0.clone()) {
            Ok(raw) if is_json_number(&self.0) => raw.serialize(s),
            _ => Err(serde::ser::Error::custom(format_args!(
                "`{}` is not a decimal",
                self.0
            ))),
        }
    }
}

impl<'de> Deserialize<'de> for Decimal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw: Box<RawValue> = Deserialize::deserialize(d)?;
        let text: Box<str> = raw.into();
        if is_json_number(&text) {
            Ok(Decimal(text.into_string()))
        } else {
            Err(de::Error::invalid_type(
                de::Unexpected::Other(&text),
                &"a JSON number (FHIR decimal)",
            ))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Dates and times

/// How much of a date or time was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Precision {
    /// `2024`.
    Year,
    /// `2024-03`.
    Month,
    /// `2024-03-15`.
    Day,
    /// `2024-03-15T10:30:00+01:00` (seconds, maybe fractions).
    Second,
}

/// The parts of a date/dateTime/instant text.
#[derive(Debug, Clone, Copy)]
struct Parts {
    year: i16,
    month: Option<i8>,
    day: Option<i8>,
    /// Time of day: hour, minute, second, nanosecond.
    time: Option<(i8, i8, i8, i32)>,
    /// Offset in seconds (`Z` = 0).
    offset: Option<i32>,
}

impl Parts {
    fn precision(&self) -> Precision {
        if self.time.is_some() {
            Precision::Second
        } else if self.day.is_some() {
            Precision::Day
        } else if self.month.is_some() {
            Precision::Month
        } else {
            Precision::Year
        }
    }

    fn first_date(&self) -> Option<civil::Date> {
        civil::Date::new(self.year, self.month.unwrap_or(1), self.day.unwrap_or(1)).ok()
    }

    fn last_date(&self) -> Option<civil::Date> {
        let first = self.first_date()?;
        match (self.month, self.day) {
            (_, Some(_)) => Some(first),
            (Some(_), None) => Some(first.last_of_month()),
            (None, None) => civil::Date::new(self.year, 12, 31).ok(),
        }
    }

    fn civil_time(&self) -> Option<civil::Time> {
        let (h, m, s, n) = self.time?;
        civil::Time::new(h, m, s.min(59), n).ok()
    }

    /// The half-open UTC range this text stands for, in `tz` when it has no offset.
    fn range(&self, tz: &TimeZone) -> Option<(Timestamp, Timestamp)> {
        if let (Some(t), Some(off)) = (self.civil_time(), self.offset) {
            let dt = self.first_date()?.to_datetime(t);
            let ts = Offset::from_seconds(off).ok()?.to_timestamp(dt).ok()?;
            return Some((ts, ts));
        }
        let start = self
            .first_date()?
            .to_zoned_datetime(tz.clone())
            .ok()?
            .timestamp();
        let end = self
            .last_date()?
            .tomorrow()
            .ok()?
            .to_zoned_datetime(tz.clone())
            .ok()?
            .timestamp();
        Some((start, end))
    }
}

fn digits(b: &[u8], at: usize, n: usize) -> Option<i32> {
    let s = b.get(at..at + n)?;
    let mut v = 0i32;
    for &c in s {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i32::from(c - b'0');
    }
    Some(v)
}

/// Parses `hh:mm:ss(.f+)?` at `at`; returns the time and the index after it.
fn parse_time_at(b: &[u8], at: usize) -> Option<((i8, i8, i8, i32), usize)> {
    let h = digits(b, at, 2)?;
    (b.get(at + 2) == Some(&b':')).then_some(())?;
    let m = digits(b, at + 3, 2)?;
    (b.get(at + 5) == Some(&b':')).then_some(())?;
    let s = digits(b, at + 6, 2)?;
    if h > 23 || m > 59 || s > 60 {
        return None;
    }
    let mut i = at + 8;
    let mut nanos = 0i32;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            if i - start < 9 {
                nanos = nanos * 10 + i32::from(b[i] - b'0');
            }
            i += 1;
        }
        if i == start {
            return None;
        }
        for _ in (i - start)..9 {
            nanos *= 10;
        }
    }
    Some(((h as i8, m as i8, s as i8, nanos), i))
}

fn parse_parts(s: &str, allow_partial: bool, allow_time: bool) -> Option<Parts> {
    let b = s.as_bytes();
    let year = digits(b, 0, 4)?;
    if year == 0 {
        return None;
    }
    let mut p = Parts {
        year: year as i16,
        month: None,
        day: None,
        time: None,
        offset: None,
    };
    if b.len() == 4 {
        return allow_partial.then_some(p);
    }
    (b.get(4) == Some(&b'-')).then_some(())?;
    let month = digits(b, 5, 2)?;
    if !(1..=12).contains(&month) {
        return None;
    }
    p.month = Some(month as i8);
    if b.len() == 7 {
        return allow_partial.then_some(p);
    }
    (b.get(7) == Some(&b'-')).then_some(())?;
    let day = digits(b, 8, 2)?;
    p.day = Some(day as i8);
    civil::Date::new(p.year, month as i8, day as i8).ok()?;
    if b.len() == 10 {
        return allow_partial.then_some(p);
    }
    if !allow_time || b.get(10) != Some(&b'T') {
        return None;
    }
    let (t, i) = parse_time_at(b, 11)?;
    p.time = Some(t);
    // FHIR: a time SHALL have a time zone.
    match b.get(i) {
        Some(b'Z') if i + 1 == b.len() => p.offset = Some(0),
        Some(&c @ (b'+' | b'-')) if i + 6 == b.len() => {
            let oh = digits(b, i + 1, 2)?;
            (b.get(i + 3) == Some(&b':')).then_some(())?;
            let om = digits(b, i + 4, 2)?;
            if oh > 14 || om > 59 {
                return None;
            }
            let secs = oh * 3600 + om * 60;
            p.offset = Some(if c == b'-' { -secs } else { secs });
        }
        _ => return None,
    }
    Some(p)
}

macro_rules! lexical_type {
    ($(#[$doc:meta])* $name:ident, $fhir:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $name(String);

        impl $name {
            /// Checks `text` against the FHIR grammar of this type.
            pub fn new(text: impl Into<String>) -> Result<Self, PrimitiveError> {
                let text = text.into();
                if Self::is_valid_text(&text) {
                    Ok($name(text))
                } else {
                    Err(PrimitiveError::new(&text, $fhir))
                }
            }
            /// Wraps `text` without checking it (parsing does this, so that nothing is lost;
            /// `validate()` reports invalid text).
            pub fn new_unchecked(text: impl Into<String>) -> Self {
                $name(text.into())
            }
            /// The text as written.
            pub fn as_str(&self) -> &str {
                &self.0
            }
            /// Whether the text is valid for this FHIR type.
            pub fn is_valid(&self) -> bool {
                Self::is_valid_text(&self.0)
            }
        }

        impl FromStr for $name {
            type Err = PrimitiveError;
            fn from_str(s: &str) -> Result<Self, PrimitiveError> {
                $name::new(s)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_str(LexicalVisitor($fhir)).map($name)
            }
        }
    };
}

struct LexicalVisitor(&'static str);

impl Visitor<'_> for LexicalVisitor {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a FHIR {} string", self.0)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }
}

lexical_type!(
    /// FHIR `date`: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, kept as written (`2024` is not
    /// `2024-01-01`). Compare with [`PartialOrd`] (overlapping partial dates are unordered) or
    /// read with [`Date::date`] / [`Date::precision`].
    Date,
    "date"
);
lexical_type!(
    /// FHIR `dateTime`: a partial date, a date, or a date and time with a time zone
    /// (`2024-03-15T10:30:00+01:00`), kept as written. Read it with [`DateTime::to_timestamp`],
    /// [`DateTime::date`] and [`DateTime::precision`].
    DateTime,
    "dateTime"
);
lexical_type!(
    /// FHIR `instant`: a full timestamp with seconds and a time zone, kept as written
    /// (fraction digits and offset included).
    Instant,
    "instant"
);
lexical_type!(
    /// FHIR `time`: a time of day `hh:mm:ss(.fff)`, kept as written.
    Time,
    "time"
);

impl Date {
    fn is_valid_text(s: &str) -> bool {
        parse_parts(s, true, false).is_some()
    }
    fn parts(&self) -> Option<Parts> {
        parse_parts(&self.0, true, false)
    }
    /// A full date.
    pub fn from_civil(d: civil::Date) -> Self {
        Date(d.strftime("%Y-%m-%d").to_string())
    }
    /// How much of the date was given; `None` if the text is not a valid date.
    pub fn precision(&self) -> Option<Precision> {
        self.parts().map(|p| p.precision())
    }
    /// The first day the date stands for (`2024` → 2024-01-01).
    pub fn date(&self) -> Option<civil::Date> {
        self.parts()?.first_date()
    }
    /// The last day the date stands for (`2024-02` → 2024-02-29).
    pub fn last_date(&self) -> Option<civil::Date> {
        self.parts()?.last_date()
    }
    /// The year.
    pub fn year(&self) -> Option<i16> {
        self.parts().map(|p| p.year)
    }
}

impl From<civil::Date> for Date {
    fn from(d: civil::Date) -> Self {
        Date::from_civil(d)
    }
}

impl PartialOrd for Date {
    /// Orders by the days each date stands for: `2023 < 2024-01-05`, `2024-01 < 2024-02`, but
    /// `2024` and `2024-03` overlap and are unordered (`None`) unless equal text.
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        if self.0 == other.0 {
            return Some(Ordering::Equal);
        }
        let (a, b) = (self.parts()?, other.parts()?);
        order_ranges(
            (a.first_date()?, a.last_date()?),
            (b.first_date()?, b.last_date()?),
        )
    }
}

fn order_ranges<T: Ord>(a: (T, T), b: (T, T)) -> Option<Ordering> {
    if a.1 < b.0 {
        Some(Ordering::Less)
    } else if b.1 < a.0 {
        Some(Ordering::Greater)
    } else if a.0 == b.0 && a.1 == b.1 {
        Some(Ordering::Equal)
    } else {
        None
    }
}

impl DateTime {
    fn is_valid_text(s: &str) -> bool {
        parse_parts(s, true, true).is_some()
    }
    fn parts(&self) -> Option<Parts> {
        parse_parts(&self.0, true, true)
    }
    /// A full timestamp, written in UTC with `Z` (`2024-03-15T09:30:00Z`, fractions only if any).
    pub fn from_timestamp(ts: Timestamp) -> Self {
        DateTime(format_timestamp(ts))
    }
    /// A zoned date-time, written with its offset (`2024-03-15T10:30:00+01:00`).
    pub fn from_zoned(z: &jiff::ZonedDateTime) -> Self {
        DateTime(z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string())
    }
    /// A date only (`2024-03-15`).
    pub fn from_date(d: civil::Date) -> Self {
        DateTime(d.strftime("%Y-%m-%d").to_string())
    }
    /// How much was given; `None` if the text is not a valid dateTime.
    pub fn precision(&self) -> Option<Precision> {
        self.parts().map(|p| p.precision())
    }
    /// The calendar date as written (the local date of the text, before any time zone shift;
    /// `2024` → 2024-01-01).
    pub fn date(&self) -> Option<civil::Date> {
        self.parts()?.first_date()
    }
    /// The civil date-time as written, ignoring the offset (`None` without a time).
    pub fn civil_datetime(&self) -> Option<civil::DateTime> {
        let p = self.parts()?;
        Some(p.first_date()?.to_datetime(p.civil_time()?))
    }
    /// The offset written in the text (`None` for dates without a time).
    pub fn offset(&self) -> Option<Offset> {
        Offset::from_seconds(self.parts()?.offset?).ok()
    }
    /// The instant this stands for: exact when a time with offset is given; for a (partial)
    /// date, the start of its first day in `tz`.
    pub fn to_timestamp(&self, tz: &TimeZone) -> Option<Timestamp> {
        self.parts()?.range(tz).map(|r| r.0)
    }
    /// The half-open range of instants this stands for (`2024-03` in `tz` → March 1st 00:00 up to
    /// April 1st 00:00; a full timestamp → an empty range at that instant).
    pub fn to_range(&self, tz: &TimeZone) -> Option<(Timestamp, Timestamp)> {
        self.parts()?.range(tz)
    }
}

impl From<Timestamp> for DateTime {
    fn from(ts: Timestamp) -> Self {
        DateTime::from_timestamp(ts)
    }
}

impl From<civil::Date> for DateTime {
    fn from(d: civil::Date) -> Self {
        DateTime::from_date(d)
    }
}

impl From<Date> for DateTime {
    fn from(d: Date) -> Self {
        DateTime(d.0)
    }
}

impl PartialOrd for DateTime {
    /// Orders by the instants each value stands for; date-only values are read in UTC. Values
    /// whose ranges overlap (`2024` vs `2024-05-01T10:00:00Z`) are unordered (`None`).
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        if self.0 == other.0 {
            return Some(Ordering::Equal);
        }
        let a = self.to_range(&TimeZone::UTC)?;
        let b = other.to_range(&TimeZone::UTC)?;
        if a.0 == a.1 && b.0 == b.1 {
            return Some(a.0.cmp(&b.0));
        }
        // Half-open ranges: [s, e).
        let a_end = if a.0 == a.1 {
            a.1
        } else {
            a.1 - jiff::SignedDuration::from_nanos(1)
        };
        let b_end = if b.0 == b.1 {
            b.1
        } else {
            b.1 - jiff::SignedDuration::from_nanos(1)
        };
        order_ranges((a.0, a_end), (b.0, b_end))
    }
}

fn format_timestamp(ts: Timestamp) -> String {
    if ts.subsec_nanosecond() == 0 {
        ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
    } else {
        ts.strftime("%Y-%m-%dT%H:%M:%S%.fZ").to_string()
    }
}

impl Instant {
    fn is_valid_text(s: &str) -> bool {
        parse_parts(s, false, true).is_some_and(|p| p.time.is_some())
    }
    /// An instant written in UTC with `Z`.
    pub fn from_timestamp(ts: Timestamp) -> Self {
        Instant(format_timestamp(ts))
    }
    /// The instant; `None` if the text is invalid.
    pub fn to_timestamp(&self) -> Option<Timestamp> {
        let p = parse_parts(&self.0, false, true)?;
        p.range(&TimeZone::UTC).map(|r| r.0)
    }
}

impl From<Timestamp> for Instant {
    fn from(ts: Timestamp) -> Self {
        Instant::from_timestamp(ts)
    }
}

impl PartialOrd for Instant {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        if self.0 == other.0 {
            return Some(Ordering::Equal);
        }
        Some(self.to_timestamp()?.cmp(&other.to_timestamp()?))
    }
}

impl Time {
    fn is_valid_text(s: &str) -> bool {
        parse_time_at(s.as_bytes(), 0).is_some_and(|(_, end)| end == s.len())
    }
    /// A time of day (whole seconds unless it has fractions).
    pub fn from_civil(t: civil::Time) -> Self {
        if t.subsec_nanosecond() == 0 {
            Time(t.strftime("%H:%M:%S").to_string())
        } else {
            Time(t.strftime("%H:%M:%S%.f").to_string())
        }
    }
    /// The time of day; `None` if invalid (a leap second `60` reads as `59`).
    pub fn time(&self) -> Option<civil::Time> {
        let ((h, m, s, n), end) = parse_time_at(self.0.as_bytes(), 0)?;
        (end == self.0.len()).then_some(())?;
        civil::Time::new(h, m, s.min(59), n).ok()
    }
}

impl PartialOrd for Time {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        if self.0 == other.0 {
            return Some(Ordering::Equal);
        }
        Some(self.time()?.cmp(&other.time()?))
    }
}
