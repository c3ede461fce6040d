//! WebAssembly bindings of emr-core: the `@emr/wasm` npm package.
//!
//! A thin shell: every function here converts its arguments (`interop.rs`), calls emr-core, and
//! converts the result back. Medicine lives in emr-core. One module per subsystem of emr-core:
//! `validate.rs` (and new entries), `fhir.rs` (import and export), `merge.rs` (and the view,
//! conflicts, reconciliation, identity), `query.rs` (timeline, trend, current lists, summary,
//! demographics), `codes.rs`, `bundle.rs` (the encrypted patient bundle); `shl.rs` (SMART Health
//! Links) and `ccda.rs` (C-CDA import), each built as a module of its own (`@emr/wasm/shl`,
//! feature `shl`; `@emr/wasm/ccda`, feature `ccda`) so that the main binary stays within its size
//! budget.
//!
//! Conventions of the JS API (see `emr-wasm/README.md`):
//! - names are camelCase (`js_name`); records in and out are plain objects typed `EmrRecord`;
//!   options are an optional last argument, a plain object whose members may all be omitted;
//! - a `*Json` variant takes (and gives) records as JSON text, keeping decimals such as `1.30`
//!   and duplicate keys exactly as written; FHIR output (`toFhir`, `toIps`, `toNdjson`, the
//!   bundle's `fhir`) is always text, its lossless form;
//! - times (`now`, `timestamp`) are RFC 3339 strings or `Date`s, the current time when omitted;
//! - every failure is thrown as an `Error` named `EmrError` with a stable `code` ([`ErrorCode`])
//!   and a message without patient data; nothing panics on input.
//!
//! The TypeScript types of records, findings and results are generated from `schemas/` into
//! `ts/emr-types.d.ts` (`scripts/gen-types.mjs`) and imported by the declarations below.
//!
//! # Adding a function
//! 1. In the module of its subsystem: a `#[wasm_bindgen(js_name = camelCase,
//!    unchecked_return_type = "…")]` fn taking `JsValue`s typed with `unchecked_param_type` /
//!    `unchecked_optional_param_type`, converting with `interop.rs` (`record_from_js` /
//!    `record_from_json` in, `record_to_js` / `record_to_json` / `to_js` / `to_js_via_json` out,
//!    `Options` for an options object) and returning `Result<_, Error>`. A record-taking function
//!    gets a `*Json` twin.
//! 2. A new failure gets a line in the error table of `error.rs` (the enum, its strings and the
//!    TypeScript union `EmrErrorCode` are generated from it), and an `Error` constructor from
//!    emr-core's error, whose `code()` is the same string.
//! 3. A new result type gets a schema in `schemas/` (emr-core's schemars, listed in
//!    `emr-core/tests/schemas.rs`), then `node emr-wasm/scripts/gen-types.mjs`; import its name in
//!    `TS_TYPES` below. Options and compositions of generated types are declared in `TS_TYPES`.
//! 4. Checks in `tests/shared/checks.mjs` (run in Node and Chromium) and, if it has vectors, in
//!    `tests/node/`. The entry points (`index.mjs`, `browser.mjs`) list the new export by themselves.

// The SMART Health Links and C-CDA modules are built on their own (`--no-default-features
// --features shl` or `ccda`), with only `error`, `interop` and their own: helpers of the main API
// are unused there.
#![cfg_attr(not(feature = "core-api"), allow(dead_code, unused_imports))]

#[cfg(feature = "core-api")]
mod bundle;
#[cfg(feature = "ccda")]
mod ccda;
#[cfg(feature = "core-api")]
mod codes;
mod error;
#[cfg(feature = "core-api")]
mod fhir;
mod interop;
#[cfg(feature = "core-api")]
mod merge;
#[cfg(feature = "core-api")]
mod query;
#[cfg(feature = "shl")]
mod shl;
#[cfg(feature = "core-api")]
mod validate;

use wasm_bindgen::prelude::*;

pub use error::{Error, ErrorCode};

#[cfg(feature = "core-api")]
#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
import type { CodeCheck, ConflictSides, CurrentLists, Demographics, EmrRecord, EntryDraft, EntryRef, Finding, IdentityCheck, MergeReport, OpenedBundle, Source, Summary, TimelineEvent, Trend, View } from "./emr-types.js";
export type * from "./emr-types.js";

/** Options of `fromFhir`. */
export interface FromFhirOptions {
  /** The source of resources whose origin the input does not say (default: the IPS author, else the organization of most encounters, else `import`). */
  defaultSource?: Source;
  /** When the input is judged (default: the current time). */
  now?: string | Date;
}

