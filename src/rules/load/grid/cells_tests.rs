use super::*;

fn int(text: &str, at: usize) -> At<Val> {
    At {
        v: Val::Int(text.into(), text.parse().unwrap()),
        at,
    }
}

fn text(t: &str, at: usize) -> At<Val> {
    At {
        v: Val::Text(t.into()),
        at,
    }
}

/// `op` at `op_at`, comparing with `val`.
fn cmp(op: Op, op_at: usize, val: At<Val>) -> Test {
    Test::Cmp { op, op_at, val }
}

fn err(cell: &str) -> (usize, String) {
    let e = input(cell).expect_err(cell);
    (e.at, e.message)
}

#[test]
fn anything_null_and_formulas() {
    assert_eq!(input(""), Ok(Test::Any));
    assert_eq!(input("-"), Ok(Test::Any));
    // Dashes a word processor writes for `-`: alone, or before a number.
    let err = |t: &str| input(t).unwrap_err();
    assert_eq!(
        err("\u{2013}").message,
        "`\u{2013}` (U+2013, an en dash, as a word processor writes `-`) is not `-`: write `-` for any value"
    );
    assert_eq!(err("< \u{2212}5").at, 2);
    assert_eq!(
        err("< \u{2212}5").message,
        "`\u{2212}` (U+2212, a minus sign, as a word processor writes `-`) is not a minus here: write `< -5`"
    );
    assert!(input("2024\u{2013}2025").is_ok());
    assert!(input("Retail \u{2013} North").is_ok());
    assert!(output("\u{2014}").is_err());
    assert_eq!(input("null"), Ok(Test::Null));
    assert_eq!(
        input("=  a || b"),
        Ok(Test::Formula(At {
            v: "a || b".into(),
            at: 3
        }))
    );
}

#[test]
fn comparisons_and_bare_values() {
    assert_eq!(input("< 18"), Ok(cmp(Op::Lt, 0, int("18", 2))));
    assert_eq!(
        input(">=0.8"),
        Ok(Test::Cmp {
            op: Op::Ge,
            op_at: 0,
            val: At {
                v: Val::Float("0.8".into(), 0.8),
                at: 2
            }
        })
    );
    assert_eq!(input("!= KA"), Ok(cmp(Op::Ne, 0, text("KA", 3))));
    assert_eq!(input("== 5"), Ok(cmp(Op::Eq, 0, int("5", 3))));
    // A bare value is an equality; its operator is where the value is.
    for (cell, v) in [
        ("exit", Val::Text("exit".into())),
        ("\"K, A\"", Val::Text("K, A".into())),
        ("'it'", Val::Text("it".into())),
        ("north east", Val::Text("north east".into())),
        ("-5", Val::Int("-5".into(), -5)),
        ("2.5", Val::Float("2.5".into(), 2.5)),
        ("true", Val::Bool(true)),
        ("false", Val::Bool(false)),
        (
            "2025-01-31",
            Val::Date(crate::time::Date::new(2025, 1, 31).unwrap()),
        ),
    ] {
        assert_eq!(
            input(cell),
            Ok(Test::Cmp {
                op: Op::Eq,
                op_at: 0,
                val: At { v, at: 0 }
            }),
            "{cell}"
        );
    }
}

#[test]
fn ranges_with_open_and_closed_ends() {
    let range = |cell: &str| match input(cell) {
        Ok(Test::Range {
            low,
            low_in,
            high,
            high_in,
        }) => (shown(&low.v), low_in, shown(&high.v), high_in, high.at),
        other => panic!("{cell}: {other:?}"),
    };
    assert_eq!(range("[1..10)"), ("1".into(), true, "10".into(), false, 4));
    assert_eq!(
        range("(0..100]"),
        ("0".into(), false, "100".into(), true, 4)
    );
    assert_eq!(range("]1..10["), ("1".into(), false, "10".into(), false, 4));
    assert_eq!(range("[1 .. 10]"), ("1".into(), true, "10".into(), true, 6));
    assert_eq!(range("[5..5]"), ("5".into(), true, "5".into(), true, 4));
    assert_eq!(
        range("[2025-01-01..2025-06-30]"),
        ("2025-01-01".into(), true, "2025-06-30".into(), true, 13)
    );
}

