//! The path inspector's daily balance as a small SVG line chart, drawn as
//! text. Presentation attributes only (no `style` attributes, no scripts),
//! so the window's strict CSP allows it inline.

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
