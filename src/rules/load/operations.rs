//! Text and numbers never meet, and dates take no arithmetic: a comparison of text with a
//! number, arithmetic on text (`last_day - first_day` of two ISO dates kept as text) and
//! arithmetic on dates (`as_of - 90`: `add_days`), is an error at load time whenever
//! the kinds are known. They are known from the declared column types (and the outputs whose
//! every value is a constant); for a column that declares no type (a query's expression, a
//! table made by `CREATE TABLE ... AS SELECT`) from the values read, which `run` and
//! `check --data` check before evaluating ([`check_seen`]). What neither knows (a column
//! holding both) is a run-time error naming the customer and the values.
//!
//! A comparison of a name with a constant of a known kind is checked by [`super::types`];
//! here: name with name, and arithmetic.

use super::Sink;
use crate::diag::{Diagnostic, Diagnostics, SourceFile};
use crate::rules::{RuleSet, Slot, SlotKind};
use crate::source::{Affinity, Column, Dataset, Field};
use crate::value::ValueKind;
use std::collections::HashSet;
use std::sync::Arc;

/// The date functions, each with how many of its first arguments are dates
/// (`add_days(date, days)`: one): such a call is an operation of the function's name, its
/// operands those arguments, checked to be dates where their kinds are known.
pub const DATE_CALLS: &[(&str, usize)] = &[
    ("days_between", 2),
    ("months_between", 2),
    ("add_days", 1),
    ("add_months", 1),
    ("year", 1),
    ("month", 1),
    ("quarter", 1),
    ("day", 1),
    ("weekday", 1),
    ("end_of_month", 1),
];

/// An operand of an operator.
#[derive(Debug, Clone)]
pub enum Operand {
    /// A name, with the kind known at load time, and whether it is a column that declares
    /// no type (whose kind the data tells).
    Slot {
        slot: Slot,
        kind: Option<ValueKind>,
        undeclared: bool,
    },
    Const(rhai::Dynamic),
    /// Anything else (a sub-expression).
    Other,
}

/// The operator of a `switch` case: `name == value`, the value matched only by a value of
/// its exact kind (a whole-number case never matches 5.0).
pub const SWITCH_CASE: &str = "case";

/// The operator of an end of a `switch` case's range (`1..=3`): `name == value` for the
/// kind checks, but matched by whole and decimal numbers alike.
pub const SWITCH_RANGE: &str = "case range";

/// The operator of an item of `name in [...]`: `name == item`, placed at the item.
pub const IN_ITEM: &str = "in";

/// `a <op> b` in some expression, with `<op>` a comparison or arithmetic other than `+`, or
/// [`SWITCH_CASE`] or [`IN_ITEM`].
#[derive(Debug, Clone)]
pub struct Operation {
    pub op: String,
    pub operands: [Operand; 2],
    pub file: Arc<SourceFile>,
    pub line: usize,
    pub column: usize,
    /// For an item of `name in [...]`: where its list's `in` is in the file (one error per
    /// list).
    pub list: Option<(usize, usize)>,
    /// The rule, metric or figure the operation is in.
    pub owner: String,
    /// For a case in a script function: the call that passes the name (what a message
    /// adds: "`f(region)` passes it as `channel`").
    pub via: Option<String>,
}

impl Operation {
    fn is_comparison(&self) -> bool {
        matches!(
            self.op.as_str(),
            "==" | "!=" | "<" | "<=" | ">" | ">=" | SWITCH_CASE | SWITCH_RANGE | IN_ITEM
        )
    }

    /// Whether some operand is a column that declares no type.
    /// `d` about this operation, saying which call passed the name when it is in a script.
    pub(super) fn passed(&self, mut d: Diagnostic) -> Diagnostic {
        if let Some(via) = &self.via {
            d.message = format!("{}; {via}", d.message);
        }
        d
    }

