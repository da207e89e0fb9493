//! Dates and the evaluation date on the real binary: date columns, `as_of` and `period` in
//! rules, the date functions at their boundaries, query parameters, and the errors.

mod common;

use common::*;

/// Customers with a DATE column `last_order_day` and the config's period.
fn fixture(period: &str, last_orders: &[Option<&str>]) -> Fixture {
    let fx = Fixture::new();
    std::fs::write(
        fx.path("config.yaml"),
        format!("database: customers.db\nrules: rules\nperiod: {period}\n"),
    )
    .unwrap();
    let rows: Vec<Vec<rusqlite::types::Value>> = last_orders
        .iter()
        .enumerate()
        .map(|(i, d)| vec![int(i as i64 + 1), d.map_or(null(), text)])
        .collect();
    fx.customers(
        "customer_id INTEGER PRIMARY KEY, last_order_day DATE",
        &rows,
    );
    fx
}

/// Reads the customers through a query converting `last_order_day` as `conversion` (a
/// conversion the help offered, pasted), listed under `customers.dates`; the config before.
fn with_converted_dates(fx: &Fixture, conversion: &str) -> String {
    let config = std::fs::read_to_string(fx.path("config.yaml")).unwrap();
    std::fs::write(
        fx.path("config.yaml"),
        format!("{config}customers:\n  id_column: customer_id\n  dates: [last_order_day]\n  query: >\n    SELECT customer_id, {conversion} FROM customers\n"),
    )
    .unwrap();
    config
}

const LOST: &str = "decisions:
  - name: status
    rules:
      - { id: no-order, when: is_null(last_order_day), then: { status: never } }
      - { id: lost, when: 'days_between(last_order_day, as_of) >= 180', then: { status: lost } }
      - { id: active, then: { status: active } }
  - name: period_seen
    output: period_seen
    rules:
      - { id: p, value: '= period' }
";

/// `effective: { from: April 1, 2026 }`, a date as a letter writes it: the help said
/// "write 1.2026, with a decimal point", no date at all (the fiscal controller's F04).
#[test]
fn a_date_written_as_in_a_letter_gets_its_iso_form() {
    let fx = Fixture::new();
    fx.sales_customers(&[10.0]);
    fx.rule(
        "r.yaml",
        "decisions:\n  - name: tier\n    rules:\n      - { id: a1, effective: { from: April 1, 2026 }, then: { tier: A } }\n",
    );
    let check = fx.run(&["check"]);
    check.assert_code(2);
    assert!(
        check.stdout.contains("= help: in `{ ... }` a comma separates entries, so `1, 2026` was read as `1` and a key `2026`: a date is written year-month-day, `2026-04-01`"),
        "{}",
        check.stdout
    );
}

/// `effective: { from: "2027-04-01 14:00" }` passed `check`, the time dropped: the row was
/// in effect the whole of 1 April (the second controller's F11, helper 119).
#[test]
fn an_effective_date_with_a_time_is_an_error_at_it() {
    let fx = Fixture::new();
    fx.sales_customers(&[10.0]);
    fx.rule(
        "r.yaml",
        "decisions:\n  - name: tier\n    rules:\n      - { id: a1, effective: { from: '2027-04-01 14:00' }, then: { tier: A } }\n      - { id: a2, effective: { to: 2027-03-31T23:59:59+01:00 }, then: { tier: B } }\n      - { id: a3, effective: { from: '2027-04-01 00:00:00' }, then: { tier: C } }\n",
    );
    let check = fx.run(&["check"]);
    check.assert_code(2);
    assert!(
        check.stdout.contains("error: `2027-04-01 14:00` has a time of day: an `effective:` date is a whole day (runs are as of a day), and the time would be dropped (in `a1`)\n --> rules/r.yaml:4:38"),
        "{}",
        check.stdout
    );
    assert!(
        check.stdout.contains("= help: write `2027-04-01`; a change at a time of day takes effect from the next day's runs (`from: 2027-04-02`)"),
        "{}",
        check.stdout
    );
    assert!(
        check
            .stdout
            .contains("error: `2027-03-31T23:59:59+01:00` has a time of day"),
        "{}",
        check.stdout
    );
    // Midnight, as an export writes a date, is the day.
    assert!(
        check.stdout.contains("2 errors in the rule files"),
        "{}",
        check.stdout
    );
}

/// `add_days(last_day, 90)` and `days_between(last_day, as_of)` of a TEXT column passed
/// `check` (no data) and failed for every customer at run time (the ERP persona's finding).
/// A column that declares no type is found by `run` before evaluating, on the values read.
#[test]
fn a_date_function_of_a_text_column_is_an_error_at_load_time() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id INTEGER PRIMARY KEY, last_day TEXT, kept",
        &[
            vec![int(1), text("2026-01-05"), text("2026-01-05")],
            vec![int(2), null(), null()],
        ],
    );
    fx.rule(
        "r.yaml",
        "decisions:\n  - name: w\n    output: late\n    rules:\n      - { id: late, when: \"add_days(last_day, 90) < as_of\", value: 1 }\n      - { id: gap, when: \"days_between(as_of, kept) > 60\", value: 2 }\n      - { id: rest, value: 0 }\n",
    );
    let check = fx.run(&["check"]);
    check.assert_code(2);
    assert!(
        check.stdout.contains("error: field `last_day` is text, and `add_days` needs a date: it fails for every customer with a value there (in `late`)\n --> rules/r.yaml:5:28"),
        "{}",
        check.stdout
    );
    assert!(
        check.stdout.contains("= help: a date function takes a date: to read the column's values (written 2025-03-01) as dates, list it in the config, `customers: { dates: [last_day] }`"),
        "{}",
        check.stdout
    );
    assert!(
        check.stdout.contains("1 error in the rule files"),
        "{}",
        check.stdout
    );
    // `kept` declares no type: the values read tell.
    fx.rule(
        "r.yaml",
        "decisions:\n  - name: w\n    output: late\n    rules:\n      - { id: gap, when: \"days_between(as_of, kept) > 60\", value: 2 }\n      - { id: rest, value: 0 }\n",
    );
    let run = fx.run(&["run"]);
    run.assert_code(2);
    run.assert_stderr_contains("field `kept` is text (in the data: its column declares no type), and `days_between` needs a date");
}

/// Dates written as people and systems write them got "write it as 2025-03-01": the help
/// now gives the day itself (the fiscal controller's F09 and F04's rest): the month's name,
/// day first or not, an Excel date number, a Unix time; a time with a blank before its
/// offset (`00:00 +01:00`) is read as a time (and is a time of day, not a whole day).
#[test]
fn a_date_written_another_way_gets_the_day_it_stands_for() {
    let fx = Fixture::new();
    fx.sales_customers(&[10.0]);
    fx.rule(
        "r.yaml",
        "decisions:\n  - name: tier\n    rules:\n      - { id: a, effective: { from: 1 April 2026 }, then: { tier: A } }\n      - { id: b, effective: { from: 46112 }, then: { tier: B } }\n      - { id: c, effective: { from: 1775001600 }, then: { tier: C } }\n      - { id: d, effective: { from: '2026-04-01 09:00 +01:00' }, then: { tier: D } }\n",
    );
    let check = fx.run(&["check"]);
    check.assert_code(2);
    for said in [
        "error: `1 April 2026` is not a date: write it as 2026-04-01 (year-month-day) (in `a`)",
        "error: `46112` is not a date: write it as 2026-03-31 (year-month-day), the day it is as an Excel date number (days since 1899-12-30) (in `b`)",
        "error: `1775001600` is not a date: write it as 2026-04-01 (year-month-day), the day it is as a Unix time (seconds since 1970-01-01, UTC) (in `c`)",
        "error: `2026-04-01 09:00 +01:00` has a time of day",
    ] {
        assert!(check.stdout.contains(said), "{said}\n{}", check.stdout);
    }
    fx.rule(
        "r.yaml",
        "decisions:\n  - name: tier\n    rules:\n      - { id: a, effective: { from: 1 April, 2026 }, then: { tier: A } }\n",
    );
    let british = fx.run(&["check"]);
    british.assert_code(2);
    assert!(
        british.stdout.contains("= help: in `{ ... }` a comma separates entries, so `1 April, 2026` was read as `1 April` and a key `2026`: a date is written year-month-day, `2026-04-01`"),
        "{}",
        british.stdout
    );
}

