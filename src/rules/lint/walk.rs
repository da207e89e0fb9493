//! Walks over what rows and expressions are written as, shared by the lints that look at
//! the comparisons of a name with a constant (shares on the data, text ordered).

use crate::rules::native::{Cmp, Node, Step};
use crate::rules::{Condition, Expr, Row, RuleSet, Slot};
use crate::value::Lit;

/// The expressions of a row's condition as written: a grid row's cells (each at its own
/// place in the file), else its `when`.
pub(super) fn written_tests(row: &Row) -> Vec<&Expr> {
    match (&row.cells, &row.condition) {
        (Some(cells), _) => cells.iter().filter_map(|c| c.test.as_ref()).collect(),
        (None, Condition::When(e)) => vec![e],
        _ => Vec::new(),
    }
}

/// Every `name <op> constant` comparison in a compiled expression (inside `if`, calls,
/// blocks and their steps), the name first: one written the other way round (`70 > rate`)
/// has its operator turned (`rate < 70`).
pub(super) fn name_constant_comparisons<'n>(node: &'n Node, out: &mut Vec<(Cmp, Slot, &'n Lit)>) {
    let turned = |cmp: Cmp| match cmp {
        Cmp::Lt => Cmp::Gt,
        Cmp::Le => Cmp::Ge,
        Cmp::Gt => Cmp::Lt,
        Cmp::Ge => Cmp::Le,
        other => other,
    };
    fn steps<'n>(step: &'n Step, out: &mut Vec<(Cmp, Slot, &'n Lit)>) {
        match step {
            Step::Set(_, n) => name_constant_comparisons(n, out),
            Step::If(n, then, otherwise) => {
                name_constant_comparisons(n, out);
                then.iter()
                    .chain(otherwise.iter())
                    .for_each(|s| steps(s, out));
            }
        }
    }
    match node {
        Node::CmpSlot(cmp, slot, lit) => out.push((*cmp, *slot, lit)),
        Node::Cmp(cmp, pair) => match &**pair {
            (Node::Slot(s), Node::Const(lit)) => out.push((*cmp, *s, lit)),
            (Node::Const(lit), Node::Slot(s)) => out.push((turned(*cmp), *s, lit)),
            (a, b) => {
                name_constant_comparisons(a, out);
                name_constant_comparisons(b, out);
            }
        },
        Node::Block(block, value) => {
            block.iter().for_each(|step| steps(step, out));
            name_constant_comparisons(value, out);
        }
        other => (other.children().into_iter()).for_each(|n| name_constant_comparisons(n, out)),
    }
}

/// Every expression of the rules with the rule it belongs to (a metric has none: its name is
/// said): metrics, rows' written tests (conditions, grid cells) and formula values, caps'
/// formula limits. What the lints on the data look through.
pub(super) fn rule_expressions(rules: &RuleSet) -> Vec<(&Expr, Option<&str>)> {
    let mut exprs: Vec<(&Expr, Option<&str>)> = Vec::new();
    let metrics = rules.metrics_pre.iter().chain(&rules.metrics_post);
    exprs.extend(metrics.map(|m| (&m.expr, None)));
    for d in &rules.decisions {
        for row in &d.rows {
            let id = Some(rules.rule_ids[row.rule as usize].as_str());
            exprs.extend(written_tests(row).into_iter().map(|e| (e, id)));
            exprs.extend(
                row.values
                    .iter()
                    .filter_map(|(_, v)| v.formula())
                    .map(|e| (e, id)),
            );
        }
        for cap in &d.caps {
            if let Some(e) = cap.value.formula() {
                exprs.push((e, Some(rules.rule_ids[cap.rule as usize].as_str())));
            }
        }
    }
    exprs
}
