//! `tierwise test`: the test cases kept beside the rules, in `rules/tests/*.yaml`.
//!
//! Each case gives a customer's fields (and, where needed, population figures such as its
//! sales percentile, or a small population whose figures are computed) and the outputs it
//! must get. Every case is evaluated by the real engine against the real rule set; the report
//! says pass or fail per case, with expected against actual and the rules that fired, and for
//! each decision which rows (and binding caps) no case exercised.
//!
//! The file format is documented at the top of `rules/tests/tiers.yaml`.

use super::Format;
use crate::Error;
use crate::config::Config;
use crate::data::given::{SourceColumn, source_column_types, to_sql};
use crate::data::{self, Dataset};
use crate::diag::{Diagnostic, SourceFile, suggest};
use crate::engine::Evaluator;
use crate::rules::{RuleIdx, RuleSet, SlotKind};
use crate::value::Value;
use rusqlite::types::Value as SqlValue;
use serde::Deserialize;
use serde::Serialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_saphyr::{Location, Spanned};
use std::collections::HashSet;
use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

// ---------------------------------------------------------------------------------------
// The file format

/// One `rules/tests/*.yaml` file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TestFile {
    /// Fields every case's customers start from.
    #[serde(default)]
    defaults: Option<Fields>,
    cases: Vec<Spanned<CaseSpec>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseSpec {
    name: Spanned<String>,
    /// The customer's fields (over `defaults`).
    #[serde(default)]
    customer: Option<Fields>,
    /// Or: a small population whose figures are computed; `check` says whose outputs count.
    #[serde(default)]
    customers: Option<Vec<Spanned<Fields>>>,
    /// The id of the customer of `customers` whose outputs are checked.
    #[serde(default)]
    check: Option<Spanned<Given>>,
    /// Population figures of the checked customer, given instead of computed.
    #[serde(default)]
    population: Option<Fields>,
    /// The outputs the customer must get (only those listed are compared).
    #[serde(default)]
    expect: Option<Fields>,
    /// Or: the evaluation must fail with an error that contains this text.
    #[serde(default)]
    expect_error: Option<Spanned<String>>,
}

/// A value written in a test file: the rule files' literals (text, number, true/false,
/// null, lists).
type Given = crate::value::Literal;

/// The value as a customer id, for `check`.
fn id_text(given: &Given) -> String {
    match given {
        Given::Text(t) => t.clone(),
        Given::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => (*f as i64).to_string(),
        other => show(&other.to_json()),
    }
}

/// A mapping of names to values, in the order written, with the position of every name.
#[derive(Debug, Default)]
struct Fields(Vec<(Spanned<String>, Spanned<Given>)>);

impl<'de> Deserialize<'de> for Fields {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FieldsVisitor;
        impl<'de> Visitor<'de> for FieldsVisitor {
            type Value = Fields;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping of names to values, e.g. { annual_sales: 20000 }")
            }
            fn visit_unit<E>(self) -> Result<Fields, E> {
                Ok(Fields::default())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fields, A::Error> {
                let mut entries: Vec<(Spanned<String>, Spanned<Given>)> = Vec::new();
                while let Some((key, value)) =
                    map.next_entry::<Spanned<String>, Spanned<Given>>()?
                {
                    if entries.iter().any(|(k, _)| k.value == key.value) {
                        return Err(de::Error::custom(format!("`{}` is given twice", key.value)));
                    }
                    entries.push((key, value));
                }
                Ok(Fields(entries))
            }
        }
        deserializer.deserialize_map(FieldsVisitor)
    }
}

// ---------------------------------------------------------------------------------------
// The report