/// Without `--as-of` a run took the UTC date: a close at 18:30 in Los Angeles on 30
/// November was December's run (the fiscal controller's F05). The config's `timezone:`
/// says whose day it is; a zone that is none is an error saying the closest name.
#[test]
fn the_day_of_a_run_without_as_of_is_the_config_time_zones() {
    let fx = Fixture::new();
    fx.sales_customers(&[10.0]);
    fx.rule(
        "r.yaml",
        "decisions:\n  - name: tier\n    rules:\n      - { id: a, then: { tier: A } }\n",
    );
    let config = std::fs::read_to_string(fx.path("config.yaml")).unwrap();
    let day_in = |zone: &str| {
        let tz = jiff::tz::TimeZone::get(zone).unwrap();
        jiff::Timestamp::now()
            .to_zoned_datetime(tz)
            .date()
            .to_string()
    };
    // Fourteen hours ahead of UTC, and twelve behind: never the same day.
    for zone in ["Pacific/Kiritimati", "Etc/GMT+12"] {
        std::fs::write(
            fx.path("config.yaml"),
            format!("{config}timezone: {zone}\n"),
        )
        .unwrap();
        let before = day_in(zone);
        let run = fx.run(&["run", "--format", "json"]);
        run.assert_code(0);
        let after = day_in(zone);
        let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        let as_of = json["as_of"].as_str().unwrap().to_owned();
        assert!(
            as_of == before || as_of == after,
            "{zone}: {as_of}, not {before}"
        );
    }
    std::fs::write(
        fx.path("config.yaml"),
        format!("{config}timezone: Europe/Berln\n"),
    )
    .unwrap();
    fx.run(&["run"])
        .assert_code(2)
        .assert_stderr_contains("`timezone: Europe/Berln` is not a time zone of the IANA database (did you mean `Europe/Berlin`?): write one such as Europe/Berlin, America/Los_Angeles or UTC");
}

#[test]
fn exactly_180_days_is_lost_179_is_not_and_the_period_is_the_as_of_dates() {
    // As of 2026-09-30: 180 days back is 2026-04-03.
    let fx = fixture(
        "quarter",
        &[
            Some("2026-04-03"),
            Some("2026-04-04"),
            None,
            Some("2026-09-30"),
        ],
    );
    fx.rule("rules.yaml", LOST);
    fx.run_ok(&["--as-of", "2026-09-30"]);
    let latest = fx.latest();
    assert_eq!(
        column(&latest, "status"),
        expect(&[
            ("1", "lost"),
            ("2", "active"),
            ("3", "never"),
            ("4", "active")
        ])
    );
    assert_eq!(column(&latest, "period_seen")["1"], text("2026-Q3"));
    // A month later customer 2 is lost too, and the period follows the config's kind.
    std::fs::write(
        fx.path("config.yaml"),
        "database: customers.db\nrules: rules\nperiod: month\n",
    )
    .unwrap();
    fx.run_ok(&["--as-of", "2026-10-01"]);
    let latest = fx.latest();
    assert_eq!(column(&latest, "status")["2"], text("lost"));
    assert_eq!(column(&latest, "period_seen")["2"], text("2026-10"));
}

#[test]
fn month_ends_leap_days_and_whole_months() {
    let fx = fixture(
        "month",
        &[Some("2025-01-31"), Some("2024-02-29"), Some("2025-03-01")],
    );
    fx.rule(
        "rules.yaml",
        "decisions:
  - name: next_month
    output: next_month
    rules: [ { id: nm, value: '= add_months(last_order_day, 1)' } ]
  - name: age
    output: whole_months
    rules: [ { id: wm, value: '= months_between(last_order_day, as_of)' } ]
  - name: parts
    output: parts
    rules: [ { id: pt, value: '= year(last_order_day) * 100 + quarter(last_order_day)' } ]
",
    );
    fx.run_ok(&["--as-of", "2025-08-31"]);
    let latest = fx.latest();
    assert_eq!(
        column(&latest, "next_month"),
        expect(&[
            ("1", "2025-02-28"),
            ("2", "2024-03-29"),
            ("3", "2025-04-01")
        ])
    );
    // 2025-01-31 + 7 months = 2025-08-31 (month end); 2024-02-29 + 18 = 2025-08-29.
    assert_eq!(
        column(&latest, "whole_months"),
        expect(&[("1", 7), ("2", 18), ("3", 5)])
    );
    assert_eq!(column(&latest, "parts")["2"], int(202401));
}

