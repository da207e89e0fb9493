//! `config/customers.sql`, the customer source computed from the sample's order
//! history, run with rusqlite and bound parameters: hand-checked figures on a small history,
//! and the shape of the generated history over the four quarters a newcomer runs
//! (`report` prints the measurements: `cargo test --release --test customers_from_orders --
//! --ignored --nocapture`).

use rusqlite::types::Value;
use rusqlite::{Connection, named_params};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use tierwise::source::sample::{SampleSpec, generate};
use tierwise::time::{Date, Period, PeriodKind};

mod hand;
mod tour;

/// The quarter ends a newcomer runs, then the history's last day.
const TOUR: [&str; 4] = ["2025-12-31", "2026-03-31", "2026-06-30", "2026-09-30"];
const END: &str = "2026-12-31";

fn query_text() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/customers.sql");
    std::fs::read_to_string(path).expect("read the query")
}

/// One row of the query, by column name.
#[derive(Debug, Clone)]
struct Customer(HashMap<String, Value>);

impl Customer {
    fn get(&self, column: &str) -> &Value {
        self.0
            .get(column)
            .unwrap_or_else(|| panic!("no column {column}"))
    }
    fn real(&self, column: &str) -> Option<f64> {
        match self.get(column) {
            Value::Real(x) => Some(*x),
            Value::Integer(i) => Some(*i as f64),
            Value::Null => None,
            other => panic!("{column} is {other:?}"),
        }
    }
    fn int(&self, column: &str) -> Option<i64> {
        match self.get(column) {
            Value::Integer(i) => Some(*i),
            Value::Null => None,
            other => panic!("{column} is {other:?}"),
        }
    }
    fn text(&self, column: &str) -> Option<String> {
        match self.get(column) {
            Value::Text(t) => Some(t.clone()),
            Value::Null => None,
            other => panic!("{column} is {other:?}"),
        }
    }
}

/// The quarter holding `as_of`: its first and last day.
fn quarter(as_of: &str) -> (String, String) {
    let date = Date::parse(as_of).expect("a date");
    let quarter = Period::containing(PeriodKind::Quarter, date);
    (quarter.start.to_string(), quarter.end().to_string())
}

/// The customers as of `as_of` (its quarter is the period), and how long the query took.
fn customers_as_of(conn: &Connection, as_of: &str) -> (Vec<Customer>, Duration) {
    let (start, end) = quarter(as_of);
    let started = Instant::now();
    let mut stmt = conn.prepare(&query_text()).expect("prepare the query");
    let names: Vec<String> = stmt.column_names().map(|s| s.to_string()).collect();
    let rows = stmt
        .query_map(
            named_params! {":as_of": as_of, ":period_start": start, ":period_end": end},
            |row| {
                let mut map = HashMap::new();
                for (i, name) in names.iter().enumerate() {
                    map.insert(name.clone(), row.get(i)?);
                }
                Ok(Customer(map))
            },
        )
        .expect("run the query")
        .collect::<Result<Vec<_>, _>>()
        .expect("rows");
    (rows, started.elapsed())
}

/// The sample of 10,000 customers with history (seed 42), generated once per test run.
fn sample_10k() -> &'static Path {
    static PATH: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = PATH.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("sample.db");
        let spec = SampleSpec {
            customers: 10_000,
            seed: 42,
            history: true,
        };
        let started = Instant::now();
        generate(&path, &spec, &mut |_| {}).expect("generate");
        let size = std::fs::metadata(&path).map_or(0, |m| m.len());
        eprintln!(
            "generated 10,000 customers with history in {:.2?}: {:.1} MB",
            started.elapsed(),
            size as f64 / 1e6
        );
        (dir, path)
    });
    path
}

/// ABC tier by annual-sales percentile, as rules/tiers.yaml: customers without sales are
/// `dormant`; A = fewer than 20% of the ranked customers strictly above, B = fewer than 60%
/// (counted in whole numbers), so a tie and a customer straddling a boundary go up.
fn tiers(customers: &[Customer]) -> HashMap<String, &'static str> {
    let mut sales: Vec<f64> = customers
        .iter()
        .filter_map(|c| c.real("annual_sales").filter(|s| *s > 0.0))
        .collect();
    sales.sort_by(f64::total_cmp);
    customers
        .iter()
        .map(|c| {
            let id = c.text("customer_id").expect("id");
            let tier = match c.real("annual_sales").filter(|s| *s > 0.0) {
                None => "dormant",
                Some(s) => {
                    let above = sales.len() - sales.partition_point(|x| *x <= s);
                    if above * 5 < sales.len() {
                        "A"
                    } else if above * 5 < sales.len() * 3 {
                        "B"
                    } else {
                        "C"
                    }
                }
            };
            (id, tier)
        })
        .collect()
}

