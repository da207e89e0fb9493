//! `tierwise check` on a catalogue of broken rule files: every problem reported at once, each
//! with its exact position and message.

mod common;

use common::*;

fn fixture() -> Fixture {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, annual_sales REAL, overdue_days INTEGER, channel TEXT",
        &[
            vec![text("C1"), real(50.0), int(0), text("KA")],
            vec![text("C2"), real(500.0), int(70), text("BC")],
            vec![text("C3"), real(0.0), null(), text("KA")],
        ],
    );
    fx
}

/// Runs `check`, asserts the exit code, and returns stdout.
fn check(fx: &Fixture, code: i32) -> String {
    let run = fx.run(&["check"]);
    run.assert_code(code);
    run.stdout
}

/// `rules/<file>:line:column` of the `nth` occurrence of `needle` in `text`.
fn loc(file: &str, text: &str, needle: &str, nth: usize) -> String {
    let (line, column) = position_of(text, needle, nth);
    format!("rules/{file}:{line}:{column}")
}

/// The diagnostic block of `out` that points at `location`.
fn at(out: &str, location: &str) -> String {
    out.split("\n\n")
        .find(|b| {
            b.contains(&format!("--> {location}\n"))
                || b.trim_end().ends_with(&format!("--> {location}"))
        })
        .unwrap_or_else(|| panic!("no diagnostic at {location}:\n{out}"))
        .to_owned()
}

#[test]
fn a_valid_rule_set_has_no_problems() {
    let fx = fixture();
    fx.rule(
        "ok.yaml",
        "decisions:\n  - name: tier\n    rules:\n      - { id: big, when: annual_sales >= 100, then: { tier: A } }\n      - { id: rest, then: { tier: B } }\n",
    );
    let out = check(&fx, 0);
    assert_eq!(out.trim(), "no problems found in the rule files");
}

#[test]
fn every_problem_is_reported_at_once_with_its_position() {
    let fx = fixture();
    // 2. A Rhai syntax error inside a condition, and 3. inside an `=` formula.
    let b = fx.rule(
        "b_syntax.yaml",
        "decisions:\n  - name: d2\n    rules:\n      - id: r2\n        when: annual_sales > > 5\n        then: { x2: '= annual_sales * * 2' }\n",
    );
    // 4. An unknown name and 5. an unknown function, with suggestions.
    let c = fx.rule(
        "c_names.yaml",
        "decisions:\n  - name: d3\n    rules:\n      - { id: r3, when: 'anual_sales > 5 && is_nul(channel)', then: { x3: 1 } }\n",
    );
    // 6. A cycle between metrics.
    fx.rule("d_cycle.yaml", "metrics:\n  m1: m2 + 1\n  m2: m1 * 2\n");
    // 7. A duplicate rule id and 8. a comparison that can never be true.
    let e = fx.rule(
        "e_dup.yaml",
        "decisions:\n  - name: d5\n    rules:\n      - { id: r5, when: 'channel == 5', then: { x5: 1 } }\n      - { id: r5, then: { x5: 2 } }\n",
    );

    let out = check(&fx, 2);
    // The second `>` of `> >`.
    let (line, column) = position_of(&b, "> >", 0);
    let d = at(&out, &format!("rules/b_syntax.yaml:{line}:{}", column + 2));
    assert!(d.contains("(in `r2`)"), "{d}");
    // The second `*` of `* *`, inside the quoted formula.
    let (line, column) = position_of(&b, "* *", 0);
    let d = at(&out, &format!("rules/b_syntax.yaml:{line}:{}", column + 2));
    assert!(d.contains("error: Unexpected '*' (in `r2`)"), "{d}");

    let d = at(&out, &loc("c_names.yaml", &c, "anual_sales", 0));
    assert!(
        d.contains("error: unknown name `anual_sales` (in `r3`)"),
        "{d}"
    );
    assert!(d.contains("did you mean `annual_sales`?"), "{d}");
    assert!(
        d.contains("^^^^^^^^^^^"),
        "the caret underlines the whole name:\n{d}"
    );
    let d = at(&out, &loc("c_names.yaml", &c, "is_nul", 0));
    assert!(
        d.contains("error: unknown function `is_nul` (in `r3`)"),
        "{d}"
    );
    assert!(d.contains("did you mean `is_null`?"), "{d}");

    assert!(
        out.contains("error: metrics depend on each other in a cycle: m1 -> m2 -> m1"),
        "{out}"
    );

    let d = at(&out, &loc("e_dup.yaml", &e, "r5", 1));
    let first = loc("e_dup.yaml", &e, "r5", 0);
    assert!(
        d.contains(&format!(
            "error: rule id `r5` is used twice (first at {first})"
        )),
        "{d}"
    );
    // The caret points at the comparison operator.
    let d = at(&out, &loc("e_dup.yaml", &e, "==", 0));
    assert!(
        d.contains("error: field `channel` is text, but it is compared with a number `5`"),
        "{d}"
    );

    assert!(
        out.trim_end().ends_with("7 errors in the rule files"),
        "a one-line total closes the report:\n{out}"
    );
    assert!(!out.contains('\x1b'), "no colour when not a terminal");
    assert!(
        !out.contains("Error {"),
        "no debug formatting reaches the user"
    );
}

