//! The one error type every command returns. It crosses IPC as
//! `{ code, message }`: the UI switches on `code` only and shows `message`
//! as it is; it never parses it.

use serde::Serialize;
use ts_rs::TS;

/// What went wrong, as a stable code the UI can switch on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// A path the user chose is not acceptable (relative, wrong extension, not a file).
    BadPath,
    /// Reading or writing a file failed.
    Io,
    /// The scenario file has problems; the message lists each with its place.
    BadScenario,
    /// No scenario with this id is open.
    UnknownScenario,
    /// No run with this id (never started, or evicted).
    UnknownRun,
    /// The run is still going (or failed), so it has no results.
    RunNotFinished,
    /// Paths, seed, precision or an inspector request out of range.
    BadOptions,
    /// Too many runs at once.
    Busy,
    /// The run was cancelled.
    Cancelled,
    /// Drawing a chart failed.
    Charts,
    /// The editor could not make a change (the text is not TOML, no such
    /// field or element); the text is left as it was.
    BadEdit,
    /// A distribution's parameters are not usable; the message names which.
    BadDistribution,
    /// A price catalogue file has problems; the message lists each.
    BadCatalogue,
    /// Building an export failed (the report crate's message says where).
    Export,
    /// Never sent by a command: the UI's code for a failure of the IPC layer
    /// itself (a command refused by the capabilities, arguments that do not
    /// decode), whose error is not an `IpcError`.
    Ipc,
}

/// An error for the UI: a code and a message for the person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS, thiserror::Error)]
#[error("{message}")]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
}

impl IpcError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> IpcError {
        IpcError {
            code,
            message: message.into(),
        }
    }
}

/// The result every command returns.
pub type IpcResult<T> = Result<T, IpcError>;
