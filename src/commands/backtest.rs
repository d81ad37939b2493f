//! `creditsim backtest TRACE.csv --scenario S`: a real trace replayed
//! exactly through every plan of a scenario; the per-plan results printed
//! as a table (with the daily exposure) or JSON, and with `--report DIR`
//! written as a report. The replay lives in `sim::backtest`, the report in
//! `report::backtest`.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_FULL_CONDENSED};
use report::frames::unit_name;
use sim::backtest::{BacktestOptions, BacktestOutput, Customers};
use sim::metrics::{METRICS, Unit};
use sim::scenario::Scenario;
use sim::trace::{Columns, Format};

use super::run::money;
use super::trace::{bad_input, open};
use super::{print_json, print_text};

#[derive(Args)]
#[command(group(clap::ArgGroup::new("who").args(["customers_from", "customers"])))]
pub struct BacktestArgs {
    /// The trace: a CSV file with a header, rows in time order.
    trace: PathBuf,
    /// The scenario whose models, rate card, plans and segment are used.
    #[arg(long)]
    scenario: PathBuf,
    /// `azure` or `generic`; default `azure`, or `generic` with --columns.
    #[arg(long, value_parser = Format::parse)]
    format: Option<Format>,
    /// Column mapping of a generic trace: ROLE=COLUMN,... (see `trace fit --help`).
    /// Kept as written, for the report's reproduce.txt.
    #[arg(long, value_parser = check_columns)]
    columns: Option<String>,
    /// Each distinct value of this header column is one customer.
    #[arg(long, value_name = "COLUMN")]
    customers_from: Option<String>,
    /// Spread rows round-robin over N customers (row i to customer i mod N).
    #[arg(long, value_name = "N")]
    customers: Option<u64>,
    /// The model of rows without a model column; default the scenario's first.
    #[arg(long, value_name = "ID")]
    model: Option<String>,
    /// The scenario segment whose payment terms and reactions apply; default the first.
    #[arg(long, value_name = "ID")]
    segment: Option<String>,
    /// Print one JSON document instead of the tables.
    #[arg(long)]
    json: bool,
    /// Also write the backtest report (PDF, HTML, XLSX, CSV, Parquet, charts,
    /// the scenario and how to reproduce it) into this directory.
    #[arg(long, value_name = "DIR")]
    report: Option<PathBuf>,
    /// Replace a report already in the --report directory.
    #[arg(long, requires = "report")]
    force: bool,
}

fn check_columns(text: &str) -> Result<String, String> {
    Columns::parse(text).map(|_| text.to_owned())
}

impl BacktestArgs {
    /// The replay's options as given, flag then value, for reproduce.txt.
    fn given(&self) -> Vec<String> {
        let format = self.format.map(|f| match f {
            Format::Azure => "azure".to_owned(),
            Format::Generic => "generic".to_owned(),
        });
        [
            ("--format", format),
            ("--columns", self.columns.clone()),
            ("--customers-from", self.customers_from.clone()),
            ("--customers", self.customers.map(|n| n.to_string())),
            ("--model", self.model.clone()),
            ("--segment", self.segment.clone()),
        ]
        .into_iter()
        .filter_map(|(flag, value)| value.map(|v| [flag.to_owned(), v]))
        .flatten()
        .collect()
    }
}

pub fn run(args: BacktestArgs) -> ExitCode {
    let (scenario, scenario_text) = match super::prices::read_scenario_and_text(&args.scenario) {
        Ok(read) => read,
        Err(code) => return code,
    };
    let scenario_file = super::report::file_name(&args.scenario);
    // Refuse an existing report before the replay, not after it.
    if let Some(dir) = &args.report
        && let Err(error) = ::report::backtest::check_free(dir, &scenario_file, args.force)
    {
        return super::report::failed(&error);
    }
    let options = match options(&args) {
        Ok(options) => options,
        Err(message) => return bad_input(&[message]),
    };
    let (output, trace_sha256) = match replay(&args, &scenario, &options) {
        Ok(replayed) => replayed,
        Err(code) => return code,
    };
    let printed = if args.json {
        print_json(&output.to_json())
    } else {
        print_text(&tables(&output))
    };
    let Some(dir) = &args.report else {
        return printed;
    };
    let input = ::report::backtest::BacktestReportInput {
        output: &output,
        options: &options,
        arguments: &args.given(),
        scenario_text: &scenario_text,
        scenario_file_name: &scenario_file,
        trace_sha256: &trace_sha256,
        generated_on: Some(format!("Generated on {} (UTC)", super::today())),
    };
    let force = ::report::WriteOptions { force: args.force };
    match ::report::backtest::write(&input, dir, force) {
        Ok(files) => {
            eprintln!("wrote {} files to {}", files.len(), dir.display());
            printed
        }
        Err(error) => super::report::failed(&error),
    }
}

