//! Lint warnings for decision tables, for `tierwise check`: rows that can never match under
//! `hit: first`, overlapping rows under `hit: unique`, gaps and overlaps in range scales,
//! decisions that leave some customers without a value, and outputs no row gives.
//!
//! The warnings come from a small analysis of each row's compiled condition (the native
//! tree of [`super::native`]). A condition built from comparisons of one name with one
//! constant (`sales_rank >= 0.4`, `tier == "A"`, `tier in ["A", "B"]`, `is_null(x)`,
//! `(x ?? 0) < 40`, a true/false name), joined with `&&`, `||` and `!`, becomes a [`Region`]:
//! the exact set of customers it matches, as a union of [`Conj`]s (a set of allowed values
//! per name). Everything else (arithmetic, function calls, `if`, comparing two names) is
//! *unknown*, and the analysis then only says what it can say without knowing it.
//!
//! Soundness. Within the names it describes, a region is exact on every customer for whom
//! the condition does not fail with an error, and it follows the engine's own comparison
//! rules (`native::compare`): NULL is never ordered (`x >= 5` and `x < 5` are both false
//! for NULL), `!=` holds for values of another kind, and an integer and a decimal compare
//! as decimals. A customer for whom a condition fails is no problem: the run stops there,
//! so no later row gives that customer a value either. Hence:
//! - "row B can never match" is only said when every customer B matches also matches (or
//!   fails on) an earlier row: the uncovered customers are over-approximated (an unknown row
//!   covers nobody), B's customers are exact;
//! - "rows overlap" and "some customers get no value" name a combination of values no
//!   condition rules out. The names are treated as independent, so such a customer may not
//!   exist in practice (`sales_rank` is never above 1); these are warnings, not errors.
//!
//! One heuristic, only to keep the "no value" warning useful: a name the decision compares
//! only with numbers is taken to hold numbers or NULL (the load-time type check enforces
//! this for declared column types), so `x >= 5` / `x < 5` report NULL customers only, not
//! customers whose `x` is text.

use super::native::{Builtin, Cmp, Node};
use super::{Condition, Decision, HitPolicy, Row, RuleSet, Slot, ValueExpr};
use crate::diag::Diagnostic;
use crate::value::Lit;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Lint warnings for every decision table of the rule set, in decision order.
pub fn lint(rules: &RuleSet) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // What each output of an earlier decision can be (decisions come in dependency order).
    let mut domains: HashMap<Slot, Values> = HashMap::new();
    for d in &rules.decisions {
        let table = Table::new(rules, d, &domains);
        match d.hit {
            HitPolicy::First => table.unreachable_rows(&mut out),
            HitPolicy::Unique => {
                table.never_true_rows(&mut out);
                if d.scale_of.is_none() {
                    // Overlapping bands are reported by `scale_bands`.
                    table.overlapping_rows(&mut out);
                }
            }
            HitPolicy::Collect => table.never_true_rows(&mut out),
        }
        if d.hit != HitPolicy::Collect {
            // `collect` decisions are exempt: a customer no row matches gets the empty
            // aggregate by design (0 for `sum`, NULL for `min`/`max`, [] for `list`), and
            // overlapping rows or bands add up on purpose.
            if d.scale_of.is_some() {
                table.scale_bands(&mut out);
            } else {
                table.missing_default(&mut out);
            }
        }
        table.outputs_never_given(&mut out);
        table.record_domains(&mut domains);
    }
    out
}

// ---------------------------------------------------------------------------------------
// The constraint representation.

/// The frame slot that stands for a range scale's value (bands are conditions over it).
const SCALE: Slot = Slot::MAX;

/// Most conjunctions a region may hold before the analysis gives up (says "unknown").
const MAX_TERMS: usize = 64;

/// One end of a numeric interval; infinite ends are open.
#[derive(Debug, Clone, Copy, PartialEq)]
struct End {
    at: f64,
    closed: bool,
}

const NO_LOW: End = End {
    at: f64::NEG_INFINITY,
    closed: false,
};
const NO_HIGH: End = End {
    at: f64::INFINITY,
    closed: false,
};

#[derive(Debug, Clone, Copy, PartialEq)]
struct Interval {
    lo: End,
    hi: End,
}

impl Interval {
    const ALL: Interval = Interval {
        lo: NO_LOW,
        hi: NO_HIGH,
    };

    fn new(lo: Option<f64>, lo_closed: bool, hi: Option<f64>, hi_closed: bool) -> Interval {
        Interval {
            lo: lo.map_or(NO_LOW, |at| End {
                at,
                closed: lo_closed,
            }),
            hi: hi.map_or(NO_HIGH, |at| End {
                at,
                closed: hi_closed,
            }),
        }
    }

    fn point(x: f64) -> Interval {
        Interval::new(Some(x), true, Some(x), true)
    }

    fn is_empty(self) -> bool {
        self.lo.at > self.hi.at || (self.lo.at == self.hi.at && !(self.lo.closed && self.hi.closed))
    }

    fn meet(self, other: Interval) -> Interval {
        let tighter_lo = |a: End, b: End| a.at > b.at || (a.at == b.at && !a.closed);
        let tighter_hi = |a: End, b: End| a.at < b.at || (a.at == b.at && !a.closed);
        Interval {
            lo: if tighter_lo(self.lo, other.lo) {
                self.lo
            } else {
                other.lo
            },
            hi: if tighter_hi(self.hi, other.hi) {
                self.hi
            } else {
                other.hi
            },
        }
    }

    /// A round number inside the interval, for examples.
    fn example(self) -> f64 {
        let (lo, hi) = (self.lo, self.hi);
        if lo.at.is_finite() && lo.closed {
            return lo.at;
        }
        if hi.at.is_finite() && hi.closed {
            return hi.at;
        }
        match (lo.at.is_finite(), hi.at.is_finite()) {
            (false, false) => 0.0,
            (true, false) => lo.at.floor() + 1.0,
            (false, true) => hi.at.ceil() - 1.0,
            (true, true) => {
                let whole = lo.at.floor() + 1.0;
                if whole < hi.at {
                    whole
                } else {
                    (lo.at + hi.at) / 2.0
                }
            }
        }
    }
}

