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
    /// The scenario's text as edited, run instead of the copy the app
    /// loaded (its catalogue is found as for `scenario`'s file).
    #[serde(default)]
    #[ts(optional)]
    pub text: Option<String>,
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

/// One problem the loader found in a scenario text.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct Problem {
    /// The loader's error code (`out_of_range`, `syntax`, ...).
    pub code: String,
    /// The field path (`plans[0].exhaustion.limit`); empty for the file.
    pub path: String,
    /// 1-based, in the text.
    pub line: u32,
    /// 1-based, in characters.
    pub column: u32,
    pub message: String,
    pub hint: Option<String>,
}

/// What the loader says about a scenario text.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct Validation {
    pub ok: bool,
    pub problems: Vec<Problem>,
    /// Things that do not stop a run (a catalogue taken from the app's own copy).
    pub warnings: Vec<String>,
    /// One line: what the scenario holds, or how many problems it has.
    pub summary: String,
}

/// A distribution in the form: its name and parameters as typed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DistValue {
    pub dist: String,
    pub params: Vec<(String, String)>,
}

/// One editable field: `kind` is `integer`, `float`, `decimal`, `text`,
/// `choice`, `date`, `period`, `dist` or `number_list`.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct FormField {
    /// The loader's field path, where its problems are reported.
    pub path: String,
    pub label: String,
    pub kind: String,
    /// As written; `null` when the default applies.
    pub value: Option<String>,
    pub dist: Option<DistValue>,
    /// What applies when not written, in words.
    pub default: Option<String>,
    pub options: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct FormBlock {
    pub title: String,
    pub path: String,
    pub note: Option<String>,
    pub fields: Vec<FormField>,
    /// An array element `remove_element` may remove.
    pub removable: bool,
    /// An array `add_element` may add to.
    pub add: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct FormSection {
    /// `models`, `segment` or `plan`.
    pub kind: String,
    pub title: String,
    pub path: String,
    pub blocks: Vec<FormBlock>,
}

/// The editor's form over a scenario text.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct FormModel {
    /// The scenario's `start` as written.
    pub start: Option<String>,
    pub models: Vec<String>,
    pub sections: Vec<FormSection>,
}

/// A change to one field: `value` for a scalar (null to remove it and take
/// the default), `dist` for a distribution.
#[derive(Clone, Debug, PartialEq, Deserialize, TS)]
pub struct FieldEdit {
    pub path: String,
    pub kind: String,
    pub value: Option<String>,
    pub dist: Option<DistValue>,
}

/// A distribution's shape for a sparkline, from the simulator's own sampler.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct DistPreview {
    pub low: f64,
    pub high: f64,
    /// Bin heights, the highest 1, between `low` and `high`.
    pub density: Vec<f64>,
    pub p05: f64,
    pub p50: f64,
    pub p95: f64,
    pub mean: Option<f64>,
}

/// A model of the embedded price catalogue the simulator can price.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct CatalogueChoice {
    /// `provider/model`.
    pub id: String,
    pub name: String,
    /// Provider prices per million tokens on the day asked for, exact.
    pub input: String,
    pub output: String,
    pub cache_read: String,
    /// Dated changes after that day.
    pub changes: u32,
}

/// Unsaved editor text kept on disk until saved or discarded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct Draft {
    /// `shipped:<stem>` for a shipped scenario, else the file's absolute path.
    pub key: String,
    /// The scenario's name, for the banner.
    pub name: String,
    pub text: String,
}

/// One run of a comparison.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct ComparedRun {
    pub run_id: u32,
    pub scenario: String,
    #[ts(type = "number")]
    pub seed: u64,
    pub paths: u32,
}

/// One metric of one plan in both runs.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct DeltaCell {
    pub baseline: f64,
    pub candidate: f64,
    /// Candidate minus baseline.
    pub delta: f64,
    /// The 95% interval of `delta`; null with one path.
    pub ci95: Option<(f64, f64)>,
}

