//! An advisory lock per `.emr` file, so that concurrent writers take turns.
//!
//! The lock is an exclusive `flock` on a sidecar file `FILE.emr.lock` (empty,
//! never deleted: deleting a lock file while another process waits on it would
//! let two writers in). The operating system releases the lock when the process
//! exits, so a crashed writer never leaves the file locked.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::error::StoreError;

/// Proof that this process holds the write lock of a `.emr` file.
#[derive(Debug)]
pub struct WriteLock {
    path: PathBuf,
    _file: File,
}

impl WriteLock {
    /// Take the lock of `path`, waiting up to `timeout` for another writer to finish.
    ///
    /// # Errors
    /// [`StoreError::LockTimeout`] after `timeout`; [`StoreError::ReadOnly`] when the
    /// lock file cannot be created (the directory is not writable).
    pub fn acquire(path: &Path, timeout: Duration) -> Result<WriteLock, StoreError> {
        let lock_path = lock_path(path);
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options.open(&lock_path).map_err(|e| StoreError::from_write(path, e))?;
        let start = Instant::now();
        let mut pause = Duration::from_millis(2);
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(WriteLock { path: path.to_path_buf(), _file: file }),
                Err(TryLockError::WouldBlock) => {}
                Err(TryLockError::Error(e)) => return Err(StoreError::from_write(path, e)),
            }
            let waited = start.elapsed();
            if waited >= timeout {
                return Err(StoreError::LockTimeout { path: path.to_path_buf(), waited_secs: waited.as_secs() });
            }
            std::thread::sleep(pause.min(timeout - waited));
            pause = (pause * 2).min(Duration::from_millis(50));
        }
    }

    /// The `.emr` file this lock protects.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// The sidecar lock file of a `.emr` file: `FILE.emr.lock` beside it.
pub fn lock_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".lock");
    path.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_holder_times_out_then_succeeds() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.emr");
        let first = WriteLock::acquire(&p, Duration::from_secs(1)).unwrap();
        let err = WriteLock::acquire(&p, Duration::from_millis(100)).unwrap_err();
        assert!(matches!(err, StoreError::LockTimeout { .. }));
        drop(first);
        WriteLock::acquire(&p, Duration::from_millis(100)).unwrap();
        assert!(lock_path(&p).ends_with("a.emr.lock"));
    }
}
