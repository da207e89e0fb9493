//! What each order is worth and how it was paid: amounts, units, gross profit, due and paid
//! days, quality claims.
//!
//! The last year matches the `customers` table: 2026's amounts add up to `annual_sales`
//! (less for an account that opened or paused in 2026), `quality_claims` of 2026's orders
//! carry a claim, and as of 2026-12-31 the oldest unpaid invoice is about `overdue_days` past
//! due with about `overdue_amount` unpaid. Earlier, payments follow the customer's on-time
//! rate: a late invoice is paid days to weeks after its due day, and poor payers have arrears
//! episodes, months in which no late invoice is paid, then the backlog is settled at once.

use super::super::generator::Row;
use super::super::random::Random;
use super::timeline::{Calendar, LAST_YEAR};
use crate::time::Date;

/// One row of `orders`.
#[derive(Debug, Clone)]
pub(super) struct Order {
    pub(super) day: Date,
    pub(super) amount: f64,
    pub(super) units: i64,
    pub(super) gross_profit: f64,
    pub(super) due: Date,
    /// `None`: not paid by the history's last day.
    pub(super) paid: Option<Date>,
    pub(super) claim: bool,
}

/// Days to pay by channel: key accounts and wholesalers get long terms, small shops short.
fn base_terms(channel: &str) -> usize {
    match channel {
        "KA" => 4,
        "wholesale" => 3,
        "BC" | "special" => 2,
        _ => 1,
    }
}
const TERMS: [i64; 6] = [7, 14, 30, 45, 60, 90];

/// A customer's payment terms in days: the channel's, one step shorter or longer for a few.
pub(super) fn payment_terms(channel: &str, rng: &mut Random) -> i64 {
    let base = base_terms(channel);
    let roll = rng.uniform();
    let step = if roll < 0.1 {
        base - 1
    } else if roll < 0.2 {
        base + 1
    } else {
        base
    };
    TERMS[step]
}

/// Fills `orders` (cleared first) with the orders placed on `days` (day indices, ascending).
pub(super) fn orders(
    cal: &Calendar,
    row: &Row,
    terms: i64,
    days: &[usize],
    rng: &mut Random,
    orders: &mut Vec<Order>,
) {
    orders.clear();
    let p = &row.profile;
    let last_orders = row.orders_last_12m.unwrap_or(0);
    let basket = match row.annual_sales {
        Some(sales) if sales > 0.0 && last_orders > 0 => sales / last_orders as f64,
        _ => p.size / p.typical_orders.max(1.0),
    };
    for &d in days {
        let day = cal.date(d);
        // Prices rose about 3% a year.
        let inflation = 1.03f64.powi(day.year() - LAST_YEAR);
        let amount = (basket * inflation * rng.lognormal(1.0, 0.25)).max(1.0);
        orders.push(Order {
            day,
            amount,
            units: 0,
            gross_profit: 0.0,
            due: Date(day.0 + terms as i32),
            paid: None,
            claim: false,
        });
    }
    match_last_year_sales(row, orders);
    for o in orders.iter_mut() {
        let price = row.avg_unit_price * rng.lognormal(1.0, 0.12);
        o.units = ((o.amount / price).round() as i64).max(1);
        let margin = (row.gross_margin_pct + 1.5 * rng.normal()).clamp(1.0, 60.0);
        o.gross_profit = round2(o.amount * margin / 100.0);
    }
    pay(cal, row, terms, rng, orders);
    settle(cal.end, row, rng, orders);
    claims(row, rng, orders);
}

/// Scales the last year's amounts to add up to `annual_sales`, in proportion to the orders
/// the year holds against the table's `orders_last_12m`; rounds every amount to cents.
fn match_last_year_sales(row: &Row, orders: &mut [Order]) {
    let last: Vec<usize> = (0..orders.len())
        .filter(|&i| orders[i].day.year() == LAST_YEAR)
        .collect();
    for o in orders.iter_mut() {
        o.amount = round2(o.amount);
    }
    let (Some(sales), Some(n)) = (row.annual_sales, row.orders_last_12m) else {
        return;
    };
    if last.is_empty() || sales <= 0.0 || n <= 0 {
        return;
    }
    let target = round2(sales * last.len() as f64 / n as f64);
    let drawn: f64 = last.iter().map(|&i| orders[i].amount).sum();
    for &i in &last {
        orders[i].amount = round2((orders[i].amount * target / drawn).max(1.0));
    }
    // Put the cents lost in rounding on the largest order.
    let sum: f64 = last.iter().map(|&i| orders[i].amount).sum();
    let largest = last
        .iter()
        .copied()
        .max_by(|&i, &j| orders[i].amount.total_cmp(&orders[j].amount))
        .expect("not empty");
    orders[largest].amount = round2(orders[largest].amount + target - sum);
}

