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
        if let Some((line, column)) = e.position() {
            let _ = Reflect::set(&js, &JsValue::from_str("line"), &JsValue::from(line));
            let _ = Reflect::set(&js, &JsValue::from_str("column"), &JsValue::from(column));
        }
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

/// A record given as a JS object; `argument` names it in errors.
pub fn record_from_js(value: &JsValue, argument: &str) -> Result<Record, Error> {
    if !value.is_object() || js_sys::Array::is_array(value) {
        return Err(Error::input_type(&format!("{argument} must be an object (an emr record)")));
    }
    let text = stringify(value)
        .ok_or_else(|| Error::input_type(&format!("{argument} must be JSON-serializable (no cycles, no BigInt)")))?;
    serde_json::from_str(&text).map_err(|e| Error::record(argument, &e, true))
}

/// `JSON.stringify(value)`, or `None` when it throws (cycles, BigInt) or gives `undefined`.
fn stringify(value: &JsValue) -> Option<String> {
    JSON::stringify(value).ok().and_then(|text| text.as_string())
}

/// The records of an array argument (`records`), each a JS object.
pub fn records_from_js(value: &JsValue, argument: &str) -> Result<Vec<Record>, Error> {
    array(value, argument)?
        .iter()
        .enumerate()
        .map(|(i, record)| record_from_js(&record, &format!("{argument}[{i}]")))
        .collect()
}

/// The records of an array argument (`recordsJson`), each JSON text.
pub fn records_from_json(value: &JsValue, argument: &str) -> Result<Vec<Record>, Error> {
    array(value, argument)?
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let name = format!("{argument}[{i}]");
            record_from_json(&string(&text, &name)?, &name)
        })
        .collect()
}

fn array(value: &JsValue, argument: &str) -> Result<js_sys::Array, Error> {
    value.dyn_ref::<js_sys::Array>().cloned().ok_or_else(|| Error::input_type(&format!("{argument} must be an array")))
}

/// FHIR JSON given as text (kept exactly as written) or as an object (through `JSON.stringify`).
pub fn fhir_text(value: &JsValue, argument: &str) -> Result<String, Error> {
    if let Some(text) = value.as_string() {
        return Ok(text);
    }
    if value.is_object() && !js_sys::Array::is_array(value) {
        return stringify(value)
            .ok_or_else(|| Error::input_type(&format!("{argument} must be JSON-serializable (no cycles, no BigInt)")));
    }
    Err(Error::input_type(&format!("{argument} must be FHIR JSON text or a FHIR resource object")))
}

/// Bytes given as a `Uint8Array`.
pub fn bytes(value: &JsValue, argument: &str) -> Result<Vec<u8>, Error> {
    value
        .dyn_ref::<js_sys::Uint8Array>()
        .map(js_sys::Uint8Array::to_vec)
        .ok_or_else(|| Error::input_type(&format!("{argument} must be a Uint8Array")))
}

/// An options object: `undefined` and `null` are no options; anything else but a plain object is
/// an error. Members are read by name with [`Options::get`].
pub struct Options {
    object: Option<js_sys::Object>,
    argument: &'static str,
}

impl Options {
    /// The options argument named `argument`.
    pub fn new(value: Option<JsValue>, argument: &'static str) -> Result<Options, Error> {
        match value {
            None => Ok(Options { object: None, argument }),
            Some(v) if v.is_undefined() || v.is_null() => Ok(Options { object: None, argument }),
            Some(v) if v.is_object() && !js_sys::Array::is_array(&v) => {
                Ok(Options { object: Some(v.unchecked_into()), argument })
            }
            Some(_) => Err(Error::input_type(&format!("{argument} must be an object"))),
        }
    }

    /// The member `name`; `None` when absent, `undefined` or `null`.
    pub fn get(&self, name: &str) -> Option<JsValue> {
        let object = self.object.as_ref()?;
        let value = Reflect::get(object, &JsValue::from_str(name)).ok()?;
        (!value.is_undefined() && !value.is_null()).then_some(value)
    }

