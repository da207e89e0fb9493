//! A time budget for each customer's evaluation (`limits.max_eval_ms`), counted in the
//! evaluating thread's CPU time where the system gives it (Linux, macOS): the rules' own
//! work, not the time a loaded machine kept the thread waiting (three concurrent requests
//! on two cores, a `serve` checking every customer beside a batch run). Elsewhere, wall
//! clock.
//!
//! The operation limits stop a runaway loop in one expression, but a rule can stay inside
//! every one of them and still be slow (many expressions near the limit, costly text or list
//! operations). So each worker thread starts a deadline when it begins a customer, and the
//! interpreter checks it as it counts operations; past it, the evaluation stops with an error
//! naming the customer, the rule and the budget. The native fast path needs no check: its
//! compiled expressions have no loops and no recursion (a script function with either is left
//! to the interpreter), so they end in time proportional to their size. So the clock is read
//! only once the interpreter runs for the customer (at its first check, after a few hundred
//! operations): a customer evaluated on the fast path alone never reads it.

use rhai::Dynamic;
use std::cell::Cell;
use std::time::{Duration, Instant};

/// This thread's budget for its current evaluation.
#[derive(Clone, Copy)]
enum Budget {
    None,
    /// `ms` for the evaluation begun; the clock starts at the interpreter's first check.
    Armed(u64),
    /// Ends when the thread's clock ([`clock`]) reaches it; the budget in ms.
    Running(Duration, u64),
}

thread_local! {
    static DEADLINE: Cell<Budget> = const { Cell::new(Budget::None) };
    /// A smaller budget this thread imposes on every evaluation (`serve`'s check of every
    /// customer, which must not spend the rules' whole budget on one slow customer).
    static CAP: Cell<Option<u64>> = const { Cell::new(None) };
}

/// From now on this thread's evaluations get at most `ms` (`None`: the rules' budget).
pub fn cap(ms: Option<u64>) {
    CAP.set(ms);
}

/// How often (in operations) the interpreter looks at the clock: reading it costs about as
/// much as a few operations.
const EVERY: u64 = 256;

/// Starts a budget of `ms` for what this thread evaluates next.
pub fn start(ms: u64) {
    let ms = CAP.get().map_or(ms, |cap| cap.min(ms));
    DEADLINE.set(Budget::Armed(ms));
}

/// How the message of an evaluation the budget stopped begins ([`overrun_message`]).
const OVERRUN: &str = "the evaluation took longer than its time budget";

/// Whether `message` is that of an evaluation the budget stopped.
pub fn is_overrun(message: &str) -> bool {
    message.starts_with(OVERRUN)
}

/// No budget on this thread any more.
pub fn clear() {
    DEADLINE.set(Budget::None);
}

/// For the interpreter's progress callback: the token that stops the evaluation (the budget
/// in ms) once the deadline has passed.
pub(super) fn check(operations: u64) -> Option<Dynamic> {
    if !operations.is_multiple_of(EVERY) {
        return None;
    }
    // Ctrl-C or SIGTERM: a slow customer stops now, not at the end of its budget (a run
    // looks at signals between customers; 128 of them at 0.4 s took a minute to stop).
    if crate::interrupt::requested().is_some() {
        return Some(Dynamic::UNIT);
    }
    match DEADLINE.get() {
        Budget::None => None,
        Budget::Armed(ms) => {
            DEADLINE.set(Budget::Running(clock() + Duration::from_millis(ms), ms));
            None
        }
        Budget::Running(deadline, ms) => {
            (clock() >= deadline).then(|| Dynamic::from(ms as rhai::INT))
        }
    }
}

/// The CPU time this thread has used.
#[cfg(unix)]
fn clock() -> Duration {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime only writes the timespec it is given.
    let read = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    match read {
        0 => Duration::new(now.tv_sec as u64, now.tv_nsec as u32),
        _ => wall_clock(),
    }
}

#[cfg(not(unix))]
fn clock() -> Duration {
    wall_clock()
}

/// Time since the first reading, for systems without a thread clock.
fn wall_clock() -> Duration {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    START.get_or_init(Instant::now).elapsed()
}

/// The message for an evaluation the budget, or a signal, stopped (`token` from `check`).
pub fn overrun_message(token: &Dynamic) -> String {
    let Ok(ms) = token.as_int() else {
        return "the evaluation was stopped: tierwise was asked to stop (Ctrl-C or SIGTERM)".into();
    };
    format!(
        "{OVERRUN} of {ms} ms (`limits.max_eval_ms` in the config): a loop or a script that \
         does too much?"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Waiting (a loaded machine that does not run the thread) does not spend the budget;
    /// working does.
    #[cfg(unix)]
    #[test]
    fn the_budget_counts_the_threads_work_not_its_waiting() {
        start(50);
        assert!(check(EVERY).is_none(), "armed at the first check");
        std::thread::sleep(Duration::from_millis(120));
        assert!(check(EVERY).is_none(), "120 ms asleep spent none of it");
        let begun = Instant::now();
        let mut stopped = None;
        while stopped.is_none() && begun.elapsed() < Duration::from_secs(5) {
            stopped = check(EVERY);
        }
        assert_eq!(stopped.and_then(|t| t.as_int().ok()), Some(50));
        clear();
    }
}
