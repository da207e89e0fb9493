//! `tierwise changes`: upgrades and downgrades of one output between two periods' official
//! runs (by default the two latest periods): customers per transition, then the customers.
//! Up and down follow the order of the output's values recorded with the later run (the
//! rules give it), or `--order`.

mod pick;

use super::Globals;
use crate::error::{Error, ExitStatus};
use crate::output::{self, Changes, OfficialRun};
use crate::report::{Report, thousands};
use crate::source::SqliteSource;
use crate::text::thousands_exact;
use crate::value::shown_decimal;
use crate::workspace::{Overrides, Workspace};
use pick::{checked_order, chosen_runs, unknown_order_values};
use serde::Serialize;
use std::io::{self, Write};
use std::path::PathBuf;

/// How `changes` prints.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ChangesFormat {
    /// For people: transitions, then customers.
    #[default]
    Text,
    /// For programs.
    Json,
    /// The changed customers: customer_id,from,to,direction,difference.
    Csv,
}

/// Show upgrades and downgrades of an output between two periods (default: the two latest).
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The earlier period (default: the latest period of `--to`'s kind before it that has a
    /// run), or a run by its id (`run:3`): a run a rerun replaced, to see what the rerun
    /// changed.
    #[arg(long)]
    pub from: Option<String>,
    /// The later period (default: the latest), or a run by its id (`run:4`).
    #[arg(long)]
    pub to: Option<String>,
    /// The output (default: the first one whose order of values the later run recorded).
    #[arg(long)]
    pub output: Option<String>,
    /// The output's values, highest first, comma-separated (default: the order recorded with
    /// the later run).
    #[arg(long, value_delimiter = ',')]
    pub order: Vec<String>,
    /// Customer database (default: the config's `database`).
    #[arg(long)]
    pub db: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: ChangesFormat,
    /// In the text output, list at most this many transitions and customers who moved (0:
    /// all); `--format csv` and `json` list them all.
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
}

