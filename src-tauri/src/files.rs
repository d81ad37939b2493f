//! Every file the app reads or writes goes through here: the webview has no
//! file system access, it passes a path the system dialog returned, and
//! these functions decide whether it is acceptable.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{ErrorCode, IpcError, IpcResult};

fn bad_path(path: &str, why: &str) -> IpcError {
    IpcError::new(ErrorCode::BadPath, format!("{path}: {why}"))
}

/// A scenario file to read: an absolute path to an existing regular file
/// ending in `.toml`, symbolic links resolved.
pub fn scenario_path(path: &str) -> IpcResult<PathBuf> {
    let given = Path::new(path);
    if !given.is_absolute() {
        return Err(bad_path(
            path,
            "expected an absolute path, as the open dialog returns",
        ));
    }
    if !has_extension(given, "toml") {
        return Err(bad_path(
            path,
            "a scenario is a .toml file; choose one ending in .toml",
        ));
    }
    let resolved = given
        .canonicalize()
        .map_err(|_| bad_path(path, "no such file"))?;
    let metadata = resolved
        .metadata()
        .map_err(|e| IpcError::new(ErrorCode::Io, format!("{path}: cannot read the file: {e}")))?;
    if !metadata.is_file() {
        return Err(bad_path(
            path,
            "not a regular file; choose a scenario .toml file",
        ));
    }
    Ok(resolved)
}

/// A results file to write: an absolute path ending in `.json` whose folder
/// exists. An existing file there is replaced (the save dialog asked).
pub fn results_path(path: &str) -> IpcResult<PathBuf> {
    save_path(
        path,
        "json",
        "results are saved as JSON; choose a name ending in .json",
    )
}

/// A scenario file to write: an absolute path ending in `.toml` whose
/// folder exists. An existing file there is replaced (the save dialog asked).
pub fn scenario_save_path(path: &str) -> IpcResult<PathBuf> {
    save_path(
        path,
        "toml",
        "a scenario is saved as a .toml file; choose a name ending in .toml",
    )
}

/// A data file to read (a genai-prices `data.json`): an absolute path to
/// an existing regular file ending in `.json`.
pub fn data_file_path(path: &str) -> IpcResult<PathBuf> {
    let given = Path::new(path);
    if !given.is_absolute() {
        return Err(bad_path(
            path,
            "expected an absolute path, as the open dialog returns",
        ));
    }
    if !has_extension(given, "json") {
        return Err(bad_path(
            path,
            "a genai-prices data file is a .json file; choose data.json",
        ));
    }
    let resolved = given
        .canonicalize()
        .map_err(|_| bad_path(path, "no such file"))?;
    if !resolved.is_file() {
        return Err(bad_path(path, "not a regular file; choose data.json"));
    }
    Ok(resolved)
}

/// An export to write: an absolute path ending in `.{extension}` whose
/// folder exists.
pub fn export_path(path: &str, extension: &str) -> IpcResult<PathBuf> {
    save_path(
        path,
        extension,
        &format!("this export is a .{extension} file; choose a name ending in .{extension}"),
    )
}

fn save_path(path: &str, extension: &str, wrong_extension: &str) -> IpcResult<PathBuf> {
    let given = Path::new(path);
    if !given.is_absolute() {
        return Err(bad_path(
            path,
            "expected an absolute path, as the save dialog returns",
        ));
    }
    if !has_extension(given, extension) {
        return Err(bad_path(path, wrong_extension));
    }
    let (Some(parent), Some(name)) = (given.parent(), given.file_name()) else {
        return Err(bad_path(path, "choose a file name, not a folder"));
    };
    let parent = parent
        .canonicalize()
        .map_err(|_| bad_path(path, "its folder does not exist; choose a folder that does"))?;
    if !parent.is_dir() {
        return Err(bad_path(path, "its folder is not a folder"));
    }
    let target = parent.join(name);
    if target.is_dir() {
        return Err(bad_path(path, "a folder has that name; choose another"));
    }
    Ok(target)
}

fn has_extension(path: &Path, wanted: &str) -> bool {
    path.extension()
        .is_some_and(|e| e.to_string_lossy().eq_ignore_ascii_case(wanted))
}

/// Writes `bytes` to `target` atomically: a temporary file in the same
/// folder, flushed to disk, then renamed over the target. A reader never
/// sees half a file, and a failure leaves the old file in place.
pub fn write_atomically(target: &Path, bytes: &[u8]) -> IpcResult<()> {
    let io = |e: std::io::Error| {
        IpcError::new(
            ErrorCode::Io,
            format!(
                "{}: cannot write the file: {e}; choose a folder you can write to \
                 (and check the disk is not full)",
                target.display()
            ),
        )
    };
    let parent = target.parent().ok_or_else(|| {
        IpcError::new(
            ErrorCode::BadPath,
            format!("{}: no folder", target.display()),
        )
    })?;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Unique per write, so two writes of the same file at once (a draft
    // saved from two commands) never share a temporary file.
    static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let temp = parent.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
    let written = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, target)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written.map_err(io)
}
