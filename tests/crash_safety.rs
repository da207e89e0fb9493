//! SIGKILL during a run, at several points of the write: no signal handler runs, yet the
//! previous run stays complete, the database passes SQLite's integrity check, and the next
//! run works. (Ctrl-C and SIGTERM, which tierwise handles, are in `tests/interrupt.rs`.)

mod common;

use common::*;
use std::process::{Command, Stdio};
use std::time::Duration;

const CUSTOMERS: usize = 200_000;

fn integrity(fx: &Fixture) -> String {
    fx.conn()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

#[cfg(unix)]
#[test]
fn sigkill_at_any_point_of_a_run_leaves_the_previous_run_complete() {
    let fx = Fixture::new();
    fx.many_sales_customers(CUSTOMERS);
    fx.rule(
        "tiers.yaml",
        "population:\n  sales_pct: { percentile_of: annual_sales }\n\
         decisions:\n  - name: tier\n    rules:\n\
         \x20     - { id: tier-a, when: sales_pct >= 0.8, then: { tier: A } }\n\
         \x20     - { id: tier-c, then: { tier: C } }\n",
    );
    fx.run_ok(&[]);
    let mut killed = 0;
    for delay_ms in [100, 300, 600, 1000, 1500, 2200] {
        let mut run = Command::new(env!("CARGO_BIN_EXE_tierwise"))
            .current_dir(fx.dir.path())
            .args(["--config", "config.yaml", "run", "--out", "policies.csv"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start tierwise run");
        std::thread::sleep(Duration::from_millis(delay_ms));
        let finished = run.try_wait().unwrap().is_some();
        run.kill().unwrap(); // SIGKILL
        run.wait().unwrap();
        killed += usize::from(!finished);

        assert_eq!(integrity(&fx), "ok", "after a kill at {delay_ms} ms");
        let ok: Vec<RunRecord> = fx.runs().into_iter().filter(|r| r.status == "ok").collect();
        assert!(!ok.is_empty());
        for r in &ok {
            assert_eq!(r.customers, CUSTOMERS as i64, "run {}", r.run_id);
        }
        let latest = fx.latest_ok_run();
        assert_eq!(
            fx.policies_of(latest).len(),
            CUSTOMERS,
            "after a kill at {delay_ms} ms"
        );
        // The kill left no half-written output file in its place.
        if fx.path("policies.csv").exists() {
            let lines = std::fs::read_to_string(fx.path("policies.csv"))
                .unwrap()
                .lines()
                .count();
            assert_eq!(lines, CUSTOMERS + 1);
        }
    }
    assert!(
        killed >= 3,
        "only {killed} runs were killed before they ended"
    );
    // And the next run works.
    fx.run_ok(&[]);
    assert_eq!(integrity(&fx), "ok");
}

/// `run --as-of 2026-09-30 --format json` while another connection holds the write lock
/// and, once the run has read its history and waits for the lock (up to 10 s), does `sql`.
fn run_while(fx: &Fixture, sql: &str) -> std::process::Output {
    let other = fx.conn();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let run = Command::new(BIN)
        .current_dir(fx.dir.path())
        .args([
            "--config",
            "config.yaml",
            "run",
            "--as-of",
            "2026-09-30",
            "--format",
            "json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start tierwise run");
    std::thread::sleep(Duration::from_millis(4000));
    other.execute_batch(&format!("{sql}; COMMIT")).unwrap();
    run.wait_with_output().unwrap()
}

/// Two overlapping writers: a run reads its history (the previous period's run), then, while
/// it evaluates, another run or `prune --run` changes the runs (here the previous period's
/// run removed, under a lock that makes the overlap certain). Written anyway, it was built
/// on a run that is no longer official, recorded as if it had read the new state, and
/// `--strict` let the next period through. It writes nothing and says why.
#[test]
fn a_run_whose_history_changed_while_it_evaluated_writes_nothing() {
    let fx = Fixture::new();
    fx.sales_customers(&[50.0, 150.0, 2500.0]);
    fx.rule(
        "tiers.yaml",
        "decisions:\n  - name: tier\n    rules:\n\
         \x20     - { id: tier-a, when: annual_sales >= 1000, then: { tier: A } }\n\
         \x20     - { id: tier-up, when: previous.tier == \"A\", then: { tier: B } }\n\
         \x20     - { id: tier-c, then: { tier: C } }\n",
    );
    fx.run_ok(&["--as-of", "2026-06-30"]);
    let out = run_while(
        &fx,
        "UPDATE policy_run SET status = 'removed' WHERE run_id = 1",
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("the runs in policy_run changed while this run evaluated (another `tierwise run` or `prune` wrote to it): nothing was written"),
        "{stderr}"
    );
    assert_eq!(fx.policy_row_count(), 3, "only the first run's rows");
    // A scheduler retries it; no failed record (it would be a change to another run's check).
    let json: serde_json::Value =
        serde_json::from_str(&String::from_utf8_lossy(&out.stdout)).unwrap();
    assert_eq!(json["error"]["kind"], "runs_changed", "{json}");
    let statuses: Vec<String> = fx.runs().into_iter().map(|r| r.status).collect();
    assert_eq!(statuses, ["removed"]);
    // A failed run of an earlier period, or a run of this one, is no change to what it read.
    fx.run_ok(&["--as-of", "2026-06-30"]);
    let out = run_while(
        &fx,
        "INSERT INTO policy_run (run_id, started_at, status, customers, fingerprint, as_of, period)
         VALUES (90, '2026-11-01T00:00:00Z', 'failed', 0, 'x', '2026-06-30', '2026-06'),
                (91, '2026-11-01T00:00:00Z', 'ok', 3, 'x', '2026-09-30', '2026-09')",
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A rule file saved while the run evaluates (an editor, `scp` or a share writing it in
/// steps): the run read the file before the save ended, possibly half of it, valid YAML
/// without its last rows. It was written as the period's official run, exit 0. It writes
/// nothing, records why, and the next run (on the saved files) is written.
#[test]
fn a_run_whose_rule_files_changed_while_it_evaluated_writes_nothing() {
    let fx = Fixture::new();
    fx.sales_customers(&[50.0, 150.0, 2500.0]);
    let half = "decisions:\n  - name: tier\n    rules:\n\
                \x20     - { id: tier-a, when: annual_sales >= 1000, then: { tier: A } }\n";
    fx.rule("tiers.yaml", half);
    // The run has read the rules and waits for the lock when the rest of the file lands.
    let other = fx.conn();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let run = Command::new(BIN)
        .current_dir(fx.dir.path())
        .args(["--config", "config.yaml", "run", "--as-of", "2026-09-30"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start tierwise run");
    std::thread::sleep(Duration::from_millis(4000));
    let whole = format!("{half}      - {{ id: tier-c, then: {{ tier: C }} }}\n");
    fx.rule("tiers.yaml", &whole);
    other.execute_batch("COMMIT").unwrap();
    let out = run.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("error: the rule files changed while this run evaluated (rules "),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "nothing was written, earlier runs are intact; run again once the files are saved"
        ),
        "{stderr}"
    );
    assert_eq!(fx.policy_row_count(), 0);
    let runs = fx.runs();
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0].status, "failed");
    // Run again, it reads the saved files: every customer has a tier.
    fx.run_ok(&["--as-of", "2026-09-30"]);
    let tiers = column(&fx.latest(), "tier");
    assert_eq!(tiers.values().filter(|t| **t == text("C")).count(), 2);
}

/// A run record deleted by hand (its rows stay): the next run took its id, clashed with the
/// rows, and said "customer id ... appears more than once in the customer source", recorded
/// as failed with that id's rows still there. It takes the next id past the rows.
#[test]
fn a_run_record_deleted_by_hand_does_not_lend_its_id() {
    let fx = Fixture::new();
    fx.sales_customers(&[50.0, 150.0]);
    fx.rule(
        "tiers.yaml",
        "decisions:\n  - name: tier\n    rules:\n      - { id: any, then: { tier: A } }\n",
    );
    fx.run_ok(&[]);
    fx.conn()
        .execute("DELETE FROM policy_run WHERE run_id = 1", [])
        .unwrap();
    let run = fx.run(&["run"]);
    run.assert_code(0);
    assert!(run.stdout.contains("run 2: 2 customers"), "{}", run.stdout);
    assert_eq!(fx.policy_row_count(), 4);
    // Its rows deleted too, its lists of rule ids stay: past those as well.
    fx.conn()
        .execute_batch(
            "DELETE FROM policy_run WHERE run_id = 2; DELETE FROM customer_policy WHERE run_id = 2",
        )
        .unwrap();
    let run = fx.run(&["run"]);
    run.assert_code(0);
    assert!(run.stdout.contains("run 3: 2 customers"), "{}", run.stdout);
}
