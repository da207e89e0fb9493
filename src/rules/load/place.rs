//! Where an expression written in a YAML string is in its file: where it starts, and where
//! each of its characters is (YAML folds the lines of `when: >` and plain scalars, and
//! unescapes `\"` and `''`). Load-time diagnostics and run-time errors both map Rhai's
//! positions through it ([`Origin::map`]). Also the names a `for_each` copy substitutes in
//! an expression: positions still point into the YAML as written.

use crate::diag::{SourceFile, yaml};
use crate::rules::{CharMap, Origin};
use serde_saphyr::Spanned;
use std::sync::Arc;

/// The expression in `text` (a formula's leading `=` skipped when `formula`), with the
/// `bindings` of a `for_each` copy substituted, and its origin.
pub(super) fn origin_of(
    file: &Arc<SourceFile>,
    text: &Spanned<String>,
    formula: bool,
    bindings: &[(String, String)],
) -> (Origin, String) {
    let loc = &text.referenced;
    let raw = &text.value;
    let written = expression_body(raw, formula);
    // What `expression_body` strips: leading blanks and a formula's `=`.
    let skipped = raw[..raw.len() - written.len()].chars().count();
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
    let (body, from) = substitute(written, bindings);
    let chars = loc
        .span()
        .byte_offset()
        .and_then(|offset| yaml::scalar_positions(&file.text, offset as usize, raw))
        .map(|all| {
            let at = &all[skipped..];
            // Each character of the substituted body is where the one it comes from is.
            Arc::new(CharMap {
                body: body.clone(),
                at: from.iter().filter_map(|&k| at.get(k).copied()).collect(),
            })
        });
    let origin = Origin {
        file: file.clone(),
        line: loc.line() as usize,
        column,
        chars,
    };
    (origin, body)
}

/// The expression inside a string: without leading blanks and, for formulas, the `=`.
pub(super) fn expression_body(raw: &str, formula: bool) -> &str {
    let trimmed = raw.trim_start();
    if formula && let Some(rest) = trimmed.strip_prefix('=') {
        return rest.trim_start();
    }
    trimmed
}

/// `body` with each binding `(var, item)` of a `for_each` copy applied: `{var}` anywhere
/// (in a name, `sales_{category}`, or in text) becomes the item, and `var` as a name (outside
/// text, not a property `x.var`) becomes the item as text (`"beverages"`); `${var}` in a
/// template becomes `${"beverages"}`. Also returns, for each character of the result, the
/// index of the character of `body` it comes from.
pub(super) fn substitute(body: &str, bindings: &[(String, String)]) -> (String, Vec<usize>) {
    let chars: Vec<char> = body.chars().collect();
    let mut out = String::new();
    let mut from = Vec::new();
    let mut push = |text: &str, at: usize, width: usize, out: &mut String| {
        for (k, c) in text.chars().enumerate() {
            out.push(c);
            from.push(at + k.min(width.saturating_sub(1)));
        }
    };
    let is_name = |c: char| c.is_alphanumeric() || c == '_';
    let mut quote: Option<char> = None; // inside text: its delimiter
    let mut i = 0;
    'chars: while i < chars.len() {
        for (var, item) in bindings {
            let placeholder: Vec<char> = format!("{{{var}}}").chars().collect();
            if chars[i..].starts_with(&placeholder) {
                let n = placeholder.len();
                let interpolated = quote == Some('`') && i > 0 && chars[i - 1] == '$';
                let text = if interpolated {
                    format!("{{\"{item}\"}}")
                } else {
                    item.clone()
                };
                push(&text, i, n, &mut out);
                i += n;
                continue 'chars;
            }
        }
        let c = chars[i];
        match quote {
            Some(q) => {
                if c == '\\' && i + 1 < chars.len() {
                    push(&chars[i..i + 2].iter().collect::<String>(), i, 2, &mut out);
                    i += 2;
                    continue;
                }
                if c == q {
                    quote = None;
                }
            }
            None if matches!(c, '"' | '\'' | '`') => quote = Some(c),
            None if is_name(c) && (i == 0 || chars[i - 1] != '.') => {
                let end = (i..chars.len())
                    .find(|&k| !is_name(chars[k]))
                    .unwrap_or(chars.len());
                let name: String = chars[i..end].iter().collect();
                match bindings.iter().find(|(var, _)| *var == name) {
                    Some((_, item)) => push(&format!("\"{item}\""), i, end - i, &mut out),
                    None => push(&name, i, end - i, &mut out),
                }
                i = end;
                continue;
            }
            None => {}
        }
        push(&c.to_string(), i, 1, &mut out);
        i += 1;
    }
    (out, from)
}

#[cfg(test)]
mod tests {
    use super::substitute;

    fn sub(body: &str) -> String {
        substitute(body, &[("category".into(), "beverages".into())]).0
    }

    #[test]
    fn placeholders_in_names_the_variable_as_text_and_nothing_else() {
        assert_eq!(sub("sales_{category} > 100"), "sales_beverages > 100");
        assert_eq!(
            sub(r#"category == "beverages" && x.category == 1"#),
            r#""beverages" == "beverages" && x.category == 1"#
        );
        assert_eq!(sub(r#""category: {category}""#), r#""category: beverages""#);
        assert_eq!(sub("`in ${category}`"), r#"`in ${"beverages"}`"#);
        assert_eq!(sub("subcategory + category_x"), "subcategory + category_x");
        assert_eq!(sub(r#""a \" category""#), r#""a \" category""#);
    }

    #[test]
    fn each_character_comes_from_where_it_was_written() {
        let (out, from) = substitute("a_{c} + c", &[("c".into(), "xyz".into())]);
        assert_eq!(out, "a_xyz + \"xyz\"");
        // `a_` (0, 1), `xyz` from `{c}` (2, 3, 4), ` + ` (5, 6, 7), `"xyz"` from `c` (8).
        assert_eq!(from, [0, 1, 2, 3, 4, 5, 6, 7, 8, 8, 8, 8, 8]);
        let (same, from) = substitute("x + 1", &[]);
        assert_eq!((same.as_str(), from), ("x + 1", vec![0, 1, 2, 3, 4]));
    }
}
