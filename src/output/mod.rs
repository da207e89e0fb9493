//! Writing a run: every customer's policy into `customer_policy` and one `policy_run` record,
//! in one transaction, so a failed or interrupted run leaves earlier results untouched.
//! Optionally the same rows go to a CSV or JSON Lines file, renamed into place on success.
//! Every run is kept; reading them back (a period's official run, a run's outputs, one
//! customer's history, what changed between periods) and pruning old ones live here too.
//!
//! [`write_run`] owns the writer thread: the caller evaluates chunks of customers and hands
//! each to a [`ChunkSink`]; a writer thread inserts one chunk while the next is evaluated.
//! The tables and their layout: `schema.rs`.

mod changes;
mod column_kinds;
mod file;
mod history;
mod prune;
mod returning;
mod rows;
mod schema;
mod source_of;
mod stale;
mod stored;
mod tables;
mod totals;
mod view;

pub use changes::{
    Changes, CustomerChange, CustomerValue, Direction, RunRules, Transition, changes,
    run_data_fingerprint, run_revision, run_rules, value_orders, why_no_run,
};
pub use column_kinds::column_kind_changes;
pub use file::{FileFormat, only_a_file};
pub use history::{
    CustomerHistory, LeftOut, OfficialRun, PeriodValues, customer_history, customer_in_runs,
    customer_like, following, latest_kind, left_out, official_run_of, official_runs,
    official_runs_before, other_tierwise, output_names, pruned_periods, read_run, replaced_by,
    run_customers, run_outputs,
};
pub use prune::{DeletedRun, Pruned, RemovedRun, prune, remove_runs, removed_read, vacuum};
pub use returning::last_run_holding;
pub use schema::{Declared, SCHEMA_VERSION, declared_outputs, fired_table, latest_view};
pub use source_of::{OtherSource, other_run_tables, other_source_holding};
pub use stale::{
    RunChanges, StaleRun, changed_outputs, labels as stale_labels, stale_note_for, stale_pair,
    stale_runs, stood_on_todays_history,
};
pub use stored::{value_json, value_text};
pub use tables::{now, run_started_on, runs_seen};
pub use totals::{RecordedTotals, recorded_totals};

