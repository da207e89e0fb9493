//! `tierwise check` points at the character in the file, whatever YAML did to the text: a
//! folded block (`when: >`) and a plain scalar join lines, a quoted one has escapes.

mod common;

use common::*;

/// The `file:line:column` of every diagnostic `check` prints for `rules/a.yaml` holding `yaml`.
fn locations(yaml: &str) -> Vec<String> {
    check(yaml)
        .stdout
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("--> "))
        .map(str::to_owned)
        .collect()
}

/// `tierwise check` on `rules/a.yaml` holding `yaml`, which has errors.
fn check(yaml: &str) -> Run {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, annual_sales REAL, overdue_days INTEGER, channel TEXT",
        &[vec![text("C1"), real(50.0), int(0), text("direct")]],
    );
    fx.rule("a.yaml", yaml);
    let run = fx.run(&["check"]);
    run.assert_code(2);
    run
}

fn at(yaml: &str, needle: &str) -> String {
    let (line, column) = position_of(yaml, needle, 0);
    format!("rules/a.yaml:{line}:{column}")
}

fn decision(when: &str) -> String {
    format!(
        "decisions:\n  - name: tier\n    rules:\n      - id: r\n        when: {when}\n        then: {{ tier: A }}\n"
    )
}

#[test]
fn a_folded_block_points_at_the_line_of_the_mistake() {
    // YAML folds the three lines into one: the mistake is on the third line of the file.
    let yaml = decision(
        ">\n          annual_sales > 1000 &&\n          overdue_days < 3 &&\n          anual_sales < 5",
    );
    assert_eq!(locations(&yaml), [at(&yaml, "anual_sales <")]);
    let yaml = decision(
        ">\n          annual_sales > 1000 &&\n          overdue_days < 3 &&\n          channel = \"x\"",
    );
    assert_eq!(locations(&yaml), [at(&yaml, "= \"x\"")]);
}

#[test]
fn a_plain_scalar_on_several_lines_points_at_the_line_of_the_mistake() {
    let yaml = decision(
        "annual_sales > 1000 &&\n          overdue_days < 3 &&\n          anual_sales < 5",
    );
    assert_eq!(locations(&yaml), [at(&yaml, "anual_sales <")]);
}

