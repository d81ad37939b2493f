//! Workload statistics of a trace: token distributions (lognormal by maximum
//! likelihood, and empirical quantiles), arrival rate and burstiness, and
//! how input and output sizes move together.
//!
//! Estimators, with n the number of values:
//! - lognormal MLE: `mu = mean(ln x)`, `sigma^2 = mean((ln x - mu)^2)` (the
//!   MLE divides by n). 95% intervals are the asymptotic normal ones:
//!   `mu +- 1.96 sigma / sqrt(n)` and `sigma +- 1.96 sigma / sqrt(2n)`; the
//!   median `exp(mu)` carries `mu`'s interval through `exp`. Zero token counts
//!   have no logarithm: they are counted and left out of the fit.
//! - goodness of fit: the Kolmogorov-Smirnov distance between the empirical
//!   distribution and the fitted lognormal, handling ties of the integer
//!   counts exactly, and fitted against observed P50/P90/P99. The 5% critical
//!   value `1.36 / sqrt(n)` is shown for scale; with estimated parameters it
//!   is conservative (Lilliefors).
//! - arrival rate: rows over the span, with the Poisson interval widened by
//!   the index of dispersion of counts per minute (bursty traffic makes a
//!   rate less certain than a Poisson count suggests).
//! - burstiness: the coefficient of variation of inter-arrival gaps (1 for
//!   Poisson arrivals) and the index of dispersion (variance over mean) of
//!   counts per whole minute (1 for Poisson).
//! - correlation: Pearson on `ln input`, `ln output` (rows with both > 0)
//!   and Spearman's rank correlation (average ranks for ties, all rows).

use std::collections::{HashMap, HashSet};
use std::io::Read;

use serde::Serialize;

use super::{RowProblems, TraceError, TraceReader};

/// The most rows a fit holds (it keeps two token counts per row to sort).
pub const MAX_FIT_ROWS: u64 = 20_000_000;
/// The most distinct customers, (customer, actor) pairs or models counted.
pub const MAX_DISTINCT: usize = 1_000_000;

const Z95: f64 = 1.959_963_984_540_054;
const Z90: f64 = 1.281_551_565_544_600_4;
const Z99: f64 = 2.326_347_874_040_840_8;
const US_PER_SECOND: f64 = 1e6;
const US_PER_MINUTE: i64 = 60_000_000;

/// A lognormal fitted by maximum likelihood, with 95% intervals.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Lognormal {
    /// Values fitted (all > 0).
    pub n: u64,
    pub mu: f64,
    pub mu_ci95: (f64, f64),
    pub sigma: f64,
    pub sigma_ci95: (f64, f64),
    /// `exp(mu)`.
    pub median: f64,
    pub median_ci95: (f64, f64),
}

impl Lognormal {
    /// The fitted quantile at standard normal score `z`.
    pub fn quantile_at(&self, z: f64) -> f64 {
        (self.mu + self.sigma * z).exp()
    }

    /// The fitted distribution function at `x`.
    pub fn cdf(&self, x: f64) -> f64 {
        if x <= 0.0 {
            return 0.0;
        }
        normal_cdf((x.ln() - self.mu) / self.sigma)
    }
}

/// Observed quantiles and their lognormal counterparts.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Quantiles {
    pub min: f64,
    pub p10: f64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
}

/// One token column fitted.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TokenFit {
    pub n: u64,
    /// Rows with 0 tokens, left out of the lognormal fit.
    pub zeros: u64,
    pub mean: f64,
    pub empirical: Quantiles,
    /// `None` when fewer than two values are > 0 or all are equal.
    pub lognormal: Option<Lognormal>,
    /// Fitted P50, P90, P99.
    pub fitted: Option<(f64, f64, f64)>,
    /// Kolmogorov-Smirnov distance to the fitted lognormal (values > 0).
    pub ks: Option<f64>,
    /// `1.36 / sqrt(n)`.
    pub ks_critical_5pct: Option<f64>,
}

