//! The census unit segments of a stay: where the patient was at each midnight, exactly as the
//! [`crate::Aggregator`] counts it.
//!
//! A stay's unit history (`Encounter.location[]`, [`Stay::units`]) becomes *segments*, one per
//! stretch on one unit, in census days of the facility's zone ([`crate::clock::census_day`]):
//!
//! - entries that begin before the admission are read as beginning at the admission; entries
//!   that begin after the discharge are ignored;
//! - an entry that begins at the same instant as the previous one (or earlier: out of order)
//!   replaces it — the later entry wins;
//! - consecutive entries on the same unit are one segment (two consecutive segments name the
//!   same unit only when a later entry at a segment's start instant replaced the entry that
//!   started it: the aggregator then counts a transfer out and in on that unit);
//! - the first segment arrives on the admission day, each unit change ends one segment and
//!   starts the next on the day of the change, the last departs on the discharge day (`None`
//!   while the patient is still in house);
//! - a stay without unit history has one segment on [`crate::UNASSIGNED_UNIT`].
//!
//! A patient is in a unit's **midnight census** of day `d` when a segment on that unit has
//! `arrival_day ≤ d < departure_day` ([`UnitSegment::in_midnight_census`]). The first segment's
//! arrival is the **admission**, every other arrival a **transfer in**; the last segment's
//! departure the **discharge** (deaths included), every other departure a **transfer out**.
//! Only stays the census counts have segments: inpatient stays not discharged before they were
//! admitted (the aggregator rejects those).
//!
//! One implementation serves both the aggregator (through a [`DayClock`]) and
//! [`Stay::unit_segments`], so tables built from the segments (e.g. a SQL census) count exactly
//! what the aggregator counts.

use crate::aggregate::UNASSIGNED_UNIT;
use crate::clock::{DayClock, census_day, date_of_day};
use crate::stay::{EncounterClass, Stay};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

/// One stretch of a stay on one unit, in census days (days since 1970-01-01 in the facility's
/// zone, as Arrow `Date32`; [`date_of_day`] gives the date).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct UnitSegment<'a> {
    /// The unit (ward), or [`crate::UNASSIGNED_UNIT`] for a stay without unit history.
    pub unit: &'a str,
    /// The census day the patient arrived on the unit (the admission day for the first segment).
    pub arrival_day: i32,
    /// The census day the patient left the unit (the discharge day for the last segment);
    /// `None` while the patient is still on it.
    pub departure_day: Option<i32>,
    /// 1-based position among the stay's segments.
    pub sequence: u32,
    /// The segment starts with the admission (its arrival is an admission, not a transfer in).
    pub is_first: bool,
    /// The segment ends with the discharge (its departure is a discharge, not a transfer out).
    pub is_last: bool,
    /// The index in [`Stay::units`] of the unit-history entry naming the unit (`None` for a
    /// stay without unit history).
    pub history_index: Option<usize>,
}

impl UnitSegment<'_> {
    /// True when the patient is in this unit's midnight census of `day`:
    /// `arrival_day ≤ day < departure_day` (same-day segments are in no midnight census).
    pub fn in_midnight_census(&self, day: i32) -> bool {
        self.arrival_day <= day && self.departure_day.is_none_or(|d| day < d)
    }

    /// The midnights spent on the unit (`departure_day − arrival_day`), `None` while on it.
    pub fn midnights(&self) -> Option<u32> {
        self.departure_day
            .map(|d| (d - self.arrival_day).unsigned_abs())
    }

    /// The arrival day as a date.
    pub fn arrival_date(&self) -> Date {
        date_of_day(self.arrival_day)
    }

    /// The departure day as a date.
    pub fn departure_date(&self) -> Option<Date> {
        self.departure_day.map(date_of_day)
    }
}

