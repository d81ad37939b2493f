//! Charts of a run, drawn with plotters: the margin distribution per plan,
//! fan charts of exposure and available balance over time, plan comparison
//! bars with 95% whiskers, and, for sensitivity studies, tornado and
//! heatmap charts.
//!
//! Every chart is drawn by one function generic over the plotters backend,
//! so the SVG (for the HTML report, the PDF and the desktop app) and the
//! PNG ([`png`]) are the same drawing. Text uses DejaVu Sans embedded in
//! the binary through plotters' `ab_glyph` feature: no system font is read,
//! so a PNG renders identically on a machine with no fonts installed, and
//! the SVGs name the same family, which the PDF and HTML reports embed.
//!
//! Readability rules every chart follows: a title, axis descriptions with
//! units, the legend in its own strip below the plot (never over data),
//! and colours that differ in lightness as well as hue, with line dashes
//! where series overlap, so the charts survive greyscale printing.

use std::sync::Once;

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::FontStyle;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use sim::bands::Bands;
use sim::metrics::{self, METRICS};
use sim::run::{PlanResult, RunOutput};
use thiserror::Error;

use crate::{Heatmap, Tornado};

/// The font family of every chart's text.
pub const FAMILY: &str = "DejaVu Sans";
/// DejaVu Sans (Bitstream Vera licence; see `fonts/LICENSE`).
pub static FONT_REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
/// DejaVu Sans Bold.
pub static FONT_BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// Default size of a chart in pixels (SVG user units).
pub const WIDTH: u32 = 960;
pub const HEIGHT: u32 = 560;

/// The most plans, tornado bars or heatmap cells a chart draws: far above
/// any real study, low enough that a chart stays readable and small.
pub const MAX_SERIES: usize = 12;
pub const MAX_BARS: usize = 40;
pub const MAX_CELLS: usize = 60 * 60;

/// One drawn chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    /// Stable name, used for file names and element ids (`margin_distribution`).
    pub id: &'static str,
    pub title: String,
    /// A complete SVG document.
    pub svg: String,
}

#[derive(Clone, Debug, PartialEq, Error)]
pub enum ChartError {
    /// The data cannot make this chart.
    #[error("chart {chart}: {problem}; {hint}")]
    Input {
        chart: &'static str,
        problem: String,
        hint: String,
    },
    /// plotters failed to draw (a bug, or a backend error).
    #[error("chart {chart}: drawing failed: {message}")]
    Draw {
        chart: &'static str,
        message: String,
    },
}

/// What to draw: each chart's data. [`svg`] and [`png`] draw any of them.
#[derive(Clone, Copy, Debug)]
pub enum Figure<'a> {
    MarginDistribution(&'a RunOutput),
    ExposureFan(&'a RunOutput),
    BalanceFan(&'a RunOutput),
    ComparisonBars(&'a RunOutput),
    Tornado(&'a Tornado),
    Heatmap(&'a Heatmap),
    Daily(&'a DailySeries),
    /// Two runs' margin distributions on one chart (the desktop app's
    /// Compare view).
    MarginOverlay(&'a Overlay<'a>),
}

/// Two runs of (nearly) the same scenario to overlay: the pinned baseline
/// drawn dashed and lighter, the candidate solid.
#[derive(Clone, Copy, Debug)]
pub struct Overlay<'a> {
    pub baseline: &'a RunOutput,
    pub candidate: &'a RunOutput,
    /// How the legend names each run: `run 1 (pinned)`.
    pub baseline_label: &'a str,
    pub candidate_label: &'a str,
}

/// The gross margin CDF of every plan both runs have, baseline against
/// candidate, on one chart.
pub fn margin_overlay(overlay: &Overlay<'_>) -> Result<Chart, ChartError> {
    chart(Figure::MarginOverlay(overlay))
}

/// One daily series drawn as a line: the path inspector's balance of one
/// customer under one plan.
#[derive(Clone, Debug, PartialEq)]
pub struct DailySeries {
    pub title: String,
    /// The y axis description with its unit: `Available balance (credits)`.
    pub y_label: String,
    /// One value per day of the horizon, from day 0.
    pub values: Vec<f64>,
}

/// A daily series as a line chart of the default size.
pub fn daily(series: &DailySeries) -> Result<Chart, ChartError> {
    chart(Figure::Daily(series))
}

impl Figure<'_> {
    /// The chart's id.
    pub fn id(&self) -> &'static str {
        match self {
            Figure::MarginDistribution(_) => "margin_distribution",
            Figure::ExposureFan(_) => "exposure_fan",
            Figure::BalanceFan(_) => "balance_fan",
            Figure::ComparisonBars(_) => "comparison_bars",
            Figure::Tornado(_) => "tornado",
            Figure::Heatmap(_) => "heatmap",
            Figure::Daily(_) => "daily",
            Figure::MarginOverlay(_) => "margin_overlay",
        }
    }

    /// The chart's title.
    pub fn title(&self) -> String {
        match self {
            Figure::MarginDistribution(_) => {
                "Gross margin per path: cumulative distribution by plan".into()
            }
            Figure::ExposureFan(_) => "Exposure over time (provider cost not yet paid for)".into(),
            Figure::BalanceFan(_) => "Available credit balance over time".into(),
            Figure::ComparisonBars(_) => "Plan comparison: means with 95% intervals".into(),
            Figure::Tornado(t) => t.title.clone(),
            Figure::Heatmap(h) => h.title.clone(),
            Figure::Daily(d) => d.title.clone(),
            Figure::MarginOverlay(_) => {
                "Gross margin per path: baseline (dashed) against candidate (solid)".into()
            }
        }
    }
}

/// The gross margin per path of each plan as empirical CDFs, with each
/// plan's mean and P5 marked.
pub fn margin_distribution(run: &RunOutput) -> Result<Chart, ChartError> {
    chart(Figure::MarginDistribution(run))
}

/// Exposure over the horizon per plan: P5–P95 and P25–P75 bands and the median.
pub fn exposure_fan(run: &RunOutput) -> Result<Chart, ChartError> {
    chart(Figure::ExposureFan(run))
}

/// Available credit balance over the horizon per plan, as a fan chart.
pub fn balance_fan(run: &RunOutput) -> Result<Chart, ChartError> {
    chart(Figure::BalanceFan(run))
}

/// Headline metrics per plan: bars at the mean, whiskers at the 95% interval.
pub fn comparison_bars(run: &RunOutput) -> Result<Chart, ChartError> {
    chart(Figure::ComparisonBars(run))
}

/// Every chart of a run, in report order.
pub fn all(run: &RunOutput) -> Result<Vec<Chart>, ChartError> {
    [
        Figure::MarginDistribution(run),
        Figure::ComparisonBars(run),
        Figure::ExposureFan(run),
        Figure::BalanceFan(run),
    ]
    .into_iter()
    .map(chart)
    .collect()
}

/// A tornado chart of a one-at-a-time sensitivity study: for each input,
/// the outcome at its low and high value around the base case, largest
/// swing on top.
pub fn tornado(t: &Tornado) -> Result<Chart, ChartError> {
    chart(Figure::Tornado(t))
}

/// A heatmap of an outcome over a two-parameter sweep.
pub fn heatmap(h: &Heatmap) -> Result<Chart, ChartError> {
    chart(Figure::Heatmap(h))
}

/// The figure as an SVG chart of the default size.
pub fn chart(figure: Figure<'_>) -> Result<Chart, ChartError> {
    Ok(Chart {
        id: figure.id(),
        title: figure.title(),
        svg: svg(figure, WIDTH, HEIGHT)?,
    })
}

/// The figure as an SVG document of `width` by `height` user units.
pub fn svg(figure: Figure<'_>, width: u32, height: u32) -> Result<String, ChartError> {
    check(figure)?;
    render_svg(figure.id(), width, height, |root| draw(figure, root))
}

/// The figure as a PNG image of `width` by `height` pixels, drawn by
/// plotters' bitmap backend with the embedded font.
pub fn png(figure: Figure<'_>, width: u32, height: u32) -> Result<Vec<u8>, ChartError> {
    check(figure)?;
    render_png(figure.id(), width, height, |root| draw(figure, root))
}

/// Runs a drawing on an SVG backend with the embedded fonts registered:
/// every chart of the crate (the run's, a study's, a backtest's) is drawn
/// through here and [`render_png`], so SVG and PNG are the same picture.
pub(crate) fn render_svg(
    chart: &'static str,
    width: u32,
    height: u32,
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Drawn,
) -> Result<String, ChartError> {
    register_fonts();
    let draw_error = |message: String| ChartError::Draw { chart, message };
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, (width, height)).into_drawing_area();
        draw(&root).map_err(draw_error)?;
        root.present().map_err(|e| draw_error(e.to_string()))?;
    }
    Ok(text)
}

/// [`render_svg`] on plotters' bitmap backend, encoded as PNG.
pub(crate) fn render_png(
    chart: &'static str,
    width: u32,
    height: u32,
    draw: impl FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> Drawn,
) -> Result<Vec<u8>, ChartError> {
    register_fonts();
    let draw_error = |message: String| ChartError::Draw { chart, message };
    let mut pixels = vec![0u8; width as usize * height as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (width, height)).into_drawing_area();
        draw(&root).map_err(draw_error)?;
        root.present().map_err(|e| draw_error(e.to_string()))?;
    }
    encode_png(&pixels, width, height).map_err(draw_error)
}

