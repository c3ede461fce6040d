//! The patient bundle: `sealBundle`, `openBundle` and their `*Json` twins.
//!
//! A passphrase costs a second or two each way: age's scrypt, which in wasm runs at about half
//! native speed and cannot calibrate itself (it falls back to work factor 18, 2^18 iterations).
//! Browsers should call these in a Web Worker. X25519 recipients and identities cost nothing
//! comparable.

use emr_core::bundle::{self, OpenKey, Opened, SealKey};
use emr_core::model::{PartialDate, Record};
use wasm_bindgen::prelude::*;

use crate::error::{Error, ErrorCode};
use crate::fhir::record_json_arg;
use crate::interop::{self, DateArgument, Options};

/// The lowest and highest `workFactor` a bundle may be sealed with: every bundle sealed here opens
/// (here and natively).
const WORK_FACTORS: std::ops::RangeInclusive<u8> = 1..=bundle::MAX_WORK_FACTOR;

/// What `key` holds: a passphrase (with an optional work factor) or recipients.
enum Key {
    Passphrase(String, Option<u8>),
    Recipients(Vec<String>),
}

fn key_error(message: &str) -> Error {
    Error::new(ErrorCode::BundleKey, message)
}

/// The `key` argument: a required object.
fn key_object(key: JsValue, what: &str) -> Result<Options, Error> {
    if !key.is_object() || js_sys::Array::is_array(&key) {
        return Err(Error::input_type(&format!("key must be an object: {what}")));
    }
    Options::new(Some(key), "key")
}

fn seal_key(key: JsValue) -> Result<Key, Error> {
    let key = key_object(key, "{ passphrase } or { recipients }")?;
    let passphrase = key.string("passphrase")?;
    let recipients = key.get("recipients");
    match (passphrase, recipients) {
        (Some(passphrase), None) => {
            let work_factor = match key.get("workFactor") {
                None => None,
                Some(n) => {
                    let range = f64::from(*WORK_FACTORS.start())..=f64::from(*WORK_FACTORS.end());
                    // In range and whole, so `as` is exact.
                    let n = n.as_f64().filter(|n| n.fract() == 0.0 && range.contains(n)).map(|n| n as u8);
                    Some(n.ok_or_else(|| {
                        key_error(
                            "key.workFactor must be an integer from 1 to 22 (scrypt log2 N); omit it for age's default",
                        )
                    })?)
                }
            };
            if passphrase.is_empty() {
                return Err(key_error("key.passphrase must not be empty"));
            }
            Ok(Key::Passphrase(passphrase, work_factor))
        }
        (None, Some(recipients)) => {
            let recipients = recipients
                .dyn_ref::<js_sys::Array>()
                .ok_or_else(|| Error::input_type("key.recipients must be an array of strings"))?
                .iter()
                .enumerate()
                .map(|(i, r)| interop::string(&r, &format!("key.recipients[{i}]")))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Key::Recipients(recipients))
        }
        _ => Err(key_error("key must have either a passphrase or recipients (age X25519 public keys, age1…)")),
    }
}

fn seal(record: &Record, key: JsValue, options: Option<JsValue>) -> Result<JsValue, Error> {
    let key = seal_key(key)?;
    let options = Options::new(options, "options")?;
    let timestamp = PartialDate::from(interop::instant(options.get("timestamp"), &DateArgument::TIMESTAMP)?);
    let sealed = match &key {
        Key::Passphrase(passphrase, work_factor) => {
            bundle::seal(record, &SealKey::Passphrase { passphrase, work_factor: *work_factor }, timestamp)
        }
        Key::Recipients(recipients) => bundle::seal(record, &SealKey::Recipients(recipients), timestamp),
    }
    .map_err(|e| Error::bundle(&e))?;
    Ok(js_sys::Uint8Array::from(sealed.as_slice()).into())
}

