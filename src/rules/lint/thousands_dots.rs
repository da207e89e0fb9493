//! On the data (`check --data`, `run`): a text column read with `parse_float` whose text
//! writes thousands with dots (`250.000` beside `850`, or `1.234.567`), as an ERP export
//! from a European locale does. `parse_float` reads `250.000` as 250 and nothing fails: the
//! customer drops a tier without a word. (`1.234.567` makes `parse_float` fail, but only
//! at run time, for that customer, after `check --data` said nothing.)

use super::walk::{of_rule, rule_expressions, warning_at_name};
use crate::diag::Diagnostic;
use crate::rules::RuleSet;
use crate::source::Dataset;

/// A warning at the first `parse_float` of each such column.
pub fn parse_float_over_thousands_dots(rules: &RuleSet, data: &Dataset) -> Vec<Diagnostic> {
    let mut warned: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for (e, id) in rule_expressions(rules) {
        for name in parsed_fields(&e.text) {
            let Some(k) = data.names.iter().position(|n| n == name) else {
                continue;
            };
            if warned.contains(&name) {
                continue;
            }
            let Some(dotted) = Dotted::of(&data.columns[k], data.len) else {
                continue;
            };
            warned.push(name);
            let beside = match (dotted.grouped_twice, &dotted.undotted) {
                (Some(twice), _) => format!("`{twice}` shows dots grouping thousands"),
                (None, Some(plain)) => format!("`{plain}` is written without a point beside them"),
                (None, None) => continue, // `Dotted::of` gives neither only with no example
            };
            let warning = warning_at_name(
                e,
                name,
                format!(
                    "`{name}` is read with `parse_float`, and {} of {} hold text such as `{}`, which `parse_float` reads as {} (a decimal point), though {beside}: if the dots group thousands, those customers are read a thousand times too small",
                    crate::text::thousands(dotted.held as f64),
                    crate::text::customers(data.len),
                    dotted.example,
                    dotted
                        .example
                        .parse::<f64>()
                        .map_or_else(|_| "a decimal".to_owned(), |x| x.to_string()),
                ),
                format!(
                    "convert the column in the customers query, dots grouping thousands and a comma the decimal point, `{}`, and compare `{name}` as a number instead of `parse_float({name})`",
                    crate::text::converted(name, ',', false)
                ),
            );
            out.push(of_rule(warning, id));
        }
    }
    out
}

/// The names given to `parse_float` as they are (`parse_float(sales)`, `sales.parse_float()`).
fn parsed_fields(text: &str) -> Vec<&str> {
    fn ident(s: &str) -> &str {
        let end = s
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(s.len());
        &s[..end]
    }
    let mut out = Vec::new();
    for (at, _) in text.match_indices("parse_float") {
        let after = text[at + "parse_float".len()..].trim_start();
        if let Some(inner) = after.strip_prefix('(') {
            let inner = inner.trim_start();
            let name = ident(inner);
            if !name.is_empty() && inner[name.len()..].trim_start().starts_with(')') {
                out.push(name);
                continue;
            }
        }
        // `sales.parse_float()`: the name ends where the call's dot is.
        if let Some(before) = text[..at].strip_suffix('.') {
            let start = before
                .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
                .map_or(0, |i| i + 1);
            if start < before.len() {
                out.push(&before[start..]);
            }
        }
    }
    out
}

/// A column's text with thousands dots: how many values `parse_float` misreads, one of
/// them, and what shows the dots group thousands.
struct Dotted {
    held: usize,
    example: String,
    /// A value with two dots grouping by threes (`1.234.567`).
    grouped_twice: Option<String>,
    /// A whole number written without a point (`850`) in the same column.
    undotted: Option<String>,
}

impl Dotted {
    /// `None` unless some values read as decimals of exactly three places (`250.000`) and
    /// the column shows the dots group thousands: a value grouped twice, or whole numbers
    /// written without a point and no decimal of another number of places (`12.5`).
    fn of(column: &crate::source::Column, len: usize) -> Option<Dotted> {
        let mut found = Dotted {
            held: 0,
            example: String::new(),
            grouped_twice: None,
            undotted: None,
        };
        for i in 0..len {
            let value = column.value(i);
            let Some(text) = value.as_str() else { continue };
            let t = text.trim();
            let t = t.strip_prefix('-').unwrap_or(t);
            let groups: Vec<&str> = t.split('.').collect();
            let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
            if !groups.iter().all(|g| digits(g)) {
                continue;
            }
            let by_threes = groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3);
            match groups.len() {
                1 => {
                    found.undotted.get_or_insert_with(|| text.trim().to_owned());
                }
                2 if by_threes => {
                    found.held += 1;
                    if found.example.is_empty() {
                        found.example = text.trim().to_owned();
                    }
                }
                // `12.5`: a decimal point, written so in this column.
                2 => return None,
                _ if by_threes => {
                    found
                        .grouped_twice
                        .get_or_insert_with(|| text.trim().to_owned());
                }
                _ => {}
            }
        }
        let shown = found.grouped_twice.is_some() || found.undotted.is_some();
        (found.held > 0 && shown).then_some(found)
    }
}

#[cfg(test)]
mod tests {
    use super::parsed_fields;

    #[test]
    fn finds_the_names_given_to_parse_float() {
        assert_eq!(parsed_fields("parse_float(sales) >= 1000"), ["sales"]);
        assert_eq!(
            parsed_fields("parse_float( sales ) + x.parse_float()"),
            ["sales", "x"]
        );
        assert!(parsed_fields("parse_float(sales + \"0\")").is_empty());
        assert!(parsed_fields("parse_floats(x)").is_empty());
    }
}
