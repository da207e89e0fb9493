//! On the data (`check --data`, `run`): a field the rules test with `is_null` that holds
//! text standing for no value (`NULL`, `N/A`, `-`, `#N/A`, empty): an export imported with
//! `sqlite3 .import` writes its NULLs so, `is_null` is false for every such customer, and
//! `'!is_null(blocked_reason)'` credit-blocked all of them, `check --data` saying nothing.

use crate::diag::Diagnostic;
use crate::rules::native::{Builtin, Node};
use crate::rules::{Expr, RuleSet, Slot, SlotKind};
use crate::source::Dataset;

/// A warning at the first `is_null` test of each field that holds such text.
pub fn no_value_texts(rules: &RuleSet, data: &Dataset) -> Vec<Diagnostic> {
    let mut tested: Vec<(Slot, &Expr, Option<&str>)> = Vec::new();
    for (e, id) in super::rule_expressions(rules) {
        let Some(native) = &e.native else { continue };
        super::walk::each_node(&native.root, &mut |node| {
            if let Node::Call(Builtin::IsNull, args) = node
                && let [Node::Slot(slot)] = &args[..]
                && rules.slots.get(*slot).map(|(_, k)| *k) == Some(SlotKind::Field)
                && !tested.iter().any(|(s, ..)| s == slot)
            {
                tested.push((*slot, e, id));
            }
        });
    }
    let mut out = Vec::new();
    for (slot, e, id) in tested {
        let name = rules.slot_name(slot);
        let Some(k) = data.names.iter().position(|n| n == name) else {
            continue;
        };
        let column = &data.columns[k];
        let mut forms: Vec<String> = Vec::new();
        let mut held = 0;
        for i in 0..data.len {
            let value = column.value(i);
            let Some(text) = value.as_str() else { continue };
            if crate::text::stands_for_no_value(text) {
                held += 1;
                let form = format!("`{}`", crate::text::visible(text));
                if !forms.contains(&form) {
                    forms.push(form);
                }
            }
        }
        if held == 0 {
            continue;
        }
        let warning = super::walk::warning_at_name(
            e,
            name,
            format!(
                "`{name}` is tested with `is_null`, and {} of {} hold text that stands for no value ({}): to the rules it is text, so `is_null({name})` is false for them",
                crate::text::thousands(held as f64),
                crate::text::customers(data.len),
                crate::text::first_three(&forms),
            ),
            format!(
                "read such text as NULL in the customers query: `{}`",
                crate::text::no_value_as_null(name)
            ),
        );
        out.push(super::walk::of_rule(warning, id));
    }
    out
}
