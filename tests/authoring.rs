//! End-to-end tests of the authoring commands (`explain`, `check`) on the real binary with
//! SQLite files made here.

mod common;

use common::*;

const RULES: &str = r#"population:
  sales_rank: { percentile_of: annual_sales, where: annual_sales > 0 }

decisions:
  - name: tier
    rules:
      - { id: tier-dormant, when: is_null(sales_rank), then: { tier: dormant } }
      - { id: tier-a, when: sales_rank >= 0.8, then: { tier: A } }
      - { id: tier-b, when: sales_rank >= 0.4, then: { tier: B } }
      - { id: tier-c, then: { tier: C } }
  - name: discount
    hit: collect
    output: discount_pct
    cap: { min: 0, max: 6 }
    rules:
      - { id: disc-a, when: 'tier == "A"', value: 5 }
      - { id: disc-prompt, when: overdue_days < 10 && annual_sales > 100, value: 2 }
"#;

fn fixture() -> Fixture {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, annual_sales REAL, overdue_days INTEGER",
        &[
            vec![text("C1"), real(50.0), int(0)],
            vec![text("C2"), real(500.0), int(0)],
            vec![text("C3"), real(0.0), int(20)],
            vec![text("C4"), real(300.0), int(30)],
            vec![text("C5"), real(200.0), int(5)],
            vec![text("C6"), real(100.0), int(1)],
        ],
    );
    fx.rule("rules.yaml", RULES);
    fx
}

