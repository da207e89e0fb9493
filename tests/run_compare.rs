//! `run` compares with the previous period's official run, on the real binary: the tier
//! migration matrix, the flows per tier and the totals before and after, checked against
//! SQL over `customer_policy` and `policy_run` on the bundled sample (two quarters), and
//! against values computed by hand on a tiny database; a database written before totals
//! were recorded (schema version 1) is upgraded and says so.

mod common;

use common::*;
use rusqlite::{Connection, named_params};
use serde_json::{Value as Json, json};
use std::collections::BTreeMap;
use std::path::Path;

const TIERS: [&str; 4] = ["A", "B", "C", "dormant"];

/// Customers of run `now` by tier in run `before` (`(new)` when they were not in it, or
/// had no tier) and tier now, from SQL.
fn sql_matrix(conn: &Connection, before: i64, now: i64) -> BTreeMap<(String, String), i64> {
    conn.prepare(
        "SELECT COALESCE(p.tier, '(new)'), c.tier, COUNT(*)
         FROM customer_policy c
         LEFT JOIN customer_policy p ON p.run_id = ?1 AND p.customer_id = c.customer_id
         WHERE c.run_id = ?2 GROUP BY 1, 2",
    )
    .unwrap()
    .query_map([before, now], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// The run's JSON matrix as the same map (zero cells left out).
fn json_matrix(moves: &Json) -> BTreeMap<(String, String), i64> {
    let mut cells = BTreeMap::new();
    for (before, row) in moves["matrix"].as_object().unwrap() {
        for (now, n) in row.as_object().unwrap() {
            if n.as_i64().unwrap() > 0 {
                cells.insert((before.clone(), now.clone()), n.as_i64().unwrap());
            }
        }
    }
    cells
}

/// The sum of `expr` over run `run_id`'s customers, in SQL.
fn sql_sum(conn: &Connection, run_id: i64, expr: &str) -> f64 {
    conn.query_row(
        &format!("SELECT TOTAL({expr}) FROM customer_policy WHERE run_id = ?1"),
        [run_id],
        |r| r.get(0),
    )
    .unwrap()
}

/// Each customer's `annual_sales` as of `as_of`, from the bundled customer query.
fn annual_sales(conn: &Connection, as_of: &str, start: &str, end: &str) -> BTreeMap<String, f64> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sql = std::fs::read_to_string(root.join("config/customers.sql")).unwrap();
    let mut stmt = conn.prepare(&sql).unwrap();
    let (id, at) = (
        stmt.column_index("customer_id").unwrap(),
        stmt.column_index("annual_sales").unwrap(),
    );
    stmt.query_map(
        named_params! {":as_of": as_of, ":period_start": start, ":period_end": end},
        |r| Ok((r.get::<_, String>(id)?, r.get::<_, Option<f64>>(at)?)),
    )
    .unwrap()
    .map(Result::unwrap)
    .map(|(id, sales)| (id, sales.unwrap_or(0.0)))
    .collect()
}

/// `concession_cost` of run `run_id`: the sum of annual sales x discount, the sales from
/// the customer query.
fn concession_cost(conn: &Connection, run_id: i64, sales: &BTreeMap<String, f64>) -> f64 {
    let mut stmt = conn
        .prepare("SELECT customer_id, discount_pct FROM customer_policy WHERE run_id = ?1")
        .unwrap();
    stmt.query_map([run_id], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, Option<f64>>(1)?))
    })
    .unwrap()
    .map(Result::unwrap)
    .map(|(id, pct)| sales[&id] * pct.unwrap_or(0.0) / 100.0)
    .sum()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(1.0)
}