/// An RGB buffer of `width` by `height` pixels as PNG bytes.
fn encode_png(pixels: &[u8], width: u32, height: u32) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().or_message()?;
    writer.write_image_data(pixels).or_message()?;
    writer.finish().or_message()?;
    Ok(bytes)
}

fn register_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for (style, bytes) in [
            (FontStyle::Normal, FONT_REGULAR),
            (FontStyle::Bold, FONT_BOLD),
        ] {
            // The fonts are compiled in and known good; a failure is a build bug.
            let known = plotters::style::register_font(FAMILY, style, bytes).is_ok();
            assert!(known, "the embedded font parses");
            // plotters' own defaults (tick labels it makes up) ask for "sans-serif".
            let known = plotters::style::register_font("sans-serif", style, bytes).is_ok();
            assert!(known, "the embedded font parses");
        }
    });
}

/// Refuses data no chart can be made from, with what to change.
fn check(figure: Figure<'_>) -> Result<(), ChartError> {
    let chart = figure.id();
    let input = |problem: String, hint: &str| {
        Err(ChartError::Input {
            chart,
            problem,
            hint: hint.to_owned(),
        })
    };
    match figure {
        Figure::MarginOverlay(o) => {
            check(Figure::MarginDistribution(o.baseline))?;
            check(Figure::MarginDistribution(o.candidate))?;
            if overlaid(o).is_empty() {
                return input(
                    "the two runs have no plan in common".into(),
                    "compare runs of scenarios that share a plan id",
                );
            }
        }
        Figure::MarginDistribution(run)
        | Figure::ExposureFan(run)
        | Figure::BalanceFan(run)
        | Figure::ComparisonBars(run) => {
            if run.plans.is_empty() || run.plans.iter().any(|p| p.rows.is_empty()) {
                return input(
                    "the run has no plans or no paths".into(),
                    "run at least one path",
                );
            }
            if run.plans.len() > MAX_SERIES {
                return input(
                    format!("{} plans, more than {MAX_SERIES}", run.plans.len()),
                    "compare fewer plans per chart",
                );
            }
            let finite = run
                .plans
                .iter()
                .all(|p| p.rows.iter().all(|r| r.iter().all(|v| v.is_finite())));
            if !finite {
                return input(
                    "a metric is not a finite number".into(),
                    "this is a simulator bug: report it with the scenario and seed",
                );
            }
        }
        Figure::Tornado(t) => {
            if t.bars.is_empty() || t.bars.len() > MAX_BARS {
                return input(
                    format!("{} bars", t.bars.len()),
                    &format!("give between 1 and {MAX_BARS} inputs"),
                );
            }
            let mut values = t.bars.iter().flat_map(|b| [b.at_low, b.at_high]);
            if !t.base.is_finite() || values.any(|v| !v.is_finite()) {
                return input(
                    "a value is not a finite number".into(),
                    "check the sensitivity results",
                );
            }
        }
        Figure::Heatmap(h) => {
            let (nx, ny) = (h.x.len(), h.y.len());
            if nx == 0 || ny == 0 || nx * ny > MAX_CELLS {
                return input(
                    format!("a {nx} by {ny} grid"),
                    &format!("give at least one value per axis and at most {MAX_CELLS} cells"),
                );
            }
            if h.z.len() != ny || h.z.iter().any(|row| row.len() != nx) {
                return input(
                    "z is not y.len() rows of x.len() values".into(),
                    "give z[yi][xi] for every pair",
                );
            }
            if let Some((xi, yi)) = h.best
                && (xi >= nx || yi >= ny)
            {
                return input(
                    format!("best cell ({xi}, {yi}) is outside the grid"),
                    "give best as (x index, y index)",
                );
            }
        }
        Figure::Daily(d) => {
            if d.values.is_empty()
                || d.values.len() > sim::scenario::limits::MAX_HORIZON_DAYS as usize + 1
            {
                return input(
                    format!("{} daily values", d.values.len()),
                    "give one value per day of the horizon",
                );
            }
            if d.values.iter().any(|v| !v.is_finite()) {
                return input(
                    "a value is not a finite number".into(),
                    "this is a simulator bug: report it with the scenario and seed",
                );
            }
        }
    }
    Ok(())
}

