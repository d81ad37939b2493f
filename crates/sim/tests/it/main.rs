//! The sim crate's one integration-test binary (one link instead of one per
//! file): scenario files that load, the bad-scenario corpus, the
//! committed JSON Schema and format docs, trace fitting, backtests and the
//! comparison of two runs.

mod backtest;
mod bad;
mod catalogue;
mod coalescing;
mod compare;
mod good;
mod plans;
mod run;
mod scenarios;
mod schema;
mod sensitivity;
mod sweep;
mod trace_fit;
mod vary;

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use sim::metrics;
use sim::run::{RunOptions, RunOutput, Silent, run};
use sim::scenario::Scenario;

/// `crates/sim` in the source tree.
fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The workspace's `docs/` folder.
fn docs_dir() -> PathBuf {
    crate_dir().join("../../docs")
}

/// A scenario from test text; its problems, if any, fail the test.
fn scenario(text: &str) -> Scenario {
    sim::scenario::load(text, "test.toml").unwrap_or_else(|errors| {
        let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
        panic!("test scenario:\n{}", lines.join("\n"))
    })
}

fn run_with(scenario: &Scenario, options: RunOptions) -> RunOutput {
    run(scenario, &options, &Silent, &AtomicBool::new(false)).expect("the run finishes")
}

/// One metric of one plan, a value per path.
fn column(output: &RunOutput, plan: &str, metric: &str) -> Vec<f64> {
    let plan = output.plans.iter().find(|p| p.id == plan).expect("plan");
    plan.column(metrics::index(metric).expect("metric"))
}