#[test]
fn explain_shows_figures_rows_tried_failing_parts_and_caps() {
    let fx = fixture();
    let run = fx.run(&["explain", "C2"]);
    run.assert_code(0);
    let out = &run.stdout;
    // 5 ranked customers (C3 has no sales); C2 is the largest: nobody above it, percentile
    // just under 1 (shown as it is: shown as 1.0, `floor` of it would have read 0 beside 1).
    assert!(
        out.contains(
            "sales_rank  0.999999999996  (annual_sales = 500.0: 0 of 5 ranked customers above it (0.0%))"
        ),
        "{out}"
    );
    assert!(
        out.contains("✗ tier-dormant  when is_null(sales_rank)"),
        "{out}"
    );
    assert!(out.contains("✓ tier-a  when sales_rank >= 0.8"), "{out}");
    assert!(
        out.contains("not tried (an earlier row matched): tier-b, tier-c"),
        "{out}"
    );
    // 5 + 2 = 7, capped at 6.
    assert!(
        out.contains("=> discount_pct = 6  (7.0, bound by discount.max)"),
        "{out}"
    );
    assert!(!out.contains('\x1b'), "no colour when not a terminal");

    let run = fx.run(&["explain", "C4"]);
    run.assert_code(0);
    assert!(
        run.stdout
            .contains("✗ disc-prompt  when overdue_days < 10 && annual_sales > 100"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("fails at: overdue_days < 10"),
        "{}",
        run.stdout
    );
    // 300 is 2nd of the 5 ranked values: one above it (20%), percentile just under 4/5, so
    // not A (A needs fewer than 20% above); shown with the digits that put it below 0.8.
    assert!(
        run.stdout.contains(
            "sales_rank  0.799999999997  (annual_sales = 300.0: 1 of 5 ranked customers above it (20.0%))"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn explain_json_matches_what_a_run_writes() {
    let fx = fixture();
    fx.run_ok(&[]);
    let policies = fx.latest();
    for id in ["C1", "C2", "C3", "C4", "C5", "C6"] {
        let run = fx.run(&["explain", id, "--format", "json"]);
        run.assert_code(0);
        let json: serde_json::Value =
            serde_json::from_str(&run.stdout).expect("explain --format json is JSON");
        let explained: Vec<&str> = json["rule_ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let written = key(&policies[id]["rule_ids"]);
        let written: Vec<String> = serde_json::from_str(&written).unwrap();
        assert_eq!(
            explained, written,
            "customer {id}: explain and run disagree"
        );
        let tier = &json["decisions"].as_array().unwrap()[0];
        assert_eq!(tier["name"], "tier");
        assert_eq!(
            tier["outputs"][0]["value"].as_str().unwrap(),
            key(&policies[id]["tier"])
        );
    }
    let dormant = fx.run(&["explain", "C3", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&dormant.stdout).unwrap();
    assert!(json["population"][0]["value"].is_null());
    assert!(
        json["population"][0]["meaning"]
            .as_str()
            .unwrap()
            .starts_with("not ranked")
    );
}

#[test]
fn explain_an_unknown_customer_is_an_error() {
    let fx = fixture();
    fx.run(&["explain", "C99"])
        .assert_code(2)
        .assert_stderr_contains("no customer has customer_id = `C99`");
    // An id that differs only in case: the one meant.
    fx.run(&["explain", "c1"])
        .assert_code(2)
        .assert_stderr_contains(
            "no customer has customer_id = `c1` in the customer source: did you mean `C1`?",
        );
}

/// A formula that compares (`= sales_pct >= 0.8`) shows its input with the digits that put
/// it on its side of 0.8, as a condition's does: `sales_pct = 0.8` beside a false
/// `>= 0.8` read as a wrong answer.
#[test]
fn explain_shows_a_formulas_input_next_to_its_constant_with_the_digits_that_decide_it() {
    let fx = Fixture::new();
    fx.sales_customers(&[1.0, 2.0, 3.0, 4.0, 5.0]);
    fx.rule(
        "top.yaml",
        "population:\n  sales_pct: { percentile_of: annual_sales }\ndecisions:\n  - name: top\n    output: top\n    rules:\n      - { id: top, value: '= sales_pct >= 0.8' }\n",
    );
    let run = fx.run(&["explain", "4"]);
    run.assert_code(0);
    assert!(
        run.stdout
            .contains("= sales_pct >= 0.8, with sales_pct = 0.7999"),
        "{}",
        run.stdout
    );
}

/// A tile says how many are better and how many tied: why six customers with no order are
/// in quintile 3 of 5 (ties go up) is on the screen.
#[test]
fn explain_of_a_tile_counts_the_customers_better_and_tied() {
    let fx = Fixture::new();
    let rows: Vec<Vec<rusqlite::types::Value>> = [0, 0, 0, 0, 0, 0, 1, 2, 3, 5, 8]
        .iter()
        .enumerate()
        .map(|(i, &o)| vec![int(i as i64 + 1), int(o)])
        .collect();
    fx.customers("customer_id INTEGER PRIMARY KEY, orders INTEGER", &rows);
    fx.rule(
        "rfm.yaml",
        "population:\n  f_q: { ntile_of: orders, n: 5 }\ndecisions:\n  - name: seg\n    output: seg\n    rules:\n      - { id: s, value: '= f_q' }\n",
    );
    let run = fx.run(&["explain", "1"]);
    run.assert_code(0);
    assert!(
        run.stdout.contains("  f_q  3.0  (orders = 0: tile 3 among 11 ranked customers (the highest tile is the best); 5 better, 5 tied with it)\n"),
        "{}",
        run.stdout
    );
}

/// Ids with letters beyond ASCII: another case (`łódź-7`) finds the id meant, and an id an
/// export stored with a combining mark (`g` + breve) asked for as typed (`ğ`) gets the id,
/// with what tells the two apart (they look the same).
#[test]
fn explain_suggests_ids_in_any_case_and_composition() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, annual_sales REAL",
        &[
            vec![text("Łódź-7"), real(10.0)],
            vec![text("Ag\u{306}rı-1940"), real(20.0)],
        ],
    );
    fx.rule(
        "tiers.yaml",
        "decisions:\n  - name: tier\n    rules:\n      - { id: all, then: { tier: A } }\n",
    );
    fx.run(&["explain", "łódź-7"])
        .assert_code(2)
        .assert_stderr_contains("did you mean `Łódź-7`?\n");
    fx.run(&["explain", "A\u{11f}rı-1940"])
        .assert_code(2)
        .assert_stderr_contains(
            "did you mean `Ag\u{306}rı-1940`? (stored as \"Ag\\u{306}rı-1940\" and asked as \"A\u{11f}rı-1940\": the same letters, composed another way in Unicode)",
        );
}

/// The whole of `explain` for a customer just under a boundary: 0.79997 is shown as it is
/// next to `>= 0.80`, not rounded to 0.8 (which would read as if the row should match),
/// while a value far from any boundary keeps four places.
#[test]
fn explain_shows_a_value_next_to_a_boundary_with_the_digits_that_decide_it() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, annual_sales REAL, overdue_days INTEGER",
        &[
            vec![text("C1"), real(79997.0), int(0)],
            vec![text("C2"), real(12345.678), int(3)],
        ],
    );
    fx.rule(
        "rules.yaml",
        "metrics:\n  sales_pct: annual_sales / 100000\n  other: annual_sales / 7\ndecisions:\n  - name: tier\n    rules:\n      - { id: tier-a, when: sales_pct >= 0.80 && overdue_days < 5, then: { tier: A } }\n      - { id: tier-b, then: { tier: B } }\n",
    );
    let run = fx.run(&["explain", "C1"]);
    run.assert_code(0);
    let fingerprint = run.stdout.split("rules ").nth(1).unwrap()[..16].to_owned();
    let as_of = run.stdout.split("as of ").nth(1).unwrap()[..10].to_owned();
    let period = run
        .stdout
        .split("period ")
        .nth(1)
        .unwrap()
        .split(')')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(
        run.stdout,
        format!(
            "customer C1 (one of 2 customers; rules {fingerprint}; as of {as_of}, period {period})

fields the rules use
  annual_sales  79997.0
  overdue_days  0

metrics
  sales_pct  0.79997
  other      11428.1429

decisions

  tier (hit: first)
    ✗ tier-a  when sales_pct >= 0.80 && overdue_days < 5
        with sales_pct = 0.79997, overdue_days = 0
        fails at: sales_pct >= 0.80
    ✓ tier-b  (always)
        gives tier = B
    => tier = B

rule ids: tier-b
"
        )
    );
}

/// `explain` of a customer whose evaluation fails shows what was worked out before the
/// error: the decisions that gave their outputs, the rows tried in the one that failed,
/// the row that failed with its inputs, and the rows not reached; a metric that fails
/// ends the metrics.
#[test]
fn explain_of_a_failing_customer_shows_the_work_up_to_the_row_that_failed() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, annual_sales REAL, orders INTEGER",
        &[vec![text("C1"), real(500.0), int(0)]],
    );
    fx.rule(
        "rules.yaml",
        r#"metrics:
  big: annual_sales > 100
decisions:
  - name: tier
    rules:
      - { id: tier-a, when: big, then: { tier: A } }
      - { id: tier-b, then: { tier: B } }
  - name: per_order
    output: per_order
    hit: collect
    rules:
      - { id: po-base, value: 1 }
      - { id: po-div, when: 'tier == "A"', value: "= 100 / orders" }
      - { id: po-extra, value: 2 }
"#,
    );
    let run = fx.run(&["explain", "C1"]);
    run.assert_code(1)
        .assert_stderr_contains("error: customer C1: rule `po-div` failed: division by zero");
    let (_, shown) = run.stdout.split_once('\n').unwrap();
    assert_eq!(
        shown,
        "
the evaluation failed at rule `po-div` (the error follows); below is what it worked out before

fields the rules use
  annual_sales  500.0
  orders        0

metrics
  big  true

decisions

  tier (hit: first)
    ✓ tier-a  when big
        with big = true
        gives tier = A
    not tried (an earlier row matched): tier-b
    => tier = A

  per_order (hit: collect (sum))
    ✓ po-base  (always)
        gives per_order = 1
    ! po-div  when tier == \"A\"
        with tier = A
        failed here (the error follows)
    not reached: po-extra

stopped: rule `po-div` failed
"
    );

    fx.rule(
        "rules.yaml",
        "metrics:\n  big: annual_sales > 100\n  per_order: annual_sales / orders\n  later: annual_sales * 2\ndecisions:\n  - name: tier\n    rules:\n      - { id: tier-a, when: per_order > 1, then: { tier: A } }\n",
    );
    let run = fx.run(&["explain", "C1"]);
    run.assert_code(1);
    let (_, shown) = run.stdout.split_once('\n').unwrap();
    assert_eq!(
        shown,
        "
the evaluation failed at metric `per_order` (the error follows); below is what it worked out before

fields the rules use
  annual_sales  500.0
  orders        0

metrics
  big  true

stopped: metric `per_order` failed
"
    );
}