pub(crate) type Drawn = Result<(), String>;

/// Turns any plotters error into its message.
pub(crate) trait OrMessage<T> {
    fn or_message(self) -> Result<T, String>;
}

impl<T, E: std::fmt::Display> OrMessage<T> for Result<T, E> {
    fn or_message(self) -> Result<T, String> {
        self.map_err(|e| e.to_string())
    }
}

fn draw<DB: DrawingBackend>(figure: Figure<'_>, root: &DrawingArea<DB, Shift>) -> Drawn {
    root.fill(&WHITE).or_message()?;
    let body = root
        .titled(
            &figure.title(),
            (FAMILY, 22).into_font().style(FontStyle::Bold),
        )
        .or_message()?;
    match figure {
        Figure::MarginDistribution(run) => draw_margin(run, &body),
        Figure::ExposureFan(run) => draw_fans(run, &body, Fan::Exposure),
        Figure::BalanceFan(run) => draw_fans(run, &body, Fan::Balance),
        Figure::ComparisonBars(run) => draw_bars(run, &body),
        Figure::Tornado(t) => draw_tornado(t, &body),
        Figure::Heatmap(h) => draw_heatmap(h, &body),
        Figure::Daily(d) => draw_daily(d, &body),
        Figure::MarginOverlay(o) => draw_overlay(o, &body),
    }
}

/// Plan colours: dark, mid and light in turn, so that neighbours differ in
/// lightness as well as hue (Okabe–Ito hues, safe for colour-blind readers).
const PALETTE: [RGBColor; 6] = [
    RGBColor(0, 61, 115),    // dark blue
    RGBColor(230, 159, 0),   // orange, light
    RGBColor(0, 140, 100),   // green, mid
    RGBColor(204, 85, 0),    // vermillion, mid-dark
    RGBColor(120, 180, 225), // sky, light
    RGBColor(110, 50, 100),  // purple, dark
];

pub(crate) fn plan_colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Dash and gap lengths for plan `i` (`None`: solid), so plans also differ
/// in greyscale.
pub(crate) fn plan_dash(i: usize) -> Option<(u32, u32)> {
    match i % 3 {
        0 => None,
        1 => Some((12, 6)),
        _ => Some((4, 4)),
    }
}

fn plan_label(plan: &PlanResult) -> String {
    match &plan.name {
        Some(name) if name != &plan.id => format!("{} ({name})", plan.id),
        _ => plan.id.clone(),
    }
}

/// A tick label on an axis spanning `lo..hi`: [`axis_number`]'s units,
/// with as many decimals as about eight ticks over the span need to read
/// apart (a 27k to 31k axis reads 27.5k, 28k, 28.5k, not 28k three times).
pub fn tick_number(v: f64, lo: f64, hi: f64) -> String {
    let largest = lo.abs().max(hi.abs());
    let (unit, suffix) = if largest >= 1e6 {
        (1e6, "M")
    } else if largest >= 1e4 {
        (1e3, "k")
    } else {
        return axis_number_with(v, (hi - lo).abs() / 8.0, 1.0, "");
    };
    axis_number_with(v, (hi - lo).abs() / 8.0, unit, suffix)
}

fn axis_number_with(v: f64, step: f64, unit: f64, suffix: &str) -> String {
    let step = step / unit;
    if unit == 1.0 && step >= 1.0 {
        return axis_number(v);
    }
    // One decimal more than the step needs, so ticks such as 0.25 keep
    // theirs; trailing zeros go below.
    let decimals = if step > 0.0 && step < 1.0 {
        ((-step.log10()).ceil() + 1.0).clamp(0.0, 4.0) as usize
    } else {
        1
    };
    let text = format!("{:.*}", decimals, v / unit);
    // 28.0k reads as 28k; keep the decimals a neighbour needs only.
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    };
    if text == "0" || text == "-0" {
        return "0".to_owned();
    }
    format!("{text}{suffix}")
}

