//! `TW106 missing-default`: a table of rows that gives one value (`first`, `unique`, `any`,
//! `max`, `min`) and leaves some customers without a value.
//!
//! # What it does
//! Takes away, from everyone, the customers each row matches; if someone is left, warns at
//! the last row and names an example customer (`one whose x is 99 and region is a text
//! other than "north"`), or says that customers whose `x` is NULL are left when only they
//! are. A row the analysis cannot read makes it "some customers *may* get no value".
//!
//! # Why it matters
//! A customer no row matches gets NULL for the decision's outputs, and every later rule
//! reading them sees NULL: comparisons with it are false, so the customer quietly falls
//! through other tables too. A last row without `when` says what such customers get.
//! NULL is the case most often missed: `x >= 5` and `x < 5` are both false for it.
//!
//! # Example
//! ```yaml
//! rules:
//!   - { id: big, when: annual_sales >= 100000, then: { tier: A } }
//!   - { id: small, when: annual_sales < 100000, then: { tier: B } }
//! ```
//! Customers whose `annual_sales` is NULL get no value for `tier`.

use super::region::Region;
use super::values::Values;
use super::{Lint, Table};
use crate::diag::Diagnostic;

pub(super) const LINT: Lint = Lint::new("TW106", "missing-default", check);

const HELP_DEFAULT: &str =
    "a last row without `when` gives a value to everyone the rows above miss";

/// Where rows may not overlap (`unique`, `any`), a row without `when` would match together
/// with every other row and fail every customer they match: the advice differs.
const HELP_EXCLUSIVE: &str = "a row whose `when` holds exactly when no other row's does (not a row without `when`: under this hit policy it would match together with the others, and those customers would fail)";

/// Under `max` / `min` a row without `when` competes with the others.
const HELP_BEST: &str = "a row without `when` competes with the others under this hit policy: give it the value that loses to every other (the smallest under `max`, the largest under `min`), and it gives a value to everyone the rows above miss";

/// In a grid, an output's `default:` is the way to say what the others get.
const HELP_GRID: &str = "`outputs: [{ name, default }]`: the default is the output's value when no rule of the grid matches";

/// In a spreadsheet's table, the default is said in the output's kind cell.
const HELP_SHEET: &str = "write the output's kind cell in row 3 as `output; default: <value>`: the default is the output's value when no row of the table matches";

/// What to add so that every customer gets a value, for this table's hit policy.
fn remedy(table: &Table) -> (&'static str, &'static str) {
    use crate::rules::hit::RanksBy;
    let in_sheet = (table.decision.rows.first()).is_some_and(|r| {
        table.rules.rule_origins[r.rule as usize]
            .file
            .cells
            .is_some()
    });
    if in_sheet {
        ("give the output a default", HELP_SHEET)
    } else if table.is_grid() {
        ("give the output a `default:`", HELP_GRID)
    } else if matches!(
        table.decision.hit.shape().ranks_by,
        RanksBy::Largest | RanksBy::Smallest
    ) {
        (
            "add a row without `when` whose value loses to the others",
            HELP_BEST,
        )
    } else if table.decision.hit.shape().exclusive {
        ("add a row for the customers no row matches", HELP_EXCLUSIVE)
    } else {
        ("add a last row without `when`", HELP_DEFAULT)
    }
}

fn check(table: &Table) -> Vec<Diagnostic> {
    let Some(last) = table.rows.last() else {
        return Vec::new();
    };
    // Outputs with a `default:` get a value when no row matches.
    let outputs = table.outputs_without_default();
    if outputs.is_empty() {
        return Vec::new();
    }
    let Some((message, help)) = finding(table, &outputs) else {
        return Vec::new();
    };
    vec![table.warn(last, &table.decision.name, message, help)]
}

