//! `emr init`: a new, empty encrypted record file.

use std::time::Duration;

use emr_core::model::{Patient, Resource, Source};

use crate::cli::InitArgs;
use crate::error::CliError;
use crate::output::{check, print, Rules};
use crate::store::{Protection, Store, WriteLock};
use crate::unlock::{new_passphrase, recipients, stamp, PASSPHRASE_ENV};

use super::add::DEFAULT_SOURCE_KEY;
use super::{new_id, Outcome};

/// Run `emr init`.
///
/// # Errors
/// The file exists (without `--force`), bad recipients or patient, no passphrase, write errors.
pub fn run(args: &InitArgs) -> Result<Outcome, CliError> {
    let rules = Rules::new(args.force).inputs(args.patient.as_deref());
    check(&args.file, &rules)?;
    if args.source.trim().is_empty() {
        return Err(CliError::usage("--source is empty", "give an id such as clinic-a, or leave the default"));
    }
    let patient = match &args.patient {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| CliError::Input { path: path.clone(), source: e })?;
            let resource = Resource::parse(&text).map_err(|e| {
                CliError::core(e.code(), format!("{}: {e}", path.display()), "give a FHIR R4 Patient resource as JSON")
            })?;
            if resource.resource_type() != "Patient" {
                return Err(CliError::usage(
                    format!("{}: the resource is not a Patient", path.display()),
                    "give a FHIR R4 Patient resource as JSON",
                ));
            }
            Patient::new(resource)
        }
        None => Patient::parse(&format!(r#"{{"resourceType":"Patient","id":"{}"}}"#, new_id()))
            .map_err(|e| CliError::Internal(e.to_string()))?,
    };
    let keys = recipients(&args.recipients, &args.recipients_files)?;
    let (protection, described) = if keys.is_empty() {
        (
            Protection::Passphrase(new_passphrase(args.passphrase_file.as_deref(), PASSPHRASE_ENV)?),
            "a passphrase".to_owned(),
        )
    } else {
        let n = keys.len();
        (Protection::Recipients(keys), format!("{n} recipient{}", if n == 1 { "" } else { "s" }))
    };

    let lock = WriteLock::acquire(&args.file, Duration::from_secs(args.write.lock_timeout))?;
    // Checked again under the lock: another process may have created it meanwhile.
    check(&args.file, &rules)?;
    let stamp = stamp(&args.write);
    let mut store = Store::create(&args.file, protection, &stamp)?;
    store.set_patient(&patient, &stamp, "init")?;
    let mut source = Source::new(args.source.clone(), args.source_name.clone().unwrap_or_default());
    source.name = args.source_name.clone();
    store.add_source(&source, &stamp)?;
    store.set_meta(DEFAULT_SOURCE_KEY, &args.source)?;
    store.save(&lock)?;
    drop(lock);
    print(&format!("created {} (encrypted to {described})\n", args.file.display()))?;
    Ok(Outcome::Success)
}
