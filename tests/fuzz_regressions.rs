//! Inputs the fuzzer (`fuzz/`) found that crashed tierwise, minimised, on the real binary:
//! each must now be a clear error (or a result), never a panic.

mod common;

use common::*;

/// Customers with a date column, so `check --data` evaluates the rules on them.
fn fixture() -> Fixture {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, annual_sales REAL, last_order_day DATE",
        &[
            vec![text("C1"), real(10.0), text("2026-04-03")],
            vec![text("C2"), real(20.0), null()],
        ],
    );
    fx
}

fn assert_no_panic(run: &Run) {
    assert!(
        !run.stderr.contains("panicked") && run.code != 101,
        "tierwise panicked (exit {})\n--- stdout\n{}\n--- stderr\n{}",
        run.code,
        run.stdout,
        run.stderr
    );
}

/// fuzz/eval: `add_months` by a number of months near `i64::MAX` overflowed computing the
/// month index (a panic in debug builds; a wrapped index in release) on both paths.
#[test]
fn add_months_by_a_huge_number_is_a_date_out_of_range() {
    let fx = fixture();
    fx.rule(
        "far.yaml",
        "decisions:\n  - name: far\n    output: far_day\n    rules:\n      - { id: far-ahead, value: '= add_months(last_order_day ?? as_of, 9223372036854775807)' }\n",
    );
    let run = fx.run(&["check", "--data"]);
    assert_no_panic(&run);
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(
        all.contains("the date would be outside the years 1 to 9999") && all.contains("far-ahead"),
        "{all}"
    );
}
