//! Killing a writer at any moment leaves a file that opens, to the old or the new state.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;

/// A small deterministic generator (xorshift), so a failure can be replayed from its seed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

#[test]
fn killed_writers_leave_old_or_new_state() {
    let dir = tempfile::tempdir().unwrap();
    let (key, public) = key(dir.path(), "clinic");
    let file = init(dir.path(), &public);
    let identities: Vec<Box<dyn age::Identity + Send + Sync>> = vec![Box::new(identity(&key))];
    let count = || -> usize {
        let store = emr_cli::store::Store::load(&file, &emr_cli::store::Key::Identities(&identities))
            .expect("the file always opens");
        assert!(store.verify().unwrap().ok(), "the audit chain is intact");
        store.entries(&Default::default()).unwrap().len()
    };

    // How long one uninterrupted add takes here, to spread the kills over it.
    let start = Instant::now();
    assert!(add_condition(&file, &key, "warm-up").status.success());
    let span = u64::try_from(start.elapsed().as_micros()).unwrap() * 12 / 10;

    let seed = 0x5eed_u64 ^ u64::from(std::process::id());
    let mut rng = Rng(seed | 1);
    let (mut old, mut new) = (0, 0);
    for i in 0..60 {
        let before = count();
        let mut child = std::process::Command::new(emr_bin())
            .arg("add")
            .arg(&file)
            .arg("-i")
            .arg(&key)
            .args(["--kind", "condition", "--code", "snomed|44054006", "--id", &format!("k{i}")])
            .env("EMR_ACTOR", "crash-test")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(rng.below(span)));
        let _ = child.kill();
        let _ = child.wait();
        let after = count();
        assert!(after == before || after == before + 1, "seed {seed:#x}, iteration {i}: {before} -> {after}");
        if after == before {
            old += 1;
        } else {
            new += 1;
        }
        // Only the file, its lock, the key and (encrypted) temporary files of killed writers.
        for name in names(dir.path()) {
            assert!(
                ["chart.emr", "chart.emr.lock", "clinic.key"].contains(&name.as_str())
                    || name.starts_with(".chart.emr.tmp-"),
                "unexpected file {name}"
            );
        }
    }
    eprintln!("60 kills: {old} left the old state, {new} the new one");
    // The next successful write removes temporary files left by killed writers.
    assert!(add_condition(&file, &key, "after").status.success());
    assert_eq!(names(dir.path()), vec!["chart.emr", "chart.emr.lock", "clinic.key"]);
}
