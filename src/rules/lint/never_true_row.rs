//! `TW102 never-true-row`: a row whose condition no customer can satisfy.
//!
//! # What it does
//! Warns about a row whose comparisons contradict each other (`x > 5 && x < 3`), or that
//! asks for a value an earlier decision never gives (`tier == "D"` when `tier` is always
//! A, B or C), or a value outside a population figure's range (`sales_pct >= 80` on a
//! percentile, which is between 0 and 1). Runs on every table; under `hit: first` it takes precedence over
//! `unreachable-row` (TW101), since no order of the rows would help.
//!
//! # Why it matters
//! The row is dead: its values are never given and, under `hit: collect`, never added up.
//! It is almost always a typo in a bound or in a value (`<` for `>`, `"Gold"` for `"gold"`).
//!
//! # Example
//! ```yaml
//! hit: collect
//! rules:
//!   - { id: mid, when: annual_sales > 50000 && annual_sales < 10000, value: 2 }
//! ```
//! `mid` can never match: no customer can satisfy its condition.

use super::{Lint, RowCondition, Table};
use crate::diag::Diagnostic;

pub(super) const LINT: Lint = Lint::new("TW102", "never-true-row", check);

fn check(table: &Table) -> Vec<Diagnostic> {
    table
        .rows
        .iter()
        .filter(|row| {
            matches!(row.condition, RowCondition::Known(_))
                && table.matched(row).is_some_and(|r| r.is_empty())
        })
        .map(|row| {
            let help = match table.ruled_out_by(row) {
                Some(holds) => format!("{holds}; no such value satisfies the condition"),
                None => "its comparisons contradict each other, or ask for a value that is never \
                         given"
                    .to_owned(),
            };
            table.warn_at_condition(
                row,
                row.id,
                format!(
                    "{} `{}` can never match: no customer can satisfy its condition",
                    table.noun, row.id
                ),
                help,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::tests::{X, lint_yaml};

    #[test]
    fn contradictions_under_every_hit_policy() {
        // Under `first`, `c` also comes after a row without `when`: the contradiction is
        // the one warning.
        let yaml = r#"
decisions:
  - name: tier
    rules:
      - { id: tier-a, when: "x >= 0.8", then: { tier: A } }
      - { id: tier-b, then: { tier: B } }
      - { id: c, when: "x > 5 && x < 3", then: { tier: C } }
  - name: d
    hit: unique
    output: out
    rules:
      - { id: never, when: "x > 5 && x < 3", value: 1 }
      - { id: rest, when: "!(x > 5 && x < 3)", value: 2 }
  - name: flags
    hit: collect
    output: flags
    aggregate: sum
    rules:
      - { id: flag-d, when: 'tier == "D"', value: 1 }
      - { id: flag-a, when: 'tier == "A"', value: 1 }
"#;
        assert_eq!(
            lint_yaml(yaml, X),
            [
                "7:25 TW102 [c] row `c` can never match: no customer can satisfy its condition",
                "12:29 TW102 [never] row `never` can never match: no customer can satisfy its condition",
                "19:30 TW102 [flag-d] row `flag-d` can never match: no customer can satisfy its condition",
            ]
        );
    }

    #[test]
    fn values_outside_a_figures_range_and_outside_earlier_outputs() {
        let yaml = r#"
population:
  pct: { percentile_of: x }
  pos: { rank_of: x }
  part: { share_of: x }
  quintile: { ntile_of: x, n: 5 }
decisions:
  - name: tier
    hit: collect
    output: n
    aggregate: sum
    rules:
      - { id: pct-80, when: "pct >= 80", value: 1 }
      - { id: pct-1, when: "pct >= 1.0", value: 1 }
      - { id: pct-ok, when: "pct >= 0.8", value: 1 }
      - { id: rank-0, when: "pos < 1", value: 1 }
      - { id: rank-ok, when: "pos <= 10", value: 1 }
      - { id: share-any, when: "part > 1", value: 1 }
      - { id: tile-6, when: "quintile >= 6", value: 1 }
      - { id: tile-5, when: "quintile == 5", value: 1 }
"#;
        assert_eq!(
            lint_yaml(yaml, X),
            [
                "13:30 TW102 [pct-80] row `pct-80` can never match: no customer can satisfy its condition",
                "14:29 TW102 [pct-1] row `pct-1` can never match: no customer can satisfy its condition",
                "16:30 TW102 [rank-0] row `rank-0` can never match: no customer can satisfy its condition",
                "19:30 TW102 [tile-6] row `tile-6` can never match: no customer can satisfy its condition",
            ]
        );
    }
}
