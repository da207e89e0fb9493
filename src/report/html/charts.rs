//! The Pareto curve with the tiers' cut points, and the quadrant scatter.

use super::Section;
use super::gather::Scatter;
use super::page::{Page, count, missing};
use super::svg::{CATEGORIES, Frame, Scale, colour, esc, percent, short};
use std::fmt::Write;

/// Cumulative share of the value against share of customers, largest first.
pub struct ParetoSection;

impl Section for ParetoSection {
    fn id(&self) -> &str {
        "pareto"
    }

    fn title(&self) -> String {
        "Pareto curve".into()
    }

    fn body(&self, page: &Page, out: &mut String) {
        let f = &page.figures;
        let (Some(p), Some((name, _))) = (&f.pareto, &f.value) else {
            missing(
                out,
                "value",
                "Add `value: { name: sales, of: annual_sales, money: true }` to draw the Pareto curve.",
            );
            return;
        };
        let frame = Frame {
            width: 620.0,
            height: 400.0,
            left: 56.0,
            right: 20.0,
            top: 16.0,
            bottom: 44.0,
        };
        let (x0, x1) = frame.x_range();
        let (y0, y1) = frame.y_range();
        let x = Scale::linear(0.0, 1.0, x0, x1);
        let y = Scale::linear(0.0, 1.0, y0, y1);
        out.push_str("<div class=\"row\">");
        frame.open(out, "pareto", &format!("cumulative share of {name}"));
        frame.axes_with(
            out,
            &x,
            &y,
            "share of customers (largest first)",
            &format!("cumulative share of {name}"),
            &percent,
            &percent,
        );
        let _ = write!(
            out,
            r##"<line x1="{x0}" y1="{y0}" x2="{x1}" y2="{y1}" stroke="#b0b7bf" stroke-dasharray="3 3"/>"##
        );
        let mut d = String::with_capacity(p.points.len() * 14);
        for (k, (sx, sy)) in p.points.iter().enumerate() {
            let _ = write!(
                d,
                "{}{:.1} {:.1}",
                if k == 0 { "M" } else { "L" },
                x.px(*sx),
                y.px(*sy)
            );
        }
        let _ = write!(
            out,
            r##"<path d="{d}L{x1} {y0}L{x0} {y0}Z" fill="#2e86c1" fill-opacity="0.12" stroke="none"/><path class="curve" d="{d}" fill="none" stroke="#1f4e79" stroke-width="2.5"/>"##
        );
        for (k, (tier, sx, sy)) in p.cuts.iter().enumerate() {
            let (px, py) = (x.px(*sx), y.px(*sy));
            let label_y = y1 + 14.0 + 16.0 * (k % 3) as f64;
            // Labels near the right edge go on the left of their line.
            let (tx, anchor) = if *sx > 0.85 {
                (px - 4.0, "end")
            } else {
                (px + 4.0, "start")
            };
            let _ = write!(
                out,
                r##"<line class="cut" x1="{px:.1}" x2="{px:.1}" y1="{y0}" y2="{y1}"/><circle cx="{px:.1}" cy="{py:.1}" r="4" fill="#c0392b"/><text class="cut" x="{tx:.1}" y="{label_y:.1}" text-anchor="{anchor}">end of {}</text>"##,
                esc(tier)
            );
        }
        out.push_str("</svg>");
        out.push_str("<table><thead><tr><th>cut</th><th class=\"num\">customers above it</th>");
        let _ = write!(
            out,
            "<th class=\"num\">their share of {}</th></tr></thead><tbody>",
            esc(name)
        );
        for (tier, sx, sy) in &p.cuts {
            let _ = write!(
                out,
                "<tr><td>end of {}</td><td class=\"num\">{:.1}%</td><td class=\"num\">{:.1}%</td></tr>",
                esc(tier),
                sx * 100.0,
                sy * 100.0
            );
        }
        let unit = esc(&page.unit(name, f.value.as_ref().is_some_and(|v| v.1)));
        let negative = match p.negative {
            (0, _) => String::new(),
            (n, sum) => format!(
                " {} below 0 (credit notes) and {} as 0 on the curve, so its total is {} more than the sum in the Tiers table.",
                match n {
                    1 => format!("1 customer's {unit} is"),
                    n => format!("{} customers' {unit} are", crate::text::thousands(n as f64)),
                },
                if n == 1 { "counts" } else { "count" },
                super::page::amount(-sum)
            ),
        };
        let _ = write!(
            out,
            "</tbody></table></div><p class=\"note\">Customers sorted by {unit}, largest first; each cut sits where a tier's number of customers ends (tiers in the rules' order). The dashed diagonal is an equal share for every customer. Total {unit}: {}.{negative}</p>",
            super::page::amount(p.total),
        );
    }
}

/// The value x loyalty quadrant as a scatter.
pub struct QuadrantSection;

impl Section for QuadrantSection {
    fn id(&self) -> &str {
        "quadrant"
    }

    fn title(&self) -> String {
        "Quadrant".into()
    }

    fn body(&self, page: &Page, out: &mut String) {
        let Some(q) = &page.figures.quadrant else {
            missing(
                out,
                "quadrant",
                "Add `quadrant: { x: { name: sales, of: annual_sales }, y: { name: loyalty, of: loyalty }, colour: segment }`.",
            );
            return;
        };
        scatter(page, q, out);
    }
}

