//! `tierwise test`: the test cases kept beside the rules (`rules/tests/*.yaml`). Every test
//! writes its own config, rules, test files and SQLite customers into a temporary directory
//! and runs `tierwise test` there; the last one runs the shipped tests against the bundled
//! config.

mod common;

use common::*;
use std::path::Path;

/// Columns of the fixture's customer table. Its rows do not matter: test cases bring their
/// own customers; only the columns (and their types) do.
const COLUMNS: &str =
    "customer_id TEXT PRIMARY KEY, annual_sales REAL, on_time REAL, overdue_days INTEGER";

/// A percentile tier, a capped discount that stacks, a list and a `unique` table.
const RULES: &str = r#"population:
  sales_rank:
    percentile_of: annual_sales
    where: annual_sales > 0

decisions:
  - name: tier
    rules:
      - { id: tier-dormant, when: is_null(sales_rank), then: { tier: dormant } }
      - { id: tier-a, when: sales_rank >= 0.8, then: { tier: A } }
      - { id: tier-b, when: sales_rank >= 0.4, then: { tier: B } }
      - { id: tier-c, then: { tier: C } }

  - name: discount
    hit: collect
    output: discount_pct
    cap: { min: 0, max: 12 }
    rules:
      - { id: disc-a, when: 'tier == "A"', value: 10 }
      - { id: disc-prompt, when: "on_time >= 0.98", value: 5.0 }
      - { id: disc-overdue, when: "overdue_days > 60", value: -100 }

  - name: perks
    hit: collect
    aggregate: list
    output: perks
    rules:
      - { id: perk-visits, when: 'tier == "A"', value: [visit, call] }
      - { id: perk-unknown-record, when: "is_null(overdue_days)", value: check record }

  - name: risk
    hit: unique
    output: risk
    rules:
      - { id: risk-late, when: "overdue_days > 30", value: late }
      - { id: risk-very-late, when: "overdue_days > 60", value: very late }
"#;

/// Cases that pass. They leave `risk-very-late`, `disc-overdue` and the floor `discount.min`
/// unexercised: more than 60 days overdue always matches `risk-late` too, so the `unique`
/// table fails, and a case whose evaluation fails records no rows.
const PASSING: &str = r#"# Passing cases.
defaults:
  on_time: 0.9
  overdue_days: 0

cases:
  - name: a top customer is A
    customer: { annual_sales: 500000 }
    population: { sales_rank: 0.9 }
    expect: { tier: A, discount_pct: 10, perks: [visit, call], risk: null }

  - name: a prompt-paying A customer hits the 12% ceiling
    # 10 + 5.0 = 15, lowered to 12: the whole number 12 equals the decimal 12.0
    customer: { annual_sales: 500000, on_time: 0.99 }
    population: { sales_rank: 0.9 }
    expect: { discount_pct: 12.0 }

  - name: the smallest of three is C
    # Two of three above it: not fewer than 60% of 3 (1.8).
    customers:
      - { customer_id: P1, annual_sales: 10 }
      - { customer_id: P2, annual_sales: 20 }
      - { customer_id: P3, annual_sales: 30 }
    check: P1
    expect: { tier: C, discount_pct: 0, perks: [] }

  - name: fields not given are empty
    customer: { annual_sales: 0, overdue_days: null }
    expect: { tier: dormant, perks: [check record] }

  - name: a tie at the boundary goes to the higher tier
    customers:
      - { customer_id: P1, annual_sales: 10 }
      - { customer_id: P2, annual_sales: 20 }
      - { customer_id: P3, annual_sales: 30 }
      - { customer_id: P4, annual_sales: 40 }
      - { customer_id: P5, annual_sales: 40 }
    check: P4
    expect: { tier: A }

  - name: the middle of five is B
    customers:
      - { customer_id: P1, annual_sales: 10 }
      - { customer_id: P2, annual_sales: 20 }
      - { customer_id: P3, annual_sales: 30 }
      - { customer_id: P4, annual_sales: 40 }
      - { customer_id: P5, annual_sales: 50 }
    check: P3
    expect: { tier: B }

  - name: 45 days overdue is late
    customer: { annual_sales: 100, overdue_days: 45 }
    population: { sales_rank: 0.5 }
    expect: { tier: B, risk: late }

  - name: two rows of a unique table matching is an error
    customer: { annual_sales: 100, overdue_days: 75 }
    expect_error: both match
"#;

/// A project with the fixture rules, the given test files and an empty customer table.
fn project(tests: &[(&str, &str)]) -> Fixture {
    let fx = Fixture::new();
    fx.customers(COLUMNS, &[]);
    fx.rule("rules.yaml", RULES);
    let dir = fx.path("rules/tests");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, text) in tests {
        std::fs::write(dir.join(name), text).unwrap();
    }
    fx
}

/// `tierwise --config <config> test <args>` in `dir`.
fn tierwise_test(dir: &Path, config: &str, args: &[&str]) -> Run {
    run_in(dir, &[&["--config", config, "test"], args].concat())
}

fn test_in(fx: &Fixture, args: &[&str]) -> Run {
    tierwise_test(fx.dir.path(), "config.yaml", args)
}

