//! `tierwise explain ID`: why one customer of the database got its policy.

use super::{Globals, SourceArgs, print_warnings};
use crate::engine::explain::{Explanation, LatestRun, Recorded, RecordedDifference};
use crate::engine::{Evaluator, Mode};
use crate::error::{Error, ExitStatus};
use crate::report::Format;
use crate::source::SourceError;
use crate::workspace::Workspace;

/// Explain why one customer gets its policy: fields, figures, every row tried.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The customer's id.
    pub customer: String,
    #[command(flatten)]
    pub sources: SourceArgs,
    /// Explain with the rules of this git revision of the rules' repository (or of this
    /// directory), as `diff --base` reads them: the rules a past period's run was made with.
    #[arg(long, value_name = "REV", conflicts_with = "rules")]
    pub rules_at: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

pub fn run(args: Args, globals: &Globals) -> Result<ExitStatus, Error> {
    let mut overrides: crate::workspace::Overrides = args.sources.into();
    // Kept to the end: a revision's rule files are in a temporary directory.
    let at = super::rules_at(args.rules_at.as_deref(), globals, &mut overrides)?;
    let name_files = |diags| super::named_at(&at, diags);
    let ws = Workspace::new(&globals.config, &overrides)?;
    let mut source = ws.open_source()?;
    let loaded = ws.load_rules(&source).map_err(|e| match e {
        Error::Rules(d) => Error::Rules(crate::diag::Diagnostics(name_files(d.0))),
        e => e,
    })?;
    print_warnings(&name_files(loaded.warnings));
    let rules = loaded.rules;
    // The whole population: the customer's percentiles and ranks are relative to it. A
    // value another customer's column does not hold does not stop this one's explanation.
    let customers = ws.read_customers(&source, &rules, true, &mut |_| {})?;
    // What `run` refuses, explained would be figures `run` never gives.
    if customers.len == 0 {
        return Err(ws.no_customers("there is no one to explain"));
    }
    if let Some(id) = customers.repeated_id() {
        return Err(crate::output::OutputError::DuplicateId(id).into());
    }
    let Some(index) = customers.find(&args.customer) else {
        let like = customers.id_like(&args.customer);
        // Not in this period's data, but in another's run (a customer who skipped a month):
        // "no customer has ..." read as a mistyped id.
        let elsewhere = match like {
            Some(_) => None,
            None => last_run_holding(&ws, source.connection(), &args.customer),
        };
        return Err(SourceError::UnknownCustomer {
            id: args.customer.clone(),
            column: ws.config.id_column.clone(),
            like,
            elsewhere,
        }
        .into());
    };
    let history = ws.history(source.connection(), &rules)?;
    let evaluator = Evaluator::with_history(&rules, &customers, ws.context, &history, Mode::Fast)?;
    match evaluator.explain(index) {
        Ok(mut explanation) => {
            explanation.history_read = history_read(&rules, &history, ws.context.period);
            explanation.unreadable_data = unreadable_note(&customers);
            let conn = source.connection();
            let (period, tables) = (ws.context.period, &ws.config.tables);
            if !rules.past.is_empty() {
                explanation.stale_history = crate::output::stale_note_for(conn, tables, period)?;
            }
            let official = crate::output::official_runs(conn, tables, period.kind)?;
            match official.iter().find(|r| r.period == period) {
                Some(official) => {
                    // Explained as of the day of a run replaced since (a rerun later in the
                    // period): that day's decisions are that run's.
                    let as_of = ws.context.as_of;
                    let replaced = match official.as_of == as_of {
                        true => None,
                        false => crate::output::replaced_run_as_of(conn, tables, period, as_of)?,
                    };
                    let run = replaced.as_ref().unwrap_or(official);
                    let data_now = customers.fingerprint();
                    let mut held = recorded(&ws, conn, *run, &rules, &explanation, &data_now)?;
                    held.replaced_by = replaced.map(|_| LatestRun {
                        period: period.label().to_owned(),
                        run_id: official.run_id,
                        as_of: official.as_of.to_string(),
                    });
                    held.rules_at =
                        (at.as_ref()).map(|at| (at.label.clone(), rules.fingerprint.clone()));
                    explanation.recorded = Some(held);
                }
                // The latest recorded run of its kind, which an explanation as of its day
                // would compare with.
                None => {
                    explanation.period_pruned =
                        crate::output::pruned_periods(conn, tables, period.kind)?.contains(&period);
                    explanation.latest_run = (official.iter().rev())
                        .find(|r| r.period.kind == period.kind)
                        .map(|r| LatestRun {
                            period: r.period.label().to_owned(),
                            run_id: r.run_id,
                            as_of: r.as_of.to_string(),
                        });
                }
            }
            let today = crate::time::today();
            if ws.context.as_of > today {
                explanation.after_today = Some(today.to_string());
            }
            crate::report::print(&explanation, args.format);
            Ok(ExitStatus::Success)
        }
        Err(failed) => {
            // What the customer holds and what the rules worked out before the error is
            // where an admin starts looking: shown before the error (which names the rule
            // and where). A program gets the error alone.
            if args.format == Format::Text {
                crate::report::print(&failed.so_far, args.format);
            }
            Err(failed.error.into())
        }
    }
}

