//! Text and numbers never compare, true/false compares only with true/false, and text minus
//! text is not a subtraction: rhai would make `"1998-05-28" < 19980101` and `flag == true`
//! (a column of 1/0) false and `"1998-05-28" - "1998-01-02"` text (its string `-` removes a
//! substring). All are errors here, carrying the two values ([`Mismatch`]) so
//! that the message can name the fields they came from (`crate::engine`'s errors).
//!
//! Registered operators win over rhai's built-in ones (the engine turns fast operators off).
//! The native fast path leaves these cases to the interpreter, so both raise the same error.

use rhai::{Dynamic, Engine, EvalAltResult, FLOAT, INT, ImmutableString, Position, Variant};

/// An operator given values of kinds it does not combine: the error's value.
#[derive(Debug, Clone)]
pub struct Mismatch {
    /// The operator, as written (`<`, `-`).
    pub op: &'static str,
    pub left: Dynamic,
    pub right: Dynamic,
}

impl Mismatch {
    /// The error rhai carries for this mismatch.
    pub fn error(op: &'static str, left: Dynamic, right: Dynamic) -> Box<EvalAltResult> {
        let payload = Dynamic::from(Mismatch { op, left, right });
        EvalAltResult::ErrorRuntime(payload, Position::NONE).into()
    }

    /// Whether the operator is a comparison (rather than arithmetic).
    pub fn is_comparison(&self) -> bool {
        matches!(self.op, "==" | "!=" | "<" | "<=" | ">" | ">=")
    }
}

type Result<T> = std::result::Result<T, Box<EvalAltResult>>;

pub fn register(engine: &mut Engine) {
    engine.register_type_with_name::<Mismatch>("mismatch");
    // Text with numbers, true/false with numbers or text, either way round.
    never_compare::<ImmutableString, INT>(engine);
    never_compare::<ImmutableString, FLOAT>(engine);
    never_compare::<bool, INT>(engine);
    never_compare::<bool, FLOAT>(engine);
    never_compare::<bool, ImmutableString>(engine);
    engine.register_fn(
        "-",
        |a: ImmutableString, b: ImmutableString| -> Result<Dynamic> {
            Err(Mismatch::error("-", a.into(), b.into()))
        },
    );
    numbers_from_any_kind(engine);
}

/// `parse_float(x)` and `parse_int(x)` read a column that holds numbers for some customers
/// and text for others (a column declaring no type keeps each value as written): a number
/// is kept (`parse_int` of a decimal only when it is whole), NULL and blank text are NULL.
/// Rhai's own take only text, so the advice "convert with `parse_float(x)`" failed on the
/// numbers and the NULLs of such a column. Text that is no finite number is an error
/// ("N/A", and "inf" or "NaN", which Rust's parser would take).
fn numbers_from_any_kind(engine: &mut Engine) {
    engine
        .register_fn("parse_float", |x: FLOAT| x)
        .register_fn("parse_float", |x: INT| x as FLOAT)
        .register_fn("parse_float", |_: ()| ())
        .register_fn("parse_float", |t: ImmutableString| {
            number_in_text(&t, "parse_float", |x: FLOAT| {
                x.is_finite().then(|| Dynamic::from_float(x))
            })
        })
        .register_fn("parse_int", |x: INT| x)
        .register_fn("parse_int", |x: FLOAT| -> Result<INT> {
            let whole = x.fract() == 0.0 && x.abs() < 9.0e15;
            whole.then_some(x as INT).ok_or_else(|| {
                cannot_read(format!(
                    "`parse_int` cannot read the decimal {x} as a whole number"
                ))
            })
        })
        .register_fn("parse_int", |_: ()| ())
        .register_fn("parse_int", |t: ImmutableString| {
            number_in_text(&t, "parse_int", |x: INT| Some(Dynamic::from_int(x)))
        });
}

/// Text read by `function` as a number: blank is NULL; `number` gives the value of what
/// parsed (`None`: no number to give, as `inf`).
fn number_in_text<T: std::str::FromStr>(
    text: &str,
    function: &str,
    number: impl Fn(T) -> Option<Dynamic>,
) -> Result<Dynamic> {
    match text.trim() {
        "" => Ok(Dynamic::UNIT),
        t => (t.parse().ok().and_then(number)).ok_or_else(|| {
            cannot_read(format!(
                "`{function}` cannot read the text \"{text}\" as a number{}",
                separators_hint(function, t)
            ))
        }),
    }
}

/// What a number written with a decimal comma or thousands separators (`24,5`,
/// `1,234.56`, an export in a European or US locale) reads as, and how to convert it in
/// the customers query, fitted to the form.
fn separators_hint(function: &str, text: &str) -> String {
    let t = text.trim();
    // `NaN` and `inf` parse as floats, and are no number to read with `parse_float` either.
    let finite = t.parse::<FLOAT>().is_ok_and(FLOAT::is_finite);
    if function == "parse_int" && finite && !t.contains(['e', 'E']) {
        // `1.234`: a decimal point, or a thousands dot (a German export's 1234)?
        let (whole, part) = t.rsplit_once('.').unwrap_or((t, ""));
        let grouped = part.len() == 3 && (1..=3).contains(&whole.trim_start_matches('-').len());
        return match grouped {
            true => format!(": it is {t} with a decimal point (read it with `parse_float`), or {} with a thousands dot (convert the column in the customers query)", t.replace('.', "")),
            false => ": it is a number with decimals: read it with `parse_float` (and `round` it where a whole number is meant)".into(),
        };
    }
    // The function reads an expression, not a column: the SQL names it `<column>`.
    match crate::text::number_conversion("<column>", text, false) {
        Some(conversion) => format!(": {conversion} (with the column's name for `<column>`)"),
        None => String::new(),
    }
}

