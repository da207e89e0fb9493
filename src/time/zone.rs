//! The time zone whose date is today: a run without `--as-of` is as of today, and a close
//! made at 18:30 in Los Angeles on 30 November is November's, not December's (UTC's). Set
//! from the config's `timezone:` (an IANA name); UTC without it.

use super::Date;
use std::sync::RwLock;

/// A time zone of the IANA database, with the name it was given by.
#[derive(Debug, Clone)]
pub struct Zone {
    name: String,
    tz: jiff::tz::TimeZone,
}

impl Zone {
    /// The zone named `name` (`Europe/Berlin`, `UTC`), or why there is none.
    pub fn named(name: &str) -> Result<Zone, String> {
        match jiff::tz::TimeZone::get(name.trim()) {
            Ok(tz) => Ok(Zone {
                name: name.trim().to_owned(),
                tz,
            }),
            Err(_) => {
                // The closest name, when close (`Europe/Berln`).
                let like = (jiff::tz::db().available())
                    .map(|n| n.to_string())
                    .map(|n| (strsim::jaro_winkler(name.trim(), &n), n))
                    .filter(|(score, _)| *score > 0.9)
                    .max_by(|a, b| a.0.total_cmp(&b.0))
                    .map(|(_, n)| n);
                Err(format!(
                    "`timezone: {name}` is not a time zone of the IANA database{}: write one such as Europe/Berlin, America/Los_Angeles or UTC",
                    like.map_or(String::new(), |l| format!(" (did you mean `{l}`?)"))
                ))
            }
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The day it is in this zone at `at`.
    fn date_at(&self, at: jiff::Timestamp) -> Option<Date> {
        let day = at.to_zoned_datetime(self.tz.clone()).date();
        Date::new(
            i32::from(day.year()),
            u32::try_from(day.month()).ok()?,
            u32::try_from(day.day()).ok()?,
        )
    }
}

/// The zone of the config read last ([`set`]); `None`: UTC.
static ZONE: RwLock<Option<Zone>> = RwLock::new(None);

/// Makes `zone` (`None`: UTC) the one whose date is today.
pub fn set(zone: Option<Zone>) {
    if let Ok(mut current) = ZONE.write() {
        *current = zone;
    }
}

fn current() -> Option<Zone> {
    ZONE.read().ok().and_then(|z| z.clone())
}

/// How messages name the zone today is taken in: `UTC`, or the config's.
pub fn name() -> String {
    current().map_or_else(|| "UTC".to_owned(), |z| z.name)
}

/// Today, in the config's time zone (UTC without one), by the system clock.
pub fn today() -> Date {
    match current() {
        Some(zone) => zone
            .date_at(jiff::Timestamp::now())
            .unwrap_or_else(Date::today_utc),
        None => Date::today_utc(),
    }
}

/// The day a UTC time as a run records it (`2026-12-02T01:08:32.123Z`) was in the config's
/// time zone.
pub fn day_of(utc: &str) -> Option<Date> {
    match (current(), utc.parse::<jiff::Timestamp>()) {
        (Some(zone), Ok(at)) => zone.date_at(at),
        _ => Date::parse(utc),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_is_the_day_it_is_in_the_zone() {
        let tokyo = Zone::named("Asia/Tokyo").unwrap();
        let at: jiff::Timestamp = "2026-03-30T23:00:00Z".parse().unwrap();
        assert_eq!(tokyo.date_at(at), Date::parse("2026-03-31"));
        let la = Zone::named("America/Los_Angeles").unwrap();
        let at: jiff::Timestamp = "2026-12-01T02:30:00Z".parse().unwrap();
        assert_eq!(la.date_at(at), Date::parse("2026-11-30"));
        let wrong = Zone::named("Europe/Berln").unwrap_err();
        assert!(wrong.contains("(did you mean `Europe/Berlin`?)"), "{wrong}");
    }
}
