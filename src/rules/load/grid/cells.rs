//! The cells of a grid, one at a time: the text of an input cell -> the test it makes of
//! its column's value ([`Test`]), the text of an output cell -> what it gives ([`Out`]).
//! Positions are character offsets into the cell's (trimmed) text, so that an error points
//! at the character it is about.

use crate::time::Date;
use word_processor::{dash_lookalike, typographic_quotes};

/// A constant written in a cell.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Val {
    /// A number, as written (`18`, `-2.5`) and as read.
    Int(String, i64),
    Float(String, f64),
    Text(String),
    Bool(bool),
    Date(Date),
}

/// Something written at a character offset of the cell.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct At<T> {
    pub v: T,
    pub at: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Op {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl Op {
    pub fn text(self) -> &'static str {
        match self {
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Eq => "==",
            Op::Ne => "!=",
        }
    }
}

/// What an input cell tests its column's value for.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Test {
    /// `-` or an empty cell: anything, NULL included.
    Any,
    /// `null`: only NULL.
    Null,
    /// `< 18`, `!= KA`, or a bare value (equality; `op_at` is then the value's offset).
    Cmp { op: Op, op_at: usize, val: At<Val> },
    /// `[1..10)`: from `low` to `high`, each end included or not.
    Range {
        low: At<Val>,
        low_in: bool,
        high: At<Val>,
        high_in: bool,
    },
    /// `"KA", "BC"`: one of these values (`None`: `null`, NULL).
    List(Vec<At<Option<Val>>>),
    /// `not(...)`: never NULL, and not the inner test.
    Not(Box<Test>),
    /// `[0..10), > 100` or `not(KA), null`: a list whose items are tests of their own (a
    /// comparison, a range, `not(...)`): any of them.
    OneOf(Vec<Test>),
    /// `= condition`: a condition as in `when:`, from offset `at`.
    Formula(At<String>),
}

/// What an output cell gives.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Out {
    /// `-` or an empty cell: this row gives no value for the output.
    Nothing,
    /// `null`: this row gives NULL.
    Null,
    Const(Val),
    /// `[business, technical]`: a list, as a `rules:` row's `[business, technical]` is
    /// (each item a value; `null` is a NULL item).
    List(Vec<Option<Val>>),
    /// `= formula`, from offset `at`.
    Formula(At<String>),
}

/// Why a cell cannot be read, and where in it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct CellError {
    pub at: usize,
    pub message: String,
}

fn fail<T>(at: usize, message: impl Into<String>) -> Result<T, CellError> {
    Err(CellError {
        at,
        message: message.into(),
    })
}

/// What an input cell may hold, for the error of one that holds none of it.
pub(super) const EXPECTED: &str = "a value (`KA`, `\"KA\"`, `18`, `true`, `2025-01-01`), a comparison (`< 18`, `!= KA`), a range (`[1..10)`), a list (`KA, BC`, or of tests: `< 10, > 100`), `not(...)`, `-` (anything), `null` or `= condition`";

/// Reads an input cell (its text trimmed).
pub(super) fn input(text: &str) -> Result<Test, CellError> {
    test(text, 0, true)
}

/// A test written at offset `base` of the cell; `top`: not inside `not(...)`.
fn test(text: &str, base: usize, top: bool) -> Result<Test, CellError> {
    let chars: Vec<char> = text.chars().collect();
    let lead = chars.iter().take_while(|c| c.is_whitespace()).count();
    let t = text.trim();
    let at = base + lead;
    if t.is_empty() || t == "-" {
        return if top {
            Ok(Test::Any)
        } else {
            fail(at, "`not(...)` needs a test inside: `not(KA)`, `not(< 18)`")
        };
    }
    if t == "null" {
        return Ok(Test::Null);
    }
    dash_lookalike(t, at, "any value")?;
    let formula = t.starts_with('=') && !t.starts_with("==");
    if !formula && let Some(tests) = tests_listed(t, at)? {
        return Ok(Test::OneOf(tests));
    }
    if let Some(habit) = operator_habit(t) {
        return fail(at, habit);
    }
    for (op, written) in [
        (Op::Le, "<="),
        (Op::Ge, ">="),
        (Op::Eq, "=="),
        (Op::Ne, "!="),
        (Op::Lt, "<"),
        (Op::Gt, ">"),
    ] {
        if let Some(rest) = t.strip_prefix(written) {
            let offset = at + written.chars().count();
            let Some(val) = value(rest, offset)? else {
                return fail(
                    at,
                    format!(
                        "`{written}` compares with a value, not NULL: write `null` for NULL, `not(null)` for any other value"
                    ),
                );
            };
            let lead = rest.chars().take_while(|c| c.is_whitespace()).count();
            if let (Op::Lt | Op::Le | Op::Gt | Op::Ge, Val::Text(text)) = (op, &val)
                && let Some(habit) = number_with_blanks(text).or_else(|| grouped(text))
            {
                return fail(offset + lead, habit);
            }
            let val = At {
                v: val,
                at: offset + lead,
            };
            return Ok(Test::Cmp { op, op_at: at, val });
        }
    }
    if let Some(rest) = t.strip_prefix('=') {
        if !top {
            return fail(at, "write a condition as the whole cell: `= condition`");
        }
        let skipped = rest.chars().take_while(|c| c.is_whitespace()).count();
        let formula = rest.trim();
        if formula.is_empty() {
            return fail(at, "`=` starts a condition: write one after it");
        }
        return Ok(Test::Formula(At {
            v: formula.to_owned(),
            at: at + 1 + skipped,
        }));
    }
    if let Some(rest) = t.strip_prefix("not(") {
        let Some(inner) = rest.strip_suffix(')') else {
            return fail(at, "`not(` is not closed: write `not(KA, BC)`");
        };
        return Ok(Test::Not(Box::new(test(inner, at + 4, false)?)));
    }
    if t.starts_with(['[', '(', ']']) {
        return range(t, at);
    }
    list(t, at)
}

