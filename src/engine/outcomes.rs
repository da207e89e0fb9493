//! What evaluating customers produces: each customer's outputs and the rules that fired,
//! stored flat (no allocation per customer), and the run summary's running totals.

use crate::rules::{Move, RuleIdx, RuleSet};
use crate::value::Value;

/// One customer's result: a value per declared output and the rules that produced them.
#[derive(Debug, Clone)]
pub struct Outcome<'o, 'a> {
    pub index: usize,
    pub outputs: &'o [Value<'a>],
    pub fired: &'o [RuleIdx],
    /// Its part of each summary total (0 where the total's expression gave NULL).
    pub totals: &'o [f64],
}

/// The results of many customers, stored flat: no allocation per customer.
#[derive(Debug, Clone, Default)]
pub struct Outcomes<'a> {
    /// Outputs per customer.
    width: usize,
    /// Summary totals per customer.
    totals_width: usize,
    pub(super) indices: Vec<usize>,
    pub(super) values: Vec<Value<'a>>,
    pub(super) fired: Vec<RuleIdx>,
    /// Where each customer's fired rules end in `fired`.
    pub(super) fired_ends: Vec<usize>,
    pub(super) totals: Vec<f64>,
}

impl<'a> Outcomes<'a> {
    pub(super) fn new(rules: &RuleSet) -> Self {
        Outcomes {
            width: rules.outputs.len(),
            totals_width: rules.summary.totals.len(),
            ..Default::default()
        }
    }

