//! Merging and its clinical view: `merge`, `view`, `conflicts`, `reconcile`, `compareIdentity`
//! and their `*Json` twins.

use emr_core::merge::{MergeOptions, MergeReport, SideChoice};
use emr_core::model::{PartialDate, Record, Resource, Source};
use wasm_bindgen::prelude::*;

use crate::error::Error;
use crate::fhir::record_json_arg;
use crate::interop::{self, DateArgument, Options};

fn merge_records(records: &[Record], options: Option<JsValue>) -> Result<(Record, MergeReport), Error> {
    let options = Options::new(options, "options")?;
    let options = MergeOptions { force: options.flag("force")? };
    emr_core::merge::merge(records, &options).map_err(|e| Error::merge(&e))
}

/// Merge records of one patient (e.g. from two clinics) into one: `{ record, report }`.
///
/// The patient identity is checked first; records that may describe different people are
/// refused unless `options.force`. The merged record keeps every entry of every input with its
/// provenance; the report tells what the clinical view folded (duplicates), flagged and resolved
/// (conflicts), suppressed and retracted. Deterministic: the input order does not matter.
///
/// Throws an `EmrError` with code `input.type`, `record.shape` or `merge.identity`.
#[wasm_bindgen(js_name = merge, unchecked_return_type = "Merged")]
pub fn merge(
    #[wasm_bindgen(unchecked_param_type = "EmrRecord[]")] records: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "MergeOptions")] options: Option<JsValue>,
) -> Result<JsValue, Error> {
    let (record, report) = merge_records(&interop::records_from_js(&records, "records")?, options)?;
    interop::object(&[("record", interop::record_to_js(&record)?), ("report", interop::to_js(&report)?)])
}

/// `merge` of records given as JSON text, giving the merged record as JSON text too:
/// `{ recordJson, report }`, decimals exactly as received.
///
/// Throws like `merge`, and `record.syntax`.
#[wasm_bindgen(js_name = mergeJson, unchecked_return_type = "MergedJson")]
pub fn merge_json(
    #[wasm_bindgen(js_name = recordsJson, unchecked_param_type = "string[]")] records_json: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "MergeOptions")] options: Option<JsValue>,
) -> Result<JsValue, Error> {
    let (record, report) = merge_records(&interop::records_from_json(&records_json, "recordsJson")?, options)?;
    interop::object(&[
        ("recordJson", JsValue::from_str(&interop::record_to_json(&record)?)),
        ("report", interop::to_js(&report)?),
    ])
}

/// The clinical view of a record: `{ items, folded, conflicts, suppressed, retracted, superseded }`,
/// one item per clinical fact, each with the assertion shown (`representative`), every
/// assertion folded into it (`members`), its resource (changed only where resolution changed a
/// field, listed in `changed`).
///
/// Throws an `EmrError` with code `input.type` or `record.shape`.
#[wasm_bindgen(js_name = view, unchecked_return_type = "View")]
pub fn view(#[wasm_bindgen(unchecked_param_type = "EmrRecord")] record: JsValue) -> Result<JsValue, Error> {
    interop::to_js_via_json(&emr_core::merge::view(&interop::record_from_js(&record, "record")?))
}

/// `view` of a record given as JSON text.
///
/// Throws an `EmrError` with code `input.type`, `record.syntax` or `record.shape`.
#[wasm_bindgen(js_name = viewJson, unchecked_return_type = "View")]
pub fn view_json(
    #[wasm_bindgen(js_name = recordJson, unchecked_param_type = "string")] record_json: JsValue,
) -> Result<JsValue, Error> {
    interop::to_js_via_json(&emr_core::merge::view(&record_json_arg(&record_json)?))
}

/// The record's conflicts, each with its sides side by side — what `emr conflicts` lists: open
/// ones first, then those a clinician settled. Each side has its entry, source name, last
/// modification, the disputed value read losslessly from the source's resource (`6.30 %` stays
/// `6.30 %`) and the resource itself.
///
/// Throws an `EmrError` with code `input.type` or `record.shape`.
#[wasm_bindgen(js_name = conflicts, unchecked_return_type = "ConflictSides[]")]
pub fn conflicts(#[wasm_bindgen(unchecked_param_type = "EmrRecord")] record: JsValue) -> Result<JsValue, Error> {
    interop::to_js_via_json(&emr_core::merge::conflict_sides(&interop::record_from_js(&record, "record")?))
}

/// `conflicts` of a record given as JSON text.
///
/// Throws an `EmrError` with code `input.type`, `record.syntax` or `record.shape`.
#[wasm_bindgen(js_name = conflictsJson, unchecked_return_type = "ConflictSides[]")]
pub fn conflicts_json(
    #[wasm_bindgen(js_name = recordJson, unchecked_param_type = "string")] record_json: JsValue,
) -> Result<JsValue, Error> {
    interop::to_js_via_json(&emr_core::merge::conflict_sides(&record_json_arg(&record_json)?))
}

