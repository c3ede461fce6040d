//! WebAssembly bindings of emr-core.
//!
//! This first version exposes `version()` and `validate()`; the full API
//! (FHIR import/export, merge, bundles) follows the core as it lands.

use wasm_bindgen::prelude::*;

/// The emr-core version this package was built from.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// Validate a record given as emr record JSON text, judging dates against `now` (RFC 3339).
/// Returns the findings as JSON text.
///
/// # Errors
/// A JS error with a message (never patient data) when the input is not a record or `now` is not RFC 3339.
#[wasm_bindgen]
pub fn validate(record_json: &str, now: &str) -> Result<String, JsError> {
    validate_json(record_json, now).map_err(|e| JsError::new(&e))
}

/// The host-testable core of [`validate`].
pub fn validate_json(record_json: &str, now: &str) -> Result<String, String> {
    let record: emr_core::model::Record = serde_json::from_str(record_json)
        .map_err(|e| format!("input is not an emr record (line {}, column {})", e.line(), e.column()))?;
    let now =
        chrono::DateTime::parse_from_rfc3339(now).map_err(|_| "now must be an RFC 3339 date-time".to_owned())?.to_utc();
    let findings = emr_core::validate::validate(&record, now);
    serde_json::to_string(&findings).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_a_minimal_record() {
        let out = validate_json(r#"{"format":1,"sources":[],"entries":[]}"#, "2026-01-01T00:00:00Z").unwrap();
        assert!(out.contains("record.patient.missing"));
        assert!(validate_json("{", "2026-01-01T00:00:00Z").is_err());
        assert!(validate_json(r#"{"entries":[]}"#, "yesterday").is_err());
    }
}