/// What `tierwise test` found.
#[derive(Debug, Serialize)]
pub struct TestReport {
    /// The directory the test files were read from (`<rules>/tests`).
    pub tests_dir: PathBuf,
    /// Set when `--case` selected some cases only (coverage is then of those cases).
    pub only: Option<String>,
    pub cases: Vec<CaseResult>,
    /// Test files that could not be read at all (YAML mistakes, unknown keys, bad defaults).
    pub file_errors: Vec<FileError>,
    /// Per decision, in evaluation order: its rows and caps, and those no case exercised.
    pub coverage: Vec<DecisionCoverage>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Every expected output matched (or the expected error happened).
    Pass,
    /// An output differed, the evaluation failed unexpectedly, or an expected error did not
    /// happen.
    Fail,
    /// The case itself is wrong (an unknown field, figure or output, a missing `check`, ...):
    /// it was not evaluated.
    Error,
}

#[derive(Debug, Serialize)]
pub struct CaseResult {
    /// The test file's name inside the tests directory, e.g. `tiers.yaml`.
    pub file: String,
    pub name: String,
    /// `path:line:column` of the case.
    pub at: String,
    pub status: Status,
    /// The expected outputs that differ (all of them compared when the case failed).
    pub differences: Vec<Difference>,
    /// Ids of the rules that fired (and caps that bound), in evaluation order.
    pub fired: Vec<String>,
    /// The checked customer's population figures: given in the case, or computed.
    pub figures: Vec<FigureValue>,
    /// Why the case failed when it is not a difference of outputs, or what is wrong with it.
    pub message: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Difference {
    pub output: String,
    pub expected: serde_json::Value,
    pub actual: serde_json::Value,
}

#[derive(Debug, Serialize)]
pub struct FigureValue {
    pub name: String,
    pub value: serde_json::Value,
    /// Given in the case (`population:`) rather than computed over the case's customers.
    pub given: bool,
}

#[derive(Debug, Serialize)]
pub struct FileError {
    pub file: String,
    /// The diagnostic, rendered with its file:line:column and source line.
    pub message: String,
}

#[derive(Debug, Serialize)]
pub struct DecisionCoverage {
    pub decision: String,
    /// Every row id of the decision, then its caps (`<decision>.min`, `<decision>.max`).
    pub rows: Vec<String>,
    pub exercised: usize,
    pub not_exercised: Vec<String>,
}

impl TestReport {
    pub fn passed(&self) -> usize {
        self.cases
            .iter()
            .filter(|c| c.status == Status::Pass)
            .count()
    }

    /// Cases that failed or are invalid, plus test files that could not be read.
    pub fn failed(&self) -> usize {
        self.cases.len() - self.passed() + self.file_errors.len()
    }

    pub fn print(&self, format: Format, out: &mut dyn Write) -> io::Result<()> {
        if format == Format::Json {
            #[derive(Serialize)]
            struct Totals<'r> {
                passed: usize,
                failed: usize,
                #[serde(flatten)]
                report: &'r TestReport,
            }
            let totals = Totals {
                passed: self.passed(),
                failed: self.failed(),
                report: self,
            };
            let json = serde_json::to_string_pretty(&totals).map_err(io::Error::other)?;
            return writeln!(out, "{json}");
        }
        for e in &self.file_errors {
            writeln!(out, "ERROR {}", e.file)?;
            writeln!(out, "{}", indent(&e.message, "  "))?;
        }
        for c in &self.cases {
            let label = match c.status {
                Status::Pass => "PASS",
                Status::Fail => "FAIL",
                Status::Error => "ERROR",
            };
            writeln!(out, "{label} {}: {}", c.file, c.name)?;
            if c.status == Status::Pass {
                continue;
            }
            if c.status == Status::Fail {
                writeln!(out, "  --> {}", c.at)?;
            }
            if !c.differences.is_empty() {
                print_differences(&c.differences, out)?;
            }
            if let Some(message) = &c.message {
                writeln!(out, "{}", indent(message, "  "))?;
            }
            if c.status == Status::Fail {
                if !c.fired.is_empty() {
                    writeln!(out, "  fired: {}", c.fired.join(", "))?;
                }
                if !c.figures.is_empty() {
                    let figures: Vec<String> = c
                        .figures
                        .iter()
                        .map(|f| {
                            let how = if f.given { "given" } else { "computed" };
                            format!("{} {} ({how})", f.name, show(&f.value))
                        })
                        .collect();
                    writeln!(out, "  figures: {}", figures.join(", "))?;
                }
            }
        }
        if !self.coverage.is_empty() {
            match &self.only {
                Some(only) => writeln!(out, "\ncoverage (cases matching `{only}` only):")?,
                None => writeln!(out, "\ncoverage:")?,
            }
            let width = self
                .coverage
                .iter()
                .map(|d| d.decision.len())
                .max()
                .unwrap_or(0);
            for d in &self.coverage {
                let counts = format!("{}/{} rows", d.exercised, d.rows.len());
                if d.not_exercised.is_empty() {
                    writeln!(out, "  {:<width$}  {counts}", d.decision)?;
                } else {
                    writeln!(
                        out,
                        "  {:<width$}  {counts}, not exercised: {}",
                        d.decision,
                        d.not_exercised.join(", ")
                    )?;
                }
            }
        }
        writeln!(out, "\n{} passed, {} failed", self.passed(), self.failed())
    }
}