    pub fn reads_undeclared(&self) -> bool {
        self.operands.iter().any(|o| {
            matches!(
                o,
                Operand::Slot {
                    undeclared: true,
                    ..
                }
            )
        })
    }
}

/// What a message says of an operand: its kind and how it is named.
struct Said {
    kind: ValueKind,
    /// "field `last_day`", "a number `19980101`"
    noun: String,
    /// The name, for a help's example (`date(last_day)`).
    name: Option<String>,
    /// " (in the data: its column declares no type)"
    seen: &'static str,
}

/// Load time: every operation whose operands' kinds are known from the declarations.
pub(super) fn check(set_names: &[(String, SlotKind)], ops: &[Operation], diags: &mut Sink) {
    for op in ops {
        let said = |o: &Operand| say(set_names, o, None);
        // Name with constant: `types` checks it.
        let names = op
            .operands
            .iter()
            .filter(|o| matches!(o, Operand::Slot { .. }))
            .count();
        if op.op == SWITCH_CASE
            && let Operand::Slot { slot, .. } = op.operands[0]
            && let Some((_, SlotKind::Population)) = set_names.get(slot)
        {
            // Population figures are decimals, whatever they count (a quintile is 5.0).
            if let Some(d) = exact_number_case(set_names, op, Numbers::Decimals) {
                diags.push(d);
            }
        }
        // Two constants (`\`Annual Sales\` > 0`: a column's name in quotes is text) are
        // checked here too: false for everyone, whatever the data.
        if op.is_comparison() && names == 1 {
            continue;
        }
        if let Some(d) = problem(op, said(&op.operands[0]), said(&op.operands[1])) {
            diags.push(d);
        }
    }
}

/// After reading the customers: the operations on columns that declare no type, with the
/// kinds the data holds. An error for each (one per `in` list); the rules are not to be
/// evaluated then.
pub fn check_seen(set: &RuleSet, data: &Dataset) -> Result<(), Diagnostics> {
    let mut found = Vec::new();
    // The lists with an item already reported: one error per list, as at load time.
    let mut lists_reported = HashSet::new();
    for op in set.operations.iter().filter(|o| o.reads_undeclared()) {
        let list = op.list.map(|at| (&op.file.path, &op.owner, at));
        if list.is_some_and(|l| lists_reported.contains(&l)) {
            continue;
        }
        let said = |o: &Operand| say(&set.slots, o, Some(data));
        let (a, b) = (said(&op.operands[0]), said(&op.operands[1]));
        // Only what the declarations could not tell: an operand whose kind the data gave.
        if ![&a, &b]
            .iter()
            .any(|s| s.as_ref().is_some_and(|s| !s.seen.is_empty()))
        {
            continue;
        }
        if let Some(d) = problem(op, a, b) {
            found.push(d);
            lists_reported.extend(list);
        }
    }
    // Metrics and outputs that hold decimals because a column does (`m: discount * 2`);
    // those the rules alone make decimals were found at load time.
    let decimal = super::decimals::decimal_slots(set, super::decimals::Fields::Data(data));
    let cases = set.operations.iter().filter(|o| o.op == SWITCH_CASE);
    found.extend(cases.filter_map(|op| {
        let Operand::Slot { slot, .. } = op.operands[0] else {
            return None;
        };
        let numbers = match (set.slots.get(slot)?.1, data.columns.get(slot)) {
            // A column of whole numbers and decimals keeps each value's kind: a switch on it
            // finds `9` and `9.0` by their own cases (`mixed_cases`); a metric over it is
            // decimal where a decimal went in (`decimal_slots`).
            (SlotKind::Field, Some(Column::Float { .. })) => Numbers::Decimals,
            (SlotKind::Field, Some(Column::Int { .. })) => Numbers::Whole,
            (SlotKind::Metric | SlotKind::Output, _) if decimal.get(&slot) == Some(&true) => {
                Numbers::Decimals
            }
            _ => return None,
        };
        exact_number_case(&set.slots, op, numbers)
    }));
    found.extend(super::mixed_cases::cases_on_mixed_columns(set, data));
    if found.is_empty() {
        Ok(())
    } else {
        // As at load time, a mistake every `for_each` copy shares is one error.
        Err(Diagnostics(super::foreach::merge_copies(found)))
    }
}

