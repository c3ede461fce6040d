//! What can go wrong with a `.emr` file, each case with its own exit code.
//!
//! Messages say what went wrong and what to do. They name files, never a patient's data.

use std::path::{Path, PathBuf};

/// An error opening, reading or writing a `.emr` file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The file does not exist.
    #[error("{}: no such file", .0.display())]
    Missing(PathBuf),
    /// The file has no bytes at all.
    #[error("{}: the file is empty (0 bytes)", .0.display())]
    Empty(PathBuf),
    /// The file does not start like an age-encrypted file.
    #[error("{}: not an emr file (it is not age-encrypted)", .0.display())]
    NotAge(PathBuf),
    /// The file ends before its encrypted content is complete.
    #[error("{}: the file is truncated (it ends before its encrypted content is complete)", .0.display())]
    Truncated(PathBuf),
    /// The encrypted content fails authentication: a changed byte, or a damaged header.
    #[error("{}: the file is damaged (its encrypted content fails the integrity check)", .0.display())]
    Corrupted(PathBuf),
    /// No given identity can decrypt the file.
    #[error("{}: none of the given identities can decrypt this file", .0.display())]
    WrongIdentity(PathBuf),
    /// The passphrase does not decrypt the file.
    #[error("{}: wrong passphrase", .0.display())]
    WrongPassphrase(PathBuf),
    /// The file is protected by a passphrase but only identities were given, or the reverse.
    #[error("{}: this file is protected by {needs}, but {given} was given", path.display())]
    WrongKeyKind {
        /// The file.
        path: PathBuf,
        /// What the file needs (`a passphrase` or `an identity (-i)`).
        needs: &'static str,
        /// What the caller gave.
        given: &'static str,
    },
    /// The file decrypts, but to something other than an emr database.
    #[error("{}: the file decrypts, but does not hold an emr database", .0.display())]
    NotEmrDatabase(PathBuf),
    /// The database was written by a newer emr.
    #[error("{}: emr file format {found} is newer than this emr reads (up to {supported})", path.display())]
    NewerFormat {
        /// The file.
        path: PathBuf,
        /// The format version in the file.
        found: u32,
        /// The newest format version this build reads.
        supported: u32,
    },
    /// The directory (or file) cannot be written: read-only file system or no permission.
    #[error("{}: cannot write here (read-only file system or no permission)", .0.display())]
    ReadOnly(PathBuf),
    /// The device is full.
    #[error("{}: no space left on the device", .0.display())]
    DiskFull(PathBuf),
    /// Another emr process holds the file's lock.
    #[error("{}: another emr process is changing this file (waited {waited_secs} s for its lock)", path.display())]
    LockTimeout {
        /// The file.
        path: PathBuf,
        /// How long we waited.
        waited_secs: u64,
    },
    /// Any other I/O error.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause (an OS error; it carries no file content).
        source: std::io::Error,
    },
    /// The database inside is inconsistent (a constraint or a query failed).
    #[error("{}: the database inside the file is inconsistent: {detail}", path.display())]
    Database {
        /// The file.
        path: PathBuf,
        /// What failed (SQLite's message names tables and columns, not values).
        detail: String,
    },
    /// A recipient or encryption setting was refused by the age library.
    #[error("cannot encrypt: {0}")]
    Encrypt(String),
}

