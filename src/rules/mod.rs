//! Rule files -> a compiled, immutable [`RuleSet`].
//!
//! Every expression is compiled once, at load time, and every name it uses is resolved to a
//! slot of the per-customer frame. A `RuleSet` is `Send + Sync` and is shared with `Arc`.

pub mod hit;
pub mod lint;
mod load;
pub mod model;
pub mod native;
pub mod schema;
pub mod stats;

pub use hit::{Aggregate, HitPolicy};
pub(crate) use load::named_rules;
pub use load::{
    MOST_OUTPUTS, check_seen, fingerprint_now, leads_outside, load, not_a_rule_file,
    outside_message,
};
pub use model::RoundSpec;
pub use stats::Statistic;

use crate::diag::SourceFile;
use crate::script::Limits;
use crate::source::Field;
use crate::time::Date;
use crate::value::ValueKind;
use rhai::Shared;
use std::path::PathBuf;
use std::sync::Arc;

/// Index of a value in the per-customer frame: fields first, then the run's context
/// (`as_of`, `period`), metrics, population figures and decision outputs.
pub type Slot = usize;

/// Index into [`RuleSet::rule_ids`].
pub type RuleIdx = u32;

/// What a slot of the frame holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotKind {
    Field,
    /// What the run gives every customer alike: its evaluation date and period.
    Context,
    /// A value of an earlier period: `previous.tier`, `previous_2.tier`, `held.tier`.
    Past,
    Metric,
    Population,
    Output,
}

impl SlotKind {
    pub fn noun(self) -> &'static str {
        match self {
            SlotKind::Field => "field",
            SlotKind::Context => "value of the run",
            SlotKind::Past => "value of an earlier period",
            SlotKind::Metric => "metric",
            SlotKind::Population => "population figure",
            SlotKind::Output => "output",
        }
    }

    /// The noun with its article: "an output", "a metric".
    pub fn a_noun(self) -> String {
        let article = match self {
            SlotKind::Output => "an",
            _ => "a",
        };
        format!("{article} {}", self.noun())
    }
}

/// Where an expression starts in its file, to map rhai positions back to the file.
#[derive(Debug, Clone)]
pub struct Origin {
    pub file: Arc<SourceFile>,
    pub line: usize,
    pub column: usize,
    /// Where each character of the expression is in the file (YAML folds the lines of
    /// `when: >` and plain scalars, and unescapes `\"` and `''`); `None` when the scalar
    /// could not be followed (an escape such as `\u00e9`), or for a rule id.
    pub chars: Option<Arc<CharMap>>,
}

/// An expression as Rhai sees it, and the file position of each of its characters.
#[derive(Debug)]
pub struct CharMap {
    pub body: String,
    pub at: Vec<(usize, usize)>,
}

impl Origin {
    /// The file position of a 1-based (line, column) inside the expression: the same at
    /// load time and at run time.
    pub fn map(&self, line: usize, column: usize) -> (usize, usize) {
        if let Some(map) = &self.chars {
            let index = crate::diag::habits::char_index(&map.body, line, column);
            match map.at.get(index) {
                Some(&at) => return at,
                // Just past the end (`Script is incomplete`): after the last character.
                None => {
                    if let Some(&(l, c)) = map.at.last() {
                        return (l, c + 1);
                    }
                }
            }
        }
        if line <= 1 {
            (self.line, self.column + column.saturating_sub(1))
        } else {
            // Continuation lines of a block scalar start at the block's indentation.
            (self.line + line - 1, self.column + column.saturating_sub(1))
        }
    }

    /// `file:line:column`, or for a spreadsheet its cell (`rules/pricing.xlsx, sheet tiers, C7`).
    pub fn describe(&self) -> String {
        self.file.place(self.line, self.column)
    }

    /// An error diagnostic at the start of the expression.
    pub fn error(&self, message: impl Into<String>) -> crate::diag::Diagnostic {
        crate::diag::Diagnostic::error(&self.file, self.line, self.column, message)
    }
}

