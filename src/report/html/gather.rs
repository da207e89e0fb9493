//! Evaluating every customer once and keeping only what the report draws: counts and sums
//! per tier, the Pareto curve at a few hundred points, a sample of the quadrant's points,
//! the migration counts and the first customers of each list. The page's size does not
//! grow with the population.

use super::previous::Previous;
use crate::engine::{Context, EvalError, Evaluator, History, Mode, display_key};
use crate::rules::{Measure, RuleSet};
use crate::source::Dataset;
use crate::value::Value;
use crate::workspace::batch::CHUNK;

/// Points of the quadrant drawn at most; beyond, a sample of this many.
pub const MAX_POINTS: usize = 20_000;
/// Customers shown per list.
pub const LIST_ROWS: usize = 100;
/// Points the Pareto curve is drawn with.
const CURVE_POINTS: usize = 400;

/// What a report is made from.
pub struct Input<'a> {
    pub rules: &'a RuleSet,
    pub customers: &'a Dataset,
    pub history: &'a History,
    pub context: Context,
    /// The previous period's tiers, for the migration.
    pub previous: Previous,
    /// Leave out the customers a rule fails for (counted in [`Figures::left_out`]) instead
    /// of stopping at the first, as `run --keep-going` does.
    pub keep_going: bool,
}

/// Everything the report shows, aggregated.
#[derive(Debug, Default)]
pub struct Figures {
    /// The customers drawn (those a rule failed for, with `keep_going`, are not).
    pub customers: usize,
    /// With `keep_going`: the customers left out, the first failure of each.
    pub left_out: Vec<EvalError>,
    /// The tiers in order (`None`: no tier output declared).
    pub tiers: Option<Tiers>,
    /// The value customers are ranked by, and whether it is money.
    pub value: Option<(String, bool)>,
    /// The summary's totals: name, money.
    pub totals: Vec<(String, bool)>,
    pub pareto: Option<Pareto>,
    pub quadrant: Option<Scatter>,
    pub migration: Option<Migration>,
    pub lists: Vec<ListFigure>,
}

impl Figures {
    /// What the page says of the customers left out (`keep_going`), naming the first
    /// failure; `None` when none was.
    pub fn left_out_note(&self) -> Option<String> {
        let first = self.left_out.first()?;
        let at = match first.at.is_empty() {
            true => String::new(),
            false => format!(" ({})", first.at),
        };
        let (them, they_are, their) = match self.left_out.len() {
            1 => ("it", "it is", "its"),
            _ => ("them", "they are", "their"),
        };
        Some(format!(
            "{} left out: {their} evaluation failed, so the page counts {them} nowhere (not even as gone: {they_are} in the data; the migration's rows lack {them}); the first: customer {}: {} failed: {}{at}",
            crate::text::plural(self.left_out.len(), "customer"),
            crate::text::printable(&first.customer),
            first.rule,
            first.message
        ))
    }

    /// The summary's totals over every customer (each tier's, added up); `None` without
    /// tiers.
    pub fn sums(&self) -> Option<Vec<f64>> {
        let tiers = self.tiers.as_ref()?;
        let mut sums = vec![0.0; self.totals.len()];
        for row in &tiers.rows {
            for (sum, x) in sums.iter_mut().zip(&row.totals) {
                *sum += x;
            }
        }
        Some(sums)
    }
}

#[derive(Debug, Default)]
pub struct Tiers {
    /// The output that holds them.
    pub output: String,
    /// Whether `summary.moves` gives their order (else: by count).
    pub ordered: bool,
    /// How many of the rows, from the first, are in that order: a move between two of them
    /// is up or down; one from or to a value the order does not list is neither.
    pub ranked: usize,
    pub rows: Vec<TierRow>,
}

#[derive(Debug, Default, Clone)]
pub struct TierRow {
    pub name: String,
    pub customers: usize,
    /// Sum of the report's value over the tier's customers.
    pub value: f64,
    /// Sum of each summary total over the tier's customers.
    pub totals: Vec<f64>,
}

/// Cumulative share of the value against share of customers, largest first.
#[derive(Debug, Default)]
pub struct Pareto {
    /// (share of customers, share of the value), from (0, 0) to (1, 1).
    pub points: Vec<(f64, f64)>,
    /// Where each tier but the last ends: (the tier, share of customers, share of value).
    pub cuts: Vec<(String, f64, f64)>,
    pub total: f64,
    /// Customers whose value is below 0 (credit notes), counted as 0 on the curve, and the
    /// sum of their values: why its total is above the Tiers table's.
    pub negative: (usize, f64),
}

