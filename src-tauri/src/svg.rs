//! Small SVG charts drawn as text: line charts with quantile bands,
//! histograms and bar panels. Presentation attributes only (no `style`
//! attributes, no scripts), so the window's strict CSP allows them inline.

use std::fmt::Write;

/// Plan colours, in plan order (colour-blind-safe, Okabe and Ito).
pub const PALETTE: [&str; 8] = [
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000",
];

pub const WIDTH: f64 = 640.0;
pub const HEIGHT: f64 = 340.0;
const LEFT: f64 = 72.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 64.0;

/// Escapes text for an SVG text node or attribute.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A short label for an axis value: 1.2k, 3.4M, 0.5.
pub fn short(value: f64) -> String {
    let a = value.abs();
    if a >= 1e9 {
        format!("{:.1}G", value / 1e9)
    } else if a >= 1e6 {
        format!("{:.1}M", value / 1e6)
    } else if a >= 1e3 {
        format!("{:.1}k", value / 1e3)
    } else if a >= 10.0 || a == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.2}")
    }
}

/// About `count` round tick values covering `[min, max]`.
pub fn ticks(min: f64, max: f64, count: usize) -> Vec<f64> {
    if !(min.is_finite() && max.is_finite()) || max <= min {
        return vec![min];
    }
    let raw = (max - min) / count.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    let mut out = Vec::new();
    let mut t = (min / step).ceil() * step;
    while t <= max + step * 1e-9 && out.len() < 50 {
        out.push(if t.abs() < step * 1e-9 { 0.0 } else { t });
        t += step;
    }
    out
}

/// A linear map from data to pixels.
#[derive(Clone, Copy, Debug)]
struct Scale {
    d0: f64,
    d1: f64,
    p0: f64,
    p1: f64,
}

impl Scale {
    fn new((d0, d1): (f64, f64), (p0, p1): (f64, f64)) -> Scale {
        let (d0, d1) = if d1 > d0 {
            (d0, d1)
        } else {
            (d0 - 1.0, d0 + 1.0)
        };
        Scale { d0, d1, p0, p1 }
    }

    fn at(&self, v: f64) -> f64 {
        self.p0 + (v - self.d0) / (self.d1 - self.d0) * (self.p1 - self.p0)
    }
}

/// The extent of some values, widened a little, or (0, 1) when there are none.
fn extent(values: impl Iterator<Item = f64>, include_zero: bool) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if include_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    let pad = if hi > lo {
        (hi - lo) * 0.05
    } else {
        lo.abs().max(1.0) * 0.1
    };
    (if lo == 0.0 { 0.0 } else { lo - pad }, hi + pad)
}

/// The document: open tag with viewBox and accessible title.
fn open(out: &mut String, title: &str, width: f64, height: f64) {
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" font-family="sans-serif" font-size="11"><title>{}</title><rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>"##,
        escape(title)
    );
}

/// Axes with ticks and labels inside the plot area at (x, y, w, h).
#[allow(clippy::too_many_arguments)]
fn axes(
    out: &mut String,
    (x, y, w, h): (f64, f64, f64, f64),
    xs: Scale,
    ys: Scale,
    x_ticks: &[f64],
    y_ticks: &[f64],
    x_label: &str,
    y_label: &str,
) {
    for t in y_ticks {
        let py = ys.at(*t);
        let _ = write!(
            out,
            r##"<line x1="{x}" x2="{}" y1="{py:.1}" y2="{py:.1}" stroke="#e5e7eb"/><text x="{}" y="{:.1}" text-anchor="end" fill="#374151">{}</text>"##,
            x + w,
            x - 6.0,
            py + 4.0,
            short(*t)
        );
    }
    for t in x_ticks {
        let px = xs.at(*t);
        let _ = write!(
            out,
            r##"<line x1="{px:.1}" x2="{px:.1}" y1="{}" y2="{}" stroke="#9ca3af"/><text x="{px:.1}" y="{}" text-anchor="middle" fill="#374151">{}</text>"##,
            y + h,
            y + h + 4.0,
            y + h + 16.0,
            short(*t)
        );
    }
    let _ = write!(
        out,
        r##"<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="none" stroke="#9ca3af"/><text x="{}" y="{}" text-anchor="middle" fill="#111827">{}</text><text transform="translate(14 {}) rotate(-90)" text-anchor="middle" fill="#111827">{}</text>"##,
        x + w / 2.0,
        y + h + 32.0,
        escape(x_label),
        y + h / 2.0,
        escape(y_label)
    );
}