pub fn run(args: Args, globals: &Globals) -> Result<ExitStatus, Error> {
    let overrides = Overrides {
        db: args.db.clone(),
        rules: None,
        as_of: None,
    };
    let ws = Workspace::new(&globals.config, &overrides)?;
    let mut source = SqliteSource::open(&ws.database, &ws.config.source)?;
    let conn = source.connection();
    let tables = &ws.config.tables;
    let kind = output::latest_kind(conn, tables)?.unwrap_or_default();
    let runs = output::official_runs(conn, tables, kind)?;
    let by_id = |id| match output::ok_run(conn, tables, id)? {
        Some(run) => Ok(Ok(run)),
        None => Ok(Err(output::why_no_run(conn, tables, id)?)),
    };
    let pruned = output::pruned_periods(conn, tables, kind)?;
    let (from, to) = chosen_runs(
        &runs,
        args.from.as_deref(),
        args.to.as_deref(),
        &by_id,
        &pruned,
    )?;
    let orders = output::value_orders(conn, tables, to.run_id)?;
    let known = output::output_names(conn, tables)?;
    let name = match args.output {
        Some(name) if let Some(k) = known.iter().find(|k| output::same_output(k, &name)) => {
            k.clone()
        }
        Some(name) => {
            let hint = crate::diag::did_you_mean(&name, known.iter().map(String::as_str))
                .unwrap_or_else(|| format!("the outputs are: {}", known.join(", ")));
            return Err(Error::Argument(format!(
                "--output: no output `{name}` in the runs: {hint}"
            )));
        }
        None => orders.first().map(|o| o.output.clone()).ok_or_else(|| {
            Error::Argument(format!(
                "say which output with --output (the runs record no order of values): {}",
                known.join(", ")
            ))
        })?,
    };
    let Some(from) = from else {
        // After `prune --keep`, the earliest period kept is not the first period run.
        let pruned = (output::pruned_periods(conn, tables, to.period.kind)?.into_iter())
            .any(|p| p < to.period);
        let other =
            (runs.iter().rev()).find(|r| r.period < to.period && r.period.kind != to.period.kind);
        let mut report = ChangesReport::first(name, &to, pruned, args.limit);
        if let Some(other) = other.filter(|_| !pruned) {
            let kind = to.period.kind.name().to_owned();
            report.first_of_kind = Some((kind, other.period.to_string()));
            report.notes = vec![format!(
                "{} is the first {} with a run; the runs before it are of another kind (`--from {}` compares with the latest)",
                to.period,
                to.period.kind.name(),
                other.period
            )];
        }
        return print(&report, args.format);
    };
    // A column neither run's rules gave is NULL for everyone (all would count as unchanged).
    let gave = |run: i64| output::run_gave(conn, tables, run, &name);
    let (from_gave, to_gave) = (gave(from.run_id)?, gave(to.run_id)?);
    if from_gave == Some(false) && to_gave == Some(false) {
        return Err(Error::Argument(format!(
            "--output: neither {}'s run (run {}) nor {}'s (run {}) gave `{name}`: their rules had no such output",
            from.period, from.run_id, to.period, to.run_id
        )));
    }
    let one_sided = [(from, from_gave), (to, to_gave)]
        .into_iter()
        .find(|(_, gave)| *gave == Some(false))
        .map(|(run, _)| {
            format!(
                "{}'s run (run {}) gave no `{name}` (its rules had no such output): it is NULL for every customer there",
                run.period, run.run_id
            )
        });
    let order = match args.order.is_empty() {
        false => Some(checked_order(args.order)?),
        true => orders
            .into_iter()
            .find(|o| output::same_output(&o.output, &name))
            .map(|o| o.values),
    };
    let mut changes = output::changes(
        conn,
        tables,
        from.run_id,
        to.run_id,
        &name,
        order.as_deref().unwrap_or_default(),
    )?;
    // In one run only because a rule failed for them in the other: still on the books.
    let left_out_of = |run: i64| -> Result<std::collections::HashSet<String>, Error> {
        Ok((output::left_out(conn, tables, run, None)?.into_iter())
            .map(|l| l.customer)
            .collect())
    };
    let (left_later, left_earlier) = (left_out_of(to.run_id)?, left_out_of(from.run_id)?);
    let split = |list: &mut Vec<output::CustomerValue>,
                 left: &std::collections::HashSet<String>| {
        let (out, kept): (Vec<_>, Vec<_>) = std::mem::take(list)
            .into_iter()
            .partition(|c| left.contains(&c.customer_id));
        *list = kept;
        out
    };
    changes.left_out_customers = split(&mut changes.gone_customers, &left_later);
    changes.left_out_before_customers = split(&mut changes.new_customers, &left_earlier);
    changes.gone = changes.gone_customers.len();
    changes.new = changes.new_customers.len();
    if let Some(order) = order.as_ref().filter(|_| changes.up + changes.down == 0) {
        unknown_order_values(order, &changes)?;
    }
    let rules = |run| output::run_rules(conn, tables, run);
    let mut notes: Vec<String> = one_sided.into_iter().collect();
    if let (Some(a), Some(b)) = (rules(from.run_id)?, rules(to.run_id)?)
        && !a.decide_as(&b)
    {
        notes.push(format!(
            "the two runs used different rules ({} and {}): part of the moves is the change of rules",
            a.fingerprint, b.fingerprint
        ));
    }
    if from.period == to.period {
        let official = (runs.iter())
            .find(|r| r.period == to.period)
            .map(|r| r.run_id);
        let official = match official {
            Some(id) => format!("; run {id} is its official run"),
            None => String::new(),
        };
        notes.push(format!(
            "run {} (as of {}) and run {} (as of {}) are two runs of {}: the changes are the rerun's, not a move from one period to the next{official}",
            from.run_id, from.as_of, to.run_id, to.as_of, to.period
        ));
    } else if from.period.kind != to.period.kind {
        // Periods of two kinds (`--from 2025-06 --to 2025-Q3`): the later read no history of it.
        notes.push(format!(
            "{} and {} are periods of two kinds: {}'s run read no history of {}'s, and what each ranked covers another span of time, so the moves are not the rules' steps",
            from.period, to.period, to.period, from.period
        ));
    } else if to.period.previous() != Some(from.period) {
        // Periods between the two: a move over them may be several rule steps at once.
        let between = runs
            .iter()
            .filter(|r| r.period > from.period && r.period < to.period)
            .filter(|r| r.period.kind == to.period.kind)
            .count();
        // The periods between the two that have no run (a quarter never run), oldest first.
        let mut missing: Vec<crate::time::Period> = (1..)
            .map_while(|k| to.period.back(k).filter(|p| *p > from.period))
            .filter(|p| !runs.iter().any(|r| r.period == *p))
            .collect();
        missing.reverse();
        let missing = match (missing.len(), &crate::time::Period::ranges(&missing)[..]) {
            (0, _) => String::new(),
            (1, [one]) => format!("; {one} has no run"),
            (_, ranges) => format!("; {} have no run", ranges.join(", ")),
        };
        notes.push(format!(
            "{} is not the period just before {} ({} with a run between them{missing}): the two are compared as they stand, so a customer who moved and came back in between counts as unchanged (`history <id>` shows each period)",
            from.period,
            to.period,
            crate::text::plural(between, "period")
        ));
    }
    // `from` given by its id, replaced since as its period's official run (a correction):
    // the later run did not read it, and "run 2 has replaced" the official one read upside
    // down (the fiscal controller's F08).
    let official_from = runs.iter().find(|r| r.period == from.period);
    if let Some(official) = official_from.filter(|r| r.run_id != from.run_id) {
        notes.push(format!(
            "run {} is not {}'s official run: run {} replaced it (as of {}), so this compares with {} as it stood before that run",
            from.run_id, from.period, official.run_id, official.as_of, from.period
        ));
    }
    // What the later run read as its history, when `from` is the period it reads.
    if Some(from.period) == to.period.previous()
        && official_from.is_none_or(|r| r.run_id == from.run_id)
        && let Some(stale) = output::stale_pair(conn, tables, to.period.kind, from, to)?
    {
        let when = match (stale.read, stale.read_pruned) {
            (Some(read), _) if stale.read_removed => format!(
                "when {}'s run was run {read}, which was removed since (`prune --run`)",
                from.period
            ),
            (Some(read), _) => format!(
                "when {}'s run was run {read}, which run {} has replaced since",
                from.period, from.run_id
            ),
            // "No run" only as far as the records go when runs before it were pruned.
            (None, true) => format!(
                "before run {} and with no run of {} the records hold (runs made before it were pruned)",
                from.run_id, from.period
            ),
            (None, false) => format!("before any run of {}", from.period),
        };
        // Whether the rules read history, the runs do not record: said as a condition.
        notes.push(format!(
            "{}'s run (run {}) was made {when}: if the rules read history (`previous.x`), run {} again (`tierwise run --as-of {}`) to evaluate it after run {}",
            to.period, to.run_id, to.period, to.as_of, from.run_id
        ));
    }
    // Either run made on a history replaced since (of each kind compared).
    let mut kinds = vec![to.period.kind];
    if from.period.kind != to.period.kind {
        kinds.push(from.period.kind);
    }
    for stale_kind in kinds {
        for stale in output::stale_runs(conn, tables, stale_kind)? {
            let direct = stale.run == to && stale.now == Some(from);
            if !direct && stale.runs().any(|r| *r == to || *r == from) {
                notes.push(stale.note());
            }
        }
    }
    let report = ChangesReport {
        output: name,
        from: Some(RunRef::of(&from)),
        to: RunRef::of(&to),
        order,
        notes,
        changes,
        limit: args.limit,
        pruned_before: false,
        first_of_kind: None,
    };
    print(&report, args.format)
}

