//! What a table written as a grid costs against the same table written with `when:` rows:
//! payment terms over six inputs, eight rows, `hit: first`, the `when:` conditions written in
//! the grid's column order (a grid tests its cells left to right, and `&&` stops at the first
//! that fails). A grid is lowered to the same kind of condition a `when:` row has, so the two
//! should cost the same; this measures it on
//! the sample's customers, one thread, interleaved rounds, and checks that every customer
//! gets the same outputs and rule ids from both.

use super::script::load;
use crate::engine::{Evaluator, Outcomes};
use crate::error::Error;
use crate::rules::{self, RuleSet};
use crate::source::{CustomerSource, SqliteSource};
use serde::Serialize;
use std::path::Path;
use std::time::Instant;

const WHEN_RULES: &str = r#"
decisions:
  - name: terms
    rules:
      - { id: t-blocked, when: 'overdue_days > 90', then: { payment_days: 0, terms: cash } }
      - { id: t-new-weak, when: 'years_active == 0 && credit_score < 40', then: { payment_days: 0, terms: cash } }
      - { id: t-ka-stable, when: 'years_active >= 5 && channel == "KA" && on_time_payment_rate >= 0.95', then: { payment_days: 60, terms: extended } }
      - { id: t-ka, when: 'channel == "KA"', then: { payment_days: 45, terms: standard } }
      - { id: t-big-prompt, when: 'on_time_payment_rate >= 0.9 && annual_sales >= 250000', then: { payment_days: 45, terms: standard } }
      - { id: t-wholesale, when: 'channel == "wholesale" || channel == "BC"', then: { payment_days: 30, terms: standard } }
      - { id: t-mid, when: 'overdue_days <= 30 && annual_sales >= 50000 && annual_sales < 250000', then: { payment_days: 30, terms: standard } }
      - { id: t-rest, then: { payment_days: 15, terms: short } }
"#;

const GRID_RULES: &str = r#"
decisions:
  - name: terms
    outputs: [payment_days, terms]
    grid: |
      id           | overdue_days | years_active | credit_score | channel          | on_time_payment_rate | annual_sales      | payment_days | terms
      t-blocked    | > 90         | -            | -            | -                | -                    | -                 | 0            | cash
      t-new-weak   | -            | 0            | < 40         | -                | -                    | -                 | 0            | cash
      t-ka-stable  | -            | >= 5         | -            | KA               | >= 0.95              | -                 | 60           | extended
      t-ka         | -            | -            | -            | KA               | -                    | -                 | 45           | standard
      t-big-prompt | -            | -            | -            | -                | >= 0.9               | >= 250000         | 45           | standard
      t-wholesale  | -            | -            | -            | wholesale, BC    | -                    | -                 | 30           | standard
      t-mid        | <= 30        | -            | -            | -                | -                    | [50000..250000)   | 30           | standard
      t-rest       | -            | -            | -            | -                | -                    | -                 | 15           | short
"#;

/// Medians of the grid and the `when:` form of one table, one thread.
#[derive(Debug, Default, Serialize)]
pub struct GridTimings {
    pub when_rows: f64,
    pub grid: f64,
    /// Customers whose outputs or rule ids differ between the two (0, or the comparison
    /// means nothing).
    pub mismatches: usize,
}

impl GridTimings {
    pub fn ratio(&self) -> f64 {
        self.grid / self.when_rows.max(1e-9)
    }
}

/// Times both `rounds` times, interleaved, on the customers of `db`; the medians.
pub(super) fn time_grid(db: &Path, work: &Path, rounds: usize) -> Result<GridTimings, Error> {
    let source = SqliteSource::open(db, &crate::config::Source::Table("customers".into()))?;
    let when_rules = load(&source, work, &[("terms.yaml", WHEN_RULES)])?;
    let grid_rules = load(&source, work, &[("terms.yaml", GRID_RULES)])?;
    let data = source.read(
        "customer_id",
        Some(&when_rules.loaded_fields()),
        &mut |_| {},
    )?;
    let when_eval = Evaluator::new(&when_rules, &data, super::context())?;
    let grid_eval = Evaluator::new(&grid_rules, &data, super::context())?;
    let one_thread = crate::threads::pool(1, "bench-grid").map_err(|e| Error::Io {
        what: "cannot start a thread pool".into(),
        source: std::io::Error::other(e),
    })?;
    let (mut when_times, mut grid_times) = (Vec::new(), Vec::new());
    let mut mismatches = 0;
    for _ in 0..rounds.max(1) {
        let start = Instant::now();
        let by_rows = one_thread.install(|| when_eval.evaluate(0..data.len))?.0;
        when_times.push(start.elapsed().as_secs_f64());
        let start = Instant::now();
        let by_grid = one_thread.install(|| grid_eval.evaluate(0..data.len))?.0;
        grid_times.push(start.elapsed().as_secs_f64());
        mismatches = count_mismatches(&when_rules, &by_rows, &grid_rules, &by_grid);
    }
    Ok(GridTimings {
        when_rows: super::median(when_times),
        grid: super::median(grid_times),
        mismatches,
    })
}

/// Customers whose outputs or fired rule ids differ between the two forms.
fn count_mismatches(
    a_rules: &RuleSet,
    a: &Outcomes<'_>,
    b_rules: &RuleSet,
    b: &Outcomes<'_>,
) -> usize {
    let ids = |rules: &RuleSet, fired: &[rules::RuleIdx]| -> Vec<String> {
        fired
            .iter()
            .map(|&r| rules.rule_ids[r as usize].clone())
            .collect()
    };
    (0..a.len().min(b.len()))
        .filter(|&k| {
            let (x, y) = (a.get(k), b.get(k));
            let same_values = x.outputs.len() == y.outputs.len()
                && x.outputs
                    .iter()
                    .zip(y.outputs)
                    .all(|(p, q)| p.to_json() == q.to_json());
            !same_values || ids(a_rules, x.fired) != ids(b_rules, y.fired)
        })
        .count()
        + a.len().abs_diff(b.len())
}
