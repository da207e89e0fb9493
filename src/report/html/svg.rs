//! Drawing charts as SVG text: scales (linear or logarithmic), axes with ticks for people,
//! and escaping. No script, no external resource: the page prints as it shows.

use std::fmt::Write;

/// Text safe inside HTML or SVG (element content and quoted attributes).
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A number on an axis, short: `250`, `1.5k`, `2M`, `0.25`.
pub fn short(x: f64) -> String {
    let a = x.abs();
    let (v, unit) = if a >= 1e9 {
        (x / 1e9, "B")
    } else if a >= 1e6 {
        (x / 1e6, "M")
    } else if a >= 1e4 {
        (x / 1e3, "k")
    } else {
        (x, "")
    };
    let text = if v == v.trunc() || v.abs() >= 10.0 {
        format!("{v:.0}")
    } else if v.abs() < 0.01 {
        // Two significant digits: a log axis's 0.0001 and 0.001 both read `0`.
        let decimals = (-v.abs().log10()).floor() as usize + 2;
        let t = format!("{v:.decimals$}");
        t.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        let t = format!("{v:.2}");
        t.trim_end_matches('0').trim_end_matches('.').to_owned()
    };
    format!("{text}{unit}")
}

/// Maps values to pixels along one axis.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    lo: f64,
    hi: f64,
    /// Pixels of `lo` and `hi` (the y axis runs downwards: `from` > `to`).
    from: f64,
    to: f64,
    pub log: bool,
}

impl Scale {
    pub fn linear(lo: f64, hi: f64, from: f64, to: f64) -> Scale {
        let hi = if hi > lo { hi } else { lo + 1.0 };
        Scale {
            lo,
            hi,
            from,
            to,
            log: false,
        }
    }

    /// A log scale over `lo..hi` (both > 0), widened to whole powers of ten.
    pub fn log(lo: f64, hi: f64, from: f64, to: f64) -> Scale {
        let lo = 10f64.powf(lo.max(f64::MIN_POSITIVE).log10().floor());
        let hi = 10f64.powf(hi.max(lo * 10.0).log10().ceil());
        Scale {
            lo: lo.log10(),
            hi: hi.log10(),
            from,
            to,
            log: true,
        }
    }

    /// The pixel of `v` (values outside the range are clamped to it).
    pub fn px(&self, v: f64) -> f64 {
        let v = if self.log { v.max(1e-300).log10() } else { v };
        let t = ((v - self.lo) / (self.hi - self.lo)).clamp(0.0, 1.0);
        self.from + t * (self.to - self.from)
    }

    /// About `n` round values to label the axis with.
    pub fn ticks(&self, n: usize) -> Vec<f64> {
        if self.log {
            let (lo, hi) = (self.lo.round() as i32, self.hi.round() as i32);
            let step = ((hi - lo) as usize).div_ceil(n.max(1)).max(1);
            return (lo..=hi).step_by(step).map(|e| 10f64.powi(e)).collect();
        }
        let span = self.hi - self.lo;
        let raw = span / n.max(1) as f64;
        let mag = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 2.5, 5.0, 10.0]
            .iter()
            .map(|m| m * mag)
            .find(|s| span / s <= n as f64)
            .unwrap_or(mag * 10.0);
        // Multiples of the step, rounded to its precision (0.6, not 0.6000000000000001).
        let digits = (-step.log10().floor()).max(0.0) as i32 + 1;
        let round = |v: f64| (v * 10f64.powi(digits)).round() / 10f64.powi(digits);
        let first = (self.lo / step - 1e-9).ceil() as i64;
        let last = (self.hi / step + 1e-9).floor() as i64;
        (first..=last).map(|k| round(k as f64 * step)).collect()
    }
}

/// The plot area of a chart: its size and margins, in pixels.
#[derive(Debug, Clone, Copy)]
pub struct Frame {
    pub width: f64,
    pub height: f64,
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
}

impl Frame {
    pub fn x_range(&self) -> (f64, f64) {
        (self.left, self.width - self.right)
    }

    /// Bottom to top, in pixels.
    pub fn y_range(&self) -> (f64, f64) {
        (self.height - self.bottom, self.top)
    }

