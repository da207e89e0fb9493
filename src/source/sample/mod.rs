//! Deterministic generator of tierwise's bundled sample: a B2B customer base of an FMCG
//! distributor. Most customers are small terminal shops and local supermarkets, while a few key
//! accounts and wholesalers carry the bulk of the revenue (lognormal sales with channel-dependent
//! scale, so the top 20% of customers make roughly three quarters of the sales); payment behaviour,
//! overdue debt, order frequency, tenure, margins and credit ratings are drawn per customer and
//! correlated with channel, size and each other, with a few dormant, new and unrated customers.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use rusqlite::{Connection, params};

/// Options for generating a sample database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleSpec {
    /// Number of customer rows to generate (0 gives an empty table).
    pub customers: usize,
    /// Seed of the random generator: the same seed and count give identical data.
    pub seed: u64,
}

/// Errors from generating a sample database.
#[derive(Debug, thiserror::Error)]
pub enum SampleError {
    /// The target file already exists; the generator never overwrites anything.
    #[error("cannot create sample database {}: the file already exists", .0.display())]
    Exists(PathBuf),
    /// The target path has no file name (e.g. `/` or `..`).
    #[error("cannot create sample database {}: not a file path", .0.display())]
    InvalidPath(PathBuf),
    /// An SQLite error while writing into a caller-provided connection ([`generate_into`]).
    #[error("SQLite error while writing the sample customers table")]
    Sqlite(#[from] rusqlite::Error),
    /// Creating or writing the (temporary) database file failed.
    #[error("failed to write sample database {}", path.display())]
    Write {
        /// The requested target path.
        path: PathBuf,
        /// The underlying SQLite error.
        #[source]
        source: rusqlite::Error,
    },
    /// Moving the finished temporary file into place failed.
    #[error("failed to move the generated sample database into place at {}", path.display())]
    Rename {
        /// The requested target path.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// Rows between two calls of the progress callback.
const PROGRESS_EVERY: usize = 10_000;

/// Creates `path` (must not exist: error `Exists` otherwise) with a table `customers`, filled with
/// `spec.customers` rows, in one transaction; writes to a temp file beside `path` and renames it
/// into place on success so a failed/interrupted generation never leaves a half-written file.
/// Calls `progress(done_rows)` every ~10,000 rows (may be a no-op closure).
pub fn generate(
    path: &Path,
    spec: &SampleSpec,
    progress: &mut dyn FnMut(usize),
) -> Result<(), SampleError> {
    // `symlink_metadata` also sees dangling symlinks, which `rename` would silently replace.
    if fs::symlink_metadata(path).is_ok() {
        return Err(SampleError::Exists(path.to_path_buf()));
    }
    let Some(file_name) = path.file_name() else {
        return Err(SampleError::InvalidPath(path.to_path_buf()));
    };
    // Unique per process and call, so parallel generations never share a temp file.
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let tmp = path.with_file_name(format!(
        ".{}.tmp-{}-{}",
        file_name.to_string_lossy(),
        std::process::id(),
        CALLS.fetch_add(1, Ordering::Relaxed)
    ));

    // Removes the temp file on every early exit, including a panic in `progress`.
    let guard = TempFileGuard(Some(tmp.clone()));
    write_file(&tmp, path, spec, progress)?;
    if fs::symlink_metadata(path).is_ok() {
        // Someone created the target while we were generating: do not clobber it.
        return Err(SampleError::Exists(path.to_path_buf()));
    }
    fs::rename(&tmp, path).map_err(|source| SampleError::Rename {
        path: path.to_path_buf(),
        source,
    })?;
    guard.disarm();
    Ok(())
}

/// Deletes the temporary database (and a stray rollback journal) when dropped while armed.
struct TempFileGuard(Option<PathBuf>);

impl TempFileGuard {
    /// Keeps the file: it has been renamed into place.
    fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for TempFileGuard {
    fn drop(&mut self) {
        if let Some(tmp) = self.0.take() {
            // Best effort: the file may never have been created.
            let _ = fs::remove_file(&tmp);
            let mut journal = tmp.into_os_string();
            journal.push("-journal");
            let _ = fs::remove_file(journal);
        }
    }
}

/// Creates the database at `tmp` and fills it; errors name the requested `target`.
fn write_file(
    tmp: &Path,
    target: &Path,
    spec: &SampleSpec,
    progress: &mut dyn FnMut(usize),
) -> Result<(), SampleError> {
    let write_err = |source| SampleError::Write {
        path: target.to_path_buf(),
        source,
    };
    let conn = Connection::open(tmp).map_err(write_err)?;
    // A generated file needs no crash safety: we delete it on failure anyway.
    conn.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")
        .map_err(write_err)?;
    generate_into(&conn, spec, progress).map_err(|e| match e {
        SampleError::Sqlite(source) => write_err(source),
        other => other,
    })?;
    conn.close().map_err(|(_, source)| write_err(source))
}

/// Creates the table `customers` in `conn` (it must not exist yet) and fills it with
/// `spec.customers` rows in one transaction. Calls `progress(done_rows)` every ~10,000 rows.
pub fn generate_into(
    conn: &Connection,
    spec: &SampleSpec,
    progress: &mut dyn FnMut(usize),
) -> Result<(), SampleError> {
    let tx = conn.unchecked_transaction()?;
    tx.execute_batch(
        "CREATE TABLE customers (
            customer_id TEXT PRIMARY KEY,
            name TEXT,
            channel TEXT,
            region TEXT,
            annual_sales REAL,
            orders_last_12m INTEGER,
            orders_prev_12m INTEGER,
            gross_margin_pct REAL,
            avg_unit_price REAL,
            on_time_payment_rate REAL,
            overdue_days INTEGER,
            overdue_amount REAL,
            quality_claims INTEGER,
            years_active INTEGER,
            repeat_purchase_rate REAL,
            credit_score INTEGER,
            industry_influence INTEGER
        );",
    )?;
    {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO customers VALUES
             (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
        )?;
        // Pad every id to the same width so text order equals numeric order (and insertion
        // order equals primary-key order) even beyond 999,999 customers.
        let width = spec.customers.to_string().len().max(6);
        let mut generator = Generator::new(spec.seed);
        let mut id = String::new();
        let mut name = String::new();
        for i in 1..=spec.customers {
            id.clear();
            id.push_str("C-");
            push_padded(&mut id, i, width);
            let r = generator.row(&mut name);
            stmt.execute(params![
                id,
                name,
                r.channel,
                r.region,
                r.annual_sales,
                r.orders_last_12m,
                r.orders_prev_12m,
                r.gross_margin_pct,
                r.avg_unit_price,
                r.on_time_payment_rate,
                r.overdue_days,
                r.overdue_amount,
                r.quality_claims,
                r.years_active,
                r.repeat_purchase_rate,
                r.credit_score,
                r.industry_influence,
            ])?;
            if i.is_multiple_of(PROGRESS_EVERY) {
                progress(i);
            }
        }
        if !spec.customers.is_multiple_of(PROGRESS_EVERY) {
            progress(spec.customers);
        }
    }
    tx.commit()?;
    Ok(())
}

/// Appends `n` zero-padded to `width` digits without allocating.
fn push_padded(out: &mut String, n: usize, width: usize) {
    let mut digits = [0u8; 20];
    let mut len = 0;
    let mut rest = n;
    loop {
        digits[len] = b'0' + (rest % 10) as u8;
        len += 1;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    for _ in len..width {
        out.push('0');
    }
    for &d in digits[..len].iter().rev() {
        out.push(char::from(d));
    }
}

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
struct Row {
    channel: &'static str,
    region: &'static str,
    annual_sales: Option<f64>,
    orders_last_12m: Option<i64>,
    orders_prev_12m: i64,
    gross_margin_pct: f64,
    avg_unit_price: f64,
    on_time_payment_rate: Option<f64>,
    overdue_days: i64,
    overdue_amount: f64,
    quality_claims: i64,
    years_active: i64,
    repeat_purchase_rate: f64,
    credit_score: Option<i64>,
    industry_influence: i64,
}

/// The random source plus the per-row sampling logic. Every row consumes draws in a fixed
/// order, so the output depends only on the seed.
struct Generator {
    rng: fastrand::Rng,
}

impl Generator {
    fn new(seed: u64) -> Self {
        Self {
            rng: fastrand::Rng::with_seed(seed),
        }
    }

    /// Uniform in [0, 1).
    fn uniform(&mut self) -> f64 {
        self.rng.f64()
    }

    /// Standard normal via Box-Muller (one of the pair is discarded for simplicity).
    fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.rng.f64(); // (0, 1]: keeps ln finite
        let u2 = self.rng.f64();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Lognormal with the given median and log-scale sigma.
    fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * (sigma * self.normal()).exp()
    }

    /// Exponential with the given mean.
    fn exponential(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.rng.f64()).ln()
    }

    /// Poisson by Knuth's multiplication method; `lambda` is kept small by the callers.
    fn poisson(&mut self, lambda: f64) -> i64 {
        let limit = (-lambda.min(30.0)).exp();
        let mut k = 0;
        let mut p = self.rng.f64();
        while p > limit {
            k += 1;
            p *= self.rng.f64();
        }
        k
    }

    /// Picks an element of `items` uniformly.
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.rng.usize(..items.len())]
    }

