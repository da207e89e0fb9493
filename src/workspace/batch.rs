//! The batch run: evaluate every customer and write their policies as one run, in chunks
//! whose results a writer thread inserts while the next chunk is evaluated.

use super::Workspace;
use crate::engine::{EvalError, Evaluator, History, Mode, Tally};
use crate::error::Error;
use crate::output::{self, RecordedTotals, RunFailure, RunInfo, RunTarget, ValueOrder, Written};
use crate::rules::RuleSet;
use crate::source::SqliteSource;
use crate::time::{Date, Period};
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
    pub fingerprint: String,
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

/// The previous period's customers that a run's source no longer holds (a customer lost,
/// or an extract cut short): the moves since count only the customers still there.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Gone {
    /// Their ids, in the previous run's order.
    pub ids: Vec<String>,
    /// Per `summary.moves` output, per value of its order: how many had it then.
    pub by_value: Vec<Vec<usize>>,
    /// How many customers the previous period's run held.
    pub previous_customers: usize,
}

impl Gone {
    /// A tenth or more of the previous customers, 10 at least: more than customers come and
    /// go between periods, most likely an extract cut short.
    pub fn is_many(&self) -> bool {
        self.ids.len() >= 10 && self.ids.len() * 10 >= self.previous_customers
    }

    /// The rows `rows` of `past`'s previous period (those no current customer has).
    fn of(rows: &[usize], past: &History, rules: &RuleSet) -> Gone {
        let Some(Some(previous)) = past.runs.first() else {
            return Gone::default();
        };
        let before = &previous.data;
        let by_value = (rules.summary.moves.iter())
            .map(|m| {
                let mut counts = vec![0; m.order.len()];
                if let Some(c) = before.names.iter().position(|n| *n == m.output) {
                    for &r in rows {
                        let value = crate::engine::display_key(&before.columns[c].value(r));
                        if let Some(k) = m.order.iter().position(|o| *o == value) {
                            counts[k] += 1;
                        }
                    }
                }
                counts
            })
            .collect();
        Gone {
            ids: rows.iter().map(|&r| before.id_text(r)).collect(),
            by_value,
            previous_customers: before.len,
        }
    }
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
}

/// What a run knows before it writes anything, for `--strict`.
struct Before<'a> {
    standing: &'a Standing,
    gone: &'a Gone,
    unwritten: &'a [String],
    data_warnings: &'a [crate::diag::Diagnostic],
    rules: &'a RuleSet,
    as_of: Date,
    period: Period,
}

