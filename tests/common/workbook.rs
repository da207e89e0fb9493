//! Workbooks written as Excel saves them, for the spreadsheet tests: included by path from
//! the loader's unit tests (src/rules/load/sheet/tests.rs) and from tests/spreadsheets.rs.

/// A workbook of `sheets`, each a name and rows of cells: `""` is no cell, `=f -> v` a
/// formula with its saved value, `2025-01-31` a date, a number a number, `2.50%` a number
/// formatted as a percentage (stored 0.025, as Excel does), `true`/`false` a boolean,
/// anything else text.
pub fn workbook(sheets: &[(&str, &[&[&str]])]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    for (name, rows) in sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(*name).unwrap();
        for (r, cells) in rows.iter().enumerate() {
            for (c, text) in cells.iter().enumerate() {
                write_cell(sheet, r as u32, c as u16, text);
            }
        }
    }
    book.save_to_buffer().unwrap()
}

pub fn write_cell(sheet: &mut rust_xlsxwriter::Worksheet, r: u32, c: u16, text: &str) {
    use rust_xlsxwriter::{ExcelDateTime, Format, Formula};
    let date = (text.len() == 10 && text.as_bytes()[4] == b'-')
        .then(|| ExcelDateTime::parse_from_str(text).ok())
        .flatten();
    if text.is_empty() {
    } else if let Some((formula, value)) = text.split_once(" -> ") {
        sheet
            .write_formula(r, c, Formula::new(formula).set_result(value))
            .unwrap();
    } else if let Some(date) = date {
        let format = Format::new().set_num_format("yyyy-mm-dd");
        sheet
            .write_datetime_with_format(r, c, &date, &format)
            .unwrap();
    } else if let Ok(n) = text.parse::<f64>() {
        sheet.write_number(r, c, n).unwrap();
    } else if let Some(Ok(n)) = text.strip_suffix('%').map(str::parse::<f64>) {
        let format = Format::new().set_num_format("0.00%");
        sheet
            .write_number_with_format(r, c, n / 100.0, &format)
            .unwrap();
    } else if let Ok(b) = text.parse::<bool>() {
        sheet.write_boolean(r, c, b).unwrap();
    } else {
        sheet.write_string(r, c, text).unwrap();
    }
}