fn print(report: &ChangesReport, format: ChangesFormat) -> Result<ExitStatus, Error> {
    match format {
        ChangesFormat::Text => crate::report::print(report, crate::report::Format::Text),
        ChangesFormat::Json => crate::report::print(report, crate::report::Format::Json),
        ChangesFormat::Csv => crate::report::stdout(|out| report.csv(out)),
    }
    Ok(ExitStatus::Success)
}

/// A period and its official run.
#[derive(Debug, Serialize)]
pub struct RunRef {
    pub period: String,
    pub run_id: i64,
    pub as_of: String,
}

impl RunRef {
    fn of(run: &OfficialRun) -> RunRef {
        RunRef {
            period: run.period.to_string(),
            run_id: run.run_id,
            as_of: run.as_of.to_string(),
        }
    }
}

/// What changed, for the report.
#[derive(Debug, Serialize)]
pub struct ChangesReport {
    pub output: String,
    /// `None` for the first period: nothing to compare with yet.
    pub from: Option<RunRef>,
    pub to: RunRef,
    /// The values, highest first, when known.
    pub order: Option<Vec<String>>,
    /// What to know before reading the moves (different rules, a run made out of order).
    pub notes: Vec<String>,
    #[serde(flatten)]
    pub changes: Changes,
    /// How many moved customers the text lists (0: all).
    #[serde(skip)]
    pub limit: usize,
    /// With no `from`: the runs of the periods before `to` were pruned.
    #[serde(skip)]
    pub pruned_before: bool,
    /// With no `from`: the latest earlier period of another kind.
    #[serde(skip)]
    pub first_of_kind: Option<(String, String)>,
}

/// A value in the text tables: NULL is `(none)`, empty text `""` (an empty cell read as
/// nothing at all).
fn shown_value(v: &Option<String>) -> String {
    match v.as_deref() {
        None => "(none)".into(),
        Some("") => "\"\"".into(),
        Some(text) => text.to_owned(),
    }
}

