use super::super::testing::*;
use crate::rules::{Condition, ValueExpr};
use crate::value::Lit;

/// A grid decision `risk` over the test fields, with `grid` as its grid (indented).
fn grid(hit: &str, grid: &str) -> String {
    let body: String = grid.lines().map(|l| format!("      {l}\n")).collect();
    format!(
        "decisions:\n  - name: risk\n    hit: {hit}\n    outputs:\n      - note\n      - {{ name: risk, values: [high, medium, low], default: low }}\n    grid: |\n{body}"
    )
}

const RISK: &str = r#"id        | channel          | overdue_days ?? 0 | note | risk
risk-exit | exit             | -                 | exit | high
risk-late | not("KA", "BC")  | > 60              | null | medium
risk-mid  | -                | [30..60]          | -    | = "medium"
"#;

fn conditions(set: &crate::rules::RuleSet) -> Vec<String> {
    set.decisions[0]
        .rows
        .iter()
        .map(|r| match &r.condition {
            Condition::When(e) => {
                assert!(e.native.is_some(), "`{}` is on the fast path", e.text);
                e.text.clone()
            }
            Condition::Always => "(always)".into(),
            Condition::Band { .. } => "(band)".into(),
        })
        .collect()
}

#[test]
fn each_rule_becomes_a_row_with_one_condition_on_the_fast_path() {
    let set = loads(&[("a.yaml", &grid("first", RISK))]);
    assert_eq!(
        conditions(&set),
        [
            r#"channel == "exit""#,
            r#"!is_null(channel) && !((channel == "KA" || channel == "BC")) && (overdue_days ?? 0) > 60"#,
            "(overdue_days ?? 0) >= 30 && (overdue_days ?? 0) <= 60",
        ]
    );
    assert_eq!(set.rule_ids, ["risk-exit", "risk-late", "risk-mid"]);
    let d = &set.decisions[0];
    let names: Vec<&str> = d.outputs.iter().map(|&s| set.slot_name(s)).collect();
    assert_eq!(names, ["note", "risk"]);
    // `-` gives nothing, `null` gives NULL, `= ...` a formula.
    let given: Vec<Vec<usize>> = d
        .rows
        .iter()
        .map(|r| r.values.iter().map(|(k, _)| *k).collect())
        .collect();
    assert_eq!(given, [vec![0, 1], vec![0, 1], vec![1]]);
    assert!(matches!(d.rows[1].values[0].1, ValueExpr::Const(Lit::Null)));
    assert!(matches!(d.rows[2].values[0].1, ValueExpr::Formula(_)));
    assert_eq!(d.output_values[1].len(), 3);
    assert!(d.output_values[0].is_empty());
    assert!(
        matches!(&d.defaults[..], [None, Some(ValueExpr::Const(Lit::Str(s)))] if s.as_str() == "low")
    );
    // Each cell on its own, for `explain`.
    let cells = d.rows[1].cells.as_ref().expect("a grid row");
    let shown: Vec<(&str, bool)> = cells
        .iter()
        .map(|c| (c.shown.as_str(), c.test.is_some()))
        .collect();
    assert_eq!(
        shown,
        [
            (r#"channel not("KA", "BC")"#, true),
            ("overdue_days ?? 0 > 60", true)
        ]
    );
}

#[test]
fn rule_ids_are_generated_without_an_id_column_and_empty_cells_match_anything() {
    let set = loads(&[(
        "a.yaml",
        &grid(
            "first",
            "channel | note | risk\nKA, BC  | a    | high\n        | b    | low\n",
        ),
    )]);
    assert_eq!(set.rule_ids, ["risk-1", "risk-2"]);
    assert_eq!(
        conditions(&set),
        [r#"(channel == "KA" || channel == "BC")"#, "(always)"]
    );
}

#[test]
fn a_grid_with_no_input_column_matches_everyone() {
    let set = loads(&[("a.yaml", &grid("first", "note | risk\nx | low\n"))]);
    assert_eq!(conditions(&set), ["(always)"]);
}

#[test]
fn a_double_bar_is_not_a_split() {
    let set = loads(&[(
        "a.yaml",
        &grid(
            "first",
            "id | channel | note | risk\nr1 | = is_null(channel) || channel == \"KA\" | a | high\nr2 | - | b | low\n",
        ),
    )]);
    assert_eq!(
        conditions(&set)[0],
        r#"(is_null(channel) || channel == "KA")"#
    );
}

#[test]
fn cells_separated_by_tabs_are_said_to_be() {
    let yaml = grid(
        "first",
        "id | channel | overdue_days | note | risk\nr1\tKA\t> 5\ta\thigh\nr2 | KA | > 9 | a | high\n",
    );
    assert_eq!(
        errors(&[("a.yaml", &yaml)]),
        [
            "error rules/a.yaml:9:7 [risk]: this line of the grid has 1 cell, but the header has 5 | help: tabs separate cells on this line (pasted from a spreadsheet?): a grid's cells are separated by `|`; replace each tab with ` | `"
        ]
    );
}

#[test]
fn errors_point_at_the_cell() {
    let yaml = grid(
        "first",
        "id | channel | overdue_days | note | risk\nr1 | [10..1] | > 5 | a | high\nr2 | KA | [1..5 | a | high\nr3 | KA | 5 | a\nr1 | KA | \"x\" | a | medum\nr5 | exit | >= 5 | = bogus + 1 | low\n",
    );
    assert_eq!(
        errors(&[("a.yaml", &yaml)]),
        [
            "error rules/a.yaml:9:12 [r1]: the range's ends are swapped: 10 is above 1; write the low end first",
            "error rules/a.yaml:10:17 [r2]: the range is not closed: end it with `]` (end included) or `)` (end excluded)",
            "error rules/a.yaml:11:7 [risk]: this line of the grid has 4 cells, but the header has 5",
            "error rules/a.yaml:12:7: rule id `r1` is used twice (first at rules/a.yaml:9:7)",
            "error rules/a.yaml:12:27 [r1]: `medum` is not one of the values of output `risk`: high, medium, low",
            "error rules/a.yaml:13:28 [r5]: unknown name `bogus` | help: a name must be a column of the customer source (its columns: customer_id, annual_sales, overdue_days, channel, region), a metric, a population figure or a decision's output",
            "error rules/a.yaml:12:17 [r1]: field `overdue_days` is a number, but it is compared with text `x` | help: text and numbers never compare: compare `overdue_days` with a number",
        ]
    );
}

#[test]
fn the_header_names_every_declared_output_last() {
    let e = |g: &str| errors(&[("a.yaml", &grid("first", g))]);
    assert_eq!(
        e("channel | region\nKA | x\n"),
        [
            "error rules/a.yaml:8:7 [risk]: the grid's header has no output column: its last columns are the outputs declared in `outputs:` (note, risk)"
        ]
    );
    assert_eq!(
        e("channel | note | region | risk\nKA | a | x | low\n"),
        [
            "error rules/a.yaml:8:24 [risk]: `region` is not one of the outputs declared in `outputs:` (note, risk): the output columns come last"
        ]
    );
    assert_eq!(
        e("channel | risk\nKA | low\n"),
        [
            "error rules/a.yaml:8:7 [risk]: output `note` is declared in `outputs:` but has no column in the grid"
        ]
    );
    // A rule whose output cells are all empty gives nothing: a slip, as in `rules:`.
    assert_eq!(
        e("channel | note | risk\nKA |  | -\n"),
        [
            "error rules/a.yaml:9:11 [risk-1]: this rule gives no output: its output cells are empty (or `-`); write a value, or `null` to give NULL"
        ]
    );
    // A header and no rule (a spreadsheet with its three top rows only).
    assert_eq!(
        e("channel | note | risk\n"),
        [
            "error rules/a.yaml:8:7 [risk]: the grid has a header but no rules: add one line per rule under it (a customer no rule matches gets NULL, or the output's `default:`)"
        ]
    );
    // A misspelt output is pointed at, with the name meant.
    assert_eq!(
        e("channel | nots | rsik\nKA | a | low\n"),
        [
            "error rules/a.yaml:8:24 [risk]: `rsik` is not an output declared in `outputs:` (note, risk): did you mean `risk`?"
        ]
    );
    assert_eq!(
        e("chanel | note | risk\nKA | a | low\n"),
        ["error rules/a.yaml:8:7 [risk]: unknown name `chanel` | help: did you mean `channel`?"]
    );
}

#[test]
fn a_grid_is_the_decisions_only_table_and_needs_outputs() {
    let both = "decisions:\n  - name: d\n    outputs: [o]\n    grid: |\n      o\n      1\n    rules:\n      - { id: r, then: { o: 1 } }\n";
    assert_eq!(
        errors(&[("a.yaml", both)]),
        [
            "error rules/a.yaml:2:5 [d]: a decision has one of `grid:`, `rules:` or `scale:`, not several"
        ]
    );
    let collect = "decisions:\n  - name: d\n    hit: collect\n    output: o\n    outputs: [o, p]\n    grid: |\n      o | p\n      1 | 2\n";
    assert_eq!(
        errors(&[("a.yaml", collect)]),
        [
            "error rules/a.yaml:2:5 [d]: a `collect` grid has one output column, the values it combines: declare only its `output:` in `outputs:`"
        ]
    );
    let bare = "decisions:\n  - name: d\n    grid: |\n      o\n      1\n";
    assert_eq!(
        errors(&[("a.yaml", bare)]),
        [
            "error rules/a.yaml:2:5 [d]: a `grid:` needs `outputs:`, the names of its output columns (the last columns of its header)"
        ]
    );
}

#[test]
fn outputs_declare_the_outputs_of_a_table_of_rows_too() {
    let rows = |then: &str| {
        format!(
            "decisions:\n  - name: d\n    outputs:\n      - {{ name: tier, values: [A, B], default: B }}\n    rules:\n      - {{ id: r, when: annual_sales > 1, then: {{ {then} }} }}\n"
        )
    };
    let set = loads(&[("a.yaml", &rows("tier: A"))]);
    assert_eq!(set.decisions[0].output_values[0].len(), 2);
    assert!(set.decisions[0].defaults[0].is_some());
    assert_eq!(
        errors(&[("a.yaml", &rows("tier: C, teir: A"))]),
        [
            "error rules/a.yaml:6:56 [r]: `C` is not one of the values of output `tier`: A, B",
            "error rules/a.yaml:6:65 [r]: row `r` gives `teir`, which is not one of the outputs declared in `outputs:` (tier)",
        ]
    );
}

#[test]
fn a_for_each_grid_names_its_outputs_as_written_and_its_ids_get_the_item() {
    let yaml = "decisions:\n  - name: extra\n    for_each: { category: [a, b] }\n    outputs: [{ name: pct, default: 0 }]\n    grid: |\n      id    | sales_{category} | = category == \"a\" | pct\n      big   | > 100            | -                  | 2\n      a-ok  | -                | true               | 1\n";
    // The second column is an expression starting with `=`: not a cell form, a header.
    let all = errors(&[("a.yaml", yaml)]);
    assert!(all[0].contains("unknown name `sales_a`"), "{all:?}");
    let yaml = yaml
        .replace("sales_{category}", "annual_sales    ")
        .replace("= category == \"a\"", "category == \"a\" ");
    let set = loads(&[("a.yaml", &yaml)]);
    assert_eq!(set.rule_ids, ["big@a", "a-ok@a", "big@b", "a-ok@b"]);
    let names: Vec<&str> = set.outputs.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, ["pct_a", "pct_b"]);
    assert_eq!(
        conditions(&set),
        ["annual_sales > 100", r#"("a" == "a") == true"#]
    );
}

#[test]
fn output_names_one_of_the_declared_outputs() {
    let yaml = |output: &str| {
        format!(
            "decisions:\n  - name: d\n    hit: collect\n    output: {output}\n    outputs: [{{ name: total, default: '= overdue_days * 2' }}]\n    rules:\n      - {{ id: r, when: annual_sales > 1, value: 1 }}\n"
        )
    };
    let set = loads(&[("a.yaml", &yaml("total"))]);
    assert!(matches!(
        set.decisions[0].defaults[..],
        [Some(ValueExpr::Formula(_))]
    ));
    // Its formula is read like any other: the decision depends on `overdue_days`.
    assert_eq!(set.loaded_fields(), ["annual_sales", "overdue_days"]);
    assert_eq!(
        errors(&[("a.yaml", &yaml("totl"))]),
        [
            "error rules/a.yaml:4:13 [d]: `output: totl` is not one of the outputs declared in `outputs:` (total)"
        ]
    );
}

#[test]
fn a_value_only_the_default_gives_is_a_value_later_rules_may_compare_with() {
    let yaml = format!(
        "{}  - name: follow\n    rules:\n      - {{ id: calm, when: 'risk == \"low\"', then: {{ call: false }} }}\n      - {{ id: call, then: {{ call: true }} }}\n",
        grid(
            "first",
            "id | channel | note | risk\nr1 | exit | x | high\n"
        )
        .replace("values: [high, medium, low], ", "")
    );
    let set = loads(&[("a.yaml", &yaml)]);
    assert_eq!(set.decisions.len(), 2);
}

/// A grid pasted from a Markdown table (outer bars, a `---` line under the header) reads as
/// the same grid; outer bars only count when the header starts with one.
#[test]
fn a_markdown_table_reads_as_the_same_grid() {
    let markdown = r#"| id        | channel          | overdue_days ?? 0 | note | risk       |
|-----------|:-----------------|-------------------|------|------------|
| risk-exit | exit             | -                 | exit | high       |
| risk-late | not("KA", "BC")  | > 60              | null | medium     |
| risk-mid  | -                | [30..60]          | -    | = "medium" |
"#;
    let plain = loads(&[("a.yaml", &grid("first", RISK))]);
    let pasted = loads(&[("a.yaml", &grid("first", markdown))]);
    assert_eq!(conditions(&pasted), conditions(&plain));
    assert_eq!(pasted.rule_ids, plain.rule_ids);
}

#[test]
fn a_rule_without_an_id_is_pointed_at_where_its_id_goes() {
    let yaml = grid(
        "first",
        "id | channel | overdue_days | note | risk\n   | KA      | > 5          | a    | high\n",
    );
    assert_eq!(
        errors(&[("a.yaml", &yaml)]),
        [
            "error rules/a.yaml:9:7 [risk]: this rule has no id: the grid has an `id` column, so every rule needs one"
        ]
    );
}
