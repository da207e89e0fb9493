//! Lint warnings for decision tables, for `tierwise check`: rows that can never match, rows
//! that overlap under `hit: unique`, gaps and overlaps in range scales, decisions that leave
//! some customers without a value, and outputs no row gives.
//!
//! # Layout
//!
//! One file per lint, in the style of ruff: a stable code and a kebab-case name
//! (`TW101 unreachable-row`), a doc in three parts (what it does, why it matters, an
//! example), the check, its message and its tests. [`LINTS`] registers them, one line each,
//! and says which tables each runs on: that choice depends on the hit policy and is made
//! there and nowhere else. This module holds what the lints share: a decision analysed once
//! (`Table`), row by row (`LintRow`), and what the outputs of earlier decisions can be.
//! `values.rs` and `region.rs` are the analysis.
//!
//! Adding a lint `TW1xx some-name`:
//! 1. `some_name.rs` next to this file: copy a small lint (`output_never_given.rs`), give
//!    `LINT` the next free code and the name, write the doc, `check` and the tests.
//! 2. Here: `mod some_name;` and its line in [`LINTS`] (the hit policies and the shape of
//!    the tables it runs on). The compiler insists on both: without `mod` the registry line
//!    does not resolve, without the registry line `LINT` is dead code.
//! 3. `tests/fixtures/check/some-name.yaml` triggering it, then
//!    `UPDATE_FIXTURES=1 cargo test --test check_fixtures` writes `some-name.expected`: the
//!    whole output of `tierwise check`; read it before committing. A test fails while a
//!    registered lint has no such fixture.
//!
//! # The analysis
//!
//! The warnings come from a small analysis of each row's compiled condition (the native
//! tree of [`super::native`]). A condition built from comparisons of one name with one
//! constant (`sales_rank >= 0.4`, `tier == "A"`, `tier in ["A", "B"]`, `is_null(x)`,
//! `(x ?? 0) < 40`, a true/false name), joined with `&&`, `||` and `!`, becomes a region:
//! the exact set of customers it matches, as a union of conjunctions (a set of allowed
//! values per name). Everything else (arithmetic, function calls, `if`, comparing two names)
//! is *unknown*, and the analysis then only says what it can say without knowing it.
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

mod ceiling_below_rows;
mod date_steps;
mod effective_gap;
mod effective_overlap;
mod exact_amounts;
mod expired_row;
mod floor_lifts_row;
mod for_each_copies;
mod group_spellings;
mod keyed;
mod missing_default;
mod moves_order;
mod near_texts;
mod never_in_effect;
mod never_true_row;
mod no_value_texts;
mod null_in_metrics;
mod null_past_rows;
mod numbers_as_text;
mod output_never_given;
mod output_spellings;
mod overlapping_rows;
mod region;
mod scale_gap;
mod scale_overlap;
mod script_spellings;
mod shares;
mod shown;
mod template_division;
mod text_dates;
mod text_ordered;
mod text_spellings;
mod thousands_dots;
mod unknown_ids;
mod unranked_rows;
mod unreachable_row;
mod whole_numbers;

/// What the lints on the data find ([`shares`], [`text_dates`], [`text_spellings`],
/// [`group_spellings`], [`whole_numbers`]; [`OutputSpellings`] after evaluation):
/// comparisons and groups the rules alone cannot show wrong.
pub fn data_slips(rules: &RuleSet, data: &crate::source::Dataset) -> Vec<Diagnostic> {
    let mut out = shares::share_slips(rules, data);
    out.extend(text_dates::text_date_slips(rules, data));
    out.extend(text_spellings::other_spellings(rules, data));
    out.extend(group_spellings::split_groups(rules, data));
    out.extend(near_texts::near_texts(rules, data));
    out.extend(script_spellings::script_case_spellings(rules, data));
    out.extend(whole_numbers::decimals_never_equal(rules, data));
    out.extend(exact_amounts::amounts_tested_exactly(rules, data));
    out.extend(no_value_texts::no_value_texts(rules, data));
    out.extend(thousands_dots::parse_float_over_thousands_dots(rules, data));
    out.extend(numbers_as_text::numbers_kept_as_text(rules, data));
    out
}
pub use for_each_copies::copies_never_matching;
pub use null_in_metrics::{NullInMetric, null_in_metrics, ordered_in_metrics};
pub use null_past_rows::{NullPastRows, null_past_rows, ordered_without_null_test};
pub use shown::{for_runs, without_repeats};
pub use unranked_rows::unranked_rows;
use walk::{name_constant_comparisons, rule_expressions, written_tests};
pub use {output_spellings::OutputSpellings, unknown_ids::ids_no_customer_has};
mod values;
mod walk;

