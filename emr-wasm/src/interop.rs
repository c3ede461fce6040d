//! Conversions between JS values and emr-core types: every JS-specific detail of the bindings.
//!
//! Records cross the boundary as JSON text: an entry's FHIR resource is a
//! `serde_json::value::RawValue` (its decimals kept as written), which serde-wasm-bindgen cannot
//! produce or consume. So a record object goes `JSON.stringify` → `serde_json::from_str`, and back
//! `serde_json::to_string` → `JSON.parse`. The `*Json` variants of the API take and give the text
//! itself, for callers who must keep decimals such as `1.30` or duplicate keys exactly as written.
//!
//! Small plain types (findings, reports, options) use serde-wasm-bindgen.

use chrono::{DateTime, Utc};
use emr_core::model::Record;
use js_sys::{Reflect, JSON};
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};

use crate::error::{Error, ErrorCode};

/// The error as a JS `Error` named `EmrError` with a `code` property.
impl From<Error> for JsValue {
    fn from(e: Error) -> JsValue {
        let js = js_sys::Error::new(e.message());
        js.set_name("EmrError");
        // Setting a property on a fresh, extensible Error cannot fail.
        let _ = Reflect::set(&js, &JsValue::from_str("code"), &JsValue::from_str(e.code().as_str()));
        js.into()
    }
}

/// True when `value` is an error thrown by this package (see [`From<Error> for JsValue`]).
pub fn is_emr_error(value: &JsValue) -> bool {
    let Some(error) = value.dyn_ref::<js_sys::Error>() else { return false };
    if error.name() != "EmrError" {
        return false;
    }
    let code = Reflect::get(value, &JsValue::from_str("code")).ok().and_then(|c| c.as_string());
    code.is_some_and(|code| ErrorCode::ALL.iter().any(|c| c.as_str() == code))
}

/// A string argument; `argument` names it in the error.
pub fn string(value: &JsValue, argument: &str) -> Result<String, Error> {
    value.as_string().ok_or_else(|| Error::input_type(&format!("{argument} must be a string")))
}

/// A record given as a JS object.
pub fn record_from_js(value: &JsValue) -> Result<Record, Error> {
    if !value.is_object() || js_sys::Array::is_array(value) {
        return Err(Error::input_type("record must be an object (an emr record)"));
    }
    let text = JSON::stringify(value)
        .ok()
        .and_then(|text| text.as_string())
        .ok_or_else(|| Error::input_type("record must be JSON-serializable (no cycles, no BigInt)"))?;
    serde_json::from_str(&text).map_err(|e| Error::record("record", &e, true))
}

/// A record given as JSON text; `argument` names it in errors.
pub fn record_from_json(text: &str, argument: &str) -> Result<Record, Error> {
    serde_json::from_str(text).map_err(|e| Error::record(argument, &e, false))
}

/// A record as a JS object. Decimals become JS numbers (`1.30` reads back as `1.3`); callers
/// who need the exact text use [`record_to_json`].
#[expect(dead_code, reason = "for the record-returning functions (toFhir, merge) as they land in emr-core")]
pub fn record_to_js(record: &Record) -> Result<JsValue, Error> {
    JSON::parse(&record_to_json(record)?).map_err(|_| Error::internal("the record could not be handed to JS"))
}

/// A record as JSON text, decimals and member order as they were received.
pub fn record_to_json(record: &Record) -> Result<String, Error> {
    serde_json::to_string(record).map_err(|_| Error::internal("the record could not be written as JSON"))
}

/// A small plain value (findings, reports) as a plain JS object: maps become objects, not `Map`s.
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, Error> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|_| Error::internal("a result could not be handed to JS"))
}

/// The `now` argument: an RFC 3339 string, a `Date`, or (when absent) the current time.
pub fn now(value: Option<JsValue>) -> Result<DateTime<Utc>, Error> {
    match value {
        None => now_from_millis(js_sys::Date::now()),
        Some(v) if v.is_undefined() || v.is_null() => now_from_millis(js_sys::Date::now()),
        Some(v) => {
            if let Some(text) = v.as_string() {
                now_from_rfc3339(&text)
            } else if let Some(date) = v.dyn_ref::<js_sys::Date>() {
                now_from_millis(date.get_time())
            } else {
                Err(Error::input_type("now must be an RFC 3339 string or a Date"))
            }
        }
    }
}

/// `now` from RFC 3339 text.
pub fn now_from_rfc3339(text: &str) -> Result<DateTime<Utc>, Error> {
    DateTime::parse_from_rfc3339(text).map(|t| t.to_utc()).map_err(|_| {
        Error::new(ErrorCode::NowSyntax, "now must be an RFC 3339 date-time with an offset, e.g. 2026-01-01T00:00:00Z")
    })
}

/// `now` from milliseconds since the Unix epoch, as JS `Date`s hold it.
pub fn now_from_millis(millis: f64) -> Result<DateTime<Utc>, Error> {
    let invalid = || Error::new(ErrorCode::NowSyntax, "now is an invalid Date");
    if !millis.is_finite() {
        return Err(invalid());
    }
    // Finite JS dates lie within ±8.64e15 ms, well inside i64; `as` saturates anyway.
    DateTime::from_timestamp_millis(millis.trunc() as i64).ok_or_else(invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn now_parses_rfc3339_and_rejects_the_rest() {
        assert_eq!(now_from_rfc3339("2026-01-01T01:00:00+01:00").unwrap().to_rfc3339(), "2026-01-01T00:00:00+00:00");
        for bad in ["yesterday", "2026-01-01", "2026-01-01T00:00:00", ""] {
            assert_eq!(now_from_rfc3339(bad).unwrap_err().code(), ErrorCode::NowSyntax, "{bad}");
        }
    }

    #[test]
    fn now_from_millis_rejects_invalid_dates() {
        assert_eq!(now_from_millis(0.0).unwrap().to_rfc3339(), "1970-01-01T00:00:00+00:00");
        assert_eq!(now_from_millis(1_767_225_600_000.9).unwrap().to_rfc3339(), "2026-01-01T00:00:00+00:00");
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e300] {
            assert_eq!(now_from_millis(bad).unwrap_err().code(), ErrorCode::NowSyntax);
        }
    }

    #[test]
    fn records_round_trip_through_json_text_keeping_decimals() {
        let text = r#"{"format":1,"sources":[{"id":"a","kind":"organization"}],"entries":[{"provenance":{"source":"a","id":"o1","version":1},"resource":{"resourceType":"Observation","valueQuantity":{"value":1.30}}}]}"#;
        let record = record_from_json(text, "recordJson").unwrap();
        assert!(record_to_json(&record).unwrap().contains(r#""value":1.30"#));
        assert_eq!(record_from_json(r#"{"entries":5}"#, "recordJson").unwrap_err().code(), ErrorCode::RecordShape);
        assert_eq!(record_from_json("{", "recordJson").unwrap_err().code(), ErrorCode::RecordSyntax);
        assert_eq!(record_from_json("", "recordJson").unwrap_err().code(), ErrorCode::RecordSyntax);
    }
}
