//! `tierwise report --out report.html`: one self-contained HTML page about the rules on every
//! customer (tiers, Pareto curve, quadrant, migration, totals, lists). Nothing is written
//! but the page, and the page only once it is complete.

use super::{Globals, SourceArgs, print_warnings};
use crate::error::{Error, ExitStatus};
use crate::impact::{self, base::BaseRules};
use crate::report::html::{self, Input, Meta, Previous};
use crate::report::impact::ImpactReport;
use crate::report::thousands;
use crate::workspace::Workspace;
use std::path::PathBuf;
use std::time::Instant;

/// Write an HTML report of the rules on every customer: customers and sales per tier, the
/// Pareto curve, the value x loyalty quadrant, tier migration since the previous period,
/// totals per tier, the alert and win-back lists. Self-contained: it opens with no network.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub sources: SourceArgs,
    /// The HTML file to write (replaced whole, only once the report is complete).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Also show the impact of the rules against a base, as `tierwise diff --base REF` does:
    /// a directory of rules or a git revision of the repository that holds them.
    #[arg(long, value_name = "REF")]
    pub base: Option<String>,
    /// Draw the page from the customers that evaluate even when a rule fails for others
    /// (as `run --keep-going` writes them): the page says how many were left out and why
    /// the first failed, and the exit code is then 1, as `run`'s. Without it, the first
    /// failing customer stops the report.
    #[arg(long)]
    pub keep_going: bool,
}

pub fn run(args: Args, globals: &Globals) -> Result<ExitStatus, Error> {
    let start = Instant::now();
    super::check_out_file(&args.out, "report.html")?;
    // A page in any other file replaced it whole (the database, a rule file: exit 0).
    let html = (args.out.extension())
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"));
    if !html {
        return Err(Error::Argument(format!(
            "--out {}: a report is an HTML page: the file name must end in .html",
            args.out.display()
        )));
    }
    let ws = Workspace::new(&globals.config, &args.sources.into())?;
    super::check_out_not_ours(&args.out, &ws)?;
    // Before anything else, so that a base that is not usable costs nothing.
    let base = match &args.base {
        Some(reference) => Some(
            BaseRules::find(reference, &ws.rules_dir)
                .map_err(|e| Error::Argument(e.to_string()))?,
        ),
        None => None,
    };
    let mut source = ws.open_source()?;
    let loaded = ws.load_rules(&source)?;
    print_warnings(&loaded.warnings);
    let rules = loaded.rules;
    let t = Instant::now();
    let customers = ws.read_customers(&source, &rules, args.keep_going, &mut |_| {})?;
    // What `run` refuses: figures over such data are none it ever gives.
    if customers.len == 0 {
        return Err(ws.no_customers("there is nothing to report"));
    }
    if let Some(id) = customers.repeated_id() {
        return Err(crate::output::OutputError::DuplicateId(id).into());
    }
    let history = ws.history(source.connection(), &rules)?;
    tracing::info!(
        "read the customers and their history in {:.3} s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let previous = match html::tier_output(&rules) {
        Some(tiers) => Previous::read(source.connection(), &ws.config.tables, &ws.context, &tiers),
        None => Previous::NotAsked,
    };
    tracing::info!(
        "read the previous period's tiers in {:.3} s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let input = Input {
        rules: &rules,
        customers: &customers,
        history: &history,
        context: ws.context,
        previous,
        keep_going: args.keep_going,
    };
    let mut meta = Meta::new(
        &rules,
        &ws.context,
        &ws.rules_dir,
        &ws.database,
        ws.config.currency.as_deref(),
    );
    let diff = match &base {
        Some(base) => {
            let impact = impact::against(&ws, base, &mut |_| {})?;
            let report = ImpactReport {
                base: base.label.clone(),
                rules: ws.rules_dir.display().to_string(),
                as_of: ws.context.as_of.to_string(),
                period: ws.context.period.to_string(),
                currency: ws.config.currency.clone(),
                impact: &impact,
            };
            Some(html::Diff::new(&report))
        }
        None => None,
    };
    let figures = html::gather(&input)?;
    let drawn = figures.customers;
    if let Some(note) = figures.left_out_note() {
        // Every customer failing is no page of anyone: the first failure, as without it.
        if figures.customers == 0 {
            return Err(figures.left_out[0].clone().into());
        }
        eprintln!("note: {note}");
    }
    let place = Place {
        tables: &ws.config.tables,
        context: ws.context,
        currency: ws.config.currency.as_deref(),
        customers: &customers,
    };
    meta.note = page_note(&place, source.connection(), &rules, &figures)?;
    if let Some(note) = &meta.note {
        eprintln!("note: {note}");
    }
    // What `run` would note on this data: on the page, where the figures are read.
    let data_warnings = crate::workspace::batch::data_warnings(&rules, &customers, &ws.database);
    print_warnings(&data_warnings);
    meta.data_notes = ws.history_concerns(source.connection(), &rules, &customers, &history)?;
    for line in &meta.data_notes {
        eprintln!("note: {line}");
    }
    meta.data_notes
        .extend(data_warnings.iter().map(|w| w.note_line()));
    let page = html::render(&html::Page {
        meta,
        figures,
        diff,
    });
    tracing::info!(
        "evaluated and drew the report in {:.3} s",
        t.elapsed().as_secs_f64()
    );
    html::write(&args.out, &page).map_err(|source| Error::Io {
        what: format!("cannot write the report to {}", args.out.display()),
        source,
    })?;
    let counted = match customers.len - drawn {
        0 => format!("{} customers", thousands(customers.len as f64)),
        left_out => format!(
            "{} of {} customers ({} left out)",
            thousands(drawn as f64),
            thousands(customers.len as f64),
            thousands(left_out as f64)
        ),
    };
    let said = format!(
        "report: {counted} as of {} ({}), rules {}\nwritten to {} ({} KB in {:.2} s)",
        ws.context.as_of,
        ws.context.period.label(),
        rules.fingerprint,
        args.out.display(),
        thousands((page.len() as f64 / 1024.0).ceil()),
        start.elapsed().as_secs_f64()
    );
    crate::report::stdout(|out| writeln!(out, "{said}"));
    // Written, but not of every customer: as `run --keep-going` says it.
    Ok(match drawn < customers.len {
        true => ExitStatus::Failure,
        false => ExitStatus::Success,
    })
}

