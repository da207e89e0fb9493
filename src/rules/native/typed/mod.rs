//! Typed subexpressions. When an evaluation starts, the kinds of values the data's columns
//! hold are known (whole numbers, decimals, true/false), and so, for many subexpressions, the
//! kind they give: what arithmetic, the math functions, `??`, `if`, comparisons and a script
//! function's `let`s and guard clauses make of those columns and of constants. Such a
//! subexpression is compiled a second time for its kind ([`Typer`], from
//! [`super::Native::fast`]): a tree over plain `f64`, `i64` and `bool`, with no kind to test
//! at every node and constant math done once. Its arithmetic, math functions and comparisons
//! are the generic walk's own (`eval`, `builtins`), so both compute alike.
//!
//! A typed tree checks what it assumed (a slot holds a decimal and not NULL, a divisor is not
//! 0, nothing overflows). When a check fails it gives up ([`Fallback`]) and the generic tree
//! it was made from evaluates the same subexpression, deciding exactly as before (and leaving
//! to rhai what it cannot). Subexpressions have no side effects, so a second evaluation is
//! safe; the unit tests run every case untyped, typed right and typed wrong against rhai, and
//! the differential test compares both paths with the interpreter.

mod compile;
mod lanes;

pub(super) use compile::Typer;
pub use lanes::{Buffers, Cell, Typed};

use super::builtins::{float_to_int, math, pick_first};
use super::eval::{decimal, float_compare, holds, whole};
use super::{Arith, Builtin, Cmp, Fallback, Scalar};
use crate::rules::Slot;
use crate::value::Value;

/// The kind a subexpression gives whenever it gives a value that is not NULL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Int,
    Float,
    Bool,
}

/// Where a typed leaf reads its value: a slot of the frame or a local.
#[derive(Debug, Clone, Copy)]
pub enum Read {
    Slot(Slot),
    Local(u16),
}

/// A subexpression that gives a decimal.
#[derive(Debug, Clone)]
pub enum Num {
    Const(f64),
    Read(Read),
    /// A whole number where a decimal is needed (`sales * 2`, `sqrt(orders)`).
    Whole(Box<Int>),
    Neg(Box<Num>),
    Arith(Arith, Box<(Num, Num)>),
    /// `sqrt`, `exp`, `ln`, `log`, `abs`, `floor`, `ceiling`, `round` of a decimal.
    Math(Builtin, Box<Num>),
    MinMax(Builtin, Box<(Num, Num)>),
    /// `x ?? default` with `x` a decimal or NULL.
    Else(Read, Box<Num>),
    If(Box<(Truth, Num, Num)>),
    /// A block: its steps, then its value.
    Let(Box<[TypedStep]>, Box<Num>),
}

/// A subexpression that gives a whole number.
#[derive(Debug, Clone)]
pub enum Int {
    Const(i64),
    Read(Read),
    Neg(Box<Int>),
    Arith(Arith, Box<(Int, Int)>),
    MinMax(Builtin, Box<(Int, Int)>),
    Abs(Box<Int>),
    /// `to_int` of a decimal.
    Trunc(Box<Num>),
    Else(Read, Box<Int>),
    If(Box<(Truth, Int, Int)>),
    Let(Box<[TypedStep]>, Box<Int>),
}

/// A subexpression that gives true or false.
#[derive(Debug, Clone)]
pub enum Truth {
    Read(Read),
    Not(Box<Truth>),
    And(Box<[Truth]>),
    Or(Box<[Truth]>),
    /// Numbers compared as decimals (a whole number on one side is made decimal).
    Cmp(Cmp, Box<(Num, Num)>),
    CmpInt(Cmp, Box<(Int, Int)>),
    /// `x == ()` (or `!=` when the flag is set): whether a value is NULL, whatever its kind.
    IsNull(Read, bool),
    If(Box<(Truth, Truth, Truth)>),
    Let(Box<[TypedStep]>, Box<Truth>),
}

/// A step of a typed block: a local gets a value of a known kind, or whatever a slot or
/// another local holds; or an `if` of steps.
#[derive(Debug, Clone)]
pub enum TypedStep {
    Num(u16, Num),
    Int(u16, Int),
    Truth(u16, Truth),
    Copy(u16, Read),
    If(Truth, Box<[TypedStep]>, Box<[TypedStep]>),
}