fn print_differences(diffs: &[Difference], out: &mut dyn Write) -> io::Result<()> {
    let rows: Vec<(&str, String, String)> = diffs
        .iter()
        .map(|d| (d.output.as_str(), show(&d.expected), show(&d.actual)))
        .collect();
    let w0 = rows.iter().map(|r| r.0.len()).max().unwrap_or(0).max(6);
    let w1 = rows
        .iter()
        .map(|r| r.1.chars().count())
        .max()
        .unwrap_or(0)
        .max(8);
    writeln!(out, "  {:<w0$}  {:<w1$}  actual", "output", "expected")?;
    for (name, expected, actual) in rows {
        let pad = w1 - expected.chars().count();
        writeln!(
            out,
            "  {name:<w0$}  {expected}{}  {actual}",
            " ".repeat(pad)
        )?;
    }
    Ok(())
}

fn indent(text: &str, prefix: &str) -> String {
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{prefix}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A value as an admin would write it in a test file: `A`, `12`, `null`, `[a, b]`; text that
/// would read as something else (`"12"`, `"true"`, `""`) is quoted.
fn show(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "null".into(),
        serde_json::Value::String(s) => {
            let ambiguous = s.is_empty()
                || s.trim() != s
                || s.parse::<f64>().is_ok()
                || matches!(s.as_str(), "true" | "false" | "null" | "~")
                || s.contains([',', '[', ']', '"']);
            if ambiguous {
                serde_json::Value::String(s.clone()).to_string()
            } else {
                s.clone()
            }
        }
        serde_json::Value::Array(items) => {
            let items: Vec<String> = items.iter().map(show).collect();
            format!("[{}]", items.join(", "))
        }
        serde_json::Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(f)) => f.to_string(),
            _ => n.to_string(),
        },
        other => other.to_string(),
    }
}

/// Whether an actual value is what the case expects: numbers by value (`12` equals `12.0`),
/// lists item by item, everything else exactly.
fn same(expected: &serde_json::Value, actual: &serde_json::Value) -> bool {
    use serde_json::Value as J;
    match (expected, actual) {
        (J::Number(a), J::Number(b)) => match (a.as_i64(), b.as_i64()) {
            (Some(x), Some(y)) => x == y,
            _ => {
                let (x, y) = (
                    a.as_f64().unwrap_or(f64::NAN),
                    b.as_f64().unwrap_or(f64::NAN),
                );
                x == y || (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0)
            }
        },
        (J::Array(a), J::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
        }
        (a, b) => a == b,
    }
}

// ---------------------------------------------------------------------------------------
// Running the cases

/// What every case of a run shares.
struct Context<'r> {
    rules: &'r RuleSet,
    columns: Vec<SourceColumn>,
    names: Vec<String>,
    id_column: String,
    id_index: usize,
}

