//! Kinds of values on the real binary: text and numbers never compare (an error, never a
//! silent false), text minus text is no subtraction, BOOLEAN columns are true/false, and
//! run-time type errors name the NULL field or the text value in words.

mod common;

use common::*;

fn one_rule(fx: &Fixture, when_or_value: &str) {
    fx.rule(
        "r.yaml",
        &format!(
            "decisions:\n  - name: d\n    output: o\n    rules:\n      - {{ id: r-x, {when_or_value} }}\n"
        ),
    );
}

#[test]
fn a_boolean_column_is_true_or_false_on_both_paths() {
    for declared in ["BOOLEAN", "bool"] {
        let fx = Fixture::new();
        fx.customers(
            &format!("customer_id TEXT PRIMARY KEY, ok {declared}"),
            &[
                vec![text("yes"), int(1)],
                vec![text("no"), int(0)],
                vec![text("unknown"), null()],
            ],
        );
        fx.rule(
            "r.yaml",
            "decisions:\n  - name: eq\n    output: eq\n    rules:\n      - { id: eq-true, when: ok == true, value: T }\n      - { id: eq-other, value: F }\n  - name: bare\n    output: bare\n    rules:\n      - { id: bare-ok, when: ok, value: T }\n      - { id: bare-other, value: F }\n  - name: both\n    output: kept\n    rules:\n      - { id: kept, value: '= ok' }\n",
        );
        fx.run(&["run"]).assert_code(0);
        let p = fx.latest();
        let expected = expect(&[("yes", "T"), ("no", "F"), ("unknown", "F")]);
        assert_eq!(column(&p, "eq"), expected, "{declared}");
        assert_eq!(column(&p, "bare"), expected, "{declared}");
        // Stored as SQLite stores true/false; NULL stays NULL.
        assert_eq!(
            column(&p, "kept"),
            expect(&[("yes", int(1)), ("no", int(0)), ("unknown", null())]),
            "{declared}"
        );
    }
}

/// A NULL flag under `&&`, `||` or `!`: the error named no field ("NULL where true/false
/// is needed"), and for `!` advised `vip ?? 0`, which fails next (`!` of a number). It
/// names the field and a default that works, which the run then takes.
#[test]
fn a_null_flag_in_and_or_not_is_named_with_a_default_that_works() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, vip BOOLEAN, seg TEXT",
        &[
            vec![text("yes"), int(1), text("KA")],
            vec![text("unknown"), null(), text("KA")],
        ],
    );
    for (when, error) in [
        (
            r#"'vip && seg == "KA"'"#,
            "`vip` is NULL for this customer, where true or false is needed (test `is_null(vip)` first, or, for a true/false field, give a default with `(vip ?? false)`)",
        ),
        (
            r#"'seg == "KA" && vip'"#,
            "`vip` is NULL for this customer, where true or false is needed",
        ),
        (
            "'!vip'",
            "`vip` is NULL for this customer, and `!` needs a value (test it with `is_null(vip)` or give a default with `vip ?? false`)",
        ),
    ] {
        one_rule(
            &fx,
            &format!("when: {when}, value: T }}\n      - {{ id: r-else, value: F"),
        );
        fx.run(&["run"])
            .assert_code(1)
            .assert_stderr_contains("customer unknown: rule `r-x` failed: ")
            .assert_stderr_contains(error);
    }
    one_rule(
        &fx,
        "when: '(vip ?? false) && seg == \"KA\"', value: T }\n      - { id: r-else, value: F",
    );
    fx.run(&["run"]).assert_code(0);
    assert_eq!(
        column(&fx.latest(), "o"),
        expect(&[("yes", "T"), ("unknown", "F")])
    );
    one_rule(
        &fx,
        "when: '!(vip ?? false)', value: T }\n      - { id: r-else, value: F",
    );
    fx.run(&["run"]).assert_code(0);
    assert_eq!(
        column(&fx.latest(), "o"),
        expect(&[("yes", "F"), ("unknown", "T")])
    );
}

#[test]
fn a_boolean_column_holding_anything_but_0_or_1_is_an_error_naming_customer_column_and_value() {
    for (bad, shown) in [(int(2), "the number 2"), (text("yes"), "the text \"yes\"")] {
        let fx = Fixture::new();
        fx.customers(
            "customer_id TEXT PRIMARY KEY, ok BOOLEAN",
            &[vec![text("C1"), int(1)], vec![text("C2"), bad]],
        );
        one_rule(&fx, "when: ok, value: T");
        fx.run(&["run"]).assert_code(1).assert_stderr_contains(&format!(
            "customer C2: column `ok` holds {shown}, which is not true/false\n  = help: a BOOLEAN column holds 1 (true), 0 (false) or NULL"
        ));
    }
}

