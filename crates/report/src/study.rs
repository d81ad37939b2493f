//! Sensitivity studies and sweeps as the report draws them: the simulator's
//! results ([`sim::sensitivity`], [`sim::sweep`]) turned into tornado and
//! heatmap inputs, and the chart files a study writes beside its tables.

use std::path::Path;

use sim::sensitivity::{Objective, Sensitivity};
use sim::sweep::Sweep;

use crate::charts::{self, Figure};
use crate::write::{create_dir, write_atomic};
use crate::{Heatmap, ReportError, Tornado, TornadoBar};

/// The size of a study's chart files, in pixels.
const WIDTH: u32 = 960;
const HEIGHT: u32 = 560;

/// One tornado per plan and objective, bars in the study's order (largest
/// swing first). `currency` is the scenario's billing currency.
pub fn tornadoes(study: &Sensitivity, currency: &str) -> Vec<Tornado> {
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
pub fn heatmaps(sweep: &Sweep, currency: &str) -> Vec<Heatmap> {
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

/// Writes each figure as `<stem>-<n>.svg` and `.png` into `dir`, atomically;
/// refuses to replace files already there unless `force`. Returns the
/// names written.
pub fn write_charts(
    dir: &Path,
    stem: &str,
    figures: &[Figure<'_>],
    force: bool,
) -> Result<Vec<String>, ReportError> {
    create_dir(dir)?;
    let mut files = Vec::new();
    for (n, figure) in figures.iter().enumerate() {
        let svg = charts::svg(*figure, WIDTH, HEIGHT)?;
        let png = charts::png(*figure, WIDTH, HEIGHT)?;
        let name = format!("{stem}-{}", n + 1);
        files.push((format!("{name}.svg"), svg.into_bytes()));
        files.push((format!("{name}.png"), png));
    }
    let present: Vec<&str> = files
        .iter()
        .map(|(name, _)| name.as_str())
        .filter(|name| dir.join(name).exists())
        .collect();
    if !force && !present.is_empty() {
        return Err(ReportError::Exists {
            dir: dir.to_path_buf(),
            files: present.join(", "),
        });
    }
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