/// `fields` lists the columns rules can use: kind (declared or from the data), NULLs, an
/// example and whether the rules use it; the whole text, and the JSON for programs.
#[test]
fn fields_lists_the_columns_with_their_kinds_nulls_examples_and_use() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, annual_sales REAL, note, opened DATE, blocked BOOLEAN",
        &[
            vec![
                text("C1"),
                real(50.0),
                text("new"),
                text("2024-01-31"),
                int(0),
            ],
            vec![text("C2"), null(), text("old"), null(), null()],
        ],
    );
    fx.rule(
        "rules.yaml",
        "decisions:\n  - name: tier\n    rules:\n      - { id: a, when: annual_sales > 10, then: { tier: A } }\n      - { id: b, then: { tier: B } }\n",
    );
    let run = fx.run(&["fields"]);
    run.assert_code(0);
    assert_eq!(
        run.stdout,
        "table `customers`: 2 customers, 5 columns

  column        kind                   NULL  example     rules use it
  customer_id   text (the id)          0     C1
  annual_sales  a number (declared)    1     50.0        yes
  note          text                   0     new
  opened        a date (declared)      1     2024-01-31
  blocked       true/false (declared)  1     false

a column's kind is its declared type's (DATE, TEXT, REAL, ...), else what the data holds; rules compare numbers with numbers, text with text (in quotes) and dates with date(\"2025-01-01\")
"
    );
    let json = fx.run(&["fields", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(
        v["fields"][1],
        serde_json::json!({"name": "annual_sales", "kind": "a number", "declared": true,
                           "nulls": 1, "blanks": 0, "example": 50.0, "used": true, "id": false,
                           "not_of_kind": 0, "not_of_kind_example": null,
                           "not_of_kind_forms": []})
    );
    // A column the config lists as dates says so (it said "declared", its type being TEXT).
    std::fs::write(
        fx.path("config.yaml"),
        "database: customers.db\ncustomers: { table: customers, id_column: customer_id, dates: [opened] }\nrules: rules\n",
    )
    .unwrap();
    fx.conn()
        .execute_batch("ALTER TABLE customers RENAME COLUMN opened TO opened_old; ALTER TABLE customers ADD COLUMN opened TEXT; UPDATE customers SET opened = opened_old; ALTER TABLE customers DROP COLUMN opened_old;")
        .unwrap();
    let listed = fx.run(&["fields"]);
    assert!(
        listed.stdout.contains("a date (listed: customers.dates)"),
        "{}",
        listed.stdout
    );
}

/// Text in a column declared to hold numbers (`12.500,00` in a REAL column, what a European
/// spreadsheet export leaves) is no number: `+` would join it as text (`"12.500,00" + 5000`
/// stored `12.500,005000` and left the customer out of the money total, exit 0). A run
/// stops on it naming the customer, the column and how many more customers hold one;
/// `fields` shows the column and carries on.
#[test]
fn text_in_a_number_column_stops_the_run_and_fields_counts_it() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, requested REAL, flag BOOLEAN, bonus REAL",
        &[
            vec![text("C1"), text("12.500,00"), int(1), real(1.0)],
            vec![text("C2"), real(5000.0), int(0), text("x")],
            vec![text("C3"), text(""), int(1), real(1.0)],
            vec![text("C4"), null(), null(), text("y")],
        ],
    );
    // `bonus` holds text too, for other customers: counted in its own column.
    fx.rule(
        "rules.yaml",
        "decisions:\n  - name: limit\n    output: limit\n    rules:\n      - { id: lim, value: '= requested + bonus + 5000' }\n",
    );
    // Every column with such values is named at once (`bonus` came one fix later).
    let expected = format!(
        "error: customer C1: column `requested` holds the text \"12.500,00\", which is not a number (and 1 more customer)\n  = help: the column is declared to hold numbers, so the rules take it for one; fix the value at its source, or in the customers query: \"12.500,00\" reads as 12500.00, written with thousands dots: an export that writes them wrote `10.450` for 10450, which SQLite stored as the number 10.45 when it imported the file into a number column (only text like \"12.500,00\" stayed as written), so the column's numbers are likely wrong too: import the file again into a table whose column is TEXT (the sqlite3 shell's `.import` into a new table does so), then convert every row, `{}` (a value written another way (`€ 1.234,50`, `520000.00` beside thousands dots) stays as it is, and the run names it)\n  = note: `requested` also holds values of other forms that are not numbers: empty text (customer C3)\n  = note: other columns hold values not of their kind too: `bonus` (2 customers) (`tierwise fields` lists them)\n",
        tierwise::text::converted("requested", ',', false)
    );
    for args in [&["run"][..], &["check", "--data"]] {
        let run = fx.run(args);
        run.assert_code(1);
        assert_eq!(run.stderr, expected, "{args:?}");
    }
    // `explain` is of one customer: its own value, as `run --keep-going` leaves it out.
    fx.run(&["explain", "C2"]).assert_code(1).assert_stderr_contains(
        "error: customer C2: column `bonus` failed: it holds the text \"x\", which is not a number\n",
    );
    assert_eq!(fx.policy_row_count(), 0);

    let fields = fx.run(&["fields"]);
    fields.assert_code(0);
    assert!(
        fields.stdout.contains(
            "\nwarning: column `requested` is declared a number, but 2 customers hold a value that is not (of 2 forms: \"12.500,00\", \"\"): a run whose rules use the column stops on them; fix the data, or convert in the customers query\n"
        ),
        "{}",
        fields.stdout
    );
    // A BOOLEAN column still shows true/false.
    assert!(
        fields
            .stdout
            .contains("  flag         true/false (declared)  1     true"),
        "{}",
        fields.stdout
    );
}

