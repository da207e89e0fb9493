//! The two tables a run writes, and how a value is bound into a row of them.

use super::{OutputError, RunInfo};
use crate::config::OutputTables;
use crate::engine::Outcome;
use crate::source::{Dataset, quote_ident};
use crate::value::Value;
use rusqlite::{Connection, Statement};

/// The current UTC time as SQLite formats it.
pub fn now(conn: &Connection) -> String {
    conn.query_row("SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now')", [], |r| {
        r.get(0)
    })
    .unwrap_or_default()
}

pub(super) fn write_err(what: &str) -> impl Fn(rusqlite::Error) -> OutputError + '_ {
    move |source| OutputError::Write {
        what: what.to_owned(),
        source,
    }
}

/// Creates the output tables if needed and adds a column for every new output.
/// `customer_policy` is a rowid table with a separate primary-key index: its rows are wide,
/// and a clustered (`WITHOUT ROWID`) layout made a million-row run's insert ~1.5x slower.
pub(super) fn prepare_tables(
    conn: &Connection,
    tables: &OutputTables,
    outputs: &[String],
) -> Result<(), OutputError> {
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
        Value::Date(d) => stmt.raw_bind_parameter(index, d.to_string()),
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

/// The id the next run gets.
pub(super) fn next_run_id(conn: &Connection, tables: &OutputTables) -> Result<i64, OutputError> {
    conn.query_row(
        &format!(
            "SELECT COALESCE(MAX(run_id), 0) + 1 FROM {}",
            quote_ident(&tables.run_table)
        ),
        [],
        |r| r.get(0),
    )
    .map_err(write_err(&tables.run_table))
}

/// The `ok` record of a run whose rows are all written.
pub(super) fn record_ok(
    conn: &Connection,
    tables: &OutputTables,
    info: &RunInfo,
    run_id: i64,
    customers: usize,
) -> Result<(), OutputError> {
    conn.execute(
        &format!(
            "INSERT INTO {} (run_id, started_at, finished_at, status, customers, fingerprint, rules_dir)
             VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'ok', ?3, ?4, ?5)",
            quote_ident(&tables.run_table)
        ),
        rusqlite::params![run_id, info.started_at, customers as i64, info.fingerprint, info.rules_dir],
    )
    .map_err(write_err(&tables.run_table))?;
    Ok(())
}

/// Inserts one run's policy rows with one prepared statement.
pub(super) struct PolicyRows<'c> {
    stmt: Statement<'c>,
    table: &'c str,
    outputs: &'c [String],
    run_id: i64,
    /// The current row's rule ids as JSON, reused from row to row.
    rules_json: String,
}

impl<'c> PolicyRows<'c> {
    pub fn prepare(
        conn: &'c Connection,
        tables: &'c OutputTables,
        outputs: &'c [String],
        run_id: i64,
    ) -> Result<Self, OutputError> {
        let table = tables.policy_table.as_str();
        let mut columns = vec!["run_id".to_owned(), "customer_id".to_owned()];
        columns.extend(outputs.iter().cloned());
        columns.push("rule_ids".into());
        let sql = format!(
            "INSERT INTO {} ({}) VALUES ({})",
            quote_ident(table),
            columns
                .iter()
                .map(|c| quote_ident(c))
                .collect::<Vec<_>>()
                .join(", "),
            vec!["?"; columns.len()].join(", ")
        );
        Ok(PolicyRows {
            stmt: conn.prepare(&sql).map_err(write_err(table))?,
            table,
            outputs,
            run_id,
            rules_json: String::new(),
        })
    }

    /// Inserts one customer's row; returns its rule ids as JSON.
    pub fn insert(
        &mut self,
        data: &Dataset,
        outcome: &Outcome<'_, '_>,
        rule_ids: &[String],
    ) -> Result<&str, OutputError> {
        let err = write_err(self.table);
        self.rules_json.clear();
        rule_list_json(&mut self.rules_json, outcome.fired, rule_ids);
        self.stmt.raw_bind_parameter(1, self.run_id).map_err(&err)?;
        bind(&mut self.stmt, 2, &data.id(outcome.index)).map_err(&err)?;
        for (k, value) in outcome.outputs.iter().enumerate() {
            if let Value::Float(f) = value
                && !f.is_finite()
            {
                return Err(OutputError::BadValue {
                    customer: data.id_text(outcome.index),
                    output: self.outputs[k].clone(),
                    problem: f.to_string(),
                });
            }
            bind(&mut self.stmt, k + 3, value).map_err(&err)?;
        }
        self.stmt
            .raw_bind_parameter(self.outputs.len() + 3, self.rules_json.as_str())
            .map_err(&err)?;
        self.stmt.raw_execute().map_err(|e| match e {
            rusqlite::Error::SqliteFailure(f, _)
                if f.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                OutputError::DuplicateId(data.id_text(outcome.index))
            }
            e => err(e),
        })?;
        Ok(&self.rules_json)
    }
}