    /// `argument.name`, for error messages.
    pub fn name(&self, member: &str) -> String {
        format!("{}.{member}", self.argument)
    }

    /// A boolean member (default `false`).
    pub fn flag(&self, name: &str) -> Result<bool, Error> {
        match self.get(name) {
            None => Ok(false),
            Some(v) => v.as_bool().ok_or_else(|| Error::input_type(&format!("{} must be a boolean", self.name(name)))),
        }
    }

    /// A string member.
    pub fn string(&self, name: &str) -> Result<Option<String>, Error> {
        self.get(name).map(|v| string(&v, &self.name(name))).transpose()
    }
}

/// A plain value deserialized from a JS value (options members such as a source).
pub fn from_js<T: serde::de::DeserializeOwned>(value: JsValue, what: &str) -> Result<T, Error> {
    // serde-wasm-bindgen's message can quote the value: only `what` is kept.
    serde_wasm_bindgen::from_value(value).map_err(|_| Error::input_type(what))
}

/// A record given as JSON text; `argument` names it in errors.
pub fn record_from_json(text: &str, argument: &str) -> Result<Record, Error> {
    serde_json::from_str(text).map_err(|e| Error::record(argument, &e, false))
}

/// A record as a JS object. Decimals become JS numbers (`1.30` reads back as `1.3`); callers
/// who need the exact text use [`record_to_json`].
pub fn record_to_js(record: &Record) -> Result<JsValue, Error> {
    JSON::parse(&record_to_json(record)?).map_err(|_| Error::internal("the record could not be handed to JS"))
}

/// A record as JSON text, decimals and member order as they were received.
pub fn record_to_json(record: &Record) -> Result<String, Error> {
    serde_json::to_string(record).map_err(|_| Error::internal("the record could not be written as JSON"))
}

/// A value holding records or FHIR resources (which serde-wasm-bindgen cannot write: they are
/// `RawValue`s) as a plain JS object, through JSON text. Decimals become JS numbers.
pub fn to_js_via_json<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, Error> {
    let text = serde_json::to_string(value).map_err(|_| Error::internal("a result could not be written as JSON"))?;
    JSON::parse(&text).map_err(|_| Error::internal("a result could not be handed to JS"))
}

/// A plain JS object of named members, in order.
pub fn object(members: &[(&str, JsValue)]) -> Result<JsValue, Error> {
    let object = js_sys::Object::new();
    for (name, value) in members {
        Reflect::set(&object, &JsValue::from_str(name), value)
            .map_err(|_| Error::internal("a result could not be handed to JS"))?;
    }
    Ok(object.into())
}

/// The options of the imports (`fromFhir`, `fromCcda`): `defaultSource` and `now`.
pub fn import_options(options: Option<JsValue>) -> Result<(emr_core::fhir::ImportOptions, DateTime<Utc>), Error> {
    let options = Options::new(options, "options")?;
    let default_source = options
        .get("defaultSource")
        .map(|v| {
            from_js::<emr_core::model::Source>(
                v,
                "options.defaultSource must be a source: { id: string, name?: string, kind?: \"organization\" | …, reference?: string }",
            )
        })
        .transpose()?;
    let now = instant(options.get("now"), &DateArgument::OPTIONS_NOW)?;
    Ok((emr_core::fhir::ImportOptions { default_source }, now))
}

/// What an import gives: `{ record, findings }`, or with `json` `{ recordJson, findings }` (the
/// record as JSON text, decimals as written).
pub fn imported_to_js(imported: &emr_core::fhir::Imported, json: bool) -> Result<JsValue, Error> {
    let record = if json {
        ("recordJson", JsValue::from_str(&record_to_json(&imported.record)?))
    } else {
        ("record", record_to_js(&imported.record)?)
    };
    object(&[record, ("findings", to_js(&imported.findings)?)])
}

/// A small plain value (findings, reports) as a plain JS object: maps become objects, not `Map`s.
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, Error> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|_| Error::internal("a result could not be handed to JS"))
}

