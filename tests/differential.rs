//! Differential test: the native fast path must give exactly what the rhai interpreter gives,
//! value for value and type for type (or fail exactly where it fails), on the shipped rules
//! and on thousands of randomly generated expressions, over generated customers with NULLs,
//! zeros, negative numbers and text.

use rusqlite::Connection;
use std::path::Path;
use tierwise::config::Source;
use tierwise::engine::{Context, Evaluator, Mode};
use tierwise::rules::{self, RuleSet};
use tierwise::source::sample::{SampleSpec, generate_into};
use tierwise::source::{CustomerSource, Dataset, SqliteSource};
use tierwise::time::{Date, PeriodKind};

#[path = "common/batch.rs"]
mod batch;

/// The sample customers, plus rows with extreme and odd values.
fn customers(n: usize) -> SqliteSource {
    let conn = Connection::open_in_memory().unwrap();
    generate_into(
        &conn,
        &SampleSpec {
            customers: n,
            seed: 7,
            history: false,
        },
        &mut |_| {},
    )
    .unwrap();
    conn.execute_batch(
        "INSERT INTO customers (customer_id, channel, region, annual_sales, orders_last_12m,
            orders_prev_12m, gross_margin_pct, on_time_payment_rate, overdue_days, credit_score,
            years_active, quality_claims, industry_influence, repeat_purchase_rate)
         VALUES
            ('X-1', '', 'North', -5.5, 0, 0, -3.0, 0.0, -1, 0, 0, 0, 1, 0.0),
            ('X-2', 'KA', NULL, 0.0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
            ('X-3', 'terminal', 'South', 9.0e15, 9223372036854775807, -9223372036854775808,
             45.0, 1.0, 100000, 100, 30, 50, 5, 1.0),
            ('X-4', 'a''quote', 'East', 1e-9, 1, 1, 0.5, 0.5, 61, 40, 5, 3, 3, 0.5)",
    )
    .unwrap();
    // A date column: spread over four years, month ends and a leap day, some NULL.
    conn.execute_batch(
        "ALTER TABLE customers ADD COLUMN last_order_day DATE;
         UPDATE customers SET last_order_day = CASE
             WHEN rowid % 11 = 0 THEN NULL
             WHEN rowid % 13 = 0 THEN '2024-02-29'
             WHEN rowid % 17 = 0 THEN '2025-01-31'
             ELSE date('2023-01-31', '+' || ((rowid * 37) % 1400) || ' days') END;",
    )
    .unwrap();
    // Columns without a declared type, holding ISO dates as text.
    conn.execute_batch(
        "ALTER TABLE customers ADD COLUMN first_day;
         ALTER TABLE customers ADD COLUMN last_day;
         UPDATE customers SET first_day = '1998-01-02', last_day = '1998-05-28';
         ALTER TABLE customers ADD COLUMN vip BOOLEAN;
         UPDATE customers SET vip = CASE WHEN rowid % 5 = 0 THEN NULL ELSE rowid % 2 END;",
    )
    .unwrap();
    SqliteSource::with_connection(conn, &Source::Table("customers".into()))
}

/// The date evaluations run as of.
fn context() -> Context {
    Context::new(Date::new(2026, 9, 30).unwrap(), PeriodKind::Quarter)
}

fn load(source: &SqliteSource, dir: &Path) -> Result<RuleSet, String> {
    let fields = source.columns().unwrap();
    rules::load(dir, &fields, &Default::default())
        .map(|(r, _)| r)
        .map_err(|d| d.to_string())
}

fn dataset(source: &SqliteSource) -> Dataset {
    source.read("customer_id", None, &mut |_| {}).unwrap()
}

/// Per customer: the outputs and fired rules, or the error; a batch run checked against
/// evaluating one by one on the fast path.
fn results(rules: &RuleSet, data: &Dataset, mode: Mode) -> Vec<Result<String, String>> {
    batch::results(
        &Evaluator::with_mode(rules, data, context(), mode).unwrap(),
        mode,
    )
}

