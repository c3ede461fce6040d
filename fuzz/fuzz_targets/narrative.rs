//! Fuzz target `narrative`: FHIR XHTML narrative → sanitized tree and plain text
//! (emr_core::query::read_narrative), never a panic, never an unsafe link.
//!
//! The body is `narrative` in `fuzz/harness.rs`, shared with `emr-core/tests/fuzz_replay.rs`.
#![no_main]

#[allow(dead_code)]
mod harness {
    include!("../harness.rs");
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::narrative(data));