/// A problem with a test case, at a position in its file.
struct Problem {
    line: usize,
    column: usize,
    width: usize,
    message: String,
    help: Option<String>,
}

impl Problem {
    fn at(loc: &Location, width: usize, message: impl Into<String>) -> Problem {
        Problem {
            line: loc.line() as usize,
            column: loc.column() as usize,
            width,
            message: message.into(),
            help: None,
        }
    }

    fn help(mut self, help: Option<String>) -> Problem {
        self.help = help;
        self
    }

    fn render(self, file: &SourceFile) -> String {
        let mut d = Diagnostic::error(file, self.line, self.column, self.message).width(self.width);
        d.help = self.help;
        d.to_string()
    }
}

fn key_problem(key: &Spanned<String>, message: impl Into<String>) -> Problem {
    Problem::at(&key.referenced, key.value.chars().count(), message)
}

impl Context<'_> {
    /// Fills `row` with `fields`, checking that each names a column of the customer source.
    fn fill(&self, row: &mut [SqlValue], fields: &Fields) -> Result<(), Problem> {
        for (key, value) in &fields.0 {
            let name = key.value.as_str();
            let Some(k) = self.columns.iter().position(|c| c.name == name) else {
                return Err(self.not_a_column(key));
            };
            row[k] = to_sql(&value.value, self.columns[k].affinity)
                .map_err(|m| Problem::at(&value.referenced, 1, format!("field `{name}`: {m}")))?;
        }
        Ok(())
    }

    fn not_a_column(&self, key: &Spanned<String>) -> Problem {
        let name = key.value.as_str();
        let kind = self
            .rules
            .slots
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, k)| *k);
        match kind {
            Some(SlotKind::Metric) | Some(SlotKind::Output) => key_problem(
                key,
                format!(
                    "`{name}` is {} the rules compute, not a field: give the fields it is computed from",
                    if kind == Some(SlotKind::Metric) {
                        "a metric"
                    } else {
                        "an output"
                    }
                ),
            ),
            Some(SlotKind::Population) => {
                key_problem(key, format!("`{name}` is a population figure, not a field")).help(
                    Some(format!(
                        "give it under `population:`, e.g. population: {{ {name}: 0.9 }}"
                    )),
                )
            }
            _ => key_problem(
                key,
                format!("`{name}` is not a column of the customer source"),
            )
            .help(
                suggest(name, self.names.iter().map(String::as_str))
                    .map(|s| format!("did you mean `{s}`?")),
            ),
        }
    }

    fn check_figures(&self, figures: &Fields) -> Result<Vec<(String, Value<'static>)>, Problem> {
        let mut out = Vec::new();
        for (key, value) in &figures.0 {
            let name = key.value.as_str();
            if let Err(message) = self.rules.figure(name) {
                let names = self.rules.population.iter().map(|f| f.name.as_str());
                return Err(key_problem(key, message)
                    .help(suggest(name, names).map(|s| format!("did you mean `{s}`?"))));
            }
            let v = match &value.value {
                Given::Null => Value::Null,
                Given::Int(i) => Value::Float(*i as f64),
                Given::Float(f) => Value::Float(*f),
                _ => {
                    return Err(Problem::at(
                        &value.referenced,
                        1,
                        format!(
                            "population figure `{name}` must be a number (or null: not ranked)"
                        ),
                    ));
                }
            };
            out.push((name.to_owned(), v));
        }
        Ok(out)
    }

    fn check_expected(&self, expect: &Fields) -> Result<Vec<(usize, serde_json::Value)>, Problem> {
        let mut out = Vec::new();
        for (key, value) in &expect.0 {
            let name = key.value.as_str();
            match self.rules.outputs.iter().position(|o| o.name == name) {
                Some(k) => out.push((k, value.value.to_json())),
                None => {
                    let outputs: Vec<&str> =
                        self.rules.outputs.iter().map(|o| o.name.as_str()).collect();
                    let what = match self.rules.slots.iter().find(|(n, _)| n == name) {
                        Some((_, kind)) => format!("`{name}` is a {}, not an output", kind.noun()),
                        None => format!("`{name}` is not an output of the rules"),
                    };
                    return Err(key_problem(
                        key,
                        format!("{what}: `expect` checks decision outputs"),
                    )
                    .help(
                        suggest(name, outputs.iter().copied())
                            .map(|s| format!("did you mean `{s}`?"))
                            .or_else(|| Some(format!("the outputs are: {}", outputs.join(", ")))),
                    ));
                }
            }
        }
        Ok(out)
    }

    /// The case's customers and the index of the checked one.
    fn customers(
        &self,
        number: usize,
        defaults: &[SqlValue],
        case: &Spanned<CaseSpec>,
    ) -> Result<(Vec<Vec<SqlValue>>, usize), Problem> {
        let spec = &case.value;
        let generated_id = |k: Option<usize>| match k {
            Some(k) => SqlValue::Text(format!("case-{number}-{k}")),
            None => SqlValue::Text(format!("case-{number}")),
        };
        let Some(population) = &spec.customers else {
            if let Some(check) = &spec.check {
                return Err(Problem::at(
                    &check.referenced,
                    1,
                    "`check` picks one of `customers:`, and this case has none",
                ));
            }
            let mut row = defaults.to_vec();
            if let Some(fields) = &spec.customer {
                self.fill(&mut row, fields)?;
            }
            if row[self.id_index] == SqlValue::Null {
                row[self.id_index] = generated_id(None);
            }
            return Ok((vec![row], 0));
        };
        if spec.customer.is_some() {
            return Err(Problem::at(
                &case.referenced,
                1,
                "give either `customer:` (one customer) or `customers:` (a population), not both",
            ));
        }
        if population.is_empty() {
            return Err(Problem::at(
                &case.referenced,
                1,
                "`customers:` is empty: list at least one customer",
            ));
        }
        let mut rows = Vec::with_capacity(population.len());
        let mut ids: Vec<String> = Vec::with_capacity(population.len());
        for (k, fields) in population.iter().enumerate() {
            let mut row = defaults.to_vec();
            self.fill(&mut row, &fields.value)?;
            if row[self.id_index] == SqlValue::Null {
                row[self.id_index] = generated_id(Some(k + 1));
            }
            let id = sql_text(&row[self.id_index]);
            if ids.contains(&id) {
                return Err(Problem::at(
                    &fields.referenced,
                    1,
                    format!(
                        "two customers have {} `{id}`: give each its own",
                        self.id_column
                    ),
                ));
            }
            ids.push(id);
            rows.push(row);
        }
        let checked = match &spec.check {
            Some(check) => {
                let wanted = id_text(&check.value);
                ids.iter().position(|id| *id == wanted).ok_or_else(|| {
                    Problem::at(
                        &check.referenced,
                        wanted.chars().count(),
                        format!(
                            "no customer of `customers:` has {} `{wanted}` (they are: {})",
                            self.id_column,
                            ids.join(", ")
                        ),
                    )
                })?
            }
            None if rows.len() == 1 => 0,
            None => {
                let given: Vec<&str> = ids
                    .iter()
                    .map(String::as_str)
                    .filter(|id| !id.starts_with(&format!("case-{number}-")))
                    .collect();
                let message = if given.is_empty() {
                    format!(
                        "say whose outputs are checked: give the customers a `{0}` and name one with `check: <{0}>`",
                        self.id_column
                    )
                } else {
                    format!(
                        "say whose outputs are checked: `check: <{}>` (one of {})",
                        self.id_column,
                        given.join(", ")
                    )
                };
                return Err(Problem::at(&case.referenced, 1, message));
            }
        };
        Ok((rows, checked))
    }
}

