//! The impact of a rule change as people read it: as aligned text (`diff`, `watch`) or as
//! Markdown tables to paste into a change request (`diff --format md`). Both are made from
//! the same tables, so they always say the same thing; JSON is the [`ImpactReport`] itself.

use crate::impact::{Impact, Matrix};
use crate::text::{amount, signed, thousands};
use serde::Serialize;
use std::io::{self, Write};

/// How many of the largest changes and changed rules the text shows (JSON has them all).
const SHOWN: usize = 10;

/// How many of a customer's changed outputs the text names.
const CHANGES_SHOWN: usize = 8;

/// An impact, with what it was measured on.
#[derive(Debug, Serialize)]
pub struct ImpactReport<'a> {
    /// The base rules: a directory or `REV:path/`.
    pub base: String,
    /// The current rules' directory.
    pub rules: String,
    pub as_of: String,
    pub period: String,
    /// How money is labelled (the config's `currency`).
    pub currency: Option<String>,
    #[serde(flatten)]
    pub impact: &'a Impact,
}

/// A titled table: the unit every rendering (text, Markdown, the HTML report) is made of.
#[derive(Debug, Clone)]
pub struct Table {
    pub title: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Columns after the first are numbers: aligned right.
    pub numeric: bool,
}

impl ImpactReport<'_> {
    /// The first line: what was compared with what.
    pub fn headline(&self) -> String {
        let i = self.impact;
        // "rules/ (…) against HEAD:rules/ (…)": both named as where they are (it read "rules
        // rules (…) against the base base (…)" for directories called so).
        format!(
            "{}/ ({}) against {} ({}): {} customers as of {} ({})",
            self.rules.trim_end_matches('/'),
            i.fingerprint,
            self.base,
            i.base_fingerprint,
            thousands(i.customers as f64),
            self.as_of,
            self.period
        )
    }

    /// One line: how many customers changed, or that nothing did.
    pub fn verdict(&self) -> String {
        let i = self.impact;
        if !i.changed() {
            return "no change: every customer gets the same policy from the same rules".into();
        }
        let mut parts = vec![format!(
            "{} of {} customers' policy changed",
            thousands(i.customers_changed as f64),
            thousands(i.customers as f64)
        )];
        if !i.outputs_added.is_empty() {
            parts.push(format!("outputs added: {}", i.outputs_added.join(", ")));
        }
        if !i.outputs_removed.is_empty() {
            parts.push(format!("outputs removed: {}", i.outputs_removed.join(", ")));
        }
        parts.join("; ")
    }

    pub fn text(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "{}", self.headline())?;
        writeln!(out, "{}", self.verdict())?;
        for note in &self.impact.notes {
            writeln!(out, "note: {note}")?;
        }
        for table in self.tables() {
            writeln!(out, "\n{}", table.title)?;
            write_aligned(out, &table)?;
        }
        Ok(())
    }

    pub fn markdown(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "## Impact of the rule change\n")?;
        writeln!(out, "{}.\n\n**{}**", self.headline(), self.verdict())?;
        for note in &self.impact.notes {
            writeln!(out, "\n> note: {note}")?;
        }
        for table in self.tables() {
            writeln!(out, "\n### {}\n", table.title)?;
            let cells = |row: &[String]| {
                let escaped: Vec<String> = row.iter().map(|c| c.replace('|', "\\|")).collect();
                format!("| {} |", escaped.join(" | "))
            };
            writeln!(out, "{}", cells(&table.header))?;
            let rule: Vec<&str> = (0..table.header.len())
                .map(|k| {
                    if k > 0 && table.numeric {
                        "---:"
                    } else {
                        "---"
                    }
                })
                .collect();
            writeln!(out, "|{}|", rule.join("|"))?;
            for row in &table.rows {
                writeln!(out, "{}", cells(row))?;
            }
        }
        Ok(())
    }

    /// The impact as tables: matrices of the outputs that changed, outputs changed,
    /// totals, the largest changes, the rules that fire differently.
    pub fn tables(&self) -> Vec<Table> {
        let i = self.impact;
        let mut tables: Vec<Table> = i
            .matrices
            .iter()
            .filter(|m| m.changed() > 0)
            .map(matrix_table)
            .collect();
        if let Some(t) = self.outputs_table() {
            tables.push(t);
        }
        if !i.totals.is_empty() {
            tables.push(self.totals_table());
        }
        if !i.largest.is_empty() {
            tables.push(self.largest_table());
        }
        if !i.rules.is_empty() {
            tables.push(rules_table(i));
        }
        tables
    }

    fn outputs_table(&self) -> Option<Table> {
        let changed: Vec<Vec<String>> = self
            .impact
            .outputs
            .iter()
            .filter(|o| o.changed > 0)
            .map(|o| vec![o.output.clone(), thousands(o.changed as f64)])
            .collect();
        (!changed.is_empty()).then(|| Table {
            title: "customers changed, per output".into(),
            header: vec!["output".into(), "customers".into()],
            rows: changed,
            numeric: true,
        })
    }

    fn totals_table(&self) -> Table {
        let rows = self
            .impact
            .totals
            .iter()
            .map(|t| {
                let shown = |x: Option<f64>| {
                    x.map_or("-".to_owned(), |x| {
                        amount(x, t.money, self.currency.as_deref())
                    })
                };
                let delta = t.delta();
                let mut change = if delta == 0.0 {
                    "0".to_owned()
                } else {
                    signed(delta, t.money)
                };
                let percent = t.before.filter(|_| delta != 0.0);
                if let Some(p) = percent.and_then(|b| crate::text::percent_change(delta, b)) {
                    change.push_str(&format!(" ({p:+.1}%)"));
                }
                vec![t.name.clone(), shown(t.before), shown(t.after), change]
            })
            .collect();
        Table {
            title: "totals".into(),
            header: ["total", "before", "after", "change"]
                .map(String::from)
                .to_vec(),
            rows,
            numeric: true,
        }
    }

    fn largest_table(&self) -> Table {
        let rows = self
            .impact
            .largest
            .iter()
            .take(SHOWN)
            .map(|c| {
                let mut moved: Vec<String> = c
                    .changes
                    .iter()
                    .take(CHANGES_SHOWN)
                    .map(|c| format!("{} {} -> {}", c.output, c.shown.0, c.shown.1))
                    .collect();
                if c.changes.len() > CHANGES_SHOWN {
                    moved.push(format!("{} more", c.changes.len() - CHANGES_SHOWN));
                }
                let money: Vec<String> = (c.money_changes.iter())
                    .map(|(name, delta)| format!("{name} {}", signed(*delta, true)))
                    .collect();
                let money = match money.is_empty() {
                    true => "-".to_owned(),
                    false => money.join(", "),
                };
                vec![c.customer.clone(), money, moved.join(", ")]
            })
            .collect();
        Table {
            title: format!(
                "largest changes (by the money totals' changes added up either way, then outputs changed; {} of {})",
                self.impact.largest.len().min(SHOWN),
                thousands(self.impact.customers_changed as f64)
            ),
            header: ["customer", "money totals changed", "what changed"]
                .map(String::from)
                .to_vec(),
            rows,
            numeric: false,
        }
    }
}

