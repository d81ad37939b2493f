//! Generates the build-time context (config, capabilities, embedded ui/dist)
//! and one permission per app command, so the capability file can grant the
//! window exactly the commands it uses.

const COMMANDS: &[&str] = &[
    "list_scenarios",
    "open_scenario",
    "start_run",
    "cancel_run",
    "run_results",
    "run_charts",
    "inspect_path",
    "save_results",
    "scenario_text",
    "validate_scenario",
    "scenario_form",
    "set_field",
    "add_element",
    "remove_element",
    "distribution_preview",
    "catalogue_models",
    "add_catalogue_model",
    "save_scenario",
    "save_draft",
    "load_drafts",
    "discard_draft",
    "pin_run",
    "unpin_run",
    "compare_runs",
    "compare_charts",
    "export_run",
    "price_catalogue",
    "import_catalogue",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    tauri_build::try_build(attributes).expect("tauri build script");
}