/// Where a page is made: the run tables, the date, the currency, and the customers read.
pub(crate) struct Place<'a> {
    pub tables: &'a crate::config::OutputTables,
    pub context: crate::engine::Context,
    pub currency: Option<&'a str>,
    pub customers: &'a crate::source::Dataset,
}

/// What the page says of itself against the period's recorded run, as `tierwise report`
/// and `serve`'s `/report` show it: a date after today, no run, other rules than the run's,
/// a history replaced since, or the data changed since.
pub(crate) fn page_note(
    place: &Place,
    conn: &rusqlite::Connection,
    rules: &crate::rules::RuleSet,
    figures: &html::Figures,
) -> Result<Option<String>, Error> {
    let (period, as_of) = (place.context.period, place.context.as_of);
    let recorded = crate::output::official_run_of(conn, place.tables, period)?;
    let mut notes: Vec<String> = crate::time::after_today(as_of).into_iter().collect();
    let Some(run) = recorded else {
        // A page titled with a period reads as the policy in force then.
        notes.push(format!(
            "{} has no recorded run: this page is what the rules give as of {as_of}, not a run's policy (what they read of earlier periods may be NULL)",
            period.label(),
        ));
        // Early in a month without `--as-of`: the page is the month so far, every customer
        // lower than at the close; the close is a page of its own.
        let official = crate::output::official_runs(conn, place.tables, period.kind)?;
        if let Some(latest) = official.last() {
            notes.push(format!(
                "the latest recorded run is {}'s (run {}, as of {}), which a report as of {} shows",
                latest.period.label(),
                latest.run_id,
                latest.as_of,
                latest.as_of
            ));
        }
        return Ok(Some(notes.join("; ")));
    };
    let other_rules = other_rules_than_recorded(place, conn, &run, rules)?;
    // Made on a history replaced since: the page reads the history as it is now, and
    // "the customer data changed" would send the reader after late postings.
    let stale = match rules.past.is_empty() {
        true => None,
        false => crate::output::stale_note_for(conn, place.tables, period)?,
    };
    let explained = other_rules.is_some() || stale.is_some();
    notes.extend(other_rules.into_iter().chain(stale));
    if !explained {
        notes.extend(data_changed_since_recorded(place, conn, &run, figures)?);
    }
    Ok((!notes.is_empty()).then(|| notes.join("; ")))
}