/// Key accounts as rules/tiers.yaml finds them: the key-account score of rules/scores.rhai
/// is 80 or more, or annual sales are 1,000,000 or more.
fn key_accounts(customers: &[Customer]) -> Vec<bool> {
    let mut sales: Vec<f64> = customers
        .iter()
        .filter_map(|c| c.real("annual_sales").filter(|s| *s > 0.0))
        .collect();
    sales.sort_by(f64::total_cmp);
    let n = sales.len() as f64;
    customers
        .iter()
        .map(|c| {
            let annual = c.real("annual_sales").filter(|s| *s > 0.0);
            let rank = annual.map_or(0.0, |s| {
                (sales.partition_point(|x| *x <= s) as f64 / n)
                    * (1.0 - 4.0 * tierwise::value::SAME_WITHIN)
            });
            let margin = c.real("gross_margin_pct").unwrap_or(0.0).clamp(0.0, 40.0) / 40.0 * 100.0;
            let collection = c.real("on_time_payment_rate").unwrap_or(0.0) * 100.0;
            let quality = (100.0 - 25.0 * c.real("quality_claims").unwrap_or(0.0)).max(0.0);
            let credit = c.real("credit_score").unwrap_or(50.0);
            let influence = (c.real("industry_influence").unwrap_or(1.0) - 1.0) * 25.0;
            let score = 0.35 * rank * 100.0
                + 0.10 * margin
                + 0.15 * collection
                + 0.10 * quality
                + 0.10 * credit
                + 0.20 * influence;
            score >= 80.0 || annual.is_some_and(|s| s >= 1_000_000.0)
        })
        .collect()
}

/// The figures a newcomer sees on a date: the warnings and the lost customers.
#[derive(Debug, Default)]
struct Warnings {
    customers: usize,
    key_accounts: usize,
    key_falling: usize,
    a_falling: usize,
    a_quiet_45: usize,
    b_quiet_60: usize,
    quiet_45: usize,
    quiet_60: usize,
    lost_180: usize,
    collection_below_85: usize,
}

fn warnings(customers: &[Customer]) -> Warnings {
    let tiers = tiers(customers);
    let key = key_accounts(customers);
    let mut w = Warnings {
        customers: customers.len(),
        ..Warnings::default()
    };
    for (c, &key) in customers.iter().zip(&key) {
        let tier = tiers[&c.text("customer_id").expect("id")];
        let quiet = c.int("days_since_last_order");
        let falling = match (c.real("sales_last_3m"), c.real("sales_last_3m_year_ago")) {
            (Some(now), Some(ago)) => ago > 0.0 && now <= 0.7 * ago,
            _ => false,
        };
        w.key_accounts += usize::from(key);
        w.key_falling += usize::from(key && falling);
        w.a_falling += usize::from(tier == "A" && falling);
        w.quiet_45 += usize::from(quiet.is_some_and(|d| d >= 45));
        w.quiet_60 += usize::from(quiet.is_some_and(|d| d >= 60));
        w.a_quiet_45 += usize::from(tier == "A" && quiet.is_some_and(|d| d >= 45));
        w.b_quiet_60 += usize::from(tier == "B" && quiet.is_some_and(|d| d >= 60));
        w.lost_180 += usize::from(quiet.is_some_and(|d| d >= 180));
        w.collection_below_85 += usize::from(c.real("collection_rate").is_some_and(|r| r < 0.85));
    }
    w
}

/// Counts of each tier.
fn tier_counts(tiers: &HashMap<String, &'static str>) -> [usize; 4] {
    let mut counts = [0; 4];
    for t in tiers.values() {
        let i = ["A", "B", "C", "dormant"]
            .iter()
            .position(|x| x == t)
            .expect("tier");
        counts[i] += 1;
    }
    counts
}

/// Customers whose tier differs between two dates (among those present on both), and how
/// many of them moved up (towards A).
fn tier_moves(
    before: &HashMap<String, &'static str>,
    after: &HashMap<String, &'static str>,
) -> (usize, usize) {
    let order = |t: &str| ["dormant", "C", "B", "A"].iter().position(|x| *x == t);
    let mut changed = 0;
    let mut up = 0;
    for (id, t) in before {
        if let Some(u) = after.get(id)
            && u != t
        {
            changed += 1;
            up += usize::from(order(u) > order(t));
        }
    }
    (changed, up)
}
