//! One repeat of every measurement on one sample database, each measurement a function.
//!
//! The order is part of the method. The child process runs first, while this process is still
//! small, as a scheduled `tierwise run` would start. The stages then run on one copy of the
//! sample and the floor and SQL baselines on another, so every write starts from the same file.
//! Each function times only its stage: opening, loading rules, building thread pools and
//! rendering rows happen outside the clock.

use super::io_err;
use crate::config::{OutputTables, Source};
use crate::engine::{Evaluator, Mode, Outcomes};
use crate::error::Error;
use crate::output::{self, OutputError, RunFailure, RunInfo, RunTarget};
use crate::rules::{self, RuleSet};
use crate::source::{CustomerSource, Dataset, SqliteSource};
use crate::time::{Date, Period, PeriodKind};
use crate::value::Value;
use crate::workspace::batch::CHUNK;
use rusqlite::Connection;
use rusqlite::types::Value as Sql;
use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

/// The SQL baseline: the shipped rules as one statement.
const SHIPPED_SQL: &str = include_str!("../../../benches/shipped_rules.sql");

/// One repeat's measurements (or their medians), in seconds unless named otherwise.
#[derive(Debug, serde::Serialize)]
pub struct Timings {
    pub read: f64,
    pub population: f64,
    pub evaluate_1_thread: f64,
    pub evaluate: f64,
    /// Only when asked for: it is slow.
    pub evaluate_interpreter: Option<f64>,
    pub write: f64,
    pub run: f64,
    /// The child `tierwise run`'s own report of its peak memory, where the OS tells it.
    pub run_peak_memory_mb: Option<f64>,
    /// How much that run grew the database, per customer (bytes).
    pub run_bytes_per_customer: f64,
    /// The same rules plus a damped tier that reads the previous period: without, then
    /// with an earlier period.
    pub history: super::history::HistoryTimings,
    /// `tierwise diff` of the rules against a changed copy (both evaluated, one pass).
    pub diff: f64,
    pub floor_read: f64,
    pub floor_write: f64,
    pub sql: f64,
    /// Median of one customer evaluated alone, in microseconds.
    pub one_customer_us: f64,
    pub decisions: usize,
    /// Expressions of the rule set on the fast path, and in all.
    pub fast_path: (usize, usize),
    /// A policy script (scores, logarithms, a template) against hand-written Rust.
    pub script: super::script::ScriptTimings,
    /// A table written as a grid against the same table with `when:` rows.
    pub grid: super::grid::GridTimings,
}

/// One repeat of every measurement for one sample database; `work` is overwritten.
pub(super) fn repeat(
    sample: &Path,
    work: &Path,
    rules_dir: &Path,
    interpreter: bool,
) -> Result<Timings, Error> {
    let source = Source::Table("customers".into());
    let child = time_child_run(sample, work, rules_dir)?;
    let history = super::history::time_history(sample, work, rules_dir)?;
    let diff = super::diff::time_diff(sample, work, rules_dir)?;
    fresh_copy(sample, work)?;
    let exe = std::env::current_exe().map_err(io_err(Path::new("tierwise")))?;
    let script = super::script::time_apart(work, work, 1, |side| {
        let mut timing = std::process::Command::new(&exe);
        timing.args(["bench", "--script-side", side.name(), "--script-db"]);
        timing.arg(work);
        timing
    })?;
    let grid = super::grid::time_grid(work, work, 5)?;

    // Each stage alone, on a fresh copy.
    fresh_copy(sample, work)?;
    let mut db = SqliteSource::open(work, &source)?;
    let fields = db.columns()?;
    let (rules, _) = rules::load(rules_dir, &fields, &Default::default())?;
    let (customers, read) = time_read(&db, &rules)?;
    let (evaluator, population) = time_population(&rules, &customers)?;
    let one_customer_us = time_one_customer(&evaluator)?;
    let evaluate_1_thread = time_evaluate_1_thread(&evaluator)?;
    let (results, evaluate) = time_evaluate(&evaluator)?;
    let evaluate_interpreter = if interpreter {
        Some(time_interpreter(&rules, &customers)?)
    } else {
        None
    };
    // The floor's write: the same policy rows, rendered beforehand, in a plain insert loop.
    let rows = render_rows(&results, &customers, &rules.rule_ids);
    let write = time_write(db.connection(), &rules, rules_dir, &customers, results)?;
    drop(db);
    drop(evaluator);

    // The floor and the SQL baseline, on another fresh copy.
    fresh_copy(sample, work)?;
    let mut db = SqliteSource::open(work, &source)?;
    let conn = db.connection();
    let (ids, floor_read) = time_floor_read(conn, customers.len)?;
    let floor_write = time_floor_write(conn, &rows)?;
    std::hint::black_box(&ids);
    drop(rows);
    let sql = time_sql(conn)?;
    drop(db);

    Ok(Timings {
        read,
        population,
        evaluate_1_thread,
        evaluate,
        evaluate_interpreter,
        write,
        run: child.seconds,
        run_peak_memory_mb: child.peak_memory_mb,
        run_bytes_per_customer: child.bytes_per_customer,
        history,
        diff,
        floor_read,
        floor_write,
        sql,
        one_customer_us,
        decisions: rules.decisions.len(),
        fast_path: super::script::fast_path(&rules),
        script,
        grid,
    })
}

