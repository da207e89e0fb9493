//! One thread's evaluation state: a reusable frame of slot values (fields, metrics,
//! population figures, outputs), scratch space for the fast path, and the thread's own Rhai
//! engine, built only if some expression needs the interpreter.

use super::chunk::{Chunk, Plan};
use super::errors::{self, EvalError, rule_label};
use super::groups::GroupKey;
use super::observer::Observer;
use super::outcomes::{Outcomes, Tally};
use super::{Evaluator, Mode, PopulationInputs};
use crate::rules::hit::Rows;
use crate::rules::native::{self, Cell};
use crate::rules::{Condition, Decision, Expr, Origin, RuleIdx, Slot, ValueExpr};
use crate::source::Dataset;
use crate::value::Value;
use rhai::{Dynamic, Engine, EvalAltResult, Scope};

/// Per-thread evaluation state.
pub(super) struct Worker<'e, 'a, O: Observer = ()> {
    pub ev: &'e Evaluator<'a>,
    /// Built on first use: most rule sets never need the interpreter per customer.
    engine: Option<Engine>,
    scope: Scope<'static>,
    pub frame: Vec<Value<'a>>,
    /// Borrows the evaluator's fast paths (their constants), not the rules.
    pub(super) scratch: native::Scratch<'e>,
    /// The chunk of customers a batch run evaluates column-at-a-time (`None`: one at a time).
    chunk: Option<Chunk<'e>>,
    /// The customer being evaluated.
    current: usize,
    /// Whether the frame holds all of the current customer's fields (in a chunk, those only
    /// the chunk's lanes read are loaded when a lane gives up).
    fields_loaded: bool,
    /// A batch run's worker: nothing reads the frame after a customer (`explain` does), so
    /// its outputs move to the outcomes instead of being copied.
    batch: bool,
    /// A batch run's worker whose rule set takes customers the short way.
    short_way: bool,
    pub observer: O,
}

impl<'e, 'a> Worker<'e, 'a> {
    pub fn new(ev: &'e Evaluator<'a>) -> Self {
        Worker::observed(ev, ())
    }

    /// A worker of a batch run, which evaluates `plan`'s expressions chunk by chunk.
    pub fn chunked(ev: &'e Evaluator<'a>, plan: &'e Plan) -> Self {
        let mut w = Worker::new(ev);
        w.batch = true;
        w.short_way = plan.short_way;
        if !plan.is_empty() {
            w.chunk = Some(Chunk::new(plan));
        }
        w
    }

    /// Customer `i` of a batch run: the short way when it can decide, else in full.
    pub fn batch_customer(
        &mut self,
        i: usize,
        out: &mut Outcomes<'a>,
        tally: &mut Tally,
    ) -> Result<(), EvalError> {
        self.readable(i)?;
        if self.short_way && self.lean_customer(i, out, tally) {
            return Ok(());
        }
        self.customer(i, out, tally)
    }

    /// The customers evaluated next (by [`Worker::customer`], in any order).
    pub fn start_chunk(&mut self, customers: std::ops::Range<usize>) {
        if let Some(chunk) = &mut self.chunk {
            chunk.start(customers);
        }
    }
}

impl<'e, 'a, O: Observer> Worker<'e, 'a, O> {
    pub fn observed(ev: &'e Evaluator<'a>, observer: O) -> Self {
        let mut frame = vec![Value::Null; ev.rules.slots.len()];
        // The run's context is the same for every customer: set once.
        frame[ev.rules.as_of] = Value::Date(ev.context.as_of);
        frame[ev.rules.period] = Value::Str(ev.context.period.label());
        Worker {
            ev,
            engine: None,
            scope: Scope::new(),
            frame,
            scratch: native::Scratch::new(ev.rules.limits.max_string_size),
            chunk: None,
            current: 0,
            fields_loaded: false,
            batch: false,
            short_way: false,
            observer,
        }
    }

