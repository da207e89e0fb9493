//! A CSV file: one table, named after the file. UTF-8 (a byte order mark is fine), cells
//! separated by `,`, or by `;` when the first two lines have `;` and no `,` outside quotes
//! (what Excel writes in the locales where `,` is the decimal comma). Every row after the
//! settings row has as many cells as the header row (Excel pads them; a row that does not
//! was cut or edited by hand).

use super::{Problems, SetHelp, Table, valid_name};

/// The file's table, or `None` after reporting why it cannot be read.
pub(super) fn table(bytes: &[u8], problems: &mut Problems) -> Option<Table> {
    let sheet = problems.map.add_sheet(None);
    let text = utf8(bytes, problems)?;
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
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter(text))
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
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
                rows.push((row as u32, record.iter().map(str::to_owned).collect()));
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
fn utf8<'b>(bytes: &'b [u8], problems: &mut Problems) -> Option<&'b str> {
    let bom = if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let bytes = &bytes[bom..];
    match std::str::from_utf8(bytes) {
        Ok(text) => Some(text),
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

/// `;` when the first two lines have `;` and no `,` outside double quotes; else `,`.
fn delimiter(text: &str) -> u8 {
    let (mut commas, mut semicolons, mut lines, mut quoted) = (0, 0, 0, false);
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => commas += 1,
            ';' if !quoted => semicolons += 1,
            '\n' if !quoted => {
                lines += 1;
                if lines == 2 {
                    break;
                }
            }
            _ => {}
        }
    }
    if semicolons > 0 && commas == 0 {
        b';'
    } else {
        b','
    }
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
