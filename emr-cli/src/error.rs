//! The errors `emr` reports, their exit codes, and what to do about each.
//!
//! Every message names a file, a flag or a rule; none contains a patient's data.

use std::path::PathBuf;

use crate::store::StoreError;

/// The exit codes, as shown in `emr --help`.
pub const EXIT_CODES: &str = "\
Exit status:
   0  success
   1  findings: `validate` found errors, `verify` found integrity problems
   2  usage: bad arguments or unusable input (not a record, not a FHIR resource, bad key or date)
   3  a file does not exist
   4  the .emr file is empty
   5  not an emr file (not age-encrypted)
   6  the .emr file is truncated
   7  the .emr file is damaged (fails its integrity check)
   8  wrong passphrase or identity
   9  decrypts, but is not an emr database
  10  written by a newer emr (newer file format)
  11  cannot write: read-only directory or no permission
  12  no space left on the device
  13  another emr process holds the file's lock (timed out)
  14  the output exists (use --force to overwrite)
  15  other input/output error
  16  internal error or inconsistent database
  17  merge refused: the records may describe different patients (use --force)
On every error the original file is left byte-for-byte unchanged.";

/// Exit status when `emr merge` refuses records that may describe different patients.
pub const EXIT_DIFFERENT_PATIENTS: u8 = 17;

/// Exit status for unusable input and bad arguments.
pub const EXIT_USAGE: u8 = 2;

/// An error of an `emr` command.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A `.emr` file could not be opened, read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Bad input or arguments, with what to do.
    #[error("{message}")]
    Usage {
        /// What is wrong.
        message: String,
        /// What to do.
        hint: String,
    },
    /// An input file (JSON, key, passphrase file) could not be read.
    #[error("{}: cannot read: {source}", path.display())]
    Input {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The output exists and `--force` was not given.
    #[error("{}: already exists", .0.display())]
    OutputExists(PathBuf),
    /// No passphrase source is available.
    #[error("a passphrase is needed, but there is no terminal to ask on")]
    NoPassphrase,
    /// `emr merge` refused: the records may describe different patients.
    #[error("the records may describe different patients ({0}); nothing was written")]
    DifferentPatients(String),
    /// Something that should not happen.
    #[error("internal error: {0}")]
    Internal(String),
}

impl CliError {
    /// A usage error.
    pub fn usage(message: impl Into<String>, hint: impl Into<String>) -> CliError {
        CliError::Usage { message: message.into(), hint: hint.into() }
    }

    /// The process exit status.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Store(e) => e.exit_code(),
            CliError::Usage { .. } | CliError::NoPassphrase => EXIT_USAGE,
            CliError::Input { source, .. } if source.kind() == std::io::ErrorKind::NotFound => 3,
            CliError::Input { .. } => 15,
            CliError::OutputExists(_) => 14,
            CliError::DifferentPatients(_) => EXIT_DIFFERENT_PATIENTS,
            CliError::Internal(_) => 16,
        }
    }

    /// What the user can do about it.
    pub fn hint(&self) -> String {
        match self {
            CliError::Store(e) => e.hint(),
            CliError::Usage { hint, .. } => hint.clone(),
            CliError::Input { .. } => "check the path and its permissions".into(),
            CliError::OutputExists(_) => "choose another path, or add --force to overwrite it".into(),
            CliError::NoPassphrase => {
                "run emr in a terminal, or give the passphrase with --passphrase-file FILE or EMR_PASSPHRASE (see `emr init --help` for their risks)".into()
            }
            CliError::DifferentPatients(_) => {
                "check that the files belong to the same person; if they do, add --force to merge them anyway".into()
            }
            CliError::Internal(_) => "please report this as a bug".into(),
        }
    }

    /// The full report for standard error: the error, then the hint.
    pub fn report(&self) -> String {
        format!("error: {self}\n  hint: {}", self.hint())
    }
}

impl From<rusqlite::Error> for CliError {
    fn from(e: rusqlite::Error) -> CliError {
        CliError::Internal(format!("database: {e}"))
    }
}

impl From<serde_json::Error> for CliError {
    fn from(e: serde_json::Error) -> CliError {
        // serde_json's message may quote input; keep only its category and position.
        CliError::Internal(format!("JSON output: {:?} error at line {}, column {}", e.classify(), e.line(), e.column()))
    }
}
