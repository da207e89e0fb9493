//! The static type check: comparing a name with a constant of another kind can never be
//! true (`tier == 1` when every tier is text) and is an error. Comparing a text output with
//! a text it never takes (`tier == "a"`) is a warning: likely a typo.
//!
//! What a name can be comes from the source's declared column types (DATE/DATETIME columns
//! hold dates), the run's context (`as_of` is a date, `period` text), population figures
//! (numbers) and outputs whose every value is a constant; once the rule set is assembled,
//! metrics and outputs given by formulas are checked by the kind their formulas give
//! ([`check_inferred`]). A comparison is `==`/`!=`/an ordering, an item of `in [...]`, or a
//! `switch` case.

use super::Sink;
use super::compile::Compiled;
use super::operations::Operand;
use super::symbols::Symbols;
use crate::diag::{Diagnostic, SourceFile};
use crate::rules::ValueKind;
use crate::rules::{RuleSet, Slot, SlotKind, ValueExpr};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// How a name meets a constant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum How {
    /// `<`, `<=`, `>`, `>=`.
    Order,
    /// `==`, `!=`.
    Equal,
    /// An item of `name in [...]` (compared as by `==`), in the list whose `in` is at `list`
    /// (line, column: in the expression as found, in the file once noted).
    Item { list: (usize, usize) },
    /// A case of `switch name { ... }`.
    Case,
}

/// `name <op> constant` in some expression, for the static type check.
pub(super) struct Comparison {
    pub slot: Slot,
    pub constant: rhai::Dynamic,
    pub how: How,
    pub file: Arc<SourceFile>,
    pub line: usize,
    pub column: usize,
    /// The rule, metric or figure the comparison is in.
    pub owner: String,
    /// For a case in a script function: the call that passes the name.
    pub via: Option<String>,
}

/// The values an output takes, when all of them are constants.
type Known = HashMap<Slot, Option<Vec<rhai::Dynamic>>>;

/// Checks every comparison the compiled expressions make.
pub(super) fn check(symbols: &Symbols, compiled: &Compiled, diags: &mut Sink) {
    let values = output_values(compiled);
    let lists: HashSet<Slot> = (compiled.decisions.iter().flatten())
        .flat_map(|d| d.list_outputs())
        .collect();
    let mut errors = OneErrorPerPlace::default();
    for c in &compiled.comparisons {
        let problem = match lists.contains(&c.slot) {
            true => list_compared(symbols, c),
            false => {
                check_one(symbols, &values, c).or_else(|| percentile_equal(symbols, compiled, c))
            }
        };
        if let Some(d) = problem {
            errors.push(c, d, diags);
        }
    }
}

/// A percentile compared for equality with a decimal (`sales_rank == 0.8`; a grid cell of
/// a bare `0.8` means that): a percentile sits just under its share, so it never equals a
/// decimal, and the comparison is never true (`!=`: always). An order was meant.
fn percentile_equal(symbols: &Symbols, compiled: &Compiled, c: &Comparison) -> Option<Diagnostic> {
    let figure = compiled.population.get(&c.slot)?;
    let x = c.constant.as_float().ok()?;
    if c.how != How::Equal
        || figure.statistic != crate::rules::stats::Statistic::Percentile
        || !(0.0 < x && x < 1.0)
    {
        return None;
    }
    let name = symbols.name(c.slot);
    let d = Diagnostic::error(
        &c.file,
        c.line,
        c.column,
        format!(
            "`{name}` is a percentile, which never equals a decimal (each customer's sits just under a share), so comparing it for equality with {x} decides nothing"
        ),
    )
    .warning()
    .rule(c.owner.clone())
    .help(format!(
        "compare with an order: `{name} >= {x}` (in a grid cell, `>= {x}`: a bare number means equal)"
    ));
    Some(d)
}

/// A list output (`alerts`, the values of every matching row) compared with one value:
/// never equal, never ordered. What was meant is whether it holds the value.
fn list_compared(symbols: &Symbols, c: &Comparison) -> Option<Diagnostic> {
    let kind = ValueKind::of(&c.constant)?;
    let name = symbols.name(c.slot);
    let shown = match kind {
        ValueKind::Text => format!("\"{}\"", c.constant),
        _ => constant_text(&c.constant),
    };
    let how = match c.how {
        How::Order => "ordered against",
        How::Case => "matched by a case of",
        How::Equal | How::Item { .. } => "equal to",
    };
    let d = Diagnostic::error(
        &c.file,
        c.line,
        c.column,
        format!("output `{name}` is a list, never {how} {}", kind.noun()),
    )
    .rule(c.owner.clone())
    .help(format!(
        "to test whether it holds an item, write `{shown} in {name}` (`!({shown} in {name})` for not)"
    ));
    Some(d)
}