impl ChangesReport {
    /// The first period's (or the earliest kept): no moves, and a note that says why.
    fn first(output: String, to: &OfficialRun, pruned: bool, limit: usize) -> ChangesReport {
        let why = match pruned {
            true => {
                "is the earliest period with a run kept (the runs before it were pruned): there is nothing before it to compare with"
            }
            false => {
                "is the first period with a run: there is nothing before it to compare with yet"
            }
        };
        ChangesReport {
            output,
            from: None,
            to: RunRef::of(to),
            order: None,
            notes: vec![format!("{} {why}", to.period)],
            pruned_before: pruned,
            first_of_kind: None,
            changes: Changes::default(),
            limit,
        }
    }

    fn csv(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "customer_id,from,to,direction,difference")?;
        let field = crate::text::csv_field;
        // NULL is an empty field and empty text `""`, as `--out` writes them.
        let value = |v: Option<&str>| match v {
            None => String::new(),
            Some("") => "\"\"".to_owned(),
            Some(text) => field(text),
        };
        for c in &self.changes.customers {
            writeln!(
                out,
                "{},{},{},{},{}",
                field(&c.customer_id),
                value(c.from.as_deref()),
                value(c.to.as_deref()),
                c.direction.word(),
                c.difference.map_or(String::new(), |d| d.to_string())
            )?;
        }
        // Customers in one run only: `new` has no value before, `gone` none after.
        for c in &self.changes.new_customers {
            let value = value(c.value.as_deref());
            writeln!(out, "{},,{value},new,", field(&c.customer_id))?;
        }
        for c in &self.changes.gone_customers {
            let value = value(c.value.as_deref());
            writeln!(out, "{},{value},,gone,", field(&c.customer_id))?;
        }
        for c in &self.changes.left_out_customers {
            let value = value(c.value.as_deref());
            writeln!(out, "{},{value},,left out,", field(&c.customer_id))?;
        }
        for c in &self.changes.left_out_before_customers {
            let value = value(c.value.as_deref());
            writeln!(out, "{},,{value},left out before,", field(&c.customer_id))?;
        }
        Ok(())
    }
}

impl Report for ChangesReport {
    fn text(&self, out: &mut dyn Write, _color: bool) -> io::Result<()> {
        let c = &self.changes;
        let n = |x: usize| thousands(x as f64);
        let Some(from) = &self.from else {
            let (to, run) = (&self.to.period, self.to.run_id);
            let output = &self.output;
            if let Some((kind, other)) = &self.first_of_kind {
                return writeln!(
                    out,
                    "{output}: {to} (run {run}) is the first {kind} with a run: nothing of its kind to compare with yet (`--from {other}` compares with the latest run of another kind)"
                );
            }
            return match self.pruned_before {
                true => writeln!(
                    out,
                    "{output}: {to} (run {run}) is the earliest period with a run kept (the runs before it were pruned): nothing to compare with"
                ),
                false => writeln!(
                    out,
                    "{output}: {to} (run {run}) is the first period with a run: nothing to compare with yet (the next period's `changes` compares with it)"
                ),
            };
        };
        writeln!(
            out,
            "{}: {} (run {}) -> {} (run {})",
            self.output, from.period, from.run_id, self.to.period, self.to.run_id
        )?;
        for note in &self.notes {
            writeln!(out, "note: {note}")?;
        }
        match &self.order {
            Some(order) => writeln!(out, "order: {}", order.join(" > "))?,
            None if c.by_value => writeln!(out, "order: by value (numbers: higher is up)")?,
            None => writeln!(
                out,
                "order: none recorded (give --order): changes are unranked"
            )?,
        }
        // With no order at all, every change is unranked ("1,254 unranked" misread).
        let moved = match (&self.order, c.by_value) {
            (None, false) => format!("{} changed", n(c.changed)),
            _ => format!(
                "{} up, {} down, {} unranked",
                n(c.up),
                n(c.down),
                n(c.changed)
            ),
        };
        writeln!(
            out,
            "{} {} in both: {moved}, {} unchanged; {} new, {} gone",
            n(c.compared),
            if c.compared == 1 {
                "customer"
            } else {
                "customers"
            },
            n(c.unchanged),
            n(c.new),
            n(c.gone)
        )?;
        if let Some(sums) = c.sums {
            writeln!(
                out,
                "sum over the customers in both: {} -> {} ({})",
                thousands_exact(shown_decimal(sums.from)),
                thousands_exact(shown_decimal(sums.to)),
                signed_exact(difference(sums.from, sums.to))
            )?;
        }
        for (list, run, what) in [
            (&c.left_out_customers, self.to.run_id, "not gone"),
            (&c.left_out_before_customers, from.run_id, "not new"),
        ] {
            if !list.is_empty() {
                writeln!(
                    out,
                    "{} left out of run {run} (their evaluation failed: {what})",
                    n(list.len())
                )?;
            }
        }
        if !c.transitions.is_empty() {
            self.moved(out)?;
        }
        let left_out =
            |run: i64| format!("left out of run {run} (their evaluation failed: `policy_error`)");
        let (later, earlier) = (left_out(self.to.run_id), left_out(from.run_id));
        for (list, word) in [
            (&c.new_customers, "new"),
            (&c.gone_customers, "gone"),
            (&c.left_out_customers, later.as_str()),
            (&c.left_out_before_customers, earlier.as_str()),
        ] {
            if list.is_empty() {
                continue;
            }
            let shown = self.shown(list.len());
            let ids: Vec<String> = (list[..shown].iter())
                .map(|c| {
                    let id = crate::text::printable(&c.customer_id);
                    format!(
                        "{id} ({})",
                        crate::text::printable(&shown_value(&c.value.text))
                    )
                })
                .collect();
            let rest = match list.len() - shown {
                0 => String::new(),
                n => format!(
                    " and {} more (--format csv writes them all)",
                    thousands(n as f64)
                ),
            };
            writeln!(out, "\n{word}: {}{rest}", ids.join(", "))?;
        }
        Ok(())
    }
}

