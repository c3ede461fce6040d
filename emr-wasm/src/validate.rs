//! `validate`, `validateJson`: a record's findings.

use wasm_bindgen::prelude::*;

use crate::error::Error;
use crate::interop;

/// Validate a record; returns its findings (errors and warnings) in a stable order.
///
/// `now` (an RFC 3339 string or a `Date`; the current time when omitted) is when the record is
/// judged: dates after it are in the future.
///
/// The record object goes through `JSON.stringify`, so decimals arrive as JS wrote them and a
/// duplicate key cannot be seen; validate the text with `validateJson` when that matters.
///
/// Throws an `EmrError` with code `input.type`, `record.shape` or `now.syntax`.
#[wasm_bindgen(js_name = validate, unchecked_return_type = "Finding[]")]
pub fn validate(
    #[wasm_bindgen(unchecked_param_type = "EmrRecord")] record: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "string | Date")] now: Option<JsValue>,
) -> Result<JsValue, Error> {
    let record = interop::record_from_js(&record, "record")?;
    let now = interop::now(now)?;
    interop::to_js(&emr_core::validate::validate(&record, now))
}

/// Validate a record given as JSON text, exactly as written (decimals, duplicate keys); returns
/// its findings like `validate`.
///
/// Throws an `EmrError` with code `input.type`, `record.syntax`, `record.shape` or `now.syntax`.
#[wasm_bindgen(js_name = validateJson, unchecked_return_type = "Finding[]")]
pub fn validate_json(
    #[wasm_bindgen(js_name = recordJson, unchecked_param_type = "string")] record_json: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "string | Date")] now: Option<JsValue>,
) -> Result<JsValue, Error> {
    let text = interop::string(&record_json, "recordJson")?;
    let record = interop::record_from_json(&text, "recordJson")?;
    let now = interop::now(now)?;
    interop::to_js(&emr_core::validate::validate(&record, now))
}
