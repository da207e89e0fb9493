//! DMN hit-policy conformance: the hit-policy models of the DMN TCK (`dmn-tck/tck`,
//! `TestCases/compliance-level-2/`), translated into tierwise rule directories written as
//! grids, with one test case per TCK test case (see `tests/dmn/README.md`).
//!
//! Every model directory `tests/dmn/<model>/` holds `customers.sql` (the customer columns
//! its rules read) and `rules/` (the decision table as a grid, and `rules/tests/` with its
//! cases). Each `#[test]` below builds a SQLite database with those columns, runs the real
//! binary's `tierwise test --rules tests/dmn/<model>/rules --format json` on it and checks
//! that every case passes and that there are as many as expected, so that a failure names
//! the model and the case. The models whose tables break their policy (a `unique` overlap,
//! `any` rows that disagree) are also run with `tierwise run` on a customer who breaks it,
//! which must fail naming both rows.

mod common;

use common::{Fixture, Run};
use serde_json::Value as Json;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// One translated model.
struct Model {
    /// Its directory under `tests/dmn/`.
    dir: &'static str,
    /// The DMN hit policy it exercises: U, A, P, F, R, O, C, C+, C<, C>, C#.
    letter: &'static str,
    /// Translated from the TCK (false: added in the TCK's style, see its header comment).
    tck: bool,
    /// How many test cases its `rules/tests/` holds (TCK cases plus added ones).
    cases: usize,
}

const fn model(dir: &'static str, letter: &'static str, tck: bool, cases: usize) -> Model {
    Model {
        dir,
        letter,
        tck,
        cases,
    }
}

/// Every model, with its hit policy letter and number of cases.
const MODELS: &[Model] = &[
    model("0004-simpletable-U", "U", true, 4),
    model("0005-simpletable-A", "A", true, 4),
    model("0006-simpletable-P1", "P", true, 3),
    model("0007-simpletable-P2", "P", true, 3),
    model("0010-multi-output-U", "U", true, 4),
    model("0108-first-hitpolicy", "F", true, 4),
    model("0109-ruleOrder-hitpolicy", "R", true, 3),
    model("0110-outputOrder-hitpolicy", "O", true, 3),
    model("0111-first-hitpolicy-singleoutputcol", "F", true, 4),
    model("0112-ruleOrder-hitpolicy-singleinoutcol", "R", true, 4),
    model("0113-outputOrder-hitpolicy-singleinoutcol", "O", true, 3),
    model("0114-min-collect-hitpolicy", "C<", true, 4),
    model("0115-sum-collect-hitpolicy", "C+", true, 4),
    model("0116-count-collect-hitpolicy", "C#", true, 4),
    model("0117-multi-any-hitpolicy", "A", true, 4),
    model("0118-multi-priority-hitpolicy", "P", true, 3),
    model("0119-multi-collect-hitpolicy", "C", true, 4),
    model("9001-unique-violation", "U", false, 4),
    model("9002-any-violation", "A", false, 3),
    model("9003-max-collect-holidays", "C>", false, 7),
    model("9004-rule-order-null-cell", "R", false, 2),
];

/// Every DMN hit policy, each of which some model must exercise.
const LETTERS: &[&str] = &["U", "A", "P", "F", "R", "O", "C", "C+", "C<", "C>", "C#"];

/// The tierwise `hit:` (and `aggregate:`) a DMN letter is written as.
fn tierwise_policy(letter: &str) -> (&'static str, Option<&'static str>) {
    match letter {
        "U" => ("unique", None),
        "A" => ("any", None),
        "P" => ("priority", None),
        "F" => ("first", None),
        "R" => ("rule_order", None),
        "O" => ("output_order", None),
        "C" => ("collect", Some("list")),
        "C+" => ("collect", Some("sum")),
        "C<" => ("collect", Some("min")),
        "C>" => ("collect", Some("max")),
        "C#" => ("collect", Some("count")),
        other => panic!("not a DMN hit policy: {other}"),
    }
}

