//! A grid row's cells lowered into one ordinary condition, as if written in `when:`:
//! `segment == "exit" && (overdue_days ?? 0) > 60`. Each character of the generated text
//! remembers where it comes from in the file (the column's header for the input
//! expression, the row's cell for the test), so that every error, type check and lint of
//! the condition points at the cell.
//!
//! NULL is exact, as in DMN: a NULL input passes only `-` and `null`. Comparisons with
//! NULL are false already (`x > 5`, `x == "KA"`); `!=` and `not(...)` are not, so they are
//! guarded with `!is_null(x)`.

use super::cells::{At, Op, Test, Val};

/// A file position: line and column.
pub(super) type Pos = (usize, usize);

/// Generated expression text and the file position of each of its characters.
#[derive(Debug, Default)]
pub(super) struct Built {
    pub body: String,
    pub at: Vec<Pos>,
}

impl Built {
    /// `text`, every character of it written at `pos`.
    pub fn push(&mut self, text: &str, pos: Pos) {
        for c in text.chars() {
            self.body.push(c);
            self.at.push(pos);
        }
    }

    /// `text`, each character written at its own position (`at`, one per character).
    pub fn push_mapped(&mut self, text: &str, at: &[Pos]) {
        let last = at.last().copied().unwrap_or_default();
        for (k, c) in text.chars().enumerate() {
            self.body.push(c);
            self.at.push(at.get(k).copied().unwrap_or(last));
        }
    }
}

/// Text as written in a grid: its characters and where each is.
#[derive(Debug, Clone)]
pub(super) struct Written {
    pub text: String,
    pub at: Vec<Pos>,
    /// Where the cell is (its first character, or where an empty cell would start).
    pub start: Pos,
}

impl Written {
    /// The position of character `k` (the cell's start when out of range).
    pub fn pos(&self, k: usize) -> Pos {
        self.at.get(k).copied().unwrap_or(self.start)
    }

    /// The characters from `k` on, with their positions.
    pub fn from(&self, k: usize) -> &[Pos] {
        self.at.get(k..).unwrap_or(&[])
    }
}

/// Whether an input expression is a name (or `previous.tier`): it needs no brackets.
fn is_name(text: &str) -> bool {
    let mut chars = text.chars();
    matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '.')
}

/// Appends the condition that `test` (an input cell, not `-`) makes of `input` (the
/// column's header).
pub(super) fn lower(out: &mut Built, input: &Written, test: &Test, cell: &Written) {
    let glue = cell.start;
    let x = |out: &mut Built| {
        if is_name(&input.text) {
            out.push_mapped(&input.text, &input.at);
        } else {
            out.push("(", input.start);
            out.push_mapped(&input.text, &input.at);
            out.push(")", input.start);
        }
    };
    let not_null = |out: &mut Built| {
        out.push("!is_null(", glue);
        x(out);
        out.push(")", glue);
    };
    match test {
        Test::Any => out.push("true", glue),
        Test::Null => {
            out.push("is_null(", glue);
            x(out);
            out.push(")", glue);
        }
        Test::Cmp { op, op_at, val } => {
            if *op == Op::Ne {
                not_null(out);
                out.push(" && ", glue);
            }
            x(out);
            out.push(&format!(" {} ", op.text()), cell.pos(*op_at));
            value(out, val, cell);
        }
        Test::Range {
            low,
            low_in,
            high,
            high_in,
        } => {
            x(out);
            out.push(if *low_in { " >= " } else { " > " }, cell.pos(low.at));
            value(out, low, cell);
            out.push(" && ", glue);
            x(out);
            out.push(if *high_in { " <= " } else { " < " }, cell.pos(high.at));
            value(out, high, cell);
        }
        Test::List(items) => {
            out.push("(", glue);
            for (k, item) in items.iter().enumerate() {
                if k > 0 {
                    out.push(" || ", cell.pos(item.at));
                }
                match &item.v {
                    Some(v) => {
                        x(out);
                        out.push(" == ", cell.pos(item.at));
                        value(
                            out,
                            &At {
                                v: v.clone(),
                                at: item.at,
                            },
                            cell,
                        );
                    }
                    None => lower(out, input, &Test::Null, cell),
                }
            }
            out.push(")", glue);
        }
        Test::Not(inner) => {
            not_null(out);
            if **inner != Test::Null {
                out.push(" && !(", glue);
                lower(out, input, inner, cell);
                out.push(")", glue);
            }
        }
        Test::OneOf(tests) => {
            out.push("(", glue);
            for (k, test) in tests.iter().enumerate() {
                if k > 0 {
                    out.push(" || ", glue);
                }
                out.push("(", glue);
                lower(out, input, test, cell);
                out.push(")", glue);
            }
            out.push(")", glue);
        }
        Test::Formula(f) => {
            out.push("(", cell.pos(f.at));
            out.push_mapped(&f.v, cell.from(f.at));
            out.push(")", cell.pos(f.at));
        }
    }
}

