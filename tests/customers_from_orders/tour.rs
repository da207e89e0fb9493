//! The generated sample, 10,000 customers with history: the query against the `customers`
//! table, and what a newcomer sees over the four quarters.

use super::*;

/// The customers table of the sample, by the same columns as the query.
fn table_rows(conn: &Connection) -> Vec<Customer> {
    let mut stmt = conn
        .prepare("SELECT * FROM customers ORDER BY customer_id")
        .expect("prepare");
    let names: Vec<String> = stmt.column_names().map(|s| s.to_string()).collect();
    stmt.query_map([], |row| {
        let mut map = HashMap::new();
        for (i, name) in names.iter().enumerate() {
            map.insert(name.clone(), row.get(i)?);
        }
        Ok(Customer(map))
    })
    .expect("query")
    .collect::<Result<_, _>>()
    .expect("rows")
}

#[test]
fn as_of_the_last_day_the_query_gives_the_customers_table() {
    let conn = Connection::open(sample_10k()).expect("open");
    let (query, _) = customers_as_of(&conn, END);
    let table = table_rows(&conn);
    assert_eq!(
        query.len(),
        table.len(),
        "every account is open by the last day"
    );
    let (query_tiers, table_tiers) = (tiers(&query), tiers(&table));
    let same_tier = query_tiers
        .iter()
        .filter(|(id, t)| table_tiers[*id] == **t)
        .count();
    assert!(same_tier > 9_000, "same tier: {same_tier}");
    let mut open_all_year = 0;
    let mut same_sales = 0;
    for (q, t) in query.iter().zip(&table) {
        for column in ["years_active", "customer_id", "credit_score"] {
            assert_eq!(q.get(column), t.get(column), "{column}");
        }
        // A claim is on an order: at most as many as the year's orders.
        let orders = q.int("orders_last_12m").unwrap_or(0);
        let claims = t.int("quality_claims").map(|n| n.min(orders));
        assert_eq!(
            q.int("quality_claims"),
            claims,
            "{:?}",
            q.get("customer_id")
        );
        if t.int("years_active") >= Some(1) && t.real("annual_sales") > Some(0.0) {
            open_all_year += 1;
            same_sales += usize::from(q.real("annual_sales") == t.real("annual_sales"));
        }
    }
    // All but the customers who paused in the last year.
    assert!(
        same_sales as f64 > 0.95 * open_all_year as f64,
        "{same_sales} of {open_all_year}"
    );
}

#[test]
fn lost_customers_last_orders_are_their_last_orders() {
    let conn = Connection::open(sample_10k()).expect("open");
    let (customers, _) = customers_as_of(&conn, END);
    let dormant: Vec<&Customer> = customers
        .iter()
        .filter(|c| c.real("annual_sales") == Some(0.0))
        .collect();
    assert!(dormant.len() > 100, "{}", dormant.len());
    for c in dormant {
        let id = c.text("customer_id").expect("id");
        let last: String = conn
            .query_row(
                "SELECT MAX(day) FROM orders WHERE customer_id = ?1",
                [&id],
                |r| r.get(0),
            )
            .expect("last order");
        assert_eq!(c.text("last_order_day"), Some(last.clone()), "{id}");
        assert!(
            last.as_str() < "2026-01-01",
            "{id}: no order in the last 12 months"
        );
        assert!(c.int("days_since_last_order") >= Some(365), "{id}");
    }
}

#[test]
fn the_four_quarters_show_movement_and_warnings() {
    let conn = Connection::open(sample_10k()).expect("open");
    let mut previous: Option<HashMap<String, &'static str>> = None;
    for as_of in TOUR {
        let (customers, _) = customers_as_of(&conn, as_of);
        let w = warnings(&customers);
        let share = |n: usize| n as f64 / w.customers as f64;
        assert!((0.01..0.06).contains(&share(w.lost_180)), "{as_of}: {w:?}");
        assert!(
            (0.005..0.04).contains(&share(w.collection_below_85)),
            "{as_of}: {w:?}"
        );
        let falling = w.key_falling as f64 / w.key_accounts as f64;
        assert!((0.02..0.15).contains(&falling), "{as_of}: {w:?}");
        assert!(w.a_quiet_45 > 0 && w.b_quiet_60 > 0, "{as_of}: {w:?}");
        let tiers = tiers(&customers);
        if let Some(before) = &previous {
            let (changed, up) = tier_moves(before, &tiers);
            assert!(
                changed > 300 && up > 0 && up < changed,
                "{as_of}: {changed}, {up} up"
            );
        }
        previous = Some(tiers);
    }
}

#[test]
fn query_time_on_ten_thousand_customers() {
    let conn = Connection::open(sample_10k()).expect("open");
    let (customers, took) = customers_as_of(&conn, END);
    eprintln!(
        "the customers query on {} customers took {took:.2?} (an unoptimized build is far \
         slower than a release build)",
        customers.len()
    );
    assert!(took < Duration::from_secs(30), "{took:?}");
}

#[test]
fn same_seed_gives_byte_identical_files_with_history() {
    let dir = tempfile::tempdir().expect("temp dir");
    let spec = SampleSpec {
        customers: 1_500,
        seed: 3,
        history: true,
    };
    let (a, b) = (dir.path().join("a.db"), dir.path().join("b.db"));
    generate(&a, &spec, &mut |_| {}).expect("generate a");
    generate(&b, &spec, &mut |_| {}).expect("generate b");
    let (a, b) = (std::fs::read(a).expect("a"), std::fs::read(b).expect("b"));
    assert!(a == b, "the files differ");
}