fn cannot_read(message: String) -> Box<EvalAltResult> {
    EvalAltResult::ErrorArithmetic(message, Position::NONE).into()
}

/// Every comparison of an `A` with a `B`, and of a `B` with an `A`, is a [`Mismatch`].
fn never_compare<A: Variant + Clone, B: Variant + Clone>(engine: &mut Engine) {
    for op in ["==", "!=", "<", "<=", ">", ">="] {
        engine
            .register_fn(op, move |a: A, b: B| -> Result<bool> {
                Err(Mismatch::error(op, Dynamic::from(a), Dynamic::from(b)))
            })
            .register_fn(op, move |b: B, a: A| -> Result<bool> {
                Err(Mismatch::error(op, Dynamic::from(b), Dynamic::from(a)))
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decimal_comma_or_separators_in_parsed_text_get_the_fix() {
        let message = |t: &str| {
            eval(&format!("parse_float(\"{t}\")"))
                .unwrap_err()
                .to_string()
        };
        let converted = |point| crate::text::converted("<column>", point, true);
        assert!(
            message("24,5").contains(&format!(
                "\"24,5\" as a number: \"24,5\" reads as 24.5: convert the column's text rows, `{}`",
                converted(',')
            )),
            "{}",
            message("24,5")
        );
        // Thousands commas are not decimal commas: 1,234.56 is not 1.23456.
        assert!(message("1,234.56").contains(&format!(
            "reads as 1234.56: convert the column's text rows, `{}`",
            converted('.')
        )));
        assert!(message("n/a").contains("\"n/a\" stands for no value: make it NULL"));
        assert!(!message("1,2,3").contains("reads as"));
        let int = eval("parse_int(\"61.0\")").unwrap_err().to_string();
        assert!(int.contains("read it with `parse_float`"), "{int}");
        // `NaN` read as a float, and was sent to `parse_float`, which refuses it too.
        let nan = eval("parse_int(\"NaN\")").unwrap_err().to_string();
        assert!(!nan.contains("parse_float"), "{nan}");
    }

    fn eval(expr: &str) -> std::result::Result<Dynamic, Box<EvalAltResult>> {
        let engine = super::super::new_engine(&Default::default());
        let mut scope = rhai::Scope::new();
        scope.push("day", ImmutableString::from("1998-05-28"));
        scope.push("n", 5 as INT);
        scope.push("x", 2.5 as FLOAT);
        engine.eval_expression_with_scope::<Dynamic>(&mut scope, expr)
    }

    fn mismatch(expr: &str) -> (Mismatch, Position) {
        match *eval(expr).expect_err(expr) {
            EvalAltResult::ErrorRuntime(payload, pos) => {
                (payload.try_cast::<Mismatch>().expect("a mismatch"), pos)
            }
            other => panic!("{expr}: {other}"),
        }
    }

    #[test]
    fn parse_float_and_parse_int_read_numbers_null_and_text() {
        let float = |e: &str| eval(e).unwrap().as_float().unwrap();
        assert_eq!(float("parse_float(n)"), 5.0);
        assert_eq!(float("parse_float(x)"), 2.5);
        assert_eq!(float("parse_float(\" 9 \")"), 9.0);
        assert_eq!(float("parse_float(\"1e3\")"), 1000.0);
        assert!(eval("parse_float(())").unwrap().is_unit());
        assert!(eval("parse_float(\"  \")").unwrap().is_unit());
        assert_eq!(eval("parse_int(4.0)").unwrap().as_int().unwrap(), 4);
        assert_eq!(eval("parse_int(\"12\")").unwrap().as_int().unwrap(), 12);
        for bad in [
            "parse_float(\"inf\")",
            "parse_float(\"NaN\")",
            "parse_float(\"N/A\")",
            "parse_int(x)",
        ] {
            let e = eval(bad).expect_err(bad).to_string();
            assert!(e.contains("cannot read"), "{bad}: {e}");
        }
    }

    #[test]
    fn text_and_numbers_never_compare_and_text_never_subtracts() {
        for expr in [
            "day < 19980101",
            "19980101 > day",
            "day == n",
            "x != day",
            "day >= 2.5",
            "day - \"1998\"",
        ] {
            let (m, pos) = mismatch(expr);
            assert!(!pos.is_none(), "{expr}: the operator's position");
            assert!(m.left.is_string() || m.right.is_string(), "{expr}");
        }
        for expr in [
            "n == true",
            "false != x",
            "day == true",
            "true == day",
            "n < true",
        ] {
            let (m, _) = mismatch(expr);
            assert!(m.left.is_bool() || m.right.is_bool(), "{expr}");
        }
        let (m, pos) = mismatch("1 + 1 > 0 && day < 19980101");
        assert_eq!((m.op, pos.position()), ("<", Some(18)));
        // What still works: text with text, numbers with numbers, NULL with anything.
        assert_eq!(eval("day < \"1999\"").unwrap().as_bool(), Ok(true));
        assert_eq!(eval("n < x").unwrap().as_bool(), Ok(false));
        assert_eq!(eval("day + n").unwrap().to_string(), "1998-05-285");
        assert_eq!(eval("day == ()").unwrap().as_bool(), Ok(false));
        assert_eq!(eval("(n > 1) == true").unwrap().as_bool(), Ok(true));
        assert_eq!(eval("true != ()").unwrap().as_bool(), Ok(true));
    }
}
