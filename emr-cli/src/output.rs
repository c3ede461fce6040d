//! Where command output goes: standard output for `-`, else a new file that is not
//! overwritten without `--force`.

use std::io::Write;
use std::path::Path;

use crate::error::CliError;
use crate::store::{write_atomic, write_new_private, StoreError};

/// Write `bytes` to `path` (`-` = standard output).
///
/// A new file is created with mode 0600. An existing file is refused unless
/// `force`, and then replaced atomically.
///
/// # Errors
/// [`CliError::OutputExists`], or the write error (read-only directory, disk full…).
pub fn write_output(path: &Path, bytes: &[u8], force: bool) -> Result<(), CliError> {
    if path.as_os_str() == "-" {
        let mut out = std::io::stdout().lock();
        return out
            .write_all(bytes)
            .and_then(|()| out.flush())
            .map_err(|e| CliError::Store(StoreError::from_write(Path::new("standard output"), e)));
    }
    if path.exists() || path.is_symlink() {
        if !force {
            return Err(CliError::OutputExists(path.to_path_buf()));
        }
        return Ok(write_atomic(path, bytes)?);
    }
    write_new_private(path, bytes).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => CliError::OutputExists(path.to_path_buf()),
        _ => CliError::Store(StoreError::from_write(path, e)),
    })
}

/// Print text to standard output.
///
/// # Errors
/// Standard output is closed or full.
pub fn print(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    let r = out.write_all(text.as_bytes()).and_then(|()| out.flush());
    match r {
        // A closed pipe (`emr list … | head`) is not an error worth reporting.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.map_err(|e| CliError::Store(StoreError::from_write(Path::new("standard output"), e))),
    }
}

/// Print JSON text pretty, followed by a newline, exactly as written otherwise: numbers keep
/// their text (`6.30` stays `6.30`), members their order.
///
/// # Errors
/// As for [`print()`]; [`CliError::Internal`] if the text is not JSON (emr wrote it, so never).
pub fn print_json_text(text: &str) -> Result<(), CliError> {
    let tree = emr_core::json::parse(text).map_err(|e| CliError::Internal(e.to_string()))?;
    let mut text = tree.to_pretty_string();
    text.push('\n');
    print(&text)
}

/// Print a value as pretty JSON, followed by a newline.
///
/// # Errors
/// As for [`print()`].
pub fn print_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<(), CliError> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    print(&text)
}
