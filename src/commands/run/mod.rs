//! `tierwise run`: evaluate every customer and write their policies as one run, and compare
//! it with the previous period's official run: how each `summary.moves` output moved
//! (moves.rs) and the summary totals before and after (totals.rs).

mod moves;
mod totals;

use super::{Globals, SourceArgs, print_warnings};
use crate::error::{Error, ExitStatus};
use crate::output::FileFormat;
use crate::report::{Format, Report, shown, thousands};
use crate::workspace::Workspace;
use serde::{Serialize, Serializer};
use std::io::{self, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub use moves::{Flow, Moves};
pub use totals::{Change, TotalsSince};

/// Evaluate every customer and write their policies as one run.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub sources: SourceArgs,
    /// Also write the policies to a .csv or .jsonl file.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Summary format on stdout.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Write the customers that evaluate even when a rule fails for others: those are left
    /// out, listed in the summary and recorded in the error table (`policy_error`); the exit
    /// code is then 1. Without it, the first failing customer stops the run and nothing is
    /// written.
    #[arg(long)]
    pub keep_going: bool,
    /// Write nothing, and exit 1, when the run's history or data are most likely not what
    /// it should be made on (a skipped period, customers missing from the source or left
    /// out of the previous run, a history replaced since, a date after today, a share
    /// compared with a percentage): what `run` otherwise writes with a note. For schedulers.
    #[arg(long)]
    pub strict: bool,
}

pub fn run(args: Args, globals: &Globals) -> Result<ExitStatus, Error> {
    let start = Instant::now();
    if let Some(out) = &args.out {
        check_out_path(out)?;
    }
    crate::interrupt::install().map_err(|source| Error::Io {
        what: "cannot handle Ctrl-C and SIGTERM".into(),
        source,
    })?;
    let ws = Workspace::new(&globals.config, &args.sources.into())?;
    let mut source = ws.open_source()?;
    let loaded = ws.load_rules(&source)?;
    print_warnings(&loaded.warnings);
    let rules = loaded.rules;
    print_lint_lines(&rules, &loaded.warnings, ws.context.as_of);
    let options = crate::workspace::batch::RunOptions {
        file: args.out.as_deref(),
        keep_going: args.keep_going,
        strict: args.strict,
    };
    let summary = ws.run(&mut source, &rules, options)?;

    let mut counts = Vec::new();
    for (k, (name, _)) in rules.summary.count_by.iter().enumerate() {
        let mut values = summary.tally.counts.get(k).cloned().unwrap_or_default();
        values.sort_by(|a, b| {
            (a.0 == "(none)")
                .cmp(&(b.0 == "(none)"))
                .then(a.0.cmp(&b.0))
        });
        counts.push((name.clone(), values));
    }
    let totals: Vec<(String, f64)> = rules
        .summary
        .totals
        .iter()
        .enumerate()
        .map(|(k, (name, _))| {
            (
                name.clone(),
                summary.tally.totals.get(k).copied().unwrap_or(0.0),
            )
        })
        .collect();
    let money: Vec<String> = rules
        .summary
        .money
        .iter()
        .map(|&k| rules.summary.totals[k].0.clone())
        .collect();
    let moves = rules
        .summary
        .moves
        .iter()
        .enumerate()
        .map(|(k, m)| {
            let count = summary.tally.moves.get(k).cloned().unwrap_or_default();
            let gone = summary.gone.by_value.get(k).map_or(&[][..], Vec::as_slice);
            let moves = Moves::new(&count, &m.order, gone, summary.gone.ids.len());
            (m.output.clone(), moves)
        })
        .collect();
    let totals_since = summary
        .standing
        .previous
        .as_ref()
        .map(|p| TotalsSince::new(p, &totals, &money));
    let view = crate::output::latest_view(&ws.config.tables);
    let mut notes = standing_notes(&summary, ws.context.as_of, ws.context.period, &view);
    notes.extend(other_rules_note(&summary));
    notes.extend(skipped_period_note(&summary, &rules, ws.context.period));
    notes.extend(read_gap_notes(&summary, &rules));
    notes.extend(left_out_note(&summary, &rules));
    notes.extend(gone_note(&summary));
    // Built on a period made on a history replaced since.
    if !rules.past.is_empty() {
        notes.extend(summary.standing.previous_stale.as_ref().map(|s| s.note()));
    }
    // On the data: most likely not meant, and nothing failed to say so.
    notes.extend(summary.data_warnings.iter().map(|w| w.note_line()));
    let secs = |d: Duration| (d.as_secs_f64() * 1000.0).round() / 1000.0;
    let report = RunReport {
        notes,
        run_id: summary.written.run_id,
        customers: summary.written.customers,
        fingerprint: summary.fingerprint,
        as_of: ws.context.as_of.to_string(),
        period: ws.context.period.label(),
        previous_period: ws.context.period.previous().map(|p| p.label()),
        since: summary.since.map(|p| p.label()),
        moves,
        database: ws.database.clone(),
        policy_table: ws.config.tables.policy_table.clone(),
        out: args.out,
        counts,
        totals,
        money,
        currency: ws.config.currency.clone(),
        totals_since,
        seconds: vec![
            ("read".into(), secs(summary.read)),
            ("history".into(), secs(summary.history)),
            ("population".into(), secs(summary.population)),
            ("evaluate_write".into(), secs(summary.evaluate_write)),
            ("total".into(), secs(start.elapsed())),
        ],
        peak_memory_mb: peak_memory_mb(),
        failed: summary.failures.iter().map(FailedCustomer::from).collect(),
        error_table: ws.config.tables.error_table.clone(),
    };
    crate::report::print(&report, args.format);
    // The summary (with the failures) is on stdout; a scheduler that mails stderr gets why
    // the exit code is 1 too.
    if let Some(first) = report.failed.first() {
        eprintln!(
            "error: run {} left out {} customer{} that rules failed for (first: customer {}: {} failed: {}); they are in {}",
            report.run_id,
            thousands(report.failed.len() as f64),
            if report.failed.len() == 1 { "" } else { "s" },
            first.customer,
            first.rule,
            first.message,
            report.error_table
        );
    }
    Ok(match report.failed.is_empty() {
        true => ExitStatus::Success,
        false => ExitStatus::Failure,
    })
}

