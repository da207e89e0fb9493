//! The impact of a rule change: a base rule set and the current one evaluated on the same
//! customers, as of the same date, in one pass (the customers are read once; each chunk is
//! evaluated under both rule sets and compared while it is in memory), and what changed:
//! per output how many customers changed, migration matrices for outputs with few values,
//! the summary's totals before and after, the customers whose policy changed most, and the
//! rows that fire for more or fewer customers. `diff`, `watch` and `report` show it.
//!
//! [`base`] finds the base rule set: a directory, or a git revision of the rules.

pub mod base;
mod matrix;
mod tracker;

use crate::engine::{Context, EvalError, Evaluator, History, Mode};
use crate::error::Error;
use crate::rules::RuleSet;
use crate::source::{CustomerSource, Dataset};
use crate::workspace::Workspace;
use base::BaseRules;
pub use matrix::Matrix;
use serde::Serialize;
use tracker::Tracker;

/// How many customers with the largest changes an impact lists.
pub const LARGEST: usize = 20;

/// One rule set and the earlier periods it reads.
#[derive(Clone, Copy)]
pub struct Side<'a> {
    pub rules: &'a RuleSet,
    pub history: &'a History,
}

/// What changing the base rules into the current ones does to the customers.
#[derive(Debug, Clone, Serialize)]
pub struct Impact {
    pub customers: usize,
    /// Customers with at least one output changed.
    pub customers_changed: usize,
    pub base_fingerprint: String,
    pub fingerprint: String,
    /// Outputs only the current rules give, and only the base rules gave.
    pub outputs_added: Vec<String>,
    pub outputs_removed: Vec<String>,
    /// Per output of both: how many customers' values changed.
    pub outputs: Vec<OutputChange>,
    /// Outputs with few values: customers by base value (rows) and current value (columns).
    pub matrices: Vec<Matrix>,
    /// The summary's totals (of either rule set) before and after.
    pub totals: Vec<TotalChange>,
    /// The customers whose policy changed most: by money first, then by outputs changed.
    pub largest: Vec<CustomerChange>,
    /// Rule rows (and caps) that fire for a different number of customers.
    pub rules: Vec<RuleChange>,
    /// What `run` would note of the current rules on this data, history and date, the
    /// `--strict` reasons among them (a share compared with a percentage, a period the rules
    /// read with no run, customers left out of the previous run, a date after today): the
    /// preview of a change a scheduled run would refuse says so.
    pub notes: Vec<String>,
    /// What `check` and `run` warn of as the current rules load (a workbook's hidden rows,
    /// a duplicate-looking file): `diff` says them too, as the rules previewed are those.
    #[serde(skip)]
    pub warnings: Vec<crate::diag::Diagnostic>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OutputChange {
    pub output: String,
    pub changed: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct TotalChange {
    pub name: String,
    /// Declared money (`summary.money`) by either rule set.
    pub money: bool,
    /// `None`: that rule set has no such total.
    #[serde(serialize_with = "crate::text::optional_number")]
    pub before: Option<f64>,
    #[serde(serialize_with = "crate::text::optional_number")]
    pub after: Option<f64>,
}

impl TotalChange {
    pub fn delta(&self) -> f64 {
        self.after.unwrap_or(0.0) - self.before.unwrap_or(0.0)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CustomerChange {
    pub customer: String,
    /// The sum of the changes of its money totals, each in absolute value: what the largest
    /// changes are ranked by (a cost saved and a limit cut both count).
    pub money: f64,
    /// Each money total that changed for the customer, with its change (after - before),
    /// signed: a concession cut, a commission raised and a credit limit cut apart.
    #[serde(serialize_with = "signed_map")]
    pub money_changes: Vec<(String, f64)>,
    /// Each output that changed.
    pub changes: Vec<ValueChange>,
}

/// One output of one customer that changed: its value under the base rules and under the
/// current ones, as JSON values (true/false, numbers, lists) and as shown to people.
#[derive(Debug, Clone, Serialize)]
pub struct ValueChange {
    pub output: String,
    pub before: serde_json::Value,
    pub after: serde_json::Value,
    #[serde(skip)]
    pub shown: (String, String),
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleChange {
    pub rule: String,
    pub before: usize,
    pub after: usize,
}

impl Impact {
    /// Whether any customer's policy, any output or any fired rule differs.
    pub fn changed(&self) -> bool {
        !self.outputs_added.is_empty()
            || !self.outputs_removed.is_empty()
            || self.outputs.iter().any(|o| o.changed > 0)
            || !self.rules.is_empty()
    }

    /// What changed, for a program's exit status to be explained by: each kind of change,
    /// counted (`diff --fail-on-change`).
    pub fn what_changed(&self) -> Vec<String> {
        let mut what = Vec::new();
        let names = |names: &[String]| names.join(", ");
        if !self.outputs_added.is_empty() {
            what.push(format!("outputs added: {}", names(&self.outputs_added)));
        }
        if !self.outputs_removed.is_empty() {
            what.push(format!("outputs removed: {}", names(&self.outputs_removed)));
        }
        let n = |n: usize| crate::text::thousands(n as f64);
        match self.customers_changed {
            0 => {}
            1 => what.push("1 customer's policy changed".into()),
            k => what.push(format!("{} customers' policies changed", n(k))),
        }
        if !self.rules.is_empty() {
            let shown: Vec<String> = (self.rules.iter())
                .map(|r| format!("`{}` {} to {}", r.rule, n(r.before), n(r.after)))
                .collect();
            what.push(format!(
                "rules fire for other numbers of customers: {}",
                crate::text::first_three(&shown)
            ));
        }
        what
    }
}

/// Evaluates every customer under both rule sets, chunk by chunk, and compares; an error of
/// the base rules goes through `base_error` (which names their files as the base's).
pub fn compare(
    base: Side,
    current: Side,
    customers: &Dataset,
    context: Context,
    base_error: &dyn Fn(EvalError) -> EvalError,
    progress: &mut dyn FnMut(usize),
) -> Result<Impact, EvalError> {
    let before = Evaluator::with_history(base.rules, customers, context, base.history, Mode::Fast)
        .map_err(base_error)?;
    let after = Evaluator::with_history(
        current.rules,
        customers,
        context,
        current.history,
        Mode::Fast,
    )?;
    let mut tracker = Tracker::new(base.rules, current.rules);
    let mut start = 0;
    while start < customers.len {
        let end = (start + crate::workspace::batch::CHUNK).min(customers.len);
        let (old, old_tally) = before.evaluate(start..end).map_err(base_error)?;
        let (new, new_tally) = after.evaluate(start..end)?;
        tracker.add(customers, &old, &new, old_tally, new_tally);
        progress(end);
        start = end;
    }
    Ok(tracker.finish())
}

/// The impact of the workspace's rules against `base`, on the workspace's customers as of
/// its date: both rule sets load against the same columns, the customers are read once
/// (the columns either rule set uses), and each rule set reads its own earlier periods.
pub fn against(
    ws: &Workspace,
    base: &BaseRules,
    progress: &mut dyn FnMut(usize),
) -> Result<Impact, Error> {
    let mut source = ws.open_source()?;
    let fields = source.columns()?;
    let loaded = ws.load_rules(&source)?;
    let current = loaded.rules;
    let (base_rules, _) = crate::rules::load(&base.dir, &fields, &ws.config.limits)
        .map_err(|d| Error::Rules(base.name_diagnostics(d)))?;
    let mut load: Vec<&str> = current.loaded_fields();
    for f in base_rules.loaded_fields() {
        if !load.contains(&f) {
            load.push(f);
        }
    }
    let customers = source.read(&ws.config.id_column, Some(&load), &mut |_| {})?;
    // What `run` refuses: on nobody, "no change" would pass any rule change (a month whose
    // extract has not come, a forgotten `--as-of`).
    if customers.len == 0 {
        return Err(ws.no_customers("there is no one to compare the rules on"));
    }
    // Columns that declare no type: the data must fit how each rule set uses it, as in a run.
    crate::rules::check_seen(&current, &customers)?;
    crate::rules::check_seen(&base_rules, &customers)
        .map_err(|d| Error::Rules(base.name_diagnostics(d)))?;
    let base_history = ws.history(source.connection(), &base_rules)?;
    let history = ws.history(source.connection(), &current)?;
    let mut notes: Vec<String> = (crate::time::after_today(ws.context.as_of).into_iter())
        .map(|note| format!("{note} (`run --strict` refuses such a run)"))
        .collect();
    let data_slips = crate::rules::lint::data_slips(&current, &customers);
    let history_concerns =
        ws.history_concerns(source.connection(), &current, &customers, &history)?;
    notes.extend(
        (history_concerns.into_iter())
            .chain(data_slips.iter().map(|w| w.note_line()))
            .map(|line| format!("{line} (`run` notes it, `run --strict` refuses it)")),
    );
    let mut impact = compare(
        Side {
            rules: &base_rules,
            history: &base_history,
        },
        Side {
            rules: &current,
            history: &history,
        },
        &customers,
        ws.context,
        &|e| base.name_error(e),
        progress,
    )?;
    notes.extend(carried_from_period_to_period(&impact, &current));
    notes.extend(data_changed_since_recorded(
        ws,
        source.connection(),
        &base_rules,
        &impact,
    )?);
    notes.extend(starting_later(&current, &base_rules, ws.context.as_of));
    notes.extend(in_force_made_with_other_rules(
        ws,
        source.connection(),
        &base_rules,
        &current,
    )?);
    let config: Vec<&std::path::Path> = std::iter::once(ws.config_path.as_path())
        .chain(ws.config.query_file.as_deref())
        .collect();
    let differ = base.config_differs(&config);
    if !differ.is_empty() {
        notes.push(format!(
            "the config differs from {}'s ({}): both rule sets read the customers as the working config says, so what the config's change does is not in this preview",
            base.label.split(':').next().unwrap_or_default(),
            differ.join(", ")
        ));
    }
    impact.notes = notes;
    impact.warnings = loaded.warnings;
    Ok(impact)
}

/// When the period's recorded run was made with the base rules as of this day, but the
/// base's totals here are not the run's: the customer data changed since (a late posting),
/// so "before" is not what is in force, and the run that follows moves the data's change
/// too (a preview that said a cost goes down, where the rerun raised it).
fn data_changed_since_recorded(
    ws: &Workspace,
    conn: &rusqlite::Connection,
    base: &RuleSet,
    impact: &Impact,
) -> Result<Option<String>, Error> {
    let tables = &ws.config.tables;
    let Some(run) = crate::output::official_run_of(conn, tables, ws.context.period)? else {
        return Ok(None);
    };
    let same_rules = (crate::output::run_rules(conn, tables, run.run_id)?)
        .is_some_and(|r| r.decide_as(&crate::output::RunRules::of(base)));
    let recorded = crate::output::recorded_totals(conn, tables, run.run_id)?;
    let crate::output::RecordedTotals::Recorded(recorded) = recorded else {
        return Ok(None);
    };
    if run.as_of != ws.context.as_of || !same_rules {
        return Ok(None);
    }
    let currency = ws.config.currency.as_deref();
    let differences: Vec<String> = (impact.totals.iter())
        .filter_map(|t| {
            let now = t.before?;
            let then = recorded.iter().find(|(n, _)| *n == t.name)?.1;
            let now = if t.money {
                (now * 100.0).round() / 100.0
            } else {
                now
            };
            ((now - then).abs() > 1e-9 * then.abs().max(1.0)).then(|| {
                let shown = |x: f64| crate::text::amount(x, t.money, currency);
                format!("{} {} here, {} recorded", t.name, shown(now), shown(then))
            })
        })
        .collect();
    Ok((!differences.is_empty()).then(|| {
        format!(
            "the customer data changed since {}'s recorded run (run {}, as of {}, made with the base rules): \"before\" evaluates the data as it is now ({}), so the run that follows moves what the data changed as well as what the rules change",
            ws.context.period.label(),
            run.run_id,
            run.as_of,
            differences.join("; ")
        )
    }))
}

/// Rows of the current rules that start after the day previewed, and that the base has not
/// with that window (a January promotion approved in December): they do not apply that
/// day, so the preview says "no change" of them.
fn starting_later(current: &RuleSet, base: &RuleSet, as_of: crate::time::Date) -> Option<String> {
    let windows = |rules: &RuleSet| -> Vec<(String, crate::rules::Window)> {
        (rules.decisions.iter().flat_map(|d| &d.rows))
            .filter_map(|row| Some((rules.rule_ids[row.rule as usize].clone(), row.effective?)))
            .collect()
    };
    let before = windows(base);
    let mut later: Vec<(String, crate::time::Date)> = (windows(current).into_iter())
        .filter(|dated| !before.contains(dated))
        .filter_map(|(id, window)| Some((id, window.from.filter(|from| *from > as_of)?)))
        .collect();
    later.sort_by_key(|(_, from)| *from);
    later.dedup();
    let first = later.first()?.1;
    let named: Vec<String> = (later.iter().take(3))
        .map(|(id, from)| format!("`{id}` (from {from})"))
        .collect();
    let more = match later.len() {
        n if n > 3 => format!(" and {} more", n - 3),
        _ => String::new(),
    };
    Some(format!(
        "rows that start after {as_of} do not apply on it, so this preview does not show them: {}{more}; `--as-of {first}` previews them",
        named.join(", ")
    ))
}

/// When the period's official run, the policies in force, was made with rules that decide
/// otherwise than the base (an edit run but not committed, a run removed by `prune --run`):
/// "before" is not what is in force, and a change previewed may already be live.
fn in_force_made_with_other_rules(
    ws: &Workspace,
    conn: &rusqlite::Connection,
    base: &RuleSet,
    current: &RuleSet,
) -> Result<Option<String>, Error> {
    let tables = &ws.config.tables;
    let Some(run) = crate::output::official_run_of(conn, tables, ws.context.period)? else {
        return Ok(None);
    };
    let Some(made_with) = crate::output::run_rules(conn, tables, run.run_id)? else {
        return Ok(None);
    };
    if made_with.decide_as(&crate::output::RunRules::of(base)) {
        return Ok(None);
    }
    let which = match made_with.decide_as(&crate::output::RunRules::of(current)) {
        true => "it was made with the current rules".to_owned(),
        false => format!(
            "its rules ({}) are neither: `--base` a folder or revision of them previews against what is in force",
            made_with.fingerprint
        ),
    };
    Ok(Some(format!(
        "{}'s recorded run (run {}, as of {}), the policies in force, was made with other rules than the base: \"before\" is what the base rules give, not what that run holds; {which}",
        ws.context.period.label(),
        run.run_id,
        run.as_of
    )))
}

/// When the change moves an output the current rules read of earlier periods
/// (`previous.block_reason`): those periods hold what the recorded runs gave, so what the
/// current rules would carry from period to period themselves shows only from the next
/// period on, and a diff of a past period understates it (a back-test runs the periods in
/// order, in a copy of the database).
fn carried_from_period_to_period(impact: &Impact, current: &RuleSet) -> Option<String> {
    let mut read: Vec<String> = Vec::new();
    for o in impact.outputs.iter().filter(|o| o.changed > 0) {
        for p in current
            .past
            .iter()
            .filter(|p| p.read && p.output() == o.output)
        {
            let name = format!("`{}`", p.written());
            if !read.contains(&name) {
                read.push(name);
            }
        }
    }
    if read.is_empty() {
        return None;
    }
    Some(format!(
        "the change moves outputs the rules read of earlier periods ({}): those periods hold what their runs recorded, not what these rules would have given there, so what these rules carry from period to period is counted for this period alone (to back-test over past periods, run them oldest first with these rules in a copy of the database)",
        read.join(", ")
    ))
}

fn signed_map<S: serde::Serializer>(changes: &[(String, f64)], s: S) -> Result<S::Ok, S::Error> {
    s.collect_map(changes.iter().map(|(name, delta)| (name, delta)))
}