/// A column without a declared type that holds numbers for most customers and text for
/// one: only evaluation can tell.
fn mixed_column(fx: &Fixture) {
    fx.customers(
        "customer_id TEXT PRIMARY KEY, score, last_day, first_day, discount REAL, region TEXT",
        &[
            vec![
                text("C1"),
                int(5),
                int(19980601),
                int(19980101),
                real(0.1),
                text("north"),
            ],
            vec![
                text("C2"),
                text("n/a"),
                text("1998-05-28"),
                text("1998-01-02"),
                null(),
                text("south"),
            ],
        ],
    );
}

#[test]
fn text_compared_with_a_number_is_an_error_naming_customer_rule_and_values() {
    let fx = Fixture::new();
    mixed_column(&fx);
    one_rule(&fx, "when: 'last_day < 19980101', value: old");
    let run = fx.run(&["run"]);
    run.assert_code(1).assert_stderr_contains(
        "customer C2: rule `r-x` failed: `last_day` is text \"1998-05-28\", compared with the number 19980101: text and numbers never compare (compare dates as dates: `date(last_day)` with a date such as `date(\"2025-01-01\")`)\n  --> rules/r.yaml:5:36",
    );
}

#[test]
fn text_minus_text_is_an_error_never_text() {
    let fx = Fixture::new();
    mixed_column(&fx);
    one_rule(&fx, "value: '= last_day - first_day'");
    fx.run(&["run"]).assert_code(1).assert_stderr_contains(
        "customer C2: rule `r-x` failed: `last_day` is text \"1998-05-28\" and `first_day` is text \"1998-01-02\": `-` needs numbers, and text cannot be subtracted (for the days between two dates write `days_between(date(first_day), date(last_day))`)",
    );
}

#[test]
fn type_errors_name_the_null_field_or_the_text_value_never_rhai_types() {
    let cases = [
        (
            "value: '= discount * 100'",
            "customer C2: rule `r-x` failed: `discount` is NULL for this customer, and `*` needs a value (test it with `is_null(discount)` or give a default with `discount ?? 0`)",
        ),
        (
            "value: '= sqrt(discount)'",
            "customer C2: rule `r-x` failed: `discount` is NULL for this customer, and `sqrt` needs a value (test it with `is_null(discount)` or give a default with `discount ?? 0`)",
        ),
        (
            "value: '= score * 2'",
            "customer C2: rule `r-x` failed: `score` is text \"n/a\", and `*` needs numbers (convert text to a number with `parse_float(score)`)",
        ),
        (
            "when: 'score > 3', value: high",
            "customer C2: rule `r-x` failed: `score` is text \"n/a\", compared with the number 3: text and numbers never compare (convert the text to a number with `parse_float(score)`, or compare it with text)",
        ),
    ];
    for (rule, message) in cases {
        let fx = Fixture::new();
        mixed_column(&fx);
        one_rule(&fx, rule);
        let run = fx.run(&["run"]);
        run.assert_code(1).assert_stderr_contains(message);
        for rhai_type in ["f64", "i64", "()", "ImmutableString", "Dynamic", "&str"] {
            assert!(
                !run.stderr.contains(rhai_type),
                "{rule}: `{rhai_type}` in {}",
                run.stderr
            );
        }
    }
}

/// Columns that declare no type and hold only text (ISO dates, as a query or
/// `CREATE TABLE ... AS SELECT` gives them).
fn text_dates(fx: &Fixture) {
    fx.customers(
        "customer_id TEXT PRIMARY KEY, first_day, last_day",
        &[
            vec![text("C1"), text("1997-03-01"), text("1998-05-28")],
            vec![text("C2"), text("1998-01-02"), text("1999-11-30")],
        ],
    );
}

#[test]
fn text_in_an_untyped_column_compared_with_a_number_is_an_error_before_any_customer() {
    let fx = Fixture::new();
    text_dates(&fx);
    one_rule(&fx, "when: 'last_day < 19980101', value: old");
    let expected = "error: field `last_day` is text (in the data: its column declares no type), but it is compared with a number `19980101` (in `r-x`)\n --> rules/r.yaml:5:36";
    let help = "= help: text and numbers never compare: for dates, compare `date(last_day)` with a date such as `date(\"2025-01-01\")`; for numbers kept as text, convert with `parse_float(last_day)`";
    refused_before_any_customer(&fx, expected, help);
}

