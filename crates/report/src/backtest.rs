//! A backtest's report: a real trace replayed exactly through every plan of
//! a scenario (`sim::backtest::BacktestOutput`) becomes the same kinds of
//! files as a Monte Carlo report. [`write`] puts them in a directory:
//!
//! - `report.pdf`, `report.html`, `report.xlsx`: the backtest memo (which
//!   plan wins on margin, exposure and interruptions and by how much, the
//!   trace, the assumptions, every metric per plan, the exact money totals,
//!   the charts and the method notes);
//! - `results.csv` and `results.parquet`: one row per plan and day with the
//!   end-of-day available balance, exposure, revenue and provider cost;
//! - `summary.csv`: one row per plan with every metric;
//! - each chart as `chart-ID.svg` and `chart-ID.png`;
//! - the scenario file, byte for byte, and `reproduce.txt` with the command
//!   line and the SHA-256 of the trace and the scenario.
//!
//! A backtest is deterministic, so the memo states totals, not means: no
//! interval, no quantile. The layout is shared with the Monte Carlo memo
//! (`pdf.rs`, `html.rs`, `xlsx.rs`); this module decides what is said and
//! draws the backtest's own charts with the helpers of [`crate::charts`].
//!
//! ```no_run
//! # fn demo(output: &sim::backtest::BacktestOutput, options: &sim::backtest::BacktestOptions, text: &str, sha: &str) -> Result<(), report::ReportError> {
//! let input = report::backtest::BacktestReportInput {
//!     output,
//!     options,
//!     arguments: &["--customers".to_owned(), "4".to_owned()],
//!     scenario_text: text,
//!     scenario_file_name: "pricing.toml",
//!     trace_sha256: sha,
//!     generated_on: None,
//! };
//! report::backtest::write(&input, std::path::Path::new("out"), report::WriteOptions { force: false })?;
//! # Ok(()) }
//! ```

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use polars::prelude::{Column, DataFrame};
use sim::backtest::{BacktestOptions, BacktestOutput, Customers};
use sim::customer::PlanTotals;
use sim::metrics::{self, METRICS, Unit};
use sim::scenario::Date;
use sim::trace::Format;

use crate::charts::{
    self, Chart, ChartError, Drawn, FAMILY, Key, OrMessage, axis_number, legend_strip, padded,
    plan_colour, plan_dash,
};
use crate::frames::{self, unit_name};
use crate::memo::{self, Finding, money};
use crate::{CHART_PREFIX, ReportError, ReportFile, WriteOptions};

/// The per-plan summary written besides the Monte Carlo report's files.
pub const SUMMARY_CSV: &str = "summary.csv";

/// The files a backtest report writes besides the charts and the scenario
/// file, in writing order.
pub const BACKTEST_FILES: [&str; 7] = [
    "results.csv",
    "results.parquet",
    SUMMARY_CSV,
    "report.xlsx",
    "report.html",
    "report.pdf",
    "reproduce.txt",
];

/// Columns of `results.csv` and `results.parquet`, in order.
pub const DAILY_COLUMNS: [&str; 10] = [
    "scenario",
    "trace",
    "seed",
    "plan",
    "day",
    "date",
    "available",
    "exposure",
    "revenue",
    "provider_cost",
];

/// Everything a backtest report is made from.
#[derive(Clone, Debug)]
pub struct BacktestReportInput<'a> {
    pub output: &'a BacktestOutput,
    /// The options the trace was replayed with.
    pub options: &'a BacktestOptions,
    /// The replay's options as given on the command line, flag then value
    /// (`["--customers", "4"]`); `reproduce.txt` repeats them.
    pub arguments: &'a [String],
    /// The scenario file's exact text, copied into the report directory.
    pub scenario_text: &'a str,
    /// The scenario file's name (no directory), used for the copy.
    pub scenario_file_name: &'a str,
    /// SHA-256 of the trace file's bytes, lowercase hex (the shell reads the file).
    pub trace_sha256: &'a str,
    /// The date shown on the report, if any (the shell reads the clock).
    pub generated_on: Option<String>,
}

/// The metrics of the headline table, by name.
pub const HEADLINE: [&str; 10] = [
    "revenue",
    "provider_cost",
    "gross_margin",
    "gross_margin_pct",
    "exposure_peak",
    "blocked_events",
    "blocked_value",
    "overage_invoiced",
    "breakage",
    "customers_interrupted",
];

/// The money metrics whose exact decimal totals the memo lists.
pub const EXACT: [&str; 10] = [
    "revenue",
    "provider_cost",
    "gross_margin",
    "cash_collected",
    "receivables",
    "bad_debt",
    "blocked_value",
    "breakage",
    "overage_invoiced",
    "overshoot",
];

