//! Pass 5, order: what may use what, and in which order things are computed.
//!
//! Per customer, tierwise computes the metrics population figures need (for every customer,
//! before the figures), then the figures, then the other metrics, then the decisions. So a
//! figure may use only fields and metrics; a metric a figure needs may not use a figure;
//! no metric may use an output. Metrics run after the metrics they use, decisions after the
//! decisions whose outputs they use; a cycle is an error naming its members.

use super::Sink;
use super::compile::Compiled;
use super::symbols::Symbols;
use crate::diag::Diagnostic;
use crate::rules::{Expr, Slot, SlotKind};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// The order of evaluation.
pub(super) struct Order {
    /// Metrics the population figures need, computed for all customers first.
    pub pre: HashSet<Slot>,
    /// Every compiled metric, each after the metrics it uses.
    pub metrics: Vec<Slot>,
    /// Decision indexes, each after the decisions whose outputs it uses.
    pub decisions: Vec<usize>,
}

/// Checks what figures and metrics use and orders metrics and decisions; problems go to
/// `diags` (the order is then partial).
pub(super) fn order(symbols: &Symbols, compiled: &Compiled, diags: &mut Sink) -> Order {
    let pre = population_inputs(symbols, compiled, diags);
    for metric in compiled.metrics.values() {
        for dep in deps(&metric.expr) {
            if symbols.kind(dep) == SlotKind::Output {
                let d = metric
                    .expr
                    .origin
                    .error(format!(
                        "metric `{}` cannot use output `{}`: metrics are computed before decisions",
                        metric.name,
                        symbols.name(dep)
                    ))
                    .help("compute it in a decision instead");
                diags.push(d.rule(metric.name.clone()));
            }
        }
    }
    let metrics = order_metrics(symbols, compiled, diags);
    let decisions = order_decisions(symbols, compiled, diags);
    Order {
        pre,
        metrics,
        decisions,
    }
}

fn deps(e: &Expr) -> impl Iterator<Item = Slot> + '_ {
    e.vars.iter().map(|(_, s)| *s)
}

/// The metrics the population figures need, directly or through other metrics; reports
/// figures that use figures or outputs, and needed metrics that use figures.
fn population_inputs(symbols: &Symbols, compiled: &Compiled, diags: &mut Sink) -> HashSet<Slot> {
    let mut stack: Vec<(Slot, &str)> = Vec::new();
    for fig in compiled.population.values() {
        let exprs = std::iter::once(&fig.of).chain(&fig.filter).chain(&fig.by);
        for (slot, e) in exprs.flat_map(|e| deps(e).map(move |slot| (slot, e))) {
            match symbols.kind(slot) {
                SlotKind::Metric => stack.push((slot, &fig.name)),
                kind @ (SlotKind::Population | SlotKind::Output) => {
                    // At the expression that uses it (`of`, `where:` or `by:`).
                    let d = e.origin.error(format!(
                        "population figure `{}` cannot use {} `{}`: population figures are computed from fields and metrics",
                        fig.name,
                        kind.noun(),
                        symbols.name(slot)
                    ));
                    diags.push(d.rule(fig.name.clone()));
                }
                SlotKind::Field | SlotKind::Context | SlotKind::Past => {}
            }
        }
    }
    let mut pre: HashSet<Slot> = HashSet::new();
    while let Some((slot, figure)) = stack.pop() {
        if !pre.insert(slot) {
            continue;
        }
        let Some(metric) = compiled.metrics.get(&slot) else {
            continue;
        };
        for dep in deps(&metric.expr) {
            match symbols.kind(dep) {
                SlotKind::Metric => stack.push((dep, figure)),
                SlotKind::Population => {
                    let d = metric.expr.origin.error(format!(
                        "metric `{}` is needed by population figure `{figure}`, so it cannot use population figure `{}`",
                        metric.name,
                        symbols.name(dep)
                    ));
                    diags.push(d.rule(metric.name.clone()));
                }
                _ => {}
            }
        }
    }
    pre
}

/// A depth-first walk of the metrics' dependencies.
struct MetricWalk<'a> {
    symbols: &'a Symbols,
    compiled: &'a Compiled,
    /// 1 = being visited, 2 = done.
    state: HashMap<Slot, u8>,
    path: Vec<Slot>,
    order: Vec<Slot>,
}

/// Metrics in an order where each comes after the metrics it uses; a cycle is an error.
fn order_metrics(symbols: &Symbols, compiled: &Compiled, diags: &mut Sink) -> Vec<Slot> {
    let mut walk = MetricWalk {
        symbols,
        compiled,
        state: HashMap::new(),
        path: Vec::new(),
        order: Vec::new(),
    };
    for &start in compiled.metrics.keys() {
        walk.path.clear();
        walk.visit(start, diags);
    }
    walk.order
}

