//! `tierwise bench`: where the time of a run goes, measured in one process against baselines
//! measured in the same run on the same data.
//!
//! For each population size it generates (once, cached) a sample database and reports the
//! median over `repeat` runs of: each stage alone (read, population, evaluate on 1 thread and
//! on all threads, write), the real `tierwise run` end to end (a child process, so its peak
//! memory is its own), the floor (plainly reading the same rows and writing the same policy
//! rows), and the shipped rules written as one SQL statement (benches/shipped_rules.sql).
//! The floor: a plain `SELECT *` over the customers, and a plain insert loop of the very
//! policy rows the run writes, rendered beforehand: the I/O no engine can avoid.

use super::Globals;
use crate::config::{OutputTables, Source};
use crate::engine::{Evaluator, Mode, Outcomes};
use crate::error::{Error, ExitStatus};
use crate::output::{self, OutputError, RunFailure, RunInfo, RunTarget};
use crate::report::{Format, Report, plural, thousands};
use crate::rules;
use crate::source::sample::{SampleSpec, generate};
use crate::source::{CustomerSource, Dataset, SqliteSource};
use crate::workspace::batch::CHUNK;
use crate::workspace::{Overrides, Workspace};
use serde::Serialize;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Measure where a run's time goes, against baselines measured in the same run.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Population sizes, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "10000,100000,1000000")]
    pub customers: Vec<usize>,
    /// Repeats per size (the median is reported).
    #[arg(long, default_value_t = 3)]
    pub repeat: usize,
    /// Where the generated sample databases are kept between runs.
    #[arg(long, default_value = "target/bench-data")]
    pub dir: PathBuf,
    /// Rules directory (default: the config's `rules`).
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Also time every expression in the interpreter (slow).
    #[arg(long)]
    pub interpreter: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

pub fn run(args: Args, globals: &Globals) -> Result<ExitStatus, Error> {
    let rules = match args.rules {
        Some(dir) => dir,
        None => Workspace::new(&globals.config, &Overrides::default())?.rules_dir,
    };
    let opts = BenchOptions {
        sizes: args.customers,
        repeat: args.repeat.max(1),
        dir: args.dir,
        rules,
        interpreter: args.interpreter,
    };
    let reports = BenchReport(bench(&opts, &mut |msg| eprintln!("bench: {msg}"))?);
    crate::report::print(&reports, args.format);
    Ok(ExitStatus::Success)
}

/// Every size's medians.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct BenchReport(pub Vec<SizeReport>);

/// The SQL baseline: the shipped rules as one statement.
const SHIPPED_SQL: &str = include_str!("../../benches/shipped_rules.sql");

pub struct BenchOptions {
    pub sizes: Vec<usize>,
    pub repeat: usize,
    /// Where sample databases are kept between runs.
    pub dir: PathBuf,
    pub rules: PathBuf,
    /// Also time the interpreter-only evaluation (slow: every expression in rhai).
    pub interpreter: bool,
}

/// Medians, in seconds, for one population size.
#[derive(Debug, Serialize)]
pub struct SizeReport {
    pub customers: usize,
    pub read: f64,
    pub population: f64,
    pub evaluate_1_thread: f64,
    pub evaluate: f64,
    pub evaluate_interpreter: Option<f64>,
    pub write: f64,
    pub run: f64,
    pub run_peak_memory_mb: Option<f64>,
    pub floor_read: f64,
    pub floor_write: f64,
    pub sql: f64,
    /// One customer evaluated alone (as `explain` and `serve` do), in microseconds.
    pub one_customer_us: f64,
    pub decisions: usize,
    pub threads: usize,
}

impl SizeReport {
    pub fn floor(&self) -> f64 {
        self.floor_read + self.floor_write
    }

    /// Evaluation cost of one decision for one customer, on one thread, in microseconds.
    pub fn micros_per_decision(&self) -> f64 {
        self.evaluate_1_thread * 1e6 / (self.customers.max(1) * self.decisions.max(1)) as f64
    }
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs.get(xs.len() / 2).copied().unwrap_or(0.0)
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        what: format!("bench: {}", path.display()),
        source,
    }
}

fn sql_err(what: &str) -> impl Fn(rusqlite::Error) -> Error + '_ {
    move |source| {
        Error::Output(OutputError::Write {
            what: what.to_owned(),
            source,
        })
    }
}

