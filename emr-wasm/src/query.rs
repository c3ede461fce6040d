//! Reading a record's clinical view: `timeline`, `trend`, `currentLists`, `summary` and their
//! `*Json` twins.

use emr_core::query;
use wasm_bindgen::prelude::*;

use crate::error::Error;
use crate::fhir::record_json_arg;
use crate::interop;

/// The clinical view as a timeline: one event per clinical fact that has a time (duplicates
/// reported by several sources are one event, `reportedBy` counts them), oldest first.
///
/// Throws an `EmrError` with code `input.type` or `record.shape`.
#[wasm_bindgen(js_name = timeline, unchecked_return_type = "TimelineEvent[]")]
pub fn timeline(#[wasm_bindgen(unchecked_param_type = "EmrRecord")] record: JsValue) -> Result<JsValue, Error> {
    interop::to_js(&query::timeline(&interop::record_from_js(&record, "record")?))
}

/// `timeline` of a record given as JSON text.
///
/// Throws an `EmrError` with code `input.type`, `record.syntax` or `record.shape`.
#[wasm_bindgen(js_name = timelineJson, unchecked_return_type = "TimelineEvent[]")]
pub fn timeline_json(
    #[wasm_bindgen(js_name = recordJson, unchecked_param_type = "string")] record_json: JsValue,
) -> Result<JsValue, Error> {
    interop::to_js(&query::timeline(&record_json_arg(&record_json)?))
}

/// The trend of one code over the clinical view — `code` is `system|code` (e.g.
/// `http://loinc.org|4548-4`) or a bare code in any system (`4548-4`, HbA1c) — with every value
/// and reference range converted to the unit of the latest measurement (UCUM, and mass ↔
/// substance for the analytes emr knows). Values that cannot be converted are counted in
/// `unconvertible`, not shown.
///
/// Throws an `EmrError` with code `input.type` or `record.shape`.
#[wasm_bindgen(js_name = trend, unchecked_return_type = "Trend")]
pub fn trend(
    #[wasm_bindgen(unchecked_param_type = "EmrRecord")] record: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] code: JsValue,
) -> Result<JsValue, Error> {
    let record = interop::record_from_js(&record, "record")?;
    interop::to_js(&query::trend(&record, &interop::string(&code, "code")?))
}

/// `trend` of a record given as JSON text.
///
/// Throws an `EmrError` with code `input.type`, `record.syntax` or `record.shape`.
#[wasm_bindgen(js_name = trendJson, unchecked_return_type = "Trend")]
pub fn trend_json(
    #[wasm_bindgen(js_name = recordJson, unchecked_param_type = "string")] record_json: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] code: JsValue,
) -> Result<JsValue, Error> {
    let record = record_json_arg(&record_json)?;
    interop::to_js(&query::trend(&record, &interop::string(&code, "code")?))
}

/// The current lists a clinician reads first: active problems, medications and allergies of the
/// clinical view (`{ problems, medications, allergies }`), each item with the resource shown
/// (resolved, e.g. the most severe allergy criticality) and the assertions folded into it.
///
/// Throws an `EmrError` with code `input.type` or `record.shape`.
#[wasm_bindgen(js_name = currentLists, unchecked_return_type = "CurrentLists")]
pub fn current_lists(#[wasm_bindgen(unchecked_param_type = "EmrRecord")] record: JsValue) -> Result<JsValue, Error> {
    interop::to_js_via_json(&query::current_lists(&interop::record_from_js(&record, "record")?))
}

/// `currentLists` of a record given as JSON text.
///
/// Throws an `EmrError` with code `input.type`, `record.syntax` or `record.shape`.
#[wasm_bindgen(js_name = currentListsJson, unchecked_return_type = "CurrentLists")]
pub fn current_lists_json(
    #[wasm_bindgen(js_name = recordJson, unchecked_param_type = "string")] record_json: JsValue,
) -> Result<JsValue, Error> {
    interop::to_js_via_json(&query::current_lists(&record_json_arg(&record_json)?))
}

/// The record as a patient-facing viewer shows it: the patient's details, the sources' names,
/// the current lists (each item with its label, code, time, sources, an allergy's criticality and
/// reactions, a medication's dose), immunizations, visits, and the lab trends that have
/// measurements. Everything clinical is decided by emr-core; a viewer only renders it.
///
/// Throws an `EmrError` with code `input.type` or `record.shape`.
#[wasm_bindgen(js_name = summary, unchecked_return_type = "Summary")]
pub fn summary(#[wasm_bindgen(unchecked_param_type = "EmrRecord")] record: JsValue) -> Result<JsValue, Error> {
    interop::to_js_via_json(&query::summary(&interop::record_from_js(&record, "record")?))
}

/// `summary` of a record given as JSON text.
///
/// Throws an `EmrError` with code `input.type`, `record.syntax` or `record.shape`.
#[wasm_bindgen(js_name = summaryJson, unchecked_return_type = "Summary")]
pub fn summary_json(
    #[wasm_bindgen(js_name = recordJson, unchecked_param_type = "string")] record_json: JsValue,
) -> Result<JsValue, Error> {
    interop::to_js_via_json(&query::summary(&record_json_arg(&record_json)?))
}

/// The demographics of a record's patient, as emr-core reads them from the Patient resource
/// (`{ names, birthDate, gender, identifiers, addresses, telecom, deceased }`, what the identity
/// check compares); `null` when the record has no patient.
///
/// Throws an `EmrError` with code `input.type` or `record.shape`.
#[wasm_bindgen(js_name = demographics, unchecked_return_type = "Demographics | null")]
pub fn demographics(#[wasm_bindgen(unchecked_param_type = "EmrRecord")] record: JsValue) -> Result<JsValue, Error> {
    let record = interop::record_from_js(&record, "record")?;
    interop::to_js(&record.patient.as_ref().map(emr_core::model::Patient::demographics))
}

/// `demographics` of a record given as JSON text.
///
/// Throws an `EmrError` with code `input.type`, `record.syntax` or `record.shape`.
#[wasm_bindgen(js_name = demographicsJson, unchecked_return_type = "Demographics | null")]
pub fn demographics_json(
    #[wasm_bindgen(js_name = recordJson, unchecked_param_type = "string")] record_json: JsValue,
) -> Result<JsValue, Error> {
    let record = record_json_arg(&record_json)?;
    interop::to_js(&record.patient.as_ref().map(emr_core::model::Patient::demographics))
}
