//! `emr import`: FHIR R4 JSON or an encrypted patient bundle, appended to a record.

use std::io::IsTerminal;
use std::path::Path;

use age::secrecy::ExposeSecret;
use emr_core::fhir::{asserts_only_own, import_bytes, is_own_ips, ImportOptions};
use emr_core::merge::identity::compare_each;
use emr_core::model::{arrival, Arrival, Record};
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
    for (input, record, findings) in read_inputs(args, now)? {
        let errors = findings.iter().filter(|f| f.severity == Severity::Error).count();
        let warnings = findings.iter().filter(|f| f.severity == Severity::Warning).count();
        eprintln!(
            "{input}: {} entr{}, {} source(s); {} finding(s): {errors} error(s), {warnings} warning(s)",
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
                format!("{input}: {errors} validation error(s); nothing was imported (--strict)"),
                "fix the input, or import without --strict to keep it as it is (run with --verbose to see every finding)",
            ));
        }
        parsed.push((input, record));
    }
    check_patients(&store, &parsed, args.force)?;
    let stamp = stamp(&args.write);
    let progress = Progress::new(parsed.iter().map(|(_, r)| r.entries.len()).sum());
    let mut total = Added::default();
    for (_, record) in &parsed {
        let own = own_ips_entries(&store, record)?;
        let added = append(&mut store, record, &own, &stamp, &progress)?;
        total.entries += added.entries;
        total.skipped += added.skipped;
        total.sources += added.sources;
        total.patient |= added.patient;
    }
    progress.saving();
    store.save(&lock)?;
    progress.finish();
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

/// Refuse inputs whose patient may be someone other than the record's (or than the patient of
/// an earlier input), unless `force`: one person's data never lands in another's chart unnoticed.
///
/// # Errors
/// [`CliError::DifferentPatients`] with the identity score (never the demographics).
fn check_patients(store: &Store, parsed: &[(String, Record)], force: bool) -> Result<(), CliError> {
    // emr-core's rule, the one merge applies: every pair of patients that say who someone is.
    let current = store.patient()?;
    let mut patients = Vec::new();
    let mut names = Vec::new();
    if let Some(p) = &current {
        patients.push(p);
        names.push("the record's".to_owned());
    }
    for (input, record) in parsed {
        if let Some(p) = &record.patient {
            patients.push(p);
            names.push(format!("the patient of {input}"));
        }
    }
    let refused = compare_each(&patients).into_iter().find(|p| !p.score.decision.is_same_person());
    match refused {
        Some(pair) if !force => {
            let name = |i: usize| names.get(i).cloned().unwrap_or_default();
            Err(CliError::DifferentPatients(format!("{} and {}: {}", name(pair.b), name(pair.a), pair.score.summary())))
        }
        _ => Ok(()),
    }
}