/// A short axis number: 1.2M, 45k, 350, 80, 3.5, 0.25 (whole numbers
/// without decimals, so ticks of one axis read alike).
pub fn axis_number(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.0}k", v / 1e3)
    } else if a >= 100.0 || (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else if a >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// An input value as given (0.008, 20000), shortened only when long.
fn input_number(v: f64) -> String {
    let exact = format!("{v}");
    if exact.len() <= 8 {
        exact
    } else {
        axis_number(v)
    }
}

/// One legend entry.
pub(crate) enum Key {
    Line(RGBColor, Option<(u32, u32)>),
    Block(RGBColor),
    Marker(RGBColor, &'static str),
}

/// The legend as a strip of entries at the bottom of `area`, returning the
/// area above it for the plot; entries wrap onto more lines as needed.
pub(crate) fn legend_strip<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(Key, String)],
) -> Result<DrawingArea<DB, Shift>, String> {
    let font = (FAMILY, 15).into_font();
    let (width, height) = area.dim_in_pixel();
    let mut lines: Vec<Vec<(usize, i32)>> = vec![Vec::new()];
    let mut x = 20i32;
    for (i, (_, text)) in entries.iter().enumerate() {
        let (w, _) = area
            .estimate_text_size(text, &TextStyle::from(font.clone()))
            .or_message()?;
        let need = 40 + w as i32 + 24;
        if x + need > width as i32 - 10 && x > 20 {
            lines.push(Vec::new());
            x = 20;
        }
        lines.last_mut().expect("one line at least").push((i, x));
        x += need;
    }
    let strip = 26 * lines.len() as u32 + 8;
    let (plot, legend) = area.split_vertically(height.saturating_sub(strip));
    for (row, line) in lines.iter().enumerate() {
        let y = 14 + 26 * row as i32;
        for &(i, x) in line {
            let (key, text) = &entries[i];
            match key {
                Key::Line(colour, dash) => {
                    let style = colour.stroke_width(3);
                    match dash {
                        None => legend
                            .draw(&PathElement::new(vec![(x, y), (x + 32, y)], style))
                            .or_message()?,
                        Some((on, off)) => legend
                            .draw(&DashedPathElement::new(
                                vec![(x, y), (x + 32, y)],
                                *on,
                                *off,
                                style,
                            ))
                            .or_message()?,
                    }
                }
                Key::Block(colour) => legend
                    .draw(&Rectangle::new(
                        [(x, y - 7), (x + 32, y + 7)],
                        colour.filled(),
                    ))
                    .or_message()?,
                Key::Marker(colour, shape) => {
                    let centre = (x + 16, y);
                    draw_marker(&legend, centre, shape, *colour)?;
                }
            }
            legend
                .draw(&Text::new(
                    text.clone(),
                    (x + 40, y - 8),
                    font.clone().color(&BLACK),
                ))
                .or_message()?;
        }
    }
    Ok(plot)
}

fn draw_marker<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    at: (i32, i32),
    shape: &str,
    colour: RGBColor,
) -> Drawn {
    if shape == "mean" {
        area.draw(&Circle::new(at, 6, colour.filled()))
            .or_message()?;
        area.draw(&Circle::new(at, 6, BLACK.stroke_width(1)))
            .or_message()
    } else {
        area.draw(&TriangleMarker::new(at, 8, colour.filled()))
            .or_message()?;
        area.draw(&TriangleMarker::new(at, 8, BLACK.stroke_width(1)))
            .or_message()
    }
}

fn sorted(values: &[f64]) -> Vec<f64> {
    let mut v = values.to_vec();
    v.sort_unstable_by(f64::total_cmp);
    v
}

/// Type 7 quantile of ascending, non-empty `sorted`.
fn quantile(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let below = h.floor() as usize;
    match sorted.get(below + 1) {
        Some(&above) => sorted[below] + (h - below as f64) * (above - sorted[below]),
        None => sorted[below],
    }
}

/// `lo..hi` widened by 5% each side, and to a unit span when flat.
pub(crate) fn padded(lo: f64, hi: f64) -> (f64, f64) {
    if hi - lo < 1e-9 * lo.abs().max(1.0) {
        let pad = lo.abs().max(1.0) * 0.1;
        return (lo - pad, hi + pad);
    }
    let pad = (hi - lo) * 0.05;
    (lo - pad, hi + pad)
}

fn draw_margin<DB: DrawingBackend>(run: &RunOutput, area: &DrawingArea<DB, Shift>) -> Drawn {
    let columns: Vec<Vec<f64>> = run
        .plans
        .iter()
        .map(|p| sorted(&p.column(metrics::GROSS_MARGIN)))
        .collect();
    let mut entries = Vec::new();
    for (i, plan) in run.plans.iter().enumerate() {
        entries.push((Key::Line(plan_colour(i), plan_dash(i)), plan_label(plan)));
    }
    entries.push((Key::Marker(RGBColor(128, 128, 128), "mean"), "mean".into()));
    entries.push((
        Key::Marker(RGBColor(128, 128, 128), "p5"),
        "P5 (1 path in 20 is worse)".into(),
    ));
    let plot = legend_strip(area, &entries)?;
    let lo = columns.iter().map(|c| c[0]).fold(f64::INFINITY, f64::min);
    let hi = columns
        .iter()
        .map(|c| c[c.len() - 1])
        .fold(f64::NEG_INFINITY, f64::max);
    let (x0, x1) = padded(lo, hi);
    let mut chart = margin_cdf_axes(&plot, (x0, x1), &run.currency)?;
    for (i, column) in columns.iter().enumerate() {
        let points = cdf_points(column, x0, x1);
        let style = plan_colour(i).stroke_width(3);
        match plan_dash(i) {
            None => chart
                .draw_series(LineSeries::new(points, style))
                .or_message()?,
            Some((on, off)) => chart
                .draw_series(DashedLineSeries::new(points, on, off, style))
                .or_message()?,
        };
    }
    // Markers after every curve, so no curve hides one.
    for (i, column) in columns.iter().enumerate() {
        let mean = column.iter().sum::<f64>() / column.len() as f64;
        let below = column.partition_point(|&v| v <= mean) as f64 / column.len() as f64;
        let p5 = quantile(column, 0.05);
        let colour = plan_colour(i);
        chart
            .draw_series([
                Circle::new((mean, below), 6, colour.filled()),
                Circle::new((mean, below), 6, BLACK.stroke_width(1)),
            ])
            .or_message()?;
        chart
            .draw_series([
                TriangleMarker::new((p5, 0.05), 8, colour.filled()),
                TriangleMarker::new((p5, 0.05), 8, BLACK.stroke_width(1)),
            ])
            .or_message()?;
    }
    Ok(())
}

/// The plans of the candidate that the baseline also has, as (baseline,
/// candidate) pairs in the candidate's order.
fn overlaid<'a>(o: &Overlay<'a>) -> Vec<(&'a PlanResult, &'a PlanResult)> {
    o.candidate
        .plans
        .iter()
        .filter_map(|c| Some((o.baseline.plans.iter().find(|b| b.id == c.id)?, c)))
        .collect()
}

/// `colour` mixed halfway to white: the baseline's shade of a plan colour.
fn lighter(colour: RGBColor) -> RGBColor {
    let mix = |c: u8| ((u16::from(c) + 255) / 2) as u8;
    RGBColor(mix(colour.0), mix(colour.1), mix(colour.2))
}

