//! `run --keep-going`: the customers that evaluate are written, those a rule fails for are
//! left out and recorded in `policy_error`, and the exit code says so. Without it, the first
//! failing customer stops the run and nothing is written.

mod common;

use common::*;

/// A rule that reads the previous period: `since` is kept from it, else it is the date.
const SINCE: &str = "decisions:\n  - name: since\n    rules:\n\
     \x20     - { id: kept, when: previous.since != (), then: { since: \"= previous.since\" } }\n\
     \x20     - { id: now, then: { since: \"= as_of\" } }\n";

fn fixture() -> Fixture {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, annual_sales REAL, orders INTEGER",
        &[
            vec![text("C1"), real(1200.0), int(12)],
            vec![text("C2"), real(500.0), int(0)],
            vec![text("C3"), real(90.0), int(3)],
            vec![text("C4"), real(40.0), int(0)],
        ],
    );
    // `%` by a whole-number zero is an error (C2 and C4 have no orders).
    fx.rule(
        "rules.yaml",
        "metrics:\n  odd_orders: orders % orders\n\
         decisions:\n  - name: size\n    rules:\n\
         \x20     - { id: big, when: annual_sales >= 100 && odd_orders == 0, then: { size: big } }\n\
         \x20     - { id: small, then: { size: small } }\n",
    );
    fx
}

#[test]
fn without_keep_going_the_first_failure_stops_the_run_and_nothing_is_written() {
    let fx = fixture();
    let run = fx.run(&["run"]);
    run.assert_code(1);
    assert!(
        run.stderr.contains("metric `odd_orders` failed"),
        "{}",
        run.stderr
    );
    // The first customer only is named: what was kept, and how to see the others.
    run.assert_stderr_contains("\n  = note: nothing was written (the earlier runs stand); `run --keep-going` writes the other customers and lists each one a rule fails for, `check --data` counts them\n");
    let runs = fx.runs();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].status, "failed");
    assert_eq!(fx.policy_row_count(), 0);
}

#[test]
fn keep_going_writes_the_others_and_records_each_failure() {
    let fx = fixture();
    let run = fx.run(&["run", "--keep-going"]);
    run.assert_code(1);
    assert!(
        run.stdout.contains(
            "\n2 customers failed and are left out (recorded in policy_error):\n  \
             C2: metric `odd_orders`: "
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("\n  C4: metric `odd_orders`: "),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("run 1: 2 customers"), "{}", run.stdout);
    // Why the exit code is 1, on stderr too (what a scheduler mails).
    assert!(
        run.stderr.starts_with(
            "error: run 1 left out 2 customers that failed (first: customer C2: metric `odd_orders` failed: "
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .trim_end()
            .ends_with("; they are in policy_error"),
        "{}",
        run.stderr
    );

    let runs = fx.runs();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].status, "ok");
    assert_eq!(runs[0].customers, 2);
    assert_eq!(
        runs[0].message.as_deref(),
        Some("2 customers failed and are left out: see policy_error")
    );
    let sizes = column(&fx.latest(), "size");
    assert_eq!(sizes, expect(&[("C1", "big"), ("C3", "small")]));

    let conn = fx.conn();
    let errors: Vec<(i64, String, String, String, String)> = conn
        .prepare(
            "SELECT run_id, customer_id, rule, message, at FROM policy_error ORDER BY customer_id",
        )
        .unwrap()
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(errors.len(), 2, "{errors:?}");
    for ((run_id, customer, rule, message, at), id) in errors.iter().zip(["C2", "C4"]) {
        assert_eq!((*run_id, customer.as_str()), (1, id));
        assert_eq!(rule, "metric `odd_orders`");
        assert!(message.contains("zero"), "{message}");
        assert!(at.starts_with("rules/rules.yaml:2:"), "{at}");
    }
}

#[test]
fn keep_going_without_failures_is_an_ordinary_run() {
    let fx = Fixture::new();
    fx.sales_customers(&[10.0, 20.0]);
    fx.rule(
        "rules.yaml",
        "decisions:\n  - name: size\n    rules:\n      - { id: any, then: { size: s } }\n",
    );
    let run = fx.run(&["run", "--keep-going", "--format", "json"]);
    run.assert_code(0);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["failed"], serde_json::json!([]));
    assert_eq!(fx.runs()[0].message, None);
}

