//! `emr import`: FHIR R4 JSON or an encrypted patient bundle, appended to a record.

use std::io::IsTerminal;
use std::path::Path;

use age::secrecy::ExposeSecret;
use emr_core::fhir::{import_bytes, ImportOptions};
use emr_core::model::{Patient, Record};
use emr_core::validate::{Finding, Severity};
use zeroize::Zeroizing;

use crate::cli::{ImportArgs, UnlockArgs};
use crate::error::CliError;
use crate::output::print;
use crate::store::{Stamp, Store};
use crate::unlock::{open_for_write, passphrase, stamp, PASSPHRASE_ENV};

use super::Outcome;

/// What an import added to a record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Added {
    /// Entries appended.
    pub entries: usize,
    /// Entries skipped because the record already had them.
    pub skipped: usize,
    /// Sources added.
    pub sources: usize,
    /// Whether the record's patient was set.
    pub patient: bool,
}

/// Run `emr import`.
///
/// # Errors
/// Unreadable or non-FHIR input, validation errors with `--strict`, and file errors.
#[allow(clippy::print_stderr)]
pub fn run(args: &ImportArgs) -> Result<Outcome, CliError> {
    let now = chrono::Utc::now();
    let (lock, mut store) = open_for_write(&args.file, &args.unlock, &args.write)?;
    let mut parsed = Vec::new();
    for input in &args.inputs {
        let (record, findings) = read_input(input, &args.unlock, now)?;
        let errors = findings.iter().filter(|f| f.severity == Severity::Error).count();
        let warnings = findings.iter().filter(|f| f.severity == Severity::Warning).count();
        eprintln!(
            "{}: {} entr{}, {} source(s); {} finding(s): {errors} error(s), {warnings} warning(s)",
            input.display(),
            record.entries.len(),
            if record.entries.len() == 1 { "y" } else { "ies" },
            record.sources.len(),
            findings.len(),
        );
        let shown = if args.verbose { findings.len() } else { 5 };
        for f in findings.iter().filter(|f| args.verbose || f.severity == Severity::Error).take(shown) {
            eprintln!("  {:<7} {:<32} {}  ({})", f.severity.as_str(), f.code, f.message, f.path);
        }
        if args.strict && errors > 0 {
            return Err(CliError::usage(
                format!("{}: {errors} validation error(s); nothing was imported (--strict)", input.display()),
                "fix the input, or import without --strict to keep it as it is (run with --verbose to see every finding)",
            ));
        }
        parsed.push(record);
    }
    let stamp = stamp(&args.write);
    let mut total = Added::default();
    for record in &parsed {
        let added = append(&mut store, record, &stamp)?;
        total.entries += added.entries;
        total.skipped += added.skipped;
        total.sources += added.sources;
        total.patient |= added.patient;
    }
    store.save(&lock)?;
    drop(lock);
    print(&format!(
        "imported {} entr{} into {} ({} already present, {} new source(s){})\n",
        total.entries,
        if total.entries == 1 { "y" } else { "ies" },
        args.file.display(),
        total.skipped,
        total.sources,
        if total.patient { ", patient set" } else { "" }
    ))?;
    Ok(Outcome::Success)
}

