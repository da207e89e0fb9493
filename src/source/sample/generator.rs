//! The random customer model: per-channel parameters, the distributions drawn from, and
//! [`Generator`], which turns a seed into a stream of customers. Every customer consumes draws
//! in a fixed order, so a database depends only on the seed and the count; a change to any
//! draw here changes every sample generated after it (and the benchmarks measured on them).

use super::random::Random;

/// Per-channel parameters of the distributions.
struct Channel {
    name: &'static str,
    /// Share of customers in this channel.
    share: f64,
    /// Median annual sales and the log-scale spread around it.
    sales_median: f64,
    sales_sigma: f64,
    /// Median number of orders a year for a customer of median size.
    orders_median: f64,
    /// Mean gross margin in percent.
    margin_mean: f64,
    /// Median unit price.
    price_median: f64,
    /// Mean tenure in years.
    years_mean: f64,
    /// Added to the industry-influence score (before rounding).
    influence_bonus: f64,
}

const CHANNELS: [Channel; 5] = [
    Channel {
        name: "KA",
        share: 0.03,
        sales_median: 500_000.0,
        sales_sigma: 0.75,
        orders_median: 150.0,
        margin_mean: 12.0,
        price_median: 9.0,
        years_mean: 11.0,
        influence_bonus: 1.2,
    },
    Channel {
        name: "BC",
        share: 0.20,
        sales_median: 50_000.0,
        sales_sigma: 0.8,
        orders_median: 50.0,
        margin_mean: 18.5,
        price_median: 11.0,
        years_mean: 7.0,
        influence_bonus: 0.2,
    },
    Channel {
        name: "wholesale",
        share: 0.07,
        sales_median: 170_000.0,
        sales_sigma: 0.8,
        orders_median: 40.0,
        margin_mean: 14.0,
        price_median: 18.0,
        years_mean: 9.0,
        influence_bonus: 0.6,
    },
    Channel {
        name: "terminal",
        share: 0.65,
        sales_median: 12_000.0,
        sales_sigma: 0.8,
        orders_median: 36.0,
        margin_mean: 22.0,
        price_median: 7.0,
        years_mean: 6.0,
        influence_bonus: 0.0,
    },
    Channel {
        name: "special",
        share: 0.05,
        sales_median: 28_000.0,
        sales_sigma: 0.75,
        orders_median: 20.0,
        margin_mean: 29.0,
        price_median: 12.0,
        years_mean: 8.0,
        influence_bonus: 0.0,
    },
];

/// Regions with their (cumulative-free) shares; Central is the biggest metro area.
const REGIONS: [(&str, f64); 5] = [
    ("North", 0.18),
    ("South", 0.22),
    ("East", 0.20),
    ("West", 0.15),
    ("Central", 0.25),
];

/// Reference size for "bigger customer" effects (roughly the overall median).
const SALES_REFERENCE: f64 = 25_000.0;

const PREFIXES: [&str; 40] = [
    "Northwind",
    "Golden",
    "Sunrise",
    "Blue River",
    "Silver Oak",
    "Green Valley",
    "Harbor",
    "Redstone",
    "Maple",
    "Evergreen",
    "Summit",
    "Lakeside",
    "Pioneer",
    "Riverside",
    "Crown",
    "Atlas",
    "Meadow",
    "Bright Star",
    "Highland",
    "Oakridge",
    "Westfield",
    "Eastgate",
    "Southport",
    "Kingsway",
    "Parkview",
    "Hillcrest",
    "Fairview",
    "Cedar",
    "Amber",
    "Horizon",
    "Patel",
    "Miller",
    "Novak",
    "Garcia",
    "Chen",
    "Kowalski",
    "Murphy",
    "Rossi",
    "Schmidt",
    "Okafor",
];
const KA_NOUNS: [&str; 6] = [
    "Hypermarkets",
    "Superstores",
    "Retail",
    "Fresh Markets",
    "Food Stores",
    "Discount Stores",
];
const BC_NOUNS: [&str; 6] = [
    "Supermarket",
    "Food Market",
    "Grocers",
    "Fresh Foods",
    "Foods",
    "Family Market",
];
const WHOLESALE_NOUNS: [&str; 6] = [
    "Wholesale",
    "Distribution",
    "Trading",
    "Cash & Carry",
    "Food Supplies",
    "Provisions",
];
const TERMINAL_NOUNS: [&str; 8] = [
    "Mini Mart",
    "Corner Shop",
    "Convenience Store",
    "Kiosk",
    "General Store",
    "Deli",
    "Food & Wine",
    "Grocery",
];
const SPECIAL_NOUNS: [&str; 8] = [
    "Primary School",
    "High School",
    "Station Kiosk",
    "Airport Shop",
    "Garrison Canteen",
    "Hospital Canteen",
    "University Catering",
    "Bus Terminal Shop",
];
const COMPANY_SUFFIXES: [&str; 5] = ["Ltd", "Group", "Co.", "Inc.", "LLC"];

