//! What changed for one output between two runs: how many customers went from each value to
//! each other value, and who. Whether a change is an upgrade or a downgrade comes from an
//! order of the values, highest first, given by the caller: the rules know it (the order in
//! which the producing decision's rows give the values), and every run records the orders
//! it was given (`policy_run.value_order`), so a reader without the rules uses the order
//! recorded with the later run ([`value_orders`]).
//!
//! Both runs are read in `customer_id` order and merged; customers in only one of them are
//! counted (`new`, `gone`), not compared.

use super::history::{RunTypes, read_err, read_run, run_json};
use super::schema::{Declared, PolicyTable};
use super::{OutputError, ValueOrder};
use crate::config::OutputTables;
use crate::source::quote_ident;
use crate::value::{Sum, Value, ValueKind, shown_decimal};
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use std::cmp::Ordering;
use std::collections::HashMap;

/// Which way a value moved in the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Up,
    Down,
    /// A value the order does not rank (or NULL) is involved.
    Changed,
}

impl Direction {
    pub fn word(self) -> &'static str {
        match self {
            Direction::Up => "up",
            Direction::Down => "down",
            Direction::Changed => "changed",
        }
    }
}

/// A value as `changes` shows it: as text in tables and CSV (`None`: NULL), and in JSON
/// typed as the output is (a number, true/false, a list), as `history` and `diff` give it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    pub text: Option<String>,
    pub json: serde_json::Value,
}

impl Shown {
    /// `v` as shown; `list`: the output is a list, stored as its JSON text.
    fn of(v: &Value<'_>, list: bool) -> Shown {
        let json = match v {
            Value::Str(t) if list => serde_json::from_str(t).unwrap_or_else(|_| v.to_json()),
            v => v.to_json(),
        };
        Shown {
            text: text(v),
            json,
        }
    }

    pub fn as_deref(&self) -> Option<&str> {
        self.text.as_deref()
    }
}

impl Serialize for Shown {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.json.serialize(s)
    }
}

/// Customers who went from one value to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transition {
    pub from: Shown,
    pub to: Shown,
    pub direction: Direction,
    pub customers: usize,
}

/// One customer whose value changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerChange {
    pub customer_id: String,
    pub from: Shown,
    pub to: Shown,
    pub direction: Direction,
    /// `to - from` when both are numbers ranked by value (a credit limit, a commission).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub difference: Option<f64>,
}

/// The sums of a number output over the customers in both runs, before and after.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Sums {
    pub from: f64,
    pub to: f64,
}

/// What changed between two runs.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Changes {
    /// Customers in both runs.
    pub compared: usize,
    pub unchanged: usize,
    pub up: usize,
    pub down: usize,
    /// Changes the order does not rank.
    pub changed: usize,
    /// Ranked by value, higher is up: no order was given and the values are numbers (a
    /// credit limit).
    pub by_value: bool,
    /// With `by_value`, when every value compared is a number or NULL: the output's sums over
    /// the customers in both runs (NULL counts nothing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sums: Option<Sums>,
    /// In the later run only / in the earlier run only.
    pub new: usize,
    pub gone: usize,
    /// Every transition, in the order of its values (from, then to; unranked last).
    pub transitions: Vec<Transition>,
    /// Every customer whose value changed, in `customer_id` order.
    pub customers: Vec<CustomerChange>,
    /// The customers of the later run only, with their value there, in `customer_id` order.
    pub new_customers: Vec<CustomerValue>,
    /// The customers of the earlier run only, with their value there (a customer lost), in
    /// `customer_id` order.
    pub gone_customers: Vec<CustomerValue>,
    /// The customers of the earlier run that the later one left out (`--keep-going`: a rule
    /// failed for them; `policy_error` says which), not gone from the books, in
    /// `customer_id` order: neither in `gone` nor in `gone_customers`.
    pub left_out_customers: Vec<CustomerValue>,
    /// The customers of the later run that the earlier one left out, not new to the books:
    /// neither in `new` nor in `new_customers`.
    pub left_out_before_customers: Vec<CustomerValue>,
}

/// A customer in one of the two runs only, and its value there.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerValue {
    pub customer_id: String,
    pub value: Shown,
}

