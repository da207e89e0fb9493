//! On the data (`check --data` only): a population figure that is NULL for many customers
//! (a `where:` that ranks a few of them, each group's top account only), compared in a
//! decision's rows that never test it for NULL. An ordering is false for NULL, so each
//! unranked customer falls past every such row to the first that does not compare it (the
//! catch-all C, 1% of concession, whatever the group's sales), and `check --data` said
//! "every row matched". Not a warning of `run`: ranking some customers and leaving the rest
//! to the last row can be meant, and a run cannot tell.

use super::walk::{each_node, name_constant_comparisons, place_of, written_tests};
use crate::diag::Diagnostic;
use crate::rules::RuleSet;
use crate::rules::native::{Builtin, Cmp, Node};
use crate::rules::{Expr, Slot};
use std::collections::HashMap;

/// A warning per decision whose rows order a figure that `nulls` (customers with NULL, by
/// figure slot) says is NULL for a fifth or more of the `customers` (10 at least), when no
/// row tests it for NULL.
pub fn unranked_rows(
    rules: &RuleSet,
    nulls: &HashMap<Slot, usize>,
    customers: usize,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for figure in &rules.population {
        let unranked = nulls.get(&figure.slot).copied().unwrap_or(0);
        if unranked < 10 || unranked * 5 < customers {
            continue;
        }
        let name = &figure.name;
        for d in &rules.decisions {
            let mut comparing: Vec<(&str, &Expr)> = Vec::new();
            let mut tests_null = false;
            for row in &d.rows {
                for e in written_tests(row) {
                    let Some(native) = &e.native else { continue };
                    if orders_outside_not(&native.root, figure.slot) {
                        comparing.push((rules.rule_ids[row.rule as usize].as_str(), e));
                    }
                    each_node(&native.root, &mut |n| {
                        tests_null |= tests_for_null(n, figure.slot);
                    });
                }
            }
            let Some(&(first, e)) = comparing.first().filter(|_| !tests_null) else {
                continue;
            };
            let mut ids: Vec<&str> = comparing.iter().map(|(id, _)| *id).collect();
            ids.dedup();
            let (line, column) = place_of(e, name);
            let warning = Diagnostic::error(
                &e.origin.file,
                line,
                column,
                format!(
                    "`{name}` is NULL for {} of {} customers (not ranked{}), and {} `{}` of `{}` {} it, which is false for NULL: each of them gets the first row that does not compare it",
                    crate::text::thousands(unranked as f64),
                    crate::text::thousands(customers as f64),
                    why_unranked(figure),
                    if ids.len() == 1 { "row" } else { "rows" },
                    ids.join("`, `"),
                    d.name,
                    if ids.len() == 1 { "orders" } else { "order" },
                ),
            )
            .warning()
            .width(name.chars().count())
            .rule(first)
            .help(format!(
                "give them a row of their own above (`when: is_null({name})`), or rank a figure every customer has (one without `where:`)"
            ));
            out.push(warning);
        }
    }
    out
}

/// What leaves customers unranked besides a NULL value: `: `where: ...``, a NULL `by:`.
fn why_unranked(figure: &crate::rules::PopulationFigure) -> String {
    let reasons: Vec<String> = (figure.filter.iter().map(|f| format!("`where: {}`", f.text)))
        .chain(figure.by.iter().map(|b| format!("`by: {}` NULL", b.text)))
        .collect();
    match reasons.is_empty() {
        true => String::new(),
        false => format!(": {}", reasons.join(", ")),
    }
}

/// Whether `node` orders `figure` with a constant, not under a `!` (`!(rank < 0.8)` holds
/// for NULL: such a row takes the unranked in).
pub(super) fn orders_outside_not(node: &Node, figure: Slot) -> bool {
    if matches!(node, Node::Not(_)) {
        return false;
    }
    let mut found = Vec::new();
    if matches!(node, Node::CmpSlot(..) | Node::Cmp(..)) {
        name_constant_comparisons(node, &mut found);
    }
    let orders = |(cmp, slot, _): &(Cmp, Slot, &crate::value::Lit)| {
        *slot == figure && matches!(cmp, Cmp::Lt | Cmp::Le | Cmp::Gt | Cmp::Ge)
    };
    found.iter().any(orders)
        || (node.children().into_iter()).any(|child| orders_outside_not(child, figure))
}

/// `is_null(figure)`, `figure ?? x`, `figure == ()`: a row that says what NULL gets.
pub(super) fn tests_for_null(n: &Node, figure: Slot) -> bool {
    let is_figure = |n: &Node| matches!(n, Node::Slot(s) if *s == figure);
    match n {
        Node::Call(Builtin::IsNull, args) => args.first().is_some_and(is_figure),
        Node::Coalesce(items) => items.first().is_some_and(is_figure),
        Node::CmpSlot(Cmp::Eq | Cmp::Ne, s, crate::value::Lit::Null) => *s == figure,
        _ => false,
    }
}
