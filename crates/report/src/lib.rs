//! creditsim's reports: a finished run (`sim::run::RunOutput`) becomes the
//! files a pricing review takes away. [`write`] puts them in a directory:
//!
//! - `report.pdf`: the memo, typeset by typst, fonts embedded, charts as vectors;
//! - `report.html`: the same memo as one self-contained file (inline SVG, no network);
//! - `report.xlsx`: the summary with intervals, one sheet of path rows per plan,
//!   and the assumptions;
//! - `results.csv` and `results.parquet`: every path of every plan, with the
//!   scenario name, seed and plan on each row;
//! - each chart as `chart-ID.svg` and `chart-ID.png`, for slides;
//! - the scenario file, byte for byte, and `reproduce.txt` with the seed and
//!   the command that gives the same numbers.
//!
//! The crate reads no clock (a date, if shown, is passed in) and writes
//! files only through [`write::write_atomic`]. [`charts`] draws the charts
//! for the reports and for the desktop app; [`frames`] holds the polars
//! frames and statistics behind the numbers.
//!
//! ```no_run
//! # fn demo(run: &sim::run::RunOutput, text: &str) -> Result<(), report::ReportError> {
//! let input = report::ReportInput {
//!     run,
//!     scenario_text: text,
//!     scenario_file_name: "pricing.toml",
//!     sensitivity: None,
//!     generated_on: None,
//! };
//! report::write(&input, std::path::Path::new("out"), report::WriteOptions { force: false })?;
//! # Ok(()) }
//! ```

pub mod backtest;
pub mod charts;
pub mod frames;
mod html;
mod memo;
mod pdf;
pub mod study;
pub mod write;
mod xlsx;

use std::path::{Path, PathBuf};

use sim::run::RunOutput;
use thiserror::Error;

pub use charts::{Chart, ChartError};

/// The files a report writes besides the scenario file, in writing order.
pub const REPORT_FILES: [&str; 6] = [
    "results.csv",
    "results.parquet",
    "report.xlsx",
    "report.html",
    "report.pdf",
    "reproduce.txt",
];

/// Everything a report is made from. Shared by `creditsim report`,
/// `creditsim run --report` and the desktop app's export.
#[derive(Clone, Debug)]
pub struct ReportInput<'a> {
    pub run: &'a RunOutput,
    /// The scenario file's exact text, copied into the report directory.
    pub scenario_text: &'a str,
    /// The scenario file's name (no directory), used for the copy.
    pub scenario_file_name: &'a str,
    /// A sensitivity study to include, if one was run.
    pub sensitivity: Option<SensitivitySection>,
    /// The date shown on the report, if any (the shell reads the clock).
    pub generated_on: Option<String>,
}

/// A sensitivity study as the report shows it: tornado charts and a table.
#[derive(Clone, Debug, PartialEq)]
pub struct SensitivitySection {
    /// A paragraph saying what was varied and how (shown above the charts).
    pub note: String,
    pub tornadoes: Vec<Tornado>,
    /// Two-parameter sweeps, if any.
    pub heatmaps: Vec<Heatmap>,
    /// Column headings of the table.
    pub columns: Vec<String>,
    /// How many leading columns hold text (left-aligned); the rest hold
    /// numbers (right-aligned).
    pub text_columns: usize,
    /// Rows of the table, each as long as `columns`.
    pub rows: Vec<Vec<String>>,
}

/// A one-at-a-time sensitivity study of one outcome.
#[derive(Clone, Debug, PartialEq)]
pub struct Tornado {
    /// `Gross margin: prepaid plan`; the part before a colon names the
    /// outcome on the axis.
    pub title: String,
    /// The outcome's unit (`USD`).
    pub unit: String,
    /// The outcome with every input at its base value.
    pub base: f64,
    pub bars: Vec<TornadoBar>,
}

/// One input of a tornado chart.
#[derive(Clone, Debug, PartialEq)]
pub struct TornadoBar {
    /// The input (`provider price`).
    pub label: String,
    /// The input's low and high values as shown (`-20%`, `0.008 USD`).
    pub low_input: String,
    pub high_input: String,
    /// The outcome with the input at its low and its high value.
    pub at_low: f64,
    pub at_high: f64,
}

/// An outcome over a grid of two inputs.
#[derive(Clone, Debug, PartialEq)]
pub struct Heatmap {
    pub title: String,
    pub x_label: String,
    pub x: Vec<f64>,
    pub y_label: String,
    pub y: Vec<f64>,
    /// `z[yi][xi]`: the outcome at `x[xi]`, `y[yi]`.
    pub z: Vec<Vec<f64>>,
    pub unit: String,
    /// The best cell as `(xi, yi)`, outlined.
    pub best: Option<(usize, usize)>,
}

