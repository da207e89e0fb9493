//! Policies admins write (issue 12, part 2) on the real binary: quantiles (`ntile_of`),
//! several named caps, best-of rows and decisions per product category.

mod common;

use common::{Fixture, column, expect, int, null, real};

/// Eleven customers with sales 100..1,100 and a twelfth with none; days since the last order
/// with a tie at the best end (5, 5), a tie at the worst (70, 70) and one NULL.
fn quintile_customers() -> Fixture {
    let fx = Fixture::new();
    let days = [
        Some(5),
        Some(5),
        Some(10),
        Some(0),
        None,
        Some(20),
        Some(30),
        Some(40),
        Some(50),
        Some(60),
        Some(70),
        Some(70),
    ];
    let rows: Vec<_> = (1..=12)
        .map(|id| {
            let sales = if id <= 11 {
                real(id as f64 * 100.0)
            } else {
                null()
            };
            let d = days[id as usize - 1].map_or(null(), int);
            vec![int(id), sales, d]
        })
        .collect();
    fx.customers(
        "customer_id INTEGER PRIMARY KEY, annual_sales REAL, days_since_order INTEGER",
        &rows,
    );
    fx.rule(
        "rfm.yaml",
        "population:
  sales_q: { ntile_of: annual_sales, n: 5 }
  recency_q: { ntile_of: days_since_order, n: 5, better: lower }
decisions:
  - name: rfm
    rules:
      - id: rfm-scores
        then: { monetary: '= sales_q', recency: '= recency_q' }
",
    );
    fx
}

#[test]
fn ntile_of_eleven_gives_three_customers_the_top_quintile_and_nulls_no_tile() {
    let fx = quintile_customers();
    fx.run_ok(&[]);
    let latest = fx.latest();
    // 2.2 customers per tile: the three largest have fewer than 2.2 above them (tile 5);
    // 3 or 4 above -> 4; 5 or 6 -> 3; 7 or 8 -> 2; 9 or 10 -> 1. No sales: no tile.
    let tiles = [1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 4.0, 4.0, 5.0, 5.0, 5.0];
    let mut monetary: Vec<(String, rusqlite::types::Value)> = tiles
        .iter()
        .enumerate()
        .map(|(i, &t)| ((i + 1).to_string(), real(t)))
        .collect();
    monetary.push(("12".into(), null()));
    assert_eq!(column(&latest, "monetary"), monetary.into_iter().collect());
}

#[test]
fn ntile_of_with_better_lower_ranks_the_fewest_days_best_ties_share_the_better_tile() {
    let fx = quintile_customers();
    fx.run_ok(&[]);
    // Eleven ranked (customer 5 has no days): 0 days has none better (5); the two 5s have
    // one better (5 - floor(5/11) = 5); 10 has three (4); 20 four (4); 30 five (3); 40 six
    // (3); 50 seven (2); 60 eight (2); the two 70s nine (1).
    assert_eq!(
        column(&fx.latest(), "recency"),
        expect(&[
            ("1", real(5.0)),
            ("2", real(5.0)),
            ("3", real(4.0)),
            ("4", real(5.0)),
            ("5", null()),
            ("6", real(4.0)),
            ("7", real(3.0)),
            ("8", real(3.0)),
            ("9", real(2.0)),
            ("10", real(2.0)),
            ("11", real(1.0)),
            ("12", real(1.0)),
        ])
    );
}

#[test]
fn ntile_of_without_n_is_a_load_error_at_the_figure() {
    let fx = quintile_customers();
    let yaml = std::fs::read_to_string(fx.path("rules/rfm.yaml"))
        .unwrap()
        .replace("annual_sales, n: 5 }", "annual_sales }");
    fx.rule("rfm.yaml", &yaml);
    fx.run(&["run"])
        .assert_code(2)
        .assert_stderr_contains(
            "error: population figure `sales_q` uses ntile_of and needs `n:`, how many tiles (5 for quintiles) (in `sales_q`)",
        )
        .assert_stderr_contains("--> rules/rfm.yaml:2:12");
}
