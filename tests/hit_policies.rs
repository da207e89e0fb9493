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

/// Customers 1..=4 with how many days they are overdue and whether they are new; a risk
/// decided by `hit` over rows written lowest risk first, so that the row order alone would
/// give the wrong answer.
fn risk(hit: &str) -> Fixture {
    let fx = Fixture::new();
    fx.customers(
        "customer_id INTEGER PRIMARY KEY, overdue_days INTEGER, is_new INTEGER",
        &[
            vec![common::int(1), common::int(0), common::int(0)],
            vec![common::int(2), common::int(45), common::int(1)],
            vec![common::int(3), common::int(90), common::int(1)],
            vec![common::int(4), common::int(45), common::int(0)],
        ],
    );
    fx.rule(
        "risk.yaml",
        &format!(
            "decisions:
  - name: risk
    hit: {hit}
    outputs:
      - {{ name: risk, values: [high, medium, low] }}
    rules:
      - {{ id: risk-new, when: 'is_new == 1', then: {{ risk: low }} }}
      - {{ id: risk-late, when: 'overdue_days > 30', then: {{ risk: medium }} }}
      - {{ id: risk-very-late, when: 'overdue_days > 60', then: {{ risk: high }} }}
"
        ),
    );
    fx
}

#[test]
fn priority_gives_the_matching_rows_value_that_comes_first_in_the_declared_values() {
    let fx = risk("priority");
    fx.run_ok(&[]);
    let latest = fx.latest();
    assert_eq!(
        column(&latest, "risk"),
        expect(&[
            ("1", common::null()),
            ("2", common::text("medium")),
            ("3", common::text("high")),
            ("4", common::text("medium")),
        ])
    );
    // The winning row is the one recorded.
    assert_eq!(
        column(&latest, "rule_ids")["3"],
        common::text("[\"risk-very-late\"]")
    );
    // `explain` says why: its value comes first in the declared order.
    let explained = fx.run(&["explain", "3"]);
    assert!(
        explained.stdout.contains(
            "    => risk = high\n       by risk-very-late: of the 3 rows that matched, its `risk` (high) comes first in `values: [high, medium, low]`\n"
        ),
        "{}",
        explained.stdout
    );
    let json = fx.run(&["explain", "3", "--format", "json"]);
    assert!(
        json.stdout.contains("\"rule\": \"risk-very-late\"")
            && json.stdout.contains("\"ties\": 1")
            && json
                .stdout
                .contains("\"compared\": \"comes first in `values: [high, medium, low]`\""),
        "{}",
        json.stdout
    );
}

#[test]
fn priority_without_declared_values_is_refused_at_load_time() {
    let fx = risk("priority");
    let yaml = std::fs::read_to_string(fx.path("rules/risk.yaml")).unwrap();
    fx.rule(
        "risk.yaml",
        &yaml.replace("{ name: risk, values: [high, medium, low] }", "risk"),
    );
    let check = fx.run(&["check"]);
    check.assert_code(2);
    assert!(
        check.stdout.contains("error: `hit: priority` ranks rows by their outputs' declared values: declare them, e.g. `outputs: [{ name: risk, values: [high, medium, low] }]` (in `risk`)\n --> rules/risk.yaml:3:10\n  |\n3 |     hit: priority\n  |          ^"),
        "{}",
        check.stdout
    );
}

#[test]
fn rule_order_and_output_order_list_every_matching_rows_value() {
    let fx = risk("rule_order");
    fx.run_ok(&[]);
    let latest = fx.latest();
    assert_eq!(
        column(&latest, "risk"),
        expect(&[
            ("1", common::text("[]")),
            ("2", common::text("[\"low\",\"medium\"]")),
            ("3", common::text("[\"low\",\"medium\",\"high\"]")),
            ("4", common::text("[\"medium\"]")),
        ])
    );
    assert_eq!(
        column(&latest, "rule_ids")["3"],
        common::text("[\"risk-new\",\"risk-late\",\"risk-very-late\"]")
    );
    let fx = risk("output_order");
    fx.run_ok(&[]);
    let latest = fx.latest();
    assert_eq!(
        column(&latest, "risk")["3"],
        common::text("[\"high\",\"medium\",\"low\"]")
    );
    assert_eq!(
        column(&latest, "rule_ids")["3"],
        common::text("[\"risk-very-late\",\"risk-late\",\"risk-new\"]")
    );
}