impl MetricWalk<'_> {
    fn visit(&mut self, slot: Slot, diags: &mut Sink) {
        match self.state.get(&slot) {
            Some(2) => return,
            Some(1) => {
                let start = self.path.iter().position(|&s| s == slot).unwrap_or(0);
                let cycle: Vec<&str> = self.path[start..]
                    .iter()
                    .chain([&slot])
                    .map(|&s| self.symbols.name(s))
                    .collect();
                // At the reference that closes the cycle: in the last metric of the path.
                let last = self.path.last().copied().unwrap_or(slot);
                if let Some(metric) = self.compiled.metrics.get(&last) {
                    let e = &metric.expr;
                    let name = self.symbols.name(slot);
                    let at = use_of(e, name).unwrap_or((e.origin.line, e.origin.column));
                    let msg = format!(
                        "metrics depend on each other in a cycle: {}",
                        cycle.join(" -> ")
                    );
                    let d = Diagnostic::error(&e.origin.file, at.0, at.1, msg);
                    diags.push(d.rule(&metric.name).width(name.chars().count()));
                }
                return;
            }
            _ => {}
        }
        self.state.insert(slot, 1);
        self.path.push(slot);
        let compiled = self.compiled;
        for dep in compiled
            .metrics
            .get(&slot)
            .into_iter()
            .flat_map(|m| deps(&m.expr))
        {
            if self.symbols.kind(dep) == SlotKind::Metric {
                self.visit(dep, diags);
            }
        }
        self.path.pop();
        self.state.insert(slot, 2);
        self.order.push(slot);
    }
}

/// Decisions in declared order, except that a decision runs after every decision whose
/// outputs it uses. A cycle is an error naming the decisions.
fn order_decisions(symbols: &Symbols, compiled: &Compiled, diags: &mut Sink) -> Vec<usize> {
    let n = compiled.decisions.len();
    let name = |i: usize| symbols.decisions.get(i).map_or("", |d| d.name.as_str());
    let mut needs: Vec<HashSet<usize>> = vec![HashSet::new(); n];
    for (i, d) in compiled.decisions.iter().enumerate() {
        let Some(d) = d else { continue };
        for e in d.exprs() {
            for slot in deps(e) {
                match symbols.producer(slot) {
                    Some(j) if j == i => {
                        let msg = format!(
                            "decision `{}` uses its own output `{}`",
                            d.name,
                            symbols.name(slot)
                        );
                        let output = symbols.name(slot);
                        let at = use_of(e, output).unwrap_or((e.origin.line, e.origin.column));
                        let d = Diagnostic::error(&e.origin.file, at.0, at.1, msg);
                        diags.push(d.rule(name(i)).width(output.chars().count()));
                    }
                    Some(j) if j < n => {
                        needs[i].insert(j);
                    }
                    _ => {}
                }
            }
        }
    }
    let mut done = vec![false; n];
    let mut order = Vec::with_capacity(n);
    while order.len() < n {
        let Some(next) = (0..n).find(|&i| !done[i] && needs[i].iter().all(|&j| done[j])) else {
            diags.push(decision_cycle(symbols, compiled, &needs, &done));
            break;
        };
        done[next] = true;
        order.push(next);
    }
    order
}

/// The error for decisions that cannot be ordered: one cycle among them, in order, at the
/// reference that closes it (where the last decision uses an output of the first).
fn decision_cycle(
    symbols: &Symbols,
    compiled: &Compiled,
    needs: &[HashSet<usize>],
    done: &[bool],
) -> Diagnostic {
    let name = |i: usize| symbols.decisions.get(i).map_or("", |d| d.name.as_str());
    // Every decision left needs another one left: following the first need of each from the
    // first one left comes back to a decision already on the path.
    let mut path: Vec<usize> = (0..done.len()).find(|&i| !done[i]).into_iter().collect();
    for _ in 0..done.len() {
        let Some(&last) = path.last() else { break };
        let Some(&next) = needs[last].iter().filter(|&&j| !done[j]).min() else {
            break;
        };
        if let Some(start) = path.iter().position(|&p| p == next) {
            path.drain(..start);
            break;
        }
        path.push(next);
    }
    let cycle: Vec<String> = path
        .iter()
        .chain(path.first())
        .map(|&i| format!("`{}`", name(i)))
        .collect();
    let msg = format!(
        "decisions depend on each other's outputs in a cycle: {}",
        cycle.join(" -> ")
    );
    let (Some(&last), Some(&first)) = (path.last(), path.first()) else {
        return Diagnostic::file_error(Path::new("rules"), msg);
    };
    // Where `last` uses an output of `first`.
    let closing = compiled
        .decisions
        .get(last)
        .and_then(Option::as_ref)
        .and_then(|d| {
            d.exprs().find_map(|e| {
                e.vars
                    .iter()
                    .find(|(_, slot)| symbols.producer(*slot) == Some(first))
                    .and_then(|(var, _)| use_of(e, var).map(|at| (e, var.to_string(), at)))
            })
        });
    match closing {
        Some((e, var, (line, column))) => {
            let mut d = Diagnostic::error(&e.origin.file, line, column, msg)
                .rule(name(last))
                .width(var.chars().count());
            d.help = Some(format!(
                "here `{}` uses `{var}`, an output of `{}`",
                name(last),
                name(first)
            ));
            d
        }
        None => Diagnostic::file_error(Path::new("rules"), msg),
    }
}

