//! Every output of a decision gives one kind of value across its rows, and a kind its hit
//! policy can combine: `credit_block: yes` in one row and `true` in another, or `5%` (text)
//! in a summed table, would fail on the first customer at run time; here they fail `check`,
//! at the offending value.
//!
//! A value's kind is known for constants and for formulas whose fast-path form says it (a
//! comparison gives true/false, arithmetic a number, a template text, a field its declared
//! kind). NULL and formulas of unknown kind fit any kind. Where one row gives the outputs, a
//! list constant (`[business, technical]`) is a kind of its own: `business` beside it would
//! be written as text, not as a list.
//!
//! Also a warning for text that reads as a formula written without its `=`: `then: { tier:
//! abc_tier }` gives everyone the word "abc_tier".

use super::compile::Cx;
use crate::diag::SourceFile;
use crate::rules::native::{Arith, Node};
use crate::rules::{Aggregate, HitPolicy, Slot, SlotKind, ValueExpr};
use crate::value::{Lit, Literal, ValueKind};
use std::sync::Arc;

/// The kind of a value, for this check: a kind of value, or a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Of(ValueKind),
    List,
}

impl Kind {
    fn noun(self) -> &'static str {
        match self {
            Kind::Of(kind) => kind.noun(),
            Kind::List => "a list",
        }
    }
}

/// One value a row gives: the output's index, the row's id, the value as written and as
/// compiled.
pub(super) struct Given<'s> {
    pub output: usize,
    pub row: &'s str,
    pub written: &'s Literal,
    /// Where the value is written.
    pub at: (usize, usize),
    pub value: &'s ValueExpr,
}

/// What the decision is, for the check.
pub(super) struct Table<'s> {
    pub file: &'s Arc<SourceFile>,
    pub name: &'s str,
    pub hit: HitPolicy,
    pub aggregate: Option<Aggregate>,
    /// `cap:` or `round:`: the output they apply to (by index into `outputs`) is a number.
    pub bounded_output: Option<usize>,
    pub outputs: &'s [Slot],
    /// The outputs (by index) that declare their `values:`: their texts are meant.
    pub declared_values: Vec<usize>,
}

/// Reports every value whose kind differs from the output's first known kind, or does not
/// fit the hit policy; `false` when there was one.
pub(super) fn check(cx: &mut Cx, t: &Table, given: &[Given]) -> bool {
    let mut ok = true;
    let sums = t.hit.shape().combines_values
        && !matches!(
            t.aggregate.unwrap_or(Aggregate::Sum),
            Aggregate::List | Aggregate::Count
        );
    // Lists are values of their own only where one row gives the outputs (`collect` with
    // `aggregate: list` adds a list's items, `rule_order` lists every row's value).
    let lists = t.hit.shape().one_row;
    for (k, &slot) in t.outputs.iter().enumerate() {
        let needs_number = sums || t.bounded_output == Some(k);
        let output = cx.symbols.name(slot).to_owned();
        let known: Vec<(Kind, &Given)> = given
            .iter()
            .filter(|g| g.output == k)
            // A formula written without `=` is warned about below, as such, unless the
            // output needs numbers (then it is text where a number must be).
            .filter(|g| needs_number || written_formula(cx, t, g).is_none())
            .filter_map(|g| Some((kind_of(cx, g.value, lists)?, g)))
            .collect();
        let Some(expected) = expected_kind(&known, needs_number) else {
            continue;
        };
        let by = known.iter().find(|(kind, _)| *kind == expected);
        let agreeing = known.iter().filter(|(kind, _)| *kind == expected).count();
        let fallback = if needs_number {
            "write a number here".to_owned()
        } else if agreeing + 1 == known.len() {
            format!(
                "the other rows give {}; write this value as one",
                expected.noun()
            )
        } else {
            format!(
                "{agreeing} of the {} rows give {}; write this value as one",
                known.len(),
                expected.noun()
            )
        };
        for (kind, g) in known.iter().filter(|(kind, _)| *kind != expected) {
            let message = match by {
                _ if needs_number => {
                    let how = if t.bounded_output == Some(k) {
                        "is capped or rounded".to_owned()
                    } else {
                        format!(
                            "combines its rows' values (`collect`, {})",
                            t.aggregate.unwrap_or(Aggregate::Sum).name()
                        )
                    };
                    format!(
                        "decision `{}` {how}, so output `{output}` needs numbers, but row `{}` gives {}",
                        t.name,
                        g.row,
                        shown(*kind, g.written)
                    )
                }
                Some((_, by)) => format!(
                    "output `{output}` of decision `{}` is {} (row `{}` gives {}), but row `{}` gives {}",
                    t.name,
                    expected.noun(),
                    by.row,
                    shown(expected, by.written),
                    g.row,
                    shown(*kind, g.written)
                ),
                None => continue,
            };
            let quotes = if quoted(t, g) { 2 } else { 0 };
            let dates_collected =
                needs_number && *kind == Kind::Of(ValueKind::Date) && t.bounded_output != Some(k);
            let help = match written_formula(cx, t, g) {
                Some((text, _)) => format!("for its value, write it as a formula: '= {text}'"),
                // "The earliest of two licence dates": best of, not a sum.
                None if dates_collected => "dates do not add up: for the earliest (latest) date among the rows that match, write `hit: min` (`hit: max`) instead of `collect`".to_owned(),
                None => help(expected, g.written, &fallback),
            };
            let d = cx.error(t.file, g.at.0, g.at.1, message);
            d.rule = Some(g.row.to_owned());
            d.help = Some(help);
            if let Literal::Text(t) = g.written
                && !t.trim_start().starts_with('=')
            {
                d.width = t.chars().count().max(1) + quotes;
            }
            ok = false;
        }
        // Text the other rows agree on (a true/false or list output's texts were reported
        // above): a number written as a spreadsheet shows it, most likely.
        if expected == Kind::Of(ValueKind::Text) {
            ok &= numbers_as_text(cx, t, given, k);
        }
    }
    for g in given {
        let needs_number = sums || t.bounded_output == Some(g.output);
        if !needs_number {
            formula_without_equals(cx, t, g);
        }
    }
    ok
}