/// How `output` changed from run `from` to run `to`, with `order` its values highest first.
pub fn changes(
    conn: &Connection,
    tables: &OutputTables,
    from: i64,
    to: i64,
    output: &str,
    order: &[String],
) -> Result<Changes, OutputError> {
    let mut before = read_run(conn, tables, from, &[output])?;
    let mut after = read_run(conn, tables, to, &[output])?;
    // Shown as true/false where the run says so and every value is 1, 0 or NULL; a run made
    // before runs recorded their types (1/0 in a column of no type) as the other run says
    // (a run that did record them and gives numbers keeps its 1).
    let mut list = false;
    if let Some(policy) = PolicyTable::read(conn, tables)? {
        let types = [
            RunTypes::read(conn, tables, &policy, from)?,
            RunTypes::read(conn, tables, &policy, to)?,
        ];
        list = types.iter().any(|t| t.of(output) == Declared::Json);
        let boolean = |t: &RunTypes| t.of(output) == Declared::Boolean;
        for (k, data) in [&mut before, &mut after].into_iter().enumerate() {
            let other = &types[1 - k];
            if boolean(&types[k]) || (!types[k].recorded() && boolean(other)) {
                data.restore(1, ValueKind::Bool);
            }
        }
    }
    // `4` in the order is the `4.0` a decimal column reads back.
    let rank = |v: &Option<String>| {
        let v = v.as_deref()?;
        order
            .iter()
            .position(|o| crate::value::same_text_value(o, v))
    };
    let mut out = Changes::default();
    let mut counts: Counts = HashMap::new();
    let (mut i, mut j) = (0, 0);
    // Sums of the values compared, while each is a number or NULL.
    let mut sums = Some([Sum::default(); 2]);
    while i < before.len || j < after.len {
        let ord = match (i < before.len, j < after.len) {
            (true, true) => sql_order(&before.id(i), &after.id(j)),
            (true, false) => Ordering::Less,
            _ => Ordering::Greater,
        };
        match ord {
            Ordering::Less => {
                out.gone_customers.push(CustomerValue {
                    customer_id: before.id_text(i),
                    value: Shown::of(&before.columns[1].value(i), list),
                });
                (out.gone, i) = (out.gone + 1, i + 1);
            }
            Ordering::Greater => {
                out.new_customers.push(CustomerValue {
                    customer_id: after.id_text(j),
                    value: Shown::of(&after.columns[1].value(j), list),
                });
                (out.new, j) = (out.new + 1, j + 1);
            }
            Ordering::Equal => {
                out.compared += 1;
                let (a, b) = (before.columns[1].value(i), after.columns[1].value(j));
                sums = sums.and_then(|[from, to]| {
                    let number = |v: &Value<'_>| v.as_f64().or(v.is_null().then_some(0.0));
                    Some([from.plus(number(&a)?), to.plus(number(&b)?)])
                });
                if same(&a, &b) {
                    out.unchanged += 1;
                } else {
                    let (from, to) = (Shown::of(&a, list), Shown::of(&b, list));
                    let direction = match (rank(&from.text), rank(&to.text)) {
                        (Some(f), Some(t)) if t < f => Direction::Up,
                        (Some(f), Some(t)) if t > f => Direction::Down,
                        // Without an order, numbers rank by value.
                        _ if order.is_empty() => match (a.as_f64(), b.as_f64()) {
                            (Some(x), Some(y)) if y != x => {
                                out.by_value = true;
                                if y > x {
                                    Direction::Up
                                } else {
                                    Direction::Down
                                }
                            }
                            _ => Direction::Changed,
                        },
                        _ => Direction::Changed,
                    };
                    match direction {
                        Direction::Up => out.up += 1,
                        Direction::Down => out.down += 1,
                        Direction::Changed => out.changed += 1,
                    }
                    counts
                        .entry((from.text.clone(), to.text.clone()))
                        .or_insert_with(|| (0, direction, from.clone(), to.clone()))
                        .0 += 1;
                    let difference = match (a.as_f64(), b.as_f64()) {
                        (Some(x), Some(y)) if order.is_empty() => {
                            Some(difference(x, y, from.as_deref(), to.as_deref()))
                        }
                        _ => None,
                    };
                    out.customers.push(CustomerChange {
                        customer_id: before.id_text(i),
                        from,
                        to,
                        direction,
                        difference,
                    });
                }
                (i, j) = (i + 1, j + 1);
            }
        }
    }
    out.transitions = transitions(counts, rank);
    out.sums = sums.filter(|_| out.by_value).map(|[from, to]| Sums {
        from: shown_decimal(from.total()),
        to: shown_decimal(to.total()),
    });
    Ok(out)
}

