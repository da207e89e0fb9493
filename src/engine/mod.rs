//! Evaluation: the population pass, then every customer in parallel.
//!
//! Each worker thread has its own rhai `Engine` (rhai's string interner is behind a lock, so
//! one shared engine does not scale) and a reusable frame of slot values; the compiled rule
//! set and the data are shared read-only. Expressions run on their native fast path when
//! they have one, and in the interpreter otherwise (or when the fast path defers to it).
//!
//! A batch run takes customers in chunks, and evaluates what it can column-at-a-time
//! (`chunk`): one walk of a typed tree per chunk instead of one per customer.
//!
//! `worker` evaluates one customer (a decision's hit policy, from [`crate::rules::hit`],
//! picks its rows; `bounds` rounds and caps); [`observer`] is how `explain` sees every
//! step without slowing a batch run; `outcomes` holds the results.

mod bounds;
mod chunk;
mod errors;
pub mod explain;
pub mod groups;
pub mod history;
pub mod lean;
pub mod observer;
mod outcomes;
pub mod population;
mod recorded;
mod worker;

pub use errors::EvalError;
pub use history::{History, PastRun};

/// The history of a run with no earlier period.
static NO_HISTORY: History = History { runs: Vec::new() };
pub use outcomes::{MoveCount, Outcome, Outcomes, Tally, display_key};

use crate::rules::native::{self, Kind};
use crate::rules::{Expr, RuleSet, Slot};
use crate::source::{Column, Dataset};
use crate::time::{Date, Period, PeriodKind};
use crate::value::Value;
use groups::{GroupKey, Rankings};
use population::Ranking;
use rayon::prelude::*;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use worker::Worker;

/// What a run gives every customer alike: the date it evaluates as of, and its period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Context {
    pub as_of: Date,
    pub period: Period,
}

impl Context {
    /// As of `as_of`, in the period of `kind` that holds it.
    pub fn new(as_of: Date, kind: PeriodKind) -> Context {
        Context {
            as_of,
            period: Period::containing(kind, as_of),
        }
    }

    /// The SQL parameters a customer query can use: `:as_of`, `:period_start`, `:period_end`.
    pub fn parameters(&self) -> Vec<(String, String)> {
        vec![
            (":as_of".to_owned(), self.as_of.to_string()),
            (":period_start".to_owned(), self.period.start.to_string()),
            (":period_end".to_owned(), self.period.end().to_string()),
        ]
    }
}

/// Which evaluator runs expressions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// The native fast path where an expression has one, the interpreter otherwise.
    #[default]
    Fast,
    /// Every expression in the rhai interpreter (the reference the fast path must match).
    Interpreter,
}

/// The rule set bound to a population: the population pass is done, customers can be
/// evaluated in any order and in parallel.
pub struct Evaluator<'a> {
    pub rules: &'a RuleSet,
    pub data: &'a Dataset,
    /// The run's date and period, the same for every customer.
    pub context: Context,
    mode: Mode,
    /// Values computed for every customer before the per-customer pass: the metrics the
    /// population needs and the population figures.
    precomputed: Vec<(Slot, Vec<Value<'a>>)>,
    /// Per population figure (in `rules.population` order): the ranked values (per group,
    /// for a figure with `by:`), to place newcomers. Empty for an evaluator of newcomers.
    rankings: Vec<Rankings>,
    /// The earlier periods' values the rules read, found for each customer.
    past: history::Bound<'a>,
    /// Where they come from (prospects are looked up in it too).
    history: &'a History,
    /// Each expression's fast path for this data's kinds of values, by expression id.
    fast: FastPaths,
    /// What a batch run evaluates column-at-a-time, planned on the first batch.
    plan: OnceLock<chunk::Plan>,
}

/// The population pass's inputs, or the failure of the first customer in source order (any
/// thread's first came back, so two runs named different customers), with how many more
/// it failed for (one at a time, a designer could not tell how many to mend).
fn first_failure<'a>(
    inputs: Vec<Result<PopulationInputs<'a>, EvalError>>,
) -> Result<Vec<PopulationInputs<'a>>, EvalError> {
    let failed = inputs.iter().filter(|r| r.is_err()).count();
    let Some(mut first) = inputs.iter().find_map(|r| r.as_ref().err()).cloned() else {
        return Ok(inputs.into_iter().flatten().collect());
    };
    if failed > 1 && first.message != "interrupted" {
        first.message.push_str(&format!(
            " (the first of {} customers it fails for)",
            crate::text::thousands(failed as f64)
        ));
    }
    Err(first)
}