impl ChangesReport {
    /// The transitions and the customers whose value changed, as two tables.
    fn moved(&self, out: &mut dyn Write) -> io::Result<()> {
        let c = &self.changes;
        let n = |x: usize| thousands(x as f64);
        writeln!(out)?;
        let mut rows = vec![vec![
            "from".to_owned(),
            "to".into(),
            "direction".into(),
            "customers".into(),
        ]];
        let transitions = self.shown(c.transitions.len());
        for t in &c.transitions[..transitions] {
            rows.push(vec![
                shown_value(&t.from.text),
                shown_value(&t.to.text),
                t.direction.word().into(),
                n(t.customers),
            ]);
        }
        crate::report::table(out, &rows)?;
        more(
            out,
            c.transitions.len() - transitions,
            "--format json gives them all",
        )?;
        writeln!(out)?;
        let mut rows = vec![vec![
            "customer_id".to_owned(),
            "from".into(),
            "to".into(),
            "direction".into(),
        ]];
        if c.by_value {
            rows[0].push("difference".into());
        }
        let shown = self.shown(c.customers.len());
        for change in &c.customers[..shown] {
            let mut row = vec![
                change.customer_id.clone(),
                shown_value(&change.from.text),
                shown_value(&change.to.text),
                change.direction.word().into(),
            ];
            if c.by_value {
                let difference = change.difference.map(signed_exact);
                row.push(difference.unwrap_or_default());
            }
            rows.push(row);
        }
        crate::report::table(out, &rows)?;
        more(
            out,
            c.customers.len() - shown,
            "--format csv writes them all",
        )
    }

    /// How many of `len` rows the text lists (`--limit`; 0: all).
    fn shown(&self, len: usize) -> usize {
        match self.limit {
            0 => len,
            n => n.min(len),
        }
    }
}

/// `to - from` without the subtraction's binary noise, that of the larger sum (587,836.52 ->
/// 580,234.97 gave -7,601.550000000047): kept to the digits the sums hold.
fn difference(from: f64, to: f64) -> f64 {
    let d = to - from;
    let larger = from.abs().max(to.abs());
    if !d.is_finite() || larger == 0.0 {
        return d;
    }
    // The subtraction's noise: the larger sum's last place, to the power of ten above it.
    let ulp = f64::from_bits(larger.to_bits() + 1) - larger;
    let step = 10f64.powi((2.0 * ulp).log10().ceil() as i32);
    match step > 0.0 && (d / step).abs() < 9.0e15 {
        true => (d / step).round() * step,
        false => d,
    }
}

fn signed_exact(d: f64) -> String {
    let d = shown_decimal(d);
    let sign = if d < 0.0 { "" } else { "+" };
    format!("{sign}{}", thousands_exact(d))
}

/// The line under a table cut short by `--limit`, when it was.
fn more(out: &mut dyn Write, left: usize, all: &str) -> io::Result<()> {
    if left == 0 {
        return Ok(());
    }
    writeln!(
        out,
        "  ... and {} more (--limit 0 lists them all; {all})",
        thousands(left as f64)
    )
}
