//! The dashboard's charts, as SVG documents: margin distributions, exposure
//! and balance fan charts, comparison bars, and the path inspector's daily
//! balance.
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
