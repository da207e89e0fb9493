//! `check --data`: the rules evaluated on the real customers, tallied in parallel: the rows
//! each matched, the customers a decision (or one of its outputs) gave no value, and the
//! rules that failed, by the way they failed.

use crate::engine::{Context, EvalError, Evaluator, History, Mode, Outcomes};
use crate::error::Error;
use crate::rules::{self, RuleIdx, RuleSet, ValueExpr};
use crate::source::Dataset;
use crate::value::Lit;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// How many example customer ids a finding lists.
const EXAMPLES: usize = 3;

/// What evaluating the rules on the real population found.
#[derive(Debug, Default, Serialize)]
pub struct DataCheck {
    pub customers: usize,
    /// The day and period the rules were evaluated as of (`--as-of`, default today).
    pub as_of: String,
    pub period: String,
    /// Customers for whom some rule failed: the findings per decision count only the others
    /// (a failed customer's rows are not known).
    pub customers_failed: usize,
    pub decisions: Vec<DecisionFindings>,
    /// Rules that failed for some customers (including `unique` conflicts), one entry per
    /// way a rule failed (a NULL and a zero divisor are two).
    pub failures: Vec<Failure>,
    /// Ids that differ from another only in case, spaces or leading zeros, a group each
    /// (at most a few): kept apart, each its own customer, most often one exported twice.
    pub id_variants: Vec<Vec<String>>,
    /// How many such groups there are.
    pub id_variant_groups: usize,
    /// Metrics whose formula orders a field or metric NULL for some customers without a
    /// NULL test: those customers get what the other branch gives.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub null_in_metrics: Vec<NullInMetric>,
    /// Ids that appear more than once, which `run` refuses (`None`: every id is unique).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repeated_ids: Option<RepeatedIds>,
}

/// Customer ids that appear more than once in the source.
#[derive(Debug, Clone, Serialize)]
pub struct RepeatedIds {
    /// How many ids appear more than once.
    pub ids: usize,
    /// How many customers (rows) hold them.
    pub customers: usize,
    pub examples: Vec<String>,
}

#[derive(Debug, Default, Serialize)]
pub struct DecisionFindings {
    pub decision: String,
    /// Rows (by id) that matched no customer (where one matching row is picked among
    /// several by value, `any`, `priority`, `max`, `min`: that gave the outputs to none).
    pub rows_never_matched: Vec<String>,
    /// Rows (by id, with their window) not in effect on the day checked: they matched no
    /// customer because of the date, not of the data (a successor row starting a day late
    /// left every overdue customer unblocked for that day).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rows_not_in_effect: Vec<String>,
    /// The hit policy that picks one of the matching rows by value, when it does: a row
    /// that matched and always lost is among `rows_never_matched`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub picked_by: Option<String>,
    /// Caps (by id) whose limit is a formula and that bound no customer: a limit never
    /// reached, or a condition that holds for no one (`channel == "Wholesale"` where the
    /// data says `wholesale`). A constant limit never reached is a safety limit: not said.
    pub caps_never_bound: Vec<String>,
    /// Customers no row matched, or whose matching row's formulas gave NULL (`first` and
    /// `unique` decisions): they get no value. A row that gives `null` on purpose is a value.
    pub customers_without_value: usize,
    pub examples: Vec<String>,
    /// Outputs the matching row leaves empty (a blank cell, an output left out of `then:`)
    /// for customers the decision otherwise gave a value.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub outputs_without_value: Vec<OutputGap>,
    /// Fields and metrics NULL for some customers that its rows order without a NULL test.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub null_past_rows: Vec<NullPast>,
}

/// A field or metric NULL for some customers that rows of a decision order, none of its
/// rows testing it for NULL: the ordering is false for them, and they get the first row
/// that does not compare it.
#[derive(Debug, Default, Serialize)]
pub struct NullPast {
    pub name: String,
    pub customers: usize,
    pub examples: Vec<String>,
    /// The rows (by id) that order it.
    pub rows: Vec<String>,
}

