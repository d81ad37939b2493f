//! Exports of a finished run: one file of its report (PDF, HTML, XLSX,
//! each carrying the scenario text and seed it reproduces from) or its raw
//! paths (CSV, Parquet), built by the report crate and written atomically
//! to the path the save dialog returned.

use crate::dto::{ExportFormat, ExportProgress};
use crate::error::{ErrorCode, IpcError, IpcResult};
use crate::files;
use crate::runs::Finished;

fn single(format: ExportFormat) -> report::Single {
    match format {
        ExportFormat::Pdf => report::Single::Pdf,
        ExportFormat::Html => report::Single::Html,
        ExportFormat::Xlsx => report::Single::Xlsx,
        ExportFormat::Csv => report::Single::Csv,
        ExportFormat::Parquet => report::Single::Parquet,
    }
}

/// Builds and writes the export; returns the path written. The path is
/// checked before anything is built, so a bad choice fails at once.
pub fn export(
    finished: &Finished,
    format: ExportFormat,
    path: &str,
    progress: &dyn Fn(ExportProgress),
) -> IpcResult<String> {
    let single = single(format);
    let target = files::export_path(path, single.extension())?;
    let steps = match single {
        report::Single::Csv | report::Single::Parquet => 2,
        _ => 3,
    };
    let mut step = 0;
    let mut tell = |stage: &str| {
        step += 1;
        progress(ExportProgress {
            step,
            steps,
            stage: stage.to_owned(),
        });
    };
    let input = report::ReportInput {
        run: &finished.output,
        scenario_text: &finished.source.text,
        scenario_file_name: &finished.source.file_name,
        sensitivity: None,
        generated_on: None,
    };
    let bytes = report::build_single(&input, single, &mut |stage| tell(stage.describe()))
        .map_err(|e| IpcError::new(ErrorCode::Export, format!("{path}: {e}")))?;
    tell("writing the file");
    files::write_atomically(&target, &bytes)?;
    Ok(target.display().to_string())
}
