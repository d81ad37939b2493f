//! `creditsim run SCENARIO`: the main job. Loads a scenario, runs it, and
//! prints the plan comparison as a table (or, with `--json`, one JSON
//! document), with a progress bar on stderr.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use clap::Args;
use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_FULL_CONDENSED};
use indicatif::{ProgressBar, ProgressStyle};
use report::frames::unit_name;
use sim::metrics::{METRICS, Unit};
use sim::run::{Progress, RunError, RunOptions, RunOutput, Update};
use sim::scenario::Scenario;

use super::{EXIT_BAD_INPUT, print_json, print_text};

/// How many paths, which seed, how many threads: shared by `run` and `report`.
#[derive(Args)]
pub(super) struct RunSettings {
    /// Paths to run (with --precision, the most to run); default the scenario's.
    #[arg(long)]
    paths: Option<usize>,
    /// Seed of every random stream; default the scenario's.
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads; default one per core. Results do not depend on it.
    #[arg(long)]
    pub(super) threads: Option<usize>,
    /// Keep adding paths until every plan's mean gross margin is known to
    /// within this much at the 95% level: `1%` or `0.01`.
    #[arg(long, value_parser = parse_precision)]
    precision: Option<f64>,
}

/// Runs `scenario` with a progress bar on stderr, cleared when it ends.
pub(super) fn simulate(scenario: &Scenario, settings: &RunSettings) -> Result<RunOutput, RunError> {
    let options = RunOptions {
        paths: settings.paths,
        seed: settings.seed,
        threads: settings.threads,
        precision: settings.precision,
    };
    let bar = Bar::new(options.paths.unwrap_or(scenario.paths as usize));
    let output = sim::run::run(scenario, &options, &bar, &AtomicBool::new(false));
    bar.bar.finish_and_clear();
    output
}

#[derive(Args)]
pub struct RunArgs {
    /// The scenario file (TOML, `version = 1`); see docs/scenario-format.md.
    scenario: PathBuf,
    #[command(flatten)]
    settings: RunSettings,
    /// Print one JSON document instead of the table.
    #[arg(long)]
    json: bool,
    /// Also write the report (PDF, HTML, XLSX, CSV, Parquet) into this
    /// directory, as `creditsim report` does.
    #[arg(long, value_name = "DIR")]
    report: Option<PathBuf>,
    /// With --report, replace a report already in the directory.
    #[arg(long, requires = "report")]
    force: bool,
}

pub fn run(args: RunArgs) -> ExitCode {
    let name = args.scenario.display().to_string();
    let (scenario, text) = match super::prices::read_scenario_and_text(&args.scenario) {
        Ok(read) => read,
        Err(code) => return code,
    };
    if let Some(dir) = &args.report
        && let Err(code) = super::report::check_free(dir, &args.scenario, args.force)
    {
        return code;
    }
    let output = simulate(&scenario, &args.settings);
    if let (Ok(output), Some(dir)) = (&output, &args.report) {
        let written = super::report::write(output, &text, &args.scenario, dir, args.force);
        if written != ExitCode::SUCCESS {
            return written;
        }
    }
    match output {
        Ok(output) if args.json => print_json(&output.to_json()),
        Ok(output) => print_text(&table(&output)),
        Err(error) => {
            eprintln!("{name}: {error}");
            ExitCode::from(EXIT_BAD_INPUT)
        }
    }
}

fn parse_precision(text: &str) -> Result<f64, String> {
    let (number, scale) = match text.strip_suffix('%') {
        Some(percent) => (percent, 0.01),
        None => (text, 1.0),
    };
    match number.trim().parse::<f64>() {
        Ok(value) if value.is_finite() && value > 0.0 => Ok(value * scale),
        _ => Err(format!(
            "expected a positive fraction or percentage such as 1% or 0.01, got {text:?}"
        )),
    }
}

/// The progress bar: paths done, paths per second, time left, and the
/// running estimate of each plan's mean gross margin.
struct Bar {
    bar: ProgressBar,
    started: Instant,
}

