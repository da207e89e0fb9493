//! A spreadsheet's tables as the YAML document they stand for: one decision each, with its
//! settings, `outputs:` (from the output columns' kinds) and a `grid:` block holding the
//! header and the rules, each cell written verbatim and recorded in the cell map.
//!
//! Names and texts are written in double quotes (JSON's escapes are YAML's); values
//! (`values:`, `default:`) are written plain when YAML reads them back as they are, so that
//! `5` stays a number, and quoted otherwise. Grid cells go verbatim into the block scalar,
//! so a cell that would break the grid (a single `|`, a line break) is an error at the cell.

use super::{Problems, SetHelp, Table, trimmed};
use crate::diag::cells::column_name;
use std::fmt::Write;

/// A piece of a cell's text: trimmed, and where it is.
#[derive(Debug, Clone)]
struct Piece {
    text: String,
    cell: (u32, u32),
    /// Where `text` starts in the cell's text, in characters.
    base: usize,
}

/// Row 1: the hit policy (A1) and the other settings.
struct Settings {
    hit: Piece,
    others: Vec<(&'static str, Piece)>,
}

/// What a column holds (row 3).
enum Kind {
    Id,
    Input,
    Output {
        values: Vec<Piece>,
        default: Option<Piece>,
        doc: Option<Piece>,
    },
}

struct Column {
    header: Piece,
    kind: Kind,
}

/// The settings row 1 may hold besides `hit:`, as they are written in the shadow document
/// (`true`: quoted, as a name or text).
const SETTINGS: &[(&str, bool)] = &[("aggregate", false), ("by", true), ("doc", true)];

/// The shadow document of `tables`, or `None` after reporting what is wrong with them.
pub(super) fn document(tables: &[Table], problems: &mut Problems) -> Option<String> {
    let mut parts = Vec::new();
    for table in tables {
        let settings = settings(table, problems);
        let columns = columns(table, problems);
        check_cells(table, columns.as_ref().map_or(0, Vec::len), problems);
        if let (Some(settings), Some(columns)) = (settings, columns) {
            parts.push((table, settings, columns));
        }
    }
    if problems.has_errors() || parts.is_empty() {
        return None;
    }
    let mut out = Writer::new(problems);
    out.raw("decisions:\n");
    for (table, settings, columns) in parts {
        out.decision(table, &settings, &columns);
    }
    Some(out.text)
}

/// The cell at (row, column) of `table`, as text ("" when the row is shorter).
fn cell(table: &Table, row: usize, column: usize) -> Piece {
    let (at, cells) = table
        .rows
        .get(row)
        .map_or((row as u32, &[][..]), |(r, c)| (*r, &c[..]));
    let raw = cells.get(column).map_or("", String::as_str);
    let (base, text) = trimmed(raw);
    Piece {
        text: text.to_owned(),
        cell: (at, column as u32),
        base,
    }
}

/// `key: value` in a piece: the key (lower case) and the value as a piece.
fn key_value(piece: &Piece) -> Option<(String, Piece)> {
    let (key, value) = piece.text.split_once(':')?;
    let skipped = key.chars().count() + 1;
    let (ws, value) = trimmed(value);
    Some((
        key.trim().to_lowercase(),
        Piece {
            text: value.to_owned(),
            cell: piece.cell,
            base: piece.base + skipped + ws,
        },
    ))
}

fn settings(table: &Table, problems: &mut Problems) -> Option<Settings> {
    let sheet = table.sheet;
    let a1 = cell(table, 0, 0);
    let hit = match key_value(&a1) {
        Some((key, value)) if key == "hit" && !value.text.is_empty() => value,
        _ => {
            problems
                .error(sheet, (0, 0), "A1 must say the table's hit policy: `hit: first`")
                .set_help("row 1 holds the settings, one `key: value` per cell, and A1 the hit policy (`hit: first`, `unique`, `any`, `collect`, `max`, `min`, ...)");
            return None;
        }
    };
    let mut others: Vec<(&'static str, Piece)> = Vec::new();
    let width = table.rows.first().map_or(0, |(_, c)| c.len());
    let mut ok = true;
    for column in 1..width {
        let piece = cell(table, 0, column);
        if piece.text.is_empty() {
            continue;
        }
        let Some((key, value)) = key_value(&piece) else {
            problems
                .error(sheet, piece.cell, "a setting is written `key: value`")
                .set_help(
                    "row 1 may say `aggregate: sum`, `by: <output>` or `doc: <text>`, one per cell",
                );
            ok = false;
            continue;
        };
        let known = SETTINGS.iter().find(|(k, _)| *k == key).map(|(k, _)| *k);
        let problem = match known {
            None if key == "hit" => Some("the hit policy is given twice: A1 says it".into()),
            None => {
                let mut d = format!("unknown setting `{key}`");
                let names = SETTINGS.iter().map(|(k, _)| *k).chain(["hit"]);
                if let Some(meant) = crate::diag::suggest(&key, names) {
                    let _ = write!(d, ": did you mean `{meant}`?");
                }
                Some(d)
            }
            Some(k) if others.iter().any(|(o, _)| *o == k) => {
                Some(format!("`{k}:` is given twice in row 1"))
            }
            Some(k) if value.text.is_empty() => Some(format!("`{k}:` needs a value")),
            Some(_) => None,
        };
        match (problem, known) {
            (Some(message), _) => {
                problems.error(sheet, piece.cell, message).set_help(
                    "row 1 may say `aggregate: sum`, `by: <output>` or `doc: <text>`, one per cell",
                );
                ok = false;
            }
            (None, Some(k)) => others.push((k, value)),
            (None, None) => {}
        }
    }
    ok.then_some(Settings { hit, others })
}

/// The columns: their headers (row 2) and kinds (row 3).
fn columns(table: &Table, problems: &mut Problems) -> Option<Vec<Column>> {
    let sheet = table.sheet;
    let header_width = table.rows.get(1).map_or(0, |(_, cells)| {
        cells
            .iter()
            .rposition(|c| !c.trim().is_empty())
            .map_or(0, |k| k + 1)
    });
    if header_width == 0 || table.rows.len() < 3 {
        let (row, what) = if header_width == 0 {
            (
                1,
                "row 2 must be the table's header: the id column, the inputs, the outputs",
            )
        } else {
            (
                2,
                "row 3 must say each column's kind: `id`, `input` or `output`",
            )
        };
        problems.error(sheet, (row, 0), what);
        return None;
    }
    let mut out = Vec::new();
    let mut ok = true;
    for k in 0..header_width {
        let header = cell(table, 1, k);
        if header.text.is_empty() {
            problems.error(sheet, header.cell, "this column has no header (row 2)");
            ok = false;
            continue;
        }
        match kind(k, &header, &cell(table, 2, k), problems, sheet) {
            Some(kind) => out.push(Column { header, kind }),
            None => ok = false,
        }
    }
    ok = ok && order(&out, problems, sheet);
    ok.then_some(out)
}

/// A column's kind, from row 3.
fn kind(
    k: usize,
    header: &Piece,
    written: &Piece,
    problems: &mut Problems,
    sheet: usize,
) -> Option<Kind> {
    let mut parts = split(written, ';').into_iter();
    let first = parts
        .next()
        .map(|p| p.text.to_lowercase())
        .unwrap_or_default();
    let id_column = first == "id" || (first.is_empty() && header.text == "id");
    if k == 0 && id_column {
        return Some(Kind::Id);
    }
    let problem = match first.as_str() {
        "input" if parts.len() > 0 => "an input column takes no `values:` or `default:`".to_owned(),
        "input" => return Some(Kind::Input),
        "output" => return output_kind(parts, problems, sheet),
        "id" => "only the first column may be the id column".into(),
        "" => format!(
            "row 3 must say whether column {} (`{}`) is an `input` or an `output`",
            column_name(k as u32),
            header.text
        ),
        other => format!("unknown column kind `{other}`: row 3 says `id`, `input` or `output`"),
    };
    problems
        .error(sheet, written.cell, problem)
        .set_help("row 3: `input`, `output`, or `output; values: high, medium, low; default: low`");
    None
}

/// An output column's `values:`, `default:` and `doc:`.
fn output_kind(
    parts: impl Iterator<Item = Piece>,
    problems: &mut Problems,
    sheet: usize,
) -> Option<Kind> {
    let (mut values, mut default, mut doc) = (Vec::new(), None, None);
    for part in parts {
        let problem = match key_value(&part) {
            Some((key, value)) if key == "values" && values.is_empty() => {
                values = split(&value, ',');
                values.retain(|v| !v.text.is_empty());
                continue;
            }
            Some((key, value)) if key == "default" && default.is_none() => {
                default = Some(value);
                continue;
            }
            Some((key, value)) if key == "doc" && doc.is_none() => {
                doc = Some(value);
                continue;
            }
            Some((key, _)) if ["values", "default", "doc"].contains(&key.as_str()) => {
                format!("`{key}:` is given twice")
            }
            Some((key, _)) => format!("unknown key `{key}` for an output column"),
            None => "after `output;`, write `values: a, b, c` or `default: v`".into(),
        };
        problems
            .error(sheet, part.cell, problem)
            .set_help("row 3: `output; values: high, medium, low; default: low`");
        return None;
    }
    Some(Kind::Output {
        values,
        default,
        doc,
    })
}

/// Inputs before outputs, and at least one output.
fn order(columns: &[Column], problems: &mut Problems, sheet: usize) -> bool {
    let first_output = columns
        .iter()
        .position(|c| matches!(c.kind, Kind::Output { .. }));
    let Some(first_output) = first_output else {
        problems
            .error(sheet, (2, 0), "the table has no output column")
            .set_help("say `output` in row 3 under each column the rules give a value for");
        return false;
    };
    let late = columns[first_output..]
        .iter()
        .find(|c| matches!(c.kind, Kind::Input));
    if let Some(late) = late {
        problems
            .error(
                sheet,
                (2, late.header.cell.1),
                "an input column after an output column",
            )
            .set_help("put the input columns first, then the output columns");
        return false;
    }
    true
}

/// The parts of a piece between `separator`s, trimmed.
fn split(piece: &Piece, separator: char) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut base = piece.base;
    for part in piece.text.split(separator) {
        let (ws, text) = trimmed(part);
        out.push(Piece {
            text: text.to_owned(),
            cell: piece.cell,
            base: base + ws,
        });
        base += part.chars().count() + 1;
    }
    out
}

/// Grid cells (the header and rows 4 on) that cannot go into the grid: a single `|` (the
/// grid's separator; `||` is Rhai's "or"), a line break; and cells right of the header.
fn check_cells(table: &Table, width: usize, problems: &mut Problems) {
    for (index, (row, cells)) in table.rows.iter().enumerate().skip(1) {
        for (k, text) in cells.iter().enumerate() {
            let at = (*row, k as u32);
            if k >= width {
                if width > 0 && !text.trim().is_empty() {
                    problems
                        .error(
                            table.sheet,
                            at,
                            "this cell is right of the table's last column",
                        )
                        .set_help("give its column a header in row 2, or clear the cell");
                }
            } else if index != 2 && text.contains(['\n', '\r']) {
                problems
                    .error(table.sheet, at, "a cell of the table holds a line break")
                    .set_help("write the cell on one line");
            } else if index != 2 && lone_bar(text) {
                problems
                    .error(table.sheet, at, "a cell of the table holds a single `|`")
                    .set_help("`|` separates the cells of a grid; write `||` for \"or\"");
            }
        }
    }
}

/// A `|` that is not one of a pair.
fn lone_bar(text: &str) -> bool {
    text.split(|c| c != '|')
        .any(|run| !run.is_empty() && run.len() != 2)
}

/// Whether YAML reads `text` back as written when it is written plain in a flow collection.
fn plain(text: &str) -> bool {
    let starts_ok = match text.chars().next() {
        None => false,
        Some('-') => text.len() > 1 && !text[1..].starts_with(' '),
        Some(c) => !"?:,[]{}#&*!|>'\"%@`".contains(c) && !c.is_whitespace(),
    };
    starts_ok
        && !text.ends_with(char::is_whitespace)
        && !text.ends_with(':')
        && !text.contains([',', '[', ']', '{', '}', '\n', '\r', '\t'])
        && !text.contains(": ")
        && !text.contains(" #")
}

/// The shadow text being written, and where the writing is (1-based line, column).
struct Writer<'m, 'p> {
    text: String,
    line: usize,
    column: usize,
    problems: &'m mut Problems<'p>,
    sheet: usize,
}

impl<'m, 'p> Writer<'m, 'p> {
    fn new(problems: &'m mut Problems<'p>) -> Self {
        Writer {
            text: String::new(),
            line: 1,
            column: 1,
            problems,
            sheet: 0,
        }
    }