/// `y - x` to the decimals its two values are written with (10.0 to 9.95 is -0.05, where
/// binary floating point gives -0.049999999999998934).
fn difference(x: f64, y: f64, from: Option<&str>, to: Option<&str>) -> f64 {
    let decimals = |written: Option<&str>| {
        let written = written.filter(|w| !w.contains(['e', 'E']))?;
        Some(
            written
                .split_once('.')
                .map_or(0, |(_, fraction)| fraction.len()),
        )
    };
    match (decimals(from), decimals(to)) {
        (Some(a), Some(b)) if a.max(b) <= 15 => {
            let rounded = format!("{:.*}", a.max(b), y - x);
            rounded.parse().unwrap_or(y - x)
        }
        _ => shown_decimal(y - x),
    }
}

/// Per transition (from, to as text): its customers, direction and values as shown.
type Counts = HashMap<(Option<String>, Option<String>), (usize, Direction, Shown, Shown)>;

/// The transitions in the order of their values: from (highest first), then to.
fn transitions(counts: Counts, rank: impl Fn(&Option<String>) -> Option<usize>) -> Vec<Transition> {
    let mut list: Vec<Transition> = counts
        .into_values()
        .map(|(customers, direction, from, to)| Transition {
            from,
            to,
            direction,
            customers,
        })
        .collect();
    // Ranked values first, in their order; then numbers by value (`1000` before `10000`),
    // then text; NULL last.
    let key = |v: &Option<String>| {
        let number = v.as_deref().and_then(|t| t.parse::<f64>().ok());
        (
            rank(v).unwrap_or(usize::MAX),
            v.is_none(),
            number.is_none(),
            number.unwrap_or(0.0),
            v.clone(),
        )
    };
    list.sort_by(|a, b| {
        let (a_from, a_to) = (key(&a.from.text), key(&a.to.text));
        let (b_from, b_to) = (key(&b.from.text), key(&b.to.text));
        cmp_key(&a_from, &b_from).then_with(|| cmp_key(&a_to, &b_to))
    });
    list
}

type SortKey = (usize, bool, bool, f64, Option<String>);

fn cmp_key(a: &SortKey, b: &SortKey) -> Ordering {
    (a.0, a.1, a.2)
        .cmp(&(b.0, b.1, b.2))
        .then_with(|| a.3.total_cmp(&b.3))
        .then_with(|| a.4.cmp(&b.4))
}

/// The rules a run was made with, as it recorded them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRules {
    /// The fingerprint of the rule files (what every message names).
    pub fingerprint: String,
    /// The fingerprint of what they decide (`None`: a run recorded before it was).
    pub logic: Option<String>,
}

impl RunRules {
    /// The rules of `rules`, as a run made with them records them.
    pub fn of(rules: &crate::rules::RuleSet) -> Self {
        RunRules {
            fingerprint: rules.fingerprint.clone(),
            logic: Some(rules.logic_fingerprint.clone()),
        }
    }

    /// Whether `other` decides as these do: the same files, or files that differ only in
    /// comments, layout or the summary's display settings (when both runs recorded it).
    pub fn decide_as(&self, other: &RunRules) -> bool {
        self.fingerprint == other.fingerprint
            || matches!((&self.logic, &other.logic), (Some(a), Some(b)) if a == b)
    }
}

/// The rules run `run_id` was made with (`None`: no such run).
pub fn run_rules(
    conn: &Connection,
    tables: &OutputTables,
    run_id: i64,
) -> Result<Option<RunRules>, OutputError> {
    let logic = if super::schema::runs_record(conn, tables, "logic_fingerprint")? {
        "logic_fingerprint"
    } else {
        "NULL"
    };
    conn.query_row(
        &format!(
            "SELECT fingerprint, {logic} FROM {} WHERE run_id = ?1",
            quote_ident(&tables.run_table)
        ),
        [run_id],
        |r| {
            Ok(RunRules {
                fingerprint: r.get(0)?,
                logic: r.get(1)?,
            })
        },
    )
    .optional()
    .map_err(read_err(&tables.run_table))
}

