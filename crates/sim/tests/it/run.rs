//! Runs of the simulator checked against closed forms, against themselves
//! (thread count, seeds) and for what common random numbers promise.
//!
//! Statistical tolerances are 99.9% bands: |estimate - truth| <= 3.29 * SE,
//! with the standard error derived from the number of paths (or customers)
//! and the closed-form variance. Seeds are fixed, so a pass is repeatable;
//! the band says how unlucky a correct simulator would have to be to fail.

use std::sync::atomic::AtomicBool;

use sim::metrics;
use sim::run::{RunError, RunOptions, Silent, StoppedBy, run};

use crate::{column, run_with, scenario};

/// Two-sided 99.9% normal quantile.
const Z_999: f64 = 3.290_526_731_491_926;

/// Poisson arrivals of one-call tasks with fixed tokens: each call is
/// 1,000 input tokens = 1 credit (rate 1,000 credits per million) and costs
/// the provider 0.001 USD (1 USD per million). 20 customers, one agent each,
/// 5 tasks a day for 30 days: calls per path ~ Poisson(3,000), calls per
/// customer ~ Poisson(150).
pub(crate) const POISSON: &str = r#"
version = 1
name = "Poisson closed form"
start = 2026-01-05
horizon_days = 30
paths = 400
seed = 11

[[models]]
id = "m"
price_per_mtok = { input = 1, output = 0, cache_read = 0 }

[[rate_card]]
model = "m"
credits_per_mtok = { input = 1000, output = 0, cache_read = 0 }

[[segments]]
id = "s"
customers = 20

[segments.tasks]
per_agent_per_day = 5
steps = 1
input_tokens = 1000
output_tokens = 0

[[segments.model_mix]]
model = "m"
share = 1

[[plans]]
id = "post"
billing = "postpaid"
price_per_credit = "0.01"

[[plans]]
id = "post_dearer"
billing = "postpaid"
price_per_credit = "0.011"

[[plans]]
id = "pre"
billing = "prepaid"
price_per_credit = "0.01"
initial_pack = "p150"

[[plans.packs]]
id = "p150"
credits = 150
price = "1.5"
"#;

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

fn variance(values: &[f64]) -> f64 {
    let m = mean(values);
    values.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (values.len() - 1) as f64
}

#[test]
fn poisson_demand_gives_the_closed_form_revenue_mean_and_variance() {
    let output = run_with(&scenario(POISSON), RunOptions::default());
    let n = output.paths as f64;
    assert_eq!(output.paths, 400);
    // Revenue = 0.01 USD x N, N ~ Poisson(3,000): mean 30, variance 0.3.
    let revenue = column(&output, "post", "revenue");
    let (truth_mean, truth_var) = (30.0, 0.3);
    let se_mean = (truth_var / n).sqrt();
    assert!(
        (mean(&revenue) - truth_mean).abs() <= Z_999 * se_mean,
        "mean revenue {} vs {truth_mean} (band {})",
        mean(&revenue),
        Z_999 * se_mean
    );
    // The sample variance of near-normal data has SE = var * sqrt(2 / (n - 1)).
    let se_var = truth_var * (2.0 / (n - 1.0)).sqrt();
    assert!(
        (variance(&revenue) - truth_var).abs() <= Z_999 * se_var,
        "revenue variance {} vs {truth_var} (band {})",
        variance(&revenue),
        Z_999 * se_var
    );
    // Provider cost is exactly a tenth of revenue on every path: same calls.
    let cost = column(&output, "post", "provider_cost");
    for (r, c) in revenue.iter().zip(&cost) {
        assert!((r / 10.0 - c).abs() < 1e-9, "revenue {r}, cost {c}");
    }
}

/// P(N >= k) for N ~ Poisson(mean), summed in log space.
fn poisson_tail(mean: f64, k: u32) -> f64 {
    let mut log_pmf = -mean;
    let mut cdf = 0.0;
    for i in 0..k {
        if i > 0 {
            log_pmf += mean.ln() - f64::from(i).ln();
        }
        cdf += log_pmf.exp();
    }
    1.0 - cdf
}

#[test]
fn exhaustion_probability_matches_the_poisson_tail() {
    // A 150-credit pack and 1-credit calls under block: a customer's credit
    // runs out iff it makes at least 151 calls, N ~ Poisson(150).
    let output = run_with(&scenario(POISSON), RunOptions::default());
    let plan = output.plans.iter().find(|p| p.id == "pre").unwrap();
    let truth = poisson_tail(150.0, 151);
    let (p, _) = plan.p_exhausted();
    let customers = plan.customers as f64;
    let se = (truth * (1.0 - truth) / customers).sqrt();
    assert!(
        (p - truth).abs() <= Z_999 * se,
        "P(exhausted) {p} vs {truth} (band {})",
        Z_999 * se
    );
    // Blocked customers are the exhausted ones, and nothing is served past 150.
    let served = column(&output, "pre", "calls_served");
    assert!(served.iter().all(|s| *s <= 150.0 * 20.0));
}

