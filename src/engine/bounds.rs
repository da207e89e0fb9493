//! Rounding and caps of a single-output decision, in one place: round to the step first,
//! then apply the largest floor and the smallest ceiling (a limit that is NULL for a
//! customer is no limit). A cap that binds joins the customer's rule ids (`<decision>.min` /
//! `<decision>.max` for `cap:`, its own id for `caps:`), and `capped_by:` receives its id.

use super::errors::{EvalError, rule_label};
use super::observer::Observer;
use super::worker::{Worker, number};
use crate::rules::{Bound, Decision, RoundSpec, RuleIdx, Slot};
use crate::value::Value;

impl<'a, O: Observer> Worker<'_, 'a, O> {
    /// Rounds, then floors and ceils, the output in `slot` of decision `d`; writes the id of
    /// the cap that bound to `capped_by`.
    pub(super) fn bound_output(
        &mut self,
        d: &'a Decision,
        slot: Slot,
        i: usize,
        fired: &mut Vec<RuleIdx>,
    ) -> Result<(), EvalError> {
        if let Some(by) = d.capped_by {
            self.frame[by] = Value::Null;
        }
        if d.round.is_none() && d.caps.is_empty() {
            return Ok(());
        }
        let Ok(Some(mut x)) = number(&self.frame[slot]) else {
            return Ok(()); // NULL (no row matched) stays NULL; text is not rounded
        };
        let mut result = self.frame[slot].clone();
        self.observer.unbounded(x);
        if let Some(round) = d.round {
            let (rounded, v) = round_value(x, round);
            x = rounded;
            result = v;
        }
        let mut bound_by = None;
        for side in [Bound::Min, Bound::Max] {
            let Some((bound, bound_value, rule)) = self.tightest(d, side, i)? else {
                continue;
            };
            if (side == Bound::Min && x < bound) || (side == Bound::Max && x > bound) {
                x = bound;
                // The output keeps its kind: a decimal discount capped at `12` is 12.0.
                result = match (&result, &bound_value) {
                    (Value::Float(_), Value::Int(b)) => Value::Float(*b as f64),
                    _ => bound_value,
                };
                // A cap with a floor and a ceiling (whose formulas cross for this customer)
                // binds once in the rule ids.
                if bound_by != Some(rule) {
                    fired.push(rule);
                    self.observer.bound(rule);
                }
                bound_by = Some(rule);
            }
        }
        self.frame[slot] = result;
        if let (Some(by), Some(rule)) = (d.capped_by, bound_by) {
            self.frame[by] = Value::Str(&self.ev.rules.rule_ids[rule as usize]);
        }
        Ok(())
    }

    /// The tightest limit on `side` for customer `i` (the largest floor, the smallest
    /// ceiling; the first written among equals): its number, its value and its rule.
    /// A limit that is NULL is no limit; one that is not a number is an error.
    fn tightest(
        &mut self,
        d: &'a Decision,
        side: Bound,
        i: usize,
    ) -> Result<Option<(f64, Value<'a>, RuleIdx)>, EvalError> {
        let mut best: Option<(f64, Value<'a>, RuleIdx)> = None;
        for cap in d.caps.iter().filter(|c| c.bound == side) {
            let bound_value = self.value(&cap.value, i, cap.rule)?;
            let bound = match number(&bound_value) {
                Ok(Some(b)) => b,
                Ok(None) if bound_value.is_null() => continue,
                _ => {
                    let rules = self.ev.rules;
                    return Err(EvalError {
                        customer: self.ev.data.id_text(i),
                        rule: rule_label(rules, cap.rule),
                        message: format!("the cap is `{bound_value}`, not a number"),
                        at: rules.rule_origins[cap.rule as usize].describe(),
                    });
                }
            };
            let tighter = match (&best, side) {
                (None, _) => true,
                (Some((b, _, _)), Bound::Min) => bound > *b,
                (Some((b, _, _)), Bound::Max) => bound < *b,
            };
            if tighter {
                best = Some((bound, bound_value, cap.rule));
            }
        }
        Ok(best)
    }
}

/// Rounds `x` to a multiple of the step; a whole-number step gives a whole number.
pub(super) fn round_value(x: f64, round: RoundSpec) -> (f64, Value<'static>) {
    let (step, r) = match round {
        RoundSpec::Down(s) => (s, (x / s).floor()),
        RoundSpec::Up(s) => (s, (x / s).ceil()),
        RoundSpec::Nearest(s) => (s, (x / s).round()),
    };
    let mut y = r * step;
    if step.fract() == 0.0 && y.abs() < 9.0e15 {
        return (y, Value::Int(y as i64));
    }
    // Decimal steps: drop the binary noise (0.30000000000000004 -> 0.3).
    y = (y * 1e9).round() / 1e9;
    (y, Value::Float(y))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_steps() {
        assert!(matches!(
            round_value(123_456.0, RoundSpec::Down(10_000.0)).1,
            Value::Int(120_000)
        ));
        assert!(matches!(
            round_value(120_001.0, RoundSpec::Up(10_000.0)).1,
            Value::Int(130_000)
        ));
        assert_eq!(
            round_value(2.26, RoundSpec::Nearest(0.5)).1.as_f64(),
            Some(2.5)
        );
        assert_eq!(
            round_value(0.31, RoundSpec::Down(0.1)).1.as_f64(),
            Some(0.3)
        );
    }
}