/// Several outputs listed by `rule_order`: the k-th value of each list comes from the same
/// row, NULL included (dropping a row's NULL paired `collect` with `engineer`, which no row
/// gives). The defaults are one more row: `owner`'s default beside a NULL `kind`, as JSON
/// like every other customer's value.
#[test]
fn listed_outputs_line_up_row_by_row_and_a_default_is_a_list() {
    let fx = risk("rule_order");
    fx.rule(
        "risk.yaml",
        "decisions:
  - name: action
    hit: rule_order
    outputs:
      - kind
      - { name: owner, default: nobody }
    rules:
      - { id: act-new, when: 'is_new == 1', then: { kind: visit, owner: manager } }
      - { id: act-late, when: 'overdue_days > 30', then: { kind: collect, owner: null } }
      - { id: act-very-late, when: 'overdue_days > 60', then: { kind: null, owner: engineer } }
",
    );
    fx.run_ok(&[]);
    let latest = fx.latest();
    assert_eq!(
        column(&latest, "kind"),
        expect(&[
            ("1", common::text("[null]")),
            ("2", common::text("[\"visit\",\"collect\"]")),
            ("3", common::text("[\"visit\",\"collect\",null]")),
            ("4", common::text("[\"collect\"]")),
        ])
    );
    assert_eq!(
        column(&latest, "owner"),
        expect(&[
            ("1", common::text("[\"nobody\"]")),
            ("2", common::text("[\"manager\",null]")),
            ("3", common::text("[\"manager\",null,\"engineer\"]")),
            ("4", common::text("[null]")),
        ])
    );
    let valid: i64 = fx
        .conn()
        .query_row(
            "SELECT COUNT(*) FROM customer_policy WHERE json_valid(owner) AND json_valid(kind)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(valid, 4);
}

#[test]
fn collect_count_counts_the_matching_rows() {
    let fx = payment_days("collect");
    let yaml = std::fs::read_to_string(fx.path("rules/credit.yaml")).unwrap();
    fx.rule(
        "credit.yaml",
        &yaml.replace("hit: collect", "hit: collect\n    aggregate: count"),
    );
    fx.run_ok(&[]);
    assert_eq!(
        column(&fx.latest(), "payment_days"),
        expect(&[("1", 2), ("2", 1), ("3", 2)])
    );
    // `explain` names the policy and how it combines, apart for programs.
    let explain = fx.run(&["explain", "1", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&explain.stdout).unwrap();
    let d = &v["decisions"][0];
    assert_eq!(
        (&d["hit"], &d["aggregate"]),
        (&"collect".into(), &"count".into())
    );
    assert!(
        fx.run(&["explain", "1"])
            .stdout
            .contains("(hit: collect (count))")
    );
}

/// `explain` under the policies that choose by value: a tie under `priority` (one ranked
/// output: the earlier row), `min` over whole numbers and decimals that tie (5 and 5.0 are
/// the same number), and `min` where no matching row gives a value.
#[test]
fn explain_says_how_a_tie_and_a_null_were_decided() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id INTEGER PRIMARY KEY, overdue_days INTEGER, fee REAL",
        &[vec![common::int(1), common::int(90), common::null()]],
    );
    fx.rule(
        "r.yaml",
        "decisions:
  - name: risk
    hit: priority
    outputs:
      - { name: risk, values: [high, medium, low] }
    rules:
      - { id: r-low, when: 'overdue_days > 0', then: { risk: low } }
      - { id: r-late, when: 'overdue_days > 30', then: { risk: medium } }
      - { id: r-very-late, when: 'overdue_days > 60', then: { risk: medium } }
  - name: cheapest
    hit: min
    output: price
    rules:
      - { id: p-list, value: 7 }
      - { id: p-promo, value: 5 }
      - { id: p-contract, value: 5.0 }
  - name: no_fee
    hit: min
    output: charged
    rules:
      - { id: f-a, value: '= fee' }
      - { id: f-b, value: '= if fee > 0 { fee } else { () }' }
",
    );
    let run = fx.run(&["explain", "1"]);
    run.assert_code(0);
    for line in [
        "       by r-late: of the 3 rows that matched, its `risk` (medium) comes first in `values: [high, medium, low]` (2 rows tie: the earlier row wins)\n",
        "       by p-promo: of the 3 rows that matched, its `price` (5) is the smallest (2 rows tie: the earlier row wins)\n",
        "       by f-a: of the 2 rows that matched, no row that matched gave `charged` a value: the earlier row wins\n",
    ] {
        assert!(run.stdout.contains(line), "{line}\n{}", run.stdout);
    }
}

/// Tables moved from DMN keep DMN's names for hit policies (`U`, `C+`, `RULE ORDER`) and
/// aggregators (`SUM`): each error says how it is written here.
#[test]
fn dmn_names_of_hit_policies_and_aggregates_say_how_they_are_written_here() {
    for (hit, help) in [
        ("U", "help: DMN's `U` is written `hit: unique` here"),
        (
            "UNIQUE",
            "help: DMN's `UNIQUE` is written `hit: unique` here",
        ),
        (
            "C+",
            "help: DMN's `C+` is written `hit: collect` (it sums; `aggregate: sum` says so) here",
        ),
        (
            "C#",
            "help: DMN's `C#` is written `hit: collect` with `aggregate: count` here",
        ),
        (
            "'RULE ORDER'",
            "help: DMN's `RULE ORDER` is written `hit: rule_order` here",
        ),
        ("First", "help: DMN's `First` is written `hit: first` here"),
    ] {
        let fx = payment_days(hit);
        let check = fx.run(&["check"]);
        check.assert_code(2);
        assert!(check.stdout.contains(help), "{hit}: {}", check.stdout);
    }
    let fx = payment_days("collect");
    let yaml = std::fs::read_to_string(fx.path("rules/credit.yaml")).unwrap();
    fx.rule(
        "credit.yaml",
        &yaml.replace("hit: collect", "hit: collect\n    aggregate: SUM"),
    );
    let check = fx.run(&["check"]);
    check.assert_code(2);
    assert!(
        check.stdout.contains("help: did you mean `sum`?"),
        "{}",
        check.stdout
    );
}

/// Under `priority` a row that matches but loses gives nothing: `check --data` said it
/// "matched no customer" while `explain` showed it matching.
#[test]
fn check_data_says_a_row_that_always_lost_gave_nothing_not_that_it_matched_no_one() {
    let fx = risk("priority");
    let check = fx.run(&["check", "--data"]);
    assert!(
        check.stdout.contains("    rows that gave the outputs to no customer: risk-new (under `hit: priority` a row that matches but loses to another gives nothing)"),
        "{}",
        check.stdout
    );
}
