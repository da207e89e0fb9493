//! The two tables a run writes, and how a value is bound into a row of them.

use super::OutputError;
use crate::config::OutputTables;
use crate::source::quote_ident;
use crate::value::Value;
use rusqlite::Connection;

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

pub(super) fn bind(
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
pub(super) fn rule_list_json(out: &mut String, fired: &[u32], rule_ids: &[String]) {
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
