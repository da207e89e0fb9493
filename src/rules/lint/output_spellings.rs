//! After evaluation (`run`, `check --data`): an output a later rule compares with a text
//! (`tier == "A"`) that the rules gave some customers in another spelling (`"a "`, from an
//! override table's hand-typed cell copied by `tier: "= pin_tier ?? rank_tier"`). Those
//! customers miss every row meant for the value: a pin to tier A gave no discount, fewer
//! payment days and fewer visits than no pin at all, exit 0. The data lint on fields
//! ([`super::text_spellings`]) cannot see it: no rule compares the override's column.

use super::text_spellings::{at_text, compared_texts, slips};
use crate::diag::Diagnostic;
use crate::rules::{RuleSet, SlotKind};
use crate::value::Value;
use std::collections::HashMap;

/// How many customers a warning names per text.
const EXAMPLES: usize = 3;

/// The most other texts counted per output: a free-text output (a reason) compared with a
/// few texts holds as many as there are customers.
const MOST: usize = 10_000;

/// The values of the outputs the rules compare with texts, counted as customers get them:
/// only the texts not compared with (a lookup among a few texts per customer; nothing for
/// most outputs).
#[derive(Debug, Clone, Default)]
pub struct OutputSpellings {
    /// Per output compared with texts: its index among the outputs and the texts.
    watched: Vec<(usize, Vec<String>)>,
    /// Per watched output: each other text, how many customers got it and the first few.
    others: Vec<HashMap<String, (usize, Vec<usize>)>>,
}

impl OutputSpellings {
    pub fn new(rules: &RuleSet) -> Self {
        let watched: Vec<(usize, Vec<String>)> = (compared_texts(rules, SlotKind::Output))
            .into_iter()
            .filter_map(|(slot, texts)| {
                let k = rules.outputs.iter().position(|o| o.slot == slot)?;
                Some((k, texts.into_iter().map(|(t, ..)| t).collect()))
            })
            .collect();
        OutputSpellings {
            others: vec![HashMap::new(); watched.len()],
            watched,
        }
    }

    /// Counts customer `index`'s `outputs` (in the order of the rules' outputs).
    #[inline]
    pub fn count(&mut self, index: usize, outputs: &[Value<'_>]) {
        for ((k, texts), others) in self.watched.iter().zip(&mut self.others) {
            let Some(text) = outputs.get(*k).and_then(Value::as_str) else {
                continue;
            };
            if texts.iter().any(|t| t == text) {
                continue;
            }
            if let Some((n, first)) = others.get_mut(text) {
                *n += 1;
                if first.len() < EXAMPLES {
                    first.push(index);
                }
            } else if others.len() < MOST {
                others.insert(text.to_owned(), (1, vec![index]));
            }
        }
    }

    /// Adds what another part of the customers counted (a parallel tally's).
    pub fn merge(&mut self, other: OutputSpellings) {
        for (mine, theirs) in self.others.iter_mut().zip(other.others) {
            for (text, (n, first)) in theirs {
                let entry = mine.entry(text).or_default();
                entry.0 += n;
                entry.1.extend(first);
                entry.1.sort_unstable();
                entry.1.truncate(EXAMPLES);
            }
        }
    }

    /// A warning at each compared text some customers got another spelling of, naming the
    /// first such customers (`id` gives a customer's id from its index).
    pub fn warnings(&self, rules: &RuleSet, id: impl Fn(usize) -> String) -> Vec<Diagnostic> {
        let compared = compared_texts(rules, SlotKind::Output);
        let mut out = Vec::new();
        for ((k, _), others) in self.watched.iter().zip(&self.others) {
            let output = &rules.outputs[*k];
            let name = &output.name;
            let Some((_, texts)) = compared.iter().find(|(slot, _)| *slot == output.slot) else {
                continue;
            };
            let held: HashMap<&str, usize> =
                others.iter().map(|(t, (n, _))| (t.as_str(), *n)).collect();
            out.extend(slips(texts, &held, |e, rule, text, _, spellings| {
                let listed: Vec<String> = (spellings.iter())
                    .map(|(v, n)| {
                        let first: Vec<String> = others[*v].1.iter().map(|&i| id(i)).collect();
                        let customers = crate::text::customers(*n);
                        let more = match n - first.len() {
                            0 => String::new(),
                            more => format!(" and {} more", crate::text::thousands(more as f64)),
                        };
                        format!("{v:?} to {customers} ({}{more})", first.join(", "))
                    })
                    .collect();
                let (line, column) = at_text(e, text);
                let warning = Diagnostic::error(
                    &e.origin.file,
                    line,
                    column,
                    format!(
                        "`{name}` is compared with {text:?}, but the rules gave {}: text compares exactly (case and spaces count), so those customers do not match it",
                        crate::text::first_three(&listed)
                    ),
                )
                .warning()
                .width(text.chars().count())
                .help(format!(
                    "the rules copied it into `{name}` from a text (a column of the data, an override table's cell, a rule's own text): write it {text:?} there, or make the column one spelling in the customers query (`UPPER(TRIM(x))`); `tierwise explain <customer>` shows which row gave it"
                ));
                super::walk::of_rule(warning, rule)
            }));
        }
        out
    }
}
