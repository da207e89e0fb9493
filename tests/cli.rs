//! End-to-end tests of the `tierwise` binary: every test writes its own config, rules and
//! SQLite customers into a temporary directory, runs the real binary and checks exactly what
//! it wrote.

mod common;

use common::*;
use rusqlite::types::Value;
use std::collections::BTreeMap;

/// Percentile ranking of annual sales and the ABC tier table of the default rule set.
const TIER_RULES: &str = r#"population:
  sales_rank:
    percentile_of: annual_sales

decisions:
  - name: tier
    rules:
      - id: tier-a
        when: sales_rank >= 0.8
        then: { tier: A }
      - id: tier-b
        when: sales_rank >= 0.4
        then: { tier: B }
      - id: tier-c
        then: { tier: C }
"#;

fn tiers_for_sales(sales: &[f64]) -> BTreeMap<String, Value> {
    let fx = Fixture::new();
    fx.sales_customers(sales);
    fx.rule("tiers.yaml", TIER_RULES);
    fx.run_ok(&[]);
    column(&fx.latest(), "tier")
}

// 1. Percentile boundaries --------------------------------------------------------------

#[test]
fn percentile_tiers_of_ten_customers_split_2_4_4() {
    let sales: Vec<f64> = (1..=10).map(f64::from).collect();
    // Customer i has sales i.
    let expected = tiers_by_id(10, |i| match i {
        9..=10 => "A",
        5..=8 => "B",
        _ => "C",
    });
    assert_eq!(tiers_for_sales(&sales), expected);
}

#[test]
fn percentile_tiers_of_five_customers_split_1_2_2() {
    // Sales in reverse id order, so the result does not depend on source order.
    let sales: Vec<f64> = (1..=5).rev().map(f64::from).collect();
    // id 1 has sales 5 (percentile 0.8), id 2 sales 4 (0.6), id 3 sales 3 (0.4),
    // id 4 sales 2 (0.2), id 5 sales 1 (0.0).
    let expected = tiers_by_id(5, |i| match i {
        1 => "A",
        2..=3 => "B",
        _ => "C",
    });
    assert_eq!(tiers_for_sales(&sales), expected);
}

#[test]
fn percentile_tiers_of_a_hundred_customers_split_20_40_40() {
    let sales: Vec<f64> = (1..=100).map(|i| f64::from(i) * 1000.0).collect();
    let tiers = tiers_for_sales(&sales);
    let expected = tiers_by_id(100, |i| match i {
        81..=100 => "A",
        41..=80 => "B",
        _ => "C",
    });
    assert_eq!(tiers, expected);
    let count = |t: &str| tiers.values().filter(|v| **v == text(t)).count();
    assert_eq!((count("A"), count("B"), count("C")), (20, 40, 40));
}

#[test]
fn percentile_tiers_of_eleven_customers_put_the_straddling_customer_up() {
    // 20% of 11 is 2.2 customers: the third largest (id 9) has 2 customers above it, fewer
    // than 2.2, so it is A. 60% of 11 is 6.6: the seventh largest (id 5, 6 above) is B.
    let sales: Vec<f64> = (1..=11).map(f64::from).collect();
    let expected = tiers_by_id(11, |i| match i {
        9..=11 => "A",
        5..=8 => "B",
        _ => "C",
    });
    assert_eq!(tiers_for_sales(&sales), expected);
}

#[test]
fn the_straddling_customer_of_23502_goes_up() {
    // "Top 20% are A" on 23,502 ranked customers is 4,700.4 customers: the customer at
    // position 4,701 has 4,700 above it, fewer than 4,700.4, and is A; position 4,702 is B.
    let n = 23_502;
    let sales: Vec<f64> = (1..=n).rev().map(f64::from).collect();
    let tiers = tiers_for_sales(&sales);
    assert_eq!(tiers["4701"], text("A"));
    assert_eq!(tiers["4702"], text("B"));
    let count = |t: &str| tiers.values().filter(|v| **v == text(t)).count();
    // B: fewer than 60% of 23,502 (14,101.2) above, so positions up to 14,102.
    assert_eq!((count("A"), count("B"), count("C")), (4_701, 9_401, 9_400));
}

// 2. Ties ---------------------------------------------------------------------------

#[test]
fn tie_at_the_a_boundary_goes_to_the_higher_tier() {
    // Ids 1..10; ids 8 and 9 both have sales 8. Their percentile is 0.8 (highest position
    // of the tie), so both are A, not one A and one B.
    let tiers = tiers_for_sales(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 8.0, 10.0]);
    assert_eq!(tiers["8"], text("A"));
    assert_eq!(tiers["9"], text("A"));
    let expected = tiers_by_id(10, |i| match i {
        8..=10 => "A",
        5..=7 => "B",
        _ => "C",
    });
    assert_eq!(tiers, expected);
}

#[test]
fn tie_at_the_b_boundary_goes_to_the_higher_tier() {
    // Ids 4 and 5 both have sales 4: percentile 0.4 for both, so both are B.
    let tiers = tiers_for_sales(&[1.0, 2.0, 3.0, 4.0, 4.0, 6.0, 7.0, 8.0, 9.0, 10.0]);
    assert_eq!(tiers["4"], text("B"));
    assert_eq!(tiers["5"], text("B"));
    let expected = tiers_by_id(10, |i| match i {
        9..=10 => "A",
        4..=8 => "B",
        _ => "C",
    });
    assert_eq!(tiers, expected);
}

// 3. NULL and zero --------------------------------------------------------------------

const NULL_RULES: &str = r#"population:
  sales_rank:
    percentile_of: annual_sales
    where: annual_sales > 0

decisions:
  - name: tier
    rules:
      - id: tier-dormant
        when: is_null(sales_rank)
        then: { tier: dormant }
      - id: tier-a
        when: sales_rank >= 0.8
        then: { tier: A }
      - id: tier-b
        when: sales_rank >= 0.4
        then: { tier: B }
      - id: tier-c
        then: { tier: C }

  - name: rank_copy
    rules:
      - { id: rank-copy, then: { rank_value: "= sales_rank" } }

  - name: overdue
    rules:
      - { id: overdue-yes, when: "overdue_days > 60", then: { overdue: "yes" } }
      - { id: overdue-no, then: { overdue: "no" } }
"#;

fn null_fixture() -> Fixture {
    let fx = Fixture::new();
    // Five ranked customers (sales 1..5), one with NULL sales, one with 0 sales.
    let rows = vec![
        vec![text("c1"), real(1.0), int(0)],
        vec![text("c2"), real(2.0), int(61)],
        vec![text("c3"), real(3.0), int(60)],
        vec![text("c4"), real(4.0), null()],
        vec![text("c5"), real(5.0), int(90)],
        vec![text("c-null"), null(), null()],
        vec![text("c-zero"), real(0.0), int(10)],
    ];
    fx.customers(
        "customer_id TEXT PRIMARY KEY, annual_sales REAL, overdue_days INTEGER",
        &rows,
    );
    fx
}

#[test]
fn null_and_zero_sales_are_not_ranked_and_become_dormant() {
    let fx = null_fixture();
    fx.rule("rules.yaml", NULL_RULES);
    fx.run_ok(&[]);
    let p = fx.latest();
    // Ranked over the 5 customers with sales > 0 only: just under count(<= v) / 5.
    assert_eq!(
        column(&p, "rank_value"),
        expect(&[
            (
                "c1",
                real(0.2f64 * (1.0 - 4.0 * tierwise::value::SAME_WITHIN))
            ),
            (
                "c2",
                real(0.4f64 * (1.0 - 4.0 * tierwise::value::SAME_WITHIN))
            ),
            (
                "c3",
                real(0.6f64 * (1.0 - 4.0 * tierwise::value::SAME_WITHIN))
            ),
            (
                "c4",
                real(0.8f64 * (1.0 - 4.0 * tierwise::value::SAME_WITHIN))
            ),
            (
                "c5",
                real(1.0f64 * (1.0 - 4.0 * tierwise::value::SAME_WITHIN))
            ),
            ("c-null", null()),
            ("c-zero", null()),
        ])
    );
    assert_eq!(
        column(&p, "tier"),
        expect(&[
            ("c1", "C"),
            ("c2", "C"),
            ("c3", "B"),
            ("c4", "B"),
            ("c5", "A"),
            ("c-null", "dormant"),
            ("c-zero", "dormant"),
        ])
    );
    assert_eq!(
        p["c-null"]["rule_ids"],
        text(r#"["tier-dormant","rank-copy","overdue-no"]"#)
    );
}

#[test]
fn ordering_comparison_with_null_is_false_not_an_error() {
    let fx = null_fixture();
    fx.rule("rules.yaml", NULL_RULES);
    fx.run_ok(&[]);
    // `overdue_days > 60`: 61 and 90 yes; 60, 0, 10 no; NULL (c4, c-null) no.
    assert_eq!(
        column(&fx.latest(), "overdue"),
        expect(&[
            ("c1", "no"),
            ("c2", "yes"),
            ("c3", "no"),
            ("c4", "no"),
            ("c5", "yes"),
            ("c-null", "no"),
            ("c-zero", "no"),
        ])
    );
}

#[test]
fn arithmetic_on_null_fails_the_run_naming_customer_and_rule() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, overdue_days INTEGER",
        &[
            vec![text("cust-ok"), int(10)],
            vec![text("cust-null-od"), null()],
            vec![text("cust-ok2"), int(20)],
        ],
    );
    fx.rule(
        "rules.yaml",
        r#"decisions:
  - name: penalty
    output: penalty
    rules:
      - { id: penalty-double, value: "= overdue_days * 2" }
"#,
    );
    let run = fx.run(&["run"]);
    run.assert_code(1)
        .assert_stderr_contains("cust-null-od")
        .assert_stderr_contains("penalty-double");
    assert!(
        !run.stderr.contains("cust-ok"),
        "only the failing customer is named:\n{}",
        run.stderr
    );
    assert_eq!(fx.policy_row_count(), 0);
}

// 4. collect: sum, caps, max, list ------------------------------------------------------

