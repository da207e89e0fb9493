//! `tierwise watch`: evaluate once, then on every saved change to the rules (or the config):
//! reload, check, run the rule tests, and only if all of that passes, swap in the new rules,
//! re-evaluate every customer and print what changed. A broken edit is reported with its
//! positions and the last good rules stay in force; so is a reload that panics. An edit that
//! loads but fails its rule tests is not applied, and what it would do is shown, marked so:
//! an admin changing a policy on purpose sees its impact before updating the tests.

use super::{Globals, SourceArgs};
use crate::engine::{Evaluator, Mode, Tally, display_key};
use crate::error::{Error, ExitStatus};
use crate::report::{refusal, thousands};
use crate::text::{amount, signed};
use crate::workspace::batch::CHUNK;
use crate::workspace::reload::{self, Accepted, Refusal};
use crate::workspace::watcher::{Change, RuleWatcher};
use crate::workspace::{Overrides, Workspace};
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

/// Evaluate, then on every saved rule change: reload, check, test, re-evaluate and
/// print what changed; a broken edit keeps the last good rules.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub sources: SourceArgs,
    /// Also write each accepted evaluation as a run.
    #[arg(long)]
    pub write: bool,
    /// Quiet time after the last save before reloading, in milliseconds (a copy over a slow
    /// network pauses: a longer pause is read as a finished save; copy under a `.tmp` name and
    /// rename, which is one step).
    #[arg(long, default_value_t = 1000)]
    pub debounce_ms: u64,
    /// How long a reload (reading, checking and testing the rules, evaluating the customers)
    /// may take before it is abandoned and reported, so the next edit is not held up, in
    /// milliseconds.
    #[arg(long, default_value_t = 30_000)]
    pub reload_timeout_ms: u64,
}

pub fn run(args: Args, globals: &Globals) -> Result<ExitStatus, Error> {
    let opts = WatchOptions {
        config: &globals.config,
        overrides: args.sources.into(),
        write: args.write,
        debounce: Duration::from_millis(args.debounce_ms),
        reload_timeout: Duration::from_millis(args.reload_timeout_ms),
    };
    // SIGTERM (a container's stop) as Ctrl-C: a run being written unwinds, and the watch
    // ends with 130 and a line saying so (it was killed, 143, with no word).
    crate::interrupt::install().map_err(|source| Error::Io {
        what: "cannot handle Ctrl-C and SIGTERM".into(),
        source,
    })?;
    match watch(&opts, &mut std::io::stdout())? {
        true => Ok(ExitStatus::Interrupted),
        false => Ok(ExitStatus::Success),
    }
}

/// How often the watch looks whether a signal asked it to stop.
const SIGNAL_CHECK: Duration = Duration::from_millis(200);

struct WatchOptions<'a> {
    config: &'a Path,
    overrides: Overrides,
    /// Also write each accepted evaluation as a run, as `tierwise run` does.
    write: bool,
    debounce: Duration,
    /// A reload that takes longer is abandoned (`--reload-timeout-ms`).
    reload_timeout: Duration,
}

/// One evaluation, kept to compare the next one with.
struct Snapshot {
    fingerprint: String,
    outputs: Vec<String>,
    /// Per customer id: each output's value, as shown.
    values: HashMap<String, Vec<String>>,
    /// `count_by` outputs: customers per value.
    counts: Vec<(String, Vec<(String, usize)>)>,
    /// The summary's totals, and whether each is money.
    totals: Vec<(String, f64, bool)>,
    /// How money is labelled (the config's `currency`).
    currency: Option<String>,
    /// The run it was written as (`--write`), and the date it evaluated as of.
    written: Option<i64>,
    as_of: crate::time::Date,
    /// The rule files it was made with (a file gone since explains unknown names).
    files: Vec<std::path::PathBuf>,
    /// A hash of the customer data evaluated: another one means the data changed too.
    data: u64,
    /// What the history the rules read holds that `run` would note (without `--write`,
    /// where no run says it): each said once, when it comes up.
    history_notes: Vec<String>,
}

/// How many example customers a change lists.
const EXAMPLES: usize = 3;

