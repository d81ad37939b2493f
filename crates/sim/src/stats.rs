//! Statistics across paths: what a column of per-path values (one value per
//! path for one metric and plan) says about the metric, and when a run has
//! enough paths to stop.
//!
//! [`summarise`] gives the mean with its 95% confidence interval, four
//! quantiles and, for metrics with a bad tail, the CVaR95.
//! [`proportion_ci95`] is the interval of a probability such as the chance
//! that a wallet is exhausted before the horizon. [`StoppingRule`] decides,
//! batch by batch, whether `--precision` has been reached.
//!
//! Every function is a pure function of its input, summing in slice order,
//! so the same column gives the same bits. Values must be finite: a NaN or an
//! infinity in a column is a bug upstream, and the functions assert against
//! it rather than return a number that hides it.
//!
//! ```
//! use sim::stats::{Tail, summarise};
//!
//! let exposure_peak = [1.0, 2.0, 3.0, 4.0, 10.0];
//! let summary = summarise(&exposure_peak, Tail::Upper).expect("not empty");
//! assert_eq!(summary.mean, 4.0);
//! assert_eq!(summary.p50, 3.0);
//! assert_eq!(summary.cvar95, Some(10.0));
//! ```

use std::fmt;

/// The 97.5% quantile of the standard normal distribution: a two-sided 95%
/// interval is the estimate plus or minus this many standard errors.
const Z_975: f64 = 1.959_963_984_540_054;

/// Which tail of a metric is the bad one, for its CVaR95.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tail {
    /// Neither tail is a loss (revenue, cash collected): no CVaR.
    None,
    /// High is bad (exposure, bad debt, overshoot): the CVaR95 is the mean
    /// of the highest 5% of paths.
    Upper,
    /// Low is bad (gross margin): the CVaR95 is the mean of the lowest 5% of
    /// paths.
    Lower,
}

/// What the paths say about one metric of one plan.
///
/// Quantiles are type 7 of Hyndman and Fan (1996), the default of R, numpy
/// and Excel's `PERCENTILE.INC`, so a reader can check a number with the
/// tool at hand: for sorted values `x[0..n]` and probability `p`, take
/// `h = (n - 1) p` and interpolate linearly between `x[floor h]` and
/// `x[floor h + 1]`. With one path every quantile is that path's value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Summary {
    /// Number of paths.
    pub n: usize,
    /// Sample mean.
    pub mean: f64,
    /// 95% confidence interval of the mean (Student t with `n - 1` degrees
    /// of freedom, see [`summarise`]); `None` for one path, whose spread is
    /// unknown.
    pub ci95: Option<(f64, f64)>,
    /// 5th percentile.
    pub p05: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Mean of the worst 5% of the paths, by the tail the caller named
    /// (see [`summarise`]); `None` for [`Tail::None`].
    pub cvar95: Option<f64>,
}

/// Summarises a column of per-path values; `None` when it is empty.
///
/// **Confidence interval.** `mean ± t(0.975, n - 1) · s / √n`, with `s` the
/// sample standard deviation (divisor `n - 1`). Student's t rather than the
/// normal 1.96 because runs of a few paths are allowed (`--paths 5` for a
/// quick look): there the normal interval covers the true mean only about
/// 88% of the time for normal data, while t is exact for normal data and
/// converges to the normal interval as `n` grows (1.984 at `n = 100`,
/// 1.962 at `n = 1000`). For skewed metrics the interval relies on the
/// central limit theorem either way.
///
/// **CVaR95** is the expected value of the worst 5% of the probability mass
/// of the empirical distribution (Rockafellar and Uryasev, 2002): with `w =
/// floor(n / 20)` whole paths in the tail and `r = n mod 20`, it is
/// `(20 · (sum of the w worst values) + r · (the next worst value)) / n`.
/// The boundary path counts with weight `r / 20`, so the tail always holds
/// exactly 5% of the paths: the mean of the worst 5 of 100, the worst value
/// alone below 20 paths. It is never less favourable than P95 (P5 for
/// [`Tail::Lower`]).
///
/// # Panics
///
/// If a value is NaN or infinite: a bug upstream, not an input to report.
pub fn summarise(values: &[f64], tail: Tail) -> Option<Summary> {
    assert_finite(values);
    let estimate = mean_estimate(values)?;
    let mut sorted = values.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    Some(Summary {
        n: values.len(),
        mean: estimate.mean,
        ci95: estimate
            .half_width
            .map(|half| (estimate.mean - half, estimate.mean + half)),
        p05: quantile_sorted(&sorted, 0.05),
        p50: quantile_sorted(&sorted, 0.50),
        p95: quantile_sorted(&sorted, 0.95),
        p99: quantile_sorted(&sorted, 0.99),
        cvar95: cvar95(&sorted, tail),
    })
}

