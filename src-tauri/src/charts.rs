//! The dashboard's charts, as SVG documents: margin distributions, exposure
//! and balance fan charts, comparison bars.
//!
//! INTEGRATION POINT (crates/report): the report crate draws these same
//! charts with plotters, `report::charts::all(&RunOutput) ->
//! Result<Vec<Chart { id, title, svg }>, ChartError>`. Once it is in the
//! workspace, replace the body of [`all`] with a call to it (mapping
//! `ChartError` to `ErrorCode::Charts`) and delete the drawing below and
//! `svg.rs`'s chart functions that only this module uses. The command, the
//! DTO and the UI stay as they are.

use sim::bands::{BAND_PROBABILITIES, Bands};
use sim::metrics::{self, GROSS_MARGIN};
use sim::run::RunOutput;

use crate::dto::ChartDto;
use crate::error::{ErrorCode, IpcError, IpcResult};
use crate::svg::{self, BarPanel, Fan};

/// Every chart of a finished run, in dashboard order.
pub fn all(output: &RunOutput) -> IpcResult<Vec<ChartDto>> {
    if output.plans.is_empty() {
        return Err(IpcError::new(
            ErrorCode::Charts,
            "the run has no plans to draw",
        ));
    }
    let names: Vec<String> = output.plans.iter().map(|p| p.id.clone()).collect();
    let margin: Vec<(String, Vec<f64>)> = output
        .plans
        .iter()
        .map(|p| (p.id.clone(), p.column(GROSS_MARGIN)))
        .collect();
    let fans = |pick: fn(&sim::run::DailyBands) -> &Bands| -> Vec<Fan> {
        output
            .plans
            .iter()
            .map(|p| Fan {
                name: p.id.clone(),
                quantiles: quantiles(pick(&p.daily)),
            })
            .collect()
    };
    let panel = |name: &str, title: &str| -> BarPanel {
        let index = metrics::index(name).expect("a metric the simulator reports");
        BarPanel {
            title: title.to_owned(),
            bars: output
                .plans
                .iter()
                .map(|p| {
                    let s = p.summary(index);
                    (s.mean, s.ci95)
                })
                .collect(),
        }
    };
    let chart = |id: &str, title: &str, svg: String| ChartDto {
        id: id.to_owned(),
        title: title.to_owned(),
        svg,
    };
    let titles = [
        "Gross margin per path",
        "Exposure, 5–95% and 25–75% of paths, median",
        "Available balance, 5–95% and 25–75% of paths, median",
        "Means with 95% intervals",
    ];
    Ok(vec![
        chart(
            "margin",
            titles[0],
            svg::histograms(
                titles[0],
                "gross margin per path (billing currency)",
                &margin,
            ),
        ),
        chart(
            "exposure",
            titles[1],
            svg::fan_chart(
                titles[1],
                "exposure (billing currency)",
                &fans(|d| &d.exposure),
            ),
        ),
        chart(
            "balance",
            titles[2],
            svg::fan_chart(
                titles[2],
                "available balance (credits)",
                &fans(|d| &d.available),
            ),
        ),
        chart(
            "comparison",
            titles[3],
            svg::bar_panels(
                titles[3],
                &names,
                &[
                    panel("gross_margin", "Gross margin"),
                    panel("exposure_peak", "Peak exposure"),
                    panel("blocked_value", "Blocked value"),
                ],
            ),
        ),
    ])
}

/// Per day, the quantiles the fan chart draws (as [`BAND_PROBABILITIES`]).
fn quantiles(bands: &Bands) -> Vec<[f64; 5]> {
    debug_assert_eq!(BAND_PROBABILITIES.len(), 5);
    (0..bands.days()).map(|day| bands.quantiles(day)).collect()
}