/// Read one input: FHIR JSON, or an age-encrypted patient bundle opened with `unlock`.
///
/// # Errors
/// The file cannot be read, is not FHIR, or the bundle does not open.
pub fn read_input(
    input: &Path,
    unlock: &UnlockArgs,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(Record, Vec<Finding>), CliError> {
    let bytes = std::fs::read(input).map_err(|e| CliError::Input { path: input.to_path_buf(), source: e })?;
    if bytes.starts_with(b"age-encryption.org/") {
        return open_bundle(input, &bytes, unlock, now);
    }
    let imported = import_bytes(&bytes, &ImportOptions::default(), now).map_err(|e| {
        CliError::usage(
            format!("{}: {e}", input.display()),
            "give FHIR R4 JSON (a resource or a Bundle), or a patient bundle from `emr export --format bundle`",
        )
    })?;
    Ok((imported.record, imported.findings))
}

/// Open an encrypted patient bundle with the first X25519 identity of `-i`, else the passphrase.
fn open_bundle(
    input: &Path,
    bytes: &[u8],
    unlock: &UnlockArgs,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(Record, Vec<Finding>), CliError> {
    use emr_core::bundle::{open, BundleError, OpenKey};
    let bad = |e: BundleError| {
        CliError::usage(
            format!("{}: {e}", input.display()),
            "give the identity (-i) or passphrase (--passphrase-file, EMR_PASSPHRASE) the bundle was sealed with",
        )
    };
    let mut last = None;
    for path in &unlock.identities {
        let text = Zeroizing::new(
            std::fs::read_to_string(path).map_err(|e| CliError::Input { path: path.clone(), source: e })?,
        );
        for line in text.lines().map(str::trim).filter(|l| l.starts_with("AGE-SECRET-KEY-")) {
            match open(bytes, &OpenKey::Identity(line), now) {
                Ok(o) => return Ok((o.record, o.findings)),
                Err(e) => last = Some(e),
            }
        }
    }
    if unlock.identities.is_empty() || unlock.passphrase_file.is_some() || std::env::var_os(PASSPHRASE_ENV).is_some() {
        let p = passphrase(unlock.passphrase_file.as_deref(), PASSPHRASE_ENV, "Bundle passphrase: ")?;
        return open(bytes, &OpenKey::Passphrase(p.expose_secret()), now).map(|o| (o.record, o.findings)).map_err(bad);
    }
    Err(bad(last.unwrap_or(BundleError::WrongKey)))
}

/// Whether a patient is only the placeholder `emr init` makes (no demographics).
pub fn is_placeholder(patient: &Patient) -> bool {
    match serde_json::from_str::<serde_json::Value>(patient.resource().as_str()) {
        Ok(serde_json::Value::Object(map)) => map.keys().all(|k| matches!(k.as_str(), "resourceType" | "id" | "meta")),
        _ => false,
    }
}

/// Inputs with at least this many entries show a progress line on a terminal.
const PROGRESS_FROM: usize = 2000;

/// Append `record` to the store: its patient when the store has none (or a placeholder),
/// sources it lacks, and entries it does not have yet (each logged as `import`).
///
/// # Errors
/// Database errors.
#[allow(clippy::print_stderr)]
pub fn append(store: &mut Store, record: &Record, stamp: &Stamp) -> Result<Added, CliError> {
    let mut added = Added::default();
    if let Some(p) = &record.patient {
        let replace = match store.patient()? {
            None => true,
            Some(current) => is_placeholder(&current) && !is_placeholder(p),
        };
        if replace {
            store.set_patient(p, stamp, "import")?;
            added.patient = true;
        }
    }
    let known: Vec<String> = store.sources()?.iter().map(|s| s.id.as_str().to_owned()).collect();
    for s in &record.sources {
        if !known.iter().any(|k| k == s.id.as_str()) {
            store.add_source(s, stamp)?;
            added.sources += 1;
        }
    }
    // Progress on a terminal for large inputs.
    let progress = record.entries.len() >= PROGRESS_FROM && std::io::stderr().is_terminal();
    for (i, e) in record.entries.iter().enumerate() {
        if progress && i % 500 == 0 {
            eprint!("\r  importing entries: {i}/{}", record.entries.len());
        }
        let p = e.provenance();
        match store.latest_version(p.source.as_str(), &p.id)? {
            Some(v) if v >= p.version => added.skipped += 1,
            _ => {
                store.add_entry(e, stamp, "import")?;
                added.entries += 1;
            }
        }
    }
    if progress {
        eprintln!("\r  importing entries: {0}/{0}", record.entries.len());
    }
    Ok(added)
}