/** What `fromFhir` gives (and `fromCcda` of `@emr/wasm/ccda`): the record and the findings, with JSON pointers into the input (for C-CDA, XPath-like locations). */
export interface Imported {
  record: EmrRecord;
  findings: Finding[];
}

/** What `fromFhirJson` (and `fromCcdaJson`) gives: the record as JSON text (decimals as written). */
export interface ImportedJson {
  recordJson: string;
  findings: Finding[];
}

/** Options of the exports (`toFhir`, `toIps`, `toNdjson`, `sealBundle`). */
export interface ExportOptions {
  /** `Bundle.timestamp`, and the recording time of entries without one (default: the current time). */
  timestamp?: string | Date;
}

/** Options of `merge`. */
export interface MergeOptions {
  /** Merge even when the identity check says the records may describe different people. */
  force?: boolean;
}

/** What `merge` gives. */
export interface Merged {
  record: EmrRecord;
  report: MergeReport;
}

/** What `mergeJson` gives: the merged record as JSON text (decimals as received). */
export interface MergedJson {
  recordJson: string;
  report: MergeReport;
}

/** The key of `sealBundle`: a passphrase (age scrypt; `workFactor` is log2 N, 1–22, default age's own: 18 in wasm), or age X25519 recipients (`age1…`). */
export type SealKey = { passphrase: string; workFactor?: number; recipients?: undefined } | { recipients: string[]; passphrase?: undefined };

/** The key of `openBundle`: the passphrase, or an age X25519 identity (`AGE-SECRET-KEY-1…`). */
export type OpenKey = { passphrase: string; identity?: undefined } | { identity: string; passphrase?: undefined };

/** Options of `openBundle`. */
export interface OpenOptions {
  /** When the bundle's content is judged (default: the current time). */
  now?: string | Date;
}

/** A clinician's decision about one conflict (`reconcile`): exactly one of `accept`, `reject` (a side's number, from 1, in the order of `conflicts`) or `edit` (a corrected FHIR resource of the disputed type, as text or object). */
export type Decision = {
  /** The conflict's `id`, as `conflicts` gives it. */
  conflict: string;
  /** The reconciling clinician's name; their source is `clinician-<name>`. */
  clinician: string;
  /** When the decision is made (default: the current time). */
  recorded?: string | Date;
} & ({ accept: number; reject?: undefined; edit?: undefined } | { reject: number; accept?: undefined; edit?: undefined } | { edit: string | object; accept?: undefined; reject?: undefined });

/** Options of `addEntry`. */
export interface AddEntryOptions {
  /** The source the entry comes from (default `local`); a source the record lacks is added. */
  source?: string;
  /** The entry's (and its resource's) id (default: one derived from the draft and the record's patient, as `emr add` derives it: the same draft gets the same id). */
  id?: string;
  /** When the entry is recorded (default: `now`). */
  recorded?: string | Date;
  /** When it is judged: dates after it are in the future (default: the current time). */
  now?: string | Date;
  /** Add it as the next version of the source's entry with the same id (else `add.exists`). */
  newVersion?: boolean;
  /** Keep it even with validation errors (else `add.invalid`). */
  allowInvalid?: boolean;
}

/** What `addEntry` gives: the record with the entry, the entry's reference and its own findings. */
export interface AddedEntry {
  record: EmrRecord;
  entry: EntryRef;
  findings: Finding[];
}

/** What `addEntryJson` gives: the record as JSON text. */
export interface AddedEntryJson {
  recordJson: string;
  entry: EntryRef;
  findings: Finding[];
}

/** A code system emr knows (`knownSystem`). */
export interface KnownSystem {
  /** Its FHIR system URI, e.g. `http://loinc.org`. */
  uri: string;
  /** Its name, e.g. `LOINC`. */
  name: string;
  /** Its short name in `system|code` shorthand, e.g. `loinc`. */
  shortName: string;
}

/** What `openBundleJson` gives: the record as JSON text (decimals as sealed). */
export interface OpenedBundleJson {
  fhir: string;
  recordJson: string;
  findings: Finding[];
}

"#;

#[wasm_bindgen(typescript_custom_section)]
const TS_ERROR: &str = error::ERROR_TS;

/// The version of this package (and of the emr-core it was built from).
#[wasm_bindgen(js_name = version)]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// True when `value` was thrown by this package: an `Error` named `EmrError` with a known `code`.
#[wasm_bindgen(js_name = isEmrError, unchecked_return_type = "value is EmrError")]
pub fn is_emr_error(#[wasm_bindgen(unchecked_param_type = "unknown")] value: JsValue) -> bool {
    interop::is_emr_error(&value)
}