/// Watches until the watcher stops (`false`) or a signal asks it to (`true`).
fn watch(opts: &WatchOptions, out: &mut dyn Write) -> Result<bool, Error> {
    let rules_dir = Workspace::new(opts.config, &opts.overrides)?.rules_dir;
    let mut watcher = RuleWatcher::new(opts.config, &rules_dir, opts.debounce)?;
    let say = |out: &mut dyn Write, text: String| {
        let _ = writeln!(out, "{text}");
        let _ = out.flush();
    };
    say(
        out,
        format!("watching {} (Ctrl-C to stop)", watcher.describe()),
    );
    let mut last = attempt(opts, None, out);
    while let Some(change) = watcher.next(Some(SIGNAL_CHECK)) {
        if let Some(signal) = crate::interrupt::requested() {
            say(out, format!("stopped ({signal})"));
            return Ok(true);
        }
        match change {
            Change::Files(names) => {
                say(
                    out,
                    format!(
                        "\nchange in {}",
                        if names.is_empty() {
                            "the watched files".into()
                        } else {
                            names.join(", ")
                        }
                    ),
                );
                // The directory the config names now is watched before its rules are read:
                // an edit made there while they load is then a change of its own (watched
                // after, it was lost).
                match watcher.follow(&opts.overrides, opts.debounce) {
                    Ok(true) => say(out, format!("now watching {}", watcher.describe())),
                    Ok(false) => {}
                    Err(e) => say(out, format!("watch error: {e}")),
                }
                last = attempt(opts, last, out);
            }
            Change::Errors(errors) => {
                for e in errors {
                    say(out, format!("watch error: {e}"));
                }
            }
            Change::Quiet => {}
        }
    }
    Ok(false)
}

/// Reloads, checks, tests and evaluates. Returns the snapshot now in force: the new one when
/// everything passed, the previous one otherwise.
fn attempt(opts: &WatchOptions, last: Option<Snapshot>, out: &mut dyn Write) -> Option<Snapshot> {
    let kept = |out: &mut dyn Write, last: Option<Snapshot>| {
        let _ = match &last {
            Some(s) => writeln!(out, "kept the last good rules ({}) in force", s.fingerprint),
            None => writeln!(out, "no rules in force yet: fix the rules and save again"),
        };
        let _ = out.flush();
        last
    };
    // A reload that panics or overruns is refused like a broken edit: watching goes on.
    // Ctrl-C or SIGTERM abandons it at once (the watch then stops).
    let stop = || crate::interrupt::requested().is_some();
    let accepted = reload::within_unless(opts.reload_timeout, &stop, {
        let (config, overrides) = (opts.config.to_path_buf(), opts.overrides.clone());
        move || {
            let accepted = reload::load(&config, &overrides, reload::Rows::AllReadable)?;
            Ok((evaluate(&accepted)?, accepted))
        }
    });
    let Some(accepted) = accepted else {
        return last;
    };
    match accepted {
        Ok((mut snapshot, accepted)) => {
            let _ = report(&snapshot, last.as_ref(), out);
            if !opts.write {
                snapshot.history_notes = history_notes(&accepted);
                let said = last.as_ref().map_or(&[][..], |l| &l.history_notes[..]);
                for note in snapshot.history_notes.iter().filter(|n| !said.contains(n)) {
                    let _ = writeln!(out, "note: {note}");
                }
            }
            // What `check` warns of goes live with the edit: said, a line each.
            let warnings = &accepted.warnings;
            for line in super::check_warning_lines(&accepted.rules, warnings, snapshot.as_of) {
                let _ = writeln!(out, "{line}");
            }
            // A save that changes neither the rules nor any policy (a comment, a file
            // touched) would write every customer again as a new run (a new day is a new run).
            let same_run = last.as_ref().and_then(|l| {
                (l.fingerprint == snapshot.fingerprint
                    && l.as_of == snapshot.as_of
                    && l.values == snapshot.values)
                    .then_some(l.written)
                    .flatten()
            });
            if let (true, Some(run_id)) = (opts.write, same_run) {
                let _ = writeln!(out, "not written again: the same as run {run_id}");
                snapshot.written = Some(run_id);
            } else if opts.write {
                // A database another process holds (a backup, an import) past the run's
                // 10 s wait: tried again a few times, where the accepted rules stayed
                // unwritten until the next save, with nothing but one error line.
                let mut written;
                let mut attempts = 1;
                loop {
                    let own = last.as_ref().and_then(|l| l.written);
                    written = reload::guarded(|| Ok(write_run(&accepted, own)))
                        .unwrap_or_else(|refused| Err(refusal::into_error(refused)));
                    if attempts == WRITE_ATTEMPTS || stop() || !locked(&written) {
                        break;
                    }
                    attempts += 1;
                    let _ = writeln!(
                        out,
                        "the database is locked by another process: writing again (attempt {attempts} of {WRITE_ATTEMPTS})"
                    );
                    let _ = out.flush();
                }
                let was_locked = locked(&written);
                let _ = match written {
                    Ok((run_id, notes)) => {
                        snapshot.written = Some(run_id);
                        writeln!(out, "written as run {run_id}").and_then(|_| {
                            (notes.iter()).try_for_each(|n| writeln!(out, "note: {n}"))
                        })
                    }
                    Err(e) if was_locked => writeln!(
                        out,
                        "error: the run was not written: {e}\n  = help: the rules above are in force here but not in the database: run `tierwise run` once the database is free, or save a rule file again"
                    ),
                    Err(e) => writeln!(out, "error: the run was not written: {e}"),
                };
            }
            let _ = out.flush();
            Some(snapshot)
        }
        // Stopped by Ctrl-C or SIGTERM part way through a customer: not a broken edit.
        Err(_) if stop() => last,
        Err(refused) => {
            let _ = writeln!(out, "{}", refusal::text(&refused));
            // A file of the rules in force that is gone (a save by rename in progress, a
            // file moved away): the names it gave are unknown now, and the errors say only that.
            let unknown_names = match &refused {
                Refusal::Rules(d) => d.0.iter().any(|d| d.message.starts_with("unknown name")),
                _ => false,
            };
            if let (true, Some(last)) = (unknown_names, &last) {
                for gone in last.files.iter().filter(|f| !f.exists()) {
                    let _ = writeln!(
                        out,
                        "note: {} is gone since the rules in force were loaded: the names it gave are unknown to the others",
                        crate::report::shown(gone).display()
                    );
                }
            }
            if let (Refusal::Tests(_), Some(last)) = (&refused, &last) {
                preview(opts, last, out);
            }
            kept(out, last)
        }
    }
}