#[test]
fn a_yaml_mistake_is_reported_without_follow_on_errors() {
    let fx = fixture();
    // `tier` is defined in the file that does not read: the other file's use of it is not
    // reported as unknown (the hint would be wrong); the YAML mistake is.
    let a = fx.rule(
        "a_keys.yaml",
        "decisions:\n  - name: tier\n    rules:\n      - { id: r1, wehn: annual_sales > 5, then: { tier: A } }\n",
    );
    fx.rule(
        "b_uses.yaml",
        "decisions:\n  - name: d2\n    rules:\n      - { id: r2, when: 'tier == \"A\"', then: { x2: 1 } }\n",
    );
    let out = check(&fx, 2);
    let d = at(&out, &loc("a_keys.yaml", &a, "wehn", 0));
    assert!(
        d.contains("error: unknown field `wehn`, expected one of id, doc, when, then, value"),
        "{d}"
    );
    assert!(d.contains("= help: did you mean `when`?"), "{d}");
    assert!(!out.contains("unknown name `tier`"), "{out}");
    assert!(
        out.trim_end().ends_with("1 error in the rule files"),
        "{out}"
    );
}

#[test]
fn script_errors_point_into_the_script() {
    let fx = fixture();
    fx.rule(
        "ok.yaml",
        "metrics:\n  s: score(annual_sales)\ndecisions:\n  - name: d\n    output: o\n    rules:\n      - { id: r, value: \"= s\" }\n",
    );
    std::fs::write(
        fx.path("rules").join("f.rhai"),
        "fn score(a) {\n    a + undefined_thing\n}\n",
    )
    .unwrap();
    let out = check(&fx, 2);
    let d = at(&out, "rules/f.rhai:2:9");
    assert!(
        d.contains("error: Undefined variable: undefined_thing"),
        "{d}"
    );
    // `score` is defined in the script that failed: no second, misleading error.
    assert!(!out.contains("unknown function `score`"), "{out}");
    assert!(
        out.trim_end().ends_with("1 error in the rule files"),
        "{out}"
    );
}

#[test]
fn calls_are_checked_in_scripts_and_against_script_signatures() {
    let fx = fixture();
    let m = fx.rule("m.yaml", "metrics:\n  s: score(annual_sales)\n");
    std::fs::write(
        fx.path("rules").join("f.rhai"),
        "fn score(a, b) {\n    maxx(a, b)\n}\n",
    )
    .unwrap();
    let out = check(&fx, 2);
    let d = at(&out, "rules/f.rhai:2:5");
    assert!(d.contains("error: unknown function `maxx`"), "{d}");
    assert!(d.contains("did you mean `max`?"), "{d}");
    let d = at(&out, &loc("m.yaml", &m, "score", 0));
    assert!(
        d.contains("error: `score` takes 2 arguments (a, b), but is given 1 (in `s`)"),
        "{d}"
    );
}

#[test]
fn an_output_name_only_one_row_gives_is_a_typo() {
    let fx = fixture();
    let t = fx.rule(
        "t.yaml",
        "decisions:\n  - name: tier\n    rules:\n      - { id: a, when: annual_sales > 100, then: { tire: A } }\n      - { id: b, when: annual_sales > 10, then: { tier: B } }\n      - { id: c, then: { tier: C } }\n",
    );
    let out = check(&fx, 2);
    let d = at(&out, &loc("t.yaml", &t, "tire", 0));
    assert!(
        d.contains(
            "error: row `a` gives `tire`, which the other rows of decision `tier` do not give"
        ),
        "{d}"
    );
    assert!(d.contains("did you mean `tier`?"), "{d}");
}

#[test]
fn check_data_reports_rows_that_never_match_and_customers_without_a_value() {
    let fx = fixture();
    fx.rule(
        "d.yaml",
        "decisions:\n  - name: block\n    rules:\n      - { id: block-overdue, when: overdue_days > 60, then: { blocked: true } }\n      - { id: block-huge, when: annual_sales > 1000000, then: { blocked: true } }\n",
    );
    let run = fx.run(&["check", "--data"]);
    run.assert_code(0);
    let out = &run.stdout;
    assert!(out.contains("on the data: 3 customers"), "{out}");
    assert!(
        out.contains("rows that matched no customer: block-huge"),
        "{out}"
    );
    assert!(
        out.contains("2 customers matched no row and get no value (e.g. C1, C3)"),
        "{out}"
    );
}

#[test]
fn check_data_finds_unique_conflicts_in_the_data() {
    let fx = fixture();
    fx.rule(
        "u.yaml",
        "decisions:\n  - name: tier\n    hit: unique\n    rules:\n      - { id: big, when: annual_sales >= 100, then: { tier: A } }\n      - { id: late, when: overdue_days > 60, then: { tier: B } }\n      - { id: small, when: annual_sales < 100, then: { tier: C } }\n",
    );
    let run = fx.run(&["check", "--data"]);
    run.assert_code(1);
    assert!(
        run.stdout.contains("decision `tier` failed for 1 customers (e.g. C2): rules `big` and `late` both match, but the hit policy is `unique`"),
        "{}",
        run.stdout
    );
}

#[test]
fn check_json_lists_diagnostics_for_programs() {
    let fx = fixture();
    let x = fx.rule(
        "x.yaml",
        "decisions:\n  - name: d\n    rules:\n      - { id: r, when: anual_sales > 5, then: { o: 1 } }\n",
    );
    let run = fx.run(&["check", "--format", "json"]);
    run.assert_code(2);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let d = &json["diagnostics"][0];
    assert_eq!(d["severity"], "error");
    assert_eq!(d["file"], "rules/x.yaml");
    let (line, column) = position_of(&x, "anual_sales", 0);
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(line as u64), Some(column as u64))
    );
    assert_eq!(d["rule"], "r");
    assert_eq!(d["message"], "unknown name `anual_sales`");
}
