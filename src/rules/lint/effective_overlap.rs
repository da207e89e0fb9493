//! `TW114 effective-overlap`: a row handed over to another of the same condition whose
//! `effective` windows share days at the hand-over.
//!
//! # What it does
//! Looks at each pair of dated rows (or bands) of a decision with the same condition, one
//! starting before the other and ending inside it: on the days between the later row's
//! first day and the earlier row's last, both are in effect for the same customers. A row
//! whose window holds the other's (a promotion inside a standing price) is not a hand-over,
//! and rows of other conditions match other customers: neither is said. Where the first
//! matching row wins or values add up, only an overlap of up to a week is said (a row
//! listed first may take the other's customers for a season on purpose); where at most one
//! row may match (`unique`), any.
//!
//! # Why it matters
//! A new row written `from:` the old row's last day (`to: 2027-03-31`, then `from:
//! 2027-03-31`) is in effect together with it on that day: the row listed first wins it
//! (a month-end close applies the old terms), a `unique` table fails every customer of the
//! row, a `collect` table adds both values. `check` said so for a day left out between the
//! two (`TW113`), not for a day given twice.
//!
//! # Example
//! ```yaml
//! rules:
//!   - { id: grace-old, effective: { to: 2027-03-31 }, value: 14 }
//!   - { id: grace-new, effective: { from: 2027-03-31 }, value: 10 }
//! ```
//! Both are in effect on 2027-03-31 (at `grace-new`).

use super::{LintRow, Table, same_condition};
use crate::diag::Diagnostic;
use crate::rules::Window;

pub(super) const LINT: super::Lint = super::Lint::new("TW114", "effective-overlap", check);

/// The longest overlap said where a row wins or values add up: a day or a week given twice
/// at a hand-over is a typo. Where at most one row may match, any overlap fails customers.
const HAND_OVER_DAYS: i64 = 7;

fn check(table: &Table) -> Vec<Diagnostic> {
    let dated: Vec<(Window, &LintRow)> = (table.rows.iter())
        .filter_map(|row| Some((row.row.effective?, row)))
        .filter(|(w, _)| !w.is_empty())
        .collect();
    let mut out = Vec::new();
    for (i, (a, row_a)) in dated.iter().enumerate() {
        for (b, row_b) in &dated[i + 1..] {
            if !same_condition(row_a, row_b) {
                continue;
            }
            // The row that starts first, ending inside the other.
            let ((early, early_row), (late, late_row)) = match a.from.cmp(&b.from) {
                std::cmp::Ordering::Greater => ((*b, *row_b), (*a, *row_a)),
                _ => ((*a, *row_a), (*b, *row_b)),
            };
            let (Some(end), Some(start)) = (early.to, late.from) else {
                continue;
            };
            let ends_inside = early.from.is_none_or(|f| f < start)
                && start <= end
                && late.to.is_none_or(|t| t > end);
            let shape = table.decision.hit.shape();
            // Where one row wins or values add up, a longer overlap may be meant (a row listed
            // first taking the other's customers for a season): a few days is a hand-over.
            if !ends_inside || (!shape.exclusive && start.days_until(end) >= HAND_OVER_DAYS) {
                continue;
            }
            let days = match start == end {
                true => format!("on {end}"),
                false => format!("from {start} to {end}"),
            };
            let first = row_a.id; // listed first
            let together = if shape.first_wins {
                format!("`{first}`, listed first, wins {days} for every customer both match")
            } else if shape.exclusive {
                format!("every customer both match fails {days}: two rows match")
            } else if shape.combines_values {
                format!("every customer both match gets both rows' values {days}")
            } else {
                format!("both rows match their customers {days}")
            };
            out.push(table.warn(
                late_row,
                late_row.id,
                format!(
                    "{noun}s `{}` and `{}` of `{}` are both in effect {days}, with the same condition: `{}` ends on {end}, `{}` starts on {start}",
                    early_row.id,
                    late_row.id,
                    table.decision.name,
                    early_row.id,
                    late_row.id,
                    noun = table.noun,
                ),
                format!(
                    "{together}: let `{}` end on {}, or `{}` start on {}",
                    early_row.id,
                    start.add_days(-1).unwrap_or(start),
                    late_row.id,
                    end.add_days(1).unwrap_or(end)
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::{X, lint_yaml_full};

    fn overlaps(yaml: &str) -> Vec<String> {
        lint_yaml_full(yaml, X)
            .into_iter()
            .filter(|l| l.contains("TW114"))
            .collect()
    }

    #[test]
    fn a_day_given_to_two_rows_of_the_same_condition() {
        let yaml = r#"
decisions:
  - name: grace
    output: grace_days
    rules:
      - { id: grace-old, effective: { to: 2027-03-31 }, value: 14 }
      - { id: grace-new, effective: { from: 2027-03-31 }, value: 10 }
  - name: limit
    hit: unique
    output: l
    rules:
      - { id: l-new, when: "x > 5", effective: { from: 2027-03-29 }, value: 2 }
      - { id: l-old, when: "x  >  5", effective: { to: 2027-03-31 }, value: 1 }
      - { id: l-low, when: "x <= 5", value: 0 }
"#;
        assert_eq!(
            overlaps(yaml),
            [
                "7:15 TW114 [grace-new] rows `grace-old` and `grace-new` of `grace` are both in effect on 2027-03-31, with the same condition: `grace-old` ends on 2027-03-31, `grace-new` starts on 2027-03-31 | help: `grace-old`, listed first, wins on 2027-03-31 for every customer both match: let `grace-old` end on 2027-03-30, or `grace-new` start on 2027-04-01",
                "12:15 TW114 [l-new] rows `l-old` and `l-new` of `limit` are both in effect from 2027-03-29 to 2027-03-31, with the same condition: `l-old` ends on 2027-03-31, `l-new` starts on 2027-03-29 | help: every customer both match fails from 2027-03-29 to 2027-03-31: two rows match: let `l-old` end on 2027-03-28, or `l-new` start on 2027-04-01",
            ]
        );
    }

    #[test]
    fn a_hand_over_a_promotion_inside_a_window_a_season_and_other_conditions_are_not() {
        let yaml = r#"
decisions:
  - name: grace
    output: grace_days
    rules:
      - { id: old, effective: { to: 2027-03-30 }, value: 14 }
      - { id: new, effective: { from: 2027-03-31 }, value: 10 }
      - { id: promo, effective: { from: 2027-05-01, to: 2027-05-31 }, value: 20 }
      - { id: big-old, when: "x > 9", effective: { to: 2027-03-31 }, value: 1 }
      - { id: small-new, when: "x > 5", effective: { from: 2027-03-31 }, value: 2 }
      - { id: season, when: "x > 1", effective: { to: 2027-10-31 }, value: 5 }
      - { id: price, when: "x > 1", effective: { from: 2027-03-01 }, value: 3 }
"#;
        assert_eq!(overlaps(yaml), Vec::<String>::new());
    }
}
