//! Reading input files, shared by the shells (the CLI and the desktop app):
//! a size limit, UTF-8, and errors in words for the person who chose the
//! file. The rest of the crate takes text, never paths.

use std::io;
use std::path::Path;

use crate::catalogue::Catalogue;

/// The most a file the shells read may hold: far above any real scenario or
/// replay file, low enough that a wrong path (a disk image) is refused.
pub const MAX_FILE_BYTES: u64 = 512 << 20;

/// The file's text, refusing a file too large or not UTF-8; the error is a
/// message for the user (without the file name, which the caller adds).
pub fn read_text(file: &Path) -> Result<String, String> {
    let cannot_read = |error: io::Error| format!("cannot read the file: {}", io_reason(&error));
    let handle = std::fs::File::open(file).map_err(cannot_read)?;
    let mut bytes = Vec::new();
    // Reading one byte past the limit tells "at the limit" from "over it"
    // without trusting the file's reported size (a pipe has none).
    io::Read::read_to_end(&mut io::Read::take(handle, MAX_FILE_BYTES + 1), &mut bytes)
        .map_err(cannot_read)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "the file is larger than {} MiB, the most creditsim reads",
            MAX_FILE_BYTES >> 20
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        format!("the file is not UTF-8 text (invalid byte at offset {offset})")
    })
}

/// The SHA-256 of the file at `path` as lowercase hex, read in blocks (a
/// trace of any size hashes in constant memory). The error is a message for
/// the user, without the file name.
pub fn sha256_file(path: &Path) -> Result<String, String> {
    use sha2::{Digest, Sha256};
    let cannot_read = |error: io::Error| format!("cannot read the file: {}", io_reason(&error));
    let mut file = std::fs::File::open(path).map_err(cannot_read)?;
    let mut hasher = Sha256::new();
    let mut block = vec![0u8; 1 << 16];
    loop {
        let n = io::Read::read(&mut file, &mut block).map_err(cannot_read)?;
        if n == 0 {
            break;
        }
        hasher.update(&block[..n]);
    }
    Ok(crate::catalogue::hex(&hasher.finalize()))
}

/// The catalogue a scenario's `[catalogue] file` names, read relative to
/// the directory of the scenario file at `scenario`: `None` when the
/// scenario names none. The errors are lines for the user, each starting
/// with the catalogue's path.
pub fn read_catalogue_for(text: &str, scenario: &Path) -> Option<Result<Catalogue, Vec<String>>> {
    let file = crate::scenario::catalogue_file(text)?;
    let dir = scenario.parent().unwrap_or_else(|| Path::new(""));
    Some(read_catalogue(&dir.join(file)))
}

/// The catalogue file at `path`, parsed; errors as in [`read_catalogue_for`].
pub fn read_catalogue(path: &Path) -> Result<Catalogue, Vec<String>> {
    let name = path.display();
    let text = read_text(path).map_err(|message| vec![format!("{name}: {message}")])?;
    Catalogue::parse(&text)
        .map_err(|problems| problems.iter().map(|p| format!("{name}: {p}")).collect())
}

/// An I/O error in words, without the OS error number.
fn io_reason(error: &io::Error) -> String {
    match error.kind() {
        io::ErrorKind::NotFound => "no such file".to_owned(),
        io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        io::ErrorKind::IsADirectory => "it is a directory".to_owned(),
        _ => error.to_string(),
    }
}