#[derive(Debug, Default)]
pub struct Scatter {
    pub x: (String, bool),
    pub y: (String, bool),
    pub colour: Option<String>,
    /// Colour categories with their number of customers (all, not only those drawn).
    pub categories: Vec<(String, usize)>,
    /// Each category's colour: its place among the values the rules can give, so that a
    /// category keeps its colour whichever others a month holds.
    pub palette: Vec<usize>,
    /// (x, y, category): all customers, or a sample of [`MAX_POINTS`].
    pub points: Vec<(f64, f64, u16)>,
    /// Customers with both values (the points drawn are these or a sample of them).
    pub plotted_of: usize,
    pub split: (Option<f64>, Option<f64>),
}

#[derive(Debug)]
pub enum Migration {
    /// No official run of the previous period.
    NoRun { period: String },
    /// The previous run could not be read (why).
    Unreadable(String),
    /// The previous run holds no such output: what to say.
    Without(String),
    Counts {
        since: String,
        /// Row labels: previous tiers in order, then other values, then `new`.
        from: Vec<String>,
        /// counts[from][to], `to` in the order of `Figures::tiers`.
        counts: Vec<Vec<usize>>,
        /// Per row: the previous period's customers of that tier no longer in the data.
        gone: Vec<usize>,
    },
}

#[derive(Debug, Default)]
pub struct ListFigure {
    pub name: String,
    /// How many customers are on it.
    pub count: usize,
    pub show: Vec<String>,
    /// The first [`LIST_ROWS`] by value: id, value, the shown outputs.
    pub rows: Vec<(String, Option<f64>, Vec<String>)>,
}

/// Where the report's measures are among the evaluated totals.
struct Slots {
    totals: usize,
    value: Option<usize>,
    xy: Option<(usize, usize)>,
    tier: Option<usize>,
    colour: Option<usize>,
    /// Per list: its `when` output and its `show` outputs.
    lists: Vec<(usize, Vec<usize>)>,
}

/// Everything kept per customer while evaluating (a few numbers each).
#[derive(Default)]
struct Columns {
    /// The customers a rule failed for (with `keep_going`).
    failed: Vec<EvalError>,
    tier: Vec<u16>,
    tier_names: Vec<String>,
    value: Vec<f64>,
    xy: Vec<(f64, f64, u16)>,
    colours: Vec<String>,
    /// Per list: (value, customer row) of its members.
    members: Vec<Vec<(f64, usize)>>,
    per_tier: Vec<TierRow>,
    /// Per customer: the previous tier (index into the previous run's labels; `u16::MAX`: none).
    before: Vec<u16>,
}

/// Evaluates every customer and aggregates what the report shows.
pub fn gather(input: &Input) -> Result<Figures, EvalError> {
    let decl = input.rules.summary.report.clone().unwrap_or_default();
    // The report's measures are evaluated as extra totals of a copy of the rules.
    let mut rules = input.rules.clone();
    let n = rules.summary.totals.len();
    let mut add = |m: &Measure| {
        rules
            .summary
            .totals
            .push((format!("report.{}", m.name), m.expr.clone()));
        rules.summary.totals.len() - 1
    };
    let output = |name: &str| input.rules.outputs.iter().position(|o| o.name == name);
    let tier_output = tier_output(input.rules);
    let slots = Slots {
        totals: n,
        value: decl.value.as_ref().map(&mut add),
        xy: decl.quadrant.as_ref().map(|q| (add(&q.x), add(&q.y))),
        tier: tier_output.as_deref().and_then(output),
        colour: decl
            .quadrant
            .as_ref()
            .and_then(|q| q.colour.as_deref())
            .and_then(output),
        lists: decl
            .lists
            .iter()
            .filter_map(|l| {
                Some((
                    output(&l.when)?,
                    l.show.iter().filter_map(|s| output(s)).collect(),
                ))
            })
            .collect(),
    };
    let t = std::time::Instant::now();
    let evaluator = Evaluator::with_history(
        &rules,
        input.customers,
        input.context,
        input.history,
        Mode::Fast,
    )?;
    tracing::debug!(
        "report: population figures in {:.3} s",
        t.elapsed().as_secs_f64()
    );
    let t = std::time::Instant::now();
    let mut cols = evaluate(&evaluator, &slots, &input.previous, input.keep_going)?;
    tracing::debug!(
        "report: evaluated every customer in {:.3} s",
        t.elapsed().as_secs_f64()
    );
    let t = std::time::Instant::now();

    let summary = &input.rules.summary;
    let mut figures = Figures {
        customers: input.customers.len - cols.failed.len(),
        left_out: std::mem::take(&mut cols.failed),
        value: decl.value.as_ref().map(|m| (m.name.clone(), m.money)),
        totals: summary
            .totals
            .iter()
            .enumerate()
            .map(|(k, (name, _))| (name.clone(), summary.money.contains(&k)))
            .collect(),
        ..Figures::default()
    };
    let order = tier_output
        .as_deref()
        .and_then(|t| summary.moves.iter().find(|m| m.output == t))
        .map(|m| m.order.clone());
    let (tiers, rank) = super::order::tiers(&cols.per_tier, &cols.tier_names, order.as_deref());
    if slots.value.is_some() {
        figures.pareto = Some(pareto(&cols.value, &tiers));
    }
    if let Some(q) = &decl.quadrant {
        // The values the rules can give the colour output, in their order, then the others
        // present: a segment keeps its colour whatever the month holds.
        let order = q.colour.as_deref().map_or_else(Vec::new, |c| {
            let mut order = given_values(input.rules, c);
            let mut others: Vec<(String, ())> = (cols.colours.iter())
                .filter(|v| !order.contains(v))
                .map(|v| (v.clone(), ()))
                .collect();
            input.rules.sort_values(c, &mut others);
            order.extend(others.into_iter().map(|(v, ())| v));
            order
        });
        figures.quadrant = Some(super::order::scatter(q, cols.xy, cols.colours, &order));
    }
    if let Some(output) = tier_output {
        // Customers left out (`keep_going`) are in the data: not gone, though not counted.
        let left_out: Vec<u16> = (figures.left_out.iter())
            .map(|e| input.previous.tier_of_id(&e.customer))
            .collect();
        let now = super::previous::Now {
            rank: &rank,
            tiers: &cols.tier,
            before: &cols.before,
            left_out_before: &left_out,
        };
        figures.migration = super::previous::migration(&input.previous, &tiers, &now);
        figures.tiers = Some(Tiers {
            output,
            ordered: order.is_some(),
            ranked: order.as_ref().map_or(0, Vec::len),
            rows: tiers,
        });
    }
    figures.lists = lists(&evaluator, &decl.lists, &slots, cols.members)?;
    tracing::debug!(
        "report: curve, sample, migration and lists in {:.3} s",
        t.elapsed().as_secs_f64()
    );
    Ok(figures)
}

