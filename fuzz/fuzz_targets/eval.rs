//! Expression evaluation over random customers. The input drives a generator of expressions
//! (the grammar of `tests/differential.rs`: arithmetic, comparisons, `??`, `if`, `switch`,
//! templates, text, date and math functions, calls of script functions) and of a handful of
//! customers with any values (NULL, extremes, infinities, text and dates, text in number
//! columns). Each expression is a decision's value and a row's condition; the rule set is
//! loaded as `tierwise check` loads it and evaluated for every customer on the native fast
//! path and in the Rhai interpreter. Besides not panicking, both paths must give the same
//! value or the same error (set `TIERWISE_FUZZ_NO_DIFF=1` to check for panics only).

#![no_main]

mod common;
#[path = "../../tests/common/batch.rs"]
mod batch;

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use tierwise::engine::{Context, Evaluator, Mode};
use tierwise::source::given::stored;
use tierwise::source::{Cell, Dataset, Field};
use tierwise::time::{Date, PeriodKind};
use tierwise::value::Literal;

/// Script functions the expressions call (those of `tests/differential.rs`).
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

const NUMBERS: [(&str, &str); 9] = [
    ("annual_sales", "REAL"),
    ("orders_last_12m", "INTEGER"),
    ("orders_prev_12m", "INTEGER"),
    ("gross_margin_pct", "REAL"),
    ("on_time_payment_rate", "REAL"),
    ("overdue_days", "INTEGER"),
    ("credit_score", "INTEGER"),
    ("years_active", "INTEGER"),
    ("quality_claims", "NUMERIC"),
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

fn fields() -> &'static [Field] {
    static FIELDS: OnceLock<Vec<Field>> = OnceLock::new();
    FIELDS.get_or_init(|| {
        let mut fields = vec![Field::new("customer_id", Some("TEXT"))];
        fields.extend(NUMBERS.iter().map(|(n, t)| Field::new(n, Some(t))));
        fields.extend(TEXTS.iter().map(|n| Field::new(n, Some("TEXT"))));
        fields.push(Field::new("last_order_day", Some("DATE")));
        fields
    })
}

/// Draws choices from the input; once it is used up, every choice is the first.
struct Gen<'a, 'b> {
    u: &'b mut Unstructured<'a>,
}

impl Gen<'_, '_> {
    fn below(&mut self, n: usize) -> usize {
        self.u.choose_index(n).unwrap_or(0)
    }

    fn flip(&mut self) -> bool {
        self.u.arbitrary().unwrap_or(false)
    }

