//! Reading runs back. Every run is kept; the one that counts for a period, its **official
//! run**, is the period's latest `ok` run: running a period again replaces it as the run
//! later periods read, and a run for an earlier period (a backfill) becomes that period's.
//!
//! The run table is small (a record per run), so official runs are chosen here rather than
//! in SQL, with periods ordered as [`Period`]s. A database not written since runs had dates
//! (schema version 0) is read as its upgrade will write it: each run dated by the day it
//! started, in periods of the kind asked for.

use super::OutputError;
use super::schema::{Declared, PolicyTable, columns, derived_date, fired_table};
use crate::config::OutputTables;
use crate::source::{Cell, Dataset, quote_ident};
use crate::time::{Date, Period, PeriodKind};
use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::{Connection, OptionalExtension};
use std::collections::BTreeMap;

pub(super) fn read_err(what: &str) -> impl Fn(rusqlite::Error) -> OutputError + '_ {
    move |source| match source.sqlite_error_code() {
        // As a writer's lock is (`history` and `changes` are retried as `run` is).
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
            OutputError::ReadLocked(what.to_owned())
        }
        Some(rusqlite::ErrorCode::ReadOnly) => OutputError::ReadNeedsWrite(what.to_owned()),
        _ => OutputError::Read {
            what: what.to_owned(),
            source,
        },
    }
}

/// A period's official run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfficialRun {
    pub run_id: i64,
    pub period: Period,
    pub as_of: Date,
}

/// A record of the run table, as far as history needs it.
#[derive(Debug, Clone)]
pub(super) struct RunRecord {
    pub run_id: i64,
    pub status: String,
    pub as_of: Option<Date>,
    pub period: Option<Period>,
    /// A successful run removed (`prune --run`) or pruned (`prune --keep`) since: until
    /// then, it was what the runs after it read of its period.
    pub removed_ok: bool,
    /// When it started (`2026-12-02T01:08:32.123Z`, which orders as text).
    pub started_at: String,
    /// When `prune --run` removed it, as its message says (`None`: not removed, or by a
    /// tierwise that did not say).
    pub removed_at: Option<String>,
}

/// The periods whose official run `prune --keep` deleted (its record stays, status
/// `pruned`): periods without a run that had one, not ones skipped or before the first run.
pub fn pruned_periods(
    conn: &Connection,
    tables: &OutputTables,
    kind: PeriodKind,
) -> Result<Vec<Period>, OutputError> {
    let records = run_records(conn, tables, kind)?;
    Ok((records.iter())
        .filter(|r| r.status == super::prune::PRUNED)
        .filter_map(|r| r.period)
        .collect())
}

/// Every record of the run table, by run id (none when there is no table). Runs recorded
/// before version 1 are dated from their start, in periods of `kind`.
pub(super) fn run_records(
    conn: &Connection,
    tables: &OutputTables,
    kind: PeriodKind,
) -> Result<Vec<RunRecord>, OutputError> {
    let Some(existing) = columns(conn, &tables.run_table)? else {
        return Ok(Vec::new());
    };
    let dated = existing.iter().any(|(c, _)| c == "as_of");
    let sql = format!(
        "SELECT run_id, status, started_at, {}, message FROM {} ORDER BY run_id",
        if dated { "as_of, period" } else { "NULL, NULL" },
        quote_ident(&tables.run_table)
    );
    let err = read_err(&tables.run_table);
    let mut stmt = conn.prepare(&sql).map_err(&err)?;
    let rows = stmt
        .query_map([], |r| {
            let started_at: String = r.get(2)?;
            let (as_of, period) = if dated {
                let as_of: Option<String> = r.get(3)?;
                let period: Option<String> = r.get(4)?;
                (
                    as_of.as_deref().and_then(Date::parse),
                    period.and_then(|p| Period::parse(&p).ok()),
                )
            } else {
                derived_date(&started_at, kind)
            };
            let status: String = r.get(1)?;
            let message: Option<String> = r.get(5)?;
            // `prune --keep` marks official runs only.
            let removed_ok = status == super::prune::PRUNED
                || (status == super::prune::REMOVED
                    && message
                        .as_deref()
                        .is_some_and(super::prune::removed_while_ok));
            let removed_at = (status == super::prune::REMOVED)
                .then(|| message.as_deref().and_then(super::prune::removed_at))
                .flatten()
                .map(str::to_owned);
            Ok(RunRecord {
                run_id: r.get(0)?,
                status,
                as_of,
                period,
                removed_ok,
                started_at,
                removed_at,
            })
        })
        .map_err(&err)?;
    rows.collect::<Result<_, _>>().map_err(err)
}

