//! `tierwise diff` on the real binary: a threshold raised in a copy of the shipped rules,
//! with the migration counts and money totals checked against SQL over the two rule sets'
//! runs on the same database; the whole text and Markdown output of a small case computed
//! by hand; a rule set against itself; `--fail-on-change`; a git revision as the base; and
//! bases that cannot be used.

mod common;

use common::*;
use rusqlite::Connection;
use std::collections::BTreeMap;
use std::path::Path;

/// Five customers, a tier by sales and a discount by tier; the base rules draw A at 1,000
/// and B at 100.
fn small() -> Fixture {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, annual_sales REAL",
        &[
            vec![text("C1"), real(5000.0)],
            vec![text("C2"), real(1500.0)],
            vec![text("C3"), real(900.0)],
            vec![text("C4"), real(150.0)],
            vec![text("C5"), real(50.0)],
        ],
    );
    std::fs::write(
        fx.path("config.yaml"),
        "database: customers.db\ncustomers: { table: customers, id_column: customer_id }\nrules: rules\ncurrency: EUR\n",
    )
    .unwrap();
    std::fs::create_dir(fx.path("base")).unwrap();
    std::fs::write(fx.path("base/policy.yaml"), SMALL_RULES).unwrap();
    fx.rule("policy.yaml", SMALL_RULES);
    fx
}

const SMALL_RULES: &str = r#"decisions:
  - name: tier
    rules:
      - { id: tier-a, when: annual_sales >= 1000, then: { tier: A } }
      - { id: tier-b, when: annual_sales >= 100, then: { tier: B } }
      - { id: tier-c, then: { tier: C } }
  - name: discount
    output: discount_pct
    rules:
      - { id: disc-a, when: 'tier == "A"', value: 5.0 }
      - { id: disc-b, when: 'tier == "B"', value: 2.0 }
      - { id: disc-none, value: 0.0 }
summary:
  moves: { tier: [A, B, C] }
  totals:
    concession_cost: "= annual_sales * discount_pct / 100"
  money: [concession_cost]
"#;

/// The small rules with A drawn at 2,000 (C2, 1,500, becomes B) and B at 500 (C4, 150,
/// becomes C).
fn raised() -> String {
    SMALL_RULES
        .replace(">= 1000", ">= 2000")
        .replace(">= 100,", ">= 500,")
}

fn raise_thresholds(fx: &Fixture) {
    fx.rule("policy.yaml", &raised());
}

/// `diff` of the current rules against `base/` as of 2026-09-30, in `format`.
fn diff_as(fx: &Fixture, format: &str) -> Run {
    fx.run(&[
        "diff",
        "--base",
        "base",
        "--as-of",
        "2026-09-30",
        "--format",
        format,
    ])
}

#[test]
fn the_whole_text_of_a_small_change_computed_by_hand() {
    let fx = small();
    raise_thresholds(&fx);
    let run = fx.run(&["diff", "--base", "base", "--as-of", "2026-09-30"]);
    run.assert_code(0);
    let fingerprints: Vec<&str> = run
        .stdout
        .lines()
        .next()
        .unwrap()
        .split(['(', ')'])
        .collect();
    let (new, old) = (fingerprints[1], fingerprints[3]);
    // Concession: before 5000 x 5% + 1500 x 5% + 900 x 2% + 150 x 2% = 346; after
    // 250 + 1500 x 2% + 18 = 298.
    let expected = format!(
        "rules/ ({new}) against base/ ({old}): 5 customers as of 2026-09-30 (2026-09)
2 of 5 customers' policy changed

tier: 2 customers changed
  tier before \\ after A B C
  A                   1 1 0
  B                   0 1 1
  C                   0 0 1

discount_pct: 2 customers changed
  discount_pct before \\ after 5 2 0
  5                           1 1 0
  2                           0 1 1
  0                           0 0 1

customers changed, per output
  output       customers
  tier                 2
  discount_pct         2

totals
  total               before      after          change
  concession_cost EUR 346.00 EUR 298.00 -48.00 (-13.9%)

largest changes (by the money totals' changes added up either way, then outputs changed; 2 of 2)
  customer money totals changed   what changed
  C2       concession_cost -45.00 tier A -> B, discount_pct 5 -> 2
  C4       concession_cost -3.00  tier B -> C, discount_pct 2 -> 0

rules firing for more or fewer customers
  rule      before after change
  tier-a         2     1     -1
  tier-c         1     2     +1
  disc-a         2     1     -1
  disc-none      1     2     +1
"
    );
    assert_eq!(run.stdout, expected);

    let md = diff_as(&fx, "md");
    md.assert_code(0);
    assert!(
        md.stdout.starts_with("## Impact of the rule change\n"),
        "{}",
        md.stdout
    );
    for line in [
        "| tier before \\ after | A | B | C |",
        "|---|---:|---:|---:|",
        "| A | 1 | 1 | 0 |",
        "| concession_cost | EUR 346.00 | EUR 298.00 | -48.00 (-13.9%) |",
        "| C2 | concession_cost -45.00 | tier A -> B, discount_pct 5 -> 2 |",
    ] {
        assert!(
            md.stdout.lines().any(|l| l == line),
            "no line {line:?} in\n{}",
            md.stdout
        );
    }
    // For programs: each change an object, its values typed as the outputs are.
    let json = diff_as(&fx, "json");
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(
        v["largest"][0]["changes"],
        serde_json::json!([
            {"output": "tier", "before": "A", "after": "B"},
            {"output": "discount_pct", "before": 5.0, "after": 2.0},
        ])
    );
}

/// A money total only the current rules compute is in the totals table, but is not money
/// that moved for a customer: C2 moved EUR 45.00 of concession, whatever `bonus_cost` adds.
#[test]
fn money_moved_counts_only_the_totals_both_rule_sets_compute() {
    let fx = small();
    fx.rule(
        "policy.yaml",
        &raised().replace(
            "  money: [concession_cost]",
            "    bonus_cost: \"= annual_sales\"\n  money: [concession_cost, bonus_cost]",
        ),
    );
    let run = diff_as(&fx, "json");
    run.assert_code(0);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["largest"][0]["customer"], "C2", "{}", run.stdout);
    assert_eq!(v["largest"][0]["money"], 45.0, "{}", run.stdout);
}

