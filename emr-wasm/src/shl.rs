//! SMART Health Links, the package's second module `@emr/wasm/shl` (built with the feature
//! `shl` alone, so that the main binary stays within its size budget): `createShl`, `readShl`, `shlManifestRequest`, `openShl`,
//! `encryptShlFile`, `decryptShlFile` (emr-core's `shl` module).
//!
//! No network access here either: the caller fetches the manifest (a `POST` of
//! `shlManifestRequest`'s body to the link's `url`, or a `GET` for a `U` link) and hands the
//! response to `openShl`. Keys and IVs come from `crypto.getRandomValues` (getrandom's `js`
//! feature) unless the caller gives them; the clock is JS's `Date` unless `now` is given.

use emr_core::shl::{jwe, Flags, Manifest, ManifestFile, ManifestRequest, ShlError, ShlKey, ShlPayload};
use wasm_bindgen::prelude::*;

use crate::error::{Error, ErrorCode};
use crate::interop::{self, DateArgument, Options};

#[wasm_bindgen(typescript_custom_section)]
const TS_SHL: &str = r#"
/** A SMART Health Link's payload, as the link holds it (HL7 SMART Health Cards and Links IG). */
export interface ShlPayload {
  /** The manifest's URL (with flag `U`: the file's). */
  url: string;
  /** The 256-bit key of the files, 43 base64url characters. */
  key: string;
  /** Flags: `L` long-term, `P` passcode required, `U` direct file (never with `P`). */
  flag?: string;
  /** What the link holds, at most 80 characters. */
  label?: string;
  /** When the link expires, epoch seconds. */
  exp?: number;
  /** The payload's version. */
  v?: number;
}

/** Options of `createShl`. */
export interface CreateShlOptions extends EncryptShlFileOptions {
  /** Shown to the receiver, at most 80 characters. */
  label?: string;
  /** When the link expires (its `exp`). */
  expires?: string | Date;
  /** Flag `P`: the host asks for a passcode (the passcode itself stays with the host). */
  passcode?: boolean;
  /** Flag `L`: the link stays valid while the files change. */
  longTerm?: boolean;
  /** Flag `U`: `url` serves the JWE file itself (`GET ?recipient=…`); not with `passcode`. */
  direct?: boolean;
  /** The link's key, 32 bytes (default: `crypto.getRandomValues`). */
  key?: Uint8Array;
  /** A viewer URL: the link is then `viewer#shlink:/…`. */
  viewer?: string;
}

/** What `createShl` gives. */
export interface CreatedShl {
  /** The `shlink:/…` text (after the viewer URL when one was given): the only place of the key. */
  link: string;
  payload: ShlPayload;
  /** The encrypted file (JWE compact text). */
  file: string;
  /** A manifest (JSON text) with the file embedded: the host's answer to a manifest request. */
  manifest: string;
}

/** Options of `encryptShlFile` (and `createShl`). */
export interface EncryptShlFileOptions {
  /** The JWE's 96-bit IV, 12 bytes (default: `crypto.getRandomValues`). Never reuse one under a key. */
  iv?: Uint8Array;
  /** The JWE's `cty` (default `application/fhir+json`). */
  contentType?: string;
  /** Compress first (`zip: DEF`; default true). */
  deflate?: boolean;
}

/** Options of `readShl` and `openShl`. */
export interface ShlOpenOptions {
  /** When the link's expiry is judged (default: the current time). */
  now?: string | Date;
  /** The largest decrypted, inflated file accepted, in bytes (default 256 MiB). */
  maxBytes?: number;
}

/** Options of `decryptShlFile`. */
export interface DecryptShlFileOptions {
  /** The largest decrypted, inflated file accepted, in bytes (default 256 MiB). */
  maxBytes?: number;
}

/** Options of `shlManifestRequest`. */
export interface ShlManifestRequestOptions {
  /** The passcode, for a link with flag `P`. */
  passcode?: string;
  /** Files longer than this (characters) are given by `location` rather than embedded. */
  embeddedLengthMax?: number;
}

/** A decrypted file of a link. */
export interface DecryptedShlFile {
  /** The manifest's `contentType`, else the JWE's `cty`, else null. */
  contentType: string | null;
  /** Whether it was compressed (`zip: DEF`). */
  deflated: boolean;
  /** The content. */
  data: Uint8Array;
  /** The content as text when it is UTF-8, else null. */
  text: string | null;
}

/** What `openShl` gives. */
export interface OpenedShl {
  payload: ShlPayload;
  /** The files the response held, decrypted, in manifest order. */
  files: DecryptedShlFile[];
  /** The manifest's files given only by URL: fetch each (`GET`) and open it with `decryptShlFile`. */
  locations: { contentType: string; location: string }[];
}
"#;