#[test]
fn a_malformed_date_in_the_data_names_the_customer_the_column_and_the_value() {
    let fx = fixture("month", &[Some("2025-01-31"), Some("31/01/2025")]);
    fx.rule("rules.yaml", LOST);
    let run = fx.run(&["run", "--as-of", "2025-06-30"]);
    run.assert_code(1);
    run.assert_stderr_contains(
        "customer 2: column `last_order_day` holds `31/01/2025`, which is not a date",
    );
    // The help converts what the value looks like, in the query: undeclared, the column
    // would be text, and `\"31-12-2021\" < \"2024-01-01\"` orders as text.
    let conversion = "CASE WHEN \"last_order_day\" LIKE '__/__/____' THEN substr(\"last_order_day\", 7, 4) || '-' || substr(\"last_order_day\", 4, 2) || '-' || substr(\"last_order_day\", 1, 2) ELSE NULLIF(\"last_order_day\", '') END AS \"last_order_day\"";
    run.assert_stderr_contains(&format!("this reads as day, month, year (31 is no month): convert it in the customers query (`customers.query`), `{conversion}`"));
    assert!(!run.stderr.contains("do not declare"), "{}", run.stderr);
    // Converted in a query, the column declares no type: it must be listed as a date.
    let list_it = "list `last_order_day` under `customers.dates` in the config";
    run.assert_stderr_contains(list_it);
    // Pasted, it reads the day-first row and leaves the ISO one as it is (it broke it).
    let config = with_converted_dates(&fx, conversion);
    fx.run(&["run", "--as-of", "2025-06-30"]).assert_code(0);
    std::fs::write(fx.path("config.yaml"), config).unwrap();
    // An ERP's blank and its number 20250131.
    fx.conn()
        .execute_batch("UPDATE customers SET last_order_day = '' WHERE customer_id = 2")
        .unwrap();
    let blank = fx.run(&["run", "--as-of", "2025-06-30"]);
    blank.assert_stderr_contains(
        "customer 2: column `last_order_day` holds empty text, which is not a date",
    );
    blank.assert_stderr_contains("for no date, write NULL, or read the column as `NULLIF(\"last_order_day\", '') AS \"last_order_day\"`");
    fx.conn()
        .execute_batch("UPDATE customers SET last_order_day = 20250131 WHERE customer_id = 2")
        .unwrap();
    let number = fx.run(&["run", "--as-of", "2025-06-30"]);
    number.assert_stderr_contains(
        "customer 2: column `last_order_day` holds the number 20250131, which is not a date",
    );
    number.assert_stderr_contains("this reads as a number year-month-day: convert it in the customers query (`customers.query`), `printf('%04d-%02d-%02d', \"last_order_day\" / 10000, \"last_order_day\" / 100 % 100, \"last_order_day\" % 100) AS \"last_order_day\"`");
    // An Excel export's date serial.
    fx.conn()
        .execute_batch("UPDATE customers SET last_order_day = 45688 WHERE customer_id = 2")
        .unwrap();
    let serial = "CASE WHEN typeof(\"last_order_day\") IN ('integer', 'real') AND \"last_order_day\" BETWEEN 20000 AND 80000 THEN date('1899-12-30', '+' || CAST(\"last_order_day\" AS INTEGER) || ' days') ELSE \"last_order_day\" END AS \"last_order_day\"";
    fx.run(&["run", "--as-of", "2025-06-30"]).assert_stderr_contains(&format!("this reads as an Excel date serial (days since 1899-12-30): convert it in the customers query (`customers.query`), `{serial}` (other numbers stay as they are, and are still refused"));
    // Pasted, it reads the serial; a Unix time in another row stays a number, refused
    // (converted, it was NULL: a credit block lifted, and `--strict` passed).
    let config = with_converted_dates(&fx, serial);
    fx.run(&["run", "--as-of", "2025-06-30"]).assert_code(0);
    fx.conn()
        .execute_batch("UPDATE customers SET last_order_day = 1775001600 WHERE customer_id = 1")
        .unwrap();
    fx.run(&["run", "--as-of", "2025-06-30"])
        .assert_code(1)
        .assert_stderr_contains(
            "customer 1: column `last_order_day` holds the number 1775001600, which is not a date",
        );
    std::fs::write(fx.path("config.yaml"), config).unwrap();
    fx.conn()
        .execute_batch("UPDATE customers SET last_order_day = '2025-01-31' WHERE customer_id = 1")
        .unwrap();
    // SQLite's own numeric date, `julianday('2025-01-31')`: the conversion offered, pasted,
    // reads it as that day.
    fx.conn()
        .execute_batch(
            "UPDATE customers SET last_order_day = julianday('2025-01-31') WHERE customer_id = 2",
        )
        .unwrap();
    let conversion = "CASE WHEN typeof(\"last_order_day\") IN ('integer', 'real') AND \"last_order_day\" BETWEEN 2400000 AND 2500000 THEN date(\"last_order_day\") ELSE \"last_order_day\" END AS \"last_order_day\"";
    fx.run(&["run", "--as-of", "2025-06-30"]).assert_stderr_contains(&format!(
        "this reads as a Julian day number (SQLite's `julianday()`): convert it in the customers query (`customers.query`), `{conversion}`"
    ));
    with_converted_dates(&fx, conversion);
    fx.run(&["run", "--as-of", "2025-06-30"]).assert_code(0);
    let day: String = fx
        .conn()
        .query_row(
            &format!("SELECT {conversion} FROM customers WHERE customer_id = 2"),
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(day, "2025-01-31");
    // Listed already, the help does not ask for what the config does.
    fx.conn()
        .execute_batch("UPDATE customers SET last_order_day = '31/01/2025' WHERE customer_id = 2")
        .unwrap();
    let listed = fx.run(&["run", "--as-of", "2025-06-30"]);
    listed.assert_stderr_contains("this reads as day, month, year");
    assert!(!listed.stderr.contains(list_it), "{}", listed.stderr);
    // A US export, month first: said by the value (31 is no month), with its conversion.
    fx.conn()
        .execute_batch("UPDATE customers SET last_order_day = '12/31/2024' WHERE customer_id = 2")
        .unwrap();
    let us = fx.run(&["run", "--as-of", "2025-06-30"]);
    us.assert_stderr_contains("this reads as month, day, year (31 is no month): convert it in the customers query (`customers.query`), `CASE WHEN \"last_order_day\" LIKE '__/__/____' THEN substr(\"last_order_day\", 7, 4) || '-' || substr(\"last_order_day\", 1, 2) || '-' || substr(\"last_order_day\", 4, 2)");
    // 03/04/2025 alone does not tell: both conversions, and how to tell.
    fx.conn()
        .execute_batch("UPDATE customers SET last_order_day = '03/04/2025' WHERE customer_id = 2")
        .unwrap();
    let either = fx.run(&["run", "--as-of", "2025-06-30"]);
    either.assert_stderr_contains(
        "this is day, month, year or month, day, year, and `03/04/2025` alone does not tell which",
    );
}

#[test]
fn text_and_dates_never_compare_silently() {
    let fx = fixture("month", &[Some("2025-01-31")]);
    fx.rule(
        "rules.yaml",
        "decisions:
  - name: old
    rules:
      - { id: before, when: 'last_order_day < \"2025-01-01\"', then: { old: true } }
      - { id: bad, when: 'last_order_day > date(\"2025-02-30\")', then: { old: false } }
",
    );
    let check = fx.run(&["check"]);
    check.assert_code(2);
    assert!(
        check.stdout.contains(
            "field `last_order_day` is a date, but it is compared with text `2025-01-01`"
        ),
        "{}",
        check.stdout
    );
    assert!(
        check
            .stdout
            .contains("help: a date compares with a date: write date(\"2025-01-01\") (in a grid or spreadsheet cell, 2025-01-01 as it is)"),
        "{}",
        check.stdout
    );
    assert!(
        check.stdout.contains("`2025-02-30` is not a date"),
        "{}",
        check.stdout
    );
    // A day written another way: `date("31.12.2025")` would be refused too.
    fx.rule(
        "rules.yaml",
        "decisions:\n  - name: old\n    rules:\n      - { id: before, when: 'last_order_day < \"31.12.2025\"', then: { old: true } }\n",
    );
    let check = fx.run(&["check"]);
    assert!(
        check.stdout.contains("help: a date compares with a date, written year-month-day: date(\"2025-12-31\") in a formula, 2025-12-31 as it is in a grid or spreadsheet cell"),
        "{}",
        check.stdout
    );
    // A metric is a date when its formula gives one: a load error too.
    let metric = |formula: &str| {
        format!(
            "metrics:\n  last: '{formula}'\ndecisions:
  - name: old
    rules:
      - {{ id: before, when: 'last < \"2025-01-01\"', then: {{ old: true }} }}
"
        )
    };
    fx.rule("rules.yaml", &metric("last_order_day"));
    fx.run(&["run", "--as-of", "2025-06-30"])
        .assert_code(2)
        .assert_stderr_contains(
            "error: metric `last` is a date, but it is compared with text `2025-01-01`",
        );
    // Where the rules do not tell the kind (a date or text), it is an error per customer.
    fx.rule(
        "rules.yaml",
        &metric("if is_null(last_order_day) { \"none\" } else { last_order_day }"),
    );
    let run = fx.run(&["run", "--as-of", "2025-06-30"]);
    run.assert_code(1);
    run.assert_stderr_contains("a date can only be compared with a date, not with the text");
}

/// A licence's expiry in a column declared TEXT, compared with `as_of`: `check` passed and
/// the run failed for every customer ("write a date as date(...)"). A load error, with the
/// config's `customers.dates` to read the column as dates.
#[test]
fn a_text_column_compared_with_a_date_is_a_load_error_naming_customers_dates() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT, licence_expiry TEXT",
        &[vec![text("C1"), text("2026-11-15")]],
    );
    let rules = |when: &str| {
        format!(
            "decisions:\n  - name: blocked\n    rules:\n      - {{ id: expired, when: '{when}', then: {{ blocked: true }} }}\n      - {{ id: ok, then: {{ blocked: false }} }}\n"
        )
    };
    fx.rule("p.yaml", &rules("licence_expiry < as_of"));
    let check = fx.run(&["check"]);
    check.assert_code(2);
    assert!(
        check.stdout.contains("error: field `licence_expiry` is text, but it is compared with value of the run `as_of`, which is a date (in `expired`)")
            && check.stdout.contains("list it in the config, `customers: { dates: [licence_expiry] }`"),
        "{}",
        check.stdout
    );
    // Listed as dates: it runs, and the expired licence blocks.
    std::fs::write(
        fx.path("config.yaml"),
        "database: customers.db\ncustomers: { table: customers, id_column: customer_id, dates: [licence_expiry] }\nrules: rules\n",
    )
    .unwrap();
    fx.run_ok(&["--as-of", "2026-12-01"]);
    let blocked: i64 = fx
        .conn()
        .query_row("SELECT blocked FROM customer_policy", [], |r| r.get(0))
        .unwrap();
    assert_eq!(blocked, 1);
    // Converted where it is used: the same.
    fx.rule("p.yaml", &rules("date(licence_expiry) < as_of"));
    fx.run(&["check"]).assert_code(0);
    // Against a computed date, `check` cannot tell; the run's error names the text and
    // both ways to read it, not only "write a date as date(...)" of a literal never written.
    std::fs::write(
        fx.path("config.yaml"),
        "database: customers.db\ncustomers: { table: customers, id_column: customer_id }\nrules: rules\n",
    )
    .unwrap();
    fx.rule("p.yaml", &rules("licence_expiry < add_days(as_of, -1)"));
    let run = fx.run(&["run", "--as-of", "2026-12-01"]);
    run.assert_code(1);
    run.assert_stderr_contains("a date can only be compared with a date, not with the text \"2026-11-15\": a date written in a rule is date(\"2025-03-01\"); a column of dates kept as text is read as dates when the config lists it (`customers: { dates: [column] }`, its values written 2025-03-01), or with `date(column)` where it is used");
}

