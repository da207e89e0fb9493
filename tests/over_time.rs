//! The policy over time on the real binary, with the shipped rules: four quarters in a row
//! with tiers computed by hand (an upgrade at once, a downgrade damped and one step at a
//! time, a customer who skips a period), the moves a run prints, a rerun and a backfill of
//! a period, `history` and `changes`, and rules that gain an output in a later period.

mod common;

use common::*;
use std::collections::BTreeMap;

/// The columns the shipped rules read (those of the bundled config's query); every one but
/// the id and `annual_sales` is NULL here.
const COLUMNS: [&str; 27] = [
    "channel",
    "region",
    "orders_last_12m",
    "orders_prev_12m",
    "gross_margin_pct",
    "avg_unit_price",
    "on_time_payment_rate",
    "overdue_days",
    "overdue_amount",
    "quality_claims",
    "years_active",
    "repeat_purchase_rate",
    "credit_score",
    "industry_influence",
    "opened_day",
    "first_order_day",
    "last_order_day",
    "days_since_last_order",
    "sales_prev_12m",
    "sales_last_3m",
    "sales_last_3m_year_ago",
    "collection_rate",
    "gross_profit_12m",
    "gross_profit_prev_12m",
    "period_sales",
    "period_orders",
    "name",
];

/// Each quarter's customers, largest sales first: with ten customers the first two are A
/// (ranked above 80% of them), the next four B, the last four C.
const QUARTERS: [(&str, [&str; 10]); 4] = [
    (
        "2026-03-31",
        ["X", "Z", "F1", "F2", "F3", "F4", "Y", "F5", "F6", "F7"],
    ),
    (
        "2026-06-30",
        ["F1", "Y", "F2", "F3", "F4", "W", "F5", "X", "F6", "F7"],
    ),
    (
        "2026-09-30",
        ["F1", "F2", "F3", "Y", "F4", "F5", "X", "Z", "F6", "F7"],
    ),
    (
        "2026-12-31",
        ["Y", "F1", "F2", "F3", "F4", "F5", "X", "Z", "F6", "F7"],
    ),
];

/// A project whose customers come from a table of sales by evaluation date, through a
/// query bound to `:as_of`, evaluated by a copy of the shipped rules, by quarter.
fn quarters() -> Fixture {
    let fx = Fixture::new();
    let nulls: Vec<String> = COLUMNS.iter().map(|c| format!("NULL AS {c}")).collect();
    std::fs::write(
        fx.path("config.yaml"),
        format!(
            "database: customers.db\nrules: rules\nperiod: quarter\n\
             customers:\n  id_column: customer_id\n  query: >\n    \
             SELECT customer_id, annual_sales, {} FROM sales WHERE as_of = :as_of\n",
            nulls.join(", ")
        ),
    )
    .unwrap();
    std::fs::remove_dir_all(fx.path("rules")).unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_dir(&root.join("rules"), &fx.path("rules"));
    // The shipped cases give fields this query's NULL columns do not type as the bundled
    // query does (31 of them fail here, which `run` notes and `--strict` refuses): these
    // tests are of the periods, not of the cases.
    std::fs::remove_dir_all(fx.path("rules/tests")).unwrap();
    let conn = fx.conn();
    conn.execute_batch("CREATE TABLE sales (customer_id TEXT, as_of TEXT, annual_sales REAL)")
        .unwrap();
    for (as_of, order) in QUARTERS {
        set_order(&fx, as_of, &order);
    }
    fx
}

/// Replaces the sales as of `as_of`: the customers of `order`, largest first.
fn set_order(fx: &Fixture, as_of: &str, order: &[&str]) {
    let conn = fx.conn();
    conn.execute("DELETE FROM sales WHERE as_of = ?1", [as_of])
        .unwrap();
    for (k, id) in order.iter().enumerate() {
        let sales = 1000.0 * (order.len() - k) as f64;
        conn.execute(
            "INSERT INTO sales VALUES (?1, ?2, ?3)",
            rusqlite::params![id, as_of, sales],
        )
        .unwrap();
    }
}

/// `tier` of every customer in the latest run.
fn tiers(fx: &Fixture) -> BTreeMap<String, String> {
    column(&fx.latest(), "tier")
        .into_iter()
        .map(|(id, v)| (id, key(&v)))
        .collect()
}

fn expected(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(id, tier)| (id.to_string(), tier.to_string()))
        .collect()
}

