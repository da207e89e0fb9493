//! What a screen does not show, in a rule file: a zero-width space or a byte-order mark
//! pasted inside `"Velkoodběratel"` (text copied from a mail, a chat or a web page), a
//! no-break space where a space looks written (copied from Excel or Word), a letter written
//! as two characters, a base letter and a combining accent (copied from a Mac). A text
//! holding one is not the text it looks like: compared, it matches no customer whose text
//! is written the usual way, and nothing fails. Each is a warning at its line and column,
//! naming the character. Comments are left alone, and so are marks that a script writes
//! after its letters (Hindi, Hebrew: text already in its usual, composed form).

use crate::diag::{Diagnostic, SourceFile};
use crate::text::invisible_name;

/// A warning at the first character of each line of `file` that a screen does not show
/// as it is.
pub(super) fn invisible(file: &SourceFile) -> Vec<Diagnostic> {
    let script = crate::text::extension(&file.path).as_deref() == Some("rhai");
    let mut out = Vec::new();
    for (n, line) in file.text.lines().enumerate() {
        let chars: Vec<char> = line.chars().collect();
        let end = comment_start(&chars, script).unwrap_or(chars.len());
        // A byte-order mark at the very start of the file is how some editors save UTF-8.
        let from = usize::from(n == 0 && chars.first() == Some(&'\u{feff}'));
        let found = (from..end).find_map(|i| {
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

/// Where a comment starts on a line (`#` after a blank or at the start in YAML, `//` in a
/// script), outside quotes.
fn comment_start(chars: &[char], script: bool) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, &c) in chars.iter().enumerate() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if matches!(c, '"' | '\'' | '`') => quote = Some(c),
            None if !script && c == '#' && (i == 0 || chars[i - 1].is_whitespace()) => {
                return Some(i);
            }
            None if script && c == '/' && chars.get(i + 1) == Some(&'/') => return Some(i),
            None => {}
        }
    }
    None
}

/// What is wrong with `c` (after `previous` on its line), and what to do.
fn what(c: char, previous: Option<char>) -> Option<(String, String)> {
    let code = format!("U+{:04X}", u32::from(c));
    if let Some(name) = invisible_name(c) {
        return Some(match name {
            "a no-break space" => (
                format!("a no-break space ({code}) is written here, not a space: a text holding it is not the text it looks like, and compared it matches no customer whose text has a plain space"),
                "retype the space (a no-break space comes with text copied from Excel or Word)".to_owned(),
            ),
            _ => (
                format!("an invisible character, {name} ({code}), is written here: a text holding it is not the text it looks like, and compared it matches no customer whose text lacks it"),
                "delete it (it comes with text pasted from a mail, a chat or a web page): put the cursor just after it and press Backspace, or retype the text".to_owned(),
            ),
        });
    }
    // A base letter and an accent that compose into one letter (`S` and U+0301: `Ś`), as a
    // Mac writes it; marks that compose with nothing are their script's own (Hindi).
    let base = previous.filter(|p| is_combining(c) && !is_combining(*p))?;
    let one = composed(base, c)?;
    Some((
        format!(
            "`{one}` is written as two characters here, `{base}` and the combining accent {code} (as text copied from a Mac writes it): compared, it matches no customer whose text writes the letter as one character"
        ),
        "retype the letter".to_owned(),
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
                "warning rules/b.yaml:4:49: an invisible character, a zero-width space (U+200B), is written here: a text holding it is not the text it looks like, and compared it matches no customer whose text lacks it | help: delete it (it comes with text pasted from a mail, a chat or a web page): put the cursor just after it and press Backspace, or retype the text"
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
        // A comment is not a text the rules compare, whole-line or after a value.
        let comment = format!("# Mały\u{a0}odbiorca\n{ROW}");
        assert_eq!(warnings(&comment), Vec::<String>::new());
        let after = ROW.replace("rules:\n", "rules: # Mały\u{a0}odbiorca\n");
        assert_eq!(warnings(&after), Vec::<String>::new());
        // Hindi's virama and Hebrew's points are their letters, written as they are.
        let scripts = ROW.replace("Velkoodběratel", "हिन्दी\" || channel == \"עִבְרִית");
        assert_eq!(warnings(&scripts), Vec::<String>::new());
    }
}
