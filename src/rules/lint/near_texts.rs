//! On the data (`check --data`, `run`): a text field compared with a text no customer holds,
//! in any spelling, while the data holds one a typo away (`channel == "Retial"` where 2,975
//! customers are `Retail`). The row matches no one, its customers fall to a later row (the
//! fallback rate), and `check --data` said only "rows that matched no customer". Texts the
//! rules also compare with are meant; short codes (`A`, `B2`) are a typo from each other by
//! design, so only texts of four characters or more are looked at.

use super::text_spellings::{at_text, compared_texts, folded, shown, spellings};
use crate::diag::Diagnostic;
use crate::rules::{RuleSet, SlotKind};
use crate::source::Dataset;
use std::collections::HashSet;

/// A warning at each compared text no customer holds whose nearest held text is a typo away.
pub fn near_texts(rules: &RuleSet, data: &Dataset) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (slot, texts) in compared_texts(rules, SlotKind::Field) {
        let name = rules.slot_name(slot);
        let Some(held) = spellings(data, name) else {
            continue;
        };
        let written: HashSet<&str> = texts.iter().map(|(t, ..)| t.as_str()).collect();
        let held_folded: HashSet<String> = held.keys().map(|t| folded(t)).collect();
        for (text, e, id) in &texts {
            // Held as written, or in another spelling (the spelling lint's).
            if text.chars().count() < 4 || held_folded.contains(&folded(text)) {
                continue;
            }
            let mut near: Vec<(&str, usize)> = (held.iter())
                .filter(|(h, _)| !written.contains(**h) && typo_away(text, h))
                .map(|(h, n)| (*h, *n))
                .collect();
            if near.is_empty() {
                continue;
            }
            near.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            let listed: Vec<String> = near.iter().map(|(h, n)| shown(h, *n)).collect();
            let (line, column) = at_text(e, text);
            let warning = Diagnostic::error(
                &e.origin.file,
                line,
                column,
                format!(
                    "`{name}` is compared with {text:?}, which no customer holds, but the data holds {}, a typo away: the comparison matches no one, so those customers get a later row",
                    crate::text::first_three(&listed)
                ),
            )
            .warning()
            .width(text.chars().count())
            .help(format!(
                "write {:?} if that is meant; a value no customer has yet is fine as written",
                near[0].0
            ));
            out.push(super::walk::of_rule(warning, *id));
        }
    }
    out
}

/// One edit apart (two in a text of eight characters or more), a swap of two neighbours
/// counting one: `Retial` for `Retail`, `Wholsale` for `Wholesale`.
fn typo_away(a: &str, b: &str) -> bool {
    let limit = if a.chars().count() >= 8 { 2 } else { 1 };
    let (a, b) = (a.to_lowercase(), b.to_lowercase());
    a != b && strsim::damerau_levenshtein(&a, &b) <= limit
}

#[cfg(test)]
mod tests {
    use super::typo_away;

    #[test]
    fn a_typo_is_an_edit_or_a_swap_away() {
        assert!(typo_away("Retial", "Retail"));
        assert!(typo_away("Wholsale", "Wholesale"));
        assert!(!typo_away("Wholsal", "Wholesale"));
        assert!(!typo_away("Retail", "Online"));
        assert!(!typo_away("North", "South"));
    }
}
