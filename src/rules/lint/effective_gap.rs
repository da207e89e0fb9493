//! `TW113 effective-gap`: days between the `effective` windows of a decision's rows on which
//! no row is in effect.
//!
//! # What it does
//! When every row of a decision has a window, follows them by their first day: a row that
//! starts more than a day after the rows before it end leaves the days between without a
//! row. Open ends (before the first row, after the last) are not gaps.
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

fn check(table: &Table) -> Vec<Diagnostic> {
    // Outputs with a `default:` get it on such a day.
    let outputs = table.outputs_without_default();
    let windows: Option<Vec<_>> = (table.rows.iter())
        .map(|row| Some((row.row.effective?, row)))
        .collect();
    let (Some(mut windows), false) = (windows, outputs.is_empty()) else {
        return Vec::new();
    };
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
            out.push(table.warn(
                row,
                row.id,
                format!(
                    "no {} of `{}` is in effect {days}: `{last_id}` ends on {end}, `{}` starts on {from}",
                    table.noun, table.decision.name, row.id
                ),
                format!(
                    "customers get no value for {outputs} {days}: let `{last_id}` end on {}, or `{}` start on {day_after}",
                    from.add_days(-1).unwrap_or(from),
                    row.id
                ),
            ));
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
                "7:15 TW113 [grace-new] no row of `grace` is in effect on 2026-04-30: `grace-old` ends on 2026-04-29, `grace-new` starts on 2026-05-01"
            ]
        );
    }
}
