//! Bed counts that change over time: the beds file, and bed-count days.
//!
//! Bed occupancy divides inpatient service days by *bed-count days*: the number of beds each day,
//! summed over the period, so a unit that opens 4 beds on the 16th counts its old count for 15
//! days and the new one for the rest (AHIMA, bed occupancy ratio when the bed count changes).
//! Bassinets (newborn nursery cots) are not beds: they are counted apart, and newborn occupancy
//! uses bassinet-count days.
//!
//! # Beds file
//! CSV with a header row; columns by name, in any order:
//! `unit,beds,effective_from[,kind][,facility]`.
//! - `unit`: the unit name as in the unit history (`Encounter.location`).
//! - `beds`: the number of beds (or bassinets) from that day on (a non-negative integer).
//! - `effective_from`: `YYYY-MM-DD`, the first day the count holds; it holds until the unit's
//!   next row. Before a unit's first row its count is 0.
//! - `kind`: `bed` (default) or `bassinet` (a nursery).
//! - `facility`: optional; a row with a facility applies to that facility's unit only, a row
//!   without one to the unit of that name in every facility.
//!
//! Blank lines and lines starting with `#` are ignored.

use crate::clock::day_number;
use jiff::civil::Date;
use std::collections::HashMap;

/// What a unit's beds are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum BedKind {
    /// Adult, pediatric or intensive-care beds.
    #[default]
    Bed,
    /// Newborn bassinets (not beds).
    Bassinet,
}

/// The number of beds of a unit from a day on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BedCountChange {
    /// Facility, or empty for "any facility".
    pub facility: String,
    /// Unit name.
    pub unit: String,
    /// Beds (or bassinets).
    pub beds: u32,
    /// First day the count holds.
    pub effective_from: Date,
    /// Beds or bassinets.
    pub kind: BedKind,
}

/// (day number, count, kind) from that day on.
type BedChangePoint = (i32, u32, BedKind);

/// Bed and bassinet counts per unit over time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BedSchedule {
    /// (facility, unit) → changes sorted by day: (day number, count, kind).
    units: HashMap<(String, String), Vec<BedChangePoint>>,
}

/// Bed-count days and bassinet-count days of a unit over a run of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BedDays {
    /// Σ beds per day.
    pub beds: u64,
    /// Σ bassinets per day.
    pub bassinets: u64,
}

impl BedSchedule {
    /// An empty schedule (every unit has 0 beds).
    pub fn new() -> BedSchedule {
        BedSchedule::default()
    }

    /// True when no unit has a bed count.
    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    /// Adds one change. A later change with the same unit and day replaces the earlier one.
    pub fn insert(&mut self, change: BedCountChange) {
        let day = day_number(change.effective_from);
        let v = self
            .units
            .entry((change.facility, change.unit))
            .or_default();
        match v.binary_search_by_key(&day, |e| e.0) {
            Ok(i) => v[i] = (day, change.beds, change.kind),
            Err(i) => v.insert(i, (day, change.beds, change.kind)),
        }
    }

    fn changes(&self, facility: &str, unit: &str) -> Option<&Vec<BedChangePoint>> {
        // Avoid allocating: look up with owned keys only when the map is non-empty.
        if self.units.is_empty() {
            return None;
        }
        self.units
            .get(&(facility.to_string(), unit.to_string()))
            .or_else(|| self.units.get(&(String::new(), unit.to_string())))
    }

    /// Beds (or bassinets) of a unit on a day, and which.
    pub fn count_on(&self, facility: &str, unit: &str, day: i32) -> (u32, BedKind) {
        let Some(v) = self.changes(facility, unit) else {
            return (0, BedKind::Bed);
        };
        match v.partition_point(|e| e.0 <= day) {
            0 => (0, v[0].2),
            i => (v[i - 1].1, v[i - 1].2),
        }
    }

    /// True when the unit's beds are bassinets (a nursery).
    pub fn is_nursery(&self, facility: &str, unit: &str) -> bool {
        self.changes(facility, unit)
            .and_then(|v| v.last())
            .is_some_and(|e| e.2 == BedKind::Bassinet)
    }

    /// Bed-count days of a unit over the days `first..=last`.
    pub fn bed_days(&self, facility: &str, unit: &str, first: i32, last: i32) -> BedDays {
        let mut out = BedDays::default();
        let Some(v) = self.changes(facility, unit) else {
            return out;
        };
        if last < first {
            return out;
        }
        // Walk the change points that cut the range.
        let mut i = v.partition_point(|e| e.0 <= first);
        let mut day = first;
        let (mut count, mut kind) = if i == 0 {
            (0, v[0].2)
        } else {
            (v[i - 1].1, v[i - 1].2)
        };
        while day <= last {
            let next = if i < v.len() {
                v[i].0.min(last + 1)
            } else {
                last + 1
            };
            let n = u64::from(count) * (next - day) as u64;
            match kind {
                BedKind::Bed => out.beds += n,
                BedKind::Bassinet => out.bassinets += n,
            }
            day = next;
            if i < v.len() && v[i].0 == day {
                count = v[i].1;
                kind = v[i].2;
                i += 1;
            }
        }
        out
    }

    /// Every (facility, unit) the schedule knows.
    pub fn units(&self) -> impl Iterator<Item = (&str, &str)> {
        self.units.keys().map(|(f, u)| (f.as_str(), u.as_str()))
    }