#[test]
fn a_query_source_binds_the_evaluation_date_and_lists_its_date_columns() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id INTEGER PRIMARY KEY",
        &[vec![int(1)], vec![int(2)]],
    );
    fx.conn()
        .execute_batch(
            "CREATE TABLE orders (customer_id INTEGER, day TEXT, amount REAL);
             INSERT INTO orders VALUES (1, '2026-01-15', 100), (1, '2026-08-01', 50),
                                       (2, '2026-07-20', 10), (2, '2026-10-02', 999);",
        )
        .unwrap();
    std::fs::write(
        fx.path("config.yaml"),
        "database: customers.db\nrules: rules\nperiod: quarter\ncustomers:
  query: |
    SELECT c.customer_id,
           (SELECT SUM(amount) FROM orders o WHERE o.customer_id = c.customer_id
              AND o.day BETWEEN :period_start AND :period_end) AS sales_in_period,
           (SELECT MAX(day) FROM orders o WHERE o.customer_id = c.customer_id
              AND o.day <= :as_of) AS last_order_day
    FROM customers c
  dates: [last_order_day]
",
    )
    .unwrap();
    fx.rule(
        "rules.yaml",
        "decisions:
  - name: recency
    output: days_since_order
    rules: [ { id: r, value: '= days_between(last_order_day, as_of)' } ]
  - name: sales
    output: sales
    rules: [ { id: s, value: '= sales_in_period ?? 0' } ]
",
    );
    fx.run_ok(&["--as-of", "2026-09-30"]);
    let latest = fx.latest();
    assert_eq!(
        column(&latest, "days_since_order"),
        expect(&[("1", 60), ("2", 72)])
    );
    assert_eq!(
        column(&latest, "sales"),
        expect(&[("1", 50.0), ("2", 10.0)])
    );
    // The run record keeps the query as it was run, for an auditor.
    let from: String = fx
        .conn()
        .query_row("SELECT customers_from FROM policy_run", [], |r| r.get(0))
        .unwrap();
    assert!(
        from.starts_with("SELECT c.customer_id,")
            && from.contains("AND o.day <= :as_of) AS last_order_day"),
        "{from}"
    );
}

/// `:as_at` for `:as_of` in the customers query was bound as NULL: a membership filter kept
/// no row, every group dissolved, and `run --strict` wrote it (3,598 tiers changed). A
/// parameter tierwise does not give is a setting error, in `check` as in `run`.
#[test]
fn a_query_parameter_tierwise_does_not_give_is_an_error_not_null() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id INTEGER PRIMARY KEY, joined TEXT",
        &[
            vec![int(1), text("2026-01-01")],
            vec![int(2), text("2026-12-01")],
        ],
    );
    fx.rule(
        "rules.yaml",
        "decisions:\n  - name: t\n    rules: [ { id: t, then: { t: 1 } } ]\n",
    );
    for (parameter, like) in [
        (":as_at", ": did you mean `:as_of`?"),
        (":AS_OF", ": did you mean `:as_of`?"),
        ("@as_of", ""),
        ("?", ""),
    ] {
        std::fs::write(
            fx.path("config.yaml"),
            format!(
                "database: customers.db\nrules: rules\ncustomers:\n  query: |\n    SELECT customer_id\n    FROM customers\n    WHERE joined <= {parameter}\n"
            ),
        )
        .unwrap();
        let message = format!(
            "the customers query uses the parameter `{parameter}` (line 3 of the query: `WHERE joined <= {parameter}`), which tierwise does not give: SQLite would read it as NULL for every row (tierwise gives :as_of, :period_start and :period_end){like}"
        );
        for args in [
            &["run", "--strict", "--as-of", "2026-06-30"][..],
            &["check"],
        ] {
            let run = fx.run(args);
            run.assert_code(2).assert_stderr_contains(&message);
        }
        assert!(!fx.has_policy_table() || fx.runs().iter().all(|r| r.status != "ok"));
    }
}

#[test]
fn an_as_of_that_is_not_a_date_is_a_usage_error() {
    let fx = fixture("month", &[Some("2025-01-31")]);
    fx.rule("rules.yaml", LOST);
    let run = fx.run(&["run", "--as-of", "2026-13-01"]);
    run.assert_code(2);
    run.assert_stderr_contains(
        "`2026-13-01` is not a date: there is no month 13 (months are 01 to 12)",
    );
    let run = fx.run(&["run", "--as-of", "1.12.2026"]);
    run.assert_code(2);
    run.assert_stderr_contains("`1.12.2026` is not a date: write it as 2025-03-01");
}

