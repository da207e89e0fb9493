//! A workbook (`.xlsx`, `.ods`): one table per worksheet that says its hit policy in A1,
//! named after the sheet. Sheets named `#...` are notes and empty sheets are nothing; a sheet
//! with content but no `hit:` in A1 is left out with a warning. Cells are read as saved:
//! a formula's saved value (with a warning), an error value (`#DIV/0!`) an error; merged
//! cells below row 1 are an error (a table needs one value per cell).

use super::{Problems, SetHelp, Table, valid_name};
use crate::diag::cells::cell_name;
use calamine::{Data, Ods, Range, Reader, Sheets, Xlsx};
use std::io::Cursor;

type Book = Sheets<Cursor<Vec<u8>>>;

/// The workbook's tables; problems are reported (nothing is returned for a workbook that
/// does not read).
pub(super) fn tables(bytes: &[u8], extension: &str, problems: &mut Problems) -> Vec<Table> {
    let cursor = Cursor::new(bytes.to_vec());
    let book = match extension {
        "ods" => Ods::new(cursor).map(Sheets::Ods).map_err(|e| e.to_string()),
        _ => Xlsx::new(cursor)
            .map(Sheets::Xlsx)
            .map_err(|e| e.to_string()),
    };
    let mut book = match book {
        Ok(book) => book,
        Err(e) => {
            problems
                .file_error("this file could not be read as a workbook (is it still being saved?)")
                .set_help(format!(
                    "save it again from Excel or LibreOffice (the reader says: {e})"
                ));
            return Vec::new();
        }
    };
    let mut tables = Vec::new();
    let mut any = false;
    let hidden_rows = super::hidden::hidden_rows(bytes, extension);
    let hidden_sheets: Vec<String> = (book.sheets_metadata().iter())
        .filter(|s| s.visible != calamine::SheetVisible::Visible)
        .map(|s| s.name.clone())
        .collect();
    for name in book.sheet_names() {
        if name.starts_with('#') {
            continue;
        }
        if let Some(table) = sheet(&mut book, &name, problems, &mut any) {
            let rows = hidden_rows.get(&name).map_or(&[][..], Vec::as_slice);
            hidden(&table, rows, hidden_sheets.contains(&name), problems);
            tables.push(table);
        }
    }
    if !any {
        let file = problems
            .path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy();
        problems
            .file_error(format!(
                "no decision table in {file}: a table's sheet says its hit policy in A1 (`hit: first`)"
            ))
            .set_help("row 1 holds the table's settings (A1: `hit: first`), row 2 its header, row 3 each column's kind, then one rule per row");
    }
    tables
}

