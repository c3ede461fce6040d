//! `emr add`: one entry, from a FHIR resource file or built from flags.

use std::io::Read;
use std::path::Path;

use emr_core::model::{PartialDate, Resource, SourceId};
use emr_core::validate::{AddEntry, AddError, AddOptions, Finding, DEFAULT_SOURCE};

use crate::cli::AddArgs;
use crate::error::CliError;
use crate::output::{print, print_json_text};
use crate::unlock::{open_for_write, stamp};

use super::{parse_now, Outcome};

/// `meta` key of the source used when `--source` is not given.
pub const DEFAULT_SOURCE_KEY: &str = "default_source";

/// Run `emr add`: emr-core's [`AddEntry`] steps on the record file, its findings printed
/// before a refusal.
///
/// # Errors
/// Bad input, validation errors (without `--allow-invalid`), and file errors.
pub fn run(args: &AddArgs) -> Result<Outcome, CliError> {
    // Read and check the input before taking the lock or asking for keys.
    let given = match &args.json {
        Some(path) => Some(read_resource(path)?),
        None => None,
    };
    let now = args.now.as_deref().map(|t| parse_now(Some(t))).transpose()?;
    let (lock, mut store) = open_for_write(&args.file, &args.unlock, &args.write)?;
    let stamp = stamp(&args.write);

    let source = match &args.source {
        Some(s) => s.clone(),
        None => store.meta(DEFAULT_SOURCE_KEY)?.unwrap_or_else(|| DEFAULT_SOURCE.to_owned()),
    };
    let patient = store.patient()?;
    let patient_id = patient.as_ref().and_then(|p| p.resource().id());
    let resource = match (given, args.kind) {
        (Some(r), _) => r,
        (None, Some(kind)) => super::resource::build(kind, args, args.id.as_deref(), patient_id.as_deref())?,
        (None, None) => return Err(CliError::usage("nothing to add", "give --json FILE or --kind KIND with --code")),
    };
    let options = AddOptions {
        source: SourceId::new(source.clone()),
        id: args.id.clone(),
        recorded: PartialDate::from(stamp.at),
        now: now.unwrap_or(stamp.at),
        new_version: args.new_version,
        allow_invalid: args.allow_invalid,
    };
    let plan = AddEntry::new(resource, &options).map_err(|e| refused(&e, &source))?;
    let latest = store.latest_version(plan.source().as_str(), plan.id())?;
    let prepared = plan.prepare(latest, patient.as_ref()).map_err(|e| refused(&e, &source))?;
    report(&prepared.findings);
    if let Some(e) = &prepared.refusal {
        return Err(refused(e, &source));
    }

    if !store.sources()?.iter().any(|s| s.id == prepared.source.id) {
        store.add_source(&prepared.source, &stamp)?;
    }
    let row = store.add_entry(&prepared.entry, &stamp, "add")?;
    store.save(&lock)?;
    drop(lock);
    if args.print_json {
        print_json_text(&row.to_json()?)?;
    } else {
        print(&format!("added {} {} (version {}, source {})\n", row.derived.kind, row.id, row.version, row.source))?;
    }
    Ok(Outcome::Success)
}

/// emr-core's refusal of the entry, said for the command line.
fn refused(e: &AddError, source: &str) -> CliError {
    let (message, hint) = match e {
        AddError::Source => ("--source is empty".to_owned(), "give the id of the source the entry comes from"),
        AddError::Patient => {
            (e.to_string(), "give the patient with `emr init --patient`; `emr add` takes clinical resources")
        }
        AddError::Exists => (
            format!("source {source} already has an entry with this id"),
            "give another --id, or --new-version to add it as the entry's next version (without --id or an id \
             in the resource, the id is derived from the resource, so the same resource gets the same id)",
        ),
        AddError::Invalid { .. } => (
            "the entry has validation errors (listed above); nothing was added".to_owned(),
            "fix the resource, or add --allow-invalid to keep it as it is",
        ),
        _ => (e.to_string(), "see `emr add --help`"),
    };
    CliError::core(e.code(), message, hint)
}

#[allow(clippy::print_stderr)]
fn report(findings: &[Finding]) {
    for f in findings {
        eprintln!("{:<7} {:<32} {}  ({})", f.severity.as_str(), f.code, f.message, f.path);
    }
}

/// Read a FHIR resource from a file (`-` = standard input).
pub(crate) fn read_resource(path: &Path) -> Result<Resource, CliError> {
    let text = if path.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).map_err(|e| CliError::Input { path: path.to_path_buf(), source: e })?;
        s
    } else {
        std::fs::read_to_string(path).map_err(|e| CliError::Input { path: path.to_path_buf(), source: e })?
    };
    Resource::parse(&text).map_err(|e| {
        CliError::core(
            e.code(),
            format!("{}: {e}", path.display()),
            "give one FHIR R4 resource as JSON (an object with resourceType)",
        )
    })
}
