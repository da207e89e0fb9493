//! `tierwise watch` on the real binary: edits take effect, broken edits keep the last good
//! rules, editors' save patterns are seen, bursts are debounced. Waits on the output with a
//! timeout; never sleeps for a fixed long time.

mod common;

use common::*;
use std::time::Duration;

const RULES: &str = "population:\n  sales_rank: { percentile_of: annual_sales }\ndecisions:\n  - name: tier\n    rules:\n      - { id: a, when: sales_rank >= 0.8, then: { tier: A } }\n      - { id: c, then: { tier: C } }\nsummary:\n  count_by: [tier]\n";

/// `tierwise watch` in the fixture, once its first evaluation is in force.
fn start(fx: &Fixture) -> Spawned {
    let mut w = watch(fx, &[]);
    w.wait_for("in force");
    w
}

/// `tierwise watch --debounce-ms 150` with `more` arguments, just started.
fn watch(fx: &Fixture, more: &[&str]) -> Spawned {
    let args = [
        &["--config", "config.yaml", "watch", "--debounce-ms", "150"],
        more,
    ]
    .concat();
    Spawned::start(fx.dir.path(), &args)
}

fn fixture() -> Fixture {
    let fx = Fixture::new();
    fx.sales_customers(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]);
    fx.rule("tiers.yaml", RULES);
    fx
}

#[test]
fn an_edit_takes_effect_and_says_what_changed() {
    let fx = fixture();
    let mut w = watch(&fx, &["--as-of", "2026-03-31"]);
    // The day it evaluates as of, from the start (a new day is said when it comes).
    let first = w.wait_for("in force").join("\n");
    assert!(
        first.contains("customers evaluated as of 2026-03-31"),
        "{first}"
    );
    fx.rule("tiers.yaml", &RULES.replace("0.8", "0.6"));
    let out = w.wait_for("tier changed for");
    let text = out.join("\n");
    assert!(text.contains("tier: A 2 -> 4, C 8 -> 6"), "{text}");
    assert!(text.contains("tier changed for 2 customers"), "{text}");
}

/// A config listing a date column no rule reads (the bundled one lists three): `watch`
/// panicked at its first evaluation ("index out of bounds") and never put rules in force.
#[test]
fn a_listed_date_column_no_rule_reads_is_no_panic() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id INTEGER PRIMARY KEY, annual_sales REAL, seen_day TEXT",
        &[
            vec![int(1), real(1.0), text("2025-01-31")],
            vec![int(2), real(2.0), text("2025-02-28")],
        ],
    );
    std::fs::write(
        fx.path("config.yaml"),
        "database: customers.db\ncustomers: { table: customers, id_column: customer_id, dates: [seen_day] }\nrules: rules\n",
    )
    .unwrap();
    fx.rule("tiers.yaml", RULES);
    let mut w = watch(&fx, &[]);
    let out = w.wait_for("in force").join("\n");
    assert!(out.contains("2 customers evaluated"), "{out}");
    fx.rule("tiers.yaml", &RULES.replace("0.8", "0.4"));
    let out = w.wait_for("applied rules").join("\n");
    assert!(!out.contains("panicked"), "{out}");
}

/// `watch --write` writes a run for each accepted save, but not again for a save that
/// changes neither the rules nor any policy (a file touched): each run holds every customer.
#[test]
fn watch_write_does_not_write_the_same_run_again() {
    let fx = fixture();
    let mut w = watch(&fx, &["--write"]);
    w.wait_for("written as run 1");
    // The same rules saved again.
    fx.rule("tiers.yaml", RULES);
    let out = w.wait_for("not written again").join("\n");
    assert!(
        out.contains("not written again: the same as run 1"),
        "{out}"
    );
    // An edit that changes policies is a new run.
    fx.rule("tiers.yaml", &RULES.replace("0.8", "0.6"));
    w.wait_for("written as run 2");
    let runs: i64 = fx
        .conn()
        .query_row("SELECT COUNT(*) FROM policy_run", [], |r| r.get(0))
        .unwrap();
    assert_eq!(runs, 2);
}

