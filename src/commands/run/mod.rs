//! `tierwise run`: evaluate every customer and write their policies as one run, and compare
//! it with the previous period's official run: how each `summary.moves` output moved
//! (moves.rs) and the summary totals before and after (totals.rs).

mod moves;
mod notes;
mod own_tests;
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
pub(crate) use notes::run_notes;
pub use totals::{Change, TotalsSince};

/// Evaluate every customer and write their policies as one run.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub sources: SourceArgs,
    /// Also write the policies to a .csv, .jsonl or .xlsx (Excel) file.
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
    /// out of the previous run, a history replaced since, a date after today, a rerun of the
    /// period as of an earlier day or with a tenth fewer customers, and every warning on the
    /// data: a share compared with a percentage, customer ids that differ only in case,
    /// spaces or leading zeros, an output compared with text the rules give in another
    /// spelling): what `run` otherwise writes with a note. For schedulers.
    #[arg(long)]
    pub strict: bool,
    /// This configuration's customer source changed on purpose (a customer table renamed):
    /// replace or follow runs made from another source all the same. Without it, such a run
    /// is refused as another configuration's writing into these tables.
    #[arg(long)]
    pub new_source: bool,
    /// Run with the rules of this git revision of the rules' repository (or of this
    /// directory), as `diff --base` reads them: a month restated with the rules it was
    /// first made with. The run records the revision.
    #[arg(long, value_name = "REV", conflicts_with = "rules")]
    pub rules_at: Option<String>,
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
    let mut overrides: crate::workspace::Overrides = args.sources.into();
    // Kept to the end: a revision's rule files are in a temporary directory.
    let at = super::rules_at(args.rules_at.as_deref(), globals, &mut overrides)?;
    let name_files = |diags| super::named_at(&at, diags);
    let ws = Workspace::new(&globals.config, &overrides)?;
    if let Some(out) = &args.out {
        super::check_out_not_ours(out, &ws)?;
    }
    let mut source = ws.open_source()?;
    let loaded = ws.load_rules(&source).map_err(|e| match e {
        Error::Rules(d) => Error::Rules(crate::diag::Diagnostics(name_files(d.0))),
        e => e,
    })?;
    print_warnings(&name_files(loaded.warnings.clone()));
    let rules = loaded.rules;
    print_lint_lines(&rules, &loaded.warnings, ws.context.as_of);
    let columns = crate::source::CustomerSource::columns(&source)?;
    let rejected = own_tests::rejected(&ws, &rules, &columns)?;
    if let (Some(why), true) = (&rejected, args.strict) {
        return Err(Error::Strict(vec![why.clone()]));
    }
    let options = crate::workspace::batch::RunOptions {
        file: args.out.as_deref(),
        keep_going: args.keep_going,
        strict: args.strict,
        new_source: args.new_source,
        rules_as_on_disk: true,
        rules_at: at.as_ref().map(|at| (at.label.as_str(), at.commit())),
    };
    let summary = ws
        .run(&mut source, &rules, options)
        .map_err(|e| match (e, &at) {
            // At the revision's file, not the temporary one it was read into.
            (Error::Eval(e), Some(at)) => Error::Eval(at.name_error(e)),
            (Error::RunStopped(e), Some(at)) => Error::RunStopped(at.name_error(e)),
            (e, _) => e,
        })?;

    let mut counts = Vec::new();
    for (k, (name, _)) in rules.summary.count_by.iter().enumerate() {
        let mut values = summary.tally.counts.get(k).cloned().unwrap_or_default();
        rules.sort_values(name, &mut values);
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
    let replaces = totals::Replaced::of(&summary, ws.context.period, &totals, &money);
    let mut notes = notes::run_notes(&summary, &rules, &ws);
    notes.extend(rejected);
    let secs = |d: Duration| (d.as_secs_f64() * 1000.0).round() / 1000.0;
    let report = RunReport {
        notes,
        run_id: summary.written.run_id,
        customers: summary.written.customers,
        fingerprint: summary.rules.fingerprint.clone(),
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
        replaces,
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
            "error: run {} left out {} customer{} that failed (first: customer {}: {} failed: {}); they are in {}",
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

/// A customer a run that kept going left out.
#[derive(Debug, Serialize)]
pub struct FailedCustomer {
    pub customer: String,
    /// "rule `tier-a`", "metric `loyalty`", ...
    pub rule: String,
    /// The id alone when a rule row or cap failed: `tier-a` (`None` for a metric ...).
    pub rule_id: Option<String>,
    pub message: String,
    /// file:line:column of the failing expression.
    pub at: String,
}

impl From<&crate::engine::EvalError> for FailedCustomer {
    fn from(e: &crate::engine::EvalError) -> Self {
        FailedCustomer {
            customer: e.customer.clone(),
            rule: e.rule.clone(),
            rule_id: e.rule_id().map(str::to_owned),
            message: e.message.clone(),
            at: e.at.clone(),
        }
    }
}

/// How many failed customers the text summary lists (all are in the error table and JSON).
const FAILED_SHOWN: usize = 10;

/// `--out` must name a .csv, .jsonl or .xlsx file in a directory that exists: checked before
/// any work.
fn check_out_path(out: &std::path::Path) -> Result<(), Error> {
    if FileFormat::from_path(out).is_none() {
        return Err(Error::Argument(format!(
            "--out {}: the file name must end in .csv, .jsonl or .xlsx (Excel)",
            out.display()
        )));
    }
    super::check_out_file(out, "policies.csv")
}

/// The most values of a `count_by` output the text shows (by customers, the rest on a line
/// of their own; `--format json` gives every one).
const MOST_VALUES: usize = 20;

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
    /// The period's official run this run replaces, and what it changed against it (`None`:
    /// the period had no run).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replaces: Option<totals::Replaced>,
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
    /// `, without the 1,918 customers this run left out`: a `--keep-going` run's totals
    /// lack them, the previous run's hold them (every blocked customer left out read as
    /// "blocked 1,108 -> 0").
    fn left_out_of_totals(&self) -> String {
        match self.failed.len() {
            0 => String::new(),
            n => format!(
                ", without the {} this run left out (not in these totals; those the previous run held are in its)",
                crate::text::customers(n)
            ),
        }
    }

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
                    "\ntotals since {} (run {}){}",
                    since.period,
                    since.run_id,
                    self.left_out_of_totals()
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
            // A free-text output (a reason with the customer's figures in it) has a value per
            // customer: the most frequent values, in their order, and a line for the rest.
            let mut by_count: Vec<usize> = (0..values.len()).collect();
            by_count.sort_by_key(|&k| std::cmp::Reverse(values[k].1));
            by_count.truncate(match values.len() > MOST_VALUES + 1 {
                true => MOST_VALUES,
                false => values.len(),
            });
            by_count.sort_unstable();
            let rest: Vec<&(String, usize)> = (values.iter().enumerate())
                .filter(|(k, _)| by_count.binary_search(k).is_err())
                .map(|(_, v)| v)
                .collect();
            let values: Vec<&(String, usize)> = by_count.iter().map(|&k| &values[k]).collect();
            // Spellings that differ only in what a screen hides are shown apart, and
            // columns line up by characters (`Średni` is 7 bytes).
            let shown: Vec<String> = (values.iter())
                .map(|(v, _)| crate::text::visible(v).into_owned())
                .collect();
            // The cut can fall inside a tie: values as frequent as the last shown are left
            // out by their order alone, which the line says.
            let last = values.iter().map(|(_, n)| *n).min().unwrap_or(0);
            let tied = rest.iter().filter(|(_, n)| *n == last).count();
            let more = (!rest.is_empty()).then(|| match tied {
                0 => format!("({} more values)", thousands(rest.len() as f64)),
                _ => format!(
                    "({} more values, {} as frequent as the last shown)",
                    thousands(rest.len() as f64),
                    thousands(tied as f64)
                ),
            });
            let width = (shown.iter().chain(&more))
                .map(|v| v.chars().count())
                .max()
                .unwrap_or(0)
                .max(name.chars().count());
            writeln!(out, "\n{name:<width$}  {:>11}  {:>6}", "customers", "share")?;
            for (value, (_, count)) in shown.iter().zip(values) {
                let share = 100.0 * *count as f64 / self.customers.max(1) as f64;
                writeln!(
                    out,
                    "{value:<width$}  {:>11}  {share:>5.1}%",
                    thousands(*count as f64)
                )?;
            }
            if let Some(more) = more {
                let customers: usize = rest.iter().map(|(_, n)| n).sum();
                let share = 100.0 * customers as f64 / self.customers.max(1) as f64;
                writeln!(
                    out,
                    "{more:<width$}  {:>11}  {share:>5.1}%",
                    thousands(customers as f64)
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
    let lints = crate::rules::lint::for_runs(crate::rules::lint::without_repeats(lints, warnings));
    let lines = super::warning_lines(&lints, "lint warning");
    if !lines.is_empty() {
        eprintln!("{}\n", lines.join("\n"));
    }
}
