//! Writing a run: every customer's policy into `customer_policy` and one `policy_run` record,
//! in one transaction, so a failed or interrupted run leaves earlier results untouched.
//! Optionally the same rows go to a CSV or JSON Lines file, renamed into place on success.

use super::{DataError, Dataset, quote_ident};
use crate::config::OutputTables;
use crate::engine::Outcomes;
use crate::value::Value;
use rusqlite::{Connection, TransactionBehavior};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;

/// What the writer thread receives: chunks of results in customer order, then `Finish`.
/// A channel closed without `Finish` (evaluation failed) rolls the run back.
pub enum Message<'a> {
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

/// Where the policy rows go besides the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Csv,
    Jsonl,
}

impl FileFormat {
    pub fn from_path(path: &Path) -> Option<FileFormat> {
        match path.extension()?.to_str()? {
            "csv" => Some(FileFormat::Csv),
            "jsonl" | "ndjson" => Some(FileFormat::Jsonl),
            _ => None,
        }
    }
}

/// The current UTC time as SQLite formats it.
pub fn now(conn: &Connection) -> String {
    conn.query_row("SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now')", [], |r| {
        r.get(0)
    })
    .unwrap_or_default()
}

fn write_err(what: &str) -> impl Fn(rusqlite::Error) -> DataError + '_ {
    move |source| DataError::Write {
        what: what.to_owned(),
        source,
    }
}

/// Creates the output tables if needed and adds a column for every new output.
/// `customer_policy` is a rowid table with a separate primary-key index: its rows are wide,
/// and a clustered (`WITHOUT ROWID`) layout made a million-row run's insert ~1.5x slower.
fn prepare_tables(
    conn: &Connection,
    tables: &OutputTables,
    outputs: &[String],
) -> Result<(), DataError> {
    let policy = quote_ident(&tables.policy_table);
    let run = quote_ident(&tables.run_table);
    conn.execute_batch(&format!(
        "CREATE TABLE IF NOT EXISTS {run} (
            run_id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            status TEXT NOT NULL,
            customers INTEGER NOT NULL,
            fingerprint TEXT NOT NULL,
            rules_dir TEXT,
            message TEXT
        );
        CREATE TABLE IF NOT EXISTS {policy} (
            run_id INTEGER NOT NULL,
            customer_id NOT NULL,
            rule_ids TEXT NOT NULL,
            PRIMARY KEY (run_id, customer_id)
        );"
    ))
    .map_err(write_err(&tables.policy_table))?;
    let mut stmt = conn
        .prepare(&format!(
            "SELECT name FROM pragma_table_info('{}')",
            tables.policy_table
        ))
        .map_err(write_err(&tables.policy_table))?;
    let existing: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .and_then(|rows| rows.collect())
        .map_err(write_err(&tables.policy_table))?;
    for output in outputs {
        if !existing.iter().any(|e| e == output) {
            conn.execute_batch(&format!(
                "ALTER TABLE {policy} ADD COLUMN {}",
                quote_ident(output)
            ))
            .map_err(write_err(&tables.policy_table))?;
        }
    }
    Ok(())
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

