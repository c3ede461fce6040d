//! Fuzz target `record`: bytes → UTF-8 → Record → validate, with the invariants of findings.
//!
//! The body is `record` in `fuzz/harness.rs`, shared with `emr-core/tests/fuzz_replay.rs`.
#![no_main]

#[allow(dead_code)]
mod harness {
    include!("../harness.rs");
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::record(data));
