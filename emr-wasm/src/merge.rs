//! `merge`, `mergeJson`: EMRs of one patient into one EHR.

use emr_core::merge::{MergeOptions, MergeReport};
use emr_core::model::Record;
use wasm_bindgen::prelude::*;

use crate::error::Error;
use crate::interop::{self, Options};

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