/// The items of `name in [1, 2]` are compared at their own places, but one error per list
/// is enough (it points at the first item of another kind), while each item's own warning
/// (`tier` is never "Silvr") still counts. (The
/// copies of a `for_each` decision share places but not owners: each keeps its error, and
/// the copies' errors are merged into one later.)
#[derive(Default)]
struct OneErrorPerPlace(HashSet<(usize, usize, usize, String)>);

impl OneErrorPerPlace {
    fn push(&mut self, c: &Comparison, mut d: Diagnostic, diags: &mut Sink) {
        if let Some(via) = &c.via {
            d.message = format!("{}; {via}", d.message);
        }
        let file = Arc::as_ptr(&c.file) as usize;
        let (line, column) = match c.how {
            How::Item { list } => list,
            _ => (c.line, c.column),
        };
        let place = (file, line, column, c.owner.clone());
        if d.severity != crate::diag::Severity::Error || self.0.insert(place) {
            diags.push(d);
        }
    }
}

/// Notes the kind of every name in `compiled`'s operations, where the declarations or the
/// outputs' constants say it, and which names are columns that declare no type.
pub(super) fn note_kinds(symbols: &Symbols, compiled: &mut Compiled) {
    let values = output_values(compiled);
    for op in &mut compiled.operations {
        for operand in &mut op.operands {
            if let Operand::Slot {
                slot,
                kind,
                undeclared,
            } = operand
            {
                *kind = kind_of(symbols, &values, *slot).0;
                *undeclared =
                    symbols.kind(*slot) == SlotKind::Field && symbols.field_kind(*slot).is_none();
            }
        }
    }
}

/// What each output can be, when all its values are constants.
fn output_values(compiled: &Compiled) -> Known {
    let mut values = Known::new();
    for d in compiled.decisions.iter().flatten() {
        // What the rows give, and the defaults (what the others get).
        let defaults = d
            .defaults
            .iter()
            .enumerate()
            .filter_map(|(k, v)| Some((k, v.as_ref()?)));
        let given = d
            .rows
            .iter()
            .flat_map(|r| r.values.iter().map(|(k, v)| (*k, v)));
        for (k, v) in given.chain(defaults) {
            let Some(&slot) = d.outputs.get(k) else {
                continue;
            };
            let entry = values.entry(slot).or_insert_with(|| Some(Vec::new()));
            match (v, entry.as_mut()) {
                (ValueExpr::Const(c), Some(list)) => list.push(c.value().to_dynamic()),
                _ => *entry = None,
            }
        }
        // `capped_by:` receives the id of a cap (`list-8pct@beverages` in a `for_each`), so
        // `capped_by_beverages == "list-8pct"` is never true: said as for a row's value.
        if let Some(slot) = d.capped_by {
            let ids = (d.caps.iter()).map(|c| compiled.rule_ids.ids[c.rule as usize].as_str());
            let entry = values.entry(slot).or_insert_with(|| Some(Vec::new()));
            if let Some(list) = entry.as_mut() {
                list.extend(ids.map(|id| rhai::Dynamic::from(id.to_owned())));
            }
        }
    }
    values
}

/// The kind of the values a slot holds, when known, and the values, when all are known.
fn kind_of<'v>(
    symbols: &Symbols,
    values: &'v Known,
    slot: Slot,
) -> (Option<ValueKind>, Option<&'v Vec<rhai::Dynamic>>) {
    match symbols.kind(slot) {
        SlotKind::Field | SlotKind::Context => (symbols.field_kind(slot), None),
        SlotKind::Population => (Some(ValueKind::Number), None),
        SlotKind::Metric | SlotKind::Past => (None, None),
        SlotKind::Output => match values.get(&slot).and_then(|v| v.as_ref()) {
            Some(list) => {
                let kinds: HashSet<Option<ValueKind>> = list.iter().map(ValueKind::of).collect();
                match kinds.into_iter().collect::<Vec<_>>()[..] {
                    [Some(k)] => (Some(k), Some(list)),
                    _ => (None, None),
                }
            }
            None => (None, None),
        },
    }
}

