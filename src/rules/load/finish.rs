//! The last pass: assemble the [`RuleSet`] from what the passes produced, once there is no
//! error. Metrics are split into those the population figures need and the others, decisions
//! put in evaluation order; the fields some expression reads are noted (only these are
//! loaded into the frame).

use super::compile::Compiled;
use super::files::RuleFiles;
use super::history::{self, Past, PastSlots};
use super::kinds::SlotKinds;
use super::order::Order;
use super::scripts::Scripts;
use super::symbols::Symbols;
use crate::rules::{Expr, Held, Limits, Output, PastValue, RuleSet, Slot, SlotKind};
use std::collections::HashSet;

/// The rule set, the kinds of its metrics and outputs, and of what each population figure
/// ranks (what the late type checks read).
pub(super) fn assemble(
    files: RuleFiles,
    scripts: Scripts,
    symbols: Symbols,
    mut compiled: Compiled,
    order: Order,
    limits: &Limits,
) -> (RuleSet, SlotKinds, Vec<Option<crate::value::ValueKind>>) {
    let (mut metrics_pre, mut metrics_post) = (Vec::new(), Vec::new());
    for slot in order.metrics {
        if let Some(m) = compiled.metrics.remove(&slot) {
            if order.pre.contains(&slot) {
                metrics_pre.push(m)
            } else {
                metrics_post.push(m)
            }
        }
    }
    let population: Vec<_> = compiled.population.into_values().collect();
    let decisions: Vec<_> = order
        .decisions
        .into_iter()
        .filter_map(|i| compiled.decisions.get_mut(i).and_then(Option::take))
        .collect();
    let mut outputs: Vec<Output> = decisions
        .iter()
        .flat_map(|d| d.outputs.iter().chain(&d.capped_by))
        .map(|&slot| Output {
            name: symbols.name(slot).to_owned(),
            slot,
        })
        .collect();
    let field_kinds = symbols.field_kinds;
    let mut slots = symbols.slots;
    let (past, held) = history(&mut slots, &compiled.past, &mut outputs);

    let mut set = RuleSet {
        fingerprint: files.fingerprint,
        logic_fingerprint: files.logic_fingerprint,
        files: files.paths,
        as_of: symbols.as_of,
        period: symbols.period,
        slots,
        field_count: symbols.field_count,
        used_fields: Vec::new(),
        metrics_pre,
        population,
        metrics_post,
        decisions,
        outputs,
        rule_ids: compiled.rule_ids.ids,
        rule_origins: compiled.rule_ids.origins,
        summary: compiled.summary,
        limits: limits.clone(),
        scripts: scripts.module,
        max_locals: 0,
        past,
        held,
        output_kinds: Vec::new(),
        output_decimal: Vec::new(),
        // Those on columns that declare no type, and switch cases (whole number or
        // decimal), for the check once the data is read.
        operations: compiled
            .operations
            .into_iter()
            .filter(|o| o.reads_undeclared() || o.op == super::operations::SWITCH_CASE)
            .collect(),
    };
    set.used_fields = used_fields(&set);
    set.max_locals = max_locals(&set);
    let kinds = super::kinds::slot_kinds(&set, &field_kinds);
    set.output_kinds = super::kinds::output_kinds(&set, &kinds);
    // An output the kinds say is text is none, whatever decimals its formula adds to it.
    set.output_decimal = (super::decimals::decimal_outputs(&set).into_iter())
        .zip(&set.output_kinds)
        .map(|(decimal, kind)| decimal && *kind != Some(crate::value::ValueKind::Text))
        .collect();
    let ranked = super::kinds::ranked_kinds(&set, &field_kinds, &kinds);
    (set, kinds, ranked)
}

/// The most columns a SQLite table or view holds (its default `SQLITE_MAX_COLUMN`, which
/// the bundled SQLite keeps).
const SQLITE_COLUMNS: usize = 2000;

/// The most outputs a policy table holds: the view `customer_policy_by_period` shows each
/// beside six columns (the run, the customer, the period, its kind, the as-of date and the
/// rule ids), and a view past SQLite's columns cannot be read.
pub const MOST_OUTPUTS: usize = SQLITE_COLUMNS - 6;

/// An error at the decision whose outputs no longer fit the policy table ([`MOST_OUTPUTS`]):
/// a `for_each` over 2,500 categories passed `check`, evaluated every customer and then
/// failed on SQLite's "too many columns", naming no rule. The columns a `held.x` stores come
/// after every decision's: past the last one, it is named.
pub(super) fn check_columns(set: &RuleSet, diags: &mut super::Sink) {
    if set.outputs.len() <= MOST_OUTPUTS {
        return;
    }
    let mut count = 0;
    let with_rows = |d: &&crate::rules::Decision| !d.rows.is_empty() || !d.caps.is_empty();
    let last = set.decisions.iter().rfind(with_rows);
    let past = (set.decisions.iter().filter(with_rows))
        .find(|d| {
            count += d.outputs.len() + usize::from(d.capped_by.is_some());
            count > MOST_OUTPUTS
        })
        .or(last);
    let Some(d) = past else { return };
    let first = (d.rows.first().map(|r| r.rule)).or(d.caps.first().map(|c| c.rule));
    let origin = &set.rule_origins[first.unwrap_or_default() as usize];
    diags
        .error(
            &origin.file,
            origin.line,
            origin.column,
            format!(
                "the rules give {} outputs, more than the {} a policy table holds (SQLite's {} columns, less 6 the views show beside them: the run, the customer, the period, its kind, the date and the rule ids): decision `{}` is past them",
                crate::text::thousands(set.outputs.len() as f64),
                crate::text::thousands(MOST_OUTPUTS as f64),
                crate::text::thousands(SQLITE_COLUMNS as f64),
                d.name
            ),
        )
        .help = Some(
        "give fewer outputs: a `for_each` over many items writes a column per item and output (keep the items as rows of a table of their own instead); each `held.x` the rules read stores one more".into(),
    );
}

