//! `tierwise run`: evaluate every customer and write their policies as one run.

use super::{Format, shown, thousands};
use crate::Error;
use crate::config::Config;
use crate::data::output::{self, FileFormat, Message, RunInfo};
use crate::data::sample::{SampleSpec, generate};
use crate::data::{self, DataError};
use crate::engine::{Evaluator, Tally};
use crate::rules::{self, RuleSet};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Customers evaluated per chunk: results of one chunk are written while the next is
/// evaluated, so memory stays bounded whatever the population size.
pub const CHUNK: usize = 65_536;

#[derive(Debug, Default, Clone)]
pub struct RunOptions {
    /// Another database than the config's (never replaced by sample data when missing).
    pub database: Option<PathBuf>,
    pub rules: Option<PathBuf>,
    /// Also write the policies to this .csv or .jsonl file.
    pub out: Option<PathBuf>,
}

/// What a run did, for the summary.
#[derive(Debug, Serialize)]
pub struct RunReport {
    pub run_id: i64,
    pub customers: usize,
    pub fingerprint: String,
    pub database: PathBuf,
    pub policy_table: String,
    pub out: Option<PathBuf>,
    /// Per `count_by` output: customers per value, in display order.
    pub counts: Vec<(String, Vec<(String, usize)>)>,
    pub totals: Vec<(String, f64)>,
    /// Seconds per stage: read, population, evaluate+write, total.
    pub seconds: Vec<(String, f64)>,
    /// The process's peak resident memory, where the OS tells it (Linux).
    pub peak_memory_mb: Option<f64>,
}

/// Peak resident memory of this process in MB (`VmHWM`), on Linux.
pub fn peak_memory_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some((kb / 1024.0 * 10.0).round() / 10.0)
}

