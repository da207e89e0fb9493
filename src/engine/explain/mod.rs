//! Why a customer got its policy: the customer is evaluated by the same code as in a batch run,
//! with a trace switched on, and the trace is put in words an admin can read.

use super::errors::rule_label;
use super::groups::GroupKey;
use super::observer::{DecisionLog, Trace};
use super::{Evaluator, Outcomes, Tally, Worker};
use crate::rules::hit::RanksBy;
use crate::rules::{Condition, Decision, Expr, GridCell, RuleIdx, RuleSet, ValueExpr};
use crate::value::Value;
use rhai::{Dynamic, Scope};

pub use super::recorded::{LatestRun, Recorded, RecordedDifference};

mod steps;

pub use steps::*;

fn named(name: &str, v: &Value<'_>) -> Named {
    Named {
        name: name.to_owned(),
        value: v.to_json(),
    }
}

impl<'a> Evaluator<'a> {
    /// Evaluates customer `i` with a trace and explains every step; when the evaluation
    /// fails, explains the steps before the error.
    pub fn explain(&self, i: usize) -> Result<Explanation, Box<Failed>> {
        let rules = self.rules;
        let mut w = Worker::observed(self, Trace::default());
        let mut out = Outcomes::new(rules);
        let evaluated = w.customer_keeping_fired(i, &mut out, &mut Tally::new(rules));
        let trace = std::mem::take(&mut w.observer);

        // A value its column does not hold: no field was read (NULL would be shown).
        let read = self.data.unreadable_at(i).is_none();
        let fields = (rules.used_fields.iter().filter(|_| read))
            .map(|&s| named(rules.slot_name(s), &w.frame[s]))
            .collect();
        // Those the evaluation got to: all of them unless it failed.
        let post = &rules.metrics_post[..trace.metrics.min(rules.metrics_post.len())];
        let metrics = rules
            .metrics_pre
            .iter()
            .chain(post)
            .map(|m| named(&m.name, &w.frame[m.slot]))
            .collect();
        let mut population = Vec::new();
        for (k, f) in rules.population.iter().enumerate() {
            let input = w.eval(&f.of).map(|v| v.to_json()).unwrap_or_default();
            // The group it was ranked in (`by:`), as the population pass keys it.
            let group = f.by.as_ref().map(|by| w.eval(by).unwrap_or_default());
            let passes =
                (f.filter.as_ref()).is_none_or(|e| matches!(w.eval(e), Ok(Value::Bool(true))));
            let key = group.as_ref().and_then(|g| GroupKey::of(g).ok().flatten());
            let ranking = self.ranking(k, key.as_ref());
            let ranked = match ranking {
                Some(r) => r.len(),
                // In no group (NULL), or its group ranked nobody else.
                None if f.by.is_some() && !self.rankings.is_empty() => 0,
                // Figures set by hand (test cases): those given.
                None => self
                    .precomputed
                    .iter()
                    .find(|(s, _)| *s == f.slot)
                    .map_or(0, |(_, col)| col.iter().filter(|v| !v.is_null()).count()),
            };
            // Said after the figure: the population it is of.
            let among = match (&f.by, &group) {
                (Some(by), Some(g)) if !g.is_null() => {
                    format!(
                        ", among the customers with {} = {}",
                        by.text.trim(),
                        g.to_json()
                    )
                }
                _ => String::new(),
            };
            let value = w.frame[f.slot].clone();
            // How many ranked customers are better, and how many share its value (itself too).
            let placed =
                (value.as_f64().and(input.as_f64())).and_then(|v| Some(ranking?.above_and_tied(v)));
            population.push(Figure {
                name: f.name.clone(),
                statistic: f.statistic.name(),
                meaning: match value.as_f64() {
                    Some(x) => {
                        let meaning = (f.statistic).meaning(x, ranked);
                        // A tile says nothing of where in it: how many are better, how many tied.
                        match placed {
                            Some((above, tied)) if f.statistic.takes_params() => format!(
                                "{meaning}; {} better, {} tied with it{among}",
                                crate::text::thousands(above as f64),
                                crate::text::thousands(tied.saturating_sub(1) as f64)
                            ),
                            // A tie is why a customer straddling a boundary goes up.
                            Some((_, tied)) if tied > 1 => format!(
                                "{meaning}; {} tied with it, sharing its figure{among}",
                                crate::text::thousands((tied - 1) as f64)
                            ),
                            _ => format!("{meaning}{among}"),
                        }
                    }
                    // Ranked, yet no figure: a share of a total of 0 (amounts that net out).
                    None if ranking.map(|r| r.total()) == Some(0.0)
                        && !input.is_null()
                        && passes =>
                    {
                        format!(
                            "no figure: the total of `{}` over the ranked customers is 0{among}",
                            f.of.text.trim()
                        )
                    }
                    None => match (&f.by, &group) {
                        (Some(by), Some(g)) if g.is_null() && !input.is_null() && passes => {
                            format!("not ranked: `by: {}` is NULL", by.text.trim())
                        }
                        _ => not_ranked(&f.of.text, input.is_null(), f.filter.as_ref()),
                    },
                },
                of: f.of.text.clone(),
                input,
                value: value.to_json(),
                ranked,
                better: placed.map(|(above, _)| above),
                tied: placed.map(|(_, tied)| tied.saturating_sub(1)),
            });
        }
        // The rules that fired (before the failure, if it failed).
        let fired = &out.fired;
        // A failure in a decision is in the one started last (a summary total's comes after
        // every decision).
        let started = trace.decisions.len();
        let failing = match &evaluated {
            Err(e) if trace.decided < started => Some((started - 1, e.rule.as_str())),
            _ => None,
        };
        let decisions = (rules.decisions.iter().zip(trace.decisions).enumerate())
            .map(|(k, (d, log))| {
                let failed = failing.filter(|(at, _)| *at == k).map(|(_, label)| label);
                trace_decision(&mut w, d, log, i, fired, failed)
            })
            .collect();
        let explanation = Explanation {
            customer: self.data.id_text(i),
            fingerprint: rules.fingerprint.clone(),
            as_of: self.context.as_of.to_string(),
            period: self.context.period.to_string(),
            customers: self.data.len,
            fields,
            metrics,
            population,
            decisions,
            rule_ids: fired
                .iter()
                .map(|&r| rules.rule_ids[r as usize].clone())
                .collect(),
            outputs: (rules.outputs.iter())
                .map(|o| named(&o.name, &w.frame[o.slot]))
                .collect(),
            failed_at: evaluated.as_ref().err().map(|e| e.rule.clone()),
            recorded: None,
            latest_run: None,
            after_today: None,
            stale_history: None,
            unreadable_data: None,
            period_pruned: false,
            history_read: Vec::new(),
            boundaries: boundaries(&rules.decisions),
        };
        match evaluated {
            Ok(()) => Ok(explanation),
            Err(error) => Err(Box::new(Failed {
                so_far: explanation,
                error,
            })),
        }
    }
}

