//! On the data (`check --data` only): a field or metric that is NULL for some customers,
//! ordered in a decision's rows that never test it for NULL. An ordering is false for NULL,
//! so those customers fall past a knock-out row to the first row that does not compare it:
//! `when: leverage > 4 -> decline` let firms of negative or unknown equity (leverage NULL)
//! through to `approve`, `check --data` saying nothing (the model-risk validator's F03).
//! A finding of the data, not a warning: NULL falling to the last row is often meant (no
//! payment history, no collection warning), and only the author can say. The same for
//! population figures that many customers lack is the warning [`super::unranked_rows`].

use super::unranked_rows::{orders_outside_not, tests_for_null};
use super::walk::{each_node, written_tests};
use crate::rules::{Decision, Expr, RuleSet, Slot, SlotKind};

/// The fields and metrics some decision orders in its rows without testing them for NULL:
/// the slots whose NULLs `check --data` counts.
pub fn ordered_without_null_test(rules: &RuleSet) -> Vec<Slot> {
    let mut out = Vec::new();
    for d in &rules.decisions {
        for (slot, _) in rules.slots.iter().enumerate() {
            let kind = rules.slots.get(slot).map(|(_, k)| *k);
            if matches!(kind, Some(SlotKind::Field | SlotKind::Metric))
                && !out.contains(&slot)
                && !ordering_rows(rules, d, slot).is_empty()
            {
                out.push(slot);
            }
        }
    }
    out
}

/// Rows that order a slot which is NULL for some customers, in a decision none of whose rows
/// tests it for NULL: they are false for those customers, who get the first row that does
/// not compare it.
#[derive(Debug, Clone)]
pub struct NullPastRows {
    /// The decision, by index.
    pub decision: usize,
    /// The field or metric.
    pub name: String,
    /// The rows that order it, by id.
    pub rows: Vec<String>,
}

/// Each decision whose rows order one of `null` (slots NULL for some customer) without
/// testing it for NULL.
pub fn null_past_rows(rules: &RuleSet, null: &[Slot]) -> Vec<NullPastRows> {
    let mut out = Vec::new();
    for &slot in null {
        for (k, d) in rules.decisions.iter().enumerate() {
            let mut rows: Vec<String> = (ordering_rows(rules, d, slot).into_iter())
                .map(|(id, _)| id.to_owned())
                .collect();
            rows.dedup();
            if !rows.is_empty() {
                out.push(NullPastRows {
                    decision: k,
                    name: rules.slot_name(slot).to_owned(),
                    rows,
                });
            }
        }
    }
    out
}

/// The rows of `d` that order `slot` (with the first such test), when none of its rows
/// tests `slot` for NULL.
fn ordering_rows<'r>(rules: &'r RuleSet, d: &'r Decision, slot: Slot) -> Vec<(&'r str, &'r Expr)> {
    let mut comparing = Vec::new();
    let mut tests_null = false;
    for row in &d.rows {
        for e in written_tests(row) {
            let Some(native) = &e.native else { continue };
            if orders_outside_not(&native.root, slot) {
                comparing.push((rules.rule_ids[row.rule as usize].as_str(), e));
            }
            each_node(&native.root, &mut |n| tests_null |= tests_for_null(n, slot));
        }
    }
    if tests_null {
        comparing.clear();
    }
    comparing
}
