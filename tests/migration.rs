//! A database written by tierwise before runs had dates (schema version 0: no `as_of` or
//! `period`, rule ids as JSON text in `customer_policy`), built here by hand with that
//! version's statements, read and then written by the real binary.

mod common;

use common::*;
use rusqlite::Connection;

const RULES: &str = r#"decisions:
  - name: tier
    rules:
      - { id: tier-a, when: "annual_sales >= 100", then: { tier: A } }
      - { id: tier-c, then: { tier: C } }
"#;

/// The tables as the previous tierwise created them, with three runs: two `ok` (February
/// and May) and one `failed`.
fn old_database(fx: &Fixture) {
    fx.sales_customers(&[50.0, 150.0]);
    fx.rule("rules.yaml", RULES);
    fx.conn()
        .execute_batch(
            r#"CREATE TABLE IF NOT EXISTS "policy_run" (
                run_id INTEGER PRIMARY KEY,
                started_at TEXT NOT NULL,
                finished_at TEXT,
                status TEXT NOT NULL,
                customers INTEGER NOT NULL,
                fingerprint TEXT NOT NULL,
                rules_dir TEXT,
                message TEXT
            );
            CREATE TABLE IF NOT EXISTS "customer_policy" (
                run_id INTEGER NOT NULL,
                customer_id NOT NULL,
                rule_ids TEXT NOT NULL,
                PRIMARY KEY (run_id, customer_id)
            );
            ALTER TABLE "customer_policy" ADD COLUMN "tier";
            INSERT INTO policy_run VALUES
                (1, '2026-02-10T09:00:00.000Z', '2026-02-10T09:00:01.000Z', 'ok', 2, 'f1', 'rules', NULL),
                (2, '2026-05-03T09:00:00.000Z', '2026-05-03T09:00:01.000Z', 'failed', 0, 'f2', 'rules', 'boom'),
                (3, '2026-05-20T09:00:00.000Z', '2026-05-20T09:00:01.000Z', 'ok', 2, 'f2', 'rules', NULL);
            INSERT INTO customer_policy VALUES
                (1, 1, '["tier-c"]', 'C'), (1, 2, '["tier-c"]', 'C'),
                (3, 1, '["tier-c"]', 'C'), (3, 2, '["tier-a"]', 'A');"#,
        )
        .unwrap();
}

