//! On the data (`check --data`, `run`): a field that holds whole numbers only (a count of
//! orders, a visit week) tested for being equal to a number with decimals (`orders == 1.2`,
//! a grid cell `1,2` in a `;` CSV file, where the comma is the decimal point). It holds for
//! no one, so the row never matches, and nothing fails; in a spreadsheet it is most often a
//! list (1 or 2) typed without the space after its comma.

use crate::diag::Diagnostic;
use crate::rules::native::{Cmp, Node};
use crate::rules::{Expr, RuleSet, Slot, SlotKind};
use crate::source::{Column, Dataset};
use crate::value::Lit;
use std::collections::HashMap;

/// A warning at each decimal a whole-number field is tested to equal (`==`, `in`).
pub fn decimals_never_equal(rules: &RuleSet, data: &Dataset) -> Vec<Diagnostic> {
    let mut whole: HashMap<Slot, bool> = HashMap::new();
    let mut out = Vec::new();
    for (e, id) in super::rule_expressions(rules) {
        let Some(native) = &e.native else { continue };
        for (slot, x) in equal_decimals(&native.root) {
            if rules.slots.get(slot).map(|(_, k)| *k) != Some(SlotKind::Field) {
                continue;
            }
            let name = rules.slot_name(slot);
            if *whole.entry(slot).or_insert_with(|| only_whole(data, name)) {
                out.push(slip(e, id, name, x));
            }
        }
    }
    out
}

/// The numbers with decimals an expression tests a name to equal (`==`, `in`).
fn equal_decimals(node: &Node) -> Vec<(Slot, f64)> {
    (super::walk::equality_tests(node).into_iter())
        .filter_map(|(cmp, slot, lit)| match (cmp, lit) {
            (Cmp::Eq, Lit::Float(x)) if x.fract() != 0.0 => Some((slot, *x)),
            _ => None,
        })
        .collect()
}

/// Whether column `name` holds whole numbers as such (an `INTEGER` column, or one whose
/// values SQLite stores as integers): a `REAL` column of whole values this period (a rating
/// of 4.0) may hold 4.5 the next.
fn only_whole(data: &Dataset, name: &str) -> bool {
    let Some(k) = data.names.iter().position(|n| n == name) else {
        return false;
    };
    let column = &data.columns[k];
    matches!(column, Column::Int { .. }) && (0..data.len).any(|i| !column.value(i).is_null())
}

fn slip(e: &Expr, id: Option<&str>, name: &str, x: f64) -> Diagnostic {
    let written = crate::text::as_yaml(&serde_json::json!(x));
    let (line, column) = super::walk::place_of(e, &written);
    let list = written.replace('.', ", ");
    let warning = Diagnostic::error(
        &e.origin.file,
        line,
        column,
        format!(
            "`{name}` holds whole numbers only in the data, so it is never equal to {written}: the test holds for no one"
        ),
    )
    .warning()
    .width(written.chars().count())
    .help(match crate::text::extension(&e.origin.file.path).as_deref() {
        Some("csv") => format!(
            "if it is a list, write `{list}` (in a `;` CSV file, `{}` is the decimal {written}: the comma is the decimal point there); for a range, `>=` and `<`",
            written.replace('.', ",")
        ),
        _ => format!("if it is a list, write `[{list}]`; for a range, `>=` and `<`"),
    });
    super::walk::of_rule(warning, id)
}