/// A fresh copy of the sample database, so every timed write starts from the same file.
/// The copy is flushed to disk first: otherwise the kernel's writeback of it competes with,
/// and is billed to, whatever is timed next.
fn fresh_copy(sample: &Path, work: &Path) -> Result<(), Error> {
    let _ = std::fs::remove_file(work);
    std::fs::copy(sample, work).map_err(io_err(work))?;
    std::fs::File::open(work)
        .and_then(|f| f.sync_all())
        .map_err(io_err(work))?;
    Ok(())
}

pub fn bench(
    opts: &BenchOptions,
    progress: &mut dyn FnMut(&str),
) -> Result<Vec<SizeReport>, Error> {
    std::fs::create_dir_all(&opts.dir).map_err(io_err(&opts.dir))?;
    let mut reports = Vec::new();
    for &size in &opts.sizes {
        let sample = opts.dir.join(format!("sample-{size}.db"));
        if !sample.exists() {
            progress(&format!("generating {} customers", thousands(size as f64)));
            generate(
                &sample,
                &SampleSpec {
                    customers: size,
                    seed: 42,
                },
                &mut |_| {},
            )?;
        }
        let work = opts.dir.join(format!("work-{size}.db"));
        let mut runs: Vec<Vec<f64>> = vec![Vec::new(); 11];
        let mut peak = Vec::new();
        let mut decisions = 0;
        for k in 0..opts.repeat {
            progress(&format!(
                "{} customers, repeat {}/{}",
                thousands(size as f64),
                k + 1,
                opts.repeat
            ));
            let t = stages(&sample, &work, &opts.rules, opts.interpreter)?;
            decisions = t.decisions;
            for (i, v) in t.seconds.iter().enumerate() {
                runs[i].push(*v);
            }
            if let Some(m) = t.peak_memory_mb {
                peak.push(m);
            }
        }
        let m = |i: usize| median(runs[i].clone());
        reports.push(SizeReport {
            customers: size,
            read: m(0),
            population: m(1),
            evaluate_1_thread: m(2),
            evaluate: m(3),
            evaluate_interpreter: opts.interpreter.then(|| m(4)),
            write: m(5),
            run: m(6),
            run_peak_memory_mb: (!peak.is_empty()).then(|| median(peak)),
            floor_read: m(7),
            floor_write: m(8),
            sql: m(9),
            one_customer_us: m(10),
            decisions,
            threads: rayon::current_num_threads(),
        });
        let _ = std::fs::remove_file(&work);
    }
    Ok(reports)
}

struct Timings {
    /// read, population, evaluate 1 thread, evaluate, evaluate interpreter, write, run,
    /// floor read, floor write, sql, one customer (µs)
    seconds: [f64; 11],
    peak_memory_mb: Option<f64>,
    decisions: usize,
}

