//! History at scale: 24 quarters of 1,000,000 customers written through `output::write_run`
//! (the shipped rules evaluated once, the same results written as 24 periods), then the
//! times that matter: reading one run's outputs for every customer (the engine's `previous`),
//! `tierwise history` of one customer, `changes` between the two latest periods, and the
//! view. Slow (a 2 GB database), so ignored by default:
//!
//! ```sh
//! cargo test --release --test history_scale -- --ignored --nocapture
//! ```
//!
//! `TIERWISE_SCALE_DIR` keeps the database between runs (it is built once).

mod common;

use common::run_in;
use std::path::{Path, PathBuf};
use std::time::Instant;
use tierwise::config::OutputTables;
use tierwise::engine::Evaluator;
use tierwise::output::{self, RunFailure, RunInfo, RunTarget};
use tierwise::source::sample::{SampleSpec, generate};
use tierwise::source::{CustomerSource, SqliteSource};
use tierwise::time::{Date, Period, PeriodKind};

const CUSTOMERS: usize = 1_000_000;
const PERIODS: u32 = 24;

/// Builds the database unless it is there: a sample of 1M customers and 24 quarterly runs.
fn build(db: &Path) {
    if db.exists() {
        return;
    }
    let spec = SampleSpec {
        customers: CUSTOMERS,
        seed: 42,
        history: false,
    };
    generate(db, &spec, &mut |_| {}).unwrap();
    // The benchmark's rules: they read a plain customers table (the shipped rules read the
    // bundled config's query over an order history, too large to generate at 1M).
    let rules_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/rules");
    let source_cfg = tierwise::config::Source::Table("customers".into());
    let mut source = SqliteSource::open(db, &source_cfg).unwrap();
    let fields = source.columns().unwrap();
    let (rules, _) = tierwise::rules::load(&rules_dir, &fields, &Default::default()).unwrap();
    let customers = source
        .read("customer_id", Some(&rules.loaded_fields()), &mut |_| {})
        .unwrap();
    let context = tierwise::engine::Context::new(
        tierwise::time::Date::new(2026, 12, 31).unwrap(),
        tierwise::time::PeriodKind::Quarter,
    );
    let evaluator = Evaluator::new(&rules, &customers, context).unwrap();
    let (results, _) = evaluator.evaluate(0..customers.len).unwrap();
    let outputs: Vec<String> = rules.outputs.iter().map(|o| o.name.clone()).collect();
    let declared = tierwise::output::declared_outputs(&rules);
    let tables = OutputTables::default();
    let last = Period::parse("2026-Q4").unwrap();
    for k in (0..PERIODS).rev() {
        let period = last.back(k).unwrap();
        let as_of = period.end();
        let info = RunInfo {
            fingerprint: rules.fingerprint.clone(),
            logic_fingerprint: rules.logic_fingerprint.clone(),
            rules_dir: rules_dir.display().to_string(),
            started_at: format!("{as_of}T00:00:00.000Z"),
            as_of,
            period,
            customers_from: "customers".into(),
            rules_revision: None,
            data_fingerprint: None,
        };
        let target = RunTarget {
            tables: &tables,
            info: &info,
            data: &customers,
            outputs: &outputs,
            declared: &declared,
            rule_ids: &rules.rule_ids,
            orders: &[],
            file: None,
            runs_seen: None,
            rules_read: None,
        };
        let start = Instant::now();
        let written = output::write_run(source.connection(), &target, |sink| {
            sink.send(results.clone());
            Ok::<(), ()>(())
        });
        match written {
            Ok(w) => eprintln!(
                "wrote run {} ({period}) in {:.2} s",
                w.run_id,
                start.elapsed().as_secs_f64()
            ),
            Err(RunFailure::Output(e)) => panic!("{e}"),
            Err(RunFailure::Evaluation(())) => unreachable!(),
        }
    }
}

fn scale_dir() -> (Option<tempfile::TempDir>, PathBuf) {
    match std::env::var_os("TIERWISE_SCALE_DIR") {
        Some(dir) => {
            std::fs::create_dir_all(&dir).unwrap();
            (None, PathBuf::from(dir))
        }
        None => {
            let tmp = tempfile::tempdir().unwrap();
            let path = tmp.path().to_path_buf();
            (Some(tmp), path)
        }
    }
}

/// The best of `n` wall times of `f`, in seconds.
fn best_of(n: usize, mut f: impl FnMut()) -> f64 {
    (0..n)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

#[test]
#[ignore = "builds a 2 GB database; run with --release --ignored"]
fn history_of_24_periods_of_a_million_customers() {
    let (_keep, dir) = scale_dir();
    let db = dir.join("history.db");
    build(&db);
    let rules_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    std::fs::write(
        dir.join("config.yaml"),
        format!("database: history.db\nrules: {}\n", rules_dir.display()),
    )
    .unwrap();
    let size = std::fs::metadata(&db).unwrap().len();
    eprintln!("database: {:.0} MB", size as f64 / 1e6);

    let source_cfg = tierwise::config::Source::Table("customers".into());
    let mut source = SqliteSource::open(&db, &source_cfg).unwrap();
    let conn = source.connection();
    let tables = OutputTables::default();
    let now = Period::parse("2027-Q1").unwrap();
    let runs = output::official_runs_before(conn, &tables, now, 4).unwrap();
    assert_eq!(runs.len(), 4);
    assert_eq!(runs[0].period.to_string(), "2026-Q4");
    assert_eq!(runs[0].as_of, Date::parse("2026-12-31").unwrap());
    let mut rows = 0;
    let read = best_of(3, || {
        let data = output::read_run(conn, &tables, runs[0].run_id, &["tier", "segment"]).unwrap();
        rows = data.len;
    });
    assert_eq!(rows, CUSTOMERS);
    eprintln!("read_run, 1M customers x 2 outputs: {:.3} s", read);
    assert!(read < 0.5, "reading a run took {read:.3} s");
    let kind = output::latest_kind(conn, &tables).unwrap();
    assert_eq!(kind, Some(PeriodKind::Quarter));

    let args = ["--config", "config.yaml", "history", "C-0500000"];
    let history = best_of(5, || {
        run_in(&dir, &args).assert_code(0);
    });
    let out = run_in(&dir, &args);
    eprintln!(
        "{}",
        out.stdout.lines().take(6).collect::<Vec<_>>().join("\n")
    );
    eprintln!(
        "tierwise history (process, 24 periods): {:.1} ms",
        history * 1e3
    );
    assert!(history < 0.05, "history took {:.1} ms", history * 1e3);

    let changes = best_of(1, || {
        run_in(
            &dir,
            &["--config", "config.yaml", "changes", "--output", "tier"],
        )
        .assert_code(0);
    });
    eprintln!("tierwise changes (two latest periods): {changes:.2} s");
    let view = best_of(1, || {
        let n: i64 = conn
            .query_row(
                "SELECT COUNT(rule_ids) FROM customer_policy_latest",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, CUSTOMERS as i64);
    });
    eprintln!("view, every row with its rule ids decoded: {view:.2} s");
}