impl Before<'_> {
    /// Why the run's history or data are most likely not what it should be made on, a
    /// line each: what `run` otherwise only notes, for a scheduler to stop on. A change of
    /// rules and the replacement of the period's run are no concern (a new quarter's rules,
    /// a correction).
    fn concerns(&self) -> Vec<String> {
        let mut out = Vec::new();
        let s = self.standing;
        let previous = self.period.previous().map_or("", |p| p.label());
        let reads_previous = self.rules.past.iter().any(|p| p.back == 1);
        if self.as_of > Date::today_utc() {
            out.push(format!("the date {} is after today", self.as_of));
        }
        if let (Some((earlier, _)), true) = (s.skipped_to, reads_previous) {
            out.push(format!(
                "{previous} has no run (the latest before it is {}): the rules' `previous.x` would be NULL for every customer",
                earlier.label()
            ));
        }
        for gap in &s.read_gaps {
            out.push(format!(
                "{} has no run{}: the rules' {} would be NULL for every customer",
                gap.period.label(),
                gap.cause(),
                past_names(self.rules, gap.back).join(", ")
            ));
        }
        if !s.previous_left_out.is_empty() {
            out.push(format!(
                "{} of the customers were left out of {previous}'s run (`--keep-going`): their history would start again",
                s.previous_left_out.len()
            ));
        }
        if let (Some(stale), true) = (&s.previous_stale, reads_previous) {
            out.push(format!(
                "{previous}'s run was made on a history replaced since (run {} replaced {}'s run): run the periods from {} again first",
                stale.now.run_id,
                stale.now.period.label(),
                stale.run.period.label()
            ));
        }
        if self.gone.is_many() {
            out.push(format!(
                "{} of {previous}'s {} customers are not in the source",
                self.gone.ids.len(),
                self.gone.previous_customers
            ));
        }
        if !self.unwritten.is_empty() {
            out.push(format!(
                "{previous}'s run gave no value for {}: it would be NULL for every customer",
                self.unwritten.join(", ")
            ));
        }
        if let Some(other) = s.other_kind {
            out.push(format!(
                "the latest run is of {}, another kind of period than {}",
                other.label(),
                self.period.label()
            ));
        }
        // A correction of an earlier period (it had a run) is how a stale chain is mended.
        if !s.later.is_empty() && s.replaces.is_none() {
            out.push(format!(
                "later periods have runs ({}): this would be a backfill",
                s.later
                    .iter()
                    .map(|p| p.label())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        for w in self.data_warnings {
            out.push(format!("{}: {}", w.location(), w.message));
        }
        out
    }
}

/// Where a run stands among the runs already recorded, for what `run` tells the operator.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Standing {
    /// The previous period's official run (the one `previous.x` reads) and the totals it
    /// recorded, for the totals before and after (`None`: that period has no run).
    pub previous: Option<PreviousRun>,
    /// The official run of the run's own period that this run replaces: its id, date and
    /// customers.
    pub replaces: Option<(i64, Date, i64)>,
    /// The periods right after this one that have an official run, up to the first gap:
    /// they read this period's outputs as they were (a backfill).
    pub later: Vec<Period>,
    /// The latest official run's period, when it is of another kind than this run's (the
    /// config's `period:` changed): this run reads no history from it.
    pub other_kind: Option<Period>,
    /// When the previous period has no run but an earlier one does (a period skipped): that
    /// earlier period and its run. `previous.x` reads the previous period only: NULL.
    pub skipped_to: Option<(Period, i64)>,
    /// This run's customers that the previous period's run left out (a rule failed for them
    /// under `--keep-going`): they have no policy of that period, so their `previous.x` is
    /// NULL and they count as new, their history broken. Empty when the rules read no
    /// history. (Before the history is aligned: every customer that run left out.)
    pub previous_left_out: Vec<output::LeftOut>,
    /// The previous period's run was made on a history replaced since (a correction or a
    /// backfill of an earlier period): this run builds on it.
    pub previous_stale: Option<output::StaleRun>,
    /// Periods the rules read (`previous_2.x` ...) with no run, though the history goes back
    /// further or runs were pruned: NULL for every customer. (The previous period when it
    /// has no run but an earlier one has is `skipped_to`.)
    pub read_gaps: Vec<ReadGap>,
}

/// A period the rules read without an official run.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadGap {
    /// How many periods back (2 for `previous_2.x`).
    pub back: u32,
    pub period: Period,
    /// The latest earlier period with a run, and that run (`None`: none, the period's own
    /// run was pruned).
    pub earlier: Option<(Period, i64)>,
}

impl ReadGap {
    /// Why the period has no run, as a parenthesis: ` (the latest before it is 2024-Q1, run
    /// 1)` or ` (its run was pruned by `prune --keep`)`.
    pub fn cause(&self) -> String {
        match self.earlier {
            Some((p, run_id)) => format!(" (the latest before it is {}, run {run_id})", p.label()),
            None => " (its run was pruned by `prune --keep`)".to_owned(),
        }
    }
}

