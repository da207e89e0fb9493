//! `tierwise check`: every problem in the rule files at once, with lint warnings for tables;
//! `--data` also evaluates the rules on the real customers and reports rows that never match,
//! customers that get no value, and rules that fail.

use super::{Globals, SourceArgs};
use crate::diag::{Diagnostic, Severity, summary_line};
use crate::error::{Error, ExitStatus};
use crate::report::{Format, Report, plural, thousands};
use crate::rules::{self, RuleSet};
use crate::text::customers;
use crate::workspace::Workspace;
use serde::Serialize;
use std::collections::HashSet;
use std::io::{self, Write};

mod data;

use data::check_data;
pub use data::{DataCheck, DecisionFindings, Failure};

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
        // The day it checks for (`--as-of`, else today): a row in effect then is no
        // expired row, whatever today is.
        let lints = rules::lint::lint(rules, ws.context.as_of);
        let lints = rules::lint::without_repeats(lints, &diagnostics);
        diagnostics.extend(lints);
    }
    let data = match (&rules, args.data) {
        (Some(rules), true) => match ws.read_customers(&source, rules, false, &mut |_| {}) {
            // What `run` refuses: "no problems" on nobody says nothing of the rules.
            Ok(customers) if customers.len == 0 => {
                return Err(ws.no_customers("there is no data to check the rules on"));
            }
            Ok(customers) => {
                diagnostics.extend(rules::lint::data_slips(rules, &customers));
                diagnostics.extend(rules::lint::ids_no_customer_has(rules, &customers));
                let history = ws.history(source.connection(), rules)?;
                let (check, given) = check_data(rules, &customers, ws.context, &history)?;
                diagnostics.extend(given);
                say_every_customer_got_one(&check, &mut diagnostics);
                Some(check)
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
    } else if report.data_failures() > 0
        || (report.data.as_ref()).is_some_and(|d| d.repeated_ids.is_some())
    {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

/// A "some customers may get no value" (`TW106`) of a decision that gave every customer of
/// the data a value: said in its help (a `unique` grid complete over the values customers
/// hold read as a false alarm); the warning stays, as the values no row covers may come.
fn say_every_customer_got_one(data: &DataCheck, diagnostics: &mut [Diagnostic]) {
    if data.customers_failed > 0 {
        return;
    }
    for d in (data.decisions.iter()).filter(|d| d.customers_without_value == 0) {
        for w in diagnostics
            .iter_mut()
            .filter(|w| w.code == Some("TW106") && w.rule.as_deref() == Some(d.decision.as_str()))
        {
            let help = w.help.take().unwrap_or_default();
            w.help = Some(format!(
                "{help}; on the data ({} as of {}), every customer got a value: the values no row covers are ones no customer holds now",
                customers(data.customers),
                data.as_of
            ));
        }
    }
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

#[derive(Debug, Serialize)]
pub struct CheckReport {
    #[serde(serialize_with = "diagnostics_json")]
    pub diagnostics: Vec<Diagnostic>,
    pub data: Option<DataCheck>,
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
        for (d, same) in grouped_warnings(&self.diagnostics) {
            let mut shown = d.render(color);
            if !same.is_empty() {
                let ids: Vec<String> = same.iter().take(5).map(|r| format!("`{r}`")).collect();
                let more = match same.len() - ids.len() {
                    0 => String::new(),
                    n => format!(" and {n} more"),
                };
                shown.push_str(&format!(
                    "\n  = note: the same warning for {} more in this file: {}{more} (`--format json` lists each)",
                    same.len(),
                    ids.join(", ")
                ));
            }
            writeln!(out, "{shown}\n")?;
        }
        if let Some(data) = &self.data {
            data_text(data, out)?;
        }
        let mut summary = summary_line(&self.diagnostics);
        if self.data.as_ref().is_some_and(|d| d.repeated_ids.is_some()) {
            summary.push_str("; customer ids repeated in the data");
        }
        if self.data_failures() > 0 {
            summary.push_str(&format!(
                "; {} failing on the data",
                plural(self.data_failures(), "rule")
            ));
        }
        writeln!(out, "{summary}")
    }
}

/// The diagnostics in order, a warning repeated word for word in one file more than
/// [`GROUPED`] times (a sheet of 3,000 overrides each testing `segment == "KA"`, which no
/// rule gives) once, with the rules of the others; fewer are each shown where they are.
fn grouped_warnings(diagnostics: &[Diagnostic]) -> Vec<(&Diagnostic, Vec<&str>)> {
    let mut groups: Vec<Vec<&Diagnostic>> = Vec::with_capacity(diagnostics.len());
    let mut first: std::collections::HashMap<_, usize> = std::collections::HashMap::new();
    for d in diagnostics {
        let key = (d.code, &d.message, &d.help, &d.file);
        let repeat = d.severity == crate::diag::Severity::Warning && d.rule.is_some();
        match first.get(&key) {
            Some(&k) if repeat => groups[k].push(d),
            _ => {
                if repeat {
                    first.insert(key, groups.len());
                }
                groups.push(vec![d]);
            }
        }
    }
    (groups.into_iter())
        .flat_map(|group| match group.len() > GROUPED {
            true => {
                let rules = group[1..]
                    .iter()
                    .map(|d| d.rule.as_deref().unwrap_or_default());
                vec![(group[0], rules.collect())]
            }
            false => group.into_iter().map(|d| (d, Vec::new())).collect(),
        })
        .collect()
}

/// How many times a warning is shown at each of its places before it is grouped.
const GROUPED: usize = 5;

/// What `--data` found, as `check` prints it after the diagnostics.
fn data_text(data: &DataCheck, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "on the data: {} customers as of {} ({})",
        thousands(data.customers as f64),
        data.as_of,
        data.period
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
            && d.rows_not_in_effect.is_empty()
            && d.caps_never_bound.is_empty()
            && d.customers_without_value == 0
            && d.outputs_without_value.is_empty()
            && d.null_past_rows.is_empty()
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
            match &d.picked_by {
                None => writeln!(
                    out,
                    "    rows that matched {whom}: {}",
                    d.rows_never_matched.join(", ")
                )?,
                Some(hit) => writeln!(
                    out,
                    "    rows that gave the outputs to {whom}: {} (under `hit: {hit}` a row that matches but loses to another gives nothing)",
                    d.rows_never_matched.join(", ")
                )?,
            }
        }
        if !d.rows_not_in_effect.is_empty() {
            writeln!(
                out,
                "    rows not in effect as of {}: {}",
                data.as_of,
                d.rows_not_in_effect.join(", ")
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
                shown_ids(&d.examples)
            )?;
        }
        for gap in &d.outputs_without_value {
            writeln!(
                out,
                "    `{}` is NULL for {}: {} {} matched them and {} it empty (a blank cell, or an output left out of `then:`; e.g. {}); write `null` there if no value is meant (in a .csv or .xlsx rule table an empty cell is no value: for empty text type `\"\"` in the cell)",
                gap.output,
                customers(gap.customers),
                if gap.rows.len() == 1 { "row" } else { "rows" },
                gap.rows.join(", "),
                if gap.rows.len() == 1 {
                    "leaves"
                } else {
                    "leave"
                },
                shown_ids(&gap.examples)
            )?;
        }
        for null in &d.null_past_rows {
            writeln!(
                out,
                "    `{}` is NULL for {} (e.g. {}), and {} {} {} it, false for NULL: they get the first row that does not compare it; if that is not meant, say what NULL gets (`when: is_null({})` above, or `{} ?? 0`)",
                null.name,
                customers(null.customers),
                shown_ids(&null.examples),
                if null.rows.len() == 1 { "row" } else { "rows" },
                null.rows.join(", "),
                if null.rows.len() == 1 {
                    "orders"
                } else {
                    "order"
                },
                null.name,
                null.name,
            )?;
        }
    }
    if !clean.is_empty() {
        // Said of the customers the rules did not fail for: those that failed got
        // nothing (below).
        let whom = match data.customers_failed {
            0 => "every customer".to_owned(),
            failed => match data.customers - failed {
                1 => format!("the one customer evaluated without error ({failed} failed, below)"),
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
    for m in data.null_in_metrics.iter().filter(|_| !all_failed) {
        writeln!(
            out,
            "  metric `{}`: `{}` is NULL for {} (e.g. {}), and {} orders it, false for NULL: they get what the other branch gives; if that is not meant, say what NULL gets (`{} ?? 0`{})",
            m.metric,
            m.name,
            customers(m.customers),
            shown_ids(&m.examples),
            match m.in_function {
                true => "a script function its formula passes it to",
                false => "its formula",
            },
            m.name,
            match m.in_function {
                true => " where it is passed, or `is_null(...)` of the parameter".to_owned(),
                false => format!(", or a first branch `if is_null({}) {{ ... }}`", m.name),
            },
        )?;
    }
    if let Some(r) = &data.repeated_ids {
        writeln!(
            out,
            "  repeated customer ids: {} more than once ({}, e.g. {}); `run` refuses such data: make the id column unique",
            match r.ids {
                1 => "1 id appears".to_owned(),
                n => format!("{} ids appear", thousands(n as f64)),
            },
            customers(r.customers),
            shown_ids(&r.examples),
        )?;
    }
    for f in &data.failures {
        writeln!(
            out,
            "  {} failed for {} (e.g. {}): {}",
            f.rule,
            customers(f.customers),
            shown_ids(&f.examples),
            f.message
        )?;
    }
    if data.id_variant_groups > 0 {
        writeln!(
            out,
            "  warning: {}",
            crate::source::variants_message(data.id_variant_groups, &data.id_variants)
        )?;
    }
    writeln!(out)?;
    Ok(())
}

fn diagnostics_json<S: serde::Serializer>(diags: &[Diagnostic], s: S) -> Result<S::Ok, S::Error> {
    let list: Vec<serde_json::Value> = diags.iter().map(Diagnostic::to_json).collect();
    list.serialize(s)
}

/// Example ids, escaped where they hold what a terminal acts on (`ESC[2J` from a CRM).
fn shown_ids(ids: &[String]) -> String {
    let shown: Vec<std::borrow::Cow<'_, str>> =
        ids.iter().map(|id| crate::text::printable(id)).collect();
    shown.join(", ")
}