/// A customer left out of one period's run has no policy of that period: the next period
/// counts it as new and reads NULL for its `previous.x`. `run` says so (a key account's
/// "since" starts again, a "new key account" bonus is paid twice) and `history` shows the
/// period as left out rather than dropping it without a word.
#[test]
fn the_period_after_a_run_that_left_customers_out_says_their_history_broke() {
    let fx = fixture();
    fx.rule("history.yaml", SINCE);
    fx.run(&["run", "--as-of", "2026-07-31"]).assert_code(1);
    // July failed as a whole (no `--keep-going`): give C2 and C4 orders for it, then take them away.
    fx.conn()
        .execute_batch("UPDATE customers SET orders = 5 WHERE orders = 0")
        .unwrap();
    fx.run(&["run", "--as-of", "2026-07-31"]).assert_code(0);
    fx.conn()
        .execute_batch("UPDATE customers SET orders = 0 WHERE customer_id IN ('C2', 'C4')")
        .unwrap();
    fx.run(&["run", "--keep-going", "--as-of", "2026-08-31"])
        .assert_code(1);
    fx.conn()
        .execute_batch("UPDATE customers SET orders = 5 WHERE orders = 0")
        .unwrap();
    let q3 = fx.run(&["run", "--as-of", "2026-09-30"]);
    q3.assert_code(0);
    assert!(
        q3.stdout.contains(
            "note: 2 of this run's customers were left out of 2026-08's run (run 3, `--keep-going`: their evaluation failed), \
             so they have no 2026-08 policy: `previous.since` is NULL for them and they count as new \
             (`C2`: metric `odd_orders`: "
        ),
        "{}",
        q3.stdout
    );
    assert!(
        q3.stdout.contains(
            " and 1 more; `policy_error` lists them); fix the rule or the data, run 2026-08 again (`tierwise run --as-of 2026-08-31`), then this period again"
        ),
        "{}",
        q3.stdout
    );

    let history = fx.run(&["history", "C2"]);
    history.assert_code(0);
    assert!(
        history.stdout.contains(
            "note: 2026-08 has no policy for this customer: its run (run 3, `--keep-going`) left it out, metric `odd_orders` failing for it ("
        ),
        "{}",
        history.stdout
    );
    assert!(
        history.stdout.contains("); 2026-09 counted it as new\n"),
        "{}",
        history.stdout
    );
    let json = fx.run(&["history", "C2", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(json["left_out"][0]["period"], "2026-08");
    assert_eq!(json["left_out"][0]["run_id"], 3);
    assert_eq!(json["left_out"][0]["rule"], "metric `odd_orders`");
    assert_eq!(json["left_out"][0]["next_counted_new"], "2026-09");
    // C1 was in every run: nothing to say.
    let c1 = fx.run(&["history", "C1"]);
    assert!(!c1.stdout.contains("has no policy"), "{}", c1.stdout);
}

/// A customer left out two periods running is not "counted as new" by the second (it is not
/// in it), and one left out of its only run is said so, not "in no official run".
#[test]
fn a_customer_left_out_again_or_only_is_said_as_it_is() {
    let fx = fixture();
    fx.rule("history.yaml", SINCE);
    // C2 and C4 fail in both months (no orders).
    fx.run(&["run", "--keep-going", "--as-of", "2026-07-31"])
        .assert_code(1);
    let august = fx.run(&["run", "--keep-going", "--as-of", "2026-08-31"]);
    august.assert_code(1);
    assert!(
        !august.stdout.contains("left out of 2026-07"),
        "{}",
        august.stdout
    );
    // The customer exists: its history is the periods that left it out, exit 0.
    let c2 = fx.run(&["history", "C2"]);
    c2.assert_code(0);
    assert!(
        c2.stdout
            .starts_with("customer C2: no policy in any official run\n\nnote: 2026-07 has no policy for this customer: its run (run 1, `--keep-going`) left it out, metric `odd_orders` failing for it ("),
        "{}",
        c2.stdout
    );
    assert!(
        c2.stdout
            .contains("note: 2026-08 has no policy for this customer: its run (run 2,"),
        "{}",
        c2.stdout
    );
    assert!(!c2.stdout.contains("counted it as new"), "{}", c2.stdout);
    let json = fx.run(&["history", "C2", "--format", "json"]);
    json.assert_code(0);
    let json: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(json["periods"].as_array().map(Vec::len), Some(0));
    assert_eq!(json["left_out"][1]["period"], "2026-08");
}

/// `changes` counted the customers a `--keep-going` run left out as gone (lost), and listed
/// them so: they are still on the books, a rule failed for them. Counted apart.
#[test]
fn changes_tells_left_out_customers_from_gone_ones() {
    let fx = fixture();
    fx.conn()
        .execute_batch("UPDATE customers SET orders = 5 WHERE orders = 0")
        .unwrap();
    fx.run(&["run", "--as-of", "2026-07-31"]).assert_code(0);
    fx.conn()
        .execute_batch(
            "UPDATE customers SET orders = 0 WHERE customer_id = 'C2'; DELETE FROM customers WHERE customer_id = 'C3'",
        )
        .unwrap();
    fx.run(&["run", "--keep-going", "--as-of", "2026-08-31"])
        .assert_code(1);
    let changes = fx.run(&["changes", "--output", "size"]);
    changes.assert_code(0);
    assert!(
        changes
            .stdout
            .contains("; 0 new, 1 gone\n1 left out of run 2 (their evaluation failed: not gone)\n"),
        "{}",
        changes.stdout
    );
    assert!(
        changes.stdout.contains("\ngone: C3 (small)\n"),
        "{}",
        changes.stdout
    );
    let json: serde_json::Value = serde_json::from_str(
        &fx.run(&["changes", "--output", "size", "--format", "json"])
            .stdout,
    )
    .unwrap();
    assert_eq!(json["gone"], 1);
    assert_eq!(json["left_out_customers"][0]["customer_id"], "C2");
    // Back the month after: not new, left out before.
    fx.conn()
        .execute_batch("UPDATE customers SET orders = 5 WHERE customer_id = 'C2'")
        .unwrap();
    fx.run(&["run", "--as-of", "2026-09-30"]).assert_code(0);
    let back = fx.run(&["changes", "--output", "size"]);
    assert!(
        back.stdout
            .contains("; 0 new, 0 gone\n1 left out of run 2 (their evaluation failed: not new)\n"),
        "{}",
        back.stdout
    );
}

/// Two configurations on one database (one per company) each have a run 1: their left-out
/// customers shared `policy_error`, so pruning one company's runs deleted the other's records
/// and its `changes` counted them as new. A run table of another name has its own error table.
#[test]
fn configurations_sharing_a_database_keep_their_left_out_customers_apart() {
    let fx = fixture();
    let config = std::fs::read_to_string(fx.path("config.yaml")).unwrap();
    std::fs::write(
        fx.path("pt.yaml"),
        format!("{config}\noutput: {{ policy_table: pt_policy, run_table: pt_run }}\n"),
    )
    .unwrap();
    let pt = |args: &[&str]| run_in(fx.dir.path(), &[&["--config", "pt.yaml"], args].concat());
    pt(&["run", "--keep-going", "--as-of", "2026-07-31"]).assert_code(1);
    fx.run(&["run", "--keep-going", "--as-of", "2026-07-31"])
        .assert_code(1);
    fx.run(&["run", "--keep-going", "--as-of", "2026-08-31"])
        .assert_code(1);
    fx.run(&["prune", "--keep", "1"]).assert_code(0);
    let count = |table: &str| -> i64 {
        fx.conn()
            .query_row(
                &format!("SELECT count(*) FROM {table} WHERE run_id = 1"),
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_eq!(count("pt_run_error"), 2);
    assert_eq!(count("policy_error"), 0);
    let history = pt(&["history", "C2"]);
    history.assert_code(0);
    assert!(
        history
            .stdout
            .contains("note: 2026-07 has no policy for this customer: its run (run 1, `--keep-going`) left it out"),
        "{}",
        history.stdout
    );
}

/// Every customer failing under `--keep-going` made a run of no customer, and it became the
/// period's official run (replacing a complete one), as an empty source would: refused too.
#[test]
fn keep_going_when_every_customer_fails_writes_nothing() {
    let fx = fixture();
    fx.run(&["run", "--as-of", "2026-07-31", "--keep-going"])
        .assert_code(1);
    fx.conn()
        .execute_batch("UPDATE customers SET orders = 0")
        .unwrap();
    let all = fx.run(&["run", "--as-of", "2026-07-31", "--keep-going"]);
    all.assert_code(1);
    all.assert_stderr_contains("error: customer C1: metric `odd_orders` failed: ");
    all.assert_stderr_contains("; every other customer failed at it too (4 in all): nothing was written, as a run of no customer would replace 2026-07's run");
    let runs = fx.runs();
    assert_eq!(runs.len(), 2);
    assert_eq!((runs[0].status.as_str(), runs[0].customers), ("ok", 2));
    assert_eq!(runs[1].status, "failed");
    assert_eq!(fx.policy_row_count(), 2);
    // Failing at other rules, the others are not said to have failed as the first did.
    fx.conn()
        .execute_batch("UPDATE customers SET orders = 3 WHERE customer_id IN ('C3', 'C4')")
        .unwrap();
    fx.rule(
        "ratio.yaml",
        "decisions:\n  - name: ratio\n    output: ratio\n    rules:\n      - { id: ratio-zero, value: '= annual_sales / (orders - 3)' }\n",
    );
    let mixed = fx.run(&["run", "--as-of", "2026-07-31", "--keep-going"]);
    mixed.assert_code(1);
    mixed.assert_stderr_contains("error: customer C1: metric `odd_orders` failed: ");
    mixed.assert_stderr_contains("; every other customer failed too, 2 of them at rule `ratio-zero` (first: customer C3: rule `ratio-zero` failed: division by zero");
    mixed.assert_stderr_contains("(4 in all): nothing was written");
}

/// A database written before the error table followed a run table of another name (its
/// runs recorded their left-out customers in `policy_error`): they are still read, and the
/// next run moves them to `<run_table>_error`.
#[test]
fn left_out_customers_recorded_before_the_error_table_followed_the_run_table_are_kept() {
    let fx = fixture();
    let config = std::fs::read_to_string(fx.path("config.yaml")).unwrap();
    let pt = |args: &[&str]| run_in(fx.dir.path(), &[&["--config", "pt.yaml"], args].concat());
    // As an older tierwise resolved it.
    std::fs::write(
        fx.path("pt.yaml"),
        format!("{config}\noutput: {{ policy_table: pt_policy, run_table: pt_run, error_table: policy_error }}\n"),
    )
    .unwrap();
    fx.rule("history.yaml", SINCE);
    pt(&["run", "--keep-going", "--as-of", "2026-07-31"]).assert_code(1);
    std::fs::write(
        fx.path("pt.yaml"),
        format!("{config}\noutput: {{ policy_table: pt_policy, run_table: pt_run }}\n"),
    )
    .unwrap();
    let history = pt(&["history", "C2"]);
    history.assert_code(0);
    assert!(history.stdout.contains("note: 2026-07 has no policy for this customer: its run (run 1, `--keep-going`) left it out"), "{}", history.stdout);
    fx.conn()
        .execute_batch("UPDATE customers SET orders = 5")
        .unwrap();
    pt(&["run", "--strict", "--as-of", "2026-08-31"])
        .assert_code(1)
        .assert_stderr_contains("of the customers were left out of 2026-07's run");
    pt(&["run", "--as-of", "2026-08-31"]).assert_code(0);
    let moved: i64 = fx
        .conn()
        .query_row(
            "SELECT count(*) FROM pt_run_error WHERE run_id = 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(moved, 2);
}

/// A `--keep-going` run's totals lack the customers it left out, the previous run's hold
/// them: every blocked customer left out read as "blocked 1,108 -> 0 (-100%)". The heading
/// says so.
#[test]
fn totals_since_say_they_are_without_the_customers_left_out() {
    let fx = fixture();
    std::fs::write(
        fx.path("rules/summary.yaml"),
        "summary:\n  totals:\n    sales: '= annual_sales'\n",
    )
    .unwrap();
    fx.conn()
        .execute_batch("UPDATE customers SET orders = 1")
        .unwrap();
    fx.run_ok(&["--as-of", "2026-05-31"]);
    fx.conn()
        .execute_batch("UPDATE customers SET orders = 0 WHERE customer_id IN ('C2', 'C4')")
        .unwrap();
    let run = fx.run(&["run", "--keep-going", "--as-of", "2026-06-30"]);
    run.assert_code(1);
    assert!(
        run.stdout.contains(
            "\ntotals since 2026-05 (run 1), without the 2 customers this run left out (not in these totals; those the previous run held are in its)\n"
        ),
        "{}",
        run.stdout
    );
}

/// "One malformed licence date stopped the month even with `--keep-going`": a value its
/// column does not hold (a day-first date in a DATE column, `n/a` in a REAL one) leaves its
/// customer out under `--keep-going`, as a rule failing for it would, recorded with the
/// column and the value's help; the others are written, and a population figure over the
/// column reads that value as NULL (ranks among the readable). Without it, nothing is written.
#[test]
fn keep_going_leaves_out_a_customer_whose_value_its_column_does_not_hold() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, licence_expiry DATE, sales REAL",
        &[
            vec![text("P1"), text("2027-01-31"), real(300.0)],
            vec![text("P2"), text("31/01/2026"), real(900.0)],
            vec![text("P3"), text("2026-02-15"), text("n/a")],
            vec![text("P4"), null(), real(100.0)],
        ],
    );
    fx.rule(
        "rules.yaml",
        "population:\n  sales_rank: { percentile_of: sales }\n\
         decisions:\n  - name: block\n    outputs: [blocked, rank]\n    rules:\n\
         \x20     - { id: expired, when: 'is_null(licence_expiry) || licence_expiry < as_of', then: { blocked: true, rank: '= sales_rank' } }\n\
         \x20     - { id: licensed, then: { blocked: false, rank: '= sales_rank' } }\n",
    );
    let stopped = fx.run(&["run", "--as-of", "2026-03-31"]);
    stopped.assert_code(1);
    stopped.assert_stderr_contains(
        "customer P2: column `licence_expiry` holds `31/01/2026`, which is not a date",
    );
    assert_eq!(fx.policy_row_count(), 0);

    let run = fx.run(&["run", "--keep-going", "--as-of", "2026-03-31"]);
    run.assert_code(1);
    assert!(
        run.stdout.contains(
            "\n2 customers failed and are left out (recorded in policy_error):\n  \
             P2: column `licence_expiry`: it holds `31/01/2026`, which is not a date"
        ) && run
            .stdout
            .contains("\n  P3: column `sales`: it holds the text \"n/a\", which is not a number"),
        "{}",
        run.stdout
    );
    let latest = fx.latest();
    assert_eq!(
        column(&latest, "blocked"),
        expect(&[("P1", int(0)), ("P4", int(1))])
    );
    let ranks = column(&latest, "rank");
    // `explain` of another customer is not stopped by P2's date; of P2, it says why.
    fx.run(&["explain", "P1", "--as-of", "2026-03-31"])
        .assert_code(0);
    let p2 = fx.run(&["explain", "P2", "--as-of", "2026-03-31"]);
    p2.assert_code(1);
    p2.assert_stderr_contains(
        "customer P2: column `licence_expiry` failed: it holds `31/01/2026`, which is not a date",
    );
    assert!(!p2.stdout.contains("licence_expiry  NULL"), "{}", p2.stdout);
    let errors: Vec<(String, String, String)> = fx
        .conn()
        .prepare("SELECT customer_id, rule, message FROM policy_error ORDER BY customer_id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(
        (errors[0].0.as_str(), errors[0].1.as_str()),
        ("P2", "column `licence_expiry`")
    );
    assert!(
        errors[0].2.contains("this reads as day, month, year"),
        "{}",
        errors[0].2
    );
    assert_eq!(
        (errors[1].0.as_str(), errors[1].1.as_str()),
        ("P3", "column `sales`")
    );
    // The population figures are those of the data with P3's `n/a` as NULL (P2's sales
    // are read: only its date is not).
    fx.conn()
        .execute_batch("UPDATE customers SET licence_expiry = '2026-01-31' WHERE customer_id = 'P2'; UPDATE customers SET sales = NULL WHERE customer_id = 'P3'")
        .unwrap();
    fx.run_ok(&["--as-of", "2026-03-31"]);
    let mended = column(&fx.latest(), "rank");
    assert_eq!((&ranks["P1"], &ranks["P4"]), (&mended["P1"], &mended["P4"]));
    assert_ne!(ranks["P1"], ranks["P4"]);
}

/// A customer id repeated in the source, both rows holding a value their column does not
/// (`45900` in a dates column): `--keep-going` left both out, counted the customer twice
/// among the failures and wrote the run, the repeat unsaid. Refused as a repeat always is.
#[test]
fn a_repeated_id_among_rows_left_out_is_refused_as_any_repeat() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT, annual_sales REAL, opened DATE",
        &[
            vec![text("A1"), real(10.0), text("2024-01-31")],
            vec![text("A3"), real(20.0), text("45900")],
            vec![text("A3"), real(30.0), text("45900")],
        ],
    );
    fx.rule(
        "p.yaml",
        "decisions:\n  - name: age\n    rules:\n      - { id: since, then: { since: '= opened' } }\n",
    );
    let run = fx.run(&["run", "--keep-going"]);
    run.assert_code(1);
    run.assert_stderr_contains("A3");
    run.assert_stderr_contains("more than once");
    assert_eq!(fx.policy_row_count(), 0);
}
