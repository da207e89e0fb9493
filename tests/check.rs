//! `tierwise check` beyond the text it prints for rule files: `--data` on real customers,
//! exit codes, and JSON for programs. What `check` prints for broken rule files, and every
//! lint, is in `tests/fixtures/check/` (whole outputs, run by `tests/check_fixtures.rs`).

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
        out.contains(
            "2 customers get no value: no row matched, or its formula gave NULL (e.g. C1, C3)"
        ),
        "{out}"
    );
}

/// A metric that fails for every customer leaves nothing to check the decisions on: said
/// once, not "matched none of the 0 customers" per decision.
/// A knock-out row over a figure some customers lack: `leverage > 4 -> decline` is false
/// for a firm of negative or unknown equity (leverage NULL), which then got `approve`,
/// `check --data` saying nothing (the model-risk validator's F03). Said on the data, with
/// the customers; not where a row says what NULL gets.
#[test]
fn check_data_says_which_nulls_fall_past_the_rows_that_order_them() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT, total_debt REAL, equity REAL",
        &[
            vec![text("P1"), real(10e6), real(1e6)],
            vec![text("P2"), real(1e6), real(1e6)],
            vec![text("P3"), real(10e6), real(-2e6)],
            vec![text("P4"), real(10e6), null()],
        ],
    );
    let rules = |null_row: &str| {
        format!(
            "metrics:\n  leverage: 'if !is_null(equity) && equity > 0 {{ total_debt / equity }} else {{ () }}'\ndecisions:\n  - name: decision\n    rules:\n{null_row}      - {{ id: ko-leverage, when: leverage > 4, then: {{ decision: decline }} }}\n      - {{ id: approve, then: {{ decision: approve }} }}\n"
        )
    };
    fx.rule("r.yaml", &rules(""));
    let check = fx.run(&["check", "--data"]);
    check.assert_code(0);
    assert!(
        check.stdout.contains("  decision:\n    `leverage` is NULL for 2 customers (e.g. P3, P4), and row ko-leverage orders it, false for NULL: they get the first row that does not compare it; if that is not meant, say what NULL gets (`when: is_null(leverage)` above, or `leverage ?? 0`)\n"),
        "{}",
        check.stdout
    );
    let json = fx.run(&["check", "--data", "--format", "json"]);
    assert!(
        json.stdout.contains("\"null_past_rows\""),
        "{}",
        json.stdout
    );
    fx.rule(
        "r.yaml",
        &rules("      - { id: ko-unknown, when: is_null(leverage), then: { decision: refer } }\n"),
    );
    let said = fx.run(&["check", "--data"]);
    assert!(!said.stdout.contains("is NULL for"), "{}", said.stdout);
}

/// A score script over a field some customers lack: `fn tpts(y) { if y < 3 { 0 } else
/// { 100 } }` gave a customer of unknown tenure the points of a long one, and `check --data`
/// followed NULLs into rows only (the model-risk validator's Left item). Said of the metric,
/// in a function or its own formula; not where it says what NULL gets.
#[test]
fn check_data_says_which_nulls_a_metric_orders_in_a_script_function() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT, tenure REAL, overdue INTEGER",
        &[
            vec![text("a"), real(10.0), int(5)],
            vec![text("b"), null(), null()],
            vec![text("c"), real(1.0), int(40)],
        ],
    );
    fx.rule("s.rhai", "fn tpts(y) { if y < 3 { 0 } else { 100 } }\n");
    let rules = |points: &str| {
        format!(
            "metrics:\n  tenure_points: '{points}'\n  late: 'if overdue > 30 {{ 1 }} else {{ 0 }}'\n  known: 'if (overdue ?? 99) > 30 {{ 1 }} else {{ 0 }}'\ndecisions:\n  - name: w\n    output: ww\n    rules:\n      - {{ id: a, when: tenure_points + late + known > 50, value: 1 }}\n      - {{ id: b, value: 0 }}\n"
        )
    };
    fx.rule("r.yaml", &rules("tpts(tenure)"));
    let check = fx.run(&["check", "--data"]);
    check.assert_code(0);
    assert!(
        check.stdout.contains("  metric `tenure_points`: `tenure` is NULL for 1 customer (e.g. b), and a script function its formula passes it to orders it, false for NULL: they get what the other branch gives; if that is not meant, say what NULL gets (`tenure ?? 0` where it is passed, or `is_null(...)` of the parameter)\n  metric `late`: `overdue` is NULL for 1 customer (e.g. b), and its formula orders it, false for NULL: they get what the other branch gives; if that is not meant, say what NULL gets (`overdue ?? 0`, or a first branch `if is_null(overdue) { ... }`)\n"),
        "{}",
        check.stdout
    );
    assert!(!check.stdout.contains("metric `known`"), "{}", check.stdout);
    fx.rule("r.yaml", &rules("tpts(tenure ?? 0)"));
    let said = fx.run(&["check", "--data"]);
    assert!(!said.stdout.contains("`tenure` is NULL"), "{}", said.stdout);
}

/// A `unique` table complete over the values the customers hold still got "some customers
/// may get no value" with nothing said of the data (the model-risk validator's F10, read
/// as a false alarm): on the data, the help says every customer got a value.
#[test]
fn check_data_says_when_a_decision_that_may_miss_gave_everyone_a_value() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT, region TEXT",
        &[
            vec![text("a"), text("north")],
            vec![text("b"), text("south")],
        ],
    );
    fx.rule(
        "r.yaml",
        "decisions:\n  - name: zone\n    hit: unique\n    output: z\n    rules:\n      - { id: n, when: region == \"north\", value: 1 }\n      - { id: s, when: region == \"south\", value: 2 }\n",
    );
    let plain = fx.run(&["check"]);
    assert!(plain.stdout.contains("warning[TW106]"), "{}", plain.stdout);
    assert!(!plain.stdout.contains("on the data"), "{}", plain.stdout);
    let check = fx.run(&["check", "--data"]);
    check.assert_code(0);
    assert!(
        check.stdout.contains("; on the data (2 customers as of "),
        "{}",
        check.stdout
    );
    assert!(
        check.stdout.contains(
            "), every customer got a value: the values no row covers are ones no customer holds now"
        ),
        "{}",
        check.stdout
    );
    fx.customers(
        "customer_id TEXT, region TEXT",
        &[
            vec![text("a"), text("north")],
            vec![text("b"), text("west")],
        ],
    );
    let missing = fx.run(&["check", "--data"]);
    assert!(
        !missing
            .stdout
            .contains("every customer got a value: the values"),
        "{}",
        missing.stdout
    );
}