#[test]
fn two_quarters_of_the_bundled_sample_against_sql() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root.join("config"), &dir.path().join("config"));
    copy_dir(&root.join("rules"), &dir.path().join("rules"));
    let run = |args: &[&str]| {
        let run = run_in(dir.path(), &[&["run"], args].concat());
        run.assert_code(0);
        run
    };
    let q2 = run(&["--as-of", "2026-06-30"]);
    assert!(
        q2.stdout
            .contains("\ntotals: no run of 2026-Q1 to compare with\n"),
        "{}",
        q2.stdout
    );
    let q3 = run(&["--as-of", "2026-09-30", "--format", "json"]);
    let json: Json = serde_json::from_str(&q3.stdout).unwrap();
    let conn = Connection::open(dir.path().join("data/sample.db")).unwrap();

    // The matrix: every cell as SQL counts it, rows and columns in the rules' order.
    let tier = &json["moves"]["tier"];
    assert_eq!(json_matrix(tier), sql_matrix(&conn, 1, 2));
    let rows: Vec<&String> = tier["matrix"].as_object().unwrap().keys().collect();
    assert_eq!(rows, ["A", "B", "C", "dormant", "(new)"]);
    let columns: Vec<&String> = tier["matrix"]["A"].as_object().unwrap().keys().collect();
    assert_eq!(columns, TIERS);
    // Up, down, same and new from the same SQL, by the order A > B > C > dormant.
    let rank = |t: &str| TIERS.iter().position(|x| *x == t);
    let (mut up, mut down, mut same, mut new) = (0, 0, 0, 0);
    for ((before, now), n) in sql_matrix(&conn, 1, 2) {
        match (rank(&before), rank(&now)) {
            (None, _) => new += n,
            (Some(b), Some(c)) if c < b => up += n,
            (Some(b), Some(c)) if c > b => down += n,
            _ => same += n,
        }
    }
    assert_eq!(
        [&tier["up"], &tier["down"], &tier["same"], &tier["new"]],
        [&json!(up), &json!(down), &json!(same), &json!(new)]
    );
    // Tier B's flows, counted in SQL.
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    let pair = "FROM customer_policy c LEFT JOIN customer_policy p
                ON p.run_id = 1 AND p.customer_id = c.customer_id WHERE c.run_id = 2";
    let b = &tier["values"]["B"];
    assert_eq!(
        b["before"],
        count(&format!("SELECT COUNT(*) {pair} AND p.tier = 'B'"))
    );
    assert_eq!(
        b["from_above"],
        count(&format!(
            "SELECT COUNT(*) {pair} AND p.tier = 'A' AND c.tier = 'B'"
        ))
    );
    assert_eq!(
        b["from_below"],
        count(&format!(
            "SELECT COUNT(*) {pair} AND p.tier IN ('C', 'dormant') AND c.tier = 'B'"
        ))
    );
    assert_eq!(
        b["new"],
        count(&format!(
            "SELECT COUNT(*) {pair} AND p.tier IS NULL AND c.tier = 'B'"
        ))
    );
    assert_eq!(
        b["left"],
        count(&format!(
            "SELECT COUNT(*) {pair} AND p.tier = 'B' AND c.tier <> 'B'"
        ))
    );
    assert_eq!(
        b["now"],
        count("SELECT COUNT(*) FROM customer_policy WHERE run_id = 2 AND tier = 'B'")
    );

    // The totals before and after: what each run recorded, and the same sums in SQL.
    let since = &json["totals_since"];
    assert_eq!(
        (&since["period"], &since["run_id"], &since["recorded"]),
        (&json!("2026-Q2"), &json!(1), &json!(true))
    );
    let recorded = |run_id: i64, name: &str| -> f64 {
        conn.query_row(
            &format!("SELECT json_extract(totals, '$.{name}') FROM policy_run WHERE run_id = ?1"),
            [run_id],
            |r| r.get(0),
        )
        .unwrap()
    };
    let sales_q2 = annual_sales(&conn, "2026-06-30", "2026-04-01", "2026-06-30");
    let sales_q3 = annual_sales(&conn, "2026-09-30", "2026-07-01", "2026-09-30");
    let by_sql = [
        (
            "credit_limit",
            sql_sum(&conn, 1, "credit_limit"),
            sql_sum(&conn, 2, "credit_limit"),
        ),
        (
            "visits_per_month",
            sql_sum(&conn, 1, "visits_per_month"),
            sql_sum(&conn, 2, "visits_per_month"),
        ),
        (
            "key_accounts",
            sql_sum(&conn, 1, "key_account"),
            sql_sum(&conn, 2, "key_account"),
        ),
        (
            "lost_customers",
            sql_sum(&conn, 1, "lost"),
            sql_sum(&conn, 2, "lost"),
        ),
        (
            "concession_cost",
            concession_cost(&conn, 1, &sales_q2),
            concession_cost(&conn, 2, &sales_q3),
        ),
    ];
    for (name, before, now) in by_sql {
        let t = &since["totals"][name];
        let (b, n) = (t["before"].as_f64().unwrap(), t["now"].as_f64().unwrap());
        assert!(
            close(b, before) && close(n, now),
            "{name}: {t} against SQL {before} -> {now}"
        );
        assert_eq!((b, n), (recorded(1, name), recorded(2, name)), "{name}");
        assert_eq!(json["totals"][name].as_f64().unwrap(), n, "{name}");
        assert!(
            close(t["difference"].as_f64().unwrap(), now - before),
            "{name}"
        );
    }
    assert_eq!(since["totals"]["concession_cost"]["money"], true);
    assert_eq!(since["totals"]["key_accounts"]["money"], false);
    assert_eq!(json["currency"], "EUR");
}