/// The step points of the empirical CDF of ascending `column` from `x0` to `x1`.
fn cdf_points(column: &[f64], x0: f64, x1: f64) -> Vec<(f64, f64)> {
    let n = column.len() as f64;
    let mut points = vec![(x0, 0.0)];
    for (k, &v) in column.iter().enumerate() {
        points.push((v, k as f64 / n));
        points.push((v, (k + 1) as f64 / n));
    }
    points.push((x1, 1.0));
    points
}

fn draw_overlay<DB: DrawingBackend>(o: &Overlay<'_>, area: &DrawingArea<DB, Shift>) -> Drawn {
    let pairs = overlaid(o);
    let columns: Vec<(Vec<f64>, Vec<f64>)> = pairs
        .iter()
        .map(|(b, c)| {
            (
                sorted(&b.column(metrics::GROSS_MARGIN)),
                sorted(&c.column(metrics::GROSS_MARGIN)),
            )
        })
        .collect();
    const BASELINE_DASH: (u32, u32) = (9, 6);
    let mut entries = Vec::new();
    for (i, (_, plan)) in pairs.iter().enumerate() {
        let label = plan_label(plan);
        entries.push((
            Key::Line(lighter(plan_colour(i)), Some(BASELINE_DASH)),
            format!("{label}: {}", o.baseline_label),
        ));
        entries.push((
            Key::Line(plan_colour(i), None),
            format!("{label}: {}", o.candidate_label),
        ));
    }
    let plot = legend_strip(area, &entries)?;
    let all = columns.iter().flat_map(|(b, c)| [b, c]);
    let lo = all.clone().map(|c| c[0]).fold(f64::INFINITY, f64::min);
    let hi = all
        .map(|c| c[c.len() - 1])
        .fold(f64::NEG_INFINITY, f64::max);
    let (x0, x1) = padded(lo, hi);
    let mut chart = margin_cdf_axes(&plot, (x0, x1), &o.candidate.currency)?;
    // Baselines first, so each candidate's solid line lies on top.
    for (i, (baseline, _)) in columns.iter().enumerate() {
        let (on, off) = BASELINE_DASH;
        let style = lighter(plan_colour(i)).stroke_width(3);
        chart
            .draw_series(DashedLineSeries::new(
                cdf_points(baseline, x0, x1),
                on,
                off,
                style,
            ))
            .or_message()?;
    }
    for (i, (_, candidate)) in columns.iter().enumerate() {
        let style = plan_colour(i).stroke_width(3);
        chart
            .draw_series(LineSeries::new(cdf_points(candidate, x0, x1), style))
            .or_message()?;
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum Fan {
    Exposure,
    Balance,
}

fn fan_bands(plan: &PlanResult, fan: Fan) -> &Bands {
    match fan {
        Fan::Exposure => &plan.daily.exposure,
        Fan::Balance => &plan.daily.available,
    }
}

/// Shades of the fan: light outer band, darker inner band, black median.
const FAN_OUTER: RGBColor = RGBColor(190, 206, 226);
const FAN_INNER: RGBColor = RGBColor(105, 140, 185);
const FAN_MEDIAN: RGBColor = RGBColor(10, 25, 60);

fn draw_fans<DB: DrawingBackend>(
    run: &RunOutput,
    area: &DrawingArea<DB, Shift>,
    fan: Fan,
) -> Drawn {
    let entries = [
        (Key::Block(FAN_OUTER), "P5–P95 (90% of paths)".to_owned()),
        (Key::Block(FAN_INNER), "P25–P75 (half of paths)".to_owned()),
        (Key::Line(FAN_MEDIAN, None), "median".to_owned()),
    ];
    let plot = legend_strip(area, &entries)?;
    let days = run
        .plans
        .iter()
        .map(|p| fan_bands(p, fan).days())
        .max()
        .unwrap_or(0);
    if days == 0 {
        return Err("the run has no daily series".into());
    }
    let bands: Vec<Vec<[f64; 5]>> = run
        .plans
        .iter()
        .map(|p| {
            let b = fan_bands(p, fan);
            (0..b.days()).map(|d| b.quantiles(d)).collect()
        })
        .collect();
    let all = bands.iter().flatten().flat_map(|q| [q[0], q[4]]);
    let (lo, hi) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    // Balances and exposures are drawn from zero, so panels compare at a glance.
    let (y0, y1) = padded(lo.min(0.0), hi.max(0.0));
    let y0 = if lo >= 0.0 { 0.0 } else { y0 };
    let n = run.plans.len();
    let cols = if n <= 3 { n } else { n.div_ceil(2) };
    let rows = n.div_ceil(cols);
    let panels = plot.split_evenly((rows, cols));
    let (unit, what) = match fan {
        Fan::Exposure => (run.currency.as_str(), "Exposure"),
        Fan::Balance => ("credits", "Available balance"),
    };
    for ((plan, q), panel) in run.plans.iter().zip(&bands).zip(&panels) {
        let mut chart = ChartBuilder::on(panel)
            .margin(12)
            // The id only: a panel is a third of the page wide, and the
            // legend and tables give each plan's full name.
            .caption(&plan.id, (FAMILY, 17))
            .x_label_area_size(50)
            .y_label_area_size(76)
            .build_cartesian_2d(0f64..(days.max(2) - 1) as f64, y0..y1)
            .or_message()?;
        chart
            .configure_mesh()
            .x_desc("Day of the horizon (days)")
            .y_desc(format!("{what} ({unit})"))
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| tick_number(*v, y0, y1))
            .label_style((FAMILY, 13))
            .axis_desc_style((FAMILY, 14))
            .light_line_style(RGBColor(238, 238, 238))
            .bold_line_style(RGBColor(215, 215, 215))
            .draw()
            .or_message()?;
        let band = |lo: usize, hi: usize| -> Vec<(f64, f64)> {
            let upper = q.iter().enumerate().map(|(d, b)| (d as f64, b[hi]));
            let lower = q.iter().enumerate().rev().map(|(d, b)| (d as f64, b[lo]));
            upper.chain(lower).collect()
        };
        chart
            .draw_series(std::iter::once(Polygon::new(
                band(0, 4),
                FAN_OUTER.filled(),
            )))
            .or_message()?;
        chart
            .draw_series(std::iter::once(Polygon::new(
                band(1, 3),
                FAN_INNER.filled(),
            )))
            .or_message()?;
        chart
            .draw_series(LineSeries::new(
                q.iter().enumerate().map(|(d, b)| (d as f64, b[2])),
                FAN_MEDIAN.stroke_width(2),
            ))
            .or_message()?;
    }
    Ok(())
}

fn draw_daily<DB: DrawingBackend>(d: &DailySeries, area: &DrawingArea<DB, Shift>) -> Drawn {
    let (lo, hi) = d
        .values
        .iter()
        .fold((0f64, 0f64), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
    let (y0, y1) = padded(lo, hi);
    let y0 = if lo >= 0.0 { 0.0 } else { y0 };
    // Whole days on the x axis, so a short series gets no repeated labels.
    let last = d.values.len().max(2) as i32 - 1;
    let mut chart = ChartBuilder::on(area)
        .margin(16)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d(0..last, y0..y1)
        .or_message()?;
    chart
        .configure_mesh()
        .x_desc("Day of the horizon (days)")
        .y_desc(d.y_label.as_str())
        .x_labels(last.clamp(2, 12) as usize)
        .y_label_formatter(&|v| tick_number(*v, y0, y1))
        .label_style((FAMILY, 15))
        .axis_desc_style((FAMILY, 16))
        .light_line_style(RGBColor(238, 238, 238))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()
        .or_message()?;
    if y0 < 0.0 {
        chart
            .draw_series(LineSeries::new(
                [(0, 0.0), (last, 0.0)],
                BLACK.stroke_width(1),
            ))
            .or_message()?;
    }
    chart
        .draw_series(LineSeries::new(
            d.values.iter().enumerate().map(|(day, v)| (day as i32, *v)),
            plan_colour(0).stroke_width(2),
        ))
        .or_message()?;
    Ok(())
}

/// The metrics the comparison bars show, by name.
pub const HEADLINE: [&str; 4] = [
    "gross_margin",
    "exposure_peak",
    "customers_interrupted",
    "bad_debt",
];

fn draw_bars<DB: DrawingBackend>(run: &RunOutput, area: &DrawingArea<DB, Shift>) -> Drawn {
    let entries: Vec<(Key, String)> = run
        .plans
        .iter()
        .enumerate()
        .map(|(i, p)| (Key::Block(plan_colour(i)), plan_label(p)))
        .chain(std::iter::once((
            Key::Line(RGBColor(0, 0, 0), None),
            "95% interval of the mean".to_owned(),
        )))
        .collect();
    let plot = legend_strip(area, &entries)?;
    let panels = plot.split_evenly((2, 2));
    let n = run.plans.len();
    for (name, panel) in HEADLINE.iter().zip(&panels) {
        let index = metrics::index(name).ok_or_else(|| format!("no metric {name}"))?;
        let metric = METRICS[index];
        let stats: Vec<(f64, f64, f64)> = run
            .plans
            .iter()
            .map(|p| {
                let s = p.summary(index);
                let (lo, hi) = s.ci95.unwrap_or((s.mean, s.mean));
                (s.mean, lo, hi)
            })
            .collect();
        let lo = stats.iter().map(|s| s.1).fold(0.0, f64::min);
        let hi = stats.iter().map(|s| s.2).fold(0.0, f64::max);
        let (y0, y1) = padded(lo, hi);
        let y0 = if lo >= 0.0 { 0.0 } else { y0 };
        let unit = crate::frames::unit_name(metric.unit, &run.currency);
        let caption = format!("{} ({unit})", metric.label);
        let mut chart = bar_panel(panel, &caption, 16, unit, n, (y0, y1))?;
        for (i, &(mean, lo, hi)) in stats.iter().enumerate() {
            let x = i as f64;
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x - 0.3, 0.0), (x + 0.3, mean)],
                    plan_colour(i).filled(),
                )))
                .or_message()?;
            let whisker = BLACK.stroke_width(2);
            chart
                .draw_series([
                    PathElement::new(vec![(x, lo), (x, hi)], whisker),
                    PathElement::new(vec![(x - 0.1, lo), (x + 0.1, lo)], whisker),
                    PathElement::new(vec![(x - 0.1, hi), (x + 0.1, hi)], whisker),
                ])
                .or_message()?;
        }
    }
    Ok(())
}