#[test]
fn check_data_says_once_when_every_customer_failed() {
    let fx = fixture();
    fx.rule(
        "m.yaml",
        "metrics:\n  broken: annual_sales / 0\ndecisions:\n  - name: tier\n    rules:\n      - { id: a, when: broken > 1, then: { tier: A } }\n      - { id: b, then: { tier: B } }\n",
    );
    let run = fx.run(&["check", "--data"]);
    run.assert_code(1);
    assert!(
        run.stdout.contains(
            "  every customer failed (below): no decision could be checked on the data\n  metric `broken` failed for "
        ) && !run.stdout.contains("matched none"),
        "{}",
        run.stdout
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
        run.stdout.contains("decision `tier` failed for 1 customer (e.g. C2): rules `big` and `late` both match, but the hit policy is `unique`"),
        "{}",
        run.stdout
    );
    // `big` and `late` match only C2, who failed: not "matched no customer".
    assert!(
        run.stdout.contains(
            "  tier:\n    rows that matched none of the 2 customers evaluated without error \
             (1 failed, below: they may match them): big, late\n"
        ),
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
    // Load errors have no code (yet): only lints do.
    assert_eq!(d["code"], serde_json::Value::Null);
}

#[test]
fn check_json_gives_lint_warnings_their_code_and_exits_0() {
    let fx = fixture();
    fx.rule(
        "t.yaml",
        "decisions:\n  - name: tier\n    rules:\n      - { id: rest, then: { tier: B } }\n      - { id: big, when: annual_sales >= 100, then: { tier: A } }\n",
    );
    let run = fx.run(&["check", "--format", "json"]);
    run.assert_code(0);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let diagnostics = json["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    let d = &diagnostics[0];
    assert_eq!(d["severity"], "warning");
    assert_eq!(d["code"], "TW101");
    assert_eq!(d["rule"], "big");
    assert_eq!(
        (d["file"].as_str(), d["line"].as_u64(), d["column"].as_u64()),
        (Some("rules/t.yaml"), Some(5), Some(15))
    );
    assert_eq!(
        d["message"],
        "row `big` can never match: row `rest` above always matches"
    );
}

#[test]
fn check_data_finds_duplicate_customer_ids_that_run_would_refuse() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT, annual_sales REAL",
        &[
            vec![text("C1"), real(10.0)],
            vec![text("C2"), real(20.0)],
            vec![text("C1"), real(30.0)],
            vec![text("C3"), real(40.0)],
        ],
    );
    fx.rule(
        "tiers.yaml",
        "decisions:\n  - name: tier\n    rules:\n      - { id: big, when: annual_sales >= 25, then: { tier: A } }\n      - { id: rest, then: { tier: B } }\n",
    );
    let check = fx.run(&["check", "--data"]);
    check.assert_code(1);
    assert!(
        check.stdout.contains(
            "  repeated customer ids: 1 id appears more than once (2 customers, e.g. C1); `run` refuses such data: make the id column unique"
        ) && check.stdout.ends_with("no problems found in the rule files; customer ids repeated in the data\n"),
        "{}",
        check.stdout
    );
    // For programs: the ids apart from the rules that fail (none here), and the run's
    // refusal is the source's to fix, as `/health` says it.
    let json = fx.run(&["check", "--data", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(report["data"]["repeated_ids"]["customers"], 2, "{report:#}");
    assert_eq!(
        report["data"]["failures"],
        serde_json::json!([]),
        "{report:#}"
    );
    let run = fx.run(&["run", "--format", "json"]);
    let error: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(error["error"]["kind"], "source", "{error:#}");
    let run = fx.run(&["run"]);
    run.assert_code(1);
    run.assert_stderr_contains("customer id C1 appears more than once");
    // The usual cause, a JOIN in the customers query, and how to keep one row each.
    run.assert_stderr_contains(
        "in a customers query, a JOIN repeats a customer once per row it matches",
    );
    // `explain` refuses it too: its figures would be those `run` never gives.
    fx.run(&["explain", "C2"])
        .assert_code(1)
        .assert_stderr_contains("customer id C1 appears more than once");
    // An export that repeats one id repeats many: all are said (it named the first only).
    let more: Vec<String> = ["C2", "C3", "C4", "C5", "C3"].map(String::from).to_vec();
    for id in more {
        fx.conn()
            .execute("INSERT INTO customers VALUES (?1, 1.0)", [&id])
            .unwrap();
    }
    fx.run(&["run"]).assert_code(1).assert_stderr_contains(
        "customer id C1 (as do C2 and C3) appears more than once in the customer source",
    );
}

/// An id column that declares no type keeps the number 5017 and the text "5017" apart, and
/// so did SQLite's key of the policy table: `run` wrote both (counted twice in the
/// population, the new one reading the other's history) while `check --data` and `explain`
/// refused them. Every command refuses them now, saying the two kinds.
#[test]
fn the_same_id_as_a_number_and_as_text_is_one_customer_twice() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id, annual_sales REAL",
        &[
            vec![int(5017), real(10.0)],
            vec![int(5018), real(20.0)],
            vec![text("5017"), real(30.0)],
        ],
    );
    fx.rule(
        "tiers.yaml",
        "decisions:\n  - name: tier\n    rules:\n      - { id: big, when: annual_sales >= 25, then: { tier: A } }\n      - { id: rest, then: { tier: B } }\n",
    );
    let message = "customer id 5017 (once as a number, once as text) appears more than once";
    let run = fx.run(&["run"]);
    run.assert_code(1);
    run.assert_stderr_contains(message);
    assert_eq!(fx.policy_row_count(), 0);
    fx.run(&["explain", "5018"])
        .assert_code(1)
        .assert_stderr_contains(message);
    fx.run(&["check", "--data"]).assert_code(1);
}

#[test]
fn check_data_counts_a_formula_that_gives_null_as_no_value_but_not_a_null_on_purpose() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, annual_sales REAL, region TEXT",
        &[
            vec![text("C1"), real(10.0), text("North")],
            vec![text("C2"), real(20.0), null()],
            vec![text("C3"), real(30.0), text("South")],
        ],
    );
    fx.rule(
        "rules.yaml",
        "decisions:\n  - name: area\n    output: area\n    rules:\n      - { id: area-region, value: '= region' }\n  - name: note\n    output: note\n    rules:\n      - { id: note-big, when: annual_sales >= 25, value: big }\n      - { id: note-none, value: null }\n",
    );
    let check = fx.run(&["check", "--data"]);
    check.assert_code(0);
    assert!(
        check.stdout.contains(
            "  area:\n    1 customer gets no value: no row matched, or its formula gave NULL (e.g. C2)"
        ),
        "{}",
        check.stdout
    );
    assert!(
        check
            .stdout
            .contains("every row matched and every customer got a value: note"),
        "{}",
        check.stdout
    );
}

#[test]
fn run_skips_copies_and_backups_with_a_note_and_a_broken_link_is_an_error() {
    let fx = fixture();
    let tiers = "decisions:\n  - name: tier\n    rules:\n      - { id: big, when: annual_sales >= 100, then: { tier: A } }\n      - { id: rest, then: { tier: B } }\n";
    fx.rule("tiers.yaml", tiers);
    // Copies that would define `tier` twice, and a backup with rules that no longer load.
    fx.rule("tiers - Copy.yaml", tiers);
    fx.rule("tiers (1).yaml", tiers);
    fx.rule("tiers.yaml.bak", "decisions: [oops");
    fx.rule(".#tiers.yaml", "not yaml: [");
    let run = fx.run_ok(&[]);
    run.assert_stderr_contains(
        "warning: skipped: a copy made by Windows Explorer (`- Copy`, `- Kopie`, ...), not a rule file\n --> rules/tiers - Copy.yaml\n",
    )
    .assert_stderr_contains(
        "warning: skipped: a duplicate made by a download or a file manager (`(1)`), not a rule file\n --> rules/tiers (1).yaml\n",
    )
    .assert_stderr_contains(
        "warning: skipped: a backup (`.bak`), not a rule file\n --> rules/tiers.yaml.bak\n",
    )
    .assert_stderr_contains(
        "warning: skipped: an Emacs lock file (`.#` name), not a rule file\n --> rules/.#tiers.yaml\n",
    );
    assert_eq!(
        column(&fx.latest(), "tier"),
        expect(&[("C1", "B"), ("C2", "A"), ("C3", "B")])
    );

    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("../shared/credit.yaml", fx.path("rules/credit.yaml")).unwrap();
        let run = fx.run(&["run"]);
        run.assert_code(2).assert_stderr_contains(
            "error: this rule file is a symbolic link to `../shared/credit.yaml`, which does not exist\n --> rules/credit.yaml\n",
        );
        let check = fx.run(&["check"]);
        check.assert_code(2);
        assert!(
            check.stdout.contains("--> rules/credit.yaml\n"),
            "{}",
            check.stdout
        );
    }
}