#[test]
fn lists_and_negations() {
    assert_eq!(
        input("\"KA\", \"BC\""),
        Ok(Test::List(vec![
            At {
                v: Some(Val::Text("KA".into())),
                at: 0
            },
            At {
                v: Some(Val::Text("BC".into())),
                at: 5
            },
        ]))
    );
    assert_eq!(
        input("KA, null"),
        Ok(Test::List(vec![
            At {
                v: Some(Val::Text("KA".into())),
                at: 0
            },
            At { v: None, at: 3 },
        ]))
    );
    assert_eq!(
        input("not(terminal)"),
        Ok(Test::Not(Box::new(cmp(Op::Eq, 4, text("terminal", 4)))))
    );
    assert_eq!(
        input("not(< 18)"),
        Ok(Test::Not(Box::new(cmp(Op::Lt, 4, int("18", 6)))))
    );
    assert!(
        matches!(input("not(KA, BC)"), Ok(Test::Not(t)) if matches!(*t, Test::List(ref l) if l.len() == 2))
    );
    assert_eq!(input("not(null)"), Ok(Test::Not(Box::new(Test::Null))));
}

#[test]
fn each_mistake_says_what_was_expected_where() {
    assert_eq!(
        err("[10..1]"),
        (
            0,
            "the range's ends are swapped: 10 is above 1; write the low end first".into()
        )
    );
    assert_eq!(
        err("[5..5)"),
        (
            0,
            "this range is empty: its ends are the same and one is excluded; write the value alone"
                .into()
        )
    );
    assert_eq!(
        err("[1..10"),
        (
            0,
            "the range is not closed: end it with `]` (end included) or `)` (end excluded)".into()
        )
    );
    assert_eq!(
        err("[1, 10]"),
        (0, "a range is written `[low..high]`, e.g. `[1..10)`".into())
    );
    assert_eq!(
        err("[a..z]"),
        (
            1,
            "the ends of a range are numbers or dates: `[1..10)`, `[2025-01-01..2025-06-30]`"
                .into()
        )
    );
    assert_eq!(
        err("[1..2025-01-01]"),
        (
            0,
            "the ends of a range are both numbers or both dates".into()
        )
    );
    assert_eq!(
        err("\"KA, BC"),
        (0, "the text is not closed: add a closing `\"`".into())
    );
    assert_eq!(
        err("not(KA"),
        (0, "`not(` is not closed: write `not(KA, BC)`".into())
    );
    assert_eq!(
        err("not(-)"),
        (
            4,
            "`not(...)` needs a test inside: `not(KA)`, `not(< 18)`".into()
        )
    );
    assert_eq!(
        err("KA,,BC"),
        (3, "an item of the list is empty: `KA, BC`".into())
    );
    assert_eq!(
        err("\"KA\" x"),
        (
            5,
            "unexpected `x` after the text: separate values with `,`".into()
        )
    );
    assert_eq!(
        err("2025-02-30"),
        (0, "`2025-02-30` is not a date: 2025-02 has 28 days".into())
    );
    assert_eq!(
        err("KA)"),
        (
            2,
            format!("cannot read `KA)`: `)` is not part of a value; expected {EXPECTED}")
        )
    );
    assert_eq!(
        err("> null"),
        (
            0,
            "`>` compares with a value, not NULL: write `null` for NULL, `not(null)` for any other value".into()
        )
    );
    assert_eq!(
        err("not(= a)"),
        (
            4,
            "write a condition as the whole cell: `= condition`".into()
        )
    );
    assert_eq!(
        err("<"),
        (1, format!("a value is missing here: expected {EXPECTED}"))
    );
}

