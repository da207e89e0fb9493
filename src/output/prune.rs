//! Pruning: keep the official runs of the last N periods, their closes restated since, and
//! the latest run; delete every other run (superseded, failed, older periods) with its rows, in one transaction (the
//! records of removed runs stay: their ids are never given again); or
//! remove runs named by id (a run made by mistake: a wrong date, the wrong rules), after
//! which each period's official run is again its latest remaining successful one.

use super::OutputError;
use super::history::{OfficialRun, RunRecord, following, official, official_before, run_records};
use super::schema::{fired_table, runs_dated};
use super::tables::write_err;
use crate::config::OutputTables;
use crate::source::quote_ident;
use crate::time::{Period, PeriodKind};
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
    /// The closes of kept periods restated since (a successful run as of the period's last
    /// day that a later one replaced): what was sent before the correction, for an audit.
    pub restated: Vec<OfficialRun>,
    pub deleted: Vec<DeletedRun>,
}

/// Keeps the official runs of the last `keep` periods of each kind of period (at least
/// one: the latest period's is never deleted), the latest run and the records of removed
/// runs (no rows); deletes the others and their rows. `dry_run`: rolls the deletion back,
/// and says what it would delete.
pub fn prune(
    conn: &mut Connection,
    tables: &OutputTables,
    keep: usize,
    dry_run: bool,
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
    // Each kind of period apart: after a change of `period:` (months, then quarters), counted
    // together the months would push out the quarters the quarterly runs read.
    let mut kept: Vec<OfficialRun> = Vec::new();
    let mut kinds: Vec<PeriodKind> = Vec::new();
    for o in &official {
        if !kinds.contains(&o.period.kind) {
            kinds.push(o.period.kind);
        }
    }
    for kind in kinds {
        let of_kind: Vec<OfficialRun> = (official.iter())
            .filter(|o| o.period.kind == kind)
            .copied()
            .collect();
        kept.extend_from_slice(&of_kind[of_kind.len().saturating_sub(keep.max(1))..]);
    }
    kept.sort_by_key(|r| r.period);
    // The latest run made (a removed record is no run); removed records stay, so their ids
    // are never given to another run.
    let latest = (records.iter())
        .filter(|r| !record_only(r))
        .map(|r| r.run_id)
        .max();
    // A kept period's close as first made, restated since; runs of days before the close
    // (a nightly run of the month so far) are not kept.
    let restated: Vec<OfficialRun> = (records.iter())
        .filter(|r| r.status == "ok" && !kept.iter().any(|k| k.run_id == r.run_id))
        .filter_map(|r| {
            let (period, as_of) = (r.period?, r.as_of?);
            let closed = as_of == period.end() && kept.iter().any(|k| k.period == period);
            closed.then_some(OfficialRun {
                run_id: r.run_id,
                period,
                as_of,
            })
        })
        .collect();
    let is_kept = |r: &RunRecord| {
        record_only(r)
            || Some(r.run_id) == latest
            || kept.iter().any(|k| k.run_id == r.run_id)
            || restated.iter().any(|k| k.run_id == r.run_id)
    };
    let mut deleted = Vec::new();
    for r in records.iter().filter(|r| !is_kept(r)) {
        // A period's official run leaves its record; superseded and failed runs go.
        let record = match official.iter().any(|o| o.run_id == r.run_id) {
            true => Record::MarkPruned,
            false => Record::Delete,
        };
        deleted.push(delete_run(&tx, tables, r, record)?);
    }
    finish(tx, dry_run, tables)?;
    Ok(Pruned {
        latest: latest.filter(|&l| !kept.iter().chain(&restated).any(|k| k.run_id == l)),
        kept,
        restated,
        deleted,
    })
}

/// A run removed by id, and where its period stands after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemovedRun {
    #[serde(flatten)]
    pub run: DeletedRun,
    /// It was its period's official run (the one history reads).
    pub was_official: bool,
    /// Its period's official run now: the latest remaining successful run of the period
    /// (`None`: the period has none left). Only when `was_official`.
    pub official_now: Option<i64>,
    /// That run's evaluation date: an earlier day than the run removed, when it was the
    /// mistaken run the removed one had replaced.
    pub official_now_as_of: Option<String>,
    /// The periods right after it, up to the first gap, whose official runs read its outputs
    /// as their history (it was its period's official run when they were made): run them
    /// again, oldest first.
    pub read_by: Vec<String>,
}