impl Stay {
    /// The census unit segments of this stay in the facility's time zone, exactly as the
    /// [`crate::Aggregator`] counts them (see [`crate::segment`] for the rules). Empty for a
    /// stay the census does not count (not inpatient, or discharged before admitted).
    ///
    /// ```
    /// use medrec_stats::{EncounterClass, Stay, UnitStay};
    /// use medrec_stats::clock::date_of_day;
    /// use jiff::civil::date;
    /// use jiff::tz::TimeZone;
    ///
    /// let mut stay = Stay::new("p1", "e1", EncounterClass::Inpatient,
    ///     "2024-03-04T10:00:00Z".parse()?, Some("2024-03-07T09:00:00Z".parse()?));
    /// for (unit, from) in [("ED-HOLD", "2024-03-04T09:00:00Z"), ("MED", "2024-03-04T12:00:00Z"),
    ///                      ("MED", "2024-03-05T08:00:00Z"), ("ICU", "2024-03-06T02:00:00Z")] {
    ///     stay.units.push(UnitStay { unit: unit.into(), from: from.parse()?, to: None });
    /// }
    /// let tz = TimeZone::get("America/New_York")?;
    /// let segs: Vec<_> = stay.unit_segments(&tz).collect();
    /// // ED-HOLD from the admission (05:00 EST on the 4th) until noon UTC; MED until the ICU
    /// // transfer at 21:00 EST on the 5th; ICU until the discharge (04:00 EST on the 7th).
    /// assert_eq!(segs.len(), 3);
    /// assert_eq!((segs[0].unit, segs[0].is_first), ("ED-HOLD", true));
    /// assert_eq!(segs[0].departure_date(), Some(date(2024, 3, 4))); // same day: no midnight
    /// assert_eq!(segs[1].unit, "MED");
    /// assert_eq!((segs[1].arrival_date(), segs[1].departure_date()),
    ///            (date(2024, 3, 4), Some(date(2024, 3, 5))));
    /// assert_eq!((segs[2].unit, segs[2].sequence, segs[2].is_last), ("ICU", 3, true));
    /// assert_eq!(date_of_day(segs[2].departure_day.unwrap()), date(2024, 3, 7));
    /// // Midnight census: MED at the end of the 4th, ICU at the end of the 5th and 6th.
    /// let day = medrec_stats::clock::day_number(date(2024, 3, 5));
    /// assert!(segs[2].in_midnight_census(day) && !segs[1].in_midnight_census(day));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn unit_segments<'a>(&'a self, tz: &'a TimeZone) -> UnitSegments<'a> {
        UnitSegments::new(self, DaySource::Zone(tz))
    }

    /// [`Stay::unit_segments`] with census days from a [`DayClock`] (faster when converting
    /// many stays around one period; the same days).
    pub fn unit_segments_with_clock<'a>(&'a self, clock: &'a DayClock) -> UnitSegments<'a> {
        UnitSegments::new(self, DaySource::Clock(clock))
    }

    /// True when the census counts this stay: an inpatient stay not discharged before it was
    /// admitted (the others have no [`UnitSegment`]s; the aggregator skips or rejects them).
    pub fn in_census(&self) -> bool {
        self.class == EncounterClass::Inpatient
            && self.discharged.is_none_or(|d| d >= self.admitted)
    }
}

/// Where census days come from.
#[derive(Debug, Clone, Copy)]
enum DaySource<'a> {
    Zone(&'a TimeZone),
    Clock(&'a DayClock),
}

/// The iterator of [`Stay::unit_segments`]: the stay's [`UnitSegment`]s in time order.
#[derive(Debug, Clone)]
pub struct UnitSegments<'a> {
    walk: SegmentWalk<'a>,
    days: DaySource<'a>,
    emitted: u32,
}

impl<'a> UnitSegments<'a> {
    fn new(stay: &'a Stay, days: DaySource<'a>) -> UnitSegments<'a> {
        let day = |t| match days {
            DaySource::Zone(tz) => census_day(t, tz),
            DaySource::Clock(c) => c.day(t),
        };
        let walk = if stay.in_census() {
            SegmentWalk::new(stay, day(stay.admitted), stay.discharged.map(day))
        } else {
            SegmentWalk::done(stay)
        };
        UnitSegments {
            walk,
            days,
            emitted: 0,
        }
    }
}

impl<'a> Iterator for UnitSegments<'a> {
    type Item = UnitSegment<'a>;

    fn next(&mut self) -> Option<UnitSegment<'a>> {
        let days = self.days;
        let (seg, is_last) = self.walk.next_with(|t| match days {
            DaySource::Zone(tz) => census_day(t, tz),
            DaySource::Clock(c) => c.day(t),
        })?;
        self.emitted += 1;
        let stay = self.walk.stay;
        Some(UnitSegment {
            unit: unit_name(stay, seg.unit),
            arrival_day: seg.start,
            departure_day: seg.end,
            sequence: self.emitted,
            is_first: self.emitted == 1,
            is_last,
            history_index: (seg.unit != NO_UNIT).then_some(seg.unit as usize),
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        if self.walk.done {
            (0, Some(0))
        } else {
            let left = self.walk.stay.units.len() - self.walk.next_entry;
            (1, Some(left + 1))
        }
    }
}

impl std::iter::FusedIterator for UnitSegments<'_> {}

/// [`Segment::unit`] of a stay without unit history ([`UNASSIGNED_UNIT`]).
pub(crate) const NO_UNIT: u32 = u32::MAX;

/// One unit segment of a stay, in census days (the aggregator's form: the unit as an index).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Segment {
    /// Index of the unit-history entry naming the unit, or [`NO_UNIT`].
    pub(crate) unit: u32,
    pub(crate) start: i32,
    pub(crate) end: Option<i32>,
    /// The instant the segment ends: the next segment's start, or the discharge (`None` while
    /// in house). The day of `end` is the census day of this instant.
    pub(crate) until: Option<Timestamp>,
}

