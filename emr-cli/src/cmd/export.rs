//! `emr export`: FHIR R4 (clinical view or every assertion), IPS, NDJSON, or an encrypted
//! patient bundle.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use age::secrecy::ExposeSecret;
use emr_core::bundle::{seal, SealKey};
use emr_core::fhir::{export_ips, export_view, to_bundle, ExportOptions, NdjsonWriter, ReferenceReport};
use emr_core::model::{PartialDate, Record};

use crate::cli::{ExportArgs, ExportFormat};
use crate::error::CliError;
use crate::output::{check, exists, is_stdout, make_dir, write_output, Rules, Stream};
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
    let stdout = is_stdout(&args.output);
    let rules = rules(args);
    if args.format == ExportFormat::Bundle {
        check(&args.output, &rules)?;
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
    if args.format == ExportFormat::Ndjson {
        // A folder: new, or empty (or, with --force, one whose files are replaced).
        if !stdout && exists(&args.output) && !args.output.is_dir() {
            return Err(CliError::OutputExists(args.output.clone()));
        }
        if !stdout && !args.force {
            let empty = std::fs::read_dir(&args.output).map(|mut d| d.next().is_none()).unwrap_or(true);
            if !empty {
                return Err(CliError::OutputExists(args.output.clone()));
            }
        }
    } else {
        check(&args.output, &rules)?;
    }
    if !args.more.is_empty() && args.format != ExportFormat::Ndjson {
        return Err(CliError::usage(
            "several .emr files are exported together only as NDJSON",
            "give one .emr file, or --format ndjson -o DIR",
        ));
    }
    // Parsed before the file is opened, so that a mistyped key fails first.
    let bundle_keys: Vec<_> = recipients(&args.recipients, &[])?.iter().map(RecipientKey::to_age).collect();
    let options = ExportOptions { timestamp: PartialDate::from(chrono::Utc::now()) };
    if args.format == ExportFormat::Ndjson {
        let files: Vec<&Path> =
            std::iter::once(args.file.as_path()).chain(args.more.iter().map(PathBuf::as_path)).collect();
        let kept = write_ndjson(&args.output, &files, args, &options)?;
        report_kept(kept);
        if !stdout {
            eprintln!("wrote {}", args.output.display());
        }
        return Ok(Outcome::Success);
    }
    let record = open(&args.file, &args.unlock)?.to_record()?;
    match args.format {
        ExportFormat::Fhir => {
            let text = if args.all_assertions {
                to_bundle(&record, &options)
            } else {
                let out = export_view(&record, &options);
                report_kept(out.references.unresolved());
                out.output
            };
            write_output(&args.output, text.as_bytes(), &rules)?;
        }
        ExportFormat::Ips => write_output(&args.output, ips(&record, &options)?.as_bytes(), &rules)?,
        ExportFormat::Ndjson => {}
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
            write_output(&args.output, &bytes, &rules)?;
        }
    }
    if !stdout {
        eprintln!("wrote {}", args.output.display());
    }
    Ok(Outcome::Success)
}

/// The output rules of an export: its inputs are protected; a patient bundle is binary.
fn rules(args: &ExportArgs) -> Rules<'_> {
    let rules = Rules::new(args.force)
        .inputs(std::iter::once(args.file.as_path()).chain(args.more.iter().map(PathBuf::as_path)));
    match args.format {
        ExportFormat::Bundle => rules.binary("a binary patient bundle"),
        _ => rules,
    }
}

/// The IPS document of a record.
///
/// # Errors
/// The record has no patient.
pub fn ips(record: &Record, options: &ExportOptions) -> Result<String, CliError> {
    let out = export_ips(record, options).map_err(|e| {
        CliError::core(
            e.code(),
            format!("cannot build an IPS: {e}"),
            "import the patient first (`emr import FILE.emr patient.json`)",
        )
    })?;
    report_kept(out.references.unresolved());
    Ok(out.output)
}

/// Say how many references were kept as received because the record does not hold their
/// target (a count: never the references, which may hold identifiers).
#[allow(clippy::print_stderr)]
fn report_kept(kept: usize) {
    if kept > 0 {
        eprintln!(
            "note: {kept} reference{} kept as received: the record does not hold {} target",
            if kept == 1 { "" } else { "s" },
            if kept == 1 { "its" } else { "their" }
        );
    }
}

/// Seal a record as a patient bundle.
///
/// # Errors
/// No patient, or an unusable key.
pub fn seal_record(record: &Record, key: &SealKey<'_>, timestamp: PartialDate) -> Result<Vec<u8>, CliError> {
    seal(record, key, timestamp).map_err(|e| {
        CliError::core(
            e.code(),
            format!("cannot seal the patient bundle: {e}"),
            "give recipients (age1…, ssh-ed25519 …, ssh-rsa …) or a passphrase, and make sure the record has a patient",
        )
    })
}

/// Write the records of `files` as one NDJSON set: one `TYPE.ndjson` per resource type in the
/// directory `out` (`-`: all to stdout), record after record, ids unique across all of them
/// ([`NdjsonWriter`]). One record is in memory at a time; a progress bar shows on a terminal.
/// How many references were kept as received.
fn write_ndjson(out: &Path, files: &[&Path], args: &ExportArgs, options: &ExportOptions) -> Result<usize, CliError> {
    let to_stdout = is_stdout(out);
    let rules = rules(args);
    if !to_stdout {
        make_dir(out, args.force)?;
    }
    let bar = (files.len() > 1 && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(u64::try_from(files.len()).unwrap_or(u64::MAX)),
            indicatif::ProgressDrawTarget::stderr_with_hz(10),
        );
        if let Ok(style) = indicatif::ProgressStyle::with_template("  {msg} [{wide_bar}] {pos}/{len} ({eta} left)") {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message("exporting records");
        bar
    });
    let mut writer = NdjsonWriter::new();
    let mut open_files: BTreeMap<String, Stream> = BTreeMap::new();
    let mut report = ReferenceReport::default();
    for file in files {
        let record = open(file, &args.unlock)?.to_record()?;
        let exported = writer.add(&record, options);
        report.kept.extend(exported.references.kept);
        if to_stdout {
            let all: String = exported.output.values().map(String::as_str).collect();
            write_output(out, all.as_bytes(), &rules)?;
        } else {
            for (ty, text) in &exported.output {
                if !open_files.contains_key(ty) {
                    open_files.insert(ty.clone(), Stream::create(&out.join(format!("{ty}.ndjson")), &rules)?);
                }
                if let Some(stream) = open_files.get_mut(ty) {
                    stream.write_all(text.as_bytes())?;
                }
            }
        }
        if let Some(bar) = &bar {
            bar.inc(1);
        }
    }
    for stream in open_files.into_values() {
        stream.finish()?;
    }
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    Ok(report.unresolved())
}
