//! The Monte Carlo runner: paths in parallel, results folded in path order,
//! with progress, cancellation and an optional precision target.
//!
//! Paths run in batches of [`BATCH_PATHS`]. Within a batch rayon spreads the
//! paths over the threads; the batch's results are then folded into the
//! accumulators in path-index order, and the stopping decision is taken only
//! at batch boundaries on values that are a pure function of (scenario,
//! seed, path index). So the same scenario and seed give the same numbers,
//! bit for bit, with one thread or many. Memory holds one row per path and
//! plan plus bounded quantile sketches of the daily series.

use std::sync::atomic::AtomicBool;

use rayon::prelude::*;
use thiserror::Error;

use crate::bands::Bands;
use crate::metrics::{GROSS_MARGIN, METRICS, Row};
use crate::path::{Model, PathResult};
use crate::scenario::Scenario;
use crate::stats::{self, Decision, StopReason, StoppingRule, Summary};

/// Paths per batch: progress is reported, and the precision target checked,
/// after each. Fixed, so that batch boundaries do not depend on threads.
pub const BATCH_PATHS: usize = 50;

/// How to run a scenario.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Paths to run, or the most to run with a precision target; default the
    /// scenario's `paths`.
    pub paths: Option<usize>,
    /// Default the scenario's `seed`.
    pub seed: Option<u64>,
    /// Worker threads; default one per core.
    pub threads: Option<usize>,
    /// Stop once every plan's mean gross margin is known to within this
    /// fraction (0.01 for 1%), at the 95% level.
    pub precision: Option<f64>,
}

/// What a progress report carries after each batch.
#[derive(Clone, Debug)]
pub struct Update<'a> {
    pub paths_done: usize,
    /// The most paths this run will take.
    pub paths_max: usize,
    /// Per plan, the running estimate of mean gross margin.
    pub estimates: &'a [(String, Summary)],
}

