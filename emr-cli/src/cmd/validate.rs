//! `emr validate`: validation findings of a record (JSON) or a `.emr` file.

use std::io::Read;
use std::path::Path;

use emr_core::model::Record;
use emr_core::validate::{has_errors, validate, Finding, Severity};

use crate::cli::ValidateArgs;
use crate::error::CliError;
use crate::output::{print, print_json};
use crate::unlock::open_bytes;

use super::{parse_now, Outcome};

/// Run `emr validate`: exit status 1 when any finding is an error.
///
/// # Errors
/// The input is missing or not a record; a `.emr` file does not open.
pub fn run(args: &ValidateArgs) -> Result<Outcome, CliError> {
    let now = parse_now(args.now.as_deref())?;
    let stdin = args.input.as_os_str() == "-";
    let bytes = if stdin {
        let mut b = Vec::new();
        std::io::stdin().read_to_end(&mut b).map_err(|e| CliError::Input { path: args.input.clone(), source: e })?;
        b
    } else {
        std::fs::read(&args.input).map_err(|e| CliError::Input { path: args.input.clone(), source: e })?
    };
    let shown = if stdin { Path::new("standard input") } else { args.input.as_path() };
    let findings = if emr_core::ccda::looks_like_ccda(&bytes) {
        // A C-CDA document: its import findings (the record's validation and what did not map).
        let imported = emr_core::ccda::import_bytes(&bytes, &Default::default(), now).map_err(|e| {
            CliError::core(
                e.code(),
                format!("{}: {e}", shown.display()),
                "give a well-formed C-CDA R2.1 ClinicalDocument",
            )
        })?;
        imported.findings
    } else if bytes.starts_with(b"age-encryption.org/") {
        validate(&open_bytes(shown, &bytes, &args.unlock)?.to_record()?, now)
    } else {
        validate(&parse_record(shown, &bytes)?, now)
    };
    if args.json {
        print_json(&findings)?;
    } else {
        print(&text(&findings))?;
    }
    Ok(if has_errors(&findings) { Outcome::Findings } else { Outcome::Success })
}

fn parse_record(path: &Path, bytes: &[u8]) -> Result<Record, CliError> {
    // serde_json's message can quote input; report only its position. The codes are those
    // `@emr/wasm` throws for a record that is not JSON, or not an emr record.
    serde_json::from_slice(bytes).map_err(|e| {
        let code = match e.classify() {
            serde_json::error::Category::Data => "record.shape",
            _ => "record.syntax",
        };
        CliError::core(
            code,
            format!("{} is not an emr record (line {}, column {})", path.display(), e.line(), e.column()),
            "give emr record JSON (the envelope with patient, sources and entries) or a .emr file",
        )
    })
}

fn text(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        out.push_str(&format!("{:<7} {:<32} {}  ({})\n", f.severity.as_str(), f.code, f.message, f.path));
    }
    let errors = findings.iter().filter(|f| f.severity == Severity::Error).count();
    out.push_str(&format!("{} finding(s), {errors} error(s)\n", findings.len()));
    out
}
