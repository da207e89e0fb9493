//! `tierwise watch`: evaluate once, then on every saved change to the rules (or the config):
//! reload, check, run the rule tests, and only if all of that passes, swap in the new rules,
//! re-evaluate every customer and print what changed. A broken edit is reported with its
//! positions and the last good rules stay in force.
//!
//! Editors save in different ways (write in place, write a temp file and rename it over the
//! original, delete and recreate): the rules directory is watched recursively, events are
//! filtered by path, and a burst of events is debounced into one reload.

use super::run::{database, read_customers};
use super::test::run_tests;
use super::thousands;
use crate::config::Config;
use crate::data;
use crate::diag::Diagnostics;
use crate::engine::{Evaluator, display_key};
use crate::{Error, rules};
use notify_debouncer_full::notify::event::ModifyKind;
use notify_debouncer_full::notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, new_debouncer};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub struct WatchOptions {
    pub config: PathBuf,
    pub db: Option<PathBuf>,
    pub rules: Option<PathBuf>,
    /// Also write each accepted evaluation as a run, as `tierwise run` does.
    pub write: bool,
    pub debounce: Duration,
}

/// One evaluation, kept to compare the next one with.
struct Snapshot {
    fingerprint: String,
    outputs: Vec<String>,
    /// Per customer id: each output's value, as shown.
    values: HashMap<String, Vec<String>>,
    /// `count_by` outputs: customers per value.
    counts: Vec<(String, Vec<(String, usize)>)>,
}

/// How many example customers a change lists.
const EXAMPLES: usize = 3;

pub fn watch(opts: &WatchOptions, out: &mut dyn Write) -> Result<(), Error> {
    let config = Config::load(&opts.config)?;
    let rules_dir = opts
        .rules
        .clone()
        .unwrap_or_else(|| config.rules_dir.clone());
    let (tx, rx) = std::sync::mpsc::channel::<DebounceEventResult>();
    let mut debouncer = new_debouncer(opts.debounce, None, tx).map_err(watch_error)?;
    debouncer
        .watch(&rules_dir, RecursiveMode::Recursive)
        .map_err(watch_error)?;
    let config_dir = parent_of(&opts.config);
    debouncer
        .watch(config_dir, RecursiveMode::NonRecursive)
        .map_err(watch_error)?;
    // The rules directory itself may be replaced (a `git checkout`, a deploy that moves a new
    // directory in): its parent shows that, and the watch is attached to the new directory.
    let rules_parent = parent_of(&rules_dir).to_path_buf();
    if rules_parent != config_dir {
        debouncer
            .watch(&rules_parent, RecursiveMode::NonRecursive)
            .map_err(watch_error)?;
    }

    let mut last: Option<Snapshot> = None;
    let say = |out: &mut dyn Write, text: String| {
        let _ = writeln!(out, "{text}");
        let _ = out.flush();
    };
    say(
        out,
        format!(
            "watching {} and {} (Ctrl-C to stop)",
            rules_dir.display(),
            opts.config.display()
        ),
    );
    last = attempt(opts, &rules_dir, last, out);

    for events in rx {
        let events = match events {
            Ok(events) => events,
            Err(errors) => {
                for e in errors {
                    say(out, format!("watch error: {e}"));
                }
                continue;
            }
        };
        let changed: Vec<PathBuf> = events
            .iter()
            .filter(|e| e.need_rescan() || !matches!(e.kind, EventKind::Access(_)))
            .flat_map(|e| e.paths.iter())
            .filter(|p| is_rule_file(p, &rules_dir) || same_file(p, &opts.config))
            .cloned()
            .collect();
        // Only a create, rename or remove can replace the directory; reading it (as every
        // reload does) must not count, or each reload would cause the next.
        let replaced = events
            .iter()
            .filter(|e| {
                matches!(
                    e.kind,
                    EventKind::Create(_)
                        | EventKind::Remove(_)
                        | EventKind::Modify(ModifyKind::Name(_))
                )
            })
            .flat_map(|e| e.paths.iter())
            .any(|p| same_file(p, &rules_dir));
        if replaced && rules_dir.is_dir() {
            let _ = debouncer.unwatch(&rules_dir);
            debouncer
                .watch(&rules_dir, RecursiveMode::Recursive)
                .map_err(watch_error)?;
        }
        let rescan = replaced || events.iter().any(|e| e.need_rescan());
        if changed.is_empty() && !rescan {
            continue;
        }
        let mut names: Vec<String> = changed
            .iter()
            .map(|p| super::shown(p).display().to_string())
            .collect();
        names.sort();
        names.dedup();
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
        last = attempt(opts, &rules_dir, last, out);
    }
    Ok(())
}

/// A path's directory (`.` for a bare file name).
fn parent_of(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

fn watch_error(e: notify_debouncer_full::notify::Error) -> Error {
    Error::Usage(format!("cannot watch the rule files: {e}"))
}

fn is_rule_file(path: &Path, rules_dir: &Path) -> bool {
    let under = match (
        std::fs::canonicalize(rules_dir),
        path.parent().map(std::fs::canonicalize),
    ) {
        (Ok(dir), Some(Ok(parent))) => parent.starts_with(dir),
        _ => path.starts_with(rules_dir),
    };
    under
        && matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml" | "rhai")
        )
}

