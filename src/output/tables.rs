//! The run table's records: the id a run gets, its `ok` record once its rows are written, and
//! the `failed` record of a run that was rolled back.

use super::schema::Declared;
use super::{OutputError, RunInfo, ValueOrder};
use crate::config::OutputTables;
use crate::engine::EvalError;
use crate::source::quote_ident;
use rusqlite::{Connection, OptionalExtension};

/// The current UTC time as SQLite formats it.
pub fn now(conn: &Connection) -> String {
    conn.query_row("SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now')", [], |r| {
        r.get(0)
    })
    .unwrap_or_default()
}

/// The day (in the config's time zone) run `run_id` was started on (`None`: no such run, or a start not dated).
pub fn run_started_on(
    conn: &Connection,
    tables: &OutputTables,
    run_id: i64,
) -> Result<Option<crate::time::Date>, OutputError> {
    let started: Option<String> = conn
        .query_row(
            &format!(
                "SELECT started_at FROM {} WHERE run_id = ?1",
                quote_ident(&tables.run_table)
            ),
            [run_id],
            |r| r.get(0),
        )
        .optional()
        .map_err(super::history::read_err(&tables.run_table))?;
    Ok(started.as_deref().and_then(crate::time::day_of))
}

pub(super) fn write_err(what: &str) -> impl Fn(rusqlite::Error) -> OutputError + '_ {
    move |source| match source.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
            OutputError::Locked(what.to_owned())
        }
        Some(rusqlite::ErrorCode::ReadOnly) => OutputError::ReadOnly(what.to_owned()),
        Some(rusqlite::ErrorCode::SystemIoFailure | rusqlite::ErrorCode::DiskFull)
            if crate::interrupt::file_size_limited() =>
        {
            OutputError::SizeLimited {
                what: what.to_owned(),
                source,
            }
        }
        _ => OutputError::Write {
            what: what.to_owned(),
            source,
        },
    }
}

/// Each period before `period` with its official run (its latest `ok` run), in one text:
/// what a run read its history from, compared again once it holds the write lock. Another `run` or a
/// `prune` that changed those runs in between (a rerun of the previous period, a run
/// removed) would leave it built on runs that are no longer the official ones, recorded as
/// if it had read them; a run of this period or a later one changes nothing it read. Empty
/// without a run table; `None` for a run table written before runs had periods (the run
/// gives them theirs as it writes: not compared).
pub fn runs_seen(
    conn: &Connection,
    tables: &OutputTables,
    period: crate::time::Period,
) -> Result<Option<String>, OutputError> {
    let Some(columns) = super::schema::columns(conn, &tables.run_table)? else {
        return Ok(Some(String::new()));
    };
    if !columns.iter().any(|(name, _)| name == "period") {
        return Ok(None);
    }
    let run = quote_ident(&tables.run_table);
    // Labels of one kind order as their periods do (2026-09 < 2026-10, 2026-Q1 < 2026-Q3).
    // The runs that count: each earlier period's latest `ok` run (a failed record or a run
    // of this period changes nothing a run reads).
    conn.query_row(
        &format!(
            "SELECT COALESCE(group_concat(period || ' ' || run_id, ','), '')
             FROM (SELECT period, MAX(run_id) AS run_id FROM {run}
                   WHERE status = 'ok' AND period < ?1 GROUP BY period ORDER BY period)"
        ),
        [period.label()],
        |r| r.get(0),
    )
    .map(Some)
    .map_err(|source| OutputError::Read {
        what: tables.run_table.clone(),
        source,
    })
}

/// The id the next run gets.
pub(super) fn next_run_id(conn: &Connection, tables: &OutputTables) -> Result<i64, OutputError> {
    // Past the policy rows' ids too: a run record deleted by hand left its rows, and the
    // next run took its id and clashed with them.
    conn.query_row(
        &format!(
            "SELECT MAX(COALESCE((SELECT MAX(run_id) FROM {}), 0), COALESCE((SELECT MAX(run_id) FROM {}), 0), COALESCE((SELECT MAX(run_id) FROM {}), 0)) + 1",
            quote_ident(&tables.run_table),
            quote_ident(&tables.policy_table),
            quote_ident(&super::schema::fired_table(tables))
        ),
        [],
        |r| r.get(0),
    )
    .map_err(write_err(&tables.run_table))
}