/// The fastest of three runs of the query as of `as_of`, stepping through the rows without
/// reading them.
fn best_time(conn: &Connection, as_of: &str) -> Duration {
    let (start, end) = quarter(as_of);
    let query = query_text();
    (0..3)
        .map(|_| {
            let started = Instant::now();
            let mut stmt = conn.prepare(&query).expect("prepare");
            let mut rows = stmt
                .query(named_params! {":as_of": as_of, ":period_start": start, ":period_end": end})
                .expect("run");
            while rows.next().expect("row").is_some() {}
            started.elapsed()
        })
        .min()
        .expect("three runs")
}

#[test]
#[ignore = "prints the measurements: cargo test --release --test customers_from_orders -- --ignored --nocapture"]
fn report() {
    let conn = Connection::open(sample_10k()).expect("open");
    let orders: i64 = conn
        .query_row("SELECT COUNT(*) FROM orders", [], |r| r.get(0))
        .expect("count");
    println!("orders: {orders}");
    let mut previous: Option<HashMap<String, &'static str>> = None;
    for as_of in TOUR.iter().chain([&END]) {
        let (customers, _) = customers_as_of(&conn, as_of);
        let tiers = tiers(&customers);
        let [a, b, c, none] = tier_counts(&tiers);
        let sales = |tier: &str| -> f64 {
            customers
                .iter()
                .filter(|c| tiers[&c.text("customer_id").expect("id")] == tier)
                .filter_map(|c| c.real("annual_sales"))
                .sum()
        };
        let a_share = sales("A") / (sales("A") + sales("B") + sales("C"));
        println!(
            "{as_of}: query {:.0?}; {} customers: A {a}, B {b}, C {c}, no sales in 12 months \
             {none}; A makes {:.0}% of sales",
            best_time(&conn, as_of),
            customers.len(),
            100.0 * a_share
        );
        if let Some(before) = &previous {
            let (changed, up) = tier_moves(before, &tiers);
            println!(
                "  changed tier since the quarter before: {changed} ({up} up, {} down)",
                changed - up
            );
        }
        let w = warnings(&customers);
        println!(
            "  no order for 45 days: {} (A: {}); 60 days: {} (B: {}); 180 days (lost): {}",
            w.quiet_45, w.a_quiet_45, w.quiet_60, w.b_quiet_60, w.lost_180
        );
        println!(
            "  last 3 months >= 30% below a year earlier: {} of {} key accounts, {} of {a} A; \
             collection rate below 85%: {}",
            w.key_falling, w.key_accounts, w.a_falling, w.collection_below_85
        );
        let overdue = |days: i64| {
            customers
                .iter()
                .filter(|c| c.int("overdue_days") > Some(days))
                .count()
        };
        println!(
            "  overdue: {} customers, over 60 days {}, over 90 days {}",
            overdue(0),
            overdue(60),
            overdue(90)
        );
        previous = Some(tiers);
    }
    compare_with_table(&conn);
}

/// How close the query as of the last day comes to the `customers` table, column by column.
fn compare_with_table(conn: &Connection) {
    let (query, _) = customers_as_of(conn, END);
    let table = table_rows(conn);
    let (query_tiers, table_tiers) = (tiers(&query), tiers(&table));
    let older: Vec<bool> = table
        .iter()
        .map(|c| c.int("years_active") >= Some(1))
        .collect();
    let n_older = older.iter().filter(|o| **o).count();
    println!("as of {END}, query against customers table (all; opened before {END}'s year):");
    let same = |name: &str, close: &dyn Fn(&Customer, &Customer) -> bool| {
        let hits: Vec<bool> = query.iter().zip(&table).map(|(q, t)| close(q, t)).collect();
        let all = hits.iter().filter(|h| **h).count();
        let old = hits.iter().zip(&older).filter(|(h, o)| **h && **o).count();
        println!(
            "  {name}: {:.1}%, {:.1}%",
            100.0 * all as f64 / table.len() as f64,
            100.0 * old as f64 / n_older as f64
        );
    };
    let id = |c: &Customer| c.text("customer_id").expect("id");
    same("same tier", &|q, t| {
        query_tiers[&id(q)] == table_tiers[&id(t)]
    });
    for column in [
        "annual_sales",
        "orders_last_12m",
        "orders_prev_12m",
        "quality_claims",
        "years_active",
        "overdue_days",
    ] {
        same(&format!("{column} equal"), &|q, t| {
            q.real(column) == t.real(column)
        });
    }
    let within = |column: &'static str, tolerance: f64, relative: bool| {
        move |q: &Customer, t: &Customer| match (q.real(column), t.real(column)) {
            (Some(a), Some(b)) if relative => (a - b).abs() <= tolerance * b.abs().max(1.0),
            (Some(a), Some(b)) => (a - b).abs() <= tolerance,
            (a, b) => a == b,
        }
    };
    same(
        "gross_margin_pct within 1 point",
        &within("gross_margin_pct", 1.0, false),
    );
    same(
        "avg_unit_price within 10%",
        &within("avg_unit_price", 0.1, true),
    );
    same(
        "on_time_payment_rate within 0.1",
        &within("on_time_payment_rate", 0.1, false),
    );
    same("overdue_days within 7", &within("overdue_days", 7.0, false));
    same(
        "overdue_amount within 25%",
        &within("overdue_amount", 0.25, true),
    );
}
