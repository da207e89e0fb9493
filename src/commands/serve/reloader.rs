//! The reload thread: it follows the rule files (and the config) and the customer database,
//! builds the next [`Version`] when either changes, and swaps it in, or records why not.
//!
//! The customer database is checked every `--data-check-ms` (`PRAGMA data_version` on an open
//! connection sees commits from other connections; the file's identity, size and mtime see it
//! replaced): a change reloads the customers under the rules in force and recomputes the
//! population figures. Reloads run on a one-thread pool, so requests keep the other cores.

use super::state::{Service, Version};
use super::{SERVED_ROWS, ServeOptions, say};
use crate::report::{refusal, thousands};
use crate::source::{ChangeWatch, CustomerSource};
use crate::time::Date;
use crate::workspace::reload::{self, Refusal};
use crate::workspace::watcher::{Change, RuleWatcher};
use crate::workspace::{Overrides, Workspace};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

/// How often the reload thread looks up from waiting for rule changes (to check the
/// database, or to stop).
const TICK: Duration = Duration::from_millis(100);

/// Follows the rules and the data, and reloads.
pub(super) struct Reloader<'a> {
    service: &'a Service,
    opts: &'a ServeOptions,
    watcher: RuleWatcher,
    /// The customer database as of the last (re)load.
    data: DataWatch,
    /// When the database was last checked.
    checked: Instant,
    /// A rule edit seen while every customer was being checked: reloaded next.
    pending: Option<Trigger>,
}

/// Why to reload.
enum Trigger {
    /// Rule files or the config changed (as shown, for the message).
    Files(Vec<String>),
    /// Only the customer database changed.
    Data,
    /// A new day began: the rules evaluate as of today (when `--as-of` does not fix it).
    NewDay(Date),
}

impl<'a> Reloader<'a> {
    /// `data` is the database as it was before the version in force read it.
    pub(super) fn new(
        service: &'a Service,
        opts: &'a ServeOptions,
        watcher: RuleWatcher,
        data: DataWatch,
    ) -> Reloader<'a> {
        Reloader {
            service,
            opts,
            watcher,
            data,
            checked: Instant::now(),
            pending: None,
        }
    }

    /// What `serve` says it watches.
    pub(super) fn describe(&self) -> String {
        self.watcher.describe()
    }

    /// Reloads on every change until `stop` says so (or the file watcher stops).
    pub(super) fn run(mut self, stop: &Receiver<()>, out: &mut (dyn Write + Send)) {
        // Reloads use one thread, leaving the other cores to answer requests: a reload
        // takes a little longer, and the requests during it wait less.
        let stop = StopAsked::new(stop);
        while !stop.asked() {
            // The version in force, once after it came into force: every customer.
            self.census(&stop, out);
            if stop.asked() {
                break;
            }
            let trigger = match self.next_trigger(out) {
                Ok(Some(trigger)) => trigger,
                Ok(None) => continue,
                Err(Stopped) => {
                    say(
                        out,
                        "the file watcher stopped: rule edits are no longer picked up (restart to resume)".into(),
                    );
                    return;
                }
            };
            let why = match &trigger {
                Trigger::Files(names) if names.is_empty() => {
                    "change in the watched files".to_owned()
                }
                Trigger::Files(names) => format!("change in {}", names.join(", ")),
                Trigger::Data => "the customer database changed".into(),
                Trigger::NewDay(today) => format!("a new day: evaluating as of {today}"),
            };
            // When it happened, as the access log says it (a log collector keeps both).
            say(out, format!("\n{} {why}", super::state::timestamp()));
            // Taken before reading, so a commit during the reload is seen next time.
            let before = DataWatch::now(&self.opts.config, &self.opts.overrides);
            let data_only = matches!(trigger, Trigger::Data | Trigger::NewDay(_));
            // The directory the config names now is watched before its rules are read: an
            // edit made there while they load is then a change of its own (watched after,
            // it was lost until the next edit).
            match self
                .watcher
                .follow(&self.opts.overrides, self.opts.debounce)
            {
                Ok(true) => say(out, format!("now watching {}", self.watcher.describe())),
                Ok(false) => {}
                Err(e) => say(out, format!("watch error: {e}")),
            }
            // A stop during the reload ends it here: the service does not wait for it (it
            // is abandoned, as one that overruns).
            if !reload_unless(self.service, self.opts, data_only, &|| stop.asked(), out) {
                break;
            }
            let database = &self.service.current().database;
            self.data = if before.database.as_ref() == Some(database) {
                before
            } else {
                DataWatch::now(&self.opts.config, &self.opts.overrides)
            };
        }
        say(out, "stopped".into());
    }

    /// Evaluates every customer of the version in force if not done yet (at start, after a
    /// reload), as `run` would, and says which the rules fail for. It gives way, between
    /// customers, to a stop and to a rule edit (reloaded first; the new version is checked
    /// after).
    fn census(&mut self, stop: &StopAsked, out: &mut (dyn Write + Send)) {
        let version = self.service.current();
        if version.checked.load(Ordering::Acquire) {
            return;
        }
        let watcher = std::cell::RefCell::new(&mut self.watcher);
        let edited = std::cell::RefCell::new(None);
        let watch_errors = std::cell::RefCell::new(Vec::new());
        let interrupt = || {
            if !stop.asked() && edited.borrow().is_none() {
                match watcher.borrow_mut().next(Some(Duration::ZERO)) {
                    Some(Change::Files(names)) => {
                        *edited.borrow_mut() = Some(Trigger::Files(names))
                    }
                    Some(Change::Errors(errors)) => watch_errors.borrow_mut().extend(errors),
                    // Quiet; a stopped watcher is said by the next wait for a change.
                    _ => {}
                }
            }
            stop.asked() || edited.borrow().is_some()
        };
        // One customer gets the time of a request at most: slower, it is left unchecked.
        let budget = self.opts.limits.request_timeout.as_millis() as u64;
        let failing = version.census(budget.min(CENSUS_BUDGET_MS), &interrupt);
        for e in watch_errors.into_inner() {
            say(out, format!("watch error: {e}"));
        }
        self.pending = edited.into_inner();
        // Stopped, or an edit came: its version is checked after its reload.
        let Some(failing) = failing else {
            return;
        };
        if let Some(line) = failing.line() {
            say(out, line);
        }
        self.service.checked(version.number, &failing);
        version.checked.store(true, Ordering::Release);
    }

    /// Waits up to one tick for a rule change, then checks the database if it is due;
    /// `Ok(None)`: nothing to reload for yet.
    fn next_trigger(&mut self, out: &mut (dyn Write + Send)) -> Result<Option<Trigger>, Stopped> {
        if let Some(pending) = self.pending.take() {
            return Ok(Some(pending));
        }
        match self.watcher.next(Some(TICK)) {
            None => Err(Stopped),
            Some(Change::Files(names)) => Ok(Some(Trigger::Files(names))),
            Some(Change::Errors(errors)) => {
                for e in errors {
                    say(out, format!("watch error: {e}"));
                }
                Ok(None)
            }
            Some(Change::Quiet) => {
                let due = self
                    .opts
                    .data_check
                    .is_some_and(|every| self.checked.elapsed() >= every);
                if !due {
                    return Ok(None);
                }
                self.checked = Instant::now();
                let today = crate::time::today();
                if self.opts.overrides.as_of.is_none()
                    && self.service.current().context.as_of != today
                {
                    return Ok(Some(Trigger::NewDay(today)));
                }
                let changed = self.data.changed(&self.opts.config, &self.opts.overrides);
                Ok(changed.then_some(Trigger::Data))
            }
        }
    }
}