/// Content given as text (UTF-8) or bytes.
fn content(value: &JsValue, argument: &str) -> Result<Vec<u8>, Error> {
    if let Some(text) = value.as_string() {
        return Ok(text.into_bytes());
    }
    interop::bytes(value, argument)
        .map_err(|_| Error::input_type(&format!("{argument} must be a string or a Uint8Array")))
}

/// `n` bytes from the caller's `Uint8Array`, or from the platform's secure generator.
fn random_or_given<const N: usize>(given: Option<JsValue>, argument: &str) -> Result<[u8; N], Error> {
    match given {
        Some(value) => {
            let bytes = interop::bytes(&value, argument)?;
            <[u8; N]>::try_from(bytes.as_slice()).map_err(|_| match N {
                32 => Error::shl(&ShlError::KeyLength { bytes: bytes.len() }),
                _ => Error::input_type(&format!("{argument} must hold {N} bytes")),
            })
        }
        None => {
            let mut bytes = [0; N];
            getrandom::getrandom(&mut bytes)
                .map_err(|_| Error::internal("no secure random generator (crypto.getRandomValues) is available"))?;
            Ok(bytes)
        }
    }
}

/// A key argument: the link's 43-character base64url key, or its 32 bytes.
fn key_arg(value: &JsValue) -> Result<ShlKey, Error> {
    if let Some(text) = value.as_string() {
        return ShlKey::parse(&text).map_err(|e| Error::shl(&e));
    }
    if value.is_instance_of::<js_sys::Uint8Array>() {
        return random_or_given::<32>(Some(value.clone()), "key").map(ShlKey::from_bytes);
    }
    Err(Error::input_type("key must be a string (43 base64url characters) or a Uint8Array of 32 bytes"))
}

/// The encryption options shared by `createShl` and `encryptShlFile`: `iv`, `contentType`,
/// `deflate`.
fn encrypt_with(plaintext: &[u8], key: &ShlKey, options: &Options) -> Result<String, Error> {
    let iv = random_or_given::<12>(options.get("iv"), &options.name("iv"))?;
    let content_type = options.string("contentType")?;
    let deflate = match options.get("deflate") {
        None => true,
        Some(_) => options.flag("deflate")?,
    };
    let encrypt =
        jwe::EncryptOptions { content_type: Some(content_type.as_deref().unwrap_or(jwe::FHIR_JSON)), deflate };
    jwe::encrypt(plaintext, key, iv, encrypt).map_err(|e| Error::shl(&e))
}

/// A payload as the plain object of its JSON (`{ url, flag?, key, label?, exp?, v? }`).
fn payload_to_js(payload: &ShlPayload) -> Result<JsValue, Error> {
    js_sys::JSON::parse(&payload.to_json()).map_err(|_| Error::internal("the payload could not be handed to JS"))
}

fn epoch_seconds(value: Option<JsValue>, argument: &DateArgument) -> Result<i64, Error> {
    Ok(interop::instant(value, argument)?.timestamp())
}

const OPTIONS_EXPIRES: DateArgument = DateArgument { name: "options.expires", code: ErrorCode::NowSyntax };

/// Share a file (an IPS, usually) as a SMART Health Link: encrypts `content` as a JWE
/// (`dir` + `A256GCM`, `zip: DEF`, `cty` = `options.contentType`, default
/// `application/fhir+json`) under a fresh 256-bit key, and writes the link whose manifest (or,
/// with `direct`, the file itself) the host serves at `url`.
///
/// Gives `{ link, payload, file, manifest }`: the `shlink:/…` text (after `options.viewer`'s URL
/// and `#` when given), its payload, the JWE text, and a manifest with the file embedded
/// (what the host answers to a manifest request). The key is only in the link and the payload.
///
/// Options: `label` (≤ 80 characters), `expires` (RFC 3339 or `Date`: the link's `exp`),
/// `passcode` (flag `P`: the host asks for one), `longTerm` (`L`), `direct` (`U`), `viewer`,
/// and for reproducible output `key` (32 bytes) and `iv` (12 bytes), which otherwise come from
/// `crypto.getRandomValues`; `contentType`, `deflate` (default `true`).
///
/// Throws an `EmrError` with code `input.type`, `now.syntax` (expires), `shl.url`, `shl.label`,
/// `shl.flags` or `shl.key`.
#[wasm_bindgen(js_name = createShl, unchecked_return_type = "CreatedShl")]
pub fn create_shl(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] content: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] url: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "CreateShlOptions")] options: Option<JsValue>,
) -> Result<JsValue, Error> {
    let plaintext = self::content(&content, "content")?;
    let url = interop::string(&url, "url")?;
    let options = Options::new(options, "options")?;
    let key = ShlKey::from_bytes(random_or_given::<32>(options.get("key"), &options.name("key"))?);
    let flags = Flags {
        long_term: options.flag("longTerm")?,
        passcode: options.flag("passcode")?,
        direct: options.flag("direct")?,
    };
    let mut payload =
        ShlPayload::new(url, key.clone()).and_then(|p| p.with_flags(flags)).map_err(|e| Error::shl(&e))?;
    if let Some(label) = options.string("label")? {
        payload = payload.with_label(label).map_err(|e| Error::shl(&e))?;
    }
    if let Some(expires) = options.get("expires") {
        payload = payload.with_exp(epoch_seconds(Some(expires), &OPTIONS_EXPIRES)?);
    }
    let file = encrypt_with(&plaintext, &key, &options)?;
    let content_type = options.string("contentType")?.unwrap_or_else(|| jwe::FHIR_JSON.to_owned());
    let manifest = Manifest { files: vec![ManifestFile::embedded(content_type, file.clone())], list: None };
    let link = match options.string("viewer")? {
        Some(viewer) => payload.to_viewer_link(&viewer),
        None => payload.to_link(),
    };
    interop::object(&[
        ("link", JsValue::from_str(&link)),
        ("payload", payload_to_js(&payload)?),
        ("file", JsValue::from_str(&file)),
        ("manifest", JsValue::from_str(&manifest.to_json())),
    ])
}