#[test]
fn output_cells() {
    assert_eq!(output(""), Ok(Out::Nothing));
    assert_eq!(output("-"), Ok(Out::Nothing));
    assert_eq!(output("null"), Ok(Out::Null));
    assert_eq!(output("high"), Ok(Out::Const(Val::Text("high".into()))));
    // Text an input cell would refuse is an output's text as written.
    assert_eq!(
        output("\">= 0.95\""),
        Ok(Out::Const(Val::Text(">= 0.95".into())))
    );
    assert_eq!(
        output("call or visit"),
        Ok(Out::Const(Val::Text("call or visit".into())))
    );
    assert_eq!(
        output("late, call"),
        Ok(Out::Const(Val::Text("late, call".into())))
    );
    assert_eq!(output("\"5\""), Ok(Out::Const(Val::Text("5".into()))));
    assert_eq!(output("5"), Ok(Out::Const(Val::Int("5".into(), 5))));
    assert_eq!(output("true"), Ok(Out::Const(Val::Bool(true))));
    assert_eq!(
        output("= a * 2"),
        Ok(Out::Formula(At {
            v: "a * 2".into(),
            at: 2
        }))
    );
    // A list, as a `rules:` row writes one.
    assert_eq!(
        output(" [business, \"tech, nical\", null, 5]"),
        Ok(Out::List(vec![
            Some(Val::Text("business".into())),
            Some(Val::Text("tech, nical".into())),
            None,
            Some(Val::Int("5".into(), 5)),
        ]))
    );
    assert_eq!(output("[]"), Ok(Out::List(Vec::new())));
    assert_eq!(output("\"[a]\""), Ok(Out::Const(Val::Text("[a]".into()))));
    // Lists of lists are not: at the inner bracket.
    assert_eq!(output("[a, [b]]").map_err(|e| e.at), Err(4));
    assert!(output("=").is_err());
    assert!(output("2025-13-01").is_err());
    // Curly quotes pasted from a word processor: an error, not text with quotes in it.
    assert!(output("“Premium”").is_err());
    assert_eq!(
        output("McDonald’s"),
        Ok(Out::Const(Val::Text("McDonald’s".into())))
    );
}

#[test]
fn typographic_quotes_are_an_error_saying_what_to_write() {
    for cell in ["“Premium”", "‘Premium’", "„Standard“", "== “Premium”"] {
        let (_, message) = err(cell);
        assert!(
            message.contains("is in typographic quotes"),
            "{cell}: {message}"
        );
    }
    assert_eq!(
        err("“Premium”, “Gold”"),
        (
            0,
            "`“Premium”` is in typographic quotes (`“`, as a word processor or e-mail writes them): to the rules that is text with the quotes in it; write straight quotes, \"Premium\", or none".to_owned()
        )
    );
    assert!(input("O’Brien").is_ok());
    assert!(input("’s-Hertogenbosch").is_ok());
    assert!(input("‘t Hoekje").is_ok());
}

#[test]
fn no_text_makes_the_reader_panic() {
    let odd = [
        "[",
        "]",
        "(",
        ")",
        "[]",
        "[..]",
        "[1..]",
        "[..1]",
        "]é..ü[",
        "\"",
        "'",
        "\"\"",
        "''",
        ",",
        ", ,",
        "not(",
        "not()",
        "not(not(KA))",
        "not(KA))",
        "<",
        "<=",
        "==",
        "!=",
        "= ",
        "-5..",
        "[1..2..3]",
        "ü, ö",
        "(é",
        "[1....2]",
        "null, null",
        "--",
        "- 1",
        "[2025-01-01..5]",
        "1e999",
        "NaN",
        "inf",
        "0x10",
        "[-1..-0.5)",
    ];
    for text in odd {
        let _ = input(text);
        let _ = output(text);
    }
    assert!(input("NaN").is_ok_and(|t| matches!(
        t,
        Test::Cmp {
            val: At {
                v: Val::Text(_),
                ..
            },
            ..
        }
    )));
}