fn sql_text(v: &SqlValue) -> String {
    match v {
        SqlValue::Null => "NULL".into(),
        SqlValue::Integer(i) => i.to_string(),
        SqlValue::Real(f) => f.to_string(),
        SqlValue::Text(t) => t.clone(),
        SqlValue::Blob(_) => "(blob)".into(),
    }
}

/// Runs every test case in `<rules_dir>/tests/*.yaml` (the config's rules unless `rules_dir`
/// is given) whose name contains `only` (ignoring case), against the rule set loaded as
/// `tierwise run` loads it (fields are the columns of the customer source).
///
/// Errors are the rule set's, the configuration's or the database's; problems in test files
/// are part of the report.
pub fn run_tests(
    config: &Config,
    rules_dir: Option<&Path>,
    only: Option<&str>,
) -> Result<TestReport, Error> {
    let db_path = super::run::database(config, None)?;
    let conn = data::open_database(&db_path)?;
    let rules_dir = rules_dir.unwrap_or(&config.rules_dir);
    let rules = super::run::load_rules(config, rules_dir, &conn)?;
    test_rules(config, &rules, rules_dir, &conn, only)
}

/// `run_tests` for a rule set already loaded from `rules_dir` against the customer source of
/// `conn`.
pub fn test_rules(
    config: &Config,
    rules: &RuleSet,
    rules_dir: &Path,
    conn: &rusqlite::Connection,
    only: Option<&str>,
) -> Result<TestReport, Error> {
    let columns = source_column_types(conn, &config.source)?;
    let names: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
    let id_index = names
        .iter()
        .position(|n| *n == config.id_column)
        .ok_or_else(|| data::DataError::NoIdColumn {
            column: config.id_column.clone(),
            columns: names.join(", "),
        })?;
    let ctx = Context {
        rules,
        columns,
        names,
        id_column: config.id_column.clone(),
        id_index,
    };

    let tests_dir = rules_dir.join("tests");
    let files = test_files(&tests_dir)?;
    let only_lower = only.map(str::to_lowercase);
    let mut report = TestReport {
        tests_dir: tests_dir.clone(),
        only: only.map(str::to_owned),
        cases: Vec::new(),
        file_errors: Vec::new(),
        coverage: Vec::new(),
    };
    let mut fired: HashSet<RuleIdx> = HashSet::new();
    for path in files {
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) => {
                report.file_errors.push(FileError {
                    file: name,
                    message: Diagnostic::file_error(&path, format!("cannot read: {e}")).to_string(),
                });
                continue;
            }
        };
        let file = SourceFile::new(path.clone(), text);
        let parsed = match parse(&file) {
            Ok(parsed) => parsed,
            Err(message) => {
                report.file_errors.push(FileError {
                    file: name,
                    message,
                });
                continue;
            }
        };
        let mut defaults = vec![SqlValue::Null; ctx.names.len()];
        if let Some(fields) = &parsed.defaults
            && let Err(p) = ctx.fill(&mut defaults, fields)
        {
            report.file_errors.push(FileError {
                file: name,
                message: p.render(&file),
            });
            continue;
        }
        for (k, case) in parsed.cases.iter().enumerate() {
            if let Some(only) = &only_lower
                && !case.value.name.value.to_lowercase().contains(only.as_str())
            {
                continue;
            }
            let result = run_case(&ctx, &file, &name, k + 1, &defaults, case, &mut fired);
            report.cases.push(result);
        }
    }
    if let Some(only) = only
        && report.cases.is_empty()
        && report.file_errors.is_empty()
    {
        return Err(Error::Usage(format!(
            "no test case in {} has a name containing `{only}`",
            tests_dir.display()
        )));
    }
    report.coverage = coverage(rules, &fired);
    Ok(report)
}

