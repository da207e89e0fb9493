//! The catalogue of broken inputs: rule files, scripts, configs and databases as people and
//! other systems get them wrong, each with the exact message a user sees and the exit code
//! (0: accepted, with a warning where there is something to say; 1: the data or an
//! evaluation failed; 2: a setting or a rule file must be fixed first). Nothing here may
//! panic, hang or write a partial run.

mod common;

use common::*;
use rusqlite::Connection;
use std::path::Path;

const TIERS: &str = "decisions:\n  - name: tier\n    rules:\n\
                     \x20     - { id: tier-a, when: annual_sales >= 100, then: { tier: A } }\n\
                     \x20     - { id: tier-c, then: { tier: C } }\n";

/// A project with two customers (C1: sales 150, C2: sales 50) and working tier rules.
fn project() -> Fixture {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, annual_sales REAL, region TEXT",
        &[
            vec![text("C1"), real(150.0), text("N")],
            vec![text("C2"), real(50.0), text("S")],
        ],
    );
    fx.rule("tiers.yaml", TIERS);
    fx
}

/// `tierwise <args>` exits with `code` and prints every one of `lines` (stdout or stderr).
fn expect(fx: &Fixture, args: &[&str], code: i32, lines: &[&str]) {
    let run = fx.run(args);
    let all = format!("{}{}", run.stderr, run.stdout);
    assert!(!all.contains("panicked"), "{all}");
    run.assert_code(code);
    for line in lines {
        assert!(all.contains(line), "missing {line:?} in:\n{all}");
    }
}

/// A rule file `bad.yaml` (besides the working rules) and what `check` says of it.
fn bad_rule(yaml: impl AsRef<[u8]>, code: i32, lines: &[&str]) {
    let fx = project();
    std::fs::write(fx.path("rules/bad.yaml"), yaml).unwrap();
    expect(&fx, &["check"], code, lines);
}

/// A script `s.rhai`, a metric `x` calling it, and what `run` says (nothing written).
fn bad_script(script: &str, metric: &str, lines: &[&str]) {
    let fx = project();
    fx.rule("s.rhai", script);
    fx.rule("m.yaml", &format!("metrics:\n  x: {metric}\n"));
    expect(&fx, &["run"], 1, lines);
    assert_eq!(fx.policy_row_count(), 0);
}

/// Customers read from `table` of the database, as the config says.
fn with_table(fx: &Fixture, table: &str, extra: &str) {
    std::fs::write(
        fx.path("config.yaml"),
        format!(
            "database: customers.db\ncustomers: {{ table: {table}, id_column: customer_id{extra} }}\nrules: rules\n"
        ),
    )
    .unwrap();
}

fn with_query(fx: &Fixture, query: &str) {
    std::fs::write(
        fx.path("config.yaml"),
        format!(
            "database: customers.db\ncustomers: {{ query: \"{query}\", id_column: customer_id }}\nrules: rules\n"
        ),
    )
    .unwrap();
}

// ---------------------------------------------------------------------------------------
// Rule files.

#[test]
fn malformed_yaml() {
    bad_rule(
        "decisions:\n  - name: t\n    rules: [\n",
        2,
        &["error: unclosed bracket '['", " --> rules/bad.yaml:3:12"],
    );
}

#[test]
fn a_tab_in_the_indentation() {
    bad_rule(
        "decisions:\n  - name: t\n\trules: []\n",
        2,
        &[
            "error: a tab indents this line",
            " --> rules/bad.yaml:3:1",
            "help: YAML indents with spaces only: replace the tab with spaces",
        ],
    );
}

#[test]
fn a_duplicate_key() {
    bad_rule(
        "decisions:\n  - name: t\n    name: u\n    rules: []\n",
        2,
        &["error: `name` is given twice", " --> rules/bad.yaml:3:5"],
    );
}

#[test]
fn an_unknown_key() {
    bad_rule(
        "decisions:\n  - name: t\n    rulez: []\n",
        2,
        &[
            "error: unknown field `rulez`",
            "help: did you mean `rules`?",
        ],
    );
}

#[test]
fn a_value_of_the_wrong_type() {
    bad_rule(
        "decisions:\n  - name: t\n    rules: 5\n",
        2,
        &[
            "error: a list is expected here: `- item` lines, or `[a, b]`",
            " --> rules/bad.yaml:3:12",
        ],
    );
}

#[test]
fn a_50_mb_rule_file() {
    let line = "  m: annual_sales + 1   # padding padding padding padding padding padding\n";
    let yaml = format!("metrics:\n{}", line.repeat(50 * (1 << 20) / line.len() + 1));
    bad_rule(
        yaml,
        2,
        &["error: this rule file is 50.0 MB; rule files are at most 10 MB"],
    );
}

#[test]
fn ten_thousand_levels_of_nesting() {
    bad_rule(
        format!("decisions: {}{}\n", "[".repeat(10_000), "]".repeat(10_000)),
        2,
        &[
            "error: the file nests too deeply (lists or mappings inside each other, more levels \
             than any rule needs)",
            // A long line is shown cut around the caret.
            "1 | …[[[[",
        ],
    );
}

#[test]
fn an_alias_bomb() {
    let mut rows =
        vec!["      - { id: r0, then: { v: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1] } }".to_owned()];
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        rows.push(format!(
            "      - {{ id: r{i}, then: {{ v: &a{i} [{refs}] }} }}"
        ));
    }
    bad_rule(
        format!("decisions:\n  - name: t\n    rules:\n{}\n", rows.join("\n")),
        2,
        &[
            "error: the file holds too many values (over 250,000; an alias `*name` counts \
           everything its anchor `&name` holds, each time it is used)",
        ],
    );
}

#[test]
fn bytes_that_are_not_utf8() {
    bad_rule(
        b"decisions:\n  - name: t\xff\xfe\n    rules: []\n",
        2,
        &[
            "error: this file is not UTF-8 text: byte 0xFF at line 2, column 12",
            "help: save it as UTF-8",
        ],
    );
}

/// Notepad's "Unicode" (UTF-16 with its byte-order mark) was "not UTF-8: byte 0xFF at line
/// 1, column 1", and every use of its names elsewhere "unknown": it is read as the text it
/// is, for rule files, test files and the config alike.
#[test]
fn files_saved_as_utf16_by_notepad_are_read_as_text() {
    let utf16 = |text: &str, little: bool| -> Vec<u8> {
        let units = text.encode_utf16();
        match little {
            true => [0xFF, 0xFE]
                .into_iter()
                .chain(units.flat_map(u16::to_le_bytes))
                .collect(),
            false => [0xFE, 0xFF]
                .into_iter()
                .chain(units.flat_map(u16::to_be_bytes))
                .collect(),
        }
    };
    let fx = project();
    let tiers = TIERS.replace("tier: C }", "tier: \"Średni\" }");
    std::fs::write(fx.path("rules/tiers.yaml"), utf16(&tiers, true)).unwrap();
    std::fs::create_dir_all(fx.path("rules/tests")).unwrap();
    std::fs::write(
        fx.path("rules/tests/t.yaml"),
        utf16("cases:\n  - name: mały klient\n    customer: { annual_sales: 50 }\n    expect: { tier: Średni }\n", false),
    )
    .unwrap();
    let config = std::fs::read_to_string(fx.path("config.yaml")).unwrap();
    std::fs::write(
        fx.path("config.yaml"),
        utf16(&format!("# konfiguracja łódź\n{config}"), true),
    )
    .unwrap();
    expect(&fx, &["check"], 0, &["no problems found in the rule files"]);
    expect(
        &fx,
        &["test"],
        0,
        &["PASS t.yaml: mały klient", "1 passed, 0 failed"],
    );
    fx.run_ok(&[]);
}