/// What a run's record says besides its info.
pub(super) enum Outcome<'a> {
    /// All rows written: the run's id, its customers, the order of its outputs' values and
    /// its summary totals (JSON; `None`: the caller gave none).
    Ok {
        run_id: i64,
        customers: usize,
        orders: &'a [ValueOrder],
        totals: Option<String>,
        /// Customers left out because they failed (`run --keep-going`).
        failed: usize,
        /// The run's outputs and their types (`policy_run.outputs`).
        outputs: &'a [String],
        declared: &'a [Declared],
    },
    /// Rolled back, with the error.
    Failed { message: &'a str },
}

/// Inserts a run's record (a failed run takes the next free id).
pub(super) fn record(
    conn: &Connection,
    tables: &OutputTables,
    info: &RunInfo,
    outcome: Outcome<'_>,
) -> Result<(), OutputError> {
    let (run_id, status, customers, orders, totals, outputs, message) = match outcome {
        Outcome::Ok {
            run_id,
            customers,
            orders,
            totals,
            failed,
            outputs,
            declared,
        } => (
            Some(run_id),
            "ok",
            customers as i64,
            Some(orders_json(orders)),
            totals,
            Some(outputs_json(outputs, declared)),
            (failed > 0).then(|| {
                format!(
                    "{failed} customer{} failed and {} left out: see {}",
                    if failed == 1 { "" } else { "s" },
                    if failed == 1 { "is" } else { "are" },
                    tables.error_table
                )
            }),
        ),
        Outcome::Failed { message } => (
            None,
            "failed",
            0,
            None,
            None,
            None,
            Some(message.to_owned()),
        ),
    };
    let run = quote_ident(&tables.run_table);
    conn.execute(
        &format!(
            "INSERT INTO {run} (run_id, started_at, finished_at, status, customers, fingerprint,
                                rules_dir, message, as_of, period, value_order, totals, outputs,
                                tierwise_version, customers_from, logic_fingerprint,
                                rules_revision, data_fingerprint)
             VALUES (COALESCE(?1, (SELECT COALESCE(MAX(run_id), 0) + 1 FROM {run})), ?2,
                     strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,
                     ?11, ?12, ?13, ?14, ?15, ?16, ?17)"
        ),
        rusqlite::params![
            run_id,
            info.started_at,
            status,
            customers,
            info.fingerprint,
            info.rules_dir,
            message,
            info.as_of.to_string(),
            info.period.to_string(),
            orders,
            totals,
            outputs,
            env!("CARGO_PKG_VERSION"),
            info.customers_from,
            info.logic_fingerprint,
            info.rules_revision,
            info.data_fingerprint,
        ],
    )
    .map_err(write_err(&tables.run_table))?;
    Ok(())
}

/// The customers a run that kept going left out: one row each, with the rule that failed,
/// its message and where the rule is written.
pub(super) fn record_errors(
    conn: &Connection,
    tables: &OutputTables,
    run_id: i64,
    errors: &[EvalError],
) -> Result<(), OutputError> {
    if errors.is_empty() {
        return Ok(());
    }
    let mut insert = conn
        .prepare(&format!(
            "INSERT INTO {} (run_id, customer_id, rule, message, at) VALUES (?1, ?2, ?3, ?4, ?5)",
            quote_ident(&tables.error_table)
        ))
        .map_err(write_err(&tables.error_table))?;
    for e in errors {
        insert
            .execute(rusqlite::params![
                run_id, e.customer, e.rule, e.message, e.at
            ])
            .map_err(write_err(&tables.error_table))?;
    }
    Ok(())
}

/// `{"tier": "", "credit_limit": "DECIMAL", ...}`: each output with its declared type.
fn outputs_json(outputs: &[String], declared: &[Declared]) -> String {
    let map: serde_json::Map<String, serde_json::Value> = (outputs.iter().enumerate())
        .map(|(k, o)| {
            let sql = declared.get(k).copied().unwrap_or_default().sql();
            (o.clone(), sql.into())
        })
        .collect();
    serde_json::Value::Object(map).to_string()
}

/// `{"tier": ["A", "B", "C", "D"]}`: each output's values, highest first.
fn orders_json(orders: &[ValueOrder]) -> String {
    let map: serde_json::Map<String, serde_json::Value> = orders
        .iter()
        .map(|o| (o.output.clone(), o.values.clone().into()))
        .collect();
    serde_json::Value::Object(map).to_string()
}