/// A compiled Rhai expression and the frame slots of the names it reads.
#[derive(Debug, Clone)]
pub struct Expr {
    /// Distinct within its rule set: where an evaluation keeps what it prepared for it.
    pub id: usize,
    pub ast: rhai::AST,
    pub vars: Vec<(rhai::Identifier, Slot)>,
    /// Earlier periods' values the expression reads, as the interpreter sees them: a map
    /// per variable (`previous`, `held`) of the properties used, by slot.
    pub maps: Vec<(rhai::Identifier, Vec<(rhai::Identifier, Slot)>)>,
    pub origin: Origin,
    /// The fast path, when the expression is simple enough (see [`native`]).
    pub native: Option<native::Native>,
    /// The expression as written (without a formula's `=`).
    pub text: String,
}

/// A value a row gives: a constant, or a formula evaluated per customer.
#[derive(Debug, Clone)]
pub enum ValueExpr {
    Const(crate::value::Lit),
    Formula(Expr),
}

#[derive(Debug, Clone)]
pub struct Metric {
    pub name: String,
    pub slot: Slot,
    pub expr: Expr,
}

#[derive(Debug, Clone)]
pub struct PopulationFigure {
    pub name: String,
    pub slot: Slot,
    pub statistic: Statistic,
    /// `n:` and `better:` (`ntile_of`).
    pub params: stats::Params,
    pub of: Expr,
    pub filter: Option<Expr>,
    /// `by:`: ranked among the customers with the same value of it (`None`: among all).
    pub by: Option<Expr>,
}

/// How a row decides whether it matches.
#[derive(Debug, Clone)]
pub enum Condition {
    Always,
    When(Expr),
    /// A band of a range scale: `from <= value < below` over the decision's scale value.
    Band {
        from: Option<f64>,
        below: Option<f64>,
    },
}

/// When a row applies: from and to a date, both included (`None`: no limit that side).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: Option<Date>,
    pub to: Option<Date>,
}

impl Window {
    /// Every day: the window of a row that says no `effective:`.
    pub const ALWAYS: Window = Window {
        from: None,
        to: None,
    };

    /// Whether the windows together hold every day, from the first to the last (sorts them).
    pub fn every_day_in(windows: &mut [Window]) -> bool {
        windows.sort_by_key(|w| w.from);
        let mut reach: Option<Date> = None; // the last day held so far
        for (k, w) in windows.iter().enumerate() {
            let starts_in = match (w.from, reach) {
                (None, _) => true,
                (Some(from), Some(end)) if k > 0 => end.add_days(1).is_none_or(|n| from <= n),
                _ => false,
            };
            if !starts_in {
                return false;
            }
            match w.to {
                None => return true,
                Some(to) => reach = reach.max(Some(to)),
            }
        }
        false
    }

    pub fn contains(self, date: Date) -> bool {
        self.from.is_none_or(|f| f <= date) && self.to.is_none_or(|t| date <= t)
    }

    /// Whether every day of `other` is in this window.
    pub fn covers(self, other: Window) -> bool {
        self.meet(other) == other
    }

    /// The days in both windows.
    pub fn meet(self, other: Window) -> Window {
        let later = |a: Option<Date>, b: Option<Date>| match (a, b) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        let earlier = |a: Option<Date>, b: Option<Date>| match (a, b) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Window {
            from: later(self.from, other.from),
            to: earlier(self.to, other.to),
        }
    }

    /// No day is in it.
    pub fn is_empty(self) -> bool {
        matches!((self.from, self.to), (Some(f), Some(t)) if f > t)
    }
}

