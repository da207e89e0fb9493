//! Numbers written as text: with thousands separators or a decimal comma, as exports and
//! spreadsheets write them, and how to convert them in the customers query.

/// A number written with thousands separators (`1,000`, `1 000 000`, `1'000`, `1.000.000`,
/// `1.000,50`, `12 500,5`), without them and with a decimal point. Of `.` and `,` both
/// written, the last is the decimal point; one `.` alone is a decimal point, and so is one
/// `,` after digits grouped otherwise; else `,` groups (`1,000`; its callers say it may be
/// a decimal comma).
pub fn ungrouped(t: &str) -> Option<String> {
    let t = t.trim();
    let (dots, commas) = (t.matches('.').count(), t.matches(',').count());
    let decimal = match (t.rfind('.'), t.rfind(',')) {
        (Some(dot), Some(comma)) if dot > comma && dots == 1 => Some('.'),
        (Some(dot), Some(comma)) if comma > dot && commas == 1 => Some(','),
        (Some(_), None) if dots == 1 => Some('.'),
        // `12 500,5`: after digits grouped by spaces, a comma is the decimal point.
        (None, Some(comma))
            if commas == 1 && t[..comma].contains(|c: char| !c.is_ascii_digit() && c != '-') =>
        {
            Some(',')
        }
        _ => None,
    };
    let (whole, decimals) = match decimal.and_then(|c| t.rsplit_once(c)) {
        Some((w, d)) => (w, Some(d)),
        None => (t, None),
    };
    // Spaces, no-break spaces and apostrophes group digits in some locales.
    let separator = |c: char| {
        matches!(
            c,
            ',' | '.' | ' ' | '\'' | '\u{a0}' | '\u{202f}' | '\u{2019}'
        )
    };
    let mut separators = whole.chars().filter(|&c| separator(c));
    let first_separator = separators.next()?;
    if separators.any(|c| c != first_separator) {
        return None;
    }
    let groups: Vec<&str> = whole.split(separator).collect();
    let digits = |g: &str| !g.is_empty() && g.chars().all(|c| c.is_ascii_digit());
    let first = groups[0].strip_prefix('-').unwrap_or(groups[0]);
    // `0,950` is a decimal comma, not a thousand.
    let grouped = digits(first)
        && first.len() <= 3
        && !first.starts_with('0')
        && groups[1..].iter().all(|g| g.len() == 3 && digits(g));
    match decimals {
        _ if !grouped => None,
        Some(d) if digits(d) => Some(format!("{}.{d}", groups.concat())),
        Some(_) => None,
        None => Some(groups.concat()),
    }
}

/// Texts that stand for no value, in any case (and Excel's errors, `#N/A`, `#DIV/0!`): what
/// an export, or `sqlite3 .import` of its NULLs, writes where there is none.
const PLACEHOLDERS: [&str; 9] = ["", "-", "--", "?", "N/A", "NA", "NULL", "NONE", "NAN"];

/// Whether text `t` stands for no value ([`PLACEHOLDERS`], blanks around it ignored).
pub fn stands_for_no_value(t: &str) -> bool {
    let t = t.trim();
    t.starts_with('#') || PLACEHOLDERS.contains(&t.to_uppercase().as_str())
}

/// The customers query's conversion of column `column`'s texts that stand for no value to
/// NULL, every other value as it is.
pub fn no_value_as_null(column: &str) -> String {
    let listed: Vec<String> = PLACEHOLDERS.iter().map(|p| format!("'{p}'")).collect();
    format!(
        "CASE WHEN typeof({column}) = 'text' AND (UPPER(TRIM({column})) IN ({}) OR TRIM({column}) LIKE '#%') THEN NULL ELSE {column} END AS {column}",
        listed.join(", ")
    )
}