/// The distinct values, in order of first appearance.
fn listing(list: &[rhai::Dynamic]) -> String {
    let mut shown: Vec<String> = Vec::new();
    for v in list {
        let s = crate::text::visible(&v.to_string()).into_owned();
        if !shown.contains(&s) {
            shown.push(s);
        }
    }
    shown.join(", ")
}

/// Once the rule set is assembled: the comparisons of a metric, or of an output some
/// formula gives, whose kind the formulas tell (`m: channel` is text; `= 1 + x` a number),
/// with a constant of another kind. The check above knows only declared columns and
/// constant outputs; without this one, `switch m { 1 => ... }` on a text metric gave NULL
/// for every customer (a `switch` case never matches another kind, and says nothing).
pub(super) fn check_inferred(
    set: &RuleSet,
    kinds: &super::kinds::SlotKinds,
    comparisons: &[Comparison],
    diags: &mut Sink,
) {
    let mut errors = OneErrorPerPlace::default();
    for c in comparisons {
        let Some((name, slot_kind)) = set.slots.get(c.slot) else {
            continue;
        };
        if !matches!(slot_kind, SlotKind::Metric | SlotKind::Output) {
            continue;
        }
        let Some(kind) = kinds.get(&c.slot).copied().flatten() else {
            continue;
        };
        if let Some(d) = kind_mismatch(name, *slot_kind, kind, None, c) {
            errors.push(c, d, diags);
        }
    }
}

/// A population figure over text, dates or true/false (`rank_of: region`): every statistic
/// ranks numbers, so the run would fail on the first customer.
pub(super) fn check_ranked(set: &RuleSet, ranked: &[Option<ValueKind>], diags: &mut Sink) {
    for (figure, kind) in set.population.iter().zip(ranked) {
        let Some(kind) = kind.filter(|k| *k != ValueKind::Number) else {
            continue;
        };
        let at = &figure.of.origin;
        let d = Diagnostic::error(
            &at.file,
            at.line,
            at.column,
            format!(
                "population figure `{}` ranks `{}`, which is {}: {} ranks numbers",
                figure.name,
                figure.of.text,
                kind.noun(),
                figure.statistic.key()
            ),
        )
        .rule(figure.name.clone())
        .help(match kind {
            ValueKind::Text => "rank a number (a column of sales, a metric); to rank texts by an order of your own, give each a number first (`switch region { \"North\" => 1, ... }`)".to_owned(),
            ValueKind::Date => format!(
                "rank a number of days instead (`days_between({}, as_of)`)",
                figure.of.text
            ),
            _ => "rank a number (`if flag { 1 } else { 0 }`)".to_owned(),
        });
        diags.push(d);
    }
}

/// The problem with one comparison, if any.
fn check_one(symbols: &Symbols, values: &Known, c: &Comparison) -> Option<Diagnostic> {
    ValueKind::of(&c.constant)?;
    let (name, slot_kind) = (symbols.name(c.slot), symbols.kind(c.slot));
    let (kind, known) = kind_of(symbols, values, c.slot);
    if let Some(d) = kind_mismatch(name, slot_kind, kind?, known, c) {
        return Some(d);
    }
    let list = known?;
    if c.how != How::Order
        && kind == Some(ValueKind::Text)
        && !list.iter().any(|v| v.to_string() == c.constant.to_string())
    {
        let d = Diagnostic::error(
            &c.file,
            c.line,
            c.column,
            format!("output `{name}` is never \"{}\"", c.constant),
        )
        .warning()
        .rule(c.owner.clone())
        .help({
            let written = c.constant.to_string();
            // `"a"` for `A`: text compares exactly, case included.
            match list.iter().find(|v| v.to_string().eq_ignore_ascii_case(&written)) {
                Some(meant) => format!(
                    "did you mean \"{meant}\"? Text compares exactly, case included (its values are: {})",
                    listing(list)
                ),
                None => format!("its values are: {}", listing(list)),
            }
        });
        return Some(d);
    }
    None
}