/// `watch --write` replaced the month-end run `run` had written as the period's official
/// run without a word (`run` says so, with what changed and how to undo it): the same notes
/// as `run`, but not that each save replaces the run this watch wrote before it.
#[test]
fn watch_write_says_it_replaced_the_official_run_of_the_period() {
    let fx = fixture();
    fx.run_ok(&["--as-of", "2026-03-31"]);
    let mut w = watch(&fx, &["--write", "--as-of", "2026-03-31"]);
    w.wait_for("written as run 2");
    let out = w.wait_for("replaces run 1").join("\n");
    assert!(
        out.contains("note: replaces run 1 (as of 2026-03-31, 10 customers) as 2026-03's official run, with the same outputs for every customer"),
        "{out}"
    );
    fx.rule("tiers.yaml", &RULES.replace("0.8", "0.6"));
    w.wait_for("written as run 3");
    // A save of the same rules: its line comes after any note of run 3.
    fx.rule("tiers.yaml", &RULES.replace("0.8", "0.6"));
    let out = w.wait_for("not written again").join("\n");
    assert!(!out.contains("replaces run 2"), "{out}");
}

/// An ETL between two saves: the next report of an edit mixed what the data changed with
/// what the rules did ("tier changed for 3,221 customers", 80 of them the data's), with no
/// word of it. It says the data changed too, and how many customers came and went.
#[test]
fn an_edit_after_a_data_change_says_the_data_changed_too() {
    let fx = fixture();
    let mut w = start(&fx);
    fx.conn()
        .execute_batch("DELETE FROM customers WHERE customer_id = 1; UPDATE customers SET annual_sales = 100 WHERE customer_id = 2")
        .unwrap();
    fx.rule("tiers.yaml", &RULES.replace("0.8", "0.6"));
    let out = w.wait_for("customers evaluated").join("\n");
    let more = w.wait_for("tier changed for").join("\n");
    let all = format!("{out}\n{more}");
    assert!(
        all.contains("note: the customer data changed since the last evaluation (0 customers new, 1 gone): the changes below are the data's as well as the rules'"),
        "{all}"
    );
}

/// A backup holding the database past the run's 10 s wait when an edit is accepted: the
/// run was not written, once, and the database kept the old rules' run until the next
/// save. It is written again until the database is free.
#[test]
fn watch_write_tries_again_when_the_database_is_locked() {
    let fx = fixture();
    let mut w = watch(&fx, &["--write"]);
    w.wait_for("written as run 1");
    let holder = fx.conn();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    fx.rule("tiers.yaml", &RULES.replace("0.8", "0.6"));
    w.wait_for("writing again (attempt 2 of 4)");
    holder.execute_batch("COMMIT").unwrap();
    w.wait_for("written as run 2");
}

#[test]
fn a_broken_edit_keeps_the_last_good_rules_until_fixed_by_a_rename_into_place() {
    let fx = fixture();
    let mut w = start(&fx);
    fx.rule(
        "tiers.yaml",
        &RULES.replace("sales_rank >= 0.8", "sales_rnak >= 0.8"),
    );
    let out = w.wait_for("kept the last good rules").join("\n");
    assert!(out.contains("unknown name `sales_rnak`"), "{out}");
    assert!(out.contains("--> rules/tiers.yaml:6:"), "{out}");
    // Save as editors do: write a temp file, rename it over the original.
    let tmp = fx.path("rules").join(".tiers.yaml.swp");
    std::fs::write(&tmp, RULES.replace("0.8", "0.5")).unwrap();
    std::fs::rename(&tmp, fx.path("rules").join("tiers.yaml")).unwrap();
    let out = w.wait_for("tier changed for").join("\n");
    assert!(out.contains("tier: A 2 -> 5, C 8 -> 5"), "{out}");
}

#[test]
fn delete_and_recreate_is_seen() {
    let fx = fixture();
    let mut w = start(&fx);
    std::fs::remove_file(fx.path("rules").join("tiers.yaml")).unwrap();
    w.wait_for("kept the last good rules");
    fx.rule("tiers.yaml", &RULES.replace("0.8", "0.7"));
    let out = w.wait_for("tier changed for").join("\n");
    assert!(out.contains("tier: A 2 -> 3"), "{out}");
}

