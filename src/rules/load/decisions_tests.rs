use super::super::testing::*;
use crate::rules::{Bound, Condition, HitPolicy, RoundSpec, ValueExpr};
use crate::value::Lit;

fn decision_errors(decisions: &str) -> Vec<String> {
    errors(&[("a.yaml", &format!("decisions:\n{decisions}"))])
}

#[test]
fn rows_give_values_by_output_index() {
    let set = loads(&[(
        "a.yaml",
        "decisions:\n  - name: terms\n    hit: unique\n    rules:\n      - { id: a, when: annual_sales > 100, then: { days: 60, note: big } }\n      - { id: b, when: annual_sales <= 100, then: { note: small, days: '= overdue_days * 2' } }\n",
    )]);
    let d = &set.decisions[0];
    assert_eq!(d.hit, HitPolicy::Unique);
    assert_eq!(d.outputs.len(), 2);
    let names: Vec<&str> = d.outputs.iter().map(|&s| set.slot_name(s)).collect();
    assert_eq!(names, ["days", "note"]);
    let indexes: Vec<Vec<usize>> = d
        .rows
        .iter()
        .map(|r| r.values.iter().map(|(k, _)| *k).collect())
        .collect();
    assert_eq!(indexes, [vec![0, 1], vec![1, 0]]);
    assert!(matches!(d.rows[1].values[1].1, ValueExpr::Formula(_)));
    assert!(!d.decimal);
}

#[test]
fn a_scale_gives_bands_and_caps_and_rounding_apply_to_its_output() {
    let set = loads(&[(
        "a.yaml",
        "decisions:\n  - name: limit\n    output: limit\n    round: { down: 10 }\n    cap: { min: 0, max: '= annual_sales * 2' }\n    scale:\n      of: annual_sales\n      bands:\n        - { id: low, below: 100, value: 1.5 }\n        - { id: high, from: 100, value: 20 }\n",
    )]);
    let d = &set.decisions[0];
    assert_eq!(
        d.scale_of.as_ref().map(|e| e.text.as_str()),
        Some("annual_sales")
    );
    let bands: Vec<(Option<f64>, Option<f64>)> = d
        .rows
        .iter()
        .map(|r| match r.condition {
            Condition::Band { from, below } => (from, below),
            _ => panic!("a band"),
        })
        .collect();
    assert_eq!(bands, [(None, Some(100.0)), (Some(100.0), None)]);
    assert!(d.decimal, "a decimal constant makes the output decimal");
    assert!(matches!(d.round, Some(RoundSpec::Down(s)) if s == 10.0));
    let [min, max] = &d.caps[..] else {
        panic!("two caps: {:?}", d.caps)
    };
    assert!(min.bound == Bound::Min && matches!(min.value, ValueExpr::Const(Lit::Int(0))));
    assert!(max.bound == Bound::Max && matches!(max.value, ValueExpr::Formula(_)));
    assert_eq!(set.rule_ids[max.rule as usize], "limit.max");
}

#[test]
fn the_keys_of_a_decision_must_fit_together() {
    assert_eq!(
        decision_errors(
            "  - name: c1\n    hit: collect\n    rules:\n      - { id: c1a, value: 1 }\n  - name: c2\n    aggregate: sum\n    output: o2\n    rules:\n      - { id: c2a, value: 1 }\n  - name: c3\n    cap: { min: 0 }\n    round: { down: 10 }\n    rules:\n      - { id: c3a, then: { o3: 1 } }\n  - name: c4\n    output: o4\n    rules:\n      - { id: c4a, value: 1 }\n    scale: { of: annual_sales, bands: [] }\n  - name: c5\n    output: o5\n"
        ),
        [
            "error rules/a.yaml:3:10 [c1]: a `collect` decision needs `output:` (the one output its rows' values add up to)",
            "error rules/a.yaml:5:9 [c1a]: `value:` needs the decision to name its `output:`; or use `then: { name: value }`",
            "error rules/a.yaml:7:16 [c2]: `aggregate` only applies to `hit: collect`",
            "error rules/a.yaml:11:5 [c3]: `cap`, `caps`, `capped_by` and `round` apply to the output the decision names in `output:`; add it (`output: credit_limit`)",
            "error rules/a.yaml:16:5 [c4]: a decision has either `rules:` or `scale:` (one of the two)",
            "error rules/a.yaml:21:5 [c5]: a decision has either `rules:` or `scale:` (one of the two)",
        ]
    );
}

