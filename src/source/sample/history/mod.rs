//! The sample's order history (`tierwise sample --history`): every order from 2023-01-01 to
//! 2026-12-31, so that one database gives any period's customer figures through a query (see
//! `config/customers.sql`).
//!
//! Tables, beside `customers` (which is the same with or without them):
//!
//! - `accounts (customer_id TEXT PRIMARY KEY, opened_day DATE, payment_terms_days INTEGER)`:
//!   when each account was opened (`customers.years_active` is the whole years from it to
//!   2026-12-31; an account can open before the history starts) and its days to pay.
//! - `orders (order_id, customer_id, day, amount, units, gross_profit, due_day, paid_day,
//!   claim)`: one row per order and its invoice (see [`SCHEMA`]). Dates are ISO text;
//!   `paid_day` is NULL while unpaid on 2026-12-31; `claim` is 1 for an order with a quality
//!   claim.
//!
//! The history is the past of the `customers` table, which is its snapshot as of
//! 2026-12-31: see `timeline.rs` (when customers order, and how that changes) and
//! `invoices.rs` (amounts, payments, claims).
//!
//! `orders` is a WITHOUT ROWID table clustered by `(customer_id, day, order_id)`: a customer
//! source reads each customer's orders of a window (the last 12 months, the 12 before) as
//! one contiguous range of the table, with no index to go through and no sort. That is twice
//! as fast as a rowid table with an index on `(customer_id, day)`, and 30% smaller (the
//! index held a second copy of the key). `order_id` is still unique: an order number made of
//! the day and the order's place among that day's orders (`20260317000042`), so numbers
//! rise with time as an order book's do. The partial index `orders_late` holds only the
//! invoices paid after their due day or not at all (about a sixth): all that overdue
//! balances and late payment need, without reading the other orders.
//!
//! Each customer's history has its own random stream, seeded from the sample's seed and the
//! customer's position: it never takes a draw from the customers' stream, so the `customers`
//! table is the same with or without history, and a customer's history does not depend on
//! how many customers are generated.

mod invoices;
#[cfg(test)]
mod tests;
mod timeline;

use rusqlite::{CachedStatement, Transaction, params};

use super::generator::Row;
use super::random::Random;
use crate::time::Date;
use invoices::Order;
use timeline::{Calendar, Course, Plan};

/// The tables of the history (created empty; the index comes after the rows).
const SCHEMA: &str = "
CREATE TABLE accounts (
    customer_id TEXT PRIMARY KEY,
    opened_day DATE NOT NULL,
    payment_terms_days INTEGER NOT NULL
);
CREATE TABLE orders (
    order_id INTEGER NOT NULL,
    customer_id TEXT NOT NULL,
    day DATE NOT NULL,
    amount REAL NOT NULL,
    units INTEGER NOT NULL,
    gross_profit REAL NOT NULL,
    due_day DATE NOT NULL,
    paid_day DATE,
    claim INTEGER NOT NULL,
    PRIMARY KEY (customer_id, day, order_id)
) WITHOUT ROWID;";

/// Built once the rows are in (faster than keeping it up to date row by row); `ANALYZE`
/// tells the query planner how selective the index is.
const INDEXES: &str = "
CREATE INDEX orders_late ON orders (customer_id, due_day, paid_day, amount)
    WHERE paid_day IS NULL OR paid_day > due_day;
ANALYZE;";

/// Writes the history of one customer after another.
pub(super) struct History<'tx> {
    orders: CachedStatement<'tx>,
    accounts: CachedStatement<'tx>,
    calendar: Calendar,
    seed: u64,
    /// Orders so far on each day of the history: the last digits of the order numbers.
    daily_orders: Vec<i64>,
    // Buffers reused between customers.
    lambda: Vec<f64>,
    days: Vec<usize>,
    rows: Vec<Order>,
}

impl<'tx> History<'tx> {
    /// Creates the history's tables in `tx`.
    pub(super) fn new(tx: &'tx Transaction<'_>, seed: u64) -> rusqlite::Result<Self> {
        tx.execute_batch(SCHEMA)?;
        let calendar = Calendar::new();
        Ok(History {
            orders: tx
                .prepare_cached("INSERT INTO orders VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")?,
            accounts: tx.prepare_cached("INSERT INTO accounts VALUES (?1, ?2, ?3)")?,
            daily_orders: vec![0; calendar.days()],
            calendar,
            seed,
            lambda: Vec::new(),
            days: Vec::new(),
            rows: Vec::new(),
        })
    }

