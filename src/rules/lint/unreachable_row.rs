//! `TW101 unreachable-row`: a row of a `hit: first` table that the rows above it always
//! match first.
//!
//! # What it does
//! Follows the rows from the top, keeping the customers no row above has matched yet, and
//! warns about a row none of whose customers is left: a row without `when` above it, a row
//! above with the same condition, or rows above that together match everyone it matches.
//! Applies to the bands of a range scale with `hit: first` too. A row that no customer can
//! satisfy at all is left to `never-true-row` (TW102): rows above are not its problem.
//!
//! # Why it matters
//! With `hit: first` the first matching row wins, so the row's values are never given: the
//! admin who wrote it expects some customers to get them. Usually a broader row was put
//! before a narrower one.
//!
//! # Example
//! ```yaml
//! rules:
//!   - { id: big, when: annual_sales >= 100000, then: { tier: B } }
//!   - { id: huge, when: annual_sales >= 1000000, then: { tier: A } }
//! ```
//! `huge` can never match: every customer it matches already matches row `big` above. Put
//! `huge` first.

use super::keyed::KeyIndex;
use super::region::{Region, meet, minus};
use super::{Lint, LintRow, RowCondition, Table};
use crate::diag::Diagnostic;
use crate::rules::Window;

pub(super) const LINT: Lint = Lint::new("TW101", "unreachable-row", check);

fn check(table: &Table) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let noun = table.noun;
    // Over-approximates the customers no row above matches.
    let mut uncovered: Region = vec![table.universe.clone()];
    // Whether `uncovered` is exact: once too large to follow, a row it seems to leave
    // customers to is compared with the rows above that share its key texts.
    let mut exact = true;
    let index = KeyIndex::new(&table.rows);
    let mut always: Option<&LintRow> = None;
    for (j, row) in table.rows.iter().enumerate() {
        let above = &table.rows[..j];
        // The same condition shadows the row only where the row above is in effect: two
        // rows that differ by their `effective:` dates (a rate changing on 1 November)
        // each apply in their own window.
        let same_text = row.text.as_ref().and_then(|t| {
            let window = |r: &LintRow| r.row.effective.unwrap_or(Window::ALWAYS);
            (above.iter()).find(|a| a.text.as_ref() == Some(t) && window(a).covers(window(row)))
        });
        let matched = table.matched(row);
        let reason = if matched.as_ref().is_some_and(Vec::is_empty) {
            None // never-true-row (TW102) reports it
        } else if let Some(a) = always {
            Some(format!("{noun} `{}` above always matches", a.id))
        } else if let Some(a) = same_text {
            Some(format!("{noun} `{}` above has the same condition", a.id))
        } else if uncovered.is_empty() {
            Some(format!("the {noun}s above already match every customer"))
        } else if let Some(mine) = &matched
            && meet(mine, &uncovered).is_some_and(|r| r.is_empty())
        {
            Some(covered_by(table, mine, &above.iter().collect::<Vec<_>>()))
        } else if let (false, Some(index), Some(mine)) = (exact, &index, &matched) {
            let sharing: Vec<&LintRow> = index.above(j).iter().map(|&k| &above[k]).collect();
            let mut known = sharing.iter().filter_map(|a| match &a.condition {
                RowCondition::Known(r) => Some(r),
                _ => None,
            });
            let left = known.try_fold(mine.clone(), |left, r| minus(&left, r));
            left.is_some_and(|l| l.is_empty())
                .then(|| covered_by(table, mine, &sharing))
        } else {
            None
        };
        if let Some(reason) = reason {
            let help = if always.is_some() {
                format!(
                    "{noun}s are tried from the top and the first match wins; a {noun} without `when` matches everyone, so move `{}` above it or delete it",
                    row.id
                )
            } else {
                format!(
                    "{noun}s are tried from the top and the first match wins: put a narrower {noun} before a broader one, or delete `{}`{}",
                    row.id,
                    merged_hint(row, above)
                )
            };
            out.push(table.warn(
                row,
                row.id,
                format!("{noun} `{}` can never match: {reason}", row.id),
                help,
            ));
        }
        match &row.condition {
            RowCondition::Always => {
                always = always.or(Some(row));
                uncovered.clear();
            }
            // When too large, keep the larger set: still an over-approximation (and no
            // longer worth computing: it was too large, it only grows).
            RowCondition::Known(r) if exact => match minus(&uncovered, r) {
                Some(rest) => uncovered = rest,
                None => exact = false,
            },
            RowCondition::Known(_) | RowCondition::Unknown => {}
        }
    }
    out
}

