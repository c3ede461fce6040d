//! Fuzz target `shl`: SMART Health Links, JWE files and manifests (`emr_core::shl`).
//!
//! The body is `shl` in `fuzz/harness.rs`, shared with `emr-core/tests/fuzz_replay.rs`.
#![no_main]

#[allow(dead_code)]
mod harness {
    include!("../harness.rs");
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::shl(data));
