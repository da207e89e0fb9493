//! Decision tables written as grids, on the real binary: what a run gives each customer
//! (NULL inputs, the ends of ranges, lists, negations, defaults, generated ids), what
//! `check` says of a bad cell, and how `explain` shows a grid row.

mod common;

use common::*;

const GRIDS: &str = r#"decisions:
  - name: risk
    hit: first
    outputs:
      - note
      - { name: risk, values: [high, medium, low], default: low }
    grid: |
      id        | segment          | overdue_days ?? 0 | note | risk
      risk-exit | exit             | -                 | exit | high
      risk-late | not("KA", "BC")  | > 60              | null | medium
      risk-mid  | -                | [30..60]          | -    | = "medium"
  - name: band
    outputs: [band]
    grid: |
      score     | vip   | band
      [0..10)   | -     | a
      [10..20]  | true  | b
      ]20..30[  | -     | c
      null      | -     | none
      -         | -     | other
"#;

/// Customers 1..=7: segment, overdue days, score, vip (NULLs where the case needs them).
fn fixture() -> Fixture {
    let fx = Fixture::new();
    let row = |id, segment: Option<&str>, overdue: Option<i64>, score: Option<f64>, vip| {
        vec![
            int(id),
            segment.map_or(null(), text),
            overdue.map_or(null(), int),
            score.map_or(null(), real),
            match vip {
                Some(v) => int(v),
                None => null(),
            },
        ]
    };
    fx.customers(
        "customer_id INTEGER PRIMARY KEY, segment TEXT, overdue_days INTEGER, score REAL, vip BOOLEAN",
        &[
            row(1, Some("exit"), Some(0), Some(5.0), Some(1)),
            row(2, Some("KA"), Some(70), Some(10.0), Some(1)),
            row(3, Some("terminal"), Some(70), Some(20.0), Some(0)),
            row(4, None, Some(45), Some(25.0), None),
            row(5, Some("BC"), None, None, Some(1)),
            row(6, Some("terminal"), Some(60), Some(30.0), Some(1)),
            row(7, Some("terminal"), Some(30), Some(10.0), None),
        ],
    );
    fx.rule("grids.yaml", GRIDS);
    fx
}

#[test]
fn a_run_gives_each_customer_what_its_first_matching_rule_says() {
    let fx = fixture();
    fx.run_ok(&[]);
    let latest = fx.latest();
    // 1: exit. 2: KA is excluded from risk-late, 70 is above [30..60]: the default.
    // 3: 70 > 60. 4: a NULL segment fails `exit` and `not(...)`; 45 is in [30..60].
    // 5: NULL overdue days are 0 (`?? 0`): the default. 6, 7: 60 and 30 are included.
    assert_eq!(
        column(&latest, "risk"),
        expect(&[
            ("1", "high"),
            ("2", "low"),
            ("3", "medium"),
            ("4", "medium"),
            ("5", "low"),
            ("6", "medium"),
            ("7", "medium")
        ])
    );
    // `null` and `-` give NULL; the default is `risk`'s only.
    let note = column(&latest, "note");
    assert_eq!(note["1"], text("exit"));
    assert!(
        ["2", "3", "4", "5", "6", "7"]
            .iter()
            .all(|c| note[*c] == null())
    );
    // 1: 5 in [0..10). 2: 10 in [10..20] and vip. 3: 20 in [10..20] but not vip, 20 is
    // not in ]20..30[. 4: 25 in ]20..30[. 5: NULL score. 6: 30 not in ]20..30[.
    // 7: vip NULL is not `true`.
    assert_eq!(
        column(&latest, "band"),
        expect(&[
            ("1", "a"),
            ("2", "b"),
            ("3", "other"),
            ("4", "c"),
            ("5", "none"),
            ("6", "other"),
            ("7", "other")
        ])
    );
    // Rule ids: the `id` column's, or `<decision>-<n>`; a default fires no rule.
    assert_eq!(
        column(&latest, "rule_ids"),
        expect(&[
            ("1", r#"["risk-exit","band-1"]"#),
            ("2", r#"["band-2"]"#),
            ("3", r#"["risk-late","band-5"]"#),
            ("4", r#"["risk-mid","band-3"]"#),
            ("5", r#"["band-4"]"#),
            ("6", r#"["risk-mid","band-5"]"#),
            ("7", r#"["risk-mid","band-5"]"#)
        ])
    );
}

#[test]
fn explain_shows_each_cell_of_a_grid_row_with_its_verdict() {
    let fx = fixture();
    let run = fx.run(&["explain", "3"]);
    run.assert_code(0);
    let out = &run.stdout;
    let expected = "  risk (hit: first)
    ✗ risk-exit
        with segment = terminal
        segment = exit: no
    ✓ risk-late
        with segment = terminal, overdue_days = 70
        segment not(\"KA\", \"BC\"): yes
        overdue_days ?? 0 > 60: yes
        gives note = NULL
        gives risk = medium
    not tried (an earlier row matched): risk-mid
    => note = NULL, risk = medium
";
    assert!(out.contains(expected), "{out}");
    assert!(out.contains("        vip = true: no\n"), "{out}");

    let run = fx.run(&["explain", "2"]);
    run.assert_code(0);
    let out = &run.stdout;
    assert!(
        out.contains(
            "    ✗ risk-mid\n        with overdue_days = 70\n        overdue_days ?? 0 in [30..60]: no\n    => note = NULL, risk = low  (no row matched: the default of risk)\n"
        ),
        "{out}"
    );
    let run = fx.run(&["explain", "2", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let risk = &json["decisions"][0];
    assert_eq!(risk["defaults"], serde_json::json!(["risk"]));
    assert_eq!(
        risk["rows"][1]["cells"],
        serde_json::json!([
            { "test": "segment not(\"KA\", \"BC\")", "holds": false, "tried": true },
            // The rule stopped at the first cell: the second is not tried.
            { "test": "overdue_days ?? 0 > 60", "holds": null, "tried": false },
        ])
    );
    // As for a `when:` row, `failed_at` is where the row failed: its first cell that does
    // not hold.
    assert_eq!(risk["rows"][1]["failed_at"], "segment not(\"KA\", \"BC\")");
}

#[test]
fn check_points_at_the_bad_cell() {
    let fx = fixture();
    fx.rule(
        "grids.yaml",
        &GRIDS
            .replace("| [30..60]  ", "| [60..30]  ")
            .replace("]20..30[  | -     | c", "]20..30[  | yes   | c")
            .replace("| exit | high", "| exit | hihg"),
    );
    // `run` prints the errors on stderr (`check` prints the same on stdout) and writes nothing.
    let run = fx.run(&["run"]);
    run.assert_code(2);
    assert_eq!(fx.policy_row_count(), 0);
    assert_eq!(
        run.diagnostic_at("rules/grids.yaml:9:65"),
        "error: `hihg` is not one of the values of output `risk`: high, medium, low (in `risk-exit`)
 --> rules/grids.yaml:9:65
  |
9 |       risk-exit | exit             | -                 | exit | hihg
  |                                                                 ^^^^"
    );
    assert_eq!(
        run.diagnostic_at("rules/grids.yaml:11:38"),
        "error: the range's ends are swapped: 60 is above 30; write the low end first (in `risk-mid`)
  --> rules/grids.yaml:11:38
   |
11 |       risk-mid  | -                | [60..30]          | -    | = \"medium\"
   |                                      ^"
    );
    assert_eq!(
        run.diagnostic_at("rules/grids.yaml:18:19"),
        "error: field `vip` is true/false, but it is compared with text `yes` (in `band-3`)
  --> rules/grids.yaml:18:19
   |
18 |       ]20..30[  | yes   | c
   |                   ^
   = help: true/false compares only with true/false: write `true` or `false`"
    );
    let check = fx.run(&["check"]);
    check.assert_code(2);
    assert!(
        check.stdout.ends_with("3 errors in the rule files\n"),
        "{}",
        check.stdout
    );
}

/// A grid pasted from a policy document: Word makes `-` an en dash, so a cell of `–` was the
/// text "–" and its row matched no customer, `check` saying "no problems found"; a minus
/// sign in `< −5` was "not a value" with the caret at `<` (the model-risk validator's F05).
#[test]
fn a_dash_a_word_processor_wrote_for_minus_is_an_error_at_the_cell() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id INTEGER PRIMARY KEY, ebit REAL, sector TEXT",
        &[vec![int(1), real(2e6), text("retail")]],
    );
    fx.rule(
        "g.yaml",
        "decisions:\n  - name: g\n    outputs: [cls]\n    grid: |\n      id  | ebit        | sector | cls\n      g1  | < \u{2212}5        | -      | loss\n      g3  | >= 1000000  | \u{2013}      | large\n      g4  | -           | -      | other\n",
    );
    let run = fx.run(&["run"]);
    run.assert_code(2);
    assert_eq!(
        run.diagnostic_at("rules/g.yaml:7:27"),
        "error: `\u{2013}` (U+2013, an en dash, as a word processor writes `-`) is not `-`: write `-` for any value (in `g3`)
 --> rules/g.yaml:7:27
  |
7 |       g3  | >= 1000000  | \u{2013}      | large
  |                           ^"
    );
    let check = fx.run(&["check"]);
    check.assert_code(2);
    assert!(
        check.stdout.contains("error: `\u{2212}` (U+2212, a minus sign, as a word processor writes `-`) is not a minus here: write `< -5` (in `g1`)\n --> rules/g.yaml:6:15"),
        "{}",
        check.stdout
    );
}

/// NULL passes only `-` and `null` (and a formula that asks for it); `!=` and `not(...)`
/// are false for it, as every comparison.
#[test]
fn a_null_input_passes_only_anything_and_null() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id INTEGER PRIMARY KEY, segment TEXT",
        &[
            vec![int(1), null()],
            vec![int(2), text("KA")],
            vec![int(3), text("XY")],
        ],
    );
    fx.rule(
        "forms.yaml",
        r#"decisions:
  - name: forms
    hit: collect
    aggregate: list
    output: matched
    outputs: [matched]
    grid: |
      id        | segment            | matched
      f-any     | -                  | any
      f-null    | null               | is-null
      f-eq      | KA                 | eq
      f-ne      | != KA              | ne
      f-list    | "KA", BC           | list
      f-not     | not(KA)            | not
      f-notnull | not(null)          | not-null
      f-formula | = is_null(segment) | formula
"#,
    );
    fx.run_ok(&[]);
    assert_eq!(
        column(&fx.latest(), "rule_ids"),
        expect(&[
            ("1", r#"["f-any","f-null","f-formula"]"#),
            ("2", r#"["f-any","f-eq","f-list","f-notnull"]"#),
            ("3", r#"["f-any","f-ne","f-not","f-notnull"]"#),
        ])
    );
}

/// `hit: priority` ranks a grid's matching rules by the output's declared `values:`.
#[test]
fn a_priority_grid_gives_the_highest_declared_value() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id INTEGER PRIMARY KEY, channel TEXT, credit_score INTEGER",
        &[
            vec![int(1), text("wholesale"), int(90)],
            vec![int(2), text("terminal"), int(85)],
            vec![int(3), text("wholesale"), int(40)],
        ],
    );
    fx.rule(
        "risk.yaml",
        "decisions:
  - name: risk
    hit: priority
    outputs:
      - { name: risk, values: [high, medium, low], default: low }
    grid: |
      id         | channel   | credit_score | risk
      risk-ws    | wholesale | -            | medium
      risk-score | -         | < 50         | high
",
    );
    fx.run_ok(&[]);
    let latest = fx.latest();
    assert_eq!(
        column(&latest, "risk"),
        expect(&[("1", "medium"), ("2", "low"), ("3", "high")])
    );
    assert_eq!(column(&latest, "rule_ids")["3"], text(r#"["risk-score"]"#));
}

/// A cell listing tests of their own (DMN's `[0..10000], > 1000000`, `not("KA"), null`):
/// any of them; each keeps its own NULL rule, so `not(KA), null` lets a missing segment in.
#[test]
fn a_cell_listing_tests_passes_any_of_them() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id INTEGER PRIMARY KEY, segment TEXT, orders INTEGER",
        &[
            vec![int(1), text("KA"), int(5)],
            vec![int(2), null(), int(50)],
            vec![int(3), text("BC"), int(500)],
            vec![int(4), text("KA"), int(150)],
            vec![int(5), text("KA"), null()],
        ],
    );
    fx.rule(
        "grids.yaml",
        r#"decisions:
  - name: odd
    outputs: [{ name: odd, default: no }]
    grid: |
      id       | segment       | orders
      odd-size | -             | [0..10), > 400 | yes
      odd-seg  | not(KA), null | -              | yes
"#
        .replace("| orders\n", "| orders | odd\n")
        .as_str(),
    );
    fx.run(&["check"]).assert_code(0);
    fx.run_ok(&[]);
    assert_eq!(
        column(&fx.latest(), "odd"),
        expect(&[
            ("1", "yes"),
            ("2", "yes"),
            ("3", "yes"),
            ("4", "no"),
            ("5", "no")
        ])
    );
    let explained = fx.run(&["explain", "4"]);
    assert!(
        explained.stdout.contains("orders in [0..10), > 400"),
        "{}",
        explained.stdout
    );
}

/// `check` reads date cells as whole days: `< 2024-06-01` and `[2024-05-31..2025-01-01]`
/// share 31 May (which stops a `unique` run), and `<= 2024-05-31` with `>= 2024-06-01`
/// leave no day out (no "may get no value").
#[test]
fn check_reads_date_cells_as_whole_days() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id INTEGER PRIMARY KEY, opened TEXT",
        &[
            vec![int(1), text("2024-05-31")],
            vec![int(2), text("2024-06-01")],
            vec![int(3), null()],
        ],
    );
    std::fs::write(
        fx.path("config.yaml"),
        "database: customers.db\nrules: rules\n\
         customers: { table: customers, id_column: customer_id, dates: [opened] }\n",
    )
    .unwrap();
    fx.rule(
        "dates.yaml",
        r#"decisions:
  - name: cohort
    hit: unique
    outputs: [{ name: cohort, default: none }]
    grid: |
      opened                   | cohort
      < 2024-06-01             | old
      [2024-05-31..2025-01-01] | mid
      > 2025-01-01             | new
  - name: cover
    hit: unique
    outputs: [cover]
    grid: |
      opened        | cover
      <= 2024-05-31 | before
      >= 2024-06-01 | after
      null          | unknown
"#,
    );
    let check = fx.run(&["check"]);
    check.assert_code(0);
    assert_eq!(
        check.stdout.matches("warning[").count(),
        1,
        "{}",
        check.stdout
    );
    assert!(
        check.stdout.contains(
            "rows `cohort-1` and `cohort-2` overlap: a customer whose `opened` is 2024-05-31 matches both"
        ),
        "{}",
        check.stdout
    );
    // The run agrees: customer 1 (31 May) matches both rows.
    fx.run(&["run"]).assert_code(1).assert_stderr_contains(
        "customer 1: decision `cohort` failed: rules `cohort-1` and `cohort-2` both match",
    );
}

/// A list in an output cell is a list, as `then: { visits: [business, technical] }` is: it
/// was the text "[business, technical]" (`len` counted characters, a routing tool got a
/// string, the stored column stopped being JSON), and `check` said nothing. The same cell
/// in a CSV table.
#[test]
fn a_list_in_an_output_cell_is_a_list_in_a_grid_and_in_a_csv_table() {
    let fx = Fixture::new();
    fx.sales_customers(&[10.0, 500.0, 2000.0]);
    fx.rule(
        "visits.yaml",
        r#"decisions:
  - name: visits
    outputs: [visit_types]
    grid: |
      id    | annual_sales | visit_types
      big   | >= 1000      | [business, technical, "leadership"]
      mid   | >= 100       | [ business ]
      small | -            | []
  - name: kinds
    outputs: [kinds, weights]
    grid: |
      id | annual_sales | kinds              | weights
      k  | -            | = len(visit_types) | [2, 5.5, null]
"#,
    );
    let run = fx.run_ok(&["--out", "out.jsonl"]);
    assert!(!run.stderr.contains("WARN"), "{}", run.stderr);
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(fx.path("out.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let got: Vec<(serde_json::Value, serde_json::Value)> = (lines.iter())
        .map(|l| (l["visit_types"].clone(), l["kinds"].clone()))
        .collect();
    use serde_json::json;
    assert_eq!(
        got,
        [
            (json!([]), json!(0)),
            (json!(["business"]), json!(1)),
            (json!(["business", "technical", "leadership"]), json!(3)),
        ]
    );
    assert_eq!(lines[0]["weights"], json!([2, 5.5, null]));

    // The same table as a CSV rule table.
    std::fs::remove_file(fx.path("rules/visits.yaml")).unwrap();
    std::fs::write(
        fx.path("rules/visits.csv"),
        "hit: first\nid,annual_sales,visit_types\n,input,output\nbig,>= 1000,\"[business, technical]\"\nsmall,-,[business]\n",
    )
    .unwrap();
    fx.run_ok(&["--out", "out.jsonl"]);
    let out = std::fs::read_to_string(fx.path("out.jsonl")).unwrap();
    assert!(
        out.contains(r#""visit_types":["business","technical"]"#),
        "{out}"
    );
    assert!(out.contains(r#""visit_types":["business"]"#), "{out}");
}
