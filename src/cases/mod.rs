//! Rule test cases: the cases kept beside the rules, in `rules/tests/*.yaml` (`tierwise test`,
//! and every reload of `watch` and `serve`).
//!
//! Each case gives a customer's fields (and, where needed, population figures such as its
//! sales percentile, or a small population whose figures are computed) and the outputs it
//! must get. Every case is evaluated by the real engine against the real rule set; the report
//! says pass or fail per case, with expected against actual and the rules that fired, and for
//! each decision which rows (and binding caps) no case exercised.
//!
//! The file format is documented at the top of `rules/tests/tiers.yaml`.

mod case;
mod file;
mod problem;

use crate::diag::{Diagnostic, SourceFile};
use crate::engine::Context;
use crate::rules::{RuleIdx, RuleSet};
use crate::source::{Cell, Field};
use case::{CaseContext, CaseFile, run_case};
use file::{TestFile, parse};
use serde::Serialize;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Why the test cases could not be run at all.
#[derive(Debug, thiserror::Error)]
pub enum CasesError {
    #[error(
        "cannot read the test directory {dir}: {source}\n  = help: test cases live in <rules>/tests/*.yaml"
    )]
    Unreadable {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "no test files (*.yaml) in {}\n  = help: add one (README, \"Changing a rule safely\", step 3), or remove the empty folder",
        .0.display()
    )]
    NoFiles(PathBuf),
    #[error("no test case in {} has a name containing `{only}`", dir.display())]
    NoCaseMatches { dir: PathBuf, only: String },
    #[error("the id column `{column}` is not a column of the customer source (columns: {columns})")]
    NoIdColumn { column: String, columns: String },
}

/// What `tierwise test` found.
#[derive(Debug, Serialize)]
pub struct TestReport {
    /// The directory the test files were read from (`<rules>/tests`).
    pub tests_dir: PathBuf,
    /// Set when `--case` selected some cases only (coverage is then of those cases).
    pub only: Option<String>,
    pub cases: Vec<CaseResult>,
    /// Test files that could not be read at all (YAML mistakes, unknown keys, bad defaults).
    pub file_errors: Vec<FileError>,
    /// Per decision, in evaluation order: its rows and caps, and those no case exercised.
    pub coverage: Vec<DecisionCoverage>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Every expected output matched (or the expected error happened).
    Pass,
    /// An output differed, the evaluation failed unexpectedly, or an expected error did not
    /// happen.
    Fail,
    /// The case itself is wrong (an unknown field, figure or output, a missing `check`, ...):
    /// it was not evaluated.
    Error,
}

#[derive(Debug, Serialize)]
pub struct CaseResult {
    /// The test file's name inside the tests directory, e.g. `tiers.yaml`.
    pub file: String,
    pub name: String,
    /// `path:line:column` of the case.
    pub at: String,
    pub status: Status,
    /// The expected outputs that differ (all of them compared when the case failed).
    pub differences: Vec<Difference>,
    /// Ids of the rules that fired (and caps that bound), in evaluation order.
    pub fired: Vec<String>,
    /// The checked customer's population figures: given in the case, or computed.
    pub figures: Vec<FigureValue>,
    /// Why the case failed when it is not a difference of outputs, or what is wrong with it.
    pub message: Option<String>,
    /// The day the case was evaluated as of (empty when it was not evaluated).
    pub as_of: String,
    /// Whether that day is the run's (today), neither the case nor its file giving `as_of`:
    /// such a case may pass today and fail tomorrow.
    pub as_of_today: bool,
}

#[derive(Debug, Serialize)]
pub struct Difference {
    pub output: String,
    pub expected: serde_json::Value,
    pub actual: serde_json::Value,
}

#[derive(Debug, Serialize)]
pub struct FigureValue {
    pub name: String,
    pub value: serde_json::Value,
    /// Given in the case (`population:`) rather than computed over the case's customers.
    pub given: bool,
}

