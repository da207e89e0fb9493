//! The typed trees evaluated column-at-a-time: one walk of the tree for a whole chunk of
//! customers (lanes), each node a tight loop over plain `f64`, `i64` or `bool` columns,
//! instead of one walk per customer (whose cost is the dispatch at every node).
//!
//! A lane computes exactly what the per-customer typed walk computes (the same arithmetic,
//! math and comparison functions, in the same order), or gives up ([`Cell::GaveUp`]) where
//! the per-customer walk would give way to the generic tree: the caller then evaluates that
//! customer as before, which decides (and reports errors) exactly as it always did. Both
//! branches of an `if`, and every operand of `&&` and `||`, are computed for every lane; a
//! lane gives up only for what it would have evaluated, so a division by zero in a branch a
//! customer does not take costs nothing but the lane's wasted arithmetic.

use super::{Int, Num, Read, Truth, TypedStep};
use crate::rules::Slot;
use crate::rules::native::builtins::{float_to_int, math, pick_first};
use crate::rules::native::eval::{decimal, float_compare, holds, whole};
use crate::rules::native::{Arith, Scalar};
use crate::value::Value;

/// A whole expression compiled for the kind it gives (`Typer::root`).
#[derive(Debug, Clone)]
pub enum Typed {
    Num(Num),
    Int(Int),
    Truth(Truth),
}

/// One customer's value, as the columnar walk reads and gives it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A value of another kind (text, a date): not NULL, and no number.
    Other,
    /// Read: a value the fast path does not handle (a list). Given: this lane gave up, the
    /// customer is the per-customer evaluation's.
    GaveUp,
}

impl Cell {
    /// What the per-customer walk reads from a frame slot holding `v` (`Scalar::of`).
    #[inline]
    pub fn of(v: &Value<'_>) -> Cell {
        match Scalar::of(std::slice::from_ref(v), 0) {
            Ok(Scalar::Null) => Cell::Null,
            Ok(Scalar::Bool(b)) => Cell::Bool(b),
            Ok(Scalar::Int(i)) => Cell::Int(i),
            Ok(Scalar::Float(f)) => Cell::Float(f),
            Ok(_) => Cell::Other,
            Err(_) => Cell::GaveUp,
        }
    }

    fn float(self) -> Option<f64> {
        match self {
            Cell::Float(x) => Some(x),
            _ => None,
        }
    }

    fn int(self) -> Option<i64> {
        match self {
            Cell::Int(i) => Some(i),
            _ => None,
        }
    }

    fn truth(self) -> Option<bool> {
        match self {
            Cell::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// The value of a lane that did not give up.
    pub fn value(self) -> Option<Value<'static>> {
        match self {
            Cell::Bool(b) => Some(Value::Bool(b)),
            Cell::Int(i) => Some(Value::Int(i)),
            Cell::Float(f) => Some(Value::Float(f)),
            Cell::Null | Cell::Other | Cell::GaveUp => None,
        }
    }
}

impl Typed {
    /// The value of each of `lanes` customers, written to `out`. `read(slot, cells)` fills
    /// `cells` (one per lane) with what the slot holds for each; `locals` is how many
    /// locals the expression has. A non-finite decimal is given up (the per-customer path
    /// reports it).
    pub fn eval(
        &self,
        lanes: usize,
        locals: usize,
        read: &mut dyn FnMut(Slot, &mut [Cell]),
        out: &mut Vec<Cell>,
    ) {
        let mut w = Walk {
            n: lanes,
            read,
            locals: vec![vec![Cell::Null; lanes]; locals],
        };
        out.clear();
        match self {
            Typed::Num(x) => {
                let (v, gave) = w.num(x);
                out.extend(v.iter().zip(&gave).map(|(&x, &g)| {
                    if g || !x.is_finite() {
                        Cell::GaveUp
                    } else {
                        Cell::Float(x)
                    }
                }));
            }
            Typed::Int(x) => {
                let (v, gave) = w.int(x);
                out.extend(
                    v.iter()
                        .zip(&gave)
                        .map(|(&x, &g)| if g { Cell::GaveUp } else { Cell::Int(x) }),
                );
            }
            Typed::Truth(x) => {
                let (v, gave) = w.truth(x);
                out.extend(
                    v.iter()
                        .zip(&gave)
                        .map(|(&x, &g)| if g { Cell::GaveUp } else { Cell::Bool(x) }),
                );
            }
        }
    }
}

/// Values per lane, and whether each lane gave up.
type Lanes<T> = (Vec<T>, Vec<bool>);

struct Walk<'r> {
    n: usize,
    read: &'r mut dyn FnMut(Slot, &mut [Cell]),
    /// Each local's value per lane.
    locals: Vec<Vec<Cell>>,
}

