//! Earlier periods' outcomes, as the rules read them (`previous.tier`, `previous_2.tier`,
//! `held.tier`): each earlier period's run is a dataset of its outputs by customer, and the
//! evaluator finds every current customer's row in it once, before any customer is
//! evaluated. A customer with no row in a period (new, or absent then), and a period with
//! no run, read as NULL.

use crate::rules::RuleSet;
use crate::source::Dataset;
use crate::time::Period;
use crate::value::Value;
use std::collections::HashMap;

/// The earlier periods a run reads, newest first: `runs[0]` is the previous period's
/// official run (`None`: no run for that period, or one the rules read nothing of).
#[derive(Debug, Default)]
pub struct History {
    pub runs: Vec<Option<PastRun>>,
}

/// One earlier period's run: its outputs for every customer in it.
#[derive(Debug)]
pub struct PastRun {
    pub period: Period,
    /// The official run it was read from (`None`: given by a rule test).
    pub run_id: Option<i64>,
    /// Columns named after the run's outputs (and `held.x` counts), plus the id column.
    pub data: Dataset,
}

impl History {
    /// No earlier period at all (a first run, or rules that read none).
    pub fn none() -> History {
        History::default()
    }

    /// The previous period's rows that no customer of `data` has (gone since), and `data`'s
    /// customers with no row in it (`None`: `rules` read no history): what an evaluator of
    /// `rules` on `data` finds, for a preview that builds none.
    pub fn previous_matches(
        &self,
        rules: &RuleSet,
        data: &Dataset,
    ) -> (Vec<usize>, Option<Vec<usize>>) {
        let bound = Bound::new(rules, self, data);
        (bound.unmatched_previous(), bound.absent_from_previous())
    }
}

/// Where no row is.
const ABSENT: u32 = u32::MAX;

/// A history bound to the current customers: for each past value the rules read, the
/// column it comes from, and for each period each customer's row.
#[derive(Debug, Default)]
pub(super) struct Bound<'h> {
    /// Per period back (index 0: the previous one): each current customer's row, or ABSENT.
    rows: Vec<Option<(&'h Dataset, Vec<u32>)>>,
    /// (slot, period index, column in that period's data)
    slots: Vec<(usize, usize, Option<usize>)>,
}