/// The items of a list of which one at least is a test of its own (`< 10`, `[1..10)`,
/// `not(KA)`), each read as a cell (`None`: not such a list; a list of values is a
/// [`Test::List`]). Commas split outside quotes and outside `not(...)`; ranges hold none,
/// so a bracket without `..` (`[1, 10]`) and a comma before a digit (`> 0,95`) are left to
/// the errors that say what to write.
fn tests_listed(t: &str, at: usize) -> Result<Option<Vec<Test>>, CellError> {
    let mut items: Vec<(&str, usize)> = Vec::new();
    let (mut start, mut start_char, mut quote, mut depth) = (0, 0, None, 0usize);
    // At the start of an item (a range may open there), and inside a range (whose `)`
    // closes no `not(`) before and after its `..`.
    let (mut item_start, mut range, mut dots) = (true, false, false);
    for (k, (byte, c)) in t.char_indices().enumerate() {
        let starts = item_start && !c.is_whitespace();
        item_start &= c.is_whitespace();
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if range => {
                if t[byte..].starts_with("..") {
                    dots = true;
                } else if dots && matches!(c, ']' | ')' | '[') {
                    (range, dots) = (false, false);
                }
            }
            None if starts && matches!(c, '[' | '(' | ']') => range = true,
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '(' && t[..byte].ends_with("not") => {
                depth += 1;
                item_start = true;
            }
            None if c == ')' => depth = depth.saturating_sub(1),
            None if c == ',' && depth == 0 => {
                // `> 0,95`: a decimal comma, said by the comparison's own error.
                if t[byte + 1..].starts_with(|d: char| d.is_ascii_digit()) {
                    return Ok(None);
                }
                items.push((&t[start..byte], at + start_char));
                (start, start_char, item_start) = (byte + 1, k + 1, true);
            }
            None if c == ',' => item_start = true,
            None => {}
        }
    }
    items.push((&t[start..], at + start_char));
    let range = |item: &str| item.trim().starts_with(['[', '(', ']']);
    let is_test = |item: &str| {
        let item = item.trim();
        item.starts_with(['<', '>', '!', '=']) || item.starts_with("not(") || range(item)
    };
    let broken_range = items
        .iter()
        .any(|(item, _)| range(item) && !item.contains(".."));
    if items.len() < 2 || broken_range || !items.iter().any(|(item, _)| is_test(item)) {
        return Ok(None);
    }
    let mut tests = Vec::new();
    for (item, offset) in items {
        let lead = item.chars().take_while(|c| c.is_whitespace()).count();
        match item.trim() {
            "" => return fail(offset, "an item of the list is empty: `< 10, > 100`"),
            "-" => {
                return fail(
                    offset + lead,
                    "`-` (any value) is a cell of its own, not an item of a list",
                );
            }
            _ => tests.push(test(item, offset, false)?),
        }
    }
    Ok(Some(tests))
}

/// Comparison operators as spreadsheets and other languages write them, and what to write.
fn operator_habit(t: &str) -> Option<String> {
    let (written, meant, _) = crate::diag::habits::OPERATOR_HABITS
        .iter()
        .find(|(w, ..)| t.starts_with(w))?;
    let rest = t[written.len()..].trim();
    Some(format!(
        "`{written}` is not a comparison here: write `{meant} {rest}`"
    ))
}

