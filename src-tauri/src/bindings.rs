//! The TypeScript declarations of every IPC type, as one module. Committed as
//! `ui/src/bindings/ipc.ts`; `tests/it/bindings.rs` fails when it is stale
//! and tells how to regenerate it.

use ts_rs::TS;

use crate::dto;
use crate::error;

/// Where the declarations live, relative to the workspace root.
pub const FILE: &str = "ui/src/bindings/ipc.ts";

/// One type's declaration as ts-rs writes it to a file: its doc comment,
/// then `export type ...`.
fn declaration<T: TS>() -> String {
    let mut out = T::docs().unwrap_or_default();
    out.push_str("export ");
    out.push_str(&T::decl());
    out.push('\n');
    out
}

/// The declarations, in a fixed order, as the committed file holds them.
pub fn typescript() -> String {
    let decls = [
        declaration::<error::ErrorCode>(),
        declaration::<error::IpcError>(),
        declaration::<dto::ScenarioInfo>(),
        declaration::<dto::PlanInfo>(),
        declaration::<dto::RunRequest>(),
        declaration::<dto::Estimate>(),
        declaration::<dto::RunEvent>(),
        declaration::<dto::Better>(),
        declaration::<dto::MetricCell>(),
        declaration::<dto::MetricRow>(),
        declaration::<dto::RunResults>(),
        declaration::<dto::ChartDto>(),
        declaration::<dto::JournalFilter>(),
        declaration::<dto::InspectRequest>(),
        declaration::<dto::CustomerDto>(),
        declaration::<dto::JournalEntryDto>(),
        declaration::<dto::GrantDto>(),
        declaration::<dto::Inspection>(),
        declaration::<dto::Problem>(),
        declaration::<dto::Validation>(),
        declaration::<dto::DistValue>(),
        declaration::<dto::FormField>(),
        declaration::<dto::FormBlock>(),
        declaration::<dto::FormSection>(),
        declaration::<dto::FormModel>(),
        declaration::<dto::FieldEdit>(),
        declaration::<dto::DistPreview>(),
        declaration::<dto::CatalogueChoice>(),
        declaration::<dto::Draft>(),
        declaration::<dto::ComparedRun>(),
        declaration::<dto::DeltaCell>(),
        declaration::<dto::DeltaRow>(),
        declaration::<dto::DiffTag>(),
        declaration::<dto::DiffLine>(),
        declaration::<dto::Comparison>(),
        declaration::<dto::ExportFormat>(),
        declaration::<dto::ExportProgress>(),
        declaration::<dto::PriceRow>(),
        declaration::<dto::ModelPrices>(),
        declaration::<dto::CatalogueView>(),
    ];
    let mut out = String::from(
        "// Generated from src-tauri/src/dto.rs and error.rs by ts-rs; do not edit.\n\
         // Regenerate: UPDATE_BINDINGS=1 cargo test --workspace --locked -- bindings\n",
    );
    for decl in decls {
        out.push('\n');
        out.push_str(&decl);
    }
    out
}