pub fn progress_bar(len: u64, what: &str) -> ProgressBar {
    // Only long runs get a bar; indicatif hides it when stderr is not a terminal.
    if len < 100_000 {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{msg:>12} [{bar:40}] {human_pos}/{human_len} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(what.to_owned());
    bar
}

/// Loads the rules against the source's columns, printing warnings to stderr.
pub fn load_rules(
    config: &Config,
    rules_dir: &std::path::Path,
    conn: &rusqlite::Connection,
) -> Result<RuleSet, Error> {
    let fields = data::source_columns(conn, &config.source)?;
    let (rules, warnings) = rules::load(rules_dir, &fields, &config.limits)?;
    for w in warnings {
        eprintln!("{w}\n");
    }
    Ok(rules)
}

/// Every customer of the source, with the columns the rules read.
pub fn read_customers(
    config: &Config,
    conn: &rusqlite::Connection,
    rules: &RuleSet,
) -> Result<data::Dataset, Error> {
    Ok(data::read_customers(
        conn,
        &config.source,
        &config.id_column,
        Some(&rules.loaded_fields()),
        &mut |_| {},
    )?)
}

/// The database to use: the one given, or the config's, generated as sample data when the
/// config allows it and it does not exist yet.
pub fn database(config: &Config, given: Option<&PathBuf>) -> Result<PathBuf, Error> {
    if let Some(path) = given {
        return Ok(path.clone());
    }
    let path = config.database.clone();
    if !path.exists()
        && let Some(sample) = &config.sample
    {
        eprintln!(
            "no database at {}: generating a sample of {} customers (seed {})",
            path.display(),
            thousands(sample.customers as f64),
            sample.seed
        );
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|source| DataError::File {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let spec = SampleSpec {
            customers: sample.customers,
            seed: sample.seed,
        };
        let bar = progress_bar(sample.customers as u64, "generating");
        generate(&path, &spec, &mut |n| bar.set_position(n as u64))?;
        bar.finish_and_clear();
    }
    Ok(path)
}

pub fn run(config: &Config, opts: &RunOptions) -> Result<RunReport, Error> {
    let start = Instant::now();
    if let Some(out) = &opts.out
        && FileFormat::from_path(out).is_none()
    {
        return Err(Error::Usage(format!(
            "--out {}: the file name must end in .csv or .jsonl",
            out.display()
        )));
    }
    if let Some(out) = &opts.out
        && let Some(dir) = out.parent()
        && !dir.as_os_str().is_empty()
        && !dir.is_dir()
    {
        return Err(Error::Usage(format!(
            "--out {}: the directory {} does not exist",
            out.display(),
            dir.display()
        )));
    }
    let db_path = database(config, opts.database.as_ref())?;
    let mut conn = data::open_database(&db_path)?;
    let rules_dir = opts
        .rules
        .clone()
        .unwrap_or_else(|| config.rules_dir.clone());
    let rules = load_rules(config, &rules_dir, &conn)?;

    let t = Instant::now();
    let customers = read_customers(config, &conn, &rules)?;
    let read_time = t.elapsed();
    tracing::info!(
        "read {} customers in {:.3} s",
        customers.len,
        read_time.as_secs_f64()
    );

    let t = Instant::now();
    let evaluator = Evaluator::new(&rules, &customers)?;
    let population_time = t.elapsed();

    let info = RunInfo {
        fingerprint: rules.fingerprint.clone(),
        rules_dir: rules_dir.display().to_string(),
        started_at: output::now(&conn),
    };
    let outputs: Vec<String> = rules.outputs.iter().map(|o| o.name.clone()).collect();
    let t = Instant::now();
    let bar = progress_bar(customers.len as u64, "evaluating");
    let mut tally = Tally::default();
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Message>(2);
    let result = std::thread::scope(|s| {
        let spawned = std::thread::Builder::new()
            .name("writer".into())
            .spawn_scoped(s, || {
                let target = output::RunTarget {
                    tables: &config.tables,
                    info: &info,
                    data: &customers,
                    outputs: &outputs,
                    rule_ids: &rules.rule_ids,
                    file: opts.out.as_deref(),
                };
                output::write_run(&mut conn, &target, receiver)
            });
        let writer = match spawned {
            Ok(writer) => writer,
            Err(source) => {
                return (
                    None,
                    Err(DataError::File {
                        path: db_path.clone(),
                        source,
                    }),
                );
            }
        };
        let mut failure = None;
        let mut start = 0;
        while start < customers.len {
            let end = (start + CHUNK).min(customers.len);
            match evaluator.evaluate(start..end) {
                Ok((outcomes, part)) => {
                    tally.merge(part);
                    if sender.send(Message::Chunk(outcomes)).is_err() {
                        break; // the writer failed; its error is reported below
                    }
                }
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
            bar.set_position(end as u64);
            start = end;
        }
        if failure.is_none() {
            let _ = sender.send(Message::Finish);
        }
        drop(sender);
        let written = writer.join().unwrap_or_else(|_| {
            Err(DataError::File {
                path: db_path.clone(),
                source: std::io::Error::other("the writer thread panicked"),
            })
        });
        (failure, written)
    });
    bar.finish_and_clear();
    let eval_time = t.elapsed();

    let (run_id, count) = match result {
        (Some(eval_error), _) => {
            record_failure(
                &conn_for_failure(&db_path),
                config,
                &info,
                &eval_error.to_string(),
            );
            return Err(eval_error.into());
        }
        (None, Err(e)) => {
            record_failure(&conn_for_failure(&db_path), config, &info, &e.to_string());
            return Err(e.into());
        }
        (None, Ok(Some(done))) => done,
        (None, Ok(None)) => unreachable!("the writer got Finish whenever evaluation succeeded"),
    };

    let mut counts = Vec::new();
    for (k, (name, _)) in rules.summary.count_by.iter().enumerate() {
        let mut values: Vec<(String, usize)> =
            tally.counts.get(k).map(|m| m.to_vec()).unwrap_or_default();
        values.sort_by(|a, b| {
            (a.0 == "(none)")
                .cmp(&(b.0 == "(none)"))
                .then(a.0.cmp(&b.0))
        });
        counts.push((name.clone(), values));
    }
    let totals = rules
        .summary
        .totals
        .iter()
        .zip(&tally.totals)
        .map(|((name, _), v)| (name.clone(), *v))
        .collect();
    let secs = |d: Duration| (d.as_secs_f64() * 1000.0).round() / 1000.0;
    Ok(RunReport {
        run_id,
        customers: count,
        fingerprint: rules.fingerprint.clone(),
        database: db_path,
        policy_table: config.tables.policy_table.clone(),
        out: opts.out.clone(),
        counts,
        totals,
        seconds: vec![
            ("read".into(), secs(read_time)),
            ("population".into(), secs(population_time)),
            ("evaluate_write".into(), secs(eval_time)),
            ("total".into(), secs(start.elapsed())),
        ],
        peak_memory_mb: peak_memory_mb(),
    })
}

fn conn_for_failure(path: &std::path::Path) -> Option<rusqlite::Connection> {
    data::open_database(path).ok()
}

/// Best effort: a failed run is recorded with its message; if even that fails, say so.
fn record_failure(
    conn: &Option<rusqlite::Connection>,
    config: &Config,
    info: &RunInfo,
    message: &str,
) {
    if let Some(conn) = conn
        && let Err(e) = output::record_failure(conn, &config.tables, info, message)
    {
        tracing::warn!("could not record the failed run: {e}");
    }
}

impl RunReport {
    pub fn print(&self, format: Format, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        if format == Format::Json {
            let counts: serde_json::Map<String, serde_json::Value> = self
                .counts
                .iter()
                .map(|(name, values)| {
                    let m: serde_json::Map<String, serde_json::Value> = values
                        .iter()
                        .map(|(v, c)| (v.clone(), (*c).into()))
                        .collect();
                    (name.clone(), m.into())
                })
                .collect();
            let json = serde_json::json!({
                "run_id": self.run_id,
                "customers": self.customers,
                "fingerprint": self.fingerprint,
                "database": self.database,
                "policy_table": self.policy_table,
                "out": self.out,
                "counts": counts,
                "totals": self.totals.iter().map(|(k, v)| (k.clone(), serde_json::Value::from(*v))).collect::<serde_json::Map<_, _>>(),
                "seconds": self.seconds.iter().map(|(k, v)| (k.clone(), serde_json::Value::from(*v))).collect::<serde_json::Map<_, _>>(),
                "peak_memory_mb": self.peak_memory_mb,
            });
            return writeln!(out, "{json:#}");
        }
        writeln!(
            out,
            "run {}: {} customers, rules {}",
            self.run_id,
            thousands(self.customers as f64),
            self.fingerprint
        )?;
        let mut written = format!(
            "{} ({})",
            shown(&self.database).display(),
            self.policy_table
        );
        if let Some(file) = &self.out {
            written.push_str(&format!(" and {}", file.display()));
        }
        writeln!(out, "written to {written}")?;
        for (name, values) in &self.counts {
            let width = values
                .iter()
                .map(|(v, _)| v.len())
                .max()
                .unwrap_or(0)
                .max(name.len());
            writeln!(out, "\n{name:<width$}  {:>11}  {:>6}", "customers", "share")?;
            for (value, count) in values {
                let share = 100.0 * *count as f64 / self.customers.max(1) as f64;
                writeln!(
                    out,
                    "{value:<width$}  {:>11}  {share:>5.1}%",
                    thousands(*count as f64)
                )?;
            }
        }
        if !self.totals.is_empty() {
            let width = self.totals.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
            writeln!(out, "\ntotals")?;
            for (name, value) in &self.totals {
                writeln!(out, "  {name:<width$}  {:>18}", thousands(*value))?;
            }
        }
        let stages: Vec<String> = self
            .seconds
            .iter()
            .map(|(k, v)| format!("{k} {v:.2} s"))
            .collect();
        writeln!(out, "\ntime: {}", stages.join(", "))
    }
}