/// Warns about each value of output `k` written as a spreadsheet shows a number (`2%`,
/// `1,5%`, `0,05`, `1,000`) and so read as text, where no row gives a number to compare it
/// with: every customer the row matches gets those characters. A warning, not an error: a
/// label may be meant (`promo_label: 5%`); quoted, the text is meant and nothing is said.
///
/// In a spreadsheet, whose cells are not quoted, a column whose every text cell is a
/// number as Excel formats it, one at least with a currency or decimals (`50.000,00`,
/// `1.000 €`), is an error at each: the column is a number column saved with its display
/// format (`SUM(credit_limit)` over the texts read 3,450 for 4,450,000). Digit groups alone
/// (`4.100.200`, `110 001`) may be codes: not said. `false` when there was one.
fn numbers_as_text(cx: &mut Cx, t: &Table, given: &[Given], k: usize) -> bool {
    // A spreadsheet's cell cannot be told quoted from its text (Excel quotes `1,500` for
    // the comma): there, only a percentage (`1,1%`, a rate sheet typed as Excel shows it)
    // or a column of formatted amounts is taken for numbers. Declared `values:` say the
    // texts are meant.
    let sheet = super::sheet::is_spreadsheet(&t.file.path);
    if t.declared_values.contains(&k) {
        return true;
    }
    let texts = || {
        given.iter().filter_map(|g| match (g.written, g.value) {
            (Literal::Text(text), ValueExpr::Const(Lit::Str(_))) if g.output == k => {
                Some((g, text))
            }
            _ => None,
        })
    };
    // Digit groups alone are codes as often as amounts (an account `4.100.200`, a postcode
    // `110 001`): a column is taken for amounts when one of them has a currency or decimals.
    let amounts = sheet
        && texts().all(|(_, text)| number_written(text).is_some())
        && texts().any(|(_, text)| amount_marks(text));
    let mut ok = true;
    for (g, text) in texts() {
        let percent = text.trim().ends_with('%');
        if sheet && !percent && !amounts {
            continue;
        }
        let Some(how) = number_written(text) else {
            continue;
        };
        if quoted(t, g) {
            continue;
        }
        let output = cx.symbols.name(t.outputs[k]).to_owned();
        let text = text.trim();
        let d = cx.error(
            t.file,
            g.at.0,
            g.at.1,
            match g.row {
                "default" => format!(
                    "the default of `{output}` is the text \"{text}\", not a number: every customer no row matches gets these characters"
                ),
                row => format!(
                    "row `{row}` gives `{output}` the text \"{text}\", not a number: every customer it matches gets these characters"
                ),
            },
        );
        d.rule = Some(match g.row {
            "default" => t.name.to_owned(),
            row => row.to_owned(),
        });
        d.width = text.chars().count().max(1);
        // A formatted amount in a sheet is an error; a percentage or YAML text a warning.
        let amount = sheet && !percent;
        if !amount {
            d.severity = crate::diag::Severity::Warning;
        }
        ok &= !amount;
        d.help = Some(match sheet {
            true if amount => {
                format!(
                    "{how}; the column is saved as it is displayed: format it as a number without thousands separators or currency (in Excel: Format Cells, Number, no 1000 separator) and save again, or, to keep the text, declare the texts in the output's kinds cell (`output; values: ...`)"
                )
            }
            true => format!(
                "{how}; to keep the text, declare the texts in the output's kinds cell (`output; values: ...`)"
            ),
            false => format!("{how}; to keep the text, quote it: \"{text}\""),
        });
    }
    ok
}

