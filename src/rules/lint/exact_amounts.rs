//! On the data (`check --data`, `run`): a field of amounts with decimals tested for being
//! equal to several numbers (`annual_sales == 50000`, or a spreadsheet table's column of
//! bounds pasted as plain cells, which are equality tests): a VLOOKUP band table read as
//! exact matches. Only the customers holding one of the numbers to the cent match; the rest
//! fall to a later row, and `check --data` said every row matched (a few customers sat on
//! each bound).

use crate::diag::Diagnostic;
use crate::rules::native::Cmp;
use crate::rules::{Expr, RuleSet, Slot, SlotKind};
use crate::source::Dataset;
use crate::value::Lit;

/// A warning at the first test of each field of amounts that most customers hold none of
/// the numbers it is tested to equal.
pub fn amounts_tested_exactly(rules: &RuleSet, data: &Dataset) -> Vec<Diagnostic> {
    // Per field: the numbers it is tested to equal, and where the first test is.
    let mut tested: Vec<(Slot, Vec<f64>, &Expr, Option<&str>)> = Vec::new();
    for (e, id) in super::rule_expressions(rules) {
        let Some(native) = &e.native else { continue };
        for (cmp, slot, lit) in super::walk::equality_tests(&native.root) {
            let x = match (cmp, lit) {
                (Cmp::Eq, Lit::Int(i)) => *i as f64,
                (Cmp::Eq, Lit::Float(x)) => *x,
                _ => continue,
            };
            if rules.slots.get(slot).map(|(_, k)| *k) != Some(SlotKind::Field) {
                continue;
            }
            match tested.iter_mut().find(|(s, ..)| *s == slot) {
                Some((_, numbers, ..)) if !numbers.contains(&x) => numbers.push(x),
                Some(_) => {}
                None => tested.push((slot, vec![x], e, id)),
            }
        }
    }
    let mut out = Vec::new();
    for (slot, numbers, e, id) in tested {
        if numbers.len() < FEWEST_NUMBERS {
            continue;
        }
        let name = rules.slot_name(slot);
        let Some(k) = data.names.iter().position(|n| n == name) else {
            continue;
        };
        let column = &data.columns[k];
        let held: Vec<f64> = (0..data.len)
            .filter_map(|i| column.value(i).as_f64())
            .collect();
        // A band table's bounds lie inside the values; codes at or beyond them (-1, 0, 999
        // beside scores of 300 to 850) are meant as codes.
        let (low, high) =
            (held.iter().copied()).fold((f64::MAX, f64::MIN), |(l, h), x| (l.min(x), h.max(x)));
        if !numbers.iter().any(|&t| t > low && t < high) {
            continue;
        }
        let with_decimals = held.iter().filter(|x| x.fract() != 0.0).count();
        let matched = (held.iter())
            .filter(|&&x| numbers.iter().any(|&t| crate::value::same_number(x, t)))
            .count();
        // Amounts (a tenth or more hold decimals) that most customers hold none of.
        if held.is_empty() || with_decimals * 10 < held.len() || matched * 2 >= held.len() {
            continue;
        }
        out.push(warning(e, id, name, &numbers, matched, held.len()));
    }
    out
}

/// The fewest numbers a field is tested to equal for the tests to read as a band table (a
/// threshold cell linked to a parameters sheet, `=params!B2`, is one).
const FEWEST_NUMBERS: usize = 1;

fn warning(
    e: &Expr,
    id: Option<&str>,
    name: &str,
    numbers: &[f64],
    matched: usize,
    held: usize,
) -> Diagnostic {
    let written: Vec<String> = (numbers.iter())
        .map(|x| crate::text::as_yaml(&crate::text::Number(*x).to_json()))
        .collect();
    let (line, column) = super::walk::place_of(e, &written[0]);
    let warning = Diagnostic::error(
        &e.origin.file,
        line,
        column,
        format!(
            "`{name}` holds amounts with decimals, and is tested for being equal to {} ({}): only {} of {} hold one of them exactly, and the others match none of these tests",
            crate::text::plural(numbers.len(), "number"),
            crate::text::first_three(&written),
            crate::text::thousands(matched as f64),
            crate::text::customers(held),
        ),
    )
    .warning()
    .width(written[0].chars().count())
    .help({
        let largest = numbers.iter().copied().fold(f64::MIN, f64::max);
        let largest = crate::text::as_yaml(&crate::text::Number(largest).to_json());
        format!(
            "for bands, test bounds: `{name} >= {largest}` (a cell `>= {largest}` in a table; rows are tried in order, the largest bound first), or a `scale:`, as a spreadsheet's VLOOKUP(..., TRUE) takes the largest bound at or below"
        )
    });
    super::walk::of_rule(warning, id)
}
