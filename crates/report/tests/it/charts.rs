//! Charts render with the embedded font only (no system font is read, so
//! these pass on a machine with no fonts), as well-formed SVG and as PNG
//! images of the asked size with text drawn in them.

use report::charts::{self, Figure};
use report::{Heatmap, Tornado, TornadoBar};

use crate::small_run;

fn tornado() -> Tornado {
    Tornado {
        title: "Gross margin: prepaid".into(),
        unit: "USD".into(),
        base: 1000.0,
        bars: vec![
            TornadoBar {
                label: "provider price".into(),
                low_input: "-20%".into(),
                high_input: "+20%".into(),
                at_low: 1300.0,
                at_high: 700.0,
            },
            TornadoBar {
                label: "tasks per agent".into(),
                low_input: "2/day".into(),
                high_input: "6/day".into(),
                at_low: 900.0,
                at_high: 1100.0,
            },
        ],
    }
}

fn heatmap() -> Heatmap {
    Heatmap {
        title: "Gross margin by price and pack size".into(),
        x_label: "price per credit (USD)".into(),
        x: vec![0.008, 0.01, 0.012],
        y_label: "pack size (credits)".into(),
        y: vec![10_000.0, 20_000.0],
        z: vec![vec![1.0, 2.0, 3.0], vec![4.0, 5.0, 6.0]],
        unit: "USD".into(),
        best: Some((2, 1)),
    }
}

/// A PNG's width and height from its IHDR chunk, after checking the signature.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&bytes[16..20]), be(&bytes[20..24]))
}

/// Pixels darker than mid-grey in the given rows of an RGB PNG.
fn dark_pixels_in_rows(bytes: &[u8], rows: std::ops::Range<usize>) -> usize {
    let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
        .read_info()
        .unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    let width = info.width as usize;
    pixels[rows.start * width * 3..rows.end * width * 3]
        .chunks(3)
        .filter(|p| p.iter().map(|&c| u32::from(c)).sum::<u32>() < 3 * 128)
        .count()
}

fn assert_svg(chart: &charts::Chart) {
    let svg = &chart.svg;
    assert!(
        svg.starts_with("<svg"),
        "{}: {}",
        chart.id,
        &svg[..40.min(svg.len())]
    );
    assert!(svg.trim_end().ends_with("</svg>"), "{}", chart.id);
    assert!(svg.contains(&chart.title), "{}: title missing", chart.id);
    assert_eq!(svg.matches("<text").count(), svg.matches("</text>").count());
    assert!(!svg.contains("NaN"), "{}", chart.id);
}

#[test]
fn run_charts_are_svg_with_titles_and_units() {
    let run = small_run(40);
    let all = charts::all(&run).unwrap();
    let ids: Vec<&str> = all.iter().map(|c| c.id).collect();
    assert_eq!(
        ids,
        [
            "margin_distribution",
            "comparison_bars",
            "exposure_fan",
            "balance_fan"
        ]
    );
    for chart in &all {
        assert_svg(chart);
        for plan in &run.plans {
            assert!(
                chart.svg.contains(&plan.id),
                "{} lacks plan {}",
                chart.id,
                plan.id
            );
        }
    }
    assert!(all[0].svg.contains("(USD)"));
    assert!(all[2].svg.contains("Exposure (USD)") && all[2].svg.contains("(days)"));
    assert!(all[3].svg.contains("(credits)"));
    assert_eq!(charts::margin_distribution(&run).unwrap(), all[0]);
    assert_eq!(charts::exposure_fan(&run).unwrap().id, "exposure_fan");
    assert_eq!(charts::balance_fan(&run).unwrap().id, "balance_fan");
    assert_eq!(charts::comparison_bars(&run).unwrap().id, "comparison_bars");
}

#[test]
fn sensitivity_charts_render() {
    let t = charts::tornado(&tornado()).unwrap();
    assert_svg(&t);
    assert!(t.svg.contains("provider price") && t.svg.contains("+20%"));
    let h = charts::heatmap(&heatmap()).unwrap();
    assert_svg(&h);
    assert!(h.svg.contains("pack size (credits)"));
}

#[test]
fn png_renders_text_with_the_embedded_font() {
    let run = small_run(20);
    let bytes = charts::png(Figure::MarginDistribution(&run), 640, 400).unwrap();
    assert_eq!(png_size(&bytes), (640, 400));
    // The title band holds only the title's glyphs: dark pixels there mean
    // the embedded font drew text (plotters is built without font-kit, so
    // there is no system font to fall back on).
    assert!(dark_pixels_in_rows(&bytes, 0..30) > 200);
    let t = charts::png(Figure::Tornado(&tornado()), 500, 300).unwrap();
    assert_eq!(png_size(&t), (500, 300));
    let h = charts::png(Figure::Heatmap(&heatmap()), 500, 300).unwrap();
    assert_eq!(png_size(&h), (500, 300));
}

#[test]
fn bad_chart_input_is_an_error_not_a_panic() {
    let mut h = heatmap();
    h.z.pop();
    let error = charts::heatmap(&h).unwrap_err().to_string();
    assert!(
        error.contains("heatmap") && error.contains("z[yi][xi]"),
        "{error}"
    );
    let mut h = heatmap();
    h.best = Some((5, 0));
    assert!(charts::heatmap(&h).is_err());
    let mut t = tornado();
    t.bars[0].at_low = f64::NAN;
    let error = charts::tornado(&t).unwrap_err().to_string();
    assert!(error.contains("tornado"), "{error}");
    t.bars.clear();
    assert!(charts::tornado(&t).is_err());
}

fn daily_series(values: Vec<f64>) -> charts::DailySeries {
    charts::DailySeries {
        title: "Available balance of customer 3 (smb) under prepaid, path 0".into(),
        y_label: "Available balance (credits)".into(),
        values,
    }
}

#[test]
fn a_daily_series_is_a_line_chart_with_units_and_bad_values_are_refused() {
    let chart = charts::daily(&daily_series(vec![500.0, 420.0, 0.0, -35.0, 200.0])).unwrap();
    assert_svg(&chart);
    assert_eq!(chart.id, "daily");
    assert!(chart.svg.contains("Available balance (credits)"));
    assert!(chart.svg.contains("Day of the horizon (days)"));
    // Days are whole numbers: five days give the labels 0 to 4, each once.
    let labels: Vec<&str> = chart
        .svg
        .lines()
        .filter(|line| line.len() == 1 && line.as_bytes()[0].is_ascii_digit())
        .collect();
    for day in ["1", "2", "3", "4"] {
        assert_eq!(
            labels.iter().filter(|l| **l == day).count(),
            1,
            "{labels:?}"
        );
    }
    let png = charts::png(Figure::Daily(&daily_series(vec![1.0, 2.0])), 400, 240).unwrap();
    assert_eq!(png_size(&png), (400, 240));

    let error = charts::daily(&daily_series(Vec::new()))
        .unwrap_err()
        .to_string();
    assert!(error.contains("0 daily values"), "{error}");
    let error = charts::daily(&daily_series(vec![1.0, f64::INFINITY]))
        .unwrap_err()
        .to_string();
    assert!(error.contains("not a finite number"), "{error}");
}