/// The numeric constants of the decisions' conditions and formulas (`= pct >= 0.8` compares
/// too), and the limits of their bands.
fn boundaries(decisions: &[Decision]) -> Vec<f64> {
    let mut out = Vec::new();
    let mut constants = |e: &crate::rules::Expr| {
        e.ast.walk(&mut |path: &[rhai::ASTNode]| {
            match path.last() {
                Some(rhai::ASTNode::Expr(rhai::Expr::FloatConstant(f, _))) => out.push(**f),
                Some(rhai::ASTNode::Expr(rhai::Expr::IntegerConstant(i, _))) => out.push(*i as f64),
                _ => {}
            }
            true
        });
    };
    let mut bands: Vec<f64> = Vec::new();
    for row in decisions.iter().flat_map(|d| &d.rows) {
        match &row.condition {
            Condition::Always => {}
            Condition::Band { from, below } => bands.extend(from.iter().chain(below)),
            Condition::When(e) => constants(e),
        }
        for (_, value) in &row.values {
            if let crate::rules::ValueExpr::Formula(e) = value {
                constants(e);
            }
        }
    }
    out.extend(bands);
    // `x < -0.5` may be a negation of a constant.
    let negated: Vec<f64> = out.iter().map(|c| -c).collect();
    out.extend(negated);
    out.sort_by(f64::total_cmp);
    out.dedup();
    out
}

/// Why a customer has no population figure: its value is NULL, or it is outside `where`.
fn not_ranked(of: &str, input_is_null: bool, filter: Option<&Expr>) -> String {
    match filter {
        _ if input_is_null => format!("not ranked: `{of}` is NULL"),
        Some(filter) => format!("not ranked: outside `where: {}`", filter.text.trim()),
        None => "not ranked".into(),
    }
}