#[derive(Debug, Serialize)]
pub struct FileError {
    pub file: String,
    /// The diagnostic, rendered with its file:line:column and source line.
    pub message: String,
}

#[derive(Debug, Serialize)]
pub struct DecisionCoverage {
    pub decision: String,
    /// Every row id of the decision, then its caps (`<decision>.min`, `<decision>.max`).
    pub rows: Vec<String>,
    pub exercised: usize,
    pub not_exercised: Vec<String>,
}

impl TestReport {
    pub fn passed(&self) -> usize {
        self.cases
            .iter()
            .filter(|c| c.status == Status::Pass)
            .count()
    }

    /// Cases evaluated whose outputs (or expected error) differed.
    pub fn failed(&self) -> usize {
        self.cases
            .iter()
            .filter(|c| c.status == Status::Fail)
            .count()
    }

    /// Invalid cases and test files that could not be read: nothing was evaluated for them.
    pub fn not_evaluated(&self) -> usize {
        self.cases
            .iter()
            .filter(|c| c.status == Status::Error)
            .count()
            + self.file_errors.len()
    }

    /// Every case passed and every test file was read.
    pub fn all_pass(&self) -> bool {
        self.failed() == 0 && self.not_evaluated() == 0
    }

    /// `8 passed, 1 failed`, with `, 2 not evaluated` when a case or test file is broken.
    pub fn totals(&self) -> String {
        let mut text = format!("{} passed, {} failed", self.passed(), self.failed());
        if self.not_evaluated() > 0 {
            text += &format!(", {} not evaluated", self.not_evaluated());
        }
        text
    }
}

/// Whether an actual value is what the case expects: numbers by value (`12` equals `12.0`),
/// lists item by item, everything else exactly. Decimals within a part in a billion (binary
/// noise: 0.1 + 0.2 is 0.3) and within half a unit of the expected value's last decimal: a
/// part in a billion of 10,000,000 is a cent, and `10000000.01` expected passed for
/// 10,000,000.00 (the model-risk validator's F07).
pub fn same(expected: &serde_json::Value, actual: &serde_json::Value) -> bool {
    use serde_json::Value as J;
    match (expected, actual) {
        (J::Number(a), J::Number(b)) => match (a.as_i64(), b.as_i64()) {
            (Some(x), Some(y)) => x == y,
            _ => {
                let (x, y) = (
                    a.as_f64().unwrap_or(f64::NAN),
                    b.as_f64().unwrap_or(f64::NAN),
                );
                let off = (x - y).abs();
                x == y
                    || (off <= 1e-9 * x.abs().max(y.abs()).max(1.0)
                        && off <= written_unit(x) / 2.0 * (1.0 + 1e-9))
            }
        },
        (J::Array(a), J::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
        }
        (a, b) => a == b,
    }
}

/// The unit of `x`'s last decimal as it is written (shortest): 0.01 for 10000000.01, 1 for
/// 12; infinite where the text has an exponent (`1e-7`), which the part in a billion bounds.
fn written_unit(x: f64) -> f64 {
    let text = x.to_string();
    if text.contains(['e', 'E']) {
        return f64::INFINITY;
    }
    let decimals = text.split_once('.').map_or(0, |(_, d)| d.len());
    10f64.powi(-(decimals as i32))
}