/// The constant values the rules give `output` (its `summary.moves` order first, then each
/// decision's rows and defaults in order), as shown.
fn given_values(rules: &RuleSet, output: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let Some(slot) = rules
        .outputs
        .iter()
        .find(|o| o.name == output)
        .map(|o| o.slot)
    else {
        return out;
    };
    if let Some(m) = rules.summary.moves.iter().find(|m| m.output == output) {
        out.extend(m.order.iter().cloned());
    }
    for d in &rules.decisions {
        let Some(k) = d.outputs.iter().position(|&o| o == slot) else {
            continue;
        };
        let rows =
            (d.rows.iter()).flat_map(|r| r.values.iter().filter(|(i, _)| *i == k).map(|(_, v)| v));
        for v in rows.chain(d.defaults.get(k).and_then(Option::as_ref)) {
            if let crate::rules::ValueExpr::Const(lit) = v {
                let shown = display_key(&lit.value());
                if !matches!(lit, crate::value::Lit::Null) && !out.contains(&shown) {
                    out.push(shown);
                }
            }
        }
    }
    out
}

/// The output that holds the tiers: `summary.report.tiers`, else the first `moves` output.
pub fn tier_output(rules: &RuleSet) -> Option<String> {
    let summary = &rules.summary;
    summary
        .report
        .as_ref()
        .and_then(|r| r.tiers.clone())
        .or_else(|| summary.moves.first().map(|m| m.output.clone()))
}

fn evaluate(
    ev: &Evaluator,
    slots: &Slots,
    previous: &Previous,
    keep_going: bool,
) -> Result<Columns, EvalError> {
    let len = ev.data.len;
    let mut c = Columns {
        members: vec![Vec::new(); slots.lists.len()],
        ..Columns::default()
    };
    let mut start = 0;
    while start < len {
        let end = (start + CHUNK).min(len);
        let outcomes = match keep_going {
            true => {
                let (outcomes, _, failed) = ev.evaluate_keep_going(start..end);
                c.failed.extend(failed);
                outcomes
            }
            false => ev.evaluate(start..end)?.0,
        };
        for o in outcomes.iter() {
            let tier = match slots.tier {
                Some(k) => index_of(&mut c.tier_names, &o.outputs[k]),
                None => 0,
            };
            if c.per_tier.len() <= tier as usize {
                c.per_tier.resize(tier as usize + 1, TierRow::default());
            }
            let row = &mut c.per_tier[tier as usize];
            row.customers += 1;
            row.totals.resize(slots.totals, 0.0);
            for (sum, part) in row.totals.iter_mut().zip(&o.totals[..slots.totals]) {
                *sum += part;
            }
            let value = slots.value.map(|k| o.totals[k]);
            if let Some(v) = value {
                row.value += v;
                c.value.push(v);
            }
            c.tier.push(tier);
            if let Some((x, y)) = slots.xy {
                let colour = match slots.colour {
                    Some(k) => index_of(&mut c.colours, &o.outputs[k]),
                    None => 0,
                };
                c.xy.push((o.totals[x], o.totals[y], colour));
            }
            for (members, (when, _)) in c.members.iter_mut().zip(&slots.lists) {
                if is_set(&o.outputs[*when]) {
                    members.push((value.unwrap_or(0.0), o.index));
                }
            }
            c.before.push(previous.tier_of(ev.data, o.index));
        }
        start = end;
    }
    Ok(c)
}