/// Told about each finished batch. The CLI draws a progress bar; the desktop
/// app streams it to the window. Times and rates are the shell's to measure:
/// the simulator reads no clock.
pub trait Progress: Sync {
    fn update(&self, update: &Update<'_>);
}

/// A progress sink that ignores everything (tests, batch jobs).
pub struct Silent;

impl Progress for Silent {
    fn update(&self, _: &Update<'_>) {}
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoppedBy {
    /// The requested number of paths ran.
    Paths,
    /// The precision target was met.
    Precision,
}

impl StoppedBy {
    pub fn code(self) -> &'static str {
        match self {
            StoppedBy::Paths => "paths",
            StoppedBy::Precision => "precision",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Error)]
pub enum RunError {
    #[error("the run was cancelled")]
    Cancelled,
    #[error("{0}")]
    Options(String),
}

/// Daily series across paths, as streaming quantile bands.
#[derive(Clone, Debug)]
pub struct DailyBands {
    /// Available balance, credits.
    pub available: Bands,
    /// Exposure, billing currency.
    pub exposure: Bands,
    /// Revenue recognised so far, billing currency.
    pub revenue: Bands,
    /// Provider cost so far, billing currency.
    pub provider_cost: Bands,
}

/// Everything a run found about one plan.
#[derive(Clone, Debug)]
pub struct PlanResult {
    pub id: String,
    pub name: Option<String>,
    /// One row per path, in path order; columns as [`METRICS`].
    pub rows: Vec<Row>,
    pub customers: u64,
    pub customers_exhausted: u64,
    pub daily: DailyBands,
}

impl PlanResult {
    /// The metric at `index` (of [`METRICS`]) across paths.
    pub fn column(&self, index: usize) -> Vec<f64> {
        self.rows.iter().map(|row| row[index]).collect()
    }

    pub fn summary(&self, index: usize) -> Summary {
        stats::summarise(&self.column(index), METRICS[index].tail)
            .expect("a run has at least one path")
    }

    /// The probability that a customer's credit runs out before the horizon
    /// ends, over all customers of all paths, with its 95% Wilson interval.
    pub fn p_exhausted(&self) -> (f64, (f64, f64)) {
        let n = self.customers as usize;
        let k = self.customers_exhausted as usize;
        let p = if n == 0 { 0.0 } else { k as f64 / n as f64 };
        (p, stats::proportion_ci95(k, n))
    }
}

/// A finished run.
#[derive(Clone, Debug)]
pub struct RunOutput {
    pub scenario: String,
    /// The billing currency money metrics are in (ISO 4217).
    pub currency: String,
    pub seed: u64,
    pub paths: usize,
    pub stopped_by: StoppedBy,
    /// Set when a precision target was asked for.
    pub precision: Option<f64>,
    pub horizon_days: u32,
    pub plans: Vec<PlanResult>,
}

/// Runs `scenario` (as loaded by [`crate::scenario::load`]). Returns
/// [`RunError::Cancelled`] soon after `cancel` is raised.
pub fn run(
    scenario: &Scenario,
    options: &RunOptions,
    progress: &dyn Progress,
    cancel: &AtomicBool,
) -> Result<RunOutput, RunError> {
    let seed = options.seed.unwrap_or(scenario.seed);
    let max_paths = options.paths.unwrap_or(scenario.paths as usize);
    let limit = crate::scenario::limits::MAX_PATHS as usize;
    if max_paths == 0 || max_paths > limit {
        return Err(RunError::Options(format!(
            "paths must be between 1 and {limit} (MAX_PATHS), got {max_paths}"
        )));
    }
    let rule = match options.precision {
        Some(target) => Some(
            StoppingRule::new(target, BATCH_PATHS, max_paths)
                .map_err(|e| RunError::Options(e.to_string()))?,
        ),
        None => None,
    };
    let pool = thread_pool(options.threads)?;
    let model = Model::new(scenario, seed);
    let mut plans: Vec<PlanResult> = model
        .plans
        .iter()
        .zip(&scenario.plans)
        .map(|(_, plan)| PlanResult {
            id: plan.id.clone(),
            name: plan.name.clone(),
            rows: Vec::with_capacity(max_paths),
            customers: 0,
            customers_exhausted: 0,
            daily: DailyBands {
                available: Bands::new(model.days),
                exposure: Bands::new(model.days),
                revenue: Bands::new(model.days),
                provider_cost: Bands::new(model.days),
            },
        })
        .collect();
    let mut done = 0;
    let stopped_by = loop {
        let batch = match next_batch(rule.as_ref(), &plans, done, max_paths) {
            Ok(batch) => batch,
            Err(stopped_by) => break stopped_by,
        };
        let results: Vec<Option<PathResult>> = pool.install(|| {
            (done..done + batch)
                .into_par_iter()
                .map(|path| model.simulate_path(path as u64, cancel))
                .collect()
        });
        for result in results {
            fold(&mut plans, result.ok_or(RunError::Cancelled)?);
        }
        done += batch;
        report(progress, &plans, done, max_paths);
    };
    Ok(RunOutput {
        scenario: scenario.name.clone().unwrap_or_default(),
        currency: scenario.currency.clone(),
        seed,
        paths: done,
        stopped_by,
        precision: options.precision,
        horizon_days: scenario.horizon_days,
        plans,
    })
}

/// The size of the next batch, or why the run stops.
fn next_batch(
    rule: Option<&StoppingRule>,
    plans: &[PlanResult],
    done: usize,
    max_paths: usize,
) -> Result<usize, StoppedBy> {
    match rule {
        None if done >= max_paths => Err(StoppedBy::Paths),
        None => Ok(BATCH_PATHS.min(max_paths - done)),
        Some(rule) => {
            let columns: Vec<Vec<f64>> = plans.iter().map(|p| p.column(GROSS_MARGIN)).collect();
            let columns: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();
            match rule.decide(&columns) {
                Decision::Continue(n) => Ok(n),
                Decision::Stop(StopReason::PrecisionReached) => Err(StoppedBy::Precision),
                Decision::Stop(StopReason::PathLimit) => Err(StoppedBy::Paths),
            }
        }
    }
}

fn fold(plans: &mut [PlanResult], result: PathResult) {
    for (plan, path) in plans.iter_mut().zip(result.plans) {
        plan.rows.push(path.row);
        plan.customers += path.customers;
        plan.customers_exhausted += path.customers_exhausted;
        plan.daily.available.add_path(&path.daily.available);
        plan.daily.exposure.add_path(&path.daily.exposure);
        plan.daily.revenue.add_path(&path.daily.revenue);
        plan.daily.provider_cost.add_path(&path.daily.provider_cost);
    }
}

fn report(progress: &dyn Progress, plans: &[PlanResult], done: usize, max_paths: usize) {
    let estimates: Vec<(String, Summary)> = plans
        .iter()
        .map(|p| (p.id.clone(), p.summary(GROSS_MARGIN)))
        .collect();
    progress.update(&Update {
        paths_done: done,
        paths_max: max_paths,
        estimates: &estimates,
    });
}

fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool, RunError> {
    let threads = match threads {
        Some(0) => return Err(RunError::Options("threads must be at least 1".into())),
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, usize::from),
    };
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| RunError::Options(format!("could not start {threads} worker threads: {e}")))
}

impl RunOutput {
    /// The run as the JSON document `creditsim run --json` prints: per plan,
    /// per metric, the mean with its 95% interval, P5, P50, P95, P99 and
    /// (for losses and exposure) CVaR95, and the probability of exhaustion.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::{Map, Value, json};
        let mut plans = Map::new();
        for plan in &self.plans {
            let mut metrics = Map::new();
            for (index, metric) in METRICS.iter().enumerate() {
                let s = plan.summary(index);
                let mut m = Map::new();
                m.insert("mean".into(), json!(s.mean));
                m.insert(
                    "ci95".into(),
                    s.ci95.map_or(Value::Null, |(lo, hi)| json!([lo, hi])),
                );
                m.insert("p05".into(), json!(s.p05));
                m.insert("p50".into(), json!(s.p50));
                m.insert("p95".into(), json!(s.p95));
                m.insert("p99".into(), json!(s.p99));
                if let Some(cvar) = s.cvar95 {
                    m.insert("cvar95".into(), json!(cvar));
                }
                metrics.insert(metric.name.into(), Value::Object(m));
            }
            let (p, (lo, hi)) = plan.p_exhausted();
            plans.insert(
                plan.id.clone(),
                json!({ "metrics": metrics, "p_exhausted": p, "p_exhausted_ci95": [lo, hi] }),
            );
        }
        json!({
            "scenario": self.scenario,
            "currency": self.currency,
            "seed": self.seed,
            "paths": self.paths,
            "stopped_by": self.stopped_by.code(),
            "precision": self.precision,
            "plans": plans,
        })
    }
}