    /// Customer `i`'s pre-metrics and population figure inputs.
    pub fn population_inputs(&mut self, i: usize) -> Result<PopulationInputs<'a>, EvalError> {
        let rules = self.ev.rules;
        crate::script::budget::start(rules.limits.max_eval_ms);
        self.load(i);
        let mut metrics = Vec::with_capacity(rules.metrics_pre.len());
        for m in &rules.metrics_pre {
            let v = self.eval_checked(&m.expr, i, || format!("metric `{}`", m.name))?;
            self.frame[m.slot] = v.clone();
            metrics.push(v);
        }
        let mut values = Vec::with_capacity(rules.population.len());
        let mut groups = Vec::new();
        let grouped = rules.population.iter().any(|f| f.by.is_some());
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
            // The group only of a ranked customer: the others are in none.
            let group = match (&f.by, value) {
                (Some(by), Some(_)) => {
                    let v = self.eval_checked(by, i, what)?;
                    GroupKey::of(&v).map_err(|m| self.error(i, what(), &by.origin, m))?
                }
                _ => None,
            };
            values.push(value);
            if grouped {
                groups.push(group);
            }
        }
        Ok(PopulationInputs {
            metrics,
            values,
            groups,
        })
    }

    /// Fills the frame with customer `i`'s fields and precomputed values; clears outputs.
    fn load(&mut self, i: usize) {
        self.load_eager(i);
        // Metrics need no clearing: each is computed, in order, before anything reads it.
        for o in &self.ev.rules.outputs {
            self.clear(o.slot);
        }
    }

    /// Sets `slot` to NULL. Outputs a batch run moved out are NULL already, and a write
    /// costs a drop: only the others are written.
    #[inline]
    pub(super) fn clear(&mut self, slot: Slot) {
        if !self.frame[slot].is_null() {
            self.frame[slot] = Value::Null;
        }
    }

    /// Fills the frame with customer `i`'s fields (in a chunk, those read per customer),
    /// precomputed values and earlier periods' values.
    pub(super) fn load_eager(&mut self, i: usize) {
        let rules = self.ev.rules;
        let data: &'a Dataset = self.ev.data;
        self.current = i;
        let fields = match &self.chunk {
            Some(chunk) => &chunk.plan().eager_fields,
            None => &rules.used_fields,
        };
        for &slot in fields {
            self.frame[slot] = data.columns[slot].value(i);
        }
        self.fields_loaded = self.chunk.is_none();
        for (slot, column) in &self.ev.precomputed {
            self.frame[*slot] = column[i].clone();
        }
        self.ev.past.load(i, &mut self.frame);
    }

    /// The current customer's fields that [`Worker::load`] left to the chunk's lanes (only
    /// the plan's expressions read them), for one of those evaluated per customer.
    #[inline]
    fn load_all_fields(&mut self) {
        if !self.fields_loaded {
            self.load_lazy_fields();
        }
    }

    #[cold]
    fn load_lazy_fields(&mut self) {
        self.fields_loaded = true;
        if let Some(chunk) = &self.chunk {
            for &slot in &chunk.plan().lazy_fields {
                self.frame[slot] = self.ev.data.columns[slot].value(self.current);
            }
        }
    }

    /// Evaluates `e` on the fast path when it has one (and the fast path can decide), in
    /// the interpreter otherwise.
    pub fn eval(&mut self, e: &'a Expr) -> Result<Value<'a>, Box<EvalAltResult>> {
        if let Some(cell) = self.chunk_lane(e) {
            match cell.value() {
                Some(v) => return Ok(v),
                // No value in the lane (it gave up, or holds NULL or text): evaluated per
                // customer, over all the customer's fields.
                None => self.load_all_fields(),
            }
        }
        if self.ev.mode == Mode::Fast
            && let Some(n) = self.ev.fast(e)
            && let Ok(v) = self.scratch.value(n, &self.frame)
        {
            return Ok(v);
        }
        self.scope.clear();
        fill_scope(&mut self.scope, e, &self.frame);
        let rules = self.ev.rules;
        let engine = self.engine.get_or_insert_with(|| rules.new_engine());
        engine
            .eval_ast_with_scope::<Dynamic>(&mut self.scope, &e.ast)
            .map(Value::from_dynamic)
    }

    /// The current customer's lane of `e`, when the chunk evaluates `e` column-at-a-time.
    #[inline]
    pub(super) fn chunk_lane(&mut self, e: &Expr) -> Option<Cell> {
        self.chunk.as_mut()?.cell(self.ev, e, self.current)
    }

    pub fn error(&self, i: usize, rule: String, origin: &Origin, message: String) -> EvalError {
        EvalError {
            customer: self.ev.data.id_text(i),
            rule,
            message,
            at: origin.describe(),
        }
    }

    /// Evaluates `e`; an error or a non-finite number becomes an `EvalError` naming the
    /// customer and `what` (the rule), at the failing position in the rule file.
    pub fn eval_checked(
        &mut self,
        e: &'a Expr,
        i: usize,
        what: impl Fn() -> String,
    ) -> Result<Value<'a>, EvalError> {
        match self.eval(e) {
            Ok(Value::Float(f)) if !f.is_finite() => Err(self.error(
                i,
                what(),
                &e.origin,
                format!("the result is {f}, not a number"),
            )),
            Ok(v) => Ok(v),
            Err(err) => Err(EvalError {
                customer: self.ev.data.id_text(i),
                rule: what(),
                message: errors::message(
                    &err,
                    Some(&errors::Reads {
                        ast: &e.ast,
                        scope: &self.scope,
                    }),
                ),
                at: errors::location(&err, &e.origin),
            }),
        }
    }

    /// Evaluates customer `i`, appending its result to `out` and its summary to `tally`. A
    /// customer that fails leaves both as they were (so a run that keeps going can skip it).
    pub fn customer(
        &mut self,
        i: usize,
        out: &mut Outcomes<'a>,
        tally: &mut Tally,
    ) -> Result<(), EvalError> {
        let fired_start = out.fired.len();
        self.customer_keeping_fired(i, out, tally)
            .inspect_err(|_| out.fired.truncate(fired_start))
    }

    /// Customer `i`'s data, read under `run --keep-going` (or by `explain`), holds a value its
    /// column does not hold: it fails, naming the column, as a rule failing for it would.
    fn readable(&self, i: usize) -> Result<(), EvalError> {
        match self.ev.data.unreadable_at(i) {
            None => Ok(()),
            Some(unreadable) => Err(EvalError {
                customer: self.ev.data.id_text(i),
                rule: format!("column `{}`", unreadable.column),
                message: unreadable.message.clone(),
                at: String::new(),
            }),
        }
    }

    /// As [`Worker::customer`], but a failure leaves the rules that fired before it in
    /// `out.fired` (`explain` shows them).
    pub(super) fn customer_keeping_fired(
        &mut self,
        i: usize,
        out: &mut Outcomes<'a>,
        tally: &mut Tally,
    ) -> Result<(), EvalError> {
        self.readable(i)?;
        crate::script::budget::start(self.ev.rules.limits.max_eval_ms);
        self.customer_or_partial(i, out, tally)
    }

    fn customer_or_partial(
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
            self.observer.metric();
        }
        for d in &rules.decisions {
            self.decide(d, i, &mut out.fired)?;
            self.observer.decided();
        }
        self.count_held();
        // The summary totals first: a customer whose total fails is counted nowhere (with
        // `--keep-going` the run goes on without it).
        let totals_start = out.totals.len();
        for (name, e) in &rules.summary.totals {
            let v = self
                .eval_checked(e, i, || format!("summary total `{name}`"))
                .inspect_err(|_| out.totals.truncate(totals_start))?;
            out.totals.push(match number(&v) {
                Ok(Some(x)) => x,
                _ => 0.0,
            });
        }
        self.finish(i, out, tally);
        Ok(())
    }

    /// Customer `i` is decided (its totals already in `out`): counts it in `tally` and
    /// appends its outputs to `out`. The totals are summed once the batch is joined.
    pub(super) fn finish(&mut self, i: usize, out: &mut Outcomes<'a>, tally: &mut Tally) {
        let rules = self.ev.rules;
        tally.customers += 1;
        for (k, (_, slot)) in rules.summary.count_by.iter().enumerate() {
            tally.count(k, &self.frame[*slot], 1);
        }
        for (k, m) in rules.summary.moves.iter().enumerate() {
            tally.moved(k, m, &self.frame[m.previous], &self.frame[m.slot]);
        }
        out.indices.push(i);
        if self.batch {
            // Moved: no copy now and no drop when the next customer clears the frame.
            let frame = &mut self.frame;
            out.values.extend(
                rules
                    .outputs
                    .iter()
                    .map(|o| std::mem::take(&mut frame[o.slot])),
            );
        } else {
            out.values
                .extend(rules.outputs.iter().map(|o| self.frame[o.slot].clone()));
        }
        out.fired_ends.push(out.fired.len());
    }

    /// `held.x` of this period: how many consecutive periods `x` has had its value, this
    /// one included (0 when it is NULL).
    fn count_held(&mut self) {
        for h in &self.ev.rules.held {
            let now = &self.frame[h.of];
            let count = if now.is_null() {
                0
            } else if super::history::same(now, &self.frame[h.previous]) {
                match self.frame[h.previous_held] {
                    Value::Int(n) => n.saturating_add(1),
                    _ => 1,
                }
            } else {
                1
            };
            self.frame[h.slot] = Value::Int(count);
        }
    }

    /// A row's value: its constant, or its formula evaluated for customer `i`.
    pub fn value(
        &mut self,
        v: &'a ValueExpr,
        i: usize,
        rule: RuleIdx,
    ) -> Result<Value<'a>, EvalError> {
        match v {
            ValueExpr::Const(c) => Ok(c.value()),
            ValueExpr::Formula(e) => {
                let rules = self.ev.rules;
                self.eval_checked(e, i, || rule_label(rules, rule))
            }
        }
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
                // Compared as `>=` and `<` compare (an exact 25% growth is in the band
                // from 0.25, though 0.2499999999999998 in binary).
                use crate::value::{Order, number_holds};
                Ok(scale.is_some_and(|v| {
                    from.is_none_or(|f| number_holds(Order::Ge, v, f))
                        && below.is_none_or(|b| number_holds(Order::Lt, v, b))
                }))
            }
            Condition::When(e) => {
                match self.chunk_lane(e) {
                    Some(Cell::Bool(b)) => return Ok(b),
                    Some(_) => self.load_all_fields(),
                    None => {}
                }
                // Most conditions: the fast path gives true/false (NULL counts as false).
                if self.ev.mode == Mode::Fast
                    && let Some(n) = self.ev.fast(e)
                {
                    match self.scratch.eval(n, &self.frame) {
                        Ok(native::Scalar::Bool(b)) => return Ok(b),
                        Ok(native::Scalar::Null) => return Ok(false),
                        _ => {} // an error to report, or the interpreter's to decide
                    }
                }
                let rules = self.ev.rules;
                let v = self.eval_checked(e, i, || rule_label(rules, rule))?;
                truth(v).map_err(|m| self.error(i, rule_label(rules, rule), &e.origin, m))
            }
        }
    }

    /// Decision `d` for customer `i`: its hit policy picks the rows that fire, then its
    /// `output:` is rounded and capped (when it has `round:` or caps).
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
        self.observer.decision(scale);
        let mut rows = DecisionRows {
            worker: self,
            d,
            scale,
            i,
            fired,
            matched: false,
        };
        d.hit.decide(d, &mut rows)?;
        if !rows.matched {
            self.defaults(d, i)?;
        }
        if let Some(k) = d.bounded_output {
            self.bound_output(d, d.outputs[k], i, fired)?;
        }
        Ok(())
    }
}

