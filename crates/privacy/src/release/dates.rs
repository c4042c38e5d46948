//! FHIR `date` / `dateTime` values reduced to calendar days, for the date checks of release
//! (authorization signed and expiry dates, requested date ranges, the six-year accounting
//! window).
//!
//! FHIR allows partial dates (`2024`, `2024-05`); a partial date stands for the whole year or
//! month, so each value has an earliest and a latest day. Times and time zones are dropped: the
//! decisions here are day-granular, as authorizations and accountings are.

use jiff::civil::Date;

/// The earliest and latest calendar day a FHIR `date` / `dateTime` can mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayBounds {
    /// The first day the value covers (`2024-05` → 2024-05-01).
    pub earliest: Date,
    /// The last day the value covers (`2024-05` → 2024-05-31).
    pub latest: Date,
}

/// Parses the date part of a FHIR `date`, `dateTime` or `instant` (`YYYY`, `YYYY-MM`,
/// `YYYY-MM-DD`, optionally followed by `T…`). Returns `None` when it is not one.
pub fn day_bounds(value: &str) -> Option<DayBounds> {
    let date_part = value.split('T').next().unwrap_or("");
    let mut parts = date_part.split('-');
    let year: i16 = parse_fixed(parts.next()?, 4)?;
    let month = parts.next();
    let day = parts.next();
    if parts.next().is_some() {
        return None;
    }
    match (month, day) {
        (None, None) => Some(DayBounds {
            earliest: Date::new(year, 1, 1).ok()?,
            latest: Date::new(year, 12, 31).ok()?,
        }),
        (Some(m), None) => {
            let m: i8 = parse_fixed(m, 2)?;
            let first = Date::new(year, m, 1).ok()?;
            Some(DayBounds {
                earliest: first,
                latest: first.last_of_month(),
            })
        }
        (Some(m), Some(d)) => {
            let day = Date::new(year, parse_fixed(m, 2)?, parse_fixed(d, 2)?).ok()?;
            Some(DayBounds {
                earliest: day,
                latest: day,
            })
        }
        (None, Some(_)) => None,
    }
}

fn parse_fixed<T: std::str::FromStr>(s: &str, len: usize) -> Option<T> {
    if s.len() == len && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

/// An inclusive range of calendar days; either end may be open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct DateRange {
    /// First day included, if bounded.
    pub from: Option<Date>,
    /// Last day included, if bounded.
    pub to: Option<Date>,
}

impl DateRange {
    /// The unbounded range.
    pub const ALL: DateRange = DateRange {
        from: None,
        to: None,
    };

    /// Whether a FHIR date value (with its partial-date bounds) overlaps this range.
    pub fn overlaps(&self, bounds: DayBounds) -> bool {
        self.from.is_none_or(|f| bounds.latest >= f) && self.to.is_none_or(|t| bounds.earliest <= t)
    }

    /// Whether a day lies in the range.
    pub fn contains(&self, day: Date) -> bool {
        self.from.is_none_or(|f| day >= f) && self.to.is_none_or(|t| day <= t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn partial_dates_cover_their_whole_span() {
        let b = day_bounds("2024").unwrap();
        assert_eq!(
            (b.earliest, b.latest),
            (date(2024, 1, 1), date(2024, 12, 31))
        );
        let b = day_bounds("2024-02").unwrap();
        assert_eq!(
            (b.earliest, b.latest),
            (date(2024, 2, 1), date(2024, 2, 29))
        );
        let b = day_bounds("2024-02-03T10:00:00+05:00").unwrap();
        assert_eq!((b.earliest, b.latest), (date(2024, 2, 3), date(2024, 2, 3)));
        for bad in [
            "",
            "24",
            "2024-2",
            "2024-13",
            "2024-02-30",
            "2024-02-03-04",
            "abcd",
        ] {
            assert!(day_bounds(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn ranges_overlap_partial_dates() {
        let r = DateRange {
            from: Some(date(2024, 3, 15)),
            to: Some(date(2024, 6, 30)),
        };
        assert!(r.overlaps(day_bounds("2024-03").unwrap()));
        assert!(!r.overlaps(day_bounds("2024-02").unwrap()));
        assert!(!r.overlaps(day_bounds("2024-07-01").unwrap()));
        assert!(DateRange::ALL.overlaps(day_bounds("1900").unwrap()));
    }
}
