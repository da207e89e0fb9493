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
    let text_rows = |then: String| {
        format!("CASE WHEN typeof({column}) = 'text' THEN {then} ELSE {column} END AS {column}")
    };
    // Texts that stand for no value, in any case; and Excel's errors (`#N/A`, `#DIV/0!`).
    const PLACEHOLDERS: [&str; 9] = ["", "-", "--", "?", "N/A", "NA", "NULL", "NONE", "NAN"];
    if t.starts_with('#') || PLACEHOLDERS.contains(&t.to_uppercase().as_str()) {
        // The NULL conversion covers every text taken for a placeholder here.
        let listed: Vec<String> = PLACEHOLDERS.iter().map(|p| format!("'{p}'")).collect();
        return Some(format!(
            "\"{t}\" stands for no value: make it NULL, `CASE WHEN typeof({column}) = 'text' AND (UPPER(TRIM({column})) IN ({}) OR TRIM({column}) LIKE '#%') THEN NULL ELSE {column} END AS {column}` (a CAST would make it 0)",
            listed.join(", ")
        ));
    }
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let unsigned = t.strip_prefix('-').unwrap_or(t);
    let (dots, commas) = (t.matches('.').count(), t.matches(',').count());
    // A blank (or `-`) beside such text is no value: cast, it would be 0.
    let blank_null = format!("NULLIF(NULLIF(TRIM({column}), ''), '-')");
    let eu = format!("CAST(REPLACE(REPLACE({blank_null}, '.', ''), ',', '.') AS REAL)");
    let us = format!("CAST(REPLACE({blank_null}, ',', '') AS REAL)");
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
                    text_rows(us),
                    text_rows(eu)
                ));
            }
            (t.replace(',', "."), eu)
        }
        (None, Some(_)) => (ungrouped(t)?, us),
        (Some(_), None) if dots > 1 => (ungrouped(t)?, eu),
        _ => return None,
    };
    // `1.290.708` stayed text on import, but `10.450` of the same export became 10.45.
    let decimal_comma = sql.starts_with("CAST(REPLACE(REPLACE(");
    if decimal_comma && dots > 0 && !in_number_column {
        return Some(format!(
            "\"{t}\" reads as {read}, written with thousands dots: the same export wrote `10.450` for 10450, which `parse_float` reads as 10.45: convert every row of the column in the customers query, `{sql} AS {column}`, and read it as a number"
        ));
    }
    if decimal_comma && dots > 0 {
        return Some(format!(
            "\"{t}\" reads as {read}, written with thousands dots: an export that writes them wrote `10.450` for 10450, which SQLite stored as the number 10.45 when it imported the file into a number column (only text like \"{t}\" stayed as written), so the column's numbers are likely wrong too: import the file again into a table whose column is TEXT (the sqlite3 shell's `.import` into a new table does so), then convert every row, `{sql} AS {column}` (check first that its text writes numbers one way: `tierwise fields`)"
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
        "\"{t}\" reads as {read}: convert the column's text rows, `{}` ({stored}; check first that its text writes numbers one way: `tierwise fields`)",
        text_rows(sql)
    ))
}