/// Builds every file of the backtest report in memory, in writing order:
/// the [`BACKTEST_FILES`], the chart files, then the scenario copy.
pub fn build(input: &BacktestReportInput<'_>) -> Result<Vec<ReportFile>, ReportError> {
    check_file_name(input.scenario_file_name)?;
    check_output(input.output)?;
    let memo = Memo::new(input)?;
    let daily = daily_frame(input.output)?;
    let file = |name: &str, bytes: Vec<u8>| ReportFile {
        name: name.to_owned(),
        bytes,
    };
    let mut files = vec![
        file("results.csv", frames::to_csv(&daily)?),
        file("results.parquet", frames::to_parquet(&daily)?),
        file(SUMMARY_CSV, frames::to_csv(&summary_frame(input.output)?)?),
        file("report.xlsx", crate::xlsx::backtest_workbook(&memo)?),
        file(
            "report.html",
            crate::html::backtest_page(&memo).into_bytes(),
        ),
        file("report.pdf", crate::pdf::backtest_document(&memo)?),
        file("reproduce.txt", memo.reproduce.clone().into_bytes()),
    ];
    for (figure, chart) in memo.figures.iter().zip(&memo.charts) {
        let name = format!("{CHART_PREFIX}{}", chart.id);
        files.push(file(&format!("{name}.svg"), chart.svg.clone().into_bytes()));
        let png = figure.png(charts::WIDTH, charts::HEIGHT)?;
        files.push(file(&format!("{name}.png"), png));
    }
    files.push(file(
        input.scenario_file_name,
        input.scenario_text.as_bytes().to_vec(),
    ));
    Ok(files)
}

/// Builds the report and writes it into `dir` (created if missing), each
/// file atomically. Refuses, before writing anything, when `dir` already
/// holds report files and `options.force` is off, as [`crate::write`] does.
/// Returns the paths written.
pub fn write(
    input: &BacktestReportInput<'_>,
    dir: &Path,
    options: WriteOptions,
) -> Result<Vec<PathBuf>, ReportError> {
    check_free(dir, input.scenario_file_name, options.force)?;
    crate::write::write_files(dir, build(input)?)
}

/// [`crate::check_free`] (the Monte Carlo report's files, charts and the
/// scenario copy) and the one file only a backtest report has.
pub fn check_free(dir: &Path, scenario_file_name: &str, force: bool) -> Result<(), ReportError> {
    check_file_name(scenario_file_name)?;
    crate::check_free(dir, scenario_file_name, force)?;
    if !force && dir.join(SUMMARY_CSV).exists() {
        return Err(ReportError::Exists {
            dir: dir.to_path_buf(),
            files: SUMMARY_CSV.to_owned(),
        });
    }
    Ok(())
}

/// Refuses an output no report can be made from: every later step indexes
/// the daily series by day without checking again.
fn check_output(output: &BacktestOutput) -> Result<(), ReportError> {
    let problem = if output.days == 0 {
        Some("the replay has no days".to_owned())
    } else if Date::parse(&output.start).is_none() {
        Some(format!(
            "the replay's start {:?} is not a date",
            output.start
        ))
    } else {
        output.plans.iter().find_map(|p| {
            let t = &p.totals;
            let series = [
                &t.daily_available,
                &t.daily_exposure,
                &t.daily_revenue,
                &t.daily_provider_cost,
            ];
            let finite = p
                .row
                .iter()
                .chain(series.iter().copied().flatten())
                .all(|v| v.is_finite());
            if series.iter().any(|s| s.len() != output.days) {
                Some(format!(
                    "plan {}: a daily series is not {} days long",
                    p.id, output.days
                ))
            } else if !finite {
                Some(format!("plan {}: a value is not a finite number", p.id))
            } else {
                None
            }
        })
    };
    match problem {
        Some(problem) => Err(ReportError::Frame(format!(
            "backtest output: {problem}; this is a simulator bug: report it with the trace and scenario"
        ))),
        None => Ok(()),
    }
}

/// The scenario copy's name, checked as the Monte Carlo report checks it
/// (every other backtest file is one of its [`crate::REPORT_FILES`]).
fn check_file_name(name: &str) -> Result<(), ReportError> {
    if name == SUMMARY_CSV {
        return Err(ReportError::FileName {
            name: name.to_owned(),
            problem: "it is the name of a report file",
        });
    }
    crate::check_file_name(name)
}