const PROMO: &str = "decisions:
  - name: discount
    hit: collect
    output: discount_pct
    rules:
      - { id: base, value: 1.0 }
      - { id: spring-promo, effective: { from: 2025-03-01, to: 2025-04-30 }, value: 2.0 }
  - name: summer_visits
    output: extra_visits
    effective: { from: 2025-06-01, to: 2025-08-31 }
    rules:
      - { id: summer, value: 1 }
";

#[test]
fn a_row_applies_on_the_first_and_last_day_of_its_window_and_not_outside() {
    let fx = fixture("month", &[Some("2025-01-31")]);
    fx.rule("rules.yaml", PROMO);
    for (as_of, discount, visits) in [
        ("2025-02-28", 1.0, None),
        ("2025-03-01", 3.0, None),
        ("2025-04-30", 3.0, None),
        ("2025-05-01", 1.0, None),
        ("2025-06-01", 1.0, Some(1)),
        ("2025-08-31", 1.0, Some(1)),
        ("2025-09-01", 1.0, None),
    ] {
        fx.run_ok(&["--as-of", as_of]);
        let latest = fx.latest();
        assert_eq!(
            column(&latest, "discount_pct")["1"],
            real(discount),
            "{as_of}"
        );
        assert_eq!(
            column(&latest, "extra_visits")["1"],
            visits.map_or(null(), int),
            "{as_of}"
        );
    }
}

/// `add_months(start, term_years * 12)` of a REAL column, or `add_days(as_of, 6 / 2)`,
/// passed `check` and failed every customer ("cannot be used on a date and a number"):
/// a whole decimal is a whole number of days or months; 2.5 is an error that says so.
#[test]
fn date_arithmetic_takes_a_whole_number_held_as_a_decimal() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id INTEGER PRIMARY KEY, start DATE, term_years REAL",
        &[
            vec![int(1), text("2024-02-29"), real(1.0)],
            vec![int(2), text("2025-01-31"), real(2.0)],
        ],
    );
    fx.rule(
        "rules.yaml",
        "decisions:\n  - name: d\n    rules:\n      - { id: ends, then: { ends: '= add_months(start, term_years * 12)', soon: '= add_days(as_of, 6 / 2)' } }\n",
    );
    fx.run_ok(&["--as-of", "2026-01-31"]);
    let latest = fx.latest();
    assert_eq!(
        column(&latest, "ends"),
        expect(&[("1", "2025-02-28"), ("2", "2027-01-31")])
    );
    assert_eq!(column(&latest, "soon")["1"], text("2026-02-03"));
    fx.rule(
        "rules.yaml",
        "decisions:\n  - name: d\n    rules:\n      - { id: ends, then: { ends: '= add_days(start, term_years * 2.5)' } }\n",
    );
    fx.run(&["run", "--as-of", "2026-01-31"])
        .assert_code(1)
        .assert_stderr_contains(
            "rule `ends` failed: `add_days` adds whole days, and 2.5 is not one: round it first",
        );
    // Whole but beyond any date: said so, not "round it".
    fx.rule(
        "rules.yaml",
        "decisions:\n  - name: d\n    rules:\n      - { id: ends, then: { ends: '= add_days(start, term_years * 1e300)' } }\n",
    );
    fx.run(&["run", "--as-of", "2026-01-31"])
        .assert_code(1)
        .assert_stderr_contains("the date would be outside the years 1 to 9999");
}

/// A row kept for the runs of earlier months (a promotion that ended) was warned about by
/// every monthly run, `serve` start and `watch` reload: `check` says it, runs do not.
#[test]
fn an_expired_row_is_for_check_to_say_not_every_run() {
    let fx = fixture("month", &[Some("2025-01-31")]);
    fx.rule("rules.yaml", PROMO);
    let run = fx.run(&["run", "--as-of", "2025-06-30"]);
    run.assert_code(0);
    assert!(!run.stderr.contains("expired"), "{}", run.stderr);
    let check = fx.run(&["check"]);
    check.assert_code(0);
    assert!(
        check
            .stdout
            .contains("row `spring-promo` expired on 2025-04-30")
            || check
                .stderr
                .contains("row `spring-promo` expired on 2025-04-30"),
        "{}{}",
        check.stdout,
        check.stderr
    );
}

#[test]
fn explain_says_a_row_is_not_in_effect_and_why() {
    let fx = fixture("month", &[Some("2025-01-31")]);
    fx.rule("rules.yaml", PROMO);
    let run = fx.run(&["explain", "1", "--as-of", "2025-05-01"]);
    run.assert_code(0);
    assert!(
        run.stdout.contains(
            "✗ spring-promo  (always)\n        not in effect: from 2025-03-01 to 2025-04-30 (as of 2025-05-01)"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("as of 2025-05-01, period 2025-05"),
        "{}",
        run.stdout
    );
}

#[test]
fn effective_dates_that_are_wrong_are_load_errors_with_their_position() {
    let fx = fixture("month", &[Some("2025-01-31")]);
    fx.rule(
        "rules.yaml",
        "decisions:
  - name: d
    output: x
    rules:
      - { id: typo, effective: { from: 2025-02-30 }, value: 1 }
      - { id: backwards, effective: { from: 2025-05-01, to: 2025-04-01 }, value: 2 }
",
    );
    let check = fx.run(&["check"]);
    check.assert_code(2);
    assert!(
        check.stdout.contains("error: `2025-02-30` is not a date: 2025-02 has 28 days (in `typo`)\n --> rules/rules.yaml:5:40"),
        "{}",
        check.stdout
    );
    assert!(
        check.stdout.contains("this is never in effect: `from` (2025-05-01) is after `to` (2025-04-01) (in `backwards`)"),
        "{}",
        check.stdout
    );
}

#[test]
fn a_customer_is_new_for_six_whole_months_to_the_day() {
    // Opened on these days; as of 2026-09-30. 2026-03-31 + 6 months is 2026-09-30 (the
    // month has no 31st), so it is 6 whole months, as is 2026-03-30.
    let fx = fixture(
        "month",
        &[
            Some("2026-03-30"),
            Some("2026-03-31"),
            Some("2026-04-01"),
            Some("2026-09-30"),
        ],
    );
    fx.rule(
        "rules.yaml",
        "decisions:
  - name: age
    rules:
      - { id: young, when: 'months_between(last_order_day, as_of) < 6', then: { age: new } }
      - { id: established, then: { age: established } }
",
    );
    fx.run_ok(&["--as-of", "2026-09-30"]);
    assert_eq!(
        column(&fx.latest(), "age"),
        expect(&[
            ("1", "established"),
            ("2", "established"),
            ("3", "new"),
            ("4", "new"),
        ])
    );
}

/// An ERP column of day-first text compared with an ISO date as text (`left_on <
/// "2024-01-01"`) ordered letter by letter: customers who left in 2021 were not "before
/// 2024", those leaving in 2025 were, exit 0, `check --data` clean. The data shows the
/// values are no ISO dates: `check --data` warns at the date, `run` notes it, `--strict`
/// refuses; ISO text is left alone.
#[test]
fn text_dates_not_in_iso_form_compared_with_an_iso_date_are_warned_on_the_data() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, left_on TEXT",
        &[
            vec![text("PT1"), text("31-12-2021")],
            vec![text("PT2"), text("05-01-2025")],
            vec![text("PT3"), null()],
        ],
    );
    fx.rule(
        "rules.yaml",
        "decisions:\n  - name: left\n    output: left_before_2024\n    rules:\n      - { id: left-yes, when: 'left_on < \"2024-01-01\"', value: true }\n      - { id: left-no, value: false }\n",
    );
    let check = fx.run(&["check", "--data"]);
    check.assert_code(0);
    assert!(
        check.stdout.contains(
            "warning: `left_on` is compared with the date \"2024-01-01\" by `<`, but it holds text that is no ISO date in the data (`31-12-2021`, 2 customers): text orders letter by letter, so such values may fall on the wrong side of \"2024-01-01\" (in `left-yes`)\n --> rules/rules.yaml:5:42\n"
        ),
        "{}",
        check.stdout
    );
    let run = fx.run(&["run", "--as-of", "2025-06-30"]);
    run.assert_code(0);
    assert!(
        run.stdout
            .contains("note: rules/rules.yaml:5:42: `left_on` is compared with the date"),
        "{}",
        run.stdout
    );
    fx.run(&["run", "--strict", "--as-of", "2025-06-30"])
        .assert_code(1);
    // ISO dates as text order as days do: nothing to say.
    fx.conn()
        .execute_batch("UPDATE customers SET left_on = '2021-12-31' WHERE customer_id = 'PT1'; UPDATE customers SET left_on = '2025-01-05' WHERE customer_id = 'PT2'")
        .unwrap();
    let iso = fx.run(&["check", "--data"]);
    assert!(!iso.stdout.contains("no ISO date"), "{}", iso.stdout);
    // A blank for "no date" sorts before every date too: read it as NULL.
    fx.conn()
        .execute_batch("UPDATE customers SET left_on = '' WHERE customer_id = 'PT3'")
        .unwrap();
    let blank = fx.run(&["check", "--data"]);
    assert!(
        blank
            .stdout
            .contains("but it holds text that is no ISO date in the data (empty text, 1 customer)"),
        "{}",
        blank.stdout
    );
    assert!(blank.stdout.contains("= help: read the blanks as NULL, `NULLIF(left_on, '') AS left_on` in the customers query"), "{}", blank.stdout);
}