/// What the run changed among the recorded periods, and a date the data cannot reach: the
/// official run it replaced, later periods that read the history it replaced, a period of
/// another kind, a date after today.
fn standing_notes(
    summary: &crate::workspace::batch::RunSummary,
    as_of: crate::time::Date,
    period: crate::time::Period,
    view: &str,
) -> Vec<String> {
    let mut notes = Vec::new();
    let today = crate::time::Date::today_utc();
    if as_of > today {
        notes.push(format!(
            "as of {as_of} is {} days after today ({today}): the customer data most likely does not reach it yet, and {} is now the latest period (`{view}` and `changes` show it); if this was a mistake, `tierwise prune --run {}` removes this run",
            as_of.0 - today.0,
            period.label(),
            summary.written.run_id
        ));
    }
    let standing = &summary.standing;
    if let Some((run_id, was_as_of, customers)) = standing.replaces {
        let now = summary.written.customers as i64;
        let undo = format!(
            " (`tierwise prune --run {}` would make run {run_id} official again)",
            summary.written.run_id
        );
        let fewer = match customers - now {
            1 => format!(", with 1 customer fewer{undo}"),
            n if n > 0 => format!(", with {} customers fewer{undo}", thousands(n as f64)),
            _ => String::new(),
        };
        notes.push(format!(
            "replaces run {run_id} (as of {was_as_of}, {} customers) as {}'s official run{fewer}",
            thousands(customers as f64),
            period.label()
        ));
    }
    if !standing.later.is_empty() {
        let later: Vec<&str> = standing.later.iter().map(|p| p.label()).collect();
        notes.push(format!(
            "later periods ({}) were run on the history before this run: run them again, oldest first, to evaluate them on it",
            later.join(", ")
        ));
    }
    if let Some(other) = standing.other_kind {
        notes.push(format!(
            "the latest recorded run is of {} (another kind of period than this run's {}): this run reads no history from it",
            other.label(),
            period.label()
        ));
    }
    notes
}

