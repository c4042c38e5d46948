//! Time in the facilities' zone: instants as Unix seconds, census days as local calendar dates.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;

/// The facilities' clock.
#[derive(Debug, Clone)]
pub(crate) struct Clock {
    tz: TimeZone,
    utc: bool,
}

pub(crate) const HOUR: i64 = 3600;
pub(crate) const DAY: i64 = 86_400;

impl Clock {
    pub fn new(name: &str) -> Self {
        let tz = TimeZone::get(name).unwrap_or(TimeZone::UTC);
        let utc = name == "UTC" || name == "Etc/UTC";
        Clock { tz, utc }
    }

    /// The local calendar date of an instant.
    pub fn date(&self, secs: i64) -> Date {
        if self.utc {
            return epoch_day_to_date(secs.div_euclid(DAY));
        }
        let ts = Timestamp::from_second(secs).unwrap_or(Timestamp::UNIX_EPOCH);
        self.tz.to_datetime(ts).date()
    }

    /// The instant of a local date and minute of the day (DST gaps resolved forward).
    pub fn at(&self, date: Date, minute_of_day: i64) -> i64 {
        let m = minute_of_day.clamp(0, 1439);
        let dt = DateTime::from_parts(date, Time::constant((m / 60) as i8, (m % 60) as i8, 0, 0));
        if self.utc {
            return date_to_epoch_day(date) * DAY + m * 60;
        }
        self.tz
            .to_ambiguous_timestamp(dt)
            .compatible()
            .map(|t| t.as_second())
            .unwrap_or(0)
    }

    /// Moves an instant that falls exactly on a local midnight one minute later, so that no event
    /// is ambiguous for the midnight census.
    pub fn off_midnight(&self, secs: i64) -> i64 {
        let local = if self.utc {
            secs.rem_euclid(DAY)
        } else {
            let ts = Timestamp::from_second(secs).unwrap_or(Timestamp::UNIX_EPOCH);
            let t = self.tz.to_datetime(ts).time();
            t.hour() as i64 * 3600 + t.minute() as i64 * 60 + t.second() as i64
        };
        if local == 0 { secs + 60 } else { secs }
    }

    /// FHIR `dateTime` with the local offset, e.g. `2025-03-02T08:15:00-05:00`.
    pub fn fhir(&self, secs: i64) -> String {
        let ts = Timestamp::from_second(secs).unwrap_or(Timestamp::UNIX_EPOCH);
        let offset = self.tz.to_offset(ts);
        let dt = offset.to_datetime(ts);
        let total = offset.seconds();
        let sign = if total < 0 { '-' } else { '+' };
        let abs = total.unsigned_abs();
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}{:02}:{:02}",
            dt.year(),
            dt.month(),
            dt.day(),
            dt.hour(),
            dt.minute(),
            dt.second(),
            sign,
            abs / 3600,
            (abs % 3600) / 60
        )
    }

    /// Local hour and minute of an instant.
    pub fn hm(&self, secs: i64) -> (i8, i8) {
        let ts = Timestamp::from_second(secs).unwrap_or(Timestamp::UNIX_EPOCH);
        let dt = self.tz.to_datetime(ts);
        (dt.hour(), dt.minute())
    }
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian, Howard Hinnant's algorithm).
pub(crate) fn date_to_epoch_day(d: Date) -> i64 {
    let (y, m, day) = (d.year() as i64, d.month() as i64, d.day() as i64);
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01.
pub(crate) fn epoch_day_to_date(z: i64) -> Date {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    Date::new(y as i16, m as i8, d as i8).unwrap_or(Date::constant(1970, 1, 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_days_round_trip() {
        for z in [-1000i64, 0, 1, 59, 365, 10_000, 20_000, 30_000] {
            assert_eq!(date_to_epoch_day(epoch_day_to_date(z)), z);
        }
        assert_eq!(date_to_epoch_day(Date::constant(2025, 3, 1)), 20_148);
    }

    #[test]
    fn local_dates_and_offsets() {
        let c = Clock::new("America/New_York");
        let t = c.at(Date::constant(2025, 3, 9), 23 * 60 + 30);
        assert_eq!(c.date(t), Date::constant(2025, 3, 9));
        assert_eq!(c.fhir(t), "2025-03-09T23:30:00-04:00");
        let m = c.at(Date::constant(2025, 1, 2), 0);
        assert_eq!(c.off_midnight(m), m + 60);
        let u = Clock::new("UTC");
        assert_eq!(u.fhir(0), "1970-01-01T00:00:00+00:00");
    }
}