/// The axes of a gross-margin CDF from `x.0` to `x.1`: the margin
/// distribution and the baseline-against-candidate overlay share them.
fn margin_cdf_axes<'a, DB: DrawingBackend>(
    plot: &'a DrawingArea<DB, Shift>,
    (x0, x1): (f64, f64),
    currency: &str,
) -> Result<ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>, String> {
    let mut chart = ChartBuilder::on(plot)
        .margin(16)
        .x_label_area_size(56)
        .y_label_area_size(80)
        .build_cartesian_2d(x0..x1, 0f64..1.02f64)
        .or_message()?;
    chart
        .configure_mesh()
        .x_desc(format!("Gross margin per path ({currency})"))
        .y_desc("Share of paths at or below (CDF)")
        .x_label_formatter(&|v| tick_number(*v, x0, x1))
        .y_label_formatter(&|v| format!("{:.0}%", v * 100.0))
        .label_style((FAMILY, 14))
        .axis_desc_style((FAMILY, 15))
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(210, 210, 210))
        .draw()
        .or_message()?;
    Ok(chart)
}

/// One panel of a bar chart with a bar per plan: `caption` on top, no x
/// labels (the legend names the plans), the y axis from `y.0` to `y.1` in
/// `unit` with span-aware tick labels. Shared by the plan comparison and the
/// backtest's totals.
pub(crate) fn bar_panel<'a, DB: DrawingBackend>(
    panel: &'a DrawingArea<DB, Shift>,
    caption: &str,
    caption_size: u32,
    unit: &str,
    n: usize,
    (y0, y1): (f64, f64),
) -> Result<ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>, String> {
    let mut chart = ChartBuilder::on(panel)
        .margin(12)
        .caption(caption, (FAMILY, caption_size))
        .x_label_area_size(10)
        .y_label_area_size(70)
        .build_cartesian_2d(-0.6f64..(n as f64 - 0.4), y0..y1)
        .or_message()?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_desc(unit)
        .y_label_formatter(&|v| tick_number(*v, y0, y1))
        .label_style((FAMILY, 13))
        .axis_desc_style((FAMILY, 14))
        .light_line_style(RGBColor(238, 238, 238))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()
        .or_message()?;
    Ok(chart)
}