/// How the customers query converts column `column` written with decimal point `point`
/// (`'.'`: `1,234,567.50`; `','`: `1.234.567,50`): only values of exactly that form (digits
/// grouped by threes with the other mark, or not grouped, then digits after the point),
/// blanks and `-` to NULL, anything else left as it is, so the run stops on it and names
/// it. A CAST of anything else made `€ 2.345.678,90` 0, `1.234.567,50` under the commas'
/// conversion 1.234 and `520000.00` under the dots' 52,000,000, without a word.
/// `text_rows`: only the column's text rows (the numbers stored as numbers stay).
pub fn converted(column: &str, point: char, text_rows: bool) -> String {
    let group = if point == '.' { ',' } else { '.' };
    let v = format!("TRIM({column})");
    let whole = format!("SUBSTR({v}, 1, INSTR({v} || '{point}', '{point}') - 1)");
    let decimals = format!("SUBSTR({v}, INSTR({v} || '{point}', '{point}') + 1)");
    let n = format!("CAST(REPLACE({whole}, '{group}', '') AS INTEGER)");
    // SQLite's `%,d` groups by commas: the whole part must be its number written so.
    let grouped = match group {
        ',' => format!("printf('%,d', {n})"),
        _ => format!("REPLACE(printf('%,d', {n}), ',', '.')"),
    };
    let value = match point {
        '.' => format!("CAST(REPLACE({v}, ',', '') AS REAL)"),
        _ => format!("CAST(REPLACE(REPLACE({v}, '.', ''), ',', '.') AS REAL)"),
    };
    let text = match text_rows {
        true => format!("typeof({column}) = 'text' AND "),
        false => String::new(),
    };
    format!(
        "CASE WHEN {text}{v} IN ('', '-') THEN NULL WHEN {text}({grouped} = {whole} OR printf('%d', {n}) = {whole}) AND {decimals} NOT GLOB '*[^0-9]*' THEN {value} ELSE {column} END AS {column}"
    )
}

/// How to convert column `column`'s text `value` into a number in the customers query,
/// fitted to the value: a placeholder for no value (`#N/A`, `-`, empty) to NULL (a CAST
/// makes it 0), a decimal comma (`1.234,56`, `24,5`) or thousands commas (`1,234.56`)
/// read as written, blanks beside them NULL; each on the text rows only, so the numbers
/// stored as numbers stay as they are. Thousands dots (`1.290.708`) say why those numbers
/// may be wrong already: importing `10.450` into a number column, SQLite stored 10.45
/// (`in_number_column`: the text is in a column declared to hold numbers; else a rule's
/// `parse_float` reads it, which reads `10.450` as 10.45 too). `None` for other text.
pub fn number_conversion(column: &str, value: &str, in_number_column: bool) -> Option<String> {
    let t = value.trim();
    if stands_for_no_value(t) {
        return Some(format!(
            "\"{t}\" stands for no value: make it NULL, `{}` (a CAST would make it 0)",
            no_value_as_null(column)
        ));
    }
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let unsigned = t.strip_prefix('-').unwrap_or(t);
    let (dots, commas) = (t.matches('.').count(), t.matches(',').count());
    let (eu, us) = (',', '.');
    // Of `.` and `,` both written, the last is the decimal point; a comma alone before
    // three digits may be either.
    let (read, sql) = match (t.rfind('.'), t.rfind(',')) {
        (Some(dot), Some(comma)) => (ungrouped(t)?, if comma > dot { eu } else { us }),
        (None, Some(_)) if commas == 1 => {
            let (whole, part) = unsigned.split_once(',')?;
            if !digits(whole) || !digits(part) {
                return None;
            }
            if part.len() == 3 {
                return Some(format!(
                    "\"{t}\" is {} with a thousands comma, or {} with a decimal comma: look at the column's other values (`tierwise fields`), then convert its text rows, `{}` or `{}`",
                    t.replace(',', ""),
                    t.replace(',', "."),
                    converted(column, us, true),
                    converted(column, eu, true)
                ));
            }
            (t.replace(',', "."), eu)
        }
        (None, Some(_)) => (ungrouped(t)?, us),
        (Some(_), None) if dots > 1 => (ungrouped(t)?, eu),
        _ => return None,
    };
    // `1.290.708` stayed text on import, but `10.450` of the same export became 10.45.
    let decimal_comma = sql == eu;
    let every_row = converted(column, sql, false);
    // What the conversion leaves: said, as the run then names those values.
    let others = "a value written another way (`€ 1.234,50`, `520000.00` beside thousands dots) stays as it is, and the run names it";
    if decimal_comma && dots > 0 && !in_number_column {
        return Some(format!(
            "\"{t}\" reads as {read}, written with thousands dots: the same export wrote `10.450` for 10450, which `parse_float` reads as 10.45: convert every row of the column in the customers query, `{every_row}`, and read it as a number ({others})"
        ));
    }
    if decimal_comma && dots > 0 {
        return Some(format!(
            "\"{t}\" reads as {read}, written with thousands dots: an export that writes them wrote `10.450` for 10450, which SQLite stored as the number 10.45 when it imported the file into a number column (only text like \"{t}\" stayed as written), so the column's numbers are likely wrong too: import the file again into a table whose column is TEXT (the sqlite3 shell's `.import` into a new table does so), then convert every row, `{every_row}` ({others})"
        ));
    }
    // Which text comes first decides the help: a decimal comma alone does not show that
    // the export also wrote thousands dots.
    let stored = match decimal_comma && in_number_column {
        true => {
            "the numbers stored as numbers stay as they are, which is right unless the export also wrote thousands dots: SQLite then stored `10.450` as the number 10.45 on import, and only importing the file again into a TEXT column and converting every row reads it"
        }
        false => "the numbers stored as numbers stay as they are",
    };
    Some(format!(
        "\"{t}\" reads as {read}: convert the column's text rows, `{}` ({stored}; {others})",
        converted(column, sql, true)
    ))
}

