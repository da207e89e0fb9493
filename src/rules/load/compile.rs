//! Pass 4, compile: every item of every file, file by file, once every name is declared.
//! Metrics and the summary compile here; population figures and decisions in their own
//! modules. An item that does not compile is left out (its problems are reported), so the
//! later passes run on whatever compiled.

use super::Sink;
use super::expr::ExprCompiler;
use super::files::RuleFiles;
use super::history::PastSlots;
use super::scripts::Scripts;
use super::symbols::{RuleIds, Symbols};
use super::types::Comparison;
use super::{decisions, population};
use crate::diag::{Diagnostic, SourceFile};
use crate::rules::model::{MeasureSpec, ReportSpec, RuleFile, SummarySpec};
use crate::rules::{
    Decision, Expr, Measure, Metric, Move, Origin, PopulationFigure, Quadrant, ReportDecl,
    ReportList, Slot, SlotKind, Summary, ValueExpr,
};
use crate::value::Literal;
use serde_saphyr::Spanned;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Everything the rule files compiled to.
pub(super) struct Compiled {
    pub metrics: BTreeMap<Slot, Metric>,
    pub population: BTreeMap<Slot, PopulationFigure>,
    /// By declaration index; `None` for a decision that did not compile.
    pub decisions: Vec<Option<Decision>>,
    pub summary: Summary,
    pub rule_ids: RuleIds,
    /// Comparisons of a name with a constant, for the type check.
    pub comparisons: Vec<Comparison>,
    /// Comparisons and arithmetic, for the check that text and numbers never meet.
    pub operations: Vec<super::operations::Operation>,
    /// The earlier periods' values the expressions read.
    pub past: PastSlots,
}

/// What the compile passes share: the expression compiler, the rule ids declared so far and
/// the diagnostics.
pub(super) struct Cx<'a> {
    pub symbols: &'a Symbols,
    pub exprs: ExprCompiler<'a>,
    pub rule_ids: RuleIds,
    pub diags: &'a mut Sink,
}

impl Cx<'_> {
    pub fn expr(
        &mut self,
        file: &Arc<SourceFile>,
        text: &Spanned<String>,
        owner: &str,
        formula: bool,
    ) -> Option<Expr> {
        self.exprs.compile(self.diags, file, text, owner, formula)
    }

    pub fn value(
        &mut self,
        file: &Arc<SourceFile>,
        lit: &Spanned<Literal>,
        owner: &str,
    ) -> Option<ValueExpr> {
        self.exprs.value(self.diags, file, lit, owner)
    }

    pub fn error(
        &mut self,
        file: &SourceFile,
        line: usize,
        col: usize,
        msg: impl Into<String>,
    ) -> &mut Diagnostic {
        self.diags.error(file, line, col, msg)
    }

    /// An error at a position serde gave (`Spanned::referenced`).
    pub fn error_at(
        &mut self,
        file: &SourceFile,
        at: &serde_saphyr::Location,
        msg: impl Into<String>,
    ) -> &mut Diagnostic {
        self.diags
            .error(file, at.line() as usize, at.column() as usize, msg)
    }
}

/// Compiles every item of the parsed files.
pub(super) fn compile(
    files: &RuleFiles,
    scripts: &Scripts,
    symbols: &Symbols,
    diags: &mut Sink,
) -> Compiled {
    let mut cx = Cx {
        symbols,
        exprs: ExprCompiler::new(symbols, scripts),
        rule_ids: RuleIds::default(),
        diags,
    };
    let mut metrics = BTreeMap::new();
    let mut population = BTreeMap::new();
    let mut decisions = Vec::new();
    let mut summary = None;
    for (file, rules) in &files.parsed {
        compile_metrics(&mut cx, &mut metrics, file, rules);
        for (name, spec) in &rules.population.0 {
            let Some(slot) = symbols.slot(name) else {
                continue;
            };
            if symbols.kind(slot) != SlotKind::Population || population.contains_key(&slot) {
                continue;
            }
            if let Some(figure) = population::figure(&mut cx, file, name, slot, spec) {
                population.insert(slot, figure);
            }
        }
        let file_window = decisions::window(&mut cx, file, rules.effective.as_ref(), "the file");
        for decision in &rules.decisions {
            let index = decisions.len();
            decisions.push(decisions::compile(
                &mut cx,
                file,
                index,
                decision,
                file_window,
            ));
        }
        if let Some(spec) = &rules.summary {
            if summary.is_some() {
                cx.error(file, 0, 0, "`summary` is given in more than one rule file");
            }
            let summary = summary.get_or_insert_with(Summary::default);
            compile_summary(&mut cx, summary, file, spec);
        }
    }
    Compiled {
        metrics,
        population,
        decisions,
        summary: summary.unwrap_or_default(),
        rule_ids: cx.rule_ids,
        comparisons: cx.exprs.comparisons,
        operations: cx.exprs.operations,
        past: cx.exprs.past,
    }
}

