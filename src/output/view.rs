//! `customer_policy_latest`: the latest period's official run as people and BI tools read it,
//! one row per customer: `customer_id`, `period`, `period_kind` (`month`, `quarter`, `year`),
//! `as_of`, every output, and `rule_ids` as a JSON array of text, as `--out` files write it.
//!
//! The latest period is the period of the `ok` run with the latest `as_of`, the longest of
//! periods run as of the same day; its official run is that period's latest `ok` run (a
//! backfill of an earlier period does not move it, nor a rerun of June after Q2). A
//! row's rule ids are its run's list number `fired` looked up in `customer_policy_fired` by
//! primary key: no decoding, and a plan any SQLite finds (decoding per-run lists in a CTE
//! and joining them needed an automatic index that SQLite 3.40's planner does not build:
//! 23 s for a million rows). Whole numbers of a `DECIMAL` column read as decimals.
//!
//! `customer_policy_by_period`: every period's official run the same way, with `run_id`:
//! one row per customer per period, what `history`, `changes` and the next period read
//! (grouping `customer_policy` by period counts every rerun of a period).
//!
//! The views list the output columns, so they are recreated when an output is added.

use super::OutputError;
use super::schema::{Declared, PolicyTable, fired_table, latest_view};
use super::tables::write_err;
use crate::config::OutputTables;
use crate::source::quote_ident;
use rusqlite::{Connection, OptionalExtension};

/// The view of every period's official run.
pub fn by_period_view(tables: &OutputTables) -> String {
    format!("{}_by_period", tables.policy_table)
}

/// The select list of the outputs, whole numbers of a `DECIMAL` column as decimals.
fn output_columns(policy: &PolicyTable) -> String {
    policy
        .outputs()
        .iter()
        .map(|o| match policy.declared(o) {
            Declared::Decimal => format!(
                "CASE WHEN typeof(p.{q}) = 'integer' THEN CAST(p.{q} AS REAL) ELSE p.{q} END AS {q}, ",
                q = quote_ident(o)
            ),
            _ => format!("p.{}, ", quote_ident(o)),
        })
        .collect()
}

/// A period's kind from its text (`2026-09`, `2026-Q3`, `2026`), as `period_kind` gives it.
fn kind_of(period: &str) -> String {
    format!(
        "CASE WHEN length({period}) = 4 THEN 'year' WHEN substr({period}, 6, 1) = 'Q' THEN 'quarter' ELSE 'month' END"
    )
}

/// The rows of the runs `o` (a subquery of `run_id`, `period`, `as_of`) with their rule ids.
fn rows_of(tables: &OutputTables, policy: &PolicyTable, with_run: bool, runs: &str) -> String {
    let rule_ids = match policy.legacy() {
        true => "CASE WHEN p.fired IS NULL THEN p.rule_ids ELSE f.rule_ids END",
        false => "f.rule_ids",
    };
    format!(
        "SELECT p.customer_id, o.period, {kind} AS period_kind, o.as_of, {run}{outputs}{rule_ids} AS rule_ids
FROM (
{runs}
) o
JOIN {policy} p ON p.run_id = o.run_id
LEFT JOIN {fired} f ON f.run_id = p.run_id AND f.fired = p.fired",
        kind = kind_of("o.period"),
        run = if with_run { "o.run_id, " } else { "" },
        outputs = output_columns(policy),
        policy = quote_ident(&tables.policy_table),
        fired = quote_ident(&fired_table(tables)),
    )
}

/// The latest view's `CREATE VIEW` statement for the policy table as it is.
pub fn create_sql(tables: &OutputTables, policy: &PolicyTable) -> String {
    let run = quote_ident(&tables.run_table);
    // Of periods run as of one day (June and Q2 after a switch to quarters, Q4 and a yearly
    // review), the longest: the review that covers the others, whichever ran last.
    let runs = format!(
        "  SELECT run_id, period, as_of FROM {run}
  WHERE status = 'ok' AND period = (
    SELECT period FROM {run} WHERE status = 'ok' AND period IS NOT NULL
    ORDER BY as_of DESC, {kind} = 'year' DESC, {kind} = 'quarter' DESC, run_id DESC LIMIT 1)
  ORDER BY run_id DESC LIMIT 1",
        kind = kind_of("period")
    );
    format!(
        "CREATE VIEW {} AS\n{}",
        quote_ident(&latest_view(tables)),
        rows_of(tables, policy, false, &runs)
    )
}

/// The by-period view's `CREATE VIEW` statement: each period's latest `ok` run.
pub fn by_period_sql(tables: &OutputTables, policy: &PolicyTable) -> String {
    let run = quote_ident(&tables.run_table);
    let runs = format!(
        "  SELECT r.run_id, r.period, r.as_of FROM {run} r
  WHERE r.status = 'ok' AND r.period IS NOT NULL AND r.run_id = (
    SELECT MAX(run_id) FROM {run} WHERE status = 'ok' AND period = r.period)"
    );
    format!(
        "CREATE VIEW {} AS\n{}",
        quote_ident(&by_period_view(tables)),
        rows_of(tables, policy, true, &runs)
    )
}

