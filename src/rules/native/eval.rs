//! The tree walk, and rhai's comparison and arithmetic semantics as tierwise's engine
//! defines them.

use super::{Arith, Cmp, Fallback, Node, Scalar, Scratch, Step, builtins, text, typed};
use crate::script::int_pow;
use crate::value::Value;

impl<'a> Scalar<'a> {
    /// The value in `slot` of the frame; text stays where it is, named by its slot.
    #[inline]
    pub(super) fn of(frame: &[Value<'_>], slot: usize) -> Result<Scalar<'a>, Fallback> {
        Ok(match &frame[slot] {
            Value::Null => Scalar::Null,
            Value::Bool(b) => Scalar::Bool(*b),
            Value::Int(i) => Scalar::Int(*i),
            Value::Float(f) => Scalar::Float(*f),
            Value::Str(_) | Value::Owned(_) => Scalar::Field(slot as u32),
            Value::Date(d) => Scalar::Date(*d),
            _ => return Err(Fallback),
        })
    }
}

/// Evaluates a compiled expression over a customer's frame; `cx` must hold at least
/// `Native::locals` locals (see [`Scratch::eval`]).
#[inline]
pub(super) fn eval<'a>(
    node: &'a Node,
    frame: &[Value<'_>],
    cx: &mut Scratch<'a>,
) -> Result<Scalar<'a>, Fallback> {
    Ok(match node {
        Node::Const(l) => l.scalar()?,
        Node::Slot(s) => Scalar::of(frame, *s)?,
        Node::Local(id) => cx.locals[*id as usize],
        Node::Not(x) => match eval(x, frame, cx)? {
            Scalar::Bool(b) => Scalar::Bool(!b),
            _ => return Err(Fallback),
        },
        Node::Neg(x) => match eval(x, frame, cx)? {
            Scalar::Int(i) => Scalar::Int(i.checked_neg().ok_or(Fallback)?),
            Scalar::Float(f) => Scalar::Float(-f),
            _ => return Err(Fallback),
        },
        Node::And(items) => {
            for item in items.iter() {
                match eval(item, frame, cx)? {
                    Scalar::Bool(true) => {}
                    Scalar::Bool(false) => return Ok(Scalar::Bool(false)),
                    _ => return Err(Fallback),
                }
            }
            Scalar::Bool(true)
        }
        Node::Or(items) => {
            for item in items.iter() {
                match eval(item, frame, cx)? {
                    Scalar::Bool(false) => {}
                    Scalar::Bool(true) => return Ok(Scalar::Bool(true)),
                    _ => return Err(Fallback),
                }
            }
            Scalar::Bool(false)
        }
        Node::Coalesce(items) => {
            let mut last = Scalar::Null;
            for item in items.iter() {
                last = eval(item, frame, cx)?;
                if last != Scalar::Null {
                    break;
                }
            }
            last
        }
        Node::Cmp(op, pair) => {
            let a = eval(&pair.0, frame, cx)?;
            let b = eval(&pair.1, frame, cx)?;
            Scalar::Bool(compare(*op, a, b, frame, cx)?)
        }
        Node::CmpSlot(op, slot, c) => {
            let a = Scalar::of(frame, *slot)?;
            Scalar::Bool(compare(*op, a, c.scalar()?, frame, cx)?)
        }
        Node::Arith(op, pair) => {
            let a = eval(&pair.0, frame, cx)?;
            let b = eval(&pair.1, frame, cx)?;
            arith(*op, a, b, frame, cx)?
        }
        Node::In(x, items) => {
            let x = eval(x, frame, cx)?;
            // Text in a long list of texts: what comparing with each item gives, at once.
            if let (Some(texts), true) = (items.texts(), x.is_text()) {
                let text = cx.str(&x, frame).ok_or(Fallback)?;
                return Ok(Scalar::Bool(texts.contains(text)));
            }
            let mut found = false;
            for item in items.iter() {
                if compare(Cmp::Eq, x, item.scalar()?, frame, cx)? {
                    found = true;
                    break;
                }
            }
            Scalar::Bool(found)
        }
        Node::If(parts) => match eval(&parts.0, frame, cx)? {
            Scalar::Bool(true) => eval(&parts.1, frame, cx)?,
            Scalar::Bool(false) => eval(&parts.2, frame, cx)?,
            _ => return Err(Fallback),
        },
        Node::Call(f, args) => builtins::call(*f, args, frame, cx)?,
        Node::Block(steps, value) => {
            run(steps, frame, cx)?;
            eval(value, frame, cx)?
        }
        Node::Template(parts) => text::template(parts, frame, cx)?,
        Node::Switch(s) => s.eval(frame, cx)?,
        Node::Num(t) => match typed::num(&t.0, frame, &mut cx.locals) {
            Ok(x) => Scalar::Float(x),
            Err(Fallback) => eval(&t.1, frame, cx)?,
        },
        Node::Int(t) => match typed::int(&t.0, frame, &mut cx.locals) {
            Ok(i) => Scalar::Int(i),
            Err(Fallback) => eval(&t.1, frame, cx)?,
        },
        Node::Truth(t) => match typed::truth(&t.0, frame, &mut cx.locals) {
            Ok(b) => Scalar::Bool(b),
            Err(Fallback) => eval(&t.1, frame, cx)?,
        },
    })
}

/// Runs a block's steps.
fn run<'a>(steps: &'a [Step], frame: &[Value<'_>], cx: &mut Scratch<'a>) -> Result<(), Fallback> {
    for step in steps {
        match step {
            Step::Set(id, init) => cx.locals[*id as usize] = eval(init, frame, cx)?,
            Step::If(cond, then, other) => match eval(cond, frame, cx)? {
                Scalar::Bool(true) => run(then, frame, cx)?,
                Scalar::Bool(false) => run(other, frame, cx)?,
                _ => return Err(Fallback),
            },
        }
    }
    Ok(())
}

/// rhai's comparison semantics: numbers compare across int/float (decimals within a
/// relative epsilon, see [`float_compare`]); text with text; dates with dates; values of
/// different kinds are unequal and never ordered (so NULL orders false), except that a date
/// compared with anything but a date or NULL, text compared with a number, and true/false
/// compared with a number or text, are rhai's errors to raise.
#[inline]
pub(super) fn compare<'a>(
    op: Cmp,
    a: Scalar<'a>,
    b: Scalar<'a>,
    frame: &[Value<'_>],
    cx: &Scratch<'a>,
) -> Result<bool, Fallback> {
    use std::cmp::Ordering;
    let ordering: Option<Ordering> = match (a, b) {
        (Scalar::Date(x), Scalar::Date(y)) => Some(x.cmp(&y)),
        (Scalar::Date(_), Scalar::Null) | (Scalar::Null, Scalar::Date(_)) => None,
        (Scalar::Date(_), _) | (_, Scalar::Date(_)) => return Err(Fallback),
        // Text and numbers never compare, true/false compares only with true/false: rhai's
        // errors to raise.
        (x, y)
            if (x.is_text() && y.as_f64().is_some()) || (x.as_f64().is_some() && y.is_text()) =>
        {
            return Err(Fallback);
        }
        (Scalar::Bool(_), y) | (y, Scalar::Bool(_)) if y.is_text() || y.as_f64().is_some() => {
            return Err(Fallback);
        }
        (Scalar::Int(x), Scalar::Int(y)) => Some(x.cmp(&y)),
        (Scalar::Float(x), Scalar::Float(y)) => return Ok(float_compare(op, x, y)),
        (Scalar::Int(x), Scalar::Float(y)) => return Ok(float_compare(op, x as f64, y)),
        (Scalar::Float(x), Scalar::Int(y)) => return Ok(float_compare(op, x, y as f64)),
        (x, y) if x.is_text() && y.is_text() => {
            let (Some(x), Some(y)) = (cx.str(&x, frame), cx.str(&y, frame)) else {
                return Err(Fallback);
            };
            Some(x.cmp(y))
        }
        // true/false and NULL are only equal or not; rhai does not order them.
        (Scalar::Bool(x), Scalar::Bool(y)) if matches!(op, Cmp::Eq | Cmp::Ne) => Some(x.cmp(&y)),
        (Scalar::Null, Scalar::Null) if matches!(op, Cmp::Eq | Cmp::Ne) => Some(Ordering::Equal),
        // Different kinds: unequal, and no ordering holds.
        _ => None,
    };
    Ok(holds(op, ordering))
}

/// Whether `op` holds between two values ordered `ordering` (`None`: not ordered, so only
/// `!=` holds).
#[inline]
pub(super) fn holds(op: Cmp, ordering: Option<std::cmp::Ordering>) -> bool {
    use std::cmp::Ordering;
    match (op, ordering) {
        (Cmp::Eq, o) => o == Some(Ordering::Equal),
        (Cmp::Ne, o) => o != Some(Ordering::Equal),
        (_, None) => false,
        (Cmp::Lt, Some(o)) => o == Ordering::Less,
        (Cmp::Le, Some(o)) => o != Ordering::Greater,
        (Cmp::Gt, Some(o)) => o == Ordering::Greater,
        (Cmp::Ge, Some(o)) => o != Ordering::Less,
    }
}

/// A comparison with a decimal as the scripts' operators make it
/// ([`crate::value::number_holds`]): within a part in 10^12 counts as equal.
#[inline]
pub(crate) fn float_compare(op: Cmp, x: f64, y: f64) -> bool {
    crate::value::number_holds(op, x, y)
}

/// Arithmetic as tierwise's rhai does it: checked whole numbers (an overflow is rhai's error),
/// `/` always decimal, `**` of whole numbers only to a power from 0 up; `+` with text
/// concatenates.
#[inline]
pub(super) fn arith<'a>(
    op: Arith,
    a: Scalar<'a>,
    b: Scalar<'a>,
    frame: &[Value<'_>],
    cx: &mut Scratch<'a>,
) -> Result<Scalar<'a>, Fallback> {
    if let (Scalar::Int(x), Scalar::Int(y)) = (a, b) {
        return Ok(match op {
            // tierwise's `/` always divides as decimals; by zero is rhai's error to raise.
            Arith::Div => Scalar::Float(decimal(op, x as f64, y as f64)?),
            _ => Scalar::Int(whole(op, x, y)?),
        });
    }
    if op == Arith::Add && (a.is_text() || b.is_text()) {
        return text::concat(a, b, frame, cx);
    }
    let (Some(x), Some(y)) = (a.as_f64(), b.as_f64()) else {
        return Err(Fallback);
    };
    Ok(Scalar::Float(decimal(op, x, y)?))
}

/// Whole numbers' arithmetic, checked: an overflow, a remainder by 0 or a negative power is
/// rhai's error to raise. `/` is not whole-number arithmetic (see [`decimal`]).
#[inline]
pub(super) fn whole(op: Arith, x: i64, y: i64) -> Result<i64, Fallback> {
    match op {
        Arith::Add => x.checked_add(y),
        Arith::Sub => x.checked_sub(y),
        Arith::Mul => x.checked_mul(y),
        Arith::Rem if y != 0 => x.checked_rem(y),
        Arith::Pow => int_pow(x, y),
        Arith::Rem | Arith::Div => None,
    }
    .ok_or(Fallback)
}

/// Decimals' arithmetic; a division by 0 is rhai's error to raise.
#[inline]
pub(super) fn decimal(op: Arith, x: f64, y: f64) -> Result<f64, Fallback> {
    Ok(match op {
        Arith::Add => x + y,
        Arith::Sub => x - y,
        Arith::Mul => x * y,
        Arith::Div if y != 0.0 => x / y,
        Arith::Rem => x % y,
        Arith::Pow => x.powf(y),
        Arith::Div => return Err(Fallback),
    })
}