/// `name` (of kind `kind`, taking the values `known` when they are all constants) compared
/// with a constant of another kind: the error.
fn kind_mismatch(
    name: &str,
    slot_kind: SlotKind,
    kind: ValueKind,
    known: Option<&Vec<rhai::Dynamic>>,
    c: &Comparison,
) -> Option<Diagnostic> {
    let constant_kind = ValueKind::of(&c.constant)?;
    if kind != constant_kind {
        let what = match known {
            Some(list) => format!(
                "{} `{name}` is {} ({})",
                slot_kind.noun(),
                kind.noun(),
                listing(list)
            ),
            None => format!("{} `{name}` is {}", slot_kind.noun(), kind.noun()),
        };
        if c.how == How::Case {
            return Some(super::operations::case_of_another_kind(
                (&c.file, c.line, c.column, &c.owner),
                &what,
                kind,
                &c.constant,
                constant_kind,
            ));
        }
        let d = Diagnostic::error(
            &c.file,
            c.line,
            c.column,
            format!(
                "{what}, but it is compared with {} `{}`",
                constant_kind.noun(),
                constant_text(&c.constant)
            ),
        )
        .rule(c.owner.clone())
        .help(match (kind, constant_kind) {
            // In a formula `date("...")`; a grid or spreadsheet cell takes the day as it is.
            (ValueKind::Date, ValueKind::Text) => match crate::time::Date::parse(&c.constant.to_string()) {
                Some(day) => format!(
                    "a date compares with a date: write date(\"{day}\") (in a grid or spreadsheet cell, {day} as it is)"
                ),
                None => "a date compares with a date, written year-month-day: date(\"2025-12-31\") in a formula, 2025-12-31 as it is in a grid or spreadsheet cell".to_owned(),
            },
            (ValueKind::Text, ValueKind::Number) => match known.and_then(|l| l.first()) {
                Some(value) => format!(
                    "text and numbers never compare: compare `{name}` with text, e.g. \"{value}\""
                ),
                None => super::operations::text_number_help_for(name),
            },
            (ValueKind::Number, ValueKind::Text) => {
                super::operations::number_written_as_text(&c.constant.to_string()).unwrap_or_else(
                    || format!("text and numbers never compare: compare `{name}` with a number"),
                )
            }
            (ValueKind::Number | ValueKind::Text, ValueKind::Bool) => {
                super::operations::bool_help_for(Some(name), kind)
            }
            (ValueKind::Bool, ValueKind::Number | ValueKind::Text) => {
                "true/false compares only with true/false: write `true` or `false`".into()
            }
            (ValueKind::Date, _) | (_, ValueKind::Date) => {
                "a date compares only with a date; this comparison is an error for every customer"
                    .into()
            }
            _ => "this comparison can never be true".into(),
        });
        return Some(d);
    }
    None
}

