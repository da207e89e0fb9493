//! The batch run: evaluate every customer and write their policies as one run, in chunks
//! whose results a writer thread inserts while the next chunk is evaluated.

use super::Workspace;
use super::git;
use super::history::unwritten;
use super::standing::{Before, Gone, Standing, replaced_by_fewer};
use crate::engine::{EvalError, Evaluator, Mode, Tally};
use crate::error::Error;
use crate::output::{self, RunFailure, RunInfo, RunRules, RunTarget, ValueOrder, Written};
use crate::rules::RuleSet;
use crate::source::{Dataset, SqliteSource};
use crate::time::Period;
use std::path::Path;
use std::time::{Duration, Instant};

/// Customers evaluated per chunk: results of one chunk are written while the next is
/// evaluated, so memory stays bounded whatever the population size.
pub const CHUNK: usize = 65_536;

/// What a written run holds, for its summary.
#[derive(Debug)]
pub struct RunSummary {
    pub written: Written,
    /// Customers left out because a rule failed for them (only when the run keeps going),
    /// in customer order; recorded in the error table too.
    pub failures: Vec<EvalError>,
    /// The rules the run was made with.
    pub rules: RunRules,
    /// Their git revision, as the run recorded it (`None`: outside a repository).
    pub rules_revision: Option<String>,
    /// The customers were read otherwise (an edited query) than by the run this one
    /// replaces or follows: said, as `changes` would blame the customers.
    pub source_changed: Option<String>,
    /// The run this one replaces, when it was made with other rules: its id, their
    /// fingerprint and git revision (a restated month made with today's rules).
    pub replaced_other_rules: Option<(i64, String, Option<String>)>,
    /// For the first run of its run table: the database's other run tables with runs, and
    /// how many (the config's output tables renamed: a new history, every customer new).
    pub other_run_tables: Vec<(String, i64)>,
    /// The summary's `count_by` and `totals`, over every customer.
    pub tally: Tally,
    /// The earlier period the summary's moves are counted since (`None`: no run of the
    /// previous period, so every customer counts as new).
    pub since: Option<Period>,
    /// What the rules read of the previous period (`previous.tier_level`) that its run gave
    /// no customer: made by other rules, it holds NULL for everyone.
    pub unwritten: Vec<String>,
    /// Where the run stands among the recorded periods, said before it was written.
    pub standing: Standing,
    /// The previous period's customers that this run's source no longer holds.
    pub gone: Gone,
    /// What the rules do on this data that is most likely not meant: a share field
    /// compared with a percentage, text dates ordered as text ([`crate::rules::lint::data_slips`]).
    pub data_warnings: Vec<crate::diag::Diagnostic>,
    /// Time per stage: read, history, population, evaluate and write.
    pub read: Duration,
    pub history: Duration,
    pub population: Duration,
    pub evaluate_write: Duration,
}

/// How a run is made, besides its rules.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunOptions<'a> {
    /// Also write the policies to this .csv or .jsonl file.
    pub file: Option<&'a Path>,
    /// A customer a rule fails for is left out, not the end of the run.
    pub keep_going: bool,
    /// Refuse the run, writing nothing, when its history or its data are most likely not
    /// what it should be made on ([`Before::concerns`]): for runs no one watches.
    pub strict: bool,
    /// The customer source changed on purpose: no refusal of runs made from another.
    pub new_source: bool,
    /// The rules were just read from the rules directory (`run`; not `watch`'s rules in
    /// force, which a rejected edit on disk differs from): refused if the files changed
    /// while the customers were evaluated.
    pub rules_as_on_disk: bool,
    /// The rules were read from a git revision or another directory (`run --rules-at`):
    /// how to name them (`9f3c2a1:rules/`), and the commit, recorded as the run's.
    pub rules_at: Option<(&'a str, Option<&'a str>)>,
}

