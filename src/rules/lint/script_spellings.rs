//! On the data (`check --data`, `run`): a text field passed to a script function whose
//! `switch` compares the parameter with a text the data also writes another way
//! (`rating_factor(rating)`, a case `"BBB-"`, while 15 customers hold `" BBB-"`). The
//! comparison is in the script, out of the rule's own text, so [`super::text_spellings`]
//! did not see it: those customers took the fallback factor, `--strict` wrote the run.
//! Placed at the case in the script, naming the call that passes the field.

use super::text_spellings::{Folds, shown, spellings};
use crate::diag::Diagnostic;
use crate::rules::load::{Operand, Operation, SWITCH_CASE};
use crate::rules::{RuleSet, Slot, SlotKind};
use crate::source::Dataset;
use std::collections::{HashMap, HashSet};

/// A warning at each text case of a script function's `switch` that a call passes a text
/// field to, when the field's data holds another spelling of it.
pub fn script_case_spellings(rules: &RuleSet, data: &Dataset) -> Vec<Diagnostic> {
    // Per field, each text a script case compares it with, at its first place.
    let mut by_field: Vec<(Slot, Vec<(String, &Operation)>)> = Vec::new();
    let mut seen = HashSet::new();
    for op in rules.operations.iter() {
        let (true, Some(_)) = (op.op == SWITCH_CASE, &op.via) else {
            continue;
        };
        let [Operand::Slot { slot, .. }, Operand::Const(c)] = &op.operands else {
            continue;
        };
        if rules.slots.get(*slot).map(|(_, k)| *k) != Some(SlotKind::Field) {
            continue;
        }
        let Some(text) = c.clone().into_immutable_string().ok() else {
            continue;
        };
        if !seen.insert((*slot, text.to_string())) {
            continue;
        }
        match by_field.iter_mut().find(|(s, _)| s == slot) {
            Some((_, texts)) => texts.push((text.to_string(), op)),
            None => by_field.push((*slot, vec![(text.to_string(), op)])),
        }
    }
    // Texts the rules' own expressions compare a field with are meant spellings too.
    let mut written: HashMap<Slot, HashSet<String>> = HashMap::new();
    for (slot, texts) in super::text_spellings::compared_texts(rules, SlotKind::Field) {
        written
            .entry(slot)
            .or_default()
            .extend(texts.into_iter().map(|(t, ..)| t));
    }
    let mut out = Vec::new();
    for (slot, texts) in by_field {
        let name = rules.slot_name(slot);
        let Some(held) = spellings(data, name) else {
            continue;
        };
        let meant: HashSet<&str> = (texts.iter().map(|(t, _)| t.as_str()))
            .chain(written.get(&slot).into_iter().flatten().map(String::as_str))
            .collect();
        let folds = Folds::new(&held);
        for (text, op) in &texts {
            let others = folds.others(text, &meant);
            if others.is_empty() {
                continue;
            }
            let listed: Vec<String> = others.iter().map(|(v, n)| shown(v, *n)).collect();
            let exact = held.get(text.as_str()).copied().unwrap_or(0);
            let warning = Diagnostic::error(
                &op.file,
                op.line,
                op.column,
                format!(
                    "`{name}` is compared with {text:?} in this `switch` ({}), but the data also writes it {}: text compares exactly (case and spaces count), so those customers do not match the case ({} as written)",
                    op.via.as_deref().unwrap_or_default(),
                    crate::text::first_three(&listed),
                    crate::text::customers(exact),
                ),
            )
            .warning()
            .width(text.chars().count() + 2)
            .rule(op.owner.clone())
            .help(format!(
                "make the column one spelling in the customers query (`TRIM({name})`, `UPPER({name})`; `customers.query`) or at its source; or, if {:?} is meant to match too, add it to the case: `{text:?} | {:?} =>`",
                others[0].0, others[0].0
            ));
            out.push(warning);
        }
    }
    out
}
