//! Where a spreadsheet's cells went in the YAML document made from it.
//!
//! A decision table kept in a spreadsheet (`rules/*.csv`, `rules/*.xlsx`) is read by writing
//! the YAML document it stands for (the "shadow" document) and parsing that like any rule
//! file. Every position found in the shadow text (a YAML mistake, an unknown name in a grid
//! cell, a run-time error) is turned back into the cell it came from by [`CellMap::locate`]:
//! `rules/pricing.xlsx, sheet tiers, C7`, the row shown as its cells joined by ` | `.

use std::collections::BTreeMap;
use std::path::Path;

/// The cells of a spreadsheet behind a shadow document: each sheet's rows (to show them) and
/// where each piece of cell text was written in the shadow text.
#[derive(Debug, Default)]
pub struct CellMap {
    /// The sheets (one unnamed sheet for a CSV file): name, and rows by 0-based row number.
    sheets: Vec<(Option<String>, BTreeMap<u32, Row>)>,
    /// Pieces of cell text in the shadow text, in the order written (by line, then column).
    spans: Vec<Span>,
}

/// A spreadsheet row: its first column (0-based) and the text of each cell from there.
#[derive(Debug, Clone)]
struct Row {
    first: u32,
    cells: Vec<String>,
}

/// A piece of cell text written in the shadow text.
#[derive(Debug, Clone, Copy)]
struct Span {
    /// 1-based line and character column of the piece in the shadow text.
    line: usize,
    column: usize,
    /// Its length in characters (without quotes).
    len: usize,
    /// Written in double quotes: the text starts one column later.
    quoted: bool,
    sheet: usize,
    /// The cell (0-based row, column); `None` for what belongs to the sheet as a whole (its
    /// name, the keys the shadow adds).
    cell: Option<(u32, u32)>,
    /// Where the piece starts inside the cell's text, in characters.
    base: usize,
}

/// A place in a spreadsheet: a cell of a sheet (or the sheet, or the file) and a column
/// inside the cell; with the row's text to show, and the caret's column in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellAt {
    pub sheet: Option<String>,
    /// 0-based (row, column).
    pub cell: Option<(u32, u32)>,
    /// 0-based character offset inside the cell's text.
    pub offset: usize,
    /// The row, its cells joined by ` | `.
    pub row_text: Option<String>,
    /// 1-based column of the caret in `row_text`.
    pub caret: usize,
}

/// A cell's name as a spreadsheet shows it: (6, 2) is `C7`.
pub fn cell_name((row, column): (u32, u32)) -> String {
    format!("{}{}", column_name(column), row + 1)
}

