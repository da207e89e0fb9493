//! `customer_policy_latest`: the latest period's official run as people and BI tools read it,
//! one row per customer: `customer_id`, `period`, `as_of`, every output, and `rule_ids` as a
//! JSON array of text, as `--out` files write it.
//!
//! The latest period is the period of the `ok` run with the latest `as_of`; its official run
//! is that period's latest `ok` run (a backfill of an earlier period does not move it). The
//! run's fired-rule lists (a few hundred) are decoded once, in SQL, by a recursive CTE that
//! reads two hex digits (four past 255 rule ids) per rule from `hex(rule_ids)` and looks the
//! rule id up in the run's dictionary; each customer's row then joins its list. Plain SQL and
//! JSON functions only (SQLite 3.38 or later), so any SQLite client reads the view.
//!
//! The view lists the output columns, so it is recreated when an output is added.

use super::OutputError;
use super::schema::{PolicyTable, fired_table, latest_view};
use super::tables::write_err;
use crate::config::OutputTables;
use crate::source::quote_ident;
use rusqlite::{Connection, OptionalExtension};

/// The view's `CREATE VIEW` statement for the policy table as it is.
pub fn create_sql(tables: &OutputTables, policy: &PolicyTable) -> String {
    let run = quote_ident(&tables.run_table);
    let fired = quote_ident(&fired_table(tables));
    let outputs: String = policy
        .outputs()
        .iter()
        .map(|o| format!("p.{}, ", quote_ident(o)))
        .collect();
    let rule_ids = if policy.legacy() {
        "CASE WHEN p.fired IS NULL THEN p.rule_ids ELSE d.rule_ids END"
    } else {
        "d.rule_ids"
    };
    // The value of hex digit `n` (1-based) of `d.rest`.
    let digit = |n: usize| format!("(instr('0123456789ABCDEF', substr(d.rest, {n}, 1)) - 1)");
    let index = format!(
        "{} * 16 + {} + CASE WHEN o.width = 4 THEN 256 * ({} * 16 + {}) ELSE 0 END",
        digit(1),
        digit(2),
        digit(3),
        digit(4)
    );
    format!(
        "CREATE VIEW {view} AS
WITH official AS (
  SELECT run_id, period, as_of, rule_ids AS dictionary,
         CASE WHEN json_array_length(rule_ids) > 255 THEN 4 ELSE 2 END AS width
  FROM {run}
  WHERE status = 'ok' AND period = (
    SELECT period FROM {run} WHERE status = 'ok' AND period IS NOT NULL
    ORDER BY as_of DESC, run_id DESC LIMIT 1)
  ORDER BY run_id DESC LIMIT 1
),
decoding(fired, rest, ids) AS (
  SELECT f.fired, hex(f.rule_ids), ''
  FROM {fired} f JOIN official o ON f.run_id = o.run_id
  UNION ALL
  SELECT d.fired, substr(d.rest, o.width + 1),
         d.ids || CASE WHEN d.ids = '' THEN '' ELSE ',' END
               || json_quote(json_extract(o.dictionary, '$[' || ({index}) || ']'))
  FROM decoding d, official o
  WHERE d.rest <> ''
),
decoded AS MATERIALIZED (
  SELECT fired, '[' || ids || ']' AS rule_ids FROM decoding WHERE rest = ''
)
SELECT p.customer_id, o.period, o.as_of, {outputs}{rule_ids} AS rule_ids
FROM official o
JOIN {policy} p ON p.run_id = o.run_id
LEFT JOIN decoded d ON d.fired = p.fired",
        view = quote_ident(&latest_view(tables)),
        policy = quote_ident(&tables.policy_table),
    )
}

/// Creates the view, or recreates it when the policy table's columns changed.
pub fn replace(
    conn: &Connection,
    tables: &OutputTables,
    policy: &PolicyTable,
) -> Result<(), OutputError> {
    let name = latest_view(tables);
    let err = write_err(&name);
    let wanted = create_sql(tables, policy);
    let current: Option<String> = conn
        .query_row(
            "SELECT sql FROM sqlite_master WHERE type = 'view' AND name = ?1",
            [&name],
            |r| r.get(0),
        )
        .optional()
        .map_err(&err)?;
    if current.as_deref() == Some(wanted.as_str()) {
        return Ok(());
    }
    conn.execute_batch(&format!(
        "DROP VIEW IF EXISTS {};\n{wanted}",
        quote_ident(&name)
    ))
    .map_err(err)
}
