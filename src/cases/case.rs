//! One test case: checked against the rules and the customer source's columns before
//! anything is evaluated (a wrong case is reported at its position, not run), then evaluated
//! by the real engine.

use super::file::{CaseSpec, Fields, Given, id_text};
use super::problem::{Problem, key_problem};
use super::{CaseResult, Difference, FigureValue, Status, same};
use crate::diag::{SourceFile, suggest};
use crate::engine::{Context, EvalError, Evaluator, History, Mode, PastRun};
use crate::rules::Statistic;
use crate::rules::{RuleIdx, RuleSet, SlotKind};
use crate::source::given::stored;
use crate::source::{Cell, Dataset, Field};
use crate::time::Date;
use crate::value::Value;
use serde_saphyr::Spanned;
use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::Arc;

/// What every case of a run shares.
pub(super) struct CaseContext<'r> {
    pub rules: &'r RuleSet,
    pub columns: &'r [Field],
    pub names: Vec<String>,
    pub id_column: String,
    pub id_index: usize,
    /// The date cases evaluate as of (a case may give its own).
    pub context: Context,
}

impl CaseContext<'_> {
    /// Fills `row` with `fields`, checking that each names a column of the customer source.
    pub fn fill(&self, row: &mut [Cell<'static>], fields: &Fields) -> Result<(), Problem> {
        for (key, value) in &fields.0 {
            let name = key.value.as_str();
            let Some(k) = self.columns.iter().position(|c| c.name == name) else {
                return Err(self.not_a_column(key));
            };
            row[k] = stored(&value.value, &self.columns[k])
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
            let figure = match self.rules.figure(name) {
                Ok(figure) => figure,
                Err(message) => {
                    let names = self.rules.population.iter().map(|f| f.name.as_str());
                    return Err(key_problem(key, message)
                        .help(suggest(name, names).map(|s| format!("did you mean `{s}`?"))));
                }
            };
            // A value no customer can have would test a case that never happens.
            let range = figure.statistic.range(&figure.params);
            let given = match value.value {
                Given::Int(i) => Some(i as f64),
                Given::Float(f) => Some(f),
                _ => None,
            };
            if let Some(x) = given.filter(|&x| !range.reaches(x)) {
                let shown = crate::text::as_yaml(&serde_json::Value::from(x));
                let mut problem = Problem::at(
                    &value.referenced,
                    shown.chars().count(),
                    format!(
                        "population figure `{name}` is the {} of `{}`: {}, so no customer has {shown}",
                        figure.statistic.name(),
                        figure.of.text.trim(),
                        range.words
                    ),
                );
                if range.hi == Some((1.0, false)) || range.hi == Some((1.0, true)) {
                    let fraction = crate::text::as_yaml(&serde_json::Value::from(x / 100.0));
                    problem = problem.help((x > 1.0 && x <= 100.0).then(|| {
                        format!(
                            "a {} is a fraction: write {fraction} for {shown}%",
                            figure.statistic.name()
                        )
                    }));
                }
                return Err(problem);
            }
            // A tile is whole: 4.5 is no customer's.
            if let Some(x) =
                given.filter(|x| figure.statistic == Statistic::Ntile && x.fract() != 0.0)
            {
                let shown = crate::text::as_yaml(&serde_json::Value::from(x));
                return Err(Problem::at(
                    &value.referenced,
                    shown.chars().count(),
                    format!(
                        "population figure `{name}` is a tile, a whole number: no customer has {shown}"
                    ),
                ));
            }
            let v = match &value.value {
                Given::Null => Value::Null,
                Given::Int(i) => Value::Float(*i as f64),
                Given::Float(f) => Value::Float(*f),
                other => {
                    // `90%`: as a spreadsheet shows a rank.
                    let percent = match other {
                        Given::Text(t) => (t.strip_suffix('%'))
                            .and_then(|n| n.trim().parse::<f64>().ok())
                            .map(|x| {
                                let share = serde_json::Value::from(x / 100.0);
                                crate::text::percent_help(&crate::text::as_yaml(&share), t)
                            }),
                        _ => None,
                    };
                    return Err(Problem::at(
                        &value.referenced,
                        1,
                        format!(
                            "population figure `{name}` must be a number (or null: not ranked)"
                        ),
                    )
                    .help(percent));
                }
            };
            out.push((name.to_owned(), v));
        }
        Ok(out)
    }

    /// A case's (or a test file's) `as_of`, in the config's kind of period.
    pub fn as_of(&self, text: &Spanned<String>) -> Result<Context, Problem> {
        match Date::parse(&text.value) {
            Some(d) => Ok(Context::new(d, self.context.period.kind)),
            None => Err(Problem::at(
                &text.referenced,
                text.value.chars().count().max(1),
                crate::script::dates::not_a_date(&text.value),
            )),
        }
    }

    /// The checked customer (`id`)'s outcomes in earlier periods, as the case gives them.
    fn history(
        &self,
        spec: &CaseSpec,
        id: Cell<'static>,
        context: Context,
    ) -> Result<History, Problem> {
        let mut runs = Vec::new();
        for (k, fields) in spec.earlier().iter().enumerate() {
            let Some(fields) = fields else {
                runs.push(None);
                continue;
            };
            let mut columns = vec![Field::new(&self.id_column, None)];
            let mut row = vec![id.clone()];
            let mut kinds = Vec::new();
            for (key, value) in &fields.0 {
                let name = key.value.as_str();
                let output = name.strip_prefix("held.").unwrap_or(name);
                let Some(o) = self.rules.outputs.iter().position(|x| x.name == output) else {
                    return Err(self.not_an_output(key, "earlier periods keep outputs only"));
                };
                // A run stores `held.x` beside `x`, and the rules read it of the previous
                // period only: given elsewhere, a case would test what no run can give.
                if name != output && k > 0 {
                    return Err(key_problem(
                        key,
                        format!(
                            "`{name}` is read of the previous period only: give it under `previous:`"
                        ),
                    ));
                }
                if name != output && !fields.0.iter().any(|(other, _)| other.value == output) {
                    return Err(key_problem(
                        key,
                        format!(
                            "`{name}` counts the periods `{output}` had its value: give `{output}` beside it"
                        ),
                    ));
                }
                let kind = if name == output {
                    self.rules.output_kinds[o]
                } else {
                    None
                };
                columns.push(Field::new(name, None));
                row.push(given_cell(&value.value));
                kinds.push((kind, matches!(value.value, Given::List(_))));
            }
            // A run that holds `x` holds its count too, as `count_held` stores it: one
            // period at least, 0 for a NULL value.
            if k == 0 {
                for past in self.rules.past.iter().filter(|p| p.back == 1) {
                    let Some(output) = past.column.strip_prefix("held.") else {
                        continue;
                    };
                    let given = |n: &str| fields.0.iter().find(|(key, _)| key.value == n);
                    let Some((_, value)) = given(output) else {
                        continue;
                    };
                    if given(&past.column).is_none()
                        && !columns.iter().any(|c| c.name == past.column)
                    {
                        columns.push(Field::new(&past.column, None));
                        row.push(Cell::Int(i64::from(!matches!(value.value, Given::Null))));
                        kinds.push((None, false));
                    }
                }
            }
            let mut data = Dataset::from_rows(&columns, &self.id_column, &[row])
                .map_err(|e| Problem::at(&fields.0[0].0.referenced, 1, e.to_string()))?;
            // A list given reads as the list a run's JSON text is read back as.
            for (k, kind) in kinds.into_iter().enumerate() {
                match kind {
                    (Some(kind), _) => data.restore(k + 1, kind),
                    (None, true) => data.restore_lists(k + 1),
                    (None, false) => {}
                }
            }
            let period = context.period.back(k as u32 + 1).unwrap_or(context.period);
            runs.push(Some(PastRun {
                period,
                run_id: None,
                data,
            }));
        }
        while runs.last().is_some_and(Option::is_none) {
            runs.pop();
        }
        Ok(History { runs })
    }

    fn check_expected(&self, expect: &Fields) -> Result<Vec<(usize, serde_json::Value)>, Problem> {
        let mut out = Vec::new();
        for (key, value) in &expect.0 {
            let name = key.value.as_str();
            let json = value.value.to_json();
            // `= 52 / 12 + 1` would be compared as that text.
            if let Some(text) = json.as_str().filter(|t| t.trim_start().starts_with('=')) {
                return Err(key_problem(
                    key,
                    format!("`expect` values are not computed: `{text}` would be compared as text"),
                )
                .help(Some(
                    "write the value the rules should give (4.333333333333333), or round the output (`round: { nearest: 0.01 }`) and write the rounded value".to_owned(),
                )));
            }
            match self.rules.outputs.iter().position(|o| o.name == name) {
                Some(k) => out.push((k, json)),
                None => return Err(self.not_an_output(key, "`expect` checks decision outputs")),
            }
        }
        Ok(out)
    }

    /// `key` names no output: what it is, and the nearest output.
    fn not_an_output(&self, key: &Spanned<String>, why: &str) -> Problem {
        let name = key.value.as_str();
        let outputs: Vec<&str> = self.rules.outputs.iter().map(|o| o.name.as_str()).collect();
        let what = match self.rules.slots.iter().find(|(n, _)| n == name) {
            Some((_, kind)) => format!("`{name}` is a {}, not an output", kind.noun()),
            None => format!("`{name}` is not an output of the rules"),
        };
        key_problem(key, format!("{what}: {why}")).help(
            suggest(name, outputs.iter().copied())
                .map(|s| format!("did you mean `{s}`?"))
                .or_else(|| Some(format!("the outputs are: {}", outputs.join(", ")))),
        )
    }

    /// The case's customers and the index of the checked one.
    fn customers(
        &self,
        number: usize,
        defaults: &[Cell<'static>],
        case: &Spanned<CaseSpec>,
    ) -> Result<(Vec<Vec<Cell<'static>>>, usize), Problem> {
        let spec = &case.value;
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
            if row[self.id_index] == Cell::Null {
                row[self.id_index] = Cell::Text(Cow::Owned(format!("case-{number}")));
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
        let (rows, ids) = self.population(number, defaults, population)?;
        let checked = self.checked(number, case, &ids)?;
        Ok((rows, checked))
    }

    /// The rows of a case's `customers:`, each with an id (generated when not given), and
    /// the ids.
    fn population(
        &self,
        number: usize,
        defaults: &[Cell<'static>],
        population: &[Spanned<Fields>],
    ) -> Result<(Vec<Vec<Cell<'static>>>, Vec<String>), Problem> {
        let mut rows = Vec::with_capacity(population.len());
        let mut ids: Vec<String> = Vec::with_capacity(population.len());
        for (k, fields) in population.iter().enumerate() {
            let mut row = defaults.to_vec();
            self.fill(&mut row, &fields.value)?;
            if row[self.id_index] == Cell::Null {
                row[self.id_index] = Cell::Text(Cow::Owned(format!("case-{number}-{}", k + 1)));
            }
            let id = cell_text(&row[self.id_index]);
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
        Ok((rows, ids))
    }

    /// Which of the population's customers (`ids`) the case checks.
    fn checked(
        &self,
        number: usize,
        case: &Spanned<CaseSpec>,
        ids: &[String],
    ) -> Result<usize, Problem> {
        if let Some(check) = &case.value.check {
            let wanted = id_text(&check.value);
            return ids.iter().position(|id| *id == wanted).ok_or_else(|| {
                Problem::at(
                    &check.referenced,
                    wanted.chars().count(),
                    format!(
                        "no customer of `customers:` has {} `{wanted}` (they are: {})",
                        self.id_column,
                        ids.join(", ")
                    ),
                )
            });
        }
        if ids.len() == 1 {
            return Ok(0);
        }
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
        Err(Problem::at(&case.referenced, 1, message))
    }
}

fn cell_text(v: &Cell<'static>) -> String {
    match v {
        Cell::Null => "NULL".into(),
        Cell::Int(i) => i.to_string(),
        Cell::Real(f) => f.to_string(),
        Cell::Text(t) => t.to_string(),
        Cell::Blob => "(blob)".into(),
    }
}

/// A case checked against the rules, ready to evaluate.
struct Prepared {
    rows: Vec<Vec<Cell<'static>>>,
    /// Which of `rows` is the customer whose outputs are checked.
    checked: usize,
    /// Population figures given instead of computed.
    figures: Vec<(String, Value<'static>)>,
    /// Expected outputs, by output index (empty when an error is expected).
    expected: Vec<(usize, serde_json::Value)>,
    /// The date the case evaluates as of, and its period.
    context: Context,
    /// The checked customer's outcomes in earlier periods.
    history: History,
}

/// What evaluating a case's checked customer gave.
struct Evaluated {
    actual: Vec<serde_json::Value>,
    fired: Vec<RuleIdx>,
    figures: Vec<FigureValue>,
}

/// What every case of one test file shares.
pub(super) struct CaseFile<'f> {
    pub file: &'f Arc<SourceFile>,
    /// The file's name inside the tests directory.
    pub name: &'f str,
    /// The fields every case's customers start from.
    pub defaults: &'f [Cell<'static>],
    /// The file's `as_of` (or the run's).
    pub context: Context,
}

pub(super) fn run_case(
    ctx: &CaseContext<'_>,
    in_file: &CaseFile<'_>,
    number: usize,
    case: &Spanned<CaseSpec>,
    fired_all: &mut HashSet<RuleIdx>,
) -> CaseResult {
    let CaseFile {
        file,
        name: file_name,
        defaults,
        context: file_context,
    } = *in_file;
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
        as_of: String::new(),
        as_of_today: false,
    };
    // Check the case before evaluating anything: a wrong case is reported, not run.
    let evaluated = prepare(ctx, number, defaults, case, file_context)
        .and_then(|prepared| Ok((evaluate(ctx, case, &prepared)?, prepared)));
    let (evaluated, prepared) = match evaluated {
        Ok(x) => x,
        Err(p) => {
            result.message = Some(p.render(file));
            return result;
        }
    };
    result.as_of = prepared.context.as_of.to_string();
    result.as_of_today = spec.as_of.is_none() && prepared.context.as_of == crate::time::today();
    let evaluated = match evaluated {
        Ok(evaluated) => evaluated,
        Err(e) => {
            let text = e.to_string();
            (result.status, result.message) = match &spec.expect_error {
                Some(want) if contains_ignoring_case(&text, &want.value) => (Status::Pass, None),
                Some(want) => (
                    Status::Fail,
                    Some(format!(
                        "expected an error containing \"{}\", but got another error:\n{text}",
                        want.value
                    )),
                ),
                None => (
                    Status::Fail,
                    Some(format!("the evaluation failed:\n{text}")),
                ),
            };
            return result;
        }
    };
    fired_all.extend(evaluated.fired.iter().copied());
    result.fired = evaluated
        .fired
        .iter()
        .map(|&r| ctx.rules.rule_ids[r as usize].clone())
        .collect();
    result.figures = evaluated.figures;
    if let Some(want) = &spec.expect_error {
        result.status = Status::Fail;
        result.message = Some(format!(
            "expected an error containing \"{}\", but the evaluation succeeded",
            want.value
        ));
        return result;
    }
    for (k, want) in prepared.expected {
        let actual = &evaluated.actual[k];
        if !same(&want, actual) {
            result.differences.push(Difference {
                output: ctx.rules.outputs[k].name.clone(),
                expected: want,
                actual: actual.clone(),
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

/// Checks a case against the rules: its customers, given figures and expected outputs.
fn prepare(
    ctx: &CaseContext<'_>,
    number: usize,
    defaults: &[Cell<'static>],
    case: &Spanned<CaseSpec>,
    file_context: Context,
) -> Result<Prepared, Problem> {
    let spec = &case.value;
    let (rows, checked) = ctx.customers(number, defaults, case)?;
    let context = match &spec.as_of {
        Some(text) => ctx.as_of(text)?,
        None => file_context,
    };
    let id = rows[checked][ctx.id_index].clone();
    let history = ctx.history(spec, id, context)?;
    let figures = match &spec.population {
        Some(f) => ctx.check_figures(f)?,
        None => Vec::new(),
    };
    let expected = match (&spec.expect, &spec.expect_error) {
        (Some(_), Some(e)) => {
            return Err(Problem::at(
                &e.referenced,
                1,
                "give either `expect` (outputs) or `expect_error`, not both",
            ));
        }
        (None, None) => {
            return Err(Problem::at(
                &case.referenced,
                1,
                "the case expects nothing: add `expect: { output: value, ... }` or `expect_error: \"text\"`",
            ));
        }
        // Left after deleting its last line, it would pass whatever the rules give.
        (Some(expect), None) if expect.0.is_empty() => {
            return Err(Problem::at(
                &case.referenced,
                1,
                "the case's `expect` is empty, so it checks nothing: list the outputs the customer must get (`expect: { tier: A }`)",
            ));
        }
        (Some(expect), None) => ctx.check_expected(expect)?,
        (None, Some(_)) => Vec::new(),
    };
    Ok(Prepared {
        rows,
        checked,
        figures,
        expected,
        context,
        history,
    })
}

/// Evaluates the case's customers (computing population figures among them, except those
/// given) and reads the checked customer's outputs. A problem with the case is `Err`; an
/// evaluation error is `Ok(Err)`, for the case to expect or not.
fn evaluate(
    ctx: &CaseContext<'_>,
    case: &Spanned<CaseSpec>,
    prepared: &Prepared,
) -> Result<Result<Evaluated, EvalError>, Problem> {
    let problem = |message: String| Problem::at(&case.referenced, 1, message);
    let data = Dataset::from_rows(ctx.columns, &ctx.id_column, &prepared.rows)
        .map_err(|e| problem(e.to_string()))?;
    let evaluator = Evaluator::with_history(
        ctx.rules,
        &data,
        prepared.context,
        &prepared.history,
        Mode::Fast,
    );
    let mut evaluator = match evaluator {
        Ok(evaluator) => evaluator,
        Err(e) => return Ok(Err(e)),
    };
    let checked = prepared.checked;
    for (name, value) in &prepared.figures {
        // Checked when the case was prepared; refused only if the rule set changed.
        evaluator
            .set_figure(checked, name, value.clone())
            .map_err(problem)?;
    }
    let precomputed: Vec<_> = evaluator.precomputed(checked).collect();
    let figures = ctx
        .rules
        .population
        .iter()
        .map(|f| FigureValue {
            name: f.name.clone(),
            value: precomputed
                .iter()
                .find(|(slot, _)| *slot == f.slot)
                .map_or(serde_json::Value::Null, |(_, v)| v.to_json()),
            given: prepared.figures.iter().any(|(n, _)| *n == f.name),
        })
        .collect();
    Ok(evaluator.evaluate_one(checked).map(|outcomes| {
        let outcome = outcomes.get(0);
        Evaluated {
            actual: outcome.outputs.iter().map(Value::to_json).collect(),
            fired: outcome.fired.to_vec(),
            figures,
        }
    }))
}

/// A value given for an earlier period, as SQLite would have stored it.
fn given_cell(value: &Given) -> Cell<'static> {
    match value {
        Given::Null => Cell::Null,
        Given::Bool(b) => Cell::Int(i64::from(*b)),
        Given::Int(i) => Cell::Int(*i),
        Given::Float(f) => Cell::Real(*f),
        Given::Text(t) => Cell::Text(Cow::Owned(t.clone())),
        Given::List(_) => Cell::Text(Cow::Owned(value.to_json().to_string())),
    }
}

fn contains_ignoring_case(text: &str, part: &str) -> bool {
    text.to_lowercase().contains(&part.to_lowercase())
}