fn assert_same(rules: &RuleSet, data: &Dataset, what: &str) -> (usize, usize) {
    let fast = results(rules, data, Mode::Fast);
    let slow = results(rules, data, Mode::Interpreter);
    let mut errors = 0;
    for (i, (f, s)) in fast.iter().zip(&slow).enumerate() {
        assert_eq!(
            f,
            s,
            "{what}: customer {} differs (left: fast path, right: interpreter)",
            data.id_text(i)
        );
        errors += f.is_err() as usize;
    }
    (fast.len(), errors)
}

#[test]
fn benchmark_rules_give_the_same_policies_on_both_paths() {
    let conn = customers(3000);
    let rules = load(
        &conn,
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/benches/rules")),
    )
    .unwrap();
    let data = dataset(&conn);
    let (n, errors) = assert_same(&rules, &data, "benchmark rules");
    assert_eq!(n, 3004);
    // The odd rows (e.g. i64::MAX orders) may fail, but identically on both paths; the
    // generated customers never do.
    assert!(errors <= 4, "{errors} customers failed");
}

/// The bundled config's customers: its query over a sample with an order history, as of
/// the end of 2026-Q3.
fn customers_from_orders(n: usize) -> SqliteSource {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = tierwise::config::Config::load(&root.join("config/tierwise.yaml")).unwrap();
    let conn = Connection::open_in_memory().unwrap();
    let spec = SampleSpec {
        customers: n,
        seed: 7,
        history: true,
    };
    generate_into(&conn, &spec, &mut |_| {}).unwrap();
    SqliteSource::with_connection(conn, &config.source)
        .with_dates(&config.date_columns)
        .with_parameters(context().parameters())
}

#[test]
fn shipped_rules_give_the_same_policies_on_both_paths() {
    let source = customers_from_orders(2000);
    let rules = load(
        &source,
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/rules")),
    )
    .unwrap();
    let data = dataset(&source);
    let (n, errors) = assert_same(&rules, &data, "shipped rules");
    assert!(n > 1500, "{n} customers");
    assert_eq!(errors, 0);
    // Every expression of the shipped rules has a fast path (`tierwise -v run` names none).
    let interpreted: Vec<&str> = rules
        .exprs()
        .filter(|e| e.native.is_none())
        .map(|e| e.text.as_str())
        .collect();
    assert!(interpreted.is_empty(), "no fast path: {interpreted:?}");
    // The query's columns declare no type; the data's kinds type the expressions anyway.
    let ev = Evaluator::with_mode(&rules, &data, context(), Mode::Fast).unwrap();
    let typed: Vec<&str> = rules
        .exprs()
        .filter(|e| ev.fast(e).is_some_and(|f| f.is_typed()))
        .map(|e| e.text.as_str())
        .collect();
    for score in [
        "loyalty_score(repeat_purchase_rate, years_active, on_time_payment_rate)",
        "years_active == 0 && (credit_score ?? 0) < 40",
    ] {
        assert!(typed.contains(&score), "{score} is not typed: {typed:?}");
    }
    // A metric that is one typed tree gives decimals, so what reads it evaluates
    // column-at-a-time too.
    let on_loyalty = rules.exprs().find(|e| e.text == "loyalty >= 0.6").unwrap();
    assert!(ev.fast(on_loyalty).is_some_and(|f| f.whole().is_some()));
}

/// The policies of issue 12, part 2 (quintiles, named caps with NULL limits, best of,
/// decisions per item) over the sample customers: the same on both paths, and all native.
const POLICIES: &str = r#"population:
  sales_q: { ntile_of: annual_sales, n: 5 }
  claims_q: { ntile_of: quality_claims, n: 4, better: lower }
decisions:
  - name: best
    hit: max
    by: best_pct
    rules:
      - { id: promo, when: 'channel == "KA"', then: { best_pct: 4.0, best_kind: promo } }
      - { id: volume, when: 'sales_q >= 4', then: { best_pct: '= sales_q + 0.5', best_kind: volume } }
      - { id: loyalty, when: 'claims_q == 4', then: { best_pct: 3, best_kind: loyalty } }
      - { id: none, then: { best_pct: 0.0, best_kind: none } }
  - name: concession
    output: concession_pct
    capped_by: concession_capped_by
    cap: { min: 0 }
    caps:
      - { id: list-5, max: 5 }
      - { id: credit, max: '= if is_null(credit_score) { () } else { credit_score / 20.0 }' }
      - { id: small, max: '= if sales_q == 1 { 1 } else { () }' }
    rules:
      - { id: contract, when: 'region == "North" && years_active > 10', value: 2.5 }
      - { id: best-of, value: '= best_pct' }
  - name: region_extra
    hit: collect
    for_each: { place: [North, South, East] }
    output: extra
    rules:
      - { id: here, when: 'region == place', value: 1.0 }
      - { id: tagged, when: '`${place}` == "{place}" && channel == "KA"', value: 0.5 }
