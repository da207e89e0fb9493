//! On the data (`check --data` only): a field or metric that is NULL for some customers,
//! ordered in a metric's formula (or in a script function it passes it to) that never
//! tests it for NULL. An ordering is false for NULL, so those customers get what the other
//! branch gives: `fn tpts(y) { if y < 3 { 0 } else { 100 } }` gave a customer of unknown
//! tenure the 100 points of a long one (the model-risk validator's finding). As for rows
//! ([`super::null_past_rows`]), a finding, not a warning: only the author can say.

use super::unranked_rows::tests_for_null;
use super::walk::each_node;
use crate::rules::native::{Builtin, Cmp, Node, Step};
use crate::rules::{Metric, RuleSet, Slot, SlotKind};

/// A metric whose formula orders a name NULL for some customers, never testing it.
#[derive(Debug, Clone)]
pub struct NullInMetric {
    pub metric: String,
    /// The field or metric it orders.
    pub name: String,
    /// Ordered inside a script function the formula passes it to (`tpts(tenure)`).
    pub in_function: bool,
}

fn metrics(rules: &RuleSet) -> impl Iterator<Item = &Metric> {
    rules.metrics_pre.iter().chain(&rules.metrics_post)
}

/// The fields and metrics some metric orders without testing them for NULL.
pub fn ordered_in_metrics(rules: &RuleSet) -> Vec<Slot> {
    let mut out = Vec::new();
    for m in metrics(rules) {
        for (slot, (_, kind)) in rules.slots.iter().enumerate() {
            if matches!(kind, SlotKind::Field | SlotKind::Metric)
                && !out.contains(&slot)
                && unguarded(m, slot).is_some()
            {
                out.push(slot);
            }
        }
    }
    out
}

/// Each metric that orders one of `null` (names NULL for some customer) without a NULL test.
pub fn null_in_metrics(rules: &RuleSet, null: &[Slot]) -> Vec<NullInMetric> {
    let mut out = Vec::new();
    for m in metrics(rules) {
        for &slot in null {
            if let Some(in_function) = unguarded(m, slot) {
                out.push(NullInMetric {
                    metric: m.name.clone(),
                    name: rules.slot_name(slot).to_owned(),
                    in_function,
                });
            }
        }
    }
    out
}

/// Whether metric `m` orders `slot` and never tests it for NULL: `Some(true)` when only
/// an inlined script function orders it, through its parameter.
fn unguarded(m: &Metric, slot: Slot) -> Option<bool> {
    let root = &m.expr.native.as_ref()?.root;
    // The parameters of inlined functions given `slot` as it is (`tpts(tenure)`).
    let mut passed: Vec<u16> = Vec::new();
    each_node(root, &mut |n| {
        if let Node::Block(steps, _) = n {
            for step in steps.iter() {
                if let Step::Set(id, value) = step
                    && is_slot(value, slot)
                {
                    passed.push(*id);
                }
            }
        }
    });
    let is_name = |n: &Node| is_slot(n, slot);
    let is_param = |n: &Node| matches!(n, Node::Local(id) if passed.contains(id));
    let (mut direct, mut via, mut tested) = (false, false, false);
    each_node(root, &mut |n| {
        tested |= tests_for_null(n, slot)
            || match n {
                Node::Call(Builtin::IsNull, args) => args.first().is_some_and(is_param),
                Node::Coalesce(items) => items.first().is_some_and(is_param),
                Node::Cmp(Cmp::Eq | Cmp::Ne, pair) => {
                    (is_param(&pair.0) && is_null(&pair.1))
                        || (is_param(&pair.1) && is_null(&pair.0))
                }
                _ => false,
            };
        match n {
            Node::CmpSlot(cmp, s, _) if ordering(*cmp) && *s == slot => direct = true,
            Node::Cmp(cmp, pair) if ordering(*cmp) => {
                direct |= is_name(&pair.0) || is_name(&pair.1);
                via |= is_param(&pair.0) || is_param(&pair.1);
            }
            _ => {}
        }
    });
    match (tested, direct, via) {
        (true, ..) | (false, false, false) => None,
        (false, direct, _) => Some(!direct),
    }
}

fn ordering(cmp: Cmp) -> bool {
    matches!(cmp, Cmp::Lt | Cmp::Le | Cmp::Gt | Cmp::Ge)
}

fn is_null(n: &Node) -> bool {
    matches!(n, Node::Const(crate::value::Lit::Null))
}

/// `slot` as it is, or its typed form (`Num` of the slot).
fn is_slot(n: &Node, slot: Slot) -> bool {
    match n {
        Node::Slot(s) => *s == slot,
        Node::Num(t) => is_slot(&t.1, slot),
        Node::Int(t) => is_slot(&t.1, slot),
        Node::Truth(t) => is_slot(&t.1, slot),
        _ => false,
    }
}
