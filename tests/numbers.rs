//! The number model on the real binary: decimals compare within a part in 10^12 of the
//! larger (an exact 30% drop or 25% growth in money is one, however written), and numbers are numbers (`sqrt` of a whole-number
//! column).

mod common;

use common::*;

/// A log-size factor of a firm with no turnover: `ln(turnover) < 16` was false for
/// `ln(0)` (minus infinity compared with nothing), so the firm was "large"; an overflow
/// `r * 1e10 > 1e308` was false too (the model-risk validator's F01). An infinity
/// compares as it is.
#[test]
fn an_infinity_in_a_condition_compares_as_it_is() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT, turnover REAL, r REAL",
        &[
            vec![text("Z0"), real(0.0), real(1.0)],
            vec![text("Z3"), real(2e7), real(1e300)],
        ],
    );
    fx.rule(
        "r.yaml",
        "decisions:\n  - name: size\n    rules:\n      - { id: small, when: ln(turnover) < 16, then: { size: small } }\n      - { id: large, then: { size: large } }\n  - name: huge\n    rules:\n      - { id: huge, when: r * 1e10 > 1e308, then: { huge: true } }\n      - { id: not-huge, then: { huge: false } }\n",
    );
    fx.run_ok(&[]);
    let latest = fx.latest();
    assert_eq!(
        column(&latest, "size"),
        expect(&[("Z0", "small"), ("Z3", "large")])
    );
    assert_eq!(column(&latest, "huge")["Z0"], int(0));
    assert_eq!(column(&latest, "huge")["Z3"], int(1));
}

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

