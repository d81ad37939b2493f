//! `report.pdf`: the memo typeset by typst, used as a library. The crate
//! writes the memo as typst markup (every piece of text as an escaped
//! string literal, so no scenario name or plan id can inject markup) and
//! compiles it in a small in-memory [`World`]: one source file, the charts
//! as SVG files, DejaVu Sans embedded in the binary as the only fonts, and
//! no clock, network or file system. Charts stay vector graphics in the PDF.

use std::fmt::Write;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};

use crate::charts::{self, FONT_BOLD, FONT_REGULAR};
use crate::memo::{Finding, METRIC_COLUMNS, Memo};
use crate::{ReportError, backtest};

/// Chart size for the PDF: drawn smaller than on screen, so that the text
/// in the charts is about the size of the body text once scaled to the page.
const CHART_WIDTH: u32 = 780;
const CHART_HEIGHT: u32 = 470;

/// The PDF's bytes.
pub fn document(memo: &Memo<'_>) -> Result<Vec<u8>, ReportError> {
    let mut files = Vec::new();
    for figure in memo.figures.iter().chain(&memo.sensitivity_figures) {
        let svg = charts::svg(*figure, CHART_WIDTH, CHART_HEIGHT)?;
        files.push((
            format!("{}-{}.svg", figure.id(), files.len()),
            svg.into_bytes(),
        ));
    }
    let chart_files: Vec<String> = files.iter().map(|(name, _)| name.clone()).collect();
    compile(markup(memo, &chart_files), files)
}

/// The backtest memo's PDF bytes.
pub(crate) fn backtest_document(memo: &backtest::Memo<'_>) -> Result<Vec<u8>, ReportError> {
    let mut files = Vec::new();
    for figure in &memo.figures {
        let svg = figure.svg(CHART_WIDTH, CHART_HEIGHT)?;
        files.push((
            format!("{}-{}.svg", figure.id(), files.len()),
            svg.into_bytes(),
        ));
    }
    let chart_files: Vec<String> = files.iter().map(|(name, _)| name.clone()).collect();
    compile(backtest_markup(memo, &chart_files), files)
}

/// Typesets `markup` with the chart files it refers to and exports the PDF.
fn compile(markup: String, files: Vec<(String, Vec<u8>)>) -> Result<Vec<u8>, ReportError> {
    let world = Memory::new(markup, files);
    let compiled = typst::compile(&world);
    let document = compiled
        .output
        .map_err(|errors| ReportError::Typeset(diagnostics(&world, &errors)))?;
    let options = typst_pdf::PdfOptions::default();
    typst_pdf::pdf(&document, &options)
        .map_err(|errors| ReportError::Typeset(diagnostics(&world, &errors)))
}

