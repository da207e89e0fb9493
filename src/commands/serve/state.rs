//! What requests are answered from: each accepted rule set, bound to the customers it was
//! loaded with and their population figures, is one immutable [`Version`]; the [`Service`]
//! holds the one in force behind an `ArcSwap`, and the last edit it refused.
//!
//! A request takes the version in force once and is answered entirely by it; a reload builds
//! the next version beside it and swaps it in whole.

use crate::config::OutputTables;
use crate::engine::{Context, Evaluator, History, Mode};
use crate::error::Error;
use crate::report::refusal;
use crate::rules::RuleSet;
use crate::source::{Dataset, Field, folded_id};
use crate::workspace::reload::{Accepted, Refusal};
use arc_swap::ArcSwap;
use serde_json::{Value as Json, json};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, Instant, SystemTime};

/// The rule set and the customers it was loaded with, owned together.
struct Loaded {
    rules: Arc<RuleSet>,
    customers: Dataset,
    history: History,
}

self_cell::self_cell!(
    /// The rules bound to their customers: the evaluator (with the population figures)
    /// borrows both.
    struct Bound {
        owner: Loaded,
        #[covariant]
        dependent: Evaluator,
    }
);

/// One accepted rule set with its customers: what every request is answered from.
pub struct Version {
    bound: Bound,
    /// Counts the versions this process has served, from 1.
    pub(super) number: u64,
    pub(super) loaded_at: String,
    /// Customer id -> row.
    ids: HashMap<Box<str>, usize>,
    /// Each id trimmed and in lower case -> the first row with it, for "did you mean" on an
    /// unknown id; built on the first unknown id (a scan of every id for each 404 cost 13 ms
    /// at 400,000 customers, and clients asking for unknown ids slowed every answer).
    folded_ids: OnceLock<HashMap<String, usize>>,
    /// The customer source's columns (a prospect's fields are stored as they would be).
    pub(super) columns: Vec<Field>,
    pub(super) id_column: String,
    pub(super) rules_dir: PathBuf,
    pub(super) database: PathBuf,
    /// How long loading, checking, testing and reading the customers took.
    pub(super) took: Duration,
    /// The date the version evaluates as of, and its period.
    pub(super) context: Context,
    /// For `GET /report`: how money is labelled, and the run tables (the previous
    /// period's tiers).
    pub(super) currency: Option<String>,
    pub(super) tables: OutputTables,
    /// The report's page, built on the first `GET /report` that succeeds (a version's rules,
    /// customers and history never change: a new run or rule edit is a new version). A
    /// failure is not kept: it may be the time budget of a loaded machine.
    pub(super) report: OnceLock<Arc<str>>,
    /// Whether the reload thread has evaluated every customer since the version came into
    /// force (what it found is the service's: [`Service::last_failing`]).
    pub(super) checked: AtomicBool,
    /// What `check` warns of in the rules (load warnings and lints), a line each, said
    /// when they come into force.
    pub(super) warnings: Vec<String>,
    /// What `run` would note of the history these answers read (a previous period with no
    /// run: `previous.x` NULL for everyone, a dunning level reset): said at load, in
    /// `/health` and in `/report`, so a program can tell.
    pub(super) history_notes: Vec<String>,
}

/// The customers a version's rules fail for: how many, and the first errors as examples.
#[derive(Debug, Default)]
pub(super) struct Failing {
    /// How many (each customer is evaluated once: ids are unique in a version).
    pub(super) count: usize,
    pub(super) examples: Vec<crate::engine::EvalError>,
    /// Customers that took longer than the check's budget: not known to fail.
    pub(super) unchecked: usize,
}

impl Failing {
    const EXAMPLES: usize = 5;

    fn add(&mut self, e: crate::engine::EvalError) {
        self.count += 1;
        if self.examples.len() < Self::EXAMPLES {
            self.examples.push(e);
        }
    }