impl Walk<'_> {
    fn cells(&mut self, r: Read) -> Vec<Cell> {
        match r {
            Read::Slot(s) => {
                let mut cells = vec![Cell::Null; self.n];
                (self.read)(s, &mut cells);
                cells
            }
            Read::Local(id) => self.locals[id as usize].clone(),
        }
    }

    /// What `r` holds per lane, as `kind` reads it (giving up where it reads nothing).
    fn read<T: Copy + Default>(&mut self, r: Read, kind: fn(Cell) -> Option<T>) -> Lanes<T> {
        let cells = self.cells(r);
        Self::map(&cells, vec![false; self.n], kind)
    }

    /// `x ?? default` per lane: `x` as `kind` reads it, the default where it is NULL.
    fn or_else<T: Copy + Default>(
        cells: &[Cell],
        default: Lanes<T>,
        kind: fn(Cell) -> Option<T>,
    ) -> Lanes<T> {
        let (d, mut gave) = default;
        let v = cells
            .iter()
            .zip(d)
            .zip(gave.iter_mut())
            .map(|((&c, d), g)| match c {
                Cell::Null => d,
                c => match kind(c) {
                    Some(x) => {
                        *g = false;
                        x
                    }
                    None => {
                        *g = true;
                        T::default()
                    }
                },
            })
            .collect();
        (v, gave)
    }

    /// Lanes `f` maps, giving up where it gives `None` or where `gave` already has.
    fn map<A: Copy, T: Copy + Default>(
        values: &[A],
        mut gave: Vec<bool>,
        f: impl Fn(A) -> Option<T>,
    ) -> Lanes<T> {
        let v = values
            .iter()
            .zip(gave.iter_mut())
            .map(|(&x, g)| match f(x) {
                Some(y) => y,
                None => {
                    *g = true;
                    T::default()
                }
            })
            .collect();
        (v, gave)
    }

    /// Two operands' lanes combined by `f`.
    fn zip<A: Copy, B: Copy, T: Copy + Default>(
        a: Lanes<A>,
        b: Lanes<B>,
        f: impl Fn(A, B) -> Option<T>,
    ) -> Lanes<T> {
        let (a, mut gave) = a;
        let (b, b_gave) = b;
        let v = a
            .iter()
            .zip(&b)
            .zip(gave.iter_mut().zip(&b_gave))
            .map(|((&x, &y), (g, &h))| {
                *g |= h;
                match f(x, y) {
                    Some(z) => z,
                    None => {
                        *g = true;
                        T::default()
                    }
                }
            })
            .collect();
        (v, gave)
    }

    /// Per lane, `then` where `cond` holds, else `other`; a lane gives up where the
    /// condition did or where the branch it takes did.
    fn choose<T: Copy>(cond: Lanes<bool>, then: Lanes<T>, other: Lanes<T>) -> Lanes<T> {
        let (c, mut gave) = cond;
        let ((t, tg), (o, og)) = (then, other);
        let v = (0..c.len())
            .map(|k| {
                gave[k] |= if c[k] { tg[k] } else { og[k] };
                if c[k] { t[k] } else { o[k] }
            })
            .collect();
        (v, gave)
    }

    fn num(&mut self, x: &Num) -> Lanes<f64> {
        let n = self.n;
        match x {
            Num::Const(c) => (vec![*c; n], vec![false; n]),
            Num::Read(r) => self.read(*r, Cell::float),
            Num::Whole(i) => {
                let (v, gave) = self.int(i);
                (v.iter().map(|&i| i as f64).collect(), gave)
            }
            Num::Neg(x) => {
                let (v, gave) = self.num(x);
                (v.iter().map(|x| -x).collect(), gave)
            }
            Num::Arith(op, pair) => {
                let (a, b) = (self.num(&pair.0), self.num(&pair.1));
                match op {
                    // The common operations as plain loops the compiler vectorizes.
                    Arith::Add | Arith::Sub | Arith::Mul => {
                        let ((a, gave), (b, b_gave)) = (a, b);
                        let v = match op {
                            Arith::Add => a.iter().zip(&b).map(|(x, y)| x + y).collect(),
                            Arith::Sub => a.iter().zip(&b).map(|(x, y)| x - y).collect(),
                            _ => a.iter().zip(&b).map(|(x, y)| x * y).collect(),
                        };
                        given_up_too((v, gave), &b_gave)
                    }
                    _ => Self::zip(a, b, |x, y| decimal(*op, x, y).ok()),
                }
            }
            Num::Math(f, x) => {
                let (v, gave) = self.num(x);
                Self::map(&v, gave, |x| math(*f, x).ok())
            }
            Num::MinMax(f, pair) => {
                let (a, b) = (self.num(&pair.0), self.num(&pair.1));
                Self::zip(a, b, |x, y| {
                    let o = x.partial_cmp(&y)?;
                    Some(if pick_first(*f, o) { x } else { y })
                })
            }
            Num::Else(r, default) => {
                let cells = self.cells(*r);
                let default = self.num(default);
                Self::or_else(&cells, default, Cell::float)
            }
            Num::If(parts) => {
                let c = self.truth(&parts.0);
                let (t, o) = (self.num(&parts.1), self.num(&parts.2));
                Self::choose(c, t, o)
            }
            Num::Let(steps, value) => {
                let steps_gave = self.run(steps);
                let lanes = self.num(value);
                given_up_too(lanes, &steps_gave)
            }
        }
    }

    fn int(&mut self, x: &Int) -> Lanes<i64> {
        let n = self.n;
        match x {
            Int::Const(c) => (vec![*c; n], vec![false; n]),
            Int::Read(r) => self.read(*r, Cell::int),
            Int::Neg(x) => {
                let (v, gave) = self.int(x);
                Self::map(&v, gave, i64::checked_neg)
            }
            Int::Arith(op, pair) => {
                let (a, b) = (self.int(&pair.0), self.int(&pair.1));
                Self::zip(a, b, |x, y| whole(*op, x, y).ok())
            }
            Int::MinMax(f, pair) => {
                let (a, b) = (self.int(&pair.0), self.int(&pair.1));
                Self::zip(a, b, |x, y| {
                    Some(if pick_first(*f, x.cmp(&y)) { x } else { y })
                })
            }
            Int::Abs(x) => {
                let (v, gave) = self.int(x);
                Self::map(&v, gave, i64::checked_abs)
            }
            Int::Trunc(x) => {
                let (v, gave) = self.num(x);
                Self::map(&v, gave, float_to_int)
            }
            Int::Else(r, default) => {
                let cells = self.cells(*r);
                let default = self.int(default);
                Self::or_else(&cells, default, Cell::int)
            }
            Int::If(parts) => {
                let c = self.truth(&parts.0);
                let (t, o) = (self.int(&parts.1), self.int(&parts.2));
                Self::choose(c, t, o)
            }
            Int::Let(steps, value) => {
                let steps_gave = self.run(steps);
                let lanes = self.int(value);
                given_up_too(lanes, &steps_gave)
            }
        }
    }

    fn truth(&mut self, x: &Truth) -> Lanes<bool> {
        let n = self.n;
        match x {
            Truth::Read(r) => self.read(*r, Cell::truth),
            Truth::Not(x) => {
                let (v, gave) = self.truth(x);
                (v.iter().map(|b| !b).collect(), gave)
            }
            // Operands in order: a lane is decided by the first operand that is false (for
            // `&&`; true for `||`), and gives up at an operand it reaches that gave up.
            Truth::And(items) | Truth::Or(items) => {
                let decides = matches!(x, Truth::Or(_));
                let (mut v, mut gave) = (vec![!decides; n], vec![false; n]);
                let mut open = vec![true; n];
                for item in items.iter() {
                    let (iv, ig) = self.truth(item);
                    for k in 0..n {
                        if open[k] {
                            if ig[k] {
                                gave[k] = true;
                                open[k] = false;
                            } else if iv[k] == decides {
                                v[k] = decides;
                                open[k] = false;
                            }
                        }
                    }
                }
                (v, gave)
            }
            Truth::Cmp(op, pair) => {
                let (a, b) = (self.num(&pair.0), self.num(&pair.1));
                Self::zip(a, b, |x, y| Some(float_compare(*op, x, y)))
            }
            Truth::CmpInt(op, pair) => {
                let (a, b) = (self.int(&pair.0), self.int(&pair.1));
                Self::zip(a, b, |x, y| Some(holds(*op, Some(x.cmp(&y)))))
            }
            Truth::IsNull(r, negated) => {
                let cells = self.cells(*r);
                Self::map(&cells, vec![false; n], |c| match c {
                    Cell::GaveUp => None,
                    Cell::Null => Some(!negated),
                    _ => Some(*negated),
                })
            }
            Truth::If(parts) => {
                let c = self.truth(&parts.0);
                let (t, o) = (self.truth(&parts.1), self.truth(&parts.2));
                Self::choose(c, t, o)
            }
            Truth::Let(steps, value) => {
                let steps_gave = self.run(steps);
                let lanes = self.truth(value);
                given_up_too(lanes, &steps_gave)
            }
        }
    }

    /// Runs a block's steps for every lane: which lanes gave up on the way.
    fn run(&mut self, steps: &[TypedStep]) -> Vec<bool> {
        let mut gave = vec![false; self.n];
        let set = |w: &mut Self, id: u16, cells: Vec<Cell>, gave: &mut Vec<bool>| {
            for (g, c) in gave.iter_mut().zip(&cells) {
                *g |= *c == Cell::GaveUp;
            }
            w.locals[id as usize] = cells;
        };
        for step in steps {
            match step {
                TypedStep::Num(id, x) => {
                    let lanes = self.num(x);
                    set(self, *id, cells(lanes, Cell::Float), &mut gave);
                }
                TypedStep::Int(id, x) => {
                    let lanes = self.int(x);
                    set(self, *id, cells(lanes, Cell::Int), &mut gave);
                }
                TypedStep::Truth(id, x) => {
                    let lanes = self.truth(x);
                    set(self, *id, cells(lanes, Cell::Bool), &mut gave);
                }
                TypedStep::Copy(id, r) => {
                    let c = self.cells(*r);
                    set(self, *id, c, &mut gave);
                }
                TypedStep::If(cond, then, other) => {
                    let (c, c_gave) = self.truth(cond);
                    let before = self.locals.clone();
                    let then_gave = self.run(then);
                    let after_then = std::mem::replace(&mut self.locals, before);
                    let other_gave = self.run(other);
                    for (mine, theirs) in self.locals.iter_mut().zip(after_then) {
                        for k in 0..self.n {
                            if c[k] {
                                mine[k] = theirs[k];
                            }
                        }
                    }
                    for k in 0..self.n {
                        gave[k] |= c_gave[k] || if c[k] { then_gave[k] } else { other_gave[k] };
                    }
                }
            }
        }
        gave
    }
}

/// `lanes`, also given up where `gave` is (a block's steps gave up there).
fn given_up_too<T>(lanes: Lanes<T>, gave: &[bool]) -> Lanes<T> {
    let (v, mut mine) = lanes;
    mine.iter_mut().zip(gave).for_each(|(g, h)| *g |= h);
    (v, mine)
}

/// Lanes as cells: the values, `GaveUp` where a lane gave up.
fn cells<T: Copy>(lanes: Lanes<T>, cell: impl Fn(T) -> Cell) -> Vec<Cell> {
    let (v, gave) = lanes;
    v.into_iter()
        .zip(gave)
        .map(|(x, g)| if g { Cell::GaveUp } else { cell(x) })
        .collect()
}