/// Creates the views, or recreates one when the policy table's columns changed.
pub fn replace(
    conn: &Connection,
    tables: &OutputTables,
    policy: &PolicyTable,
) -> Result<(), OutputError> {
    for (name, wanted) in [
        (latest_view(tables), create_sql(tables, policy)),
        (by_period_view(tables), by_period_sql(tables, policy)),
    ] {
        let err = write_err(&name);
        let current: Option<String> = conn
            .query_row(
                "SELECT sql FROM sqlite_master WHERE type = 'view' AND name = ?1",
                [&name],
                |r| r.get(0),
            )
            .optional()
            .map_err(&err)?;
        if current.as_deref() == Some(wanted.as_str()) {
            continue;
        }
        conn.execute_batch(&format!(
            "DROP VIEW IF EXISTS {};\n{wanted}",
            quote_ident(&name)
        ))
        .map_err(err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::schema::{Declared, prepare};
    use crate::config::OutputTables;
    use crate::time::PeriodKind;
    use rusqlite::Connection;
    use rusqlite::types::Value;

    /// A run recorded by hand: its period and its lists of fired rules (JSON).
    fn run(conn: &Connection, id: i64, period: &str, lists: &[&str]) {
        conn.execute(
            "INSERT INTO policy_run (run_id, started_at, status, customers, fingerprint, as_of,
                                     period)
             VALUES (?1, '2026-01-01', 'ok', 2, 'f', ?2 || '-28', ?2)",
            rusqlite::params![id, period],
        )
        .unwrap();
        for (n, list) in lists.iter().enumerate() {
            conn.execute(
                "INSERT INTO customer_policy_fired VALUES (?1, ?2, ?3)",
                rusqlite::params![id, n as i64, list],
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
    fn shows_the_latest_periods_official_run_with_its_lists_and_decimals() {
        let conn = Connection::open_in_memory().unwrap();
        let tables = OutputTables::default();
        let outputs = ["tier".to_owned(), "pct".to_owned()];
        prepare(
            &conn,
            &tables,
            &outputs,
            &[Declared::Plain, Declared::Decimal],
            PeriodKind::Month,
        )
        .unwrap();
        let insert = |run: i64, id: &str, fired: i64, tier: &str, pct: f64| {
            conn.execute(
                "INSERT INTO customer_policy (run_id, customer_id, fired, tier, pct)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                rusqlite::params![run, id, fired, tier, pct],
            )
            .unwrap();
        };
        run(&conn, 1, "2026-01", &[r#"["r1","r2"]"#, "[]"]);
        insert(1, "a", 0, "A", 2.0);
        insert(1, "b", 1, "B", 1.5);
        assert_eq!(
            rows(&conn),
            [
                row("a", "2026-01", "A", 2.0, r#"["r1","r2"]"#),
                row("b", "2026-01", "B", 1.5, "[]"),
            ]
        );
        // A later period; a whole decimal, stored as an integer, reads back as a decimal.
        run(&conn, 2, "2026-02", &[r#"["s2","s0"]"#]);
        insert(2, "a", 0, "C", 0.0);
        let latest = [row("a", "2026-02", "C", 0.0, r#"["s2","s0"]"#)];
        assert_eq!(rows(&conn), latest);
        let stored: String = conn
            .query_row(
                "SELECT typeof(pct) FROM customer_policy WHERE run_id = 2",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(stored, "integer");
        // A backfill of January does not move the view; a rerun of February does.
        run(&conn, 3, "2026-01", &[r#"["s1"]"#]);
        insert(3, "a", 0, "B", 1.0);
        assert_eq!(rows(&conn), latest);
        run(&conn, 4, "2026-02", &[r#"["s0"]"#]);
        insert(4, "z", 0, "A", 3.25);
        assert_eq!(rows(&conn), [row("z", "2026-02", "A", 3.25, r#"["s0"]"#)]);
    }

    #[test]
    fn the_view_is_recreated_when_an_output_is_added() {
        let conn = Connection::open_in_memory().unwrap();
        let tables = OutputTables::default();
        let sql = || -> String {
            conn.query_row(
                "SELECT sql FROM sqlite_master WHERE name = 'customer_policy_latest'",
                [],
                |r| r.get(0),
            )
            .unwrap()
        };
        prepare(&conn, &tables, &["tier".into()], &[], PeriodKind::Month).unwrap();
        let before = sql();
        prepare(&conn, &tables, &["tier".into()], &[], PeriodKind::Month).unwrap();
        assert_eq!(sql(), before);
        let outputs = ["tier".into(), "segment".into()];
        prepare(&conn, &tables, &outputs, &[], PeriodKind::Month).unwrap();
        assert!(!before.contains("segment") && sql().contains(r#"p."segment""#));
    }
}
