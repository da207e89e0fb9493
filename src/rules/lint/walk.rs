//! Walks over what rows and expressions are written as, shared by the lints that look at
//! the comparisons of a name with a constant (shares on the data, text ordered).

use crate::diag::Diagnostic;
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

/// Calls `f` on `node` and on every node inside it, a block's steps included.
pub(super) fn each_node<'n>(node: &'n Node, f: &mut impl FnMut(&'n Node)) {
    fn steps<'n>(step: &'n Step, f: &mut impl FnMut(&'n Node)) {
        match step {
            Step::Set(_, n) => each_node(n, f),
            Step::If(n, then, otherwise) => {
                each_node(n, f);
                then.iter()
                    .chain(otherwise.iter())
                    .for_each(|s| steps(s, f));
            }
        }
    }
    f(node);
    if let Node::Block(block, _) = node {
        block.iter().for_each(|step| steps(step, f));
    }
    node.children().into_iter().for_each(|n| each_node(n, f));
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
    each_node(node, &mut |n| match n {
        Node::CmpSlot(cmp, slot, lit) => out.push((*cmp, *slot, lit)),
        Node::Cmp(cmp, pair) => match &**pair {
            (x, Node::Const(lit)) if let Some(s) = defaulted_slot(x) => out.push((*cmp, s, lit)),
            (Node::Const(lit), x) if let Some(s) = defaulted_slot(x) => {
                out.push((turned(*cmp), s, lit))
            }
            _ => {}
        },
        _ => {}
    });
}

/// The name a side of a comparison reads: `annual_sales`, or `annual_sales ?? 0` (a grid
/// header written as a spreadsheet counts a blank), which tests the name's values alike.
fn defaulted_slot(node: &Node) -> Option<Slot> {
    match node {
        Node::Slot(s) => Some(*s),
        Node::Coalesce(items) => match &items[..] {
            [Node::Slot(s), rest @ ..] if rest.iter().all(|n| matches!(n, Node::Const(_))) => {
                Some(*s)
            }
            _ => None,
        },
        _ => None,
    }
}

/// Every test of a name for equality with a constant: the `==` and `!=` comparisons of
/// [`name_constant_comparisons`], and each item of an `in [...]` list (as an `==`).
pub(super) fn equality_tests(node: &Node) -> Vec<(Cmp, Slot, &Lit)> {
    let mut compared = Vec::new();
    name_constant_comparisons(node, &mut compared);
    compared.retain(|(cmp, ..)| matches!(cmp, Cmp::Eq | Cmp::Ne));
    each_node(node, &mut |n| {
        if let Node::In(x, items) = n
            && let Node::Slot(slot) = **x
        {
            compared.extend(items.iter().map(|item| (Cmp::Eq, slot, item)));
        }
    });
    compared
}

/// Every expression of the rules with the rule it belongs to (a metric or a population
/// figure has none: its name is said): population figures (what they rank, `where:`, `by:`),
/// metrics, rows' written tests (conditions, grid cells) and formula values, caps' formula
/// limits, the summary's totals and measures. What the lints on the data look through.
pub(super) fn rule_expressions(rules: &RuleSet) -> Vec<(&Expr, Option<&str>)> {
    let mut exprs: Vec<(&Expr, Option<&str>)> = Vec::new();
    for figure in &rules.population {
        exprs.extend(
            std::iter::once(&figure.of)
                .chain(&figure.filter)
                .chain(&figure.by)
                .map(|e| (e, None)),
        );
    }
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
    // A summary total compares outputs as a row does (`if region == "North" { visits }`).
    exprs.extend(rules.summary.exprs().map(|e| (e, None)));
    exprs
}

/// `warning` named after the rule its expression belongs to ([`rule_expressions`]' id; a
/// metric's has none: its message names it).
pub(super) fn of_rule(warning: Diagnostic, id: Option<&str>) -> Diagnostic {
    match id {
        Some(id) => warning.rule(id),
        None => warning,
    }
}

/// A warning at the first place `name` is written in `e`, underlining it: what the lints
/// on the data say of a field.
pub(super) fn warning_at_name(e: &Expr, name: &str, message: String, help: String) -> Diagnostic {
    let (line, column) = place_of(e, name);
    Diagnostic::error(&e.origin.file, line, column, message)
        .warning()
        .width(name.chars().count())
        .help(help)
}

/// Where `needle` is first written in `e` (its file's line and column); where `e` starts
/// when it is not there as written.
pub(super) fn place_of(e: &Expr, needle: &str) -> (usize, usize) {
    match e.text.find(needle) {
        Some(at) => place_in(e, at),
        None => (e.origin.line, e.origin.column),
    }
}

/// Where the character at byte `at` of `e`'s text is in its file (line, column).
pub(super) fn place_in(e: &Expr, at: usize) -> (usize, usize) {
    let chars: Vec<char> = e.text.chars().collect();
    let i = e.text[..at].chars().count();
    let (line, column) = crate::diag::habits::line_column(&chars, i);
    e.origin.map(line, column)
}
