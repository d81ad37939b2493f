//! Comparing two runs: the interval arithmetic against hand computations,
//! a run against itself, and what common random numbers buy when two runs
//! differ only in a provider price.

use sim::compare::{Method, compare, paired_ci95, welch_ci95};
use sim::metrics::{self, GROSS_MARGIN};
use sim::run::RunOptions;
use sim::stats::t_quantile_975;

use crate::run::POISSON;
use crate::{run_with, scenario};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * (1.0 + a.abs().max(b.abs()))
}

/// Differences 1, 2, 3, 4: mean 2.5, sd √(5/3), t(3) = 3.182446…
#[test]
fn paired_interval_is_the_t_interval_of_the_differences() {
    let baseline = [10.0, 20.0, 30.0, 40.0];
    let candidate = [11.0, 22.0, 33.0, 44.0];
    let (lo, hi) = paired_ci95(&baseline, &candidate).expect("four pairs");
    let half = 3.182_446_305_283_709_5 * (5.0_f64 / 3.0).sqrt() / 2.0;
    assert!(close(lo, 2.5 - half), "{lo} vs {}", 2.5 - half);
    assert!(close(hi, 2.5 + half), "{hi} vs {}", 2.5 + half);
}

/// Baseline 1, 2, 3 (mean 2, s² 1), candidate 2, 4, 6, 8 (mean 5, s² 20/3):
/// se² = 1/3 + 5/3 = 2; df = 4 / ((1/3)²/2 + (5/3)²/3) = 4.153…, rounded
/// down to 4; t(4) = 2.776445…
#[test]
fn welch_interval_matches_a_hand_computation() {
    let baseline = [1.0, 2.0, 3.0];
    let candidate = [2.0, 4.0, 6.0, 8.0];
    let (lo, hi) = welch_ci95(&baseline, &candidate).expect("enough values");
    let half = 2.776_445_105_197_794_3 * 2.0_f64.sqrt();
    assert_eq!(t_quantile_975(4), 2.776_445_105_197_794_3);
    assert!(close(lo, 3.0 - half), "{lo} vs {}", 3.0 - half);
    assert!(close(hi, 3.0 + half), "{hi} vs {}", 3.0 + half);
}

#[test]
fn intervals_need_two_values() {
    assert_eq!(paired_ci95(&[1.0], &[2.0]), None);
    assert_eq!(paired_ci95(&[1.0, 2.0], &[2.0]), None);
    assert_eq!(welch_ci95(&[1.0], &[2.0, 3.0]), None);
    assert_eq!(welch_ci95(&[5.0, 5.0], &[7.0, 7.0]), Some((2.0, 2.0)));
}

#[test]
fn a_run_compared_with_itself_differs_by_exactly_zero() {
    let s = scenario(POISSON);
    let options = RunOptions {
        paths: Some(100),
        ..RunOptions::default()
    };
    let output = run_with(&s, options);
    let c = compare(&output, &output);
    assert_eq!(c.method, Method::Paired);
    assert_eq!(c.plans.len(), 3);
    assert!(c.only_baseline.is_empty() && c.only_candidate.is_empty());
    for plan in &c.plans {
        for (index, d) in plan.metrics.iter().enumerate() {
            let name = metrics::METRICS[index].name;
            assert_eq!(d.delta, 0.0, "{} {name}", plan.id);
            assert_eq!(d.ci95, Some((0.0, 0.0)), "{} {name}", plan.id);
            assert_eq!(d.baseline, d.candidate, "{} {name}", plan.id);
        }
    }
}

/// Doubling the provider's input price doubles every path's cost. With the
/// same seed both runs see the same calls, so the per-path change in gross
/// margin is minus the baseline's cost on that path: its spread is the
/// cost's, a small part of the margin's. Welch's interval on the same
/// numbers carries the whole spread of both margins.
#[test]
fn common_random_numbers_narrow_the_interval_of_a_price_change() {
    let dearer = POISSON.replacen(
        "price_per_mtok = { input = 1,",
        "price_per_mtok = { input = 2,",
        1,
    );
    assert_ne!(dearer, POISSON, "the test changes the provider price");
    let options = || RunOptions {
        paths: Some(200),
        seed: Some(7),
        ..RunOptions::default()
    };
    let baseline = run_with(&scenario(POISSON), options());
    let candidate = run_with(&scenario(&dearer), options());
    let c = compare(&baseline, &candidate);
    assert_eq!(c.method, Method::Paired, "same seed, same paths");
    let post = c.plans.iter().find(|p| p.id == "post").expect("plan post");
    let margin = &post.metrics[GROSS_MARGIN];
    let (lo, hi) = margin.ci95.expect("200 paths");
    assert!(
        hi < 0.0,
        "a dearer provider lowers the margin: [{lo}, {hi}]"
    );
    let b = baseline.plans[0].column(GROSS_MARGIN);
    let k = candidate.plans[0].column(GROSS_MARGIN);
    let (wlo, whi) = welch_ci95(&b, &k).expect("200 paths");
    let (paired, welch) = (hi - lo, whi - wlo);
    println!("paired width {paired}, Welch width {welch}, seed 7");
    assert!(
        paired * 5.0 < welch,
        "paired {paired} should be far narrower than Welch {welch}"
    );
    // Each path's cost doubles: the delta is minus the baseline's mean cost.
    let cost = metrics::index("provider_cost").expect("metric provider_cost");
    let cost_mean = post.metrics[cost].baseline;
    assert!(close(margin.delta, -cost_mean) || (margin.delta + cost_mean).abs() < 1e-6 * cost_mean);

    let reseeded = run_with(
        &scenario(&dearer),
        RunOptions {
            seed: Some(8),
            ..options()
        },
    );
    assert_eq!(
        compare(&baseline, &reseeded).method,
        Method::IndependentSeeds
    );
}
