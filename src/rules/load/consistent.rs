//! Every output of a decision gives one kind of value across its rows, and a kind its hit
//! policy can combine: `credit_block: yes` in one row and `true` in another, or `5%` (text)
//! in a summed table, would fail on the first customer at run time; here they fail `check`,
//! at the offending value.
//!
//! A value's kind is known for constants and for formulas whose fast-path form says it (a
//! comparison gives true/false, arithmetic a number, a template text, a field its declared
//! kind). NULL and formulas of unknown kind fit any kind.

use super::compile::Cx;
use crate::diag::SourceFile;
use crate::rules::native::{Arith, Node};
use crate::rules::{Aggregate, HitPolicy, Slot, SlotKind, ValueExpr};
use crate::value::{Lit, Literal, ValueKind};
use std::sync::Arc;

/// One value a row gives: the output's index, the row's id, the value as written and as
/// compiled.
pub(super) struct Given<'s> {
    pub output: usize,
    pub row: &'s str,
    pub written: &'s Literal,
    /// Where the value is written.
    pub at: (usize, usize),
    pub value: &'s ValueExpr,
}

/// What the decision is, for the check.
pub(super) struct Table<'s> {
    pub file: &'s Arc<SourceFile>,
    pub name: &'s str,
    pub hit: HitPolicy,
    pub aggregate: Option<Aggregate>,
    /// `cap:` or `round:`: the single output is a number.
    pub numeric: bool,
    pub outputs: &'s [Slot],
}

/// Reports every value whose kind differs from the output's first known kind, or does not
/// fit the hit policy; `false` when there was one.
pub(super) fn check(cx: &mut Cx, t: &Table, given: &[Given]) -> bool {
    let mut ok = true;
    let needs_number = t.numeric
        || (t.hit == HitPolicy::Collect
            && !matches!(
                t.aggregate.unwrap_or(Aggregate::Sum),
                Aggregate::List | Aggregate::Count
            ));
    for (k, &slot) in t.outputs.iter().enumerate() {
        let output = cx.symbols.name(slot).to_owned();
        let known: Vec<(ValueKind, &Given)> = given
            .iter()
            .filter(|g| g.output == k)
            .filter_map(|g| Some((kind_of(cx, g.value)?, g)))
            .collect();
        let Some(expected) = expected_kind(&known, needs_number) else {
            continue;
        };
        let by = known.iter().find(|(kind, _)| *kind == expected);
        let agreeing = known.iter().filter(|(kind, _)| *kind == expected).count();
        let fallback = if needs_number {
            "write a number here".to_owned()
        } else if agreeing + 1 == known.len() {
            format!(
                "the other rows give {}; write this value as one",
                expected.noun()
            )
        } else {
            format!(
                "{agreeing} of the {} rows give {}; write this value as one",
                known.len(),
                expected.noun()
            )
        };
        for (kind, g) in known.iter().filter(|(kind, _)| *kind != expected) {
            let message = match by {
                _ if needs_number => {
                    let how = if t.numeric {
                        "is capped or rounded".to_owned()
                    } else {
                        format!(
                            "combines its rows' values (`collect`, {})",
                            t.aggregate.unwrap_or(Aggregate::Sum).name()
                        )
                    };
                    format!(
                        "decision `{}` {how}, so output `{output}` needs numbers, but row `{}` gives {}",
                        t.name,
                        g.row,
                        shown(*kind, g.written)
                    )
                }
                Some((_, by)) => format!(
                    "output `{output}` of decision `{}` is {} (row `{}` gives {}), but row `{}` gives {}",
                    t.name,
                    expected.noun(),
                    by.row,
                    shown(expected, by.written),
                    g.row,
                    shown(*kind, g.written)
                ),
                None => continue,
            };
            let d = cx.error(t.file, g.at.0, g.at.1, message);
            d.rule = Some(g.row.to_owned());
            d.help = Some(help(expected, g.written, &fallback));
            if let Literal::Text(t) = g.written
                && !t.trim_start().starts_with('=')
            {
                d.width = t.chars().count().max(1);
            }
            ok = false;
        }
    }
    ok
}