/// The warning's message and help, or `None` when every customer gets a value.
fn finding(table: &Table, outputs: &str) -> Option<(String, String)> {
    let (uncovered, all_known) = table.uncovered();
    let (add, help) = remedy(table);
    let may = || {
        (
            format!("some customers may get no value for {outputs}: {add}"),
            help.to_owned(),
        )
    };
    let Some(uncovered) = uncovered else {
        return Some(may());
    };
    // Only the kinds of value the conditions compare with (the heuristic in the module doc).
    let relevant: Region = uncovered
        .iter()
        .map(|c| {
            let mut c = c.clone();
            for (slot, v) in c.0.iter_mut() {
                *v = v.meet(&table.analyzer.relevant(*slot));
            }
            c
        })
        .filter(|c| !c.is_empty())
        .collect();
    let first = relevant.first()?;
    if !all_known {
        return Some(may());
    }
    let constrained: Vec<_> = first
        .0
        .iter()
        .filter(|(slot, v)| table.constrains(**slot, v))
        .collect();
    if let ([(slot, v)], 1) = (&constrained[..], relevant.len())
        && **v == Values::null()
    {
        let x = table.name(**slot);
        let null_row = if table.is_grid() {
            format!("a rule with `null` in the `{x}` column")
        } else {
            format!("a row `when: is_null({x})`")
        };
        return Some((
            format!("customers whose `{x}` is NULL get no value for {outputs}"),
            format!(
                "{}; {add}, or {null_row}",
                table.analyzer.why_null_misses(**slot, x, table.is_grid())
            ),
        ));
    }
    let example = table.example(first);
    let message = if example.is_empty() {
        format!("some customers get no value for {outputs}")
    } else {
        format!("some customers get no value for {outputs}, for example one whose {example}")
    };
    Some((message, format!("{add}: {help}")))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{X, lint_yaml};

    #[test]
    fn rows_handed_over_on_a_day_cover_their_customers_every_day() {
        // A rate handed over on 1 November: on every day one of the two rows is in effect.
        let yaml = r#"
decisions:
  - name: grace
    output: g
    rules:
      - { id: old, effective: { to: 2026-10-31 }, value: 14 }
      - { id: new, effective: { from: 2026-11-01 }, value: 10 }
  - name: rate
    output: r
    rules:
      - { id: big-old, when: "x >= 5", effective: { to: 2026-10-31 }, value: 3 }
      - { id: big-new, when: "x >=  5", effective: { from: 2026-11-01 }, value: 4 }
      - { id: small, when: "x < 5 || is_null(x)", value: 1 }
  - name: later
    output: l
    rules:
      - { id: l-old, effective: { from: 2026-01-01, to: 2026-10-31 }, value: 14 }
      - { id: l-new, effective: { from: 2026-11-01 }, value: 10 }
  - name: gap
    output: p
    rules:
      - { id: p-old, effective: { to: 2026-10-30 }, value: 14 }
      - { id: p-new, effective: { from: 2026-11-01 }, value: 10 }
"#;
        let missing: Vec<String> = lint_yaml(yaml, X)
            .into_iter()
            .filter(|l| l.contains("TW106"))
            .collect();
        assert_eq!(
            missing,
            [
                "18:15 TW106 [later] some customers may get no value for `l`: add a last row without `when`",
                "23:15 TW106 [gap] some customers may get no value for `p`: add a last row without `when`",
            ]
        );
    }

    #[test]
    fn the_null_help_speaks_of_what_the_rows_compare() {
        let yaml = r#"
decisions:
  - name: seen
    output: o1
    rules:
      - { id: seen-yes, when: "!is_null(x)", value: 1 }
  - name: near
    output: o2
    rules:
      - { id: north, when: 'region == "north"', value: 1 }
      - { id: rest, when: '!is_null(region) && region != "north"', value: 2 }
  - name: size
    output: o3
    rules:
      - { id: big, when: "x >= 5", value: 1 }
      - { id: small, when: "x < 5", value: 2 }
  - name: defaulted
    output: o4
    rules:
      - { id: d-big, when: "(x ?? 0) >= 5", value: 1 }
      - { id: d-small, when: "(x ?? 9) < 5", value: 2 }
  - name: flagged
    output: o5
    rules:
      - { id: f-on, when: "flag == true", value: 1 }
      - { id: f-off, when: "flag == false", value: 2 }
  - name: gridded
    outputs: [o6]
    grid: |
      region      | o6
      north       | 1
      not(north)  | 2
"#;
        let fields = [X, &[("flag", "BOOLEAN")]].concat();
        let helps: Vec<String> = super::super::tests::lint_yaml_full(yaml, &fields)
            .into_iter()
            .map(|line| {
                line.split(" | help: ")
                    .nth(1)
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect();
        let row = |x: &str| format!("add a last row without `when`, or a row `when: is_null({x})`");
        assert_eq!(
            helps,
            [
                format!("no row's `when` holds when `x` is NULL; {}", row("x")),
                format!("`==` with a text is false when `region` is NULL; {}", row("region")),
                format!(
                    "`<`, `<=`, `>`, `>=` and `==` with a number are false when `x` is NULL; {}",
                    row("x")
                ),
                format!(
                    "where `x` is NULL, `x ?? …` gives its default, and no row accepts it; {}",
                    row("x")
                ),
                format!(
                    "a comparison with true or false is false when `flag` is NULL; {}",
                    row("flag")
                ),
                "no cell on `region` holds when it is NULL, `not(…)` and `!= …` included; give the output a `default:`, or a rule with `null` in the `region` column".to_owned(),
            ]
        );
    }

    #[test]
    fn null_customers_are_not_covered_by_orderings() {
        let yaml = r#"
decisions:
  - name: d
    output: out
    rules:
      - { id: high, when: "x >= 5", value: 1 }
      - { id: low, when: "x < 5", value: 2 }
      - { id: nulls, when: "is_null(x)", value: 3 }
  - name: e
    output: out2
    rules:
      - { id: e-high, when: "x >= 5", value: 1 }
      - { id: e-low, when: "x < 5", value: 2 }
"#;
        // `d` covers everyone (no warning); `e` leaves NULL customers without a value.
        assert_eq!(
            lint_yaml(yaml, X),
            ["13:15 TW106 [e] customers whose `x` is NULL get no value for `out2`"]
        );
    }

    #[test]
    fn under_unique_the_advice_is_not_a_row_without_when() {
        let yaml = r#"
decisions:
  - name: scored
    output: out
    hit: unique
    rules:
      - { id: scored, when: "x * 2 > y", value: 1 }
"#;
        assert_eq!(
            lint_yaml(yaml, X),
            [
                "7:15 TW106 [scored] some customers may get no value for `out`: add a row for the customers no row matches"
            ]
        );
    }

    #[test]
    fn under_max_the_advice_is_a_row_whose_value_loses() {
        let yaml = r#"
decisions:
  - name: best
    output: out
    hit: max
    rules:
      - { id: promo, when: "x * 2 > y", value: 4 }
"#;
        assert_eq!(
            lint_yaml(yaml, X),
            [
                "7:15 TW106 [best] some customers may get no value for `out`: add a row without `when` whose value loses to the others"
            ]
        );
    }

    #[test]
    fn in_a_grid_the_advice_is_a_default_and_a_default_covers_everyone() {
        let grid = |default: &str| {
            format!(
                r#"
decisions:
  - name: g
    outputs:
      - {{ name: out, values: [1, 2]{default} }}
      - other
    grid: |
      x        | region | out | other
      >= 5     | -      | 1   | =x
      < 5      | north  | 2   | -
"#
            )
        };
        let warnings = super::super::tests::lint_yaml_full(&grid(""), X);
        assert_eq!(
            warnings,
            [
                "10:7 TW106 [g] some customers get no value for `out`, `other`, for example one whose `x` is NULL | help: give the output a `default:`: `outputs: [{ name, default }]`: the default is the output's value when no rule of the grid matches"
            ]
        );
        // With a default, only the output without one is named.
        assert_eq!(
            lint_yaml(&grid(", default: 2"), X),
            [
                "10:7 TW106 [g] some customers get no value for `other`, for example one whose `x` is NULL"
            ]
        );
    }

    #[test]
    fn missing_default_row() {
        let yaml = r#"
decisions:
  - name: by-region
    output: out
    rules:
      - { id: north, when: 'region == "north"', value: 1 }
      - { id: big, when: "x >= 100", value: 2 }
  - name: unknown
    output: out2
    rules:
      - { id: scored, when: "x * 2 > y", value: 1 }
  - name: flags
    output: out3
    hit: collect
    rules:
      - { id: flag, when: "x > 1", value: 1 }
"#;
        assert_eq!(
            lint_yaml(yaml, X),
            [
                r#"7:15 TW106 [by-region] some customers get no value for `out`, for example one whose `x` is 99 and `region` is a text other than "north""#,
                "11:15 TW106 [unknown] some customers may get no value for `out2`: add a last row without `when`",
            ]
        );
    }

    /// A count of days holds whole numbers: `<= 30` and `>= 31` leave no one out (the
    /// warning gave 30.5 days as its example); a real gap's example is a whole number.
    #[test]
    fn days_counted_leave_no_gap_between_whole_numbers() {
        let yaml = |second: &str| {
            format!(
                r#"
metrics:
  days_left: "days_between(as_of, date(\"2027-01-01\")) ?? 0"
decisions:
  - name: d
    output: out
    rules:
      - {{ id: none, when: "is_null(days_left)", value: 0 }}
      - {{ id: soon, when: "days_left <= 30", value: 1 }}
      - {{ id: later, when: "{second}", value: 2 }}
"#
            )
        };
        assert_eq!(lint_yaml(&yaml("days_left >= 31"), X), Vec::<String>::new());
        // A day after the count, and the count negated, are whole numbers too.
        let later = yaml("days_left >= 31")
            .replace("?? 0", "?? 0) + 1 - 1")
            .replace("days_between", "(days_between");
        assert_eq!(lint_yaml(&later, X), Vec::<String>::new());
        assert_eq!(
            lint_yaml(&yaml("days_left > 31.5"), X),
            [
                "10:15 TW106 [d] some customers get no value for `out`, for example one whose `days_left` is 31"
            ]
        );
    }

    /// A sheet of customer overrides named every id above in its example (3,000 of them).
    #[test]
    fn the_example_names_a_few_texts_and_how_many_more() {
        let mut yaml = "decisions:\n  - name: d\n    output: out\n    rules:\n".to_owned();
        for k in 0..12 {
            yaml.push_str(&format!(
                "      - {{ id: o{k}, when: 'region == \"C-{k:02}\"', value: {k} }}\n"
            ));
        }
        assert_eq!(
            lint_yaml(&yaml, X),
            [
                r#"16:15 TW106 [d] some customers get no value for `out`, for example one whose `region` is a text other than "C-00", "C-01", "C-02", "C-03", "C-04" and 7 more"#
            ]
        );
    }
}