    /// Writes the account and the orders of the customer `id`, the `index`-th (from 1).
    pub(super) fn customer(&mut self, index: usize, id: &str, row: &Row) -> rusqlite::Result<()> {
        let mut rng = Random::with_seed(stream_seed(self.seed, index as u64));
        let cal = &self.calendar;
        let opened = opened_day(cal.end, row, &mut rng);
        let mut plan = plan(cal, row, opened, &mut rng);
        let terms = invoices::payment_terms(row.channel, &mut rng);
        self.accounts
            .execute(params![id, opened.to_string(), terms])?;
        timeline::order_days(
            cal,
            row.channel,
            &mut plan,
            &mut rng,
            &mut self.lambda,
            &mut self.days,
        );
        invoices::orders(cal, row, terms, &self.days, &mut rng, &mut self.rows);
        for o in &self.rows {
            let d = cal.index(o.day);
            self.daily_orders[d] += 1;
            let (y, m, day) = o.day.ymd();
            let date_number = i64::from(y) * 10_000 + i64::from(m) * 100 + i64::from(day);
            self.orders.execute(params![
                date_number * 1_000_000 + self.daily_orders[d],
                id,
                o.day.to_string(),
                o.amount,
                o.units,
                o.gross_profit,
                o.due.to_string(),
                o.paid.map(|d| d.to_string()),
                i64::from(o.claim),
            ])?;
        }
        Ok(())
    }

    /// Indexes the orders; call once every customer is written.
    pub(super) fn finish(self, tx: &Transaction<'_>) -> rusqlite::Result<()> {
        drop(self);
        tx.execute_batch(INDEXES)
    }
}

/// The seed of customer `index`'s history: a mix of the sample's seed and the index (so that
/// neighbouring customers and seeds get unrelated streams).
fn stream_seed(seed: u64, index: u64) -> u64 {
    splitmix64(splitmix64(seed ^ 0x6869_7374_6f72_7921).wrapping_add(index))
}

/// One step of SplitMix64: a well-mixed 64-bit hash.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Share of otherwise steady customers with one lapse: weeks to months without an order.
const LAPSE_SHARE: f64 = 0.06;

/// How a customer's history goes, from its row: the table's 2025 and 2026 orders say
/// whether it declined or grew; a few of the decliners stop, most strong growers were away
/// for part of 2025.
fn plan(cal: &Calendar, row: &Row, opened: Date, rng: &mut Random) -> Plan {
    let p = &row.profile;
    let prev = row.orders_prev_12m as f64;
    let last = row.orders_last_12m.unwrap_or(0) as f64;
    let course = if p.is_new {
        Course::New
    } else if p.is_dormant {
        Course::Dormant
    } else if prev <= 0.0 || last <= 0.0 {
        Course::Stable
    } else {
        let ratio = last / prev;
        if ratio <= 0.7 {
            if ratio <= 0.32 && rng.chance(0.7) {
                Course::Stopping
            } else {
                Course::Declining
            }
        } else if ratio >= 1.5 {
            if ratio >= 1.8 && row.years_active >= 2 && rng.chance(0.8) {
                Course::Comeback
            } else {
                Course::Growing
            }
        } else {
            Course::Stable
        }
    };
    let mut pauses = Vec::new();
    if course == Course::Comeback {
        // Back in the first months of 2026; timeline.rs adds the part of the gap in 2025.
        let back = rng.int(cal.day(2026, 1, 10) as i64, cal.day(2026, 4, 15) as i64) as usize;
        pauses.push(cal.day(2026, 1, 1)..back);
    }
    let steady = matches!(course, Course::Stable | Course::Declining | Course::Growing);
    if steady && rng.chance(LAPSE_SHARE) {
        let start = rng.int(cal.day(2023, 3, 1) as i64, cal.day(2026, 11, 30) as i64) as usize;
        let length = (30.0 + rng.exponential(60.0)).min(270.0) as usize;
        pauses.push(start..start + length);
    }
    Plan {
        course,
        orders_prev: prev,
        orders_last: last,
        typical_orders: p.typical_orders,
        opened: cal.index(opened),
        opened_inside: opened >= cal.start,
        pauses,
    }
}

/// The day the account opened: `years_active` whole years before 2026-12-31, so anywhere in
/// 2026 for 0 years, in 2025 for 1 year, and so on (before the history for 4 years or more);
/// for new customers, in the last two months.
fn opened_day(end: Date, row: &Row, rng: &mut Random) -> Date {
    let (earliest, latest) = if row.profile.is_new {
        (end.add_days(-60).expect("a date"), end)
    } else {
        let years = row.years_active;
        let latest = end.add_months(-12 * years).expect("a date");
        let earliest = end
            .add_months(-12 * (years + 1))
            .and_then(|d| d.add_days(1))
            .expect("a date");
        (earliest, latest)
    };
    let day = Date(rng.int(i64::from(earliest.0), i64::from(latest.0)) as i32);
    // Not on a Sunday: the first order is placed on the opening day, and no one delivers
    // on Sundays (1970-01-01, day 0, was a Thursday).
    if (day.0 + 4).rem_euclid(7) != 0 {
        day
    } else if day < latest {
        Date(day.0 + 1)
    } else {
        Date(day.0 - 1)
    }
}
