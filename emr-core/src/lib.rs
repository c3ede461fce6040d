//! emr-core: one patient's record from many sources, validated, in one model.
//!
//! An **EMR** is one provider's chart; an **EHR** combines several. Both are a
//! [`model::Record`]: the patient, the sources, and entries. An entry's content
//! *is* its FHIR R4 resource, kept exactly as received ([`model::Resource`]),
//! with [`model::Provenance`] (which source asserted it, under which id, when,
//! in which version) and a typed [`model::Clinical`] view derived from it.
//!
//! - [`json`]: a lossless JSON tree (decimals as written, duplicate keys kept and reported).
//! - [`model`]: the record model.
//! - [`validate`]: structural and semantic rules producing [`validate::Finding`]s.
//! - [`clinical`]: the clinical rules (active problem, current medication, H/L flag…), once.
//! - [`ccda`]: C-CDA R2.1 documents into the same record (entries as FHIR resources, the original kept).
//! - [`codes`]: LOINC, SNOMED CT, ICD-10-CM, RxNorm, CVX, DICOM checks and UCUM units.
//! - [`shl`]: SMART Health Links (`shlink:/…`, JWE files, manifests).
//!
//! The crate does no I/O, reads no clock (time comes in as an argument), and
//! builds for `wasm32-unknown-unknown`. It never panics on input.
//!
//! # Example
//! ```
//! use chrono::{TimeZone, Utc};
//! use emr_core::model::{Entry, Patient, Provenance, Record, Source};
//!
//! let mut record = Record::new(Patient::parse(r#"{"resourceType":"Patient","id":"p1","birthDate":"1961-04"}"#)?);
//! record.sources.push(Source::new("clinic-a", "Clinic A"));
//! record.entries.push(Entry::from_text(
//!     Provenance::new("clinic-a", "obs-1"),
//!     r#"{"resourceType":"Observation","status":"final","subject":{"reference":"Patient/p1"},
//!         "code":{"coding":[{"system":"http://loinc.org","code":"4548-4"}]},
//!         "effectiveDateTime":"2024-03-01T09:30:00+01:00",
//!         "valueQuantity":{"value":6.30,"unit":"%","system":"http://unitsofmeasure.org","code":"%"}}"#,
//! )?);
//! let findings = emr_core::validate::validate(&record, Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap());
//! assert!(findings.is_empty());
//! // The decimal keeps its lexical form.
//! assert!(record.entries[0].resource().as_str().contains("6.30"));
//! # Ok::<(), emr_core::model::ResourceError>(())
//! ```
#![deny(missing_docs)]

pub mod bundle;
pub mod ccda;
pub mod clinical;
pub mod codes;
pub mod fhir;
mod inline;
pub mod json;
pub mod merge;
pub mod model;
pub mod query;
pub mod shl;
pub mod validate;
mod xml;

/// The README's examples, run as doctests so they cannot go stale.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