/// Arrivals and burstiness.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Arrivals {
    pub span_seconds: f64,
    pub per_minute: f64,
    pub per_minute_ci95: (f64, f64),
    pub per_hour: f64,
    pub per_hour_ci95: (f64, f64),
    /// Coefficient of variation of the gaps between rows; `None` under 3 rows.
    pub interarrival_cv: Option<f64>,
    /// Variance over mean of counts per whole minute; `None` under 2 minutes.
    pub dispersion_per_minute: Option<f64>,
    /// Whole minutes counted.
    pub minutes: u64,
}

/// How input and output sizes move together.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Correlation {
    pub pearson_log: Option<f64>,
    pub spearman: Option<f64>,
}

/// Everything `creditsim trace fit` reports.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Fit {
    pub file: String,
    pub rows: u64,
    /// First and last timestamps, RFC 3339.
    pub first: String,
    pub last: String,
    pub input: TokenFit,
    pub output: TokenFit,
    pub arrivals: Arrivals,
    pub correlation: Correlation,
    /// Cached share of input tokens, when the trace has a `cached` column.
    pub cache_hit_share: Option<f64>,
    /// Distinct customers and (customer, actor) pairs, when the trace has
    /// those columns.
    pub customers: Option<u64>,
    pub actors: Option<u64>,
    /// Rows per model, when the trace has a `model` column, most first.
    pub models: Vec<(String, u64)>,
}

/// What is kept while reading: two counts per row and bounded tallies.
#[derive(Default)]
struct Tally {
    input: Vec<u32>,
    output: Vec<u32>,
    first_us: Option<i64>,
    last_us: i64,
    gaps: Moments,
    per_minute: Vec<u32>,
    input_sum: u128,
    cached_sum: u128,
    customers: HashSet<String>,
    actors: HashSet<(String, String)>,
    models: HashMap<String, u64>,
}

/// Reads the whole trace and fits it.
pub fn fit<R: Read>(mut reader: TraceReader<R>) -> Result<Fit, TraceError> {
    let mut tally = Tally::default();
    let mut problems = RowProblems::new(reader.file());
    let has_cached = reader.layout.cached.is_some();
    while let Some(next) = reader.next_row() {
        let row = match next? {
            Ok(row) => row,
            Err(error) => {
                problems.push(error);
                continue;
            }
        };
        if reader.rows_read() > MAX_FIT_ROWS {
            return Err(limit(
                &reader,
                row.line,
                format!("more than {MAX_FIT_ROWS} rows: fit a sample of the trace"),
            ));
        }
        let first = *tally.first_us.get_or_insert(row.at_us);
        if !tally.input.is_empty() {
            tally
                .gaps
                .push((row.at_us - tally.last_us) as f64 / US_PER_SECOND);
        }
        tally.last_us = row.at_us;
        let minute = ((row.at_us - first) / US_PER_MINUTE) as usize;
        if minute >= tally.per_minute.len() {
            if minute > 3_650 * 1_440 {
                return Err(limit(
                    &reader,
                    row.line,
                    "the trace spans more than 3,650 days".to_owned(),
                ));
            }
            tally.per_minute.resize(minute + 1, 0);
        }
        tally.per_minute[minute] += 1;
        tally.input.push(row.input);
        tally.output.push(row.output);
        tally.input_sum += u128::from(row.input);
        tally.cached_sum += u128::from(row.cached);
        count_names(&reader, &mut tally, row.line)?;
    }
    if !problems.is_empty() {
        return Err(TraceError::Rows(problems));
    }
    let Some(first_us) = tally.first_us else {
        return Err(TraceError::Empty {
            file: reader.file().to_owned(),
        });
    };
    let cache_hit_share = (has_cached && tally.input_sum > 0)
        .then(|| tally.cached_sum as f64 / tally.input_sum as f64);
    let mut models: Vec<(String, u64)> = tally.models.into_iter().collect();
    models.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let rows = tally.input.len() as u64;
    Ok(Fit {
        file: reader.file().to_owned(),
        rows,
        first: rfc3339(first_us),
        last: rfc3339(tally.last_us),
        correlation: correlation(&tally.input, &tally.output),
        input: token_fit(&tally.input),
        output: token_fit(&tally.output),
        arrivals: arrivals(
            rows,
            first_us,
            tally.last_us,
            &tally.gaps,
            &tally.per_minute,
        ),
        cache_hit_share,
        customers: reader
            .has_customer_column()
            .then_some(tally.customers.len() as u64),
        actors: reader
            .layout
            .actor
            .is_some()
            .then_some(tally.actors.len() as u64),
        models,
    })
}

