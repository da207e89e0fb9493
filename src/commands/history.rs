//! `tierwise history CUSTOMER_ID`: one customer's outputs period by period, from each
//! period's official run (oldest first), with the rule ids that changed from the period
//! before. Reads the run tables only: no rules are loaded, no customer is evaluated.

use super::Globals;
use crate::error::{Error, ExitStatus};
use crate::output::{self, value_json, value_text};
use crate::report::{Format, Report, plural, shown};
use crate::source::SqliteSource;
use crate::time::PeriodKind;
use crate::workspace::{Overrides, Workspace};
use serde::{Serialize, Serializer};
use std::io::{self, Write};
use std::path::PathBuf;

/// Show one customer's outputs period by period (official runs, oldest first), with the
/// rule ids that changed from the period before.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The customer's id.
    pub customer: String,
    /// Outputs to show, comma-separated (default: every output).
    #[arg(long, value_delimiter = ',')]
    pub outputs: Vec<String>,
    /// Show the last N periods only (0: all; default: 12 in text, all in JSON).
    #[arg(long, value_name = "N")]
    pub last: Option<usize>,
    /// Show the periods of one kind only (after a change of `period:`, months and
    /// quarters are both shown by default).
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,
    /// Customer database (default: the config's `database`).
    #[arg(long)]
    pub db: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// How many periods the text shows by default: a column each, a year of months.
const LAST_IN_TEXT: usize = 12;

/// A kind of period, as `--kind` takes it.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum KindArg {
    Month,
    Quarter,
    Year,
}

impl From<KindArg> for PeriodKind {
    fn from(kind: KindArg) -> PeriodKind {
        match kind {
            KindArg::Month => PeriodKind::Month,
            KindArg::Quarter => PeriodKind::Quarter,
            KindArg::Year => PeriodKind::Year,
        }
    }
}