/// Runs every test case in `tests_dir` whose name contains `only` (ignoring case), against
/// `rules` loaded for a customer source with these `columns`.
///
/// Problems in test files are part of the report; the error is for a tests directory that
/// cannot be used at all.
pub fn run(
    rules: &RuleSet,
    columns: &[Field],
    id_column: &str,
    tests_dir: &Path,
    only: Option<&str>,
    context: Context,
) -> Result<TestReport, CasesError> {
    let names: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
    let id_index =
        names
            .iter()
            .position(|n| n == id_column)
            .ok_or_else(|| CasesError::NoIdColumn {
                column: id_column.to_owned(),
                columns: names.join(", "),
            })?;
    let ctx = CaseContext {
        rules,
        columns,
        names,
        id_column: id_column.to_owned(),
        id_index,
        context,
    };

    let tests_dir = tests_dir.to_path_buf();
    let files = test_files(&tests_dir)?;
    let only_lower = only.map(str::to_lowercase);
    let mut report = TestReport {
        tests_dir: tests_dir.clone(),
        only: only.map(str::to_owned),
        cases: Vec::new(),
        file_errors: Vec::new(),
        coverage: Vec::new(),
    };
    let mut fired: HashSet<RuleIdx> = HashSet::new();
    let rules_dir = tests_dir.parent().unwrap_or(&tests_dir).canonicalize().ok();
    for path in files {
        // A link that leads outside the rules directory (the file, or the `tests` folder
        // itself) is not read: its lines would show in the messages, and `serve`'s
        // `/health`. It counts as a file that cannot be read.
        if let Some(target) =
            (rules_dir.as_ref()).and_then(|d| crate::rules::leads_outside(d, &path))
        {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            report.file_errors.push(FileError {
                file: name.into_owned(),
                message: Diagnostic::file_error(&path, crate::rules::outside_message(&target))
                    .to_string(),
            });
            continue;
        }
        let loaded = match read_case_file(&ctx, &path) {
            Ok(loaded) => loaded,
            Err(e) => {
                report.file_errors.push(e);
                continue;
            }
        };
        let LoadedFile {
            name,
            file,
            parsed,
            defaults,
            context,
        } = &loaded;
        let in_file = CaseFile {
            file,
            name,
            defaults,
            context: *context,
        };
        for (k, case) in parsed.cases.iter().enumerate() {
            if let Some(only) = &only_lower
                && !case.value.name.value.to_lowercase().contains(only.as_str())
            {
                continue;
            }
            let result = run_case(&ctx, &in_file, k + 1, case, &mut fired);
            report.cases.push(result);
        }
    }
    if let Some(only) = only
        && report.cases.is_empty()
        && report.file_errors.is_empty()
    {
        return Err(CasesError::NoCaseMatches {
            dir: tests_dir,
            only: only.to_owned(),
        });
    }
    report.coverage = coverage(rules, &fired);
    Ok(report)
}

/// A test file read and parsed, with its defaults and date resolved.
struct LoadedFile {
    name: String,
    file: Arc<SourceFile>,
    parsed: TestFile,
    defaults: Vec<Cell<'static>>,
    context: Context,
}

/// Reads, parses and resolves one test file; a problem is the file's error.
fn read_case_file(ctx: &CaseContext, path: &Path) -> Result<LoadedFile, FileError> {
    let name = path
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let text = crate::text::read_text(path).map_err(|e| {
        let mut d = Diagnostic::file_error(path, format!("cannot read: {e}"));
        // In another encoding: where its first byte that is not UTF-8 is.
        if let Some(at) = crate::text::not_utf8_place(&e) {
            (d.line, d.column) = (at.line, at.column);
        }
        FileError {
            file: name.clone(),
            message: d.to_string(),
        }
    })?;
    let file = SourceFile::new(path.to_path_buf(), text);
    let parsed = parse(&file).map_err(|message| FileError {
        file: name.clone(),
        message,
    })?;
    let mut defaults = vec![Cell::Null; ctx.names.len()];
    if let Some(fields) = &parsed.defaults {
        ctx.fill(&mut defaults, fields).map_err(|p| FileError {
            file: name.clone(),
            message: p.render(&file),
        })?;
    }
    let context = match parsed.as_of.as_ref().map(|text| ctx.as_of(text)) {
        None => ctx.context,
        Some(Ok(context)) => context,
        Some(Err(p)) => {
            return Err(FileError {
                file: name,
                message: p.render(&file),
            });
        }
    };
    Ok(LoadedFile {
        name,
        file,
        parsed,
        defaults,
        context,
    })
}

