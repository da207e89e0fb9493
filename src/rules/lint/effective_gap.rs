//! `TW113 effective-gap`: days between the `effective` windows of a decision's rows on which
//! no row is in effect.
//!
//! # What it does
//! Follows the rows that have a window by their first day: a row that starts more than a
//! day after the rows before it end leaves the days between without a row. Open ends (before
//! the first row, after the last) are not gaps. Where undated rows or a `default:` give
//! customers something on those days, only a gap of up to a week is said (a hand-over's
//! typo; a pause between two promotions is meant).
//!
//! # Why it matters
//! A policy handed over from one row to the next with a day left out (`to: 2026-04-29`,
//! then `from: 2026-05-01`) gives no value on that day to any customer: a run as of the
//! month end leaves a grace period out and escalates disputed customers, and the run looks
//! like any other. `check --data` said so only when run as of that very day.
//!
//! # Example
//! ```yaml
//! rules:
//!   - { id: grace-old, effective: { to: 2026-04-29 }, value: 14 }
//!   - { id: grace-new, effective: { from: 2026-05-01 }, value: 10 }
//! ```
//! No row is in effect on 2026-04-30 (at `grace-new`).

use super::{Lint, Table};
use crate::diag::Diagnostic;

pub(super) const LINT: Lint = Lint::new("TW113", "effective-gap", check);

/// The longest gap between a dated row and its successor said where undated rows (or a
/// `default:`) give customers something on the days between: a day or a week left out of a
/// hand-over is a typo; a longer pause between two promotions is meant.
const SHORT_GAP_DAYS: i64 = 7;

fn check(table: &Table) -> Vec<Diagnostic> {
    // Outputs with a `default:` get it on such a day.
    let outputs = table.outputs_without_default();
    // With every row dated and no default, such a day gives no value at all; otherwise the
    // undated rows (or the default) take the dated rows' customers on it.
    let all_dated = table.rows.iter().all(|row| row.row.effective.is_some());
    let none_given = all_dated && !outputs.is_empty();
    let mut windows: Vec<_> = (table.rows.iter())
        .filter_map(|row| Some((row.row.effective?, row)))
        .collect();
    windows.retain(|(w, _)| !w.is_empty());
    windows.sort_by_key(|(w, _)| w.from);
    let mut out = Vec::new();
    let mut reach = None;
    let mut last_id = "";
    for (w, row) in windows {
        if let (Some(end), Some(from)) = (reach, w.from)
            && let Some(day_after) = crate::time::Date::add_days(end, 1)
            && from > day_after
        {
            let last = from.add_days(-1).unwrap_or(from);
            let days = match day_after == last {
                true => format!("on {day_after}"),
                false => format!("from {day_after} to {last}"),
            };
            // Beside undated rows or a default, only a hand-over's short gap is a mistake.
            let (which, instead) = match none_given {
                true => ("", format!("customers get no value for {outputs} {days}")),
                false => (
                    "dated ",
                    format!(
                        "{days} its customers get what the undated {}s (or a default) give instead",
                        table.noun
                    ),
                ),
            };
            if none_given || day_after.days_until(last) < SHORT_GAP_DAYS {
                out.push(table.warn(
                    row,
                    row.id,
                    format!(
                        "no {which}{} of `{}` is in effect {days}: `{last_id}` ends on {end}, `{}` starts on {from}",
                        table.noun, table.decision.name, row.id
                    ),
                    format!(
                        "{instead}: let `{last_id}` end on {}, or `{}` start on {day_after}",
                        from.add_days(-1).unwrap_or(from),
                        row.id
                    ),
                ));
            }
        }
        match (reach, w.to) {
            // A row with no end: the rest is covered.
            (_, None) => return out,
            (Some(end), Some(to)) if to <= end => {}
            (_, Some(to)) => {
                reach = Some(to);
                last_id = row.id;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::{X, lint_yaml};

    #[test]
    fn a_day_between_two_windows_has_no_row() {
        let yaml = r#"
decisions:
  - name: grace
    output: grace_days
    rules:
      - { id: grace-old, effective: { to: 2026-04-29 }, value: 14 }
      - { id: grace-new, effective: { from: 2026-05-01 }, value: 10 }
  - name: handed_over
    output: h
    rules:
      - { id: h-old, effective: { to: 2026-04-30 }, value: 1 }
      - { id: h-new, effective: { from: 2026-05-01 }, value: 2 }
  - name: defaulted
    outputs: [{ name: d, default: 0 }]
    rules:
      - { id: d-old, effective: { to: 2026-04-29 }, value: 1 }
      - { id: d-new, effective: { from: 2026-05-01 }, value: 2 }
"#;
        let gaps: Vec<String> = (lint_yaml(yaml, X).into_iter())
            .filter(|l| l.contains("TW113"))
            .collect();
        assert_eq!(
            gaps,
            [
                "7:15 TW113 [grace-new] no row of `grace` is in effect on 2026-04-30: `grace-old` ends on 2026-04-29, `grace-new` starts on 2026-05-01",
                // The default fills the day: the hand-over's day left out is still a typo.
                "17:15 TW113 [d-new] no dated row of `defaulted` is in effect on 2026-04-30: `d-old` ends on 2026-04-29, `d-new` starts on 2026-05-01",
            ]
        );
    }

    /// A regulation's successor row dated a day late, beside the default row `check` asks
    /// for: that row took the day's customers (a licence 10 days from expiry not blocked),
    /// and the gap was said only without it. Said with it; a long pause (a promotion in
    /// March, the next in June) is meant, and not said.
    #[test]
    fn a_short_gap_between_dated_rows_is_said_beside_an_undated_row() {
        let yaml = r#"
decisions:
  - name: lic
    rules:
      - { id: block-30, effective: { to: 2026-11-30 }, when: "x <= 30", then: { block: true } }
      - { id: block-45, effective: { from: 2026-12-02 }, when: "x <= 45", then: { block: true } }
      - { id: ok, then: { block: false } }
  - name: promo
    output: promo
    rules:
      - { id: spring, effective: { from: 2026-03-01, to: 2026-03-31 }, value: 2 }
      - { id: summer, effective: { from: 2026-06-01, to: 2026-06-30 }, value: 3 }
      - { id: none, value: 0 }
"#;
        let gaps: Vec<String> = (lint_yaml(yaml, X).into_iter())
            .filter(|l| l.contains("TW113"))
            .collect();
        assert_eq!(
            gaps,
            [
                "6:15 TW113 [block-45] no dated row of `lic` is in effect on 2026-12-01: `block-30` ends on 2026-11-30, `block-45` starts on 2026-12-02"
            ]
        );
    }
}
