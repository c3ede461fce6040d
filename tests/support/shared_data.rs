//! The shared test data (`../shared/data`), for the test crates of emr-core and emr-cli, which
//! include this file (`#[path]`), so that both find it, skip and fail alike.

use std::path::{Path, PathBuf};

/// A folder of the shared test data (`../shared/data/SUB`; `""` for the folder itself), or
/// `None` with a message when it is absent. With `EMR_REQUIRE_SHARED_DATA` set (as
/// `scripts/test-all.sh`, and so CI, sets it) a missing folder fails the test instead, so the
/// claims these tests check are really checked there.
pub fn shared_data(sub: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data").join(sub);
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("EMR_REQUIRE_SHARED_DATA").is_none(),
        "shared data required (EMR_REQUIRE_SHARED_DATA) but not found at {}",
        dir.display()
    );
    eprintln!("skipped: shared data not found at {}", dir.display());
    None
}