#[test]
fn four_quarters_upgrade_at_once_and_downgrade_one_step_after_two_periods_below() {
    let fx = quarters();

    // 2026-Q1, no history: every customer takes this quarter's rank.
    let q1 = fx.run_ok(&["--as-of", "2026-03-31"]);
    assert!(
        q1.stdout
            .contains("moves: no run of 2025-Q4 to compare with"),
        "{}",
        q1.stdout
    );
    #[rustfmt::skip]
    let want = expected(&[
        ("X", "A"), ("Z", "A"), ("F1", "B"), ("F2", "B"), ("F3", "B"), ("F4", "B"),
        ("Y", "C"), ("F5", "C"), ("F6", "C"), ("F7", "C"),
    ]);
    assert_eq!(tiers(&fx), want, "2026-Q1");

    // 2026-Q2: X ranks C for the first time and keeps A; Y and F1 go up at once; W is new;
    // Z is absent.
    let q2 = fx.run_ok(&["--as-of", "2026-06-30"]);
    assert!(
        q2.stdout
            .contains("moves since 2026-Q1\n  tier  2 up, 0 down, 7 same, 1 new, 1 gone\n"),
        "{}",
        q2.stdout
    );
    #[rustfmt::skip]
    let want = expected(&[
        ("F1", "A"), ("Y", "A"), ("F2", "B"), ("F3", "B"), ("F4", "B"), ("W", "B"),
        ("F5", "C"), ("X", "A"), ("F6", "C"), ("F7", "C"),
    ]);
    assert_eq!(tiers(&fx), want, "2026-Q2");

    // 2026-Q3: X's second quarter below A drops it one tier, to B; Y's first quarter below
    // keeps A; Z, who was not in 2026-Q2, starts again from its rank.
    let q3 = fx.run_ok(&["--as-of", "2026-09-30"]);
    assert!(
        q3.stdout
            .contains("moves since 2026-Q2\n  tier  2 up, 1 down, 6 same, 1 new, 1 gone\n"),
        "{}",
        q3.stdout
    );
    // Z missing from 2026-Q2's extract lost its history: said, with where it last was.
    assert!(
        q3.stdout.contains(
            "note: 1 customer is back after missing from 2026-Q2's run (Z, last in 2026-Q1's run): `previous.tier`"
        ) && q3.stdout.contains(
            "NULL for it, so it counts as new, and what the rules carry from period to period starts again (`history <id>` shows the gap)"
        ),
        "{}",
        q3.stdout
    );
    // W left after 2026-Q2, a B: the previous run's B customers are `before + gone`.
    assert!(
        q3.stdout
            .contains("\n  B             3           1           1    0     1     1    4\n"),
        "{}",
        q3.stdout
    );
    // `changes` names who came and who went, with their tier, in text, JSON and CSV.
    let changes = fx.run(&["changes", "--output", "tier"]);
    assert!(
        changes.stdout.ends_with("\nnew: Z (C)\n\ngone: W (B)\n"),
        "{}",
        changes.stdout
    );
    let json: serde_json::Value =
        serde_json::from_str(&fx.run(&["changes", "--format", "json"]).stdout).unwrap();
    assert_eq!(
        json["new_customers"],
        serde_json::json!([{"customer_id": "Z", "value": "C"}])
    );
    assert_eq!(
        json["gone_customers"],
        serde_json::json!([{"customer_id": "W", "value": "B"}])
    );
    let csv = fx.run(&["changes", "--format", "csv"]).stdout;
    assert!(csv.ends_with("\nZ,,C,new,\nW,B,,gone,\n"), "{csv}");
    #[rustfmt::skip]
    let want = expected(&[
        ("F1", "A"), ("F2", "A"), ("F3", "B"), ("Y", "A"), ("F4", "B"), ("F5", "B"),
        ("X", "B"), ("Z", "C"), ("F6", "C"), ("F7", "C"),
    ]);
    assert_eq!(tiers(&fx), want, "2026-Q3");

    // 2026-Q4: X goes on down to C; Y is back at A; F2's first quarter below keeps A.
    let q4 = fx.run_ok(&["--as-of", "2026-12-31"]);
    assert!(
        q4.stdout
            .contains("moves since 2026-Q3\n  tier  0 up, 1 down, 9 same, 0 new\n"),
        "{}",
        q4.stdout
    );
    #[rustfmt::skip]
    let want = expected(&[
        ("Y", "A"), ("F1", "A"), ("F2", "A"), ("F3", "B"), ("F4", "B"), ("F5", "B"),
        ("X", "C"), ("Z", "C"), ("F6", "C"), ("F7", "C"),
    ]);
    assert_eq!(tiers(&fx), want, "2026-Q4");

    // X's history, period by period, with the rules that changed.
    let history = fx.run(&["history", "X", "--outputs", "abc_tier,tier"]);
    history.assert_code(0);
    assert!(
        history.stdout.starts_with(
            "customer X: 4 periods, 2026-Q1 to 2026-Q4\n\n\
             \x20           2026-Q1  2026-Q2  2026-Q3  2026-Q4\n\
             \x20 abc_tier  A        C        C        C\n\
             \x20 tier      A        A        B        C\n"
        ),
        "{}",
        history.stdout
    );
    assert!(
        history
            .stdout
            .contains("2026-Q3  +tier-down-one +pay-tier-b "),
        "{}",
        history.stdout
    );

    // The moves between two periods, in the order the rules give (A > B > C > dormant).
    let changes = fx.run(&[
        "changes", "--from", "2026-Q1", "--to", "2026-Q4", "--format", "json",
    ]);
    changes.assert_code(0);
    let json: serde_json::Value = serde_json::from_str(&changes.stdout).unwrap();
    assert_eq!(json["up"], 4, "{json:#}"); // F1 B->A, F2 B->A, Y C->A, F5 C->B
    assert_eq!(json["down"], 2, "{json:#}"); // X A->C, Z A->C
    assert_eq!(json["new"], 0, "{json:#}");
}