impl StoreError {
    /// The stable code of this error; its exit status is in [`crate::error::EXIT_TABLE`].
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Missing(_) => "file.missing",
            StoreError::Empty(_) => "file.empty",
            StoreError::NotAge(_) => "file.format",
            StoreError::Truncated(_) => "file.truncated",
            StoreError::Corrupted(_) => "file.corrupt",
            StoreError::WrongIdentity(_) => "file.identity",
            StoreError::WrongPassphrase(_) => "file.passphrase",
            StoreError::WrongKeyKind { .. } => "file.key",
            StoreError::NotEmrDatabase(_) => "file.content",
            StoreError::NewerFormat { .. } => "file.version",
            StoreError::ReadOnly(_) => "io.readonly",
            StoreError::DiskFull(_) => "io.full",
            StoreError::LockTimeout { .. } => "file.locked",
            StoreError::Encrypt(_) => "key.recipient",
            StoreError::Io { .. } => "io",
            StoreError::Database { .. } => "file.inconsistent",
        }
    }

    /// What the user can do about it.
    pub fn hint(&self) -> String {
        let unchanged = "emr did not change the file";
        match self {
            StoreError::Missing(p) => format!("check the path, or create a record with `emr init {}`", p.display()),
            StoreError::Empty(_) => format!("the file was probably cut off while being copied; restore it from a backup ({unchanged})"),
            StoreError::NotAge(_) => "give the path of a .emr file made by `emr init`; record JSON files are read by `emr validate`".into(),
            StoreError::Truncated(_) => format!("the file was cut short (an interrupted copy or transfer?); restore it from a backup ({unchanged})"),
            StoreError::Corrupted(_) => format!("the file was changed or damaged after emr wrote it; restore it from a backup ({unchanged})"),
            StoreError::WrongIdentity(_) => "give the identity file (-i KEY.txt) of one of the file's recipients; if it is the right one, the file's key section may be damaged".into(),
            StoreError::WrongPassphrase(_) => "try again; if the passphrase is right, the file's key section may be damaged: restore it from a backup".into(),
            StoreError::WrongKeyKind { needs, .. } if needs.starts_with("a passphrase") => {
                "omit -i and give the passphrase at the prompt, with --passphrase-file or EMR_PASSPHRASE".into()
            }
            StoreError::WrongKeyKind { .. } => "give an identity file with -i KEY.txt".into(),
            StoreError::NotEmrDatabase(_) => format!("this is an age-encrypted file of some other kind; emr only opens files made by `emr init` ({unchanged})"),
            StoreError::NewerFormat { .. } => format!("upgrade emr to open this file ({unchanged})"),
            StoreError::ReadOnly(p) => format!(
                "make {} writable, or copy the file somewhere writable ({unchanged})",
                parent_of(p).display()
            ),
            StoreError::DiskFull(_) => format!("free some space and run the command again ({unchanged})"),
            StoreError::LockTimeout { .. } => format!(
                "run the command again when the other one has finished, or raise --lock-timeout; a lock left by a crashed process is released automatically ({unchanged})"
            ),
            StoreError::Io { .. } => format!("check the path and its permissions ({unchanged})"),
            StoreError::Database { .. } => "run `emr verify` on the file; restore it from a backup if verification fails".into(),
            StoreError::Encrypt(_) => "check the recipients given with -r and, if it is set, EMR_SCRYPT_WORK_FACTOR".into(),
        }
    }

    /// Classify an I/O error while writing in `path`'s directory.
    pub(crate) fn from_write(path: &Path, e: std::io::Error) -> StoreError {
        match e.raw_os_error() {
            Some(code) if code == ENOSPC || code == EDQUOT => StoreError::DiskFull(path.to_path_buf()),
            Some(code) if code == EROFS || code == EACCES || code == EPERM => StoreError::ReadOnly(path.to_path_buf()),
            _ if e.kind() == std::io::ErrorKind::StorageFull => StoreError::DiskFull(path.to_path_buf()),
            _ => StoreError::Io { path: path.to_path_buf(), source: e },
        }
    }

    /// Classify an I/O error while reading `path`.
    pub(crate) fn from_read(path: &Path, e: std::io::Error) -> StoreError {
        match e.kind() {
            std::io::ErrorKind::NotFound => StoreError::Missing(path.to_path_buf()),
            _ => StoreError::Io { path: path.to_path_buf(), source: e },
        }
    }

    /// A SQLite error on the database of `path`.
    pub(crate) fn db(path: &Path, e: rusqlite::Error) -> StoreError {
        StoreError::Database { path: path.to_path_buf(), detail: sqlite_detail(&e) }
    }
}

/// SQLite's message without any bound value (rusqlite never includes parameters in it).
fn sqlite_detail(e: &rusqlite::Error) -> String {
    match e {
        rusqlite::Error::SqliteFailure(code, Some(msg)) => format!("{msg} ({:?})", code.code),
        rusqlite::Error::SqliteFailure(code, None) => format!("{:?}", code.code),
        rusqlite::Error::QueryReturnedNoRows => "an expected row is missing".into(),
        rusqlite::Error::InvalidColumnType(i, name, _) => format!("column {i} ({name}) has an unexpected type"),
        other => other.to_string(),
    }
}

/// The directory a file lives in (`.` for a bare file name).
pub(crate) fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

// errno values (Linux and the BSDs agree on these).
const EPERM: i32 = 1;
const EACCES: i32 = 13;
const ENOSPC: i32 = 28;
const EROFS: i32 = 30;
#[cfg(target_os = "linux")]
const EDQUOT: i32 = 122;
#[cfg(not(target_os = "linux"))]
const EDQUOT: i32 = 69;