/// The `now` argument: an RFC 3339 string, a `Date`, or (when absent) the current time.
pub fn now(value: Option<JsValue>) -> Result<DateTime<Utc>, Error> {
    instant(value, &DateArgument::NOW)
}

/// A date-time argument or option (`now`, `timestamp`), with its name and error code.
pub struct DateArgument {
    /// Its name in messages, e.g. `now` or `options.timestamp`.
    pub name: &'static str,
    /// The code of a value that is not a date-time.
    pub code: ErrorCode,
}

impl DateArgument {
    /// The `now` argument of validation and import.
    pub const NOW: DateArgument = DateArgument { name: "now", code: ErrorCode::NowSyntax };
    /// `options.now`.
    pub const OPTIONS_NOW: DateArgument = DateArgument { name: "options.now", code: ErrorCode::NowSyntax };
    /// `options.timestamp` of the exports.
    pub const TIMESTAMP: DateArgument = DateArgument { name: "options.timestamp", code: ErrorCode::TimestampSyntax };
    /// `decision.recorded` of `reconcile`.
    pub const RECORDED: DateArgument = DateArgument { name: "decision.recorded", code: ErrorCode::TimestampSyntax };
    /// `options.recorded` of `addEntry`.
    pub const OPTIONS_RECORDED: DateArgument =
        DateArgument { name: "options.recorded", code: ErrorCode::TimestampSyntax };
}

/// A date-time: an RFC 3339 string, a `Date`, or (when absent) the current time.
pub fn instant(value: Option<JsValue>, argument: &DateArgument) -> Result<DateTime<Utc>, Error> {
    match value {
        None => from_millis(js_sys::Date::now(), argument),
        Some(v) if v.is_undefined() || v.is_null() => from_millis(js_sys::Date::now(), argument),
        Some(v) => {
            if let Some(text) = v.as_string() {
                from_rfc3339(&text, argument)
            } else if let Some(date) = v.dyn_ref::<js_sys::Date>() {
                from_millis(date.get_time(), argument)
            } else {
                Err(Error::input_type(&format!("{} must be an RFC 3339 string or a Date", argument.name)))
            }
        }
    }
}

fn from_rfc3339(text: &str, argument: &DateArgument) -> Result<DateTime<Utc>, Error> {
    DateTime::parse_from_rfc3339(text).map(|t| t.to_utc()).map_err(|_| {
        Error::new(
            argument.code,
            format!("{} must be an RFC 3339 date-time with an offset, e.g. 2026-01-01T00:00:00Z", argument.name),
        )
    })
}

/// A date-time from milliseconds since the Unix epoch, as JS `Date`s hold it.
fn from_millis(millis: f64, argument: &DateArgument) -> Result<DateTime<Utc>, Error> {
    let invalid = || Error::new(argument.code, format!("{} is an invalid Date", argument.name));
    if !millis.is_finite() {
        return Err(invalid());
    }
    // Finite JS dates lie within ±8.64e15 ms, well inside i64; `as` saturates anyway.
    DateTime::from_timestamp_millis(millis.trunc() as i64).ok_or_else(invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now_from_rfc3339(text: &str) -> Result<DateTime<Utc>, Error> {
        from_rfc3339(text, &DateArgument::NOW)
    }

    fn now_from_millis(millis: f64) -> Result<DateTime<Utc>, Error> {
        from_millis(millis, &DateArgument::NOW)
    }

    #[test]
    fn timestamps_have_their_own_code_and_name() {
        let e = from_rfc3339("yesterday", &DateArgument::TIMESTAMP).unwrap_err();
        assert_eq!(e.code(), ErrorCode::TimestampSyntax);
        assert!(e.message().starts_with("options.timestamp must be"), "{}", e.message());
        assert_eq!(
            from_millis(f64::NAN, &DateArgument::OPTIONS_NOW).unwrap_err().message(),
            "options.now is an invalid Date"
        );
    }

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