/// A project of three quarters: customers' sales by quarter (`sales`, through a query bound
/// to `:as_of`), tiers by sales, a discount by tier, and money and count totals.
fn tiny() -> Fixture {
    let fx = Fixture::new();
    std::fs::write(
        fx.path("config.yaml"),
        "database: customers.db\nrules: rules\nperiod: quarter\ncurrency: EUR\n\
         customers:\n  id_column: customer_id\n  query: >\n    \
         SELECT customer_id, annual_sales FROM sales WHERE as_of = :as_of\n",
    )
    .unwrap();
    fx.conn()
        .execute_batch(
            "CREATE TABLE sales (customer_id TEXT, as_of TEXT, annual_sales REAL);
             INSERT INTO sales VALUES
               ('a', '2026-03-31', 1000), ('b', '2026-03-31', 500), ('c', '2026-03-31', 100),
               ('d', '2026-03-31', 50),
               ('a', '2026-06-30', 400), ('b', '2026-06-30', 2000), ('c', '2026-06-30', 150),
               ('e', '2026-06-30', 600),
               ('a', '2026-09-30', 400), ('b', '2026-09-30', 2000);",
        )
        .unwrap();
    fx.rule(
        "tiers.yaml",
        "decisions:
  - name: tier
    rules:
      - { id: a, when: annual_sales >= 1000, then: { tier: A, discount_pct: 10 } }
      - { id: b, when: annual_sales >= 300, then: { tier: B, discount_pct: 5 } }
      - { id: c, then: { tier: C, discount_pct: 0 } }
summary:
  moves: { tier: [A, B, C] }
  totals:
    customers: '= 1'
    cost: '= annual_sales * discount_pct / 100'
  money: [cost]
",
    );
    fx
}

/// A tier renamed between two periods (`B` to `Silver`): last quarter's `B` is a value the
/// order no longer ranks. Its customers are counted under `(other)`, and each row of the
/// table per value adds up (`now = before - left + from above + from below + from other +
/// new`), the gone ones included; before, `Silver` showed 0 before and 2 now, from nowhere.
#[test]
fn a_value_the_order_no_longer_ranks_is_a_row_of_its_own_and_every_row_adds_up() {
    let fx = tiny();
    fx.run_ok(&["--as-of", "2026-03-31"]);
    let rules = std::fs::read_to_string(fx.path("rules/tiers.yaml")).unwrap();
    fx.rule(
        "tiers.yaml",
        &rules
            .replace("tier: B,", "tier: Silver,")
            .replace("[A, B, C]", "[A, Silver, C]"),
    );
    // 2026-Q2: a A->Silver, b B->A, c C->C, e new Silver; d (C) gone.
    let q2 = fx.run_ok(&["--as-of", "2026-06-30"]);
    let want = "  tier     before  from above  from below  from other  new  left  gone  now
  A             1           0           0           1    0     1     0    1
  Silver        0           1           0           0    1     0     0    2
  C             1           0           0           0    0     0     1    1
  (other)       1           0           0           0    0     1     0    0
";
    assert!(q2.stdout.contains(want), "{}", q2.stdout);
    // The moves line says `unranked`, as `tierwise changes` does.
    assert!(
        q2.stdout
            .contains("  tier  0 up, 1 down, 1 same, 1 unranked, 1 new, 1 gone\n"),
        "{}",
        q2.stdout
    );
}

