//! The subcommands, one file each.

pub mod add;
pub mod completions;
pub mod conflicts;
pub mod demo;
pub mod documents;
pub mod export;
pub mod import;
pub mod init;
pub mod keygen;
pub mod list;
pub mod lists;
pub mod log;
pub mod merge;
pub mod passwd;
pub mod recipients;
pub mod resolve;
pub mod resource;
pub mod share;
pub mod show;
pub mod timeline;
pub mod trend;
pub mod validate;
pub mod verify;

use chrono::{DateTime, Utc};

use crate::cli::Command;
use crate::error::CliError;

/// How a command that did not fail ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Exit status 0.
    Success,
    /// Exit status 1: validation errors or integrity problems were found (and reported).
    Findings,
}

/// Run a parsed command.
///
/// # Errors
/// The command's error, to be reported with its exit code.
pub fn run(command: &Command) -> Result<Outcome, CliError> {
    match command {
        Command::Keygen(a) => keygen::run(a),
        Command::Init(a) => init::run(a),
        Command::Add(a) => add::run(a),
        Command::List(a) => list::run(a),
        Command::Lists(a) => lists::run(a),
        Command::Documents(a) => documents::run(a),
        Command::Show(a) => show::run(a),
        Command::Log(a) => log::run(a),
        Command::Verify(a) => verify::run(a),
        Command::Passwd(a) => passwd::run(a),
        Command::Recipients(a) => recipients::run(a),
        Command::Validate(a) => validate::run(a),
        Command::Import(a) => import::run(a),
        Command::Merge(a) => merge::run(a),
        Command::Conflicts(a) => conflicts::run(a),
        Command::Resolve(a) => resolve::run(a),
        Command::Export(a) => export::run(a),
        Command::Share(a) => share::run(a),
        Command::Timeline(a) => timeline::run(a),
        Command::Trend(a) => trend::run(a),
        Command::Demo(a) => demo::run(a),
        Command::Completions(a) => completions::completions(a),
        Command::Man(a) => completions::man(a),
    }
}

/// A new random id: 32 lower-case hex digits (a valid FHIR id).
pub fn new_id() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::getrandom(&mut bytes).is_err() {
        // No OS randomness: fall back to time and process id, still unique per call.
        let nanos = Utc::now().timestamp_nanos_opt().unwrap_or_default().unsigned_abs();
        bytes = ((u128::from(nanos) << 32) | u128::from(std::process::id())).to_le_bytes();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `--now`, or the current time.
///
/// # Errors
/// The value is not an RFC 3339 date-time.
pub fn parse_now(now: Option<&str>) -> Result<DateTime<Utc>, CliError> {
    match now {
        Some(t) => DateTime::parse_from_rfc3339(t)
            .map(|t| t.to_utc())
            .map_err(|_| CliError::usage("--now must be an RFC 3339 date-time", "e.g. --now 2026-01-01T00:00:00Z")),
        None => Ok(Utc::now()),
    }
}

/// Display names of a record's sources, for human output (the id when a source has no name).
#[derive(Debug, Clone, Default)]
pub struct SourceNames(std::collections::BTreeMap<String, String>);

impl SourceNames {
    /// The names of `record`'s sources.
    pub fn of(record: &emr_core::model::Record) -> SourceNames {
        SourceNames(
            record
                .sources
                .iter()
                .map(|s| (s.id.as_str().to_owned(), emr_core::clinical::source_display_name(s).to_owned()))
                .collect(),
        )
    }

    /// The name of source `id`, else `id`.
    pub fn get(&self, id: &str) -> String {
        self.0.get(id).cloned().unwrap_or_else(|| id.to_owned())
    }
}