/// `check` cannot know what a column without a type holds; `check --data` and `run` can,
/// and say `error` and its `help` before evaluating anyone.
fn refused_before_any_customer(fx: &Fixture, error: &str, help: &str) {
    fx.run(&["check"]).assert_code(0);
    refused_by(fx, &[&["check", "--data"], &["run"]], error, help);
}

/// Each of `commands` says `error` and its `help` (exit 2), and nothing is evaluated.
fn refused_by(fx: &Fixture, commands: &[&[&str]], error: &str, help: &str) {
    for &args in commands {
        let run = fx.run(args);
        run.assert_code(2);
        let all = format!("{}{}", run.stdout, run.stderr);
        assert!(
            all.contains(error) && all.contains(help),
            "{args:?}:\n{all}"
        );
    }
    assert!(!fx.has_policy_table(), "nothing was evaluated");
}

#[test]
fn text_minus_text_in_untyped_columns_is_an_error_before_any_customer() {
    let fx = Fixture::new();
    text_dates(&fx);
    one_rule(&fx, "value: '= last_day - first_day'");
    fx.run(&["run"]).assert_code(2).assert_stderr_contains(
        "error: field `last_day` and field `first_day` are text (in the data: its column declares no type), and `-` needs numbers: text cannot be subtracted (in `r-x`)",
    ).assert_stderr_contains(
        "= help: for the days between two dates write `days_between(date(first_day), date(last_day))`",
    );
    // What the help says works.
    one_rule(
        &fx,
        "value: '= days_between(date(first_day), date(last_day))'",
    );
    fx.run(&["run"]).assert_code(0);
    assert_eq!(
        column(&fx.latest(), "o"),
        expect(&[("C1", 453), ("C2", 697)])
    );
}

#[test]
fn declared_text_compared_with_a_number_column_is_a_load_error() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, last_day TEXT, cutoff INTEGER",
        &[vec![text("C1"), text("1998-05-28"), int(19980101)]],
    );
    one_rule(&fx, "when: 'last_day < cutoff', value: old");
    check_refuses(
        &fx,
        &[
            "error: field `last_day` is text, but it is compared with field `cutoff`, which is a number (in `r-x`)\n --> rules/r.yaml:5:36",
        ],
    );
}

/// `check` refuses the rules (exit 2), saying each of `said`.
fn check_refuses(fx: &Fixture, said: &[&str]) {
    let check = fx.run(&["check"]);
    check.assert_code(2);
    for s in said {
        assert!(check.stdout.contains(s), "{s}\n---\n{}", check.stdout);
    }
}

/// A column that declares no type holding 1/0, as SQLite stores true/false.
fn flags(fx: &Fixture, second: rusqlite::types::Value) {
    fx.customers(
        "customer_id TEXT PRIMARY KEY, flag",
        &[vec![text("C1"), int(1)], vec![text("C2"), second]],
    );
}

#[test]
fn true_false_compared_with_a_number_column_is_an_error_never_a_silent_false() {
    // Before any customer, when the data says the column holds numbers.
    let fx = Fixture::new();
    flags(&fx, int(0));
    one_rule(&fx, "when: flag == true, value: T");
    refused_before_any_customer(
        &fx,
        "error: field `flag` is a number (in the data: its column declares no type), but it is compared with true/false `true` (in `r-x`)\n --> rules/r.yaml:5:31",
        "= help: true/false compares only with true/false; SQLite stores them as 1 and 0: declare the column BOOLEAN, or compare `flag == 1`",
    );
    // At run time, naming the customer, when only evaluation can tell.
    let fx = Fixture::new();
    flags(&fx, text("yes"));
    one_rule(&fx, "when: flag == true, value: T");
    fx.run(&["run"]).assert_code(1).assert_stderr_contains(
        "customer C1: rule `r-x` failed: `flag` is the number 1, compared with true: true/false compares only with true/false (SQLite stores true/false as 1 and 0: declare the column BOOLEAN, or compare `flag == 1`)\n  --> rules/r.yaml:5:31",
    );
    // What the help says works.
    let fx = Fixture::new();
    flags(&fx, int(0));
    one_rule(&fx, "when: flag == 1, value: T");
    fx.run(&["run"]).assert_code(0);
}

