//! Rounding and caps of a single-output decision, in one place: round to the step first,
//! then apply the floor and the ceiling. A cap that binds joins the customer's rule ids as
//! `<decision>.min` / `<decision>.max`.

use super::errors::{EvalError, rule_label};
use super::observer::Observer;
use super::worker::{Worker, number};
use crate::rules::{Decision, RoundSpec, RuleIdx, Slot};
use crate::value::Value;

impl<'a, O: Observer> Worker<'_, 'a, O> {
    /// Rounds, then floors and ceils, the output in `slot` of decision `d`.
    pub(super) fn bound_output(
        &mut self,
        d: &'a Decision,
        slot: Slot,
        i: usize,
        fired: &mut Vec<RuleIdx>,
    ) -> Result<(), EvalError> {
        if d.round.is_none() && d.min.is_none() && d.max.is_none() {
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
        for (cap, is_min) in [(&d.min, true), (&d.max, false)] {
            let Some(cap) = cap else { continue };
            let bound_value = self.value(&cap.value, i, cap.rule)?;
            let Ok(Some(bound)) = number(&bound_value) else {
                let rules = self.ev.rules;
                return Err(EvalError {
                    customer: self.ev.data.id_text(i),
                    rule: rule_label(rules, cap.rule),
                    message: format!("the cap is `{bound_value}`, not a number"),
                    at: rules.rule_origins[cap.rule as usize].describe(),
                });
            };
            if (is_min && x < bound) || (!is_min && x > bound) {
                x = bound;
                // The output keeps its kind: a decimal discount capped at `12` is 12.0.
                result = match (&result, &bound_value) {
                    (Value::Float(_), Value::Int(b)) => Value::Float(*b as f64),
                    _ => bound_value,
                };
                fired.push(cap.rule);
                self.observer.bound(cap.rule);
            }
        }
        self.frame[slot] = result;
        Ok(())
    }
}

/// Rounds `x` to a multiple of the step; a whole-number step gives a whole number.
fn round_value(x: f64, round: RoundSpec) -> (f64, Value<'static>) {
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