/// `"KA", "BC"`, `KA, BC` or a single value (an equality).
fn list(t: &str, at: usize) -> Result<Test, CellError> {
    // `1,000`: one number with a thousands separator, not the list of 1 and 0 (a list has a
    // blank after its commas, or items other than groups of three digits; `100,200` of
    // three-digit codes stays a list).
    let groups: Vec<&str> = t.split(',').collect();
    let thousands = groups[0].trim_start_matches('-').len() < 3
        || groups[1..].iter().any(|g| g.starts_with('0'));
    if !t.contains(char::is_whitespace)
        && groups.len() > 1
        && thousands
        && let Some(plain) = crate::text::ungrouped(t)
    {
        return fail(
            at,
            format!(
                "`{t}` would be the list of {}: write `{plain}` for the number (a list is written `1, 2`)",
                t.replace(',', ", ")
            ),
        );
    }
    let mut items = Vec::new();
    for (item, offset) in split_commas(t, at)? {
        items.push(At {
            v: value(item, offset)?,
            at: offset,
        });
    }
    Ok(match items.as_slice() {
        [At { v: None, .. }] => Test::Null,
        [At { v: Some(v), at }] => Test::Cmp {
            op: Op::Eq,
            op_at: *at,
            val: At {
                v: v.clone(),
                at: *at,
            },
        },
        _ => Test::List(items),
    })
}

/// The items of a list, split at the commas outside quotes, each with its offset.
fn split_commas(t: &str, at: usize) -> Result<Vec<(&str, usize)>, CellError> {
    let mut items = Vec::new();
    let (mut start, mut start_char, mut quote) = (0, 0, None);
    for (k, (byte, c)) in t.char_indices().enumerate() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == ',' => {
                items.push((&t[start..byte], at + start_char));
                (start, start_char) = (byte + 1, k + 1);
            }
            None => {}
        }
    }
    items.push((&t[start..], at + start_char));
    for (item, offset) in &items {
        if item.trim().is_empty() {
            return fail(*offset, "an item of the list is empty: `KA, BC`");
        }
    }
    Ok(items)
}

/// `[1..10)`, `(0..100]`, `]1..10[`: numbers or dates, low end first.
fn range(t: &str, at: usize) -> Result<Test, CellError> {
    let low_in = t.starts_with('[');
    let close = t.chars().last().filter(|c| matches!(c, ']' | ')' | '['));
    let Some(close) = close.filter(|_| t.chars().count() > 1) else {
        return fail(
            at,
            "the range is not closed: end it with `]` (end included) or `)` (end excluded)",
        );
    };
    let inner = &t[1..t.len() - 1];
    let Some(dots) = inner.find("..") else {
        return fail(at, "a range is written `[low..high]`, e.g. `[1..10)`");
    };
    let (low_text, high_text) = (&inner[..dots], &inner[dots + 2..]);
    let high_at = at + 1 + low_text.chars().count() + 2;
    let end = |text: &str, offset: usize| -> Result<At<Val>, CellError> {
        let lead = text.chars().take_while(|c| c.is_whitespace()).count();
        match value(text, offset)? {
            Some(v @ (Val::Int(..) | Val::Float(..) | Val::Date(_))) => Ok(At {
                v,
                at: offset + lead,
            }),
            _ => fail(
                offset + lead,
                "the ends of a range are numbers or dates: `[1..10)`, `[2025-01-01..2025-06-30]`",
            ),
        }
    };
    let low = end(low_text, at + 1)?;
    let high = end(high_text, high_at)?;
    let high_in = close == ']';
    match order(&low.v, &high.v) {
        None => fail(at, "the ends of a range are both numbers or both dates"),
        Some(std::cmp::Ordering::Greater) => fail(
            at,
            format!(
                "the range's ends are swapped: {} is above {}; write the low end first",
                shown(&low.v),
                shown(&high.v)
            ),
        ),
        Some(std::cmp::Ordering::Equal) if !(low_in && high_in) => fail(
            at,
            "this range is empty: its ends are the same and one is excluded; write the value alone",
        ),
        _ => Ok(Test::Range {
            low,
            low_in,
            high,
            high_in,
        }),
    }
}

/// How two ends of a range compare (`None`: a number and a date).
fn order(a: &Val, b: &Val) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Val::Date(a), Val::Date(b)) => Some(a.cmp(b)),
        (Val::Date(_), _) | (_, Val::Date(_)) => None,
        (a, b) => number(a)?.partial_cmp(&number(b)?),
    }
}

