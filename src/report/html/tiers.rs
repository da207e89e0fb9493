//! Customers and value per tier (a table and a bar chart), and the summary's totals per
//! tier.

use super::Section;
use super::page::{Page, amount, count, missing, share};
use super::svg::{Frame, PALETTE, colour, esc};
use std::fmt::Write;

/// Customers and value per tier.
pub struct TierSection;

impl Section for TierSection {
    fn id(&self) -> &str {
        "tiers"
    }

    fn title(&self) -> String {
        "Tiers".into()
    }

    fn body(&self, page: &Page, out: &mut String) {
        let f = &page.figures;
        let Some(tiers) = &f.tiers else {
            missing(
                out,
                "tier output",
                "Add `tiers: tier` (and the tiers' order under summary.moves: `tier: [A, B, C]`).",
            );
            return;
        };
        let total_value: f64 = tiers.rows.iter().map(|r| r.value).sum();
        let value_name = f.value.as_ref().map(|(n, m)| (page.unit(n, *m), n.clone()));
        let _ = write!(
            out,
            "<div class=\"row\"><div class=\"wide\"><table><thead><tr><th scope=\"col\">{}</th><th class=\"num\" scope=\"col\">customers</th><th class=\"num\" scope=\"col\">share</th>",
            esc(&tiers.output)
        );
        if let Some((unit, name)) = &value_name {
            let _ = write!(
                out,
                "<th class=\"num\" scope=\"col\">{u}</th><th class=\"num\" scope=\"col\">share of {n}</th><th class=\"num\" scope=\"col\">average {u}</th>",
                u = esc(unit),
                n = esc(name)
            );
        }
        out.push_str("</tr></thead><tbody>");
        for (k, r) in tiers.rows.iter().enumerate() {
            let _ = write!(
                out,
                "<tr><th scope=\"row\"><span class=\"swatch\" style=\"background:{}\"></span><bdi>{}</bdi></th><td class=\"num\">{}</td><td class=\"num\">{}</td>",
                colour(&PALETTE, k),
                esc(&r.name),
                count(r.customers),
                share(r.customers as f64, f.customers as f64)
            );
            if value_name.is_some() {
                let average = if r.customers > 0 {
                    amount(r.value / r.customers as f64)
                } else {
                    "–".into()
                };
                let _ = write!(
                    out,
                    "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{average}</td>",
                    amount(r.value),
                    share(r.value, total_value)
                );
            }
            out.push_str("</tr>");
        }
        let _ = write!(
            out,
            "<tr><th scope=\"row\" class=\"all\">all</th><td class=\"num all\">{}</td><td class=\"num all\">{}</td>",
            count(f.customers),
            share(f.customers as f64, f.customers as f64)
        );
        if value_name.is_some() {
            let _ = write!(
                out,
                "<td class=\"num all\">{}</td><td class=\"num all\">{}</td><td class=\"num all\">{}</td>",
                amount(total_value),
                share(total_value, total_value),
                amount(total_value / f.customers.max(1) as f64)
            );
        }
        out.push_str("</tr></tbody></table></div>");
        bars(page, out, total_value);
        out.push_str("</div>");
        if !tiers.ordered {
            let _ = write!(
                out,
                "<p class=\"note\">Tiers by number of customers: give their order under <code>summary.moves</code> (<code>{}: [A, B, C]</code>, highest first) to show them in that order.</p>",
                esc(&tiers.output)
            );
        }
        if value_name.is_none() {
            missing(
                out,
                "value",
                "Add `value: { name: sales, of: annual_sales, money: true }` to show each tier's sales and the Pareto curve.",
            );
        }
    }
}

