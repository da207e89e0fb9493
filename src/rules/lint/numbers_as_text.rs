//! On the data (`check --data`, `run`): a text column whose every value is a number (a
//! table made by `sqlite3 .import --csv`, whose columns are all TEXT), added with `+` or
//! ordered with `<`, `>`: `+` joins texts (`drawn + undrawn` gave "5000000100000" for 5,000,000
//! and 100,000) and `<` compares them letter by letter ("1200000" comes before "900000", so
//! a 1.2 M drawing over a 900 k limit was no breach). Nothing fails and `check --data` said
//! "no problems found" (the model-risk validator's F06).

use super::walk::{each_node, of_rule, rule_expressions, warning_at_name};
use crate::diag::Diagnostic;
use crate::rules::native::{Arith, Cmp, Node};
use crate::rules::{RuleSet, Slot, SlotKind};
use crate::source::{Column, Dataset};

/// A warning at the first `+` or ordering of each such column.
pub fn numbers_kept_as_text(rules: &RuleSet, data: &Dataset) -> Vec<Diagnostic> {
    let mut warned: Vec<Slot> = Vec::new();
    let mut out = Vec::new();
    for (e, id) in rule_expressions(rules) {
        let Some(native) = &e.native else { continue };
        let mut uses: Vec<(Slot, &'static str)> = Vec::new();
        each_node(&native.root, &mut |node| match node {
            // `+` with text on the other side is a label (`zip + " Paris"`).
            Node::Arith(Arith::Add, pair) if !is_text(&pair.0) && !is_text(&pair.1) => {
                uses.extend(
                    [&pair.0, &pair.1]
                        .into_iter()
                        .filter_map(slot)
                        .map(|s| (s, "+")),
                );
            }
            Node::Cmp(op @ (Cmp::Lt | Cmp::Le | Cmp::Gt | Cmp::Ge), pair) => {
                let op = op.symbol();
                uses.extend(
                    [&pair.0, &pair.1]
                        .into_iter()
                        .filter_map(slot)
                        .map(|s| (s, op)),
                );
            }
            _ => {}
        });
        for (s, op) in uses {
            if warned.contains(&s) || rules.slots.get(s).map(|(_, k)| *k) != Some(SlotKind::Field) {
                continue;
            }
            let name = rules.slot_name(s);
            let Some(k) = data.names.iter().position(|n| n == name) else {
                continue;
            };
            let Some(numbers) = Numbers::of(&data.columns[k], data.len, op == "+") else {
                continue;
            };
            warned.push(s);
            let what = match op {
                "+" => format!(
                    "`+` joins texts (\"{a}\" + \"{b}\" is \"{a}{b}\", not a sum)",
                    a = numbers.examples[0],
                    b = numbers.examples.get(1).unwrap_or(&numbers.examples[0]),
                ),
                _ => format!(
                    "`{op}` compares texts letter by letter, not as numbers (\"10\" comes before \"9\")"
                ),
            };
            let examples: Vec<String> = numbers.examples.iter().map(|x| format!("`{x}`")).collect();
            let warning = warning_at_name(
                e,
                name,
                format!(
                    "`{name}` is text, and each of its values is a number ({}): {what}",
                    examples.join(", "),
                ),
                format!(
                    "read it as a number in the customers query, `CAST(NULLIF(TRIM({name}), '') AS REAL) AS {name}` (a table imported with `sqlite3 .import` has TEXT columns), or create the table with a REAL column and import into it"
                ),
            );
            out.push(of_rule(warning, id));
        }
    }
    out
}

fn slot(node: &Node) -> Option<Slot> {
    match node {
        Node::Slot(s) => Some(*s),
        _ => None,
    }
}

/// A text literal or template: the `+` writes a text on purpose.
fn is_text(node: &Node) -> bool {
    matches!(
        node,
        Node::Const(crate::value::Lit::Str(_)) | Node::Template(_)
    )
}

/// Up to two of a text column's values, when every value that is not blank is a number.
struct Numbers {
    examples: Vec<String>,
}

impl Numbers {
    /// `added`: for `+`, any numbers; for an ordering, only numbers whose letter order is
    /// not their order (codes of digits of one width order as meant: `zip >= "75000"`).
    fn of(column: &Column, len: usize, added: bool) -> Option<Numbers> {
        let Column::Text { .. } = column else {
            return None;
        };
        let mut examples: Vec<String> = Vec::new();
        let mut widths = (usize::MAX, 0);
        let mut decimals = false;
        for i in 0..len {
            let value = column.value(i);
            let Some(text) = value.as_str() else { continue };
            let t = text.trim();
            if t.is_empty() {
                continue;
            }
            let unsigned = t.strip_prefix('-').unwrap_or(t);
            let (whole, part) = unsigned.split_once('.').unwrap_or((unsigned, ""));
            let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
            if whole.is_empty() || !digits(whole) || !digits(part) {
                return None;
            }
            decimals |= unsigned.contains('.') || t.starts_with('-');
            widths = (widths.0.min(t.len()), widths.1.max(t.len()));
            if examples.len() < 2 && !examples.iter().any(|x| x == t) {
                examples.push(t.to_owned());
            }
        }
        let misordered = added || decimals || widths.0 != widths.1;
        (!examples.is_empty() && misordered).then_some(Numbers { examples })
    }
}
