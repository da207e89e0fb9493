//! Evaluation: the population pass, then every customer in parallel.
//!
//! Each worker thread has its own rhai `Engine` (rhai's string interner is behind a lock, so
//! one shared engine does not scale) and a reusable frame of slot values; the compiled rule
//! set and the data are shared read-only. Expressions run on their native fast path when
//! they have one, and in the interpreter otherwise (or when the fast path defers to it).

pub mod explain;
pub mod population;
pub mod threads;

use crate::rules::native;
use crate::rules::{
    Aggregate, Condition, Decision, Expr, HitPolicy, RoundSpec, RuleIdx, RuleSet, Slot, ValueExpr,
};
use crate::source::Dataset;
use crate::value::Value;
use population::Ranking;
use rayon::prelude::*;
use rhai::{Dynamic, Engine, EvalAltResult, Scope};
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};

/// A rule that failed for a customer.
#[derive(Debug, Clone, thiserror::Error)]
#[error("customer {customer}: {rule} failed: {message}{}", if at.is_empty() { String::new() } else { format!("\n  --> {at}") })]
pub struct EvalError {
    pub customer: String,
    /// "rule `tier-a`", "metric `loyalty`", ...
    pub rule: String,
    pub message: String,
    /// file:line:column of the failing expression.
    pub at: String,
}

/// One customer's result: a value per declared output and the rules that produced them.
#[derive(Debug, Clone)]
pub struct Outcome<'o, 'a> {
    pub index: usize,
    pub outputs: &'o [Value<'a>],
    pub fired: &'o [RuleIdx],
}

/// The results of many customers, stored flat: no allocation per customer.
#[derive(Debug, Clone, Default)]
pub struct Outcomes<'a> {
    /// Outputs per customer.
    width: usize,
    indices: Vec<usize>,
    values: Vec<Value<'a>>,
    fired: Vec<RuleIdx>,
    /// Where each customer's fired rules end in `fired`.
    fired_ends: Vec<usize>,
}

impl<'a> Outcomes<'a> {
    fn new(width: usize) -> Self {
        Outcomes {
            width,
            ..Default::default()
        }
    }

    pub fn len(&self) -> usize {
        self.indices.len()
    }

    pub fn is_empty(&self) -> bool {
        self.indices.is_empty()
    }