const COLLECT_RULES: &str = r#"decisions:
  - name: discount
    hit: collect
    aggregate: sum
    output: discount
    cap: { min: 0, max: 8 }
    rules:
      - { id: disc-five, when: "f5 == 1", value: 5 }
      - { id: disc-three, when: "f3 == 1", value: 3 }
      - { id: disc-two, when: "f2 == 1", value: 2 }
      - { id: disc-none, when: "blocked == 1", value: -100 }

  - name: points
    hit: collect
    aggregate: sum
    output: points
    rules:
      - { id: pts-five, when: "f5 == 1", value: 5 }
      - { id: pts-three, when: "f3 == 1", value: 3 }
      - { id: pts-two, when: "f2 == 1", value: 2 }

  - name: best
    hit: collect
    aggregate: max
    output: best
    rules:
      - { id: best-five, when: "f5 == 1", value: 5 }
      - { id: best-nine, when: "f3 == 1", value: 9 }
      - { id: best-two, when: "f2 == 1", value: 2 }

  - name: notes
    hit: collect
    aggregate: list
    output: notes
    rules:
      - { id: note-z, when: "f2 == 1", value: "zulu" }
      - { id: note-a, when: "f5 == 1", value: "alpha" }
      - { id: note-m, when: "f3 == 1", value: "mike" }
"#;

fn collect_fixture() -> Fixture {
    let fx = Fixture::new();
    fx.customers(
        "customer_id INTEGER PRIMARY KEY, f5 INTEGER, f3 INTEGER, f2 INTEGER, blocked INTEGER",
        &[
            vec![int(1), int(1), int(1), int(1), int(0)], // 5 + 3 + 2 = 10 -> max 8
            vec![int(2), int(1), int(0), int(0), int(1)], // 5 - 100 -> min 0
            vec![int(3), int(0), int(1), int(0), int(0)], // 3, within the caps
            vec![int(4), int(0), int(0), int(0), int(0)], // nothing matches
        ],
    );
    fx.rule("collect.yaml", COLLECT_RULES);
    fx
}

#[test]
fn collect_sum_is_capped_at_max_and_records_the_cap() {
    let fx = collect_fixture();
    fx.run_ok(&[]);
    let p = fx.latest();
    assert_eq!(p["1"]["discount"], int(8));
    let ids: Vec<String> = serde_json::from_str(&key(&p["1"]["rule_ids"])).unwrap();
    assert!(ids.contains(&"discount.max".to_owned()), "{ids:?}");
    assert!(!ids.contains(&"discount.min".to_owned()), "{ids:?}");
    assert_eq!(
        &ids[..4],
        ["disc-five", "disc-three", "disc-two", "discount.max"]
    );
}

#[test]
fn collect_sum_is_floored_at_min_and_records_the_cap() {
    let fx = collect_fixture();
    fx.run_ok(&[]);
    let p = fx.latest();
    assert_eq!(p["2"]["discount"], int(0));
    let ids: Vec<String> = serde_json::from_str(&key(&p["2"]["rule_ids"])).unwrap();
    assert!(ids.contains(&"discount.min".to_owned()), "{ids:?}");
    assert!(!ids.contains(&"discount.max".to_owned()), "{ids:?}");
    assert_eq!(&ids[..3], ["disc-five", "disc-none", "discount.min"]);
    // Within the caps: no cap id.
    assert_eq!(p["3"]["discount"], int(3));
    let ids3: Vec<String> = serde_json::from_str(&key(&p["3"]["rule_ids"])).unwrap();
    assert!(
        !ids3.iter().any(|id| id.starts_with("discount.")),
        "{ids3:?}"
    );
}

#[test]
fn collect_sum_of_integers_stays_an_integer() {
    let fx = collect_fixture();
    fx.run_ok(&[]);
    let p = fx.latest();
    assert_eq!(
        column(&p, "points"),
        expect(&[("1", 10), ("2", 5), ("3", 3), ("4", 0)])
    );
    let types: Vec<String> = fx
        .conn()
        .prepare("SELECT DISTINCT typeof(points) FROM customer_policy")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(types, ["integer"]);
}

#[test]
fn collect_max_and_list_aggregates() {
    let fx = collect_fixture();
    fx.run_ok(&[]);
    let p = fx.latest();
    assert_eq!(
        column(&p, "best"),
        expect(&[("1", int(9)), ("2", int(5)), ("3", int(9)), ("4", null())])
    );
    // Values in row order (not alphabetical, not customer-column order).
    assert_eq!(
        column(&p, "notes"),
        expect(&[
            ("1", r#"["zulu","alpha","mike"]"#),
            ("2", r#"["alpha"]"#),
            ("3", r#"["mike"]"#),
            ("4", "[]"),
        ])
    );
    assert_eq!(
        p["1"]["rule_ids"],
        text(
            r#"["disc-five","disc-three","disc-two","discount.max","pts-five","pts-three","pts-two","best-five","best-nine","best-two","note-z","note-a","note-m"]"#
        )
    );
}

// 5. hit: unique --------------------------------------------------------------------------

#[test]
fn unique_hit_policy_conflict_fails_naming_both_rules_and_writes_nothing() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, annual_sales REAL",
        &[
            vec![text("small-1"), real(10.0)],
            vec![text("both-7"), real(150.0)],
            vec![text("large-2"), real(500.0)],
        ],
    );
    fx.rule(
        "rules.yaml",
        r#"decisions:
  - name: size
    hit: unique
    rules:
      - { id: size-small, when: "annual_sales < 200", then: { size: small } }
      - { id: size-mid, when: "annual_sales >= 100 && annual_sales < 300", then: { size: mid } }
      - { id: size-large, when: "annual_sales >= 300", then: { size: large } }
"#,
    );
    let run = fx.run(&["run"]);
    run.assert_code(1)
        .assert_stderr_contains("both-7")
        .assert_stderr_contains("`size-small`")
        .assert_stderr_contains("`size-mid`")
        .assert_stderr_contains("unique");
    assert_eq!(
        fx.policy_row_count(),
        0,
        "nothing of the failed run is kept"
    );
    let runs = fx.runs();
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0].status, "failed");
    assert_eq!(runs[0].customers, 0);
    let message = runs[0].message.clone().unwrap_or_default();
    assert!(message.contains("both-7"), "{message}");
}

// 6. Load errors with positions ---------------------------------------------------------------

#[test]
fn unknown_name_is_reported_at_its_position_with_a_suggestion() {
    let fx = Fixture::new();
    fx.sales_customers(&[1.0, 2.0]);
    let yaml = fx.rule(
        "tiers.yaml",
        r#"decisions:
  - name: tier
    rules:
      - { id: tier-a, when: "anual_sales > 5", then: { tier: A } }
      - id: tier-b
        when: anual_sales > 2
        then: { tier: B }
      - { id: tier-c, then: { tier: C } }
"#,
    );
    let run = fx.run(&["run"]);
    run.assert_code(2)
        .assert_stderr_contains("error: ")
        .assert_stderr_contains("unknown name `anual_sales`");

    // A quoted string in a flow mapping: the position is inside the quotes.
    let (line, col) = position_of(&yaml, "anual_sales", 0);
    assert_eq!((line, col), (4, 30));
    let block = run.diagnostic_at(&format!("rules/tiers.yaml:{line}:{col}"));
    assert!(block.contains("unknown name `anual_sales`"), "{block}");
    assert!(block.contains("did you mean `annual_sales`"), "{block}");

    // A plain scalar on its own `when:` line.
    let (line, col) = position_of(&yaml, "anual_sales", 1);
    assert_eq!((line, col), (6, 15));
    let block = run.diagnostic_at(&format!("rules/tiers.yaml:{line}:{col}"));
    assert!(block.contains("unknown name `anual_sales`"), "{block}");
    assert!(block.contains("did you mean `annual_sales`"), "{block}");
    assert_eq!(fx.policy_row_count(), 0);
}

#[test]
fn unknown_key_in_a_rule_file_is_reported_with_a_suggestion() {
    let fx = Fixture::new();
    fx.sales_customers(&[1.0, 2.0]);
    let yaml = fx.rule(
        "tiers.yaml",
        r#"decisions:
  - name: tier
    rules:
      - id: tier-a
        wehn: annual_sales > 5
        then: { tier: A }
      - { id: tier-c, then: { tier: C } }
"#,
    );
    let run = fx.run(&["run"]);
    run.assert_code(2).assert_stderr_contains("wehn");
    let (line, col) = position_of(&yaml, "wehn", 0);
    assert_eq!((line, col), (5, 9));
    let block = run.diagnostic_at(&format!("rules/tiers.yaml:{line}:{col}"));
    assert!(
        block.starts_with("error: ") || block.contains("\nerror: "),
        "{block}"
    );
    assert!(block.contains("did you mean `when`"), "{block}");
}

#[test]
fn an_output_named_like_a_column_of_the_customers_is_a_load_error_not_a_crash() {
    // The benchmark's rules (the shipped rules before time) over sample customers that
    // gained a `credit_limit` column: the decision `credit_limit` declares an output of that
    // name.
    let fx = Fixture::new();
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_dir(&repo.join("benches/rules"), &fx.path("rules"));
    fx.run(&["sample", "--customers", "50", "--out", "customers.db"])
        .assert_code(0);
    fx.conn()
        .execute_batch("ALTER TABLE customers ADD COLUMN credit_limit REAL")
        .unwrap();
    let credit = std::fs::read_to_string(fx.path("rules/credit.yaml")).unwrap();
    let (line, column) = position_of(&credit, "output: credit_limit", 0);
    let at = format!("rules/credit.yaml:{line}:{}", column + "output: ".len());
    let expected = [
        "error: `credit_limit` is both a column of the customer source and an output of decision `credit_limit` (in `credit_limit`)",
        "output: credit_limit\n",
        "^^^^^^^^^^^^\n",
        "= help: rename the output, or drop or rename the column, or select other columns with `customers.query`",
    ];

    let run = fx.run(&["run"]);
    run.assert_code(2);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    let block = run.diagnostic_at(&at);
    for part in expected {
        assert!(block.contains(part), "{part:?} not in:\n{block}");
    }
    assert!(
        run.stderr.contains("1 error in the rule files"),
        "{}",
        run.stderr
    );
    assert_eq!(fx.policy_row_count(), 0);

    let check = fx.run(&["check", "--data"]);
    check.assert_code(2);
    assert!(!check.stderr.contains("panicked"), "{}", check.stderr);
    let block = check
        .stdout
        .split("\n\n")
        .find(|b| b.contains(&format!("--> {at}\n")))
        .unwrap_or_else(|| panic!("no diagnostic at {at}:\n{}", check.stdout));
    for part in expected {
        assert!(block.contains(part), "{part:?} not in:\n{block}");
    }
}

// 7. A failed run keeps the previous results ---------------------------------------------------

