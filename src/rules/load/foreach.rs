//! `for_each: { category: [beverages, snacks, dairy] }` on a decision: before any name is
//! declared, the decision is replaced by one copy per item. A copy is the decision as written
//! with its outputs renamed `<output>_<item>`, its rule ids `<id>@<item>` (cap ids follow its
//! name, `<name>@<item>.max`), and the binding `category = item` that its expressions
//! substitute when they compile ([`super::place::substitute`]: `category` is the item as
//! text, `{category}` in a name is the item, `sales_{category}`). Everything keeps the
//! positions of the YAML as written, so every message points at the decision written once.
//!
//! Why an expansion rather than a loop at run time: each copy is an ordinary decision, so
//! the fast path, the lints, the type check, `explain` and the output table need nothing new,
//! and `category` is a text constant in every expression.

use super::Sink;
use super::files::RuleFiles;
use crate::diag::Diagnostic;
use crate::rules::model::DecisionSpec;
use serde_saphyr::Spanned;

/// What joins the copies' rule ids in one diagnostic ([`merge_copies`]).
const COPIES: &str = ", ";

/// The rule ids a diagnostic names: its one, or each copy's of a mistake they share
/// ("mid@n, mid@s").
pub(crate) fn named_rules(rule: &str) -> impl Iterator<Item = &str> {
    rule.split(COPIES)
}

/// One diagnostic for a mistake every copy shares: the same message at the same place in
/// rules `<id>@<item>` of one `<id>` becomes one, naming each copy's rule id.
pub(crate) fn merge_copies(diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut kept: Vec<Diagnostic> = Vec::with_capacity(diags.len());
    for mut d in diags {
        let copy_of = |rule: &str| rule.split_once('@').map(|(id, _)| id.to_owned());
        let id = d.rule.as_deref().and_then(copy_of);
        // A message that names the copy's id (`cap `list-8pct@snacks``) names the id as
        // written, so the copies' messages are one.
        if let (Some(rule), Some(id)) = (d.rule.as_deref(), id.as_deref())
            && !rule.contains(COPIES)
        {
            d.message = d.message.replace(&format!("`{rule}`"), &format!("`{id}`"));
        }
        let same = kept.iter_mut().find(|k| {
            id.is_some()
                && (k.severity, &k.file, k.line, k.column, &k.message, &k.cell)
                    == (d.severity, &d.file, d.line, d.column, &d.message, &d.cell)
                && k.rule.as_deref().and_then(copy_of) == id
        });
        match (same, &d.rule) {
            (Some(k), Some(rule)) => {
                let rules = k.rule.get_or_insert_default();
                rules.push_str(COPIES);
                rules.push_str(rule);
            }
            _ => kept.push(d),
        }
    }
    kept
}

/// Replaces every `for_each` decision of `files` by its copies; a `for_each` with a mistake
/// is reported and its decision left out.
pub(super) fn expand(files: &mut RuleFiles, diags: &mut Sink) {
    for (file, rules) in &mut files.parsed {
        let decisions = std::mem::take(&mut rules.decisions);
        for d in decisions {
            let Some(each) = &d.value.for_each else {
                rules.decisions.push(d);
                continue;
            };
            match items(each) {
                Ok((var, items)) => {
                    for item in &items {
                        rules.decisions.push(copy(&d, &var, item));
                    }
                }
                Err((at, message)) => {
                    let name = d.value.name.value.clone();
                    diags
                        .error(file, at.line() as usize, at.column() as usize, message)
                        .rule = Some(name);
                }
            }
        }
    }
}

type ForEach = Spanned<crate::rules::model::OrderedMap<Vec<Spanned<String>>>>;

/// The variable and its items, or where and what the mistake is.
fn items(each: &ForEach) -> Result<(String, Vec<String>), (serde_saphyr::Location, String)> {
    let [(var, items)] = &each.value.0[..] else {
        return Err((
            each.referenced,
            "`for_each` names one variable and its items: `for_each: { category: [beverages, snacks] }`".into(),
        ));
    };
    let is_name = |s: &str| {
        s.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    if !is_name(var) {
        return Err((
            each.referenced,
            format!("`{var}` is not a valid variable name"),
        ));
    }
    if items.is_empty() {
        return Err((
            each.referenced,
            format!("`for_each` gives `{var}` no items"),
        ));
    }
    let mut seen: Vec<String> = Vec::new();
    for item in items {
        let text = &item.value;
        if !text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') || text.is_empty() {
            return Err((
                item.referenced,
                format!(
                    "`{text}` cannot be part of an output name: items use letters, digits and `_`"
                ),
            ));
        }
        if seen.contains(text) {
            return Err((item.referenced, format!("`{text}` is listed twice")));
        }
        seen.push(text.clone());
    }
    Ok((var.clone(), seen))
}

