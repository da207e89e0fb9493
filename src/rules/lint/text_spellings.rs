//! On the data (`check --data`, `run`): a text field compared with a text (`channel ==
//! "Wholesale"`, a grid cell `Wholesale`, `"KA", "BC"`) while the data also writes that text
//! another way: another case, or a space before, after or doubled inside (`"Wholesale "`,
//! `"wholesale"`, what a CRM export or a hand-typed cell leaves behind), `ß` written `SS`
//! (`GROSSHANDEL`), or the same letters composed another way (`ä` as `a` and a combining
//! diaeresis, as macOS and some exports write it: it looks the same on screen). Text compares
//! exactly, so those customers miss the row and fall to a later row or the `default:`,
//! which passes every check as a value; nothing fails. The rules alone cannot see it: only
//! the data holds the other spellings. A spelling the rules also compare with is meant.

use crate::diag::Diagnostic;
use crate::rules::{Expr, RuleSet, Slot, SlotKind};
use crate::source::Dataset;
use crate::value::{Lit, Value};
use std::collections::{HashMap, HashSet};

/// A text a field is compared with, and the first place it is (its expression and rule).
pub(super) type Compared<'r> = (String, &'r Expr, Option<&'r str>);

/// A warning at each text a field is compared with, the first place it is compared, when
/// the field holds other spellings of it.
pub fn other_spellings(rules: &RuleSet, data: &Dataset) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (slot, texts) in compared_texts(rules, SlotKind::Field) {
        let name = rules.slot_name(slot);
        let Some(held) = spellings(data, name) else {
            continue;
        };
        out.extend(slips(&texts, &held, |e, id, text, exact, others| {
            slip(e, id, name, text, exact, others)
        }));
    }
    out
}

/// Per slot of `kind` (fields, outputs), the texts the rules compare it with, each with
/// the first place it is; by slot.
pub(super) fn compared_texts(rules: &RuleSet, kind: SlotKind) -> Vec<(Slot, Vec<Compared<'_>>)> {
    let mut compared: HashMap<Slot, Vec<Compared>> = HashMap::new();
    let mut seen: HashSet<(Slot, String)> = HashSet::new();
    for (e, id) in super::rule_expressions(rules) {
        let Some(native) = &e.native else { continue };
        let tests = super::walk::equality_tests(&native.root).into_iter();
        let mut texts: Vec<(Slot, String)> = tests
            .filter_map(|(_, slot, lit)| match lit {
                Lit::Str(text) => Some((slot, text.to_string())),
                _ => None,
            })
            .collect();
        // A `switch channel { "PL" => ... }` case is `channel == "PL"` (its values are
        // read back from the text: the compiled switch holds their hashes only).
        for (name, text) in crate::rules::load::switch_text_cases(&e.text) {
            let field = (rules.slots.iter()).position(|(n, k)| *n == name && *k == SlotKind::Field);
            texts.extend(field.map(|slot| (slot, text)));
        }
        for (slot, text) in texts {
            if rules.slots.get(slot).map(|(_, k)| *k) != Some(kind) {
                continue;
            }
            if seen.insert((slot, text.clone())) {
                compared.entry(slot).or_default().push((text, e, id));
            }
        }
    }
    let mut slots: Vec<(Slot, Vec<Compared>)> = compared.into_iter().collect();
    slots.sort_by_key(|(slot, _)| *slot);
    slots
}

