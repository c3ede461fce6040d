//! emr-core: the record model, validation, FHIR and merge.
#![deny(missing_docs)]

pub mod codes;
pub mod json;
