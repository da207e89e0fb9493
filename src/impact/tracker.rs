//! The comparison as the chunks go by: counts and sums only, so memory does not grow with
//! the customers (the few customers with the largest changes excepted).

use super::matrix::{Builder, gives_nothing};
use super::{CustomerChange, Impact, LARGEST, OutputChange, RuleChange, TotalChange, ValueChange};
use crate::engine::{Outcome, Outcomes, Tally, display_key};
use crate::rules::RuleSet;
use crate::source::Dataset;
use crate::value::ValueKind;
use std::collections::HashMap;

pub(super) struct Tracker<'r> {
    base: &'r RuleSet,
    current: &'r RuleSet,
    /// Outputs of either: name, position in the base outputs and in the current ones
    /// (`None`: an output added or removed, NULL on that side, so a customer it gives a
    /// value to changed).
    common: Vec<(String, Option<usize>, Option<usize>)>,
    changed: Vec<usize>,
    /// Per common output that may have few values.
    matrices: Vec<(usize, Builder)>,
    /// Money totals both rule sets compute: position in the base totals and in the current
    /// ones.
    money: Vec<(usize, usize)>,
    before: Tally,
    after: Tally,
    fired_before: Vec<usize>,
    fired_after: Vec<usize>,
    customers: usize,
    customers_changed: usize,
    /// The largest changes so far (at most `LARGEST`), unsorted.
    largest: Vec<CustomerChange>,
}

