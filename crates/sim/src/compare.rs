//! Two finished runs side by side: for every plan both ran and every
//! metric, the baseline's and the candidate's mean and the difference with
//! its 95% confidence interval.
//!
//! When both runs used the same seed and the same number of paths, path
//! `i` of one and path `i` of the other drew the same random numbers
//! (every stream is keyed by path, customer and agent), so the interval
//! comes from the per-path differences: common random numbers cancel most
//! of the noise both runs share. Otherwise the runs are independent samples
//! and the interval is Welch's.

use crate::metrics::METRICS;
use crate::run::RunOutput;
use crate::stats::{sample_variance, t_quantile_975};

/// How the interval of a difference was computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Same seed and number of paths: from the per-path differences.
    Paired,
    /// Different seeds: Welch's interval for two independent samples.
    IndependentSeeds,
    /// Same seed but a different number of paths (a precision target
    /// stopped one run earlier): Welch's interval.
    IndependentPaths,
}

impl Method {
    /// A stable code for the UI.
    pub fn code(self) -> &'static str {
        match self {
            Method::Paired => "paired",
            Method::IndependentSeeds => "independent_seeds",
            Method::IndependentPaths => "independent_paths",
        }
    }

    /// What a reader is told.
    pub fn describe(self) -> &'static str {
        match self {
            Method::Paired => {
                "paired, same seed: common random numbers, the interval of the per-path differences"
            }
            Method::IndependentSeeds => "independent: the seeds differ, so Welch's interval",
            Method::IndependentPaths => {
                "independent: the numbers of paths differ, so Welch's interval"
            }
        }
    }
}

/// One metric of one plan in both runs.
#[derive(Clone, Debug, PartialEq)]
pub struct Delta {
    pub baseline: f64,
    pub candidate: f64,
    /// Candidate minus baseline.
    pub delta: f64,
    /// The 95% interval of `delta`; `None` with fewer than two paths.
    pub ci95: Option<(f64, f64)>,
}

/// One plan present in both runs.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanDeltas {
    pub id: String,
    pub name: Option<String>,
    /// One per metric, in the order of [`METRICS`].
    pub metrics: Vec<Delta>,
}

/// The comparison of two runs.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    pub method: Method,
    /// Plans both runs have, in the candidate's order.
    pub plans: Vec<PlanDeltas>,
    /// Plan ids of one run only: there is nothing to compare them with.
    pub only_baseline: Vec<String>,
    pub only_candidate: Vec<String>,
}

/// The method two runs allow.
pub fn method(baseline: &RunOutput, candidate: &RunOutput) -> Method {
    if baseline.seed != candidate.seed {
        Method::IndependentSeeds
    } else if baseline.paths != candidate.paths {
        Method::IndependentPaths
    } else {
        Method::Paired
    }
}

/// Compares `candidate` with `baseline`, plan by plan (matched by id).
pub fn compare(baseline: &RunOutput, candidate: &RunOutput) -> Comparison {
    let method = method(baseline, candidate);
    let plans = candidate
        .plans
        .iter()
        .filter_map(|c| {
            let b = baseline.plans.iter().find(|b| b.id == c.id)?;
            let metrics = (0..METRICS.len())
                .map(|index| delta(method, &b.column(index), &c.column(index)))
                .collect();
            Some(PlanDeltas {
                id: c.id.clone(),
                name: c.name.clone(),
                metrics,
            })
        })
        .collect();
    let ids_of = |run: &RunOutput, other: &RunOutput| {
        run.plans
            .iter()
            .filter(|p| !other.plans.iter().any(|o| o.id == p.id))
            .map(|p| p.id.clone())
            .collect()
    };
    Comparison {
        method,
        plans,
        only_baseline: ids_of(baseline, candidate),
        only_candidate: ids_of(candidate, baseline),
    }
}

fn delta(method: Method, baseline: &[f64], candidate: &[f64]) -> Delta {
    let (b, c) = (mean(baseline), mean(candidate));
    match method {
        Method::Paired => {
            let differences: Vec<f64> =
                candidate.iter().zip(baseline).map(|(c, b)| c - b).collect();
            Delta {
                baseline: b,
                candidate: c,
                delta: mean(&differences),
                ci95: paired_ci95(baseline, candidate),
            }
        }
        Method::IndependentSeeds | Method::IndependentPaths => Delta {
            baseline: b,
            candidate: c,
            delta: c - b,
            ci95: welch_ci95(baseline, candidate),
        },
    }
}

fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.iter().sum::<f64>() / values.len() as f64
}

/// The 95% interval of the mean of `candidate[i] - baseline[i]`: mean ±
/// t(n−1)·sd/√n. `None` unless both have the same length of at least two.
pub fn paired_ci95(baseline: &[f64], candidate: &[f64]) -> Option<(f64, f64)> {
    let n = baseline.len();
    if n < 2 || candidate.len() != n {
        return None;
    }
    let differences: Vec<f64> = candidate.iter().zip(baseline).map(|(c, b)| c - b).collect();
    let m = mean(&differences);
    let half = t_quantile_975(n - 1) * sample_variance(&differences, m).sqrt() / (n as f64).sqrt();
    Some((m - half, m + half))
}

/// Welch's 95% interval of `mean(candidate) - mean(baseline)` for two
/// independent samples, with the Welch–Satterthwaite degrees of freedom
/// rounded down (a slightly wider, safe interval). `None` unless both have
/// at least two values.
pub fn welch_ci95(baseline: &[f64], candidate: &[f64]) -> Option<(f64, f64)> {
    let (nb, nc) = (baseline.len(), candidate.len());
    if nb < 2 || nc < 2 {
        return None;
    }
    let (mb, mc) = (mean(baseline), mean(candidate));
    let vb = sample_variance(baseline, mb) / nb as f64;
    let vc = sample_variance(candidate, mc) / nc as f64;
    let d = mc - mb;
    let se2 = vb + vc;
    if se2 == 0.0 {
        return Some((d, d));
    }
    let df = se2 * se2 / (vb * vb / (nb - 1) as f64 + vc * vc / (nc - 1) as f64);
    // df lies between min(nb, nc) - 1 and nb + nc - 2, so at least 1.
    let df = (df.floor() as usize).max(1);
    let half = t_quantile_975(df) * se2.sqrt();
    Some((d - half, d + half))
}
