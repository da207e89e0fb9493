//! Script helpers as a developer writes them (`rules/*.rhai`), on the real binary: what a
//! helper gives is what it says, and `check` finds what `run` would refuse.

mod common;

use common::*;

/// `rules/d.yaml`: one decision `d1` whose one row gives `outputs` (`v: '= double(sales)'`).
fn then(fx: &Fixture, outputs: &str) {
    fx.rule(
        "d.yaml",
        &format!("decisions:\n  - name: d1\n    rules:\n      - id: d1-1\n        then: {{ {outputs} }}\n"),
    );
}

fn regions(fx: &Fixture) {
    fx.customers(
        "customer_id TEXT PRIMARY KEY, region TEXT, visits INTEGER",
        &[
            vec![text("C1"), text(" East "), int(5)],
            vec![text("C2"), text("   "), int(2)],
            vec![text("C3"), text("north"), null()],
        ],
    );
}

/// Rhai's `trim`, `make_upper`, `replace` change a variable in place and gave nothing: a
/// region code helper gave every customer its fallback and a blank guard was false for
/// blank text, `check` clean, exit 0. They give the changed text too.
#[test]
fn text_methods_that_change_a_variable_also_give_the_text() {
    let fx = Fixture::new();
    regions(&fx);
    fx.rule(
        "text.rhai",
        r#"fn is_blank(s) { s == () || s.trim() == "" }
fn region_code(s) {
    let c = (s ?? "").to_upper().trim();
    c ?? "UNK"
}
fn statement_style(s) {
    let t = s;
    t.trim();
    t.make_lower();
    t.replace("o", "0");
    t
}
"#,
    );
    fx.rule(
        "d.yaml",
        r#"decisions:
  - name: clean
    rules:
      - id: clean-1
        then: { blank: '= is_blank(region)', code: '= region_code(region)', low: '= statement_style(region)' }
"#,
    );
    fx.run_ok(&[]);
    let latest = fx.latest();
    assert_eq!(
        column(&latest, "blank"),
        expect(&[("C1", 0), ("C2", 1), ("C3", 0)])
    );
    assert_eq!(
        column(&latest, "code"),
        expect(&[("C1", "EAST"), ("C2", ""), ("C3", "NORTH")])
    );
    assert_eq!(
        column(&latest, "low"),
        expect(&[("C1", "east"), ("C2", ""), ("C3", "n0rth")])
    );
}

fn sales(fx: &Fixture) {
    fx.customers(
        "customer_id TEXT PRIMARY KEY, sales REAL",
        &[vec![text("C1"), real(1000.5)], vec![text("C2"), real(2.0)]],
    );
}

/// A helper of another number of arguments than a built-in one is an overload: `round(x)`
/// next to a helper `round(x, digits)` was refused ("takes 2 arguments").
#[test]
fn a_helper_may_take_a_built_in_name_with_another_number_of_arguments() {
    let fx = Fixture::new();
    sales(&fx);
    fx.rule(
        "h.rhai",
        "fn round(x, digits) {\n    let p = 10.0 ** digits;\n    (x * p).round() / p\n}\n",
    );
    then(
        &fx,
        "third: '= round((sales ?? 0.0) / 3, 2)', whole: '= round(sales ?? 0.0)'",
    );
    fx.run(&["check"]).assert_code(0);
    fx.run_ok(&[]);
    let latest = fx.latest();
    assert_eq!(
        column(&latest, "third"),
        expect(&[("C1", 333.5), ("C2", 0.67)])
    );
    assert_eq!(
        column(&latest, "whole"),
        expect(&[("C1", 1001.0), ("C2", 2.0)])
    );
}

/// One extra file defining `fn min(a, b) { 0 }` changed every `min(...)` of the shipped
/// scores without a word (`diff`: 3,908 customers changed): a load error at the definition.
#[test]
fn a_helper_that_would_replace_a_built_in_function_is_refused_at_its_definition() {
    let fx = Fixture::new();
    sales(&fx);
    let script = "// my helpers\nfn  min(a, b) { 0 }\n";
    fx.rule("my.rhai", script);
    then(&fx, "low: '= min(sales, 10)'");
    fx.run(&["check"]).assert_code(2);
    let check = fx.run(&["run"]);
    check.assert_code(2);
    let at = check.diagnostic_at("rules/my.rhai:2:5");
    assert!(
        at.contains("`min` with 2 parameters is a built-in function: this one would replace it for every rule that calls it")
            && at.contains("give yours a name of its own (`my_min`)"),
        "{}",
        check.stderr
    );
}