/// The words of the coverage line of `decision`.
fn coverage_line(stdout: &str, decision: &str) -> String {
    stdout
        .lines()
        .find(|l| l.starts_with("  ") && l.split_whitespace().next() == Some(decision))
        .unwrap_or_else(|| panic!("no coverage line for {decision}:\n{stdout}"))
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The stdout lines that start with `prefix`.
fn lines_starting<'s>(stdout: &'s str, prefix: &str) -> Vec<&'s str> {
    stdout.lines().filter(|l| l.starts_with(prefix)).collect()
}

#[test]
fn passing_cases_exit_0_with_pass_lines_coverage_and_total() {
    let fx = project(&[("cases.yaml", PASSING)]);
    let run = test_in(&fx, &[]);
    run.assert_code(0);
    let out = &run.stdout;
    assert_eq!(lines_starting(out, "PASS ").len(), 8, "{out}");
    assert!(
        out.contains("PASS cases.yaml: a top customer is A\n"),
        "{out}"
    );
    assert!(lines_starting(out, "FAIL").is_empty(), "{out}");
    assert!(out.contains("\ncoverage:\n"), "{out}");
    assert_eq!(coverage_line(out, "tier"), "tier 4/4 rows");
    assert_eq!(
        coverage_line(out, "discount"),
        "discount 3/5 rows, not exercised: disc-overdue, discount.min"
    );
    assert_eq!(coverage_line(out, "perks"), "perks 2/2 rows");
    assert_eq!(out.lines().last(), Some("8 passed, 0 failed"), "{out}");
}