/// When the previous period's run was made with other rules: the moves and totals since
/// compare two rule sets, and what the rules read of it may be missing (`previous.x` of an
/// output those rules did not give is NULL for everyone).
fn other_rules_note(summary: &crate::workspace::batch::RunSummary) -> Option<String> {
    let previous = summary.standing.previous.as_ref()?;
    let theirs = previous.fingerprint.as_deref()?;
    if theirs == summary.fingerprint {
        return None;
    }
    let mut note = format!(
        "{}'s run (run {}) was made with other rules ({theirs}): the moves and totals since {} compare two rule sets, not only the customers",
        previous.period.label(),
        previous.run_id,
        previous.period.label()
    );
    if !summary.unwritten.is_empty() {
        let names: Vec<String> = summary.unwritten.iter().map(|n| format!("`{n}`")).collect();
        note.push_str(&format!(
            "; {} read NULL for every customer (that run gave no value for {}), so rules that read {} saw no history",
            names.join(", "),
            if names.len() == 1 { "it" } else { "them" },
            if names.len() == 1 { "it" } else { "them" },
        ));
    }
    Some(note)
}

/// When the rules read the previous period (`previous.credit_limit`) and it has no run, though
/// an earlier period has: those values are NULL for every customer, so a rule such as "a
/// limit rises at most 20% on the previous quarter's" bound no one, without a word.
fn skipped_period_note(
    summary: &crate::workspace::batch::RunSummary,
    rules: &crate::rules::RuleSet,
    period: crate::time::Period,
) -> Option<String> {
    let (earlier, run_id) = summary.standing.skipped_to?;
    let previous = period.previous()?;
    let names = crate::workspace::standing::past_names(rules, 1);
    if names.is_empty() {
        return None;
    }
    Some(format!(
        "{} has no run (the latest before it is {}, run {run_id}): {} {} NULL for every customer, so rules that read {} saw no history; run {} first (`tierwise run --as-of {}`), then this period again",
        previous.label(),
        earlier.label(),
        names.join(", "),
        if names.len() == 1 { "is" } else { "are" },
        if names.len() == 1 { "it" } else { "them" },
        previous.label(),
        previous.end(),
    ))
}

/// Periods the rules read (`previous_2.tier` in "A three quarters running") without a run,
/// though the history goes back further or was pruned: what the rules read
/// of them is NULL for every customer, and "A three quarters running" holds for no one.
fn read_gap_notes(
    summary: &crate::workspace::batch::RunSummary,
    rules: &crate::rules::RuleSet,
) -> Vec<String> {
    let deepest = rules.past.iter().map(|p| p.back).max().unwrap_or(0);
    (summary.standing.read_gaps.iter())
        .map(|gap| {
            let names = crate::workspace::standing::past_names(rules, gap.back);
            let (it, is) = match names.len() {
                1 => ("it", "is"),
                _ => ("them", "are"),
            };
            let fix = match gap.earlier {
                Some(_) => format!(
                    "run {} first (`tierwise run --as-of {}`), then the periods after it again, oldest first",
                    gap.period.label(),
                    gap.period.end()
                ),
                None => format!(
                    "these rules read {deepest} period{} back: `prune --keep {}` keeps a period and the {deepest} before it",
                    if deepest == 1 { "" } else { "s" },
                    deepest + 1
                ),
            };
            format!(
                "{} has no run{}: {} {is} NULL for every customer, so rules that read {it} saw no history of that period; {fix}",
                gap.period.label(),
                gap.cause(),
                names.join(", "),
            )
        })
        .collect()
}