    /// The line `serve` prints when a version's rules fail for some customers.
    pub(super) fn line(&self) -> Option<String> {
        let first = self.examples.first()?;
        let n = self.count;
        Some(format!(
            "warning: {} cannot be evaluated (e.g. customer {}: {} failed: {}): their requests answer 422, `tierwise run` would stop on them (`--keep-going` leaves them out), and /health says degraded",
            crate::text::customers(n),
            first.customer,
            first.rule,
            first.message
        ))
    }

    /// What `/health` says: how many, and the first errors.
    pub(super) fn to_json(&self) -> Option<Json> {
        if self.count == 0 && self.unchecked == 0 {
            return None;
        }
        let examples: Vec<Json> = (self.examples.iter())
            .map(|e| json!({"customer": e.customer, "rule": e.rule, "rule_id": e.rule_id(), "message": e.message, "at": e.at}))
            .collect();
        Some(json!({"count": self.count, "examples": examples, "unchecked": self.unchecked}))
    }
}

impl Version {
    /// Binds the accepted rules to their customers (computing the population figures);
    /// `started` is when loading began.
    pub(super) fn new(accepted: Accepted, number: u64, started: Instant) -> Result<Version, Error> {
        let Accepted {
            workspace,
            rules,
            customers,
            history,
            columns,
            warnings,
        } = accepted;
        // What `run` refuses (an import that empties the table first, then fills it).
        if customers.len == 0 {
            return Err(workspace.no_customers("nothing to serve from it"));
        }
        let mut ids = HashMap::with_capacity(customers.len);
        for i in 0..customers.len {
            // A repeated id is refused, as `run` refuses it: it counts twice in the
            // population figures, and a lookup could answer for either row.
            let id = customers.id_text(i);
            if ids.insert(id.clone().into_boxed_str(), i).is_some() {
                return Err(crate::output::OutputError::DuplicateId(id).into());
            }
        }
        let context = workspace.context;
        let version_context = context;
        let history_notes = {
            let mut source = workspace.open_source()?;
            workspace.history_concerns(source.connection(), &rules, &customers, &history)?
        };
        let warnings = crate::commands::check_warning_lines(&rules, &warnings, context.as_of);
        let loaded = Loaded {
            rules,
            customers,
            history,
        };
        let bound = Bound::try_new(loaded, |l| {
            Evaluator::with_history(&l.rules, &l.customers, context, &l.history, Mode::Fast)
        })?;
        Ok(Version {
            checked: AtomicBool::new(false),
            bound,
            number,
            loaded_at: timestamp(),
            ids,
            folded_ids: OnceLock::new(),
            columns,
            id_column: workspace.config.id_column,
            rules_dir: workspace.rules_dir,
            database: workspace.database,
            took: started.elapsed(),
            context: version_context,
            currency: workspace.config.currency,
            tables: workspace.config.tables,
            report: OnceLock::new(),
            warnings,
            history_notes,
        })
    }