/// Once the rule set is assembled: switch cases on a metric or output whose formulas always
/// give decimals (`m: sales / 12`, a population figure copied) with a whole-number case,
/// which never matches.
pub(super) fn check_decimal_cases(set: &RuleSet, fields: &[Field], diags: &mut Sink) {
    let decimal = super::decimals::decimal_slots(set, super::decimals::Fields::Declared(fields));
    // A column declared REAL holds decimals (SQLite stores 2 there as 2.0); one declared
    // INTEGER may still hold 2.5, so only the data tells (`check_seen`).
    let real = |slot: Slot| (fields.get(slot)).is_some_and(|f| f.affinity == Affinity::Real);
    for op in set.operations.iter().filter(|o| o.op == SWITCH_CASE) {
        if let Operand::Slot { slot, .. } = op.operands[0]
            && (decimal.get(&slot) == Some(&true) || real(slot))
            && let Some(d) = exact_number_case(&set.slots, op, Numbers::Decimals)
        {
            diags.push(d);
        }
    }
}

/// Whether a name's numbers are read as decimals or as whole numbers.
#[derive(Debug, Clone, Copy)]
enum Numbers {
    Decimals,
    Whole,
}

/// A switch case matches only a value of its exact kind, unlike `==`: a whole-number case
/// never matches decimals (a REAL column's 5.0, a population figure), nor a decimal case
/// whole numbers. The error for such a case, if `op` is one.
fn exact_number_case(
    names: &[(String, SlotKind)],
    op: &Operation,
    numbers: Numbers,
) -> Option<Diagnostic> {
    let [Operand::Slot { slot, .. }, Operand::Const(case)] = &op.operands else {
        return None;
    };
    let (name, slot_kind) = names.get(*slot)?;
    let (message, help) = match numbers {
        Numbers::Decimals if case.is_int() => (
            format!(
                "{} `{name}` is read as decimals ({case} as {case}.0), but the switch case `{case}` is a whole number, which a switch never finds equal to {case}.0 (unlike `==`): it never matches",
                slot_kind.noun()
            ),
            format!(
                "write the case as the range `{case}..={case}`, which matches {case} and {case}.0 alike (number cases cannot follow a range: make the later ones ranges too)"
            ),
        ),
        Numbers::Whole if case.is_float() => {
            let x = case.as_float().ok()?;
            (
                format!(
                    "{} `{name}` holds whole numbers, but the switch case `{case}` is a decimal, which a switch never finds equal to a whole number (unlike `==`): it never matches",
                    slot_kind.noun()
                ),
                if x.fract() == 0.0 && x.abs() < 1e15 {
                    format!("write the case as the whole number `{}`", x as i64)
                } else {
                    "no whole number equals it: write a whole number, or a range such as `2..=3`"
                        .to_string()
                },
            )
        }
        _ => return None,
    };
    let mut d = Diagnostic::error(&op.file, op.line, op.column, message)
        .rule(op.owner.clone())
        .help(help);
    d.width = written_width(case);
    Some(op.passed(d))
}

/// The kind of an operand and how to name it; `data` gives the kinds of columns that
/// declare none.
fn say(names: &[(String, SlotKind)], o: &Operand, data: Option<&Dataset>) -> Option<Said> {
    match o {
        Operand::Const(c) => {
            let kind = ValueKind::of(c)?;
            Some(Said {
                kind,
                noun: format!("{} `{c}`", kind.noun()),
                name: None,
                seen: "",
            })
        }
        Operand::Slot {
            slot,
            kind,
            undeclared,
        } => {
            let (name, slot_kind) = names.get(*slot)?;
            let (kind, seen) = match (kind, data) {
                (Some(k), _) => (*k, ""),
                (None, Some(data)) if *undeclared => (
                    data.columns.get(*slot)?.kind()?,
                    " (in the data: its column declares no type)",
                ),
                _ => return None,
            };
            Some(Said {
                kind,
                noun: format!("{} `{name}`", slot_kind.noun()),
                name: Some(name.clone()),
                seen,
            })
        }
        Operand::Other => None,
    }
}