/// How [`write`] treats an existing report.
#[derive(Clone, Copy, Debug, Default)]
pub struct WriteOptions {
    /// Replace report files already in the directory.
    pub force: bool,
}

#[derive(Debug, Error)]
pub enum ReportError {
    #[error(
        "{dir}: already holds a report ({files}); pass --force to replace it, or choose another directory"
    )]
    Exists { dir: PathBuf, files: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "scenario file name {name:?}: {problem}; pass the file's own name, such as pricing.toml"
    )]
    FileName { name: String, problem: &'static str },
    #[error("results table: {0}")]
    Frame(String),
    #[error(transparent)]
    Chart(#[from] ChartError),
    #[error("report.pdf: typesetting failed: {0}")]
    Typeset(String),
    #[error("report.xlsx: {0}")]
    Workbook(String),
    #[error("scenario: {0}")]
    Scenario(String),
    #[error("sensitivity section: {0}")]
    Sensitivity(String),
}

/// One file of a report, built in memory.
#[derive(Clone, Debug)]
pub struct ReportFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Chart files are named `chart-ID.svg` and `chart-ID.png`.
pub const CHART_PREFIX: &str = "chart-";

/// Builds every file of the report in memory, in writing order: the
/// [`REPORT_FILES`], the chart files, then the scenario copy.
pub fn build(input: &ReportInput<'_>) -> Result<Vec<ReportFile>, ReportError> {
    check_file_name(input.scenario_file_name)?;
    check_sensitivity(input.sensitivity.as_ref())?;
    let memo = memo::Memo::new(input)?;
    let paths = frames::paths_frame(input.run)?;
    let file = |name: &str, bytes: Vec<u8>| ReportFile {
        name: name.to_owned(),
        bytes,
    };
    let mut files = vec![
        file("results.csv", frames::to_csv(&paths)?),
        file("results.parquet", frames::to_parquet(&paths)?),
        file("report.xlsx", xlsx::workbook(&memo)?),
        file("report.html", html::page(&memo).into_bytes()),
        file("report.pdf", pdf::document(&memo)?),
        file("reproduce.txt", memo.reproduce().into_bytes()),
    ];
    let figures = memo.figures.iter().chain(&memo.sensitivity_figures);
    let drawn = memo.charts.iter().chain(&memo.sensitivity_charts);
    let mut seen: Vec<&str> = Vec::new();
    for (figure, chart) in figures.zip(drawn) {
        let repeat = seen.iter().filter(|id| **id == chart.id).count();
        seen.push(chart.id);
        let name = match repeat {
            0 => format!("{CHART_PREFIX}{}", chart.id),
            k => format!("{CHART_PREFIX}{}-{}", chart.id, k + 1),
        };
        files.push(file(&format!("{name}.svg"), chart.svg.clone().into_bytes()));
        let png = charts::png(*figure, charts::WIDTH, charts::HEIGHT)?;
        files.push(file(&format!("{name}.png"), png));
    }
    files.push(file(
        input.scenario_file_name,
        input.scenario_text.as_bytes().to_vec(),
    ));
    Ok(files)
}

/// One file of the report on its own, as the desktop app exports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Single {
    /// `report.pdf`, with the scenario text and seed in an appendix.
    Pdf,
    /// `report.html`, with the scenario text and seed in an appendix.
    Html,
    /// `report.xlsx`, with the scenario text and seed on its `Scenario` sheet.
    Xlsx,
    /// `results.csv`: every path of every plan.
    Csv,
    /// `results.parquet`: the same rows.
    Parquet,
}

impl Single {
    /// The file name extension.
    pub fn extension(self) -> &'static str {
        match self {
            Single::Pdf => "pdf",
            Single::Html => "html",
            Single::Xlsx => "xlsx",
            Single::Csv => "csv",
            Single::Parquet => "parquet",
        }
    }
}

/// A step of [`build_single`], told before it starts, for a progress display.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Statistics and charts of the memo.
    Charts,
    /// typst typesetting the PDF (the long step).
    Typesetting,
    /// Writing the page or the workbook.
    Composing,
    /// The per-path rows as CSV or Parquet.
    Encoding,
}

impl Stage {
    /// What the stage does, for the person waiting.
    pub fn describe(self) -> &'static str {
        match self {
            Stage::Charts => "computing statistics and drawing charts",
            Stage::Typesetting => "typesetting the PDF",
            Stage::Composing => "composing the document",
            Stage::Encoding => "encoding every path's row",
        }
    }
}

