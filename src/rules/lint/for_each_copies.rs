//! The rows of `for_each` copies (`extra-b@snacks`): a row meant for one item never matches
//! in the others' copies, which is what the admin meant, not a mistake to say.

use super::{RowCondition, Table, figure_domains, never_true_row};
use crate::diag::Diagnostic;
use crate::rules::{RuleIdx, RuleSet};
use crate::time::Date;
use std::collections::HashSet;

/// The rows of `for_each` copies that no customer can match in their copy (`extra-b@snacks`
/// of a row meant for beverages, `category == "beverages"`): what the admin meant, so
/// `check --data` and test coverage do not list them as never matched or not exercised.
pub fn copies_never_matching(rules: &RuleSet, today: Date) -> HashSet<RuleIdx> {
    let mut out = HashSet::new();
    let mut domains = figure_domains(rules);
    for d in &rules.decisions {
        let table = Table::new(rules, d, &domains, today);
        // A copy's decision is named `<name>@<item>` (a rule id may hold `@` of its own).
        let copy = d.name.contains('@');
        for row in &table.rows {
            let never = matches!(row.condition, RowCondition::Known(_))
                && table.matched(row).is_some_and(|r| r.is_empty());
            if never && copy {
                out.insert(row.row.rule);
            }
        }
        table.record_domains(&mut domains);
    }
    out
}

/// A row of a `for_each` copy (`extra-b@snacks`) that no customer can match for some items
/// but can for others (`category == "beverages"`) says what the admin means: its TW102 is
/// kept only when the row can match in no copy at all.
pub(super) fn for_each_rows(rules: &RuleSet, out: &mut Vec<Diagnostic>) {
    let base = |id: &str| id.split_once('@').map(|(b, _)| b.to_owned());
    let never = |d: &Diagnostic| d.code == Some(never_true_row::LINT.code);
    let warned: Vec<String> = out
        .iter()
        .filter(|d| never(d))
        .filter_map(|d| d.rule.as_deref().and_then(base))
        .collect();
    let copies = |b: &str| {
        rules
            .rule_ids
            .iter()
            .filter(|id| base(id).as_deref() == Some(b))
            .count()
    };
    out.retain(|d| match d.rule.as_deref().and_then(base) {
        Some(b) if never(d) => warned.iter().filter(|w| **w == b).count() == copies(&b),
        _ => true,
    });
}