/// Writes one run from the chunks received on `rx`. Returns the run id and customer count,
/// or `None` when the sender went away without `Finish`: then nothing of the run is kept,
/// as on any error.
pub fn write_run(
    conn: &mut Connection,
    target: &RunTarget<'_>,
    rx: Receiver<Message<'_>>,
) -> Result<Option<(i64, usize)>, DataError> {
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
    let run_id: i64 = tx
        .query_row(
            &format!(
                "SELECT COALESCE(MAX(run_id), 0) + 1 FROM {}",
                quote_ident(&tables.run_table)
            ),
            [],
            |r| r.get(0),
        )
        .map_err(write_err(&tables.run_table))?;
    let mut sink = match file {
        Some(path) => Some(FileSink::create(path, outputs)?),
        None => None,
    };
    let mut columns = vec!["run_id".to_owned(), "customer_id".to_owned()];
    columns.extend(outputs.iter().cloned());
    columns.push("rule_ids".into());
    let sql = format!(
        "INSERT INTO {} ({}) VALUES ({})",
        quote_ident(&tables.policy_table),
        columns
            .iter()
            .map(|c| quote_ident(c))
            .collect::<Vec<_>>()
            .join(", "),
        vec!["?"; columns.len()].join(", ")
    );
    let mut count = 0usize;
    let mut finished = false;
    {
        let mut stmt = tx.prepare(&sql).map_err(write_err(&tables.policy_table))?;
        let mut rules_json = String::new();
        for message in rx {
            let chunk = match message {
                Message::Chunk(chunk) => chunk,
                Message::Finish => {
                    finished = true;
                    break;
                }
            };
            for outcome in chunk.iter() {
                let id = data.id(outcome.index);
                rules_json.clear();
                rule_list_json(&mut rules_json, outcome.fired, rule_ids);
                stmt.raw_bind_parameter(1, run_id)
                    .map_err(write_err(&tables.policy_table))?;
                bind(&mut stmt, 2, &id).map_err(write_err(&tables.policy_table))?;
                for (k, value) in outcome.outputs.iter().enumerate() {
                    if let Value::Float(f) = value
                        && !f.is_finite()
                    {
                        return Err(DataError::BadValue {
                            customer: data.id_text(outcome.index),
                            output: outputs[k].clone(),
                            problem: f.to_string(),
                        });
                    }
                    bind(&mut stmt, k + 3, value).map_err(write_err(&tables.policy_table))?;
                }
                stmt.raw_bind_parameter(outputs.len() + 3, rules_json.as_str())
                    .map_err(write_err(&tables.policy_table))?;
                stmt.raw_execute().map_err(|e| match e {
                    rusqlite::Error::SqliteFailure(f, _)
                        if f.code == rusqlite::ErrorCode::ConstraintViolation =>
                    {
                        DataError::DuplicateId(data.id_text(outcome.index))
                    }
                    e => write_err(&tables.policy_table)(e),
                })?;
                if let Some(sink) = sink.as_mut() {
                    sink.row(&id, outcome.outputs, &rules_json)?;
                }
                count += 1;
            }
        }
    }
    if !finished {
        // Evaluation stopped: dropping `tx` rolls everything back.
        return Ok(None);
    }
    tx.execute(
        &format!(
            "INSERT INTO {} (run_id, started_at, finished_at, status, customers, fingerprint, rules_dir)
             VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'ok', ?3, ?4, ?5)",
            quote_ident(&tables.run_table)
        ),
        rusqlite::params![run_id, info.started_at, count as i64, info.fingerprint, info.rules_dir],
    )
    .map_err(write_err(&tables.run_table))?;
    if let Some(sink) = sink.as_mut() {
        sink.flush()?;
    }
    tx.commit().map_err(write_err(&tables.policy_table))?;
    if let Some(sink) = sink.as_mut() {
        sink.persist()?;
    }
    Ok(Some((run_id, count)))
}

/// Records a failed run (in its own small transaction, after the run's was rolled back).
pub fn record_failure(
    conn: &Connection,
    tables: &OutputTables,
    info: &RunInfo,
    message: &str,
) -> Result<(), DataError> {
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

fn bind(
    stmt: &mut rusqlite::Statement<'_>,
    index: usize,
    value: &Value<'_>,
) -> rusqlite::Result<()> {
    match value {
        Value::Null => stmt.raw_bind_parameter(index, rusqlite::types::Null),
        Value::Bool(b) => stmt.raw_bind_parameter(index, *b),
        Value::Int(i) => stmt.raw_bind_parameter(index, *i),
        Value::Float(f) => stmt.raw_bind_parameter(index, *f),
        Value::Str(s) => stmt.raw_bind_parameter(index, *s),
        Value::Owned(s) => stmt.raw_bind_parameter(index, s.as_str()),
        Value::Consts(_) | Value::List(_) | Value::Other(_) => {
            stmt.raw_bind_parameter(index, value.to_json().to_string())
        }
    }
}

/// `["tier-a","disc-base-a"]`: rule ids are plain (letters, digits, `-_.`), no escaping needed.
fn rule_list_json(out: &mut String, fired: &[u32], rule_ids: &[String]) {
    out.push('[');
    for (k, &r) in fired.iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        out.push('"');
        out.push_str(&rule_ids[r as usize]);
        out.push('"');
    }
    out.push(']');
}

