//! Diagnostics for the files admins edit (rules, tests, config): a message pinned to
//! file:line:column, rendered with the source line and a caret, in the style of rustc and
//! ruff. [`yaml`] turns every YAML mistake into one; [`suggest`] finds the name meant;
//! [`habits`] finds the spreadsheet habits in an expression (`=` for `==`, `80%`).

pub mod cells;
mod ctrl_z;
pub mod habits;
mod suggest;
pub mod yaml;

use crate::text::plural;

pub use cells::{CellAt, CellMap};
pub use suggest::{did_you_mean, suggest};

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How bad a diagnostic is. Errors stop a rule set from loading; warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem found in a rule file.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: PathBuf,
    /// 1-based; 0 when the position is not known.
    pub line: usize,
    /// 1-based, counted in characters; 0 when not known.
    pub column: usize,
    /// A stable code for the kind of problem (`TW101` for a lint), when it has one: what
    /// programs and docs refer to, whatever the wording.
    pub code: Option<&'static str>,
    /// The rule id, metric, population figure or decision the problem belongs to.
    pub rule: Option<String>,
    pub message: String,
    pub help: Option<String>,
    /// The source line the position points into, for the snippet.
    pub source_line: Option<String>,
    /// How many characters the caret underlines.
    pub width: usize,
    /// For a spreadsheet: the cell the position is in (shown instead of line:column).
    pub cell: Option<CellAt>,
}

impl Diagnostic {
    /// The diagnostic for programs (`--format json`, `serve`): position, rule, message, help.
    pub fn to_json(&self) -> serde_json::Value {
        if let Some(at) = &self.cell {
            return self.cell_json(at);
        }
        serde_json::json!({
            "severity": match self.severity { Severity::Error => "error", Severity::Warning => "warning" },
            "file": self.file.display().to_string(),
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "rule": self.rule,
            "message": self.message,
            "help": self.help,
        })
    }