/// One generated customer, apart from the id and name.
pub(super) struct Row {
    pub(super) channel: &'static str,
    pub(super) region: &'static str,
    pub(super) annual_sales: Option<f64>,
    pub(super) orders_last_12m: Option<i64>,
    pub(super) orders_prev_12m: i64,
    pub(super) gross_margin_pct: f64,
    pub(super) avg_unit_price: f64,
    pub(super) on_time_payment_rate: Option<f64>,
    pub(super) overdue_days: i64,
    pub(super) overdue_amount: f64,
    pub(super) quality_claims: i64,
    pub(super) years_active: i64,
    pub(super) repeat_purchase_rate: f64,
    pub(super) credit_score: Option<i64>,
    pub(super) industry_influence: i64,
    /// What the order history is drawn from; not a column of `customers`.
    pub(super) profile: Profile,
}

/// The values behind a customer's columns that the order history needs (the history is drawn
/// from its own random stream: reading these takes no draw from this one).
#[derive(Debug, Clone, Copy)]
pub(super) struct Profile {
    /// Annual buying potential; also what new and dormant customers would buy.
    pub(super) size: f64,
    /// Orders a year at this size (also for new and dormant customers).
    pub(super) typical_orders: f64,
    /// True share of invoices paid on time (also where the column is NULL).
    pub(super) on_time_rate: f64,
    /// Expected quality claims a year.
    pub(super) claims_lambda: f64,
    /// Brand new: no order yet.
    pub(super) is_new: bool,
    /// Ordered last year, not this year.
    pub(super) is_dormant: bool,
}

/// Where a customer is in its lifecycle.
struct Lifecycle {
    /// Brand new: no sales, orders or payment data yet.
    is_new: bool,
    /// No sales or orders in the last 12 months.
    is_dormant: bool,
    years_active: i64,
}

/// How much a customer buys.
struct Volume {
    /// The customer's size (drawn even for new and dormant ones): drives claims and influence.
    size: f64,
    /// Orders a year at this size (drawn even for new and dormant ones).
    typical_orders: f64,
    annual_sales: Option<f64>,
    orders_last_12m: Option<i64>,
    orders_prev_12m: i64,
}

/// Share of invoices paid on time.
struct OnTime {
    /// Drawn for everyone: overdue debt and the credit score follow it.
    rate: f64,
    /// What the data shows: `None` where payment behaviour is unknown.
    known: Option<f64>,
}

/// The random source plus the per-row sampling logic. Every row consumes draws in a fixed
/// order, so the output depends only on the seed.
pub(super) struct Generator {
    rng: Random,
}

impl Generator {
    pub(super) fn new(seed: u64) -> Self {
        Self {
            rng: Random::with_seed(seed),
        }
    }

