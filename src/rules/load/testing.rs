//! Helpers for the passes' unit tests: a rule directory in a temporary directory, and
//! diagnostics as one line each, with paths relative to it.

use crate::diag::{Diagnostic, Severity};
use crate::rules::{Field, RuleSet};
use std::path::Path;
use tempfile::TempDir;

/// The columns of the customer source the tests load against.
pub const FIELDS: &[(&str, &str)] = &[
    ("customer_id", "TEXT"),
    ("annual_sales", "REAL"),
    ("overdue_days", "INTEGER"),
    ("channel", "TEXT"),
    ("region", "TEXT"),
];

/// A valid decision, for rule sets that need one.
pub const DECISION: &str = "decisions:\n  - name: tier\n    rules:\n      - { id: big, when: annual_sales >= 100, then: { tier: A } }\n      - { id: rest, then: { tier: B } }\n";

/// A temporary directory with `rules/` holding `files` (names may have a subdirectory).
pub fn rule_dir(files: &[(&str, &[u8])]) -> TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("rules")).expect("rules dir");
    for (name, text) in files {
        let path = dir.path().join("rules").join(name);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("subdirectory");
        std::fs::write(path, text).expect("write rule file");
    }
    dir
}

pub fn fields(columns: &[(&str, &str)]) -> Vec<Field> {
    columns
        .iter()
        .map(|(n, t)| Field::new(n, Some(t)))
        .collect()
}

/// Each diagnostic as `severity file:line:column [rule]: message | help: help`, with paths
/// (in the message too) relative to `root`.
pub fn show(diags: &[Diagnostic], root: &Path) -> Vec<String> {
    let prefix = format!("{}/", root.display());
    diags
        .iter()
        .map(|d| {
            let severity = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let file = d.file.strip_prefix(root).unwrap_or(&d.file).display();
            let mut line = match d.line {
                _ if d.cell.is_some() => format!("{severity} {}", d.location()),
                0 => format!("{severity} {file}"),
                _ => format!("{severity} {file}:{}:{}", d.line, d.column),
            };
            if let Some(rule) = &d.rule {
                line.push_str(&format!(" [{rule}]"));
            }
            line.push_str(&format!(": {}", d.message));
            if let Some(help) = &d.help {
                line.push_str(&format!(" | help: {help}"));
            }
            line.replace(&prefix, "")
        })
        .collect()
}

/// Loads `rules/` made of `files` (text) against [`FIELDS`]: the rule set and its warnings,
/// or every diagnostic.
pub fn load(files: &[(&str, &str)]) -> Result<(RuleSet, Vec<String>), Vec<String>> {
    load_with(files, FIELDS, &Default::default())
}

pub fn load_with(
    files: &[(&str, &str)],
    columns: &[(&str, &str)],
    limits: &crate::script::Limits,
) -> Result<(RuleSet, Vec<String>), Vec<String>> {
    let bytes: Vec<(&str, &[u8])> = files.iter().map(|(n, t)| (*n, t.as_bytes())).collect();
    let dir = rule_dir(&bytes);
    match super::load(&dir.path().join("rules"), &fields(columns), limits) {
        Ok((set, warnings)) => Ok((set, show(&warnings, dir.path()))),
        Err(all) => Err(show(&all.0, dir.path())),
    }
}

/// The diagnostics of a rule set that must not load.
pub fn errors(files: &[(&str, &str)]) -> Vec<String> {
    match load(files) {
        Ok((_, warnings)) => panic!("the rules load, with warnings {warnings:#?}"),
        Err(all) => all,
    }
}

/// The rule set of rules that must load without any diagnostic.
pub fn loads(files: &[(&str, &str)]) -> RuleSet {
    match load(files) {
        Ok((set, warnings)) if warnings.is_empty() => set,
        Ok((_, warnings)) => panic!("warnings: {warnings:#?}"),
        Err(all) => panic!("errors: {all:#?}"),
    }
}
