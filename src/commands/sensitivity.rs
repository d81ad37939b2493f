//! `creditsim sensitivity SCENARIO`: swings the scenario's inputs one at a
//! time and by Latin hypercube, and prints which move each plan's mean gross
//! margin and P95 peak exposure most (tables, or `--json`). The method is in
//! docs/sensitivity.md.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use ::report::charts::Figure;
use clap::Args;
use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_FULL_CONDENSED};
use sim::sensitivity::{
    DEFAULT_PATHS, DEFAULT_SAMPLES, Input, Objective, Sensitivity, SensitivityError,
    SensitivityOptions, Skipped,
};
use sim::vary::show;

use indicatif::{ProgressBar, ProgressStyle};
use sim::run::Update;
use sim::sensitivity::VariantProgress;

use super::run::money;
use super::{EXIT_BAD_INPUT, print_json, print_text};

#[derive(Args)]
pub struct SensitivityArgs {
    /// The scenario file (TOML, `version = 1`); see docs/scenario-format.md.
    scenario: PathBuf,
    /// How far each input is swung either side of its value: `20%` or `0.2`.
    #[arg(long, default_value = "20%", value_parser = parse_fraction)]
    swing: f64,
    /// An input to swing, by path (`plans.pro.packs.0.price`); repeat for
    /// more. Default: every number in the file that makes sense to swing.
    #[arg(long = "param", value_name = "PATH")]
    params: Vec<String>,
    /// Paths per run; every input costs two runs, so the default is low.
    #[arg(long, default_value_t = DEFAULT_PATHS)]
    paths: usize,
    /// Seed of every run; default the scenario's. All runs share it.
    #[arg(long)]
    seed: Option<u64>,
    /// Latin hypercube samples for the rank correlations; 0 skips them.
    #[arg(long, default_value_t = DEFAULT_SAMPLES)]
    samples: usize,
    /// Worker threads; default one per core. Results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Print one JSON document instead of the tables.
    #[arg(long)]
    json: bool,
    /// List the inputs that would be swung (and the ones left out) without
    /// running anything.
    #[arg(long)]
    list: bool,
    /// Also write the tornado charts (`tornado-N.svg` and `.png`, one per
    /// plan and outcome, the largest 15 swings) into this directory.
    #[arg(long, value_name = "DIR")]
    charts: Option<PathBuf>,
    /// Replace chart files already in the `--charts` directory.
    #[arg(long, requires = "charts")]
    force: bool,
}

pub fn run(args: SensitivityArgs) -> ExitCode {
    let name = args.scenario.display().to_string();
    let (text, catalogue) = match super::prices::read_scenario_source(&args.scenario) {
        Ok(source) => source,
        Err(code) => return code,
    };
    let options = SensitivityOptions {
        swing: args.swing,
        params: args.params,
        paths: args.paths,
        seed: args.seed,
        threads: args.threads,
        samples: args.samples,
    };
    if args.list {
        return match sim::sensitivity::inputs(&text, &name, catalogue.as_ref(), &options) {
            Ok((inputs, skipped)) => print_text(&list(&inputs, &skipped, &options)),
            Err(error) => report(&name, &error),
        };
    }
    if let Some(dir) = &args.charts
        && let Err(error) = ::report::study::check_free(dir, "tornado", args.force)
    {
        return super::report::failed(&error);
    }
    let bar = VariantBar::new(options.paths);
    let started = Instant::now();
    let result = sim::sensitivity::analyse(
        &text,
        &name,
        catalogue.as_ref(),
        &options,
        &bar,
        &AtomicBool::new(false),
    );
    bar.finish();
    let analysis = match result {
        Ok(analysis) => analysis,
        Err(error) => return report(&name, &error),
    };
    // The results first, so a chart that cannot be written loses nothing.
    let printed = if args.json {
        print_json(&analysis.to_json())
    } else {
        print_text(&tables(&analysis, started.elapsed().as_secs_f64()))
    };
    if let Some(dir) = &args.charts {
        let tornadoes = ::report::study::tornadoes(&analysis);
        let figures: Vec<Figure<'_>> = tornadoes.iter().map(Figure::Tornado).collect();
        if let Err(code) = write_charts(dir, "tornado", &figures, args.force) {
            return code;
        }
    }
    printed
}

