//! Regions: the customers a condition matches, as a union of conjunctions over names
//! ([`Conj`]: the allowed [`Values`] of each name), and the [`Analyzer`] that turns a
//! compiled condition (the native tree of [`crate::rules::native`]) into one. The soundness
//! argument is in the parent module's doc; what is not analysable is `None` ("unknown").

use super::values::{Numbers, Texts, Values};
use crate::rules::native::{Arith, Builtin, Cmp, Node};
use crate::rules::{RuleSet, Slot};
use crate::value::Lit;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// Most conjunctions a region may hold before the analysis gives up (says "unknown"): the
/// algebra is exponential in the worst case, and a lint must not stall `check`.
const MAX_TERMS: usize = 64;

/// A conjunction: the allowed values of each name (a name not present may hold anything).
#[derive(Debug, Clone, PartialEq, Default)]
pub(super) struct Conj(pub(super) BTreeMap<Slot, Values>);

impl Conj {
    pub(super) fn one(slot: Slot, values: Values) -> Conj {
        Conj([(slot, values)].into())
    }

    fn meet(&self, other: &Conj) -> Conj {
        let mut out = self.clone();
        for (slot, v) in &other.0 {
            let merged = match out.0.get(slot) {
                Some(mine) => mine.meet(v),
                None => v.clone(),
            };
            out.0.insert(*slot, merged);
        }
        out
    }

    pub(super) fn is_empty(&self) -> bool {
        self.0.values().any(Values::is_empty)
    }

    fn is_subset(&self, of: &Conj) -> bool {
        of.0.iter().all(|(slot, theirs)| match self.0.get(slot) {
            Some(mine) => mine.is_subset(theirs),
            None => Values::all().is_subset(theirs),
        })
    }

    /// Everything outside the conjunction: one name at a time holds another value.
    fn complement(&self) -> Region {
        self.0
            .iter()
            .map(|(slot, v)| Conj::one(*slot, v.complement()))
            .filter(|c| !c.is_empty())
            .collect()
    }
}

/// A union of conjunctions: the customers a condition matches.
pub(super) type Region = Vec<Conj>;

pub(super) fn everyone() -> Region {
    vec![Conj::default()]
}

/// Most texts one name's set of values may name before the analysis gives up: each step
/// copies the sets, and a table of 3,000 customer overrides (`customer_id == "C-000123"`
/// per row) took `check` 50 s, every row's set of the ids above growing by one.
const MAX_TEXTS: usize = 256;

/// Drops empty conjunctions and those inside another; `None` when too large to handle.
fn simplify(mut region: Region) -> Option<Region> {
    let named = |c: &Conj| c.0.values().map(|v| v.texts.named()).max().unwrap_or(0);
    if region.iter().any(|c| named(c) > MAX_TEXTS) {
        return None;
    }
    region.retain(|c| !c.is_empty());
    let mut out: Region = Vec::new();
    for c in region {
        if out.iter().any(|o| c.is_subset(o)) {
            continue;
        }
        out.retain(|o| !o.is_subset(&c));
        out.push(c);
    }
    (out.len() <= MAX_TERMS).then_some(out)
}

pub(super) fn meet(a: &Region, b: &Region) -> Option<Region> {
    if a.len() * b.len() > MAX_TERMS * MAX_TERMS {
        return None;
    }
    simplify(a.iter().flat_map(|x| b.iter().map(|y| x.meet(y))).collect())
}

/// The customers in `a` but not in `b`.
pub(super) fn minus(a: &Region, b: &Region) -> Option<Region> {
    let mut out = a.clone();
    for c in b {
        out = meet(&out, &c.complement())?;
    }
    Some(out)
}

pub(super) fn join(a: &Region, b: &Region) -> Option<Region> {
    simplify(a.iter().chain(b).cloned().collect())
}
// ---------------------------------------------------------------------------------------
// From compiled conditions to regions.

/// The kinds of constants a decision compares each name with (for the heuristic in the parent
/// module's doc).
#[derive(Debug, Clone, Copy, Default)]
struct Kinds {
    number: bool,
    text: bool,
    date: bool,
    boolean: bool,
    /// Compared through `(x ?? default)` (where NULL takes the default), and directly.
    defaulted: bool,
    direct: bool,
}

/// Turns conditions into regions, noting how each name is compared.
#[derive(Default)]
pub(super) struct Analyzer {
    kinds: HashMap<Slot, Kinds>,
    /// The names that hold whole numbers only ([`whole_metrics`]).
    pub(super) whole: HashSet<Slot>,
}