/// Where each legend entry goes: (row, x), wrapping at the chart's width.
fn legend_layout(names: &[String]) -> Vec<(usize, f64)> {
    let mut out = Vec::with_capacity(names.len());
    let (mut row, mut x) = (0, LEFT);
    for name in names {
        let width = 28.0 + 7.0 * name.chars().count() as f64;
        if x + width > WIDTH - RIGHT && x > LEFT {
            row += 1;
            x = LEFT;
        }
        out.push((row, x));
        x += width;
    }
    out
}

/// Extra height the legend needs beyond its first row.
fn legend_extra(names: &[String]) -> f64 {
    legend_layout(names)
        .last()
        .map_or(0.0, |(row, _)| *row as f64 * LEGEND_ROW)
}

const LEGEND_ROW: f64 = 18.0;

/// The legend under the plot, from baseline `y` on, wrapped into rows.
fn legend(out: &mut String, names: &[String], y: f64) {
    for ((i, name), (row, x)) in names.iter().enumerate().zip(legend_layout(names)) {
        let y = y + row as f64 * LEGEND_ROW;
        let _ = write!(
            out,
            r##"<rect x="{x}" y="{}" width="12" height="12" fill="{}"/><text x="{}" y="{y}" fill="#111827">{}</text>"##,
            y - 10.0,
            PALETTE[i % PALETTE.len()],
            x + 16.0,
            escape(name)
        );
    }
}

fn points(xs: Scale, ys: Scale, values: impl Iterator<Item = (f64, f64)>) -> String {
    let mut s = String::new();
    for (x, y) in values {
        let _ = write!(s, "{:.1},{:.1} ", xs.at(x), ys.at(y));
    }
    s.trim_end().to_owned()
}

/// One series of a fan chart: per day the 5th, 25th, 50th, 75th and 95th percentiles.
pub struct Fan {
    pub name: String,
    pub quantiles: Vec<[f64; 5]>,
}

/// Day on x; per series a 5–95% band, a 25–75% band and the median line.
pub fn fan_chart(title: &str, y_label: &str, fans: &[Fan]) -> String {
    let days = fans.iter().map(|f| f.quantiles.len()).max().unwrap_or(0);
    let (w, h) = (WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
    let xs = Scale::new(
        (0.0, days.saturating_sub(1).max(1) as f64),
        (LEFT, LEFT + w),
    );
    let range = extent(
        fans.iter()
            .flat_map(|f| f.quantiles.iter().flat_map(|q| [q[0], q[4]])),
        true,
    );
    let ys = Scale::new(range, (TOP + h, TOP));
    let names: Vec<String> = fans.iter().map(|f| f.name.clone()).collect();
    let mut out = String::new();
    open(&mut out, title, WIDTH, HEIGHT + legend_extra(&names));
    axes(
        &mut out,
        (LEFT, TOP, w, h),
        xs,
        ys,
        &ticks(0.0, days as f64, 8),
        &ticks(range.0, range.1, 6),
        "day of the horizon",
        y_label,
    );
    for (i, fan) in fans.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        for (lo, hi, opacity) in [(0, 4, 0.12), (1, 3, 0.22)] {
            let upper = fan
                .quantiles
                .iter()
                .enumerate()
                .map(|(d, q)| (d as f64, q[hi]));
            let lower = fan
                .quantiles
                .iter()
                .enumerate()
                .rev()
                .map(|(d, q)| (d as f64, q[lo]));
            let _ = write!(
                out,
                r##"<polygon points="{}" fill="{color}" fill-opacity="{opacity}" stroke="none"/>"##,
                points(xs, ys, upper.chain(lower))
            );
        }
        let median = fan
            .quantiles
            .iter()
            .enumerate()
            .map(|(d, q)| (d as f64, q[2]));
        let _ = write!(
            out,
            r##"<polyline points="{}" fill="none" stroke="{color}" stroke-width="2"/>"##,
            points(xs, ys, median)
        );
    }
    legend(&mut out, &names, HEIGHT - 8.0);
    out.push_str("</svg>");
    out
}