/// Each period's official run, oldest period first. `kind`: the kind of period runs
/// recorded before version 1 are read in (runs recorded since say their own).
pub fn official_runs(
    conn: &Connection,
    tables: &OutputTables,
    kind: PeriodKind,
) -> Result<Vec<OfficialRun>, OutputError> {
    Ok(official(&run_records(conn, tables, kind)?))
}

pub(super) fn official(records: &[RunRecord]) -> Vec<OfficialRun> {
    let mut by_period: BTreeMap<Period, OfficialRun> = BTreeMap::new();
    for r in records.iter().filter(|r| r.status == "ok") {
        if let (Some(period), Some(as_of)) = (r.period, r.as_of) {
            let run = OfficialRun {
                run_id: r.run_id,
                period,
                as_of,
            };
            by_period
                .entry(period)
                .and_modify(|o| {
                    if run.run_id > o.run_id {
                        *o = run;
                    }
                })
                .or_insert(run);
        }
    }
    by_period.into_values().collect()
}

/// The official run of `period`, if it has one.
pub fn official_run_of(
    conn: &Connection,
    tables: &OutputTables,
    period: Period,
) -> Result<Option<OfficialRun>, OutputError> {
    let official = official_runs(conn, tables, period.kind)?;
    Ok(official.into_iter().find(|r| r.period == period))
}

/// The run of `period` that was official when run `before` was made (the latest successful
/// one made before it), if there was one: what `before` read as that period's history.
pub(super) fn official_before(
    records: &[RunRecord],
    period: Period,
    before: i64,
) -> Option<OfficialRun> {
    // As the records stood then: a successful run removed since was official; one removed
    // before `before` started was not (`before` read no run of it).
    let started = (records.iter())
        .find(|r| r.run_id == before)
        .map(|r| r.started_at.as_str());
    let there_then = |r: &RunRecord| match (&r.removed_at, started) {
        (Some(removed), Some(started)) => removed.as_str() > started,
        _ => true,
    };
    let earlier: Vec<RunRecord> = (records.iter())
        .filter(|r| r.run_id < before)
        .map(|r| match r.removed_ok && there_then(r) {
            true => RunRecord {
                status: "ok".into(),
                ..r.clone()
            },
            false => r.clone(),
        })
        .collect();
    official(&earlier).into_iter().find(|r| r.period == period)
}

/// The run of `period` that run `run_id` (of that period) replaced as its official run: the
/// one official when it was written, which another run of the period written meanwhile
/// may have changed since it was read.
pub fn replaced_by(
    conn: &Connection,
    tables: &OutputTables,
    period: Period,
    run_id: i64,
) -> Result<Option<OfficialRun>, OutputError> {
    let records = run_records(conn, tables, period.kind)?;
    Ok(official_before(&records, period, run_id))
}

/// The official runs of the periods right after `period` (of its kind), oldest first, up to
/// the first period without one: each reads the one before it as its history (a period
/// with no run breaks the chain).
pub fn following(official: &[OfficialRun], period: Period) -> Vec<OfficialRun> {
    let mut out: Vec<OfficialRun> = Vec::new();
    for r in official
        .iter()
        .filter(|r| r.period.kind == period.kind && r.period > period)
    {
        let last = out.last().map_or(period, |l| l.period);
        if r.period.previous() != Some(last) {
            break;
        }
        out.push(*r);
    }
    out
}

/// The official runs of the periods before `period` (of its kind), newest first, at most
/// `depth`: `[0]` is the latest period before `period` that has a run, which is
/// `period.previous()` unless that period has none (compare the periods).
pub fn official_runs_before(
    conn: &Connection,
    tables: &OutputTables,
    period: Period,
    depth: usize,
) -> Result<Vec<OfficialRun>, OutputError> {
    let runs = official_runs(conn, tables, period.kind)?;
    Ok(runs
        .into_iter()
        .rev()
        .filter(|r| r.period.kind == period.kind && r.period < period)
        .take(depth)
        .collect())
}

