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
    // Whole numbers of a DECIMAL column are stored as integers: read back as decimals.
    let outputs: String = policy
        .outputs()
        .iter()
        .map(|o| match policy.is_decimal(o) {
            true => format!(
                "CASE WHEN typeof(p.{q}) = 'integer' THEN CAST(p.{q} AS REAL) ELSE p.{q} END AS {q}, ",
                q = quote_ident(o)
            ),
            false => format!("p.{}, ", quote_ident(o)),
        })
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

#[cfg(test)]
mod tests {
    use super::super::rows::encode;
    use super::super::schema::prepare;
    use crate::config::OutputTables;
    use crate::time::PeriodKind;
    use rusqlite::Connection;
    use rusqlite::types::Value;

    /// A run recorded by hand: its dictionary, its lists of fired rules and its rows
    /// (customer, list, tier, pct).
    fn run(conn: &Connection, id: i64, period: &str, ids: &[String], lists: &[&[u32]]) {
        let dictionary = serde_json::to_string(ids).unwrap();
        conn.execute(
            "INSERT INTO policy_run (run_id, started_at, status, customers, fingerprint, as_of,
                                     period, rule_ids)
             VALUES (?1, '2026-01-01', 'ok', 2, 'f', ?2 || '-28', ?2, ?3)",
            rusqlite::params![id, period, dictionary],
        )
        .unwrap();
        for (n, list) in lists.iter().enumerate() {
            conn.execute(
                "INSERT INTO customer_policy_fired VALUES (?1, ?2, ?3)",
                rusqlite::params![id, n as i64, encode(list, ids.len() > 255)],
            )
            .unwrap();
        }
    }

    fn rows(conn: &Connection) -> Vec<Vec<Value>> {
        let mut stmt = conn
            .prepare(
                "SELECT customer_id, period, tier, pct, rule_ids FROM customer_policy_latest
                 ORDER BY customer_id",
            )
            .unwrap();
        stmt.query_map([], |r| (0..5).map(|k| r.get(k)).collect())
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    fn row(id: &str, period: &str, tier: &str, pct: f64, rules: &str) -> Vec<Value> {
        vec![
            Value::Text(id.into()),
            Value::Text(period.into()),
            Value::Text(tier.into()),
            Value::Real(pct),
            Value::Text(rules.into()),
        ]
    }

    #[test]
    fn decodes_narrow_and_wide_lists_and_follows_the_latest_periods_official_run() {
        let conn = Connection::open_in_memory().unwrap();
        let tables = OutputTables::default();
        let outputs = ["tier".to_owned(), "pct".to_owned()];
        prepare(&conn, &tables, &outputs, &[false, true], PeriodKind::Month).unwrap();
        let insert = |run: i64, id: &str, fired: i64, tier: &str, pct: f64| {
            conn.execute(
                "INSERT INTO customer_policy (run_id, customer_id, fired, tier, pct)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                rusqlite::params![run, id, fired, tier, pct],
            )
            .unwrap();
        };
        // Run 1: 300 rule ids, two bytes per fired rule.
        let wide: Vec<String> = (0..300).map(|i| format!("r{i}")).collect();
        run(&conn, 1, "2026-01", &wide, &[&[1, 299, 256], &[]]);
        insert(1, "a", 0, "A", 2.0);
        insert(1, "b", 1, "B", 1.5);
        assert_eq!(
            rows(&conn),
            [
                row("a", "2026-01", "A", 2.0, r#"["r1","r299","r256"]"#),
                row("b", "2026-01", "B", 1.5, "[]"),
            ]
        );
        // Run 2, a later period: one byte per rule; whole decimals read back as decimals.
        let narrow: Vec<String> = ["s0", "s1", "s2"].map(String::from).to_vec();
        run(&conn, 2, "2026-02", &narrow, &[&[2, 0]]);
        insert(2, "a", 0, "C", 0.0);
        let latest = [row("a", "2026-02", "C", 0.0, r#"["s2","s0"]"#)];
        assert_eq!(rows(&conn), latest);
        // A backfill of January does not move the view; a rerun of February does.
        run(&conn, 3, "2026-01", &narrow, &[&[1]]);
        insert(3, "a", 0, "B", 1.0);
        assert_eq!(rows(&conn), latest);
        run(&conn, 4, "2026-02", &narrow, &[&[0]]);
        insert(4, "z", 0, "A", 3.25);
        assert_eq!(rows(&conn), [row("z", "2026-02", "A", 3.25, r#"["s0"]"#)]);
        let stored: String = conn
            .query_row(
                "SELECT typeof(pct) FROM customer_policy WHERE run_id = 2",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(stored, "integer");
    }

    #[test]
    fn the_view_is_recreated_when_an_output_is_added() {
        let conn = Connection::open_in_memory().unwrap();
        let tables = OutputTables::default();
        prepare(&conn, &tables, &["tier".into()], &[], PeriodKind::Month).unwrap();
        let before: String = conn
            .query_row(
                "SELECT sql FROM sqlite_master WHERE name = 'customer_policy_latest'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        prepare(&conn, &tables, &["tier".into()], &[], PeriodKind::Month).unwrap();
        prepare(
            &conn,
            &tables,
            &["tier".into(), "segment".into()],
            &[],
            PeriodKind::Month,
        )
        .unwrap();
        let after: String = conn
            .query_row(
                "SELECT sql FROM sqlite_master WHERE name = 'customer_policy_latest'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(!before.contains("segment") && after.contains(r#"p."segment""#));
    }
}