/// Seconds since `start`.
fn since(start: Instant) -> f64 {
    start.elapsed().as_secs_f64()
}

/// The real command, end to end, in a child process (so its peak memory is its own), on a
/// fresh copy of the sample.
fn time_child_run(sample: &Path, work: &Path, rules_dir: &Path) -> Result<ChildRun, Error> {
    fresh_copy(sample, work)?;
    child_run(work, rules_dir, "", &[])
}

/// What one `tierwise run` in a child process took.
pub(super) struct ChildRun {
    pub seconds: f64,
    /// Its own report of its peak memory, where the OS tells it.
    pub peak_memory_mb: Option<f64>,
    /// Its own report of the time it took to read the earlier periods.
    pub history_seconds: f64,
    /// How much the database file grew, per customer.
    pub bytes_per_customer: f64,
}

/// `tierwise run <args>` on `work` with the rules of `rules_dir` (and `config` added to its
/// config file), in a child process.
pub(super) fn child_run(
    work: &Path,
    rules_dir: &Path,
    config_extra: &str,
    args: &[&str],
) -> Result<ChildRun, Error> {
    let size = || std::fs::metadata(work).map_or(0, |m| m.len());
    let before = size();
    let command = [&["run", "--format", "json"][..], args].concat();
    let (seconds, stdout) = child(work, rules_dir, config_extra, &command)?;
    let report: serde_json::Value = serde_json::from_slice(&stdout).unwrap_or_default();
    let customers = report["customers"].as_f64().unwrap_or(0.0).max(1.0);
    Ok(ChildRun {
        seconds,
        peak_memory_mb: report["peak_memory_mb"].as_f64(),
        history_seconds: report["seconds"]["history"].as_f64().unwrap_or(0.0),
        bytes_per_customer: size().saturating_sub(before) as f64 / customers,
    })
}