/// What an edit that its rule tests reject would do, against the rules in force: shown,
/// not applied.
fn preview(opts: &WatchOptions, last: &Snapshot, out: &mut dyn Write) {
    let rejected = reload::guarded(|| {
        let loaded = reload::load_untested(opts.config, &opts.overrides)?;
        Ok(evaluate(&loaded)?)
    });
    let _ = match rejected {
        Ok(snapshot) => writeln!(
            out,
            "NOT APPLIED: what the rejected edit (rules {}) would do against the rules in force:",
            snapshot.fingerprint
        )
        .and_then(|_| report_counts(&snapshot, last, out))
        .and_then(|_| report_changes(&snapshot, last, out))
        .and_then(|_| report_totals(&snapshot, last, out)),
        Err(refused) => writeln!(
            out,
            "(what the rejected edit would do cannot be shown: {})",
            refusal::text(&refused).trim_end()
        ),
    };
}

/// How many times `watch --write` tries to write a run while the database is locked.
const WRITE_ATTEMPTS: usize = 4;

/// Whether a write failed on a database another process held past the wait.
fn locked<T>(written: &Result<T, Error>) -> bool {
    matches!(
        written,
        Err(Error::Output(crate::output::OutputError::Locked(_))
            | Error::Source(crate::source::SourceError::Locked(_)))
    )
}

/// Writes the accepted rules' evaluation as a run, as `tierwise run` does: its id, and the
/// notes `run` would print (a month-end run it replaced, later periods made on the history it
/// replaced, ...). That it replaces `own`, the run this watch wrote last, is no news.
fn write_run(accepted: &Accepted, own: Option<i64>) -> Result<(i64, Vec<String>), Error> {
    let ws = &accepted.workspace;
    let mut source = ws.open_source()?;
    let mut summary = ws.run(&mut source, &accepted.rules, Default::default())?;
    if let (Some((replaced, ..)), Some(own)) = (summary.standing.replaces, own)
        && replaced == own
    {
        summary.standing.replaces = None;
    }
    let notes = super::run::run_notes(&summary, &accepted.rules, ws);
    Ok((summary.written.run_id, notes))
}

/// What `run` would note of the history the accepted rules read (a period with no run,
/// customers left out of it, an output it did not give), as `serve` says on `/health`; none
/// when the database cannot be read for it (the evaluation went on).
fn history_notes(accepted: &Accepted) -> Vec<String> {
    let ws = &accepted.workspace;
    let notes = ws.open_source().and_then(|mut source| {
        let (rules, customers) = (&accepted.rules, &accepted.customers);
        ws.history_concerns(source.connection(), rules, customers, &accepted.history)
    });
    notes.unwrap_or_default()
}

