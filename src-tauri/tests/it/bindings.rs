//! The committed TypeScript declarations match the Rust types.

use std::path::Path;

use creditsim_desktop::bindings;

use crate::support::TempDir;

#[test]
fn committed_bindings_are_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let committed_path = root.join(bindings::FILE);
    let fresh = TempDir::new("bindings");
    let generated_path = fresh.0.join("ipc.ts");
    std::fs::write(&generated_path, bindings::typescript()).expect("write the generated file");
    let generated = std::fs::read_to_string(&generated_path).expect("read it back");
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&committed_path, &generated).expect("update the committed bindings");
        return;
    }
    let committed = std::fs::read_to_string(&committed_path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is stale: the IPC types in src-tauri/src/dto.rs or error.rs changed. \
         Regenerate it with `UPDATE_BINDINGS=1 cargo test -p creditsim-desktop --test it bindings` \
         and commit it.",
        bindings::FILE
    );
}

#[test]
fn bindings_declare_every_ipc_type() {
    let ts = bindings::typescript();
    for name in [
        "ErrorCode",
        "IpcError",
        "ScenarioInfo",
        "RunRequest",
        "RunEvent",
        "RunResults",
        "ChartDto",
        "InspectRequest",
        "Inspection",
    ] {
        assert!(
            ts.contains(&format!("export type {name} ")),
            "{name} is declared"
        );
    }
}
