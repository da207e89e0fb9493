//! Hit policies on the real binary: what a run gives, and the errors that name the rows.

mod common;

use common::{Fixture, column, expect};

/// Customers 1..=3 with a channel and a credit score; payment days decided by `hit`.
fn payment_days(hit: &str) -> Fixture {
    let fx = Fixture::new();
    fx.customers(
        "customer_id INTEGER PRIMARY KEY, channel TEXT, credit_score INTEGER",
        &[
            vec![common::int(1), common::text("wholesale"), common::int(90)],
            vec![common::int(2), common::text("terminal"), common::int(85)],
            vec![common::int(3), common::text("wholesale"), common::int(40)],
        ],
    );
    fx.rule(
        "credit.yaml",
        &format!(
            "decisions:
  - name: payment_days
    hit: {hit}
    output: payment_days
    rules:
      - {{ id: pay-wholesale, when: 'channel == \"wholesale\"', value: 30 }}
      - {{ id: pay-good-credit, when: 'credit_score > 80', value: 30 }}
      - {{ id: pay-cash, when: 'credit_score < 50', value: 0 }}
"
        ),
    );
    fx
}

#[test]
fn any_accepts_rows_that_agree_and_gives_their_value() {
    let fx = payment_days("any");
    std::fs::write(
        fx.path("rules/credit.yaml"),
        std::fs::read_to_string(fx.path("rules/credit.yaml"))
            .unwrap()
            .replace("credit_score < 50", "credit_score < 30"),
    )
    .unwrap();
    fx.run_ok(&[]);
    let latest = fx.latest();
    assert_eq!(
        column(&latest, "payment_days"),
        expect(&[("1", 30), ("2", 30), ("3", 30)])
    );
    // Customer 1 matches both rows that agree; the first of them is recorded.
    assert_eq!(
        column(&latest, "rule_ids")["1"],
        common::text("[\"pay-wholesale\"]")
    );
}

#[test]
fn any_stops_on_rows_that_disagree_naming_both_and_the_customer() {
    let fx = payment_days("any");
    let run = fx.run(&["run"]);
    run.assert_code(1);
    run.assert_stderr_contains(
        "customer 3: decision `payment_days` failed: rules `pay-wholesale` and `pay-cash` both match, but they give different values (30 and 0) and the hit policy `any` needs matching rows to agree",
    );
    // Nothing of the run is kept.
    assert_eq!(fx.policy_row_count(), 0);
}

#[test]
fn unique_stops_on_any_overlap_and_first_takes_the_first() {
    let fx = payment_days("unique");
    fx.run(&["run"]).assert_code(1).assert_stderr_contains(
        "rules `pay-wholesale` and `pay-good-credit` both match, but the hit policy is `unique`",
    );
    let fx = payment_days("first");
    fx.run_ok(&[]);
    assert_eq!(
        column(&fx.latest(), "payment_days"),
        expect(&[("1", 30), ("2", 30), ("3", 30)])
    );
}

/// `value: null` (or `~`, or an empty `value:`) is a row that gives NULL: it matches, its id
/// is recorded, and the first-wins order stops there; it is not "a row that gives no output".
#[test]
fn a_row_with_value_null_gives_null_and_is_recorded() {
    let fx = payment_days("first");
    fx.rule(
        "credit.yaml",
        "decisions:
  - name: payment_days
    output: payment_days
    rules:
      - { id: pay-none, when: 'credit_score < 50', value: null }
      - id: pay-tilde
        when: 'credit_score < 86'
        value: ~
      - id: pay-empty
        when: 'credit_score < 89'
        value:
      - { id: pay-30, value: 30 }
",
    );
    let check = fx.run(&["check"]);
    check.assert_code(0);
    fx.run_ok(&[]);
    let latest = fx.latest();
    assert_eq!(
        column(&latest, "payment_days"),
        expect(&[
            ("1", common::int(30)),
            ("2", common::null()),
            ("3", common::null())
        ])
    );
    assert_eq!(
        column(&latest, "rule_ids")["3"],
        common::text("[\"pay-none\"]")
    );
    assert_eq!(
        column(&latest, "rule_ids")["2"],
        common::text("[\"pay-tilde\"]")
    );
}
