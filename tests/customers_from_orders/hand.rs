//! A small history whose every figure is checked by hand.

use super::*;

/// The sample's tables, empty, then three customers:
/// - H-1, opened 2024-06-15, 30 days to pay, five orders (see the tests for each figure);
/// - H-2, opened 2025-11-01, no order yet;
/// - H-3, opened 2026-03-01, one order that day.
fn hand_db() -> Connection {
    let conn = Connection::open_in_memory().expect("open");
    let spec = SampleSpec {
        customers: 0,
        seed: 1,
        history: true,
    };
    tierwise::source::sample::generate_into(&conn, &spec, &mut |_| {}).expect("tables");
    conn.execute_batch(
        "INSERT INTO customers VALUES
           ('H-1', 'Hand Shop', 'terminal', 'North', 1.0, 1, 1, 20.0, 5.0, 0.9, 0, 0.0, 0, 2,
            0.6, 70, 2),
           ('H-2', 'Late Starter', 'BC', 'South', NULL, NULL, 0, 18.5, 11.0, NULL, 0, 0.0, 0,
            0, 0.0, NULL, 1),
           ('H-3', 'Spring Kiosk', 'terminal', 'East', 50.0, 1, 0, 22.0, 7.0, 1.0, 0, 0.0, 0,
            0, 0.4, 60, 1);
         INSERT INTO accounts VALUES
           ('H-1', '2024-06-15', 30), ('H-2', '2025-11-01', 30), ('H-3', '2026-03-01', 14);
         INSERT INTO orders VALUES
           (1, 'H-1', '2024-06-15', 100.0, 20, 20.0, '2024-07-15', '2024-07-10', 0),
           (2, 'H-1', '2025-03-10', 200.0, 40, 50.0, '2025-04-09', '2025-04-09', 0),
           (3, 'H-1', '2025-11-20', 300.0, 50, 60.0, '2025-12-20', '2026-01-15', 1),
           (4, 'H-1', '2025-12-31', 400.0, 80, 100.0, '2026-01-30', NULL, 0),
           (5, 'H-1', '2026-02-01', 500.0, 100, 90.0, '2026-03-03', '2026-03-01', 0),
           (6, 'H-3', '2026-03-01', 50.0, 10, 11.0, '2026-03-15', '2026-03-10', 0);",
    )
    .expect("insert");
    conn
}

/// The customer `id` as of `as_of` (None when the query leaves it out).
fn hand_customer(as_of: &str, id: &str) -> Option<Customer> {
    let (rows, _) = customers_as_of(&hand_db(), as_of);
    rows.into_iter()
        .find(|c| c.text("customer_id").as_deref() == Some(id))
}

/// Asserts each `(column, value)` of `expected`; numbers compare as numbers.
fn assert_figures(customer: &Customer, expected: &[(&str, Value)]) {
    for (column, want) in expected {
        let got = customer.get(column);
        let same = match (got, want) {
            (Value::Real(a), Value::Real(b)) => (a - b).abs() < 1e-9,
            (a, b) => a == b,
        };
        assert!(same, "{column}: got {got:?}, expected {want:?}");
    }
}

fn real(x: f64) -> Value {
    Value::Real(x)
}
fn int(i: i64) -> Value {
    Value::Integer(i)
}
fn text(t: &str) -> Value {
    Value::Text(t.to_owned())
}

#[test]
fn hand_checked_figures_as_of_the_end_of_2025() {
    // Windows: last 12 months 2025-01-01..2025-12-31, the 12 before 2024-01-01..2024-12-31,
    // last 3 months from 2025-10-01, a year earlier 2024-10-01..2024-12-31; period Q4 2025.
    let c = hand_customer("2025-12-31", "H-1").expect("H-1");
    assert_figures(
        &c,
        &[
            ("name", text("Hand Shop")),
            ("annual_sales", real(900.0)), // orders 2, 3, 4
            ("orders_last_12m", int(3)),
            ("orders_prev_12m", int(1)),         // order 1
            ("gross_margin_pct", real(23.3)),    // 210 / 900
            ("avg_unit_price", real(5.29)),      // 900 / 170 units
            ("on_time_payment_rate", real(0.5)), // due before: 2 (on time), 3 (late)
            ("overdue_days", int(11)),           // 3, due 2025-12-20, paid 2026-01-15
            ("overdue_amount", real(300.0)),
            ("quality_claims", int(1)),          // 3
            ("years_active", int(1)),            // opened 2024-06-15
            ("repeat_purchase_rate", real(0.6)), // from customers
            ("credit_score", int(70)),
            ("opened_day", text("2024-06-15")),
            ("first_order_day", text("2024-06-15")),
            ("last_order_day", text("2025-12-31")),
            ("days_since_last_order", int(0)),
            ("sales_prev_12m", real(100.0)),
            ("sales_last_3m", real(700.0)), // 3, 4
            ("sales_last_3m_year_ago", real(0.0)),
            ("collection_rate", real(0.4)), // 200 of 500 due was paid by then
            ("gross_profit_12m", real(210.0)),
            ("gross_profit_prev_12m", real(20.0)),
            ("period_sales", real(700.0)),
            ("period_orders", int(2)),
        ],
    );
}

