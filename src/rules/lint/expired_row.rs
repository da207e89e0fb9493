//! `TW108 expired-row`: a row whose `effective` window (its own, its decision's or its
//! file's) ended before today.
//!
//! # What it does
//! Warns, at the row's id, about each row that is no longer in effect as of the day `check`
//! runs.
//!
//! # Why it matters
//! A promotion that ended stays in the rule files, where it is read as if it applied: it
//! takes a place in the table, and a reader has to check its dates to know it no longer
//! counts. (A run for a past date still applies it: backfills and `--as-of` are why it is a
//! warning, not an error.)
//!
//! # Example
//! ```yaml
//! - { id: spring-promo, effective: { from: 2025-03-01, to: 2025-04-30 }, value: 2.0 }
//! ```
//! Checked on 2025-06-01: row `spring-promo` expired on 2025-04-30.

use super::{Lint, Table};
use crate::diag::Diagnostic;

pub(super) const LINT: Lint = Lint::new("TW108", "expired-row", check);

fn check(table: &Table) -> Vec<Diagnostic> {
    table
        .rows
        .iter()
        .filter_map(|row| {
            let window = row.row.effective?;
            let end = window.to?;
            (!window.is_empty() && end < table.today).then(|| {
                table.warn(
                    row,
                    row.id,
                    format!(
                        "{} `{}` expired on {end}: it is no longer in effect",
                        table.noun, row.id
                    ),
                    "remove it once no run for an earlier date needs it (runs as of a date in its window still apply it)".into(),
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::tests::{X, lint_yaml};

    #[test]
    fn a_window_that_ended_before_today_is_expired() {
        let yaml = r#"
decisions:
  - name: d
    output: out
    rules:
      - { id: old, when: "x > 1", effective: { from: 2020-01-01, to: 2020-12-31 }, value: 1 }
      - { id: open, when: "x > 2", effective: { from: 2020-01-01 }, value: 2 }
      - { id: future, when: "x > 3", effective: { to: 2999-12-31 }, value: 3 }
      - { id: rest, value: 0 }
"#;
        let warnings = lint_yaml(yaml, X);
        let expired: Vec<&String> = warnings.iter().filter(|w| w.contains("TW108")).collect();
        assert_eq!(expired.len(), 1, "{warnings:?}");
        assert!(
            expired[0].starts_with("6:15 TW108 [old] row `old` expired on 2020-12-31"),
            "{}",
            expired[0]
        );
    }
}