/// The 95% Wilson score interval of a proportion: `successes` of `n` paths.
///
/// Wilson rather than the normal (Wald) interval because the probabilities
/// reported here are often near 0 or 1 (no wallet exhausted in 200 paths),
/// where Wald collapses to the single point `(0, 0)` while Wilson still
/// gives `(0, 0.019)`. With `n = 0` nothing is known: `(0, 1)`.
///
/// # Panics
///
/// If `successes > n`.
pub fn proportion_ci95(successes: usize, n: usize) -> (f64, f64) {
    assert!(successes <= n, "{successes} successes out of {n} trials");
    if n == 0 {
        return (0.0, 1.0);
    }
    let n_f = n as f64;
    let p = successes as f64 / n_f;
    let z2 = Z_975 * Z_975;
    let denominator = 1.0 + z2 / n_f;
    let centre = (p + z2 / (2.0 * n_f)) / denominator;
    let half = Z_975 / denominator * (p * (1.0 - p) / n_f + z2 / (4.0 * n_f * n_f)).sqrt();
    // The formula gives 0 and 1 at the ends only up to rounding; say them
    // exactly so a report never shows -1e-17.
    let lower = if successes == 0 { 0.0 } else { centre - half };
    let upper = if successes == n { 1.0 } else { centre + half };
    (lower.max(0.0), upper.min(1.0))
}

/// The half-width of the 95% confidence interval of the mean as a fraction
/// of `|mean|`: 0.01 means the mean is known to within 1%.
///
/// `None` when it is undefined: fewer than two values (no spread) or a mean
/// of exactly 0 (no scale).
///
/// # Panics
///
/// If a value is NaN or infinite.
pub fn relative_half_width(values: &[f64]) -> Option<f64> {
    assert_finite(values);
    let estimate = mean_estimate(values)?;
    let half = estimate.half_width?;
    if estimate.mean == 0.0 {
        return None;
    }
    Some(half / estimate.mean.abs())
}

/// When to stop adding paths under `--precision`: once the 95% confidence
/// interval of every plan's mean gross margin is within `target` of that
/// mean (relative half-width, [`relative_half_width`]), or once `max_paths`
/// paths have run, whichever comes first.
///
/// # Why the result does not depend on the thread count
///
/// Paths run in batches of `batch` consecutive path indices, and the rule
/// is consulted only between batches, on the gross-margin columns in
/// path-index order. Each value is a pure function of (scenario, seed, path
/// index), so the columns at every batch boundary are the same whatever the
/// thread count, and so are the decisions and the number of paths run.
/// Deciding after each path as it completes would not be: which paths have
/// completed at a given moment depends on thread timing, and so would the
/// stopping point. Within a batch, threads may finish paths in any order;
/// the runner stores each row at its path index and waits for the whole
/// batch before asking.
///
/// With few paths the sample standard deviation itself is noisy and a lucky
/// first batch can look precise; the Student t interval widens for that,
/// but a batch of at least a few hundred paths keeps the check meaningful.
/// A plan whose mean gross margin is 0 never reaches a relative target and
/// runs to `max_paths`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StoppingRule {
    target: f64,
    batch: usize,
    max_paths: usize,
}

/// What to do after a batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Run this many more paths, then ask again.
    Continue(usize),
    /// Stop here, for this reason.
    Stop(StopReason),
}

/// Why a run stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// Every plan's mean gross margin is known to within the target.
    PrecisionReached,
    /// `max_paths` paths ran before the target was reached.
    PathLimit,
}

/// A [`StoppingRule`] that cannot work.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum StoppingRuleError {
    /// The target relative half-width is not a finite number > 0.
    TargetNotPositive(f64),
    /// Batches of zero paths would never finish.
    BatchZero,
    /// A run needs at least one path.
    MaxPathsZero,
}

