//! Exports: each format written where asked, with its stages told in
//! order; the report files carry the scenario text the run used (as
//! edited); a path that cannot be written gets an error naming it and the
//! fix, and nothing half written.

use std::sync::Mutex;

use creditsim_desktop::dto::{ExportFormat, ExportProgress, RunRequest};
use creditsim_desktop::error::ErrorCode;

use crate::support::{TempDir, app_with_tiny, events_to_end, finished_run, request, start};

fn export(
    app: &creditsim_desktop::app::App,
    run: u32,
    format: ExportFormat,
    path: &str,
) -> (
    Result<String, creditsim_desktop::error::IpcError>,
    Vec<ExportProgress>,
) {
    let seen = Mutex::new(Vec::new());
    let result = app.export_run(run, format, path, &|p| seen.lock().unwrap().push(p));
    (result, seen.into_inner().unwrap())
}

#[test]
fn every_format_is_written_with_its_stages() {
    let (app, scenario) = app_with_tiny();
    let run = finished_run(&app, &scenario, 20);
    let dir = TempDir::new("export-all");
    for (format, name, magic) in [
        (ExportFormat::Pdf, "r.pdf", &b"%PDF-"[..]),
        (ExportFormat::Html, "r.html", b"<!DOCTYPE html>"),
        (ExportFormat::Xlsx, "r.xlsx", b"PK"),
        (ExportFormat::Csv, "r.csv", b"scenario,seed,plan,path"),
        (ExportFormat::Parquet, "r.parquet", b"PAR1"),
    ] {
        let path = dir.path(name);
        let (written, stages) = export(&app, run, format, &path);
        let written = written.unwrap_or_else(|e| panic!("{name}: {e}"));
        let bytes = std::fs::read(&written).expect("the file exists");
        assert!(bytes.starts_with(magic), "{name} starts with {magic:?}");
        let steps: Vec<u32> = stages.iter().map(|s| s.step).collect();
        let expected: Vec<u32> = (1..=stages[0].steps).collect();
        assert_eq!(steps, expected, "{name}: stages in order");
        assert_eq!(stages.last().unwrap().stage, "writing the file");
    }
    let csv = std::fs::read_to_string(dir.path("r.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 20 * 2, "a row per path and plan");
    // No temporary file is left beside the exports.
    let names: Vec<String> = std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 5, "{names:?}");
}

#[test]
fn a_report_embeds_the_text_the_run_used() {
    let (app, scenario) = app_with_tiny();
    let text = app.scenario_text(&scenario).unwrap();
    let edited = text.replacen("customers = 6", "customers = 5", 1);
    assert_ne!(edited, text);
    let (run, rx) = start(
        &app,
        &RunRequest {
            text: Some(edited.clone()),
            seed: Some(4242),
            ..request(&scenario, 15)
        },
    );
    events_to_end(&rx);
    let dir = TempDir::new("export-embed");
    let (written, _) = export(&app, run, ExportFormat::Html, &dir.path("edited.html"));
    let html = std::fs::read_to_string(written.unwrap()).unwrap();
    assert!(html.contains("data-file=\"tiny.toml\" data-seed=\"4242\" data-paths=\"15\""));
    assert!(
        html.contains("customers = 5"),
        "the edited text, not the file"
    );
    assert!(!html.contains("customers = 6"));
}

#[test]
fn a_target_that_cannot_be_written_is_named_with_the_fix() {
    let (app, scenario) = app_with_tiny();
    let run = finished_run(&app, &scenario, 10);
    let dir = TempDir::new("export-bad");

    let missing = dir.path("no-such-folder/r.pdf");
    let (result, stages) = export(&app, run, ExportFormat::Pdf, &missing);
    let error = result.expect_err("no folder");
    assert_eq!(error.code, ErrorCode::BadPath);
    assert!(error.message.starts_with(&missing), "{}", error.message);
    assert!(
        error.message.contains("choose a folder that does"),
        "{}",
        error.message
    );
    assert!(stages.is_empty(), "refused before any work");

    let (result, _) = export(&app, run, ExportFormat::Xlsx, &dir.path("r.pdf"));
    let error = result.expect_err("wrong extension");
    assert_eq!(error.code, ErrorCode::BadPath);
    assert!(
        error.message.contains("ending in .xlsx"),
        "{}",
        error.message
    );

    // /proc takes no new files, even from root (a read-only folder would
    // not stop a test run as root).
    let (result, _) = export(&app, run, ExportFormat::Csv, "/proc/creditsim-export.csv");
    let error = result.expect_err("unwritable folder");
    assert_eq!(error.code, ErrorCode::Io);
    assert!(
        error.message.starts_with("/proc/creditsim-export.csv"),
        "{}",
        error.message
    );
    assert!(
        error.message.contains("choose a folder you can write to"),
        "{}",
        error.message
    );

    let (result, _) = export(&app, 999, ExportFormat::Csv, &dir.path("r.csv"));
    assert_eq!(result.expect_err("no run").code, ErrorCode::UnknownRun);
}

#[test]
fn an_export_replaces_an_existing_file_whole() {
    let (app, scenario) = app_with_tiny();
    let run = finished_run(&app, &scenario, 10);
    let dir = TempDir::new("export-replace");
    let path = dir.path("r.csv");
    std::fs::write(&path, "old contents that are longer than nothing at all").unwrap();
    let (written, _) = export(&app, run, ExportFormat::Csv, &path);
    let text = std::fs::read_to_string(written.unwrap()).unwrap();
    assert!(text.starts_with("scenario,seed,plan,path"));
    assert!(!text.contains("old contents"));
}