/// Read a SMART Health Link (`shlink:/…`, or a viewer URL ending in `#shlink:/…`) and check
/// that it can be used at `options.now` (default: the current time): not expired, a version
/// this package reads. Gives its payload `{ url, key, flag?, label?, exp?, v? }`.
///
/// Throws an `EmrError` with code `input.type`, `now.syntax`, `shl.link`, `shl.key`,
/// `shl.url`, `shl.label`, `shl.flags`, `shl.version` or `shl.expired`.
#[wasm_bindgen(js_name = readShl, unchecked_return_type = "ShlPayload")]
pub fn read_shl(
    #[wasm_bindgen(unchecked_param_type = "string")] link: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ShlOpenOptions")] options: Option<JsValue>,
) -> Result<JsValue, Error> {
    let options = Options::new(options, "options")?;
    payload_to_js(&usable_payload(&link, &options)?)
}

fn usable_payload(link: &JsValue, options: &Options) -> Result<ShlPayload, Error> {
    let payload = ShlPayload::from_link(&interop::string(link, "link")?).map_err(|e| Error::shl(&e))?;
    payload.check_usable(epoch_seconds(options.get("now"), &DateArgument::OPTIONS_NOW)?).map_err(|e| Error::shl(&e))?;
    Ok(payload)
}

/// The JSON body of a manifest request (`POST` to the link's `url`, `Content-Type:
/// application/json`): `{ recipient, passcode?, embeddedLengthMax? }`. `recipient` says who
/// asks (a name the sharer sees in the host's log); `options.passcode` is needed for links with
/// flag `P`.
///
/// Throws an `EmrError` with code `input.type` or `shl.request` (empty recipient).
#[wasm_bindgen(js_name = shlManifestRequest, unchecked_return_type = "string")]
pub fn shl_manifest_request(
    #[wasm_bindgen(unchecked_param_type = "string")] recipient: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ShlManifestRequestOptions")] options: Option<JsValue>,
) -> Result<String, Error> {
    let recipient = interop::string(&recipient, "recipient")?;
    if recipient.trim().is_empty() {
        return Err(Error::shl(&ShlError::MissingRecipient));
    }
    let options = Options::new(options, "options")?;
    let embedded_length_max = count(&options, "embeddedLengthMax")?;
    Ok(ManifestRequest { recipient, passcode: options.string("passcode")?, embedded_length_max }.to_json())
}

/// A decrypted file as a JS object: `{ contentType, deflated, data, text }`.
fn file_to_js(content_type: Option<String>, file: jwe::DecryptedFile) -> Result<JsValue, Error> {
    let content_type = content_type.or(file.content_type);
    let text = std::str::from_utf8(&file.plaintext).ok().map_or(JsValue::NULL, JsValue::from_str);
    interop::object(&[
        ("contentType", content_type.as_deref().map_or(JsValue::NULL, JsValue::from_str)),
        ("deflated", JsValue::from_bool(file.deflated)),
        ("data", js_sys::Uint8Array::from(file.plaintext.as_slice()).into()),
        ("text", text),
    ])
}

fn max_bytes(options: &Options) -> Result<u64, Error> {
    Ok(count(options, "maxBytes")?.unwrap_or(jwe::MAX_FILE_BYTES))
}

/// A non-negative integer member of `options`.
fn count(options: &Options, name: &str) -> Result<Option<u64>, Error> {
    let Some(n) = options.get(name) else { return Ok(None) };
    // Whole and in range, so `as` is exact.
    let n = n.as_f64().filter(|n| n.fract() == 0.0 && (0.0..9.0e15).contains(n)).map(|n| n as u64);
    n.map(Some).ok_or_else(|| Error::input_type(&format!("{} must be a non-negative integer", options.name(name))))
}

