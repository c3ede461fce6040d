//! `emr`: medical records on the command line.
//!
//! This first version validates record files; encrypted `.emr` files, import,
//! merge and export come with the CLI work (see the README).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use emr_core::model::Record;
use emr_core::validate::{has_errors, validate, Finding};

/// Manage medical records: validate, import, merge and export.
#[derive(Parser)]
#[command(name = "emr", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate a record file (emr record JSON); exit status 1 when any finding is an error.
    ///
    /// Example: emr validate tests/data/valid/synthea-alexis-toy.json --json
    Validate {
        /// The record file (`-` for standard input).
        input: PathBuf,
        /// Print findings as a JSON array.
        #[arg(long)]
        json: bool,
        /// Judge dates against this instant (RFC 3339) instead of the current time.
        #[arg(long, value_name = "RFC3339")]
        now: Option<String>,
    },
}

/// Exit status for unusable input (file missing, not a record).
const EXIT_INPUT: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Validate { input, json, now } => match run_validate(&input, json, now.as_deref()) {
            Ok(code) => code,
            Err(message) => {
                eprintln!("error: {message}");
                ExitCode::from(EXIT_INPUT)
            }
        },
    }
}

fn run_validate(input: &PathBuf, json: bool, now: Option<&str>) -> Result<ExitCode, String> {
    let text = if input.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin()).map_err(|e| format!("cannot read standard input: {e}"))?
    } else {
        std::fs::read_to_string(input).map_err(|e| format!("cannot read {}: {e}", input.display()))?
    };
    // serde_json's message can quote input; report only its position.
    let record: Record = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{} is not an emr record (line {}, column {}): expected the record JSON envelope",
            input.display(),
            e.line(),
            e.column()
        )
    })?;
    let now = match now {
        Some(t) => chrono::DateTime::parse_from_rfc3339(t)
            .map_err(|_| "--now must be an RFC 3339 date-time such as 2026-01-01T00:00:00Z".to_owned())?
            .to_utc(),
        None => chrono::Utc::now(),
    };
    let findings = validate(&record, now);
    print_findings(&findings, json)?;
    Ok(if has_errors(&findings) { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

#[allow(clippy::print_stdout)]
fn print_findings(findings: &[Finding], json: bool) -> Result<(), String> {
    if json {
        let text = serde_json::to_string_pretty(findings).map_err(|e| e.to_string())?;
        println!("{text}");
        return Ok(());
    }
    for f in findings {
        println!("{:<7} {:<32} {}  ({})", f.severity.as_str(), f.code, f.message, f.path);
    }
    let errors = findings.iter().filter(|f| f.severity == emr_core::validate::Severity::Error).count();
    println!("{} finding(s), {errors} error(s)", findings.len());
    Ok(())
}