/// The value of a cell as a dataset holds it (binary data reads as NULL); a whole number
/// of a `DECIMAL` column is a decimal. Text that is not UTF-8 (tierwise writes none: changed
/// by hand) is its bytes, never read with a replacement character (which would make two
/// customers' ids one, or a value that changed the same).
fn cell(value: ValueRef<'_>, declared: Declared) -> Result<Cell<'_>, &[u8]> {
    Ok(match value {
        ValueRef::Null | ValueRef::Blob(_) => Cell::Null,
        ValueRef::Integer(i) if declared == Declared::Decimal => Cell::Real(i as f64),
        ValueRef::Integer(i) => Cell::Int(i),
        ValueRef::Real(f) => Cell::Real(f),
        ValueRef::Text(bytes) => match std::str::from_utf8(bytes) {
            Ok(text) => Cell::Text(std::borrow::Cow::Borrowed(text)),
            Err(_) => return Err(bytes),
        },
    })
}

/// Column `column` of run `run_id` in `table` holds text that is not UTF-8 (`customer`: the
/// row's id, when it is UTF-8 itself).
fn not_utf8(
    table: &str,
    run_id: i64,
    customer: Option<&str>,
    column: &str,
    bytes: &[u8],
) -> OutputError {
    let whose = customer.map_or(String::new(), |c| format!("customer {c}'s "));
    OutputError::Schema(format!(
        "table `{table}`, run {run_id}: {whose}`{column}` holds the text \"{}\", which is not UTF-8; tierwise writes only UTF-8, so it was changed by hand or by another program\n  = help: write the value again in UTF-8, or remove the run (`tierwise prune --run {run_id}`)",
        crate::text::cut(crate::text::escape_bytes(bytes), 80)
    ))
}

/// Run `run_id`'s values of `outputs` for every customer, in `customer_id` order, as a
/// dataset whose columns are `customer_id` then the outputs. An output the run's table does
/// not have (added after the run, or never written) is a column of NULL; so is every value
/// of a run that wrote no row. True/false read as 1/0 (the rules' kinds restore them: a
/// column keeps the type it was made with, the rules may since give another kind); list
/// outputs read as their JSON text.
pub fn read_run<S: AsRef<str>>(
    conn: &Connection,
    tables: &OutputTables,
    run_id: i64,
    outputs: &[S],
) -> Result<Dataset, OutputError> {
    let mut names = vec!["customer_id".to_owned()];
    names.extend(outputs.iter().map(|o| o.as_ref().to_owned()));
    let schema_err = |e: crate::source::SourceError| OutputError::Schema(e.to_string());
    let mut builder = Dataset::builder(&names, "customer_id").map_err(schema_err)?;
    let Some(policy) = PolicyTable::read(conn, tables)? else {
        return builder.finish().map_err(schema_err);
    };
    // Per output: its column among those selected (if the table has it), and its type.
    let types = RunTypes::read(conn, tables, &policy, run_id)?;
    let mut selected = vec!["customer_id".to_owned()];
    let mut at = Vec::with_capacity(outputs.len());
    for output in outputs {
        let output = output.as_ref();
        at.push(policy.has(output).then(|| {
            selected.push(quote_ident(output));
            (selected.len() - 1, types.of(output))
        }));
    }
    let sql = format!(
        "SELECT {} FROM {} WHERE run_id = ?1 ORDER BY customer_id",
        selected.join(", "),
        quote_ident(&tables.policy_table)
    );
    let err = read_err(&tables.policy_table);
    let mut stmt = conn.prepare(&sql).map_err(&err)?;
    let mut rows = stmt.query([run_id]).map_err(&err)?;
    let table = &tables.policy_table;
    while let Some(row) = rows.next().map_err(&err)? {
        let id = cell(row.get_ref(0).map_err(&err)?, Declared::Plain)
            .map_err(|bytes| not_utf8(table, run_id, None, "customer_id", bytes))?;
        builder.push(0, id).map_err(schema_err)?;
        for (k, column) in at.iter().enumerate() {
            let value = match column {
                Some((c, declared)) => {
                    cell(row.get_ref(*c).map_err(&err)?, *declared).map_err(|bytes| {
                        // The row's id, said only on this path: no text made per row.
                        let customer = match row.get_ref(0) {
                            Ok(ValueRef::Text(t)) => std::str::from_utf8(t).ok().map(str::to_owned),
                            Ok(ValueRef::Integer(i)) => Some(i.to_string()),
                            _ => None,
                        };
                        not_utf8(table, run_id, customer.as_deref(), &names[k + 1], bytes)
                    })?
                }
                None => Cell::Null,
            };
            builder.push(k + 1, value).map_err(schema_err)?;
        }
        builder.end_row().map_err(schema_err)?;
    }
    builder.finish().map_err(schema_err)
}

/// How one run's values of each output read: the types recorded with the run
/// (`policy_run.outputs`, since schema version 4), else, for a run recorded before, the
/// types of the columns (which are those of the run that made each column).
pub(super) struct RunTypes<'p> {
    recorded: Option<serde_json::Map<String, serde_json::Value>>,
    policy: &'p PolicyTable,
}

