//! Runs over time, on the real binary: which run counts for a period (the latest `ok` run of
//! it, a rerun replacing it, a backfill of an earlier period), the `customer_policy_latest`
//! view, and the `history`, `changes` and `prune` commands.
//!
//! Every run the binary writes is dated today; each test then dates its runs by hand
//! (`as_of`, `period`) as runs of different quarters would be.

mod common;

use common::*;
use rusqlite::types::Value;

const RULES: &str = r#"decisions:
  - name: tier
    rules:
      - { id: tier-a, when: "annual_sales >= 100", then: { tier: A } }
      - { id: tier-b, when: "annual_sales >= 50", then: { tier: B } }
      - { id: tier-c, then: { tier: C } }
  - name: bonus
    output: bonus
    rules:
      - { id: bonus-a, when: 'tier == "A"', value: 2.5 }
      - { id: bonus-none, value: 0.5 }
"#;

/// Runs the rules on customers 1..=4 with these sales, then dates the run.
fn run_dated(fx: &Fixture, sales: &[f64], as_of: &str, period: &str) -> i64 {
    fx.sales_customers(sales);
    fx.run_ok(&[]);
    let run_id = fx.latest_ok_run();
    date_run(fx, run_id, as_of, period);
    run_id
}

/// Makes run `run_id` one of `period`, evaluated as of `as_of`.
fn date_run(fx: &Fixture, run_id: i64, as_of: &str, period: &str) {
    fx.conn()
        .execute(
            "UPDATE policy_run SET as_of = ?2, period = ?3 WHERE run_id = ?1",
            rusqlite::params![run_id, as_of, period],
        )
        .unwrap();
}

/// Four quarters' worth of runs: Q1 (run 1), Q2 (run 2), Q2 again (run 3, replaces run 2),
/// Q1 again (run 4, a backfill that replaces run 1), then a failed run (5) of Q2.
fn quarters() -> Fixture {
    let fx = Fixture::new();
    fx.rule("rules.yaml", RULES);
    run_dated(&fx, &[10.0, 60.0, 120.0, 90.0], "2026-03-31", "2026-Q1");
    run_dated(&fx, &[60.0, 60.0, 40.0, 150.0], "2026-06-30", "2026-Q2");
    run_dated(&fx, &[120.0, 60.0, 40.0, 150.0], "2026-06-30", "2026-Q2");
    run_dated(&fx, &[10.0, 60.0, 120.0, 100.0], "2026-03-31", "2026-Q1");
    fx.conn()
        .execute(
            "INSERT INTO policy_run (run_id, started_at, status, customers, fingerprint,
                                     message, as_of, period)
             VALUES (5, '2026-07-01T08:00:00Z', 'failed', 0, 'x', 'boom', '2026-06-30', '2026-Q2')",
            [],
        )
        .unwrap();
    fx
}

fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

