//! `tierwise bench`: where the time of a run goes, measured in one process against baselines
//! measured in the same run on the same data.
//!
//! For each population size it generates (once, cached) a sample database and reports the
//! median over `repeat` runs of: each stage alone (read, population, evaluate on 1 thread and
//! on all threads, write), the real `tierwise run` end to end (a child process, so its peak
//! memory is its own), the floor (plainly reading the same rows and writing the same policy
//! rows), and the shipped rules written as one SQL statement (benches/shipped_rules.sql).
//! The floor: a plain `SELECT *` over the customers, and a plain insert loop of the very
//! policy rows the run writes, rendered beforehand: the I/O no engine can avoid. It also
//! reports what a run stores per customer, and what reading the previous period costs
//! (`history.rs`: the same rules plus a damped tier, run for two quarters), what `diff`
//! costs against a run (`diff.rs`), the share of the rules' expressions on the native fast
//! path, a policy script against the same logic in hand-written Rust (`script.rs`, each side
//! timed in a process of its own), and a table written as a grid against the same table with
//! `when:` rows (`grid.rs`).
//!
//! This module runs the sizes and repeats and takes the medians; `measure.rs` holds one
//! function per measurement and the order they run in; `report.rs` prints the table.

mod diff;
mod grid;
mod history;
mod measure;
mod report;
pub mod script;

use super::Globals;
use crate::error::{Error, ExitStatus};
use crate::report::{Format, thousands};
use crate::source::sample::{SampleSpec, generate};
pub use measure::Timings;
use serde::Serialize;
use std::path::{Path, PathBuf};

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
    /// Rules directory. The default is the rule set the README's figures are measured with:
    /// the shipped rules before they read time and history, kept so that figures stay
    /// comparable (benches/shipped_rules.sql is the same policy as one SQL statement).
    #[arg(long, default_value = "benches/rules")]
    pub rules: PathBuf,
    /// Also time every expression in the interpreter (slow).
    #[arg(long)]
    pub interpreter: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Times one side of the policy-script measurement on `--script-db` and prints its time
    /// (the measurement runs each side in a process of its own).
    #[arg(long, value_enum, hide = true, requires = "script_db")]
    pub script_side: Option<script::Side>,
    #[arg(long, hide = true)]
    pub script_db: Option<PathBuf>,
}

pub fn run(args: Args, _globals: &Globals) -> Result<ExitStatus, Error> {
    if let (Some(side), Some(db)) = (args.script_side, &args.script_db) {
        let timings = script::time_script(db, db, 3, Some(side))?;
        println!("{}", script::side_line(side, timings.of(side)));
        return Ok(ExitStatus::Success);
    }
    let rules = args.rules;
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
    /// The median of each measurement over the repeats.
    #[serde(flatten)]
    pub median: Timings,
    pub threads: usize,
}

impl SizeReport {
    /// The median of every measurement over the repeats of one size.
    fn medians(customers: usize, repeats: &[Timings]) -> SizeReport {
        let m = |of: fn(&Timings) -> f64| median(repeats.iter().map(of).collect());
        let m_some = |of: fn(&Timings) -> Option<f64>| {
            let xs: Vec<f64> = repeats.iter().filter_map(of).collect();
            (!xs.is_empty()).then(|| median(xs))
        };
        SizeReport {
            customers,
            median: Timings {
                read: m(|t| t.read),
                population: m(|t| t.population),
                evaluate_1_thread: m(|t| t.evaluate_1_thread),
                evaluate: m(|t| t.evaluate),
                evaluate_interpreter: m_some(|t| t.evaluate_interpreter),
                write: m(|t| t.write),
                run: m(|t| t.run),
                run_peak_memory_mb: m_some(|t| t.run_peak_memory_mb),
                run_bytes_per_customer: m(|t| t.run_bytes_per_customer),
                diff: m(|t| t.diff),
                history: history::HistoryTimings {
                    run_without: m(|t| t.history.run_without),
                    run_with: m(|t| t.history.run_with),
                    read: m(|t| t.history.read),
                    bytes_per_customer: m(|t| t.history.bytes_per_customer),
                },
                floor_read: m(|t| t.floor_read),
                floor_write: m(|t| t.floor_write),
                sql: m(|t| t.sql),
                one_customer_us: m(|t| t.one_customer_us),
                decisions: repeats.last().map_or(0, |t| t.decisions),
                fast_path: repeats.last().map_or((0, 0), |t| t.fast_path),
                script: script::ScriptTimings {
                    engine: m(|t| t.script.engine),
                    engine_constants: m(|t| t.script.engine_constants),
                    rust: m(|t| t.script.rust),
                    mismatches: repeats
                        .iter()
                        .map(|t| t.script.mismatches)
                        .max()
                        .unwrap_or(0),
                },
                grid: grid::GridTimings {
                    when_rows: m(|t| t.grid.when_rows),
                    grid: m(|t| t.grid.grid),
                    mismatches: repeats.iter().map(|t| t.grid.mismatches).max().unwrap_or(0),
                },
            },
            threads: rayon::current_num_threads(),
        }
    }