/// Exact growth and drop to the cent, computed the ways a controller writes them: one
/// customer in nine of these missed `sales / sales_ly - 1 >= 0.25` (0.2499999999999998,
/// several ulps under) under the old one-epsilon tolerance, and a range band from 0.25 too.
/// A cent less is still below.
#[test]
fn exact_growth_and_drops_to_the_cent_land_on_their_boundary_however_written() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, sales_ly REAL, sales REAL",
        &[
            vec![text("g1"), real(47_793.48), real(59_741.85)],
            vec![text("g2"), real(93_521.52), real(116_901.90)],
            vec![text("g3"), real(84_229.60), real(105_287.00)],
            vec![text("g1-cent-less"), real(47_793.48), real(59_741.84)],
            vec![text("d0"), real(18_226.60), real(12_758.62)],
            vec![text("d1"), real(19_164.10), real(13_414.87)],
            vec![text("d0-cent-more"), real(18_226.60), real(12_758.63)],
        ],
    );
    fx.rule(
        "growth.yaml",
        "metrics:\n  growth: sales / sales_ly - 1\ndecisions:\n  - name: ratio\n    output: ratio\n    rules:\n      - { id: ratio-25, when: 'sales / sales_ly - 1 >= 0.25', value: true }\n      - { id: ratio-no, value: false }\n  - name: diff\n    output: diff\n    rules:\n      - { id: diff-25, when: '(sales - sales_ly) / sales_ly >= 0.25', value: true }\n      - { id: diff-no, value: false }\n  - name: drop\n    output: drop\n    rules:\n      - { id: drop-30, when: '(sales_ly - sales) / sales_ly >= 0.30', value: true }\n      - { id: drop-no, value: false }\n  - name: band\n    output: band\n    scale:\n      of: growth\n      bands:\n        - { id: band-down, below: -0.3, value: down }\n        - { id: band-flat, from: -0.3, below: 0.25, value: flat }\n        - { id: band-up, from: 0.25, value: up }\n",
    );
    fx.run_ok(&[]);
    let p = fx.latest();
    let grew = [("g1", 1), ("g2", 1), ("g3", 1), ("g1-cent-less", 0)];
    let none = [("d0", 0), ("d1", 0), ("d0-cent-more", 0)];
    let all: Vec<(&str, i32)> = grew.iter().chain(&none).copied().collect();
    assert_eq!(column(&p, "ratio"), expect(&all));
    assert_eq!(column(&p, "diff"), expect(&all));
    assert_eq!(
        column(&p, "drop"),
        expect(&[
            ("g1", 0),
            ("g2", 0),
            ("g3", 0),
            ("g1-cent-less", 0),
            ("d0", 1),
            ("d1", 1),
            ("d0-cent-more", 0)
        ])
    );
    assert_eq!(
        column(&p, "band"),
        expect(&[
            ("g1", "up"),
            ("g2", "up"),
            ("g3", "up"),
            ("g1-cent-less", "flat"),
            ("d0", "flat"),
            ("d1", "flat"),
            ("d0-cent-more", "flat")
        ])
    );
    // `explain` shows the value as the rules compare it: 0.2499999999999998 beside
    // `>= 0.25: yes` read as a contradiction.
    let explain = fx.run(&["explain", "g1"]);
    explain.assert_code(0);
    assert!(
        explain.stdout.contains("  growth  0.25\n"),
        "{}",
        explain.stdout
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

/// Shares of a book with credit notes: the total was a plain running sum, 1e16 + 2,000 x
/// 1.5 - 1e16 gave 4,000 (every share 25% low), and a total that netted to 0 left every
/// share NULL while `explain` called the customers "not ranked". Whole numbers (amounts in
/// cents) tie only when equal.
#[test]
fn shares_of_netted_amounts_are_of_the_exact_total_and_whole_numbers_tie_only_when_equal() {
    let fx = Fixture::new();
    let mut rows = vec![
        vec![text("big"), real(1e16), int(1_500_000_000_000)],
        vec![text("credit"), real(-1e16), int(1_500_000_000_001)],
    ];
    for k in 0..2000 {
        rows.push(vec![text(&format!("s{k:04}")), real(1.5), int(k)]);
    }
    fx.customers(
        "customer_id TEXT PRIMARY KEY, sales REAL, cents INTEGER",
        &rows,
    );
    fx.rule(
        "shares.yaml",
        "population:\n  share: { share_of: sales }\n  cents_rank: { rank_of: cents }\ndecisions:\n  - name: out\n    rules:\n      - { id: out, then: { s: '= share', r: '= cents_rank' } }\n",
    );
    fx.run_ok(&[]);
    let p = fx.latest();
    assert_eq!(column(&p, "s")["s0000"], real(1.5 / 3000.0));
    assert_eq!(column(&p, "r")["credit"], real(1.0));
    assert_eq!(column(&p, "r")["big"], real(2.0));

    fx.customers(
        "customer_id TEXT PRIMARY KEY, sales REAL, cents INTEGER",
        &[
            vec![text("z1"), real(5.0), int(1)],
            vec![text("z2"), real(-5.0), int(2)],
        ],
    );
    let explain = fx.run(&["explain", "z1"]);
    explain.assert_code(0);
    assert!(
        explain
            .stdout
            .contains("no figure: the total of `sales` over the ranked customers is 0"),
        "{}",
        explain.stdout
    );
}

/// A 13-digit code stored as a decimal (an EAN read from a CSV into a REAL column) was
/// equal to its neighbours under the part-in-10^12 tolerance: eight products got one
/// product's promotion. Whole numbers compare exactly.
#[test]
fn whole_numbers_stored_as_decimals_compare_exactly() {
    let fx = Fixture::new();
    let rows: Vec<_> = (0..8)
        .map(|k| vec![text(&format!("C{k}")), real(5_901_234_123_450.0 + k as f64)])
        .collect();
    fx.customers("customer_id TEXT PRIMARY KEY, ean REAL", &rows);
    fx.rule(
        "promo.yaml",
        "decisions:\n  - name: promo\n    output: promo\n    rules:\n      - { id: p, when: ean == 5901234123454, value: true }\n      - { id: n, value: false }\n",
    );
    fx.run_ok(&[]);
    let promo = column(&fx.latest(), "promo");
    let on: Vec<&String> = promo
        .iter()
        .filter(|(_, v)| **v == int(1))
        .map(|(k, _)| k)
        .collect();
    assert_eq!(on, ["C4"]);
}

/// `round:` of large amounts (credit limits in IDR or VND): half a step is no binary noise
/// however large the amount. `down` gave 1,000,000,000,000,001 for 1,000,000,000,000,000.5
/// and 99,999,999,999,999.98 for 100,000,000,000,000 to the cent.
#[test]
fn large_amounts_round_down_to_at_most_the_amount() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, amount REAL",
        &[
            vec![text("half"), real(1e15 + 0.5)],
            vec![text("three-quarters"), real(3e14 + 0.75)],
            vec![text("multiple"), real(1e14)],
            vec![text("cents"), real(10_000_000_000_000.008)],
        ],
    );
    fx.rule(
        "limits.yaml",
        "decisions:\n  - name: whole\n    output: whole\n    round: { down: 1 }\n    rules:\n      - { id: whole, value: '= amount' }\n  - name: cent\n    output: cent\n    round: { down: 0.01 }\n    rules:\n      - { id: cent, value: '= amount' }\n",
    );
    fx.run_ok(&[]);
    let p = fx.latest();
    assert_eq!(
        column(&p, "whole"),
        expect(&[
            ("half", 1_000_000_000_000_000i64),
            ("three-quarters", 300_000_000_000_000),
            ("multiple", 100_000_000_000_000),
            ("cents", 10_000_000_000_000),
        ])
    );
    assert_eq!(
        column(&p, "cent"),
        expect(&[
            ("half", 1e15 + 0.5),
            ("three-quarters", 3e14 + 0.75),
            ("multiple", 1e14),
            ("cents", 1e13),
        ])
    );
}

