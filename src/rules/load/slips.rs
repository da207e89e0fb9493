//! Slips an admin makes in an expression that the parser's own message would not explain:
//! a spreadsheet's `[column]` in arithmetic (the expression compiles, and fails on every
//! customer), a default followed by arithmetic (`revenue ?? 0 / 12` divides the default
//! alone), a mistyped `for_each` placeholder (it does not compile). Lexical scans of the
//! expression's text, as `diag::habits` does for spreadsheet habits.

use super::Sink;
use crate::rules::Origin;

/// Reports the slips of `body` (at `origin`, in `owner`) as errors; whether there were none.
pub(super) fn report(diags: &mut Sink, origin: &Origin, body: &str, owner: &str) -> bool {
    let mut ok = true;
    if let Some(((line, column), name)) = bracketed_name(body) {
        let (line, col) = origin.map(line, column);
        let d = diags.error(
            &origin.file,
            line,
            col,
            format!("`[{name}]` is a list of one value (square brackets make a list), and a list is no number to calculate with"),
        );
        d.rule = Some(owner.to_owned());
        d.width = name.chars().count() + 2;
        d.help = Some(format!(
            "write `{name}` (a spreadsheet's `[column]` is the name alone here)"
        ));
        ok = false;
    }
    if let Some(((line, column), written, operator)) = default_then_arithmetic(body) {
        let (line, col) = origin.map(line, column);
        let d = diags.error(
            &origin.file,
            line,
            col,
            format!("`?? {written} {operator} ...` applies `{operator}` to the default alone: `??` binds looser than arithmetic, so `x ?? {written} {operator} y` is `x ?? ({written} {operator} y)` (for every customer with a value, the `{operator}` is not done)"),
        );
        d.rule = Some(owner.to_owned());
        d.width = 2;
        d.help = Some(format!(
            "write `(x ?? {written}) {operator} y` for the value or its default, then `{operator}`; or `x ?? ({written} {operator} y)` if the default alone is meant"
        ));
        ok = false;
    }
    if let Some((line, column)) = chained_comparison(body) {
        let (line, col) = origin.map(line, column);
        let d = diags.error(
            &origin.file,
            line,
            col,
            "a comparison of a comparison: `0 < x < 3` compares `0 < x` (true or false) with 3, which is an error for every customer",
        );
        d.rule = Some(owner.to_owned());
        d.help = Some("write both comparisons joined by `&&`: `0 < x && x < 3`".to_owned());
        ok = false;
    }
    ok
}

/// Two orderings (`<`, `<=`, `>`, `>=`) in a row at one depth of brackets, with no `&&`,
/// `||` or other separator between (`0 < x < 3`, as mathematics writes a range): where the
/// second is (1-based line and column). Text and comments are skipped.
pub(super) fn chained_comparison(body: &str) -> Option<(usize, usize)> {
    let chars: Vec<char> = body.chars().collect();
    // Per depth of brackets: whether an ordering was seen since the last separator.
    let mut seen: Vec<bool> = vec![false];
    let mut quote: Option<char> = None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match quote {
            Some(_) if c == '\\' => i += 1,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '"' | '`' | '\'' => quote = Some(c),
                '/' if next == Some('/') => {
                    while i < chars.len() && chars[i] != '\n' {
                        i += 1;
                    }
                }
                '/' if next == Some('*') => i = block_comment_end(&chars, i),
                '(' | '[' => seen.push(false),
                // A block ends what came before it (`if a < 1 { ... }`) and what is in it.
                '{' => {
                    *seen.last_mut().unwrap_or(&mut false) = false;
                    seen.push(false);
                }
                ')' | ']' | '}' => {
                    seen.pop();
                    if seen.is_empty() {
                        seen.push(false);
                    }
                    if c == '}' {
                        *seen.last_mut().unwrap_or(&mut false) = false;
                    }
                }
                // Separators: `&&`, `||`, `,`, `;`, `?`, `=` of `==`/`!=`/`=>`/assignment.
                '&' | '|' | ',' | ';' | '?' | '=' | '!' => {
                    *seen.last_mut().unwrap_or(&mut false) = false;
                    // `==`, `!=`, `=>`: one token.
                    if next == Some('=') || (c == '=' && next == Some('>')) {
                        i += 1;
                    }
                }
                // `if`, `switch`, `else`, `return`, `let`, `in` begin another expression
                // (`44 < if x > 1 { a } else { b }` compares 44 with the `if`'s value).
                c if (c.is_alphabetic() || c == '_')
                    && (i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')) =>
                {
                    let end = (i..chars.len())
                        .find(|&k| !(chars[k].is_alphanumeric() || chars[k] == '_'))
                        .unwrap_or(chars.len());
                    let word: String = chars[i..end].iter().collect();
                    if ["if", "switch", "else", "return", "let", "in", "const"]
                        .contains(&word.as_str())
                    {
                        *seen.last_mut().unwrap_or(&mut false) = false;
                    }
                    i = end;
                    continue;
                }
                '<' | '>' => {
                    // `<<`, `>>` shift; `=>` was taken above.
                    if next == Some(c) {
                        i += 2;
                        continue;
                    }
                    let depth = seen.len() - 1;
                    if seen[depth] {
                        return Some(crate::diag::habits::line_column(&chars, i));
                    }
                    seen[depth] = true;
                    if next == Some('=') {
                        i += 1;
                    }
                }
                _ => {}
            },
        }
        i += 1;
    }
    None
}

