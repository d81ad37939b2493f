//! The types that cross IPC, converted from the simulator's types. Their
//! TypeScript declarations are generated from these definitions
//! (`bindings.rs`) into `ui/src/bindings/ipc.ts`, committed; a test fails
//! when that file is stale.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A scenario the app can run: shipped with the app or opened from a file.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct ScenarioInfo {
    /// `shipped:<file stem>` or `file:<n>`; what `start_run` takes.
    pub id: String,
    pub name: String,
    /// The file name (shipped) or the full path (opened).
    pub file: String,
    /// The scenario's header comment, as written.
    pub description: String,
    pub shipped: bool,
    /// The scenario's own defaults.
    pub paths: u32,
    #[ts(type = "number")]
    pub seed: u64,
    pub horizon_days: u32,
    pub plans: Vec<PlanInfo>,
}

#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct PlanInfo {
    pub id: String,
    pub name: Option<String>,
}

/// What to run. Unset fields take the scenario's defaults.
#[derive(Clone, Debug, PartialEq, Deserialize, TS)]
pub struct RunRequest {
    pub scenario: String,
    pub paths: Option<u32>,
    #[ts(type = "number | null")]
    pub seed: Option<u64>,
    /// A fraction: 0.01 for 1%.
    pub precision: Option<f64>,
}

/// A plan's running estimate of mean gross margin.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct Estimate {
    pub plan: String,
    pub mean: f64,
    pub ci95: Option<(f64, f64)>,
}

/// What the run's channel carries, in order: progress after each batch,
/// then exactly one of finished, failed or cancelled.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RunEvent {
    Progress {
        run_id: u32,
        paths_done: u32,
        paths_max: u32,
        /// Measured by the shell over the whole run so far.
        paths_per_second: f64,
        /// At the current rate, to the most paths the run may take.
        seconds_left: Option<f64>,
        estimates: Vec<Estimate>,
    },
    Finished {
        run_id: u32,
        paths: u32,
        seconds: f64,
    },
    Failed {
        run_id: u32,
        error: crate::error::IpcError,
    },
    Cancelled {
        run_id: u32,
    },
}

/// Which way is better for a metric, so the UI can mark the best plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    Higher,
    Lower,
    /// Neither (a cost that grows with what is served, breakage).
    Neither,
}

/// One plan's value of one metric across paths.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct MetricCell {
    pub mean: f64,
    pub ci95: Option<(f64, f64)>,
    pub p05: f64,
    pub p50: f64,
    pub p95: f64,
}

/// One row of the comparison table: a metric, one cell per plan in plan order.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct MetricRow {
    pub name: String,
    pub label: String,
    /// `currency`, `percent`, `count`, `hours`, `days`, `probability`.
    pub unit: String,
    pub better: Better,
    pub cells: Vec<MetricCell>,
}

/// A finished run's comparison.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct RunResults {
    pub run_id: u32,
    pub scenario: String,
    #[ts(type = "number")]
    pub seed: u64,
    pub paths: u32,
    /// `paths` or `precision`.
    pub stopped_by: String,
    pub precision: Option<f64>,
    pub horizon_days: u32,
    pub plans: Vec<PlanInfo>,
    pub rows: Vec<MetricRow>,
}

/// A chart as an SVG document, shown in an element with `data-chart="<id>"`.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct ChartDto {
    pub id: String,
    pub title: String,
    pub svg: String,
}

/// Which journal entries the inspector wants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum JournalFilter {
    All,
    Rejected,
    Grants,
}

#[derive(Clone, Debug, PartialEq, Deserialize, TS)]
pub struct InspectRequest {
    pub run_id: u32,
    /// Index into the run's plans.
    pub plan: u32,
    /// A path the run simulated: 0 to paths - 1.
    pub path: u32,
    /// Index into the path's customers (`Inspection::customers`).
    pub customer: u32,
    pub filter: JournalFilter,
    pub offset: u32,
    pub limit: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct CustomerDto {
    pub index: u32,
    pub segment: String,
    pub joined_day: u32,
    pub agents: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct JournalEntryDto {
    /// Days since the horizon's start, with a fraction.
    pub day: f64,
    pub kind: String,
    pub grant: Option<String>,
    #[ts(type = "number | null")]
    pub usage: Option<u64>,
    /// Credits, exact.
    pub amount: Option<String>,
    pub reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct GrantDto {
    pub id: String,
    pub kind: String,
    pub drawn: String,
}

/// One customer of one path under one plan, simulated again with its journal.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct Inspection {
    pub plan: String,
    pub path: u32,
    pub customer: CustomerDto,
    /// Every customer on the path, to pick from.
    pub customers: Vec<CustomerDto>,
    /// End-of-day available balance, credits, one per horizon day.
    pub daily_available: Vec<f64>,
    /// The daily balance as an SVG line chart.
    pub balance_svg: String,
    pub grants: Vec<GrantDto>,
    pub entries_total: u32,
    pub entries_by_kind: Vec<(String, u32)>,
    pub matching: u32,
    pub offset: u32,
    pub entries: Vec<JournalEntryDto>,
}
