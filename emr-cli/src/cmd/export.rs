//! `emr export`: FHIR R4 (clinical view or every assertion), IPS, NDJSON, or an encrypted
//! patient bundle.

use std::io::IsTerminal;
use std::path::Path;

use age::secrecy::ExposeSecret;
use emr_core::bundle::{seal, SealKey};
use emr_core::fhir::{to_bundle, to_ips, to_ndjson, to_view_bundle, ExportOptions};
use emr_core::model::{PartialDate, Record};

use crate::cli::{ExportArgs, ExportFormat};
use crate::error::CliError;
use crate::output::write_output;
use crate::store::{scrypt_work_factor, RecipientKey};
use crate::unlock::{open, passphrase, recipients};

use super::Outcome;

/// Environment variable with the passphrase of an exported patient bundle.
pub const BUNDLE_PASSPHRASE_ENV: &str = "EMR_BUNDLE_PASSPHRASE";

/// Run `emr export`.
///
/// # Errors
/// The file does not open, the output exists (without `--force`), no key for a bundle.
#[allow(clippy::print_stderr)]
pub fn run(args: &ExportArgs) -> Result<Outcome, CliError> {
    let stdout = args.output.as_os_str() == "-";
    if args.format == ExportFormat::Bundle {
        if stdout && std::io::stdout().is_terminal() {
            return Err(CliError::usage(
                "refusing to write a binary patient bundle to the terminal",
                "give -o FILE, or redirect standard output to a file",
            ));
        }
        if args.recipients.is_empty()
            && args.bundle_passphrase_file.is_none()
            && std::env::var_os(BUNDLE_PASSPHRASE_ENV).is_none()
        {
            return Err(CliError::usage(
                "a patient bundle is always encrypted, but no key was given",
                "give -r RECIPIENT (age1… or an SSH public key), --bundle-passphrase-file FILE or EMR_BUNDLE_PASSPHRASE",
            ));
        }
    }
    if !stdout && !args.force && (args.output.exists() || args.output.is_symlink()) {
        let empty_dir = args.format == ExportFormat::Ndjson
            && std::fs::read_dir(&args.output).map(|mut d| d.next().is_none()).unwrap_or(false);
        if !empty_dir {
            return Err(CliError::OutputExists(args.output.clone()));
        }
    }
    // Parsed before the file is opened, so that a mistyped key fails first.
    let bundle_keys: Vec<_> = recipients(&args.recipients, &[])?.iter().map(RecipientKey::to_age).collect();
    let record = open(&args.file, &args.unlock)?.to_record()?;
    let options = ExportOptions { timestamp: PartialDate::from(chrono::Utc::now()) };
    match args.format {
        ExportFormat::Fhir => {
            let text =
                if args.all_assertions { to_bundle(&record, &options) } else { to_view_bundle(&record, &options) };
            write_output(&args.output, text.as_bytes(), args.force)?;
        }
        ExportFormat::Ips => write_output(&args.output, ips(&record, &options)?.as_bytes(), args.force)?,
        ExportFormat::Ndjson => write_ndjson(&args.output, &record, &options, args.force)?,
        ExportFormat::Bundle => {
            let bytes = if args.recipients.is_empty() {
                let p =
                    passphrase(args.bundle_passphrase_file.as_deref(), BUNDLE_PASSPHRASE_ENV, "Bundle passphrase: ")?;
                if p.expose_secret().is_empty() {
                    return Err(CliError::usage("the bundle passphrase is empty", "choose a long passphrase"));
                }
                let key = SealKey::Passphrase { passphrase: p.expose_secret(), work_factor: scrypt_work_factor()? };
                seal_record(&record, &key, options.timestamp)?
            } else {
                seal_record(&record, &SealKey::Age(&bundle_keys), options.timestamp)?
            };
            write_output(&args.output, &bytes, args.force)?;
        }
    }
    if !stdout {
        eprintln!("wrote {}", args.output.display());
    }
    Ok(Outcome::Success)
}

/// The IPS document of a record.
///
/// # Errors
/// The record has no patient.
pub fn ips(record: &Record, options: &ExportOptions) -> Result<String, CliError> {
    to_ips(record, options).map_err(|e| {
        CliError::usage(
            format!("cannot build an IPS: {e}"),
            "import the patient first (`emr import FILE.emr patient.json`)",
        )
    })
}

/// Seal a record as a patient bundle.
///
/// # Errors
/// No patient, or an unusable key.
pub fn seal_record(record: &Record, key: &SealKey<'_>, timestamp: PartialDate) -> Result<Vec<u8>, CliError> {
    seal(record, key, timestamp).map_err(|e| {
        CliError::usage(
            format!("cannot seal the patient bundle: {e}"),
            "give recipients (age1…, ssh-ed25519 …, ssh-rsa …) or a passphrase, and make sure the record has a patient",
        )
    })
}

/// Write one `TYPE.ndjson` per resource type into the directory `out` (`-`: all to stdout).
fn write_ndjson(out: &Path, record: &Record, options: &ExportOptions, force: bool) -> Result<(), CliError> {
    let files = to_ndjson(record, options);
    if out.as_os_str() == "-" {
        let all: String = files.values().map(String::as_str).collect();
        return write_output(out, all.as_bytes(), force);
    }
    if !out.is_dir() {
        std::fs::create_dir_all(out)
            .map_err(|e| CliError::Store(crate::store::StoreError::Io { path: out.to_path_buf(), source: e }))?;
    }
    for (ty, text) in &files {
        write_output(&out.join(format!("{ty}.ndjson")), text.as_bytes(), force)?;
    }
    Ok(())
}
