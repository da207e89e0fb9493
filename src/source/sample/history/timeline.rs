//! When a customer orders: the days of the history, each channel's seasons and weekdays, and
//! a customer's ordering level over time, from which its order days are placed.
//!
//! A customer's level is `a` orders a year until a change starts on day `D`, then moves to
//! `b` (at once, or linearly over `R` days). `a` and `b` are solved so that the two last years
//! hold exactly the orders the `customers` table gives (`orders_prev_12m` for 2025,
//! `orders_last_12m` for 2026): the table is the history's last snapshot. Before 2025 the level
//! drifts a little per year. Orders are then placed by stratified sampling of the level times
//! the season: the k-th order of a year falls where the year's cumulative level passes
//! `k + u` (`u` uniform), so a year with a level of 36 gets exactly 36 orders, spread like a
//! customer who reorders when stock runs low. Pauses (a comeback's gap, a lapse), the opening
//! day and a last order then remove orders: a customer who was away orders less that year.

use super::super::random::Random;
use crate::time::Date;
use std::ops::Range;

/// The years of the history: 2023-01-01 to 2026-12-31.
pub(super) const FIRST_YEAR: i32 = 2023;
pub(super) const LAST_YEAR: i32 = 2026;
const YEARS: usize = (LAST_YEAR - FIRST_YEAR + 1) as usize;
/// The year `orders_prev_12m` describes; the next is the one `orders_last_12m` describes.
const PREV_YEAR: usize = YEARS - 2;
const LAST: usize = YEARS - 1;

/// Month weights, January to December: a December peak and a February dip; shops sell more
/// in summer; schools and canteens (special) order little in July and August.
const SEASONS: [(&str, [f64; 12]); 5] = [
    (
        "KA",
        [
            0.95, 0.85, 0.95, 1.0, 1.0, 1.0, 1.0, 1.0, 0.95, 1.0, 1.1, 1.3,
        ],
    ),
    (
        "BC",
        [
            0.95, 0.85, 0.95, 1.0, 1.0, 1.05, 1.05, 1.05, 0.95, 1.0, 1.05, 1.25,
        ],
    ),
    (
        "wholesale",
        [
            0.9, 0.85, 1.0, 1.0, 1.0, 1.0, 0.95, 0.95, 1.0, 1.05, 1.2, 1.2,
        ],
    ),
    (
        "terminal",
        [
            0.95, 0.85, 0.95, 1.0, 1.05, 1.1, 1.15, 1.1, 1.0, 0.95, 0.95, 1.15,
        ],
    ),
    (
        "special",
        [
            1.1, 1.05, 1.1, 1.05, 1.1, 0.9, 0.5, 0.6, 1.15, 1.1, 1.1, 0.9,
        ],
    ),
];

/// Saturday's weight (weekdays weigh 1, Sundays 0: nobody delivers on Sunday).
fn saturday(channel: &str) -> f64 {
    match channel {
        "terminal" | "BC" => 0.8,
        _ => 0.3,
    }
}

/// The days of the history and each channel's weight per day.
pub(super) struct Calendar {
    pub(super) start: Date,
    pub(super) end: Date,
    /// Day index of each year's first day, and one past the last day.
    year_start: [usize; YEARS + 1],
    /// Month number (0 = the first month of the history) of each day.
    month_of: Vec<usize>,
    /// `weight[channel][day]`: season times weekday, each year summing to 1.
    weight: Vec<Vec<f64>>,
}