/// A text compared with a date: a column of dates kept as text is read as dates when the
/// config lists it (`customers.dates`), or converted where it is used.
fn text_date_help(text: &Said) -> String {
    match (&text.name, text.noun.starts_with(SlotKind::Field.noun())) {
        (Some(name), true) => format!(
            "a date compares only with a date: to read the column's values (written 2025-03-01) as dates, list it in the config, `customers: {{ dates: [{name}] }}` (a malformed one then stops the run, naming it), or write `date({name})` here"
        ),
        (Some(name), false) => {
            format!(
                "a date compares only with a date: write `date({name})` for text written 2025-03-01"
            )
        }
        (None, _) => "a date compares only with a date: write date(\"2025-03-01\")".into(),
    }
}

fn text_number_help(text: &Said) -> String {
    text_number_help_for(text.name.as_deref().unwrap_or("..."))
}

/// What a text compared with a number meant, when it reads as a number written another
/// way: `1,000,000`, `50-70`, `>= 0.95` (a test in quotes, from a grid cell or a
/// `'x == ">= 0.95"'`).
pub(super) fn number_written_as_text(text: &str) -> Option<String> {
    let t = text.trim();
    if let Some(plain) = crate::text::ungrouped(t) {
        return Some(format!("write {plain}, without the thousands separators"));
    }
    if let Some((a, b)) = t.split_once('-')
        && let (Ok(_), Ok(_)) = (a.trim().parse::<f64>(), b.trim().parse::<f64>())
        && !a.trim().is_empty()
    {
        let (a, b) = (a.trim(), b.trim());
        return Some(format!(
            "for a range write `[{a}..{b}]` in a grid cell, or `x >= {a} && x <= {b}`"
        ));
    }
    let operator = ["<=", ">=", "!=", "==", "<", ">"]
        .into_iter()
        .find(|op| t.starts_with(op))?;
    t[operator.len()..].trim().parse::<f64>().ok()?;
    Some(format!("to test the value, write {t} without the quotes"))
}

/// The help for text (named `name`) compared with a number.
pub(super) fn text_number_help_for(name: &str) -> String {
    format!(
        "text and numbers never compare: for dates, compare `date({name})` with a date such as `date(\"2025-01-01\")`; for numbers kept as text, convert with `parse_float({name})`"
    )
}

/// The help for true/false compared with a number or text (named `name`).
pub(super) fn bool_help_for(name: Option<&str>, other: ValueKind) -> String {
    let name = name.unwrap_or("...");
    match other {
        ValueKind::Text => format!(
            "true/false compares only with true/false: compare text with text, e.g. `{name} == \"yes\"`"
        ),
        _ => format!(
            "true/false compares only with true/false; SQLite stores them as 1 and 0: declare the column BOOLEAN, or compare `{name} == 1`"
        ),
    }
}

/// How many characters a constant takes where it is written (text with its quotes).
fn written_width(c: &rhai::Dynamic) -> usize {
    c.to_string().chars().count() + if c.is_string() { 2 } else { 0 }
}

