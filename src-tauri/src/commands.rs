//! The window's commands: each converts its arguments, calls one [`App`]
//! method and returns its result. Commands that compute are `async`, so
//! Tauri runs them off the main (UI) thread.

use tauri::State;
use tauri::ipc::Channel;

use crate::app::App;
use crate::dto::{
    ChartDto, InspectRequest, Inspection, RunEvent, RunRequest, RunResults, ScenarioInfo,
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