use crate::config::OutputTables;
use crate::engine::{EvalError, Outcomes};
use crate::source::Dataset;
use crate::time::{Date, Period};
use file::FileSink;
use rows::{FiredLists, PolicyRows};
use rusqlite::{Connection, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender};
use tables::{next_run_id, record, write_err};

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("cannot write results to {what}: {source}")]
    Write {
        what: String,
        source: rusqlite::Error,
    },
    #[error(
        "cannot write results to {what}: {source}\n  = help: a file-size limit is set for this process (`ulimit -f`): the database and its -wal file cannot grow past it; raise the limit, then run again"
    )]
    SizeLimited {
        what: String,
        source: rusqlite::Error,
    },
    #[error(
        "cannot write results to {0}: the database is locked by another process (a run, an import or a backup writing to it), and stayed locked for {secs} s\n  = help: try again when that process has finished",
        secs = crate::source::BUSY_TIMEOUT.as_secs()
    )]
    Locked(String),
    #[error(
        "cannot read {0}: the database is locked by another process (a run, an import or a backup holding it), and stayed locked for {secs} s\n  = help: try again when that process has finished",
        secs = crate::source::BUSY_TIMEOUT.as_secs()
    )]
    ReadLocked(String),
    /// SQLite writes beside a database even to read it (a WAL database's `-shm` file).
    #[error(
        "cannot read {0}: SQLite cannot write beside the database, which it needs even to read one in WAL mode (its -wal and -shm files): the folder it is in cannot be written by this user, or it is on a read-only disk\n  = help: run tierwise as a user who can write to that folder, or copy the database (with its -wal file) to a folder that can be written"
    )]
    ReadNeedsWrite(String),
    #[error(
        "cannot write results to {0}: the database is read-only (its file, or the folder it is in, cannot be written by this user, or it is on a read-only disk); nothing was written\n  = help: run tierwise where the database can be written, or give it another database (`--db` or the config's `database`); a -wal or -shm file beside it that this user cannot write (left by another user's run) makes it read-only too: give this user write access to them (do not delete a -wal file: it may hold committed runs)"
    )]
    ReadOnly(String),
    /// [`OutputError::ReadOnly`] because of a -wal or -shm file beside the database that
    /// this user cannot write ([`OutputError::beside`]).
    #[error(
        "cannot write results to {what}: {file} beside the database belongs to {owner}, and this user cannot write it, so SQLite opens the database read-only; nothing was written\n  = help: a user who cannot write the database leaves these files by reading it (`history`, `report`, `changes` run as that user) or by a run that failed: remove the database's -wal and -shm files while no tierwise uses the database{wal}; to keep it from happening, give the readers write access to the database file (one group, mode 664), or let them read a copy"
    )]
    ReadOnlyBeside {
        what: String,
        file: String,
        owner: String,
        /// Why the -wal file may or may not be deleted, from its size.
        wal: String,
    },
    /// `prune --vacuum` deleted the runs (committed), then could not rewrite the file.
    #[error(
        "the runs are deleted, but giving their space back failed: {source}\n  = help: VACUUM rewrites the whole database ({size_mb} MB): it needs about as much free disk for the copy, and as much again for its journal; free space, then run `tierwise prune --vacuum` again (with the same --keep it deletes nothing more)"
    )]
    Vacuum {
        size_mb: String,
        source: rusqlite::Error,
    },
    #[error("cannot write {path}: {source}")]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The run is committed (the period's official run); only its file is not in place.
    #[error(
        "run {run_id} was written to the database and is its period's official run, but {path} could not be put in place: {source}\n  = help: its rows are in {written}: move it there by hand (do not run the period again for the file)",
        path = path.display(),
        written = written.display()
    )]
    FileAfterCommit {
        run_id: i64,
        path: PathBuf,
        written: PathBuf,
        source: std::io::Error,
    },
    #[error("customer {customer}: output `{output}` is {problem}, which cannot be stored")]
    BadValue {
        customer: String,
        output: String,
        problem: String,
    },
    #[error(
        "customer id {0} appears more than once in the customer source\n  = help: every policy is keyed by the customer's id: make the id column unique; in a customers query, a JOIN repeats a customer once per row it matches (two overrides in force, two addresses): keep one row per customer (GROUP BY the id, or number the rows in a subquery, `SELECT * FROM (SELECT ..., ROW_NUMBER() OVER (PARTITION BY id ORDER BY ...) AS n FROM ...) WHERE n = 1`)"
    )]
    DuplicateId(String),
    /// The policy table held a row of the run being written, the customer source no
    /// repeated id: the database is not as its tables say.
    #[error(
        "{table} already holds a row for customer {customer} under the id of the run being written, which the run table does not list: nothing was written\n  = help: the database is not as its tables say (damaged, or restored from a copy taken while a run wrote): check it with `sqlite3 <database> \"PRAGMA integrity_check\"`, and restore a good copy if it is damaged"
    )]
    RowExists { table: String, customer: String },
    #[error("the writer thread stopped: {0}")]
    Writer(String),
    #[error("cannot read runs from {what}: {source}")]
    Read {
        what: String,
        source: rusqlite::Error,
    },
    /// A run id that names no run that can be removed (none such, or removed already).
    #[error("{0}")]
    NoSuchRun(String),
    /// The tables are not what this tierwise can write or read.
    #[error("{0}")]
    Schema(String),
    /// Another run or a prune wrote runs while this one evaluated.
    #[error(
        "the runs in {0} changed while this run evaluated (another `tierwise run` or `prune` wrote to it): nothing was written, as the earlier periods it read may no longer be the official ones\n  = help: run it again; schedule runs and prunes of one database one after the other"
    )]
    RunsChanged(String),
    /// A rule file was saved while the run evaluated (an editor or a copy that writes a file
    /// in steps): the run may hold a half-saved file's rules.
    #[error(
        "the rule files changed while this run evaluated (rules {loaded} were loaded, the files on disk are rules {now} now): nothing was written, earlier runs are intact; run again once the files are saved"
    )]
    RulesChanged { loaded: String, now: String },
    /// A table of the configured name that tierwise did not make: a setting to change.
    #[error("{0}")]
    Foreign(String),
}