/// `tierwise <command>` on `work` with the rules of `rules_dir` (and `config_extra` added
/// to its config file), in a child process: its seconds and its stdout.
pub(super) fn child(
    work: &Path,
    rules_dir: &Path,
    config_extra: &str,
    command: &[&str],
) -> Result<(f64, Vec<u8>), Error> {
    let config = work.with_extension("yaml");
    let rules_abs = std::fs::canonicalize(rules_dir).map_err(io_err(rules_dir))?;
    std::fs::write(
        &config,
        format!(
            "database: {}\nrules: {}\n{config_extra}",
            serde_json::to_string(&work.file_name().unwrap_or_default().to_string_lossy())
                .unwrap_or_default(),
            serde_json::to_string(&rules_abs.display().to_string()).unwrap_or_default()
        ),
    )
    .map_err(io_err(&config))?;
    let exe = std::env::current_exe().map_err(io_err(Path::new("tierwise")))?;
    let start = Instant::now();
    let out = std::process::Command::new(exe)
        .arg("--threads")
        .arg(rayon::current_num_threads().to_string())
        .args(["--config"])
        .arg(&config)
        .args(command)
        .output()
        .map_err(io_err(&config))?;
    let seconds = since(start);
    let _ = std::fs::remove_file(&config);
    if !out.status.success() {
        return Err(Error::Io {
            what: format!("bench: the timed `tierwise {}` failed", command[0]),
            source: std::io::Error::other(String::from_utf8_lossy(&out.stderr).into_owned()),
        });
    }
    Ok((seconds, out.stdout))
}

/// Reading the customers, only the columns the rules use.
fn time_read(db: &SqliteSource, rules: &RuleSet) -> Result<(Dataset, f64), Error> {
    let start = Instant::now();
    let customers = db.read("customer_id", Some(&rules.loaded_fields()), &mut |_| {});
    let seconds = since(start);
    Ok((customers?, seconds))
}

/// The population figures (ranks, shares) the rules need before any customer is evaluated.
fn time_population<'a>(
    rules: &'a RuleSet,
    customers: &'a Dataset,
) -> Result<(Evaluator<'a>, f64), Error> {
    let start = Instant::now();
    let evaluator = Evaluator::new(rules, customers, super::context());
    let seconds = since(start);
    Ok((evaluator?, seconds))
}

/// One customer at a time, as `explain` and `serve` evaluate: the median of 1,000 spread over
/// the population, in microseconds.
fn time_one_customer(evaluator: &Evaluator<'_>) -> Result<f64, Error> {
    let n = evaluator.data.len;
    let step = (n / 1000).max(1);
    let mut single = Vec::new();
    for i in (0..n).step_by(step).take(1000) {
        let start = Instant::now();
        std::hint::black_box(evaluator.evaluate_one(i)?);
        single.push(since(start) * 1e6);
    }
    Ok(super::median(single))
}

/// Every customer on a pool of one thread.
fn time_evaluate_1_thread(evaluator: &Evaluator<'_>) -> Result<f64, Error> {
    let one_thread = crate::threads::pool(1, "bench").map_err(|e| Error::Io {
        what: "cannot start a thread pool".into(),
        source: std::io::Error::other(e),
    })?;
    let start = Instant::now();
    drop(one_thread.install(|| evaluate_all(evaluator))?);
    Ok(since(start))
}

/// Every customer on all threads; the outcomes are what the write stage writes.
fn time_evaluate<'a>(evaluator: &Evaluator<'a>) -> Result<(Vec<Outcomes<'a>>, f64), Error> {
    let start = Instant::now();
    let results = evaluate_all(evaluator);
    let seconds = since(start);
    Ok((results?, seconds))
}

/// Every customer on all threads with every expression in the interpreter (no fast path).
fn time_interpreter(rules: &RuleSet, customers: &Dataset) -> Result<f64, Error> {
    let slow = Evaluator::with_mode(rules, customers, super::context(), Mode::Interpreter)?;
    let start = Instant::now();
    drop(evaluate_all(&slow)?);
    Ok(since(start))
}