/// The copy of `d` for `item`.
fn copy(d: &Spanned<DecisionSpec>, var: &str, item: &str) -> Spanned<DecisionSpec> {
    let mut c = d.clone();
    let s = &mut c.value;
    let output = |name: &mut Spanned<String>| name.value = format!("{}_{item}", name.value);
    let id = |id: &mut Spanned<String>| id.value = format!("{}@{item}", id.value);
    s.for_each = None;
    s.bindings = vec![(var.to_owned(), item.to_owned())];
    s.name.value = format!("{}@{item}", s.name.value);
    for o in [&mut s.output, &mut s.by, &mut s.capped_by]
        .into_iter()
        .flatten()
    {
        output(o);
    }
    for row in &mut s.rules {
        id(&mut row.value.id);
        if let Some(then) = &mut row.value.then {
            for (name, _) in &mut then.0 {
                *name = format!("{name}_{item}");
            }
        }
    }
    // A grid's header names the outputs as written; it matches them with `_<item>`.
    for o in &mut s.outputs {
        o.value.name = format!("{}_{item}", o.value.name);
    }
    for band in s.scale.iter_mut().flat_map(|scale| &mut scale.bands) {
        id(&mut band.value.id);
    }
    for cap in &mut s.caps {
        id(&mut cap.value.id);
    }
    c
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    const TABLE: &str = "    output: extra\n    rules:\n      - { id: x, when: 'annual_sales > 0 && category == \"a\"', value: 1 }\n";

    #[test]
    fn each_item_is_a_decision_with_its_outputs_and_ids() {
        let set = loads(&[(
            "a.yaml",
            &format!("decisions:\n  - name: d\n    for_each: {{ category: [a, b2] }}\n{TABLE}"),
        )]);
        let names: Vec<&str> = set.outputs.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(names, ["extra_a", "extra_b2"]);
        assert_eq!(set.rule_ids, ["x@a", "x@b2"]);
        let d: Vec<&str> = set.decisions.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(d, ["d@a", "d@b2"]);
        // `category` is a text constant: the fast path takes the condition.
        assert!(
            set.decisions
                .iter()
                .all(|d| d.exprs().all(|e| e.native.is_some()))
        );
    }

    #[test]
    fn a_for_each_names_one_variable_and_items_that_fit_in_a_column_name() {
        let d = |each: &str| format!("decisions:\n  - name: d\n    for_each: {each}\n{TABLE}");
        assert_eq!(
            errors(&[
                ("a.yaml", &d("{ category: [a, 'b c'] }")),
                ("b.yaml", &d("{ category: [], region: [x] }")),
                ("c.yaml", &d("{ category: [a, a] }")),
            ]),
            [
                "error rules/a.yaml:3:31 [d]: `b c` cannot be part of an output name: items use letters, digits and `_`",
                "error rules/b.yaml:3:15 [d]: `for_each` names one variable and its items: `for_each: { category: [beverages, snacks] }`",
                "error rules/c.yaml:3:31 [d]: `a` is listed twice",
            ]
        );
    }

    #[test]
    fn a_mistake_every_copy_shares_is_reported_once() {
        assert_eq!(
            errors(&[(
                "a.yaml",
                "decisions:\n  - name: d\n    for_each: { category: [a, b, c] }\n    output: extra\n    rules:\n      - { id: x, when: 'channel == 1', value: 1 }\n",
            )]),
            [
                "error rules/a.yaml:6:33 [x@a, x@b, x@c]: field `channel` is text, but it is compared with a number `1` | help: text and numbers never compare: for dates, compare `date(channel)` with a date such as `date(\"2025-01-01\")`; for numbers kept as text, convert with `parse_float(channel)`",
            ]
        );
    }
}