impl OutputError {
    /// [`OutputError::ReadOnly`] with its cause named when it is a -wal or -shm file beside
    /// `database` that this user cannot write (the user of a `history` who cannot write the
    /// database left it; the writer's own run then fails as on a read-only disk).
    pub fn beside(self, database: &Path) -> OutputError {
        let OutputError::ReadOnly(what) = self else {
            return self;
        };
        let name = database.file_name().unwrap_or_default().to_string_lossy();
        let unwritable = ["-shm", "-wal"].into_iter().find_map(|suffix| {
            let path = database.with_file_name(format!("{name}{suffix}"));
            let meta = std::fs::metadata(&path).ok()?;
            // Opened to write, not written: whether this user may; a file of another user
            // (this user's own, or a folder of that name, is another story).
            let denied = std::fs::OpenOptions::new().write(true).open(&path).is_err();
            #[cfg(unix)]
            // SAFETY: geteuid has no preconditions and cannot fail.
            let theirs = std::os::unix::fs::MetadataExt::uid(&meta) != unsafe { libc::geteuid() };
            #[cfg(not(unix))]
            let theirs = true;
            (denied && theirs && meta.is_file()).then_some((path, meta))
        });
        let Some((path, meta)) = unwritable else {
            return OutputError::ReadOnly(what);
        };
        #[cfg(unix)]
        let owner = format!("user {}", std::os::unix::fs::MetadataExt::uid(&meta));
        #[cfg(not(unix))]
        let owner = "another user".to_owned();
        let wal = database.with_file_name(format!("{name}-wal"));
        let wal = match std::fs::metadata(&wal).map(|m| m.len()) {
            Ok(0) | Err(_) => " (an empty -wal file holds nothing)".to_owned(),
            Ok(bytes) => format!(
                " (not a -wal file that holds something, here {bytes} bytes, which may be committed runs: have its owner give this user write access to it instead)"
            ),
        };
        OutputError::ReadOnlyBeside {
            what,
            file: path.display().to_string(),
            owner,
            wal,
        }
    }
}

/// What the writer thread receives: chunks of results in customer order, the run's summary
/// totals, then `Finish`. A channel closed without `Finish` (evaluation failed) rolls the
/// run back.
enum Message<'a> {
    Chunk(Outcomes<'a>),
    /// Customers that failed in a run that keeps going (in customer order).
    Errors(Vec<EvalError>),
    Totals(String),
    Finish,
}

/// What a run records about itself.
#[derive(Debug, Clone)]
pub struct RunInfo {
    pub fingerprint: String,
    /// The fingerprint of what the rules decide ([`crate::rules::RuleSet::logic_fingerprint`]).
    pub logic_fingerprint: String,
    pub rules_dir: String,
    pub started_at: String,
    /// The date the run evaluates as of.
    pub as_of: Date,
    /// The period the run belongs to (its kind is also the kind runs recorded before
    /// version 1 are given when the database is upgraded).
    pub period: Period,
    /// Where the customers came from: the table's name or the query's text.
    pub customers_from: String,
    /// The git commit of the rules folder, with its uncommitted edits
    /// ([`crate::workspace::git::rules_revision`]); `None` outside a repository.
    pub rules_revision: Option<String>,
    /// [`crate::source::Dataset::fingerprint`] of the customers read (`None`: a run that
    /// failed before reading them).
    pub data_fingerprint: Option<String>,
}

/// The order of an output's values, highest first (tier `A`, `B`, `C`, `D`): what makes a
/// change between periods an upgrade or a downgrade. Values are as `Value`'s `Display`
/// writes them (text as is, `30`, `2.5`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueOrder {
    pub output: String,
    pub values: Vec<String>,
}

