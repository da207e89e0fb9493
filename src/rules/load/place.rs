//! Where an expression written in a YAML string is in its file: where it starts, and where
//! each of its characters is (YAML folds the lines of `when: >` and plain scalars, and
//! unescapes `\"` and `''`). Load-time diagnostics and run-time errors both map Rhai's
//! positions through it ([`Origin::map`]).

use super::expr::expression_body;
use crate::diag::{SourceFile, yaml};
use crate::rules::{CharMap, Origin};
use serde_saphyr::Spanned;
use std::sync::Arc;

/// The origin of the expression in `text` (a formula's leading `=` skipped when `formula`).
pub(super) fn origin_of(file: &Arc<SourceFile>, text: &Spanned<String>, formula: bool) -> Origin {
    let loc = &text.referenced;
    let raw = &text.value;
    let body = expression_body(raw, formula);
    // What `expression_body` strips: leading blanks and a formula's `=`.
    let skipped = raw[..raw.len() - body.len()].chars().count();
    // The text of a quoted scalar starts after its opening quote.
    let mut column = loc.column() as usize + skipped;
    if let Some(offset) = loc.span().byte_offset()
        && matches!(
            file.text.as_bytes().get(offset as usize),
            Some(b'"' | b'\'')
        )
    {
        column += 1;
    }
    let chars = loc
        .span()
        .byte_offset()
        .and_then(|offset| yaml::scalar_positions(&file.text, offset as usize, raw))
        .map(|all| {
            Arc::new(CharMap {
                body: body.to_owned(),
                at: all[skipped..].to_vec(),
            })
        });
    Origin {
        file: file.clone(),
        line: loc.line() as usize,
        column,
        chars,
    }
}
