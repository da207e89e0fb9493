//! Ctrl-C or SIGTERM during `run --out`: the run rolls back, the hidden temp file beside the
//! output is removed, the run is recorded as failed, and the earlier run stays complete.

mod common;

use common::*;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Enough customers that a debug build is still evaluating when the signal comes.
const CUSTOMERS: usize = 400_000;

fn interrupted_by(signal: &str, name: &str) {
    let fx = Fixture::new();
    fx.many_sales_customers(CUSTOMERS);
    fx.rule(
        "tiers.yaml",
        "metrics:\n  score: (annual_sales ?? 0) * 2 + 1\n\
         decisions:\n  - name: tier\n    rules:\n\
         \x20     - { id: tier-a, when: score >= 1500, then: { tier: A } }\n\
         \x20     - { id: tier-c, then: { tier: C } }\n",
    );
    fx.run_ok(&[]);
    let mut run = Command::new(env!("CARGO_BIN_EXE_tierwise"))
        .current_dir(fx.dir.path())
        .args(["--config", "config.yaml", "run", "--out", "policies.csv"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start tierwise run");
    // Its own temp file, named by its process: another run's export to the same path
    // (another config) writes another.
    let tmp = fx.path(&format!(".policies.csv.{}.tmp", run.id()));
    let deadline = Instant::now() + Duration::from_secs(60);
    while !tmp.exists() {
        assert!(Instant::now() < deadline, "no temp file appeared");
        assert!(
            run.try_wait().unwrap().is_none(),
            "the run ended before the signal"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let sent = Command::new("kill")
        .args([signal, &run.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let output = run.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "interrupted by {name}: nothing of this run was written; earlier runs are intact"
        )),
        "{stderr}"
    );
    assert!(!tmp.exists(), "the temp file was left behind");
    assert!(!fx.path("policies.csv").exists());
    let runs = fx.runs();
    assert_eq!(
        runs.len(),
        2,
        "{:?}",
        runs.iter().map(|r| &r.status).collect::<Vec<_>>()
    );
    assert_eq!(
        (runs[0].status.as_str(), runs[0].customers),
        ("ok", CUSTOMERS as i64)
    );
    assert_eq!(runs[1].status, "failed");
    assert!(
        runs[1].message.as_deref().unwrap_or("").contains(name),
        "{:?}",
        runs[1].message
    );
    assert_eq!(fx.policy_row_count(), CUSTOMERS as i64);
}

#[test]
fn ctrl_c_during_a_run_removes_the_temp_file_and_records_the_run_as_failed() {
    interrupted_by("-INT", "SIGINT");
}

#[test]
fn sigterm_during_a_run_removes_the_temp_file_and_records_the_run_as_failed() {
    interrupted_by("-TERM", "SIGTERM");
}

/// Sends SIGTERM to `run` after `after`, and the time it took to end after that.
#[cfg(unix)]
fn terminated(mut run: std::process::Child, after: Duration) -> (std::process::Output, Duration) {
    std::thread::sleep(after);
    assert!(
        run.try_wait().unwrap().is_none(),
        "the run ended before the signal"
    );
    let sent = Instant::now();
    let kill = Command::new("kill")
        .args(["-TERM", &run.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let output = run.wait_with_output().unwrap();
    (output, sent.elapsed())
}

#[cfg(unix)]
fn start(fx: &Fixture) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_tierwise"))
        .current_dir(fx.dir.path())
        .args(["--config", "config.yaml", "run"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start tierwise run")
}

/// SIGTERM came through only when the customers query had finished (19 s on 300,000
/// customers, past a container's grace period): the query stops for it.
#[cfg(unix)]
#[test]
fn sigterm_stops_a_long_customers_query() {
    let fx = Fixture::new();
    fx.sales_customers(&[50.0, 150.0]);
    fx.rule(
        "tiers.yaml",
        "decisions:\n  - name: tier\n    rules:\n      - { id: tier-c, then: { tier: C } }\n",
    );
    std::fs::write(
        fx.path("config.yaml"),
        "database: customers.db\nrules: rules\ncustomers:\n  query: |\n    SELECT customer_id, annual_sales FROM customers\n    WHERE (WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 2000000000)\n           SELECT COUNT(*) FROM n) > 0\n",
    )
    .unwrap();
    let (output, took) = terminated(start(&fx), Duration::from_millis(800));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(took < Duration::from_secs(3), "{took:?}: {stderr}");
    assert!(stderr.contains("interrupted by SIGTERM"), "{stderr}");
}

/// SIGTERM while the run waited for another process's write lock was ignored for the
/// whole wait: it stops the wait.
#[cfg(unix)]
#[test]
fn sigterm_stops_a_wait_for_another_writer() {
    let fx = Fixture::new();
    fx.sales_customers(&[50.0, 150.0]);
    fx.rule(
        "tiers.yaml",
        "decisions:\n  - name: tier\n    rules:\n      - { id: tier-c, then: { tier: C } }\n",
    );
    fx.run_ok(&[]);
    let other = fx.conn();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let (output, took) = terminated(start(&fx), Duration::from_millis(1500));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(took < Duration::from_secs(3), "{took:?}: {stderr}");
    other.execute_batch("COMMIT").unwrap();
    assert_eq!(fx.policy_row_count(), 2, "the first run only");
}

/// SIGTERM during the evaluation of slow rules on fewer customers than a batch chunk
/// (65,536) came through only when every customer was evaluated (30 s after the signal on
/// 5,000 customers at 4 ms each, past a container's grace period): it stops the evaluation
/// within 128 customers per thread.
#[cfg(unix)]
#[test]
fn sigterm_stops_the_evaluation_of_slow_rules_within_moments() {
    stopped_within_moments(
        "decisions:\n  - name: tier\n    rules:\n      - { id: tier-a, when: spin(loops) > 1, then: { tier: A } }\n",
    );
}

/// The same in the population pass (a percentile of a slow metric), which ran to its end.
#[cfg(unix)]
#[test]
fn sigterm_stops_the_population_pass_of_slow_metrics_within_moments() {
    stopped_within_moments(
        "metrics:\n  heavy: spin(loops)\npopulation:\n  heavy_rank: { percentile_of: heavy }\ndecisions:\n  - name: tier\n    rules:\n      - { id: tier-a, when: heavy_rank >= 0.5, then: { tier: A } }\n      - { id: tier-b, then: { tier: B } }\n",
    );
}

/// A run of customers that each take half a second (within every budget) looked at signals
/// between customers only: 128 of them per thread stood between SIGTERM and the exit (71 s
/// in a review). The interpreter stops the customer it is in.
#[cfg(unix)]
#[test]
fn sigterm_stops_a_run_within_a_very_slow_customer() {
    let fx = slow_customers(
        "decisions:\n  - name: tier\n    rules:\n      - { id: tier-a, when: spin(loops) > 1, then: { tier: A } }\n",
    );
    fx.customers(
        "customer_id TEXT, loops INTEGER",
        &(0..300)
            .map(|i| vec![text(&format!("C{i}")), int(2_000_000)])
            .collect::<Vec<_>>(),
    );
    let (output, took) = terminated(start(&fx), Duration::from_millis(1500));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(took < Duration::from_secs(2), "{took:?}: {stderr}");
    assert!(stderr.contains("interrupted by SIGTERM"), "{stderr}");
    assert!(!fx.has_policy_table() || fx.policy_row_count() == 0);
}

/// `watch` handled SIGTERM only between reloads: during its first evaluation (or a reload)
/// of slow customers it went on to the end (8 s in a review). It abandons it now.
#[cfg(unix)]
#[test]
fn sigterm_stops_watch_within_moments_during_an_evaluation() {
    // Few customers of a quarter second each: fewer than one chunk, between whose
    // customers the evaluation looks at signals.
    let fx = slow_customers(
        "metrics:\n  heavy: spin(loops)\ndecisions:\n  - name: tier\n    rules:\n      - { id: tier-a, when: heavy > 5, then: { tier: A } }\n",
    );
    fx.customers(
        "customer_id TEXT, loops INTEGER",
        &(0..32)
            .map(|i| vec![text(&format!("C{i}")), int(60_000)])
            .collect::<Vec<_>>(),
    );
    let watch = Command::new(env!("CARGO_BIN_EXE_tierwise"))
        .current_dir(fx.dir.path())
        .args(["--config", "config.yaml", "watch"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start tierwise watch");
    let (output, took) = terminated(watch, Duration::from_millis(1000));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(130), "{stdout}");
    // The evaluation has seconds left (it took them all before).
    assert!(took < Duration::from_millis(1200), "{took:?}: {stdout}");
    assert!(stdout.contains("stopped (SIGTERM)"), "{stdout}");
    // The customer stopped part way is no broken edit.
    assert!(
        !stdout.contains("error") && !stdout.contains("fix the rules"),
        "{stdout}"
    );
}

/// 4,000 customers that take milliseconds each (about 11 s in all in a debug build), under
/// `rules`.
#[cfg(unix)]
fn slow_customers(rules: &str) -> Fixture {
    let fx = Fixture::new();
    let rows: Vec<Vec<rusqlite::types::Value>> = (0..4000)
        .map(|i| vec![text(&format!("C{i}")), int(700)])
        .collect();
    fx.customers("customer_id TEXT, loops INTEGER", &rows);
    let mut config = std::fs::read_to_string(fx.path("config.yaml")).unwrap();
    config.push_str("limits: { max_operations: 1000000000000, max_eval_ms: 60000 }\n");
    std::fs::write(fx.path("config.yaml"), config).unwrap();
    fx.rule(
        "spin.rhai",
        "fn spin(n) {\n    let i = 0;\n    while i < n { i += 1; }\n    i\n}\n",
    );
    fx.rule("tiers.yaml", rules);
    fx
}

/// 4,000 slow customers: SIGTERM after 1.5 s ends the run within moments, nothing written.
#[cfg(unix)]
fn stopped_within_moments(rules: &str) {
    let fx = slow_customers(rules);
    let (output, took) = terminated(start(&fx), Duration::from_millis(1500));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(took < Duration::from_secs(5), "{took:?}: {stderr}");
    assert!(stderr.contains("interrupted by SIGTERM"), "{stderr}");
    assert!(!fx.has_policy_table() || fx.policy_row_count() == 0);
}