#[test]
fn each_row_gives_its_outputs_one_way() {
    assert_eq!(
        decision_errors(
            "  - name: c6\n    output: o6\n    rules:\n      - { id: c6a, value: 1, then: { o6: 2 } }\n      - { id: c6b }\n      - { id: c6c, when: annual_sales >, value: 3 }\n  - name: c8\n    hit: collect\n    output: o8\n    rules:\n      - { id: c8a, then: { o8: 1 } }\n      - { id: c8b, value: 2 }\n"
        ),
        [
            "error rules/a.yaml:5:9 [c6a]: a row gives either `value:` or `then:`, not both",
            "error rules/a.yaml:6:9 [c6b]: this row gives no output: add `value:` or `then:`",
            "error rules/a.yaml:7:40 [c6c]: Script is incomplete",
            "error rules/a.yaml:12:9 [c8a]: rows of a `collect` decision give a `value:` (added up into the output)",
        ]
    );
}

/// An output that is not the decision's own is reported where it is declared, and the
/// decision does not compile, however its rows give it (this used to index past the
/// decision's outputs and panic).
#[test]
fn rows_never_give_an_output_that_is_not_the_decisions() {
    let declared = |name: &str, line: usize, column: usize, what: &str| {
        format!(
            "error rules/a.yaml:{line}:{column}{what}",
            what = what.replace("NAME", name)
        )
    };
    let cases = [
        (
            "annual_sales",
            " [d]: `NAME` is both a column of the customer source and an output of decision `d` | help: rename the output, or drop or rename the column, or select other columns with `customers.query`",
        ),
        (
            "m",
            ": `NAME` is already a metric (at rules/a.yaml:2:6); names must be unique",
        ),
        (
            "p",
            ": `NAME` is already a population figure (at rules/a.yaml:4:6); names must be unique",
        ),
        (
            "tier",
            ": output `NAME` is already produced by decision `tier` (at rules/a.yaml:8:55) | help: each output comes from exactly one decision",
        ),
    ];
    let shapes = [
        "    rules:\n      - { id: r1, when: annual_sales > 1, value: 1 }\n      - { id: r2, value: 2 }\n",
        "    hit: collect\n    rules:\n      - { id: r1, value: 1 }\n",
        "    round: { down: 10 }\n    cap: { max: 100 }\n    scale:\n      of: annual_sales\n      bands:\n        - { id: r1, below: 10, value: 1 }\n        - { id: r2, from: 10, value: 2 }\n",
    ];
    for (name, what) in cases {
        for shape in shapes {
            let yaml = format!(
                "metrics:\n  m: 1\npopulation:\n  p: {{ rank_of: annual_sales }}\n{DECISION}  - name: d\n    output: {name}\n{shape}"
            );
            let output_line = yaml
                .lines()
                .position(|l| l.starts_with("    output:"))
                .unwrap()
                + 1;
            assert_eq!(
                errors(&[("a.yaml", &yaml)]),
                [declared(name, output_line, 13, what)],
                "{yaml}"
            );
        }
    }
}

#[test]
fn by_names_an_output_of_a_max_or_min_decision() {
    let d = |hit: &str, by: &str| {
        format!(
            "decisions:\n  - name: d\n    hit: {hit}\n    by: {by}\n    rules:\n      - {{ id: r, then: {{ a: 1, b: 2 }} }}\n"
        )
    };
    assert_eq!(
        errors(&[("a.yaml", &d("first", "a"))]),
        ["error rules/a.yaml:4:9 [d]: `by:` goes with `hit: max` or `hit: min`, not `hit: first`"]
    );
    assert_eq!(
        errors(&[("a.yaml", &d("min", "c"))]),
        ["error rules/a.yaml:4:9 [d]: `by: c` is not an output of this decision (they are: a, b)"]
    );
    let set = loads(&[("a.yaml", &d("min", "b"))]);
    assert_eq!(set.decisions[0].by, Some(1));
}