impl<'h> Bound<'h> {
    pub fn new(rules: &RuleSet, history: &'h History, data: &Dataset) -> Bound<'h> {
        if rules.past.is_empty() {
            return Bound::default();
        }
        let depth = rules
            .past
            .iter()
            .map(|p| p.back as usize)
            .max()
            .unwrap_or(0);
        let rows = (0..depth)
            .map(|k| {
                let run = history.runs.get(k)?.as_ref()?;
                Some((&run.data, align(data, &run.data)))
            })
            .collect::<Vec<_>>();
        let slots = rules
            .past
            .iter()
            .map(|p| {
                let k = p.back as usize - 1;
                let column = rows[k]
                    .as_ref()
                    .and_then(|(past, _)| past.names.iter().position(|n| *n == p.column));
                (p.slot, k, column)
            })
            .collect();
        Bound { rows, slots }
    }

    /// How many of the periods the rules read hold customer `i`.
    pub fn periods_of(&self, i: usize) -> usize {
        (self.rows.iter().flatten())
            .filter(|(_, rows)| rows.get(i).is_some_and(|&r| r != ABSENT))
            .count()
    }

    /// The rows of the previous period's run that no current customer has (customers
    /// gone since), in its order; empty when the rules read no history.
    pub fn unmatched_previous(&self) -> Vec<usize> {
        let Some(Some((past, rows))) = self.rows.first() else {
            return Vec::new();
        };
        let mut matched = vec![false; past.len];
        for &r in rows.iter().filter(|&&r| r != ABSENT) {
            matched[r as usize] = true;
        }
        (0..past.len).filter(|&r| !matched[r]).collect()
    }

    /// The current customers with no row in the previous period's run (new, absent then,
    /// or left out of it), in order; `None` when the rules read no history (nothing is
    /// aligned).
    pub fn absent_from_previous(&self) -> Option<Vec<usize>> {
        let Some(Some((_, rows))) = self.rows.first() else {
            return None;
        };
        Some((0..rows.len()).filter(|&i| rows[i] == ABSENT).collect())
    }

    /// Puts customer `i`'s past values into the frame.
    #[inline]
    pub fn load(&self, i: usize, frame: &mut [Value<'h>]) {
        for &(slot, k, column) in &self.slots {
            frame[slot] = match (column, &self.rows[k]) {
                (Some(c), Some((past, rows))) if rows[i] != ABSENT => {
                    past.columns[c].value(rows[i] as usize)
                }
                _ => Value::Null,
            };
        }
    }
}

/// Each customer of `now`'s row in `past` (by id), or ABSENT.
fn align(now: &Dataset, past: &Dataset) -> Vec<u32> {
    // Runs usually list the customers in the same order as the source: then no lookup.
    let same_order = now.len == past.len && (0..now.len).all(|i| same_id(now.id(i), past.id(i)));
    if same_order {
        return (0..now.len as u32).collect();
    }
    let mut by_id: HashMap<String, u32> = HashMap::with_capacity(past.len);
    for r in 0..past.len {
        by_id.entry(past.id_text(r)).or_insert(r as u32);
    }
    (0..now.len)
        .map(|i| by_id.get(&now.id_text(i)).copied().unwrap_or(ABSENT))
        .collect()
}

fn same_id(a: Value<'_>, b: Value<'_>) -> bool {
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (a, b) => a.to_string() == b.to_string(),
    }
}

/// Whether two values are the same for `held` ([`Value::same`]); NULL is never the same.
pub(super) fn same(a: &Value<'_>, b: &Value<'_>) -> bool {
    !a.is_null() && !b.is_null() && a.same(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Context, Evaluator, Mode};
    use crate::source::{Cell, Field};
    use crate::time::{Date, PeriodKind};

    const RULES: &str = "decisions:
  - name: tier
    rules:
      - { id: a, when: sales >= 100, then: { tier: A } }
      - { id: c, then: { tier: C } }
  - name: trend
    output: trend
    rules:
      - { id: new, when: is_null(previous.tier), value: new }
      - { id: same, when: previous.tier == tier, value: same }
      - { id: moved, value: '= `${previous_2.tier ?? \"-\"} ${previous.tier} ${tier}`' }
  - name: streak
    output: streak
    rules: [ { id: s, value: '= held.tier' } ]
";

    fn fields(names: &[&str]) -> Vec<Field> {
        names.iter().map(|n| Field::new(n, None)).collect()
    }

    fn cells(rows: &[(&str, Cell<'static>)]) -> Vec<Vec<Cell<'static>>> {
        rows.iter()
            .map(|(id, v)| vec![Cell::Text((*id).to_owned().into()), v.clone()])
            .collect()
    }

    fn past(period: &str, names: &[&str], rows: Vec<Vec<Cell<'static>>>) -> Option<PastRun> {
        Some(PastRun {
            run_id: None,
            period: Period::parse(period).unwrap(),
            data: Dataset::from_rows(&fields(names), "customer_id", &rows).unwrap(),
        })
    }

    fn text(s: &str) -> Cell<'static> {
        Cell::Text(s.to_owned().into())
    }

    /// Each customer's (trend, streak) under `history`, in both evaluation modes.
    fn evaluate(history: &History) -> Vec<(String, String)> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("r.yaml"), RULES).unwrap();
        let columns = fields(&["customer_id", "sales"]);
        let (rules, _) = crate::rules::load(dir.path(), &columns, &Default::default()).unwrap();
        let rows: Vec<Vec<Cell>> = [("c1", 150), ("c2", 50), ("c3", 50), ("c4", 150)]
            .iter()
            .map(|(id, s)| vec![text(id), Cell::Int(*s)])
            .collect();
        let data = Dataset::from_rows(&columns, "customer_id", &rows).unwrap();
        let context = Context::new(Date::new(2026, 9, 30).unwrap(), PeriodKind::Quarter);
        let mut results = Vec::new();
        for mode in [Mode::Fast, Mode::Interpreter] {
            let ev = Evaluator::with_history(&rules, &data, context, history, mode).unwrap();
            let (outcomes, _) = ev.evaluate(0..data.len).unwrap();
            let got: Vec<(String, String)> = outcomes
                .iter()
                .map(|o| (o.outputs[1].to_string(), o.outputs[2].to_string()))
                .collect();
            results.push(got);
        }
        assert_eq!(results[0], results[1], "fast path and interpreter agree");
        results.remove(0)
    }

    #[test]
    fn previous_values_k_back_and_how_long_a_value_was_held() {
        let history = History {
            runs: vec![
                // 2026-Q2: c1 was C (held 1 period), c2 C (held 3), c3 absent; an old run
                // without `held.tier` reads NULL for it.
                past(
                    "2026-Q2",
                    &["customer_id", "tier", "held.tier"],
                    vec![
                        vec![text("c1"), text("C"), Cell::Int(1)],
                        vec![text("c2"), text("C"), Cell::Int(3)],
                        vec![text("c4"), text("A"), Cell::Null],
                    ],
                ),
                past(
                    "2026-Q1",
                    &["customer_id", "tier"],
                    cells(&[("c1", text("A")), ("c2", text("C"))]),
                ),
            ],
        };
        assert_eq!(
            evaluate(&history),
            [
                ("A C A".to_owned(), "1".to_owned()),
                ("same".to_owned(), "3".to_owned()),
                ("new".to_owned(), "NULL".to_owned()),
                ("same".to_owned(), "NULL".to_owned()),
            ]
        );
    }

    #[test]
    fn no_history_reads_null_and_a_missing_period_too() {
        let got = evaluate(&History::none());
        assert!(got.iter().all(|(trend, _)| trend == "new"), "{got:?}");
        let gap = History {
            runs: vec![
                None,
                past(
                    "2026-Q1",
                    &["customer_id", "tier"],
                    cells(&[("c1", text("A"))]),
                ),
            ],
        };
        assert!(evaluate(&gap).iter().all(|(trend, _)| trend == "new"));
    }
}