#[test]
fn a_rerun_replaces_its_period_and_a_backfill_reads_the_period_before_its_own() {
    let fx = quarters();
    for as_of in ["2026-03-31", "2026-06-30", "2026-09-30"] {
        fx.run_ok(&["--as-of", as_of]);
    }
    // Corrected figures for 2026-Q3: X ranks first. The rerun is the quarter's official run.
    set_order(
        &fx,
        "2026-09-30",
        &["X", "F1", "F2", "F3", "Y", "F4", "F5", "Z", "F6", "F7"],
    );
    fx.run_ok(&["--as-of", "2026-09-30"]);
    assert_eq!(tiers(&fx)["X"], "A");

    // 2026-Q4 reads the rerun: X held A in 2026-Q3 and ranked A, so its first quarter below
    // keeps A (from the first 2026-Q3 run, it would have dropped to C).
    fx.run_ok(&["--as-of", "2026-12-31"]);
    assert_eq!(tiers(&fx)["X"], "A");

    // A backfill of 2026-Q2 reads 2026-Q1, not the later quarters: X holds A again.
    let backfill = fx.run_ok(&["--as-of", "2026-06-30"]);
    assert!(
        backfill
            .stdout
            .contains("run 6: 10 customers as of 2026-06-30 (2026-Q2)"),
        "{}",
        backfill.stdout
    );
    assert_eq!(tiers(&fx)["X"], "A");
    assert_eq!(tiers(&fx)["W"], "B");

    // The latest view still shows the latest quarter, 2026-Q4 (run 5).
    let conn = fx.conn();
    let (period, run_tier): (String, String) = conn
        .query_row(
            "SELECT period, tier FROM customer_policy_latest WHERE customer_id = 'Y'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((period.as_str(), run_tier.as_str()), ("2026-Q4", "A"));

    // `history` lists each quarter once, with its official run.
    let history = fx.run(&["history", "X", "--outputs", "tier", "--format", "json"]);
    history.assert_code(0);
    let json: serde_json::Value = serde_json::from_str(&history.stdout).unwrap();
    let runs: Vec<(String, i64)> = json["periods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["period"].as_str().unwrap().to_owned(),
                p["run_id"].as_i64().unwrap(),
            )
        })
        .collect();
    let want: Vec<(String, i64)> = [
        ("2026-Q1", 1),
        ("2026-Q2", 6),
        ("2026-Q3", 4),
        ("2026-Q4", 5),
    ]
    .iter()
    .map(|(p, r)| (p.to_string(), *r))
    .collect();
    assert_eq!(runs, want);
}