/// A failure after every decision (a summary total) keeps the decisions whole: which row a
/// best-of chose, and why.
#[test]
fn explain_of_a_failing_total_keeps_what_the_decisions_chose() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, annual_sales REAL",
        &[vec![text("C1"), real(500.0)]],
    );
    fx.rule(
        "rules.yaml",
        "decisions:\n  - name: best\n    hit: max\n    output: pct\n    rules:\n      - { id: p-a, value: 5 }\n      - { id: p-b, value: 3 }\nsummary:\n  totals:\n    broken: \"= annual_sales / 0\"\n",
    );
    let run = fx.run(&["explain", "C1"]);
    run.assert_code(1);
    assert!(
        run.stdout.contains("of the 2 rows that matched")
            && run
                .stdout
                .ends_with("\nstopped: summary total `broken` failed\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn explain_says_the_value_before_rounding_only_where_rounding_changed_it() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, annual_sales REAL",
        &[vec![text("C1"), real(0.0)], vec![text("C2"), real(15000.0)]],
    );
    fx.rule(
        "rules.yaml",
        "decisions:\n  - name: limit\n    output: credit_limit\n    round: { down: 1000 }\n    rules:\n      - { id: limit, value: '= annual_sales / 10' }\n",
    );
    let line = |id: &str| {
        let run = fx.run(&["explain", id]);
        run.assert_code(0);
        let line = run.stdout.lines().find(|l| l.contains("=> ")).unwrap();
        line.trim().to_owned()
    };
    assert_eq!(line("C1"), "=> credit_limit = 0");
    assert_eq!(
        line("C2"),
        "=> credit_limit = 1000  (1500.0 before rounding)"
    );
    // Rounded, then bound by a floor, rounded up inside it: every step is said, in order.
    fx.rule(
        "rules.yaml",
        "decisions:\n  - name: limit\n    output: credit_limit\n    round: { down: 1000 }\n    cap: { min: 100 }\n    rules:\n      - { id: limit, value: '= annual_sales / 100' }\n",
    );
    assert_eq!(
        line("C2"),
        "=> credit_limit = 1000  (150.0, rounded to 0, bound by limit.min at 100, then to the step)"
    );
    // No multiple of the step between the floor and the ceiling: the ceiling wins, as it
    // is (rounded down it would go under the floor); the floor decided nothing, and is not
    // said to have bound, as the run's rule ids do not hold it.
    fx.rule(
        "rules.yaml",
        "decisions:\n  - name: limit\n    output: credit_limit\n    round: { down: 1000 }\n    cap: { min: 100, max: 500 }\n    rules:\n      - { id: limit, value: '= annual_sales / 100' }\n",
    );
    assert_eq!(
        line("C2"),
        "=> credit_limit = 500  (150.0, rounded to 0, bound by limit.max)"
    );
}