fn compile_metrics(
    cx: &mut Cx,
    metrics: &mut BTreeMap<Slot, Metric>,
    file: &Arc<SourceFile>,
    rules: &RuleFile,
) {
    for (name, expr) in &rules.metrics.0 {
        let Some(slot) = cx.symbols.slot(name) else {
            continue;
        };
        // A name defined twice (reported) compiles once.
        if cx.symbols.kind(slot) != SlotKind::Metric || metrics.contains_key(&slot) {
            continue;
        }
        if let Some(compiled) = cx.expr(file, expr, name, true) {
            let name = name.clone();
            metrics.insert(
                slot,
                Metric {
                    name,
                    slot,
                    expr: compiled,
                },
            );
        }
    }
}

/// The summary's counts and totals; both add to those of other files (an error reported).
fn compile_summary(cx: &mut Cx, summary: &mut Summary, file: &Arc<SourceFile>, spec: &SummarySpec) {
    for name in &spec.count_by {
        match cx.symbols.slot(&name.value) {
            Some(slot) => summary.count_by.push((name.value.clone(), slot)),
            // Possibly defined in a rule file that failed to parse (reported).
            None if cx.symbols.might_define(&name.value) => {}
            None => {
                let help = cx.symbols.suggestion(&name.value);
                let at = &name.referenced;
                let d = cx.error_at(
                    file,
                    at,
                    format!("unknown name `{}` in summary.count_by", name.value),
                );
                d.help = help;
            }
        }
    }
    for (name, expr) in &spec.totals.0 {
        if let Some(compiled) = cx.expr(file, expr, &format!("summary.{name}"), true) {
            summary.totals.push((name.clone(), compiled));
        }
    }
    for (name, order) in &spec.moves.0 {
        if let Some(m) = compile_move(cx, file, name, order) {
            summary.moves.push(m);
        }
    }
    if let Some(report) = &spec.report {
        summary.report = Some(compile_report(cx, file, report));
    }
    for name in &spec.money {
        match spec.totals.0.iter().position(|(n, _)| *n == name.value) {
            Some(k) if summary.money.contains(&k) => {
                let at = &name.referenced;
                cx.error_at(
                    file,
                    at,
                    format!("summary.money: `{}` is listed twice", name.value),
                );
            }
            Some(k) => summary.money.push(k),
            None => {
                let totals: Vec<&str> = spec.totals.0.iter().map(|(n, _)| n.as_str()).collect();
                let at = &name.referenced;
                let d = cx.error_at(
                    file,
                    at,
                    format!(
                        "summary.money: `{}` is not one of the summary's totals",
                        name.value
                    ),
                );
                d.help = crate::diag::did_you_mean(&name.value, totals.iter().copied())
                    .or_else(|| Some(format!("totals: {}", totals.join(", "))));
            }
        }
    }
}

/// `report:`: the outputs it names must be outputs; its measures compile as formulas.
fn compile_report(cx: &mut Cx, file: &Arc<SourceFile>, spec: &ReportSpec) -> ReportDecl {
    let measure = |cx: &mut Cx, what: &str, m: &MeasureSpec| {
        cx.expr(file, &m.of, &format!("summary.report.{what}"), true)
            .map(|expr| Measure {
                name: m.name.clone(),
                expr,
                money: m.money,
            })
    };
    let value = spec.value.as_ref().and_then(|m| measure(cx, "value", m));
    let quadrant = spec.quadrant.as_ref().and_then(|q| {
        let x = measure(cx, "quadrant.x", &q.x);
        let y = measure(cx, "quadrant.y", &q.y);
        let colour = q
            .colour
            .as_ref()
            .and_then(|c| report_output(cx, file, "quadrant.colour", c));
        let split = q.split.as_ref().map_or((None, None), |s| (s.x, s.y));
        Some(Quadrant {
            x: x?,
            y: y?,
            colour,
            split,
        })
    });
    let lists = spec
        .lists
        .iter()
        .filter_map(|l| {
            let when = report_output(cx, file, "lists.when", &l.when);
            let show: Vec<String> = l
                .show
                .iter()
                .filter_map(|s| report_output(cx, file, "lists.show", s))
                .collect();
            (show.len() == l.show.len()).then_some(ReportList {
                name: l.name.clone(),
                when: when?,
                show,
            })
        })
        .collect();
    ReportDecl {
        tiers: spec
            .tiers
            .as_ref()
            .and_then(|t| report_output(cx, file, "tiers", t)),
        value,
        quadrant,
        lists,
    }
}