/// A text column of dates with a time (`2025-12-31T10:00:00`) compared with an ISO date as
/// text: contracts ending on 31 December were not "ended by the year end" (as text the
/// time comes after the day), `check --data` was silent and `run --strict` wrote it. Warned
/// under `<=` and `>`, where the day's times fall on the wrong side; `<` and `>=` order them
/// right.
#[test]
fn text_dates_with_a_time_compared_with_a_date_are_warned_where_they_misorder() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, ends TEXT",
        &[
            vec![text("U1"), text("2025-06-30")],
            vec![text("U2"), text("2025-12-31T10:00:00")],
            vec![text("U3"), text("2025-12-31 23:59:59")],
        ],
    );
    let rules = |op: &str| {
        format!(
            "decisions:\n  - name: ye\n    output: ended\n    rules:\n      - {{ id: by-ye, when: 'ends {op} \"2025-12-31\"', value: true }}\n      - {{ id: later, value: false }}\n"
        )
    };
    fx.rule("rules.yaml", &rules("<="));
    let check = fx.run(&["check", "--data"]);
    assert!(
        check.stdout.contains(
            "warning: `ends` is compared with the date \"2025-12-31\" by `<=`, but it holds dates with a time in the data (`2025-12-31T10:00:00`, 2 customers): as text, a time on 2025-12-31 comes after \"2025-12-31\", so the customers of that day fall on the wrong side (in `by-ye`)"
        ),
        "{}",
        check.stdout
    );
    fx.run(&["run", "--strict", "--as-of", "2025-12-31"])
        .assert_code(1);
    for op in ["<", ">="] {
        fx.rule("rules.yaml", &rules(op));
        let check = fx.run(&["check", "--data"]);
        assert!(
            !check.stdout.contains("with a time"),
            "{op}: {}",
            check.stdout
        );
    }
    // Equal: a time on the day is never the day, as text.
    for op in ["==", "!="] {
        fx.rule("rules.yaml", &rules(op));
        let check = fx.run(&["check", "--data"]);
        assert!(
            check
                .stdout
                .contains("as text, a time on 2025-12-31 is not \"2025-12-31\""),
            "{op}: {}",
            check.stdout
        );
    }
}

/// A condition on a computed value failed at its boundary (`days_between(...) < 90` for a
/// customer exactly 90 days in): `explain` showed the dates, not the 90 it compared, and
/// the analyst counted days by hand.
#[test]
fn explain_shows_what_a_failed_comparison_computed() {
    let fx = fixture("month", &[Some("2025-01-31")]);
    fx.rule(
        "rules.yaml",
        "decisions:
  - name: status
    rules:
      - { id: new, when: 'days_between(last_order_day, as_of) < 90', then: { status: new } }
      - { id: settled, then: { status: settled } }
",
    );
    let explain = fx.run(&["explain", "1", "--as-of", "2025-05-01"]);
    explain.assert_code(0);
    assert!(
        explain.stdout.contains(
            "with last_order_day = 2025-01-31, as_of = 2025-05-01, days_between(last_order_day, as_of) = 90\n"
        ),
        "{}",
        explain.stdout
    );
}

/// A text column compared with a date: the message named the date by Rhai's type path
/// (`a date `tierwise::time::date::Date``), not as written.
#[test]
fn text_compared_with_a_date_names_the_date_as_written() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, d TEXT",
        &[vec![text("C1"), text("2025-01-01")]],
    );
    fx.rule(
        "rules.yaml",
        "decisions:\n  - name: t\n    output: t\n    rules:\n      - { id: a, when: 'd < date(\"2025-06-01\")', value: 1 }\n      - { id: b, value: 0 }\n",
    );
    let check = fx.run(&["check"]);
    check.assert_code(2);
    assert!(
        check.stdout.contains(
            "error: field `d` is text, but it is compared with a date `2025-06-01` (in `a`)"
        ) && !check.stdout.contains("tierwise::"),
        "{}",
        check.stdout
    );
}

/// An export with dates written several wrong ways: each form needs its own conversion, and
/// the help fits the first only, so the others are named at once (they came to light one
/// run at a time); `fields` shows one of each form.
#[test]
fn bad_dates_of_several_forms_are_named_one_of_each_at_once() {
    let fx = fixture(
        "month",
        &[
            Some("2025-01-31"),
            Some("31/01/2025"),
            Some("30/01/2025"),
            Some("2025-02-30"),
            Some("2025-1-5"),
            Some("01/02/2025"),
        ],
    );
    fx.rule("rules.yaml", LOST);
    let run = fx.run(&["run", "--as-of", "2025-06-30"]);
    run.assert_code(1)
        .assert_stderr_contains(
            "customer 2: column `last_order_day` holds `31/01/2025`, which is not a date (and 4 more customers)",
        )
        .assert_stderr_contains(
            "  = note: `last_order_day` also holds values of other forms that are not dates: `2025-02-30` (customer 4), `2025-1-5` (customer 5)\n",
        );
    // `check --data` stops on the same error.
    fx.run(&["check", "--data", "--as-of", "2025-06-30"])
        .assert_stderr_contains("`2025-02-30` (customer 4), `2025-1-5` (customer 5)");
    let fields = fx.run(&["fields"]);
    assert!(
        fields.stdout.contains(
            "warning: column `last_order_day` is declared a date, but 5 customers hold a value that is not (of 3 forms: \"31/01/2025\", \"2025-02-30\", \"2025-1-5\")"
        ),
        "{}",
        fields.stdout
    );
}

