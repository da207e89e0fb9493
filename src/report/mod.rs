//! What commands print: every command's result is a [`Report`], shown as text for people or,
//! with `--format json`, as the JSON of the same value for programs. Results go to stdout;
//! a closed pipe (`tierwise run | head`) is not an error.
//!
//! Reports shown by more than one command live here ([`cases`]: the rule tests' report, shown
//! by `test`, `watch` and `serve`; [`explain`]); the others beside their command.

pub mod cases;
pub mod explain;
pub mod html;
pub mod impact;
pub mod refusal;

pub use crate::text::{as_yaml, plural, shown, thousands};

use serde::Serialize;
use std::io::{self, Write};

/// How a command prints its result on stdout.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people.
    #[default]
    Text,
    /// For programs.
    Json,
}

/// A command's result.
pub trait Report {
    /// The report for people. `color`: the output is a terminal that takes ANSI colours.
    fn text(&self, out: &mut dyn Write, color: bool) -> io::Result<()>;

    /// The report for programs: the JSON of the same value.
    fn json(&self) -> serde_json::Value
    where
        Self: Serialize + Sized,
    {
        serde_json::to_value(self).unwrap_or_default()
    }
}

/// Prints a report on stdout in `format`.
pub fn print<R: Report + Serialize>(report: &R, format: Format) {
    let color = crate::diag::use_color(&io::stdout());
    stdout(|out| match format {
        Format::Text => report.text(out, color),
        Format::Json => writeln!(out, "{:#}", report.json()),
    });
}

/// Writes to stdout; a closed pipe is not an error.
pub fn stdout(f: impl FnOnce(&mut dyn Write) -> io::Result<()>) {
    let stdout = io::stdout();
    let mut lock = stdout.lock();
    if let Err(e) = f(&mut lock).and_then(|_| lock.flush())
        && e.kind() != io::ErrorKind::BrokenPipe
    {
        eprintln!("error: cannot write to stdout: {e}");
    }
}

/// Indents every non-empty line of `text` with `prefix`.
pub fn indent(text: &str, prefix: &str) -> String {
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{prefix}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Rows as left-aligned columns two spaces apart, each line indented by two spaces (the first
/// row is usually the header).
pub fn table(out: &mut dyn Write, rows: &[Vec<String>]) -> io::Result<()> {
    columns(out, rows, false)
}

/// As [`table`], with every column after the first right-aligned (numbers).
pub fn number_table(out: &mut dyn Write, rows: &[Vec<String>]) -> io::Result<()> {
    columns(out, rows, true)
}

fn columns(out: &mut dyn Write, rows: &[Vec<String>], numbers: bool) -> io::Result<()> {
    // A value of the data holding a line end or a terminal's escape codes (a CRM name with
    // `ESC[2J`, a newline and a fake row after it) is shown escaped, in its cell.
    let rows: Vec<Vec<String>> = (rows.iter())
        .map(|r| {
            r.iter()
                .map(|v| crate::text::printable(v).into_owned())
                .collect()
        })
        .collect();
    let rows = rows.as_slice();
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .map(|r| r.get(c).map_or(0, |v| v.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(k, (v, w))| {
                if numbers && k > 0 {
                    format!("{v:>w$}")
                } else {
                    format!("{v:<w$}")
                }
            })
            .collect();
        writeln!(out, "  {}", cells.join("  ").trim_end())?;
    }
    Ok(())
}
