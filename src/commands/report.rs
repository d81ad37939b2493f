//! `creditsim report SCENARIO --out DIR`: runs a scenario and writes the
//! pricing-review report (PDF, HTML, XLSX, results as CSV and Parquet, the
//! scenario file and how to reproduce it) into DIR. `creditsim run
//! --report DIR` writes the same files through [`write`]. `--sensitivity`
//! adds the one-at-a-time study of `creditsim sensitivity` as a section.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use clap::Args;
use sim::run::RunOutput;
use sim::sensitivity::{DEFAULT_PATHS, SensitivityOptions};

use super::run::{RunSettings, simulate};
use super::sensitivity::{VariantBar, parse_fraction};
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
    /// Add a sensitivity section: inputs swung one at a time, with their
    /// tornado charts and table, as `creditsim sensitivity` runs them.
    #[arg(long)]
    sensitivity: bool,
    /// With --sensitivity: an input to swing, by path; repeat for more.
    /// Default: every input `creditsim sensitivity --list` shows.
    #[arg(long = "param", value_name = "PATH", requires = "sensitivity")]
    params: Vec<String>,
    /// With --sensitivity: how far each input is swung, `20%` or `0.2`.
    #[arg(long, default_value = "20%", value_parser = parse_fraction)]
    swing: f64,
    /// With --sensitivity: paths per run of the study (two runs per input).
    #[arg(long, default_value_t = DEFAULT_PATHS)]
    sensitivity_paths: usize,
}

pub fn run(args: ReportArgs) -> ExitCode {
    let name = args.scenario.display().to_string();
    let (text, catalogue) = match super::prices::read_scenario_source(&args.scenario) {
        Ok(source) => source,
        Err(code) => return code,
    };
    let scenario = match super::prices::load_scenario(&args.scenario, &text, catalogue.as_ref()) {
        Ok(scenario) => scenario,
        Err(code) => return code,
    };
    if let Err(code) = check_free(&args.out, &args.scenario, args.force) {
        return code;
    }
    let mut study_options = args.sensitivity.then(|| SensitivityOptions {
        swing: args.swing,
        params: args.params.clone(),
        paths: args.sensitivity_paths,
        // Set to the report's seed once the run has resolved it.
        seed: None,
        threads: args.settings.threads,
        // The report shows the one-at-a-time study; rank correlations
        // are `creditsim sensitivity`'s.
        samples: 0,
    });
    // A bad --param or --swing is refused before the run, not after it.
    if let Some(options) = &study_options
        && let Err(error) = sim::sensitivity::inputs(&text, &name, catalogue.as_ref(), options)
    {
        return super::sensitivity::report(&name, &error);
    }
    let output = match simulate(&scenario, &args.settings) {
        Ok(output) => output,
        Err(error) => {
            eprintln!("{name}: {error}");
            return ExitCode::from(EXIT_BAD_INPUT);
        }
    };
    let section = match &mut study_options {
        Some(options) => {
            // The study's runs share the report's seed.
            options.seed = Some(output.seed);
            let bar = VariantBar::new(options.paths);
            let study = sim::sensitivity::analyse(
                &text,
                &name,
                catalogue.as_ref(),
                options,
                &bar,
                &AtomicBool::new(false),
            );
            bar.finish();
            match study {
                Ok(study) => Some(::report::study::section(&study)),
                Err(error) => return super::sensitivity::report(&name, &error),
            }
        }
        None => None,
    };
    write_with(
        &output,
        &text,
        &args.scenario,
        &args.out,
        args.force,
        section,
    )
}

/// Writes the report of `output` into `dir` and says where on stderr.
pub fn write(
    output: &RunOutput,
    scenario_text: &str,
    scenario: &Path,
    dir: &Path,
    force: bool,
) -> ExitCode {
    write_with(output, scenario_text, scenario, dir, force, None)
}

/// Refuses an existing report before a long run, not after it.
pub(super) fn check_free(dir: &Path, scenario: &Path, force: bool) -> Result<(), ExitCode> {
    ::report::check_free(dir, &file_name(scenario), force).map_err(|error| failed(&error))
}

/// The name the report's copy of the scenario gets.
pub(super) fn file_name(scenario: &Path) -> String {
    scenario.file_name().map_or_else(
        || "scenario.toml".to_owned(),
        |n| n.to_string_lossy().into_owned(),
    )
}

fn write_with(
    output: &RunOutput,
    scenario_text: &str,
    scenario: &Path,
    dir: &Path,
    force: bool,
    sensitivity: Option<::report::SensitivitySection>,
) -> ExitCode {
    let file_name = file_name(scenario);
    let input = ::report::ReportInput {
        run: output,
        scenario_text,
        scenario_file_name: &file_name,
        sensitivity,
        generated_on: Some(format!("Generated on {} (UTC)", super::today())),
    };
    match ::report::write(&input, dir, ::report::WriteOptions { force }) {
        Ok(files) => {
            eprintln!("wrote {} files to {}", files.len(), dir.display());
            ExitCode::SUCCESS
        }
        Err(error) => failed(&error),
    }
}

/// Prints a report writer's error: what the user can fix (files already
/// there, a bad name) exits 2, a failed write 3.
pub(super) fn failed(error: &::report::ReportError) -> ExitCode {
    eprintln!("{error}");
    match error {
        ::report::ReportError::Exists { .. } | ::report::ReportError::FileName { .. } => {
            ExitCode::from(EXIT_BAD_INPUT)
        }
        _ => ExitCode::from(EXIT_OUTPUT_FAILED),
    }
}