/// `dispute_opened + 14` (a grace's last day) and `as_of + 1` passed `check` and stopped
/// the month-end run for every customer ("`+` cannot be used on a date and a number"), where
/// `as_of - 90` was a load error with its fix: `+` is too.
#[test]
fn a_date_plus_days_is_a_load_error_with_add_days() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, opened DATE",
        &[vec![text("K1"), text("2026-01-05")]],
    );
    fx.rule(
        "r.yaml",
        "metrics:\n  grace_end: '= opened + 14'\ndecisions:\n  - name: p\n    output: x\n    rules:\n      - { id: a, value: '= grace_end' }\n",
    );
    fx.run(&["check"]).assert_code(2);
    let run = fx.run(&["run"]);
    run.assert_code(2);
    let d = run.diagnostic_at("rules/r.yaml:2:24");
    assert!(
        d.contains("field `opened` is a date, and `+` needs numbers")
            && d.contains("= help: for the date 14 days later, write `add_days(opened, 14)`"),
        "{d}"
    );
}

/// "No `day()`, `weekday()` or end-of-month function": a Sunday rule needed
/// `days_between(anchor, d) % 7`, negative before the anchor, and a month-end cut-off a
/// nest of `add_months`. `day`, `weekday` (1 Monday ... 7 Sunday) and `end_of_month`.
#[test]
fn day_weekday_and_end_of_month() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, due DATE",
        &[
            vec![text("leap"), text("2024-02-10")],
            vec![text("sunday"), text("2026-03-01")],
            vec![text("old"), text("1969-12-28")],
            vec![text("dec"), text("2025-12-31")],
        ],
    );
    fx.rule(
        "d.yaml",
        "decisions:\n  - name: d\n    outputs: [dd, wd, eom, sunday]\n    rules:\n      - { id: d, then: { dd: '= day(due)', wd: '= weekday(due)', eom: '= end_of_month(due)', sunday: '= weekday(due) == 7' } }\n",
    );
    fx.run_ok(&["--as-of", "2026-03-31"]);
    let latest = fx.latest();
    let got = |output: &str| -> Vec<String> {
        ["leap", "sunday", "old", "dec"]
            .iter()
            .map(|id| key(&column(&latest, output)[*id]))
            .collect()
    };
    assert_eq!(got("dd"), ["10", "1", "28", "31"]);
    assert_eq!(got("wd"), ["6", "7", "7", "3"]);
    assert_eq!(
        got("eom"),
        ["2024-02-29", "2026-03-31", "1969-12-31", "2025-12-31"]
    );
    assert_eq!(got("sunday"), ["0", "1", "1", "0"]);
}

/// "The later of the licence's expiry and the contract's end": `hit: max` over dates failed
/// for every customer at run time ("compares numbers"). The latest date wins (`min`: the
/// earliest), a NULL does not compete, and a date against a number names both rules.
#[test]
fn hit_max_and_min_compare_dates() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, licence DATE, contract DATE",
        &[
            vec![
                text("later-licence"),
                text("2027-03-01"),
                text("2026-12-31"),
            ],
            vec![
                text("later-contract"),
                text("2026-01-31"),
                text("2026-02-01"),
            ],
            vec![text("no-contract"), text("2026-05-05"), null()],
        ],
    );
    fx.rule(
        "d.yaml",
        "decisions:\n  - name: last_day\n    hit: max\n    output: last_day\n    rules:\n      - { id: licence, value: '= licence' }\n      - { id: contract, value: '= contract' }\n  - name: first_day\n    hit: min\n    output: first_day\n    rules:\n      - { id: licence-first, value: '= licence' }\n      - { id: contract-first, value: '= contract' }\n",
    );
    fx.run_ok(&["--as-of", "2026-03-31"]);
    let latest = fx.latest();
    let got = |output: &str| -> Vec<String> {
        ["later-licence", "later-contract", "no-contract"]
            .iter()
            .map(|id| key(&column(&latest, output)[*id]))
            .collect()
    };
    assert_eq!(got("last_day"), ["2027-03-01", "2026-02-01", "2026-05-05"]);
    assert_eq!(got("first_day"), ["2026-12-31", "2026-01-31", "2026-05-05"]);
    assert_eq!(
        column(&latest, "rule_ids")["later-contract"],
        text(r#"["contract","licence-first"]"#)
    );

    fx.rule(
        "d.yaml",
        "decisions:\n  - name: last_day\n    hit: max\n    output: last_day\n    rules:\n      - { id: licence, value: '= licence' }\n      - { id: days, value: 30 }\n",
    );
    // A number beside the dates is found at load time (a formula's kind known only per
    // customer is a conflict naming both rules, unit-tested in `hit::best`).
    let run = fx.run(&["run", "--as-of", "2026-03-31"]);
    run.assert_code(2);
    run.assert_stderr_contains(
        "row `licence` gives a formula giving a date), but row `days` gives the number 30",
    );
}

/// A scale's band written with dates (`below: 2026-01-01`) said "invalid floating point"
/// only: now what it is, where, and the two ways to write bands of dates.
#[test]
fn a_date_in_a_scale_band_says_bands_are_numbers_and_how_to_band_dates() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, due DATE",
        &[vec![text("K1"), text("2026-01-05")]],
    );
    fx.rule(
        "r.yaml",
        "decisions:\n  - name: phase\n    output: phase\n    scale:\n      of: due\n      bands:\n        - { id: old, below: 2026-01-01, value: old }\n        - { id: new, from: 2026-01-01, value: new }\n",
    );
    let check = fx.run(&["check"]);
    check.assert_code(2);
    let d = &check.stdout;
    assert!(
        d.contains("error: `2026-01-01` is a date, and a number is expected here\n --> rules/r.yaml:7:29\n")
            && d.contains("= help: a scale's bands are numbers: for bands of dates, write rows (`when: due < date(\"2026-01-01\")`), or band the days (`of: days_between(due, as_of)`, bands in days)"),
        "{d}"
    );
}

