//! Writing a run: every customer's policy into `customer_policy` and one `policy_run` record,
//! in one transaction, so a failed or interrupted run leaves earlier results untouched.
//! Optionally the same rows go to a CSV or JSON Lines file, renamed into place on success.
//!
//! [`write_run`] owns the writer thread: the caller evaluates chunks of customers and hands
//! each to a [`ChunkSink`]; a writer thread inserts one chunk while the next is evaluated.

mod file;
mod tables;

pub use file::FileFormat;
pub use tables::now;

use crate::config::OutputTables;
use crate::engine::Outcomes;
use crate::source::{Dataset, quote_ident};
use file::FileSink;
use rusqlite::{Connection, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender};
use tables::{PolicyRows, next_run_id, prepare_tables, record_ok, write_err};

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("cannot write results to {what}: {source}")]
    Write {
        what: String,
        source: rusqlite::Error,
    },
    #[error("cannot write {path}: {source}")]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("customer {customer}: output `{output}` is {problem}, which cannot be stored")]
    BadValue {
        customer: String,
        output: String,
        problem: String,
    },
    #[error("customer id {0} appears more than once in the customer source")]
    DuplicateId(String),
    #[error("the writer thread stopped: {0}")]
    Writer(String),
}

/// What the writer thread receives: chunks of results in customer order, then `Finish`.
/// A channel closed without `Finish` (evaluation failed) rolls the run back.
enum Message<'a> {
    Chunk(Outcomes<'a>),
    Finish,
}

/// What a run records about itself.
#[derive(Debug, Clone)]
pub struct RunInfo {
    pub fingerprint: String,
    pub rules_dir: String,
    pub started_at: String,
}

/// Everything a run's rows are written from, besides the results themselves.
pub struct RunTarget<'a> {
    pub tables: &'a OutputTables,
    pub info: &'a RunInfo,
    pub data: &'a Dataset,
    /// Output names, in column order.
    pub outputs: &'a [String],
    pub rule_ids: &'a [String],
    /// Also write the rows to this .csv or .jsonl file.
    pub file: Option<&'a Path>,
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
}

/// What a written run is: its id and how many customers it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    pub run_id: i64,
    pub customers: usize,
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
            .name("writer".into())
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
            .unwrap_or_else(|_| Err(OutputError::Writer("it panicked".into())));
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
        rule_ids,
        file,
    } = *target;
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(write_err(&tables.policy_table))?;
    prepare_tables(&tx, tables, outputs)?;
    let run_id = next_run_id(&tx, tables)?;
    let mut sink = match file {
        Some(path) => Some(FileSink::create(path, outputs)?),
        None => None,
    };
    let mut count = 0usize;
    let mut finished = false;
    {
        let mut rows = PolicyRows::prepare(&tx, tables, outputs, run_id)?;
        for message in rx {
            let chunk = match message {
                Message::Chunk(chunk) => chunk,
                Message::Finish => {
                    finished = true;
                    break;
                }
            };
            for outcome in chunk.iter() {
                let rules_json = rows.insert(data, &outcome, rule_ids)?;
                if let Some(sink) = sink.as_mut() {
                    sink.row(&data.id(outcome.index), outcome.outputs, rules_json)?;
                }
                count += 1;
            }
        }
    }
    if !finished {
        // Evaluation stopped: dropping `tx` rolls everything back.
        return Ok(None);
    }
    record_ok(&tx, tables, info, run_id, count)?;
    if let Some(sink) = sink.as_mut() {
        sink.flush()?;
    }
    tx.commit().map_err(write_err(&tables.policy_table))?;
    if let Some(sink) = sink.as_mut() {
        sink.persist()?;
    }
    Ok(Some(Written {
        run_id,
        customers: count,
    }))
}

/// Records a failed run (in its own small transaction, after the run's was rolled back).
pub fn record_failure(
    conn: &Connection,
    tables: &OutputTables,
    info: &RunInfo,
    message: &str,
) -> Result<(), OutputError> {
    prepare_tables(conn, tables, &[])?;
    conn.execute(
        &format!(
            "INSERT INTO {} (run_id, started_at, finished_at, status, customers, fingerprint, rules_dir, message)
             VALUES ((SELECT COALESCE(MAX(run_id), 0) + 1 FROM {}), ?1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'failed', 0, ?2, ?3, ?4)",
            quote_ident(&tables.run_table),
            quote_ident(&tables.run_table)
        ),
        rusqlite::params![info.started_at, info.fingerprint, info.rules_dir, message],
    )
    .map_err(write_err(&tables.run_table))?;
    Ok(())
}
