//! Tier migration since the previous period: the matrix (previous tier by current tier) and
//! the same counts as a flow chart.

use super::Section;
use super::gather::Migration;
use super::page::{Page, count};
use super::svg::{Frame, PALETTE, colour, esc};
use std::fmt::Write;

pub struct MigrationSection;

impl Section for MigrationSection {
    fn id(&self) -> &str {
        "migration"
    }

    fn title(&self) -> String {
        "Tier migration".into()
    }

    fn columns(&self, page: &Page) -> usize {
        match (&page.figures.tiers, &page.figures.migration) {
            // The tiers now, a row's tier then, `gone` and `all`.
            (Some(t), Some(Migration::Counts { .. })) => t.rows.len() + 3,
            _ => 0,
        }
    }

    fn body(&self, page: &Page, out: &mut String) {
        let Some(tiers) = &page.figures.tiers else {
            out.push_str("<p class=\"note\">No tier output: see Tiers.</p>");
            return;
        };
        let (since, from, counts, gone) = match &page.figures.migration {
            None => {
                out.push_str("<p class=\"note\">No earlier period to compare with.</p>");
                return;
            }
            Some(Migration::NoRun { period }) => {
                let _ = write!(
                    out,
                    "<p class=\"note\">No run of {} to compare with: <code>tierwise run --as-of</code> a day of {} first.</p>",
                    esc(period),
                    esc(period)
                );
                return;
            }
            Some(Migration::Without(what)) => {
                let _ = write!(out, "<p class=\"note\">{}.</p>", esc(what));
                return;
            }
            Some(Migration::Unreadable(why)) => {
                let _ = write!(
                    out,
                    "<p class=\"missing\">The previous period's run could not be read: {}</p>",
                    esc(why)
                );
                return;
            }
            Some(Migration::Counts {
                since,
                from,
                counts,
                gone,
            }) => (since, from, counts, gone),
        };
        let to: Vec<&str> = tiers.rows.iter().map(|r| r.name.as_str()).collect();
        let o = esc(&tiers.output);
        // Up and down only where the rules give an order, and only between its values.
        let key = match tiers.ranked {
            0 => String::new(),
            n => format!(
                " <span class=\"swatch\" style=\"background:#cfe9d3\"></span>▲ up <span class=\"swatch\" style=\"background:#f6d3cf\"></span>▼ down, in the rules' order of {o}{}.",
                if n < to.len() {
                    " (a move from or to a value it does not list is neither, as `run` counts it)"
                } else {
                    ""
                }
            ),
        };
        let _ = write!(
            out,
            "<p>Customers by their {o} in {since} (rows) and now (columns); <em>gone</em>: {since}'s customers no longer in the data; <em>all</em>: the row's customers in {since}, gone included (the column: now).{key}</p><div class=\"row\">",
            since = esc(since)
        );
        matrix(out, since, from, &to[..tiers.ranked], &to, counts, gone);
        flow(out, since, from, &to, counts, gone);
        out.push_str("</div>");
    }
}

/// `ranked`: the tiers of the rules' order (the first of `to`), between which a move is up
/// or down; a move from or to another value is neither, as `run` counts it.
fn matrix(
    out: &mut String,
    since: &str,
    from: &[String],
    ranked: &[&str],
    to: &[&str],
    counts: &[Vec<usize>],
    gone: &[usize],
) {
    let _ = write!(
        out,
        "<div class=\"wide\"><table class=\"matrix\"><thead><tr><th scope=\"col\">{} \\ now</th>",
        esc(since)
    );
    for t in to {
        let _ = write!(
            out,
            "<th class=\"num\" scope=\"col\"><bdi>{}</bdi></th>",
            esc(t)
        );
    }
    // `all` last, gone included: a row adds up to the tier's count in the earlier period,
    // as that period's report gave it.
    out.push_str(
        "<th class=\"num\" scope=\"col\">gone</th><th class=\"num\" scope=\"col\">all</th></tr></thead><tbody>",
    );
    let rank = |name: &str| ranked.iter().position(|t| *t == name);
    for (r, name) in from.iter().enumerate() {
        let _ = write!(out, "<tr><th scope=\"row\"><bdi>{}</bdi></th>", esc(name));
        for (c, n) in counts[r].iter().enumerate() {
            let class = match rank(name) {
                _ if to[c] == name => " same",
                Some(b) if c < b && *n > 0 => " up",
                Some(_) if c < ranked.len() && *n > 0 => " down",
                _ => "",
            };
            let _ = write!(out, "<td class=\"num{class}\">{}</td>", count(*n));
        }
        let gone = gone.get(r).copied().unwrap_or(0);
        let _ = write!(
            out,
            "<td class=\"num\">{}</td><td class=\"num all\">{}</td></tr>",
            count(gone),
            count(counts[r].iter().sum::<usize>() + gone)
        );
    }
    out.push_str("<tr><th scope=\"row\" class=\"all\">all</th>");
    let mut all = 0;
    for c in 0..to.len() {
        let n: usize = counts.iter().map(|row| row[c]).sum();
        all += n;
        let _ = write!(out, "<td class=\"num all\">{}</td>", count(n));
    }
    let gone: usize = gone.iter().sum();
    let _ = write!(
        out,
        "<td class=\"num all\">{}</td><td class=\"num all\">{}</td></tr></tbody></table></div>",
        count(gone),
        count(all + gone)
    );
}