/// A constant as Rhai reads it, every character at the value's position in the cell.
fn value(out: &mut Built, val: &At<Val>, cell: &Written) {
    out.push(&literal(&val.v), cell.pos(val.at));
}

/// A constant as a Rhai literal: `5`, `2.5`, `"KA"`, `true`, `date("2025-01-01")`.
pub(super) fn literal(v: &Val) -> String {
    match v {
        Val::Int(text, _) => text.clone(),
        Val::Float(text, f) => {
            let plain = text.trim_start_matches('-');
            let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
            match plain.split_once('.') {
                Some((a, b)) if digits(a) && digits(b) => text.clone(),
                _ => format!("{f:?}"),
            }
        }
        Val::Text(t) => {
            let mut s = String::from('"');
            for c in t.chars() {
                if c == '"' || c == '\\' {
                    s.push('\\');
                }
                s.push(c);
            }
            s.push('"');
            s
        }
        Val::Bool(b) => b.to_string(),
        Val::Date(d) => format!("date(\"{d}\")"),
    }
}

#[cfg(test)]
mod tests {
    use super::super::cells::input;
    use super::*;

    /// The condition a cell makes of the column `header` (positions left out).
    fn lowered(header: &str, cell: &str) -> String {
        let w = |t: &str| Written {
            text: t.to_owned(),
            at: (1..=t.chars().count()).map(|c| (1, c)).collect(),
            start: (1, 1),
        };
        let mut out = Built::default();
        lower(&mut out, &w(header), &input(cell).unwrap(), &w(cell));
        assert_eq!(out.body.chars().count(), out.at.len());
        out.body
    }

    #[test]
    fn each_form_of_cell_lowers_to_a_condition() {
        let cases = [
            ("exit", r#"segment == "exit""#),
            (r#""K A""#, r#"segment == "K A""#),
            ("> 60", "segment > 60"),
            ("<= -2.5", "segment <= -2.5"),
            ("== 5", "segment == 5"),
            ("!= KA", r#"!is_null(segment) && segment != "KA""#),
            ("true", "segment == true"),
            ("2025-01-31", r#"segment == date("2025-01-31")"#),
            ("[1..10)", "segment >= 1 && segment < 10"),
            ("]1..10[", "segment > 1 && segment < 10"),
            ("(0..100]", "segment > 0 && segment <= 100"),
            (r#""KA", BC"#, r#"(segment == "KA" || segment == "BC")"#),
            ("KA, null", r#"(segment == "KA" || is_null(segment))"#),
            ("null", "is_null(segment)"),
            ("not(null)", "!is_null(segment)"),
            (
                "not(KA, BC)",
                r#"!is_null(segment) && !((segment == "KA" || segment == "BC"))"#,
            ),
            ("not(< 18)", "!is_null(segment) && !(segment < 18)"),
            ("= a || b", "(a || b)"),
            // A list of tests: any of them (DMN's `[0..10000], > 1000000`).
            (
                "[0..10), > 100",
                "((segment >= 0 && segment < 10) || (segment > 100))",
            ),
            (
                "not(KA), null",
                r#"((!is_null(segment) && !(segment == "KA")) || (is_null(segment)))"#,
            ),
            (
                r#"not("a,b"), < 5"#,
                r#"((!is_null(segment) && !(segment == "a,b")) || (segment < 5))"#,
            ),
        ];
        for (cell, want) in cases {
            assert_eq!(lowered("segment", cell), want, "{cell}");
        }
    }

    #[test]
    fn an_input_expression_is_bracketed_unless_it_is_a_name() {
        assert_eq!(
            lowered("overdue_days ?? 0", "[30..60]"),
            "(overdue_days ?? 0) >= 30 && (overdue_days ?? 0) <= 60"
        );
        assert_eq!(lowered("previous.tier", "A"), r#"previous.tier == "A""#);
    }

    #[test]
    fn text_is_escaped_and_odd_decimals_are_written_as_rhai_reads_them() {
        assert_eq!(
            literal(&Val::Text(r#"a "b" \c"#.into())),
            r#""a \"b\" \\c""#
        );
        assert_eq!(literal(&Val::Float(".5".into(), 0.5)), "0.5");
        assert_eq!(literal(&Val::Float("1e3".into(), 1000.0)), "1000.0");
    }

    #[test]
    fn characters_map_to_the_header_and_the_cell() {
        let header = Written {
            text: "x".into(),
            at: vec![(1, 10)],
            start: (1, 10),
        };
        let cell = Written {
            text: "> 60".into(),
            at: vec![(3, 20), (3, 21), (3, 22), (3, 23)],
            start: (3, 20),
        };
        let mut out = Built::default();
        lower(&mut out, &header, &input("> 60").unwrap(), &cell);
        assert_eq!(out.body, "x > 60");
        // `x` from the header, the operator at `>`, `60` at its first digit.
        assert_eq!(
            out.at,
            [(1, 10), (3, 20), (3, 20), (3, 20), (3, 22), (3, 22)]
        );
    }
}