    /// Index into a table of shares (the last entry absorbs rounding).
    fn weighted<T>(&mut self, items: &[T], share: impl Fn(&T) -> f64) -> usize {
        let mut u = self.uniform();
        for (i, item) in items.iter().enumerate() {
            u -= share(item);
            if u < 0.0 {
                return i;
            }
        }
        items.len() - 1
    }

    /// Generates one customer; writes its name into `name` (reused between rows).
    fn row(&mut self, name: &mut String) -> Row {
        let ch = &CHANNELS[self.weighted(&CHANNELS, |c| c.share)];
        let region = REGIONS[self.weighted(&REGIONS, |r| r.1)].0;
        self.name(ch.name, name);

        // Lifecycle: ~0.5% brand new without data, ~1.5% dormant, the rest active.
        let status = self.uniform();
        let is_new = status < 0.005;
        let is_dormant = !is_new && status < 0.020;

        // Tenure: exponential, skewed young; new customers 0, dormant ones at least a year.
        let years_active = if is_new {
            0
        } else {
            let y = self.exponential(ch.years_mean).floor().min(30.0) as i64;
            if is_dormant { y.max(1) } else { y }
        };

        // Size: lognormal within the channel; drives orders, claims and influence.
        let size = self.lognormal(ch.sales_median, ch.sales_sigma).max(500.0);
        let annual_sales = if is_new {
            None
        } else if is_dormant {
            Some(0.0)
        } else {
            Some(round_to(size, 2))
        };

        // Orders grow sub-linearly with size, so big customers also order bigger baskets.
        let typical_orders =
            (ch.orders_median * (size / ch.sales_median).powf(0.35) * self.lognormal(1.0, 0.25))
                .round()
                .clamp(1.0, 1500.0);
        let orders_last_12m = if is_new {
            None
        } else if is_dormant {
            Some(0)
        } else {
            Some(typical_orders as i64)
        };

        // Previous year: mostly stable, ~10% were 30%+ higher (decline), ~8% much lower (growth).
        let trend = self.uniform();
        let ratio = if trend < 0.10 {
            1.0 / (0.25 + 0.45 * self.uniform()) // last = 25%..70% of previous
        } else if trend < 0.18 {
            1.0 / (1.5 + 1.5 * self.uniform()) // last = 1.5x..3x previous
        } else {
            0.8 + 0.4 * self.uniform()
        };
        let orders_prev_12m = if years_active == 0 {
            0
        } else if is_dormant {
            // Churned: they still ordered last year.
            (typical_orders * (0.2 + 0.6 * self.uniform()))
                .round()
                .max(1.0) as i64
        } else {
            (typical_orders * ratio).round() as i64
        };

        let gross_margin_pct = round_to((ch.margin_mean + 4.0 * self.normal()).clamp(5.0, 45.0), 1);
        let avg_unit_price = round_to(self.lognormal(ch.price_median, 0.6).clamp(1.0, 200.0), 2);

        // Payment: most pay 85-100% on time, ~18% form a tail down to 0.3.
        let on_time = if self.uniform() < 0.82 {
            1.0 - 0.15 * self.uniform().powf(1.5)
        } else {
            0.85 - 0.55 * self.uniform().powi(2)
        };
        let on_time = round_to(on_time, 3);
        let on_time_unknown = is_new || self.uniform() < 0.005;
        let on_time_payment_rate = (!on_time_unknown).then_some(on_time);

        // Overdue: likelier and longer for poor payers (badness 0 = good .. 1 = worst).
        let badness = ((0.85 - on_time) / 0.55).clamp(0.0, 1.0);
        let p_overdue = if on_time >= 0.85 {
            0.15
        } else {
            0.2 + 0.6 * badness
        };
        let overdue_roll = self.uniform();
        let days = (1.0 + self.exponential(14.0 + 60.0 * badness) * self.lognormal(1.0, 0.9))
            .floor()
            .min(365.0);
        let amount_fraction = (0.1 + 0.5 * self.uniform()) * (1.0 + days / 60.0).min(3.0);
        let (overdue_days, overdue_amount) = match annual_sales {
            Some(s) if s > 0.0 && overdue_roll < p_overdue => {
                let amount = round_to(s / 12.0 * amount_fraction, 2).max(0.01);
                (days as i64, amount)
            }
            _ => (0, 0.0),
        };

        // Quality claims: Poisson, rate grows with size; ~70% have none.
        let claims_lambda = 0.36 * (size / SALES_REFERENCE).powf(0.3);
        let claims = self.poisson(claims_lambda);
        let quality_claims = match annual_sales {
            Some(s) if s > 0.0 => claims,
            _ => 0,
        };

        // Repeat purchases: loyalty grows with tenure, capped by how many orders there were.
        let loyalty = 0.35 + 0.5 * (1.0 - (-(years_active as f64) / 5.0).exp());
        let repeat = (loyalty + 0.12 * self.normal()).clamp(0.0, 1.0);
        let repeat_purchase_rate = match orders_last_12m {
            Some(n) if n > 0 => round_to(repeat.min(n as f64 / 12.0), 3),
            _ => 0.0,
        };

        // Credit score: follows payment behaviour and tenure; ~5% unrated (more among new).
        let score = 20.0
            + 60.0 * ((on_time - 0.3) / 0.7)
            + 0.6 * years_active as f64
            + 10.0 * self.normal();
        let unrated = self.uniform() < if is_new { 0.5 } else { 0.048 };
        let credit_score = (!unrated).then_some(score.round().clamp(1.0, 100.0) as i64);

        // Influence 1..5: bigger customers and key accounts rank higher.
        let influence =
            1.8 + 0.5 * (size / SALES_REFERENCE).ln() + ch.influence_bonus + 0.6 * self.normal();
        let industry_influence = influence.round().clamp(1.0, 5.0) as i64;

        Row {
            channel: ch.name,
            region,
            annual_sales,
            orders_last_12m,
            orders_prev_12m,
            gross_margin_pct,
            avg_unit_price,
            on_time_payment_rate,
            overdue_days,
            overdue_amount,
            quality_claims,
            years_active,
            repeat_purchase_rate,
            credit_score,
            industry_influence,
        }
    }