fn dmn_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/dmn")
}

fn find(dir: &str) -> &'static Model {
    MODELS
        .iter()
        .find(|m| m.dir == dir)
        .unwrap_or_else(|| panic!("{dir} is not in MODELS"))
}

/// A project whose database has the model's customer columns (`customers.sql`), no rows.
fn fixture(m: &Model) -> Fixture {
    let fx = Fixture::new();
    let sql = std::fs::read_to_string(dmn_dir().join(m.dir).join("customers.sql"))
        .unwrap_or_else(|e| panic!("{}: customers.sql: {e}", m.dir));
    fx.conn().execute_batch(&sql).unwrap();
    fx
}

fn rules_dir(m: &Model) -> String {
    dmn_dir()
        .join(m.dir)
        .join("rules")
        .to_string_lossy()
        .into_owned()
}

/// Runs `tierwise test` on the model's rules; returns the run and its JSON report.
fn test_model(m: &Model) -> (Run, Json) {
    let fx = fixture(m);
    let rules = rules_dir(m);
    let run = fx.run(&["test", "--rules", &rules, "--format", "json"]);
    assert!(
        !run.stdout.trim().is_empty() || run.code != 2,
        "{}: the rules do not load (exit code 2)\n{}",
        m.dir,
        run.stderr
    );
    let report = serde_json::from_str(&run.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: `tierwise test` did not give a JSON report ({e}); exit code {}\n--- stdout\n{}\n--- stderr\n{}",
            m.dir, run.code, run.stdout, run.stderr
        )
    });
    (run, report)
}

/// What went wrong in a report, one line per failing case or file.
fn failures(report: &Json) -> String {
    let mut out = String::new();
    for e in report["file_errors"].as_array().into_iter().flatten() {
        out += &format!(
            "ERROR {}:\n{}\n",
            e["file"],
            e["message"].as_str().unwrap_or("")
        );
    }
    for c in report["cases"].as_array().into_iter().flatten() {
        if c["status"] == "pass" {
            continue;
        }
        let text = |k: &str| c[k].as_str().unwrap_or("?").to_owned();
        out += &format!(
            "{} {}: {}\n",
            text("status").to_uppercase(),
            text("at"),
            text("name")
        );
        for d in c["differences"].as_array().into_iter().flatten() {
            out += &format!(
                "  {}: expected {}, got {}\n",
                d["output"].as_str().unwrap_or("?"),
                d["expected"],
                d["actual"]
            );
        }
        if let Some(message) = c["message"].as_str() {
            out += &format!("  {message}\n");
        }
        if let Some(fired) = c["fired"].as_array().filter(|f| !f.is_empty()) {
            out += &format!("  fired: {fired:?}\n");
        }
    }
    out
}

/// Every case of the model passes, and there are as many as the table says.
fn conforms(dir: &str) {
    let m = find(dir);
    let (run, report) = test_model(m);
    let failed = failures(&report);
    assert!(
        run.code == 0 && failed.is_empty() && report["failed"] == 0,
        "{dir} ({}): `tierwise test` exit code {}, {} passed, {} failed\n{failed}\n--- stderr\n{}",
        m.letter,
        run.code,
        report["passed"],
        report["failed"],
        run.stderr
    );
    assert_eq!(
        report["passed"].as_u64(),
        Some(m.cases as u64),
        "{dir}: expected {} cases\n{}",
        m.cases,
        run.stdout
    );
}

/// The model's rules fail `tierwise run` for a customer with these values, naming both rows.
fn run_fails_naming_both_rows(dir: &str, customer: &[rusqlite::types::Value], needle: &str) {
    let m = find(dir);
    let fx = fixture(m);
    let placeholders = vec!["?"; customer.len()].join(", ");
    fx.conn()
        .execute(
            &format!("INSERT INTO customers VALUES ({placeholders})"),
            rusqlite::params_from_iter(customer.iter()),
        )
        .unwrap();
    let rules = rules_dir(m);
    let run = fx.run(&["run", "--rules", &rules]);
    run.assert_code(1).assert_stderr_contains(needle);
    assert_eq!(
        fx.policy_row_count(),
        0,
        "{dir}: a failed run keeps nothing"
    );
}