/// A metric whose formula (or a script function it passes it to) orders a name NULL for
/// some customers, never testing it for NULL.
#[derive(Debug, Default, Serialize)]
pub struct NullInMetric {
    pub metric: String,
    pub name: String,
    /// Ordered in a script function the formula passes it to (`tpts(tenure)`).
    pub in_function: bool,
    pub customers: usize,
    pub examples: Vec<String>,
}

/// One output of a decision that some customers got no value for, though a row matched.
#[derive(Debug, Default, Serialize)]
pub struct OutputGap {
    pub output: String,
    pub customers: usize,
    pub examples: Vec<String>,
    /// The rows (by id) that matched those customers.
    pub rows: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    /// "rule `x`", "decision `y`", "metric `z`".
    pub rule: String,
    /// The first customer's message.
    pub message: String,
    pub customers: usize,
    pub examples: Vec<String>,
}

/// The findings, and the warnings known once every customer has its outputs
/// ([`rules::lint::OutputSpellings`]).
pub(super) fn check_data(
    rules: &RuleSet,
    customers: &Dataset,
    context: Context,
    history: &History,
) -> Result<(DataCheck, Vec<crate::diag::Diagnostic>), Error> {
    let evaluator = Evaluator::with_history(rules, customers, context, history, Mode::Fast)?;
    let scope = Scope::new(rules, customers);
    // Found once: each part of the parallel tally starts from a copy.
    let spellings = rules::lint::OutputSpellings::new(rules);
    // Fields and metrics rows order without a test for NULL: their NULLs, counted.
    let mut watched = rules::lint::ordered_without_null_test(rules);
    for slot in rules::lint::ordered_in_metrics(rules) {
        if !watched.contains(&slot) {
            watched.push(slot);
        }
    }
    let tallies = (0..customers.len)
        .into_par_iter()
        .fold(
            || Tallies::new(rules, &spellings, &watched),
            |mut t, i| {
                let outcome = evaluator.evaluate_one_seeing(i, |frame| {
                    for (k, &slot) in watched.iter().enumerate() {
                        if frame.get(slot).is_some_and(crate::value::Value::is_null) {
                            t.nulls[k].add(|| customers.id_text(i));
                        }
                    }
                });
                t.add(&scope, i, outcome);
                t
            },
        )
        .reduce(|| Tallies::new(rules, &spellings, &watched), Tallies::merge);
    let null_in: Vec<rules::Slot> = (watched.iter().zip(&tallies.nulls))
        .filter(|(_, counted)| counted.customers > 0)
        .map(|(&slot, _)| slot)
        .collect();
    let null_past = rules::lint::null_past_rows(rules, &null_in);
    let null_counts: HashMap<String, Counted> = (watched.iter().zip(&tallies.nulls))
        .map(|(&slot, counted)| (rules.slot_name(slot).to_owned(), counted.clone()))
        .collect();
    let mut given = (tallies.spellings).warnings(rules, |i| customers.id_text(i));
    // Population figures NULL for many customers, ordered in rows that never test for NULL.
    let mut nulls: HashMap<rules::Slot, usize> = HashMap::new();
    for i in 0..customers.len {
        for (slot, value) in evaluator.precomputed(i) {
            if value.is_null() {
                *nulls.entry(slot).or_default() += 1;
            }
        }
    }
    given.extend(rules::lint::unranked_rows(rules, &nulls, customers.len));
    let mut check = tallies.into_check(rules, customers.len);
    check.null_in_metrics = (rules::lint::null_in_metrics(rules, &null_in).into_iter())
        .map(|m| {
            let counted = &null_counts[&m.name];
            NullInMetric {
                metric: m.metric,
                name: m.name,
                in_function: m.in_function,
                customers: counted.customers,
                examples: counted.examples.clone(),
            }
        })
        .collect();
    for past in null_past {
        let counted = &null_counts[&past.name];
        check.decisions[past.decision]
            .null_past_rows
            .push(NullPast {
                name: past.name,
                customers: counted.customers,
                examples: counted.examples.clone(),
                rows: past.rows,
            });
    }
    for (d, findings) in rules.decisions.iter().zip(&mut check.decisions) {
        let (out, kept): (Vec<String>, Vec<String>) = (findings.rows_never_matched.drain(..))
            .partition(|id| {
                (d.rows.iter()).any(|row| {
                    rules.rule_ids[row.rule as usize] == *id
                        && row.effective.is_some_and(|w| !w.contains(context.as_of))
                })
            });
        findings.rows_never_matched = kept;
        findings.rows_not_in_effect = (out.into_iter())
            .map(|id| {
                let row = d
                    .rows
                    .iter()
                    .find(|r| rules.rule_ids[r.rule as usize] == id);
                match row.and_then(|r| r.effective) {
                    Some(w) => format!("{id} ({w})"),
                    None => id,
                }
            })
            .collect();
    }
    check.as_of = context.as_of.to_string();
    check.period = context.period.label().to_string();
    check.repeated_ids = repeated_ids(customers);
    let variants = customers.id_variants();
    check.id_variant_groups = variants.len();
    check.id_variants = variants.into_iter().take(EXAMPLES).collect();
    Ok((check, given))
}