impl std::fmt::Display for Window {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.from, self.to) {
            (Some(a), Some(b)) => write!(f, "from {a} to {b}"),
            (Some(a), None) => write!(f, "from {a}"),
            (None, Some(b)) => write!(f, "until {b}"),
            (None, None) => f.write_str("always"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Row {
    pub rule: RuleIdx,
    pub condition: Condition,
    /// When the row applies (its own window, met with its decision's and its file's).
    pub effective: Option<Window>,
    /// (index into the decision's `outputs`, value)
    pub values: Vec<(usize, ValueExpr)>,
    /// For a row of a `grid:`, its input cells, for `explain` (its `condition` is all of
    /// them together); `None` for a row of `rules:` or a band.
    pub cells: Option<Vec<GridCell>>,
}

/// One input cell of a grid row, as `explain` shows it.
#[derive(Debug, Clone)]
pub struct GridCell {
    /// The column's header (its input expression).
    pub column: String,
    /// The test in words: `segment = exit`, `overdue_days ?? 0 > 60`.
    pub shown: String,
    /// The cell's own condition; `None` for `-` (anything).
    pub test: Option<Expr>,
}

/// Which side a cap limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// A floor: smaller outputs are raised to it.
    Min,
    /// A ceiling: larger outputs are lowered to it.
    Max,
}

/// One limit of a decision's output: `cap: { min }` (id `<decision>.min`), `cap: { max }`
/// (`<decision>.max`), or a bound of a named cap of `caps:` (its own id).
#[derive(Debug, Clone)]
pub struct Cap {
    pub rule: RuleIdx,
    pub bound: Bound,
    pub value: ValueExpr,
}

#[derive(Debug, Clone)]
pub struct Decision {
    pub name: String,
    pub hit: HitPolicy,
    pub aggregate: Option<Aggregate>,
    /// With `hit: max` / `min`: the output compared, by index into `outputs` (`by:`).
    pub by: Option<usize>,
    /// Slots of the outputs this decision produces.
    pub outputs: Vec<Slot>,
    /// For range scales: the value the bands are over.
    pub scale_of: Option<Expr>,
    pub rows: Vec<Row>,
    pub round: Option<RoundSpec>,
    /// The output `round:` and the caps apply to (the decision's `output:`), by index into
    /// `outputs`: the others its rows give (`payment_days` beside `credit_limit`) are not.
    pub bounded_output: Option<usize>,
    /// The limits of the output, in the order written (`cap:` first, then `caps:`): the
    /// largest floor and the smallest ceiling apply.
    pub caps: Vec<Cap>,
    /// The output that receives the id of the cap that bound (`capped_by:`).
    pub capped_by: Option<Slot>,
    /// Some row gives a decimal constant: the output is a decimal even when no row adds up.
    pub decimal: bool,
    /// Each output's declared values, in their order (`outputs: [{ name, values }]`): what
    /// `priority` and `output_order` rank rows by. By index into `outputs`; empty when the
    /// output declares none.
    pub output_values: Vec<Vec<crate::value::Lit>>,
    /// Each output's value when no row matches (`default:`), by index into `outputs`.
    pub defaults: Vec<Option<ValueExpr>>,
}

impl ValueExpr {
    pub fn formula(&self) -> Option<&Expr> {
        match self {
            ValueExpr::Formula(e) => Some(e),
            ValueExpr::Const(_) => None,
        }
    }
}

impl Decision {
    /// A decision with no rows, for tests of what acts on decisions.
    #[cfg(test)]
    pub fn empty() -> Decision {
        Decision {
            name: "test".into(),
            hit: HitPolicy::First,
            aggregate: None,
            by: None,
            outputs: vec![0],
            scale_of: None,
            rows: Vec::new(),
            round: None,
            bounded_output: None,
            caps: Vec::new(),
            capped_by: None,
            decimal: false,
            output_values: Vec::new(),
            defaults: Vec::new(),
        }
    }

    /// Its outputs are lists: the values of every matching row (`collect` with `aggregate:
    /// list`, `rule_order`, `output_order`).
    pub fn gives_lists(&self) -> bool {
        match self.hit {
            _ if self.hit.shape().combines_values => self.aggregate == Some(Aggregate::List),
            hit => !hit.shape().one_row,
        }
    }