/// The file watcher stopped.
struct Stopped;

/// How long the check of every customer gives one customer at most (ms).
const CENSUS_BUDGET_MS: u64 = 1_000;

/// Whether `serve` was asked to stop: the channel's message, once taken, is remembered for
/// every later look (the reload loop, the check of every customer, a reload's wait).
struct StopAsked<'r> {
    rx: &'r Receiver<()>,
    seen: std::cell::Cell<bool>,
}

impl<'r> StopAsked<'r> {
    fn new(rx: &'r Receiver<()>) -> Self {
        StopAsked {
            rx,
            seen: std::cell::Cell::new(false),
        }
    }

    fn asked(&self) -> bool {
        if !self.seen.get() && self.rx.try_recv().is_ok() {
            self.seen.set(true);
        }
        self.seen.get()
    }
}

/// Loads, checks and tests the rules again (or, for `data_only`, reads the customers again
/// under the rules in force); swaps the new version in if it is accepted, otherwise records
/// why and keeps the version in force. A reload that panics is refused like a broken edit,
/// and the next change is reloaded as usual.
#[cfg(test)]
pub(super) fn reload_now(
    service: &Service,
    opts: &ServeOptions,
    data_only: bool,
    out: &mut (dyn Write + Send),
) {
    reload_unless(service, opts, data_only, &|| false, out);
}

/// [`reload_now`], unless `stop` asks to stop while it runs: then `false`, and nothing is
/// applied.
fn reload_unless(
    service: &Service,
    opts: &ServeOptions,
    data_only: bool,
    stop: &dyn Fn() -> bool,
    out: &mut (dyn Write + Send),
) -> bool {
    let old = service.current();
    let next = reload::within_unless(opts.limits.reload_timeout, stop, {
        let (old, opts) = (old.clone(), opts.clone());
        // On a pool of one thread of its own, so requests keep the other cores (and an
        // abandoned reload holds no thread the next one needs).
        move || match crate::threads::pool(1, "reload") {
            Ok(pool) => pool.install(|| next_version(&old, &opts, data_only)),
            Err(_) => next_version(&old, &opts, data_only),
        }
    });
    match next {
        Some(next) => {
            apply(service, &old, next, data_only, out);
            true
        }
        None => false,
    }
}