/// Tornado colours: the low input dark, the high input light.
const LOW_INPUT: RGBColor = RGBColor(0, 61, 115);
const HIGH_INPUT: RGBColor = RGBColor(230, 159, 0);

/// `label` as is if it `fits`, else its first dot-separated segment, an
/// ellipsis and as much of its end as fits.
fn elide_middle(label: &str, fits: impl Fn(&str) -> bool) -> String {
    if fits(label) {
        return label.to_owned();
    }
    let head = label.find('.').map_or("", |i| &label[..=i]);
    let chars: Vec<char> = label[head.len()..].chars().collect();
    for skip in 1..chars.len() {
        let tail: String = chars[skip..].iter().collect();
        let candidate = format!("{head}…{tail}");
        if fits(&candidate) {
            return candidate;
        }
    }
    format!("{head}…")
}

fn draw_tornado<DB: DrawingBackend>(t: &Tornado, area: &DrawingArea<DB, Shift>) -> Drawn {
    let entries = [
        (Key::Block(LOW_INPUT), "input at its low value".to_owned()),
        (Key::Block(HIGH_INPUT), "input at its high value".to_owned()),
        (
            Key::Line(RGBColor(0, 0, 0), Some((6, 4))),
            format!("base case ({} {})", axis_number(t.base), t.unit),
        ),
    ];
    let plot = legend_strip(area, &entries)?;
    let mut bars: Vec<&crate::TornadoBar> = t.bars.iter().collect();
    // Largest swing on top: plotters' y grows upwards, so sort ascending.
    bars.sort_by(|a, b| {
        let swing = |x: &crate::TornadoBar| (x.at_high - x.at_low).abs();
        swing(a).total_cmp(&swing(b))
    });
    let values = bars.iter().flat_map(|b| [b.at_low, b.at_high]);
    let (lo, hi) = values.fold((t.base, t.base), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let span = (hi - lo).max(t.base.abs() * 1e-3).max(1e-9);
    // Room either side for the input values written at the bar ends.
    let (x0, x1) = (lo - span * 0.3, hi + span * 0.3);
    let n = bars.len();
    // Labels get up to 45% of the width; a longer one keeps its first
    // segment and its end (`rate_card.…/sonnet.credits_per_mtok.output`),
    // which tell inputs apart, and loses the middle.
    let label_font = TextStyle::from((FAMILY, 14).into_font());
    let width_of = |text: &str| {
        plot.estimate_text_size(text, &label_font)
            .map_or(text.chars().count() as u32 * 8, |(w, _)| w)
    };
    let max_room = plot.dim_in_pixel().0 * 45 / 100;
    let labels: Vec<String> = bars
        .iter()
        .map(|b| elide_middle(&b.label, |t| width_of(t) + 20 <= max_room))
        .collect();
    let label_room = labels
        .iter()
        .map(|l| width_of(l) + 20)
        .max()
        .unwrap_or(0)
        .clamp(80, max_room.max(80));
    let mut chart = ChartBuilder::on(&plot)
        .margin(16)
        .x_label_area_size(56)
        .y_label_area_size(label_room)
        .build_cartesian_2d(x0..x1, -0.6f64..(n as f64 - 0.4))
        .or_message()?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(4 * n + 2)
        .y_label_formatter(&|v| {
            let i = v.round();
            if (v - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < labels.len() {
                labels[i as usize].clone()
            } else {
                String::new()
            }
        })
        .x_desc(format!("{} ({})", t.title_outcome(), t.unit))
        .x_label_formatter(&|v| tick_number(*v, x0, x1))
        .label_style((FAMILY, 14))
        .axis_desc_style((FAMILY, 15))
        .light_line_style(RGBColor(238, 238, 238))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()
        .or_message()?;
    let font = (FAMILY, 13).into_font();
    for (i, bar) in bars.iter().enumerate() {
        let y = i as f64;
        if bar.at_low == t.base && bar.at_high == t.base {
            // Both ends on the base line: one label, not two printed over
            // each other.
            chart
                .draw_series(std::iter::once(Text::new(
                    format!("no effect ({} → {})", bar.low_input, bar.high_input),
                    (t.base + span * 0.01, y),
                    font.clone()
                        .color(&BLACK)
                        .pos(Pos::new(HPos::Left, VPos::Center)),
                )))
                .or_message()?;
            continue;
        }
        for (value, colour, input) in [
            (bar.at_low, LOW_INPUT, &bar.low_input),
            (bar.at_high, HIGH_INPUT, &bar.high_input),
        ] {
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(t.base, y - 0.32), (value, y + 0.32)],
                    colour.filled(),
                )))
                .or_message()?;
            let right = value >= t.base;
            let pos = if right {
                Pos::new(HPos::Left, VPos::Center)
            } else {
                Pos::new(HPos::Right, VPos::Center)
            };
            let gap = span * 0.01 * if right { 1.0 } else { -1.0 };
            chart
                .draw_series(std::iter::once(Text::new(
                    input.clone(),
                    (value + gap, y),
                    font.clone().color(&BLACK).pos(pos),
                )))
                .or_message()?;
        }
    }
    chart
        .draw_series(DashedLineSeries::new(
            vec![(t.base, -0.6), (t.base, n as f64 - 0.4)],
            6,
            4,
            BLACK.stroke_width(2),
        ))
        .or_message()?;
    Ok(())
}

impl Tornado {
    /// The outcome's name for the axis: the title up to a colon, if any.
    fn title_outcome(&self) -> String {
        match self.title.split_once(':') {
            Some((head, _)) => head.trim().to_owned(),
            None => self.title.clone(),
        }
    }
}