impl<'a, O: Observer> Worker<'_, 'a, O> {
    /// No row of `d` matched: each output with a `default:` gets it. Where the outputs list
    /// the rows' values, the defaults are one more row: a value is the list of it (a list is
    /// taken as it is), and with several outputs each gets one item, NULL where it has no
    /// default, so that the lists still line up. Only when no row matched: kept out of the
    /// per-customer loop it is called from.
    #[inline(never)]
    pub(super) fn defaults(&mut self, d: &'a Decision, i: usize) -> Result<(), EvalError> {
        let lists = d.gives_lists();
        let row = lists && d.outputs.len() > 1 && d.defaults.iter().any(Option::is_some);
        for (k, &slot) in d.outputs.iter().enumerate() {
            let value = match d.defaults.get(k).and_then(Option::as_ref) {
                None if row => Value::Null,
                None => continue,
                Some(ValueExpr::Const(c)) => c.value(),
                Some(ValueExpr::Formula(e)) => {
                    let output = self.ev.rules.slot_name(slot);
                    self.eval_checked(e, i, || {
                        format!("decision `{}` (the default of `{output}`)", d.name)
                    })?
                }
            };
            self.frame[slot] = match value {
                Value::List(_) => value,
                Value::Null if !row => value,
                one if lists => Value::List(Box::new([one])),
                value => value,
            };
        }
        Ok(())
    }
}