/// A set of numbers: sorted, disjoint intervals.
#[derive(Debug, Clone, PartialEq)]
struct Numbers(Vec<Interval>);

impl Numbers {
    fn all() -> Numbers {
        Numbers(vec![Interval::ALL])
    }

    fn none() -> Numbers {
        Numbers(Vec::new())
    }

    fn of(interval: Interval) -> Numbers {
        Numbers(if interval.is_empty() {
            Vec::new()
        } else {
            vec![interval]
        })
    }

    fn meet(&self, other: &Numbers) -> Numbers {
        let mut out: Vec<Interval> = Vec::new();
        for a in &self.0 {
            for b in &other.0 {
                let m = a.meet(*b);
                if !m.is_empty() {
                    out.push(m);
                }
            }
        }
        out.sort_by(|a, b| {
            a.lo.at
                .total_cmp(&b.lo.at)
                .then(b.lo.closed.cmp(&a.lo.closed))
        });
        Numbers(out)
    }

    fn complement(&self) -> Numbers {
        let mut out = Vec::new();
        let mut lo = NO_LOW;
        for piece in &self.0 {
            let gap = Interval {
                lo,
                hi: End {
                    at: piece.lo.at,
                    closed: !piece.lo.closed,
                },
            };
            if !gap.is_empty() {
                out.push(gap);
            }
            lo = End {
                at: piece.hi.at,
                closed: !piece.hi.closed,
            };
        }
        let last = Interval { lo, hi: NO_HIGH };
        if !last.is_empty() {
            out.push(last);
        }
        Numbers(out)
    }

    fn contains(&self, x: f64) -> bool {
        self.0
            .iter()
            .any(|i| !i.meet(Interval::point(x)).is_empty())
    }
}

/// A set of texts: finitely many, or all but finitely many.
#[derive(Debug, Clone, PartialEq)]
enum Texts {
    Only(BTreeSet<String>),
    AllBut(BTreeSet<String>),
}

impl Texts {
    fn meet(&self, other: &Texts) -> Texts {
        use Texts::*;
        match (self, other) {
            (Only(a), Only(b)) => Only(a.intersection(b).cloned().collect()),
            (Only(a), AllBut(b)) | (AllBut(b), Only(a)) => Only(a.difference(b).cloned().collect()),
            (AllBut(a), AllBut(b)) => AllBut(a.union(b).cloned().collect()),
        }
    }

    fn complement(&self) -> Texts {
        match self {
            Texts::Only(a) => Texts::AllBut(a.clone()),
            Texts::AllBut(a) => Texts::Only(a.clone()),
        }
    }

    fn is_empty(&self) -> bool {
        matches!(self, Texts::Only(a) if a.is_empty())
    }

    fn contains(&self, s: &str) -> bool {
        match self {
            Texts::Only(a) => a.contains(s),
            Texts::AllBut(a) => !a.contains(s),
        }
    }
}

/// The values one name may hold: NULL, numbers (integers and decimals alike, as they
/// compare), texts, true/false, and `other` (lists, and a decimal that is not a number),
/// which equal no constant and are never ordered. Closed under "and", "or" and "not", so
/// every condition over one name is exact.
#[derive(Debug, Clone, PartialEq)]
struct Values {
    null: bool,
    numbers: Numbers,
    texts: Texts,
    /// [false, true]
    bools: [bool; 2],
    other: bool,
}

impl Values {
    fn all() -> Values {
        Values {
            null: true,
            numbers: Numbers::all(),
            texts: Texts::AllBut(BTreeSet::new()),
            bools: [true, true],
            other: true,
        }
    }

    fn none() -> Values {
        Values {
            null: false,
            numbers: Numbers::none(),
            texts: Texts::Only(BTreeSet::new()),
            bools: [false, false],
            other: false,
        }
    }

    fn null() -> Values {
        Values {
            null: true,
            ..Values::none()
        }
    }

    fn numbers(interval: Interval) -> Values {
        Values {
            numbers: Numbers::of(interval),
            ..Values::none()
        }
    }

    fn text(s: &str) -> Values {
        Values {
            texts: Texts::Only([s.to_owned()].into()),
            ..Values::none()
        }
    }

    fn bool(b: bool) -> Values {
        let mut v = Values::none();
        v.bools[b as usize] = true;
        v
    }

    fn meet(&self, other: &Values) -> Values {
        Values {
            null: self.null && other.null,
            numbers: self.numbers.meet(&other.numbers),
            texts: self.texts.meet(&other.texts),
            bools: [
                self.bools[0] && other.bools[0],
                self.bools[1] && other.bools[1],
            ],
            other: self.other && other.other,
        }
    }

    fn complement(&self) -> Values {
        Values {
            null: !self.null,
            numbers: self.numbers.complement(),
            texts: self.texts.complement(),
            bools: [!self.bools[0], !self.bools[1]],
            other: !self.other,
        }
    }

    fn join(&self, other: &Values) -> Values {
        self.complement().meet(&other.complement()).complement()
    }

    fn is_empty(&self) -> bool {
        !self.null
            && self.numbers.0.is_empty()
            && self.texts.is_empty()
            && self.bools == [false, false]
            && !self.other
    }

    fn is_subset(&self, of: &Values) -> bool {
        self.meet(&of.complement()).is_empty()
    }

    /// Whether the constant is in the set (`None` for a list).
    fn contains(&self, lit: &Lit) -> Option<bool> {
        Some(match lit {
            Lit::Null => self.null,
            Lit::Bool(b) => self.bools[*b as usize],
            Lit::Str(s) => self.texts.contains(s),
            Lit::Int(_) | Lit::Float(_) => self.numbers.contains(number(lit)?),
            Lit::List(_) => return None,
        })
    }