/// A warning (made by `slip`) at each of `texts` that `held` (how many customers hold each
/// text) also holds another spelling of, one the rules do not compare with too.
pub(super) fn slips<'h>(
    texts: &[Compared<'_>],
    held: &HashMap<&'h str, usize>,
    slip: impl Fn(&Expr, Option<&str>, &str, usize, &[(&'h str, usize)]) -> Diagnostic,
) -> Vec<Diagnostic> {
    let written: HashSet<&str> = texts.iter().map(|(t, ..)| t.as_str()).collect();
    let folds = Folds::new(held);
    let mut out = Vec::new();
    for (text, e, id) in texts {
        let text = text.as_str();
        let others = folds.others(text, &written);
        if others.is_empty() {
            continue;
        }
        let exact = held.get(text).copied().unwrap_or(0);
        out.push(slip(e, *id, text, exact, &others));
    }
    out
}

/// The texts a column holds, by their folded spelling: each held text folded once (a VIP
/// list of 4,000 ids against 100,000 customers folded every id for every text, minutes
/// before the run began).
pub(super) struct Folds<'h>(HashMap<String, Vec<(&'h str, usize)>>);

impl<'h> Folds<'h> {
    pub(super) fn new(held: &HashMap<&'h str, usize>) -> Folds<'h> {
        let mut by_fold: HashMap<String, Vec<(&'h str, usize)>> = HashMap::new();
        for (v, n) in held {
            by_fold.entry(folded(v)).or_default().push((*v, *n));
        }
        Folds(by_fold)
    }

    /// The other spellings of `text` the column holds, with how many customers each, the
    /// most first; none of `meant` (spellings the rules compare with too).
    pub(super) fn others(&self, text: &str, meant: &HashSet<&str>) -> Vec<(&'h str, usize)> {
        let mut others: Vec<(&'h str, usize)> = (self.0.get(&folded(text)).into_iter())
            .flatten()
            .filter(|(v, _)| *v != text && !meant.contains(*v))
            .copied()
            .collect();
        others.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        others
    }
}

/// How many customers hold each text of column `name`; `None` for a column that is not
/// in the data.
pub(super) fn spellings<'d>(data: &'d Dataset, name: &str) -> Option<HashMap<&'d str, usize>> {
    let k = data.names.iter().position(|n| n == name)?;
    let column = &data.columns[k];
    let mut held: HashMap<&str, usize> = HashMap::new();
    for i in 0..data.len {
        if let Value::Str(text) = column.value(i) {
            *held.entry(text).or_default() += 1;
        }
    }
    Some(held)
}

/// A text without what tells the spellings apart: case (`ß` is `ss`), spaces around and
/// between words, how its letters are composed (Unicode NFC), and the dashes and quotes a
/// word processor puts in for `-` and `'` (`BBB–` with an en dash, as autocorrect writes it).
pub(super) fn folded(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let composed: String = (text.nfc())
        .map(|c| match c {
            '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
            '\u{2018}' | '\u{2019}' | '\u{201b}' => '\'',
            c => c,
        })
        .collect();
    let words: Vec<&str> = composed.split_whitespace().collect();
    words.join(" ").to_lowercase().replace('ß', "ss")
}

/// How a spelling is shown in the warning: quoted, with what the screen does not show.
pub(super) fn shown(text: &str, customers: usize) -> String {
    let typographic = |c: char| {
        matches!(
            c,
            '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{2018}' | '\u{2019}' | '\u{201b}'
        )
    };
    let decomposed = match (
        unicode_normalization::is_nfc(text),
        text.chars().any(typographic),
    ) {
        (false, _) => "decomposed letters, ",
        (true, true) => "a dash or quote as a word processor writes it, ",
        (true, false) => "",
    };
    format!(
        "{text:?} ({decomposed}{})",
        crate::text::customers(customers)
    )
}

/// Where `text` is in `e`: inside its quotes (a grid cell may write it without any).
pub(super) fn at_text(e: &Expr, text: &str) -> (usize, usize) {
    match e.text.find(&format!("{text:?}")) {
        Some(at) => super::walk::place_in(e, at + 1),
        None => super::walk::place_of(e, text),
    }
}

fn slip(
    e: &Expr,
    id: Option<&str>,
    name: &str,
    text: &str,
    exact: usize,
    others: &[(&str, usize)],
) -> Diagnostic {
    let customers = crate::text::customers;
    let listed: Vec<String> = others.iter().map(|(v, n)| shown(v, *n)).collect();
    let message = format!(
        "`{name}` is compared with {text:?}, but the data also writes it {}: text compares exactly (case and spaces count), so those customers do not match it{}",
        crate::text::first_three(&listed),
        match exact {
            0 => format!("; no customer holds {text:?} as written"),
            1 => format!(" (1 customer holds {text:?} as written)"),
            n => format!(" ({} hold {text:?} as written)", customers(n)),
        }
    );
    let (line, column) = at_text(e, text);
    let (first, _) = others[0];
    // What a listed spelling cannot say, or SQL cannot mend: invisible blanks (TRIM leaves a
    // no-break space), letters composed another way (SQLite has no NFC).
    // The rule's own text is the odd spelling (pasted from Excel or a Mac), held by no
    // customer: mend the rule.
    let help = if exact == 0
        && (!unicode_normalization::is_nfc(text)
            || text.chars().any(|c| c.is_whitespace() && c != ' '))
    {
        format!(
            "the rule's own text is written {}, which the screen does not show: retype it in the rule file",
            crate::text::visible(text)
        )
    } else if first.chars().any(|c| c.is_whitespace() && c != ' ') {
        format!(
            "make the column one spelling in the customers query (`customers.query`): `TRIM(REPLACE({name}, char(160), ' '))` (TRIM alone keeps a no-break space), or at its source"
        )
    } else if !unicode_normalization::is_nfc(first) {
        "make the column one spelling at its source: the export writes some letters decomposed (Unicode NFD); save it as NFC (composed), which SQL cannot do".to_owned()
    } else {
        format!(
            "make the column one spelling in the customers query (`TRIM({name})`, `UPPER({name})`; `customers.query`) or at its source{}; or, if {first:?} is meant to match too, compare with both: `{name} in [{text:?}, {first:?}]` (a grid cell `{text:?}, {first:?}`, a switch case `{text:?} | {first:?} =>`)",
            crate::text::upper_leaves_apart(text, first).unwrap_or_default()
        )
    };
    let warning = Diagnostic::error(&e.origin.file, line, column, message)
        .warning()
        .width(text.chars().count())
        .help(help);
    super::walk::of_rule(warning, id)
}

#[cfg(test)]
mod tests {
    use super::folded;

    #[test]
    fn spellings_differ_by_case_and_spaces_only() {
        assert_eq!(folded("Wholesale "), folded("wholesale"));
        assert_eq!(folded(" Key  Account"), folded("key account"));
        assert_eq!(folded("Wholesale\u{a0}"), folded("WHOLESALE"));
        assert_ne!(folded("Whole sale"), folded("Wholesale"));
        assert_ne!(folded("Retail"), folded("Wholesale"));
        assert_eq!(folded("GROSSHANDEL"), folded("Großhandel"));
        // `ä` composed, and as `a` with a combining diaeresis.
        assert_eq!(folded("B\u{e4}ckerei"), folded("Ba\u{308}ckerei"));
        assert_ne!(folded("Backerei"), folded("B\u{e4}ckerei"));
        // An en dash, a minus sign, a curly apostrophe: as autocorrect writes `-` and `'`.
        assert_eq!(folded("BBB\u{2013}"), folded("BBB-"));
        assert_eq!(folded("A\u{2212}"), folded("a-"));
        assert_eq!(folded("McDonald\u{2019}s"), folded("McDonald's"));
    }
}