/// How to write a number written as a spreadsheet shows it (`2%`, `1,5%`, `0,05`, `1,000`,
/// `50.000,00`, `1.200 €`), which YAML reads as text.
fn number_written(t: &str) -> Option<String> {
    let t = t.trim();
    if let Some(amount) = without_currency(t) {
        let (number, or) = plain_number(amount)?;
        return Some(format!(
            "write {number}{or}, without the currency: `{t}` is text here (an amount is a plain number; the config's `currency` labels amounts)"
        ));
    }
    let (body, percent) = match t.strip_suffix('%') {
        Some(body) => (body.trim(), true),
        None => (t, false),
    };
    let (number, or) = plain_number(body)?;
    Some(if percent {
        crate::text::percent_help(&number, t)
    } else if crate::text::ungrouped(body).is_some() {
        let point = match body.rfind(',') > body.rfind('.') && number.contains('.') {
            true => ", with a decimal point",
            false => "",
        };
        format!("write {number} without thousands separators{point}{or}: `{t}` is text here")
    } else if body.contains(',') {
        // `30,60` may be two numbers too.
        let list = body.split(',').all(|p| {
            let p = p.trim();
            p.parse::<i64>().is_ok() && !p.starts_with('0')
        });
        match list {
            true => format!(
                "write {number} (a decimal point, not a comma), or [{}] for a list",
                body.replace(',', ", ")
            ),
            false => format!("write {number}: a decimal point, not a comma"),
        }
    } else {
        format!("write {number}: `{t}` is text here")
    })
}

/// A number as written in a spreadsheet, as the rules write it, and how else it may read:
/// `1,000` is 1000 (or 1.000 where the comma is a decimal point), `50.000` is 50.000 (or
/// 50000 where the dot groups thousands), `50.000,00` is 50000.00, `0,5` is 0.5.
fn plain_number(body: &str) -> Option<(String, String)> {
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    // One separator before three digits: a thousands separator or a decimal point.
    let lone = |separator| crate::text::lone_group(body, separator).is_some();
    if body.parse::<f64>().is_ok_and(f64::is_finite) {
        let or = match lone('.') {
            true => format!(
                " (or {} if the dot separates thousands)",
                body.replace('.', "")
            ),
            false => String::new(),
        };
        Some((body.to_owned(), or))
    } else if let Some(plain) = crate::text::ungrouped(body) {
        let or = match lone(',') {
            true => format!(
                " (or {} if the comma is a decimal point)",
                body.replace(',', ".")
            ),
            false => String::new(),
        };
        Some((plain, or))
    } else {
        let (whole, fraction) = body.strip_prefix('-').unwrap_or(body).split_once(',')?;
        (digits(whole) && digits(fraction)).then(|| (body.replacen(',', ".", 1), String::new()))
    }
}

/// Whether a number written as text shows it is an amount: a currency, or decimals after
/// grouped digits (`50.000,00`, `1,200.50`).
fn amount_marks(text: &str) -> bool {
    let text = text.trim();
    if without_currency(text).is_some() {
        return true;
    }
    crate::text::ungrouped(text).is_some_and(|plain| plain.contains('.'))
}

