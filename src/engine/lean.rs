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
use super::{Evaluator, Mode, chunk};
use crate::rules::native::{Cell, Scalar};
use crate::rules::{Condition, Expr, HitPolicy, ValueExpr};
use crate::value::Value;

/// Whether `ev`'s rule set can take the short way: every decision a plain table, no
/// history, and every expression a customer's evaluation runs with a fast path.
pub(super) fn allowed(ev: &Evaluator<'_>) -> bool {
    let rules = ev.rules;
    let plain_decisions = rules.decisions.iter().all(|d| {
        d.hit == HitPolicy::First
            && d.scale_of.is_none()
            && d.round.is_none()
            && d.caps.is_empty()
            && d.capped_by.is_none()
            && d.defaults.iter().flatten().all(|v| v.formula().is_none())
    });
    ev.mode == Mode::Fast
        && rules.held.is_empty()
        && rules.past.is_empty()
        && rules.summary.moves.is_empty()
        && plain_decisions
        && chunk::per_customer(rules).all(|(_, e)| ev.fast(e).is_some())
}

impl<'e, 'a> Worker<'e, 'a> {
    /// Customer `i` the short way: `true` when its result and summary were appended to `out`
    /// and `tally`; `false` (nothing appended) when the full evaluation must decide.
    pub(super) fn lean_customer(
        &mut self,
        i: usize,
        out: &mut Outcomes<'a>,
        tally: &mut Tally,
    ) -> bool {
        let (fired_start, totals_start) = (out.fired.len(), out.totals.len());
        if self.lean_decide(i, out) {
            self.finish(i, out, tally);
            true
        } else {
            out.fired.truncate(fired_start);
            out.totals.truncate(totals_start);
            false
        }
    }

    /// The metrics, decisions and summary totals of customer `i`, into the frame and `out`;
    /// `false` as soon as something is the full evaluation's to decide.
    fn lean_decide(&mut self, i: usize, out: &mut Outcomes<'a>) -> bool {
        let ev: &'e Evaluator<'a> = self.ev;
        let rules = ev.rules;
        self.load_eager(i);
        for m in &rules.metrics_post {
            let Some(v) = self.lean_value(&m.expr) else {
                return false;
            };
            self.frame[m.slot] = v;
        }
        for d in &rules.decisions {
            for &slot in &d.outputs {
                self.clear(slot);
            }
            let mut fired = None;
            for row in &d.rows {
                if row.effective.is_some_and(|w| !w.contains(ev.context.as_of)) {
                    continue;
                }
                let holds = match &row.condition {
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
            let Some(row) = fired else {
                // Constant defaults only (`allowed`): nothing can fail.
                if self.defaults(d, i).is_err() {
                    return false;
                }
                continue;
            };
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