impl Workspace {
    /// Evaluates every customer under `rules` and writes the run into the database (and
    /// into `file`, a .csv or .jsonl, when given). A failed run writes nothing but a
    /// `failed` record with its error. With `keep_going`, a customer a rule fails for does
    /// not fail the run: it is left out and recorded in the error table.
    pub fn run(
        &self,
        source: &mut SqliteSource,
        rules: &RuleSet,
        options: RunOptions<'_>,
    ) -> Result<RunSummary, Error> {
        let RunOptions {
            file,
            keep_going,
            strict,
            new_source,
            rules_as_on_disk,
            rules_at,
        } = options;
        let info = RunInfo {
            fingerprint: rules.fingerprint.clone(),
            logic_fingerprint: rules.logic_fingerprint.clone(),
            rules_dir: match rules_at {
                Some((label, _)) => label.to_owned(),
                None => self.rules_dir.display().to_string(),
            },
            started_at: output::now(source.connection()),
            as_of: self.context.as_of,
            period: self.context.period,
            customers_from: self.config.source.text().to_owned(),
            rules_revision: match rules_at {
                Some((_, commit)) => commit.map(str::to_owned),
                None => git::rules_revision(&self.rules_dir),
            },
            data_fingerprint: None,
        };
        // A run that fails before it writes on the data (a value its column does not hold,
        // no customer, a population figure) is recorded as failed too, for whoever watches
        // the run table; the rules or a setting to fix (exit code 2) are not a run.
        let failed = |source: &SqliteSource, e: Error| {
            let e = stopped_or(e);
            if matches!(
                e.exit_status(),
                crate::error::ExitStatus::Failure | crate::error::ExitStatus::Interrupted
            ) {
                self.record_failure(source, &info, &e);
            }
            e
        };
        let t = Instant::now();
        let customers = (self.read_customers(source, rules, keep_going, &mut |_| {}))
            .map_err(|e| failed(source, e))?;
        if customers.len == 0 {
            return Err(failed(
                source,
                self.no_customers("nothing was written, earlier runs are intact"),
            ));
        }
        // Before any work: SQLite's key tells the number 5017 from the text "5017" (ids of
        // one kind repeated fail on the key as they are written); rows a `--keep-going` read
        // leaves out are never written, so a repeated id among them passed, its customer
        // counted twice among the failures.
        if let Some(id) = (customers.ids_of_two_kinds() || !customers.unreadable.is_empty())
            .then(|| customers.repeated_id())
            .flatten()
        {
            return Err(failed(source, output::OutputError::DuplicateId(id).into()));
        }
        let mut data_warnings = data_warnings(rules, &customers, &self.database);
        // What was read, for `explain` and `report` to tell the data since from it.
        let hashing = std::time::Instant::now();
        let info = RunInfo {
            data_fingerprint: Some(customers.fingerprint()),
            ..info.clone()
        };
        tracing::debug!(
            "fingerprinted the data in {:.3} s",
            hashing.elapsed().as_secs_f64()
        );
        let read = t.elapsed();
        tracing::info!(
            "read {} customers in {:.3} s",
            customers.len,
            read.as_secs_f64()
        );

        let t = Instant::now();
        let looked_back = (|| {
            let seen = output::runs_seen(
                source.connection(),
                &self.config.tables,
                self.context.period,
            )?;
            let past = self.history(source.connection(), rules)?;
            let standing = self.standing(source.connection(), rules)?;
            let recorded = self.previous_outputs(source.connection(), &standing)?;
            Ok::<_, Error>((seen, past, standing, recorded))
        })();
        let (seen, past, standing, recorded) = looked_back.map_err(|e| failed(source, e))?;
        // Another unit's run tables: a setting to fix, not a run that failed.
        let source_changed = match new_source {
            true => None,
            false => self.check_same_source(source.connection(), &standing, &customers)?,
        };
        let since = past.runs.first().and_then(|r| r.as_ref()).map(|r| r.period);
        let unwritten = unwritten(&past, rules, recorded.as_ref());
        let history = t.elapsed();

        let t = Instant::now();
        let evaluator = Evaluator::with_history(rules, &customers, self.context, &past, Mode::Fast)
            .map_err(|e| failed(source, e.into()))?;
        let gone = Gone::of(&evaluator.gone_rows(), &past, rules);
        let mut standing = standing;
        // The left-out customers this run holds are among those the previous run lacks
        // (usually few).
        let absent = evaluator.absent_from_previous();
        standing.keep_left_out_among(absent.as_deref(), &customers);
        standing.returning = (self.returning(
            source.connection(),
            &standing,
            absent.as_deref(),
            &customers,
        ))
        .map_err(|e| failed(source, e))?;
        standing.respelled = super::standing::respelled(&gone.ids, absent.as_deref(), &customers);
        // Those the previous run left out have a note of their own.
        let left_out = &standing.previous_left_out;
        (standing.returning).retain(|(id, _)| !left_out.iter().any(|l| l.customer == *id));
        // Refused before anything is written, and not recorded: nothing went wrong yet.
        if strict {
            let before = Before {
                standing: &standing,
                gone: &gone,
                unwritten: &unwritten,
                data_warnings: &data_warnings,
                rules,
                as_of: self.context.as_of,
                period: self.context.period,
                customers: customers.len,
            };
            let reasons = before.concerns();
            if !reasons.is_empty() {
                return Err(Error::Strict(reasons));
            }
        }
        let population = t.elapsed();

        let outputs: Vec<String> = rules.outputs.iter().map(|o| o.name.clone()).collect();
        let orders = value_orders(rules);
        let declared = output::declared_outputs(rules);
        let target = RunTarget {
            tables: &self.config.tables,
            info: &info,
            data: &customers,
            outputs: &outputs,
            declared: &declared,
            rule_ids: &rules.rule_ids,
            orders: &orders,
            file,
            runs_seen: seen.as_deref(),
            rules_read: rules_as_on_disk
                .then_some((self.rules_dir.as_path(), rules.fingerprint.as_str())),
        };
        let t = Instant::now();
        let bar = crate::progress::bar(customers.len as u64, "evaluating");
        let mut tally = Tally::default();
        let mut failures = Vec::new();
        let mut spellings = crate::rules::lint::OutputSpellings::new(rules);
        let written = output::write_run(source.connection(), &target, |sink| {
            let mut start = 0;
            while start < customers.len {
                if let Some(signal) = crate::interrupt::requested() {
                    return Err(Error::Interrupted(signal));
                }
                let end = (start + CHUNK).min(customers.len);
                let (outcomes, part) = match keep_going {
                    true => keeping_going(&evaluator, start..end, sink, &mut failures),
                    false => (evaluator.evaluate(start..end)).map_err(Error::RunStopped)?,
                };
                // A signal during the chunk stopped its evaluation part way (every 128
                // customers, so slow rules stop within moments too): nothing of it is sent.
                if let Some(signal) = crate::interrupt::requested() {
                    return Err(Error::Interrupted(signal));
                }
                tally.merge(part);
                for outcome in outcomes.iter() {
                    spellings.count(outcome.index, outcome.outputs);
                }
                if !sink.send(outcomes) {
                    break; // the writer failed; its error is reported
                }
                bar.set_position(end as u64);
                start = end;
            }
            // Every customer failed: a run of none would replace the period's run (as an
            // empty source would, which is refused too).
            if failures.len() == customers.len
                && let Some(first) = failures.first()
            {
                let mut first = first.clone();
                // Others may have failed elsewhere: "and so did every other" read as one cause.
                let elsewhere: Vec<&EvalError> =
                    (failures.iter()).filter(|f| f.rule != first.rule).collect();
                let mut rules: Vec<&str> = elsewhere.iter().map(|f| f.rule.as_str()).collect();
                rules.sort_unstable();
                rules.dedup();
                let others = match elsewhere.first() {
                    None if customers.len == 1 => "it is the only customer".to_owned(),
                    None => "every other customer failed at it too".to_owned(),
                    Some(other) => format!(
                        "every other customer failed too, {} of them at {} (first: customer {}: {} failed: {})",
                        elsewhere.len(),
                        rules.join(", "),
                        other.customer,
                        other.rule,
                        other.message
                    ),
                };
                first.message = format!(
                    "{}; {others} ({} in all): nothing was written, as a run of no customer would replace {}'s run",
                    first.message,
                    customers.len,
                    self.context.period.label()
                );
                return Err(Error::Eval(first));
            }
            // `--keep-going` left customers out: refused as a source that lacks them is.
            if strict
                && let Some(reason) = replaced_by_fewer(
                    &standing,
                    self.context.period,
                    customers.len - failures.len(),
                )
            {
                return Err(Error::Strict(vec![reason]));
            }
            // Known only now, as the outputs are: refused before the commit.
            let given = spellings.warnings(rules, |i| customers.id_text(i));
            if strict && !given.is_empty() {
                return Err(Error::Strict(given.iter().map(|w| w.note_line()).collect()));
            }
            data_warnings.extend(given);
            tally.money_to_cents(&rules.summary.money);
            let sums = tally.totals.iter().copied().chain(std::iter::repeat(0.0));
            let names = rules.summary.totals.iter().map(|(name, _)| name.as_str());
            sink.totals(names.zip(sums));
            Ok(())
        });
        bar.finish_and_clear();
        let evaluate_write = t.elapsed();
        let failure: Error = match written {
            Ok(written) => {
                let mut standing = standing;
                standing.replaces = self.replaced(source.connection(), &standing, written.run_id);
                // What this run changed against the run it replaces, compared once: the
                // same outputs (on the history as it is now) leave later periods standing.
                if let Some((replaced, _, _)) = standing.replaces {
                    let (conn, tables) = (source.connection(), &self.config.tables);
                    let changes = output::changed_outputs(conn, tables, replaced, written.run_id);
                    let changes = changes.ok().flatten();
                    let period = self.context.period;
                    standing.replaces_same = changes == Some(output::RunChanges::default())
                        && output::stood_on_todays_history(conn, tables, replaced, period)
                            .unwrap_or(false);
                    standing.replaces_changed = changes.unwrap_or_default();
                    // Unless a later period was run before the run replaced was made (a
                    // backfill): it read no run of this period, and is stale still.
                    if standing.replaces_same && standing.later.iter().all(|r| r.run_id > replaced)
                    {
                        standing.later.clear();
                    }
                }
                let replaced_other_rules = standing.replaces.and_then(|(replaced, _, _)| {
                    let (conn, tables) = (source.connection(), &self.config.tables);
                    let theirs = output::run_rules(conn, tables, replaced).ok().flatten()?;
                    let revision = output::run_revision(conn, tables, replaced).ok().flatten();
                    (!theirs.decide_as(&RunRules::of(rules))).then_some((
                        replaced,
                        theirs.fingerprint,
                        revision,
                    ))
                });
                let other_run_tables = match written.run_id {
                    1 => output::other_run_tables(source.connection(), &self.config.tables)
                        .unwrap_or_default(),
                    _ => Vec::new(),
                };
                return Ok(RunSummary {
                    other_run_tables,
                    replaced_other_rules,
                    written,
                    failures,
                    rules: RunRules::of(rules),
                    rules_revision: info.rules_revision.clone(),
                    source_changed,
                    tally,
                    since,
                    unwritten,
                    standing,
                    gone,
                    data_warnings,
                    read,
                    history,
                    population,
                    evaluate_write,
                });
            }
            // Refused as `--strict` refuses before a run (nothing recorded): nothing went
            // wrong, the run was not wanted.
            Err(RunFailure::Evaluation(e @ Error::Strict(_))) => return Err(e),
            Err(RunFailure::Evaluation(e)) => stopped_or(e),
            Err(RunFailure::Output(e)) => stopped_or(Error::Output(e.beside(&self.database))),
        };
        self.record_failure(source, &info, &failure);
        Err(failure)
    }

