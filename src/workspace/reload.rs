//! Loading a new rule set for `watch` and `serve`: it is accepted only when it loads, checks
//! and passes its tests, and then comes with the customers it reads; otherwise the refusal
//! says why, and the rules in force stay.
//!
//! A reload that panics (a bug in the loader or the engine) is refused like any other:
//! [`guarded`] turns the panic into a refusal, so the rules in force stay and the next save
//! is reloaded, instead of the reloads stopping for good while the process keeps running.

use super::{Overrides, Workspace};
use crate::cases::{self, TestReport};
use crate::diag::Diagnostics;
use crate::engine::History;
use crate::error::Error;
use crate::rules::RuleSet;
use crate::source::{CustomerSource, Dataset, Field, SourceError, SqliteSource};
use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::Arc;

/// A rule set that loaded, checked and passed its tests, with the customers it reads.
pub struct Accepted {
    pub workspace: Workspace,
    pub rules: Arc<RuleSet>,
    pub customers: Dataset,
    /// The earlier periods the rules read, read with the customers.
    pub history: History,
    /// The customer source's columns (to store given values as the source would).
    pub columns: Vec<Field>,
    /// The load's warnings (what `check` says before its lints); none when only the data
    /// was read again.
    pub warnings: Vec<crate::diag::Diagnostic>,
}

/// Why a new rule set was not accepted.
#[derive(Debug)]
pub enum Refusal {
    /// The rule files have errors.
    Rules(Diagnostics),
    /// The rules load but some of their tests fail.
    Tests(TestReport),
    /// The configuration or the customer database.
    Error(Error),
}

impl<E: Into<Error>> From<E> for Refusal {
    fn from(e: E) -> Self {
        match e.into() {
            Error::Rules(d) => Refusal::Rules(d),
            e => Refusal::Error(e),
        }
    }
}

/// How the customers are read: as `run` reads them, or as `run --keep-going` does (a row
/// holding a value its column cannot is marked, and fails when it is evaluated, naming the
/// column: `serve` answers it 422 and every other customer from the data as it is now).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rows {
    AllReadable,
    LeavingOutUnreadable,
}

/// Loads the config, the rules and the customers; the rules count only when they have no
/// errors and every test in `<rules>/tests/` passes.
pub fn load(config: &Path, overrides: &Overrides, rows: Rows) -> Result<Accepted, Refusal> {
    load_with(config, overrides, true, rows)
}

/// As [`load`], without running the rule tests: what an edit the tests reject would do
/// (`watch` shows it, marked as not applied). Never put such rules in force.
pub fn load_untested(config: &Path, overrides: &Overrides) -> Result<Accepted, Refusal> {
    load_with(config, overrides, false, Rows::AllReadable)
}

fn load_with(
    config: &Path,
    overrides: &Overrides,
    tests: bool,
    rows: Rows,
) -> Result<Accepted, Refusal> {
    let workspace = Workspace::new(config, overrides)?;
    let mut source = workspace.open_source()?;
    let columns = source.columns()?;
    let (rules, warnings) = load_complete(&workspace, &source)?;
    let tests_dir = workspace.rules_dir.join("tests");
    if tests && tests_dir.is_dir() {
        let report = cases::run(
            &rules,
            &columns,
            &workspace.config.id_column,
            &tests_dir,
            None,
            workspace.context,
        );
        match report {
            // An empty tests folder holds no test to fail: `serve` refused to start on one.
            Err(cases::CasesError::NoFiles(_)) => {}
            Err(e) => return Err(e.into()),
            Ok(report) if !report.all_pass() => return Err(Refusal::Tests(report)),
            Ok(_) => {}
        }
    }
    let keep_going = rows == Rows::LeavingOutUnreadable;
    let customers = workspace.read_customers(&source, &rules, keep_going, &mut |_| {})?;
    let history = workspace.history(source.connection(), &rules)?;
    Ok(Accepted {
        workspace,
        rules: Arc::new(rules),
        customers,
        history,
        columns,
        warnings,
    })
}

/// How many times a reload reads the rules again when they changed while it read them.
const READS: usize = 5;

/// The rules as saved: read again while a file changed during the reading (an editor that
/// writes a file in several steps, a copy in progress), so a half-written file is never
/// loaded, nor reported as an error, as long as its writer finishes within a few reads.
fn load_complete(
    workspace: &Workspace,
    source: &SqliteSource,
) -> Result<(RuleSet, Vec<crate::diag::Diagnostic>), Refusal> {
    let loaded = read_until_stable(&workspace.rules_dir, || workspace.load_rules(source))?;
    Ok((loaded.rules, loaded.warnings))
}

