//! The dashboard's charts, as SVG documents: margin distributions, exposure
//! and balance fan charts, comparison bars, the path inspector's daily
//! balance and the Compare view's overlaid margin distributions.
//!
//! The report crate draws them (`report::charts`), so the dashboard shows
//! exactly the charts a report prints.

use sim::run::RunOutput;

use crate::dto::ChartDto;
use crate::error::{ErrorCode, IpcError, IpcResult};

/// Every chart of a finished run, in report order.
pub fn all(output: &RunOutput) -> IpcResult<Vec<ChartDto>> {
    let charts = report::charts::all(output)
        .map_err(|error| IpcError::new(ErrorCode::Charts, error.to_string()))?;
    Ok(charts
        .into_iter()
        .map(|chart| ChartDto {
            id: chart.id.to_owned(),
            title: chart.title,
            svg: chart.svg,
        })
        .collect())
}

/// Two runs' margin distributions on one chart, each with its legend label.
pub fn overlay(baseline: (&str, &RunOutput), candidate: (&str, &RunOutput)) -> IpcResult<ChartDto> {
    let overlay = report::charts::Overlay {
        baseline: baseline.1,
        candidate: candidate.1,
        baseline_label: baseline.0,
        candidate_label: candidate.0,
    };
    let chart = report::charts::margin_overlay(&overlay)
        .map_err(|error| IpcError::new(ErrorCode::Charts, error.to_string()))?;
    Ok(ChartDto {
        id: chart.id.to_owned(),
        title: chart.title,
        svg: chart.svg,
    })
}

/// One customer's daily available balance, for the path inspector.
pub fn balance(title: String, daily_available: &[f64]) -> IpcResult<String> {
    let series = report::charts::DailySeries {
        title,
        y_label: "Available balance (credits)".into(),
        values: daily_available.to_vec(),
    };
    report::charts::daily(&series)
        .map(|chart| chart.svg)
        .map_err(|error| IpcError::new(ErrorCode::Charts, error.to_string()))
}
