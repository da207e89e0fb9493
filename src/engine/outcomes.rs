//! What evaluating customers produces: each customer's outputs and the rules that fired,
//! stored flat (no allocation per customer), and the run summary's running totals.

use crate::rules::{RuleIdx, RuleSet};
use crate::value::Value;

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
    pub(super) indices: Vec<usize>,
    pub(super) values: Vec<Value<'a>>,
    pub(super) fired: Vec<RuleIdx>,
    /// Where each customer's fired rules end in `fired`.
    pub(super) fired_ends: Vec<usize>,
}

impl<'a> Outcomes<'a> {
    pub(super) fn new(width: usize) -> Self {
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

    pub(super) fn append(&mut self, mut other: Outcomes<'a>) {
        let offset = self.fired.len();
        self.indices.append(&mut other.indices);
        self.values.append(&mut other.values);
        self.fired.append(&mut other.fired);
        self.fired_ends
            .extend(other.fired_ends.into_iter().map(|e| e + offset));
    }
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
    pub(super) fn new(rules: &RuleSet) -> Self {
        Tally {
            customers: 0,
            counts: vec![Vec::new(); rules.summary.count_by.len()],
            totals: vec![0.0; rules.summary.totals.len()],
        }
    }

    pub(super) fn count(&mut self, dimension: usize, value: &Value<'_>, n: usize) {
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

/// How a value is shown as a summary key.
pub fn display_key(v: &Value<'_>) -> String {
    if v.is_null() {
        "(none)".into()
    } else {
        v.to_string()
    }
}