/// The unit name of a segment.
#[inline]
pub(crate) fn unit_name(stay: &Stay, unit: u32) -> &str {
    match stay.units.get(unit as usize) {
        Some(u) if unit != NO_UNIT => &u.unit,
        _ => UNASSIGNED_UNIT,
    }
}

/// String equality that never calls `memcmp` for empty strings: an empty `String`'s pointer is
/// dangling, and glibc's AVX-512 `memcmp` does a masked load from it (a fault-suppressed load,
/// slow on this hardware: 28 % of the `stats` bench's perf samples sat on that load when every
/// unit segment compared an empty facility name).
#[inline]
pub(crate) fn same_str(a: &str, b: &str) -> bool {
    a.len() == b.len() && (a.is_empty() || a.as_bytes() == b.as_bytes())
}

/// A name's first and last 4 bytes as an integer (two overlapping loads; names of 1–3 bytes:
/// first, middle and last byte): with the length, it identifies names of up to 8 bytes.
#[inline(always)]
pub(crate) fn name_tag(bytes: &[u8]) -> u64 {
    let n = bytes.len();
    if n >= 4 {
        let head = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        let tail = u32::from_le_bytes([bytes[n - 4], bytes[n - 3], bytes[n - 2], bytes[n - 1]]);
        u64::from(head) | (u64::from(tail) << 32)
    } else if n > 0 {
        u64::from(bytes[0]) | (u64::from(bytes[n >> 1]) << 8) | (u64::from(bytes[n - 1]) << 16)
    } else {
        0
    }
}

/// Unit-name equality without a `memcmp` call for names of up to 8 bytes (tags compared).
#[inline(always)]
fn same_name(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len()
        && if a.len() <= 8 {
            name_tag(a) == name_tag(b)
        } else {
            a == b
        }
}

/// The one implementation of the segment rules: walks a stay's unit history and yields one
/// segment at a time (with whether it is the last), computing census days with the function
/// given to each step.
#[derive(Debug, Clone)]
pub(crate) struct SegmentWalk<'a> {
    stay: &'a Stay,
    /// The next unit-history entry to read.
    next_entry: usize,
    cur_unit: u32,
    cur_start_instant: Timestamp,
    cur_start_day: i32,
    have: bool,
    dis_day: Option<i32>,
    done: bool,
}

impl<'a> SegmentWalk<'a> {
    /// A walk over a stay the census counts, admitted on `adm_day`, discharged on `dis_day`.
    #[inline]
    pub(crate) fn new(stay: &'a Stay, adm_day: i32, dis_day: Option<i32>) -> SegmentWalk<'a> {
        SegmentWalk {
            stay,
            next_entry: 0,
            cur_unit: NO_UNIT,
            cur_start_instant: stay.admitted,
            cur_start_day: adm_day,
            have: false,
            dis_day,
            done: false,
        }
    }

    fn done(stay: &'a Stay) -> SegmentWalk<'a> {
        let mut w = SegmentWalk::new(stay, 0, None);
        w.done = true;
        w
    }

    /// The next segment and whether it is the last one.
    #[inline(always)]
    pub(crate) fn next_with(&mut self, day: impl Fn(Timestamp) -> i32) -> Option<(Segment, bool)> {
        if self.done {
            return None;
        }
        let stay = self.stay;
        while let Some(u) = stay.units.get(self.next_entry) {
            let ui = self.next_entry as u32;
            self.next_entry += 1;
            if let Some(d) = stay.discharged
                && u.from > d
            {
                continue;
            }
            let start = if u.from < stay.admitted {
                stay.admitted
            } else {
                u.from
            };
            if self.have && start <= self.cur_start_instant {
                // A later entry at the same instant (or out of order) wins.
                self.cur_unit = ui;
                continue;
            }
            let ended = if self.have {
                if same_name(&u.unit, unit_name(stay, self.cur_unit)) {
                    continue;
                }
                let d = day(start);
                let seg = Segment {
                    unit: self.cur_unit,
                    start: self.cur_start_day,
                    end: Some(d),
                    until: Some(start),
                };
                self.cur_start_day = d;
                Some(seg)
            } else {
                None
            };
            self.cur_unit = ui;
            self.cur_start_instant = start;
            self.have = true;
            if let Some(seg) = ended {
                return Some((seg, false));
            }
        }
        self.done = true;
        Some((
            Segment {
                unit: self.cur_unit,
                start: self.cur_start_day,
                end: self.dis_day,
                until: stay.discharged,
            },
            true,
        ))
    }
}
