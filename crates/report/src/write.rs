//! The one place the report crate touches the file system: each file is
//! written to a temporary file in the same directory, flushed to disk and
//! renamed over its final name, so a reader never sees half a file and a
//! failed write leaves whatever was there before.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::{ReportError, ReportFile};

/// Writes `bytes` to `path` atomically: a temporary file beside it, then a
/// rename. On failure the temporary file is removed and `path` is untouched.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    let io = |source: std::io::Error| ReportError::Io {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| io(std::io::Error::other("the path has no file name")))?;
    let temp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let mut file = fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&temp, path)
    })();
    if result.is_err() {
        // The temporary file may not exist (create failed); nothing to report then.
        let _ = fs::remove_file(&temp);
    }
    result.map_err(io)
}

/// Creates `dir` and its parents if missing.
pub fn create_dir(dir: &Path) -> Result<(), ReportError> {
    fs::create_dir_all(dir).map_err(|source| ReportError::Io {
        path: dir.to_path_buf(),
        source,
    })
}

/// Creates `dir` if missing and writes each file into it atomically, in
/// order; returns their paths.
pub fn write_files(dir: &Path, files: Vec<ReportFile>) -> Result<Vec<PathBuf>, ReportError> {
    create_dir(dir)?;
    let mut written = Vec::with_capacity(files.len());
    for file in files {
        let path = dir.join(&file.name);
        write_atomic(&path, &file.bytes)?;
        written.push(path);
    }
    Ok(written)
}