fn diagnostics(world: &Memory, errors: &[typst::diag::SourceDiagnostic]) -> String {
    let source = &world.source;
    errors
        .iter()
        .map(|e| {
            let place = world
                .range(e.span)
                .and_then(|r| source.lines().byte_to_line(r.start))
                .map_or(String::new(), |line| {
                    format!("generated line {}: ", line + 1)
                });
            format!("{place}{}", e.message)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// A typst string literal holding `text`.
fn lit(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The page set-up, the title, the date if any and a line under them.
fn head(m: &mut String, title: &str, generated_on: Option<&str>, line: &str) {
    let _ = writeln!(
        m,
        "#set document(title: {})\n\
         #set page(paper: \"a4\", margin: (x: 1.8cm, y: 2cm), numbering: \"1 / 1\", header: context {{ if here().page() > 1 {{ align(right, text(size: 8pt, fill: luma(90), {})) }} }})\n\
         #set text(font: \"DejaVu Sans\", size: 9.5pt, lang: \"en\")\n\
         #set par(justify: false, leading: 0.6em)\n\
         #set heading(numbering: \"1.\")\n\
         #show heading.where(level: 1): set block(above: 1.6em, below: 0.8em)\n\
         #set table(stroke: 0.5pt + luma(150), inset: 4pt)\n\
         #show table.cell.where(y: 0): set text(weight: \"bold\")\n",
        lit(title),
        lit(title)
    );
    let _ = writeln!(m, "#text(size: 18pt, weight: \"bold\", {})\n", lit(title));
    if let Some(date) = generated_on {
        let _ = writeln!(m, "#text(fill: luma(60), {})\n", lit(date));
    }
    let _ = writeln!(m, "#text(fill: luma(60), {})\n", lit(line));
}

/// The summary's headlines as a list, each led by its topic in bold.
fn findings(m: &mut String, findings: &[Finding]) {
    for f in findings {
        let _ = writeln!(m, "- *{}.* #{}", f.topic, lit(&f.text));
    }
    m.push('\n');
}

/// The assumptions section: the inputs of the scenario file, after a
/// sentence saying which.
fn assumptions(m: &mut String, intro: &str, assumptions: &[(String, String)]) {
    m.push_str("#heading(level: 1, \"Assumptions\")\n");
    let _ = writeln!(m, "#{}\n", lit(intro));
    pairs(m, "(1fr, 1.4fr)", "Input", assumptions);
}

/// A two-column table of `(name, value)` rows.
fn pairs(m: &mut String, widths: &str, name: &str, rows: &[(String, String)]) {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|(k, v)| vec![k.clone(), v.clone()])
        .collect();
    table(
        m,
        widths,
        &[name.to_owned(), "Value".to_owned()],
        &rows,
        usize::MAX,
        8.0,
    );
}

/// The method notes as a list.
fn method(m: &mut String, notes: &[String]) {
    m.push_str("#heading(level: 1, \"Method notes\")\n");
    for note in notes {
        let _ = writeln!(m, "- #{}", lit(note));
    }
}

/// The memo as typst markup.
fn markup(memo: &Memo<'_>, chart_files: &[String]) -> String {
    let mut m = String::new();
    head(
        &mut m,
        &memo.title,
        memo.generated_on,
        &format!(
            "Scenario file {}. {}",
            memo.scenario_file_name,
            memo.run_line()
        ),
    );
    m.push_str("#heading(level: 1, \"Executive summary\")\n");
    findings(&mut m, &memo.findings);
    let plans = memo.run.plans.len();
    let mut header = vec!["Metric (mean [95% CI])".to_owned()];
    header.extend((0..plans).map(|p| memo.plan_label(p)));
    table(
        &mut m,
        &format!("(1.3fr, {})", vec!["1fr"; plans].join(", ")),
        &header,
        &memo.comparison_rows(),
        1,
        8.0,
    );

    let intro = format!(
        "Every input of the scenario file {}, which is beside this report.",
        memo.scenario_file_name
    );
    assumptions(&mut m, &intro, &memo.assumptions);

    m.push_str("#heading(level: 1, \"Metrics per plan\")\n");
    let columns: Vec<String> = METRIC_COLUMNS.iter().map(|c| (*c).to_owned()).collect();
    for plan in 0..plans {
        let _ = writeln!(m, "#heading(level: 2, {})", lit(&memo.plan_label(plan)));
        let rows: Vec<Vec<String>> = memo
            .metric_rows(plan)
            .into_iter()
            .map(|r| r.to_vec())
            .collect();
        table(
            &mut m,
            "(2.4fr, auto, auto, 1.6fr, auto, auto, auto, auto, auto)",
            &columns,
            &rows,
            2,
            7.0,
        );
    }

    m.push_str("#heading(level: 1, \"Charts\")\n");
    let charts = memo.charts.len();
    for (chart, file) in memo.charts.iter().zip(chart_files) {
        figure(&mut m, &chart.title, file);
    }

    if let Some(section) = memo.sensitivity {
        m.push_str("#heading(level: 1, \"Sensitivity\")\n");
        let _ = writeln!(m, "#{}\n", lit(&section.note));
        for (chart, file) in memo.sensitivity_charts.iter().zip(&chart_files[charts..]) {
            figure(&mut m, &chart.title, file);
        }
        // Columns as wide as their longest cell (within bounds), and
        // dotted paths (`plans.pro.packs.0.price`) free to break after a
        // dot, so a long input name wraps in its cell instead of running
        // into the next one.
        let widths = content_widths(&section.columns, &section.rows, section.text_columns);
        let rows: Vec<Vec<String>> = section
            .rows
            .iter()
            .map(|row| row.iter().map(|cell| breakable(cell)).collect())
            .collect();
        table(
            &mut m,
            &widths,
            &section.columns,
            &rows,
            section.text_columns,
            7.5,
        );
    }

    method(&mut m, &memo.method);
    source(&mut m, memo);
    m
}

/// The scenario text as run, after a sentence with its seed and paths, so
/// the PDF alone reproduces its numbers.
fn source(m: &mut String, memo: &Memo<'_>) {
    m.push_str("#heading(level: 1, \"Appendix: the scenario as run\")\n");
    let _ = writeln!(m, "#{}\n", lit(&memo.source_note()));
    let _ = writeln!(
        m,
        "#text(size: 7.5pt, raw({}, block: true))\n",
        lit(memo.scenario_text)
    );
}

/// The backtest memo as typst markup.
fn backtest_markup(memo: &backtest::Memo<'_>, chart_files: &[String]) -> String {
    let mut m = String::new();
    head(&mut m, &memo.title, memo.generated_on, &memo.line);
    let plans = memo.output.plans.len();
    let plan_widths = vec!["1fr"; plans].join(", ");

    m.push_str("#heading(level: 1, \"Summary\")\n");
    findings(&mut m, &memo.findings);
    let t = &memo.headline;
    table(
        &mut m,
        &format!("(1.6fr, {plan_widths})"),
        &t.header,
        &t.rows,
        1,
        8.0,
    );

    m.push_str("#heading(level: 1, \"Trace\")\n");
    // The names are short: the values (a SHA-256, a column mapping) get the room.
    pairs(&mut m, "(auto, 1fr)", "Fact", &memo.trace);

    assumptions(&mut m, &memo.assumptions_note, &memo.assumptions);

    m.push_str("#heading(level: 1, \"Metrics per plan\")\n");
    let t = &memo.metrics;
    table(
        &mut m,
        &format!("(2.4fr, auto, {plan_widths})"),
        &t.header,
        &t.rows,
        2,
        7.5,
    );
    m.push_str("#heading(level: 2, \"Exact totals\")\n");
    let _ = writeln!(
        m,
        "#{}\n",
        lit(&format!(
            "The money totals as exact decimals in {}; the tables above round them.",
            memo.output.currency
        ))
    );
    let t = &memo.exact;
    table(
        &mut m,
        &format!("(1.6fr, {plan_widths})"),
        &t.header,
        &t.rows,
        1,
        7.5,
    );

    m.push_str("#heading(level: 1, \"Charts\")\n");
    for (chart, file) in memo.charts.iter().zip(chart_files) {
        figure(&mut m, &chart.title, file);
    }
    method(&mut m, &memo.method);
    m
}

fn figure(m: &mut String, title: &str, file: &str) {
    let _ = writeln!(
        m,
        "#figure(image({}, width: 100%), caption: {})\n",
        lit(file),
        lit(title)
    );
}

/// A table whose columns from `numeric_from` on are right-aligned.
/// Typst column widths: numbers (columns from `text_columns` on) as wide
/// as their widest cell (`auto`, never wrapped); text columns share the
/// rest in proportion to their longest cell, counted from 4 to 30
/// characters.
fn content_widths(header: &[String], rows: &[Vec<String>], text_columns: usize) -> String {
    let widths: Vec<String> = (0..header.len())
        .map(|c| {
            if c >= text_columns {
                return "auto".to_owned();
            }
            let longest = rows
                .iter()
                .filter_map(|row| row.get(c))
                .chain(std::iter::once(&header[c]))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(1);
            format!("{}fr", longest.clamp(4, 30))
        })
        .collect();
    format!("({})", widths.join(", "))
}

/// `text` with a zero-width space after each dot between two word
/// characters, where typst may break a long dotted path.
fn breakable(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    for (i, c) in chars.iter().enumerate() {
        out.push(*c);
        let between = i > 0
            && chars[i - 1].is_alphanumeric()
            && chars.get(i + 1).is_some_and(|n| n.is_alphabetic());
        if *c == '.' && between {
            out.push('\u{200B}');
        }
    }
    out
}

fn table(
    m: &mut String,
    widths: &str,
    header: &[String],
    rows: &[Vec<String>],
    numeric_from: usize,
    size_pt: f64,
) {
    let align = format!(
        "(x, y) => if x >= {} {{ right }} else {{ left }}",
        numeric_from.min(1000)
    );
    let _ = writeln!(
        m,
        "#text(size: {size_pt}pt, table(columns: {widths}, align: {align},\n  table.header({}),",
        header.iter().map(|c| lit(c)).collect::<Vec<_>>().join(", ")
    );
    for row in rows {
        let _ = writeln!(
            m,
            "  {},",
            row.iter().map(|c| lit(c)).collect::<Vec<_>>().join(", ")
        );
    }
    m.push_str("))\n\n");
}

/// The in-memory world the memo is compiled in.
struct Memory {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    main: FileId,
    source: Source,
    files: Vec<(FileId, Bytes)>,
}

impl Memory {
    fn new(markup: String, files: Vec<(String, Vec<u8>)>) -> Memory {
        let id = |name: &str| {
            let path = VirtualPath::new(name).expect("generated names are valid paths");
            RootedPath::new(VirtualRoot::Project, path).intern()
        };
        let fonts: Vec<Font> = [FONT_REGULAR, FONT_BOLD]
            .into_iter()
            .flat_map(|bytes| Font::iter(Bytes::new(bytes)))
            .collect();
        let main = id("/report.typ");
        Memory {
            library: LazyHash::new(Library::default()),
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            fonts,
            main,
            source: Source::new(main, markup),
            files: files
                .into_iter()
                .map(|(name, bytes)| (id(&format!("/{name}")), Bytes::new(bytes)))
                .collect(),
        }
    }
}

impl World for Memory {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main {
            Ok(self.source.clone())
        } else {
            Err(FileError::NotSource)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.files
            .iter()
            .find(|(file, _)| *file == id)
            .map(|(_, bytes)| bytes.clone())
            .ok_or_else(|| FileError::Other(Some("no such file in the report".into())))
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.get(index).cloned()
    }

    /// The report reads no clock: a date, if shown, is part of the input.
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::{breakable, content_widths, lit};

    #[test]
    fn dotted_paths_may_break_after_their_dots_and_numbers_stay_whole() {
        assert_eq!(
            breakable("plans.pro.packs.0.price"),
            "plans.\u{200B}pro.\u{200B}packs.0.\u{200B}price"
        );
        assert_eq!(breakable("1234.56 to 0.5"), "1234.56 to 0.5");
    }

    #[test]
    fn columns_are_as_wide_as_their_longest_cell_within_bounds() {
        let header = ["Plan", "Input", "X"].map(String::from).to_vec();
        let rows = vec![vec!["pro".to_owned(), "a".repeat(50), "1.5".to_owned()]];
        assert_eq!(content_widths(&header, &rows, 2), "(4fr, 30fr, auto)");
    }

    #[test]
    fn string_literals_escape_quotes_and_backslashes() {
        assert_eq!(lit(r#"a "b" \c"#), r#""a \"b\" \\c""#);
        assert_eq!(lit("x\ny"), r#""x\ny""#);
    }
}