    /// Generates one customer; writes its name into `name` (reused between rows).
    ///
    /// The statements below draw from the generator in a fixed order, and so do the helpers
    /// they call: reordering them (or skipping a draw) changes every database generated from
    /// a given seed.
    pub(super) fn row(&mut self, name: &mut String) -> Row {
        let ch = &CHANNELS[self.rng.weighted(&CHANNELS, |c| c.share)];
        let region = REGIONS[self.rng.weighted(&REGIONS, |r| r.1)].0;
        self.name(ch.name, name);
        let life = self.lifecycle(ch);
        let volume = self.volume(ch, &life);

        let gross_margin_pct = round_to(
            (ch.margin_mean + 4.0 * self.rng.normal()).clamp(5.0, 45.0),
            1,
        );
        let avg_unit_price = round_to(
            self.rng.lognormal(ch.price_median, 0.6).clamp(1.0, 200.0),
            2,
        );

        let on_time = self.on_time(&life);
        let (overdue_days, overdue_amount) = self.overdue(on_time.rate, volume.annual_sales);

        // Quality claims: Poisson, rate grows with size; ~70% have none.
        let claims_lambda = 0.36 * (volume.size / SALES_REFERENCE).powf(0.3);
        let claims = self.rng.poisson(claims_lambda);
        let quality_claims = match volume.annual_sales {
            Some(s) if s > 0.0 => claims,
            _ => 0,
        };

        let repeat_purchase_rate = self.repeat_purchase_rate(&life, volume.orders_last_12m);
        let credit_score = self.credit_score(&life, on_time.rate);

        // Influence 1..5: bigger customers and key accounts rank higher.
        let influence = 1.8
            + 0.5 * (volume.size / SALES_REFERENCE).ln()
            + ch.influence_bonus
            + 0.6 * self.rng.normal();
        let industry_influence = influence.round().clamp(1.0, 5.0) as i64;

        Row {
            channel: ch.name,
            region,
            annual_sales: volume.annual_sales,
            orders_last_12m: volume.orders_last_12m,
            orders_prev_12m: volume.orders_prev_12m,
            gross_margin_pct,
            avg_unit_price,
            on_time_payment_rate: on_time.known,
            overdue_days,
            overdue_amount,
            quality_claims,
            years_active: life.years_active,
            repeat_purchase_rate,
            credit_score,
            industry_influence,
            profile: Profile {
                size: volume.size,
                typical_orders: volume.typical_orders,
                on_time_rate: on_time.rate,
                claims_lambda,
                is_new: life.is_new,
                is_dormant: life.is_dormant,
            },
        }
    }

    /// Lifecycle: ~0.5% brand new without data, ~1.5% dormant, the rest active; and tenure.
    fn lifecycle(&mut self, ch: &Channel) -> Lifecycle {
        let status = self.rng.uniform();
        let is_new = status < 0.005;
        let is_dormant = !is_new && status < 0.020;

        // Tenure: exponential, skewed young; new customers 0, dormant ones at least a year.
        let years_active = if is_new {
            0
        } else {
            let y = self.rng.exponential(ch.years_mean).floor().min(30.0) as i64;
            if is_dormant { y.max(1) } else { y }
        };
        Lifecycle {
            is_new,
            is_dormant,
            years_active,
        }
    }

    /// Size, sales and orders of this year and the last.
    fn volume(&mut self, ch: &Channel, life: &Lifecycle) -> Volume {
        // Size: lognormal within the channel; drives orders, claims and influence.
        let size = self
            .rng
            .lognormal(ch.sales_median, ch.sales_sigma)
            .max(500.0);
        let annual_sales = if life.is_new {
            None
        } else if life.is_dormant {
            Some(0.0)
        } else {
            Some(round_to(size, 2))
        };

        // Orders grow sub-linearly with size, so big customers also order bigger baskets.
        let typical_orders = (ch.orders_median
            * (size / ch.sales_median).powf(0.35)
            * self.rng.lognormal(1.0, 0.25))
        .round()
        .clamp(1.0, 1500.0);
        let orders_last_12m = if life.is_new {
            None
        } else if life.is_dormant {
            Some(0)
        } else {
            Some(typical_orders as i64)
        };
        let orders_prev_12m = self.orders_prev_12m(typical_orders, life);

        Volume {
            size,
            typical_orders,
            annual_sales,
            orders_last_12m,
            orders_prev_12m,
        }
    }

    /// Previous year's orders: mostly stable, ~10% were 30%+ higher (decline), ~8% much lower
    /// (growth).
    fn orders_prev_12m(&mut self, typical_orders: f64, life: &Lifecycle) -> i64 {
        let trend = self.rng.uniform();
        let ratio = if trend < 0.10 {
            1.0 / (0.25 + 0.45 * self.rng.uniform()) // last = 25%..70% of previous
        } else if trend < 0.18 {
            1.0 / (1.5 + 1.5 * self.rng.uniform()) // last = 1.5x..3x previous
        } else {
            0.8 + 0.4 * self.rng.uniform()
        };
        if life.years_active == 0 {
            0
        } else if life.is_dormant {
            // Churned: they still ordered last year.
            (typical_orders * (0.2 + 0.6 * self.rng.uniform()))
                .round()
                .max(1.0) as i64
        } else {
            (typical_orders * ratio).round() as i64
        }
    }