/// What `read` gives once the directory did not change while it ran (or after [`READS`]
/// reads, the last one).
fn read_until_stable<T>(dir: &Path, mut read: impl FnMut() -> T) -> T {
    let mut reads = 0;
    loop {
        let before = stamp(dir);
        let read = read();
        reads += 1;
        if reads == READS || stamp(dir) == before {
            return read;
        }
        tracing::info!("a rule file changed while it was read: reading the rules again");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// The rule files as they are on disk now: names, sizes and modification times.
fn stamp(dir: &Path) -> Vec<(std::path::PathBuf, u64, Option<std::time::SystemTime>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| {
            let meta = entry.metadata().ok();
            let len = meta.as_ref().map_or(0, |m| m.len());
            (entry.path(), len, meta.and_then(|m| m.modified().ok()))
        })
        .collect();
    files.sort();
    files
}

/// Reads the customers again for rules already accepted (the database changed, the rules
/// did not): fails if the customer source's columns are no longer the ones the rules were
/// loaded with.
pub fn reload_data(
    config: &Path,
    overrides: &Overrides,
    rules: &Arc<RuleSet>,
    rows: Rows,
) -> Result<Accepted, Refusal> {
    let workspace = Workspace::new(config, overrides)?;
    let mut source = workspace.open_source()?;
    let columns = source.columns()?;
    let same = columns.len() == rules.field_count
        && columns
            .iter()
            .zip(&rules.slots)
            .all(|(f, (name, _))| f.name == *name);
    if !same {
        return Err(SourceError::ColumnsChanged.into());
    }
    let keep_going = rows == Rows::LeavingOutUnreadable;
    let customers = workspace.read_customers(&source, rules, keep_going, &mut |_| {})?;
    let history = workspace.history(source.connection(), rules)?;
    Ok(Accepted {
        workspace,
        rules: rules.clone(),
        customers,
        history,
        columns,
        warnings: Vec::new(),
    })
}

/// Runs one reload attempt; if it panics, the panic is a refusal (an error naming the panic's
/// message) instead of the end of the thread that reloads.
///
/// The attempt builds a new rule set beside the one in force and shares nothing until it
/// returns, so whatever it leaves half-built when it panics is dropped unseen: that is why it
/// may be asserted unwind-safe. (The panic message is also printed on stderr by the panic
/// hook, with where it happened. This needs `panic = "unwind"`, Rust's default.)
pub fn guarded<T>(attempt: impl FnOnce() -> Result<T, Refusal>) -> Result<T, Refusal> {
    catch_unwind(AssertUnwindSafe(attempt)).unwrap_or_else(|panic| {
        Err(Refusal::Error(Error::Io {
            what: "the reload panicked".into(),
            source: std::io::Error::other(panic_message(panic.as_ref())),
        }))
    })
}

/// What a panic said (`panic!` gives a `&str` or a `String`).
pub fn panic_message(panic: &(dyn Any + Send)) -> String {
    match (panic.downcast_ref::<&str>(), panic.downcast_ref::<String>()) {
        (Some(s), _) => (*s).to_owned(),
        (None, Some(s)) => s.clone(),
        (None, None) => "a panic without a message".into(),
    }
}

/// Runs `attempt` (guarded against panics) on a thread of its own and waits at most
/// `timeout` for it: a reload that takes longer is abandoned (its thread finishes in the
/// background, bounded by the evaluation budgets, and its result is dropped) and refused,
/// so an edit saved meanwhile is not held up behind it.
pub fn within<T: Send + 'static>(
    timeout: std::time::Duration,
    attempt: impl FnOnce() -> Result<T, Refusal> + Send + 'static,
) -> Result<T, Refusal> {
    // Never asked to stop, it always gives a result.
    within_unless(timeout, &|| false, attempt)
        .unwrap_or_else(|| Err(Refusal::Error(Error::Interrupted("a stop"))))
}