#[test]
fn diff_checks_the_data_against_both_rule_sets_as_a_run_does() {
    let fx = Fixture::new();
    text_dates(&fx);
    one_rule(&fx, "value: '= last_day'");
    std::fs::create_dir_all(fx.path("base")).unwrap();
    std::fs::copy(fx.path("rules/r.yaml"), fx.path("base/r.yaml")).unwrap();
    one_rule(&fx, "when: 'last_day < 19980101', value: old");
    fx.run(&["diff", "--base", "base"]).assert_code(2).assert_stderr_contains(
        "error: field `last_day` is text (in the data: its column declares no type), but it is compared with a number `19980101` (in `r-x`)\n --> rules/r.yaml:5:36",
    );
}

/// `check --data` reports the data's kind errors with the lint warnings, except those about
/// a decision the data does not fit: a lint reasons about the values the rules compare with,
/// and beside "`last_day` is text" it named a customer "whose `last_day` is 1997".
#[test]
fn check_data_reports_a_data_kind_error_with_the_other_decisions_lint_warnings() {
    let fx = Fixture::new();
    text_dates(&fx);
    // Two tables without a last row without `when`: one the data does not fit.
    fx.rule(
        "r.yaml",
        "decisions:\n  - name: era\n    rules:\n      - { id: old, when: 'last_day in [1998, 1999]', then: { era: old } }\n  - name: span\n    rules:\n      - { id: known, when: '!is_null(first_day)', then: { span: known } }\n",
    );
    let check = fx.run(&["check", "--data"]);
    check.assert_code(2);
    let out = format!("{}{}", check.stdout, check.stderr);
    assert!(
        out.contains("error: field `last_day` is text (in the data: its column declares no type), but it is compared with a number `1998` (in `old`)"),
        "{out}"
    );
    assert!(
        out.contains("warning[TW106]: customers whose `first_day` is NULL get no value for `span`"),
        "{out}"
    );
    assert!(
        !out.contains("1997"),
        "a value the column cannot hold: {out}"
    );
    assert!(
        out.contains("1 error, 1 warning in the rule files"),
        "{out}"
    );
    // A warning every `for_each` copy shares names them all: dropped too.
    fx.rule(
        "r.yaml",
        "decisions:\n  - name: band\n    for_each: { region: [n, s] }\n    output: band\n    scale:\n      of: last_day - 19000000\n      bands:\n        - { id: mid, from: 980000, below: 990000, value: M }\n",
    );
    let check = fx.run(&["check"]);
    check.assert_code(0);
    assert!(
        check
            .stdout
            .contains("warning[TW104]: values below 980000 get no band (in `mid@n, mid@s`)"),
        "{}",
        check.stdout
    );
    let check = fx.run(&["check", "--data"]);
    check.assert_code(2);
    let out = format!("{}{}", check.stdout, check.stderr);
    // One error for both copies, as at load time.
    assert!(
        out.contains("and `-` needs numbers (in `band@n, band@s`)"),
        "{out}"
    );
    assert!(out.contains("1 error in the rule files"), "{out}");
    assert!(!out.contains("TW104"), "{out}");
}

/// Rhai keeps only a `switch`'s case hashes: a case of another kind than the value never
/// matches, and the switch gave NULL for every customer, silently. Each case is checked as
/// the comparison it is.
#[test]
fn a_switch_case_of_another_kind_than_its_value_is_an_error_never_a_silent_null() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, channel TEXT, visits INTEGER",
        &[vec![text("C1"), text("KA"), int(2)]],
    );
    one_rule(
        &fx,
        "value: '= switch channel { 1 => \"key\", \"BC\" => \"direct\", _ => \"other\" }'",
    );
    check_refuses(
        &fx,
        &[
            "error: field `channel` is text, but the switch case `1` is a number: it never matches (in `r-x`)\n --> rules/r.yaml:5:47",
            "= help: write the case as text: \"1\"",
        ],
    );
    // Cases of the value's kind, a guard and the default are fine, and run.
    one_rule(
        &fx,
        "value: '= switch visits { 1 | 2 if channel == \"KA\" => \"few\", 3..10 => \"some\", _ => \"many\" }'",
    );
    fx.run(&["check"]).assert_code(0);
    fx.run(&["run"]).assert_code(0);
    assert_eq!(column(&fx.latest(), "o"), expect(&[("C1", "few")]));
}

#[test]
fn a_switch_case_of_another_kind_than_an_untyped_column_is_an_error_before_any_customer() {
    let fx = Fixture::new();
    text_dates(&fx);
    one_rule(
        &fx,
        "value: '= switch last_day { 1998 => \"old\", _ => \"new\" }'",
    );
    let expected = "error: field `last_day` is text (in the data: its column declares no type), but the switch case `1998` is a number: it never matches (in `r-x`)\n --> rules/r.yaml:5:48";
    let help = "= help: write the case as text: \"1998\"";
    refused_before_any_customer(&fx, expected, help);
}