impl<'r> Tracker<'r> {
    pub fn new(base: &'r RuleSet, current: &'r RuleSet) -> Tracker<'r> {
        // A `held.x` count one side keeps is bookkeeping, not a change of policy.
        let counted = |name: &str, other: &RuleSet| {
            !name.starts_with("held.") || other.outputs.iter().any(|p| p.name == name)
        };
        let mut common: Vec<(String, Option<usize>, Option<usize>)> = (current.outputs.iter())
            .enumerate()
            .filter(|(_, o)| counted(&o.name, base))
            .map(|(k, o)| {
                let b = base.outputs.iter().position(|p| p.name == o.name);
                (o.name.clone(), b, Some(k))
            })
            .collect();
        common.extend(
            (base.outputs.iter().enumerate())
                .filter(|(_, o)| counted(&o.name, current))
                .filter(|(_, o)| !current.outputs.iter().any(|p| p.name == o.name))
                .map(|(b, o)| (o.name.clone(), Some(b), None)),
        );
        let matrices = common
            .iter()
            .enumerate()
            .filter(|(_, (name, _, _))| {
                let kinds = [base.output_kind(name), current.output_kind(name)];
                // Numbers with few values (payment days) too: more than the most, and the
                // matrix is dropped at the first customer past it.
                !kinds.iter().any(|k| matches!(k, Some(ValueKind::Date)))
            })
            .map(|(k, (name, _, _))| (k, Builder::new(name)))
            .collect();
        let money_names = money_names(base, current);
        let position =
            |rules: &RuleSet, name: &str| rules.summary.totals.iter().position(|(n, _)| n == name);
        Tracker {
            base,
            current,
            changed: vec![0; common.len()],
            common,
            matrices,
            // Only totals both rule sets have: one that only one of them computes is not
            // money that moved for the customer (the totals table shows it apart).
            money: money_names
                .iter()
                .filter_map(|n| Some((position(base, n)?, position(current, n)?)))
                .collect(),
            before: Tally::default(),
            after: Tally::default(),
            fired_before: vec![0; base.rule_ids.len()],
            fired_after: vec![0; current.rule_ids.len()],
            customers: 0,
            customers_changed: 0,
            largest: Vec::new(),
        }
    }

    /// One chunk, evaluated under both rule sets.
    pub fn add(
        &mut self,
        data: &Dataset,
        old: &Outcomes<'_>,
        new: &Outcomes<'_>,
        old_tally: Tally,
        new_tally: Tally,
    ) {
        self.before.merge(old_tally);
        self.after.merge(new_tally);
        for (o, n) in old.iter().zip(new.iter()) {
            debug_assert_eq!(o.index, n.index);
            self.customer(data, &o, &n);
        }
    }

    fn customer(&mut self, data: &Dataset, old: &Outcome<'_, '_>, new: &Outcome<'_, '_>) {
        self.customers += 1;
        for &r in old.fired {
            self.fired_before[r as usize] += 1;
        }
        for &r in new.fired {
            self.fired_after[r as usize] += 1;
        }
        for (k, b) in &mut self.matrices {
            let (_, i, j) = self.common[*k];
            b.add(&side(old, i), &side(new, j));
        }
        let mut outputs_changed = 0;
        for (k, (_, i, j)) in self.common.iter().enumerate() {
            if !unchanged(old, *i, new, *j) {
                self.changed[k] += 1;
                outputs_changed += 1;
            }
        }
        if outputs_changed == 0 {
            return;
        }
        self.customers_changed += 1;
        // To the cent, as a run's money totals are (511.18489999999997 is 511.18).
        let delta = |b: usize, c: usize| crate::text::to_cents(new.totals[c] - old.totals[b]);
        let money: f64 = self.money.iter().map(|&(b, c)| delta(b, c).abs()).sum();
        if self.largest.len() == LARGEST {
            let smallest = self
                .largest
                .iter()
                .map(|c| (c.money, c.changes.len()))
                .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            if let Some((m, n)) = smallest
                && (money, outputs_changed) <= (m, n)
            {
                return;
            }
        }
        let changes = self
            .common
            .iter()
            .filter(|(_, i, j)| !unchanged(old, *i, new, *j))
            .map(|(name, i, j)| {
                let (before, after) = (&side(old, *i), &side(new, *j));
                ValueChange {
                    output: name.clone(),
                    before: before.to_json(),
                    after: after.to_json(),
                    shown: (display_key(before), display_key(after)),
                }
            })
            .collect();
        let money_changes = (self.money.iter())
            .map(|&(b, c)| (c, delta(b, c)))
            .filter(|&(_, delta)| delta != 0.0)
            .map(|(c, delta)| (self.current.summary.totals[c].0.clone(), delta))
            .collect();
        self.largest.push(CustomerChange {
            customer: data.id_text(new.index),
            money,
            money_changes,
            changes,
        });
        if self.largest.len() > LARGEST {
            sort_largest(&mut self.largest);
            self.largest.truncate(LARGEST);
        }
    }

    pub fn finish(mut self) -> Impact {
        let (base, current) = (self.base, self.current);
        let outputs_added = names_missing(current, base);
        let outputs_removed = names_missing(base, current);
        let order = |name: &str| {
            [current, base].into_iter().find_map(|r| {
                r.summary
                    .moves
                    .iter()
                    .find(|m| m.output == name)
                    .map(|m| m.order.clone())
            })
        };
        let matrices = std::mem::take(&mut self.matrices)
            .into_iter()
            .filter_map(|(k, b)| {
                let declared = order(&b.output);
                let (_, i, j) = &self.common[k];
                b.finish(declared.as_deref(), i.is_none() || j.is_none())
            })
            .collect();
        sort_largest(&mut self.largest);
        Impact {
            customers: self.customers,
            customers_changed: self.customers_changed,
            base_fingerprint: base.fingerprint.clone(),
            fingerprint: current.fingerprint.clone(),
            outputs_added,
            outputs_removed,
            outputs: self
                .common
                .iter()
                .zip(&self.changed)
                .map(|((name, _, _), &changed)| OutputChange {
                    output: name.clone(),
                    changed,
                })
                .collect(),
            matrices,
            totals: totals(base, current, &self.before, &self.after),
            largest: self.largest,
            rules: rule_changes(base, current, &self.fired_before, &self.fired_after),
            notes: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

/// Output `k` of a customer's outcome, NULL when the rule set has no such output.
fn side<'v>(outcome: &Outcome<'_, 'v>, k: Option<usize>) -> crate::value::Value<'v> {
    k.map_or(crate::value::Value::Null, |k| outcome.outputs[k].clone())
}

/// Whether output `i` of `old` and `j` of `new` hold the same value. Against an output only
/// one rule set has, a value that gives nothing (NULL, 0, false, empty text or list) is no
/// change: a new category extra of 0% changes no one's policy, one of 3% does.
fn unchanged(
    old: &Outcome<'_, '_>,
    i: Option<usize>,
    new: &Outcome<'_, '_>,
    j: Option<usize>,
) -> bool {
    match (i, j) {
        (Some(i), Some(j)) => old.outputs[i].same(&new.outputs[j]),
        (Some(k), None) => gives_nothing(&old.outputs[k].to_json()),
        (None, Some(k)) => gives_nothing(&new.outputs[k].to_json()),
        (None, None) => true,
    }
}

/// Largest money change first, then most outputs changed, then by id.
fn sort_largest(changes: &mut [CustomerChange]) {
    changes.sort_by(|a, b| {
        b.money
            .total_cmp(&a.money)
            .then(b.changes.len().cmp(&a.changes.len()))
            .then_with(|| a.customer.cmp(&b.customer))
    });
}

/// The names of `a`'s outputs that `b` does not have.
fn names_missing(a: &RuleSet, b: &RuleSet) -> Vec<String> {
    a.outputs
        .iter()
        .filter(|o| !b.outputs.iter().any(|p| p.name == o.name))
        .map(|o| o.name.clone())
        .collect()
}

/// The totals either rule set declares money.
fn money_names(base: &RuleSet, current: &RuleSet) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for rules in [current, base] {
        for &k in &rules.summary.money {
            let name = &rules.summary.totals[k].0;
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
    }
    names
}

/// The current rules' totals in their order, then those only the base rules have.
fn totals(base: &RuleSet, current: &RuleSet, before: &Tally, after: &Tally) -> Vec<TotalChange> {
    let money = money_names(base, current);
    let value = |rules: &RuleSet, tally: &Tally, name: &str| {
        let k = rules.summary.totals.iter().position(|(n, _)| n == name)?;
        Some(tally.totals.get(k).copied().unwrap_or(0.0))
    };
    let mut names: Vec<&str> = current
        .summary
        .totals
        .iter()
        .map(|(n, _)| n.as_str())
        .collect();
    for (n, _) in &base.summary.totals {
        if !names.contains(&n.as_str()) {
            names.push(n);
        }
    }
    names
        .into_iter()
        .map(|name| {
            let money = money.iter().any(|m| m == name);
            // Money to the cent on both sides, as either rule set declares it.
            let shown =
                |x: Option<f64>| x.map(|x| if money { crate::text::to_cents(x) } else { x });
            TotalChange {
                name: name.to_owned(),
                money,
                before: shown(value(base, before, name)),
                after: shown(value(current, after, name)),
            }
        })
        .collect()
}

/// Rule ids whose customer counts differ (an id only one rule set has counts 0 in the
/// other), in the current rules' order, then the base's.
fn rule_changes(
    base: &RuleSet,
    current: &RuleSet,
    before: &[usize],
    after: &[usize],
) -> Vec<RuleChange> {
    let mut counts: Vec<(String, usize, usize)> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (id, &n) in current.rule_ids.iter().zip(after) {
        index.insert(id, counts.len());
        counts.push((id.clone(), 0, n));
    }
    for (id, &n) in base.rule_ids.iter().zip(before) {
        match index.get(id.as_str()) {
            Some(&k) => counts[k].1 = n,
            None => counts.push((id.clone(), n, 0)),
        }
    }
    counts
        .into_iter()
        .filter(|(_, b, a)| b != a)
        .map(|(rule, before, after)| RuleChange {
            rule,
            before,
            after,
        })
        .collect()
}