use super::native::Node;
use super::{Condition, Decision, Row, RuleSet, Slot, ValueExpr, Window};
use crate::diag::Diagnostic;
use crate::time::Date;
use region::{Analyzer, Conj, Region, meet, minus};
use std::collections::HashMap;
use values::{Interval, Values, describe};

/// Every lint, in the order they run on each decision, with the tables it runs on.
///
/// What counts as a problem depends on what the table's hit policy means (its
/// [`hit::Shape`](super::hit::Shape)), never on the policy's name, so a new policy is linted
/// by what it says it is:
/// - where the first matching row wins (`first`), rows above can hide a row
///   (`unreachable-row`);
/// - where at most one row may match (`unique`), a customer who matches two rows stops the
///   run with an error (`overlapping-rows`);
/// - where each customer gets one row's value (`first`, `unique`), a customer no row matches
///   gets none (`missing-default`, `scale-gap`) and overlapping bands shadow or conflict
///   (`scale-overlap`);
/// - tables that combine values (`collect`) are exempt from those: a customer no row matches
///   gets the empty aggregate by design (0 for `sum`, NULL for `min`/`max`, [] for `list`),
///   and overlapping rows or bands add up on purpose;
/// - whatever the policy, a row no customer satisfies (`never-true-row`) and an output no
///   row gives (`output-never-given`) are mistakes.
pub const LINTS: &[Lint] = &[
    unreachable_row::LINT.on(Policies::FirstWins, Shape::Any),
    never_true_row::LINT.on(Policies::All, Shape::Any),
    overlapping_rows::LINT.on(Policies::Exclusive, Shape::Rows),
    scale_gap::LINT.on(Policies::OneValue, Shape::Scale),
    scale_overlap::LINT.on(Policies::OneValue, Shape::Scale),
    missing_default::LINT.on(Policies::OneValue, Shape::Rows),
    output_never_given::LINT.on(Policies::All, Shape::Any),
    expired_row::LINT.on(Policies::All, Shape::Any),
    never_in_effect::LINT.on(Policies::All, Shape::Any),
    text_ordered::LINT.on(Policies::All, Shape::Any),
    floor_lifts_row::LINT.on(Policies::OneValue, Shape::Any),
    ceiling_below_rows::LINT.on(Policies::OneValue, Shape::Any),
    effective_gap::LINT.on(Policies::OneValue, Shape::Any),
    effective_overlap::LINT.on(Policies::All, Shape::Any),
];

/// Lint warnings for every decision table of the rule set, in decision order; `today` is
/// the day `check` runs (for rows whose `effective` dates have passed).
pub fn lint(rules: &RuleSet, today: Date) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // What each output of an earlier decision can be (decisions come in dependency order).
    let mut domains = figure_domains(rules);
    for d in &rules.decisions {
        let table = Table::new(rules, d, &domains, today);
        for lint in LINTS.iter().filter(|l| l.runs_on(d)) {
            out.extend((lint.check)(&table).into_iter().map(|w| w.code(lint.code)));
        }
        table.record_domains(&mut domains);
    }
    for_each_copies::for_each_rows(rules, &mut out);
    out.extend(moves_order::moves_orders(rules, &domains));
    out.extend(template_division::template_divisions(rules)); // every expression's
    out.extend(date_steps::date_steps(rules));
    crate::rules::load::merge_copies(out)
}