/// `run` counts a `count_by` output's customers in the order `summary.moves` gives its
/// values (Gold, Silver, Bronze), not alphabetically (Bronze, Gold, Silver).
#[test]
fn counts_per_value_follow_the_moves_order() {
    let fx = tiny();
    let rules = std::fs::read_to_string(fx.path("rules/tiers.yaml")).unwrap();
    fx.rule(
        "tiers.yaml",
        &rules
            .replace("tier: A,", "tier: Gold,")
            .replace("tier: B,", "tier: Silver,")
            .replace("tier: C,", "tier: Bronze,")
            .replace("[A, B, C]", "[Gold, Silver, Bronze]")
            .replace("summary:\n", "summary:\n  count_by: [tier]\n"),
    );
    let run = fx.run_ok(&["--as-of", "2026-03-31"]);
    let at = |value: &str| {
        run.stdout
            .find(&format!("\n{value} "))
            .unwrap_or_else(|| panic!("{value}: {}", run.stdout))
    };
    assert!(
        at("Gold") < at("Silver") && at("Silver") < at("Bronze"),
        "{}",
        run.stdout
    );
}

/// The first run of rules that read the previous period says that what they carry starts
/// now for everyone; rules whose history only `summary.moves` counts carry nothing, and
/// the note is not said (the moves line says there is nothing to compare with).
#[test]
fn the_first_run_note_is_for_rules_that_read_the_previous_period() {
    let fx = tiny();
    let moves_only = fx.run_ok(&["--as-of", "2026-03-31"]);
    assert!(
        !moves_only.stdout.contains("no earlier period has a run"),
        "{}",
        moves_only.stdout
    );
    assert!(
        moves_only
            .stdout
            .contains("moves: no run of 2025-Q4 to compare with")
    );
    // A quarter skipped: nothing a customer gets reads it, so `--strict` has nothing to
    // refuse (it said "the rules' `previous.x` would be NULL").
    fx.run_ok(&["--as-of", "2026-09-30", "--strict"]);
    let rules = std::fs::read_to_string(fx.path("rules/tiers.yaml")).unwrap();
    fx.rule(
        "tiers.yaml",
        &rules.replace(
            "      - { id: c,",
            "      - { id: was-a, when: previous.tier == \"A\" || previous_2.tier == \"A\", then: { tier: B, discount_pct: 5 } }\n      - { id: c,",
        ),
    );
    let fresh = Fixture::new();
    std::fs::copy(fx.path("config.yaml"), fresh.path("config.yaml")).unwrap();
    std::fs::copy(fx.path("rules/tiers.yaml"), fresh.path("rules/tiers.yaml")).unwrap();
    fresh
        .conn()
        .execute_batch(
            "CREATE TABLE sales (customer_id TEXT, as_of TEXT, annual_sales REAL);
             INSERT INTO sales VALUES ('a', '2026-03-31', 1000);",
        )
        .unwrap();
    let reading = fresh.run_ok(&["--as-of", "2026-03-31"]);
    assert!(
        reading.stdout.contains("note: no earlier period has a run: `previous.tier`, `previous_2.tier` are NULL for every customer, so what the rules carry from period to period"),
        "{}",
        reading.stdout
    );
}

