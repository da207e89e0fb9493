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

/// Concessions with a list-price cap (8), a margin cap (the gross margin, in % of list,
/// stays at 20 or more after the concession: at most `gross_margin_pct - 20`; none when the
/// margin is NULL: arithmetic on NULL is an error, so the formula says it), a wholesale cap
/// that only wholesale customers have (6; NULL for the others), and a floor.
fn concession_customers(caps: &str) -> Fixture {
    let fx = Fixture::new();
    let rows = [
        // id, channel, wanted, gross_margin_pct
        (1, "retail", 5.0, Some(40.0)),     // nothing binds
        (2, "retail", 10.0, Some(40.0)),    // list-8pct (8) is tighter than 40 - 20
        (3, "retail", 10.0, Some(26.0)),    // margin: 26 - 20 = 6 < 8
        (4, "wholesale", 10.0, Some(40.0)), // wholesale-6pct: 6
        (5, "retail", 10.0, None),          // no margin known: the margin is no limit; 8
        (6, "retail", -3.0, Some(40.0)),    // the floor: 0
        (7, "wholesale", 10.0, Some(26.0)), // margin 6 and wholesale 6 tie: the first written
    ];
    let rows: Vec<_> = rows
        .iter()
        .map(|&(id, channel, wanted, price)| {
            vec![
                int(id),
                common::text(channel),
                real(wanted),
                price.map_or(null(), real),
            ]
        })
        .collect();
    fx.customers(
        "customer_id INTEGER PRIMARY KEY, channel TEXT, wanted REAL, gross_margin_pct REAL",
        &rows,
    );
    fx.rule(
        "concession.yaml",
        &format!(
            "decisions:
  - name: concession
    output: concession_pct
    capped_by: concession_capped_by
{caps}
    rules:
      - {{ id: concession-wanted, value: '= wanted' }}
"
        ),
    );
    fx
}

const CAPS: &str = "    caps:
      - { id: list-8pct, max: 8 }
      - { id: margin-20pct, max: '= if is_null(gross_margin_pct) { () } else { gross_margin_pct - 20 }' }
      - { id: wholesale-6pct, max: '= if channel == \"wholesale\" { 6 } else { () }' }
      - { id: no-negative, min: 0 }";

#[test]
fn the_tightest_named_cap_applies_its_id_is_recorded_and_a_null_limit_is_no_limit() {
    let fx = concession_customers(CAPS);
    fx.run_ok(&[]);
    let latest = fx.latest();
    assert_eq!(
        column(&latest, "concession_pct"),
        expect(&[
            ("1", 5.0),
            ("2", 8.0),
            ("3", 6.0),
            ("4", 6.0),
            ("5", 8.0),
            ("6", 0.0),
            ("7", 6.0),
        ])
    );
    assert_eq!(
        column(&latest, "concession_capped_by"),
        expect(&[
            ("1", null()),
            ("2", common::text("list-8pct")),
            ("3", common::text("margin-20pct")),
            ("4", common::text("wholesale-6pct")),
            ("5", common::text("list-8pct")),
            ("6", common::text("no-negative")),
            ("7", common::text("margin-20pct")),
        ])
    );
    let ids = column(&latest, "rule_ids");
    assert_eq!(ids["1"], common::text("[\"concession-wanted\"]"));
    assert_eq!(
        ids["3"],
        common::text("[\"concession-wanted\",\"margin-20pct\"]")
    );
    assert_eq!(
        ids["6"],
        common::text("[\"concession-wanted\",\"no-negative\"]")
    );
}

#[test]
fn a_cap_formula_giving_null_is_no_limit_for_the_single_cap_too() {
    let fx = concession_customers(
        "    cap: { min: 0, max: '= if is_null(gross_margin_pct) { () } else { gross_margin_pct - 20 }' }",
    );
    fx.run_ok(&[]);
    let latest = fx.latest();
    // Customer 5 has no margin known: uncapped (10), and nothing bound.
    assert_eq!(column(&latest, "concession_pct")["5"], real(10.0));
    assert_eq!(column(&latest, "concession_capped_by")["5"], null());
    assert_eq!(
        column(&latest, "concession_capped_by")["3"],
        common::text("concession.max")
    );
    assert_eq!(column(&latest, "concession_pct")["3"], real(6.0));
}

