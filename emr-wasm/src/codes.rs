//! Code checks: `expandCode`, `shortenCode`, `knownSystem`, `checkCode`.

use emr_core::codes::{self, KnownSystem};
use wasm_bindgen::prelude::*;

use crate::error::Error;
use crate::interop;

/// A `system|code` with a known system's short name written out in full (`loinc|4548-4` →
/// `http://loinc.org|4548-4`); anything else as it is.
///
/// Throws an `EmrError` with code `input.type`.
#[wasm_bindgen(js_name = expandCode)]
pub fn expand_code(#[wasm_bindgen(unchecked_param_type = "string")] code: JsValue) -> Result<String, Error> {
    Ok(codes::expand_code(&interop::string(&code, "code")?).into_owned())
}

/// A `system|code` with a known system shortened (`http://loinc.org|4548-4` → `loinc|4548-4`);
/// anything else as it is.
///
/// Throws an `EmrError` with code `input.type`.
#[wasm_bindgen(js_name = shortenCode)]
pub fn shorten_code(#[wasm_bindgen(unchecked_param_type = "string")] code: JsValue) -> Result<String, Error> {
    Ok(codes::shorten_code(&interop::string(&code, "code")?).into_owned())
}

/// The code system emr knows by this FHIR URI (exactly) or short name (any case: `loinc`,
/// `snomed`, `icd10cm`, `rxnorm`, `cvx`, `ucum`, `dicom`): `{ uri, name, shortName }`, or `null`.
///
/// Throws an `EmrError` with code `input.type`.
#[wasm_bindgen(js_name = knownSystem, unchecked_return_type = "KnownSystem | null")]
pub fn known_system(#[wasm_bindgen(unchecked_param_type = "string")] system: JsValue) -> Result<JsValue, Error> {
    let system = interop::string(&system, "system")?;
    match KnownSystem::from_uri(&system).or_else(|| KnownSystem::from_short_name(&system)) {
        None => Ok(JsValue::NULL),
        Some(k) => interop::object(&[
            ("uri", JsValue::from_str(k.uri())),
            ("name", JsValue::from_str(k.name())),
            ("shortName", JsValue::from_str(k.short_name())),
        ]),
    }
}

/// Check a `system|code` (a known system by URI or short name) against its system's rules, as
/// validation does (LOINC and SNOMED CT check digits, ICD-10-CM, RxNorm, CVX and DICOM shapes,
/// UCUM syntax): `{ system, code, known?, short, problem?, message?, definite? }`, `problem` the
/// finding code of the broken rule (e.g. `code.loinc.check-digit`); `null` when the text is not
/// `system|code`.
///
/// Throws an `EmrError` with code `input.type`.
#[wasm_bindgen(js_name = checkCode, unchecked_return_type = "CodeCheck | null")]
pub fn check_code(#[wasm_bindgen(unchecked_param_type = "string")] code: JsValue) -> Result<JsValue, Error> {
    interop::to_js(&codes::check_code(&interop::string(&code, "code")?))
}