/// A case matches a value of its exact kind: on a REAL column (5.0), a case `5` never
/// matches; on an INTEGER column, a case `2.5` never does. Ranges match both. A column
/// declared REAL holds decimals whatever the data: `check` says it (it passed, and the
/// nightly `run` refused).
#[test]
fn a_whole_number_case_on_decimals_is_an_error_before_any_customer() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, discount REAL, visits INTEGER",
        &[vec![text("C1"), real(5.0), int(2)]],
    );
    one_rule(
        &fx,
        "value: '= switch discount { 5 => \"five\", _ => \"other\" }'",
    );
    let error = "error: field `discount` is read as decimals (5 as 5.0), but the switch case `5` is a whole number, which a switch never finds equal to 5.0 (unlike `==`): it never matches (in `r-x`)\n --> rules/r.yaml:5:48";
    let help = "= help: write the case as the range `5..=5`, which matches 5 and 5.0 alike (number cases cannot follow a range: make the later ones ranges too)";
    refused_by(
        &fx,
        &[&["check"], &["check", "--data"], &["run"]],
        error,
        help,
    );
    one_rule(
        &fx,
        "value: '= switch visits { 2.5 => \"some\", _ => \"other\" }'",
    );
    refused_before_any_customer(
        &fx,
        "error: field `visits` holds whole numbers, but the switch case `2.5` is a decimal, which a switch never finds equal to a whole number (unlike `==`): it never matches (in `r-x`)\n --> rules/r.yaml:5:46",
        "= help: no whole number equals it: write a whole number, or a range such as `2..=3`",
    );
    // What the help says works; ranges match decimals and whole numbers alike.
    one_rule(
        &fx,
        "value: '= switch discount { 5..=5 => \"five\", _ => \"other\" } + switch visits { 0..5 => \"-few\", _ => \"-many\" }'",
    );
    fx.run(&["run"]).assert_code(0);
    assert_eq!(column(&fx.latest(), "o"), expect(&[("C1", "five-few")]));
}

/// `name in [...]` compares the name with each item as `==` does: a list of another kind
/// was false for every customer, silently (only a coverage warning with a made-up example).
#[test]
fn a_list_of_another_kind_in_in_is_an_error_never_a_silent_false() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, channel TEXT, visits INTEGER",
        &[vec![text("C1"), text("KA"), int(2)]],
    );
    one_rule(&fx, "when: 'channel in [1, 2, \"KA\"]', value: x");
    check_refuses(
        &fx,
        &[
            "error: field `channel` is text, but it is compared with a number `1` (in `r-x`)\n --> rules/r.yaml:5:39",
            "1 error in the rule files",
        ],
    );
    one_rule(
        &fx,
        "when: 'visits in [1, 2] && channel in [\"KA\"]', value: x",
    );
    fx.run(&["run"]).assert_code(0);
    assert_eq!(column(&fx.latest(), "o"), expect(&[("C1", "x")]));
    // A column that declares no type: from the data, before any customer.
    let fx = Fixture::new();
    text_dates(&fx);
    one_rule(&fx, "when: 'last_day in [1998, 1999]', value: x");
    refused_before_any_customer(
        &fx,
        "error: field `last_day` is text (in the data: its column declares no type), but it is compared with a number `1998` (in `r-x`)\n --> rules/r.yaml:5:40",
        "= help: text and numbers never compare",
    );
    // One error per list, as at load time; each list its own.
    one_rule(
        &fx,
        "when: 'last_day in [1998, 1999] || first_day in [1, 2]', value: x",
    );
    let check = fx.run(&["check", "--data"]);
    let out = format!("{}{}", check.stdout, check.stderr);
    assert!(
        out.contains("a number `1998`") && out.contains("a number `1`"),
        "{out}"
    );
    assert!(!out.contains("`1999`") && !out.contains("`2`"), "{out}");
    assert!(out.contains("2 errors in the rule files"), "{out}");
}