/// A blank output cell (a merged cell saved to CSV) gives the customers its row matches no
/// value for that output, though the row gives the others: `check --data` says so, naming
/// the output and the row, instead of "every customer got a value". A `null` written on
/// purpose stays a value.
#[test]
fn check_data_names_an_output_a_matching_row_leaves_empty() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, channel TEXT",
        &[
            vec![text("C1"), text("wholesale")],
            vec![text("C2"), text("retail")],
            vec![text("C3"), text("retail")],
            vec![text("C4"), text("online")],
            vec![text("C5"), text("field")],
        ],
    );
    fx.rule(
        "credit.csv",
        "hit: first,,,\nid,channel,credit_limit,payment_days\nid,input,output,output\nc-ws,wholesale,50000,30\nc-rt,retail,,30\nc-on,online,null,14\nc-other,,1000,7\n",
    );
    // A formula that gives NULL by design (no earlier limit) is what its row gives.
    fx.rule(
        "last.yaml",
        "decisions:\n  - name: last\n    rules:\n      - { id: l, then: { last_limit: '= if channel == \"field\" { 1 } else { () }', seen: true } }\n",
    );
    let check = fx.run(&["check", "--data", "--as-of", "2026-09-30"]);
    check.assert_code(0);
    assert_eq!(
        check.stdout,
        "on the data: 5 customers as of 2026-09-30 (2026-09)\n  credit:\n    `credit_limit` is NULL for 2 customers: row c-rt matched them and leaves it empty (a blank cell, or an output left out of `then:`; e.g. C2, C3); write `null` there if no value is meant (in a .csv or .xlsx rule table an empty cell is no value: for empty text type `\"\"` in the cell)\n  every row matched and every customer got a value: last\n\nno problems found in the rule files\n"
    );
    let json = fx.run(&["check", "--data", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(
        json["data"]["decisions"][0]["outputs_without_value"],
        serde_json::json!([{"output": "credit_limit", "customers": 2, "examples": ["C2", "C3"], "rows": ["c-rt"]}])
    );
}

/// A text compared with `==`, `in` or a grid cell, which the data also writes with another
/// case or a stray space (`"Wholesale "`, `"wholesale"`): those customers miss the row and
/// take the default, and every check called that a value. `check --data` warns at the text
/// (how many hold each spelling), `run` notes it and `run --strict` refuses. A spelling the
/// rules compare with too is meant, and a field no other way written is not flagged.
#[test]
fn a_text_the_data_also_writes_with_another_case_or_space_is_flagged_on_the_data() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, channel TEXT, region TEXT",
        &[
            vec![text("C1"), text("Wholesale"), text("North")],
            vec![text("C2"), text("Wholesale "), text("North")],
            vec![text("C3"), text("wholesale"), text("south")],
            vec![text("C4"), text("Retail"), text("South")],
            vec![text("C5"), text("retail"), text("North")],
        ],
    );
    fx.rule(
        "credit.yaml",
        r#"decisions:
  - name: credit
    outputs: [{ name: credit_limit, default: 1000 }]
    grid: |
      id    | channel   | credit_limit
      c-ws  | Wholesale | 50000
      c-rt  | "Retail"  | 20000
  - name: area
    output: area
    rules:
      - { id: a-south, when: 'region in ["South", "south"]', value: s }
      - { id: a-rest, value: n }
"#,
    );
    let check = fx.run(&["check", "--data"]);
    check.assert_code(0);
    let warnings: Vec<&str> = check
        .stdout
        .split("\n\n")
        .filter(|w| w.starts_with("warning"))
        .collect();
    assert_eq!(
        warnings,
        [
            "warning: `channel` is compared with \"Wholesale\", but the data also writes it \"Wholesale \" (1 customer), \"wholesale\" (1 customer): text compares exactly (case and spaces count), so those customers do not match it (1 customer holds \"Wholesale\" as written) (in `c-ws`)\n --> rules/credit.yaml:6:15\n  |\n6 |       c-ws  | Wholesale | 50000\n  |               ^^^^^^^^^\n  = help: make the column one spelling in the customers query (`TRIM(channel)`, `UPPER(channel)`; `customers.query`) or at its source; or, if \"Wholesale \" is meant to match too, compare with both: `channel in [\"Wholesale\", \"Wholesale \"]` (a grid cell `\"Wholesale\", \"Wholesale \"`, a switch case `\"Wholesale\" | \"Wholesale \" =>`)",
            "warning: `channel` is compared with \"Retail\", but the data also writes it \"retail\" (1 customer): text compares exactly (case and spaces count), so those customers do not match it (1 customer holds \"Retail\" as written) (in `c-rt`)\n --> rules/credit.yaml:7:15\n  |\n7 |       c-rt  | \"Retail\"  | 20000\n  |               ^^^^^^\n  = help: make the column one spelling in the customers query (`TRIM(channel)`, `UPPER(channel)`; `customers.query`) or at its source; or, if \"retail\" is meant to match too, compare with both: `channel in [\"Retail\", \"retail\"]` (a grid cell `\"Retail\", \"retail\"`, a switch case `\"Retail\" | \"retail\" =>`)",
        ]
    );
    let run = fx.run(&["run"]);
    run.assert_code(0);
    assert!(
        run.stdout
            .contains("note: rules/credit.yaml:6:15: `channel` is compared with \"Wholesale\""),
        "{}",
        run.stdout
    );
    fx.run(&["run", "--strict"])
        .assert_code(1)
        .assert_stderr_contains("--strict: nothing was written");
}

/// An override table's hand-typed tier (`a ` for A) copied into the `tier` output that
/// later rules compare with "A": the pinned customer matched neither "A" nor "B" and got
/// no discount, fewer payment days than with no pin at all, exit 0, no warning anywhere.
/// `check --data` and `run` warn at the compared text, naming the customers who got the
/// other spelling; `run --strict` refuses. A value no rule compares with is no slip.
#[test]
fn an_output_given_in_another_spelling_than_later_rules_compare_is_flagged() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, sales REAL, pin_tier TEXT",
        &[
            vec![text("C1"), real(900.0), null()],
            vec![text("C2"), real(100.0), text("a ")],
            vec![text("C3"), real(50.0), null()],
            vec![text("C4"), real(80.0), text("a ")],
            vec![text("C5"), real(60.0), text("Gold")],
        ],
    );
    fx.rule(
        "rules.yaml",
        r#"decisions:
  - name: tier
    output: tier
    rules:
      - { id: pinned, when: '!is_null(pin_tier)', value: '= pin_tier' }
      - { id: big, when: 'sales >= 500', value: A }
      - { id: rest, value: B }
  - name: discount
    output: discount_pct
    rules:
      - { id: disc-a, when: 'tier == "A"', value: 5 }
      - { id: disc-b, when: 'tier == "B"', value: 2 }
      - { id: disc-none, value: 0 }
"#,
    );
    let warning = "warning: `tier` is compared with \"A\", but the rules gave \"a \" to 2 customers (C2, C4): text compares exactly (case and spaces count), so those customers do not match it (in `disc-a`)\n  --> rules/rules.yaml:11:39\n   |\n11 |       - { id: disc-a, when: 'tier == \"A\"', value: 5 }\n   |                                       ^\n   = help: the rules copied it into `tier` from a text (a column of the data, an override table's cell, a rule's own text): write it \"A\" there, or make the column one spelling in the customers query (`UPPER(TRIM(x))`); `tierwise explain <customer>` shows which row gave it";
    let check = fx.run(&["check", "--data"]);
    check.assert_code(0);
    let warnings: Vec<&str> = (check.stdout.split("\n\n"))
        .filter(|w| w.starts_with("warning"))
        .collect();
    assert_eq!(warnings, [warning], "{}", check.stdout);
    let run = fx.run(&["run"]);
    run.assert_code(0);
    assert!(
        run.stdout.contains(
            "note: rules/rules.yaml:11:39: `tier` is compared with \"A\", but the rules gave \"a \" to 2 customers (C2, C4)"
        ),
        "{}",
        run.stdout
    );
    let runs = fx.runs().len();
    fx.run(&["run", "--strict"])
        .assert_code(1)
        .assert_stderr_contains("--strict: nothing was written");
    assert_eq!(fx.runs().len(), runs);
    // Written as compared, nothing is said.
    fx.conn()
        .execute_batch("UPDATE customers SET pin_tier = 'A' WHERE pin_tier = 'a '")
        .unwrap();
    let clean = fx.run(&["check", "--data"]);
    assert!(!clean.stdout.contains("warning"), "{}", clean.stdout);
    fx.run(&["run", "--strict"]).assert_code(0);
}

/// A summary total that compares an output (`sales` of the "A" customers) met the same
/// other spelling without a word: the total left out those customers silently.
#[test]
fn a_summary_total_comparing_an_output_given_in_another_spelling_is_flagged() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, sales REAL, pin_tier TEXT",
        &[
            vec![text("C1"), real(900.0), null()],
            vec![text("C2"), real(100.0), text("a ")],
        ],
    );
    fx.rule(
        "rules.yaml",
        r#"decisions:
  - name: tier
    output: tier
    rules:
      - { id: pinned, when: '!is_null(pin_tier)', value: '= pin_tier' }
      - { id: big, value: A }
summary:
  totals:
    sales_a: '= if tier == "A" { sales } else { 0 }'
"#,
    );
    let check = fx.run(&["check", "--data"]);
    check.assert_code(0);
    assert!(
        check.stdout.contains(
            "warning: `tier` is compared with \"A\", but the rules gave \"a \" to 1 customer (C2): text compares exactly (case and spaces count), so those customers do not match it\n --> rules/rules.yaml:9:29"
        ),
        "{}",
        check.stdout
    );
}

