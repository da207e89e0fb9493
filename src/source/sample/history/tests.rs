//! The order history on its own: determinism, the rules every order keeps, and the last
//! year matching the `customers` table. The customers query over it is tested in
//! `tests/customers_from_orders.rs`.

use super::super::{SampleSpec, generate_into};
use super::stream_seed;
use rusqlite::Connection;
use rusqlite::types::Value;

/// A sample with history in memory.
fn history_db(customers: usize, seed: u64) -> Connection {
    let conn = Connection::open_in_memory().expect("open");
    let spec = SampleSpec {
        customers,
        seed,
        history: true,
    };
    generate_into(&conn, &spec, &mut |_| {}).expect("generate");
    conn
}

/// Every row of `table` in primary-key order, every column as a generic value.
fn rows(conn: &Connection, table: &str) -> Vec<Vec<Value>> {
    let order = if table == "orders" {
        "customer_id, day, order_id"
    } else {
        "customer_id"
    };
    let mut stmt = conn
        .prepare(&format!("SELECT * FROM {table} ORDER BY {order}"))
        .expect("prepare");
    let n = stmt.column_count();
    stmt.query_map([], |row| (0..n).map(|i| row.get::<_, Value>(i)).collect())
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).expect(sql)
}

#[test]
fn same_seed_same_history_different_seed_different_history() {
    let a = history_db(300, 5);
    let b = history_db(300, 5);
    let c = history_db(300, 6);
    for table in ["accounts", "orders"] {
        assert_eq!(rows(&a, table), rows(&b, table), "{table}");
        assert_ne!(rows(&a, table), rows(&c, table), "{table}");
    }
}

#[test]
fn a_customers_history_does_not_depend_on_how_many_are_generated() {
    let few = history_db(50, 3);
    let more = history_db(120, 3);
    let first_50 = |conn: &Connection| -> Vec<Vec<Value>> {
        rows(conn, "orders")
            .into_iter()
            .filter(|r| matches!(&r[1], Value::Text(id) if id.as_str() <= "C-000050"))
            .map(|mut r| {
                r.remove(0); // order numbers count all of a day's orders
                r
            })
            .collect()
    };
    assert_eq!(first_50(&few), first_50(&more));
}

#[test]
fn streams_differ_between_neighbours_and_seeds() {
    let seeds = [
        stream_seed(1, 1),
        stream_seed(1, 2),
        stream_seed(2, 1),
        stream_seed(2, 2),
    ];
    for (i, a) in seeds.iter().enumerate() {
        for b in &seeds[i + 1..] {
            assert_ne!(a, b);
        }
    }
}

#[test]
fn every_order_keeps_the_rules() {
    let conn = history_db(2_000, 9);
    let violations = [
        "day < '2023-01-01' OR day > '2026-12-31' OR date(day) IS NOT day",
        "strftime('%w', day) = '0'",
        "amount < 1 OR amount <> ROUND(amount, 2)",
        "units < 1",
        "gross_profit <= 0 OR gross_profit >= amount OR gross_profit <> ROUND(gross_profit, 2)",
        "due_day < day OR date(due_day) IS NOT due_day",
        "paid_day < day OR paid_day > '2026-12-31'",
        "claim NOT IN (0, 1)",
        "order_id / 1000000 <> CAST(strftime('%Y%m%d', day) AS INTEGER)",
        "day < (SELECT opened_day FROM accounts AS a WHERE a.customer_id = orders.customer_id)",
        "customer_id NOT IN (SELECT customer_id FROM customers)",
    ];
    for cond in violations {
        let bad = count(&conn, &format!("SELECT COUNT(*) FROM orders WHERE {cond}"));
        assert_eq!(bad, 0, "orders violating: {cond}");
    }
    assert_eq!(
        count(&conn, "SELECT COUNT(DISTINCT order_id) FROM orders"),
        count(&conn, "SELECT COUNT(*) FROM orders"),
        "order numbers are unique"
    );
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM accounts"), 2_000);
    // Accounts opened inside the history have their first order that day.
    let late_first = count(
        &conn,
        "SELECT COUNT(*) FROM accounts AS a
          WHERE a.opened_day >= '2023-01-01'
            AND (SELECT MIN(day) FROM orders AS o WHERE o.customer_id = a.customer_id)
                <> a.opened_day",
    );
    assert_eq!(late_first, 0);
}