/// A test file and the config saved in Windows' ANSI encoding: the test file was "cannot
/// read: stream did not contain valid UTF-8" with no place, counted as a failed case; the
/// config's help said to run from the project directory, where it was.
#[test]
fn a_test_file_and_the_config_in_another_encoding_say_where_and_what_to_do() {
    let fx = project();
    std::fs::create_dir_all(fx.path("rules/tests")).unwrap();
    std::fs::write(
        fx.path("rules/tests/t.yaml"),
        b"cases:\n  - name: ma\xb3y\n    customer: { annual_sales: 50 }\n    expect: { tier: C }\n",
    )
    .unwrap();
    expect(
        &fx,
        &["test"],
        2,
        &[
            "this file is not UTF-8 text: byte 0xB3 at line 2, column 13 (saved in another encoding, such as Windows' ANSI: save it as UTF-8)",
            "0 passed, 0 failed, 1 not evaluated",
        ],
    );
    let config = std::fs::read(fx.path("config.yaml")).unwrap();
    std::fs::write(
        fx.path("config.yaml"),
        [&b"# \xb3\xf3d\xbc\n"[..], &config].concat(),
    )
    .unwrap();
    let run = fx.run(&["check"]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("byte 0xB3 at line 1, column 3")
            && run
                .stderr
                .contains("save it as UTF-8)\n  = help: in Notepad")
            && !run
                .stderr
                .contains("run tierwise from the project directory"),
        "{}",
        run.stderr
    );
}

/// A zero-width space pasted inside a text (from a mail or a web page) made a text no
/// customer holds, silently: 820 customers missed their row, `check` said no problems.
#[test]
fn an_invisible_character_in_a_rule_text_is_a_warning_at_its_place() {
    let fx = project();
    fx.rule(
        "region.yaml",
        "decisions:\n  - name: zone\n    rules:\n      - { id: north, when: 'region == \"N\u{200b}\"', then: { zone: north } }\n      - { id: other, then: { zone: other } }\n",
    );
    expect(
        &fx,
        &["check"],
        0,
        &[
            "warning: an invisible character, a zero-width space (U+200B), is written here",
            "--> rules/region.yaml:4:41",
        ],
    );
    let run = fx.run_ok(&[]);
    assert!(run.stderr.contains("zero-width space"), "{}", run.stderr);
    // In the data, `explain` shows what the screen would hide: a no-break space looked the
    // same as the text the row compares with.
    fx.conn()
        .execute_batch("UPDATE customers SET region = 'N' || char(160) WHERE customer_id = 'C1'")
        .unwrap();
    let explain = fx.run(&["explain", "C1"]);
    explain.assert_code(0);
    assert!(
        explain.stdout.contains("with region = \"N\\u{a0}\"\n"),
        "{}",
        explain.stdout
    );
}