fn number(v: &Val) -> Option<f64> {
    match v {
        Val::Int(_, i) => Some(*i as f64),
        Val::Float(_, f) => Some(*f),
        _ => None,
    }
}

/// A value as the admin wrote it, for messages.
pub(super) fn shown(v: &Val) -> String {
    match v {
        Val::Int(text, _) | Val::Float(text, _) => text.clone(),
        Val::Text(t) => format!("\"{t}\""),
        Val::Bool(b) => b.to_string(),
        Val::Date(d) => d.to_string(),
    }
}

/// One value written at offset `at` (`None`: `null`).
fn value(text: &str, at: usize) -> Result<Option<Val>, CellError> {
    let lead = text.chars().take_while(|c| c.is_whitespace()).count();
    let t = text.trim();
    let at = at + lead;
    if t.is_empty() {
        return fail(at, format!("a value is missing here: expected {EXPECTED}"));
    }
    if let Some(q) = t.chars().next().filter(|c| *c == '"' || *c == '\'') {
        let body = &t[1..];
        let Some(end) = body.find(q) else {
            return fail(at, format!("the text is not closed: add a closing `{q}`"));
        };
        let rest = &body[end + 1..];
        let after = rest.trim();
        if !after.is_empty() {
            let blanks = rest.chars().take_while(|c| c.is_whitespace()).count();
            let offset = at + 1 + body[..end].chars().count() + 1 + blanks;
            return fail(
                offset,
                format!("unexpected `{after}` after the text: separate values with `,`"),
            );
        }
        return Ok(Some(Val::Text(body[..end].to_owned())));
    }
    Ok(match t {
        "null" => None,
        // `TRUE` / `FALSE` as spreadsheets write them.
        _ if t.eq_ignore_ascii_case("true") => Some(Val::Bool(true)),
        _ if t.eq_ignore_ascii_case("false") => Some(Val::Bool(false)),
        _ => Some(bare(t, at)?),
    })
}

/// A value without quotes: a number, a date, or a word (text).
fn bare(t: &str, at: usize) -> Result<Val, CellError> {
    typographic_quotes(t, at)?;
    if let Ok(i) = t.parse::<i64>() {
        return Ok(Val::Int(t.to_owned(), i));
    }
    let numeric = t.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '.');
    if numeric
        && !t.contains(['+', ' '])
        && let Ok(f) = t.parse::<f64>()
        && f.is_finite()
    {
        return Ok(Val::Float(t.to_owned(), f));
    }
    if looks_like_date(t) {
        return match Date::parse(t) {
            Some(d) => Ok(Val::Date(d)),
            None => fail(at, crate::script::dates::not_a_date(t)),
        };
    }
    if let Some(habit) = number_habit(t) {
        return fail(at, habit);
    }
    // `A or B`: one of several values, as people say it.
    let lower = t.to_ascii_lowercase(); // byte positions as in `t`
    if let Some((a, b)) = lower.split_once(" or ")
        && !a.trim().is_empty()
        && !b.trim().is_empty()
    {
        // Split where ` or ` is, in any case (`North East or South West`).
        let mut items = Vec::new();
        let mut from = 0;
        for (at, _) in lower.match_indices(" or ") {
            items.push(t[from..at].trim());
            from = at + " or ".len();
        }
        items.push(t[from..].trim());
        return fail(
            at,
            format!(
                "`{t}` would be one text: one of several values is written `{}` (quote it, \"{t}\", if it is one text)",
                items.join(", ")
            ),
        );
    }
    if let Some((k, c)) = t.chars().enumerate().find(|(_, c)| {
        matches!(
            c,
            '"' | '\'' | '(' | ')' | '[' | ']' | '<' | '>' | '=' | '!'
        )
    }) {
        return fail(
            at + k,
            format!("cannot read `{t}`: `{c}` is not part of a value; expected {EXPECTED}"),
        );
    }
    Ok(Val::Text(t.to_owned()))
}

/// The text an ordering (`< 12 months`, `>= 1 000`) compares with, when it is a number
/// with a unit or blanks: text never orders against the column's numbers, so what to write.
fn number_with_blanks(t: &str) -> Option<String> {
    let (head, tail) = t.split_once(char::is_whitespace)?;
    head.parse::<f64>().ok().filter(|x| x.is_finite())?;
    let digits = tail
        .chars()
        .all(|c| c.is_ascii_digit() || c.is_whitespace() || c == '.' || c == ',');
    Some(if digits {
        let joined: String = t.chars().filter(|c| !c.is_whitespace()).collect();
        format!("`{t}` would be text: write the number without blanks (`{joined}`)")
    } else {
        format!(
            "`{t}` would be text: write the number alone (`{head}`; the column's expression gives the unit)"
        )
    })
}