    pub fn floor(&self) -> f64 {
        self.median.floor_read + self.median.floor_write
    }

    /// Evaluation cost of one decision for one customer, on one thread, in microseconds.
    pub fn micros_per_decision(&self) -> f64 {
        self.median.evaluate_1_thread * 1e6
            / (self.customers.max(1) * self.median.decisions.max(1)) as f64
    }
}

/// The date the benchmark evaluates as of: fixed, so its runs are comparable.
fn context() -> crate::engine::Context {
    let as_of = crate::time::Date::new(2026, 9, 30).expect("a date");
    crate::engine::Context::new(as_of, crate::time::PeriodKind::Month)
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

/// A fresh directory `dir` with the rule files of `rules_dir` (not its subfolders), each
/// file's text passed through `change`.
fn copy_rules(
    rules_dir: &Path,
    dir: &Path,
    change: &dyn Fn(String) -> String,
) -> Result<(), Error> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    for entry in std::fs::read_dir(rules_dir).map_err(io_err(rules_dir))? {
        let path = entry.map_err(io_err(rules_dir))?.path();
        if path.is_file() {
            let to = dir.join(path.file_name().unwrap_or_default());
            let text = std::fs::read_to_string(&path).map_err(io_err(&path))?;
            std::fs::write(&to, change(text)).map_err(io_err(&to))?;
        }
    }
    Ok(())
}

pub fn bench(
    opts: &BenchOptions,
    progress: &mut dyn FnMut(&str),
) -> Result<Vec<SizeReport>, Error> {
    std::fs::create_dir_all(&opts.dir).map_err(io_err(&opts.dir))?;
    let mut reports = Vec::new();
    for &size in &opts.sizes {
        let sample = sample_db(&opts.dir, size, progress)?;
        let work = opts.dir.join(format!("work-{size}.db"));
        let mut repeats = Vec::new();
        for k in 0..opts.repeat {
            progress(&format!(
                "{} customers, repeat {}/{}",
                thousands(size as f64),
                k + 1,
                opts.repeat
            ));
            repeats.push(measure::repeat(
                &sample,
                &work,
                &opts.rules,
                opts.interpreter,
            )?);
        }
        reports.push(SizeReport::medians(size, &repeats));
        let _ = std::fs::remove_file(&work);
    }
    Ok(reports)
}

/// The sample database of `size` customers in `dir`, generated (seed 42) on first use.
pub fn sample_db(
    dir: &Path,
    size: usize,
    progress: &mut dyn FnMut(&str),
) -> Result<PathBuf, Error> {
    let sample = dir.join(format!("sample-{size}.db"));
    if !sample.exists() {
        // `cargo bench --bench script` on a fresh clone has no `target/bench-data` yet.
        std::fs::create_dir_all(dir).map_err(io_err(dir))?;
        progress(&format!("generating {} customers", thousands(size as f64)));
        generate(
            &sample,
            &SampleSpec {
                customers: size,
                seed: 42,
                history: false,
            },
            &mut |_| {},
        )?;
    }
    Ok(sample)
}