/// Read every input: files, and SMART Health Links (each of whose FHIR files is an input).
/// Each comes with its name for messages.
///
/// # Errors
/// As [`read_input`], and a link that does not open.
fn read_inputs(
    args: &ImportArgs,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<(String, Record, Vec<Finding>)>, CliError> {
    let mut out = Vec::new();
    for input in &args.inputs {
        let Some(link) = input.to_str().filter(|s| super::share::open::is_link(s)) else {
            let (record, findings) = read_input(input, &args.unlock, now)?;
            out.push((input.display().to_string(), record, findings));
            continue;
        };
        let recipient = args.recipient.clone().unwrap_or_else(|| stamp(&args.write).actor);
        let options = super::share::open::OpenOptions {
            recipient: &recipient,
            passcode_file: args.passcode_file.as_deref(),
            offline: args.shl_file.as_deref(),
        };
        for file in super::share::open::open_link(link, options, now.timestamp())? {
            let imported = import_bytes(&file.content, &ImportOptions::default(), now).map_err(|e| {
                CliError::core(
                    e.code(),
                    format!("{}: {e}", file.name),
                    "the link's file is not FHIR R4 JSON; ask the sender",
                )
            })?;
            out.push((file.name, imported.record, imported.findings));
        }
    }
    Ok(out)
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
    if input.is_dir() {
        return read_ndjson_dir(input, now);
    }
    let bytes = std::fs::read(input).map_err(|e| CliError::Input { path: input.to_path_buf(), source: e })?;
    if bytes.starts_with(b"age-encryption.org/") {
        return open_bundle(input, &bytes, unlock, now);
    }
    if emr_core::ccda::looks_like_ccda(&bytes) {
        let imported = emr_core::ccda::import_bytes(&bytes, &ImportOptions::default(), now).map_err(|e| {
            CliError::core(
                e.code(),
                format!("{}: {e}", input.display()),
                "give a well-formed C-CDA R2.1 ClinicalDocument",
            )
        })?;
        return Ok((imported.record, imported.findings));
    }
    let imported = import_bytes(&bytes, &ImportOptions::default(), now).map_err(|e| {
        CliError::core(
            e.code(),
            format!("{}: {e}", input.display()),
            "give FHIR R4 JSON (a resource or a Bundle), or a patient bundle from `emr export --format bundle`",
        )
    })?;
    Ok((imported.record, imported.findings))
}

/// Read a directory of Bulk Data NDJSON (`TYPE.ndjson` files, as `emr export --format ndjson`
/// and FHIR servers' bulk exports write them), in file name order.
///
/// # Errors
/// The directory or a file cannot be read, a file is not UTF-8, or there is no `.ndjson` file.
fn read_ndjson_dir(dir: &Path, now: chrono::DateTime<chrono::Utc>) -> Result<(Record, Vec<Finding>), CliError> {
    let read_error = |path: &Path, e: std::io::Error| CliError::Input { path: path.to_path_buf(), source: e };
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| read_error(dir, e))? {
        let path = entry.map_err(|e| read_error(dir, e))?.path();
        if path.is_file() && path.extension().is_some_and(|e| e == "ndjson") {
            paths.push(path);
        }
    }
    paths.sort();
    if paths.is_empty() {
        return Err(CliError::usage(
            format!("{}: no .ndjson file in the directory", dir.display()),
            "give a directory of TYPE.ndjson files (from `emr export --format ndjson -o DIR` or a FHIR Bulk Data export)",
        ));
    }
    let mut files = Vec::with_capacity(paths.len());
    for path in &paths {
        let bytes = std::fs::read(path).map_err(|e| read_error(path, e))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            CliError::usage(
                format!("{}: not UTF-8 (byte {})", path.display(), e.utf8_error().valid_up_to()),
                "NDJSON is UTF-8 text, one FHIR resource per line",
            )
        })?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        files.push((name, text));
    }
    let named: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    let imported = emr_core::fhir::import_ndjson(&named, &ImportOptions::default(), now);
    Ok((imported.record, imported.findings))
}