/// Each expression's fast path, by expression id (shared with an evaluator of prospects).
type FastPaths = Arc<[Option<native::Fast>]>;

/// What the population pass computes of a customer.
pub(crate) struct PopulationInputs<'a> {
    /// The metrics the figures need (`rules.metrics_pre`).
    pub metrics: Vec<Value<'a>>,
    /// Each figure's input (`None`: not ranked).
    pub values: Vec<Option<f64>>,
    /// Each figure's group (`by:`); empty when no figure has one.
    pub groups: Vec<Option<GroupKey>>,
}

impl<'a> Evaluator<'a> {
    /// The rows of the previous period's run (`History::runs[0]`) whose customers are not
    /// among this evaluator's: gone since.
    pub fn gone_rows(&self) -> Vec<usize> {
        self.past.unmatched_previous()
    }

    /// The customers with no row in the previous period's run; `None` when the rules read
    /// no history.
    pub fn absent_from_previous(&self) -> Option<Vec<usize>> {
        self.past.absent_from_previous()
    }

    /// Runs the population pass (in parallel): pre-metrics, then each figure's statistic.
    pub fn new(rules: &'a RuleSet, data: &'a Dataset, context: Context) -> Result<Self, EvalError> {
        Self::with_history(rules, data, context, &NO_HISTORY, Mode::Fast)
    }

    pub fn with_mode(
        rules: &'a RuleSet,
        data: &'a Dataset,
        context: Context,
        mode: Mode,
    ) -> Result<Self, EvalError> {
        Self::with_history(rules, data, context, &NO_HISTORY, mode)
    }