/// The decision argument of `reconcile`.
fn decision(value: JsValue) -> Result<(String, SideChoice, Source, PartialDate), Error> {
    let d = Options::new(Some(value), "decision")?;
    let conflict = d.string("conflict")?.ok_or_else(|| Error::input_type("decision.conflict must be a conflict id"))?;
    let clinician = d
        .string("clinician")?
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| Error::input_type("decision.clinician must be the clinician's name"))?;
    let side = |name: &str| -> Result<Option<usize>, Error> {
        d.get(name)
            .map(|v| {
                v.as_f64()
                    .filter(|n| n.fract() == 0.0 && *n >= 1.0 && *n <= 1e9)
                    // A whole number from 1 to 1e9 fits usize.
                    .map(|n| n as usize)
                    .ok_or_else(|| Error::input_type(&format!("{} must be a side number from 1", d.name(name))))
            })
            .transpose()
    };
    let edit = d
        .get("edit")
        .map(|v| {
            let text = interop::fhir_text(&v, "decision.edit")?;
            Resource::parse(&text).map_err(|e| Error::resource("decision.edit", &e))
        })
        .transpose()?;
    let choice = match (side("accept")?, side("reject")?, edit) {
        (Some(n), None, None) => SideChoice::Accept(n),
        (None, Some(n), None) => SideChoice::Reject(n),
        (None, None, Some(resource)) => SideChoice::Edit(resource),
        _ => return Err(Error::input_type("decision must have exactly one of accept, reject or edit")),
    };
    let recorded = PartialDate::from(interop::instant(d.get("recorded"), &DateArgument::RECORDED)?);
    Ok((conflict, choice, Source::clinician(&clinician), recorded))
}

fn reconcile_record(record: &Record, decision_value: JsValue) -> Result<Record, Error> {
    let (conflict, choice, clinician, recorded) = decision(decision_value)?;
    emr_core::merge::resolve(record, &conflict, &choice, &clinician, recorded).map_err(|e| Error::reconcile(&e))
}

/// Record a clinician's decision about an open conflict, as `emr resolve` does: `decision` is
/// `{ conflict, clinician, accept | reject | edit, recorded? }` — the conflict's `id` (from
/// `conflicts`), the clinician's name (their source is `clinician-<name>`), the side accepted or
/// rejected (its number from 1, in the order `conflicts` lists them) or an edited FHIR resource
/// (text or object) of the disputed type, and when (default: now). Returns the record with the
/// decision added as the clinician's assertion; nothing is removed.
///
/// Throws an `EmrError` with code `input.type`, `record.shape`, `recorded.syntax`, `fhir.syntax`,
/// `fhir.shape`, `reconcile.conflict`, `reconcile.settled`, `reconcile.side` or `reconcile.type`.
#[wasm_bindgen(js_name = reconcile, unchecked_return_type = "EmrRecord")]
pub fn reconcile(
    #[wasm_bindgen(unchecked_param_type = "EmrRecord")] record: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Decision")] decision: JsValue,
) -> Result<JsValue, Error> {
    interop::record_to_js(&reconcile_record(&interop::record_from_js(&record, "record")?, decision)?)
}

/// `reconcile` of a record given as JSON text, giving the new record as JSON text (decimals as
/// received).
///
/// Throws like `reconcile`, and `record.syntax`.
#[wasm_bindgen(js_name = reconcileJson)]
pub fn reconcile_json(
    #[wasm_bindgen(js_name = recordJson, unchecked_param_type = "string")] record_json: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Decision")] decision: JsValue,
) -> Result<String, Error> {
    interop::record_to_json(&reconcile_record(&record_json_arg(&record_json)?, decision)?)
}

/// The identity check `merge` applies, without merging: `{ samePerson, comparisons }`, every
/// pair of the records' patients compared (weakest first), with the fields compared and their
/// outcomes — never the patients' values. `samePerson` is false when `merge` would refuse them.
///
/// Throws an `EmrError` with code `input.type` or `record.shape`.
#[wasm_bindgen(js_name = compareIdentity, unchecked_return_type = "IdentityCheck")]
pub fn compare_identity(
    #[wasm_bindgen(unchecked_param_type = "EmrRecord[]")] records: JsValue,
) -> Result<JsValue, Error> {
    interop::to_js(&emr_core::merge::identity_check(&interop::records_from_js(&records, "records")?))
}

/// `compareIdentity` of records given as JSON text.
///
/// Throws like `compareIdentity`, and `record.syntax`.
#[wasm_bindgen(js_name = compareIdentityJson, unchecked_return_type = "IdentityCheck")]
pub fn compare_identity_json(
    #[wasm_bindgen(js_name = recordsJson, unchecked_param_type = "string[]")] records_json: JsValue,
) -> Result<JsValue, Error> {
    interop::to_js(&emr_core::merge::identity_check(&interop::records_from_json(&records_json, "recordsJson")?))
}
