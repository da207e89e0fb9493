//! The sandbox the rules run in, on the real binary: limits beyond what the evaluation
//! threads' stack holds are refused with the maximum, deep recursion stops with an error
//! naming the customer (never a stack overflow that kills the process), and rules cannot
//! wait or read the clock.

mod common;

use common::Fixture;

/// Customers with sales, a rule set whose tier comes from a recursive script function.
fn recursive_fixture(limits: &str) -> Fixture {
    let fx = Fixture::new();
    fx.sales_customers(&[1.0, 2.0, 3.0]);
    std::fs::write(
        fx.path("config.yaml"),
        format!("database: customers.db\nrules: rules\nlimits: {limits}\n"),
    )
    .unwrap();
    fx.rule(
        "deep.rhai",
        "fn depth(n) { if n <= 0 { 0 } else { 1 + depth(n - 1) } }\n",
    );
    fx.rule(
        "tiers.yaml",
        "decisions:\n  - name: tier\n    rules:\n      - { id: deep, when: 'depth(annual_sales * 100000) > 0', then: { tier: A } }\n      - { id: rest, then: { tier: C } }\n",
    );
    fx
}

#[test]
fn a_call_level_limit_beyond_the_stack_is_a_config_error_naming_the_maximum() {
    let fx = recursive_fixture("{ max_call_levels: 1000 }");
    for command in ["check", "run", "test"] {
        let run = fx.run(&[command]);
        run.assert_code(2);
        run.assert_stderr_contains(
            "limits.max_call_levels: 1000 is more than the evaluation threads' stack holds; the most is 100",
        );
    }
    let fx = recursive_fixture("{ max_expr_depth: 100000 }");
    fx.run(&["check"])
        .assert_code(2)
        .assert_stderr_contains("limits.max_expr_depth: 100000")
        .assert_stderr_contains("the most is 100");
}

#[test]
fn a_zero_limit_is_refused_rather_than_meaning_no_limit() {
    let fx = recursive_fixture("{ max_operations: 0 }");
    fx.run(&["run"])
        .assert_code(2)
        .assert_stderr_contains("limits.max_operations: 0 would mean no limit at all");
}

#[test]
fn a_limit_too_large_to_hold_is_said_as_such() {
    let fx = recursive_fixture("{ max_operations: 99999999999999999999 }");
    fx.run(&["check"]).assert_code(2).assert_stderr_contains(
        "error: `99999999999999999999` is too large a number here\n --> config.yaml:3:27",
    );
    // A negative number or a decimal is no whole number of 0 or more, however long.
    for written in ["-99999999999999999999", "99999999999999999999.5"] {
        let fx = recursive_fixture(&format!("{{ max_operations: {written} }}"));
        let check = fx.run(&["check"]);
        check.assert_stderr_contains("expected a whole number (0 or more) here");
    }
    // Not a number at all is said as before.
    let fx = recursive_fixture("{ max_operations: lots }");
    (fx.run(&["check"])).assert_stderr_contains("expected a whole number (0 or more) here");
}

#[test]
fn recursion_at_the_largest_limits_is_an_error_for_the_customer_not_a_crash() {
    let fx = recursive_fixture("{ max_call_levels: 100, max_expr_depth: 100 }");
    for args in [&["run"][..], &["explain", "1"], &["check", "--data"]] {
        let run = fx.run(args);
        assert!(
            run.code == 1,
            "{args:?}: exit {} (134 is a stack overflow)\n{}",
            run.code,
            run.stderr
        );
        let text = format!("{}{}", run.stdout, run.stderr);
        assert!(text.contains("rule `deep`"), "{args:?}:\n{text}");
    }
}

#[test]
fn rules_cannot_sleep_or_read_the_clock() {
    let fx = Fixture::new();
    fx.sales_customers(&[1.0]);
    fx.rule(
        "tiers.yaml",
        "decisions:\n  - name: tier\n    rules:\n      - { id: slow, when: 'sleep(60) == ()', then: { tier: A } }\n      - { id: clock, when: 'timestamp() == ()', then: { tier: B } }\n      - { id: rest, then: { tier: C } }\n",
    );
    // `check` reports on stdout; `run` refuses to start, on stderr.
    let check = fx.run(&["check"]);
    check.assert_code(2);
    for name in ["sleep", "timestamp"] {
        let message = format!("unknown function `{name}`");
        assert!(check.stdout.contains(&message), "{}", check.stdout);
    }
    assert!(
        check
            .stdout
            .contains("help: rules cannot wait, read the clock or stop a script"),
        "{}",
        check.stdout
    );
    fx.run(&["run"])
        .assert_code(2)
        .assert_stderr_contains("unknown function `sleep`");
}

#[test]
fn serve_answers_deep_recursion_with_an_error_and_keeps_serving() {
    let fx = recursive_fixture("{ max_call_levels: 100, max_expr_depth: 100 }");
    let (_serve, addr) = common::Spawned::serve(fx.dir.path(), &[]);
    let answer = common::http::get(&addr, "/customers/1/policy");
    assert_eq!(answer.status, 422, "{}", answer.text);
    assert!(answer.text.contains("rule `deep`"), "{}", answer.text);
    assert_eq!(common::http::get(&addr, "/health").status, 200);
}
