//! `tierwise check` points at the character in the file, whatever YAML did to the text: a
//! folded block (`when: >`) and a plain scalar join lines, a quoted one has escapes.

mod common;

use common::*;

/// The `file:line:column` of every diagnostic `check` prints for `rules/a.yaml` holding `yaml`.
fn locations(yaml: &str) -> Vec<String> {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, annual_sales REAL, overdue_days INTEGER, channel TEXT",
        &[vec![text("C1"), real(50.0), int(0), text("direct")]],
    );
    fx.rule("a.yaml", yaml);
    let run = fx.run(&["check"]);
    run.assert_code(2);
    run.stdout
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("--> "))
        .map(str::to_owned)
        .collect()
}

fn at(yaml: &str, needle: &str) -> String {
    let (line, column) = position_of(yaml, needle, 0);
    format!("rules/a.yaml:{line}:{column}")
}

fn decision(when: &str) -> String {
    format!(
        "decisions:\n  - name: tier\n    rules:\n      - id: r\n        when: {when}\n        then: {{ tier: A }}\n"
    )
}

#[test]
fn a_folded_block_points_at_the_line_of_the_mistake() {
    // YAML folds the three lines into one: the mistake is on the third line of the file.
    let yaml = decision(
        ">\n          annual_sales > 1000 &&\n          overdue_days < 3 &&\n          anual_sales < 5",
    );
    assert_eq!(locations(&yaml), [at(&yaml, "anual_sales <")]);
    let yaml = decision(
        ">\n          annual_sales > 1000 &&\n          overdue_days < 3 &&\n          channel = \"x\"",
    );
    assert_eq!(locations(&yaml), [at(&yaml, "= \"x\"")]);
}

#[test]
fn a_plain_scalar_on_several_lines_points_at_the_line_of_the_mistake() {
    let yaml = decision(
        "annual_sales > 1000 &&\n          overdue_days < 3 &&\n          anual_sales < 5",
    );
    assert_eq!(locations(&yaml), [at(&yaml, "anual_sales <")]);
}

#[test]
fn a_string_with_escaped_quotes_points_at_the_column_of_the_mistake() {
    let yaml = decision(r#""channel == \"x\" && anual_sales > 1""#);
    assert_eq!(locations(&yaml), [at(&yaml, "anual_sales")]);
    let yaml = decision("'channel == ''x'' && anual_sales > 1'");
    assert_eq!(locations(&yaml), [at(&yaml, "anual_sales")]);
    let yaml = decision(r#""channel == \"x\" and overdue_days > 1""#);
    assert_eq!(locations(&yaml), [at(&yaml, "and")]);
}
