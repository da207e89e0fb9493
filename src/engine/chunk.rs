//! Column-at-a-time evaluation: a batch run takes its customers in chunks of [`CHUNK`], and
//! an expression that is one typed tree over values known before the chunk's customers are
//! evaluated (their fields, the precomputed metrics and population figures, and metrics
//! that are themselves such expressions) is evaluated for the whole chunk in one walk
//! ([`crate::rules::native::Typed::eval`]), the first time a customer of the chunk needs
//! it. The per-customer evaluation then reads that customer's lane instead of walking the
//! tree; a lane that gave up is evaluated per customer as before, which decides and reports
//! errors exactly as it always did.
//!
//! Which expressions: metrics in their order, then every decision's expressions and the
//! summary's totals, when all they read is known per chunk. Conditions on an earlier
//! decision's outputs are not (the outputs come from the per-customer pass).

use super::Evaluator;
use crate::rules::native::{Buffers, Cell};
use crate::rules::{Expr, RuleSet, Slot};
use crate::source::Column;
use std::ops::Range;

/// Customers per chunk: enough to pay for a walk per node, few enough that a chunk's columns
/// stay in the cache.
pub(super) const CHUNK: usize = 128;

/// Where an expression of the plan reads a slot, per chunk.
#[derive(Debug, Clone, Copy)]
enum Source {
    /// The customer's field (the data's column).
    Field,
    /// A precomputed column (a pre-metric or population figure), by its index.
    Precomputed(usize),
    /// Another expression of the plan (a metric), by its entry.
    Entry(usize),
}

#[derive(Debug)]
struct Entry {
    /// The expression's id.
    id: usize,
    reads: Vec<(Slot, Source)>,
}

/// The expressions of a rule set that evaluate column-at-a-time, for one evaluator.
#[derive(Debug, Default)]
pub(super) struct Plan {
    entries: Vec<Entry>,
    /// By expression id: its entry.
    by_id: Vec<Option<usize>>,
    /// The fields something evaluated per customer reads: loaded for every customer.
    pub eager_fields: Vec<Slot>,
    /// The fields only expressions of the plan read: loaded into a customer's frame only
    /// when one of its lanes has no value to give (it gave up, or holds NULL), so the
    /// expression is evaluated per customer. Most customers never need them.
    pub lazy_fields: Vec<Slot>,
    /// Whether a batch run takes customers the short way ([`super::lean`]).
    pub short_way: bool,
}

impl Plan {
    pub fn new(ev: &Evaluator<'_>) -> Plan {
        let rules = ev.rules;
        let mut known: Vec<Option<Source>> = vec![None; rules.slots.len()];
        let fields = rules.field_count.min(ev.data.columns.len());
        known[..fields].fill(Some(Source::Field));
        for (k, (slot, _)) in ev.precomputed.iter().enumerate() {
            known[*slot] = Some(Source::Precomputed(k));
        }
        let mut plan = Plan::default();
        for (metric, e) in per_customer(rules) {
            if let (Some(entry), Some(slot)) = (plan.add(ev, e, &known), metric) {
                known[slot] = Some(Source::Entry(entry));
            }
        }
        tracing::debug!(
            "{} expressions evaluate column-at-a-time",
            plan.entries.len()
        );
        (plan.eager_fields, plan.lazy_fields) = plan.split_fields(ev);
        plan.short_way = super::lean::allowed(ev);
        tracing::debug!("the short way through customers: {}", plan.short_way);
        plan
    }

    /// The fields read per customer (by an expression not in the plan, the summary's
    /// counts, or `held`/`moves`), and those only the plan's expressions read.
    fn split_fields(&self, ev: &Evaluator<'_>) -> (Vec<Slot>, Vec<Slot>) {
        let rules = ev.rules;
        let planned = |e: &Expr| matches!(self.by_id.get(e.id), Some(Some(_)));
        let mut eager = vec![false; rules.slots.len()];
        for (_, e) in per_customer(rules).filter(|(_, e)| !planned(e)) {
            for &(_, slot) in &e.vars {
                eager[slot] = true;
            }
        }
        let counted = rules.summary.count_by.iter().map(|(_, slot)| *slot);
        let held = rules.held.iter().map(|h| h.of);
        let moves = rules.summary.moves.iter().map(|m| m.slot);
        for slot in counted.chain(held).chain(moves) {
            eager[slot] = true;
        }
        rules.used_fields.iter().partition(|&&slot| eager[slot])
    }

