//! `tierwise watch`: evaluate once, then on every saved change to the rules (or the config):
//! reload, check, run the rule tests, and only if all of that passes, swap in the new rules,
//! re-evaluate every customer and print what changed. A broken edit is reported with its
//! positions and the last good rules stay in force.

use super::reload::{self, Accepted, Change, RuleWatcher, Sources};
use super::thousands;
use crate::Error;
use crate::config::Config;
use crate::engine::{Evaluator, display_key};
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
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
    let mut watcher = RuleWatcher::new(&opts.config, &rules_dir, opts.debounce)?;
    let sources = Sources {
        config: opts.config.clone(),
        db: opts.db.clone(),
        rules: opts.rules.clone(),
    };
    let say = |out: &mut dyn Write, text: String| {
        let _ = writeln!(out, "{text}");
        let _ = out.flush();
    };
    say(
        out,
        format!("watching {} (Ctrl-C to stop)", watcher.describe()),
    );
    let mut last = attempt(opts, &sources, None, out);
    while let Some(change) = watcher.next(None) {
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
                last = attempt(opts, &sources, last, out);
                match watcher.follow(&sources, opts.debounce) {
                    Ok(true) => say(out, format!("now watching {}", watcher.describe())),
                    Ok(false) => {}
                    Err(e) => say(out, format!("watch error: {e}")),
                }
            }
            Change::Errors(errors) => {
                for e in errors {
                    say(out, format!("watch error: {e}"));
                }
            }
            Change::Quiet => {}
        }
    }
    Ok(())
}

/// Reloads, checks, tests and evaluates. Returns the snapshot now in force: the new one when
/// everything passed, the previous one otherwise.
fn attempt(
    opts: &WatchOptions,
    sources: &Sources,
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
    match reload::load(sources).and_then(|accepted| Ok(evaluate(&accepted)?)) {
        Ok(snapshot) => {
            let _ = report(&snapshot, last.as_ref(), out);
            if opts.write {
                let run_opts = super::run::RunOptions {
                    database: opts.db.clone(),
                    rules: sources.rules.clone(),
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
        Err(refused) => {
            let _ = writeln!(out, "{}", refused.render());
            kept(out, last)
        }
    }
}

/// Every customer's policy under the accepted rules.
fn evaluate(accepted: &Accepted) -> Result<Snapshot, Error> {
    let (rules, customers) = (&accepted.rules, &accepted.customers);
    let evaluator = Evaluator::new(rules, customers)?;
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
    Ok(Snapshot {
        fingerprint: rules.fingerprint.clone(),
        outputs,
        values,
        counts,
    })
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