/// A rule file saved as Windows-1252 (`ä` as the byte 0xE4): its error alone, not "unknown
/// name" in every other file that uses what it defines; JSON gives the error's place.
#[test]
fn a_file_in_another_encoding_does_not_make_its_names_unknown_elsewhere() {
    let fx = project();
    std::fs::write(
        fx.path("rules/stufen.yaml"),
        b"# Stufen f\xe4r Kunden\ndecisions:\n  - name: stufe\n    rules:\n      - { id: s-a, then: { stufe: A } }\n",
    )
    .unwrap();
    fx.rule(
        "kredit.yaml",
        "decisions:\n  - name: kredit\n    rules:\n      - { id: k-a, when: 'stufe == \"A\"', then: { limit: 5 } }\n      - { id: k-rest, then: { limit: 1 } }\n",
    );
    let check = fx.run(&["check", "--format", "json"]);
    check.assert_code(2);
    let json: serde_json::Value = serde_json::from_str(&check.stdout).unwrap();
    let diagnostics = json["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 1, "{}", check.stdout);
    assert_eq!(diagnostics[0]["line"], 1);
    assert_eq!(diagnostics[0]["column"], 11);
}

/// A script saved in Windows' ANSI encoding: its error alone, not also "unknown function"
/// at every call of what it defines.
#[test]
fn a_script_in_another_encoding_does_not_make_its_functions_unknown_elsewhere() {
    let fx = project();
    std::fs::write(
        fx.path("rules/punkty.rhai"),
        b"// punkty za sprzeda\xbf\nfn punkty(x) { x / 100.0 }\n",
    )
    .unwrap();
    fx.rule("m.yaml", "metrics:\n  p: punkty(annual_sales)\n");
    let check = fx.run(&["check", "--format", "json"]);
    check.assert_code(2);
    let json: serde_json::Value = serde_json::from_str(&check.stdout).unwrap();
    let diagnostics = json["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 1, "{}", check.stdout);
    assert!(
        diagnostics[0]["message"]
            .as_str()
            .unwrap()
            .contains("this file is not UTF-8 text: byte 0xBF at line 1, column 21"),
        "{}",
        check.stdout
    );
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let fx = project();
    fx.rule(
        "bom.yaml",
        "\u{feff}decisions:\n  - name: b\n    rules:\n      - { id: b1, then: { b: x } }\n",
    );
    expect(&fx, &["run"], 0, &["run 1: 2 customers"]);
    assert_eq!(
        column(&fx.latest(), "b"),
        common::expect(&[("C1", "x"), ("C2", "x")])
    );
}

#[test]
fn an_empty_rule_file() {
    bad_rule(
        "",
        0,
        &[
            "warning: this rule file defines nothing",
            " --> rules/bad.yaml",
        ],
    );
}

#[test]
fn a_directory_named_like_a_rule_file() {
    let fx = project();
    std::fs::create_dir(fx.path("rules/old.yaml")).unwrap();
    expect(
        &fx,
        &["check"],
        0,
        &[
            "warning: skipped: a directory, not a rule file",
            " --> rules/old.yaml",
        ],
    );
}

#[test]
fn a_broken_symlink() {
    let fx = project();
    std::os::unix::fs::symlink("../shared/credit.yaml", fx.path("rules/credit.yaml")).unwrap();
    expect(
        &fx,
        &["check"],
        2,
        &[
            "error: this rule file is a symbolic link to `../shared/credit.yaml`, which does not exist",
        ],
    );
}

/// Sales of `9e999` (SQLite's infinity, from a bad import): every comparison with it was
/// false, so `where: annual_sales > 0` dropped the customer from the ranking and the biggest
/// customer became the lowest tier, exit 0; `explain` showed NULL. The run stops naming the
/// customer and the column, writing nothing.
#[test]
fn an_infinite_number_in_the_data_stops_the_run_naming_the_customer() {
    let fx = project();
    for (value, said) in [
        ("9e999", "holds infinity"),
        ("-9e999", "holds minus infinity"),
    ] {
        fx.conn()
            .execute_batch(&format!(
                "UPDATE customers SET annual_sales = {value} WHERE customer_id = 'C1'"
            ))
            .unwrap();
        for args in [&["run"][..], &["check", "--data"]] {
            let said = format!("customer C1: column `annual_sales` {said} (SQLite stores");
            expect(&fx, args, 1, &[&said]);
        }
        let c1 = format!("customer C1: column `annual_sales` failed: it {said} (SQLite stores");
        expect(&fx, &["explain", "C1"], 1, &[&c1]);
        // Another customer is explained, with what its figures read for C1's value.
        let c2 = fx.run(&["explain", "C2"]);
        c2.assert_code(0);
        assert!(
            c2.stdout.contains("note: 1 customer holds a value its column does not hold (first: customer C1, column `annual_sales`): `run` stops on it, `run --keep-going` leaves it out; the population figures here read such values as NULL, as that run does\n"),
            "{}",
            c2.stdout
        );
        assert_eq!(fx.policy_row_count(), 0);
        // `fields`, where the messages send users to look, shows what is stored.
        fx.run(&["fields"]).assert_code(0);
    }
}

/// A rule or test file linked to a file outside the rules directory (`/etc/passwd`, a
/// `.env`, `/proc/self/environ`): it was read, and its first line quoted in the error
/// (`unknown name `SECRET_TOKEN``, the line below it), which `serve` shows on `/health` to
/// anyone who can reach it: an admin trusted to edit policy could read the service's
/// secrets. Such a file is not read; a link inside the directory (a Kubernetes ConfigMap's
/// `..data`) still is.
#[test]
fn a_rule_file_linked_outside_the_rules_directory_is_not_read() {
    let fx = project();
    let secret = fx.path("secret.env");
    std::fs::write(
        &secret,
        "SECRET_TOKEN=hunter2-very-secret\nDB_PASSWORD=Pa55w0rd\n",
    )
    .unwrap();
    for name in ["rules/link.rhai", "rules/link.yaml", "rules/link.csv"] {
        std::os::unix::fs::symlink(&secret, fx.path(name)).unwrap();
    }
    let check = fx.run(&["check"]);
    let all = format!("{}{}", check.stdout, check.stderr);
    check.assert_code(2);
    assert!(
        !all.contains("hunter2") && !all.contains("Pa55w0rd"),
        "{all}"
    );
    assert!(!all.contains("SECRET_TOKEN"), "{all}");
    for name in ["link.rhai", "link.yaml", "link.csv"] {
        assert!(all.contains(&format!("--> rules/{name}")), "{all}");
    }
    assert!(
        all.contains("error: not read: a symbolic link to `")
            && all.contains("secret.env`, outside the rules directory"),
        "{all}"
    );
    for name in ["rules/link.rhai", "rules/link.yaml", "rules/link.csv"] {
        std::fs::remove_file(fx.path(name)).unwrap();
    }
    // A test file so linked is skipped, its lines unread.
    std::fs::create_dir_all(fx.path("rules/tests")).unwrap();
    std::fs::write(
        fx.path("rules/tests/tiers.yaml"),
        "cases:\n  - name: big\n    customer: { annual_sales: 150 }\n    expect: { tier: A }\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(&secret, fx.path("rules/tests/zz.yaml")).unwrap();
    let test = fx.run(&["test"]);
    let all = format!("{}{}", test.stdout, test.stderr);
    // Counted as a file that cannot be read: not a silent pass.
    test.assert_code(2);
    assert!(
        !all.contains("hunter2") && !all.contains("SECRET_TOKEN"),
        "{all}"
    );
    assert!(all.contains("not read: a symbolic link to `"), "{all}");
    assert!(all.contains("1 passed, 0 failed, 1 not evaluated"), "{all}");
    // The `tests` folder itself a link outside: its files are outside too.
    std::fs::remove_file(fx.path("rules/tests/zz.yaml")).unwrap();
    let elsewhere = fx.path("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::write(elsewhere.join("app.yaml"), "db_password: hunter2\n").unwrap();
    std::fs::rename(fx.path("rules/tests"), fx.path("tests-kept")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, fx.path("rules/tests")).unwrap();
    let test = fx.run(&["test"]);
    let all = format!("{}{}", test.stdout, test.stderr);
    test.assert_code(2);
    assert!(
        !all.contains("hunter2") && !all.contains("db_password"),
        "{all}"
    );
    std::fs::remove_file(fx.path("rules/tests")).unwrap();
    // A test file linked to a file inside the rules directory is read.
    std::fs::rename(fx.path("tests-kept"), fx.path("rules/tests")).unwrap();
    std::fs::create_dir_all(fx.path("rules/cases")).unwrap();
    std::fs::rename(
        fx.path("rules/tests/tiers.yaml"),
        fx.path("rules/cases/tiers.yaml"),
    )
    .unwrap();
    std::os::unix::fs::symlink("../cases/tiers.yaml", fx.path("rules/tests/tiers.yaml")).unwrap();
    let inside = fx.run(&["test"]);
    inside.assert_code(0);
    assert!(
        inside.stdout.contains("1 passed, 0 failed"),
        "{}",
        inside.stdout
    );
    std::fs::remove_dir_all(fx.path("rules/cases")).unwrap();
    std::fs::remove_dir_all(fx.path("rules/tests")).unwrap();
    // Links that stay inside, as a ConfigMap mounts its files, are rules as before.
    std::fs::create_dir_all(fx.path("rules/..2026_12_01")).unwrap();
    std::fs::rename(
        fx.path("rules/tiers.yaml"),
        fx.path("rules/..2026_12_01/tiers.yaml"),
    )
    .unwrap();
    std::os::unix::fs::symlink("..2026_12_01", fx.path("rules/..data")).unwrap();
    std::os::unix::fs::symlink("..data/tiers.yaml", fx.path("rules/tiers.yaml")).unwrap();
    expect(&fx, &["run"], 0, &["run 1: 2 customers"]);
}

#[test]
fn a_symlink_loop() {
    let fx = project();
    std::os::unix::fs::symlink("b.yaml", fx.path("rules/a.yaml")).unwrap();
    std::os::unix::fs::symlink("a.yaml", fx.path("rules/b.yaml")).unwrap();
    expect(
        &fx,
        &["check"],
        2,
        &[
            "error: this rule file is a symbolic link to `b.yaml`, which leads back to it (a loop of links)",
        ],
    );
}

#[test]
fn a_missing_rules_directory() {
    let fx = project();
    std::fs::remove_dir_all(fx.path("rules")).unwrap();
    expect(
        &fx,
        &["check"],
        2,
        &[
            "error: the rules directory does not exist",
            "help: check `rules:` in the config",
        ],
    );
}

#[test]
fn eval_import_and_sleep_are_not_part_of_the_language() {
    bad_rule(
        "metrics:\n  x: eval(\"1 + 1\")\n",
        2,
        &[
            "error: reserved keyword 'eval' is disabled (in `x`)",
            " --> rules/bad.yaml:2:6",
        ],
    );
    bad_rule(
        "metrics:\n  x: import \"os\" as os; 1\n",
        2,
        &[
            "error: Unexpected 'import' (in `x`)",
            " --> rules/bad.yaml:2:6",
        ],
    );
    bad_rule(
        "metrics:\n  x: sleep(10)\n",
        2,
        &[
            "error: unknown function `sleep` (in `x`)",
            "help: rules cannot wait, read the clock or stop a script",
        ],
    );
}

#[test]
fn a_syntax_error_in_an_expression_and_in_a_script() {
    bad_rule(
        "metrics:\n  x: (annual_sales +\n",
        2,
        &[
            "error: Script is incomplete (in `x`)",
            " --> rules/bad.yaml:2:21",
        ],
    );
    let fx = project();
    fx.rule("s.rhai", "fn f(x) { x + }\n");
    expect(
        &fx,
        &["check"],
        2,
        &["error: Unexpected '}'", " --> rules/s.rhai:1:15"],
    );
}

#[test]
fn a_cycle_of_decisions() {
    bad_rule(
        "decisions:\n  - name: a\n    output: oa\n    rules:\n      - { id: a1, value: \"= ob\" }\n\
         \x20 - name: b\n    output: ob\n    rules:\n      - { id: b1, value: \"= oa\" }\n",
        2,
        &["error: decisions depend on each other's outputs in a cycle: `a` -> `b` -> `a` (in `b`)"],
    );
}

#[test]
fn an_output_named_like_a_column() {
    bad_rule(
        "decisions:\n  - name: r\n    output: region\n    rules:\n      - { id: r1, value: x }\n",
        2,
        &[
            "error: `region` is both a column of the customer source and an output of decision `r` (in `r`)",
        ],
    );
}

#[test]
fn a_name_that_is_no_column() {
    let fx = project();
    fx.rule("tiers.yaml", &TIERS.replace("annual_sales", "anual_sales"));
    expect(
        &fx,
        &["run"],
        2,
        &[
            "error: unknown name `anual_sales` (in `tier-a`)",
            "help: did you mean `annual_sales`?",
        ],
    );
}

// ---------------------------------------------------------------------------------------
// Scripts that do not end or grow without bound: stopped by the sandbox's limits.

#[test]
fn an_endless_loop() {
    bad_script(
        "fn spin(n) { loop { n += 1; } }\n",
        "spin(1)",
        &[
            "error: customer C1: metric `x` failed: Too many operations (a loop that does not end? \
           the limit is `limits.max_operations` in the config)",
        ],
    );
}

#[test]
fn a_slow_rule_inside_every_operation_limit_runs_out_of_time() {
    let fx = project();
    std::fs::write(
        fx.path("config.yaml"),
        "database: customers.db\ncustomers: { table: customers, id_column: customer_id }\n\
         rules: rules\nlimits: { max_operations: 1000000000, max_eval_ms: 200 }\n",
    )
    .unwrap();
    fx.rule("s.rhai", "fn spin(n) { loop { n += 1; } }\n");
    fx.rule("m.yaml", "metrics:\n  x: spin(1)\n");
    let start = std::time::Instant::now();
    expect(
        &fx,
        &["run"],
        1,
        &[
            "error: customer C1: metric `x` failed: the evaluation took longer than its time \
           budget of 200 ms (`limits.max_eval_ms` in the config)",
        ],
    );
    // Stopped by the budget, not by the operations (a billion take minutes).
    assert!(start.elapsed() < std::time::Duration::from_secs(20));
    // The same budget holds in explain and check --data.
    expect(&fx, &["explain", "C1"], 1, &["time budget of 200 ms"]);
    expect(&fx, &["check", "--data"], 1, &["time budget of 200 ms"]);
}

#[test]
fn endless_recursion() {
    bad_script(
        "fn down(n) { down(n + 1) }\n",
        "down(1)",
        &[
            "error: customer C1: metric `x` failed: Stack overflow: functions call each other too \
           deeply (a recursion that does not end? the limit is `limits.max_call_levels` in the config)",
        ],
    );
}

#[test]
fn a_huge_string_and_a_huge_array() {
    bad_script(
        "fn big() { let s = \"x\"; loop { s += s; } }\n",
        "big()",
        &[
            "error: customer C1: metric `x` failed: Length of string too large (text longer than `limits.max_string_size` in the config, 10,000 bytes by default, a letter with an accent taking 2",
        ],
    );
    bad_script(
        "fn big() { let a = [1]; loop { a += a; } }\n",
        "big()",
        &[
            "error: customer C1: metric `x` failed: Size of array/BLOB too large (a list longer than `limits.max_array_size` in the config, 10,000 items by default)",
        ],
    );
}

#[test]
fn integer_overflow_and_division_by_zero() {
    let fx = project();
    fx.rule(
        "m.yaml",
        "metrics:\n  x: 9223372036854775807 + (annual_sales ?? 0).to_int()\n",
    );
    expect(
        &fx,
        &["run"],
        1,
        &["error: customer C1: metric `x` failed: Addition overflow: 9223372036854775807 + 150"],
    );
    fx.rule(
        "m.yaml",
        "metrics:\n  x: 1 % ((annual_sales ?? 0).to_int() - 150)\n",
    );
    expect(
        &fx,
        &["run"],
        1,
        &["error: customer C1: metric `x` failed: Modulo division by zero or overflow: 1 % 0"],
    );
    assert_eq!(fx.policy_row_count(), 0);
}

// ---------------------------------------------------------------------------------------
// Configs.

#[test]
fn a_missing_config_and_an_unknown_config_key() {
    let fx = project();
    std::fs::remove_file(fx.path("config.yaml")).unwrap();
    expect(
        &fx,
        &["check"],
        2,
        &[
            "error: cannot read the config file config.yaml",
            "help: run tierwise from the project directory, or pass --config FILE",
        ],
    );
    std::fs::write(
        fx.path("config.yaml"),
        "database: customers.db\ncustomers: { table: customers, id_column: customer_id }\nrules: rules\ndatabse: x\n",
    )
    .unwrap();
    expect(
        &fx,
        &["check"],
        2,
        &[
            "error: unknown field `databse`",
            " --> config.yaml:4:1",
            "help: did you mean `database`?",
        ],
    );
}

/// A copy of the bundled config pointed at real data, its `sample:` section left in and the
/// path mistyped: an error, not a run on made-up customers.
#[test]
fn a_config_with_a_sample_section_and_a_mistyped_real_database() {
    let fx = project();
    std::fs::write(
        fx.path("config.yaml"),
        "database: prod_typo.db\nsample: { customers: 50, seed: 1 }\ncustomers: { table: customers, id_column: customer_id }\nrules: rules\n",
    )
    .unwrap();
    expect(
        &fx,
        &["run"],
        2,
        &[
            "error: the customer database prod_typo.db does not exist; the config's `sample:` section generates sample data only into a file named like a sample",
            "help: for real data, check `database:` and remove the `sample:` section",
        ],
    );
    assert!(!fx.path("prod_typo.db").exists());
    // Named as a sample, it is generated.
    std::fs::write(
        fx.path("config.yaml"),
        "database: my_sample.db\nsample: { customers: 50, seed: 1 }\nrules: rules\n",
    )
    .unwrap();
    std::fs::write(
        fx.path("rules/tiers.yaml"),
        "decisions:\n  - name: tier\n    rules:\n      - { id: tier-all, then: { tier: C } }\n",
    )
    .unwrap();
    expect(
        &fx,
        &["run"],
        0,
        &["generating a sample of 50 customers", "run 1: 50 customers"],
    );
}

/// Two first runs at once with a `sample:` config (two terminals, or a scheduler and a
/// person): both generate the sample; the one that finishes second uses the first's (the
/// same seed gives the same customers) instead of failing.
#[test]
fn two_first_runs_at_once_share_the_generated_sample() {
    let fx = project();
    std::fs::write(
        fx.path("config.yaml"),
        "database: data/sample.db\nsample: { customers: 3000, seed: 1 }\nrules: rules\n",
    )
    .unwrap();
    let start = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_tierwise"))
            .current_dir(fx.dir.path())
            .args(["--config", "config.yaml", "run"])
            .output()
            .unwrap()
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(start);
        let b = s.spawn(start);
        (a.join().unwrap(), b.join().unwrap())
    });
    for run in [&a, &b] {
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(run.status.success(), "{stderr}");
        assert!(!stderr.contains("already exists"), "{stderr}");
    }
    // Both runs are in the one database (neither wrote into a file the other replaced).
    let conn = Connection::open(fx.path("data/sample.db")).unwrap();
    let ok: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM policy_run WHERE status = 'ok'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(ok, 2);
}

// ---------------------------------------------------------------------------------------
// Databases.

/// A run on no customers (a snapshot query given a date the data does not hold, an empty
/// table) would replace its period's run with nothing: refused, and the run before stays
/// official.
#[test]
fn a_source_with_no_customers_as_of_the_date_is_refused_and_keeps_the_run_before() {
    let fx = project();
    let conn = fx.conn();
    conn.execute_batch(
        "CREATE TABLE snapshot AS SELECT customer_id, annual_sales, '2026-09-30' AS as_of FROM customers",
    )
    .unwrap();
    with_query(
        &fx,
        "SELECT customer_id, annual_sales FROM snapshot WHERE as_of = :as_of",
    );
    fx.run_ok(&["--as-of", "2026-09-30"]);
    expect(
        &fx,
        &["run", "--as-of", "2026-09-29"],
        1,
        &[
            "error: the customers query holds no customer as of 2026-09-29: nothing was written, earlier runs are intact",
            "help: the customers query selects rows by the run's date (`:as_of`, `:period_start`, `:period_end`): give `--as-of` a date the data holds",
            "the latest recorded run is 2026-09's (run 1, as of 2026-09-30): `--as-of 2026-09-30` reads the data as of it",
        ],
    );
    assert_eq!(fx.policy_row_count(), 2);
    expect(
        &fx,
        &["explain", "C1", "--as-of", "2026-09-29"],
        1,
        &["error: the customers query holds no customer as of 2026-09-29"],
    );
    let latest: i64 = conn
        .query_row("SELECT COUNT(*) FROM customer_policy_latest", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(latest, 2);
    conn.execute_batch("DELETE FROM customers").unwrap();
    with_table(&fx, "customers", "");
    expect(
        &fx,
        &["run"],
        1,
        &[
            "error: table `customers` holds no customer as of",
            "help: load the customers first",
        ],
    );
}

#[test]
fn a_missing_database() {
    let fx = Fixture::new();
    fx.rule("tiers.yaml", TIERS);
    expect(
        &fx,
        &["run"],
        2,
        &["error: the customer database customers.db does not exist"],
    );
}

#[test]
fn a_file_that_is_not_sqlite() {
    let fx = Fixture::new();
    fx.rule("tiers.yaml", TIERS);
    std::fs::write(
        fx.db_path(),
        "customer_id,annual_sales\nC1,150\n".repeat(200),
    )
    .unwrap();
    expect(
        &fx,
        &["run"],
        2,
        &["error: the customer database customers.db is not a SQLite database"],
    );
}

#[test]
fn a_zero_byte_database() {
    let fx = Fixture::new();
    fx.rule("tiers.yaml", TIERS);
    std::fs::write(fx.db_path(), "").unwrap();
    expect(
        &fx,
        &["run"],
        2,
        &[
            "error: there is no table `customers` in the customer database customers.db (it has no tables)",
        ],
    );
}

#[test]
fn a_missing_table_or_id_column() {
    let fx = project();
    with_table(&fx, "clients", "");
    expect(
        &fx,
        &["run"],
        2,
        &[
            "error: there is no table `clients` in the customer database customers.db (its tables: customers)",
        ],
    );
    std::fs::write(
        fx.path("config.yaml"),
        "database: customers.db\ncustomers: { table: customers, id_column: cust_no }\nrules: rules\n",
    )
    .unwrap();
    expect(
        &fx,
        &["run"],
        2,
        &[
            "error: the id column `cust_no` is not a column of the customer source (columns: customer_id, annual_sales, region)",
        ],
    );
}

/// A second table `c2` with the given rows (id, sales) and the config reading it.
fn second_table(fx: &Fixture, rows: &[(Option<&str>, f64)]) {
    let conn = fx.conn();
    conn.execute_batch("CREATE TABLE c2 (customer_id TEXT, annual_sales REAL)")
        .unwrap();
    for (id, sales) in rows {
        conn.execute(
            "INSERT INTO c2 VALUES (?1, ?2)",
            rusqlite::params![id, sales],
        )
        .unwrap();
    }
    with_table(fx, "c2", "");
}

#[test]
fn duplicate_and_null_ids() {
    let fx = project();
    second_table(&fx, &[(Some("C1"), 1.0), (Some("C1"), 2.0)]);
    expect(
        &fx,
        &["run"],
        1,
        &["error: customer id C1 appears more than once in the customer source"],
    );
    let fx = project();
    second_table(&fx, &[(Some("C1"), 1.0), (None, 2.0)]);
    expect(
        &fx,
        &["run"],
        1,
        &["error: customer number 2 (in source order) has no id: column `customer_id` is NULL"],
    );
    assert_eq!(fx.policy_row_count(), 0);
}

#[test]
fn text_in_a_number_column() {
    let fx = project();
    fx.conn()
        .execute(
            "UPDATE customers SET annual_sales = 'lots' WHERE customer_id = 'C2'",
            [],
        )
        .unwrap();
    expect(
        &fx,
        &["run"],
        1,
        &[
            "error: customer C2: column `annual_sales` holds the text \"lots\", which is not a number",
        ],
    );
}

#[test]
fn binary_data_and_a_date_that_is_not_one() {
    let fx = project();
    fx.conn()
        .execute(
            "UPDATE customers SET region = x'00ff' WHERE customer_id = 'C2'",
            [],
        )
        .unwrap();
    fx.rule("r.yaml", "decisions:\n  - name: rr\n    output: reg\n    rules:\n      - { id: r1, value: \"= region\" }\n");
    expect(
        &fx,
        &["run"],
        1,
        &[
            "error: customer C2: column `region` holds binary data (a BLOB), which rules cannot read",
        ],
    );
    let fx = project();
    fx.conn().execute_batch("ALTER TABLE customers ADD COLUMN opened TEXT; UPDATE customers SET opened = '2024-01-01'; UPDATE customers SET opened = 'last spring' WHERE customer_id = 'C2';").unwrap();
    with_table(&fx, "customers", ", dates: [opened]");
    fx.rule("o.yaml", "metrics:\n  opened_year: year(opened)\n");
    expect(
        &fx,
        &["run"],
        1,
        &["error: customer C2: column `opened` holds `last spring`, which is not a date"],
    );
    // Column names are the same in any case, as in SQLite.
    with_table(&fx, "customers", ", dates: [OPENED]");
    expect(
        &fx,
        &["run"],
        1,
        &["error: customer C2: column `opened` holds `last spring`, which is not a date"],
    );
    // A misspelt date column is the config's mistake, said by `check` already (`run` failed
    // later on the real column, advising to list it under `customers.dates`).
    with_table(&fx, "customers", ", dates: [opend]");
    for args in [&["check"][..], &["run"][..]] {
        expect(
            &fx,
            args,
            2,
            &[
                "error: `customers.dates` in the config names `opend`, which is not a column of the customer source: did you mean `opened`?",
            ],
        );
    }
}

#[test]
fn a_boolean_column_holding_another_value() {
    let fx = project();
    fx.conn()
        .execute_batch("ALTER TABLE customers ADD COLUMN vip BOOLEAN; UPDATE customers SET vip = 0; UPDATE customers SET vip = 2 WHERE customer_id = 'C2';")
        .unwrap();
    fx.rule("v.yaml", "decisions:\n  - name: v\n    rules:\n      - { id: v1, when: vip, then: { vip_tier: yes } }\n");
    expect(
        &fx,
        &["run"],
        1,
        &["customer C2: column `vip` holds the number 2, which is not true/false"],
    );
}

/// An ERP export's `Y`/`N` in a BOOLEAN column: the conversion offered, pasted into a query
/// with the column under `customers.booleans`, reads it as true/false (a query could not
/// say a column holds true/false).
#[test]
fn yes_no_text_in_a_boolean_column_converts_as_the_help_says() {
    let fx = project();
    fx.conn()
        .execute_batch("ALTER TABLE customers ADD COLUMN vip BOOLEAN; UPDATE customers SET vip = 'Y'; UPDATE customers SET vip = 'n' WHERE customer_id = 'C2';")
        .unwrap();
    fx.rule("v.yaml", "decisions:\n  - name: v\n    rules:\n      - { id: v1, when: vip, then: { vip_tier: gold } }\n      - { id: v2, then: { vip_tier: none } }\n");
    let conversion = "CASE WHEN UPPER(TRIM(\"vip\")) IN ('Y', 'YES', 'TRUE', 'T') THEN 1 WHEN UPPER(TRIM(\"vip\")) IN ('N', 'NO', 'FALSE', 'F') THEN 0 ELSE \"vip\" END AS \"vip\"";
    expect(
        &fx,
        &["run"],
        1,
        &[
            "customer C1: column `vip` holds the text \"Y\", which is not true/false",
            &format!(
                "yes/no text converts in the customers query (`customers.query`): `{conversion}`, with `vip` listed under `customers.booleans`"
            ),
        ],
    );
    let config = "database: customers.db\nrules: rules\n";
    std::fs::write(
        fx.path("config.yaml"),
        format!("{config}customers:\n  booleans: [VIP]\n  query: SELECT customer_id, annual_sales, {conversion} FROM customers\n"),
    )
    .unwrap();
    fx.run_ok(&[]);
    assert_eq!(
        column(&fx.latest(), "vip_tier"),
        common::expect(&[("C1", "gold"), ("C2", "none")])
    );
    // A name that is no column is said, as for `customers.dates`.
    std::fs::write(
        fx.path("config.yaml"),
        format!("{config}customers:\n  booleans: [vipp]\n"),
    )
    .unwrap();
    expect(
        &fx,
        &["run"],
        2,
        &[
            "`customers.booleans` in the config names `vipp`, which is not a column of the customer source: did you mean `vip`?",
        ],
    );
}

/// Rewrites `from` in the schema of table `customers` to `to` followed by the byte `hex`
/// (SQL text is UTF-8: a name that is not is written into the schema as a blob cast to text),
/// as `sqlite3 .import` of a Windows-1252 file leaves a header `Umsatz_ä`.
fn schema_with_byte(fx: &Fixture, from: &str, to: &str, hex: &str) {
    fx.conn()
        .execute_batch(&format!(
            "PRAGMA writable_schema = ON;
             UPDATE sqlite_schema SET sql = replace(sql, '{from}', '{to}' || CAST(X'{hex}' AS TEXT))
             WHERE name = 'customers';
             PRAGMA writable_schema = OFF;"
        ))
        .unwrap();
}

/// A column name that is not UTF-8: every command says which column and how to rename it,
/// for a table and a query, instead of rusqlite's panic. The renames it suggests work.
#[test]
fn a_column_name_that_is_not_utf8() {
    let fx = project();
    fx.conn()
        .execute_batch("ALTER TABLE customers ADD COLUMN umsatz_x REAL")
        .unwrap();
    schema_with_byte(&fx, "umsatz_x", "Umsatz_", "E4");
    let error = "error: the customer source (table `customers`) has a column whose name is not UTF-8: `Umsatz_\\xE4` (column 4)";
    for command in [&["check"][..], &["fields"], &["run"], &["explain", "C1"]] {
        expect(
            &fx,
            command,
            1,
            &[
                error,
                "help: the name is in another encoding (a Windows-1252 or Latin-1 file imported as it was): rename the column, giving its bytes as they are (in a shell: printf 'ALTER TABLE \"customers\" RENAME COLUMN \"Umsatz_\\xE4\" TO \"Umsatz_ä\";' | sqlite3 customers.db), or read it under a UTF-8 name with a `customers.query` that names every column: WITH c(\"customer_id\", \"annual_sales\", \"region\", \"Umsatz_ä\") AS (SELECT * FROM \"customers\") SELECT * FROM c",
            ],
        );
    }
    assert_eq!(fx.policy_row_count(), 0);
    with_query(&fx, "SELECT * FROM customers WHERE annual_sales > 0");
    expect(
        &fx,
        &["run"],
        1,
        &[
            "error: the customer source (the customers query) has a column whose name is not UTF-8: `Umsatz_\\xE4` (column 4)",
            "printf 'ALTER TABLE <table> RENAME COLUMN",
            "WITH c(\"customer_id\", \"annual_sales\", \"region\", \"Umsatz_ä\") AS (<the query>) SELECT * FROM c",
        ],
    );
    // The query the help gives reads the column under its name in UTF-8.
    with_query(
        &fx,
        "WITH c(customer_id, annual_sales, region, \\\"Umsatz_ä\\\") AS (SELECT * FROM customers) SELECT * FROM c",
    );
    expect(&fx, &["fields"], 0, &["Umsatz_ä", "a number (declared)"]);
}

/// A declared type that is not UTF-8 (`INTEGE\xD2`): an error naming the column and its
/// type, and the help's query (the column as an expression) reads the values as they are.
#[test]
fn a_declared_type_that_is_not_utf8() {
    let fx = project();
    fx.conn()
        .execute_batch(
            "ALTER TABLE customers ADD COLUMN orders INTEGEX; UPDATE customers SET orders = 3",
        )
        .unwrap();
    schema_with_byte(&fx, "INTEGEX", "INTEGE", "D2");
    expect(
        &fx,
        &["fields"],
        1,
        &[
            "error: the customer source (table `customers`) declares column `orders` with a type that is not UTF-8: `INTEGE\\xD2`",
            "help: SQLite reads the type as INTEGER; give the column a UTF-8 type (create the table again), or read it in a `customers.query` as an expression, which declares no type and keeps every value as it is: SELECT \"customer_id\", \"annual_sales\", \"region\", +\"orders\" AS \"orders\" FROM \"customers\"",
        ],
    );
    expect(
        &fx,
        &["run"],
        1,
        &["with a type that is not UTF-8: `INTEGE\\xD2`"],
    );
    with_query(
        &fx,
        "SELECT customer_id, annual_sales, region, +orders AS orders FROM customers",
    );
    expect(&fx, &["fields"], 0, &["orders"]);
    expect(&fx, &["run"], 0, &["run 1: 2 customers"]);
}

/// A column added by hand to a table a run writes, with a name that is not UTF-8: every
/// command that reads the table names it (no rusqlite type error), and the help's command
/// removes it.
#[test]
fn an_output_column_whose_name_is_not_utf8() {
    let fx = project();
    fx.run_ok(&[]);
    fx.conn()
        .execute_batch(
            "ALTER TABLE policy_run ADD COLUMN note_x TEXT;
             PRAGMA writable_schema = ON;
             UPDATE sqlite_schema SET sql = replace(sql, 'note_x', 'note_' || CAST(X'E4' AS TEXT))
             WHERE name = 'policy_run';
             PRAGMA writable_schema = OFF;",
        )
        .unwrap();
    let error = "error: table `policy_run` has a column whose name is not UTF-8: `note_\\xE4`; tierwise writes no such column (it was added or changed by hand or by another program)";
    let help = "help: drop or rename the column (in a shell, which gives sqlite3 its bytes: printf 'ALTER TABLE \"policy_run\" DROP COLUMN \"note_\\xE4\";' | sqlite3 customers.db)";
    for command in [
        &["run"][..],
        &["history", "C1"],
        &["changes"],
        &["explain", "C1"],
    ] {
        expect(&fx, command, 1, &[error, help]);
    }
}

/// Text that is not UTF-8 (a Latin-1 import: `S\xFCd`) is an error naming the customer, the
/// column and the bytes, never read with a replacement character: that stored `M\u{FFFD}`
/// as the id of `M\xFC` (no longer the source's id) and made `M\xFC` and `M\xE4` one
/// customer ("appears more than once"). The help's conversion reads it.
#[test]
fn text_that_is_not_utf8() {
    let fx = project();
    fx.rule(
        "r.yaml",
        "decisions:\n  - name: rr\n    output: reg\n    rules:\n      - { id: r1, value: \"= region\" }\n",
    );
    fx.conn()
        .execute_batch(
            "UPDATE customers SET region = CAST(X'53FC64' AS TEXT) WHERE customer_id = 'C2';
             INSERT INTO customers VALUES ('C3', 10, CAST(X'53FC64' AS TEXT)), ('C4', 10, CAST(X'4EF6726420' AS TEXT));",
        )
        .unwrap();
    for command in [&["run"][..], &["explain", "C1"], &["fields"]] {
        expect(
            &fx,
            command,
            1,
            &[
                "error: customer C2: column `region` holds the text \"S\\xFCd\", which is not UTF-8 (and 2 more customers)",
                "help: the text is in another encoding (a Windows-1252 or Latin-1 file imported as it was; as Windows-1252 it reads \"Süd\"): import the file again converted to UTF-8 (iconv -f WINDOWS-1252 -t UTF-8), convert the values in the database byte by byte (UPDATE \"customers\" SET \"region\" = REPLACE(\"region\", CAST(X'FC' AS TEXT), 'ü')), or convert them in `customers.query` (REPLACE(\"region\", CAST(X'FC' AS TEXT), 'ü') AS \"region\")",
            ],
        );
    }
    assert_eq!(fx.policy_row_count(), 0);
    with_query(
        &fx,
        "SELECT customer_id, annual_sales, REPLACE(REPLACE(region, CAST(X'FC' AS TEXT), 'ü'), CAST(X'F6' AS TEXT), 'ö') AS region FROM customers",
    );
    fx.run_ok(&[]);
    let regions: Vec<String> = fx
        .conn()
        .prepare("SELECT reg FROM customer_policy ORDER BY customer_id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(regions, ["N", "Süd", "Süd", "Nörd "]);

    // Ids: two customers whose ids differ only in a byte that is not UTF-8.
    let fx = project();
    fx.conn()
        .execute_batch(
            "INSERT INTO customers VALUES (CAST(X'4DFC' AS TEXT), 10, 'N'), (CAST(X'4DE4' AS TEXT), 10, 'N');",
        )
        .unwrap();
    expect(
        &fx,
        &["run"],
        1,
        &[
            "error: customer number 3 (in source order) has the id \"M\\xFC\" in column `customer_id`, which is not UTF-8",
            "help: the id is in another encoding (a Windows-1252 or Latin-1 file imported as it was; as Windows-1252 it reads \"Mü\"): import the file again converted to UTF-8 (iconv -f WINDOWS-1252 -t UTF-8), or convert the ids in the database byte by byte, in every table that holds them (UPDATE \"customers\" SET \"customer_id\" = REPLACE(\"customer_id\", CAST(X'FC' AS TEXT), 'ü')); converted in `customers.query` instead, the policies' ids would not match the table's",
        ],
    );
    let run = fx.run(&["run"]);
    assert!(!run.stderr.contains("more than once"), "{}", run.stderr);
    assert_eq!(fx.policy_row_count(), 0);
}

/// A value of a past run that is not UTF-8 (changed by hand: tierwise writes only UTF-8) is
/// named where it is read back (history, changes, explain), not read as `A\u{FFFD}`.
#[test]
fn an_output_value_that_is_not_utf8() {
    let fx = project();
    fx.run_ok(&["--as-of", "2026-06-30"]);
    fx.run_ok(&["--as-of", "2026-09-30"]);
    fx.conn()
        .execute(
            "UPDATE customer_policy SET tier = CAST(X'41FC' AS TEXT) WHERE customer_id = 'C2' AND run_id = 1",
            [],
        )
        .unwrap();
    let lines = [
        "error: table `customer_policy`, run 1: customer C2's `tier` holds the text \"A\\xFC\", which is not UTF-8; tierwise writes only UTF-8, so it was changed by hand or by another program",
        "help: write the value again in UTF-8, or remove the run (`tierwise prune --run 1`)",
    ];
    for command in [
        &["history", "C2"][..],
        &["changes", "--output", "tier"],
        &["explain", "C2", "--as-of", "2026-06-30"],
    ] {
        expect(&fx, command, 1, &lines);
    }
}

#[test]
fn a_query_with_a_syntax_error_and_a_query_that_writes() {
    let fx = project();
    with_query(
        &fx,
        "SELECT customer_id, annual_sales FROM customers WHER annual_sales > 0",
    );
    expect(
        &fx,
        &["run"],
        2,
        &[
            "error: the customer source (the customers query) cannot be read: near \"annual_sales\": syntax error (line 1 of the query: `SELECT customer_id, annual_sales FROM customers WHER annual_sales > 0`)",
        ],
    );
    // A query of many lines: the line SQLite stopped at, not the whole query quoted.
    std::fs::write(
        fx.path("customers.sql"),
        "-- the customers\nSELECT customer_id,\n       annual_salez AS annual_sales\nFROM customers\n",
    )
    .unwrap();
    std::fs::write(
        fx.path("config.yaml"),
        "database: customers.db\ncustomers: { query_file: customers.sql, id_column: customer_id }\nrules: rules\n",
    )
    .unwrap();
    let run = fx.run(&["run"]);
    run.assert_code(2);
    assert_eq!(
        run.stderr.lines().next(),
        Some(
            "error: the customer source (the customers query) cannot be read: no such column: annual_salez (line 3 of the query: `annual_salez AS annual_sales`)"
        ),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("-- the customers"), "{}", run.stderr);
    with_query(
        &fx,
        "DELETE FROM customers RETURNING customer_id, annual_sales",
    );
    expect(
        &fx,
        &["run"],
        2,
        &[
            "error: the customers query must read (begin with SELECT or WITH); it begins with `DELETE`",
        ],
    );
    let left: i64 = fx
        .conn()
        .query_row("SELECT count(*) FROM customers", [], |r| r.get(0))
        .unwrap();
    assert_eq!(left, 2);
    // Behind a block comment too: the comment is no reason to refuse a SELECT, nor to hide
    // a DELETE ("it begins with ``").
    with_query(
        &fx,
        "/* x */ DELETE FROM customers RETURNING customer_id, annual_sales",
    );
    expect(&fx, &["run"], 2, &["it begins with `DELETE`"]);
    with_query(
        &fx,
        "/* both units' customers */ SELECT customer_id, annual_sales, region FROM customers",
    );
    expect(&fx, &["run"], 0, &["run 1: 2 customers"]);
}

#[test]
fn a_database_locked_by_another_process() {
    let fx = project();
    let holder = Connection::open(fx.db_path()).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE").unwrap();
    expect(
        &fx,
        &["run"],
        1,
        &[
            "error: the customer database customers.db is locked by another process (a run, an \
             import or a backup writing to it): waited 10 s",
            "help: try again when that process has finished",
        ],
    );
    holder.execute_batch("ROLLBACK").unwrap();
    expect(&fx, &["run"], 0, &["run 1: 2 customers"]);
    assert!(Path::new(&fx.db_path()).exists());
}

/// `history` and `changes` kept out by another process's exclusive lock: `locked`, as `run`
/// is, a kind a scheduler retries (they said `output`, "cannot read runs from ...").
#[test]
fn history_and_changes_of_a_database_locked_by_another_process() {
    let fx = project();
    fx.run_ok(&[]);
    let holder = Connection::open(fx.db_path()).unwrap();
    holder
        .execute_batch("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE;")
        .unwrap();
    for args in [&["history", "1"][..], &["changes"]] {
        let run = fx.run(&[args, &["--format", "json"]].concat());
        let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(json["error"]["kind"], "locked", "{json}");
        assert_eq!(json["error"]["exit_code"], 1, "{json}");
        assert!(
            json["error"]["message"]
                .as_str()
                .unwrap()
                .contains("is locked by another process"),
            "{json}"
        );
    }
    holder.execute_batch("ROLLBACK").unwrap();
}

/// Written to while another process holds the write lock (readers go on in WAL mode): the
/// run waits 10 s for it, says so, and does not wait as long again to record its failure.
#[test]
fn a_database_another_process_writes_to() {
    let fx = project();
    fx.run_ok(&[]);
    let holder = Connection::open(fx.db_path()).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let started = std::time::Instant::now();
    expect(
        &fx,
        &["run"],
        1,
        &[
            "error: cannot write results to",
            "and stayed locked for 10 s",
        ],
    );
    let run = fx.run(&["run", "--format", "json"]);
    assert!(
        !run.stderr.contains("could not record the failed run"),
        "{}",
        run.stderr
    );
    // A scheduler tells a lock (try later) from an error to fix.
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["error"]["kind"], "locked", "{json}");
    assert_eq!(json["error"]["exit_code"], 1, "{json}");
    // Two runs of one 10 s wait each, not two waits each (and no record: run ids go on at 2).
    assert!(
        started.elapsed() < std::time::Duration::from_secs(36),
        "{:?}",
        started.elapsed()
    );
    holder.execute_batch("ROLLBACK").unwrap();
    expect(&fx, &["run"], 0, &["run 2: 2 customers"]);
}

/// Makes `path` read-only for this process: `chattr +i` (which binds root too, where the
/// file system has it), else the permission bits; `false` when neither holds (the test has
/// nothing to test then, and says so).
fn make_read_only(path: &Path) -> bool {
    let immutable = std::process::Command::new("chattr")
        .arg("+i")
        .arg(path)
        .output()
        .is_ok_and(|o| o.status.success());
    if !immutable {
        let mut perms = std::fs::metadata(path).unwrap().permissions();
        perms.set_readonly(true);
        std::fs::set_permissions(path, perms).unwrap();
    }
    let writable = Connection::open(path)
        .and_then(|c| c.execute_batch("CREATE TABLE probe (x); DROP TABLE probe;"))
        .is_ok();
    !writable
}

fn make_writable(path: &Path) {
    let _ = std::process::Command::new("chattr")
        .arg("-i")
        .arg(path)
        .output();
    let mut perms = std::fs::metadata(path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(path, perms).unwrap();
}

#[test]
fn a_read_only_database() {
    let fx = project();
    let db = fx.db_path();
    if !make_read_only(&db) {
        make_writable(&db);
        eprintln!("skipped: this user can write any file here (root without chattr)");
        return;
    }
    let run = fx.run(&["run"]);
    make_writable(&db);
    let all = format!("{}{}", run.stderr, run.stdout);
    assert!(!all.contains("panicked"), "{all}");
    // A setting to fix, not a run to try again.
    run.assert_code(2);
    assert!(
        all.contains(
            "error: cannot write results to customer_policy: the database is read-only (its file, \
             or the folder it is in, cannot be written by this user, or it is on a read-only \
             disk); nothing was written"
        ),
        "{all}"
    );
    assert!(!all.contains("could not record"), "{all}");
    // The database is as it was: the next run, once it can write, works.
    expect(&fx, &["run"], 0, &["run 1: 2 customers"]);
}

/// A `-shm` file beside the database that this user cannot write (an analyst who may only
/// read the database ran `history`, and SQLite left its -wal and -shm, owned by them): the
/// owner's next run failed as "read-only (its file, or the folder ...)", both writable. The
/// error names the file, its owner, and what to do.
#[test]
fn a_shm_file_this_user_cannot_write_is_named() {
    let fx = project();
    let db = fx.db_path();
    let beside = |suffix: &str| db.with_file_name(format!("customers.db{suffix}"));
    std::fs::write(beside("-wal"), b"").unwrap();
    std::fs::write(beside("-shm"), b"").unwrap();
    // Another user's (as the analyst's): only root can give it away here.
    #[cfg(unix)]
    if std::os::unix::fs::chown(beside("-shm"), Some(65534), Some(65534)).is_err() {
        eprintln!("skipped: only root can give a file to another user");
        return;
    }
    if !make_read_only(&beside("-shm")) {
        make_writable(&beside("-shm"));
        eprintln!("skipped: this user can write any file here (root without chattr)");
        return;
    }
    let run = fx.run(&["run"]);
    make_writable(&beside("-shm"));
    run.assert_code(2);
    run.assert_stderr_contains("customers.db-shm beside the database belongs to user ");
    run.assert_stderr_contains(
        ", and this user cannot write it, so SQLite opens the database read-only; nothing was written",
    );
    run.assert_stderr_contains(
        "remove the database's -wal and -shm files while no tierwise uses the database (an empty -wal file holds nothing)",
    );
    std::fs::remove_file(beside("-shm")).unwrap();
    std::fs::remove_file(beside("-wal")).unwrap();
    expect(&fx, &["run"], 0, &["run 1: 2 customers"]);
}

/// A file-size limit (`ulimit -f`) reached while a run writes: SIGXFSZ killed the process
/// without a word (exit 153 in the shell), possibly after its commit. The write fails with
/// an error the run reports, and nothing of the run is kept.
#[cfg(target_os = "linux")]
#[test]
fn a_file_size_limit_is_an_error_not_a_silent_kill() {
    let fx = project();
    let rows: Vec<Vec<rusqlite::types::Value>> = (0..6000)
        .map(|i| vec![text(&format!("K{i:05}")), real(f64::from(i)), text("N")])
        .collect();
    fx.conn().execute_batch("DELETE FROM customers").unwrap();
    let mut conn = fx.conn();
    let tx = conn.transaction().unwrap();
    for row in &rows {
        tx.execute(
            "INSERT INTO customers VALUES (?1, ?2, ?3)",
            rusqlite::params_from_iter(row),
        )
        .unwrap();
    }
    tx.commit().unwrap();
    drop(conn);
    // In blocks of 1,024 bytes (bash's `ulimit -f`): far less than the run writes (its
    // write-ahead log, the CSV file), more than the program needs to start.
    let limited = |args: &str| {
        // The Excel writer's parts outgrow the database's writes: a limit that lets the
        // database write shows the writer's own failure.
        let limit = if args.ends_with("xlsx") { 160 } else { 16 };
        std::process::Command::new("bash")
            .current_dir(fx.dir.path())
            .arg("-c")
            .arg(format!(
                "ulimit -f {limit} && exec \"$0\" --config config.yaml run {args}"
            ))
            .arg(env!("CARGO_BIN_EXE_tierwise"))
            // The .xlsx writer assembles its parts there: under the limit too.
            .env("TMPDIR", fx.dir.path())
            .output()
            .unwrap()
    };
    for args in ["--out policies.xlsx", "--out policies.csv", ""] {
        let out = limited(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("error: "), "{stderr}");
        // Rust's panic lines (a source path, a backtrace) are no message for a user: the
        // .xlsx writer's panic is reported once, as the run's error, with its reason.
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(!stderr.contains(".rs:"), "{stderr}");
        assert_eq!(fx.policy_row_count(), 0, "{stderr}");
        let temps = fx.names_in(".", |name| name.starts_with(".policies"));
        assert!(temps.is_empty(), "{temps:?}");
        if args.ends_with("xlsx") {
            assert!(stderr.contains("File too large"), "{stderr}");
            assert!(stderr.contains("TMPDIR"), "{stderr}");
        }
        // The database's "disk I/O error" says what it is.
        if args.is_empty() {
            assert!(
                stderr.contains("a file-size limit is set for this process (`ulimit -f`)"),
                "{stderr}"
            );
            assert!(!stderr.contains("check `customers.table`"), "{stderr}");
        }
    }
}