fn trace_decision<'a>(
    w: &mut Worker<'_, 'a, Trace>,
    d: &'a Decision,
    log: DecisionLog,
    i: usize,
    fired: &[RuleIdx],
    failed: Option<&str>,
) -> DecisionTrace {
    let rules = w.ev.rules;
    let id = |r: RuleIdx| rules.rule_ids[r as usize].clone();
    let mut rows = Vec::new();
    for (rule, matched) in &log.rows {
        let Some(row) = d.rows.iter().find(|r| r.rule == *rule) else {
            continue;
        };
        let not_in_effect = log
            .not_in_effect
            .contains(rule)
            .then(|| row.effective.map(|w| w.to_string()).unwrap_or_default());
        rows.push(trace_row(w, d, row, *matched, not_in_effect, i));
    }
    // The evaluation failed in this decision: at a row tried (its value), or at the row it
    // was trying (its condition).
    let failing = failed.and_then(|label| {
        let row = d.rows.iter().find(|r| rule_label(rules, r.rule) == label)?;
        match rows.iter().position(|t| t.id == id(row.rule)) {
            Some(k) => Some((k, row)),
            None => {
                rows.push(trace_row(w, d, row, false, None, i));
                Some((rows.len() - 1, row))
            }
        }
    });
    if let Some((k, row)) = failing {
        rows[k].failed = true;
        rows[k].gives.clear();
        rows[k].failed_at = None;
        // Failed in a value's formula (its condition held, or it has none): the values the
        // formulas read (`previous.paid_ytd = NULL`), as a condition's are shown.
        if rows[k].inputs.is_empty() {
            for e in row.values.iter().filter_map(|(_, v)| v.formula()) {
                for input in inputs_of(w, e) {
                    if !rows[k].inputs.iter().any(|n| n.name == input.name) {
                        rows[k].inputs.push(input);
                    }
                }
            }
        }
    }
    let not_tried = d
        .rows
        .iter()
        .map(|r| id(r.rule))
        .filter(|r| !rows.iter().any(|t| t.id == *r))
        .collect();
    // The value as its kind is (a whole number of months is not `0.0`); the number the
    // scale compared when it cannot be evaluated again.
    let scale = d.scale_of.as_ref().map(|e| Named {
        name: e.text.clone(),
        value: match (w.eval(e), log.scale) {
            (Ok(v), Some(x)) if v.as_f64() == Some(x) => v.to_json(),
            (_, scale) => scale.map_or(serde_json::Value::Null, serde_json::Value::from),
        },
    });
    // (A decision that failed chose nothing.)
    let chosen = (d.rows.iter())
        .find(|r| failed.is_none() && fired.contains(&r.rule))
        .and_then(|r| why_chosen(d, rules, &rows, &id(r.rule)));
    DecisionTrace {
        chosen,
        name: d.name.clone(),
        hit: d.hit.name().to_owned(),
        aggregate: d.hit.shape().combines_values.then(|| {
            d.aggregate
                .unwrap_or(crate::rules::Aggregate::Sum)
                .name()
                .to_owned()
        }),
        scale,
        rows,
        not_tried,
        outputs: match failed {
            Some(_) => Vec::new(),
            None => (d.outputs.iter())
                .map(|&s| named(rules.slot_name(s), &w.frame[s]))
                .collect(),
        },
        before_round_and_caps: log.unbounded,
        rounded_output: (d.bounded_output).map(|k| rules.slot_name(d.outputs[k]).to_owned()),
        rounded: match (log.unbounded, d.round, log.caps.is_empty()) {
            (Some(x), Some(round), false) => Some(super::bounds::round_value(x, round).1.to_json()),
            _ => None,
        },
        limits: (d.caps.iter())
            .filter_map(|c| {
                (log.limits.iter()).find(|(rule, side, _)| *rule == c.rule && *side == c.bound)
            })
            .map(|&(rule, side, value)| {
                let cap = d.caps.iter().find(|c| c.rule == rule && c.bound == side);
                let formula = cap.and_then(|c| c.value.formula());
                LimitTrace {
                    id: id(rule),
                    side: match side {
                        crate::rules::Bound::Min => "min",
                        crate::rules::Bound::Max => "max",
                    },
                    value,
                    bound: log.caps.contains(&(rule, side)),
                    formula: formula.map(|e| e.text.trim().to_owned()),
                    with: formula.map_or_else(Vec::new, |e| inputs_of(w, e)),
                }
            })
            .collect(),
        // A cap whose floor and ceiling both bound (their formulas cross) is named once.
        capped_by: log.caps.iter().fold(Vec::new(), |mut ids, &(rule, _)| {
            let rule = id(rule);
            if !ids.contains(&rule) {
                ids.push(rule);
            }
            ids
        }),
        failed: failed.is_some(),
        // Given only when no row matched (and the decision finished).
        defaults: if failed.is_some() || log.rows.iter().any(|(_, m)| *m) {
            Vec::new()
        } else {
            d.defaults
                .iter()
                .zip(&d.outputs)
                .filter(|(v, _)| v.is_some())
                .map(|(_, &s)| rules.slot_name(s).to_owned())
                .collect()
        },
    }
}