    /// Output `k` (by position in `outputs`) is always a list or NULL: the decision gives
    /// lists, or every row's value and the default for it is a list constant or NULL (one
    /// at least a list).
    pub fn output_is_list(&self, k: usize) -> bool {
        if self.gives_lists() {
            return true;
        }
        let given = self.rows.iter().flat_map(|r| &r.values);
        let values = given.filter(|(i, _)| *i == k).map(|(_, v)| v);
        let values = values.chain(self.defaults.get(k).and_then(Option::as_ref));
        let list = |v: &ValueExpr| matches!(v, ValueExpr::Const(crate::value::Lit::List(_)));
        let null = |v: &ValueExpr| matches!(v, ValueExpr::Const(crate::value::Lit::Null));
        let (mut any, mut all) = (false, true);
        for v in values {
            any |= list(v);
            all &= list(v) || null(v);
        }
        any && all
    }

    /// The slots of its outputs that are always lists or NULL ([`Decision::output_is_list`]).
    pub fn list_outputs(&self) -> impl Iterator<Item = Slot> + '_ {
        (self.outputs.iter().enumerate())
            .filter(|&(k, _)| self.output_is_list(k))
            .map(|(_, &slot)| slot)
    }

    /// Every expression of the decision: scale value, conditions, formulas, caps, defaults.
    pub fn exprs(&self) -> impl Iterator<Item = &Expr> {
        let rows = self.rows.iter().flat_map(move |row| {
            let when = match &row.condition {
                Condition::When(e) => Some(e),
                _ => None,
            };
            when.into_iter()
                .chain(row.values.iter().filter_map(|(_, v)| v.formula()))
        });
        let caps = self.caps.iter().filter_map(|c| c.value.formula());
        let defaults = self.defaults.iter().flatten().filter_map(|v| v.formula());
        self.scale_of.iter().chain(rows).chain(caps).chain(defaults)
    }
}

#[derive(Debug, Clone)]
pub struct Output {
    pub name: String,
    pub slot: Slot,
}

#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub count_by: Vec<(String, Slot)>,
    pub totals: Vec<(String, Expr)>,
    pub moves: Vec<Move>,
    /// Which of `totals` are money (indices).
    pub money: Vec<usize>,
    /// What `tierwise report` draws (`None`: the rules declare nothing for it).
    pub report: Option<ReportDecl>,
}

impl Summary {
    /// The order of output `output`'s values its `moves` entry gives, if any.
    fn moves_order(&self, output: &str) -> Option<&[String]> {
        (self.moves.iter())
            .find(|m| m.output == output)
            .map(|m| m.order.as_slice())
    }

    /// The summary's expressions: the totals, then the report's measures.
    pub fn exprs(&self) -> impl Iterator<Item = &Expr> {
        let report = self.report.iter().flat_map(|r| {
            r.value
                .iter()
                .chain(r.quadrant.iter().flat_map(|q| [&q.x, &q.y]))
                .map(|m| &m.expr)
        });
        self.totals.iter().map(|(_, e)| e).chain(report)
    }
}

/// The parts of `tierwise report` the rules declare (`summary.report`); outputs by name,
/// each checked to be an output when the rules load.
#[derive(Debug, Clone, Default)]
pub struct ReportDecl {
    /// The output whose values are the tiers (ordered by its `moves` entry).
    pub tiers: Option<String>,
    /// What customers are ranked by.
    pub value: Option<Measure>,
    pub quadrant: Option<Quadrant>,
    pub lists: Vec<ReportList>,
}

/// A number per customer the report plots.
#[derive(Debug, Clone)]
pub struct Measure {
    pub name: String,
    pub expr: Expr,
    pub money: bool,
}

#[derive(Debug, Clone)]
pub struct Quadrant {
    pub x: Measure,
    pub y: Measure,
    /// The output whose values colour the points.
    pub colour: Option<String>,
    /// Where the rules split the quadrant, across and up.
    pub split: (Option<f64>, Option<f64>),
}

/// Customers for whom output `when` is set, showing `show`.
#[derive(Debug, Clone)]
pub struct ReportList {
    pub name: String,
    pub when: String,
    pub show: Vec<String>,
}