/// Why `mine` is covered by the rows above: one row, or several together.
fn covered_by(table: &Table, mine: &Region, above: &[&LintRow]) -> String {
    let noun = table.noun;
    let known = |a: &&&LintRow| matches!(a.condition, RowCondition::Known(_));
    let region = |a: &LintRow| match &a.condition {
        RowCondition::Known(r) => r.clone(),
        _ => Vec::new(),
    };
    if let Some(a) = above
        .iter()
        .filter(known)
        .find(|a| minus(mine, &region(a)).is_some_and(|r| r.is_empty()))
    {
        return format!(
            "every customer it matches already matches {noun} `{}` above",
            a.id
        );
    }
    let ids: Vec<String> = above
        .iter()
        .filter(known)
        .filter(|a| meet(mine, &region(a)).is_none_or(|r| !r.is_empty()))
        .map(|a| format!("`{}`", a.id))
        .collect();
    format!(
        "every customer it matches already matches one of the {noun}s {} above",
        ids.join(", ")
    )
}

/// When the row leaves an input cell empty (any value) where the row above has one: most
/// likely cells merged in a spreadsheet, which keeps the value in the first row only.
fn merged_hint(row: &LintRow, above: &[LintRow]) -> String {
    let (Some(cells), Some(last)) = (&row.row.cells, above.last()) else {
        return String::new();
    };
    let Some(over) = &last.row.cells else {
        return String::new();
    };
    let merged = (cells.iter().zip(over))
        .find(|(mine, theirs)| mine.test.is_none() && theirs.test.is_some());
    match merged {
        Some((cell, _)) => format!(
            "; its `{}` cell is empty, which means any value: a cell merged over several rows in a spreadsheet keeps its value in the first row only, so write it in every row",
            cell.column
        ),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{X, lint_yaml};

    #[test]
    fn first_row_after_an_unconditional_row() {
        let yaml = r#"
decisions:
  - name: d
    output: out
    rules:
      - { id: a, when: "x >= 5", value: 1 }
      - { id: b, value: 2 }
      - { id: c, when: "x < 1", value: 3 }
      - { id: e, value: 4 }
"#;
        assert_eq!(
            lint_yaml(yaml, X),
            [
                "8:15 TW101 [c] row `c` can never match: row `b` above always matches",
                "9:15 TW101 [e] row `e` can never match: row `b` above always matches",
            ]
        );
    }

    #[test]
    fn first_row_implied_by_an_earlier_row() {
        let yaml = r#"
decisions:
  - name: d
    output: out
    rules:
      - { id: broad, when: "x >= 0.3", value: 1 }
      - { id: narrow, when: "x >= 0.4", value: 2 }
      - { id: both, when: "x >= 0.5 && region == \"north\"", value: 3 }
      - { id: weak, when: "(y ?? 0) < 40", value: 4 }
      - { id: weaker, when: "y < 30 || is_null(y)", value: 5 }
      - { id: not-null, when: "y != ()", value: 6 }
      - { id: rest, value: 7 }
"#;
        assert_eq!(
            lint_yaml(yaml, X),
            [
                "7:15 TW101 [narrow] row `narrow` can never match: every customer it matches already matches row `broad` above",
                "8:15 TW101 [both] row `both` can never match: every customer it matches already matches row `broad` above",
                "10:15 TW101 [weaker] row `weaker` can never match: every customer it matches already matches row `weak` above",
                // `(y ?? 0) < 40` takes the NULLs, `y != ()` everyone else.
                "12:15 TW101 [rest] row `rest` can never match: the rows above already match every customer",
            ]
        );
    }

    /// An override sheet: a row per customer id. Past a few hundred ids the customers no row
    /// above matches are too many to follow; a row shadowed by an earlier one of its id is
    /// still found (by the rows sharing its id), and the analysis stays fast.
    #[test]
    fn first_an_override_shadowed_far_down_a_long_sheet_is_found() {
        let mut yaml = "decisions:\n  - name: d\n    output: out\n    rules:\n".to_owned();
        for k in 0..600 {
            yaml.push_str(&format!(
                "      - {{ id: o{k}, when: 'region == \"C-{k}\"', value: {k} }}\n"
            ));
        }
        yaml.push_str("      - { id: late, when: 'region == \"C-500\" && x > 5', value: 1 }\n");
        yaml.push_str("      - { id: fine, when: 'region == \"C-9999\" && x > 5', value: 1 }\n");
        assert_eq!(
            lint_yaml(&yaml, X),
            [
                "605:15 TW101 [late] row `late` can never match: every customer it matches already matches row `o500` above",
                // With 600 ids and more, the example customer is no longer followed.
                "606:15 TW106 [d] some customers may get no value for `out`: add a last row without `when`",
            ]
        );
    }

    #[test]
    fn first_row_covered_by_several_rows_but_null_still_reaches_the_last() {
        // `x >= 5` then `x < 5` leaves NULL customers: the last row is reachable.
        let yaml = r#"
decisions:
  - name: d
    output: out
    rules:
      - { id: high, when: "x >= 5", value: 1 }
      - { id: low, when: "x < 5", value: 2 }
      - { id: middle, when: "x >= 3 && x < 8", value: 3 }
      - { id: either, when: "x < 0 || x > 10", value: 4 }
      - { id: rest, value: 5 }
"#;
        assert_eq!(
            lint_yaml(yaml, X),
            [
                "8:15 TW101 [middle] row `middle` can never match: every customer it matches already matches one of the rows `high`, `low` above",
                "9:15 TW101 [either] row `either` can never match: every customer it matches already matches one of the rows `high`, `low` above",
            ]
        );
    }

    #[test]
    fn first_same_condition_twice() {
        // The analysis cannot read `min(x, 3) > 2`, but it can compare the text.
        let yaml = r#"
decisions:
  - name: d
    output: out
    rules:
      - { id: a, when: "min(x, 3) > 2", value: 1 }
      - { id: b, when: "min(x,  3) > 2", value: 2 }
      - { id: rest, value: 4 }
"#;
        assert_eq!(
            lint_yaml(yaml, X),
            ["7:15 TW101 [b] row `b` can never match: row `a` above has the same condition"]
        );
    }

    #[test]
    fn first_same_condition_in_another_window_is_reachable() {
        // A rate that changes on 1 November: each row applies in its own window. A row in
        // effect for the whole of the later row's window still shadows it.
        let yaml = r#"
decisions:
  - name: d
    output: out
    rules:
      - { id: old, when: "x > 2", effective: { to: 2026-10-31 }, value: 3.0 }
      - { id: new, when: "x > 2", effective: { from: 2026-11-01 }, value: 3.5 }
      - { id: year, when: "x > 2", effective: { from: 2026-01-01 }, value: 4 }
      - { id: always, when: "x > 2", value: 1 }
      - { id: late, when: "x > 2", effective: { from: 2027-01-01, to: 2027-12-31 }, value: 2 }
      - { id: rest, value: 0 }
"#;
        assert_eq!(
            lint_yaml(yaml, X),
            [
                "10:15 TW101 [late] row `late` can never match: row `new` above has the same condition"
            ]
        );
    }
}
