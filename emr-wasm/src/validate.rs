//! Validation: `validate`, `validateJson` (a record's findings), and new entries as `emr add`
//! makes them: `draftEntry`, `addEntry`, `addEntryJson`.

use emr_core::clinical::EntryDraft;
use emr_core::model::{PartialDate, Record, SourceId};
use emr_core::validate::{add_entry, draft_resource, AddOptions, Added, DEFAULT_SOURCE};
use wasm_bindgen::prelude::*;

use crate::error::Error;
use crate::fhir::record_json_arg;
use crate::interop::{self, DateArgument, Options};

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

/// The `draft` argument: an `EntryDraft` object.
fn draft_arg(value: JsValue) -> Result<EntryDraft, Error> {
    if !value.is_object() || js_sys::Array::is_array(&value) {
        return Err(Error::input_type("draft must be an object (an EntryDraft)"));
    }
    interop::from_js(
        value,
        "draft must be an EntryDraft: { kind: \"condition\" | \"allergy\" | \"observation\" | \"immunization\" | \"medication\", code: string, display?, date?, abatement?, status?, criticality?, value?: string, unit? }",
    )
}

/// The FHIR R4 resource a draft describes, as JSON text — what `emr add --kind … --print-json`
/// writes: the code (`system|code`, a known system by its short name: `loinc|4548-4`), status
/// defaults, the date in the kind's element, an observation's value exactly as written (`6.30`
/// stays `6.30`). `options.id` is the resource's id (default: one derived from the draft and the
/// patient, as `emr add` derives it: the same draft gets the same id); `options.patientId` the
/// patient it is about.
///
/// Throws an `EmrError` with code `input.type` or a draft's own: `draft.code`, `draft.date`,
/// `draft.abatement`, `draft.value`, `draft.unit`, `draft.field`.
#[wasm_bindgen(js_name = draftEntry)]
pub fn draft_entry(
    #[wasm_bindgen(unchecked_param_type = "EntryDraft")] draft: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "{ id?: string; patientId?: string }")] options: Option<JsValue>,
) -> Result<String, Error> {
    let draft = draft_arg(draft)?;
    let options = Options::new(options, "options")?;
    let id = options.string("id")?;
    let patient = options.string("patientId")?;
    let resource = draft_resource(&draft, id.as_deref(), patient.as_deref()).map_err(|e| Error::add("draft", &e))?;
    Ok(resource.as_str().to_owned())
}

fn add(record: &Record, draft: JsValue, options: Option<JsValue>) -> Result<Added, Error> {
    let draft = draft_arg(draft)?;
    let options = Options::new(options, "options")?;
    let id = options.string("id")?;
    let source = options.string("source")?.unwrap_or_else(|| DEFAULT_SOURCE.to_owned());
    let now = interop::instant(options.get("now"), &DateArgument::OPTIONS_NOW)?;
    let recorded = match options.get("recorded") {
        Some(v) => interop::instant(Some(v), &DateArgument::OPTIONS_RECORDED)?,
        None => now,
    };
    let patient_id = record.patient.as_ref().and_then(|p| p.resource().id());
    let resource = draft_resource(&draft, id.as_deref(), patient_id.as_deref()).map_err(|e| Error::add("draft", &e))?;
    let add_options = AddOptions {
        source: SourceId::new(source),
        id,
        recorded: PartialDate::from(recorded),
        now,
        new_version: options.flag("newVersion")?,
        allow_invalid: options.flag("allowInvalid")?,
    };
    add_entry(record, resource, &add_options).map_err(|e| Error::add("draft", &e))
}

/// Add an entry described by a draft to a record, as `emr add --kind …` does: the draft's
/// resource (see `draftEntry`, about the record's patient) becomes an entry of `options.source`
/// (default `local`; a new source is added to the record) with id `options.id` (default: one
/// derived from the draft and the record's patient, as `emr add` derives it, so the same draft
/// added twice is `add.exists`), recorded at `options.recorded` (default: `options.now`, itself the current time
/// by default). It is validated as `emr add` validates: its own findings, without reference
/// resolution. Returns `{ record, entry, findings }`.
///
/// Throws an `EmrError` with code `input.type`, `record.shape`, `now.syntax`, `timestamp.syntax`,
/// a draft's own (`draft.*`), `add.exists` (the source has this id: pass `newVersion: true` to add
/// its next version), `add.invalid` (validation errors: pass `allowInvalid: true` to keep it) or
/// `add.source` (an empty source id).
#[wasm_bindgen(js_name = addEntry, unchecked_return_type = "AddedEntry")]
pub fn add_entry_js(
    #[wasm_bindgen(unchecked_param_type = "EmrRecord")] record: JsValue,
    #[wasm_bindgen(unchecked_param_type = "EntryDraft")] draft: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "AddEntryOptions")] options: Option<JsValue>,
) -> Result<JsValue, Error> {
    let added = add(&interop::record_from_js(&record, "record")?, draft, options)?;
    interop::object(&[
        ("record", interop::record_to_js(&added.record)?),
        ("entry", interop::to_js(&added.entry)?),
        ("findings", interop::to_js(&added.findings)?),
    ])
}

/// `addEntry` of a record given as JSON text, giving the new record as JSON text:
/// `{ recordJson, entry, findings }`, decimals as received (and the draft's value as written).
///
/// Throws like `addEntry`, and `record.syntax`.
#[wasm_bindgen(js_name = addEntryJson, unchecked_return_type = "AddedEntryJson")]
pub fn add_entry_json(
    #[wasm_bindgen(js_name = recordJson, unchecked_param_type = "string")] record_json: JsValue,
    #[wasm_bindgen(unchecked_param_type = "EntryDraft")] draft: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "AddEntryOptions")] options: Option<JsValue>,
) -> Result<JsValue, Error> {
    let added = add(&record_json_arg(&record_json)?, draft, options)?;
    interop::object(&[
        ("recordJson", JsValue::from_str(&interop::record_to_json(&added.record)?)),
        ("entry", interop::to_js(&added.entry)?),
        ("findings", interop::to_js(&added.findings)?),
    ])
}