impl<'p> RunTypes<'p> {
    pub(super) fn read(
        conn: &Connection,
        tables: &OutputTables,
        policy: &'p PolicyTable,
        run_id: i64,
    ) -> Result<Self, OutputError> {
        let recorded = match run_outputs(conn, tables, run_id)? {
            Some(serde_json::Value::Object(map)) => Some(map),
            _ => None,
        };
        Ok(RunTypes { recorded, policy })
    }

    /// Whether the run recorded its outputs' types (since schema version 4).
    pub(super) fn recorded(&self) -> bool {
        self.recorded.is_some()
    }

    /// How `output` reads (plain for an output the run did not give: its values are NULL).
    pub(super) fn of(&self, output: &str) -> Declared {
        match &self.recorded {
            Some(map) => (map.iter())
                .find(|(name, _)| super::same_output(name, output))
                .and_then(|(_, t)| t.as_str())
                .map_or(Declared::Plain, Declared::of_sql),
            None => self.policy.declared(output),
        }
    }
}

/// The outputs run `run_id` recorded with their types (`policy_run.outputs`, a JSON object),
/// `None` for a run recorded before schema version 4 (or no such run).
pub fn run_outputs(
    conn: &Connection,
    tables: &OutputTables,
    run_id: i64,
) -> Result<Option<serde_json::Value>, OutputError> {
    run_json(conn, tables, run_id, "outputs")
}

/// The JSON that run `run_id` recorded in `column` of the run table; `None` when the table
/// has no such column yet (a database of an earlier schema), the run none, or it is not
/// JSON.
pub(super) fn run_json(
    conn: &Connection,
    tables: &OutputTables,
    run_id: i64,
    column: &str,
) -> Result<Option<serde_json::Value>, OutputError> {
    if !super::schema::runs_record(conn, tables, column)? {
        return Ok(None);
    }
    let json: Option<String> = conn
        .query_row(
            &format!(
                "SELECT {} FROM {} WHERE run_id = ?1",
                quote_ident(column),
                quote_ident(&tables.run_table)
            ),
            [run_id],
            |r| r.get(0),
        )
        .optional()
        .map_err(read_err(&tables.run_table))?
        .flatten();
    Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
}

/// The tierwise that made run `run_id` (`--version`'s number) when it is not this one:
/// as a reader names it: `tierwise 0.1.0`, or one that did not record its version (runs
/// record it since schema version 5, with 0.1.0).
/// A new version may evaluate some rules otherwise (README, "Upgrading").
pub fn other_tierwise(
    conn: &Connection,
    tables: &OutputTables,
    run_id: i64,
) -> Result<Option<String>, OutputError> {
    let mut made_by: Option<String> = None;
    if super::schema::runs_record(conn, tables, "tierwise_version")? {
        let sql = format!(
            "SELECT tierwise_version FROM {} WHERE run_id = ?1",
            quote_ident(&tables.run_table)
        );
        let found = conn.query_row(&sql, [run_id], |r| r.get(0)).optional();
        made_by = found.map_err(read_err(&tables.run_table))?.flatten();
    }
    Ok(match made_by {
        Some(v) if v == env!("CARGO_PKG_VERSION") => None,
        Some(v) => Some(format!("tierwise {v}")),
        None => Some("a tierwise that did not record its version (older than 0.1.0)".to_owned()),
    })
}