/// `explain --format json` gives a band's ends as numbers (its `when` says them in words).
#[test]
fn explain_json_gives_a_bands_ends_as_numbers() {
    let fx = fixture();
    fx.rule(
        "volume.yaml",
        "decisions:\n  - name: volume\n    output: bonus\n    scale:\n      of: annual_sales ?? 0\n      bands:\n        - { id: v-low, below: 100, value: 0 }\n        - { id: v-mid, from: 100, below: 1000, value: 1 }\n        - { id: v-top, from: 1000, value: 2 }\n",
    );
    let run = fx.run(&["explain", "C2", "--format", "json"]);
    run.assert_code(0);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let volume = json["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "volume")
        .unwrap();
    let bands: Vec<&serde_json::Value> = volume["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["band"])
        .collect();
    assert_eq!(
        bands,
        [
            &serde_json::json!({"from": null, "below": 100.0}),
            &serde_json::json!({"from": 100.0, "below": 1000.0}),
        ],
        "C2 (500) matches the second band; the third is not tried"
    );
    assert_eq!(volume["scale"]["value"], 500.0);
    // A scale over a whole-number column shows a whole number (it read `0.0`).
    fx.rule(
        "volume.yaml",
        "decisions:\n  - name: volume\n    output: bonus\n    scale:\n      of: overdue_days\n      bands:\n        - { id: v-low, below: 10, value: 0 }\n        - { id: v-top, from: 10, value: 2 }\n",
    );
    let text = fx.run(&["explain", "C4"]);
    assert!(
        text.stdout.contains("    scale over overdue_days = 30\n"),
        "{}",
        text.stdout
    );
}

/// The help for text in a number column gave one conversion for every text: pasted into
/// the query, it read 14426.41 stored as a number as 1442641 (3,421 of 6,000 credit
/// limits wrong), `#DIV/0!` as 0 and `1,234.56` as 1.23456. It fits the text now, touches
/// the text rows only, and the conversion it gives reads the data right.
#[test]
fn the_conversion_offered_for_text_in_a_number_column_fits_the_text_and_reads_it_right() {
    let fx = Fixture::new();
    let setup = |value: &str| {
        fx.customers(
            "customer_id TEXT PRIMARY KEY, requested REAL",
            &[
                vec![text("C1"), text(value)],
                vec![text("C2"), real(14426.41)],
                // A blank cell of the export: no value, which a CAST would make 0.
                vec![text("C3"), text("")],
            ],
        );
    };
    fx.rule(
        "rules.yaml",
        "decisions:\n  - name: limit\n    output: limit\n    rules:\n      - { id: lim, value: '= requested' }\n",
    );
    let help = |value: &str| {
        setup(value);
        let run = fx.run(&["run"]);
        run.assert_code(1);
        run.stderr
    };
    assert!(
        help("#DIV/0!").contains("\"#DIV/0!\" stands for no value: make it NULL, `CASE WHEN typeof(requested) = 'text' AND (UPPER(TRIM(requested)) IN ('', '-', '--', '?', 'N/A', 'NA', 'NULL', 'NONE', 'NAN') OR TRIM(requested) LIKE '#%') THEN NULL ELSE requested END AS requested` (a CAST would make it 0)"),
        "{}",
        help("#DIV/0!")
    );
    let us = help("1,234.56");
    let conversion = tierwise::text::converted("requested", '.', true);
    assert!(
        us.contains(&format!(
            "\"1,234.56\" reads as 1234.56: convert the column's text rows, `{conversion}`"
        )),
        "{us}"
    );
    let either = help("1,234");
    assert!(
        either.contains("\"1,234\" is 1234 with a thousands comma, or 1.234 with a decimal comma"),
        "{either}"
    );
    // Thousands dots: SQLite imported the same export's `10.450` as the number 10.45, so
    // the numbers stored as numbers are no safer than the text (following "they stay as
    // they are" ranked 990 EUR above 57,467 EUR written `57.467`).
    let dots = help("1.290.708");
    assert!(
        dots.contains("\"1.290.708\" reads as 1290708, written with thousands dots: an export that writes them wrote `10.450` for 10450, which SQLite stored as the number 10.45"),
        "{dots}"
    );
    assert!(
        dots.contains("import the file again into a table whose column is TEXT"),
        "{dots}"
    );
    assert!(!dots.contains("stay as they are"), "{dots}");
    // A decimal comma first (`24,5`): the thousands dots may come later in the column, so
    // the help never promises the stored numbers are right.
    let comma = help("24,5");
    assert!(
        comma.contains("which is right unless the export also wrote thousands dots"),
        "{comma}"
    );
    setup("1,234.56");
    // Pasted as offered, it reads both rows right.
    std::fs::write(
        fx.path("config.yaml"),
        format!(
            "database: customers.db\nrules: rules\ncustomers:\n  id_column: customer_id\n  query: \"SELECT customer_id, {conversion} FROM customers\"\n"
        ),
    )
    .unwrap();
    fx.run_ok(&[]);
    let limits = column(&fx.latest(), "limit");
    assert_eq!(
        limits,
        [
            ("C1", real(1234.56)),
            ("C2", real(14426.41)),
            ("C3", null())
        ]
        .into_iter()
        .map(|(id, v)| (id.to_owned(), v))
        .collect()
    );
}

/// `fields` counted a valid date and a 1 as not of their declared kind when the column
/// held other storage classes too (a date beside an Excel serial, 1 beside 1.5), and showed
/// the valid value as the example: it sized a clean-up as the whole column.
#[test]
fn fields_counts_only_the_values_not_of_the_declared_kind_in_a_mixed_column() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, last_order DATE, ok BOOLEAN",
        &[
            vec![text("C1"), text("2026-11-01"), int(1)],
            vec![text("C2"), int(46327), real(1.5)],
            vec![text("C3"), text("2026-10-01"), int(0)],
        ],
    );
    fx.rule(
        "rules.yaml",
        "decisions:\n  - name: t\n    output: t\n    rules:\n      - { id: t, value: 1 }\n",
    );
    let fields = fx.run(&["fields"]);
    fields.assert_code(0);
    assert!(
        fields.stdout.contains(
            "warning: column `last_order` is declared a date, but 1 customer holds a value that is not (46327)"
        ) && fields.stdout.contains(
            "warning: column `ok` is declared true/false, but 1 customer holds a value that is not (1.5)"
        ),
        "{}",
        fields.stdout
    );
}

