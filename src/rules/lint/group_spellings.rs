//! On the data (`check --data`, `run`): a population figure ranked `by:` a text field whose
//! data writes one value several ways (`"DE"` and `"de "`, `"North"` and `"NORTH"`). Each
//! spelling is a group of its own, ranked alone: the three customers written `"de "` are
//! the top 20% of their own group of three, whatever their sales, and nothing fails.

use super::text_spellings::{folded, shown};
use crate::diag::Diagnostic;
use crate::rules::{Expr, RuleSet};
use crate::source::Dataset;
use crate::value::Value;
use std::collections::HashMap;

/// A warning at each field figures rank `by:` whose data holds another spelling of a value.
pub fn split_groups(rules: &RuleSet, data: &Dataset) -> Vec<Diagnostic> {
    // Each field once, at the first figure that groups by it, naming every such figure.
    // With what the first figure ranks, to count only the customers it ranks when that is
    // a column (a customer with no sales is in no group, however its country is written).
    let mut fields: Vec<(&str, &Expr, Vec<&str>, &str)> = Vec::new();
    for figure in &rules.population {
        let Some(by) = &figure.by else { continue };
        let name = by.text.trim();
        match fields.iter_mut().find(|(n, ..)| *n == name) {
            Some((_, _, figures, _)) => figures.push(&figure.name),
            None => fields.push((name, by, vec![&figure.name], figure.of.text.trim())),
        }
    }
    let mut out = Vec::new();
    for (name, by, figures, of) in fields {
        let Some(held) = held_values(data, name, of) else {
            continue;
        };
        let ranks = match figures.len() {
            1 => "ranks",
            _ => "rank",
        };
        let who = format!("`{}` {ranks} customers `by: {name}`", figures.join("`, `"));
        let warn = |message: String, help: String| {
            Diagnostic::error(&by.origin.file, by.origin.line, by.origin.column, message)
                .warning()
                .width(name.chars().count())
                .rule(figures[0].to_owned())
                .help(help)
        };
        // Blank text: no country written, yet a group of its own (NULL is in none).
        let blank: usize = (held.iter())
            .filter(|(v, _)| matches!(v, Held::Text(t) if t.trim().is_empty()))
            .map(|(_, n)| n)
            .sum();
        if blank > 0 {
            out.push(warn(
                format!(
                    "{who}, and {} empty text in it: {} (a customer whose value is NULL is in no group)",
                    match blank {
                        1 => "1 customer holds".to_owned(),
                        n => format!("{} hold", crate::text::customers(n)),
                    },
                    match blank {
                        1 => "it is ranked as a group of its own",
                        _ => "they are ranked as a group of their own",
                    }
                ),
                format!("write NULL for no value in the customers query (`NULLIF(TRIM({name}), '') AS {name}`) or at its source"),
            ));
        }
        let mut by_fold: HashMap<String, Vec<(&Held, usize)>> = HashMap::new();
        for (value, n) in &held {
            by_fold.entry(value.folded()).or_default().push((value, *n));
        }
        // Each value written several ways (or held as a number and as text), the most
        // customers first.
        let mut split: Vec<Vec<(&Held, usize)>> = by_fold
            .into_values()
            .filter(|ways| ways.len() > 1)
            .map(|mut ways| {
                ways.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.text().cmp(b.0.text())));
                ways
            })
            .collect();
        if split.is_empty() {
            continue;
        }
        split.sort_by(|a, b| a[0].0.text().cmp(b[0].0.text()));
        let listed: Vec<String> = split
            .iter()
            .map(|ways| {
                let ways: Vec<String> = ways.iter().map(|(v, n)| v.shown(*n)).collect();
                ways.join(", ")
            })
            .collect();
        let (first, other) = (split[0][0].0.written(), split[0][1].0.written());
        out.push(warn(
            format!(
                "{who}, whose data writes one value several ways: {}{}; each spelling is a group of its own, ranked alone (text groups exactly: case and spaces count, and text is not a number)",
                listed[..listed.len().min(3)].join("; "),
                match listed.len() {
                    0..=3 => String::new(),
                    n => format!("; and {} more values", n - 3),
                },
            ),
            format!(
                "make the column one spelling in the customers query (`TRIM(UPPER({name}))`, `CAST({name} AS TEXT)`; `customers.query`) or at its source, so that {first} and {other} are ranked together{}",
                (split.iter().flat_map(|ways| ways.iter().skip(1).map(|w| (&ways[0].0, &w.0))))
                    .find_map(|(a, b)| crate::text::upper_leaves_apart(&a.written(), &b.written()))
                    .unwrap_or_default()
            ),
        ));
    }
    out
}

/// A value of a `by:` column as the data holds it: text, or a number (kept apart from the
/// text of its digits, which is another group).
#[derive(Debug, PartialEq, Eq, Hash)]
enum Held {
    Text(String),
    Number(String),
}

impl Held {
    fn text(&self) -> &str {
        match self {
            Held::Text(t) | Held::Number(t) => t,
        }
    }

    /// What tells spellings apart removed; a number as its digits (`13` and `"13"` fold
    /// together).
    fn folded(&self) -> String {
        folded(self.text())
    }

    /// As a rule would write it: text in quotes, a number as it is.
    fn written(&self) -> String {
        match self {
            Held::Text(t) => format!("{t:?}"),
            Held::Number(t) => t.clone(),
        }
    }

    fn shown(&self, customers: usize) -> String {
        match self {
            Held::Text(t) => shown(t, customers),
            Held::Number(t) => format!("{t} (a number, {})", crate::text::customers(customers)),
        }
    }
}

/// How many customers hold each value of column `name` (text and numbers), of those with a
/// value of `of` when it is a column (the customers a figure of it ranks); `None` for a
/// column that is not in the data.
fn held_values(data: &Dataset, name: &str, of: &str) -> Option<HashMap<Held, usize>> {
    let k = data.names.iter().position(|n| n == name)?;
    let column = &data.columns[k];
    let ranked = data
        .names
        .iter()
        .position(|n| n == of)
        .map(|k| &data.columns[k]);
    let mut held: HashMap<Held, usize> = HashMap::new();
    for i in 0..data.len {
        if ranked.is_some_and(|c| c.value(i).is_null()) {
            continue;
        }
        let value = match column.value(i) {
            Value::Int(i) => Held::Number(i.to_string()),
            // A whole decimal as its digits (13.0 is the 13 a text "13" reads as).
            Value::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
                Held::Number((f as i64).to_string())
            }
            Value::Float(f) => Held::Number(f.to_string()),
            v => match v.as_str() {
                Some(t) => Held::Text(t.to_owned()),
                None => continue,
            },
        };
        *held.entry(value).or_default() += 1;
    }
    Some(held)
}