#[test]
fn dmn_0004_simpletable_u() {
    conforms("0004-simpletable-U");
}

#[test]
fn dmn_0005_simpletable_a() {
    conforms("0005-simpletable-A");
}

#[test]
fn dmn_0006_simpletable_p1() {
    conforms("0006-simpletable-P1");
}

#[test]
fn dmn_0007_simpletable_p2() {
    conforms("0007-simpletable-P2");
}

#[test]
fn dmn_0010_multi_output_u() {
    conforms("0010-multi-output-U");
}

#[test]
fn dmn_0108_first_hitpolicy() {
    conforms("0108-first-hitpolicy");
}

#[test]
fn dmn_0109_rule_order_hitpolicy() {
    conforms("0109-ruleOrder-hitpolicy");
}

#[test]
fn dmn_0110_output_order_hitpolicy() {
    conforms("0110-outputOrder-hitpolicy");
}

#[test]
fn dmn_0111_first_hitpolicy_singleoutputcol() {
    conforms("0111-first-hitpolicy-singleoutputcol");
}

#[test]
fn dmn_0112_rule_order_hitpolicy_singleinoutcol() {
    conforms("0112-ruleOrder-hitpolicy-singleinoutcol");
}

#[test]
fn dmn_0113_output_order_hitpolicy_singleinoutcol() {
    conforms("0113-outputOrder-hitpolicy-singleinoutcol");
}

#[test]
fn dmn_0114_min_collect_hitpolicy() {
    conforms("0114-min-collect-hitpolicy");
}

#[test]
fn dmn_0115_sum_collect_hitpolicy() {
    conforms("0115-sum-collect-hitpolicy");
}

#[test]
fn dmn_0116_count_collect_hitpolicy() {
    conforms("0116-count-collect-hitpolicy");
}

#[test]
fn dmn_0117_multi_any_hitpolicy() {
    conforms("0117-multi-any-hitpolicy");
}

#[test]
fn dmn_0118_multi_priority_hitpolicy() {
    conforms("0118-multi-priority-hitpolicy");
}

#[test]
fn dmn_0119_multi_collect_hitpolicy() {
    conforms("0119-multi-collect-hitpolicy");
}

/// DMN: a unique table where two rules match is an error (null). The cases expect the
/// error; a run on such a customer stops naming both rows; and `tierwise check` warns about
/// each overlap before any customer is evaluated.
#[test]
fn dmn_9001_unique_violation() {
    conforms("9001-unique-violation");
    let m = find("9001-unique-violation");
    let check = fixture(m).run(&["check", "--rules", &rules_dir(m)]);
    check.assert_code(0);
    for pair in ["`r1` and `r5`", "`r3` and `r5`", "`r4` and `r5`"] {
        assert!(
            check.stdout.contains(&format!("rows {pair} overlap")),
            "check does not warn that rows {pair} overlap:\n{}",
            check.stdout
        );
    }
    use common::{int, text};
    run_fails_naming_both_rows(
        "9001-unique-violation",
        &[int(1), int(70), text("Medium"), int(1)],
        "customer 1: decision `approval_status` failed: rules `r1` and `r5` both match, but the hit policy is `unique`",
    );
}

/// DMN: an any table whose matching rules give different outputs is an error (null).
#[test]
fn dmn_9002_any_violation() {
    conforms("9002-any-violation");
    use common::{int, text};
    run_fails_naming_both_rows(
        "9002-any-violation",
        &[int(7), int(25), text("High"), int(1)],
        "customer 7: decision `approval_status` failed: rules `r3` and `r5` both match, but they give different values (Declined and Approved) and the hit policy `any` needs matching rows to agree",
    );
}

#[test]
fn dmn_9003_max_collect_holidays() {
    conforms("9003-max-collect-holidays");
}