#[test]
fn the_same_seed_gives_byte_identical_json_with_one_or_two_threads() {
    let full = scenario(include_str!("../good/every-feature-small.toml"));
    let options = |threads| RunOptions {
        paths: Some(20),
        threads: Some(threads),
        ..RunOptions::default()
    };
    let one = run_with(&full, options(1)).to_json().to_string();
    let two = run_with(&full, options(2)).to_json().to_string();
    assert_eq!(one, two);
    let other_seed = run_with(
        &full,
        RunOptions {
            seed: Some(99),
            ..options(2)
        },
    )
    .to_json()
    .to_string();
    assert_ne!(one, other_seed, "the seed must matter");
}

#[test]
fn common_random_numbers_make_plan_differences_far_less_variable() {
    // Two post-pay plans differing only in price meet the same calls, so
    // their margin difference is 0.001 USD x N: variance 0.003, against
    // 0.3 + 0.363 for two independent runs.
    let output = run_with(&scenario(POISSON), RunOptions::default());
    let a = column(&output, "post", "gross_margin");
    let b = column(&output, "post_dearer", "gross_margin");
    let difference: Vec<f64> = a.iter().zip(&b).map(|(x, y)| y - x).collect();
    let ratio = variance(&difference) / (variance(&a) + variance(&b));
    assert!(ratio < 0.05, "Var(B - A) / (Var A + Var B) = {ratio}");
    assert!(
        difference.iter().all(|d| *d > 0.0),
        "the dearer plan earns more on every path"
    );
}

#[test]
fn precision_stopping_says_why_it_stopped() {
    let s = scenario(POISSON);
    let loose = run_with(
        &s,
        RunOptions {
            paths: Some(1000),
            precision: Some(0.05),
            ..RunOptions::default()
        },
    );
    assert_eq!(loose.stopped_by, StoppedBy::Precision);
    assert!(
        loose.paths < 1000 && loose.paths.is_multiple_of(sim::run::BATCH_PATHS),
        "{} paths",
        loose.paths
    );
    let strict = run_with(
        &s,
        RunOptions {
            paths: Some(100),
            precision: Some(1e-6),
            ..RunOptions::default()
        },
    );
    assert_eq!(strict.stopped_by, StoppedBy::Paths);
    assert_eq!(strict.paths, 100);
    let json = loose.to_json();
    assert_eq!(json["stopped_by"], "precision");
}

#[test]
fn a_raised_cancel_flag_stops_the_run() {
    let s = scenario(POISSON);
    let result = run(&s, &RunOptions::default(), &Silent, &AtomicBool::new(true));
    assert_eq!(result.err(), Some(RunError::Cancelled));
}

#[test]
fn bad_options_are_refused_with_a_reason() {
    let s = scenario(POISSON);
    for options in [
        RunOptions {
            paths: Some(0),
            ..RunOptions::default()
        },
        RunOptions {
            threads: Some(0),
            ..RunOptions::default()
        },
        RunOptions {
            precision: Some(-1.0),
            ..RunOptions::default()
        },
    ] {
        match run(&s, &options, &Silent, &AtomicBool::new(false)) {
            Err(RunError::Options(message)) => assert!(!message.is_empty()),
            other => panic!("{options:?} gave {other:?}"),
        }
    }
}

#[test]
fn every_shipped_scenario_runs_a_few_paths() {
    let dir = crate::crate_dir().join("../../scenarios");
    let mut ran = 0;
    for entry in std::fs::read_dir(&dir).expect("scenarios/") {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path).unwrap();
            let s = crate::scenarios::load_ready(&text, &path.display().to_string())
                .expect("a shipped scenario loads");
            let output = run_with(
                &s,
                RunOptions {
                    paths: Some(2),
                    ..RunOptions::default()
                },
            );
            for plan in &output.plans {
                let served = plan.column(metrics::index("calls_served").unwrap());
                assert!(
                    served.iter().all(|s| *s > 0.0),
                    "{}: plan {} served nothing",
                    path.display(),
                    plan.id
                );
            }
            ran += 1;
        }
    }
    assert!(ran >= 1, "no scenario ran");
}
