//! The standard functions on the fast path, each as tierwise's rhai computes it (see
//! `crate::script`): whole numbers are accepted wherever decimals are.

use super::eval::eval;
use super::{Builtin, Fallback, Node, Scalar, Scratch, text};
use crate::time::Date;
use crate::value::Value;
use std::cmp::Ordering;

#[inline]
pub(super) fn call<'a>(
    f: Builtin,
    args: &'a [Node],
    frame: &[Value<'_>],
    cx: &mut Scratch<'a>,
) -> Result<Scalar<'a>, Fallback> {
    let first = eval(&args[0], frame, cx)?;
    let second = match args.get(1) {
        Some(node) => eval(node, frame, cx)?,
        None => Scalar::Null,
    };
    Ok(match f {
        Builtin::IsNull => Scalar::Bool(first == Scalar::Null),
        Builtin::Min | Builtin::Max => min_max(f, first, second)?,
        Builtin::Abs => match first {
            Scalar::Int(i) => Scalar::Int(i.checked_abs().ok_or(Fallback)?),
            Scalar::Float(x) => Scalar::Float(math(f, x)?),
            _ => return Err(Fallback),
        },
        Builtin::Floor | Builtin::Ceiling | Builtin::Round => match first {
            Scalar::Int(i) => Scalar::Int(i),
            Scalar::Float(x) => Scalar::Float(math(f, x)?),
            _ => return Err(Fallback),
        },
        Builtin::Sqrt | Builtin::Exp | Builtin::Ln | Builtin::Log10 => {
            Scalar::Float(math(f, first.as_f64().ok_or(Fallback)?)?)
        }
        Builtin::Log => {
            let (Some(x), Some(base)) = (first.as_f64(), second.as_f64()) else {
                return Err(Fallback);
            };
            Scalar::Float(x.log(base))
        }
        Builtin::ToInt => to_int(first)?,
        Builtin::ToFloat => Scalar::Float(first.as_f64().ok_or(Fallback)?),
        Builtin::ToString => text::to_string(first, frame, cx)?,
        Builtin::Contains | Builtin::StartsWith | Builtin::EndsWith => {
            let (Some(s), Some(part)) = (cx.str(&first, frame), cx.str(&second, frame)) else {
                return Err(Fallback);
            };
            Scalar::Bool(match f {
                Builtin::Contains => s.contains(part),
                Builtin::StartsWith => s.starts_with(part),
                _ => s.ends_with(part),
            })
        }
        _ => date(f, first, second, frame, cx)?,
    })
}

/// `x.to_int()`: a whole number as it is, a decimal by [`float_to_int`].
#[inline]
pub(super) fn to_int(x: Scalar<'_>) -> Result<Scalar<'_>, Fallback> {
    match x {
        Scalar::Int(i) => Ok(Scalar::Int(i)),
        Scalar::Float(x) => Ok(Scalar::Int(float_to_int(x).ok_or(Fallback)?)),
        _ => Err(Fallback),
    }
}

/// `to_int` of a decimal as rhai does it: towards zero; out of the whole numbers' range is
/// an error (`None`); NaN gives 0.
pub fn float_to_int(x: f64) -> Option<i64> {
    if x > i64::MAX as f64 || x < i64::MIN as f64 {
        None
    } else {
        Some(x.trunc() as i64)
    }
}

/// A one-argument math function of a decimal (`abs`, `floor`, `ceiling`, `round`, `sqrt`,
/// `exp`, `ln`, `log`).
#[inline]
pub(super) fn math(f: Builtin, x: f64) -> Result<f64, Fallback> {
    Ok(match f {
        Builtin::Sqrt => x.sqrt(),
        Builtin::Exp => x.exp(),
        Builtin::Ln => x.ln(),
        Builtin::Log10 => x.log10(),
        Builtin::Abs => x.abs(),
        Builtin::Floor => x.floor(),
        Builtin::Ceiling => x.ceil(),
        Builtin::Round => x.round(),
        _ => return Err(Fallback),
    })
}

/// Whether `min` (or `max`) keeps its first argument, given how it orders against the
/// second: the first of equal values.
#[inline]
pub(super) fn pick_first(f: Builtin, o: Ordering) -> bool {
    match f {
        Builtin::Min => o != Ordering::Greater,
        _ => o != Ordering::Less,
    }
}

fn min_max<'a>(f: Builtin, first: Scalar<'a>, second: Scalar<'a>) -> Result<Scalar<'a>, Fallback> {
    Ok(match (first, second) {
        (Scalar::Int(x), Scalar::Int(y)) => {
            Scalar::Int(if pick_first(f, x.cmp(&y)) { x } else { y })
        }
        _ => {
            let (Some(x), Some(y)) = (first.as_f64(), second.as_f64()) else {
                return Err(Fallback);
            };
            let o = x.partial_cmp(&y).ok_or(Fallback)?;
            Scalar::Float(if pick_first(f, o) { x } else { y })
        }
    })
}

fn date<'a>(
    f: Builtin,
    first: Scalar<'a>,
    second: Scalar<'a>,
    frame: &[Value<'_>],
    cx: &Scratch<'a>,
) -> Result<Scalar<'a>, Fallback> {
    Ok(match f {
        Builtin::Date => match first {
            Scalar::Date(d) => Scalar::Date(d),
            _ => Scalar::Date(Date::parse(cx.str(&first, frame).ok_or(Fallback)?).ok_or(Fallback)?),
        },
        Builtin::Year | Builtin::Month | Builtin::Quarter | Builtin::Day | Builtin::Weekday => {
            match first {
                Scalar::Date(d) => Scalar::Int(i64::from(match f {
                    Builtin::Year => d.year() as u32,
                    Builtin::Month => d.month(),
                    Builtin::Day => d.day(),
                    Builtin::Weekday => d.weekday(),
                    _ => d.quarter(),
                })),
                _ => return Err(Fallback),
            }
        }
        Builtin::EndOfMonth => match first {
            Scalar::Date(d) => Scalar::Date(d.end_of_month()),
            _ => return Err(Fallback),
        },
        Builtin::DaysBetween | Builtin::MonthsBetween => match (first, second) {
            (Scalar::Date(a), Scalar::Date(b)) => Scalar::Int(match f {
                Builtin::DaysBetween => a.days_until(b),
                _ => a.months_until(b),
            }),
            _ => return Err(Fallback),
        },
        Builtin::AddDays | Builtin::AddMonths => match (first, second) {
            // A decimal that is whole, as the interpreter takes it (another: its error).
            (Scalar::Date(d), Scalar::Float(x)) => Scalar::Date(
                match (f, crate::value::whole_number(x).ok_or(Fallback)?) {
                    (Builtin::AddDays, n) => d.add_days(n),
                    (_, n) => d.add_months(n),
                }
                .ok_or(Fallback)?,
            ),
            (Scalar::Date(d), Scalar::Int(n)) => Scalar::Date(
                match f {
                    Builtin::AddDays => d.add_days(n),
                    _ => d.add_months(n),
                }
                .ok_or(Fallback)?,
            ),
            _ => return Err(Fallback),
        },
        _ => return Err(Fallback),
    })
}