/// A sheet's table: `None` when the sheet is not one (`any` stays false), or after
/// reporting its problems.
fn sheet(book: &mut Book, name: &str, problems: &mut Problems, any: &mut bool) -> Option<Table> {
    let range = match book.worksheet_range(name) {
        Ok(range) => range,
        Err(e) => {
            problems.file_error(format!("sheet {name} could not be read: {e}"));
            *any = true;
            return None;
        }
    };
    let end = range
        .end()
        .filter(|_| range.used_cells().next().is_some())?;
    let sheet = problems.map.add_sheet(Some(name.to_owned()));
    let mut rows = Vec::new();
    let mut ok = true;
    for r in 0..=end.0 {
        let mut cells = Vec::new();
        for c in 0..=end.1 {
            cells.push(text(range.get_value((r, c)).unwrap_or(&Data::Empty)));
        }
        problems.map.add_row(sheet, r, 0, cells.clone());
        rows.push((r, cells));
    }
    let says_hit = |cell: &str| {
        let cell = cell.trim().to_lowercase();
        cell.starts_with("hit") && cell[3..].trim_start().starts_with(':')
    };
    // A title row above the table, or a margin left of it: `hit:` is there, not in A1, and
    // the table (every credit limit) left the run with a warning among many.
    let moved = (rows.iter().take(5))
        .flat_map(|(r, cells)| {
            cells
                .iter()
                .take(5)
                .enumerate()
                .map(move |(c, t)| (*r, c, t))
        })
        .find(|(r, c, t)| (*r, *c) != (0, 0) && says_hit(t));
    if let (false, Some((r, c, _))) = (says_hit(&rows[0].1[0]), moved) {
        let at = (r, c as u32);
        problems
            .error(sheet, at, format!("sheet {name}'s table starts at {}: a table's `hit:` is in A1, so the sheet would be left out", cell_name(at)))
            .set_help("delete the rows above the table and the columns left of it (a title goes on a `#notes` sheet)");
        *any = true;
        return None;
    }
    if !says_hit(&rows[0].1[0]) {
        let at = problems.place(sheet, Some((0, 0)), 0);
        let d = crate::diag::Diagnostic::at_cell(
            problems.path,
            at,
            format!("sheet {name} is not a decision table (A1 does not say `hit: <policy>`): it is left out"),
        )
        .warning()
        .help("a table's sheet says its hit policy in A1 (`hit: first`); name a sheet of notes `#notes` to say it is not a table");
        problems.found.push(d);
        return None;
    }
    *any = true;
    if !valid_name(name) {
        let at = problems.place(sheet, None, 0);
        let d = crate::diag::Diagnostic::at_cell(
            problems.path,
            at,
            format!("sheet `{name}` is not a valid decision name: a sheet's name is its table's decision's"),
        )
        .help("rename the sheet: letters, digits and `_`, not starting with a digit");
        problems.found.push(d);
        ok = false;
    }
    ok &= error_values(&range, sheet, problems);
    ok &= formulas(book, name, &range, sheet, problems);
    ok &= percentages(book, name, &range, sheet, problems);
    ok &= merged(book, name, sheet, problems);
    ok.then(|| Table {
        name: name.to_owned(),
        sheet,
        rows,
    })
}

/// A table on a hidden sheet, or rules on hidden rows (by hand, or under a filter): they are
/// live, which hiding them (to "switch off" a rule) does not say. A warning at the sheet, and
/// one at the first hidden rule.
fn hidden(table: &Table, rows: &[u32], sheet_hidden: bool, problems: &mut Problems) {
    let name = &table.name;
    if sheet_hidden {
        let at = problems.place(table.sheet, None, 0);
        let d = crate::diag::Diagnostic::at_cell(
            problems.path,
            at,
            format!("sheet {name} is hidden in the workbook, and its table is live: its rules apply as any sheet's do"),
        )
        .warning()
        .help(format!("unhide it to see what runs, or rename it `#{name}` to leave it out (a sheet named `#...` is a note), or delete it"));
        problems.found.push(d);
    }
    // Rules are on the fourth row on; an empty row is no rule.
    let rules: Vec<u32> = (table.rows.iter())
        .filter(|(r, cells)| {
            *r >= 3 && rows.contains(r) && cells.iter().any(|c| !c.trim().is_empty())
        })
        .map(|(r, _)| *r)
        .collect();
    let Some(&first) = rules.first() else {
        return;
    };
    let shown: Vec<String> = rules.iter().take(10).map(|r| (r + 1).to_string()).collect();
    let more = match rules.len() - shown.len() {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    let (rows_word, are) = match rules.len() {
        1 => ("row", "is"),
        _ => ("rows", "are"),
    };
    let at = problems.place(table.sheet, Some((first, 0)), 0);
    let d = crate::diag::Diagnostic::at_cell(
        problems.path,
        at,
        format!("{rows_word} {}{more} of sheet {name} {are} hidden, and {} live: hiding a row does not switch its rule off", shown.join(", "), if rules.len() == 1 { "its rule is" } else { "their rules are" }),
    )
    .warning()
    .help("delete a rule's row to remove it, or unhide the rows; a filter hides rows too: clear it before saving, so that the sheet shows what runs");
    problems.found.push(d);
}

/// A cell's value as text: numbers without a needless `.0`, dates as ISO dates, error
/// values as they show (`#DIV/0!`; reported by [`error_values`]).
fn text(value: &Data) -> String {
    match value {
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number(*f),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) if d.is_datetime() => {
            let (y, m, day, h, min, s, ms) = d.to_ymd_hms_milli();
            if (h, min, s, ms) == (0, 0, 0, 0) {
                format!("{y:04}-{m:02}-{day:02}")
            } else {
                format!("{y:04}-{m:02}-{day:02}T{h:02}:{min:02}:{s:02}")
            }
        }
        Data::DateTime(d) => number(d.as_f64()),
        Data::Error(e) => e.to_string(),
        Data::Empty => String::new(),
    }
}