    /// The official run that run `run_id`, now written, replaced: the one read before the
    /// run unless another run of the period was written meanwhile (two at once both read the
    /// same one). Read after the commit: the latest successful run of the period before
    /// `run_id`, which later runs cannot change (a `prune` in that instant could). When the
    /// runs cannot be read again, the one read before.
    fn replaced(
        &self,
        conn: &rusqlite::Connection,
        standing: &Standing,
        run_id: i64,
    ) -> Option<(i64, crate::time::Date, i64)> {
        let period = self.context.period;
        let tables = &self.config.tables;
        let replaced = match output::replaced_by(conn, tables, period, run_id) {
            Ok(replaced) => replaced,
            Err(_) => return standing.replaces,
        };
        match (replaced, standing.replaces) {
            (Some(r), Some(read)) if r.run_id == read.0 => Some(read),
            (Some(r), _) => match output::run_customers(conn, tables, r.run_id) {
                Ok(customers) => Some((r.run_id, r.as_of, customers)),
                Err(_) => standing.replaces,
            },
            (None, _) => None,
        }
    }

    /// Best effort, on a fresh connection: the run's own transaction was rolled back.
    fn record_failure(&self, source: &SqliteSource, info: &RunInfo, failure: &Error) {
        // Locked for the run's whole wait: a record would wait as long again, and fail.
        // A table of the user's under a configured name: nothing of the run's goes in.
        // A run written whose `--out` file alone could not be put in place is no failure,
        // and a run that found the runs changed wrote nothing and changes nothing (its
        // record would be a change to another run's check).
        if matches!(
            failure,
            Error::Output(
                output::OutputError::Locked(_)
                    | output::OutputError::Foreign(_)
                    | output::OutputError::FileAfterCommit { .. }
                    | output::OutputError::RunsChanged(_)
            ) | Error::Source(crate::source::SourceError::Locked(_))
        ) {
            return;
        }
        let recorded = SqliteSource::open(source.path(), &self.config.source)
            .map_err(Error::from)
            .and_then(|mut fresh| {
                Ok(output::record_failure(
                    fresh.connection(),
                    &self.config.tables,
                    info,
                    &failure.to_string(),
                )?)
            });
        match recorded {
            // The failure itself says the database cannot be written: no second message.
            Err(Error::Output(output::OutputError::ReadOnly(_))) => {}
            Err(e) => tracing::warn!("could not record the failed run: {e}"),
            Ok(()) => {}
        }
    }
}