/// Seal a record as an encrypted patient bundle (the bytes of an `.age` file): a FHIR R4
/// `collection` Bundle — the IPS first, then the patient, every source assertion as received and
/// a `Provenance` per source — gzip-compressed, then encrypted with age. Any age tool decrypts
/// it, gunzip inflates it, any FHIR tool reads it.
///
/// `key` is `{ passphrase }` (age scrypt; `workFactor`, log2 of scrypt's N, defaults to age's
/// own choice, 18 in wasm: a second or two; lower it only knowing that it weakens the
/// protection) or `{ recipients }` (age X25519 public keys, `age1…`; any of their identities
/// opens it). `options.timestamp` (default: the current time) dates the bundle.
///
/// Throws an `EmrError` with code `input.type`, `record.shape`, `record.patient.missing`,
/// `bundle.key` or `timestamp.syntax`.
#[wasm_bindgen(js_name = sealBundle, unchecked_return_type = "Uint8Array")]
pub fn seal_bundle(
    #[wasm_bindgen(unchecked_param_type = "EmrRecord")] record: JsValue,
    #[wasm_bindgen(unchecked_param_type = "SealKey")] key: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ExportOptions")] options: Option<JsValue>,
) -> Result<JsValue, Error> {
    seal(&interop::record_from_js(&record, "record")?, key, options)
}

/// `sealBundle` of a record given as JSON text (its decimals sealed exactly as written).
///
/// Throws like `sealBundle`, and `record.syntax`.
#[wasm_bindgen(js_name = sealBundleJson, unchecked_return_type = "Uint8Array")]
pub fn seal_bundle_json(
    #[wasm_bindgen(js_name = recordJson, unchecked_param_type = "string")] record_json: JsValue,
    #[wasm_bindgen(unchecked_param_type = "SealKey")] key: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ExportOptions")] options: Option<JsValue>,
) -> Result<JsValue, Error> {
    seal(&record_json_arg(&record_json)?, key, options)
}

fn open(bytes: JsValue, key: JsValue, options: Option<JsValue>) -> Result<Opened, Error> {
    let bytes = interop::bytes(&bytes, "bytes")?;
    let key = key_object(key, "{ passphrase } or { identity }")?;
    let passphrase = key.string("passphrase")?;
    let identity = key.string("identity")?;
    let options = Options::new(options, "options")?;
    let now = interop::instant(options.get("now"), &DateArgument::OPTIONS_NOW)?;
    let key = match (&passphrase, &identity) {
        (Some(p), None) => OpenKey::Passphrase(p),
        (None, Some(i)) => OpenKey::Identity(i),
        _ => return Err(key_error("key must have either a passphrase or an identity (AGE-SECRET-KEY-1…)")),
    };
    bundle::open(&bytes, &key, now).map_err(|e| Error::bundle(&e))
}

/// Open a patient bundle (sealed by `sealBundle`, by `emr export --format bundle`, or any
/// compatible age + gzip + FHIR Bundle): `{ fhir, record, findings }` — the decrypted FHIR
/// Bundle as JSON text, the record imported from it (sources restored from its `Provenance`),
/// and the import findings (`options.now`, default the current time, is when they are judged).
///
/// `key` is `{ passphrase }` or `{ identity }` (an age X25519 secret key, `AGE-SECRET-KEY-1…`).
/// Any work factor up to 22 (`emr_core::bundle::MAX_WORK_FACTOR`) opens, age's default 18
/// included.
///
/// Throws an `EmrError` with code `input.type`, `bundle.key`, `bundle.passphrase` (wrong
/// passphrase or identity), `bundle.format` (not an age file), `bundle.corrupt` (truncated,
/// altered, or not a patient bundle), `bundle.work` or `now.syntax`.
#[wasm_bindgen(js_name = openBundle, unchecked_return_type = "OpenedBundle")]
pub fn open_bundle(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: JsValue,
    #[wasm_bindgen(unchecked_param_type = "OpenKey")] key: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "OpenOptions")] options: Option<JsValue>,
) -> Result<JsValue, Error> {
    interop::to_js_via_json(&open(bytes, key, options)?)
}

/// `openBundle` giving the record as JSON text: `{ fhir, recordJson, findings }`, decimals
/// exactly as sealed.
///
/// Throws like `openBundle`.
#[wasm_bindgen(js_name = openBundleJson, unchecked_return_type = "OpenedBundleJson")]
pub fn open_bundle_json(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: JsValue,
    #[wasm_bindgen(unchecked_param_type = "OpenKey")] key: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "OpenOptions")] options: Option<JsValue>,
) -> Result<JsValue, Error> {
    let opened = open(bytes, key, options)?;
    interop::object(&[
        ("fhir", JsValue::from_str(&opened.fhir)),
        ("recordJson", JsValue::from_str(&interop::record_to_json(&opened.record)?)),
        ("findings", interop::to_js(&opened.findings)?),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_work_factor_message_names_the_range() {
        // The message of `seal_key` spells the range out; it must follow emr-core's bound.
        assert_eq!((*WORK_FACTORS.start(), *WORK_FACTORS.end()), (1, 22));
    }
}