/// A grid cell `Retial` for `Retail`: the row matched no one, its customers got the
/// fallback rate, and `check --data` said only "rows that matched no customer" before "no
/// problems found". Said at the cell, with the text the data holds; `run --strict` refuses.
#[test]
fn a_text_no_customer_holds_a_typo_away_from_one_they_do_is_flagged() {
    let fx = Fixture::new();
    let rows: Vec<Vec<rusqlite::types::Value>> = (0..12)
        .map(|i| {
            let channel = ["Retail", "Online", "Wholesale"][i % 3];
            vec![text(&format!("C{i}")), text(channel)]
        })
        .collect();
    fx.customers("customer_id TEXT PRIMARY KEY, channel TEXT", &rows);
    fx.rule(
        "rate.yaml",
        "decisions:
  - name: rate
    outputs: [rate]
    grid: |
      id    | channel     | rate
      r-ret | Retial      | 1.0
      r-whs | Wholsale    | 1.2
      r-mkt | Marketplace | 3.0
      r-a   | Onli        | 9.0
      r-b   | Online      | 2.0
      other | -           | 1.5
",
    );
    let check = fx.run(&["check", "--data"]);
    check.assert_code(0);
    assert!(
        check.stdout.contains(
            "warning: `channel` is compared with \"Retial\", which no customer holds, but the data holds \"Retail\" (4 customers), a typo away: the comparison matches no one, so those customers get a later row (in `r-ret`)\n --> rules/rate.yaml:6:15"
        ),
        "{}",
        check.stdout
    );
    assert!(
        check
            .stdout
            .contains("\"Wholsale\", which no customer holds, but the data holds \"Wholesale\""),
        "{}",
        check.stdout
    );
    // A value no customer has yet, and one two edits from the nearest: nothing said.
    assert!(
        !check.stdout.contains("Marketplace\", which"),
        "{}",
        check.stdout
    );
    assert!(
        !check.stdout.contains("\"Onli\", which"),
        "{}",
        check.stdout
    );
    fx.run(&["run", "--strict"])
        .assert_code(1)
        .assert_stderr_contains("which no customer holds, but the data holds \"Retail\"");
}

/// A rating map in a script function (`rating_factor(rating)`, a `switch` on the
/// parameter): ratings exported as `" BBB-"` or `"bbb-"` took the fallback factor, and
/// neither `check --data` nor `run --strict` said a word, where the same switch written in
/// a metric warned. Said at the case in the script, naming the call.
#[test]
fn a_script_switch_on_a_field_passed_to_it_is_checked_against_the_data_spellings() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, rating TEXT, sales REAL",
        &[
            vec![text("C1"), text("BBB-"), real(100.0)],
            vec![text("C2"), text(" BBB-"), real(100.0)],
            vec![text("C3"), text("bbb-"), real(100.0)],
            vec![text("C4"), text("A"), real(100.0)],
        ],
    );
    fx.rule(
        "scores.rhai",
        "fn rating_factor(r) {\n    switch r {\n        \"BBB+\" | \"BBB\" | \"BBB-\" => 0.20,\n        \"A\" => 0.25,\n        _ => 0.05\n    }\n}\n",
    );
    fx.rule(
        "limit.yaml",
        "metrics:\n  factor: rating_factor(rating)\ndecisions:\n  - name: limit\n    output: limit\n    rules:\n      - { id: lim, value: '= sales * factor' }\n",
    );
    let check = fx.run(&["check", "--data"]);
    check.assert_code(0);
    assert!(
        check.stdout.contains(
            "warning: `rating` is compared with \"BBB-\" in this `switch` (`rating_factor(rating)` passes it as `r`), but the data also writes it \" BBB-\" (1 customer), \"bbb-\" (1 customer): text compares exactly (case and spaces count), so those customers do not match the case (1 customer as written) (in `factor`)\n --> rules/scores.rhai:3:26"
        ),
        "{}",
        check.stdout
    );
    // "A" is written one way: nothing said of it.
    assert!(!check.stdout.contains("with \"A\""), "{}", check.stdout);
    // An en dash for the hyphen, as autocorrect writes it: another spelling too.
    fx.conn()
        .execute_batch("UPDATE customers SET rating = 'BBB\u{2013}' WHERE customer_id = 'C3'")
        .unwrap();
    let dash = fx.run(&["check", "--data"]);
    assert!(
        dash.stdout.contains(
            "\"BBB\u{2013}\" (a dash or quote as a word processor writes it, 1 customer)"
        ),
        "{}",
        dash.stdout
    );
    fx.run(&["run", "--strict"])
        .assert_code(1)
        .assert_stderr_contains("is compared with \"BBB-\" in this `switch`");
}

/// A successor row starting a day late: on that day neither row is in effect, and
/// `check --data` listed both as "rows that matched no customer", which read as "nobody is
/// overdue". Rows not in effect on the day checked are said as such, with their windows.
#[test]
fn check_data_tells_rows_not_in_effect_from_rows_no_customer_matched() {
    let fx = Fixture::new();
    fx.sales_customers(&[10.0, 20.0]);
    fx.rule(
        "block.yaml",
        "decisions:\n  - name: block\n    output: blocked\n    rules:\n      - { id: old, when: 'annual_sales > 5', value: true, effective: { to: 2026-11-30 } }\n      - { id: new, when: 'annual_sales > 3', value: true, effective: { from: 2026-12-02 } }\n      - { id: huge, when: 'annual_sales > 500', value: true }\n      - { id: no, value: false }\n",
    );
    let check = fx.run(&["check", "--data", "--as-of", "2026-12-01"]);
    check.assert_code(0);
    assert!(
        check.stdout.contains(
            "  block:\n    rows that matched no customer: huge\n    rows not in effect as of 2026-12-01: old (until 2026-11-30), new (from 2026-12-02)\n"
        ),
        "{}",
        check.stdout
    );
}

/// `revenue ?? 0 / 12` is `revenue ?? (0 / 12)`: monthly revenue 12 times too large for
/// every customer with a revenue, and `check` said nothing. A load error at the `??`.
#[test]
fn a_default_followed_by_arithmetic_is_an_error_at_the_defaulting() {
    let fx = Fixture::new();
    fx.sales_customers(&[1200.0]);
    fx.rule(
        "m.yaml",
        "metrics:\n  monthly: annual_sales ?? 0 / 12\ndecisions:\n  - name: m\n    output: m\n    rules:\n      - { id: m, value: '= monthly' }\n",
    );
    let check = fx.run(&["check"]);
    check.assert_code(2);
    assert!(
        check.stdout.contains(
            "error: `?? 0 / ...` applies `/` to the default alone: `??` binds looser than arithmetic, so `x ?? 0 / y` is `x ?? (0 / y)` (for every customer with a value, the `/` is not done) (in `monthly`)\n --> rules/m.yaml:2:25"
        ),
        "{}",
        check.stdout
    );
    assert!(
        check.stdout.contains("= help: write `(x ?? 0) / y` for the value or its default, then `/`; or `x ?? (0 / y)` if the default alone is meant"),
        "{}",
        check.stdout
    );
}

/// A metric a population figure needs failing for several customers: the population pass
/// named whichever customer a thread met first (two runs named two customers) and not how
/// many. The first in source order, and the count.
#[test]
fn a_population_input_failing_names_the_first_customer_and_how_many() {
    let fx = Fixture::new();
    let rows: Vec<Vec<rusqlite::types::Value>> = (1..=3000)
        .map(|i| {
            let products = if [2900, 1500, 10].contains(&i) { 0 } else { 1 };
            vec![int(i), real(i as f64), int(products)]
        })
        .collect();
    fx.customers(
        "customer_id INTEGER PRIMARY KEY, annual_sales REAL, products INTEGER",
        &rows,
    );
    fx.rule(
        "p.yaml",
        "metrics:\n  per_product: annual_sales / products\npopulation:\n  pp: { percentile_of: per_product }\ndecisions:\n  - name: t\n    output: t\n    rules:\n      - { id: t, value: '= pp' }\n",
    );
    for _ in 0..3 {
        let run = fx.run(&["run"]);
        run.assert_code(1);
        run.assert_stderr_contains(
            "error: customer 10: metric `per_product` failed: division by zero",
        );
        run.assert_stderr_contains("(the first of 3 customers it fails for)");
    }
}

