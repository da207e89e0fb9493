//! `tierwise check`: every problem in the rule files at once, with lint warnings for tables;
//! `--data` also evaluates the rules on the real customers and reports rows that never match,
//! customers that get no value, and rules that fail.

use super::{Globals, SourceArgs};
use crate::diag::{Diagnostic, Severity, summary_line};
use crate::engine::{Context, EvalError, Evaluator, History, Mode, Outcomes};
use crate::error::{Error, ExitStatus};
use crate::report::{Format, Report, plural, thousands};
use crate::rules::{self, RuleIdx, RuleSet, ValueExpr};
use crate::source::Dataset;
use crate::value::Lit;
use crate::workspace::Workspace;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::io::{self, Write};

/// Check the rule files: every problem at once, and lint warnings for tables.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Also evaluate the rules on the customers: rows that never match, customers
    /// without a value, rules that fail.
    #[arg(long)]
    pub data: bool,
    #[command(flatten)]
    pub sources: SourceArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

pub fn run(args: Args, globals: &Globals) -> Result<ExitStatus, Error> {
    let ws = Workspace::new(&globals.config, &args.sources.into())?;
    let mut source = ws.open_source()?;
    let (rules, mut diagnostics) = match ws.load_rules(&source) {
        Ok(loaded) => (Some(loaded.rules), loaded.warnings),
        Err(Error::Rules(all)) => (None, all.0),
        Err(e) => return Err(e),
    };
    if let Some(rules) = &rules {
        let lints = rules::lint::lint(rules, crate::time::Date::today_utc());
        let lints = rules::lint::without_repeats(lints, &diagnostics);
        diagnostics.extend(lints);
    }
    let data = match (&rules, args.data) {
        (Some(rules), true) => match ws.read_customers(&source, rules, &mut |_| {}) {
            Ok(customers) => {
                diagnostics.extend(rules::lint::data_slips(rules, &customers));
                let history = ws.history(source.connection(), rules)?;
                Some(check_data(rules, &customers, ws.context, &history)?)
            }
            // What the data holds does not fit how the rules use it: reported with the
            // rest (the lint warnings about the other decisions too); nothing is evaluated.
            Err(Error::Rules(all)) => {
                drop_warnings_of(rules, &all.0, &mut diagnostics);
                diagnostics.extend(all.0);
                None
            }
            Err(e) => return Err(e),
        },
        _ => None,
    };
    let report = CheckReport { diagnostics, data };
    crate::report::print(&report, args.format);
    Ok(if report.errors() > 0 {
        ExitStatus::Invalid
    } else if report.data_failures() > 0 {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

/// Drops the lint warnings about the decisions the data's kinds do not fit (`errors`): a lint
/// reasons about the values the rules compare with, so beside "`last_day` is text, but it is
/// compared with a number" it would name a customer "whose `last_day` is 1997", a value the
/// column cannot hold. The errors say what is wrong; other warnings stay.
fn drop_warnings_of(rules: &RuleSet, errors: &[Diagnostic], diagnostics: &mut Vec<Diagnostic>) {
    let named: HashSet<&str> = errors
        .iter()
        .filter_map(|e| e.rule.as_deref())
        .flat_map(crate::rules::named_rules)
        .collect();
    let mut unfit: HashSet<&str> = HashSet::new();
    for d in &rules.decisions {
        let rules_of = d
            .rows
            .iter()
            .map(|r| r.rule)
            .chain(d.caps.iter().map(|c| c.rule));
        let owners = rules_of
            .map(|r| rules.rule_ids[r as usize].as_str())
            .chain([d.name.as_str()]);
        if owners.clone().any(|owner| named.contains(owner)) {
            unfit.extend(owners);
        }
    }
    let about_unfit = |w: &Diagnostic| {
        w.rule
            .as_deref()
            .is_some_and(|named| crate::rules::named_rules(named).any(|r| unfit.contains(r)))
    };
    diagnostics
        .retain(|w| !(w.severity == Severity::Warning && w.code.is_some() && about_unfit(w)));
}

/// How many example customer ids a finding lists.
const EXAMPLES: usize = 3;

#[derive(Debug, Serialize)]
pub struct CheckReport {
    #[serde(serialize_with = "diagnostics_json")]
    pub diagnostics: Vec<Diagnostic>,
    pub data: Option<DataCheck>,
}

/// What evaluating the rules on the real population found.
#[derive(Debug, Default, Serialize)]
pub struct DataCheck {
    pub customers: usize,
    /// Customers for whom some rule failed: the findings per decision count only the others
    /// (a failed customer's rows are not known).
    pub customers_failed: usize,
    pub decisions: Vec<DecisionFindings>,
    /// Rules that failed for some customers (including `unique` conflicts), one entry per
    /// way a rule failed (a NULL and a zero divisor are two).
    pub failures: Vec<Failure>,
}

#[derive(Debug, Default, Serialize)]
pub struct DecisionFindings {
    pub decision: String,
    /// Rows (by id) that matched no customer.
    pub rows_never_matched: Vec<String>,
    /// Caps (by id) whose limit is a formula and that bound no customer: a limit never
    /// reached, or a condition that holds for no one (`channel == "Wholesale"` where the
    /// data says `wholesale`). A constant limit never reached is a safety limit: not said.
    pub caps_never_bound: Vec<String>,
    /// Customers no row matched, or whose matching row's formulas gave NULL (`first` and
    /// `unique` decisions): they get no value. A row that gives `null` on purpose is a value.
    pub customers_without_value: usize,
    pub examples: Vec<String>,
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

impl CheckReport {
    pub fn errors(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    /// How many rules failed on the data (a rule may fail in more than one way).
    pub fn data_failures(&self) -> usize {
        let rules: std::collections::HashSet<&str> = (self.data.iter())
            .flat_map(|d| d.failures.iter().map(|f| f.rule.as_str()))
            .collect();
        rules.len()
    }
}

impl Report for CheckReport {
    fn text(&self, out: &mut dyn Write, color: bool) -> io::Result<()> {
        for d in &self.diagnostics {
            writeln!(out, "{}\n", d.render(color))?;
        }
        if let Some(data) = &self.data {
            writeln!(
                out,
                "on the data: {} customers",
                thousands(data.customers as f64)
            )?;
            let mut clean = Vec::new();
            let all_failed = data.customers > 0 && data.customers_failed == data.customers;
            if all_failed {
                writeln!(
                    out,
                    "  every customer failed (below): no decision could be checked on the data"
                )?;
            }
            for d in data.decisions.iter().filter(|_| !all_failed) {
                if d.rows_never_matched.is_empty()
                    && d.caps_never_bound.is_empty()
                    && d.customers_without_value == 0
                {
                    clean.push(d.decision.as_str());
                    continue;
                }
                writeln!(out, "  {}:", d.decision)?;
                if !d.rows_never_matched.is_empty() {
                    let whom = match data.customers_failed {
                        0 => "no customer".to_owned(),
                        failed => format!(
                            "none of the {} customers evaluated without error ({} failed, \
                             below: they may match them)",
                            thousands((data.customers - failed) as f64),
                            thousands(failed as f64)
                        ),
                    };
                    writeln!(
                        out,
                        "    rows that matched {whom}: {}",
                        d.rows_never_matched.join(", ")
                    )?;
                }
                if !d.caps_never_bound.is_empty() {
                    writeln!(
                        out,
                        "    caps that bound no customer (a limit never reached, or a condition that holds for no one): {}",
                        d.caps_never_bound.join(", ")
                    )?;
                }
                if d.customers_without_value > 0 {
                    writeln!(
                        out,
                        "    {} no value: no row matched, or its formula gave NULL (e.g. {})",
                        match d.customers_without_value {
                            1 => "1 customer gets".to_owned(),
                            n => format!("{} customers get", thousands(n as f64)),
                        },
                        d.examples.join(", ")
                    )?;
                }
            }
            if !clean.is_empty() {
                // Said of the customers the rules did not fail for: those that failed got
                // nothing (below).
                let whom = match data.customers_failed {
                    0 => "every customer".to_owned(),
                    failed => match data.customers - failed {
                        1 => format!(
                            "the one customer evaluated without error ({failed} failed, below)"
                        ),
                        n => format!(
                            "each of the {} customers evaluated without error ({} failed, below)",
                            thousands(n as f64),
                            thousands(failed as f64)
                        ),
                    },
                };
                writeln!(
                    out,
                    "  every row matched and {whom} got a value: {}",
                    clean.join(", ")
                )?;
            }
            for f in &data.failures {
                writeln!(
                    out,
                    "  {} failed for {} (e.g. {}): {}",
                    f.rule,
                    customers(f.customers),
                    f.examples.join(", "),
                    f.message
                )?;
            }
            writeln!(out)?;
        }
        let mut summary = summary_line(&self.diagnostics);
        if self.data_failures() > 0 {
            summary.push_str(&format!(
                "; {} failing on the data",
                plural(self.data_failures(), "rule")
            ));
        }
        writeln!(out, "{summary}")
    }
}

fn diagnostics_json<S: serde::Serializer>(diags: &[Diagnostic], s: S) -> Result<S::Ok, S::Error> {
    let list: Vec<serde_json::Value> = diags.iter().map(Diagnostic::to_json).collect();
    list.serialize(s)
}

fn check_data(
    rules: &RuleSet,
    customers: &Dataset,
    context: Context,
    history: &History,
) -> Result<DataCheck, Error> {
    let evaluator = Evaluator::with_history(rules, customers, context, history, Mode::Fast)?;
    let scope = Scope::new(rules, customers);
    let tallies = (0..customers.len)
        .into_par_iter()
        .fold(
            || Tallies::new(rules),
            |mut t, i| {
                t.add(&scope, i, evaluator.evaluate_one(i));
                t
            },
        )
        .reduce(|| Tallies::new(rules), Tallies::merge);
    let mut check = tallies.into_check(rules, customers.len);
    if let Some(duplicates) = duplicate_ids(customers) {
        check.failures.insert(0, duplicates);
    }
    Ok(check)
}

/// Customer ids that appear more than once: `run` refuses such data (every policy is keyed
/// by the customer's id), so `check --data` says so first.
fn duplicate_ids(customers: &Dataset) -> Option<Failure> {
    let mut seen: HashMap<String, usize> = HashMap::with_capacity(customers.len);
    for i in 0..customers.len {
        *seen.entry(customers.id_text(i)).or_default() += 1;
    }
    let mut repeated: Vec<(String, usize)> = seen.into_iter().filter(|(_, n)| *n > 1).collect();
    if repeated.is_empty() {
        return None;
    }
    repeated.sort();
    let customers: usize = repeated.iter().map(|(_, n)| n).sum();
    Some(Failure {
        rule: "the customer ids".into(),
        message: format!(
            "{} more than once; `run` refuses such data: make the id column unique",
            match repeated.len() {
                1 => "1 id appears".to_owned(),
                n => format!("{} ids appear", thousands(n as f64)),
            }
        ),
        customers,
        examples: repeated
            .iter()
            .take(EXAMPLES)
            .map(|(id, _)| id.clone())
            .collect(),
    })
}

/// What tallying a customer needs besides its outcome.
struct Scope<'a> {
    rules: &'a RuleSet,
    customers: &'a Dataset,
    /// Which decision each row belongs to (caps are not rows a customer "matches").
    decision_of: HashMap<RuleIdx, usize>,
    /// Per decision: where its outputs are among the rules' outputs.
    outputs_of: Vec<Vec<usize>>,
    /// Rows that give NULL on purpose (`value: null`): no value from them is no surprise.
    null_rows: HashSet<RuleIdx>,
}

impl<'a> Scope<'a> {
    fn new(rules: &'a RuleSet, customers: &'a Dataset) -> Self {
        let mut decision_of = HashMap::new();
        for (k, d) in rules.decisions.iter().enumerate() {
            for row in &d.rows {
                decision_of.insert(row.rule, k);
            }
        }
        let outputs_of = rules
            .decisions
            .iter()
            .map(|d| {
                d.outputs
                    .iter()
                    .filter_map(|slot| rules.outputs.iter().position(|o| o.slot == *slot))
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
            decision_of,
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
    /// Per failing rule and way it failed ([`gist`] of the message): its first message, and
    /// the customers it failed for that way.
    failures: HashMap<(String, String), (String, Counted)>,
    /// Customers some rule failed for.
    failed: usize,
}

/// "1 customer", "1,204 customers".
fn customers(n: usize) -> String {
    match n {
        1 => "1 customer".into(),
        n => format!("{} customers", thousands(n as f64)),
    }
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
    fn new(rules: &RuleSet) -> Self {
        Tallies {
            matched: vec![0; rules.rule_ids.len()],
            without_value: vec![Counted::default(); rules.decisions.len()],
            failures: HashMap::new(),
            failed: 0,
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
        // Per decision: the row that matched, and whether it gives NULL on purpose.
        let mut hit = vec![None; scope.rules.decisions.len()];
        for &r in outcomes.get(0).fired {
            self.matched[r as usize] += 1;
            if let Some(&k) = scope.decision_of.get(&r) {
                hit[k] = Some(scope.null_rows.contains(&r));
            }
        }
        let values = outcomes.get(0).outputs;
        for (k, d) in scope.rules.decisions.iter().enumerate() {
            // A row that matched but gave NULL for every output gave no value either.
            let all_null = !scope.outputs_of[k].is_empty()
                && scope.outputs_of[k].iter().all(|&o| values[o].is_null());
            let no_value = match hit[k] {
                // No row matched: a `default:` may still have given a value.
                None => scope.outputs_of[k].is_empty() || all_null,
                Some(on_purpose) => all_null && !on_purpose,
            };
            if no_value && d.hit.shape().one_row {
                self.without_value[k].add(|| scope.customers.id_text(i));
            }
        }
    }

    /// Adds `other`'s customers, which come after this one's.
    fn merge(mut self, other: Tallies) -> Tallies {
        self.failed += other.failed;
        for (x, y) in self.matched.iter_mut().zip(other.matched) {
            *x += y;
        }
        for (x, y) in self.without_value.iter_mut().zip(other.without_value) {
            x.merge(y);
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
        let meant_for_another =
            rules::lint::copies_never_matching(rules, crate::time::Date::today_utc());
        let decisions = rules
            .decisions
            .iter()
            .zip(self.without_value)
            .map(|(d, without_value)| DecisionFindings {
                decision: d.name.clone(),
                rows_never_matched: d
                    .rows
                    .iter()
                    .filter(|row| self.matched.get(row.rule as usize) == Some(&0))
                    .filter(|row| !meant_for_another.contains(&row.rule))
                    .map(|row| rules.rule_ids[row.rule as usize].clone())
                    .collect(),
                // A constant limit never reached is a safety limit; a formula's is said.
                caps_never_bound: (d.caps.iter())
                    .filter(|cap| cap.value.formula().is_some())
                    .filter(|cap| self.matched.get(cap.rule as usize) == Some(&0))
                    .map(|cap| rules.rule_ids[cap.rule as usize].clone())
                    .collect(),
                customers_without_value: without_value.customers,
                examples: without_value.examples,
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
        }
    }
}
