//! Two writers at once: each change is applied, none is lost, the audit chain stays valid.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]
#![allow(
    clippy::disallowed_types,
    clippy::disallowed_macros,
    reason = "tests read the CLI's JSON output as a tree to check it; emr-cli/clippy.toml bans that for the CLI itself"
)]

mod common;

use std::collections::BTreeSet;

use common::*;

#[test]
fn two_processes_each_add_100_entries() {
    let dir = tempfile::tempdir().unwrap();
    let (key, public) = key(dir.path(), "clinic");
    let file = init(dir.path(), &public);
    let writers: Vec<_> = ["a", "b"]
        .into_iter()
        .map(|who| {
            let (file, key) = (file.clone(), key.clone());
            std::thread::spawn(move || {
                for i in 0..100 {
                    let out = emr()
                        .arg("add")
                        .arg(&file)
                        .arg("-i")
                        .arg(&key)
                        .args(["--kind", "observation", "--code", "loinc|8867-4", "--value", &i.to_string()])
                        .args(["--unit", "/min", "--date", "2024-01-01", "--id", &format!("{who}-{i}"), "--actor", who])
                        .output()
                        .unwrap();
                    assert!(out.status.success(), "{who}-{i}: {}", stderr(&out));
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    let ids: BTreeSet<String> =
        entries(&file, &key).iter().map(|e| e["provenance"]["id"].as_str().unwrap().to_owned()).collect();
    let expected: BTreeSet<String> =
        ["a", "b"].iter().flat_map(|w| (0..100).map(move |i| format!("{w}-{i}"))).collect();
    assert_eq!(ids, expected, "every entry of both writers is there");
    let out = emr().arg("verify").arg(&file).arg("-i").arg(&key).arg("--json").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["entries"], 200);
    assert_eq!(v["auditRows"], 203, "init (3 rows) + 200 adds");
    assert_eq!(names(dir.path()), vec!["chart.emr", "chart.emr.lock", "clinic.key"]);
}
