//! The batch run's short way through a customer, for rule sets whose decisions are plain
//! tables (`hit: first`, no scale, rounding or caps, constant defaults) and whose every
//! expression has a fast path: values stay in registers (a lane's cell, a fast path's
//! scalar) and become a [`Value`] once, where the frame or the outcome keeps them; no
//! hit-policy machinery, no error to build.
//!
//! It decides only what it can decide exactly as the full evaluation ([`Worker::customer`])
//! does: anything else (a lane that gave up or holds NULL, a fast path that defers to the
//! interpreter, a condition that is not true/false, a result that is not a finite number)
//! hands the customer, from the start, to the full evaluation, which decides and reports
//! errors as it always has. `tests/differential.rs` and the `eval` fuzz target check that a
//! batch run gives every customer what evaluating it alone gives.

use super::outcomes::{Outcomes, Tally};
use super::worker::{Worker, number};
use super::{Evaluator, Mode};
use crate::rules::native::{Cell, Scalar};
use crate::rules::{Condition, Expr, HitPolicy, RuleSet, ValueExpr};
use crate::value::Value;

/// A rule set the short way can take, with what it needs per run.
#[derive(Debug)]
pub(super) struct Lean {
    /// Per decision, per row: whether the row is in effect on the run's date.
    in_effect: Vec<Vec<bool>>,
}

impl Lean {
    /// The short way for `ev`'s rule set, if every decision and expression allows it.
    pub fn new(ev: &Evaluator<'_>) -> Option<Lean> {
        let rules: &RuleSet = ev.rules;
        let has_fast = |e: &Expr| ev.fast(e).is_some();
        let plain_rules = ev.mode == Mode::Fast
            && rules.held.is_empty()
            && rules.past.is_empty()
            && rules.summary.moves.is_empty()
            && rules.metrics_post.iter().all(|m| has_fast(&m.expr))
            && rules.summary.totals.iter().all(|(_, e)| has_fast(e));
        let plain_decisions = rules.decisions.iter().all(|d| {
            d.hit == HitPolicy::First
                && d.scale_of.is_none()
                && d.round.is_none()
                && d.caps.is_empty()
                && d.capped_by.is_none()
                && d.defaults.iter().flatten().all(|v| v.formula().is_none())
                && d.rows.iter().all(|row| {
                    let condition = match &row.condition {
                        Condition::Always => true,
                        Condition::When(e) => has_fast(e),
                        Condition::Band { .. } => false,
                    };
                    condition
                        && row
                            .values
                            .iter()
                            .all(|(_, v)| v.formula().is_none_or(has_fast))
                })
        });
        if !(plain_rules && plain_decisions) {
            return None;
        }
        let as_of = ev.context.as_of;
        let in_effect = rules
            .decisions
            .iter()
            .map(|d| {
                d.rows
                    .iter()
                    .map(|row| row.effective.is_none_or(|w| w.contains(as_of)))
                    .collect()
            })
            .collect();
        Some(Lean { in_effect })
    }
}

impl<'e, 'a> Worker<'e, 'a> {
    /// Customer `i` the short way: `true` when its result and summary were appended to `out`
    /// and `tally`; `false` (nothing appended) when the full evaluation must decide.
    pub(super) fn lean_customer(
        &mut self,
        lean: &Lean,
        i: usize,
        out: &mut Outcomes<'a>,
        tally: &mut Tally,
    ) -> bool {
        let (fired_start, totals_start) = (out.fired.len(), out.totals.len());
        if self.lean_decide(lean, i, out) {
            self.finish(i, out, tally, totals_start);
            true
        } else {
            out.fired.truncate(fired_start);
            out.totals.truncate(totals_start);
            false
        }
    }

    /// The metrics, decisions and summary totals of customer `i`, into the frame and `out`;
    /// `false` as soon as something is the full evaluation's to decide.
    fn lean_decide(&mut self, lean: &Lean, i: usize, out: &mut Outcomes<'a>) -> bool {
        let ev: &'e Evaluator<'a> = self.ev;
        let rules = ev.rules;
        self.load_eager(i);
        for m in &rules.metrics_post {
            let Some(v) = self.lean_value(&m.expr) else {
                return false;
            };
            self.frame[m.slot] = v;
        }
        for (d, in_effect) in rules.decisions.iter().zip(&lean.in_effect) {
            for &slot in &d.outputs {
                if !self.frame[slot].is_null() {
                    self.frame[slot] = Value::Null;
                }
            }
            let mut fired = None;
            for (row, &in_effect) in d.rows.iter().zip(in_effect) {
                let holds = in_effect
                    && match &row.condition {
                        Condition::Always => true,
                        Condition::When(e) => match self.lean_condition(e) {
                            Some(b) => b,
                            None => return false,
                        },
                        Condition::Band { .. } => return false,
                    };
                if holds {
                    fired = Some(row);
                    break;
                }
            }
            match fired {
                Some(row) => {
                    out.fired.push(row.rule);
                    for (k, v) in &row.values {
                        let value = match v {
                            ValueExpr::Const(c) => c.value(),
                            ValueExpr::Formula(e) => match self.lean_value(e) {
                                Some(v) => v,
                                None => return false,
                            },
                        };
                        self.frame[d.outputs[*k]] = value;
                    }
                }
                None => {
                    for (k, default) in d.defaults.iter().enumerate() {
                        if let Some(ValueExpr::Const(c)) = default {
                            self.frame[d.outputs[k]] = c.value();
                        }
                    }
                }
            }
        }
        for (_, e) in &rules.summary.totals {
            let Some(v) = self.lean_value(e) else {
                return false;
            };
            out.totals.push(match number(&v) {
                Ok(Some(x)) => x,
                _ => 0.0,
            });
        }
        true
    }

    /// `e`'s value for the current customer, when the short way can give it: its lane's,
    /// or its fast path's over the frame; a finite number if a number.
    #[inline]
    fn lean_value(&mut self, e: &'a Expr) -> Option<Value<'a>> {
        if let Some(cell) = self.chunk_lane(e) {
            return match cell {
                Cell::Float(x) if !x.is_finite() => None,
                cell => cell.value(),
            };
        }
        match self.scratch.value(self.ev.fast(e)?, &self.frame) {
            Ok(Value::Float(x)) if !x.is_finite() => None,
            Ok(v) => Some(v),
            Err(_) => None,
        }
    }

    /// Whether condition `e` holds for the current customer (NULL: no), when the short way
    /// can tell.
    #[inline]
    fn lean_condition(&mut self, e: &'a Expr) -> Option<bool> {
        if let Some(cell) = self.chunk_lane(e) {
            return match cell {
                Cell::Bool(b) => Some(b),
                _ => None,
            };
        }
        match self.scratch.eval(self.ev.fast(e)?, &self.frame) {
            Ok(Scalar::Bool(b)) => Some(b),
            Ok(Scalar::Null) => Some(false),
            _ => None,
        }
    }
}
