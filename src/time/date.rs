//! Calendar dates as day numbers: a [`Date`] is the number of days since 1970-01-01 in the
//! proleptic Gregorian calendar, so comparing two dates or counting the days between them is
//! integer arithmetic (the fast path needs nothing more).
//!
//! The conversions are Howard Hinnant's `days_from_civil` / `civil_from_days` (public
//! domain, exact for every date), checked in the tests against every day from 1600 to 2400.

use std::fmt;

/// A calendar day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub i32);

/// The smallest and largest years a date may have: far beyond any policy, small enough
/// that every arithmetic on day numbers stays well inside `i32`.
pub const MIN_YEAR: i32 = 1;
pub const MAX_YEAR: i32 = 9999;

impl Date {
    /// The date of a year, month (1-12) and day (1-31), if it exists.
    pub fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        let valid = (MIN_YEAR..=MAX_YEAR).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month);
        valid.then(|| Date(days_from_civil(year, month, day)))
    }

    /// Year, month (1-12), day (1-31).
    pub fn ymd(self) -> (i32, u32, u32) {
        civil_from_days(self.0)
    }

    pub fn year(self) -> i32 {
        self.ymd().0
    }

    pub fn month(self) -> u32 {
        self.ymd().1
    }

    pub fn day(self) -> u32 {
        self.ymd().2
    }

    /// Today in UTC, by the system clock.
    pub fn today_utc() -> Date {
        let seconds = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Date((seconds / 86_400) as i32)
    }

    /// 1 for January to March, ..., 4 for October to December.
    pub fn quarter(self) -> u32 {
        (self.month() - 1) / 3 + 1
    }

    /// 1 for Monday, ..., 7 for Sunday (ISO 8601): 1970-01-01 was a Thursday.
    pub fn weekday(self) -> u32 {
        ((self.0 as i64 + 3).rem_euclid(7) + 1) as u32
    }

    /// The last day of the date's month (2024-02-29 for any day of February 2024).
    pub fn end_of_month(self) -> Date {
        let (year, month, day) = self.ymd();
        Date(self.0 + (days_in_month(year, month) - day) as i32)
    }

    /// `days` later (earlier when negative); `None` beyond the years dates may have.
    pub fn add_days(self, days: i64) -> Option<Date> {
        let n = i64::from(self.0).checked_add(days)?;
        let d = Date(i32::try_from(n).ok()?);
        (MIN_YEAR..=MAX_YEAR).contains(&d.year()).then_some(d)
    }

    /// `months` later (earlier when negative), on the same day of the month, or the last
    /// day of the month when the month is shorter: 2025-01-31 plus one month is
    /// 2025-02-28; 2024-02-29 plus twelve months is 2025-02-28.
    pub fn add_months(self, months: i64) -> Option<Date> {
        let (y, m, d) = self.ymd();
        let index = (i64::from(y) * 12 + i64::from(m - 1)).checked_add(months)?;
        let year = i32::try_from(index.div_euclid(12)).ok()?;
        let month = index.rem_euclid(12) as u32 + 1;
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return None;
        }
        Date::new(year, month, d.min(days_in_month(year, month)))
    }

    /// Days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Date) -> i64 {
        i64::from(later.0) - i64::from(self.0)
    }

    /// Whole months from `self` to `later`: the largest `n` with `self + n months <= later`
    /// (negative when `later` is earlier: the smallest `n` with `self + n months >= later`).
    /// With the month-end rule of [`Date::add_months`], 2025-01-31 to 2025-02-28 is one
    /// whole month, and so is 2025-01-15 to 2025-02-15; 2025-01-15 to 2025-02-14 is none.
    pub fn months_until(self, later: Date) -> i64 {
        let (y1, m1, _) = self.ymd();
        let (y2, m2, _) = later.ymd();
        let mut n = (i64::from(y2) - i64::from(y1)) * 12 + i64::from(m2) - i64::from(m1);
        if n > 0 && self.add_months(n).is_none_or(|d| d > later) {
            n -= 1;
        } else if n < 0 && self.add_months(n).is_none_or(|d| d < later) {
            n += 1;
        }
        n
    }

    /// An ISO-8601 date, `2025-03-01`, or a date and time, `2025-03-01 14:30:00` /
    /// `2025-03-01T14:30:00` (seconds and a fraction optional, a `Z` or UTC offset allowed):
    /// the time must be valid and is dropped (dates have day resolution).
    pub fn parse(text: &str) -> Option<Date> {
        let text = text.trim();
        let (day, time) = match text.find(['T', ' ']) {
            Some(i) => (&text[..i], Some(&text[i + 1..])),
            None => (text, None),
        };
        let b = day.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let number = |s: &str| -> Option<u32> {
            s.bytes()
                .all(|c| c.is_ascii_digit())
                .then(|| s.parse().ok())?
        };
        let date = Date::new(
            number(&day[0..4])? as i32,
            number(&day[5..7])?,
            number(&day[8..10])?,
        )?;
        match time {
            None => Some(date),
            Some(t) => valid_time(t).then_some(date),
        }
    }
}