/// How wide a matrix may be drawn (characters): past it, its moves are listed instead (an
/// output of reasons, `pin #12 by J. Smith until 2026-12-31`, drew lines of 1,500).
const MATRIX_WIDTH: usize = 120;

fn matrix_table(m: &Matrix) -> Table {
    let width: usize = (m.labels.iter())
        .map(|l| l.chars().count().max(5) + 2)
        .sum();
    if width > MATRIX_WIDTH {
        return moves_table(m);
    }
    let mut header = vec![format!("{} before \\ after", m.output)];
    header.extend(m.labels.iter().cloned());
    let rows = m
        .labels
        .iter()
        .zip(&m.counts)
        .filter(|(_, row)| row.iter().any(|&n| n > 0))
        .map(|(value, row)| {
            let mut cells = vec![value.clone()];
            cells.extend(row.iter().map(|&n| thousands(n as f64)));
            cells
        })
        .collect();
    Table {
        title: changed_title(m),
        header,
        rows,
        numeric: true,
    }
}

/// `tier: 1,204 customers changed`: a matrix's title, drawn or listed.
fn changed_title(m: &Matrix) -> String {
    format!(
        "{}: {} changed",
        m.output,
        crate::text::customers(m.changed())
    )
}

/// A matrix too wide to draw, as its moves: from, to and how many customers, most first.
fn moves_table(m: &Matrix) -> Table {
    let moves = m.moves();
    let label = |k: usize| m.labels.get(k).cloned().unwrap_or_default();
    Table {
        title: changed_title(m),
        header: ["before", "after", "customers"].map(String::from).to_vec(),
        rows: (moves.iter())
            .map(|&(n, r, c)| vec![label(r), label(c), thousands(n as f64)])
            .collect(),
        numeric: false,
    }
}

fn rules_table(i: &Impact) -> Table {
    let mut rows: Vec<Vec<String>> = i
        .rules
        .iter()
        .take(SHOWN * 2)
        .map(|r| {
            vec![
                r.rule.clone(),
                thousands(r.before as f64),
                thousands(r.after as f64),
                signed(r.after as f64 - r.before as f64, false),
            ]
        })
        .collect();
    if i.rules.len() > SHOWN * 2 {
        rows.push(vec![
            format!("... {} more (--format json)", i.rules.len() - SHOWN * 2),
            String::new(),
            String::new(),
            String::new(),
        ]);
    }
    Table {
        title: "rules firing for more or fewer customers".into(),
        header: ["rule", "before", "after", "change"]
            .map(String::from)
            .to_vec(),
        rows,
        numeric: true,
    }
}

/// Columns padded to their widest cell; numbers right-aligned.
fn write_aligned(out: &mut dyn Write, table: &Table) -> io::Result<()> {
    let columns = table.header.len();
    let width = |k: usize| {
        std::iter::once(&table.header)
            .chain(&table.rows)
            .map(|r| r.get(k).map_or(0, |c| c.chars().count()))
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..columns).map(width).collect();
    for row in std::iter::once(&table.header).chain(&table.rows) {
        let mut line = String::from(" ");
        for (k, cell) in row.iter().enumerate() {
            let w = widths[k];
            let last = k + 1 == columns;
            if k > 0 && table.numeric {
                line.push_str(&format!(" {cell:>w$}"));
            } else if last {
                line.push_str(&format!(" {cell}"));
            } else {
                line.push_str(&format!(" {cell:<w$}"));
            }
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}
