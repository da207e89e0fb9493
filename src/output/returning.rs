//! Customers back after missing from the previous period's run: the latest earlier run that
//! holds each. Their `previous.x` is NULL, so the rules count them as new (a downgrade's
//! grace, a key account's start date begun again), which `run` says.

use super::OutputError;
use super::history::{OfficialRun, read_err};
use super::schema::PolicyTable;
use crate::config::OutputTables;
use crate::source::quote_ident;
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension};

/// For each of `ids` that one of `runs` holds, the id and the newest such run (`runs`
/// newest first), in the order of `ids`.
pub fn last_run_holding(
    conn: &Connection,
    tables: &OutputTables,
    runs: &[OfficialRun],
    ids: &[String],
) -> Result<Vec<(String, OfficialRun)>, OutputError> {
    if runs.is_empty() || ids.is_empty() || PolicyTable::read(conn, tables)?.is_none() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT 1 FROM {} WHERE run_id = ?1 AND customer_id IN (?2, ?3)",
        quote_ident(&tables.policy_table)
    );
    let err = read_err(&tables.policy_table);
    let mut stmt = conn.prepare(&sql).map_err(&err)?;
    let mut found = Vec::new();
    for id in ids {
        // An id column of numbers holds `42` for the text "42".
        let number = crate::source::id_number(id);
        let id_number = number.map_or(SqlValue::Text(id.clone()), SqlValue::Integer);
        for run in runs {
            let params = rusqlite::params![run.run_id, id, id_number];
            let held = (stmt.query_row(params, |_| Ok(())).optional()).map_err(&err)?;
            if held.is_some() {
                found.push((id.clone(), *run));
                break;
            }
        }
    }
    Ok(found)
}