/// A metric's kind is the kind its formula gives (`m: channel` is text): a `switch` on it
/// with a number case gave NULL for every customer, silently, and `m == 1` failed only at
/// run time. Both are load errors now.
#[test]
fn a_metric_is_checked_by_the_kind_its_formula_gives() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, channel TEXT",
        &[vec![text("C1"), text("KA")]],
    );
    fx.rule(
        "r.yaml",
        "metrics:\n  route: channel\ndecisions:\n  - name: d\n    output: o\n    rules:\n      - { id: r-x, value: '= switch route { 1 => \"key\", _ => \"other\" }' }\n",
    );
    check_refuses(
        &fx,
        &[
            "error: metric `route` is text, but the switch case `1` is a number: it never matches (in `r-x`)\n --> rules/r.yaml:7:45",
        ],
    );
    fx.run(&["run"]).assert_code(2);
    assert!(!fx.has_policy_table(), "nothing was evaluated");
}

/// A metric whose formula always gives decimals (`/`, `sqrt`, a decimal column) holds 5.0,
/// never 5: a whole-number switch case on it gave NULL for every customer, silently. From
/// the rules alone it is a load error; from a column's decimals, an error before any
/// customer. A metric that may be whole (`?? 0`) is not flagged.
#[test]
fn a_whole_number_case_on_a_decimal_metric_is_an_error() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, annual_sales INTEGER, discount",
        &[vec![text("C1"), int(60), real(5.0)]],
    );
    let rules = |metric: &str, case: &str| {
        format!(
            "metrics:\n  m: {metric}\ndecisions:\n  - name: d\n    output: o\n    rules:\n      - {{ id: r-x, value: '= switch m {{ {case} => \"five\", _ => \"other\" }}' }}\n"
        )
    };
    fx.rule("r.yaml", &rules("annual_sales / 12", "5"));
    check_refuses(
        &fx,
        &[
            "error: metric `m` is read as decimals (5 as 5.0), but the switch case `5` is a whole number, which a switch never finds equal to 5.0 (unlike `==`): it never matches (in `r-x`)\n --> rules/r.yaml:7:41",
            "= help: write the case as the range `5..=5`",
        ],
    );
    fx.rule("r.yaml", &rules("annual_sales / 12", "5..=5"));
    fx.run(&["run"]).assert_code(0);
    assert_eq!(column(&fx.latest(), "o"), expect(&[("C1", "five")]));
    // Decimals because the column holds them (it declares no type): before any customer.
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, discount",
        &[vec![text("C1"), real(5.0)]],
    );
    fx.rule("r.yaml", &rules("discount * 1", "5"));
    refused_before_any_customer(
        &fx,
        "error: metric `m` is read as decimals (5 as 5.0), but the switch case `5` is a whole number",
        "= help: write the case as the range `5..=5`",
    );
    // Whole when the column is NULL: not flagged (5.0 never matches, but 0 does).
    fx.rule("r.yaml", &rules("discount ?? 0", "0"));
    fx.run(&["run"]).assert_code(0);
    assert_eq!(column(&fx.latest(), "o"), expect(&[("C1", "other")]));
}

/// A `switch` on a parameter of a script function sees what each call passes: a text column
/// passed to `switch channel { 1 => ... }` never matched, and every customer got the `_`
/// case, silently. The case is checked against each call's argument, and the error points
/// at the case in the script, naming the rule that calls it.
#[test]
fn a_switch_on_a_script_parameter_is_checked_against_what_the_call_passes() {
    let script = "// Bonus by channel code.\nfn channel_bonus(channel) {\n    switch channel { 1 => 2.0, 2 => 1.0, _ => 0.0 }\n}\n";
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, channel TEXT, code INTEGER",
        &[vec![text("C1"), text("1"), int(2)]],
    );
    fx.rule("helpers.rhai", script);
    one_rule(&fx, "value: '= channel_bonus(channel)'");
    check_refuses(
        &fx,
        &[
            "error: field `channel` is text, but the switch case `1` is a number: it never matches; `channel_bonus(channel)` passes it as `channel` (in `r-x`)\n --> rules/helpers.rhai:3:22",
            "error: field `channel` is text, but the switch case `2` is a number: it never matches; `channel_bonus(channel)` passes it as `channel` (in `r-x`)\n --> rules/helpers.rhai:3:32",
            "2 errors in the rule files",
        ],
    );
    // A whole-number column passed: the cases match.
    one_rule(&fx, "value: '= channel_bonus(code)'");
    fx.run(&["run"]).assert_code(0);
    assert_eq!(
        column(&fx.latest(), "o"),
        [("C1".to_string(), real(1.0))].into()
    );
    // A column that declares no type: from the data, before any customer.
    let fx = Fixture::new();
    text_dates(&fx);
    fx.rule("helpers.rhai", script);
    one_rule(&fx, "value: '= channel_bonus(last_day)'");
    refused_before_any_customer(
        &fx,
        "error: field `last_day` is text (in the data: its column declares no type), but the switch case `1` is a number: it never matches; `channel_bonus(last_day)` passes it as `channel` (in `r-x`)\n --> rules/helpers.rhai:3:22",
        "= help: write the case as text: \"1\"",
    );
}

