//! Where a compiled expression is in its rule file: where it starts, and where each of its
//! characters is (YAML folds lines of `when: >` and plain scalars, and unescapes `\"` and
//! `''`), so that a message points at the character it is about.

use super::expr::expression_body;
use crate::diag::SourceFile;
use crate::diag::habits;
use crate::diag::yaml;
use crate::rules::Origin;
use serde_saphyr::Spanned;
use std::sync::Arc;

/// Where an expression starts, and where each of its characters is in the file (YAML folds
/// lines of `when: >` and plain scalars, and unescapes `\"` and `''`).
pub(super) struct Place {
    pub origin: Origin,
    /// The (line, column) in the file of each character of the expression; `None` when the
    /// scalar could not be followed in the file (an escape such as `\u00e9`).
    chars: Option<Vec<(usize, usize)>>,
    /// The expression, to count lines and columns in.
    body: String,
}

impl std::ops::Deref for Place {
    type Target = Origin;
    fn deref(&self) -> &Origin {
        &self.origin
    }
}

impl Place {
    pub fn of(file: &Arc<SourceFile>, text: &Spanned<String>, formula: bool) -> Place {
        let origin = origin_of(file, text, formula);
        let raw = &text.value;
        let skipped = raw[..raw.len() - expression_body(raw, formula).len()]
            .chars()
            .count();
        let chars = text
            .referenced
            .span()
            .byte_offset()
            .and_then(|offset| yaml::scalar_positions(&file.text, offset as usize, raw))
            .map(|all| all[skipped..].to_vec());
        let body = expression_body(raw, formula).to_owned();
        Place {
            origin,
            chars,
            body,
        }
    }

    /// The file position of a 1-based (line, column) inside the expression.
    pub fn at(&self, line: usize, column: usize) -> (usize, usize) {
        let Some(chars) = &self.chars else {
            return self.origin.map(line, column);
        };
        match chars.get(habits::char_index(&self.body, line, column)) {
            Some(&at) => at,
            // Just past the end (`Script is incomplete`): after the last character.
            None => chars
                .last()
                .map_or_else(|| self.origin.map(line, column), |&(l, c)| (l, c + 1)),
        }
    }
}

/// Where the text of a YAML string value starts: after the opening quote of a quoted scalar.
fn origin_of(file: &Arc<SourceFile>, text: &Spanned<String>, formula: bool) -> Origin {
    let loc = &text.referenced;
    let mut column = loc.column() as usize;
    if let Some(offset) = loc.span().byte_offset()
        && matches!(
            file.text.as_bytes().get(offset as usize),
            Some(b'"' | b'\'')
        )
    {
        column += 1;
    }
    // Skip what `expression_body` strips: leading blanks and a formula's `=`.
    let raw = &text.value;
    let body = expression_body(raw, formula);
    let skipped = raw[..raw.len() - body.len()].chars().count();
    column += skipped;
    Origin {
        file: file.clone(),
        line: loc.line() as usize,
        column,
    }
}
