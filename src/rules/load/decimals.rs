//! Which metrics and outputs always hold decimals (or NULL), where the rules say it: decimal
//! constants, sums of decimal rows, `/`, `sqrt`/`ln`/`exp`/`log`/`to_float`, rounding to a
//! decimal step. The run declares such outputs' columns `DECIMAL`, where SQLite keeps 2.0 in
//! one byte instead of eight; readers turn the whole numbers back into decimals, so an output
//! that is sometimes a whole number must not be one. A `switch` on one of them with a
//! whole-number case never matches (operations.rs).

use crate::rules::native::{Arith, Builtin, Node};
use crate::rules::{Aggregate, Decision, RuleSet, Slot, SlotKind, ValueExpr};
use crate::source::{Affinity, Column, Dataset, Field};
use crate::value::Lit;
use std::collections::HashMap;

/// Per output of `set` (by position in `set.outputs`): every value it can take is a decimal
/// or NULL.
pub(super) fn decimal_outputs(set: &RuleSet) -> Vec<bool> {
    let decimal = decimal_slots(set, Fields::Unknown);
    set.outputs
        .iter()
        .map(|o| decimal.get(&o.slot).copied().unwrap_or(false))
        .collect()
}

/// What is known of the fields' numbers.
#[derive(Clone, Copy)]
pub(super) enum Fields<'a> {
    Unknown,
    /// Their declared types: a REAL column holds decimals (SQLite stores 2 as 2.0 there).
    Declared(&'a [Field]),
    /// The data: a column it holds as decimals.
    Data(&'a Dataset),
}

/// Per metric and output slot of `set`: every value it can take is a decimal or NULL. Fields
/// count as decimals as far as `fields` says.
pub(super) fn decimal_slots(set: &RuleSet, fields: Fields) -> HashMap<Slot, bool> {
    let mut known = Decimals {
        set,
        fields,
        slots: HashMap::new(),
    };
    for m in set.metrics_pre.iter().chain(&set.metrics_post) {
        let decimal = m
            .expr
            .native
            .as_ref()
            .is_some_and(|n| known.node(&n.root) == Some(true));
        known.slots.insert(m.slot, decimal);
    }
    for d in &set.decisions {
        for (k, &slot) in d.outputs.iter().enumerate() {
            let decimal = known.output(d, k);
            known.slots.insert(slot, decimal);
        }
    }
    known.slots
}

/// An operand that makes `+` join text: a text constant, a template, or a `+` holding one.
fn joins_text(node: &Node) -> bool {
    match node {
        Node::Const(Lit::Str(_)) | Node::Template(_) => true,
        Node::Arith(Arith::Add, operands) => joins_text(&operands.0) || joins_text(&operands.1),
        _ => false,
    }
}

struct Decimals<'a> {
    set: &'a RuleSet,
    fields: Fields<'a>,
    slots: HashMap<Slot, bool>,
}

