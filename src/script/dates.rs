//! Dates in Rhai: the `date` type and the functions rules use on it. The native fast path
//! ([`crate::rules::native`]) computes the same functions without the interpreter; both
//! must agree (the differential test checks it).
//!
//! A date compares only with a date (and with NULL as every value does: never ordered,
//! never equal). Comparing a date with text or a number is an error, never a silent
//! `false`: `last_order_day < "2025-01-01"` fails and says to write `date("2025-01-01")`.

use crate::time::Date;
use rhai::{Dynamic, Engine, EvalAltResult, FLOAT, INT, ImmutableString};

type Result<T> = std::result::Result<T, Box<EvalAltResult>>;

/// Why a date was refused, for messages.
pub fn not_a_date(text: &str) -> String {
    // Written right, but no such day (`2026-02-30`): say the month's last day.
    let parts: Vec<&str> = text.trim().splitn(3, '-').collect();
    if let [y, m, d] = parts[..]
        && let (Ok(y), Ok(m), Ok(d)) = (
            y.parse::<i32>(),
            m.parse::<u32>(),
            d.get(..2).unwrap_or(d).parse::<u32>(),
        )
        && (1..=12).contains(&m)
        && d > crate::time::days_in_month(y, m)
    {
        return format!(
            "`{text}` is not a date: {y}-{m:02} has {} days",
            crate::time::days_in_month(y, m)
        );
    }
    // Written right, but no such month (`2025-13-31`): "write it as 2025-03-01" read as
    // a correction of it.
    if let [y, m, _] = parts[..]
        && y.parse::<i32>().is_ok()
        && m.parse::<u32>().is_ok_and(|m| !(1..=12).contains(&m))
    {
        return format!("`{text}` is not a date: there is no month {m} (months are 01 to 12)");
    }
    match read_otherwise(text.trim()) {
        Some((date, how)) => {
            format!("`{text}` is not a date: write it as {date} (year-month-day){how}")
        }
        None => format!("`{text}` is not a date: write it as 2025-03-01 (year-month-day)"),
    }
}