/// "Money moved" added a concession cut, a margin gained and a credit limit cut as one
/// amount, without signs: each money total's change is shown signed (JSON
/// `money_changes`), and the ranking sum is said to add them either way.
#[test]
fn the_largest_changes_show_each_money_total_signed() {
    let fx = small();
    let kept = |rules: &str| {
        rules.replace(
            "  money: [concession_cost]",
            "    margin_kept: \"= annual_sales * (10 - discount_pct) / 100\"\n  money: [concession_cost, margin_kept]",
        )
    };
    std::fs::write(fx.path("base/policy.yaml"), kept(SMALL_RULES)).unwrap();
    fx.rule("policy.yaml", &kept(&raised()));
    let text = diff_as(&fx, "text");
    assert!(
        text.stdout
            .contains("  C2       concession_cost -45.00, margin_kept +45.00 tier A -> B,"),
        "{}",
        text.stdout
    );
    let v: serde_json::Value = serde_json::from_str(&diff_as(&fx, "json").stdout).unwrap();
    assert_eq!(v["largest"][0]["money"], 90.0);
    assert_eq!(
        v["largest"][0]["money_changes"],
        serde_json::json!({"concession_cost": -45.0, "margin_kept": 45.0})
    );
}

/// A money total's change per customer is to the cent, as a run's totals are: it was the
/// binary difference (`-48.15000000000001`, `511.18489999999997`).
#[test]
fn the_largest_changes_give_money_to_the_cent() {
    let fx = small();
    let vat = |rules: &str| rules.replace("discount_pct / 100\"", "discount_pct * 1.07 / 100\"");
    std::fs::write(fx.path("base/policy.yaml"), vat(SMALL_RULES)).unwrap();
    fx.rule("policy.yaml", &vat(&raised()));
    let v: serde_json::Value = serde_json::from_str(&diff_as(&fx, "json").stdout).unwrap();
    let changes: Vec<&serde_json::Value> = (v["largest"].as_array().unwrap().iter())
        .map(|c| &c["money_changes"]["concession_cost"])
        .collect();
    assert_eq!(changes, [-48.15, -3.21]);
}