/// A column's letters: 0 is `A`, 25 `Z`, 26 `AA`.
pub fn column_name(column: u32) -> String {
    let mut n = column as u64 + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        letters.push((b'A' + rem) as char);
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

impl CellMap {
    /// Adds a sheet (`None`: the one table of a CSV file); returns its index.
    pub fn add_sheet(&mut self, name: Option<String>) -> usize {
        self.sheets.push((name, BTreeMap::new()));
        self.sheets.len() - 1
    }

    /// Records a row's cells (from column `first`), to show it in a diagnostic.
    pub fn add_row(&mut self, sheet: usize, row: u32, first: u32, mut cells: Vec<String>) {
        while cells.last().is_some_and(|c| c.trim().is_empty()) {
            cells.pop();
        }
        self.sheets[sheet].1.insert(row, Row { first, cells });
    }

    /// Records that the shadow text at `line`:`column` holds `len` characters of `cell`,
    /// starting at character `base` of the cell's text (`quoted`: written in double quotes).
    pub fn add_span(
        &mut self,
        (line, column): (usize, usize),
        len: usize,
        quoted: bool,
        sheet: usize,
        cell: Option<(u32, u32)>,
        base: usize,
    ) {
        self.spans.push(Span {
            line,
            column,
            len,
            quoted,
            sheet,
            cell,
            base,
        });
    }

    /// The spreadsheet place of a 1-based (line, column) of the shadow text: the cell whose
    /// text is there (or the last one before it on the line, or the first after it); on a
    /// line that holds no cell text, the sheet of the cell text above. `None` for position 0
    /// (no position) or before any cell text.
    pub fn locate(&self, line: usize, column: usize) -> Option<CellAt> {
        if line == 0 {
            return None;
        }
        let on_line: Vec<&Span> = self.spans.iter().filter(|s| s.line == line).collect();
        let span = on_line
            .iter()
            .rev()
            .find(|s| s.column <= column)
            .or_else(|| on_line.first());
        let Some(span) = span else {
            let above = self.spans.iter().rev().find(|s| s.line < line)?;
            return Some(self.at(above.sheet, None, 0));
        };
        let start = span.column + usize::from(span.quoted);
        let inside = column.saturating_sub(start).min(span.len);
        Some(self.at(span.sheet, span.cell, span.base + inside))
    }

    /// The place `offset` characters into `cell` of `sheet`, with its row to show.
    pub fn at(&self, sheet: usize, cell: Option<(u32, u32)>, offset: usize) -> CellAt {
        let (name, rows) = &self.sheets[sheet];
        let mut at = CellAt {
            sheet: name.clone(),
            cell,
            offset,
            row_text: None,
            caret: 0,
        };
        if let Some((r, c)) = cell
            && let Some(row) = rows.get(&r)
        {
            let before = c.saturating_sub(row.first) as usize;
            let mut caret = 1;
            for text in row.cells.iter().take(before) {
                caret += text.chars().count() + 3;
            }
            let own = row.cells.get(before).map_or(0, |t| t.chars().count());
            at.caret = caret + offset.min(own);
            at.row_text = Some(row.cells.join(" | "));
        }
        at
    }
}

impl CellAt {
    /// `rules/pricing.xlsx, sheet tiers, C7` (`rules/discount.csv, C7`; without the cell for
    /// what belongs to the sheet as a whole).
    pub fn location(&self, file: &Path) -> String {
        let mut out = file.display().to_string();
        if let Some(sheet) = &self.sheet {
            out.push_str(&format!(", sheet {sheet}"));
        }
        if let Some(cell) = self.cell {
            out.push_str(&format!(", {}", cell_name(cell)));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_named_as_spreadsheets_name_them() {
        assert_eq!(cell_name((0, 0)), "A1");
        assert_eq!(cell_name((6, 2)), "C7");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(701), "ZZ");
        assert_eq!(column_name(702), "AAA");
    }

    fn map() -> CellMap {
        let mut map = CellMap::default();
        let sheet = map.add_sheet(Some("tiers".into()));
        let cells = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
        map.add_row(sheet, 0, 0, cells(&["hit: frist"]));
        map.add_row(sheet, 6, 0, cells(&["t-a", "KA", "> 60", "gold"]));
        // `    hit: "frist"` (line 3), from character 5 of A1.
        map.add_span((3, 10), 5, true, sheet, Some((0, 0)), 5);
        map.add_span((4, 5), 6, true, sheet, None, 0);
        // `      t-a | KA | > 60 | gold` (line 9)
        for (column, (c, len)) in [(7, (0, 3)), (13, (1, 2)), (18, (2, 4)), (25, (3, 4))] {
            map.add_span((9, column), len, false, sheet, Some((6, c)), 0);
        }
        map
    }

    #[test]
    fn a_shadow_position_is_the_cell_written_there() {
        let map = map();
        let c7 = map.locate(9, 20).unwrap();
        assert_eq!(c7.cell, Some((6, 2)));
        assert_eq!(c7.offset, 2);
        assert_eq!(c7.row_text.as_deref(), Some("t-a | KA | > 60 | gold"));
        // The caret under `60`: after `t-a | KA | > `.
        assert_eq!(c7.caret, 14);
        assert_eq!(
            c7.location(Path::new("rules/pricing.xlsx")),
            "rules/pricing.xlsx, sheet tiers, C7"
        );
        // The quote before a quoted value is the value's start.
        let a1 = map.locate(3, 10).unwrap();
        assert_eq!((a1.cell, a1.offset), (Some((0, 0)), 5));
        assert_eq!(map.locate(3, 13).unwrap().offset, 7);
        // Indentation before the first cell of a line: that cell.
        assert_eq!(map.locate(9, 1).unwrap().cell, Some((6, 0)));
        // Past a line's last cell: that cell's end.
        assert_eq!(map.locate(9, 60).unwrap().offset, 4);
    }

    #[test]
    fn lines_without_cells_belong_to_the_sheet_above() {
        let map = map();
        let at = map.locate(5, 3).unwrap();
        assert_eq!((at.sheet.as_deref(), at.cell), (Some("tiers"), None));
        assert_eq!(at.location(Path::new("p.xlsx")), "p.xlsx, sheet tiers");
        assert_eq!(map.locate(4, 9).unwrap().cell, None);
        assert!(map.locate(1, 1).is_none());
        assert!(map.locate(0, 0).is_none());
    }
}
