//! Which lints each command shows: `check` all of them; a run, `serve` and `watch` those
//! that may mean a wrong result, without what a load-time warning already said.

use crate::diag::Diagnostic;

/// `lints` without those that repeat a load-time warning (`warnings`) about the same row at
/// the same line: `segment == "Exit"` is "output `segment` is never "Exit"" there, and
/// TW102's "can never match" would say it again.
pub fn without_repeats(mut lints: Vec<Diagnostic>, warnings: &[Diagnostic]) -> Vec<Diagnostic> {
    lints.retain(|l| {
        !warnings.iter().any(|w| {
            w.code.is_none()
                && w.rule.is_some()
                && w.rule == l.rule
                && w.file == l.file
                && w.line == l.line
        })
    });
    lints
}

/// What a run, `serve` or `watch` says of `lints`: not housekeeping (`TW108`: a row kept
/// for the runs of earlier dates is no mistake in this one; `check` says it).
pub fn for_runs(mut lints: Vec<Diagnostic>) -> Vec<Diagnostic> {
    lints.retain(|l| l.code != Some(super::expired_row::LINT.code));
    lints
}
