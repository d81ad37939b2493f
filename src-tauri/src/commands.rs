//! The window's commands: each converts its arguments, calls one [`App`]
//! method and returns its result. Commands that compute are `async`, so
//! Tauri runs them off the main (UI) thread.

use tauri::State;
use tauri::ipc::Channel;

use crate::app::App;
use crate::dto::{
    CatalogueChoice, CatalogueView, ChartDto, Comparison, DistPreview, DistValue, Draft,
    ExportFormat, ExportProgress, FieldEdit, FormModel, InspectRequest, Inspection, RunEvent,
    RunRequest, RunResults, ScenarioInfo, Validation,
};
use crate::error::IpcResult;

#[tauri::command]
pub fn list_scenarios(app: State<'_, App>) -> Vec<ScenarioInfo> {
    app.list_scenarios()
}

#[tauri::command]
pub async fn open_scenario(app: State<'_, App>, path: String) -> IpcResult<ScenarioInfo> {
    app.open_scenario(&path)
}

/// Starts a run on its own thread; progress and the outcome arrive on `on_event`.
#[tauri::command]
pub fn start_run(
    app: State<'_, App>,
    request: RunRequest,
    on_event: Channel<RunEvent>,
) -> IpcResult<u32> {
    // A window that went away cannot be told; the run still finishes.
    app.start_run(
        &request,
        Box::new(move |event| {
            let _ = on_event.send(event);
        }),
    )
}

#[tauri::command]
pub fn cancel_run(app: State<'_, App>, run_id: u32) -> IpcResult<()> {
    app.cancel_run(run_id)
}

#[tauri::command]
pub async fn run_results(app: State<'_, App>, run_id: u32) -> IpcResult<RunResults> {
    app.run_results(run_id)
}

#[tauri::command]
pub async fn run_charts(app: State<'_, App>, run_id: u32) -> IpcResult<Vec<ChartDto>> {
    app.run_charts(run_id)
}

#[tauri::command]
pub async fn inspect_path(app: State<'_, App>, request: InspectRequest) -> IpcResult<Inspection> {
    app.inspect_path(&request)
}

#[tauri::command]
pub async fn save_results(app: State<'_, App>, run_id: u32, path: String) -> IpcResult<String> {
    app.save_results(run_id, &path)
}

/// The text an open scenario was loaded from, for the editor.
#[tauri::command]
pub fn scenario_text(app: State<'_, App>, scenario: String) -> IpcResult<String> {
    app.scenario_text(&scenario)
}

#[tauri::command]
pub async fn validate_scenario(
    app: State<'_, App>,
    text: String,
    scenario: Option<String>,
) -> IpcResult<Validation> {
    app.validate_scenario(&text, scenario.as_deref())
}

#[tauri::command]
pub async fn scenario_form(app: State<'_, App>, text: String) -> IpcResult<FormModel> {
    app.scenario_form(&text)
}

#[tauri::command]
pub async fn set_field(app: State<'_, App>, text: String, change: FieldEdit) -> IpcResult<String> {
    app.set_field(&text, &change)
}

#[tauri::command]
pub async fn add_element(app: State<'_, App>, text: String, path: String) -> IpcResult<String> {
    app.add_element(&text, &path)
}

#[tauri::command]
pub async fn remove_element(app: State<'_, App>, text: String, path: String) -> IpcResult<String> {
    app.remove_element(&text, &path)
}

#[tauri::command]
pub async fn distribution_preview(app: State<'_, App>, dist: DistValue) -> IpcResult<DistPreview> {
    app.distribution_preview(&dist)
}

#[tauri::command]
pub async fn catalogue_models(
    app: State<'_, App>,
    day: String,
    text: String,
) -> IpcResult<Vec<CatalogueChoice>> {
    app.catalogue_models(&day, &text)
}

#[tauri::command]
pub async fn add_catalogue_model(
    app: State<'_, App>,
    text: String,
    model: String,
    scenario: Option<String>,
) -> IpcResult<String> {
    app.add_catalogue_model(&text, &model, scenario.as_deref())
}

#[tauri::command]
pub async fn save_scenario(app: State<'_, App>, path: String, text: String) -> IpcResult<String> {
    app.save_scenario(&path, &text)
}

#[tauri::command]
pub async fn save_draft(app: State<'_, App>, draft: Draft) -> IpcResult<()> {
    app.save_draft(&draft)
}

#[tauri::command]
pub async fn load_drafts(app: State<'_, App>) -> IpcResult<Vec<Draft>> {
    app.load_drafts()
}

#[tauri::command]
pub async fn discard_draft(app: State<'_, App>, key: String) -> IpcResult<()> {
    app.discard_draft(&key)
}

#[tauri::command]
pub fn pin_run(app: State<'_, App>, run_id: u32) -> IpcResult<()> {
    app.pin_run(run_id)
}

#[tauri::command]
pub fn unpin_run(app: State<'_, App>) {
    app.unpin_run()
}

#[tauri::command]
pub async fn compare_runs(
    app: State<'_, App>,
    baseline: u32,
    candidate: u32,
) -> IpcResult<Comparison> {
    app.compare_runs(baseline, candidate)
}

#[tauri::command]
pub async fn compare_charts(
    app: State<'_, App>,
    baseline: u32,
    candidate: u32,
) -> IpcResult<Vec<ChartDto>> {
    app.compare_charts(baseline, candidate)
}

/// Exports a file of the run's report; each stage is told on `on_progress`.
/// Async, so the window stays responsive while the PDF is typeset.
#[tauri::command]
pub async fn export_run(
    app: State<'_, App>,
    run_id: u32,
    format: ExportFormat,
    path: String,
    on_progress: Channel<ExportProgress>,
) -> IpcResult<String> {
    app.export_run(run_id, format, &path, &|progress| {
        let _ = on_progress.send(progress);
    })
}

#[tauri::command]
pub async fn price_catalogue(app: State<'_, App>, day: String) -> IpcResult<CatalogueView> {
    app.price_catalogue(&day)
}

#[tauri::command]
pub async fn import_catalogue(
    app: State<'_, App>,
    path: String,
    day: String,
) -> IpcResult<CatalogueView> {
    app.import_catalogue(&path, &day)
}