    pub fn error(
        file: &SourceFile,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: file.path.clone(),
            line,
            column,
            code: None,
            rule: None,
            message: message.into(),
            help: None,
            source_line: file.line(line).map(str::to_owned),
            width: 1,
            cell: file.cells.as_ref().and_then(|m| m.locate(line, column)),
        }
    }

    /// A diagnostic about a whole file (no position).
    pub fn file_error(path: &Path, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: path.to_path_buf(),
            line: 0,
            column: 0,
            code: None,
            rule: None,
            message: message.into(),
            help: None,
            source_line: None,
            width: 1,
            cell: None,
        }
    }

    /// A diagnostic at a place in a spreadsheet (found while reading it, before there is a
    /// shadow document).
    pub fn at_cell(path: &Path, at: CellAt, message: impl Into<String>) -> Self {
        let mut d = Diagnostic::file_error(path, message);
        d.cell = Some(at);
        d
    }

    /// [`Diagnostic::to_json`] of a diagnostic in a spreadsheet: `line` and `column` are the
    /// cell's row and column numbers (C7: 7 and 3; 0 without a cell), with `sheet` (for a
    /// workbook) and `cell`.
    fn cell_json(&self, at: &CellAt) -> serde_json::Value {
        let (line, column) = at
            .cell
            .map_or((0, 0), |(r, c)| (r as usize + 1, c as usize + 1));
        serde_json::json!({
            "severity": match self.severity { Severity::Error => "error", Severity::Warning => "warning" },
            "file": self.file.display().to_string(),
            "line": line,
            "column": column,
            "sheet": at.sheet,
            "cell": at.cell.map(cells::cell_name),
            "code": self.code,
            "rule": self.rule,
            "message": self.message,
            "help": self.help,
        })
    }

    pub fn warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }

    pub fn code(mut self, code: &'static str) -> Self {
        self.code = Some(code);
        self
    }

    pub fn rule(mut self, rule: impl Into<String>) -> Self {
        self.rule = Some(rule.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn width(mut self, width: usize) -> Self {
        self.width = width.max(1);
        self
    }

    /// The diagnostic as one line of a command's notes: `rules/a.yaml:7:9: message (rule
    /// `r`); help`.
    pub fn note_line(&self) -> String {
        let rule = (self.rule.as_deref()).map_or(String::new(), |r| format!(" (rule `{r}`)"));
        let help = (self.help.as_deref()).map_or(String::new(), |h| format!("; {h}"));
        format!("{}: {}{rule}{help}", self.location(), self.message)
    }

    /// `file:line:column` (or just the file when the position is unknown).
    pub fn location(&self) -> String {
        if let Some(at) = &self.cell {
            return at.location(&self.file);
        }
        if self.line == 0 {
            self.file.display().to_string()
        } else {
            format!("{}:{}:{}", self.file.display(), self.line, self.column)
        }
    }
}

/// ANSI styles for a terminal; empty strings when colour is off.
struct Style {
    error: &'static str,
    warning: &'static str,
    accent: &'static str,
    bold: &'static str,
    reset: &'static str,
}

const PLAIN: Style = Style {
    error: "",
    warning: "",
    accent: "",
    bold: "",
    reset: "",
};

const COLOR: Style = Style {
    error: "\x1b[1;31m",
    warning: "\x1b[1;33m",
    accent: "\x1b[1;34m",
    bold: "\x1b[1m",
    reset: "\x1b[0m",
};

/// Whether a stream should get colour: a terminal, and `NO_COLOR` not set.
pub fn use_color(stream: &impl std::io::IsTerminal) -> bool {
    stream.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

impl Diagnostic {
    /// The diagnostic with its source line and a caret, optionally in colour.
    pub fn render(&self, color: bool) -> String {
        let st = if color { &COLOR } else { &PLAIN };
        let (label, style) = match self.severity {
            Severity::Error => ("error", st.error),
            Severity::Warning => ("warning", st.warning),
        };
        let label = match self.code {
            Some(code) => format!("{label}[{code}]"),
            None => label.to_owned(),
        };
        let mut out = match &self.rule {
            Some(rule) => format!(
                "{style}{label}{}: {}{} (in `{rule}`)",
                st.reset, st.bold, self.message
            ),
            None => format!("{style}{label}{}: {}{}", st.reset, st.bold, self.message),
        };
        out.push_str(st.reset);
        let (line, snippet) = match &self.cell {
            Some(at) => (
                at.cell.map_or(0, |(r, _)| r as usize + 1),
                at.row_text.as_ref().map(|t| (t, at.caret)),
            ),
            None => (
                self.line,
                self.source_line.as_ref().map(|t| (t, self.column)),
            ),
        };
        let gutter = " ".repeat(line.max(1).to_string().len());
        out.push_str(&format!(
            "\n{gutter}{}-->{} {}",
            st.accent,
            st.reset,
            self.location()
        ));
        if let Some((text, column)) = snippet {
            let (text, column) = window(&text.replace('\t', " "), column);
            let pad: String = text
                .chars()
                .take(column.saturating_sub(1))
                .map(|c| if c.is_whitespace() { c } else { ' ' })
                .collect();
            let bar = format!("{}|{}", st.accent, st.reset);
            out.push_str(&format!(
                "\n{gutter} {bar}\n{}{}{} {bar} {text}\n{gutter} {bar} {pad}{style}{}{}",
                st.accent,
                line,
                st.reset,
                "^".repeat(self.width),
                st.reset
            ));
        }
        if let Some(help) = &self.help {
            out.push_str(&format!(
                "\n{gutter} {}={} help: {help}",
                st.accent, st.reset
            ));
        }
        out
    }
}

/// The most characters of a source line a diagnostic shows: a longer line (a generated file,
/// a 10,000-bracket line) is cut around the caret, with `…` where it is cut.
const SHOWN: usize = 100;

/// The part of `text` shown, and the caret's column (1-based) in it.
fn window(text: &str, column: usize) -> (String, usize) {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= SHOWN {
        return (text.to_owned(), column);
    }
    let caret = column.saturating_sub(1).min(chars.len());
    let end = (caret.saturating_sub(SHOWN / 2) + SHOWN).min(chars.len());
    let start = end - SHOWN;
    let mut shown = String::new();
    if start > 0 {
        shown.push('…');
    }
    shown.extend(&chars[start..end]);
    if end < chars.len() {
        shown.push('…');
    }
    (shown, caret - start + 1 + usize::from(start > 0))
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

/// A list of diagnostics, at least one of them an error.
#[derive(Debug, Clone)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn errors(&self) -> usize {
        self.0
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }
}

impl Diagnostics {
    /// Every diagnostic, then a one-line total.
    pub fn render(&self, color: bool) -> String {
        let mut out = String::new();
        for d in &self.0 {
            out.push_str(&d.render(color));
            out.push_str("\n\n");
        }
        out.push_str(&summary_line(&self.0));
        out
    }
}

/// "2 errors, 1 warning in the rule files" (or "no problems found").
pub fn summary_line(diagnostics: &[Diagnostic]) -> String {
    summary_line_in(diagnostics, "the rule files")
}

/// "2 errors, 1 warning in `place`" (the rule files, the config file).
pub fn summary_line_in(diagnostics: &[Diagnostic], place: &str) -> String {
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diagnostics.len() - errors;
    match (errors, warnings) {
        (0, 0) => format!("no problems found in {place}"),
        (e, 0) => format!("{} in {place}", plural(e, "error")),
        (0, w) => format!("{} in {place}", plural(w, "warning")),
        (e, w) => format!(
            "{}, {} in {place}",
            plural(e, "error"),
            plural(w, "warning")
        ),
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

impl std::error::Error for Diagnostics {}

/// A rule file's path (as shown to the user) and text, shared by everything compiled from it.
#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
    /// For a spreadsheet, `text` is the shadow document made from it, and this says which
    /// cell each position of it is in.
    pub cells: Option<CellMap>,
}

impl SourceFile {
    pub fn new(path: PathBuf, text: String) -> Arc<Self> {
        Arc::new(SourceFile {
            path,
            text,
            cells: None,
        })
    }

    /// A spreadsheet's shadow document, and where its cells are in it.
    pub fn spreadsheet(path: PathBuf, text: String, cells: CellMap) -> Arc<Self> {
        Arc::new(SourceFile {
            path,
            text,
            cells: Some(cells),
        })
    }

    /// `file:line:column`, or the spreadsheet cell (`rules/pricing.xlsx, sheet tiers, C7`):
    /// what a run-time error says of where an expression is.
    pub fn place(&self, line: usize, column: usize) -> String {
        match self.cells.as_ref().and_then(|m| m.locate(line, column)) {
            Some(at) => at.location(&self.path),
            None => format!("{}:{}:{}", self.path.display(), line, column),
        }
    }

    /// The text of a 1-based line.
    pub fn line(&self, line: usize) -> Option<&str> {
        if line == 0 {
            return None;
        }
        self.text.lines().nth(line - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_snippet_with_caret_under_the_column() {
        let file = SourceFile::new("rules/t.yaml".into(), "a: 1\n  when: x >= 1\n".into());
        let d = Diagnostic::error(&file, 2, 9, "unknown name `x`")
            .rule("tier-a")
            .width(1)
            .help("did you mean `y`?");
        let text = d.to_string();
        assert!(
            text.contains("error: unknown name `x` (in `tier-a`)"),
            "{text}"
        );
        assert!(text.contains("--> rules/t.yaml:2:9"), "{text}");
        assert!(text.contains("2 |   when: x >= 1\n  |         ^"), "{text}");
        assert!(text.contains("= help: did you mean `y`?"), "{text}");
    }
}
