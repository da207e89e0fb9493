//! What a word processor writes for what a grid cell means, pasted from a policy document
//! (Word, Outlook): curly quotes around a value, dashes for `-`. Read as written, each made a
//! row match no customer without a word.

use super::{CellError, fail};

/// A value in the curly quotes Word and Outlook put in for `"` (`“Premium”`): to the rules,
/// text with those quotes in it, which no customer's value equals (the row would never
/// match, without a word). Only a value they wrap: an apostrophe in a name (`McDonald’s`,
/// `’s-Hertogenbosch`, `‘t Hoekje`) is text.
pub(super) fn typographic_quotes(t: &str, at: usize) -> Result<(), CellError> {
    use crate::diag::habits::TYPOGRAPHIC_QUOTES as CURLY;
    let first = t.chars().next().filter(|c| CURLY.contains(c));
    let last = t.chars().last().filter(|c| CURLY.contains(c));
    let (Some(first), Some(_)) = (first, last) else {
        return Ok(());
    };
    if t.chars().count() < 2 {
        return Ok(());
    }
    let inner = t.trim_matches(|c| CURLY.contains(&c));
    fail(
        at,
        format!(
            "`{t}` is in typographic quotes (`{first}`, as a word processor or e-mail writes them): to the rules that is text with the quotes in it; write straight quotes, \"{inner}\", or none"
        ),
    )
}

/// A dash a word processor put in for `-` (Word and Outlook make `-` an en dash; a minus
/// sign pasted from a document): alone in a cell it was the text "–", a row matching no
/// customer without a word (the model-risk validator's F05); before a number (`< −5`) it
/// was "not a value" with the caret at `<`. `meaning`: what `-` alone means in the cell.
pub(super) fn dash_lookalike(t: &str, at: usize, meaning: &str) -> Result<(), CellError> {
    const DASHES: [(char, &str); 6] = [
        ('\u{2013}', "an en dash"),
        ('\u{2014}', "an em dash"),
        ('\u{2212}', "a minus sign"),
        ('\u{2010}', "a hyphen"),
        ('\u{2011}', "a non-breaking hyphen"),
        ('\u{2012}', "a figure dash"),
    ];
    let chars: Vec<char> = t.chars().collect();
    for (k, c) in chars.iter().enumerate() {
        let Some((_, name)) = DASHES.iter().find(|(d, _)| d == c) else {
            continue;
        };
        let shown = format!(
            "`{c}` (U+{:04X}, {name}, as a word processor writes `-`)",
            *c as u32
        );
        if chars.len() == 1 {
            return fail(at, format!("{shown} is not `-`: write `-` for {meaning}"));
        }
        let starts = k == 0 || matches!(chars[k - 1], ' ' | '<' | '>' | '=' | '[' | '(' | ',');
        if starts && chars.get(k + 1).is_some_and(char::is_ascii_digit) {
            let fixed: String = chars
                .iter()
                .map(|&x| if x == *c { '-' } else { x })
                .collect();
            return fail(
                at + k,
                format!("{shown} is not a minus here: write `{fixed}`"),
            );
        }
    }
    Ok(())
}
