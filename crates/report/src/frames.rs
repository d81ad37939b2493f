//! A run as polars DataFrames: the per-path rows of every plan (the raw
//! iterations finance exports), the daily quantile bands, and the summary
//! of each metric (mean with its 95% interval, P5/P50/P95/P99, CVaR95)
//! computed from the path frame.
//!
//! Statistics follow `docs/metrics.md`, the same definitions as
//! `sim::stats`, so the report and `creditsim run` print the same numbers:
//! type 7 quantiles (polars' `Linear`), a Student t interval of the mean,
//! and the CVaR95 as the mean of the worst 5% of the probability mass.

use polars::prelude::*;
use sim::metrics::{METRICS, Unit};
use sim::run::RunOutput;
use sim::stats::{Tail, t_quantile_975};

use crate::ReportError;

/// Columns of the path frame before the metrics, in order.
pub const KEY_COLUMNS: [&str; 4] = ["scenario", "seed", "plan", "path"];

/// The daily series of the band frame, as named in its `series` column.
pub const BAND_SERIES: [&str; 4] = ["available", "exposure", "revenue", "provider_cost"];

/// One row per path and plan: `scenario`, `seed`, `plan`, `path` (0-based
/// path index), then every metric of [`METRICS`] under its name. Plans
/// follow one another in scenario order, paths in index order.
pub fn paths_frame(run: &RunOutput) -> Result<DataFrame, ReportError> {
    let height: usize = run.plans.iter().map(|p| p.rows.len()).sum();
    let mut scenario = Vec::with_capacity(height);
    let mut seed = Vec::with_capacity(height);
    let mut plan = Vec::with_capacity(height);
    let mut path = Vec::with_capacity(height);
    let mut metrics: Vec<Vec<f64>> = vec![Vec::with_capacity(height); METRICS.len()];
    for result in &run.plans {
        for (index, row) in result.rows.iter().enumerate() {
            scenario.push(run.scenario.as_str());
            seed.push(run.seed);
            plan.push(result.id.as_str());
            path.push(index as u64);
            for (column, value) in metrics.iter_mut().zip(row) {
                column.push(*value);
            }
        }
    }
    let mut columns = vec![
        Column::new(KEY_COLUMNS[0].into(), scenario),
        Column::new(KEY_COLUMNS[1].into(), seed),
        Column::new(KEY_COLUMNS[2].into(), plan),
        Column::new(KEY_COLUMNS[3].into(), path),
    ];
    for (metric, values) in METRICS.iter().zip(metrics) {
        columns.push(Column::new(metric.name.into(), values));
    }
    DataFrame::new(height, columns).map_err(frame_error)
}

/// One row per plan, series and day: `scenario`, `seed`, `plan`, `series`
/// (one of [`BAND_SERIES`]), `day` (0-based), `p05`, `p25`, `p50`, `p75`,
/// `p95` across paths.
pub fn bands_frame(run: &RunOutput) -> Result<DataFrame, ReportError> {
    let mut scenario = Vec::new();
    let mut seed = Vec::new();
    let mut plan = Vec::new();
    let mut series = Vec::new();
    let mut day = Vec::new();
    let mut bands: [Vec<f64>; 5] = Default::default();
    for result in &run.plans {
        let daily = &result.daily;
        let all = [
            &daily.available,
            &daily.exposure,
            &daily.revenue,
            &daily.provider_cost,
        ];
        for (name, band) in BAND_SERIES.iter().zip(all) {
            for d in 0..band.days() {
                scenario.push(run.scenario.as_str());
                seed.push(run.seed);
                plan.push(result.id.as_str());
                series.push(*name);
                day.push(d as u32);
                for (column, value) in bands.iter_mut().zip(band.quantiles(d)) {
                    column.push(value);
                }
            }
        }
    }
    let height = day.len();
    let [p05, p25, p50, p75, p95] = bands;
    let columns = vec![
        Column::new("scenario".into(), scenario),
        Column::new("seed".into(), seed),
        Column::new("plan".into(), plan),
        Column::new("series".into(), series),
        Column::new("day".into(), day),
        Column::new("p05".into(), p05),
        Column::new("p25".into(), p25),
        Column::new("p50".into(), p50),
        Column::new("p75".into(), p75),
        Column::new("p95".into(), p95),
    ];
    DataFrame::new(height, columns).map_err(frame_error)
}

/// What the paths say about one metric of one plan.
#[derive(Clone, Debug, PartialEq)]
pub struct Stat {
    pub plan: String,
    /// Index into [`METRICS`].
    pub metric: usize,
    pub n: usize,
    pub mean: f64,
    /// `None` with one path.
    pub ci95: Option<(f64, f64)>,
    pub p05: f64,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    /// For metrics with a bad tail (see `sim::metrics::METRICS`).
    pub cvar95: Option<f64>,
}

/// Every metric of every plan, computed from [`paths_frame`]: plans in
/// scenario order, metrics in [`METRICS`] order within each plan.
pub fn stats(run: &RunOutput) -> Result<Vec<Stat>, ReportError> {
    let frame = paths_frame(run)?;
    let mut out = Vec::with_capacity(run.plans.len() * METRICS.len());
    for plan in &run.plans {
        let mask = frame
            .column("plan")
            .and_then(|c| c.str().cloned())
            .map_err(frame_error)?
            .equal(plan.id.as_str());
        let rows = frame.filter(&mask).map_err(frame_error)?;
        for (index, metric) in METRICS.iter().enumerate() {
            let column = rows
                .column(metric.name)
                .and_then(|c| c.f64().cloned())
                .map_err(frame_error)?;
            out.push(column_stat(&plan.id, index, &column, metric.tail)?);
        }
    }
    Ok(out)
}