    /// Writes a plausible company name for the channel into `out`.
    fn name(&mut self, channel: &str, out: &mut String) {
        out.clear();
        out.push_str(self.pick(&PREFIXES));
        out.push(' ');
        let (nouns, suffix_chance): (&[&str], f64) = match channel {
            "KA" => (&KA_NOUNS, 0.8),
            "BC" => (&BC_NOUNS, 0.4),
            "wholesale" => (&WHOLESALE_NOUNS, 0.9),
            "special" => (&SPECIAL_NOUNS, 0.0),
            _ => (&TERMINAL_NOUNS, 0.1),
        };
        out.push_str(self.pick(nouns));
        if self.uniform() < suffix_chance {
            out.push(' ');
            out.push_str(self.pick(&COMPANY_SUFFIXES));
        }
    }
}

/// Rounds to `decimals` decimal places.
fn round_to(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (x * f).round() / f
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::types::Value;

    /// Generates `customers` rows into an in-memory database.
    fn memory_db(customers: usize, seed: u64) -> Connection {
        let conn = Connection::open_in_memory().expect("open in-memory db");
        generate_into(&conn, &SampleSpec { customers, seed }, &mut |_| {}).expect("generate");
        conn
    }

    /// All rows, every column as a generic value, in primary-key order.
    fn all_rows(conn: &Connection) -> Vec<Vec<Value>> {
        let mut stmt = conn
            .prepare("SELECT * FROM customers ORDER BY customer_id")
            .expect("prepare");
        let n = stmt.column_count();
        stmt.query_map([], |row| (0..n).map(|i| row.get::<_, Value>(i)).collect())
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    }

    /// A path in the temp dir that no other test (or run) uses.
    fn unique_temp_path(tag: &str) -> PathBuf {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        std::env::temp_dir().join(format!(
            "tierwise-sample-{tag}-{}-{nanos}-{}.db",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ))
    }

    /// Share of the total held by the top 20% of the non-NULL sales values.
    fn top20_share(conn: &Connection) -> f64 {
        let mut stmt = conn
            .prepare("SELECT annual_sales FROM customers WHERE annual_sales IS NOT NULL ORDER BY annual_sales DESC")
            .expect("prepare");
        let sales: Vec<f64> = stmt
            .query_map([], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        let total: f64 = sales.iter().sum();
        let top: f64 = sales[..sales.len() / 5].iter().sum();
        top / total
    }

    fn count(conn: &Connection, sql: &str) -> i64 {
        conn.query_row(sql, [], |r| r.get(0)).expect(sql)
    }

    #[test]
    fn same_seed_same_rows_different_seed_different_rows() {
        let a = all_rows(&memory_db(2_000, 7));
        let b = all_rows(&memory_db(2_000, 7));
        let c = all_rows(&memory_db(2_000, 8));
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn row_count_ids_and_small_sizes() {
        for n in [0, 1, 10, 1_234] {
            let conn = memory_db(n, 1);
            assert_eq!(count(&conn, "SELECT COUNT(*) FROM customers"), n as i64);
            let rows = all_rows(&conn);
            for (i, row) in rows.iter().enumerate() {
                assert_eq!(row[0], Value::Text(format!("C-{:06}", i + 1)));
            }
        }
        // Beyond six digits every id gets the same width, keeping text order = numeric order.
        let mut id = String::new();
        push_padded(&mut id, 42, 7);
        assert_eq!(id, "0000042");
        id.clear();
        push_padded(&mut id, 1_000_000, 6);
        assert_eq!(id, "1000000");
    }

    #[test]
    fn rows_are_inserted_in_primary_key_order() {
        let conn = memory_db(500, 3);
        let ids_by_rowid: Vec<String> = conn
            .prepare("SELECT customer_id FROM customers ORDER BY rowid")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .expect("ids");
        let mut sorted = ids_by_rowid.clone();
        sorted.sort();
        assert_eq!(ids_by_rowid, sorted);
    }

    #[test]
    fn progress_is_reported() {
        let conn = Connection::open_in_memory().expect("open");
        let mut calls = Vec::new();
        let spec = SampleSpec {
            customers: 25_000,
            seed: 1,
        };
        generate_into(&conn, &spec, &mut |n| calls.push(n)).expect("generate");
        assert_eq!(calls, vec![10_000, 20_000, 25_000]);
    }

    #[test]
    fn pareto_shape() {
        let share = top20_share(&memory_db(10_000, 42));
        assert!((0.70..=0.80).contains(&share), "top 20% share {share}");
        for seed in [1, 2, 3] {
            let share = top20_share(&memory_db(10_000, seed));
            assert!((0.70..=0.80).contains(&share), "seed {seed}: {share}");
        }
    }

    #[test]
    fn distribution_shares() {
        let n = 20_000.0;
        let conn = memory_db(20_000, 42);
        let frac = |sql: &str| count(&conn, sql) as f64 / n;
        let zero = frac("SELECT COUNT(*) FROM customers WHERE annual_sales = 0");
        let null = frac("SELECT COUNT(*) FROM customers WHERE annual_sales IS NULL");
        assert!((0.010..=0.020).contains(&zero), "zero sales {zero}");
        assert!((0.0025..=0.0080).contains(&null), "null sales {null}");

        let share = |c: &str| {
            frac(&format!(
                "SELECT COUNT(*) FROM customers WHERE channel = '{c}'"
            ))
        };
        for (c, expected) in [
            ("KA", 0.03),
            ("BC", 0.20),
            ("wholesale", 0.07),
            ("terminal", 0.65),
            ("special", 0.05),
        ] {
            let got = share(c);
            assert!((got - expected).abs() < 0.02, "{c}: {got}");
        }

        let no_overdue = frac("SELECT COUNT(*) FROM customers WHERE overdue_days = 0");
        assert!(
            (0.75..=0.85).contains(&no_overdue),
            "no overdue {no_overdue}"
        );
        let over60 = frac("SELECT COUNT(*) FROM customers WHERE overdue_days > 60");
        assert!((0.015..=0.045).contains(&over60), "over 60 days {over60}");
        assert!(
            count(
                &conn,
                "SELECT COUNT(*) FROM customers WHERE overdue_days > 120"
            ) > 0
        );

        let no_claims = frac("SELECT COUNT(*) FROM customers WHERE quality_claims = 0");
        assert!((0.62..=0.78).contains(&no_claims), "no claims {no_claims}");
        let unrated = frac("SELECT COUNT(*) FROM customers WHERE credit_score IS NULL");
        assert!((0.035..=0.065).contains(&unrated), "unrated {unrated}");
        let no_payment = frac("SELECT COUNT(*) FROM customers WHERE on_time_payment_rate IS NULL");
        assert!(
            (0.005..=0.015).contains(&no_payment),
            "no payment data {no_payment}"
        );
        let good_payers = frac("SELECT COUNT(*) FROM customers WHERE on_time_payment_rate >= 0.85");
        assert!(good_payers > 0.75, "good payers {good_payers}");

        // Among customers with history and orders: ~10% decline 30%+, ~8% grow strongly.
        let base = "FROM customers WHERE years_active > 0 AND orders_last_12m > 0";
        let with_history = count(&conn, &format!("SELECT COUNT(*) {base}")) as f64;
        let declining = count(
            &conn,
            &format!("SELECT COUNT(*) {base} AND orders_last_12m <= 0.7 * orders_prev_12m"),
        ) as f64
            / with_history;
        let growing = count(
            &conn,
            &format!("SELECT COUNT(*) {base} AND orders_last_12m >= 1.4 * orders_prev_12m"),
        ) as f64
            / with_history;
        assert!((0.07..=0.14).contains(&declining), "declining {declining}");
        assert!((0.05..=0.12).contains(&growing), "growing {growing}");

        // Correlations the rules rely on.
        let avg = |sql: &str| -> f64 { conn.query_row(sql, [], |r| r.get(0)).expect(sql) };
        assert!(
            avg("SELECT AVG(annual_sales) FROM customers WHERE channel = 'KA'")
                > 10.0 * avg("SELECT AVG(annual_sales) FROM customers WHERE channel = 'terminal'")
        );
        assert!(
            avg("SELECT AVG(gross_margin_pct) FROM customers WHERE channel = 'KA'")
                < avg("SELECT AVG(gross_margin_pct) FROM customers WHERE channel = 'special'")
        );
        assert!(
            avg("SELECT AVG(on_time_payment_rate) FROM customers WHERE overdue_days > 60")
                < avg("SELECT AVG(on_time_payment_rate) FROM customers WHERE overdue_days = 0")
        );
        assert!(
            avg("SELECT AVG(industry_influence) FROM customers WHERE channel = 'KA'")
                > avg("SELECT AVG(industry_influence) FROM customers WHERE channel = 'terminal'")
        );
        assert!(
            avg("SELECT AVG(repeat_purchase_rate) FROM customers WHERE years_active >= 10")
                > avg("SELECT AVG(repeat_purchase_rate) FROM customers WHERE years_active <= 1")
        );
    }

    #[test]
    fn columns_within_documented_ranges() {
        let conn = memory_db(20_000, 5);
        let violations = [
            "name IS NULL OR name = ''",
            "channel NOT IN ('KA', 'BC', 'wholesale', 'terminal', 'special')",
            "region NOT IN ('North', 'South', 'East', 'West', 'Central')",
            "annual_sales < 0 OR annual_sales <> ROUND(annual_sales, 2)",
            "(annual_sales IS NULL) <> (orders_last_12m IS NULL)",
            "annual_sales = 0 AND orders_last_12m <> 0",
            "annual_sales > 0 AND orders_last_12m < 1",
            "orders_prev_12m IS NULL OR orders_prev_12m < 0",
            "years_active = 0 AND orders_prev_12m <> 0",
            "gross_margin_pct IS NULL OR gross_margin_pct NOT BETWEEN 5 AND 45",
            "gross_margin_pct <> ROUND(gross_margin_pct, 1)",
            "avg_unit_price IS NULL OR avg_unit_price NOT BETWEEN 1 AND 200",
            "avg_unit_price <> ROUND(avg_unit_price, 2)",
            "on_time_payment_rate NOT BETWEEN 0.3 AND 1",
            "on_time_payment_rate <> ROUND(on_time_payment_rate, 3)",
            "overdue_days IS NULL OR overdue_days < 0",
            "overdue_amount IS NULL OR overdue_amount < 0",
            "(overdue_days = 0) <> (overdue_amount = 0)",
            "overdue_amount <> ROUND(overdue_amount, 2)",
            "quality_claims IS NULL OR quality_claims < 0",
            "years_active IS NULL OR years_active NOT BETWEEN 0 AND 30",
            "repeat_purchase_rate IS NULL OR repeat_purchase_rate NOT BETWEEN 0 AND 1",
            "credit_score NOT BETWEEN 1 AND 100",
            "industry_influence IS NULL OR industry_influence NOT BETWEEN 1 AND 5",
        ];
        for cond in violations {
            let bad = count(
                &conn,
                &format!("SELECT COUNT(*) FROM customers WHERE {cond}"),
            );
            assert_eq!(bad, 0, "rows violating: {cond}");
        }
        let types = conn
            .prepare("SELECT name, type FROM pragma_table_info('customers') ORDER BY cid")
            .and_then(|mut s| {
                s.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
                    .collect::<Result<Vec<_>, _>>()
            })
            .expect("table info");
        let expected = [
            ("customer_id", "TEXT"),
            ("name", "TEXT"),
            ("channel", "TEXT"),
            ("region", "TEXT"),
            ("annual_sales", "REAL"),
            ("orders_last_12m", "INTEGER"),
            ("orders_prev_12m", "INTEGER"),
            ("gross_margin_pct", "REAL"),
            ("avg_unit_price", "REAL"),
            ("on_time_payment_rate", "REAL"),
            ("overdue_days", "INTEGER"),
            ("overdue_amount", "REAL"),
            ("quality_claims", "INTEGER"),
            ("years_active", "INTEGER"),
            ("repeat_purchase_rate", "REAL"),
            ("credit_score", "INTEGER"),
            ("industry_influence", "INTEGER"),
        ];
        let got: Vec<(&str, &str)> = types
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn same_seed_gives_byte_identical_files() {
        let spec = SampleSpec {
            customers: 3_000,
            seed: 11,
        };
        let a = unique_temp_path("bytes-a");
        let b = unique_temp_path("bytes-b");
        generate(&a, &spec, &mut |_| {}).expect("generate a");
        generate(&b, &spec, &mut |_| {}).expect("generate b");
        let same = fs::read(&a).expect("read a") == fs::read(&b).expect("read b");
        fs::remove_file(&a).expect("cleanup a");
        fs::remove_file(&b).expect("cleanup b");
        assert!(same, "files differ");
    }

    #[test]
    fn generate_writes_file_and_refuses_to_overwrite() {
        let path = unique_temp_path("exists");
        let spec = SampleSpec {
            customers: 100,
            seed: 9,
        };
        generate(&path, &spec, &mut |_| {}).expect("first generation");
        let conn = Connection::open(&path).expect("open generated file");
        assert_eq!(count(&conn, "SELECT COUNT(*) FROM customers"), 100);
        assert_eq!(all_rows(&conn), all_rows(&memory_db(100, 9)));
        drop(conn);

        let before = fs::read(&path).expect("read");
        let err = generate(&path, &spec, &mut |_| {}).expect_err("must refuse");
        assert!(
            matches!(&err, SampleError::Exists(p) if p == &path),
            "{err:?}"
        );
        assert!(err.to_string().contains(&path.display().to_string()));
        assert_eq!(fs::read(&path).expect("read"), before, "file untouched");
        fs::remove_file(&path).expect("cleanup");
    }

    #[test]
    fn missing_directory_is_an_error_and_leaves_no_file() {
        let dir = unique_temp_path("missing-dir");
        let path = dir.join("sample.db");
        let spec = SampleSpec {
            customers: 10,
            seed: 1,
        };
        let err = generate(&path, &spec, &mut |_| {}).expect_err("must fail");
        assert!(matches!(err, SampleError::Write { .. }), "{err:?}");
        assert!(err.to_string().contains(&path.display().to_string()));
        assert!(!path.exists());
        assert!(!dir.exists());
    }

    /// Names of the entries of `dir`, sorted.
    fn dir_entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .expect("read_dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn success_leaves_only_the_target_file() {
        let dir = unique_temp_path("success-dir");
        fs::create_dir(&dir).expect("mkdir");
        let spec = SampleSpec {
            customers: 10,
            seed: 1,
        };
        generate(&dir.join("sample.db"), &spec, &mut |_| {}).expect("generate");
        assert_eq!(dir_entries(&dir), ["sample.db"]);
        fs::remove_dir_all(&dir).expect("cleanup");
    }

    #[test]
    fn failure_after_writing_removes_temp_file() {
        // The target appears while we generate (created from the progress callback): the
        // finished temp file must not replace it and must be cleaned up.
        let dir = unique_temp_path("race-dir");
        fs::create_dir(&dir).expect("mkdir");
        let path = dir.join("sample.db");
        let spec = SampleSpec {
            customers: 10,
            seed: 1,
        };
        let err = generate(&path, &spec, &mut |_| {
            fs::create_dir(&path).expect("create competing target");
        })
        .expect_err("must not clobber");
        assert!(matches!(err, SampleError::Exists(_)), "{err:?}");
        assert_eq!(dir_entries(&dir), ["sample.db"]);
        assert!(path.is_dir(), "the competing target is untouched");
        fs::remove_dir_all(&dir).expect("cleanup");
    }

    #[test]
    fn panic_during_generation_removes_temp_file() {
        let dir = unique_temp_path("panic-dir");
        fs::create_dir(&dir).expect("mkdir");
        let path = dir.join("sample.db");
        let spec = SampleSpec {
            customers: 20_000,
            seed: 1,
        };
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            generate(&path, &spec, &mut |_| panic!("interrupted"))
        }));
        assert!(outcome.is_err());
        assert!(dir_entries(&dir).is_empty(), "{:?}", dir_entries(&dir));
        fs::remove_dir_all(&dir).expect("cleanup");
    }

    #[test]
    fn path_without_file_name_is_rejected() {
        let err = generate(
            Path::new("/"),
            &SampleSpec {
                customers: 1,
                seed: 1,
            },
            &mut |_| {},
        )
        .expect_err("must fail");
        assert!(matches!(
            err,
            SampleError::Exists(_) | SampleError::InvalidPath(_)
        ));
    }

    #[test]
    #[ignore = "timing: cargo test --release --lib sample -- --ignored --nocapture"]
    fn time_one_million_rows() {
        let path = unique_temp_path("timing");
        let start = std::time::Instant::now();
        let spec = SampleSpec {
            customers: 1_000_000,
            seed: 42,
        };
        generate(&path, &spec, &mut |_| {}).expect("generate");
        let elapsed = start.elapsed();
        let size = fs::metadata(&path).map_or(0, |m| m.len());
        fs::remove_file(&path).expect("cleanup");
        println!("1,000,000 rows in {elapsed:?} ({size} bytes)");
    }

    #[test]
    #[ignore = "prints distribution statistics"]
    fn print_stats() {
        let conn = memory_db(10_000, 42);
        println!("top 20% share (seed 42, 10k): {:.4}", top20_share(&conn));
        let shares: Vec<String> = (0..20)
            .map(|seed| format!("{:.3}", top20_share(&memory_db(10_000, seed))))
            .collect();
        println!("top 20% share, seeds 0..20: {}", shares.join(" "));
        let mut stmt = conn
            .prepare("SELECT industry_influence, COUNT(*) FROM customers GROUP BY 1 ORDER BY 1")
            .expect("prepare");
        let hist: Vec<(i64, i64)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        println!("influence histogram: {hist:?}");
        let mut stmt = conn
            .prepare(
                "SELECT channel, COUNT(*), AVG(annual_sales), AVG(orders_last_12m), \
                 AVG(gross_margin_pct), AVG(industry_influence), AVG(quality_claims), \
                 AVG(years_active) FROM customers GROUP BY channel ORDER BY channel",
            )
            .expect("prepare");
        let rows = stmt
            .query_map([], |r| {
                Ok(format!(
                    "{:<10} n={:<5} sales={:>12.0} orders={:>6.1} margin={:>5.1} infl={:.2} claims={:.2} years={:.1}",
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, f64>(2)?,
                    r.get::<_, f64>(3)?,
                    r.get::<_, f64>(4)?,
                    r.get::<_, f64>(5)?,
                    r.get::<_, f64>(6)?,
                    r.get::<_, f64>(7)?,
                ))
            })
            .expect("query");
        for row in rows {
            println!("{}", row.expect("row"));
        }
        for sql in [
            "SELECT AVG(overdue_days = 0) FROM customers",
            "SELECT AVG(overdue_days > 60) FROM customers",
            "SELECT AVG(overdue_days > 120) FROM customers",
            "SELECT AVG(quality_claims = 0) FROM customers",
            "SELECT AVG(years_active = 0) FROM customers",
            "SELECT AVG(credit_score) FROM customers",
            "SELECT AVG(industry_influence) FROM customers",
            "SELECT AVG(repeat_purchase_rate) FROM customers",
            "SELECT AVG(on_time_payment_rate >= 0.85) FROM customers",
        ] {
            let v: f64 = conn.query_row(sql, [], |r| r.get(0)).expect(sql);
            println!("{sql}: {v:.4}");
        }
        for row in all_rows(&conn).iter().take(8) {
            println!("{row:?}");
        }
    }
}
