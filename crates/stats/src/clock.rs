//! Census days: calendar days in the facility's time zone, and the periods reports cover.
//!
//! The census is taken at the facility's local midnight (AHIMA: "the census-taking hour is
//! usually midnight"). Every instant is turned into a *census day*: the number (days since
//! 1970-01-01, as Arrow's `Date32`) of its local calendar date in the facility's zone
//! ([`census_day`]); a day's midnight census counts the patients whose stay on a unit began on
//! or before that day and ended after it. Converting instants is the hot path of aggregation,
//! so [`DayClock`] keeps the zone's UTC offset for every UTC day around the period and converts
//! with a table load and no search; instants far outside the period fall back to jiff's time
//! zone database (same result).

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Serialize};

/// Days since 1970-01-01 of a civil date (proleptic Gregorian; H. Hinnant's `days_from_civil`).
pub fn day_number(date: Date) -> i32 {
    let y = i32::from(date.year()) - i32::from(date.month() <= 2);
    let m = i32::from(date.month());
    let d = i32::from(date.day());
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day number (inverse of [`day_number`]); clamps to jiff's supported range.
pub fn date_of_day(day: i32) -> Date {
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    let y = y.clamp(-9999, 9999);
    Date::new(y as i16, m as i8, d as i8).unwrap_or(Date::MIN)
}

/// An inclusive range of census days, `from` ..= `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Period {
    /// First day.
    pub from: Date,
    /// Last day (inclusive).
    pub to: Date,
}

impl Period {
    /// A period; `None` when `to` is before `from`.
    pub fn new(from: Date, to: Date) -> Option<Period> {
        (from <= to).then_some(Period { from, to })
    }

    /// One calendar month.
    pub fn month(year: i16, month: i8) -> Option<Period> {
        let from = Date::new(year, month, 1).ok()?;
        Some(Period {
            from,
            to: from.last_of_month(),
        })
    }

    /// Number of days in the period.
    pub fn days(&self) -> u32 {
        (day_number(self.to) - day_number(self.from) + 1) as u32
    }

    /// The first day's number.
    pub fn first_day(&self) -> i32 {
        day_number(self.from)
    }

    /// The last day's number.
    pub fn last_day(&self) -> i32 {
        day_number(self.to)
    }

    /// True when the day lies in the period.
    pub fn contains(&self, day: i32) -> bool {
        (self.first_day()..=self.last_day()).contains(&day)
    }
}

/// How a period is split into report rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Split {
    /// One row for the whole period.
    #[default]
    Whole,
    /// One row per day.
    Day,
    /// One row per calendar month (clipped to the period).
    Month,
    /// One row per calendar quarter.
    Quarter,
    /// One row per calendar year.
    Year,
}

impl Split {
    /// The bucket key of a day: equal keys fall in the same report row. Keys are absolute (not
    /// relative to a period) so aggregates of adjacent periods merge bucket by bucket.
    pub fn bucket(self, day: i32) -> i32 {
        match self {
            Split::Whole => 0,
            Split::Day => day,
            Split::Month | Split::Quarter | Split::Year => {
                let d = date_of_day(day);
                let y = i32::from(d.year());
                let m = i32::from(d.month()) - 1;
                match self {
                    Split::Month => y * 12 + m,
                    Split::Quarter => y * 4 + m / 3,
                    _ => y,
                }
            }
        }
    }

    /// The sub-periods of `period`, in order.
    pub fn periods(self, period: Period) -> Vec<Period> {
        let mut out: Vec<Period> = Vec::new();
        let mut start = period.first_day();
        let last = period.last_day();
        while start <= last {
            let key = self.bucket(start);
            let mut end = start;
            // Days in a bucket are contiguous; step by whole months where possible.
            while end < last && self.bucket(end + 1) == key {
                end += 1;
            }
            out.push(Period {
                from: date_of_day(start),
                to: date_of_day(end),
            });
            start = end + 1;
        }
        out
    }
}