#[cfg(test)]
mod tests {
    use super::converted;

    /// Each conversion run by SQLite over an ERP export's forms: only its own form becomes
    /// a number; every other text stays as written (the run then names it), never 0 or a
    /// number moved by a factor of a thousand.
    #[test]
    fn a_conversion_reads_its_own_form_and_leaves_every_other_as_it_is() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let run = |point: char, text_rows: bool, value: rusqlite::types::Value| {
            let sql = format!(
                "SELECT {} FROM (SELECT ?1 AS x)",
                converted("x", point, text_rows)
            );
            conn.query_row(&sql, [value], |r| r.get::<_, rusqlite::types::Value>(0))
                .unwrap()
        };
        use rusqlite::types::Value::{Integer, Null, Real, Text};
        let text = |s: &str| Text(s.to_owned());
        let cases: [(&str, Option<f64>, Option<f64>); 17] = [
            // (text, read with a decimal point, read with a decimal comma); None: left as is
            ("1,234,567.50", Some(1234567.5), None),
            ("-1,234.5", Some(-1234.5), None),
            ("987,654.00", Some(987654.0), None),
            ("1234567.50", Some(1234567.5), None),
            ("520000.00", Some(520000.0), None),
            ("310000.5", Some(310000.5), None),
            ("980", Some(980.0), Some(980.0)),
            ("1.234.567,50", None, Some(1234567.5)),
            ("-1.234,5", None, Some(-1234.5)),
            ("24,5", None, Some(24.5)),
            ("250.000", Some(250.0), Some(250000.0)),
            ("€ 2.345.678,90", None, None),
            ("$1,200", None, None),
            ("(1,200.00)", None, None),
            ("12 345,60", None, None),
            ("NULL", None, None),
            ("1,23", None, Some(1.23)),
        ];
        for (written, point, comma) in cases {
            for (mark, expected) in [('.', point), (',', comma)] {
                let got = run(mark, true, text(written));
                let want = expected.map_or(text(written), Real);
                assert_eq!(
                    got, want,
                    "{written} read with `{mark}` as the decimal point"
                );
            }
        }
        // Blanks and `-` are no value; numbers stored as numbers stay, but for every row.
        assert_eq!(run('.', true, text(" ")), Null);
        assert_eq!(run(',', true, text("-")), Null);
        assert_eq!(run('.', true, Real(10.45)), Real(10.45));
        assert_eq!(run(',', false, Integer(980)), Real(980.0));
    }
}