impl fmt::Display for StoppingRuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoppingRuleError::TargetNotPositive(target) => write!(
                f,
                "the precision target must be a finite number > 0 (a fraction: 0.01 for 1%), got {target}"
            ),
            StoppingRuleError::BatchZero => f.write_str("the batch size must be at least 1 path"),
            StoppingRuleError::MaxPathsZero => f.write_str("paths must be at least 1"),
        }
    }
}

impl std::error::Error for StoppingRuleError {}

impl StoppingRule {
    /// A rule aiming at a relative half-width of `target` (0.01 for 1%),
    /// adding `batch` paths at a time, up to `max_paths` in all.
    pub fn new(
        target: f64,
        batch: usize,
        max_paths: usize,
    ) -> Result<StoppingRule, StoppingRuleError> {
        if !(target.is_finite() && target > 0.0) {
            return Err(StoppingRuleError::TargetNotPositive(target));
        }
        if batch == 0 {
            return Err(StoppingRuleError::BatchZero);
        }
        if max_paths == 0 {
            return Err(StoppingRuleError::MaxPathsZero);
        }
        Ok(StoppingRule {
            target,
            batch,
            max_paths,
        })
    }

    /// The target relative half-width (0.01 for 1%).
    pub fn target(&self) -> f64 {
        self.target
    }

    /// Paths added per batch.
    pub fn batch(&self) -> usize {
        self.batch
    }

    /// The most paths a run may have.
    pub fn max_paths(&self) -> usize {
        self.max_paths
    }

    /// The decision after the paths in `gross_margin_by_plan` (one column
    /// per plan, one value per path in path-index order, all the same
    /// length; zero paths before the first batch).
    ///
    /// When the target is met exactly at `max_paths`, the reason given is
    /// [`StopReason::PrecisionReached`]: it is the more useful news.
    ///
    /// # Panics
    ///
    /// If there are no plans, the columns differ in length, or a value is
    /// NaN or infinite.
    pub fn decide(&self, gross_margin_by_plan: &[&[f64]]) -> Decision {
        assert!(!gross_margin_by_plan.is_empty(), "no plans to decide on");
        let paths_done = gross_margin_by_plan[0].len();
        assert!(
            gross_margin_by_plan
                .iter()
                .all(|column| column.len() == paths_done),
            "plans have different numbers of paths"
        );
        if gross_margin_by_plan
            .iter()
            .all(|column| self.is_precise(column))
        {
            return Decision::Stop(StopReason::PrecisionReached);
        }
        if paths_done >= self.max_paths {
            return Decision::Stop(StopReason::PathLimit);
        }
        Decision::Continue(self.batch.min(self.max_paths - paths_done))
    }

    fn is_precise(&self, column: &[f64]) -> bool {
        relative_half_width(column).is_some_and(|width| width <= self.target)
    }
}

/// A mean and the half-width of its 95% confidence interval (`None` for a
/// single value).
struct MeanEstimate {
    mean: f64,
    half_width: Option<f64>,
}