/// A sequential colour scale whose lightness rises monotonically (viridis
/// stops), so it reads the same printed in grey.
fn scale_colour(t: f64) -> RGBColor {
    const STOPS: [(u8, u8, u8); 6] = [
        (68, 1, 84),
        (65, 68, 135),
        (42, 120, 142),
        (34, 168, 132),
        (122, 209, 81),
        (253, 231, 37),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let pos = t * (STOPS.len() - 1) as f64;
    let i = (pos.floor() as usize).min(STOPS.len() - 2);
    let f = pos - i as f64;
    let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * f).round() as u8;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

fn draw_heatmap<DB: DrawingBackend>(h: &Heatmap, area: &DrawingArea<DB, Shift>) -> Drawn {
    let mut entries = vec![(
        Key::Block(scale_colour(0.5)),
        format!("colour: {} (lighter is higher)", h.unit),
    )];
    if h.best.is_some() {
        entries.push((
            Key::Line(RGBColor(220, 30, 30), None),
            "best cell".to_owned(),
        ));
    }
    let plot = legend_strip(area, &entries)?;
    let (width, _) = plot.dim_in_pixel();
    let (grid_area, bar_area) = plot.split_horizontally(width.saturating_sub(130));
    let (nx, ny) = (h.x.len(), h.y.len());
    let values = h.z.iter().flatten().copied().filter(|v| v.is_finite());
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) };
    let norm = |v: f64| if hi > lo { (v - lo) / (hi - lo) } else { 0.5 };
    let mut chart = ChartBuilder::on(&grid_area)
        .margin(16)
        .x_label_area_size(56)
        .y_label_area_size(80)
        .build_cartesian_2d(-0.5f64..(nx as f64 - 0.5), -0.5f64..(ny as f64 - 0.5))
        .or_message()?;
    let index_label = |axis: &[f64], v: f64| {
        let i = v.round();
        if (v - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < axis.len() {
            input_number(axis[i as usize])
        } else {
            String::new()
        }
    };
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels((2 * nx + 2).min(40))
        .y_labels((2 * ny + 2).min(40))
        .x_label_formatter(&|v| index_label(&h.x, *v))
        .y_label_formatter(&|v| index_label(&h.y, *v))
        .x_desc(h.x_label.clone())
        .y_desc(h.y_label.clone())
        .label_style((FAMILY, 14))
        .axis_desc_style((FAMILY, 15))
        .draw()
        .or_message()?;
    let annotate = nx <= 12 && ny <= 12;
    for (yi, row) in h.z.iter().enumerate() {
        for (xi, &v) in row.iter().enumerate() {
            let (x, y) = (xi as f64, yi as f64);
            let t = norm(v);
            let colour = if v.is_finite() {
                scale_colour(t)
            } else {
                RGBColor(200, 200, 200)
            };
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)],
                    colour.filled(),
                )))
                .or_message()?;
            if annotate {
                let ink = if t > 0.55 { BLACK } else { WHITE };
                let text = if v.is_finite() {
                    axis_number(v)
                } else {
                    "n/a".into()
                };
                chart
                    .draw_series(std::iter::once(Text::new(
                        text,
                        (x, y),
                        (FAMILY, 13)
                            .into_font()
                            .color(&ink)
                            .pos(Pos::new(HPos::Center, VPos::Center)),
                    )))
                    .or_message()?;
            }
        }
    }
    if let Some((xi, yi)) = h.best {
        let (x, y) = (xi as f64, yi as f64);
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(x - 0.47, y - 0.47), (x + 0.47, y + 0.47)],
                RGBColor(220, 30, 30).stroke_width(4),
            )))
            .or_message()?;
    }
    // The colour bar, with its scale in the outcome's unit.
    let mut bar = ChartBuilder::on(&bar_area)
        .margin_top(16)
        .margin_bottom(72)
        .margin_right(10)
        .y_label_area_size(70)
        .build_cartesian_2d(0f64..1f64, lo..(if hi > lo { hi } else { lo + 1.0 }))
        .or_message()?;
    bar.configure_mesh()
        .disable_mesh()
        .x_labels(0)
        .y_labels(6)
        .y_desc(h.unit.clone())
        .y_label_formatter(&|v| tick_number(*v, lo, hi))
        .label_style((FAMILY, 13))
        .axis_desc_style((FAMILY, 14))
        .draw()
        .or_message()?;
    let steps = 64;
    let span = if hi > lo { hi - lo } else { 1.0 };
    bar.draw_series((0..steps).map(|k| {
        let a = lo + span * k as f64 / steps as f64;
        let b = lo + span * (k + 1) as f64 / steps as f64;
        Rectangle::new(
            [(0.0, a), (1.0, b)],
            scale_colour(k as f64 / (steps - 1) as f64).filled(),
        )
    }))
    .or_message()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{elide_middle, tick_number};

    #[test]
    fn ticks_of_a_narrow_axis_read_apart() {
        let labels: Vec<String> = [27_000.0, 27_500.0, 28_000.0, 28_500.0]
            .iter()
            .map(|v| tick_number(*v, 26_800.0, 30_900.0))
            .collect();
        assert_eq!(labels, ["27k", "27.5k", "28k", "28.5k"]);
        assert_eq!(tick_number(400_000.0, 0.0, 1_000_000.0), "0.4M");
        assert_eq!(tick_number(1_250_000.0, 1e6, 1.5e6), "1.25M");
        assert_eq!(tick_number(0.25, 0.0, 1.0), "0.25");
        assert_eq!(tick_number(350.0, 0.0, 1000.0), "350");
        assert_eq!(tick_number(-0.0001, -1.0, 1.0), "0");
        assert_eq!(tick_number(0.0, 0.0, 20_000.0), "0");
    }

    #[test]
    fn a_long_label_keeps_its_first_segment_and_its_end() {
        let fits = |t: &str| t.chars().count() <= 30;
        assert_eq!(
            elide_middle("segments.teams.customers", fits),
            "segments.teams.customers"
        );
        let label = "rate_card.anthropic/claude-sonnet-4-6.credits_per_mtok.output";
        let short = elide_middle(label, fits);
        assert_eq!(short, "rate_card.…its_per_mtok.output");
        assert_eq!(short.chars().count(), 30);
        assert_eq!(
            elide_middle("nodots-but-far-too-long-to-fit-anywhere", |t| t
                .chars()
                .count()
                <= 5),
            "…here"
        );
    }
}
