//! Script helpers as a developer writes them (`rules/*.rhai`), on the real binary: what a
//! helper gives is what it says, and `check` finds what `run` would refuse.

mod common;

use common::*;

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