/// A money total of half cents (1.005 and -1.005 in amounts the rules never rounded) was
/// printed and recorded as 1.00 (binary holds 1.005 as 1.00499999...), where
/// `round: { nearest: 0.01 }` of the same amount gives 1.01: totals round as it does.
#[test]
fn money_totals_round_half_cents_as_round_nearest_does() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, amount REAL",
        &[
            vec![text("C1"), real(1.005)],
            vec![text("C2"), real(-1.005)],
        ],
    );
    fx.rule(
        "totals.yaml",
        "decisions:\n  - name: pay\n    output: pay\n    rules:\n      - { id: p, value: '= amount' }\nsummary:\n  totals:\n    up: '= if amount > 0 { pay } else { 0 }'\n    down: '= if amount < 0 { pay } else { 0 }'\n  money: [up, down]\n",
    );
    let run = fx.run_ok(&["--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        report["totals"]["up"],
        serde_json::json!(1.01),
        "{}",
        run.stdout
    );
    assert_eq!(
        report["totals"]["down"],
        serde_json::json!(-1.01),
        "{}",
        run.stdout
    );
}

/// A concession amount on a large account, 4,217,116.60 x 7.5% = 316,283.745 (binary
/// 316283.74499999994), rounded `nearest: 0.01` to 316,283.74 where the spreadsheet and the
/// README give .75; and so did the money total of such amounts.
#[test]
fn a_rate_of_a_large_amount_rounds_its_half_cent_up() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, annual_sales REAL, pct REAL",
        &[
            vec![text("H1"), real(4_217_116.6), real(7.5)],
            vec![text("H2"), real(1_078_315.4), real(7.5)],
        ],
    );
    fx.rule(
        "c.yaml",
        "decisions:\n  - name: c\n    output: amount\n    round: { nearest: 0.01 }\n    rules:\n      - { id: c, value: '= annual_sales * pct / 100' }\nsummary:\n  totals:\n    unrounded: '= if annual_sales > 2000000 { annual_sales * pct / 100 } else { 0 }'\n  money: [unrounded]\n",
    );
    let run = fx.run_ok(&["--format", "json"]);
    let stored = |id: &str| -> f64 {
        fx.conn()
            .query_row(
                "SELECT amount FROM customer_policy WHERE customer_id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_eq!(stored("H1"), 316_283.75);
    assert_eq!(stored("H2"), 80_873.66);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        report["totals"]["unrounded"],
        serde_json::json!(316_283.75),
        "{}",
        run.stdout
    );
}