/// Where the `/* ... */` comment starting at `i` ends (its last `/`; the end of the text
/// when it is not closed).
fn block_comment_end(chars: &[char], i: usize) -> usize {
    (i + 2..chars.len().saturating_sub(1))
        .find(|&k| chars[k] == '*' && chars[k + 1] == '/')
        .map_or(chars.len(), |k| k + 1)
}

/// `?? <number> <arithmetic operator>` outside quotes and comments (`revenue ?? 0 / 12`):
/// where the `??` is (1-based line and column), the number and the operator.
pub(super) fn default_then_arithmetic(body: &str) -> Option<((usize, usize), String, char)> {
    let chars: Vec<char> = body.chars().collect();
    let mut quote: Option<char> = None;
    let mut i = 0;
    while i + 1 < chars.len() {
        let c = chars[i];
        match quote {
            // An escaped quote (`\"`) does not end the text.
            Some(_) if c == '\\' => i += 1,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '`' || c == '\'' => quote = Some(c),
            None if c == '/' && chars[i + 1] == '/' => {
                // A line comment: to its end.
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            None if c == '/' && chars[i + 1] == '*' => i = block_comment_end(&chars, i),
            None if c == '?' && chars[i + 1] == '?' => {
                let mut k = i + 2;
                let skip = |k: &mut usize| {
                    while *k < chars.len() && chars[*k].is_whitespace() {
                        *k += 1;
                    }
                };
                skip(&mut k);
                let start = k;
                while k < chars.len()
                    && (chars[k].is_ascii_digit() || chars[k] == '.' || chars[k] == '_')
                {
                    k += 1;
                }
                // A number, not the start of a name (`?? 0x`) or a call.
                if k > start && !chars.get(k).is_some_and(|c| c.is_alphanumeric()) {
                    let written: String = chars[start..k].iter().collect();
                    skip(&mut k);
                    if let Some(&op) = chars.get(k).filter(|c| "*/+-%".contains(**c))
                        // `//` and `/*` begin comments, not a division.
                        && !(op == '/' && chars.get(k + 1).is_some_and(|&c| c == '/' || c == '*'))
                    {
                        let at = crate::diag::habits::line_column(&chars, i);
                        return Some((at, written, op));
                    }
                }
            }
            None => {}
        }
        i += 1;
    }
    None
}

/// A `{name}` joined to a name (`sales_{categroy}`) left in an expression (a `for_each`
/// copy has its variable replaced already): where it is (1-based line and column of the
/// `{`) and the name written.
pub(super) fn placeholder(body: &str) -> Option<((usize, usize), String)> {
    let chars: Vec<char> = body.chars().collect();
    let is_name = |c: char| c.is_alphanumeric() || c == '_';
    for i in 1..chars.len() {
        // A placeholder ends a name (`sales_{category}`), not a block (`if big{1}`).
        if chars[i] != '{' || chars[i - 1] != '_' {
            continue;
        }
        let close = (i + 1..chars.len()).find(|&k| !is_name(chars[k]))?;
        if chars[close] != '}' || close == i + 1 {
            continue;
        }
        let written: String = chars[i + 1..close].iter().collect();
        return Some((crate::diag::habits::line_column(&chars, i), written));
    }
    None
}

/// A name in square brackets next to an arithmetic operator (`1.5 * [monthly_sales]`, a
/// spreadsheet's table reference): a list of one, which no arithmetic takes. Where it is
/// (1-based line and column of the `[`) and the name. Quoted text is skipped; `in [a, b]`,
/// a list given as a value (`= [tier]`) and an index (`items[0] * 2`) are lists meant.
pub(super) fn bracketed_name(body: &str) -> Option<((usize, usize), String)> {
    let chars: Vec<char> = body.chars().collect();
    let is_name = |c: char| c.is_alphanumeric() || c == '_' || c == '.';
    // Not `+`: `alerts + [segment]` appends to a list. A `/` of a comment is no operator.
    let operator = |k: Option<usize>| {
        k.is_some_and(|k| {
            "*/-%".contains(chars[k])
                && !(chars[k] == '/'
                    && (chars.get(k + 1).is_some_and(|&c| c == '/' || c == '*')
                        || (k > 0 && (chars[k - 1] == '/' || chars[k - 1] == '*'))))
        })
    };
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            // Quoted text and comments are skipped.
            '"' | '\'' | '`' => {
                i = crate::diag::habits::skip_quoted(&chars, i);
                continue;
            }
            '/' if chars.get(i + 1) == Some(&'/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if chars.get(i + 1) == Some(&'*') => {
                i += 2;
                while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                    i += 1;
                }
                i += 1;
            }
            '[' => {
                let before = chars[..i].iter().rposition(|c| !c.is_whitespace());
                // `items[0]`, `items [i]`, `#{..}[region]`, `f(x)[1]` index: no list
                // written. A name starts with a letter or `_` (`[1]` is an index or a list).
                let indexes = before.is_some_and(|k| is_name(chars[k]) || ")]}".contains(chars[k]));
                let starts_name = chars
                    .get(i + 1)
                    .is_some_and(|&c| c.is_alphabetic() || c == '_');
                let close = (i + 1..chars.len()).find(|&k| !is_name(chars[k]));
                if let Some(close) = close
                    && chars[close] == ']'
                    && starts_name
                    && !indexes
                {
                    let after = (close + 1..chars.len()).find(|&k| !chars[k].is_whitespace());
                    if operator(before) || operator(after) {
                        let name: String = chars[i + 1..close].iter().collect();
                        return Some((crate::diag::habits::line_column(&chars, i), name));
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod bracket_tests {
    use super::bracketed_name;

    #[test]
    fn a_bracketed_name_in_arithmetic_is_found_and_lists_meant_are_not() {
        assert_eq!(
            bracketed_name("1.5 * [monthly_sales]"),
            Some(((1, 7), "monthly_sales".into()))
        );
        assert_eq!(
            bracketed_name("[sales] - 1"),
            Some(((1, 1), "sales".into()))
        );
        for meant in [
            "[tier]",
            "tier in [A, B]",
            "items[0] * 2",
            "f(x)[1] + 1",
            "alerts + [segment]",
            "tier in [t_top] // the top tier only",
            "[segment] // alone",
            "/* none */ [segment]",
            "#{north: 1.1, south: 0.9}[region] * 2",
            "items [1] * 2",
            "items [i] * 2",
            "if t { a } else { b }[0] * 2",
            "x.replace(\"\\\\\", \"\") + \"[x] * y\"",
            "`total ${[a]} + x`",
            "\"[a] * 2\"",
        ] {
            assert_eq!(bracketed_name(meant), None, "{meant}");
        }
    }
}

#[cfg(test)]
mod precedence_tests {
    use super::default_then_arithmetic as slip;

    #[test]
    fn a_number_default_followed_by_arithmetic_is_a_slip() {
        assert_eq!(
            slip("revenue ?? 0 / 12"),
            Some(((1, 9), "0".to_owned(), '/'))
        );
        assert_eq!(
            slip("0.5 * margin ?? 0 + 0.5 * n ?? 0").map(|s| s.2),
            Some('+')
        );
        assert_eq!(slip("tenure ?? 0.5*2").map(|s| s.1), Some("0.5".to_owned()));
        // Parenthesised, a negative default, a default at the end, text, a comment.
        assert_eq!(slip("(revenue ?? 0) / 12"), None);
        assert_eq!(slip("revenue ?? (0 / 12)"), None);
        assert_eq!(slip("x ?? -1"), None);
        assert_eq!(slip("x ?? 0"), None);
        assert_eq!(slip("`${x ?? 0}` + \"?? 0 / 2\""), None);
        assert_eq!(slip("x ?? 0 // a comment"), None);
        // A block comment, an escaped quote in text.
        assert_eq!(slip("(r ?? 0) / 12 /* was: r ?? 0 / 12 */"), None);
        assert_eq!(slip("\"say \\\"?? 0 - none\\\"\" + name"), None);
    }
}

#[cfg(test)]
mod chained_tests {
    use super::chained_comparison as chained;

    #[test]
    fn two_orderings_in_a_row_are_a_slip() {
        assert_eq!(chained("0 < x < 3"), Some((1, 7)));
        assert_eq!(chained("0 <= (x ?? 0) <= 3"), Some((1, 15)));
        assert!(chained("a > 1 && a < 5").is_none());
        assert!(chained("(a > 1) == (b < 2)").is_none());
        assert!(chained("if a > 1 { b < 2 } else { c > 3 }").is_none());
        assert!(chained("max(a, b) > 1").is_none());
        assert!(chained("f(a < 1, b > 2)").is_none());
        assert!(chained("`${a > 1}` + \"<3\" > x").is_none());
        assert!(chained("switch x { 1 => a < 1, _ => b > 2 }").is_none());
        assert!(chained("if x < 5 { 1 } else if y > 3 { 2 } else { 3 }").is_none());
        assert!(chained("let a = x < 1;\nlet b = y > 2;\na").is_none());
        assert!(chained("44 < if 104.55 > m { 0 - m } else { m }").is_none());
        assert!(chained("a < 1 || b in [1, 2] && c > 3").is_none());
        assert_eq!(chained("x_if < 1 < 2"), Some((1, 10)));
    }
}