/// `0 < x < 3`, a range as mathematics writes it, passed `check` and failed every customer
/// at run time (`0 < x` is true or false, compared with 3), with help about BOOLEAN
/// columns. A load error at the second comparison, saying what to write.
#[test]
fn a_chained_comparison_is_an_error_saying_to_join_the_two() {
    let fx = Fixture::new();
    fx.sales_customers(&[1.0, 2.0]);
    fx.rule(
        "mid.yaml",
        "decisions:\n  - name: mid\n    output: mid\n    rules:\n      - { id: m, when: '0 < (annual_sales ?? 0) < 3', value: true }\n      - { id: n, value: false }\n",
    );
    let check = fx.run(&["check"]);
    check.assert_code(2);
    assert!(
        check.stdout.contains("error: a comparison of a comparison: `0 < x < 3` compares `0 < x` (true or false) with 3, which is an error for every customer (in `m`)\n --> rules/mid.yaml:5:49"),
        "{}",
        check.stdout
    );
    assert!(
        check
            .stdout
            .contains("= help: write both comparisons joined by `&&`: `0 < x && x < 3`"),
        "{}",
        check.stdout
    );
}

/// A list of named customers from an e-mail: `C-1723` for `C-01723` and an id not in the
/// data passed `check --data` silently (the row matched the others), and those customers
/// got no concession the director approved. Each is a warning at the rule, with the
/// customer's id it most likely means; case and spaces stay the spelling lint's.
#[test]
fn ids_a_rule_names_that_no_customer_has_are_flagged_on_the_data() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, sales REAL",
        &[
            vec![text("C-01723"), real(10.0)],
            vec![text("C-00002"), real(20.0)],
            vec![text("C-00003"), real(30.0)],
        ],
    );
    fx.rule(
        "rules.yaml",
        r#"decisions:
  - name: concession
    output: concession
    rules:
      - { id: named, when: 'customer_id in ["C-00002", "C-1723", "C-99999", "c-00003"]', value: 3 }
      - { id: not-test, when: 'customer_id != "C-TEST"', value: 1 }
      - { id: rest, value: 0 }
"#,
    );
    let check = fx.run(&["check", "--data"]);
    check.assert_code(0);
    assert!(
        check.stdout.contains(
            "warning: `customer_id` is compared with 2 ids no customer has: \"C-1723\" (did you mean \"C-01723\"?), \"C-99999\"; those ids get nothing from this rule (in `named`)\n --> rules/rules.yaml:5:57\n"
        ),
        "{}",
        check.stdout
    );
    // Leaving out an id no customer has (`!=`) leaves out no one, as meant.
    assert!(!check.stdout.contains("C-TEST"), "{}", check.stdout);
    // `c-00003` is another spelling of a customer's id: the spelling lint says it.
    assert!(
        check.stdout.contains("warning: `customer_id` is compared with \"c-00003\", but the data also writes it \"C-00003\""),
        "{}",
        check.stdout
    );
    // Every id as the data has it: nothing is said.
    fx.rule(
        "rules.yaml",
        r#"decisions:
  - name: c
    output: c
    rules:
      - { id: named, when: 'customer_id in ["C-00002", "C-01723"]', value: 3 }
      - { id: rest, value: 0 }
"#,
    );
    let clean = fx.run(&["check", "--data"]);
    assert!(!clean.stdout.contains("warning"), "{}", clean.stdout);
    fx.run(&["run", "--strict"]).assert_code(0);
}

/// Per-country rankings are written `where: country == "PL"`, thresholds as `switch country
/// { "CZ" => ... }`: the customers whose data writes `pl` were left out of the ranking (the
/// three largest became dormant) and got no threshold (no margin cap), while `check --data`
/// said "no problems": the spelling warning looked at conditions and metrics' `==` only.
#[test]
fn spellings_are_flagged_in_a_population_where_and_a_switch_case() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, country TEXT, sales REAL",
        &[
            vec![text("C1"), text("PL"), real(1000.0)],
            vec![text("C2"), text("PL"), real(2000.0)],
            vec![text("C3"), text("pl"), real(50000.0)],
            vec![text("C4"), text("pl "), real(40000.0)],
            vec![text("C5"), text("CZ"), real(3000.0)],
            vec![text("C6"), text("Cz"), real(4000.0)],
        ],
    );
    fx.rule(
        "tiers.yaml",
        r#"population:
  rank_pl: { percentile_of: sales, where: 'country == "PL"' }
metrics:
  threshold: 'switch country { "CZ" => 900000, _ => 40000 }'
decisions:
  - name: tier
    output: tier
    rules:
      - { id: t-none, when: 'is_null(rank_pl)', value: D }
      - { id: t-a, when: 'rank_pl >= 0.8 && sales >= threshold', value: A }
      - { id: t-c, value: C }
"#,
    );
    let check = fx.run(&["check", "--data"]);
    check.assert_code(0);
    let warnings: Vec<&str> = (check.stdout.split("\n\n"))
        .filter(|w| w.starts_with("warning: `country`"))
        .map(|w| w.lines().take(2).last().unwrap_or_default())
        .collect();
    assert_eq!(
        warnings,
        [" --> rules/tiers.yaml:2:56", " --> rules/tiers.yaml:4:33"],
        "{}",
        check.stdout
    );
    assert!(
        check.stdout.contains(
            "warning: `country` is compared with \"PL\", but the data also writes it \"pl\" (1 customer), \"pl \" (1 customer)"
        ) && check.stdout.contains(
            "warning: `country` is compared with \"CZ\", but the data also writes it \"Cz\" (1 customer)"
        ),
        "{}",
        check.stdout
    );
}

/// A German export: `GROSSHANDEL` for `Großhandel`, `Bäckerei` with its `ä` decomposed (the
/// same on screen), and a no-break space after it. Each is said, with what the screen does
/// not show and a fix that works (SQLite's TRIM keeps a no-break space; no SQL composes
/// letters).
#[test]
fn spellings_with_ss_decomposed_letters_or_a_no_break_space_are_flagged_on_the_data() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, gruppe TEXT",
        &[
            vec![text("K1"), text("Großhandel")],
            vec![text("K2"), text("GROSSHANDEL")],
            vec![text("K3"), text("B\u{e4}ckerei")],
            vec![text("K4"), text("Ba\u{308}ckerei")],
            vec![text("K5"), text("Bäckerei\u{a0}")],
        ],
    );
    fx.rule(
        "rabatt.yaml",
        "decisions:\n  - name: rabatt\n    output: rabatt\n    rules:\n      - { id: r-gh, when: 'gruppe == \"Großhandel\"', value: 5 }\n      - { id: r-b, when: 'gruppe == \"B\u{e4}ckerei\"', value: 3 }\n      - { id: r-rest, value: 0 }\n",
    );
    let check = fx.run(&["check", "--data"]);
    check.assert_code(0);
    let lines: Vec<&str> = (check.stdout.lines())
        .filter(|l| l.starts_with("warning") || l.contains("= help"))
        .collect();
    assert_eq!(
        lines,
        [
            "warning: `gruppe` is compared with \"Großhandel\", but the data also writes it \"GROSSHANDEL\" (1 customer): text compares exactly (case and spaces count), so those customers do not match it (1 customer holds \"Großhandel\" as written) (in `r-gh`)",
            "  = help: make the column one spelling in the customers query (`TRIM(gruppe)`, `UPPER(gruppe)`; `customers.query`) or at its source; or, if \"GROSSHANDEL\" is meant to match too, compare with both: `gruppe in [\"Großhandel\", \"GROSSHANDEL\"]` (a grid cell `\"Großhandel\", \"GROSSHANDEL\"`, a switch case `\"Großhandel\" | \"GROSSHANDEL\" =>`)",
            "warning: `gruppe` is compared with \"B\u{e4}ckerei\", but the data also writes it \"Ba\\u{308}ckerei\" (decomposed letters, 1 customer), \"Bäckerei\\u{a0}\" (1 customer): text compares exactly (case and spaces count), so those customers do not match it (1 customer holds \"B\u{e4}ckerei\" as written) (in `r-b`)",
            "  = help: make the column one spelling at its source: the export writes some letters decomposed (Unicode NFD); save it as NFC (composed), which SQL cannot do",
        ]
    );
}