/// Runs a typed block's steps.
fn run<'a>(
    steps: &[TypedStep],
    frame: &[Value<'_>],
    locals: &mut [Scalar<'a>],
) -> Result<(), Fallback> {
    for step in steps {
        match step {
            TypedStep::Num(id, x) => locals[*id as usize] = Scalar::Float(num(x, frame, locals)?),
            TypedStep::Int(id, x) => locals[*id as usize] = Scalar::Int(int(x, frame, locals)?),
            TypedStep::Truth(id, x) => {
                locals[*id as usize] = Scalar::Bool(truth(x, frame, locals)?)
            }
            TypedStep::Copy(id, r) => locals[*id as usize] = read_value(*r, frame, locals)?,
            TypedStep::If(cond, then, other) => {
                if truth(cond, frame, locals)? {
                    run(then, frame, locals)?
                } else {
                    run(other, frame, locals)?
                }
            }
        }
    }
    Ok(())
}

/// The value `r` reads; lists and other values are the generic tree's to decide.
#[inline]
fn read_value<'a>(
    r: Read,
    frame: &[Value<'_>],
    locals: &[Scalar<'a>],
) -> Result<Scalar<'a>, Fallback> {
    match r {
        Read::Slot(s) => Scalar::of(frame, s),
        Read::Local(id) => Ok(locals[id as usize]),
    }
}

#[inline]
pub(super) fn num<'a>(
    n: &Num,
    frame: &[Value<'_>],
    locals: &mut [Scalar<'a>],
) -> Result<f64, Fallback> {
    Ok(match n {
        Num::Const(x) => *x,
        Num::Read(r) => match read_value(*r, frame, locals)? {
            Scalar::Float(x) => x,
            _ => return Err(Fallback),
        },
        Num::Whole(i) => int(i, frame, locals)? as f64,
        Num::Neg(x) => -num(x, frame, locals)?,
        Num::Arith(op, pair) => {
            let (x, y) = (num(&pair.0, frame, locals)?, num(&pair.1, frame, locals)?);
            decimal(*op, x, y)?
        }
        Num::Math(f, x) => math(*f, num(x, frame, locals)?)?,
        Num::MinMax(f, pair) => {
            let (x, y) = (num(&pair.0, frame, locals)?, num(&pair.1, frame, locals)?);
            let o = x.partial_cmp(&y).ok_or(Fallback)?;
            if pick_first(*f, o) { x } else { y }
        }
        Num::Else(r, default) => match read_value(*r, frame, locals)? {
            Scalar::Null => num(default, frame, locals)?,
            Scalar::Float(x) => x,
            _ => return Err(Fallback),
        },
        Num::If(parts) => {
            if truth(&parts.0, frame, locals)? {
                num(&parts.1, frame, locals)?
            } else {
                num(&parts.2, frame, locals)?
            }
        }
        Num::Let(steps, value) => {
            run(steps, frame, locals)?;
            num(value, frame, locals)?
        }
    })
}

#[inline]
pub(super) fn int<'a>(
    n: &Int,
    frame: &[Value<'_>],
    locals: &mut [Scalar<'a>],
) -> Result<i64, Fallback> {
    Ok(match n {
        Int::Const(i) => *i,
        Int::Read(r) => match read_value(*r, frame, locals)? {
            Scalar::Int(i) => i,
            _ => return Err(Fallback),
        },
        Int::Neg(x) => int(x, frame, locals)?.checked_neg().ok_or(Fallback)?,
        Int::Arith(op, pair) => {
            let (x, y) = (int(&pair.0, frame, locals)?, int(&pair.1, frame, locals)?);
            whole(*op, x, y)?
        }
        Int::MinMax(f, pair) => {
            let (x, y) = (int(&pair.0, frame, locals)?, int(&pair.1, frame, locals)?);
            if pick_first(*f, x.cmp(&y)) { x } else { y }
        }
        Int::Abs(x) => int(x, frame, locals)?.checked_abs().ok_or(Fallback)?,
        Int::Trunc(x) => float_to_int(num(x, frame, locals)?).ok_or(Fallback)?,
        Int::Else(r, default) => match read_value(*r, frame, locals)? {
            Scalar::Null => int(default, frame, locals)?,
            Scalar::Int(i) => i,
            _ => return Err(Fallback),
        },
        Int::If(parts) => {
            if truth(&parts.0, frame, locals)? {
                int(&parts.1, frame, locals)?
            } else {
                int(&parts.2, frame, locals)?
            }
        }
        Int::Let(steps, value) => {
            run(steps, frame, locals)?;
            int(value, frame, locals)?
        }
    })
}

#[inline]
pub(super) fn truth<'a>(
    n: &Truth,
    frame: &[Value<'_>],
    locals: &mut [Scalar<'a>],
) -> Result<bool, Fallback> {
    Ok(match n {
        Truth::Read(r) => match read_value(*r, frame, locals)? {
            Scalar::Bool(b) => b,
            _ => return Err(Fallback),
        },
        Truth::Not(x) => !truth(x, frame, locals)?,
        Truth::And(items) => {
            for item in items.iter() {
                if !truth(item, frame, locals)? {
                    return Ok(false);
                }
            }
            true
        }
        Truth::Or(items) => {
            for item in items.iter() {
                if truth(item, frame, locals)? {
                    return Ok(true);
                }
            }
            false
        }
        Truth::Cmp(op, pair) => {
            let (x, y) = (num(&pair.0, frame, locals)?, num(&pair.1, frame, locals)?);
            float_compare(*op, x, y)
        }
        Truth::CmpInt(op, pair) => {
            let (x, y) = (int(&pair.0, frame, locals)?, int(&pair.1, frame, locals)?);
            holds(*op, Some(x.cmp(&y)))
        }
        Truth::IsNull(r, negated) => match read_value(*r, frame, locals)? {
            Scalar::Null => !negated,
            _ => *negated,
        },
        Truth::If(parts) => {
            if truth(&parts.0, frame, locals)? {
                truth(&parts.1, frame, locals)?
            } else {
                truth(&parts.2, frame, locals)?
            }
        }
        Truth::Let(steps, value) => {
            run(steps, frame, locals)?;
            truth(value, frame, locals)?
        }
    })
}
