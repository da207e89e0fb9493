//! The number model on the real binary: decimals compare within a relative epsilon (an
//! exact 30% drop in money is a 30% drop), and numbers are numbers (`sqrt` of a whole-number
//! column).

mod common;

use common::*;

#[test]
fn an_exact_thirty_percent_drop_in_money_is_thirty_percent() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, sales_ly REAL, sales REAL, orders INTEGER",
        &[
            // 10,000.30 -> 7,000.21 is exactly 30% down; in binary floating point the
            // quotient is 0.29999999999999993.
            vec![text("exact"), real(10_000.30), real(7_000.21), int(16)],
            vec![text("less"), real(10_000.30), real(7_000.22), int(9)],
            vec![text("more"), real(10_000.30), real(7_000.20), int(0)],
        ],
    );
    fx.rule(
        "drop.yaml",
        "decisions:\n  - name: drop\n    output: dropped\n    rules:\n      - { id: dropped-30, when: '(sales_ly - sales) / sales_ly >= 0.30', value: true }\n      - { id: kept, value: false }\n  - name: root\n    output: root_orders\n    rules:\n      - { id: root, value: '= sqrt(orders)' }\n",
    );
    fx.run_ok(&[]);
    let p = fx.latest();
    assert_eq!(
        column(&p, "dropped"),
        expect(&[("exact", 1), ("less", 0), ("more", 1)])
    );
    assert_eq!(
        column(&p, "root_orders"),
        expect(&[("exact", 4.0), ("less", 3.0), ("more", 0.0)])
    );
}

/// Sales summed by SQL from orders of 100.10 and 150.20 are 250.29999999999998, which the
/// rules' `==` calls 250.3: ranked, the two tie too (the best position of their tie), and
/// the customer with two orders is not pushed out of the top 20%.
#[test]
fn sums_the_rules_call_equal_tie_in_the_ranking() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, sales REAL",
        &[
            vec![text("two-orders"), real(100.1 + 150.2)],
            vec![text("one-order"), real(250.3)],
            vec![text("c"), real(100.0)],
            vec![text("d"), real(50.0)],
            vec![text("e"), real(10.0)],
            vec![text("f"), real(5.0)],
            vec![text("g"), real(4.0)],
            vec![text("h"), real(3.0)],
            vec![text("i"), real(2.0)],
            vec![text("j"), real(1.0)],
        ],
    );
    fx.rule(
        "tiers.yaml",
        "population:\n  sales_pct: { percentile_of: sales }\n  sales_tile: { ntile_of: sales, n: 5 }\ndecisions:\n  - name: tier\n    rules:\n      - { id: a, when: sales_pct >= 0.8, then: { tier: A } }\n      - { id: b, then: { tier: B } }\n  - name: tile\n    output: tile\n    rules:\n      - { id: tile, value: '= sales_tile' }\n",
    );
    fx.run_ok(&[]);
    let p = fx.latest();
    assert_eq!(column(&p, "tier")["two-orders"], text("A"));
    assert_eq!(column(&p, "tier")["one-order"], text("A"));
    assert_eq!(column(&p, "tier")["c"], text("B"));
    assert_eq!(
        column(&p, "tile")["two-orders"],
        column(&p, "tile")["one-order"]
    );
}

#[test]
fn binary_data_is_an_error_naming_the_customer_and_column_never_a_silent_null() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, annual_sales REAL, note",
        &[
            vec![text("C1"), real(10.0), text("ok")],
            vec![
                text("C2"),
                real(20.0),
                rusqlite::types::Value::Blob(vec![0, 159, 146, 150]),
            ],
        ],
    );
    fx.rule(
        "notes.yaml",
        "decisions:\n  - name: noted\n    output: noted\n    rules:\n      - { id: noted, value: '= note ?? \"none\"' }\n",
    );
    let run = fx.run(&["run"]);
    run.assert_code(1);
    run.assert_stderr_contains(
        "customer C2: column `note` holds binary data (a BLOB), which rules cannot read",
    );
    // Nothing written but the failed run's record, with its error.
    assert_eq!(fx.policy_row_count(), 0);
    let runs = fx.runs();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].status, "failed");
    assert!(
        runs[0]
            .message
            .as_deref()
            .unwrap_or_default()
            .contains("holds binary data"),
        "{runs:?}"
    );

    let ids = Fixture::new();
    ids.customers(
        "customer_id, annual_sales REAL",
        &[
            vec![text("C1"), real(10.0)],
            vec![rusqlite::types::Value::Blob(vec![1, 2]), real(20.0)],
        ],
    );
    ids.rule(
        "t.yaml",
        "decisions:\n  - name: tier\n    rules:\n      - { id: all, then: { tier: A } }\n",
    );
    let run = ids.run(&["run"]);
    run.assert_code(1);
    run.assert_stderr_contains(
        "customer number 2 (in source order) has binary data (a BLOB) as its id in column `customer_id`",
    );
}