/// As [`within`], looking at `stop` as it waits: `None` when it asks to stop (the reload is
/// abandoned as one that overruns: a service asked to stop does not wait for it).
pub fn within_unless<T: Send + 'static>(
    timeout: std::time::Duration,
    stop: &dyn Fn() -> bool,
    attempt: impl FnOnce() -> Result<T, Refusal> + Send + 'static,
) -> Option<Result<T, Refusal>> {
    let (tx, rx) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("reload".into())
        .stack_size(crate::threads::STACK)
        .spawn(move || {
            let _ = tx.send(guarded(attempt));
        });
    if let Err(e) = spawned {
        return Some(Err(Refusal::Error(Error::Io {
            what: "cannot start the reload".into(),
            source: e,
        })));
    }
    let deadline = std::time::Instant::now() + timeout;
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match rx.recv_timeout(left.min(std::time::Duration::from_millis(100))) {
            Ok(result) => return Some(result),
            // Not expected (`guarded` always sends), but never a busy wait.
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                return Some(Err(Refusal::Error(Error::Io {
                    what: "the reload ended without a result".into(),
                    source: std::io::Error::other("its thread stopped"),
                })));
            }
            Err(_) if stop() => return None,
            Err(_) if left.is_zero() => break,
            Err(_) => {}
        }
    }
    Some(Err(Refusal::Error(Error::Io {
        what: format!(
            "the reload took longer than {} ms and was abandoned (a slow rule or rule test? \
             `--reload-timeout-ms`)",
            timeout.as_millis()
        ),
        source: std::io::Error::from(std::io::ErrorKind::TimedOut),
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The error an attempt was refused with, as its message.
    fn refused<T>(result: Result<T, Refusal>) -> String {
        match result {
            Err(Refusal::Error(e)) => e.to_string(),
            Err(other) => panic!("refused as {other:?}"),
            Ok(_) => panic!("accepted"),
        }
    }

    #[test]
    fn a_save_in_progress_changes_the_stamp_even_at_the_same_size() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("tiers.yaml");
        std::fs::write(&file, "decisions: []\n").unwrap();
        let before = stamp(dir.path());
        assert_eq!(before, stamp(dir.path()));
        // The writer puts the same number of bytes back a moment later.
        std::fs::write(&file, "decisions: {}\n").unwrap();
        std::fs::File::options()
            .write(true)
            .open(&file)
            .unwrap()
            .set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(5))
            .unwrap();
        assert_ne!(before, stamp(dir.path()));
        std::fs::write(dir.path().join("more.yaml"), "").unwrap();
        assert_eq!(stamp(dir.path()).len(), 2);
        // Spreadsheets too: a workbook Excel is still writing.
        let before = stamp(dir.path());
        std::fs::write(dir.path().join("pricing.xlsx"), b"PK\x03\x04").unwrap();
        assert_ne!(before, stamp(dir.path()));
    }

    /// A save that completes while the rules are read (the reader saw half of it) is read
    /// again, and the complete file is what counts; a directory that never settles is read
    /// `READS` times and the last read counts.
    #[test]
    fn a_save_completed_during_the_read_is_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("tiers.yaml");
        std::fs::write(&file, "decisions:\n  - name: ti").unwrap();
        let mut reads = 0;
        let text = read_until_stable(dir.path(), || {
            let seen = std::fs::read_to_string(&file).unwrap();
            reads += 1;
            if reads == 1 {
                // The editor finishes writing just after this read.
                std::fs::write(&file, "decisions:\n  - name: tier\n").unwrap();
            }
            seen
        });
        assert_eq!(reads, 2);
        assert_eq!(text, "decisions:\n  - name: tier\n");
        let mut reads = 0;
        read_until_stable(dir.path(), || {
            reads += 1;
            std::fs::write(&file, "x".repeat(reads)).unwrap();
        });
        assert_eq!(reads, READS);
    }

    #[test]
    fn a_panicking_reload_is_refused_with_its_message() {
        let result: Result<(), Refusal> = guarded(|| panic!("index out of bounds: 7"));
        assert_eq!(
            refused(result),
            "the reload panicked: index out of bounds: 7"
        );
        // A formatted message (a `String` payload) as well.
        let n = 3;
        assert_eq!(
            refused(guarded::<()>(|| panic!("{n} rules"))),
            "the reload panicked: 3 rules"
        );
    }

    #[test]
    fn a_panic_without_a_message_is_named_as_such() {
        assert_eq!(
            refused(guarded::<()>(|| std::panic::panic_any(42))),
            "the reload panicked: a panic without a message"
        );
    }

    #[test]
    fn a_reload_that_does_not_panic_is_returned_as_it_is() {
        assert_eq!(guarded(|| Ok(5)).ok(), Some(5));
        let result = guarded::<()>(|| Err(Refusal::Error(Error::Argument("no".into()))));
        assert_eq!(refused(result), "no");
    }

    #[test]
    fn after_a_panic_the_next_attempt_counts() {
        let attempts: Vec<Result<i32, Refusal>> = (0..3)
            .map(|k| {
                guarded(|| {
                    if k == 1 {
                        panic!("attempt {k}");
                    }
                    Ok(k)
                })
            })
            .collect();
        assert!(matches!(attempts[0], Ok(0)));
        assert!(matches!(attempts[1], Err(Refusal::Error(_))));
        assert!(matches!(attempts[2], Ok(2)));
    }
}
