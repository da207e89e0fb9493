//! Tests of `symbols.rs`: names, their kinds and where each is declared.

use super::super::testing::*;
use crate::rules::{Condition, SlotKind};

#[test]
fn fields_come_first_then_the_context_then_each_file_in_order() {
    let set = loads(&[
        (
            "a.yaml",
            "metrics:\n  m: annual_sales * 2\npopulation:\n  p: { rank_of: m }\n",
        ),
        ("b.yaml", DECISION),
    ]);
    let slots: Vec<(&str, SlotKind)> = set.slots.iter().map(|(n, k)| (n.as_str(), *k)).collect();
    assert_eq!(
        slots[FIELDS.len()..],
        [
            ("as_of", SlotKind::Context),
            ("period", SlotKind::Context),
            ("m", SlotKind::Metric),
            ("p", SlotKind::Population),
            ("tier", SlotKind::Output),
        ]
    );
    assert_eq!(set.field_count, FIELDS.len());
    assert_eq!(slots[1], ("annual_sales", SlotKind::Field));
}

#[test]
fn a_name_may_be_used_before_the_file_that_defines_it() {
    let set = loads(&[
        (
            "a.yaml",
            "decisions:\n  - name: d\n    output: big\n    rules:\n      - { id: r, when: m > 1, value: true }\n",
        ),
        ("b.yaml", "metrics:\n  m: annual_sales / 12\n"),
    ]);
    let Condition::When(e) = &set.decisions[0].rows[0].condition else {
        panic!("a condition")
    };
    assert_eq!(e.vars[0].0.as_str(), "m");
    assert_eq!(set.slots[e.vars[0].1].1, SlotKind::Metric);
}

#[test]
fn names_must_be_identifiers_and_unique() {
    assert_eq!(
        errors(&[(
            "a.yaml",
            &format!(
                "metrics:\n  1x: annual_sales\n  channel: 1\n  m: 2\npopulation:\n  m: {{ rank_of: annual_sales }}\n  p-x: {{ rank_of: annual_sales }}\n{DECISION}"
            )
        )]),
        [
            "error rules/a.yaml:2:7: `1x` is not a valid metric name | help: names use letters, digits and `_`, and do not start with a digit",
            "error rules/a.yaml:3:12: `channel` is already a field; names must be unique",
            "error rules/a.yaml:6:6: `m` is already a metric (at rules/a.yaml:4:6); names must be unique",
            "error rules/a.yaml:7:8: `p-x` is not a valid population figure name | help: names use letters, digits and `_`, and do not start with a digit",
        ]
    );
}

#[test]
fn outputs_are_not_the_output_tables_columns_nor_another_decisions() {
    assert_eq!(
        errors(&[(
            "a.yaml",
            "decisions:\n  - name: d1\n    rules:\n      - { id: a, then: { rule_ids: 1, x: 1, 'x-y': 2 } }\n  - name: d2\n    rules:\n      - { id: b, then: { x: 2, y: 1 } }\n  - name: d1\n    rules:\n      - { id: c, then: { z: 3 } }\n"
        )]),
        [
            "error rules/a.yaml:4:36: `rule_ids` is a column of the output table itself; choose another output name",
            "error rules/a.yaml:4:52: `x-y` is not a valid output name | help: names use letters, digits and `_`, and do not start with a digit",
            "error rules/a.yaml:7:29: output `x` is already produced by decision `d1` (at rules/a.yaml:4:39) | help: each output comes from exactly one decision",
            "error rules/a.yaml:8:11: decision `d1` is defined twice (first at rules/a.yaml:2:11)",
        ]
    );
}

/// A decision defined twice whose copies declare their `outputs:` (a YAML file and a
/// spreadsheet of the same table, a file brought back from git): the duplicate is said,
/// not also "`output: x` is not one of the outputs declared (x)" of a name it declares.
#[test]
fn a_decision_defined_twice_with_declared_outputs_is_said_once() {
    let copy = "  - name: visits\n    outputs: [visits_per_month]\n    output: visits_per_month\n    rules:\n      - { id: ID, value: 2 }\n";
    let errors = errors(&[
        (
            "a.yaml",
            &format!("decisions:\n{}", copy.replace("ID", "v-a")),
        ),
        (
            "b.yaml",
            &format!("decisions:\n{}", copy.replace("ID", "v-b")),
        ),
    ]);
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors
            .iter()
            .any(|e| e.contains("decision `visits` is defined twice")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .all(|e| !e.contains("is not one of the outputs declared")),
        "{errors:?}"
    );
}

/// `fired` is the policy table's own column (the run's list of rules): an output of that
/// name was thrown away and `previous.fired` read the list's number; and SQLite
/// compares column names without case, so `Tier` beside `tier` failed only at the write.
#[test]
fn outputs_are_no_column_of_the_output_table_in_any_case() {
    assert_eq!(
        errors(&[(
            "a.yaml",
            "decisions:\n  - name: d1\n    rules:\n      - { id: a, then: { tier: A, fired: 7, Run_Id: 1 } }\n  - name: d2\n    rules:\n      - { id: b, then: { Tier: 1 } }\n"
        )]),
        [
            "error rules/a.yaml:4:42: `fired` is a column of the output table itself; choose another output name",
            "error rules/a.yaml:4:53: `Run_Id` is a column of the output table itself (`run_id`: SQLite compares column names without case); choose another output name",
            "error rules/a.yaml:7:32: output `Tier` and output `tier` (at rules/a.yaml:4:26) would be one column of the output table: SQLite compares column names without case; choose names that differ in more than case",
        ]
    );
}