/// The error of one operation, if its operands' kinds do not go together.
fn problem(op: &Operation, a: Option<Said>, b: Option<Said>) -> Option<Diagnostic> {
    use ValueKind::{Bool, Date, Number, Text};
    if let (SWITCH_CASE, Operand::Const(case)) = (op.op.as_str(), &op.operands[1]) {
        let (a, b) = (a?, b?);
        if a.kind == b.kind {
            return None;
        }
        let what = format!("{} is {}{}", a.noun, a.kind.noun(), a.seen);
        let place = (&*op.file, op.line, op.column, &op.owner[..]);
        let mut d = case_of_another_kind(place, &what, a.kind, case, b.kind);
        d.width = written_width(case);
        return Some(op.passed(d));
    }
    // `add_days(last_day, 90)` of a text column: failed for every customer at run time.
    if let Some(&(function, dates)) = DATE_CALLS.iter().find(|(f, _)| *f == op.op) {
        let (k, said) = ([a, b].into_iter().enumerate().take(dates)).find_map(|(k, s)| {
            s.filter(|s| s.kind != ValueKind::Date && s.name.is_some())
                .map(|s| (k, s))
        })?;
        if !matches!(op.operands[k], Operand::Slot { .. }) {
            return None;
        }
        let help = match said.kind {
            Text => text_date_help(&said),
            _ => format!(
                "`{function}` takes a date: a column declared DATE, or listed under `customers.dates` in the config, `as_of`, or `date(...)` of text written 2025-03-01"
            ),
        };
        let d = Diagnostic::error(
            &op.file,
            op.line,
            op.column,
            format!(
                "{} is {}{}, and `{function}` needs a date: it fails for every customer with a value there",
                said.noun,
                said.kind.noun(),
                said.seen
            ),
        )
        .rule(op.owner.clone())
        .help(help.replace("a date compares only with a date", "a date function takes a date"));
        return Some(op.passed(d.width(function.chars().count())));
    }
    let (message, help) = if op.is_comparison() {
        let (a, b) = (a?, b?);
        let written = |s: &Said| match (&s.name, &op.operands[1]) {
            (None, Operand::Const(c)) => number_written_as_text(&c.to_string()),
            _ => None,
        };
        // `\`Annual Sales\` > 0`: a column's name in quotes or backticks is text.
        if let (None, None, Text, Number, Operand::Const(text)) =
            (&a.name, &b.name, a.kind, b.kind, &op.operands[0])
        {
            let snake: String = (text.to_string().trim().to_lowercase().chars())
                .map(|c| if c.is_alphanumeric() { c } else { '_' })
                .collect();
            let d = Diagnostic::error(
                &op.file,
                op.line,
                op.column,
                format!(
                    "\"{text}\" in quotes is a text, not a column, and it is compared with {}: text and numbers never compare, so this is false for every customer",
                    b.noun
                ),
            )
            .help(format!(
                "write a column by its name; one whose name has a blank is named anew in the customers query: `SELECT *, \"{text}\" AS {snake} FROM ...`, then `{snake}`"
            ))
            .rule(op.owner.clone());
            return Some(op.passed(d));
        }
        let help = match (a.kind, b.kind) {
            (Text, Number) => text_number_help(&a),
            (Number, Text) => written(&b).unwrap_or_else(|| text_number_help(&b)),
            (Bool, Number | Text) => bool_help_for(b.name.as_deref(), b.kind),
            (Number | Text, Bool) => bool_help_for(a.name.as_deref(), a.kind),
            // A licence's expiry in a TEXT column against `as_of`: failed for every
            // customer at run time, though `check` passed.
            (Text, Date) => text_date_help(&a),
            (Date, Text) => text_date_help(&b),
            (Date, Number | Bool) | (Number | Bool, Date) => {
                "a date compares only with a date; this comparison is an error for every customer"
                    .into()
            }
            _ => return None,
        };
        let object = match &b.name {
            Some(_) => format!("{}, which is {}{}", b.noun, b.kind.noun(), b.seen),
            None => b.noun.clone(),
        };
        (
            format!(
                "{} is {}{}, but it is compared with {object}",
                a.noun,
                a.kind.noun(),
                a.seen
            ),
            help,
        )
    } else if let Some(said) = date_arithmetic(op, a.as_ref(), b.as_ref()) {
        said
    } else if op.op == "+" {
        // Text `+` anything joins texts: only a date has no `+`.
        return None;
    } else {
        let texts: Vec<&Said> = [&a, &b]
            .into_iter()
            .flatten()
            .filter(|s| s.kind == Text)
            .collect();
        match texts[..] {
            [] => return None,
            [one] => (
                format!(
                    "{} is text{}, and `{}` needs numbers",
                    one.noun, one.seen, op.op
                ),
                format!(
                    "for numbers kept as text, convert with `parse_float({})`",
                    one.name.as_deref().unwrap_or("...")
                ),
            ),
            [x, y] => (
                format!(
                    "{} and {} are text{}, and `{}` needs numbers: text cannot be {}",
                    x.noun,
                    y.noun,
                    if x.seen.is_empty() { y.seen } else { x.seen },
                    op.op,
                    if op.op == "-" {
                        "subtracted"
                    } else {
                        "used in arithmetic"
                    }
                ),
                match (&x.name, &y.name) {
                    (Some(later), Some(earlier)) if op.op == "-" => format!(
                        "for the days between two dates write `days_between(date({earlier}), date({later}))`; for numbers kept as text, convert with `parse_float(...)`"
                    ),
                    _ => "for numbers kept as text, convert with `parse_float(...)`".into(),
                },
            ),
            _ => return None,
        }
    };
    let mut d = Diagnostic::error(&op.file, op.line, op.column, message)
        .rule(op.owner.clone())
        .help(help);
    d.width = match (op.op.as_str(), &op.operands[1]) {
        (IN_ITEM | SWITCH_RANGE, Operand::Const(item)) => written_width(item),
        _ => op.op.chars().count(),
    };
    Some(op.passed(d))
}