    fn pick<'s>(&mut self, xs: &[&'s str]) -> &'s str {
        xs[self.below(xs.len())]
    }

    fn number_name(&mut self) -> &'static str {
        NUMBERS[self.below(NUMBERS.len())].0
    }

    fn int(&mut self, lo: i64, hi: i64) -> i64 {
        self.u.int_in_range(lo..=hi).unwrap_or(lo)
    }

    fn number(&mut self, depth: u32) -> String {
        let leaf = depth == 0 || self.below(10) < 3;
        if leaf {
            return match self.below(7) {
                0 => self.int(-5, 200).to_string(),
                1 => format!("{:.2}", self.int(-2000, 20000) as f64 / 100.0),
                2 => "0".into(),
                3 => format!("({} ?? {})", self.number_name(), self.int(0, 10)),
                4 => self
                    .pick(&[
                        "9223372036854775807",
                        "(-9223372036854775807 - 1)",
                        "1e308",
                        "-0.0",
                    ])
                    .into(),
                _ => self.number_name().into(),
            };
        }
        let d = depth - 1;
        match self.below(14) {
            11 => self.math(d),
            12 => self.call_script(d),
            13 => format!(
                "switch {} {{ {} => {}, {} => {}, _ => {} }}",
                self.switch_value(d),
                self.case(),
                self.number(d),
                self.case(),
                self.number(d),
                self.number(d)
            ),
            0..=4 => {
                let op = self.pick(&["+", "-", "*", "/", "%", "**"]);
                format!("({} {op} {})", self.number(d), self.number(d))
            }
            5 if self.flip() => format!("-({})", self.number(d)),
            5 => match self.below(5) {
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
            _ => self.number_name().into(),
        }
    }

    fn date(&mut self, depth: u32) -> String {
        let leaf = depth == 0 || self.below(10) < 4;
        if leaf {
            return self
                .pick(&[
                    "last_order_day",
                    "as_of",
                    "date(\"2025-01-31\")",
                    "date(\"2024-02-29\")",
                    "(last_order_day ?? as_of)",
                    "date(\"9999-12-31\")",
                    "date(\"0001-01-01\")",
                ])
                .into();
        }
        let d = depth - 1;
        match self.below(3) {
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
        if self.flip() {
            self.pick(&TEXTS).into()
        } else {
            self.pick(&WORDS).into()
        }
    }

    fn math(&mut self, d: u32) -> String {
        match self.below(9) {
            0 => format!("{}({})", self.pick(&["ln", "sqrt", "log"]), self.number(d)),
            1 => format!("exp({} / 100)", self.number(d)),
            2 => format!(
                "log({}, {})",
                self.number(d),
                self.pick(&["2", "10", "0.5", "1", "0"])
            ),
            3 => format!("pow({}, {})", self.number(d), self.int(-2, 70)),
            4 => format!(
                "({}) ** {}",
                self.number(d),
                self.pick(&["2", "0.5", "3", "-1", "64"])
            ),
            5 => format!("({}).to_int()", self.number(d)),
            6 => format!("to_float({})", self.number(d)),
            7 => format!("ln({}) * {}", self.number_name(), self.number(d)),
            _ => format!("sqrt({}).to_int()", self.number_name()),
        }
    }

    fn call_script(&mut self, d: u32) -> String {
        match self.below(3) {
            0 => format!("weighted({}, {})", self.number(d), self.number(d)),
            1 => format!("log_score({})", self.number(d)),
            _ => format!("band_of({}, {})", self.text_expr(d), self.number(d)),
        }
    }

    fn switch_value(&mut self, d: u32) -> String {
        if self.flip() {
            self.text()
        } else {
            self.number(d)
        }
    }

    fn case(&mut self) -> String {
        self.pick(&["\"KA\"", "\"North\"", "\"\"", "0", "1", "2.5", "()", "true"])
            .into()
    }

    fn text_expr(&mut self, depth: u32) -> String {
        if depth == 0 || self.below(10) < 3 {
            return self.text();
        }
        let d = depth - 1;
        match self.below(7) {
            0 => format!(
                "`{} ${{{}}}: ${{{}}} ${{{}}}`",
                self.pick(&["tier", "", "x"]),
                self.text_expr(d),
                self.number(d),
                self.number_name()
            ),
            1 => format!("({} + {})", self.text_expr(d), self.text_expr(d)),
            2 => format!("({} + {})", self.text_expr(d), self.number(d)),
            3 => format!("({} + {})", self.number(d), self.text_expr(d)),
            4 => format!("({}).to_string()", self.number(d)),
            5 => format!(
                "switch {} {{ {} => {}, {} => {} }}",
                self.switch_value(d),
                self.case(),
                self.text_expr(d),
                self.case(),
                self.text_expr(d)
            ),
            _ => format!("label({}, {})", self.text_expr(d), self.number(d)),
        }
    }

    fn boolean(&mut self, depth: u32) -> String {
        let d = depth.saturating_sub(1);
        let cmp = self.pick(&["==", "!=", "<", "<=", ">", ">="]);
        match self.below(10) {
            0..=2 => format!("{} {cmp} {}", self.number(d), self.number(d)),
            3 if self.flip() => format!("{} {cmp} {}", self.text(), self.text()),
            3 => match self.below(3) {
                0 => format!("{} {cmp} {}", self.text_expr(d), self.text_expr(d)),
                1 => format!(
                    "{}.{}({})",
                    self.text_expr(d),
                    self.pick(&["contains", "starts_with", "ends_with"]),
                    self.text_expr(d)
                ),
                _ => format!("{} in {}", self.text(), self.text_expr(d)),
            },
            4 => format!("{} {cmp} {}", self.text(), self.number(d)),
            5 if self.flip() => format!("is_null({})", self.number_name()),
            5 => match self.below(4) {
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

    /// A value of `field` as SQLite could hold it.
    fn cell(&mut self, field: &Field, k: usize) -> Cell<'static> {
        if k == 0 {
            return Cell::Text(format!("C-{}", self.int(0, 3)).into());
        }
        let literal = match self.below(10) {
            0 => Literal::Null,
            1 => Literal::Int(self.u.arbitrary().unwrap_or(0)),
            2 => Literal::Int(
                *[0, 1, -1, i64::MAX, i64::MIN, 100, 1 << 53]
                    .get(self.below(7))
                    .unwrap(),
            ),
            3 => {
                let f: f64 = self.u.arbitrary().unwrap_or(0.0);
                // SQLite stores NaN as NULL; infinities it keeps.
                if f.is_nan() {
                    Literal::Null
                } else {
                    Literal::Float(f)
                }
            }
            4 => Literal::Float(self.int(-100_000, 100_000) as f64 / 8.0),
            5 => Literal::Text(
                self.pick(&[
                    "KA",
                    "terminal",
                    "North",
                    "",
                    "a'quote",
                    "2024-02-29",
                    "1e3",
                    " 7 ",
                ])
                .into(),
            ),
            6 => Literal::Text(self.u.arbitrary::<String>().unwrap_or_default()),
            7 => Literal::Text(format!(
                "{:04}-{:02}-{:02}",
                self.int(0, 9999),
                self.int(1, 12),
                self.int(1, 31)
            )),
            8 => Literal::Bool(self.flip()),
            _ => Literal::Int(self.int(-10, 1000)),
        };
        match stored(&literal, field) {
            Ok(cell) => cell,
            // Text SQLite keeps as text in a number column, as real data can hold.
            Err(_) => match literal {
                Literal::Text(t) if field.kind.is_none() || self.flip() => Cell::Text(t.into()),
                _ => Cell::Null,
            },
        }
    }
}

/// Per customer: the outputs as JSON (types kept) and the fired rules, or the error.
/// Per customer: outputs and fired rules, or the error. On the fast path, a batch run must
/// give each customer the same.
fn results(
    rules: &tierwise::rules::RuleSet,
    data: &Dataset,
    context: Context,
    mode: Mode,
) -> Result<Vec<Result<String, String>>, String> {
    let ev = Evaluator::with_mode(rules, data, context, mode).map_err(|e| e.to_string())?;
    Ok(batch::results(&ev, mode))
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let mut g = Gen { u: &mut u };
    let mut yaml =
        String::from("population:\n  sales_rank: { percentile_of: annual_sales }\ndecisions:\n");
    for k in 0..4 {
        let value = match g.below(4) {
            0 => g.number(3),
            1 => g.boolean(3),
            2 => g.text_expr(3),
            _ => g.date(3),
        };
        let when = g.boolean(2);
        yaml.push_str(&format!(
            "  - name: d{k}\n    output: o{k}\n    rules:\n      - {{ id: w{k}, when: '{}', value: '= {}' }}\n      - {{ id: r{k}, value: '= {}' }}\n",
            when.replace('\'', "''"),
            value.replace('\'', "''"),
            if g.flip() { "sales_rank" } else { "0" },
        ));
    }
    let fields = fields();
    let n = 1 + g.below(6);
    let rows: Vec<Vec<Cell>> = (0..n)
        .map(|_| {
            fields
                .iter()
                .enumerate()
                .map(|(k, f)| g.cell(f, k))
                .collect()
        })
        .collect();
    let as_of = Date::new(
        g.int(1900, 2100) as i32,
        g.int(1, 12) as u32,
        g.int(1, 31) as u32,
    )
    .unwrap_or(Date::new(2026, 9, 30).unwrap());
    let context = Context::new(as_of, PeriodKind::Quarter);

    let dir = common::scratch().join("rules");
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("gen.rhai");
    if !script.exists() {
        std::fs::write(&script, SCRIPT).unwrap();
    }
    std::fs::write(dir.join("gen.yaml"), &yaml).unwrap();
    let Ok((rules, _)) = tierwise::rules::load(&dir, fields, &Default::default()) else {
        return;
    };
    let Ok(customers) = Dataset::from_rows(fields, "customer_id", &rows) else {
        return;
    };
    let fast = results(&rules, &customers, context, Mode::Fast);
    let slow = results(&rules, &customers, context, Mode::Interpreter);
    if std::env::var_os("TIERWISE_FUZZ_NO_DIFF").is_none() {
        assert_eq!(
            fast, slow,
            "the fast path (left) and the interpreter (right) differ\nrules:\n{yaml}\ncustomers: {rows:?}"
        );
    }
});