/// The census day of an instant: the number (days since 1970-01-01, as Arrow `Date32`) of its
/// local calendar date in `tz`.
///
/// This is exactly the day [`DayClock::day`] (and so the [`crate::Aggregator`]) gives; use a
/// [`DayClock`] to convert many instants around a period faster.
///
/// ```
/// use medrec_stats::clock::{census_day, date_of_day};
/// use jiff::tz::TimeZone;
///
/// let ny = TimeZone::get("America/New_York")?;
/// // 03:30 UTC on the 10th is still the evening of the 9th in New York.
/// let day = census_day("2024-03-10T03:30:00Z".parse()?, &ny);
/// assert_eq!(date_of_day(day), jiff::civil::date(2024, 3, 9));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[inline]
pub fn census_day(t: Timestamp, tz: &TimeZone) -> i32 {
    let offset = tz.to_offset(t).seconds();
    (t.as_second() + i64::from(offset)).div_euclid(SECONDS_PER_DAY) as i32
}

const SECONDS_PER_DAY: i64 = 86_400;

/// The census days of one UTC day, as a function of the second `r` of the day: before
/// `switch` (the second the zone's offset changes, 86 400 if it does not) the day is
/// `day_before + (r ≥ cut_before)`, from then on `day_after + (r ≥ cut_after)` (the cut is the
/// second local midnight passes; 86 400 = not that day). [`UtcDay::SLOW`]: the UTC day has
/// several transitions, ask the tz database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct UtcDay {
    switch: i32,
    day_before: i32,
    cut_before: i32,
    day_after: i32,
    cut_after: i32,
}

impl UtcDay {
    /// Marks a UTC day with more than one offset transition.
    const SLOW: i32 = i32::MIN;

    /// The local day and the cut for UTC day `utc_day` under a constant `offset` (seconds):
    /// `floor((r + offset) / 86 400) = floor(offset / 86 400) + (r ≥ 86 400 − offset mod 86 400)`.
    fn under(utc_day: i64, offset: i32) -> (i32, i32) {
        let o = i64::from(offset);
        let day = utc_day + o.div_euclid(SECONDS_PER_DAY);
        let cut = SECONDS_PER_DAY - o.rem_euclid(SECONDS_PER_DAY);
        (day as i32, cut as i32)
    }
}

/// Turns instants into census days (local calendar dates) for one time zone, fast around a
/// period.
///
/// For every UTC day from about a year before to a year after the period it keeps the local
/// day at the start of the UTC day and the second local midnight passes (two of each when the
/// zone's offset changes that day), so a conversion is one unsigned division by a constant, a
/// table load and two comparisons — no search, daylight-saving days included. Instants
/// farther away (and UTC days with more than one transition) use jiff's tz database. The
/// result is always the instant's local calendar date ([`census_day`]).
#[derive(Debug, Clone)]
pub struct DayClock {
    tz: TimeZone,
    /// Unix second of the start of the first UTC day of `days`.
    start: i64,
    /// One entry per UTC day.
    days: Vec<UtcDay>,
}

impl DayClock {
    /// Margin (days) kept on each side of the period for the fast path.
    const MARGIN: i32 = 400;

    /// A clock for `tz`, fast for instants within about a year of `period`.
    pub fn new(tz: TimeZone, period: Period) -> DayClock {
        let first = i64::from(period.first_day() - Self::MARGIN - 1);
        let last = i64::from(period.last_day() + Self::MARGIN + 1);
        let ts = |s: i64| Timestamp::from_second(s).unwrap_or(Timestamp::UNIX_EPOCH);
        let start = first * SECONDS_PER_DAY;
        let end = (last + 1) * SECONDS_PER_DAY;
        let mut offset = tz.to_offset(ts(start)).seconds();
        let mut transitions = tz.following(ts(start)).map_while(|tr| {
            let s = tr.timestamp().as_second();
            (s < end).then(|| (s, tr.offset().seconds()))
        });
        let mut next = transitions.next();
        let mut days = Vec::with_capacity((last - first + 1) as usize);
        for day in first..=last {
            let (day_before, cut_before) = UtcDay::under(day, offset);
            let mut e = UtcDay {
                switch: SECONDS_PER_DAY as i32,
                day_before,
                cut_before,
                day_after: day_before,
                cut_after: cut_before,
            };
            let day_end = (day + 1) * SECONDS_PER_DAY;
            while let Some((s, o)) = next
                && s < day_end
            {
                if e.switch == SECONDS_PER_DAY as i32 {
                    e.switch = (s - day * SECONDS_PER_DAY) as i32;
                    (e.day_after, e.cut_after) = UtcDay::under(day, o);
                } else {
                    e.switch = UtcDay::SLOW;
                }
                offset = o;
                next = transitions.next();
            }
            days.push(e);
        }
        DayClock { tz, start, days }
    }