/// Arithmetic with a date (`as_of - 90`, `last_day - first_day`, `as_of * 2`): dates move
/// and are measured with functions. The message and help, if an operand is a date.
fn date_arithmetic(op: &Operation, a: Option<&Said>, b: Option<&Said>) -> Option<(String, String)> {
    use ValueKind::{Date, Number};
    let kind = |s: Option<&Said>| s.map(|s| s.kind);
    let name = |s: Option<&Said>| {
        s.and_then(|s| s.name.clone())
            .unwrap_or_else(|| "...".into())
    };
    let shown = |s: &Said| format!("{}{}", s.noun, s.seen);
    let (x, y) = (kind(a), kind(b));
    if x != Some(Date) && y != Some(Date) {
        return None;
    }
    let said = match (x, y, op.op.as_str()) {
        (Some(Date), Some(Date), "-") => (
            format!(
                "{} and {} are dates, and `-` does not give the days between them",
                shown(a?),
                shown(b?)
            ),
            match b.and_then(|b| b.name.clone()) {
                Some(from) => format!(
                    "for the days from `{from}` to `{to}`, write `days_between({from}, {to})`",
                    to = name(a)
                ),
                None => format!(
                    "for the days from the earlier date to `{to}`, write `days_between(earlier, {to})`",
                    to = name(a)
                ),
            },
        ),
        (Some(Date), Some(Number) | None, "-") => {
            let days = match (&op.operands[1], b.and_then(|b| b.name.clone())) {
                (Operand::Const(c), _) => c.to_string(),
                (_, Some(name)) => name,
                _ => "n".into(),
            };
            let date = name(a);
            let mut help = format!(
                "for the date {days} days earlier, write `add_days({date}, -{days})` (`add_months` for months)"
            );
            if y.is_none() {
                // What is subtracted may be a date (`date("2025-01-01")`).
                help.push_str(&format!(
                    "; for the days between two dates, `days_between(earlier, {date})`"
                ));
            } else if date != "as_of" {
                help.push_str(&format!(
                    "; for the days since `{date}`, `days_between({date}, as_of)`"
                ));
            }
            (
                format!("{} is a date, and `-` needs numbers", shown(a?)),
                help,
            )
        }
        // `dispute_opened + 14`: the grace's last day.
        (Some(Date), Some(Number) | None, "+") | (Some(Number) | None, Some(Date), "+") => {
            let (date, days) = if x == Some(Date) { (a, 1) } else { (b, 0) };
            let days = match &op.operands[days] {
                Operand::Const(c) => c.to_string(),
                _ => "n".into(),
            };
            (
                format!("{} is a date, and `+` needs numbers", shown(date?)),
                format!(
                    "for the date {days} {} later, write `add_days({}, {days})` (`add_months` for months)",
                    if days == "1" { "day" } else { "days" },
                    name(date)
                ),
            )
        }
        _ => {
            let date = if x == Some(Date) { a? } else { b? };
            (
                format!("{} is a date, and `{}` needs numbers", shown(date), op.op),
                "dates move with `add_days(date, n)` and `add_months(date, n)`, and are measured with `days_between(a, b)` and `months_between(a, b)`".into(),
            )
        }
    };
    Some(said)
}

