//! WebAssembly bindings of emr-core: the `@emr/wasm` npm package.
//!
//! A thin shell: every function here converts its arguments (`interop.rs`), calls emr-core, and
//! converts the result back. Medicine lives in emr-core.
//!
//! Conventions of the JS API (see `emr-wasm/README.md`):
//! - names are camelCase (`js_name`); records in and out are plain objects typed `EmrRecord`;
//! - a `*Json` variant takes (and gives) records as JSON text, keeping decimals such as `1.30`
//!   and duplicate keys exactly as written;
//! - every failure is thrown as an `Error` named `EmrError` with a stable `code` ([`ErrorCode`])
//!   and a message without patient data; nothing panics on input.
//!
//! The TypeScript types of records and findings are generated from `schemas/` into
//! `ts/emr-types.d.ts` (`scripts/gen-types.mjs`) and imported by the declarations below.
//!
//! # Adding a function
//! 1. Here: a `#[wasm_bindgen(js_name = camelCase, unchecked_return_type = "…")]` fn taking
//!    `JsValue`s typed with `unchecked_param_type` / `unchecked_optional_param_type`, converting
//!    with `interop.rs` (`record_from_js` / `record_from_json` in, `record_to_js` /
//!    `record_to_json` / `to_js` out) and returning `Result<_, Error>`. A record-taking function
//!    gets a `*Json` twin.
//! 2. A new failure gets an [`ErrorCode`] variant and its string in `ERROR_TS` (a unit test
//!    checks the two agree).
//! 3. A new result type gets a schema in `schemas/` (emr-core's schemars), then
//!    `node emr-wasm/scripts/gen-types.mjs`; import its name in `TS_TYPES` below.
//! 4. Checks in `tests/shared/checks.mjs` (run in Node and Chromium) and, if it has vectors, in
//!    `tests/node/`. The entry points (`index.mjs`, `browser.mjs`) list the new export by themselves.

mod error;
mod interop;

use wasm_bindgen::prelude::*;

pub use error::{Error, ErrorCode};

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
import type { EmrRecord, Finding } from "./emr-types.js";
export type * from "./emr-types.js";
"#;

#[wasm_bindgen(typescript_custom_section)]
const TS_ERROR: &str = error::ERROR_TS;

/// The version of this package (and of the emr-core it was built from).
#[wasm_bindgen(js_name = version)]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

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
    let record = interop::record_from_js(&record)?;
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

/// True when `value` was thrown by this package: an `Error` named `EmrError` with a known `code`.
#[wasm_bindgen(js_name = isEmrError, unchecked_return_type = "value is EmrError")]
pub fn is_emr_error(#[wasm_bindgen(unchecked_param_type = "unknown")] value: JsValue) -> bool {
    interop::is_emr_error(&value)
}
