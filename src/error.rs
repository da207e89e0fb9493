//! The library's top-level error, and how a command ends: [`ExitStatus`].

use crate::cases::CasesError;
use crate::config::ConfigError;
use crate::diag::Diagnostics;
use crate::engine::EvalError;
use crate::output::OutputError;
use crate::source::SourceError;
use crate::source::sample::SampleError;

/// How a command ends: the process's exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// The command did its job and found nothing wrong.
    Success,
    /// The command ran, but the data, an evaluation or a rule test failed.
    Failure,
    /// The command could not do its job: an argument, the config or the rules must be
    /// fixed first.
    Invalid,
    /// A signal stopped the command (128 + SIGINT, as a shell reports Ctrl-C).
    Interrupted,
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Invalid => 2,
            ExitStatus::Interrupted => crate::interrupt::EXIT_CODE,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Rules(#[from] Diagnostics),
    #[error(transparent)]
    Eval(#[from] EvalError),
    /// A run that stopped at a customer a rule failed for (without `--keep-going`): what
    /// it left as it was, and how to see the others (the message named the first only).
    #[error(
        "{0}\n  = note: nothing was written (the earlier runs stand); `run --keep-going` writes the other customers and lists each one a rule fails for, `check --data` counts them"
    )]
    RunStopped(EvalError),
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error(transparent)]
    Sample(#[from] SampleError),
    #[error(transparent)]
    Cases(#[from] CasesError),
    /// A command-line argument that cannot be used as given.
    #[error("{0}")]
    Argument(String),
    /// The rules load, but their tests fail: `watch` and `serve` do not start on them.
    #[error("{0}")]
    TestsFail(String),
    /// A signal (Ctrl-C, SIGTERM) stopped the command; nothing of its run was kept.
    #[error("interrupted by {0}: nothing of this run was written; earlier runs are intact")]
    Interrupted(&'static str),
    /// `run --strict` refused to write: the run's history or data are most likely not what
    /// it should be made on.
    #[error(
        "--strict: nothing was written, because {}; run without --strict to write it anyway (its notes say what each means)",
        strict_reasons(.0)
    )]
    Strict(Vec<String>),
    /// Something the system refused: a port, a file watch, a thread.
    #[error("{what}: {source}")]
    Io {
        what: String,
        source: std::io::Error,
    },
}

/// `(1) ...; (2) ...`, or the one reason alone.
fn strict_reasons(reasons: &[String]) -> String {
    match reasons {
        [one] => one.clone(),
        many => (many.iter().enumerate())
            .map(|(k, r)| format!("({}) {r}", k + 1))
            .collect::<Vec<_>>()
            .join("; "),
    }
}

impl Error {
    /// Errors that carry their own rendering (diagnostics with source lines and carets).
    pub fn rendered(&self, color: bool) -> Option<String> {
        match self {
            Error::Rules(d) => Some(d.render(color)),
            Error::Config(ConfigError::Parse(d)) => Some(d.render(color)),
            _ => None,
        }
    }

