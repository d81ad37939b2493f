//! Sensitivity studies and sweeps as the report draws them: the simulator's
//! results ([`sim::sensitivity`], [`sim::sweep`]) turned into tornado and
//! heatmap inputs, and the chart files a study writes beside its tables.

use std::path::Path;

use sim::sensitivity::{Objective, Sensitivity};
use sim::sweep::Sweep;

use crate::charts::{self, Figure, MAX_BARS};
use crate::write::{create_dir, write_atomic};
use crate::{Heatmap, ReportError, SensitivitySection, Tornado, TornadoBar};

/// The most inputs a tornado chart or the report's table shows per plan and
/// objective: the largest swings. The CLI's tables and JSON keep them all.
pub const TOP_INPUTS: usize = 15;
const _: () = assert!(TOP_INPUTS <= MAX_BARS);

use crate::charts::{HEIGHT, WIDTH};

/// One tornado per plan and objective, bars in the study's order (largest
/// swing first, at most [`TOP_INPUTS`]).
pub fn tornadoes(study: &Sensitivity) -> Vec<Tornado> {
    let currency = &study.currency;
    study
        .tornadoes
        .iter()
        .map(|t| Tornado {
            title: format!("{}: {} plan", capitalised(t.objective), t.plan),
            unit: currency.to_owned(),
            base: t.base,
            bars: t
                .bars
                .iter()
                .take(TOP_INPUTS)
                .map(|bar| TornadoBar {
                    label: bar.input.clone(),
                    // Shortest round-trip form: 0.008, 220.
                    low_input: bar.input_low.to_string(),
                    high_input: bar.input_high.to_string(),
                    at_low: bar.output_low,
                    at_high: bar.output_high,
                })
                .collect(),
        })
        .collect()
}

/// One heatmap per plan and objective of a two-axis sweep; none for one axis.
pub fn heatmaps(sweep: &Sweep) -> Vec<Heatmap> {
    let currency = &sweep.currency;
    let mut out = Vec::new();
    for (p, plan) in sweep.plans.iter().enumerate() {
        for objective in Objective::ALL {
            let Some(grid) = sweep.grid(p, objective) else {
                continue;
            };
            out.push(Heatmap {
                title: format!("{}: {plan} plan", capitalised(objective)),
                x_label: grid.x_label,
                x: grid.x,
                y_label: grid.y_label,
                y: grid.y,
                z: grid.z,
                unit: currency.to_owned(),
                best: Some(grid.best),
            });
        }
    }
    out
}

/// The report's sensitivity section: the tornado of every plan and
/// objective (largest [`TOP_INPUTS`] swings) and their table, with a note
/// saying how the study was run.
pub fn section(study: &Sensitivity) -> SensitivitySection {
    let currency = &study.currency;
    let shown = if study.inputs.len() > TOP_INPUTS {
        format!("the {TOP_INPUTS} inputs with the largest swing per plan and outcome")
    } else {
        "every input, largest swing first".to_owned()
    };
    let note = format!(
        "Each of {} inputs was swung ±{}% one at a time, holding the others at their values, \
         with {} paths per run and seed {} for every run (common random numbers), {} runs in all. \
         The charts and the table show {shown}; \
         the swing interval is the 95% interval of the paired per-path differences.",
        study.inputs.len(),
        round_percent(study.swing),
        study.paths,
        study.seed,
        study.runs,
    );
    let columns = [
        "Plan",
        "Outcome",
        "Input",
        "Low → high",
        "At low",
        "At high",
        "Swing",
        "Swing 95% CI",
    ]
    .map(str::to_owned)
    .to_vec();
    let money = |v: f64| format!("{v:.2}");
    let mut rows = Vec::new();
    for t in &study.tornadoes {
        for bar in t.bars.iter().take(TOP_INPUTS) {
            rows.push(vec![
                t.plan.clone(),
                format!("{} ({currency})", t.objective.label()),
                bar.input.clone(),
                format!("{} → {}", bar.input_low, bar.input_high),
                money(bar.output_low),
                money(bar.output_high),
                money(bar.swing),
                bar.swing_ci95.map_or("-".to_owned(), |(lo, hi)| {
                    format!("{} to {}", money(lo), money(hi))
                }),
            ]);
        }
    }
    SensitivitySection {
        note,
        tornadoes: tornadoes(study),
        heatmaps: Vec::new(),
        columns,
        text_columns: 3,
        rows,
    }
}

/// A fraction as a percentage without trailing zeros: 0.2 → `20`.
fn round_percent(fraction: f64) -> String {
    let text = format!("{:.4}", fraction * 100.0);
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// Refuses, unless `force`, when `dir` already holds chart files of this
/// stem (`<stem>-<n>.svg` or `.png`): call it before a long study so that
/// the study is not run only to be refused.
pub fn check_free(dir: &Path, stem: &str, force: bool) -> Result<(), ReportError> {
    if force {
        return Ok(());
    }
    // A directory that cannot be listed holds nothing to protect; writing
    // into it reports the real problem.
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    let prefix = format!("{stem}-");
    let mut present: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| {
            name.starts_with(&prefix) && (name.ends_with(".svg") || name.ends_with(".png"))
        })
        .collect();
    if present.is_empty() {
        return Ok(());
    }
    present.sort();
    Err(ReportError::Exists {
        dir: dir.to_path_buf(),
        files: present.join(", "),
    })
}

/// Writes each figure as `<stem>-<n>.svg` and `.png` into `dir` (created if
/// missing), atomically, after [`check_free`]. Returns the names written.
pub fn write_charts(
    dir: &Path,
    stem: &str,
    figures: &[Figure<'_>],
    force: bool,
) -> Result<Vec<String>, ReportError> {
    check_free(dir, stem, force)?;
    let mut files = Vec::new();
    for (n, figure) in figures.iter().enumerate() {
        let svg = charts::svg(*figure, WIDTH, HEIGHT)?;
        let png = charts::png(*figure, WIDTH, HEIGHT)?;
        let name = format!("{stem}-{}", n + 1);
        files.push((format!("{name}.svg"), svg.into_bytes()));
        files.push((format!("{name}.png"), png));
    }
    create_dir(dir)?;
    for (name, bytes) in &files {
        write_atomic(&dir.join(name), bytes)?;
    }
    Ok(files.into_iter().map(|(name, _)| name).collect())
}

fn capitalised(objective: Objective) -> String {
    let label = objective.label();
    let mut chars = label.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}
