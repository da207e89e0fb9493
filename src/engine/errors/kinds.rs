//! Type errors in words: which value is NULL or text, named as the rule reads it, never
//! rhai's type names (`f64`, `()`, `ImmutableString`).

use crate::script::kinds::Mismatch;
use crate::time::Date;
use crate::value::Value;
use rhai::Dynamic;

/// A rhai type name in words.
pub fn words(type_name: &str) -> &'static str {
    // `&str | ImmutableString | String`: one type, however written.
    let t = type_name.split('|').next().unwrap_or_default().trim();
    let t = t.rsplit("::").next().unwrap_or(t);
    match t {
        "i64" | "i32" | "u64" | "f64" | "f32" | "int" | "float" | "INT" | "FLOAT" | "decimal" => {
            "a number"
        }
        "()" => "NULL",
        "string" | "ImmutableString" | "&str" | "str" | "String" | "char" => "text",
        "bool" => "true/false",
        "array" | "Array" | "blob" => "a list",
        "map" | "Map" => "a map",
        "date" | "Date" => "a date",
        _ => "a value",
    }
}

/// A value as a message says it, with its name when the rule reads it by name:
/// "`last_day` is text \"1998-05-28\"", or "the number 5".
fn describe(name: Option<&str>, value: &Dynamic) -> String {
    let v = Value::from_dynamic(value.clone());
    let what = match &v {
        Value::Null => "NULL".to_owned(),
        Value::Str(_) | Value::Owned(_) => format!("text \"{v}\""),
        Value::Int(_) | Value::Float(_) => format!("the number {v}"),
        Value::Date(_) => format!("the date {v}"),
        Value::Bool(_) => v.to_string(),
        other => other.type_name().to_owned(),
    };
    match name {
        Some(n) => format!("`{n}` is {what}"),
        None => what,
    }
}

fn name_at(names: &[Option<String>], k: usize) -> Option<&str> {
    names.get(k).and_then(|n| n.as_deref())
}

fn is_date(value: &Dynamic) -> bool {
    value
        .read_lock::<rhai::ImmutableString>()
        .is_some_and(|t| Date::parse(&t).is_some())
}

/// Text compared with a number, true/false with anything but true/false, or text minus text.
pub fn mismatch(m: &Mismatch, names: &[Option<String>]) -> String {
    let (left, right) = (name_at(names, 0), name_at(names, 1));
    if m.is_comparison() && (m.left.is_bool() || m.right.is_bool()) {
        return bool_mismatch(m, left, right);
    }
    if !m.is_comparison() {
        let help = if is_date(&m.left) && is_date(&m.right) {
            format!(
                "for the days between two dates write `days_between(date({}), date({}))`",
                right.unwrap_or("earlier"),
                left.unwrap_or("later")
            )
        } else {
            "convert text to a number with `parse_float(...)`".to_owned()
        };
        return format!(
            "{} and {}: `{}` needs numbers, and text cannot be subtracted ({help})",
            describe(left, &m.left),
            describe(right, &m.right),
            m.op
        );
    }
    // The text first, whichever side it is on.
    let ((text, text_name), (other, other_name)) = if m.left.is_string() {
        ((&m.left, left), (&m.right, right))
    } else {
        ((&m.right, right), (&m.left, left))
    };
    let object = match other_name {
        Some(n) => format!("`{n}`, {}", describe(None, other)),
        None => describe(None, other),
    };
    let shown = text_name.unwrap_or("...");
    let help = if is_date(text) {
        format!(
            "compare dates as dates: `date({shown})` with a date such as `date(\"2025-01-01\")`"
        )
    } else {
        format!("convert the text to a number with `parse_float({shown})`, or compare it with text")
    };
    format!(
        "{}, compared with {object}: text and numbers never compare ({help})",
        describe(text_name, text)
    )
}

/// true/false compared with a number or text: the other value first, as the rule reads it.
fn bool_mismatch(m: &Mismatch, left: Option<&str>, right: Option<&str>) -> String {
    let ((truth, truth_name), (other, other_name)) = if m.left.is_bool() {
        ((&m.left, left), (&m.right, right))
    } else {
        ((&m.right, right), (&m.left, left))
    };
    let object = match truth_name {
        Some(n) => format!("`{n}`, {}", describe(None, truth)),
        None => describe(None, truth),
    };
    let shown = other_name.unwrap_or("...");
    let help = if other.is_string() {
        format!("compare text with text, e.g. `{shown} == \"yes\"`")
    } else {
        let number = i32::from(truth.as_bool().unwrap_or(true));
        format!(
            "SQLite stores true/false as 1 and 0: declare the column BOOLEAN, or compare `{shown} == {number}`"
        )
    };
    format!(
        "{}, compared with {object}: true/false compares only with true/false ({help})",
        describe(other_name, other)
    )
}

/// The functions whose NULL argument wants a date for its default.
const DATE_FUNCTIONS: &[&str] = &[
    "days_between",
    "months_between",
    "add_days",
    "add_months",
    "year",
    "month",
    "quarter",
    "day",
    "weekday",
    "end_of_month",
    "date",
];

/// Text's own functions: the default for NULL text is `""`.
const TEXT_FUNCTIONS: &[&str] = &[
    "trim",
    "to_upper",
    "to_lower",
    "make_upper",
    "make_lower",
    "starts_with",
    "ends_with",
    "replace",
    "truncate",
    "pad",
    "sub_string",
    "split",
    "chars",
    "crop",
    "to_chars",
];

/// Functions of text and of lists alike: the default is `""` for text, `[]` for a list.
const TEXT_OR_LIST_FUNCTIONS: &[&str] = &["len", "contains", "index_of", "is_empty", "remove"];