/// `fields` counted a column's NULLs, not its empty texts (an export's "none", which the
/// rules read as a value: `is_null(region)` false), and showed `""` as its example: both said.
#[test]
fn fields_says_how_many_customers_hold_empty_text() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, region TEXT",
        &[
            vec![text("A"), text("")],
            vec![text("B"), text("  ")],
            vec![text("C"), null()],
            vec![text("D"), text("North")],
        ],
    );
    fx.rule(
        "r.yaml",
        "decisions:\n  - name: t\n    rules:\n      - { id: a, then: { t: x } }\n",
    );
    let fields = fx.run(&["fields"]);
    fields.assert_code(0);
    assert!(
        fields.stdout.contains("  region       text (declared)  1     North")
            && fields.stdout.contains("\nnote: column `region`: 2 customers hold empty or blank text, which the rules read as text, not NULL (`is_null(region)` is false for them); to read them as NULL, write `NULLIF(TRIM(\"region\"), '') AS \"region\"` in the customers query\n"),
        "{}",
        fields.stdout
    );
    let json = fx.run(&["fields", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(json["fields"][1]["blanks"], 2);
}

/// An ERP export imported with `sqlite3 .import` writes its NULLs as text (`NULL`, `N/A`,
/// `-`, `#N/A`): `'!is_null(blocked_reason)'` credit-blocked every customer, and `check
/// --data` and `run` said nothing. Warned at the `is_null` test, with the conversion.
#[test]
fn text_standing_for_no_value_under_is_null_is_warned_on_the_data() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT, blocked_reason TEXT",
        &[
            vec![text("N1"), text("NULL")],
            vec![text("N2"), text("N/A")],
            vec![text("N3"), text("#N/A")],
            vec![text("N4"), null()],
            vec![text("N5"), text("overdue")],
        ],
    );
    fx.rule(
        "p.yaml",
        "decisions:\n  - name: block\n    rules:\n      - { id: blk-yes, when: '!is_null(blocked_reason)', then: { credit_block: true } }\n      - { id: blk-no, then: { credit_block: false } }\n",
    );
    let warning = "`blocked_reason` is tested with `is_null`, and 3 of 5 customers hold text that stands for no value (`NULL`, `N/A`, `#N/A`): to the rules it is text, so `is_null(blocked_reason)` is false for them";
    let check = fx.run(&["check", "--data"]);
    assert!(check.stdout.contains(warning), "{}", check.stdout);
    let strict = fx.run(&["run", "--strict"]);
    strict.assert_code(1);
    strict.assert_stderr_contains(warning);
    // Read as NULL in the query, as the help says: no warning, and only N5 is blocked.
    let conversion = tierwise::text::no_value_as_null("blocked_reason");
    std::fs::write(
        fx.path("config.yaml"),
        format!("database: customers.db\nrules: rules\ncustomers:\n  id_column: customer_id\n  query: \"SELECT customer_id, {conversion} FROM customers\"\n"),
    )
    .unwrap();
    let run = fx.run_ok(&[]);
    assert!(
        !run.stdout.contains("stands for no value"),
        "{}",
        run.stdout
    );
    let blocked: i64 = fx
        .conn()
        .query_row("SELECT SUM(credit_block) FROM customer_policy", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(blocked, 1);
}

