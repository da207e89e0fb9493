//! Typed subexpressions. When an evaluation starts, the kinds of values the data's columns
//! hold are known (whole numbers, decimals, true/false), and so, for many subexpressions, the
//! kind they give: what arithmetic, the math functions, `??`, `if`, comparisons and a script
//! function's `let`s and guard clauses make of those columns and of constants. Such a
//! subexpression is compiled a second time for its kind ([`Typer`], from
//! [`super::Native::fast`]): a tree over plain `f64`, `i64` and `bool` whose results come
//! back in registers, with no kind to test at every node and constant math done once.
//!
//! A typed tree checks what it assumed (a slot holds a decimal and not NULL, a divisor is not
//! 0, nothing overflows). When a check fails it gives up ([`Fallback`]) and the generic tree
//! it was made from evaluates the same subexpression, deciding exactly as before (and leaving
//! to rhai what it cannot). Subexpressions have no side effects, so a second evaluation is
//! safe; the unit tests run every case untyped, typed right and typed wrong against rhai, and
//! the differential test compares both paths with the interpreter.

use super::builtins::float_to_int;
use super::eval::float_compare;
use super::{Arith, Builtin, Cmp, Fallback, Node, Scalar, Step};
use crate::rules::Slot;
use crate::script::int_pow;
use crate::value::{Lit, Value};
use std::cmp::Ordering;

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
    Ok(match r {
        Read::Slot(s) => match frame[s] {
            Value::Null => Scalar::Null,
            Value::Bool(b) => Scalar::Bool(b),
            Value::Int(i) => Scalar::Int(i),
            Value::Float(f) => Scalar::Float(f),
            Value::Str(_) | Value::Owned(_) => Scalar::Field(s as u32),
            Value::Date(d) => Scalar::Date(d),
            _ => return Err(Fallback),
        },
        Read::Local(id) => locals[id as usize],
    })
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
            match op {
                Arith::Add => x + y,
                Arith::Sub => x - y,
                Arith::Mul => x * y,
                Arith::Div if y != 0.0 => x / y,
                Arith::Div => return Err(Fallback),
                Arith::Rem => x % y,
                Arith::Pow => x.powf(y),
            }
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

/// A one-argument math function of a decimal, as `builtins` computes it.
#[inline]
fn math(f: Builtin, x: f64) -> Result<f64, Fallback> {
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

/// `min`/`max` keep the first of equal values, as `builtins` does.
#[inline]
fn pick_first(f: Builtin, o: Ordering) -> bool {
    match f {
        Builtin::Min => o != Ordering::Greater,
        _ => o != Ordering::Less,
    }
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
            match op {
                Arith::Add => x.checked_add(y),
                Arith::Sub => x.checked_sub(y),
                Arith::Mul => x.checked_mul(y),
                Arith::Rem if y != 0 => x.checked_rem(y),
                Arith::Pow => int_pow(x, y),
                Arith::Rem | Arith::Div => None,
            }
            .ok_or(Fallback)?
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
            let o = x.cmp(&y);
            match op {
                Cmp::Eq => o == Ordering::Equal,
                Cmp::Ne => o != Ordering::Equal,
                Cmp::Lt => o == Ordering::Less,
                Cmp::Le => o != Ordering::Greater,
                Cmp::Gt => o == Ordering::Greater,
                Cmp::Ge => o != Ordering::Less,
            }
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

/// What local `id` holds, as far as the compiler knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LocalKind {
    Unset,
    Known(Kind),
    /// Assigned values of different or unknown kinds.
    Mixed,
}

/// Compiles the typed trees of an expression: the kinds of slots come from `slot_kind`, the
/// kinds of locals from what they are assigned.
pub(super) struct Typer<'t> {
    slot_kind: &'t dyn Fn(Slot) -> Option<Kind>,
    locals: Vec<LocalKind>,
}

impl<'t> Typer<'t> {
    pub fn new(slot_kind: &'t dyn Fn(Slot) -> Option<Kind>, locals: usize) -> Self {
        Typer {
            slot_kind,
            locals: vec![LocalKind::Unset; locals],
        }
    }