/// What the rules read of the period `back` periods before, each once, quoted:
/// `` `previous.tier` ``, `` `previous_2.tier` ``.
pub fn past_names(rules: &RuleSet, back: u32) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for p in rules.past.iter().filter(|p| p.back == back) {
        let name = format!("`{}`", p.written());
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// The previous period's official run, as the summary compares with it.
#[derive(Debug, Clone, PartialEq)]
pub struct PreviousRun {
    pub period: Period,
    pub run_id: i64,
    pub totals: RecordedTotals,
    /// The fingerprint of the rules it was made with.
    pub fingerprint: Option<String>,
}

/// The previous period's values `rules` read (`previous.tier_level`) that its run, holding
/// customers, did not give: not among the outputs it recorded (`recorded`, the JSON object
/// of `policy_run.outputs`), or, for a run recorded before outputs were, none of its
/// customers had a value.
fn unwritten(past: &History, rules: &RuleSet, recorded: Option<&serde_json::Value>) -> Vec<String> {
    let mut out = Vec::new();
    let Some(Some(run)) = past.runs.first() else {
        return out;
    };
    for p in rules.past.iter().filter(|p| p.back == 1) {
        let Some(c) = run.data.names.iter().position(|n| *n == p.column) else {
            continue;
        };
        let column = &run.data.columns[c];
        // `held.x` counts periods of `x`'s values: given when `x` was.
        let output = p.column.strip_prefix("held.").unwrap_or(&p.column);
        let missing = match recorded.and_then(|r| r.as_object()) {
            Some(outputs) => !outputs.contains_key(output),
            None => (0..run.data.len).all(|i| column.value(i).is_null()),
        };
        if run.data.len > 0 && missing {
            let name = p.written();
            if !out.contains(&name) {
                out.push(name);
            }
        }
    }
    out
}

impl Workspace {
    /// Where a run of this workspace's period stands among the official runs recorded (read
    /// before it is written).
    fn standing(&self, conn: &rusqlite::Connection, rules: &RuleSet) -> Result<Standing, Error> {
        let period = self.context.period;
        let tables = &self.config.tables;
        let official = output::official_runs(conn, tables, period.kind)?;
        let previous = match official
            .iter()
            .find(|r| Some(r.period) == period.previous())
        {
            Some(run) => Some(PreviousRun {
                period: run.period,
                run_id: run.run_id,
                totals: output::recorded_totals(conn, tables, run.run_id)?,
                fingerprint: output::run_fingerprint(conn, tables, run.run_id)?,
            }),
            None => None,
        };
        let replaces = match official.iter().find(|r| r.period == period) {
            Some(r) => Some((
                r.run_id,
                r.as_of,
                output::run_customers(conn, tables, r.run_id)?,
            )),
            None => None,
        };
        // The periods that follow on without a gap: each reads the one before.
        let later = (output::following(&official, period).iter())
            .map(|r| r.period)
            .collect();
        let other_kind = official
            .iter()
            .max_by_key(|r| (r.as_of, r.run_id))
            .map(|r| r.period)
            .filter(|p| p.kind != period.kind);
        // The latest run of a period of this kind before `wanted`.
        let earlier = |wanted: Period| {
            (official.iter())
                .filter(|r| r.period.kind == period.kind && r.as_of < wanted.end())
                .max_by_key(|r| (r.as_of, r.run_id))
                .map(|r| (r.period, r.run_id))
        };
        let skipped_to = match (&previous, period.previous()) {
            (None, Some(before)) => earlier(before),
            _ => None,
        };
        // The previous period skipped has a note of its own (`skipped_to`).
        let mut backs: Vec<u32> = (rules.past.iter().map(|p| p.back))
            .filter(|&b| b >= 2 || (b == 1 && previous.is_none() && skipped_to.is_none()))
            .collect();
        backs.sort_unstable();
        backs.dedup();
        let mut read_gaps = Vec::new();
        // Read once, and only when the rules read a period further back.
        let pruned = match backs.is_empty() {
            true => Vec::new(),
            false => output::pruned_periods(conn, tables, period.kind)?,
        };
        for back in backs {
            let Some(wanted) = period.back(back) else {
                continue;
            };
            if official.iter().any(|r| r.period == wanted) {
                continue;
            }
            let earlier = earlier(wanted);
            if earlier.is_some() || pruned.contains(&wanted) {
                read_gaps.push(ReadGap {
                    back,
                    period: wanted,
                    earlier,
                });
            }
        }
        // Every customer the previous run left out: which of them this run holds is known
        // once the history is aligned ([`Workspace::run`]).
        let previous_left_out = match &previous {
            Some(run) => output::left_out(conn, tables, run.run_id, None)?,
            None => Vec::new(),
        };
        let previous_stale = match &previous {
            Some(p) => output::stale_runs(conn, tables, period.kind)?
                .into_iter()
                .find(|s| s.runs().any(|r| r.run_id == p.run_id)),
            None => None,
        };
        Ok(Standing {
            previous,
            replaces,
            later,
            other_kind,
            skipped_to,
            previous_left_out,
            previous_stale,
            read_gaps,
        })
    }

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
        } = options;
        let info = RunInfo {
            fingerprint: rules.fingerprint.clone(),
            rules_dir: self.rules_dir.display().to_string(),
            started_at: output::now(source.connection()),
            as_of: self.context.as_of,
            period: self.context.period,
        };
        // A run that fails before it writes on the data (a value its column does not hold,
        // no customer, a population figure) is recorded as failed too, for whoever watches
        // the run table; the rules or a setting to fix (exit code 2) are not a run.
        let failed = |source: &SqliteSource, e: Error| {
            if e.exit_status() == crate::error::ExitStatus::Failure {
                self.record_failure(source, &info, &e);
            }
            e
        };
        let t = Instant::now();
        let customers =
            (self.read_customers(source, rules, &mut |_| {})).map_err(|e| failed(source, e))?;
        if customers.len == 0 {
            return Err(failed(source, self.no_customers()));
        }
        // Before any work: SQLite's key tells the number 5017 from the text "5017" (ids of
        // one kind repeated fail on the key as they are written).
        if let Some(id) = (customers.ids_of_two_kinds())
            .then(|| customers.repeated_id())
            .flatten()
        {
            return Err(failed(source, output::OutputError::DuplicateId(id).into()));
        }
        let data_warnings = crate::rules::lint::data_slips(rules, &customers);
        let read = t.elapsed();
        tracing::info!(
            "read {} customers in {:.3} s",
            customers.len,
            read.as_secs_f64()
        );

        let t = Instant::now();
        let looked_back = (|| {
            let past = self.history(source.connection(), rules)?;
            let standing = self.standing(source.connection(), rules)?;
            let recorded = match &standing.previous {
                Some(previous) => {
                    output::run_outputs(source.connection(), &self.config.tables, previous.run_id)?
                }
                None => None,
            };
            Ok::<_, Error>((past, standing, recorded))
        })();
        let (past, standing, recorded) = looked_back.map_err(|e| failed(source, e))?;
        let since = past.runs.first().and_then(|r| r.as_ref()).map(|r| r.period);
        let unwritten = unwritten(&past, rules, recorded.as_ref());
        let history = t.elapsed();

        let t = Instant::now();
        let evaluator = Evaluator::with_history(rules, &customers, self.context, &past, Mode::Fast)
            .map_err(|e| failed(source, e.into()))?;
        let gone = Gone::of(&evaluator.gone_rows(), &past, rules);
        let mut standing = standing;
        // The left-out customers this run holds are among those the previous run lacks
        // (usually few); without history read, none counts as anything.
        if !standing.previous_left_out.is_empty() {
            let absent: std::collections::HashSet<String> = (evaluator.absent_from_previous())
                .unwrap_or_default()
                .into_iter()
                .map(|i| customers.id_text(i))
                .collect();
            standing
                .previous_left_out
                .retain(|l| absent.contains(&l.customer));
        }
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
        };
        let t = Instant::now();
        let bar = crate::progress::bar(customers.len as u64, "evaluating");
        let mut tally = Tally::default();
        let mut failures = Vec::new();
        let written = output::write_run(source.connection(), &target, |sink| {
            let mut start = 0;
            while start < customers.len {
                if let Some(signal) = crate::interrupt::requested() {
                    return Err(Error::Interrupted(signal));
                }
                let end = (start + CHUNK).min(customers.len);
                let (outcomes, part) = match keep_going {
                    true => keeping_going(&evaluator, start..end, sink, &mut failures),
                    false => evaluator.evaluate(start..end).map_err(Error::Eval)?,
                };
                tally.merge(part);
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
                first.message = format!(
                    "{}; and so did every other customer ({} in all): nothing was written, as a run of no customer would replace {}'s run",
                    first.message,
                    customers.len,
                    self.context.period.label()
                );
                return Err(Error::Eval(first));
            }
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
                return Ok(RunSummary {
                    written,
                    failures,
                    fingerprint: rules.fingerprint.clone(),
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
            Err(RunFailure::Evaluation(e)) => e,
            Err(RunFailure::Output(e)) => Error::Output(e),
        };
        self.record_failure(source, &info, &failure);
        Err(failure)
    }

    /// Best effort, on a fresh connection: the run's own transaction was rolled back.
    fn record_failure(&self, source: &SqliteSource, info: &RunInfo, failure: &Error) {
        // Locked for the run's whole wait: a record would wait as long again, and fail.
        // A table of the user's under a configured name: nothing of the run's goes in.
        if matches!(
            failure,
            Error::Output(output::OutputError::Locked(_) | output::OutputError::Foreign(_))
                | Error::Source(crate::source::SourceError::Locked(_))
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
