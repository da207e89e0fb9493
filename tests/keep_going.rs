//! `run --keep-going`: the customers that evaluate are written, those a rule fails for are
//! left out and recorded in `policy_error`, and the exit code says so. Without it, the first
//! failing customer stops the run and nothing is written.

mod common;

use common::*;

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
            "error: run 1 left out 2 customers that rules failed for (first: customer C2: metric `odd_orders` failed: "
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