    /// `root` with its typed subexpressions compiled beside their generic trees.
    pub fn wrap(mut self, root: Node) -> Node {
        // Locals' kinds: assignments in order, until nothing changes (a reassignment may
        // read the local itself).
        for _ in 0..4 {
            let before = self.locals.clone();
            self.note_locals(&root);
            if before == self.locals {
                break;
            }
        }
        self.wrap_node(root)
    }

    fn note_locals(&mut self, n: &Node) {
        let visit = |steps: &[Step], this: &mut Self| {
            for step in steps {
                match step {
                    Step::Set(id, init) => {
                        this.note_locals(init);
                        let kind = this.kind(init);
                        let slot = &mut this.locals[*id as usize];
                        *slot = match (*slot, kind) {
                            (LocalKind::Unset, Some(k)) => LocalKind::Known(k),
                            (LocalKind::Known(a), Some(b)) if a == b => LocalKind::Known(a),
                            _ => LocalKind::Mixed,
                        };
                    }
                    Step::If(cond, then, other) => {
                        this.note_locals(cond);
                        this.note_steps(then);
                        this.note_steps(other);
                    }
                }
            }
        };
        match n {
            Node::Block(steps, value) => {
                visit(steps, self);
                self.note_locals(value);
            }
            other => {
                for child in children(other) {
                    self.note_locals(child);
                }
            }
        }
    }

    fn note_steps(&mut self, steps: &[Step]) {
        let block = Node::Block(steps.to_vec().into(), Box::new(Node::Const(Lit::Null)));
        self.note_locals(&block);
    }

    /// The kind `n` gives when it gives a value that is not NULL, if the compiler knows it.
    fn kind(&self, n: &Node) -> Option<Kind> {
        use Kind::{Bool, Float, Int};
        let numeric = |k: Option<Kind>| matches!(k, Some(Int | Float));
        match n {
            Node::Const(Lit::Int(_)) => Some(Int),
            Node::Const(Lit::Float(_)) => Some(Float),
            Node::Const(Lit::Bool(_)) => Some(Bool),
            Node::Const(_) => None,
            Node::Slot(s) => (self.slot_kind)(*s),
            Node::Local(id) => match self.locals.get(*id as usize) {
                Some(LocalKind::Known(k)) => Some(*k),
                _ => None,
            },
            Node::Not(x) => (self.kind(x) == Some(Bool)).then_some(Bool),
            Node::Neg(x) => self.kind(x).filter(|k| *k != Bool),
            Node::And(items) | Node::Or(items) => items
                .iter()
                .all(|i| self.kind(i) == Some(Bool))
                .then_some(Bool),
            Node::Cmp(op, pair) => {
                let null_test = matches!(op, Cmp::Eq | Cmp::Ne) && null_test(pair).is_some();
                let numbers = numeric(self.kind(&pair.0)) && numeric(self.kind(&pair.1));
                (null_test || numbers).then_some(Bool)
            }
            Node::CmpSlot(op, s, c) => {
                let null_test = matches!(op, Cmp::Eq | Cmp::Ne) && matches!(c, Lit::Null);
                let numbers =
                    numeric((self.slot_kind)(*s)) && matches!(c, Lit::Int(_) | Lit::Float(_));
                (null_test || numbers).then_some(Bool)
            }
            Node::Arith(op, pair) => match (self.kind(&pair.0)?, self.kind(&pair.1)?) {
                (Int, Int) if *op == Arith::Div => Some(Float),
                (Int, Int) => Some(Int),
                (Bool, _) | (_, Bool) => None,
                _ => Some(Float),
            },
            Node::Call(f, args) => {
                let arg = |k: usize| args.get(k).and_then(|a| self.kind(a));
                match (f, args.len()) {
                    (Builtin::Sqrt | Builtin::Exp | Builtin::Ln | Builtin::Log10, 1)
                    | (Builtin::ToFloat, 1) => numeric(arg(0)).then_some(Float),
                    (Builtin::Abs | Builtin::Floor | Builtin::Ceiling | Builtin::Round, 1) => {
                        arg(0).filter(|k| *k != Bool)
                    }
                    (Builtin::ToInt, 1) => numeric(arg(0)).then_some(Int),
                    (Builtin::Min | Builtin::Max, 2) => match (arg(0)?, arg(1)?) {
                        (Int, Int) => Some(Int),
                        (Bool, _) | (_, Bool) => None,
                        _ => Some(Float),
                    },
                    _ => None,
                }
            }
            Node::Coalesce(items) => match &items[..] {
                [Node::Slot(_) | Node::Local(_), default] => {
                    let k = self.kind(&items[0])?;
                    (k != Bool && self.kind(default) == Some(k)).then_some(k)
                }
                _ => None,
            },
            Node::If(parts) => {
                let k = self.kind(&parts.1)?;
                (self.kind(&parts.0) == Some(Bool) && self.kind(&parts.2) == Some(k)).then_some(k)
            }
            Node::Block(_, value) => self.kind(value),
            _ => None,
        }
    }

