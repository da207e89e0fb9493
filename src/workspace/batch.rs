//! The batch run: evaluate every customer and write their policies as one run, in chunks
//! whose results a writer thread inserts while the next chunk is evaluated.

use super::Workspace;
use crate::engine::{Evaluator, Tally};
use crate::error::Error;
use crate::output::{self, RunFailure, RunInfo, RunTarget, Written};
use crate::rules::RuleSet;
use crate::source::SqliteSource;
use std::path::Path;
use std::time::{Duration, Instant};

/// Customers evaluated per chunk: results of one chunk are written while the next is
/// evaluated, so memory stays bounded whatever the population size.
pub const CHUNK: usize = 65_536;

/// What a written run holds, for its summary.
#[derive(Debug)]
pub struct RunSummary {
    pub written: Written,
    pub fingerprint: String,
    /// The summary's `count_by` and `totals`, over every customer.
    pub tally: Tally,
    /// Time per stage: read, population, evaluate and write.
    pub read: Duration,
    pub population: Duration,
    pub evaluate_write: Duration,
}

impl Workspace {
    /// Evaluates every customer under `rules` and writes the run into the database (and
    /// into `file`, a .csv or .jsonl, when given). A failed run writes nothing but a
    /// `failed` record with its error.
    pub fn run(
        &self,
        source: &mut SqliteSource,
        rules: &RuleSet,
        file: Option<&Path>,
    ) -> Result<RunSummary, Error> {
        let t = Instant::now();
        let customers = self.read_customers(source, rules, &mut |_| {})?;
        let read = t.elapsed();
        tracing::info!(
            "read {} customers in {:.3} s",
            customers.len,
            read.as_secs_f64()
        );

        let t = Instant::now();
        let evaluator = Evaluator::new(rules, &customers)?;
        let population = t.elapsed();

        let started_at = output::now(source.connection());
        // Placeholder until `--as-of` and the config's `period:` exist: today, by month.
        let as_of = crate::time::Date::parse(&started_at).unwrap_or(crate::time::Date(0));
        let info = RunInfo {
            fingerprint: rules.fingerprint.clone(),
            rules_dir: self.rules_dir.display().to_string(),
            started_at,
            as_of,
            period: crate::time::Period::containing(Default::default(), as_of),
        };
        let outputs: Vec<String> = rules.outputs.iter().map(|o| o.name.clone()).collect();
        let target = RunTarget {
            tables: &self.config.tables,
            info: &info,
            data: &customers,
            outputs: &outputs,
            decimal: &[],
            rule_ids: &rules.rule_ids,
            orders: &[],
            file,
        };
        let t = Instant::now();
        let bar = crate::progress::bar(customers.len as u64, "evaluating");
        let mut tally = Tally::default();
        let written = output::write_run(source.connection(), &target, |sink| {
            let mut start = 0;
            while start < customers.len {
                let end = (start + CHUNK).min(customers.len);
                let (outcomes, part) = evaluator.evaluate(start..end)?;
                tally.merge(part);
                if !sink.send(outcomes) {
                    break; // the writer failed; its error is reported
                }
                bar.set_position(end as u64);
                start = end;
            }
            Ok(())
        });
        bar.finish_and_clear();
        let evaluate_write = t.elapsed();
        let failure: Error = match written {
            Ok(written) => {
                return Ok(RunSummary {
                    written,
                    fingerprint: rules.fingerprint.clone(),
                    tally,
                    read,
                    population,
                    evaluate_write,
                });
            }
            Err(RunFailure::Evaluation(e)) => Error::Eval(e),
            Err(RunFailure::Output(e)) => Error::Output(e),
        };
        // Best effort, on a fresh connection: the run's own transaction was rolled back.
        let recorded = SqliteSource::open(source.path(), &self.config.source)
            .map_err(Error::from)
            .and_then(|mut fresh| {
                Ok(output::record_failure(
                    fresh.connection(),
                    &self.config.tables,
                    &info,
                    &failure.to_string(),
                )?)
            });
        if let Err(e) = recorded {
            tracing::warn!("could not record the failed run: {e}");
        }
        Err(failure)
    }
}
