//! The `creditsim` command line: a thin shell over the core crates. Each
//! subcommand converts its arguments, calls the core, and prints the result;
//! the work, and every message about bad input, lives in the crates, so the
//! CLI, the desktop app and the tests all exercise the same code.

mod commands;

use std::process::ExitCode;

use clap::Parser;

#[derive(Parser)]
#[command(
    name = "creditsim",
    version,
    about = "Monte Carlo simulation of prepaid-credit plans for AI products"
)]
struct Cli {
    #[command(subcommand)]
    command: commands::Command,
}

fn main() -> ExitCode {
    commands::run(Cli::parse().command)
}
