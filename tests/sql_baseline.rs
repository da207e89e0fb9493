//! The benchmark's SQL baseline (benches/shipped_rules.sql) must stay the same policy as the
//! benchmark's rules (benches/rules), or the comparison in `tierwise bench` means nothing.

mod common;

use common::*;

#[test]
fn the_sql_baseline_gives_the_same_policies_as_the_benchmark_rules() {
    let dir = tempfile::tempdir().unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_dir(&root.join("benches/rules"), &dir.path().join("rules"));
    // The baseline reads the customers table, as `tierwise bench` does.
    std::fs::create_dir_all(dir.path().join("config")).unwrap();
    std::fs::write(
        dir.path().join("config/tierwise.yaml"),
        "database: ../data/sample.db\nrules: ../rules\ncustomers: {table: customers, id_column: customer_id}\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("data")).unwrap();
    run_in(
        dir.path(),
        &["sample", "--customers", "3000", "--out", "data/sample.db"],
    )
    .assert_code(0);
    run_in(dir.path(), &["run"]).assert_code(0);

    let conn = rusqlite::Connection::open(dir.path().join("data/sample.db")).unwrap();
    conn.execute_batch(include_str!("../benches/shipped_rules.sql"))
        .unwrap();
    let differing: i64 = conn
        .query_row(
            "SELECT count(*) FROM sql_policy s JOIN customer_policy p USING (customer_id)
             WHERE s.tier IS NOT p.tier OR s.segment IS NOT p.segment
                OR s.key_account IS NOT p.key_account
                OR abs(s.volume_bonus_pct - p.volume_bonus_pct) > 1e-9
                OR abs(s.discount_pct - p.discount_pct) > 1e-9
                OR abs(s.commission_pct - p.commission_pct) > 1e-9
                OR s.credit_block IS NOT p.credit_block OR s.payment_days IS NOT p.payment_days
                OR s.credit_limit IS NOT p.credit_limit
                OR s.visits_per_month IS NOT p.visits_per_month",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let compared: i64 = conn
        .query_row(
            "SELECT count(*) FROM sql_policy s JOIN customer_policy p USING (customer_id)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(compared, 3000);
    assert_eq!(
        differing, 0,
        "the SQL baseline and the shipped rules disagree"
    );
}
