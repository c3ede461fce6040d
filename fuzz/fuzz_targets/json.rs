//! Fuzz target `json`: json::parse_bytes, and the writers' outputs re-parse to the same tree.
//!
//! The body is `json` in `fuzz/harness.rs`, shared with `emr-core/tests/fuzz_replay.rs`.
#![no_main]

#[allow(dead_code)]
mod harness {
    include!("../harness.rs");
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::json(data));