/// What the backtest memo says, independent of its format.
pub(crate) struct Memo<'a> {
    pub output: &'a BacktestOutput,
    pub generated_on: Option<&'a str>,
    pub title: String,
    /// The replay in one sentence, under the title.
    pub line: String,
    pub findings: Vec<Finding>,
    /// [`HEADLINE`] metrics, one column per plan.
    pub headline: Table,
    /// What the trace was and how it was replayed, as `(fact, value)`.
    pub trace: Vec<(String, String)>,
    /// The scenario's inputs the replay uses, and a sentence saying so.
    pub assumptions: Vec<(String, String)>,
    pub assumptions_note: String,
    /// Every metric with its unit, one column per plan.
    pub metrics: Table,
    /// The [`EXACT`] totals as decimals, one column per plan.
    pub exact: Table,
    pub charts: Vec<Chart>,
    pub figures: Vec<Figure<'a>>,
    pub method: Vec<String>,
    pub reproduce: String,
}

/// A table of text cells; `rows` are as long as `header`.
pub(crate) struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl<'a> Memo<'a> {
    fn new(input: &'a BacktestReportInput<'a>) -> Result<Memo<'a>, ReportError> {
        let output = input.output;
        let figures = vec![
            Figure::Totals(output),
            Figure::Exposure(output),
            Figure::Balance(output),
        ];
        let charts = figures
            .iter()
            .map(|f| {
                Ok(Chart {
                    id: f.id(),
                    title: f.title(),
                    svg: f.svg(charts::WIDTH, charts::HEIGHT)?,
                })
            })
            .collect::<Result<Vec<_>, ChartError>>()?;
        let title = format!(
            "Backtest: {}",
            output
                .scenario
                .as_deref()
                .unwrap_or(input.scenario_file_name)
        );
        Ok(Memo {
            output,
            generated_on: input.generated_on.as_deref(),
            title,
            line: format!(
                "Trace {} replayed through every plan of the scenario file {}: {} rows, {} customers, {} from {}.",
                output.trace,
                input.scenario_file_name,
                count(output.rows as f64),
                count(output.customers as f64),
                days(output.days),
                output.start
            ),
            findings: findings(output),
            headline: metric_table(output, &HEADLINE, false),
            trace: trace_facts(input),
            assumptions: memo::assumptions(input.scenario_text, input.scenario_file_name)?
                .into_iter()
                .filter(|(input, _)| used_by_backtest(input))
                .collect(),
            assumptions_note: format!(
                "The inputs of the scenario file {}, which is beside this report, that a backtest uses. \
                 The trace takes the place of the rest: the horizon, the number of simulated runs, \
                 and each segment's demand (customers, agents, tasks, model mix, loops, leaked keys).",
                input.scenario_file_name
            ),
            metrics: metric_table(output, &METRICS.map(|m| m.name), true),
            exact: exact_table(output),
            charts,
            figures,
            method: method(input),
            reproduce: reproduce(input),
        })
    }
}

/// Whether the scenario input at `path` (as the assumptions table names it)
/// matters to a backtest: the trace replaces the horizon, the run count and
/// the segments' demand; segments keep their customer behaviour.
fn used_by_backtest(path: &str) -> bool {
    const DEMAND: [&str; 8] = [
        "customers",
        "new_customers_per_day",
        "agents_per_customer",
        "tasks",
        "model_mix",
        "model_swaps",
        "runaway",
        "credential_leaks",
    ];
    if ["paths", "horizon_days"].contains(&path) {
        return false;
    }
    let Some(rest) = path.strip_prefix("segments[") else {
        return true;
    };
    let field = rest.split_once("].").map_or("", |(_, field)| {
        field.split(['.', '[']).next().unwrap_or("")
    });
    !DEMAND.contains(&field)
}

/// A whole number as the memo prints it: thousands separated from 1,000.
fn count(v: f64) -> String {
    if v.abs() < 1000.0 {
        format!("{v:.0}")
    } else {
        money(v)
    }
}

fn days(n: usize) -> String {
    match n {
        1 => "1 day".to_owned(),
        n => format!("{} days", count(n as f64)),
    }
}

/// A metric's exact value as the memo prints it: counts whole, the rest as
/// the Monte Carlo memo prints it (money in cents below 1,000 and whole
/// units from 1,000; the exact decimals are in their own table).
fn shown(unit: Unit, v: f64) -> String {
    match unit {
        Unit::Count => count(v),
        other => memo::value(other, v),
    }
}

/// One row per metric of `names`: `Label (unit)`, then each plan's value;
/// with `unit_column`, the label and the unit in two cells.
fn metric_table(output: &BacktestOutput, names: &[&str], unit_column: bool) -> Table {
    let mut header = vec!["Metric".to_owned()];
    if unit_column {
        header.push("Unit".to_owned());
    }
    header.extend(output.plans.iter().map(|p| p.id.clone()));
    let rows = names
        .iter()
        .map(|name| {
            let index = metrics::index(name).expect("the memo's metrics exist");
            let metric = METRICS[index];
            let unit_text = unit_name(metric.unit, &output.currency);
            let mut row = if unit_column {
                vec![metric.label.to_owned(), unit_text.to_owned()]
            } else {
                vec![format!("{} ({unit_text})", metric.label)]
            };
            row.extend(
                output
                    .plans
                    .iter()
                    .map(|p| shown(metric.unit, p.row[index])),
            );
            row
        })
        .collect();
    Table { header, rows }
}

