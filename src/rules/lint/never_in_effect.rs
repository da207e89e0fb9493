//! `TW109 never-in-effect`: a row whose own `effective` window does not overlap its
//! decision's or its file's, so it can never apply.
//!
//! # What it does
//! Warns, at the row's id, about each row for which no day is in its window and in the
//! windows around it.
//!
//! # Why it matters
//! The row looks like part of the policy but no run, for any date, ever applies it: usually
//! a date typed in the wrong year, or a row copied into a decision of another season.
//!
//! # Example
//! ```yaml
//! - name: summer_bonus
//!   effective: { from: 2025-06-01, to: 2025-08-31 }
//!   rules:
//!     - { id: july-extra, effective: { from: 2024-07-01, to: 2024-07-31 }, value: 1 }
//! ```
//! Row `july-extra` is for July 2024, its decision only for summer 2025.

use super::{Lint, Table};
use crate::diag::Diagnostic;

pub(super) const LINT: Lint = Lint::new("TW109", "never-in-effect", check);

fn check(table: &Table) -> Vec<Diagnostic> {
    table
        .rows
        .iter()
        .filter(|row| row.row.effective.is_some_and(|w| w.is_empty()))
        .map(|row| {
            table.warn(
                row,
                row.id,
                format!(
                    "{} `{}` is never in effect: its `effective` dates do not overlap those of its decision or file",
                    table.noun, row.id
                ),
                "check the years of the dates, or move the row to the decision it belongs to"
                    .into(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::tests::{X, lint_yaml};

    #[test]
    fn a_row_outside_its_decisions_window_never_applies() {
        let yaml = r#"
decisions:
  - name: d
    output: out
    effective: { from: 2025-06-01, to: 2025-08-31 }
    rules:
      - { id: wrong-year, when: "x > 1", effective: { from: 2024-07-01, to: 2024-07-31 }, value: 1 }
      - { id: inside, when: "x > 1", effective: { from: 2025-07-01, to: 2025-07-31 }, value: 2 }
"#;
        let warnings = lint_yaml(yaml, X);
        let never: Vec<&String> = warnings.iter().filter(|w| w.contains("TW109")).collect();
        assert_eq!(never.len(), 1, "{warnings:?}");
        assert!(
            never[0].contains("[wrong-year] row `wrong-year` is never in effect"),
            "{}",
            never[0]
        );
    }
}