    /// Adds `e` when it is one typed tree over known slots: its entry.
    fn add(&mut self, ev: &Evaluator<'_>, e: &Expr, known: &[Option<Source>]) -> Option<usize> {
        ev.fast(e)?.whole()?;
        // What the expression reads: its variables, and earlier periods' values (which are
        // never known per chunk).
        let history = e.maps.iter().flat_map(|(_, properties)| properties);
        let reads = e
            .vars
            .iter()
            .chain(history)
            .map(|&(_, s)| Some((s, (*known.get(s)?)?)))
            .collect::<Option<Vec<_>>>()?;
        if self.by_id.len() <= e.id {
            self.by_id.resize(e.id + 1, None);
        }
        if let Some(entry) = self.by_id[e.id] {
            return Some(entry);
        }
        self.entries.push(Entry { id: e.id, reads });
        self.by_id[e.id] = Some(self.entries.len() - 1);
        Some(self.entries.len() - 1)
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// One worker's chunk: the customers it covers and the lanes computed so far.
#[derive(Debug)]
pub(super) struct Chunk<'p> {
    plan: &'p Plan,
    customers: Range<usize>,
    /// Per entry: a cell per customer, once computed for this chunk.
    lanes: Vec<Vec<Cell>>,
    ready: Vec<bool>,
    /// The walks' lanes, kept from one chunk to the next.
    buffers: Buffers,
}

impl<'p> Chunk<'p> {
    pub fn new(plan: &'p Plan) -> Self {
        Chunk {
            plan,
            customers: 0..0,
            lanes: vec![Vec::new(); plan.entries.len()],
            ready: vec![false; plan.entries.len()],
            buffers: Buffers::default(),
        }
    }

    pub fn plan(&self) -> &'p Plan {
        self.plan
    }

    /// The next chunk: nothing computed yet.
    pub fn start(&mut self, customers: Range<usize>) {
        self.customers = customers;
        self.ready.fill(false);
    }

    /// Customer `i`'s value of expression `e`, when `e` is in the plan and `i` in the chunk
    /// (computing the chunk's lanes of `e` on first use).
    #[inline]
    pub fn cell(&mut self, ev: &Evaluator<'_>, e: &Expr, i: usize) -> Option<Cell> {
        let entry = (*self.plan.by_id.get(e.id)?)?;
        if !self.customers.contains(&i) {
            return None;
        }
        if !self.ready[entry] {
            self.compute(ev, entry);
        }
        Some(self.lanes[entry][i - self.customers.start])
    }

    fn compute(&mut self, ev: &Evaluator<'_>, entry: usize) {
        let plan = self.plan;
        for (_, source) in &plan.entries[entry].reads {
            if let Source::Entry(other) = *source
                && !self.ready[other]
            {
                self.compute(ev, other);
            }
        }
        let (start, n) = (self.customers.start, self.customers.len());
        self.ready[entry] = true;
        let whole = ev.fast.get(plan.entries[entry].id);
        let Some((tree, locals)) = whole.and_then(|f| f.as_ref()?.whole()) else {
            self.lanes[entry] = vec![Cell::GaveUp; n]; // not planned: never happens
            return;
        };
        let mut out = std::mem::take(&mut self.lanes[entry]);
        let lanes = &self.lanes;
        let reads = &plan.entries[entry].reads;
        let mut read = |slot: Slot, cells: &mut [Cell]| {
            let source = reads.iter().find(|(s, _)| *s == slot).map(|(_, src)| *src);
            match source {
                Some(Source::Field) => read_column(&ev.data.columns[slot], start, cells),
                Some(Source::Precomputed(k)) => {
                    let column = &ev.precomputed[k].1[start..start + n];
                    for (cell, v) in cells.iter_mut().zip(column) {
                        *cell = Cell::of(v);
                    }
                }
                Some(Source::Entry(other)) => cells.copy_from_slice(&lanes[other][..n]),
                None => cells.fill(Cell::GaveUp),
            }
        };
        tree.eval(n, locals, &mut read, &mut self.buffers, &mut out);
        self.lanes[entry] = out;
    }
}

/// The expressions a customer's evaluation runs, in order (what `Worker::customer` runs):
/// the metrics after the population figures (with their slots), every decision's
/// expressions, the summary's totals.
pub(super) fn per_customer(rules: &RuleSet) -> impl Iterator<Item = (Option<Slot>, &Expr)> {
    let metrics = rules.metrics_post.iter().map(|m| (Some(m.slot), &m.expr));
    let decisions = rules.decisions.iter().flat_map(|d| d.exprs());
    let totals = rules.summary.totals.iter().map(|(_, e)| e);
    metrics.chain(decisions.chain(totals).map(|e| (None, e)))
}

/// Rows `start..` of a column as cells (as many as `cells` holds).
fn read_column(column: &Column, start: usize, cells: &mut [Cell]) {
    let rows = start..start + cells.len();
    match column {
        Column::Float { values, nulls } => {
            for ((cell, &x), &null) in cells
                .iter_mut()
                .zip(&values[rows.clone()])
                .zip(&nulls[rows])
            {
                *cell = if null { Cell::Null } else { Cell::Float(x) };
            }
        }
        Column::Int { values, nulls } => {
            for ((cell, &x), &null) in cells
                .iter_mut()
                .zip(&values[rows.clone()])
                .zip(&nulls[rows])
            {
                *cell = if null { Cell::Null } else { Cell::Int(x) };
            }
        }
        other => {
            for (cell, i) in cells.iter_mut().zip(rows) {
                *cell = Cell::of(&other.value(i));
            }
        }
    }
}