/// Everything a run's rows are written from, besides the results themselves.
pub struct RunTarget<'a> {
    pub tables: &'a OutputTables,
    pub info: &'a RunInfo,
    pub data: &'a Dataset,
    /// Output names, in column order.
    pub outputs: &'a [String],
    /// Per output: how its column is declared when the run adds it
    /// ([`declared_outputs`]). Empty: no type.
    pub declared: &'a [Declared],
    pub rule_ids: &'a [String],
    /// The order of some outputs' values, recorded with the run (for `changes`).
    pub orders: &'a [ValueOrder],
    /// Also write the rows to this .csv or .jsonl file.
    pub file: Option<&'a Path>,
    /// The runs as the run read its history from them ([`runs_seen`]): written only if
    /// they are still so under the write lock (`None`: not checked).
    pub runs_seen: Option<&'a str>,
    /// The rules directory and the fingerprint of the rules as the run read them: written
    /// only if the files are still so under the write lock (`None`: not checked).
    pub rules_read: Option<(&'a Path, &'a str)>,
}

/// Why a run was not written.
#[derive(Debug)]
pub enum RunFailure<E> {
    /// Evaluating the customers failed (the caller's error).
    Evaluation(E),
    Output(OutputError),
}

/// Where the caller puts each evaluated chunk of customers, in customer order.
pub struct ChunkSink<'a> {
    sender: SyncSender<Message<'a>>,
}

impl<'a> ChunkSink<'a> {
    /// Queues a chunk for writing; `false` when the writer has stopped (its error is
    /// reported when the run ends): evaluating more is wasted.
    pub fn send(&mut self, chunk: Outcomes<'a>) -> bool {
        self.sender.send(Message::Chunk(chunk)).is_ok()
    }

    /// Customers that failed, in a run that goes on without them: recorded in the error
    /// table with the run.
    pub fn errors(&mut self, errors: Vec<EvalError>) {
        if !errors.is_empty() {
            let _ = self.sender.send(Message::Errors(errors));
        }
    }

    /// The run's summary totals over all its customers, by name in the summary's order:
    /// recorded with the run (`policy_run.totals`), for the next period's comparison.
    pub fn totals<'n>(&mut self, totals: impl IntoIterator<Item = (&'n str, f64)>) {
        let json = totals::to_json(totals);
        let _ = self.sender.send(Message::Totals(json));
    }
}

/// What a written run is: its id and how many customers it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    pub run_id: i64,
    pub customers: usize,
    /// Customers that failed and were left out (only a run that keeps going has any).
    pub failed: usize,
}

