//! C-CDA import, the package's third module `@emr/wasm/ccda` (built with the feature `ccda`
//! alone, so that the main binary stays within its size budget and the XML parser loads only for
//! who imports C-CDA): `fromCcda` and `fromCcdaJson` (emr-core's `ccda` module). And the
//! documents view, which reads XHTML narrative with the same XML parser: `documents` and
//! `documentsJson` (emr-core's `query::documents`); in the main module they cost 23 KB gzipped,
//! which leaves it 5.5 KB under its budget (8 KB is the least headroom kept).
//!
//! They mirror `fromFhir` and `fromFhirJson`: the same options (`defaultSource`, `now`), the
//! same `{ record, findings }` (or `{ recordJson, findings }`) result. The record's entries are
//! FHIR R4 resources built by HL7's C-CDA on FHIR mapping; the document itself is kept verbatim
//! as a DocumentReference entry, and what has no structured mapping is a finding (`ccda.*`) with
//! its XPath-like location as `path`.

use emr_core::ccda;
use emr_core::fhir::Imported;
use emr_core::query;
use wasm_bindgen::prelude::*;

use crate::error::Error;
use crate::interop;

#[wasm_bindgen(typescript_custom_section)]
const TS_CCDA: &str = r#"
import type { DocumentCard, EmrRecord, Source } from "./emr-types.js";
import type { Imported, ImportedJson } from "./emr_wasm.js";
export type * from "./emr-types.js";
// What `fromCcda` and `fromCcdaJson` give: those of `fromFhir` and `fromFhirJson`.
export type { Imported, ImportedJson };

/** Options of `fromCcda` (those of `fromFhir`). */
export interface FromCcdaOptions {
  /** The source of every entry (default: the document's author organization, else its custodian, else `import`). */
  defaultSource?: Source;
  /** When the input is judged (default: the current time). */
  now?: string | Date;
}
"#;

fn import(input: &JsValue, options: Option<JsValue>) -> Result<Imported, Error> {
    // Text and bytes go the same way (`import_bytes`: UTF-8 checked, a byte order mark skipped),
    // the way `emr import` reads a file.
    let bytes = match input.as_string() {
        Some(text) => text.into_bytes(),
        None => interop::bytes(input, "ccda")
            .map_err(|_| Error::input_type("ccda must be C-CDA XML text (a string) or its bytes (a Uint8Array)"))?,
    };
    let (options, now) = interop::import_options(options)?;
    ccda::import_bytes(&bytes, &options, now).map_err(|e| Error::ccda("ccda", &e))
}

/// Import a C-CDA document (R2.1 or R1.1: CCD, Referral Note, Discharge Summary, Progress
/// Note…) into a record: `{ record, findings }`, as `fromFhir` does for FHIR.
///
/// `ccda` is the XML as text or as bytes (UTF-8). `recordTarget` becomes the patient; every
/// structured entry a FHIR R4 resource (C-CDA on FHIR), attributed to `options.defaultSource`, else
/// to the document's author (or custodian) organization; the document itself is kept verbatim as
/// a DocumentReference entry. Sections without structured entries, templates without a mapping
/// and `nullFlavor` values are findings whose `path` locates the element. `options.now` (default:
/// the current time) is when the input is judged.
///
/// Throws an `EmrError` with code `input.type`, `ccda.syntax` (with `line` and `column` when the
/// XML is not well-formed), `ccda.doctype`, `ccda.size`, `ccda.shape` or `now.syntax`.
#[wasm_bindgen(js_name = fromCcda, unchecked_return_type = "Imported")]
pub fn from_ccda(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] ccda: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "FromCcdaOptions")] options: Option<JsValue>,
) -> Result<JsValue, Error> {
    interop::imported_to_js(&import(&ccda, options)?, false)
}

/// `fromCcda` giving the record as JSON text (`{ recordJson, findings }`): decimals stay exactly
/// as the document writes them (`value="1.30"` stays `1.30`). What the other `*Json` functions of
/// `@emr/wasm` take.
///
/// Throws like `fromCcda`.
#[wasm_bindgen(js_name = fromCcdaJson, unchecked_return_type = "ImportedJson")]
pub fn from_ccda_json(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] ccda: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "FromCcdaOptions")] options: Option<JsValue>,
) -> Result<JsValue, Error> {
    interop::imported_to_js(&import(&ccda, options)?, true)
}

/// The record's documents (each FHIR Composition it holds now, the latest version, not retracted:
/// a C-CDA document's, an IPS's; one several sources hold shown once), newest first: title, date, type, status, authors, sources, the number of entries they
/// reference, and their sections (nested) with each one's narrative as emr-core's sanitized
/// block tree (`Narrative`: text, or an element of a closed set of tags with its children; no
/// attribute but `colspan`, `rowspan`, a heading's `level` and an `http(s)` `href`). A viewer
/// builds it with DOM calls, never as HTML; `narrativeUnreadable` marks a narrative that could
/// not be read (not well-formed XHTML), which is never shown as markup.
///
/// Throws an `EmrError` with code `input.type` or `record.shape`.
#[wasm_bindgen(js_name = documents, unchecked_return_type = "DocumentCard[]")]
pub fn documents(#[wasm_bindgen(unchecked_param_type = "EmrRecord")] record: JsValue) -> Result<JsValue, Error> {
    interop::to_js_via_json(&query::documents(&interop::record_from_js(&record, "record")?))
}

/// `documents` of a record given as JSON text (as `fromCcdaJson` and the main module's `*Json`
/// functions give it).
///
/// Throws an `EmrError` with code `input.type`, `record.syntax` or `record.shape`.
#[wasm_bindgen(js_name = documentsJson, unchecked_return_type = "DocumentCard[]")]
pub fn documents_json(
    #[wasm_bindgen(js_name = recordJson, unchecked_param_type = "string")] record_json: JsValue,
) -> Result<JsValue, Error> {
    let record = interop::record_from_json(&interop::string(&record_json, "recordJson")?, "recordJson")?;
    interop::to_js_via_json(&query::documents(&record))
}
