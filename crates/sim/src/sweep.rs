//! Parameter sweeps: a grid of runs over one or two inputs of a scenario,
//! with common random numbers (every cell runs with the same seed, so the
//! cells differ by their inputs, not by their demand draws), and the best
//! cell per plan for each objective.
//!
//! An axis is written `PATH=FROM..TO:STEP` (`plans.pro.packs.0.price=50..150:25`):
//! the values FROM, FROM + STEP, ... up to TO, computed exactly in decimal.
//! Paths are those of [`crate::vary`]. The first axis is x, the second y;
//! cells are numbered x fastest. Like [`crate::sensitivity`], this module
//! runs the cells one after another and reads no clock.

use std::str::FromStr;
use std::sync::atomic::AtomicBool;

use rust_decimal::Decimal;

use crate::catalogue::Catalogue;
use crate::run::RunOptions;
use crate::sensitivity::{
    DEFAULT_PATHS, Objective, PlanOutcome, SensitivityError, VariantProgress, refuse_run_setting,
    run_variant,
};
use crate::vary::{self, Kind};

/// The most axes: a heatmap shows two.
pub const MAX_AXES: usize = 2;
/// The most cells in a grid; each is a full run.
pub const MAX_CELLS: usize = 400;

/// An axis as written on the command line: `PATH=FROM..TO:STEP`.
#[derive(Clone, Debug, PartialEq)]
pub struct AxisSpec {
    pub path: String,
    pub from: Decimal,
    pub to: Decimal,
    pub step: Decimal,
}

impl FromStr for AxisSpec {
    type Err = String;

    fn from_str(text: &str) -> Result<AxisSpec, String> {
        let expected = "expected PATH=FROM..TO:STEP, such as plans.pro.packs.0.price=50..150:25";
        let (path, range) = text
            .split_once('=')
            .ok_or_else(|| format!("`{text}`: no `=`; {expected}"))?;
        let (span, step) = range
            .rsplit_once(':')
            .ok_or_else(|| format!("`{text}`: no `:STEP`; {expected}"))?;
        let (from, to) = span
            .split_once("..")
            .ok_or_else(|| format!("`{text}`: no `FROM..TO`; {expected}"))?;
        let number = |word: &str, what: &str| {
            vary_number(word).ok_or_else(|| {
                format!("`{text}`: {what} `{word}` is not a decimal number; {expected}")
            })
        };
        let spec = AxisSpec {
            path: path.trim().to_owned(),
            from: number(from, "FROM")?,
            to: number(to, "TO")?,
            step: number(step, "STEP")?,
        };
        if spec.path.is_empty() {
            return Err(format!("`{text}`: the path is empty; {expected}"));
        }
        if spec.step <= Decimal::ZERO {
            return Err(format!("`{text}`: STEP must be above 0"));
        }
        if spec.to < spec.from {
            return Err(format!("`{text}`: TO must not be below FROM"));
        }
        Ok(spec)
    }
}

fn vary_number(word: &str) -> Option<Decimal> {
    crate::scenario::Exact::parse(word).map(crate::scenario::Exact::get)
}

impl AxisSpec {
    /// FROM, FROM + STEP, ... while at most TO; `None` past `limit` values.
    pub fn values(&self, limit: usize) -> Option<Vec<Decimal>> {
        let mut values = Vec::new();
        let mut value = self.from;
        while value <= self.to {
            if values.len() == limit {
                return None;
            }
            values.push(value);
            value = value.checked_add(self.step)?;
        }
        Some(values)
    }
}

/// One axis of a sweep as run.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    /// The canonical path of the input.
    pub path: String,
    pub kind: Kind,
    /// The value in the file.
    pub base: Decimal,
    /// The values written, in order.
    pub values: Vec<Decimal>,
    /// Rounding of an integer field, and a TO the steps did not reach.
    pub notes: Vec<String>,
}

/// How to run a sweep.
#[derive(Clone, Debug)]
pub struct SweepOptions {
    pub axes: Vec<AxisSpec>,
    /// Paths per cell.
    pub paths: usize,
    /// Default the scenario's seed.
    pub seed: Option<u64>,
    pub threads: Option<usize>,
}

impl Default for SweepOptions {
    fn default() -> SweepOptions {
        SweepOptions {
            axes: Vec::new(),
            paths: DEFAULT_PATHS,
            seed: None,
            threads: None,
        }
    }
}

/// One plan in one cell.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CellPlan {
    pub margin_mean: f64,
    pub margin_ci95: Option<(f64, f64)>,
    /// P95 across paths of the peak exposure.
    pub exposure_p95: f64,
}

impl CellPlan {
    pub fn objective(&self, objective: Objective) -> f64 {
        match objective {
            Objective::MeanGrossMargin => self.margin_mean,
            Objective::P95Exposure => self.exposure_p95,
        }
    }
}

/// One cell of the grid.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    /// The index of the cell's value on each axis.
    pub at: Vec<usize>,
    /// Plans in scenario order.
    pub plans: Vec<CellPlan>,
}