/// A cap whose floor and ceiling formulas cross for a customer binds twice (floor, then
/// ceiling): its id is recorded once.
#[test]
fn a_cap_that_binds_on_both_sides_is_recorded_once() {
    let fx = concession_customers(
        "    caps:\n      - { id: band, min: '= wanted * 2', max: '= wanted' }",
    );
    fx.run_ok(&[]);
    let latest = fx.latest();
    assert_eq!(column(&latest, "concession_pct")["1"], real(5.0));
    assert_eq!(
        column(&latest, "rule_ids")["1"],
        common::text("[\"concession-wanted\",\"band\"]")
    );
}

/// A regulator checks that a limit never exceeds the hard cap that bound it: an equity of
/// 19,999,999.998 (converted from another currency) capped the limit at 25%,
/// 4,999,999.9995, and rounded down to a million it gave 5,000,000, "bound by equity-25pct"
/// (the model-risk validator's F08). Rounding takes a value within a billionth of a step
/// of a multiple as on it; a limit rounded inside it no longer crosses it.
#[test]
fn a_ceiling_rounded_down_never_gives_more_than_the_ceiling() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id TEXT, equity REAL, turnover REAL",
        &[
            vec![common::text("R1"), real(19_999_999.998), real(33_333_333.0)],
            vec![common::text("R2"), real(20_000_000.0), real(33_333_333.0)],
        ],
    );
    fx.rule(
        "limit.yaml",
        "decisions:\n  - name: limit\n    output: credit_limit\n    round: { down: 1000000 }\n    capped_by: capped_by\n    caps:\n      - { id: equity-25pct, max: '= equity * 0.25' }\n    rules: [ { id: lim, value: '= turnover' } ]\n",
    );
    fx.run_ok(&[]);
    let limits = column(&fx.latest(), "credit_limit");
    assert_eq!(limits["R1"], common::int(4_000_000));
    assert_eq!(limits["R2"], common::int(5_000_000));
    let explain = fx.run(&["explain", "R1"]);
    assert!(
        explain.stdout.contains("=> credit_limit = 4000000"),
        "{}",
        explain.stdout
    );
}

#[test]
fn a_constant_floor_above_a_constant_named_ceiling_is_a_load_error_naming_both() {
    let fx = concession_customers(
        "    caps:\n      - { id: list-8pct, max: 8 }\n      - { id: floor-10, min: 10 }",
    );
    fx.run(&["run"])
        .assert_code(2)
        .assert_stderr_contains(
            "error: cap `floor-10` min 10 is above cap `list-8pct` max 8: every customer would get 8; lower the floor or raise the ceiling",
        )
        .assert_stderr_contains("--> rules/concession.yaml:7:30");
}

