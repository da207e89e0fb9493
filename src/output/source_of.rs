//! Which customers a recorded run read (`policy_run.customers_from`), for the check that
//! two configurations do not write into each other's run tables
//! (`workspace/shared_tables.rs`).

use super::OutputError;
use super::history::read_err;
use crate::config::OutputTables;
use crate::source::quote_ident;
use rusqlite::Connection;

/// How the customers of a run made from another source overlap this run's.
#[derive(Debug, Clone, PartialEq)]
pub struct OtherSource {
    /// Where its customers came from (`customers_from`: the table, or the query's text).
    pub from: String,
    /// How many customers it holds, how many this run has, and how many are in both.
    pub held: usize,
    pub ours: usize,
    pub shared: usize,
}

/// Where run `run_id`'s customers came from, when it is not `ours`, and how many of `ids`
/// it holds (read only then: a run of the same source reads nothing more); `None` for the
/// same source, or a run that did not record its source (made before it was recorded, or
/// no such run).
pub fn other_source_holding(
    conn: &Connection,
    tables: &OutputTables,
    run_id: i64,
    ours: &str,
    ids: impl Iterator<Item = String>,
) -> Result<Option<OtherSource>, OutputError> {
    let sql = format!(
        "SELECT customers_from FROM {} WHERE run_id = ?1",
        quote_ident(&tables.run_table)
    );
    // No such run, or a run table from before the source was recorded: none.
    let from: Option<String> = match conn.query_row(&sql, [run_id], |r| r.get(0)) {
        Ok(from) => from,
        Err(rusqlite::Error::QueryReturnedNoRows) => None,
        Err(e) if e.to_string().contains("no such column") => None,
        Err(e) => return Err(read_err(&tables.run_table)(e)),
    };
    let Some(from) = from.filter(|from| from != ours) else {
        return Ok(None);
    };
    let sql = format!(
        "SELECT CAST(customer_id AS TEXT) FROM {} WHERE run_id = ?1",
        quote_ident(&tables.policy_table)
    );
    let mut statement = conn.prepare(&sql).map_err(read_err(&tables.policy_table))?;
    let held: std::collections::HashSet<String> = statement
        .query_map([run_id], |r| r.get::<_, Option<String>>(0))
        .map_err(read_err(&tables.policy_table))?
        .filter_map(|id| id.ok().flatten())
        .collect();
    let (mut ours, mut shared) = (0, 0);
    for id in ids {
        ours += 1;
        shared += usize::from(held.contains(&id));
    }
    Ok(Some(OtherSource {
        from,
        held: held.len(),
        ours,
        shared,
    }))
}

/// Other run tables of this database than `tables.run_table` (a table with tierwise's run
/// columns) and how many successful runs each holds: after the config's output tables were
/// renamed, the first run in the new ones started a new history without a word ("run 1",
/// every customer new) beside months of runs.
pub fn other_run_tables(
    conn: &Connection,
    tables: &OutputTables,
) -> Result<Vec<(String, i64)>, OutputError> {
    let names: Vec<String> = {
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .map_err(read_err(&tables.run_table))?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(read_err(&tables.run_table))?;
        rows.filter_map(Result::ok).collect()
    };
    let mut out = Vec::new();
    for name in names
        .iter()
        .filter(|n| !n.eq_ignore_ascii_case(&tables.run_table))
    {
        // A run table: the columns every version of it had.
        let sql = format!(
            "SELECT COUNT(*) FROM {} WHERE status = 'ok' AND run_id IS NOT NULL AND fingerprint IS NOT NULL",
            quote_ident(name)
        );
        if let Ok(n) = conn.query_row(&sql, [], |r| r.get::<_, i64>(0))
            && n > 0
        {
            out.push((name.clone(), n));
        }
    }
    Ok(out)
}