/// The test files of a directory, sorted by name.
fn test_files(dir: &Path) -> Result<Vec<PathBuf>, CasesError> {
    let entries = std::fs::read_dir(dir).map_err(|source| CasesError::Unreadable {
        dir: dir.to_path_buf(),
        source,
    })?;
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            // Cases in a folder of their own were never run, and `test` passed without them.
            if p.is_dir() {
                let shown = crate::text::shown(p);
                tracing::warn!(
                    "{}: skipped: a folder (test files are read from {} itself, not from folders in it)",
                    shown.display(),
                    crate::text::shown(dir).display()
                );
            }
            p.is_file() && matches!(crate::text::extension(p).as_deref(), Some("yaml" | "yml"))
        })
        // Hidden, backup and copied files, as in the rules directory (and the watcher).
        .filter(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            let skipped = crate::rules::not_a_rule_file(&name);
            if let Some(why) = skipped {
                let shown = crate::text::shown(p);
                tracing::warn!("{}: skipped: {why}", shown.display());
            }
            skipped.is_none()
        })
        .collect();
    if files.is_empty() {
        return Err(CasesError::NoFiles(dir.to_path_buf()));
    }
    files.sort();
    Ok(files)
}

/// Per decision, in the order they are written (file by file): its rows and caps, and those
/// that no case fired.
fn coverage(rules: &RuleSet, fired: &HashSet<RuleIdx>) -> Vec<DecisionCoverage> {
    let written_at = |d: &crate::rules::Decision| {
        let first = d
            .rows
            .first()
            .map(|r| r.rule)
            .or(d.caps.first().map(|c| c.rule));
        first.map_or((usize::MAX, 0), |r| {
            let origin = &rules.rule_origins[r as usize];
            let file = rules.files.iter().position(|f| *f == origin.file.path);
            (file.unwrap_or(usize::MAX), origin.line)
        })
    };
    // A copy's row meant for another item (`extra-b@snacks`) is exercised by no case.
    let meant_for_another = crate::rules::lint::copies_never_matching(rules, crate::time::today());
    let mut decisions: Vec<&crate::rules::Decision> = rules.decisions.iter().collect();
    decisions.sort_by_key(|d| written_at(d));
    decisions
        .into_iter()
        .map(|d| {
            let mut ids: Vec<RuleIdx> = d
                .rows
                .iter()
                .map(|r| r.rule)
                .filter(|r| !meant_for_another.contains(r))
                .chain(d.caps.iter().map(|c| c.rule))
                .collect();
            // A named cap with both a min and a max is one rule id.
            ids.dedup();
            let name = |r: &RuleIdx| rules.rule_ids[*r as usize].clone();
            DecisionCoverage {
                decision: d.name.clone(),
                rows: ids.iter().map(name).collect(),
                exercised: ids.iter().filter(|r| fired.contains(r)).count(),
                not_exercised: ids
                    .iter()
                    .filter(|r| !fired.contains(r))
                    .map(name)
                    .collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_compare_by_value_lists_item_by_item() {
        assert!(same(&json!(12), &json!(12.0)));
        assert!(same(&json!(0.3), &json!(0.1 + 0.2)));
        assert!(!same(&json!(12), &json!(12.5)));
        // A cent off an amount of ten million is off, though a part in a billion.
        assert!(!same(&json!(10_000_000.01), &json!(10_000_000.0)));
        assert!(!same(&json!(10_000_000_009.99), &json!(10_000_000_000.0)));
        assert!(same(&json!(10_000_000.01), &json!(100_000_000.1 * 0.1)));
        assert!(same(&json!(2083.3333333333335), &json!(25_000.0 / 12.0)));
        assert!(!same(&json!(4.3333), &json!(13.0 / 3.0)));
        assert!(same(&json!(0.000001), &json!(0.000_001_000_000_1)));
        assert!(!same(&json!("12"), &json!(12)));
        assert!(same(&json!(["a", 1]), &json!(["a", 1.0])));
        assert!(!same(&json!(["a"]), &json!(["a", "b"])));
        assert!(same(&json!(null), &json!(null)));
        assert!(!same(&json!(null), &json!(0)));
    }
}