/// `round(x, 2)` passed `check` and failed for every customer with "`round` cannot be used
/// on a number and a number": a built-in function given a number of arguments it never
/// takes is a load error, with how to round to cents (an output's `round:`, which rounds a
/// half cent as the decimal meant).
#[test]
fn a_built_in_function_given_the_wrong_number_of_arguments_is_a_load_error() {
    let fx = Fixture::new();
    sales(&fx);
    fx.rule(
        "h.rhai",
        "// round to some decimals, for note texts\nfn money(x) {\n    let r = round(x, 2);\n    `EUR ${r}`\n}\n",
    );
    fx.rule(
        "d.yaml",
        "decisions:\n  - name: note\n    rules:\n      - id: note-1\n        then: { note: '= money(sales ?? 0.0)', low: '= min(sales)' }\n",
    );
    fx.run(&["check"]).assert_code(2);
    let check = fx.run(&["run"]);
    check.assert_code(2);
    let round = check.diagnostic_at("rules/h.rhai:3:13");
    assert!(
        round.contains("`round` takes 1 argument, but is given 2")
            && round.contains("give its decision `round: { nearest: 0.01 }`")
            // Not a formula that rounds 1.005 to 1 (the help once advised one).
            && round.contains("where `(x * 100.0).round() / 100.0` rounds 1.005 to 1"),
        "{}",
        check.stderr
    );
    let min = check.diagnostic_at("rules/d.yaml:5:56");
    assert!(
        min.contains("`min` takes 2 arguments, but is given 1"),
        "{}",
        check.stderr
    );
}

/// A switch on a quintile guarded for NULL the README's way (`let r = q ?? 0; switch r`)
/// never matched its whole cases (the figure is a decimal) and `check` said nothing, though
/// `switch q` unguarded is refused: both are followed to the figure.
#[test]
fn a_switch_on_a_null_guarded_parameter_is_checked_against_what_is_passed() {
    for body in [
        "    let r = q ?? 0;          // NULL-guard the quintile\n    switch r {",
        "    switch q ?? 0 {",
    ] {
        let fx = Fixture::new();
        sales(&fx);
        fx.rule(
            "rfm.rhai",
            &format!(
                "fn recency_label(q) {{\n{body}\n        5 | 4 => \"recent\",\n        3 => \"lapsing\",\n        _ => \"old\"\n    }}\n}}\n"
            ),
        );
        fx.rule(
            "d.yaml",
            "population:\n  sales_q: { ntile_of: sales, n: 5 }\ndecisions:\n  - name: label\n    rules:\n      - id: label-1\n        then: { label: '= recency_label(sales_q)' }\n",
        );
        let check = fx.run(&["check"]);
        check.assert_code(2);
        assert!(
            check.stdout.contains("population figure `sales_q` is read as decimals (5 as 5.0), but the switch case `5` is a whole number, which a switch never finds equal to 5.0 (unlike `==`): it never matches; `recency_label(sales_q)` passes it as `q` (in `label-1`)\n --> rules/rfm.rhai:"),
            "{body}\n{}",
            check.stdout
        );
    }
}

/// A script saved as "UTF-8 with BOM" (Notepad) was refused with `Unexpected '<invisible>'`;
/// it loads, and a real error in it is at its place.
#[test]
fn a_script_with_a_byte_order_mark_loads() {
    let fx = Fixture::new();
    sales(&fx);
    fx.rule(
        "h.rhai",
        "\u{feff}// helpers saved by Notepad\r\nfn double(x) {\r\n    (x ?? 0) * 2\r\n}\r\n",
    );
    then(&fx, "v: '= double(sales)'");
    fx.run_ok(&[]);
    assert_eq!(
        column(&fx.latest(), "v"),
        expect(&[("C1", 2001.0), ("C2", 4.0)])
    );
    fx.rule(
        "h.rhai",
        "\u{feff}fn double(x) {\r\n    (x ?? 0) * * 2\r\n}\r\n",
    );
    let run = fx.run(&["run"]);
    run.assert_code(2);
    run.diagnostic_at("rules/h.rhai:2:16");
}

/// `w[code] ?? 1.0` on a map without `code` stopped with "Property not found: NORTH", and
/// sorting whole numbers with decimals said "`elements of different types cannot be
/// sorted` cannot be used on nothing": both say what to write.
#[test]
fn a_missing_map_key_and_a_mixed_sort_say_what_to_write() {
    let fx = Fixture::new();
    sales(&fx);
    fx.rule(
        "h.rhai",
        "fn region_weight(code) {\n    let w = #{ EAST: 1.2, WEST: 1.1 };\n    w[code] ?? 1.0\n}\nfn region_weight_or(code) {\n    let w = #{ EAST: 1.2 };\n    w.get(code) ?? 1.0\n}\nfn median3(a, b, c) {\n    let v = [a, b, c];\n    v.sort();\n    v[1]\n}\n",
    );
    let value = |formula: &str| format!("v: '= {formula}'");
    then(&fx, &value("region_weight(\"NORTH\")"));
    fx.run(&["run"]).assert_code(1).assert_stderr_contains(
        "the map has no key `NORTH` (a missing key is an error, not NULL, so that a misspelt one does not pass unseen): for a default write `map.get(key) ?? default`, or test `key in map` first (in script function `region_weight`)",
    );
    then(&fx, &value("region_weight_or(\"NORTH\")"));
    fx.run_ok(&[]);
    assert_eq!(
        column(&fx.latest(), "v"),
        expect(&[("C1", 1.0), ("C2", 1.0)])
    );
    then(&fx, &value("median3(5, sales, 3)"));
    fx.run(&["run"]).assert_code(1).assert_stderr_contains(
        "`sort`: the list holds values of more than one kind (whole numbers and decimals count as two: 3 and 2.5): make them one kind first (`x.to_float()`)",
    );
}