"#;

#[test]
fn the_policies_admins_write_give_the_same_on_both_paths_and_all_on_the_fast_path() {
    let conn = customers(3000);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("policies.yaml"), POLICIES).unwrap();
    let rules = load(&conn, dir.path()).unwrap();
    let data = dataset(&conn);
    let (n, errors) = assert_same(&rules, &data, "policies");
    assert_eq!(n, 3004);
    assert!(errors <= 4, "{errors} customers failed");
    let interpreted: Vec<&str> = rules
        .exprs()
        .filter(|e| e.native.is_none())
        .map(|e| e.text.as_str())
        .collect();
    assert!(interpreted.is_empty(), "no fast path: {interpreted:?}");
}

/// The new functions' errors stay errors on the fast path: the interpreter raises them,
/// naming the customer, the rule and where it is written.
#[test]
fn errors_of_the_new_functions_name_the_customer_and_the_rule() {
    let conn = customers(20);
    let data = dataset(&conn);
    let dir = tempfile::tempdir().unwrap();
    for (expr, message) in [
        (
            "(annual_sales * 1e300).to_int()",
            "Integer overflow: to_int(",
        ),
        (
            "pow(orders_last_12m ?? 1, -1)",
            "Integer raised to a negative power",
        ),
        ("(credit_score ?? 2) ** 70", "Exponential overflow"),
        ("ln(0)", "the result is -inf, not a number"),
        // A declared TEXT column times a number is a load error; one that declares no type
        // fails when evaluated.
        (
            "sqrt(orders_last_12m) * last_day",
            "`last_day` is text \"1998-05-28\", and `*` needs numbers",
        ),
        // A column without a declared type: what it holds is known only when it is read.
        (
            "last_day < 19980101",
            "`last_day` is text \"1998-05-28\", compared with the number 19980101: text and numbers never compare",
        ),
        (
            "last_day - first_day",
            "`last_day` is text \"1998-05-28\" and `first_day` is text \"1998-01-02\": `-` needs numbers",
        ),
    ] {
        let yaml = format!(
            "decisions:\n  - name: d\n    output: o\n    rules:\n      - {{ id: r-bad, value: '= {expr}' }}\n"
        );
        std::fs::write(dir.path().join("bad.yaml"), &yaml).unwrap();
        let rules = load(&conn, dir.path()).unwrap();
        assert!(rules.exprs().all(|e| e.native.is_some()), "{expr}");
        let fast = results(&rules, &data, Mode::Fast);
        assert_eq!(fast, results(&rules, &data, Mode::Interpreter), "{expr}");
        let err = fast[0].as_ref().unwrap_err();
        for part in [data.id_text(0).as_str(), "r-bad", "bad.yaml:5", message] {
            assert!(err.contains(part), "{expr}: `{part}` not in: {err}");
        }
    }
}

/// A BOOLEAN column is true/false (NULL stays NULL) on both paths.
#[test]
fn a_boolean_column_gives_the_same_on_both_paths() {
    let conn = customers(40);
    let data = dataset(&conn);
    let dir = tempfile::tempdir().unwrap();
    for expr in [
        "vip == true",
        "vip",
        "vip != false",
        "if vip == true { 1 } else { 2 }",
        "vip ?? false",
        "is_null(vip)",
    ] {
        let yaml = format!(
            "decisions:\n  - name: d\n    output: o\n    rules:\n      - {{ id: r, value: '= {expr}' }}\n"
        );
        std::fs::write(dir.path().join("b.yaml"), &yaml).unwrap();
        let rules = load(&conn, dir.path()).unwrap();
        assert!(rules.exprs().all(|e| e.native.is_some()), "{expr}");
        let fast = results(&rules, &data, Mode::Fast);
        assert_eq!(fast, results(&rules, &data, Mode::Interpreter), "{expr}");
        let answers: std::collections::HashSet<&String> = fast.iter().flatten().collect();
        assert!(answers.len() >= 2, "{expr}: {answers:?}");
    }
}