pub fn run(args: Args, globals: &Globals) -> Result<ExitStatus, Error> {
    let overrides = Overrides {
        db: args.db,
        rules: None,
        as_of: None,
    };
    let ws = Workspace::new(&globals.config, &overrides)?;
    let mut source = SqliteSource::open(&ws.database, &ws.config.source)?;
    let conn = source.connection();
    let tables = &ws.config.tables;
    let known = output::output_names(conn, tables)?;
    let asked = !args.outputs.is_empty();
    let outputs = match args.outputs.is_empty() {
        true => known,
        false => checked_outputs(args.outputs, &known)?,
    };
    let kind = output::latest_kind(conn, tables)?.unwrap_or_default();
    let mut history = output::customer_history(conn, tables, &args.customer, &outputs, kind)?;
    let asked_kind = args.kind.map(PeriodKind::from);
    if let Some(asked) = asked_kind {
        let others = kinds_note(history.periods.iter().map(|h| h.run.period), Some(asked));
        let known = !history.periods.is_empty() || !history.left_out.is_empty();
        history.periods.retain(|h| h.run.period.kind == asked);
        history.left_out.retain(|(run, _)| run.period.kind == asked);
        if known && history.periods.is_empty() && history.left_out.is_empty() {
            return Err(Error::Argument(format!(
                "--kind {}: customer `{}` has no {} with a run{}",
                asked.name(),
                args.customer,
                asked.name(),
                others.map_or(String::new(), |o| format!("; {o}"))
            )));
        }
    }
    let kinds = match asked_kind {
        Some(_) => None,
        None => kinds_note(history.periods.iter().map(|h| h.run.period), None),
    };
    let left_out: Vec<LeftOutPeriod> = (history.left_out.iter())
        .map(|(run, l)| LeftOutPeriod {
            period: run.period.to_string(),
            run_id: run.run_id,
            rule: l.rule.clone(),
            message: l.message.clone(),
            // The next period's run holds the customer: it read no history of it.
            next_counted_new: (history.periods.iter())
                .find(|p| p.run.period.previous() == Some(run.period))
                .map(|p| p.run.period.to_string()),
        })
        .collect();
    // A customer only ever left out exists: its report is the periods that left it out.
    if history.periods.is_empty() && left_out.is_empty() {
        let like = output::customer_like(conn, tables, &args.customer)?;
        return Err(Error::Argument(format!(
            "customer `{}` is in no official run in {}{}",
            args.customer,
            shown(&ws.database).display(),
            like.map_or(String::new(), |id| format!(": did you mean `{id}`?"))
        )));
    }
    let official = output::official_runs(conn, tables, kind)?;
    // A period whose run was removed (`prune --run`) had a run the next one read.
    let removed = |p: crate::time::Period| output::removed_read(conn, tables, p.kind, p, i64::MAX);
    let gaps = gaps_note(
        &(history.periods.iter().map(|h| h.run.period)).collect::<Vec<_>>(),
        &(history.left_out.iter().map(|(run, _)| run.period)).collect::<Vec<_>>(),
        &official,
        &removed,
    )?;
    let mut periods: Vec<PeriodRow> = Vec::with_capacity(history.periods.len());
    let mut rules_of: Vec<(String, Option<output::RunRules>)> = Vec::new();
    let kinds_shown: Vec<PeriodKind> = history.periods.iter().map(|h| h.run.period.kind).collect();
    for (k, h) in history.periods.into_iter().enumerate() {
        let rules = output::run_rules(conn, tables, h.run.run_id)?;
        rules_of.push((h.run.period.to_string(), rules));
        // Rule changes from the period before of the same kind: a quarter's rules are not
        // the month's before it.
        let before = (kinds_shown[..k]
            .iter()
            .rposition(|&kind| kind == kinds_shown[k]))
        .map(|b| &periods[b]);
        let (added, removed) = match before {
            Some(before) => (
                missing_from(&h.rule_ids, &before.rule_ids),
                missing_from(&before.rule_ids, &h.rule_ids),
            ),
            None => (h.rule_ids.clone(), Vec::new()),
        };
        periods.push(PeriodRow {
            period: h.run.period.to_string(),
            as_of: h.run.as_of.to_string(),
            run_id: h.run.run_id,
            values: outputs
                .iter()
                .cloned()
                .zip(h.values.iter().zip(&h.declared))
                .map(|(name, (v, &d))| (name, (value_text(v, d), value_json(v, d))))
                .collect(),
            rule_ids: h.rule_ids,
            rules_added: added,
            rules_removed: removed,
            first_of_kind: before.is_none(),
        });
    }
    // Periods shown whose runs were made on a history replaced since.
    let shown_runs: Vec<i64> = periods.iter().map(|p| p.run_id).collect();
    // Of each kind shown: after a change of `period:`, the months' as well as the quarters'.
    let mut stale: Vec<output::StaleRun> = Vec::new();
    for (k, shown_kind) in kinds_shown.iter().enumerate() {
        if kinds_shown[..k].contains(shown_kind) {
            continue;
        }
        stale.extend(
            (output::stale_runs(conn, tables, *shown_kind)?.into_iter())
                .filter(|s| s.runs().any(|r| shown_runs.contains(&r.run_id))),
        );
    }
    // Shown first, changed or not: the outputs whose moves the runs count (the tier).
    let latest = periods.last().map_or(0, |p| p.run_id);
    let ranked = output::value_orders(conn, tables, latest)?
        .into_iter()
        .map(|o| o.output)
        .filter(|o| outputs.contains(o))
        .collect();
    // The latest periods only: the first shown keeps its rule changes from the one before.
    let last = args.last.unwrap_or(match args.format {
        Format::Text => LAST_IN_TEXT,
        Format::Json => 0,
    });
    let earlier = match last {
        0 => 0,
        n => periods.len().saturating_sub(n),
    };
    let cut = (earlier > 0).then(|| {
        format!(
            "the last {} shown, from {}: {} earlier (`--last 0` shows every period)",
            match periods.len() - earlier {
                1 => "period is".to_owned(),
                n => format!("{n} periods are"),
            },
            periods[earlier].period,
            plural(earlier, "period")
        )
    });
    periods.drain(..earlier);
    let report = HistoryReport {
        notes: (cut.into_iter())
            .chain(kinds)
            .chain(left_out.iter().map(LeftOutPeriod::note))
            .chain(stale.iter().map(|s| s.note()))
            .chain(gaps)
            .chain(rules_note(&rules_of))
            .collect(),
        left_out,
        customer_id: args.customer,
        asked,
        ranked,
        outputs,
        periods,
    };
    crate::report::print(&report, args.format);
    Ok(ExitStatus::Success)
}