/// One repeat of every measurement for one sample database.
fn stages(
    sample: &Path,
    work: &Path,
    rules_dir: &Path,
    interpreter: bool,
) -> Result<Timings, Error> {
    let mut s = [0.0; 11];
    let source = Source::Table("customers".into());
    let tables = OutputTables::default();

    // The real command, end to end, in a child process: first, while this process is
    // still small, as a scheduled `tierwise run` would start.
    fresh_copy(sample, work)?;
    let config = work.with_extension("yaml");
    let rules_abs = std::fs::canonicalize(rules_dir).map_err(io_err(rules_dir))?;
    std::fs::write(
        &config,
        format!(
            "database: {}\nrules: {}\n",
            serde_json::to_string(&work.file_name().unwrap_or_default().to_string_lossy())
                .unwrap_or_default(),
            serde_json::to_string(&rules_abs.display().to_string()).unwrap_or_default()
        ),
    )
    .map_err(io_err(&config))?;
    let exe = std::env::current_exe().map_err(io_err(Path::new("tierwise")))?;
    let t = Instant::now();
    let out = std::process::Command::new(exe)
        .arg("--threads")
        .arg(rayon::current_num_threads().to_string())
        .args(["--config"])
        .arg(&config)
        .args(["run", "--format", "json"])
        .output()
        .map_err(io_err(&config))?;
    s[6] = t.elapsed().as_secs_f64();
    if !out.status.success() {
        return Err(Error::Io {
            what: "bench: the timed `tierwise run` failed".into(),
            source: std::io::Error::other(String::from_utf8_lossy(&out.stderr).into_owned()),
        });
    }
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let peak_memory_mb = report["peak_memory_mb"].as_f64();

    fresh_copy(sample, work)?;
    let mut db = SqliteSource::open(work, &source)?;
    let fields = db.columns()?;
    let (rules, _) = rules::load(rules_dir, &fields, &Default::default())?;

    let t = Instant::now();
    let customers = db.read("customer_id", Some(&rules.loaded_fields()), &mut |_| {})?;
    s[0] = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let evaluator = Evaluator::new(&rules, &customers)?;
    s[1] = t.elapsed().as_secs_f64();

    // One customer at a time, as `explain` and `serve` evaluate: the median of 1,000.
    let step = (customers.len / 1000).max(1);
    let mut single = Vec::new();
    for i in (0..customers.len).step_by(step).take(1000) {
        let t = Instant::now();
        std::hint::black_box(evaluator.evaluate_one(i)?);
        single.push(t.elapsed().as_secs_f64() * 1e6);
    }
    s[10] = median(single);

    let one_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .map_err(|e| Error::Io {
            what: "cannot start a thread pool".into(),
            source: std::io::Error::other(e),
        })?;
    let t = Instant::now();
    drop(one_thread.install(|| evaluate_all(&evaluator))?);
    s[2] = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let results = evaluate_all(&evaluator)?;
    s[3] = t.elapsed().as_secs_f64();

    if interpreter {
        let slow = Evaluator::with_mode(&rules, &customers, Mode::Interpreter)?;
        let t = Instant::now();
        drop(evaluate_all(&slow)?);
        s[4] = t.elapsed().as_secs_f64();
    }

    // The floor's write: the same policy rows, rendered beforehand, in a plain insert loop.
    let rows = render_rows(&results, &customers, &rules.rule_ids);

    // Write alone: the evaluated chunks through the run writer.
    let outputs: Vec<String> = rules.outputs.iter().map(|o| o.name.clone()).collect();
    let info = RunInfo {
        fingerprint: rules.fingerprint.clone(),
        rules_dir: rules_dir.display().to_string(),
        started_at: output::now(db.connection()),
    };
    let target = RunTarget {
        tables: &tables,
        info: &info,
        data: &customers,
        outputs: &outputs,
        rule_ids: &rules.rule_ids,
        file: None,
    };
    let t = Instant::now();
    let written = output::write_run(db.connection(), &target, |sink| {
        for chunk in results {
            if !sink.send(chunk) {
                break;
            }
        }
        Ok::<(), Error>(())
    });
    s[5] = t.elapsed().as_secs_f64();
    match written {
        Ok(_) => {}
        Err(RunFailure::Evaluation(e)) => return Err(e),
        Err(RunFailure::Output(e)) => return Err(e.into()),
    }
    drop(db);
    drop(evaluator);
    let decisions = rules.decisions.len();
    let columns = outputs.len() + 3;

    // Floor: read the same rows plainly, insert the same policy rows plainly.
    fresh_copy(sample, work)?;
    let mut db = SqliteSource::open(work, &source)?;
    let conn = db.connection();
    let t = Instant::now();
    let mut ids = Vec::with_capacity(customers.len);
    {
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
    }
    s[7] = t.elapsed().as_secs_f64();
    let t = Instant::now();
    floor_write(conn, &rows, columns).map_err(sql_err("floor_out"))?;
    s[8] = t.elapsed().as_secs_f64();
    std::hint::black_box(&ids);
    drop(rows);

    // The same rules as one SQL statement.
    let t = Instant::now();
    conn.execute_batch(SHIPPED_SQL)
        .map_err(sql_err("sql_policy"))?;
    s[9] = t.elapsed().as_secs_f64();
    drop(db);
    let _ = std::fs::remove_file(&config);
    Ok(Timings {
        seconds: s,
        peak_memory_mb,
        decisions,
    })
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

/// The policy rows a run writes, as plain SQLite values: the floor writes exactly these.
fn render_rows(
    results: &[Outcomes<'_>],
    data: &Dataset,
    rule_ids: &[String],
) -> Vec<Vec<rusqlite::types::Value>> {
    use rusqlite::types::Value as Sql;
    let mut rows = Vec::with_capacity(data.len);
    for chunk in results {
        for o in chunk.iter() {
            let mut row = Vec::with_capacity(o.outputs.len() + 2);
            row.push(Sql::Text(data.id_text(o.index)));
            for v in o.outputs {
                row.push(match v {
                    crate::value::Value::Null => Sql::Null,
                    crate::value::Value::Bool(b) => Sql::Integer(*b as i64),
                    crate::value::Value::Int(i) => Sql::Integer(*i),
                    crate::value::Value::Float(f) => Sql::Real(*f),
                    other => match other.as_str() {
                        Some(s) => Sql::Text(s.to_owned()),
                        None => Sql::Text(other.to_json().to_string()),
                    },
                });
            }
            let ids: Vec<&str> = o
                .fired
                .iter()
                .map(|&r| rule_ids[r as usize].as_str())
                .collect();
            row.push(Sql::Text(serde_json::to_string(&ids).unwrap_or_default()));
            rows.push(row);
        }
    }
    rows
}

/// Inserts the rendered rows in one transaction into a table shaped like
/// `customer_policy`: the cost of storing the results, without computing them.
fn floor_write(
    conn: &rusqlite::Connection,
    rows: &[Vec<rusqlite::types::Value>],
    columns: usize,
) -> rusqlite::Result<()> {
    let names: Vec<String> = (0..columns.saturating_sub(2))
        .map(|i| format!("c{i}"))
        .collect();
    conn.execute_batch(&format!(
        "CREATE TABLE floor_out (run_id INTEGER NOT NULL, customer_id NOT NULL, {},
         PRIMARY KEY (run_id, customer_id))",
        names.join(", ")
    ))?;
    conn.execute_batch("BEGIN IMMEDIATE")?;
    {
        let sql = format!(
            "INSERT INTO floor_out VALUES (?1, {})",
            (2..=columns)
                .map(|i| format!("?{i}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let mut stmt = conn.prepare(&sql)?;
        for row in rows {
            stmt.raw_bind_parameter(1, 1)?;
            for (k, v) in row.iter().enumerate() {
                stmt.raw_bind_parameter(k + 2, v)?;
            }
            stmt.raw_execute()?;
        }
    }
    conn.execute_batch("COMMIT")
}

impl Report for BenchReport {
    fn text(&self, out: &mut dyn Write, _color: bool) -> io::Result<()> {
        print(&self.0, out)
    }
}

fn print(reports: &[SizeReport], out: &mut dyn Write) -> io::Result<()> {
    let Some(first) = reports.first() else {
        return Ok(());
    };
    writeln!(
        out,
        "median seconds; {} decisions; evaluation on {} unless noted\n",
        first.decisions,
        plural(first.threads, "thread")
    )?;
    writeln!(
        out,
        "{:>10} {:>6} {:>6} {:>9} {:>9} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>8} {:>8} {:>6}",
        "customers",
        "read",
        "popul.",
        "eval 1t",
        "eval",
        "write",
        "run",
        "MB",
        "floor",
        "run/fl",
        "SQL",
        "run/SQL",
        "µs/dec",
        "µs/1"
    )?;
    for r in reports {
        writeln!(
            out,
            "{:>10} {:>6.3} {:>6.3} {:>9.3} {:>9.3} {:>7.3} {:>7.3} {:>7} {:>7.3} {:>7.2} {:>7.3} {:>8.2} {:>8.3} {:>6.1}",
            thousands(r.customers as f64),
            r.read,
            r.population,
            r.evaluate_1_thread,
            r.evaluate,
            r.write,
            r.run,
            r.run_peak_memory_mb
                .map_or("-".into(), |m| format!("{m:.0}")),
            r.floor(),
            r.run / r.floor().max(1e-9),
            r.sql,
            r.run / r.sql.max(1e-9),
            r.micros_per_decision(),
            r.one_customer_us,
        )?;
    }
    if reports.iter().any(|r| r.evaluate_interpreter.is_some()) {
        writeln!(
            out,
            "\ninterpreter only (every expression in rhai), all threads:"
        )?;
        for r in reports {
            if let Some(t) = r.evaluate_interpreter {
                writeln!(
                    out,
                    "{:>10} {:>9.3} s ({:.1}x the fast path)",
                    thousands(r.customers as f64),
                    t,
                    t / r.evaluate.max(1e-9)
                )?;
            }
        }
    }
    writeln!(
        out,
        "\nread/popul./eval/write: each stage alone; run: `tierwise run` end to end (a child process; MB = its peak memory);\nfloor: plain read of the same customer rows + plain insert of the same policy rows, pre-rendered; SQL: benches/shipped_rules.sql;\nµs/dec: evaluation time per customer per decision on one thread; µs/1: one customer evaluated alone (explain, serve)."
    )
}