/// The metrics that hold whole numbers only: a count of days or months, a date's part,
/// `to_int`, `floor`, `ceiling` (or such `?? 0`). `days_left <= 30` and `days_left >= 31`
/// then leave no customer out (a missing-default warning gave 30.5 days as its example).
pub(super) fn whole_metrics(rules: &RuleSet) -> HashSet<Slot> {
    fn whole(node: &Node) -> bool {
        match node {
            Node::Call(b, _) => matches!(
                b,
                Builtin::DaysBetween
                    | Builtin::MonthsBetween
                    | Builtin::Year
                    | Builtin::Month
                    | Builtin::Quarter
                    | Builtin::Day
                    | Builtin::Weekday
                    | Builtin::ToInt
                    | Builtin::Floor
                    | Builtin::Ceiling
            ),
            Node::Coalesce(items) => items.iter().all(whole),
            Node::Const(Lit::Int(_)) => true,
            // `days + 1`, `-days`, and the typed forms the compiler wraps them in.
            Node::Arith(Arith::Add | Arith::Sub | Arith::Mul, pair) => {
                whole(&pair.0) && whole(&pair.1)
            }
            Node::Neg(x) => whole(x),
            Node::Int(_) => true,
            Node::Num(typed) => whole(&typed.1),
            _ => false,
        }
    }
    (rules.metrics_pre.iter().chain(&rules.metrics_post))
        .filter(|m| (m.expr.native.as_ref()).is_some_and(|n| whole(&n.root)))
        .map(|m| m.slot)
        .collect()
}

impl Analyzer {
    /// `slot` compared with `lit` with `op`, as its values are: whole numbers or any.
    fn compared(&self, slot: Slot, op: Cmp, lit: &Lit) -> Option<Values> {
        match self.whole.contains(&slot) {
            true => Values::compared_whole(op, lit),
            false => Values::compared(op, lit),
        }
    }

    /// `slot` is compared with `lit`: directly, or `through_default` (`(x ?? d) <op> lit`).
    fn note(&mut self, slot: Slot, lit: &Lit, through_default: bool) {
        let k = self.kinds.entry(slot).or_default();
        if through_default {
            k.defaulted = true;
        } else {
            k.direct = true;
        }
        match lit {
            Lit::Int(_) | Lit::Float(_) => k.number = true,
            Lit::Str(_) => k.text = true,
            Lit::Date(_) => k.date = true,
            Lit::Bool(_) => k.boolean = true,
            Lit::Null | Lit::List(_) => {}
        }
    }

    /// The customers for whom the condition is true; `None` when it is not analysable.
    pub(super) fn region(&mut self, node: &Node) -> Option<Region> {
        match node {
            Node::And(items) => items.iter().try_fold(everyone(), |acc, item| {
                let r = self.region(item)?;
                meet(&acc, &r)
            }),
            Node::Or(items) => items.iter().try_fold(Vec::new(), |acc, item| {
                let r = self.region(item)?;
                join(&acc, &r)
            }),
            Node::Not(inner) => {
                let r = self.region(inner)?;
                minus(&everyone(), &r)
            }
            Node::Const(Lit::Bool(true)) => Some(everyone()),
            // NULL counts as false.
            Node::Const(Lit::Bool(false) | Lit::Null) => Some(Vec::new()),
            // A true/false name on its own.
            Node::Slot(slot) => {
                self.note(*slot, &Lit::Bool(true), false);
                Some(vec![Conj::one(*slot, Values::bool(true))])
            }
            Node::CmpSlot(op, slot, lit) => {
                self.note(*slot, lit, false);
                let v = self.compared(*slot, *op, lit)?;
                Some(vec![Conj::one(*slot, v)])
            }
            Node::Call(Builtin::IsNull, args) => match &args[..] {
                [Node::Slot(slot)] => Some(vec![Conj::one(*slot, Values::null())]),
                _ => None,
            },
            Node::In(x, items) => {
                let Node::Slot(slot) = **x else { return None };
                let mut v = Values::none();
                for item in items.iter() {
                    self.note(slot, item, false);
                    v = v.join(&self.compared(slot, Cmp::Eq, item)?);
                }
                Some(vec![Conj::one(slot, v)])
            }
            // `(x ?? default) <op> constant`, either way round.
            Node::Cmp(op, pair) => {
                let (op, coalesce, lit) = match &**pair {
                    (Node::Coalesce(items), Node::Const(lit)) => (*op, items, lit),
                    (Node::Const(lit), Node::Coalesce(items)) => (mirror(*op), items, lit),
                    _ => return None,
                };
                let [Node::Slot(slot), Node::Const(default)] = &coalesce[..] else {
                    return None;
                };
                self.note(*slot, lit, true);
                let compared = self.compared(*slot, op, lit)?;
                let mut v = compared.meet(&Values::null().complement());
                v.null = compared.contains(default)?;
                Some(vec![Conj::one(*slot, v)])
            }
            _ => None,
        }
    }

