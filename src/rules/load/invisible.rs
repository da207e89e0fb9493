//! What a screen does not show, in a rule file: a zero-width space or a byte-order mark
//! pasted inside `"Velkoodběratel"` (text copied from a mail, a chat or a web page), a
//! no-break space where a space looks written (copied from Excel or Word), a letter written
//! as two characters, a base letter and a combining accent (copied from a Mac). A text
//! holding one matches no customer whose text is written the usual way, and nothing fails:
//! every customer misses the row. Each is a warning at its line and column, naming the
//! character; whole-line comments are left alone.

use crate::diag::{Diagnostic, SourceFile};

/// A warning at the first character of each line of `file` that a screen does not show
/// as it is.
pub(super) fn invisible(file: &SourceFile) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (n, line) in file.text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') || trimmed.starts_with("//") {
            continue;
        }
        let chars: Vec<char> = line.chars().collect();
        // A byte-order mark at the very start of the file is how some editors save UTF-8.
        let from = usize::from(n == 0 && chars.first() == Some(&'\u{feff}'));
        let found = (from..chars.len()).find_map(|i| {
            let previous = i.checked_sub(1).map(|k| chars[k]);
            // `20 000` with a no-break space: a number written with thousands separators,
            // which the number checks name.
            let grouping = chars[i] == '\u{a0}'
                && previous.is_some_and(|p| p.is_ascii_digit())
                && chars.get(i + 1).is_some_and(char::is_ascii_digit);
            (!grouping)
                .then(|| what(chars[i], previous))
                .flatten()
                .map(|what| (i, what))
        });
        if let Some((i, (message, help))) = found {
            // A combining accent is shown at its letter.
            let column = if is_combining(chars[i]) { i } else { i + 1 };
            out.push(
                Diagnostic::error(file, n + 1, column, message)
                    .warning()
                    .help(help),
            );
        }
    }
    out
}

/// What is wrong with `c` (after `previous` on its line), and what to do.
fn what(c: char, previous: Option<char>) -> Option<(String, String)> {
    let code = format!("U+{:04X}", u32::from(c));
    let name = match c {
        '\u{200b}' => "a zero-width space",
        '\u{200c}' => "a zero-width non-joiner",
        '\u{200d}' => "a zero-width joiner",
        '\u{2060}' => "a word joiner",
        '\u{feff}' => "a byte-order mark",
        '\u{00ad}' => "a soft hyphen",
        '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {
            "a text-direction mark"
        }
        '\u{00a0}' | '\u{202f}' | '\u{2007}' => {
            return Some((
                format!(
                    "a no-break space ({code}) is written here, not a space: text compares exactly, so a text holding it matches no customer whose text has a plain space"
                ),
                "retype the space (a no-break space comes with text copied from Excel or Word)"
                    .to_owned(),
            ));
        }
        _ if is_combining(c) && previous.is_some_and(|p| !is_combining(p)) => {
            let base = previous.unwrap_or(' ');
            let one = composed(base, c);
            let letter = match &one {
                Some(one) => format!(
                    "`{one}` is written as two characters here, `{base}` and the combining accent {code}"
                ),
                None => format!("`{base}` is followed by the combining accent {code}"),
            };
            return Some((
                format!(
                    "{letter} (as text copied from a Mac writes it): text compares exactly, so it matches no customer whose text writes the letter as one character"
                ),
                "retype the letter".to_owned(),
            ));
        }
        _ => return None,
    };
    Some((
        format!("an invisible character, {name} ({code}), is written here: text compares exactly, so a text holding it matches no customer whose text lacks it"),
        "delete it (it comes with text pasted from a mail, a chat or a web page): put the cursor just after it and press Backspace, or retype the text".to_owned(),
    ))
}

/// A combining mark (an accent written after its letter): canonical combining class not 0.
fn is_combining(c: char) -> bool {
    unicode_normalization::char::canonical_combining_class(c) != 0
}

/// The one character `base` and `mark` compose to, if any (`S` and U+0301: `Ś`).
fn composed(base: char, mark: char) -> Option<char> {
    unicode_normalization::char::compose(base, mark)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{DECISION, load};

    fn warnings(tiers: &str) -> Vec<String> {
        match load(&[("a.yaml", DECISION), ("b.yaml", tiers)]) {
            Ok((_, warnings)) => warnings,
            Err(errors) => panic!("{errors:#?}"),
        }
    }

    const ROW: &str = "decisions:\n  - name: size\n    rules:\n      - { id: size-big, when: 'channel == \"Velkoodběratel\"', then: { size: big } }\n      - { id: size-rest, then: { size: small } }\n";

    #[test]
    fn an_invisible_character_in_a_text_is_named_at_its_place() {
        let zwsp = ROW.replace("Velkoodběratel", "Velko\u{200b}odběratel");
        assert_eq!(
            warnings(&zwsp),
            [
                "warning rules/b.yaml:4:49: an invisible character, a zero-width space (U+200B), is written here: text compares exactly, so a text holding it matches no customer whose text lacks it | help: delete it (it comes with text pasted from a mail, a chat or a web page): put the cursor just after it and press Backspace, or retype the text"
            ]
        );
        let bom = ROW.replace("Velkoodběratel", "Velkoodběratel\u{feff}");
        assert_eq!(warnings(&bom).len(), 1, "{:?}", warnings(&bom));
        assert!(warnings(&bom)[0].contains("a byte-order mark (U+FEFF)"));
        // At the start of the file, it is how the file was saved: nothing to say.
        assert_eq!(warnings(&format!("\u{feff}{ROW}")), Vec::<String>::new());
        assert_eq!(warnings(ROW), Vec::<String>::new());
    }

    #[test]
    fn a_no_break_space_and_a_decomposed_letter_are_named() {
        let nbsp = ROW.replace("Velkoodběratel", "Mały\u{a0}odbiorca");
        let found = warnings(&nbsp);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].starts_with("warning rules/b.yaml:4:48: a no-break space (U+00A0)"),
            "{found:?}"
        );
        let nfd = ROW.replace("Velkoodběratel", "S\u{301}redni");
        let found = warnings(&nfd);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].starts_with("warning rules/b.yaml:4:44: `Ś` is written as two characters here, `S` and the combining accent U+0301"),
            "{found:?}"
        );
        // A whole-line comment is not a text the rules compare.
        let comment = format!("# Mały\u{a0}odbiorca\n{ROW}");
        assert_eq!(warnings(&comment), Vec::<String>::new());
    }
}