/// A plan's best cells: highest mean margin, lowest P95 exposure (the first
/// in cell order on a tie).
#[derive(Clone, Debug, PartialEq)]
pub struct Best {
    pub plan: String,
    pub margin: usize,
    pub exposure: usize,
}

/// A finished sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct Sweep {
    pub scenario: String,
    /// The billing currency money outcomes are in.
    pub currency: String,
    pub seed: u64,
    /// Paths per cell.
    pub paths: usize,
    pub axes: Vec<Axis>,
    pub plans: Vec<String>,
    /// x fastest: cell `yi * nx + xi`.
    pub cells: Vec<Cell>,
    pub best: Vec<Best>,
}

/// One plan's objective over a two-axis grid, as a heatmap draws it.
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    pub plan: String,
    pub objective: Objective,
    pub x_label: String,
    pub y_label: String,
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    /// `z[yi][xi]`.
    pub z: Vec<Vec<f64>>,
    /// The best cell as (xi, yi).
    pub best: (usize, usize),
}

/// Runs the grid the axes span over the scenario in `text`, priced from
/// `catalogue` when the scenario names one.
pub fn sweep(
    text: &str,
    file: &str,
    catalogue: Option<&Catalogue>,
    options: &SweepOptions,
    progress: &dyn VariantProgress,
    cancel: &AtomicBool,
) -> Result<Sweep, SensitivityError> {
    let (base, document) =
        vary::load_base(text, file, catalogue).map_err(SensitivityError::Scenario)?;
    if options.axes.is_empty() || options.axes.len() > MAX_AXES {
        return Err(SensitivityError::Options(format!(
            "a sweep takes 1 or {MAX_AXES} axes (--vary), got {}; a heatmap shows two, and each added axis multiplies the runs",
            options.axes.len()
        )));
    }
    let mut axes = Vec::new();
    let mut leaves = Vec::new();
    for spec in &options.axes {
        let leaf = document.find(&spec.path)?;
        refuse_run_setting(&leaf)?;
        if leaves.contains(&leaf) {
            return Err(SensitivityError::Options(format!(
                "`{}` is swept twice",
                leaf.path
            )));
        }
        axes.push(axis(spec, &leaf)?);
        leaves.push(leaf);
    }
    let nx = axes[0].values.len();
    let ny = axes.get(1).map_or(1, |a| a.values.len());
    if nx * ny > MAX_CELLS {
        return Err(SensitivityError::Options(format!(
            "the grid has {nx} x {ny} = {} cells, over the limit of {MAX_CELLS} (MAX_CELLS); use a larger STEP",
            nx * ny
        )));
    }
    let mut variants = Vec::with_capacity(nx * ny);
    for yi in 0..ny {
        for xi in 0..nx {
            let at: Vec<usize> = [xi, yi].into_iter().take(axes.len()).collect();
            let changes: Vec<(&vary::Leaf, Decimal)> = leaves
                .iter()
                .zip(&axes)
                .zip(&at)
                .map(|((leaf, axis), &i)| (leaf, axis.values[i]))
                .collect();
            let setting: Vec<String> = changes
                .iter()
                .map(|(leaf, value)| format!("{} = {}", leaf.path, vary::show(*value)))
                .collect();
            let setting = setting.join(", ");
            let scenario = document.variant(&changes, file, &setting)?;
            variants.push((at, setting, scenario));
        }
    }
    let seed = options.seed.unwrap_or(base.seed);
    let run_options = RunOptions {
        paths: Some(options.paths),
        seed: Some(seed),
        threads: options.threads,
        precision: None,
    };
    let mut cells = Vec::with_capacity(variants.len());
    let mut plans = Vec::new();
    for (i, (at, setting, scenario)) in variants.into_iter().enumerate() {
        progress.variant(i, nx * ny, &setting);
        let outcome = run_variant(&scenario, &run_options, progress, cancel)?;
        plans = outcome.iter().map(|p| p.id.clone()).collect();
        cells.push(Cell {
            at,
            plans: outcome.iter().map(cell_plan).collect(),
        });
    }
    let best = plans
        .iter()
        .enumerate()
        .map(|(p, id)| Best {
            plan: id.clone(),
            margin: best_cell(&cells, p, Objective::MeanGrossMargin),
            exposure: best_cell(&cells, p, Objective::P95Exposure),
        })
        .collect();
    Ok(Sweep {
        scenario: base.name.clone().unwrap_or_default(),
        currency: base.currency.clone(),
        seed,
        paths: options.paths,
        axes,
        plans,
        cells,
        best,
    })
}

fn cell_plan(outcome: &PlanOutcome) -> CellPlan {
    CellPlan {
        margin_mean: outcome.margin_mean,
        margin_ci95: outcome.margin_ci95,
        exposure_p95: outcome.exposure_p95,
    }
}

