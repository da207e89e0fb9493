//! Two hundred and fifty thousand written as a German, Polish or Spanish admin writes it,
//! `250.000`: YAML and the rules read it as 250 (the dot is the decimal point), so a cap or
//! a boundary is a thousandth of what was meant, and nothing fails (a credit limit capped at
//! 250 and rounded down to the thousand is 0 for everyone). A number written with exactly
//! three decimals ending in `00`, after a whole part that is not zero (`250.000`, `2.500`,
//! `100.000`), where a number is a value (after `:`, an operator, `(`, `[`, `,` or a grid's
//! `|`, and before the end of the value) is warned at its place, in the YAML and in its
//! expressions alike. Not warned: `0.125`, `2.5`, `250.0`, a rate such as `1.080` or
//! `1.250`, `1.250.000` (not a number: an error already), numbers in prose or text
//! (`mehr als 100.000 EUR`), comments, and scripts.

use crate::diag::{Diagnostic, SourceFile};

/// A warning at each number of `file` that reads as a thousandth of what it likely means.
pub(super) fn dotted_thousands(file: &SourceFile) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (n, line) in file.text.lines().enumerate() {
        let chars: Vec<char> = without_comment(line).chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let starts_number = chars[i].is_ascii_digit()
                && (i == 0
                    || !(chars[i - 1].is_alphanumeric() || matches!(chars[i - 1], '_' | '.')));
            if !starts_number {
                i += 1;
                continue;
            }
            let end = (i..chars.len())
                .find(|&k| !(chars[k].is_ascii_digit() || chars[k] == '.'))
                .unwrap_or(chars.len());
            let written: String = chars[i..end].iter().collect();
            let before = chars[..i].iter().rev().find(|c| !c.is_whitespace());
            let after = chars[end..].iter().find(|c| !c.is_whitespace());
            let a_value = before.is_none_or(|c| ":=<>!*/+-([,|{".contains(*c))
                && after.is_none_or(|c| ",}])|#&*/+-<>=!\"'".contains(*c));
            if a_value && let Some(warning) = warning(file, n + 1, i + 1, &written) {
                out.push(warning);
            }
            i = end;
        }
    }
    out
}

/// The warning for `written` at `line`:`column`, if it looks like a dotted thousand.
fn warning(file: &SourceFile, line: usize, column: usize, written: &str) -> Option<Diagnostic> {
    let (whole, decimals) = written.split_once('.')?;
    let dotted = (1..=3).contains(&whole.len())
        && !whole.starts_with('0')
        && decimals.len() == 3
        && decimals.ends_with("00")
        && decimals.chars().all(|c| c.is_ascii_digit());
    if !dotted {
        return None;
    }
    let read = written.trim_end_matches('0').trim_end_matches('.');
    let meant = format!("{whole}{decimals}");
    let meant_shown = crate::text::thousands(meant.parse().ok()?);
    Some(
        Diagnostic::error(
            file,
            line,
            column,
            format!(
                "`{written}` reads as {read} (the dot is the decimal point), not as {meant_shown}"
            ),
        )
        .warning()
        .width(written.len())
        .help(format!(
            "numbers are written without thousands separators: for {meant_shown} write {meant}; if you mean {read}, write {read}"
        )),
    )
}

/// `line` up to its YAML comment (a `#` at its start or after a blank, outside quotes).
fn without_comment(line: &str) -> &str {
    let mut quote = None;
    let mut previous = ' ';
    for (k, c) in line.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '#' && previous.is_whitespace() => return &line[..k],
            None => {}
        }
        previous = c;
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn warned(text: &str) -> Vec<(usize, usize, String)> {
        let file = SourceFile::new("rules/credit.yaml".into(), text.to_owned());
        (dotted_thousands(&file).into_iter())
            .map(|d| (d.line, d.column, d.message))
            .collect()
    }

    #[test]
    fn a_dotted_thousand_is_warned_where_it_is_written() {
        assert_eq!(
            warned("caps:\n  max: 250.000\n"),
            [(
                2,
                8,
                "`250.000` reads as 250 (the dot is the decimal point), not as 250,000".to_owned()
            )]
        );
        let in_expression = warned("when: \"Umsatz >= 100.000 && x < 2.500\"\n");
        let places: Vec<(usize, usize)> = in_expression.iter().map(|(l, c, _)| (*l, *c)).collect();
        assert_eq!(places, [(1, 18), (1, 33)]);
    }

    #[test]
    fn decimals_dates_comments_and_names_are_not() {
        for text in [
            "value: 0.125\n",
            "value: 2.5\n",
            "value: 250.0\n",
            "value: 0.250\n",
            "value: 1.255\n",
            "value: 1.080   # EUR/USD rate\n",
            "value: 1.250\n",
            "doc: Kunden mit mehr als 100.000 EUR Umsatz, Version 1.100\n",
            "value: \"= \\\"Limit 250.000 EUR erreicht\\\"\"\n",
            "value: 'Kunde''s Limit 1.500 EUR'\n",
            "value: 1250.000\n",
            "effective: { from: 2024.05.01 }\n",
            "max: 250000 # not 250.000\n",
            "# 100.000 customers\n",
            "when: v2.500 > 1\n",
            "when: x.100 > 1\n",
        ] {
            assert_eq!(warned(text), [], "{text}");
        }
        // A `#` inside quotes is no comment.
        assert_eq!(warned("when: \"a == '#' && x > 100.000\"\n").len(), 1);
    }
}
