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