/// Open an encrypted patient bundle with the first X25519 identity of `-i`, else the passphrase.
fn open_bundle(
    input: &Path,
    bytes: &[u8],
    unlock: &UnlockArgs,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(Record, Vec<Finding>), CliError> {
    use crate::store::StoreError;
    use emr_core::bundle::{open, BundleError, OpenKey};
    // A wrong key or a damaged file: the message and hint of the same failure of a `.emr` file,
    // the core's code (which ends with the same exit status).
    let bad = |e: BundleError, passphrase: bool| {
        let as_file = match e {
            BundleError::WrongKey if passphrase => Some(StoreError::WrongPassphrase(input.to_path_buf())),
            BundleError::WrongKey => Some(StoreError::WrongIdentity(input.to_path_buf())),
            BundleError::Corrupted => Some(StoreError::Corrupted(input.to_path_buf())),
            _ => None,
        };
        match as_file {
            Some(f) => CliError::core(e.code(), f.to_string(), f.hint()),
            None => bundle_error(input, &e),
        }
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
        return open(bytes, &OpenKey::Passphrase(p.expose_secret()), now)
            .map(|o| (o.record, o.findings))
            .map_err(|e| bad(e, true));
    }
    Err(bad(last.unwrap_or(BundleError::WrongKey), false))
}

/// Inputs with at least this many entries show a progress bar (on a terminal only).
const PROGRESS_FROM: usize = 2000;

/// The progress bar of a large import: entries appended, then the encrypted save. Hidden when
/// standard error is not a terminal, or the import is small. Shows counts only, never entries.
pub struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    /// A bar for `total` entries, if worth showing.
    pub fn new(total: usize) -> Progress {
        if total < PROGRESS_FROM || !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(u64::try_from(total).unwrap_or(u64::MAX)),
            indicatif::ProgressDrawTarget::stderr_with_hz(10),
        );
        if let Ok(style) = indicatif::ProgressStyle::with_template("  {msg} [{wide_bar}] {pos}/{len} ({eta} left)") {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message("adding entries");
        Progress(Some(bar))
    }

    /// One more entry handled.
    pub fn inc(&self) {
        if let Some(bar) = &self.0 {
            bar.inc(1);
        }
    }

    /// Entries are in; the file is being encrypted and written.
    pub fn saving(&self) {
        if let Some(bar) = &self.0 {
            bar.set_message("encrypting, saving");
        }
    }

    /// Done: the bar is cleared.
    pub fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

/// For each entry of `record` (an input), whether it is the store's own IPS coming back and
/// the record holds it already (emr-core's rule, [`emr_core::fhir::own_ips_entries`]). The
/// whole record is read, and its IPS written, only for an IPS emr wrote for this patient.
///
/// # Errors
/// Database errors.
fn own_ips_entries(store: &Store, record: &Record) -> Result<Vec<bool>, CliError> {
    match store.patient()? {
        Some(patient) if is_own_ips(record, &patient) => {
            Ok(emr_core::fhir::own_ips_entries(&store.to_record()?, record))
        }
        _ => Ok(vec![false; record.entries.len()]),
    }
}

/// Append `record` to the store: its patient when the store has none (or a placeholder),
/// sources it lacks, and entries it does not have yet (each logged as `import`). Whether an
/// entry is already there is emr-core's rule ([`arrival`]): an unchanged resource is present;
/// a changed one (a retraction, a corrected value) is the next version of that assertion.
/// Entries marked in `own` (the record's own IPS coming back, see [`emr_core::fhir::own_ips_entries`]) are
/// present too, and a source that asserts only such entries is not added ([`asserts_only_own`]).
///
/// # Errors
/// Database errors.
pub fn append(
    store: &mut Store,
    record: &Record,
    own: &[bool],
    stamp: &Stamp,
    progress: &Progress,
) -> Result<Added, CliError> {
    let mut added = Added::default();
    if let Some(p) = &record.patient {
        let replace = match store.patient()? {
            None => true,
            Some(current) => current.is_placeholder() && !p.is_placeholder(),
        };
        if replace {
            store.set_patient(p, stamp, "import")?;
            added.patient = true;
        }
    }
    let known: Vec<String> = store.sources()?.iter().map(|s| s.id.as_str().to_owned()).collect();
    for s in &record.sources {
        if !known.iter().any(|k| k == s.id.as_str()) && !asserts_only_own(record, own, &s.id) {
            store.add_source(s, stamp)?;
            added.sources += 1;
        }
    }
    for (k, e) in record.entries.iter().enumerate() {
        if own.get(k).copied().unwrap_or(false) {
            added.skipped += 1;
            progress.inc();
            continue;
        }
        let p = e.provenance();
        match arrival(e, &store.versions(p.source.as_str(), &p.id)?) {
            Arrival::Present => added.skipped += 1,
            Arrival::New { version } if version == p.version => {
                store.add_entry(e, stamp, "import")?;
                added.entries += 1;
            }
            Arrival::New { version } => {
                store.add_entry(&e.clone().with_version(version), stamp, "import")?;
                added.entries += 1;
            }
        }
        progress.inc();
    }
    Ok(added)
}

/// A patient bundle that does not open, for another reason than the key or damage.
fn bundle_error(input: &Path, e: &emr_core::bundle::BundleError) -> CliError {
    CliError::core(
        e.code(),
        format!("{}: {e}", input.display()),
        "give the identity (-i) or passphrase (--passphrase-file, EMR_PASSPHRASE) the bundle was sealed with",
    )
}
