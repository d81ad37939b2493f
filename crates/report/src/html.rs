//! `report.html`: the memo as one self-contained page. Charts are inline
//! SVG, the chart font is embedded as a data URI, and nothing refers to
//! the network or to another file, so the page opens the same offline,
//! attached to an email, or years later.

use std::fmt::Write;

use crate::backtest;
use crate::charts::{Chart, FONT_BOLD, FONT_REGULAR};
use crate::memo::{Finding, METRIC_COLUMNS, Memo};

const STYLE: &str = "
body { font-family: 'DejaVu Sans', sans-serif; font-size: 14px; color: #111; max-width: 1000px; margin: 2em auto; padding: 0 1em; line-height: 1.45; }
h1 { font-size: 26px; margin-bottom: 0.2em; }
h2 { font-size: 20px; border-bottom: 1px solid #888; padding-bottom: 0.2em; margin-top: 2em; }
h3 { font-size: 16px; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 12.5px; }
th, td { border: 1px solid #bbb; padding: 3px 7px; vertical-align: top; }
th { background: #e8e8e8; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
figure { margin: 1.5em 0; }
figure svg { max-width: 100%; height: auto; }
figcaption { font-size: 12.5px; color: #333; }
.meta { color: #444; }
code { font-size: 12.5px; }
";

/// The page's HTML text.
pub fn page(memo: &Memo<'_>) -> String {
    let mut h = String::with_capacity(4 << 20);
    head(
        &mut h,
        &memo.title,
        memo.generated_on,
        &format!(
            "Scenario file <code>{}</code>. {}",
            escape(memo.scenario_file_name),
            escape(&memo.run_line())
        ),
    );

    h.push_str("<h2>Executive summary</h2>\n");
    findings(&mut h, &memo.findings);
    let mut header = vec!["Metric (mean [95% CI])".to_owned()];
    header.extend((0..memo.run.plans.len()).map(|p| memo.plan_label(p)));
    table(&mut h, &header, &memo.comparison_rows(), 1);

    let intro = format!(
        "Every input of the scenario file <code>{}</code>, which is beside this report.",
        escape(memo.scenario_file_name)
    );
    assumptions(&mut h, &intro, &memo.assumptions);

    h.push_str("<h2>Metrics per plan</h2>\n");
    let columns: Vec<String> = METRIC_COLUMNS.iter().map(|c| (*c).to_owned()).collect();
    for plan in 0..memo.run.plans.len() {
        let _ = writeln!(h, "<h3>{}</h3>", escape(&memo.plan_label(plan)));
        let rows: Vec<Vec<String>> = memo
            .metric_rows(plan)
            .into_iter()
            .map(|r| r.to_vec())
            .collect();
        table(&mut h, &columns, &rows, 2);
    }

    h.push_str("<h2>Charts</h2>\n");
    for chart in &memo.charts {
        figure(&mut h, chart);
    }

    if let Some(section) = memo.sensitivity {
        h.push_str("<h2>Sensitivity</h2>\n");
        let _ = writeln!(h, "<p>{}</p>", escape(&section.note));
        for chart in &memo.sensitivity_charts {
            figure(&mut h, chart);
        }
        table(
            &mut h,
            &section.columns,
            &section.rows,
            section.text_columns,
        );
    }

    method(&mut h, &memo.method);
    source(&mut h, memo);
    h.push_str("</body>\n</html>\n");
    h
}

/// The scenario text as run, with its seed and paths as data attributes,
/// so the page alone reproduces its numbers.
fn source(h: &mut String, memo: &Memo<'_>) {
    h.push_str("<h2>Appendix: the scenario as run</h2>\n");
    let _ = writeln!(h, "<p>{}</p>", escape(&memo.source_note()));
    let _ = writeln!(
        h,
        "<pre id=\"scenario-source\" data-file=\"{}\" data-seed=\"{}\" data-paths=\"{}\">{}</pre>",
        escape(memo.scenario_file_name),
        memo.run.seed,
        memo.run.paths,
        escape(memo.scenario_text)
    );
}

/// The backtest memo's page.
pub(crate) fn backtest_page(memo: &backtest::Memo<'_>) -> String {
    let mut h = String::with_capacity(2 << 20);
    head(&mut h, &memo.title, memo.generated_on, &escape(&memo.line));

    h.push_str("<h2>Summary</h2>\n");
    findings(&mut h, &memo.findings);
    table(&mut h, &memo.headline.header, &memo.headline.rows, 1);

    h.push_str("<h2>Trace</h2>\n");
    pairs(&mut h, "Fact", &memo.trace);

    assumptions(&mut h, &escape(&memo.assumptions_note), &memo.assumptions);

    h.push_str("<h2>Metrics per plan</h2>\n");
    table(&mut h, &memo.metrics.header, &memo.metrics.rows, 2);
    h.push_str("<h3>Exact totals</h3>\n");
    let _ = writeln!(
        h,
        "<p>The money totals as exact decimals in {}; the tables above round them.</p>",
        escape(&memo.output.currency)
    );
    table(&mut h, &memo.exact.header, &memo.exact.rows, 1);

    h.push_str("<h2>Charts</h2>\n");
    for chart in &memo.charts {
        figure(&mut h, chart);
    }
    method(&mut h, &memo.method);
    h.push_str("</body>\n</html>\n");
    h
}

/// The document's start: the head with the embedded font and the style,
/// the title, the date if any, and `meta_html` (already escaped) under them.
fn head(h: &mut String, title: &str, generated_on: Option<&str>, meta_html: &str) {
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    let _ = writeln!(h, "<title>{}</title>", escape(title));
    h.push_str("<style>\n");
    for (weight, bytes) in [("normal", FONT_REGULAR), ("bold", FONT_BOLD)] {
        let _ = writeln!(
            h,
            "@font-face {{ font-family: 'DejaVu Sans'; font-weight: {weight}; src: url(data:font/ttf;base64,{}) format('truetype'); }}",
            base64(bytes)
        );
    }
    h.push_str(STYLE);
    h.push_str("</style>\n</head>\n<body>\n");
    let _ = writeln!(h, "<h1>{}</h1>", escape(title));
    if let Some(date) = generated_on {
        let _ = writeln!(h, "<p class=\"meta\">{}</p>", escape(date));
    }
    let _ = writeln!(h, "<p class=\"meta\">{meta_html}</p>");
}

/// The summary's headlines as a list, each led by its topic in bold.
fn findings(h: &mut String, findings: &[Finding]) {
    h.push_str("<ul>\n");
    for f in findings {
        let _ = writeln!(h, "<li><b>{}.</b> {}</li>", f.topic, escape(&f.text));
    }
    h.push_str("</ul>\n");
}

/// The assumptions section: the inputs of the scenario file, after a
/// paragraph (`intro_html`, already escaped) saying which.
fn assumptions(h: &mut String, intro_html: &str, assumptions: &[(String, String)]) {
    h.push_str("<h2>Assumptions</h2>\n");
    let _ = writeln!(h, "<p>{intro_html}</p>");
    pairs(h, "Input", assumptions);
}

/// A two-column table of `(name, value)` rows.
fn pairs(h: &mut String, name: &str, rows: &[(String, String)]) {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|(k, v)| vec![k.clone(), v.clone()])
        .collect();
    table(h, &[name.to_owned(), "Value".to_owned()], &rows, usize::MAX);
}

/// The method notes, which end the page.
fn method(h: &mut String, notes: &[String]) {
    h.push_str("<h2>Method notes</h2>\n<ul>\n");
    for note in notes {
        let _ = writeln!(h, "<li>{}</li>", escape(note));
    }
    h.push_str("</ul>\n");
}

fn figure(h: &mut String, chart: &Chart) {
    let _ = writeln!(h, "<figure id=\"{}\">", chart.id);
    // Inline SVG needs no namespace declaration in HTML; dropping it keeps
    // the page free of any URL at all.
    h.push_str(
        &chart
            .svg
            .replace(" xmlns=\"http://www.w3.org/2000/svg\"", ""),
    );
    let _ = writeln!(
        h,
        "\n<figcaption>{}</figcaption>\n</figure>",
        escape(&chart.title)
    );
}

/// A table whose columns from `numeric_from` on are right-aligned numbers.
fn table(h: &mut String, header: &[String], rows: &[Vec<String>], numeric_from: usize) {
    h.push_str("<table>\n<tr>");
    for cell in header {
        let _ = write!(h, "<th>{}</th>", escape(cell));
    }
    h.push_str("</tr>\n");
    for row in rows {
        h.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            let class = if i >= numeric_from {
                " class=\"n\""
            } else {
                ""
            };
            let _ = write!(h, "<td{class}>{}</td>", escape(cell));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");
}

/// Text made safe for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
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

/// Standard base64 with padding (RFC 4648), for the embedded font.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), expected, "{input:?}");
        }
    }

    #[test]
    fn escape_covers_markup_characters() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