#[test]
fn hand_checked_figures_as_of_mid_2026() {
    // Windows: last 12 months 2025-07-01..2026-06-30, the 12 before 2024-07-01..2025-06-30
    // (order 1, on 2024-06-15, is in neither), last 3 months from 2026-04-01; period Q2 2026.
    let c = hand_customer("2026-06-30", "H-1").expect("H-1");
    assert_figures(
        &c,
        &[
            ("annual_sales", real(1200.0)), // orders 3, 4, 5
            ("orders_last_12m", int(3)),
            ("orders_prev_12m", int(1)),           // order 2
            ("gross_margin_pct", real(20.8)),      // 250 / 1200
            ("avg_unit_price", real(5.22)),        // 1200 / 230 units
            ("on_time_payment_rate", real(0.333)), // 3 late, 4 unpaid, 5 on time
            ("overdue_days", int(151)),            // 4, due 2026-01-30, never paid
            ("overdue_amount", real(400.0)),
            ("quality_claims", int(1)),
            ("years_active", int(2)),
            ("first_order_day", text("2024-06-15")),
            ("last_order_day", text("2026-02-01")),
            ("days_since_last_order", int(149)),
            ("sales_prev_12m", real(200.0)),
            ("sales_last_3m", real(0.0)),
            ("sales_last_3m_year_ago", real(0.0)), // order 2 was 2025-03-10
            ("collection_rate", real(0.667)),      // 800 of 1200
            ("gross_profit_12m", real(250.0)),
            ("gross_profit_prev_12m", real(50.0)),
            ("period_sales", real(0.0)),
            ("period_orders", int(0)),
        ],
    );
}

#[test]
fn a_customer_without_an_order_yet_and_one_not_opened_yet() {
    let c = hand_customer("2025-12-31", "H-2").expect("opened, so listed");
    assert_figures(
        &c,
        &[
            ("annual_sales", Value::Null),
            ("orders_last_12m", Value::Null),
            ("orders_prev_12m", int(0)),
            ("gross_margin_pct", real(18.5)), // the agreed figure from customers
            ("avg_unit_price", real(11.0)),
            ("on_time_payment_rate", Value::Null),
            ("overdue_days", int(0)),
            ("overdue_amount", real(0.0)),
            ("quality_claims", int(0)),
            ("years_active", int(0)),
            ("repeat_purchase_rate", real(0.0)),
            ("first_order_day", Value::Null),
            ("last_order_day", Value::Null),
            ("days_since_last_order", Value::Null),
            ("sales_last_3m", Value::Null),
            ("sales_last_3m_year_ago", Value::Null),
            ("collection_rate", Value::Null),
            ("gross_profit_12m", Value::Null),
            ("period_sales", Value::Null),
        ],
    );
    assert!(
        hand_customer("2025-12-31", "H-3").is_none(),
        "opened 2026-03-01"
    );
    let c = hand_customer("2026-06-30", "H-3").expect("opened by then");
    assert_figures(
        &c,
        &[
            ("annual_sales", real(50.0)),
            ("on_time_payment_rate", real(1.0)),
            ("collection_rate", real(1.0)),
            ("years_active", int(0)),
            ("first_order_day", text("2026-03-01")),
        ],
    );
}

#[test]
fn a_lost_customers_last_order() {
    // No order since 2026-02-01: 241 days by the end of September.
    let c = hand_customer("2026-09-30", "H-1").expect("H-1");
    assert_figures(
        &c,
        &[
            ("last_order_day", text("2026-02-01")),
            ("days_since_last_order", int(241)),
            ("annual_sales", real(1200.0)),
            ("sales_last_3m", real(0.0)),
            ("gross_profit_12m", real(250.0)),
        ],
    );
}

#[test]
fn the_customers_columns_come_first_in_their_order() {
    let conn = hand_db();
    let table: Vec<String> = conn
        .prepare("SELECT * FROM customers")
        .expect("prepare")
        .column_names()
        .map(|s| s.to_string())
        .collect();
    let stmt = conn.prepare(&query_text()).expect("prepare the query");
    let query: Vec<String> = stmt.column_names().map(|s| s.to_string()).collect();
    assert_eq!(query[..table.len()], table[..]);
}

