//! Readers during a run: another process reading the database (a BI tool, `serve`) is never
//! blocked and only ever sees complete runs.

mod common;

use common::*;
use rusqlite::{Connection, OpenFlags};
use std::time::{Duration, Instant};

/// Enough customers that the run's write spills from SQLite's page cache: with the default
/// rollback journal that takes an exclusive lock until the commit.
const CUSTOMERS: usize = 60_000;

fn fixture() -> Fixture {
    let fx = Fixture::new();
    fx.many_sales_customers(CUSTOMERS);
    fx.rule(
        "tiers.yaml",
        "population:\n  sales_pct: { percentile_of: annual_sales }\n\
         decisions:\n  - name: tier\n    rules:\n\
         \x20     - { id: tier-a, when: sales_pct >= 0.8, then: { tier: A, note: top } }\n\
         \x20     - { id: tier-b, when: sales_pct >= 0.5, then: { tier: B, note: middle } }\n\
         \x20     - { id: tier-c, then: { tier: C, note: rest } }\n",
    );
    fx
}

/// The latest successful run's id and how many policy rows it has; an error (such as
/// "database is locked") as text.
fn read_latest(conn: &Connection) -> Result<(i64, i64), String> {
    conn.query_row(
        "SELECT r.run_id, (SELECT count(*) FROM customer_policy p WHERE p.run_id = r.run_id)
         FROM policy_run r WHERE r.status = 'ok' ORDER BY r.run_id DESC LIMIT 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .map_err(|e| e.to_string())
}

#[test]
fn a_reader_polling_during_a_run_is_never_blocked_and_sees_only_complete_runs() {
    let fx = fixture();
    fx.run_ok(&[]);
    let reader = Connection::open_with_flags(fx.db_path(), OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("open the database read-only");
    // No waiting: a reader that had to wait for the writer would fail at once.
    reader.busy_timeout(Duration::ZERO).unwrap();
    assert_eq!(read_latest(&reader), Ok((1, CUSTOMERS as i64)));

    let mut run = std::process::Command::new(env!("CARGO_BIN_EXE_tierwise"))
        .current_dir(fx.dir.path())
        .args(["--config", "config.yaml", "run"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start tierwise run");
    let (mut reads, mut seen) = (0, Vec::new());
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        let latest = read_latest(&reader);
        assert!(
            matches!(latest, Ok((_, n)) if n == CUSTOMERS as i64),
            "read {reads} during the run: {latest:?}"
        );
        seen.push(latest.unwrap().0);
        reads += 1;
        if let Some(status) = run.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the run did not finish");
        std::thread::sleep(Duration::from_millis(2));
    };
    assert!(status.success());
    assert!(reads > 5, "only {reads} reads during the run");
    // The previous run throughout, then the new one.
    assert_eq!(seen.first(), Some(&1));
    assert_eq!(read_latest(&reader), Ok((2, CUSTOMERS as i64)));
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
}