impl Calendar {
    pub(super) fn new() -> Calendar {
        let start = Date::new(FIRST_YEAR, 1, 1).expect("a date");
        let end = Date::new(LAST_YEAR, 12, 31).expect("a date");
        let days = (start.days_until(end) + 1) as usize;
        let mut year_start = [days; YEARS + 1];
        for (y, slot) in year_start.iter_mut().enumerate().take(YEARS) {
            let first = Date::new(FIRST_YEAR + y as i32, 1, 1).expect("a date");
            *slot = start.days_until(first) as usize;
        }
        let month_of: Vec<usize> = (0..days)
            .map(|d| {
                let (y, m, _) = start.add_days(d as i64).expect("a date").ymd();
                (y - FIRST_YEAR) as usize * 12 + m as usize - 1
            })
            .collect();
        let weight = SEASONS
            .iter()
            .map(|(channel, months)| {
                let mut w: Vec<f64> = (0..days)
                    .map(|d| {
                        // 1970-01-01, day 0, was a Thursday: (day + 4) % 7 is 0 on Sundays.
                        let weekday = (start.0 + d as i32 + 4).rem_euclid(7);
                        let day_weight = match weekday {
                            0 => 0.0,
                            6 => saturday(channel),
                            _ => 1.0,
                        };
                        months[month_of[d] % 12] * day_weight
                    })
                    .collect();
                for y in 0..YEARS {
                    let range = year_start[y]..year_start[y + 1];
                    let total: f64 = w[range.clone()].iter().sum();
                    w[range].iter_mut().for_each(|x| *x /= total);
                }
                w
            })
            .collect();
        Calendar {
            start,
            end,
            year_start,
            month_of,
            weight,
        }
    }

    pub(super) fn days(&self) -> usize {
        self.month_of.len()
    }

    /// The days of year `y` (0 = the first year).
    pub(super) fn year(&self, y: usize) -> Range<usize> {
        self.year_start[y]..self.year_start[y + 1]
    }

    /// The year (0 = the first) of day `d`.
    pub(super) fn year_of(&self, d: usize) -> usize {
        self.month_of[d] / 12
    }

    /// The date of day `d`.
    pub(super) fn date(&self, d: usize) -> Date {
        Date(self.start.0 + d as i32)
    }

    /// The day index of `date`, clamped into the history.
    pub(super) fn index(&self, date: Date) -> usize {
        (self.start.days_until(date).max(0) as usize).min(self.days())
    }

    /// The day index of a date in the history.
    pub(super) fn day(&self, year: i32, month: u32, day: u32) -> usize {
        self.index(Date::new(year, month, day).expect("a date"))
    }

    fn channel(channel: &str) -> usize {
        SEASONS.iter().position(|(c, _)| *c == channel).unwrap_or(3)
    }
}

/// How a customer's ordering changes over the last two years.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Course {
    /// A gentle drift from 2025's level to 2026's.
    Stable,
    /// A step down (a lost contract, a competitor's listing) somewhere in 2025-2026.
    Declining,
    /// A ramp up over a few months (a new listing, more outlets).
    Growing,
    /// Away from some month of 2025 (the gap is 2025's missing orders) to early 2026.
    Comeback,
    /// Stops for good in 2026 after its last `orders_last_12m` orders.
    Stopping,
    /// Ordered in 2025 until its last order, none in 2026 (the table's dormant customers).
    Dormant,
    /// Opened, no order yet (the table's new customers).
    New,
}

/// What the history of one customer is drawn from.
#[derive(Debug, Clone)]
pub(super) struct Plan {
    pub(super) course: Course,
    /// Orders in 2025 and 2026 as the `customers` table gives them (a full year's worth).
    pub(super) orders_prev: f64,
    pub(super) orders_last: f64,
    /// Orders a year at this customer's size (for dormant customers, their level before).
    pub(super) typical_orders: f64,
    /// Day index of the account's opening (0 when it opened before the history).
    pub(super) opened: usize,
    /// Whether the account opened inside the history (its first order is then that day).
    pub(super) opened_inside: bool,
    /// Day ranges without orders.
    pub(super) pauses: Vec<Range<usize>>,
}

/// A customer's orders a year over time: `a` until day `change`, then linearly to `b` over
/// `length` days (at once when 0); before 2025, `a` drifted by `drift` a year.
struct Level {
    a: f64,
    b: f64,
    change: usize,
    length: usize,
    /// Before 2025 the level is `a * exp(-drift * years before 2025)`.
    drift: f64,
}

