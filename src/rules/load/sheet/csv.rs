//! A CSV file: one table, named after the file. UTF-8 (a byte order mark is fine), cells
//! separated by `,`, or by `;` (what Excel writes in the locales where `,` is the decimal
//! comma): the separator that gives every row from the header on the same number of cells
//! (two or more). In a `;` file a number written with a decimal comma (`0,95`, `>= 2,5`)
//! is read as that number (`0.95`). Every row after the settings row has as many cells as
//! the header row (Excel pads them; a row that does not was cut or edited by hand).

use super::{Problems, SetHelp, Table, valid_name};

/// The file's table, or `None` after reporting why it cannot be read.
pub(super) fn table(bytes: &[u8], problems: &mut Problems) -> Option<Table> {
    let sheet = problems.map.add_sheet(None);
    let text = utf8(bytes, problems)?;
    let text: &str = &text;
    let name = problems
        .path
        .file_stem()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    if !valid_name(&name) {
        problems
            .file_error(format!(
                "`{name}` is not a valid decision name: a CSV file's name is its decision's"
            ))
            .set_help("rename the file: letters, digits and `_`, not starting with a digit");
        return None;
    }
    let separator = delimiter(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(separator)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut ambiguous = Vec::new();
    for record in reader.records() {
        match record {
            Ok(record) => {
                // The reader skips empty lines: they are empty rows of the spreadsheet.
                let row = record
                    .position()
                    .map_or(rows.len(), |p| line_of(text, p.byte() as usize));
                while rows.len() < row {
                    rows.push((rows.len() as u32, Vec::new()));
                }
                let cells = record.iter().map(|cell| match separator {
                    b';' => decimal_point(cell),
                    _ => cell.to_owned(),
                });
                // Rows 4 and on hold the rules.
                if separator == b';' && row >= 3 {
                    for (column, cell) in record.iter().enumerate() {
                        if let Some(help) = thousands_dot(cell) {
                            let message = format!(
                                "`{}` is ambiguous in a file with decimal commas",
                                cell.trim()
                            );
                            ambiguous.push(((row as u32, column as u32), message, help));
                        }
                    }
                }
                rows.push((row as u32, cells.collect()));
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                problems.file_error(format!("this CSV file does not read at line {line}: {e}"));
                return None;
            }
        }
    }
    for (row, cells) in &rows {
        problems.map.add_row(sheet, *row, 0, Vec::clone(cells));
    }
    // A column that declares its values (`output; values: 1.100, 2.300`) holds texts.
    let kinds = rows
        .iter()
        .find(|(row, _)| *row == 2)
        .map(|(_, cells)| cells);
    let declares_values = |column: u32| {
        kinds
            .and_then(|k| k.get(column as usize))
            .is_some_and(|kind| kind.contains("values:"))
    };
    for (cell, message, help) in ambiguous {
        if !declares_values(cell.1) {
            problems.cell_error(sheet, cell, message).set_help(help);
        }
    }
    let table = Table { name, sheet, rows };
    same_lengths(&table, problems).then_some(table)
}

/// The 0-based line of the record the reader says starts at `byte`: its position is where
/// it started reading, before the empty lines it skipped.
fn line_of(text: &str, byte: usize) -> usize {
    let rest = text.get(byte..).unwrap_or("");
    let blank = rest.len() - rest.trim_start_matches(['\r', '\n']).len();
    text[..byte + blank].matches('\n').count()
}

/// The text of the file, without a byte order mark; non-UTF-8 is an error at its byte.
/// UTF-16 with its mark (Excel's "Unicode text", Notepad's "Unicode") is read as the text
/// it is.
fn utf8<'b>(bytes: &'b [u8], problems: &mut Problems) -> Option<std::borrow::Cow<'b, str>> {
    if let Some(decoded) = crate::text::utf16(bytes) {
        if decoded.is_none() {
            problems
                .file_error("this CSV file is UTF-16 text with a broken character".to_owned())
                .set_help(
                    "save it as \"CSV UTF-8\" (in Excel: Save As, CSV UTF-8 (Comma delimited))",
                );
        }
        return decoded.map(std::borrow::Cow::Owned);
    }
    let bom = if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let bytes = &bytes[bom..];
    match std::str::from_utf8(bytes) {
        Ok(text) => Some(std::borrow::Cow::Borrowed(text)),
        Err(bad) => {
            let at = bad.valid_up_to();
            let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
            problems
                .file_error(format!(
                    "this CSV file is not UTF-8 text: byte 0x{:02X} at byte {} (line {line})",
                    bytes[at],
                    bom + at + 1
                ))
                .set_help(
                    "save it as \"CSV UTF-8\" (in Excel: Save As, CSV UTF-8 (Comma delimited))",
                );
            None
        }
    }
}

