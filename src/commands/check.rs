//! `tierwise check`: every problem in the rule files at once, with lint warnings for tables;
//! `--data` also evaluates the rules on the real customers and reports rows that never match,
//! customers that get no value, and rules that fail.

use super::{Globals, SourceArgs};
use crate::diag::{Diagnostic, Severity, summary_line};
use crate::engine::Evaluator;
use crate::error::{Error, ExitStatus};
use crate::report::{Format, Report, plural, thousands};
use crate::rules::{self, HitPolicy, RuleIdx, RuleSet};
use crate::source::Dataset;
use crate::workspace::Workspace;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashMap;
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
    let source = ws.open_source()?;
    let (rules, mut diagnostics) = match ws.load_rules(&source) {
        Ok(loaded) => (Some(loaded.rules), loaded.warnings),
        Err(Error::Rules(all)) => (None, all.0),
        Err(e) => return Err(e),
    };
    if let Some(rules) = &rules {
        diagnostics.extend(rules::lint::lint(rules));
    }
    let data = match (&rules, args.data) {
        (Some(rules), true) => {
            let customers = ws.read_customers(&source, rules, &mut |_| {})?;
            Some(check_data(rules, &customers)?)
        }
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
    pub decisions: Vec<DecisionFindings>,
    /// Rules that failed for some customers (including `unique` conflicts).
    pub failures: Vec<Failure>,
}

#[derive(Debug, Default, Serialize)]
pub struct DecisionFindings {
    pub decision: String,
    /// Rows (by id) that matched no customer.
    pub rows_never_matched: Vec<String>,
    /// Customers no row matched (`first` and `unique` decisions): they get no value.
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

    /// Rules that failed on real customers.
    pub fn data_failures(&self) -> usize {
        self.data.as_ref().map_or(0, |d| d.failures.len())
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
            for d in &data.decisions {
                if d.rows_never_matched.is_empty() && d.customers_without_value == 0 {
                    clean.push(d.decision.as_str());
                    continue;
                }
                writeln!(out, "  {}:", d.decision)?;
                if !d.rows_never_matched.is_empty() {
                    writeln!(
                        out,
                        "    rows that matched no customer: {}",
                        d.rows_never_matched.join(", ")
                    )?;
                }
                if d.customers_without_value > 0 {
                    writeln!(
                        out,
                        "    {} customers matched no row and get no value (e.g. {})",
                        thousands(d.customers_without_value as f64),
                        d.examples.join(", ")
                    )?;
                }
            }
            if !clean.is_empty() {
                writeln!(
                    out,
                    "  every row matched and every customer got a value: {}",
                    clean.join(", ")
                )?;
            }
            for f in &data.failures {
                writeln!(
                    out,
                    "  {} failed for {} customers (e.g. {}): {}",
                    f.rule,
                    thousands(f.customers as f64),
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

/// Per-thread findings, merged at the end.
#[derive(Default)]
struct Tallies {
    matched: Vec<usize>,
    without_value: Vec<(usize, Vec<String>)>,
    failures: HashMap<String, Failure>,
}

fn check_data(rules: &RuleSet, customers: &Dataset) -> Result<DataCheck, Error> {
    let evaluator = Evaluator::new(rules, customers)?;
    // Which decision each row belongs to (caps are not rows a customer "matches").
    let mut decision_of: HashMap<RuleIdx, usize> = HashMap::new();
    for (k, d) in rules.decisions.iter().enumerate() {
        for row in &d.rows {
            decision_of.insert(row.rule, k);
        }
    }
    let n_decisions = rules.decisions.len();
    let tallies = (0..customers.len)
        .into_par_iter()
        .fold(
            || Tallies {
                matched: vec![0; rules.rule_ids.len()],
                without_value: vec![(0, Vec::new()); n_decisions],
                failures: HashMap::new(),
            },
            |mut t, i| {
                match evaluator.evaluate_one(i) {
                    Ok(outcomes) => {
                        let mut hit = vec![false; n_decisions];
                        for &r in outcomes.get(0).fired {
                            t.matched[r as usize] += 1;
                            if let Some(&k) = decision_of.get(&r) {
                                hit[k] = true;
                            }
                        }
                        for (k, d) in rules.decisions.iter().enumerate() {
                            if !hit[k] && d.hit != HitPolicy::Collect {
                                let entry = &mut t.without_value[k];
                                entry.0 += 1;
                                if entry.1.len() < EXAMPLES {
                                    entry.1.push(customers.id_text(i));
                                }
                            }
                        }
                    }
                    Err(e) => {
                        let f = t.failures.entry(e.rule.clone()).or_insert_with(|| Failure {
                            rule: e.rule.clone(),
                            message: e.message.clone(),
                            customers: 0,
                            examples: Vec::new(),
                        });
                        f.customers += 1;
                        if f.examples.len() < EXAMPLES {
                            f.examples.push(e.customer.clone());
                        }
                    }
                }
                t
            },
        )
        .reduce(Tallies::default, |mut a, b| {
            if a.matched.is_empty() {
                return b;
            }
            for (x, y) in a.matched.iter_mut().zip(b.matched) {
                *x += y;
            }
            for (x, y) in a.without_value.iter_mut().zip(b.without_value) {
                x.0 += y.0;
                x.1.extend(y.1);
                x.1.truncate(EXAMPLES);
            }
            for (rule, f) in b.failures {
                let mine = a.failures.entry(rule).or_insert_with(|| Failure {
                    customers: 0,
                    examples: Vec::new(),
                    ..f.clone()
                });
                mine.customers += f.customers;
                mine.examples.extend(f.examples);
                mine.examples.truncate(EXAMPLES);
            }
            a
        });
    let decisions = rules
        .decisions
        .iter()
        .enumerate()
        .map(|(k, d)| DecisionFindings {
            decision: d.name.clone(),
            rows_never_matched: d
                .rows
                .iter()
                .filter(|row| tallies.matched.get(row.rule as usize) == Some(&0))
                .map(|row| rules.rule_ids[row.rule as usize].clone())
                .collect(),
            customers_without_value: tallies.without_value.get(k).map_or(0, |w| w.0),
            examples: tallies
                .without_value
                .get(k)
                .map(|w| w.1.clone())
                .unwrap_or_default(),
        })
        .collect();
    let mut failures: Vec<Failure> = tallies.failures.into_values().collect();
    failures.sort_by(|a, b| b.customers.cmp(&a.customers).then(a.rule.cmp(&b.rule)));
    Ok(DataCheck {
        customers: customers.len,
        decisions,
        failures,
    })
}