/// When the period's official run `run` was made with other rules than these: the page
/// shows what these rules give, not what that run recorded (and sales were sent).
fn other_rules_than_recorded(
    place: &Place,
    conn: &rusqlite::Connection,
    run: &crate::output::OfficialRun,
    rules: &crate::rules::RuleSet,
) -> Result<Option<String>, Error> {
    let (period, tables) = (place.context.period, place.tables);
    let these = crate::output::RunRules::of(rules);
    let recorded = crate::output::run_rules(conn, tables, run.run_id)?;
    Ok(recorded.filter(|r| !r.decide_as(&these)).map(|r| {
        let (fingerprint, r) = (&these.fingerprint, &r.fingerprint);
        format!(
            "these rules ({fingerprint}) are not those of {}'s recorded run (run {}, rules {r}): the page shows what these rules give, not what that run recorded",
            period.label(),
            run.run_id
        )
    }))
}

/// When the period's official run `run`, made with these rules, has customers or totals
/// that differ from the page's: the data changed since (late postings, a corrected
/// extract), and the page, which evaluates the data as it is now, is not what was recorded
/// and sent.
fn data_changed_since_recorded(
    place: &Place,
    conn: &rusqlite::Connection,
    run: &crate::output::OfficialRun,
    figures: &html::Figures,
) -> Result<Option<String>, Error> {
    let (period, tables) = (place.context.period, place.tables);
    // Another day of the period: figures as of another date differ without any change
    // of data (the customers query reads `:as_of`).
    if run.as_of != place.context.as_of {
        return Ok(Some(format!(
            "the page evaluates as of {}; {}'s recorded run (run {}) is as of {}: its figures may differ from the run's",
            place.context.as_of,
            period.label(),
            run.run_id,
            run.as_of
        )));
    }
    let customers = crate::output::run_customers(conn, tables, run.run_id)?;
    let mut differences = Vec::new();
    if customers != figures.customers as i64 {
        differences.push(format!(
            "{} customers here, {} recorded",
            thousands(figures.customers as f64),
            thousands(customers as f64)
        ));
    }
    let recorded = crate::output::recorded_totals(conn, tables, run.run_id)?;
    if let (crate::output::RecordedTotals::Recorded(recorded), Some(sums)) =
        (recorded, figures.sums())
    {
        for ((name, money), now) in figures.totals.iter().zip(sums) {
            let Some((_, then)) = recorded.iter().find(|(n, _)| n == name) else {
                continue;
            };
            // Money to the cent, as recorded; other totals to a part in a billion.
            let now = if *money {
                (now * 100.0).round() / 100.0
            } else {
                now
            };
            if (now - then).abs() > 1e-9 * then.abs().max(1.0) {
                let shown = |x: f64| crate::text::amount(x, *money, place.currency);
                differences.push(format!(
                    "{name} {} here, {} recorded",
                    shown(now),
                    shown(*then)
                ));
            }
        }
    }
    // The same totals from other data (a segment's customers moved, money unchanged): the
    // page is not the run, though nothing above differs.
    let recorded_data = crate::output::run_data_fingerprint(conn, tables, run.run_id)?;
    if differences.is_empty()
        && recorded_data.is_some_and(|then| then != place.customers.fingerprint())
    {
        differences.push(
            "the same customers and totals, from other values: tiers, segments and alerts may differ".into(),
        );
    }
    if differences.is_empty() {
        return Ok(None);
    }
    let made_by = crate::output::other_tierwise(conn, tables, run.run_id)?;
    let cause = match &made_by {
        Some(_) => "the customer data (or tierwise) changed since",
        None => "the customer data changed since",
    };
    let who = made_by.map_or(String::new(), |who| {
        format!(
            "; that run was made by {who} (this is {}), which evaluates some rules otherwise (README, \"Upgrading\")",
            env!("CARGO_PKG_VERSION")
        )
    });
    Ok(Some(format!(
        "{cause} {}'s recorded run (run {}, as of {}, the same rules): the page evaluates the data as it is now ({}){who}; the recorded run is what `history`, `changes` and the next period read",
        period.label(),
        run.run_id,
        run.as_of,
        differences.join("; ")
    )))
}