/// Other customers whose data holds a value its column does not hold: `run` stops on them
/// (this explanation does not), and the population figures read those values as NULL.
fn unreadable_note(customers: &crate::source::Dataset) -> Option<String> {
    let first = customers.unreadable.first()?;
    let n = customers.unreadable.len();
    Some(format!(
        "{} hold{} a value {} column does not hold (first: customer {}, column `{}`): `run` stops on {}, `run --keep-going` leaves {} out; the population figures here read such values as NULL, as that run does",
        crate::text::customers(n),
        if n == 1 { "s" } else { "" },
        if n == 1 { "its" } else { "their" },
        customers.id_text(first.row),
        first.column,
        if n == 1 { "it" } else { "them" },
        if n == 1 { "it" } else { "them" },
    ))
}

/// Where a customer missing from the data as of the run's date is after all: the latest
/// official run (of the period kind) that holds it, in words.
fn last_run_holding(ws: &Workspace, conn: &rusqlite::Connection, id: &str) -> Option<String> {
    let tables = &ws.config.tables;
    let runs = crate::output::official_runs(conn, tables, ws.context.period.kind).ok()?;
    let held = crate::output::customer_in_runs(conn, tables, id, &[], runs).ok()?;
    let last = held.periods.last()?;
    Some(format!(
        " as of {}: it is in {}'s run (run {}, the latest that holds it; `tierwise history {id}` shows its periods, `--as-of {}` explains it as of that run)",
        ws.context.as_of,
        last.run.period.label(),
        last.run.run_id,
        last.run.as_of
    ))
}

/// The earlier periods `rules` read and the runs they were read from: across a change of
/// runs (a correction, a switch of `period:`), which `previous` a figure came from.
fn history_read(
    rules: &crate::rules::RuleSet,
    history: &crate::engine::History,
    period: crate::time::Period,
) -> Vec<crate::engine::explain::HistoryRead> {
    let mut backs: Vec<u32> = (rules.past.iter().filter(|p| p.read))
        .map(|p| p.back)
        .collect();
    backs.sort_unstable();
    backs.dedup();
    (backs.into_iter())
        .filter_map(|back| {
            let read = history.runs.get(back as usize - 1).and_then(Option::as_ref);
            Some(crate::engine::explain::HistoryRead {
                reads: crate::rules::periods_back(back),
                period: period.back(back)?.label().to_owned(),
                run_id: read.and_then(|r| r.run_id),
            })
        })
        .collect()
}

