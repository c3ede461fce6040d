//! Reading a file whole and replacing it atomically.
//!
//! A write goes to a new temporary file in the same directory (created with
//! `create_new`, mode 0600), is flushed to disk, renamed over the target, and
//! the directory is flushed so the rename itself survives a crash. Readers see
//! the old file or the new one, never a mixture; on any failure the old file
//! is left exactly as it was.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use super::error::{parent_of, StoreError};

/// Read a whole file.
///
/// # Errors
/// [`StoreError::Missing`] when it does not exist, [`StoreError::Io`] otherwise.
pub fn read_all(path: &Path) -> Result<Vec<u8>, StoreError> {
    std::fs::read(path).map_err(|e| StoreError::from_read(path, e))
}

/// Replace `path` with `bytes`, atomically and durably.
///
/// # Errors
/// [`StoreError::ReadOnly`], [`StoreError::DiskFull`] or [`StoreError::Io`];
/// the file at `path` is then unchanged and no temporary file is left.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    write_atomic_with(path, |tmp| tmp.write_all(bytes))
}

/// Replace `path` with what `write` writes into a new temporary file, atomically and durably.
///
/// # Errors
/// As for [`write_atomic`]; an error from `write` leaves the file unchanged too.
pub(crate) fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> Result<(), StoreError> {
    let dir = parent_of(path);
    let (tmp_path, mut tmp) = create_temp(path)?;
    let written = write(&mut tmp).and_then(|()| tmp.sync_all());
    drop(tmp);
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp_path);
        return Err(StoreError::from_write(path, e));
    }
    if let Err(e) = std::fs::rename(&tmp_path, path) {
        let _ = std::fs::remove_file(&tmp_path);
        return Err(StoreError::from_write(path, e));
    }
    // The rename is only durable once the directory entry is on disk.
    sync_dir(dir).map_err(|e| StoreError::from_write(path, e))
}

/// Write a new file that must not exist yet (mode 0600 on Unix).
///
/// # Errors
/// `AlreadyExists` when it exists; other errors as for [`write_atomic`].
pub fn write_new_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = private_options().open(path)?;
    let r = f.write_all(bytes).and_then(|()| f.sync_all());
    if r.is_err() {
        drop(f);
        let _ = std::fs::remove_file(path);
    }
    r
}

/// Remove temporary files left by writers that were killed mid-write.
///
/// Only called while holding the file's lock: no live writer can own them then.
pub fn remove_stale_temps(path: &Path) {
    let Some(prefix) = temp_prefix(path) else { return };
    let Ok(entries) = std::fs::read_dir(parent_of(path)) else { return };
    for entry in entries.flatten() {
        if entry.file_name().to_str().is_some_and(|n| n.starts_with(&prefix)) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// `.NAME.tmp-`: hidden, and matched by the repository's `*.emr.tmp*` ignore rule.
fn temp_prefix(path: &Path) -> Option<String> {
    path.file_name().and_then(|n| n.to_str()).map(|n| format!(".{n}.tmp-"))
}

/// A new temporary file (mode 0600) beside `path`, named `.NAME.tmp-PID-N`, for a write that
/// replaces `path` by renaming it.
///
/// # Errors
/// [`StoreError::ReadOnly`], [`StoreError::DiskFull`] or [`StoreError::Io`].
pub fn create_temp(path: &Path) -> Result<(PathBuf, File), StoreError> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let prefix = temp_prefix(path).ok_or_else(|| StoreError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "the path has no valid file name"),
    })?;
    let dir = parent_of(path);
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!("{prefix}{}-{n}", std::process::id()));
        match private_options().open(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 1000 => continue,
            Err(e) => return Err(StoreError::from_write(path, e)),
        }
    }
}

/// Options that create a new file readable by its owner only (0600 on Unix).
pub fn private_options() -> OpenOptions {
    let mut o = OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.emr");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("a.emr")]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }

    #[test]
    fn stale_temps_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.emr");
        std::fs::write(dir.path().join(".a.emr.tmp-1-0"), b"x").unwrap();
        std::fs::write(dir.path().join("other"), b"x").unwrap();
        remove_stale_temps(&p);
        assert!(!dir.path().join(".a.emr.tmp-1-0").exists());
        assert!(dir.path().join("other").exists());
    }
}