/// Script functions the generated expressions call: `let`s, assignments (`+=` of numbers
/// and of text), guard clauses, `if` statements that assign, `switch`, templates.
const SCRIPT: &str = r#"
fn weighted(a, b) {
    if a == () { return b ?? 0; }
    let w = 0.35 * a;
    let total = w;
    if b != () { total += 0.65 * b; } else { total = total * 2; }
    total
}
fn log_score(x) {
    if x == () || x <= 0 { return 0.0; }
    let s = ln(x + 1) / ln(10);
    min(s * 20, 100)
}
fn band_of(t, x) {
    let label = `${t}`;
    let band = switch t { "KA" => 1, "North" => 2, _ => 3 };
    if x == () { return label; }
    if x > 100 { label += "+"; band = band * 10; }
    label + band
}
fn label(t, v) {
    let n = v ?? 0;
    `${t}: ${round(n).to_int()}`
}
"#;

/// A small random expression generator over the sample's columns.
struct Gen {
    rng: fastrand::Rng,
}

const NUMBERS: [&str; 9] = [
    "annual_sales",
    "orders_last_12m",
    "orders_prev_12m",
    "gross_margin_pct",
    "on_time_payment_rate",
    "overdue_days",
    "credit_score",
    "years_active",
    "quality_claims",
];
const TEXTS: [&str; 2] = ["channel", "region"];
const WORDS: [&str; 6] = [
    "\"KA\"",
    "\"terminal\"",
    "\"North\"",
    "\"\"",
    "\"a'quote\"",
    "\"zz\"",
];