/// Writes a study's charts and says where on stderr; a refusal to replace
/// files or a bad directory exits 2, a failed write 3.
pub(super) fn write_charts(
    dir: &Path,
    stem: &str,
    figures: &[Figure<'_>],
    force: bool,
) -> Result<(), ExitCode> {
    match ::report::study::write_charts(dir, stem, figures, force) {
        Ok(files) => {
            eprintln!("wrote {} chart files to {}", files.len(), dir.display());
            Ok(())
        }
        Err(error) => Err(super::report::failed(&error)),
    }
}

/// Prints an analysis's or a sweep's error on stderr: the scenario's own
/// problems with their places, anything else prefixed by the file name.
pub(super) fn report(name: &str, error: &SensitivityError) -> ExitCode {
    match error {
        SensitivityError::Scenario(errors) => {
            for error in errors {
                eprintln!("{error}");
            }
        }
        other => eprintln!("{name}: {other}"),
    }
    ExitCode::from(EXIT_BAD_INPUT)
}

/// `20%` or `0.2`: a fraction above 0.
pub(super) fn parse_fraction(text: &str) -> Result<f64, String> {
    let (number, scale) = match text.strip_suffix('%') {
        Some(percent) => (percent, 0.01),
        None => (text, 1.0),
    };
    match number.trim().parse::<f64>() {
        Ok(value) if value.is_finite() && value > 0.0 => Ok(value * scale),
        _ => Err(format!(
            "expected a positive fraction or percentage such as 20% or 0.2, got {text:?}"
        )),
    }
}

/// The progress bar of a series of runs: which variant, and its paths.
pub(super) struct VariantBar {
    bar: ProgressBar,
}

impl VariantBar {
    pub(super) fn new(paths: usize) -> VariantBar {
        let bar = ProgressBar::new(paths as u64);
        bar.set_style(
            ProgressStyle::with_template("{prefix} {bar:30} {pos}/{len} paths, {eta} left  {msg}")
                .expect("a valid template"),
        );
        VariantBar { bar }
    }

    pub(super) fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl VariantProgress for VariantBar {
    fn variant(&self, index: usize, total: usize, label: &str) {
        self.bar.set_prefix(format!("run {}/{total}", index + 1));
        self.bar.set_message(label.to_owned());
        self.bar.set_position(0);
    }

    fn update(&self, update: &Update<'_>) {
        self.bar.set_length(update.paths_max as u64);
        self.bar.set_position(update.paths_done as u64);
    }
}

/// The inputs and their low and high values, the adjustments, the inputs
/// left out, and what a run would cost.
fn list(inputs: &[Input], skipped: &[Skipped], options: &SensitivityOptions) -> String {
    let mut table = Table::new();
    table.load_style(UTF8_FULL_CONDENSED);
    table.set_header(vec!["input", "kind", "value", "low", "high", "note"]);
    for input in inputs {
        let notes: Vec<&str> = [&input.low.note, &input.high.note]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        table.add_row(vec![
            Cell::new(&input.path),
            Cell::new(input.kind.code()),
            right(show(input.base)),
            right(show(input.low.value)),
            right(show(input.high.value)),
            Cell::new(notes.join("; ")),
        ]);
    }
    let mut out = format!("{table}\n");
    out.push_str(&not_swung(skipped));
    out.push_str(&format!(
        "{} inputs: {} runs of {} paths ({} one at a time, {} samples).\n",
        inputs.len(),
        1 + 2 * inputs.len() + options.samples,
        options.paths,
        1 + 2 * inputs.len(),
        options.samples
    ));
    out
}

/// The inputs left out, one line each, except that a reason shared by more
/// than three (profile weights, say) is one line with a count.
fn not_swung(skipped: &[Skipped]) -> String {
    if skipped.is_empty() {
        return String::new();
    }
    let mut out = "Not swung:\n".to_owned();
    let mut reasons: Vec<&str> = Vec::new();
    for s in skipped {
        if !reasons.contains(&s.reason.as_str()) {
            reasons.push(&s.reason);
        }
    }
    for reason in reasons {
        let paths: Vec<&str> = skipped
            .iter()
            .filter(|s| s.reason == reason)
            .map(|s| s.path.as_str())
            .collect();
        if paths.len() > 3 {
            out.push_str(&format!(
                "  {} fields ({}, {}, ...): {reason}\n",
                paths.len(),
                paths[0],
                paths[1]
            ));
        } else {
            for path in paths {
                out.push_str(&format!("  {path}: {reason}\n"));
            }
        }
    }
    out
}

fn tables(analysis: &Sensitivity, seconds: f64) -> String {
    let mut out = format!(
        "{}\nSensitivity: each input swung ±{}% one at a time, {} paths per run, seed {} (common random numbers).\n",
        analysis.scenario,
        analysis.swing * 100.0,
        analysis.paths,
        analysis.seed
    );
    for tornado in &analysis.tornadoes {
        let mut table = Table::new();
        table.load_style(UTF8_FULL_CONDENSED);
        let ci = tornado.objective == Objective::MeanGrossMargin;
        let mut header = vec!["input", "low → high", "output at low", "at high", "swing"];
        if ci {
            header.push("swing 95% CI (paired)");
        }
        table.set_header(header);
        for bar in &tornado.bars {
            let mut row = vec![
                Cell::new(&bar.input),
                Cell::new(format!(
                    "{} → {}",
                    number(bar.input_low),
                    number(bar.input_high)
                )),
                right(money(bar.output_low)),
                right(money(bar.output_high)),
                right(money(bar.swing)),
            ];
            if ci {
                row.push(right(bar.swing_ci95.map_or("-".to_owned(), |(lo, hi)| {
                    format!("[{}, {}]", money(lo), money(hi))
                })));
            }
            table.add_row(row);
        }
        out.push_str(&format!(
            "\n{}: {} (base {})\n{table}\n",
            tornado.plan,
            tornado.objective.label(),
            money(tornado.base)
        ));
    }
    if let Some(global) = &analysis.global {
        out.push_str(&format!(
            "\nRank correlations: {} Latin hypercube samples ({} used), each input uniform within ±{}%.\n",
            global.samples,
            global.values.len(),
            analysis.swing * 100.0
        ));
        for ranking in &global.rankings {
            let mut table = Table::new();
            table.load_style(UTF8_FULL_CONDENSED);
            table.set_header(vec!["input", "Spearman rho", "95% CI (Fisher z)", ""]);
            for c in &ranking.correlations {
                table.add_row(vec![
                    Cell::new(&c.input),
                    right(c.rho.map_or("-".to_owned(), |r| format!("{r:+.3}"))),
                    right(
                        c.ci95
                            .map_or("-".to_owned(), |(lo, hi)| format!("[{lo:+.3}, {hi:+.3}]")),
                    ),
                    Cell::new(if c.significant() { "*" } else { "" }),
                ]);
            }
            out.push_str(&format!(
                "\n{}: {}\n{table}\n",
                ranking.plan,
                ranking.objective.label()
            ));
        }
        for refusal in &global.refused {
            out.push_str(&format!("  sample refused: {refusal}\n"));
        }
    }
    let notes: Vec<String> = analysis
        .inputs
        .iter()
        .flat_map(|input| {
            [("low", &input.low.note), ("high", &input.high.note)]
                .into_iter()
                .filter_map(move |(end, note)| {
                    note.as_ref()
                        .map(|n| format!("  {} {end}: {n}", input.path))
                })
        })
        .collect();
    if !notes.is_empty() {
        out.push_str(&format!("\nAdjusted values:\n{}\n", notes.join("\n")));
    }
    if !analysis.skipped.is_empty() {
        out.push('\n');
        out.push_str(&not_swung(&analysis.skipped));
    }
    out.push_str(&format!(
        "\n{} inputs, {} runs of {} paths in {seconds:.1} s. * marks an interval that excludes 0.\n",
        analysis.inputs.len(),
        analysis.runs,
        analysis.paths
    ));
    out
}

pub(super) fn right(text: String) -> Cell {
    Cell::new(text).set_alignment(CellAlignment::Right)
}

/// An input value: up to 6 significant digits, no trailing zeros.
pub(super) fn number(value: f64) -> String {
    let text = format!("{value:.6}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text.is_empty() || text == "-" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}
