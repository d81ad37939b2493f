//! `creditsim backtest TRACE.csv --scenario S`: a real trace replayed
//! exactly through every plan of a scenario; the per-plan results printed
//! as a table (with the daily exposure) or JSON. The replay lives in
//! `sim::backtest`.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_FULL_CONDENSED};
use sim::backtest::{BacktestOptions, BacktestOutput, Customers};
use sim::metrics::{METRICS, Unit};
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
    #[arg(long, value_parser = Columns::parse)]
    columns: Option<Columns>,
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
}

pub fn run(args: BacktestArgs) -> ExitCode {
    let scenario = match super::prices::read_scenario(&args.scenario) {
        Ok(scenario) => scenario,
        Err(code) => return code,
    };
    let trace_name = args.trace.display().to_string();
    let file = match open(&args.trace) {
        Ok(file) => file,
        Err(message) => return bad_input(&[format!("{trace_name}: {message}")]),
    };
    let options = BacktestOptions {
        format: args.format.unwrap_or(if args.columns.is_some() {
            Format::Generic
        } else {
            Format::Azure
        }),
        columns: args.columns.unwrap_or_default(),
        customers: match (args.customers_from, args.customers) {
            (Some(column), _) => Some(Customers::FromColumn(column)),
            (None, Some(n)) => Some(Customers::RoundRobin(n)),
            (None, None) => None,
        },
        model: args.model,
        segment: args.segment,
    };
    match sim::backtest::backtest(&scenario, file, &trace_name, &options) {
        Ok(output) if args.json => print_json(&output.to_json()),
        Ok(output) => print_text(&tables(&output)),
        Err(error) => bad_input(&error.lines()),
    }
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
            unit(metric.unit, &output.currency)
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

fn unit(unit: Unit, currency: &str) -> String {
    match unit {
        Unit::Currency => currency.to_owned(),
        Unit::Percent => "%".to_owned(),
        Unit::Count => "count".to_owned(),
        Unit::Hours => "hours".to_owned(),
        Unit::Days => "days".to_owned(),
    }
}

fn format(unit: Unit, value: f64) -> String {
    match unit {
        Unit::Currency => money(value),
        Unit::Percent => format!("{value:.1}%"),
        Unit::Count => format!("{value:.0}"),
        Unit::Hours | Unit::Days => format!("{value:.2}"),
    }
}