    /// The error for programs (`--format json`): what kind of error, its message, the exit
    /// code, and what locates it (the diagnostics of a rule error; the customer, rule and
    /// place of an evaluation error; the causes underneath anything else).
    pub fn to_json(&self) -> serde_json::Value {
        use crate::output::OutputError;
        let kind = match self {
            // What a scheduler retries later, apart from what must be fixed.
            Error::Output(OutputError::Locked(_) | OutputError::ReadLocked(_))
            | Error::Source(crate::source::SourceError::Locked(_)) => "locked",
            Error::Output(OutputError::RunsChanged(_)) => "runs_changed",
            Error::Output(OutputError::RulesChanged { .. }) => "rules_changed",
            // As the customer source's read says it (one database, one condition); a repeated
            // id is the source's to fix, as `/health` says it.
            Error::Output(OutputError::ReadNeedsWrite(_) | OutputError::DuplicateId(_)) => "source",
            Error::Config(_) => "config",
            Error::Rules(_) => "rules",
            Error::Eval(_) | Error::RunStopped(_) => "evaluation",
            Error::Source(_) => "source",
            Error::Output(_) => "output",
            Error::Sample(_) => "sample",
            Error::Cases(_) => "cases",
            Error::Argument(_) => "argument",
            Error::TestsFail(_) => "tests",
            Error::Interrupted(_) => "interrupted",
            Error::Strict(_) => "strict",
            Error::Io { .. } => "io",
        };
        let mut error = serde_json::json!({
            "kind": kind,
            "message": self.to_string(),
            "exit_code": self.exit_status().code(),
        });
        let diagnostics = match self {
            Error::Rules(d) => Some((&d.0[..], "the rule files")),
            Error::Config(ConfigError::Parse(d)) => {
                Some((std::slice::from_ref(&**d), "the config file"))
            }
            _ => None,
        };
        if let Some((diagnostics, place)) = diagnostics {
            error["message"] = crate::diag::summary_line_in(diagnostics, place).into();
            let json: Vec<serde_json::Value> = diagnostics.iter().map(|d| d.to_json()).collect();
            error["diagnostics"] = json.into();
        }
        // The run is the period's official run: not to be run again for its file.
        if let Error::Output(OutputError::FileAfterCommit { run_id, .. }) = self {
            error["written"] = true.into();
            error["run_id"] = (*run_id).into();
        }
        if let Error::Strict(reasons) = self {
            error["reasons"] = reasons.clone().into();
        }
        if let Error::Eval(e) | Error::RunStopped(e) = self {
            error["message"] = e.message.clone().into();
            error["customer"] = e.customer.clone().into();
            error["rule"] = e.rule.clone().into();
            error["rule_id"] = e.rule_id().into();
            error["at"] = e.at.clone().into();
        }
        let causes = self.causes();
        if !causes.is_empty() {
            error["caused_by"] = causes.into();
        }
        serde_json::json!({ "error": error })
    }

    /// What went wrong underneath (an SQLite or I/O message), where the message does not
    /// already say it. SQLite's generic "Error code 1: SQL logic error" adds nothing.
    pub fn causes(&self) -> Vec<String> {
        let message = self.to_string();
        let mut causes = Vec::new();
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            let text = cause.to_string();
            if !message.contains(&text) && !text.starts_with("Error code ") {
                causes.push(text);
            }
            source = cause.source();
        }
        causes
    }

    pub fn exit_status(&self) -> ExitStatus {
        match self {
            // A full disk is no setting to fix: as when a run cannot write its results.
            Error::Io { source, .. }
                if matches!(
                    source.kind(),
                    std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
                ) =>
            {
                ExitStatus::Failure
            }
            Error::Config(_)
            | Error::Rules(_)
            | Error::Argument(_)
            | Error::Cases(_)
            | Error::TestsFail(_)
            | Error::Io { .. } => ExitStatus::Invalid,
            // Pointing at a database, table or column that is not there is a setting to fix.
            Error::Source(e) if e.is_setting() => ExitStatus::Invalid,
            Error::Output(
                crate::output::OutputError::Foreign(_)
                | crate::output::OutputError::ReadOnly(_)
                | crate::output::OutputError::ReadOnlyBeside { .. }
                | crate::output::OutputError::ReadNeedsWrite(_),
            ) => ExitStatus::Invalid,
            Error::Eval(_)
            | Error::RunStopped(_)
            | Error::Source(_)
            | Error::Output(_)
            | Error::Sample(_)
            | Error::Strict(_) => ExitStatus::Failure,
            Error::Interrupted(_) => ExitStatus::Interrupted,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn io(kind: std::io::ErrorKind) -> Error {
        Error::Io {
            what: "cannot write the report to report.html".into(),
            source: kind.into(),
        }
    }

    #[test]
    fn a_full_disk_is_a_failure_and_a_refused_path_a_setting_to_fix() {
        use std::io::ErrorKind::*;
        assert_eq!(io(StorageFull).exit_status(), ExitStatus::Failure);
        assert_eq!(io(QuotaExceeded).exit_status(), ExitStatus::Failure);
        assert_eq!(io(NotFound).exit_status(), ExitStatus::Invalid);
        assert_eq!(io(PermissionDenied).exit_status(), ExitStatus::Invalid);
        assert_eq!(io(AddrInUse).exit_status(), ExitStatus::Invalid);
    }
}