/// The exact decimal total behind a money metric, if it has one.
pub(crate) fn exact(totals: &PlanTotals, metric: &str) -> Option<String> {
    let value = match metric {
        "revenue" => totals.revenue,
        "provider_cost" => totals.provider_cost,
        "gross_margin" => totals.revenue - totals.provider_cost,
        "cash_collected" => totals.cash_collected,
        "receivables" => totals.receivables,
        "bad_debt" => totals.bad_debt,
        "blocked_value" => totals.blocked_value,
        "breakage" => totals.breakage,
        "overage_invoiced" => totals.overage_invoiced,
        "overshoot" => totals.overshoot,
        _ => return None,
    };
    Some(value.normalize().to_string())
}

fn exact_table(output: &BacktestOutput) -> Table {
    let mut header = vec![format!("Total ({})", output.currency)];
    header.extend(output.plans.iter().map(|p| p.id.clone()));
    let rows = EXACT
        .iter()
        .map(|name| {
            let index = metrics::index(name).expect("the exact metrics exist");
            let mut row = vec![METRICS[index].label.to_owned()];
            row.extend(
                output
                    .plans
                    .iter()
                    .map(|p| exact(&p.totals, name).expect("a money total")),
            );
            row
        })
        .collect();
    Table { header, rows }
}

/// Which way a headline metric is better.
#[derive(Clone, Copy)]
enum Better {
    Higher,
    Lower,
}

fn findings(output: &BacktestOutput) -> Vec<Finding> {
    let headlines = [
        (
            "Margin",
            "gross_margin",
            Better::Higher,
            "the highest gross margin",
            "gross margin",
        ),
        (
            "Exposure",
            "exposure_peak",
            Better::Lower,
            "the lowest peak exposure",
            "peak exposure",
        ),
        (
            "Interruptions",
            "customers_interrupted",
            Better::Lower,
            "the fewest customers interrupted",
            "number of customers interrupted",
        ),
    ];
    headlines
        .into_iter()
        .map(|(topic, name, better, best, noun)| Finding {
            topic,
            text: finding(output, name, better, best, noun),
        })
        .collect()
}

/// `a`, `a and b`, `a, b and c`.
fn join_and(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// One sentence: the plans best on the metric (one, or several tied), the
/// value, and the lead over the next plans. Values are exact totals, so a
/// lead is a difference, not an estimate.
fn finding(output: &BacktestOutput, name: &str, better: Better, best: &str, noun: &str) -> String {
    let index = metrics::index(name).expect("headline metrics exist");
    let unit = METRICS[index].unit;
    let value = |plan: usize| output.plans[plan].row[index];
    let show = |v: f64| match unit {
        Unit::Currency => format!("{} {}", shown(unit, v), output.currency),
        Unit::Count => format!("{} of {}", count(v), count(output.customers as f64)),
        _ => shown(unit, v),
    };
    let mut order: Vec<usize> = (0..output.plans.len()).collect();
    order.sort_by(|&a, &b| match better {
        Better::Higher => value(b).total_cmp(&value(a)),
        Better::Lower => value(a).total_cmp(&value(b)),
    });
    // The plans from `order[from]` on that share its value.
    let group = |from: usize| -> (Vec<&str>, f64) {
        let v = value(order[from]);
        let ids = order[from..]
            .iter()
            .take_while(|&&p| value(p) == v)
            .map(|&p| output.plans[p].id.as_str())
            .collect();
        (ids, v)
    };
    let (leaders, top) = group(0);
    if output.plans.len() == 1 {
        return format!(
            "{} is the only plan in the scenario: {noun} {}.",
            leaders[0],
            show(top)
        );
    }
    if leaders.len() == output.plans.len() {
        return format!("Every plan has the same {noun}: {}.", show(top));
    }
    let pct = metrics::index("gross_margin_pct").expect("exists");
    let detail = match (name, leaders.as_slice()) {
        ("gross_margin", [_]) => format!(" ({:.1}% of revenue)", output.plans[order[0]].row[pct]),
        _ => String::new(),
    };
    let subject = match leaders.as_slice() {
        [one] => format!("{one} has"),
        many => format!("{} tie with", join_and(many)),
    };
    let (next, second) = group(leaders.len());
    let each = if next.len() > 1 { " each" } else { "" };
    let lead = (top - second).abs();
    let (lead, more) = match (better, unit) {
        (Better::Higher, _) => (show(lead), "more"),
        (Better::Lower, Unit::Currency) => (show(lead), "less"),
        (Better::Lower, _) => (count(lead), "fewer"),
    };
    format!(
        "{subject} {best}, {}{detail}: {lead} {more} than {} ({}{each}).",
        show(top),
        join_and(&next),
        show(second)
    )
}

fn format_name(format: Format) -> &'static str {
    match format {
        Format::Azure => "azure",
        Format::Generic => "generic",
    }
}