#[test]
fn a_replaced_rules_directory_is_followed() {
    let fx = fixture();
    let mut w = start(&fx);
    // As a checkout or a deploy does: a new directory moved into place of the old one.
    let new = fx.path("rules-new");
    std::fs::create_dir(&new).unwrap();
    std::fs::write(new.join("tiers.yaml"), RULES.replace("0.8", "0.6")).unwrap();
    std::fs::rename(fx.path("rules"), fx.path("rules-old")).unwrap();
    std::fs::rename(&new, fx.path("rules")).unwrap();
    let out = w.wait_for("tier changed for").join("\n");
    assert!(out.contains("tier: A 2 -> 4"), "{out}");
    // And edits in the new directory are seen.
    fx.rule("tiers.yaml", &RULES.replace("0.8", "0.7"));
    let out = w.wait_for("tier changed for").join("\n");
    assert!(out.contains("tier: A 4 -> 3"), "{out}");
}

/// A second rule file: a new decision that reads the tier.
const VISITS: &str = "decisions:\n  - name: visits\n    rules:\n      - { id: v-a, when: tier == \"A\", then: { visits: 4 } }\n      - { id: v-other, then: { visits: 1 } }\n";

/// A reported `count_by` line as it is after the reload: `  tier: A 2 -> 4, C 8 -> 6` and
/// `  tier: A 4, C 6` both give `tier: A 4, C 6`.
fn counts_after(line: &str) -> String {
    let (name, parts) = line.trim().split_once(": ").unwrap_or(("", line));
    let parts: Vec<String> = parts
        .split(", ")
        .map(|part| match part.split_once(" -> ") {
            Some((before, after)) => {
                let value = before.rsplit_once(' ').map_or(before, |(v, _)| v);
                format!("{value} {after}")
            }
            None => part.to_owned(),
        })
        .collect();
    format!("{name}: {}", parts.join(", "))
}

#[test]
fn a_burst_of_saves_leads_to_few_reloads() {
    let fx = fixture();
    let mut w = start(&fx);
    let before = w.seen.len();
    for k in 0..50 {
        let threshold = if k == 49 {
            "0.6".to_owned()
        } else {
            format!("0.{}", 1 + k % 8)
        };
        fx.rule("tiers.yaml", &RULES.replace("0.8", &threshold));
    }
    // Then a save to another file. The watcher sees events in order, so the reload that
    // names it comes after every event of the burst: waiting for it is waiting for the
    // burst to be over, however slowly the machine wrote it, without counting on a time.
    fx.rule("visits.yaml", VISITS);
    w.wait_for("rules/visits.yaml");
    let burst: Vec<&String> = w.seen[before..]
        .iter()
        .filter(|l| l.starts_with("change in"))
        .collect();
    // Its own reload may have taken the end of the burst with it.
    let reloads = burst.len() - 1;
    assert!(
        reloads <= 3,
        "{reloads} reloads for one burst:\n{}",
        w.seen.join("\n")
    );
    // The rules in force are the last save's: only 0.6 makes 4 of the 10 customers A.
    let counts = w.wait_for("  tier: ");
    let counts = counts_after(counts.last().unwrap());
    assert_eq!(counts, "tier: A 4, C 6", "{}", w.seen.join("\n"));
    // And reloads do not cause more reloads: the output gets quiet (fails if it never does).
    w.drain(Duration::from_millis(800));
}