/// An output whose moves since the previous period a run counts.
#[derive(Debug, Clone)]
pub struct Move {
    pub output: String,
    pub slot: Slot,
    /// Its value in the previous period (`previous.<output>`).
    pub previous: Slot,
    /// Its values, highest first: a move towards the front is up.
    pub order: Vec<String>,
    /// Where the order is written.
    pub origin: Origin,
}

/// A value of an earlier period that the rules read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastValue {
    pub slot: Slot,
    /// How many periods back: 1 for the previous period.
    pub back: u32,
    /// The column of that period's run it comes from: an output's name, or `held.<output>`.
    pub column: String,
    /// A rule reads it; `false` when only `summary.moves` counts it (nothing a rule gives
    /// depends on it).
    pub read: bool,
}

impl PastValue {
    /// The output whose earlier values it is (`held.x` counts periods of `x`'s values).
    pub fn output(&self) -> &str {
        self.column.strip_prefix("held.").unwrap_or(&self.column)
    }

    /// The name as the rules write it: `previous.x`, `previous_2.x`, `held.x` as it is.
    pub fn written(&self) -> String {
        match self.column.starts_with("held.") {
            true => self.column.clone(),
            false => format!("{}.{}", periods_back(self.back), self.column),
        }
    }
}

/// How the rules name the period `back` periods before a run's: `previous`, `previous_2`.
pub fn periods_back(back: u32) -> String {
    match back {
        1 => "previous".to_owned(),
        n => format!("previous_{n}"),
    }
}

/// `held.<output>` of this period: for how many consecutive periods, up to and including
/// this one, the output has had its current value (0 when it is NULL). Stored with the
/// outputs, so the next period reads it as `held.<output>` after one period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    /// The output slot this period's count goes to.
    pub slot: Slot,
    /// The output counted.
    pub of: Slot,
    /// Its value in the previous period, and the previous period's count.
    pub previous: Slot,
    pub previous_held: Slot,
}

/// A complete, validated rule set.
#[derive(Debug, Clone)]
pub struct RuleSet {
    /// Hash of the rule files' names and contents (hex, 16 characters).
    pub fingerprint: String,
    /// Hash of what in them decides: comments, layout and the summary's display settings
    /// left out (two runs of the same logic compare customers, not rules).
    pub logic_fingerprint: String,
    pub files: Vec<PathBuf>,
    /// Name and kind of every frame slot; the first `field_count` are the source's columns.
    pub slots: Vec<(String, SlotKind)>,
    pub field_count: usize,
    /// The slots of the run's evaluation date (`as_of`) and period label (`period`).
    pub as_of: Slot,
    pub period: Slot,
    /// Fields that some expression reads (only these are copied into the frame).
    pub used_fields: Vec<Slot>,
    /// Comparisons and arithmetic on columns that declare no type, and `switch` cases:
    /// checked against the kinds the data holds ([`check_seen`]) before evaluating.
    pub operations: Vec<load::Operation>,
    /// Metrics the population figures need, computed for all customers first.
    pub metrics_pre: Vec<Metric>,
    pub population: Vec<PopulationFigure>,
    /// The other metrics, computed per customer after the population pass.
    pub metrics_post: Vec<Metric>,
    /// Decisions in evaluation (dependency) order.
    pub decisions: Vec<Decision>,
    /// Declared outputs, in the order of the output table's columns.
    pub outputs: Vec<Output>,
    /// The kind of each output's values, where the rules say it (by position in `outputs`).
    pub output_kinds: Vec<Option<ValueKind>>,
    /// Each output always holds a decimal or NULL (by position in `outputs`).
    pub output_decimal: Vec<bool>,
    pub rule_ids: Vec<String>,
    /// Where each rule id is written (caps: where their bound is), by `RuleIdx`.
    pub rule_origins: Vec<Origin>,
    pub summary: Summary,
    pub limits: Limits,
    /// Functions from `rules/*.rhai`, registered in every worker's engine.
    pub scripts: Option<Shared<rhai::Module>>,
    /// The most locals any fast-path expression needs.
    pub max_locals: usize,
    /// The values of earlier periods the rules read (their slots come after every other).
    pub past: Vec<PastValue>,
    /// The outputs that count how long another output has held its value (`held.tier`),
    /// computed after the decisions and written with the outputs.
    pub held: Vec<Held>,
}