impl Gen {
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.rng.usize(..xs.len())]
    }

    fn number(&mut self, depth: u32) -> String {
        let leaf = depth == 0 || self.rng.u8(..10) < 3;
        if leaf {
            return match self.rng.u8(..6) {
                0 => self.rng.i64(-5..200).to_string(),
                1 => format!("{:.2}", self.rng.f64() * 200.0 - 20.0),
                2 => "0".into(),
                3 => format!("({} ?? {})", self.pick(&NUMBERS), self.rng.i64(0..10)),
                _ => self.pick(&NUMBERS).into(),
            };
        }
        let d = depth - 1;
        match self.rng.u8(..14) {
            11 => self.math(d),
            12 => self.call_script(d),
            13 => {
                let (value, [a, b]) = self.switch_head(d);
                format!(
                    "switch {value} {{ {a} => {}, {b} => {}, _ => {} }}",
                    self.number(d),
                    self.number(d),
                    self.number(d)
                )
            }
            0..=4 => {
                let op = self.pick(&["+", "-", "*", "/", "%", "**"]);
                format!("({} {op} {})", self.number(d), self.number(d))
            }
            5 if self.rng.bool() => format!("-({})", self.number(d)),
            5 => match self.rng.u8(..5) {
                0 => format!("days_between({}, {})", self.date(d), self.date(d)),
                1 => format!("months_between({}, {})", self.date(d), self.date(d)),
                2 => format!("year({})", self.date(d)),
                3 => format!("month({})", self.date(d)),
                _ => format!("quarter({})", self.date(d)),
            },
            6 => format!(
                "{}({}, {})",
                self.pick(&["min", "max"]),
                self.number(d),
                self.number(d)
            ),
            7 => format!(
                "{}({})",
                self.pick(&["abs", "floor", "ceiling", "round"]),
                self.number(d)
            ),
            8 => format!(
                "if {} {{ {} }} else {{ {} }}",
                self.boolean(d),
                self.number(d),
                self.number(d)
            ),
            9 => format!("({} ?? {})", self.number(d), self.number(d)),
            _ => self.pick(&NUMBERS).into(),
        }
    }

    fn date(&mut self, depth: u32) -> String {
        let leaf = depth == 0 || self.rng.u8(..10) < 4;
        if leaf {
            return self
                .pick(&[
                    "last_order_day",
                    "as_of",
                    "date(\"2025-01-31\")",
                    "date(\"2024-02-29\")",
                    "(last_order_day ?? as_of)",
                ])
                .into();
        }
        let d = depth - 1;
        match self.rng.u8(..3) {
            0 => format!("add_days({}, {})", self.date(d), self.number(d)),
            1 => format!("add_months({}, {})", self.date(d), self.number(d)),
            _ => format!(
                "if {} {{ {} }} else {{ {} }}",
                self.boolean(d),
                self.date(d),
                self.date(d)
            ),
        }
    }

    fn text(&mut self) -> String {
        if self.rng.bool() {
            self.pick(&TEXTS).into()
        } else {
            self.pick(&WORDS).into()
        }
    }

    /// `ln`, `log`, `exp`, `sqrt`, `pow`, `to_int`, `to_float` of numbers (whole-number
    /// columns among them), including NULL, zero, negative and huge arguments.
    fn math(&mut self, d: u32) -> String {
        match self.rng.u8(..9) {
            0 => format!("{}({})", self.pick(&["ln", "sqrt", "log"]), self.number(d)),
            1 => format!("exp({} / 100)", self.number(d)),
            2 => format!(
                "log({}, {})",
                self.number(d),
                self.pick(&["2", "10", "0.5"])
            ),
            3 => format!("pow({}, {})", self.number(d), self.rng.i64(-2..5)),
            4 => format!(
                "({}) ** {}",
                self.number(d),
                self.pick(&["2", "0.5", "3", "-1"])
            ),
            5 => format!("({}).to_int()", self.number(d)),
            6 => format!("to_float({})", self.number(d)),
            7 => format!("ln({}) * {}", self.pick(&NUMBERS), self.number(d)),
            _ => format!("sqrt({}).to_int()", self.pick(&NUMBERS)),
        }
    }

    /// A call of a function of `gen.rhai` (lets, assignments, guard clauses, `switch`).
    fn call_script(&mut self, d: u32) -> String {
        match self.rng.u8(..3) {
            0 => format!("weighted({}, {})", self.number(d), self.number(d)),
            1 => format!("log_score({})", self.number(d)),
            _ => format!("band_of({}, {})", self.text_expr(d), self.number(d)),
        }
    }

    /// A value to switch on and two cases. Cases of any kind for an expression (a decimal
    /// `2.5` never matches a whole number, text never matches a number); for a plain name,
    /// text cases for text and ranges for numbers, since a case of another kind (or a
    /// whole number for a column of decimals) is an error before any customer.
    fn switch_head(&mut self, d: u32) -> (String, [String; 2]) {
        let is_text = self.rng.bool();
        let value = if is_text { self.text() } else { self.number(d) };
        let name = value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        let cases: &[&str] = match (name, is_text) {
            (false, _) => &["\"KA\"", "\"North\"", "\"\"", "0", "1", "2.5", "()", "true"],
            (true, true) => &["\"KA\"", "\"North\"", "\"\"", "()"],
            (true, false) => &["0..1", "1..=3", "-5..5", "()"],
        };
        let cases = [self.pick(cases).into(), self.pick(cases).into()];
        (value, cases)
    }

    /// Text: columns and constants, templates, `+` (with numbers and NULL too),
    /// `to_string`, `switch`.
    fn text_expr(&mut self, depth: u32) -> String {
        if depth == 0 || self.rng.u8(..10) < 3 {
            return self.text();
        }
        let d = depth - 1;
        match self.rng.u8(..7) {
            0 => format!(
                "`{} ${{{}}}: ${{{}}} ${{{}}}`",
                self.pick(&["tier", "", "x"]),
                self.text_expr(d),
                self.number(d),
                self.pick(&NUMBERS)
            ),
            1 => format!("({} + {})", self.text_expr(d), self.text_expr(d)),
            2 => format!("({} + {})", self.text_expr(d), self.number(d)),
            3 => format!("({} + {})", self.number(d), self.text_expr(d)),
            4 => format!("({}).to_string()", self.number(d)),
            5 => {
                let (value, [a, b]) = self.switch_head(d);
                format!(
                    "switch {value} {{ {a} => {}, {b} => {} }}",
                    self.text_expr(d),
                    self.text_expr(d)
                )
            }
            _ => format!("label({}, {})", self.text_expr(d), self.number(d)),
        }
    }

    fn boolean(&mut self, depth: u32) -> String {
        let d = depth.saturating_sub(1);
        let cmp = self.pick(&["==", "!=", "<", "<=", ">", ">="]);
        match self.rng.u8(..10) {
            0..=2 => format!("{} {cmp} {}", self.number(d), self.number(d)),
            3 if self.rng.bool() => format!("{} {cmp} {}", self.text(), self.text()),
            3 => match self.rng.u8(..3) {
                0 => format!("{} {cmp} {}", self.text_expr(d), self.text_expr(d)),
                1 => format!(
                    "{}.{}({})",
                    self.text_expr(d),
                    self.pick(&["contains", "starts_with", "ends_with"]),
                    self.text_expr(d)
                ),
                _ => format!("{} in {}", self.text(), self.text_expr(d)),
            },
            // Text and numbers never compare, and text minus text is no subtraction: an
            // error on both paths.
            4 if self.rng.bool() => format!("{} {cmp} {}", self.text(), self.number(d)),
            4 => format!("({} - {}) {cmp} 0", self.text_expr(d), self.text_expr(d)),
            5 if self.rng.bool() => format!("is_null({})", self.pick(&NUMBERS)),
            // Dates with dates; with text or numbers they are an error on both paths.
            5 => match self.rng.u8(..4) {
                0 => format!("{} {cmp} {}", self.date(d), self.text()),
                1 => format!("{} {cmp} {}", self.date(d), self.number(d)),
                _ => format!("{} {cmp} {}", self.date(d), self.date(d)),
            },
            6 if depth > 0 => format!("({} && {})", self.boolean(d), self.boolean(d)),
            7 if depth > 0 => format!("({} || {})", self.boolean(d), self.boolean(d)),
            8 if depth > 0 => format!("!({})", self.boolean(d)),
            _ => format!(
                "{} in [{}, {}]",
                self.text(),
                self.pick(&WORDS),
                self.pick(&WORDS)
            ),
        }
    }
}