    /// The `k`-th customer's result.
    pub fn get(&self, k: usize) -> Outcome<'_, 'a> {
        let start = if k == 0 { 0 } else { self.fired_ends[k - 1] };
        Outcome {
            index: self.indices[k],
            outputs: &self.values[k * self.width..(k + 1) * self.width],
            fired: &self.fired[start..self.fired_ends[k]],
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = Outcome<'_, 'a>> {
        (0..self.len()).map(|k| self.get(k))
    }

    fn append(&mut self, mut other: Outcomes<'a>) {
        let offset = self.fired.len();
        self.indices.append(&mut other.indices);
        self.values.append(&mut other.values);
        self.fired.append(&mut other.fired);
        self.fired_ends
            .extend(other.fired_ends.into_iter().map(|e| e + offset));
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

/// Running totals for the run summary.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    pub customers: usize,
    /// Per `count_by` entry: customers per value (NULL counted as "(none)"). A handful of
    /// values each (tiers, segments): a list beats a hash map and needs no allocation.
    pub counts: Vec<Vec<(String, usize)>>,
    pub totals: Vec<f64>,
}

impl Tally {
    fn new(rules: &RuleSet) -> Self {
        Tally {
            customers: 0,
            counts: vec![Vec::new(); rules.summary.count_by.len()],
            totals: vec![0.0; rules.summary.totals.len()],
        }
    }

    fn count(&mut self, dimension: usize, value: &Value<'_>, n: usize) {
        let counts = &mut self.counts[dimension];
        let found = match value {
            Value::Null => counts.iter().position(|(k, _)| k == "(none)"),
            v => match v.as_str() {
                Some(text) => counts.iter().position(|(k, _)| k == text),
                None => {
                    let key = display_key(v);
                    counts.iter().position(|(k, _)| *k == key)
                }
            },
        };
        match found {
            Some(i) => counts[i].1 += n,
            None => counts.push((display_key(value), n)),
        }
    }

    pub fn merge(&mut self, other: Tally) {
        self.customers += other.customers;
        if self.counts.len() < other.counts.len() {
            self.counts.resize(other.counts.len(), Vec::new());
        }
        for (mine, theirs) in self.counts.iter_mut().zip(other.counts) {
            for (k, v) in theirs {
                match mine.iter_mut().find(|(m, _)| *m == k) {
                    Some(entry) => entry.1 += v,
                    None => mine.push((k, v)),
                }
            }
        }
        if self.totals.len() < other.totals.len() {
            self.totals.resize(other.totals.len(), 0.0);
        }
        for (mine, theirs) in self.totals.iter_mut().zip(other.totals) {
            *mine += theirs;
        }
    }
}

/// The rule set bound to a population: the population pass is done, customers can be
/// evaluated in any order and in parallel.
pub struct Evaluator<'a> {
    pub rules: &'a RuleSet,
    pub data: &'a Dataset,
    mode: Mode,
    /// Values computed for every customer before the per-customer pass: the metrics the
    /// population needs and the population figures.
    precomputed: Vec<(Slot, Vec<Value<'a>>)>,
    /// Per population figure (in `rules.population` order): the ranked values, to place
    /// newcomers. Empty for an evaluator of newcomers.
    rankings: Vec<Ranking>,
}

/// A customer's pre-metrics and the input of each population figure (`None`: not ranked).
type PopulationInputs<'a> = (Vec<Value<'a>>, Vec<Option<f64>>);

impl<'a> Evaluator<'a> {
    /// Runs the population pass (in parallel): pre-metrics, then each figure's statistic.
    pub fn new(rules: &'a RuleSet, data: &'a Dataset) -> Result<Self, EvalError> {
        Self::with_mode(rules, data, Mode::Fast)
    }

    pub fn with_mode(rules: &'a RuleSet, data: &'a Dataset, mode: Mode) -> Result<Self, EvalError> {
        let mut ev = Evaluator::bare(rules, data, mode)?;
        if rules.population.is_empty() {
            return Ok(ev);
        }
        let per_customer: Vec<PopulationInputs<'a>> = (0..data.len)
            .into_par_iter()
            .with_min_len(1024)
            .map_init(|| Worker::new(&ev), |w, i| w.population_inputs(i))
            .collect::<Result<_, _>>()?;
        ev.keep_metrics(&per_customer);
        let figures: Vec<(Slot, Vec<Value<'a>>, Ranking)> = rules
            .population
            .par_iter()
            .enumerate()
            .map(|(k, f)| {
                let inputs: Vec<Option<f64>> = per_customer.iter().map(|(_, v)| v[k]).collect();
                let (figures, ranking) = population::compute_ranked(f.statistic, &inputs);
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

    /// The rule set bound to customers who are not part of this population (prospects):
    /// their population figures place them among this population as if each alone were
    /// added to it, so nobody else's figures move. `data` has the same columns.
    pub fn newcomers<'b>(&'b self, data: &'b Dataset) -> Result<Evaluator<'b>, EvalError> {
        let mut ev = Evaluator::bare(self.rules, data, self.mode)?;
        if self.rules.population.is_empty() {
            return Ok(ev);
        }
        let mut w = Worker::new(&ev);
        let per_customer: Vec<PopulationInputs<'b>> = (0..data.len)
            .map(|i| w.population_inputs(i))
            .collect::<Result<_, _>>()?;
        drop(w);
        ev.keep_metrics(&per_customer);
        for (k, f) in self.rules.population.iter().enumerate() {
            let column = per_customer
                .iter()
                .map(|(_, v)| {
                    self.rankings[k]
                        .place(v[k])
                        .map_or(Value::Null, Value::Float)
                })
                .collect();
            ev.precomputed.push((f.slot, column));
        }
        Ok(ev)
    }

    /// No population pass yet; checks that the data has the columns the rules were loaded with.
    fn bare(rules: &'a RuleSet, data: &'a Dataset, mode: Mode) -> Result<Self, EvalError> {
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
            mode,
            precomputed: Vec::new(),
            rankings: Vec::new(),
        })
    }

    /// Keeps the pre-metrics computed in the population pass, as columns.
    fn keep_metrics(&mut self, per_customer: &[PopulationInputs<'a>]) {
        for (k, m) in self.rules.metrics_pre.iter().enumerate() {
            let column = per_customer.iter().map(|(ms, _)| ms[k].clone()).collect();
            self.precomputed.push((m.slot, column));
        }
    }

    /// How many customers a population figure ranks (those with a number that pass its
    /// filter), by the figure's position in `rules.population`.
    pub fn ranked(&self, figure: usize) -> Option<usize> {
        self.rankings.get(figure).map(Ranking::len)
    }

    /// Sets a population figure of customer `i` by hand (test cases give figures such as a
    /// sales percentile directly instead of a whole population).
    pub fn set_figure(&mut self, i: usize, name: &str, value: Value<'a>) -> Result<(), String> {
        let figure = self.rules.figure(name)?;
        let slot = figure.slot;
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

    /// Evaluates the customers in `range` in parallel, in order, with their summary tally.
    /// Stops at the first failing customer.
    pub fn evaluate(&self, range: Range<usize>) -> Result<(Outcomes<'a>, Tally), EvalError> {
        let failed = AtomicBool::new(false);
        let width = self.rules.outputs.len();
        type Partial<'a> = Result<(Outcomes<'a>, Tally), EvalError>;
        let partials: Vec<Partial<'a>> = range
            .into_par_iter()
            .with_min_len(1024)
            .fold(
                || {
                    Ok((
                        Worker::new(self),
                        Outcomes::new(width),
                        Tally::new(self.rules),
                    ))
                },
                |acc, i| {
                    let (mut w, mut outcomes, mut tally) = acc?;
                    if failed.load(Ordering::Relaxed) {
                        return Ok((w, outcomes, tally));
                    }
                    if let Err(e) = w.customer(i, &mut outcomes, &mut tally) {
                        failed.store(true, Ordering::Relaxed);
                        return Err(e);
                    }
                    Ok((w, outcomes, tally))
                },
            )
            .map(|r| r.map(|(_, o, t)| (o, t)))
            .collect();
        let mut outcomes = Outcomes::new(width);
        let mut tally = Tally::new(self.rules);
        for part in partials {
            let (o, t) = part?;
            outcomes.append(o);
            tally.merge(t);
        }
        Ok((outcomes, tally))
    }

    /// Evaluates one customer on the calling thread.
    pub fn evaluate_one(&self, i: usize) -> Result<Outcomes<'a>, EvalError> {
        let mut tally = Tally::new(self.rules);
        let mut outcomes = Outcomes::new(self.rules.outputs.len());
        Worker::new(self).customer(i, &mut outcomes, &mut tally)?;
        Ok(outcomes)
    }
}

/// Per-thread evaluation state.
struct Worker<'e, 'a> {
    ev: &'e Evaluator<'a>,
    /// Built on first use: most rule sets never need the interpreter per customer.
    engine: Option<Engine>,
    scope: Scope<'static>,
    frame: Vec<Value<'a>>,
    locals: Vec<native::Scalar<'a>>,
    /// When explaining: what each decision tried (None in batch runs).
    trace: Option<Vec<DecisionLog>>,
}

/// What one decision did for one customer, recorded when explaining.
#[derive(Debug, Default)]
struct DecisionLog {
    /// The range scale's value, for scale decisions.
    scale: Option<f64>,
    /// Rows tried, in order, and whether each matched.
    rows: Vec<(RuleIdx, bool)>,
    /// The value before rounding and caps, when either applies.
    unbounded: Option<f64>,
    /// Caps that bound.
    caps: Vec<RuleIdx>,
}

impl<'e, 'a> Worker<'e, 'a> {
    fn new(ev: &'e Evaluator<'a>) -> Self {
        Worker {
            ev,
            engine: None,
            scope: Scope::new(),
            frame: vec![Value::Null; ev.rules.slots.len()],
            locals: vec![native::Scalar::Null; ev.rules.max_locals],
            trace: None,
        }
    }

    /// Customer `i`'s pre-metrics and population figure inputs.
    fn population_inputs(&mut self, i: usize) -> Result<PopulationInputs<'a>, EvalError> {
        let rules = self.ev.rules;
        self.load(i);
        let mut metrics = Vec::with_capacity(rules.metrics_pre.len());
        for m in &rules.metrics_pre {
            let v = self.eval_checked(&m.expr, i, || format!("metric `{}`", m.name))?;
            self.frame[m.slot] = v.clone();
            metrics.push(v);
        }
        let mut inputs = Vec::with_capacity(rules.population.len());
        for f in &rules.population {
            let what = || format!("population figure `{}`", f.name);
            let included = match &f.filter {
                Some(filter) => truth(self.eval_checked(filter, i, what)?)
                    .map_err(|m| self.error(i, what(), &filter.origin, m))?,
                None => true,
            };
            let value = if included {
                let v = self.eval_checked(&f.of, i, what)?;
                number(&v).map_err(|m| self.error(i, what(), &f.of.origin, m))?
            } else {
                None
            };
            inputs.push(value);
        }
        Ok((metrics, inputs))
    }

    /// Fills the frame with customer `i`'s fields and precomputed values; clears outputs.
    fn load(&mut self, i: usize) {
        let rules = self.ev.rules;
        let data: &'a Dataset = self.ev.data;
        for &slot in &rules.used_fields {
            self.frame[slot] = data.columns[slot].value(i);
        }
        for (slot, column) in &self.ev.precomputed {
            self.frame[*slot] = column[i].clone();
        }
        for m in &rules.metrics_post {
            self.frame[m.slot] = Value::Null;
        }
        for o in &rules.outputs {
            self.frame[o.slot] = Value::Null;
        }
    }

    fn eval(&mut self, e: &'a Expr) -> Result<Value<'a>, Box<EvalAltResult>> {
        if self.ev.mode == Mode::Fast
            && let Some(n) = &e.native
        {
            if self.locals.len() < n.locals {
                self.locals.resize(n.locals, native::Scalar::Null);
            }
            if let Ok(v) = native::eval(&n.root, &self.frame, &mut self.locals) {
                return Ok(v.into_value());
            }
        }
        self.scope.clear();
        for (name, slot) in &e.vars {
            self.scope
                .push_dynamic(name.clone(), self.frame[*slot].to_dynamic());
        }
        let rules = self.ev.rules;
        let engine = self.engine.get_or_insert_with(|| rules.new_engine());
        engine
            .eval_ast_with_scope::<Dynamic>(&mut self.scope, &e.ast)
            .map(Value::from_dynamic)
    }

    fn error(
        &self,
        i: usize,
        rule: String,
        origin: &crate::rules::Origin,
        message: String,
    ) -> EvalError {
        EvalError {
            customer: self.ev.data.id_text(i),
            rule,
            message,
            at: origin.describe(),
        }
    }

    /// Evaluates `e`; an error or a non-finite number becomes an `EvalError` naming the
    /// customer and `what` (the rule), at the failing position in the rule file.
    fn eval_checked(
        &mut self,
        e: &'a Expr,
        i: usize,
        what: impl Fn() -> String,
    ) -> Result<Value<'a>, EvalError> {
        match self.eval(e) {
            Ok(v) => {
                if let Value::Float(f) = v
                    && !f.is_finite()
                {
                    return Err(self.error(
                        i,
                        what(),
                        &e.origin,
                        format!("the result is {f}, not a number"),
                    ));
                }
                Ok(v)
            }
            Err(err) => {
                // An error inside a script function is at its place in the script; any
                // other at its place in the expression, mapped into the rule file.
                let at = match script_location(&err) {
                    Some(at) => at,
                    None => {
                        let pos = err.position();
                        let (line, col) = e
                            .origin
                            .map(pos.line().unwrap_or(1), pos.position().unwrap_or(1));
                        format!("{}:{line}:{col}", e.origin.file.path.display())
                    }
                };
                let mut message = strip_rhai_position(&err.to_string());
                if message.contains("()") && message.contains("Function not found") {
                    message.push_str(" (a value is NULL: test it with `is_null(x)` or give a default with `x ?? 0`)");
                }
                if message.contains("Too many operations") {
                    message.push_str(" (a loop that does not end? the limit is `limits.max_operations` in the config)");
                }
                Err(EvalError {
                    customer: self.ev.data.id_text(i),
                    rule: what(),
                    message,
                    at,
                })
            }
        }
    }

    /// Evaluates customer `i`, appending its result to `out` and its summary to `tally`.
    fn customer(
        &mut self,
        i: usize,
        out: &mut Outcomes<'a>,
        tally: &mut Tally,
    ) -> Result<(), EvalError> {
        let rules = self.ev.rules;
        self.load(i);
        for m in &rules.metrics_post {
            let v = self.eval_checked(&m.expr, i, || format!("metric `{}`", m.name))?;
            self.frame[m.slot] = v;
        }
        for d in &rules.decisions {
            self.decide(d, i, &mut out.fired)?;
        }
        // Summary.
        tally.customers += 1;
        for (k, (_, slot)) in rules.summary.count_by.iter().enumerate() {
            tally.count(k, &self.frame[*slot], 1);
        }
        for (k, (name, e)) in rules.summary.totals.iter().enumerate() {
            let v = self.eval_checked(e, i, || format!("summary total `{name}`"))?;
            if let Ok(Some(x)) = number(&v) {
                tally.totals[k] += x;
            }
        }
        out.indices.push(i);
        out.values
            .extend(rules.outputs.iter().map(|o| self.frame[o.slot].clone()));
        out.fired_ends.push(out.fired.len());
        Ok(())
    }

    fn rule_name(&self, rule: RuleIdx) -> String {
        rule_label(self.ev.rules, rule)
    }

    fn value(&mut self, v: &'a ValueExpr, i: usize, rule: RuleIdx) -> Result<Value<'a>, EvalError> {
        match v {
            ValueExpr::Const(c) => Ok(c.value()),
            ValueExpr::Formula(e) => {
                let rules = self.ev.rules;
                self.eval_checked(e, i, || rule_label(rules, rule))
            }
        }
    }

    fn matches(
        &mut self,
        c: &'a Condition,
        scale: Option<f64>,
        i: usize,
        rule: RuleIdx,
    ) -> Result<bool, EvalError> {
        let matched = self.condition(c, scale, i, rule)?;
        if let Some(log) = self.trace.as_mut().and_then(|t| t.last_mut()) {
            log.rows.push((rule, matched));
        }
        Ok(matched)
    }

    fn condition(
        &mut self,
        c: &'a Condition,
        scale: Option<f64>,
        i: usize,
        rule: RuleIdx,
    ) -> Result<bool, EvalError> {
        match c {
            Condition::Always => Ok(true),
            Condition::Band { from, below } => {
                Ok(scale
                    .is_some_and(|v| from.is_none_or(|f| v >= f) && below.is_none_or(|b| v < b)))
            }
            Condition::When(e) => {
                // Most conditions: the fast path gives true/false (NULL counts as false).
                if self.ev.mode == Mode::Fast
                    && let Some(n) = &e.native
                    && n.locals <= self.locals.len()
                {
                    match native::eval(&n.root, &self.frame, &mut self.locals) {
                        Ok(native::Scalar::Bool(b)) => return Ok(b),
                        Ok(native::Scalar::Null) => return Ok(false),
                        _ => {} // an error to report, or the interpreter's to decide
                    }
                }
                let rules = self.ev.rules;
                let v = self.eval_checked(e, i, || rule_label(rules, rule))?;
                truth(v).map_err(|m| self.error(i, self.rule_name(rule), &e.origin, m))
            }
        }
    }

    fn set_row_values(
        &mut self,
        d: &'a Decision,
        row: &'a crate::rules::Row,
        i: usize,
    ) -> Result<(), EvalError> {
        for (k, v) in &row.values {
            let value = self.value(v, i, row.rule)?;
            self.frame[d.outputs[*k]] = value;
        }
        Ok(())
    }

    fn decide(
        &mut self,
        d: &'a Decision,
        i: usize,
        fired: &mut Vec<RuleIdx>,
    ) -> Result<(), EvalError> {
        let scale = match &d.scale_of {
            Some(e) => {
                let v = self.eval_checked(e, i, || format!("decision `{}`", d.name))?;
                number(&v)
                    .map_err(|m| self.error(i, format!("decision `{}`", d.name), &e.origin, m))?
            }
            None => None,
        };
        if let Some(trace) = self.trace.as_mut() {
            trace.push(DecisionLog {
                scale,
                ..Default::default()
            });
        }
        match d.hit {
            HitPolicy::First => {
                for row in &d.rows {
                    if self.matches(&row.condition, scale, i, row.rule)? {
                        fired.push(row.rule);
                        self.set_row_values(d, row, i)?;
                        break;
                    }
                }
            }
            HitPolicy::Unique => {
                let mut hit: Option<&'a crate::rules::Row> = None;
                for row in &d.rows {
                    if self.matches(&row.condition, scale, i, row.rule)? {
                        if let Some(first) = hit {
                            let ids = &self.ev.rules.rule_ids;
                            return Err(EvalError {
                                customer: self.ev.data.id_text(i),
                                rule: format!("decision `{}`", d.name),
                                message: format!(
                                    "rules `{}` and `{}` both match, but the hit policy is `unique`",
                                    ids[first.rule as usize], ids[row.rule as usize]
                                ),
                                at: self.ev.rules.rule_origins[row.rule as usize].describe(),
                            });
                        }
                        hit = Some(row);
                    }
                }
                if let Some(row) = hit {
                    fired.push(row.rule);
                    self.set_row_values(d, row, i)?;
                }
            }
            HitPolicy::Collect => {
                let aggregate = d.aggregate.unwrap_or(Aggregate::Sum);
                let mut acc = Accumulator::new(aggregate);
                // Rows that give decimals: adding up no row gives 0.0, not 0.
                acc.any_float = d.decimal;
                for row in &d.rows {
                    if self.matches(&row.condition, scale, i, row.rule)? {
                        fired.push(row.rule);
                        if let Some((_, v)) = row.values.first() {
                            let value = self.value(v, i, row.rule)?;
                            acc.add(value).map_err(|m| EvalError {
                                customer: self.ev.data.id_text(i),
                                rule: self.rule_name(row.rule),
                                message: m,
                                at: self.ev.rules.rule_origins[row.rule as usize].describe(),
                            })?;
                        }
                    }
                }
                self.frame[d.outputs[0]] = acc.finish();
            }
        }
        if let [slot] = d.outputs[..] {
            self.finish_output(d, slot, i, fired)?;
        }
        Ok(())
    }

    /// Rounding, then floor and ceiling, of a single-output decision.
    fn finish_output(
        &mut self,
        d: &'a Decision,
        slot: Slot,
        i: usize,
        fired: &mut Vec<RuleIdx>,
    ) -> Result<(), EvalError> {
        if d.round.is_none() && d.min.is_none() && d.max.is_none() {
            return Ok(());
        }
        let Ok(Some(mut x)) = number(&self.frame[slot]) else {
            return Ok(()); // NULL (no row matched) stays NULL; text is not rounded
        };
        let mut result = self.frame[slot].clone();
        if let Some(log) = self.trace.as_mut().and_then(|t| t.last_mut()) {
            log.unbounded = Some(x);
        }
        if let Some(round) = d.round {
            let (x2, v) = round_value(x, round);
            x = x2;
            result = v;
        }
        for (cap, is_min) in [(&d.min, true), (&d.max, false)] {
            let Some(cap) = cap else { continue };
            let bound_value = self.value(&cap.value, i, cap.rule)?;
            let bound = match number(&bound_value) {
                Ok(Some(b)) => b,
                _ => {
                    return Err(EvalError {
                        customer: self.ev.data.id_text(i),
                        rule: self.rule_name(cap.rule),
                        message: format!("the cap is `{bound_value}`, not a number"),
                        at: self.ev.rules.rule_origins[cap.rule as usize].describe(),
                    });
                }
            };
            if (is_min && x < bound) || (!is_min && x > bound) {
                x = bound;
                // The output keeps its kind: a decimal discount capped at `12` is 12.0.
                result = match (&result, &bound_value) {
                    (Value::Float(_), Value::Int(b)) => Value::Float(*b as f64),
                    _ => bound_value,
                };
                fired.push(cap.rule);
                if let Some(log) = self.trace.as_mut().and_then(|t| t.last_mut()) {
                    log.caps.push(cap.rule);
                }
            }
        }
        self.frame[slot] = result;
        Ok(())
    }
}

/// `script.rhai:line:column` of the innermost script function an error happened in.
fn script_location(err: &EvalAltResult) -> Option<String> {
    let mut found = None;
    let mut current = err;
    while let EvalAltResult::ErrorInFunctionCall(_, source, inner, _) = current {
        if !source.is_empty() {
            let pos = inner.position();
            found = Some(format!(
                "{source}:{}:{}",
                pos.line().unwrap_or(0),
                pos.position().unwrap_or(0)
            ));
        }
        current = inner;
    }
    found
}

fn rule_label(rules: &RuleSet, rule: RuleIdx) -> String {
    format!("rule `{}`", rules.rule_ids[rule as usize])
}

/// Rounds `x` to a multiple of the step; a whole-number step gives a whole number.
fn round_value(x: f64, round: RoundSpec) -> (f64, Value<'static>) {
    let (step, r) = match round {
        RoundSpec::Down(s) => (s, (x / s).floor()),
        RoundSpec::Up(s) => (s, (x / s).ceil()),
        RoundSpec::Nearest(s) => (s, (x / s).round()),
    };
    let mut y = r * step;
    if step.fract() == 0.0 && y.abs() < 9.0e15 {
        return (y, Value::Int(y as i64));
    }
    // Decimal steps: drop the binary noise (0.30000000000000004 -> 0.3).
    y = (y * 1e9).round() / 1e9;
    (y, Value::Float(y))
}

/// Combines the values of matching rows under `hit: collect`.
struct Accumulator<'a> {
    aggregate: Aggregate,
    int: Option<i64>,
    float: Option<f64>,
    any_float: bool,
    list: Vec<Value<'a>>,
}

impl<'a> Accumulator<'a> {
    fn new(aggregate: Aggregate) -> Self {
        Accumulator {
            aggregate,
            int: None,
            float: None,
            any_float: false,
            list: Vec::new(),
        }
    }

    fn add(&mut self, v: Value<'a>) -> Result<(), String> {
        if v.is_null() {
            return Ok(());
        }
        if self.aggregate == Aggregate::List {
            // A row's value may itself be a list: its items join the collected list.
            match v.items() {
                Some(items) => self.list.extend(items),
                None => self.list.push(v),
            }
            return Ok(());
        }
        let x = number(&v)?.ok_or("NULL")?;
        self.any_float |= matches!(v, Value::Float(_));
        let f = self.float.get_or_insert(match self.aggregate {
            Aggregate::Sum => 0.0,
            Aggregate::Min => f64::INFINITY,
            _ => f64::NEG_INFINITY,
        });
        *f = match self.aggregate {
            Aggregate::Sum => *f + x,
            Aggregate::Min => f.min(x),
            _ => f.max(x),
        };
        if let Value::Int(n) = v {
            let acc = self.int.get_or_insert(match self.aggregate {
                Aggregate::Sum => 0,
                Aggregate::Min => i64::MAX,
                _ => i64::MIN,
            });
            *acc = match self.aggregate {
                Aggregate::Sum => acc.checked_add(n).ok_or("the sum is too large")?,
                Aggregate::Min => (*acc).min(n),
                _ => (*acc).max(n),
            };
        }
        Ok(())
    }

    fn finish(self) -> Value<'a> {
        match self.aggregate {
            Aggregate::List if self.list.is_empty() => Value::Consts(&[]),
            Aggregate::List => Value::List(self.list.into_boxed_slice()),
            Aggregate::Sum if self.any_float => Value::Float(self.float.unwrap_or(0.0)),
            _ if self.any_float => self.float.map_or(Value::Null, Value::Float),
            Aggregate::Sum => Value::Int(self.int.unwrap_or(0)),
            _ => self.int.map_or(Value::Null, Value::Int),
        }
    }
}

/// A condition's result: true/false, NULL counts as false; anything else is an error.
fn truth(v: Value<'_>) -> Result<bool, String> {
    match v {
        Value::Bool(b) => Ok(b),
        Value::Null => Ok(false),
        v => Err(format!(
            "the condition gave `{v}` ({}), not true or false",
            v.type_name()
        )),
    }
}

/// A number as f64; NULL is `None`; anything else is an error.
fn number(v: &Value<'_>) -> Result<Option<f64>, String> {
    match v {
        Value::Null => Ok(None),
        v => v
            .as_f64()
            .map(Some)
            .ok_or_else(|| format!("expected a number, got `{v}` ({})", v.type_name())),
    }
}

/// How a value is shown as a summary key.
pub fn display_key(v: &Value<'_>) -> String {
    if v.is_null() {
        "(none)".into()
    } else {
        v.to_string()
    }
}

/// rhai ends messages with " (line 1, position 5)" relative to the expression; the error
/// shows the position in the rule file instead.
fn strip_rhai_position(message: &str) -> String {
    let mut out = message.to_owned();
    while let Some(start) = out.find(" (line ") {
        match out[start..].find(')') {
            Some(end) => out.replace_range(start..start + end + 1, ""),
            None => break,
        }
    }
    out.replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_steps() {
        assert!(matches!(
            round_value(123_456.0, RoundSpec::Down(10_000.0)).1,
            Value::Int(120_000)
        ));
        assert!(matches!(
            round_value(120_001.0, RoundSpec::Up(10_000.0)).1,
            Value::Int(130_000)
        ));
        assert_eq!(
            round_value(2.26, RoundSpec::Nearest(0.5)).1.as_f64(),
            Some(2.5)
        );
        assert_eq!(
            round_value(0.31, RoundSpec::Down(0.1)).1.as_f64(),
            Some(0.3)
        );
    }

    #[test]
    fn collect_sums_mixed_numbers_and_skips_nulls() {
        let mut acc = Accumulator::new(Aggregate::Sum);
        acc.add(Value::Int(5)).unwrap();
        acc.add(Value::Null).unwrap();
        acc.add(Value::Float(2.5)).unwrap();
        assert!(matches!(acc.finish(), Value::Float(7.5)));
        assert!(matches!(
            Accumulator::new(Aggregate::Sum).finish(),
            Value::Int(0)
        ));
        assert!(Accumulator::new(Aggregate::Max).finish().is_null());
        let mut bad = Accumulator::new(Aggregate::Sum);
        assert!(bad.add(Value::Str("x")).is_err());
    }

    #[test]
    fn conditions_must_be_true_false_or_null() {
        assert!(truth(Value::Bool(true)).unwrap());
        assert!(!truth(Value::Null).unwrap());
        assert!(truth(Value::Int(1)).is_err());
    }

    #[test]
    fn strips_rhai_positions() {
        assert_eq!(
            strip_rhai_position("Function not found: + (i64, ()) (line 1, position 3)"),
            "Function not found: + (i64, ())"
        );
    }
}