/// Open what a link's host answered: `response` is the manifest JSON (the answer to a manifest
/// request) or a JWE file (the answer to a `U` link's `GET`, or a file saved earlier). The link
/// is read and checked as by `readShl`; every embedded file is decrypted (inflated up to
/// `options.maxBytes`, default 256 MiB).
///
/// Gives `{ payload, files, locations }`: the decrypted files in manifest order, and the
/// manifest's files that are only at a `location` (`{ contentType, location }`: fetch each with
/// `GET` and open it with `decryptShlFile` and the payload's key).
///
/// Throws an `EmrError` with code `input.type`, `now.syntax`, any `shl.*` code of `readShl`,
/// `shl.manifest`, `shl.file`, `shl.decrypt` (wrong key or altered file) or `shl.size`.
#[wasm_bindgen(js_name = openShl, unchecked_return_type = "OpenedShl")]
pub fn open_shl(
    #[wasm_bindgen(unchecked_param_type = "string")] link: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] response: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ShlOpenOptions")] options: Option<JsValue>,
) -> Result<JsValue, Error> {
    let options = Options::new(options, "options")?;
    let payload = usable_payload(&link, &options)?;
    let limit = max_bytes(&options)?;
    let response = self::content(&response, "response")?;
    let files = js_sys::Array::new();
    let locations = js_sys::Array::new();
    if response.trim_ascii_start().first() == Some(&b'{') {
        let manifest = Manifest::parse(&response).map_err(|e| Error::shl(&e))?;
        for file in manifest.files {
            match (file.embedded, file.location) {
                (Some(embedded), _) => {
                    let opened =
                        jwe::decrypt_with_limit(&embedded, payload.key(), limit).map_err(|e| Error::shl(&e))?;
                    files.push(&file_to_js(Some(file.content_type), opened)?);
                }
                (None, Some(location)) => {
                    locations.push(&interop::object(&[
                        ("contentType", JsValue::from_str(&file.content_type)),
                        ("location", JsValue::from_str(&location)),
                    ])?);
                }
                (None, None) => {}
            }
        }
    } else {
        let text = String::from_utf8(response).map_err(|_| Error::shl(&ShlError::JweParts { found: 0 }))?;
        let opened = jwe::decrypt_with_limit(&text, payload.key(), limit).map_err(|e| Error::shl(&e))?;
        files.push(&file_to_js(None, opened)?);
    }
    interop::object(&[("payload", payload_to_js(&payload)?), ("files", files.into()), ("locations", locations.into())])
}

/// Encrypt a file for a link: JWE compact text, `dir` + `A256GCM`, the same bytes as emr-core
/// and the `emr` command for the same key and IV. `key` is the link's key (43 base64url
/// characters, or 32 bytes). Options: `iv` (12 bytes; default: `crypto.getRandomValues` — never
/// reuse one under a key), `contentType` (default `application/fhir+json`), `deflate` (`zip:
/// DEF`, default `true`).
///
/// Throws an `EmrError` with code `input.type` or `shl.key`.
#[wasm_bindgen(js_name = encryptShlFile, unchecked_return_type = "string")]
pub fn encrypt_shl_file(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] content: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] key: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "EncryptShlFileOptions")] options: Option<JsValue>,
) -> Result<String, Error> {
    let plaintext = self::content(&content, "content")?;
    let key = key_arg(&key)?;
    encrypt_with(&plaintext, &key, &Options::new(options, "options")?)
}

/// Decrypt a link's file (JWE compact text, `dir` + `A256GCM`, with or without `zip: DEF`)
/// with the link's key. Gives `{ contentType, deflated, data, text }`: `text` is the content
/// as a string when it is UTF-8, else `null`. `options.maxBytes` bounds the inflated size
/// (default 256 MiB).
///
/// Throws an `EmrError` with code `input.type`, `shl.key`, `shl.file` (not a link's JWE),
/// `shl.decrypt` (wrong key, or altered) or `shl.size`.
#[wasm_bindgen(js_name = decryptShlFile, unchecked_return_type = "DecryptedShlFile")]
pub fn decrypt_shl_file(
    #[wasm_bindgen(unchecked_param_type = "string")] file: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] key: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "DecryptShlFileOptions")] options: Option<JsValue>,
) -> Result<JsValue, Error> {
    let file = interop::string(&file, "file")?;
    let key = key_arg(&key)?;
    let limit = max_bytes(&Options::new(options, "options")?)?;
    file_to_js(None, jwe::decrypt_with_limit(&file, &key, limit).map_err(|e| Error::shl(&e))?)
}
