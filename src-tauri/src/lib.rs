//! creditsim's desktop app: a Tauri shell over the simulator. The window
//! (ui/) lists and opens scenarios, starts and cancels runs, watches their
//! progress on a channel, and shows the comparison, charts and the path
//! inspector. Everything that touches files or computes lives here in Rust;
//! the commands are thin (`commands.rs` over `app.rs`).

pub mod app;
pub mod bindings;
pub mod charts;
pub mod commands;
pub mod dto;
pub mod error;
pub mod files;
pub mod runs;
pub mod scenarios;

/// Opens the window and runs until it is closed.
pub fn run() {
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(app::App::new())
        .invoke_handler(tauri::generate_handler![
            commands::list_scenarios,
            commands::open_scenario,
            commands::start_run,
            commands::cancel_run,
            commands::run_results,
            commands::run_charts,
            commands::inspect_path,
            commands::save_results,
        ])
        .run(tauri::generate_context!())
        .expect("the window could not be opened (is a display available?)");
}