    /// Evaluates every customer, as `run` would, to know those the rules fail for, on a pool
    /// of one thread (requests keep the other cores); each customer within `budget_ms` at
    /// most (one slower is left unchecked, not counted as failing: its requests have their
    /// own deadline). `None` when `interrupt` says to stop, asked between customers.
    pub(super) fn census(&self, budget_ms: u64, interrupt: &dyn Fn() -> bool) -> Option<Failing> {
        // Parts grow while they are quick and start again at one customer after a slow one,
        // so a stop or an edit is looked at every few tenths of a second whatever the rules.
        const MOST: usize = 256;
        let mut failing = Failing::default();
        let len = self.customers().len;
        let (mut start, mut part) = (0, 1);
        while start < len {
            if interrupt() {
                return None;
            }
            let end = (start + part).min(len);
            let began = Instant::now();
            let found = on_check_pool(|| {
                // Reset however the part ends, so the thread's later evaluations get the
                // rules' own budget.
                struct Uncap;
                impl Drop for Uncap {
                    fn drop(&mut self) {
                        crate::script::budget::cap(None);
                    }
                }
                let _uncap = Uncap;
                crate::script::budget::cap(Some(budget_ms));
                // A panic is one part left unchecked, not the service stopped.
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    self.evaluator().evaluate_keep_going(start..end).2
                }))
                .ok()
            });
            match found {
                Some(errors) => {
                    for e in errors {
                        match crate::script::budget::is_overrun(&e.message) {
                            true => failing.unchecked += 1,
                            false => failing.add(e),
                        }
                    }
                }
                None => failing.unchecked += end - start,
            }
            part = match began.elapsed() {
                t if t > Duration::from_millis(100) => 1,
                t if t < Duration::from_millis(20) => (part * 2).min(MOST),
                _ => part,
            };
            start = end;
        }
        Some(failing)
    }

    pub(super) fn rules(&self) -> &RuleSet {
        &self.bound.borrow_owner().rules
    }

    /// The rules, shared (a reload of the data alone keeps them).
    pub(super) fn shared_rules(&self) -> &Arc<RuleSet> {
        &self.bound.borrow_owner().rules
    }

    pub(super) fn customers(&self) -> &Dataset {
        &self.bound.borrow_owner().customers
    }

    /// The earlier periods the rules read, as loaded with this version.
    pub(super) fn history(&self) -> &History {
        &self.bound.borrow_owner().history
    }

    pub(super) fn evaluator(&self) -> &Evaluator<'_> {
        self.bound.borrow_dependent()
    }

    /// The row of the customer with this id.
    pub(super) fn row(&self, id: &str) -> Option<usize> {
        self.ids.get(id).copied()
    }

    /// The id of the customer whose id differs from `id` only in case or surrounding blanks.
    pub(super) fn id_like(&self, id: &str) -> Option<String> {
        let folded = self.folded_ids.get_or_init(|| {
            let mut folded = HashMap::with_capacity(self.ids.len());
            let customers = self.customers();
            for i in 0..customers.len {
                folded.entry(folded_id(&customers.id_text(i))).or_insert(i);
            }
            folded
        });
        let row = *folded.get(&folded_id(id))?;
        Some(self.customers().id_text(row))
    }

    /// What every answer from this version says of the rules that gave it.
    pub(super) fn stamp(&self) -> Stamp {
        Stamp {
            fingerprint: self.rules().fingerprint.clone(),
            version: self.number,
            as_of: self.context.as_of.to_string(),
            period: self.context.period.label(),
        }
    }
}

/// The rules an answer came from (their fingerprint and the version's number) and the date
/// it is as of (its period): what a program needs to know which answer it holds.
#[derive(Debug, Clone)]
pub struct Stamp {
    fingerprint: String,
    version: u64,
    as_of: String,
    period: &'static str,
}

impl Stamp {
    /// Adds `"fingerprint"`, `"version"`, `"as_of"` and `"period"` at the end of a JSON
    /// object.
    pub(super) fn add_to(&self, body: &mut serde_json::Map<String, Json>) {
        body.insert("fingerprint".into(), self.fingerprint.clone().into());
        body.insert("version".into(), self.version.into());
        body.insert("as_of".into(), self.as_of.clone().into());
        body.insert("period".into(), self.period.into());
    }
}

/// A rule edit that was not accepted.
struct Rejection {
    at: String,
    /// The version in force when it was refused (it stayed in force).
    kept: u64,
    refusal: Json,
}

/// The version in force, the last refused edit and the standing data error, shared by the
/// handlers and the reloader.
pub struct Service {
    current: ArcSwap<Version>,
    last_rejected: Mutex<Option<Rejection>>,
    /// Why the customers could not be read again after the database changed
    /// (`{"at", "kept_version", "refusal"}`), until a later read succeeds.
    data_error: Mutex<Option<Json>>,
    /// The customers the rules failed for, as the last check of every customer found them:
    /// the version it checked and `/health`'s `customers_failing` (kept while the check of
    /// a newer version runs, so a monitor does not see them vanish at each reload).
    checked: Mutex<Option<(u64, Option<Json>)>>,
}