/// How many customers run `run_id` recorded (0 when there is no such run).
pub fn run_customers(
    conn: &Connection,
    tables: &OutputTables,
    run_id: i64,
) -> Result<i64, OutputError> {
    let sql = format!(
        "SELECT customers FROM {} WHERE run_id = ?1",
        quote_ident(&tables.run_table)
    );
    let found = conn.query_row(&sql, [run_id], |r| r.get(0)).optional();
    Ok(found.map_err(read_err(&tables.run_table))?.unwrap_or(0))
}

/// A customer a `run --keep-going` left out because a rule failed for it.
#[derive(Debug, Clone, PartialEq)]
pub struct LeftOut {
    pub customer: String,
    /// "rule `tier-a`", "metric `loyalty`", ...
    pub rule: String,
    pub message: String,
}

/// The customers run `run_id` left out, in id order, or only `customer` among them (empty
/// for a database written before the error table was).
pub fn left_out(
    conn: &Connection,
    tables: &OutputTables,
    run_id: i64,
    customer: Option<&str>,
) -> Result<Vec<LeftOut>, OutputError> {
    let Some(table) = super::schema::error_table_to_read(conn, tables)? else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "SELECT customer_id, rule, message FROM {} WHERE run_id = ?1 AND (?2 IS NULL OR customer_id = ?2) ORDER BY customer_id",
        quote_ident(table)
    );
    let err = read_err(table);
    let mut stmt = conn.prepare(&sql).map_err(&err)?;
    let rows = stmt
        .query_map(rusqlite::params![run_id, customer], |r| {
            Ok(LeftOut {
                customer: r.get(0)?,
                rule: r.get(1)?,
                message: r.get(2)?,
            })
        })
        .and_then(|rows| rows.collect())
        .map_err(&err)?;
    Ok(rows)
}

/// The output columns of the policy table (empty when there is none).
pub fn output_names(conn: &Connection, tables: &OutputTables) -> Result<Vec<String>, OutputError> {
    Ok(PolicyTable::read(conn, tables)?
        .map(|p| p.outputs())
        .unwrap_or_default())
}

/// The kind of the latest dated run's period, if any run is dated.
pub fn latest_kind(
    conn: &Connection,
    tables: &OutputTables,
) -> Result<Option<PeriodKind>, OutputError> {
    let records = run_records(conn, tables, PeriodKind::default())?;
    Ok(records.iter().rev().find_map(|r| r.period).map(|p| p.kind))
}

/// One customer in one period: its official run, its values of the asked outputs (whole
/// numbers of a `DECIMAL` column as decimals) and the rules that fired.
#[derive(Debug, Clone)]
pub struct PeriodValues {
    pub run: OfficialRun,
    pub values: Vec<SqlValue>,
    /// How each value reads (the type its run recorded for the output, else its column's).
    pub declared: Vec<Declared>,
    pub rule_ids: Vec<String>,
}

/// One customer's values of some outputs, period by period.
#[derive(Debug, Clone, Default)]
pub struct CustomerHistory {
    /// Oldest first; periods whose official run does not hold the customer are left out.
    pub periods: Vec<PeriodValues>,
    /// The official runs that left the customer out (`run --keep-going`, a rule failing
    /// for it), oldest first: those periods have no policy for it.
    pub left_out: Vec<(OfficialRun, LeftOut)>,
}

/// One customer's values of `outputs`, period by period.
pub fn customer_history(
    conn: &Connection,
    tables: &OutputTables,
    customer_id: &str,
    outputs: &[String],
    kind: PeriodKind,
) -> Result<CustomerHistory, OutputError> {
    let runs = official_runs(conn, tables, kind)?;
    customer_in_runs(conn, tables, customer_id, outputs, runs)
}