/// Replays the trace, streaming it; with `--report`, also returns its
/// SHA-256 (empty without), hashed in a pass of its own, also streaming.
fn replay(
    args: &BacktestArgs,
    scenario: &Scenario,
    options: &BacktestOptions,
) -> Result<(BacktestOutput, String), ExitCode> {
    let name = args.trace.display().to_string();
    let file = open(&args.trace).map_err(|message| bad_input(&[format!("{name}: {message}")]))?;
    let sha = match &args.report {
        Some(_) => sim::file::sha256_file(&args.trace)
            .map_err(|message| bad_input(&[format!("{name}: {message}")]))?,
        None => String::new(),
    };
    sim::backtest::backtest(scenario, file, &name, options)
        .map(|output| (output, sha))
        .map_err(|error| bad_input(&error.lines()))
}

fn options(args: &BacktestArgs) -> Result<BacktestOptions, String> {
    let columns = match &args.columns {
        Some(text) => Columns::parse(text).map_err(|e| format!("--columns: {e}"))?,
        None => Columns::default(),
    };
    Ok(BacktestOptions {
        format: args.format.unwrap_or(if args.columns.is_some() {
            Format::Generic
        } else {
            Format::Azure
        }),
        columns,
        customers: match (&args.customers_from, args.customers) {
            (Some(column), _) => Some(Customers::FromColumn(column.clone())),
            (None, Some(n)) => Some(Customers::RoundRobin(n)),
            (None, None) => None,
        },
        model: args.model.clone(),
        segment: args.segment.clone(),
    })
}

fn tables(output: &BacktestOutput) -> String {
    let mut metrics = Table::new();
    metrics.load_style(UTF8_FULL_CONDENSED);
    let mut header = vec![Cell::new("metric")];
    header.extend(output.plans.iter().map(|p| Cell::new(&p.id)));
    metrics.set_header(header);
    for (index, metric) in METRICS.iter().enumerate() {
        let mut row = vec![Cell::new(format!(
            "{} ({})",
            metric.label,
            unit_name(metric.unit, &output.currency)
        ))];
        for plan in &output.plans {
            row.push(
                Cell::new(format(metric.unit, plan.row[index])).set_alignment(CellAlignment::Right),
            );
        }
        metrics.add_row(row);
    }
    let mut daily = Table::new();
    daily.load_style(UTF8_FULL_CONDENSED);
    let mut header = vec![Cell::new(format!("day: exposure ({})", output.currency))];
    header.extend(output.plans.iter().map(|p| Cell::new(&p.id)));
    daily.set_header(header);
    for day in 0..output.days {
        let mut row = vec![Cell::new(day + 1)];
        for plan in &output.plans {
            row.push(
                Cell::new(money(plan.totals.daily_exposure[day]))
                    .set_alignment(CellAlignment::Right),
            );
        }
        daily.add_row(row);
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Backtest of {} ({} rows, {} to {}) through {}: {} customers, {} day(s) from {}; rows without a model priced as {}, customer behaviour of segment {}.",
        output.trace,
        output.rows,
        output.trace_first,
        output.trace_last,
        output.scenario.as_deref().unwrap_or("the scenario"),
        output.customers,
        output.days,
        output.start,
        output.model,
        output.segment
    );
    let _ = writeln!(out, "{metrics}");
    let _ = writeln!(out, "{daily}");
    let _ = writeln!(
        out,
        "Exact replay, no Monte Carlo: every row is one call; timestamps shifted by {:.3} days to the scenario's start date; payment defaults and reactions drawn from seed {}.",
        output.shift_ms as f64 / 86_400_000.0,
        output.seed
    );
    out
}

fn format(unit: Unit, value: f64) -> String {
    match unit {
        Unit::Currency => money(value),
        Unit::Percent => format!("{value:.1}%"),
        Unit::Count => format!("{value:.0}"),
        Unit::Hours | Unit::Days => format!("{value:.2}"),
    }
}