/// `as_of.month`, written as a property, failed for every customer with rhai's "a getter is
/// not registered for type 'date'": it is `month(as_of)`, as are `.year`, `.quarter`,
/// `.day`, `.weekday` and `.end_of_month` of a date.
#[test]
fn a_dates_parts_read_as_properties_too() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, due DATE",
        &[
            vec![text("K1"), text("2024-02-10")],
            vec![text("K2"), null()],
        ],
    );
    fx.rule(
        "d.yaml",
        "decisions:\n  - name: d\n    outputs: [parts, eom, late_month]\n    rules:\n      - { id: k1, when: '!is_null(due)', then: { parts: '= `${due.year}-${due.month}-${due.day} q${due.quarter} w${due.weekday}`', eom: '= due.end_of_month', late_month: '= as_of.month > due.month' } }\n      - { id: k2, then: { parts: '= `${as_of.year}-${as_of.month}-${as_of.day}`' } }\n",
    );
    fx.run(&["check"]).assert_code(0);
    fx.run_ok(&["--as-of", "2026-03-31"]);
    let latest = fx.latest();
    assert_eq!(column(&latest, "parts")["K1"], text("2024-2-10 q1 w6"));
    assert_eq!(column(&latest, "parts")["K2"], text("2026-3-31"));
    assert_eq!(key(&column(&latest, "eom")["K1"]), "2024-02-29");
    assert_eq!(column(&latest, "late_month")["K1"], int(1));
    // Of a NULL, said in the rules' words.
    fx.rule(
        "d.yaml",
        "decisions:\n  - name: d\n    output: m\n    rules:\n      - { id: m, value: '= due.month' }\n",
    );
    let run = fx.run(&["run", "--as-of", "2026-03-31"]);
    run.assert_code(1);
    run.assert_stderr_contains("customer K2: rule `m` failed: `due` is NULL for this customer, and `.month` needs a value (test it with `is_null(due)` first)");
}

/// Seven forms of bad date in one column: four named, and how many more, where the next
/// forms came to light one run at a time (a column mended in rounds).
#[test]
fn more_bad_date_forms_than_shown_are_counted() {
    let fx = fixture(
        "month",
        &[
            Some("31/01/2025"),
            Some("2025-02-30"),
            Some("2025-1-5"),
            Some("2025.01.05"),
            Some("Jan 5 2025"),
            Some("20250105"),
            Some("5-1-2025"),
        ],
    );
    fx.rule("rules.yaml", LOST);
    fx.run(&["run", "--as-of", "2025-06-30"])
        .assert_code(1)
        .assert_stderr_contains(
            "  = note: `last_order_day` also holds values of other forms that are not dates: `2025-02-30` (customer 2), `2025-1-5` (customer 3), `2025.01.05` (customer 4), and 3 more forms (`tierwise fields` shows the column's values)\n",
        );
}

/// A licence expiry held as text in several forms, compared with a cut-off the rules write
/// as text (`to_string(add_days(as_of, 30))`, a template, a metric holding one): the
/// expired `31/12/2025` orders after "2026-12-30" and was not blocked, without a word (only
/// a constant date was warned of). Now warned by `check --data` and `run` (refused by
/// `--strict`), at the field.
#[test]
fn text_dates_compared_with_a_computed_date_text_are_warned_on_the_data() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, licence_expiry TEXT",
        &[
            vec![text("L1"), text("2026-12-15")],
            vec![text("L2"), text("31/12/2025")],
            vec![text("L3"), text("2027-06-30")],
        ],
    );
    let expected = "`licence_expiry` is compared by `<=` with a date the rules write as text, but it holds text that is no ISO date in the data (`31/12/2025`, 1 customer)";
    for cutoff in [
        "metrics:\n  cutoff: 'to_string(add_days(as_of, 30))'\n",
        "metrics:\n  cutoff: '`${add_days(as_of, 30)}`'\n",
    ] {
        fx.rule(
            "r.yaml",
            &format!("{cutoff}decisions:\n  - name: block\n    rules:\n      - {{ id: blocked, when: 'licence_expiry <= cutoff', then: {{ block: true }} }}\n      - {{ id: ok, then: {{ block: false }} }}\n"),
        );
        let check = fx.run(&["check", "--data", "--as-of", "2026-11-30"]);
        check.assert_code(0);
        assert!(check.stdout.contains(expected), "{}", check.stdout);
        let run = fx.run(&["run", "--as-of", "2026-11-30"]);
        assert!(run.stdout.contains(expected), "{}", run.stdout);
        fx.run(&["run", "--as-of", "2026-11-30", "--strict"])
            .assert_code(1)
            .assert_stderr_contains("--strict: nothing was written");
    }
}

/// Two slips of date rules, each said with the right fix: `end_of_month` (and `day`,
/// `weekday`, `date`) of a NULL advised `?? 0`, which then failed as "cannot be used on a
/// number"; "the earliest of two licence dates" as a `collect` min said "write a number
/// here", where `hit: min` takes dates.
#[test]
fn date_slips_get_a_date_fix() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT PRIMARY KEY, licence DATE, second DATE",
        &[vec![text("N1"), null(), text("2026-05-01")]],
    );
    fx.rule(
        "r.yaml",
        "decisions:\n  - name: blk\n    rules:\n      - { id: blk, when: 'end_of_month(licence) <= as_of', then: { blk: true } }\n      - { id: ok, then: { blk: false } }\n",
    );
    fx.run(&["run", "--as-of", "2026-11-30"])
        .assert_code(1)
        .assert_stderr_contains("give a default with `licence ?? as_of`");
    fx.rule(
        "r.yaml",
        "decisions:\n  - name: earliest\n    hit: collect\n    aggregate: min\n    output: earliest\n    rules:\n      - { id: e1, value: '= licence' }\n      - { id: e2, value: '= second' }\n",
    );
    let check = fx.run(&["check"]);
    check.assert_code(2);
    assert!(
        check.stdout.contains("= help: dates do not add up: for the earliest (latest) date among the rows that match, write `hit: min` (`hit: max`) instead of `collect`"),
        "{}",
        check.stdout
    );
}

/// An export's NULLs and Excel serials after `sqlite3 .import` (TEXT columns): the text
/// `NULL` was shown bare ("holds NULL, which is not a date", read as SQL's NULL) and a
/// serial kept as text got no serial hint (a number did). Each gets its conversion.
#[test]
fn text_null_and_an_excel_serial_kept_as_text_get_their_conversions() {
    let fx = Fixture::new();
    // A TEXT column, as `.import` makes it (a DATE one would store 45992 as a number).
    fx.customers(
        "customer_id TEXT, due TEXT",
        &[
            vec![text("C1"), text("NULL")],
            vec![text("C2"), text("45992")],
        ],
    );
    std::fs::write(
        fx.path("config.yaml"),
        "database: customers.db\ncustomers: { table: customers, id_column: customer_id, dates: [due] }\nrules: rules\n",
    )
    .unwrap();
    fx.rule(
        "p.yaml",
        "decisions:\n  - name: late\n    rules:\n      - { id: late, when: due < as_of, then: { late: true } }\n      - { id: ok, then: { late: false } }\n",
    );
    let run = fx.run(&["run"]);
    run.assert_code(1);
    run.assert_stderr_contains("customer C1: column `due` holds the text `NULL` (not SQL's NULL), which is not a date (and 1 more customer)");
    run.assert_stderr_contains(
        "`NULL` stands for no date: read such text as NULL in the customers query",
    );
    fx.conn()
        .execute_batch("UPDATE customers SET due = NULL WHERE customer_id = 'C1'")
        .unwrap();
    let serial = fx.run(&["run"]);
    serial.assert_stderr_contains(
        "this reads as an Excel date serial (days since 1899-12-30) kept as text",
    );
    // Converted as the help says, the serial is 2025-12-01.
    let conversion = "CASE WHEN due GLOB '[0-9][0-9][0-9][0-9][0-9]' AND CAST(due AS INTEGER) BETWEEN 20000 AND 80000 THEN date('1899-12-30', '+' || due || ' days') ELSE due END";
    let day: String = fx
        .conn()
        .query_row(
            &format!("SELECT {conversion} FROM customers WHERE customer_id = 'C2'"),
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(day, "2025-12-01");
}
