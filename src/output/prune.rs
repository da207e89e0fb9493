//! Pruning: keep the official runs of the last N periods and the latest run, delete every
//! other run (superseded, failed, older periods) with its rows, in one transaction.

use super::OutputError;
use super::history::{OfficialRun, official, run_records};
use super::schema::{fired_table, runs_dated};
use super::tables::write_err;
use crate::config::OutputTables;
use crate::source::quote_ident;
use crate::time::PeriodKind;
use rusqlite::{Connection, TransactionBehavior};
use serde::Serialize;

/// A deleted run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeletedRun {
    pub run_id: i64,
    /// Its period's label, when it had one.
    pub period: Option<String>,
    pub status: String,
    /// Its policy rows deleted.
    pub rows: usize,
}

/// What a prune kept and deleted.
#[derive(Debug, Clone, Default)]
pub struct Pruned {
    /// The official runs kept, oldest period first.
    pub kept: Vec<OfficialRun>,
    /// The latest run, when it is not one of `kept` (a failed run, or a backfill).
    pub latest: Option<i64>,
    pub deleted: Vec<DeletedRun>,
}

/// Keeps the official runs of the last `keep` periods (at least one: the latest period's
/// is never deleted) and the latest run; deletes the others and their rows.
pub fn prune(
    conn: &mut Connection,
    tables: &OutputTables,
    keep: usize,
) -> Result<Pruned, OutputError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(write_err(&tables.run_table))?;
    let records = run_records(&tx, tables, PeriodKind::default())?;
    if records.is_empty() {
        return Ok(Pruned::default());
    }
    if !runs_dated(&tx, tables)? {
        return Err(OutputError::Schema(
            "the runs in this database have no periods yet (it was written by an earlier \
             tierwise): the next `tierwise run` upgrades it, then prune"
                .into(),
        ));
    }
    let official = official(&records);
    let kept: Vec<OfficialRun> = official[official.len().saturating_sub(keep.max(1))..].to_vec();
    let latest = records.iter().map(|r| r.run_id).max();
    let is_kept = |id: i64| Some(id) == latest || kept.iter().any(|k| k.run_id == id);
    let policy = quote_ident(&tables.policy_table);
    let fired = quote_ident(&fired_table(tables));
    let run = quote_ident(&tables.run_table);
    let has_fired = super::schema::columns(&tx, &fired_table(tables))?.is_some();
    let has_policy = super::schema::columns(&tx, &tables.policy_table)?.is_some();
    let mut deleted = Vec::new();
    for r in records.iter().filter(|r| !is_kept(r.run_id)) {
        let delete = |table: &str, what: &str| {
            tx.execute(
                &format!("DELETE FROM {table} WHERE run_id = ?1"),
                [r.run_id],
            )
            .map_err(write_err(what))
        };
        let rows = if has_policy {
            delete(&policy, &tables.policy_table)?
        } else {
            0
        };
        if has_fired {
            delete(&fired, &fired_table(tables))?;
        }
        delete(&run, &tables.run_table)?;
        deleted.push(DeletedRun {
            run_id: r.run_id,
            period: r.period.map(|p| p.to_string()),
            status: r.status.clone(),
            rows,
        });
    }
    tx.commit().map_err(write_err(&tables.run_table))?;
    Ok(Pruned {
        latest: latest.filter(|&l| !kept.iter().any(|k| k.run_id == l)),
        kept,
        deleted,
    })
}

/// Gives the space of deleted rows back to the file system (rewrites the whole database).
pub fn vacuum(conn: &Connection) -> Result<(), OutputError> {
    conn.execute_batch("VACUUM")
        .map_err(write_err("the database"))
}