/// The test files of a directory, sorted by name.
fn test_files(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        Error::Usage(format!(
            "cannot read the test directory {}: {e}\n  = help: test cases live in <rules>/tests/*.yaml",
            dir.display()
        ))
    })?;
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.is_file() && matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
        })
        .collect();
    if files.is_empty() {
        return Err(Error::Usage(format!(
            "no test files (*.yaml) in {}",
            dir.display()
        )));
    }
    files.sort();
    Ok(files)
}

/// Parses a test file; a mistake is returned as a rendered diagnostic.
fn parse(file: &Arc<SourceFile>) -> Result<TestFile, String> {
    crate::diag::yaml::parse(file).map_err(|d| d.to_string())
}

fn run_case(
    ctx: &Context<'_>,
    file: &Arc<SourceFile>,
    file_name: &str,
    number: usize,
    defaults: &[SqlValue],
    case: &Spanned<CaseSpec>,
    fired_all: &mut HashSet<RuleIdx>,
) -> CaseResult {
    let spec = &case.value;
    let mut result = CaseResult {
        file: file_name.to_owned(),
        name: spec.name.value.clone(),
        at: format!(
            "{}:{}:{}",
            file.path.display(),
            case.referenced.line(),
            case.referenced.column()
        ),
        status: Status::Error,
        differences: Vec::new(),
        fired: Vec::new(),
        figures: Vec::new(),
        message: None,
    };
    let invalid = |mut result: CaseResult, p: Problem| {
        result.message = Some(p.render(file));
        result
    };

    // Check the case before evaluating anything.
    let (rows, checked) = match ctx.customers(number, defaults, case) {
        Ok(x) => x,
        Err(p) => return invalid(result, p),
    };
    let figures = match spec.population.as_ref().map(|f| ctx.check_figures(f)) {
        Some(Err(p)) => return invalid(result, p),
        Some(Ok(f)) => f,
        None => Vec::new(),
    };
    let expected = match (&spec.expect, &spec.expect_error) {
        (Some(_), Some(e)) => {
            return invalid(
                result,
                Problem::at(
                    &e.referenced,
                    1,
                    "give either `expect` (outputs) or `expect_error`, not both",
                ),
            );
        }
        (None, None) => {
            return invalid(
                result,
                Problem::at(
                    &case.referenced,
                    1,
                    "the case expects nothing: add `expect: { output: value, ... }` or `expect_error: \"text\"`",
                ),
            );
        }
        (Some(expect), None) => match ctx.check_expected(expect) {
            Ok(e) => e,
            Err(p) => return invalid(result, p),
        },
        (None, Some(_)) => Vec::new(),
    };

    // Evaluate.
    let data = match Dataset::from_rows(ctx.names.clone(), &ctx.id_column, &rows) {
        Ok(data) => data,
        Err(e) => return invalid(result, Problem::at(&case.referenced, 1, e.to_string())),
    };
    let outcome = (|| {
        let mut evaluator = Evaluator::new(ctx.rules, &data)?;
        for (name, value) in &figures {
            if let Err(m) = evaluator.set_figure(checked, name, value.clone()) {
                return Ok(Err(m));
            }
        }
        let given: Vec<&str> = figures.iter().map(|(n, _)| n.as_str()).collect();
        let precomputed: Vec<_> = evaluator.precomputed(checked).collect();
        let figure_values: Vec<FigureValue> = ctx
            .rules
            .population
            .iter()
            .map(|f| FigureValue {
                name: f.name.clone(),
                value: precomputed
                    .iter()
                    .find(|(slot, _)| *slot == f.slot)
                    .map_or(serde_json::Value::Null, |(_, v)| v.to_json()),
                given: given.contains(&f.name.as_str()),
            })
            .collect();
        let outcomes = evaluator.evaluate_one(checked)?;
        let outcome = outcomes.get(0);
        let actual: Vec<serde_json::Value> = outcome.outputs.iter().map(Value::to_json).collect();
        Ok(Ok((actual, outcome.fired.to_vec(), figure_values)))
    })();

    let (actual, fired, figure_values) = match outcome {
        Ok(Ok(x)) => x,
        Ok(Err(message)) => {
            // set_figure refused a name: checked above, so only if the rule set changed.
            return invalid(result, Problem::at(&case.referenced, 1, message));
        }
        Err(e) => {
            let e: crate::engine::EvalError = e;
            let text = e.to_string();
            result.status = match &spec.expect_error {
                Some(want) if contains_ignoring_case(&text, &want.value) => Status::Pass,
                Some(want) => {
                    result.message = Some(format!(
                        "expected an error containing \"{}\", but got another error:\n{text}",
                        want.value
                    ));
                    Status::Fail
                }
                None => {
                    result.message = Some(format!("the evaluation failed:\n{text}"));
                    Status::Fail
                }
            };
            return result;
        }
    };
    fired_all.extend(fired.iter().copied());
    result.fired = fired
        .iter()
        .map(|&r| ctx.rules.rule_ids[r as usize].clone())
        .collect();
    result.figures = figure_values;
    if let Some(want) = &spec.expect_error {
        result.status = Status::Fail;
        result.message = Some(format!(
            "expected an error containing \"{}\", but the evaluation succeeded",
            want.value
        ));
        return result;
    }
    for (k, want) in expected {
        if !same(&want, &actual[k]) {
            result.differences.push(Difference {
                output: ctx.rules.outputs[k].name.clone(),
                expected: want,
                actual: actual[k].clone(),
            });
        }
    }
    result.status = if result.differences.is_empty() {
        Status::Pass
    } else {
        Status::Fail
    };
    result
}

