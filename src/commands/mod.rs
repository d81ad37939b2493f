//! The subcommands, one module per group (`ledger ...`; later `run`,
//! `report`, `sensitivity`), and what they share: exit codes and how
//! problems and output are printed.

mod backtest;
mod ledger;
mod prices;
mod report;
mod run;
mod sensitivity;
mod sweep;
mod trace;

use std::fmt::Display;
use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use clap::Subcommand;

/// The input (a file, an argument) has problems, listed on stderr. Clap uses
/// the same code for a malformed command line.
pub const EXIT_BAD_INPUT: u8 = 2;
/// The result could not be written (a full disk, a closed terminal).
pub const EXIT_OUTPUT_FAILED: u8 = 1;

#[derive(Subcommand)]
pub enum Command {
    /// One wallet at a time: replay a file of grants and events through the ledger.
    #[command(subcommand)]
    Ledger(ledger::LedgerCommand),
    /// Simulate a scenario: every plan against the same demand, compared with 95% intervals.
    Run(run::RunArgs),
    /// The price catalogue: import the genai-prices data, list models and prices.
    #[command(subcommand)]
    Prices(prices::PricesCommand),
    /// Real usage traces: fit workload distributions to a trace.
    #[command(subcommand)]
    Trace(trace::TraceCommand),
    /// Replay a real usage trace exactly through every plan of a scenario.
    #[command(after_help = trace::TRACE_HELP)]
    Backtest(backtest::BacktestArgs),
    /// Swing each input and rank them by their effect on margin and exposure.
    Sensitivity(sensitivity::SensitivityArgs),
    /// Run a grid of one or two inputs and name the best cell per plan.
    Sweep(sweep::SweepArgs),
    /// Run a scenario and write the pricing-review report (PDF, HTML, XLSX, CSV, Parquet) into a directory.
    Report(report::ReportArgs),
}

pub fn run(command: Command) -> ExitCode {
    match command {
        Command::Ledger(command) => ledger::run(command),
        Command::Run(args) => run::run(args),
        Command::Prices(command) => prices::run(command),
        Command::Trace(command) => trace::run(command),
        Command::Backtest(args) => backtest::run(args),
        Command::Sensitivity(args) => sensitivity::run(args),
        Command::Sweep(args) => sweep::run(args),
        Command::Report(args) => report::run(args),
    }
}

/// Prints one line per problem on stderr, each prefixed with the file it is
/// about, and returns the bad-input exit code.
pub fn report_problems<P: Display>(file: &Path, problems: &[P]) -> ExitCode {
    let mut err = io::stderr().lock();
    for problem in problems {
        // Nothing useful can be done if stderr itself is gone.
        let _ = writeln!(err, "{}: {problem}", file.display());
    }
    ExitCode::from(EXIT_BAD_INPUT)
}

/// Writes a JSON result on stdout, pretty-printed with 2-space indents and
/// a final newline. It is streamed rather than built as one string, since a
/// long replay's journal runs to hundreds of megabytes. A full disk is
/// reported, not a panic (which `println!` would do).
pub fn print_json(value: &serde_json::Value) -> ExitCode {
    let mut out = io::BufWriter::new(io::stdout().lock());
    let written = serde_json::to_writer_pretty(&mut out, value)
        .map_err(io::Error::from)
        .and_then(|()| writeln!(out))
        .and_then(|()| out.flush());
    match written {
        Ok(()) => ExitCode::SUCCESS,
        // The reader stopped early (`| head`): what it wanted was written.
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(error) => {
            let _ = writeln!(io::stderr(), "creditsim: cannot write the output: {error}");
            ExitCode::from(EXIT_OUTPUT_FAILED)
        }
    }
}

/// The file's text, refusing a file too large or not UTF-8 (shared with the
/// desktop app: `sim::file`).
pub use sim::file::read_text;

/// Writes text on stdout; a reader that stopped early is not an error.
/// Today's date, UTC, from the system clock (the shell may read it; the
/// libraries never do).
pub fn today() -> sim::scenario::Date {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400);
    sim::scenario::Date::parse("1970-01-01")
        .and_then(|epoch| epoch.plus_days(days))
        .expect("today is a representable date")
}

pub fn print_text(text: &str) -> ExitCode {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(error) => {
            let _ = writeln!(io::stderr(), "creditsim: cannot write the output: {error}");
            ExitCode::from(EXIT_OUTPUT_FAILED)
        }
    }
}