/// An amount without the currency it is written with (`50.000 €`, `$1,200`, `EUR 300`).
fn without_currency(t: &str) -> Option<&str> {
    const SIGNS: &[&str] = &["€", "$", "£", "¥", "₹", "EUR", "USD", "GBP", "CHF", "JPY"];
    let spaces = |c: char| c.is_whitespace();
    SIGNS.iter().find_map(|sign| {
        let rest = t
            .strip_prefix(sign)
            .map(|r| r.trim_start_matches(spaces))
            .or_else(|| t.strip_suffix(sign).map(|r| r.trim_end_matches(spaces)))?;
        rest.starts_with(|c: char| c.is_ascii_digit() || c == '-')
            .then_some(rest)
    })
}

/// The kind an output's values should all be: a number where the hit policy combines
/// them; else the kind most of them have (the first written among equally many), unless
/// every text among them reads as the other kind (`yes` among true/false, `5%` among
/// numbers), when the text is the slip. One wrong row is reported, not the rows around it.
fn expected_kind(known: &[(Kind, &Given)], needs_number: bool) -> Option<Kind> {
    if needs_number {
        return Some(Kind::Of(ValueKind::Number));
    }
    let count = |kind: Kind| known.iter().filter(|(k, _)| *k == kind).count();
    let mut most: Option<(Kind, usize)> = None;
    for &(kind, _) in known {
        let n = count(kind);
        if most.is_none_or(|(_, m)| n > m) {
            most = Some((kind, n));
        }
    }
    let (most, _) = most?;
    let text = Kind::Of(ValueKind::Text);
    let texts: Vec<&Given> = known
        .iter()
        .filter(|(kind, _)| *kind == text)
        .map(|(_, g)| *g)
        .collect();
    let other = known
        .iter()
        .map(|(kind, _)| *kind)
        .find(|kind| *kind != text);
    // `yes` among true/false: the text is the slip, however many texts there are.
    if let Some(other) = other
        && !texts.is_empty()
        && texts
            .iter()
            .all(|g| reads_as(g.written).is_some_and(|k| k == other))
    {
        return Some(other);
    }
    Some(most)
}

/// The kind a constant text looks like it meant: `yes`, `5%`, `"5"`, `1,000`, or a single
/// word beside lists (`business` for `[business]`).
fn reads_as(written: &Literal) -> Option<Kind> {
    let Literal::Text(t) = written else {
        return None;
    };
    let t = t.trim();
    if is_bool_word(t) {
        Some(Kind::Of(ValueKind::Bool))
    } else if number_written(t).is_some() {
        Some(Kind::Of(ValueKind::Number))
    } else if !t.is_empty() && !t.contains([',', '[', ']']) {
        Some(Kind::List)
    } else {
        None
    }
}

fn is_bool_word(t: &str) -> bool {
    matches!(
        t.to_ascii_lowercase().as_str(),
        "yes" | "no" | "y" | "n" | "on" | "off" | "true" | "false"
    )
}

/// A value for a message: the constant as written, or "a formula giving text".
fn shown(kind: Kind, written: &Literal) -> String {
    match written {
        Literal::Text(t) if t.trim_start().starts_with('=') => {
            format!("a formula giving {}", kind.noun())
        }
        Literal::Text(t) => format!("text \"{t}\""),
        Literal::Int(_) | Literal::Float(_) => {
            format!("the number {}", crate::text::as_yaml(&written.to_json()))
        }
        Literal::Bool(b) => format!("`{b}`"),
        Literal::List(_) => format!("the list {}", crate::text::as_yaml(&written.to_json())),
        other => format!(
            "{} ({})",
            kind.noun(),
            crate::text::as_yaml(&other.to_json())
        ),
    }
}