/// One customer's values of `outputs` in each of `runs` (one period's, for `explain`).
pub fn customer_in_runs(
    conn: &Connection,
    tables: &OutputTables,
    customer_id: &str,
    outputs: &[String],
    runs: Vec<OfficialRun>,
) -> Result<CustomerHistory, OutputError> {
    let Some(policy) = PolicyTable::read(conn, tables)? else {
        return Ok(CustomerHistory::default());
    };
    let sql = customer_sql(conn, tables, &policy, outputs)?;
    let err = read_err(&tables.policy_table);
    let mut stmt = conn.prepare(&sql).map_err(&err)?;
    // An id column of numbers matches `42` given as text.
    let number = crate::source::id_number(customer_id);
    let id_number = number.map_or(SqlValue::Text(customer_id.into()), SqlValue::Integer);
    let n = outputs.len();
    let mut periods = Vec::new();
    let mut left = Vec::new();
    for run in runs {
        let types = RunTypes::read(conn, tables, &policy, run.run_id)?;
        let declared: Vec<Declared> = outputs.iter().map(|o| types.of(o)).collect();
        let params = rusqlite::params![run.run_id, customer_id, id_number];
        // An output's text that is not UTF-8, said with its bytes rather than as a type error.
        let mut not_text = None;
        let found = stmt
            .query_row(params, |r| {
                let values = (0..n)
                    .map(|k| match r.get_ref(k)? {
                        ValueRef::Text(t) if std::str::from_utf8(t).is_err() => {
                            not_text.get_or_insert((k, t.to_vec()));
                            Ok(SqlValue::Null)
                        }
                        _ => match r.get(k)? {
                            SqlValue::Integer(i) if declared[k] == Declared::Decimal => {
                                Ok(SqlValue::Real(i as f64))
                            }
                            v => Ok(v),
                        },
                    })
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                let listed: Option<String> = r.get(n)?;
                let legacy: Option<String> = r.get(n + 1)?;
                Ok((values, listed.or(legacy)))
            })
            .optional()
            .map_err(&err)?;
        if let Some((k, bytes)) = not_text {
            let table = &tables.policy_table;
            return Err(not_utf8(
                table,
                run.run_id,
                Some(customer_id),
                &outputs[k],
                &bytes,
            ));
        }
        if let Some((values, json)) = found {
            let rule_ids = json
                .and_then(|json| serde_json::from_str(&json).ok())
                .unwrap_or_default();
            periods.push(PeriodValues {
                run,
                values,
                declared,
                rule_ids,
            });
        } else if let Some(out) = left_out(conn, tables, run.run_id, Some(customer_id))?.pop() {
            left.push((run, out));
        }
    }
    Ok(CustomerHistory {
        periods,
        left_out: left,
    })
}

/// The id in the policy table that `customer_id` differs from only in case or surrounding
/// blanks (`C-000084` for `c-000084`), for "did you mean".
pub fn customer_like(
    conn: &Connection,
    tables: &OutputTables,
    customer_id: &str,
) -> Result<Option<String>, OutputError> {
    if PolicyTable::read(conn, tables)?.is_none() {
        return Ok(None);
    }
    let sql = format!(
        "SELECT customer_id FROM {} WHERE customer_id = ?1 COLLATE NOCASE LIMIT 1",
        quote_ident(&tables.policy_table)
    );
    let found = conn
        .query_row(&sql, [customer_id.trim()], |r| r.get::<_, SqlValue>(0))
        .optional()
        .map_err(read_err(&tables.policy_table))?;
    // The id itself is no suggestion (a customer of superseded runs only).
    Ok(found
        .and_then(|id| super::stored::value_text(&id, Declared::Plain))
        .filter(|id| id != customer_id))
}

/// The statement reading one customer's row of one run: the outputs, its list of fired
/// rules (JSON), the JSON rule ids of a row written before version 1.
fn customer_sql(
    conn: &Connection,
    tables: &OutputTables,
    policy: &PolicyTable,
    outputs: &[String],
) -> Result<String, OutputError> {
    let mut select: Vec<String> = outputs
        .iter()
        .map(|o| match policy.has(o) {
            true => format!("p.{}", quote_ident(o)),
            false => "NULL".into(),
        })
        .collect();
    let fired = fired_table(tables);
    let compact = policy.has("fired") && columns(conn, &fired)?.is_some();
    let mut joins = String::new();
    if compact {
        select.push("f.rule_ids".into());
        joins = format!(
            "LEFT JOIN {} f ON f.run_id = p.run_id AND f.fired = p.fired",
            quote_ident(&fired)
        );
    } else {
        select.push("NULL".into());
    }
    select.push(match policy.legacy() {
        true => "p.rule_ids".into(),
        false => "NULL".into(),
    });
    Ok(format!(
        "SELECT {} FROM {} p {joins} WHERE p.run_id = ?1 AND p.customer_id IN (?2, ?3)",
        select.join(", "),
        quote_ident(&tables.policy_table)
    ))
}