fn same_file(a: &Path, b: &Path) -> bool {
    a.file_name() == b.file_name()
        && match (
            std::fs::canonicalize(parent_of(a)),
            std::fs::canonicalize(parent_of(b)),
        ) {
            (Ok(x), Ok(y)) => x == y,
            _ => false,
        }
}

/// Reloads, checks, tests and evaluates. Returns the snapshot now in force: the new one when
/// everything passed, the previous one otherwise.
fn attempt(
    opts: &WatchOptions,
    rules_dir: &Path,
    last: Option<Snapshot>,
    out: &mut dyn Write,
) -> Option<Snapshot> {
    let kept = |out: &mut dyn Write, last: Option<Snapshot>| {
        let _ = match &last {
            Some(s) => writeln!(out, "kept the last good rules ({}) in force", s.fingerprint),
            None => writeln!(out, "no rules in force yet: fix the rules and save again"),
        };
        let _ = out.flush();
        last
    };
    match evaluate(opts, rules_dir) {
        Ok(Ok(snapshot)) => {
            let _ = report(&snapshot, last.as_ref(), out);
            if opts.write {
                let run_opts = super::run::RunOptions {
                    database: opts.db.clone(),
                    rules: Some(rules_dir.to_path_buf()),
                    out: None,
                };
                let written = Config::load(&opts.config)
                    .map_err(Error::from)
                    .and_then(|c| super::run::run(&c, &run_opts));
                let _ = match written {
                    Ok(r) => writeln!(out, "written as run {}", r.run_id),
                    Err(e) => writeln!(out, "error: the run was not written: {e}"),
                };
            }
            let _ = out.flush();
            Some(snapshot)
        }
        Ok(Err(rejected)) => {
            let _ = writeln!(out, "{rejected}");
            kept(out, last)
        }
        Err(e) => {
            let _ = writeln!(out, "error: {e}");
            kept(out, last)
        }
    }
}

/// The new evaluation, or why the rules were rejected (diagnostics, failing tests).
fn evaluate(opts: &WatchOptions, rules_dir: &Path) -> Result<Result<Snapshot, String>, Error> {
    let config = Config::load(&opts.config)?;
    let db = database(&config, opts.db.as_ref())?;
    let conn = data::open_database(&db)?;
    let fields = data::source_columns(&conn, &config.source)?;
    let rules = match rules::load(rules_dir, &fields, &config.limits) {
        Ok((rules, _)) => rules,
        Err(d @ Diagnostics(_)) => return Ok(Err(d.render(false))),
    };
    if rules_dir.join("tests").is_dir() {
        let report = run_tests(&config, Some(rules_dir), None)?;
        if report.failed() > 0 {
            let mut text = Vec::new();
            let _ = report.print(super::Format::Text, &mut text);
            // The failures and the total; passing cases and coverage are noise here.
            let text = String::from_utf8_lossy(&text);
            let (cases, rest) = text.split_once("\ncoverage:").unwrap_or((&text, ""));
            let failures: Vec<&str> = cases.lines().filter(|l| !l.starts_with("PASS ")).collect();
            let total = rest.trim_end().lines().last().unwrap_or_default();
            return Ok(Err(format!(
                "the rule tests fail:\n{}\n{total}",
                failures.join("\n").trim()
            )));
        }
    }
    let customers = read_customers(&config, &conn, &rules)?;
    let evaluator = Evaluator::new(&rules, &customers)?;
    let mut values = HashMap::with_capacity(customers.len);
    let mut start = 0;
    while start < customers.len {
        let end = (start + super::run::CHUNK).min(customers.len);
        let (outcomes, _) = evaluator.evaluate(start..end)?;
        for o in outcomes.iter() {
            let shown: Vec<String> = o.outputs.iter().map(display_key).collect();
            values.insert(customers.id_text(o.index), shown);
        }
        start = end;
    }
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
            per.sort();
            (name, per)
        })
        .collect();
    Ok(Ok(Snapshot {
        fingerprint: rules.fingerprint.clone(),
        outputs,
        values,
        counts,
    }))
}

/// What the new evaluation changed against the previous one.
fn report(new: &Snapshot, old: Option<&Snapshot>, out: &mut dyn Write) -> std::io::Result<()> {
    let Some(old) = old else {
        writeln!(
            out,
            "rules {} in force: {} customers evaluated",
            new.fingerprint,
            thousands(new.values.len() as f64)
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
    writeln!(
        out,
        "applied rules {} (were {}): {} customers evaluated",
        new.fingerprint,
        old.fingerprint,
        thousands(new.values.len() as f64)
    )?;
    for (name, per) in &new.counts {
        let before: HashMap<&str, usize> = old
            .counts
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, p)| p.iter().map(|(v, n)| (v.as_str(), *n)).collect())
            .unwrap_or_default();
        let mut keys: Vec<&str> = per
            .iter()
            .map(|(v, _)| v.as_str())
            .chain(before.keys().copied())
            .collect();
        keys.sort();
        keys.dedup();
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
                "  {name} changed for {} customers (e.g. {})",
                thousands(changed as f64),
                examples.join("; ")
            )?;
        }
    }
    if !any {
        writeln!(out, "  no customer's policy changed")?;
    }
    Ok(())
}
