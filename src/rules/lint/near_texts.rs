//! On the data (`check --data`, `run`): a text field compared with a text no customer holds,
//! in any spelling, while the data holds one a typo away (`channel == "Retial"` where 2,975
//! customers are `Retail`). The row matches no one, its customers fall to a later row (the
//! fallback rate), and `check --data` said only "rows that matched no customer". Texts the
//! rules also compare with are meant; short codes (`A`, `B2`) are a typo from each other by
//! design, so only texts of four characters or more are looked at, a letter left out, added
//! or swapped with its neighbour (one letter for another names another value: `Iran`,
//! `Iraq`), in a column of at most 2,000 values (not names or ids).

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
        // A column of names or ids (thousands of values) is no set of categories to misspell,
        // and comparing each text with each would cost more than the run.
        if held.len() > MOST_VALUES {
            continue;
        }
        let lower: Vec<(&str, usize, String)> = (held.iter())
            .map(|(h, n)| (*h, *n, h.to_lowercase()))
            .collect();
        let written: HashSet<&str> = texts.iter().map(|(t, ..)| t.as_str()).collect();
        let held_folded: HashSet<String> = held.keys().map(|t| folded(t)).collect();
        for (text, e, id) in &texts {
            // Held as written, or in another spelling (the spelling lint's).
            if text.chars().count() < 4 || held_folded.contains(&folded(text)) {
                continue;
            }
            let text_lower = text.to_lowercase();
            let mut near: Vec<(&str, usize)> = (lower.iter())
                .filter(|(h, _, l)| !written.contains(*h) && typo_away(&text_lower, l))
                .map(|(h, n, _)| (*h, *n))
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

/// The most distinct values a column may hold for its texts to be looked at.
const MOST_VALUES: usize = 2_000;

/// A letter left out, one too many, or two neighbours swapped (`Retial` for `Retail`,
/// `Wholsale` for `Wholesale`), both in lower case: the slips of typing. One letter for
/// another is not (`Iran` and `Iraq`, `PRO1` and `PRO2`, `Slovenia` and `Slovakia` are
/// other values, not typos).
fn typo_away(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let (short, long) = if a.len() <= b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    match long.len() - short.len() {
        // One left out: the same once it is taken out of the longer.
        1 => (0..long.len()).any(|k| long[..k] == short[..k] && long[k + 1..] == short[k..]),
        // Two neighbours swapped, the rest the same.
        0 => {
            let differ: Vec<usize> = (0..a.len()).filter(|&k| a[k] != b[k]).collect();
            matches!(differ[..], [k, j] if j == k + 1 && a[k] == b[j] && a[j] == b[k])
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::typo_away;

    #[test]
    fn a_typo_is_an_edit_or_a_swap_away() {
        assert!(typo_away("retial", "retail"));
        assert!(typo_away("wholsale", "wholesale"));
        assert!(typo_away("wholesalee", "wholesale"));
        assert!(!typo_away("wholsal", "wholesale"));
        assert!(!typo_away("retail", "online"));
        // One letter for another names another value.
        assert!(!typo_away("iran", "iraq"));
        assert!(!typo_away("slovenia", "slovakia"));
        assert!(!typo_away("pro1", "pro2"));
    }
}