#[test]
fn random_expressions_give_the_same_values_on_both_paths() {
    let conn = customers(300);
    let data = dataset(&conn);
    let mut g = Gen {
        rng: fastrand::Rng::with_seed(2026),
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("gen.rhai"), SCRIPT).unwrap();
    let (mut checked, mut with_errors, mut native, mut total) = (0, 0, 0, 0);
    let (mut native_dates, mut native_new) = (0, 0);
    // Enough batches that the ones the static check refuses leave 200 of the newer shapes.
    for batch in 0..130 {
        // Each expression is its own decision, so one that fails for a customer does not
        // hide the others: a batch is one rule set, and a failing customer fails it whole,
        // which is why batches are small.
        let mut yaml = String::from("decisions:\n");
        for k in 0..5 {
            let expr = match k % 3 {
                0 => g.number(3),
                1 => g.boolean(3),
                _ => g.text_expr(3),
            };
            let expr = expr.replace('\'', "''");
            yaml.push_str(&format!(
                "  - name: d{k}\n    output: o{k}\n    rules:\n      - {{ id: r{batch}-{k}, value: '= {expr}' }}\n"
            ));
        }
        std::fs::write(dir.path().join("gen.yaml"), &yaml).unwrap();
        let rules = match load(&conn, dir.path()) {
            Ok(r) => r,
            // The static type check rejects some generated comparisons (`channel > 5`, and
            // a switch case of another kind, `switch sales { true => ... }`): not an
            // evaluation question.
            Err(e)
                if e.contains("can never be true")
                    || e.contains("never compare")
                    || e.contains("compares only with")
                    || e.contains("needs numbers")
                    || e.contains("a date compares")
                    || e.contains("is not a date") =>
            {
                continue;
            }
            Err(e) => panic!("generated rules did not load:\n{e}\n{yaml}"),
        };
        for d in &rules.decisions {
            for row in &d.rows {
                for (_, v) in &row.values {
                    if let rules::ValueExpr::Formula(e) = v {
                        total += 1;
                        native += e.native.is_some() as usize;
                        let dated = e.text.contains("as_of") || e.text.contains("last_order_day");
                        native_dates += (dated && e.native.is_some()) as usize;
                        let new = [
                            "ln(",
                            "sqrt(",
                            "exp(",
                            "log",
                            "pow(",
                            "**",
                            "to_int",
                            "to_float",
                            "`",
                            "switch",
                            "weighted(",
                            "label(",
                            "band_of(",
                            "contains",
                            "starts_with",
                            "ends_with",
                            "to_string",
                        ];
                        let shaped = new.iter().any(|n| e.text.contains(n));
                        native_new += (shaped && e.native.is_some()) as usize;
                    }
                }
            }
        }
        let (n, errors) = assert_same(&rules, &data, &yaml);
        checked += n;
        with_errors += errors;
    }
    // The comparison is only worth something if the fast path really ran.
    assert!(
        native * 10 >= total * 9,
        "only {native} of {total} expressions have a fast path"
    );
    // The math, conversion and text functions, templates, `switch` and the script
    // functions were among them.
    assert!(
        native_new >= 200,
        "only {native_new} expressions with the newer shapes ran on the fast path"
    );
    // Date functions were among them.
    assert!(
        native_dates >= 30,
        "only {native_dates} expressions with dates ran on the fast path"
    );
    // Enough customers were compared, and the comparison covered failures too.
    assert!(checked > 10_000, "only {checked} comparisons");
    assert!(
        with_errors > 0 && with_errors < checked,
        "{with_errors} of {checked} failed"
    );
}

