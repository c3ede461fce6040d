#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
//! Replays the committed fuzz corpus on stable Rust: every file in
//! `tests/data/fuzz-corpus/<target>/` goes through the body of fuzz target `<target>`
//! (`fuzz/harness.rs`, shared with the cargo-fuzz targets). A corpus folder must not be empty.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

mod harness {
    include!("../../fuzz/harness.rs");
}

fn corpus(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/fuzz-corpus").join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "fuzz corpus {} is empty", dir.display());
    files
}

/// Runs every corpus file of `target` through `body`, collecting all failures before failing.
fn replay(target: &str, body: fn(&[u8])) {
    let mut failed = Vec::new();
    for path in corpus(target) {
        let data = std::fs::read(&path).unwrap();
        if catch_unwind(AssertUnwindSafe(|| body(&data))).is_err() {
            failed.push(path.file_name().unwrap().to_string_lossy().into_owned());
        }
    }
    assert!(failed.is_empty(), "fuzz target `{target}` fails on corpus files {failed:?}");
}

#[test]
fn replay_record_corpus() {
    replay("record", harness::record);
}

#[test]
fn replay_json_corpus() {
    replay("json", harness::json);
}

#[test]
fn replay_units_corpus() {
    replay("units", harness::units);
}

#[test]
fn replay_shl_corpus() {
    replay("shl", harness::shl);
}

#[test]
fn replay_ccda_corpus() {
    replay("ccda", harness::ccda);
}

#[test]
fn replay_ndjson_corpus() {
    replay("ndjson", harness::ndjson);
}

#[test]
fn replay_narrative_corpus() {
    replay("narrative", harness::narrative);
}