#[test]
fn a_rule_set_against_itself_changes_nothing_and_fail_on_change_says_when_something_did() {
    let fx = small();
    let same = fx.run(&["diff", "--base", "base", "--fail-on-change"]);
    same.assert_code(0);
    assert!(
        same.stdout
            .contains("no change: every customer gets the same policy from the same rules"),
        "{}",
        same.stdout
    );
    let json = fx.run(&["diff", "--base", "rules", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["customers_changed"], 0);
    assert_eq!(v["rules"], serde_json::json!([]));
    assert_eq!(v["base_fingerprint"], v["fingerprint"]);

    // A rule renamed: no customer's policy changed, and exit 1 says why.
    fx.rule("policy.yaml", &SMALL_RULES.replace("tier-a", "tier-top"));
    let renamed = fx.run(&["diff", "--base", "base", "--fail-on-change"]);
    renamed.assert_code(1);
    assert_eq!(
        renamed.stderr,
        "--fail-on-change: exit 1, because rules fire for other numbers of customers: `tier-top` 0 to 2, `tier-a` 2 to 0\n"
    );
    raise_thresholds(&fx);
    fx.run(&["diff", "--base", "base", "--fail-on-change"])
        .assert_code(1)
        .assert_stderr_contains("--fail-on-change: exit 1, because 2 customers' policies changed; rules fire for other numbers of customers: ");
    fx.run(&["diff", "--base", "base"]).assert_code(0);
}

/// A change that moves an output the rules read of the previous period: that period holds
/// what the base rules recorded, so a diff of a past period counts what the new rules carry
/// from period to period for that one period only; it says so, and a change that moves
/// nothing they read says nothing.
#[test]
fn a_change_to_what_the_rules_carry_from_period_to_period_is_said() {
    let fx = small();
    let carried = SMALL_RULES.replace(
        "      - { id: tier-a, when: annual_sales >= 1000, then: { tier: A } }",
        "      - { id: tier-a, when: annual_sales >= 1000, then: { tier: A } }\n      - { id: tier-a-kept, when: 'previous.tier == \"A\" && annual_sales >= 500', then: { tier: A } }",
    );
    std::fs::write(fx.path("base/policy.yaml"), &carried).unwrap();
    fx.rule("policy.yaml", &carried);
    fx.run(&["run", "--as-of", "2026-06-30"]).assert_code(0);
    let note = "note: the change moves outputs the rules read of earlier periods (`previous.tier`): those periods hold what their runs recorded";
    fx.rule("policy.yaml", &carried.replace(">= 1000", ">= 2000"));
    let diff = diff_as(&fx, "text");
    assert!(diff.stdout.contains(note), "{}", diff.stdout);
    // Moving only the discount: nothing the rules read of earlier periods.
    fx.rule("policy.yaml", &carried.replace("value: 5.0", "value: 6.0"));
    let diff = diff_as(&fx, "text");
    assert!(
        !diff.stdout.contains("read of earlier periods"),
        "{}",
        diff.stdout
    );
}

/// A source that holds no customer as of the date (an extract not yet loaded, a forgotten
/// `--as-of`): `run` refuses it, and so do `diff` (even `--fail-on-change` passed "no
/// change" on nobody), `report --base` and `check --data`, with `run`'s message and what
/// each did instead (only `run` writes).
#[test]
fn diff_report_and_check_refuse_a_source_with_no_customer_as_run_does() {
    let fx = small();
    fx.conn().execute("DELETE FROM customers", []).unwrap();
    raise_thresholds(&fx);
    let said = "error: table `customers` holds no customer as of 2026-09-30: ";
    for (args, outcome) in [
        (&["run"][..], "nothing was written, earlier runs are intact"),
        (
            &["diff", "--base", "base", "--fail-on-change"],
            "there is no one to compare the rules on",
        ),
        (
            &["report", "--base", "base", "--out", "page.html"],
            "there is nothing to report",
        ),
        (
            &["report", "--out", "page.html"],
            "there is nothing to report",
        ),
        (
            &["check", "--data"],
            "there is no data to check the rules on",
        ),
        (&["explain", "1"], "there is no one to explain"),
    ] {
        let said = format!("{said}{outcome}\n");
        let args: Vec<&str> = args
            .iter()
            .copied()
            .chain(["--as-of", "2026-09-30"])
            .collect();
        let run = fx.run(&args);
        run.assert_code(1).assert_stderr_contains(&said);
        assert!(
            !run.stdout.contains("no change"),
            "{args:?}: {}",
            run.stdout
        );
    }
    assert!(!fx.path("page.html").exists());
}

/// `0.1 + 0.2 == 0.3` in the rules, and `explain` saw no difference, yet `diff` counted a
/// discount written `= 0.1 + 0.2` instead of `0.3` as changed for every customer (and
/// `changes` as moving up): numbers compare as the rules' `==` does.
#[test]
fn a_value_only_binary_arithmetic_moved_is_no_change() {
    let fx = small();
    let base = SMALL_RULES.replace("value: 2.0", "value: 0.3");
    std::fs::write(fx.path("base/policy.yaml"), &base).unwrap();
    fx.rule(
        "policy.yaml",
        &base.replace("value: 0.3", "value: '= 0.1 + 0.2'"),
    );
    let diff = fx.run(&[
        "diff",
        "--base",
        "base",
        "--fail-on-change",
        "--format",
        "json",
    ]);
    diff.assert_code(0);
    let v: serde_json::Value = serde_json::from_str(&diff.stdout).unwrap();
    assert_eq!(v["customers_changed"], 0, "{}", diff.stdout);
    // Two periods, one with each: nobody moved.
    std::fs::write(fx.path("rules/policy.yaml"), &base).unwrap();
    fx.run_ok(&["--as-of", "2026-06-30"]);
    fx.rule(
        "policy.yaml",
        &base.replace("value: 0.3", "value: '= 0.1 + 0.2'"),
    );
    fx.run_ok(&["--as-of", "2026-09-30"]);
    // Whole numbers compare exactly: account numbers of 16 digits a float cannot tell apart.
    let gl = |n: &str| {
        base.replace(
            "summary:",
            &format!("  - name: account\n    output: gl_account\n    rules:\n      - {{ id: gl, value: {n} }}\nsummary:"),
        )
    };
    std::fs::write(fx.path("base/policy.yaml"), gl("5400000000000001")).unwrap();
    fx.rule("policy.yaml", &gl("5400000000000001"));
    let account = fx.run(&["diff", "--base", "base", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&account.stdout).unwrap();
    assert_eq!(v["customers_changed"], 0, "{}", account.stdout);
    fx.rule("policy.yaml", &gl("5400000000000002"));
    let account = fx.run(&["diff", "--base", "base", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&account.stdout).unwrap();
    assert_eq!(v["customers_changed"], 5, "{}", account.stdout);
    fx.rule(
        "policy.yaml",
        &base.replace("value: 0.3", "value: '= 0.1 + 0.2'"),
    );
    let changes = fx.run(&["changes", "--output", "discount_pct", "--format", "json"]);
    changes.assert_code(0);
    let v: serde_json::Value = serde_json::from_str(&changes.stdout).unwrap();
    assert_eq!(v["up"], 0, "{}", changes.stdout);
    assert_eq!(v["changed"], 0, "{}", changes.stdout);
}

/// A money total is the same sum however the threads split the customers: the same rules
/// showed `concession_cost +0.00 (+0.0%)` (floats added in another order).
#[test]
fn the_same_rules_give_the_same_totals_to_the_last_bit_on_several_threads() {
    let fx = small();
    let rows: Vec<Vec<rusqlite::types::Value>> = (0..20_000_i64)
        .map(|i| {
            let sales = (i * 7919 % 10007) as f64 * 1.37 + 0.01;
            vec![text(&format!("C{i}")), real(sales)]
        })
        .collect();
    fx.customers("customer_id TEXT PRIMARY KEY, annual_sales REAL", &rows);
    for _ in 0..3 {
        let json = fx.run(&[
            "--threads",
            "2",
            "diff",
            "--base",
            "base",
            "--format",
            "json",
        ]);
        json.assert_code(0);
        let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
        let total = &v["totals"][0];
        assert_eq!(total["name"], "concession_cost", "{total}");
        assert_eq!(total["before"], total["after"], "{total}");
    }
    let text_diff = fx.run(&["--threads", "2", "diff", "--base", "base"]);
    assert!(
        text_diff.stdout.contains("no change") && !text_diff.stdout.contains("+0.00"),
        "{}",
        text_diff.stdout
    );
}

#[test]
fn outputs_added_and_removed_are_reported_not_errors() {
    let fx = small();
    fx.rule(
        "policy.yaml",
        &SMALL_RULES.replace(
            "summary:",
            "  - name: visits\n    output: visits\n    rules:\n      - { id: visits-all, value: 2 }\nsummary:",
        ),
    );
    let run = fx.run(&["diff", "--base", "base", "--format", "json"]);
    run.assert_code(0);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["outputs_added"], serde_json::json!(["visits"]));
    assert_eq!(v["outputs_removed"], serde_json::json!([]));
    let back = run_in(
        fx.dir.path(),
        &[
            "--config",
            "config.yaml",
            "diff",
            "--base",
            "base",
            "--rules",
            "base",
        ],
    );
    back.assert_code(0);
    let text = fx.run(&["diff", "--base", "base"]);
    assert!(
        text.stdout.contains("outputs added: visits"),
        "{}",
        text.stdout
    );
    // A new output that gives every customer something changes every customer's policy:
    // the headline said "0 of 5 changed".
    assert_eq!(v["customers_changed"], 5, "{}", run.stdout);
    assert!(
        text.stdout.starts_with(&format!(
            "{}5 of 5 customers' policy changed; outputs added: visits\n",
            text.stdout.lines().next().unwrap().to_owned() + "\n"
        )),
        "{}",
        text.stdout
    );
    // One that gives 0 where it does not apply (a category extra) changes those it gives
    // more to.
    fx.rule(
        "policy.yaml",
        &SMALL_RULES.replace(
            "summary:",
            "  - name: extra\n    output: extra_pct\n    rules:\n      - { id: extra-a, when: 'tier == \"A\"', value: 3.0 }\n      - { id: extra-none, value: 0.0 }\nsummary:",
        ),
    );
    let extra = fx.run(&["diff", "--base", "base", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&extra.stdout).unwrap();
    assert_eq!(v["customers_changed"], 2, "{}", extra.stdout);
    assert_eq!(
        v["outputs"],
        serde_json::json!([{"output": "tier", "changed": 0}, {"output": "discount_pct", "changed": 0}, {"output": "extra_pct", "changed": 2}]),
        "{}",
        extra.stdout
    );
}

#[test]
fn a_git_revision_is_read_without_touching_the_working_files() {
    let fx = small();
    let git = |args: &[&str]| fx.git(args);
    git(&["init", "-q"]);
    git(&["add", "rules"]);
    git(&["commit", "-q", "-m", "rules"]);
    raise_thresholds(&fx);
    let edited = std::fs::read_to_string(fx.path("rules/policy.yaml")).unwrap();

    let run = fx.run(&["diff", "--base", "HEAD", "--format", "json"]);
    run.assert_code(0);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["base"], "HEAD:rules/");
    assert_eq!(v["customers_changed"], 2);
    assert_eq!(
        std::fs::read_to_string(fx.path("rules/policy.yaml")).unwrap(),
        edited,
        "the working copy is untouched"
    );

    let bad = fx.run(&["diff", "--base", "no-such-rev"]);
    bad.assert_code(2);
    bad.assert_stderr_contains(
        "`no-such-rev` is neither a directory nor a revision of the git repository at",
    );

    // A base revision whose rules do not load: its diagnostics, named as the base.
    std::fs::write(
        fx.path("rules/policy.yaml"),
        SMALL_RULES.replace("annual_sales >= 1000", "anual_sales >= 1000"),
    )
    .unwrap();
    git(&["commit", "-q", "-am", "broken"]);
    std::fs::write(fx.path("rules/policy.yaml"), SMALL_RULES).unwrap();
    let broken = fx.run(&["diff", "--base", "HEAD"]);
    broken.assert_code(2);
    broken.assert_stderr_contains("base: unknown name `anual_sales`");
    broken.assert_stderr_contains("--> HEAD:rules/policy.yaml:4:");
}

/// A rules folder that is a symlink to a release (`rules -> releases/v1`, switched to
/// `releases/v2` to deploy): the base revision's rules are what `rules` pointed to in that
/// revision, not that revision's copy of the folder the link points to now (which held the
/// new rules already, and previewed "no change").
#[test]
fn a_symlinked_rules_folder_is_read_as_the_revision_linked_it() {
    let fx = small();
    let git = |args: &[&str]| fx.git(args);
    std::fs::remove_dir_all(fx.path("rules")).unwrap();
    for (release, rules) in [("v1", SMALL_RULES.to_owned()), ("v2", raised())] {
        std::fs::create_dir_all(fx.path(&format!("releases/{release}"))).unwrap();
        std::fs::write(fx.path(&format!("releases/{release}/policy.yaml")), rules).unwrap();
    }
    std::os::unix::fs::symlink("releases/v1", fx.path("rules")).unwrap();
    git(&["init", "-q"]);
    git(&["add", "rules", "releases"]);
    git(&["commit", "-q", "-m", "v1 in force, v2 prepared"]);
    std::fs::remove_file(fx.path("rules")).unwrap();
    std::os::unix::fs::symlink("releases/v2", fx.path("rules")).unwrap();

    let run = fx.run(&["diff", "--base", "HEAD", "--format", "json"]);
    run.assert_code(0);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["base"], "HEAD:releases/v1/");
    assert_eq!(v["customers_changed"], 2, "{}", run.stdout);

    // A link to a folder outside the repository cannot be read out of a revision.
    let outside = tempfile::tempdir().unwrap();
    git(&["rm", "-q", "--cached", "rules"]);
    std::fs::remove_file(fx.path("rules")).unwrap();
    std::os::unix::fs::symlink(outside.path(), fx.path("rules")).unwrap();
    git(&["add", "rules"]);
    git(&["commit", "-q", "-m", "rules outside"]);
    std::fs::write(outside.path().join("policy.yaml"), SMALL_RULES).unwrap();
    let away = fx.run(&["diff", "--base", "HEAD"]);
    away.assert_code(2);
    away.assert_stderr_contains("in revision `HEAD`, `rules` is a link to");
}

#[test]
fn a_base_outside_any_repository_is_a_clear_error() {
    let fx = small();
    let run = fx.run(&["diff", "--base", "main~3"]);
    run.assert_code(2);
    run.assert_stderr_contains("`main~3` is not a directory, and rules is not in a git repository");
}

/// A rules repository another user owns (admins own it, a service user runs tierwise): git
/// refuses it, and the message says so, with a fix a job without a home directory can use,
/// not "not in a git repository". Only where the test runs as root (it gives the repository
/// to `nobody`).
#[test]
fn a_repository_another_user_owns_is_said_to_be_refused_by_git() {
    let uid = std::process::Command::new("id")
        .arg("-u")
        .output()
        .expect("id");
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        eprintln!("skipped: not root, cannot give the repository to another user");
        return;
    }
    let fx = small();
    let git = |args: &[&str]| fx.git(args);
    git(&["init", "-q"]);
    git(&["add", "rules"]);
    git(&["commit", "-q", "-m", "rules"]);
    let chown = std::process::Command::new("chown")
        .args(["-R", "nobody"])
        .arg(fx.dir.path().join(".git"))
        .status()
        .expect("chown");
    assert!(chown.success());
    let run = fx.run(&["diff", "--base", "HEAD"]);
    run.assert_code(2);
    run.assert_stderr_contains("git refuses to read the repository of");
    run.assert_stderr_contains("another user owns it (git: fatal: detected dubious ownership");
    run.assert_stderr_contains("git config --system --add safe.directory");
}

