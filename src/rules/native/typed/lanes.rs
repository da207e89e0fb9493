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

use super::{Int, Kind, Num, Read, Truth, TypedStep};
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
    /// The kind of value the tree gives.
    pub fn kind(&self) -> Kind {
        match self {
            Typed::Num(_) => Kind::Float,
            Typed::Int(_) => Kind::Int,
            Typed::Truth(_) => Kind::Bool,
        }
    }

    /// The value of each of `lanes` customers, written to `out`. `read(slot, cells)` fills
    /// `cells` (one per lane) with what the slot holds for each; `locals` is how many
    /// locals the expression has; `buffers` lends the walk its lanes (kept by the caller
    /// between walks). A non-finite decimal is given up (the per-customer path reports it).
    pub fn eval(
        &self,
        lanes: usize,
        locals: usize,
        read: &mut dyn FnMut(Slot, &mut [Cell]),
        buffers: &mut Buffers,
        out: &mut Vec<Cell>,
    ) {
        let locals = (0..locals)
            .map(|_| buffers.filled(lanes, Cell::Null))
            .collect();
        let mut w = Walk {
            n: lanes,
            read,
            locals,
            buf: buffers,
        };
        let cells = match self {
            Typed::Num(x) => {
                let lanes = w.num(x);
                let finite = |x: f64| {
                    if x.is_finite() {
                        Cell::Float(x)
                    } else {
                        Cell::GaveUp
                    }
                };
                w.cells_of(lanes, finite)
            }
            Typed::Int(x) => {
                let lanes = w.int(x);
                w.cells_of(lanes, Cell::Int)
            }
            Typed::Truth(x) => {
                let lanes = w.truth(x);
                w.cells_of(lanes, Cell::Bool)
            }
        };
        // The caller's lane takes the walk's cells; its old storage goes to the buffers.
        let old = std::mem::replace(out, cells);
        w.buf.give(old);
        for local in std::mem::take(&mut w.locals) {
            w.buf.give(local);
        }
    }
}

/// Lanes lent to walks and given back after each node, kept between walks (one set per
/// worker): once warm, a walk allocates only the list of its locals (a node's lanes were a
/// `malloc` and a `free` each, a tenth of a short policy script's time).
#[derive(Debug, Default)]
pub struct Buffers {
    floats: Vec<Vec<f64>>,
    ints: Vec<Vec<i64>>,
    truths: Vec<Vec<bool>>,
    cells: Vec<Vec<Cell>>,
}

/// A kind of lane [`Buffers`] keeps.
trait Lane: Copy {
    fn shelf(buffers: &mut Buffers) -> &mut Vec<Vec<Self>>;
}

impl Lane for f64 {
    fn shelf(buffers: &mut Buffers) -> &mut Vec<Vec<f64>> {
        &mut buffers.floats
    }
}

impl Lane for i64 {
    fn shelf(buffers: &mut Buffers) -> &mut Vec<Vec<i64>> {
        &mut buffers.ints
    }
}

impl Lane for bool {
    fn shelf(buffers: &mut Buffers) -> &mut Vec<Vec<bool>> {
        &mut buffers.truths
    }
}

impl Lane for Cell {
    fn shelf(buffers: &mut Buffers) -> &mut Vec<Vec<Cell>> {
        &mut buffers.cells
    }
}

impl Buffers {
    /// A lane holding `items`.
    fn collect<T: Lane>(&mut self, items: impl Iterator<Item = T>) -> Vec<T> {
        let mut lane = T::shelf(self).pop().unwrap_or_default();
        lane.clear();
        lane.extend(items);
        lane
    }

    fn filled<T: Lane>(&mut self, n: usize, x: T) -> Vec<T> {
        self.collect(std::iter::repeat_n(x, n))
    }

    fn give<T: Lane>(&mut self, lane: Vec<T>) {
        T::shelf(self).push(lane);
    }
}

/// Values per lane, and whether each lane gave up.
type Lanes<T> = (Vec<T>, Vec<bool>);

struct Walk<'r> {
    n: usize,
    read: &'r mut dyn FnMut(Slot, &mut [Cell]),
    /// Each local's value per lane.
    locals: Vec<Vec<Cell>>,
    buf: &'r mut Buffers,
}