/// Whether two output names are one column of the policy table: SQLite folds the ASCII case
/// of column names, so an output renamed `Tier` -> `tier` writes into its column, and the
/// runs record each spelling.
pub fn same_output(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Run `run_id`, when it is a successful run of a period, its period's official run or one
/// replaced since (`changes --from run:3`: a rerun against the run it replaced).
pub fn ok_run(
    conn: &Connection,
    tables: &OutputTables,
    run_id: i64,
) -> Result<Option<OfficialRun>, OutputError> {
    let records = history::run_records(conn, tables, Default::default())?;
    let record = records
        .iter()
        .find(|r| r.run_id == run_id && r.status == "ok");
    Ok(record.and_then(|r| {
        Some(OfficialRun {
            run_id,
            period: r.period?,
            as_of: r.as_of?,
        })
    }))
}

/// The latest successful run of `period` as of `as_of` that the period's official run
/// replaced since: what that day's decisions were, for `explain --as-of` that day.
pub fn replaced_run_as_of(
    conn: &Connection,
    tables: &OutputTables,
    period: Period,
    as_of: Date,
) -> Result<Option<OfficialRun>, OutputError> {
    let records = history::run_records(conn, tables, period.kind)?;
    let Some(official) = (history::official(&records).into_iter()).find(|r| r.period == period)
    else {
        return Ok(None);
    };
    Ok((records.iter().rev())
        .find(|r| {
            r.status == "ok"
                && r.run_id != official.run_id
                && r.period == Some(period)
                && r.as_of == Some(as_of)
        })
        .map(|r| OfficialRun {
            run_id: r.run_id,
            period,
            as_of,
        }))
}

/// Whether run `run_id` gave output `name` (in any ASCII case); `None` when its outputs are
/// not recorded (a run of an earlier schema).
pub fn run_gave(
    conn: &Connection,
    tables: &OutputTables,
    run_id: i64,
    name: &str,
) -> Result<Option<bool>, OutputError> {
    let outputs = run_outputs(conn, tables, run_id)?;
    Ok((outputs.as_ref().and_then(|o| o.as_object()))
        .map(|o| o.keys().any(|k| same_output(k, name))))
}

/// Writes one run: `evaluate` runs on the calling thread and hands chunks to the sink, while
/// a writer thread inserts them in one transaction. If `evaluate` fails, or writing does,
/// nothing of the run is kept.
pub fn write_run<'a, E>(
    conn: &mut Connection,
    target: &RunTarget<'_>,
    evaluate: impl FnOnce(&mut ChunkSink<'a>) -> Result<(), E>,
) -> Result<Written, RunFailure<E>> {
    // Two chunks in flight: one being written, one ready.
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Message<'a>>(2);
    std::thread::scope(|scope| {
        let writer = std::thread::Builder::new()
            .name(WRITER.into())
            .spawn_scoped(scope, || write_chunks(conn, target, receiver))
            .map_err(|e| RunFailure::Output(OutputError::Writer(e.to_string())))?;
        let mut sink = ChunkSink { sender };
        let evaluated = evaluate(&mut sink);
        if evaluated.is_ok() {
            let _ = sink.sender.send(Message::Finish);
        }
        drop(sink);
        let written = writer
            .join()
            .unwrap_or_else(|panic| Err(OutputError::Writer(panicked(panic.as_ref()))));
        match (evaluated, written) {
            (Err(e), _) => Err(RunFailure::Evaluation(e)),
            (Ok(()), Err(e)) => Err(RunFailure::Output(e)),
            (Ok(()), Ok(Some(done))) => Ok(done),
            (Ok(()), Ok(None)) => Err(RunFailure::Output(OutputError::Writer(
                "it ended before the run was complete".into(),
            ))),
        }
    })
}

/// Puts the database in write-ahead-log mode (it stays so: the mode belongs to the file).
/// With SQLite's default rollback journal, a large write takes an exclusive lock once its
/// pages spill from memory, and every other reader (a BI tool, `serve`) gets "database is
/// locked" until the commit; in WAL mode readers go on reading the last committed state, so
/// they see the previous complete run throughout, then the new one. In-memory databases
/// have no WAL: their answer ("memory") is fine.
///
/// Already in WAL mode (every run after the first), nothing is changed: the change needs the
/// database to itself, and SQLite refuses it at once, without waiting, while another process
/// writes (two first runs at once). A change refused so is no reason to fail the run: it
/// is tried again by the next one.
fn readers_never_blocked(conn: &Connection) -> rusqlite::Result<()> {
    let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
    if matches!(mode.as_str(), "wal" | "memory") {
        return Ok(());
    }
    match conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0)) {
        Ok(mode) if matches!(mode.as_str(), "wal" | "memory") => {}
        Ok(mode) => tracing::warn!(
            "the database stays in journal mode `{mode}`: readers wait for a run's commit"
        ),
        Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) => {
            tracing::warn!(
                "the database stays in journal mode `{mode}` for this run (another process writes to it): readers wait for its commit"
            )
        }
        Err(e) => return Err(e),
    }
    Ok(())
}

/// The writer thread's name: its panics are reported as the run's error (see `panicked`).
const WRITER: &str = "writer";

/// Keeps Rust's own panic message (a source path and a backtrace) off stderr for the writer
/// thread: `write_run` reports its panic as the run's error, with the reason. The message
/// stays one `-v -v` away, for a bug report.
pub fn report_writer_panics_once() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().name() == Some(WRITER) {
            // With RUST_BACKTRACE=1, where it came from, for a bug report.
            let trace = std::backtrace::Backtrace::capture();
            tracing::debug!("{info}\n{trace}");
        } else {
            default(info);
        }
    }));
}

/// What the writer thread said as it panicked: the .xlsx writer panics when it cannot write
/// (`Couldn't write to xml file: ... File too large`), in the temp directory it assembles the
/// workbook in.
fn panicked(payload: &(dyn std::any::Any + Send)) -> String {
    let said = (payload.downcast_ref::<String>().map(String::as_str))
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("no reason given");
    let xlsx = match said.contains("xml file") {
        true => {
            " (an .xlsx file is assembled in the temp directory, TMPDIR, before it is written beside --out: that directory may be full, or a file-size limit reached)"
        }
        false => "",
    };
    format!("it failed: {said}{xlsx}")
}

