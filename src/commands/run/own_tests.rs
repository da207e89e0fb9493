//! The rules' own tests (`<rules>/tests/`), run before a run writes: official results from
//! rules their tests reject were recorded without a word, exit 0, `--strict` included,
//! where `serve` and `watch` refuse such rules.

use crate::cases;
use crate::error::Error;
use crate::workspace::Workspace;

/// Why the rule tests reject these rules (how many cases fail or cannot be evaluated, and
/// the first), or `None`: they pass, or there are none.
pub(super) fn rejected(
    ws: &Workspace,
    rules: &crate::rules::RuleSet,
    columns: &[crate::source::Field],
) -> Result<Option<String>, Error> {
    let dir = ws.rules_dir.join("tests");
    if !dir.is_dir() {
        return Ok(None);
    }
    // As `tierwise test` runs them (the cases that give no date, as of today): the run's
    // own date would fail a backfill on cases written for today.
    let today = crate::engine::Context::new(crate::time::today(), ws.context.period.kind);
    let report = match cases::run(rules, columns, &ws.config.id_column, &dir, None, today) {
        Err(cases::CasesError::NoFiles(_)) => return Ok(None),
        // A test file that does not load is `tierwise test`'s to say, as it stops `serve`.
        Err(e) => return Ok(Some(format!("the rule tests cannot be run ({e})"))),
        Ok(report) if report.all_pass() => return Ok(None),
        Ok(report) => report,
    };
    let bad = report.failed() + report.not_evaluated();
    let first = (report.cases.iter())
        .find(|c| c.status != cases::Status::Pass)
        .map(|c| format!(", first `{}: {}`", c.file, c.name))
        .unwrap_or_default();
    Ok(Some(format!(
        "the rule tests reject these rules ({bad} of {} cases fail{first}: `tierwise test` shows them), so this run's results are of rules their own tests reject (`serve` and `watch` refuse them)",
        report.cases.len()
    )))
}
