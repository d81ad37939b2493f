//! Each single-file report carries the scenario text and seed it was made
//! from: taken out of report.html and report.xlsx and run again, they give
//! the same numbers, bit for bit. The PDF shows the same text.

use std::io::Cursor;
use std::sync::atomic::AtomicBool;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use report::{ReportFile, ReportInput};
use sim::run::{RunOptions, RunOutput, Silent};

use crate::{SCENARIO, small_run};

const FILE_NAME: &str = "scenario-small.toml";

fn files(run: &RunOutput) -> Vec<ReportFile> {
    let input = ReportInput {
        run,
        scenario_text: SCENARIO,
        scenario_file_name: FILE_NAME,
        sensitivity: None,
        generated_on: None,
    };
    report::build(&input).expect("the report builds")
}

fn bytes<'a>(files: &'a [ReportFile], name: &str) -> &'a [u8] {
    &files.iter().find(|f| f.name == name).expect(name).bytes
}

/// Runs `text` with `seed` and `paths` as `creditsim report` would.
fn rerun(text: &str, seed: u64, paths: usize) -> RunOutput {
    let scenario = sim::scenario::load(text, FILE_NAME).expect("the embedded scenario loads");
    let options = RunOptions {
        paths: Some(paths),
        seed: Some(seed),
        threads: Some(2),
        ..RunOptions::default()
    };
    sim::run::run(&scenario, &options, &Silent, &AtomicBool::new(false)).expect("it runs")
}

fn assert_same_numbers(a: &RunOutput, b: &RunOutput) {
    assert_eq!(a.plans.len(), b.plans.len());
    for (x, y) in a.plans.iter().zip(&b.plans) {
        assert_eq!(x.id, y.id);
        // Bit for bit: f64 equality on every metric of every path.
        assert_eq!(x.rows, y.rows, "plan {}", x.id);
    }
}

fn attribute(html: &str, name: &str) -> String {
    let key = format!("{name}=\"");
    let start = html.find(&key).expect(name) + key.len();
    html[start..start + html[start..].find('"').expect("closing quote")].to_owned()
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[test]
fn the_html_report_reproduces_from_its_embedded_scenario_and_seed() {
    let run = small_run(30);
    let files = files(&run);
    let html = String::from_utf8(bytes(&files, "report.html").to_vec()).expect("UTF-8");
    let open = "<pre id=\"scenario-source\"";
    let at = html.find(open).expect("the page embeds the scenario");
    let tag = &html[at..at + html[at..].find('>').expect("tag end")];
    let seed: u64 = attribute(tag, "data-seed").parse().expect("seed");
    let paths: usize = attribute(tag, "data-paths").parse().expect("paths");
    assert_eq!(attribute(tag, "data-file"), FILE_NAME);
    let body_start = at + tag.len() + 1;
    let body_end = body_start + html[body_start..].find("</pre>").expect("pre end");
    let text = unescape(&html[body_start..body_end]);
    assert_eq!(text, SCENARIO, "the exact text");
    assert_eq!((seed, paths), (run.seed, run.paths));
    assert_same_numbers(&rerun(&text, seed, paths), &run);
    assert!(html.trim_end().ends_with("</html>"));
}

#[test]
fn the_workbook_reproduces_from_its_scenario_sheet() {
    let run = small_run(30);
    let files = files(&run);
    let mut book: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(bytes(&files, "report.xlsx").to_vec())).expect("xlsx");
    let sheet = book.worksheet_range("Scenario").expect("a Scenario sheet");
    let cell = |row: u32, col: u32| sheet.get_value((row, col)).cloned().unwrap_or(Data::Empty);
    let text_of = |d: Data| match d {
        Data::String(s) => s,
        Data::Empty => String::new(),
        other => panic!("expected text, got {other:?}"),
    };
    assert_eq!(text_of(cell(1, 1)), FILE_NAME);
    let seed: u64 = text_of(cell(2, 1)).parse().expect("seed");
    let paths = match cell(3, 1) {
        Data::Float(v) => v as usize,
        other => panic!("paths: {other:?}"),
    };
    let mut lines = Vec::new();
    let mut row = 6;
    while let Data::Float(n) = cell(row, 0) {
        assert_eq!(n as usize, lines.len() + 1, "line numbers in order");
        lines.push(text_of(cell(row, 1)));
        row += 1;
    }
    let text = lines.join("\n");
    assert_eq!(text, SCENARIO, "the exact text");
    assert_same_numbers(&rerun(&text, seed, paths), &run);
}

#[test]
fn the_pdf_shows_the_scenario_and_seed_in_an_appendix() {
    let run = small_run(10);
    let files = files(&run);
    let doc = lopdf::Document::load_mem(bytes(&files, "report.pdf")).expect("PDF");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let text = doc.extract_text(&pages).expect("text");
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains("Appendix: the scenario as run"), "{text}");
    assert!(text.contains(&format!("seed {}", run.seed)));
    // Every non-blank line of the scenario is in the PDF's text (compared
    // without whitespace: the PDF's text extraction spaces tokens apart).
    let squeezed: String = text.split_whitespace().collect();
    for line in SCENARIO.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let line: String = line.split_whitespace().collect();
        assert!(squeezed.contains(&line), "the PDF lacks the line {line:?}");
    }
}

#[test]
fn a_single_file_is_the_reports_own_and_tells_its_stages() {
    use report::{Single, Stage};
    let run = small_run(10);
    let all = files(&run);
    let input = ReportInput {
        run: &run,
        scenario_text: SCENARIO,
        scenario_file_name: FILE_NAME,
        sensitivity: None,
        generated_on: None,
    };
    let single = |kind: Single| {
        let mut stages = Vec::new();
        let bytes = report::build_single(&input, kind, &mut |s| stages.push(s)).expect("builds");
        (bytes, stages)
    };
    let (html, stages) = single(Single::Html);
    assert_eq!(html, bytes(&all, "report.html"));
    assert_eq!(stages, [Stage::Charts, Stage::Composing]);
    let (csv, stages) = single(Single::Csv);
    assert_eq!(csv, bytes(&all, "results.csv"));
    assert_eq!(stages, [Stage::Encoding]);
    let (parquet, _) = single(Single::Parquet);
    assert_eq!(parquet, bytes(&all, "results.parquet"));
    let (pdf, stages) = single(Single::Pdf);
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(stages, [Stage::Charts, Stage::Typesetting]);
    let (xlsx, _) = single(Single::Xlsx);
    assert!(xlsx.starts_with(b"PK"), "an XLSX is a zip");
}