/// `None` for an empty column.
fn mean_estimate(values: &[f64]) -> Option<MeanEstimate> {
    if values.is_empty() {
        return None;
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let half_width = (values.len() >= 2).then(|| {
        t_quantile_975(values.len() - 1) * sample_variance(values, mean).sqrt() / n.sqrt()
    });
    Some(MeanEstimate { mean, half_width })
}

/// The sample variance (divisor `n - 1`) by the corrected two-pass
/// algorithm (Chan, Golub and LeVeque, 1983): the second term removes most
/// of the rounding error in `mean`, which matters for metrics like revenue
/// whose spread is tiny next to their size. Needs `n >= 2`.
pub(crate) fn sample_variance(values: &[f64], mean: f64) -> f64 {
    let n = values.len() as f64;
    let (squares, deviations) = values.iter().fold((0.0, 0.0), |(sq, dev), &x| {
        let d = x - mean;
        (sq + d * d, dev + d)
    });
    ((squares - deviations * deviations / n) / (n - 1.0)).max(0.0)
}

/// Student's t quantile at 0.975 for 1 to 30 degrees of freedom, computed
/// with mpmath at 40 digits and rounded to f64.
const T_975: [f64; 30] = [
    12.706_204_736_174_705,
    4.302_652_729_749_464,
    3.182_446_305_283_709_5,
    2.776_445_105_197_794_3,
    2.570_581_835_636_315_5,
    2.446_911_851_144_97,
    2.364_624_251_592_785_3,
    2.306_004_135_204_166_7,
    2.262_157_162_798_205_3,
    2.228_138_851_986_275,
    2.200_985_160_091_639_7,
    2.178_812_829_667_229,
    2.160_368_656_462_792_6,
    2.144_786_687_917_804,
    2.131_449_545_559_775_5,
    2.119_905_299_221_254_6,
    2.109_815_577_833_317,
    2.100_922_040_241_038_7,
    2.093_024_054_408_309_6,
    2.085_963_447_265_865,
    2.079_613_844_727_680_4,
    2.073_873_067_904_026_3,
    2.068_657_610_419_048_6,
    2.063_898_561_628_026,
    2.059_538_552_753_297_7,
    2.055_529_438_642_873,
    2.051_830_516_480_285_5,
    2.048_407_141_795_245,
    2.045_229_642_132_704_3,
    2.042_272_456_301_238,
];

/// Student's t quantile at 0.975 with `df >= 1` degrees of freedom: the
/// table up to 30, then the Cornish-Fisher expansion in `1 / df` to the
/// fourth order (Abramowitz and Stegun 26.7.5), within 3e-8 of the exact
/// value from 31 on and closer as `df` grows.
pub fn t_quantile_975(df: usize) -> f64 {
    debug_assert!(df >= 1);
    if df <= T_975.len() {
        return T_975[df - 1];
    }
    let z = Z_975;
    let (z2, v) = (z * z, df as f64);
    let g1 = z * (z2 + 1.0) / 4.0;
    let g2 = z * ((5.0 * z2 + 16.0) * z2 + 3.0) / 96.0;
    let g3 = z * (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) / 384.0;
    let g4 = z * ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) / 92160.0;
    z + (g1 + (g2 + (g3 + g4 / v) / v) / v) / v
}

/// The type 7 quantile (see [`Summary`]) of ascending, non-empty `sorted`.
pub(crate) fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    debug_assert!(!sorted.is_empty() && (0.0..=1.0).contains(&p));
    let h = (sorted.len() - 1) as f64 * p;
    let below = h.floor() as usize;
    let Some(&above) = sorted.get(below + 1) else {
        return sorted[below];
    };
    sorted[below] + (h - below as f64) * (above - sorted[below])
}

/// The CVaR95 (see [`summarise`]) of ascending, non-empty `sorted`.
fn cvar95(sorted: &[f64], tail: Tail) -> Option<f64> {
    match tail {
        Tail::None => None,
        Tail::Upper => Some(upper_tail_mean(sorted.iter().rev())),
        // The lowest values, taken from the bottom up, are the bad tail.
        Tail::Lower => Some(upper_tail_mean(sorted.iter())),
    }
}

/// The mean of the first 5% of the probability mass of `worst_first`, a
/// non-empty column ordered from the worst value to the best.
fn upper_tail_mean<'a>(worst_first: impl ExactSizeIterator<Item = &'a f64>) -> f64 {
    let n = worst_first.len();
    // Integer arithmetic for the split, so "exactly 5 of 100" is exact.
    let (whole, remainder) = (n / 20, n % 20);
    let mut values = worst_first;
    let whole_sum: f64 = values.by_ref().take(whole).sum();
    let boundary = values.next().map_or(0.0, |&x| remainder as f64 * x);
    (20.0 * whole_sum + boundary) / n as f64
}