/// The evaluated chunks through the run writer, alone.
fn time_write(
    conn: &mut Connection,
    rules: &RuleSet,
    rules_dir: &Path,
    customers: &Dataset,
    results: Vec<Outcomes<'_>>,
) -> Result<f64, Error> {
    let tables = OutputTables::default();
    let outputs: Vec<String> = rules.outputs.iter().map(|o| o.name.clone()).collect();
    let started_at = output::now(conn);
    let as_of = Date::parse(&started_at).unwrap_or(Date(0));
    let info = RunInfo {
        fingerprint: rules.fingerprint.clone(),
        logic_fingerprint: rules.logic_fingerprint.clone(),
        rules_dir: rules_dir.display().to_string(),
        started_at,
        as_of,
        period: Period::containing(PeriodKind::default(), as_of),
        customers_from: "customers".into(),
        rules_revision: None,
        data_fingerprint: None,
    };
    let target = RunTarget {
        tables: &tables,
        info: &info,
        data: customers,
        outputs: &outputs,
        declared: &output::declared_outputs(rules),
        rule_ids: &rules.rule_ids,
        orders: &[],
        file: None,
        runs_seen: None,
        rules_read: None,
    };
    let start = Instant::now();
    let written = output::write_run(conn, &target, |sink| {
        for chunk in results {
            if !sink.send(chunk) {
                break;
            }
        }
        Ok::<(), Error>(())
    });
    let seconds = since(start);
    match written {
        Ok(_) => Ok(seconds),
        Err(RunFailure::Evaluation(e)) => Err(e),
        Err(RunFailure::Output(e)) => Err(e.into()),
    }
}

/// The floor's read: a plain `SELECT *` over the customers, touching every value. Returns the
/// ids, which the caller keeps alive through the floor's write as a run keeps its data.
fn time_floor_read(conn: &Connection, customers: usize) -> Result<(Vec<String>, f64), Error> {
    let start = Instant::now();
    let mut ids = Vec::with_capacity(customers);
    let mut stmt = conn
        .prepare("SELECT * FROM customers")
        .map_err(sql_err("customers"))?;
    let n = stmt.column_count();
    let mut rows = stmt.query([]).map_err(sql_err("customers"))?;
    let mut bytes = 0usize;
    while let Some(row) = rows.next().map_err(sql_err("customers"))? {
        for i in 0..n {
            if let Ok(v) = row.get_ref(i) {
                bytes += v.as_bytes().map_or(8, <[u8]>::len);
            }
        }
        ids.push(row.get::<_, String>(0).unwrap_or_default());
    }
    std::hint::black_box(bytes);
    // Finishing the statement is part of the read.
    drop(rows);
    drop(stmt);
    Ok((ids, since(start)))
}

/// The floor's write: the rendered policy rows in a plain insert loop.
fn time_floor_write(conn: &Connection, rows: &Rendered) -> Result<f64, Error> {
    let start = Instant::now();
    floor_write(conn, rows).map_err(sql_err("floor_out"))?;
    Ok(since(start))
}

/// The same rules as one SQL statement (benches/shipped_rules.sql).
fn time_sql(conn: &Connection) -> Result<f64, Error> {
    let start = Instant::now();
    conn.execute_batch(SHIPPED_SQL)
        .map_err(sql_err("sql_policy"))?;
    Ok(since(start))
}

/// Every customer's outcome, chunk by chunk as `run` evaluates them.
fn evaluate_all<'a>(ev: &Evaluator<'a>) -> Result<Vec<Outcomes<'a>>, Error> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < ev.data.len {
        let end = (start + CHUNK).min(ev.data.len);
        out.push(ev.evaluate(start..end)?.0);
        start = end;
    }
    Ok(out)
}

/// The policy rows a run writes, as plain SQLite values (`customer_id`, the number of the
/// customer's list of fired rules, the outputs), and the run's distinct lists of fired rules
/// as stored: the floor writes exactly these.
struct Rendered {
    rows: Vec<Vec<Sql>>,
    lists: Vec<String>,
    /// Per output: every value is a decimal (the column is declared `DECIMAL`, as the run
    /// declares an output that is always a decimal).
    decimal: Vec<bool>,
}