impl Level {
    /// Share of the way from `a` to `b` on day `d`.
    fn progress(&self, d: usize) -> f64 {
        if d < self.change {
            0.0
        } else if self.length == 0 || d >= self.change + self.length {
            1.0
        } else {
            (d - self.change) as f64 / self.length as f64
        }
    }
}

/// Places a customer's orders: fills `days` (cleared first) with the day indices of its
/// orders, ascending (several orders may share a day). `lambda` is a reused buffer.
pub(super) fn order_days(
    cal: &Calendar,
    channel: &str,
    plan: &mut Plan,
    rng: &mut Random,
    lambda: &mut Vec<f64>,
    days: &mut Vec<usize>,
) {
    days.clear();
    if plan.course == Course::New {
        return;
    }
    // The customer's own weights: the channel's, times a month-to-month wobble.
    let weight = &cal.weight[Calendar::channel(channel)];
    let wobble: Vec<f64> = (0..YEARS * 12).map(|_| rng.lognormal(1.0, 0.08)).collect();
    lambda.clear();
    lambda.extend((0..cal.days()).map(|d| weight[d] * wobble[cal.month_of[d]]));

    let level = level(cal, plan, lambda, rng);
    let before = cal.year(PREV_YEAR).start;
    for (d, x) in lambda.iter_mut().enumerate() {
        let years_before = before.saturating_sub(d) as f64 / 365.25;
        let drift = (-level.drift * years_before).exp();
        *x *= (level.a + (level.b - level.a) * level.progress(d)) * drift;
    }
    if plan.course == Course::Comeback {
        comeback_gap(cal, plan, lambda);
    }
    for y in 0..YEARS {
        let range = cal.year(y);
        let expected: f64 = lambda[range.clone()].iter().sum();
        // The last two years hold the table's counts; earlier years a rounding of the level.
        let n = match y {
            PREV_YEAR | LAST => expected.round() as usize,
            _ => expected.floor() as usize + usize::from(rng.chance(expected.fract())),
        };
        place(lambda, range, n, rng, days);
    }
    remove_paused(plan, days);
    stop(cal, plan, days);
    open(cal, plan, days);
}

/// Solves the level so that 2025 and 2026 hold the table's orders.
fn level(cal: &Calendar, plan: &Plan, base: &[f64], rng: &mut Random) -> Level {
    let sum = |y: usize| -> f64 { base[cal.year(y)].iter().sum() };
    let flat = |per_year: f64, rng: &mut Random| Level {
        a: per_year,
        b: per_year,
        change: cal.days(),
        length: 0,
        drift: 0.08 * rng.normal(),
    };
    match plan.course {
        Course::Comeback => {
            // 2026's orders all come after the gap.
            let open: f64 = cal
                .year(LAST)
                .filter(|d| !plan.pauses.iter().any(|p| p.contains(d)))
                .map(|d| base[d])
                .sum();
            return flat(plan.orders_last / open.max(1e-9), rng);
        }
        Course::Stopping => return flat(plan.orders_prev / sum(PREV_YEAR), rng),
        Course::Dormant => return flat(plan.typical_orders / sum(PREV_YEAR), rng),
        Course::New => return flat(0.0, rng),
        _ => {}
    }
    if plan.orders_prev <= 0.0 || plan.orders_last <= 0.0 {
        let per_year = plan.orders_prev.max(plan.orders_last);
        let y = if plan.orders_last > 0.0 {
            LAST
        } else {
            PREV_YEAR
        };
        return flat(per_year / sum(y), rng);
    }
    let (early, late, lengths) = match plan.course {
        Course::Stable => (cal.day(2025, 1, 1), cal.day(2025, 12, 31), (180, 540)),
        Course::Declining => (cal.day(2025, 4, 1), cal.day(2026, 9, 30), (0, 60)),
        _ => (cal.day(2025, 4, 1), cal.day(2026, 9, 30), (60, 300)),
    };
    let drift = 0.08 * rng.normal();
    for _ in 0..6 {
        let change = rng.int(early as i64, late as i64) as usize;
        let length = rng.int(lengths.0, lengths.1) as usize;
        let mut level = Level {
            a: 0.0,
            b: 0.0,
            change,
            length,
            drift,
        };
        // orders(y) = a * sum((1 - g) w) + b * sum(g w) over the days of year y.
        let exposure = |y: usize| -> (f64, f64) {
            cal.year(y).fold((0.0, 0.0), |(a, b), d| {
                let g = level.progress(d);
                (a + (1.0 - g) * base[d], b + g * base[d])
            })
        };
        let ((a1, b1), (a2, b2)) = (exposure(PREV_YEAR), exposure(LAST));
        let det = a1 * b2 - b1 * a2;
        if det.abs() > 1e-3 {
            level.a = (plan.orders_prev * b2 - plan.orders_last * b1) / det;
            level.b = (a1 * plan.orders_last - a2 * plan.orders_prev) / det;
            let plausible = |x: f64| x > 0.0 && x < 4.0 * plan.orders_prev.max(plan.orders_last);
            if plausible(level.a) && plausible(level.b) {
                return level;
            }
        }
    }
    // A step at the turn of the year always fits.
    Level {
        a: plan.orders_prev / sum(PREV_YEAR),
        b: plan.orders_last / sum(LAST),
        change: cal.year(LAST).start,
        length: 0,
        drift,
    }
}

