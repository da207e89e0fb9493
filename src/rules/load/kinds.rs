//! The kind of value each metric and output holds, where the rules say it: every value a
//! constant of one kind, or formulas whose fast-path form gives one kind (a comparison gives true/false,
//! `add_months` a date, arithmetic a number). Earlier periods' outputs come back from the
//! database as SQLite stores them (true/false as 1/0, dates as text); their kind is how
//! they are read back as what they were.

use crate::rules::native::{Arith, Builtin, Node};
use crate::rules::{Decision, RuleSet, Slot, SlotKind, ValueExpr};
use crate::value::{Lit, ValueKind};
use std::collections::HashMap;

/// The kind of every output of `set`, by position in `set.outputs` (`None`: not known),
/// from the kinds of its slots ([`slot_kinds`]).
pub(super) fn output_kinds(set: &RuleSet, slots: &SlotKinds) -> Vec<Option<ValueKind>> {
    set.outputs
        .iter()
        .map(|o| slots.get(&o.slot).copied().flatten())
        .collect()
}

/// The kind of each metric and output (`None`: not known), by slot.
pub(super) type SlotKinds = HashMap<Slot, Option<ValueKind>>;

/// The kind of every metric and output of `set`.
pub(super) fn slot_kinds(set: &RuleSet, field_kinds: &[Option<ValueKind>]) -> SlotKinds {
    let mut known = Known {
        set,
        field_kinds,
        slots: HashMap::new(),
    };
    for m in set.metrics_pre.iter().chain(&set.metrics_post) {
        let kind = m.expr.native.as_ref().and_then(|n| known.of_node(&n.root));
        known.slots.insert(m.slot, kind);
    }
    // Decisions in evaluation order: a later one's formulas may use an earlier one's output.
    for d in &set.decisions {
        for (k, &slot) in d.outputs.iter().enumerate() {
            let kind = known.of_output(d, k);
            known.slots.insert(slot, kind);
        }
        if let Some(slot) = d.capped_by {
            known.slots.insert(slot, Some(ValueKind::Text));
        }
    }
    for h in &set.held {
        known.slots.insert(h.slot, Some(ValueKind::Number));
    }
    known.slots
}

/// The kind of the value each population figure ranks, in `set.population`'s order
/// (`None`: not known). Every statistic ranks numbers: `rank_of: region` cannot be run.
pub(super) fn ranked_kinds(
    set: &RuleSet,
    field_kinds: &[Option<ValueKind>],
    slots: &SlotKinds,
) -> Vec<Option<ValueKind>> {
    let known = Known {
        set,
        field_kinds,
        slots: slots.clone(),
    };
    (set.population.iter())
        .map(|p| p.of.native.as_ref().and_then(|n| known.of_node(&n.root)))
        .collect()
}

struct Known<'a> {
    set: &'a RuleSet,
    field_kinds: &'a [Option<ValueKind>],
    slots: HashMap<Slot, Option<ValueKind>>,
}

/// One kind for all, ignoring NULLs; `None` when they differ or one is unknown.
fn merge(kinds: impl IntoIterator<Item = Option<Option<ValueKind>>>) -> Option<ValueKind> {
    let mut found = None;
    for kind in kinds {
        match kind {
            None => {}                 // NULL: any kind
            Some(None) => return None, // unknown
            Some(Some(k)) if found.is_none_or(|f| f == k) => found = Some(k),
            Some(Some(_)) => return None,
        }
    }
    found
}

fn lit_kind(lit: &Lit) -> Option<Option<ValueKind>> {
    match lit {
        Lit::Null => None,
        other => Some(ValueKind::of_lit(other)),
    }
}