#[test]
fn a_tiny_database_by_hand_text_and_json() {
    let fx = tiny();
    // 2026-Q1: a A (cost 100), b B (25), c C, d C: cost 125, 4 customers.
    let q1 = fx.run_ok(&["--as-of", "2026-03-31"]);
    assert!(
        q1.stdout.contains(
            "\ntotals: no run of 2025-Q4 to compare with\n\
             \x20 customers                   4\n\
             \x20 cost               EUR 125.00\n"
        ),
        "{}",
        q1.stdout
    );
    // 2026-Q2: a A->B (cost 20), b B->A (200), c C->C, e new B (30); d (C) gone. Cost 250.
    let q2 = fx.run_ok(&["--as-of", "2026-06-30"]);
    let want = "moves since 2026-Q1
  tier  1 up, 1 down, 1 same, 1 new, 1 gone

  tier (rows: 2026-Q1, columns: 2026-Q2)
         A  B  C
  A      0  1  0
  B      1  0  0
  C      0  0  1
  (new)  0  1  0

  tier  before  from above  from below  new  left  gone  now
  A          1           0           1    0     1     0    1
  B          1           1           0    1     1     0    2
  C          1           0           0    0     0     1    1

totals since 2026-Q1 (run 1)
  customers           4 ->          4  (no change)
  cost       EUR 125.00 -> EUR 250.00  (+125.00, +100.0%)
";
    assert!(q2.stdout.contains(want), "{}", q2.stdout);

    // 2026-Q3 in JSON, with a total added (`sales`) and one removed (`customers`): each on
    // one side only.
    let rules = std::fs::read_to_string(fx.path("rules/tiers.yaml")).unwrap();
    fx.rule(
        "tiers.yaml",
        &rules.replace("    customers: '= 1'\n", "    sales: '= annual_sales'\n"),
    );
    let q3 = fx.run_ok(&["--as-of", "2026-09-30", "--format", "json"]);
    let json: Json = serde_json::from_str(&q3.stdout).unwrap();
    assert_eq!(
        json["moves"]["tier"],
        json!({
            "up": 0, "down": 0, "same": 2, "changed": 0, "new": 0, "gone": 2,
            "matrix": {
                "A": {"A": 1, "B": 0, "C": 0},
                "B": {"A": 0, "B": 1, "C": 0},
                "C": {"A": 0, "B": 0, "C": 0},
                "(new)": {"A": 0, "B": 0, "C": 0},
            },
            "values": {
                "A": {"before": 1, "from_above": 0, "from_below": 0, "from_other": 0, "new": 0, "left": 0, "gone": 0, "now": 1},
                "B": {"before": 1, "from_above": 0, "from_below": 0, "from_other": 0, "new": 0, "left": 0, "gone": 1, "now": 1},
                "C": {"before": 0, "from_above": 0, "from_below": 0, "from_other": 0, "new": 0, "left": 0, "gone": 1, "now": 0},
            },
        })
    );
    // b A (200), a B (20): cost 220; sales 2,400.
    assert_eq!(
        json["totals_since"],
        json!({
            "period": "2026-Q2", "run_id": 2, "recorded": true,
            "totals": {
                "cost": {"money": true, "before": 250, "now": 220, "difference": -30, "percent": -12.0},
                "sales": {"money": false, "before": null, "now": 2400, "difference": null, "percent": null},
                "customers": {"money": false, "before": 4, "now": null, "difference": null, "percent": null},
            }
        })
    );
    assert_eq!(json["money"], json!(["cost"]));
    let text = fx.run_ok(&["--as-of", "2026-09-30"]);
    assert!(
        text.stdout.contains(
            "totals since 2026-Q2 (run 2)
  sales               - ->      2,400
  cost       EUR 250.00 -> EUR 220.00  (-30.00, -12.0%)
  customers           4 ->          -
"
        ),
        "{}",
        text.stdout
    );
}