/// An ERP export from a European locale writes thousands with dots (`250.000`, `850`):
/// imported as text, `parse_float(sales) >= 100000` read `250.000` as 250, and the
/// customer dropped out of tier A with no word from `check --data` or `run`. Warned at the
/// `parse_float`, with the conversion, which then reads every value right.
#[test]
fn parse_float_over_thousands_dots_is_warned_on_the_data() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT, sales TEXT",
        &[
            vec![text("D1"), text("250.000")],
            vec![text("D2"), text("850")],
            vec![text("D3"), text("1.500")],
            vec![text("D4"), null()],
        ],
    );
    fx.rule(
        "p.yaml",
        "decisions:\n  - name: tier\n    rules:\n      - { id: big, when: 'parse_float(sales) >= 100000', then: { tier: A } }\n      - { id: small, then: { tier: B } }\n",
    );
    let said = "`sales` is read with `parse_float`, and 2 of 4 customers hold text such as `250.000`, which `parse_float` reads as 250 (a decimal point), though `850` is written without a point beside them: if the dots group thousands, those customers are read a thousand times too small";
    let check = fx.run(&["check", "--data"]);
    let warning = format!("warning: {said} (in `big`)\n --> rules/p.yaml:4:39");
    assert!(check.stdout.contains(&warning), "{}", check.stdout);
    let strict = fx.run(&["run", "--strict"]);
    strict.assert_code(1);
    strict.assert_stderr_contains(&format!("rules/p.yaml:4:39: {said} (rule `big`)"));
    // Decimals of another number of places show the dots are decimal points: no warning.
    fx.conn()
        .execute_batch("UPDATE customers SET sales = '12.5' WHERE customer_id = 'D4'")
        .unwrap();
    let decimals = fx.run(&["check", "--data"]);
    assert!(
        !decimals.stdout.contains("parse_float"),
        "{}",
        decimals.stdout
    );
    // Converted in the query, as the help says: 250.000 is 250000, tier A.
    fx.conn()
        .execute_batch("UPDATE customers SET sales = NULL WHERE customer_id = 'D4'")
        .unwrap();
    let conversion = tierwise::text::converted("sales", ',', false);
    assert!(check.stdout.contains(&conversion), "{}", check.stdout);
    std::fs::write(
        fx.path("config.yaml"),
        format!("database: customers.db\nrules: rules\ncustomers:\n  id_column: customer_id\n  query: \"SELECT customer_id, {conversion} FROM customers\"\n"),
    )
    .unwrap();
    fx.rule(
        "p.yaml",
        "decisions:\n  - name: tier\n    rules:\n      - { id: big, when: 'sales >= 100000', then: { tier: A } }\n      - { id: small, then: { tier: B } }\n",
    );
    fx.run_ok(&[]);
    let tiers = column(&fx.latest(), "tier");
    assert_eq!(
        tiers,
        expect(&[("D1", "A"), ("D2", "B"), ("D3", "B"), ("D4", "B")])
    );
}