/// The bundled project (config, order history, shipped rules) on a smaller sample.
fn bundled(customers: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_dir(&root.join("config"), &dir.path().join("config"));
    copy_dir(&root.join("rules"), &dir.path().join("rules"));
    let config = dir.path().join("config/tierwise.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text.replace("customers: 10000", &format!("customers: {customers}")),
    )
    .unwrap();
    dir
}

#[test]
fn a_raised_a_threshold_in_the_shipped_rules_matches_sql_over_both_rule_sets_runs() {
    let dir = bundled(3000);
    let root = dir.path();
    copy_dir(&root.join("rules"), &root.join("base"));
    let tiers = root.join("rules/tiers.yaml");
    let text = std::fs::read_to_string(&tiers).unwrap();
    assert!(text.contains("when: sales_rank >= 0.80"));
    std::fs::write(
        &tiers,
        text.replace("when: sales_rank >= 0.80", "when: sales_rank >= 0.90"),
    )
    .unwrap();
    let tw = |args: &[&str]| {
        run_in(
            root,
            &[&["--config", "config/tierwise.yaml"], args].concat(),
        )
    };
    let as_of = ["--as-of", "2026-09-30"];

    let diff = tw(&[&["diff", "--base", "base", "--format", "json"][..], &as_of].concat());
    diff.assert_code(0);
    let v: serde_json::Value = serde_json::from_str(&diff.stdout).unwrap();
    // The same customers evaluated by each rule set and written as runs 1 and 2.
    tw(&[&["run", "--rules", "base"][..], &as_of].concat()).assert_code(0);
    tw(&[&["run"][..], &as_of].concat()).assert_code(0);
    let conn = Connection::open(root.join("data/sample.db")).unwrap();

    // The tier migration matrix.
    let mut sql_matrix: BTreeMap<(String, String), i64> = BTreeMap::new();
    let mut stmt = conn
        .prepare(
            "SELECT a.tier, b.tier, COUNT(*) FROM customer_policy a JOIN customer_policy b
             ON b.customer_id = a.customer_id AND b.run_id = 2 WHERE a.run_id = 1 GROUP BY 1, 2",
        )
        .unwrap();
    for row in stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })
        .unwrap()
    {
        let (a, b, n) = row.unwrap();
        sql_matrix.insert((a, b), n);
    }
    let m = v["matrices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["output"] == "tier")
        .expect("a tier matrix");
    let values: Vec<String> = m["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(values, ["A", "B", "C", "dormant"], "the declared order");
    let mut diff_matrix = BTreeMap::new();
    for (r, row) in m["counts"].as_array().unwrap().iter().enumerate() {
        for (c, n) in row.as_array().unwrap().iter().enumerate() {
            if n.as_i64().unwrap() > 0 {
                diff_matrix.insert((values[r].clone(), values[c].clone()), n.as_i64().unwrap());
            }
        }
    }
    assert_eq!(diff_matrix, sql_matrix);
    let moved = sql_matrix[&("A".to_owned(), "B".to_owned())];
    assert!(moved > 100, "the top 10-20% moved from A to B: {moved}");
    let changed = |output: &str| {
        v["outputs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["output"] == output)
            .unwrap()["changed"]
            .as_i64()
            .unwrap()
    };
    assert_eq!(changed("tier"), moved);

    // Money: totals before and after, from the written policies and the customers' sales as
    // of the same day (the bundled query, bound as a run binds it).
    let query = std::fs::read_to_string(root.join("config/customers.sql")).unwrap();
    conn.execute_batch("CREATE TEMP TABLE c (customer_id TEXT, annual_sales REAL)")
        .unwrap();
    let mut customers = conn.prepare(&query).unwrap();
    let names: Vec<String> = customers.column_names().map(|s| s.to_string()).collect();
    let (id_col, sales_col) = (
        names.iter().position(|n| n == "customer_id").unwrap(),
        names.iter().position(|n| n == "annual_sales").unwrap(),
    );
    let mut sales: Vec<(String, Option<f64>)> = Vec::new();
    let mut rows = customers
        .query(rusqlite::named_params! {":as_of": "2026-09-30", ":period_start": "2026-07-01", ":period_end": "2026-09-30"})
        .unwrap();
    while let Some(r) = rows.next().unwrap() {
        sales.push((r.get(id_col).unwrap(), r.get(sales_col).unwrap()));
    }
    drop(rows);
    let tx = conn.unchecked_transaction().unwrap();
    for (id, s) in &sales {
        tx.execute("INSERT INTO c VALUES (?1, ?2)", rusqlite::params![id, s])
            .unwrap();
    }
    tx.commit().unwrap();
    let sum = |run: i64, expr: &str| -> f64 {
        conn.query_row(
            &format!("SELECT TOTAL({expr}) FROM customer_policy p JOIN c ON c.customer_id = p.customer_id WHERE p.run_id = ?1"),
            [run],
            |r| r.get(0),
        )
        .unwrap()
    };
    let total = |name: &str| {
        v["totals"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == name)
            .unwrap()
            .clone()
    };
    for (name, expr) in [
        (
            "concession_cost",
            "COALESCE(c.annual_sales, 0) * p.discount_pct / 100",
        ),
        ("credit_limit", "p.credit_limit"),
        ("visits_per_month", "p.visits_per_month"),
        (
            "commission_cost",
            "COALESCE(c.annual_sales, 0) * p.commission_pct / 100",
        ),
    ] {
        let t = total(name);
        let (before, after) = (sum(1, expr), sum(2, expr));
        assert!(
            (t["before"].as_f64().unwrap() - before).abs() < 0.01,
            "{name} before: {t} vs SQL {before}"
        );
        assert!(
            (t["after"].as_f64().unwrap() - after).abs() < 0.01,
            "{name} after: {t} vs SQL {after}"
        );
        assert_eq!(t["money"], name != "visits_per_month", "{name}");
    }
    assert!(
        total("concession_cost")["after"].as_f64().unwrap()
            < total("concession_cost")["before"].as_f64().unwrap()
    );

    // The rows that fire for fewer customers: abc-a, by the fired lists of each run.
    let fired = |run: i64, rule: &str| -> i64 {
        conn.query_row(
            "SELECT COUNT(*) FROM customer_policy p JOIN customer_policy_fired f
             ON f.run_id = p.run_id AND f.fired = p.fired, json_each(f.rule_ids) j
             WHERE p.run_id = ?1 AND j.value = ?2",
            rusqlite::params![run, rule],
            |r| r.get(0),
        )
        .unwrap()
    };
    let abc_a = v["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == "abc-a")
        .expect("abc-a changed");
    assert_eq!(abc_a["before"], fired(1, "abc-a"));
    assert_eq!(abc_a["after"], fired(2, "abc-a"));
}

/// The preview of a change that a scheduled `run --strict` refuses said nothing of it: a
/// share compared with a percentage (`on_time_rate >= 90`), a date after today. `diff`
/// carries `run`'s notes on the data and the date.
#[test]
fn diff_notes_what_run_would_note_on_the_data_and_the_date() {
    let fx = small();
    fx.conn()
        .execute_batch("ALTER TABLE customers ADD COLUMN on_time_rate REAL; UPDATE customers SET on_time_rate = 0.85 + rowid / 100.0")
        .unwrap();
    let rules = SMALL_RULES.replace(
        "      - { id: disc-b, when: 'tier == \"B\"', value: 2.0 }",
        "      - { id: disc-b, when: 'tier == \"B\" && on_time_rate >= 90', value: 2.0 }",
    );
    fx.rule("policy.yaml", &rules);
    let diff = fx.run(&["diff", "--base", "base", "--as-of", "2099-12-31"]);
    diff.assert_code(0);
    let notes: Vec<&str> = diff
        .stdout
        .lines()
        .filter(|l| l.starts_with("note: "))
        .collect();
    assert_eq!(notes.len(), 2, "{}", diff.stdout);
    assert!(
        notes[0].starts_with("note: as of 2099-12-31 is after today ("),
        "{}",
        diff.stdout
    );
    assert!(
        notes[1].starts_with("note: rules/policy.yaml:11:61: ")
            && notes[1].contains("`on_time_rate` holds shares in the data (0.86 to 0.9), and it is compared with 90, a percentage")
            && notes[1].ends_with("(`run` notes it, `run --strict` refuses it)"),
        "{}",
        diff.stdout
    );
    let json = fx.run(&[
        "diff",
        "--base",
        "base",
        "--as-of",
        "2099-12-31",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(
        v["notes"].as_array().map(Vec::len),
        Some(2),
        "{}",
        json.stdout
    );
}

/// The preview of a change that makes the rules read a period with no run said nothing,
/// though the scheduled `run --strict` refuses it: "key account only if A two months ago"
/// (`previous_2.tier`) with July skipped would give no one the key account. `diff` carries
/// `run`'s notes on the history the rules read, as `run --strict` words them.
#[test]
fn diff_notes_what_run_would_note_on_the_history_the_rules_read() {
    let fx = small();
    for as_of in ["2026-06-30", "2026-08-31"] {
        fx.run(&["run", "--as-of", as_of]).assert_code(0);
    }
    let rules = SMALL_RULES.replace(
        "summary:",
        "  - name: key\n    rules:\n      - { id: key-a-before, when: 'previous_2.tier == \"A\"', then: { key_account: true } }\n      - { id: key-none, then: { key_account: false } }\nsummary:",
    );
    fx.rule("policy.yaml", &rules);
    let diff = fx.run(&["diff", "--base", "base", "--as-of", "2026-09-30"]);
    diff.assert_code(0);
    let notes: Vec<&str> = (diff.stdout.lines())
        .filter_map(|l| l.strip_prefix("note: "))
        .collect();
    assert_eq!(
        notes,
        [
            "2026-07 has no run (the latest before it is 2026-06, run 1): the rules' `previous_2.tier` would be NULL for every customer (`run` notes it, `run --strict` refuses it)"
        ],
        "{}",
        diff.stdout
    );
    // The same line as the scheduled run refuses with.
    let strict = fx.run(&["run", "--strict", "--as-of", "2026-09-30"]);
    strict.assert_code(1);
    let reason = notes[0].trim_end_matches(" (`run` notes it, `run --strict` refuses it)");
    assert!(strict.stderr.contains(reason), "{}", strict.stderr);
}

/// An output of reasons (`pin #12 by J. Smith until 2026-12-31`) with a dozen values drew
/// a matrix of lines 1,500 characters wide: too wide to draw, its moves are listed instead
/// (from, to, how many customers).
#[test]
fn a_matrix_too_wide_to_draw_lists_its_moves() {
    let fx = small();
    let reason = |words: &str| {
        format!(
            "decisions:\n  - name: reason\n    output: reason\n    rules: [ {{ id: r, value: '= \"{words} \" + customer_id' }} ]\n"
        )
    };
    std::fs::write(
        fx.path("base/policy.yaml"),
        reason("approved by the regional sales director for"),
    )
    .unwrap();
    fx.rule(
        "policy.yaml",
        &reason("approved by the commercial excellence team for"),
    );
    let diff = diff_as(&fx, "text");
    diff.assert_code(0);
    let widest = diff
        .stdout
        .lines()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0);
    assert!(widest < 160, "{widest}:\n{}", diff.stdout);
    assert!(
        diff.stdout.contains("reason: 5 customers changed")
            && diff.stdout.contains(
                "approved by the regional sales director for C1 approved by the commercial excellence team for C1 1"
            ),
        "{}",
        diff.stdout
    );
}

/// A late posting after the period's official run: the preview's "before" was today's data,
/// not the run in force, without a word (a cost the preview said falls rose in the rerun
/// that followed). Said when the recorded run was made with the base rules as of the day.
#[test]
fn a_preview_says_the_data_changed_since_the_recorded_run() {
    let fx = small();
    fx.run_ok(&["--as-of", "2026-09-30"]);
    raise_thresholds(&fx);
    let note = "the customer data changed since 2026-09's recorded run (run 1, as of 2026-09-30, made with the base rules)";
    let same = diff_as(&fx, "text");
    assert!(!same.stdout.contains(note), "{}", same.stdout);
    fx.conn()
        .execute_batch("UPDATE customers SET annual_sales = 9000 WHERE customer_id = 'C3'")
        .unwrap();
    let changed = diff_as(&fx, "text");
    assert!(
        changed.stdout.contains(note)
            && changed
                .stdout
                .contains("concession_cost EUR 778.00 here, EUR 346.00 recorded"),
        "{}",
        changed.stdout
    );
}

/// The period's official run was made with other rules than the base (an edit run but not
/// committed, a run removed with `prune --run`): "before" is what the base rules give, not
/// the policies in force, and a preview of "2 customers change" deployed changes nothing.
#[test]
fn a_preview_says_the_run_in_force_was_made_with_other_rules_than_the_base() {
    let fx = small();
    raise_thresholds(&fx);
    fx.run_ok(&["--as-of", "2026-09-30"]);
    let diff = diff_as(&fx, "text");
    diff.assert_code(0);
    assert!(
        diff.stdout.contains(
            "note: 2026-09's recorded run (run 1, as of 2026-09-30), the policies in force, was made with other rules than the base: \"before\" is what the base rules give, not what that run holds; it was made with the current rules"
        ),
        "{}",
        diff.stdout
    );
    // Made with the base rules: nothing to say.
    fx.rule("policy.yaml", SMALL_RULES);
    fx.run_ok(&["--as-of", "2026-09-30"]);
    raise_thresholds(&fx);
    let same = diff_as(&fx, "text");
    assert!(
        !same.stdout.contains("the policies in force"),
        "{}",
        same.stdout
    );
}

/// A revision whose config differs from the working one (another customers query): both
/// rule sets read the customers as the working config says, so what the config's change
/// does is not in the preview; said, naming the files.
#[test]
fn a_preview_says_the_config_differs_from_the_base_revision() {
    let fx = small();
    std::fs::write(fx.path("customers.sql"), "SELECT * FROM customers").unwrap();
    let config = |query_file: &str| {
        std::fs::write(
            fx.path("config.yaml"),
            format!("database: customers.db\ncustomers: {{ query_file: {query_file}, id_column: customer_id }}\nrules: rules\ncurrency: EUR\n"),
        )
        .unwrap();
    };
    config("customers.sql");
    let git = |args: &[&str]| fx.git(args);
    git(&["init", "-q"]);
    git(&["add", "rules", "config.yaml", "customers.sql"]);
    git(&["commit", "-q", "-m", "rules"]);
    let quiet = fx.run(&["diff", "--base", "HEAD"]);
    quiet.assert_code(0);
    assert!(!quiet.stdout.contains("config"), "{}", quiet.stdout);
    std::fs::write(
        fx.path("customers.sql"),
        "SELECT customer_id, annual_sales * 2 AS annual_sales FROM customers",
    )
    .unwrap();
    let diff = fx.run(&["diff", "--base", "HEAD"]);
    diff.assert_code(0);
    assert!(
        diff.stdout.contains(
            "note: the config differs from HEAD's (customers.sql): both rule sets read the customers as the working config says, so what the config's change does is not in this preview"
        ),
        "{}",
        diff.stdout
    );
    // A query file the revision does not have is a difference too.
    std::fs::copy(fx.path("customers.sql"), fx.path("doubled.sql")).unwrap();
    config("doubled.sql");
    let renamed = fx.run(&["diff", "--base", "HEAD"]);
    assert!(
        renamed
            .stdout
            .contains("note: the config differs from HEAD's (config.yaml, doubled.sql)"),
        "{}",
        renamed.stdout
    );
}

/// Base rules that fail for a customer: the error names the revision's file, not the
/// temporary copy it was read into (deleted when `diff` ends).
#[test]
fn a_base_revision_failing_for_a_customer_names_its_file_in_the_revision() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, annual_sales REAL, orders INTEGER",
        &[
            vec![text("C1"), real(100.0), int(2)],
            vec![text("C2"), real(50.0), int(0)],
        ],
    );
    let rules = |formula: &str| {
        format!(
            "decisions:\n  - name: size\n    rules:\n      - {{ id: per-order, then: {{ size: \"= {formula}\" }} }}\n"
        )
    };
    fx.rule("p.yaml", &rules("annual_sales / orders"));
    fx.git(&["init", "-q"]);
    fx.git(&["add", "rules"]);
    fx.git(&["commit", "-q", "-m", "rules"]);
    fx.rule("p.yaml", &rules("annual_sales / max(orders, 1)"));
    let run = fx.run(&["diff", "--base", "HEAD"]);
    run.assert_code(1);
    run.assert_stderr_contains("customer C2: rule `per-order` failed: division by zero");
    run.assert_stderr_contains("--> HEAD:rules/p.yaml:4:");
    assert!(!run.stderr.contains("tierwise-base-"), "{}", run.stderr);
}

/// A row added with a start after the day previewed (a January promotion approved in
/// December) does not apply that day: "no change", and the approver signed it off unseen.
/// Said, with the `--as-of` that previews it.
#[test]
fn rows_that_start_after_the_day_previewed_are_named() {
    let fx = small();
    fx.rule(
        "policy.yaml",
        &SMALL_RULES.replace(
            "      - { id: disc-a,",
            "      - { id: promo-jan, when: 'tier == \"A\"', value: 9.0, effective: { from: 2026-10-01 } }\n      - { id: disc-a,",
        ),
    );
    let diff = diff_as(&fx, "text");
    diff.assert_code(0);
    assert!(diff.stdout.contains("\nno change: "), "{}", diff.stdout);
    assert!(
        diff.stdout.contains(
            "note: rows that start after 2026-09-30 do not apply on it, so this preview does not show them: `promo-jan` (from 2026-10-01); `--as-of 2026-10-01` previews them"
        ),
        "{}",
        diff.stdout
    );
    let later = fx.run(&["diff", "--base", "base", "--as-of", "2026-10-01"]);
    assert!(
        !later.stdout.contains("do not apply on it"),
        "{}",
        later.stdout
    );
}

/// What `check` and `run` warn of as the rules load (here a text the output never takes)
/// `diff` said nothing of, though the rules previewed were those.
#[test]
fn diff_says_the_warnings_of_the_rules_it_previews() {
    let fx = small();
    fx.rule(
        "policy.yaml",
        &raised().replace("when: 'tier == \"B\"'", "when: 'tier == \"b\"'"),
    );
    let diff = diff_as(&fx, "text");
    diff.assert_code(0);
    diff.assert_stderr_contains("warning: output `tier` is never \"b\"");
}