fn user_version(conn: &Connection) -> i64 {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_run_dates_the_old_runs_and_keeps_their_rows_and_layout() {
    let fx = Fixture::new();
    old_database(&fx);
    fx.run_ok(&[]);
    let conn = fx.conn();
    assert_eq!(user_version(&conn), tierwise::output::SCHEMA_VERSION);

    // Old runs are dated by the day they started, in the run's kind of period (months).
    let mut stmt = conn
        .prepare("SELECT run_id, status, as_of, period, message FROM policy_run ORDER BY run_id")
        .unwrap();
    let runs: Vec<(i64, String, String, String, Option<String>)> = stmt
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let today: String = conn
        .query_row("SELECT date('now')", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        runs[..3],
        [
            (1, "ok".into(), "2026-02-10".into(), "2026-02".into(), None),
            (
                2,
                "failed".into(),
                "2026-05-03".into(),
                "2026-05".into(),
                Some("boom".into())
            ),
            (3, "ok".into(), "2026-05-20".into(), "2026-05".into(), None),
        ]
    );
    assert_eq!((runs[3].0, &runs[3].2), (4, &today));
    // Which tierwise made a run, and from which customers: none said for the old runs.
    let made_by: Vec<(Option<String>, Option<String>)> = conn
        .prepare("SELECT tierwise_version, customers_from FROM policy_run ORDER BY run_id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(made_by[..3], [(None, None), (None, None), (None, None)]);
    assert_eq!(
        made_by[3],
        (
            Some(env!("CARGO_PKG_VERSION").to_owned()),
            Some("customers".to_owned())
        )
    );

    // The old rows are untouched; the table keeps its layout.
    let old: Vec<(i64, i64, String, Option<i64>)> = conn
        .prepare("SELECT run_id, customer_id, rule_ids, fired FROM customer_policy WHERE run_id < 4 ORDER BY 1, 2")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        old,
        [
            (1, 1, r#"["tier-c"]"#.into(), None),
            (1, 2, r#"["tier-c"]"#.into(), None),
            (3, 1, r#"["tier-c"]"#.into(), None),
            (3, 2, r#"["tier-a"]"#.into(), None),
        ]
    );
    let sql: String = conn
        .query_row(
            "SELECT sql FROM sqlite_master WHERE name = 'customer_policy'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(!sql.contains("WITHOUT ROWID"), "{sql}");
}

#[test]
fn after_the_upgrade_new_rows_use_fired_lists_and_readers_read_both() {
    let fx = Fixture::new();
    old_database(&fx);
    // Said once, as it cannot be undone; a run on the upgraded tables says nothing of it.
    let upgrade = fx.run_ok(&[]);
    assert!(
        upgrade.stderr.contains(
            "the run tables were made by an older tierwise (schema version 0): upgraded to version 5 with this run, keeping every run; a tierwise that knows only version 0 refuses to run on this database from now on"
        ),
        "{}",
        upgrade.stderr
    );
    assert!(!fx.run_ok(&[]).stderr.contains("upgraded"));
    let conn = fx.conn();
    let new = fx.policies_of(4);
    assert_eq!(new["2"]["rule_ids"], text(r#"["tier-a"]"#));
    assert_eq!(new["2"]["tier"], text("A"));
    let raw: (String, i64) = conn
        .query_row(
            "SELECT rule_ids, fired FROM customer_policy WHERE run_id = 4 AND customer_id = 2",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(raw.0, "");

    // The view reads the new run; history reads old rows (JSON) and new ones (lists).
    let view: Vec<(i64, String)> = conn
        .prepare("SELECT customer_id, rule_ids FROM customer_policy_latest ORDER BY 1")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        view,
        [(1, r#"["tier-c"]"#.into()), (2, r#"["tier-a"]"#.into())]
    );
    let run = fx.run(&["history", "2", "--format", "json"]);
    run.assert_code(0);
    let j: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let periods: Vec<(String, String)> = j["periods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["period"].as_str().unwrap().into(),
                p["rule_ids"].to_string(),
            )
        })
        .collect();
    assert_eq!(periods[0], ("2026-02".into(), r#"["tier-c"]"#.into()));
    assert_eq!(periods[1], ("2026-05".into(), r#"["tier-a"]"#.into()));
    assert_eq!(periods.last().unwrap().1, r#"["tier-a"]"#);
}

#[test]
fn history_reads_a_database_not_yet_upgraded_and_leaves_it_as_it_is() {
    let fx = Fixture::new();
    old_database(&fx);
    let run = fx.run(&["history", "2", "--format", "json"]);
    run.assert_code(0);
    let j: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        j["periods"],
        serde_json::json!([
            {"period": "2026-02", "as_of": "2026-02-10", "run_id": 1, "values": {"tier": "C"},
             "rule_ids": ["tier-c"], "rules_added": ["tier-c"], "rules_removed": []},
            {"period": "2026-05", "as_of": "2026-05-20", "run_id": 3, "values": {"tier": "A"},
             "rule_ids": ["tier-a"], "rules_added": ["tier-a"], "rules_removed": ["tier-c"]},
        ])
    );
    assert_eq!(user_version(&fx.conn()), 0);
    // Pruning needs the periods written: it asks for a run first.
    fx.run(&["prune", "--keep", "1"])
        .assert_code(1)
        .assert_stderr_contains("the next `tierwise run` upgrades it");
}

#[test]
fn a_newer_schema_is_refused_and_left_alone() {
    let fx = Fixture::new();
    old_database(&fx);
    fx.conn().execute_batch("PRAGMA user_version = 7").unwrap();
    let run = fx.run(&["run"]);
    run.assert_code(1)
        .assert_stderr_contains("schema version is 7, newer than this tierwise knows (5)");
    assert_eq!(fx.runs().len(), 3);
}

/// A table of the user's own under the policy table's name (an insurance table called
/// `customer_policy`), or the customer table named as the policy table, was given tierwise's
/// columns and mixed with the runs' rows (`history` showed its row as a policy): refused,
/// exit 2, the table as it was, and no run table or view left behind.
#[test]
fn a_table_tierwise_did_not_make_is_refused_and_left_alone() {
    let fx = Fixture::new();
    fx.sales_customers(&[50.0, 150.0]);
    fx.rule("rules.yaml", RULES);
    let schema = |fx: &Fixture| -> Vec<String> {
        fx.conn()
            .prepare("SELECT sql FROM sqlite_schema ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    fx.conn()
        .execute_batch(
            "CREATE TABLE customer_policy (run_id INTEGER, customer_id TEXT, insurer TEXT, premium REAL);
             INSERT INTO customer_policy VALUES (1, '1', 'Allianz', 1200.0);",
        )
        .unwrap();
    let before = schema(&fx);
    let run = fx.run(&["run"]);
    run.assert_code(2);
    run.assert_stderr_contains("error: table `customer_policy` is not one tierwise made (it has no column fired): tierwise does not write into a table of yours; set `output.policy_table` in the configuration to a name no table has\n");
    assert!(!run.stderr.contains("could not record"), "{}", run.stderr);
    assert_eq!(schema(&fx), before);

    let fx = Fixture::new();
    fx.sales_customers(&[50.0, 150.0]);
    fx.rule("rules.yaml", RULES);
    let config = std::fs::read_to_string(fx.path("config.yaml")).unwrap();
    std::fs::write(
        fx.path("config.yaml"),
        format!("{config}\noutput: {{ policy_table: customers }}\n"),
    )
    .unwrap();
    let before = schema(&fx);
    let run = fx.run(&["run"]);
    run.assert_code(2);
    run.assert_stderr_contains(
        "error: table `customers` is not one tierwise made (it has no column run_id, fired)",
    );
    assert_eq!(schema(&fx), before);
}