    /// Payment: most pay 85-100% on time, ~18% form a tail down to 0.3.
    fn on_time(&mut self, life: &Lifecycle) -> OnTime {
        let on_time = if self.rng.uniform() < 0.82 {
            1.0 - 0.15 * self.rng.uniform().powf(1.5)
        } else {
            0.85 - 0.55 * self.rng.uniform().powi(2)
        };
        let rate = round_to(on_time, 3);
        // No draw for new customers: `||` short-circuits.
        let unknown = life.is_new || self.rng.uniform() < 0.005;
        OnTime {
            rate,
            known: (!unknown).then_some(rate),
        }
    }

    /// Overdue days and amount: likelier and longer for poor payers.
    fn overdue(&mut self, on_time: f64, annual_sales: Option<f64>) -> (i64, f64) {
        // Badness 0 = good .. 1 = worst.
        let badness = ((0.85 - on_time) / 0.55).clamp(0.0, 1.0);
        let p_overdue = if on_time >= 0.85 {
            0.15
        } else {
            0.2 + 0.6 * badness
        };
        let overdue_roll = self.rng.uniform();
        let days = (1.0
            + self.rng.exponential(14.0 + 60.0 * badness) * self.rng.lognormal(1.0, 0.9))
        .floor()
        .min(365.0);
        let amount_fraction = (0.1 + 0.5 * self.rng.uniform()) * (1.0 + days / 60.0).min(3.0);
        match annual_sales {
            Some(s) if s > 0.0 && overdue_roll < p_overdue => {
                let amount = round_to(s / 12.0 * amount_fraction, 2).max(0.01);
                (days as i64, amount)
            }
            _ => (0, 0.0),
        }
    }

    /// Repeat purchases: loyalty grows with tenure, capped by how many orders there were.
    fn repeat_purchase_rate(&mut self, life: &Lifecycle, orders_last_12m: Option<i64>) -> f64 {
        let loyalty = 0.35 + 0.5 * (1.0 - (-(life.years_active as f64) / 5.0).exp());
        let repeat = (loyalty + 0.12 * self.rng.normal()).clamp(0.0, 1.0);
        match orders_last_12m {
            Some(n) if n > 0 => round_to(repeat.min(n as f64 / 12.0), 3),
            _ => 0.0,
        }
    }

    /// Credit score: follows payment behaviour and tenure; ~5% unrated (more among new).
    fn credit_score(&mut self, life: &Lifecycle, on_time: f64) -> Option<i64> {
        let score = 20.0
            + 60.0 * ((on_time - 0.3) / 0.7)
            + 0.6 * life.years_active as f64
            + 10.0 * self.rng.normal();
        let unrated = self.rng.uniform() < if life.is_new { 0.5 } else { 0.048 };
        (!unrated).then_some(score.round().clamp(1.0, 100.0) as i64)
    }

    /// Writes a plausible company name for the channel into `out`.
    fn name(&mut self, channel: &str, out: &mut String) {
        out.clear();
        out.push_str(self.rng.pick(&PREFIXES));
        out.push(' ');
        let (nouns, suffix_chance): (&[&str], f64) = match channel {
            "KA" => (&KA_NOUNS, 0.8),
            "BC" => (&BC_NOUNS, 0.4),
            "wholesale" => (&WHOLESALE_NOUNS, 0.9),
            "special" => (&SPECIAL_NOUNS, 0.0),
            _ => (&TERMINAL_NOUNS, 0.1),
        };
        out.push_str(self.rng.pick(nouns));
        if self.rng.uniform() < suffix_chance {
            out.push(' ');
            out.push_str(self.rng.pick(&COMPANY_SUFFIXES));
        }
    }
}

/// Rounds to `decimals` decimal places.
fn round_to(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (x * f).round() / f
}