impl Decimals<'_> {
    fn output(&self, d: &Decision, k: usize) -> bool {
        if d.bounded_output == Some(k)
            && let Some(round) = d.round
        {
            // A whole step gives whole numbers; a decimal step decimals (NULL stays NULL).
            return round.step().fract() != 0.0;
        }
        if d.gives_lists() {
            return false;
        }
        if d.hit.shape().combines_values {
            // A sum with a decimal row is a decimal even when no row matched; caps keep it.
            return matches!(d.aggregate, None | Some(Aggregate::Sum)) && d.decimal;
        }
        let mut values = d
            .rows
            .iter()
            .flat_map(|r| r.values.iter())
            .filter(|(i, _)| *i == k)
            .map(|(_, v)| match v {
                ValueExpr::Const(lit) => lit_decimal(lit),
                ValueExpr::Formula(e) => e.native.as_ref().and_then(|n| self.node(&n.root)),
            })
            .peekable();
        values.peek().is_some() && all_decimal(values)
    }

    /// `Some(true)`: always a decimal or NULL; `Some(false)`: may be something else; `None`:
    /// always NULL, or the output's own earlier value (either way, nothing against).
    fn node(&self, node: &Node) -> Option<bool> {
        Some(match node {
            Node::Const(lit) => return lit_decimal(lit),
            Node::Slot(s) => return self.slot(*s),
            Node::Arith(Arith::Div, _) => true, // `/` always divides as decimals
            // Text `+` a number joins them as text (`country + "-" + 1.5`).
            Node::Arith(Arith::Add, operands)
                if joins_text(&operands.0) || joins_text(&operands.1) =>
            {
                false
            }
            Node::Arith(_, operands) => {
                self.node(&operands.0) == Some(true) || self.node(&operands.1) == Some(true)
            }
            Node::Neg(x) | Node::Block(_, x) => return self.node(x),
            Node::Call(Builtin::Abs | Builtin::Floor | Builtin::Ceiling | Builtin::Round, args) => {
                return self.node(&args[0]);
            }
            Node::Call(
                Builtin::Sqrt
                | Builtin::Exp
                | Builtin::Ln
                | Builtin::Log10
                | Builtin::Log
                | Builtin::ToFloat,
                _,
            ) => true,
            Node::Call(Builtin::Min | Builtin::Max, args) => {
                all_decimal(args.iter().map(|a| self.node(a)))
            }
            Node::If(parts) => all_decimal([self.node(&parts.1), self.node(&parts.2)]),
            Node::Coalesce(items) => all_decimal(items.iter().map(|n| self.node(n))),
            _ => false,
        })
    }

    fn slot(&self, slot: Slot) -> Option<bool> {
        match self.set.slots.get(slot)?.1 {
            SlotKind::Metric | SlotKind::Output => Some(*self.slots.get(&slot)?),
            SlotKind::Past => {
                let past = self.set.past.iter().find(|p| p.slot == slot)?;
                let output = self.set.outputs.iter().find(|o| o.name == past.column)?;
                // Not known yet: the output being worked out, whose past is like itself.
                self.slots.get(&output.slot).copied()
            }
            SlotKind::Field => Some(match self.fields {
                Fields::Unknown => false,
                Fields::Declared(fields) => {
                    (fields.get(slot)).is_some_and(|f| f.affinity == Affinity::Real)
                }
                Fields::Data(data) => data.columns.get(slot).is_some_and(Column::holds_decimals),
            }),
            // Population figures are decimals, whatever they count (a quintile is 5.0).
            SlotKind::Population => Some(true),
            SlotKind::Context => Some(false),
        }
    }
}

fn lit_decimal(lit: &Lit) -> Option<bool> {
    match lit {
        Lit::Null => None,
        Lit::Float(_) => Some(true),
        _ => Some(false),
    }
}

/// Every part a decimal or neutral, and at least one a decimal.
fn all_decimal(parts: impl IntoIterator<Item = Option<bool>>) -> bool {
    let mut any = false;
    for part in parts {
        match part {
            Some(false) => return false,
            Some(true) => any = true,
            None => {}
        }
    }
    any
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn decimal_outputs_are_those_that_never_hold_a_whole_number() {
        let set = loads(&[(
            "a.yaml",
            "decisions:
  - name: pct
    output: pct
    rules:
      - { id: a, when: annual_sales > 1, value: 1.5 }
      - { id: b, value: null }
  - name: mixed
    output: mixed
    rules:
      - { id: c, when: annual_sales > 1, value: 1.5 }
      - { id: d, value: 2 }
  - name: sum
    hit: collect
    output: sum
    cap: { min: 0, max: 12 }
    rules:
      - { id: e, when: annual_sales > 1, value: 5.0 }
      - { id: f, when: annual_sales > 2, value: '= pct' }
  - name: ratio
    output: ratio
    rules:
      - { id: g, value: '= round(annual_sales * 100) / 100' }
  - name: whole
    output: whole
    round: { nearest: 1000 }
    rules:
      - { id: h, value: '= annual_sales * 1.5' }
  - name: carried
    output: carried
    rules:
      - { id: i, when: annual_sales > 1, value: '= previous.carried' }
      - { id: j, value: '= pct ?? 0.0' }
  - name: count
    output: count
    rules:
      - { id: k, value: '= annual_sales' }
  - name: root
    output: root
    rules:
      - { id: l, value: '= sqrt(count ?? 0)' }
",
        )]);
        let decimal: Vec<(&str, bool)> = set
            .outputs
            .iter()
            .zip(&set.output_decimal)
            .map(|(o, d)| (o.name.as_str(), *d))
            .collect();
        assert_eq!(
            decimal,
            [
                ("pct", true),
                ("mixed", false),
                ("sum", true),
                ("ratio", true),
                ("whole", false),
                ("carried", true),
                ("count", false),
                ("root", true),
            ]
        );
    }
}