/// An axis for `values`: logarithmic when the positive ones span more than three orders of
/// magnitude and are four fifths or more of them (values of 0 or less then cannot be drawn:
/// counted). One credit note made the axis linear, and most customers a line at 0.
fn axis(values: impl Iterator<Item = f64> + Clone, from: f64, to: f64) -> (Scale, usize) {
    let (lo, hi) = values
        .clone()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
            (l.min(v), h.max(v))
        });
    if !lo.is_finite() {
        return (Scale::linear(0.0, 1.0, from, to), 0);
    }
    let min_positive = values
        .clone()
        .filter(|v| *v > 0.0)
        .fold(f64::INFINITY, f64::min);
    let off = values.clone().filter(|v| *v <= 0.0).count();
    if min_positive.is_finite() && hi / min_positive >= 1000.0 && off * 5 <= values.count() {
        return (Scale::log(min_positive, hi, from, to), off);
    }
    (Scale::linear(lo.min(0.0), hi, from, to), 0)
}

fn scatter(page: &Page, q: &Scatter, out: &mut String) {
    let frame = Frame {
        width: 700.0,
        height: 440.0,
        left: 60.0,
        right: 20.0,
        top: 16.0,
        bottom: 44.0,
    };
    let (x0, x1) = frame.x_range();
    let (y0, y1) = frame.y_range();
    let (x, x_off) = axis(q.points.iter().map(|p| p.0), x0, x1);
    let (y, y_off) = axis(q.points.iter().map(|p| p.1), y0, y1);
    let title = |axis: &(String, bool), s: &Scale| {
        let t = page.unit(&axis.0, axis.1);
        if s.log { format!("{t}, log scale") } else { t }
    };
    frame.open(out, "quadrant", &format!("{} against {}", q.y.0, q.x.0));
    frame.axes(out, &x, &y, &title(&q.x, &x), &title(&q.y, &y));
    // One path per category, a dot per customer: small, and quick to draw.
    let mut paths = vec![String::new(); q.categories.len().max(1)];
    for &(px, py, c) in &q.points {
        if (x.log && px <= 0.0) || (y.log && py <= 0.0) {
            continue;
        }
        let _ = write!(paths[c as usize], "M{:.1} {:.1}h0", x.px(px), y.px(py));
    }
    for (k, d) in paths.iter().enumerate() {
        if !d.is_empty() {
            let _ = write!(
                out,
                r#"<path class="points" d="{d}" stroke="{}" stroke-width="3.4" stroke-linecap="round" stroke-opacity="0.55" fill="none"/>"#,
                colour(&CATEGORIES, q.palette.get(k).copied().unwrap_or(k))
            );
        }
    }
    if let Some(v) = q.split.0 {
        let px = x.px(v);
        let _ = write!(
            out,
            r#"<line class="split" x1="{px:.1}" x2="{px:.1}" y1="{y0}" y2="{y1}"/>"#
        );
    }
    if let Some(v) = q.split.1 {
        let py = y.px(v);
        let _ = write!(
            out,
            r#"<line class="split" x1="{x0}" x2="{x1}" y1="{py:.1}" y2="{py:.1}"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            x1 - 4.0,
            py - 5.0,
            short(v)
        );
    }
    out.push_str("</svg>");
    legend(q, out);
    let mut notes = Vec::new();
    if q.points.len() < q.plotted_of {
        notes.push(format!(
            "A random sample of {} of the {} customers is drawn (each customer equally likely; the same data gives the same sample); the legend counts every customer.",
            count(q.points.len()),
            count(q.plotted_of)
        ));
    } else if x_off == 0 && y_off == 0 {
        notes.push(format!(
            "Every customer is drawn ({}).",
            count(q.plotted_of)
        ));
    } else {
        notes.push(format!("All {} customers are taken.", count(q.plotted_of)));
    }
    for (off, axis) in [(x_off, &q.x), (y_off, &q.y)] {
        if off > 0 {
            notes.push(format!(
                "{} of them {} {} of 0 or less, or none (NULL), which a log scale cannot show: {} left out.",
                count(off),
                if off == 1 { "has" } else { "have" },
                axis.0,
                if off == 1 { "it is" } else { "they are" }
            ));
        }
    }
    let _ = write!(out, "<p class=\"note\">{}</p>", esc(&notes.join(" ")));
}

fn legend(q: &Scatter, out: &mut String) {
    let Some(colour_by) = &q.colour else {
        return;
    };
    let _ = write!(
        out,
        "<p class=\"legend\"><strong>{}</strong>: ",
        esc(colour_by)
    );
    let total: usize = q.categories.iter().map(|c| c.1).sum();
    // Each name isolated (`<bdi>`): two right-to-left names in a row (Arabic, Hebrew) ran
    // together with the numbers between them, and each swatch stood by the other's name.
    for (k, (name, n)) in q.categories.iter().enumerate() {
        let _ = write!(
            out,
            "<span><span class=\"swatch\" style=\"background:{}\"></span><bdi>{}</bdi> {} ({})</span>",
            colour(&CATEGORIES, q.palette.get(k).copied().unwrap_or(k)),
            esc(name),
            count(*n),
            super::page::share(*n as f64, total as f64)
        );
    }
    out.push_str("</p>");
}