/// A table as a grid, exercising every form of cell over the sample's columns.
const GRID: &str = r#"decisions:
  - name: terms
    outputs:
      - { name: terms, values: [prepay, net15, net30, net60], default: net30 }
      - note
    grid: |
      id       | channel     | overdue_days | credit_score | annual_sales ?? 0 | vip  | last_order_day | terms  | note
      t-exit   | special     | -            | -            | -                 | -    | -              | prepay | exit
      t-late   | not(KA, BC) | > 60         | -            | -                 | -    | -              | prepay | = channel
      t-weak   | -           | [30..60]     | < 40         | -                 | -    | -              | net15  | -
      t-vip    | "KA", "BC"  | -            | -            | [100000..500000)  | true | -              | net60  | vip
      t-recent | -           | -            | -            | -                 | null | >= 2025-01-01  | net30  | null
      t-none   | -           | -            | -            | -                 | -    | null           | net15  | no date
      t-big    | != terminal | -            | ]50..80]     | >= 500000         | -    | -              | net60  | -
      t-old    | -           | not(< 10)    | -            | -                 | -    | (2023-06-30..2024-12-31) | net15 | = "old " + channel
"#;

/// The same table as `when:` rows.
const ROWS: &str = r#"decisions:
  - name: terms
    outputs:
      - { name: terms, values: [prepay, net15, net30, net60], default: net30 }
      - note
    rules:
      - id: t-exit
        when: channel == "special"
        then: { terms: prepay, note: exit }
      - id: t-late
        when: '!is_null(channel) && !(channel == "KA" || channel == "BC") && overdue_days > 60'
        then: { terms: prepay, note: "= channel" }
      - id: t-weak
        when: overdue_days >= 30 && overdue_days <= 60 && credit_score < 40
        then: { terms: net15 }
      - id: t-vip
        when: (channel == "KA" || channel == "BC") && (annual_sales ?? 0) >= 100000 && (annual_sales ?? 0) < 500000 && vip == true
        then: { terms: net60, note: vip }
      - id: t-recent
        when: is_null(vip) && last_order_day >= date("2025-01-01")
        then: { terms: net30, note: null }
      - id: t-none
        when: is_null(last_order_day)
        then: { terms: net15, note: no date }
      - id: t-big
        when: '!is_null(channel) && channel != "terminal" && credit_score > 50 && credit_score <= 80 && (annual_sales ?? 0) >= 500000'
        then: { terms: net60 }
      - id: t-old
        when: '!is_null(overdue_days) && !(overdue_days < 10) && last_order_day > date("2023-06-30") && last_order_day < date("2024-12-31")'
        then: { terms: net15, note: '= "old " + channel' }
