//! Time in the rules: calendar dates ([`Date`], day resolution) and the periods a run
//! belongs to ([`Period`]).

mod date;
mod period;

pub use date::{Date, days_in_month, is_leap};
pub use period::{Period, PeriodKind};