/// A switch case of another kind than the value (`what` says the value is of `kind`), at
/// `place` (file, line, column, rule): it never matches, and nothing fails, so the switch
/// gives its default (or NULL) for everyone. Checked at load time ([`super::types`]) and,
/// for columns that declare no type, against the data ([`problem`]).
pub(super) fn case_of_another_kind(
    (file, line, column, owner): (&SourceFile, usize, usize, &str),
    what: &str,
    kind: ValueKind,
    case: &rhai::Dynamic,
    case_kind: ValueKind,
) -> Diagnostic {
    let help = match kind {
        ValueKind::Text => format!("write the case as text: \"{case}\""),
        ValueKind::Bool => "write the case as `true` or `false`".into(),
        _ => format!("write the case as {}", kind.noun()),
    };
    Diagnostic::error(
        file,
        line,
        column,
        format!(
            "{what}, but the switch case `{case}` is {}: it never matches",
            case_kind.noun()
        ),
    )
    .rule(owner.to_owned())
    .help(help)
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn arithmetic_on_dates_says_which_date_function_to_write() {
        let helps: Vec<String> = errors(&[(
            "a.yaml",
            "metrics:\n  a: as_of - overdue_days\n  b: as_of - date(\"2025-01-01\")\n  c: as_of * 2\ndecisions:\n  - name: t\n    rules: [{ id: t, then: { t: 1 } }]\n",
        )])
        .iter()
        .map(|e| e.split(" | help: ").nth(1).unwrap_or_default().to_owned())
        .collect();
        assert_eq!(
            helps,
            [
                "for the date overdue_days days earlier, write `add_days(as_of, -overdue_days)` (`add_months` for months)",
                "for the days from the earlier date to `as_of`, write `days_between(earlier, as_of)`",
                "dates move with `add_days(date, n)` and `add_months(date, n)`, and are measured with `days_between(a, b)` and `months_between(a, b)`",
            ]
        );
    }

    #[test]
    fn names_of_text_and_numbers_never_meet() {
        assert_eq!(
            errors(&[(
                "a.yaml",
                "decisions:\n  - name: d\n    rules:\n      - { id: a, when: 'channel < annual_sales', then: { o: 1 } }\n      - { id: b, when: '(channel - channel) > 0 || channel * 2 > 1', then: { o: 2 } }\n",
            )]),
            [
                "error rules/a.yaml:4:33 [a]: field `channel` is text, but it is compared with field `annual_sales`, which is a number | help: text and numbers never compare: for dates, compare `date(channel)` with a date such as `date(\"2025-01-01\")`; for numbers kept as text, convert with `parse_float(channel)`",
                "error rules/a.yaml:5:34 [b]: field `channel` and field `channel` are text, and `-` needs numbers: text cannot be subtracted | help: for the days between two dates write `days_between(date(channel), date(channel))`; for numbers kept as text, convert with `parse_float(...)`",
                "error rules/a.yaml:5:60 [b]: field `channel` is text, and `*` needs numbers | help: for numbers kept as text, convert with `parse_float(channel)`",
            ]
        );
    }
}