/// A constant as written in a rule: a date as `2025-06-01` (Rhai shows its type's Rust path).
fn constant_text(constant: &rhai::Dynamic) -> String {
    crate::value::Value::from_dynamic(constant.clone()).to_string()
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn a_comparison_with_a_constant_of_another_kind_is_an_error() {
        assert_eq!(
            errors(&[(
                "a.yaml",
                "population:\n  p: { percentile_of: annual_sales }\ndecisions:\n  - name: tier\n    rules:\n      - { id: a, when: 'p == \"x\"', then: { tier: A } }\n      - { id: b, when: 'channel == 5 || overdue_days == \"x\" || 3 < channel', then: { tier: B } }\n  - name: seg\n    rules:\n      - { id: s1, when: 'tier == 1 || tier > 2', then: { seg: x } }\n",
            )]),
            [
                "error rules/a.yaml:6:27 [a]: population figure `p` is a number, but it is compared with text `x` | help: text and numbers never compare: compare `p` with a number",
                "error rules/a.yaml:7:33 [b]: field `channel` is text, but it is compared with a number `5` | help: text and numbers never compare: for dates, compare `date(channel)` with a date such as `date(\"2025-01-01\")`; for numbers kept as text, convert with `parse_float(channel)`",
                "error rules/a.yaml:7:54 [b]: field `overdue_days` is a number, but it is compared with text `x` | help: text and numbers never compare: compare `overdue_days` with a number",
                "error rules/a.yaml:7:66 [b]: field `channel` is text, but it is compared with a number `3` | help: text and numbers never compare: for dates, compare `date(channel)` with a date such as `date(\"2025-01-01\")`; for numbers kept as text, convert with `parse_float(channel)`",
                "error rules/a.yaml:10:31 [s1]: output `tier` is text (A, B), but it is compared with a number `1` | help: text and numbers never compare: compare `tier` with text, e.g. \"A\"",
                "error rules/a.yaml:10:44 [s1]: output `tier` is text (A, B), but it is compared with a number `2` | help: text and numbers never compare: compare `tier` with text, e.g. \"A\"",
            ]
        );
    }

    #[test]
    fn a_text_an_output_never_takes_is_a_warning() {
        let (_, warnings) = load(&[(
            "a.yaml",
            "decisions:\n  - name: tier\n    rules:\n      - { id: a, when: annual_sales > 1, then: { tier: A } }\n      - { id: b, when: annual_sales > 0, then: { tier: B } }\n      - { id: c, then: { tier: A } }\n  - name: seg\n    rules:\n      - { id: s1, when: 'tier == \"D\" || tier != \"a\" || tier > \"A\"', then: { seg: x } }\n",
        )])
        .unwrap();
        assert_eq!(
            warnings,
            [
                "warning rules/a.yaml:9:31 [s1]: output `tier` is never \"D\" | help: its values are: A, B",
                "warning rules/a.yaml:9:46 [s1]: output `tier` is never \"a\" | help: did you mean \"A\"? Text compares exactly, case included (its values are: A, B)",
            ]
        );
    }

    #[test]
    fn a_number_column_compared_with_a_number_written_as_text_says_how_to_write_it() {
        let all = errors(&[(
            "a.yaml",
            "decisions:\n  - name: t\n    outputs: [t]\n    grid: |\n      id | annual_sales | t\n      a  | 50-70        | A\n      b  | \">= 0.95\"    | B\n      c  | -            | C\n",
        )]);
        let helps: Vec<&str> = all
            .iter()
            .filter_map(|e| e.split(" | help: ").nth(1))
            .collect();
        assert_eq!(
            helps,
            [
                "for a range write `[50..70]` in a grid cell, or `x >= 50 && x <= 70`",
                "to test the value, write >= 0.95 without the quotes",
            ],
            "{all:#?}"
        );
    }

    #[test]
    fn a_list_output_compared_with_one_value_is_an_error_saying_to_use_in() {
        assert_eq!(
            errors(&[(
                "a.yaml",
                "decisions:\n  - name: alerts\n    hit: collect\n    aggregate: list\n    output: alerts\n    rules:\n      - { id: a, when: annual_sales > 1, value: big }\n  - name: plan\n    rules:\n      - { id: p, when: 'annual_sales > 5', then: { visits: [business] } }\n      - { id: q, then: { visits: [] } }\n  - name: tier\n    rules:\n      - { id: t, when: 'alerts == \"big\" || \"big\" in alerts || visits > 1', then: { tier: A } }\n",
            )]),
            [
                "error rules/a.yaml:14:32 [t]: output `alerts` is a list, never equal to text | help: to test whether it holds an item, write `\"big\" in alerts` (`!(\"big\" in alerts)` for not)",
                "error rules/a.yaml:14:70 [t]: output `visits` is a list, never ordered against a number | help: to test whether it holds an item, write `1 in visits` (`!(1 in visits)` for not)",
            ]
        );
    }

    #[test]
    fn metrics_and_outputs_with_formulas_are_checked_by_the_kind_the_formulas_give() {
        // `m` is a number (a REAL column); `f` is a number in one row and text in the
        // other, so its kind is not known and `f == 1` is not checked.
        assert_eq!(
            errors(&[(
                "a.yaml",
                "metrics:\n  m: annual_sales\ndecisions:\n  - name: d\n    rules:\n      - { id: a, when: annual_sales > 1, then: { f: '= m' } }\n      - { id: b, then: { f: x } }\n  - name: e\n    rules:\n      - { id: c, when: 'm == \"x\" || f == 1', then: { e: 1 } }\n      - { id: g, when: 'switch f { 1 => true, _ => false }', then: { e: 2 } }\n",
            )]),
            [
                "error rules/a.yaml:10:27 [c]: metric `m` is a number, but it is compared with text `x` | help: text and numbers never compare: compare `m` with a number",
            ]
        );
    }

    #[test]
    fn a_formula_over_a_column_of_unknown_kind_is_not_taken_for_a_number() {
        // `code + 1` concatenates when `code` holds text: its kind is not known, so
        // comparing the metric with text is no error.
        let rules = [(
            "a.yaml",
            "metrics:\n  label: code + 1\ndecisions:\n  - name: d\n    rules:\n      - { id: a, when: 'label == \"x1\"', then: { d: 1 } }\n",
        )];
        let columns = [("customer_id", "TEXT"), ("code", "")];
        assert!(load_with(&rules, &columns, &Default::default()).is_ok());
    }

    #[test]
    fn an_output_whose_default_is_of_unknown_kind_is_not_taken_for_a_number() {
        // The rows give numbers, the default a column that declares no type.
        let rules = [(
            "a.yaml",
            "decisions:\n  - name: d\n    outputs: [{ name: o, default: '= code' }]\n    rules:\n      - { id: a, when: annual_sales > 1, then: { o: 1 } }\n  - name: e\n    rules:\n      - { id: b, when: 'o == \"none\"', then: { e: 1 } }\n",
        )];
        let columns = [
            ("customer_id", "TEXT"),
            ("annual_sales", "REAL"),
            ("code", ""),
        ];
        let loaded = load_with(&rules, &columns, &Default::default());
        assert!(loaded.is_ok(), "{loaded:?}");
    }

    #[test]
    fn each_item_of_in_is_compared_and_a_list_gets_one_error() {
        let rules = "decisions:\n  - name: d\n    rules:\n      - { id: a, when: annual_sales > 1, then: { tier: A } }\n      - { id: b, then: { tier: B } }\n  - name: e\n    rules:\n      - { id: c, when: 'tier in [\"A\", \"Z\", \"Y\"]', then: { e: 1 } }\n";
        let (_, warnings) = load(&[("a.yaml", rules)]).unwrap();
        assert_eq!(
            warnings,
            [
                "warning rules/a.yaml:8:39 [c]: output `tier` is never \"Z\" | help: its values are: A, B",
                "warning rules/a.yaml:8:44 [c]: output `tier` is never \"Y\" | help: its values are: A, B",
            ]
        );
        assert_eq!(
            errors(&[(
                "a.yaml",
                "decisions:\n  - name: d\n    rules:\n      - { id: a, when: 'channel in [1, 2, 3]', then: { d: 1 } }\n",
            )]),
            [
                "error rules/a.yaml:4:37 [a]: field `channel` is text, but it is compared with a number `1` | help: text and numbers never compare: for dates, compare `date(channel)` with a date such as `date(\"2025-01-01\")`; for numbers kept as text, convert with `parse_float(channel)`",
            ]
        );
        // Two lists of one rule, at the same column of their expressions: an error each.
        let two = errors(&[(
            "a.yaml",
            "decisions:\n  - name: d\n    rules:\n      - id: a\n        then:\n          x: '= channel in [1]'\n          y: '= channel in [2]'\n",
        )]);
        assert_eq!(two.len(), 2, "{two:#?}");
    }

    #[test]
    fn true_false_compared_with_a_number_or_text_is_an_error() {
        let rules = [(
            "a.yaml",
            "decisions:\n  - name: d\n    rules:\n      - { id: a, when: 'ok == 1 || score == true', then: { d: 1 } }\n",
        )];
        let columns = [
            ("customer_id", "TEXT"),
            ("ok", "BOOLEAN"),
            ("score", "REAL"),
        ];
        assert_eq!(
            load_with(&rules, &columns, &Default::default()).unwrap_err(),
            [
                "error rules/a.yaml:4:28 [a]: field `ok` is true/false, but it is compared with a number `1` | help: true/false compares only with true/false: write `true` or `false`",
                "error rules/a.yaml:4:42 [a]: field `score` is a number, but it is compared with true/false `true` | help: true/false compares only with true/false; SQLite stores them as 1 and 0: declare the column BOOLEAN, or compare `score == 1`",
            ]
        );
    }

    #[test]
    fn an_undeclared_column_type_is_not_checked() {
        let rules = [(
            "a.yaml",
            "decisions:\n  - name: d\n    rules:\n      - { id: a, when: 'score == \"x\"', then: { d: 1 } }\n",
        )];
        let columns = [("customer_id", "TEXT"), ("score", "")];
        let loaded = load_with(&rules, &columns, &Default::default());
        assert!(loaded.is_ok(), "{loaded:?}");
    }
}
