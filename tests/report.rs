//! `tierwise report` on the real binary: the figures a reader relies on (customers, sales
//! and money per tier, the migration, the lists) against the same figures computed with
//! SQL on the same database; the tiers in the rules' order; the quadrant's sample; rules
//! that declare nothing for the report; paths that cannot be written.

mod common;

use common::{Fixture, int, real, text};
use rusqlite::Connection;
use std::path::Path;

const RULES: &str = r#"
population:
  rank: { percentile_of: annual_sales, where: annual_sales > 0 }
decisions:
  - name: tier
    rules:
      - { id: t-none, when: is_null(rank), then: { tier: none } }
      - { id: t-gold, when: rank >= 0.8, then: { tier: gold } }
      - { id: t-silver, when: rank >= 0.4, then: { tier: silver } }
      - { id: t-bronze, then: { tier: bronze } }
  - name: discount
    output: discount_pct
    rules:
      - { id: d-gold, when: 'tier == "gold"', value: 5 }
      - { id: d-silver, when: 'tier == "silver"', value: 2 }
      - { id: d-other, value: 0 }
  - name: overdue_alert
    output: overdue_alert
    rules:
      - { id: alert-overdue, when: overdue_days > 60, value: "= `overdue ${overdue_days} days`" }
      - { id: alert-none, value: null }
summary:
  count_by: [tier]
  moves: { tier: [gold, silver, bronze, none] }
  totals:
    concession_cost: "= (annual_sales ?? 0) * discount_pct / 100"
    overdue_days: "= overdue_days"
  money: [concession_cost]
  report:
    value: { name: sales, of: annual_sales ?? 0, money: true }
    quadrant:
      x: { name: sales, of: annual_sales ?? 0, money: true }
      y: { name: loyalty, of: loyalty }
      colour: tier
    lists:
      - { name: overdue, when: overdue_alert, show: [tier, overdue_alert] }
"#;

/// A project with quarters and a currency, `rules/tiers.yaml` = `rules`, and `n` customers
/// (sales in whole hundreds, every tenth without sales).
fn project(rules: &str, n: i64) -> Fixture {
    let f = Fixture::new();
    std::fs::write(
        f.path("config.yaml"),
        "database: customers.db\ncustomers: { table: customers, id_column: customer_id }\nrules: rules\nperiod: quarter\ncurrency: EUR\n",
    )
    .unwrap();
    f.rule("tiers.yaml", rules);
    let rows: Vec<Vec<rusqlite::types::Value>> = (1..=n)
        .map(|i| {
            let sales = if i % 10 == 0 {
                0
            } else {
                (i * 37 % 101 + 1) * 1000
            };
            vec![
                int(i),
                real(sales as f64),
                int(i * 7 % 90),
                real((i % 10) as f64 / 10.0),
            ]
        })
        .collect();
    f.customers(
        "customer_id INTEGER PRIMARY KEY, annual_sales REAL, overdue_days INTEGER, loyalty REAL",
        &rows,
    );
    f
}

/// The tier of every customer as the rules give it, in SQL: ranked customers have sales
/// above 0; a customer is gold with fewer than 20% of the ranked customers strictly above it,
/// silver with fewer than 60% (counted exactly, in whole numbers).
const TIERS_SQL: &str = "
  WITH ranked AS (SELECT customer_id, annual_sales AS s FROM {table} WHERE annual_sales > 0),
       pct AS (SELECT r.customer_id, (SELECT count(*) FROM ranked q WHERE q.s > r.s) AS above,
                      (SELECT count(*) FROM ranked) AS n FROM ranked r)
  SELECT c.customer_id, c.annual_sales, c.overdue_days,
         CASE WHEN p.customer_id IS NULL THEN 'none'
              WHEN p.above * 5 < p.n THEN 'gold'
              WHEN p.above * 5 < p.n * 3 THEN 'silver' ELSE 'bronze' END AS tier
  FROM {table} c LEFT JOIN pct p ON p.customer_id = c.customer_id";

/// Per tier: customers, sales, concession cost (in the report's order).
fn expected_tiers(conn: &Connection) -> Vec<(String, i64, i64, i64)> {
    let sql = format!(
        "SELECT tier, count(*), sum(annual_sales), sum(annual_sales * CASE tier WHEN 'gold' THEN 5 WHEN 'silver' THEN 2 ELSE 0 END / 100)
         FROM ({}) GROUP BY tier
         ORDER BY CASE tier WHEN 'gold' THEN 0 WHEN 'silver' THEN 1 WHEN 'bronze' THEN 2 ELSE 3 END",
        TIERS_SQL.replace("{table}", "customers")
    );
    let mut stmt = conn.prepare(&sql).unwrap();
    stmt.query_map([], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get::<_, f64>(2)? as i64,
            r.get::<_, f64>(3)?.round() as i64,
        ))
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