/// A name in `summary.report` that must be an output (reported at its position if not).
fn report_output(
    cx: &mut Cx,
    file: &Arc<SourceFile>,
    what: &str,
    name: &Spanned<String>,
) -> Option<String> {
    let slot = cx.symbols.slot(&name.value);
    let problem = match slot.map(|s| cx.symbols.kind(s)) {
        Some(SlotKind::Output) => return Some(name.value.clone()),
        None if cx.symbols.might_define(&name.value) => return None,
        None => format!("summary.report.{what}: unknown output `{}`", name.value),
        Some(kind) => format!(
            "summary.report.{what}: `{}` is a {}, not an output: the report shows what the rules decide",
            name.value,
            kind.noun()
        ),
    };
    let help = slot
        .is_none()
        .then(|| cx.symbols.suggestion(&name.value))
        .flatten();
    let at = &name.referenced;
    let d = cx.error_at(file, at, problem);
    d.help = help;
    None
}

/// `moves: { tier: [A, B, C, dormant] }`: an output, and its values highest first.
fn compile_move(
    cx: &mut Cx,
    file: &Arc<SourceFile>,
    name: &str,
    order: &Spanned<Vec<String>>,
) -> Option<Move> {
    let at = &order.referenced;
    let (line, column) = (at.line() as usize, at.column() as usize);
    let slot = cx.symbols.slot(name);
    let problem = match slot.map(|s| cx.symbols.kind(s)) {
        Some(SlotKind::Output) => None,
        None if cx.symbols.might_define(name) => return None,
        None => Some(format!("summary.moves: unknown output `{name}`")),
        Some(_) => Some(format!(
            "summary.moves: `{name}` is not an output: only outputs have earlier periods"
        )),
    };
    let problem = problem.or_else(|| {
        let values = &order.value;
        let twice = values
            .iter()
            .enumerate()
            .find(|(k, v)| values[..*k].contains(v));
        match twice {
            _ if values.is_empty() => Some(format!(
                "summary.moves: give `{name}`'s values, highest first"
            )),
            Some((_, v)) => Some(format!("summary.moves: `{v}` is given twice for `{name}`")),
            None => None,
        }
    });
    if let Some(message) = problem {
        let help = slot
            .is_none()
            .then(|| cx.symbols.suggestion(name))
            .flatten();
        let d = cx.error(file, line, column, message);
        d.help = help;
        return None;
    }
    let previous = cx.exprs.past.counted(name);
    Some(Move {
        output: name.to_owned(),
        slot: slot?,
        previous,
        order: order.value.clone(),
        origin: Origin {
            file: file.clone(),
            line,
            column,
            chars: None,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn metrics_and_summary_compile_file_by_file() {
        let set = loads(&[
            (
                "a.yaml",
                "metrics:\n  monthly: annual_sales / 12\nsummary:\n  count_by: [tier, channel]\n  totals:\n    sales: '= annual_sales'\n",
            ),
            ("b.yaml", DECISION),
        ]);
        let metrics: Vec<(&str, &str)> = set
            .metrics_post
            .iter()
            .map(|m| (m.name.as_str(), m.expr.text.as_str()))
            .collect();
        assert_eq!(metrics, [("monthly", "annual_sales / 12")]);
        assert_eq!(
            set.summary.count_by,
            [("tier".to_owned(), 8), ("channel".to_owned(), 3)]
        );
        let totals: Vec<(&str, &str)> = set
            .summary
            .totals
            .iter()
            .map(|(n, e)| (n.as_str(), e.text.as_str()))
            .collect();
        assert_eq!(totals, [("sales", "annual_sales")]);
    }

    #[test]
    fn the_summary_names_known_values_and_is_given_once() {
        assert_eq!(
            errors(&[
                (
                    "a.yaml",
                    &format!(
                        "{DECISION}summary:\n  count_by: [tier, tire, nope]\n  totals:\n    bad: zork + 1\n"
                    )
                ),
                ("b.yaml", "summary:\n  count_by: [tier]\n"),
            ]),
            [
                "error rules/a.yaml:7:20: unknown name `tire` in summary.count_by | help: did you mean `tier`?",
                "error rules/a.yaml:7:26: unknown name `nope` in summary.count_by",
                "error rules/a.yaml:9:10 [summary.bad]: unknown name `zork` | help: a name must be a column of the customer source (its columns: customer_id, annual_sales, overdue_days, channel, region), a metric, a population figure or a decision's output",
                "error rules/b.yaml: `summary` is given in more than one rule file",
            ]
        );
    }

    #[test]
    fn money_names_totals_once_each() {
        let set = loads(&[(
            "a.yaml",
            &format!(
                "{DECISION}summary:\n  totals:\n    customers: '= 1'\n    sales: '= annual_sales'\n  money: [sales]\n"
            ),
        )]);
        assert_eq!(set.summary.money, [1]);
        assert_eq!(
            errors(&[(
                "a.yaml",
                &format!(
                    "{DECISION}summary:\n  totals:\n    sales: '= annual_sales'\n  money: [sales, sales, sale, tier]\n"
                ),
            )]),
            [
                "error rules/a.yaml:9:18: summary.money: `sales` is listed twice",
                "error rules/a.yaml:9:25: summary.money: `sale` is not one of the summary's totals | help: did you mean `sales`?",
                "error rules/a.yaml:9:31: summary.money: `tier` is not one of the summary's totals | help: totals: sales",
            ]
        );
    }

    #[test]
    fn a_name_defined_twice_compiles_once() {
        assert_eq!(
            errors(&[
                (
                    "a.yaml",
                    &format!("metrics:\n  m: annual_sales\n{DECISION}")
                ),
                ("b.yaml", "metrics:\n  m: bogus\n"),
            ]),
            [
                "error rules/b.yaml:2:6: `m` is already a metric (at rules/a.yaml:2:6); names must be unique"
            ]
        );
    }

    #[test]
    fn the_report_names_outputs_and_compiles_its_measures() {
        let report = "summary:\n  report:\n    tiers: tier\n    value: { name: sales, of: annual_sales ?? 0, money: true }\n    quadrant:\n      x: { name: sales, of: annual_sales }\n      y: { name: twice, of: '= annual_sales * 2' }\n      colour: tier\n      split: { y: 0.5 }\n    lists:\n      - { name: big, when: tier, show: [tier] }\n";
        let set = loads(&[("a.yaml", DECISION), ("b.yaml", report)]);
        let r = set.summary.report.as_ref().expect("declared");
        assert_eq!(r.tiers.as_deref(), Some("tier"));
        let value = r.value.as_ref().expect("value");
        assert_eq!(
            (value.name.as_str(), value.expr.text.as_str(), value.money),
            ("sales", "annual_sales ?? 0", true)
        );
        let q = r.quadrant.as_ref().expect("quadrant");
        assert_eq!(q.y.expr.text, "annual_sales * 2");
        assert_eq!(
            (q.colour.as_deref(), q.split),
            (Some("tier"), (None, Some(0.5)))
        );
        assert_eq!(
            (r.lists[0].name.as_str(), r.lists[0].when.as_str()),
            ("big", "tier")
        );
        // The measures' fields are read like any other expression's.
        assert_eq!(set.summary.exprs().count(), 3);
    }

    #[test]
    fn the_report_reports_names_that_are_not_outputs_where_they_are_written() {
        let report = "summary:\n  report:\n    tiers: tire\n    value: { name: sales, of: annual_sails }\n    quadrant:\n      x: { name: a, of: annual_sales }\n      y: { name: b, of: annual_sales }\n      colour: annual_sales\n    lists:\n      - { name: l, when: tier, show: [tier, nope] }\n";
        assert_eq!(
            errors(&[("a.yaml", DECISION), ("b.yaml", report)]),
            [
                "error rules/b.yaml:4:31 [summary.report.value]: unknown name `annual_sails` | help: did you mean `annual_sales`?",
                "error rules/b.yaml:8:15: summary.report.quadrant.colour: `annual_sales` is a field, not an output: the report shows what the rules decide",
                "error rules/b.yaml:10:45: summary.report.lists.show: unknown output `nope`",
                "error rules/b.yaml:3:12: summary.report.tiers: unknown output `tire` | help: did you mean `tier`?",
            ]
        );
    }
}