/// What each population figure can hold: the range its statistic gives, or NULL (customers
/// not ranked). Statistics with no range are left out (they may hold anything).
fn figure_domains(rules: &RuleSet) -> HashMap<Slot, Values> {
    let mut domains = HashMap::new();
    for figure in &rules.population {
        let range = figure.statistic.range(&figure.params);
        if range.lo.is_none() && range.hi.is_none() {
            continue;
        }
        let (lo, lo_closed) = range.lo.map_or((None, false), |(x, c)| (Some(x), c));
        let (hi, hi_closed) = range.hi.map_or((None, false), |(x, c)| (Some(x), c));
        let mut values = Values::numbers(Interval::new(lo, lo_closed, hi, hi_closed));
        values.null = true;
        domains.insert(figure.slot, values);
    }
    domains
}

/// A lint: what output, JSON and docs call it, and its check.
#[derive(Clone, Copy)]
pub struct Lint {
    /// `TW1xx`, stable: programs and docs refer to it whatever the wording. Never reused.
    pub code: &'static str,
    /// kebab-case, says what is wrong (`unreachable-row`).
    pub name: &'static str,
    /// The hit policies of the tables it runs on.
    pub hit: Policies,
    pub shape: Shape,
    /// The warnings for one table (the code is added by [`lint`]).
    check: fn(&Table) -> Vec<Diagnostic>,
}

/// Which hit policies a lint's problem exists under, by what they mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policies {
    /// Runs on no table (a lint not registered yet).
    None,
    All,
    /// The first matching row wins.
    FirstWins,
    /// At most one row may match.
    Exclusive,
    /// Each customer gets one row's value (the policy does not combine values).
    OneValue,
}

impl Policies {
    fn include(self, shape: super::hit::Shape) -> bool {
        match self {
            Policies::None => false,
            Policies::All => true,
            Policies::FirstWins => shape.first_wins,
            Policies::Exclusive => shape.exclusive,
            Policies::OneValue => shape.one_row,
        }
    }
}

/// Which tables a lint looks at: rows (`rules:`, with `when`), range scales (`scale:`, with
/// bands), or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Any,
    Rows,
    Scale,
}

impl Lint {
    /// A lint that runs on no table until [`LINTS`] says where, with [`Lint::on`].
    const fn new(
        code: &'static str,
        name: &'static str,
        check: fn(&Table) -> Vec<Diagnostic>,
    ) -> Lint {
        Lint {
            code,
            name,
            hit: Policies::None,
            shape: Shape::Any,
            check,
        }
    }

    const fn on(self, hit: Policies, shape: Shape) -> Lint {
        Lint { hit, shape, ..self }
    }

    fn runs_on(&self, d: &Decision) -> bool {
        let shape = match self.shape {
            Shape::Any => true,
            Shape::Rows => d.scale_of.is_none(),
            Shape::Scale => d.scale_of.is_some(),
        };
        shape && self.hit.include(d.hit.shape())
    }
}

// ---------------------------------------------------------------------------------------
// What the lints share: one decision, analysed once.

/// The frame slot that stands for a range scale's value (bands are conditions over it).
const SCALE: Slot = Slot::MAX;

/// What the analysis knows about one row's condition.
enum RowCondition {
    Always,
    /// The customers it matches.
    Known(Region),
    Unknown,
}

/// One row (or band) of the table, with what the analysis knows of its condition.
struct LintRow<'a> {
    row: &'a Row,
    id: &'a str,
    condition: RowCondition,
    /// The condition as written, whitespace collapsed (`None` without `when`).
    text: Option<String>,
    /// For a dated row handed over to (or from) rows of the same condition whose windows
    /// together hold every day, what it matches as if undated: on any day one of them
    /// matches those customers (`None` otherwise, and for undated rows).
    undated: Option<RowCondition>,
}