/// Summarises one column of per-path values.
pub fn column_stat(
    plan: &str,
    metric: usize,
    column: &Float64Chunked,
    tail: Tail,
) -> Result<Stat, ReportError> {
    let n = column.len();
    let (Some(mean), false) = (column.mean(), column.null_count() > 0) else {
        return Err(ReportError::Frame(format!(
            "plan {plan}, metric {}: no paths, or a missing value",
            METRICS[metric].name
        )));
    };
    let ci95 = column.std(1).filter(|_| n >= 2).map(|sd| {
        let half = t_quantile_975(n - 1) * sd / (n as f64).sqrt();
        (mean - half, mean + half)
    });
    let quantile = |p: f64| -> Result<f64, ReportError> {
        column
            .quantile(p, QuantileMethod::Linear)
            .map_err(frame_error)?
            .ok_or_else(|| ReportError::Frame(format!("plan {plan}: an empty column")))
    };
    let sorted = column.sort(false);
    let ascending: Vec<f64> = sorted.into_no_null_iter().collect();
    let cvar95 = match tail {
        Tail::None => None,
        Tail::Upper => Some(worst_five_percent_mean(ascending.iter().rev())),
        Tail::Lower => Some(worst_five_percent_mean(ascending.iter())),
    };
    Ok(Stat {
        plan: plan.to_owned(),
        metric,
        n,
        mean,
        ci95,
        p05: quantile(0.05)?,
        p50: quantile(0.50)?,
        p95: quantile(0.95)?,
        p99: quantile(0.99)?,
        cvar95,
    })
}

/// The summary as a frame: `plan`, `metric`, `label`, `unit`, `paths`,
/// `mean`, `ci95_low`, `ci95_high`, `p05`, `p50`, `p95`, `p99`, `cvar95`
/// (null where undefined).
pub fn summary_frame(stats: &[Stat], currency: &str) -> Result<DataFrame, ReportError> {
    let text = |f: &dyn Fn(&Stat) -> String| stats.iter().map(f).collect::<Vec<_>>();
    let number = |f: &dyn Fn(&Stat) -> Option<f64>| stats.iter().map(f).collect::<Vec<_>>();
    let columns = vec![
        Column::new("plan".into(), text(&|s| s.plan.clone())),
        Column::new("metric".into(), text(&|s| METRICS[s.metric].name.into())),
        Column::new("label".into(), text(&|s| METRICS[s.metric].label.into())),
        Column::new(
            "unit".into(),
            text(&|s| unit_name(METRICS[s.metric].unit, currency).into()),
        ),
        Column::new(
            "paths".into(),
            stats.iter().map(|s| s.n as u64).collect::<Vec<_>>(),
        ),
        Column::new("mean".into(), number(&|s| Some(s.mean))),
        Column::new("ci95_low".into(), number(&|s| s.ci95.map(|c| c.0))),
        Column::new("ci95_high".into(), number(&|s| s.ci95.map(|c| c.1))),
        Column::new("p05".into(), number(&|s| Some(s.p05))),
        Column::new("p50".into(), number(&|s| Some(s.p50))),
        Column::new("p95".into(), number(&|s| Some(s.p95))),
        Column::new("p99".into(), number(&|s| Some(s.p99))),
        Column::new("cvar95".into(), number(&|s| s.cvar95)),
    ];
    DataFrame::new(stats.len(), columns).map_err(frame_error)
}

/// The unit of a metric as the report prints it: money in the billing
/// `currency`.
pub fn unit_name(unit: Unit, currency: &str) -> &str {
    match unit {
        Unit::Currency => currency,
        Unit::Percent => "%",
        Unit::Count => "count",
        Unit::Hours => "hours",
        Unit::Days => "days",
    }
}

/// The per-path frame as CSV (header row, comma separated, `.` decimals).
pub fn to_csv(frame: &DataFrame) -> Result<Vec<u8>, ReportError> {
    let mut bytes = Vec::new();
    let mut frame = frame.clone();
    CsvWriter::new(&mut bytes)
        .include_header(true)
        .finish(&mut frame)
        .map_err(frame_error)?;
    Ok(bytes)
}

/// The frame as a Parquet file, zstd-compressed (polars' Parquet support
/// builds the codecs in any case, and every Parquet reader in use reads zstd).
pub fn to_parquet(frame: &DataFrame) -> Result<Vec<u8>, ReportError> {
    let mut bytes = Vec::new();
    let mut frame = frame.clone();
    ParquetWriter::new(&mut bytes)
        .with_compression(ParquetCompression::Zstd(None))
        .finish(&mut frame)
        .map_err(frame_error)?;
    Ok(bytes)
}

pub(crate) fn frame_error(error: PolarsError) -> ReportError {
    ReportError::Frame(error.to_string())
}

/// The mean of the first 5% of the probability mass of `worst_first`, a
/// non-empty column ordered from the worst value to the best: `w = n / 20`
/// whole paths and the next one with weight `(n mod 20) / 20`.
fn worst_five_percent_mean<'a>(worst_first: impl ExactSizeIterator<Item = &'a f64>) -> f64 {
    let n = worst_first.len();
    let (whole, remainder) = (n / 20, n % 20);
    let mut values = worst_first;
    let whole_sum: f64 = values.by_ref().take(whole).sum();
    let boundary = values.next().map_or(0.0, |&x| remainder as f64 * x);
    (20.0 * whole_sum + boundary) / n as f64
}