#[test]
fn a_string_with_escaped_quotes_points_at_the_column_of_the_mistake() {
    let yaml = decision(r#""channel == \"x\" && anual_sales > 1""#);
    assert_eq!(locations(&yaml), [at(&yaml, "anual_sales")]);
    let yaml = decision("'channel == ''x'' && anual_sales > 1'");
    assert_eq!(locations(&yaml), [at(&yaml, "anual_sales")]);
    let yaml = decision(r#""channel == \"x\" and overdue_days > 1""#);
    assert_eq!(locations(&yaml), [at(&yaml, "and")]);
}

#[test]
fn a_tab_is_pointed_at_on_its_own_line() {
    // The parser blames the plain scalar on the line above; the tab is on the next line.
    let yaml = "decisions:\n  - name: tier\n    rules:\n      - id: r\n        when: annual_sales > 1\n\tthen: { tier: A }\n";
    assert_eq!(locations(yaml), ["rules/a.yaml:6:1"]);
    let run = check(yaml);
    assert!(
        run.stdout.starts_with(
            "error: a tab indents this line\n --> rules/a.yaml:6:1\n  |\n6 |  then: { tier: A }\n  | ^\n  = help: YAML indents with spaces only: replace the tab with spaces"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn a_cycle_of_decisions_is_pointed_at_the_reference_that_closes_it() {
    let yaml = "decisions:\n  - name: discount\n    rules:\n      - { id: d1, when: 'tier == \"A\"', value: 5 }\n      - { id: d2, value: 0 }\n    output: discount_pct\n  - name: tier\n    rules:\n      - { id: t1, when: annual_sales > 1000, then: { tier: A } }\n      - id: t2\n        when: >\n          overdue_days < 3 &&\n          discount_pct > 1\n        then: { tier: B }\n";
    assert_eq!(locations(yaml), [at(yaml, "discount_pct > 1")]);
    let run = check(yaml);
    assert!(
        run.stdout.starts_with(
            "error: decisions depend on each other's outputs in a cycle: `discount` -> `tier` -> `discount` (in `tier`)\n"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("= help: here `tier` uses `discount_pct`, an output of `discount`"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_run_time_error_in_a_folded_block_points_at_the_line_of_the_mistake() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, annual_sales REAL, overdue_days INTEGER, channel TEXT",
        &[vec![text("C1"), real(500.0), null(), text("dealer")]],
    );
    let yaml = decision(
        ">\n          annual_sales > 100 &&\n          channel == \"dealer\" &&\n          sqrt(overdue_days) < 10",
    );
    fx.rule("a.yaml", &yaml);
    let run = fx.run(&["run"]);
    run.assert_code(1);
    let (line, column) = position_of(&yaml, "sqrt(", 0);
    run.assert_stderr_contains("error: customer C1: rule `r` failed: ")
        .assert_stderr_contains(&format!("\n  --> rules/a.yaml:{line}:{column}\n"));
}

#[test]
fn a_run_time_error_in_a_second_script_names_that_script_and_line() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, annual_sales REAL, overdue_days INTEGER, channel TEXT",
        &[vec![text("C1"), real(500.0), int(0), text("dealer")]],
    );
    // rhai names a merged script after its last file: the error is in the second of three.
    fx.rule("helpers.rhai", "fn double(x) {\n    x * 2\n}\n");
    fx.rule("tidy.rhai", "fn tidy(x) {\n    x.trim()\n}\n");
    fx.rule(
        "scores.rhai",
        "// Scores from sales.\n\nfn score(x) {\n    let y = double(x);\n    y / \"k\"\n}\n",
    );
    fx.rule("a.yaml", &decision("score(annual_sales) > 100"));
    let run = fx.run(&["run"]);
    run.assert_code(1)
        .assert_stderr_contains("error: customer C1: rule `r` failed: ")
        .assert_stderr_contains("\n  --> rules/scores.rhai:5:7\n");
    // And in the first script, called from the second.
    fx.rule("helpers.rhai", "fn double(x) {\n    x * \"k\"\n}\n");
    fx.rule(
        "scores.rhai",
        "fn score(x) {\n    let y = double(x);\n    y / 2\n}\n",
    );
    let run = fx.run(&["run"]);
    run.assert_code(1)
        .assert_stderr_contains("\n  --> rules/helpers.rhai:2:7\n");
}

/// A script's run-time error in words, naming the function (Rhai said "Runtime error:
/// division by zero @ 'rules/scores.rhai' in call to function 'score' (from ...)"), and a
/// mistyped name in a script with the name meant.
#[test]
fn a_scripts_errors_are_said_in_words_with_the_function_and_the_name_meant() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, annual_sales REAL, overdue_days INTEGER",
        &[vec![text("C1"), real(500.0), int(0)]],
    );
    fx.rule(
        "scores.rhai",
        "fn score(x, days) {\n    let base = x / 10;\n    base / days\n}\n",
    );
    fx.rule(
        "a.yaml",
        &decision("score(annual_sales, overdue_days) > 100"),
    );
    fx.run(&["run"]).assert_code(1).assert_stderr_contains(
        "error: customer C1: rule `r` failed: division by zero: the divisor is 0 for this customer (test it first) (in script function `score`)\n  --> rules/scores.rhai:3:10\n",
    );
    // `explain` shows what the customer holds, and the row that failed, before the error.
    let explain = fx.run(&["explain", "C1"]);
    explain.assert_code(1);
    let (_, shown) = explain.stdout.split_once('\n').unwrap();
    assert_eq!(
        shown,
        "\nthe evaluation failed at rule `r` (the error follows); below is what it worked out before\n\n\
         fields the rules use\n  annual_sales  500.0\n  overdue_days  0\n\n\
         decisions\n\n  \
           tier (hit: first)\n    \
             ! r  when score(annual_sales, overdue_days) > 100\n        \
               with annual_sales = 500.0, overdue_days = 0\n        \
               failed here (the error follows)\n\n\
         stopped: rule `r` failed\n"
    );
    explain.assert_stderr_contains("error: customer C1: rule `r` failed: division by zero");
    fx.rule(
        "scores.rhai",
        "fn score(x, days) {\n    let base = x / 10;\n    bse / days\n}\n",
    );
    let check = fx.run(&["check"]);
    check.assert_code(2);
    assert!(
        check.stdout.contains("error: unknown name `bse`\n --> rules/scores.rhai:3:5\n  |\n3 |     bse / days\n  |     ^^^\n  = help: did you mean `base`? (a script function sees only its parameters and its own `let`s: pass a field in as a parameter where the function is called)"),
        "{}",
        check.stdout
    );
}