/// A switch reached through other script functions (`bonus(ch)` passing `ch` on to
/// `channel_bonus(channel)`) sees what the outermost call passes: the text column never
/// matched the number cases, and everyone got `_`, silently. Each hop is named.
#[test]
fn a_switch_reached_through_other_script_functions_is_checked_against_the_outer_call() {
    let script = "fn channel_bonus(channel) {\n    switch channel { 1 => 2.0, _ => 0.0 }\n}\nfn bonus(ch) { channel_bonus(ch) * 2 }\nfn outer(x, y) { bonus(y) + x }\nfn countdown(n) { if n <= 0 { channel_bonus(n) } else { countdown(n - 1) } }\nfn shadowed(ch) { let ch = 1; channel_bonus(ch) }\n";
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, channel TEXT, code INTEGER",
        &[vec![text("C1"), text("1"), int(1)]],
    );
    fx.rule("helpers.rhai", script);
    one_rule(&fx, "value: '= outer(1, channel)'");
    check_refuses(
        &fx,
        &[
            "error: field `channel` is text, but the switch case `1` is a number: it never matches; `outer(..., channel)` passes it as `y`, and `outer` passes `y` to `bonus` as `ch`, and `bonus` passes `ch` to `channel_bonus` as `channel` (in `r-x`)\n --> rules/helpers.rhai:2:22",
            "1 error in the rule files",
        ],
    );
    // A function calling itself passes the value on to the switch too, and the check ends.
    one_rule(&fx, "value: '= countdown(channel)'");
    check_refuses(
        &fx,
        &[
            "`countdown(channel)` passes it as `n`, and `countdown` passes `n` to `channel_bonus` as `channel` (in `r-x`)",
        ],
    );
    // A function that gives its parameter another value passes that on, not the column's.
    one_rule(&fx, "value: '= shadowed(channel)'");
    fx.run(&["check"]).assert_code(0);
    // A whole-number column passed through: the case matches, 2.0 * 2 + 1.
    one_rule(&fx, "value: '= outer(1, code)'");
    fx.run(&["run"]).assert_code(0);
    assert_eq!(
        column(&fx.latest(), "o"),
        [("C1".to_string(), real(5.0))].into()
    );
    // A column that declares no type: from the data, before any customer.
    let fx = Fixture::new();
    text_dates(&fx);
    fx.rule("helpers.rhai", script);
    one_rule(&fx, "value: '= bonus(last_day)'");
    refused_before_any_customer(
        &fx,
        "error: field `last_day` is text (in the data: its column declares no type), but the switch case `1` is a number: it never matches; `bonus(last_day)` passes it as `ch`, and `bonus` passes `ch` to `channel_bonus` as `channel` (in `r-x`)\n --> rules/helpers.rhai:2:22",
        "= help: write the case as text: \"1\"",
    );
}

/// Population figures are decimals, whatever they count: a quintile is 5.0, so a whole
/// number case on it never matched, and `switch monetary_q { 5 => ... }` gave NULL for
/// everyone. `check` says so; the range the help gives works.
#[test]
fn a_whole_number_case_on_a_population_figure_is_a_load_error() {
    let fx = Fixture::new();
    fx.sales_customers(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]);
    let rules = |case: &str| {
        format!(
            "population:\n  q: {{ ntile_of: annual_sales, n: 5 }}\ndecisions:\n  - name: d\n    output: o\n    rules:\n      - {{ id: r-x, value: '= switch q {{ {case} => \"best\", _ => \"rest\" }}' }}\n"
        )
    };
    fx.rule("r.yaml", &rules("5"));
    check_refuses(
        &fx,
        &[
            "error: population figure `q` is read as decimals (5 as 5.0), but the switch case `5` is a whole number",
            "= help: write the case as the range `5..=5`",
        ],
    );
    fx.rule("r.yaml", &rules("5..=5"));
    fx.run(&["run"]).assert_code(0);
    let best = column(&fx.latest(), "o")
        .into_iter()
        .filter(|(_, v)| *v == text("best"))
        .count();
    assert_eq!(best, 2, "the top fifth of 10 customers");
}