/// Every customer's policy under the accepted rules.
fn evaluate(accepted: &Accepted) -> Result<Snapshot, Error> {
    let (rules, customers) = (&accepted.rules, &accepted.customers);
    let context = accepted.workspace.context;
    let evaluator =
        Evaluator::with_history(rules, customers, context, &accepted.history, Mode::Fast)?;
    let mut values = HashMap::with_capacity(customers.len);
    let mut tally = Tally::default();
    let mut start = 0;
    while start < customers.len {
        let end = (start + CHUNK).min(customers.len);
        let (outcomes, part) = evaluator.evaluate(start..end)?;
        tally.merge(part);
        for o in outcomes.iter() {
            let shown: Vec<String> = o.outputs.iter().map(display_key).collect();
            values.insert(customers.id_text(o.index), shown);
        }
        start = end;
    }
    tally.money_to_cents(&rules.summary.money);
    let outputs: Vec<String> = rules.outputs.iter().map(|o| o.name.clone()).collect();
    let counts = rules
        .summary
        .count_by
        .iter()
        .filter_map(|(name, _)| {
            outputs
                .iter()
                .position(|o| o == name)
                .map(|k| (name.clone(), k))
        })
        .map(|(name, k)| {
            let mut per: HashMap<String, usize> = HashMap::new();
            for v in values.values() {
                *per.entry(v[k].clone()).or_default() += 1;
            }
            let mut per: Vec<(String, usize)> = per.into_iter().collect();
            rules.sort_values(&name, &mut per);
            (name, per)
        })
        .collect();
    let totals = rules
        .summary
        .totals
        .iter()
        .enumerate()
        .map(|(k, (name, _))| {
            let sum = tally.totals.get(k).copied().unwrap_or(0.0);
            (name.clone(), sum, rules.summary.money.contains(&k))
        })
        .collect();
    Ok(Snapshot {
        fingerprint: rules.fingerprint.clone(),
        outputs,
        values,
        counts,
        totals,
        currency: accepted.workspace.config.currency.clone(),
        written: None,
        as_of: accepted.workspace.context.as_of,
        files: rules.files.clone(),
        data: data_stamp(customers),
        history_notes: Vec::new(),
    })
}

/// A hash of every value of the customer data, in source order.
fn data_stamp(customers: &crate::source::Dataset) -> u64 {
    use crate::value::Value;
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    customers.names.hash(&mut hasher);
    // Each value hashed as it is held, with its kind: no text made per value (seconds at a
    // million customers).
    // Only the columns read: one the rules do not read is not loaded (it holds no value,
    // and asking it for one panicked: `customers.dates` listing a column no rule reads).
    let read: Vec<&crate::source::Column> = (customers.columns.iter())
        .filter(|c| c.len() == customers.len)
        .collect();
    for i in 0..customers.len {
        for column in &read {
            match column.value(i) {
                Value::Null => 0u8.hash(&mut hasher),
                Value::Bool(b) => (1u8, b).hash(&mut hasher),
                Value::Int(n) => (2u8, n).hash(&mut hasher),
                Value::Float(x) => (3u8, x.to_bits()).hash(&mut hasher),
                Value::Str(t) => (4u8, t).hash(&mut hasher),
                Value::Date(d) => (5u8, d.0).hash(&mut hasher),
                other => (6u8, other.to_string()).hash(&mut hasher),
            }
        }
    }
    hasher.finish()
}

/// What the new evaluation changed against the previous one.
fn report(new: &Snapshot, old: Option<&Snapshot>, out: &mut dyn Write) -> std::io::Result<()> {
    let customers = thousands(new.values.len() as f64);
    let Some(old) = old else {
        writeln!(
            out,
            "rules {} in force: {customers} customers evaluated as of {}",
            new.fingerprint, new.as_of
        )?;
        for (name, per) in &new.counts {
            let parts: Vec<String> = per
                .iter()
                .map(|(v, n)| format!("{v} {}", thousands(*n as f64)))
                .collect();
            writeln!(out, "  {name}: {}", parts.join(", "))?;
        }
        return Ok(());
    };
    if new.fingerprint == old.fingerprint {
        // Saved again as it was (or only the customers changed).
        writeln!(
            out,
            "reloaded: rules {} unchanged: {customers} customers evaluated",
            new.fingerprint
        )?;
    } else {
        writeln!(
            out,
            "applied rules {} (were {}): {customers} customers evaluated",
            new.fingerprint, old.fingerprint
        )?;
    }
    // Past midnight (UTC) between two saves: date outputs move by themselves.
    if new.as_of != old.as_of {
        writeln!(
            out,
            "note: a new day: evaluated as of {} (the last evaluation was as of {}): the changes below are the date's as well as the rules'",
            new.as_of, old.as_of
        )?;
    }
    // An ETL between two saves: what follows is the data's as well as the rules'.
    if new.data != old.data {
        let came = (new.values.keys()).filter(|id| !old.values.contains_key(*id));
        let went = (old.values.keys()).filter(|id| !new.values.contains_key(*id));
        writeln!(
            out,
            "note: the customer data changed since the last evaluation ({} customers new, {} gone): the changes below are the data's as well as the rules'",
            thousands(came.count() as f64),
            thousands(went.count() as f64)
        )?;
    }
    report_counts(new, old, out)?;
    report_changes(new, old, out)?;
    report_totals(new, old, out)
}

