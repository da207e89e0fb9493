//! Time in the rules: calendar dates ([`Date`], day resolution) and the periods a run
//! belongs to ([`Period`]).

mod date;
mod period;
mod zone;

pub use date::{Date, MAX_YEAR, MIN_YEAR, days_in_month, is_leap};
pub use period::{Period, PeriodKind};
pub use zone::{Zone, day_of, name as zone_name, set as set_zone, today};

/// What a preview or an explanation as of `as_of` says when that day is after today (in the config's time zone):
/// the customer data most likely does not reach it. `None` for today and earlier.
pub fn after_today(as_of: Date) -> Option<String> {
    let today = today();
    (as_of > today).then(|| after_today_words(as_of, today))
}

/// The words of [`after_today`], for a date and today already known.
pub fn after_today_words(as_of: impl std::fmt::Display, today: impl std::fmt::Display) -> String {
    format!(
        "as of {as_of} is after today ({today}, in {}): the customer data most likely does not reach it yet",
        zone_name()
    )
}
