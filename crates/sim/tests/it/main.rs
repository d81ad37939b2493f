//! The sim crate's one integration-test binary (one link instead of one per
//! file): scenario files that load, the bad-scenario corpus, and the
//! committed JSON Schema and format docs.

mod bad;
mod good;
mod plans;
mod run;
mod scenarios;
mod schema;

use std::path::PathBuf;

/// `crates/sim` in the source tree.
fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The workspace's `docs/` folder.
fn docs_dir() -> PathBuf {
    crate_dir().join("../../docs")
}
