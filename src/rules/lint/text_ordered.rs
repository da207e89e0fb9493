//! `TW110 text-ordered`: a condition that orders text (`<`, `<=`, `>`, `>=` with a text
//! that is not a date).
//!
//! # What it does
//! Warns at a row whose condition (or grid cell) compares a name with a text by its order:
//! `rating < "BBB-"`, a grid cell `<= BBB-`.
//!
//! # Why it matters
//! Text orders letter by letter, not as the scale it names: "AAA", "A+" and "BB" all come
//! before "BBB-", so `rating < "BBB-"` holds for the best ratings and the junk ones alike,
//! and nothing fails. Texts whose letter order is the order meant are not warned about: ISO
//! dates and periods written as text (`"2025-01-01"`, `"2026-Q3"`), codes of digits
//! (`zip >= "75000"`), single letters (`grade <= "B"`), and the run's own `period`.
//!
//! # Example
//! ```yaml
//! - name: grade
//!   rules:
//!     - { id: sub-investment, when: 'rating < "BBB-"', then: { grade: 5 } }
//! ```
//! `rating` is compared with the text "BBB-" by `<`: ratings "AAA" and "BB" are both below.

use super::{Lint, Table};
use crate::diag::Diagnostic;
use crate::rules::Slot;
use crate::rules::native::{Cmp, Node};
use crate::value::Lit;

pub(super) const LINT: Lint = Lint::new("TW110", "text-ordered", check);

fn check(table: &Table) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for row in &table.rows {
        let mut found = Vec::new();
        for e in super::written_tests(row.row) {
            if let Some(native) = &e.native {
                ordered_text(&native.root, &mut found);
            }
        }
        // One warning per row: the first such comparison, not of the run's own values
        // (`period >= "2026-Q3"` orders as periods do).
        let context = |slot: Slot| {
            table.rules.slots.get(slot).map(|(_, k)| *k) == Some(crate::rules::SlotKind::Context)
        };
        let Some((cmp, slot, text)) = found.into_iter().find(|(_, slot, _)| !context(*slot)) else {
            continue;
        };
        let name = table.rules.slot_name(slot);
        let op = cmp.symbol();
        out.push(table.warn_at_condition(
            row,
            row.id,
            format!(
                "`{name}` is compared with the text \"{text}\" by `{op}`: text orders as in a dictionary, letter by letter, not as the scale its values may name (\"AAA\" and \"BB\" both come before \"BBB-\", \"10\" before \"9\")"
            ),
            format!(
                "list the values meant (`{name} in [\"...\", \"...\"]`), or give each value its position on the scale in a script function and compare those (`rank({name}) {op} rank(\"{text}\")`)"
            ),
        ));
    }
    out
}

/// Texts whose letter-by-letter order is the order meant: ISO dates and periods
/// (`2026-Q3`), codes of digits of one width (`zip >= "75000"`), a single letter
/// (`grade <= "B"`).
fn orders_as_meant(t: &str) -> bool {
    crate::time::Date::parse(t).is_some()
        || crate::time::Period::parse(t).is_ok()
        || (!t.is_empty() && t.chars().all(|c| c.is_ascii_digit()))
        || t.chars().count() == 1
}

/// The `name <op> "text"` comparisons by order in a condition, the name first, the text
/// not one whose letter order is the order meant.
fn ordered_text(node: &Node, out: &mut Vec<(Cmp, Slot, String)>) {
    let mut found = Vec::new();
    super::name_constant_comparisons(node, &mut found);
    out.extend(found.into_iter().filter_map(|(cmp, slot, lit)| match lit {
        Lit::Str(t)
            if matches!(cmp, Cmp::Lt | Cmp::Le | Cmp::Gt | Cmp::Ge) && !orders_as_meant(t) =>
        {
            Some((cmp, slot, t.to_string()))
        }
        _ => None,
    }));
}

#[cfg(test)]
mod tests {
    use super::super::tests::lint_yaml;

    const RATED: &[(&str, &str)] = &[("rating", "TEXT"), ("reviewed", "TEXT")];

    #[test]
    fn ordering_a_text_that_is_not_a_date_is_warned_once_per_row() {
        let yaml = r#"
decisions:
  - name: grade
    rules:
      - { id: junk, when: 'rating < "BBB-"', then: { grade: 5 } }
      - { id: turned, when: '"BB" >= rating || rating >= "C"', then: { grade: 4 } }
      - { id: dated, when: 'reviewed < "2025-01-01"', then: { grade: 3 } }
      - { id: equal, when: 'rating == "AAA"', then: { grade: 1 } }
      - { id: letter, when: 'rating <= "B"', then: { grade: 1 } }
      - { id: digits, when: 'rating >= "75000" && rating < "76000"', then: { grade: 1 } }
      - { id: period, when: 'period >= "2026-Q3"', then: { grade: 1 } }
      - { id: other, then: { grade: 2 } }
"#;
        assert_eq!(
            lint_yaml(yaml, RATED),
            [
                "5:28 TW110 [junk] `rating` is compared with the text \"BBB-\" by `<`: text orders as in a dictionary, letter by letter, not as the scale its values may name (\"AAA\" and \"BB\" both come before \"BBB-\", \"10\" before \"9\")",
                "6:30 TW110 [turned] `rating` is compared with the text \"BB\" by `<=`: text orders as in a dictionary, letter by letter, not as the scale its values may name (\"AAA\" and \"BB\" both come before \"BBB-\", \"10\" before \"9\")",
            ]
        );
    }
}
