//! `creditsim ledger ...`: single-wallet commands over the ledger crate.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
// `::ledger` is the crate; this module is also called `ledger`.
use ::ledger::replay::{self, Format, Problem};

use super::{print_json, read_text, report_problems};

#[derive(Subcommand)]
pub enum LedgerCommand {
    /// Replay a file of grants and events through one wallet and print the
    /// wallet's state and journal as JSON.
    #[command(
        after_help = "The file is JSON or TOML, told apart by its extension.\n\
        Exit status: 0 on success; 2 when the file or the arguments have problems, \
        listed one per line on stderr."
    )]
    Replay(ReplayArgs),
}

#[derive(Args)]
pub struct ReplayArgs {
    /// The replay file: .json or .toml.
    file: PathBuf,
    /// Run until this time (RFC 3339, e.g. 2025-02-01T00:00:00Z), inclusive.
    /// By default the replay stops at the last event.
    #[arg(long, value_name = "TIME")]
    until: Option<String>,
}

pub fn run(command: LedgerCommand) -> ExitCode {
    match command {
        LedgerCommand::Replay(args) => match replay_file(&args) {
            Ok(output) => print_json(&output),
            Err(problems) => report_problems(&args.file, &problems),
        },
    }
}

/// The output of `ledger replay`, or every problem found.
fn replay_file(args: &ReplayArgs) -> Result<serde_json::Value, Vec<Problem>> {
    let format = Format::from_path(&args.file).ok_or_else(|| format_problem(&args.file));
    let until = args.until.as_deref().map(replay::parse_until).transpose();
    // Both argument problems are reported together, before reading the file.
    let (format, until) = match (format, until) {
        (Ok(format), Ok(until)) => (format, until),
        (format, until) => return Err(format.err().into_iter().chain(until.err()).collect()),
    };
    let text = read_text(&args.file).map_err(|message| vec![Problem::new("", message)])?;
    replay::replay(&text, format, until)
}

fn format_problem(file: &Path) -> Problem {
    let found = match file.extension() {
        Some(extension) => format!("the extension .{}", extension.to_string_lossy()),
        None => "no extension".to_owned(),
    };
    let message = format!("a replay file is .json or .toml, and this one has {found}; rename it");
    Problem::new("", message)
}