    /// An evaluator whose rules read earlier periods' outcomes from `history`.
    pub fn with_history(
        rules: &'a RuleSet,
        data: &'a Dataset,
        context: Context,
        history: &'a History,
        mode: Mode,
    ) -> Result<Self, EvalError> {
        let mut ev = Evaluator::bare(rules, data, context, mode, None)?;
        ev.past = history::Bound::new(rules, history, data);
        ev.history = history;
        if rules.population.is_empty() {
            return Ok(ev);
        }
        let inputs: Vec<Result<PopulationInputs<'a>, EvalError>> = (0..data.len)
            .into_par_iter()
            .with_min_len(1024)
            .map_init(
                || Worker::new(&ev),
                |w, i| {
                    // Ctrl-C or SIGTERM during the pass (slow metrics): it stops, and the
                    // run, which checks for the signal, says it was interrupted.
                    if i % chunk::CHUNK == 0 && crate::interrupt::requested().is_some() {
                        return Err(EvalError {
                            customer: data.id_text(i),
                            rule: "the population figures".into(),
                            message: "interrupted".into(),
                            at: String::new(),
                        });
                    }
                    w.population_inputs(i)
                },
            )
            .collect();
        let per_customer = first_failure(inputs)?;
        ev.keep_metrics(&per_customer);
        let figures: Vec<(Slot, Vec<Value<'a>>, Rankings)> = rules
            .population
            .par_iter()
            .enumerate()
            .map(|(k, f)| {
                let inputs: Vec<Option<f64>> = per_customer.iter().map(|c| c.values[k]).collect();
                let keys: Option<Vec<Option<GroupKey>>> =
                    f.by.as_ref()
                        .map(|_| per_customer.iter().map(|c| c.groups[k].clone()).collect());
                let (figures, ranking) =
                    groups::compute(f.statistic, f.params, &inputs, keys.as_deref());
                let column = figures
                    .into_iter()
                    .map(|v| v.map_or(Value::Null, Value::Float))
                    .collect();
                (f.slot, column, ranking)
            })
            .collect();
        for (slot, column, ranking) in figures {
            ev.precomputed.push((slot, column));
            ev.rankings.push(ranking);
        }
        Ok(ev)
    }

    /// How many earlier periods the rules read hold customer `i` (0 when they read none).
    pub fn history_periods(&self, i: usize) -> usize {
        self.past.periods_of(i)
    }

    /// The rule set bound to customers who are not part of this population (prospects):
    /// their population figures place them among this population as if each alone were
    /// added to it, so nobody else's figures move. `data` has the same columns.
    /// `replaces[j]`: the customer of this population that newcomer `j` stands for (a
    /// what-if on a current customer, posted with its id): placed in its stead, not beside
    /// it (counted twice, it moved the boundary it was on).
    pub fn newcomers<'b>(
        &'b self,
        data: &'b Dataset,
        replaces: &[Option<usize>],
    ) -> Result<Evaluator<'b>, EvalError> {
        // Typed for the population's kinds of values (not again per prospect): a prospect's
        // values are checked as they are read, whatever kinds they have.
        let fast = Some(Arc::clone(&self.fast));
        let mut ev = Evaluator::bare(self.rules, data, self.context, self.mode, fast)?;
        // A prospect with the id of a customer of earlier periods has that customer's past.
        ev.past = history::Bound::new(self.rules, self.history, data);
        ev.history = self.history;
        if self.rules.population.is_empty() {
            return Ok(ev);
        }
        let mut w = Worker::new(&ev);
        let per_customer: Vec<PopulationInputs<'b>> = (0..data.len)
            .map(|i| w.population_inputs(i))
            .collect::<Result<_, _>>()?;
        drop(w);
        // What each replaced customer ranked with, as the population pass saw it.
        let mut own = Worker::new(self);
        let replaced: Vec<Option<PopulationInputs<'a>>> = (0..data.len)
            .map(|j| match replaces.get(j).copied().flatten() {
                Some(i) => own.population_inputs(i).map(Some),
                None => Ok(None),
            })
            .collect::<Result<_, _>>()?;
        drop(own);
        ev.keep_metrics(&per_customer);
        for (k, f) in self.rules.population.iter().enumerate() {
            let column = (per_customer.iter().zip(&replaced))
                .map(|(c, was)| {
                    let key = c.groups.get(k).and_then(Option::as_ref);
                    let was = was
                        .as_ref()
                        .map(|w| (w.groups.get(k).and_then(Option::as_ref), w.values[k]));
                    self.rankings[k]
                        .place(key, c.values[k], was)
                        .map_or(Value::Null, Value::Float)
                })
                .collect();
            ev.precomputed.push((f.slot, column));
        }
        Ok(ev)
    }

    /// No population pass yet; checks that the data has the columns the rules were loaded with.
    /// `fast`: the fast paths when already typed (else they are typed for `data`).
    fn bare(
        rules: &'a RuleSet,
        data: &'a Dataset,
        context: Context,
        mode: Mode,
        fast: Option<FastPaths>,
    ) -> Result<Self, EvalError> {
        let fields: Vec<&str> = rules.slots[..rules.field_count]
            .iter()
            .map(|(n, _)| n.as_str())
            .collect();
        if data
            .names
            .iter()
            .map(String::as_str)
            .ne(fields.iter().copied())
        {
            return Err(EvalError {
                customer: "(all)".into(),
                rule: "the rule set".into(),
                message: format!(
                    "the customer source's columns ({}) are not the ones the rules were loaded with ({}); load the rules again",
                    data.names.join(", "),
                    fields.join(", ")
                ),
                at: String::new(),
            });
        }
        Ok(Evaluator {
            rules,
            data,
            context,
            mode,
            precomputed: Vec::new(),
            rankings: Vec::new(),
            past: history::Bound::default(),
            history: &NO_HISTORY,
            fast: fast.unwrap_or_else(|| fast_paths(rules, data)),
            plan: OnceLock::new(),
        })
    }

    /// Expression `e`'s fast path, when it has one.
    #[inline]
    pub fn fast(&self, e: &Expr) -> Option<&native::Fast> {
        self.fast.get(e.id).and_then(Option::as_ref)
    }

    /// Keeps the pre-metrics computed in the population pass, as columns.
    fn keep_metrics(&mut self, per_customer: &[PopulationInputs<'a>]) {
        for (k, m) in self.rules.metrics_pre.iter().enumerate() {
            let column = per_customer.iter().map(|c| c.metrics[k].clone()).collect();
            self.precomputed.push((m.slot, column));
        }
    }

    /// The customers a population figure ranked (those with a number that pass its filter,
    /// in group `key` for a figure with `by:`), by the figure's position in
    /// `rules.population`: how many, their total, where a value falls among them.
    pub fn ranking(&self, figure: usize, key: Option<&GroupKey>) -> Option<&Ranking> {
        self.rankings.get(figure)?.of(key)
    }

    /// Sets a population figure of customer `i` by hand (test cases give figures such as a
    /// sales percentile directly instead of a whole population).
    pub fn set_figure(&mut self, i: usize, name: &str, value: Value<'a>) -> Result<(), String> {
        let figure = self.rules.figure(name)?;
        let slot = figure.slot;
        // A precomputed column may be added: plan again.
        self.plan = OnceLock::new();
        match self.precomputed.iter_mut().find(|(s, _)| *s == slot) {
            Some((_, column)) => column[i] = value,
            None => {
                let mut column = vec![Value::Null; self.data.len];
                column[i] = value;
                self.precomputed.push((slot, column));
            }
        }
        Ok(())
    }

    /// The precomputed values (pre-metrics, population figures) of customer `i`, by slot.
    pub fn precomputed(&self, i: usize) -> impl Iterator<Item = (Slot, &Value<'a>)> {
        self.precomputed.iter().map(move |(s, col)| (*s, &col[i]))
    }

    /// What a batch run evaluates column-at-a-time (nothing with the interpreter alone).
    fn plan(&self) -> &chunk::Plan {
        self.plan.get_or_init(|| match self.mode {
            Mode::Fast => chunk::Plan::new(self),
            Mode::Interpreter => chunk::Plan::default(),
        })
    }

    /// Whether a batch run takes the short way through customers ([`lean`]'s rule sets).
    pub fn short_way(&self) -> bool {
        self.plan().short_way
    }

    /// Evaluates the customers in `range` in parallel, in order, with their summary tally.
    /// Stops at the first failing customer.
    pub fn evaluate(&self, range: Range<usize>) -> Result<(Outcomes<'a>, Tally), EvalError> {
        let failed = AtomicBool::new(false);
        let plan = self.plan();
        let room = part_room(&range);
        type Partial<'a> = Result<(Outcomes<'a>, Tally), EvalError>;
        let partials: Vec<Partial<'a>> = chunks(range)
            // Boxed: the fold moves its state from one chunk to the next, and a worker
            // is large (its rhai engine); a box moves as one pointer.
            .fold(
                || {
                    Ok(Box::new((
                        Worker::chunked(self, plan),
                        Outcomes::with_room(self.rules, room),
                        Tally::new(self.rules),
                    )))
                },
                |acc, customers| {
                    let mut state = acc?;
                    // Ctrl-C or SIGTERM: the rest is not evaluated, and the caller, which
                    // checks for the signal, writes nothing of it.
                    if crate::interrupt::requested().is_some() {
                        return Ok(state);
                    }
                    let (w, outcomes, tally) = &mut *state;
                    w.start_chunk(customers.clone());
                    for i in customers {
                        if failed.load(Ordering::Relaxed) {
                            break;
                        }
                        if let Err(e) = w.batch_customer(i, outcomes, tally) {
                            failed.store(true, Ordering::Relaxed);
                            return Err(e);
                        }
                    }
                    Ok(state)
                },
            )
            .map(|r| r.map(|state| (state.1, state.2)))
            .collect();
        let mut parts = Vec::with_capacity(partials.len());
        let mut tally = Tally::new(self.rules);
        for part in partials {
            let (o, t) = part?;
            parts.push(o);
            tally.merge(t);
        }
        let outcomes = Outcomes::concat(self.rules, parts);
        tally.totals = outcomes.sum_totals();
        Ok((outcomes, tally))
    }

    /// Evaluates customers `range` in parallel, going on past customers that fail: the
    /// results of those that succeed, and the errors of the others in customer order.
    pub fn evaluate_keep_going(
        &self,
        range: Range<usize>,
    ) -> (Outcomes<'a>, Tally, Vec<EvalError>) {
        let plan = self.plan();
        let room = part_room(&range);
        type Partial<'a> = (Outcomes<'a>, Tally, Vec<(usize, EvalError)>);
        let partials: Vec<Partial<'a>> = chunks(range)
            // Boxed, as in `evaluate`.
            .fold(
                || {
                    Box::new((
                        Worker::chunked(self, plan),
                        Outcomes::with_room(self.rules, room),
                        Tally::new(self.rules),
                        Vec::new(),
                    ))
                },
                |mut state, customers| {
                    if crate::interrupt::requested().is_some() {
                        return state; // as in `evaluate`
                    }
                    let (w, outcomes, tally, errors) = &mut *state;
                    w.start_chunk(customers.clone());
                    for i in customers {
                        if let Err(e) = w.batch_customer(i, outcomes, tally) {
                            errors.push((i, e));
                        }
                    }
                    state
                },
            )
            .map(|state| {
                let (_, o, t, e) = *state;
                (o, t, e)
            })
            .collect();
        let mut parts = Vec::with_capacity(partials.len());
        let mut tally = Tally::new(self.rules);
        let mut errors = Vec::new();
        for (o, t, e) in partials {
            parts.push(o);
            tally.merge(t);
            errors.extend(e);
        }
        errors.sort_by_key(|(i, _)| *i);
        let outcomes = Outcomes::concat(self.rules, parts);
        tally.totals = outcomes.sum_totals();
        (
            outcomes,
            tally,
            errors.into_iter().map(|(_, e)| e).collect(),
        )
    }

    /// Evaluates one customer on the calling thread.
    pub fn evaluate_one(&self, i: usize) -> Result<Outcomes<'a>, EvalError> {
        self.evaluate_one_seeing(i, |_| {})
    }

    /// As [`Evaluator::evaluate_one`], showing `see` the customer's values by slot once it
    /// is decided (its fields, metrics and outputs): `check --data` counts the NULLs rows
    /// compare.
    pub fn evaluate_one_seeing(
        &self,
        i: usize,
        see: impl FnOnce(&[Value<'a>]),
    ) -> Result<Outcomes<'a>, EvalError> {
        let mut tally = Tally::new(self.rules);
        let mut outcomes = Outcomes::new(self.rules);
        let mut worker = Worker::new(self);
        worker.customer(i, &mut outcomes, &mut tally)?;
        see(&worker.frame);
        Ok(outcomes)
    }
}