/// The axis's values fitted to its field: rounded for an integer field,
/// never clamped (a value out of range is the checks' to refuse).
fn axis(spec: &AxisSpec, leaf: &vary::Leaf) -> Result<Axis, SensitivityError> {
    let values = spec.values(MAX_CELLS).ok_or_else(|| {
        SensitivityError::Options(format!(
            "{}: {}..{}:{} gives more than {MAX_CELLS} values (MAX_CELLS); use a larger STEP",
            leaf.path, spec.from, spec.to, spec.step
        ))
    })?;
    let mut notes = Vec::new();
    let mut fitted: Vec<Decimal> = Vec::with_capacity(values.len());
    for value in &values {
        let fit = leaf.fit(*value, false);
        if let Some(note) = fit.note {
            notes.push(format!("{}: {note}", vary::show(*value)));
        }
        if fitted.contains(&fit.value) {
            return Err(SensitivityError::Options(format!(
                "{} is an integer field: {}..{}:{} repeats {} once rounded; use a whole STEP",
                leaf.path,
                spec.from,
                spec.to,
                spec.step,
                fit.value.normalize()
            )));
        }
        fitted.push(fit.value);
    }
    if values.last() != Some(&spec.to) {
        let last = values.last().copied().unwrap_or(spec.from);
        notes.push(format!(
            "the steps stop at {} before TO = {}",
            vary::show(last),
            vary::show(spec.to)
        ));
    }
    Ok(Axis {
        path: leaf.path.clone(),
        kind: leaf.kind,
        base: leaf.value,
        values: fitted,
        notes,
    })
}

/// The cell with the best value of `objective` for plan `p`: the first one
/// on a tie.
pub fn best_cell(cells: &[Cell], p: usize, objective: Objective) -> usize {
    let mut best = 0;
    for (i, cell) in cells.iter().enumerate() {
        let value = cell.plans[p].objective(objective);
        let current = cells[best].plans[p].objective(objective);
        let better = match objective {
            Objective::MeanGrossMargin => value > current,
            Objective::P95Exposure => value < current,
        };
        if better {
            best = i;
        }
    }
    best
}

impl Sweep {
    /// The values of each axis at cell `index`, as (path, value) pairs.
    pub fn setting(&self, index: usize) -> Vec<(&str, Decimal)> {
        self.axes
            .iter()
            .zip(&self.cells[index].at)
            .map(|(axis, &i)| (axis.path.as_str(), axis.values[i]))
            .collect()
    }

    /// Plan `p`'s `objective` over the grid, for a heatmap; `None` unless the
    /// sweep has two axes.
    pub fn grid(&self, p: usize, objective: Objective) -> Option<Grid> {
        let [x_axis, y_axis] = self.axes.as_slice() else {
            return None;
        };
        let nx = x_axis.values.len();
        let z: Vec<Vec<f64>> = self
            .cells
            .chunks(nx)
            .map(|row| {
                row.iter()
                    .map(|c| c.plans[p].objective(objective))
                    .collect()
            })
            .collect();
        let best = self.best.get(p)?;
        let best = match objective {
            Objective::MeanGrossMargin => best.margin,
            Objective::P95Exposure => best.exposure,
        };
        Some(Grid {
            plan: self.plans[p].clone(),
            objective,
            x_label: x_axis.path.clone(),
            y_label: y_axis.path.clone(),
            x: x_axis.values.iter().map(|v| vary::to_f64(*v)).collect(),
            y: y_axis.values.iter().map(|v| vary::to_f64(*v)).collect(),
            z,
            best: (best % nx, best / nx),
        })
    }

    /// The sweep as the JSON document `creditsim sweep --json` prints.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::{Map, Value, json};
        let axes: Vec<Value> = self
            .axes
            .iter()
            .map(|axis| {
                let values: Vec<f64> = axis.values.iter().map(|v| vary::to_f64(*v)).collect();
                json!({
                    "path": axis.path,
                    "kind": axis.kind.code(),
                    "base": vary::to_f64(axis.base),
                    "values": values,
                    "notes": axis.notes,
                })
            })
            .collect();
        let cells: Vec<Value> = self
            .cells
            .iter()
            .map(|cell| {
                let mut plans = Map::new();
                for (id, plan) in self.plans.iter().zip(&cell.plans) {
                    plans.insert(
                        id.clone(),
                        json!({
                            "gross_margin_mean": plan.margin_mean,
                            "gross_margin_ci95": plan.margin_ci95.map(|(a, b)| json!([a, b])),
                            "exposure_peak_p95": plan.exposure_p95,
                        }),
                    );
                }
                json!({ "at": cell.at, "plans": plans })
            })
            .collect();
        let mut best = Map::new();
        for b in &self.best {
            best.insert(
                b.plan.clone(),
                json!({ "gross_margin_mean": b.margin, "exposure_peak_p95": b.exposure }),
            );
        }
        json!({
            "scenario": self.scenario,
            "seed": self.seed,
            "paths": self.paths,
            "axes": axes,
            "cells": cells,
            "best_cell": best,
        })
    }
}
