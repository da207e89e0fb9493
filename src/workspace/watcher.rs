//! Following the rule files and the config as editors really save them.
//!
//! Editors save in different ways (write in place, write a temp file and rename it over the
//! original, delete and recreate): the rules directory is watched recursively, events are
//! filtered by path, and a burst of events is debounced into one reload. The directory itself
//! may be replaced (a `git checkout`, a deploy that moves a new directory in): its parent is
//! watched too, and the watch follows the new directory.
//!
//! A deploy may also swap a symlink rather than the files: Kubernetes mounts a ConfigMap as
//! `tiers.yaml -> ..data/tiers.yaml` with `..data -> ..2026_12_01_...` and renames a new
//! `..data` over the old one; a release tool points `rules -> releases/42`. No event names a
//! rule file then, so after a name's event (a create, a rename, a removal) in the watched
//! directories the watcher compares what the rules directory, each rule file and the config
//! resolve to (real path, size, time) with what they resolved to when it last handed over a
//! change, and watches the directory `rules` resolves to now.
//!
//! The quiet time is measured here, not by the debouncer: notify-debouncer-full hands over
//! each event once it is its timeout old, checked every quarter timeout, even while the burst
//! goes on. A burst that straddles one of those checks, or lasts longer than the timeout (a
//! loaded machine writing fifty saves), comes in several batches, and each batch used to be
//! one more reload of the same files. So the debouncer only gathers events (and stitches
//! renames) with a short timeout, and [`RuleWatcher::next`] returns a change once no event of
//! ours has come for the quiet time.

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

/// A burst that never goes quiet is still reloaded, once per this many quiet times.
const SETTLE_LIMIT: u32 = 10;

/// Follows the rule files and the config, as editors save them.
pub struct RuleWatcher {
    debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
    events: Receiver<DebounceEventResult>,
    config: PathBuf,
    rules_dir: PathBuf,
    /// How long no event of ours must come before a burst counts as over.
    quiet: Duration,
    /// Errors reported while a burst settled: the next call returns them.
    errors: Vec<String>,
    /// What the rule files and the config resolved to when last looked at.
    resolved: Resolved,
    /// The real directory the recursive watch is on (`rules` may be a symlink).
    watched: Option<PathBuf>,
}

/// A file's real path, size and modification time.
type FileAt = (PathBuf, u64, Option<std::time::SystemTime>);

/// What the rules directory, each rule file in it (and in its `tests/`) and the config
/// resolve to: a symlink swapped changes it, though no event names the file.
#[derive(Debug, Clone, PartialEq, Default)]
struct Resolved {
    rules_dir: Option<PathBuf>,
    /// Each file as named, and its real path, size and modification time (`None`: gone or
    /// a dangling link).
    files: Vec<(PathBuf, Option<FileAt>)>,
}

impl Resolved {
    fn now(config: &Path, rules_dir: &Path) -> Resolved {
        let stat = |p: &Path| {
            let real = std::fs::canonicalize(p).ok()?;
            let meta = std::fs::metadata(&real).ok()?;
            Some((real, meta.len(), meta.modified().ok()))
        };
        let mut files = vec![(config.to_path_buf(), stat(config))];
        for dir in [rules_dir.to_path_buf(), rules_dir.join("tests")] {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            let mut named: Vec<PathBuf> = (entries.filter_map(Result::ok))
                .map(|e| e.path())
                .filter(|p| rule_file_name(p))
                .collect();
            named.sort();
            files.extend(named.into_iter().map(|p| {
                let at = stat(&p);
                (p, at)
            }));
        }
        Resolved {
            rules_dir: std::fs::canonicalize(rules_dir).ok(),
            files,
        }
    }

    /// The files (as named) that resolve otherwise than in `before`, or came or went.
    fn changed_from<'a>(&'a self, before: &'a Resolved) -> Vec<&'a Path> {
        let mut changed: Vec<&Path> = (self.files.iter())
            .filter(|f| !before.files.contains(f))
            .map(|(p, _)| p.as_path())
            .collect();
        let gone = (before.files.iter()).filter(|(p, _)| !self.files.iter().any(|(q, _)| q == p));
        changed.extend(gone.map(|(p, _)| p.as_path()));
        changed
    }
}

/// One batch from the debouncer, or why there is none.
enum Received {
    Batch(DebounceEventResult),
    Timeout,
    Stopped,
}