/// One value per day, as a line (the path inspector's balance).
pub fn line_chart(title: &str, y_label: &str, values: &[f64]) -> String {
    let (w, h) = (WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM + 24.0);
    let xs = Scale::new(
        (0.0, values.len().saturating_sub(1).max(1) as f64),
        (LEFT, LEFT + w),
    );
    let range = extent(values.iter().copied(), true);
    let ys = Scale::new(range, (TOP + h, TOP));
    let mut out = String::new();
    open(&mut out, title, WIDTH, HEIGHT);
    axes(
        &mut out,
        (LEFT, TOP, w, h),
        xs,
        ys,
        &ticks(0.0, values.len() as f64, 8),
        &ticks(range.0, range.1, 6),
        "day of the horizon",
        y_label,
    );
    let _ = write!(
        out,
        r##"<line x1="{LEFT}" x2="{}" y1="{:.1}" y2="{:.1}" stroke="#6b7280" stroke-dasharray="4 3"/>"##,
        LEFT + w,
        ys.at(0.0),
        ys.at(0.0)
    );
    let line = values.iter().enumerate().map(|(d, v)| (d as f64, *v));
    let _ = write!(
        out,
        r##"<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>"##,
        points(xs, ys, line),
        PALETTE[0]
    );
    out.push_str("</svg>");
    out
}

/// Histograms of several samples on shared bins, drawn as outlines.
pub fn histograms(title: &str, x_label: &str, samples: &[(String, Vec<f64>)]) -> String {
    const BINS: usize = 30;
    let (w, h) = (WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
    let (lo, hi) = extent(samples.iter().flat_map(|(_, v)| v.iter().copied()), false);
    let width = (hi - lo) / BINS as f64;
    let counts: Vec<Vec<f64>> = samples
        .iter()
        .map(|(_, values)| {
            let mut bins = vec![0.0; BINS];
            for v in values.iter().filter(|v| v.is_finite()) {
                let b = (((v - lo) / width) as usize).min(BINS - 1);
                bins[b] += 1.0;
            }
            let n = values.len().max(1) as f64;
            bins.iter().map(|c| c / n * 100.0).collect()
        })
        .collect();
    let top = counts
        .iter()
        .flatten()
        .copied()
        .fold(0.0, f64::max)
        .max(1.0)
        * 1.08;
    let xs = Scale::new((lo, hi), (LEFT, LEFT + w));
    let ys = Scale::new((0.0, top), (TOP + h, TOP));
    let names: Vec<String> = samples.iter().map(|(n, _)| n.clone()).collect();
    let mut out = String::new();
    open(&mut out, title, WIDTH, HEIGHT + legend_extra(&names));
    axes(
        &mut out,
        (LEFT, TOP, w, h),
        xs,
        ys,
        &ticks(lo, hi, 7),
        &ticks(0.0, top, 5),
        x_label,
        "% of paths",
    );
    for (i, bins) in counts.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        let mut step = vec![(lo, 0.0)];
        for (b, c) in bins.iter().enumerate() {
            let x0 = lo + b as f64 * width;
            step.push((x0, *c));
            step.push((x0 + width, *c));
        }
        step.push((hi, 0.0));
        let _ = write!(
            out,
            r##"<polygon points="{}" fill="{color}" fill-opacity="0.12" stroke="{color}" stroke-width="1.5"/>"##,
            points(xs, ys, step.into_iter())
        );
    }
    legend(&mut out, &names, HEIGHT - 8.0);
    out.push_str("</svg>");
    out
}

