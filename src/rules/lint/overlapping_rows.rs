//! `TW103 overlapping-rows`: two rows of a `hit: unique` table that one customer can match
//! both of.
//!
//! # What it does
//! For every pair of rows, looks for a customer both conditions allow, and names one
//! (`a customer whose x is 5 and region is "north"`). Rows without `when` overlap with
//! every row; rows with the same condition overlap entirely.
//!
//! # Why it matters
//! `hit: unique` promises that at most one row matches each customer. A customer who
//! matches two stops the whole run with an error, possibly months later, when such a
//! customer first appears. Names are treated as independent, so the customer named may not
//! exist in practice (`sales_rank` is never above 1): then the rows are fine.
//!
//! # Example
//! ```yaml
//! hit: unique
//! rules:
//!   - { id: big, when: annual_sales >= 100000, then: { tier: A } }
//!   - { id: late, when: overdue_days > 60, then: { tier: C } }
//! ```
//! Rows `big` and `late` overlap: a customer whose `annual_sales` is 100000 and
//! `overdue_days` is 61 matches both.

use super::region::meet;
use super::{Lint, LintRow, RowCondition, Table};
use crate::diag::Diagnostic;
use crate::rules::Window;

pub(super) const LINT: Lint = Lint::new("TW103", "overlapping-rows", check);

fn check(table: &Table) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (j, b) in table.rows.iter().enumerate() {
        for a in &table.rows[..j] {
            let Some(detail) = overlap(table, a, b) else {
                continue;
            };
            out.push(table.warn(
                b,
                b.id,
                format!("rows `{}` and `{}` overlap: {detail}", a.id, b.id),
                "with `hit: unique` a customer who matches two rows stops the run with an error; make the conditions exclude each other, or use `hit: first`".to_owned(),
            ));
        }
    }
    out
}

/// Why rows `a` and `b` overlap, or `None` when no customer can match both (or the
/// analysis cannot tell).
fn overlap(table: &Table, a: &LintRow, b: &LintRow) -> Option<String> {
    use RowCondition::*;
    let never = |r: &LintRow| table.matched(r).is_some_and(|m| m.is_empty());
    // Rows whose `effective:` windows share no day are never in effect together.
    let window = |r: &LintRow| r.row.effective.unwrap_or(Window::ALWAYS);
    let disjoint = window(a).meet(window(b)).is_empty();
    if never(a) || never(b) || disjoint {
        return None;
    }
    match (&a.condition, &b.condition) {
        (Always, Always) => {
            return Some("neither has a `when`, so every customer matches both".into());
        }
        (Always, _) | (_, Always) => {
            let (open, other) = if matches!(a.condition, Always) {
                (a, b)
            } else {
                (b, a)
            };
            return Some(format!(
                "`{}` has no `when`, so every customer who matches `{}` matches both",
                open.id, other.id
            ));
        }
        _ => {}
    }
    if a.text.is_some() && a.text == b.text {
        return Some("they have the same condition".into());
    }
    let both = meet(&table.matched(a)?, &table.matched(b)?)?;
    let first = both.first()?;
    let example = table.example(first);
    Some(if example.is_empty() {
        "every customer matches both".into()
    } else {
        format!("a customer whose {example} matches both")
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::{X, lint_yaml};

    #[test]
    fn unique_overlapping_rows() {
        let yaml = r#"
decisions:
  - name: d
    hit: unique
    output: out
    rules:
      - { id: a, when: "x >= 5", value: 1 }
      - { id: b, when: "x < 5", value: 2 }
      - { id: c, when: "x >= 3 && region == \"north\"", value: 3 }
      - { id: e, when: "min(x, 3) > 2", value: 4 }
      - { id: f, when: "min(x, 3) > 2", value: 5 }
      - { id: g, value: 6 }
      - { id: h, when: "x > 9", effective: { to: 2026-10-31 }, value: 7 }
      - { id: i, when: "x > 9", effective: { from: 2026-11-01 }, value: 8 }
"#;
        assert_eq!(
            lint_yaml(yaml, X),
            [
                r#"9:15 TW103 [c] rows `a` and `c` overlap: a customer whose `x` is 5 and `region` is "north" matches both"#,
                r#"9:15 TW103 [c] rows `b` and `c` overlap: a customer whose `x` is 3 and `region` is "north" matches both"#,
                "11:15 TW103 [f] rows `e` and `f` overlap: they have the same condition",
                "12:15 TW103 [g] rows `a` and `g` overlap: `g` has no `when`, so every customer who matches `a` matches both",
                "12:15 TW103 [g] rows `b` and `g` overlap: `g` has no `when`, so every customer who matches `b` matches both",
                "12:15 TW103 [g] rows `c` and `g` overlap: `g` has no `when`, so every customer who matches `c` matches both",
                "12:15 TW103 [g] rows `e` and `g` overlap: `g` has no `when`, so every customer who matches `e` matches both",
                "12:15 TW103 [g] rows `f` and `g` overlap: `g` has no `when`, so every customer who matches `f` matches both",
                // `h` and `i` have the same condition, but are never in effect together.
                "13:15 TW103 [h] rows `g` and `h` overlap: `g` has no `when`, so every customer who matches `h` matches both",
                "14:15 TW103 [i] rows `g` and `i` overlap: `g` has no `when`, so every customer who matches `i` matches both",
            ]
        );
    }

    #[test]
    fn unique_disjoint_rows_are_fine() {
        let yaml = r#"
decisions:
  - name: d
    hit: unique
    output: out
    rules:
      - { id: a, when: "x >= 5", value: 1 }
      - { id: b, when: "x < 5", value: 2 }
      - { id: c, when: "is_null(x)", value: 3 }
  - name: e
    hit: unique
    rules:
      - { id: both, then: { p: 1 } }
      - { id: again, then: { p: 2 } }
"#;
        assert_eq!(
            lint_yaml(yaml, X),
            [
                "14:15 TW103 [again] rows `both` and `again` overlap: neither has a `when`, so every customer matches both"
            ]
        );
    }
}