    fn raw(&mut self, s: &str) {
        for c in s.chars() {
            if c == '\n' {
                (self.line, self.column) = (self.line + 1, 1);
            } else {
                self.column += 1;
            }
        }
        self.text.push_str(s);
    }

    /// Text of the sheet as a whole (its name): quoted.
    fn sheet_text(&mut self, text: &str) {
        let here = (self.line, self.column);
        let len = text.chars().count();
        self.problems
            .map
            .add_span(here, len, true, self.sheet, None, 0);
        self.raw(&serde_json::to_string(text).unwrap_or_default());
    }

    /// A piece of a cell: verbatim, quoted, or plain when that reads back the same.
    fn piece(&mut self, piece: &Piece, how: How) {
        let quoted = match how {
            How::Verbatim => false,
            How::Quoted => true,
            How::Value => !plain(&piece.text),
        };
        let here = (self.line, self.column);
        let len = piece.text.chars().count();
        let sheet = self.sheet;
        self.problems
            .map
            .add_span(here, len, quoted, sheet, Some(piece.cell), piece.base);
        if quoted {
            self.raw(&serde_json::to_string(&piece.text).unwrap_or_default());
        } else {
            self.raw(&piece.text);
        }
    }

    fn decision(&mut self, table: &Table, settings: &Settings, columns: &[Column]) {
        self.sheet = table.sheet;
        self.raw("  - name: ");
        self.sheet_text(&table.name);
        self.raw("\n    hit: ");
        self.piece(&settings.hit, How::Value);
        for (key, value) in &settings.others {
            let quoted = SETTINGS.iter().any(|(k, q)| k == key && *q);
            self.raw(&format!("\n    {key}: "));
            self.piece(value, if quoted { How::Quoted } else { How::Value });
        }
        self.raw("\n    outputs:");
        for column in columns {
            if let Kind::Output {
                values,
                default,
                doc,
            } = &column.kind
            {
                self.output(&column.header, values, default.as_ref(), doc.as_ref());
            }
        }
        self.raw("\n    grid: |");
        self.grid_line(columns.iter().map(|c| c.header.clone()).collect());
        for index in 3..table.rows.len() {
            let cells: Vec<Piece> = (0..columns.len()).map(|k| cell(table, index, k)).collect();
            if cells.iter().any(|c| !c.text.is_empty()) {
                self.grid_line(cells);
            }
        }
        self.raw("\n");
    }