/// One bar panel: per plan a bar at the mean with its 95% interval as a whisker.
pub struct BarPanel {
    pub title: String,
    /// Per plan: mean and interval.
    pub bars: Vec<(f64, Option<(f64, f64)>)>,
}

/// Bar panels side by side, plans in palette colours, one legend.
pub fn bar_panels(title: &str, plans: &[String], panels: &[BarPanel]) -> String {
    let n = panels.len().max(1) as f64;
    let panel_w = (WIDTH - 16.0) / n;
    let mut out = String::new();
    open(&mut out, title, WIDTH, HEIGHT + legend_extra(plans));
    for (p, panel) in panels.iter().enumerate() {
        let x0 = 8.0 + p as f64 * panel_w + 48.0;
        let (w, h) = (panel_w - 60.0, HEIGHT - 40.0 - 56.0);
        let y0 = 32.0;
        let range = extent(
            panel
                .bars
                .iter()
                .flat_map(|(m, ci)| [*m, ci.map_or(*m, |c| c.0), ci.map_or(*m, |c| c.1)]),
            true,
        );
        let ys = Scale::new(range, (y0 + h, y0));
        let _ = write!(
            out,
            r##"<text x="{}" y="18" text-anchor="middle" font-weight="bold" fill="#111827">{}</text>"##,
            x0 + w / 2.0,
            escape(&panel.title)
        );
        for t in ticks(range.0, range.1, 5) {
            let py = ys.at(t);
            let _ = write!(
                out,
                r##"<line x1="{x0}" x2="{}" y1="{py:.1}" y2="{py:.1}" stroke="#e5e7eb"/><text x="{}" y="{:.1}" text-anchor="end" fill="#374151">{}</text>"##,
                x0 + w,
                x0 - 4.0,
                py + 4.0,
                short(t)
            );
        }
        let slot = w / panel.bars.len().max(1) as f64;
        let zero = ys.at(0.0);
        for (i, (mean, ci)) in panel.bars.iter().enumerate() {
            let color = PALETTE[i % PALETTE.len()];
            let bx = x0 + i as f64 * slot + slot * 0.15;
            let bw = slot * 0.7;
            let top = ys.at(*mean).min(zero);
            let height = (ys.at(*mean) - zero).abs().max(1.0);
            let _ = write!(
                out,
                r##"<rect x="{bx:.1}" y="{top:.1}" width="{bw:.1}" height="{height:.1}" fill="{color}"/>"##
            );
            if let Some((lo, hi)) = ci {
                let cx = bx + bw / 2.0;
                let _ = write!(
                    out,
                    r##"<line x1="{cx:.1}" x2="{cx:.1}" y1="{:.1}" y2="{:.1}" stroke="#111827" stroke-width="1.5"/><line x1="{:.1}" x2="{:.1}" y1="{:.1}" y2="{:.1}" stroke="#111827"/><line x1="{:.1}" x2="{:.1}" y1="{:.1}" y2="{:.1}" stroke="#111827"/>"##,
                    ys.at(*lo),
                    ys.at(*hi),
                    cx - 5.0,
                    cx + 5.0,
                    ys.at(*lo),
                    ys.at(*lo),
                    cx - 5.0,
                    cx + 5.0,
                    ys.at(*hi),
                    ys.at(*hi)
                );
            }
        }
        let _ = write!(
            out,
            r##"<line x1="{x0}" x2="{}" y1="{zero:.1}" y2="{zero:.1}" stroke="#6b7280"/>"##,
            x0 + w
        );
    }
    legend(&mut out, plans, HEIGHT - 12.0);
    out.push_str("</svg>");
    out
}
