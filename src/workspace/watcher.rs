//! Following the rule files and the config as editors really save them.
//!
//! Editors save in different ways (write in place, write a temp file and rename it over the
//! original, delete and recreate): the rules directory is watched recursively, events are
//! filtered by path, and a burst of events is debounced into one reload. The directory itself
//! may be replaced (a `git checkout`, a deploy that moves a new directory in): its parent is
//! watched too, and the watch follows the new directory.

use super::{Overrides, Workspace};
use crate::error::Error;
use crate::text::shown;
use notify_debouncer_full::notify::event::ModifyKind;
use notify_debouncer_full::notify::{EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

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

    /// Watches the rules directory the config (or `overrides`) now names, if it is no longer
    /// the one watched (the config's `rules:` was changed); says whether it switched.
    pub fn follow(&mut self, overrides: &Overrides, debounce: Duration) -> Result<bool, Error> {
        let rules_dir = Workspace::new(&self.config, overrides)
            .ok()
            .map(|ws| ws.rules_dir);
        match rules_dir {
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
            shown(&self.rules_dir).display(),
            shown(&self.config).display()
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
                .map(|p| shown(p).display().to_string())
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
    Error::Io {
        what: "cannot watch the rule files".into(),
        source: std::io::Error::other(e),
    }
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
