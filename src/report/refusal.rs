//! Why `watch` and `serve` did not accept an edit, for people and for programs.

use crate::diag::Diagnostic;
use crate::workspace::reload::Refusal;

/// The diagnostics with their source lines, the failing tests, or the error.
pub fn text(refusal: &Refusal) -> String {
    match refusal {
        Refusal::Rules(d) => d.render(false),
        Refusal::Tests(report) => super::cases::failures(report),
        // A config that does not parse is a diagnostic, already rendered as `error: ...`.
        Refusal::Error(e) => e.rendered(false).unwrap_or_else(|| format!("error: {e}")),
    }
}

/// What kind of problem, the text, and each diagnostic with its position.
pub fn json(refusal: &Refusal) -> serde_json::Value {
    let (kind, diagnostics): (serde_json::Value, Vec<serde_json::Value>) = match refusal {
        Refusal::Rules(d) => (
            "rules".into(),
            d.0.iter().map(Diagnostic::to_json).collect(),
        ),
        Refusal::Tests(_) => ("tests".into(), Vec::new()),
        // A reload that panicked or overran (`io`): no kind a monitor acts on.
        Refusal::Error(crate::error::Error::Io { .. }) => ("error".into(), Vec::new()),
        // As `--format json` names it: `source` for a bad value or a repeated id in the
        // data, `evaluation`, `config`, ... (all were `error`).
        Refusal::Error(e) => (e.to_json()["error"]["kind"].clone(), Vec::new()),
    };
    serde_json::json!({
        "kind": kind,
        "message": text(refusal),
        "failed_tests": match refusal { Refusal::Tests(r) => Some(r.failed()), _ => None },
        "not_evaluated_tests": match refusal { Refusal::Tests(r) => Some(r.not_evaluated()), _ => None },
        "diagnostics": diagnostics,
    })
}

/// The error a command that cannot start on `refusal` reports.
pub fn into_error(refusal: Refusal) -> crate::error::Error {
    match refusal {
        Refusal::Rules(d) => d.into(),
        Refusal::Tests(report) => crate::error::Error::TestsFail(super::cases::failures(&report)),
        Refusal::Error(e) => e,
    }
}