/// Customer ids that appear more than once: `run` refuses such data (every policy is keyed
/// by the customer's id), so `check --data` says so first.
fn repeated_ids(customers: &Dataset) -> Option<RepeatedIds> {
    let mut seen: HashMap<String, usize> = HashMap::with_capacity(customers.len);
    for i in 0..customers.len {
        *seen.entry(customers.id_text(i)).or_default() += 1;
    }
    let mut repeated: Vec<(String, usize)> = seen.into_iter().filter(|(_, n)| *n > 1).collect();
    if repeated.is_empty() {
        return None;
    }
    repeated.sort();
    Some(RepeatedIds {
        ids: repeated.len(),
        customers: repeated.iter().map(|(_, n)| n).sum(),
        examples: (repeated.iter().take(EXAMPLES))
            .map(|(id, _)| id.clone())
            .collect(),
    })
}

/// What tallying a customer needs besides its outcome.
struct Scope<'a> {
    rules: &'a RuleSet,
    customers: &'a Dataset,
    /// Each row's decision and its place there (caps are not rows a customer "matches").
    row_of: HashMap<RuleIdx, (usize, usize)>,
    /// Per decision: where its outputs are among the rules' outputs.
    outputs_of: Vec<Vec<Option<usize>>>,
    /// Rows that give NULL on purpose (`value: null`): no value from them is no surprise.
    null_rows: HashSet<RuleIdx>,
}

impl<'a> Scope<'a> {
    fn new(rules: &'a RuleSet, customers: &'a Dataset) -> Self {
        let mut row_of = HashMap::new();
        for (k, d) in rules.decisions.iter().enumerate() {
            for (n, row) in d.rows.iter().enumerate() {
                row_of.insert(row.rule, (k, n));
            }
        }
        let outputs_of = rules
            .decisions
            .iter()
            .map(|d| {
                d.outputs
                    .iter()
                    .map(|slot| rules.outputs.iter().position(|o| o.slot == *slot))
                    .collect()
            })
            .collect();
        let null_rows = rules
            .decisions
            .iter()
            .flat_map(|d| &d.rows)
            .filter(|row| {
                row.values
                    .iter()
                    .all(|(_, v)| matches!(v, ValueExpr::Const(Lit::Null)))
            })
            .map(|row| row.rule)
            .collect();
        Scope {
            rules,
            customers,
            row_of,
            outputs_of,
            null_rows,
        }
    }
}

/// Findings over some of the customers (one thread's), merged at the end.
struct Tallies {
    /// Customers each rule matched, by rule index.
    matched: Vec<usize>,
    /// Per decision: customers no row matched.
    without_value: Vec<Counted>,
    /// Per decision and output (its place in the decision's outputs): customers a matching
    /// row gave no value for it, and those rows.
    gaps: Vec<Vec<(Counted, HashSet<RuleIdx>)>>,
    /// Per failing rule and way it failed ([`gist`] of the message): its first message, and
    /// the customers it failed for that way.
    failures: HashMap<(String, String), (String, Counted)>,
    /// Customers some rule failed for.
    failed: usize,
    /// Outputs compared with texts that customers got in another spelling.
    spellings: rules::lint::OutputSpellings,
    /// Per watched field or metric: customers for whom it is NULL.
    nulls: Vec<Counted>,
}