/// When customers of this run were left out of the previous period's run (a rule failed
/// for them under `--keep-going`): they have no policy of that period, so they count as new
/// and what the rules read of it is NULL for them (a key account's "since" starts again).
fn left_out_note(
    summary: &crate::workspace::batch::RunSummary,
    rules: &crate::rules::RuleSet,
) -> Option<String> {
    // Those left out again by this run are not counted as new: they are not in it.
    let failed: std::collections::HashSet<&str> = summary
        .failures
        .iter()
        .map(|f| f.customer.as_str())
        .collect();
    let left: Vec<&crate::output::LeftOut> = (summary.standing.previous_left_out.iter())
        .filter(|l| !failed.contains(l.customer.as_str()))
        .collect();
    let previous = summary.standing.previous.as_ref()?;
    let first = left.first()?;
    let label = previous.period.label();
    let read = crate::workspace::standing::past_names(rules, 1);
    let one = left.len() == 1;
    let what = match read.len() {
        0 => format!("{} as new", if one { "it counts" } else { "they count" }),
        n => format!(
            "{} {} NULL for {} and {} as new",
            read.join(", "),
            if n == 1 { "is" } else { "are" },
            if one { "it" } else { "them" },
            if one { "it counts" } else { "they count" },
        ),
    };
    let more = match left.len() {
        1 => String::new(),
        n => format!(" and {} more", thousands((n - 1) as f64)),
    };
    Some(format!(
        "{} of this run's customers {} left out of {label}'s run (run {}, `--keep-going`: a rule failed for {}), so {} no {label} policy: {what} (`{}`: {}: {}{more}; {}); fix the rule, run {label} again (`tierwise run --as-of {}`), then this period again",
        thousands(left.len() as f64),
        if one { "was" } else { "were" },
        previous.run_id,
        if one { "it" } else { "them" },
        if one { "it has" } else { "they have" },
        first.customer,
        first.rule,
        first.message,
        if one {
            "`policy_error` has it"
        } else {
            "`policy_error` lists them"
        },
        previous.period.end(),
    ))
}

/// When many of the previous period's customers are not in this run's source (a tenth or
/// more, at least 10): an extract cut short would otherwise pass as a shrinking business,
/// its tiers recomputed over who is left.
fn gone_note(summary: &crate::workspace::batch::RunSummary) -> Option<String> {
    let previous = summary.standing.previous.as_ref()?;
    let gone = summary.gone.ids.len();
    let before = summary.gone.previous_customers;
    if !summary.gone.is_many() {
        return None;
    }
    Some(format!(
        "{} of {}'s {} customers ({:.0}%) are not in this run's source (`{}`, ...): if the customer data was cut short, run again once it is whole; population figures (ranks, percentiles) are over this run's {} customers; `tierwise changes` lists them",
        thousands(gone as f64),
        previous.period.label(),
        thousands(before as f64),
        100.0 * gone as f64 / before as f64,
        summary.gone.ids[0],
        thousands(summary.written.customers as f64),
    ))
}

/// A customer a run that kept going left out.
#[derive(Debug, Serialize)]
pub struct FailedCustomer {
    pub customer: String,
    /// "rule `tier-a`", "metric `loyalty`", ...
    pub rule: String,
    pub message: String,
    /// file:line:column of the failing expression.
    pub at: String,
}

impl From<&crate::engine::EvalError> for FailedCustomer {
    fn from(e: &crate::engine::EvalError) -> Self {
        FailedCustomer {
            customer: e.customer.clone(),
            rule: e.rule.clone(),
            message: e.message.clone(),
            at: e.at.clone(),
        }
    }
}

/// How many failed customers the text summary lists (all are in the error table and JSON).
const FAILED_SHOWN: usize = 10;