/// The history slots (after every declared name) and, for each `held.x` read, the output
/// `held.x` this period stores (after the declared outputs).
fn history(
    slots: &mut Vec<(String, SlotKind)>,
    past: &PastSlots,
    outputs: &mut Vec<Output>,
) -> (Vec<PastValue>, Vec<Held>) {
    let base = slots.len();
    slots.extend(past.slots());
    let values: Vec<PastValue> = past
        .entries
        .iter()
        .enumerate()
        .map(|(i, (what, output, _))| PastValue {
            slot: base + i,
            back: what.back(),
            column: what.column(output),
            read: past.read[i],
        })
        .collect();
    let mut held = Vec::new();
    for (i, (what, output, _)) in past.entries.iter().enumerate() {
        if *what != Past::Held {
            continue;
        }
        // Both exist: `held.x` was accepted only for an output `x`, and brought `previous.x`.
        let of = outputs.iter().find(|o| o.name == *output).map(|o| o.slot);
        let previous = past.find(&format!("previous.{output}"));
        let (Some(of), Some(previous)) = (of, previous) else {
            continue;
        };
        let slot = slots.len();
        let name = history::held_column(output);
        slots.push((name.clone(), SlotKind::Output));
        outputs.push(Output { name, slot });
        held.push(Held {
            slot,
            of,
            previous,
            previous_held: base + i,
        });
    }
    (values, held)
}

/// Every expression of a rule set.
fn exprs(set: &RuleSet) -> impl Iterator<Item = &Expr> {
    let metrics = set
        .metrics_pre
        .iter()
        .chain(&set.metrics_post)
        .map(|m| &m.expr);
    let population = set
        .population
        .iter()
        .flat_map(|f| std::iter::once(&f.of).chain(&f.filter).chain(&f.by));
    let decisions = set.decisions.iter().flat_map(|d| d.exprs());
    metrics
        .chain(population)
        .chain(decisions)
        .chain(set.summary.exprs())
}

/// The most locals any fast-path expression needs (inlined script functions' parameters and
/// `let`s): every worker sizes its locals once, and a condition takes the fast path only
/// when they are enough.
fn max_locals(set: &RuleSet) -> usize {
    exprs(set)
        .filter_map(|e| e.native.as_ref())
        .map(|n| n.locals)
        .max()
        .unwrap_or(0)
}

/// The fields some expression reads or the summary counts by, in slot order.
fn used_fields(set: &RuleSet) -> Vec<Slot> {
    let is_field = |s: &Slot| *s < set.field_count;
    let mut used: HashSet<Slot> = exprs(set)
        .flat_map(|e| e.vars.iter().map(|(_, s)| *s))
        .filter(is_field)
        .collect();
    used.extend(
        set.summary
            .count_by
            .iter()
            .map(|(_, s)| *s)
            .filter(is_field),
    );
    let mut used: Vec<Slot> = used.into_iter().collect();
    used.sort_unstable();
    used
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::rules::Condition;

    #[test]
    fn only_the_fields_the_rules_read_are_loaded() {
        let set = loads(&[(
            "a.yaml",
            &format!(
                "metrics:\n  m: overdue_days * 2\nsummary:\n  count_by: [region, tier]\n{DECISION}"
            ),
        )]);
        assert_eq!(
            set.loaded_fields(),
            ["annual_sales", "overdue_days", "region"]
        );
        assert_eq!(set.used_fields, [1, 2, 4]);
    }

    #[test]
    fn max_locals_is_the_most_any_fast_path_expression_needs() {
        let set = loads(&[
            (
                "a.yaml",
                "metrics:\n  small: one(annual_sales)\ndecisions:\n  - name: t\n    rules:\n      - { id: a, when: 'three(annual_sales) > 2', then: { t: A } }\n      - { id: b, then: { t: B } }\n",
            ),
            (
                "s.rhai",
                "fn one(x) { x }\nfn three(x) { let y = x * 2; let z = y + 1; z }\n",
            ),
        ]);
        let Condition::When(when) = &set.decisions[0].rows[0].condition else {
            panic!("a condition")
        };
        let needs = when.native.as_ref().expect("the fast path").locals;
        assert_eq!(needs, 3, "the parameter and two lets");
        assert_eq!(
            set.metrics_post[0].expr.native.as_ref().map(|n| n.locals),
            Some(1)
        );
        assert_eq!(set.max_locals, 3);
        assert_eq!(loads(&[("a.yaml", DECISION)]).max_locals, 0);
    }

    #[test]
    fn the_rule_set_keeps_files_fingerprint_limits_and_scripts() {
        let (set, warnings) = load(&[
            (
                "a.yaml",
                &format!("metrics:\n  d: double(annual_sales)\n{DECISION}"),
            ),
            ("s.rhai", "fn double(x) { x * 2 }\n"),
        ])
        .unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        let files: Vec<String> = set
            .files
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(files, ["a.yaml", "s.rhai"]);
        assert_eq!(set.fingerprint.len(), 16);
        assert_eq!(set.limits, crate::script::Limits::default());
        assert!(set.scripts.is_some());
        assert_eq!(set.rule_ids, ["big", "rest"]);
        let engine = set.new_engine();
        assert_eq!(engine.eval::<i64>("double(21)").unwrap(), 42);
    }
}