/// The index of `v` (as shown) in `names`, added when new. Text (the usual case) is
/// compared without copying it.
fn index_of(names: &mut Vec<String>, v: &Value) -> u16 {
    let found = match v.as_str() {
        Some(text) => names.iter().position(|n| n == text),
        None => {
            let key = display_key(v);
            names.iter().position(|n| *n == key)
        }
    };
    match found {
        Some(k) => k as u16,
        None => {
            names.push(display_key(v));
            (names.len() - 1) as u16
        }
    }
}

/// Whether an output puts a customer on a list: true, a non-empty list or text, a number
/// other than 0, a date.
fn is_set(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Int(i) => *i != 0,
        Value::Float(f) => *f != 0.0,
        Value::Str(_) | Value::Owned(_) => v.as_str().is_some_and(|s| !s.is_empty()),
        Value::Date(_) => true,
        Value::List(items) => !items.is_empty(),
        Value::Consts(items) => !items.is_empty(),
        Value::Other(_) => v.items().is_some_and(|items| !items.is_empty()),
    }
}

/// The curve over every customer's value (negative values count as 0), at a few hundred
/// points, with the tiers' cut points: where each tier's count of customers ends, largest
/// first.
fn pareto(values: &[f64], tiers: &[TierRow]) -> Pareto {
    let mut sorted: Vec<f64> = values.iter().map(|v| v.max(0.0)).collect();
    sorted.sort_unstable_by(|a, b| b.total_cmp(a));
    let n = sorted.len();
    let mut cumulative = Vec::with_capacity(n + 1);
    let mut sum = 0.0;
    cumulative.push(0.0);
    for v in &sorted {
        sum += v;
        cumulative.push(sum);
    }
    let share = |k: usize| if sum > 0.0 { cumulative[k] / sum } else { 0.0 };
    let mut points: Vec<(f64, f64)> = (0..=CURVE_POINTS)
        .map(|p| {
            let k = (p * n).div_ceil(CURVE_POINTS);
            (k as f64 / n.max(1) as f64, share(k))
        })
        .collect();
    points.dedup_by(|a, b| a.0 == b.0);
    let mut cuts = Vec::new();
    let mut upto = 0;
    for (k, t) in tiers.iter().enumerate() {
        upto += t.customers;
        if k + 1 < tiers.len() && upto < n && t.customers > 0 {
            cuts.push((t.name.clone(), upto as f64 / n as f64, share(upto)));
        }
    }
    let below: Vec<f64> = values.iter().copied().filter(|v| *v < 0.0).collect();
    Pareto {
        points,
        cuts,
        total: sum,
        negative: (below.len(), below.iter().sum()),
    }
}

/// Each list's count and its first customers by value (re-evaluated one by one for the
/// outputs shown).
fn lists(
    ev: &Evaluator,
    decl: &[crate::rules::ReportList],
    slots: &Slots,
    members: Vec<Vec<(f64, usize)>>,
) -> Result<Vec<ListFigure>, EvalError> {
    let mut out = Vec::new();
    let valued = slots.value.is_some();
    for ((list, (_, show)), mut members) in decl.iter().zip(&slots.lists).zip(members) {
        let count = members.len();
        members.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        members.truncate(LIST_ROWS);
        let mut rows = Vec::with_capacity(members.len());
        for (value, i) in members {
            let outcomes = ev.evaluate_one(i)?;
            let o = outcomes.get(0);
            let cells = show.iter().map(|&k| shown(&o.outputs[k])).collect();
            rows.push((ev.data.id_text(i), valued.then_some(value), cells));
        }
        out.push(ListFigure {
            name: list.name.clone(),
            count,
            show: list.show.clone(),
            rows,
        });
    }
    Ok(out)
}

/// An output's value for people: a list's items joined, NULL as nothing.
fn shown(v: &Value) -> String {
    if v.is_null() {
        return String::new();
    }
    match v.items() {
        Some(items) => items
            .iter()
            .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
            .collect::<Vec<_>>()
            .join("; "),
        None => v.as_str().map_or_else(|| v.to_string(), str::to_owned),
    }
}