/// `--out` must name a .csv or .jsonl file in a directory that exists: checked before any work.
fn check_out_path(out: &std::path::Path) -> Result<(), Error> {
    if FileFormat::from_path(out).is_none() {
        return Err(Error::Argument(format!(
            "--out {}: the file name must end in .csv or .jsonl",
            out.display()
        )));
    }
    super::check_out_dir(out)
}

/// What a run did, for the summary.
#[derive(Debug, Serialize)]
pub struct RunReport {
    /// What the reader should know before reading the comparison with the previous period.
    pub notes: Vec<String>,
    pub run_id: i64,
    pub customers: usize,
    pub fingerprint: String,
    /// The evaluation date and its period.
    pub as_of: String,
    pub period: &'static str,
    /// The period before the run's own, whose official run the moves are counted against.
    pub previous_period: Option<&'static str>,
    /// That period, when it has a run (`None`: nothing to compare with).
    pub since: Option<&'static str>,
    /// Per `summary.moves` output: customers by how it moved since `since`.
    #[serde(serialize_with = "map")]
    pub moves: Vec<(String, Moves)>,
    pub database: PathBuf,
    pub policy_table: String,
    pub out: Option<PathBuf>,
    /// Per `count_by` output: customers per value, in display order.
    #[serde(serialize_with = "nested_map")]
    pub counts: Vec<(String, Vec<(String, usize)>)>,
    #[serde(serialize_with = "numbers")]
    pub totals: Vec<(String, f64)>,
    /// The totals that are money (`summary.money`).
    pub money: Vec<String>,
    /// How money is labelled (config `currency`).
    pub currency: Option<String>,
    /// The totals of the previous period's official run against these (`None`: that
    /// period has no run).
    pub totals_since: Option<TotalsSince>,
    /// Seconds per stage: read, population, evaluate+write, total.
    #[serde(serialize_with = "map")]
    pub seconds: Vec<(String, f64)>,
    /// The process's peak resident memory, where the OS tells it (Linux).
    pub peak_memory_mb: Option<f64>,
    /// Customers left out because a rule failed for them (`--keep-going`).
    pub failed: Vec<FailedCustomer>,
    /// Where they are recorded.
    pub error_table: String,
}

impl RunReport {
    fn failed_text(&self, out: &mut dyn Write) -> io::Result<()> {
        if self.failed.is_empty() {
            return Ok(());
        }
        writeln!(
            out,
            "\n{} customer{} failed and {} left out (recorded in {}):",
            thousands(self.failed.len() as f64),
            if self.failed.len() == 1 { "" } else { "s" },
            if self.failed.len() == 1 { "is" } else { "are" },
            self.error_table
        )?;
        for f in self.failed.iter().take(FAILED_SHOWN) {
            let at = if f.at.is_empty() {
                String::new()
            } else {
                format!(" ({})", f.at)
            };
            writeln!(out, "  {}: {}: {}{at}", f.customer, f.rule, f.message)?;
        }
        if self.failed.len() > FAILED_SHOWN {
            writeln!(
                out,
                "  ... and {} more",
                thousands((self.failed.len() - FAILED_SHOWN) as f64)
            )?;
        }
        Ok(())
    }

    fn moves_text(&self, out: &mut dyn Write) -> io::Result<()> {
        if self.moves.is_empty() {
            return Ok(());
        }
        let Some(since) = self.since else {
            let previous = self.previous_period.unwrap_or("the previous period");
            return writeln!(out, "\nmoves: no run of {previous} to compare with");
        };
        writeln!(out, "\nmoves since {since}")?;
        let width = self.moves.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
        for (name, m) in &self.moves {
            writeln!(out, "  {name:<width$}  {}", m.line())?;
        }
        for (name, m) in &self.moves {
            m.tables(out, name, since, self.period)?;
        }
        Ok(())
    }