impl Bar {
    fn new(paths: usize) -> Bar {
        let bar = ProgressBar::new(paths as u64);
        bar.set_style(
            ProgressStyle::with_template(
                "{bar:30} {pos}/{len} paths, {per_sec}, {eta} left  {msg}",
            )
            .expect("a valid template"),
        );
        Bar {
            bar,
            started: Instant::now(),
        }
    }
}

impl Progress for Bar {
    fn update(&self, update: &Update<'_>) {
        self.bar.set_length(update.paths_max as u64);
        self.bar.set_position(update.paths_done as u64);
        let estimates: Vec<String> = update
            .estimates
            .iter()
            .map(|(plan, s)| format!("{plan} {}", money(s.mean)))
            .collect();
        self.bar
            .set_message(format!("margin: {}", estimates.join(", ")));
        let _ = self.started;
    }
}

/// Plans as columns, metrics as rows: the mean and its 95% interval.
fn table(output: &RunOutput) -> String {
    let mut table = Table::new();
    table.load_style(UTF8_FULL_CONDENSED);
    let mut header = vec![Cell::new("metric (mean, 95% CI)")];
    header.extend(output.plans.iter().map(|p| Cell::new(&p.id)));
    table.set_header(header);
    for (index, metric) in METRICS.iter().enumerate() {
        let mut row = vec![Cell::new(format!(
            "{} ({})",
            metric.label,
            unit_name(metric.unit, &output.currency)
        ))];
        for plan in &output.plans {
            let s = plan.summary(index);
            let value = format(metric.unit, s.mean);
            let text = match s.ci95 {
                Some((lo, hi)) => format!(
                    "{value} [{}, {}]",
                    format(metric.unit, lo),
                    format(metric.unit, hi)
                ),
                None => value,
            };
            row.push(Cell::new(text).set_alignment(CellAlignment::Right));
        }
        table.add_row(row);
    }
    let mut row = vec![Cell::new("P(credit runs out before the horizon ends)")];
    for plan in &output.plans {
        let (p, (lo, hi)) = plan.p_exhausted();
        row.push(
            Cell::new(format!(
                "{:.1}% [{:.1}, {:.1}]",
                p * 100.0,
                lo * 100.0,
                hi * 100.0
            ))
            .set_alignment(CellAlignment::Right),
        );
    }
    table.add_row(row);
    let stopped = match (output.stopped_by, output.precision) {
        (sim::run::StoppedBy::Precision, Some(p)) => {
            format!("stopped when the precision target ({}%) was met", p * 100.0)
        }
        (_, Some(p)) => format!(
            "stopped at the path limit before the precision target ({}%) was met",
            p * 100.0
        ),
        (_, None) => "stopped at the requested number of paths".to_owned(),
    };
    let names: Vec<String> = output
        .plans
        .iter()
        .filter_map(|p| p.name.as_ref().map(|name| format!("  {}: {name}", p.id)))
        .collect();
    format!(
        "{}\n{}\n{table}\n{} paths over {} days, seed {}; {stopped}. Common random numbers: every plan meets the same demand.\n",
        output.scenario,
        names.join("\n"),
        output.paths,
        output.horizon_days,
        output.seed
    )
}

fn format(unit: Unit, value: f64) -> String {
    match unit {
        Unit::Currency => money(value),
        Unit::Percent => format!("{value:.1}%"),
        Unit::Count if value.abs() >= 1000.0 => money(value),
        Unit::Count | Unit::Hours | Unit::Days => format!("{value:.1}"),
    }
}

/// Whole units with thousands separators above 1,000; cents below.
pub(super) fn money(value: f64) -> String {
    if value.abs() < 1000.0 {
        return format!("{value:.2}");
    }
    let whole = format!("{:.0}", value.abs());
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    if value < 0.0 {
        format!("-{grouped}")
    } else {
        grouped
    }
}