/// The kind an output's values should all be: a number where the hit policy combines
/// them; else the kind most of them have (the first written among equally many), unless
/// every text among them reads as the other kind (`yes` among true/false, `5%` among
/// numbers), when the text is the slip. One wrong row is reported, not the rows around it.
fn expected_kind(known: &[(ValueKind, &Given)], needs_number: bool) -> Option<ValueKind> {
    if needs_number {
        return Some(ValueKind::Number);
    }
    let count = |kind: ValueKind| known.iter().filter(|(k, _)| *k == kind).count();
    let mut most: Option<(ValueKind, usize)> = None;
    for &(kind, _) in known {
        let n = count(kind);
        if most.is_none_or(|(_, m)| n > m) {
            most = Some((kind, n));
        }
    }
    let (most, _) = most?;
    let texts: Vec<&Given> = known
        .iter()
        .filter(|(kind, _)| *kind == ValueKind::Text)
        .map(|(_, g)| *g)
        .collect();
    let other = known
        .iter()
        .map(|(kind, _)| *kind)
        .find(|kind| *kind != ValueKind::Text);
    // `yes` among true/false: the text is the slip, however many texts there are.
    if let Some(other) = other
        && !texts.is_empty()
        && texts
            .iter()
            .all(|g| reads_as(g.written).is_some_and(|k| k == other))
    {
        return Some(other);
    }
    Some(most)
}

/// The kind a constant text looks like it meant: `yes`, `5%`, `"5"`.
fn reads_as(written: &Literal) -> Option<ValueKind> {
    let Literal::Text(t) = written else {
        return None;
    };
    let t = t.trim();
    if is_bool_word(t) {
        Some(ValueKind::Bool)
    } else if t.trim_end_matches('%').trim().parse::<f64>().is_ok() {
        Some(ValueKind::Number)
    } else {
        None
    }
}

fn is_bool_word(t: &str) -> bool {
    matches!(
        t.to_ascii_lowercase().as_str(),
        "yes" | "no" | "y" | "n" | "on" | "off" | "true" | "false"
    )
}

/// A value for a message: the constant as written, or "a formula giving text".
fn shown(kind: ValueKind, written: &Literal) -> String {
    match written {
        Literal::Text(t) if t.trim_start().starts_with('=') => {
            format!("a formula giving {}", kind.noun())
        }
        Literal::Text(t) => format!("text \"{t}\""),
        Literal::Int(_) | Literal::Float(_) => {
            format!("the number {}", crate::text::as_yaml(&written.to_json()))
        }
        Literal::Bool(b) => format!("`{b}`"),
        other => format!(
            "{} ({})",
            kind.noun(),
            crate::text::as_yaml(&other.to_json())
        ),
    }
}

/// How to write the value as the kind expected (`fallback` where the value says nothing).
fn help(expected: ValueKind, written: &Literal, fallback: &str) -> String {
    let text = match written {
        Literal::Text(t) if !t.trim_start().starts_with('=') => Some(t.trim()),
        _ => None,
    };
    match (expected, text) {
        (ValueKind::Number, Some(t)) if t.ends_with('%') => format!(
            "write {} for {t}: a percentage is a number here",
            t.trim_end_matches('%').trim()
        ),
        (ValueKind::Number, Some(t)) if t.parse::<f64>().is_ok() => {
            format!("write {t} without quotes: quoted, it is text")
        }
        (ValueKind::Bool, Some(t)) if is_bool_word(t) => {
            format!("write true/false (`{t}` is text here)")
        }
        (ValueKind::Bool, _) => "write true/false".into(),
        (ValueKind::Date, _) => "write a date as '= date(\"2025-03-01\")'".into(),
        _ => fallback.to_owned(),
    }
}

/// The kind of a row's value, where it is known.
fn kind_of(cx: &Cx, value: &ValueExpr) -> Option<ValueKind> {
    match value {
        ValueExpr::Const(lit) => lit_kind(lit),
        ValueExpr::Formula(e) => node_kind(cx, &e.native.as_ref()?.root),
    }
}

fn lit_kind(lit: &Lit) -> Option<ValueKind> {
    match lit {
        Lit::Bool(_) => Some(ValueKind::Bool),
        Lit::Int(_) | Lit::Float(_) => Some(ValueKind::Number),
        Lit::Str(_) => Some(ValueKind::Text),
        Lit::Date(_) => Some(ValueKind::Date),
        Lit::Null | Lit::List(_) => None,
    }
}

