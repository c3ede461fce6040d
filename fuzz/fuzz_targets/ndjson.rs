//! Fuzz target `ndjson`: Bulk Data NDJSON → record (emr_core::fhir::import_ndjson), never a panic.
//!
//! The body is `ndjson` in `fuzz/harness.rs`, shared with `emr-core/tests/fuzz_replay.rs`.
#![no_main]

#[allow(dead_code)]
mod harness {
    include!("../harness.rs");
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::ndjson(data));