    fn totals_text(&self, out: &mut dyn Write) -> io::Result<()> {
        let currency = self.currency.as_deref();
        let heading = match (&self.totals_since, self.previous_period) {
            (Some(since), _) if since.recorded => {
                if since.totals.is_empty() {
                    return Ok(());
                }
                writeln!(
                    out,
                    "\ntotals since {} (run {})",
                    since.period, since.run_id
                )?;
                return since.text(out, currency);
            }
            (Some(since), _) => format!(
                "no totals recorded for {} (its run {} was written by an older tierwise)",
                since.period, since.run_id
            ),
            (None, Some(previous)) => format!("no run of {previous} to compare with"),
            (None, None) => "no earlier period to compare with".into(),
        };
        if self.totals.is_empty() {
            return Ok(());
        }
        writeln!(out, "\ntotals: {heading}")?;
        let shown: Vec<(&String, String)> = self
            .totals
            .iter()
            .map(|(name, v)| {
                (
                    name,
                    crate::text::amount(*v, self.money.contains(name), currency),
                )
            })
            .collect();
        let width = shown.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
        let value_width = shown
            .iter()
            .map(|(_, v)| v.len())
            .max()
            .unwrap_or(0)
            .max(18);
        for (name, value) in shown {
            writeln!(out, "  {name:<width$}  {value:>value_width$}")?;
        }
        Ok(())
    }
}

/// Pairs as a JSON object, in order.
fn map<S: Serializer, V: Serialize>(pairs: &[(String, V)], s: S) -> Result<S::Ok, S::Error> {
    s.collect_map(pairs.iter().map(|(k, v)| (k, v)))
}

/// Named numbers as a JSON object, in order, whole numbers as integers.
fn numbers<S: Serializer>(pairs: &[(String, f64)], s: S) -> Result<S::Ok, S::Error> {
    s.collect_map(pairs.iter().map(|(k, v)| (k, crate::text::Number(*v))))
}

fn nested_map<S: Serializer>(
    pairs: &[(String, Vec<(String, usize)>)],
    s: S,
) -> Result<S::Ok, S::Error> {
    struct Inner<'a>(&'a [(String, usize)]);
    impl Serialize for Inner<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            map(self.0, s)
        }
    }
    s.collect_map(pairs.iter().map(|(k, v)| (k, Inner(v))))
}

/// Peak resident memory of this process in MB (`VmHWM`), on Linux.
pub fn peak_memory_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some((kb / 1024.0 * 10.0).round() / 10.0)
}

impl Report for RunReport {
    fn text(&self, out: &mut dyn Write, _color: bool) -> io::Result<()> {
        writeln!(
            out,
            "run {}: {} customers as of {} ({}), rules {}",
            self.run_id,
            thousands(self.customers as f64),
            self.as_of,
            self.period,
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
        for note in &self.notes {
            writeln!(out, "note: {note}")?;
        }
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
        self.failed_text(out)?;
        self.moves_text(out)?;
        self.totals_text(out)?;
        let stages: Vec<String> = self
            .seconds
            .iter()
            .map(|(k, v)| format!("{k} {v:.2} s"))
            .collect();
        writeln!(out, "\ntime: {}", stages.join(", "))
    }
}

/// The lint warnings of the rules, a line each on stderr: a row that can never match goes
/// live with the run, and `check`'s warning may never have been seen.
/// Rows in effect are those of the run's date (`as_of`), not of today.
fn print_lint_lines(
    rules: &crate::rules::RuleSet,
    warnings: &[crate::diag::Diagnostic],
    as_of: crate::time::Date,
) {
    let lints = crate::rules::lint::lint(rules, as_of);
    let lints = crate::rules::lint::without_repeats(lints, warnings);
    let lines = super::warning_lines(&lints, "lint warning");
    if !lines.is_empty() {
        eprintln!("{}\n", lines.join("\n"));
    }
}
