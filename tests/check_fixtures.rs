//! `tierwise check` on the rule sets in `tests/fixtures/check/`, compared with the whole
//! expected output next to each (`NAME.expected`: the command, its stdout, its exit code).
//!
//! Whole outputs rather than fragments: a reader sees exactly what an admin sees, and any
//! change to a message, position, caret, help or total shows up in review as a diff of the
//! `.expected` file. `UPDATE_FIXTURES=1 cargo test --test check_fixtures` rewrites the
//! expected files; the README next to the fixtures says more.

mod common;

use common::*;
use std::path::{Path, PathBuf};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/check");

/// Lines of unchanged output shown around each change in a diff.
const CONTEXT: usize = 2;

#[test]
fn check_prints_what_the_expected_files_say() {
    let update = std::env::var_os("UPDATE_FIXTURES").is_some_and(|v| !v.is_empty() && v != "0");
    let mut failures = Vec::new();
    for fixture in fixtures() {
        let actual = check(&fixture);
        let path = expected_path(&fixture);
        let expected = std::fs::read_to_string(&path).ok();
        if expected.as_deref() == Some(actual.as_str()) {
            continue;
        }
        if update {
            std::fs::write(&path, &actual).expect("write the expected file");
            eprintln!("updated {}", path.display());
            continue;
        }
        let name = name(&fixture);
        failures.push(match expected {
            None => format!("{name}: no {name}.expected; the output is:\n{actual}"),
            Some(expected) => format!("{name}:\n{}", diff(&expected, &actual)),
        });
    }
    for stale in stale_expected_files() {
        let file = stale.file_name().unwrap().to_string_lossy();
        failures.push(format!("{file}: an expected file without a fixture"));
    }
    assert!(
        failures.is_empty(),
        "{} fixture(s) do not match their expected files (- expected, + actual). If the new \
         output is right, run\n    UPDATE_FIXTURES=1 cargo test --test check_fixtures\nand \
         review the diff of tests/fixtures.\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn every_lint_has_a_fixture_named_after_it() {
    for lint in tierwise::rules::lint::LINTS {
        let base = Path::new(FIXTURES).join(lint.name);
        let fixture = [base.with_extension("yaml"), base.clone()]
            .into_iter()
            .find(|p| p.exists())
            .unwrap_or_else(|| panic!("{} has no fixture {}.yaml", lint.code, lint.name));
        let expected = std::fs::read_to_string(expected_path(&fixture)).unwrap_or_default();
        assert!(
            expected.contains(&format!("warning[{}]", lint.code)),
            "{}.expected shows no {} warning",
            lint.name,
            lint.code
        );
    }
}

/// Every fixture: `NAME.yaml` files and `NAME/` directories, by name.
fn fixtures() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(FIXTURES)
        .expect("tests/fixtures/check")
        .map(|e| e.expect("read the fixtures directory").path())
        .filter(|p| p.is_dir() || p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    out.sort();
    out
}

fn name(fixture: &Path) -> String {
    fixture.file_stem().unwrap().to_string_lossy().into_owned()
}

fn expected_path(fixture: &Path) -> PathBuf {
    fixture.with_file_name(format!("{}.expected", name(fixture)))
}

fn stale_expected_files() -> Vec<PathBuf> {
    let fixtures: Vec<PathBuf> = fixtures().iter().map(|f| expected_path(f)).collect();
    std::fs::read_dir(FIXTURES)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "expected") && !fixtures.contains(p))
        .collect()
}

/// Runs `tierwise check` on the fixture in a fresh project; returns the command, its
/// stdout and its exit code, as the expected files hold them.
fn check(fixture: &Path) -> String {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, annual_sales REAL, overdue_days INTEGER, channel TEXT",
        &[
            vec![text("C1"), real(50.0), int(0), text("direct")],
            vec![text("C2"), real(500000.0), int(70), text("dealer")],
            vec![text("C3"), null(), null(), text("direct")],
        ],
    );
    let rules = fx.path("rules");
    if fixture.is_dir() {
        copy_dir(fixture, &rules);
    } else {
        std::fs::copy(fixture, rules.join(fixture.file_name().unwrap())).unwrap();
    }
    let run = fx.run(&["check"]);
    // Paths are relative to the project; should one ever be absolute, keep it stable.
    let stdout = run
        .stdout
        .replace(&fx.dir.path().display().to_string(), "[project]");
    format!("$ tierwise check\n{stdout}[exit code: {}]\n", run.code)
}

/// A line diff: `-` only in `expected`, `+` only in `actual`, [`CONTEXT`] lines around.
fn diff(expected: &str, actual: &str) -> String {
    let a: Vec<&str> = expected.lines().collect();
    let b: Vec<&str> = actual.lines().collect();
    // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut lines: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            lines.push((' ', a[i]));
            (i, j) = (i + 1, j + 1);
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            lines.push(('-', a[i]));
            i += 1;
        } else {
            lines.push(('+', b[j]));
            j += 1;
        }
    }
    let changes: Vec<usize> = (0..lines.len()).filter(|&n| lines[n].0 != ' ').collect();
    if changes.is_empty() {
        return "  (the same lines; they differ in line endings or the final newline)".into();
    }
    let mut out = String::new();
    let mut skipped = false;
    for (n, (mark, line)) in lines.iter().enumerate() {
        if changes.iter().any(|&c| c.abs_diff(n) <= CONTEXT) {
            if skipped {
                out.push_str("  ...\n");
                skipped = false;
            }
            out.push_str(&format!("{mark} {line}\n"));
        } else {
            skipped = true;
        }
    }
    out
}