#[test]
fn failed_run_leaves_previous_results_intact_and_is_recorded() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id INTEGER PRIMARY KEY, divisor INTEGER",
        &[
            vec![int(1), int(4)],
            vec![int(2), int(2)],
            vec![int(3), int(5)],
        ],
    );
    fx.rule(
        "ratio.yaml",
        r#"decisions:
  - name: ratio
    output: ratio
    rules:
      - { id: ratio-calc, value: "= 100 / divisor" }
"#,
    );
    fx.run_ok(&[]);
    let first = fx.policies_of(1);
    assert_eq!(
        column(&first, "ratio"),
        expect(&[("1", 25.0), ("2", 50.0), ("3", 20.0)])
    );

    // Customer 2 now divides by zero.
    fx.rule(
        "ratio.yaml",
        r#"decisions:
  - name: ratio
    output: ratio
    rules:
      - { id: ratio-calc, value: "= 100 / (divisor - 2)" }
"#,
    );
    let run = fx.run(&["run"]);
    run.assert_code(1)
        .assert_stderr_contains("customer 2")
        .assert_stderr_contains("ratio-calc")
        .assert_stderr_contains("division by zero");

    // customer_policy holds exactly run 1's rows, unchanged.
    assert_eq!(fx.policy_row_count(), 3);
    assert_eq!(fx.policies_of(1), first);
    assert_eq!(fx.policies_of(2), Policies::new());
    let runs = fx.runs();
    assert_eq!(runs.len(), 2, "{runs:?}");
    assert_eq!((runs[0].run_id, runs[0].status.as_str()), (1, "ok"));
    assert_eq!(runs[0].customers, 3);
    assert_eq!(runs[0].message, None);
    assert_eq!(runs[1].status, "failed");
    let message = runs[1].message.clone().unwrap_or_default();
    assert!(
        message.contains("ratio-calc") && message.contains("division by zero"),
        "{message}"
    );
    assert_eq!(fx.latest_ok_run(), 1);
}