/// The text an ordering (`> 1,000,000`) compares with, when it is a number with thousands
/// separators: what to write.
fn grouped(t: &str) -> Option<String> {
    let plain = crate::text::ungrouped(t)?;
    // `1,000` may be a decimal comma too; `1,000,000` may not.
    let decimal = if t.matches(',').count() == 1 && !t.contains('.') {
        format!(
            " (or `{}` if the comma is a decimal point)",
            t.replace(',', ".")
        )
    } else {
        String::new()
    };
    Some(format!("`{t}` would be text: write `{plain}`{decimal}"))
}

/// A number written as a spreadsheet shows it (`25%`, `5..10`), which would otherwise be
/// read as text and compare with nothing: what to write instead.
fn number_habit(t: &str) -> Option<String> {
    let is_number = |s: &str| s.trim().parse::<f64>().is_ok_and(f64::is_finite);
    if let Some(n) = t.strip_suffix('%')
        && is_number(n)
    {
        let n = n.trim();
        return Some(format!(
            "`{t}` would be text: write the number as the column holds it (`{n}`, or `{}` for a share)",
            n.parse::<f64>()
                .map_or(String::new(), |x| (x / 100.0).to_string())
        ));
    }
    // `2,500` may be a thousand: said by the ordering (`grouped`) or the list.
    if crate::text::ungrouped(t).is_some() {
        return None;
    }
    if let Some((whole, fraction)) = t.trim_start_matches('-').split_once(',')
        && !whole.is_empty()
        && whole.chars().all(|c| c.is_ascii_digit())
        && !fraction.is_empty()
        && fraction.chars().all(|c| c.is_ascii_digit())
    {
        return Some(format!(
            "`{t}` has a decimal comma: write `{}`",
            t.replacen(',', ".", 1)
        ));
    }
    if let Some((a, b)) = t.split_once("..")
        && is_number(a)
        && is_number(b)
    {
        let (a, b) = (a.trim(), b.trim());
        return Some(format!(
            "a range needs brackets: `[{a}..{b}]` (both ends included) or `[{a}..{b})` (the upper end excluded)"
        ));
    }
    None
}

/// `2025-01-01`: four digits, a dash, two digits, a dash, two digits.
fn looks_like_date(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(k, c)| match k {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
}

/// Reads an output cell (its text trimmed).
pub(super) fn output(text: &str) -> Result<Out, CellError> {
    let t = text.trim();
    if t.is_empty() || t == "-" {
        return Ok(Out::Nothing);
    }
    dash_lookalike(t, 0, "no output")?;
    if let Some(rest) = t.strip_prefix('=') {
        let skipped = rest.chars().take_while(|c| c.is_whitespace()).count();
        if rest.trim().is_empty() {
            return fail(0, "`=` starts a formula: write one after it");
        }
        return Ok(Out::Formula(At {
            v: rest.trim().to_owned(),
            at: 1 + skipped,
        }));
    }
    if t.starts_with(['"', '\'']) {
        return Ok(value(t, 0)?.map_or(Out::Null, Out::Const));
    }
    if let Some(inner) = t.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
        return output_list(
            inner,
            1 + text.chars().take_while(|c| c.is_whitespace()).count(),
        );
    }
    typographic_quotes(t, 0)?;
    Ok(match t {
        "null" => Out::Null,
        _ if t.eq_ignore_ascii_case("true") => Out::Const(Val::Bool(true)),
        _ if t.eq_ignore_ascii_case("false") => Out::Const(Val::Bool(false)),
        _ => match bare(t, 0) {
            Ok(v) => Out::Const(v),
            // Any other word is text as written (`late, call`, `5%`).
            Err(_) if !looks_like_date(t) => Out::Const(Val::Text(t.to_owned())),
            Err(e) => return Err(e),
        },
    })
}

/// The items of an output cell's list, `inner` its text between the brackets (at `at`).
fn output_list(inner: &str, at: usize) -> Result<Out, CellError> {
    if inner.trim().is_empty() {
        return Ok(Out::List(Vec::new()));
    }
    let mut items = Vec::new();
    for (item, offset) in split_commas(inner, at)? {
        items.push(value(item, offset)?);
    }
    Ok(Out::List(items))
}

#[path = "word_processor.rs"]
mod word_processor;

#[cfg(test)]
#[path = "cells_tests.rs"]
mod tests;