/// `1234567` as `1,234,567`.
fn commas(n: i64) -> String {
    let digits = n.abs().to_string();
    let mut out = String::new();
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// The rows of the tables of section `id`, as the text of their cells.
fn rows(html: &str, id: &str) -> Vec<Vec<String>> {
    let start = html
        .find(&format!("data-section=\"{id}\""))
        .unwrap_or_else(|| panic!("no section {id}"));
    let section = &html[start..start + html[start..].find("</section>").unwrap()];
    section
        .split("<tr>")
        .skip(1)
        .map(|row| {
            let row = &row[..row.find("</tr>").unwrap_or(row.len())];
            row.split("<t")
                .skip(1)
                .filter(|c| c.starts_with('d') || c.starts_with('h'))
                .map(strip_tags)
                .collect()
        })
        .collect()
}

fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html.find(&format!("data-section=\"{id}\"")).unwrap();
    &html[start..start + html[start..].find("</section>").unwrap()]
}

fn strip_tags(cell: &str) -> String {
    let mut out = String::new();
    let mut inside = true; // the cell starts inside its own tag
    for c in cell.chars() {
        match c {
            '<' => inside = true,
            '>' => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&").trim().to_owned()
}

fn report(f: &Fixture, args: &[&str]) -> String {
    f.run(&[&["report", "--out", "report.html"], args].concat())
        .assert_code(0);
    std::fs::read_to_string(f.path("report.html")).unwrap()
}

/// A report for a period whose recorded run was made with other rules says so, on the
/// page and on stderr: it shows what these rules give, not what was recorded.
#[test]
fn a_report_with_other_rules_than_the_periods_run_says_so() {
    let f = project(RULES, 20);
    f.run_ok(&["--as-of", "2025-12-31"]);
    let same = f.run(&["report", "--out", "report.html", "--as-of", "2025-12-31"]);
    assert!(!same.stderr.contains("note:"), "{}", same.stderr);
    // A comment is not other rules.
    f.rule("tiers.yaml", &format!("{RULES}\n# edited\n"));
    let commented = f.run(&["report", "--out", "report.html", "--as-of", "2025-12-31"]);
    assert!(!commented.stderr.contains("note:"), "{}", commented.stderr);
    f.rule("tiers.yaml", &RULES.replace("value: 5 }", "value: 6 }"));
    let run = f.run(&["report", "--out", "report.html", "--as-of", "2025-12-31"]);
    run.assert_code(0)
        .assert_stderr_contains("are not those of 2025-Q4's recorded run (run 1, rules ");
    let html = std::fs::read_to_string(f.path("report.html")).unwrap();
    assert!(
        html.contains("<p class=\"note\"><strong>Note:</strong> these rules (")
            && html
                .contains("the page shows what these rules give, not what that run recorded</p>"),
        "{html}"
    );
}

/// A page for a quarter never run, or as of a day after today, looked like the policy in
/// force then (`explain` said so, the report did not): both say it, on the page and stderr.
#[test]
fn a_report_of_a_period_without_a_run_or_after_today_says_so() {
    let f = project(RULES, 20);
    f.run_ok(&["--as-of", "2025-12-31"]);
    let run = f.run(&["report", "--out", "report.html", "--as-of", "2025-09-30"]);
    run.assert_code(0).assert_stderr_contains(
        "note: 2025-Q3 has no recorded run: this page is what the rules give as of 2025-09-30, not a run's policy (what they read of earlier periods may be NULL); the latest recorded run is 2025-Q4's (run 1, as of 2025-12-31), which a report as of 2025-12-31 shows",
    );
    // Without `--as-of`, days into a period not closed yet: the page is the period so far
    // (the fiscal controller's F02, helper 119), and the close is named.
    let today = f.run(&["report", "--out", "today.html"]);
    today.assert_code(0).assert_stderr_contains(
        "not a run's policy (what they read of earlier periods may be NULL); the latest recorded run is 2025-Q4's (run 1, as of 2025-12-31), which a report as of 2025-12-31 shows",
    );
    let html = std::fs::read_to_string(f.path("report.html")).unwrap();
    assert!(
        html.contains("<strong>Note:</strong> 2025-Q3 has no recorded run: this page is what the rules give as of 2025-09-30"),
        "{html}"
    );
    let run = f.run(&["report", "--out", "report.html", "--as-of", "2099-03-31"]);
    run.assert_code(0)
        .assert_stderr_contains("note: as of 2099-03-31 is after today (")
        .assert_stderr_contains(
            "the customer data most likely does not reach it yet; 2099-Q1 has no recorded run",
        );
    let explain = f.run(&["explain", "1", "--as-of", "2099-03-31"]);
    explain.assert_code(0);
    assert!(
        explain
            .stdout
            .contains("note: as of 2099-03-31 is after today ("),
        "{}",
        explain.stdout
    );
}

/// The page evaluates the data as it is now: with the period's rules, a late posting
/// after the run changed its totals, and nothing said the page was not what had been
/// recorded (and sent). It says so now, total by total.
#[test]
fn a_report_on_data_changed_since_the_periods_run_says_so() {
    let f = project(RULES, 20);
    f.run_ok(&["--as-of", "2025-12-31"]);
    let same = f.run(&["report", "--out", "report.html", "--as-of", "2025-12-31"]);
    assert!(!same.stderr.contains("note:"), "{}", same.stderr);
    f.conn()
        .execute_batch("UPDATE customers SET annual_sales = annual_sales * 2")
        .unwrap();
    let changed = f.run(&["report", "--out", "report.html", "--as-of", "2025-12-31"]);
    changed.assert_code(0);
    let recorded: f64 = f
        .conn()
        .query_row(
            "SELECT json_extract(totals, '$.concession_cost') FROM policy_run",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let money = |x: f64| {
        let cents = format!("{:.2}", x);
        let (whole, frac) = cents.split_once('.').unwrap();
        let mut grouped = String::new();
        for (k, c) in whole.chars().enumerate() {
            if k > 0 && (whole.len() - k) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        format!("EUR {grouped}.{frac}")
    };
    // Every sale doubled: the tiers stay, the concession doubles.
    let note = format!(
        "note: the customer data changed since 2025-Q4's recorded run (run 1, as of 2025-12-31, the same rules): \
         the page evaluates the data as it is now (concession_cost {} here, {} recorded); \
         the recorded run is what `history`, `changes` and the next period read\n",
        money(2.0 * recorded),
        money(recorded)
    );
    assert_eq!(changed.stderr, note);
    let html = std::fs::read_to_string(f.path("report.html")).unwrap();
    assert!(
        html.contains("the customer data changed since 2025-Q4"),
        "{html}"
    );
    // The run made by another tierwise: named beside the data as a cause.
    f.conn()
        .execute("UPDATE policy_run SET tierwise_version = '0.1.0'", [])
        .unwrap();
    let other = f.run(&["report", "--out", "report.html", "--as-of", "2025-12-31"]);
    assert!(
        other.stderr.starts_with(
            "note: the customer data (or tierwise) changed since 2025-Q4's recorded run (run 1,"
        ) && other.stderr.contains(&format!(
            "; that run was made by tierwise 0.1.0 (this is {}), which evaluates some rules otherwise (README, \"Upgrading\"); the recorded run is",
            env!("CARGO_PKG_VERSION")
        )),
        "{}",
        other.stderr
    );
}

#[test]
fn tiers_money_migration_and_lists_match_sql_on_the_same_database() {
    let f = project(RULES, 60);
    f.run_ok(&["--as-of", "2025-12-31"]);
    let conn = f.conn();
    conn.execute_batch(
        "CREATE TABLE customers_before AS SELECT * FROM customers;
         UPDATE customers SET annual_sales = annual_sales * 3 WHERE customer_id % 4 = 0;
         UPDATE customers SET annual_sales = 0 WHERE customer_id IN (3, 7);",
    )
    .unwrap();
    let html = report(&f, &["--as-of", "2026-03-31"]);

    // Customers, sales and money per tier, in the rules' order (not alphabetical).
    let tiers = expected_tiers(&conn);
    let total: i64 = tiers.iter().map(|t| t.1).sum();
    let got = rows(&html, "tiers");
    assert_eq!(got[0][..4], ["tier", "customers", "share", "sales (EUR)"]);
    let names: Vec<&str> = got[1..5].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(names, ["gold", "silver", "bronze", "none"]);
    for (row, (tier, n, sales, _)) in got[1..].iter().zip(&tiers) {
        assert_eq!(
            (&row[0], &row[1], &row[3]),
            (tier, &commas(*n), &commas(*sales)),
            "{row:?}"
        );
    }
    assert_eq!(got[5][1], commas(total));
    let totals = rows(&html, "totals");
    assert_eq!(
        totals[0],
        ["total", "gold", "silver", "bronze", "none", "all"]
    );
    assert_eq!(totals[1][0], "concession_cost (EUR)");
    // Money to the cent, as `run` prints it.
    let money: Vec<String> = tiers
        .iter()
        .map(|t| format!("{}.00", commas(t.3)))
        .collect();
    assert_eq!(totals[1][1..5], money[..]);
    assert_eq!(
        totals[1][5],
        format!("{}.00", commas(tiers.iter().map(|t| t.3).sum()))
    );

    assert_migration(&conn, &html);

    // The overdue list: every customer over 60 days, the largest sales first.
    let (count, first): (i64, i64) = conn
        .query_row(
            "SELECT count(*), (SELECT customer_id FROM customers WHERE overdue_days > 60 ORDER BY annual_sales DESC, customer_id LIMIT 1)
             FROM customers WHERE overdue_days > 60",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let lists = section(&html, "lists");
    assert!(
        lists.contains(&format!("overdue: {count} customers")),
        "{lists}"
    );
    let list = rows(&html, "lists");
    assert_eq!(
        list[0],
        ["customer", "sales (EUR)", "tier", "overdue_alert"]
    );
    assert_eq!(list[1][0], first.to_string());
    assert!(list[1][3].starts_with("overdue "), "{:?}", list[1]);
    assert_eq!(list.len() as i64, count + 1);

    // What produced it.
    let about = section(&html, "about");
    for needle in ["2026-03-31", "2026-Q1", "tiers.yaml", "EUR"] {
        assert!(about.contains(needle), "{needle} in {about}");
    }
    let fingerprint: String = conn
        .query_row("SELECT fingerprint FROM policy_run", [], |r| r.get(0))
        .unwrap();
    assert!(about.contains(&fingerprint));
    for chart in ["tiers", "pareto", "quadrant", "flow"] {
        assert!(html.contains(&format!("data-chart=\"{chart}\"")), "{chart}");
    }
    // Self-contained: nothing to fetch.
    for outside in ["<script", "http://", "https://", "src="] {
        let found = html.replace("http://www.w3.org/2000/svg", "");
        assert!(!found.contains(outside), "{outside}");
    }
}

/// The migration matrix: the tiers of 2025-Q4 (the sales before the update, in SQL)
/// against now.
fn assert_migration(conn: &Connection, html: &str) {
    let sql = format!(
        "SELECT b.tier, a.tier, count(*) FROM ({}) a JOIN ({}) b USING (customer_id) GROUP BY 1, 2",
        TIERS_SQL.replace("{table}", "customers"),
        TIERS_SQL.replace("{table}", "customers_before")
    );
    let mut stmt = conn.prepare(&sql).unwrap();
    let moves: Vec<(String, String, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(
        moves.iter().filter(|m| m.0 != m.1).count() >= 3,
        "the update moves customers between tiers: {moves:?}"
    );
    let matrix = rows(html, "migration");
    assert_eq!(
        matrix[0],
        [
            "2025-Q4 \\ now",
            "gold",
            "silver",
            "bronze",
            "none",
            "gone",
            "all"
        ]
    );
    let order = ["gold", "silver", "bronze", "none"];
    for (r, from) in order.iter().enumerate() {
        assert_eq!(matrix[r + 1][0], *from);
        for (c, to) in order.iter().enumerate() {
            let n = moves
                .iter()
                .find(|m| m.0 == *from && m.1 == *to)
                .map_or(0, |m| m.2);
            assert_eq!(matrix[r + 1][c + 1], commas(n), "{from} -> {to}");
        }
    }
    assert_eq!(matrix[5][..5], ["new", "0", "0", "0", "0"]);
    // Every customer of 2025-Q4 is still here.
    assert!(matrix[1..].iter().all(|row| row[5] == "0"), "{matrix:?}");
    assert!(section(html, "migration").contains("data-chart=\"flow\""));
}

/// Customers of the previous period no longer in the data were in no cell of the matrix
/// (its "before" side short of the period's run): a `gone` column counts them per tier.
#[test]
fn the_migration_counts_the_customers_gone_since() {
    let f = project(RULES, 20);
    f.run_ok(&["--as-of", "2025-12-31"]);
    let conn = f.conn();
    let gone_tiers: Vec<String> = conn
        .prepare("SELECT tier FROM customer_policy WHERE customer_id IN (1, 2, 3) ORDER BY 1")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    conn.execute_batch("DELETE FROM customers WHERE customer_id IN (1, 2, 3)")
        .unwrap();
    let html = report(&f, &["--as-of", "2026-03-31"]);
    let matrix = rows(&html, "migration");
    let total = matrix.last().unwrap();
    assert_eq!(total[0], "all");
    assert_eq!(total[5], "3", "{matrix:?}");
    // `all`, gone included, is each tier's count in 2025-Q4's run (what its report said).
    let recorded = |tier: &str| -> i64 {
        conn.query_row(
            "SELECT count(*) FROM customer_policy WHERE run_id = 1 AND tier = ?1",
            [tier],
            |r| r.get(0),
        )
        .unwrap()
    };
    for row in &matrix[1..matrix.len() - 1] {
        let expected = gone_tiers.iter().filter(|t| **t == row[0]).count();
        assert_eq!(row[5], expected.to_string(), "{row:?}");
        if row[0] != "new" {
            assert_eq!(row[6], recorded(&row[0]).to_string(), "{row:?}");
        }
    }
    assert_eq!(total[6], "20", "{matrix:?}");
    // The flow chart draws the gone customers too.
    assert!(section(&html, "migration").contains(">gone 3</text>"));
}

/// A customer of the previous period without a tier (NULL) and no longer in the data is
/// gone too: the report's `gone` skipped it, short of the `gone` that `run` counts.
#[test]
fn the_migration_counts_customers_gone_without_a_tier() {
    let rules = RULES
        .replace("then: { tier: none }", "then: { tier: null }")
        .replace("[gold, silver, bronze, none]", "[gold, silver, bronze]");
    let f = project(&rules, 20);
    f.run_ok(&["--as-of", "2025-12-31"]);
    // Customer 10 sells nothing (no tier), customer 1 has one.
    f.conn()
        .execute_batch("DELETE FROM customers WHERE customer_id IN (1, 10)")
        .unwrap();
    let html = report(&f, &["--as-of", "2026-03-31"]);
    let matrix = rows(&html, "migration");
    let new = matrix.iter().find(|r| r[0] == "new").unwrap();
    // Customer 20 (no tier before, still here) is in the `new` row, as `run` counts it;
    // customer 10 is its gone.
    assert_eq!(new[5], "1", "{matrix:?}");
    assert_eq!(matrix.last().unwrap()[0], "all");
    assert_eq!(matrix.last().unwrap()[5], "2", "{matrix:?}");
    let run = f.run(&["run", "--as-of", "2026-03-31", "--format", "json"]);
    run.assert_code(0);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["moves"]["tier"]["gone"], 2, "{}", run.stdout);
}

#[test]
fn a_population_beyond_20000_is_drawn_from_a_stated_sample() {
    let f = project(RULES, 20_500);
    let html = report(&f, &["--as-of", "2026-03-31"]);
    let quadrant = section(&html, "quadrant");
    assert!(
        quadrant.contains("A random sample of 20,000 of the 20,500 customers is drawn"),
        "{}",
        &quadrant[quadrant.len().saturating_sub(600)..]
    );
    // One dot per sampled customer.
    assert_eq!(quadrant.matches("h0").count(), 20_000);
    let legend_total: usize = quadrant
        .split("<span class=\"swatch\"")
        .skip(1)
        .map(|s| {
            let text = strip_tags(s);
            let n = text.split_whitespace().nth(1).unwrap().replace(',', "");
            n.parse::<usize>().unwrap()
        })
        .sum();
    assert_eq!(legend_total, 20_500, "the legend counts every customer");
    let size = std::fs::metadata(f.path("report.html")).unwrap().len();
    assert!(size < 1_000_000, "{size} bytes");
}

#[test]
fn rules_that_declare_nothing_for_the_report_still_get_one_that_says_so() {
    let bare = RULES[..RULES.find("summary:").unwrap()].to_owned();
    let f = project(&bare, 20);
    let html = report(&f, &["--as-of", "2026-11-29"]);
    let tiers = section(&html, "tiers");
    assert!(
        tiers.contains("the rules declare no tier output"),
        "{tiers}"
    );
    assert!(section(&html, "pareto").contains("the rules declare no value"));
    assert!(section(&html, "quadrant").contains("the rules declare no quadrant"));
    assert!(section(&html, "lists").contains("the rules declare no lists"));
    assert!(section(&html, "about").contains("tiers.yaml"));

    // With an order of tiers but nothing else: tiers and totals, no curve.
    let ordered = format!("{bare}summary:\n  moves: {{ tier: [gold, silver, bronze, none] }}\n");
    f.rule("tiers.yaml", &ordered);
    let html = report(&f, &["--as-of", "2026-11-29"]);
    let got = rows(&html, "tiers");
    let names: Vec<&str> = got[1..5].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(names, ["gold", "silver", "bronze", "none"]);
    assert!(section(&html, "pareto").contains("the rules declare no value"));
    assert!(section(&html, "migration").contains("No run of 2026-Q3 to compare with"));
}

#[test]
fn a_report_that_cannot_be_written_is_a_clear_error_and_leaves_nothing() {
    let f = project(RULES, 20);
    let listing = |dir: &Path| {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let before = listing(&f.path("."));

    let run = f.run(&["report", "--out", "missing/report.html"]);
    run.assert_code(2)
        .assert_stderr_contains("--out missing/report.html: the directory missing does not exist");
    let run = f.run(&["report", "--out", "rules"]);
    run.assert_code(2).assert_stderr_contains(
        "--out rules: that is a folder; name a file in it (`rules/report.html`)",
    );
    let run = f.run(&["report", "--out", "/proc/report.html"]);
    run.assert_code(2)
        .assert_stderr_contains("cannot write the report to /proc/report.html");
    assert_eq!(listing(&f.path(".")), before, "nothing written beside");

    // An existing report stays whole when a new one fails (here: a rule error).
    std::fs::write(f.path("report.html"), "the old report").unwrap();
    f.rule(
        "broken.yaml",
        "decisions:\n  - name: x\n    rules:\n      - { id: x, when: nope > 1, then: { x: 1 } }\n",
    );
    f.run(&["report", "--out", "report.html"]).assert_code(2);
    assert_eq!(
        std::fs::read_to_string(f.path("report.html")).unwrap(),
        "the old report"
    );
    let left: Vec<String> = listing(&f.path("."))
        .into_iter()
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn with_a_base_the_report_shows_the_impact_of_the_change_as_diff_does() {
    let f = project(RULES, 60);
    std::fs::create_dir(f.path("base")).unwrap();
    std::fs::write(f.path("base/tiers.yaml"), RULES).unwrap();
    f.rule("tiers.yaml", &RULES.replace("rank >= 0.8", "rank >= 0.9"));
    let html = report(&f, &["--as-of", "2026-03-31", "--base", "base"]);
    let diff = f.run(&[
        "diff",
        "--base",
        "base",
        "--as-of",
        "2026-03-31",
        "--format",
        "json",
    ]);
    diff.assert_code(0);
    let v: serde_json::Value = serde_json::from_str(&diff.stdout).unwrap();
    let moved = v["matrices"][0]["counts"][0][1].as_u64().unwrap();
    assert!(moved > 0, "gold to silver: {}", diff.stdout);

    let got = rows(&html, "diff");
    // The tier matrix: gold row, silver column.
    assert_eq!(got[0][..3], ["tier before \\ after", "gold", "silver"]);
    assert_eq!(got[1][0], "gold");
    assert_eq!(got[1][2], commas(moved as i64));
    let verdict = format!(
        "<strong>{} of {} customers&#39; policy changed</strong>",
        v["customers_changed"], v["customers"]
    );
    assert!(
        section(&html, "diff").contains(&verdict),
        "{}",
        section(&html, "diff")
    );
    // Without --base there is no such section.
    let plain = report(&f, &["--as-of", "2026-03-31"]);
    assert!(!plain.contains("data-section=\"diff\""));
    // A base that is not there: a clear error, and the earlier report stays whole.
    let bad = f.run(&["report", "--out", "report.html", "--base", "nowhere"]);
    bad.assert_code(2);
    bad.assert_stderr_contains("`nowhere` is not a directory");
    assert_eq!(
        std::fs::read_to_string(f.path("report.html")).unwrap(),
        plain
    );
}

/// The quadrant's note does not say every customer is drawn when some are left out (a
/// value of 0 on a log scale).
#[test]
fn the_quadrant_says_which_customers_it_leaves_out() {
    let f = project(RULES, 50);
    // Sales over seven orders of magnitude: a log scale, on which the 5 customers without
    // sales cannot be drawn.
    f.conn()
        .execute(
            "UPDATE customers SET annual_sales = annual_sales * customer_id * customer_id * customer_id",
            [],
        )
        .unwrap();
    let html = report(&f, &["--as-of", "2026-03-31"]);
    let quadrant = strip_tags(section(&html, "quadrant"));
    assert!(!quadrant.contains("Every customer is drawn"), "{quadrant}");
    assert!(
        quadrant.contains("All 50 customers are taken. 5 of them have "),
        "{quadrant}"
    );
    // A credit note (negative sales) kept it a log scale too: it made the axis linear, and
    // most customers a line at 0, with "Every customer is drawn".
    f.conn()
        .execute(
            "UPDATE customers SET annual_sales = -500 WHERE customer_id = 1",
            [],
        )
        .unwrap();
    let html = report(&f, &["--as-of", "2026-03-31"]);
    let quadrant = strip_tags(section(&html, "quadrant"));
    assert!(quadrant.contains("log scale"), "{quadrant}");
    assert!(
        quadrant.contains("All 50 customers are taken. 6 of them have "),
        "{quadrant}"
    );
}

/// Credit notes push a customer's sales below 0: the Pareto curve counts them as 0, and its
/// note says so and by how much its total differs from the Tiers table's.
#[test]
fn the_pareto_note_says_negative_values_count_as_zero_on_the_curve() {
    let f = project(RULES, 20);
    f.conn()
        .execute(
            "UPDATE customers SET annual_sales = -5000 WHERE customer_id = 10",
            [],
        )
        .unwrap();
    let html = report(&f, &[]);
    let note = section(&html, "pareto");
    assert!(
        note.contains("Total sales (EUR): 921,000. 1 customer's sales (EUR) is below 0 (credit notes) and counts as 0 on the curve, so its total is 5,000 more than the sum in the Tiers table."),
        "{note}"
    );
}

/// Repeated ids, which `run` refuses, gave the report figures no run gives (and its `gone`
/// column a negative count): refused as `explain` and `serve` refuse them.
#[test]
fn a_report_of_repeated_ids_is_refused() {
    let f = Fixture::new();
    f.customers(
        "customer_id TEXT, annual_sales REAL, overdue_days INTEGER, loyalty REAL",
        &[
            vec![text("C1"), real(10.0), int(0), real(0.5)],
            vec![text("C1"), real(20.0), int(0), real(0.5)],
        ],
    );
    f.rule("tiers.yaml", RULES);
    f.run(&["report", "--out", "r.html"])
        .assert_code(1)
        .assert_stderr_contains("customer id C1 appears more than once");
}

/// The page carried none of what `run` warns about on the same data (an extract cut short
/// to a third, a percentage compared with a share): a reader took its tiers for the month's.
/// Said on the page and on stderr, as `run` notes them.
#[test]
fn a_report_carries_the_warnings_a_run_gives_on_the_same_data() {
    let rules = RULES.replace(
        "      - { id: t-bronze, then: { tier: bronze } }",
        "      - { id: t-loyal, when: loyalty >= 80, then: { tier: silver } }\n      - { id: t-bronze, then: { tier: bronze } }",
    );
    let f = project(&rules, 60);
    f.run_ok(&["--as-of", "2025-12-31"]);
    let first = f.run(&["report", "--out", "report.html", "--as-of", "2025-12-31"]);
    first
        .assert_code(0)
        .assert_stderr_contains("`loyalty` holds shares in the data");
    let html = std::fs::read_to_string(f.path("report.html")).unwrap();
    assert!(
        html.contains("<strong>Warnings on the data</strong>"),
        "{html}"
    );
    assert!(!html.contains("fewer"), "{html}");
    f.conn()
        .execute("DELETE FROM customers WHERE customer_id > 20", [])
        .unwrap();
    let cut = f.run(&["report", "--out", "report.html", "--as-of", "2026-03-31"]);
    cut.assert_code(0);
    let html = std::fs::read_to_string(f.path("report.html")).unwrap();
    let run = f.run(&["run", "--as-of", "2026-03-31", "--format", "json"]);
    run.assert_code(0);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let notes: Vec<&str> = (json["notes"].as_array().unwrap().iter())
        .filter_map(|n| n.as_str())
        .collect();
    let page = html
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">");
    // What the run notes, said as the previews (`diff`, `report --base`) say it.
    for (noted, said) in [
        (
            "40 of 2025-Q4's 60 customers (67%) are not in",
            "40 of 2025-Q4's 60 customers are not in the source",
        ),
        (
            "`loyalty` holds shares in the data (0 to 0.9)",
            "`loyalty` holds shares in the data (0 to 0.9)",
        ),
    ] {
        assert!(notes.iter().any(|n| n.contains(noted)), "{notes:?}");
        assert!(page.contains(said), "{said}\n{page}");
        assert!(cut.stderr.contains(said), "{}", cut.stderr);
    }
}

/// A month run with `--keep-going` (a rule failing for a few customers) had no report: the
/// first failing customer stopped it. With `--keep-going` the page is drawn from the others,
/// counts them only, and says how many were left out and why the first failed.
#[test]
fn a_report_can_keep_going_past_customers_a_rule_fails_for() {
    // A decision that fails for customers overdue beyond 80 days, before the summary.
    let (decisions, summary) = RULES.split_once("summary:\n").unwrap();
    let rules = format!(
        "{decisions}  - name: risk\n    rules:\n      - {{ id: risky, when: overdue_days > 80, then: {{ risk: '= parse_float(`x${{overdue_days}}`)' }} }}\n      - {{ id: safe, then: {{ risk: 0 }} }}\nsummary:\n{summary}"
    );
    let f = project(&rules, 60);
    let failing: i64 = f
        .conn()
        .query_row(
            "SELECT count(*) FROM customers WHERE overdue_days > 80",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(failing > 0 && failing < 60);
    let stopped = f.run(&["report", "--out", "report.html", "--as-of", "2025-12-31"]);
    stopped
        .assert_code(1)
        .assert_stderr_contains("rule `risky` failed: `parse_float` cannot read the text");
    assert!(!f.path("report.html").exists());

    let went_on = f.run(&[
        "report",
        "--out",
        "report.html",
        "--as-of",
        "2025-12-31",
        "--keep-going",
    ]);
    // Written, not of every customer: exit 1, as `run --keep-going`.
    went_on.assert_code(1).assert_stderr_contains(&format!(
        "note: {failing} customers left out: their evaluation failed, so the page counts them nowhere (not even as gone: they are in the data; the migration's rows lack them); the first: customer "
    ));
    assert!(
        went_on.stdout.starts_with(&format!(
            "report: {} of 60 customers ({failing} left out) as of 2025-12-31",
            60 - failing
        )),
        "{}",
        went_on.stdout
    );
    let html = std::fs::read_to_string(f.path("report.html")).unwrap();
    assert!(html.contains(&format!(
        "<p class=\"missing\">{failing} customers left out"
    )));
    let tiers = rows(&html, "tiers");
    let all = tiers.iter().find(|r| r[0] == "all").expect("a row of all");
    assert_eq!(all[1], commas(60 - failing), "{tiers:?}");

    // Left out, they are still in the data: not gone in the migration (they were 22 gone
    // where 9 had left, the banner saying they counted nowhere).
    // The previous quarter run without the failing rule: every customer in it.
    f.rule("tiers.yaml", RULES);
    f.run_ok(&["--as-of", "2025-12-31"]);
    f.rule("tiers.yaml", &rules);
    f.run(&[
        "report",
        "--out",
        "report.html",
        "--as-of",
        "2026-03-31",
        "--keep-going",
    ])
    .assert_code(1);
    let html = std::fs::read_to_string(f.path("report.html")).unwrap();
    let matrix = rows(&html, "migration");
    let gone = matrix[0]
        .iter()
        .position(|c| c == "gone")
        .expect("a gone column");
    let total = matrix.last().expect("the all row");
    assert_eq!(total[gone], "0", "{matrix:?}");
}

/// A tier value the rules' order does not list (a special case): moves to it were painted
/// red as downgrades (16 customers) where `run` counts them unranked (4 down).
#[test]
fn a_move_to_a_value_the_order_does_not_list_is_neither_up_nor_down() {
    let rules = RULES.replace(
        "      - { id: t-none, when: is_null(rank), then: { tier: none } }",
        "      - { id: t-special, when: overdue_days > 80, then: { tier: special } }\n      - { id: t-none, when: is_null(rank), then: { tier: none } }",
    );
    let f = project(RULES, 60);
    f.run_ok(&["--as-of", "2025-12-31"]);
    f.rule("tiers.yaml", &rules);
    let html = report(&f, &["--as-of", "2026-03-31"]);
    let section = section(&html, "migration");
    let matrix = rows(&html, "migration");
    let special = matrix[0]
        .iter()
        .position(|c| c == "special")
        .expect("a special column");
    // Every cell of the column is plain: no `up`/`down` class in it.
    for row in section.split("<tr>").skip(2) {
        let cells: Vec<&str> = row.split("<td").skip(1).collect();
        if let Some(cell) = cells.get(special - 1) {
            assert!(
                !cell.starts_with(" class=\"num up") && !cell.starts_with(" class=\"num down"),
                "{cell}"
            );
        }
    }
    assert!(
        section.contains("a move from or to a value it does not list is neither"),
        "{section}"
    );
}

/// The quadrant's colours followed each segment's number of customers, so a segment took
/// another's colour the month it grew past it: in the rules' order now, a month's page and
/// the next read with one key.
#[test]
fn quadrant_colours_follow_the_rules_order_not_the_counts() {
    let f = project(RULES, 50);
    let html = report(&f, &["--as-of", "2026-03-31"]);
    let section = section(&html, "quadrant");
    let legend = &section[section.find("class=\"legend\"").expect("a legend")..];
    let at = |tier: &str| {
        legend
            .find(&format!("<bdi>{tier}</bdi>"))
            .unwrap_or(usize::MAX)
    };
    // gold holds the fewest customers, yet comes first, as `summary.moves` lists it.
    assert!(
        at("gold") < at("silver") && at("silver") < at("bronze"),
        "{legend}"
    );
    let swatch = |legend: &str, tier: &str| {
        let before = &legend[..legend.find(&format!("<bdi>{tier}</bdi>")).expect(tier)];
        before[before.rfind("background:").expect("a swatch") + 11..][..7].to_owned()
    };
    let none = swatch(legend, "none");
    // A month where every ranked customer ties (all gold) has no silver and no bronze:
    // `none` keeps its colour (it took silver's, the second of those present).
    f.conn()
        .execute(
            "UPDATE customers SET annual_sales = 1000 WHERE annual_sales > 0",
            [],
        )
        .unwrap();
    let html = report(&f, &["--as-of", "2026-03-31"]);
    let quadrant = self::section(&html, "quadrant");
    let legend = &quadrant[quadrant.find("class=\"legend\"").expect("a legend")..];
    assert!(!legend.contains("<bdi>silver</bdi>"), "{legend}");
    assert_eq!(swatch(legend, "none"), none, "{legend}");
}

/// A tier output the previous period's run did not give (renamed since): every customer
/// showed as `new` and none as gone, as if the period had no customers. Said instead.
#[test]
fn a_migration_from_a_run_without_the_tier_output_says_so() {
    let f = project(RULES, 40);
    f.run_ok(&["--as-of", "2025-12-31"]);
    f.rule("tiers.yaml", &RULES.replace("tier", "band"));
    let html = report(&f, &["--as-of", "2026-03-31"]);
    let migration = strip_tags(section(&html, "migration")).replace("&#39;", "'");
    assert!(
        migration.contains("2025-Q4's run (run 1) holds no `band` (the output is newer than it): there is nothing to compare with"),
        "{migration}"
    );
}

/// For rules that carry an output from period to period (`previous.tier`), `diff` says its
/// figures are this period's alone (the periods before hold what was recorded); the
/// report's impact section, sent to management, gave the same figures without a word.
#[test]
fn the_reports_impact_says_what_diff_says_of_outputs_carried_between_periods() {
    let carried = RULES.replace(
        "  - name: discount\n",
        "  - name: was\n    output: was_tier\n    rules:\n      - { id: was, value: '= previous.tier ?? \"none\"' }\n  - name: discount\n",
    );
    let f = project(&carried, 60);
    std::fs::create_dir(f.path("base")).unwrap();
    std::fs::write(f.path("base/tiers.yaml"), &carried).unwrap();
    f.rule("tiers.yaml", &carried.replace("rank >= 0.8", "rank >= 0.9"));
    let html = report(&f, &["--as-of", "2026-03-31", "--base", "base"]);
    let diff = section(&html, "diff");
    assert!(
        diff.contains("<p class=\"note\">Note: the change moves outputs the rules read of earlier periods (`previous.tier`): those periods hold what their runs recorded"),
        "{diff}"
    );
}

/// `report --out dist.db` (an approver's `--out d<TAB>`) replaced the customer database with
/// the page, exit 0; `run --out rules/commission.csv` replaced a rule table with policies.
/// Both are refused before any work, and nothing is touched.
#[test]
fn out_never_replaces_the_database_or_a_rule_file() {
    let fx = Fixture::new();
    fx.sales_customers(&[10.0, 20.0]);
    fx.rule(
        "t.yaml",
        "decisions:\n  - name: t\n    rules:\n      - { id: a, then: { t: x } }\n",
    );
    let db = std::fs::read(fx.path("customers.db")).unwrap();
    fx.run(&["report", "--out", "customers.db"])
        .assert_code(2)
        .assert_stderr_contains("a report is an HTML page: the file name must end in .html");
    fx.run(&["report", "--out", "rules/page.html"])
        .assert_code(2)
        .assert_stderr_contains("that is in the rules directory");
    fx.run(&["run", "--out", "rules/t.csv"])
        .assert_code(2)
        .assert_stderr_contains("that is in the rules directory");
    assert_eq!(std::fs::read(fx.path("customers.db")).unwrap(), db);
    assert!(!fx.path("rules/t.csv").exists() && !fx.path("rules/page.html").exists());
    fx.run(&["report", "--out", "page.html"]).assert_code(0);
}
