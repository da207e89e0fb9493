//! The native fast path: rule expressions (comparisons, boolean logic, arithmetic and `**`,
//! `??`, `in` lists, `if` and `switch`, the math, conversion, text and date functions, string
//! templates, and calls of `rules/*.rhai` functions built from those, with their `let`s,
//! assignments and early `return`s) are compiled from rhai's own parsed AST into a small tree
//! that evaluates without the interpreter.
//!
//! Correctness by construction: the fast path handles only the value combinations whose
//! rhai result it reproduces exactly. For anything else (an error to raise, an integer
//! overflow, a type it does not know) it returns [`Fallback`] and the caller evaluates the
//! same expression with rhai. Expressions have no side effects, so running them twice is safe.
//! A differential test over generated customers checks both paths agree.
//!
//! Text: a value names its text rather than holding it: a constant of the rule set
//! ([`Scalar::Const`]), the text in a slot of the customer's frame ([`Scalar::Field`]), or text
//! an expression builds (a template, `+` of text, `to_string`), written into the worker's
//! [`Scratch`] buffer, reused from one evaluation to the next, and named by its byte range
//! ([`Scalar::Buf`]). So a [`Scalar`] is 16 bytes (a `&str` made it 24). Only a text that
//! leaves the fast path as a result becomes one reference-counted string; comparing, testing
//! or concatenating built text allocates nothing.
//!
//! Layout: [`compile`] (rhai AST to [`Node`]), `eval` (the tree walk, comparisons,
//! arithmetic), `builtins` (functions), `text` (templates, concatenation, number formatting),
//! `switch` (rhai's `switch` cases), `typed` (subexpressions compiled for the kinds of values
//! the data holds, beside the generic tree).

mod builtins;
mod compile;
mod eval;

pub(crate) use eval::float_compare;
mod switch;
mod text;
mod typed;

pub use compile::{Function, Functions, compile, functions};
pub use switch::Switch;
pub use typed::{Buffers, Cell, Kind, Typed};

use crate::time::Date;
use crate::value::{Lit, Value};
use rhai::ImmutableString;

/// A comparison, as the rules' operators make it (one enum with the number model's).
pub use crate::value::Order as Cmp;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arith {
    /// Numbers add; text concatenates (with anything but NULL, which adds nothing).
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    /// `**` and `pow(x, y)`.
    Pow,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    IsNull,
    Min,
    Max,
    Abs,
    Floor,
    Ceiling,
    Round,
    Sqrt,
    Exp,
    Ln,
    /// `log(x)`: base 10.
    Log10,
    /// `log(x, base)`.
    Log,
    ToInt,
    ToFloat,
    ToString,
    /// `contains(text, part)`, `text.contains(part)`, `part in text`.
    Contains,
    StartsWith,
    EndsWith,
    /// `date(text)` of a text that is not a constant (constants are dates at load time).
    Date,
    DaysBetween,
    MonthsBetween,
    AddDays,
    AddMonths,
    Year,
    Month,
    Quarter,
    Day,
    Weekday,
    EndOfMonth,
}

#[derive(Debug, Clone)]
pub enum Node {
    Const(Lit),
    /// A value of the customer's frame (field, metric, population figure, output).
    Slot(Slot),
    /// A parameter or `let` variable of an inlined script function.
    Local(u16),
    Not(Box<Node>),
    Neg(Box<Node>),
    And(Box<[Node]>),
    Or(Box<[Node]>),
    Coalesce(Box<[Node]>),
    Cmp(Cmp, Box<(Node, Node)>),
    /// `slot <op> constant`, the most common condition: no operand copies.
    CmpSlot(Cmp, Slot, Lit),
    Arith(Arith, Box<(Node, Node)>),
    In(Box<Node>, Box<InList>),
    If(Box<(Node, Node, Node)>),
    Call(Builtin, Box<[Node]>),
    /// Steps in order (`let`, `x = ...`, `x += ...`, an `if` that assigns), then the block's
    /// value.
    Block(Box<[Step]>, Box<Node>),
    /// A string template: its parts, each written as `to_string` writes it.
    Template(Box<[Node]>),
    Switch(Box<Switch>),
    /// A subexpression whose kind is known, compiled for it (`typed`), beside the generic
    /// tree that evaluates it when the typed one gives up.
    Num(Box<(typed::Num, Node)>),
    Int(Box<(typed::Int, Node)>),
    Truth(Box<(typed::Truth, Node)>),
}