/// The rule's own text is the decomposed spelling (pasted from a Mac), the data composed:
/// the help said to mend the column at its source, where the rule was to be retyped.
#[test]
fn a_rule_text_written_decomposed_is_to_be_retyped_in_the_rule() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, segment TEXT",
        &[
            vec![text("K1"), text("Średni")],
            vec![text("K2"), text("Średni")],
        ],
    );
    fx.rule(
        "r.yaml",
        "decisions:\n  - name: r\n    output: rabat\n    rules:\n      - { id: r-s, when: 'segment == \"S\u{301}redni\"', value: 3 }\n      - { id: r-rest, value: 0 }\n",
    );
    let check = fx.run(&["check", "--data"]);
    check.assert_code(0);
    assert!(
        check.stdout.contains("`S` and the combining accent U+0301")
            && check.stdout.contains(
                "= help: the rule's own text is written \"S\\u{301}redni\", which the screen does not show: retype it in the rule file"
            ),
        "{}",
        check.stdout
    );
}

/// A column whose name has a blank or an umlaut (`Umsatz Vorjahr`, an ERP export's) cannot
/// be written in a rule: the help for the name an admin writes instead says how to name it
/// in the customers query (it said "did you mean `Umsatz Vorjahr`?", which cannot be written).
#[test]
fn a_column_rules_cannot_name_gets_help_to_name_it_in_the_query() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, \"Umsatz Vorjahr\" REAL",
        &[vec![text("K1"), real(10.0)]],
    );
    fx.rule(
        "stufen.yaml",
        "decisions:\n  - name: stufe\n    rules:\n      - { id: a, when: Umsatz_Vorjahr >= 100000, then: { stufe: A } }\n      - { id: c, then: { stufe: C } }\n",
    );
    let check = fx.run(&["check"]);
    check.assert_code(2);
    assert!(
        check.stdout.contains("= help: the column `Umsatz Vorjahr` has a name rules cannot write (names use a-z, A-Z, digits and `_`): name it in the customers query, `SELECT *, \"Umsatz Vorjahr\" AS Umsatz_Vorjahr FROM ...` (`customers.query`), and write that name"),
        "{}",
        check.stdout
    );
}

/// `SELECT *, TRIM(channel) AS channel`, as the other-spellings help suggests, adds a second
/// `channel`: the rules read the first, untrimmed. Said where the rules load.
#[test]
fn a_column_the_query_gives_twice_is_said() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, channel TEXT",
        &[vec![text("C1"), text("Wholesale ")]],
    );
    std::fs::write(
        fx.path("config.yaml"),
        "database: customers.db\ncustomers: { query: \"SELECT *, TRIM(channel) AS channel FROM customers\", id_column: customer_id }\nrules: rules\n",
    )
    .unwrap();
    fx.rule(
        "credit.yaml",
        "decisions:\n  - name: credit\n    output: limit\n    rules:\n      - { id: ws, when: 'channel == \"Wholesale\"', value: 5 }\n      - { id: rest, value: 1 }\n",
    );
    let check = fx.run(&["check"]);
    check.assert_code(0);
    let all = format!("{}{}", check.stdout, check.stderr);
    assert!(
        all.contains("warning: the customer source gives 2 columns named `channel` (columns 2 and 3 of its query): the rules read the first, as it is"),
        "{all}"
    );
}

/// A decision's `default:` is a value: customers no row matched but who got the default are
/// not "without value". A rule that fails in two ways is reported once per way, each with
/// its own customers (a NULL and a zero divisor are different fixes), and a zero divisor is
/// named.
#[test]
fn check_data_counts_defaults_as_values_and_tells_failures_apart_by_what_failed() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, annual_sales REAL, prev_sales REAL",
        &[
            vec![text("C1"), real(5000.0), real(100.0)],
            vec![text("C2"), real(50.0), real(0.0)],
            vec![text("C3"), real(40.0), null()],
            vec![text("C4"), real(30.0), real(0.0)],
        ],
    );
    fx.rule(
        "rules.yaml",
        r#"decisions:
  - name: commission
    outputs: [{ name: commission_pct, default: 1 }]
    grid: |
      id     | annual_sales | commission_pct
      comm-a | > 1000       | 2
  - name: drop
    output: drop_warn
    rules:
      - { id: warn-drop, when: "(prev_sales - annual_sales) / prev_sales > 0.3", value: true }
      - { id: no-drop, value: false }
"#,
    );
    let check = fx.run(&["check", "--data"]);
    check.assert_code(1);
    let shown = |line: &str| assert!(check.stdout.contains(line), "{line}\n{}", check.stdout);
    // Said of the customer the rules did not fail for, not of every customer.
    shown(
        "every row matched and the one customer evaluated without error (3 failed, below) got a value: commission",
    );
    shown(
        "  rule `warn-drop` failed for 2 customers (e.g. C2, C4): division by zero: `prev_sales` is 0 for this customer (test it first: `prev_sales != 0 && ...`, or `if prev_sales == 0 { ... } else { ... }`)\n",
    );
    shown(
        "  rule `warn-drop` failed for 1 customer (e.g. C3): `prev_sales` is NULL for this customer, and `-` needs a value",
    );
    shown("; 1 rule failing on the data");
}

/// A field of shares (a collection rate of 0.85) compared with a percentage (`< 70`) is
/// true for everyone (or no one) and fails nothing: `check --data` warns at the number, in
/// a `when:` and in a grid cell, and `run` says it in a note. 0/1 flags are not shares.
#[test]
fn a_share_compared_with_a_percentage_is_said_on_the_data() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, collection_rate REAL, flag INTEGER",
        &[
            vec![text("C1"), real(0.85), int(1)],
            vec![text("C2"), real(0.4), int(0)],
            vec![text("C3"), null(), int(0)],
        ],
    );
    fx.rule(
        "credit.yaml",
        r#"decisions:
  - name: block
    rules:
      - { id: block-late, when: "flag > 5 || collection_rate < 70", then: { blocked: true } }
      - { id: block-none, then: { blocked: false } }
  - name: bonus
    outputs: [bonus]
    grid: |
      id      | collection_rate | bonus
      bonus-a | >= 85           | 1
      bonus-b | -               | 0
  - name: dunning
    rules:
      - { id: dun, when: 'flag != 70 || collection_rate < 70.0', then: { dun: true } }
      - { id: dun-none, then: { dun: false } }
  - name: limit
    output: limit
    caps:
      - { id: limit-low-collection, max: '= if collection_rate < 50 { 100 } else { () }' }
    rules:
      - { id: limit-base, value: 1000 }
  - name: turned
    rules:
      - { id: turned-late, when: '70 > collection_rate', then: { turned: true } }
      - { id: turned-none, then: { turned: false } }
"#,
    );
    fx.rule(
        "metrics.yaml",
        "metrics:\n  slow_payer: collection_rate < 20\n",
    );
    let check = fx.run(&["check", "--data"]);
    check.assert_code(0);
    let shown = |line: &str| assert!(check.stdout.contains(line), "{line}\n{}", check.stdout);
    shown(
        "warning: `collection_rate` holds shares in the data (0.4 to 0.85), and it is compared with 70, a percentage: the comparison is true for every customer with a value (in `block-late`)\n --> rules/credit.yaml:4:64\n",
    );
    shown("  = help: write 0.7 for 70%: a share of 1 is 100%\n");
    shown(
        "compared with 85, a percentage: the comparison is true for no customer (in `bonus-a`)\n  --> rules/credit.yaml:10:20\n",
    );
    assert!(!check.stdout.contains("`flag`"), "{}", check.stdout);
    // At the number compared with the share, written `70.0`, not the `70` before it.
    shown("(in `dun`)\n  --> rules/credit.yaml:14:59\n");
    // Written the other way round, read the same way: `70 > rate` is `rate < 70`.
    shown(
        "compared with 70, a percentage: the comparison is true for every customer with a value (in `turned-late`)",
    );
    // A cap's limit and a metric too.
    shown(
        "compared with 50, a percentage: the comparison is true for every customer with a value (in `limit-low-collection`)\n  --> rules/credit.yaml:19:66\n",
    );
    shown(
        "compared with 20, a percentage: the comparison is true for every customer with a value\n --> rules/metrics.yaml:2:33\n",
    );
    let run = fx.run(&["run", "--format", "json"]);
    run.assert_code(0);
    let notes: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let notes = notes["notes"].as_array().cloned().unwrap_or_default();
    assert!(
        notes.iter().any(|n| n.as_str().is_some_and(|n| n
            .starts_with("rules/credit.yaml:4:64: `collection_rate` holds shares in the data")
            && n.ends_with("(rule `block-late`); write 0.7 for 70%: a share of 1 is 100%"))),
        "{notes:?}"
    );
}