impl Known<'_> {
    fn of_output(&self, d: &Decision, k: usize) -> Option<ValueKind> {
        if d.gives_lists() {
            return None;
        }
        if d.hit.shape().combines_values {
            return Some(ValueKind::Number);
        }
        if d.bounded_output == Some(k) {
            return Some(ValueKind::Number);
        }
        // The rows' values and the default.
        let values = d.rows.iter().flat_map(|r| r.values.iter());
        let given = values.filter(|(i, _)| *i == k).map(|(_, v)| v);
        let default = d.defaults.get(k).and_then(|v| v.as_ref());
        merge(given.chain(default).map(|v| match v {
            ValueExpr::Const(lit) => lit_kind(lit),
            ValueExpr::Formula(e) => match e.native.as_ref() {
                Some(n) if self.is_own_past(&n.root) => None,
                Some(n) => Some(self.of_node(&n.root)),
                None => Some(None),
            },
        }))
    }

    fn of_slot(&self, slot: Slot) -> Option<ValueKind> {
        match self.set.slots.get(slot)?.1 {
            SlotKind::Field | SlotKind::Context => self.field_kinds.get(slot).copied().flatten(),
            SlotKind::Population => Some(ValueKind::Number),
            SlotKind::Metric | SlotKind::Output => self.slots.get(&slot).copied().flatten(),
            SlotKind::Past => {
                let past = self.set.past.iter().find(|p| p.slot == slot)?;
                if past.column.starts_with("held.") {
                    return Some(ValueKind::Number);
                }
                let output = self.set.outputs.iter().find(|o| o.name == past.column)?;
                self.slots.get(&output.slot).copied().flatten()
            }
        }
    }

    fn of_node(&self, node: &Node) -> Option<ValueKind> {
        match node {
            Node::Const(lit) => lit_kind(lit).flatten(),
            Node::Slot(s) => self.of_slot(*s),
            Node::Local(_) => None,
            Node::Not(_) | Node::And(_) | Node::Or(_) | Node::Cmp(..) | Node::CmpSlot(..) => {
                Some(ValueKind::Bool)
            }
            Node::In(..) => Some(ValueKind::Bool),
            // `+` with text concatenates; with a side of unknown kind (a column that
            // declares no type), it may: the kind is not known.
            Node::Arith(Arith::Add, pair) => {
                let kinds = [self.of_node(&pair.0), self.of_node(&pair.1)];
                if kinds.contains(&Some(ValueKind::Text)) {
                    Some(ValueKind::Text)
                } else if kinds.contains(&None) {
                    None
                } else {
                    Some(ValueKind::Number)
                }
            }
            Node::Neg(_) | Node::Arith(..) => Some(ValueKind::Number),
            Node::Template(_) => Some(ValueKind::Text),
            Node::Switch(s) => merge(s.values().map(|n| self.branch(n))),
            Node::If(parts) => merge([self.branch(&parts.1), self.branch(&parts.2)]),
            Node::Coalesce(items) => merge(items.iter().map(|n| self.branch(n))),
            Node::Block(_, value) => self.of_node(value),
            Node::Num(_) | Node::Int(_) => Some(ValueKind::Number),
            Node::Truth(_) => Some(ValueKind::Bool),
            Node::Call(f, _) => match f {
                Builtin::IsNull | Builtin::Contains | Builtin::StartsWith | Builtin::EndsWith => {
                    Some(ValueKind::Bool)
                }
                Builtin::ToString => Some(ValueKind::Text),
                Builtin::Date | Builtin::AddDays | Builtin::AddMonths | Builtin::EndOfMonth => {
                    Some(ValueKind::Date)
                }
                _ => Some(ValueKind::Number),
            },
        }
    }
}

fn is_null(node: &Node) -> bool {
    matches!(node, Node::Const(Lit::Null))
}

impl Known<'_> {
    /// One branch of a choice, for `merge`: NULL and the output's own past value (`previous.x`
    /// in a rule for x, whose kind is the one being found) say nothing about the kind.
    fn branch(&self, node: &Node) -> Option<Option<ValueKind>> {
        if is_null(node) || self.is_own_past(node) {
            None
        } else {
            Some(self.of_node(node))
        }
    }

    /// An earlier period's value of an output whose kind is not known yet: the output being
    /// worked out (or a later one), which holds values of that same kind.
    fn is_own_past(&self, node: &Node) -> bool {
        let Node::Slot(slot) = node else { return false };
        let Some(past) = self.set.past.iter().find(|p| p.slot == *slot) else {
            return false;
        };
        !past.column.starts_with("held.")
            && self
                .set
                .outputs
                .iter()
                .find(|o| o.name == past.column)
                .is_some_and(|o| !self.slots.contains_key(&o.slot))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::value::ValueKind;

    #[test]
    fn kinds_come_from_constants_and_formulas() {
        let set = loads(&[(
            "a.yaml",
            "decisions:
  - name: d
    rules:
      - { id: a, when: annual_sales > 1, then: { tier: A, key: true, since: '= as_of', n: 1, f: '= annual_sales > 5' } }
      - { id: b, then: { tier: B, key: false, since: null, n: 2.5, f: '= max(1, 2)' } }
  - name: e
    output: later
    rules: [ { id: c, value: '= if key { add_months(since, 12) } else { () }' } ]
  - name: carried
    rules:
      - { id: k, when: key, then: { kept: '= previous.kept ?? as_of', level: 3 } }
      - { id: l, then: { kept: '= previous.kept', level: '= previous.level - 1' } }
",
        )]);
        let kinds: Vec<(&str, Option<ValueKind>)> = set
            .outputs
            .iter()
            .zip(&set.output_kinds)
            .map(|(o, k)| (o.name.as_str(), *k))
            .collect();
        assert_eq!(
            kinds,
            [
                ("tier", Some(ValueKind::Text)),
                ("key", Some(ValueKind::Bool)),
                ("since", Some(ValueKind::Date)),
                ("n", Some(ValueKind::Number)),
                ("f", None),
                ("later", Some(ValueKind::Date)),
                ("kept", Some(ValueKind::Date)),
                ("level", Some(ValueKind::Number)),
            ]
        );
    }
}