/// "The last 3 months" as of a day whose next day has no match 3 months back (2025-12-30:
/// 2025-09-31; 2026-05-30: 2026-02-30) took in a day more: the orders of 2025-09-30 and
/// 2026-02-28 counted. They are the days after the same day 3 (12) months earlier, clamped
/// to its month's end as `add_months` does; as of a month's last day, whole months.
#[test]
fn windows_start_the_day_after_the_same_day_months_earlier() {
    let conn = hand_db();
    conn.execute_batch(
        "INSERT INTO customers VALUES
           ('H-4', 'Edge Days', 'terminal', 'West', 10.0, 1, 0, 20.0, 5.0, 1.0, 0, 0.0, 0,
            0, 0.5, 60, 1);
         INSERT INTO accounts VALUES ('H-4', '2024-01-10', 30);
         INSERT INTO orders VALUES
           (7, 'H-4', '2025-09-30', 1.0, 1, 0.5, '2025-10-30', '2025-10-30', 0),
           (8, 'H-4', '2025-10-01', 10.0, 1, 0.5, '2025-10-31', '2025-10-31', 0),
           (9, 'H-4', '2026-02-28', 100.0, 1, 0.5, '2026-03-30', '2026-03-30', 0),
           (10, 'H-4', '2026-03-01', 1000.0, 1, 0.5, '2026-03-31', '2026-03-31', 0);",
    )
    .expect("insert");
    let figure = |as_of: &str, column: &str| {
        let (rows, _) = customers_as_of(&conn, as_of);
        let c = (rows.into_iter())
            .find(|c| c.text("customer_id").as_deref() == Some("H-4"))
            .expect("H-4");
        c.real(column)
    };
    // From 2025-10-01 (2025-09-30 is the same day 3 months back).
    assert_eq!(figure("2025-12-30", "sales_last_3m"), Some(10.0));
    // From 2026-03-01 (2026-02-30 is 2026-02-28, as add_months(2026-05-30, -3) gives it).
    assert_eq!(figure("2026-05-30", "sales_last_3m"), Some(1000.0));
    // As of a month's last day, whole months: March to May.
    assert_eq!(figure("2026-05-31", "sales_last_3m"), Some(1000.0));
    assert_eq!(figure("2026-05-27", "sales_last_3m"), Some(1100.0));
    // The last 12 months as of 2026-09-30: whole months from 2025-10-01.
    assert_eq!(figure("2026-09-30", "annual_sales"), Some(1110.0));
    assert_eq!(figure("2026-09-29", "annual_sales"), Some(1111.0));
}

/// Order systems stamp days with a time (`2026-09-30 14:05:00`): compared as text with the
/// window's last day, every order of the close's last day was left out of the close (the
/// fiscal controller's F03), and one on a window's day before its first counted in. Each
/// day is in the window of its date.
#[test]
fn days_stamped_with_a_time_are_in_the_window_of_their_date() {
    let conn = hand_db();
    conn.execute_batch(
        "INSERT INTO customers VALUES
           ('H-5', 'Clock Shop', 'terminal', 'West', 10.0, 1, 0, 20.0, 5.0, 1.0, 0, 0.0, 0,
            0, 0.5, 60, 1);
         INSERT INTO accounts VALUES ('H-5', '2026-09-30 08:00:00', 30);
         INSERT INTO orders VALUES
           (11, 'H-5', '2026-06-30 23:59:00', 1.0, 1, 0.5, '2026-07-30', '2026-07-30', 0),
           (12, 'H-5', '2026-09-30 14:05:00', 10.0, 1, 0.5, '2026-10-30', NULL, 0),
           (13, 'H-5', '2026-10-01 00:00:01', 100.0, 1, 0.5, '2026-10-31', NULL, 0);",
    )
    .expect("insert");
    let (rows, _) = customers_as_of(&conn, "2026-09-30");
    let c = (rows.into_iter())
        .find(|c| c.text("customer_id").as_deref() == Some("H-5"))
        .expect("H-5, opened on the day");
    // The quarter is July to September: the order of 30 June is not in it, that of 30
    // September is, 1 October's is not; the last 3 months likewise.
    assert_eq!(c.real("period_sales"), Some(10.0));
    assert_eq!(c.real("sales_last_3m"), Some(10.0));
    assert_eq!(c.real("annual_sales"), Some(11.0));
    assert_eq!(
        c.text("last_order_day").as_deref(),
        Some("2026-09-30 14:05:00")
    );
}