/// A decision's rows for one customer, as its hit policy sees them.
struct DecisionRows<'w, 'e, 'a, O: Observer> {
    worker: &'w mut Worker<'e, 'a, O>,
    d: &'a Decision,
    scale: Option<f64>,
    i: usize,
    fired: &'w mut Vec<RuleIdx>,
    /// Some row matched (else the outputs' defaults apply).
    matched: bool,
}

impl<'a, O: Observer> Rows<'a> for DecisionRows<'_, '_, 'a, O> {
    type Error = EvalError;

    #[inline]
    fn count(&self) -> usize {
        self.d.rows.len()
    }

    #[inline]
    fn matches(&mut self, row: usize) -> Result<bool, EvalError> {
        let row = &self.d.rows[row];
        if let Some(window) = row.effective
            && !window.contains(self.worker.ev.context.as_of)
        {
            self.worker.observer.not_in_effect(row.rule);
            return Ok(false);
        }
        let matched = self
            .worker
            .condition(&row.condition, self.scale, self.i, row.rule)?;
        self.worker.observer.row(row.rule, matched);
        self.matched |= matched;
        Ok(matched)
    }

    fn fire(&mut self, row: usize) -> Result<(), EvalError> {
        let row = &self.d.rows[row];
        self.fired.push(row.rule);
        for (k, v) in &row.values {
            let value = self.worker.value(v, self.i, row.rule)?;
            self.worker.frame[self.d.outputs[*k]] = value;
        }
        Ok(())
    }

    fn take_value(&mut self, row: usize) -> Result<Value<'a>, EvalError> {
        let row = &self.d.rows[row];
        self.fired.push(row.rule);
        match row.values.first() {
            Some((_, v)) => self.worker.value(v, self.i, row.rule),
            None => Ok(Value::Null),
        }
    }

    fn values(&mut self, row: usize) -> Result<Vec<Value<'a>>, EvalError> {
        let row = &self.d.rows[row];
        let mut values = vec![Value::Null; self.d.outputs.len()];
        for (k, v) in &row.values {
            values[*k] = self.worker.value(v, self.i, row.rule)?;
        }
        Ok(values)
    }

    fn set_output(&mut self, value: Value<'a>) {
        self.worker.frame[self.d.outputs[0]] = value;
    }

    fn record(&mut self, row: usize) {
        self.fired.push(self.d.rows[row].rule);
    }

    fn set_outputs(&mut self, values: Vec<Value<'a>>) {
        for (&slot, value) in self.d.outputs.iter().zip(values) {
            self.worker.frame[slot] = value;
        }
    }

    fn conflict(&self, first: usize, second: usize, why: &str) -> EvalError {
        let rules = self.worker.ev.rules;
        let (a, b) = (self.d.rows[first].rule, self.d.rows[second].rule);
        EvalError {
            customer: self.worker.ev.data.id_text(self.i),
            rule: format!("decision `{}`", self.d.name),
            message: format!(
                "rules `{}` and `{}` both match, but {why}",
                rules.rule_ids[a as usize], rules.rule_ids[b as usize],
            ),
            at: rules.rule_origins[b as usize].describe(),
        }
    }

    fn row_error(&self, row: usize, message: String) -> EvalError {
        let rules = self.worker.ev.rules;
        let rule = self.d.rows[row].rule;
        EvalError {
            customer: self.worker.ev.data.id_text(self.i),
            rule: rule_label(rules, rule),
            message,
            at: rules.rule_origins[rule as usize].describe(),
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
pub(super) fn number(v: &Value<'_>) -> Result<Option<f64>, String> {
    match v {
        Value::Null => Ok(None),
        v => v
            .as_f64()
            .map(Some)
            .ok_or_else(|| format!("expected a number, got `{v}` ({})", v.type_name())),
    }
}

/// The names `e` reads, as the interpreter reads them: a variable per name, and a map per
/// history variable (`previous.tier`).
pub(super) fn fill_scope(scope: &mut Scope<'_>, e: &Expr, frame: &[Value<'_>]) {
    for (name, slot) in &e.vars {
        scope.push_dynamic(name.clone(), frame[*slot].to_dynamic());
    }
    for (name, properties) in &e.maps {
        let map: rhai::Map = properties
            .iter()
            .map(|(p, slot)| (p.clone(), frame[*slot].to_dynamic()))
            .collect();
        scope.push_dynamic(name.clone(), Dynamic::from_map(map));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_must_be_true_false_or_null() {
        assert!(truth(Value::Bool(true)).unwrap());
        assert!(!truth(Value::Null).unwrap());
        assert!(truth(Value::Int(1)).is_err());
    }
}
