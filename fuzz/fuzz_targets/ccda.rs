//! Fuzz target `ccda`: C-CDA XML → FHIR → record (emr_core::ccda), never a panic.
//!
//! The body is `ccda` in `fuzz/harness.rs`, shared with `emr-core/tests/fuzz_replay.rs`.
#![no_main]

#[allow(dead_code)]
mod harness {
    include!("../harness.rs");
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::ccda(data));
