//! `emr add --kind`: the flags as emr-core's entry draft, which writes the FHIR resource.

use emr_core::clinical::{DraftKind, EntryDraft};
use emr_core::model::Resource;
use emr_core::validate::draft_resource;

use crate::cli::{AddArgs, EntryKindArg};
use crate::error::CliError;

/// The draft the flags of `args` describe.
fn draft(kind: EntryKindArg, args: &AddArgs) -> EntryDraft {
    let kind = match kind {
        EntryKindArg::Condition => DraftKind::Condition,
        EntryKindArg::Allergy => DraftKind::Allergy,
        EntryKindArg::Observation => DraftKind::Observation,
        EntryKindArg::Immunization => DraftKind::Immunization,
        EntryKindArg::Medication => DraftKind::Medication,
    };
    EntryDraft {
        code: args.code.clone().unwrap_or_default(),
        display: args.display.clone(),
        date: args.date.clone(),
        abatement: args.abatement.clone(),
        status: args.status.clone(),
        criticality: args.criticality.clone(),
        value: args.value.clone(),
        unit: args.unit.clone(),
        ..EntryDraft::new(kind)
    }
}

/// Build the resource described by the flags of `args`, with `id` (else emr-core's default id
/// of the draft), about patient `patient_id`.
///
/// # Errors
/// A flag value is malformed (code, date, value), or a flag does not apply to the kind; the
/// message names the flag (emr-core's messages start with the draft field the flag sets).
pub fn build(
    kind: EntryKindArg,
    args: &AddArgs,
    id: Option<&str>,
    patient_id: Option<&str>,
) -> Result<Resource, CliError> {
    draft_resource(&draft(kind, args), id, patient_id).map_err(|e| {
        CliError::core(
            e.code(),
            format!("--{e}"),
            "see `emr add --help` for the flags of each kind, e.g. --code 'loinc|4548-4' --date 2019-05-17",
        )
    })
}
