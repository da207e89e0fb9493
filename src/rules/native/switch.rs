//! `switch` as rhai evaluates it: the value's hash picks the cases written for that exact
//! value (so `2.0` does not match a case `2`), the first whose condition holds wins; then
//! the integer ranges (`0..10`, which whole and decimal numbers fall in); then the default
//! `_`, or NULL.
//!
//! Rhai keeps only the hashes of the case values, not the values. The fast path hashes the
//! value as rhai does (a [`Dynamic`] through rhai's hasher); a check at first use proves both
//! hash alike, and if they ever did not, no `switch` would be compiled for the fast path.

use super::compile::{Compiler, Scope};
use super::eval::eval;
use super::{Fallback, Node, Scalar, Scratch};
use crate::value::Value;
use rhai::{Dynamic, Expr, ImmutableString, RangeCase, Stmt, SwitchCasesCollection};
use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::OnceLock;

#[derive(Debug, Clone)]
pub struct Switch {
    value: Node,
    /// (condition, body) of every case; a condition `None` always holds.
    arms: Box<[(Option<Node>, Node)]>,
    /// The arms written for a value, by the value's hash, in order.
    cases: HashMap<u64, Box<[usize]>>,
    /// (first, last, last included, arm)
    ranges: Box<[(i64, i64, bool, usize)]>,
    default: Option<usize>,
}

/// The hash rhai gives a switch value (its `calc_switch_value_hash`).
fn hash(value: &Dynamic) -> u64 {
    let mut h = match rhai::config::hashing::get_hashing_seed() {
        Some([a, b, c, d]) if (a | b | c | d) != 0 => {
            ahash::RandomState::with_seeds(*a, *b, *c, *d).build_hasher()
        }
        _ => ahash::AHasher::default(),
    };
    value.hash(&mut h);
    h.finish()
}

/// Whether [`hash`] agrees with rhai on a switch of every kind of value the fast path has.
fn hashes_like_rhai() -> bool {
    static SAME: OnceLock<bool> = OnceLock::new();
    *SAME.get_or_init(|| {
        let engine = rhai::Engine::new_raw();
        let Ok(ast) = engine
            .compile_expression(r#"switch x { 7 => 1, "x" => 2, 1.5 => 3, true => 4, () => 5 }"#)
        else {
            return false;
        };
        let mut found = None;
        ast.walk(&mut |path: &[rhai::ASTNode]| {
            if let Some(rhai::ASTNode::Stmt(Stmt::Switch(x, _))) = path.last() {
                found = Some(x.1.cases.keys().copied().collect::<Vec<u64>>());
            }
            true
        });
        let expected = [
            Dynamic::from_int(7),
            Dynamic::from(ImmutableString::from("x")),
            Dynamic::from_float(1.5),
            Dynamic::from_bool(true),
            Dynamic::UNIT,
        ]
        .map(|d| hash(&d));
        found.is_some_and(|keys| keys.len() == 5 && expected.iter().all(|h| keys.contains(h)))
    })
}

impl Switch {
    /// Every value the switch may give (NULL when no case matches and there is no default).
    pub fn values(&self) -> impl Iterator<Item = &Node> {
        const NULL: &Node = &Node::Const(crate::value::Lit::Null);
        let none = self.default.is_none().then_some(NULL);
        self.arms.iter().map(|(_, body)| body).chain(none)
    }

    /// The nodes it evaluates: the value, then each arm's condition and body.
    pub(super) fn nodes(&self) -> impl Iterator<Item = &Node> {
        let arms = self
            .arms
            .iter()
            .flat_map(|(cond, body)| cond.iter().chain(std::iter::once(body)));
        std::iter::once(&self.value).chain(arms)
    }

    /// Replaces each of its nodes by `f` of it.
    pub(super) fn map_nodes(&mut self, f: &mut dyn FnMut(Node) -> Node) {
        let take = |n: &mut Node| std::mem::replace(n, Node::Const(crate::value::Lit::Null));
        self.value = f(take(&mut self.value));
        for (cond, body) in self.arms.iter_mut() {
            if let Some(c) = cond {
                *c = f(take(c));
            }
            *body = f(take(body));
        }
    }

    pub(super) fn compile(
        c: &mut Compiler,
        x: &(Expr, SwitchCasesCollection),
        scope: &mut Scope,
    ) -> Option<Switch> {
        if !hashes_like_rhai() {
            return None;
        }
        let (value, cases) = x;
        let value = c.expr(value, scope)?;
        let mut arms = Vec::with_capacity(cases.expressions.len());
        for arm in cases.expressions.iter() {
            let condition = match &arm.lhs {
                Expr::BoolConstant(true, _) => None,
                other => Some(c.expr(other, scope)?),
            };
            arms.push((condition, c.expr(&arm.rhs, scope)?));
        }
        let ranges = cases
            .ranges
            .iter()
            .map(|r| match r {
                RangeCase::ExclusiveInt(r, arm) => (r.start, r.end, false, *arm),
                RangeCase::InclusiveInt(r, arm) => (*r.start(), *r.end(), true, *arm),
            })
            .collect();
        Some(Switch {
            value,
            arms: arms.into(),
            cases: cases
                .cases
                .iter()
                .map(|(h, list)| (*h, list.blocks.iter().copied().collect()))
                .collect(),
            ranges,
            default: cases.def_case,
        })
    }

    pub(super) fn eval<'a>(
        &'a self,
        frame: &[Value<'_>],
        cx: &mut Scratch<'a>,
    ) -> Result<Scalar<'a>, Fallback> {
        let value = eval(&self.value, frame, cx)?;
        let dynamic = match value {
            Scalar::Null => Dynamic::UNIT,
            Scalar::Bool(b) => Dynamic::from_bool(b),
            Scalar::Int(i) => Dynamic::from_int(i),
            Scalar::Float(f) => Dynamic::from_float(f),
            Scalar::Const(_) | Scalar::Field(_) | Scalar::Buf(..) => Dynamic::from(
                ImmutableString::from(cx.str(&value, frame).ok_or(Fallback)?),
            ),
            Scalar::Date(_) => return Err(Fallback),
        };
        if let Some(arms) = self.cases.get(&hash(&dynamic)) {
            for &arm in arms.iter() {
                if self.holds(arm, frame, cx)? {
                    return eval(&self.arms[arm].1, frame, cx);
                }
            }
        }
        for &(first, last, included, arm) in self.ranges.iter() {
            let within = match value {
                Scalar::Int(i) => first <= i && (i < last || included && i == last),
                Scalar::Float(f) => {
                    let (a, b) = (first as f64, last as f64);
                    a <= f && (f < b || included && f == b)
                }
                _ => false,
            };
            if within && self.holds(arm, frame, cx)? {
                return eval(&self.arms[arm].1, frame, cx);
            }
        }
        match self.default {
            Some(arm) => eval(&self.arms[arm].1, frame, cx),
            None => Ok(Scalar::Null),
        }
    }

    /// An arm's condition (`x if cond =>`): true/false, anything else is rhai's error.
    fn holds<'a>(
        &'a self,
        arm: usize,
        frame: &[Value<'_>],
        cx: &mut Scratch<'a>,
    ) -> Result<bool, Fallback> {
        match &self.arms[arm].0 {
            None => Ok(true),
            Some(cond) => match eval(cond, frame, cx)? {
                Scalar::Bool(b) => Ok(b),
                _ => Err(Fallback),
            },
        }
    }
}