/// Pays every invoice: on time (a few days early) with the customer's on-time rate, else
/// late; a late invoice due in an arrears episode waits for the episode's end (the
/// invoices paid on time stay on time, so the on-time rate stays the customer's).
fn pay(cal: &Calendar, row: &Row, terms: i64, rng: &mut Random, orders: &mut [Order]) {
    let on_time = row.profile.on_time_rate;
    let badness = ((0.85 - on_time) / 0.55).clamp(0.0, 1.0);
    let late_mean = 15.0 + 35.0 * badness;
    let episodes_a_year = if on_time < 0.85 {
        0.1 + 1.0 * badness
    } else {
        0.03
    };
    let span = cal.start.days_until(cal.end);
    let episodes: Vec<(i32, i32)> = (0..rng.poisson(episodes_a_year * 4.0))
        .map(|_| {
            let start = cal.start.0 + rng.int(0, span) as i32;
            let length = (50.0 + rng.exponential(70.0)).min(270.0) as i32;
            (start, start + length)
        })
        .collect();
    for o in orders.iter_mut() {
        if rng.chance(on_time) {
            let early = rng.int(0, (terms / 3).min(5));
            o.paid = Some(Date((o.due.0 - early as i32).max(o.day.0)));
            continue;
        }
        let mut paid = o.due.0 + 1 + rng.exponential(late_mean) as i32;
        for &(start, end) in &episodes {
            if (start..end).contains(&o.due.0) {
                paid = paid.max(end + rng.int(0, 10) as i32);
            }
        }
        o.paid = Some(Date(paid));
    }
}

/// Makes the last day's receivables what the `customers` table says: nothing overdue, or
/// the oldest unpaid invoice about `overdue_days` past due and about `overdue_amount` unpaid.
/// Invoices paid after the last day are unpaid (`None`).
fn settle(end: Date, row: &Row, rng: &mut Random, orders: &mut [Order]) {
    let due_before_end: Vec<usize> = (0..orders.len()).filter(|&i| orders[i].due < end).collect();
    let target = Date(end.0 - row.overdue_days as i32);
    let oldest = (row.overdue_days > 0)
        .then(|| {
            due_before_end
                .iter()
                .copied()
                .min_by_key(|&i| (orders[i].due.0 - target.0).abs())
        })
        .flatten();
    let mut unpaid_left = row.overdue_amount;
    if let Some(i) = oldest {
        orders[i].paid = None;
        unpaid_left -= orders[i].amount;
    }
    let oldest_due = oldest.map(|i| orders[i].due);
    // Later invoices in a random order: unpaid while that brings the total closer.
    let mut later: Vec<usize> = due_before_end
        .iter()
        .copied()
        .filter(|&i| Some(i) != oldest && oldest_due.is_some_and(|d| orders[i].due >= d))
        .collect();
    for k in (1..later.len()).rev() {
        later.swap(k, rng.int(0, k as i64) as usize);
    }
    let mut unpaid = vec![false; orders.len()];
    for i in later {
        if unpaid_left > orders[i].amount / 2.0 {
            unpaid[i] = true;
            unpaid_left -= orders[i].amount;
        }
    }
    for i in due_before_end {
        let o = &mut orders[i];
        if Some(i) == oldest || unpaid[i] {
            o.paid = None;
        } else if o.paid.is_some_and(|p| p > end) {
            // Paid late, but by the last day.
            o.paid = Some(Date(
                rng.int(i64::from(o.due.0) + 1, i64::from(end.0)) as i32
            ));
        }
    }
    for o in orders.iter_mut() {
        if o.paid.is_some_and(|p| p > end) {
            o.paid = None;
        }
    }
}

/// Claims: exactly the table's `quality_claims` among the last year's orders; earlier, each
/// order with the customer's yearly claim rate spread over its orders.
fn claims(row: &Row, rng: &mut Random, orders: &mut [Order]) {
    let p = &row.profile;
    let per_order = (p.claims_lambda / p.typical_orders.max(1.0)).min(1.0);
    let mut last = Vec::new();
    for (i, o) in orders.iter_mut().enumerate() {
        if o.day.year() == LAST_YEAR {
            last.push(i);
        } else {
            o.claim = rng.chance(per_order);
        }
    }
    let k = (row.quality_claims.max(0) as usize).min(last.len());
    for j in 0..k {
        let pick = rng.int(j as i64, last.len() as i64 - 1) as usize;
        last.swap(j, pick);
        orders[last[j]].claim = true;
    }
}

/// Rounds to cents.
pub(super) fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