/// Drops the `undated` condition of dated rows unless rows of its condition together are in
/// effect every day (a rate handed over on 1 November from one row to the next).
fn handed_over(mut rows: Vec<LintRow>) -> Vec<LintRow> {
    for k in 0..rows.len() {
        if rows[k].row.effective.is_none() {
            continue;
        }
        let mut windows: Vec<Window> = (rows.iter())
            .filter(|other| other.row.effective.is_some() && same_condition(&rows[k], other))
            .filter_map(|other| other.row.effective)
            .collect();
        if !Window::every_day_in(&mut windows) {
            rows[k].undated = None;
        }
    }
    rows
}

/// Whether two rows match the same customers as written: the same `when` (whitespace
/// aside), both without one, or the same band.
fn same_condition(a: &LintRow, b: &LintRow) -> bool {
    match (&a.row.condition, &b.row.condition) {
        (Condition::Always, Condition::Always) => true,
        (Condition::When(_), Condition::When(_)) => a.text == b.text,
        (Condition::Band { from, below }, Condition::Band { from: f, below: b }) => {
            from == f && below == b
        }
        _ => false,
    }
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
    /// The day `check` runs.
    today: Date,
}

impl<'a> Table<'a> {
    fn new(
        rules: &'a RuleSet,
        decision: &'a Decision,
        domains: &HashMap<Slot, Values>,
        today: Date,
    ) -> Self {
        let mut analyzer = Analyzer::default();
        analyzer.whole = region::whole_metrics(rules);
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
                // A row with `effective` dates may be out of effect: what it matches is not
                // known before the run's date is.
                let (condition, undated) = match row.effective {
                    Some(_) => (RowCondition::Unknown, Some(condition)),
                    None => (condition, None),
                };
                LintRow {
                    row,
                    id: &rules.rule_ids[row.rule as usize],
                    condition,
                    undated,
                    text,
                }
            })
            .collect::<Vec<_>>();
        let rows = handed_over(rows);
        Table {
            rules,
            decision,
            rows,
            universe,
            analyzer,
            today,
            noun: if decision.scale_of.is_some() {
                "band"
            } else {
                "row"
            },
        }
    }

    /// A warning about a row's condition: at its `when:` expression, where it has one
    /// written (a grid row's: at the row, as [`Table::warn`]).
    fn warn_at_condition(
        &self,
        row: &LintRow,
        rule: &str,
        message: String,
        help: String,
    ) -> Diagnostic {
        let (Condition::When(e), None) = (&row.row.condition, &row.row.cells) else {
            return self.warn(row, rule, message, help);
        };
        let origin = &e.origin;
        // The expression's first line, as far as it goes on its line of the file.
        let rest = origin.file.line(origin.line).map_or(0, |text| {
            text.chars()
                .count()
                .saturating_sub(origin.column.saturating_sub(1))
        });
        let first = e.text.lines().next().unwrap_or_default().chars().count();
        origin
            .error(message)
            .warning()
            .width(first.min(rest).max(1))
            .rule(rule)
            .help(help)
    }

    /// A warning at the row's id, belonging to `rule` (a row id or the decision's name).
    fn warn(&self, row: &LintRow, rule: &str, message: String, help: String) -> Diagnostic {
        let origin = &self.rules.rule_origins[row.row.rule as usize];
        let width = match &row.row.cells {
            // A grid rule: its first cell (its id, or its first test when ids are generated).
            Some(_) => origin
                .file
                .line(origin.line)
                .map(|text| {
                    let cell: String = text
                        .chars()
                        .skip(origin.column.saturating_sub(1))
                        .take_while(|c| *c != '|')
                        .collect();
                    cell.trim_end().chars().count()
                })
                .unwrap_or(1),
            // A `for_each` copy's id is written without its `@item`.
            None => row.id.split('@').next().unwrap_or_default().chars().count(),
        };
        origin
            .error(message)
            .warning()
            .width(width.max(1))
            .rule(rule)
            .help(help)
    }

    /// A name as the admin wrote it; for a range scale's value, its `of:` expression.
    fn name(&self, slot: Slot) -> &str {
        match (slot, &self.decision.scale_of) {
            (SCALE, Some(e)) => e.text.trim(),
            _ => self.rules.slot_name(slot),
        }
    }

    /// "`tier`, `segment`": the decision's outputs without a `default:` (those get a value
    /// when no row matches).
    fn outputs_without_default(&self) -> String {
        let d = self.decision;
        let names: Vec<String> = d
            .outputs
            .iter()
            .enumerate()
            .filter(|(k, _)| d.defaults.get(*k).is_none_or(Option::is_none))
            .map(|(_, &s)| format!("`{}`", self.rules.slot_name(s)))
            .collect();
        names.join(", ")
    }

    /// The decision is written as a grid.
    fn is_grid(&self) -> bool {
        self.decision.rows.iter().any(|r| r.cells.is_some())
    }

    /// The customers a row matches, within what the names can hold.
    fn matched(&self, row: &LintRow) -> Option<Region> {
        match &row.condition {
            RowCondition::Always => Some(vec![self.universe.clone()]),
            RowCondition::Known(r) => meet(r, &vec![self.universe.clone()]),
            RowCondition::Unknown => None,
        }
    }

    /// What rules out every customer a row's own condition asks for, when that is what the
    /// names can hold rather than the condition contradicting itself: "`sales_pct` is the
    /// percentile of `annual_sales`: between 0 and 1 (exclusive)". `None` when the condition
    /// alone matches nobody (or is not known).
    fn ruled_out_by(&self, row: &LintRow) -> Option<String> {
        let RowCondition::Known(region) = &row.condition else {
            return None;
        };
        let mut names: Vec<Slot> = Vec::new();
        for conj in region.iter().filter(|c| !c.is_empty()) {
            for (slot, wanted) in &conj.0 {
                let holds = self.universe.0.get(slot);
                if holds.is_some_and(|h| h.meet(wanted).is_empty()) && !names.contains(slot) {
                    names.push(*slot);
                }
            }
        }
        let said: Vec<String> = names.iter().map(|&s| self.holds(s)).collect();
        (!said.is_empty()).then(|| said.join("; "))
    }

    /// What a name can hold, in words, for a name whose values are known.
    fn holds(&self, slot: Slot) -> String {
        let name = self.name(slot);
        match self.rules.population.iter().find(|f| f.slot == slot) {
            Some(f) => format!(
                "`{name}` is the {} of `{}`: {}",
                f.statistic.name(),
                f.of.text.trim(),
                f.statistic.range(&f.params).words
            ),
            None => match self.universe.0.get(&slot).map(|v| &v.texts) {
                Some(values::Texts::Only(set)) if !set.is_empty() => {
                    let shown: Vec<String> = set.iter().map(|t| format!("{t:?}")).collect();
                    format!("`{name}` is only ever {}", shown.join(", "))
                }
                _ => format!("`{name}` only holds what an earlier decision's rows give"),
            },
        }
    }

    /// "`x` is 5 and `tier` is "A"": one customer in the conjunction, naming only what the
    /// conditions constrain. Prefers the kinds of value the decision compares with.
    fn example(&self, conj: &Conj) -> String {
        let mut parts = Vec::new();
        for (slot, values) in &conj.0 {
            if !self.constrains(*slot, values) {
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

    /// Whether `values` rule out something the name can hold: an example names only these.
    fn constrains(&self, slot: Slot, values: &Values) -> bool {
        let universe = self
            .universe
            .0
            .get(&slot)
            .cloned()
            .unwrap_or_else(Values::all);
        !universe.is_subset(values)
    }

    /// The customers no row matches (over-approximated), and whether every row was known.
    fn uncovered(&self) -> (Option<Region>, bool) {
        let mut uncovered = Some(vec![self.universe.clone()]);
        let mut all_known = true;
        for row in &self.rows {
            match row.undated.as_ref().unwrap_or(&row.condition) {
                RowCondition::Always => return (Some(Vec::new()), true),
                RowCondition::Known(r) => uncovered = uncovered.and_then(|u| minus(&u, r)),
                RowCondition::Unknown => all_known = false,
            }
        }
        (uncovered, all_known)
    }

    /// The bands of a range scale, in order of `from` (rows in the order written for the
    /// same `from`).
    fn bands(&self) -> Vec<Band<'_>> {
        let mut bands: Vec<Band> = self
            .rows
            .iter()
            .filter_map(|row| match row.row.condition {
                Condition::Band { from, below } => Some(Band { row, from, below }),
                _ => None,
            })
            .collect();
        let lo = |b: Option<f64>| b.unwrap_or(f64::NEG_INFINITY);
        bands.sort_by(|x, y| lo(x.from).total_cmp(&lo(y.from)));
        bands
    }

    /// What this decision's outputs can be, for later decisions' conditions: known when
    /// every row gives a constant, or a formula whose values are known ([`formula_values`]);
    /// not the output a round or cap changes.
    fn record_domains(&self, domains: &mut HashMap<Slot, Values>) {
        let d = self.decision;
        if d.hit.shape().combines_values {
            return;
        }
        let (uncovered, _) = self.uncovered();
        let total = uncovered.is_some_and(|u| u.is_empty());
        'outputs: for (k, &slot) in d.outputs.iter().enumerate() {
            if d.bounded_output == Some(k) {
                continue;
            }
            // The customers no row matches get the output's default, or NULL.
            let mut values = match d.defaults.get(k) {
                _ if total => Values::none(),
                Some(Some(ValueExpr::Const(lit))) => Values::of_constant(lit),
                Some(Some(ValueExpr::Formula(_))) => continue 'outputs,
                _ => Values::null(),
            };
            for row in &d.rows {
                match row.values.iter().find(|(i, _)| *i == k) {
                    Some((_, ValueExpr::Const(lit))) => {
                        values = values.join(&Values::of_constant(lit));
                    }
                    Some((_, ValueExpr::Formula(e))) => {
                        let root = e.native.as_ref().map(|n| &n.root);
                        match root.and_then(|n| self.formula_values(n, slot, domains)) {
                            Some(v) => values = values.join(&v),
                            None => continue 'outputs,
                        }
                    }
                    None => values.null = true,
                }
            }
            domains.insert(slot, values);
        }
    }

    /// The values a row's formula for output `output` can give, where its form says:
    /// a constant, an earlier output whose values are known (`= abc_tier`), an `if` of
    /// such, or the output's own value last period (`= previous.tier`, which these rules
    /// gave then: nothing new, or NULL before any history).
    fn formula_values(
        &self,
        node: &Node,
        output: Slot,
        domains: &HashMap<Slot, Values>,
    ) -> Option<Values> {
        match node {
            Node::Const(lit) => Some(Values::of_constant(lit)),
            Node::Slot(s) => match domains.get(s) {
                Some(v) => Some(v.clone()),
                None => {
                    let past = self.rules.past.iter().find(|p| p.slot == *s)?;
                    (past.column == self.rules.slot_name(output)).then(Values::null)
                }
            },
            Node::If(branches) => {
                let (_, then, otherwise) = &**branches;
                let then = self.formula_values(then, output, domains)?;
                Some(then.join(&self.formula_values(otherwise, output, domains)?))
            }
            _ => None,
        }
    }
}

/// A band of a range scale: `from <= value < below`, an end `None` when open.
#[derive(Clone, Copy)]
struct Band<'a> {
    row: &'a LintRow<'a>,
    from: Option<f64>,
    below: Option<f64>,
}

impl<'a> Band<'a> {
    /// Of bands in order of `from`, the one that reaches highest (the first of a tie): where
    /// the values they cover together end, if there is no gap.
    fn highest(bands: &[Band<'a>]) -> Band<'a> {
        let end = |b: &Band| b.below.unwrap_or(f64::INFINITY);
        *bands
            .iter()
            .reduce(|best, b| if end(b) > end(best) { b } else { best })
            .expect("at least one band")
    }
}

#[cfg(test)]
mod tests;