/// Row `row` of decision `d` as customer `i` met it.
fn trace_row<'a>(
    w: &mut Worker<'_, 'a, Trace>,
    d: &'a Decision,
    row: &'a crate::rules::Row,
    matched: bool,
    not_in_effect: Option<String>,
    i: usize,
) -> RowTrace {
    let rules = w.ev.rules;
    let (when, inputs, mut failed_at) = trace_condition(w, row, matched || not_in_effect.is_some());
    let mut gives = Vec::new();
    if matched {
        for (k, v) in &row.values {
            if let Ok(value) = w.value(v, i, row.rule) {
                let formula = match v {
                    ValueExpr::Formula(e) => Some(e),
                    ValueExpr::Const(_) => None,
                };
                gives.push(Given {
                    name: rules.slot_name(d.outputs[*k]).to_owned(),
                    value: value.to_json(),
                    formula: formula.map(|e| e.text.trim().to_owned()),
                    with: formula.map_or_else(Vec::new, |e| inputs_of(w, e)),
                });
            }
        }
    }
    // A grid row's cells (`explain` shows them instead of the built condition).
    let cells = match &row.cells {
        Some(cells) => trace_cells(w, cells),
        None => Vec::new(),
    };
    // A grid row fails at its first cell that does not hold (as a `when:` at its part).
    if !matched && failed_at.is_none() {
        failed_at = cells
            .iter()
            .find(|c| c.tried && c.holds == Some(false))
            .map(|c| c.test.clone());
    }
    let band = match row.condition {
        Condition::Band { from, below } => Some(BandTrace { from, below }),
        _ => None,
    };
    RowTrace {
        id: rules.rule_ids[row.rule as usize].clone(),
        when,
        inputs,
        matched,
        failed: false,
        failed_at,
        not_in_effect,
        gives,
        cells,
        band,
    }
}

/// Why a hit policy that chooses among the rows that matched by their values took row
/// `chosen`, when more than one matched: `priority` by the declared `values:`, `max` and
/// `min` by their `by:` output.
fn why_chosen(d: &Decision, rules: &RuleSet, rows: &[RowTrace], chosen: &str) -> Option<Chosen> {
    let matched: Vec<&RowTrace> = rows.iter().filter(|r| r.matched).collect();
    let winner = matched.iter().find(|r| r.id == chosen)?;
    if matched.len() < 2 {
        return None;
    }
    // The output the policy compares, how the winner's value compares, and what decides
    // between rows with the same value.
    let earlier = "the earlier row wins";
    let shape = d.hit.shape();
    let (k, compared, tie_break) = match shape.ranks_by {
        RanksBy::Largest => (d.by.unwrap_or(0), "is the largest".to_owned(), earlier),
        RanksBy::Smallest => (d.by.unwrap_or(0), "is the smallest".to_owned(), earlier),
        // One row chosen by the declared values (`priority`; `output_order` lists them all).
        RanksBy::DeclaredValues if shape.one_row => {
            let mut ranked = d
                .output_values
                .iter()
                .enumerate()
                .filter(|(_, o)| !o.is_empty());
            let (k, order) = ranked.next()?;
            let order: Vec<String> = order.iter().map(|l| l.value().to_string()).collect();
            let tie_break = match ranked.next() {
                Some(_) => "the next output with `values:` decides, then the earlier row",
                None => earlier,
            };
            let compared = format!("comes first in `values: [{}]`", order.join(", "));
            (k, compared, tie_break)
        }
        _ => return None,
    };
    let output = rules.slot_name(*d.outputs.get(k)?);
    let given = |r: &RowTrace| {
        let v = r.gives.iter().find(|g| g.name == output)?;
        Some(v.value.clone())
    };
    let value = given(winner)?;
    // The same value as the engine compares them: 5 and 5.0 are the same number, and so
    // are 0.3 and 0.1 + 0.2 (`==`'s tolerance).
    let same = |v: &serde_json::Value| match (v.as_f64(), value.as_f64()) {
        (Some(x), Some(y)) => crate::value::same_number(x, y),
        _ => *v == value,
    };
    let ties = matched.iter().filter_map(|r| given(r)).filter(same).count();
    Some(Chosen {
        rule: chosen.to_owned(),
        matched: matched.len(),
        output: output.to_owned(),
        value,
        compared,
        ties,
        tie_break: tie_break.to_owned(),
    })
}