/// Each tier's share of customers and of the value, as bars.
fn bars(page: &Page, out: &mut String, total_value: f64) {
    let f = &page.figures;
    let Some(tiers) = &f.tiers else { return };
    let valued = f.value.is_some();
    let per = if valued { 2.0 } else { 1.0 };
    let bar = 16.0;
    let gap = 12.0;
    let frame = Frame {
        width: 340.0,
        height: 34.0 + tiers.rows.len() as f64 * (per * bar + gap),
        left: 70.0,
        right: 50.0,
        top: 26.0,
        bottom: 8.0,
    };
    frame.open(out, "tiers", "share of customers and value per tier");
    let (x0, x1) = frame.x_range();
    let value_name = f.value.as_ref().map_or(String::new(), |(n, _)| n.clone());
    let _ = write!(
        out,
        r##"<rect x="{x0}" y="6" width="11" height="11" fill="#1f4e79"/><text x="{}" y="16">customers</text>"##,
        x0 + 15.0
    );
    if valued {
        let _ = write!(
            out,
            r##"<rect x="{}" y="6" width="11" height="11" fill="#e69f00"/><text x="{}" y="16">{}</text>"##,
            x0 + 100.0,
            x0 + 115.0,
            esc(&value_name)
        );
    }
    let mut y = frame.top;
    for (k, r) in tiers.rows.iter().enumerate() {
        let mut shares = vec![(
            r.customers as f64 / f.customers.max(1) as f64,
            colour(&PALETTE, k),
        )];
        if valued {
            let s = if total_value > 0.0 {
                r.value / total_value
            } else {
                0.0
            };
            shares.push((s, "#e69f00"));
        }
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            x0 - 8.0,
            y + per * bar / 2.0 + 4.0,
            esc(&r.name)
        );
        for (s, fill) in shares {
            let w = (x1 - x0) * s.clamp(0.0, 1.0);
            let _ = write!(
                out,
                r#"<rect x="{x0}" y="{y:.1}" width="{w:.1}" height="{}" fill="{fill}"/><text x="{:.1}" y="{:.1}">{:.1}%</text>"#,
                bar - 2.0,
                x0 + w + 4.0,
                y + bar - 5.0,
                s * 100.0
            );
            y += bar;
        }
        y += gap;
    }
    out.push_str("</svg>");
}

/// The summary's totals per tier.
pub struct TotalsSection;

impl Section for TotalsSection {
    fn id(&self) -> &str {
        "totals"
    }

    fn title(&self) -> String {
        "Totals per tier".into()
    }

    fn columns(&self, page: &Page) -> usize {
        (page.figures.tiers.as_ref()).map_or(0, |t| t.rows.len() + 2)
    }

    fn body(&self, page: &Page, out: &mut String) {
        let f = &page.figures;
        let Some(tiers) = &f.tiers else {
            out.push_str("<p class=\"note\">No tier output: see Tiers.</p>");
            return;
        };
        if f.totals.is_empty() {
            out.push_str("<p class=\"missing\">Not shown: the rules declare no <code>summary.totals</code>.</p>");
            return;
        }
        out.push_str("<div class=\"wide\"><table><thead><tr><th scope=\"col\">total</th>");
        for r in &tiers.rows {
            let _ = write!(
                out,
                "<th class=\"num\" scope=\"col\"><bdi>{}</bdi></th>",
                esc(&r.name)
            );
        }
        out.push_str("<th class=\"num\" scope=\"col\">all</th></tr></thead><tbody>");
        for (k, (name, money)) in f.totals.iter().enumerate() {
            let _ = write!(
                out,
                "<tr><th scope=\"row\">{}</th>",
                esc(&page.unit(name, *money))
            );
            // Money to the cent, as `run` prints it (whole units dropped the cents, and a
            // row of them did not add up to its `all`); other totals as they are.
            let shown = |v: f64| match money {
                true => crate::text::cents(crate::text::to_cents(v)),
                false => crate::text::thousands(v),
            };
            let mut all = 0.0;
            for r in &tiers.rows {
                let v = r.totals.get(k).copied().unwrap_or(0.0);
                all += v;
                let _ = write!(out, "<td class=\"num\">{}</td>", shown(v));
            }
            let _ = write!(out, "<td class=\"num all\">{}</td></tr>", shown(all));
        }
        out.push_str("</tbody></table></div><p class=\"note\">Each total is the sum over the tier's customers of the expression under <code>summary.totals</code>; money is in the config's <code>currency</code>.</p>");
    }
}