    /// The values a constant stands for: a list is `other`.
    fn of_constant(lit: &Lit) -> Values {
        match lit {
            Lit::Null => Values::null(),
            Lit::Bool(b) => Values::bool(*b),
            Lit::Str(s) => Values::text(s),
            Lit::Int(_) | Lit::Float(_) => match number(lit) {
                Some(x) => Values::numbers(Interval::point(x)),
                None => Values {
                    numbers: Numbers::all(),
                    ..Values::none()
                },
            },
            Lit::List(_) => Values {
                other: true,
                ..Values::none()
            },
        }
    }

    /// The values `v` for which `v <op> lit` is true, as `native::compare` decides it.
    /// `None` for comparisons this analysis does not model (text ordering, lists).
    fn compared(op: Cmp, lit: &Lit) -> Option<Values> {
        let ordering = !matches!(op, Cmp::Eq | Cmp::Ne);
        let equal = match lit {
            Lit::Int(_) | Lit::Float(_) => {
                let x = number(lit)?;
                let v = |lo, lo_closed, hi, hi_closed| {
                    Values::numbers(Interval::new(lo, lo_closed, hi, hi_closed))
                };
                match op {
                    Cmp::Lt => return Some(v(None, false, Some(x), false)),
                    Cmp::Le => return Some(v(None, false, Some(x), true)),
                    Cmp::Gt => return Some(v(Some(x), false, None, false)),
                    Cmp::Ge => return Some(v(Some(x), true, None, false)),
                    Cmp::Eq | Cmp::Ne => Values::numbers(Interval::point(x)),
                }
            }
            Lit::Str(_) if ordering => return None,
            Lit::Str(s) => Values::text(s),
            // NULL and true/false are never ordered.
            Lit::Null | Lit::Bool(_) if ordering => return Some(Values::none()),
            Lit::Null => Values::null(),
            Lit::Bool(b) => Values::bool(*b),
            Lit::List(_) => return None,
        };
        Some(if op == Cmp::Ne {
            equal.complement()
        } else {
            equal
        })
    }
}

/// A numeric constant as the decimal it compares as. Integers beyond 2^53 are left out:
/// they compare exactly with integers, which a decimal cannot stand for.
fn number(lit: &Lit) -> Option<f64> {
    const EXACT: i64 = 1 << 53;
    match lit {
        Lit::Int(i) if i.unsigned_abs() < EXACT as u64 => Some(*i as f64),
        Lit::Float(f) if f.is_finite() => Some(*f),
        _ => None,
    }
}

/// A conjunction: the allowed values of each name (a name not present may hold anything).
#[derive(Debug, Clone, PartialEq, Default)]
struct Conj(BTreeMap<Slot, Values>);