/// The other way round: a source that changed its unit upstream (a repeat-purchase rate sent
/// as 0 to 100 instead of 0 to 1) compared with a share: `--strict` passed it, exit 0, and
/// the `exit` segment fell from 21.5% to 0.4% of customers.
#[test]
fn check_data_warns_of_a_percentage_field_compared_with_a_share() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, repeat_rate REAL, orders INTEGER",
        &[
            vec![text("C1"), real(12.5), int(3)],
            vec![text("C2"), real(64.0), int(40)],
            vec![text("C3"), real(85.25), int(7)],
            vec![text("C4"), null(), int(0)],
        ],
    );
    fx.rule(
        "segments.yaml",
        r#"decisions:
  - name: segment
    rules:
      - { id: seg-exit, when: 'repeat_rate < 0.2', then: { segment: exit } }
      - { id: seg-busy, when: 'orders > 0.5', then: { segment: busy } }
      - { id: seg-keep, then: { segment: keep } }
"#,
    );
    let check = fx.run(&["check", "--data"]);
    check.assert_code(0);
    assert!(
        check.stdout.contains(
            "warning: `repeat_rate` holds percentages in the data (12.5 to 85.25), and it is compared with 0.2, a share: the comparison is true for 0 of the 3 customers with a value (in `seg-exit`)\n --> rules/segments.yaml:4:46\n"
        ) && check.stdout.contains(
            "  = help: write 20 for a share of 0.2: the data counts 100 for the whole (or convert the column to shares in the customers query: `repeat_rate / 100.0 AS repeat_rate`)\n"
        ),
        "{}",
        check.stdout
    );
    // Whole counts are no percentages.
    assert!(!check.stdout.contains("`orders`"), "{}", check.stdout);
    // Nor is a ratio past 1 compared with a share that splits the customers.
    fx.conn()
        .execute_batch("ALTER TABLE customers ADD COLUMN growth REAL; UPDATE customers SET growth = CASE customer_id WHEN 'C1' THEN 0.45 WHEN 'C2' THEN 1.25 WHEN 'C3' THEN 2.6 ELSE 0.95 END")
        .unwrap();
    fx.rule(
        "growth.yaml",
        "decisions:\n  - name: trend\n    rules:\n      - { id: trend-down, when: 'growth < 0.9', then: { trend: down } }\n      - { id: trend-up, then: { trend: up } }\n",
    );
    let check = fx.run(&["check", "--data"]);
    assert!(!check.stdout.contains("`growth`"), "{}", check.stdout);
    fx.run(&["run", "--strict"])
        .assert_code(1)
        .assert_stderr_contains("`repeat_rate` holds percentages in the data");
}

/// A cap written for some customers whose condition holds for none (`"Wholesale"` where the
/// data says `wholesale`) caps no one, and nothing said so: `check --data` names the caps
/// with a formula limit that bound no customer (a constant limit never reached is a safety
/// limit, not said).
#[test]
fn check_data_names_formula_caps_that_bound_no_customer() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, annual_sales REAL, channel TEXT",
        &[
            vec![text("C1"), real(100.0), text("wholesale")],
            vec![text("C2"), real(200.0), text("retail")],
        ],
    );
    fx.rule(
        "discount.yaml",
        r#"decisions:
  - name: discount
    output: discount_pct
    caps:
      - { id: wholesale-9, max: '= if channel == "Wholesale" { 9 } else { () }' }
      - { id: retail-5, max: '= if channel == "retail" { 5 } else { () }' }
      - { id: never-above-50, max: 50 }
    rules:
      - { id: base, value: 12 }
"#,
    );
    let check = fx.run(&["check", "--data"]);
    check.assert_code(0);
    assert!(
        check.stdout.contains(
            "  discount:\n    caps that bound no customer (a limit never reached, or a condition that holds for no one): wholesale-9\n"
        ),
        "{}",
        check.stdout
    );
    let json: serde_json::Value =
        serde_json::from_str(&fx.run(&["check", "--data", "--format", "json"]).stdout).unwrap();
    assert_eq!(
        json["data"]["decisions"][0]["caps_never_bound"],
        serde_json::json!(["wholesale-9"])
    );
}

/// A `REAL` column whose values are whole this period (ratings of 4.0 and 5.0) may hold
/// 4.5 the next: `rating in [4.5, 5]` is no slip. Only a column of whole numbers as such
/// (`INTEGER`) compared with a decimal is warned about, with a YAML file's list syntax.
#[test]
fn a_decimal_compared_with_whole_values_is_said_only_for_an_integer_column() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, rating REAL, visits INTEGER",
        &[
            vec![text("C1"), real(4.0), int(1)],
            vec![text("C2"), real(5.0), int(2)],
        ],
    );
    fx.rule(
        "rules.yaml",
        "decisions:\n  - name: good\n    output: good\n    rules:\n      - { id: g, when: 'rating in [4.5, 5]', value: true }\n      - { id: v, when: visits == 1.2, value: true }\n      - { id: rest, value: false }\n",
    );
    let check = fx.run(&["check", "--data"]);
    check.assert_code(0);
    assert!(!check.stdout.contains("`rating` holds"), "{}", check.stdout);
    assert!(
        check.stdout.contains(
            "warning: `visits` holds whole numbers only in the data, so it is never equal to 1.2"
        ),
        "{}",
        check.stdout
    );
    assert!(
        check
            .stdout
            .contains("= help: if it is a list, write `[1, 2]`; for a range, `>=` and `<`"),
        "{}",
        check.stdout
    );
}

/// A decision written with `value:` rows but no `output:` is an error; its name used later
/// (the output meant) got "unknown name `credit_block` ... did you mean `credit_limit`?",
/// pointing elsewhere: it says the name is that decision's, which gives no output.
#[test]
fn a_decision_without_its_output_is_named_where_its_name_is_used() {
    let fx = Fixture::new();
    fx.sales_customers(&[10.0, 20.0]);
    fx.rule(
        "credit.yaml",
        "decisions:\n  - name: credit_limit\n    output: credit_limit\n    rules:\n      - { id: cl, value: 1000 }\n  - name: credit_block\n    rules:\n      - { id: cb-yes, when: annual_sales < 15, value: true }\n      - { id: cb-no, value: false }\n  - name: terms\n    output: payment_days\n    rules:\n      - { id: t-blocked, when: credit_block, value: 0 }\n      - { id: t-std, value: 30 }\n",
    );
    let check = fx.run(&["check"]);
    check.assert_code(2);
    assert!(
        check.stdout.contains("`value:` needs the decision to name its `output:`")
            && check.stdout.contains(
                "= help: `credit_block` is the name of a decision that gives no output (see its error): name the output in it, `output: credit_block`"
            )
            && !check.stdout.contains("did you mean"),
        "{}",
        check.stdout
    );
}

/// Ids that differ only in case, a trailing space or leading zeros (one customer exported
/// twice, most often) were separate customers with "no problems": two credit lines, and
/// both counted in the percentiles. `check --data` says so.
#[test]
fn ids_that_differ_only_in_case_spaces_or_leading_zeros_are_warned_of() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, annual_sales REAL",
        &[
            vec![text("C-00011"), real(10.0)],
            vec![text("C-00011 "), real(20.0)],
            vec![text("c-00010 "), real(30.0)],
            vec![text("C-00010"), real(40.0)],
            vec![text("00123"), real(50.0)],
            vec![text("123"), real(60.0)],
            vec![text("C-9"), real(70.0)],
            // Two systems padding the number inside the id differently.
            vec![text("C-0013"), real(80.0)],
            vec![text("C-00013"), real(90.0)],
            vec![text("C-130"), real(95.0)],
        ],
    );
    fx.rule(
        "tiers.yaml",
        "decisions:\n  - name: tier\n    rules:\n      - { id: big, when: annual_sales >= 25, then: { tier: A } }\n      - { id: rest, then: { tier: B } }\n",
    );
    let check = fx.run(&["check", "--data"]);
    check.assert_code(0);
    assert!(
        check.stdout.contains(
            "  warning: 4 groups of customer ids differ only in case, spaces or leading zeros (\"C-00011\" and \"C-00011 \"; \"c-00010 \" and \"C-00010\"; \"00123\" and \"123\" and 1 more): tierwise keeps them apart"
        ),
        "{}",
        check.stdout
    );
    // `run` notes it too (it said nothing), and `--strict` refuses it, as other data notes.
    fx.run(&["run", "--strict"])
        .assert_code(1)
        .assert_stderr_contains("4 groups of customer ids differ only in case");
    let run = fx.run_ok(&[]);
    assert!(
        run.stdout.contains(
            "note: customers.db: 4 groups of customer ids differ only in case, spaces or leading zeros"
        ),
        "{}",
        run.stdout
    );
}