/// How rows were given to customers, in words.
fn customers_rule(options: &BacktestOptions, output: &BacktestOutput) -> String {
    match &options.customers {
        Some(Customers::FromColumn(column)) => {
            format!("each distinct value of the column \"{column}\" is one customer")
        }
        Some(Customers::RoundRobin(n)) => format!(
            "round-robin over {} customers: row i (from 0, in file order) belongs to customer i mod {n}",
            count(*n as f64)
        ),
        None if options.format == Format::Azure => {
            "an azure trace has no customer column: every row is one customer's".to_owned()
        }
        // Without a customer column the replay has exactly one customer.
        None if output.customers > 1 => {
            "each distinct value of the trace's customer column is one customer".to_owned()
        }
        None => {
            "every row is one customer's (the trace has no customer column, or one value in it)"
                .to_owned()
        }
    }
}

fn trace_facts(input: &BacktestReportInput<'_>) -> Vec<(String, String)> {
    let o = input.output;
    let arguments = if input.arguments.is_empty() {
        "none".to_owned()
    } else {
        input.arguments.join(" ")
    };
    [
        ("Trace file", o.trace.clone()),
        ("SHA-256 of the trace", input.trace_sha256.to_owned()),
        ("Format", format_name(input.options.format).to_owned()),
        ("Rows (model calls)", count(o.rows as f64)),
        ("Customers", count(o.customers as f64)),
        ("Rows to customers", customers_rule(input.options, o)),
        ("First row (as written, UTC)", o.trace_first.clone()),
        ("Last row (as written, UTC)", o.trace_last.clone()),
        ("Shift of every timestamp", shift(o)),
        (
            "Replay",
            format!("{} from {} 00:00 UTC", days(o.days), o.start),
        ),
        ("Model of rows without one", o.model.clone()),
        ("Segment (customer behaviour)", o.segment.clone()),
        ("Seed (behaviour draws only)", o.seed.to_string()),
        ("Command options", arguments),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

const MS_PER_DAY: i64 = 86_400_000;

/// The shift as whole days (it always is: the first row keeps its time of day).
fn shift(output: &BacktestOutput) -> String {
    let whole = output.shift_ms.div_euclid(MS_PER_DAY);
    let rest = output.shift_ms.rem_euclid(MS_PER_DAY);
    let day_word = if whole.abs() == 1 { "day" } else { "days" };
    if rest == 0 {
        format!("{whole:+} {day_word}")
    } else {
        format!("{whole:+} {day_word} and {rest} ms")
    }
}

fn method(input: &BacktestReportInput<'_>) -> Vec<String> {
    let o = input.output;
    vec![
        "Exact replay: every trace row is one model call, metered once through each plan's account of its customer by the simulator's own billing code (wallet and drawdown, enforcement timing, exhaustion rule, billing periods, invoices, pack payments, automatic top-ups, actor budgets). Money is summed in exact decimals; the figures are the replay's totals, not estimates, so they carry no interval.".to_owned(),
        format!(
            "Customers: {}. A customer signs up at its first row (onboarding grants, sign-up pack, first subscription period); distinct values of the actor column within a customer are its agents. This replay found {} customers.",
            customers_rule(input.options, o),
            count(o.customers as f64)
        ),
        format!(
            "Prices: each call is priced with the scenario's provider prices and rate card on the day it falls after the shift; rows without a model column are model {}.",
            o.model
        ),
        format!(
            "Time: every timestamp is shifted by {} so that the first row falls on the scenario's start date {} at its own time of day; the replay runs from 00:00 UTC that day for {}, the whole days the trace spans. Billing periods that end inside the replay are invoiced; usage after the last invoice is a receivable.",
            shift(o),
            o.start,
            days(o.days)
        ),
        format!(
            "Seed: the scenario's seed {} is used only for the random draws of the customer behaviour of segment {} (payment defaults, reactions to blocks, bill shock); the calls themselves come from the trace, so the same trace, scenario and seed give the same numbers.",
            o.seed, o.segment
        ),
        "Daily series: the state at each day's end, summed over customers: available balance in credits, exposure (provider cost of usage not yet paid for), and revenue and provider cost to date (cumulative).".to_owned(),
        format!(
            "Reproducing: reproduce.txt beside this report holds the command line and the SHA-256 of the trace and of the scenario file {}; the same trace and scenario give the same numbers. results.csv and results.parquet hold the daily series, summary.csv every metric per plan.",
            input.scenario_file_name
        ),
    ]
}

/// A word as a POSIX shell reads it back: quoted unless plainly safe.
fn shell_word(word: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_./=,:@%+".contains(c);
    if !word.is_empty() && word.chars().all(safe) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

fn reproduce(input: &BacktestReportInput<'_>) -> String {
    let o = input.output;
    let mut command = vec![
        "creditsim".to_owned(),
        "backtest".to_owned(),
        shell_word(&o.trace),
        "--scenario".to_owned(),
        shell_word(input.scenario_file_name),
    ];
    command.extend(input.arguments.iter().map(|a| shell_word(a)));
    command.extend(["--report".to_owned(), "DIR".to_owned()]);
    format!(
        "trace: {trace}\n\
         trace sha256: {trace_sha}\n\
         trace rows: {rows}\n\
         scenario file: {file}\n\
         scenario sha256: {scenario_sha}\n\
         scenario name: {name}\n\
         seed: {seed}\n\
         replay: {days} from {start}\n\
         \n\
         Every number in this report comes from the trace and the scenario file beside\n\
         this one. To reproduce them, from a directory holding the scenario file and\n\
         the trace at the path above (check its sha256 first):\n\
         \n\
         \x20   {command}\n\
         \n\
         A backtest is an exact, deterministic replay: the same trace and scenario give\n\
         the same numbers. results.csv and results.parquet hold the daily series of\n\
         every plan, summary.csv every metric of every plan.\n",
        trace = o.trace,
        trace_sha = input.trace_sha256,
        rows = o.rows,
        file = input.scenario_file_name,
        scenario_sha = sim::catalogue::sha256_hex(input.scenario_text.as_bytes()),
        name = o.scenario.as_deref().unwrap_or(""),
        seed = o.seed,
        days = days(o.days),
        start = o.start,
        command = command.join(" "),
    )
}

/// One row per plan and day: [`DAILY_COLUMNS`]. Plans in scenario order,
/// days from 0 (the replay's start date).
pub fn daily_frame(output: &BacktestOutput) -> Result<DataFrame, ReportError> {
    check_output(output)?;
    let dates = dates(output);
    let height = output.plans.len() * output.days;
    let scenario = output.scenario.as_deref().unwrap_or("");
    let (mut plan, mut day, mut date) = (Vec::new(), Vec::new(), Vec::new());
    let mut series: [Vec<f64>; 4] = Default::default();
    for p in &output.plans {
        let t = &p.totals;
        let all = [
            &t.daily_available,
            &t.daily_exposure,
            &t.daily_revenue,
            &t.daily_provider_cost,
        ];
        for d in 0..output.days {
            plan.push(p.id.as_str());
            day.push(d as u32);
            date.push(dates[d].as_str());
            for (column, values) in series.iter_mut().zip(all) {
                column.push(values[d]);
            }
        }
    }
    let [available, exposure, revenue, provider_cost] = series;
    let c = DAILY_COLUMNS;
    let columns = vec![
        Column::new(c[0].into(), vec![scenario; height]),
        Column::new(c[1].into(), vec![output.trace.as_str(); height]),
        Column::new(c[2].into(), vec![output.seed; height]),
        Column::new(c[3].into(), plan),
        Column::new(c[4].into(), day),
        Column::new(c[5].into(), date),
        Column::new(c[6].into(), available),
        Column::new(c[7].into(), exposure),
        Column::new(c[8].into(), revenue),
        Column::new(c[9].into(), provider_cost),
    ];
    DataFrame::new(height, columns).map_err(frames::frame_error)
}

/// The calendar date of each day of the replay, `YYYY-MM-DD`.
pub(crate) fn dates(output: &BacktestOutput) -> Vec<String> {
    let start = Date::parse(&output.start);
    (0..output.days as u64)
        .map(|d| {
            start
                .and_then(|s| s.plus_days(d))
                .map_or_else(String::new, |d| d.to_string())
        })
        .collect()
}

/// One row per plan: `scenario`, `trace`, `seed`, `plan`, then every metric
/// of [`METRICS`] under its name.
pub fn summary_frame(output: &BacktestOutput) -> Result<DataFrame, ReportError> {
    let height = output.plans.len();
    let scenario = output.scenario.as_deref().unwrap_or("");
    let mut columns = vec![
        Column::new("scenario".into(), vec![scenario; height]),
        Column::new("trace".into(), vec![output.trace.as_str(); height]),
        Column::new("seed".into(), vec![output.seed; height]),
        Column::new(
            "plan".into(),
            output
                .plans
                .iter()
                .map(|p| p.id.as_str())
                .collect::<Vec<_>>(),
        ),
    ];
    for (index, metric) in METRICS.iter().enumerate() {
        let values: Vec<f64> = output.plans.iter().map(|p| p.row[index]).collect();
        columns.push(Column::new(metric.name.into(), values));
    }
    DataFrame::new(height, columns).map_err(frames::frame_error)
}

/// The backtest's charts. Each is drawn by one function generic over the
/// plotters backend, so the SVG and the PNG are the same picture.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Figure<'a> {
    /// Revenue, provider cost and gross margin per plan, as bars.
    Totals(&'a BacktestOutput),
    /// Exposure at each day's end, one line per plan.
    Exposure(&'a BacktestOutput),
    /// Available balance at each day's end, one line per plan.
    Balance(&'a BacktestOutput),
}

/// The metrics of the totals chart, by name.
const TOTALS: [&str; 3] = ["revenue", "provider_cost", "gross_margin"];

/// Up to this many days, each day's value is marked on the lines.
const MARKED_DAYS: usize = 62;

impl Figure<'_> {
    pub fn id(&self) -> &'static str {
        match self {
            Figure::Totals(_) => "backtest_totals",
            Figure::Exposure(_) => "backtest_exposure",
            Figure::Balance(_) => "backtest_balance",
        }
    }

    pub fn title(&self) -> String {
        match self {
            Figure::Totals(_) => "Revenue, provider cost and gross margin per plan".into(),
            Figure::Exposure(_) => {
                "Exposure at each day's end (provider cost not yet paid for)".into()
            }
            Figure::Balance(_) => "Available credit balance at each day's end".into(),
        }
    }

    fn output(&self) -> &BacktestOutput {
        match self {
            Figure::Totals(o) | Figure::Exposure(o) | Figure::Balance(o) => o,
        }
    }

    /// The series themselves were checked with the output ([`check_output`]).
    fn check(&self) -> Result<(), ChartError> {
        let plans = self.output().plans.len();
        if plans == 0 || plans > charts::MAX_SERIES {
            return Err(ChartError::Input {
                chart: self.id(),
                problem: format!("{plans} plans"),
                hint: format!(
                    "compare between 1 and {} plans per report",
                    charts::MAX_SERIES
                ),
            });
        }
        Ok(())
    }

    /// The figure as an SVG document of `width` by `height` user units.
    pub fn svg(&self, width: u32, height: u32) -> Result<String, ChartError> {
        self.check()?;
        charts::render_svg(self.id(), width, height, |root| self.draw(root))
    }

    /// The figure as a PNG image of `width` by `height` pixels.
    pub fn png(&self, width: u32, height: u32) -> Result<Vec<u8>, ChartError> {
        self.check()?;
        charts::render_png(self.id(), width, height, |root| self.draw(root))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn {
        root.fill(&WHITE).or_message()?;
        let body = root
            .titled(
                &self.title(),
                (FAMILY, 22).into_font().style(FontStyle::Bold),
            )
            .or_message()?;
        match *self {
            Figure::Totals(o) => draw_totals(o, &body),
            Figure::Exposure(o) => draw_daily(
                o,
                &body,
                |t| &t.daily_exposure,
                &format!("Exposure ({})", o.currency),
            ),
            Figure::Balance(o) => draw_daily(
                o,
                &body,
                |t| &t.daily_available,
                "Available balance (credits)",
            ),
        }
    }
}

/// One line per plan over the replay's days; each day marked when there
/// are few, with later plans' markers smaller so equal values stay visible.
fn draw_daily<DB: DrawingBackend>(
    output: &BacktestOutput,
    area: &DrawingArea<DB, Shift>,
    series: fn(&PlanTotals) -> &Vec<f64>,
    y_label: &str,
) -> Drawn {
    let entries: Vec<(Key, String)> = output
        .plans
        .iter()
        .enumerate()
        .map(|(i, p)| (Key::Line(plan_colour(i), plan_dash(i)), p.id.clone()))
        .collect();
    let plot = legend_strip(area, &entries)?;
    let all = output.plans.iter().flat_map(|p| series(&p.totals).iter());
    let (lo, hi) = all.fold((0f64, 0f64), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    let (y0, y1) = padded(lo, hi);
    let y0 = if lo >= 0.0 { 0.0 } else { y0 };
    let last = output.days as f64 - 1.0;
    let mut chart = ChartBuilder::on(&plot)
        .margin(16)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d(-0.5..last + 0.5, y0..y1)
        .or_message()?;
    chart
        .configure_mesh()
        .x_desc(format!("Day of the replay (days from {})", output.start))
        .y_desc(y_label)
        .x_labels(output.days.clamp(2, 12))
        // Days are whole: ticks between them stay unlabelled.
        .x_label_formatter(&|v| {
            let day = v.round();
            if (v - day).abs() < 1e-6 && (0.0..=last).contains(&day) {
                format!("{day:.0}")
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|v| axis_number(*v))
        .label_style((FAMILY, 15))
        .axis_desc_style((FAMILY, 16))
        .light_line_style(RGBColor(238, 238, 238))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()
        .or_message()?;
    for (i, plan) in output.plans.iter().enumerate() {
        let points: Vec<(f64, f64)> = series(&plan.totals)
            .iter()
            .enumerate()
            .map(|(d, &v)| (d as f64, v))
            .collect();
        let style = plan_colour(i).stroke_width(3);
        match plan_dash(i) {
            None => chart
                .draw_series(LineSeries::new(points.clone(), style))
                .or_message()?,
            Some((on, off)) => chart
                .draw_series(DashedLineSeries::new(points.clone(), on, off, style))
                .or_message()?,
        };
        if output.days <= MARKED_DAYS {
            let radius = 8 - 2 * (i % 3) as i32;
            chart
                .draw_series(points.iter().flat_map(|&at| {
                    [
                        Circle::new(at, radius, plan_colour(i).filled()),
                        Circle::new(at, radius, BLACK.stroke_width(1)),
                    ]
                }))
                .or_message()?;
        }
    }
    Ok(())
}

/// One panel per total (revenue, provider cost, gross margin) on a shared
/// scale, a bar per plan labelled with its value.
fn draw_totals<DB: DrawingBackend>(
    output: &BacktestOutput,
    area: &DrawingArea<DB, Shift>,
) -> Drawn {
    let entries: Vec<(Key, String)> = output
        .plans
        .iter()
        .enumerate()
        .map(|(i, p)| (Key::Block(plan_colour(i)), p.id.clone()))
        .collect();
    let plot = legend_strip(area, &entries)?;
    let indices: Vec<usize> = TOTALS
        .iter()
        .map(|name| metrics::index(name).expect("the totals exist"))
        .collect();
    let values = output
        .plans
        .iter()
        .flat_map(|p| indices.iter().map(|&i| p.row[i]));
    let (lo, hi) = values.fold((0f64, 0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    // Room above (and below) the bars for their labels.
    let (y0, y1) = padded(lo, hi);
    let room = (y1 - y0) * 0.08;
    let y0 = if lo >= 0.0 { 0.0 } else { y0 - room };
    let y1 = if hi <= 0.0 { 0.0 } else { y1 + room };
    let n = output.plans.len();
    let currency = output.currency.as_str();
    let panels = plot.split_evenly((1, TOTALS.len()));
    for (&index, panel) in indices.iter().zip(&panels) {
        let metric = METRICS[index];
        let caption = format!("{} ({currency})", metric.label);
        let mut chart = charts::bar_panel(panel, &caption, 17, currency, n, (y0, y1))?;
        if y0 < 0.0 {
            chart
                .draw_series(LineSeries::new(
                    [(-0.6, 0.0), (n as f64 - 0.4, 0.0)],
                    BLACK.stroke_width(1),
                ))
                .or_message()?;
        }
        for (i, plan) in output.plans.iter().enumerate() {
            let (x, v) = (i as f64, plan.row[index]);
            let bar = [(x - 0.3, 0.0), (x + 0.3, v)];
            chart
                .draw_series([
                    Rectangle::new(bar, plan_colour(i).filled()),
                    Rectangle::new(bar, BLACK.stroke_width(1)),
                ])
                .or_message()?;
            let anchor = if v >= 0.0 { VPos::Bottom } else { VPos::Top };
            let gap = (y1 - y0) * 0.01 * v.signum();
            let style = (FAMILY, 13)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Center, anchor));
            chart
                .draw_series(std::iter::once(Text::new(money(v), (x, v + gap), style)))
                .or_message()?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trace_replaces_the_horizon_runs_and_segment_demand() {
        for left_out in [
            "paths",
            "horizon_days",
            "segments[teams].customers",
            "segments[teams].tasks.steps",
            "segments[teams].model_mix[m].share",
            "segments[0].agents_per_customer",
        ] {
            assert!(!used_by_backtest(left_out), "{left_out}");
        }
        for kept in [
            "seed",
            "start",
            "segments[teams].payment.terms_days",
            "segments[teams].on_block",
            "plans[prepaid].packs[starter].price",
            "models[m].price_per_mtok",
        ] {
            assert!(used_by_backtest(kept), "{kept}");
        }
    }

    #[test]
    fn shell_words_are_quoted_when_needed() {
        assert_eq!(shell_word("data/trace.csv"), "data/trace.csv");
        assert_eq!(shell_word("timestamp=ts,input=p"), "timestamp=ts,input=p");
        assert_eq!(shell_word("my trace.csv"), "'my trace.csv'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word(""), "''");
    }

    #[test]
    fn lists_read_as_prose() {
        assert_eq!(join_and(&["a"]), "a");
        assert_eq!(join_and(&["a", "b"]), "a and b");
        assert_eq!(join_and(&["a", "b", "c"]), "a, b and c");
    }
}