impl Node {
    /// The direct children of a node (a block's steps are visited by the caller).
    pub fn children(&self) -> Vec<&Node> {
        match self {
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
}

use super::Slot;

/// The constants of an `x in [...]` list, and for a long list of texts (a VIP list of ids)
/// the same texts in a set: one lookup per customer, not one comparison per item.
#[derive(Debug, Clone)]
pub struct InList {
    items: Box<[Lit]>,
    texts: Option<std::collections::HashSet<ImmutableString>>,
}

impl InList {
    /// From this many texts on, a text is looked up rather than compared with each.
    const SET_FROM: usize = 16;

    /// The texts' set, when the list is long and holds texts only.
    pub(crate) fn texts(&self) -> Option<&std::collections::HashSet<ImmutableString>> {
        self.texts.as_ref()
    }
}

impl From<Vec<Lit>> for InList {
    fn from(items: Vec<Lit>) -> Self {
        let texts: Option<std::collections::HashSet<ImmutableString>> = (items.len()
            >= Self::SET_FROM)
            .then(|| {
                (items.iter())
                    .map(|l| match l {
                        Lit::Str(s) => Some(s.clone()),
                        _ => None,
                    })
                    .collect()
            })
            .flatten();
        InList {
            items: items.into(),
            texts,
        }
    }
}

impl std::ops::Deref for InList {
    type Target = [Lit];
    fn deref(&self) -> &[Lit] {
        &self.items
    }
}

/// A statement of a block.
#[derive(Debug, Clone)]
pub enum Step {
    /// A local gets a value.
    Set(u16, Node),
    /// `if cond { steps } else { steps }`, for what they assign.
    If(Node, Box<[Step]>, Box<[Step]>),
}

/// What the fast path computes with: plain values of 16 bytes, copied freely (no reference
/// counts, no drop glue). Text is named, not held (see the module's notes). Anything else is
/// the interpreter's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scalar<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A text constant of the rule set.
    Const(&'a ImmutableString),
    /// The text in this slot of the customer's frame.
    Field(u32),
    /// Text built during this evaluation: bytes `start..end` of [`Scratch`]'s buffer.
    Buf(u32, u32),
    Date(Date),
}

// Every node of the tree walk gives one: kept small.
const _: () = assert!(std::mem::size_of::<Result<Scalar<'static>, Fallback>>() == 16);

impl<'a> Scalar<'a> {
    #[inline]
    fn as_f64(self) -> Option<f64> {
        match self {
            Scalar::Int(i) => Some(i as f64),
            Scalar::Float(f) => Some(f),
            _ => None,
        }
    }

    #[inline]
    fn is_text(self) -> bool {
        matches!(self, Scalar::Const(_) | Scalar::Field(_) | Scalar::Buf(..))
    }
}

impl Lit {
    #[inline]
    fn scalar(&self) -> Result<Scalar<'_>, Fallback> {
        Ok(match self {
            Lit::Null => Scalar::Null,
            Lit::Bool(b) => Scalar::Bool(*b),
            Lit::Int(i) => Scalar::Int(*i),
            Lit::Float(f) => Scalar::Float(*f),
            Lit::Str(s) => Scalar::Const(s),
            Lit::Date(d) => Scalar::Date(*d),
            Lit::List(_) => return Err(Fallback),
        })
    }
}

/// A compiled expression and how many locals it needs.
#[derive(Debug, Clone)]
pub struct Native {
    pub root: Node,
    pub locals: usize,
}

impl Native {
    /// What evaluates over customers whose slots hold values of the kinds `slot_kind` tells
    /// (the data's columns, known when an evaluation starts): the tree with its typed
    /// subexpressions (`typed`).
    pub fn fast(&self, slot_kind: &dyn Fn(Slot) -> Option<Kind>) -> Fast {
        let (run, whole) = typed::Typer::new(slot_kind, self.locals).wrap(self.root.clone());
        Fast {
            run,
            whole,
            locals: self.locals,
        }
    }
}

/// An expression ready to evaluate on the fast path ([`Native::fast`]).
#[derive(Debug, Clone)]
pub struct Fast {
    run: Node,
    /// The whole expression as one typed tree, when its kind is known: what evaluates
    /// column-at-a-time over a chunk of customers ([`Typed::eval`]).
    whole: Option<Typed>,
    locals: usize,
}

impl Fast {
    /// The whole expression as one typed tree, and how many locals it needs.
    pub fn whole(&self) -> Option<(&Typed, usize)> {
        self.whole.as_ref().map(|t| (t, self.locals))
    }

    /// Whether the whole expression runs as one typed tree.
    pub fn is_typed(&self) -> bool {
        matches!(self.run, Node::Num(_) | Node::Int(_) | Node::Truth(_))
    }
}

/// The fast path cannot decide this one: evaluate with rhai.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fallback;

/// One thread's working space for the fast path: the locals of inlined functions and the
/// buffer that text built during an evaluation is written to. Reused for every evaluation,
/// so it stops allocating once it has grown to the largest expression's needs.
#[derive(Debug)]
pub struct Scratch<'a> {
    locals: Vec<Scalar<'a>>,
    /// The evaluated parts of the templates being written (a stack: a part may be a
    /// template).
    parts: Vec<Scalar<'a>>,
    text: String,
    /// The longest text rhai may build (`limits.max_string_size`): longer is rhai's error.
    max_text: usize,
}

impl<'a> Scratch<'a> {
    pub fn new(max_text: usize) -> Self {
        Scratch {
            locals: Vec::new(),
            parts: Vec::new(),
            text: String::new(),
            max_text,
        }
    }