/// A top-level `const` in a script: its use said only "unknown name MAX_SCORE", and once
/// used by no function, the file's other functions were "unknown functions" too. The
/// statement is the error, with the way to write it.
#[test]
fn a_top_level_const_in_a_script_is_the_error_named() {
    let fx = Fixture::new();
    sales(&fx);
    fx.rule(
        "h.rhai",
        "const MAX_SCORE = 100;\n\nfn capped(x) {\n    min(x ?? 0, MAX_SCORE)\n}\nfn double(x) { (x ?? 0) * 2 }\n",
    );
    then(&fx, "v: '= double(sales)'");
    let run = fx.run(&["run"]);
    run.assert_code(2);
    let at = run.diagnostic_at("rules/h.rhai:1:1");
    assert!(
        at.contains("a rule script may only define functions: `const MAX_SCORE` is outside them, and no function sees it (it is used at line 4)")
            && at.contains("make it a function and call it: `fn max_score() { ... }`, then `max_score()`"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("unknown"), "{}", run.stderr);
    // Used by no function: the statement is still the error, and the functions known.
    fx.rule(
        "h.rhai",
        "const MAX_SCORE = 100;\nfn double(x) { (x ?? 0) * 2 }\n",
    );
    let run = fx.run(&["run"]);
    run.assert_code(2);
    run.diagnostic_at("rules/h.rhai:1:1");
    assert!(!run.stderr.contains("unknown function"), "{}", run.stderr);
}

/// Written as a method, `x.round(2)` passed `check` and failed for every customer: the
/// object counts as the first argument, and a method's number of arguments is checked too.
#[test]
fn a_method_given_the_wrong_number_of_arguments_is_a_load_error() {
    let fx = Fixture::new();
    sales(&fx);
    then(
        &fx,
        "r: '= (sales ?? 0.0).round(2)', s: '= sales.to_string().len()'",
    );
    fx.run(&["check"]).assert_code(2);
    let run = fx.run(&["run"]);
    run.assert_code(2);
    let at = run.diagnostic_at("rules/d.yaml:5:38");
    assert!(
        at.contains("`round` takes 1 argument, but is given 2 (as a method, the value before the `.` is the first)"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("`len`"), "{}", run.stderr);
}

/// A helper named like a list's or a range's own function (`fn start(region)`) replaces
/// nothing rules call on their values: it loads (it was refused as replacing a built-in).
#[test]
fn a_helper_named_like_a_range_function_loads() {
    let fx = Fixture::new();
    regions(&fx);
    fx.rule(
        "h.rhai",
        "fn start(region) { (region ?? \"\").trim().sub_string(0, 1) }\n",
    );
    then(&fx, "initial: '= start(region)'");
    fx.run_ok(&[]);
    assert_eq!(
        column(&fx.latest(), "initial"),
        expect(&[("C1", "E"), ("C2", ""), ("C3", "n")])
    );
}

/// A whole-number `switch` on a local a division gives (`let h = (n ?? 0) / 2`): `/` gives a
/// decimal, no case matched, every customer got the `_` branch and `check --data` said "no
/// problems"; the same switch on a metric was a load error. An error at the case.
#[test]
fn a_whole_number_switch_on_a_divided_local_is_an_error_at_the_case() {
    let fx = Fixture::new();
    regions(&fx);
    fx.rule(
        "pairs.rhai",
        "fn pairs(n) {\n    let h = (n ?? 0) / 2;\n    switch h { 0 => \"none\", 1 => \"one pair\", _ => \"many\" }\n}\n",
    );
    then(&fx, "p: '= pairs(visits)'");
    let check = fx.run(&["check"]);
    check.assert_code(2);
    assert!(
        check.stdout.contains(
            "error: `h` is given by a division, so it is a decimal (`/` always gives one: `4 / 2` is 2.0), which the whole-number case `0` never matches: every customer gets the switch's `_`\n --> rules/pairs.rhai:3:16"
        ),
        "{}",
        check.stdout
    );
}