/// `Function not found: * (f64, ())` in words: the operand that is NULL or text, by name
/// where the rule reads it by name.
pub fn not_found(signature: &str, names: &[Option<String>], values: &[Option<Dynamic>]) -> String {
    let (function, types) = match signature.find(" (") {
        Some(at) => (
            &signature[..at],
            signature[at + 2..]
                .strip_suffix(')')
                .unwrap_or_default()
                .to_owned(),
        ),
        None => (signature, String::new()),
    };
    let types: Vec<&str> = types.split(", ").filter(|t| !t.is_empty()).collect();
    let kinds: Vec<&str> = types.iter().map(|t| words(t)).collect();
    let named = |k: usize| -> Option<(&str, &Dynamic)> {
        Some((name_at(names, k)?, values.get(k)?.as_ref()?))
    };
    if let Some(k) = kinds.iter().position(|&w| w == "NULL") {
        // A date function's default is a date: `0` would fail next (a number is no date).
        // `?? 0` would fail next for text (a number has no `trim`), as for a date.
        let name = name_at(names, k).unwrap_or("x");
        let default = if function == "!" {
            format!("`{name} ?? false`")
        } else if DATE_FUNCTIONS.contains(&function) {
            format!("`{name} ?? as_of`")
        } else if TEXT_FUNCTIONS.contains(&function) || kinds.contains(&"text") {
            format!("`{name} ?? \"\"`")
        } else if TEXT_OR_LIST_FUNCTIONS.contains(&function) {
            format!("`{name} ?? \"\"` (`{name} ?? []` for a list)")
        } else {
            format!("`{name} ?? 0`")
        };
        return match name_at(names, k) {
            Some(n) => format!(
                "`{n}` is NULL for this customer, and `{function}` needs a value (test it with `is_null({n})` or give a default with {default})"
            ),
            None => format!(
                "a value is NULL for this customer, and `{function}` needs a value (test it with `is_null(x)` or give a default with {default})"
            ),
        };
    }
    let dated = DATE_FUNCTIONS.contains(&function);
    if let Some(k) = kinds.iter().position(|&w| w == "text")
        && (kinds.contains(&"a number") || dated)
    {
        let value = values.get(k).and_then(|v| v.as_ref());
        let what = match (named(k), value) {
            (Some((n, v)), _) => describe(Some(n), v),
            // Not a plain name (`(equity ?? 0) * 0.1`): the value says which.
            (None, Some(v)) => format!("a value is {}", describe(None, v)),
            (None, None) => "a value is text".to_owned(),
        };
        let shown = name_at(names, k).unwrap_or("...");
        // A date function on text in a date's place: a date column the source does not
        // declare as one (`add_days(as_of, "30")` has its text in the number's place).
        let number_place = matches!(function, "add_days" | "add_months") && k == 1;
        if dated && !number_place {
            return format!(
                "{what}, and `{function}` needs a date (read the text as a date with `date({shown})`, or list the column under `customers.dates` in the config)"
            );
        }
        return format!(
            "{what}, and `{function}` needs numbers (convert text to a number with `parse_float({shown})`)"
        );
    }
    let listed = match kinds.len() {
        0 => "nothing".to_owned(),
        _ => kinds.join(" and "),
    };
    format!("`{function}` cannot be used on {listed}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_become_words() {
        let none: [Option<String>; 2] = [None, None];
        assert_eq!(
            not_found("* (f64, ())", &none, &[None, None]),
            "a value is NULL for this customer, and `*` needs a value (test it with `is_null(x)` or give a default with `x ?? 0`)"
        );
        assert_eq!(
            not_found(
                "* (f64, ())",
                &[None, Some("discount".into())],
                &[None, None]
            ),
            "`discount` is NULL for this customer, and `*` needs a value (test it with `is_null(discount)` or give a default with `discount ?? 0`)"
        );
        // A date function's default is a date.
        assert_eq!(
            not_found(
                "days_between ((), Date)",
                &[Some("opened".into()), None],
                &[None, None]
            ),
            "`opened` is NULL for this customer, and `days_between` needs a value (test it with `is_null(opened)` or give a default with `opened ?? as_of`)"
        );
        assert_eq!(
            not_found(
                "* (string, i64)",
                &[Some("name".into()), None],
                &[Some("abc".into()), None]
            ),
            "`name` is text \"abc\", and `*` needs numbers (convert text to a number with `parse_float(name)`)"
        );
        assert_eq!(
            not_found(
                "* (f64, &str | ImmutableString | String)",
                &[None, Some("region".into())],
                &[None, Some("north".into())]
            ),
            "`region` is text \"north\", and `*` needs numbers (convert text to a number with `parse_float(region)`)"
        );
        // Not a plain name: the value says which; a date function on text wants `date()`.
        assert_eq!(
            not_found(
                "* (string, f64)",
                &[None, None],
                &[Some("1.234.567,00".into()), None]
            ),
            "a value is text \"1.234.567,00\", and `*` needs numbers (convert text to a number with `parse_float(...)`)"
        );
        assert_eq!(
            not_found(
                "add_months (string, i64)",
                &[Some("last_review".into()), None],
                &[Some("2025-06-30".into()), None]
            ),
            "`last_review` is text \"2025-06-30\", and `add_months` needs a date (read the text as a date with `date(last_review)`, or list the column under `customers.dates` in the config)"
        );
        assert_eq!(
            not_found(
                "add_days (Date, string)",
                &[Some("as_of".into()), Some("grace".into())],
                &[None, Some("30".into())]
            ),
            "`grace` is text \"30\", and `add_days` needs numbers (convert text to a number with `parse_float(grace)`)"
        );
        assert_eq!(
            not_found("+ (date, i64)", &none, &[None, None]),
            "`+` cannot be used on a date and a number"
        );
    }
}