/// What `explain` shows of a row's condition: its text, the values its names had, and the
/// first part that failed (not for a row that matched or was not in effect: `settled`).
fn trace_condition(
    w: &Worker<'_, '_, Trace>,
    row: &crate::rules::Row,
    settled: bool,
) -> (Option<String>, Vec<Named>, Option<String>) {
    match &row.condition {
        Condition::Always => (None, Vec::new(), None),
        Condition::Band { from, below } => {
            let range = match (from, below) {
                (Some(f), Some(b)) => format!("from {f} below {b}"),
                (Some(f), None) => format!("from {f}"),
                (None, Some(b)) => format!("below {b}"),
                (None, None) => "any value".into(),
            };
            (Some(range), Vec::new(), None)
        }
        Condition::When(e) => {
            let mut inputs = inputs_of(w, e);
            let failed = if settled || row.cells.is_some() {
                None
            } else {
                first_failing_part(w, e)
            };
            // What the comparison that failed computed (`days_between(opened_day, as_of) =
            // 90` beside `< 90`): the boundary case is then read, not counted by hand.
            if !settled && row.cells.is_none() {
                let part = failed.as_deref().unwrap_or(&e.text);
                inputs.extend(computed_sides(w, e, part));
            }
            (Some(e.text.clone()), inputs, failed)
        }
    }
}

/// The values of the names `e` reads, then of the earlier periods' values (`previous.tier`).
fn inputs_of(w: &Worker<'_, '_, Trace>, e: &Expr) -> Vec<Named> {
    let past = e.maps.iter().flat_map(|(variable, outputs)| {
        outputs
            .iter()
            .map(move |(output, slot)| (format!("{variable}.{output}"), *slot))
    });
    (e.vars.iter())
        .map(|(name, slot)| (name.to_string(), *slot))
        .chain(past)
        .map(|(name, slot)| named(&name, &w.frame[slot]))
        .collect()
}

/// The verdict of each cell of a grid row that tests something.
/// Cells after the first that does not hold are not tried (as the rule's condition stops
/// there too).
fn trace_cells<'a>(w: &mut Worker<'_, 'a, Trace>, cells: &'a [GridCell]) -> Vec<CellTrace> {
    let mut stopped = false;
    cells
        .iter()
        .filter_map(|c| {
            let e = c.test.as_ref()?;
            let holds = match stopped {
                true => None,
                false => match w.eval(e) {
                    Ok(Value::Bool(b)) => Some(b),
                    Ok(Value::Null) => Some(false),
                    _ => None,
                },
            };
            let tried = !stopped;
            stopped |= holds != Some(true);
            Some(CellTrace {
                test: c.shown.clone(),
                holds,
                tried,
            })
        })
        .collect()
}

/// The first `&&` part of a condition that does not hold, when there are several parts.
fn first_failing_part(w: &Worker<'_, '_, Trace>, e: &Expr) -> Option<String> {
    let parts = split_and(&e.text);
    if parts.len() < 2 {
        return None;
    }
    let engine = w.ev.rules.new_engine();
    let mut scope = Scope::new();
    super::worker::fill_scope(&mut scope, e, &w.frame);
    parts.into_iter().find(|part| {
        let v = engine.eval_expression_with_scope::<Dynamic>(&mut scope.clone(), part);
        !matches!(v.map(Value::from_dynamic), Ok(Value::Bool(true)))
    })
}