/// The day a date written another way stands for, and how it was read: with the month's
/// name (`1 April 2026`, `Apr 1 2026`), as a Unix time (seconds since 1970, as an export
/// may write a day) or as an Excel date number (days since 1899-12-30).
fn read_otherwise(text: &str) -> Option<(Date, &'static str)> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        let n: i64 = text.parse().ok()?;
        return match text.len() {
            5 if (20_000..80_000).contains(&n) => Some((
                Date::new(1899, 12, 30)?.add_days(n)?,
                ", the day it is as an Excel date number (days since 1899-12-30)",
            )),
            9 | 10 => Some((
                Date::new(1970, 1, 1)?.add_days(n / 86_400)?,
                ", the day it is as a Unix time (seconds since 1970-01-01, UTC)",
            )),
            _ => None,
        };
    }
    let words: Vec<String> = (text.split(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let [_, _, _] = words[..] else { return None };
    let month = (words.iter()).find_map(|w| {
        (w.len() >= 3 && w.chars().all(char::is_alphabetic))
            .then(|| MONTHS.iter().position(|m| m.starts_with(w.as_str())))
            .flatten()
    })?;
    let numbers: Vec<&String> = (words.iter())
        .filter(|w| w.bytes().all(|b| b.is_ascii_digit()))
        .collect();
    let (day, year) = match numbers[..] {
        [a, b] if b.len() == 4 && a.len() <= 2 => (a, b),
        [a, b] if a.len() == 4 && b.len() <= 2 => (b, a),
        _ => return None,
    };
    let date = Date::new(year.parse().ok()?, month as u32 + 1, day.parse().ok()?)?;
    Some((date, ""))
}

/// The error of comparing a date with text `text`: a date written in a rule as text, or a
/// column of dates kept as text (`last_invoice < add_days(as_of, -90)` on a TEXT column
/// passed `check` and advised only the former, a literal never written).
pub fn text_mismatch(text: &str) -> String {
    let shown = crate::text::cut(crate::text::visible(text).into_owned(), 40);
    format!(
        "a date can only be compared with a date, not with the text \"{shown}\": a date written in a rule is date(\"2025-03-01\"); a column of dates kept as text is read as dates when the config lists it (`customers: {{ dates: [column] }}`, its values written 2025-03-01), or with `date(column)` where it is used"
    )
}

/// The error of comparing a date with something else.
pub fn mismatch(other: &str) -> String {
    format!(
        "a date can only be compared with a date, not with {other}: write a date as date(\"2025-03-01\")"
    )
}

fn out_of_range() -> Box<EvalAltResult> {
    "the date would be outside the years 1 to 9999".into()
}

pub fn register(engine: &mut Engine) {
    engine.register_type_with_name::<Date>("date");
    engine
        .register_fn("date", |text: ImmutableString| -> Result<Date> {
            Date::parse(&text).ok_or_else(|| not_a_date(&text).into())
        })
        .register_fn("date", |d: Date| d)
        .register_fn("to_string", |d: &mut Date| d.to_string())
        .register_fn("to_debug", |d: &mut Date| d.to_string())
        .register_fn("days_between", |a: Date, b: Date| a.days_until(b) as INT)
        .register_fn("months_between", |a: Date, b: Date| {
            a.months_until(b) as INT
        })
        .register_fn("add_days", |d: Date, n: INT| -> Result<Date> {
            d.add_days(n).ok_or_else(out_of_range)
        })
        .register_fn("add_months", |d: Date, n: INT| -> Result<Date> {
            d.add_months(n).ok_or_else(out_of_range)
        })
        // Numbers are numbers: `add_months(start, term_years * 12)` of a REAL column, or
        // `add_days(as_of, 6 / 2)` (`/` gives a decimal), is whole; 2.5 days is an error.
        .register_fn("add_days", |d: Date, n: FLOAT| -> Result<Date> {
            d.add_days(whole("add_days", "days", n)?)
                .ok_or_else(out_of_range)
        })
        .register_fn("add_months", |d: Date, n: FLOAT| -> Result<Date> {
            d.add_months(whole("add_months", "months", n)?)
                .ok_or_else(out_of_range)
        })
        .register_fn("year", |d: Date| d.year() as INT)
        .register_fn("month", |d: Date| d.month() as INT)
        .register_fn("quarter", |d: Date| d.quarter() as INT)
        .register_fn("day", |d: Date| d.day() as INT)
        .register_fn("weekday", |d: Date| d.weekday() as INT)
        .register_fn("end_of_month", |d: Date| d.end_of_month())
        // `as_of.month` as `month(as_of)`: written so, it failed for every customer
        // ("a getter is not registered for type 'date'").
        .register_get("year", |d: &mut Date| d.year() as INT)
        .register_get("month", |d: &mut Date| d.month() as INT)
        .register_get("quarter", |d: &mut Date| d.quarter() as INT)
        .register_get("day", |d: &mut Date| d.day() as INT)
        .register_get("weekday", |d: &mut Date| d.weekday() as INT)
        .register_get("end_of_month", |d: &mut Date| d.end_of_month());

    macro_rules! ordered {
        ($($op:literal => $cmp:expr),*) => {$(
            engine
                .register_fn($op, |a: Date, b: Date| $cmp(a, b))
                // NULL is never ordered, as with every other value.
                .register_fn($op, |_: Date, _: ()| false)
                .register_fn($op, |_: (), _: Date| false);
            mismatched(engine, $op);
        )*};
    }
    ordered!(
        "<" => |a: Date, b: Date| a < b,
        "<=" => |a: Date, b: Date| a <= b,
        ">" => |a: Date, b: Date| a > b,
        ">=" => |a: Date, b: Date| a >= b,
        "==" => |a: Date, b: Date| a == b,
        "!=" => |a: Date, b: Date| a != b
    );
    engine
        .register_fn("==", |_: Date, _: ()| false)
        .register_fn("==", |_: (), _: Date| false)
        .register_fn("!=", |_: Date, _: ()| true)
        .register_fn("!=", |_: (), _: Date| true);
}

/// A decimal that is a whole number, as one; another is an error naming it.
fn whole(function: &str, unit: &str, n: FLOAT) -> Result<INT> {
    match crate::value::whole_number(n) {
        Some(i) => Ok(i),
        // Whole, but beyond any date: the date's own error, not "round it".
        None if n.fract() == 0.0 => Err(out_of_range()),
        None => Err(format!(
            "`{function}` adds whole {unit}, and {n} is not one: round it first (`round(x)`, or `to_int(x)` to cut the decimals)"
        )
        .into()),
    }
}

/// A date compared with text, a number or true/false is an error, in either order.
fn mismatched(engine: &mut Engine, op: &str) {
    fn fail<T>(other: &str) -> Result<T> {
        Err(mismatch(other).into())
    }
    engine
        .register_fn(op, |_: Date, t: ImmutableString| -> Result<bool> {
            Err(text_mismatch(&t).into())
        })
        .register_fn(op, |t: ImmutableString, _: Date| -> Result<bool> {
            Err(text_mismatch(&t).into())
        })
        .register_fn(op, |_: Date, _: INT| fail::<bool>("a number"))
        .register_fn(op, |_: INT, _: Date| fail::<bool>("a number"))
        .register_fn(op, |_: Date, _: rhai::FLOAT| fail::<bool>("a number"))
        .register_fn(op, |_: rhai::FLOAT, _: Date| fail::<bool>("a number"))
        .register_fn(op, |_: Date, _: bool| fail::<bool>("true/false"))
        .register_fn(op, |_: bool, _: Date| fail::<bool>("true/false"));
}

/// A date as a Rhai value.
pub fn dynamic(d: Date) -> Dynamic {
    Dynamic::from(d)
}

#[cfg(test)]
mod tests {
    use crate::script::{Limits, new_engine};
    use crate::time::Date;
    use rhai::Dynamic;

    fn eval(expr: &str) -> Result<Dynamic, String> {
        let engine = new_engine(&Limits::default());
        let mut scope = rhai::Scope::new();
        scope.push("d", Date::parse("2025-01-31").unwrap());
        scope.push("n", ());
        scope.push("t", "2025-01-31");
        engine
            .eval_expression_with_scope::<Dynamic>(&mut scope, expr)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn a_date_that_is_no_date_says_why() {
        assert_eq!(
            super::not_a_date("2025-13-31"),
            "`2025-13-31` is not a date: there is no month 13 (months are 01 to 12)"
        );
        assert_eq!(
            super::not_a_date("2025-02-30"),
            "`2025-02-30` is not a date: 2025-02 has 28 days"
        );
        assert_eq!(
            super::not_a_date("31.12.2025"),
            "`31.12.2025` is not a date: write it as 2025-03-01 (year-month-day)"
        );
    }

    #[test]
    fn date_functions() {
        let int = |e: &str| eval(e).unwrap().as_int().unwrap();
        assert_eq!(int("days_between(d, date(\"2025-07-30\"))"), 180);
        assert_eq!(int("months_between(d, date(\"2025-02-28\"))"), 1);
        assert_eq!(int("year(d) * 100 + month(d)"), 202501);
        assert_eq!(int("quarter(add_months(d, 3))"), 2);
        let date = |e: &str| eval(e).unwrap().cast::<Date>().to_string();
        assert_eq!(date("add_months(d, 1)"), "2025-02-28");
        assert_eq!(date("add_days(d, 1)"), "2025-02-01");
        assert_eq!(
            eval("`as of ${d}`").unwrap().to_string(),
            "as of 2025-01-31"
        );
    }

    #[test]
    fn dates_compare_with_dates_and_never_silently_with_anything_else() {
        let truth = |e: &str| eval(e).unwrap().as_bool().unwrap();
        assert!(truth("d < date(\"2025-02-01\")"));
        assert!(truth("d == date(\"2025-01-31\")"));
        assert!(!truth("d < n") && !truth("n >= d") && !truth("d == n") && truth("d != n"));
        for e in ["d < t", "d == t", "t != d", "d > 20250101", "d == true"] {
            let err = eval(e).unwrap_err();
            assert!(
                err.contains("a date can only be compared with a date"),
                "{e}: {err}"
            );
        }
        assert!(
            eval("date(\"2025-02-30\")")
                .unwrap_err()
                .contains("is not a date")
        );
        assert!(eval("d + 1").is_err());
        assert!(
            eval("days_between(n, d)").is_err(),
            "NULL is an error in arithmetic"
        );
    }
}