/// `14:30`, `14:30:00`, `14:30:00.123`, each optionally followed by `Z` or `+01:00`.
fn valid_time(t: &str) -> bool {
    let t = t.trim();
    let t = t.strip_suffix('Z').unwrap_or(t);
    let t = match t.rfind(['+', '-']) {
        Some(i) if i >= 5 => {
            // UTC offsets run from -12:00 to +14:00: `+25:00` is no time zone.
            let offset = &t[i + 1..];
            let hours = offset.get(..2).and_then(|h| h.parse::<u32>().ok());
            let minutes = offset.get(3..).and_then(|m| m.parse::<u32>().ok());
            if !(offset.len() == 5 && offset.as_bytes()[2] == b':')
                || hours.is_none_or(|h| h > 14)
                || minutes.is_none_or(|m| m > 59)
            {
                return false;
            }
            // `14:05 +01:00`, as some systems write it: a blank before the offset.
            t[..i].trim_end()
        }
        _ => t,
    };
    let (hms, fraction) = match t.split_once('.') {
        Some((hms, f)) => (hms, Some(f)),
        None => (t, None),
    };
    let parts: Vec<&str> = hms.split(':').collect();
    let two_digits = |s: &str, max: u32| {
        s.len() == 2
            && s.bytes().all(|c| c.is_ascii_digit())
            && s.parse::<u32>().is_ok_and(|n| n <= max)
    };
    let fraction_ok =
        fraction.is_none_or(|f| !f.is_empty() && f.bytes().all(|c| c.is_ascii_digit()));
    match parts[..] {
        [h, m] => two_digits(h, 23) && two_digits(m, 59) && fraction.is_none(),
        [h, m, s] => two_digits(h, 23) && two_digits(m, 59) && two_digits(s, 59) && fraction_ok,
        _ => false,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

pub fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400; // [0, 399]
    let mp = (m + 9) % 12; // March = 0
    let doy = (153 * mp + 2) / 5 + d - 1; // [0, 365]
    let doe = yoe as u32 * 365 + yoe as u32 / 4 - yoe as u32 / 100 + doy; // [0, 146096]
    era * 146_097 + doe as i32 - 719_468
}

fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = (z - era * 146_097) as u32; // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let d = doy - (153 * mp + 2) / 5 + 1; // [1, 31]
    let m = if mp < 10 { mp + 3 } else { mp - 9 }; // [1, 12]
    let y = yoe as i32 + era * 400 + i32::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap_or_else(|| panic!("{s} parses"))
    }

    #[test]
    fn every_day_from_1600_to_2400_round_trips_and_follows_the_previous() {
        let mut previous = Date::new(1599, 12, 31).unwrap();
        for year in 1600..=2400 {
            for month in 1..=12 {
                for day in 1..=days_in_month(year, month) {
                    let date = Date::new(year, month, day).unwrap();
                    assert_eq!(date.ymd(), (year, month, day));
                    assert_eq!(date.0, previous.0 + 1, "{date}");
                    // The weekday steps by one from the day before, Sunday to Monday.
                    assert_eq!(date.weekday(), previous.weekday() % 7 + 1, "{date}");
                    let end = date.end_of_month();
                    assert_eq!(end.ymd(), (year, month, days_in_month(year, month)));
                    previous = date;
                }
            }
        }
        assert_eq!(d("1970-01-01").0, 0);
        assert_eq!(d("1970-01-01").weekday(), 4, "a Thursday");
        assert_eq!(d("2000-03-01").0, 11017);
    }

    #[test]
    fn parses_iso_dates_and_date_times_and_refuses_the_rest() {
        assert_eq!(d("2025-03-01").to_string(), "2025-03-01");
        assert_eq!(d("2025-03-01 14:30:00"), d("2025-03-01"));
        assert_eq!(d("2025-03-01T14:30:00.250Z"), d("2025-03-01"));
        assert_eq!(d("2025-03-01T14:30+02:00"), d("2025-03-01"));
        assert_eq!(d("2025-03-01T14:30+14:00"), d("2025-03-01"));
        assert_eq!(d("2025-03-01 14:05 +01:00"), d("2025-03-01"));
        assert_eq!(d("2025-03-01 14:05:00 -05:00"), d("2025-03-01"));
        assert_eq!(d("2024-02-29"), Date::new(2024, 2, 29).unwrap());
        for bad in [
            "2025-02-29",
            "2025-13-01",
            "2025-00-10",
            "2025-1-1",
            "01/03/2025",
            "2025-03-01 25:00",
            "2025-03-01 14:30:00.",
            "2025-03-01x",
            "",
            "20250301",
            "+025-03-01",
            "2025-12-31T23:30:00+25:00",
            "2025-12-31T23:30:00-12:60",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn month_ends_clamp_when_adding_months() {
        assert_eq!(d("2025-01-31").add_months(1), Some(d("2025-02-28")));
        assert_eq!(d("2024-01-31").add_months(1), Some(d("2024-02-29")));
        assert_eq!(d("2024-02-29").add_months(12), Some(d("2025-02-28")));
        assert_eq!(d("2025-03-31").add_months(-1), Some(d("2025-02-28")));
        assert_eq!(d("2025-12-15").add_months(1), Some(d("2026-01-15")));
        assert_eq!(d("2025-01-15").add_months(-13), Some(d("2023-12-15")));
        assert_eq!(d("9999-12-01").add_months(1), None);
        // Found by fuzz/eval: the month index overflowed.
        assert_eq!(d("2025-01-15").add_months(i64::MAX), None);
        assert_eq!(d("2025-01-15").add_months(i64::MIN), None);
        assert_eq!(d("2025-01-15").add_days(i64::MAX), None);
    }

    #[test]
    fn whole_months_between_follow_the_month_end_rule() {
        let m = |a: &str, b: &str| d(a).months_until(d(b));
        assert_eq!(m("2025-01-15", "2025-02-15"), 1);
        assert_eq!(m("2025-01-15", "2025-02-14"), 0);
        assert_eq!(m("2025-01-31", "2025-02-28"), 1);
        assert_eq!(m("2025-01-31", "2025-02-27"), 0);
        assert_eq!(m("2025-03-01", "2025-09-01"), 6);
        assert_eq!(m("2025-03-01", "2025-08-31"), 5);
        assert_eq!(m("2025-02-15", "2025-01-15"), -1);
        assert_eq!(m("2025-02-15", "2025-01-16"), 0);
        // Backwards, the steps do not pass `b` either (as the README says).
        assert_eq!(m("2024-02-29", "2024-01-31"), 0);
        assert_eq!(m("2024-02-29", "2024-01-29"), -1);
        assert_eq!(m("2024-02-29", "2025-02-28"), 12);
        for (a, b) in [("2023-05-31", "2025-11-30"), ("2020-02-29", "2024-02-28")] {
            let n = m(a, b);
            assert!(d(a).add_months(n).unwrap() <= d(b));
            assert!(d(a).add_months(n + 1).unwrap() > d(b));
        }
    }

    #[test]
    fn days_and_calendar_parts() {
        assert_eq!(d("2025-01-01").days_until(d("2025-06-30")), 180);
        assert_eq!(d("2025-06-30").days_until(d("2025-01-01")), -180);
        assert_eq!(d("2024-12-31").add_days(60), Some(d("2025-03-01")));
        assert_eq!(d("2025-08-15").quarter(), 3);
        assert_eq!(d("2025-12-31").quarter(), 4);
        assert_eq!(
            (
                d("2025-08-15").year(),
                d("2025-08-15").month(),
                d("2025-08-15").day()
            ),
            (2025, 8, 15)
        );
    }
}
