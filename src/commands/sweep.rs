//! `creditsim sweep SCENARIO --vary PATH=FROM..TO:STEP [--vary ...]`: runs a
//! grid of one or two inputs with common random numbers and prints each
//! plan's mean gross margin (95% CI) and P95 peak exposure per cell, and the
//! best cell per objective (tables, or `--json`).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use ::report::charts::Figure;
use clap::Args;
use comfy_table::{Cell, Table, presets::UTF8_FULL_CONDENSED};
use sim::sensitivity::{DEFAULT_PATHS, Objective};
use sim::sweep::{AxisSpec, Sweep, SweepOptions};

use super::run::money;
use super::sensitivity::{VariantBar, report, right, write_charts};
use super::{EXIT_BAD_INPUT, print_json, print_text};

#[derive(Args)]
pub struct SweepArgs {
    /// The scenario file (TOML, `version = 1`); see docs/scenario-format.md.
    scenario: PathBuf,
    /// An axis: `PATH=FROM..TO:STEP`, such as `plans.pro.packs.0.price=50..150:25`.
    /// Give one or two; the first is x, the second y.
    #[arg(long = "vary", value_name = "PATH=FROM..TO:STEP", required = true)]
    axes: Vec<AxisSpec>,
    /// Paths per cell.
    #[arg(long, default_value_t = DEFAULT_PATHS)]
    paths: usize,
    /// Seed of every cell; default the scenario's. All cells share it.
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads; default one per core. Results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Print one JSON document instead of the table.
    #[arg(long)]
    json: bool,
    /// Also write the heatmaps (`heatmap-N.svg` and `.png`, one per plan and
    /// outcome) into this directory; needs two `--vary` axes.
    #[arg(long, value_name = "DIR")]
    charts: Option<PathBuf>,
    /// Replace chart files already in the `--charts` directory.
    #[arg(long, requires = "charts")]
    force: bool,
}

pub fn run(args: SweepArgs) -> ExitCode {
    let name = args.scenario.display().to_string();
    let (text, catalogue) = match super::prices::read_scenario_source(&args.scenario) {
        Ok(source) => source,
        Err(code) => return code,
    };
    if args.charts.is_some() && args.axes.len() != 2 {
        eprintln!(
            "--charts: a heatmap needs two --vary axes, got {}; add a second --vary or drop --charts",
            args.axes.len()
        );
        return ExitCode::from(EXIT_BAD_INPUT);
    }
    let options = SweepOptions {
        axes: args.axes,
        paths: args.paths,
        seed: args.seed,
        threads: args.threads,
    };
    if let Some(dir) = &args.charts
        && let Err(error) = ::report::study::check_free(dir, "heatmap", args.force)
    {
        return super::report::failed(&error);
    }
    let bar = VariantBar::new(options.paths);
    let started = Instant::now();
    let result = sim::sweep::sweep(
        &text,
        &name,
        catalogue.as_ref(),
        &options,
        &bar,
        &AtomicBool::new(false),
    );
    bar.finish();
    let sweep = match result {
        Ok(sweep) => sweep,
        Err(error) => return report(&name, &error),
    };
    // The results first, so a chart that cannot be written loses nothing.
    let printed = if args.json {
        print_json(&sweep.to_json())
    } else {
        print_text(&table(&sweep, started.elapsed().as_secs_f64()))
    };
    if let Some(dir) = &args.charts {
        let heatmaps = ::report::study::heatmaps(&sweep);
        let figures: Vec<Figure<'_>> = heatmaps.iter().map(Figure::Heatmap).collect();
        if let Err(code) = write_charts(dir, "heatmap", &figures, args.force) {
            return code;
        }
    }
    printed
}

/// One row per cell: the axes' values, then per plan the mean margin with
/// its interval and the P95 exposure.
fn table(sweep: &Sweep, seconds: f64) -> String {
    let mut table = Table::new();
    table.load_style(UTF8_FULL_CONDENSED);
    let mut header: Vec<String> = sweep.axes.iter().map(|a| a.path.clone()).collect();
    for plan in &sweep.plans {
        header.push(format!("{plan}: mean margin [95% CI]"));
        header.push(format!("{plan}: P95 exposure"));
    }
    table.set_header(header);
    for (index, cell) in sweep.cells.iter().enumerate() {
        let mut row: Vec<Cell> = sweep
            .setting(index)
            .into_iter()
            .map(|(_, value)| right(sim::vary::show(value)))
            .collect();
        for (p, plan) in cell.plans.iter().enumerate() {
            let best = &sweep.best[p];
            let star = |yes: bool| if yes { " *" } else { "" };
            let margin = match plan.margin_ci95 {
                Some((lo, hi)) => {
                    format!("{} [{}, {}]", money(plan.margin_mean), money(lo), money(hi))
                }
                None => money(plan.margin_mean),
            };
            row.push(right(format!("{margin}{}", star(best.margin == index))));
            row.push(right(format!(
                "{}{}",
                money(plan.exposure_p95),
                star(best.exposure == index)
            )));
        }
        table.add_row(row);
    }
    let mut out = format!(
        "{}\nSweep: {} cells, {} paths each, seed {} (common random numbers).\n{table}\n",
        sweep.scenario,
        sweep.cells.len(),
        sweep.paths,
        sweep.seed
    );
    out.push_str("Best cells (* above):\n");
    for (p, best) in sweep.best.iter().enumerate() {
        let at = |objective: Objective, index: usize| {
            let first = sweep.cells[0].plans[p].objective(objective);
            if sweep
                .cells
                .iter()
                .all(|c| c.plans[p].objective(objective) == first)
            {
                ": every cell ties".to_owned()
            } else {
                format!(" at {}", setting(sweep, index))
            }
        };
        out.push_str(&format!(
            "  {}: highest mean margin{}; lowest P95 exposure{}\n",
            best.plan,
            at(Objective::MeanGrossMargin, best.margin),
            at(Objective::P95Exposure, best.exposure)
        ));
    }
    for axis in &sweep.axes {
        for note in &axis.notes {
            out.push_str(&format!("  {}: {note}\n", axis.path));
        }
    }
    out.push_str(&format!(
        "{} runs of {} paths in {seconds:.1} s.\n",
        sweep.cells.len(),
        sweep.paths
    ));
    out
}

fn setting(sweep: &Sweep, index: usize) -> String {
    let words: Vec<String> = sweep
        .setting(index)
        .into_iter()
        .map(|(path, value)| format!("{path} = {}", sim::vary::show(value)))
        .collect();
    words.join(", ")
}