    /// A block's steps, typed: each local's value of a known kind, or read as it is.
    fn steps(&self, steps: &[Step]) -> Option<Box<[TypedStep]>> {
        steps
            .iter()
            .map(|step| {
                Some(match step {
                    Step::Set(id, init) => match self.kind(init) {
                        Some(Kind::Float) => TypedStep::Num(*id, self.float(init)?),
                        Some(Kind::Int) => TypedStep::Int(*id, self.int(init)?),
                        Some(Kind::Bool) => TypedStep::Truth(*id, self.truth(init)?),
                        None => TypedStep::Copy(*id, Self::read(init)?),
                    },
                    Step::If(cond, then, other) => {
                        TypedStep::If(self.truth(cond)?, self.steps(then)?, self.steps(other)?)
                    }
                })
            })
            .collect()
    }

    /// `n` with a typed tree beside it when it has a kind and is worth one (more than a
    /// leaf or a single `slot <op> constant`); its children likewise otherwise.
    fn wrap_node(&self, n: Node) -> Node {
        let leaf = matches!(
            n,
            Node::Const(_) | Node::Slot(_) | Node::Local(_) | Node::CmpSlot(..)
        );
        if !leaf {
            let typed = match self.kind(&n) {
                Some(Kind::Float) => self.float(&n).map(|t| Node::Num(Box::new((t, n.clone())))),
                Some(Kind::Int) => self.int(&n).map(|t| Node::Int(Box::new((t, n.clone())))),
                Some(Kind::Bool) => self
                    .truth(&n)
                    .map(|t| Node::Truth(Box::new((t, n.clone())))),
                None => None,
            };
            if let Some(typed) = typed {
                return typed;
            }
        }
        map_children(n, &mut |child| self.wrap_node(child))
    }

    fn read(n: &Node) -> Option<Read> {
        match n {
            Node::Slot(s) => Some(Read::Slot(*s)),
            Node::Local(id) => Some(Read::Local(*id)),
            _ => None,
        }
    }

    /// `n` (a whole number or a decimal) as a decimal.
    fn num(&self, n: &Node) -> Option<Num> {
        match self.kind(n)? {
            Kind::Float => self.float(n),
            Kind::Int => Some(match self.int(n)? {
                Int::Const(i) => Num::Const(i as f64),
                other => Num::Whole(Box::new(other)),
            }),
            Kind::Bool => None,
        }
    }