/// `error`, or, when Ctrl-C or SIGTERM arrived, the interruption: SQLite stops a query or a
/// write it interrupts with an error of its own.
fn stopped_or(error: Error) -> Error {
    match crate::interrupt::requested() {
        // Written: not to be recorded as failed.
        Some(_)
            if matches!(
                error,
                Error::Output(output::OutputError::FileAfterCommit { .. })
            ) =>
        {
            error
        }
        Some(signal) => Error::Interrupted(signal),
        None => error,
    }
}

/// Evaluates `range`, leaving out the customers that fail: their errors go to `failures`
/// and to the run's error table.
fn keeping_going<'a>(
    evaluator: &Evaluator<'a>,
    range: std::ops::Range<usize>,
    sink: &mut output::ChunkSink<'a>,
    failures: &mut Vec<EvalError>,
) -> (crate::engine::Outcomes<'a>, Tally) {
    let (outcomes, part, errors) = evaluator.evaluate_keep_going(range);
    failures.extend(errors.iter().cloned());
    sink.errors(errors);
    (outcomes, part)
}

/// What `run` warns about in `customers` before evaluating (and `--strict` refuses), the
/// report too: comparisons the rules alone cannot show wrong ([`crate::rules::lint::data_slips`]),
/// and ids that differ only in case, spaces or leading zeros (in `database`).
pub fn data_warnings(
    rules: &RuleSet,
    customers: &Dataset,
    database: &Path,
) -> Vec<crate::diag::Diagnostic> {
    let mut out = crate::rules::lint::data_slips(rules, customers);
    let variants = customers.id_variants();
    if !variants.is_empty() {
        let shown = &variants[..variants.len().min(3)];
        let message = crate::source::variants_message(variants.len(), shown);
        out.push(crate::diag::Diagnostic::file_error(database, message).warning());
    }
    out
}

/// The value orders of `summary.moves`, recorded with the run for `changes`.
fn value_orders(rules: &RuleSet) -> Vec<ValueOrder> {
    rules
        .summary
        .moves
        .iter()
        .map(|m| ValueOrder {
            output: m.output.clone(),
            values: m.order.clone(),
        })
        .collect()
}