fn render_rows(results: &[Outcomes<'_>], data: &Dataset, rule_ids: &[String]) -> Rendered {
    let mut rows = Vec::with_capacity(data.len);
    let mut numbers: HashMap<Vec<u32>, i64> = HashMap::new();
    let mut lists = Vec::new();
    let mut decimal: Option<Vec<bool>> = None;
    for chunk in results {
        for o in chunk.iter() {
            let decimal = decimal.get_or_insert_with(|| vec![true; o.outputs.len()]);
            let mut row = Vec::with_capacity(o.outputs.len() + 2);
            row.push(Sql::Text(data.id_text(o.index)));
            let fired = *numbers.entry(o.fired.to_vec()).or_insert_with(|| {
                let ids: Vec<&str> = o
                    .fired
                    .iter()
                    .map(|&r| rule_ids[r as usize].as_str())
                    .collect();
                lists.push(serde_json::to_string(&ids).unwrap_or_default());
                lists.len() as i64 - 1
            });
            row.push(Sql::Integer(fired));
            for (k, v) in o.outputs.iter().enumerate() {
                decimal[k] &= matches!(v, Value::Float(_) | Value::Null);
                row.push(match v {
                    Value::Null => Sql::Null,
                    Value::Bool(b) => Sql::Integer(*b as i64),
                    Value::Int(i) => Sql::Integer(*i),
                    Value::Float(f) => Sql::Real(*f),
                    other => match other.as_str() {
                        Some(s) => Sql::Text(s.to_owned()),
                        None => Sql::Text(other.to_json().to_string()),
                    },
                });
            }
            rows.push(row);
        }
    }
    Rendered {
        rows,
        lists,
        decimal: decimal.unwrap_or_default(),
    }
}

/// Inserts the rendered rows in one transaction into tables shaped like `customer_policy`
/// (`WITHOUT ROWID`, `DECIMAL` where the run declares it) and its lists of fired rules: the
/// cost of storing the results, without computing them.
fn floor_write(conn: &Connection, rendered: &Rendered) -> rusqlite::Result<()> {
    let columns: Vec<String> = rendered
        .decimal
        .iter()
        .enumerate()
        .map(|(i, &decimal)| format!("c{i}{}", if decimal { " DECIMAL" } else { "" }))
        .collect();
    conn.execute_batch(&format!(
        "CREATE TABLE floor_out (run_id INTEGER NOT NULL, customer_id NOT NULL,
             fired INTEGER NOT NULL, {}, PRIMARY KEY (run_id, customer_id)) WITHOUT ROWID;
         CREATE TABLE floor_fired (run_id INTEGER NOT NULL, fired INTEGER NOT NULL,
             rule_ids TEXT NOT NULL, PRIMARY KEY (run_id, fired)) WITHOUT ROWID;",
        columns.join(", ")
    ))?;
    conn.execute_batch("BEGIN IMMEDIATE")?;
    {
        let sql = format!(
            "INSERT INTO floor_out VALUES (?1, {})",
            (2..=columns.len() + 3)
                .map(|i| format!("?{i}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let mut stmt = conn.prepare(&sql)?;
        for row in &rendered.rows {
            stmt.raw_bind_parameter(1, 1)?;
            for (k, v) in row.iter().enumerate() {
                stmt.raw_bind_parameter(k + 2, v)?;
            }
            stmt.raw_execute()?;
        }
        let mut stmt = conn.prepare("INSERT INTO floor_fired VALUES (1, ?1, ?2)")?;
        for (n, list) in rendered.lists.iter().enumerate() {
            stmt.execute(rusqlite::params![n as i64, list])?;
        }
    }
    conn.execute_batch("COMMIT")
}

/// A fresh copy of the sample database, so every timed write starts from the same file.
/// The copy is flushed to disk first: otherwise the kernel's writeback of it competes with,
/// and is billed to, whatever is timed next.
pub(super) fn fresh_copy(sample: &Path, work: &Path) -> Result<(), Error> {
    let _ = std::fs::remove_file(work);
    std::fs::copy(sample, work).map_err(io_err(work))?;
    std::fs::File::open(work)
        .and_then(|f| f.sync_all())
        .map_err(io_err(work))?;
    Ok(())
}

fn sql_err(what: &str) -> impl Fn(rusqlite::Error) -> Error + '_ {
    move |source| {
        Error::Output(OutputError::Write {
            what: what.to_owned(),
            source,
        })
    }
}