/// One decimal in an INTEGER column (two ERP exports merged) made every whole number in it
/// decimal: account numbers beyond 2^53 changed by one or two, keys read `CRM-1001.0`, and a
/// decimal customer id made every id decimal, so no customer found last month's run. Each
/// value keeps its kind.
#[test]
fn a_decimal_among_whole_numbers_leaves_the_whole_numbers_whole() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id INTEGER NOT NULL, acct INTEGER",
        &[
            vec![int(1), int(9_007_199_338_345_443)],
            vec![int(2), int(1001)],
            vec![int(3), real(1003.5)],
        ],
    );
    fx.rule(
        "k.yaml",
        "decisions:\n  - name: k\n    outputs: [acct_out, crm_key, streak]\n    rules:\n      - { id: k, then: { acct_out: '= acct', crm_key: '= `CRM-${acct}`', streak: '= (previous.streak ?? 0) + 1' } }\n",
    );
    fx.run_ok(&["--as-of", "2026-10-31"]);
    // A decimal id arrives with next month's export.
    fx.conn()
        .execute("INSERT INTO customers VALUES (4.5, 7)", [])
        .unwrap();
    fx.run_ok(&["--as-of", "2026-11-30"]);
    let latest = fx.latest();
    let keys = column(&latest, "crm_key");
    assert_eq!(key(&keys["1"]), "CRM-9007199338345443", "{keys:?}");
    assert_eq!(key(&keys["2"]), "CRM-1001", "{keys:?}");
    assert_eq!(key(&keys["3"]), "CRM-1003.5", "{keys:?}");
    let stored: i64 = fx
        .conn()
        .query_row(
            "SELECT acct_out FROM customer_policy_latest WHERE customer_id = 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stored, 9_007_199_338_345_443);
    let streak = column(&latest, "streak");
    assert_eq!(key(&streak["1"]), "2", "{streak:?}");
    assert_eq!(key(&streak["4.5"]), "1", "{streak:?}");
}

/// A money total that overflows printed `EUR inf.00` and went to JSON as `null` without a
/// word: the text says it is no finite number.
#[test]
fn a_money_total_that_overflows_says_so() {
    let fx = Fixture::new();
    fx.sales_customers(&[1e308, 1e308]);
    fx.rule(
        "t.yaml",
        "decisions:\n  - name: t\n    output: t\n    rules:\n      - { id: t, value: 1 }\nsummary:\n  totals:\n    big: '= annual_sales'\n  money: [big]\n",
    );
    let run = fx.run_ok(&[]);
    assert!(!run.stdout.contains("inf.00"), "{}", run.stdout);
    assert!(
        run.stdout.contains("not a finite number (an overflow)"),
        "{}",
        run.stdout
    );
}

/// A DECIMAL money column with some whole amounts (5.00, 7.50, 6.00 stored 5, 7.5, 6) is a
/// column of decimals to the load checks: a whole-number `switch` on a metric over it is
/// refused as for a REAL column (C2's 15.0 went to `_` without a word); and ids 2 and 2.0
/// are one id twice, refused as such (the run said the database was damaged).
#[test]
fn whole_amounts_among_decimals_keep_the_decimal_checks() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, amt DECIMAL(10,2)",
        &[
            vec![text("C1"), int(5)],
            vec![text("C2"), real(7.5)],
            vec![text("C3"), int(6)],
        ],
    );
    fx.rule(
        "t.yaml",
        "metrics:\n  m: amt * 2\ndecisions:\n  - name: t\n    output: band\n    rules:\n      - { id: a, value: '= switch m { 10 => \"ten\", 15 => \"fifteen\", _ => \"other\" }' }\n",
    );
    let run = fx.run(&["run"]);
    run.assert_code(2);
    assert!(run.stderr.contains("is read as decimals"), "{}", run.stderr);

    let fx = Fixture::new();
    fx.customers(
        "customer_id NOT NULL, sales REAL",
        &[
            vec![int(1), real(10.0)],
            vec![int(2), real(20.0)],
            vec![real(2.0), real(30.0)],
        ],
    );
    fx.rule(
        "r.yaml",
        "decisions:\n  - name: d\n    output: o\n    rules:\n      - { id: o, value: 1 }\n",
    );
    let run = fx.run(&["run"]);
    assert!(
        run.stderr.contains("customer id 2 appears more than once"),
        "{}",
        run.stderr
    );
}