impl RuleSet {
    /// Sorts `values` of output `output` (each with its count) for showing: in the order its
    /// `moves` entry gives (A, B, C, dormant: never alphabetical by accident), or else the
    /// order of its declared `values:`; then the values that order does not list, numbers
    /// by size (1, 3, 6, 12, not 1, 12, 3, 6) before text alphabetically; then `(none)`.
    pub fn sort_values<T>(&self, output: &str, values: &mut [(String, T)]) {
        let declared: Vec<String>;
        let order = match self.summary.moves_order(output) {
            Some(order) => order,
            None => {
                declared = self.declared_values(output);
                &declared
            }
        };
        let place = |value: &str| match order.iter().position(|o| o == value) {
            Some(k) => (0, k),
            None if value == "(none)" => (2, 0),
            None => (1, 0),
        };
        let number = |v: &str| v.parse::<f64>().ok().filter(|x| x.is_finite());
        values.sort_by(|a, b| {
            let unlisted = match (number(&a.0), number(&b.0)) {
                (Some(x), Some(y)) => x.total_cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => crate::text::reading_order(&a.0, &b.0),
            };
            place(&a.0).cmp(&place(&b.0)).then(unlisted)
        });
    }

    /// The values output `name` declares (`outputs: [{ name, values }]`), as text.
    fn declared_values(&self, name: &str) -> Vec<String> {
        let Some(slot) = self.outputs.iter().find(|o| o.name == name).map(|o| o.slot) else {
            return Vec::new();
        };
        (self.decisions.iter())
            .find_map(|d| {
                let k = d.outputs.iter().position(|&o| o == slot)?;
                d.output_values.get(k)
            })
            .map_or_else(Vec::new, |values| {
                values.iter().map(|v| v.value().to_string()).collect()
            })
    }

    /// Every expression of the rule set: metrics, population figures (and their filters),
    /// decisions, summary totals.
    pub fn exprs(&self) -> impl Iterator<Item = &Expr> {
        let metrics = self
            .metrics_pre
            .iter()
            .chain(&self.metrics_post)
            .map(|m| &m.expr);
        let population = self
            .population
            .iter()
            .flat_map(|f| std::iter::once(&f.of).chain(&f.filter).chain(&f.by));
        let decisions = self.decisions.iter().flat_map(|d| d.exprs());
        let totals = self.summary.totals.iter().map(|(_, e)| e);
        metrics.chain(population).chain(decisions).chain(totals)
    }

    /// The kind of the values of output `name`, where the rules say it.
    pub fn output_kind(&self, name: &str) -> Option<ValueKind> {
        let k = self.outputs.iter().position(|o| o.name == name)?;
        self.output_kinds.get(k).copied().flatten()
    }

    /// A sandboxed engine with this rule set's script functions, for one worker thread.
    pub fn new_engine(&self) -> rhai::Engine {
        let mut engine = crate::script::new_engine(&self.limits);
        if let Some(module) = &self.scripts {
            engine.register_global_module(module.clone());
        }
        engine
    }

    pub fn slot_name(&self, slot: Slot) -> &str {
        &self.slots[slot].0
    }

    /// The population figure called `name`, or a message listing the figures there are.
    pub fn figure(&self, name: &str) -> Result<&PopulationFigure, String> {
        if let Some(f) = self.population.iter().find(|f| f.name == name) {
            return Ok(f);
        }
        let names: Vec<&str> = self.population.iter().map(|f| f.name.as_str()).collect();
        Err(if names.is_empty() {
            format!("`{name}` is not a population figure (the rules define none)")
        } else {
            format!(
                "`{name}` is not a population figure (they are: {})",
                names.join(", ")
            )
        })
    }

    /// Names of the fields the rules read: the only columns worth loading.
    pub fn loaded_fields(&self) -> Vec<&str> {
        self.used_fields
            .iter()
            .map(|&s| self.slot_name(s))
            .collect()
    }
}