/// `;` when it gives every non-empty row from the header (row 2) on the same number of
/// cells, two or more, and `,` does not; else `,`. (Commas in a doc text or inside
/// `months_between(a, b)` do not decide it; the table's shape does.)
fn delimiter(text: &str) -> u8 {
    let regular = |separator: u8| {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(separator)
            .from_reader(text.as_bytes());
        let counts: Vec<usize> = reader
            .records()
            .skip(1)
            .map_while(Result::ok)
            .filter(|r| r.iter().any(|c| !c.trim().is_empty()))
            .map(|r| r.len())
            .collect();
        counts.first().is_some_and(|&n| n >= 2) && counts.iter().all(|&n| n == counts[0])
    };
    if !regular(b',') && regular(b';') {
        b';'
    } else {
        b','
    }
}

/// A number written with a decimal comma, alone or after a comparison (`0,95`, `>= 2,5`),
/// with a decimal point instead; any other cell as it is.
fn decimal_point(cell: &str) -> String {
    let body = cell.trim_start_matches(['<', '>', '=', '!', ' ']);
    let number = body.trim();
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    match number.trim_start_matches('-').split_once(',') {
        Some((whole, fraction)) if digits(whole) && digits(fraction) => {
            let at = cell.len() - body.len() + body.find(',').unwrap_or(0);
            let mut out = cell.to_owned();
            out.replace_range(at..at + 1, ".");
            out
        }
        _ => cell.to_owned(),
    }
}

/// In a file that writes decimals with a comma, a number with one dot and three digits
/// after it (`500.000`, `>= 1.500`) is most likely a thousands dot (Excel's `500.000` is
/// 500000) but reads as a decimal point (500): what to write instead. `0.125` is no
/// thousand (a group never starts with 0), `2.5` no group of three.
fn thousands_dot(cell: &str) -> Option<String> {
    let body = cell.trim().trim_start_matches(['<', '>', '=', '!', ' ']);
    let (whole, fraction) = crate::text::lone_group(body.trim(), '.')?;
    Some(format!(
        "write `{whole}{fraction}` if the dot separates thousands, or `{whole},{fraction}` if it is a decimal point: this file writes decimals with a comma"
    ))
}

/// Every row after the first has as many cells as the header (row 2); an empty line is an
/// empty row.
fn same_lengths(table: &Table, problems: &mut Problems) -> bool {
    let Some((_, header)) = table.rows.get(1) else {
        return true;
    };
    let mut ok = true;
    for (row, cells) in table.rows.iter().skip(2) {
        let empty = cells.iter().all(|c| c.trim().is_empty());
        if cells.len() != header.len() && !empty {
            problems
                .error(
                    table.sheet,
                    (*row, 0),
                    format!(
                        "row {} has {} cells, the header has {}",
                        row + 1,
                        cells.len(),
                        header.len()
                    ),
                )
                .set_help(
                    "each row has one cell per column: check for a missing or extra separator",
                );
            ok = false;
        }
    }
    ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_separator_is_the_one_that_gives_the_table_its_shape() {
        // Excel in a decimal-comma locale: `;`, with commas in the doc and in an expression.
        let semicolons = "hit: first;\"doc: by tier, with a bonus\";;\n\
                          id;\"months_between(since, as_of)\";pct\n\
                          id;input;output\n\
                          a;< 12;0,8\n";
        assert_eq!(delimiter(semicolons), b';');
        let commas = "hit: first,doc: x,\nid,tier,pct\nid,input,output\na,A,1.0\n";
        assert_eq!(delimiter(commas), b',');
        // A `,` file whose cells hold `;` (a kinds cell) stays `,`.
        let kinds = "hit: first,,\nid,risk,x\nid,\"output; values: a, b\",input\nr,a,1\n";
        assert_eq!(delimiter(kinds), b',');
    }

    #[test]
    fn a_decimal_comma_becomes_a_point_in_numbers_only() {
        assert_eq!(decimal_point("0,8"), "0.8");
        assert_eq!(decimal_point(">= 0,95"), ">= 0.95");
        assert_eq!(decimal_point("-1,5"), "-1.5");
        assert_eq!(decimal_point("KA, BC"), "KA, BC");
        assert_eq!(decimal_point("1, 2"), "1, 2");
        assert_eq!(decimal_point("= f(a,b)"), "= f(a,b)");
        assert_eq!(decimal_point("12"), "12");
    }

    #[test]
    fn a_dot_before_three_digits_is_ambiguous_where_commas_are_decimal() {
        assert!(thousands_dot("500.000").is_some());
        assert!(thousands_dot(">= 1.500").is_some());
        assert!(thousands_dot("-12.345").is_some());
        assert!(thousands_dot("0.125").is_none());
        assert!(thousands_dot("2.5").is_none());
        assert!(thousands_dot("1234.000").is_none());
        assert!(thousands_dot("1.000.000").is_none());
        assert!(thousands_dot("= x * 1.500").is_none());
        assert!(thousands_dot("A").is_none());
    }
}