/// One broken formula fails every case with the same error: it is shown once, with how
/// many more cases it failed (a metric read by every rule made 111 cases print 550 lines).
#[test]
fn cases_failing_with_the_same_error_show_it_once() {
    let tests = r#"cases:
  - name: first
    customer: { annual_sales: 100 }
    expect: { tier: A }
  - name: second
    customer: { annual_sales: 200 }
    expect: { tier: A }
  - name: third
    customer: { annual_sales: 300 }
    expect: { tier: A }
"#;
    let fx = project(&[("cases.yaml", tests)]);
    fx.rule(
        "broken.yaml",
        "metrics:\n  broken: annual_sales / (annual_sales - annual_sales)\n",
    );
    fx.rule(
        "uses.yaml",
        "decisions:\n  - name: flag\n    rules:\n      - { id: flag-on, when: broken > 1, then: { flag: true } }\n      - { id: flag-off, then: { flag: false } }\n",
    );
    let run = test_in(&fx, &[]);
    run.assert_code(1);
    let out = &run.stdout;
    assert_eq!(lines_starting(out, "FAIL ").len(), 1, "{out}");
    assert!(out.contains("FAIL cases.yaml: first\n"), "{out}");
    assert!(
        out.contains(
            "  ... and 2 more cases failed with the same error (`--format json` lists each)\n"
        ),
        "{out}"
    );
    assert_eq!(out.lines().last(), Some("0 passed, 3 failed"), "{out}");
    let json = test_in(&fx, &["--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(json["cases"].as_array().unwrap().len(), 3);
}

#[test]
fn a_failing_expectation_exits_1_with_the_diff_and_the_rules_that_fired() {
    let tests = r#"cases:
  - name: top customer
    customer: { annual_sales: 500000, on_time: 0.99, overdue_days: 0 }
    population: { sales_rank: 0.9 }
    expect: { tier: B, discount_pct: 12, perks: [visit], risk: null }
  - name: still passes
    # Alone, a customer with sales has nobody above it: A.
    customer: { annual_sales: 500000 }
    expect: { tier: A }
"#;
    let fx = project(&[("tiers.yaml", tests)]);
    let run = test_in(&fx, &[]);
    run.assert_code(1);
    let out = &run.stdout;
    assert!(out.contains("FAIL tiers.yaml: top customer\n"), "{out}");
    assert!(out.contains("PASS tiers.yaml: still passes\n"), "{out}");
    assert!(out.contains("tiers.yaml:2:5"), "the case's position: {out}");
    // Only the outputs that differ, expected against actual; discount_pct 12 == 12 passes.
    let table: Vec<Vec<&str>> = out
        .lines()
        .skip_while(|l| !l.starts_with("FAIL"))
        .skip(3)
        .take(3)
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(
        table,
        vec![
            vec!["output", "expected", "actual"],
            vec!["tier", "B", "A"],
            vec!["perks", "[visit]", "[visit,", "call]"],
        ],
        "{out}"
    );
    // The day it was evaluated as of: undated, today's (it may pass tomorrow).
    let today = out.lines().skip_while(|l| !l.starts_with("FAIL")).nth(2);
    assert!(
        today.is_some_and(|l| l.starts_with("  as of ")
            && l.ends_with(
                " (today, in UTC: the case gives no `as_of`; give it one to test a fixed day)"
            )),
        "{out}"
    );
    assert!(
        out.contains("  fired: tier-a, disc-a, disc-prompt, discount.max, perk-visits\n"),
        "{out}"
    );
    assert!(out.contains("sales_rank 0.9 (given)"), "{out}");
    assert_eq!(out.lines().last(), Some("1 passed, 1 failed"), "{out}");
}

#[test]
fn an_unknown_field_is_reported_at_its_position() {
    let tests =
        "cases:\n  - name: typo\n    customer: { anual_sales: 5 }\n    expect: { tier: A }\n";
    let fx = project(&[("t.yaml", tests)]);
    let run = test_in(&fx, &[]);
    run.assert_code(2);
    let (line, col) = position_of(tests, "anual_sales", 0);
    let out = &run.stdout;
    assert!(out.contains("ERROR t.yaml: typo\n"), "{out}");
    assert!(
        out.contains("`anual_sales` is not a column of the customer source"),
        "{out}"
    );
    assert!(out.contains(&format!("t.yaml:{line}:{col}\n")), "{out}");
    assert!(out.contains("did you mean `annual_sales`?"), "{out}");
    // Not evaluated, not failed: the case is to be fixed before it can test the rules.
    assert_eq!(
        out.lines().last(),
        Some("0 passed, 0 failed, 1 not evaluated"),
        "{out}"
    );
}

#[test]
fn an_unknown_figure_or_output_or_a_metric_given_as_field_is_reported_at_its_position() {
    let tests = r#"cases:
  - name: figure
    population: { sales_rnak: 0.9 }
    expect: { tier: A }
  - name: output
    customer: { annual_sales: 5 }
    expect: { teir: A }
  - name: given figure as a field
    customer: { sales_rank: 0.9 }
    expect: { tier: A }
"#;
    let fx = project(&[("t.yaml", tests)]);
    let run = test_in(&fx, &[]);
    run.assert_code(2);
    let out = &run.stdout;
    let at = |needle: &str| {
        let (line, col) = position_of(tests, needle, 0);
        format!("t.yaml:{line}:{col}\n")
    };
    assert!(
        out.contains("`sales_rnak` is not a population figure (they are: sales_rank)"),
        "{out}"
    );
    assert!(out.contains(&at("sales_rnak")), "{out}");
    assert!(
        out.contains("`teir` is not an output of the rules"),
        "{out}"
    );
    assert!(out.contains(&at("teir")), "{out}");
    assert!(out.contains("did you mean `tier`?"), "{out}");
    assert!(
        out.contains("`sales_rank` is a population figure, not a field"),
        "{out}"
    );
    assert!(out.contains(&at("sales_rank: 0.9 }\n    expect")), "{out}");
    assert_eq!(lines_starting(out, "ERROR ").len(), 3, "{out}");
    assert_eq!(
        out.lines().last(),
        Some("0 passed, 0 failed, 3 not evaluated"),
        "{out}"
    );
}

/// A tile is whole: a case giving quintile 4.5 tests a customer no run has.
#[test]
fn a_tile_a_case_gives_must_be_whole() {
    let fx = Fixture::new();
    fx.customers(COLUMNS, &[]);
    fx.rule(
        "rules.yaml",
        "population:\n  sales_q: { ntile_of: annual_sales, n: 5 }\ndecisions:\n  - name: tier\n    rules:\n      - { id: a, when: sales_q >= 4, then: { tier: A } }\n      - { id: c, then: { tier: C } }\n",
    );
    let tests = "cases:\n  - name: half\n    customer: { annual_sales: 5 }\n    population: { sales_q: 4.5 }\n    expect: { tier: A }\n  - name: four\n    customer: { annual_sales: 5 }\n    population: { sales_q: 4 }\n    expect: { tier: A }\n";
    std::fs::create_dir_all(fx.path("rules/tests")).unwrap();
    std::fs::write(fx.path("rules/tests/t.yaml"), tests).unwrap();
    let run = test_in(&fx, &[]);
    run.assert_code(2);
    let (line, col) = position_of(tests, "4.5 }", 0);
    assert!(
        run.stdout
            .contains("population figure `sales_q` is a tile, a whole number: no customer has 4.5"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(&format!("t.yaml:{line}:{col}\n")),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("PASS t.yaml: four\n"), "{}", run.stdout);
}

/// A population figure a case gives outside what its statistic can be (a percentile of
/// 85) tests a customer that cannot exist: an error at the value, with the fraction meant.
#[test]
fn a_figure_no_customer_can_have_is_an_error_at_its_value() {
    let tests = "cases:\n  - name: percent\n    customer: { annual_sales: 5 }\n    population: { sales_rank: 85 }\n    expect: { tier: A }\n  - name: top\n    customer: { annual_sales: 5 }\n    population: { sales_rank: 1 }\n    expect: { tier: A }\n";
    let fx = project(&[("t.yaml", tests)]);
    let run = test_in(&fx, &[]);
    run.assert_code(2);
    let out = &run.stdout;
    let (line, col) = position_of(tests, "85 }", 0);
    assert!(
        out.contains("population figure `sales_rank` is the percentile of `annual_sales`: between 0 and 1 (exclusive), so no customer has 85"),
        "{out}"
    );
    assert!(out.contains(&format!("t.yaml:{line}:{col}\n")), "{out}");
    assert!(
        out.contains("a percentile is a fraction: write 0.85 for 85%"),
        "{out}"
    );
    // An end of the range is the top (or bottom) customer, as people write it.
    assert!(out.contains("PASS t.yaml: top\n"), "{out}");
}

#[test]
fn a_typo_key_is_reported_at_its_position_and_the_other_files_still_run() {
    let bad = "cases:\n  - name: typo\n    expcet: { tier: A }\n";
    let good =
        "cases:\n  - name: fine\n    customer: { annual_sales: 1 }\n    expect: { tier: A }\n";
    let fx = project(&[("bad.yaml", bad), ("good.yaml", good)]);
    let run = test_in(&fx, &[]);
    run.assert_code(2);
    let out = &run.stdout;
    let (line, col) = position_of(bad, "expcet", 0);
    assert!(out.contains("ERROR bad.yaml\n"), "{out}");
    assert!(out.contains("unknown field `expcet`"), "{out}");
    assert!(out.contains(&format!("bad.yaml:{line}:{col}\n")), "{out}");
    assert!(out.contains("did you mean `expect`?"), "{out}");
    assert!(out.contains("PASS good.yaml: fine\n"), "{out}");
    assert_eq!(
        out.lines().last(),
        Some("1 passed, 0 failed, 1 not evaluated"),
        "{out}"
    );
}

/// Spreadsheet habits in a test file get the fix: `given:` for `customer:`, a decimal
/// comma cut in two by `{ }` (`7,5` was read as 7 and a key `5`), `90%` for a rank; the
/// list of a case's keys is shown without its 23 numbered `previous_N`.
#[test]
fn spreadsheet_habits_in_a_test_file_get_the_fix() {
    let given =
        "cases:\n  - name: given\n    given: { annual_sales: 1 }\n    expect: { tier: A }\n";
    let comma = "cases:\n  - name: comma\n    customer: { annual_sales: 1 }\n    expect: { tier: A, discount_pct: 7,5 }\n";
    let percent = "cases:\n  - name: percent\n    customer: { annual_sales: 1 }\n    population: { sales_rank: 90% }\n    expect: { tier: A }\n";
    let fx = project(&[
        ("given.yaml", given),
        ("comma.yaml", comma),
        ("percent.yaml", percent),
    ]);
    let run = test_in(&fx, &[]);
    run.assert_code(2);
    let out = &run.stdout;
    assert!(
        out.contains("unknown field `given`, expected one of name, customer, customers, check, population, expect, expect_error, as_of, previous, previous_2 ... previous_24\n"),
        "{out}"
    );
    assert!(out.contains("= help: did you mean `customer`?"), "{out}");
    assert!(
        out.contains("= help: in `{ ... }` a comma separates entries, so `7,5` was read as `7` and a key `5`: write 7.5, with a decimal point"),
        "{out}"
    );
    assert!(
        out.contains("population figure `sales_rank` must be a number (or null: not ranked)"),
        "{out}"
    );
    assert!(
        out.contains("= help: write 0.9 for 90%: a percentage is a number here"),
        "{out}"
    );
}

/// `test --as-of` dates the cases that give no date, as `run --as-of` dates a run: a rule
/// that reads the date is tested on the date it will run on; a case's own `as_of:` stays.
#[test]
fn test_as_of_dates_the_cases_that_give_no_date() {
    let fx = Fixture::new();
    fx.customers(COLUMNS, &[]);
    fx.rule(
        "rules.yaml",
        "decisions:\n  - name: season\n    output: season\n    rules:\n      - { id: q1, when: quarter(as_of) == 1, value: first }\n      - { id: rest, value: other }\n",
    );
    let dir = fx.path("rules/tests");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("t.yaml"),
        "cases:\n  - name: undated\n    customer: { annual_sales: 1 }\n    expect: { season: first }\n  - name: july\n    as_of: 2026-07-31\n    customer: { annual_sales: 1 }\n    expect: { season: other }\n",
    )
    .unwrap();
    let january = test_in(&fx, &["--as-of", "2027-01-31"]);
    january.assert_code(0);
    assert!(january.stdout.contains("2 passed"), "{}", january.stdout);
    let june = test_in(&fx, &["--as-of", "2027-06-30"]);
    june.assert_code(1);
    assert!(
        june.stdout.contains("FAIL t.yaml: undated"),
        "{}",
        june.stdout
    );
    assert!(june.stdout.contains("PASS t.yaml: july"), "{}", june.stdout);
    assert!(
        !june.stderr.contains("applies to no case"),
        "{}",
        june.stderr
    );
    // Only the dated case: the date given changes nothing, and that is said.
    let dated = test_in(&fx, &["--as-of", "2027-06-30", "--case", "july"]);
    dated.assert_code(0);
    dated.assert_stderr_contains(
        "note: --as-of 2027-06-30 applies to no case: each gives its own `as_of` (in the case or at the top of its file), which it is evaluated on",
    );
}

#[test]
fn coverage_lists_the_rows_no_case_exercises() {
    let tests = r#"cases:
  - name: A
    customer: { annual_sales: 9, overdue_days: 0 }
    population: { sales_rank: 0.9 }
    expect: { tier: A }
  - name: C
    customer: { annual_sales: 9, overdue_days: 0 }
    population: { sales_rank: 0.1 }
    expect: { tier: C }
"#;
    let fx = project(&[("t.yaml", tests)]);
    let run = test_in(&fx, &[]);
    run.assert_code(0);
    let out = &run.stdout;
    assert_eq!(
        coverage_line(out, "tier"),
        "tier 2/4 rows, not exercised: tier-dormant, tier-b"
    );
    // The caps count as rows: neither bound.
    assert_eq!(
        coverage_line(out, "discount"),
        "discount 1/5 rows, not exercised: disc-prompt, disc-overdue, discount.min, discount.max"
    );
    assert_eq!(
        coverage_line(out, "risk"),
        "risk 0/2 rows, not exercised: risk-late, risk-very-late"
    );
}

#[test]
fn expect_error_passes_on_the_error_and_fails_without_it() {
    let tests = r#"cases:
  - name: the unique table fails
    customer: { annual_sales: 1, overdue_days: 75 }
    expect_error: RISK-LATE` and `RISK-VERY-LATE
  - name: a different error is expected
    customer: { annual_sales: 1, overdue_days: 75 }
    expect_error: division by zero
  - name: an error is expected but none happens
    customer: { annual_sales: 1, overdue_days: 5 }
    expect_error: both match
"#;
    let fx = project(&[("t.yaml", tests)]);
    let run = test_in(&fx, &[]);
    run.assert_code(1);
    let out = &run.stdout;
    assert!(
        out.contains("PASS t.yaml: the unique table fails\n"),
        "{out}"
    );
    assert!(
        out.contains("FAIL t.yaml: a different error is expected\n"),
        "{out}"
    );
    assert!(
        out.contains("expected an error containing \"division by zero\", but got another error"),
        "{out}"
    );
    assert!(
        out.contains("both match"),
        "the actual error is shown: {out}"
    );
    assert!(
        out.contains("expected an error containing \"both match\", but the evaluation succeeded"),
        "{out}"
    );
    assert_eq!(out.lines().last(), Some("1 passed, 2 failed"), "{out}");
}

#[test]
fn an_unexpected_evaluation_error_fails_the_case_with_the_message() {
    let tests = r#"cases:
  - name: overdue
    customer: { annual_sales: 1, overdue_days: 75 }
    expect: { risk: very late }
"#;
    let fx = project(&[("t.yaml", tests)]);
    let run = test_in(&fx, &[]);
    run.assert_code(1);
    assert!(
        run.stdout.contains("FAIL t.yaml: overdue\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("the evaluation failed:"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("rules `risk-late` and `risk-very-late` both match"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_population_case_must_say_whose_outputs_are_checked() {
    let tests = r#"cases:
  - name: no check
    customers:
      - { customer_id: P1, annual_sales: 10 }
      - { customer_id: P2, annual_sales: 20 }
    expect: { tier: A }
  - name: unknown check
    customers:
      - { customer_id: P1, annual_sales: 10 }
      - { customer_id: P2, annual_sales: 20 }
    check: P3
    expect: { tier: A }
  - name: the only customer needs no check
    customers:
      - { annual_sales: 10 }
    expect: { tier: A }
"#;
    let fx = project(&[("t.yaml", tests)]);
    let run = test_in(&fx, &[]);
    run.assert_code(2);
    let out = &run.stdout;
    assert!(
        out.contains("say whose outputs are checked: `check: <customer_id>` (one of P1, P2)"),
        "{out}"
    );
    let (line, col) = position_of(tests, "P3", 0);
    assert!(
        out.contains("no customer of `customers:` has customer_id `P3` (they are: P1, P2)"),
        "{out}"
    );
    assert!(out.contains(&format!("t.yaml:{line}:{col}\n")), "{out}");
    assert!(
        out.contains("PASS t.yaml: the only customer needs no check\n"),
        "{out}"
    );
}

#[test]
fn text_in_a_number_column_is_refused() {
    let tests = "cases:\n  - name: commas\n    customer: { annual_sales: \"2,500,000\" }\n    expect: { tier: A }\n";
    let fx = project(&[("t.yaml", tests)]);
    let run = test_in(&fx, &[]);
    run.assert_code(2);
    assert!(
        run.stdout
            .contains("field `annual_sales`: this is a number column: `2,500,000` is not a number"),
        "{}",
        run.stdout
    );
}

#[test]
fn case_selects_by_part_of_the_name_and_json_gives_the_same_report() {
    let fx = project(&[("cases.yaml", PASSING)]);
    let run = test_in(&fx, &["--case", "TIE", "--format", "json"]);
    run.assert_code(0);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(json["passed"], 1);
    assert_eq!(json["failed"], 0);
    let cases = json["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(
        cases[0]["name"],
        "a tie at the boundary goes to the higher tier"
    );
    assert_eq!(cases[0]["status"], "pass");
    assert_eq!(cases[0]["file"], "cases.yaml");
    assert_eq!(cases[0]["fired"][0], "tier-a");
    let tier = json["coverage"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["decision"] == "tier")
        .unwrap();
    assert_eq!(tier["exercised"], 1);
    assert_eq!(
        tier["not_exercised"],
        serde_json::json!(["tier-dormant", "tier-b", "tier-c"])
    );

    let none = test_in(&fx, &["--case", "no such case"]);
    none.assert_code(2);
    assert!(
        none.stderr.contains("no test case") && none.stderr.contains("no such case"),
        "{}",
        none.stderr
    );
}

#[test]
fn json_shows_differences_with_their_types() {
    let tests = r#"cases:
  - name: wrong
    customer: { annual_sales: 500000, overdue_days: 0 }
    population: { sales_rank: 0.9 }
    expect: { tier: B, discount_pct: 9 }
"#;
    let fx = project(&[("t.yaml", tests)]);
    let run = test_in(&fx, &["--format", "json"]);
    run.assert_code(1);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(json["failed"], 1);
    let case = &json["cases"][0];
    assert_eq!(case["status"], "fail");
    assert_eq!(
        case["differences"],
        serde_json::json!([
            { "output": "tier", "expected": "B", "actual": "A" },
            // A row gives a decimal (5.0), so the sum is a decimal even when only `10` adds up.
            { "output": "discount_pct", "expected": 9, "actual": 10.0 },
        ])
    );
    assert_eq!(case["figures"][0]["name"], "sales_rank");
    assert_eq!(case["figures"][0]["given"], true);
}

#[test]
fn another_rules_directory_brings_its_own_tests() {
    let fx = project(&[]);
    let other = fx.path("other");
    std::fs::create_dir_all(other.join("tests")).unwrap();
    std::fs::write(other.join("rules.yaml"), RULES).unwrap();
    std::fs::write(
        other.join("tests/t.yaml"),
        "cases:\n  - name: c\n    customer: { annual_sales: 3 }\n    expect: { tier: A }\n",
    )
    .unwrap();
    let run = test_in(&fx, &["--rules", "other"]);
    run.assert_code(0);
    assert!(run.stdout.contains("PASS t.yaml: c\n"), "{}", run.stdout);

    // The config's rules directory has no tests/ at all.
    std::fs::remove_dir_all(fx.path("rules/tests")).unwrap();
    let run = test_in(&fx, &[]);
    run.assert_code(2);
    assert!(run.stderr.contains("rules/tests"), "{}", run.stderr);
}

#[test]
fn the_shipped_tests_pass_and_exercise_every_reachable_row() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::Builder::new()
        .prefix("tierwise-shipped-")
        .tempdir()
        .unwrap();
    copy_dir(&manifest.join("config"), &dir.path().join("config"));
    copy_dir(&manifest.join("rules"), &dir.path().join("rules"));
    // The bundled config generates its sample database on first use.
    let run = tierwise_test(dir.path(), "config/tierwise.yaml", &["--format", "json"]);
    run.assert_code(0);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(json["failed"], 0, "{:#}", json);
    assert!(json["passed"].as_u64().unwrap() >= 60, "{:#}", json);
    let coverage = json["coverage"].as_array().unwrap();
    assert_eq!(coverage.len(), 20, "every shipped decision: {coverage:#?}");
    for d in coverage {
        let missing: Vec<&str> = d["not_exercised"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        // Every row and every cap of every shipped decision is exercised.
        assert!(
            missing.is_empty(),
            "{}: rows no shipped test exercises: {missing:?}",
            d["decision"]
        );
    }

    // The text report of the same run: a PASS line per case, the coverage, the total.
    let text = tierwise_test(dir.path(), "config/tierwise.yaml", &[]);
    text.assert_code(0);
    assert_eq!(coverage_line(&text.stdout, "tier"), "tier 4/4 rows");
    assert!(
        text.stdout
            .ends_with(&format!("\n{} passed, 0 failed\n", json["passed"])),
        "{}",
        text.stdout
    );
}

#[test]
fn cases_give_their_evaluation_date_and_earlier_periods_outcomes() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, annual_sales REAL, last_order_day DATE",
        &[],
    );
    fx.rule(
        "rules.yaml",
        "decisions:
  - name: raw
    output: raw_tier
    rules:
      - { id: raw-a, when: annual_sales >= 100, value: A }
      - { id: raw-c, value: C }
  - name: tier
    rules:
      - { id: first, when: is_null(previous.tier), then: { tier: '= raw_tier' } }
      - { id: up, when: raw_tier == \"A\", then: { tier: A } }
      - { id: down-confirmed, when: previous.raw_tier == \"C\", then: { tier: C } }
      - { id: hold, then: { tier: '= previous.tier' } }
  - name: lost
    output: lost
    rules:
      - { id: lost, when: 'days_between(last_order_day, as_of) >= 180', value: true }
      - { id: active, value: false }
  - name: steady
    output: steady
    rules:
      - { id: steady, value: '= held.tier' }
",
    );
    let dir = fx.path("rules/tests");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("time.yaml"),
        "as_of: 2026-09-30
cases:
  - name: no history takes the raw tier
    customer: { annual_sales: 50, last_order_day: 2026-09-01 }
    expect: { tier: C, lost: false }
  - name: one period below holds the tier
    customer: { annual_sales: 50, last_order_day: 2026-09-01 }
    previous: { tier: A, raw_tier: A, held.tier: 3 }
    expect: { tier: A }
  - name: two periods below drops it
    customer: { annual_sales: 50, last_order_day: 2026-09-01 }
    previous: { tier: A, raw_tier: C }
    expect: { tier: C }
  - name: exactly 180 days is lost, as of the case's own date
    customer: { annual_sales: 50, last_order_day: 2026-04-03 }
    as_of: 2026-09-30
    expect: { lost: true }
  - name: 179 days is not
    customer: { annual_sales: 50, last_order_day: 2026-04-03 }
    as_of: 2026-09-29
    expect: { lost: false }
  - name: only outputs have a past
    customer: { annual_sales: 50 }
    previous: { annual_sales: 10 }
    expect: { tier: C }
  - name: a year back, monthly
    customer: { annual_sales: 50, last_order_day: 2026-09-01 }
    previous_12: { tier: A }
    expect: { tier: C, steady: null }
  - name: a tier held counts one period at least
    customer: { annual_sales: 50, last_order_day: 2026-09-01 }
    previous: { tier: A, raw_tier: A }
    expect: { tier: A, steady: 1 }
  - name: a NULL tier held counts 0, as a run stores it
    customer: { annual_sales: 50, last_order_day: 2026-09-01 }
    previous: { tier: null, raw_tier: A }
    expect: { steady: 0 }
  - name: held counts only the previous period
    customer: { annual_sales: 50, last_order_day: 2026-09-01 }
    previous: { tier: A }
    previous_2: { tier: A, held.tier: 2 }
    expect: { tier: A }
  - name: held counts beside its output
    customer: { annual_sales: 50, last_order_day: 2026-09-01 }
    previous: { held.tier: 2 }
    expect: { tier: A }
",
    )
    .unwrap();
    let run = test_in(&fx, &[]);
    run.assert_code(2);
    for passing in [
        "PASS time.yaml: no history takes the raw tier",
        "PASS time.yaml: one period below holds the tier",
        "PASS time.yaml: two periods below drops it",
        "PASS time.yaml: exactly 180 days is lost, as of the case's own date",
        "PASS time.yaml: 179 days is not",
        "PASS time.yaml: a year back, monthly",
        "PASS time.yaml: a tier held counts one period at least",
        "PASS time.yaml: a NULL tier held counts 0, as a run stores it",
    ] {
        assert!(run.stdout.contains(passing), "{passing}\n{}", run.stdout);
    }
    assert!(
        run.stdout.contains(
            "ERROR time.yaml: only outputs have a past\n  error: `annual_sales` is a field, not an output: earlier periods keep outputs only"
        ),
        "{}",
        run.stdout
    );
    // `held.x` is stored beside `x` and read of the previous period only: given elsewhere,
    // it was ignored, and without `x` it tested what no run gives.
    for (case, message) in [
        (
            "held counts only the previous period",
            "`held.tier` is read of the previous period only: give it under `previous:`",
        ),
        (
            "held counts beside its output",
            "`held.tier` counts the periods `tier` had its value: give `tier` beside it",
        ),
    ] {
        assert!(
            run.stdout
                .contains(&format!("ERROR time.yaml: {case}\n  error: {message}")),
            "{case}\n{}",
            run.stdout
        );
    }
}

#[test]
fn copies_and_backups_of_test_files_are_skipped_with_a_warning() {
    // A copy with a failing case and a backup that does not parse: neither is run.
    let failing = PASSING.replace(
        "expect: { tier: A, discount_pct: 10",
        "expect: { tier: C, discount_pct: 10",
    );
    let fx = project(&[
        ("cases.yaml", PASSING),
        ("cases - Copy.yaml", &failing),
        ("cases.yaml~", "cases: [oops"),
        ("._cases.yaml", "\u{0}\u{5}"),
    ]);
    let run = test_in(&fx, &[]);
    run.assert_code(0)
        .assert_stderr_contains(
            "rules/tests/cases - Copy.yaml: skipped: a copy made by Windows Explorer (`- Copy`, `- Kopie`, ...), not a rule file",
        )
        .assert_stderr_contains(
            "rules/tests/._cases.yaml: skipped: a macOS metadata file (`._` name), not a rule file",
        );
    assert_eq!(
        run.stdout.lines().last(),
        Some("8 passed, 0 failed"),
        "{}",
        run.stdout
    );
}

/// An expectation copied from a rounded display (`4.3333` for 13/3) failed with nothing but
/// the two numbers, and one written as a formula (`"= 13 / 3"`) was compared as text: the
/// first says why, the second is refused at its place.
#[test]
fn a_rounded_expectation_says_why_and_a_formula_is_refused() {
    let fx = project(&[(
        "ratio.yaml",
        "cases:\n  - name: a third\n    customer: { annual_sales: 13 }\n    expect: { ratio: 4.3333 }\n",
    )]);
    fx.rule(
        "ratio.yaml",
        "decisions:\n  - name: ratio\n    output: ratio\n    rules:\n      - { id: third, value: '= annual_sales / 3' }\n",
    );
    let run = test_in(&fx, &["--case", "a third"]);
    run.assert_code(1);
    assert!(
        run.stdout.contains(
            "  (ratio: 4.333333333333333 is 4.3333 to the decimals written: expect the value as the rules give it, or round the output, `round: { nearest: 0.0001 }`)\n"
        ),
        "{}",
        run.stdout
    );
    std::fs::write(
        fx.path("rules/tests/ratio.yaml"),
        "cases:\n  - name: a third\n    customer: { annual_sales: 13 }\n    expect: { ratio: '= 13 / 3' }\n",
    )
    .unwrap();
    let run = test_in(&fx, &["--case", "a third"]);
    run.assert_code(2);
    assert!(
        run.stdout
            .contains("`expect` values are not computed: `= 13 / 3` would be compared as text"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("ratio.yaml:4:"), "{}", run.stdout);
}

/// A validator's boundary test, "interest exactly to the cent", passed with a cent off
/// on 10,000,000 and ten euros off on 10,000,000,000: expected decimals compared within a
/// part in a billion (the model-risk validator's F07). They compare within half a unit of
/// their last decimal too.
#[test]
fn an_expectation_a_cent_off_fails_on_large_amounts() {
    let case = |expect: &str| {
        format!(
            "cases:\n  - name: interest\n    customer: {{ annual_sales: 100000000 }}\n    expect: {{ interest: {expect} }}\n"
        )
    };
    let fx = project(&[("interest.yaml", &case("10000000.01"))]);
    fx.rule(
        "interest.yaml",
        "decisions:\n  - name: interest\n    output: interest\n    rules:\n      - { id: interest, value: '= annual_sales * 0.1' }\n",
    );
    let off = test_in(&fx, &["--case", "interest"]);
    off.assert_code(1);
    assert!(off.stdout.contains("1 failed"), "{}", off.stdout);
    for right in ["10000000", "10000000.00", "1.0e7"] {
        std::fs::write(fx.path("rules/tests/interest.yaml"), case(right)).unwrap();
        let run = test_in(&fx, &["--case", "interest"]);
        run.assert_code(0);
    }
}

/// A case whose `expect:` lost its last line passed whatever the rules gave: it is an
/// error at the case, as a case with no `expect` is.
#[test]
fn an_empty_expect_checks_nothing_and_fails_the_case() {
    let tests = "cases:\n  - name: doubles the visits\n    customer: { annual_sales: 10 }\n    expect: {}\n";
    let fx = project(&[("t.yaml", tests)]);
    let run = test_in(&fx, &[]);
    run.assert_code(2);
    assert!(
        run.stdout
            .contains("the case's `expect` is empty, so it checks nothing"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("PASS"), "{}", run.stdout);
}

/// Cases kept in a folder of `rules/tests/` never ran, and `test` passed without them: the
/// folder is said to be skipped.
#[test]
fn a_folder_of_test_files_is_said_to_be_skipped() {
    let fx = project(&[("cases.yaml", PASSING)]);
    std::fs::create_dir(fx.path("rules/tests/credit")).unwrap();
    std::fs::write(fx.path("rules/tests/credit/more.yaml"), PASSING).unwrap();
    let run = test_in(&fx, &[]);
    run.assert_code(0).assert_stderr_contains(
        "rules/tests/credit: skipped: a folder (test files are read from rules/tests itself, not from folders in it)",
    );
}

/// A rule edit its own tests reject (the tier-A cut-off moved, the tests not): `run`
/// recorded the period's official results without a word, `--strict` included, where
/// `serve` refuses the same rules. A note says so; `--strict` refuses and writes nothing.
#[test]
fn a_run_of_rules_their_own_tests_reject_is_noted_and_refused_by_strict() {
    let fx = Fixture::new();
    fx.sales_customers(&[10.0, 900.0]);
    let rules = |cut: u32| {
        format!(
            "decisions:\n  - name: tier\n    rules:\n      - {{ id: a, when: annual_sales >= {cut}, then: {{ tier: A }} }}\n      - {{ id: c, then: {{ tier: C }} }}\n"
        )
    };
    fx.rule("rules.yaml", &rules(500));
    let dir = fx.path("rules/tests");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("t.yaml"),
        "cases:\n  - name: big is A\n    customer: { annual_sales: 600 }\n    expect: { tier: A }\n  - name: small is C\n    customer: { annual_sales: 5 }\n    expect: { tier: C }\n",
    )
    .unwrap();
    let passing = fx.run_ok(&["--as-of", "2026-09-30"]);
    assert!(!passing.stdout.contains("rule tests"), "{}", passing.stdout);
    fx.rule("rules.yaml", &rules(1000));
    let strict = fx.run(&["run", "--as-of", "2026-09-30", "--strict"]);
    strict.assert_code(1);
    strict.assert_stderr_contains("--strict: nothing was written, because the rule tests reject these rules (1 of 2 cases fail, first `t.yaml: big is A`: `tierwise test` shows them)");
    assert_eq!(fx.runs().len(), 1);
    let noted = fx.run_ok(&["--as-of", "2026-09-30"]);
    assert!(
        noted.stdout.contains("note: the rule tests reject these rules (1 of 2 cases fail, first `t.yaml: big is A`: `tierwise test` shows them), so this run's results are of rules their own tests reject (`serve` and `watch` refuse them)"),
        "{}",
        noted.stdout
    );
}