/// How to write the value as the kind expected (`fallback` where the value says nothing).
fn help(expected: Kind, written: &Literal, fallback: &str) -> String {
    let text = match written {
        Literal::Text(t) if !t.trim_start().starts_with('=') => Some(t.trim()),
        _ => None,
    };
    let number = Kind::Of(ValueKind::Number);
    let bool = Kind::Of(ValueKind::Bool);
    match (expected, text) {
        (k, Some(t)) if k == number && t.parse::<f64>().is_ok() => {
            format!("write {t} without quotes: quoted, it is text")
        }
        (k, Some(t)) if k == number && number_written(t).is_some() => {
            number_written(t).unwrap_or_default()
        }
        (k, Some(t)) if k == bool && is_bool_word(t) => {
            format!("write true/false (`{t}` is text here)")
        }
        (k, _) if k == bool => "write true/false".into(),
        (Kind::Of(ValueKind::Date), _) => "write a date as '= date(\"2025-03-01\")'".into(),
        (Kind::List, Some(t)) if t.contains(',') => {
            let items: Vec<&str> = t.split(',').map(str::trim).collect();
            format!(
                "write it as a list: [{}] (without brackets it is text)",
                items.join(", ")
            )
        }
        (Kind::List, Some(t)) if !t.is_empty() => {
            format!("write it as a list of one: [{t}] (without brackets it is text)")
        }
        _ => fallback.to_owned(),
    }
}

/// The kind of a row's value, where it is known; a list constant is one where `lists`.
fn kind_of(cx: &Cx, value: &ValueExpr, lists: bool) -> Option<Kind> {
    match value {
        ValueExpr::Const(Lit::List(_)) if lists => Some(Kind::List),
        ValueExpr::Const(lit) => ValueKind::of_lit(lit).map(Kind::Of),
        ValueExpr::Formula(e) => node_kind(cx, &e.native.as_ref()?.root).map(Kind::Of),
    }
}

/// Warns about a constant text that reads as a formula without its `=` ([`formula_like`]):
/// everyone it is given to would get the text itself.
fn formula_without_equals(cx: &mut Cx, t: &Table, g: &Given) {
    let Some((text, what)) = written_formula(cx, t, g) else {
        return;
    };
    let output = cx.symbols.name(t.outputs[g.output]).to_owned();
    let message = format!(
        "row `{}` gives `{output}` the text \"{text}\", {what}: every customer it matches gets these words",
        g.row
    );
    let d = cx.error(t.file, g.at.0, g.at.1, message);
    d.severity = crate::diag::Severity::Warning;
    d.rule = Some(g.row.to_owned());
    d.width = text.chars().count().max(1);
    d.help = Some(format!(
        "for its value, write it as a formula: '= {text}' (quoted, starting with `=`); to keep the words, quote them: \"{text}\""
    ));
}

/// The constant text `g` gives, when it reads as a formula written without its `=`, and
/// what it reads as. Quoted in the YAML (`tier: "abc_tier"`), the words are meant.
fn written_formula<'g>(cx: &Cx, t: &Table, g: &Given<'g>) -> Option<(&'g str, String)> {
    let (Literal::Text(text), ValueExpr::Const(Lit::Str(_))) = (g.written, g.value) else {
        return None;
    };
    if quoted(t, g) {
        return None;
    }
    let text = text.trim();
    Some((text, formula_like(cx, text)?))
}

/// What `text` reads as when it reads as a formula: a name the rules know (`abc_tier`:
/// "the name of an output"), or names the rules know joined by operators
/// (`monthly_sales * 2`: "a formula").
fn formula_like(cx: &Cx, text: &str) -> Option<String> {
    let words: Vec<&str> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .filter(|w| !w.is_empty() && w.parse::<f64>().is_err())
        .collect();
    // `previous.tier` is known as `tier`.
    let known = |w: &str| {
        let name = w.split('.').next_back().unwrap_or(w);
        cx.symbols.slot(w).or_else(|| cx.symbols.slot(name))
    };
    let operators = text.contains(['+', '-', '*', '/', '<', '>', '=', '(', '?']);
    if words.is_empty() || !words.iter().all(|w| known(w).is_some()) {
        return None;
    }
    match (operators, &words[..]) {
        (true, _) => Some("which reads as a formula".into()),
        (false, [name]) if *name == text => Some(format!(
            "which is the name of {}",
            cx.symbols.kind(known(name)?).a_noun()
        )),
        _ => None,
    }
}

/// Whether the value `g` gives is written in quotes in the YAML.
fn quoted(t: &Table, g: &Given) -> bool {
    (t.file.line(g.at.0))
        .and_then(|l| l.chars().nth(g.at.1.saturating_sub(1)))
        .is_some_and(|c| c == '"' || c == '\'')
}