    /// Evaluates `n` over a customer's frame. A [`Scalar::Buf`] result is valid until the next
    /// evaluation; [`Scratch::value`] turns it into a value that outlives it.
    #[inline]
    pub fn eval(&mut self, n: &'a Fast, frame: &[Value<'_>]) -> Result<Scalar<'a>, Fallback> {
        if self.locals.len() < n.locals {
            self.locals.resize(n.locals, Scalar::Null);
        }
        self.text.clear();
        self.parts.clear(); // a template that gave way left its parts
        eval::eval(&n.run, frame, self)
    }

    /// Evaluates `n` to a value of the frame's lifetime: built text becomes one owned string,
    /// a constant text shares the rule set's.
    #[inline]
    pub fn value<'f>(&mut self, n: &'a Fast, frame: &[Value<'f>]) -> Result<Value<'f>, Fallback> {
        Ok(match self.eval(n, frame)? {
            Scalar::Null => Value::Null,
            Scalar::Bool(b) => Value::Bool(b),
            Scalar::Int(i) => Value::Int(i),
            Scalar::Float(f) => Value::Float(f),
            Scalar::Const(s) => Value::Owned(s.clone()),
            Scalar::Field(slot) => frame[slot as usize].clone(),
            Scalar::Buf(start, end) => Value::Owned(self.text[start as usize..end as usize].into()),
            Scalar::Date(d) => Value::Date(d),
        })
    }

    /// The text of a text value (`None` for other values); `frame` is the one it was
    /// evaluated over.
    #[inline]
    fn str<'s>(&'s self, s: &Scalar<'s>, frame: &'s [Value<'s>]) -> Option<&'s str> {
        match *s {
            Scalar::Const(t) => Some(t.as_str()),
            Scalar::Field(slot) => match &frame[slot as usize] {
                Value::Str(t) => Some(t),
                Value::Owned(t) => Some(t.as_str()),
                _ => None,
            },
            Scalar::Buf(start, end) => Some(&self.text[start as usize..end as usize]),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;