/// What one batch holds for us.
enum Sorted {
    /// Rule files or the config changed (no names: the watcher lost track of some, or the
    /// rules directory was replaced).
    Ours(Vec<String>),
    /// Nothing of ours (reads, other files beside the config).
    Other,
    Errors(Vec<String>),
}

impl RuleWatcher {
    /// Starts watching; `debounce` is the quiet time after the last event of a burst.
    pub fn new(config: &Path, rules_dir: &Path, debounce: Duration) -> Result<Self, Error> {
        let (tx, events) = std::sync::mpsc::channel::<DebounceEventResult>();
        // Short: the quiet time is measured in `next`.
        let gather = (debounce / 4).max(Duration::from_millis(5));
        let tick = (gather / 2).max(Duration::from_millis(2));
        let mut debouncer = new_debouncer(gather, Some(tick), tx).map_err(watch_error)?;
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
            quiet: debounce,
            errors: Vec::new(),
            resolved: Resolved::now(config, rules_dir),
            watched: std::fs::canonicalize(rules_dir).ok(),
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

    /// Waits for the next change, at most `timeout` (`None`: for ever) for it to start; a
    /// change is returned once the quiet time has passed without another event of ours, so
    /// a burst of saves is one change. `None` if the watcher stopped.
    pub fn next(&mut self, timeout: Option<Duration>) -> Option<Change> {
        if !self.errors.is_empty() {
            return Some(Change::Errors(std::mem::take(&mut self.errors)));
        }
        let deadline = timeout.map(|t| Instant::now() + t);
        let mut names = loop {
            let batch = match self.receive(deadline) {
                Received::Batch(batch) => batch,
                Received::Timeout => return Some(Change::Quiet),
                Received::Stopped => return None,
            };
            match self.sort(batch) {
                Sorted::Ours(names) => break names,
                Sorted::Other => continue, // nothing of ours: wait for the time left
                Sorted::Errors(errors) => return Some(Change::Errors(errors)),
            }
        };
        // The rest of the burst, until it goes quiet (batches that came during the last
        // reload are already waiting, and join this change).
        let limit = Instant::now() + self.quiet * SETTLE_LIMIT;
        let mut quiet_until = Instant::now() + self.quiet;
        // (A stopped watcher is reported by the next call.)
        while let Received::Batch(batch) = self.receive(Some(quiet_until.min(limit))) {
            match self.sort(batch) {
                Sorted::Ours(more) => {
                    names.extend(more);
                    quiet_until = Instant::now() + self.quiet;
                }
                Sorted::Other => {}
                Sorted::Errors(errors) => self.errors.extend(errors),
            }
        }
        names.sort();
        names.dedup();
        // What is about to be read: a save still being written when its event came is not
        // a change of its own later.
        self.resolved = Resolved::now(&self.config, &self.rules_dir);
        Some(Change::Files(names))
    }

    fn receive(&self, deadline: Option<Instant>) -> Received {
        let received = match deadline {
            None => self
                .events
                .recv()
                .map_err(|_| RecvTimeoutError::Disconnected),
            Some(d) => self
                .events
                .recv_timeout(d.saturating_duration_since(Instant::now())),
        };
        match received {
            Ok(batch) => Received::Batch(batch),
            Err(RecvTimeoutError::Timeout) => Received::Timeout,
            Err(RecvTimeoutError::Disconnected) => Received::Stopped,
        }
    }

    /// The rule files and config a batch names; follows a replaced rules directory.
    fn sort(&mut self, batch: DebounceEventResult) -> Sorted {
        let events = match batch {
            Ok(events) => events,
            Err(errors) => return Sorted::Errors(errors.iter().map(ToString::to_string).collect()),
        };
        let mut names: Vec<String> = events
            .iter()
            .filter(|e| e.need_rescan() || !matches!(e.kind, EventKind::Access(_)))
            .flat_map(|e| e.paths.iter())
            .filter(|p| is_rule_file(p, &self.rules_dir) || same_file(p, &self.config))
            .map(|p| shown(p).display().to_string())
            .collect();
        // A swap is a name's event (a link renamed over another, created, removed): a data
        // write is named by its file, and the database's own (`-wal`) are not ours.
        let renamed = events.iter().any(|e| {
            matches!(
                e.kind,
                EventKind::Create(_)
                    | EventKind::Remove(_)
                    | EventKind::Modify(ModifyKind::Name(_))
            )
        });
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
        // What everything resolves to now: a symlink swapped (`..data`) names no rule file.
        let now = match renamed || replaced {
            true => Resolved::now(&self.config, &self.rules_dir),
            false => self.resolved.clone(),
        };
        let moved = now.rules_dir != self.watched;
        if (replaced || moved) && self.rules_dir.is_dir() {
            let _ = self.debouncer.unwatch(&self.rules_dir);
            if let Err(e) = self
                .debouncer
                .watch(&self.rules_dir, RecursiveMode::Recursive)
            {
                return Sorted::Errors(vec![watch_error(e).to_string()]);
            }
            self.watched = now.rules_dir.clone();
        }
        names.extend(
            (now.changed_from(&self.resolved).into_iter()).map(|p| shown(p).display().to_string()),
        );
        self.resolved = now;
        let rescan = replaced || moved || events.iter().any(|e| e.need_rescan());
        if names.is_empty() && !rescan {
            return Sorted::Other;
        }
        Sorted::Ours(names)
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

/// A rule file of `rules_dir`: directly in it, or a test file in its `tests/` (other
/// subfolders are not part of the rule set: a deploy writing `..2026_12_01/` beside the
/// files it will swap in changes nothing yet).
fn is_rule_file(path: &Path, rules_dir: &Path) -> bool {
    let under = match (
        std::fs::canonicalize(rules_dir),
        path.parent().map(std::fs::canonicalize),
    ) {
        (Ok(dir), Some(Ok(parent))) => parent == dir || parent == dir.join("tests"),
        _ => path
            .parent()
            .is_some_and(|p| p == rules_dir || p == rules_dir.join("tests")),
    };
    under && rule_file_name(path)
}

/// A name the loader reads: hidden, backup and copied files are skipped by it, so a change
/// to them (an editor's swap or lock file on every keystroke) changes nothing.
fn rule_file_name(path: &Path) -> bool {
    let skipped = path
        .file_name()
        .is_some_and(|n| crate::rules::not_a_rule_file(&n.to_string_lossy()).is_some());
    !skipped
        && matches!(
            crate::text::extension(path).as_deref(),
            Some("yaml" | "yml" | "rhai" | "csv" | "xlsx" | "ods")
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

#[cfg(test)]
mod tests {
    use super::*;
    use notify_debouncer_full::DebouncedEvent;
    use notify_debouncer_full::notify::Event;
    use notify_debouncer_full::notify::event::{AccessKind, AccessMode, DataChange};
    use std::sync::mpsc::{Sender, channel};

    /// A watcher on a temporary project whose batches come from the test, not from notify.
    struct Fed {
        watcher: RuleWatcher,
        tx: Sender<DebounceEventResult>,
        dir: tempfile::TempDir,
    }

    impl Fed {
        fn new(quiet: Duration) -> Fed {
            let dir = tempfile::tempdir().unwrap();
            let (config, rules) = (dir.path().join("config.yaml"), dir.path().join("rules"));
            std::fs::create_dir(&rules).unwrap();
            std::fs::write(&config, "rules: rules\n").unwrap();
            let mut watcher = RuleWatcher::new(&config, &rules, quiet).unwrap();
            let (tx, events) = channel();
            watcher.events = events;
            Fed { watcher, tx, dir }
        }

        fn path(&self, rel: &str) -> PathBuf {
            self.dir.path().join(rel)
        }
    }

    fn batch(kind: EventKind, paths: &[&Path]) -> DebounceEventResult {
        Ok(paths
            .iter()
            .map(|p| {
                DebouncedEvent::new(Event::new(kind).add_path(p.to_path_buf()), Instant::now())
            })
            .collect())
    }

    fn saved(paths: &[&Path]) -> DebounceEventResult {
        batch(
            EventKind::Modify(ModifyKind::Data(DataChange::Content)),
            paths,
        )
    }

    fn read(paths: &[&Path]) -> DebounceEventResult {
        batch(EventKind::Access(AccessKind::Open(AccessMode::Read)), paths)
    }

    fn names(change: Option<Change>) -> Vec<String> {
        match change {
            Some(Change::Files(names)) => names,
            Some(Change::Quiet) => panic!("quiet"),
            Some(Change::Errors(e)) => panic!("errors: {e:?}"),
            None => panic!("stopped"),
        }
    }

    fn shown_name(path: &Path) -> String {
        shown(path).display().to_string()
    }

    #[test]
    fn batches_waiting_together_are_one_change() {
        // As after a reload: the rest of a burst came while it ran, in several batches.
        let mut fed = Fed::new(Duration::from_millis(50));
        let (tiers, visits) = (fed.path("rules/tiers.yaml"), fed.path("rules/visits.yaml"));
        let (config, db) = (fed.path("config.yaml"), fed.path("customers.db"));
        for _ in 0..5 {
            fed.tx.send(saved(&[&tiers])).unwrap();
        }
        fed.tx.send(read(&[&tiers])).unwrap();
        fed.tx.send(saved(&[&visits, &config])).unwrap();
        fed.tx.send(saved(&[&db])).unwrap();
        let mut expected = vec![shown_name(&config), shown_name(&tiers), shown_name(&visits)];
        expected.sort();
        let w = &mut fed.watcher;
        assert_eq!(names(w.next(Some(Duration::from_secs(5)))), expected);
        let next = w.next(Some(Duration::from_millis(10)));
        assert!(matches!(next, Some(Change::Quiet)));
    }

    #[test]
    fn reads_other_files_and_skipped_rule_files_are_no_change() {
        let mut fed = Fed::new(Duration::from_millis(50));
        let read_only = read(&[&fed.path("rules/tiers.yaml")]);
        let others = saved(&[
            &fed.path("rules/notes.txt"),
            &fed.path("customers.db"),
            &fed.path("rules/tiers - Copy.yaml"),
            &fed.path("rules/.#tiers.yaml"),
            &fed.path("rules/tiers.yaml~"),
            &fed.path("rules/~$pricing.xlsx"),
            &fed.path("rules/.~lock.pricing.xlsx#"),
            &fed.path("rules/pricing.xlsx.tmp"),
        ]);
        fed.tx.send(read_only).unwrap();
        fed.tx.send(others).unwrap();
        let next = fed.watcher.next(Some(Duration::from_millis(100)));
        assert!(matches!(next, Some(Change::Quiet)));
    }

    #[test]
    fn a_saved_spreadsheet_is_a_change() {
        let mut fed = Fed::new(Duration::from_millis(50));
        let (book, csv) = (
            fed.path("rules/pricing.xlsx"),
            fed.path("rules/discount.csv"),
        );
        let ods = fed.path("rules/plan.ods");
        fed.tx.send(saved(&[&book, &csv, &ods])).unwrap();
        let mut expected = vec![shown_name(&book), shown_name(&csv), shown_name(&ods)];
        expected.sort();
        let next = fed.watcher.next(Some(Duration::from_secs(5)));
        assert_eq!(names(next), expected);
    }

    #[test]
    fn errors_while_a_burst_settles_come_with_the_next_call() {
        let Fed {
            mut watcher,
            tx,
            dir,
        } = Fed::new(Duration::from_millis(50));
        let tiers = dir.path().join("rules/tiers.yaml");
        tx.send(saved(&[&tiers])).unwrap();
        let lost = notify_debouncer_full::notify::Error::generic("lost");
        tx.send(Err(vec![lost])).unwrap();
        tx.send(saved(&[&tiers])).unwrap();
        assert_eq!(names(watcher.next(None)), vec![shown_name(&tiers)]);
        match watcher.next(None) {
            Some(Change::Errors(errors)) => assert_eq!(errors, vec!["lost".to_owned()]),
            _ => panic!("no errors"),
        }
        drop(tx);
        assert!(watcher.next(None).is_none(), "the watcher stopped");
    }

    #[test]
    fn a_burst_that_never_goes_quiet_is_still_a_change() {
        let Fed {
            mut watcher,
            tx,
            dir,
        } = Fed::new(Duration::from_millis(20));
        let tiers = dir.path().join("rules/tiers.yaml");
        let saving = std::thread::spawn(move || {
            // Until the watcher is dropped: a save every 5 ms, for ever.
            while tx.send(saved(&[&tiers])).is_ok() {
                std::thread::sleep(Duration::from_millis(5));
            }
        });
        assert_eq!(names(watcher.next(None)).len(), 1);
        drop(watcher);
        saving.join().unwrap();
    }
}