/// What the period's official run `run` recorded for the customer, against `explained`: an
/// audit reproduces a recorded decision with the rules of its time, and other rules,
/// another date, late data or a history pruned since make `explain` give something else.
fn recorded(
    ws: &Workspace,
    conn: &rusqlite::Connection,
    run: crate::output::OfficialRun,
    rules: &crate::rules::RuleSet,
    explained: &Explanation,
    data_now: &str,
) -> Result<Recorded, Error> {
    let period = ws.context.period;
    let tables = &ws.config.tables;
    let names: Vec<String> = (crate::output::output_names(conn, tables)?.into_iter())
        .filter(|n| (rules.outputs.iter()).any(|o| crate::output::same_output(&o.name, n)))
        .collect();
    let mut in_run =
        crate::output::customer_in_runs(conn, tables, &explained.customer, &names, vec![run])?;
    let held = in_run.periods.pop();
    let left_out = in_run
        .left_out
        .pop()
        .map(|(_, out)| (out.rule, out.message));
    let recorded_rules = crate::output::run_rules(conn, tables, run.run_id)?;
    let these = crate::output::RunRules::of(rules);
    let other_rules = (recorded_rules.as_ref()).is_some_and(|r| !r.decide_as(&these));
    let made_by = crate::output::other_tierwise(conn, tables, run.run_id)?;
    let mut out = Recorded {
        run_id: run.run_id,
        period: period.label().to_owned(),
        as_of: run.as_of.to_string(),
        other_rules,
        fingerprint: recorded_rules.map(|r| r.fingerprint),
        rules_revision: crate::output::run_revision(conn, tables, run.run_id)?,
        // Other rules may read other columns: their data is not comparable.
        data_changed: match other_rules {
            true => None,
            false => (crate::output::run_data_fingerprint(conn, tables, run.run_id)?)
                .map(|then| then != *data_now),
        },
        holds_customer: held.is_some(),
        made_by_other_tierwise: made_by,
        differences: Vec::new(),
        rule_ids: None,
        replaced_by: None,
        rules_at: None,
        left_out,
        edited_since_written: false,
    };
    // Made from what this explanation read, the same rules on the same data as of the same
    // day by this tierwise, reading no history: only an edit of the record makes it differ.
    let made_from_the_same = !other_rules
        && run.as_of == ws.context.as_of
        && out.made_by_other_tierwise.is_none()
        && out.data_changed == Some(false)
        && rules.past.is_empty();
    let Some(held) = held else {
        out.edited_since_written = made_from_the_same && out.left_out.is_none();
        return Ok(out);
    };
    let explained_value = |name: &str| {
        (explained.outputs.iter())
            .find(|o| o.name == name)
            .map_or(serde_json::Value::Null, |o| o.value.clone())
    };
    for (k, name) in names.iter().enumerate() {
        let recorded = crate::output::value_json(&held.values[k], held.declared[k]);
        let here = explained_value(name);
        if !same_value(&recorded, &here) {
            out.differences.push(RecordedDifference {
                output: name.clone(),
                recorded,
                explained: here,
            });
        }
    }
    // The same rules fired, listed in another order (a rule file split in two, files
    // renamed: the list follows the files), are the same rule ids, as `diff` counts them.
    let sorted = |ids: &[String]| {
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids
    };
    if sorted(&held.rule_ids) != sorted(&explained.rule_ids) {
        out.rule_ids = Some(held.rule_ids);
    }
    out.edited_since_written = made_from_the_same && !out.same();
    Ok(out)
}

/// As a test case compares ([`crate::cases::same`]: numbers by value, lists item by item),
/// and a column written by an older tierwise (no declared type) gives true/false back as
/// 1/0 and a list as its JSON text.
fn same_value(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value as J;
    match (a, b) {
        (J::Number(n), J::Bool(t)) | (J::Bool(t), J::Number(n)) => {
            n.as_i64() == Some(i64::from(*t))
        }
        (J::String(text), J::Array(_)) | (J::Array(_), J::String(text)) => {
            let list = if a.is_array() { a } else { b };
            serde_json::from_str::<J>(text).is_ok_and(|parsed| crate::cases::same(&parsed, list))
        }
        _ => crate::cases::same(a, b),
    }
}

#[cfg(test)]
mod tests {
    use super::same_value;
    use serde_json::json;

    #[test]
    fn recorded_values_compare_as_the_rules_give_them() {
        assert!(same_value(&json!(12), &json!(12.0)));
        assert!(!same_value(&json!(12), &json!(12.5)));
        // Written by an older tierwise: true/false as 1/0, lists as JSON text.
        assert!(same_value(&json!(1), &json!(true)));
        assert!(!same_value(&json!(1), &json!(false)));
        assert!(same_value(&json!("[\"late\"]"), &json!(["late"])));
        assert!(!same_value(&json!("[\"late\"]"), &json!(["late", "big"])));
        assert!(!same_value(&json!("A"), &json!("B")));
    }
}