/// The file position of the first use of the variable `name` in `e`.
fn use_of(e: &Expr, name: &str) -> Option<(usize, usize)> {
    let mut found = None;
    e.ast.walk(&mut |path: &[rhai::ASTNode]| {
        if let Some(rhai::ASTNode::Expr(rhai::Expr::Variable(v, _, pos))) = path.last()
            && v.1 == name
            && found.is_none()
        {
            found = Some(
                e.origin
                    .map(pos.line().unwrap_or(1), pos.position().unwrap_or(1)),
            );
        }
        true
    });
    found
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn metrics_follow_the_metrics_they_use_and_figures_split_them() {
        let set = loads(&[(
            "a.yaml",
            &format!(
                "metrics:\n  late: base * 2\n  base: annual_sales / 12\n  other: late + rank\npopulation:\n  rank: {{ rank_of: late }}\n{DECISION}"
            ),
        )]);
        let pre: Vec<&str> = set.metrics_pre.iter().map(|m| m.name.as_str()).collect();
        let post: Vec<&str> = set.metrics_post.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(pre, ["base", "late"]);
        assert_eq!(post, ["other"]);
    }

    #[test]
    fn decisions_follow_the_decisions_whose_outputs_they_use() {
        let set = loads(&[
            (
                "a.yaml",
                "decisions:\n  - name: seg\n    rules:\n      - { id: s1, when: 'tier == \"A\"', then: { seg: top } }\n      - { id: s2, then: { seg: rest } }\n",
            ),
            ("b.yaml", DECISION),
        ]);
        let names: Vec<&str> = set.decisions.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["tier", "seg"]);
        let outputs: Vec<&str> = set.outputs.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(outputs, ["tier", "seg"]);
    }

    #[test]
    fn figures_use_fields_and_metrics_only() {
        assert_eq!(
            errors(&[(
                "a.yaml",
                &format!(
                    "metrics:\n  m1: annual_sales * 2\n  m2: p1 + m1\n  m3: tier\npopulation:\n  p1: {{ percentile_of: m1 }}\n  p2: {{ share_of: m2 }}\n  p3: {{ rank_of: tier }}\n  p4: {{ rank_of: annual_sales, where: p2 > 0 }}\n{DECISION}"
                ),
            )]),
            [
                "error rules/a.yaml:8:18 [p3]: population figure `p3` cannot use output `tier`: population figures are computed from fields and metrics",
                "error rules/a.yaml:9:39 [p4]: population figure `p4` cannot use population figure `p2`: population figures are computed from fields and metrics",
                "error rules/a.yaml:3:7 [m2]: metric `m2` is needed by population figure `p2`, so it cannot use population figure `p1`",
                "error rules/a.yaml:4:7 [m3]: metric `m3` cannot use output `tier`: metrics are computed before decisions | help: compute it in a decision instead",
            ]
        );
    }

    #[test]
    fn cycles_are_errors_naming_their_members() {
        assert_eq!(
            errors(&[(
                "a.yaml",
                "metrics:\n  m1: m2 + 1\n  m2: m1 * 2\n  m3: m3 + 1\ndecisions:\n  - name: d1\n    rules:\n      - { id: a, when: 'o2 == \"x\" && o1 == \"y\"', then: { o1: x } }\n  - name: d2\n    rules:\n      - { id: b, then: { o2: '= o1' } }\n"
            ),]),
            [
                "error rules/a.yaml:3:7 [m2]: metrics depend on each other in a cycle: m1 -> m2 -> m1",
                "error rules/a.yaml:4:7 [m3]: metrics depend on each other in a cycle: m3 -> m3",
                "error rules/a.yaml:8:38 [d1]: decision `d1` uses its own output `o1`",
                "error rules/a.yaml:11:33 [d2]: decisions depend on each other's outputs in a cycle: `d1` -> `d2` -> `d1` | help: here `d2` uses `o1`, an output of `d1`",
                "warning rules/a.yaml:8:41 [a]: output `o1` is never \"y\" | help: its values are: x",
            ]
        );
    }

    #[test]
    fn a_cycle_through_scales_is_pointed_at_in_the_scale_that_closes_it() {
        assert_eq!(
            errors(&[(
                "a.yaml",
                "decisions:\n  - name: e2\n    output: e2o\n    scale: { of: e3o, bands: [ { id: f, value: 1 } ] }\n  - name: e3\n    output: e3o\n    scale: { of: e2o, bands: [ { id: g, value: 1 } ] }\n"
            )]),
            [
                "error rules/a.yaml:7:18 [e3]: decisions depend on each other's outputs in a cycle: `e2` -> `e3` -> `e2` | help: here `e3` uses `e2o`, an output of `e2`"
            ]
        );
    }
}