    /// Empty, with room for `customers` customers' results (about one fired rule per
    /// decision each).
    pub(super) fn with_room(rules: &RuleSet, customers: usize) -> Self {
        let mut o = Outcomes::new(rules);
        o.indices.reserve_exact(customers);
        o.fired_ends.reserve_exact(customers);
        o.values.reserve_exact(customers * o.width);
        o.totals.reserve_exact(customers * o.totals_width);
        o.fired.reserve_exact(customers * rules.decisions.len());
        o
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
            totals: &self.totals[k * self.totals_width..(k + 1) * self.totals_width],
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = Outcome<'_, 'a>> {
        (0..self.len()).map(|k| self.get(k))
    }

    /// `parts` one after the other. The first part's storage is kept and grown once for
    /// the rest, so a run on one thread (one part) copies nothing.
    pub(super) fn concat(rules: &RuleSet, parts: Vec<Outcomes<'a>>) -> Outcomes<'a> {
        let mut parts = parts.into_iter();
        let Some(mut all) = parts.next() else {
            return Outcomes::new(rules);
        };
        let rest: Vec<Outcomes<'a>> = parts.collect();
        let sum = |f: fn(&Outcomes<'a>) -> usize| rest.iter().map(f).sum::<usize>();
        all.indices.reserve_exact(sum(|o| o.indices.len()));
        all.values.reserve_exact(sum(|o| o.values.len()));
        all.fired.reserve_exact(sum(|o| o.fired.len()));
        all.fired_ends.reserve_exact(sum(|o| o.fired_ends.len()));
        all.totals.reserve_exact(sum(|o| o.totals.len()));
        for part in rest {
            all.append(part);
        }
        all
    }

    /// The summary totals over these customers, added in customer order: the same sums
    /// however the threads split the customers (a float sum depends on its order, and the
    /// same rules showed `+0.00` of money moved), each carrying what its additions rounded
    /// off: 50,000 exposures of up to 10 bn summed plainly were 1.58 off a ledger's total
    /// printed to the cent (the model-risk validator's F04).
    pub(super) fn sum_totals(&self) -> Vec<f64> {
        let mut sums = vec![crate::value::Sum::default(); self.totals_width];
        for customer in self.totals.chunks_exact(self.totals_width.max(1)) {
            for (sum, x) in sums.iter_mut().zip(customer) {
                *sum = sum.plus(*x);
            }
        }
        sums.into_iter().map(crate::value::Sum::total).collect()
    }

    pub(super) fn append(&mut self, mut other: Outcomes<'a>) {
        let offset = self.fired.len();
        self.indices.append(&mut other.indices);
        self.values.append(&mut other.values);
        self.fired.append(&mut other.fired);
        self.totals.append(&mut other.totals);
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
    /// Per `moves` entry: how the output moved since the previous period.
    pub moves: Vec<MoveCount>,
    /// The totals as merged, with what each merge rounded off (`totals` is their value): a
    /// run's chunks added plainly drifted by a part in 10^15 per chunk.
    running: Vec<crate::value::Sum>,
}

/// Customers by how an output moved since the previous period, in its order of values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MoveCount {
    pub up: usize,
    pub down: usize,
    pub same: usize,
    /// From or to a value the order does not rank.
    pub changed: usize,
    /// No value in the previous period (new, absent then, or NULL).
    pub new: usize,
    /// How many values the order ranks (`n`).
    pub ranked: usize,
    /// Customers by value before (row) and now (column), `n + 2` rows of `n + 1`: rows and
    /// columns `0..n` are the order's values, row and column `n` a value it does not rank
    /// (or NULL now), row `n + 1` no value before.
    matrix: Vec<usize>,
}

impl MoveCount {
    fn new(ranked: usize) -> Self {
        MoveCount {
            ranked,
            matrix: vec![0; (ranked + 2) * (ranked + 1)],
            ..Default::default()
        }
    }

    /// Customers whose value was the `before`-th row's and is the `now`-th column's.
    pub fn cell(&self, before: usize, now: usize) -> usize {
        self.matrix
            .get(before * (self.ranked + 1) + now)
            .copied()
            .unwrap_or(0)
    }

    fn add(&mut self, other: MoveCount) {
        self.up += other.up;
        self.down += other.down;
        self.same += other.same;
        self.changed += other.changed;
        self.new += other.new;
        if self.matrix.is_empty() {
            self.ranked = other.ranked;
            self.matrix = other.matrix;
        } else {
            for (mine, theirs) in self.matrix.iter_mut().zip(other.matrix) {
                *mine += theirs;
            }
        }
    }
}

impl Tally {
    pub(super) fn new(rules: &RuleSet) -> Self {
        Tally {
            customers: 0,
            counts: vec![Vec::new(); rules.summary.count_by.len()],
            totals: vec![0.0; rules.summary.totals.len()],
            moves: rules
                .summary
                .moves
                .iter()
                .map(|m| MoveCount::new(m.order.len()))
                .collect(),
            running: Vec::new(),
        }
    }

    /// Counts a move of `m.output` from `before` to `now`.
    pub(super) fn moved(&mut self, k: usize, m: &Move, before: &Value<'_>, now: &Value<'_>) {
        let count = &mut self.moves[k];
        let n = m.order.len();
        // `4` in the order is also the `4.0` a decimal column reads back from a run; numbers
        // are parsed only when no text of the order is the value (text tiers never are).
        let rank = |v: &str| {
            (m.order.iter()).position(|o| o == v).or_else(|| {
                let x = v.parse::<f64>().ok()?;
                (m.order.iter()).position(|o| o.parse::<f64>() == Ok(x))
            })
        };
        // Text (the usual case) is compared without copying it.
        let (shown_before, shown_now);
        let now_is_bool = matches!(now, Value::Bool(_));
        let now = match now.as_str() {
            Some(text) => text,
            None => {
                shown_now = display_key(now);
                shown_now.as_str()
            }
        };
        let column = rank(now).unwrap_or(n);
        if before.is_null() {
            count.new += 1;
            count.matrix[(n + 1) * (n + 1) + column] += 1;
            return;
        }
        let before = match before {
            Value::Str(text) => text,
            // A run's true/false read back as 1/0 where the column is not typed.
            Value::Int(i @ (0 | 1)) if now_is_bool => {
                if *i == 1 {
                    "true"
                } else {
                    "false"
                }
            }
            _ => {
                shown_before = display_key(before);
                shown_before.as_str()
            }
        };
        let row = rank(before).unwrap_or(n);
        count.matrix[row * (n + 1) + column] += 1;
        match (row, column) {
            (b, c) if b < n && c < n && b == c => count.same += 1,
            // One value written two ways (`4`, `4.0`), whether the order lists it once,
            // twice or not at all: compared only for a customer who did not stay put.
            _ if crate::value::same_text_value(before, now) => count.same += 1,
            (b, c) if b < n && c < n && c < b => count.up += 1,
            (b, c) if b < n && c < n => count.down += 1,
            _ => count.changed += 1,
        }
    }

    pub(super) fn count(&mut self, dimension: usize, value: &Value<'_>, n: usize) {
        let counts = &mut self.counts[dimension];
        let found = match value {
            Value::Null => counts.iter().position(|(k, _)| k == "(none)"),
            v => match v.as_str() {
                // Most keys are text as it is: compared without a copy.
                Some(text) if !text.is_empty() && text != "(none)" && !text.starts_with('"') => {
                    counts.iter().position(|(k, _)| k == text)
                }
                _ => {
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

    /// Gives the totals that are `money` (indices) to the cent, once every part is merged:
    /// a sum of many amounts carries a binary tail (`37449510.67839995`) that programs
    /// reading the run's JSON and its record would otherwise see.
    pub fn money_to_cents(&mut self, money: &[usize]) {
        for &k in money {
            if let Some(sum) = self.totals.get_mut(k) {
                *sum = crate::text::to_cents(*sum);
            }
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
        let width = self.totals.len().max(other.totals.len());
        self.totals.resize(width, 0.0);
        self.running.resize(width, crate::value::Sum::default());
        for (k, theirs) in other.totals.into_iter().enumerate() {
            // Totals given whole (a chunk's, summed in customer order) start the running sum.
            if self.running[k].total() != self.totals[k] {
                self.running[k] = crate::value::Sum::default().plus(self.totals[k]);
            }
            self.running[k] = self.running[k].plus(theirs);
            self.totals[k] = self.running[k].total();
        }
        if self.moves.len() < other.moves.len() {
            self.moves.resize(other.moves.len(), MoveCount::default());
        }
        for (mine, theirs) in self.moves.iter_mut().zip(other.moves) {
            mine.add(theirs);
        }
    }
}

/// How a value is shown as a summary key: NULL as `(none)`, and a text that would read as
/// it or as nothing (`"(none)"`, `""`) in quotes; a decimal as the rules' `==` compares it
/// ([`crate::value::compared_decimal`]) (sums of thirds added in another order, 2.333333333333333 and
/// 2.3333333333333335, are one value, counted once), a whole one as the integer (`13`).
pub fn display_key(v: &Value<'_>) -> String {
    match v {
        Value::Null => "(none)".into(),
        Value::Float(f) if f.is_finite() => {
            let x = crate::value::compared_decimal(*f);
            // A whole decimal is the integer the rules call equal to it (`13.0 == 13`): one
            // key, as `by:` groups them, not `13` and `13.0` counted apart.
            match crate::text::whole(x) {
                Some(n) => n.to_string(),
                None => Value::Float(x).to_string(),
            }
        }
        v => match v.as_str() {
            // `""` is the empty text's key: a text that is itself in quotes (a CSV import's
            // `""`) is quoted again, not counted with it.
            Some(t) if t.is_empty() || t == "(none)" || t.starts_with('"') => format!("{t:?}"),
            Some(t) => t.to_owned(),
            None => v.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Money totals are given to the cent once the chunks are merged: a run of more than one
    /// chunk (65,536 customers) adds rounded parts back into a binary tail otherwise.
    #[test]
    fn money_totals_are_to_the_cent_after_the_chunks_merge() {
        let part = |x: f64| Tally {
            totals: vec![x, x],
            ..Tally::default()
        };
        let mut tally = Tally::default();
        for x in [0.1, 0.2, 10_009_650.18] {
            tally.merge(part(x));
        }
        tally.money_to_cents(&[1]);
        let sum = [0.1, 0.2, 10_009_650.18].iter();
        let compensated = sum.fold(crate::value::Sum::default(), |s, x| s.plus(*x));
        assert_eq!(tally.totals[0], compensated.total());
        assert_eq!(tally.totals[1].to_string(), "10009650.48");
    }

    /// A ledger's total to the cent: 50,000 exposures of up to 10 bn with cents, in chunks,
    /// summed plainly were 1.58 off the exact sum; carried, within the last place's
    /// half-unit of the total (the model-risk validator's F04).
    #[test]
    fn totals_over_chunks_are_the_sum_to_the_last_place() {
        let amounts: Vec<i64> = (0..50_000_i64)
            .map(|i| 100_000_000 + (i * 7_919_993 % 1_000_000_000) * 997 + i % 100)
            .collect();
        let exact_cents: i128 = amounts.iter().map(|&c| c as i128).sum();
        let mut outcomes_sum = Tally::default();
        for chunk in amounts.chunks(7) {
            let part = Tally {
                totals: vec![
                    chunk
                        .iter()
                        .fold(crate::value::Sum::default(), |s, &c| {
                            s.plus(c as f64 / 100.0)
                        })
                        .total(),
                ],
                ..Tally::default()
            };
            outcomes_sum.merge(part);
        }
        let total = outcomes_sum.totals[0];
        let ulp = f64::from_bits(total.to_bits() + 1) - total;
        let off = (total - exact_cents as f64 / 100.0).abs();
        assert!(off <= ulp, "{total} vs {exact_cents} cents: {off} off");
    }

    #[test]
    fn moves_fill_the_matrix_and_merge_per_chunk() {
        let m = Move {
            output: "tier".into(),
            slot: 0,
            previous: 1,
            order: vec!["A".into(), "B".into()],
            origin: crate::rules::Origin {
                file: crate::diag::SourceFile::new("summary.yaml".into(), String::new()),
                line: 1,
                column: 1,
                chars: None,
            },
        };
        let mut first = Tally {
            moves: vec![MoveCount::new(2)],
            ..Default::default()
        };
        let mut second = first.clone();
        first.moved(0, &m, &Value::Str("B"), &Value::Str("A")); // up
        first.moved(0, &m, &Value::Null, &Value::Str("B")); // new
        second.moved(0, &m, &Value::Str("A"), &Value::Str("A")); // same
        second.moved(0, &m, &Value::Str("A"), &Value::Null); // changed: to no value
        second.moved(0, &m, &Value::Int(7), &Value::Str("B")); // changed: from an unranked one
        let mut all = Tally::default();
        all.merge(first);
        all.merge(second);
        let count = &all.moves[0];
        assert_eq!(
            (count.up, count.down, count.same, count.changed, count.new),
            (1, 0, 1, 2, 1)
        );
        assert_eq!(
            (count.cell(1, 0), count.cell(0, 0), count.cell(0, 2)),
            (1, 1, 1)
        );
        assert_eq!((count.cell(2, 1), count.cell(3, 1)), (1, 1));
        assert_eq!(count.matrix.iter().sum::<usize>(), 5);
    }
}
