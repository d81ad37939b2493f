//! The report crate's integration tests: one binary, a module per area.
//! Runs come from the CLI's small test scenario (seed fixed, printed on
//! failure through the scenario) or are built by hand with known values.

mod backtest;
mod charts;
mod embedded;
mod files;
mod frames;
mod study;

use std::sync::atomic::AtomicBool;

use sim::bands::Bands;
use sim::metrics::{METRICS, Row};
use sim::run::{DailyBands, PlanResult, RunOptions, RunOutput, Silent, StoppedBy};

/// The CLI's small scenario: two plans (prepaid, postpaid), 31 days.
pub const SCENARIO: &str = include_str!("../../../../tests/fixtures/scenario-small.toml");

/// The small scenario run with `paths` paths and its own seed.
pub fn small_run(paths: usize) -> RunOutput {
    let scenario = sim::scenario::load(SCENARIO, "scenario-small.toml").expect("fixture loads");
    let options = RunOptions {
        paths: Some(paths),
        threads: Some(1),
        ..RunOptions::default()
    };
    sim::run::run(&scenario, &options, &Silent, &AtomicBool::new(false)).expect("fixture runs")
}

/// A plan whose metric `metric` takes `values` on successive paths (every
/// other metric 0), with flat daily series of 3 days.
pub fn plan(id: &str, metric: usize, values: &[f64]) -> PlanResult {
    let days = 3;
    let mut daily = DailyBands {
        available: Bands::new(days),
        exposure: Bands::new(days),
        revenue: Bands::new(days),
        provider_cost: Bands::new(days),
    };
    let rows: Vec<Row> = values
        .iter()
        .map(|&v| {
            let mut row = [0.0; METRICS.len()];
            row[metric] = v;
            row
        })
        .collect();
    for &v in values {
        let series = [v, v, v];
        daily.available.add_path(&series);
        daily.exposure.add_path(&series);
        daily.revenue.add_path(&series);
        daily.provider_cost.add_path(&series);
    }
    PlanResult {
        id: id.to_owned(),
        name: None,
        rows,
        customers: 10,
        customers_exhausted: 1,
        daily,
    }
}

/// A run of the given plans over 3 days, seed 7.
pub fn hand_run(plans: Vec<PlanResult>) -> RunOutput {
    RunOutput {
        scenario: "hand".into(),
        currency: "USD".into(),
        seed: 7,
        paths: plans[0].rows.len(),
        stopped_by: StoppedBy::Paths,
        precision: None,
        horizon_days: 3,
        plans,
    }
}
