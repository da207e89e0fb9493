//! A `switch` on a column that holds text for some customers and numbers for others (a
//! column declaring no type keeps each value as written: `'9'` beside `9`). A case finds
//! only values of its own kind, so `9 =>` and `9..=10 =>` never match the text "9", and
//! those customers fall through to `_` without a word. `==` on such a column stops the run
//! at the first customer of the other kind; a switch would not, so its cases are checked
//! against the kinds the column holds before anyone is evaluated: a kind of value that no
//! case of the switch can match is an error (`9 | "9" =>` handles both, and is fine).

use super::operations::{Operand, Operation, SWITCH_CASE, SWITCH_RANGE};
use crate::diag::Diagnostic;
use crate::rules::{RuleSet, SlotKind};
use crate::source::{Column, Dataset};
use rhai::Dynamic;
use std::path::Path;

/// How many values of each kind a mixed column holds, with an example of its text.
#[derive(Default)]
struct Tally {
    text: usize,
    example: Option<String>,
    whole: usize,
    decimal: usize,
}

impl Tally {
    fn of(values: &[Dynamic]) -> Tally {
        let mut t = Tally::default();
        for v in values {
            if v.is_string() {
                t.text += 1;
                t.example.get_or_insert_with(|| v.to_string());
            } else if v.is_int() {
                t.whole += 1;
            } else if v.is_float() {
                t.decimal += 1;
            }
        }
        t
    }

    /// The values no case of a switch can match: how many, and of which kind in words.
    fn missed_by(&self, cases: &Cases) -> Option<(usize, String)> {
        if self.text > 0 && !cases.text {
            let example = self.example.as_deref().unwrap_or_default();
            return Some((self.text, format!("text (such as \"{example}\")")));
        }
        if self.whole + self.decimal > 0 && !(cases.whole || cases.decimal) {
            return Some((self.whole + self.decimal, "numbers".into()));
        }
        if self.decimal > 0 && !cases.decimal {
            let what = "decimals (a whole-number case never matches 9.0)";
            return Some((self.decimal, what.into()));
        }
        None
    }
}

/// The kinds of value some case of a switch matches.
#[derive(Default)]
struct Cases {
    text: bool,
    whole: bool,
    decimal: bool,
}

impl Cases {
    fn add(&mut self, case: &Dynamic, exact: bool) {
        // A range (`1..=3`) matches whole and decimal numbers alike.
        let number = case.is_int() || case.is_float();
        self.text |= case.is_string();
        self.whole |= number && (!exact || case.is_int());
        self.decimal |= number && (!exact || case.is_float());
    }
}

/// The error for each switch on a mixed column that some of its values can match no case
/// of, at the switch's first case. The cases of one switch share the rule and the name.
pub(super) fn cases_on_mixed_columns(set: &RuleSet, data: &Dataset) -> Vec<Diagnostic> {
    type Switch<'s> = ((&'s Path, &'s str, usize), &'s Operation, Cases);
    let mut switches: Vec<Switch<'_>> = Vec::new();
    for op in &set.operations {
        let exact = op.op == SWITCH_CASE;
        if !exact && op.op != SWITCH_RANGE {
            continue;
        }
        let [Operand::Slot { slot, .. }, Operand::Const(case)] = &op.operands else {
            continue;
        };
        let key = (op.file.path.as_path(), op.owner.as_str(), *slot);
        match switches.iter_mut().find(|(k, ..)| *k == key) {
            Some((_, _, cases)) => cases.add(case, exact),
            None => {
                let mut cases = Cases::default();
                cases.add(case, exact);
                switches.push((key, op, cases));
            }
        }
    }
    let mut found = Vec::new();
    for ((_, _, slot), op, cases) in switches {
        let (Some((name, SlotKind::Field)), Some(Column::Mixed(values))) =
            (set.slots.get(slot), data.columns.get(slot))
        else {
            continue;
        };
        if let Some((n, what)) = Tally::of(values).missed_by(&cases) {
            found.push(error(op, name, n, &what));
        }
    }
    found
}

fn error(op: &Operation, name: &str, n: usize, what: &str) -> Diagnostic {
    let customers = if n == 1 { "customer" } else { "customers" };
    let shown = match &op.operands[1] {
        Operand::Const(case) if case.is_string() => format!("\"{case}\""),
        Operand::Const(case) => case.to_string(),
        _ => String::new(),
    };
    let mut d = Diagnostic::error(
        &op.file,
        op.line,
        op.column,
        format!(
            "field `{name}` holds {what} for {n} {customers} and other kinds for the others (its column declares no type); a switch case finds only values of its own kind, and no case of this switch (`{shown}`, ...) is of theirs: those {n} fall through to the switch's `_`"
        ),
    )
    .rule(op.owner.clone())
    .help(format!(
        "give the switch cases of each kind (`9 | \"9\" =>`), or switch on `parse_float({name})` (numbers kept, text read as a number, NULL and blank text NULL; other text stops the run) with range cases such as `9..=10`"
    ));
    d.width = shown.chars().count();
    op.passed(d)
}
