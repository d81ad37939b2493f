//! `creditsim report SCENARIO --out DIR`: runs a scenario and writes the
//! pricing-review report (PDF, HTML, XLSX, results as CSV and Parquet, the
//! scenario file and how to reproduce it) into DIR. `creditsim run
//! --report DIR` writes the same files through [`write`].

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use clap::Args;
use sim::run::RunOutput;

use super::run::{RunSettings, simulate};
use super::{EXIT_BAD_INPUT, EXIT_OUTPUT_FAILED};

#[derive(Args)]
pub struct ReportArgs {
    /// The scenario file (TOML, `version = 1`); see docs/scenario-format.md.
    scenario: PathBuf,
    /// The directory to write the report into (created if missing).
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    settings: RunSettings,
    /// Replace a report already in the directory.
    #[arg(long)]
    force: bool,
}

pub fn run(args: ReportArgs) -> ExitCode {
    let name = args.scenario.display().to_string();
    let (scenario, text) = match super::prices::read_scenario_and_text(&args.scenario) {
        Ok(read) => read,
        Err(code) => return code,
    };
    let output = simulate(&scenario, &args.settings);
    match output {
        Ok(output) => write(&output, &text, &args.scenario, &args.out, args.force),
        Err(error) => {
            eprintln!("{name}: {error}");
            ExitCode::from(EXIT_BAD_INPUT)
        }
    }
}

/// Writes the report of `output` into `dir` and says where on stderr.
pub fn write(
    output: &RunOutput,
    scenario_text: &str,
    scenario: &Path,
    dir: &Path,
    force: bool,
) -> ExitCode {
    let file_name = scenario.file_name().map_or_else(
        || "scenario.toml".to_owned(),
        |n| n.to_string_lossy().into_owned(),
    );
    let input = ::report::ReportInput {
        run: output,
        scenario_text,
        scenario_file_name: &file_name,
        sensitivity: None,
        generated_on: Some(format!("Generated on {} (UTC)", today())),
    };
    match ::report::write(&input, dir, ::report::WriteOptions { force }) {
        Ok(files) => {
            eprintln!("wrote {} files to {}", files.len(), dir.display());
            ExitCode::SUCCESS
        }
        Err(
            error @ (::report::ReportError::Exists { .. } | ::report::ReportError::FileName { .. }),
        ) => {
            eprintln!("{error}");
            ExitCode::from(EXIT_BAD_INPUT)
        }
        Err(error) => {
            eprintln!("{error}");
            ExitCode::from(EXIT_OUTPUT_FAILED)
        }
    }
}

/// Today's UTC date as `YYYY-MM-DD` (the civil-from-days algorithm of
/// Howard Hinnant's date library; no time-zone data needed for UTC).
fn today() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}
