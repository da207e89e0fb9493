//! The page around the sections: what the report is about, the styles (screen and print),
//! and numbers for people.

use super::Section;
use super::gather::Figures;
use super::svg::esc;
use crate::text::thousands;
use std::fmt::Write;

/// Where the figures come from.
#[derive(Debug, Clone, Default)]
pub struct Meta {
    pub fingerprint: String,
    pub as_of: String,
    pub period: String,
    /// The rule files' names.
    pub files: Vec<String>,
    pub rules_dir: String,
    pub database: String,
    /// How money is labelled (the config's `currency`).
    pub currency: Option<String>,
    /// What the reader should know first (these rules are not those of the period's run).
    pub note: Option<String>,
    /// What `run` warns about in these customers and their history (an extract cut short,
    /// ids that differ only in case, a percentage compared with a share), a line each.
    pub data_notes: Vec<String>,
}

/// What every section draws from.
pub struct Page {
    pub meta: Meta,
    pub figures: Figures,
    /// The impact of the rules against a base (`--base REF`), when asked.
    pub diff: Option<super::diff::Diff>,
}

/// The most columns a table prints with on a portrait A4 page (a section with a wider
/// one prints on a landscape page: 8 tiers' totals were cut at the fourth tier).
pub const PORTRAIT_COLUMNS: usize = 7;