    /// The time zone.
    pub fn time_zone(&self) -> &TimeZone {
        &self.tz
    }

    /// The census day (local calendar date, days since 1970-01-01) of an instant; equal to
    /// [`census_day`].
    #[inline(always)]
    pub fn day(&self, t: Timestamp) -> i32 {
        self.day_in_table(t.as_second())
            .unwrap_or_else(|| self.day_slow(t))
    }

    /// The census day of an instant given as whole seconds since 1970-01-01T00:00:00Z
    /// ([`Timestamp::as_second`]): `day(t) == day_of_second(t.as_second())` for every instant
    /// without a fraction of a second, and for every instant within the table (about a year
    /// around the period). (An instant before 1970 with a fraction of a second, far from the
    /// period and less than a second before a zone transition, may differ: `as_second`
    /// truncates towards zero.)
    #[inline(always)]
    pub fn day_of_second(&self, second: i64) -> i32 {
        match self.day_in_table(second) {
            Some(d) => d,
            None => self.day_of_second_slow(second),
        }
    }

    #[cold]
    #[inline(never)]
    fn day_of_second_slow(&self, second: i64) -> i32 {
        match Timestamp::from_second(second) {
            Ok(t) => census_day(t, &self.tz),
            // Outside jiff's range (not a real instant): UTC days.
            Err(_) => second.div_euclid(SECONDS_PER_DAY) as i32,
        }
    }

    /// The fast path: `None` outside the table or on a UTC day with several transitions.
    #[inline(always)]
    fn day_in_table(&self, second: i64) -> Option<i32> {
        // Before the table wraps to a huge value: not in the table.
        let rel = second.wrapping_sub(self.start) as u64;
        let i = rel / SECONDS_PER_DAY as u64;
        if let Ok(i) = usize::try_from(i)
            && let Some(e) = self.days.get(i)
            && e.switch != UtcDay::SLOW
        {
            let r = (rel - i as u64 * SECONDS_PER_DAY as u64) as i32;
            let (day, cut) = if r < e.switch {
                (e.day_before, e.cut_before)
            } else {
                (e.day_after, e.cut_after)
            };
            return Some(day + i32::from(r >= cut));
        }
        None
    }

    #[cold]
    #[inline(never)]
    fn day_slow(&self, t: Timestamp) -> i32 {
        census_day(t, &self.tz)
    }

    /// The UTC instant of the local midnight that starts `day` (or the first instant of the
    /// day when a daylight-saving gap skips midnight).
    pub fn midnight(&self, day: i32) -> Timestamp {
        let s = match date_of_day(day).to_zoned_datetime(self.tz.clone()) {
            Ok(z) => z.timestamp().as_second(),
            Err(_) => i64::from(day) * SECONDS_PER_DAY,
        };
        Timestamp::from_second(s).unwrap_or(Timestamp::UNIX_EPOCH)
    }
}

