//! Rounding and caps of a decision's `output:`, in one place: round to the step first, then
//! apply the largest floor and the smallest ceiling (a limit that is NULL for a customer is
//! no limit), and round a limit that bound to the step again, inside it (a ceiling down, a
//! floor up; a ceiling as it is when no multiple lies above the floor). A cap that binds
//! joins the customer's rule ids (`<decision>.min` / `<decision>.max` for `cap:`, its own id
//! for `caps:`), and `capped_by:` receives its id.

use super::errors::{EvalError, rule_label};
use super::observer::Observer;
use super::worker::{Worker, number};
use crate::rules::{Bound, Decision, RoundSpec, RuleIdx, Slot};
use crate::value::{Value, same_number};

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
        // The floor in force, once applied: a ceiling rounded down must not go under it.
        let mut floor = None;
        for side in [Bound::Min, Bound::Max] {
            let Some((bound, bound_value, rule)) = self.tightest(d, side, i)? else {
                continue;
            };
            if side == Bound::Min {
                floor = Some(bound);
            }
            // A limit equal to the value as the rules' `==` has it (3.1 against 15.1 - 12,
            // 3.0999999999999996) does not bind: `capped_by` would name a cap that changed
            // nothing.
            let beyond = match side {
                Bound::Min => x < bound,
                Bound::Max => x > bound,
            };
            if beyond && !same_number(x, bound) {
                // The output keeps its kind: a decimal discount capped at `12` is 12.0.
                let exact = match (&result, &bound_value) {
                    (Value::Float(_), Value::Int(b)) => (bound, Value::Float(*b as f64)),
                    _ => (bound, bound_value),
                };
                (x, result) = match d.round {
                    // Rounded to the step inside the limit: a ceiling down, a floor up; when
                    // rounding a ceiling down would go under the floor (no multiple between
                    // them, or a formula ceiling already below it), the ceiling as it is.
                    Some(round) => {
                        let inside = match side {
                            Bound::Min => RoundSpec::Up(round.step()),
                            Bound::Max => RoundSpec::Down(round.step()),
                        };
                        let rounded = inside_limit(bound, side, inside);
                        match floor {
                            Some(f) if side == Bound::Max && rounded.0 < f => exact,
                            _ => rounded,
                        }
                    }
                    None => exact,
                };
                // A cap with a floor and a ceiling (whose formulas cross for this customer)
                // binds once in the rule ids. A ceiling that binds over a floor that bound
                // decides the value alone: the floor's id leaves the rule ids, as it is not
                // in `capped_by` (an auditor counting the floor's customers counted these).
                if bound_by != Some(rule) {
                    if let Some(floor_rule) = bound_by
                        && fired.last() == Some(&floor_rule)
                    {
                        fired.pop();
                        self.observer.overruled(floor_rule);
                    }
                    fired.push(rule);
                }
                self.observer.bound(rule, side);
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
                Ok(None) if bound_value.is_null() => {
                    self.observer.limit(cap.rule, side, None);
                    continue;
                }
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
            self.observer.limit(cap.rule, side, Some(bound));
            // Among limits equal as `==` has them, the first written.
            let tighter = match (&best, side) {
                (None, _) => true,
                (Some((b, _, _)), _) if same_number(bound, *b) => false,
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

/// Rounds `x` to a multiple of the step; a whole-number step gives a whole number. A value
/// within a billionth of a step of a multiple (or, for `nearest`, of a half step) is on it:
/// 3,000,000 x 0.07 (210,000.00000000003 in binary) rounds up to 210,000, not 211,000, 1.005
/// to the nearest 0.01 is 1.01, and a margin cap of 12.1 - 12 (0.09999999999999964: the
/// subtraction keeps the error of 12.1, not of 0.1) rounded down to 0.1 is 0.1, not 0.
/// Beyond a billion steps binary noise is larger than that: under two units in the last
/// place of the number of steps, never half a step (at 10^15 steps, half a step is no
/// noise: 1,000,000,000,000,000.5 rounded down to 1 is 1,000,000,000,000,000).
pub(super) fn round_value(x: f64, round: RoundSpec) -> (f64, Value<'static>) {
    let step = round.step();
    // In steps, dividing by the step as written (x * 100 for 0.01: one rounding, where
    // x / 0.01 adds the binary error of 0.01).
    let q = match decimal_step(step) {
        Some((whole, scale)) => x * scale / whole,
        None => x / step,
    };
    let tolerance = crate::text::binary_noise(q);
    let near = |mark: f64| (q - mark).abs() <= tolerance;
    let r = if near(q.round()) {
        q.round()
    } else {
        match round {
            RoundSpec::Down(_) => q.floor(),
            RoundSpec::Up(_) => q.ceil(),
            RoundSpec::Nearest(_) if near(q.floor() + 0.5) => (q.floor() + 0.5).round(),
            RoundSpec::Nearest(_) => q.round(),
        }
    };
    let y = steps(r, step);
    if step.fract() == 0.0 && y.abs() < 9.0e15 {
        return (y, Value::Int(y as i64));
    }
    (y, Value::Float(y))
}

/// A limit rounded to the step inside it (`inside`: down for a ceiling, up for a floor),
/// never beyond it as the rules' `==` has it: rounding takes a value within a billionth of a
/// step of a multiple as on it, and a ceiling of 4,999,999.9995 rounded down to a million
/// gave 5,000,000, a limit above the cap said to bind it (the validator's F08).
fn inside_limit(limit: f64, side: Bound, inside: RoundSpec) -> (f64, Value<'static>) {
    let rounded = round_value(limit, inside);
    let beyond = match side {
        Bound::Max => rounded.0 > limit,
        Bound::Min => rounded.0 < limit,
    };
    if !beyond || same_number(rounded.0, limit) {
        return rounded;
    }
    let step = inside.step();
    let back = match side {
        Bound::Max => rounded.0 - step,
        Bound::Min => rounded.0 + step,
    };
    round_value(back, RoundSpec::Nearest(step))
}

/// `r` steps, as the decimal the step is written in: 3 x 1 / 10 for 0.1 (0.3, where 3 x 0.1
/// is 0.30000000000000004), 10^16 x 1 / 100 for 0.01 (10^14, where cleaning 10^16 x 0.01 of
/// its noise in billionths gave 99,999,999,999,999.98).
fn steps(r: f64, step: f64) -> f64 {
    match decimal_step(step) {
        Some((whole, scale)) => r * whole / scale,
        None => r * step,
    }
}

/// The step as the decimal it is written as: `(5, 100)` for 0.05, `(1000, 1)` for 1000;
/// `None` past 9 decimals.
fn decimal_step(step: f64) -> Option<(f64, f64)> {
    (0..=9).find_map(|decimals| {
        let scale = 10f64.powi(decimals);
        let whole = (step * scale).round();
        (whole >= 1.0 && (step * scale - whole).abs() <= 1e-9 * whole).then_some((whole, scale))
    })
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

    #[test]
    fn money_arithmetic_rounds_from_the_value_meant() {
        let int = |x: f64, r: RoundSpec| match round_value(x, r).1 {
            Value::Int(n) => n,
            v => panic!("{v:?}"),
        };
        let dec = |x: f64, r: RoundSpec| round_value(x, r).1.as_f64().unwrap();
        // 210,000.00000000003 and 62,999.99999999999 in binary.
        assert_eq!(int(3_000_000.0 * 0.07, RoundSpec::Up(1000.0)), 210_000);
        assert_eq!(int(180_000.0 * 0.35, RoundSpec::Down(1000.0)), 63_000);
        // Halves written in decimal are halves (1.005 is 1.00499999999999989 in binary).
        assert_eq!(dec(1.005, RoundSpec::Nearest(0.01)), 1.01);
        assert_eq!(dec(2.675, RoundSpec::Nearest(0.01)), 2.68);
        assert_eq!(dec(-1.005, RoundSpec::Nearest(0.01)), -1.01);
        // A value clearly off a multiple still rounds its way.
        assert_eq!(int(210_000.01, RoundSpec::Up(1000.0)), 211_000);
        assert_eq!(int(62_999.5, RoundSpec::Down(1000.0)), 62_000);
        assert_eq!(dec(1.0049, RoundSpec::Nearest(0.01)), 1.0);
        // A subtraction carries the error of its operands: 12.1 - 12 is 0.1 to a step of 0.1.
        assert_eq!(dec(12.1 - 12.0, RoundSpec::Down(0.1)), 0.1);
        assert_eq!(dec(12.7 - 12.0, RoundSpec::Down(0.1)), 0.7);
        assert_eq!(dec(1_000_000.1 - 1_000_000.0, RoundSpec::Down(0.1)), 0.1);
        assert_eq!(dec(0.0999, RoundSpec::Down(0.1)), 0.0);
    }

    /// A limit rounded inside it stays inside it as `==` compares: a ceiling a ten-billionth
    /// under a multiple is not on it, one within `==`'s tolerance is (binary noise).
    #[test]
    fn a_limit_rounded_inside_it_never_crosses_it() {
        let inside = |x: f64, side: Bound, r: RoundSpec| inside_limit(x, side, r).0;
        let ceiling = 19_999_999.998 * 0.25;
        assert_eq!(ceiling, 4_999_999.999_5);
        assert_eq!(round_value(ceiling, RoundSpec::Down(1e6)).0, 5e6);
        assert_eq!(inside(ceiling, Bound::Max, RoundSpec::Down(1e6)), 4e6);
        assert_eq!(inside(1.00000000005, Bound::Min, RoundSpec::Up(1.0)), 2.0);
        // Noise is still on the multiple: 12.1 - 12 capped, down to 0.1, is 0.1.
        assert_eq!(inside(12.1 - 12.0, Bound::Max, RoundSpec::Down(0.1)), 0.1);
        assert_eq!(
            inside(210_000.00000000003, Bound::Min, RoundSpec::Up(1000.0)),
            210_000.0
        );
        assert_eq!(inside(0.31, Bound::Max, RoundSpec::Down(0.1)), 0.3);
    }

    /// Amounts written to the cent, up to 10^12: rounded down to 0.01 they stay as they are,
    /// to 0.05 they go to the multiple at or below (the written decimal's), as Python's
    /// `decimal` has them. Beyond 10^11 a cap of a thousandth of a step on the noise lost a
    /// cent on 76 of 20,000 (140,020,886,304.3 gave ...304.29).
    #[test]
    fn amounts_to_the_cent_round_as_written_up_to_a_trillion() {
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..20_000 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let cents = (seed >> 11) % 100_000_000_000_000;
            let x = cents as f64 / 100.0;
            for (sign, x) in [(1i64, x), (-1, -x)] {
                let signed = sign * cents as i64;
                assert_eq!(round_value(x, RoundSpec::Down(0.01)).0, x, "{x}");
                assert_eq!(round_value(x, RoundSpec::Up(0.01)).0, x, "{x}");
                let down5 = signed.div_euclid(5) * 5;
                let up5 = -((-signed).div_euclid(5) * 5);
                assert_eq!(
                    round_value(x, RoundSpec::Down(0.05)).0,
                    down5 as f64 / 100.0,
                    "{x}"
                );
                assert_eq!(
                    round_value(x, RoundSpec::Up(0.05)).0,
                    up5 as f64 / 100.0,
                    "{x}"
                );
            }
        }
        assert_eq!(
            round_value(140_020_886_304.3, RoundSpec::Down(0.01)).0,
            140_020_886_304.3
        );
    }

    /// A concession amount, sales to the cent times a rate to the hundredth of a percent,
    /// rounds to the nearest cent as the decimal product does (half away from zero), in the
    /// three ways admins write it: 4,217,116.60 x 7.5% (316,283.745, binary
    /// 316283.74499999994) gave 316,283.74 (the noise of the product, a few units in the last
    /// place of the amount, is more than two in the last place of the amount in cents).
    #[test]
    fn a_rate_of_an_amount_rounds_to_the_cent_as_the_decimal_product() {
        let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = |below: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 11) % below
        };
        let rates = [750, 375, 250, 1225, 1, 4999, 333];
        let mut cases = vec![(421_711_660i64, 750i64), (107_831_540, 750)];
        for _ in 0..60_000 {
            let rate = rates[next(rates.len() as u64) as usize];
            // With rates such as 7.5%, many products are exact half cents.
            cases.push((next(10_000_000_000) as i64, rate));
        }
        for (cents, hundredths) in cases {
            // The product in millionths, rounded half away from zero to cents.
            let millionths = cents * hundredths;
            let expected = (millionths + 5_000) / 10_000;
            let (sales, pct) = (cents as f64 / 100.0, hundredths as f64 / 100.0);
            for x in [
                sales * pct / 100.0,
                sales * (pct / 100.0),
                sales / 100.0 * pct,
            ] {
                assert_eq!(
                    round_value(x, RoundSpec::Nearest(0.01)).0,
                    expected as f64 / 100.0,
                    "{sales} x {pct}% = {x}"
                );
            }
        }
    }

    /// Meant decimals just under a half, at large amounts: within the noise a wider
    /// tolerance took for binary (2,716,824,954.884999 gave .89).
    #[test]
    fn a_decimal_just_under_a_half_stays_under_it() {
        let near = |x: f64, step: f64| round_value(x, RoundSpec::Nearest(step)).0;
        assert_eq!(near(2_045_955_986.81 * 1.3279, 0.01), 2_716_824_954.88);
        assert_eq!(near(1_611_376_441.39 * 1.2741, 0.01), 2_053_054_723.97);
        assert_eq!(near(13_681_016.23 * 1.469313, 0.0001), 20_101_694.999_9);
        assert_eq!(crate::text::to_cents(2_000_000_000.004999), 2_000_000_000.0);
    }

    #[test]
    fn large_amounts_round_their_way() {
        let int = |x: f64, r: RoundSpec| match round_value(x, r).1 {
            Value::Int(n) => n,
            v => panic!("{v:?}"),
        };
        let dec = |x: f64, r: RoundSpec| round_value(x, r).1.as_f64().unwrap();
        // Half a step is no binary noise, however large the amount (these went the other way).
        assert_eq!(int(1e15 + 0.5, RoundSpec::Down(1.0)), 1_000_000_000_000_000);
        assert_eq!(int(3e14 + 0.75, RoundSpec::Down(1.0)), 300_000_000_000_000);
        assert_eq!(
            int(4_503_599_627_370_495.5, RoundSpec::Down(1.0)),
            4_503_599_627_370_495
        );
        assert_eq!(int(1e15 + 0.25, RoundSpec::Up(1.0)), 1_000_000_000_000_001);
        assert_eq!(int(1e15 + 0.25, RoundSpec::Up(5.0)), 1_000_000_000_000_005);
        assert_eq!(dec(10_000_000_000_000.008, RoundSpec::Down(0.01)), 1e13);
        // A multiple stays as it is.
        assert_eq!(dec(1e14, RoundSpec::Down(0.01)), 1e14);
        assert_eq!(
            dec(123_456_789.12, RoundSpec::Nearest(0.01)),
            123_456_789.12
        );
        assert_eq!(dec(0.3, RoundSpec::Nearest(0.1)), 0.3);
        assert_eq!(dec(2.5, RoundSpec::Down(0.25)), 2.5);
        assert_eq!(dec(7.3, RoundSpec::Down(2.5)), 5.0);
        // Noise of a few units of the last place at a billion steps is still on the multiple.
        assert_eq!(
            dec(12_000_000.0 * 1.1 / 1.1, RoundSpec::Down(0.01)),
            12_000_000.0
        );
    }
}