    fn output(
        &mut self,
        name: &Piece,
        values: &[Piece],
        default: Option<&Piece>,
        doc: Option<&Piece>,
    ) {
        self.raw("\n      - ");
        if values.is_empty() && default.is_none() && doc.is_none() {
            return self.piece(name, How::Quoted);
        }
        self.raw("{ name: ");
        self.piece(name, How::Quoted);
        if !values.is_empty() {
            self.raw(", values: [");
            for (k, value) in values.iter().enumerate() {
                if k > 0 {
                    self.raw(", ");
                }
                self.piece(value, How::Value);
            }
            self.raw("]");
        }
        if let Some(default) = default {
            self.raw(", default: ");
            self.piece(default, How::Value);
        }
        if let Some(doc) = doc {
            self.raw(", doc: ");
            self.piece(doc, How::Quoted);
        }
        self.raw(" }");
    }

    /// One line of the grid block: the cells verbatim, joined by ` | `.
    fn grid_line(&mut self, cells: Vec<Piece>) {
        self.raw("\n      ");
        for (k, cell) in cells.iter().enumerate() {
            // ` | ` between cells, without a space at the end of a line.
            match k {
                0 => {}
                _ if cell.text.is_empty() => self.raw(" |"),
                _ => self.raw(" | "),
            }
            self.piece(cell, How::Verbatim);
        }
    }
}

#[derive(Clone, Copy)]
enum How {
    Verbatim,
    Quoted,
    Value,
}