/// Removes the runs `ids` and their rows, in one transaction: every id must be a run of the
/// database, or nothing is removed. `dry_run`: rolls the removal back, and says what it
/// would remove.
pub fn remove_runs(
    conn: &mut Connection,
    tables: &OutputTables,
    ids: &[i64],
    dry_run: bool,
) -> Result<Vec<RemovedRun>, OutputError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(write_err(&tables.run_table))?;
    let records = run_records(&tx, tables, PeriodKind::default())?;
    if !records.is_empty() && !runs_dated(&tx, tables)? {
        return Err(OutputError::Schema(
            "the runs in this database have no periods yet (it was written by an earlier \
             tierwise): the next `tierwise run` upgrades it, then remove the run"
                .into(),
        ));
    }
    if let Some(r) = records
        .iter()
        .find(|r| ids.contains(&r.run_id) && record_only(r))
    {
        return Err(OutputError::NoSuchRun(format!(
            "--run {}: that run was {} already: its record stays in {} with status `{}`",
            r.run_id, r.status, tables.run_table, r.status
        )));
    }
    if let Some(&missing) = ids
        .iter()
        .find(|&&id| !records.iter().any(|r| r.run_id == id))
    {
        let known = match (records.first(), records.last()) {
            (Some(first), Some(last)) if first.run_id == last.run_id => {
                format!("its only run is {}", first.run_id)
            }
            (Some(first), Some(last)) => {
                format!("its runs are {} to {}", first.run_id, last.run_id)
            }
            _ => "it holds no run".to_owned(),
        };
        return Err(OutputError::NoSuchRun(format!(
            "--run {missing}: there is no such run in {}: {known}",
            tables.run_table
        )));
    }
    let before = official(&records);
    let remaining: Vec<RunRecord> = records
        .iter()
        .filter(|r| !ids.contains(&r.run_id))
        .cloned()
        .collect();
    let after = official(&remaining);
    let mut removed = Vec::new();
    for r in records.iter().filter(|r| ids.contains(&r.run_id)) {
        let run = delete_run(&tx, tables, r, Record::MarkRemoved)?;
        let was_official = before.iter().any(|o| o.run_id == r.run_id);
        let now =
            (r.period.filter(|_| was_official)).and_then(|p| after.iter().find(|o| o.period == p));
        removed.push(RemovedRun {
            run,
            was_official,
            official_now: now.map(|o| o.run_id),
            official_now_as_of: now.map(|o| o.as_of.to_string()),
            read_by: r
                .period
                .map(|p| read_by(&records, &after, p, r.run_id))
                .unwrap_or_default(),
        });
    }
    finish(tx, dry_run, tables)?;
    Ok(removed)
}

/// The periods right after `period` (up to the first gap, in the official runs `after` the
/// removal) whose official run read run `run_id` as `period`'s history: it was `period`'s
/// official run when they were made.
fn read_by(
    records: &[RunRecord],
    after: &[OfficialRun],
    period: Period,
    run_id: i64,
) -> Vec<String> {
    following(after, period)
        .into_iter()
        .filter(|o| official_before(records, period, o.run_id).map(|r| r.run_id) == Some(run_id))
        .map(|o| o.period.to_string())
        .collect()
}

/// The status of a run removed by id: its record stays, so its id is never given to another
/// run and the table says when it was removed.
pub(super) const REMOVED: &str = "removed";

/// The run of `period` that run `before` read as history when that run has been removed
/// (`prune --run`, a run made by mistake) since, and `period` has no run now. A period
/// `prune --keep` pruned is history let go on purpose: the runs after it stand.
pub fn removed_read(
    conn: &Connection,
    tables: &OutputTables,
    kind: PeriodKind,
    period: Period,
    before: i64,
) -> Result<Option<i64>, OutputError> {
    let records = run_records(conn, tables, kind)?;
    let read = official_before(&records, period, before).map(|r| r.run_id);
    Ok(read.filter(|id| (records.iter()).any(|r| r.run_id == *id && r.status == REMOVED)))
}

/// When a removed run was removed, as its message says (`removed at <time> by ...`, as
/// [`delete_run`] writes it).
pub(super) fn removed_at(message: &str) -> Option<&str> {
    message.strip_prefix("removed at ")?.split(' ').next()
}

