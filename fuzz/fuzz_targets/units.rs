//! Fuzz target `units`: UCUM units, PartialDate and codes::check on arbitrary text.
//!
//! The body is `units` in `fuzz/harness.rs`, shared with `emr-core/tests/fuzz_replay.rs`.
#![no_main]

#[allow(dead_code)]
mod harness {
    include!("../harness.rs");
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::units(data));
