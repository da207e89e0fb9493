//! Compiling the typed trees: the kind of every subexpression, from the kinds of the slots
//! and of what each local is assigned, and the typed tree of each subexpression whose kind is
//! known, set beside the generic tree it was made from.

use super::{Int, Kind, Num, Read, Truth, Typed, TypedStep};
use crate::rules::Slot;
use crate::rules::native::builtins::math;
use crate::rules::native::{Arith, Builtin, Cmp, Node, Step};
use crate::value::Lit;

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
pub(in crate::rules::native) struct Typer<'t> {
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

    /// `root` with its typed subexpressions compiled beside their generic trees, and the
    /// whole of `root` as one typed tree when its kind is known (for [`super::lanes`], which
    /// has no generic tree to give way to and so types leaves too).
    pub fn wrap(mut self, root: Node) -> (Node, Option<Typed>) {
        // Locals' kinds: assignments in order, until nothing changes (a reassignment may
        // read the local itself).
        for _ in 0..4 {
            let before = self.locals.clone();
            self.note_locals(&root);
            if before == self.locals {
                break;
            }
        }
        let whole = match self.kind(&root) {
            Some(Kind::Float) => self.float(&root).map(Typed::Num),
            Some(Kind::Int) => self.int(&root).map(Typed::Int),
            Some(Kind::Bool) => self.truth(&root).map(Typed::Truth),
            None => None,
        };
        (self.wrap_node(root), whole)
    }

    /// Notes the kind of what each local is assigned in `n`, in order.
    fn note_locals(&mut self, n: &Node) {
        match n {
            Node::Block(steps, value) => {
                self.note_steps(steps);
                self.note_locals(value);
            }
            other => {
                for child in other.children() {
                    self.note_locals(child);
                }
            }
        }
    }

    fn note_steps(&mut self, steps: &[Step]) {
        for step in steps {
            match step {
                Step::Set(id, init) => {
                    self.note_locals(init);
                    let kind = self.kind(init);
                    let local = &mut self.locals[*id as usize];
                    *local = match (*local, kind) {
                        (LocalKind::Unset, Some(k)) => LocalKind::Known(k),
                        (LocalKind::Known(a), Some(b)) if a == b => LocalKind::Known(a),
                        _ => LocalKind::Mixed,
                    };
                }
                Step::If(cond, then, other) => {
                    self.note_locals(cond);
                    self.note_steps(then);
                    self.note_steps(other);
                }
            }
        }
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
                    // A parameter or a copy: as it is, NULL included (its kind says what
                    // it holds when it is not NULL; `??` and `== ()` take the NULL).
                    Step::Set(id, init @ (Node::Slot(_) | Node::Local(_))) => {
                        TypedStep::Copy(*id, Self::read(init)?)
                    }
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