/// The date `n` days after `date` (saturating at jiff's range).
pub fn add_days(date: Date, n: i32) -> Date {
    date.checked_add(n.days())
        .unwrap_or(if n < 0 { Date::MIN } else { Date::MAX })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn day_numbers_roundtrip() {
        assert_eq!(day_number(date(1970, 1, 1)), 0);
        assert_eq!(
            day_number(date(2024, 3, 1)) - day_number(date(2024, 2, 28)),
            2
        );
        for d in [-800_000, -1, 0, 59, 60, 10_000, 20_000, 2_000_000] {
            assert_eq!(day_number(date_of_day(d)), d, "day {d}");
        }
    }

    #[test]
    fn local_midnight_in_new_york() {
        let tz = TimeZone::get("America/New_York").unwrap();
        let p = Period::month(2024, 3).unwrap();
        let clock = DayClock::new(tz, p);
        // 2024-03-10 04:59:59Z is 23:59:59 EST on the 9th; 05:00Z is midnight of the 10th.
        let a: Timestamp = "2024-03-10T04:59:59Z".parse().unwrap();
        let b: Timestamp = "2024-03-10T05:00:00Z".parse().unwrap();
        assert_eq!(date_of_day(clock.day(a)), date(2024, 3, 9));
        assert_eq!(date_of_day(clock.day(b)), date(2024, 3, 10));
        // After the DST change (EDT, UTC-4) midnight of the 11th is 04:00Z.
        let c: Timestamp = "2024-03-11T03:59:59Z".parse().unwrap();
        let d: Timestamp = "2024-03-11T04:00:00Z".parse().unwrap();
        assert_eq!(date_of_day(clock.day(c)), date(2024, 3, 10));
        assert_eq!(date_of_day(clock.day(d)), date(2024, 3, 11));
        // Far outside the fast range.
        let e: Timestamp = "1990-06-01T03:00:00Z".parse().unwrap();
        assert_eq!(date_of_day(clock.day(e)), date(1990, 5, 31));
    }

    /// The fast table gives exactly the local calendar date, also across daylight-saving
    /// transitions at midnight (São Paulo 2018: clocks went forward at 00:00 on Nov 4 and back
    /// from 00:00 to 23:00 on Feb 17 — the repeated hour belongs to the 17th), half-hour DST
    /// (Lord Howe) and a skipped day (Apia, 2011-12-30).
    #[test]
    fn day_is_the_local_calendar_date() {
        let cases = [
            ("UTC", date(2024, 1, 1)),
            ("America/New_York", date(2024, 1, 1)),
            ("America/Sao_Paulo", date(2018, 1, 1)),
            ("Australia/Lord_Howe", date(2024, 1, 1)),
            ("Pacific/Apia", date(2011, 12, 1)),
            ("Asia/Kolkata", date(2024, 1, 1)),
        ];
        for (name, from) in cases {
            let tz = TimeZone::get(name).unwrap();
            let period = Period::new(from, add_days(from, 364)).unwrap();
            let clock = DayClock::new(tz.clone(), period);
            let base = i64::from(period.first_day() - 500) * 86_400;
            // Every 7 minutes 13 seconds over ~3.5 years: inside and outside the table.
            let mut s = base;
            while s < base + 1300 * 86_400 {
                let t = Timestamp::from_second(s).unwrap();
                let want = day_number(t.to_zoned_datetime(tz.clone()).date());
                assert_eq!(clock.day(t), want, "{name} {t}");
                assert_eq!(census_day(t, &tz), want, "{name} {t}");
                s += 433;
            }
        }
        // The repeated hour of 2018-02-17 in São Paulo: 02:30Z is 23:30 (-03) on the 17th.
        let tz = TimeZone::get("America/Sao_Paulo").unwrap();
        let clock = DayClock::new(tz, Period::month(2018, 2).unwrap());
        let t: Timestamp = "2018-02-18T02:30:00Z".parse().unwrap();
        assert_eq!(date_of_day(clock.day(t)), date(2018, 2, 17));
    }

    #[test]
    fn splits() {
        let p = Period::new(date(2024, 1, 15), date(2024, 4, 2)).unwrap();
        let months = Split::Month.periods(p);
        assert_eq!(months.len(), 4);
        assert_eq!(months[0].to, date(2024, 1, 31));
        assert_eq!(months[3].from, date(2024, 4, 1));
        assert_eq!(Split::Quarter.periods(p).len(), 2);
        assert_eq!(Split::Whole.periods(p), vec![p]);
        assert_eq!(Split::Day.periods(p).len() as u32, p.days());
    }
}