/// A metric across the plans both runs have: one cell per plan of
/// [`Comparison::plans`].
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct DeltaRow {
    pub name: String,
    pub label: String,
    pub unit: String,
    pub better: Better,
    pub cells: Vec<DeltaCell>,
}

/// What a line of the scenario diff is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DiffTag {
    /// In both texts (context around a change).
    Same,
    /// Only in the baseline's text.
    Removed,
    /// Only in the candidate's text.
    Added,
    /// Unchanged lines left out between two changes.
    Gap,
}

/// One line of the scenario diff.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct DiffLine {
    pub tag: DiffTag,
    /// The line without its line break (empty for a gap).
    pub text: String,
    /// 1-based line numbers in the baseline's and the candidate's text.
    pub old_line: Option<u32>,
    pub new_line: Option<u32>,
}

/// A candidate run against the pinned baseline.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct Comparison {
    pub baseline: ComparedRun,
    pub candidate: ComparedRun,
    /// `paired`, `independent_seeds` or `independent_paths`.
    pub method: String,
    /// The method in words, for the reader.
    pub method_text: String,
    /// Plans both runs have, in the candidate's order.
    pub plans: Vec<PlanInfo>,
    pub rows: Vec<DeltaRow>,
    /// Plan ids of one run only, not compared.
    pub only_baseline: Vec<String>,
    pub only_candidate: Vec<String>,
    /// The scenario texts' line diff with three lines of context; empty
    /// when the texts are the same.
    pub diff: Vec<DiffLine>,
    /// Lines added plus lines removed.
    pub lines_changed: u32,
}

/// What to export: a file of the report, or the raw paths.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// The memo as PDF, the scenario text and seed in an appendix.
    Pdf,
    /// The memo as one HTML file, the scenario text and seed in an appendix.
    Html,
    /// The workbook, the scenario text and seed on its `Scenario` sheet.
    Xlsx,
    /// Every path of every plan, one row each.
    Csv,
    Parquet,
}

/// An export's progress: stage `step` of `steps` is starting.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct ExportProgress {
    pub step: u32,
    pub steps: u32,
    /// What the stage does (`typesetting the PDF`).
    pub stage: String,
}

/// A set of prices and the day it starts (USD per million tokens, exact
/// decimals as the catalogue writes them; null where the model has none).
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct PriceRow {
    /// `YYYY-MM-DD`; null for the model's undated first prices.
    pub from: Option<String>,
    pub input: Option<String>,
    pub output: Option<String>,
    pub cache_read: Option<String>,
    /// Some price changes above a context length (the base is shown).
    pub tiered: bool,
    /// Applies only at some times of day (the simulator does not use it).
    pub time_of_day: bool,
}

/// A catalogue model with its prices.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct ModelPrices {
    /// `provider/model`, as a scenario names it.
    pub id: String,
    pub provider: String,
    pub provider_name: String,
    pub name: Option<String>,
    pub deprecated: bool,
    /// The prices in force on the view's day.
    pub current: Option<PriceRow>,
    /// Every dated price entry, oldest first.
    pub changes: Vec<PriceRow>,
}

/// The catalogue in use, for the Prices tab.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct CatalogueView {
    /// `built_in` or `imported`.
    pub origin: String,
    /// Which catalogue, in words.
    pub description: String,
    /// The genai-prices file it was made from, and that file's SHA-256.
    pub source_file: String,
    pub source_sha256: String,
    /// The catalogue's own SHA-256, as a scenario's `[catalogue] sha256` pins it.
    pub sha256: String,
    /// The day `current` prices are for.
    pub day: String,
    /// Why a stored import was not used, if it was not.
    pub problem: Option<String>,
    /// After an import: what it brought and what the simulator ignores.
    pub import_summary: Option<String>,
    pub models: Vec<ModelPrices>,
}
