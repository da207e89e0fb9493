//! A `switch` on a column that holds text for some customers and numbers for others (a
//! column declaring no type keeps each value as written: `'9'` beside `9`). A case finds
//! only values of its own kind, so `9 =>` and `9..=10 =>` never match the text "9", and
//! those customers fall through to `_` without a word. `==` on such a column stops the run
//! at the first customer of the other kind; a switch would not, so its cases are checked
//! against the kinds the column holds before anyone is evaluated.

use super::operations::{Operand, Operation, SWITCH_CASE, SWITCH_RANGE};
use crate::diag::Diagnostic;
use crate::rules::{RuleSet, SlotKind};
use crate::source::{Column, Dataset};
use rhai::Dynamic;
use std::collections::HashSet;

/// How many values of each kind a mixed column holds, with an example of its text.
#[derive(Default)]
struct Tally {
    text: usize,
    example: Option<String>,
    whole: usize,
    decimal: usize,
    other: usize,
}

impl Tally {
    fn of(values: &[Dynamic]) -> Tally {
        let mut t = Tally::default();
        for v in values {
            if v.is_unit() {
                continue;
            } else if v.is_string() {
                t.text += 1;
                t.example.get_or_insert_with(|| v.to_string());
            } else if v.is_int() {
                t.whole += 1;
            } else if v.is_float() {
                t.decimal += 1;
            } else {
                t.other += 1;
            }
        }
        t
    }

    /// The values a case never matches: how many, and of which kind in words.
    fn missed_by(&self, case: &Dynamic, exact: bool) -> Option<(usize, String)> {
        let text = || {
            let example = self.example.as_deref().unwrap_or_default();
            (self.text, format!("text (such as \"{example}\")"))
        };
        let (n, what) = if case.is_string() {
            (self.whole + self.decimal, "numbers".to_owned())
        } else if case.is_int() && exact && self.text == 0 {
            (
                self.decimal,
                "decimals (a whole-number case never matches 9.0)".into(),
            )
        } else if case.is_float() && exact && self.text == 0 {
            (self.whole, "whole numbers".into())
        } else if case.is_int() || case.is_float() {
            text()
        } else {
            return None;
        };
        (n > 0).then_some((n, what))
    }
}

/// The error for the first case of each switch on a mixed column that misses some of its
/// values.
pub(super) fn cases_on_mixed_columns(set: &RuleSet, data: &Dataset) -> Vec<Diagnostic> {
    let mut reported = HashSet::new();
    let mut found = Vec::new();
    for op in &set.operations {
        let exact = op.op == SWITCH_CASE;
        if !exact && op.op != SWITCH_RANGE {
            continue;
        }
        let [Operand::Slot { slot, .. }, Operand::Const(case)] = &op.operands else {
            continue;
        };
        let (Some((name, SlotKind::Field)), Some(Column::Mixed(values))) =
            (set.slots.get(*slot), data.columns.get(*slot))
        else {
            continue;
        };
        // One error per switch (its cases share the rule and the name).
        if reported.contains(&(&op.file.path, &op.owner, *slot)) {
            continue;
        }
        let Some((n, what)) = Tally::of(values).missed_by(case, exact) else {
            continue;
        };
        reported.insert((&op.file.path, &op.owner, *slot));
        found.push(error(op, name, case, n, &what));
    }
    found
}

fn error(op: &Operation, name: &str, case: &Dynamic, n: usize, what: &str) -> Diagnostic {
    let customers = if n == 1 { "customer" } else { "customers" };
    let shown = if case.is_string() {
        format!("\"{case}\"")
    } else {
        case.to_string()
    };
    let mut d = Diagnostic::error(
        &op.file,
        op.line,
        op.column,
        format!(
            "field `{name}` holds {what} for {n} {customers} and other kinds for the others (its column declares no type); a switch case finds only values of its own kind: the case `{shown}` never matches those {n}, and they fall through to the switch's other cases"
        ),
    )
    .rule(op.owner.clone())
    .help(format!(
        "make the column one kind: `CAST({name} AS REAL) AS {name}` in the customers query, or switch on `parse_float({name})` (numbers kept, text read as a number, NULL stays NULL) with range cases such as `9..=10`"
    ));
    d.width = shown.chars().count();
    op.passed(d)
}
