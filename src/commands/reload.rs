//! What `watch` and `serve` share: following the rule files as editors really save them, and
//! accepting a new rule set only when it loads, checks and passes its tests.
//!
//! Editors save in different ways (write in place, write a temp file and rename it over the
//! original, delete and recreate): the rules directory is watched recursively, events are
//! filtered by path, and a burst of events is debounced into one reload. The directory itself
//! may be replaced (a `git checkout`, a deploy that moves a new directory in): its parent is
//! watched too, and the watch follows the new directory.

use super::run::{database, read_customers};
use super::test::test_rules;
use crate::config::Config;
use crate::data::given::{SourceColumn, source_column_types};
use crate::data::{self, Dataset};
use crate::diag::{Diagnostic, Diagnostics};
use crate::{Error, rules};
use notify_debouncer_full::notify::event::ModifyKind;
use notify_debouncer_full::notify::{EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// Where the rules and the customers come from: the config, unless given.
#[derive(Debug, Clone)]
pub struct Sources {
    pub config: PathBuf,
    pub db: Option<PathBuf>,
    pub rules: Option<PathBuf>,
}

impl Sources {
    /// The rules directory to watch: the one given, else the config's (`None` while the
    /// config cannot be read).
    pub fn rules_dir(&self) -> Option<PathBuf> {
        match &self.rules {
            Some(dir) => Some(dir.clone()),
            None => Config::load(&self.config).ok().map(|c| c.rules_dir),
        }
    }
}

/// A rule set that loaded, checked and passed its tests, with the customers it reads.
pub struct Accepted {
    pub config: Config,
    pub database: PathBuf,
    pub rules_dir: PathBuf,
    pub rules: Arc<rules::RuleSet>,
    pub customers: Dataset,
    /// The customer source's columns with their declared types (to store given values).
    pub columns: Vec<SourceColumn>,
}

/// Why a new rule set was not accepted.
#[derive(Debug)]
pub enum Refusal {
    /// The rule files have errors.
    Rules(Diagnostics),
    /// The rules load but some of their tests fail: the failures, as `tierwise test` prints them.
    Tests { failed: usize, text: String },
    /// The configuration or the customer database.
    Error(Error),
}

impl Refusal {
    /// For people: the diagnostics with their source lines, the failing tests, or the error.
    pub fn render(&self) -> String {
        match self {
            Refusal::Rules(d) => d.render(false),
            Refusal::Tests { text, .. } => text.clone(),
            Refusal::Error(e) => format!("error: {e}"),
        }
    }

    /// For programs: what kind of problem, the text, and each diagnostic with its position.
    pub fn to_json(&self) -> serde_json::Value {
        let (kind, diagnostics): (&str, Vec<serde_json::Value>) = match self {
            Refusal::Rules(d) => ("rules", d.0.iter().map(Diagnostic::to_json).collect()),
            Refusal::Tests { .. } => ("tests", Vec::new()),
            Refusal::Error(_) => ("error", Vec::new()),
        };
        serde_json::json!({
            "kind": kind,
            "message": self.render(),
            "failed_tests": match self { Refusal::Tests { failed, .. } => Some(*failed), _ => None },
            "diagnostics": diagnostics,
        })
    }
}

impl Refusal {
    /// The error a command that cannot start reports.
    pub fn into_error(self) -> Error {
        match self {
            Refusal::Rules(d) => Error::Rules(d),
            Refusal::Tests { text, .. } => Error::Usage(text),
            Refusal::Error(e) => e,
        }
    }
}

impl From<Error> for Refusal {
    fn from(e: Error) -> Self {
        Refusal::Error(e)
    }
}

/// Loads the config, the rules and the customers; the rules count only when they have no
/// errors and every test in `<rules>/tests/` passes.
pub fn load(sources: &Sources) -> Result<Accepted, Refusal> {
    let config = Config::load(&sources.config).map_err(Error::from)?;
    let rules_dir = sources
        .rules
        .clone()
        .unwrap_or_else(|| config.rules_dir.clone());
    let database = database(&config, sources.db.as_ref())?;
    let conn = data::open_database(&database).map_err(Error::from)?;
    let fields = data::source_columns(&conn, &config.source).map_err(Error::from)?;
    let rules = rules::load(&rules_dir, &fields, &config.limits)
        .map(|(rules, _warnings)| rules)
        .map_err(Refusal::Rules)?;
    if rules_dir.join("tests").is_dir() {
        let report = test_rules(&config, &rules, &rules_dir, &conn, None)?;
        if report.failed() > 0 {
            let mut text = Vec::new();
            let _ = report.print(super::Format::Text, &mut text);
            // The failures and the total; passing cases and coverage are noise here.
            let text = String::from_utf8_lossy(&text);
            let (cases, rest) = text.split_once("\ncoverage:").unwrap_or((&text, ""));
            let failures: Vec<&str> = cases.lines().filter(|l| !l.starts_with("PASS ")).collect();
            let total = rest.trim_end().lines().last().unwrap_or_default();
            return Err(Refusal::Tests {
                failed: report.failed(),
                text: format!(
                    "the rule tests fail:\n{}\n{total}",
                    failures.join("\n").trim()
                ),
            });
        }
    }
    let columns = source_column_types(&conn, &config.source).map_err(Error::from)?;
    let customers = read_customers(&config, &conn, &rules)?;
    Ok(Accepted {
        config,
        database,
        rules_dir,
        rules: Arc::new(rules),
        customers,
        columns,
    })
}

/// Reads the customers again for rules already accepted (the database changed, the rules
/// did not): fails if the customer source's columns are no longer the ones the rules were
/// loaded with.
pub fn reload_data(
    sources: &Sources,
    rules: &Arc<rules::RuleSet>,
    rules_dir: &Path,
) -> Result<Accepted, Refusal> {
    let config = Config::load(&sources.config).map_err(Error::from)?;
    let database = database(&config, sources.db.as_ref())?;
    let conn = data::open_database(&database).map_err(Error::from)?;
    let fields = data::source_columns(&conn, &config.source).map_err(Error::from)?;
    let same = fields.len() == rules.field_count
        && fields
            .iter()
            .zip(&rules.slots)
            .all(|(f, (name, _))| f.name == *name);
    if !same {
        return Err(Refusal::Error(Error::Usage(
            "the customer source's columns changed: the rules must be loaded again".into(),
        )));
    }
    let columns = source_column_types(&conn, &config.source).map_err(Error::from)?;
    let customers = read_customers(&config, &conn, rules)?;
    Ok(Accepted {
        config,
        database,
        rules_dir: rules_dir.to_path_buf(),
        rules: rules.clone(),
        customers,
        columns,
    })
}

/// What the watch saw.
pub enum Change {
    /// Rule files or the config changed (their names as shown; empty when the watcher lost
    /// track and everything must be read again).
    Files(Vec<String>),
    /// Nothing within the time asked for.
    Quiet,
    /// The watcher reported errors (it goes on watching).
    Errors(Vec<String>),
}

/// Follows the rule files and the config, as editors save them.
pub struct RuleWatcher {
    debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
    events: Receiver<DebounceEventResult>,
    config: PathBuf,
    rules_dir: PathBuf,
}

impl RuleWatcher {
    /// Starts watching; `debounce` is the quiet time after the last event of a burst.
    pub fn new(config: &Path, rules_dir: &Path, debounce: Duration) -> Result<Self, Error> {
        let (tx, events) = std::sync::mpsc::channel::<DebounceEventResult>();
        let mut debouncer = new_debouncer(debounce, None, tx).map_err(watch_error)?;
        debouncer
            .watch(rules_dir, RecursiveMode::Recursive)
            .map_err(watch_error)?;
        let config_dir = parent_of(config);
        debouncer
            .watch(config_dir, RecursiveMode::NonRecursive)
            .map_err(watch_error)?;
        // The rules directory itself may be replaced: its parent shows that.
        let rules_parent = parent_of(rules_dir);
        if rules_parent != config_dir {
            debouncer
                .watch(rules_parent, RecursiveMode::NonRecursive)
                .map_err(watch_error)?;
        }
        Ok(RuleWatcher {
            debouncer,
            events,
            config: config.to_path_buf(),
            rules_dir: rules_dir.to_path_buf(),
        })
    }

    /// Watches `sources`' rules directory if it is no longer the one watched (the config's
    /// `rules:` was changed); says whether it switched.
    pub fn follow(&mut self, sources: &Sources, debounce: Duration) -> Result<bool, Error> {
        match sources.rules_dir() {
            Some(dir) if dir != self.rules_dir && dir.is_dir() => {
                *self = RuleWatcher::new(&self.config, &dir, debounce)?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// "rules and config/tierwise.yaml", for messages.
    pub fn describe(&self) -> String {
        format!(
            "{} and {}",
            super::shown(&self.rules_dir).display(),
            super::shown(&self.config).display()
        )
    }

    /// Waits for the next change, at most `timeout` (`None`: for ever); `None` if the
    /// watcher stopped.
    pub fn next(&mut self, timeout: Option<Duration>) -> Option<Change> {
        let deadline = timeout.map(|t| Instant::now() + t);
        loop {
            let events = match deadline {
                None => self.events.recv().ok()?,
                Some(d) => match self
                    .events
                    .recv_timeout(d.saturating_duration_since(Instant::now()))
                {
                    Ok(events) => events,
                    Err(RecvTimeoutError::Timeout) => return Some(Change::Quiet),
                    Err(RecvTimeoutError::Disconnected) => return None,
                },
            };
            let events = match events {
                Ok(events) => events,
                Err(errors) => {
                    return Some(Change::Errors(
                        errors.iter().map(ToString::to_string).collect(),
                    ));
                }
            };
            let changed: Vec<&PathBuf> = events
                .iter()
                .filter(|e| e.need_rescan() || !matches!(e.kind, EventKind::Access(_)))
                .flat_map(|e| e.paths.iter())
                .filter(|p| is_rule_file(p, &self.rules_dir) || same_file(p, &self.config))
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
                .any(|p| same_file(p, &self.rules_dir));
            if replaced && self.rules_dir.is_dir() {
                let _ = self.debouncer.unwatch(&self.rules_dir);
                if let Err(e) = self
                    .debouncer
                    .watch(&self.rules_dir, RecursiveMode::Recursive)
                {
                    return Some(Change::Errors(vec![watch_error(e).to_string()]));
                }
            }
            let rescan = replaced || events.iter().any(|e| e.need_rescan());
            if changed.is_empty() && !rescan {
                continue; // nothing of ours: wait for the time left
            }
            let mut names: Vec<String> = changed
                .iter()
                .map(|p| super::shown(p).display().to_string())
                .collect();
            names.sort();
            names.dedup();
            return Some(Change::Files(names));
        }
    }
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
