//! On the data (`check --data`): customer ids a rule names (`customer_id in ["C-01723",
//! ...]`, `customer_id == 1001`) that no customer has. A list of 40 named customers comes
//! from an e-mail: `C-1723` for `C-01723`, or a customer who is not in the data, gets no
//! concession the director approved, and the row still matches the others. Ids that differ
//! from a customer's only in case or spaces are the spelling lint's ([`super::text_spellings`]).

use crate::diag::Diagnostic;
use crate::rules::{Expr, RuleSet, SlotKind};
use crate::source::Dataset;
use crate::value::Lit;
use std::collections::{HashMap, HashSet};

/// A warning per expression that names ids no customer has, at the first of them.
pub fn ids_no_customer_has(rules: &RuleSet, data: &Dataset) -> Vec<Diagnostic> {
    let id_name = &data.names[data.id_column];
    let Some(slot) =
        (rules.slots.iter()).position(|(name, kind)| name == id_name && *kind == SlotKind::Field)
    else {
        return Vec::new();
    };
    // The ids each expression tests for equality: most rule sets name none, and the
    // customers' ids are then not gathered.
    let named: Vec<(&Expr, Option<&str>, Vec<String>)> = (super::rule_expressions(rules))
        .into_iter()
        .filter_map(|(e, rule)| {
            let native = e.native.as_ref()?;
            let ids: Vec<String> = (super::walk::equality_tests(&native.root).into_iter())
                // `customer_id != "C-TEST"` leaving out an id no customer has leaves out
                // no one, as meant.
                .filter(|(cmp, s, _)| *s == slot && *cmp == crate::rules::native::Cmp::Eq)
                .filter_map(|(_, _, lit)| match lit {
                    Lit::Str(text) => Some(text.to_string()),
                    Lit::Int(n) => Some(n.to_string()),
                    _ => None,
                })
                .collect();
            (!ids.is_empty()).then_some((e, rule, ids))
        })
        .collect();
    if named.is_empty() {
        return Vec::new();
    }
    let held: HashSet<String> = (0..data.len).map(|i| data.id_text(i)).collect();
    // What the eye reads past: case, spaces, and zeros that pad a number (`C-1723`).
    let mut by_fold: HashMap<String, &str> = HashMap::new();
    for id in &held {
        by_fold.entry(folded(id)).or_insert(id);
    }
    let mut out = Vec::new();
    let mut said: HashSet<String> = HashSet::new();
    for (e, rule, ids) in named {
        let mut unknown: Vec<(String, Option<&str>)> = Vec::new();
        for id in ids {
            if held.contains(&id) || !said.insert(id.clone()) {
                continue;
            }
            let like = by_fold.get(&folded(&id)).copied();
            // Another case or spacing of a customer's id: the spelling lint says it.
            if like.is_some_and(|like| like.trim().to_lowercase() == id.trim().to_lowercase()) {
                continue;
            }
            unknown.push((id, like));
        }
        if !unknown.is_empty() {
            out.push(warning(e, rule, id_name, &unknown));
        }
    }
    out
}

fn warning(
    e: &Expr,
    rule: Option<&str>,
    id_name: &str,
    unknown: &[(String, Option<&str>)],
) -> Diagnostic {
    let listed: Vec<String> = (unknown.iter())
        .map(|(id, like)| match like {
            Some(like) => format!("{id:?} (did you mean {like:?}?)"),
            None => format!("{id:?}"),
        })
        .collect();
    let (first, _) = &unknown[0];
    let (line, column) = at_id(e, first);
    let message = match unknown.len() {
        1 => format!(
            "`{id_name}` is compared with {}, which no customer has: that id gets nothing from this rule",
            listed[0]
        ),
        n => format!(
            "`{id_name}` is compared with {n} ids no customer has: {}; those ids get nothing from this rule",
            crate::text::first_three(&listed)
        ),
    };
    let warning = Diagnostic::error(&e.origin.file, line, column, message)
        .warning()
        .width(first.chars().count())
        .help("write each id as the customer source has it (`tierwise explain <id>` says whether a customer has it); an id of a customer who left can go");
    super::walk::of_rule(warning, rule)
}

/// Where `id` is written in `e`: quoted, else as a whole number (`99` is not the end of
/// `1099`).
fn at_id(e: &Expr, id: &str) -> (usize, usize) {
    let text = &e.text;
    let whole = |at: usize| {
        let before = text[..at].chars().next_back();
        let after = text[at + id.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    };
    match text
        .match_indices(id)
        .map(|(at, _)| at)
        .find(|&at| whole(at))
    {
        Some(at) if !text.contains(&format!("{id:?}")) => super::walk::place_in(e, at),
        _ => super::text_spellings::at_text(e, id),
    }
}

/// An id without what the eye reads past: case, spaces around it, and the zeros that pad
/// each number in it (`C-01723` and `c-1723` fold alike).
fn folded(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    let mut in_number = false;
    for c in id.trim().chars() {
        if c == '0' && !in_number {
            continue;
        }
        in_number = c.is_ascii_digit();
        out.extend(c.to_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::folded;

    #[test]
    fn ids_fold_without_case_spaces_or_padding_zeros() {
        assert_eq!(folded("C-01723"), folded("c-1723 "));
        assert_eq!(folded("00123"), folded("123"));
        assert_ne!(folded("C-1723"), folded("C-17230"));
        assert_ne!(folded("C-1723"), folded("C-1724"));
        assert_eq!(folded("C-1000"), "c-1000");
    }
}
