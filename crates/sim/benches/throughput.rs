//! Simulated model calls per second on the default scenario, end to end,
//! against a floor measured in the same run: a loop that draws the same
//! demand from the same keyed streams and sums each plan's provider cost in
//! `f64`, with no ledger and no accounting. A simulated model call is one
//! call decided under one plan (served or blocked), so a path of N calls and
//! P plans counts N x P.
//!
//! `cargo bench -p sim` (not in CI). Optional arguments after `--`: paths
//! (default 100), threads (default: one per core), what to run (`both`, the
//! default; `floor`; or `simulator`, for an instruction count of the
//! simulator alone under callgrind) and `uncoalesced` to meter every call
//! on its own (`sim::customer::set_coalescing`). Results go in BENCHMARKS.md.

use std::sync::atomic::AtomicBool;
use std::time::Instant;

use rayon::prelude::*;
use sim::demand::{Demand, DemandContext};
use sim::path::Model;
use sim::run::{RunOptions, Silent, run};
use sim::scenario::Scenario;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let paths: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(100);
    let threads: usize = args
        .get(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from));
    let part = args.get(2).map_or("both", String::as_str);
    assert!(
        matches!(part, "both" | "floor" | "simulator"),
        "the third argument is what to run: both, floor or simulator, not {part:?}"
    );
    let coalesce = match args.get(3).map(String::as_str) {
        None | Some("coalesced") => true,
        Some("uncoalesced") => false,
        Some(other) => panic!("the fourth argument is coalesced or uncoalesced, not {other:?}"),
    };
    sim::customer::set_coalescing(coalesce);
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scenarios/default-agentic-saas.toml"
    );
    let text = std::fs::read_to_string(file).expect("the default scenario");
    let scenario = sim::scenario::load(&text, file).expect("the default scenario loads");
    let model = Model::new(&scenario, scenario.seed);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool");

    println!("machine: {} cores, {}", threads, cpu_model());
    println!(
        "scenario: {} ({} plans), {paths} paths, {threads} threads, {}",
        scenario.name.as_deref().unwrap_or(""),
        model.plans.len(),
        if coalesce { "coalesced" } else { "uncoalesced" }
    );

    let floor = (part != "simulator").then(|| run_floor(&model, &pool, paths));
    let full =
        (part != "floor").then(|| run_simulator(&scenario, paths, threads, floor.map(|f| f.1)));
    if let (Some((floor, _)), Some(full)) = (floor, full) {
        println!("ratio end to end / floor: {:.2}x", full / floor);
    }
    println!("peak resident memory: {} MiB", peak_rss_mib());
}

/// Runs the floor over `paths` paths; its time and the simulated calls.
fn run_floor(model: &Model<'_>, pool: &rayon::ThreadPool, paths: usize) -> (f64, u64) {
    let started = Instant::now();
    let (calls, checksum) = pool.install(|| {
        (0..paths as u64)
            .into_par_iter()
            .map(|path| floor_path(model, path))
            .reduce(|| (0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1))
    });
    let floor = started.elapsed().as_secs_f64();
    let simulated = calls * model.plans.len() as u64;
    println!(
        "floor:      {:>7.2} s  {:>6.2}M simulated calls/s  (checksum {checksum:.2})",
        floor,
        simulated as f64 / floor / 1e6
    );
    (floor, simulated)
}

/// Runs the simulator end to end over `paths` paths; its time. The rate is
/// shown if the floor counted the simulated calls.
fn run_simulator(scenario: &Scenario, paths: usize, threads: usize, simulated: Option<u64>) -> f64 {
    let started = Instant::now();
    let options = RunOptions {
        paths: Some(paths),
        threads: Some(threads),
        ..RunOptions::default()
    };
    let output =
        run(scenario, &options, &Silent, &AtomicBool::new(false)).expect("the run finishes");
    let full = started.elapsed().as_secs_f64();
    match simulated {
        Some(simulated) => println!(
            "end to end: {:>7.2} s  {:>6.2}M simulated calls/s",
            full,
            simulated as f64 / full / 1e6
        ),
        None => println!("end to end: {full:>7.2} s"),
    }
    assert_eq!(output.paths, paths);
    full
}

/// The floor: one path's demand, drawn exactly as the simulator draws it,
/// and each plan's provider cost summed in `f64`.
fn floor_path(model: &Model<'_>, path: u64) -> (u64, f64) {
    let ctx = DemandContext {
        seed: model.seed,
        path,
        start: model.start,
        end: model.end,
    };
    let mut demand = Demand::default();
    let mut calls = 0;
    let mut total = 0.0;
    for segment in &model.segments {
        for (customer, joined) in
            segment.customers(model.seed, path, model.start, model.scenario.horizon_days)
        {
            segment.demand(&ctx, customer, joined, &mut demand);
            calls += demand.calls.len() as u64;
            for _plan in &model.plans {
                for call in &demand.calls {
                    total += model
                        .prices
                        .provider(usize::from(call.model), usize::from(call.day))
                        .cost_f64(call.tokens);
                }
            }
        }
    }
    (calls, total)
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned())
}

fn peak_rss_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or(0, |kib| kib / 1024)
}