/// The git revision of the rules run `run_id` was made with, as it recorded it (`None`:
/// outside a repository, or a run recorded before runs recorded it).
pub fn run_revision(
    conn: &Connection,
    tables: &OutputTables,
    run_id: i64,
) -> Result<Option<String>, OutputError> {
    run_text(conn, tables, run_id, "rules_revision")
}

/// The fingerprint of the customer data run `run_id` read (`None`: a run recorded before
/// runs recorded it, or with an earlier scheme, which today's data cannot be compared with).
pub fn run_data_fingerprint(
    conn: &Connection,
    tables: &OutputTables,
    run_id: i64,
) -> Result<Option<String>, OutputError> {
    let recorded = run_text(conn, tables, run_id, "data_fingerprint")?;
    Ok(recorded.filter(|f| f.starts_with(crate::source::FINGERPRINT_SCHEME)))
}

/// Why run `run_id` has no policies to read, from its record: "run 2, 2026-07's official
/// run, was pruned at ... by `tierwise prune --keep` (...)", "run 1 failed: ...", or that
/// the run table has no record of it (a run replaced in a period since pruned, whose
/// record `prune` deletes, or no such run).
pub fn why_no_run(
    conn: &Connection,
    tables: &OutputTables,
    run_id: i64,
) -> Result<String, OutputError> {
    let status = run_text(conn, tables, run_id, "status")?;
    let period = run_text(conn, tables, run_id, "period")?;
    let message = run_text(conn, tables, run_id, "message")?;
    let of = period.map_or(String::new(), |p| format!(" ({p})"));
    let records = super::history::run_records(conn, tables, Default::default())?;
    let latest = records.last().map(|r| r.run_id);
    let table = &tables.run_table;
    Ok(match (status.as_deref(), message) {
        (None, _) if latest.is_none_or(|l| run_id > l) => format!(
            "`{table}` has no run {run_id}: {}",
            latest.map_or("there is no run yet".to_owned(), |l| format!(
                "the latest is run {l}"
            ))
        ),
        (None, _) => format!(
            "`{table}` has no run {run_id} (now): `prune` deletes the records of runs replaced by a rerun and of failed runs when it prunes their period"
        ),
        (Some(super::prune::PRUNED | super::prune::REMOVED), Some(message)) => {
            format!("run {run_id}{of} holds no policies: {message}")
        }
        (Some("failed"), message) => format!(
            "run {run_id}{of} failed, writing no policies{}",
            message.map_or(String::new(), |m| format!(": {m}"))
        ),
        (Some(status), _) => format!("run {run_id}{of} is {status}, with no policies to read"),
    })
}

/// Text column `column` of run `run_id`'s record (`None`: NULL, no such run, or a run
/// table from before the column was).
fn run_text(
    conn: &Connection,
    tables: &OutputTables,
    run_id: i64,
    column: &str,
) -> Result<Option<String>, OutputError> {
    if !super::schema::runs_record(conn, tables, column)? {
        return Ok(None);
    }
    let text = conn.query_row(
        &format!(
            "SELECT {column} FROM {} WHERE run_id = ?1",
            quote_ident(&tables.run_table)
        ),
        [run_id],
        |r| r.get::<_, Option<String>>(0),
    );
    Ok(text
        .optional()
        .map_err(read_err(&tables.run_table))?
        .flatten())
}

/// The orders of values recorded with run `run_id` (none for a run from before they were).
pub fn value_orders(
    conn: &Connection,
    tables: &OutputTables,
    run_id: i64,
) -> Result<Vec<ValueOrder>, OutputError> {
    let orders = match run_json(conn, tables, run_id, "value_order")? {
        Some(serde_json::Value::Object(orders)) => orders,
        _ => serde_json::Map::new(),
    };
    Ok(orders
        .into_iter()
        .filter_map(|(output, values)| {
            let values = serde_json::from_value(values).ok()?;
            Some(ValueOrder { output, values })
        })
        .collect())
}

/// A value as text (`None`: NULL).
fn text(v: &Value<'_>) -> Option<String> {
    (!v.is_null()).then(|| v.to_string())
}