impl Service {
    pub(super) fn new(first: Version) -> Service {
        Service {
            current: ArcSwap::from_pointee(first),
            last_rejected: Mutex::new(None),
            data_error: Mutex::new(None),
            checked: Mutex::new(None),
        }
    }

    /// Records the check of every customer of version `number`.
    pub(super) fn checked(&self, number: u64, failing: &Failing) {
        *lock(&self.checked) = Some((number, failing.to_json()));
    }

    /// The last check's failures (`None`: none checked yet, or none failed), with the
    /// version it checked.
    pub(super) fn last_failing(&self) -> Option<Json> {
        let (number, failing) = lock(&self.checked).clone()?;
        let mut failing = failing?;
        failing["version"] = number.into();
        Some(failing)
    }

    /// The version in force, for as long as the caller holds it.
    pub(super) fn current(&self) -> Arc<Version> {
        self.current.load_full()
    }

    /// Puts `next` in force. When only the data was reloaded (`same_rules`), a rejected edit
    /// that stood against the old version still stands against the new one: it is still on
    /// disk. New rules put in force end it: it is no longer what stands (the log keeps it).
    pub(super) fn swap(&self, old: &Version, next: Version, same_rules: bool) {
        let mut rejected = self.rejected();
        match rejected.as_mut() {
            Some(r) if same_rules && r.kept == old.number => r.kept = next.number,
            Some(_) if !same_rules => *rejected = None,
            _ => {}
        }
        drop(rejected);
        // The customers were read: a data error no longer stands.
        *lock(&self.data_error) = None;
        self.current.store(Arc::new(next));
    }

    /// Records why the customers could not be read again after the database changed, while
    /// `kept` stayed in force.
    pub(super) fn data_failed(&self, kept: u64, why: &Refusal) {
        *lock(&self.data_error) = Some(json!({
            "at": timestamp(),
            "kept_version": kept,
            "refusal": refusal::json(why),
        }));
    }

    /// The standing data error, if any.
    pub(super) fn last_data_error(&self) -> Option<Json> {
        lock(&self.data_error).clone()
    }

    /// Records why an edit was refused while `kept` stayed in force.
    pub(super) fn reject(&self, kept: u64, why: &Refusal) {
        *self.rejected() = Some(Rejection {
            at: timestamp(),
            kept,
            refusal: refusal::json(why),
        });
    }

    /// The last refused edit (`{"at", "kept_version", "refusal"}`), and whether it still
    /// stands: the rules on disk are not those of `version`.
    pub(super) fn last_rejected(&self, version: &Version) -> (Option<Json>, bool) {
        let last = self.rejected();
        let body = last.as_ref().map(|r| {
            json!({
                "at": r.at,
                "kept_version": r.kept,
                "refusal": r.refusal,
            })
        });
        let pending = last.as_ref().is_some_and(|r| r.kept == version.number);
        (body, pending)
    }

    /// The record of the last refusal. A panic elsewhere while it was held does not stop
    /// refusals from being recorded: the record is replaced whole, never left half-written.
    fn rejected(&self) -> MutexGuard<'_, Option<Rejection>> {
        lock(&self.last_rejected)
    }
}

/// A record's lock; a panic elsewhere while it was held leaves it whole (records are
/// replaced whole, never left half-written).
fn lock<T>(record: &Mutex<T>) -> MutexGuard<'_, T> {
    record.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Now, as `2026-11-24T09:41:07.123Z`.
pub(super) fn timestamp() -> String {
    humantime::format_rfc3339_millis(SystemTime::now()).to_string()
}

/// Runs `f` on the pool of one thread the check of every customer uses.
fn on_check_pool<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();
    match POOL.get_or_init(|| crate::threads::pool(1, "check").ok()) {
        Some(pool) => pool.install(f),
        None => f(),
    }
}