/// `range` in chunks of [`chunk::CHUNK`] customers, in order. On one thread, in one part:
/// a split would only make a second part of outcomes to copy after the first.
fn chunks(range: Range<usize>) -> impl IndexedParallelIterator<Item = Range<usize>> {
    let (start, end) = (range.start, range.end.max(range.start));
    let n = (end - start).div_ceil(chunk::CHUNK);
    let min_len = if on_one_thread() { n } else { 1 };
    (0..n)
        .into_par_iter()
        .with_min_len(min_len.max(1))
        .map(move |c| start + c * chunk::CHUNK..(start + (c + 1) * chunk::CHUNK).min(end))
}

/// How many customers' outcomes each part of a batch over `range` makes room for at once: on
/// one thread, the one part holds them all; on more, rayon makes as many parts as it likes,
/// and each grows as it goes (making room for a share each cost memory and time).
fn part_room(range: &Range<usize>) -> usize {
    if on_one_thread() { range.len() } else { 0 }
}

/// Whether the batch runs on one thread (its pool's, when inside one).
fn on_one_thread() -> bool {
    rayon::current_num_threads() == 1
}

/// Every expression's fast path, typed for the kinds of values `data`'s columns hold (and
/// the population figures, decimals), by expression id.
fn fast_paths(rules: &RuleSet, data: &Dataset) -> FastPaths {
    let mut kinds: Vec<Option<Kind>> = data
        .columns
        .iter()
        .map(|c| match c {
            Column::Int { .. } => Some(Kind::Int),
            Column::Float { .. } => Some(Kind::Float),
            Column::Bool { .. } => Some(Kind::Bool),
            _ => None,
        })
        .collect();
    kinds.resize(rules.slots.len(), None);
    for f in &rules.population {
        kinds[f.slot] = Some(Kind::Float);
    }
    // The summary's totals are among the rule set's expressions; its report's are not.
    let all = || rules.exprs().chain(rules.summary.exprs());
    let mut fast = vec![None; all().map(|e| e.id + 1).max().unwrap_or(0)];
    // Metrics first, in order: a metric that is one typed tree gives values of its kind (or
    // NULL, or another kind where the tree gives way, which every typed read checks), so
    // what reads it (`score >= 60`) can be typed too.
    let kind_in = |kinds: &[Option<Kind>], slot: Slot| kinds.get(slot).copied().flatten();
    for m in rules.metrics_pre.iter().chain(&rules.metrics_post) {
        let Some(n) = &m.expr.native else { continue };
        let path = n.fast(&|slot| kind_in(&kinds, slot));
        if let Some((typed, _)) = path.whole() {
            kinds[m.slot] = Some(typed.kind());
        }
        fast[m.expr.id] = Some(path);
    }
    for e in all() {
        if let (Some(n), None) = (&e.native, &fast[e.id]) {
            fast[e.id] = Some(n.fast(&|slot| kind_in(&kinds, slot)));
        }
    }
    let typed = fast.iter().flatten().filter(|f| f.is_typed()).count();
    tracing::debug!(
        "{typed} of {} expressions run as one typed tree for this data",
        fast.iter().flatten().count()
    );
    fast.into()
}