/// A comeback's gap in 2025: the end of the year that holds the orders 2025 lacks at the
/// customer's level (the gap goes on into 2026).
fn comeback_gap(cal: &Calendar, plan: &mut Plan, lambda: &[f64]) {
    let year = cal.year(PREV_YEAR);
    let total: f64 = lambda[year.clone()].iter().sum();
    let missing = (total - plan.orders_prev).min(0.95 * total);
    let mut start = year.end;
    let mut gone = 0.0;
    while start > year.start && gone < missing {
        start -= 1;
        gone += lambda[start];
    }
    plan.pauses.push(start..year.end);
}

/// Appends `n` order days for the days of `range`, by stratified sampling of `lambda`.
fn place(lambda: &[f64], range: Range<usize>, n: usize, rng: &mut Random, days: &mut Vec<usize>) {
    let total: f64 = lambda[range.clone()].iter().sum();
    if n == 0 || total <= 0.0 {
        return;
    }
    let scale = n as f64 / total;
    let mut cumulative = 0.0;
    let mut k = 0;
    let mut next = rng.uniform();
    let mut last_open = range.start;
    for d in range {
        if lambda[d] > 0.0 {
            last_open = d;
        }
        cumulative += lambda[d] * scale;
        while k < n && next < cumulative {
            days.push(d);
            k += 1;
            next = k as f64 + rng.uniform();
        }
    }
    // Rounding can leave the last order just beyond the year's total.
    days.extend(std::iter::repeat_n(last_open, n - k));
}

/// Drops the orders in a pause or before the account opened.
fn remove_paused(plan: &Plan, days: &mut Vec<usize>) {
    days.retain(|d| *d >= plan.opened && !plan.pauses.iter().any(|p| p.contains(d)));
}

/// Dormant customers stop after their `orders_prev_12m`-th order of 2025, stopping ones
/// after their `orders_last_12m`-th of 2026.
fn stop(cal: &Calendar, plan: &Plan, days: &mut Vec<usize>) {
    let (year, keep) = match plan.course {
        Course::Dormant => (PREV_YEAR, plan.orders_prev as usize),
        Course::Stopping => (LAST, plan.orders_last as usize),
        _ => return,
    };
    let year = cal.year(year);
    let first = days.partition_point(|d| *d < year.start);
    let last = days.partition_point(|d| *d < year.end);
    days.truncate((first + keep).min(last));
}

/// An account opened inside the history places its first order on the day it opened: the
/// year's first order moves there, or one is added when that year has none.
fn open(cal: &Calendar, plan: &Plan, days: &mut Vec<usize>) {
    if !plan.opened_inside {
        return;
    }
    match days.first_mut() {
        Some(first) if cal.year_of(*first) == cal.year_of(plan.opened) => *first = plan.opened,
        _ => days.insert(0, plan.opened),
    }
}