"#;

/// A rule set of plain tables takes the batch run's short way: conditions read from lanes
/// (a score, NULLs among its inputs) and evaluated per customer (text, an output, NULL), text
/// metrics, templates, a row not in effect on the run's date, defaults, summary totals, and
/// values that fail for some customers (which the full evaluation then reports). Every
/// customer gets what evaluating it alone gives, on both paths.
#[test]
fn the_short_way_through_plain_tables_gives_what_the_full_evaluation_gives() {
    let conn = customers(1_000);
    let data = dataset(&conn);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("r.yaml"),
        r#"
metrics:
  score: (annual_sales ?? 0) / 10000 + (credit_score ?? 0) / 2
  label: channel + "/" + (region ?? "none")
decisions:
  - name: band
    rules:
      - { id: b-old, when: score >= 0, effective: { to: 2020-12-31 }, then: { band: Z } }
      - { id: b-null, when: 'if region == "North" { () } else { false }', then: { band: N } }
      - { id: b-a, when: score >= 60 && credit_score > 40, then: { band: A } }
      - { id: b-ka, when: 'channel == "KA"', then: { band: K } }
      - { id: b-b, when: score >= 30, then: { band: B } }
  - name: note
    outputs: [{ name: note, default: none }]
    rules:
      - { id: n-a, when: 'band == "A" || band == "K"', then: { note: '= `${band} ${score.to_int()} ${label}`' } }
      - { id: n-b, when: 'band == "B"', then: { note: '= label' } }
  - name: per_order
    output: per_order
    rules:
      - { id: p-some, when: orders_last_12m > 0, value: '= (annual_sales ?? 0) / orders_last_12m' }
      - { id: p-div, when: is_null(orders_prev_12m), value: '= 1 / 0' }
summary:
  count_by: [band]
  totals:
    sales: "= annual_sales ?? 0"
"#,
    )
    .unwrap();
    let rules = load(&conn, dir.path()).unwrap();
    let ev = Evaluator::new(&rules, &data, context()).unwrap();
    assert!(ev.short_way(), "plain tables take the short way");
    let (n, errors) = assert_same(&rules, &data, "plain tables");
    assert_eq!(n, data.len);
    assert!(errors > 0 && errors < n / 2, "{errors} customers failed");
}

#[test]
fn a_grid_gives_what_the_same_when_rows_give_on_the_fast_path() {
    let conn = customers(3000);
    let data = dataset(&conn);
    let rules_of = |yaml: &str| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("terms.yaml"), yaml).unwrap();
        load(&conn, dir.path()).unwrap()
    };
    let (grid, rows) = (rules_of(GRID), rules_of(ROWS));
    let interpreted: Vec<&str> = grid
        .exprs()
        .filter(|e| e.native.is_none())
        .map(|e| e.text.as_str())
        .collect();
    assert!(interpreted.is_empty(), "no fast path: {interpreted:?}");
    let (from_grid, from_rows) = (
        results(&grid, &data, Mode::Fast),
        results(&rows, &data, Mode::Fast),
    );
    for (i, (g, r)) in from_grid.iter().zip(&from_rows).enumerate() {
        assert_eq!(
            g,
            r,
            "customer {}: grid (left), when rows (right)",
            data.id_text(i)
        );
    }
    // Every rule and the default give some customer their terms.
    let all = from_grid.concat_ok();
    for (k, id) in grid.rule_ids.iter().enumerate() {
        assert!(
            all.contains(&format!("] [{k}]")),
            "no customer gets {id}:\n{all}"
        );
    }
    assert!(
        all.contains("\"net30\",null] []"),
        "no customer gets the default"
    );
    assert_same(&grid, &data, "grid");
}

trait ConcatOk {
    fn concat_ok(&self) -> String;
}

impl ConcatOk for Vec<Result<String, String>> {
    fn concat_ok(&self) -> String {
        self.iter()
            .filter_map(|r| r.as_ref().ok())
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    }
}