#[test]
fn failure_after_the_first_chunk_was_written_rolls_the_whole_run_back() {
    // More customers than one evaluation chunk (65,536): the first chunk reaches the writer
    // before the last customer fails, and must be rolled back with the rest.
    const N: i64 = 70_000;
    let fx = Fixture::new();
    let rows: Vec<Vec<Value>> = (1..=N)
        .map(|i| vec![int(i), int(if i == N { 2 } else { 4 })])
        .collect();
    fx.customers("customer_id INTEGER PRIMARY KEY, divisor INTEGER", &rows);
    fx.rule(
        "ratio.yaml",
        r#"decisions:
  - name: ratio
    output: ratio
    rules:
      - { id: ratio-calc, value: "= 100 / divisor" }
"#,
    );
    fx.run_ok(&[]);
    assert_eq!(fx.policy_row_count(), N);
    fx.rule(
        "ratio.yaml",
        r#"decisions:
  - name: ratio
    output: ratio
    rules:
      - { id: ratio-calc, value: "= 100 / (divisor - 2)" }
"#,
    );
    fx.run(&["run"])
        .assert_code(1)
        .assert_stderr_contains(&format!("customer {N}"))
        .assert_stderr_contains("ratio-calc");
    let counts: Vec<(i64, i64)> = fx
        .conn()
        .prepare("SELECT run_id, COUNT(*) FROM customer_policy GROUP BY run_id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(counts, [(1, N)]);
    let runs = fx.runs();
    let statuses: Vec<&str> = runs.iter().map(|r| r.status.as_str()).collect();
    assert_eq!(statuses, ["ok", "failed"]);
}

// 8. Rules are read at run time ----------------------------------------------------------------

#[test]
fn changing_a_threshold_changes_the_next_run_without_rebuild() {
    let fx = Fixture::new();
    fx.sales_customers(&[30.0, 70.0, 120.0]);
    let rules = |threshold: u32| {
        format!(
            r#"decisions:
  - name: tier
    rules:
      - {{ id: tier-a, when: "annual_sales >= {threshold}", then: {{ tier: A }} }}
      - {{ id: tier-c, then: {{ tier: C }} }}
"#
        )
    };
    fx.rule("tiers.yaml", &rules(100));
    fx.run_ok(&[]);
    fx.rule("tiers.yaml", &rules(50));
    fx.run_ok(&[]);
    let (run1, run2) = (fx.policies_of(1), fx.policies_of(2));
    assert_eq!(run1["2"]["tier"], text("C"));
    assert_eq!(run2["2"]["tier"], text("A"));
    assert_eq!(
        column(&run1, "tier"),
        expect(&[("1", "C"), ("2", "C"), ("3", "A")])
    );
    assert_eq!(
        column(&run2, "tier"),
        expect(&[("1", "C"), ("2", "A"), ("3", "A")])
    );
    let runs = fx.runs();
    assert_eq!(runs.len(), 2);
    assert_ne!(
        runs[0].fingerprint, runs[1].fingerprint,
        "the rules changed, so the fingerprint must change"
    );
}

// 9. Output files and JSON summary -------------------------------------------------------------

const OUT_RULES: &str = r#"decisions:
  - name: tier
    rules:
      - { id: tier-a, when: "annual_sales >= 100", then: { tier: A } }
      - { id: tier-c, then: { tier: C } }
  - name: bonus
    output: bonus
    rules:
      - { id: bonus-a, when: 'tier == "A"', value: 2.5 }
      - { id: bonus-none, value: 0 }

summary:
  count_by: [tier]
"#;

fn out_fixture() -> Fixture {
    let fx = Fixture::new();
    fx.sales_customers(&[50.0, 150.0, 300.0]);
    fx.rule("rules.yaml", OUT_RULES);
    fx
}

#[test]
fn out_csv_writes_one_row_per_customer() {
    let fx = out_fixture();
    fx.run_ok(&["--out", "policies.csv"]);
    let csv = std::fs::read_to_string(fx.path("policies.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines,
        [
            "customer_id,tier,bonus,rule_ids",
            r#"1,C,0,"[""tier-c"",""bonus-none""]""#,
            r#"2,A,2.5,"[""tier-a"",""bonus-a""]""#,
            r#"3,A,2.5,"[""tier-a"",""bonus-a""]""#,
        ]
    );
}

/// `--out policies.xlsx`: a sheet Excel opens in any locale (a German Excel splits a CSV at
/// `;` and reads `2.5` as a date): numbers as numbers, true/false as booleans, dates as
/// dates, ids with leading zeros and text starting with `=` as text, NULL as an empty cell.
#[test]
fn out_xlsx_writes_typed_cells_excel_reads_as_written() {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT, name TEXT, annual_sales REAL",
        &[
            vec![text("007"), text("Müller GmbH"), real(150.0)],
            vec![text("=1+1"), text("=HYPERLINK(\"x\")"), real(50.0)],
            vec![text("C-3"), null(), null()],
        ],
    );
    fx.rule(
        "rules.yaml",
        r#"decisions:
  - name: tier
    rules:
      - { id: tier-a, when: "annual_sales >= 100", then: { tier: A, bonus: 2.5, vip: true } }
      - { id: tier-b, when: "annual_sales >= 10", then: { tier: B, bonus: 1, vip: false } }
      - { id: tier-none, then: { tier: null, bonus: null, vip: false } }
  - name: label
    output: label
    rules:
      - { id: label, value: '= name' }
  - name: reviewed
    output: reviewed
    rules:
      - { id: reviewed, value: '= as_of' }
"#,
    );
    fx.run_ok(&["--as-of", "2026-09-30", "--out", "policies.xlsx"]);
    let mut book: Xlsx<_> = open_workbook(fx.path("policies.xlsx")).unwrap();
    assert_eq!(book.sheet_names(), ["policy"]);
    let sheet = book.worksheet_range("policy").unwrap();
    let rows: Vec<Vec<Data>> = sheet.rows().map(<[Data]>::to_vec).collect();
    let s = |t: &str| Data::String(t.into());
    assert_eq!(
        rows[0],
        [
            "customer_id",
            "tier",
            "bonus",
            "vip",
            "label",
            "reviewed",
            "rule_ids"
        ]
        .map(s)
    );
    assert_eq!(rows.len(), 4);
    assert_eq!(
        rows[1][..5],
        [
            s("007"),
            s("A"),
            Data::Float(2.5),
            Data::Bool(true),
            s("Müller GmbH")
        ]
    );
    assert!(
        matches!(&rows[1][5], Data::DateTime(d) if d.as_f64() == 46295.0),
        "{:?}",
        rows[1][5]
    );
    assert_eq!(rows[1][6], s(r#"["tier-a","label","reviewed"]"#));
    assert_eq!(
        rows[2][..5],
        [
            s("=1+1"),
            s("B"),
            Data::Float(1.0),
            Data::Bool(false),
            s("=HYPERLINK(\"x\")")
        ]
    );
    assert_eq!(
        rows[3][..5],
        [
            s("C-3"),
            Data::Empty,
            Data::Empty,
            Data::Bool(false),
            Data::Empty
        ]
    );
    fx.run(&["run", "--out", "policies.xls"])
        .assert_code(2)
        .assert_stderr_contains("must end in .csv, .jsonl or .xlsx (Excel)");
    // A name in capitals is the same kind of file; a value longer than a cell holds is named.
    fx.conn()
        .execute(
            "UPDATE customers SET name = ?1 WHERE customer_id = 'C-3'",
            ["x".repeat(40_000)],
        )
        .unwrap();
    fx.run(&["run", "--out", "POLICIES.XLSX"])
        .assert_code(1)
        .assert_stderr_contains(
            "customer C-3, column `label`: String exceeds Excel's limit of 32,767 characters: write a .csv or .jsonl file",
        );
    assert!(!fx.path("POLICIES.XLSX").exists());
    // The Excel writer assembles its parts in TMPDIR: one that does not exist is named, the
    // last export stays, and no temp file of the failed run is left beside it.
    let before = std::fs::read(fx.path("policies.xlsx")).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tierwise"))
        .current_dir(fx.dir.path())
        .args(["--config", "config.yaml", "run", "--out", "policies.xlsx"])
        .env("TMPDIR", fx.path("no-such-folder"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("no-such-folder (No such file or directory (os error 2)): set TMPDIR to a folder it can write"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(fx.path("policies.xlsx")).unwrap(), before);
    let left = fx.names_in(".", |name| name.ends_with(".tmp"));
    assert!(left.is_empty(), "{left:?}");
}

/// Two runs exporting to one path (two configs, one export folder) shared one temp file:
/// one run's file held the other's rows, exit 0, and the other's were lost. Each writes a
/// temp file named by its process; one a `kill -9` left behind a day ago is removed by the
/// next run (a recent one may be a live run's in another container).
#[cfg(target_os = "linux")]
#[test]
fn each_run_writes_its_own_temp_file_and_a_dead_runs_is_removed() {
    let fx = out_fixture();
    // Above the largest process id Linux gives (4,194,304): no such process runs.
    let dead = fx.path(".policies.csv.4194999.tmp");
    std::fs::write(&dead, "half of a killed run's rows\n").unwrap();
    let day_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(25 * 3600);
    std::fs::File::options()
        .write(true)
        .open(&dead)
        .unwrap()
        .set_modified(day_ago)
        .unwrap();
    let recent = fx.path(".policies.csv.4194998.tmp");
    std::fs::write(&recent, "another container's live run\n").unwrap();
    let other = fx.path(".other.csv.4194999.tmp");
    std::fs::write(&other, "another export's\n").unwrap();
    fx.run_ok(&["--out", "policies.csv"]);
    assert!(!dead.exists(), "a dead run's temp file is removed");
    assert!(recent.exists(), "a recent one is left alone");
    assert!(other.exists(), "another file's temp files are left alone");
    let csv = std::fs::read_to_string(fx.path("policies.csv")).unwrap();
    assert!(csv.starts_with("customer_id,"), "{csv}");
}

/// `--out` through a symbolic link (the export a BI tool reads, linked from a dated folder)
/// replaced the link with a file of its own: the export kept last month's rows, exit 0. The
/// link's target is written, the link kept.
#[cfg(unix)]
#[test]
fn out_through_a_symbolic_link_writes_the_file_it_points_to() {
    let fx = out_fixture();
    std::fs::create_dir(fx.path("export")).unwrap();
    std::fs::write(fx.path("export/policies.csv"), "last month\n").unwrap();
    std::os::unix::fs::symlink("export/policies.csv", fx.path("latest.csv")).unwrap();
    fx.run_ok(&["--out", "latest.csv"]);
    let link = std::fs::symlink_metadata(fx.path("latest.csv")).unwrap();
    assert!(link.file_type().is_symlink(), "the link is kept");
    let csv = std::fs::read_to_string(fx.path("export/policies.csv")).unwrap();
    assert!(
        csv.starts_with("customer_id,tier,bonus,rule_ids\n"),
        "{csv}"
    );
    let temps = fx.names_in("export", |n| n.ends_with(".tmp"));
    assert!(temps.is_empty(), "{temps:?}");
    // A link to a file not there yet (the first month) makes that file.
    std::os::unix::fs::symlink("export/first.csv", fx.path("first.csv")).unwrap();
    fx.run_ok(&["--out", "first.csv"]);
    assert!(
        std::fs::symlink_metadata(fx.path("first.csv"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let csv = std::fs::read_to_string(fx.path("export/first.csv")).unwrap();
    assert!(
        csv.starts_with("customer_id,tier,bonus,rule_ids\n"),
        "{csv}"
    );
}

/// `--out` naming a folder failed only once the run was written (exit 1, the run official,
/// a `failed` record beside it): refused before any work, exit 2.
#[test]
fn out_naming_a_folder_is_refused_before_the_run() {
    let fx = out_fixture();
    std::fs::create_dir(fx.path("p.csv")).unwrap();
    let run = fx.run(&["run", "--out", "p.csv"]);
    run.assert_code(2);
    run.assert_stderr_contains(
        "--out p.csv: that is a folder; name a file in it (`p.csv/policies.csv`)",
    );
    assert!(!fx.has_policy_table(), "nothing written");
}

/// `--out` naming a device or a pipe (`/dev/full`): written beside it and renamed over it,
/// it was replaced by a file (as root, even a device). Refused before the run, exit 2.
#[cfg(unix)]
#[test]
fn out_naming_a_pipe_or_a_device_is_refused_before_the_run() {
    let fx = out_fixture();
    let made = std::process::Command::new("mkfifo")
        .arg(fx.path("pipe.csv"))
        .status()
        .unwrap();
    assert!(made.success());
    let run = fx.run(&["run", "--out", "pipe.csv"]);
    run.assert_code(2);
    run.assert_stderr_contains(
        "--out pipe.csv: it exists and is not a regular file (a folder, a device or a pipe): give the path of a file",
    );
    assert!(!fx.has_policy_table(), "nothing written");
    let pipe = std::fs::symlink_metadata(fx.path("pipe.csv")).unwrap();
    assert!(!pipe.is_file(), "the pipe is kept");
    fx.run(&["report", "--out", "pipe.csv"])
        .assert_code(2)
        .assert_stderr_contains("--out pipe.csv: it exists and is not a regular file");
}

/// A database file named `file:u.db` (a scheduler's naming) was read by SQLite as a URI
/// and not found: it is a file's name.
#[cfg(unix)]
#[test]
fn a_database_named_like_a_uri_is_a_file() {
    let fx = out_fixture();
    std::fs::copy(fx.db_path(), fx.path("file:u.db")).unwrap();
    fx.run_ok(&["--db", "file:u.db"]);
    let conn = rusqlite::Connection::open(fx.path("./file:u.db")).unwrap();
    let rows: i64 = conn
        .query_row("SELECT COUNT(*) FROM customer_policy", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 3);
}

/// NULL is an empty field, empty text a quoted empty one: a reader can tell them apart.
#[test]
fn out_csv_tells_null_from_empty_text() {
    let fx = Fixture::new();
    fx.sales_customers(&[50.0, 150.0]);
    fx.rule(
        "rules.yaml",
        "decisions:\n  - name: reason\n    rules:\n      - { id: big, when: 'annual_sales >= 100', then: { reason: '', since: null } }\n      - { id: small, then: { reason: small, since: null } }\n",
    );
    fx.run_ok(&["--out", "policies.csv"]);
    let csv = std::fs::read_to_string(fx.path("policies.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines,
        [
            "customer_id,reason,since,rule_ids",
            r#"1,small,,"[""small""]""#,
            r#"2,"",,"[""big""]""#,
        ]
    );
}

#[test]
fn out_jsonl_writes_one_object_per_customer() {
    let fx = out_fixture();
    fx.run_ok(&["--out", "policies.jsonl"]);
    let jsonl = std::fs::read_to_string(fx.path("policies.jsonl")).unwrap();
    let rows: Vec<serde_json::Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        rows,
        [
            serde_json::json!({"customer_id": 1, "tier": "C", "bonus": 0, "rule_ids": ["tier-c", "bonus-none"]}),
            serde_json::json!({"customer_id": 2, "tier": "A", "bonus": 2.5, "rule_ids": ["tier-a", "bonus-a"]}),
            serde_json::json!({"customer_id": 3, "tier": "A", "bonus": 2.5, "rule_ids": ["tier-a", "bonus-a"]}),
        ]
    );
}

#[test]
fn format_json_prints_the_run_summary_as_json() {
    let fx = out_fixture();
    let run = fx.run_ok(&["--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", run.stdout));
    assert_eq!(json["customers"], 3);
    assert_eq!(
        json["counts"],
        serde_json::json!({"tier": {"A": 2, "C": 1}})
    );
    assert_eq!(json["run_id"], 1);
}

// 10. The bundled sample -------------------------------------------------------------------------

#[test]
fn bundled_default_config_generates_sample_data_and_splits_tiers_20_40_40() {
    let dir = tempfile::tempdir().unwrap();
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_dir(&repo.join("config"), &dir.path().join("config"));
    copy_dir(&repo.join("rules"), &dir.path().join("rules"));
    let run = run_in(dir.path(), &["run", "--as-of", "2026-09-30"]);
    run.assert_code(0).assert_stderr_contains("data/sample.db");
    assert!(
        run.stderr.contains("generating") && run.stderr.contains("generated data/sample.db in "),
        "stderr should say it generates the sample, and how long that took:\n{}",
        run.stderr
    );
    let db = dir.path().join("data/sample.db");
    assert!(db.is_file());

    let conn = rusqlite::Connection::open(&db).unwrap();
    // The figures the rules saw: the configured query as of the run's date.
    let query = std::fs::read_to_string(repo.join("config/customers.sql")).unwrap();
    conn.execute_batch("CREATE TEMP TABLE seen (customer_id TEXT, annual_sales REAL)")
        .unwrap();
    conn.execute(
        &format!("INSERT INTO seen SELECT customer_id, annual_sales FROM ({query}\n)"),
        rusqlite::named_params! {
            ":as_of": "2026-09-30", ":period_start": "2026-07-01", ":period_end": "2026-09-30",
        },
    )
    .unwrap();
    let run_id: i64 = conn
        .query_row(
            "SELECT MAX(run_id) FROM policy_run WHERE status = 'ok'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT p.tier, COUNT(*), MIN(c.annual_sales), MAX(c.annual_sales)
             FROM customer_policy p JOIN seen c ON c.customer_id = p.customer_id
             WHERE p.run_id = ?1 AND p.tier IN ('A', 'B', 'C')
             GROUP BY p.tier ORDER BY p.tier",
        )
        .unwrap();
    let tiers: Vec<(String, i64, f64, f64)> = stmt
        .query_map([run_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let names: Vec<&str> = tiers.iter().map(|t| t.0.as_str()).collect();
    assert_eq!(names, ["A", "B", "C"]);
    let ranked: i64 = tiers.iter().map(|t| t.1).sum();
    for ((tier, count, _, _), share) in tiers.iter().zip([20.0, 40.0, 40.0]) {
        let pct = 100.0 * *count as f64 / ranked as f64;
        assert!(
            (pct - share).abs() <= 0.5,
            "tier {tier}: {pct:.2}% of ranked customers, expected {share}% ({tiers:?})"
        );
    }
    let (a, b, c) = (&tiers[0], &tiers[1], &tiers[2]);
    assert!(a.2 >= b.3, "min(A) {} < max(B) {}", a.2, b.3);
    assert!(b.2 >= c.3, "min(B) {} < max(C) {}", b.2, c.3);
}

#[test]
fn missing_database_given_with_db_is_an_error_and_is_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_dir(&repo.join("config"), &dir.path().join("config"));
    copy_dir(&repo.join("rules"), &dir.path().join("rules"));
    // The default config may generate *its* database, but never one given with --db.
    let run = run_in(dir.path(), &["run", "--db", "missing.db"]);
    assert!(
        run.code == 1 || run.code == 2,
        "exit code {}:\n{}",
        run.code,
        run.stderr
    );
    run.assert_stderr_contains("missing.db");
    assert!(
        !dir.path().join("missing.db").exists(),
        "missing.db was created"
    );
    assert!(
        !dir.path().join("data/sample.db").exists(),
        "the sample was generated although --db was given"
    );
}

// 11. Whole numbers and decimals ------------------------------------------------------------------

#[test]
fn integers_and_decimals_mix_in_comparisons_and_division_is_decimal() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id INTEGER PRIMARY KEY, annual_sales REAL, years INTEGER",
        &[
            vec![int(1), real(5.0), int(3)],
            vec![int(2), real(4.5), int(2)],
            vec![int(3), real(5.5), int(2)],
        ],
    );
    fx.rule(
        "mix.yaml",
        r#"decisions:
  - name: big
    rules:
      - { id: big-yes, when: "annual_sales >= 5", then: { big: "yes" } }
      - { id: big-no, then: { big: "no" } }
  - name: senior
    rules:
      - { id: senior-yes, when: "years >= 2.5", then: { senior: "yes" } }
      - { id: senior-no, then: { senior: "no" } }
  - name: half
    output: half
    rules:
      - { id: half-calc, value: "= 3 / 2" }
  - name: per_year
    output: per_year
    rules:
      - { id: per-year-calc, value: "= years / 4" }
"#,
    );
    fx.run_ok(&[]);
    let p = fx.latest();
    assert_eq!(
        column(&p, "big"),
        expect(&[("1", "yes"), ("2", "no"), ("3", "yes")])
    );
    assert_eq!(
        column(&p, "senior"),
        expect(&[("1", "yes"), ("2", "no"), ("3", "no")])
    );
    assert_eq!(
        column(&p, "half"),
        expect(&[("1", 1.5), ("2", 1.5), ("3", 1.5)])
    );
    assert_eq!(
        column(&p, "per_year"),
        expect(&[("1", 0.75), ("2", 0.5), ("3", 0.5)])
    );
}

// 12. Decision order ------------------------------------------------------------------------------

#[test]
fn decisions_run_in_dependency_order_not_file_order() {
    let fx = Fixture::new();
    fx.sales_customers(&[50.0, 150.0]);
    // b.yaml is read before c.yaml, but uses c.yaml's output `tier`.
    fx.rule(
        "b.yaml",
        r#"decisions:
  - name: discount
    output: discount
    rules:
      - { id: disc-a, when: 'tier == "A"', value: 5 }
      - { id: disc-other, value: 1 }
"#,
    );
    fx.rule(
        "c.yaml",
        r#"decisions:
  - name: tier
    rules:
      - { id: tier-a, when: "annual_sales >= 100", then: { tier: A } }
      - { id: tier-c, then: { tier: C } }
"#,
    );
    fx.run_ok(&[]);
    let p = fx.latest();
    assert_eq!(column(&p, "tier"), expect(&[("1", "C"), ("2", "A")]));
    assert_eq!(column(&p, "discount"), expect(&[("1", 1), ("2", 5)]));
    assert_eq!(p["2"]["rule_ids"], text(r#"["tier-a","disc-a"]"#));
}

#[test]
fn a_cycle_between_two_decisions_is_a_load_error_naming_both() {
    let fx = Fixture::new();
    fx.sales_customers(&[50.0, 150.0]);
    fx.rule(
        "cycle.yaml",
        r#"decisions:
  - name: alpha
    rules:
      - { id: alpha-1, when: 'beta_out == "x"', then: { alpha_out: "y" } }
      - { id: alpha-2, then: { alpha_out: "z" } }
  - name: beta
    rules:
      - { id: beta-1, when: 'alpha_out == "y"', then: { beta_out: "x" } }
      - { id: beta-2, then: { beta_out: "w" } }
"#,
    );
    let run = fx.run(&["run"]);
    run.assert_code(2)
        .assert_stderr_contains("cycle")
        .assert_stderr_contains("`alpha`")
        .assert_stderr_contains("`beta`");
    assert_eq!(fx.policy_row_count(), 0);
}

/// With `--format json`, a command that fails prints its error as JSON on stdout (and in
/// words on stderr): a program reading stdout got nothing before.
#[test]
fn an_error_is_json_on_stdout_when_json_is_asked_for() {
    let fx = Fixture::new();
    fx.sales_customers(&[1.0, 2.0]);
    fx.rule(
        "r.yaml",
        "decisions:\n  - name: d\n    output: o\n    rules:\n      - { id: r-x, value: '= annual_sales / (annual_sales - 1)' }\n",
    );
    let failed = fx.run(&["run", "--format", "json"]);
    failed.assert_code(1);
    let v: serde_json::Value = serde_json::from_str(&failed.stdout).unwrap();
    assert_eq!(v["error"]["kind"], "evaluation");
    assert_eq!(v["error"]["customer"], "1");
    assert_eq!(v["error"]["rule"], "rule `r-x`");
    // The id alone, for a program.
    assert_eq!(v["error"]["rule_id"], "r-x");
    assert_eq!(v["error"]["exit_code"], 1);
    assert!(
        failed
            .stderr
            .contains("error: customer 1: rule `r-x` failed")
    );
    fx.rule(
        "r.yaml",
        "decisions:\n  - name: d\n    output: o\n    rules:\n      - { id: r-x, value: '= anual_sales' }\n",
    );
    for args in [
        &["run", "--format", "json"][..],
        &["explain", "1", "--format", "json"],
    ] {
        let refused = fx.run(args);
        refused.assert_code(2);
        let v: serde_json::Value = serde_json::from_str(&refused.stdout).unwrap();
        assert_eq!(v["error"]["kind"], "rules", "{args:?}");
        assert_eq!(v["error"]["message"], "1 error in the rule files");
        let d = &v["error"]["diagnostics"][0];
        assert_eq!(
            (d["file"].as_str(), d["line"].as_u64()),
            (Some("rules/r.yaml"), Some(5))
        );
        assert_eq!(d["message"], "unknown name `anual_sales`");
    }
    // Text output: nothing on stdout.
    assert_eq!(fx.run(&["run"]).stdout, "");
    // A mistake in the config is the config's, not the rule files'.
    std::fs::write(
        fx.path("bad.yaml"),
        "database: customers.db\nrules: rules\nperiod: montly\n",
    )
    .unwrap();
    let config = run_in(
        fx.dir.path(),
        &["--config", "bad.yaml", "check", "--format", "json"],
    );
    config.assert_code(2);
    let v: serde_json::Value = serde_json::from_str(&config.stdout).unwrap();
    assert_eq!(
        (&v["error"]["kind"], &v["error"]["message"]),
        (&"config".into(), &"1 error in the config file".into())
    );
    // Arguments refused before any command runs (a script's computed date): JSON too.
    for (args, message) in [
        (
            &["run", "--as-of", "2026-02-30", "--format", "json"][..],
            "invalid value '2026-02-30' for '--as-of <DATE>': `2026-02-30` is not a date: 2026-02 has 28 days",
        ),
        (
            &["prune", "--format=json"],
            "the following required arguments were not provided: <--keep <KEEP>|--run <ID>>",
        ),
    ] {
        let refused = fx.run(args);
        refused.assert_code(2);
        let v: serde_json::Value = serde_json::from_str(&refused.stdout).unwrap();
        assert_eq!(v["error"]["kind"], "argument", "{args:?}");
        assert_eq!(v["error"]["message"], message);
        assert!(refused.stderr.starts_with("error: "), "{}", refused.stderr);
    }
    let text = fx.run(&["run", "--as-of", "2026-02-30"]);
    text.assert_code(2);
    assert_eq!(text.stdout, "");
}

/// `explain` says why a customer has no figure: its value is NULL, or it is outside
/// `where` (with the condition), not "NULL, or outside `where`" beside a value it shows.
#[test]
fn explain_says_why_a_customer_is_not_ranked() {
    let fx = null_fixture();
    fx.rule("tiers.yaml", NULL_RULES);
    let zero = fx.run(&["explain", "c-zero"]);
    zero.assert_code(0);
    assert!(
        zero.stdout
            .contains("(annual_sales = 0.0: not ranked: outside `where: annual_sales > 0`)"),
        "{}",
        zero.stdout
    );
    let null = fx.run(&["explain", "c-null"]);
    assert!(
        null.stdout
            .contains(": not ranked: `annual_sales` is NULL)"),
        "{}",
        null.stdout
    );
}

/// Arguments accepted without a word though they could not mean what was written:
/// `--threads 0` (rayon reads 0 as "one per core"), a time limit of 0, an `--as-of` with a
/// time (dropped).
#[test]
fn arguments_that_cannot_mean_what_is_written_are_refused() {
    let fx = Fixture::new();
    fx.sales_customers(&[1.0]);
    fx.rule("tiers.yaml", TIER_RULES);
    fx.run(&["--threads", "0", "run"])
        .assert_code(2)
        .assert_stderr_contains(
            "invalid value '0' for '--threads <THREADS>': 0 is not in 1..=1024",
        );
    fx.run(&["--threads", "1", "run"]).assert_code(0);
    // `--as-of` is a day: a time was dropped without a word.
    fx.run(&["run", "--as-of", "2026-02-27T10:00"])
        .assert_code(2)
        .assert_stderr_contains(
            "`2026-02-27T10:00` has a time: a run is as of a day; write `2026-02-27`",
        );
    // So is every time limit of `serve` (0 closed a connection at any wait).
    fx.run(&["serve", "--write-timeout-ms", "0"])
        .assert_code(2)
        .assert_stderr_contains("invalid value '0' for '--write-timeout-ms <WRITE_TIMEOUT_MS>'");
}

/// From cron the working directory is `/`: paths in messages stay absolute
/// (`written to /tmp/.../customers.db`), not `tmp/...`, which reads as a relative path.
#[test]
fn paths_are_shown_whole_when_run_from_the_root_directory() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, annual_sales REAL",
        &[vec![text("C1"), real(10.0)]],
    );
    fx.rule(
        "tiers.yaml",
        "decisions:\n  - name: tier\n    rules:\n      - { id: all, then: { tier: A } }\n",
    );
    let config = fx.path("config.yaml");
    let run = run_in(
        std::path::Path::new("/"),
        &["--config", config.to_str().unwrap(), "run"],
    );
    run.assert_code(0);
    let db = fx.path("customers.db");
    assert!(
        run.stdout
            .contains(&format!("written to {} (customer_policy)", db.display())),
        "{}",
        run.stdout
    );
}

/// A query over another unit's accounts sharing one reused id with the first unit's run:
/// one shared id made it the same source, and the trade unit's run replaced the bank's
/// official month, exit 0. Another unit's unless a tenth of the fewer side is shared (a
/// season's churn keeps more: the same unit).
#[test]
fn a_source_sharing_a_reused_id_with_another_units_run_is_refused() {
    let fx = Fixture::new();
    let bank: Vec<Vec<rusqlite::types::Value>> = (1..=20)
        .map(|k| vec![text(&format!("C{k}")), real(k as f64)])
        .collect();
    fx.customers("customer_id TEXT PRIMARY KEY, annual_sales REAL", &bank);
    fx.conn()
        .execute_batch(
            "CREATE TABLE accounts (acct_no TEXT PRIMARY KEY, annual_sales REAL);
             WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < 20)
             INSERT INTO accounts SELECT 'P-' || k, k FROM n;",
        )
        .unwrap();
    fx.rule(
        "tiers.yaml",
        "decisions:\n  - name: tier\n    rules:\n      - { id: all, then: { tier: A } }\n",
    );
    let config = std::fs::read_to_string(fx.path("config.yaml")).unwrap();
    fx.run_ok(&["--as-of", "2026-03-31"]);
    std::fs::write(
        fx.path("trade.yaml"),
        config.replace(
            "table: customers",
            "query: \"SELECT acct_no AS customer_id, annual_sales FROM accounts UNION ALL SELECT 'C1', 3\"",
        ),
    )
    .unwrap();
    run_in(
        fx.dir.path(),
        &["--config", "trade.yaml", "run", "--as-of", "2026-03-31"],
    )
    .assert_code(2)
    .assert_stderr_contains(
        "only 1 of its 21 in that run): another configuration writes into these tables",
    );
    // The bank's own query, a season later, most customers changed: the same unit.
    std::fs::write(
        fx.path("season.yaml"),
        config.replace(
            "table: customers",
            "query: \"SELECT customer_id, annual_sales FROM customers WHERE annual_sales <= 3 UNION ALL SELECT acct_no, annual_sales FROM accounts\"",
        ),
    )
    .unwrap();
    run_in(
        fx.dir.path(),
        &["--config", "season.yaml", "run", "--as-of", "2026-06-30"],
    )
    .assert_code(0);
}

/// Two configurations (two business units) sharing one database without output tables of
/// their own: the second unit's run replaced the first one's official run and took its
/// place in the `latest` view, exit 0. It is refused (exit 2, nothing written), naming the
/// setting; with tables of its own it runs beside the other.
#[test]
fn a_run_into_another_sources_run_tables_is_refused() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, annual_sales REAL",
        &[vec![text("C1"), real(10.0)], vec![text("C2"), real(20.0)]],
    );
    fx.conn()
        .execute_batch(
            "CREATE TABLE accounts (acct_no TEXT PRIMARY KEY, annual_sales REAL);
             INSERT INTO accounts VALUES ('P-1', 5), ('P-2', 6), ('P-3', 7);",
        )
        .unwrap();
    fx.rule(
        "tiers.yaml",
        "decisions:\n  - name: tier\n    rules:\n      - { id: all, then: { tier: A } }\n",
    );
    let config = std::fs::read_to_string(fx.path("config.yaml")).unwrap();
    fx.run_ok(&["--as-of", "2026-03-31"]);
    let other = config
        .replace("table: customers", "table: accounts")
        .replace("id_column: customer_id", "id_column: acct_no");
    assert_ne!(other, config, "{config}");
    std::fs::write(fx.path("packaging.yaml"), &other).unwrap();
    let refused = run_in(
        fx.dir.path(),
        &["--config", "packaging.yaml", "run", "--as-of", "2026-03-31"],
    );
    refused.assert_code(2);
    refused.assert_stderr_contains("this run would replace run 1 in `policy_run`, which was made from other customers (`customers`, this run reads `accounts`, none of them in that run): another configuration writes into these tables; give this one tables of its own");
    refused.assert_stderr_contains(
        "if run 1 itself read the wrong customers, `tierwise prune --run 1` removes it; if this configuration's customers moved to another table on purpose, `run --new-source`",
    );
    let kept: i64 = fx
        .conn()
        .query_row("SELECT COUNT(*) FROM customer_policy_latest", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(kept, 2);
    // The next period, built on the other unit's run: refused too.
    let next = run_in(
        fx.dir.path(),
        &["--config", "packaging.yaml", "run", "--as-of", "2026-04-30"],
    );
    next.assert_code(2);
    next.assert_stderr_contains("this run would follow run 1");
    // After a month with no run, it would follow the latest run before it.
    run_in(
        fx.dir.path(),
        &["--config", "packaging.yaml", "run", "--as-of", "2026-06-30"],
    )
    .assert_code(2)
    .assert_stderr_contains("this run would follow run 1");
    // A third unit whose table's ids are some of the first's (integer keys 1, 2, 3 in
    // both): two tables of different names are two units all the same.
    fx.conn()
        .execute_batch(
            "CREATE TABLE outlets (customer_id TEXT PRIMARY KEY, annual_sales REAL);
             INSERT INTO outlets VALUES ('C1', 1), ('C9', 2);",
        )
        .unwrap();
    std::fs::write(
        fx.path("outlets.yaml"),
        config.replace("table: customers", "table: outlets"),
    )
    .unwrap();
    run_in(
        fx.dir.path(),
        &["--config", "outlets.yaml", "run", "--as-of", "2026-03-31"],
    )
    .assert_code(2)
    .assert_stderr_contains(
        "made from other customers (`customers`, this run reads `outlets`): another configuration",
    );
    // Moved to another table on purpose: said so, it runs.
    run_in(
        fx.dir.path(),
        &[
            "--config",
            "outlets.yaml",
            "run",
            "--as-of",
            "2026-05-31",
            "--new-source",
        ],
    )
    .assert_code(0);
    // The same customers read through an edited query are the same source.
    std::fs::write(
        fx.path("query.yaml"),
        config.replace(
            "table: customers",
            "query: \"SELECT customer_id, annual_sales FROM customers WHERE annual_sales > 0\"",
        ),
    )
    .unwrap();
    run_in(
        fx.dir.path(),
        &["--config", "query.yaml", "run", "--as-of", "2026-04-30"],
    )
    .assert_code(0);
    // With tables of its own, it runs.
    std::fs::write(
        fx.path("packaging.yaml"),
        format!("{other}output:\n  policy_table: pack_policy\n  run_table: pack_run\n"),
    )
    .unwrap();
    run_in(
        fx.dir.path(),
        &["--config", "packaging.yaml", "run", "--as-of", "2026-03-31"],
    )
    .assert_code(0);
}

/// The run's counts list numbers by size (1, 3, 12: not 1, 12, 3) and an output's values in
/// the order its `values:` declares them when no `moves:` gives one.
#[test]
fn run_counts_list_numbers_by_size_and_declared_values_in_order() {
    let fx = Fixture::new();
    fx.sales_customers(&[5.0, 50.0, 500.0, 5000.0]);
    fx.rule(
        "rules.yaml",
        r#"decisions:
  - name: review
    output: review_months
    rules:
      - { id: r-1, when: annual_sales < 10, value: 1 }
      - { id: r-12, when: annual_sales > 1000, value: 12 }
      - { id: r-3, value: 3 }
  - name: risk
    hit: priority
    outputs: [{ name: risk, values: [high, medium, low] }]
    rules:
      - { id: low, when: annual_sales >= 50, value: low }
      - { id: medium, when: annual_sales < 100, value: medium }
      - { id: high, when: annual_sales < 10, value: high }
summary:
  count_by: [review_months, risk]
"#,
    );
    let run = fx.run_ok(&[]);
    let listed = |header: &str| -> Vec<String> {
        let block = run.stdout.split(header).nth(1).unwrap_or_default();
        (block.lines().skip(1))
            .take_while(|l| !l.trim().is_empty())
            .map(|l| l.split_whitespace().next().unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(listed("review_months"), ["1", "3", "12"], "{}", run.stdout);
    assert_eq!(listed("risk "), ["high", "medium", "low"], "{}", run.stdout);
}

/// `explain` shows what a formula computed a row's value from: the formula and the values
/// of the names it read (text and JSON), so a disputed figure can be followed.
#[test]
fn explain_shows_a_formulas_inputs() {
    let fx = Fixture::new();
    fx.sales_customers(&[1200.0]);
    fx.rule(
        "rules.yaml",
        r#"metrics:
  rate: 2.5
decisions:
  - name: bonus
    output: bonus
    rules:
      - id: bonus-rate
        value: |-
          = annual_sales * rate
            / 100
"#,
    );
    let text = fx.run(&["explain", "1"]);
    text.assert_code(0);
    assert!(
        text.stdout.contains(
            "        gives bonus = 30.0\n          = annual_sales * rate / 100, with annual_sales = 1200.0, rate = 2.5\n"
        ),
        "{}",
        text.stdout
    );
    let json = fx.run(&["explain", "1", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let given = &v["decisions"][0]["rows"][0]["gives"][0];
    assert_eq!(given["formula"], "annual_sales * rate\n  / 100", "{given}");
    assert_eq!(given["with"][1]["name"], "rate", "{given}");
    assert_eq!(given["with"][1]["value"], 2.5, "{given}");
}

/// A damaged database said SQLite's "database disk image is malformed" and nothing else;
/// with a `-wal` file beside it, most often a database replaced by a copy renamed over it
/// while the old one's `-wal` stayed (SQLite applies it to the new file): said, with the
/// way to replace a database safely.
#[test]
fn a_damaged_database_is_named_with_the_stale_wal_cause_when_a_wal_lies_beside_it() {
    let fx = Fixture::new();
    fx.many_sales_customers(3000);
    fx.rule("rules.yaml", TIER_RULES);
    let db = fx.path("customers.db");
    let mut bytes = std::fs::read(&db).unwrap();
    for b in &mut bytes[4096 * 2..4096 * 2 + 64] {
        *b = 0xA5;
    }
    std::fs::write(&db, &bytes).unwrap();
    let run = fx.run(&["run"]);
    run.assert_code(1);
    run.assert_stderr_contains(
        "is damaged as SQLite reads it (\"database disk image is malformed\")\n  = help: `sqlite3 ",
    );
    // An empty -wal is a WAL database's own; one with pages is left from another file.
    std::fs::write(fx.path("customers.db-wal"), b"").unwrap();
    let empty = fx.run(&["run"]);
    assert!(
        !empty.stderr.contains("a -wal file lies beside it"),
        "{}",
        empty.stderr
    );
    std::fs::write(fx.path("customers.db-wal"), vec![7u8; 4096]).unwrap();
    fx.run(&["run"]).assert_code(1).assert_stderr_contains(
        "a -wal file lies beside it: if the database was replaced by another file",
    );
}

/// Ids stored as decimals (`1001.0`, an Excel or pandas export) are written back so:
/// `explain 1001` found no customer, `explain 1001.0` said the run held no policy for it,
/// and `history 1001.0` found it in no run. Either spelling is the customer now.
#[test]
fn ids_stored_as_decimals_are_found_by_either_spelling() {
    let fx = Fixture::new();
    fx.customers(
        "acct REAL PRIMARY KEY, annual_sales REAL",
        &[
            vec![real(1001.0), real(10.0)],
            vec![real(1002.0), real(20.0)],
        ],
    );
    std::fs::write(
        fx.path("config.yaml"),
        "database: customers.db\nrules: rules\ncustomers:\n  id_column: acct\n",
    )
    .unwrap();
    fx.rule("rules.yaml", TIER_RULES);
    fx.run_ok(&[]);
    for id in ["1001", "1001.0"] {
        let explain = fx.run(&["explain", id]);
        explain.assert_code(0);
        assert!(
            !explain.stdout.contains("holds no policy for this customer"),
            "{id}: {}",
            explain.stdout
        );
        fx.run(&["history", id]).assert_code(0);
    }
}

/// The summary's counts of a text output: letters with accents pushed the share column out
/// of line (padded by bytes), and two spellings that differ only in what a screen hides
/// (a decomposed letter, a no-break space) showed as two identical-looking rows.
#[test]
fn summary_counts_line_up_and_show_hidden_differences() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, segment TEXT",
        &[
            vec![text("K1"), text("Średni")],
            vec![text("K2"), text("S\u{301}redni")],
            vec![text("K3"), text("Duży")],
            vec![text("K4"), text("Mały\u{a0}odbiorca")],
        ],
    );
    fx.rule(
        "seg.yaml",
        "decisions:\n  - name: seg\n    output: seg\n    rules:\n      - { id: seg, value: '= segment' }\nsummary:\n  count_by: [seg]\n",
    );
    let run = fx.run_ok(&[]);
    let block: Vec<&str> = (run.stdout.lines())
        .skip_while(|l| !l.starts_with("seg "))
        .take(5)
        .collect();
    // Every row as long as the header, in characters: the columns line up.
    for line in &block[1..] {
        assert_eq!(line.chars().count(), block[0].chars().count(), "{block:#?}");
    }
    assert!(
        block.contains(&"\"S\\u{301}redni\"                 1   25.0%"),
        "{block:#?}"
    );
    assert!(
        block
            .iter()
            .any(|l| l.starts_with("\"Mały\\u{a0}odbiorca\"")),
        "{block:#?}"
    );
}

/// A free-text output in `count_by` (a reason with the customer's figure in it) printed a
/// line per value, thousands on a real run: the 20 most frequent, in their order, and one
/// line for the rest, every customer counted (saying how many of the rest are as frequent
/// as the last shown: the cut fell in a tie); JSON keeps every value.
#[test]
fn a_count_by_output_of_many_values_shows_the_most_frequent_and_counts_the_rest() {
    let fx = Fixture::new();
    let rows: Vec<Vec<rusqlite::types::Value>> = (0..100)
        .map(|i| vec![text(&format!("K{i:03}")), int(i % 37)])
        .collect();
    fx.customers("customer_id TEXT PRIMARY KEY, x INTEGER", &rows);
    fx.rule(
        "why.yaml",
        "decisions:\n  - name: why\n    output: reason\n    rules:\n      - { id: high, when: x > 3, value: '= `high: ${x}`' }\n      - { id: low, value: ordinary }\nsummary:\n  count_by: [reason]\n",
    );
    let run = fx.run_ok(&[]);
    let block: Vec<&str> = (run.stdout.lines())
        .skip_while(|l| !l.starts_with("reason "))
        .take_while(|l| !l.is_empty())
        .collect();
    // 33 "high" values (x = 4..36) of 3 or 2 customers, and "ordinary" (x = 0..3: 12).
    assert_eq!(block.len(), 1 + 20 + 1, "{block:#?}");
    assert!(
        (block.iter()).any(|l| l.split_whitespace().eq(["ordinary", "12", "12.0%"])),
        "{block:#?}"
    );
    assert_eq!(
        block[21], "(14 more values, 3 as frequent as the last shown)           31   31.0%",
        "{block:#?}"
    );
    let json = fx.run_ok(&["--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let counted = report["counts"]["reason"]
        .as_object()
        .expect("counts by value");
    assert_eq!(counted.len(), 34, "{counted:?}");
}

/// A long list compared with a column that also writes its texts another way (a VIP list
/// with trailing-space or lower-case twins) printed a note per text on every run: three
/// are shown, the rest counted, and `check --data` lists each.
#[test]
fn many_spelling_notes_of_one_field_are_counted_not_all_printed() {
    let fx = Fixture::new();
    let mut rows = Vec::new();
    for i in 1..=6 {
        rows.push(vec![text(&format!("A{i}")), text(&format!("K{i}"))]);
        rows.push(vec![text(&format!("B{i}")), text(&format!("k{i}"))]);
    }
    fx.customers("customer_id TEXT PRIMARY KEY, code TEXT", &rows);
    fx.rule(
        "vip.yaml",
        "decisions:\n  - name: vip\n    rules:\n      - { id: vip-yes, when: 'code in [\"K1\", \"K2\", \"K3\", \"K4\", \"K5\", \"K6\"]', then: { vip: true } }\n      - { id: vip-no, then: { vip: false } }\n",
    );
    let run = fx.run_ok(&[]);
    let notes: Vec<&str> = (run.stdout.lines())
        .filter(|l| l.contains("`code` is compared with") || l.contains("more like"))
        .collect();
    assert_eq!(notes.len(), 4, "{notes:#?}");
    assert!(
        notes[3].ends_with(
            "and 3 more like \"`code` is compared ...\" above (`tierwise check --data` lists each)"
        ),
        "{notes:#?}"
    );
    let check = fx.run(&["check", "--data"]);
    assert_eq!(
        check.stdout.matches("`code` is compared with").count(),
        6,
        "{}",
        check.stdout
    );
}

/// `count_by` split one value the rules call equal (decimals summed in another order:
/// 1.1111111111111112 and 1.111111111111111) into two lines and two JSON keys, and counted
/// the text "(none)" together with NULL: one line per value, NULL apart.
#[test]
fn count_by_counts_equal_decimals_once_and_keeps_null_apart_from_the_text_none() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, a REAL, b REAL, c REAL, region TEXT",
        &[
            // (1/3 + 2/3) + 1/9 is 1.1111111111111112; (1/9 + 2/3) + 1/3 is 1.111111111111111.
            vec![
                text("C1"),
                real(1.0 / 3.0),
                real(2.0 / 3.0),
                real(1.0 / 9.0),
                text("(none)"),
            ],
            vec![
                text("C2"),
                real(1.0 / 9.0),
                real(2.0 / 3.0),
                real(1.0 / 3.0),
                null(),
            ],
            vec![
                text("C3"),
                real(1.0 / 9.0),
                real(2.0 / 3.0),
                real(1.0 / 3.0),
                text(""),
            ],
        ],
    );
    fx.rule(
        "v.yaml",
        "decisions:\n  - name: v\n    outputs: [visits, region_key]\n    rules:\n      - { id: v, then: { visits: '= a + b + c', region_key: '= region' } }\nsummary:\n  count_by: [visits, region_key]\n",
    );
    let json = fx.run_ok(&["--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(
        report["counts"]["visits"],
        serde_json::json!({"1.11111111111111": 3}),
        "{}",
        json.stdout
    );
    assert_eq!(
        report["counts"]["region_key"],
        serde_json::json!({"\"(none)\"": 1, "(none)": 1, "\"\"": 1}),
        "{}",
        json.stdout
    );
}

/// `count_by` counted a whole decimal apart from the integer the rules call equal to it
/// (`13.0` from a REAL column beside `13` from a rule's constant: two lines for one number of
/// visits), and listed texts by bytes (every accented capital after `Z`): one line per
/// number, texts in reading order.
#[test]
fn count_by_counts_13_and_13_0_once_and_lists_texts_in_reading_order() {
    let fx = Fixture::new();
    let rows: Vec<Vec<rusqlite::types::Value>> = ["Zagreb", "Čačak", "Beograd", "Cacak"]
        .iter()
        .enumerate()
        .map(|(k, city)| {
            vec![
                text(&format!("K{k}")),
                real(13.0),
                int(k as i64),
                text(city),
            ]
        })
        .collect();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, planned REAL, k INTEGER, city TEXT",
        &rows,
    );
    fx.rule(
        "v.yaml",
        "decisions:\n  - name: v\n    outputs: [visits, town]\n    rules:\n      - { id: fixed, when: k < 2, then: { visits: 13, town: '= city' } }\n      - { id: planned, then: { visits: '= planned', town: '= city' } }\nsummary:\n  count_by: [visits, town]\n",
    );
    let run = fx.run_ok(&[]);
    let block = |name: &str| -> Vec<String> {
        (run.stdout.lines())
            .skip_while(|l| !l.starts_with(&format!("{name} ")))
            .skip(1)
            .take_while(|l| !l.is_empty())
            .map(|l| l.split_whitespace().next().unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(block("visits"), ["13"], "{}", run.stdout);
    assert_eq!(
        block("town"),
        ["Beograd", "Cacak", "Čačak", "Zagreb"],
        "{}",
        run.stdout
    );
    let json = fx.run_ok(&["--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(
        report["counts"]["visits"],
        serde_json::json!({"13": 4}),
        "{}",
        json.stdout
    );
}

/// A text in quotes (`""`, as a bad CSV import leaves it) was counted with the empty text,
/// and `"(none)"` with the text `(none)`: one line and one JSON key per value.
#[test]
fn count_by_keeps_a_quoted_text_apart_from_the_empty_one() {
    let fx = Fixture::new();
    let rows: Vec<Vec<rusqlite::types::Value>> = ["", "\"\"", "(none)", "\"(none)\""]
        .iter()
        .enumerate()
        .map(|(k, g)| vec![text(&format!("K{k}")), text(g)])
        .collect();
    fx.customers("customer_id TEXT PRIMARY KEY, g TEXT", &rows);
    fx.rule(
        "g.yaml",
        "decisions:\n  - name: g\n    output: grp\n    rules:\n      - { id: g, value: '= g' }\nsummary:\n  count_by: [grp]\n",
    );
    let json = fx.run_ok(&["--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(
        report["counts"]["grp"],
        serde_json::json!({"\"\"": 1, "\"\\\"\\\"\"": 1, "\"(none)\"": 1, "\"\\\"(none)\\\"\"": 1}),
        "{}",
        json.stdout
    );
}

/// `--out x.csv` wrote decimals to 15 significant digits (0.6799999999999999 as 0.68),
/// where the table and `.jsonl` keep every digit: a check of the file against the
/// database found thousands of differences. Every digit, as the table holds it.
#[test]
fn the_csv_file_keeps_every_digit_of_a_decimal() {
    let fx = Fixture::new();
    fx.sales_customers(&[0.1, 0.68, 41_152_263_004_115.22]);
    fx.rule(
        "v.yaml",
        "decisions:\n  - name: v\n    output: v\n    rules:\n      - { id: v, value: '= annual_sales * 3' }\n",
    );
    fx.run_ok(&["--out", "out.csv"]);
    let csv = std::fs::read_to_string(fx.path("out.csv")).unwrap();
    // 123,456,789,012,345.67 was written 1.2345678901234567e14.
    assert!(csv.contains("3,123456789012345.66,"), "{csv}");
    assert!(csv.contains("1,0.30000000000000004,"), "{csv}");
    assert!(!csv.contains("e14"), "written out, no exponent: {csv}");
    assert!(csv.contains("2,2.04,"), "{csv}");
    let stored: f64 = fx
        .conn()
        .query_row(
            "SELECT v FROM customer_policy WHERE customer_id = 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stored, 0.1 * 3.0);
}

/// An output renamed only in case (`Tier` to `tier`, a cosmetic edit) stopped the next run
/// with "duplicate column name: tier" (SQLite compares column names without case) and no
/// hint: it writes into the column it had, and the history reads on.
#[test]
fn an_output_renamed_only_in_case_writes_into_its_column() {
    let fx = Fixture::new();
    fx.sales_customers(&[10.0, 20.0]);
    let rules = |name: &str| {
        format!(
            "decisions:\n  - name: t\n    output: {name}\n    rules:\n      - {{ id: t, value: '= `seen ${{annual_sales}}`' }}\n  - name: before\n    output: before\n    rules:\n      - {{ id: b, value: '= previous.{name} ?? \"none\"' }}\n"
        )
    };
    fx.rule("t.yaml", &rules("Tier"));
    fx.run_ok(&["--as-of", "2026-10-31"]);
    fx.rule("t.yaml", &rules("tier"));
    let renamed = fx.run_ok(&["--as-of", "2026-11-30"]);
    let latest = fx.latest();
    let before = column(&latest, "before");
    assert_eq!(key(&before["1"]), "seen 10.0", "{before:?}");
    // The column keeps the name it was made with.
    let tier = column(&latest, "Tier");
    assert_eq!(key(&tier["2"]), "seen 20.0", "{tier:?}");
    // The readers of the runs take `tier` and `Tier` for the one column they are: the run
    // said its column would be NULL from now on, a rerun that it changed every customer,
    // and `changes` / `history --outputs tier` that no run gave it.
    assert!(
        !renamed.stdout.contains("no longer give") && !renamed.stdout.contains("read NULL"),
        "{}",
        renamed.stdout
    );
    let rerun = fx.run_ok(&["--as-of", "2026-11-30"]);
    assert!(
        rerun.stdout.contains("note: replaces run 2 (as of 2026-11-30, 2 customers) as 2026-11's official run, with the same outputs for every customer\n"),
        "{}",
        rerun.stdout
    );
    let changes = fx.run(&["changes", "--output", "tier", "--order", "x"]);
    assert!(
        !changes.stdout.contains("gave no")
            && changes
                .stdout
                .contains("2 customers in both: 0 up, 0 down, 0 unranked, 2 unchanged"),
        "{}{}",
        changes.stdout,
        changes.stderr
    );
    let history = fx.run(&["history", "2", "--outputs", "tier"]);
    history.assert_code(0);
    assert!(history.stdout.contains("seen 20.0"), "{}", history.stdout);
}

/// A value formula that failed on a NULL read of an earlier period
/// (`previous.paid + annual_sales` in a first quarter) said "a value is NULL", and `explain`
/// showed no values at the failing row: both name `previous.paid`.
#[test]
fn a_null_read_of_an_earlier_period_is_named_where_a_formula_fails() {
    let fx = Fixture::new();
    fx.sales_customers(&[10.0, 20.0]);
    fx.rule(
        "p.yaml",
        "decisions:\n  - name: p\n    output: paid\n    rules:\n      - { id: paid-ytd, value: '= previous.paid + annual_sales' }\n",
    );
    let run = fx.run(&["run", "--as-of", "2026-03-31"]);
    run.assert_code(1);
    assert!(
        run.stderr.contains("rule `paid-ytd` failed: `previous.paid` is NULL for this customer, and `+` needs a value (test it with `is_null(previous.paid)` or give a default with `previous.paid ?? 0`)"),
        "{}",
        run.stderr
    );
    let explain = fx.run(&["explain", "1", "--as-of", "2026-03-31"]);
    assert!(
        explain.stdout.contains(
            "    ! paid-ytd  (always)\n        with annual_sales = 10.0, previous.paid = NULL\n        failed here (the error follows)\n"
        ),
        "{}",
        explain.stdout
    );
}

/// A customer tied with others on a boundary goes up with them (the boundary rule), but
/// `explain` said only how many were above it: the ties are what a spreadsheet's
/// PERCENTRANK puts the other way.
#[test]
fn explain_says_how_many_share_a_tied_figure() {
    let fx = Fixture::new();
    fx.sales_customers(&[100.0, 200.0, 200.0, 300.0, 50.0]);
    fx.rule(
        "t.yaml",
        "population:\n  pct: { percentile_of: annual_sales }\ndecisions:\n  - name: t\n    rules:\n      - { id: a, when: pct >= 0.6, then: { tier: A } }\n      - { id: b, then: { tier: B } }\n",
    );
    let explain = fx.run(&["explain", "2"]);
    explain.assert_code(0);
    assert!(
        explain.stdout.contains(
            "1 of 5 ranked customers above it (20.0%); 1 tied with it, sharing its figure)"
        ),
        "{}",
        explain.stdout
    );
    let alone = fx.run(&["explain", "4"]);
    assert!(!alone.stdout.contains("tied with it"), "{}", alone.stdout);
    // For programs, as numbers (the sentence was all they had).
    let json = fx.run(&["explain", "2", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let pct = &json["population"][0];
    assert_eq!(
        (pct["better"].as_u64(), pct["tied"].as_u64()),
        (Some(1), Some(1))
    );
    let json = fx.run(&["explain", "4", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(json["population"][0]["tied"].as_u64(), Some(0));
}

/// `id_column: Customer_ID` where the table has `customer_id` (SQLite's names have no case)
/// listed the columns without a word on the difference: "did you mean".
#[test]
fn an_id_column_written_in_another_case_is_named() {
    let fx = Fixture::new();
    fx.sales_customers(&[10.0]);
    std::fs::write(
        fx.path("config.yaml"),
        "database: customers.db\ncustomers: { table: customers, id_column: Customer_ID }\nrules: rules\n",
    )
    .unwrap();
    fx.rule(
        "r.yaml",
        "decisions:\n  - name: d\n    output: o\n    rules:\n      - { id: o, value: 1 }\n",
    );
    let run = fx.run(&["run"]);
    assert!(
        run.stderr.contains("the id column `Customer_ID` is not a column of the customer source (columns: customer_id, annual_sales): did you mean `customer_id`?"),
        "{}",
        run.stderr
    );
}

/// A customers table imported from a CSV Excel saved as UTF-8: its first column's name
/// starts with a byte-order mark, and the error listed `customer_id` among the columns,
/// looking the same as the id column it said was missing.
#[test]
fn an_id_column_behind_a_byte_order_mark_is_said() {
    let fx = Fixture::new();
    fx.customers(
        "\"\u{feff}customer_id\" TEXT, sales REAL",
        &[vec![text("a"), real(1.0)]],
    );
    fx.rule(
        "r.yaml",
        "decisions:\n  - name: d\n    output: o\n    rules:\n      - { id: o, value: 1 }\n",
    );
    let run = fx.run(&["run"]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("the id column `customer_id` is not a column of the customer source (columns: \"\\u{feff}customer_id\", sales): the column \"\\u{feff}customer_id\" holds a byte-order mark a screen does not show (a CSV saved by Excel as UTF-8 starts with one, and `.import` keeps it in the first column's name): import the file again saved without it (Excel: \"CSV (Comma delimited)\"), or rename the column (Python: `conn.execute('ALTER TABLE <table> RENAME COLUMN \"\\ufeffcustomer_id\" TO customer_id')`)"),
        "{}",
        run.stderr
    );
}

/// A project of one folder (`tierwise.yaml` beside the rules, as the README's month-end
/// example has it) runs without `--config`; a config named otherwise is named in the help
/// of "cannot read the config file config/tierwise.yaml".
#[test]
fn a_config_in_the_working_folder_is_found_or_named() {
    let fx = Fixture::new();
    fx.sales_customers(&[1.0, 2.0]);
    fx.rule(
        "tiers.yaml",
        "decisions:\n  - name: tier\n    rules:\n      - { id: all, then: { tier: A } }\n",
    );
    let missing = run_in(fx.dir.path(), &["check"]);
    missing.assert_code(2);
    missing.assert_stderr_contains("cannot read the config file config/tierwise.yaml");
    missing.assert_stderr_contains("= help: a config file is here: pass `--config config.yaml`");
    std::fs::rename(fx.path("config.yaml"), fx.path("tierwise.yaml")).unwrap();
    let found = run_in(fx.dir.path(), &["check"]);
    found.assert_code(0);
    assert_eq!(found.stdout, "no problems found in the rule files\n");
}

/// `sample --force` over a project's database wiped its recorded runs (the auditor's
/// finding): it replaces a sample database only; a file holding runs, or no database, is
/// refused and kept.
#[test]
fn sample_force_replaces_a_sample_but_not_a_database_with_runs() {
    let fx = Fixture::new();
    let sample = |out: &str| fx.run(&["sample", "--customers", "20", "--out", out, "--force"]);
    sample("customers.db").assert_code(0);
    sample("customers.db").assert_code(0);
    fx.rule(
        "tiers.yaml",
        "decisions:\n  - name: tier\n    rules:\n      - { id: all, then: { tier: A } }\n",
    );
    fx.run_ok(&[]);
    let refused = sample("customers.db");
    refused.assert_code(2);
    refused.assert_stderr_contains("--force replaces a sample database only, and customers.db holds tables a sample does not write (`customer_policy`, `customer_policy_fired`, `policy_error`, `policy_run`: recorded runs, or data of your own)");
    assert_eq!(fx.runs().len(), 1, "the runs are kept");
    std::fs::write(fx.path("notes.txt"), "not a database").unwrap();
    sample("notes.txt").assert_stderr_contains("notes.txt is not a database");
    assert_eq!(
        std::fs::read_to_string(fx.path("notes.txt")).unwrap(),
        "not a database"
    );
}