    /// Parses a beds file (see the module docs).
    pub fn parse_csv(text: &str) -> Result<BedSchedule, BedsError> {
        let mut schedule = BedSchedule::new();
        let mut lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
        let Some((header_no, header)) = lines.next() else {
            return Err(BedsError::new(
                0,
                BedsErrorKind::MissingHeader,
                "the file is empty",
            ));
        };
        let names: Vec<String> = split_csv(header)
            .into_iter()
            .map(|s| s.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
            .collect();
        let col = |name: &str| names.iter().position(|n| n == name);
        let (Some(c_unit), Some(c_beds), Some(c_from)) =
            (col("unit"), col("beds"), col("effective_from"))
        else {
            return Err(BedsError::new(
                header_no + 1,
                BedsErrorKind::MissingHeader,
                "the header must name the columns unit, beds and effective_from",
            ));
        };
        let c_kind = col("kind");
        let c_facility = col("facility");
        for (no, line) in lines {
            let line_no = no + 1;
            let fields = split_csv(line);
            let get = |c: usize| fields.get(c).map(|s| s.trim()).unwrap_or("");
            if fields.len() < names.len() {
                return Err(BedsError::new(
                    line_no,
                    BedsErrorKind::MissingField,
                    format!("expected {} fields, found {}", names.len(), fields.len()),
                ));
            }
            let unit = get(c_unit);
            if unit.is_empty() {
                return Err(BedsError::new(
                    line_no,
                    BedsErrorKind::MissingField,
                    "unit is empty",
                ));
            }
            let beds: u32 = get(c_beds).parse().map_err(|_| {
                BedsError::new(
                    line_no,
                    BedsErrorKind::BadCount,
                    format!("beds {:?} is not a non-negative integer", get(c_beds)),
                )
            })?;
            let effective_from: Date = parse_date(get(c_from)).ok_or_else(|| {
                BedsError::new(
                    line_no,
                    BedsErrorKind::BadDate,
                    format!("effective_from {:?} is not a YYYY-MM-DD date", get(c_from)),
                )
            })?;
            let kind = match c_kind.map(get).unwrap_or("") {
                "" | "bed" | "beds" => BedKind::Bed,
                "bassinet" | "bassinets" | "nursery" => BedKind::Bassinet,
                other => {
                    return Err(BedsError::new(
                        line_no,
                        BedsErrorKind::BadKind,
                        format!("kind {other:?} is neither bed nor bassinet"),
                    ));
                }
            };
            schedule.insert(BedCountChange {
                facility: c_facility.map(get).unwrap_or("").to_string(),
                unit: unit.to_string(),
                beds,
                effective_from,
                kind,
            });
        }
        Ok(schedule)
    }
}

/// Strict `YYYY-MM-DD`.
fn parse_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i16 = s[0..4].parse().ok()?;
    let m: i8 = s[5..7].parse().ok()?;
    let d: i8 = s[8..10].parse().ok()?;
    Date::new(y, m, d).ok()
}

/// Splits one CSV line (RFC 4180 quoting within the line; no embedded newlines).
fn split_csv(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cur)),
            (c, _) => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// What went wrong reading a beds file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BedsErrorKind {
    /// No header, or the header lacks a required column.
    MissingHeader,
    /// A row lacks a field.
    MissingField,
    /// `beds` is not a non-negative integer.
    BadCount,
    /// `effective_from` is not a `YYYY-MM-DD` date.
    BadDate,
    /// `kind` is neither `bed` nor `bassinet`.
    BadKind,
}

/// An error reading a beds file, with its line (1-based; 0 = the whole file).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct BedsError {
    line: usize,
    kind: BedsErrorKind,
    message: String,
}

impl BedsError {
    fn new(line: usize, kind: BedsErrorKind, message: impl Into<String>) -> BedsError {
        BedsError {
            line,
            kind,
            message: message.into(),
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> BedsErrorKind {
        self.kind
    }

    /// The 1-based line (0 = the whole file).
    pub fn line(&self) -> usize {
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn bed_count_change_mid_month() {
        let s = BedSchedule::parse_csv(
            "unit,beds,effective_from,kind\n\
             # medicine grows on the 16th\n\
             MED,10,2024-01-01,bed\n\
             MED,14,2024-03-16,bed\n\
             NURSERY,6,2020-01-01,bassinet\n",
        )
        .unwrap();
        let f = day_number(date(2024, 3, 1));
        let l = day_number(date(2024, 3, 31));
        // 15 days × 10 + 16 days × 14 = 150 + 224 = 374
        assert_eq!(s.bed_days("", "MED", f, l).beds, 374);
        assert_eq!(s.bed_days("", "NURSERY", f, l).bassinets, 6 * 31);
        assert_eq!(s.bed_days("", "NURSERY", f, l).beds, 0);
        assert!(s.is_nursery("X", "NURSERY"));
        assert_eq!(s.count_on("", "MED", day_number(date(2023, 12, 31))).0, 0);
        // Before the first row: 0 beds.
        let early = day_number(date(2023, 12, 30));
        assert_eq!(
            s.bed_days("", "MED", early, f).beds,
            10 * (f - day_number(date(2024, 1, 1)) + 1) as u64
        );
    }

    #[test]
    fn errors_say_where() {
        let e =
            BedSchedule::parse_csv("unit,beds,effective_from\nMED,ten,2024-01-01\n").unwrap_err();
        assert_eq!((e.line(), e.kind()), (2, BedsErrorKind::BadCount));
        let e = BedSchedule::parse_csv("unit,beds\n").unwrap_err();
        assert_eq!(e.kind(), BedsErrorKind::MissingHeader);
        let e = BedSchedule::parse_csv("unit,beds,effective_from\nMED,1,2024-02-30\n").unwrap_err();
        assert_eq!(e.kind(), BedsErrorKind::BadDate);
        let e = BedSchedule::parse_csv("").unwrap_err();
        assert_eq!(e.kind(), BedsErrorKind::MissingHeader);
    }
}