/// The kind of a formula, where its form alone says it (other outputs' kinds aside).
pub(super) fn node_kind(cx: &Cx, node: &Node) -> Option<ValueKind> {
    match node {
        Node::Const(lit) => ValueKind::of_lit(lit),
        // Earlier periods' values have slots after the symbols'.
        Node::Slot(s) if *s >= cx.symbols.slots.len() => None,
        Node::Slot(s) => match cx.symbols.kind(*s) {
            SlotKind::Field | SlotKind::Context => cx.symbols.field_kind(*s),
            SlotKind::Population => Some(ValueKind::Number),
            _ => None,
        },
        Node::Not(_)
        | Node::And(_)
        | Node::Or(_)
        | Node::Cmp(..)
        | Node::CmpSlot(..)
        | Node::In(..) => Some(ValueKind::Bool),
        Node::Template(_) => Some(ValueKind::Text),
        Node::Neg(_)
        | Node::Arith(Arith::Sub | Arith::Mul | Arith::Div | Arith::Rem | Arith::Pow, _) => {
            Some(ValueKind::Number)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn the_row_of_the_odd_kind_out_is_the_one_reported_even_when_it_comes_first() {
        assert_eq!(
            errors(&[(
                "a.yaml",
                "decisions:\n  - name: abc\n    rules:\n      - { id: dormant, when: annual_sales == 0, then: { level: none } }\n      - { id: a, when: annual_sales > 100, then: { level: 3 } }\n      - { id: b, then: { level: 2 } }\n  - name: mixed\n    rules:\n      - { id: m1, when: annual_sales > 9, then: { m: 1 } }\n      - { id: m2, when: annual_sales > 8, then: { m: x } }\n      - { id: m3, when: annual_sales > 7, then: { m: true } }\n      - { id: m4, then: { m: 2 } }\n  - name: flags\n    rules:\n      - { id: f1, when: annual_sales > 9, then: { f: true } }\n      - { id: f2, when: annual_sales > 8, then: { f: 3 } }\n      - { id: f3, then: { f: 2 } }\n",
            )]),
            [
                "error rules/a.yaml:4:64 [dormant]: output `level` of decision `abc` is a number (row `a` gives the number 3), but row `dormant` gives text \"none\" | help: the other rows give a number; write this value as one",
                "error rules/a.yaml:10:54 [m2]: output `m` of decision `mixed` is a number (row `m1` gives the number 1), but row `m2` gives text \"x\" | help: 2 of the 4 rows give a number; write this value as one",
                "error rules/a.yaml:11:54 [m3]: output `m` of decision `mixed` is a number (row `m1` gives the number 1), but row `m3` gives `true` | help: 2 of the 4 rows give a number; write this value as one",
                "error rules/a.yaml:15:54 [f1]: output `f` of decision `flags` is a number (row `f2` gives the number 3), but row `f1` gives `true` | help: the other rows give a number; write this value as one",
            ]
        );
    }

    #[test]
    fn an_output_gives_one_kind_across_rows_and_one_its_hit_policy_combines() {
        assert_eq!(
            errors(&[(
                "a.yaml",
                "decisions:\n  - name: credit\n    rules:\n      - { id: a, when: overdue_days > 60, then: { block: yes } }\n      - { id: b, then: { block: false } }\n  - name: disc\n    hit: collect\n    output: pct\n    rules:\n      - { id: c, value: 5% }\n      - { id: d, value: '= channel' }\n      - { id: e, value: 2 }\n  - name: capped\n    output: level\n    cap: { min: 0 }\n    rules:\n      - { id: f, value: high }\n",
            )]),
            [
                "error rules/a.yaml:4:58 [a]: output `block` of decision `credit` is true/false (row `b` gives `false`), but row `a` gives text \"yes\" | help: write true/false (`yes` is text here)",
                "error rules/a.yaml:10:25 [c]: decision `disc` combines its rows' values (`collect`, sum), so output `pct` needs numbers, but row `c` gives text \"5%\" | help: write 5 for 5%: a percentage is a number here",
                "error rules/a.yaml:11:25 [d]: decision `disc` combines its rows' values (`collect`, sum), so output `pct` needs numbers, but row `d` gives a formula giving text | help: write a number here",
                "error rules/a.yaml:17:25 [f]: decision `capped` is capped or rounded, so output `level` needs numbers, but row `f` gives text \"high\" | help: write a number here",
            ]
        );
    }
}