impl Conj {
    fn one(slot: Slot, values: Values) -> Conj {
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

    fn is_empty(&self) -> bool {
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
type Region = Vec<Conj>;

fn everyone() -> Region {
    vec![Conj::default()]
}

/// Drops empty conjunctions and those inside another; `None` when too large to handle.
fn simplify(mut region: Region) -> Option<Region> {
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

fn meet(a: &Region, b: &Region) -> Option<Region> {
    if a.len() * b.len() > MAX_TERMS * MAX_TERMS {
        return None;
    }
    simplify(a.iter().flat_map(|x| b.iter().map(|y| x.meet(y))).collect())
}

/// The customers in `a` but not in `b`.
fn minus(a: &Region, b: &Region) -> Option<Region> {
    let mut out = a.clone();
    for c in b {
        out = meet(&out, &c.complement())?;
    }
    Some(out)
}

fn join(a: &Region, b: &Region) -> Option<Region> {
    simplify(a.iter().chain(b).cloned().collect())
}

// ---------------------------------------------------------------------------------------
// From compiled conditions to regions.

/// The kinds of constants a decision compares each name with (for the heuristic above).
#[derive(Debug, Clone, Copy, Default)]
struct Kinds {
    number: bool,
    text: bool,
    boolean: bool,
}

/// Turns conditions into regions, noting how each name is compared.
#[derive(Default)]
struct Analyzer {
    kinds: HashMap<Slot, Kinds>,
}

impl Analyzer {
    fn note(&mut self, slot: Slot, lit: &Lit) {
        let k = self.kinds.entry(slot).or_default();
        match lit {
            Lit::Int(_) | Lit::Float(_) => k.number = true,
            Lit::Str(_) => k.text = true,
            Lit::Bool(_) => k.boolean = true,
            Lit::Null | Lit::List(_) => {}
        }
    }

    /// The customers for whom the condition is true; `None` when it is not analysable.
    fn region(&mut self, node: &Node) -> Option<Region> {
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
                self.note(*slot, &Lit::Bool(true));
                Some(vec![Conj::one(*slot, Values::bool(true))])
            }
            Node::CmpSlot(op, slot, lit) => {
                self.note(*slot, lit);
                let v = Values::compared(*op, lit)?;
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
                    self.note(slot, item);
                    v = v.join(&Values::compared(Cmp::Eq, item)?);
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
                self.note(*slot, lit);
                let compared = Values::compared(op, lit)?;
                let mut v = compared.meet(&Values::null().complement());
                v.null = compared.contains(default)?;
                Some(vec![Conj::one(*slot, v)])
            }
            _ => None,
        }
    }

    /// The values of a name the decision's comparisons are about: NULL, plus the kinds it
    /// is compared with (everything but lists when it is compared with no constant).
    fn relevant(&self, slot: Slot) -> Values {
        let k = self.kinds.get(&slot).copied().unwrap_or_default();
        if !(k.number || k.text || k.boolean) {
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

/// What the analysis knows about one row's condition.
enum RowCondition {
    Always,
    /// The customers it matches.
    Known(Region),
    Unknown,
}

struct LintRow<'a> {
    row: &'a Row,
    id: &'a str,
    condition: RowCondition,
    /// The condition as written, whitespace collapsed (`None` without `when`).
    text: Option<String>,
}

/// One decision, its rows analysed.
struct Table<'a> {
    rules: &'a RuleSet,
    decision: &'a Decision,
    rows: Vec<LintRow<'a>>,
    /// What the names in the conditions can hold, as far as known: the outputs of earlier
    /// decisions that only give constants.
    universe: Conj,
    analyzer: Analyzer,
    /// "row" or "band".
    noun: &'static str,
}

impl<'a> Table<'a> {
    fn new(rules: &'a RuleSet, decision: &'a Decision, domains: &HashMap<Slot, Values>) -> Self {
        let mut analyzer = Analyzer::default();
        let mut universe = Conj::default();
        let rows = decision
            .rows
            .iter()
            .map(|row| {
                let (condition, text) = match &row.condition {
                    Condition::Always => (RowCondition::Always, None),
                    Condition::Band { from, below } => {
                        let band = Values::numbers(Interval::new(*from, true, *below, false));
                        (RowCondition::Known(vec![Conj::one(SCALE, band)]), None)
                    }
                    Condition::When(e) => {
                        let region = e.native.as_ref().and_then(|n| analyzer.region(&n.root));
                        for (_, slot) in &e.vars {
                            if let Some(d) = domains.get(slot) {
                                universe.0.insert(*slot, d.clone());
                            }
                        }
                        let text = e.text.split_whitespace().collect::<Vec<_>>().join(" ");
                        let condition = region.map_or(RowCondition::Unknown, RowCondition::Known);
                        (condition, Some(text))
                    }
                };
                LintRow {
                    row,
                    id: &rules.rule_ids[row.rule as usize],
                    condition,
                    text,
                }
            })
            .collect();
        Table {
            rules,
            decision,
            rows,
            universe,
            analyzer,
            noun: if decision.scale_of.is_some() {
                "band"
            } else {
                "row"
            },
        }
    }

    /// A warning at the row's id, belonging to `rule` (a row id or the decision's name).
    fn warn(&self, row: &LintRow, rule: &str, message: String, help: String) -> Diagnostic {
        self.rules.rule_origins[row.row.rule as usize]
            .error(message)
            .warning()
            .width(row.id.chars().count())
            .rule(rule)
            .help(help)
    }

    fn name(&self, slot: Slot) -> &str {
        match (slot, &self.decision.scale_of) {
            (SCALE, Some(e)) => e.text.trim(),
            _ => self.rules.slot_name(slot),
        }
    }

    /// "`tier`, `segment`": the decision's outputs.
    fn outputs(&self) -> String {
        let names: Vec<String> = self
            .decision
            .outputs
            .iter()
            .map(|&s| format!("`{}`", self.rules.slot_name(s)))
            .collect();
        names.join(", ")
    }

    /// The customers a row matches, within what the names can hold.
    fn matched(&self, row: &LintRow) -> Option<Region> {
        match &row.condition {
            RowCondition::Always => Some(vec![self.universe.clone()]),
            RowCondition::Known(r) => meet(r, &vec![self.universe.clone()]),
            RowCondition::Unknown => None,
        }
    }

    /// Rule 1, `hit: first`: rows no customer can reach.
    fn unreachable_rows(&self, out: &mut Vec<Diagnostic>) {
        let noun = self.noun;
        // Over-approximates the customers no row above matches.
        let mut uncovered: Region = vec![self.universe.clone()];
        let mut always: Option<&LintRow> = None;
        for (j, row) in self.rows.iter().enumerate() {
            let above = &self.rows[..j];
            let same_text = row
                .text
                .as_ref()
                .and_then(|t| above.iter().find(|a| a.text.as_ref() == Some(t)));
            let matched = self.matched(row);
            let reason = if let Some(a) = always {
                Some(format!("{noun} `{}` above always matches", a.id))
            } else if let Some(a) = same_text {
                Some(format!("{noun} `{}` above has the same condition", a.id))
            } else if matched.as_ref().is_some_and(Vec::is_empty) {
                Some("no customer can satisfy its condition".to_owned())
            } else if uncovered.is_empty() {
                Some(format!("the {noun}s above already match every customer"))
            } else if let Some(mine) = &matched
                && meet(mine, &uncovered).is_some_and(|r| r.is_empty())
            {
                Some(self.covered_by(mine, above))
            } else {
                None
            };
            if let Some(reason) = reason {
                let help = if always.is_some() {
                    format!(
                        "{noun}s are tried from the top and the first match wins; a {noun} without `when` matches everyone, so move `{}` above it or delete it",
                        row.id
                    )
                } else {
                    format!(
                        "{noun}s are tried from the top and the first match wins: put a narrower {noun} before a broader one, or delete `{}`",
                        row.id
                    )
                };
                out.push(self.warn(
                    row,
                    row.id,
                    format!("{noun} `{}` can never match: {reason}", row.id),
                    help,
                ));
            }
            match &row.condition {
                RowCondition::Always => {
                    always = always.or(Some(row));
                    uncovered.clear();
                }
                RowCondition::Known(r) => {
                    // When too large, keep the larger set: still an over-approximation.
                    if let Some(rest) = minus(&uncovered, r) {
                        uncovered = rest;
                    }
                }
                RowCondition::Unknown => {}
            }
        }
    }

    /// Why `mine` is covered by the rows above: one row, or several together.
    fn covered_by(&self, mine: &Region, above: &[LintRow]) -> String {
        let noun = self.noun;
        let known = |a: &&LintRow| matches!(a.condition, RowCondition::Known(_));
        let region = |a: &LintRow| match &a.condition {
            RowCondition::Known(r) => r.clone(),
            _ => Vec::new(),
        };
        if let Some(a) = above
            .iter()
            .filter(known)
            .find(|a| minus(mine, &region(a)).is_some_and(|r| r.is_empty()))
        {
            return format!(
                "every customer it matches already matches {noun} `{}` above",
                a.id
            );
        }
        let ids: Vec<String> = above
            .iter()
            .filter(known)
            .filter(|a| meet(mine, &region(a)).is_none_or(|r| !r.is_empty()))
            .map(|a| format!("`{}`", a.id))
            .collect();
        format!(
            "every customer it matches already matches one of the {noun}s {} above",
            ids.join(", ")
        )
    }

    /// `hit: unique` and `collect`: rows whose condition no customer satisfies.
    fn never_true_rows(&self, out: &mut Vec<Diagnostic>) {
        for row in &self.rows {
            if matches!(row.condition, RowCondition::Known(_))
                && self.matched(row).is_some_and(|r| r.is_empty())
            {
                out.push(self.warn(
                    row,
                    row.id,
                    format!(
                        "{} `{}` can never match: no customer can satisfy its condition",
                        self.noun, row.id
                    ),
                    "its comparisons contradict each other, or ask for a value that is never given"
                        .to_owned(),
                ));
            }
        }
    }

    /// Rule 2, `hit: unique`: pairs of rows one customer can match both of.
    fn overlapping_rows(&self, out: &mut Vec<Diagnostic>) {
        for (j, b) in self.rows.iter().enumerate() {
            for a in &self.rows[..j] {
                let Some(detail) = self.overlap(a, b) else {
                    continue;
                };
                out.push(self.warn(
                    b,
                    b.id,
                    format!("rows `{}` and `{}` overlap: {detail}", a.id, b.id),
                    "with `hit: unique` a customer who matches two rows stops the run with an error; make the conditions exclude each other, or use `hit: first`".to_owned(),
                ));
            }
        }
    }

    fn overlap(&self, a: &LintRow, b: &LintRow) -> Option<String> {
        use RowCondition::*;
        let never = |r: &LintRow| self.matched(r).is_some_and(|m| m.is_empty());
        if never(a) || never(b) {
            return None;
        }
        match (&a.condition, &b.condition) {
            (Always, Always) => {
                return Some("neither has a `when`, so every customer matches both".into());
            }
            (Always, _) | (_, Always) => {
                let (open, other) = if matches!(a.condition, Always) {
                    (a, b)
                } else {
                    (b, a)
                };
                return Some(format!(
                    "`{}` has no `when`, so every customer who matches `{}` matches both",
                    open.id, other.id
                ));
            }
            _ => {}
        }
        if a.text.is_some() && a.text == b.text {
            return Some("they have the same condition".into());
        }
        let both = meet(&self.matched(a)?, &self.matched(b)?)?;
        let first = both.first()?;
        let example = self.example(first);
        Some(if example.is_empty() {
            "every customer matches both".into()
        } else {
            format!("a customer whose {example} matches both")
        })
    }

    /// "`x` is 5 and `tier` is "A"": one customer in the conjunction, naming only what the
    /// conditions constrain. Prefers the kinds of value the decision compares with.
    fn example(&self, conj: &Conj) -> String {
        let mut parts = Vec::new();
        for (slot, values) in &conj.0 {
            let universe = self
                .universe
                .0
                .get(slot)
                .cloned()
                .unwrap_or_else(Values::all);
            if universe.is_subset(values) {
                continue;
            }
            let relevant = values.meet(&self.analyzer.relevant(*slot));
            let v = if relevant.is_empty() {
                values
            } else {
                &relevant
            };
            parts.push(format!("`{}` is {}", self.name(*slot), describe(v)));
        }
        parts.join(" and ")
    }

    /// Rule 3: gaps, overlaps and open ends of a range scale.
    fn scale_bands(&self, out: &mut Vec<Diagnostic>) {
        let mut bands: Vec<(&LintRow, Option<f64>, Option<f64>)> = self
            .rows
            .iter()
            .filter_map(|r| match r.row.condition {
                Condition::Band { from, below } => Some((r, from, below)),
                _ => None,
            })
            .collect();
        bands.sort_by(|x, y| {
            let lo = |b: Option<f64>| b.unwrap_or(f64::NEG_INFINITY);
            lo(x.1).total_cmp(&lo(y.1))
        });
        let (Some(lowest), Some(_)) = (bands.first(), bands.last()) else {
            return;
        };
        let of = self.name(SCALE);
        let outputs = self.outputs();
        if let Some(from) = lowest.1 {
            out.push(self.warn(
                lowest.0,
                lowest.0.id,
                format!("values below {from} get no band"),
                format!(
                    "customers whose `{of}` is below {from} get no value for {outputs}; if that is intended, ignore this, otherwise add a band without `from`"
                ),
            ));
        }
        // The band reaching highest so far, and where it ends (None: no end).
        let mut reach: (&LintRow, Option<f64>) = (lowest.0, lowest.2);
        for &(band, from, below) in &bands[1..] {
            let from = from.unwrap_or(f64::NEG_INFINITY);
            let end = reach.1.unwrap_or(f64::INFINITY);
            if from > end {
                out.push(self.warn(
                    band,
                    band.id,
                    format!("no band covers {end} to {from}"),
                    format!(
                        "customers whose `{of}` is from {end} up to (not including) {from} get no value for {outputs}: let `{}` end at `below: {from}`, or `{}` start at `from: {end}`",
                        reach.0.id, band.id
                    ),
                ));
            } else if from < end {
                let upto = below.unwrap_or(f64::INFINITY).min(end);
                let range = if upto.is_finite() {
                    format!("from {from} up to {upto}")
                } else {
                    format!("of {from} and above")
                };
                let who = match self.decision.hit {
                    HitPolicy::Unique => "a customer in both stops the run with an error",
                    _ => "the band listed first gives the value there",
                };
                out.push(self.warn(
                    band,
                    band.id,
                    format!(
                        "bands `{}` and `{}` overlap: values {range} are in both",
                        reach.0.id, band.id
                    ),
                    format!("{who}; let `{}` end at `below: {from}`", reach.0.id),
                ));
            }
            let further = match (reach.1, below) {
                (None, _) => false,
                (Some(_), None) => true,
                (Some(r), Some(b)) => b > r,
            };
            if further {
                reach = (band, below);
            }
        }
        if let (band, Some(below)) = reach {
            out.push(self.warn(
                band,
                band.id,
                format!("values of {below} and above get no band"),
                format!(
                    "customers whose `{of}` is {below} or more get no value for {outputs}; if that is intended, ignore this, otherwise add a band without `below`"
                ),
            ));
        }
    }

    /// The customers no row matches (over-approximated), and whether every row was known.
    fn uncovered(&self) -> (Option<Region>, bool) {
        let mut uncovered = Some(vec![self.universe.clone()]);
        let mut all_known = true;
        for row in &self.rows {
            match &row.condition {
                RowCondition::Always => return (Some(Vec::new()), true),
                RowCondition::Known(r) => uncovered = uncovered.and_then(|u| minus(&u, r)),
                RowCondition::Unknown => all_known = false,
            }
        }
        (uncovered, all_known)
    }

    /// Rule 4: `first` / `unique` decisions that leave some customers without a value.
    fn missing_default(&self, out: &mut Vec<Diagnostic>) {
        let Some(last) = self.rows.last() else { return };
        let (uncovered, all_known) = self.uncovered();
        let outputs = self.outputs();
        let name = &self.decision.name;
        let help_default =
            "a last row without `when` gives a value to everyone the rows above miss";
        let Some(uncovered) = uncovered else {
            out.push(self.warn(
                last,
                name,
                format!(
                    "some customers may get no value for {outputs}: add a last row without `when`"
                ),
                help_default.to_owned(),
            ));
            return;
        };
        // Only the kinds of value the conditions compare with (the heuristic above).
        let relevant: Region = uncovered
            .iter()
            .map(|c| {
                let mut c = c.clone();
                for (slot, v) in c.0.iter_mut() {
                    *v = v.meet(&self.analyzer.relevant(*slot));
                }
                c
            })
            .filter(|c| !c.is_empty())
            .collect();
        let Some(first) = relevant.first() else {
            return;
        };
        if !all_known {
            out.push(self.warn(
                last,
                name,
                format!(
                    "some customers may get no value for {outputs}: add a last row without `when`"
                ),
                help_default.to_owned(),
            ));
            return;
        }
        let constrained: Vec<(&Slot, &Values)> = first
            .0
            .iter()
            .filter(|(slot, v)| {
                let universe = self
                    .universe
                    .0
                    .get(slot)
                    .cloned()
                    .unwrap_or_else(Values::all);
                !universe.is_subset(v)
            })
            .collect();
        if let ([(slot, v)], 1) = (&constrained[..], relevant.len())
            && **v == Values::null()
        {
            let x = self.name(**slot);
            out.push(self.warn(
                last,
                name,
                format!("customers whose `{x}` is NULL get no value for {outputs}"),
                format!(
                    "`<`, `<=`, `>`, `>=` and `==` with a number are false when `{x}` is NULL; add a last row without `when`, or a row `when: is_null({x})`"
                ),
            ));
            return;
        }
        let example = self.example(first);
        let message = if example.is_empty() {
            format!("some customers get no value for {outputs}")
        } else {
            format!("some customers get no value for {outputs}, for example one whose {example}")
        };
        out.push(self.warn(
            last,
            name,
            message,
            format!("add a last row without `when`: {help_default}"),
        ));
    }

    /// Rule 5: an output declared with `output:` that no row gives.
    fn outputs_never_given(&self, out: &mut Vec<Diagnostic>) {
        let Some(first) = self.rows.first() else {
            return;
        };
        for (k, &slot) in self.decision.outputs.iter().enumerate() {
            if self
                .decision
                .rows
                .iter()
                .any(|r| r.values.iter().any(|(i, _)| *i == k))
            {
                continue;
            }
            let x = self.rules.slot_name(slot);
            out.push(self.warn(
                first,
                &self.decision.name,
                format!("output `{x}` is declared but no row gives it"),
                format!(
                    "every customer gets NULL for `{x}`: give it in a row (`value:` or `then: {{ {x}: ... }}`), or remove `output: {x}`"
                ),
            ));
        }
    }

    /// What this decision's outputs can be, for later decisions' conditions: known when
    /// every row gives a constant (no formula, round or cap changes it).
    fn record_domains(&self, domains: &mut HashMap<Slot, Values>) {
        let d = self.decision;
        if d.hit == HitPolicy::Collect || d.round.is_some() || d.min.is_some() || d.max.is_some() {
            return;
        }
        let (uncovered, _) = self.uncovered();
        let total = uncovered.is_some_and(|u| u.is_empty());
        'outputs: for (k, &slot) in d.outputs.iter().enumerate() {
            let mut values = if total {
                Values::none()
            } else {
                Values::null()
            };
            for row in &d.rows {
                match row.values.iter().find(|(i, _)| *i == k) {
                    Some((_, ValueExpr::Const(lit))) => {
                        values = values.join(&Values::of_constant(lit));
                    }
                    Some((_, ValueExpr::Formula(_))) => continue 'outputs,
                    None => values.null = true,
                }
            }
            domains.insert(slot, values);
        }
    }
}

/// One value of the set, in words: `5`, `"A"`, `true`, `NULL`.
fn describe(v: &Values) -> String {
    if let Some(i) = v.numbers.0.first() {
        return format!("{}", i.example());
    }
    match &v.texts {
        Texts::Only(set) if !set.is_empty() => {
            return format!("{:?}", set.first().expect("not empty"));
        }
        Texts::AllBut(set) if set.is_empty() => return "any text".into(),
        Texts::AllBut(set) => {
            let shown: Vec<String> = set.iter().map(|s| format!("{s:?}")).collect();
            return format!("a text other than {}", shown.join(", "));
        }
        Texts::Only(_) => {}
    }
    if v.bools[1] {
        "true".into()
    } else if v.bools[0] {
        "false".into()
    } else if v.null {
        "NULL".into()
    } else {
        "a list".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Severity;
    use crate::rules::Field;

    /// Lints a one-file rule set: "line:column [rule] message" per warning.
    fn lint_yaml(yaml: &str, fields: &[(&str, &str)]) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("rules.yaml"), yaml).unwrap();
        let fields: Vec<Field> = fields.iter().map(|(n, t)| Field::new(n, Some(t))).collect();
        let (rules, _) = crate::rules::load(dir.path(), &fields, &Default::default())
            .unwrap_or_else(|e| panic!("{e}"));
        lint(&rules)
            .iter()
            .map(|d| {
                assert_eq!(d.severity, Severity::Warning);
                assert!(d.help.is_some(), "{d}");
                let rule = d.rule.as_deref().unwrap_or("-");
                format!("{}:{} [{rule}] {}", d.line, d.column, d.message)
            })
            .collect()
    }

    const X: &[(&str, &str)] = &[("x", "REAL"), ("y", "INTEGER"), ("region", "TEXT")];

    #[test]
    fn first_row_after_an_unconditional_row() {
        let yaml = r#"
decisions:
  - name: d
    output: out
    rules:
      - { id: a, when: "x >= 5", value: 1 }
      - { id: b, value: 2 }
      - { id: c, when: "x < 1", value: 3 }
      - { id: e, value: 4 }
"#;
        assert_eq!(
            lint_yaml(yaml, X),
            [
                "8:15 [c] row `c` can never match: row `b` above always matches",
                "9:15 [e] row `e` can never match: row `b` above always matches",
            ]
        );
    }

    #[test]
    fn first_row_implied_by_an_earlier_row() {
        let yaml = r#"
decisions:
  - name: d
    output: out
    rules:
      - { id: broad, when: "x >= 0.3", value: 1 }
      - { id: narrow, when: "x >= 0.4", value: 2 }
      - { id: both, when: "x >= 0.5 && region == \"north\"", value: 3 }
      - { id: weak, when: "(y ?? 0) < 40", value: 4 }
      - { id: weaker, when: "y < 30 || is_null(y)", value: 5 }
      - { id: not-null, when: "y != ()", value: 6 }
      - { id: rest, value: 7 }
"#;
        assert_eq!(
            lint_yaml(yaml, X),
            [
                "7:15 [narrow] row `narrow` can never match: every customer it matches already matches row `broad` above",
                "8:15 [both] row `both` can never match: every customer it matches already matches row `broad` above",
                "10:15 [weaker] row `weaker` can never match: every customer it matches already matches row `weak` above",
                // `(y ?? 0) < 40` takes the NULLs, `y != ()` everyone else.
                "12:15 [rest] row `rest` can never match: the rows above already match every customer",
            ]
        );
    }

    #[test]
    fn first_row_covered_by_several_rows_but_null_still_reaches_the_last() {
        // `x >= 5` then `x < 5` leaves NULL customers: the last row is reachable.
        let yaml = r#"
decisions:
  - name: d
    output: out
    rules:
      - { id: high, when: "x >= 5", value: 1 }
      - { id: low, when: "x < 5", value: 2 }
      - { id: middle, when: "x >= 3 && x < 8", value: 3 }
      - { id: either, when: "x < 0 || x > 10", value: 4 }
      - { id: rest, value: 5 }
"#;
        assert_eq!(
            lint_yaml(yaml, X),
            [
                "8:15 [middle] row `middle` can never match: every customer it matches already matches one of the rows `high`, `low` above",
                "9:15 [either] row `either` can never match: every customer it matches already matches one of the rows `high`, `low` above",
            ]
        );
    }

    #[test]
    fn first_null_customers_are_not_covered_by_orderings() {
        let yaml = r#"
decisions:
  - name: d
    output: out
    rules:
      - { id: high, when: "x >= 5", value: 1 }
      - { id: low, when: "x < 5", value: 2 }
      - { id: nulls, when: "is_null(x)", value: 3 }
  - name: e
    output: out2
    rules:
      - { id: e-high, when: "x >= 5", value: 1 }
      - { id: e-low, when: "x < 5", value: 2 }
"#;
        // `d` covers everyone (no warning); `e` leaves NULL customers without a value.
        assert_eq!(
            lint_yaml(yaml, X),
            ["13:15 [e] customers whose `x` is NULL get no value for `out2`"]
        );
    }

    #[test]
    fn first_same_condition_twice_and_contradictions() {
        let yaml = r#"
decisions:
  - name: d
    output: out
    rules:
      - { id: a, when: "min(x, 3) > 2", value: 1 }
      - { id: b, when: "min(x,  3) > 2", value: 2 }
      - { id: c, when: "x > 5 && x < 3", value: 3 }
      - { id: rest, value: 4 }
"#;
        assert_eq!(
            lint_yaml(yaml, X),
            [
                "7:15 [b] row `b` can never match: row `a` above has the same condition",
                "8:15 [c] row `c` can never match: no customer can satisfy its condition",
            ]
        );
    }

    #[test]
    fn outputs_of_earlier_decisions_have_known_values() {
        // `tier` is always A, B or C: the last row of `commission` is never reached, and
        // `visits` needs no default row.
        let yaml = r#"
decisions:
  - name: tier
    rules:
      - { id: tier-a, when: "x >= 0.8", then: { tier: A } }
      - { id: tier-b, when: "x >= 0.4", then: { tier: B } }
      - { id: tier-c, then: { tier: C } }
  - name: commission
    output: commission
    rules:
      - { id: comm-a, when: 'tier == "A"', value: 1 }
      - { id: comm-bc, when: 'tier in ["B", "C"]', value: 2 }
      - { id: comm-other, value: 3 }
  - name: visits
    output: visits
    rules:
      - { id: visits-a, when: 'tier == "A"', value: 4 }
      - { id: visits-other, when: 'tier != "A"', value: 1 }
"#;
        assert_eq!(
            lint_yaml(yaml, X),
            [
                "13:15 [comm-other] row `comm-other` can never match: the rows above already match every customer"
            ]
        );
    }

    #[test]
    fn missing_default_row() {
        let yaml = r#"
decisions:
  - name: by-region
    output: out
    rules:
      - { id: north, when: 'region == "north"', value: 1 }
      - { id: big, when: "x >= 100", value: 2 }
  - name: unknown
    output: out2
    rules:
      - { id: scored, when: "x * 2 > y", value: 1 }
  - name: flags
    output: out3
    hit: collect
    rules:
      - { id: flag, when: "x > 1", value: 1 }
"#;
        assert_eq!(
            lint_yaml(yaml, X),
            [
                r#"7:15 [by-region] some customers get no value for `out`, for example one whose `x` is 99 and `region` is a text other than "north""#,
                "11:15 [unknown] some customers may get no value for `out2`: add a last row without `when`",
            ]
        );
    }

    #[test]
    fn unique_overlapping_rows() {
        let yaml = r#"
decisions:
  - name: d
    hit: unique
    output: out
    rules:
      - { id: a, when: "x >= 5", value: 1 }
      - { id: b, when: "x < 5", value: 2 }
      - { id: c, when: "x >= 3 && region == \"north\"", value: 3 }
      - { id: e, when: "min(x, 3) > 2", value: 4 }
      - { id: f, when: "min(x, 3) > 2", value: 5 }
      - { id: g, value: 6 }
"#;
        assert_eq!(
            lint_yaml(yaml, X),
            [
                r#"9:15 [c] rows `a` and `c` overlap: a customer whose `x` is 5 and `region` is "north" matches both"#,
                r#"9:15 [c] rows `b` and `c` overlap: a customer whose `x` is 3 and `region` is "north" matches both"#,
                "11:15 [f] rows `e` and `f` overlap: they have the same condition",
                "12:15 [g] rows `a` and `g` overlap: `g` has no `when`, so every customer who matches `a` matches both",
                "12:15 [g] rows `b` and `g` overlap: `g` has no `when`, so every customer who matches `b` matches both",
                "12:15 [g] rows `c` and `g` overlap: `g` has no `when`, so every customer who matches `c` matches both",
                "12:15 [g] rows `e` and `g` overlap: `g` has no `when`, so every customer who matches `e` matches both",
                "12:15 [g] rows `f` and `g` overlap: `g` has no `when`, so every customer who matches `f` matches both",
            ]
        );
    }

    #[test]
    fn unique_disjoint_rows_are_fine() {
        let yaml = r#"
decisions:
  - name: d
    hit: unique
    output: out
    rules:
      - { id: a, when: "x >= 5", value: 1 }
      - { id: b, when: "x < 5", value: 2 }
      - { id: c, when: "is_null(x)", value: 3 }
  - name: e
    hit: unique
    rules:
      - { id: both, then: { p: 1 } }
      - { id: again, then: { p: 2 } }
"#;
        assert_eq!(
            lint_yaml(yaml, X),
            [
                "14:15 [again] rows `both` and `again` overlap: neither has a `when`, so every customer matches both"
            ]
        );
    }

    #[test]
    fn range_scale_gaps_overlaps_and_open_ends() {
        let yaml = r#"
decisions:
  - name: bonus
    output: bonus
    scale:
      of: x
      bands:
        - { id: s1, from: 100000, below: 250000, value: 1 }
        - { id: s2, from: 300000, below: 500000, value: 2 }
        - { id: s3, from: 450000, below: 600000, value: 3 }
        - { id: s4, from: 350000, below: 400000, value: 4 }
  - name: full
    output: full
    scale:
      of: x
      bands:
        - { id: f1, below: 0, value: 1 }
        - { id: f2, from: 0, value: 2 }
"#;
        assert_eq!(
            lint_yaml(yaml, X),
            [
                "11:17 [s4] band `s4` can never match: every customer it matches already matches band `s2` above",
                "8:17 [s1] values below 100000 get no band",
                "9:17 [s2] no band covers 250000 to 300000",
                "11:17 [s4] bands `s2` and `s4` overlap: values from 350000 up to 400000 are in both",
                "10:17 [s3] bands `s2` and `s3` overlap: values from 450000 up to 500000 are in both",
                "10:17 [s3] values of 600000 and above get no band",
            ]
        );
    }

    #[test]
    fn output_declared_but_never_given() {
        let yaml = r#"
decisions:
  - name: d
    output: unused
    rules:
      - { id: a, when: "x > 1", then: { other: 1 } }
      - { id: b, then: { other: 2 } }
"#;
        assert_eq!(
            lint_yaml(yaml, X),
            ["6:15 [d] output `unused` is declared but no row gives it"]
        );
    }

    #[test]
    fn shipped_rules_have_no_warnings() {
        // The columns of the bundled sample data, as the shipped rules are loaded against.
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let spec = crate::source::sample::SampleSpec {
            customers: 1,
            seed: 1,
        };
        crate::source::sample::generate_into(&conn, &spec, &mut |_| {}).unwrap();
        let source = crate::config::Source::Table("customers".into());
        let source = crate::source::SqliteSource::with_connection(conn, &source);
        let fields = crate::source::CustomerSource::columns(&source).unwrap();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
        let (rules, _) = crate::rules::load(&dir, &fields, &Default::default())
            .unwrap_or_else(|e| panic!("{e}"));
        let warnings: Vec<String> = lint(&rules).iter().map(|d| d.to_string()).collect();
        assert!(warnings.is_empty(), "{}", warnings.join("\n\n"));
    }

    #[test]
    fn values_algebra() {
        let ge5 = Values::compared(Cmp::Ge, &Lit::Int(5)).unwrap();
        let lt5 = Values::compared(Cmp::Lt, &Lit::Float(5.0)).unwrap();
        // Orderings exclude NULL: together they leave NULL, texts, true/false and lists.
        let rest = ge5.join(&lt5).complement();
        assert!(rest.null && rest.numbers.0.is_empty() && rest.other);
        // `!=` holds for NULL and for other kinds.
        let ne = Values::compared(Cmp::Ne, &Lit::Str("A".into())).unwrap();
        assert!(ne.null && ne.contains(&Lit::Int(1)) == Some(true));
        assert_eq!(ne.contains(&Lit::Str("A".into())), Some(false));
        // Beyond 2^53 integers are not modelled.
        assert!(Values::compared(Cmp::Lt, &Lit::Int(1 << 60)).is_none());
        assert_eq!(Interval::new(Some(0.3), false, None, false).example(), 1.0);
        assert_eq!(
            Interval::new(Some(0.3), false, Some(0.4), false).example(),
            0.35
        );
    }
}