impl Walk<'_> {
    /// Gives a node's lanes back once read.
    fn give<T: Lane>(&mut self, (v, gave): Lanes<T>) {
        self.buf.give(v);
        self.buf.give(gave);
    }

    fn cells(&mut self, r: Read) -> Vec<Cell> {
        match r {
            Read::Slot(s) => {
                let mut cells = self.buf.filled(self.n, Cell::Null);
                (self.read)(s, &mut cells);
                cells
            }
            Read::Local(id) => self.buf.collect(self.locals[id as usize].iter().copied()),
        }
    }

    /// What `r` holds per lane, as `kind` reads it (giving up where it reads nothing).
    fn read<T: Lane + Default>(&mut self, r: Read, kind: impl Fn(Cell) -> Option<T>) -> Lanes<T> {
        let cells = self.cells(r);
        let gave = self.buf.filled(self.n, false);
        let lanes = self.map(&cells, gave, kind);
        self.buf.give(cells);
        lanes
    }

    /// `x ?? default` per lane: `x` as `kind` reads it, the default where it is NULL.
    fn or_else<T: Lane + Default>(
        &mut self,
        cells: Vec<Cell>,
        default: Lanes<T>,
        kind: fn(Cell) -> Option<T>,
    ) -> Lanes<T> {
        let (d, mut gave) = default;
        let v =
            self.buf
                .collect(
                    cells
                        .iter()
                        .zip(&d)
                        .zip(gave.iter_mut())
                        .map(|((&c, &d), g)| match c {
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
                        }),
                );
        self.buf.give(d);
        self.buf.give(cells);
        (v, gave)
    }

    /// Lanes `f` maps, giving up where it gives `None` or where `gave` already has.
    fn map<A: Copy, T: Lane + Default>(
        &mut self,
        values: &[A],
        mut gave: Vec<bool>,
        f: impl Fn(A) -> Option<T>,
    ) -> Lanes<T> {
        let v = self.buf.collect(
            values
                .iter()
                .zip(gave.iter_mut())
                .map(|(&x, g)| match f(x) {
                    Some(y) => y,
                    None => {
                        *g = true;
                        T::default()
                    }
                }),
        );
        (v, gave)
    }

    /// A node's lanes mapped by `f` (values given back).
    fn map_lanes<A: Lane, T: Lane + Default>(
        &mut self,
        lanes: Lanes<A>,
        f: impl Fn(A) -> Option<T>,
    ) -> Lanes<T> {
        let (v, gave) = lanes;
        let mapped = self.map(&v, gave, f);
        self.buf.give(v);
        mapped
    }

    /// Two operands' lanes combined by `f`.
    fn zip<A: Lane, B: Lane, T: Lane + Default>(
        &mut self,
        a: Lanes<A>,
        b: Lanes<B>,
        f: impl Fn(A, B) -> Option<T>,
    ) -> Lanes<T> {
        let (a, mut gave) = a;
        let (b, b_gave) = b;
        let v = self
            .buf
            .collect(a.iter().zip(&b).zip(gave.iter_mut().zip(&b_gave)).map(
                |((&x, &y), (g, &h))| {
                    *g |= h;
                    match f(x, y) {
                        Some(z) => z,
                        None => {
                            *g = true;
                            T::default()
                        }
                    }
                },
            ));
        self.buf.give(a);
        self.give((b, b_gave));
        (v, gave)
    }

    /// Per lane, `then` where `cond` holds, else `other`; a lane gives up where the
    /// condition did or where the branch it takes did.
    fn choose<T: Lane>(&mut self, cond: Lanes<bool>, then: Lanes<T>, other: Lanes<T>) -> Lanes<T> {
        let (c, mut gave) = cond;
        let ((t, tg), (o, og)) = (then, other);
        let v = self.buf.collect((0..c.len()).map(|k| {
            gave[k] |= if c[k] { tg[k] } else { og[k] };
            if c[k] { t[k] } else { o[k] }
        }));
        self.buf.give(c);
        self.give((t, tg));
        self.give((o, og));
        (v, gave)
    }

    /// `a` and `b` combined in place by `f` into `a` (the plain loops the compiler
    /// vectorizes); a lane gives up where either did.
    fn combine<T: Lane>(&mut self, a: Lanes<T>, b: Lanes<T>, f: impl Fn(T, T) -> T) -> Lanes<T> {
        let ((mut v, gave), (w, w_gave)) = (a, b);
        for (x, &y) in v.iter_mut().zip(&w) {
            *x = f(*x, y);
        }
        self.buf.give(w);
        self.given_up_too((v, gave), w_gave)
    }

    fn num(&mut self, x: &Num) -> Lanes<f64> {
        let n = self.n;
        match x {
            Num::Const(c) => (self.buf.filled(n, *c), self.buf.filled(n, false)),
            Num::Read(r) => self.read(*r, Cell::float),
            Num::Whole(i) => {
                let (v, gave) = self.int(i);
                let floats = self.buf.collect(v.iter().map(|&i| i as f64));
                self.buf.give(v);
                (floats, gave)
            }
            Num::Neg(x) => {
                let (mut v, gave) = self.num(x);
                v.iter_mut().for_each(|x| *x = -*x);
                (v, gave)
            }
            Num::Arith(op, pair) => {
                let (a, b) = (self.num(&pair.0), self.num(&pair.1));
                match op {
                    Arith::Add => self.combine(a, b, |x, y| x + y),
                    Arith::Sub => self.combine(a, b, |x, y| x - y),
                    Arith::Mul => self.combine(a, b, |x, y| x * y),
                    _ => self.zip(a, b, |x, y| decimal(*op, x, y).ok()),
                }
            }
            Num::Math(f, x) => {
                let lanes = self.num(x);
                self.map_lanes(lanes, |x| math(*f, x).ok())
            }
            Num::MinMax(f, pair) => {
                let (a, b) = (self.num(&pair.0), self.num(&pair.1));
                self.zip(a, b, |x, y| {
                    let o = x.partial_cmp(&y)?;
                    Some(if pick_first(*f, o) { x } else { y })
                })
            }
            Num::Else(r, default) => {
                let cells = self.cells(*r);
                let default = self.num(default);
                self.or_else(cells, default, Cell::float)
            }
            Num::If(parts) => {
                let c = self.truth(&parts.0);
                let (t, o) = (self.num(&parts.1), self.num(&parts.2));
                self.choose(c, t, o)
            }
            Num::Let(steps, value) => {
                let steps_gave = self.run(steps);
                let lanes = self.num(value);
                self.given_up_too(lanes, steps_gave)
            }
        }
    }

    fn int(&mut self, x: &Int) -> Lanes<i64> {
        let n = self.n;
        match x {
            Int::Const(c) => (self.buf.filled(n, *c), self.buf.filled(n, false)),
            Int::Read(r) => self.read(*r, Cell::int),
            Int::Neg(x) => {
                let lanes = self.int(x);
                self.map_lanes(lanes, i64::checked_neg)
            }
            Int::Arith(op, pair) => {
                let (a, b) = (self.int(&pair.0), self.int(&pair.1));
                self.zip(a, b, |x, y| whole(*op, x, y).ok())
            }
            Int::MinMax(f, pair) => {
                let (a, b) = (self.int(&pair.0), self.int(&pair.1));
                self.zip(a, b, |x, y| {
                    Some(if pick_first(*f, x.cmp(&y)) { x } else { y })
                })
            }
            Int::Abs(x) => {
                let lanes = self.int(x);
                self.map_lanes(lanes, i64::checked_abs)
            }
            Int::Trunc(x) => {
                let lanes = self.num(x);
                self.map_lanes(lanes, float_to_int)
            }
            Int::Else(r, default) => {
                let cells = self.cells(*r);
                let default = self.int(default);
                self.or_else(cells, default, Cell::int)
            }
            Int::If(parts) => {
                let c = self.truth(&parts.0);
                let (t, o) = (self.int(&parts.1), self.int(&parts.2));
                self.choose(c, t, o)
            }
            Int::Let(steps, value) => {
                let steps_gave = self.run(steps);
                let lanes = self.int(value);
                self.given_up_too(lanes, steps_gave)
            }
        }
    }

    fn truth(&mut self, x: &Truth) -> Lanes<bool> {
        let n = self.n;
        match x {
            Truth::Read(r) => self.read(*r, Cell::truth),
            Truth::Not(x) => {
                let (mut v, gave) = self.truth(x);
                v.iter_mut().for_each(|b| *b = !*b);
                (v, gave)
            }
            // Operands in order: a lane is decided by the first operand that is false (for
            // `&&`; true for `||`), and gives up at an operand it reaches that gave up.
            Truth::And(items) | Truth::Or(items) => {
                let decides = matches!(x, Truth::Or(_));
                let (mut v, mut gave) = (self.buf.filled(n, !decides), self.buf.filled(n, false));
                let mut open = self.buf.filled(n, true);
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
                    self.give((iv, ig));
                }
                self.buf.give(open);
                (v, gave)
            }
            Truth::Cmp(op, pair) => {
                let (a, b) = (self.num(&pair.0), self.num(&pair.1));
                self.zip(a, b, |x, y| Some(float_compare(*op, x, y)))
            }
            Truth::CmpInt(op, pair) => {
                let (a, b) = (self.int(&pair.0), self.int(&pair.1));
                self.zip(a, b, |x, y| Some(holds(*op, Some(x.cmp(&y)))))
            }
            Truth::IsNull(r, negated) => self.read(*r, |c| match c {
                Cell::GaveUp => None,
                Cell::Null => Some(!negated),
                _ => Some(*negated),
            }),
            Truth::If(parts) => {
                let c = self.truth(&parts.0);
                let (t, o) = (self.truth(&parts.1), self.truth(&parts.2));
                self.choose(c, t, o)
            }
            Truth::Let(steps, value) => {
                let steps_gave = self.run(steps);
                let lanes = self.truth(value);
                self.given_up_too(lanes, steps_gave)
            }
        }
    }

    /// Runs a block's steps for every lane: which lanes gave up on the way.
    fn run(&mut self, steps: &[TypedStep]) -> Vec<bool> {
        let mut gave = self.buf.filled(self.n, false);
        let set = |w: &mut Self, id: u16, cells: Vec<Cell>, gave: &mut Vec<bool>| {
            for (g, c) in gave.iter_mut().zip(&cells) {
                *g |= *c == Cell::GaveUp;
            }
            let old = std::mem::replace(&mut w.locals[id as usize], cells);
            w.buf.give(old);
        };
        for step in steps {
            match step {
                TypedStep::Num(id, x) => {
                    let lanes = self.num(x);
                    let cells = self.cells_of(lanes, Cell::Float);
                    set(self, *id, cells, &mut gave);
                }
                TypedStep::Int(id, x) => {
                    let lanes = self.int(x);
                    let cells = self.cells_of(lanes, Cell::Int);
                    set(self, *id, cells, &mut gave);
                }
                TypedStep::Truth(id, x) => {
                    let lanes = self.truth(x);
                    let cells = self.cells_of(lanes, Cell::Bool);
                    set(self, *id, cells, &mut gave);
                }
                TypedStep::Copy(id, r) => {
                    let c = self.cells(*r);
                    set(self, *id, c, &mut gave);
                }
                TypedStep::If(cond, then, other) => {
                    let (c, c_gave) = self.truth(cond);
                    let before: Vec<Vec<Cell>> = (0..self.locals.len())
                        .map(|k| self.cells(Read::Local(k as u16)))
                        .collect();
                    let then_gave = self.run(then);
                    let after_then = std::mem::replace(&mut self.locals, before);
                    let other_gave = self.run(other);
                    for (mine, theirs) in self.locals.iter_mut().zip(after_then) {
                        for k in 0..self.n {
                            if c[k] {
                                mine[k] = theirs[k];
                            }
                        }
                        self.buf.give(theirs);
                    }
                    for k in 0..self.n {
                        gave[k] |= c_gave[k] || if c[k] { then_gave[k] } else { other_gave[k] };
                    }
                    self.give((c, c_gave));
                    self.buf.give(then_gave);
                    self.buf.give(other_gave);
                }
            }
        }
        gave
    }

    /// `lanes`, also given up where `gave` is (a block's steps gave up there).
    fn given_up_too<T>(&mut self, lanes: Lanes<T>, gave: Vec<bool>) -> Lanes<T> {
        let (v, mut mine) = lanes;
        mine.iter_mut().zip(&gave).for_each(|(g, h)| *g |= h);
        self.buf.give(gave);
        (v, mine)
    }

    /// Lanes as cells: the values, `GaveUp` where a lane gave up.
    fn cells_of<T: Lane>(&mut self, lanes: Lanes<T>, cell: impl Fn(T) -> Cell) -> Vec<Cell> {
        let (v, gave) = &lanes;
        let cells = self.buf.collect(
            v.iter()
                .zip(gave)
                .map(|(&x, &g)| if g { Cell::GaveUp } else { cell(x) }),
        );
        self.give(lanes);
        cells
    }
}