fn limit<R: Read>(reader: &TraceReader<R>, line: u64, message: String) -> TraceError {
    TraceError::Limit {
        file: reader.file().to_owned(),
        message: format!("line {line}: {message}"),
    }
}

fn count_names<R: Read>(
    reader: &TraceReader<R>,
    tally: &mut Tally,
    line: u64,
) -> Result<(), TraceError> {
    let customer = reader.customer().unwrap_or("");
    if reader.has_customer_column() && !tally.customers.contains(customer) {
        tally.customers.insert(customer.to_owned());
    }
    if let Some(actor) = reader.actor()
        && !tally
            .actors
            .contains(&(customer.to_owned(), actor.to_owned()))
    {
        tally.actors.insert((customer.to_owned(), actor.to_owned()));
    }
    if let Some(model) = reader.model() {
        *tally.models.entry(model.to_owned()).or_default() += 1;
    }
    if tally.customers.len() > MAX_DISTINCT
        || tally.actors.len() > MAX_DISTINCT
        || tally.models.len() > crate::scenario::limits::MAX_MODELS
    {
        return Err(limit(
            reader,
            line,
            format!(
                "more than {MAX_DISTINCT} customers or actors, or {} models",
                crate::scenario::limits::MAX_MODELS
            ),
        ));
    }
    Ok(())
}

fn rfc3339(us: i64) -> String {
    chrono::DateTime::from_timestamp_micros(us)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
        .unwrap_or_default()
}

/// Running mean and variance (Welford).
#[derive(Clone, Copy, Debug, Default)]
struct Moments {
    n: u64,
    mean: f64,
    m2: f64,
}

impl Moments {
    fn push(&mut self, x: f64) {
        self.n += 1;
        let delta = x - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (x - self.mean);
    }

    /// Sample variance (n - 1).
    fn variance(&self) -> Option<f64> {
        (self.n >= 2).then(|| self.m2 / (self.n - 1) as f64)
    }
}

/// Fits a lognormal to `values` (all must be > 0) by maximum likelihood.
/// `None` with fewer than two values or no spread.
pub fn lognormal_mle(values: &[f64]) -> Option<Lognormal> {
    let n = values.len();
    if n < 2 || values.iter().any(|v| *v <= 0.0 || !v.is_finite()) {
        return None;
    }
    let nf = n as f64;
    let mu = values.iter().map(|v| v.ln()).sum::<f64>() / nf;
    let sigma = (values.iter().map(|v| (v.ln() - mu).powi(2)).sum::<f64>() / nf).sqrt();
    if sigma <= 0.0 {
        return None;
    }
    let mu_half = Z95 * sigma / nf.sqrt();
    let sigma_half = Z95 * sigma / (2.0 * nf).sqrt();
    Some(Lognormal {
        n: n as u64,
        mu,
        mu_ci95: (mu - mu_half, mu + mu_half),
        sigma,
        sigma_ci95: (sigma - sigma_half, sigma + sigma_half),
        median: mu.exp(),
        median_ci95: ((mu - mu_half).exp(), (mu + mu_half).exp()),
    })
}

