//! Ctrl-Z, the old DOS end-of-file mark some Windows tools still add at the end of a
//! file: invisible in most editors, and to the YAML reader an "unexpected character".

use super::{Diagnostic, SourceFile};

/// The diagnostic for a YAML reader's `message` about a Ctrl-Z in `file`: where it is, and
/// to delete it.
pub(super) fn ctrl_z(file: &SourceFile, message: &str) -> Option<Diagnostic> {
    if !(message.contains("\\u{1a}") || message.contains('\u{1a}')) {
        return None;
    }
    let line = file.text.lines().position(|l| l.contains('\u{1a}'))?;
    let text = file.text.lines().nth(line).unwrap_or_default();
    let column = text.chars().position(|c| c == '\u{1a}').unwrap_or(0) + 1;
    let d = Diagnostic::error(
        file,
        line + 1,
        column,
        "a Ctrl-Z character (the old DOS end-of-file mark some Windows tools add) is here, invisible",
    );
    Some(d.help("delete it: it is the last character of the file in most cases; an editor that shows control characters shows it as ^Z or SUB"))
}

#[cfg(test)]
mod tests {
    use super::super::{SourceFile, yaml::parse};

    #[test]
    fn a_ctrl_z_at_the_end_is_named() {
        let file = SourceFile::new("t.yaml".into(), "id: a\nwhen: x > 1\n\u{1a}".into());
        let d = parse::<serde_json::Value>(&file).unwrap_err();
        assert_eq!((d.line, d.column), (3, 1), "{d}");
        assert!(d.message.starts_with("a Ctrl-Z character"), "{d}");
    }
}
