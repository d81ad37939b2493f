//! The ledger's integration tests, in one binary.

mod bad_files;
mod properties;
mod replay_cases;
