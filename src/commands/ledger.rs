//! `creditsim ledger ...`: single-wallet commands over the ledger crate.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
// `::ledger` is the crate; this module is also called `ledger`.
use ::ledger::replay::{self, Format, Problem};

use super::{print_json, report_problems};

/// Larger replay files are refused before reading: a million events, the
/// most a file may hold, take well under this.
const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;

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
    let text = read_text(&args.file).map_err(|problem| vec![problem])?;
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

/// The file's text, refusing a file too large or not UTF-8.
fn read_text(file: &Path) -> Result<String, Problem> {
    let cannot_read =
        |error: io::Error| Problem::new("", format!("cannot read the file: {}", io_reason(&error)));
    let handle = File::open(file).map_err(cannot_read)?;
    let mut bytes = Vec::new();
    // Reading one byte past the limit tells "at the limit" from "over it"
    // without trusting the file's reported size (a pipe has none).
    handle
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot_read)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        let message = format!(
            "the file is larger than {} MiB, the most a replay file may be",
            MAX_FILE_BYTES >> 20
        );
        return Err(Problem::new("", message));
    }
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        Problem::new(
            "",
            format!("the file is not UTF-8 text (invalid byte at offset {offset})"),
        )
    })
}

/// An I/O error in words, without the OS error number.
fn io_reason(error: &io::Error) -> String {
    match error.kind() {
        io::ErrorKind::NotFound => "no such file".to_owned(),
        io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        io::ErrorKind::IsADirectory => "it is a directory".to_owned(),
        _ => error.to_string(),
    }
}
