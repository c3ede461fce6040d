//! `examples/ccda-merge/README.md`: its commands, run exactly as written (one clinic sends a
//! C-CDA document, the other FHIR), fold the lab and the medication both clinics report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]
#![allow(
    clippy::disallowed_types,
    clippy::disallowed_macros,
    reason = "tests read the CLI's JSON output as a tree to check it; emr-cli/clippy.toml bans that for the CLI itself"
)]

mod common;

use std::path::Path;

use common::*;

/// The README's shell block (the only ```sh block).
fn readme_commands(readme: &str) -> &str {
    let start = readme.find("```sh\n").expect("a ```sh block") + "```sh\n".len();
    let len = readme[start..].find("```").expect("the block ends");
    &readme[start..start + len]
}

#[test]
fn readme_commands_merge_ccda_and_fhir_with_duplicates_folded() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let readme = std::fs::read_to_string(root.join("examples/ccda-merge/README.md")).unwrap();
    let commands = readme_commands(&readme);
    for step in
        ["emr init", "emr import clinic-a.emr", "emr import clinic-b.emr", "emr merge", "emr lists", "emr conflicts"]
    {
        assert!(commands.contains(step), "the README runs `{step}`");
    }
    // `mktemp -d` in the README makes its folder under TMPDIR: a folder this test removes.
    let tmp = tempfile::tempdir().unwrap();
    let bin = emr_bin();
    let path = format!("{}:{}", bin.parent().unwrap().display(), std::env::var("PATH").unwrap_or_default());
    let mut bash = std::process::Command::new("bash");
    bash.args(["-euo", "pipefail", "-c", commands]).current_dir(&root).env("PATH", path).env("TMPDIR", tmp.path());
    for var in ["EMR_PASSPHRASE", "EMR_NEW_PASSPHRASE", "EMR_ACTOR", "USER", "LOGNAME"] {
        bash.env_remove(var);
    }
    let out = bash.env("EMR_ACTOR", "tester").output().unwrap();
    let (text, err) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{text}\n{err}");

    // import: the C-CDA by content, then the FHIR; one patient set in each.
    assert!(text.contains("imported 57 entries into clinic-a.emr") && text.contains("patient set"), "{text}");
    assert!(text.contains("imported 5 entries into clinic-b.emr"), "{text}");
    // merge: the identity check passed (no refusal), two groups folded, nothing in conflict.
    assert!(
        text.contains("64 entries from 2 sources → 62 clinical items; 2 duplicate groups folded, 0 conflicts"),
        "{text}"
    );
    // lists: atenolol once, from both clinics.
    let atenolol: Vec<&str> = text.lines().filter(|l| l.contains("atenolol")).collect();
    assert_eq!(
        atenolol,
        ["  - atenolol 25 MG Oral Tablet, since 2012-03-18 (Good Health Clinic, Harbor Family Practice)"],
        "{text}"
    );
    assert!(text.contains("No open conflicts."), "{text}");

    // What was folded, from the report of the same merge: the LOINC lab and the RxNorm medication,
    // each with one member from each clinic.
    let work = std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().path()).find(|p| p.is_dir()).unwrap();
    let out = emr()
        .current_dir(&work)
        .args(["merge", "check.emr", "clinic-a.emr", "clinic-b.emr", "-i", "clinic.key", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let folded = report["folded"].as_array().unwrap();
    assert_eq!(folded.len(), 2, "{folded:#?}");
    let ids = |f: &serde_json::Value| -> Vec<String> {
        f["members"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap().to_owned()).collect()
    };
    let kinds: Vec<&str> = folded.iter().map(|f| f["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["medication", "observation"]);
    for f in folded {
        let sources: std::collections::BTreeSet<&str> =
            f["members"].as_array().unwrap().iter().map(|m| m["source"].as_str().unwrap()).collect();
        assert_eq!(sources.len(), 2, "one member from each clinic: {f:#?}");
    }
    // clinic B's resources (its own ids) folded with the C-CDA's.
    assert!(ids(&folded[0]).contains(&"MedicationStatement/5b0c8f0e-2f6e-4c43-9f55-3b1d7e9a0b06".to_owned()));
    assert!(ids(&folded[1]).contains(&"Observation/5b0c8f0e-2f6e-4c43-9f55-3b1d7e9a0b04".to_owned()));
    // The folded C-CDA entries are the RxNorm 197380 statement and the LOINC 718-7 result.
    let list = entries(&work.join("clinic-a.emr"), &work.join("clinic.key"));
    let resource_of = |id: &str| {
        let (kind, rid) = id.split_once('/').unwrap();
        list.iter()
            .find(|e| {
                serde_json::to_string(e).unwrap().contains(rid) && serde_json::to_string(e).unwrap().contains(kind)
            })
            .map(|e| serde_json::to_string(e).unwrap())
            .unwrap_or_else(|| panic!("{id} not in clinic A's record"))
    };
    let a_med = ids(&folded[0]).into_iter().find(|i| !i.contains("5b0c8f0e")).unwrap();
    let a_lab = ids(&folded[1]).into_iter().find(|i| !i.contains("5b0c8f0e")).unwrap();
    assert!(resource_of(&a_med).contains("197380"), "RxNorm 197380");
    assert!(resource_of(&a_lab).contains("718-7"), "LOINC 718-7");
}