/// A table made by `sqlite3 .import --csv` has TEXT columns: `drawn + undrawn` joined
/// the texts ("5000000100000" for 5.1 M) and `drawn > limit_approved` compared them letter
/// by letter (a 1.2 M drawing over a 900 k limit was no breach), `check --data` saying "no
/// problems found" (the model-risk validator's F06). Warned at the field, with the CAST
/// that reads it as a number; codes of digits of one width ordered, and text joined with
/// a label, are not warned.
#[test]
fn numbers_kept_as_text_added_or_ordered_are_warned_on_the_data() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT, drawn TEXT, undrawn TEXT, limit_approved TEXT, zip TEXT",
        &[
            vec![
                text("A1"),
                text("5000000"),
                text("100000"),
                text("6000000"),
                text("75001"),
            ],
            vec![
                text("A2"),
                text("1200000"),
                text("0"),
                text("900000"),
                text("13002"),
            ],
            vec![
                text("A3"),
                text(""),
                text("50000"),
                text("100000"),
                text("69003"),
            ],
        ],
    );
    let rules = "decisions:\n  - name: exp\n    rules:\n      - { id: e1, then: { gross_exposure: '= drawn + undrawn', label: '= zip + \" city\"' } }\n  - name: breach\n    rules:\n      - { id: br, when: drawn > limit_approved, then: { breach: true } }\n      - { id: north, when: 'zip >= \"70000\" && zip < limit_approved', then: { breach: false } }\n      - { id: nobr, then: { breach: false } }\n";
    fx.rule("r.yaml", rules);
    let check = fx.run(&["check", "--data"]);
    for warning in [
        "warning: `drawn` is text, and each of its values is a number (`5000000`, `1200000`): `+` joins texts (\"5000000\" + \"1200000\" is \"50000001200000\", not a sum) (in `e1`)\n --> rules/r.yaml:4:46",
        "warning: `undrawn` is text, and each of its values is a number (`100000`, `0`): `+` joins texts",
        "warning: `limit_approved` is text, and each of its values is a number (`6000000`, `900000`): `>` compares texts letter by letter, not as numbers (\"10\" comes before \"9\") (in `br`)\n --> rules/r.yaml:7:33",
        "help: read it as a number in the customers query, `CAST(NULLIF(TRIM(drawn), '') AS REAL) AS drawn`",
    ] {
        assert!(
            check.stdout.contains(warning),
            "{warning}\n{}",
            check.stdout
        );
    }
    assert!(!check.stdout.contains("`zip`"), "{}", check.stdout);
    fx.run(&["run", "--strict"]).assert_code(1);
    // Read as numbers, as the help says: the sum and the breach are right, no warning.
    let cast = |c: &str| format!("CAST(NULLIF(TRIM({c}), '') AS REAL) AS {c}");
    std::fs::write(
        fx.path("config.yaml"),
        format!(
            "database: customers.db\nrules: rules\ncustomers:\n  id_column: customer_id\n  query: \"SELECT customer_id, {}, {}, {}, zip FROM customers\"\n",
            cast("drawn"),
            cast("undrawn"),
            cast("limit_approved")
        ),
    )
    .unwrap();
    let fixed = (rules.replace(" && zip < limit_approved", ""))
        .replace("= drawn + undrawn", "= (drawn ?? 0) + undrawn");
    fx.rule("r.yaml", &fixed);
    let run = fx.run_ok(&[]);
    assert!(!run.stdout.contains("each of its values"), "{}", run.stdout);
    let latest = fx.latest();
    assert_eq!(
        column(&latest, "gross_exposure")["A1"],
        common::real(5_100_000.0)
    );
    assert_eq!(column(&latest, "breach")["A2"], common::int(1));
}

/// A megabyte pasted into a number cell was quoted whole in the error (a terminal, a log
/// line, a JSON error of a megabyte): its start and its length.
#[test]
fn a_huge_bad_value_is_quoted_by_its_start_and_length() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT, annual_sales REAL",
        &[vec![text("C1"), text(&"x".repeat(1_000_000))]],
    );
    fx.rule(
        "p.yaml",
        "decisions:\n  - name: s\n    rules:\n      - { id: s, then: { s: \"= annual_sales * 2\" } }\n",
    );
    let run = fx.run(&["run"]);
    run.assert_code(1);
    run.assert_stderr_contains(&format!(
        "holds the text \"{}... (1,000,000 characters)\", which is not a number",
        "x".repeat(60)
    ));
    assert!(run.stderr.len() < 3_000, "{} bytes", run.stderr.len());
}