/// The version after `old`, and whether it kept `old`'s rules (only the data was read again).
fn next_version(
    old: &Version,
    opts: &ServeOptions,
    data_only: bool,
) -> Result<(Version, bool), Refusal> {
    let started = Instant::now();
    // Only the data changed: keep the rules in force (a rejected edit on disk must not hold
    // back new data); if the columns changed under them, load everything again.
    let (accepted, same_rules) = match data_only {
        true => match reload::reload_data(
            &opts.config,
            &opts.overrides,
            old.shared_rules(),
            SERVED_ROWS,
        ) {
            Ok(accepted) => (accepted, true),
            Err(_) => (
                reload::load(&opts.config, &opts.overrides, SERVED_ROWS)?,
                false,
            ),
        },
        false => (
            reload::load(&opts.config, &opts.overrides, SERVED_ROWS)?,
            false,
        ),
    };
    let version = Version::new(accepted, old.number + 1, started).map_err(Refusal::Error)?;
    Ok((version, same_rules))
}

/// Puts the next version in force and says so, or says why it was refused and records it:
/// as a rejected edit, or (`data_only`: only the database changed) as a data error.
pub(super) fn apply(
    service: &Service,
    old: &Version,
    next: Result<(Version, bool), Refusal>,
    data_only: bool,
    out: &mut (dyn Write + Send),
) {
    match next {
        Ok((version, same_rules)) => {
            let (fingerprint, customers) = (
                version.rules().fingerprint.clone(),
                thousands(version.customers().len as f64),
            );
            // A config's `period:` changed: every answer's period is another now.
            let (now, was) = (version.context.period, old.context.period);
            let period = match now == was {
                true => String::new(),
                false => format!(", period {} (was {})", now.label(), was.label()),
            };
            let line = if fingerprint == old.rules().fingerprint {
                format!(
                    "reloaded: rules {fingerprint} unchanged{period}, {customers} customers (version {}, {} ms)",
                    version.number,
                    version.took.as_millis()
                )
            } else {
                format!(
                    "applied rules {fingerprint} (were {}): {customers} customers (version {}, {} ms)",
                    old.rules().fingerprint,
                    version.number,
                    version.took.as_millis()
                )
            };
            let mut warnings = match fingerprint == old.rules().fingerprint {
                true => Vec::new(),
                false => version.warnings.clone(),
            };
            // A data reload can fill the gap (the month-end run written) or open one.
            if version.history_notes != old.history_notes {
                let notes = version.history_notes.iter().map(|n| format!("note: {n}"));
                warnings.extend(notes);
            }
            service.swap(old, version, same_rules);
            say(out, line);
            for line in warnings {
                say(out, line);
            }
        }
        Err(refused) if data_only => {
            say(out, refusal::text(&refused));
            use crate::error::Error;
            let what = match &refused {
                Refusal::Error(Error::Output(crate::output::OutputError::DuplicateId(_))) => {
                    "the new data repeats a customer id"
                }
                Refusal::Error(Error::Source(crate::source::SourceError::NoCustomers {
                    ..
                })) => "the new data holds no customer",
                _ => "the customers could not be read again",
            };
            say(out, format!("{what}: kept version {} in force", old.number));
            service.data_failed(old.number, &refused);
        }
        Err(refused) => {
            say(out, refusal::text(&refused));
            say(
                out,
                format!(
                    "kept the last good rules ({}) in force",
                    old.rules().fingerprint
                ),
            );
            service.reject(old.number, &refused);
        }
    }
}

/// Whether the customer database changed since it was looked at.
pub(super) struct DataWatch {
    database: Option<PathBuf>,
    watch: Option<Box<dyn ChangeWatch>>,
}

impl DataWatch {
    /// The database of `config` (with `overrides`) as it is now; never changes if it cannot
    /// be opened (the next reload reports why).
    pub(super) fn now(config: &Path, overrides: &Overrides) -> DataWatch {
        let source = Workspace::new(config, overrides)
            .ok()
            .and_then(|ws| ws.open_source().ok());
        DataWatch {
            database: source.as_ref().map(|s| s.path().to_path_buf()),
            watch: source.map(|s| s.watch_changes()),
        }
    }

    /// Whether it changed; a database that could not be opened when last looked at (moved
    /// away, being restored) has changed when it opens again.
    fn changed(&mut self, config: &Path, overrides: &Overrides) -> bool {
        if let Some(watch) = &self.watch {
            return watch.changed();
        }
        let now = DataWatch::now(config, overrides);
        let back = now.watch.is_some();
        if back {
            *self = now;
        }
        back
    }
}
