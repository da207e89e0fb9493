//! Time in the rules: calendar dates ([`Date`], day resolution) and the periods a run
//! belongs to ([`Period`]).

mod date;
mod period;

pub use date::{Date, MAX_YEAR, MIN_YEAR, days_in_month, is_leap};
pub use period::{Period, PeriodKind};

/// What a preview or an explanation as of `as_of` says when that day is after today (UTC):
/// the customer data most likely does not reach it. `None` for today and earlier.
pub fn after_today(as_of: Date) -> Option<String> {
    let today = Date::today_utc();
    (as_of > today).then(|| after_today_words(as_of, today))
}

/// The words of [`after_today`], for a date and today already known.
pub fn after_today_words(as_of: impl std::fmt::Display, today: impl std::fmt::Display) -> String {
    format!(
        "as of {as_of} is after today ({today}, in UTC): the customer data most likely does not reach it yet"
    )
}