/// The totals that changed, before and after (money with the currency), e.g.
/// `concession_cost EUR 346 -> EUR 298 (EUR -48, -13.9%)`.
fn report_totals(new: &Snapshot, old: &Snapshot, out: &mut dyn Write) -> std::io::Result<()> {
    let label = |x: f64, money: bool| amount(x, money, new.currency.as_deref());
    for (name, after, money) in &new.totals {
        let before = old.totals.iter().find(|(n, _, _)| n == name).map(|t| t.1);
        if before == Some(*after) {
            continue;
        }
        let Some(before) = before else {
            writeln!(out, "  {name} (new total) {}", label(*after, *money))?;
            continue;
        };
        let delta = after - before;
        let mut change = signed(delta, *money);
        if before != 0.0 {
            change.push_str(&format!(", {:+.1}%", 100.0 * delta / before.abs()));
        }
        writeln!(
            out,
            "  {name} {} -> {} ({change})",
            label(before, *money),
            label(*after, *money)
        )?;
    }
    Ok(())
}

/// Each `count_by` output's customers per value, with the change (`A 2 -> 4`).
fn report_counts(new: &Snapshot, old: &Snapshot, out: &mut dyn Write) -> std::io::Result<()> {
    for (name, per) in &new.counts {
        let before: HashMap<&str, usize> = old
            .counts
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, p)| p.iter().map(|(v, n)| (v.as_str(), *n)).collect())
            .unwrap_or_default();
        // In the order the counts are (the rules' `moves` order, as at the start), then
        // the values only the rules before gave.
        let mut keys: Vec<&str> = per.iter().map(|(v, _)| v.as_str()).collect();
        let mut gone: Vec<&str> = (before.keys().copied())
            .filter(|k| !keys.contains(k))
            .collect();
        gone.sort_by(|a, b| crate::text::reading_order(a, b));
        keys.extend(gone);
        let after: HashMap<&str, usize> = per.iter().map(|(v, n)| (v.as_str(), *n)).collect();
        let parts: Vec<String> = keys
            .iter()
            .map(|k| {
                let (b, a) = (
                    before.get(k).copied().unwrap_or(0),
                    after.get(k).copied().unwrap_or(0),
                );
                if a == b {
                    format!("{k} {}", thousands(a as f64))
                } else {
                    format!("{k} {} -> {}", thousands(b as f64), thousands(a as f64))
                }
            })
            .collect();
        writeln!(out, "  {name}: {}", parts.join(", "))?;
    }
    Ok(())
}

/// Per output: how many customers' values changed, with a few examples.
fn report_changes(new: &Snapshot, old: &Snapshot, out: &mut dyn Write) -> std::io::Result<()> {
    let mut any = false;
    for (k, name) in new.outputs.iter().enumerate() {
        let Some(j) = old.outputs.iter().position(|o| o == name) else {
            writeln!(out, "  new output {name}")?;
            any = true;
            continue;
        };
        let mut changed = 0usize;
        let mut examples = Vec::new();
        let mut ids: Vec<&String> = new.values.keys().collect();
        ids.sort();
        for id in ids {
            let now = &new.values[id][k];
            let before = old.values.get(id).map(|v| v[j].as_str());
            if before != Some(now.as_str()) {
                changed += 1;
                if examples.len() < EXAMPLES {
                    examples.push(format!("{id} {} -> {now}", before.unwrap_or("(new)")));
                }
            }
        }
        if changed > 0 {
            any = true;
            writeln!(
                out,
                "  {name} changed for {} (e.g. {})",
                crate::text::customers(changed),
                examples.join("; ")
            )?;
        }
    }
    if !any {
        writeln!(out, "  no customer's policy changed")?;
    }
    Ok(())
}