    /// `n`, of kind decimal.
    fn float(&self, n: &Node) -> Option<Num> {
        if self.kind(n) != Some(Kind::Float) {
            return None;
        }
        let pair = |a: &Node, b: &Node| Some(Box::new((self.num(a)?, self.num(b)?)));
        Some(match n {
            Node::Const(Lit::Float(x)) => Num::Const(*x),
            Node::Slot(_) | Node::Local(_) => Num::Read(Self::read(n)?),
            Node::Neg(x) => match self.float(x)? {
                Num::Const(c) => Num::Const(-c),
                x => Num::Neg(Box::new(x)),
            },
            Node::Arith(op, p) => Num::Arith(*op, pair(&p.0, &p.1)?),
            Node::Call(f @ (Builtin::Min | Builtin::Max), args) => {
                Num::MinMax(*f, pair(&args[0], &args[1])?)
            }
            Node::Call(Builtin::ToFloat, args) => self.num(&args[0])?,
            Node::Call(f, args) => match self.num(&args[0])? {
                // Constant math once, when the rules load.
                Num::Const(c) => Num::Const(math(*f, c).ok()?),
                x => Num::Math(*f, Box::new(x)),
            },
            Node::Coalesce(items) => {
                Num::Else(Self::read(&items[0])?, Box::new(self.float(&items[1])?))
            }
            Node::If(p) => Num::If(Box::new((
                self.truth(&p.0)?,
                self.float(&p.1)?,
                self.float(&p.2)?,
            ))),
            Node::Block(steps, value) => Num::Let(self.steps(steps)?, Box::new(self.float(value)?)),
            _ => return None,
        })
    }

    /// `n`, of kind whole number.
    fn int(&self, n: &Node) -> Option<Int> {
        if self.kind(n) != Some(Kind::Int) {
            return None;
        }
        let pair = |a: &Node, b: &Node| Some(Box::new((self.int(a)?, self.int(b)?)));
        Some(match n {
            Node::Const(Lit::Int(i)) => Int::Const(*i),
            Node::Slot(_) | Node::Local(_) => Int::Read(Self::read(n)?),
            Node::Neg(x) => Int::Neg(Box::new(self.int(x)?)),
            Node::Arith(op, p) => Int::Arith(*op, pair(&p.0, &p.1)?),
            Node::Call(f @ (Builtin::Min | Builtin::Max), args) => {
                Int::MinMax(*f, pair(&args[0], &args[1])?)
            }
            Node::Call(Builtin::Abs, args) => Int::Abs(Box::new(self.int(&args[0])?)),
            // Of a whole number: the number itself.
            Node::Call(Builtin::Floor | Builtin::Ceiling | Builtin::Round, args) => {
                self.int(&args[0])?
            }
            Node::Call(Builtin::ToInt, args) => match self.kind(&args[0])? {
                Kind::Int => self.int(&args[0])?,
                _ => Int::Trunc(Box::new(self.float(&args[0])?)),
            },
            Node::Coalesce(items) => {
                Int::Else(Self::read(&items[0])?, Box::new(self.int(&items[1])?))
            }
            Node::If(p) => Int::If(Box::new((
                self.truth(&p.0)?,
                self.int(&p.1)?,
                self.int(&p.2)?,
            ))),
            Node::Block(steps, value) => Int::Let(self.steps(steps)?, Box::new(self.int(value)?)),
            _ => return None,
        })
    }

    /// `n`, of kind true/false.
    fn truth(&self, n: &Node) -> Option<Truth> {
        if self.kind(n) != Some(Kind::Bool) {
            return None;
        }
        let list = |items: &[Node]| items.iter().map(|i| self.truth(i)).collect::<Option<_>>();
        Some(match n {
            Node::Slot(_) | Node::Local(_) => Truth::Read(Self::read(n)?),
            Node::Not(x) => Truth::Not(Box::new(self.truth(x)?)),
            Node::And(items) => Truth::And(list(items)?),
            Node::Or(items) => Truth::Or(list(items)?),
            Node::Cmp(op, pair) => match null_test(pair) {
                Some(x) if matches!(op, Cmp::Eq | Cmp::Ne) => {
                    Truth::IsNull(Self::read(x)?, *op == Cmp::Ne)
                }
                _ => self.compare(*op, &pair.0, &pair.1)?,
            },
            Node::CmpSlot(op, s, Lit::Null) if matches!(op, Cmp::Eq | Cmp::Ne) => {
                Truth::IsNull(Read::Slot(*s), *op == Cmp::Ne)
            }
            Node::CmpSlot(op, s, c) => {
                self.compare(*op, &Node::Slot(*s), &Node::Const(c.clone()))?
            }
            _ => return None,
        })
    }