/// The matrix as bands from the previous tiers (left) to the current ones (right), each as
/// wide as its number of customers; the gone customers flow to a grey `gone` node at the
/// bottom right, so that each left node is the tier's count in the earlier period.
fn flow(
    out: &mut String,
    since: &str,
    from: &[String],
    tiers: &[&str],
    counts: &[Vec<usize>],
    gone: &[usize],
) {
    let (mut to, mut with_gone) = (tiers.to_vec(), counts.to_vec());
    if gone.iter().any(|&n| n > 0) {
        to.push("gone");
        for (r, row) in with_gone.iter_mut().enumerate() {
            row.push(gone.get(r).copied().unwrap_or(0));
        }
    }
    let (to, counts) = (&to[..], &with_gone[..]);
    let total: usize = counts.iter().flatten().sum();
    if total == 0 {
        return;
    }
    let frame = Frame {
        width: 460.0,
        height: 360.0,
        left: 110.0,
        right: 110.0,
        top: 28.0,
        bottom: 12.0,
    };
    let (xl, xr) = frame.x_range();
    let gap = 8.0;
    let height = frame.height - frame.top - frame.bottom;
    // Every node takes at least `least` pixels, so that small ones keep a readable label.
    let least = 14.0;
    let nodes = from.len().max(to.len()) as f64;
    let scale = (height - (gap + least) * nodes).max(nodes) / total as f64;
    let tier_colour = |name: &str| {
        tiers
            .iter()
            .position(|t| *t == name)
            .map_or("#a9a9a9", |k| colour(&PALETTE, k))
    };
    let left_sizes: Vec<usize> = counts.iter().map(|r| r.iter().sum()).collect();
    let right_sizes: Vec<usize> = (0..to.len())
        .map(|c| counts.iter().map(|r| r[c]).sum())
        .collect();
    let tops = |sizes: &[usize]| {
        let mut y = frame.top;
        sizes
            .iter()
            .map(|&n| {
                let top = y;
                if n > 0 {
                    y += (n as f64 * scale).max(least) + gap;
                }
                top
            })
            .collect::<Vec<f64>>()
    };
    let (left_tops, right_tops) = (tops(&left_sizes), tops(&right_sizes));
    frame.open(out, "flow", &format!("tier migration since {since}"));
    let _ = write!(
        out,
        r#"<text class="title" x="{xl}" y="16" text-anchor="middle">{}</text><text class="title" x="{xr}" y="16" text-anchor="middle">now</text>"#,
        esc(since)
    );
    let layout = Layout {
        scale,
        tops: (left_tops, right_tops),
        xs: (xl, xr),
    };
    // Bands first, nodes on top.
    layout.bands(out, from, to, counts, &tier_colour);
    let w = 12.0;
    let mut node = |x: f64, top: f64, n: usize, name: &str, anchor: &str, tx: f64| {
        if n == 0 {
            return;
        }
        let h = n as f64 * scale;
        let _ = write!(
            out,
            r#"<rect x="{:.1}" y="{top:.1}" width="{w}" height="{:.1}" fill="{}"/><text x="{tx:.1}" y="{:.1}" text-anchor="{anchor}">{} {}</text>"#,
            x - w / 2.0,
            h.max(1.0),
            tier_colour(name),
            top + h / 2.0 + 4.0,
            esc(name),
            count(n)
        );
    };
    for (r, name) in from.iter().enumerate() {
        node(xl, layout.tops.0[r], left_sizes[r], name, "end", xl - 10.0);
    }
    for (c, name) in to.iter().enumerate() {
        node(
            xr,
            layout.tops.1[c],
            right_sizes[c],
            name,
            "start",
            xr + 10.0,
        );
    }
    out.push_str("</svg>");
}

/// Where the flow chart's nodes sit: pixels per customer, each node's top (left, right) and
/// the two columns' x.
struct Layout {
    scale: f64,
    tops: (Vec<f64>, Vec<f64>),
    xs: (f64, f64),
}

impl Layout {
    /// A band per (previous, current) pair with customers, as wide as their number, stacked
    /// in order within each node.
    fn bands(
        &self,
        out: &mut String,
        from: &[String],
        to: &[&str],
        counts: &[Vec<usize>],
        tier_colour: &dyn Fn(&str) -> &'static str,
    ) {
        let mut left_used = vec![0.0; from.len()];
        let mut right_used = vec![0.0; to.len()];
        let w = 12.0;
        let (a, b) = (self.xs.0 + w / 2.0, self.xs.1 - w / 2.0);
        let mid = (a + b) / 2.0;
        for (r, row) in counts.iter().enumerate() {
            for (c, &n) in row.iter().enumerate() {
                if n == 0 {
                    continue;
                }
                let h = n as f64 * self.scale;
                let (l0, r0) = (
                    self.tops.0[r] + left_used[r],
                    self.tops.1[c] + right_used[c],
                );
                left_used[r] += h;
                right_used[c] += h;
                let _ = write!(
                    out,
                    r#"<path class="band" d="M{a:.1} {l0:.1}C{mid:.1} {l0:.1} {mid:.1} {r0:.1} {b:.1} {r0:.1}L{b:.1} {:.1}C{mid:.1} {:.1} {mid:.1} {:.1} {a:.1} {:.1}Z" fill="{}" fill-opacity="0.4"><title>{} to {}: {}</title></path>"#,
                    r0 + h,
                    r0 + h,
                    l0 + h,
                    l0 + h,
                    tier_colour(to[c]),
                    esc(&from[r]),
                    esc(to[c]),
                    count(n)
                );
            }
        }
    }
}
