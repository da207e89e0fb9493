//! A wall-clock budget for each customer's evaluation (`limits.max_eval_ms`).
//!
//! The operation limits stop a runaway loop in one expression, but a rule can stay inside
//! every one of them and still be slow (many expressions near the limit, costly text or list
//! operations). So each worker thread starts a deadline when it begins a customer, and the
//! interpreter checks it as it counts operations; past it, the evaluation stops with an error
//! naming the customer, the rule and the budget. The native fast path needs no check: its
//! compiled expressions have no loops and no recursion (a script function with either is left
//! to the interpreter), so they end in time proportional to their size.

use rhai::Dynamic;
use std::cell::Cell;
use std::time::{Duration, Instant};

thread_local! {
    /// When this thread's current evaluation must end, and its budget in ms.
    static DEADLINE: Cell<Option<(Instant, u64)>> = const { Cell::new(None) };
}

/// How often (in operations) the interpreter looks at the clock: reading it costs about as
/// much as a few operations.
const EVERY: u64 = 256;

/// Starts a budget of `ms` for what this thread evaluates next.
pub fn start(ms: u64) {
    DEADLINE.set(Some((Instant::now() + Duration::from_millis(ms), ms)));
}

/// No budget on this thread any more.
pub fn clear() {
    DEADLINE.set(None);
}

/// For the interpreter's progress callback: the token that stops the evaluation (the budget
/// in ms) once the deadline has passed.
pub(super) fn check(operations: u64) -> Option<Dynamic> {
    if !operations.is_multiple_of(EVERY) {
        return None;
    }
    let (deadline, ms) = DEADLINE.get()?;
    (Instant::now() >= deadline).then(|| Dynamic::from(ms as rhai::INT))
}

/// The message for an evaluation the budget stopped (`token` from [`check`]).
pub fn overrun_message(token: &Dynamic) -> String {
    let ms = token.as_int().unwrap_or_default();
    format!(
        "the evaluation took longer than its time budget of {ms} ms (`limits.max_eval_ms` in the \
         config): a loop or a script that does too much?"
    )
}