/// A number as the shortest text that reads back the same; whole numbers without `.0`.
pub(super) fn number(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// Error values (`#DIV/0!`, `#N/A`) are errors at their cells.
fn error_values(range: &Range<Data>, sheet: usize, problems: &mut Problems) -> bool {
    let start = range.start().unwrap_or((0, 0));
    let mut ok = true;
    for (r, c, value) in range.used_cells() {
        if let Data::Error(e) = value {
            let at = (start.0 + r as u32, start.1 + c as u32);
            problems
                .error(
                    sheet,
                    at,
                    format!("{} holds the error value {e}", cell_name(at)),
                )
                .set_help("correct the cell (or the formula it holds) and save the workbook");
            ok = false;
        }
    }
    ok
}

/// Formula cells: their saved value is used, with a warning; one without a saved value
/// (a workbook written by a program that does not compute formulas) is an error.
fn formulas(
    book: &mut Book,
    name: &str,
    range: &Range<Data>,
    sheet: usize,
    problems: &mut Problems,
) -> bool {
    let Ok(formulas) = book.worksheet_formula(name) else {
        return true;
    };
    let start = formulas.start().unwrap_or((0, 0));
    let mut ok = true;
    for (r, c, formula) in formulas.used_cells() {
        if formula.trim().is_empty() {
            continue;
        }
        let at = (start.0 + r as u32, start.1 + c as u32);
        let value = range.get_value(at).map(text).unwrap_or_default();
        // `=IF(x="","",x)`: its saved value is empty text, as an empty cell reads.
        if matches!(range.get_value(at), Some(Data::String(_))) && value.is_empty() {
            continue;
        }
        if let Some(total) = totals_row(formula, at) {
            problems
                .error(sheet, at, format!("{} holds {total}, a total of the rows above: a totals row is no rule (in this table it would give or add its total to customers)", cell_name(at)))
                .set_help("keep totals out of the table: on another sheet, or remove the row");
            ok = false;
            continue;
        }
        if value.is_empty() {
            problems
                .error(sheet, at, format!("{} holds a formula with no saved value", cell_name(at)))
                .set_help("open the workbook in Excel or LibreOffice and save it, so that the formula's value is saved with it");
            ok = false;
        } else if !matches!(range.get_value(at), Some(Data::Error(_))) {
            let message = format!(
                "{} holds a formula: its saved value {value} is used; the rules do not recompute it",
                cell_name(at)
            );
            let d = crate::diag::Diagnostic::at_cell(problems.path, problems.place(sheet, Some(at), 0), message)
                .warning()
                .help("type the value itself, or save the workbook again after each change the formula depends on");
            problems.found.push(d);
        }
    }
    ok
}

/// `=SUM(D4:D6)` in D8 (a "Summe" row under a sheet's rows): a sum or subtotal of a range of
/// its own column above it, as written (`SUM(D4:D6)`).
fn totals_row(formula: &str, (row, column): (u32, u32)) -> Option<String> {
    let f = formula.trim().trim_start_matches('=').to_ascii_uppercase();
    let args = ["SUM(", "SUBTOTAL(9,", "SUBTOTAL(109,"]
        .iter()
        .find_map(|name| f.strip_prefix(name))?
        .strip_suffix(')')?;
    let (from, to) = args.trim().split_once(':')?;
    let place = |cell: &str| -> Option<(u32, String)> {
        let cell = cell.trim().replace('$', "");
        let letters: String = cell.chars().take_while(char::is_ascii_alphabetic).collect();
        let number: u32 = cell[letters.len()..].parse().ok()?;
        Some((number.checked_sub(1)?, letters))
    };
    let ((first, a), (last, b)) = (place(from)?, place(to)?);
    let own = crate::diag::cells::column_name(column);
    (a == own && b == own && first <= last && last < row).then(|| format!("`={}`", f))
}

/// A number formatted as a percentage in a column of plain numbers is an error: Excel shows
/// `2.50%` and stores 0.025, which is what a table reads, while the admin who typed `2.50%`
/// beside cells of 1.5 (a commission in %) meant 2.5: that rate was paid a hundredth of
/// itself, silently. A column of shares all shown as percentages is read as stored.
fn percentages(
    book: &mut Book,
    name: &str,
    range: &Range<Data>,
    sheet: usize,
    problems: &mut Problems,
) -> bool {
    let Ok(styles) = book.worksheet_style(name) else {
        return true;
    };
    let start = range.start().unwrap_or((0, 0));
    // Per column: its numbers, each with whether it is formatted as a percentage.
    let mut columns: std::collections::BTreeMap<u32, Vec<Number>> = Default::default();
    for (r, c, value) in range.used_cells() {
        let at = (start.0 + r as u32, start.1 + c as u32);
        let x = match value {
            Data::Float(f) => *f,
            Data::Int(i) => *i as f64,
            _ => continue,
        };
        let format = styles.get(at).and_then(|s| s.number_format.as_ref());
        let percent = format.is_some_and(|f| is_percent(&f.format_code));
        columns.entry(at.1).or_default().push((at, x, percent));
    }
    let mut ok = true;
    for cells in columns.values() {
        // A column of shares all shown as percentages reads as the shares they are; one
        // among plain numbers is the slip.
        if !cells.iter().any(|c| !c.2) {
            continue;
        }
        for &(at, x, _) in cells.iter().filter(|c| c.2) {
            let stored = number(x);
            // 0.025 * 100 is 2.5000000000000004 in binary: as Excel shows it.
            let shown = number((x * 100.0 * 1e9).round() / 1e9);
            problems
                .error(
                    sheet,
                    at,
                    format!(
                        "{} is formatted as a percentage, unlike the column's other numbers: Excel shows {shown}% and stores {stored}, which is what the rules read",
                        cell_name(at)
                    ),
                )
                .set_help(format!(
                    "format the cell as the column's other numbers (Home, Number Format: General) and type what the rules should read: {shown} for {shown} percent as the other rates are written, or {stored} for the share"
                ));
            ok = false;
        }
    }
    ok
}

/// A number of a sheet: its cell, its value, and whether it is formatted as a percentage.
type Number = ((u32, u32), f64, bool);

/// A number format that shows a percentage (`0%`, `0.00%`): a `%` not in quotes or escaped.
fn is_percent(code: &str) -> bool {
    let mut quoted = false;
    let mut chars = code.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => quoted = !quoted,
            '\\' => {
                chars.next();
            }
            '%' if !quoted => return true,
            _ => {}
        }
    }
    false
}

/// Merged cells below row 1 are an error (in row 1, a merged setting cell is one setting).
fn merged(book: &mut Book, name: &str, sheet: usize, problems: &mut Problems) -> bool {
    let Sheets::Xlsx(xlsx) = book else {
        return true;
    };
    let Ok(regions) = xlsx.merge_cells_by_sheet_name(name) else {
        return true;
    };
    let mut ok = true;
    for region in regions.iter().filter(|d| d.end.0 >= 1) {
        let range = format!("{}:{}", cell_name(region.start), cell_name(region.end));
        problems
            .error(
                sheet,
                region.start,
                format!("cells {range} are merged: a table needs one value per cell"),
            )
            .set_help(
                "unmerge them (Excel: Home, Merge & Center, Unmerge Cells) and fill each cell",
            );
        ok = false;
    }
    ok
}
