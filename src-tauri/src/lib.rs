//! creditsim's desktop app: a Tauri shell over the simulator. The window
//! (ui/) lists and opens scenarios, starts and cancels runs, watches their
//! progress on a channel, and shows the comparison, charts and the path
//! inspector. Everything that touches files or computes lives here in Rust;
//! the commands are thin (`commands.rs` over `app.rs`).

pub mod app;
pub mod bindings;
pub mod charts;
pub mod commands;
pub mod compare;
pub mod dto;
pub mod editor;
pub mod error;
pub mod export;
pub mod files;
pub mod prices;
pub mod runs;
pub mod scenarios;

use tauri::Manager;
use tauri_plugin_dialog::{DialogExt, MessageDialogButtons, MessageDialogKind};

/// Opens the window and runs until it is closed.
pub fn run() {
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .setup(|tauri_app| {
            // Drafts live in the app's data folder; without one the editor
            // still works and says that unsaved changes cannot be kept.
            let data_dir = tauri_app.path().app_data_dir().ok();
            tauri_app.manage(app::App::with_data_dir(data_dir));
            Ok(())
        })
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::CloseRequested { api, .. } = event {
                ask_before_discarding(window, api);
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::list_scenarios,
            commands::open_scenario,
            commands::start_run,
            commands::cancel_run,
            commands::run_results,
            commands::run_charts,
            commands::inspect_path,
            commands::save_results,
            commands::scenario_text,
            commands::validate_scenario,
            commands::scenario_form,
            commands::set_field,
            commands::add_element,
            commands::remove_element,
            commands::distribution_preview,
            commands::catalogue_models,
            commands::add_catalogue_model,
            commands::save_scenario,
            commands::save_draft,
            commands::load_drafts,
            commands::discard_draft,
            commands::pin_run,
            commands::unpin_run,
            commands::compare_runs,
            commands::compare_charts,
            commands::export_run,
            commands::price_catalogue,
            commands::import_catalogue,
        ])
        .run(tauri::generate_context!())
        .expect("the window could not be opened (is a display available?)");
}

/// Closing with unsaved changes (drafts) asks first: discard them and
/// close, or keep editing. Asked from Rust, so the window needs no
/// permission to listen for or veto its own closing.
fn ask_before_discarding(window: &tauri::Window, api: &tauri::CloseRequestApi) {
    let unsaved = window.state::<app::App>().unsaved();
    if unsaved.is_empty() {
        return;
    }
    api.prevent_close();
    let message = format!(
        "You have unsaved changes to {}. Close and discard them?",
        unsaved.join(", ")
    );
    // GTK reads a message dialog's text as a printf format: a scenario
    // named "80% cut" would print garbage there.
    #[cfg(target_os = "linux")]
    let message = message.replace('%', "%%");
    let window = window.clone();
    window
        .dialog()
        .message(message)
        .title("Unsaved changes")
        .kind(MessageDialogKind::Warning)
        .buttons(MessageDialogButtons::OkCancelCustom(
            "Discard and close".to_owned(),
            "Keep editing".to_owned(),
        ))
        .show(move |discard| {
            if discard {
                let _ = window.state::<app::App>().discard_all_drafts();
                let _ = window.destroy();
            }
        });
}