/// The sides of `part`'s comparison (`a < b`, at its top level) that are computed, not a
/// name or a constant, with their values for the customer (`e`'s names in scope).
fn computed_sides(w: &Worker<'_, '_, Trace>, e: &Expr, part: &str) -> Vec<Named> {
    let Some((left, right)) = comparison_sides(part) else {
        return Vec::new();
    };
    let engine = w.ev.rules.new_engine();
    let mut scope = Scope::new();
    super::worker::fill_scope(&mut scope, e, &w.frame);
    [left, right]
        .into_iter()
        .filter(|side| {
            side.contains(['(', '+', '-', '*', '/', '%'])
                && side.parse::<f64>().is_err()
                && !side.starts_with(['"', '\'', '`'])
        })
        .filter_map(|side| {
            let v = engine.eval_expression_with_scope::<Dynamic>(&mut scope.clone(), side);
            v.ok().map(|v| named(side, &Value::from_dynamic(v)))
        })
        .collect()
}

/// `a` and `b` of `a <op> b`, for the one comparison at the top level of `part` (none inside
/// brackets or text, no `&&`/`||` beside it).
fn comparison_sides(part: &str) -> Option<(&str, &str)> {
    let top = top_level(part);
    let at = |k: usize| top.contains(&k).then(|| part.as_bytes()[k] as char);
    let mut found = None;
    let mut i = 0;
    while i < top.len() {
        let k = top[i];
        let (c, next) = (part.as_bytes()[k] as char, at(k + 1));
        let width = match (c, next) {
            ('&', Some('&')) | ('|', Some('|')) => return None,
            ('<' | '>' | '=' | '!', Some('=')) => 2,
            ('<' | '>', _) => 1,
            _ => 0,
        };
        if width > 0 {
            if found.is_some() {
                return None;
            }
            found = Some((k, k + width));
            i += width - 1;
        }
        i += 1;
    }
    let (at, after) = found?;
    Some((part[..at].trim(), part[after..].trim()))
}

/// Splits an expression at its top-level `&&` (not inside brackets or text).
fn split_and(text: &str) -> Vec<String> {
    let top = top_level(text);
    let (mut parts, mut start, mut i) = (Vec::new(), 0, 0);
    while i < top.len() {
        let k = top[i];
        if text.as_bytes()[k] == b'&'
            && top.get(i + 1) == Some(&(k + 1))
            && text.as_bytes()[k + 1] == b'&'
        {
            parts.push(text[start..k].trim().to_owned());
            start = k + 2;
            i += 1;
        }
        i += 1;
    }
    parts.push(text[start..].trim().to_owned());
    parts
}

/// The byte positions of `text`'s characters at the top level of an expression: outside
/// quoted text and brackets (the brackets and quotes themselves excluded).
fn top_level(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let (mut out, mut depth, mut quote) = (Vec::new(), 0i32, None);
    let mut k = 0;
    while k < bytes.len() {
        let c = bytes[k] as char;
        match quote {
            Some(_) if c == '\\' => k += 1,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '"' | '\'' | '`' => quote = Some(c),
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth -= 1,
                _ if depth == 0 => out.push(k),
                _ => {}
            },
        }
        k += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::split_and;

    #[test]
    fn the_sides_of_one_top_level_comparison() {
        use super::comparison_sides;
        assert_eq!(
            comparison_sides("days_between(opened_day, as_of) < 90"),
            Some(("days_between(opened_day, as_of)", "90"))
        );
        assert_eq!(
            comparison_sides("sales / max(1, n) >= 0.25"),
            Some(("sales / max(1, n)", "0.25"))
        );
        assert_eq!(
            comparison_sides(r#"tier == ">=""#),
            Some(("tier", r#"">=""#))
        );
        assert_eq!(comparison_sides("a > 1 || b"), None);
        assert_eq!(comparison_sides("is_null(x)"), None);
        assert_eq!(comparison_sides("1 < x < 3"), None);
    }

    #[test]
    fn splits_only_top_level_and() {
        assert_eq!(split_and("a > 1 && b"), vec!["a > 1", "b"]);
        assert_eq!(split_and("(a && b) || c"), vec!["(a && b) || c"]);
        assert_eq!(split_and(r#"x == "&&" && y"#), vec![r#"x == "&&""#, "y"]);
    }
}