/// A row's NULL is kept in its output's list where the table has several outputs, so the
/// lists line up as DMN's contexts do (see the README).
#[test]
fn dmn_9004_rule_order_null_cell() {
    conforms("9004-rule-order-null-cell");
}

/// Every hit policy letter is exercised by some model, and by a TCK model where the TCK
/// has one (C> has none).
#[test]
fn every_hit_policy_has_a_model() {
    for letter in LETTERS {
        let models: Vec<&str> = MODELS
            .iter()
            .filter(|m| m.letter == *letter)
            .map(|m| m.dir)
            .collect();
        assert!(!models.is_empty(), "no model exercises hit policy {letter}");
        let from_tck = MODELS.iter().any(|m| m.letter == *letter && m.tck);
        assert!(
            from_tck || *letter == "C>",
            "hit policy {letter} is exercised by added models only: {models:?}"
        );
    }
    for m in MODELS {
        assert!(
            LETTERS.contains(&m.letter),
            "{}: unknown letter {}",
            m.dir,
            m.letter
        );
    }
}

/// Every directory under `tests/dmn/` is in `MODELS` (and the other way round), and each
/// model's rules are written as a grid with the hit policy of its letter.
#[test]
fn every_model_directory_is_listed_with_its_policy() {
    let on_disk: BTreeSet<String> = std::fs::read_dir(dmn_dir())
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let listed: BTreeSet<String> = MODELS.iter().map(|m| m.dir.to_owned()).collect();
    assert_eq!(on_disk, listed, "tests/dmn/ and MODELS differ");
    for m in MODELS {
        let (hit, aggregate) = tierwise_policy(m.letter);
        let rules = dmn_dir().join(m.dir).join("rules");
        let mut decisions = 0;
        for entry in std::fs::read_dir(&rules).unwrap().flatten() {
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) != Some("yaml") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let hits: Vec<&str> = text
                .lines()
                .filter_map(|l| l.trim().strip_prefix("hit: "))
                .collect();
            let aggregates: Vec<&str> = text
                .lines()
                .filter_map(|l| l.trim().strip_prefix("aggregate: "))
                .collect();
            let grids = text.lines().filter(|l| l.trim() == "grid: |").count();
            assert!(!hits.is_empty(), "{}: no `hit:`", path.display());
            assert!(
                hits.iter().all(|h| *h == hit),
                "{}: {} is `hit: {hit}`, the file says {hits:?}",
                path.display(),
                m.letter
            );
            match aggregate {
                Some(a) => assert!(
                    aggregates.len() == hits.len() && aggregates.iter().all(|x| *x == a),
                    "{}: {} is `aggregate: {a}`, the file says {aggregates:?}",
                    path.display(),
                    m.letter
                ),
                None => assert!(aggregates.is_empty(), "{}: no aggregate", path.display()),
            }
            assert_eq!(
                grids,
                hits.len(),
                "{}: every decision is written as a grid",
                path.display()
            );
            decisions += hits.len();
        }
        assert!(decisions > 0, "{}: no rule file", m.dir);
        let tests = rules.join("tests");
        assert!(
            std::fs::read_dir(&tests).is_ok_and(|mut d| d.next().is_some()),
            "{}: no test cases in rules/tests/",
            m.dir
        );
    }
}

/// `tests/dmn/README.md` lists every model with its letter and number of cases.
#[test]
fn the_readme_lists_every_model() {
    let readme = std::fs::read_to_string(dmn_dir().join("README.md")).unwrap();
    for m in MODELS {
        let line = readme
            .lines()
            .find(|l| l.starts_with(&format!("| {} |", m.dir)))
            .unwrap_or_else(|| panic!("README.md has no row for {}", m.dir));
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        assert_eq!(cells[3], m.letter, "README.md: {line}");
        assert!(
            cells[5].starts_with(&format!("{} (", m.cases)),
            "README.md gives another number of cases: {line}"
        );
    }
}