/// When `periods` are of several kinds (a change of `period:`): how many of each, and how
/// to see one kind alone. With `shown`, the kinds other than it, for an error.
fn kinds_note(
    periods: impl Iterator<Item = crate::time::Period>,
    shown: Option<PeriodKind>,
) -> Option<String> {
    let mut spans: Vec<(PeriodKind, usize, crate::time::Period, crate::time::Period)> = Vec::new();
    for p in periods {
        match spans.iter_mut().find(|s| s.0 == p.kind) {
            Some(span) => (span.1, span.3) = (span.1 + 1, p),
            None => spans.push((p.kind, 1, p, p)),
        }
    }
    let described = |spans: &[&(PeriodKind, usize, crate::time::Period, crate::time::Period)]| {
        (spans.iter())
            .map(|(kind, n, first, last)| match n {
                1 => format!("a {} {first}", kind.name()),
                n => format!("{} {first} to {last}", plural(*n, kind.name())),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    match shown {
        Some(asked) => {
            let others: Vec<_> = spans.iter().filter(|s| s.0 != asked).collect();
            (!others.is_empty()).then(|| format!("it has {}", described(&others)))
        }
        None if spans.len() > 1 => Some(format!(
            "the periods are of {} kinds ({}), after a change of `period:`: rule changes are from the period before of the same kind; {} shows one kind alone",
            spans.len(),
            described(&spans.iter().collect::<Vec<_>>()),
            (spans.iter().map(|s| format!("`--kind {}`", s.0.name())))
                .collect::<Vec<_>>()
                .join(" or ")
        )),
        None => None,
    }
}

/// The periods between the first and the last `shown` that show nothing of the customer
/// (nor left it out): their run does not hold it (it was not in that period's data), or
/// they have no run. Side by side, the columns around such a gap read as consecutive.
fn gaps_note(
    shown: &[crate::time::Period],
    left_out: &[crate::time::Period],
    official: &[output::OfficialRun],
    removed: &dyn Fn(crate::time::Period) -> Result<Option<i64>, output::OutputError>,
) -> Result<Option<String>, Error> {
    let (Some(&first), Some(&last)) = (shown.first(), shown.last()) else {
        return Ok(None);
    };
    let periods: Vec<crate::time::Period> = (1..)
        .map_while(|k| last.back(k).filter(|p| *p > first))
        .filter(|p| !shown.contains(p) && !left_out.contains(p))
        .collect();
    let count = periods.len();
    let (mut missing, mut read_none) = (Vec::new(), false);
    // Periods with no run in a row, as one range: a mistyped `--as-of` ten years ahead
    // listed 39 quarters one by one.
    let mut no_run: Option<(crate::time::Period, crate::time::Period)> = None;
    let flush = |no_run: &mut Option<(crate::time::Period, crate::time::Period)>,
                 missing: &mut Vec<String>| {
        if let Some((from, to)) = no_run.take() {
            missing.push(match from == to {
                true => format!("{} (no run)", from.label()),
                false => format!("{} to {} (no run)", from.label(), to.label()),
            });
        }
    };
    for p in periods.into_iter().rev() {
        let official_run = official.iter().find(|r| r.period == p);
        if official_run.is_none() && removed(p)?.is_none() {
            read_none = true;
            no_run = match no_run {
                Some((from, to)) if p.previous() == Some(to) => Some((from, p)),
                _ => {
                    flush(&mut no_run, &mut missing);
                    Some((p, p))
                }
            };
            continue;
        }
        flush(&mut no_run, &mut missing);
        missing.push(match official_run {
            Some(run) => format!(
                "{} (its run {} does not hold the customer: it was not in that period's data)",
                p.label(),
                run.run_id
            ),
            None => match removed(p)? {
                Some(run_id) => format!(
                    "{} (its run {run_id} was removed since, `prune --run`: the run after it read it)",
                    p.label()
                ),
                None => format!("{} (no run)", p.label()),
            },
        });
        read_none |= !missing
            .last()
            .is_some_and(|m| m.contains("was removed since"));
    }
    flush(&mut no_run, &mut missing);
    if missing.is_empty() {
        return Ok(None);
    }
    let after = match read_none {
        true => {
            "; the run after a missing period found no `previous.x` of the customer (an earlier period the rules read, `previous_2.x`, may hold it)"
        }
        false => "",
    };
    Ok(Some(format!(
        "{} missing between {} and {}: {}{after}",
        plural(count, "period"),
        first.label(),
        last.label(),
        missing.join(", ")
    )))
}

/// When the periods' runs were made with different rules: which periods with which, since
/// a change from one period to the next may be the rules', not the customer's.
fn rules_note(rules_of: &[(String, Option<output::RunRules>)]) -> Option<String> {
    // Consecutive periods whose rules decide alike, as (first, last, rules of the first).
    let mut spans: Vec<(&str, &str, Option<&output::RunRules>)> = Vec::new();
    for (period, rules) in rules_of {
        match spans.last_mut() {
            Some(span) if same_rules(span.2, rules.as_ref()) => span.1 = period,
            _ => spans.push((period, period, rules.as_ref())),
        }
    }
    if spans.len() < 2 {
        return None;
    }
    let parts: Vec<String> = spans
        .iter()
        .map(|(first, last, rules)| (first, last, rules.map_or("unknown", |r| &r.fingerprint)))
        .map(|(first, last, f)| match first == last {
            true => format!("{first} with rules {f}"),
            false => format!("{first} to {last} with rules {f}"),
        })
        .collect();
    Some(format!(
        "the periods' runs were made with different rules ({}): a change where the rules change may be theirs, not the customer's",
        parts.join("; ")
    ))
}

/// Two runs' rules decide alike (unrecorded rules are alike only with unrecorded ones).
fn same_rules(a: Option<&output::RunRules>, b: Option<&output::RunRules>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.decide_as(b),
        (a, b) => a.is_none() && b.is_none(),
    }
}

/// The asked outputs, each one the policy table has (or an error naming the nearest).
fn checked_outputs(asked: Vec<String>, known: &[String]) -> Result<Vec<String>, Error> {
    // `--outputs "tier, discount_pct"`, as a list is written.
    let asked: Vec<String> = (asked.iter().map(|n| n.trim()))
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .collect();
    for name in &asked {
        if !known.iter().any(|k| output::same_output(k, name)) {
            let hint = crate::diag::did_you_mean(name, known.iter().map(String::as_str))
                .unwrap_or_else(|| format!("the outputs are: {}", known.join(", ")));
            return Err(Error::Argument(format!(
                "--outputs: no output `{name}` in the runs: {hint}"
            )));
        }
    }
    Ok(asked)
}

/// The most characters of a value a table cell shows; longer values are cut there and
/// given whole below the table.
const CELL_MOST: usize = 40;

/// Period `p`'s value of output `k`, whole.
fn full(p: &PeriodRow, k: usize) -> String {
    match &p.values[k].1.0 {
        None => "(none)".to_owned(),
        Some(text) if text.is_empty() => "\"\"".to_owned(),
        // A line end or a terminal's escape codes in a value (a CRM name) are shown escaped:
        // a newline made a fake row of the table.
        Some(text) => crate::text::printable(text).into_owned(),
    }
}

/// Period `p`'s value of output `k`, as a table cell (long values cut short).
fn cell(p: &PeriodRow, k: usize) -> String {
    crate::text::cut(full(p, k), CELL_MOST)
}

/// `items` joined by commas, in lines of at most `width` characters, indented.
fn write_wrapped(out: &mut dyn Write, items: &[String], width: usize) -> io::Result<()> {
    let mut line = String::new();
    for (k, item) in items.iter().enumerate() {
        let piece = if k + 1 < items.len() {
            format!("{item},")
        } else {
            item.clone()
        };
        if !line.is_empty() && line.len() + 1 + piece.len() > width {
            writeln!(out, "  {line}")?;
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&piece);
    }
    writeln!(out, "  {line}")
}

/// The ids of `ids` that `other` does not have, in order.
fn missing_from(ids: &[String], other: &[String]) -> Vec<String> {
    ids.iter()
        .filter(|id| !other.contains(id))
        .cloned()
        .collect()
}

/// One customer's history.
#[derive(Debug, Serialize)]
pub struct HistoryReport {
    /// What the reader should know before comparing the periods.
    pub notes: Vec<String>,
    pub customer_id: String,
    /// The outputs were named with `--outputs`: the text shows each one as a row.
    #[serde(skip)]
    pub asked: bool,
    /// Outputs with an order of values (`summary.moves`): always a row of the text.
    #[serde(skip)]
    pub ranked: Vec<String>,
    pub outputs: Vec<String>,
    /// Oldest first.
    pub periods: Vec<PeriodRow>,
    /// Periods whose official run left the customer out (a rule failed for it under
    /// `--keep-going`): not among `periods`.
    pub left_out: Vec<LeftOutPeriod>,
}

/// A period whose official run left the customer out.
#[derive(Debug, Serialize)]
pub struct LeftOutPeriod {
    pub period: String,
    pub run_id: i64,
    pub rule: String,
    pub message: String,
    /// The period right after, when its run holds the customer: it read no history of
    /// the customer and counted it as new.
    pub next_counted_new: Option<String>,
}

impl LeftOutPeriod {
    fn note(&self) -> String {
        let next = match &self.next_counted_new {
            Some(next) => format!("; {next} counted it as new"),
            None => String::new(),
        };
        format!(
            "{} has no policy for this customer: its run (run {}, `--keep-going`) left it out, {} failing for it ({}){next}",
            self.period, self.run_id, self.rule, self.message
        )
    }
}

/// The customer in one period's official run.
#[derive(Debug, Serialize)]
pub struct PeriodRow {
    pub period: String,
    pub as_of: String,
    pub run_id: i64,
    /// Output -> value.
    #[serde(serialize_with = "json_values")]
    pub values: Vec<(String, (Option<String>, serde_json::Value))>,
    pub rule_ids: Vec<String>,
    /// Fired in this period, not in the one before (the first period: all).
    pub rules_added: Vec<String>,
    /// Fired in the period before, not in this one.
    pub rules_removed: Vec<String>,
    /// No period of its kind is before it: the text lists its rules, not changes.
    #[serde(skip)]
    pub first_of_kind: bool,
}

fn json_values<S: Serializer>(
    values: &[(String, (Option<String>, serde_json::Value))],
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_map(values.iter().map(|(name, (_, json))| (name, json)))
}

impl Report for HistoryReport {
    fn text(&self, out: &mut dyn Write, _color: bool) -> io::Result<()> {
        // A customer only a `--keep-going` run ever left out: its notes say which periods.
        let span = match (self.periods.first(), self.periods.last()) {
            (Some(first), Some(last)) => format!(
                "{}, {} to {}",
                plural(self.periods.len(), "period"),
                first.period,
                last.period
            ),
            _ => "no policy in any official run".to_owned(),
        };
        let id = crate::text::printable(&self.customer_id);
        writeln!(out, "customer {id}: {span}\n")?;
        for note in &self.notes {
            writeln!(out, "note: {note}\n")?;
        }
        if self.periods.is_empty() {
            return Ok(());
        }
        // One row per output, one column per period; outputs that never changed are
        // listed once below, unless asked for by name.
        let mut header = vec![String::new()];
        header.extend(self.periods.iter().map(|p| p.period.clone()));
        let mut rows = vec![header];
        let mut unchanged = Vec::new();
        for (k, name) in self.outputs.iter().enumerate() {
            let cells: Vec<String> = self.periods.iter().map(|p| cell(p, k)).collect();
            let same = cells.iter().all(|c| *c == cells[0]);
            if same && !self.asked && !self.ranked.contains(name) {
                unchanged.push(format!("{name} {}", cells[0]));
                continue;
            }
            rows.push(std::iter::once(name.clone()).chain(cells).collect());
        }
        rows.push(
            std::iter::once("run".to_owned())
                .chain(self.periods.iter().map(|p| p.run_id.to_string()))
                .collect(),
        );
        // A run as of a day before its period's end (a quarter not closed yet) would read
        // as the closed period's: the days are shown when one is.
        let not_at_end = self.periods.iter().any(|p| {
            crate::time::Period::parse(&p.period).map(|q| q.end().to_string())
                != Ok(p.as_of.clone())
        });
        if not_at_end {
            rows.push(
                std::iter::once("as of".to_owned())
                    .chain(self.periods.iter().map(|p| p.as_of.clone()))
                    .collect(),
            );
        }
        crate::report::table(out, &rows)?;
        // What a cell cut short holds, whole: an alert's figures are what gets quoted.
        let mut long = Vec::new();
        for (k, name) in self.outputs.iter().enumerate() {
            for p in &self.periods {
                let whole = full(p, k);
                if whole.chars().count() > CELL_MOST {
                    long.push(format!("  {name} in {}: {whole}", p.period));
                }
            }
        }
        if !long.is_empty() {
            writeln!(out, "\nin full:")?;
            for line in long {
                writeln!(out, "{line}")?;
            }
        }
        if !unchanged.is_empty() {
            writeln!(out, "\nthe same in every period:")?;
            write_wrapped(out, &unchanged, 96)?;
        }
        writeln!(out, "\nrules fired")?;
        let width = self
            .periods
            .iter()
            .map(|p| p.period.len())
            .max()
            .unwrap_or(0);
        for (k, p) in self.periods.iter().enumerate() {
            let change = if k == 0 || p.first_of_kind {
                p.rule_ids.join(", ")
            } else if p.rules_added.is_empty() && p.rules_removed.is_empty() {
                "(same)".into()
            } else {
                let mut parts: Vec<String> =
                    p.rules_added.iter().map(|r| format!("+{r}")).collect();
                parts.extend(p.rules_removed.iter().map(|r| format!("-{r}")));
                parts.join(" ")
            };
            writeln!(out, "  {:<width$}  {change}", p.period)?;
        }
        Ok(())
    }
}