/// The kind of a formula, where its form alone says it (other outputs' kinds aside).
pub(super) fn node_kind(cx: &Cx, node: &Node) -> Option<ValueKind> {
    match node {
        Node::Const(lit) => lit_kind(lit),
        // Earlier periods' values have slots after the symbols'.
        Node::Slot(s) if *s >= cx.symbols.slots.len() => None,
        Node::Slot(s) => match cx.symbols.kind(*s) {
            SlotKind::Field | SlotKind::Context => cx.symbols.field_kind(*s),
            SlotKind::Population => Some(ValueKind::Number),
            _ => None,
        },
        Node::Not(_)
        | Node::And(_)
        | Node::Or(_)
        | Node::Cmp(..)
        | Node::CmpSlot(..)
        | Node::In(..) => Some(ValueKind::Bool),
        Node::Template(_) => Some(ValueKind::Text),
        Node::Neg(_)
        | Node::Arith(Arith::Sub | Arith::Mul | Arith::Div | Arith::Rem | Arith::Pow, _) => {
            Some(ValueKind::Number)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn the_row_of_the_odd_kind_out_is_the_one_reported_even_when_it_comes_first() {
        assert_eq!(
            errors(&[(
                "a.yaml",
                "decisions:\n  - name: abc\n    rules:\n      - { id: dormant, when: annual_sales == 0, then: { level: none } }\n      - { id: a, when: annual_sales > 100, then: { level: 3 } }\n      - { id: b, then: { level: 2 } }\n  - name: mixed\n    rules:\n      - { id: m1, when: annual_sales > 9, then: { m: 1 } }\n      - { id: m2, when: annual_sales > 8, then: { m: x } }\n      - { id: m3, when: annual_sales > 7, then: { m: true } }\n      - { id: m4, then: { m: 2 } }\n  - name: flags\n    rules:\n      - { id: f1, when: annual_sales > 9, then: { f: true } }\n      - { id: f2, when: annual_sales > 8, then: { f: 3 } }\n      - { id: f3, then: { f: 2 } }\n",
            )]),
            [
                "error rules/a.yaml:4:64 [dormant]: output `level` of decision `abc` is a number (row `a` gives the number 3), but row `dormant` gives text \"none\" | help: the other rows give a number; write this value as one",
                "error rules/a.yaml:10:54 [m2]: output `m` of decision `mixed` is a number (row `m1` gives the number 1), but row `m2` gives text \"x\" | help: 2 of the 4 rows give a number; write this value as one",
                "error rules/a.yaml:11:54 [m3]: output `m` of decision `mixed` is a number (row `m1` gives the number 1), but row `m3` gives `true` | help: 2 of the 4 rows give a number; write this value as one",
                "error rules/a.yaml:15:54 [f1]: output `f` of decision `flags` is a number (row `f2` gives the number 3), but row `f1` gives `true` | help: the other rows give a number; write this value as one",
            ]
        );
    }

    #[test]
    fn an_output_gives_one_kind_across_rows_and_one_its_hit_policy_combines() {
        assert_eq!(
            errors(&[(
                "a.yaml",
                "decisions:\n  - name: credit\n    rules:\n      - { id: a, when: overdue_days > 60, then: { block: yes } }\n      - { id: b, then: { block: false } }\n  - name: disc\n    hit: collect\n    output: pct\n    rules:\n      - { id: c, value: 5% }\n      - { id: d, value: '= channel' }\n      - { id: e, value: 2 }\n  - name: capped\n    output: level\n    cap: { min: 0 }\n    rules:\n      - { id: f, value: high }\n",
            )]),
            [
                "error rules/a.yaml:4:58 [a]: output `block` of decision `credit` is true/false (row `b` gives `false`), but row `a` gives text \"yes\" | help: write true/false (`yes` is text here)",
                "error rules/a.yaml:10:25 [c]: decision `disc` combines its rows' values (`collect`, sum), so output `pct` needs numbers, but row `c` gives text \"5%\" | help: write 5 for 5%: a percentage is a number here",
                "error rules/a.yaml:11:25 [d]: decision `disc` combines its rows' values (`collect`, sum), so output `pct` needs numbers, but row `d` gives a formula giving text | help: write a number here",
                "error rules/a.yaml:17:25 [f]: decision `capped` is capped or rounded, so output `level` needs numbers, but row `f` gives text \"high\" | help: write a number here",
            ]
        );
    }
}