#[test]
fn the_view_shows_the_latest_periods_official_run_with_rule_ids_as_json() {
    let fx = quarters();
    let conn = fx.conn();
    let mut stmt = conn
        .prepare(
            "SELECT customer_id, period, as_of, tier, bonus, rule_ids
             FROM customer_policy_latest ORDER BY customer_id",
        )
        .unwrap();
    let rows: Vec<Vec<Value>> = stmt
        .query_map([], |r| (0..6).map(|k| r.get(k)).collect())
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let row = |id: i64, tier: &str, bonus: f64, rules: &str| {
        vec![
            int(id),
            text("2026-Q2"),
            text("2026-06-30"),
            text(tier),
            real(bonus),
            text(rules),
        ]
    };
    // Q2's official run is run 3 (the rerun), although run 4 (a Q1 backfill) is newer.
    assert_eq!(
        rows,
        [
            row(1, "A", 2.5, r#"["tier-a","bonus-a"]"#),
            row(2, "B", 0.5, r#"["tier-b","bonus-none"]"#),
            row(3, "C", 0.5, r#"["tier-c","bonus-none"]"#),
            row(4, "A", 2.5, r#"["tier-a","bonus-a"]"#),
        ]
    );
}

#[test]
fn history_lists_official_runs_oldest_first_with_the_rules_that_changed() {
    let fx = quarters();
    let run = fx.run(&["history", "1"]);
    run.assert_code(0);
    assert_eq!(
        run.stdout,
        "customer 1: 2 periods, 2026-Q1 to 2026-Q2\n\
         \n\
         note: 2026-Q2's run (run 3) read 2026-Q1's run 1, replaced since by run 4 (a correction or a backfill): if the rules read history (`previous.x`), 2026-Q2 holds policies made on the old history; run it again (`tierwise run --as-of 2026-06-30`)\n\
         \n         2026-Q1  2026-Q2\n  \
           tier   C        A\n  \
           bonus  0.5      2.5\n  \
           run    4        3\n\
         \n\
         rules fired\n  \
           2026-Q1  tier-c, bonus-none\n  \
           2026-Q2  +tier-a +bonus-a -tier-c -bonus-none\n"
    );

    let run = fx.run(&["history", "4", "--outputs", "tier", "--format", "json"]);
    run.assert_code(0);
    assert_eq!(
        json(&run),
        serde_json::json!({
            "notes": ["2026-Q2's run (run 3) read 2026-Q1's run 1, replaced since by run 4 (a correction or a backfill): if the rules read history (`previous.x`), 2026-Q2 holds policies made on the old history; run it again (`tierwise run --as-of 2026-06-30`)"],
            "customer_id": "4",
            "outputs": ["tier"],
            "periods": [
                {"period": "2026-Q1", "as_of": "2026-03-31", "run_id": 4,
                 "values": {"tier": "A"}, "rule_ids": ["tier-a", "bonus-a"],
                 "rules_added": ["tier-a", "bonus-a"], "rules_removed": []},
                {"period": "2026-Q2", "as_of": "2026-06-30", "run_id": 3,
                 "values": {"tier": "A"}, "rule_ids": ["tier-a", "bonus-a"],
                 "rules_added": [], "rules_removed": []},
            ],
            "left_out": []
        })
    );
}

/// Two years of monthly runs: the text shows the last 12 periods (a column each) and says
/// how many are earlier; `--last N` shows N, `--last 0` all; JSON gives every period.
#[test]
fn history_shows_the_last_twelve_periods_unless_told_otherwise() {
    let fx = Fixture::new();
    fx.rule("rules.yaml", RULES);
    for month in 1..=14 {
        let (year, m) = (2025 + (month - 1) / 12, (month - 1) % 12 + 1);
        let as_of = format!("{year}-{m:02}-28");
        let sales = if month == 14 { 120.0 } else { 10.0 };
        run_dated(&fx, &[sales], &as_of, &as_of[..7]);
    }
    let shown = |args: &[&str]| {
        let run = fx.run(&[&["history", "1"], args].concat());
        run.assert_code(0);
        run.stdout
    };
    let text = shown(&[]);
    assert!(
        text.starts_with(
            "customer 1: 12 periods, 2025-03 to 2026-02\n\
             \n\
             note: the last 12 periods are shown, from 2025-03: 2 periods earlier (`--last 0` shows every period)\n\
             \n         2025-03     2025-04"
        ),
        "{text}"
    );
    let last = shown(&["--last", "2"]);
    assert!(
        last.contains("\n         2026-01     2026-02\n  tier   C           A\n"),
        "{last}"
    );
    assert!(
        last.ends_with("rules fired\n  2026-01  tier-c, bonus-none\n  2026-02  +tier-a +bonus-a -tier-c -bonus-none\n"),
        "{last}"
    );
    assert!(shown(&["--last", "0"]).starts_with("customer 1: 14 periods, 2025-01 to 2026-02\n"));
    let all = json(&fx.run(&["history", "1", "--format", "json"]));
    assert_eq!(all["periods"].as_array().unwrap().len(), 14);
    let two = json(&fx.run(&["history", "1", "--format", "json", "--last", "2"]));
    assert_eq!(two["periods"][0]["period"], "2026-01");
    assert_eq!(
        two["notes"][0],
        "the last 2 periods are shown, from 2026-01: 12 periods earlier (`--last 0` shows every period)"
    );
}

/// True/false and list outputs come back from the run tables as the rules gave them, not
/// as SQLite stores them (1/0, JSON text): their columns are declared `BOOLEAN` and `JSON`.
#[test]
fn history_and_changes_give_true_false_and_lists_back_as_the_rules_gave_them() {
    let fx = Fixture::new();
    fx.rule(
        "rules.yaml",
        r#"decisions:
  - name: flags
    rules:
      - { id: big, when: "annual_sales >= 100", then: { key: true, visits: [business, technical] } }
      - { id: small, then: { key: false, visits: [business] } }
  - name: alerts
    hit: collect
    aggregate: list
    output: alerts
    rules:
      - { id: alert-big, when: key, value: "watch" }
"#,
    );
    run_dated(&fx, &[10.0, 150.0], "2026-03-31", "2026-Q1");
    run_dated(&fx, &[150.0, 150.0], "2026-06-30", "2026-Q2");
    let declared: Vec<(String, String)> = fx
        .conn()
        .prepare("SELECT name, type FROM pragma_table_info('customer_policy') WHERE name IN ('key', 'visits', 'alerts')")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let pair = |a: &str, b: &str| (a.to_owned(), b.to_owned());
    assert_eq!(
        declared,
        [
            pair("key", "BOOLEAN"),
            pair("visits", "JSON"),
            pair("alerts", "JSON")
        ]
    );

    let run = fx.run(&["history", "1", "--format", "json"]);
    run.assert_code(0);
    let periods = &json(&run)["periods"];
    assert_eq!(
        periods[0]["values"],
        serde_json::json!({"key": false, "visits": ["business"], "alerts": []})
    );
    assert_eq!(
        periods[1]["values"],
        serde_json::json!({"key": true, "visits": ["business", "technical"], "alerts": ["watch"]})
    );
    let text = fx.run(&["history", "1", "--outputs", "key,visits"]);
    assert!(
        text.stdout.contains(concat!(
            "          2026-Q1       2026-Q2\n",
            "  key     false         true\n",
            "  visits  [\"business\"]  [\"business\",\"technical\"]\n",
        )),
        "{}",
        text.stdout
    );

    let changes = fx.run(&["changes", "--output", "key", "--format", "csv"]);
    assert_eq!(
        changes.stdout,
        "customer_id,from,to,direction,difference\n1,false,true,changed,\n"
    );
    let visits = fx.run(&["changes", "--output", "visits", "--format", "json"]);
    assert_eq!(
        (
            json(&visits)["customers"][0]["from"].clone(),
            json(&visits)["customers"][0]["to"].clone()
        ),
        (
            serde_json::json!(["business"]),
            serde_json::json!(["business", "technical"])
        )
    );

    // Rules that give `key` numbers now: the column stays BOOLEAN, and the run says so; but
    // each run records its outputs' types, so `history` and `changes` read this run's 1 as
    // the number it is, and the earlier runs' 1/0 still as true/false.
    fx.rule(
        "rules.yaml",
        "decisions:\n  - name: flags\n    rules:\n      - { id: n, then: { key: 1 } }\n",
    );
    let run = fx.run(&["run"]);
    run.assert_code(0);
    assert!(
        run.stdout.contains("note: output `key`: its column is BOOLEAN, made so by an earlier run, and these rules are not known to always give true/false: readers that go by the column's type (`customer_policy_latest`, a BI tool) read its values as true/false"),
        "{}",
        run.stdout
    );
    date_run(&fx, fx.latest_ok_run(), "2026-09-30", "2026-Q3");
    let run = fx.run(&["history", "1", "--outputs", "key", "--format", "json"]);
    let keys: Vec<serde_json::Value> = json(&run)["periods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["values"]["key"].clone())
        .collect();
    assert_eq!(keys, [false.into(), true.into(), serde_json::json!(1)]);
    let changes = fx.run(&["changes", "--output", "key", "--format", "csv"]);
    assert_eq!(
        changes.stdout,
        "customer_id,from,to,direction,difference\n1,true,1,changed,\n2,true,1,changed,\n"
    );
    let recorded: String = fx
        .conn()
        .query_row(
            "SELECT outputs FROM policy_run WHERE period = '2026-Q1'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        recorded,
        r#"{"key":"BOOLEAN","visits":"JSON","alerts":"JSON"}"#
    );
}

/// Rules that start reading `held.tier` read NULL for everyone in their first period: the
/// previous run's rules read no `held.x`, so it stored no count. `run` says so (the counts
/// start again at 1) and `--strict` refuses, as for a `previous.x` the run did not give.
#[test]
fn held_counts_the_previous_run_did_not_store_are_said_and_refused_by_strict() {
    let fx = Fixture::new();
    fx.rule("rules.yaml", RULES);
    run_dated(&fx, &[120.0, 10.0], "2026-05-31", "2026-05");
    fx.rule(
        "rules.yaml",
        &format!("{RULES}  - name: held\n    output: tier_held\n    rules:\n      - {{ id: held, value: '= held.tier' }}\n"),
    );
    let strict = fx.run(&["run", "--strict", "--as-of", "2026-06-30"]);
    strict.assert_code(1).assert_stderr_contains(
        "2026-05's run gave no value for held.tier: it would be NULL for every customer",
    );
    let run = fx.run(&["run", "--as-of", "2026-06-30"]);
    run.assert_code(0);
    assert!(
        run.stdout.contains("; `held.tier` read NULL for every customer (that run gave no value for it), so rules that read it saw no history; the `held.x` counts start again with this run (at 1)\n"),
        "{}",
        run.stdout
    );
    // The count this run stored is what the next period reads: no note then.
    let next = fx.run(&["run", "--strict", "--as-of", "2026-07-31"]);
    next.assert_code(0);
    assert_eq!(column(&fx.latest(), "tier_held")["1"], int(1));
}

/// `explain`'s "fails at" reads earlier periods' values as the rule does: the part of a
/// condition that fails is `tier != "A"`, not `previous.tier == "A"` (which holds).
#[test]
fn explain_finds_the_failing_part_of_a_condition_on_last_periods_values() {
    let fx = Fixture::new();
    fx.rule(
        "rules.yaml",
        &format!(
            "{RULES}  - name: fell
    rules:
      - {{ id: fell-from-a, when: 'previous.tier == \"A\" && tier != \"A\"', then: {{ fell: true }} }}
      - {{ id: fell-not, then: {{ fell: false }} }}
"
        ),
    );
    run_dated(&fx, &[120.0, 120.0], "2026-05-31", "2026-05");
    fx.sales_customers(&[120.0, 10.0]);
    let run = fx.run(&["explain", "1", "--as-of", "2026-06-30"]);
    run.assert_code(0);
    // Which run `previous` was read from (JSON `history_read`).
    assert!(
        run.stdout
            .contains("\nhistory read: previous = 2026-05 (run 1)\n"),
        "{}",
        run.stdout
    );
    let later = fx.run(&["explain", "1", "--as-of", "2026-08-31", "--format", "json"]);
    assert_eq!(
        json(&later)["history_read"],
        serde_json::json!([{"reads": "previous", "period": "2026-07", "run_id": null}])
    );
    assert!(
        run.stdout.contains(concat!(
            "    ✗ fell-from-a  when previous.tier == \"A\" && tier != \"A\"\n",
            "        with tier = A, previous.tier = A\n",
            "        fails at: tier != \"A\"\n",
        )),
        "{}",
        run.stdout
    );
}

/// `run` says when the previous period's run was made with other rules, and which of the
/// earlier values the rules read that run gave no customer (they read NULL for everyone).
#[test]
fn run_notes_a_previous_period_made_with_other_rules_and_the_history_it_lacks() {
    let fx = Fixture::new();
    fx.rule("rules.yaml", RULES);
    run_dated(&fx, &[120.0, 10.0], "2026-05-31", "2026-05");
    fx.rule(
        "rules.yaml",
        &format!(
            "{RULES}  - name: level
    rules:
      - {{ id: level-kept, when: '!is_null(previous.level)', then: {{ level: '= previous.level' }} }}
      - {{ id: level-first, then: {{ level: 1 }} }}
"
        ),
    );
    let run = fx.run(&["run", "--as-of", "2026-06-30"]);
    run.assert_code(0);
    let note = run
        .stdout
        .lines()
        .find(|l| l.starts_with("note: "))
        .unwrap_or_default();
    assert!(
        note.starts_with("note: 2026-05's run (run 1) was made with other rules (")
            && note.ends_with("): the moves and totals since 2026-05 compare two rule sets, not only the customers; `previous.level` read NULL for every customer (that run gave no value for it), so rules that read it saw no history"),
        "{}",
        run.stdout
    );
    // The same rules again: nothing to note.
    let again = fx.run(&["run", "--as-of", "2026-07-31", "--format", "json"]);
    assert_eq!(json(&again)["notes"], serde_json::json!([]));
    // `history` says which periods were made with which rules.
    let history = fx.run(&["history", "1", "--format", "json"]);
    let note = json(&history)["notes"][0]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let shown = note.split(" with rules ").count();
    assert!(
        note.starts_with("the periods' runs were made with different rules (2026-05 with rules ")
            && note.contains("; 2026-06 to 2026-07 with rules ")
            && shown == 3,
        "{note}"
    );
    // An output the previous run gave, NULL for every customer, is history, not a gap: each
    // run records the outputs it gave, so the note names only what it did not give.
    let memo = |rows: &str| {
        format!(
            "{RULES}  - name: memo\n    rules:\n{rows}      - {{ id: memo-none, then: {{ memo: null }} }}\n"
        )
    };
    fx.rule("rules.yaml", &memo(""));
    fx.run(&["run", "--as-of", "2026-08-31"]).assert_code(0);
    fx.rule(
        "rules.yaml",
        &memo("      - { id: memo-kept, when: '!is_null(previous.memo)', then: { memo: '= previous.memo' } }\n"),
    );
    let run = fx.run(&["run", "--as-of", "2026-09-30", "--format", "json"]);
    let notes = json(&run)["notes"].clone();
    assert!(
        notes.as_array().is_some_and(|n| n.len() == 1)
            && notes[0]
                .as_str()
                .is_some_and(|n| n.ends_with("compare two rule sets, not only the customers")),
        "{notes}"
    );
}

/// A comment, the layout or what the summary shows (`count_by`, `money`, `report`) changes
/// the rule files' fingerprint but not what they decide: `run`, `changes` and `history` do
/// not take the moves for a change of rules.
#[test]
fn comments_and_display_settings_are_not_other_rules() {
    let fx = Fixture::new();
    fx.rule("rules.yaml", RULES);
    run_dated(&fx, &[120.0, 10.0], "2026-05-31", "2026-05");
    let edited = format!(
        "# Tiers by annual sales (reviewed in June).\n{}summary:\n  count_by: [tier]\n",
        RULES.replace("{ tier: C } }", "{ tier: C } }  # everyone else")
    );
    fx.rule("rules.yaml", &edited);
    fx.sales_customers(&[40.0, 110.0]);
    let run = fx.run(&["run", "--as-of", "2026-06-30", "--format", "json"]);
    run.assert_code(0);
    assert_eq!(json(&run)["notes"], serde_json::json!([]), "{}", run.stdout);
    let fingerprints: Vec<String> = fx
        .conn()
        .prepare("SELECT fingerprint FROM policy_run ORDER BY run_id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_ne!(fingerprints[0], fingerprints[1], "the files did change");
    let changes = fx.run(&["changes", "--output", "tier", "--format", "json"]);
    assert_eq!(
        json(&changes)["notes"],
        serde_json::json!([]),
        "{}",
        changes.stdout
    );
    let history = fx.run(&["history", "1", "--format", "json"]);
    assert_eq!(
        json(&history)["notes"],
        serde_json::json!([]),
        "{}",
        history.stdout
    );
    // A threshold is what decides: that is other rules.
    fx.rule("rules.yaml", &edited.replace(">= 100", ">= 80"));
    let run = fx.run(&["run", "--as-of", "2026-07-31"]);
    assert!(
        run.stdout
            .contains("note: 2026-06's run (run 2) was made with other rules ("),
        "{}",
        run.stdout
    );
    // So is a value YAML 1.1 would read as the same boolean: the rules give the text.
    fx.rule("rules.yaml", &edited.replace("{ tier: C }", "{ tier: NO }"));
    fx.run(&["run", "--as-of", "2026-08-31"]).assert_code(0);
    fx.rule("rules.yaml", &edited.replace("{ tier: C }", "{ tier: no }"));
    let run = fx.run(&["run", "--as-of", "2026-09-30"]);
    assert!(
        run.stdout
            .contains("note: 2026-08's run (run 4) was made with other rules ("),
        "{}",
        run.stdout
    );
}

/// A customer missing from a period's data, or a period never run, between the first and
/// the last periods shown: the columns around the gap read as consecutive, and `run` points
/// at `history` to see it: `history` says which periods are missing and why.
#[test]
fn history_says_which_periods_between_are_missing_and_why() {
    let fx = Fixture::new();
    fx.rule("rules.yaml", RULES);
    run_dated(&fx, &[10.0, 60.0, 120.0, 90.0], "2026-03-31", "2026-Q1");
    run_dated(&fx, &[10.0, 60.0, 120.0], "2026-06-30", "2026-Q2");
    run_dated(&fx, &[10.0, 60.0, 120.0, 150.0], "2026-12-31", "2026-Q4");
    let history = fx.run(&["history", "4", "--format", "json"]);
    history.assert_code(0);
    assert_eq!(
        json(&history)["notes"],
        serde_json::json!([
            "2 periods missing between 2026-Q1 and 2026-Q4: 2026-Q2 (its run 2 does not hold the customer: it was not in that period's data), 2026-Q3 (no run); the run after a missing period found no `previous.x` of the customer (an earlier period the rules read, `previous_2.x`, may hold it)"
        ])
    );
    // Customer 1 is in every run: only the period never run is missing.
    let history = fx.run(&["history", "1", "--format", "json"]);
    assert_eq!(
        json(&history)["notes"],
        serde_json::json!([
            "1 period missing between 2026-Q1 and 2026-Q4: 2026-Q3 (no run); the run after a missing period found no `previous.x` of the customer (an earlier period the rules read, `previous_2.x`, may hold it)"
        ])
    );
    // A run dated ten years ahead by a typo: the quarters with no run in a row are one range.
    run_dated(&fx, &[10.0, 60.0, 120.0, 150.0], "2036-12-31", "2036-Q4");
    let history = fx.run(&["history", "1", "--format", "json"]);
    assert_eq!(
        json(&history)["notes"],
        serde_json::json!([
            "40 periods missing between 2026-Q1 and 2036-Q4: 2026-Q3 (no run), 2027-Q1 to 2036-Q3 (no run); the run after a missing period found no `previous.x` of the customer (an earlier period the rules read, `previous_2.x`, may hold it)"
        ])
    );
}

/// A closed month run as of a day before its end (`--as-of 2025-08-30`, a typo for the 31st)
/// became the month's official run with no note, `--strict` included, and the next month
/// read it as its history (every overdue day after the 30th missing).
#[test]
fn a_closed_period_run_as_of_an_earlier_day_is_noted_and_refused_by_strict() {
    let fx = Fixture::new();
    fx.rule("rules.yaml", RULES);
    fx.sales_customers(&[120.0, 10.0, 50.0]);
    fx.run(&["run", "--strict", "--as-of", "2026-06-29"])
        .assert_code(1)
        .assert_stderr_contains(
            "2026-06 ended on 2026-06-30, and the run is as of 2026-06-29, an earlier day: what the data holds after it is not in the period's result",
        );
    fx.run(&["run", "--strict", "--as-of", "2026-06-30"])
        .assert_code(0);
    let run = fx.run_ok(&["--as-of", "2026-05-30"]);
    assert!(
        run.stdout.contains(
            "note: 2026-05 ended on 2026-05-31, but this run is as of 2026-05-30: it is 2026-05's official run now"
        ),
        "{}",
        run.stdout
    );
}

/// `run` says what it changes among the recorded periods: the official run it replaces (and
/// how many customers fewer), later periods that read the history it replaced, a date
/// after today.
#[test]
fn run_says_which_official_run_it_replaces_and_what_later_periods_read() {
    let fx = Fixture::new();
    fx.rule("rules.yaml", RULES);
    fx.sales_customers(&[120.0, 10.0, 50.0]);
    fx.run_ok(&["--as-of", "2026-06-30"]);
    fx.sales_customers(&[120.0, 10.0]);
    let notes = |args: &[&str]| {
        let mut all = vec!["run"];
        all.extend(args);
        let run = fx.run(&all);
        run.assert_code(0);
        run.stdout
            .lines()
            .filter_map(|l| l.strip_prefix("note: "))
            .map(String::from)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        notes(&["--as-of", "2026-06-15"]),
        [
            "2026-06 ended on 2026-06-30, but this run is as of 2026-06-15: it is 2026-06's official run now, without what the data holds after 2026-06-15, and the next period reads it as its history; for the period's result run it as of its last day (`tierwise run --as-of 2026-06-30`)",
            "replaces run 1 (as of 2026-06-30, 3 customers) as 2026-06's official run, with 1 customer fewer (`tierwise prune --run 2` would make run 1 official again)"
        ]
    );
    assert_eq!(
        notes(&["--as-of", "2026-05-31"]),
        [
            "later periods (2026-06) were run on the history before this run: run them again, oldest first, to evaluate them on it"
        ]
    );
    // The backfilled month run again, the same outputs: 2026-06 was run before any run of
    // 2026-05 and read none, so it is stale still (the note was dropped).
    let again = notes(&["--as-of", "2026-05-31"]);
    assert!(
        again
            .iter()
            .any(|n| n
                .starts_with("later periods (2026-06) were run on the history before this run")),
        "{again:?}"
    );
    let future = notes(&["--as-of", "2999-01-31"]);
    assert!(
        future.len() == 1
            && future[0].starts_with("as of 2999-01-31 is ")
            && future[0].contains(
                "2999-01 is now the latest period (`customer_policy_latest` and `changes` show it); if this was a mistake, `tierwise prune --run 5` removes this run"
            ),
        "{future:?}"
    );
}

/// Two runs of one month at once: the one that writes second replaced the first one's run,
/// not the run both read before they wrote, and says so.
#[test]
fn a_run_that_waited_for_another_run_of_its_month_names_the_run_it_replaced() {
    let fx = Fixture::new();
    fx.rule("rules.yaml", RULES);
    fx.sales_customers(&[120.0, 10.0, 50.0]);
    fx.run_ok(&["--as-of", "2026-06-30"]);
    // The other run: it holds the write lock while this run reads and waits, then commits
    // run 2 of June (a copy of run 1's record is all this run reads of it).
    let mut other = fx.conn();
    let tx = other
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .unwrap();
    let waiting = std::process::Command::new(BIN)
        .current_dir(fx.dir.path())
        .args(["--config", "config.yaml", "run", "--as-of", "2026-06-15"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    tx.execute_batch(
        "CREATE TEMP TABLE copy AS SELECT * FROM policy_run WHERE run_id = 1;
         UPDATE copy SET run_id = 2, as_of = '2026-06-20', customers = 5;
         INSERT INTO policy_run SELECT * FROM copy;",
    )
    .unwrap();
    tx.commit().unwrap();
    let out = waiting.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let notes: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("note: "))
        .collect();
    assert_eq!(
        notes,
        [
            "2026-06 ended on 2026-06-30, but this run is as of 2026-06-15: it is 2026-06's official run now, without what the data holds after 2026-06-15, and the next period reads it as its history; for the period's result run it as of its last day (`tierwise run --as-of 2026-06-30`)",
            "replaces run 2 (as of 2026-06-20, 5 customers) as 2026-06's official run, with 2 customers fewer (`tierwise prune --run 3` would make run 2 official again)"
        ],
        "{stdout}"
    );
}

/// `changes` refuses a later period as `--from`, and says when the two periods are not
/// consecutive: it compares the two as they stand (its note said a move counted every
/// step between them), naming the periods between with no run.
#[test]
fn changes_refuse_reversed_periods_and_note_a_gap() {
    let fx = Fixture::new();
    fx.rule("rules.yaml", RULES);
    run_dated(&fx, &[120.0, 60.0], "2026-03-31", "2026-Q1");
    run_dated(&fx, &[10.0, 60.0], "2026-09-30", "2026-Q3");
    fx.run(&["changes", "--from", "2026-Q3", "--to", "2026-Q1"])
        .assert_code(2)
        .assert_stderr_contains("--from 2026-Q3 is not before --to 2026-Q1");
    let run = fx.run(&["changes", "--output", "tier", "--format", "json"]);
    run.assert_code(0);
    assert!(
        json(&run)["notes"].as_array().unwrap().iter().any(|n| n
            == "2026-Q1 is not the period just before 2026-Q3 (0 periods with a run between them; 2026-Q2 has no run): the two are compared as they stand, so a customer who moved and came back in between counts as unchanged (`history <id>` shows each period)"),
        "{}",
        run.stdout
    ); // A year mistyped ahead (2099 for 2026): the months between in a row are one range,
    // not 291 quarters listed (the fiscal controller's F03).
    run_dated(&fx, &[10.0, 60.0], "2099-03-31", "2099-Q1");
    let ahead = fx.run(&["changes", "--output", "tier"]);
    ahead.assert_code(0);
    assert!(
        ahead.stdout.contains("2026-Q3 is not the period just before 2099-Q1 (0 periods with a run between them; 2026-Q4 to 2098-Q4 have no run)"),
        "{}",
        ahead.stdout
    );
}

#[test]
fn history_of_an_unknown_customer_or_output_is_an_argument_error() {
    let fx = quarters();
    fx.run(&["history", "99"])
        .assert_code(2)
        .assert_stderr_contains("customer `99` is in no official run");
    fx.rule("rules.yaml", RULES);
    fx.customers(
        "customer_id TEXT PRIMARY KEY, annual_sales REAL",
        &[vec![text("C-1"), real(5.0)]],
    );
    fx.run_ok(&[]);
    fx.run(&["history", "c-1"])
        .assert_code(2)
        .assert_stderr_contains("is in no official run in customers.db: did you mean `C-1`?");
    fx.run(&["history", "1", "--outputs", "tierr"])
        .assert_code(2)
        .assert_stderr_contains("no output `tierr` in the runs: did you mean `tier`?");
}

#[test]
fn changes_between_the_two_latest_periods_ranks_by_the_given_order() {
    let fx = quarters();
    let run = fx.run(&["changes", "--output", "tier", "--order", "A,B,C"]);
    run.assert_code(0);
    assert_eq!(
        run.stdout,
        "tier: 2026-Q1 (run 4) -> 2026-Q2 (run 3)\n\
         note: 2026-Q2's run (run 3) was made when 2026-Q1's run was run 1, which run 4 has replaced since: if the rules read history (`previous.x`), run 2026-Q2 again (`tierwise run --as-of 2026-06-30`) to evaluate it after run 4\n\
         order: A > B > C\n\
         4 customers in both: 1 up, 1 down, 0 unranked, 2 unchanged; 0 new, 0 gone\n\
         \n  \
           from  to  direction  customers\n  \
           A     C   down       1\n  \
           C     A   up         1\n\
         \n  \
           customer_id  from  to  direction\n  \
           1            C     A   up\n  \
           3            A     C   down\n"
    );
    let limited = fx.run(&[
        "changes", "--output", "tier", "--order", "A,B,C", "--limit", "1",
    ]);
    assert!(
        limited.stdout.ends_with(
            "  customer_id  from  to  direction\n  1            C     A   up\n  ... and 1 more (--limit 0 lists them all; --format csv writes them all)\n"
        ),
        "{}",
        limited.stdout
    );
    // With no order, changes are changes: not "0 up, 0 down, 2 unranked".
    let unordered = fx.run(&["changes", "--output", "tier"]);
    assert!(
        unordered.stdout.contains(
            "order: none recorded (give --order): changes are unranked\n4 customers in both: 2 changed, 2 unchanged; 0 new, 0 gone\n"
        ),
        "{}",
        unordered.stdout
    );
    // Typed with blanks, the same order; in the wrong case, an error naming the values.
    let spaced = fx.run(&["changes", "--output", "tier", "--order", "A, B, C"]);
    assert!(
        spaced.stdout.contains("1 up, 1 down, 0 unranked"),
        "{}",
        spaced.stdout
    );
    fx.run(&["changes", "--output", "tier", "--order", "a,b,c"])
        .assert_code(2)
        .assert_stderr_contains("--order: none of its values is a value that moved (they are: A, C): `a` is written `A`");
    let csv = fx.run(&[
        "changes", "--output", "tier", "--order", "A,B,C", "--format", "csv",
    ]);
    assert_eq!(
        csv.stdout,
        "customer_id,from,to,direction,difference\n1,C,A,up,\n3,A,C,down,\n"
    );
}

/// The difference of two large sums carried the subtraction's binary noise
/// (587,836.52 -> 580,234.97 printed `-7,601.550000000047`): the difference as the sums
/// read.
#[test]
fn changes_gives_the_difference_of_large_sums_without_binary_noise() {
    let fx = Fixture::new();
    fx.rule(
        "rules.yaml",
        "decisions:\n  - name: pay\n    output: pay\n    rules:\n      - { id: pay, value: \"= annual_sales\" }\n",
    );
    run_dated(&fx, &[587_836.52, 5_105_948.4], "2026-03-31", "2026-Q1");
    run_dated(&fx, &[580_234.97, 6_444_131.05], "2026-06-30", "2026-Q2");
    let text = fx.run(&["changes", "--output", "pay"]);
    text.assert_code(0);
    assert!(
        text.stdout.contains(
            "sum over the customers in both: 5,693,784.92 -> 7,024,366.02 (+1,330,581.1)\n"
        ),
        "{}",
        text.stdout
    );
    // A cent's change beside 2.5 * 10^12 is still a cent (it was rounded to +0).
    run_dated(&fx, &[2_500_000_000_000.0, 100.25], "2026-09-30", "2026-Q3");
    run_dated(&fx, &[2_500_000_000_000.0, 100.29], "2026-12-31", "2026-Q4");
    let text = fx.run(&["changes", "--output", "pay"]);
    assert!(text.stdout.contains("(+0.04)\n"), "{}", text.stdout);
}

/// A number output (a commission in cents) moves by value: each customer's difference, and
/// the sums over the customers in both runs, as the amounts read (16.27 + 25, not
/// 41.269999999999996); a customer new or gone has no difference.
#[test]
fn changes_of_an_amount_give_each_difference_and_the_sums_before_and_after() {
    let fx = Fixture::new();
    fx.rule(
        "rules.yaml",
        "decisions:\n  - name: commission\n    output: commission\n    rules:\n      - { id: pay, value: \"= annual_sales * 0.01\" }\n",
    );
    run_dated(
        &fx,
        &[1627.0, 2500.0, 1000.0, 80.0],
        "2026-03-31",
        "2026-Q1",
    );
    run_dated(&fx, &[4127.0, 2500.0, 995.0], "2026-06-30", "2026-Q2");
    let text = fx.run(&["changes", "--output", "commission"]);
    text.assert_code(0);
    assert_eq!(
        text.stdout,
        "commission: 2026-Q1 (run 1) -> 2026-Q2 (run 2)\n\
         order: by value (numbers: higher is up)\n\
         3 customers in both: 1 up, 1 down, 0 unranked, 1 unchanged; 0 new, 1 gone\n\
         sum over the customers in both: 51.27 -> 76.22 (+24.95)\n\
         \n  \
           from   to     direction  customers\n  \
           10.0   9.95   down       1\n  \
           16.27  41.27  up         1\n\
         \n  \
           customer_id  from   to     direction  difference\n  \
           1            16.27  41.27  up         +25\n  \
           3            10.0   9.95   down       -0.05\n\
         \n\
         gone: 4 (0.8)\n"
    );
    let csv = fx.run(&["changes", "--output", "commission", "--format", "csv"]);
    assert_eq!(
        csv.stdout,
        "customer_id,from,to,direction,difference\n1,16.27,41.27,up,25\n3,10.0,9.95,down,-0.05\n4,0.8,,gone,\n"
    );
    let json = json(&fx.run(&["changes", "--output", "commission", "--format", "json"]));
    assert_eq!(
        json["sums"],
        serde_json::json!({"from": 51.27, "to": 76.22})
    );
    assert_eq!(json["customers"][1]["difference"], serde_json::json!(-0.05));
    // Values typed as the output is, not text ("9000" -> "10000" read as text is down).
    assert_eq!(
        json["customers"][1],
        serde_json::json!({"customer_id": "3", "from": 10.0, "to": 9.95, "direction": "down", "difference": -0.05})
    );
    assert_eq!(json["transitions"][1]["from"], serde_json::json!(16.27));
    assert_eq!(
        json["gone_customers"],
        serde_json::json!([{"customer_id": "4", "value": 0.8}])
    );
}

/// After a change of `period:` (months, then quarters), `changes` compares a quarter with
/// the quarter before, not with the last month; a month given with `--from` is compared,
/// with a note that the two are periods of two kinds.
#[test]
fn changes_compare_periods_of_one_kind_unless_told_otherwise() {
    let fx = Fixture::new();
    fx.rule("rules.yaml", RULES);
    run_dated(&fx, &[10.0, 60.0, 120.0], "2025-06-30", "2025-06");
    run_dated(&fx, &[10.0, 10.0, 120.0], "2025-09-30", "2025-Q3");
    // The first quarter: nothing of its kind to compare with yet, a result (exit 0, as for
    // the first period) where a scheduled `changes` after the first year-end run failed
    // with exit 2, "argument".
    let alone = fx.run(&["changes", "--to", "2025-Q3", "--output", "tier"]);
    alone.assert_code(0);
    assert_eq!(
        alone.stdout,
        "tier: 2025-Q3 (run 2) is the first quarter with a run: nothing of its kind to compare with yet (`--from 2025-06` compares with the latest run of another kind)\n"
    );
    run_dated(&fx, &[60.0, 120.0, 120.0], "2025-06-30", "2025-Q2");
    let quarters = fx.run(&["changes", "--to", "2025-Q3", "--output", "tier"]);
    assert_eq!(quarters.code, 0, "{}", quarters.stderr);
    assert!(
        quarters
            .stdout
            .starts_with("tier: 2025-Q2 (run 3) -> 2025-Q3 (run 2)\n"),
        "{}",
        quarters.stdout
    );
    let across = fx.run(&[
        "changes", "--from", "2025-06", "--to", "2025-Q3", "--output", "tier",
    ]);
    assert_eq!(across.code, 0, "{}", across.stderr);
    assert!(
        across.stdout.contains("note: 2025-06 and 2025-Q3 are periods of two kinds: 2025-Q3's run read no history of 2025-06's, and what each ranked covers another span of time, so the moves are not the rules' steps\n"),
        "{}",
        across.stdout
    );
}

/// A change of `period:` from months to quarters: the first quarter's run notes that it
/// reads no history of the months (and `--strict` refuses it); a rerun of June with the
/// monthly config afterwards reads May and has nothing of the kind to say (`--strict` wrote
/// nothing, because "the latest run is of 2025-Q3").
#[test]
fn a_change_of_period_kind_is_noted_where_history_is_not_read() {
    let fx = Fixture::new();
    fx.rule(
        "rules.yaml",
        &format!("{RULES}  - name: was\n    output: was\n    rules:\n      - {{ id: was, value: '= previous.tier' }}\n"),
    );
    fx.sales_customers(&[10.0, 60.0, 120.0]);
    let config = std::fs::read_to_string(fx.path("config.yaml")).unwrap();
    let kind = |period: &str| {
        std::fs::write(
            fx.path("config.yaml"),
            format!("{config}period: {period}\n"),
        )
        .unwrap();
    };
    kind("month");
    fx.run_ok(&["--as-of", "2025-05-31"]);
    fx.run_ok(&["--as-of", "2025-06-30"]);
    kind("quarter");
    let q3 = |extra: &[&str]| fx.run(&[&["run", "--as-of", "2025-09-30"], extra].concat());
    q3(&["--strict"]).assert_code(1).assert_stderr_contains(
        "the latest run before it is of 2025-06, another kind of period than 2025-Q3",
    );
    let noted = q3(&[]);
    noted.assert_code(0);
    assert!(
        noted.stdout.contains("note: the latest run before it is of 2025-06 (another kind of period than this run's 2025-Q3): this run reads no history from it, so what the rules read of the previous period (`previous.x`, `held.x`) is NULL for every customer, as if every customer were new; to carry the history over, run the earlier quarters with this config first, oldest first (`tierwise run --as-of 2025-06-30` for 2025-Q2), then this one again\n"),
        "{}",
        noted.stdout
    );
    kind("month");
    let june = fx.run(&["run", "--strict", "--as-of", "2025-06-30"]);
    june.assert_code(0);
    assert!(!june.stdout.contains("another kind"), "{}", june.stdout);
    // Rules that read no history lose nothing at a switch: nothing to say or refuse.
    fx.rule("rules.yaml", RULES);
    kind("year");
    let year = fx.run(&["run", "--strict", "--as-of", "2025-12-31"]);
    year.assert_code(0);
    assert!(!year.stdout.contains("another kind"), "{}", year.stdout);
}

/// `changes` says when the moves are not only the customers': the later period was run
/// before the earlier one had a run (it read no history), or with other rules.
#[test]
fn changes_say_when_the_later_run_read_no_history_or_used_other_rules() {
    let fx = Fixture::new();
    fx.rule("rules.yaml", RULES);
    // Q2 first, then Q1 (a backfill): Q2's run read nothing of Q1.
    run_dated(&fx, &[60.0, 60.0, 40.0, 150.0], "2026-06-30", "2026-Q2");
    run_dated(&fx, &[10.0, 60.0, 120.0, 90.0], "2026-03-31", "2026-Q1");
    let run = fx.run(&["changes", "--output", "tier", "--format", "json"]);
    run.assert_code(0);
    assert_eq!(
        json(&run)["notes"],
        serde_json::json!([
            "2026-Q2's run (run 1) was made before any run of 2026-Q1: if the rules read history (`previous.x`), run 2026-Q2 again (`tierwise run --as-of 2026-06-30`) to evaluate it after run 2"
        ])
    );
    // Q2 again, after Q1 and with other rules: the one note is the rules'.
    fx.rule("rules.yaml", &RULES.replace(">= 100", ">= 80"));
    run_dated(&fx, &[60.0, 60.0, 40.0, 150.0], "2026-06-30", "2026-Q2");
    let run = fx.run(&["changes", "--output", "tier"]);
    let notes: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("note: "))
        .collect();
    assert_eq!(notes.len(), 1, "{}", run.stdout);
    assert!(
        notes[0].starts_with("note: the two runs used different rules (")
            && notes[0].ends_with("): part of the moves is the change of rules"),
        "{}",
        run.stdout
    );
}

#[test]
fn changes_use_the_order_recorded_with_the_later_run_and_take_periods() {
    let fx = quarters();
    fx.conn()
        .execute(
            r#"UPDATE policy_run SET value_order = '{"tier": ["A", "B", "C"]}' WHERE run_id = 3"#,
            [],
        )
        .unwrap();
    let run = fx.run(&[
        "changes", "--from", "2026-Q1", "--to", "2026-Q2", "--format", "json",
    ]);
    run.assert_code(0);
    let j = json(&run);
    assert_eq!(j["output"], "tier");
    assert_eq!(j["order"], serde_json::json!(["A", "B", "C"]));
    assert_eq!((j["up"].as_u64(), j["down"].as_u64()), (Some(1), Some(1)));
    assert_eq!(
        j["transitions"],
        serde_json::json!([
            {"from": "A", "to": "C", "direction": "down", "customers": 1},
            {"from": "C", "to": "A", "direction": "up", "customers": 1},
        ])
    );
    // Without an order, numbers rank by value (a credit limit that rose went up).
    let run = fx.run(&["changes", "--output", "bonus", "--format", "json"]);
    let j = json(&run);
    assert_eq!(
        (j["up"].as_u64(), j["down"].as_u64(), j["changed"].as_u64()),
        (Some(1), Some(1), Some(0))
    );
    assert_eq!(j["by_value"], true);
    let text = fx.run(&["changes", "--output", "bonus"]);
    text.assert_code(0);
    assert!(
        text.stdout.contains(
            "order: by value (numbers: higher is up)\n4 customers in both: 1 up, 1 down, 0 unranked"
        ),
        "{}",
        text.stdout
    );
    // The first period (a nightly pipeline's first night) is a result, not a mistake.
    let first = fx.run(&["changes", "--to", "2026-Q1", "--output", "tier"]);
    first.assert_code(0);
    assert_eq!(
        first.stdout,
        "tier: 2026-Q1 (run 4) is the first period with a run: nothing to compare with yet \
         (the next period's `changes` compares with it)\n"
    );
    let first = fx.run(&[
        "changes", "--to", "2026-Q1", "--output", "tier", "--format", "json",
    ]);
    first.assert_code(0);
    let j = json(&first);
    assert_eq!(
        (&j["output"], &j["from"]),
        (&"tier".into(), &serde_json::Value::Null)
    );
    assert_eq!(
        (&j["to"]["period"], &j["compared"]),
        (&"2026-Q1".into(), &0.into())
    );
    assert_eq!(
        j["notes"],
        serde_json::json!([
            "2026-Q1 is the first period with a run: there is nothing before it to compare with yet"
        ])
    );
    let first = fx.run(&[
        "changes", "--to", "2026-Q1", "--output", "tier", "--format", "csv",
    ]);
    first.assert_code(0);
    assert_eq!(first.stdout, "customer_id,from,to,direction,difference\n");
    fx.run(&["changes", "--from", "2025-Q4", "--output", "tier"])
        .assert_code(2)
        .assert_stderr_contains("--from 2025-Q4: no run; periods with a run: 2026-Q1, 2026-Q2");
}

#[test]
fn prune_keeps_the_last_periods_official_runs_and_the_latest_run() {
    let fx = quarters();
    // A dry run says the same and deletes nothing.
    let dry = fx.run(&["prune", "--keep", "1", "--dry-run"]);
    dry.assert_code(0);
    assert!(
        dry.stdout.starts_with("would keep 1 period: 2026-Q2 (run 3; and run 2, the close it restates); and the latest run, 5\nwould delete 2 runs and 8 policy rows from ")
            && dry.stdout.ends_with("dry run: nothing was deleted\n"),
        "{}",
        dry.stdout
    );
    assert_eq!(fx.runs().len(), 5);
    assert_eq!(fx.policy_row_count(), 16);
    let dry_remove = fx.run(&["prune", "--run", "3", "--dry-run"]);
    dry_remove.assert_code(0);
    assert!(
        dry_remove
            .stdout
            .starts_with("would remove run 3 (2026-Q2, ok, 4 policy rows) from ")
            && dry_remove
                .stdout
                .contains("  2026-Q2's official run would be run 2 (as of 2026-06-30)\n")
            && dry_remove
                .stdout
                .ends_with("dry run: nothing was removed\n"),
        "{}",
        dry_remove.stdout
    );
    assert_eq!(fx.runs().len(), 5);
    let run = fx.run(&["prune", "--keep", "1", "--format", "json"]);
    run.assert_code(0);
    let j = json(&run);
    assert_eq!(
        j["kept"],
        serde_json::json!([{"period": "2026-Q2", "run_id": 3, "restated": [2]}])
    );
    assert_eq!(j["latest_run_kept"], 5);
    let deleted: Vec<i64> = j["deleted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["run_id"].as_i64().unwrap())
        .collect();
    assert_eq!(deleted, [1, 4]);
    assert_eq!(j["rows_deleted"], 8);
    // 2026-Q1's official run leaves its record, `pruned` (a later run reading 2026-Q1 says
    // it was pruned, not skipped); superseded and failed runs go. 2026-Q2's close as first
    // made (run 2), restated by run 3, stays: what was sent before the correction.
    let ids: Vec<(i64, String)> = (fx.runs().into_iter())
        .map(|r| (r.run_id, r.status))
        .collect();
    assert_eq!(
        ids,
        [
            (2, "ok".to_owned()),
            (3, "ok".to_owned()),
            (4, "pruned".to_owned()),
            (5, "failed".to_owned())
        ]
    );
    assert_eq!(fx.policy_row_count(), 8);
    fx.run(&["changes", "--from", "run:2", "--output", "tier"])
        .assert_code(0);
    // A pruned period is not "a period with no recorded run" (explained as quarters, as the
    // runs were dated).
    let config = std::fs::read_to_string(fx.path("config.yaml")).unwrap();
    std::fs::write(fx.path("config.yaml"), format!("{config}period: quarter\n")).unwrap();
    let explained = fx.run(&["explain", "1", "--as-of", "2026-03-31"]);
    assert!(
        explained.stdout.contains("note: 2026-Q1's official run was pruned (`prune --keep`: its policies deleted, its record kept in the run table), so there is no recorded policy to compare with; the latest is 2026-Q2's (run 3, as of 2026-06-30)"),
        "{}",
        explained.stdout
    );
    let json: serde_json::Value = serde_json::from_str(
        &fx.run(&["explain", "1", "--as-of", "2026-03-31", "--format", "json"])
            .stdout,
    )
    .unwrap();
    assert_eq!(json["period_pruned"], true);
    fx.run(&["changes", "--from", "2026-Q1", "--output", "tier"])
        .assert_code(2)
        .assert_stderr_contains("--from 2026-Q1: its official run was pruned (`prune --keep`: its policies deleted, its record kept in the run table); periods with a run: 2026-Q2");
    // A run by its id: pruned, deleted with its period, failed, or never made, each said
    // (all were "no successful run N of a period").
    for (run, why) in [
        (
            "run:4",
            "--from run:4: run 4 (2026-Q1) holds no policies: pruned at ",
        ),
        (
            "run:1",
            "--from run:1: `policy_run` has no run 1 (now): `prune` deletes the records of runs replaced by a rerun and of failed runs when it prunes their period",
        ),
        (
            "run:5",
            "--from run:5: run 5 (2026-Q2) failed, writing no policies: ",
        ),
        (
            "run:9",
            "--from run:9: `policy_run` has no run 9: the latest is run 5",
        ),
    ] {
        fx.run(&["changes", "--from", run, "--output", "tier"])
            .assert_code(2)
            .assert_stderr_contains(why);
    }
    // The earliest period kept is not "the first period with a run".
    let changes = fx.run(&["changes", "--output", "tier"]);
    changes.assert_code(0);
    assert_eq!(
        changes.stdout,
        "tier: 2026-Q2 (run 3) is the earliest period with a run kept (the runs before it were pruned): nothing to compare with\n"
    );
    let lists: i64 = fx
        .conn()
        .query_row(
            "SELECT COUNT(DISTINCT run_id) FROM customer_policy_fired",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(lists, 2);
    // The view still shows Q2, and a second prune finds nothing to delete.
    assert_eq!(column(&fx.latest(), "tier")["1"], text("A"));
    let again = fx.run(&["prune", "--keep", "1", "--vacuum"]);
    again.assert_code(0);
    assert!(
        again.stdout.contains("nothing to delete"),
        "{}",
        again.stdout
    );
    assert!(again.stdout.contains("vacuumed"), "{}", again.stdout);
}

/// After a change of `period:` (months, then quarters), `--keep N` keeps the last N
/// periods of each kind: counted together, the months pushed out the quarters the
/// quarterly runs read (2025-Q2, which 2025-Q3 read as its history, was deleted).
#[test]
fn prune_keeps_the_last_periods_of_each_kind_of_period() {
    let fx = Fixture::new();
    fx.rule("rules.yaml", RULES);
    for (as_of, period) in [
        ("2025-03-31", "2025-Q1"),
        ("2025-06-30", "2025-Q2"),
        ("2025-04-30", "2025-04"),
        ("2025-05-31", "2025-05"),
        ("2025-06-30", "2025-06"),
        ("2025-09-30", "2025-Q3"),
    ] {
        run_dated(&fx, &[10.0, 60.0, 120.0], as_of, period);
    }
    let run = fx.run(&["prune", "--keep", "2"]);
    run.assert_code(0);
    let kept: Vec<String> = fx
        .runs()
        .into_iter()
        .filter(|r| r.status == "ok")
        .map(|r| r.run_id.to_string())
        .collect();
    assert_eq!(kept, ["2", "4", "5", "6"], "{}", run.stdout);
    assert!(
        run.stdout.starts_with(
            "kept 4 periods: 2025-05 (run 4), 2025-06 (run 5), 2025-Q2 (run 2), 2025-Q3 (run 6)"
        ),
        "{}",
        run.stdout
    );
    // Each kind's oldest period kept read one deleted.
    let notes: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("note: "))
        .collect();
    assert_eq!(notes.len(), 2, "{}", run.stdout);
    assert!(
        notes[0].starts_with("note: 2025-05's run read 2025-04 as its history"),
        "{}",
        run.stdout
    );
    assert!(
        notes[1].starts_with("note: 2025-Q2's run read 2025-Q1 as its history"),
        "{}",
        run.stdout
    );
}

#[test]
fn prune_keep_zero_is_refused() {
    let fx = quarters();
    fx.run(&["prune", "--keep", "0"])
        .assert_code(2)
        .assert_stderr_contains("the latest period's official run is always kept");
    assert_eq!(fx.runs().len(), 5);
}

/// `prune --run` removes a run made by mistake: its rows go, its record stays marked
/// `removed` (so its id is never reused), the period's official run is again its latest
/// remaining successful one, and later periods that read it as history are named.
#[test]
fn prune_run_removes_a_mistaken_run_and_its_period_reads_the_one_before() {
    let fx = quarters();
    fx.conn()
        .execute(
            "INSERT INTO policy_error (run_id, customer_id, rule, message, at)
             VALUES (3, '9', 'rule `tier-a`', 'boom', 'rules.yaml:1:1')",
            [],
        )
        .unwrap();
    let run = fx.run(&["prune", "--run", "3", "--format", "json"]);
    run.assert_code(0);
    assert_eq!(
        json(&run)["removed"],
        serde_json::json!([{
            "run_id": 3, "period": "2026-Q2", "status": "ok", "rows": 4,
            "was_official": true, "official_now": 2, "official_now_as_of": "2026-06-30",
            "read_by": []
        }])
    );
    let removed = &fx.runs()[2];
    assert_eq!(removed.status, "removed");
    assert!(
        removed
            .message
            .as_deref()
            .unwrap_or("")
            .contains("by `tierwise prune --run 3` (was ok; 4 policy rows deleted)"),
        "{removed:?}"
    );
    let left = |table: &str| -> i64 {
        fx.conn()
            .query_row(
                &format!("SELECT COUNT(*) FROM {table} WHERE run_id = 3"),
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_eq!(
        [
            left("customer_policy"),
            left("customer_policy_fired"),
            left("policy_error")
        ],
        [0, 0, 1]
    );
    // The view shows Q2 from run 2 again: customer 1 had sales of 60 there.
    let tier: String = fx
        .conn()
        .query_row(
            "SELECT tier FROM customer_policy_latest WHERE customer_id = 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(tier, "B");
    fx.run(&["prune", "--run", "3"])
        .assert_code(2)
        .assert_stderr_contains("--run 3: that run was removed already");
    fx.run(&["prune", "--run", "9"])
        .assert_code(2)
        .assert_stderr_contains("--run 9: there is no such run in policy_run: its runs are 1 to 5");
    // Run 4 (a backfill of Q1) was made after run 2, which read run 1 as Q1: removing both
    // Q1 runs leaves Q1 without a run and names Q2 as a period that read one of them.
    let run = fx.run(&["prune", "--run", "4", "--run", "1"]);
    run.assert_code(0);
    assert_eq!(
        run.stdout,
        "removed run 1 (2026-Q1, ok, 4 policy rows) from customers.db\n\
         \x20 note: the runs of 2026-Q2 read its outputs as history: run them again, oldest first\n\
         removed run 4 (2026-Q1, ok, 4 policy rows) from customers.db\n\
         \x20 2026-Q1 has no run now\n"
    );
    // `--keep` keeps the removed records (their ids stay used) and takes the latest run
    // among the runs still there (5, the failed one), not a removed record.
    let kept = fx.run(&["prune", "--keep", "1", "--format", "json"]);
    kept.assert_code(0);
    assert_eq!(json(&kept)["latest_run_kept"], 5);
    assert_eq!(json(&kept)["deleted"], serde_json::json!([]));
    let statuses: Vec<(i64, String)> = fx
        .runs()
        .into_iter()
        .map(|r| (r.run_id, r.status))
        .collect();
    assert_eq!(
        statuses,
        [
            (1, "removed".into()),
            (2, "ok".into()),
            (3, "removed".into()),
            (4, "removed".into()),
            (5, "failed".into())
        ]
    );
    // A failed run removed keeps its failure message after the removal's.
    fx.run(&["prune", "--run", "5"]).assert_code(0);
    let failed = &fx.runs()[4];
    assert!(
        failed
            .message
            .as_deref()
            .unwrap_or("")
            .ends_with("(was failed; 0 policy rows deleted); its message was: boom"),
        "{failed:?}"
    );
    fx.run(&["prune"])
        .assert_code(2)
        .assert_stderr_contains("<--keep <KEEP>|--run <ID>>");
    fx.run(&["prune", "--keep", "1", "--run", "2"])
        .assert_code(2)
        .assert_stderr_contains("cannot be used with");
}

#[test]
fn the_api_gives_official_runs_before_a_period_and_a_runs_outputs_by_customer() {
    use tierwise::output;
    use tierwise::source::Column;
    use tierwise::time::Period;
    let fx = quarters();
    let conn = fx.conn();
    let tables = tierwise::config::OutputTables::default();
    let q3 = Period::parse("2026-Q3").unwrap();
    let before = output::official_runs_before(&conn, &tables, q3, 5).unwrap();
    let found: Vec<(String, i64)> = before
        .iter()
        .map(|r| (r.period.to_string(), r.run_id))
        .collect();
    assert_eq!(found, [("2026-Q2".into(), 3), ("2026-Q1".into(), 4)]);
    assert_eq!(before[0].as_of.to_string(), "2026-06-30");
    let q2 = Period::parse("2026-Q2").unwrap();
    let one = output::official_runs_before(&conn, &tables, q2, 1).unwrap();
    assert_eq!(one.iter().map(|r| r.run_id).collect::<Vec<_>>(), [4]);
    // Periods of another kind are not "before" a quarter.
    let month = Period::parse("2026-09").unwrap();
    assert!(
        output::official_runs_before(&conn, &tables, month, 5)
            .unwrap()
            .is_empty()
    );

    // An output the run does not have (added later) is a column of NULL.
    let data = output::read_run(&conn, &tables, 3, &["bonus", "added_later", "tier"]).unwrap();
    assert_eq!(data.names, ["customer_id", "bonus", "added_later", "tier"]);
    assert_eq!(data.len, 4);
    assert_eq!(data.id_text(0), "1");
    assert!(matches!(data.columns[2], Column::Null(4)));
    let tiers: Vec<String> = (0..4)
        .map(|i| data.columns[3].value(i).to_string())
        .collect();
    assert_eq!(tiers, ["A", "B", "C", "A"]);
    assert_eq!(data.columns[1].value(1).as_f64(), Some(0.5));
    assert_eq!(data.find("4"), Some(3));
}

#[test]
fn the_views_rule_ids_and_values_are_those_of_the_out_file_for_the_shipped_rules() {
    let dir = tempfile::tempdir().unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_dir(&root.join("config"), &dir.path().join("config"));
    copy_dir(&root.join("rules"), &dir.path().join("rules"));
    std::fs::create_dir_all(dir.path().join("data")).unwrap();
    run_in(
        dir.path(),
        &[
            "sample",
            "--customers",
            "3000",
            "--history",
            "--out",
            "data/sample.db",
        ],
    )
    .assert_code(0);
    run_in(
        dir.path(),
        &["run", "--as-of", "2026-09-30", "--out", "data/out.jsonl"],
    )
    .assert_code(0);
    let jsonl = std::fs::read_to_string(dir.path().join("data/out.jsonl")).unwrap();
    let conn = rusqlite::Connection::open(dir.path().join("data/sample.db")).unwrap();
    let mut stmt = conn
        .prepare("SELECT * FROM customer_policy_latest ORDER BY customer_id")
        .unwrap();
    let names: Vec<String> = stmt.column_names().map(str::to_owned).collect();
    let mut rows = stmt.query([]).unwrap();
    let mut lists = std::collections::BTreeSet::new();
    for line in jsonl.lines() {
        let file: serde_json::Value = serde_json::from_str(line).unwrap();
        let row = rows.next().unwrap().expect("a row per customer");
        for (k, name) in names.iter().enumerate() {
            let view = match row.get::<_, Value>(k).unwrap() {
                Value::Integer(i) => serde_json::json!(i),
                Value::Real(f) => serde_json::json!(f),
                Value::Text(t) if name == "rule_ids" => serde_json::from_str(&t).unwrap(),
                Value::Text(t) => serde_json::json!(t),
                _ => serde_json::Value::Null,
            };
            let expected = match (name.as_str(), &file[name]) {
                ("period" | "period_kind" | "as_of", _) => continue,
                (_, serde_json::Value::Bool(b)) => serde_json::json!(*b as i64),
                (_, serde_json::Value::Array(_)) if name != "rule_ids" => {
                    serde_json::json!(file[name].to_string())
                }
                (_, v) => v.clone(),
            };
            assert_eq!(view, expected, "{name} of {}", file["customer_id"]);
        }
        lists.insert(file["rule_ids"].to_string());
    }
    assert!(rows.next().unwrap().is_none());
    assert!(lists.len() > 50, "only {} distinct lists", lists.len());
}

/// An id with leading zeros is text, another customer's than the number: `history 0005007`
/// showed customer 5007's periods (and `explain 05007` explained it), so a customer whose id
/// changed from 5007 to "0005007" between extracts seemed to keep its history.
#[test]
fn an_id_with_leading_zeros_is_not_the_number() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id INTEGER PRIMARY KEY, annual_sales REAL",
        &[vec![int(5007), real(10.0)], vec![int(5008), real(20.0)]],
    );
    fx.rule(
        "tiers.yaml",
        "decisions:\n  - name: tier\n    rules:\n      - { id: any, then: { tier: A } }\n",
    );
    fx.run(&["run"]).assert_code(0);
    fx.run(&["history", "5007"]).assert_code(0);
    fx.run(&["explain", "5007"]).assert_code(0);
    for id in ["05007", "0005007"] {
        fx.run(&["history", id])
            .assert_code(2)
            .assert_stderr_contains(&format!("customer `{id}` is in no official run"));
        fx.run(&["explain", id])
            .assert_code(2)
            .assert_stderr_contains(&format!("no customer has customer_id = `{id}`"));
    }
}

/// A correction of July after August and September were run: August read the July that was
/// replaced, and September read August. Only the correcting run said so; `history`,
/// `changes` and the next period's run showed the stale periods without a word. They say
/// it now, naming what to run again in order, and stop once it is.
#[test]
fn periods_made_on_a_replaced_history_are_said_until_run_again() {
    let fx = Fixture::new();
    fx.sales_customers(&[10.0, 20.0, 30.0]);
    fx.rule("rules.yaml", SINCE);
    fx.rule("level.yaml", LEVEL);
    for day in ["2026-07-31", "2026-08-31", "2026-09-30"] {
        fx.run(&["run", "--as-of", day]).assert_code(0);
    }
    // A correction of July's data.
    fx.sales_customers(&[11.0, 20.0, 30.0]);
    fx.run(&["run", "--as-of", "2026-07-31"]).assert_code(0);
    let note = "2026-08's run (run 2) read 2026-07's run 1, replaced since by run 4 (a correction or a backfill): \
                if the rules read history (`previous.x`), 2026-08, 2026-09 hold policies made on the old history; \
                run them again, oldest first (`tierwise run --as-of 2026-08-31`, then `tierwise run --as-of 2026-09-30`)";
    let history = fx.run(&["history", "1"]);
    assert!(
        history.stdout.contains(&format!("note: {note}\n")),
        "{}",
        history.stdout
    );
    // The two latest periods: September read August, itself stale.
    let changes = fx.run(&["changes", "--output", "since"]);
    assert!(changes.stdout.contains(note), "{}", changes.stdout);
    // A run of another kind recorded since (a quarter that failed) does not hide the
    // months' note: each kind shown is looked at.
    let quarter = "INSERT INTO policy_run (run_id, started_at, status, customers, fingerprint, message, as_of, period)
                   VALUES (99, '2026-10-01T00:00:00Z', 'failed', 0, 'x', 'boom', '2026-09-30', '2026-Q3')";
    fx.conn().execute(quarter, []).unwrap();
    for args in [&["history", "1"][..], &["history", "1", "--kind", "month"]] {
        let out = fx.run(args);
        assert!(out.stdout.contains(note), "{args:?}: {}", out.stdout);
    }
    fx.conn()
        .execute("DELETE FROM policy_run WHERE run_id = 99", [])
        .unwrap();
    let october = fx.run(&["run", "--as-of", "2026-10-31"]);
    october.assert_code(0);
    // The run just written stands on it too: it is run again last.
    let with_october = "2026-08's run (run 2) read 2026-07's run 1, replaced since by run 4 (a correction or a backfill): \
                if the rules read history (`previous.x`), 2026-08, 2026-09, 2026-10 hold policies made on the old history; \
                run them again, oldest first (`tierwise run --as-of 2026-08-31`, then `tierwise run --as-of 2026-09-30`, then `tierwise run --as-of 2026-10-31`)";
    assert!(
        october.stdout.contains(&format!("note: {with_october}\n")),
        "{}",
        october.stdout
    );
    // `explain` and `report` of a period on that chain say so too (the page said nothing,
    // or blamed the customer data for what the history changed).
    let explain = fx.run(&["explain", "1", "--as-of", "2026-09-30"]);
    assert!(
        explain.stdout.contains(&format!(
            "note: 2026-09's recorded run (run 3) stands on a history replaced since, so what the rules read of earlier periods here (the history as it is now) may differ from what it read: {with_october}\n"
        )),
        "{}",
        explain.stdout
    );
    let report = fx.run(&["report", "--as-of", "2026-08-31", "--out", "r.html"]);
    report.assert_code(0);
    report.assert_stderr_contains(
        "note: 2026-08's recorded run (run 2) stands on a history replaced since",
    );
    assert!(
        !report.stderr.contains("customer data changed"),
        "{}",
        report.stderr
    );
    let page = std::fs::read_to_string(fx.path("r.html")).unwrap();
    assert!(page.contains("stands on a history replaced since"));

    for day in ["2026-08-31", "2026-09-30", "2026-10-31"] {
        fx.run(&["run", "--as-of", day]).assert_code(0);
    }
    for args in [&["history", "1"][..], &["changes", "--output", "since"]] {
        let out = fx.run(args);
        assert!(
            !out.stdout.contains("replaced since"),
            "{args:?}: {}",
            out.stdout
        );
    }
}

/// An extract cut short (3,000 customers last quarter, 299 now) was run as a shrinking
/// business, tiers recomputed over who was left, with only a -93% total to show for it:
/// `run` counts who is gone and says so when a tenth or more of the customers are.
#[test]
fn a_run_missing_many_of_the_previous_customers_says_so() {
    let fx = Fixture::new();
    let sales: Vec<f64> = (1..=30).map(f64::from).collect();
    fx.sales_customers(&sales);
    fx.rule(
        "rules.yaml",
        "decisions:\n  - name: tier\n    rules:\n      - { id: big, when: annual_sales >= 10, then: { tier: A } }\n      - { id: small, then: { tier: B } }\nsummary:\n  moves: { tier: [A, B] }\n",
    );
    fx.run(&["run", "--as-of", "2026-07-31"]).assert_code(0);
    fx.conn()
        .execute_batch("DELETE FROM customers WHERE annual_sales > 12")
        .unwrap();
    let run = fx.run(&["run", "--as-of", "2026-08-31"]);
    run.assert_code(0);
    assert!(
        run.stdout.contains(
            "note: 18 of 2026-07's 30 customers (60%) are not in this run's source (`13`, ...): if the customer data was cut short, run again once it is whole; population figures (ranks, percentiles) are over this run's 12 customers; `tierwise changes` lists them\n"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("  tier  0 up, 0 down, 12 same, 0 new, 18 gone\n"),
        "{}",
        run.stdout
    );
    let json: serde_json::Value = serde_json::from_str(
        &fx.run(&["run", "--as-of", "2026-08-31", "--format", "json"])
            .stdout,
    )
    .unwrap();
    assert_eq!(json["moves"]["tier"]["gone"], 18);
}

/// What `run` notes and writes anyway (a skipped period: the rules' `previous.x` NULL for
/// everyone, a limit-growth cap binding no one) exits 0, and a scheduler sees success.
/// `--strict` refuses such a run, writing nothing, and says why; a change of rules or a
/// correction of the period is no reason.
#[test]
fn strict_refuses_a_run_on_a_broken_history_and_writes_nothing() {
    let fx = Fixture::new();
    fx.sales_customers(&[10.0, 20.0, 30.0]);
    fx.rule("rules.yaml", SINCE);
    fx.run(&["run", "--strict", "--as-of", "2026-07-31"])
        .assert_code(0);
    // Again, for July: a correction is no reason.
    fx.run(&["run", "--strict", "--as-of", "2026-07-31"])
        .assert_code(0);
    // September, with August skipped.
    let september = fx.run(&["run", "--strict", "--as-of", "2026-09-30"]);
    september.assert_code(1);
    assert_eq!(
        september.stderr,
        "error: --strict: nothing was written, because 2026-08 has no run (the latest before it is 2026-07): \
         the rules' `previous.x` would be NULL for every customer; run without --strict to write it anyway \
         (its notes say what each means)\n"
    );
    assert_eq!(fx.runs().len(), 2);
    let json = fx.run(&[
        "run",
        "--strict",
        "--as-of",
        "2026-09-30",
        "--format",
        "json",
    ]);
    json.assert_code(1);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["error"]["kind"], "strict");
    assert_eq!(v["error"]["reasons"].as_array().unwrap().len(), 1);
    // Without --strict it is written, with its note.
    fx.run(&["run", "--as-of", "2026-09-30"]).assert_code(0);
    assert_eq!(fx.runs().len(), 3);
    // A correction of July with August and September after it is how a chain is mended:
    // no reason to refuse (it is not a backfill).
    fx.run(&["run", "--as-of", "2026-08-31"]).assert_code(0);
    fx.run(&["run", "--strict", "--as-of", "2026-07-31"])
        .assert_code(0);
}

/// `customer_policy_by_period`: each period's official run (its latest successful one), so
/// a BI tool grouping by period counts each customer once, not once per rerun; a failed run
/// is never official.
#[test]
fn the_by_period_view_holds_each_periods_official_run() {
    let fx = quarters();
    let conn = fx.conn();
    let rows: Vec<(String, i64, i64)> = conn
        .prepare(
            "SELECT period, run_id, COUNT(*) FROM customer_policy_by_period
             GROUP BY period, run_id ORDER BY period",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        rows,
        [("2026-Q1".to_owned(), 4, 4), ("2026-Q2".to_owned(), 3, 4)]
    );
    // The latest period's rows are the latest view's.
    let latest: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM customer_policy_latest l JOIN customer_policy_by_period b
             ON b.customer_id = l.customer_id AND b.period = l.period AND b.tier = l.tier
             AND b.rule_ids = l.rule_ids",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(latest, 4);
}

/// An output column that a later rule set added: comparing two runs whose rules did not give
/// it counted every customer as unchanged (NULL and NULL); now an error, and a note when
/// only one of the two gave it.
#[test]
fn changes_of_an_output_the_runs_did_not_give() {
    let fx = Fixture::new();
    fx.sales_customers(&[10.0, 20.0, 30.0]);
    let tier = "decisions:\n  - name: tier\n    rules:\n      - { id: any, then: { tier: A } }\n";
    let flag = "  - name: flag\n    rules:\n      - { id: big, when: annual_sales > 15, then: { flag: true } }\n      - { id: small, then: { flag: false } }\n";
    fx.rule("rules.yaml", tier);
    fx.run(&["run", "--as-of", "2026-07-31"]).assert_code(0);
    fx.rule("rules.yaml", &format!("{tier}{flag}"));
    fx.run(&["run", "--as-of", "2026-08-31"]).assert_code(0);
    fx.rule("rules.yaml", tier);
    fx.run(&["run", "--as-of", "2026-09-30"]).assert_code(0);
    let neither = fx.run(&[
        "changes", "--from", "2026-07", "--to", "2026-09", "--output", "flag",
    ]);
    neither.assert_code(2);
    neither.assert_stderr_contains(
        "--output: neither 2026-07's run (run 1) nor 2026-09's (run 3) gave `flag`: their rules had no such output",
    );
    let one = fx.run(&[
        "changes", "--from", "2026-07", "--to", "2026-08", "--output", "flag",
    ]);
    one.assert_code(0);
    assert!(
        one.stdout.contains(
            "note: 2026-07's run (run 1) gave no `flag` (its rules had no such output): it is NULL for every customer there\n"
        ),
        "{}",
        one.stdout
    );
}

/// A rerun of July that changed nothing (a scheduler rerunning last month every night):
/// every later month was said to stand on the old history, and `run --strict` refused them
/// all. The later months read the same outputs: nothing to run again; the rerun says it
/// holds the same outputs.
#[test]
fn a_rerun_that_changes_nothing_leaves_later_periods_standing() {
    let fx = Fixture::new();
    fx.sales_customers(&[10.0, 20.0, 30.0]);
    fx.rule("rules.yaml", SINCE);
    fx.rule("level.yaml", LEVEL);
    for day in ["2026-07-31", "2026-08-31", "2026-09-30"] {
        fx.run(&["run", "--as-of", day]).assert_code(0);
    }
    let rerun = fx.run(&["run", "--as-of", "2026-07-31"]);
    rerun.assert_code(0);
    assert!(
        rerun.stdout.contains(
            "note: replaces run 1 (as of 2026-07-31, 3 customers) as 2026-07's official run, with the same outputs for every customer\n"
        ),
        "{}",
        rerun.stdout
    );
    assert!(!rerun.stdout.contains("later periods"), "{}", rerun.stdout);
    let history = fx.run(&["history", "1"]);
    assert!(
        !history.stdout.contains("replaced since"),
        "{}",
        history.stdout
    );
    fx.run(&["run", "--strict", "--as-of", "2026-10-31"])
        .assert_code(0);
    // A correction that changes an output is one the later months stand on.
    fx.sales_customers(&[11.0, 20.0, 30.0]);
    let corrected = fx.run(&["run", "--as-of", "2026-07-31"]);
    // What the correction changed, against the run it replaces: whom to tell again.
    assert!(
        corrected.stdout.contains(
            "note: replaces run 4 (as of 2026-07-31, 3 customers) as 2026-07's official run (against it, this run changed level for 1 customer)\n"
        ),
        "{}",
        corrected.stdout
    );
    assert!(
        corrected.stdout.contains("note: later periods (2026-08, 2026-09, 2026-10) were run on the history before this run"),
        "{}",
        corrected.stdout
    );
    fx.run(&["run", "--strict", "--as-of", "2026-10-31"])
        .assert_code(1)
        .assert_stderr_contains("was made on a history replaced since");
}

/// A rerun of August that changed none of its outputs after July was corrected: September
/// read August, the same, but also July (`previous_2.x`), corrected. It stays to be run
/// again, and `--strict` refuses the next month.
#[test]
fn a_rerun_that_changes_nothing_leaves_periods_reading_further_back_stale() {
    let fx = Fixture::new();
    fx.sales_customers(&[10.0, 20.0]);
    let rules = |july: u32| {
        format!(
            "decisions:\n  - name: mark\n    output: mark\n    rules:\n\
             \x20     - {{ id: july, when: 'period == \"2026-07\"', value: {july} }}\n\
             \x20     - {{ id: other, value: 0 }}\n\
             \x20 - name: back\n    output: back\n    rules:\n\
             \x20     - {{ id: two, value: '= previous_2.mark ?? -1' }}\n\
             \x20 - name: last\n    output: last\n    rules:\n\
             \x20     - {{ id: one, value: '= previous.back ?? -1' }}\n"
        )
    };
    fx.rule("rules.yaml", &rules(1));
    for day in ["2026-07-31", "2026-08-31", "2026-09-30"] {
        fx.run(&["run", "--as-of", day]).assert_code(0);
    }
    fx.rule("rules.yaml", &rules(2));
    fx.run(&["run", "--as-of", "2026-07-31"]).assert_code(0);
    let august = fx.run(&["run", "--as-of", "2026-08-31"]);
    august.assert_code(0);
    assert!(
        august
            .stdout
            .contains("note: later periods (2026-09) were run on the history before this run"),
        "{}",
        august.stdout
    );
    let history = fx.run(&["history", "1"]);
    assert!(
        history
            .stdout
            .contains("2026-09's run (run 3) read 2026-08's run 2, replaced since by run 5"),
        "{}",
        history.stdout
    );
    fx.run(&["run", "--strict", "--as-of", "2026-10-31"])
        .assert_code(1)
        .assert_stderr_contains("was made on a history replaced since");
}

/// What a rerun changed against the run it replaces counts numbers as the rules' `==` has
/// them (`x * 0.3` and `x * 3 / 10` differ in binary only), and the customers added and
/// removed.
#[test]
fn what_a_rerun_changed_counts_numbers_as_equal_as_the_rules_do() {
    let fx = Fixture::new();
    fx.sales_customers(&[1213.84, 20.0, 30.0]);
    let rule = |formula: &str| {
        format!(
            "decisions:\n  - name: disc\n    output: disc\n    rules:\n      - {{ id: d, value: '= {formula}' }}\n"
        )
    };
    fx.rule("rules.yaml", &rule("annual_sales * 0.3"));
    fx.run(&["run", "--as-of", "2026-07-31"]).assert_code(0);
    fx.rule("rules.yaml", &rule("annual_sales * 3 / 10"));
    let rerun = fx.run(&["run", "--as-of", "2026-07-31"]);
    assert!(
        rerun
            .stdout
            .contains("as 2026-07's official run, with the same outputs for every customer\n"),
        "{}",
        rerun.stdout
    );
    fx.sales_customers(&[1213.84, 25.0, 30.0, 40.0]);
    let rerun = fx.run(&["run", "--as-of", "2026-07-31"]);
    assert!(
        rerun.stdout.contains(
            "(against it, this run changed disc for 1 customer, the customers: 1 new, 0 gone)"
        ),
        "{}",
        rerun.stdout
    );
}

/// A correction of a quarter already paid out said how many customers' rebate changed, not
/// how much money: the money totals it moves against the run it replaces, to the cent.
#[test]
fn a_rerun_says_what_it_moves_in_money_against_the_run_it_replaces() {
    let fx = Fixture::new();
    std::fs::write(
        fx.path("config.yaml"),
        "database: customers.db\ncustomers: { table: customers, id_column: customer_id }\nrules: rules\nperiod: quarter\ncurrency: EUR\n",
    )
    .unwrap();
    fx.sales_customers(&[1000.0, 2000.0, 3000.0]);
    fx.rule(
        "rules.yaml",
        "decisions:\n  - name: rebate\n    output: rebate\n    round: { nearest: 0.01 }\n    rules:\n      - { id: r, value: '= annual_sales * 0.015' }\nsummary:\n  totals:\n    rebate_paid: '= rebate'\n    customers_paid: '= if rebate > 0 { 1 } else { 0 }'\n  money: [rebate_paid]\n",
    );
    fx.run(&["run", "--as-of", "2026-06-30"]).assert_code(0);
    let same = fx.run(&["run", "--as-of", "2026-06-30"]);
    assert!(
        !same.stdout.contains("moves the money totals"),
        "{}",
        same.stdout
    );
    // Credit notes loaded late: 2,000 -> 1,230.
    fx.sales_customers(&[1000.0, 1230.0, 3000.0]);
    let rerun = fx.run(&["run", "--as-of", "2026-06-30"]);
    assert!(
        rerun.stdout.contains(
            "note: against run 2, which it replaces, this run moves the money totals: rebate_paid EUR 90.00 -> EUR 78.45 (-11.55)\n"
        ),
        "{}",
        rerun.stdout
    );
    // For programs, the same as fields (a sentence was all they had).
    fx.sales_customers(&[1000.0, 1230.0, 2500.0]);
    let json = fx.run(&["run", "--as-of", "2026-06-30", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let replaces = &json["replaces"];
    assert_eq!(replaces["run_id"], 3);
    assert_eq!(replaces["changed"], serde_json::json!({ "rebate": 1 }));
    assert_eq!(
        (replaces["new"].as_i64(), replaces["gone"].as_i64()),
        (Some(0), Some(0))
    );
    let paid = &replaces["totals"]["rebate_paid"];
    assert_eq!(
        (
            paid["before"].as_f64(),
            paid["now"].as_f64(),
            paid["money"].as_bool()
        ),
        (Some(78.45), Some(70.95), Some(true))
    );
    assert_eq!(paid["difference"].as_f64(), Some(-7.5));
    // A run of a period with no run before replaces nothing.
    let first = fx.run(&["run", "--as-of", "2026-09-30", "--format", "json"]);
    assert!(!first.stdout.contains("\"replaces\""), "{}", first.stdout);
}

/// An output added since the run replaced changed only for the customers it gives
/// something: a new write-off flag false for everyone read "this run changed
/// writeoff_review for 9,050 customers", where `diff` of the same change said 0.
#[test]
fn a_rerun_with_an_added_output_counts_only_the_customers_it_gives_something() {
    let fx = Fixture::new();
    fx.sales_customers(&[10.0, 20.0, 30.0]);
    let disc = "decisions:\n  - name: disc\n    output: disc\n    rules:\n      - { id: d, value: '= annual_sales * 0.1' }\n";
    fx.rule("rules.yaml", disc);
    fx.run(&["run", "--as-of", "2026-07-31"]).assert_code(0);
    fx.rule(
        "review.yaml",
        "decisions:\n  - name: review\n    output: review\n    rules:\n      - { id: big, when: annual_sales > 25, value: true }\n      - { id: no, value: false }\n",
    );
    let rerun = fx.run(&["run", "--as-of", "2026-07-31"]);
    assert!(
        rerun
            .stdout
            .contains("(against it, this run changed review for 1 customer)"),
        "{}",
        rerun.stdout
    );
}

/// An output the rules no longer give kept its column, NULL for every customer from the
/// run on (a routing tool read "no due date" for everyone), and the run said only that it
/// "changed" it: said as dropped.
#[test]
fn a_run_says_which_outputs_the_rules_no_longer_give() {
    let fx = Fixture::new();
    fx.sales_customers(&[10.0, 20.0]);
    fx.rule(
        "rules.yaml",
        "decisions:\n  - name: disc\n    output: disc\n    rules:\n      - { id: d, value: 1 }\n  - name: due\n    output: next_due\n    rules:\n      - { id: n, value: 2 }\n",
    );
    fx.run(&["run", "--as-of", "2026-07-31"]).assert_code(0);
    fx.rule(
        "rules.yaml",
        "decisions:\n  - name: disc\n    output: disc\n    rules:\n      - { id: d, value: 1 }\n",
    );
    let next = fx.run(&["run", "--as-of", "2026-08-31"]);
    next.assert_code(0);
    assert!(
        next.stdout.contains(
            "note: these rules no longer give `next_due` (run 1 gave it): its column stays in `customer_policy_latest`, NULL for every customer from this run on\n"
        ),
        "{}",
        next.stdout
    );
}

/// Runs of another kind of period sort among the months (2026-Q2 between 2026-04 and
/// 2026-05) and hid a stale month from the stale-history notes.
#[test]
fn stale_months_among_quarters_are_said() {
    let fx = Fixture::new();
    fx.sales_customers(&[10.0, 20.0, 30.0]);
    fx.rule("rules.yaml", SINCE);
    fx.rule("level.yaml", LEVEL);
    let monthly = std::fs::read_to_string(fx.path("config.yaml")).unwrap();
    fx.run(&["run", "--as-of", "2026-04-30"]).assert_code(0);
    fx.run(&["run", "--as-of", "2026-05-31"]).assert_code(0);
    std::fs::write(
        fx.path("config.yaml"),
        format!("{monthly}period: quarter\n"),
    )
    .unwrap();
    fx.run(&["run", "--as-of", "2026-06-30"]).assert_code(0);
    std::fs::write(fx.path("config.yaml"), &monthly).unwrap();
    fx.sales_customers(&[11.0, 20.0, 30.0]);
    fx.run(&["run", "--as-of", "2026-04-30"]).assert_code(0);
    let history = fx.run(&["history", "1"]);
    assert!(
        history
            .stdout
            .contains("note: 2026-05's run (run 2) read 2026-04's run 1, replaced since by run 4"),
        "{}",
        history.stdout
    );
}

/// A report of another day of the period than its recorded run's says so, not that the
/// data changed (the customers query reads `:as_of`).
#[test]
fn a_report_of_another_day_than_the_recorded_run_says_the_dates() {
    let fx = Fixture::new();
    fx.sales_customers(&[10.0, 20.0, 30.0]);
    fx.rule(
        "rules.yaml",
        "decisions:\n  - name: tier\n    rules:\n      - { id: any, then: { tier: A } }\nsummary:\n  moves: { tier: [A] }\n  totals:\n    sales: '= annual_sales'\n",
    );
    fx.run(&["run", "--as-of", "2026-09-30"]).assert_code(0);
    let report = fx.run(&["report", "--out", "r.html", "--as-of", "2026-09-15"]);
    report.assert_code(0);
    assert_eq!(
        report.stderr,
        "note: the page evaluates as of 2026-09-15; 2026-09's recorded run (run 1) is as of 2026-09-30: its figures may differ from the run's\n"
    );
}

/// A rule that reads the previous period: `since` is kept from it, else it is the date.
/// An output of the data, which a correction of the data changes.
const LEVEL: &str = "decisions:\n  - name: level\n    output: level\n    rules:\n      - { id: lvl, value: '= annual_sales' }\n";

const SINCE: &str = "decisions:\n  - name: since\n    rules:\n\
     \x20     - { id: kept, when: previous.since != (), then: { since: \"= previous.since\" } }\n\
     \x20     - { id: now, then: { since: \"= as_of\" } }\n";

/// A rule file split in two (nothing else changed) lists the fired rule ids in the order of
/// the new files: `explain` told an auditor, for every customer, that this was not what the
/// run recorded ("the rule ids differ"), though `diff` said nothing changed. The same ids
/// in another order are the same rule ids.
#[test]
fn explain_after_a_rule_file_is_split_holds_the_same_rule_ids() {
    let fx = Fixture::new();
    fx.sales_customers(&[10.0, 30.0]);
    let tier = "decisions:\n  - name: tier\n    rules:\n      - { id: big, when: annual_sales >= 25, then: { tier: A } }\n      - { id: small, then: { tier: B } }\n";
    let label = "  - name: label\n    output: label\n    rules: [ { id: lab, value: x } ]\n";
    fx.rule("rules.yaml", &format!("{tier}{label}"));
    fx.run(&["run", "--as-of", "2026-09-30"]).assert_code(0);
    std::fs::remove_file(fx.path("rules/rules.yaml")).unwrap();
    fx.rule("a_label.yaml", &format!("decisions:\n{label}"));
    fx.rule("b_tier.yaml", tier);
    let split = fx.run(&["explain", "2", "--as-of", "2026-09-30"]);
    // The files differ (their fingerprint says other rules, as it does to every reader of
    // the runs), but the outputs and the ids are the same.
    assert!(
        split.stdout.lines().nth(1).is_some_and(|l| l.starts_with(
            "recorded: 2026-09's recorded run (run 1, as of 2026-09-30) holds the same outputs and rule ids, though it was made with other rules ("
        )),
        "{}",
        split.stdout
    );
}

/// A recorded policy edited in the database by hand (a limit raised for a favoured
/// customer), or deleted, was blamed on "the customer data or the history it read" by
/// `explain`, though nothing the run was made from had changed: the auditor's finding. A
/// customer the run left out (`--keep-going`) is said to be left out, with the rule.
#[test]
fn explain_says_a_record_was_edited_or_deleted_after_the_run_wrote_it() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id INTEGER PRIMARY KEY, annual_sales REAL, visits INTEGER",
        &[
            vec![int(1), real(10.0), int(1)],
            vec![int(2), real(30.0), int(1)],
            vec![int(3), real(40.0), int(0)],
        ],
    );
    let rules = "decisions:\n  - name: tier\n    rules:\n      - { id: big, when: annual_sales >= 25 && 100 / visits > 0, then: { tier: A } }\n      - { id: small, then: { tier: B } }\n";
    fx.rule("rules.yaml", rules);
    fx.run(&["run", "--as-of", "2026-09-30", "--keep-going"])
        .assert_code(1);
    fx.conn()
        .execute_batch(
            "UPDATE customer_policy SET tier = 'A' WHERE customer_id = 1;
             DELETE FROM customer_policy WHERE customer_id = 2;",
        )
        .unwrap();
    let run = "2026-09's recorded run (run 1, as of 2026-09-30)";
    let line = |id: &str| {
        let out = fx.run(&["explain", id, "--as-of", "2026-09-30"]);
        let line = out.stdout.lines().nth(1).unwrap_or_default().to_owned();
        (line, out)
    };
    let (edited, out) = line("1");
    assert_eq!(
        edited,
        format!(
            "note: this is not what {run} recorded: tier A recorded, B here; it was made with these rules on this customer data as of this day, reading no history, so its record was changed after the run wrote it (edited in the database)"
        ),
        "{}",
        out.stdout
    );
    let json = fx.run(&["explain", "1", "--as-of", "2026-09-30", "--format", "json"]);
    assert!(
        json.stdout.contains("\"edited_since_written\": true"),
        "{}",
        json.stdout
    );
    let (deleted, out) = line("2");
    assert_eq!(
        deleted,
        format!(
            "note: {run} holds no policy for this customer, though it was made with these rules on this customer data as of this day: its row was deleted after the run wrote it"
        ),
        "{}",
        out.stdout
    );
    // Customer 3 failed then (no visits); with its visits corrected, `explain` works, and
    // says why the run holds nothing. The data changed, so nothing is said to be edited.
    fx.conn()
        .execute_batch("UPDATE customers SET visits = 2 WHERE customer_id = 3")
        .unwrap();
    let (left, out) = line("3");
    assert!(
        left.starts_with(&format!(
            "note: {run} holds no policy for this customer: it left it out, as rule `big` failed for it then ("
        )),
        "{}",
        out.stdout
    );
    let (edited, out) = line("1");
    assert!(
        edited
            .ends_with("the customer data changed since it was read (late postings, a correction)"),
        "{}",
        out.stdout
    );
}

/// A customers table re-imported in another order (an ERP export sorted otherwise) is the
/// same data: `explain` said "some customer's values changed since" of it. A run recorded
/// with the earlier fingerprint (hashed in row order) is not compared with.
#[test]
fn the_same_data_in_another_order_is_not_said_changed() {
    let fx = Fixture::new();
    fx.sales_customers(&[10.0, 30.0, 20.0]);
    let rules = "decisions:\n  - name: tier\n    rules:\n      - { id: big, when: annual_sales >= 25, then: { tier: A } }\n      - { id: small, then: { tier: B } }\n";
    fx.rule("rules.yaml", rules);
    fx.run(&["run", "--as-of", "2026-09-30"]).assert_code(0);
    fx.conn()
        .execute_batch(
            "CREATE TABLE sorted AS SELECT * FROM customers ORDER BY annual_sales DESC;
             DROP TABLE customers; ALTER TABLE sorted RENAME TO customers;",
        )
        .unwrap();
    let same = "recorded: 2026-09's recorded run (run 1, as of 2026-09-30) holds the same outputs and rule ids";
    let explained = fx.run(&["explain", "2", "--as-of", "2026-09-30"]);
    assert_eq!(
        explained.stdout.lines().nth(1),
        Some(same),
        "{}",
        explained.stdout
    );
    // A value changed is still said.
    fx.conn()
        .execute_batch("UPDATE customers SET annual_sales = 11 WHERE customer_id = 1")
        .unwrap();
    let changed = fx.run(&["explain", "2", "--as-of", "2026-09-30"]);
    assert!(
        (changed.stdout.lines().nth(1))
            .is_some_and(|l| l.starts_with(same) && l.len() > same.len()),
        "{}",
        changed.stdout
    );
    // Recorded before this fingerprint: no claim either way.
    fx.conn()
        .execute_batch("UPDATE policy_run SET data_fingerprint = '0123456789abcdef'")
        .unwrap();
    let older = fx.run(&["explain", "2", "--as-of", "2026-09-30"]);
    assert_eq!(older.stdout.lines().nth(1), Some(same), "{}", older.stdout);
}

/// `changes --from run:2 --to 2026-04`, run 2 being March's run a correction (run 3)
/// replaced: the note said "2026-03's run was run 3, which run 2 has replaced since" and
/// advised rerunning April, which changed nothing (the fiscal controller's F08).
#[test]
fn changes_from_a_replaced_run_says_it_was_replaced() {
    let fx = Fixture::new();
    fx.sales_customers(&[10.0, 30.0]);
    fx.rule(
        "rules.yaml",
        "decisions:\n  - name: tier\n    rules:\n      - { id: big, when: annual_sales >= 25, then: { tier: A } }\n      - { id: small, then: { tier: B } }\n",
    );
    fx.run(&["run", "--as-of", "2026-03-31"]).assert_code(0);
    fx.conn()
        .execute_batch("UPDATE customers SET annual_sales = 40 WHERE customer_id = 1")
        .unwrap();
    fx.run(&["run", "--as-of", "2026-03-31"]).assert_code(0);
    fx.run(&["run", "--as-of", "2026-04-30"]).assert_code(0);
    let changes = fx.run(&[
        "changes", "--output", "tier", "--from", "run:1", "--to", "2026-04",
    ]);
    changes.assert_code(0);
    assert!(
        changes.stderr.contains("note: run 1 is not 2026-03's official run: run 2 replaced it (as of 2026-03-31), so this compares with 2026-03 as it stood before that run")
            || changes.stdout.contains("note: run 1 is not 2026-03's official run: run 2 replaced it (as of 2026-03-31), so this compares with 2026-03 as it stood before that run"),
        "{}{}",
        changes.stdout,
        changes.stderr
    );
    let all = format!("{}{}", changes.stdout, changes.stderr);
    assert!(!all.contains("has replaced since"), "{all}");
}

/// Rules that read the same month a year back (`previous_12.x`): `prune --keep 12` deleted
/// the period the latest month reads, and its note spoke only of the period before the
/// oldest kept (the fiscal controller's F02). Each period further back that the latest
/// kept period's rules read, deleted now, is said, with the `--keep` that keeps it.
#[test]
fn prune_says_when_it_deletes_a_period_the_latest_reads_further_back() {
    let fx = Fixture::new();
    fx.sales_customers(&[10.0, 30.0]);
    fx.rule(
        "rules.yaml",
        "decisions:\n  - name: tier\n    rules:\n      - { id: t, then: { tier: A, sales_back: '= previous_3.sales_now', sales_now: '= annual_sales' } }\n",
    );
    for day in ["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30"] {
        fx.run(&["run", "--as-of", day]).assert_code(0);
    }
    let pruned = fx.run(&["prune", "--keep", "3", "--dry-run"]);
    pruned.assert_code(0);
    assert!(
        pruned.stdout.contains("note: the rules read 2026-01 (`previous_3.x`) of 2026-04, whose runs are deleted now: evaluated again (a correction, `explain --as-of`), 2026-04 reads NULL there for every customer (`--keep 4` would have kept them)"),
        "{}",
        pruned.stdout
    );
    let kept = fx.run(&["prune", "--keep", "4", "--dry-run"]);
    assert!(!kept.stdout.contains("previous_3"), "{}", kept.stdout);
}

/// A run dated 2036 by a mistyped year counted among the periods `prune --keep` kept, and
/// a real month was deleted for it, unsaid (the fiscal controller's F06).
#[test]
fn prune_notes_a_kept_run_dated_after_today() {
    let fx = Fixture::new();
    fx.sales_customers(&[10.0]);
    fx.rule(
        "rules.yaml",
        "decisions:\n  - name: tier\n    rules:\n      - { id: t, then: { tier: A } }\n",
    );
    for day in ["2026-01-31", "2026-02-28", "2036-03-31"] {
        fx.run(&["run", "--as-of", day]).assert_code(0);
    }
    let pruned = fx.run(&["prune", "--keep", "2", "--dry-run"]);
    pruned.assert_code(0);
    assert!(
        pruned.stdout.contains("note: 2036-03 (run 3) is dated 2036-03-31, after today, and counts among the 2 periods kept; if it was made by mistake, `tierwise prune --run 3` removes it, and a `--keep` after that keeps a real period in its place"),
        "{}",
        pruned.stdout
    );
}

/// A late January close after a run made early in February without `--as-of`: `--strict`
/// refused it as a backfill with "run without --strict" as the only way on; removing the
/// February run is the fix, and the refusal names it (the fiscal controller's F09).
#[test]
fn strict_refusing_a_backfill_names_the_later_run_to_remove() {
    let fx = Fixture::new();
    fx.sales_customers(&[10.0]);
    fx.rule(
        "rules.yaml",
        "decisions:\n  - name: tier\n    rules:\n      - { id: t, then: { tier: A } }\n",
    );
    fx.run(&["run", "--as-of", "2026-02-03"]).assert_code(0);
    let refused = fx.run(&["run", "--strict", "--as-of", "2026-01-31"]);
    refused.assert_code(1);
    refused.assert_stderr_contains("later periods have runs (2026-02 (run 1)): this would be a backfill; a later run made by mistake is removed first with `tierwise prune --run 1`");
    fx.run(&["prune", "--run", "1"]).assert_code(0);
    fx.run(&["run", "--strict", "--as-of", "2026-01-31"])
        .assert_code(0);
}

/// `tierwise run` on 3 December (no `--as-of`) made December's official run as of the 3rd,
/// and December was never closed: the January close read that run as December's result,
/// with no note, and `--strict` let it through (the fiscal controller's F04, helper 119).
#[test]
fn a_close_reading_a_previous_run_made_before_its_period_ended_says_so() {
    let fx = Fixture::new();
    fx.sales_customers(&[10.0, 30.0]);
    fx.rule(
        "rules.yaml",
        "decisions:\n  - name: tier\n    rules:\n      - { id: t, then: { tier: A, was: '= previous.tier' } }\n",
    );
    fx.run(&["run", "--as-of", "2025-12-03"]).assert_code(0);
    let said = "2025-12's official run (run 1) is as of 2025-12-03, before the period's last day: the rules' `previous.x` ";
    let strict = fx.run(&["run", "--strict", "--as-of", "2026-01-31"]);
    strict.assert_code(1);
    strict.assert_stderr_contains(&format!("{said}would read 2025-12 as it stood then; for its result, run it as of its last day first (`tierwise run --as-of 2025-12-31`)"));
    let run = fx.run(&["run", "--as-of", "2026-01-31"]);
    run.assert_code(0);
    assert!(
        run.stdout.contains(&format!("note: {said}read 2025-12")),
        "{}",
        run.stdout
    );
    // Closed on its last day, December is December's result: nothing said.
    fx.run(&["run", "--as-of", "2025-12-31"]).assert_code(0);
    let closed = fx.run(&["run", "--strict", "--as-of", "2026-01-31"]);
    closed.assert_code(0);
}

/// A preview made on 3 December `--as-of` the end of March stayed March's official run, and
/// the April close read it as March's result with no note (the second controller's F05,
/// helper 119): as of the period's last day, yet of the data as they stood months before.
#[test]
fn a_close_reading_a_previous_run_made_before_its_as_of_day_says_so() {
    let fx = Fixture::new();
    fx.sales_customers(&[10.0, 30.0]);
    fx.rule(
        "rules.yaml",
        "decisions:\n  - name: tier\n    rules:\n      - { id: t, then: { tier: A, was: '= previous.tier' } }\n",
    );
    fx.run(&["run", "--as-of", "2026-03-31"]).assert_code(0);
    // Made on 3 December, before its day (a clock cannot be set from here).
    fx.conn()
        .execute(
            "UPDATE policy_run SET started_at = '2025-12-03T09:15:00.000Z' WHERE run_id = 1",
            [],
        )
        .unwrap();
    let said = "2026-03's official run (run 1) was made on 2025-12-03, before its as-of day 2026-03-31: the rules' `previous.x` ";
    let strict = fx.run(&["run", "--strict", "--as-of", "2026-04-30"]);
    strict.assert_code(1);
    strict.assert_stderr_contains(&format!("{said}would read 2026-03 from the customer data as they stood on 2025-12-03; for its result, run it again once the data reach 2026-03-31 (`tierwise run --as-of 2026-03-31`)"));
    let run = fx.run(&["run", "--as-of", "2026-04-30"]);
    run.assert_code(0);
    assert!(
        run.stdout
            .contains(&format!("note: {said}read 2026-03 from")),
        "{}",
        run.stdout
    );
    // Made again after its day, March is March's result: nothing said.
    fx.run(&["run", "--as-of", "2026-03-31"]).assert_code(0);
    fx.run(&["run", "--strict", "--as-of", "2026-04-30"])
        .assert_code(0);
}

/// A month restated after the rules changed (a credit note on one customer, the expired
/// threshold row removed since): the rerun applied today's rules to the month and moved
/// other customers too, its notes saying only what changed (the fiscal controller's F07).
#[test]
fn a_rerun_made_with_other_rules_than_the_run_it_replaces_says_so() {
    let fx = Fixture::new();
    fx.sales_customers(&[10.0, 30.0]);
    let rules = |cut: u32| {
        format!(
            "decisions:\n  - name: tier\n    rules:\n      - {{ id: big, when: annual_sales >= {cut}, then: {{ tier: A }} }}\n      - {{ id: small, then: {{ tier: B }} }}\n"
        )
    };
    fx.rule("rules.yaml", &rules(25));
    let first = fx.run(&["run", "--as-of", "2026-02-28"]);
    first.assert_code(0);
    // Same rules again: nothing said of the rules.
    let again = fx.run(&["run", "--as-of", "2026-02-28"]);
    assert!(
        !again.stdout.contains("made with other rules"),
        "{}",
        again.stdout
    );
    fx.rule("rules.yaml", &rules(35));
    let restated = fx.run(&["run", "--as-of", "2026-02-28"]);
    restated.assert_code(0);
    assert!(
        restated
            .stdout
            .contains("note: run 2, which this run replaces, was made with other rules (")
            && restated
                .stdout
                .contains("what changed against it is the rules' doing as well as the data's"),
        "{}",
        restated.stdout
    );
}

/// A month restated with the rules it was first made with: `run --rules-at REV` reads
/// them from git (the note said to make a worktree and point `--rules` at it), and the run
/// records that revision.
#[test]
fn a_month_is_restated_with_the_rules_of_a_revision() {
    let fx = Fixture::new();
    fx.sales_customers(&[10.0, 30.0]);
    let rules = |cut: u32| {
        format!(
            "decisions:\n  - name: tier\n    rules:\n      - {{ id: big, when: annual_sales >= {cut}, then: {{ tier: A }} }}\n      - {{ id: small, then: {{ tier: B }} }}\n"
        )
    };
    fx.rule("rules.yaml", &rules(25));
    fx.git(&["init", "-q"]);
    fx.git(&["add", "rules"]);
    fx.git(&["commit", "-q", "-m", "cut 25"]);
    fx.run(&["run", "--as-of", "2026-02-28"]).assert_code(0);
    fx.rule("rules.yaml", &rules(35));
    fx.git(&["commit", "-q", "-am", "cut 35"]);
    fx.run(&["run", "--as-of", "2026-03-31"]).assert_code(0);
    // With today's rules, the note names the revision to restate with.
    let today = fx.run(&["run", "--as-of", "2026-02-28"]);
    today.assert_code(0);
    let first: String = fx
        .conn()
        .query_row(
            "SELECT rules_revision FROM policy_run WHERE run_id = 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let short = &first[..12];
    assert!(
        today.stdout.contains(&format!(
            "; to restate with those, run with them: `tierwise run --as-of 2026-02-28 --rules-at {short}`"
        )),
        "{}",
        today.stdout
    );
    assert_eq!(column(&fx.policies_of(3), "tier")["2"], text("B"));
    let restated = fx.run(&["run", "--as-of", "2026-02-28", "--rules-at", short]);
    restated.assert_code(0);
    assert!(
        restated
            .stdout
            .contains("note: run 3, which this run replaces, was made with other rules ("),
        "{}",
        restated.stdout
    );
    let (revision, dir): (String, String) = fx
        .conn()
        .query_row(
            "SELECT rules_revision, rules_dir FROM policy_run WHERE run_id = 4",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(column(&fx.policies_of(4), "tier")["2"], text("A"));
    assert_eq!(revision, first);
    assert_eq!(dir, format!("{short}:rules/"));
    fx.run(&["run", "--rules-at", "nonsense"])
        .assert_code(2)
        .assert_stderr_contains("--rules-at: ");
}

/// An audit reproduces a recorded decision with `explain`: it says whether the period's
/// recorded run holds the same outputs and rule ids for the customer, and when not, which
/// differ and the likely reason (late data, other rules); it explained something else
/// without a word.
#[test]
fn explain_compares_with_what_the_period_recorded() {
    let fx = Fixture::new();
    fx.sales_customers(&[10.0, 20.0, 30.0]);
    let rules = "decisions:\n  - name: tier\n    rules:\n      - { id: big, when: annual_sales >= 25, then: { tier: A } }\n      - { id: small, then: { tier: B } }\n";
    fx.rule("rules.yaml", rules);
    fx.run(&["run", "--as-of", "2026-09-30"]).assert_code(0);
    let same = fx.run(&["explain", "2", "--as-of", "2026-09-30"]);
    assert!(
        same.stdout.lines().nth(1)
            == Some(
                "recorded: 2026-09's recorded run (run 1, as of 2026-09-30) holds the same outputs and rule ids"
            ),
        "{}",
        same.stdout
    );
    // A late posting: customer 2 now sells 40.
    fx.conn()
        .execute_batch("UPDATE customers SET annual_sales = 40 WHERE customer_id = 2")
        .unwrap();
    let late = fx.run(&["explain", "2", "--as-of", "2026-09-30"]);
    assert_eq!(
        late.stdout.lines().nth(1),
        Some(
            "note: this is not what 2026-09's recorded run (run 1, as of 2026-09-30) recorded: tier B recorded, A here; the rule ids differ; the customer data changed since it was read (late postings, a correction)"
        ),
        "{}",
        late.stdout
    );
    // Explained on another day of the period: the run's day is the way to compare.
    let day = fx.run(&["explain", "2", "--as-of", "2026-09-15"]);
    assert_eq!(
        day.stdout.lines().nth(1),
        Some(
            "note: this is not what 2026-09's recorded run (run 1, as of 2026-09-30) recorded: tier B recorded, A here; the rule ids differ; it was made as of 2026-09-30, this explanation is as of 2026-09-15: `--as-of 2026-09-30` explains the customer as of the run's day (what differs then is the data or the history)"
        ),
        "{}",
        day.stdout
    );
    let json: serde_json::Value = serde_json::from_str(
        &fx.run(&["explain", "2", "--as-of", "2026-09-30", "--format", "json"])
            .stdout,
    )
    .unwrap();
    assert_eq!(
        json["recorded"]["differences"],
        serde_json::json!([{"output": "tier", "recorded": "B", "explained": "A"}])
    );
    assert_eq!(json["recorded"]["rule_ids"], serde_json::json!(["small"]));
    assert!(json["recorded"].get("made_by_other_tierwise").is_none());
    // Made by another tierwise (an upgrade since): named as a cause beside the data, and a
    // run of a tierwise that did not record itself is an older one.
    let version = |v: Option<&str>| {
        fx.conn()
            .execute("UPDATE policy_run SET tierwise_version = ?1", [v])
            .unwrap();
        let run = fx.run(&["explain", "2", "--as-of", "2026-09-30"]);
        run.stdout.lines().nth(1).unwrap_or_default().to_owned()
    };
    let ours = env!("CARGO_PKG_VERSION");
    assert!(
        version(Some("0.1.0")).ends_with(&format!(
            "the rule ids differ; it was made by tierwise 0.1.0 (this is {ours}), which evaluates some rules otherwise (README, \"Upgrading\"), or the customer data or the history it read changed since"
        )),
        "{}",
        version(Some("0.1.0"))
    );
    assert!(version(None).contains(
        "it was made by a tierwise that did not record its version (older than 0.1.0) (this is"
    ));
    version(Some(ours));
    // Other rules than the run's: said, and `--rules-at` explains with the run's rules (a
    // git revision, or a directory of them), named as the revision when they fail to load.
    let fingerprint: String = (fx.conn())
        .query_row(
            "SELECT fingerprint FROM policy_run WHERE run_id = 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    fx.git(&["init", "-q"]);
    fx.git(&["add", "rules"]);
    fx.git(&["commit", "-q", "-m", "the rules of the September run"]);
    fx.rule("rules.yaml", &rules.replace(">= 25", ">= 50"));
    let other = fx.run(&["explain", "3", "--as-of", "2026-09-30"]);
    assert!(
        other
            .stdout
            .lines()
            .nth(1)
            .is_some_and(|l| l.contains("tier A recorded, B here")
                && l.ends_with(&format!(
                    "; it was made with other rules ({fingerprint}): `--rules-at <git revision or directory>` explains with those rules"
                ))),
        "{}",
        other.stdout
    );
    // Explained with other rules than the run's given by `--rules-at`: said so.
    let dir = fx.run(&[
        "explain",
        "3",
        "--as-of",
        "2026-09-30",
        "--rules-at",
        "rules",
    ]);
    assert!(
        dir.stdout
            .lines()
            .nth(1)
            .is_some_and(|l| l.contains(&format!(
                "; it was made with other rules ({fingerprint}) than those of `rules/` ("
            ))),
        "{}",
        dir.stdout
    );
    let at = fx.run(&[
        "explain",
        "3",
        "--as-of",
        "2026-09-30",
        "--rules-at",
        "HEAD",
    ]);
    at.assert_code(0);
    // Customer 2's late posting is still in the data.
    assert_eq!(
        at.stdout.lines().nth(1),
        Some(
            "recorded: 2026-09's recorded run (run 1, as of 2026-09-30) holds the same outputs and rule ids; the customer data is not all the data it read (some customer's values changed since), so the fields shown are today's and may not be the run's"
        ),
        "{}",
        at.stdout
    );
    // The wrong version of the rules, which gives this customer the same: still said.
    let wrong = fx.run(&["explain", "1", "--as-of", "2026-09-30"]);
    assert!(
        wrong.stdout.lines().nth(1).is_some_and(|l| l.ends_with(&format!(
            "holds the same outputs and rule ids, though it was made with other rules ({fingerprint}), which give this customer the same"
        ))),
        "{}",
        wrong.stdout
    );
    fx.rule(
        "rules.yaml",
        &rules.replace("annual_sales >= 25", "anual_sales >= 25"),
    );
    fx.git(&["commit", "-q", "-am", "a typo"]);
    let broken = fx.run(&["explain", "3", "--rules-at", "HEAD"]);
    broken.assert_code(2);
    broken.assert_stderr_contains("--> HEAD:rules/rules.yaml:");
    fx.run(&["explain", "3", "--rules-at", "no-such-rev"])
        .assert_code(2)
        .assert_stderr_contains("--rules-at: `no-such-rev` is neither a directory nor a revision");
    fx.run(&["explain", "3", "--rules-at", "HEAD", "--rules", "rules"])
        .assert_code(2)
        .assert_stderr_contains("cannot be used with");
}

/// `explain` without `--as-of` explains today's period: when the runs never reached it,
/// what the rules read of earlier periods is NULL and the answer differs from the latest
/// run's without a word. It names the latest recorded run and how to explain as of it.
/// Explained as of the day of a run a rerun later in the period replaced (an auditor asking
/// what a customer got on the 15th): compared with that day's run, named as replaced, not
/// with the official run of another day ("not what run 2 recorded").
#[test]
fn explain_as_of_a_replaced_runs_day_compares_with_that_run() {
    let fx = Fixture::new();
    fx.sales_customers(&[10.0, 20.0, 30.0]);
    let rules = "decisions:\n  - name: tier\n    rules:\n      - { id: big, when: annual_sales >= 25, then: { tier: A } }\n      - { id: small, then: { tier: B } }\n";
    fx.rule("rules.yaml", rules);
    fx.run(&["run", "--as-of", "2026-09-15"]).assert_code(0);
    let set = |sales: f64| {
        fx.conn()
            .execute(
                "UPDATE customers SET annual_sales = ?1 WHERE customer_id = 2",
                [sales],
            )
            .unwrap();
    };
    set(40.0);
    fx.run(&["run", "--as-of", "2026-09-30"]).assert_code(0);
    set(20.0);
    let second_line = |as_of: &str| {
        let run = fx.run(&["explain", "2", "--as-of", as_of]);
        run.assert_code(0);
        run.stdout.lines().nth(1).unwrap_or_default().to_owned()
    };
    assert_eq!(
        second_line("2026-09-15"),
        "recorded: 2026-09's run 1 as of 2026-09-15 (replaced since by run 2, as of 2026-09-30, the period's official run) holds the same outputs and rule ids"
    );
    assert_eq!(
        second_line("2026-09-30"),
        "note: this is not what 2026-09's recorded run (run 2, as of 2026-09-30) recorded: tier A recorded, B here; the rule ids differ; the customer data changed since it was read (late postings, a correction)"
    );
    // Another day of the period, with no run of its own: the official run, as before.
    assert!(
        second_line("2026-09-20").contains("it was made as of 2026-09-30"),
        "{}",
        second_line("2026-09-20")
    );
    let json: serde_json::Value = serde_json::from_str(
        &fx.run(&["explain", "2", "--as-of", "2026-09-15", "--format", "json"])
            .stdout,
    )
    .unwrap();
    assert_eq!(json["recorded"]["run_id"], 1);
    assert_eq!(
        json["recorded"]["replaced_by"],
        serde_json::json!({"period": "2026-09", "run_id": 2, "as_of": "2026-09-30"})
    );
}

#[test]
fn explain_of_a_period_without_a_run_names_the_latest_run() {
    let fx = Fixture::new();
    fx.sales_customers(&[10.0, 20.0, 30.0]);
    fx.rule(
        "rules.yaml",
        "decisions:\n  - name: tier\n    rules:\n      - { id: big, when: annual_sales >= 25, then: { tier: A } }\n      - { id: small, then: { tier: B } }\n",
    );
    fx.run(&["run", "--as-of", "2026-07-31"]).assert_code(0);
    let later = fx.run(&["explain", "3", "--as-of", "2026-09-30"]);
    later.assert_code(0);
    assert_eq!(
        later.stdout.lines().nth(1),
        Some(
            "note: 2026-09 has no recorded run (what the rules read of earlier periods may be NULL); the latest is 2026-07's (run 1, as of 2026-07-31): `--as-of 2026-07-31` explains the customer as of it"
        ),
        "{}",
        later.stdout
    );
    let json: serde_json::Value = serde_json::from_str(
        &fx.run(&["explain", "3", "--as-of", "2026-09-30", "--format", "json"])
            .stdout,
    )
    .unwrap();
    assert_eq!(
        json["latest_run"],
        serde_json::json!({"period": "2026-07", "run_id": 1, "as_of": "2026-07-31"})
    );
}

/// `explain` compared only the decisions' own outputs with the record: a `capped_by`
/// output and the `held.x` counts the run stores were "NULL here", and every customer a cap
/// bound, or whose rules read `held.x`, was said to differ because the data changed.
#[test]
fn explain_compares_capped_by_and_held_counts_as_run_writes_them() {
    let fx = Fixture::new();
    fx.sales_customers(&[10.0, 20.0, 30.0]);
    fx.rule(
        "rules.yaml",
        "decisions:\n  - name: tier\n    rules:\n      - { id: big, when: annual_sales >= 25, then: { tier: A } }\n      - { id: small, then: { tier: B } }\n  - name: steady\n    output: steady\n    rules:\n      - { id: steady, value: '= held.tier' }\n  - name: discount\n    output: discount\n    capped_by: discount_capped_by\n    caps:\n      - { id: at-most-25, max: 25 }\n    rules:\n      - { id: wanted, value: '= annual_sales' }\n",
    );
    for day in ["2026-07-31", "2026-08-31"] {
        fx.run(&["run", "--as-of", day]).assert_code(0);
    }
    // Customer 3 is capped (30 -> 25); customer 1 is not.
    for customer in ["1", "3"] {
        let explained = fx.run(&["explain", customer, "--as-of", "2026-08-31"]);
        assert_eq!(
            explained.stdout.lines().nth(1),
            Some(
                "recorded: 2026-08's recorded run (run 2, as of 2026-08-31) holds the same outputs and rule ids"
            ),
            "{}",
            explained.stdout
        );
    }
    let json: serde_json::Value = serde_json::from_str(
        &fx.run(&["explain", "3", "--as-of", "2026-08-31", "--format", "json"])
            .stdout,
    )
    .unwrap();
    let outputs = &json["outputs"];
    assert_eq!(
        outputs,
        &serde_json::json!([
            {"name": "tier", "value": "A"},
            {"name": "steady", "value": 1},
            {"name": "discount", "value": 25.0},
            {"name": "discount_capped_by", "value": "at-most-25"},
            {"name": "held.tier", "value": 2}
        ]),
        "{json}"
    );
}

/// `prune --keep` deletes the superseded runs of the periods it keeps: what a later run read
/// is then gone from the records, and the notes said it "read no run" of that period. A run
/// made before the period's run in force is still said; one made after it is not claimed.
#[test]
fn stale_notes_after_a_prune_claim_only_what_the_records_show() {
    let fx = Fixture::new();
    fx.sales_customers(&[10.0, 20.0, 30.0]);
    fx.rule("rules.yaml", SINCE);
    // Run 2 is August as of the 30th (a close restated since is kept by prune).
    for day in ["2026-07-31", "2026-08-30", "2026-09-30", "2026-08-31"] {
        fx.run(&["run", "--as-of", day]).assert_code(0);
    }
    // Run 3 (September) read run 2, which run 4 replaced; prune deletes runs 1 and 2. The
    // oldest period kept, August, read July: no longer reproducible, and said so.
    let prune = fx.run(&["prune", "--keep", "2"]);
    prune.assert_code(0);
    assert!(
        prune.stdout.contains(
            "note: 2026-08's run read 2026-07 as its history, whose runs are deleted now: 2026-08 evaluated again (`explain --as-of`, a rerun) reads no history, so what its run recorded no longer reproduces where the rules read `previous.x` (`--keep 3` would have kept that history)\n"
        ),
        "{}",
        prune.stdout
    );
    let history = fx.run(&["history", "1"]);
    assert!(
        history.stdout.contains(
            "note: 2026-09's run (run 3) read no run of 2026-08 the records hold (runs made before it were pruned), replaced since by run 4"
        ),
        "{}",
        history.stdout
    );
    // Not the bare claim that it read no run of August.
    assert!(
        !history.stdout.contains("read no run of 2026-08, "),
        "{}",
        history.stdout
    );
    let changes = fx.run(&["changes", "--output", "since"]);
    assert!(
        changes
            .stdout
            .contains("was made before run 4 and with no run of 2026-08 the records hold (runs made before it were pruned)"),
        "{}",
        changes.stdout
    );
    // Once September is run again, nothing is said.
    fx.run(&["run", "--as-of", "2026-09-30"]).assert_code(0);
    let history = fx.run(&["history", "1"]);
    assert!(
        !history.stdout.contains("were pruned"),
        "{}",
        history.stdout
    );
}

/// A run as of a day before its period's end looked like the closed period's, and an alert
/// was cut mid-sentence, its figures lost: the days are shown when one is not the period's
/// end, and values cut in the table are given whole below it.
#[test]
fn history_shows_a_run_before_its_periods_end_and_long_values_whole() {
    let fx = Fixture::new();
    fx.sales_customers(&[50.0, 1500.0]);
    fx.rule(
        "rules.yaml",
        "decisions:\n  - name: alert\n    output: alert\n    rules:\n      - { id: alert-big, when: annual_sales > 1000, value: '= `key account: sales of the last 3 months down 42% on a year ago (${annual_sales})`' }\n      - { id: alert-none, value: '' }\n",
    );
    fx.run_ok(&["--as-of", "2026-09-30"]);
    fx.run_ok(&["--as-of", "2026-11-15"]);
    let run = fx.run(&["history", "2"]);
    run.assert_code(0);
    assert!(
        run.stdout.contains("\n  as of  2026-09-30"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("2026-11-15\n"), "{}", run.stdout);
    assert!(
        run.stdout.contains("\nin full:\n  alert in 2026-09: key account: sales of the last 3 months down 42% on a year ago (1500.0)\n"),
        "{}",
        run.stdout
    );
}

/// `--outputs "tier, bonus"` (a list as written) was refused for the space.
#[test]
fn history_outputs_may_be_listed_with_spaces() {
    let fx = quarters();
    let spaced = fx.run(&["history", "1", "--outputs", "tier, bonus"]);
    spaced.assert_code(0);
    let plain = fx.run(&["history", "1", "--outputs", "tier,bonus"]);
    assert_eq!(spaced.stdout, plain.stdout);
}

/// After a change of `period:`, months and a quarter run as of the same day: the latest view
/// shows the quarter (the longest, whichever ran last), both views say each period's kind,
/// and `history` orders periods by their end, compares each period's rules with the period
/// before of its kind, and shows one kind alone with `--kind`.
#[test]
fn periods_of_two_kinds_read_in_order_of_their_end_and_one_kind_alone() {
    let fx = Fixture::new();
    fx.rule("rules.yaml", RULES);
    run_dated(&fx, &[10.0, 60.0, 120.0, 90.0], "2025-05-31", "2025-05");
    run_dated(&fx, &[10.0, 60.0, 120.0, 90.0], "2025-06-30", "2025-06");
    run_dated(&fx, &[120.0, 60.0, 120.0, 90.0], "2025-06-30", "2025-Q2");
    // Late credit notes: June again, after the quarter.
    run_dated(&fx, &[60.0, 60.0, 120.0, 90.0], "2025-06-30", "2025-06");
    let conn = fx.conn();
    let latest: (String, String, String) = conn
        .query_row(
            "SELECT period, period_kind, tier FROM customer_policy_latest WHERE customer_id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(latest, ("2025-Q2".into(), "quarter".into(), "A".into()));
    let mut stmt = conn
        .prepare(
            "SELECT period, period_kind, run_id, tier FROM customer_policy_by_period
             WHERE customer_id = 1 ORDER BY run_id",
        )
        .unwrap();
    let by_period: Vec<(String, String, i64, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        by_period,
        [
            ("2025-05".into(), "month".into(), 1, "C".into()),
            ("2025-Q2".into(), "quarter".into(), 3, "A".into()),
            ("2025-06".into(), "month".into(), 4, "B".into()),
        ]
    );

    let all = fx.run(&["history", "1", "--outputs", "tier", "--format", "json"]);
    all.assert_code(0);
    let all = json(&all);
    let periods: Vec<(&str, &serde_json::Value)> = (all["periods"].as_array().unwrap().iter())
        .map(|p| (p["period"].as_str().unwrap(), &p["rules_added"]))
        .collect();
    assert_eq!(
        periods,
        [
            ("2025-05", &serde_json::json!(["tier-c", "bonus-none"])),
            ("2025-06", &serde_json::json!(["tier-b"])),
            // The first quarter: its rules are all new, not changes from June's.
            ("2025-Q2", &serde_json::json!(["tier-a", "bonus-a"])),
        ]
    );
    assert_eq!(
        all["notes"][0],
        "the periods are of 2 kinds (2 months 2025-05 to 2025-06, a quarter 2025-Q2), after a change of `period:`: rule changes are from the period before of the same kind; `--kind month` or `--kind quarter` shows one kind alone"
    );
    let months = fx.run(&["history", "1", "--outputs", "tier", "--kind", "month"]);
    months.assert_code(0);
    assert!(
        months.stdout.contains("2025-05") && !months.stdout.contains("2025-Q2"),
        "{}",
        months.stdout
    );
    assert!(!months.stdout.contains("kinds"), "{}", months.stdout);
    // The first quarter's rules are listed as the first period's are, not as all added.
    let text = fx.run(&["history", "1", "--outputs", "tier"]);
    assert!(
        text.stdout
            .contains("  2025-06  +tier-b -tier-c\n  2025-Q2  tier-a, bonus-a\n"),
        "{}",
        text.stdout
    );
    fx.run(&["history", "1", "--kind", "year"])
        .assert_code(2)
        .assert_stderr_contains(
            "--kind year: customer `1` has no year with a run; it has 2 months 2025-05 to 2025-06, a quarter 2025-Q2",
        );
    fx.run(&["history", "9", "--kind", "year"])
        .assert_code(2)
        .assert_stderr_contains("customer `9` is in no official run");
    // `changes` reads the latest period as the view does: the quarter, and no quarter before.
    let changes = fx.run(&["changes", "--output", "tier"]);
    changes.assert_code(0);
    assert!(
        changes.stdout.contains("2025-Q2 (run 3) is the first quarter with a run: nothing of its kind to compare with yet (`--from 2025-06`"),
        "{}",
        changes.stdout
    );
}

/// A true/false output compared with a run recorded before runs recorded their outputs'
/// types (an older tierwise: 1/0 in a column of no declared type): `changes` called every
/// customer changed (1 -> true); read as true/false on both sides, the moves are the
/// customers'.
#[test]
fn changes_of_a_true_false_output_read_a_run_of_an_older_tierwise_as_true_false() {
    let fx = Fixture::new();
    let rules = |yes: &str, no: &str| {
        format!(
            "decisions:\n  - name: vip\n    output: vip\n    rules:\n      - {{ id: vip, when: annual_sales >= 100, value: {yes} }}\n      - {{ id: not-vip, value: {no} }}\n"
        )
    };
    fx.rule("rules.yaml", &rules("1", "0"));
    run_dated(&fx, &[10.0, 60.0, 120.0, 150.0], "2026-03-31", "2026-Q1");
    fx.conn()
        .execute("UPDATE policy_run SET outputs = NULL WHERE run_id = 1", [])
        .unwrap();
    fx.rule("rules.yaml", &rules("true", "false"));
    run_dated(&fx, &[10.0, 160.0, 120.0, 50.0], "2026-06-30", "2026-Q2");
    let run = fx.run(&["changes", "--output", "vip", "--format", "json"]);
    run.assert_code(0);
    let json = json(&run);
    assert_eq!(
        (&json["unchanged"], &json["changed"]),
        (&serde_json::json!(2), &serde_json::json!(2)),
        "{json}"
    );
    // true/false in JSON, not "true"/"false" (which any program reads as true).
    assert_eq!(
        json["customers"][0],
        serde_json::json!({"customer_id": "2", "from": false, "to": true, "direction": "changed"})
    );
}

/// `run --strict` refuses to replace a period's official run with one as of an earlier day
/// (a scheduler's old daily task run again over the month-end run) or with a tenth of its
/// customers fewer (an extract cut short); a rerun as of the same day with the same
/// customers (a correction) is no reason.
#[test]
fn strict_refuses_to_replace_a_run_as_of_a_later_day_or_with_a_tenth_fewer_customers() {
    let fx = Fixture::new();
    fx.rule("rules.yaml", RULES);
    let sales: Vec<f64> = (0..100).map(f64::from).collect();
    fx.sales_customers(&sales);
    fx.run_ok(&["--as-of", "2026-06-30"]);
    fx.run(&["run", "--strict", "--as-of", "2026-06-15"])
        .assert_code(1)
        .assert_stderr_contains(
            "it would replace run 1, as of 2026-06-30, as 2026-06's official run with a run as of an earlier day (2026-06-15)",
        );
    fx.sales_customers(&sales[..85]);
    fx.run(&["run", "--strict", "--as-of", "2026-06-30"])
        .assert_code(1)
        .assert_stderr_contains(
            "it would replace run 1 (100 customers) as 2026-06's official run with 15 customers fewer",
        );
    assert_eq!(fx.latest_ok_run(), 1);
    fx.sales_customers(&sales[..95]);
    fx.run(&["run", "--strict", "--as-of", "2026-06-30"])
        .assert_code(0);
    // `--keep-going` leaving 20 of them out: refused too, on the customers it would write,
    // and not recorded (it wrote 80 as the official run).
    let runs = fx.runs().len();
    fx.rule(
        "rules.yaml",
        &RULES.replace(
            "      - { id: bonus-none, value: 0.5 }",
            "      - { id: bonus-fails, when: annual_sales < 20, value: '= 1 / 0' }
      - { id: bonus-none, value: 0.5 }",
        ),
    );
    fx.run(&["run", "--strict", "--keep-going", "--as-of", "2026-06-30"])
        .assert_code(1)
        .assert_stderr_contains(
            "it would replace run 2 (95 customers) as 2026-06's official run with 20 customers fewer",
        );
    assert_eq!(fx.runs().len(), runs);
    assert_eq!(fx.latest_ok_run(), 2);
}

/// `changes` without `--to` reads the latest period as `customer_policy_latest` does (the
/// latest day, then the longest period), not the period that ends last: after quarters (Q3
/// run as of July 15) and then months, July -> August, not Q2 -> Q3.
#[test]
fn changes_read_the_latest_period_as_the_view_does() {
    let fx = Fixture::new();
    fx.rule("rules.yaml", RULES);
    run_dated(&fx, &[10.0, 60.0, 120.0, 90.0], "2026-06-30", "2026-Q2");
    run_dated(&fx, &[10.0, 60.0, 120.0, 90.0], "2026-07-15", "2026-Q3");
    run_dated(&fx, &[10.0, 60.0, 120.0, 90.0], "2026-07-31", "2026-07");
    run_dated(&fx, &[120.0, 60.0, 120.0, 90.0], "2026-08-31", "2026-08");
    let view: String = fx
        .conn()
        .query_row(
            "SELECT DISTINCT period FROM customer_policy_latest",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(view, "2026-08");
    let run = fx.run(&["changes", "--output", "tier"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .starts_with("tier: 2026-07 (run 3) -> 2026-08 (run 4)\n"),
        "{}",
        run.stdout
    );
}

/// A CRM field holding a terminal's escape codes (`ESC[2J` clears the screen, `ESC]0;...`
/// retitles the window) or a line end with a fake row after it reached the terminal raw
/// in `history`, `changes`, `check --data` and a rule's error, where `explain` escaped it:
/// whoever types a customer's name could clear an admin's screen or forge a line of the
/// history an auditor reads. They are shown escaped, as `explain` does.
#[test]
fn escape_codes_and_line_ends_of_the_data_reach_no_terminal_raw() {
    let fx = Fixture::new();
    let evil_id = "C\u{1b}[2J\u{1b}]0;pwned\u{7}";
    let forged = "Acme\n  credit_block false   (approved by CFO)";
    fx.customers(
        "customer_id TEXT PRIMARY KEY, name TEXT, sales REAL",
        &[
            vec![text(evil_id), text(forged), real(0.0)],
            vec![text("C2"), text("Beta"), real(10.0)],
        ],
    );
    fx.rule(
        "rules.yaml",
        "decisions:\n  - name: label\n    output: label\n    rules: [ { id: lab, value: '= name' } ]\n  - name: share\n    output: share\n    rules: [ { id: per, value: '= 100 / sales' } ]\n",
    );
    let raw =
        |s: &str| s.contains('\u{1b}') || s.contains('\u{7}') || s.contains("\n  credit_block");
    let failed = fx.run(&["run", "--as-of", "2026-09-30"]);
    failed.assert_code(1);
    assert!(!raw(&failed.stderr), "{}", failed.stderr);
    assert!(
        failed
            .stderr
            .contains("customer C\\u{1b}[2J\\u{1b}]0;pwned\\u{7}: rule `per` failed"),
        "{}",
        failed.stderr
    );
    let check = fx.run(&["check", "--data", "--as-of", "2026-09-30"]);
    assert!(
        !raw(&check.stdout) && !raw(&check.stderr),
        "{}",
        check.stdout
    );
    fx.rule(
        "rules.yaml",
        "decisions:\n  - name: label\n    output: label\n    rules: [ { id: lab, value: '= name' } ]\n",
    );
    fx.run(&["run", "--as-of", "2026-09-30"]).assert_code(0);
    fx.conn()
        .execute(
            "UPDATE customers SET name = 'Acme' WHERE customer_id = ?1",
            [evil_id],
        )
        .unwrap();
    fx.run(&["run", "--as-of", "2026-12-31"]).assert_code(0);
    let history = fx.run(&["history", evil_id]);
    history.assert_code(0);
    assert!(!raw(&history.stdout), "{}", history.stdout);
    assert!(
        history.stdout.contains("Acme\\u{a}  credit_block false"),
        "{}",
        history.stdout
    );
    let changes = fx.run(&["changes", "--output", "label"]);
    changes.assert_code(0);
    assert!(!raw(&changes.stdout), "{}", changes.stdout);
}

/// `changes --format csv` wrote empty text and NULL alike as an empty field: a change from
/// '' to NULL read as one from nothing to nothing. Empty text is `""`, as `--out` writes it.
#[test]
fn changes_csv_tells_empty_text_from_null() {
    let fx = Fixture::new();
    fx.sales_customers(&[60.0]);
    fx.rule(
        "r.yaml",
        "decisions:\n  - name: n\n    output: note\n    rules:\n      - { id: n, value: '= if annual_sales > 50 { \"\" } else { () }' }\n",
    );
    fx.run(&["run", "--as-of", "2026-05-31"]).assert_code(0);
    fx.sales_customers(&[10.0]);
    fx.run(&["run", "--as-of", "2026-06-30"]).assert_code(0);
    let csv = fx.run(&["changes", "--output", "note", "--format", "csv"]);
    csv.assert_code(0);
    assert_eq!(
        csv.stdout,
        "customer_id,from,to,direction,difference\n1,\"\",,changed,\n"
    );
}

/// "No command compares two runs of one period" (a rerun after a data fix or a rule change,
/// before it is paid out): `changes --from run:1` compares the run a rerun replaced with the
/// period's official run, customer by customer, as SQL over the two runs has it.
#[test]
fn changes_compares_a_rerun_with_the_run_it_replaced() {
    let fx = Fixture::new();
    fx.sales_customers(&[10.0, 20.0, 30.0, 40.0, 50.0]);
    let rules = |threshold: &str| {
        format!(
            "decisions:\n  - name: tier\n    rules:\n      - {{ id: a, when: annual_sales >= {threshold}, then: {{ tier: A }} }}\n      - {{ id: b, then: {{ tier: B }} }}\n"
        )
    };
    fx.rule("t.yaml", &rules("40"));
    fx.run_ok(&["--as-of", "2026-03-31"]);
    fx.rule("t.yaml", &rules("20"));
    fx.run_ok(&["--as-of", "2026-03-31"]);
    let changes = fx.run(&[
        "changes", "--from", "run:1", "--output", "tier", "--order", "A,B", "--format", "json",
    ]);
    changes.assert_code(0);
    let json: serde_json::Value = serde_json::from_str(&changes.stdout).unwrap();
    assert_eq!(
        (
            json["from"]["run_id"].as_i64(),
            json["to"]["run_id"].as_i64()
        ),
        (Some(1), Some(2))
    );
    let moved: Vec<&str> = (json["customers"].as_array().unwrap().iter())
        .map(|m| m["customer_id"].as_str().unwrap())
        .collect();
    let by_sql: Vec<String> = fx
        .conn()
        .prepare("SELECT CAST(a.customer_id AS TEXT) FROM customer_policy a JOIN customer_policy b ON a.customer_id = b.customer_id WHERE a.run_id = 1 AND b.run_id = 2 AND a.tier IS NOT b.tier ORDER BY a.customer_id")
        .unwrap()
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(moved, by_sql);
    assert_eq!(moved, ["2", "3"]);
    assert!(
        json["notes"].to_string().contains("run 1 (as of 2026-03-31) and run 2 (as of 2026-03-31) are two runs of 2026-03: the changes are the rerun's, not a move from one period to the next; run 2 is its official run"),
        "{}",
        json["notes"]
    );
    // The later run first is refused, as a later period first is.
    fx.run(&["changes", "--from", "run:2", "--to", "run:1"])
        .assert_code(2)
        .assert_stderr_contains("--from run 2 is not before --to run 1");
}

/// `changes` showed empty text as an empty cell, beside NULL's `(none)`: a note cleared to
/// `""` read as nothing at all. It is `""`.
#[test]
fn changes_shows_empty_text_as_quotes() {
    let fx = Fixture::new();
    fx.sales_customers(&[10.0, 20.0]);
    let rules = |second: &str| {
        format!(
            "decisions:\n  - name: note\n    output: note\n    rules:\n      - {{ id: big, when: annual_sales > 15, value: '{second}' }}\n      - {{ id: small, value: \"x\" }}\n"
        )
    };
    fx.rule("n.yaml", &rules("= \"\""));
    fx.run_ok(&["--as-of", "2026-01-31"]);
    fx.rule("n.yaml", &rules("y"));
    fx.run_ok(&["--as-of", "2026-02-28"]);
    let changes = fx.run(&["changes", "--output", "note", "--order", "y,x"]);
    changes.assert_code(0);
    assert!(
        changes.stdout.contains("\n  \"\"    y   changed    1\n")
            && changes
                .stdout
                .contains("\n  2            \"\"    y   changed\n"),
        "{}",
        changes.stdout
    );
}

/// A run records the git commit of its rules folder, and the files edited since when there
/// are some (an audit names the rules each month was made with); `run` notes uncommitted
/// edits, and `explain` of a period made with other rules names the commit to explain with.
#[test]
fn a_run_records_the_rules_git_revision_and_its_uncommitted_edits() {
    let fx = Fixture::new();
    fx.sales_customers(&[10.0, 60.0, 120.0]);
    fx.rule("rules.yaml", RULES);
    let revision = |run_id: i64| -> Option<String> {
        fx.conn()
            .query_row(
                "SELECT rules_revision FROM policy_run WHERE run_id = ?1",
                [run_id],
                |r| r.get(0),
            )
            .unwrap()
    };
    fx.run_ok(&["--as-of", "2026-08-31"]);
    assert_eq!(revision(1), None, "outside a repository");
    fx.git(&["init", "-q"]);
    fx.git(&["add", "rules"]);
    fx.git(&["commit", "-q", "-m", "rules"]);
    let head = std::process::Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(fx.dir.path())
        .output()
        .unwrap();
    let head = String::from_utf8(head.stdout).unwrap().trim().to_owned();
    let clean = fx.run_ok(&["--as-of", "2026-09-30"]);
    assert_eq!(revision(2).as_deref(), Some(head.as_str()));
    assert!(!clean.stdout.contains("not committed"), "{}", clean.stdout);

    fx.rule("rules.yaml", &RULES.replace(">= 100", ">= 110"));
    fx.rule(
        "extra.yaml",
        "decisions:\n  - name: extra\n    rules:\n      - { id: x, then: { extra: 1 } }\n",
    );
    let edited = fx.run_ok(&["--as-of", "2026-09-30"]);
    assert_eq!(
        revision(3),
        Some(format!(
            "{head} with uncommitted edits: rules/extra.yaml, rules/rules.yaml"
        ))
    );
    assert!(
        edited.stdout.contains(&format!(
            "note: the rules have edits not committed to their git repository (rules/extra.yaml, rules/rules.yaml): the run records git {} with them",
            &head[..12]
        )),
        "{}",
        edited.stdout
    );

    // Back to the committed rules: September was made with other rules, at a commit only
    // in part; August's at none. Run 2's record (the commit alone) names it to explain with.
    std::fs::remove_file(fx.path("rules/extra.yaml")).unwrap();
    fx.rule("rules.yaml", RULES);
    fx.conn()
        .execute_batch("UPDATE policy_run SET status = 'removed' WHERE run_id = 3")
        .unwrap();
    fx.rule("rules.yaml", &RULES.replace(">= 50", ">= 65"));
    let explained = fx.run(&["explain", "2", "--as-of", "2026-09-30"]);
    let short = &head[..12];
    assert!(
        explained.stdout.contains(&format!(
            ", git {short}): `--rules-at {short}` explains with those rules"
        )),
        "{}",
        explained.stdout
    );
}

/// The customers query edited between two months (sales read ×1.10): the next run's
/// changes were the query's, and nothing said so (`changes`, `explain` blamed the
/// customers). The run notes it.
#[test]
fn a_run_notes_a_customers_query_edited_since_the_run_it_follows() {
    let fx = Fixture::new();
    fx.sales_customers(&[10.0, 60.0, 120.0]);
    fx.rule("rules.yaml", RULES);
    let query = |sql: &str| {
        std::fs::write(
            fx.path("config.yaml"),
            format!("database: customers.db\nrules: rules\nperiod: month\ncustomers:\n  id_column: customer_id\n  query: \"{sql}\"\n"),
        )
        .unwrap();
    };
    query("SELECT * FROM customers");
    fx.run_ok(&["--as-of", "2026-09-30"]);
    let same = fx.run_ok(&["--as-of", "2026-10-31"]);
    assert!(!same.stdout.contains("customers query"), "{}", same.stdout);
    query("SELECT customer_id, annual_sales * 1.1 AS annual_sales FROM customers");
    let edited = fx.run_ok(&["--as-of", "2026-11-30"]);
    assert!(
        edited.stdout.contains(
            "note: the config's customers query (or table) is not the one run 2, the run this run follows, read (`SELECT * FROM customers` then, `SELECT customer_id, annual_sales * 1.1 AS annual_sales FROM ...` now): what changed between them may be the query's, not the customers'"
        ),
        "{}",
        edited.stdout
    );
}

/// The data a run read is recorded as a fingerprint: `explain` of its period said "holds
/// the same outputs" above today's values as if the run had read them (an August order
/// corrected since), and `report` said nothing when the totals stayed. Both say it now;
/// with the data as it was, neither does.
#[test]
fn explain_and_report_say_the_data_is_not_what_the_run_read() {
    let fx = Fixture::new();
    fx.sales_customers(&[10.0, 20.0, 30.0]);
    let rules = "decisions:\n  - name: tier\n    rules:\n      - { id: big, when: annual_sales >= 25, then: { tier: A } }\n      - { id: small, then: { tier: B } }\n";
    fx.rule("rules.yaml", rules);
    fx.run(&["run", "--as-of", "2026-09-30"]).assert_code(0);
    let second_line = || {
        let run = fx.run(&["explain", "1", "--as-of", "2026-09-30"]);
        run.stdout.lines().nth(1).unwrap_or_default().to_owned()
    };
    let report = || {
        let run = fx.run(&["report", "--as-of", "2026-09-30", "--out", "r.html"]);
        run.assert_code(0);
        run.stderr
    };
    let same = "recorded: 2026-09's recorded run (run 1, as of 2026-09-30) holds the same outputs and rule ids";
    assert_eq!(second_line(), same);
    assert!(!report().contains("from other values"));
    let set = |sales: f64| {
        fx.conn()
            .execute(
                "UPDATE customers SET annual_sales = ?1 WHERE customer_id = 1",
                [sales],
            )
            .unwrap();
    };
    set(11.0);
    assert_eq!(
        second_line(),
        format!(
            "{same}; the customer data is not all the data it read (some customer's values changed since), so the fields shown are today's and may not be the run's"
        )
    );
    let page = report();
    assert!(
        page.contains("the customer data changed since 2026-09's recorded run (run 1, as of 2026-09-30, the same rules): the page evaluates the data as it is now (the same customers and totals, from other values: tiers, segments and alerts may differ)"),
        "{page}"
    );
    // A change of outcome: the data is named as the cause, not "the data or the history".
    set(40.0);
    assert!(
        second_line().ends_with(
            "; the customer data changed since it was read (late postings, a correction)"
        ),
        "{}",
        second_line()
    );
    set(10.0);
    assert_eq!(second_line(), same);
    let json: serde_json::Value = serde_json::from_str(
        &fx.run(&["explain", "1", "--as-of", "2026-09-30", "--format", "json"])
            .stdout,
    )
    .unwrap();
    assert_eq!(json["recorded"]["data_changed"], false);
}

/// The config's output tables renamed after three months of runs: the next run printed
/// "run 1" and "no earlier period has a run", every customer new, the old runs beside it
/// unsaid (the auditor's finding). The first run of a run table names the other one.
#[test]
fn the_first_run_in_renamed_tables_names_the_run_table_beside_it() {
    let fx = Fixture::new();
    fx.sales_customers(&[10.0, 60.0, 120.0]);
    fx.rule("rules.yaml", RULES);
    fx.run_ok(&["--as-of", "2026-09-30"]);
    fx.run_ok(&["--as-of", "2026-10-31"]);
    let config = std::fs::read_to_string(fx.path("config.yaml")).unwrap();
    std::fs::write(
        fx.path("config.yaml"),
        format!("{config}output: {{ policy_table: bank_policy, run_table: bank_run }}\n"),
    )
    .unwrap();
    let renamed = fx.run_ok(&["--as-of", "2026-11-30"]);
    assert!(
        renamed.stdout.contains("note: this is the first run in `bank_run`, and `policy_run` in this database holds 2 runs: if the config's output tables were renamed, this run starts a new history"),
        "{}",
        renamed.stdout
    );
    let next = fx.run_ok(&["--as-of", "2026-12-31"]);
    assert!(!next.stdout.contains("first run in"), "{}", next.stdout);
}