/// `Period`, `AS_OF` and `period_kind` were accepted, and the views hid them behind their own
/// columns (`SELECT period_kind FROM customer_policy_latest` gave `month`, not the output).
#[test]
fn outputs_are_no_column_of_the_views_in_any_case() {
    assert_eq!(
        errors(&[(
            "a.yaml",
            "decisions:\n  - name: d1\n    rules:\n      - { id: a, then: { Period: A, period_kind: 7, AS_OF: 1 } }\n"
        )]),
        [
            "error rules/a.yaml:4:34: `Period` is a column the views of the output table give themselves (`period`, in `..._latest` and `..._by_period`; SQLite compares column names without case); choose another output name",
            "error rules/a.yaml:4:50: `period_kind` is a column the views of the output table give themselves (`period_kind`, in `..._latest` and `..._by_period`; SQLite compares column names without case); choose another output name",
            "error rules/a.yaml:4:60: `AS_OF` is a column the views of the output table give themselves (`as_of`, in `..._latest` and `..._by_period`; SQLite compares column names without case); choose another output name",
        ]
    );
}

#[test]
fn an_output_named_like_a_column_is_an_error_where_it_is_declared() {
    let rules = "decisions:\n  - name: credit_limit\n    output: credit_limit\n    rules:\n      - { id: a, when: 'credit_limit > 1', value: 1 }\n  - name: d\n    rules:\n      - { id: b, then: { channel: x, t: 1 } }\n      - { id: c, then: { t: 2,  channel: y } }\n";
    let columns = [FIELDS, &[("credit_limit", "REAL")]].concat();
    let all = load_with(&[("a.yaml", rules)], &columns, &Default::default()).unwrap_err();
    const HELP: &str = "help: rename the output, or drop or rename the column, or select other columns with `customers.query`";
    assert_eq!(
        all,
        [
            format!(
                "error rules/a.yaml:3:13 [credit_limit]: `credit_limit` is both a column of the customer source and an output of decision `credit_limit` | {HELP}"
            ),
            // A `then:` key is pointed at, not its value.
            format!(
                "error rules/a.yaml:8:26 [d]: `channel` is both a column of the customer source and an output of decision `d` | {HELP}"
            ),
            format!(
                "error rules/a.yaml:9:33 [d]: `channel` is both a column of the customer source and an output of decision `d` | {HELP}"
            ),
        ]
    );
}

#[test]
fn the_column_clash_underlines_the_name() {
    let dir = rule_dir(&[(
        "a.yaml",
        b"decisions:\n  - name: d\n    output: channel\n    rules:\n      - { id: a, value: 1 }\n",
    )]);
    let all = crate::rules::load(
        &dir.path().join("rules"),
        &fields(FIELDS),
        &Default::default(),
    )
    .unwrap_err();
    assert_eq!(all.0.len(), 1);
    assert_eq!((all.0[0].line, all.0[0].column, all.0[0].width), (3, 13, 7));
    assert_eq!(all.0[0].rule.as_deref(), Some("d"));
}

#[test]
fn an_output_only_a_few_rows_give_and_close_to_a_common_one_is_a_typo() {
    let yaml = "decisions:\n  - name: tier\n    rules:\n      - { id: a, when: annual_sales > 100, then: { tier: A } }\n      - { id: b, when: annual_sales > 50, then: { tire: B } }\n      - { id: c, then: { tier: C } }\n  - name: seg\n    rules:\n      - { id: s, when: 'tire == \"B\"', then: { seg: x } }\n";
    assert_eq!(
        errors(&[("a.yaml", yaml)]),
        [
            "error rules/a.yaml:5:51 [b]: row `b` gives `tire`, which the other rows of decision `tier` do not give | help: did you mean `tier`?",
            // Not declared: the typo is not an output others can use.
            "error rules/a.yaml:9:25 [s]: unknown name `tire` | help: did you mean `tier`?",
        ]
    );
}

#[test]
fn rule_ids_are_valid_and_unique_and_caps_have_their_own() {
    assert_eq!(
        errors(&[(
            "a.yaml",
            "decisions:\n  - name: d\n    rules:\n      - { id: 'bad id', then: { x: 1 } }\n      - { id: r, then: { x: 2 } }\n      - { id: r, then: { x: 3 } }\n"
        )]),
        [
            "error rules/a.yaml:4:15: `bad id` is not a valid rule id | help: rule ids use letters, digits, `-`, `_` and `.`",
            "error rules/a.yaml:6:15: rule id `r` is used twice (first at rules/a.yaml:5:15)",
        ]
    );
    let set = loads(&[(
        "a.yaml",
        "decisions:\n  - name: limit\n    output: limit\n    cap: { min: 0, max: 10 }\n    scale:\n      of: annual_sales\n      bands:\n        - { id: low, below: 100, value: 1 }\n        - { id: high, from: 100, value: 20 }\n",
    )]);
    assert_eq!(set.rule_ids, ["low", "high", "limit.min", "limit.max"]);
    let origins: Vec<(usize, usize)> = set
        .rule_origins
        .iter()
        .map(|o| (o.line, o.column))
        .collect();
    assert_eq!(origins, [(8, 17), (9, 17), (4, 17), (4, 25)]);
}
