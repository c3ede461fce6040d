//! FHIR R4 in and out: `fromFhir`, `toFhir`, `toIps`, `toNdjson` and their `*Json` twins.

use emr_core::fhir::{self, ExportOptions, Imported};
use emr_core::model::{PartialDate, Record};
use wasm_bindgen::prelude::*;

use crate::error::Error;
use crate::interop::{self, DateArgument, Options};

fn import(fhir: JsValue, options: Option<JsValue>) -> Result<Imported, Error> {
    let text = interop::fhir_text(&fhir, "fhir")?;
    let (options, now) = interop::import_options(options)?;
    fhir::import(&text, &options, now).map_err(|e| Error::import("fhir", &e))
}

/// Import FHIR R4 JSON — a resource, or a Bundle of any type (a Synthea patient, an IPS
/// document, a transaction…) — into a record: `{ record, findings }`.
///
/// `fhir` is JSON text (read exactly as written: decimals, duplicate keys) or an object (through
/// `JSON.stringify`). Each entry is attributed to the organization that asserted it; resources
/// whose origin the input does not say go to `options.defaultSource` (else the IPS author, else
/// the organization of most encounters, else a source named `import`). The findings point into
/// the input; `options.now` (default: the current time) is when the input is judged.
///
/// Throws an `EmrError` with code `input.type`, `fhir.syntax`, `fhir.shape` or `now.syntax`.
#[wasm_bindgen(js_name = fromFhir, unchecked_return_type = "Imported")]
pub fn from_fhir(
    #[wasm_bindgen(unchecked_param_type = "string | object")] fhir: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "FromFhirOptions")] options: Option<JsValue>,
) -> Result<JsValue, Error> {
    interop::imported_to_js(&import(fhir, options)?, false)
}

/// `fromFhir` giving the record as JSON text (`{ recordJson, findings }`): the resources' decimals
/// stay exactly as in the input (`1.30` stays `1.30`).
///
/// Throws like `fromFhir`.
#[wasm_bindgen(js_name = fromFhirJson, unchecked_return_type = "ImportedJson")]
pub fn from_fhir_json(
    #[wasm_bindgen(unchecked_param_type = "string | object")] fhir: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "FromFhirOptions")] options: Option<JsValue>,
) -> Result<JsValue, Error> {
    interop::imported_to_js(&import(fhir, options)?, true)
}

/// The export options: `timestamp` (default: the current time) and whether to export the view.
fn export_options(options: Option<JsValue>) -> Result<(ExportOptions, bool), Error> {
    let options = Options::new(options, "options")?;
    let timestamp = PartialDate::from(interop::instant(options.get("timestamp"), &DateArgument::TIMESTAMP)?);
    Ok((ExportOptions { timestamp }, options.flag("view")?))
}

fn to_fhir_text(record: &Record, options: Option<JsValue>) -> Result<String, Error> {
    let (options, view) = export_options(options)?;
    Ok(if view { fhir::to_view_bundle(record, &options) } else { fhir::to_bundle(record, &options) })
}

/// Export a record as a FHIR R4 `collection` Bundle, as JSON text (lossless: every resource
/// exactly as received): the patient, every entry, and a `Provenance` per source naming the
/// entries it asserted. With `options.view`, the clinical view instead: one resource per fact.
/// `options.timestamp` (default: the current time) is `Bundle.timestamp` and the recording time
/// of entries without one.
///
/// Throws an `EmrError` with code `input.type`, `record.shape` or `timestamp.syntax`.
#[wasm_bindgen(js_name = toFhir)]
pub fn to_fhir(
    #[wasm_bindgen(unchecked_param_type = "EmrRecord")] record: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ExportOptions & { view?: boolean }")] options: Option<JsValue>,
) -> Result<String, Error> {
    to_fhir_text(&interop::record_from_js(&record, "record")?, options)
}

/// `toFhir` of a record given as JSON text.
///
/// Throws an `EmrError` with code `input.type`, `record.syntax`, `record.shape` or
/// `timestamp.syntax`.
#[wasm_bindgen(js_name = toFhirJson)]
pub fn to_fhir_json(
    #[wasm_bindgen(js_name = recordJson, unchecked_param_type = "string")] record_json: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ExportOptions & { view?: boolean }")] options: Option<JsValue>,
) -> Result<String, Error> {
    to_fhir_text(&record_json_arg(&record_json)?, options)
}

fn to_ips_text(record: &Record, options: Option<JsValue>) -> Result<String, Error> {
    let (options, _) = export_options(options)?;
    fhir::to_ips(record, &options).map_err(|e| Error::ips(&e))
}

/// The International Patient Summary (IPS IG 2.0.0) of a record: a FHIR `document` Bundle as
/// JSON text, summarizing the clinical view (problems, allergies, medications, and the
/// recommended sections where data exists).
///
/// Throws an `EmrError` with code `input.type`, `record.shape`, `record.patient.missing` or
/// `timestamp.syntax`.
#[wasm_bindgen(js_name = toIps)]
pub fn to_ips(
    #[wasm_bindgen(unchecked_param_type = "EmrRecord")] record: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ExportOptions")] options: Option<JsValue>,
) -> Result<String, Error> {
    to_ips_text(&interop::record_from_js(&record, "record")?, options)
}

/// `toIps` of a record given as JSON text.
///
/// Throws like `toIps`, and `record.syntax`.
#[wasm_bindgen(js_name = toIpsJson)]
pub fn to_ips_json(
    #[wasm_bindgen(js_name = recordJson, unchecked_param_type = "string")] record_json: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ExportOptions")] options: Option<JsValue>,
) -> Result<String, Error> {
    to_ips_text(&record_json_arg(&record_json)?, options)
}

fn to_ndjson_js(record: &Record, options: Option<JsValue>) -> Result<JsValue, Error> {
    let (options, _) = export_options(options)?;
    interop::to_js(&fhir::to_ndjson(record, &options))
}

/// Export a record as FHIR Bulk Data NDJSON: an object with one member per resource type, in
/// alphabetical order (`{ Condition: "…\n", Patient: "…\n", Provenance: "…\n", … }`), each the
/// text of the file `TYPE.ndjson`: one resource per line, each line ending in `\n`. It is the
/// clinical view (one resource per fact, the patient once, a `Provenance` per source), with
/// references relative (`Patient/123`) and ids unique per type, so that analytics engines join it.
///
/// Throws an `EmrError` with code `input.type`, `record.shape` or `timestamp.syntax`.
#[wasm_bindgen(js_name = toNdjson, unchecked_return_type = "{ [resourceType: string]: string }")]
pub fn to_ndjson(
    #[wasm_bindgen(unchecked_param_type = "EmrRecord")] record: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ExportOptions")] options: Option<JsValue>,
) -> Result<JsValue, Error> {
    to_ndjson_js(&interop::record_from_js(&record, "record")?, options)
}

/// `toNdjson` of a record given as JSON text (lossless: the lines keep the decimals as written).
///
/// Throws like `toNdjson`, and `record.syntax`.
#[wasm_bindgen(js_name = toNdjsonJson, unchecked_return_type = "{ [resourceType: string]: string }")]
pub fn to_ndjson_json(
    #[wasm_bindgen(js_name = recordJson, unchecked_param_type = "string")] record_json: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ExportOptions")] options: Option<JsValue>,
) -> Result<JsValue, Error> {
    to_ndjson_js(&record_json_arg(&record_json)?, options)
}

/// The `recordJson` argument.
pub fn record_json_arg(value: &JsValue) -> Result<Record, Error> {
    interop::record_from_json(&interop::string(value, "recordJson")?, "recordJson")
}