#[test]
fn a_save_that_changes_nothing_says_the_rules_are_unchanged() {
    let fx = fixture();
    let mut w = start(&fx);
    let fingerprint = w.seen.last().unwrap()["rules ".len()..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    fx.rule("tiers.yaml", RULES);
    let out = w.wait_for("reloaded: rules");
    assert_eq!(
        out.last().unwrap(),
        &format!("reloaded: rules {fingerprint} unchanged: 10 customers evaluated")
    );
    let out = w.wait_for("no customer's policy changed").join("\n");
    assert!(out.contains("  tier: A 2, C 8"), "{out}");
}

/// The tier rules with a discount for A and its cost declared as money, and a rule test
/// that holds while A starts at a rank of 0.85 or lower.
fn money_fixture() -> Fixture {
    let fx = fixture();
    std::fs::write(
        fx.path("config.yaml"),
        "database: customers.db\ncustomers: { table: customers, id_column: customer_id }\nrules: rules\ncurrency: EUR\n",
    )
    .unwrap();
    fx.rule(
        "tiers.yaml",
        &format!(
            "{RULES}  totals:\n    concession_cost: '= annual_sales * discount_pct / 100'\n  money: [concession_cost]\n"
        ),
    );
    fx.rule(
        "discount.yaml",
        "decisions:\n  - name: discount\n    output: discount_pct\n    rules:\n      - { id: disc-a, when: 'tier == \"A\"', value: 10.0 }\n      - { id: disc-none, value: 0.0 }\n",
    );
    std::fs::create_dir(fx.path("rules/tests")).unwrap();
    std::fs::write(
        fx.path("rules/tests/tiers.yaml"),
        "cases:\n  - name: a rank of 0.85 is A\n    customer: { annual_sales: 5 }\n    population: { sales_rank: 0.85 }\n    expect: { tier: A }\n",
    )
    .unwrap();
    fx
}

#[test]
fn an_edit_shows_its_money_and_an_edit_the_tests_reject_shows_what_it_would_do() {
    let fx = money_fixture();
    let mut w = start(&fx);
    let tiers = std::fs::read_to_string(fx.path("rules/tiers.yaml")).unwrap();

    // A from the top 40% (sales 7 to 10): the concession goes from (9 + 10) x 10% to
    // (7 + 8 + 9 + 10) x 10%.
    fx.rule("tiers.yaml", &tiers.replace("0.8", "0.6"));
    let out = w.wait_for("concession_cost").join("\n");
    assert!(out.contains("tier: A 2 -> 4, C 8 -> 6"), "{out}");
    assert!(
        out.contains("  concession_cost EUR 1.90 -> EUR 3.40 (+1.50, +78.9%)"),
        "{out}"
    );

    // A only from 0.9: the rule test (0.85 is A) fails, so nothing is applied, but what the
    // edit would do against the rules in force (0.6) is shown, marked as not applied.
    fx.rule("tiers.yaml", &tiers.replace("0.8", "0.9"));
    let out = w.wait_for("kept the last good rules").join("\n");
    assert!(out.contains("a rank of 0.85 is A"), "{out}");
    assert!(out.contains("NOT APPLIED: what the rejected edit"), "{out}");
    assert!(out.contains("tier: A 4 -> 1, C 6 -> 9"), "{out}");
    assert!(
        out.contains("  concession_cost EUR 3.40 -> EUR 1.00 (-2.40, -70.6%)"),
        "{out}"
    );
    // The rules in force are still those of 0.6: the next accepted edit compares with them.
    fx.rule("tiers.yaml", &tiers.replace("0.8", "0.7"));
    let out = w.wait_for("concession_cost").join("\n");
    assert!(out.contains("tier: A 4 -> 3, C 6 -> 7"), "{out}");
}

#[test]
fn saving_copies_backups_and_lock_files_does_not_reload() {
    let fx = fixture();
    let mut w = start(&fx);
    w.drain(Duration::from_millis(300)); // the first evaluation's counts
    let rules = fx.path("rules");
    std::fs::write(rules.join("tiers - Copy.yaml"), "not: [yaml").unwrap();
    std::fs::write(rules.join("tiers.yaml~"), RULES).unwrap();
    std::fs::write(rules.join(".#tiers.yaml"), "admin@host").unwrap();
    let lines = w.drain(Duration::from_millis(800));
    assert!(lines.is_empty(), "{}", lines.join("\n"));
    // The watch still follows the real file.
    fx.rule("tiers.yaml", &RULES.replace("0.8", "0.6"));
    let out = w.wait_for("tier changed for").join("\n");
    assert!(out.contains("tier: A 2 -> 4, C 8 -> 6"), "{out}");
}

/// A rule edit whose evaluation takes minutes (a loop inside every operation limit, with an
/// hour's evaluation budget) is abandoned after `--reload-timeout-ms`, the last good rules
/// stay in force, and the fix saved next applies at once instead of waiting behind it.
#[test]
fn a_reload_that_overruns_is_abandoned_and_the_next_edit_applies() {
    let fx = Fixture::new();
    fx.spinning_customers(3_600_000);
    let fine = "decisions:\n  - name: tier\n    rules:\n      - { id: a, when: loops >= 0, then: { tier: A } }\n";
    fx.rule("tiers.yaml", fine);
    let mut w = watch(&fx, &["--reload-timeout-ms", "1500"]);
    w.wait_for("in force");
    fx.rule(
        "tiers.yaml",
        "metrics:\n  spun: spin(loops)\ndecisions:\n  - name: tier\n    rules:\n      - { id: a, when: spun >= 0, then: { tier: A } }\n",
    );
    let out = w.wait_for("kept the last good rules").join("\n");
    assert!(
        out.contains("the reload took longer than 1500 ms and was abandoned"),
        "{out}"
    );
    let started = std::time::Instant::now();
    fx.rule("tiers.yaml", &fine.replace("tier: A", "tier: B"));
    let out = w.wait_for("tier changed for").join("\n");
    assert!(out.contains("tier changed for 2 customers"), "{out}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

/// An edit that loads and passes its tests goes live even when `check` warns of it (a row
/// that can never match: `tier == "a"` where the tier is `A`): `watch` says each warning
/// with the edit it applies, not only `check`.
#[test]
fn an_applied_edit_says_what_check_warns_of() {
    let fx = fixture();
    let mut w = start(&fx);
    fx.rule(
        "visits.yaml",
        &VISITS.replace("tier == \"A\"", "tier == \"a\""),
    );
    let out = w.wait_for("in the rule files").join("\n");
    assert!(out.contains("applied rules "), "{out}");
    assert!(
        out.contains("\nwarning: rules/visits.yaml:4:31: output `tier` is never \"a\"\n"),
        "{out}"
    );
    assert!(
        out.contains("\n1 warning in the rule files: `tierwise check` shows them in full"),
        "{out}"
    );
}

/// Excel saves by writing a new file and renaming it over the old one: in between, the
/// rules another file reads are unknown names, and the errors did not say which file was
/// missing. `watch` names the file of the rules in force that is gone.
#[test]
fn a_rule_file_gone_is_named_beside_the_unknown_names() {
    let fx = fixture();
    fx.rule("visits.yaml", VISITS);
    let mut w = start(&fx);
    std::fs::remove_file(fx.path("rules").join("tiers.yaml")).unwrap();
    let out = w.wait_for("kept the last good rules").join("\n");
    assert!(out.contains("unknown name `tier`"), "{out}");
    assert!(
        out.contains(
            "note: rules/tiers.yaml is gone since the rules in force were loaded: the names it gave are unknown to the others"
        ),
        "{out}"
    );
}

/// Points the symlink `link` at `target` as Kubernetes swaps a ConfigMap's `..data`: a new
/// link renamed over the old one, in one step.
#[cfg(unix)]
fn swap_link(fx: &Fixture, link: &str, target: &str) {
    let tmp = fx.path("..data_tmp");
    std::os::unix::fs::symlink(target, &tmp).unwrap();
    std::fs::rename(&tmp, fx.path(link)).unwrap();
}

/// Rules mounted as a ConfigMap: `rules -> ..data -> ..v1`. An update writes `..v2` and
/// renames a new `..data` over the old one, leaving `..v1` (a rollback keeps it): no event
/// names `rules` or a rule file, and `serve`/`watch` went on with the old rules, `/health`
/// "ok". An edit in the directory swapped in is seen too, and so is the next swap.
#[cfg(unix)]
#[test]
fn a_symlink_swapped_to_a_new_rules_directory_is_followed() {
    let fx = fixture();
    std::fs::rename(fx.path("rules"), fx.path("..v1")).unwrap();
    std::os::unix::fs::symlink("..v1", fx.path("..data")).unwrap();
    std::os::unix::fs::symlink("..data", fx.path("rules")).unwrap();
    let mut w = start(&fx);
    std::fs::create_dir(fx.path("..v2")).unwrap();
    std::fs::write(fx.path("..v2/tiers.yaml"), RULES.replace("0.8", "0.6")).unwrap();
    swap_link(&fx, "..data", "..v2");
    let out = w.wait_for("tier changed for").join("\n");
    assert!(out.contains("tier: A 2 -> 4"), "{out}");
    std::fs::write(fx.path("..v2/tiers.yaml"), RULES.replace("0.8", "0.7")).unwrap();
    let out = w.wait_for("tier changed for").join("\n");
    assert!(out.contains("tier: A 4 -> 3"), "{out}");
    swap_link(&fx, "..data", "..v1");
    let out = w.wait_for("tier changed for").join("\n");
    assert!(out.contains("tier: A 3 -> 2"), "{out}");
}

/// Kubernetes' own layout: each rule file is a link into `..data` (`rules/tiers.yaml ->
/// ..data/tiers.yaml`), the new version written into a hidden folder of the rules directory
/// first. Writing it changed nothing yet (it reloaded the old rules, "unchanged"), and the
/// swap that did was missed: the service stayed one update behind.
#[cfg(unix)]
#[test]
fn rule_files_linked_into_a_swapped_folder_are_followed() {
    let fx = fixture();
    let rules = fx.path("rules");
    std::fs::create_dir(rules.join("..v1")).unwrap();
    std::fs::rename(rules.join("tiers.yaml"), rules.join("..v1/tiers.yaml")).unwrap();
    std::os::unix::fs::symlink("..v1", rules.join("..data")).unwrap();
    std::os::unix::fs::symlink("..data/tiers.yaml", rules.join("tiers.yaml")).unwrap();
    let mut w = start(&fx);
    std::fs::create_dir(rules.join("..v2")).unwrap();
    std::fs::write(rules.join("..v2/tiers.yaml"), RULES.replace("0.8", "0.6")).unwrap();
    // Longer than the quiet time: the write alone would have been a reload of its own.
    std::thread::sleep(Duration::from_millis(400));
    swap_link(&fx, "rules/..data", "..v2");
    let out = w.wait_for("tier changed for").join("\n");
    assert!(out.contains("tier: A 2 -> 4"), "{out}");
    assert!(!out.contains("unchanged"), "{out}");
}

/// SIGTERM (a container stopped on a deploy) ended `watch` as a kill does: exit 143, no
/// word. It stops as Ctrl-C does, saying so, exit 130.
#[cfg(unix)]
#[test]
fn sigterm_stops_the_watch_with_130_and_says_so() {
    let fx = fixture();
    let mut w = start(&fx);
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &w.child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    w.wait_for("stopped (SIGTERM)");
    let status = w.child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
}

/// The counts after a reload were listed by text (`bronze, gold, silver`), where the start
/// listed them in the rules' `moves` order: the same order both times.
#[test]
fn counts_after_a_reload_keep_the_rules_order() {
    let fx = Fixture::new();
    fx.sales_customers(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]);
    let rules = "population:\n  r: { percentile_of: annual_sales }\ndecisions:\n  - name: tier\n    rules:\n      - { id: g, when: r >= 0.8, then: { tier: gold } }\n      - { id: s, when: r >= 0.5, then: { tier: silver } }\n      - { id: b, then: { tier: bronze } }\nsummary:\n  count_by: [tier]\n  moves: { tier: [gold, silver, bronze] }\n";
    fx.rule("tiers.yaml", rules);
    let mut w = watch(&fx, &[]);
    let first = w.wait_for("tier: ").join("\n");
    assert!(
        first.contains("tier: gold 2, silver 3, bronze 5"),
        "{first}"
    );
    fx.rule("tiers.yaml", &rules.replace("0.8", "0.6"));
    let out = w.wait_for("tier changed for").join("\n");
    assert!(
        out.contains("tier: gold 2 -> 4, silver 3 -> 1, bronze 5"),
        "{out}"
    );
}

/// `watch` without `--write` evaluated on a history `run` notes (a month skipped, so the
/// rules' `previous.tier` is NULL for every customer) without a word (`serve` says it on
/// `/health`): said once, when it comes up, not at every save.
#[test]
fn watch_says_what_run_would_note_of_the_history_once() {
    let fx = fixture();
    let reading = |rules: &str| {
        rules.replace(
            "summary:\n",
            "  - name: was\n    output: was\n    rules:\n      - { id: w, value: '= previous.tier ?? \"none\"' }\nsummary:\n",
        )
    };
    fx.rule("tiers.yaml", &reading(RULES));
    fx.run_ok(&["--as-of", "2026-01-31"]);
    let mut w = watch(&fx, &["--as-of", "2026-03-31"]);
    let out = w.wait_for("2026-02 has no run").join("\n");
    assert!(
        out.contains("note: 2026-02 has no run (the latest before it is 2026-01): the rules' `previous.x` would be NULL for every customer"),
        "{out}"
    );
    // Two saves: what follows the first's report is read up to the second's.
    fx.rule("tiers.yaml", &reading(&RULES.replace("0.8", "0.6")));
    w.wait_for("tier changed for");
    fx.rule("tiers.yaml", &reading(RULES));
    let out = w.wait_for("tier changed for").join("\n");
    assert!(!out.contains("has no run"), "{out}");
}