#[test]
fn a_cap_whose_min_is_above_its_max_is_an_error() {
    assert_eq!(
        errors(&[(
            "a.yaml",
            "decisions:\n  - name: discount\n    output: discount_pct\n    cap: { min: 12, max: 5 }\n    rules:\n      - { id: d, value: 3 }\n",
        )]),
        [
            "error rules/a.yaml:4:17 [discount.min]: cap `min` 12 is above `max` 5: every customer would get 5; swap them"
        ]
    );
}

#[test]
fn bands_caps_and_rounding_steps_are_checked() {
    assert_eq!(
        decision_errors(
            "  - name: c9\n    scale: { of: annual_sales, bands: [ { id: c9a, value: 1 } ] }\n  - name: c10\n    output: o10\n    round: { nearest: 0 }\n    cap: { min: abc, max: '= bogus' }\n    scale:\n      of: annual_sales\n      bands:\n        - { id: c10a, from: 200, below: 100, value: 2 }\n        - { id: c10b, from: 100, value: '= annual_sales +' }\n"
        ),
        [
            "error rules/a.yaml:2:5 [c9]: a `scale:` decision needs `output:`",
            "error rules/a.yaml:11:11 [c10a]: band `c10a` is empty: `from` (200) must be below `below` (100)",
            "error rules/a.yaml:12:58 [c10b]: Script is incomplete",
            "error rules/a.yaml:7:17 [c10.min]: cap `min` must be a number or an `=` formula",
            "error rules/a.yaml:7:30 [c10.max]: unknown name `bogus` | help: a name must be a column of the customer source (its columns: customer_id, annual_sales, overdue_days, channel, region), a metric, a population figure or a decision's output",
            "error rules/a.yaml:6:12 [c10]: the rounding step must be a number above 0",
        ]
    );
}

/// A limit written as a locale writes numbers, quoted (`"250,00"`, `5.000.000`): said
/// what number to write.
#[test]
fn a_limit_written_with_a_decimal_comma_or_thousands_dots_says_the_number() {
    assert_eq!(
        decision_errors(
            "  - name: c\n    output: o\n    caps:\n      - { id: a, max: \"250,00\" }\n      - { id: b, max: 5.000.000 }\n    rules: [ { id: r, value: 1 } ]\n"
        ),
        [
            "error rules/a.yaml:5:23 [a]: cap `a` max must be a number or an `=` formula: write 250.00 (`250,00` is text)",
            "error rules/a.yaml:6:23 [b]: cap `b` max must be a number or an `=` formula: write 5000000 (`5.000.000` is text)",
        ]
    );
}

/// A step of 1e-320 passed, and every amount divided by it was infinite: refused at load.
#[test]
fn a_rounding_step_too_small_to_divide_by_is_an_error() {
    assert_eq!(
        decision_errors(
            "  - name: c12\n    output: o12\n    round: { nearest: 1.0e-320 }\n    rules:\n      - { id: c12a, value: 5 }\n"
        ),
        [
            "error rules/a.yaml:4:12 [c12]: the rounding step 1e-320 is too small: a step is 0.000000001 or more (a cent is 0.01)",
        ]
    );
}

#[test]
fn a_cap_formula_of_text_or_true_false_is_an_error() {
    assert_eq!(
        decision_errors(
            "  - name: c11\n    output: o11\n    caps:\n      - { id: by-channel, max: '= channel' }\n      - { id: flag, min: '= annual_sales > 5' }\n      - { id: fine, max: '= annual_sales / 10' }\n    rules:\n      - { id: c11a, value: 5 }\n"
        ),
        [
            "error rules/a.yaml:5:32 [by-channel]: cap `by-channel` max must be a number, but `channel` is text",
            "error rules/a.yaml:6:26 [flag]: cap `flag` min must be a number, but `annual_sales > 5` is true/false",
        ]
    );
}

/// A `default:` is one more value of its output: of another kind than the rows', it is a
/// load error at the default (it used to pass `check` and fail a later rule at run time).
#[test]
fn a_default_of_another_kind_than_the_rows_is_an_error_at_the_default() {
    let errors = decision_errors(
        "  - name: terms\n    outputs: [{ name: days, default: fifteen }]\n    rules:\n      - { id: t-big, when: annual_sales > 100, then: { days: 60 } }\n",
    );
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with(
            "error rules/a.yaml:3:38 [default]: output `days` of decision `terms` is a number (row `t-big` gives the number 60), but row `default` gives text \"fifteen\""
        ),
        "{errors:?}"
    );
}