/// Tiers ordered on a figure ranked over each group's top account only: every other account
/// (NULL, not ranked) fell past the tier rows to the catch-all C, and `check --data` said
/// "every row matched". Said at the comparison; quiet once a row says what NULL gets.
#[test]
fn check_data_warns_of_a_figure_null_for_many_that_rows_order_without_a_null_row() {
    let fx = Fixture::new();
    let rows: Vec<Vec<rusqlite::types::Value>> = (1..=100)
        .map(|i| vec![int(i), real(i as f64), int(i64::from(i % 10 == 0))])
        .collect();
    fx.customers(
        "customer_id INTEGER PRIMARY KEY, group_sales REAL, is_top INTEGER",
        &rows,
    );
    let rules = |null_row: &str| {
        format!(
            "population:\n  group_rank: {{ percentile_of: group_sales, where: is_top == 1 }}\ndecisions:\n  - name: tier\n    rules:\n{null_row}      - {{ id: t-a, when: group_rank >= 0.8, then: {{ tier: A }} }}\n      - {{ id: t-b, when: group_rank >= 0.5, then: {{ tier: B }} }}\n      - {{ id: t-c, then: {{ tier: C }} }}\n"
        )
    };
    fx.rule("tiers.yaml", &rules(""));
    let check = fx.run(&["check", "--data"]);
    check.assert_code(0);
    assert!(
        check.stdout.contains(
            "warning: `group_rank` is NULL for 90 of 100 customers (not ranked: `where: is_top == 1`), and rows `t-a`, `t-b` of `tier` order it, which is false for NULL: each of them gets the first row that does not compare it (in `t-a`)\n --> rules/tiers.yaml:6:26"
        ),
        "{}",
        check.stdout
    );
    // A run does not say it: leaving the unranked to the last row can be meant.
    let run = fx.run(&["run"]);
    run.assert_code(0);
    assert!(!run.stderr.contains("is NULL for"), "{}", run.stderr);
    fx.rule(
        "tiers.yaml",
        &rules("      - { id: t-none, when: is_null(group_rank), then: { tier: branch } }\n"),
    );
    let check = fx.run(&["check", "--data"]);
    check.assert_code(0);
    assert!(!check.stdout.contains("is NULL for"), "{}", check.stdout);
    // Under `!` a comparison holds for NULL: the row takes the unranked in, as said nowhere.
    fx.rule(
        "tiers.yaml",
        "population:\n  group_rank: { percentile_of: group_sales, where: is_top == 1 }\ndecisions:\n  - name: tier\n    rules:\n      - { id: t-a, when: '!(group_rank < 0.8)', then: { tier: A } }\n      - { id: t-c, then: { tier: C } }\n",
    );
    let check = fx.run(&["check", "--data"]);
    assert!(!check.stdout.contains("is NULL for"), "{}", check.stdout);
}

/// ERP exports have columns named `default`, `private`, `case`: words of the rule language.
/// `default == 1` got rhai's "'default' is a reserved keyword" and no help; it says how to
/// name the column otherwise.
#[test]
fn a_column_named_like_a_word_of_the_language_gets_how_to_rename_it() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, \"default\" INTEGER, private INTEGER",
        &[vec![text("K1"), int(1), int(0)]],
    );
    fx.rule(
        "r.yaml",
        "decisions:\n  - name: p\n    rules:\n      - { id: a, when: 'default == 1', then: { x: 1 } }\n      - { id: b, when: 'private == 1', then: { x: 2 } }\n",
    );
    fx.run(&["check"]).assert_code(2);
    let check = fx.run(&["run"]);
    check.assert_code(2);
    for (word, at) in [
        ("default", "rules/r.yaml:4:25"),
        ("private", "rules/r.yaml:5:25"),
    ] {
        let d = check.diagnostic_at(at);
        assert!(
            d.contains(&format!("= help: `{word}` is a word of the rule language, and the name of a column: name the column otherwise in the customers query, `SELECT *, \"{word}\" AS {word}_value FROM ...`")),
            "{d}"
        );
    }
}

/// A column's name in backticks or quotes (`` `Annual Sales` > 0 ``, the SQL habit) is a
/// text compared with a number: `check` said "no problems", and `run` failed customer by
/// customer. A load error, with how to name such a column.
#[test]
fn a_column_name_in_quotes_compared_with_a_number_is_a_load_error() {
    let fx = Fixture::new();
    fx.sales_customers(&[10.0]);
    fx.rule(
        "r.yaml",
        "decisions:\n  - name: p\n    rules:\n      - { id: a, when: '`Annual Sales` > 0', then: { x: 1 } }\n      - { id: b, then: { x: 2 } }\n",
    );
    let check = fx.run(&["run"]);
    check.assert_code(2);
    let d = check.diagnostic_at("rules/r.yaml:4:40");
    assert!(
        d.starts_with("error: \"Annual Sales\" in quotes is a text, not a column, and it is compared with a number `0`: text and numbers never compare, so this is false for every customer (in `a`)")
            && d.contains("= help: write a column by its name; one whose name has a blank is named anew in the customers query: `SELECT *, \"Annual Sales\" AS annual_sales FROM ...`, then `annual_sales`"),
        "{d}"
    );
}

/// `check --as-of 2025-06-30` warned that a row ending on 2025-06-30 "expired: it is no
/// longer in effect", on the very day it is: the lint reads the day checked for.
#[test]
fn an_expired_row_is_one_that_ended_before_the_day_checked_for() {
    let fx = Fixture::new();
    fx.sales_customers(&[10.0]);
    fx.rule(
        "r.yaml",
        "decisions:\n  - name: d\n    output: out\n    rules:\n      - { id: old, when: annual_sales > 1, effective: { from: 2025-01-01, to: 2025-06-30 }, value: 1 }\n      - { id: rest, value: 2 }\n",
    );
    let then = fx.run(&["check", "--as-of", "2025-06-30"]);
    then.assert_code(0);
    assert!(!then.stdout.contains("expired"), "{}", then.stdout);
    let now = fx.run(&["check"]);
    assert!(
        now.stdout.contains("`old` expired on 2025-06-30"),
        "{}",
        now.stdout
    );
}

/// A sheet of overrides whose rows each test an output for a value it never gives printed
/// one warning per row (3,000 of them): once, with the other rows' ids and how many; JSON
/// keeps each.
#[test]
fn a_warning_repeated_word_for_word_is_printed_once_with_the_other_rows() {
    let fx = fixture();
    let mut rows = String::new();
    for k in 0..8 {
        rows.push_str(&format!(
            "      - {{ id: o{k}, when: 'size == \"huge\" && annual_sales > {k}', then: {{ pct: {k} }} }}\n"
        ));
    }
    fx.rule(
        "d.yaml",
        &format!("decisions:\n  - name: size\n    rules:\n      - {{ id: big, when: annual_sales > 100, then: {{ size: big }} }}\n      - {{ id: small, then: {{ size: small }} }}\n  - name: pct\n    rules:\n{rows}      - {{ id: none, then: {{ pct: 0 }} }}\n"),
    );
    let run = fx.run(&["check"]);
    run.assert_code(0);
    let out = &run.stdout;
    assert_eq!(out.matches("is never \"huge\"").count(), 1, "{out}");
    assert!(
        out.contains("warning: output `size` is never \"huge\" (in `o0`)\n")
            && out.contains("\n  = note: the same warning for 7 more in this file: `o1`, `o2`, `o3`, `o4`, `o5` and 2 more (`--format json` lists each)\n"),
        "{out}"
    );
    assert!(out.contains("8 warnings in the rule files"), "{out}");
    let json = fx.run(&["check", "--format", "json"]);
    assert_eq!(
        json.stdout.matches("is never \\\"huge\\\"").count(),
        8,
        "{}",
        json.stdout
    );
}
