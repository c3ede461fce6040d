//! `emr add`: one entry, from a FHIR resource file or built from flags.

use std::io::Read;
use std::path::Path;

use emr_core::model::{Entry, PartialDate, Provenance, Resource, Source};
use emr_core::validate::{may_be_entry, new_entry_findings, next_version, AddError, Finding, Severity, DEFAULT_SOURCE};

use crate::cli::AddArgs;
use crate::error::CliError;
use crate::output::{print, print_json_text};
use crate::unlock::{open_for_write, stamp};

use super::{new_id, parse_now, Outcome};

/// `meta` key of the source used when `--source` is not given.
pub const DEFAULT_SOURCE_KEY: &str = "default_source";

/// Run `emr add`.
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
    let now = now.unwrap_or(stamp.at);

    let source = match &args.source {
        Some(s) => s.clone(),
        None => store.meta(DEFAULT_SOURCE_KEY)?.unwrap_or_else(|| DEFAULT_SOURCE.to_owned()),
    };
    if source.trim().is_empty() {
        return Err(CliError::core(
            AddError::Source.code(),
            "--source is empty",
            "give the id of the source the entry comes from",
        ));
    }
    let patient = store.patient()?;
    let patient_id = patient.as_ref().and_then(|p| p.resource().id());
    let resource = match (given, args.kind) {
        (Some(r), _) => r,
        (None, Some(kind)) => {
            let id = args.id.clone().unwrap_or_else(new_id);
            super::resource::build(kind, args, &id, patient_id.as_deref())?
        }
        (None, None) => return Err(CliError::usage("nothing to add", "give --json FILE or --kind KIND with --code")),
    };
    may_be_entry(&resource).map_err(|e| {
        CliError::core(
            e.code(),
            e.to_string(),
            "give the patient with `emr init --patient`; `emr add` takes clinical resources",
        )
    })?;
    let id = args.id.clone().or_else(|| resource.id()).unwrap_or_else(new_id);
    let version = next_version(store.latest_version(&source, &id)?, args.new_version).map_err(|e| {
        CliError::core(
            e.code(),
            format!("source {source} already has an entry with this id"),
            "give another --id, or --new-version to add it as the entry's next version",
        )
    })?;
    let recorded = PartialDate::from(stamp.at);
    let provenance = Provenance::new(source.clone(), id).with_version(version).with_recorded(recorded);
    let entry = Entry::new(provenance, resource).map_err(|e| CliError::Internal(e.to_string()))?;

    let findings = new_entry_findings(&entry, patient.as_ref(), now);
    report(&findings);
    let errors = findings.iter().filter(|f| f.severity == Severity::Error).count();
    if errors > 0 && !args.allow_invalid {
        return Err(CliError::core(
            AddError::Invalid { errors }.code(),
            "the entry has validation errors (listed above); nothing was added",
            "fix the resource, or add --allow-invalid to keep it as it is",
        ));
    }

    if !store.sources()?.iter().any(|s| s.id.as_str() == source) {
        let mut new = Source::new(source.clone(), source.clone());
        new.name = None;
        store.add_source(&new, &stamp)?;
    }
    let row = store.add_entry(&entry, &stamp, "add")?;
    store.save(&lock)?;
    drop(lock);
    if args.print_json {
        print_json_text(&row.to_json()?)?;
    } else {
        print(&format!("added {} {} (version {}, source {})\n", row.derived.kind, row.id, row.version, row.source))?;
    }
    Ok(Outcome::Success)
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