    /// Why the rows miss the customers for whom `slot` (named `x`) is NULL, in words about
    /// how they compare it; `grid`: the rows are a grid's (cells, not `when:`).
    pub(super) fn why_null_misses(&self, slot: Slot, x: &str, grid: bool) -> String {
        let k = self.kinds.get(&slot).copied().unwrap_or_default();
        if grid {
            // A grid's `not(…)` and `!= …` cells are false for NULL too (README).
            return format!("no cell on `{x}` holds when it is NULL, `not(…)` and `!= …` included");
        }
        if k.defaulted && !k.direct {
            return format!(
                "where `{x}` is NULL, `{x} ?? …` gives its default, and no row accepts it"
            );
        }
        let with = [
            (
                k.number,
                "`<`, `<=`, `>`, `>=` and `==` with a number are false",
            ),
            (k.text, "`==` with a text is false"),
            (
                k.date,
                "`<`, `<=`, `>`, `>=` and `==` with a date are false",
            ),
            (k.boolean, "a comparison with true or false is false"),
        ];
        let with: Vec<&str> = with.iter().filter(|(on, _)| *on).map(|(_, w)| *w).collect();
        if with.is_empty() {
            format!("no row's `when` holds when `{x}` is NULL")
        } else {
            format!("{} when `{x}` is NULL", with.join(", and "))
        }
    }

    /// The values of a name the decision's comparisons are about: NULL, plus the kinds it
    /// is compared with (everything but lists when it is compared with no constant).
    pub(super) fn relevant(&self, slot: Slot) -> Values {
        let k = self.kinds.get(&slot).copied().unwrap_or_default();
        if !(k.number || k.text || k.date || k.boolean) {
            return Values {
                other: false,
                ..Values::all()
            };
        }
        let all = Values::all();
        Values {
            null: true,
            numbers: if k.number {
                all.numbers
            } else {
                Numbers::none()
            },
            texts: if k.text {
                all.texts
            } else {
                Texts::Only(BTreeSet::new())
            },
            dates: if k.date { all.dates } else { Numbers::none() },
            bools: [k.boolean; 2],
            other: false,
        }
    }
}

fn mirror(op: Cmp) -> Cmp {
    match op {
        Cmp::Lt => Cmp::Gt,
        Cmp::Le => Cmp::Ge,
        Cmp::Gt => Cmp::Lt,
        Cmp::Ge => Cmp::Le,
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The region of a condition over the names `x` (slot 0) and `y` (slot 1).
    fn region_of(condition: &str) -> Option<Region> {
        let engine = crate::script::new_engine(&crate::script::Limits::default());
        let ast = engine.compile_expression(condition).unwrap();
        let names = ["x", "y"];
        let resolve = |n: &str| names.iter().position(|x| *x == n);
        let native = crate::rules::native::compile(&ast, &resolve, &Default::default())
            .expect("the condition has a fast path");
        Analyzer::default().region(&native.root)
    }

    #[test]
    fn conditions_become_regions() {
        // `x >= 5 || x < 5` leaves exactly the customers whose `x` is not a number.
        let rest = minus(&everyone(), &region_of("x >= 5 || x < 5").unwrap()).unwrap();
        assert_eq!(rest.len(), 1);
        let x = &rest[0].0[&0];
        assert!(x.null && x.numbers.0.is_empty());
        // `(y ?? 0) < 40` takes the NULLs; `y < 40` does not.
        assert!(region_of("(y ?? 0) < 40").unwrap()[0].0[&1].null);
        assert!(!region_of("y < 40").unwrap()[0].0[&1].null);
        // One conjunction constrains both names; a contradiction matches nobody.
        assert_eq!(region_of("x > 1 && y == 2").unwrap()[0].0.len(), 2);
        assert!(region_of("x > 5 && x < 3").unwrap().is_empty());
        // Arithmetic is not analysed.
        assert!(region_of("x * 2 > y").is_none());
    }
}