/// A CSV or JSONL file written next to its final path and renamed in on success.
struct FileSink {
    format: FileFormat,
    path: PathBuf,
    tmp: PathBuf,
    out: BufWriter<std::fs::File>,
    columns: Vec<String>,
    line: String,
    persisted: bool,
}

impl FileSink {
    fn create(path: &Path, outputs: &[String]) -> Result<Self, DataError> {
        let format = FileFormat::from_path(path).unwrap_or(FileFormat::Csv);
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let tmp = path.with_file_name(format!(".{name}.tmp"));
        let file_err = |source| DataError::File {
            path: path.to_path_buf(),
            source,
        };
        let file = std::fs::File::create(&tmp).map_err(file_err)?;
        let mut sink = FileSink {
            format,
            path: path.to_path_buf(),
            tmp,
            out: BufWriter::with_capacity(1 << 20, file),
            columns: outputs.to_vec(),
            line: String::new(),
            persisted: false,
        };
        if format == FileFormat::Csv {
            let mut header = vec!["customer_id".to_owned()];
            header.extend(outputs.iter().cloned());
            header.push("rule_ids".into());
            let header: Vec<String> = header.iter().map(|h| csv_field(h)).collect();
            writeln!(sink.out, "{}", header.join(",")).map_err(file_err)?;
        }
        Ok(sink)
    }

    fn row(
        &mut self,
        id: &Value<'_>,
        outputs: &[Value<'_>],
        rules_json: &str,
    ) -> Result<(), DataError> {
        self.line.clear();
        match self.format {
            FileFormat::Csv => {
                self.line.push_str(&csv_field(&plain(id)));
                for v in outputs {
                    self.line.push(',');
                    self.line.push_str(&csv_field(&plain(v)));
                }
                self.line.push(',');
                self.line.push_str(&csv_field(rules_json));
            }
            FileFormat::Jsonl => {
                let mut obj = serde_json::Map::new();
                obj.insert("customer_id".into(), id.to_json());
                for (name, v) in self.columns.iter().zip(outputs) {
                    obj.insert(name.clone(), v.to_json());
                }
                let rules: serde_json::Value = serde_json::from_str(rules_json).unwrap_or_default();
                obj.insert("rule_ids".into(), rules);
                self.line = serde_json::Value::Object(obj).to_string();
            }
        }
        self.line.push('\n');
        self.out
            .write_all(self.line.as_bytes())
            .map_err(|source| DataError::File {
                path: self.path.clone(),
                source,
            })
    }

    fn flush(&mut self) -> Result<(), DataError> {
        self.out.flush().map_err(|source| DataError::File {
            path: self.path.clone(),
            source,
        })
    }

    /// Moves the finished file into place.
    fn persist(&mut self) -> Result<(), DataError> {
        std::fs::rename(&self.tmp, &self.path).map_err(|source| DataError::File {
            path: self.path.clone(),
            source,
        })?;
        self.persisted = true;
        Ok(())
    }
}

impl Drop for FileSink {
    fn drop(&mut self) {
        if !self.persisted {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// A value as plain text for CSV: NULL is empty, lists are JSON.
fn plain(v: &Value<'_>) -> String {
    match v {
        Value::Null => String::new(),
        v => v.to_string(),
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}