/// A quarter skipped: `previous.x` reads the previous quarter only, so it is NULL for every
/// customer, and the run says so (rules such as "at most 20% above last quarter's limit"
/// bound no one); a first run, with nothing before it, says nothing of the kind.
#[test]
fn a_run_after_a_skipped_period_says_what_the_rules_read_is_null_for_everyone() {
    let fx = quarters();
    let first = fx.run_ok(&["--as-of", "2026-03-31"]);
    assert!(!first.stdout.contains("has no run"), "{}", first.stdout);
    let skipped = fx.run_ok(&["--as-of", "2026-09-30"]);
    assert!(
        skipped.stdout.contains(
            "note: 2026-Q2 has no run (the latest before it is 2026-Q1, run 1): `previous.tier`, `previous.tier_level`"
        ),
        "{}",
        skipped.stdout
    );
    assert!(
        skipped.stdout.contains(
            "are NULL for every customer, so rules that read them saw no history; run 2026-Q2 first (`tierwise run --as-of 2026-06-30`), then this period again"
        ),
        "{}",
        skipped.stdout
    );
    // Run in order, nothing is said.
    fx.run_ok(&["--as-of", "2026-06-30"]);
    let again = fx.run_ok(&["--as-of", "2026-09-30", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&again.stdout).unwrap();
    let notes = json["notes"].as_array().unwrap();
    assert!(
        !notes
            .iter()
            .any(|n| n.as_str().unwrap().contains("has no run")),
        "{notes:?}"
    );
}

/// A quarter skipped was said only by the run right after it: the next quarter's run, made
/// on that run (whose customers all counted as new, a downgrade's grace begun again),
/// said nothing and `--strict` let it through: 300 up and 0 down instead of 272 and 246.
#[test]
fn a_run_on_a_previous_run_made_without_its_history_says_so_and_strict_refuses_it() {
    let fx = quarters();
    fx.run_ok(&["--as-of", "2026-03-31"]);
    fx.run_ok(&["--as-of", "2026-09-30"]);
    let strict = fx.run(&["run", "--strict", "--as-of", "2026-12-31"]);
    strict.assert_code(1);
    strict.assert_stderr_contains(
        "2026-Q3's run was made without a run of 2026-Q2 (the latest before it is 2026-Q1): it read no history, and this run builds on it",
    );
    let on_gap = fx.run_ok(&["--as-of", "2026-12-31"]);
    assert!(
        on_gap.stdout.contains(
            "note: 2026-Q3's run was made without a run of 2026-Q2 (the latest before it is 2026-Q1, run 1): its `previous.tier`, `previous.tier_level`"
        ) && on_gap.stdout.contains(
            "were NULL, so its customers counted as new there, and what the rules carry from period to period started again; this run builds on it: run 2026-Q2 (`tierwise run --as-of 2026-06-30`), then 2026-Q3 and this period again"
        ),
        "{}",
        on_gap.stdout
    );
    // Mended as the note says, nothing is said of it.
    for as_of in ["2026-06-30", "2026-09-30"] {
        fx.run_ok(&["--as-of", as_of]);
    }
    let mended = fx.run_ok(&["--as-of", "2026-12-31"]);
    assert!(
        !mended.stdout.contains("was made without"),
        "{}",
        mended.stdout
    );
}

/// A run removed after the next period read it (`prune --run` of Q2 once Q3 ran): Q4's
/// `--strict` refused it as "made without a run of 2025-Q2", which Q3 was not: it was made
/// on a run no longer kept, and the reason says so. A run of Q2 made only after Q3 and
/// removed leaves Q3 made on the gap.
#[test]
fn a_run_removed_after_the_next_period_read_it_is_named_as_removed() {
    let fx = last_year_quarters();
    for as_of in ["2025-03-31", "2025-06-30", "2025-09-30"] {
        fx.run_ok(&["--as-of", as_of]);
    }
    fx.run(&["prune", "--run", "2"]).assert_code(0);
    // `history` said the run after it "read no history of the customer".
    let history = fx.run(&["history", "X"]);
    history.assert_code(0);
    assert!(
        history.stdout.contains(
            "2025-Q2 (its run 2 was removed since, `prune --run`: the run after it read it)"
        ) && !history.stdout.contains("read no history"),
        "{}",
        history.stdout
    );
    fx.run(&["run", "--strict", "--as-of", "2025-12-31"])
        .assert_code(1)
        .assert_stderr_contains(
            "2025-Q3's run read 2025-Q2's run 2, which was removed since (`prune --run`), and 2025-Q2 has no run now: run 2025-Q2 (`tierwise run --as-of 2025-06-30`), then 2025-Q3 again first",
        );
    let run = fx.run_ok(&["--as-of", "2025-12-31"]);
    assert!(
        run.stdout.contains(
            "note: 2025-Q3's run read 2025-Q2's run 2, which was removed since (`prune --run`), and 2025-Q2 has no run now"
        ) && !run.stdout.contains("was made without"),
        "{}",
        run.stdout
    );

    let fx = last_year_quarters();
    for as_of in ["2025-03-31", "2025-09-30", "2025-06-30"] {
        fx.run_ok(&["--as-of", as_of]);
    }
    fx.run(&["prune", "--run", "3"]).assert_code(0);
    fx.run(&["run", "--strict", "--as-of", "2025-12-31"])
        .assert_code(1)
        .assert_stderr_contains("2025-Q3's run was made without a run of 2025-Q2");
}

/// The wrong run removed (`prune --run` of August's rerun, meant for the mistaken one it
/// replaced): August's official run is the mistaken one again, September was made on the
/// removed run, and October's `--strict` run went through with no note, as did `changes`
/// and `history`. It is a history replaced since, as after a correction.
#[test]
fn a_period_made_on_a_run_removed_since_is_stale_as_after_a_correction() {
    let fx = last_year_quarters();
    for as_of in ["2025-03-31", "2025-06-29", "2025-06-30", "2025-09-30"] {
        fx.run_ok(&["--as-of", as_of]);
    }
    // Run 3 (Q2 as of its last day) removed: Q2's official run is run 2 again.
    fx.run(&["prune", "--run", "3"]).assert_code(0);
    fx.run(&["run", "--strict", "--as-of", "2025-12-31"])
        .assert_code(1)
        .assert_stderr_contains(
            "2025-Q3's run was made on a history replaced since (2025-Q2's run 3, which 2025-Q3's run read, was removed since)",
        );
    let changes = fx.run(&["changes", "--output", "tier"]);
    changes.assert_code(0);
    assert!(
        changes.stdout.contains(
            "note: 2025-Q3's run (run 4) was made when 2025-Q2's run was run 3, which was removed since (`prune --run`)"
        ),
        "{}",
        changes.stdout
    );
    let run = fx.run_ok(&["--as-of", "2025-12-31"]);
    assert!(
        run.stdout.contains(
            "2025-Q3's run (run 4) read 2025-Q2's run 3, removed since (`prune --run`): 2025-Q2's official run is run 2 again: if the rules read history"
        ),
        "{}",
        run.stdout
    );
}

/// A run removed in the middle of the chain (`prune --run` of Q2, Q2 left without a run):
/// Q3 read it and Q4 was made on Q3, yet a `--strict` run of the quarter after Q4 went
/// through, and `changes` and `history` said nothing of Q4; only the period right after
/// the gap was named. The whole chain from Q3 is made on a history no longer kept.
#[test]
fn every_period_after_a_removed_run_is_made_on_it_not_only_the_next() {
    let fx = last_year_quarters();
    for as_of in ["2025-03-31", "2025-06-30", "2025-09-30", "2025-12-31"] {
        fx.run_ok(&["--as-of", as_of]);
    }
    fx.run(&["prune", "--run", "2"]).assert_code(0);
    fx.run(&["run", "--strict", "--as-of", "2026-03-31"])
        .assert_code(1)
        .assert_stderr_contains(
            "2025-Q4's run was made on a history replaced since (2025-Q2's run 2, which 2025-Q3's run read, was removed since): run 2025-Q2 (`tierwise run --as-of 2025-06-30`), then the periods from 2025-Q3 again first",
        );
    let chain = "2025-Q3's run (run 3) read 2025-Q2's run 2, removed since (`prune --run`), and 2025-Q2 has no run now: if the rules read history (`previous.x`), 2025-Q3, 2025-Q4 hold policies made on the old history; run 2025-Q2 first, then them again, oldest first (`tierwise run --as-of 2025-06-30`, then `tierwise run --as-of 2025-09-30`, then `tierwise run --as-of 2025-12-31`)";
    let changes = fx.run(&["changes", "--output", "tier"]);
    changes.assert_code(0);
    assert!(changes.stdout.contains(chain), "{}", changes.stdout);
    let history = fx.run(&["history", "X"]);
    history.assert_code(0);
    assert!(history.stdout.contains(chain), "{}", history.stdout);
    // Mended as the note says: nothing is said of it.
    for as_of in ["2025-06-30", "2025-09-30", "2025-12-31"] {
        fx.run_ok(&["--as-of", as_of]);
    }
    fx.run(&["run", "--strict", "--as-of", "2026-03-31"])
        .assert_code(0);
}

/// Two runs in a row removed (Q2 and Q3): the advice was to run Q3, then the chain, and
/// followed, Q3's run read no Q2 and the chain was refused again. Both are to be run first.
#[test]
fn two_removed_runs_in_a_row_are_both_to_be_run_first() {
    let fx = last_year_quarters();
    for as_of in ["2025-03-31", "2025-06-30", "2025-09-30", "2025-12-31"] {
        fx.run_ok(&["--as-of", as_of]);
    }
    fx.run(&["prune", "--run", "2"]).assert_code(0);
    fx.run(&["prune", "--run", "3"]).assert_code(0);
    fx.run(&["run", "--strict", "--as-of", "2026-03-31"])
        .assert_code(1)
        .assert_stderr_contains(
            "run 2025-Q2, 2025-Q3 (`tierwise run --as-of 2025-06-30`, then `tierwise run --as-of 2025-09-30`), then 2025-Q4 again first",
        );
    for as_of in ["2025-06-30", "2025-09-30", "2025-12-31"] {
        fx.run_ok(&["--as-of", as_of]);
    }
    fx.run(&["run", "--strict", "--as-of", "2026-03-31"])
        .assert_code(0);
}

/// A run made after `prune --run` read nothing of the removed run, yet `changes` said it
/// had; and a period run again after its run was removed was said to be official "again".
#[test]
fn a_run_made_after_a_removal_did_not_read_the_removed_run() {
    let fx = last_year_quarters();
    for as_of in ["2025-03-31", "2025-06-30", "2025-09-30", "2025-12-31"] {
        fx.run_ok(&["--as-of", as_of]);
    }
    fx.run(&["prune", "--run", "3"]).assert_code(0);
    // Q3 run again: Q4 (run 4) read run 3, removed; Q3's official run is the new run 5.
    fx.run_ok(&["--as-of", "2025-09-30"]);
    let changes = fx.run(&["changes", "--output", "tier"]);
    changes.assert_code(0);
    assert!(
        changes.stdout.contains(
            "was made when 2025-Q3's run was run 3, which was removed since (`prune --run`)"
        ) && !changes.stdout.contains("run 5 again"),
        "{}",
        changes.stdout
    );
    let history = fx.run(&["history", "X"]);
    assert!(
        !history.stdout.contains("run 5 again"),
        "{}",
        history.stdout
    );
    // Q4 run again after the removal: it read run 5, and nothing is said of run 3.
    fx.run_ok(&["--as-of", "2025-12-31"]);
    let changes = fx.run(&["changes", "--output", "tier"]);
    changes.assert_code(0);
    assert!(!changes.stdout.contains("run 3"), "{}", changes.stdout);

    let fx = last_year_quarters();
    for as_of in ["2025-03-31", "2025-06-30", "2025-09-30", "2025-12-31"] {
        fx.run_ok(&["--as-of", as_of]);
    }
    fx.run(&["prune", "--run", "3"]).assert_code(0);
    // Q4 run again without Q3: made on the gap, not on the removed run.
    fx.run_ok(&["--as-of", "2025-12-31"]);
    let changes = fx.run(&["changes", "--output", "tier"]);
    assert!(
        !changes.stdout.contains("read 2025-Q3's run 3"),
        "{}",
        changes.stdout
    );
}

/// `prune --keep` lets old periods go on purpose: the runs after them stand, and a nightly
/// `run --strict` after it was refused as made on a run "removed since (`prune --run`)".
#[test]
fn a_period_pruned_by_keep_is_no_removed_history_for_strict() {
    let fx = last_year_quarters();
    for as_of in ["2025-03-31", "2025-06-30", "2025-09-30", "2025-12-31"] {
        fx.run_ok(&["--as-of", as_of]);
    }
    fx.run(&["prune", "--keep", "2"]).assert_code(0);
    let strict = fx.run(&["run", "--strict", "--as-of", "2025-12-31"]);
    strict.assert_code(0);
    assert!(
        !strict.stdout.contains("removed since"),
        "{}",
        strict.stdout
    );
}

/// The fixture's quarters a year earlier (2025), so that Q4 is not a date after today.
fn last_year_quarters() -> Fixture {
    let fx = quarters();
    for (as_of, order) in QUARTERS {
        set_order(&fx, &as_of.replace("2026", "2025"), &order);
    }
    set_order(&fx, "2025-06-29", &QUARTERS[1].1);
    fx
}

/// "Key account only if A three quarters running" reads `previous_2.tier`: a quarter two
/// back with no run (skipped, or pruned by `prune --keep 1`) made it NULL for everyone and
/// emptied the key accounts, exit 0, no note, and `--strict` let it through.
#[test]
fn a_period_further_back_the_rules_read_without_a_run_is_noted_and_refused_by_strict() {
    let three = "decisions:\n  - name: tier\n    rules:\n      - { id: a, when: annual_sales >= 150, then: { tier: A } }\n      - { id: b, then: { tier: B } }\n  - name: key\n    output: key_account\n    rules:\n      - { id: key-yes, when: 'tier == \"A\" && previous.tier == \"A\" && previous_2.tier == \"A\"', value: true }\n      - { id: key-no, value: false }\n";
    let setup = || {
        let fx = Fixture::new();
        std::fs::write(
            fx.path("config.yaml"),
            "database: customers.db\nrules: rules\nperiod: quarter\n",
        )
        .unwrap();
        fx.sales_customers(&[100.0, 200.0]);
        fx.rule("tiers.yaml", three);
        fx
    };
    // 2025-Q2 skipped: Q3 says so of `previous.tier`, and Q4 of `previous_2.tier`.
    let fx = setup();
    for day in ["2025-03-31", "2025-09-30"] {
        fx.run_ok(&["--as-of", day]);
    }
    let q4 = fx.run_ok(&["--as-of", "2025-12-31"]);
    assert!(
        q4.stdout.contains(
            "note: 2025-Q2 has no run (the latest before it is 2025-Q1, run 1): `previous_2.tier` is NULL for every customer, so rules that read it saw no history of that period; run 2025-Q2 first (`tierwise run --as-of 2025-06-30`), then the periods after it again, oldest first\n"
        ),
        "{}",
        q4.stdout
    );
    let strict = fx.run(&["run", "--strict", "--as-of", "2025-12-31"]);
    strict.assert_code(1);
    strict.assert_stderr_contains("2025-Q2 has no run (the latest before it is 2025-Q1, run 1): the rules' `previous_2.tier` would be NULL for every customer");

    // Every quarter run, then `prune --keep 2`: a rerun of 2025-Q4 reads 2025-Q3, kept,
    // and 2025-Q2, pruned.
    let fx = setup();
    for day in ["2025-03-31", "2025-06-30", "2025-09-30"] {
        fx.run_ok(&["--as-of", day]);
    }
    let kept = fx.run_ok(&["--as-of", "2025-12-31", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&kept.stdout).unwrap();
    assert!(
        !json["notes"].to_string().contains("has no run"),
        "{}",
        json["notes"]
    );
    fx.run(&["prune", "--keep", "2"]).assert_code(0);
    let strict = fx.run(&["run", "--strict", "--as-of", "2025-12-31"]);
    strict.assert_code(1);
    strict.assert_stderr_contains("2025-Q2 has no run (its run was pruned by `prune --keep`): the rules' `previous_2.tier` would be NULL for every customer");
    let pruned = fx.run_ok(&["--as-of", "2025-12-31"]);
    assert!(
        pruned.stdout.contains(
            "note: 2025-Q2 has no run (its run was pruned by `prune --keep`): `previous_2.tier` is NULL for every customer, so rules that read it saw no history of that period; these rules read 2 periods back: `prune --keep 3` keeps a period and the 2 before it\n"
        ),
        "{}",
        pruned.stdout
    );
    assert!(
        !pruned.stdout.contains("2025-Q3 has no run"),
        "{}",
        pruned.stdout
    );
    // `prune --keep 1` (2025-Q4 only): its rerun reads neither quarter.
    fx.run(&["prune", "--keep", "1"]).assert_code(0);
    let one = fx.run_ok(&["--as-of", "2025-12-31"]);
    assert!(
        one.stdout.contains("note: 2025-Q3 has no run (its run was pruned by `prune --keep`): `previous.tier` is NULL for every customer"),
        "{}",
        one.stdout
    );
    // A pruned history is no first run: no note saying no earlier period has one.
    assert!(
        !one.stdout.contains("no earlier period has a run"),
        "{}",
        one.stdout
    );

    // The history simply starts: the first quarter run twice, `prune --keep` deleting its
    // superseded run and nothing of any period. No period before it was pruned.
    let fx = setup();
    fx.run_ok(&["--as-of", "2025-03-31"]);
    fx.run_ok(&["--as-of", "2025-03-31"]);
    fx.run(&["prune", "--keep", "8"]).assert_code(0);
    fx.run(&["run", "--strict", "--as-of", "2025-06-30"])
        .assert_code(0);
    fx.run(&["run", "--strict", "--as-of", "2025-06-30"])
        .assert_code(0);
}

#[test]
fn an_output_added_in_a_later_period_reads_null_before_and_older_runs_stay_readable() {
    let fx = Fixture::new();
    std::fs::write(
        fx.path("config.yaml"),
        "database: customers.db\nrules: rules\nperiod: quarter\n",
    )
    .unwrap();
    fx.sales_customers(&[100.0, 200.0]);
    fx.rule(
        "tiers.yaml",
        "decisions:
  - name: tier
    rules:
      - { id: big, when: annual_sales >= 150, then: { tier: A } }
      - { id: small, then: { tier: B } }
",
    );
    fx.run_ok(&["--as-of", "2026-03-31"]);

    // The next quarter's rules add `since`, carried forward from the quarter before.
    fx.rule(
        "since.yaml",
        "decisions:
  - name: since
    output: since
    rules:
      - { id: since-kept, when: '!is_null(previous.since)', value: '= previous.since' }
      - { id: since-new, value: '= as_of' }
",
    );
    fx.run_ok(&["--as-of", "2026-06-30"]);
    fx.run_ok(&["--as-of", "2026-09-30"]);
    assert_eq!(
        column(&fx.latest(), "since"),
        expect(&[("1", "2026-06-30"), ("2", "2026-06-30")])
    );

    // The first quarter's run is still readable, without the output it did not have.
    let history = fx.run(&["history", "1", "--format", "json"]);
    history.assert_code(0);
    let json: serde_json::Value = serde_json::from_str(&history.stdout).unwrap();
    let periods = json["periods"].as_array().unwrap();
    assert_eq!(periods.len(), 3);
    assert_eq!(periods[0]["values"]["tier"], "B");
    assert_eq!(periods[0]["values"]["since"], serde_json::Value::Null);
    assert_eq!(periods[2]["values"]["since"], "2026-06-30");
}

#[test]
fn reading_an_earlier_period_of_an_output_that_does_not_exist_is_a_load_error() {
    let fx = Fixture::new();
    fx.sales_customers(&[100.0]);
    let text = fx.rule(
        "tiers.yaml",
        "decisions:
  - name: tier
    rules:
      - { id: kept, when: 'previous.teir == \"A\"', then: { tier: A } }
      - { id: other, then: { tier: B } }
",
    );
    let run = fx.run(&["run"]);
    run.assert_code(2);
    let (line, column) = position_of(&text, "previous.teir", 0);
    let block = run.diagnostic_at(&format!("rules/tiers.yaml:{line}:{column}"));
    assert!(block.contains("teir"), "{block}");
    assert!(block.contains("did you mean `tier`"), "{block}");
    assert_eq!(fx.policy_row_count(), 0);
}

/// Customers back after missing from one extract are found by their id whatever its kind:
/// whole-number ids too (the policy table keeps them as numbers).
#[test]
fn customers_back_after_a_gap_are_found_by_whole_number_ids() {
    let fx = Fixture::new();
    fx.sales_customers(&[50.0, 1500.0, 300.0]);
    fx.rule(
        "rules.yaml",
        "decisions:\n  - name: tier\n    rules:\n\
         \x20     - { id: tier-a, when: annual_sales >= 1000 || previous.tier == \"A\", then: { tier: A } }\n\
         \x20     - { id: tier-c, then: { tier: C } }\n",
    );
    fx.run_ok(&["--as-of", "2026-06-30"]);
    let conn = fx.conn();
    conn.execute_batch("CREATE TABLE kept AS SELECT * FROM customers WHERE customer_id = 2; DELETE FROM customers WHERE customer_id = 2").unwrap();
    fx.run_ok(&["--as-of", "2026-07-31"]);
    conn.execute_batch("INSERT INTO customers SELECT * FROM kept")
        .unwrap();
    let back = fx.run_ok(&["--as-of", "2026-08-31"]);
    assert!(
        back.stdout.contains(
            "note: 1 customer is back after missing from 2026-07's run (2, last in 2026-06's run)"
        ),
        "{}",
        back.stdout
    );
}

/// Rules that carry a balance through `previous.x ?? previous_2.x`: a customer missing from
/// one extract keeps it (the run two periods back holds it), one missing from two starts
/// again (a rebate paid again). The note said "starts again" of both, and singled out
/// neither: the first is said to go on, the second to start again.
#[test]
fn customers_back_are_told_apart_by_whether_the_rules_read_a_run_that_holds_them() {
    let fx = Fixture::new();
    fx.sales_customers(&[100.0, 200.0, 300.0]);
    fx.rule(
        "rules.yaml",
        "decisions:\n  - name: paid\n    output: paid\n    rules:\n\
         \x20     - { id: paid, value: '= (previous.paid ?? previous_2.paid ?? 0) + annual_sales' }\n",
    );
    let conn = fx.conn();
    conn.execute_batch("CREATE TABLE kept AS SELECT * FROM customers")
        .unwrap();
    fx.run_ok(&["--as-of", "2026-01-31"]);
    conn.execute_batch("DELETE FROM customers WHERE customer_id = 3")
        .unwrap();
    fx.run_ok(&["--as-of", "2026-02-28"]);
    conn.execute_batch("DELETE FROM customers WHERE customer_id = 2")
        .unwrap();
    fx.run_ok(&["--as-of", "2026-03-31"]);
    conn.execute_batch("DELETE FROM customers; INSERT INTO customers SELECT * FROM kept")
        .unwrap();
    let back = fx.run_ok(&["--as-of", "2026-04-30"]);
    assert!(
        back.stdout.contains(
            "note: 1 customer is back after missing from 2026-03's run, and from every period the rules read (3, last in 2026-01's run): `previous.paid` is NULL for it, so it counts as new"
        ),
        "{}",
        back.stdout
    );
    assert!(
        back.stdout.contains(
            "note: 1 customer is back after missing from 2026-03's run (2, last in 2026-02's run): `previous.paid` is NULL for it, but the rules also read the run that holds it last (`previous_2.paid`): what they carry through it goes on this period (the next reads the period it missed)"
        ),
        "{}",
        back.stdout
    );
    let paid = column(&fx.latest(), "paid");
    assert_eq!(key(&paid["2"]), "600", "{paid:?}");
    assert_eq!(key(&paid["3"]), "300", "{paid:?}");
}

/// An id respelled between periods (`C-00013` exported as `C-0013`, `C-00005` with a space
/// after it) made the customer new and the old id gone, its carried balance dropped, and the
/// run said only "2 new, 2 gone": a note naming both spellings, and `--strict` refuses it.
#[test]
fn an_id_respelled_between_periods_is_named_and_refused_by_strict() {
    let fx = Fixture::new();
    let rows = |ids: [&str; 3]| -> Vec<Vec<rusqlite::types::Value>> {
        (ids.iter().zip([50.0, 1500.0, 300.0]))
            .map(|(id, sales)| vec![text(id), real(sales)])
            .collect()
    };
    fx.customers(
        "customer_id TEXT PRIMARY KEY, annual_sales REAL",
        &rows(["C-00005", "C-00013", "C-00020"]),
    );
    fx.rule(
        "rules.yaml",
        "decisions:\n  - name: tier\n    rules:\n\
         \x20     - { id: tier-a, when: annual_sales >= 1000 || previous.tier == \"A\", then: { tier: A } }\n\
         \x20     - { id: tier-c, then: { tier: C } }\n",
    );
    fx.run_ok(&["--as-of", "2026-06-30"]);
    fx.customers(
        "customer_id TEXT PRIMARY KEY, annual_sales REAL",
        &rows(["C-00005 ", "C-0013", "C-00020"]),
    );
    fx.run(&["run", "--strict", "--as-of", "2026-07-31"])
        .assert_code(1)
        .assert_stderr_contains(
            "2 of the customers have ids that 2026-06's run writes another way (\"C-00005 \" was \"C-00005\"; \"C-0013\" was \"C-00013\"): their history would not be read",
        );
    let run = fx.run_ok(&["--as-of", "2026-07-31"]);
    assert!(
        run.stdout.contains(
            "note: 2 customers have ids that 2026-06's run writes another way (case, blanks or zeros: \"C-00005 \" was \"C-00005\"; \"C-0013\" was \"C-00013\"): `previous.tier` is NULL for them"
        ),
        "{}",
        run.stdout
    );
}

/// A list output: every customer below 100 is small, below 50 tiny too.
const ALERTS: &str = r#"decisions:
  - name: alerts
    hit: collect
    aggregate: list
    output: alerts
    rules:
      - { id: alert-small, when: annual_sales < 100, value: "small customer" }
      - { id: alert-tiny, when: annual_sales < 50, value: "tiny" }
"#;

/// A list output read from the previous period (`previous.alerts`) is a list, as this
/// period's is: `len` counts its alerts (it counted the characters of the stored JSON text:
/// 26 for one alert) and `in` finds a whole alert, not a piece of one.
#[test]
fn a_list_output_of_the_previous_period_reads_as_a_list() {
    let fx = Fixture::new();
    std::fs::write(
        fx.path("config.yaml"),
        "database: customers.db\nrules: rules\nperiod: month\n\
         customers: { table: customers, id_column: customer_id }\n",
    )
    .unwrap();
    fx.sales_customers(&[10.0, 60.0, 120.0]);
    fx.rule(
        "alerts.yaml",
        &(ALERTS.to_owned()
            + r#"  - name: alerts_before
    output: alerts_before
    rules:
      - { id: count-before, value: '= if is_null(previous.alerts) { -1 } else { len(previous.alerts) }' }
  - name: was_tiny
    output: was_tiny
    rules:
      - { id: tiny-before, when: '!is_null(previous.alerts) && "tiny" in previous.alerts', value: true }
      - { id: not-tiny-before, value: false }
  - name: was_small_part
    output: was_small_part
    rules:
      - { id: small-part, when: '!is_null(previous.alerts) && "small" in previous.alerts', value: true }
      - { id: no-small-part, value: false }
  - name: tags
    output: tags
    rules:
      - { id: tags, value: '= ["gold", `${annual_sales}`]' }
  - name: tags_before
    output: tags_before
    rules:
      - { id: count-tags, value: '= len(previous.tags ?? [])' }
"#),
    );
    fx.run_ok(&["--as-of", "2026-05-31"]);
    fx.run_ok(&["--as-of", "2026-06-30"]);
    let latest = fx.latest();
    // A list a formula builds, too (its kind is not known before the run).
    assert_eq!(
        column(&latest, "tags_before"),
        expect(&[("1", 2), ("2", 2), ("3", 2)])
    );
    // A rule test's `previous:` list reads as the run's does.
    std::fs::create_dir_all(fx.path("rules/tests")).unwrap();
    fx.rule(
        "tests/alerts.yaml",
        "cases:\n  - name: two alerts before\n    as_of: 2026-06-30\n    customer: { annual_sales: 500 }\n    previous: { alerts: [small customer, tiny], tags: [gold, x] }\n    expect: { alerts_before: 2, was_tiny: true, was_small_part: false, tags_before: 2 }\n",
    );
    let tested = fx.run(&["test"]);
    assert_eq!(tested.code, 0, "{}{}", tested.stdout, tested.stderr);
    assert_eq!(
        column(&latest, "alerts_before"),
        expect(&[("1", 2), ("2", 1), ("3", 0)])
    );
    assert_eq!(
        column(&latest, "was_tiny"),
        expect(&[("1", 1), ("2", 0), ("3", 0)])
    );
    // "small" is a piece of "small customer", not an alert of its own.
    assert_eq!(
        column(&latest, "was_small_part"),
        expect(&[("1", 0), ("2", 0), ("3", 0)])
    );
}

/// `previous.alerts.len()` (a method on an earlier period's value) was "unknown name
/// `previous`" with help to write `previous.` and an output, which it had: the error says
/// what is not allowed and gives the call as a function.
#[test]
fn a_method_on_an_earlier_periods_value_is_an_error_with_the_function_to_write() {
    let fx = Fixture::new();
    fx.sales_customers(&[10.0]);
    fx.rule(
        "alerts.yaml",
        &(ALERTS.to_owned()
            + r#"  - name: had
    output: had_alerts
    rules:
      - { id: had-some, when: 'previous.alerts.len() > 0', value: true }
      - { id: had-none, value: false }
"#),
    );
    let check = fx.run(&["check"]);
    check.assert_code(2);
    assert!(
        check.stdout.contains(
            "error: a method cannot be called on `previous.x`, an earlier period's value (in `had-some`)\n  --> rules/alerts.yaml:12:32\n"
        ) && check.stdout.contains(
            "= help: call a function on an earlier period's value, not a method: write `len(previous.alerts)`"
        ),
        "{}",
        check.stdout
    );
}

/// A customers query of a period's invoices (`:period_start`, `:period_end`): `explain` and
/// `report` without `--as-of` read today's period, which the data does not reach yet, and
/// said "load the customers first". They name the day of the latest recorded run.
#[test]
fn no_customer_today_names_the_latest_recorded_run() {
    let fx = Fixture::new();
    std::fs::write(
        fx.path("config.yaml"),
        "database: customers.db\nrules: rules\nperiod: month\n\
         customers:\n  id_column: customer_id\n  query: >\n    \
         SELECT customer_id, SUM(amount) AS net_sales FROM invoices \
         WHERE day BETWEEN :period_start AND :period_end GROUP BY customer_id\n",
    )
    .unwrap();
    fx.conn()
        .execute_batch(
            "CREATE TABLE invoices (customer_id TEXT, day TEXT, amount REAL);
             INSERT INTO invoices VALUES ('K1', '2026-10-05', 100), ('K2', '2026-10-20', 50),
                                         ('K3', '2026-09-12', 70);",
        )
        .unwrap();
    fx.rule(
        "tiers.yaml",
        "decisions:\n  - name: tier\n    rules:\n      - { id: big, when: net_sales >= 80, then: { tier: A } }\n      - { id: small, then: { tier: C } }\n",
    );
    fx.run(&["run", "--as-of", "2026-09-30"]).assert_code(0);
    fx.run(&["run", "--as-of", "2026-10-31"]).assert_code(0);
    let explain = fx.run(&["explain", "K1"]);
    explain.assert_code(1);
    explain.assert_stderr_contains(
        "the customers query selects rows by the run's date (`:as_of`, `:period_start`, `:period_end`): give `--as-of` a date the data holds",
    );
    explain.assert_stderr_contains(
        "the latest recorded run is 2026-10's (run 2, as of 2026-10-31): `--as-of 2026-10-31` reads the data as of it",
    );
    fx.run(&["explain", "K1", "--as-of", "2026-10-31"])
        .assert_code(0);
    // A customer who bought nothing in October is in September's run: not a mistyped id.
    fx.run(&["explain", "K3", "--as-of", "2026-10-31"])
        .assert_code(2)
        .assert_stderr_contains("no customer has customer_id = `K3` in the customer source as of 2026-10-31: it is in 2026-09's run (run 1, the latest that holds it; `tierwise history K3` shows its periods, `--as-of 2026-09-30` explains it as of that run)");
}