fn contains_ignoring_case(text: &str, part: &str) -> bool {
    text.to_lowercase().contains(&part.to_lowercase())
}

/// Per decision, in the order they are written (file by file): its rows and caps, and those
/// that no case fired.
fn coverage(rules: &RuleSet, fired: &HashSet<RuleIdx>) -> Vec<DecisionCoverage> {
    let written_at = |d: &crate::rules::Decision| {
        let first = d
            .rows
            .first()
            .map(|r| r.rule)
            .or(d.min.as_ref().map(|c| c.rule));
        first.map_or((usize::MAX, 0), |r| {
            let origin = &rules.rule_origins[r as usize];
            let file = rules.files.iter().position(|f| *f == origin.file.path);
            (file.unwrap_or(usize::MAX), origin.line)
        })
    };
    let mut decisions: Vec<&crate::rules::Decision> = rules.decisions.iter().collect();
    decisions.sort_by_key(|d| written_at(d));
    decisions
        .into_iter()
        .map(|d| {
            let ids: Vec<RuleIdx> = d
                .rows
                .iter()
                .map(|r| r.rule)
                .chain(d.min.iter().map(|c| c.rule))
                .chain(d.max.iter().map(|c| c.rule))
                .collect();
            let name = |r: &RuleIdx| rules.rule_ids[*r as usize].clone();
            DecisionCoverage {
                decision: d.name.clone(),
                rows: ids.iter().map(name).collect(),
                exercised: ids.iter().filter(|r| fired.contains(r)).count(),
                not_exercised: ids
                    .iter()
                    .filter(|r| !fired.contains(r))
                    .map(name)
                    .collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_compare_by_value_lists_item_by_item() {
        assert!(same(&json!(12), &json!(12.0)));
        assert!(same(&json!(0.3), &json!(0.1 + 0.2)));
        assert!(!same(&json!(12), &json!(12.5)));
        assert!(!same(&json!("12"), &json!(12)));
        assert!(same(&json!(["a", 1]), &json!(["a", 1.0])));
        assert!(!same(&json!(["a"]), &json!(["a", "b"])));
        assert!(same(&json!(null), &json!(null)));
        assert!(!same(&json!(null), &json!(0)));
    }

    #[test]
    fn shows_values_as_written_in_yaml() {
        assert_eq!(show(&json!("A")), "A");
        assert_eq!(show(&json!("12")), "\"12\"");
        assert_eq!(show(&json!("")), "\"\"");
        assert_eq!(show(&json!(null)), "null");
        assert_eq!(show(&json!(8.0)), "8");
        assert_eq!(
            show(&json!(["business", "technical"])),
            "[business, technical]"
        );
    }
}