/// Writes one run from the chunks received on `rx`. Returns the run id and customer count,
/// or `None` when the sender went away without `Finish`: then nothing of the run is kept,
/// as on any error.
fn write_chunks(
    conn: &mut Connection,
    target: &RunTarget<'_>,
    rx: Receiver<Message<'_>>,
) -> Result<Option<Written>, OutputError> {
    let RunTarget {
        tables,
        info,
        data,
        outputs,
        declared,
        rule_ids,
        orders,
        file,
        runs_seen,
        rules_read,
    } = *target;
    readers_never_blocked(conn).map_err(write_err(&tables.policy_table))?;
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(write_err(&tables.policy_table))?;
    if let Some(seen) = runs_seen
        && tables::runs_seen(&tx, tables, info.period)?.as_deref() != Some(seen)
    {
        return Err(OutputError::RunsChanged(tables.run_table.clone()));
    }
    let policy = schema::prepare(&tx, tables, outputs, declared, info.period.kind)?;
    let run_id = next_run_id(&tx, tables)?;
    let mut sink = match file {
        Some(path) => Some(FileSink::create(path, outputs)?),
        None => None,
    };
    let mut lists = FiredLists::new(rule_ids);
    let mut count = 0usize;
    let mut totals = None;
    let mut errors = Vec::new();
    let mut finished = false;
    {
        let mut rows = PolicyRows::prepare(&tx, tables, &policy, outputs, run_id)?;
        for message in rx {
            let chunk = match message {
                Message::Chunk(chunk) => chunk,
                Message::Totals(json) => {
                    totals = Some(json);
                    continue;
                }
                Message::Errors(more) => {
                    errors.extend(more);
                    continue;
                }
                Message::Finish => {
                    finished = true;
                    break;
                }
            };
            for outcome in chunk.iter() {
                let fired = lists.number(outcome.fired);
                rows.insert(data, &outcome, fired)?;
                if let Some(sink) = sink.as_mut() {
                    sink.row(&data.id(outcome.index), outcome.outputs, lists.json(fired))?;
                }
                count += 1;
            }
        }
    }
    if !finished {
        // Evaluation stopped: dropping `tx` rolls everything back.
        return Ok(None);
    }
    lists.write(&tx, tables, run_id)?;
    tables::record_errors(&tx, tables, run_id, &errors)?;
    let ok = tables::Outcome::Ok {
        run_id,
        customers: count,
        orders,
        totals,
        failed: errors.len(),
        outputs,
        declared,
    };
    record(&tx, tables, info, ok)?;
    // A rule file saved while the customers were evaluated or the lock awaited (in steps,
    // by an editor or a copy): the run may hold a half-saved file's rules, which exited 0
    // as the period's official run. The files read again, before the commit.
    if let Some((dir, loaded)) = rules_read
        && let Some(now) = crate::rules::fingerprint_now(dir)
        && now != loaded
    {
        let loaded = loaded.to_owned();
        return Err(OutputError::RulesChanged { loaded, now });
    }
    if let Some(sink) = sink.as_mut() {
        sink.flush()?;
    }
    tx.commit().map_err(write_err(&tables.policy_table))?;
    if let Some(sink) = sink.as_mut()
        && let Err((written, source)) = sink.persist()
    {
        return Err(OutputError::FileAfterCommit {
            run_id,
            path: sink.path().to_path_buf(),
            written,
            source,
        });
    }
    Ok(Some(Written {
        run_id,
        customers: count,
        failed: errors.len(),
    }))
}

/// Records a failed run, in its own small transaction (after the run's was rolled back).
pub fn record_failure(
    conn: &Connection,
    tables: &OutputTables,
    info: &RunInfo,
    message: &str,
) -> Result<(), OutputError> {
    let tx = rusqlite::Transaction::new_unchecked(conn, TransactionBehavior::Immediate)
        .map_err(write_err(&tables.run_table))?;
    schema::prepare(&tx, tables, &[], &[], info.period.kind)?;
    record(&tx, tables, info, tables::Outcome::Failed { message })?;
    tx.commit().map_err(write_err(&tables.run_table))
}