/// The quantile `p` of sorted values, linear between order statistics
/// (type 7, what numpy and R use by default).
pub fn quantile(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Kolmogorov-Smirnov distance between sorted values and a continuous
/// distribution function; ties are handled by comparing at both sides of
/// each jump of the empirical function.
pub fn ks_distance(sorted: &[f64], cdf: impl Fn(f64) -> f64) -> f64 {
    let n = sorted.len() as f64;
    let mut d: f64 = 0.0;
    let mut i = 0;
    while i < sorted.len() {
        let x = sorted[i];
        let mut j = i;
        while j < sorted.len() && sorted[j] == x {
            j += 1;
        }
        let f = cdf(x);
        d = d
            .max((f - i as f64 / n).abs())
            .max((j as f64 / n - f).abs());
        i = j;
    }
    d
}

fn token_fit(counts: &[u32]) -> TokenFit {
    let mut sorted: Vec<f64> = counts.iter().map(|&c| f64::from(c)).collect();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let zeros = sorted.iter().take_while(|v| **v == 0.0).count();
    let positive = &sorted[zeros..];
    let lognormal = lognormal_mle(positive);
    TokenFit {
        n: n as u64,
        zeros: zeros as u64,
        mean: sorted.iter().sum::<f64>() / n as f64,
        empirical: Quantiles {
            min: sorted[0],
            p10: quantile(&sorted, 0.10),
            p50: quantile(&sorted, 0.50),
            p90: quantile(&sorted, 0.90),
            p99: quantile(&sorted, 0.99),
            max: sorted[n - 1],
        },
        fitted: lognormal.map(|l| (l.median, l.quantile_at(Z90), l.quantile_at(Z99))),
        ks: lognormal.map(|l| ks_distance(positive, |x| l.cdf(x))),
        ks_critical_5pct: lognormal.map(|l| 1.36 / (l.n as f64).sqrt()),
        lognormal,
    }
}

fn arrivals(rows: u64, first_us: i64, last_us: i64, gaps: &Moments, minutes: &[u32]) -> Arrivals {
    let span_seconds = (last_us - first_us) as f64 / US_PER_SECOND;
    // Whole minutes only: the last, partial one would understate its count.
    let whole = &minutes[..minutes.len().saturating_sub(1)];
    let mut counts = Moments::default();
    for &c in whole {
        counts.push(f64::from(c));
    }
    let dispersion = counts
        .variance()
        .filter(|_| counts.mean > 0.0)
        .map(|v| v / counts.mean);
    let span_minutes = span_seconds / 60.0;
    let per_minute = if span_minutes > 0.0 {
        rows as f64 / span_minutes
    } else {
        0.0
    };
    let half = if span_minutes > 0.0 {
        Z95 * (rows as f64 * dispersion.unwrap_or(1.0).max(1.0)).sqrt() / span_minutes
    } else {
        0.0
    };
    let per_minute_ci95 = ((per_minute - half).max(0.0), per_minute + half);
    Arrivals {
        span_seconds,
        per_minute,
        per_minute_ci95,
        per_hour: per_minute * 60.0,
        per_hour_ci95: (per_minute_ci95.0 * 60.0, per_minute_ci95.1 * 60.0),
        interarrival_cv: gaps
            .variance()
            .filter(|_| gaps.n >= 2 && gaps.mean > 0.0)
            .map(|v| v.sqrt() / gaps.mean),
        dispersion_per_minute: dispersion,
        minutes: whole.len() as u64,
    }
}

fn correlation(input: &[u32], output: &[u32]) -> Correlation {
    let logs: (Vec<f64>, Vec<f64>) = input
        .iter()
        .zip(output)
        .filter(|(i, o)| **i > 0 && **o > 0)
        .map(|(i, o)| (f64::from(*i).ln(), f64::from(*o).ln()))
        .unzip();
    let ranks_in = ranks(input);
    let ranks_out = ranks(output);
    Correlation {
        pearson_log: pearson(&logs.0, &logs.1),
        spearman: pearson(&ranks_in, &ranks_out),
    }
}

/// Pearson's correlation; `None` under 3 pairs or with no spread.
pub fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len();
    if n < 3 {
        return None;
    }
    let mx = x.iter().sum::<f64>() / n as f64;
    let my = y.iter().sum::<f64>() / n as f64;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx).powi(2);
        syy += (b - my).powi(2);
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

/// Ranks from 1, ties sharing their average rank.
pub fn ranks(values: &[u32]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by_key(|&i| values[i]);
    let mut ranks = vec![0.0; values.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j < order.len() && values[order[j]] == values[order[i]] {
            j += 1;
        }
        let average = (i + j + 1) as f64 / 2.0;
        for &k in &order[i..j] {
            ranks[k] = average;
        }
        i = j;
    }
    ranks
}

/// The standard normal distribution function, through `erfc` (the Chebyshev
/// fit of Numerical Recipes' `erfcc`: fractional error below 1.2e-7, far
/// below any KS distance a trace can resolve).
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 { r } else { 2.0 - r }
}