/// Whether a removed run's message says it was successful: it keeps the status it had,
/// `(was ok; ...`, as [`delete_run`] writes it.
pub(super) fn removed_while_ok(message: &str) -> bool {
    message.contains("(was ok;")
}

/// A run removed or pruned: its record is kept, its rows are gone.
pub(super) fn record_only(r: &RunRecord) -> bool {
    r.status == REMOVED || r.status == PRUNED
}
/// The status of an official run `prune --keep` deleted with its period: its record stays
/// (no rows), so a later run that reads that period can say it was pruned, not skipped.
pub(super) const PRUNED: &str = "pruned";

/// What becomes of a deleted run's record.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Record {
    Delete,
    /// Kept with the status `removed` and a message saying when.
    MarkRemoved,
    /// Kept with the status `pruned` and a message saying when.
    MarkPruned,
}

/// Deletes one run's policy rows, lists of fired rules and left-out customers, and its
/// record or marks it removed.
fn delete_run(
    tx: &Connection,
    tables: &OutputTables,
    r: &RunRecord,
    record: Record,
) -> Result<DeletedRun, OutputError> {
    let delete = |table: &str| -> Result<usize, OutputError> {
        if super::schema::columns(tx, table)?.is_none() {
            return Ok(0);
        }
        tx.execute(
            &format!("DELETE FROM {} WHERE run_id = ?1", quote_ident(table)),
            [r.run_id],
        )
        .map_err(write_err(table))
    };
    let rows = delete(&tables.policy_table)?;
    delete(&fired_table(tables))?;
    // A removed run's record keeps its customers left out (`policy_error`), which its
    // message points to; a deleted run's go with it.
    if matches!(record, Record::Delete | Record::MarkPruned) {
        delete(&tables.error_table)?;
    }
    match record {
        Record::Delete => {
            delete(&tables.run_table)?;
        }
        Record::MarkPruned => {
            let message = format!(
                "pruned at {} by `tierwise prune --keep` ({rows} policy rows deleted)",
                super::now(tx)
            );
            tx.execute(
                &format!(
                    "UPDATE {} SET status = ?2, message = ?3 WHERE run_id = ?1",
                    quote_ident(&tables.run_table)
                ),
                rusqlite::params![r.run_id, PRUNED, message],
            )
            .map_err(write_err(&tables.run_table))?;
        }
        Record::MarkRemoved => {
            let message = format!(
                "removed at {} by `tierwise prune --run {}` (was {}; {rows} policy rows deleted)",
                super::now(tx),
                r.run_id,
                r.status
            );
            tx.execute(
                &format!(
                    // Its own message (a failure, customers left out) is kept after.
                    "UPDATE {} SET status = ?2, message = ?3 || COALESCE('; its message was: ' || message, '') WHERE run_id = ?1",
                    quote_ident(&tables.run_table)
                ),
                rusqlite::params![r.run_id, REMOVED, message],
            )
            .map_err(write_err(&tables.run_table))?;
        }
    }
    Ok(DeletedRun {
        run_id: r.run_id,
        period: r.period.map(|p| p.to_string()),
        status: r.status.clone(),
        rows,
    })
}

/// Gives the space of deleted rows back to the file system (rewrites the whole database).
/// In WAL mode the rewrite goes through the write-ahead log: it is copied back and emptied
/// too, unless a reader (a running `serve`) holds it (then it stays until the readers close).
pub fn vacuum(conn: &Connection, size_mb: Option<f64>) -> Result<(), OutputError> {
    conn.execute_batch("VACUUM")
        .map_err(|e| match write_err("the database")(e) {
            OutputError::Write { source, .. } => OutputError::Vacuum {
                size_mb: size_mb.map_or("?".into(), |mb| format!("{mb}")),
                source,
            },
            other => other,
        })?;
    // In rollback-journal mode this does nothing; a busy log is said by its size after.
    let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
    Ok(())
}

/// Commits the deletion, or for a dry run rolls it back (what it deleted is then only said).
fn finish(
    tx: rusqlite::Transaction<'_>,
    dry_run: bool,
    tables: &OutputTables,
) -> Result<(), OutputError> {
    match dry_run {
        true => tx.rollback(),
        false => tx.commit(),
    }
    .map_err(write_err(&tables.run_table))
}
