//! The impact of the rules against a base (`tierwise report --base REF`): the same tables
//! `tierwise diff` prints, as HTML.

use super::Section;
use super::page::Page;
use super::svg::esc;
use crate::report::impact::{ImpactReport, Table};
use std::fmt::Write;

/// What `diff` found, ready to draw.
#[derive(Debug, Clone)]
pub struct Diff {
    pub headline: String,
    pub verdict: String,
    /// What to know before reading the figures (the periods the rules read hold what was
    /// recorded, not what these rules would have given): as `diff` says it.
    pub notes: Vec<String>,
    pub tables: Vec<Table>,
}

impl Diff {
    pub fn new(report: &ImpactReport) -> Diff {
        Diff {
            headline: report.headline(),
            verdict: report.verdict(),
            notes: report.impact.notes.clone(),
            tables: report.tables(),
        }
    }
}

pub struct DiffSection;

impl Section for DiffSection {
    fn id(&self) -> &str {
        "diff"
    }

    fn title(&self) -> String {
        "Impact of the rule change".into()
    }

    fn long(&self) -> bool {
        true
    }

    fn body(&self, page: &Page, out: &mut String) {
        let Some(diff) = &page.diff else {
            return;
        };
        let _ = write!(
            out,
            "<p>{}</p><p><strong>{}</strong></p>",
            esc(&diff.headline),
            esc(&diff.verdict)
        );
        for note in &diff.notes {
            let _ = write!(out, "<p class=\"note\">Note: {}</p>", esc(note));
        }
        for table in &diff.tables {
            let _ = write!(out, "<h3>{}</h3><table><tr>", esc(&table.title));
            for (k, h) in table.header.iter().enumerate() {
                let class = if k > 0 && table.numeric {
                    " class=\"num\""
                } else {
                    ""
                };
                let _ = write!(out, "<th{class}>{}</th>", esc(h));
            }
            out.push_str("</tr>");
            for row in &table.rows {
                out.push_str("<tr>");
                for (k, cell) in row.iter().enumerate() {
                    let class = if k > 0 && table.numeric {
                        " class=\"num\""
                    } else {
                        ""
                    };
                    let _ = write!(out, "<td{class}>{}</td>", esc(cell));
                }
                out.push_str("</tr>");
            }
            out.push_str("</table>");
        }
    }
}
