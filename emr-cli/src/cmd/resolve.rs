//! `emr resolve`: a clinician settles a conflict (accept, reject or edit a version). The decision
//! is one more entry, of the clinician as a source, so nothing is deleted and merges stay lawful;
//! the audit log names the clinician.

use emr_core::merge::{resolve, ReconcileError, SideChoice};
use emr_core::model::{PartialDate, Source};

use crate::cli::ResolveArgs;
use crate::error::CliError;
use crate::output::{print, print_json_text};
use crate::unlock::{open_for_write, stamp};

use super::conflicts::{find, list, Listed};
use super::{Outcome, SourceNames};

/// Run `emr resolve`.
///
/// # Errors
/// The file does not open, the conflict or version is unknown, the edited resource is not
/// FHIR JSON, write errors.
pub fn run(args: &ResolveArgs) -> Result<Outcome, CliError> {
    // Read the edited resource before taking the lock or asking for keys.
    let edited = args.edit.as_deref().map(super::add::read_resource).transpose()?;
    let (lock, mut store) = open_for_write(&args.file, &args.unlock, &args.write)?;
    let mut stamp = stamp(&args.write);
    if let Some(name) = args.clinician.as_deref().map(str::trim) {
        if name.is_empty() {
            return Err(CliError::usage("--clinician is empty", "give the reconciling clinician's name"));
        }
        name.clone_into(&mut stamp.actor);
    }
    let record = store.to_record()?;
    let listed = list(&record)?;
    let conflict = find(&listed, &args.conflict)?;
    let names = SourceNames::of(&record);
    let choice = match (&args.accept, &args.reject, edited) {
        (Some(v), _, _) => SideChoice::Accept(version(conflict, v, &names)?),
        (_, Some(v), _) => SideChoice::Reject(version(conflict, v, &names)?),
        (_, _, Some(resource)) => SideChoice::Edit(resource),
        _ => return Err(CliError::usage("no decision", "give --accept VERSION, --reject VERSION or --edit FILE")),
    };
    let clinician = Source::clinician(&stamp.actor);
    let decided =
        resolve(&record, &conflict.conflict.id, &choice, &clinician, PartialDate::from(stamp.at)).map_err(|e| {
            let (message, hint) = match e {
                ReconcileError::AlreadySettled => (
                    format!("conflict {} is already settled by a clinician's decision", conflict.short),
                    "`emr conflicts FILE` lists the open ones",
                ),
                ReconcileError::EditType { .. } => (e.to_string(), "give a corrected version of the disputed resource"),
                _ => (e.to_string(), "see `emr conflicts FILE`"),
            };
            CliError::core(e.code(), message, hint)
        })?;
    let entry = decided
        .entries
        .last()
        .filter(|e| e.provenance().decision.is_some())
        .ok_or_else(|| CliError::Internal("reconcile recorded no decision".into()))?;
    if !store.sources()?.iter().any(|s| s.id == clinician.id) {
        store.add_source(&clinician, &stamp)?;
    }
    let row = store.add_entry(entry, &stamp, "resolve")?;
    store.save(&lock)?;
    drop(lock);
    if args.json {
        print_json_text(&row.to_json()?)?;
    } else {
        let action = match (&args.accept, &args.reject) {
            (Some(_), _) => "accepted",
            (_, Some(_)) => "rejected",
            _ => "replaced by an edited version",
        };
        print(&format!(
            "settled {} ({} {}): {action}; recorded as {} by {} (source {})\n",
            conflict.short, conflict.conflict.kind, conflict.conflict.field, row.id, stamp.actor, clinician.id
        ))?;
    }
    Ok(super::Outcome::Success)
}

/// The version `key` names within `conflict`, as its number from 1: its number, or a source id
/// or name with exactly one version in it.
fn version(conflict: &Listed, key: &str, names: &SourceNames) -> Result<usize, CliError> {
    let key = key.trim();
    if let Ok(n) = key.parse::<usize>() {
        return conflict.versions.iter().find(|s| s.n == n).map(|s| s.n).ok_or_else(|| {
            CliError::usage(
                format!("conflict {} has no version {n}", conflict.short),
                format!("give a number from 1 to {}", conflict.versions.len()),
            )
        });
    }
    let by_source: Vec<usize> = conflict
        .versions
        .iter()
        .filter(|s| s.entry.source.as_str() == key || names.get(s.entry.source.as_str()).eq_ignore_ascii_case(key))
        .map(|s| s.n)
        .collect();
    match by_source.as_slice() {
        [one] => Ok(*one),
        [] => Err(CliError::usage(
            format!("no version of conflict {} comes from source {key:?}", conflict.short),
            "give the version's number as `emr conflicts FILE` shows it",
        )),
        _ => Err(CliError::usage(
            format!("source {key:?} has more than one version in conflict {}", conflict.short),
            "give the version's number as `emr conflicts FILE` shows it",
        )),
    }
}