    /// `<svg ...>` opening a chart named `name` (tests and the browser check find charts by
    /// `data-chart`), with its title for screen readers.
    pub fn open(&self, out: &mut String, name: &str, title: &str) {
        let _ = write!(
            out,
            r#"<svg class="chart" data-chart="{name}" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{t}" xmlns="http://www.w3.org/2000/svg"><title>{t}</title>"#,
            w = self.width,
            h = self.height,
            t = esc(title)
        );
    }

    /// Gridlines, ticks and labels of both axes, and the axis titles.
    pub fn axes(&self, out: &mut String, x: &Scale, y: &Scale, x_title: &str, y_title: &str) {
        self.axes_with(out, x, y, x_title, y_title, &short, &short);
    }

    #[allow(clippy::too_many_arguments)]
    pub fn axes_with(
        &self,
        out: &mut String,
        x: &Scale,
        y: &Scale,
        x_title: &str,
        y_title: &str,
        x_label: &dyn Fn(f64) -> String,
        y_label: &dyn Fn(f64) -> String,
    ) {
        let (x0, x1) = self.x_range();
        let (y0, y1) = self.y_range();
        out.push_str(r#"<g class="axis">"#);
        for t in y.ticks(5) {
            let py = y.px(t);
            let _ = write!(
                out,
                r#"<line class="grid" x1="{x0}" x2="{x1}" y1="{py:.1}" y2="{py:.1}"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
                x0 - 6.0,
                py + 4.0,
                esc(&y_label(t))
            );
        }
        for t in x.ticks(6) {
            let px = x.px(t);
            let _ = write!(
                out,
                r#"<line class="grid" x1="{px:.1}" x2="{px:.1}" y1="{y0}" y2="{y1}"/><text x="{px:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                y0 + 16.0,
                esc(&x_label(t))
            );
        }
        let _ = write!(
            out,
            r#"<line class="frame" x1="{x0}" x2="{x1}" y1="{y0}" y2="{y0}"/><line class="frame" x1="{x0}" x2="{x0}" y1="{y0}" y2="{y1}"/>"#
        );
        let _ = write!(
            out,
            r#"<text class="title" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            (x0 + x1) / 2.0,
            self.height - 6.0,
            esc(x_title)
        );
        let _ = write!(
            out,
            r#"<text class="title" transform="translate(14 {:.1}) rotate(-90)" text-anchor="middle">{}</text>"#,
            (y0 + y1) / 2.0,
            esc(y_title)
        );
        out.push_str("</g>");
    }
}

/// A percentage axis label: `0%`, `25%`.
pub fn percent(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

/// Colours for values in order (tiers: the first is the darkest); then a greyish one for
/// values outside the order.
pub const PALETTE: [&str; 8] = [
    "#1f4e79", "#2e86c1", "#85c1e9", "#a9a9a9", "#e67e22", "#27ae60", "#8e44ad", "#c0392b",
];

/// Colours for categories (Okabe-Ito, readable by colour-blind readers).
pub const CATEGORIES: [&str; 8] = [
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#d55e00", "#56b4e9", "#000000", "#f0e442",
];

/// The `k`-th colour of `palette`, wrapping around.
pub fn colour(palette: &[&'static str], k: usize) -> &'static str {
    palette[k % palette.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_get_round_ticks_and_short_labels() {
        let s = Scale::linear(0.0, 1.0, 0.0, 100.0);
        assert_eq!(s.ticks(5), [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        let s = Scale::log(3.0, 2_500_000.0, 0.0, 100.0);
        assert_eq!(s.ticks(7), [1.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6, 1e7]);
        assert_eq!(s.px(1.0), 0.0);
        assert_eq!(s.px(1e7), 100.0);
        assert_eq!(short(2_500_000.0), "2.5M");
        assert_eq!(short(250_000.0), "250k");
        assert_eq!(short(0.25), "0.25");
        // A log axis's small ticks: 0.0001 and 0.001 both read `0`.
        assert_eq!(short(0.0001), "0.0001");
        assert_eq!(short(0.001), "0.001");
        assert_eq!(short(0.00016), "0.00016");
        assert_eq!(short(-0.005), "-0.005");
        assert_eq!(short(1500.0), "1500");
        assert_eq!(esc("<a & 'b'>"), "&lt;a &amp; &#39;b&#39;&gt;");
    }
}