/// Whether two stored values are the same value.
fn same(a: &Value<'_>, b: &Value<'_>) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Int(x), Value::Int(y)) => x == y,
        // As the rules' `==`: `0.1 + 0.2` is `0.3`.
        (Value::Float(x), Value::Float(y)) => crate::value::same_number(*x, *y),
        // A limit stored REAL in one run and INTEGER in the next (a rounding step added) is
        // the same number.
        (Value::Int(x), Value::Float(y)) | (Value::Float(y), Value::Int(x)) => {
            crate::value::same_number(*x as f64, *y)
        }
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::Null, _) | (_, Value::Null) => false,
        _ => a.to_string() == b.to_string(),
    }
}

/// SQLite's order of two ids: NULL, then numbers, then text (bytewise), then the rest.
fn sql_order(a: &Value<'_>, b: &Value<'_>) -> Ordering {
    fn class(v: &Value<'_>) -> u8 {
        match v {
            Value::Null => 0,
            Value::Int(_) | Value::Float(_) => 1,
            Value::Str(_) | Value::Owned(_) => 2,
            _ => 3,
        }
    }
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x.cmp(y),
        (Value::Str(x), Value::Str(y)) => x.as_bytes().cmp(y.as_bytes()),
        _ => class(a)
            .cmp(&class(b))
            .then_with(|| match (a.as_f64(), b.as_f64()) {
                (Some(x), Some(y)) => x.total_cmp(&y),
                _ => a.to_string().cmp(&b.to_string()),
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_stored_as_integer_in_one_run_and_real_in_the_other_is_unchanged() {
        assert!(same(&Value::Int(800), &Value::Float(800.0)));
        assert!(same(&Value::Float(800.0), &Value::Int(800)));
        assert!(!same(&Value::Int(800), &Value::Float(800.5)));
    }

    #[test]
    fn a_difference_has_the_decimals_of_its_values() {
        assert_eq!(difference(10.0, 9.95, Some("10.0"), Some("9.95")), -0.05);
        assert_eq!(difference(16.27, 41.27, Some("16.27"), Some("41.27")), 25.0);
        assert_eq!(difference(1.0, 2.0, Some("1"), Some("2")), 1.0);
        assert_eq!(difference(0.1, 0.3, Some("1e-1"), Some("0.3")), 0.2);
    }

    #[test]
    fn sums_of_amounts_are_the_decimal_sums() {
        let total = |xs: &mut dyn Iterator<Item = f64>| {
            shown_decimal(xs.fold(Sum::default(), Sum::plus).total())
        };
        assert_eq!(total(&mut std::iter::repeat_n(0.1, 10)), 1.0);
        // 3,000 amounts in cents: the plain sum is 30007003.93999999, past what 15 digits
        // round away.
        let cents = |i: u64| i * 668_265_263 % 1_999_999;
        let exact: u64 = (0..3000).map(cents).sum();
        let amounts = (0..3000).map(|i| cents(i) as f64 / 100.0);
        assert_eq!(shown_decimal(amounts.clone().sum()), 30_007_003.939_999_99);
        assert_eq!(total(&mut amounts.into_iter()), exact as f64 / 100.0);
    }

    #[test]
    fn transitions_of_numbers_sort_by_value_and_ranked_values_by_their_order() {
        let pair = |a: Option<&str>, b: &str| {
            let shown = |t: Option<&str>| Shown {
                text: t.map(String::from),
                json: t.into(),
            };
            (
                (a.map(String::from), Some(b.to_owned())),
                (1, Direction::Changed, shown(a), shown(Some(b))),
            )
        };
        let amounts = HashMap::from([
            pair(Some("0"), "10000"),
            pair(Some("0"), "1000"),
            pair(None, "9"),
            pair(Some("0"), "200"),
        ]);
        let shown: Vec<(Option<String>, Option<String>)> = transitions(amounts, |_| None)
            .into_iter()
            .map(|t| (t.from.text, t.to.text))
            .collect();
        let s = |v: &str| Some(v.to_owned());
        assert_eq!(
            shown,
            [
                (s("0"), s("200")),
                (s("0"), s("1000")),
                (s("0"), s("10000")),
                (None, s("9"))
            ]
        );
        let order = ["A".to_owned(), "B".to_owned()];
        let tiers = HashMap::from([pair(Some("B"), "A"), pair(Some("A"), "B")]);
        let rank = |v: &Option<String>| v.as_ref().and_then(|v| order.iter().position(|o| o == v));
        let first = transitions(tiers, rank).remove(0);
        assert_eq!((first.from.text, first.to.text), (s("A"), s("B")));
    }
}
