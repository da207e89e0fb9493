//! Decision tables kept in spreadsheets: `rules/*.csv` (one table), `rules/*.xlsx` and
//! `rules/*.ods` (one table per worksheet), edited by business admins in Excel or
//! LibreOffice.
//!
//! A spreadsheet is not read into the model directly: its tables become the YAML document
//! they stand for, a decision with `outputs:` and a `grid:` (the *shadow* document,
//! [`shadow`]), and that document is parsed like any rule file. So everything after parsing
//! (compile, check, lints, tests, explain, diff, hot reload) treats a spreadsheet as a YAML
//! file, and a position in the shadow text is shown as the cell it came from
//! ([`CellMap`](crate::diag::CellMap)).
//!
//! The layout of a table (README, "Decision tables in spreadsheets"):
//!
//! - row 1, settings, one `key: value` per cell: A1 says the hit policy (`hit: first`); the
//!   other cells may say `aggregate: sum`, `by: <output>`, `doc: <text>`;
//! - row 2, the header: `id` (an optional first column), the input expressions, the outputs;
//! - row 3, each column's kind: `id` (or empty) for the id column, `input`, or `output`,
//!   optionally followed by `; values: a, b, c`, `; default: v`, `; doc: text`;
//! - rows 4 and on, one rule per row; empty rows are skipped.

mod csv;
mod hidden;
mod shadow;
mod xlsx;

use super::Sink;
use crate::diag::{CellAt, CellMap, Diagnostic, SourceFile};
use std::path::Path;
use std::sync::Arc;

/// The extensions of spreadsheets read as rule files.
pub(super) const EXTENSIONS: &[&str] = &["csv", "xlsx", "ods"];

/// Whether `path` is a spreadsheet the loader reads.
pub(super) fn is_spreadsheet(path: &Path) -> bool {
    crate::text::extension(path).is_some_and(|e| EXTENSIONS.contains(&e.as_str()))
}

/// One table as read: its decision's name and its rows of cell text.
#[derive(Debug)]
struct Table {
    /// The decision's name: the CSV file's stem, or the worksheet's name.
    name: String,
    /// Its sheet in the cell map.
    sheet: usize,
    /// The rows from row 1, each with its 0-based row number; cells from column A.
    rows: Vec<(u32, Vec<String>)>,
}

/// Where a spreadsheet's problems go: each at a cell (with its row shown) or at the file.
struct Problems<'a> {
    path: &'a Path,
    map: CellMap,
    found: Vec<Diagnostic>,
    /// Errors at single cells that leave the table readable (an ambiguous number): the
    /// rest of the file is still checked, so every mistake is said at once.
    at_cells: Vec<Diagnostic>,
}

impl<'a> Problems<'a> {
    fn new(path: &'a Path) -> Self {
        Problems {
            path,
            map: CellMap::default(),
            found: Vec::new(),
            at_cells: Vec::new(),
        }
    }

    /// The place `offset` characters into a cell (`None`: the sheet).
    fn place(&self, sheet: usize, cell: Option<(u32, u32)>, offset: usize) -> CellAt {
        self.map.at(sheet, cell, offset)
    }

    /// Adds an error at a cell; returns it to add a help.
    fn error(
        &mut self,
        sheet: usize,
        cell: (u32, u32),
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        let at = self.place(sheet, Some(cell), 0);
        self.found.push(Diagnostic::at_cell(self.path, at, message));
        self.found.last_mut().expect("just pushed")
    }

    /// Adds an error at a cell that leaves the table readable; returns it to add a help.
    fn cell_error(
        &mut self,
        sheet: usize,
        cell: (u32, u32),
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.error(sheet, cell, message);
        let error = self.found.pop().expect("just pushed");
        self.at_cells.push(error);
        self.at_cells.last_mut().expect("just pushed")
    }

    /// Adds an error about the whole file.
    fn file_error(&mut self, message: impl Into<String>) -> &mut Diagnostic {
        self.found.push(Diagnostic::file_error(self.path, message));
        self.found.last_mut().expect("just pushed")
    }

    fn has_errors(&self) -> bool {
        self.found
            .iter()
            .any(|d| d.severity == crate::diag::Severity::Error)
    }
}

/// A help on a diagnostic already added.
trait SetHelp {
    fn set_help(self, help: impl Into<String>);
}

impl SetHelp for &mut Diagnostic {
    fn set_help(self, help: impl Into<String>) {
        self.help = Some(help.into());
    }
}

/// Reads a spreadsheet's tables as the shadow YAML document they stand for; `None` after
/// reporting why it cannot be read. Warnings (formula cells, sheets that are not tables)
/// go to `diags` either way.
pub(super) fn read(path: &Path, bytes: &[u8], diags: &mut Sink) -> Option<Arc<SourceFile>> {
    let mut problems = Problems::new(path);
    let extension = crate::text::extension(path).unwrap_or_default();
    let extension = extension.as_str();
    let tables = match extension {
        "csv" => csv::table(bytes, &mut problems).into_iter().collect(),
        _ => xlsx::tables(bytes, extension, &mut problems),
    };
    let text = if problems.has_errors() {
        None
    } else {
        shadow::document(&tables, &mut problems)
    };
    let Problems {
        map,
        found,
        at_cells,
        ..
    } = problems;
    for d in at_cells.into_iter().chain(found) {
        diags.push(d);
    }
    Some(SourceFile::spreadsheet(path.to_path_buf(), text?, map))
}

/// A table's name as a decision's: letters, digits and `_`, not starting with a digit.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Text with its surrounding whitespace cut, and how many characters were cut before it.
fn trimmed(text: &str) -> (usize, &str) {
    let start = text.len() - text.trim_start().len();
    (text[..start].chars().count(), text.trim())
}

#[cfg(test)]
pub(super) mod tests;