#[test]
fn a_database_written_before_totals_were_recorded_is_upgraded_and_says_so() {
    let fx = tiny();
    fx.run_ok(&["--as-of", "2026-03-31"]);
    fx.run_ok(&["--as-of", "2026-06-30"]);
    // Back to what the previous tierwise wrote: schema version 1, no `totals` column.
    fx.conn()
        .execute_batch("ALTER TABLE policy_run DROP COLUMN totals; PRAGMA user_version = 1;")
        .unwrap();

    let q3 = fx.run_ok(&["--as-of", "2026-09-30"]);
    assert!(
        q3.stdout.contains(
            "\ntotals: no totals recorded for 2026-Q2 (its run 2 was written by an older tierwise)\n\
             \x20 customers                   2\n\
             \x20 cost               EUR 220.00\n"
        ),
        "{}",
        q3.stdout
    );
    // The moves still compare (they read the policies, not the totals).
    assert!(
        q3.stdout
            .contains("moves since 2026-Q2\n  tier  0 up, 0 down, 2 same, 0 new, 2 gone\n"),
        "{}",
        q3.stdout
    );
    let conn = fx.conn();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, tierwise::output::SCHEMA_VERSION);
    let totals: Vec<(i64, Option<String>)> = conn
        .prepare("SELECT run_id, totals FROM policy_run ORDER BY run_id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        totals,
        [
            (1, None),
            (2, None),
            (3, Some(r#"{"customers":2,"cost":220}"#.into()))
        ]
    );
    // Every earlier run and its rows are kept.
    assert_eq!(fx.policies_of(1).len(), 4);

    // A rerun of 2026-Q3 still compares with 2026-Q2 (no totals); JSON says so too.
    let json: Json = serde_json::from_str(
        &fx.run_ok(&["--as-of", "2026-09-30", "--format", "json"])
            .stdout,
    )
    .unwrap();
    assert_eq!(
        json["totals_since"],
        json!({"period": "2026-Q2", "run_id": 2, "recorded": false, "totals": {}})
    );
}

#[test]
fn the_first_run_and_a_period_with_no_run_say_there_is_nothing_to_compare() {
    let fx = tiny();
    let q1 = fx.run_ok(&["--as-of", "2026-03-31", "--format", "json"]);
    let json: Json = serde_json::from_str(&q1.stdout).unwrap();
    assert_eq!(json["totals_since"], Json::Null);
    assert_eq!(json["totals"], json!({"customers": 4, "cost": 125}));
    // 2026-Q3 after 2026-Q1: 2026-Q2 has no run, so nothing to compare with.
    let q3 = fx.run_ok(&["--as-of", "2026-09-30"]);
    assert!(
        q3.stdout
            .contains("\nmoves: no run of 2026-Q2 to compare with\n"),
        "{}",
        q3.stdout
    );
    assert!(
        q3.stdout
            .contains("\ntotals: no run of 2026-Q2 to compare with\n"),
        "{}",
        q3.stdout
    );
}

/// A number output in `summary.moves` (a discount step: `[10, 7.5, 4, 1, 0]`), given as
/// decimals: the previous run's values read back as `4.0`, which the order's `4` did not
/// rank, so `run` said "0 up, 0 down ... unranked" for customers that moved between steps and
/// `changes` counted every move as unranked. They are the same numbers.
#[test]
fn a_number_output_moves_along_its_order_however_its_numbers_are_written() {
    let fx = Fixture::new();
    fx.sales_customers(&[500.0, 300.0, 100.0]);
    fx.rule(
        "discount.yaml",
        "decisions:\n  - name: discount\n    output: discount_pct\n    rules:\n\
         \x20     - { id: d10, when: annual_sales >= 400, value: 10.0 }\n\
         \x20     - { id: d7, when: annual_sales >= 200, value: 7.5 }\n\
         \x20     - { id: d4, value: 4.0 }\n\
         summary:\n  moves:\n    discount_pct: [10, 7.5, 4, 1, 0]\n",
    );
    fx.run_ok(&["--as-of", "2026-05-31"]);
    // 1 stays at 10, 2 goes up 7.5 -> 10, 3 stays at 4.
    fx.sales_customers(&[500.0, 450.0, 100.0]);
    let q2 = fx.run_ok(&["--as-of", "2026-06-30"]);
    assert!(
        q2.stdout
            .contains("  discount_pct  1 up, 0 down, 2 same, 0 new\n"),
        "{}",
        q2.stdout
    );
    let changes = fx.run(&["changes", "--output", "discount_pct"]);
    changes.assert_code(0);
    assert!(
        changes
            .stdout
            .contains("3 customers in both: 1 up, 0 down, 0 unranked, 2 unchanged"),
        "{}",
        changes.stdout
    );
}