/// Credit terms in one table: `output: credit_limit` names what `cap:` and `round:` apply
/// to; `payment_days` and the text `terms` beside it are neither capped nor need numbers.
/// (The caps were applied only to a decision with one output, silently.)
#[test]
fn caps_and_rounding_apply_to_the_named_output_of_a_table_that_gives_several() {
    let fx = Fixture::new();
    fx.sales_customers(&[5000.0, -500.0, 2345.0]);
    fx.rule(
        "credit.yaml",
        r#"decisions:
  - name: credit_terms
    output: credit_limit
    cap: { min: 0, max: 3000 }
    round: { down: 1000 }
    rules:
      - { id: credit-a, when: "annual_sales > 3000", then: { credit_limit: "= 1.5 * annual_sales", payment_days: 60, terms: "net 60" } }
      - { id: credit-c, then: { credit_limit: "= 1.0 * annual_sales", payment_days: 30, terms: "net 30" } }
"#,
    );
    fx.run_ok(&[]);
    let latest = fx.latest();
    // Whole decimals are stored as integers (`DECIMAL`); read as numbers.
    let limits: Vec<f64> = column(&latest, "credit_limit")
        .values()
        .map(|v| match v {
            rusqlite::types::Value::Integer(i) => *i as f64,
            rusqlite::types::Value::Real(f) => *f,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(limits, [3000.0, 0.0, 2000.0]);
    assert_eq!(column(&latest, "payment_days")["1"], common::int(60));
    assert_eq!(
        column(&latest, "rule_ids")["2"],
        common::text("[\"credit-c\",\"credit_terms.min\"]")
    );
    // `explain` shows the steps on the capped output only.
    let explain = fx.run(&["explain", "2"]);
    explain.assert_code(0);
    assert!(
        explain.stdout.contains(
            "=> credit_limit = 0, payment_days = 30, terms = net 30  (-500.0, rounded to -1000, bound by credit_terms.min)"
        ),
        "{}",
        explain.stdout
    );
}

/// `round:` reads money arithmetic as written (3,000,000 x 0.07 is 210,000, though binary
/// floating point gives 210,000.00000000003), and a limit that binds is rounded to the step
/// again, inside it: a limit "rounded down to 1,000" capped at 10% of 6,299,970.35 is 629,000,
/// not 629,997.035. `explain` shows every limit's amount.
#[test]
fn rounding_takes_money_as_written_and_a_bound_limit_is_rounded_inside_it() {
    let fx = Fixture::new();
    fx.sales_customers(&[180_000.0, 6_299_970.35, 3_000_000.0]);
    fx.rule(
        "credit.yaml",
        r#"decisions:
  - name: fee
    output: fee
    round: { up: 1000 }
    rules:
      - { id: fee-7pct, value: "= annual_sales * 0.07" }
  - name: plain_limit
    output: plain_limit
    round: { down: 1000 }
    rules:
      - { id: plain-35pct, value: "= annual_sales * 0.35" }
  - name: credit_limit
    output: credit_limit
    round: { down: 1000 }
    capped_by: limit_set_by
    caps:
      - { id: equity-10pct, max: "= annual_sales * 0.1" }
      - { id: floor-5000, min: 5000 }
    rules:
      - { id: limit-35pct, value: "= annual_sales * 0.35" }
"#,
    );
    fx.run_ok(&[]);
    let latest = fx.latest();
    assert_eq!(column(&latest, "fee")["3"], int(210_000));
    assert_eq!(column(&latest, "fee")["1"], int(13_000));
    assert_eq!(column(&latest, "plain_limit")["1"], int(63_000));
    assert_eq!(column(&latest, "credit_limit")["1"], int(18_000));
    assert_eq!(column(&latest, "credit_limit")["2"], int(629_000));
    assert_eq!(column(&latest, "credit_limit")["3"], int(300_000));
    assert_eq!(
        column(&latest, "limit_set_by")["2"],
        common::text("equity-10pct")
    );
    let explain = fx.run(&["explain", "2"]);
    explain.assert_code(0);
    assert!(
        explain.stdout.contains("    limits: equity-10pct <= 629997.035 (bound; = annual_sales * 0.1, with annual_sales = 6299970.35), floor-5000 >= 5000\n    => credit_limit = 629000  (2204989.6225, rounded to 2204000, bound by equity-10pct at 629997.035, then to the step)"),
        "{}",
        explain.stdout
    );
    let json = fx.run(&["explain", "2", "--format", "json"]);
    json.assert_code(0);
    // A named cap with a floor and a ceiling: each side's own limit; and a ceiling that,
    // rounded down to the step, would go under the floor stays as it is (no multiple of
    // 1,000 lies between a floor of 18,000.2 and a ceiling of 18,000.5).
    fx.rule(
        "corridor.yaml",
        r#"decisions:
  - name: corridor
    output: corridor
    round: { down: 1000 }
    caps:
      - { id: band, min: 18000.2, max: "= annual_sales * 0.1 + 0.5" }
    rules:
      - { id: corridor-wanted, value: "= annual_sales" }
"#,
    );
    fx.run_ok(&[]);
    assert_eq!(column(&fx.latest(), "corridor")["1"], real(18_000.5));
    let corridor = fx.run(&["explain", "1"]);
    assert!(
        corridor
            .stdout
            .contains("    limits: band >= 18000.2, band <= 18000.5 (bound; = annual_sales * 0.1 + 0.5, with annual_sales = 180000.0)\n    => corridor = 18000.5  (180000.0, rounded to 180000, bound by band)"),
        "{}",
        corridor.stdout
    );
    let json: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let credit = (json["decisions"].as_array().unwrap().iter())
        .find(|d| d["name"] == "credit_limit")
        .unwrap();
    assert_eq!(
        credit["limits"],
        serde_json::json!([
            {"id": "equity-10pct", "side": "max", "value": 629_997.035, "bound": true,
             "formula": "annual_sales * 0.1", "with": [{"name": "annual_sales", "value": 6_299_970.35}]},
            {"id": "floor-5000", "side": "min", "value": 5000, "bound": false},
        ])
    );
    // A floor above a ceiling: the ceiling wins (README), and `explain` says the floor is
    // not met rather than list it as if it held.
    fx.rule(
        "floor.yaml",
        r#"decisions:
  - name: small_limit
    output: small_limit
    caps:
      - { id: sales-10pct, max: "= annual_sales * 0.1" }
      - { id: floor-25000, min: 25000 }
    rules:
      - { id: small-wanted, value: "= annual_sales" }
"#,
    );
    fx.run_ok(&[]);
    assert_eq!(column(&fx.latest(), "small_limit")["1"], real(18_000.0));
    let floor = fx.run(&["explain", "1"]);
    assert!(
        floor.stdout.contains(
            "    limits: sales-10pct <= 18000 (bound; = annual_sales * 0.1, with annual_sales = 180000.0), floor-25000 >= 25000 (not met: a lower ceiling wins)\n"
        ),
        "{}",
        floor.stdout
    );
}

/// A decimal rounding step makes the rounded output a decimal, not the others its rows
/// give: `payment_days` stays whole, so a whole-number `switch` case on it matches.
#[test]
fn rounding_one_output_to_decimals_leaves_the_others_whole() {
    let fx = Fixture::new();
    fx.sales_customers(&[5000.0, 200.0]);
    fx.rule(
        "credit.yaml",
        r#"decisions:
  - name: credit_terms
    output: credit_limit
    round: { nearest: 0.5 }
    rules:
      - { id: credit-a, when: "annual_sales > 3000", then: { credit_limit: "= annual_sales / 3", payment_days: 60 } }
      - { id: credit-c, then: { credit_limit: "= annual_sales / 3", payment_days: 30 } }
  - name: dunning
    output: dunning
    rules:
      - { id: dunning, value: '= switch payment_days { 30 => "short", 60 => "long", _ => "other" }' }
"#,
    );
    fx.run_ok(&[]);
    let latest = fx.latest();
    assert_eq!(column(&latest, "payment_days")["1"], int(60));
    assert_eq!(
        column(&latest, "dunning"),
        [
            ("1".to_owned(), common::text("long")),
            ("2".to_owned(), common::text("short"))
        ]
        .into_iter()
        .collect()
    );
    assert_eq!(column(&latest, "credit_limit")["2"], real(66.5));
}

/// The README's policy: a promotional discount and the volume concession do not stack (the
/// larger wins); a contract price overrides both.
const BEST_OF: &str = r#"decisions:
  - name: best_concession
    hit: max
    by: best_pct
    rules:
      - { id: promo-spring, when: promo == 1, then: { best_pct: 4.0, best_kind: promo } }
      - { id: volume-concession, when: annual_sales >= 100000, then: { best_pct: '= volume_pct', best_kind: volume } }
      - { id: no-concession, then: { best_pct: 0.0, best_kind: none } }
  - name: concession
    output: concession_pct
    rules:
      - { id: contract-price, when: '!is_null(contract_pct)', value: '= contract_pct' }
      - { id: best-of-promo-and-volume, value: '= best_pct' }
"#;

#[test]
fn best_of_takes_the_larger_concession_ties_to_the_earlier_row_and_a_contract_overrides_both() {
    let fx = Fixture::new();
    // id, promo, annual_sales, volume_pct, contract_pct
    let rows = [
        (1, true, 50_000.0, 6.0, None),       // promo only: 4
        (2, false, 200_000.0, 6.0, None),     // volume only: 6
        (3, true, 200_000.0, 6.0, None),      // both, volume larger: 6
        (4, true, 200_000.0, 3.0, None),      // both, promo larger: 4
        (5, true, 200_000.0, 4.0, None),      // a tie: the earlier row (promo)
        (6, true, 200_000.0, 6.0, Some(2.5)), // a contract: 2.5, whatever the best of
        (7, false, 50_000.0, 6.0, None),      // neither: 0
    ];
    let rows: Vec<_> = rows
        .iter()
        .map(|&(id, promo, sales, volume, contract)| {
            vec![
                int(id),
                int(promo as i64),
                real(sales),
                real(volume),
                contract.map_or(null(), real),
            ]
        })
        .collect();
    fx.customers(
        "customer_id INTEGER PRIMARY KEY, promo INTEGER, annual_sales REAL, volume_pct REAL, contract_pct REAL",
        &rows,
    );
    fx.rule("concession.yaml", BEST_OF);
    fx.run_ok(&[]);
    let latest = fx.latest();
    assert_eq!(
        column(&latest, "concession_pct"),
        expect(&[
            ("1", 4.0),
            ("2", 6.0),
            ("3", 6.0),
            ("4", 4.0),
            ("5", 4.0),
            ("6", 2.5),
            ("7", 0.0),
        ])
    );
    assert_eq!(
        column(&latest, "best_kind"),
        expect(&[
            ("1", "promo"),
            ("2", "volume"),
            ("3", "volume"),
            ("4", "promo"),
            ("5", "promo"),
            ("6", "volume"),
            ("7", "none"),
        ])
    );
    // The winning row is recorded, then the row of the final decision.
    let ids = column(&latest, "rule_ids");
    let text = common::text;
    assert_eq!(
        ids["3"],
        text(r#"["volume-concession","best-of-promo-and-volume"]"#)
    );
    assert_eq!(
        ids["5"],
        text(r#"["promo-spring","best-of-promo-and-volume"]"#)
    );
    assert_eq!(ids["6"], text(r#"["volume-concession","contract-price"]"#));
    // `explain` says why the best of took its row: the largest, and how a tie went.
    let explained = fx.run(&["explain", "3"]);
    explained.assert_code(0);
    assert!(
        explained.stdout.contains(
            "    => best_pct = 6.0, best_kind = volume\n       by volume-concession: of the 3 rows that matched, its `best_pct` (6.0) is the largest\n"
        ),
        "{}",
        explained.stdout
    );
    let tie = fx.run(&["explain", "5"]);
    assert!(
        tie.stdout.contains(
            "       by promo-spring: of the 3 rows that matched, its `best_pct` (4.0) is the largest (2 rows tie: the earlier row wins)\n"
        ),
        "{}",
        tie.stdout
    );
    // One row matched: nothing to choose, nothing said.
    let alone = fx.run(&["explain", "7"]);
    assert!(!alone.stdout.contains("       by "), "{}", alone.stdout);
}

#[test]
fn best_of_with_several_outputs_needs_by() {
    let fx = Fixture::new();
    fx.sales_customers(&[1.0]);
    fx.rule(
        "concession.yaml",
        &BEST_OF.replace("    by: best_pct\n", ""),
    );
    fx.run(&["run"])
        .assert_code(2)
        .assert_stderr_contains(
            "error: `hit: max` with several outputs needs `by:`, the output whose largest value wins (in `best_concession`)\n --> rules/concession.yaml:3:10\n  |\n3 |     hit: max\n  |          ^",
        );
}

/// "B customers get an extra 3% on beverages; anyone buying 200 or more of a category gets
/// 1% on it": one decision, evaluated per category.
const PER_CATEGORY: &str = r#"decisions:
  - name: tier
    rules:
      - { id: tier-a, when: annual_sales >= 1000, then: { tier: A } }
      - { id: tier-b, when: annual_sales >= 500, then: { tier: B } }
      - { id: tier-c, then: { tier: C } }
  - name: category_extra
    for_each: { category: [beverages, snacks, dairy] }
    output: extra_pct
    rules:
      - { id: extra-b-beverages, when: 'tier == "B" && category == "beverages"', value: 3.0 }
      - { id: extra-big-buyer, when: 'sales_{category} >= 200', value: 1.0 }
      - { id: extra-none, value: 0.0 }
"#;

fn category_customers() -> Fixture {
    let fx = Fixture::new();
    let rows = [
        (1, 600.0, Some(100.0), Some(300.0), Some(50.0)), // B: 3 on beverages, 1 on snacks
        (2, 2000.0, Some(250.0), Some(10.0), None),       // A: 1 on beverages
        (3, 100.0, Some(0.0), Some(0.0), Some(200.0)),    // C: 1 on dairy (200 is in)
    ];
    let rows: Vec<_> = rows
        .iter()
        .map(|&(id, sales, b, s, d)| {
            let v = |x: Option<f64>| x.map_or(null(), real);
            vec![int(id), real(sales), v(b), v(s), v(d)]
        })
        .collect();
    fx.customers(
        "customer_id INTEGER PRIMARY KEY, annual_sales REAL, sales_beverages REAL, sales_snacks REAL, sales_dairy REAL",
        &rows,
    );
    fx.rule("extra.yaml", PER_CATEGORY);
    fx
}

#[test]
fn a_decision_for_each_category_writes_one_column_per_category_with_suffixed_rule_ids() {
    let fx = category_customers();
    fx.run_ok(&[]);
    let latest = fx.latest();
    let col = |name: &str| column(&latest, name);
    assert_eq!(
        col("extra_pct_beverages"),
        expect(&[("1", 3.0), ("2", 1.0), ("3", 0.0)])
    );
    assert_eq!(
        col("extra_pct_snacks"),
        expect(&[("1", 1.0), ("2", 0.0), ("3", 0.0)])
    );
    assert_eq!(
        col("extra_pct_dairy"),
        expect(&[("1", 0.0), ("2", 0.0), ("3", 1.0)])
    );
    assert_eq!(
        col("rule_ids")["1"],
        common::text(
            r#"["tier-b","extra-b-beverages@beverages","extra-big-buyer@snacks","extra-none@dairy"]"#
        )
    );
}

#[test]
fn per_category_rows_meant_for_one_category_are_not_warned_and_errors_point_at_the_yaml() {
    let fx = category_customers();
    let check = fx.run(&["check"]);
    check.assert_code(0);
    assert!(
        !check.stderr.contains("TW102") && !check.stdout.contains("TW102"),
        "{}{}",
        check.stdout,
        check.stderr
    );
    // Nor listed on the data as matching no customer: the snacks and dairy copies of the
    // beverages row match no one by design; the beverages copy matches customer 1.
    let data = fx.run(&["check", "--data"]);
    data.assert_code(0);
    assert!(
        !data.stdout.contains("extra-b-beverages@"),
        "{}",
        data.stdout
    );
    // Nor in the rule tests' coverage as not exercised.
    std::fs::create_dir_all(fx.dir.path().join("rules/tests")).unwrap();
    fx.rule(
        "tests/extra.yaml",
        "cases:\n  - name: a B customer gets 3 more on beverages\n    customer: { annual_sales: 600, sales_beverages: 0, sales_snacks: 0, sales_dairy: 0 }\n    expect: { extra_pct_beverages: 3.0, extra_pct_snacks: 0.0 }\n",
    );
    let tested = fx.run(&["test"]);
    tested.assert_code(0);
    assert!(
        tested.stdout.contains("not exercised: extra-big-buyer@")
            && !tested.stdout.contains("extra-b-beverages@snacks"),
        "{}",
        tested.stdout
    );
    // A name after `{category}` on the line: the error is at the name as written, once for
    // all the copies.
    fx.rule(
        "extra.yaml",
        &PER_CATEGORY.replace(
            "'sales_{category} >= 200'",
            "'sales_{category} >= 200 && bogus > 1'",
        ),
    );
    let run = fx.run(&["check"]);
    run.assert_code(2);
    let out = &run.stdout;
    assert!(
        out.contains(
            "error: unknown name `bogus` (in `extra-big-buyer@beverages, extra-big-buyer@snacks, extra-big-buyer@dairy`)\n  --> rules/extra.yaml:12:66"
        ),
        "{out}"
    );
    // A category whose field does not exist is named with the field it asks for.
    fx.rule(
        "extra.yaml",
        &PER_CATEGORY.replace("[beverages, snacks, dairy]", "[beverages, frozen]"),
    );
    let run = fx.run(&["check"]);
    run.assert_code(2);
    assert!(
        run.stdout.contains(
            "error: unknown name `sales_frozen` (in `extra-big-buyer@frozen`)\n  --> rules/extra.yaml:12:39"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn capped_by_without_any_cap_is_a_load_error() {
    let fx = concession_customers("");
    let run = fx.run(&["check"]);
    run.assert_code(2);
    assert!(
        run.stdout.contains(
            "error: `capped_by` names the cap that bound, and this decision has none: add `caps:` (or `cap:`), or remove `capped_by` (in `concession`)\n --> rules/concession.yaml:4:16"
        ),
        "{}",
        run.stdout
    );
}

/// `check` warns of a row that can never match, but a run went live without a word: `run`
/// now lists the lint warnings on stderr, one line each, and still writes the run.
#[test]
fn a_run_lists_the_lint_warnings_of_its_rules() {
    let fx = Fixture::new();
    fx.sales_customers(&[1.0, 2.0]);
    fx.rule(
        "r.yaml",
        "decisions:\n  - name: d\n    output: o\n    rules:\n      - { id: never, when: annual_sales > 5 && annual_sales < 3, value: 1 }\n      - { id: rest, value: 0 }\n",
    );
    let run = fx.run(&["run"]);
    run.assert_code(0);
    assert!(
        run.stderr.contains(
            "warning[TW102]: rules/r.yaml:5:28: row `never` can never match: no customer can satisfy its condition\n1 lint warning in the rule files: `tierwise check` shows them in full\n"
        ),
        "{}",
        run.stderr
    );
    assert!(!run.stdout.contains("TW102"), "results only on stdout");
    assert!(fx.has_policy_table());
}

/// Caps and best-of on values the binary arithmetic moves by a hair: a margin cap of
/// 12.1 - 12 (0.09999999999999964) rounded down to 0.1 is 0.1 (it was 0.0, a whole step
/// off); a contract of 3.1 under a cap of 15.1 - 12 (3.0999999999999996) is not capped (the
/// cap was named as bound); a formula ceiling below the floor stays as it is under `round:`
/// (it went a step further down); `hit: max` between 0.3 and `0.1 + 0.2` is a tie, to the
/// earlier row.
#[test]
fn caps_and_best_of_compare_numbers_as_the_rules_equality_does() {
    let fx = Fixture::new();
    fx.customers(
        "customer_id INTEGER PRIMARY KEY, contract REAL, margin REAL",
        &[
            vec![int(1), real(4.0), real(12.1)],
            vec![int(2), real(3.1), real(15.1)],
            vec![int(3), real(4.0), real(11.5)],
            vec![int(4), real(4.0), real(12.7)],
        ],
    );
    fx.rule(
        "concession.yaml",
        r#"decisions:
  - name: concession
    output: concession_pct
    round: { down: 0.1 }
    capped_by: concession_capped_by
    caps:
      - { id: margin-12pct, max: '= margin - 12' }
      - { id: no-negative, min: 0 }
    rules:
      - { id: contract, value: '= contract' }
  - name: whole
    output: whole_pct
    round: { down: 1 }
    caps:
      - { id: whole-margin, max: '= margin - 12' }
      - { id: whole-floor, min: 0 }
    rules:
      - { id: whole-contract, value: '= contract' }
  - name: best
    output: best_pct
    hit: max
    rules:
      - { id: volume, value: 0.3 }
      - { id: promo, value: '= 0.1 + 0.2' }
"#,
    );
    fx.run_ok(&[]);
    let latest = fx.latest();
    assert_eq!(
        column(&latest, "concession_pct"),
        expect(&[("1", 0.1), ("2", 3.1), ("3", -0.5), ("4", 0.7)])
    );
    assert_eq!(
        column(&latest, "concession_capped_by"),
        expect(&[
            ("1", common::text("margin-12pct")),
            ("2", null()),
            ("3", common::text("margin-12pct")),
            ("4", common::text("margin-12pct")),
        ])
    );
    // A ceiling of -0.5 under a floor of 0, to a step of 1: -0.5, not -1.
    assert_eq!(column(&latest, "whole_pct")["3"], real(-0.5));
    assert_eq!(column(&latest, "whole_pct")["4"], int(0));
    let ids = column(&latest, "rule_ids");
    assert_eq!(
        ids["2"],
        common::text(r#"["contract","whole-contract","volume"]"#)
    );
    // The same through `explain`: no "(bound)" for customer 2's margin cap, and the
    // best-of says the two rows tie.
    let explain = fx.run(&["explain", "2"]);
    explain.assert_code(0);
    assert!(
        explain.stdout.contains(
            "by volume: of the 2 rows that matched, its `best_pct` (0.3) is the largest (2 rows tie: the earlier row wins)"
        ),
        "{}",
        explain.stdout
    );
    assert!(
        explain
            .stdout
            .contains("margin-12pct <= 3.1 (= margin - 12, with margin = 15.1),")
            && !explain.stdout.contains("margin-12pct <= 3.1 (bound"),
        "{}",
        explain.stdout
    );
}

/// In a decision `for_each` category, the cap that bound is `list-8pct@beverages`: a row
/// reading `capped_by_beverages == "list-8pct"` (the id as written in `caps:`) never
/// matched, and `check` said nothing. Warned as for a value no row gives, with the values.
#[test]
fn comparing_capped_by_with_a_cap_id_it_never_holds_is_warned_with_its_values() {
    let fx = category_customers();
    fx.rule(
        "extra.yaml",
        &format!(
            "{PER_CATEGORY}    capped_by: extra_capped_by\n    caps:\n      - {{ id: list-2pct, max: 2 }}\n  - name: review\n    output: review\n    rules:\n      - {{ id: review-capped, when: 'extra_capped_by_beverages == \"list-2pct\"', value: true }}\n      - {{ id: review-none, value: false }}\n",
        ),
    );
    let check = fx.run(&["check"]);
    assert!(
        check
            .stdout
            .contains("output `extra_capped_by_beverages` is never \"list-2pct\"")
            && check.stdout.contains("its values are: list-2pct@beverages"),
        "{}{}",
        check.stdout,
        check.stderr
    );
}

/// `sales_{category}` outside a `for_each` (another decision, the summary's totals) was the
/// parser's "Unexpected '{'": said as what it is, with the two ways to write it.
#[test]
fn a_for_each_placeholder_outside_a_for_each_says_so() {
    let fx = category_customers();
    fx.rule(
        "extra.yaml",
        &format!(
            "{PER_CATEGORY}summary:\n  totals:\n    category_sales: \"= sales_{{category}} ?? 0\"\n"
        ),
    );
    let check = fx.run(&["check"]);
    check.assert_code(2);
    assert!(
        check.stdout.contains(
            "error: `{category}` stands for each item of a decision's `for_each`, and this expression is in none"
        ) && check.stdout.contains(
            "= help: add `for_each: { category: [beverages, snacks] }` to the decision, or write the name in full for each item (`sales_beverages + sales_snacks`)"
        ),
        "{}",
        check.stdout
    );
}

/// A `for_each` over 2,500 items writes a column per item: `check` said "no problems",
/// and `run` evaluated every customer before SQLite refused the table ("too many columns
/// on sqlite_altertab_customer_policy"), naming no rule. It is a load error at the decision.
#[test]
fn more_outputs_than_a_policy_table_holds_is_an_error_at_the_decision() {
    let fx = category_customers();
    let items: Vec<String> = (0..2500).map(|i| format!("c{i}")).collect();
    fx.rule(
        "many.yaml",
        &format!(
            "decisions:\n  - name: flag\n    for_each: {{ item: [{}] }}\n    output: flag\n    rules:\n      - {{ id: f, value: 1 }}\n",
            items.join(", ")
        ),
    );
    let check = fx.run(&["check"]);
    check.assert_code(2);
    assert!(
        check.stdout.contains(
            "error: the rules give 2,504 outputs, more than the 1,994 a policy table holds (SQLite's 2,000 columns, less 6 the views show beside them: the run, the customer, the period, its kind, the date and the rule ids): decision `flag@c1990` is past them"
        ) && check.stdout.contains(" --> rules/many.yaml:"),
        "{}",
        check.stdout
    );
    fx.run(&["run"]).assert_code(2);
    assert!(!fx.has_policy_table());
    // At the limit the views still read; columns an earlier rule set left count too.
    let fill = |n: usize, prefix: &str| {
        let items: Vec<String> = (0..n).map(|i| format!("{prefix}{i}")).collect();
        fx.rule(
            "many.yaml",
            &format!(
                "decisions:\n  - name: flag\n    for_each: {{ item: [{}] }}\n    output: flag\n    rules:\n      - {{ id: f, value: 1 }}\n",
                items.join(", ")
            ),
        );
    };
    // The fixture's own rules give 4 outputs: 1,990 more make 1,994.
    fill(1990, "c");
    fx.run(&["run"]).assert_code(0);
    let read: i64 = fx
        .conn()
        .query_row("SELECT COUNT(*) FROM customer_policy_by_period", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(read > 0);
    fill(10, "d");
    let again = fx.run(&["run"]);
    again.assert_code(1);
    again.assert_stderr_contains("holds 1,994 output columns (those of earlier rule sets too: columns are never dropped), and these rules add 10");
}

/// A floor that binds, then a ceiling under it that binds (no multiple of the step between
/// them): the value is the ceiling's, `capped_by` names it, and only its id joins the rule
/// ids (the floor's was there too, so an auditor counting the floor's customers counted one
/// whose value it did not decide).
#[test]
fn a_ceiling_over_a_floor_that_bound_alone_joins_the_rule_ids() {
    let fx = Fixture::new();
    fx.sales_customers(&[2.5]);
    fx.rule(
        "nofit.yaml",
        r#"decisions:
  - name: nofit
    output: nofit
    round: { nearest: 10 }
    capped_by: nofit_by
    caps:
      - { id: floor-3, min: 3 }
      - { id: ceiling-7, max: 7 }
    rules:
      - { id: wanted, value: "= annual_sales" }
"#,
    );
    fx.run_ok(&[]);
    let latest = fx.latest();
    assert_eq!(column(&latest, "nofit")["1"], int(7));
    assert_eq!(column(&latest, "nofit_by")["1"], common::text("ceiling-7"));
    assert_eq!(
        column(&latest, "rule_ids")["1"],
        common::text(r#"["wanted","ceiling-7"]"#)
    );
    // `explain` says it as the run does.
    let explain = fx.run(&["explain", "1"]);
    assert!(
        explain
            .stdout
            .contains("    limits: floor-3 >= 3, ceiling-7 <= 7 (bound)\n    => nofit = 7  (2.5, rounded to 0, bound by ceiling-7)"),
        "{}",
        explain.stdout
    );
}
