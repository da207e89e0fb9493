//! On the data (`check --data`, `run`): a population figure ranked `by:` a text field whose
//! data writes one value several ways (`"DE"` and `"de "`, `"North"` and `"NORTH"`). Each
//! spelling is a group of its own, ranked alone: the three customers written `"de "` are
//! the top 20% of their own group of three, whatever their sales, and nothing fails.

use super::text_spellings::{folded, shown, spellings};
use crate::diag::Diagnostic;
use crate::rules::{Expr, RuleSet};
use crate::source::Dataset;
use std::collections::HashMap;

/// A warning at each field figures rank `by:` whose data holds another spelling of a value.
pub fn split_groups(rules: &RuleSet, data: &Dataset) -> Vec<Diagnostic> {
    // Each field once, at the first figure that groups by it, naming every such figure.
    let mut fields: Vec<(&str, &Expr, Vec<&str>)> = Vec::new();
    for figure in &rules.population {
        let Some(by) = &figure.by else { continue };
        let name = by.text.trim();
        match fields.iter_mut().find(|(n, ..)| *n == name) {
            Some((.., figures)) => figures.push(&figure.name),
            None => fields.push((name, by, vec![&figure.name])),
        }
    }
    let mut out = Vec::new();
    for (name, by, figures) in fields {
        let Some(held) = spellings(data, name) else {
            continue;
        };
        let mut by_fold: HashMap<String, Vec<(&str, usize)>> = HashMap::new();
        for (text, n) in held {
            by_fold.entry(folded(text)).or_default().push((text, n));
        }
        // Each value written several ways, the most customers first.
        let mut split: Vec<Vec<(&str, usize)>> = by_fold
            .into_values()
            .filter(|spellings| spellings.len() > 1)
            .map(|mut spellings| {
                spellings.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
                spellings
            })
            .collect();
        if split.is_empty() {
            continue;
        }
        split.sort_by(|a, b| a[0].0.cmp(b[0].0));
        let listed: Vec<String> = split
            .iter()
            .map(|spellings| {
                let ways: Vec<String> = spellings.iter().map(|(t, n)| shown(t, *n)).collect();
                ways.join(", ")
            })
            .collect();
        let (first, other) = (split[0][0].0, split[0][1].0);
        let warning = Diagnostic::error(
            &by.origin.file,
            by.origin.line,
            by.origin.column,
            format!(
                "`{}` {} customers `by: {name}`, whose data writes one value several ways: {}{}; each spelling is a group of its own, ranked alone (text groups exactly: case and spaces count)",
                figures.join("`, `"),
                if figures.len() == 1 { "ranks" } else { "rank" },
                listed[..listed.len().min(3)].join("; "),
                match listed.len() {
                    0..=3 => String::new(),
                    n => format!("; and {} more values", n - 3),
                },
            ),
        )
        .warning()
        .width(name.chars().count())
        .rule(figures[0].to_owned())
        .help(format!(
            "make the column one spelling in the customers query (`TRIM(UPPER({name}))`; `customers.query`) or at its source, so that {first:?} and {other:?} are ranked together"
        ));
        out.push(warning);
    }
    out
}