#[test]
fn spreadsheet_habits_say_what_to_write() {
    assert_eq!(
        err("=> 25"),
        (0, "`=>` is not a comparison here: write `>= 25`".into())
    );
    assert_eq!(
        err("≥ 25"),
        (0, "`≥` is not a comparison here: write `>= 25`".into())
    );
    assert_eq!(
        err("<> KA"),
        (0, "`<>` is not a comparison here: write `!= KA`".into())
    );
    assert_eq!(
        err(">= 25%"),
        (
            3,
            "`25%` would be text: write the number as the column holds it (`25`, or `0.25` for a share)"
                .into()
        )
    );
    assert_eq!(
        err("5..10"),
        (
            0,
            "a range needs brackets: `[5..10]` (both ends included) or `[5..10)` (the upper end excluded)"
                .into()
        )
    );
    assert_eq!(
        err("> 0,95"),
        (2, "`0,95` has a decimal comma: write `0.95`".into())
    );
    assert_eq!(
        err("< 12 months"),
        (
            2,
            "`12 months` would be text: write the number alone (`12`; the column's expression gives the unit)"
                .into()
        )
    );
    assert_eq!(
        err(">= 1 000.50"),
        (
            3,
            "`1 000.50` would be text: write the number without blanks (`1000.50`)".into()
        )
    );
    assert_eq!(
        err("> 1,000,000"),
        (2, "`1,000,000` would be text: write `1000000`".into())
    );
    assert_eq!(
        err("<= 2,500"),
        (
            3,
            "`2,500` would be text: write `2500` (or `2.500` if the comma is a decimal point)"
                .into()
        )
    );
    assert_eq!(
        err("1,000"),
        (
            0,
            "`1,000` would be the list of 1, 000: write `1000` for the number (a list is written `1, 2`)".into()
        )
    );
    assert_eq!(
        err("A or B"),
        (
            0,
            "`A or B` would be one text: one of several values is written `A, B` (quote it, \"A or B\", if it is one text)".into()
        )
    );
    assert_eq!(
        err("North East OR South West").1,
        "`North East OR South West` would be one text: one of several values is written `North East, South West` (quote it, \"North East OR South West\", if it is one text)"
    );
    assert!(input("\"Bread or Cakes\"").is_ok());
    // A list of numbers or of three-digit codes, and text a text column may hold (a range
    // of sizes, a quoted label; in a number column the type check says what to write), are
    // what they say.
    assert!(input("1, 2, 3").is_ok());
    assert!(input("100,200").is_ok());
    assert!(input("50-99").is_ok());
    assert!(input("2025-03").is_ok());
    assert!(input("\"< 25\"").is_ok());
    assert!(input("-5").is_ok());
    // Equal to a text with a blank, a number first or not: text, as written.
    assert!(input("North East").is_ok());
    assert!(input("30 days").is_ok());
    // TRUE and FALSE as spreadsheets write them are booleans.
    assert_eq!(
        input("TRUE"),
        input("true"),
        "a spreadsheet's TRUE is a boolean"
    );
    assert_eq!(output("False"), output("false"));
}

#[test]
fn a_list_of_tests_is_any_of_them_and_its_items_are_cells() {
    assert_eq!(
        input("< 10, > 100"),
        Ok(Test::OneOf(vec![
            cmp(Op::Lt, 0, int("10", 2)),
            cmp(Op::Gt, 6, int("100", 8)),
        ]))
    );
    assert_eq!(
        input("not(KA, BC), null"),
        Ok(Test::OneOf(vec![
            Test::Not(Box::new(Test::List(vec![
                At {
                    v: Some(Val::Text("KA".into())),
                    at: 4
                },
                At {
                    v: Some(Val::Text("BC".into())),
                    at: 7
                },
            ]))),
            Test::Null,
        ]))
    );
    // Values alone stay a list of values; a formula is never split.
    assert!(matches!(input("KA, null"), Ok(Test::List(_))));
    assert!(matches!(input("= max(a, b) > 3"), Ok(Test::Formula(_))));
    assert_eq!(
        err("< 10, -"),
        (
            6,
            "`-` (any value) is a cell of its own, not an item of a list".into()
        )
    );
    assert_eq!(err("< 10, , > 5").0, 5);
    assert_eq!(
        err("< 10, = a"),
        (
            6,
            "write a condition as the whole cell: `= condition`".into()
        )
    );
}

#[test]
fn ranges_inside_not_and_quoted_commas_split_where_they_should() {
    let range = |lo: &str, lo_at, hi: &str, hi_at| Test::Range {
        low: int(lo, lo_at),
        low_in: true,
        high: int(hi, hi_at),
        high_in: false,
    };
    // A range's `)` closes no `not(`.
    assert_eq!(
        input("not([1..6), [7..10))"),
        Ok(Test::Not(Box::new(Test::OneOf(vec![
            range("1", 5, "6", 8),
            range("7", 13, "10", 16),
        ]))))
    );
    assert!(matches!(
        input("not([1..6), [7..10)), null"),
        Ok(Test::OneOf(ref tests)) if tests.len() == 2 && tests[1] == Test::Null
    ));
    // A comma before a digit inside quotes is text, not a decimal comma.
    assert_eq!(
        input(r#""a,1", != KA"#),
        Ok(Test::OneOf(vec![
            cmp(Op::Eq, 0, text("a,1", 0)),
            cmp(Op::Ne, 7, text("KA", 10)),
        ]))
    );
}
