//! The lists of customers to act on (alerts, win-back proposals), and what produced the
//! report.

use super::Section;
use super::gather::LIST_ROWS;
use super::page::{Page, amount, count, missing};
use super::svg::esc;
use std::fmt::Write;

pub struct ListsSection;

impl Section for ListsSection {
    fn id(&self) -> &str {
        "lists"
    }

    fn title(&self) -> String {
        "Customers to act on".into()
    }

    fn long(&self) -> bool {
        true
    }

    fn body(&self, page: &Page, out: &mut String) {
        let f = &page.figures;
        if f.lists.is_empty() {
            missing(
                out,
                "lists",
                "Add `lists: [{ name: alerts, when: alerts, show: [tier, alerts] }]`: the customers for whom an output is set.",
            );
            return;
        }
        let value = f.value.as_ref().map(|(n, m)| page.unit(n, *m));
        for list in &f.lists {
            let order = match &f.value {
                Some((name, _)) => format!("largest {name} first"),
                None => "in the customer source's order".into(),
            };
            let shown = if list.count > list.rows.len() {
                format!(": the first {} ({order})", count(list.rows.len()))
            } else if list.count > 0 {
                format!(" ({order})")
            } else {
                String::new()
            };
            let _ = write!(
                out,
                "<h3>{}: {} customers{}</h3>",
                esc(&list.name),
                count(list.count),
                esc(&shown)
            );
            if list.rows.is_empty() {
                continue;
            }
            // A list shows as many outputs as `show:` names: wider than the page, it
            // scrolls on screen and wraps its texts on paper (A4 cut its last columns).
            out.push_str("<div class=\"wide\"><table class=\"list\"><thead><tr><th>customer</th>");
            if let Some(v) = &value {
                let _ = write!(out, "<th class=\"num\">{}</th>", esc(v));
            }
            for s in &list.show {
                let _ = write!(out, "<th>{}</th>", esc(s));
            }
            out.push_str("</tr></thead><tbody>");
            for (id, v, cells) in &list.rows {
                let _ = write!(out, "<tr><td>{}</td>", esc(id));
                if let Some(v) = v {
                    let _ = write!(out, "<td class=\"num\">{}</td>", amount(*v));
                }
                for c in cells {
                    let _ = write!(out, "<td>{}</td>", esc(c));
                }
                out.push_str("</tr>");
            }
            out.push_str("</tbody></table></div>");
        }
        let _ = write!(
            out,
            "<p class=\"note\">At most {LIST_ROWS} customers per list are shown; the count is every customer on it.</p>"
        );
    }
}

/// The run's fingerprint, date, period and rule files.
pub struct AboutSection;

impl Section for AboutSection {
    fn id(&self) -> &str {
        "about"
    }

    fn title(&self) -> String {
        "About this report".into()
    }

    fn body(&self, page: &Page, out: &mut String) {
        let m = &page.meta;
        let files: Vec<String> = m.files.iter().map(|f| esc(f)).collect();
        let _ = write!(
            out,
            "<dl><dt>rules fingerprint</dt><dd>{}</dd><dt>as of</dt><dd>{}</dd><dt>period</dt><dd>{}</dd><dt>customers</dt><dd>{}</dd><dt>rules</dt><dd>{}</dd><dt>rule files</dt><dd>{}</dd><dt>database</dt><dd>{}</dd><dt>currency</dt><dd>{}</dd></dl>",
            esc(&m.fingerprint),
            esc(&m.as_of),
            esc(&m.period),
            count(page.figures.customers),
            esc(&m.rules_dir),
            files.join("<br>"),
            esc(&m.database),
            esc(m
                .currency
                .as_deref()
                .unwrap_or("(none: set `currency` in the config)")),
        );
        out.push_str("<p class=\"note\">Every customer evaluated by the rules in force, as <code>tierwise run</code> would for this date (nothing is written). What is drawn and which outputs are listed is declared under <code>summary.report</code> in the rules.</p>");
    }
}