/// NULL text given to a text function was advised `region ?? 0`, whose number then failed
/// the same function: the default for text is `""`.
#[test]
fn null_text_in_a_text_function_is_advised_an_empty_text_default() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, region TEXT",
        &[vec![text("C1"), text(" north")], vec![text("C2"), null()]],
    );
    one_rule(&fx, "value: '= region.len()'");
    fx.run(&["run"]).assert_code(1).assert_stderr_contains(
        "customer C2: rule `r-x` failed: a value is NULL for this customer, and `len` needs a value (test it with `is_null(x)` or give a default with `x ?? \"\"` (`x ?? []` for a list))",
    );
}

/// A column declaring no type may hold the text "9" for some customers and the number 9 for
/// others. A switch case finds only values of its own kind, so those customers fell through
/// to `_` without a word: an error before anyone is evaluated, and `parse_float` (which
/// keeps numbers, reads text and keeps NULL) is the way out it names.
#[test]
fn a_switch_on_a_column_of_text_and_numbers_is_an_error_before_any_customer() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, rating",
        &[
            vec![text("T"), text("9")],
            vec![text("W"), int(9)],
            vec![text("D"), real(9.0)],
            vec![text("B"), text(" ")],
            vec![text("N"), null()],
        ],
    );
    one_rule(
        &fx,
        "value: '= switch rating { 1..=3 => 0.5, 9..=10 => 20.0, _ => 100.0 }'",
    );
    refused_before_any_customer(
        &fx,
        "error: field `rating` holds text (such as \"9\") for 2 customers and other kinds for the others (its column declares no type); a switch case finds only values of its own kind, and no case of this switch (`1`, ...) is of theirs: those 2 fall through to the switch's `_` (in `r-x`)\n --> rules/r.yaml:5:46",
        "= help: give the switch cases of each kind (`9 | \"9\" =>`), or switch on `parse_float(rating)` (numbers kept, text read as a number, NULL and blank text NULL; other text stops the run) with range cases such as `9..=10`",
    );
    // What customers T, W, D, B and N get from a switch that runs.
    let gives = |switch: &str, got: [f64; 5]| {
        one_rule(&fx, &format!("value: '= {switch}'"));
        fx.run(&["run"]).assert_code(0);
        let ids = ["T", "W", "D", "B", "N"];
        let expected: Vec<(&str, _)> = ids.into_iter().zip(got.map(real)).collect();
        assert_eq!(column(&fx.latest(), "o"), expect(&expected), "{switch}");
    };
    // Cases of each kind handle both: no error.
    gives(
        "switch rating { 9 | \"9\" => 20.0, 9.0 => 21.0, \" \" => 0.0, _ => 100.0 }",
        [20.0, 20.0, 21.0, 0.0, 100.0],
    );
    // What the help says works: blank text is NULL, as a NULL is.
    gives(
        "switch parse_float(rating) { 1..=3 => 0.5, 9..=10 => 20.0, _ => 100.0 }",
        [20.0, 20.0, 20.0, 100.0, 100.0],
    );
    // Text that is no number is an error naming it.
    fx.conn()
        .execute(
            "UPDATE customers SET rating = 'AA' WHERE customer_id = 'T'",
            [],
        )
        .unwrap();
    fx.run(&["run"]).assert_code(1).assert_stderr_contains(
        "customer T: rule `r-x` failed: `parse_float` cannot read the text \"AA\" as a number",
    );
}

/// Text `+` a decimal constant (`country + "-" + 1.5`) is text, as a template would write
/// it: the output was declared DECIMAL, and a customer whose text is empty ("-1.5", which
/// reads as a number) stopped the whole run, `--keep-going` too.
#[test]
fn text_joined_with_a_decimal_is_a_text_output() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, country TEXT",
        &[vec![text("A"), text("DE")], vec![text("B"), text("")]],
    );
    for formula in ["= country + \"-\" + 1.5", "= country + 1.5"] {
        fx.rule(
            "r.yaml",
            &format!("decisions:\n  - name: label\n    output: label\n    rules:\n      - {{ id: pl, value: '{formula}' }}\n"),
        );
        fx.conn()
            .execute_batch("DROP TABLE IF EXISTS customer_policy; DROP TABLE IF EXISTS customer_policy_fired; DROP TABLE IF EXISTS policy_run; DROP VIEW IF EXISTS customer_policy_latest")
            .unwrap();
        fx.run_ok(&["--as-of", "2026-11-30"]);
        let label = column(&fx.latest(), "label");
        assert_eq!(
            label["B"],
            text(if formula.contains('-') { "-1.5" } else { "1.5" }),
            "{formula}"
        );
    }
}