/// Builds one file of the report in memory, telling `stage` before each
/// step. The PDF, HTML and XLSX carry the scenario text and seed, so each
/// reproduces on its own; the CSV and Parquet carry the scenario name and
/// seed on every row.
pub fn build_single(
    input: &ReportInput<'_>,
    single: Single,
    stage: &mut dyn FnMut(Stage),
) -> Result<Vec<u8>, ReportError> {
    check_file_name(input.scenario_file_name)?;
    check_sensitivity(input.sensitivity.as_ref())?;
    match single {
        Single::Csv | Single::Parquet => {
            stage(Stage::Encoding);
            let paths = frames::paths_frame(input.run)?;
            match single {
                Single::Csv => frames::to_csv(&paths),
                _ => frames::to_parquet(&paths),
            }
        }
        Single::Pdf | Single::Html | Single::Xlsx => {
            stage(Stage::Charts);
            let memo = memo::Memo::new(input)?;
            match single {
                Single::Pdf => {
                    stage(Stage::Typesetting);
                    pdf::document(&memo)
                }
                Single::Html => {
                    stage(Stage::Composing);
                    Ok(html::page(&memo).into_bytes())
                }
                _ => {
                    stage(Stage::Composing);
                    xlsx::workbook(&memo)
                }
            }
        }
    }
}

/// Refuses, unless `force`, when `dir` already holds report files (the
/// [`REPORT_FILES`], chart files or a file named like the scenario copy).
/// [`write`] calls it; a caller about to run a long simulation calls it
/// first, so the run is not made only to be refused.
pub fn check_free(dir: &Path, scenario_file_name: &str, force: bool) -> Result<(), ReportError> {
    check_file_name(scenario_file_name)?;
    if force {
        return Ok(());
    }
    let mut present: Vec<String> = REPORT_FILES
        .iter()
        .copied()
        .chain(std::iter::once(scenario_file_name))
        .filter(|name| dir.join(name).exists())
        .map(str::to_owned)
        .collect();
    // A directory that cannot be listed holds nothing to protect here;
    // writing into it will report the real problem.
    if let Ok(entries) = std::fs::read_dir(dir) {
        let mut charts: Vec<String> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with(CHART_PREFIX))
            .collect();
        charts.sort();
        present.extend(charts);
    }
    if present.is_empty() {
        return Ok(());
    }
    Err(ReportError::Exists {
        dir: dir.to_path_buf(),
        files: present.join(", "),
    })
}

/// Builds the report and writes it into `dir` (created if missing), each
/// file atomically. Refuses, before writing anything, when `dir` already
/// holds report files and `options.force` is off. Returns the paths written.
pub fn write(
    input: &ReportInput<'_>,
    dir: &Path,
    options: WriteOptions,
) -> Result<Vec<PathBuf>, ReportError> {
    check_free(dir, input.scenario_file_name, options.force)?;
    let files = build(input)?;
    write::write_files(dir, files)
}

/// The scenario copy must be a plain file name that does not collide with
/// a report file.
pub(crate) fn check_file_name(name: &str) -> Result<(), ReportError> {
    let problem = if name.is_empty() {
        Some("it is empty")
    } else if name.contains(['/', '\\']) || name == "." || name == ".." {
        Some("it is a path, not a file name")
    } else if REPORT_FILES.contains(&name) || name.starts_with(CHART_PREFIX) {
        Some("it is the name of a report file")
    } else if name.starts_with('.') {
        Some("it is a hidden file name")
    } else {
        None
    };
    match problem {
        Some(problem) => Err(ReportError::FileName {
            name: name.to_owned(),
            problem,
        }),
        None => Ok(()),
    }
}

/// The most rows a sensitivity table may have.
pub const MAX_SENSITIVITY_ROWS: usize = 500;

fn check_sensitivity(section: Option<&SensitivitySection>) -> Result<(), ReportError> {
    let Some(section) = section else {
        return Ok(());
    };
    if section.rows.len() > MAX_SENSITIVITY_ROWS {
        return Err(ReportError::Sensitivity(format!(
            "{} rows, more than {MAX_SENSITIVITY_ROWS}; summarise the study before reporting it",
            section.rows.len()
        )));
    }
    for (i, row) in section.rows.iter().enumerate() {
        if row.len() != section.columns.len() {
            return Err(ReportError::Sensitivity(format!(
                "row {} has {} cells for {} columns; give one cell per column",
                i + 1,
                row.len(),
                section.columns.len()
            )));
        }
    }
    Ok(())
}