/// What a failure's message says without the customer's own values (quoted text and
/// numbers): customers a rule failed for the same way share it (`division by zero` apart
/// from `prev_sales` is NULL).
fn gist(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut quoted = false;
    for c in message.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                out.push(c);
            }
            _ if quoted => {}
            c if c.is_ascii_digit() || c == '.' || c == '-' => {
                if !out.ends_with('#') {
                    out.push('#');
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// A number of customers, and the first few of their ids.
#[derive(Clone, Default)]
struct Counted {
    customers: usize,
    examples: Vec<String>,
}

impl Counted {
    /// Counts one more customer; `id` is only called while examples are wanted.
    fn add(&mut self, id: impl FnOnce() -> String) {
        self.customers += 1;
        if self.examples.len() < EXAMPLES {
            self.examples.push(id());
        }
    }

    /// Adds `other`'s customers, after this one's.
    fn merge(&mut self, other: Counted) {
        self.customers += other.customers;
        self.examples.extend(other.examples);
        self.examples.truncate(EXAMPLES);
    }
}

impl Tallies {
    fn new(
        rules: &RuleSet,
        spellings: &rules::lint::OutputSpellings,
        watched: &[rules::Slot],
    ) -> Self {
        Tallies {
            nulls: vec![Counted::default(); watched.len()],
            matched: vec![0; rules.rule_ids.len()],
            without_value: vec![Counted::default(); rules.decisions.len()],
            gaps: (rules.decisions.iter())
                .map(|d| vec![Default::default(); d.outputs.len()])
                .collect(),
            failures: HashMap::new(),
            failed: 0,
            spellings: spellings.clone(),
        }
    }

    /// Tallies customer `i`'s outcome: the rows it matched and the decisions that gave it no
    /// value, or the rule that failed.
    fn add(&mut self, scope: &Scope<'_>, i: usize, outcome: Result<Outcomes<'_>, EvalError>) {
        let outcomes = match outcome {
            Ok(outcomes) => outcomes,
            Err(e) => {
                self.failed += 1;
                let (_, failed) = self
                    .failures
                    .entry((e.rule, gist(&e.message)))
                    .or_insert_with(|| (e.message, Counted::default()));
                failed.add(|| e.customer);
                return;
            }
        };
        // Per decision: the row that matched.
        let mut hit = vec![None; scope.rules.decisions.len()];
        for &r in outcomes.get(0).fired {
            self.matched[r as usize] += 1;
            if let Some(&(k, n)) = scope.row_of.get(&r) {
                hit[k] = Some(&scope.rules.decisions[k].rows[n]);
            }
        }
        let values = outcomes.get(0).outputs;
        self.spellings.count(i, values);
        for (k, d) in scope.rules.decisions.iter().enumerate() {
            if !d.hit.shape().one_row {
                continue;
            }
            let outputs = &scope.outputs_of[k];
            let given = |o: &Option<usize>| o.is_some_and(|o| !values[o].is_null());
            let all_null = !outputs.is_empty() && !outputs.iter().any(given);
            let Some(row) = hit[k] else {
                // No row matched: a `default:` may still have given a value.
                if outputs.is_empty() || all_null {
                    self.without_value[k].add(|| scope.customers.id_text(i));
                }
                continue;
            };
            // Beside outputs with a value, a NULL is a gap only where the row leaves the
            // output empty (a blank cell, left out of `then:`): `null` and a formula's NULL
            // are what the row gives.
            let left_empty = |j: usize| !row.values.iter().any(|(o, _)| *o == j);
            if all_null {
                if !scope.null_rows.contains(&row.rule) {
                    self.without_value[k].add(|| scope.customers.id_text(i));
                }
                continue;
            }
            for (j, o) in outputs.iter().enumerate() {
                if o.is_some() && !given(o) && left_empty(j) {
                    let (counted, rows) = &mut self.gaps[k][j];
                    counted.add(|| scope.customers.id_text(i));
                    rows.insert(row.rule);
                }
            }
        }
    }

    /// Adds `other`'s customers, which come after this one's.
    fn merge(mut self, other: Tallies) -> Tallies {
        self.failed += other.failed;
        self.spellings.merge(other.spellings);
        for (x, y) in self.nulls.iter_mut().zip(other.nulls) {
            x.merge(y);
        }
        for (x, y) in self.matched.iter_mut().zip(other.matched) {
            *x += y;
        }
        for (x, y) in self.without_value.iter_mut().zip(other.without_value) {
            x.merge(y);
        }
        for (mine, theirs) in self.gaps.iter_mut().zip(other.gaps) {
            for ((x, rows), (y, more)) in mine.iter_mut().zip(theirs) {
                x.merge(y);
                rows.extend(more);
            }
        }
        for (rule, (message, failed)) in other.failures {
            let (_, mine) = self
                .failures
                .entry(rule)
                .or_insert_with(|| (message, Counted::default()));
            mine.merge(failed);
        }
        self
    }

    /// The findings: per decision, then the failures, most customers first.
    fn into_check(self, rules: &RuleSet, customers: usize) -> DataCheck {
        // A copy's row meant for another item (`extra-b@snacks`) matches no one by design.
        let meant_for_another = rules::lint::copies_never_matching(rules, crate::time::today());
        let decisions = rules
            .decisions
            .iter()
            .zip(self.without_value.into_iter().zip(self.gaps))
            .map(|(d, (without_value, gaps))| DecisionFindings {
                decision: d.name.clone(),
                picked_by: (d.hit.shape().one_row
                    && !d.hit.shape().exclusive
                    && !d.hit.shape().first_wins)
                    .then(|| d.hit.name().to_owned()),
                rows_never_matched: d
                    .rows
                    .iter()
                    .filter(|row| self.matched.get(row.rule as usize) == Some(&0))
                    .filter(|row| !meant_for_another.contains(&row.rule))
                    .map(|row| rules.rule_ids[row.rule as usize].clone())
                    .collect(),
                // Told apart once the day checked is known (`check_data`).
                rows_not_in_effect: Vec::new(),
                // Found from the NULLs counted (`check_data`).
                null_past_rows: Vec::new(),
                // A constant limit never reached is a safety limit; a formula's is said.
                caps_never_bound: (d.caps.iter())
                    .filter(|cap| cap.value.formula().is_some())
                    .filter(|cap| self.matched.get(cap.rule as usize) == Some(&0))
                    .map(|cap| rules.rule_ids[cap.rule as usize].clone())
                    .collect(),
                customers_without_value: without_value.customers,
                examples: without_value.examples,
                outputs_without_value: (d.outputs.iter().zip(gaps))
                    .filter(|(_, (counted, _))| counted.customers > 0)
                    .map(|(slot, (counted, rows))| {
                        let mut rows: Vec<RuleIdx> = rows.into_iter().collect();
                        rows.sort_unstable();
                        OutputGap {
                            output: rules.slot_name(*slot).to_owned(),
                            customers: counted.customers,
                            examples: counted.examples,
                            rows: (rows.iter())
                                .map(|&r| rules.rule_ids[r as usize].clone())
                                .collect(),
                        }
                    })
                    .collect(),
            })
            .collect();
        let mut failures: Vec<Failure> = self
            .failures
            .into_iter()
            .map(|((rule, _), (message, failed))| Failure {
                rule,
                message,
                customers: failed.customers,
                examples: failed.examples,
            })
            .collect();
        failures.sort_by(|a, b| b.customers.cmp(&a.customers).then(a.rule.cmp(&b.rule)));
        DataCheck {
            customers,
            customers_failed: self.failed,
            decisions,
            failures,
            id_variants: Vec::new(),
            id_variant_groups: 0,
            ..DataCheck::default()
        }
    }
}