    /// Two numbers compared: as whole numbers when both are, else as decimals.
    fn compare(&self, op: Cmp, a: &Node, b: &Node) -> Option<Truth> {
        Some(match (self.kind(a)?, self.kind(b)?) {
            (Kind::Int, Kind::Int) => Truth::CmpInt(op, Box::new((self.int(a)?, self.int(b)?))),
            (Kind::Bool, _) | (_, Kind::Bool) => return None,
            _ => Truth::Cmp(op, Box::new((self.num(a)?, self.num(b)?))),
        })
    }
}

/// `x == ()` or `() == x` with `x` a slot or local: `x`.
fn null_test(pair: &(Node, Node)) -> Option<&Node> {
    match pair {
        (x @ (Node::Slot(_) | Node::Local(_)), Node::Const(Lit::Null))
        | (Node::Const(Lit::Null), x @ (Node::Slot(_) | Node::Local(_))) => Some(x),
        _ => None,
    }
}

/// The direct children of a node (a block's steps are visited by the caller).
fn children(n: &Node) -> Vec<&Node> {
    match n {
        Node::Const(_) | Node::Slot(_) | Node::Local(_) | Node::CmpSlot(..) => vec![],
        Node::Not(x) | Node::Neg(x) | Node::In(x, _) => vec![x],
        Node::And(items) | Node::Or(items) | Node::Coalesce(items) | Node::Template(items) => {
            items.iter().collect()
        }
        Node::Call(_, args) => args.iter().collect(),
        Node::Cmp(_, pair) | Node::Arith(_, pair) => vec![&pair.0, &pair.1],
        Node::If(parts) => vec![&parts.0, &parts.1, &parts.2],
        Node::Block(_, value) => vec![value],
        Node::Switch(s) => s.nodes().collect(),
        Node::Num(t) => vec![&t.1],
        Node::Int(t) => vec![&t.1],
        Node::Truth(t) => vec![&t.1],
    }
}

/// `n` with `f` applied to each of its children, and to the values of a block's steps.
fn map_children(n: Node, f: &mut dyn FnMut(Node) -> Node) -> Node {
    let list = |items: Box<[Node]>, f: &mut dyn FnMut(Node) -> Node| -> Box<[Node]> {
        items.into_vec().into_iter().map(f).collect()
    };
    match n {
        Node::Not(x) => Node::Not(Box::new(f(*x))),
        Node::Neg(x) => Node::Neg(Box::new(f(*x))),
        Node::In(x, items) => Node::In(Box::new(f(*x)), items),
        Node::And(items) => Node::And(list(items, f)),
        Node::Or(items) => Node::Or(list(items, f)),
        Node::Coalesce(items) => Node::Coalesce(list(items, f)),
        Node::Template(items) => Node::Template(list(items, f)),
        Node::Call(b, args) => Node::Call(b, list(args, f)),
        Node::Cmp(op, pair) => {
            let (a, b) = *pair;
            Node::Cmp(op, Box::new((f(a), f(b))))
        }
        Node::Arith(op, pair) => {
            let (a, b) = *pair;
            Node::Arith(op, Box::new((f(a), f(b))))
        }
        Node::If(parts) => {
            let (c, t, e) = *parts;
            Node::If(Box::new((f(c), f(t), f(e))))
        }
        Node::Block(steps, value) => {
            let steps = steps
                .into_vec()
                .into_iter()
                .map(|s| map_step(s, f))
                .collect();
            Node::Block(steps, Box::new(f(*value)))
        }
        Node::Switch(mut s) => {
            s.map_nodes(f);
            Node::Switch(s)
        }
        leaf => leaf,
    }
}

fn map_step(step: Step, f: &mut dyn FnMut(Node) -> Node) -> Step {
    match step {
        Step::Set(id, init) => Step::Set(id, f(init)),
        Step::If(cond, then, other) => {
            let steps = |s: Box<[Step]>, f: &mut dyn FnMut(Node) -> Node| -> Box<[Step]> {
                s.into_vec().into_iter().map(|s| map_step(s, f)).collect()
            };
            Step::If(f(cond), steps(then, f), steps(other, f))
        }
    }
}