const STYLE: &str = r#"
:root { --ink: #1d2733; --muted: #5b6673; --line: #d9dee4; --band: #f4f6f8; --accent: #1f4e79; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: #fff; }
header, main { max-width: 1120px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 20px; border-bottom: 2px solid var(--accent); }
header h1 { margin: 0 0 4px; font-size: 24px; }
header p { margin: 0 0 12px; color: var(--muted); }
nav { margin: 0 0 10px; font-size: 13px; }
nav a { color: var(--accent); margin-right: 14px; text-decoration: none; }
section { padding: 18px 0 8px; border-bottom: 1px solid var(--line); }
section h2 { font-size: 19px; margin: 0 0 10px; }
section h3 { font-size: 15px; margin: 16px 0 6px; }
p.note { color: var(--muted); font-size: 13px; margin: 6px 0; }
p.missing, div.missing { background: #fff7e6; border-left: 4px solid #e69f00; padding: 6px 10px; font-size: 14px; }
.row { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
table { border-collapse: collapse; font-size: 14px; margin: 4px 0 8px; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { background: var(--band); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td:first-child, th:first-child { white-space: nowrap; }
.wide { max-width: 100%; overflow-x: auto; }
td.same { background: #eef2f6; font-weight: 600; }
/* Up and down said by a mark as well as a colour: colour-blind readers, high-contrast
   screens and black-and-white print lose the colours (read out, too). */
td.up { background: #cfe9d3; }
td.down { background: #f6d3cf; }
td.up::before { content: "\25B2\00A0"; color: #1e6b34; font-size: 0.8em; }
td.down::before { content: "\25BC\00A0"; color: #9b2c1f; font-size: 0.8em; }
tbody th { background: none; font-weight: 500; }
th.all, td.all { font-weight: 600; background: var(--band); }
.swatch { display: inline-block; width: 11px; height: 11px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; }
.legend span { margin-right: 14px; font-size: 13px; white-space: nowrap; }
svg.chart { max-width: 100%; height: auto; display: block; font: 12px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
svg.chart .grid { stroke: #e6e9ed; }
svg.chart .frame { stroke: #8a949e; }
svg.chart text { fill: #44505c; }
svg.chart text.title { fill: var(--ink); font-weight: 600; }
svg.chart .cut { stroke: #c0392b; stroke-dasharray: 4 3; }
svg.chart text.cut { fill: #c0392b; stroke: none; font-weight: 600; }
svg.chart .split { stroke: #333; stroke-dasharray: 6 4; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; font-size: 14px; }
dt { color: var(--muted); }
dd { margin: 0; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 13px; }
@media print {
  body { font-size: 11px; }
  header, main { max-width: none; padding: 0; }
  nav { display: none; }
  section { break-inside: avoid; page-break-inside: avoid; }
  section.long { break-inside: auto; page-break-inside: auto; }
  tr { break-inside: avoid; }
  .wide { overflow: visible; }
  table.list { width: 100%; font-size: 9px; }
  table.list th, table.list td { padding: 2px 4px; white-space: normal; overflow-wrap: break-word; }
  table.list td:first-child { white-space: nowrap; }
  a { color: inherit; text-decoration: none; }
  @page { size: A4; margin: 14mm; }
  section.landscape { page: landscape; }
  @page landscape { size: A4 landscape; margin: 12mm; }
  section.landscape table { font-size: 9px; }
  section.landscape th, section.landscape td { padding: 2px 5px; }
  /* Nothing is cut at the page's edge: a table wider than the paper wraps its headings,
     then its numbers. */
  th { white-space: normal; }
  td.num, th.num { white-space: normal; overflow-wrap: break-word; }
}
"#;

impl Page {
    /// The whole HTML document with `sections`.
    pub fn render(&self, sections: &[Box<dyn Section>]) -> String {
        let mut out = String::with_capacity(1 << 20);
        let m = &self.meta;
        let title = format!("tierwise report {} (as of {})", m.period, m.as_of);
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\
             <title>{}</title><style>{STYLE}</style></head><body>\n<header><h1>{}</h1><p>{} customers evaluated as of {} ({}) by rules {}</p><nav>",
            esc(&title),
            esc(&title),
            thousands(self.figures.customers as f64),
            esc(&m.as_of),
            esc(&m.period),
            esc(&m.fingerprint),
        );
        for s in sections {
            let _ = write!(out, "<a href=\"#{}\">{}</a>", esc(s.id()), esc(&s.title()));
        }
        out.push_str("</nav>");
        if let Some(note) = &m.note {
            let _ = write!(
                out,
                "<p class=\"note\"><strong>Note:</strong> {}</p>",
                esc(note)
            );
        }
        if let Some(note) = self.figures.left_out_note() {
            let _ = write!(out, "<p class=\"missing\">{}</p>", esc(&note));
        }
        if !m.data_notes.is_empty() {
            out.push_str("<div class=\"missing\"><strong>Warnings on the data</strong> (a run of it notes them; <code>run --strict</code> refuses it):<ul>");
            for line in &m.data_notes {
                let _ = write!(out, "<li>{}</li>", esc(line));
            }
            out.push_str("</ul></div>");
        }
        out.push_str("</header>\n<main>\n");
        for s in sections {
            let classes: Vec<&str> = [
                s.long().then_some("long"),
                (s.columns(self) > PORTRAIT_COLUMNS).then_some("landscape"),
            ]
            .into_iter()
            .flatten()
            .collect();
            let class = match classes.is_empty() {
                true => String::new(),
                false => format!(" class=\"{}\"", classes.join(" ")),
            };
            let _ = write!(
                out,
                "<section id=\"{id}\" data-section=\"{id}\"{class}><h2>{}</h2>",
                esc(&s.title()),
                id = esc(s.id())
            );
            s.body(self, &mut out);
            out.push_str("</section>\n");
        }
        out.push_str("</main></body></html>\n");
        out
    }

    /// `name (EUR)` for money, else `name`.
    pub fn unit(&self, name: &str, money: bool) -> String {
        match (&self.meta.currency, money) {
            (Some(c), true) => format!("{name} ({c})"),
            _ => name.to_owned(),
        }
    }
}

/// An amount for people: whole units with thousands separators from 1,000 up, two
/// decimals below.
pub fn amount(x: f64) -> String {
    if x.abs() >= 1000.0 {
        thousands(x.round())
    } else {
        thousands((x * 100.0).round() / 100.0)
    }
}

/// A count with thousands separators.
pub fn count(n: usize) -> String {
    thousands(n as f64)
}

/// A share as a percentage with one decimal.
pub fn share(part: f64, whole: f64) -> String {
    if whole == 0.0 {
        return "–".into();
    }
    let percent = 100.0 * part / whole;
    // A share that rounds to zero is 0.0%, not -0.0% (a tier whose credit notes outweigh).
    match format!("{percent:.1}%").as_str() {
        "-0.0%" => "0.0%".into(),
        shown => shown.into(),
    }
}

/// A paragraph saying that part of the report is not declared in the rules, and how to.
pub fn missing(out: &mut String, what: &str, how: &str) {
    let _ = write!(
        out,
        "<p class=\"missing\">Not shown: the rules declare no {} in <code>summary.report</code>. {}</p>",
        esc(what),
        esc(how)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_as_people_write_them() {
        assert_eq!(amount(36_796_816.69), "36,796,817");
        assert_eq!(amount(12.345), "12.35");
        assert_eq!(amount(-1500.0), "-1,500");
        assert_eq!(share(1.0, 8.0), "12.5%");
        assert_eq!(share(1.0, 0.0), "–");
        assert_eq!(share(-0.4, 1000.0), "0.0%");
        assert_eq!(share(-4.0, 100.0), "-4.0%");
    }
}