/// Asserts every value is finite: NaN or infinity in a column is a bug
/// upstream, reported with the path it is at.
fn assert_finite(values: &[f64]) {
    if let Some(path) = values.iter().position(|x| !x.is_finite()) {
        panic!(
            "value at path {path} is {}: per-path metrics must be finite",
            values[path]
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Key, Purpose};
    use rand_distr::{Distribution, StandardNormal};

    const SEED: u64 = 20_240_601;
    const COVERAGE: Purpose = Purpose::new("stats_ci_coverage");

    fn close(actual: f64, expected: f64, tolerance: f64) -> bool {
        (actual - expected).abs() <= tolerance
    }

    /// Mean 4; deviations -3, -2, -1, 0, 6, squares sum to 50, so s^2 = 12.5,
    /// s = 3.535534 and s / sqrt 5 = 1.581139. t(0.975, 4) = 2.776445, so the
    /// half-width is 4.389945 and the CI (-0.389945, 8.389945).
    /// Quantiles, h = 4p: P5 h = 0.2 -> 1 + 0.2 (2 - 1) = 1.2; P50 h = 2 -> 3;
    /// P95 h = 3.8 -> 4 + 0.8 (10 - 4) = 8.8; P99 h = 3.96 -> 4 + 0.96 * 6 =
    /// 9.76. CVaR95 with 5 paths: w = 0, r = 5, (5 * 10) / 5 = 10, the max.
    #[test]
    fn summary_of_five_values_by_hand() {
        let s = summarise(&[4.0, 1.0, 10.0, 3.0, 2.0], Tail::Upper).unwrap();
        assert_eq!(s.n, 5);
        assert_eq!(s.mean, 4.0);
        let (lo, hi) = s.ci95.unwrap();
        assert!(close(lo, -0.389_945, 1e-6), "{lo}");
        assert!(close(hi, 8.389_945, 1e-6), "{hi}");
        assert!(close(s.p05, 1.2, 1e-12));
        assert_eq!(s.p50, 3.0);
        assert!(close(s.p95, 8.8, 1e-12));
        assert!(close(s.p99, 9.76, 1e-12));
        assert_eq!(s.cvar95, Some(10.0));
    }

    /// 1..=40: w = 2, r = 0, the mean of 40 and 39 is 39.5.
    /// 1..=30: w = 1, r = 10: (20 * 30 + 10 * 29) / 30 = 890 / 30 = 29.667,
    /// the mean of 1.5 paths' worth of tail (30 with weight 1, 29 with 0.5).
    /// Lower tail of 1..=30: (20 * 1 + 10 * 2) / 30 = 40 / 30 = 1.333.
    #[test]
    fn cvar_by_hand() {
        let forty: Vec<f64> = (1..=40).map(f64::from).collect();
        let thirty: Vec<f64> = (1..=30).map(f64::from).collect();
        let cvar = |values: &[f64], tail| summarise(values, tail).unwrap().cvar95.unwrap();
        assert_eq!(cvar(&forty, Tail::Upper), 39.5);
        assert!(close(cvar(&thirty, Tail::Upper), 890.0 / 30.0, 1e-12));
        assert!(close(cvar(&thirty, Tail::Lower), 40.0 / 30.0, 1e-12));
        assert_eq!(summarise(&thirty, Tail::None).unwrap().cvar95, None);
    }

    /// 1..=100: the tail is exactly paths 96..=100, mean 98; P95 is at
    /// h = 94.05, 95 + 0.05 = 95.05, below it.
    #[test]
    fn cvar_of_a_hundred_is_the_mean_of_the_worst_five() {
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        let s = summarise(&values, Tail::Upper).unwrap();
        assert_eq!(s.cvar95, Some(98.0));
        assert!(close(s.p95, 95.05, 1e-9));
        assert!(s.cvar95.unwrap() >= s.p95);
    }

    /// The claim in [`summarise`]'s doc: the CVaR95 is at least as bad as
    /// P95 (P5 for the lower tail), at every n from 1 to 300.
    #[test]
    fn cvar_is_never_better_than_the_quantile() {
        for n in 1..=300u64 {
            let mut stream = Key::path(n).stream(SEED, COVERAGE);
            let values: Vec<f64> = (0..n).map(|_| StandardNormal.sample(&mut stream)).collect();
            let upper = summarise(&values, Tail::Upper).unwrap();
            let lower = summarise(&values, Tail::Lower).unwrap();
            assert!(upper.cvar95.unwrap() >= upper.p95, "seed {SEED}, n {n}");
            assert!(lower.cvar95.unwrap() <= lower.p05, "seed {SEED}, n {n}");
        }
    }

    #[test]
    fn empty_and_single_values() {
        assert_eq!(summarise(&[], Tail::Upper), None);
        let s = summarise(&[-7.5], Tail::Upper).unwrap();
        assert_eq!((s.n, s.mean, s.ci95), (1, -7.5, None));
        assert_eq!([s.p05, s.p50, s.p95, s.p99], [-7.5; 4]);
        assert_eq!(s.cvar95, Some(-7.5));
        assert_eq!(relative_half_width(&[]), None);
        assert_eq!(relative_half_width(&[3.0]), None);
    }

    /// A constant column has a zero-width CI, not NaN.
    #[test]
    fn constant_column() {
        let s = summarise(&[2.5; 50], Tail::Lower).unwrap();
        assert_eq!(s.ci95, Some((2.5, 2.5)));
        assert_eq!([s.p05, s.p50, s.p95, s.p99], [2.5; 4]);
        assert_eq!(s.cvar95, Some(2.5));
        assert_eq!(relative_half_width(&[2.5; 50]), Some(0.0));
    }

    /// A spread of 1 on top of 1e9: the naive formula E[x^2] - E[x]^2 would
    /// lose it to rounding. Values 1e9 + {0, 1, 2, 3}: s^2 = 5/3.
    #[test]
    fn variance_survives_a_large_offset() {
        let values = [1e9, 1e9 + 1.0, 1e9 + 2.0, 1e9 + 3.0];
        let mean = values.iter().sum::<f64>() / 4.0;
        assert!(close(sample_variance(&values, mean), 5.0 / 3.0, 1e-9));
    }

    #[test]
    #[should_panic(expected = "value at path 1 is NaN")]
    fn nan_is_a_bug() {
        summarise(&[1.0, f64::NAN], Tail::None);
    }

    #[test]
    #[should_panic(expected = "value at path 0 is inf")]
    fn infinity_is_a_bug() {
        relative_half_width(&[f64::INFINITY, 1.0]);
    }

    /// Half-width 4.389945 (see the five-value test) over mean 4; a mean of
    /// exactly 0 has no relative width.
    #[test]
    fn relative_half_width_by_hand() {
        let width = relative_half_width(&[1.0, 2.0, 3.0, 4.0, 10.0]).unwrap();
        assert!(close(width, 4.389_945 / 4.0, 1e-6), "{width}");
        let negative = relative_half_width(&[-1.0, -2.0, -3.0, -4.0, -10.0]).unwrap();
        assert_eq!(negative, width);
        assert_eq!(relative_half_width(&[-1.0, 1.0]), None);
    }

    /// Spot values of the exact quantile (mpmath, 40 digits) on both sides
    /// of the switch from table to expansion.
    #[test]
    fn t_quantiles() {
        for (df, exact) in [
            (1, 12.706_204_736_174_705),
            (4, 2.776_445_105_197_794),
            (30, 2.042_272_456_301_238),
            (31, 2.039_513_446_396_408_5),
            (40, 2.021_075_390_306_273),
            (60, 2.000_297_822_014_260_5),
            (120, 1.979_930_405_082_441),
            (100_000, 1.959_987_707_534_61),
        ] {
            let t = t_quantile_975(df);
            assert!(close(t, exact, 3e-8), "df {df}: {t} vs {exact}");
        }
    }

    /// Wilson by hand, z^2 = 3.841459. 0 of 10: upper = (z^2/10) / (1 +
    /// z^2/10) = 0.384146 / 1.384146 = 0.277533. 5 of 10: centre 0.5, half =
    /// z / 1.384146 * sqrt(0.025 + z^2/400) = 1.416010 * 0.186020 = 0.263407.
    #[test]
    fn wilson_by_hand() {
        assert_eq!(proportion_ci95(0, 0), (0.0, 1.0));
        let (lo, hi) = proportion_ci95(0, 10);
        assert_eq!(lo, 0.0);
        assert!(close(hi, 0.277_533, 1e-6), "{hi}");
        let (lo, hi) = proportion_ci95(5, 10);
        assert!(close(lo, 0.5 - 0.263_407, 1e-6), "{lo}");
        assert!(close(hi, 0.5 + 0.263_407, 1e-6), "{hi}");
        let (lo, hi) = proportion_ci95(10, 10);
        assert!(close(lo, 1.0 - 0.277_533, 1e-6) && hi == 1.0, "{lo} {hi}");
    }

    /// The interval always holds the observed proportion and stays in [0, 1].
    #[test]
    fn wilson_contains_the_estimate() {
        for n in 1..=60 {
            for k in 0..=n {
                let (lo, hi) = proportion_ci95(k, n);
                let p = k as f64 / n as f64;
                assert!(0.0 <= lo && lo <= p && p <= hi && hi <= 1.0, "{k}/{n}");
            }
        }
    }

    /// The fraction of `reps` samples of `n` standard normal draws whose
    /// 95% CI covers the true mean 0. Each sample has its own stream.
    fn coverage(n: usize, reps: u64) -> f64 {
        let covered = (0..reps)
            .filter(|&rep| {
                let mut stream = Key::path(n as u64).task(rep).stream(SEED, COVERAGE);
                let values: Vec<f64> = (0..n).map(|_| StandardNormal.sample(&mut stream)).collect();
                let estimate = mean_estimate(&values).unwrap();
                estimate.mean.abs() <= estimate.half_width.unwrap()
            })
            .count();
        covered as f64 / reps as f64
    }

    /// Over R independent samples the number of intervals covering 0 is
    /// Binomial(R, 0.95) for a correct interval, standard error
    /// sqrt(0.95 * 0.05 / R). The band is 3.29 standard errors (99.9%):
    /// R = 1,000 samples of 10,000 draws, SE 0.00689, band +-0.0227.
    #[test]
    fn ci_covers_the_mean_at_its_rate() {
        let reps = 1_000;
        let band = 3.29 * (0.95 * 0.05 / reps as f64).sqrt();
        let rate = coverage(10_000, reps);
        assert!(
            (rate - 0.95).abs() <= band,
            "seed {SEED}: coverage {rate}, band 0.95 +- {band}"
        );
    }

    /// At n = 5 Student's t matters: the normal interval (1.96) would cover
    /// P(|T_4| <= 1.96) = 0.878 of the time. R = 10,000, SE 0.00218, band
    /// +-0.0072 around 0.95, which 0.878 is far outside.
    #[test]
    fn ci_covers_the_mean_with_five_paths() {
        let reps = 10_000;
        let band = 3.29 * (0.95 * 0.05 / reps as f64).sqrt();
        let rate = coverage(5, reps);
        assert!(
            (rate - 0.95).abs() <= band,
            "seed {SEED}: coverage {rate}, band 0.95 +- {band}"
        );
    }

    #[test]
    fn stopping_rule_rejects_what_cannot_work() {
        use StoppingRuleError::*;
        assert_eq!(StoppingRule::new(0.0, 10, 100), Err(TargetNotPositive(0.0)));
        assert!(matches!(
            StoppingRule::new(f64::NAN, 10, 100),
            Err(TargetNotPositive(_))
        ));
        assert_eq!(StoppingRule::new(0.01, 0, 100), Err(BatchZero));
        assert_eq!(StoppingRule::new(0.01, 10, 0), Err(MaxPathsZero));
    }

    /// Column [9, 10, 11] repeated: mean 10. For plan a, 10 paths of
    /// 9, 10, 11, 9, ... have a half-width well under 10% of 10; plan b's
    /// column of 1 and 19 does not.
    #[test]
    fn stopping_rule_decisions() {
        let rule = StoppingRule::new(0.1, 4, 10).unwrap();
        let tight: Vec<f64> = (0..10).map(|i| 9.0 + (i % 3) as f64).collect();
        let wide: Vec<f64> = (0..10)
            .map(|i| if i % 2 == 0 { 1.0 } else { 19.0 })
            .collect();
        assert_eq!(rule.decide(&[&[], &[]]), Decision::Continue(4));
        assert_eq!(rule.decide(&[&tight[..1]]), Decision::Continue(4));
        assert_eq!(
            rule.decide(&[&tight[..4], &wide[..4]]),
            Decision::Continue(4)
        );
        // 8 done, 2 left under the limit.
        assert_eq!(
            rule.decide(&[&tight[..8], &wide[..8]]),
            Decision::Continue(2)
        );
        assert_eq!(
            rule.decide(&[&tight, &wide]),
            Decision::Stop(StopReason::PathLimit)
        );
        assert_eq!(
            rule.decide(&[&tight[..8], &tight[..8]]),
            Decision::Stop(StopReason::PrecisionReached)
        );
        // Met at the limit: precision is the news.
        assert_eq!(
            rule.decide(&[&tight]),
            Decision::Stop(StopReason::PrecisionReached)
        );
    }

    /// A zero mean never meets a relative target.
    #[test]
    fn stopping_rule_runs_a_zero_mean_to_the_limit() {
        let rule = StoppingRule::new(0.5, 2, 4).unwrap();
        assert_eq!(rule.decide(&[&[-1.0, 1.0]]), Decision::Continue(2));
        assert_eq!(
            rule.decide(&[&[-1.0, 1.0, -1.0, 1.0]]),
            Decision::Stop(StopReason::PathLimit)
        );
    }

    #[test]
    #[should_panic(expected = "different numbers of paths")]
    fn stopping_rule_needs_equal_columns() {
        let rule = StoppingRule::new(0.1, 4, 10).unwrap();
        rule.decide(&[&[1.0, 2.0], &[1.0]]);
    }
}