#[test]
fn years_active_is_whole_years_from_the_opening_to_the_last_day() {
    let conn = history_db(2_000, 4);
    let wrong = count(
        &conn,
        "SELECT COUNT(*) FROM customers AS c JOIN accounts AS a USING (customer_id)
          WHERE c.years_active <> 2026 - CAST(strftime('%Y', a.opened_day) AS INTEGER)",
    );
    assert_eq!(wrong, 0);
}

#[test]
fn new_customers_have_no_order_and_dormant_ones_none_in_the_last_year() {
    let conn = history_db(4_000, 2);
    let new_with_orders = count(
        &conn,
        "SELECT COUNT(*) FROM customers AS c
          WHERE c.annual_sales IS NULL
            AND EXISTS (SELECT 1 FROM orders AS o WHERE o.customer_id = c.customer_id)",
    );
    assert_eq!(new_with_orders, 0);
    let dormant = "FROM customers AS c WHERE c.annual_sales = 0";
    let dormant_ordering_last_year = count(
        &conn,
        &format!(
            "SELECT COUNT(*) {dormant} AND EXISTS (SELECT 1 FROM orders AS o
               WHERE o.customer_id = c.customer_id AND o.day >= '2026-01-01')"
        ),
    );
    assert_eq!(dormant_ordering_last_year, 0);
    // They ordered in 2025, as many orders as the table says (or fewer if opened that year).
    let dormant_2025_orders_off = count(
        &conn,
        &format!(
            "SELECT COUNT(*) {dormant} AND c.years_active >= 2 AND c.orders_prev_12m <>
               (SELECT COUNT(*) FROM orders AS o
                 WHERE o.customer_id = c.customer_id AND o.day LIKE '2025-%')"
        ),
    );
    assert_eq!(dormant_2025_orders_off, 0);
}

#[test]
fn the_last_year_is_the_customers_table() {
    let conn = history_db(2_000, 8);
    // Customers open all year without a lapse: most. Their 2026 is the table exactly.
    let figures = "FROM customers AS c
                     JOIN (SELECT customer_id, COUNT(*) AS n, TOTAL(amount) AS sales,
                                  TOTAL(claim) AS claims
                             FROM orders WHERE day >= '2026-01-01' GROUP BY customer_id) AS y
                       ON y.customer_id = c.customer_id
                   WHERE c.years_active >= 1 AND c.annual_sales > 0";
    let total = count(&conn, &format!("SELECT COUNT(*) {figures}"));
    let exact = count(
        &conn,
        &format!(
            "SELECT COUNT(*) {figures} AND y.n = c.orders_last_12m
               AND ROUND(y.sales, 2) = c.annual_sales"
        ),
    );
    assert!(exact as f64 > 0.95 * total as f64, "{exact} of {total}");
    // Claims: exactly the table's, for every customer with that many orders.
    let claims_off = count(
        &conn,
        &format!("SELECT COUNT(*) {figures} AND y.claims <> MIN(c.quality_claims, y.n)"),
    );
    assert_eq!(claims_off, 0);
}

#[test]
fn receivables_on_the_last_day_are_the_customers_tables() {
    let conn = history_db(2_000, 8);
    let overdue = "(SELECT customer_id, MIN(due_day) AS oldest FROM orders
                     WHERE due_day < '2026-12-31' AND paid_day IS NULL GROUP BY customer_id)";
    let none_when_none = count(
        &conn,
        &format!(
            "SELECT COUNT(*) FROM customers AS c JOIN {overdue} AS u USING (customer_id)
              WHERE c.overdue_days = 0"
        ),
    );
    assert_eq!(none_when_none, 0);
    let with = count(
        &conn,
        "SELECT COUNT(*) FROM customers WHERE overdue_days > 0",
    );
    let close = count(
        &conn,
        &format!(
            "SELECT COUNT(*) FROM customers AS c JOIN {overdue} AS u USING (customer_id)
              WHERE c.overdue_days > 0
                AND ABS(julianday('2026-12-31') - julianday(u.oldest) - c.overdue_days) <= 7"
        ),
    );
    // The oldest unpaid invoice is the one due nearest the table's day: a customer who
    // orders once a month or less may have none within a week of it.
    assert!(close as f64 > 0.8 * with as f64, "{close} of {with}");
}
