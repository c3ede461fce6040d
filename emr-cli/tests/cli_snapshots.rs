//! Snapshots of what people and scripts see: help texts, `--json` outputs, messages.
//!
//! Update with `INSTA_UPDATE=always cargo test -p emr-cli --test cli_snapshots` and review the diff.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]
#![allow(
    clippy::disallowed_types,
    clippy::disallowed_macros,
    reason = "tests read the CLI's JSON output as a tree to check it; emr-cli/clippy.toml bans that for the CLI itself"
)]

mod common;

use std::path::Path;

use common::*;

fn stdout_of(args: &[&str]) -> String {
    let out = emr().args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    String::from_utf8(out.stdout).unwrap()
}

/// Stable snapshots: no times, hashes, keys, random ids or temporary paths.
fn settings(dir: &Path) -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.add_filter(&regex_escape(&dir.display().to_string()), "[DIR]");
    s.add_filter(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", "[TIME]");
    s.add_filter(r"[0-9a-f]{64}", "[HASH]");
    s.add_filter(r"\b[0-9a-f]{16}\b", "[HASH16]");
    s.add_filter(r"age1[0-9a-z]{58}", "[AGE-PUBLIC-KEY]");
    s
}

fn regex_escape(s: &str) -> String {
    s.chars().fold(String::new(), |mut out, c| {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
        out
    })
}

#[test]
fn help_texts() {
    insta::assert_snapshot!("help", stdout_of(&["--help"]));
    for cmd in [
        "keygen",
        "init",
        "add",
        "import",
        "list",
        "lists",
        "documents",
        "show",
        "timeline",
        "trend",
        "log",
        "verify",
        "merge",
        "conflicts",
        "resolve",
        "export",
        "share",
        "passwd",
        "validate",
        "demo",
        "completions",
        "man",
    ] {
        insta::assert_snapshot!(format!("help-{cmd}"), stdout_of(&[cmd, "--help"]));
    }
    for sub in ["list", "add", "remove"] {
        insta::assert_snapshot!(format!("help-recipients-{sub}"), stdout_of(&["recipients", sub, "--help"]));
    }
    insta::assert_snapshot!("help-share-serve", stdout_of(&["share", "serve", "--help"]));
}

#[test]
fn command_definitions_are_consistent() {
    emr_cli::cli::command().debug_assert();
}

#[test]
fn json_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let (key, public) = key(dir.path(), "clinic");
    let file = init(dir.path(), &public);
    let k = key.to_str().unwrap();
    let f = file.to_str().unwrap();
    let add = |flags: &[&str]| {
        let out = emr().args(["add", f, "-i", k]).args(flags).output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        String::from_utf8(out.stdout).unwrap()
    };
    let added = add(&[
        "--kind",
        "condition",
        "--code",
        "snomed|44054006",
        "--display",
        "Type 2 diabetes",
        "--date",
        "2019-05",
        "--id",
        "c1",
    ]);
    add(&[
        "--kind",
        "observation",
        "--code",
        "loinc|4548-4",
        "--display",
        "HbA1c",
        "--value",
        "6.30",
        "--unit",
        "%",
        "--date",
        "2024-03-01T09:30:00+01:00",
        "--id",
        "o1",
    ]);
    add(&[
        "--kind",
        "allergy",
        "--code",
        "snomed|91936005",
        "--display",
        "Penicillin",
        "--criticality",
        "high",
        "--id",
        "a1",
        "--source",
        "clinic-b",
    ]);
    let condition = dir.path().join("condition.json");
    std::fs::write(&condition, r#"{"resourceType":"Condition","id":"c2","clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"resolved"}]},"code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"J06.9"}]},"subject":{"reference":"Patient/p1"},"onsetDateTime":"2021-11-02","abatementDateTime":"2021-11-20"}"#).unwrap();
    add(&["--json", condition.to_str().unwrap()]);

    let _guard = settings(dir.path()).bind_to_scope();
    insta::assert_snapshot!("add", added);
    insta::assert_snapshot!("list", stdout_of(&["list", f, "-i", k]));
    insta::assert_snapshot!("list-json", stdout_of(&["list", f, "-i", k, "--json"]));
    insta::assert_snapshot!(
        "list-json-filtered",
        stdout_of(&["list", f, "-i", k, "--json", "--kind", "condition", "--since", "2020", "--status", "resolved"])
    );
    insta::assert_snapshot!("list-code", stdout_of(&["list", f, "-i", k, "--code", "loinc|4548-4"]));
    insta::assert_snapshot!("list-source", stdout_of(&["list", f, "-i", k, "--source", "clinic-b"]));
    insta::assert_snapshot!("list-until", stdout_of(&["list", f, "-i", k, "--until", "2019-12-31"]));
    insta::assert_snapshot!("show", stdout_of(&["show", f, "o1", "-i", k]));
    insta::assert_snapshot!("show-json", stdout_of(&["show", f, "o1", "-i", k, "--json"]));
    insta::assert_snapshot!("log", stdout_of(&["log", f, "-i", k]));
    insta::assert_snapshot!("log-json", stdout_of(&["log", f, "-i", k, "--json"]));
    insta::assert_snapshot!("verify", stdout_of(&["verify", f, "-i", k]));
    insta::assert_snapshot!("verify-json", stdout_of(&["verify", f, "-i", k, "--json"]));
    insta::assert_snapshot!("recipients-json", stdout_of(&["recipients", "list", f, "-i", k, "--json"]));
    insta::assert_snapshot!("validate-json", stdout_of(&["validate", f, "-i", k, "--json"]));

    // Every line of `list --json` is one entry, exactly as in the record JSON.
    let list: Vec<serde_json::Value> = serde_json::from_str(&stdout_of(&["list", f, "-i", k, "--json"])).unwrap();
    assert_eq!(list.len(), 4);
    assert!(stdout_of(&["list", f, "-i", k, "--json"]).contains(r#""value":6.30"#), "decimals keep their form");
}

#[test]
fn messages() {
    let dir = tempfile::tempdir().unwrap();
    let (key, public) = key(dir.path(), "clinic");
    let file = init(dir.path(), &public);
    let _guard = settings(dir.path()).bind_to_scope();
    let err = |args: &[&str]| {
        let out = emr().args(args).output().unwrap();
        format!("exit {}\n{}", out.status.code().unwrap_or(-1), stderr(&out))
    };
    let f = file.to_str().unwrap();
    let k = key.to_str().unwrap();
    insta::assert_snapshot!("err-show-missing", err(&["show", f, "nope", "-i", k]));
    insta::assert_snapshot!("err-list-kind", err(&["list", f, "-i", k, "--kind", "vitals"]));
    insta::assert_snapshot!("err-list-date", err(&["list", f, "-i", k, "--since", "May 2019"]));
    insta::assert_snapshot!("err-recipient", err(&["init", "x.emr", "-r", "age1notakey"]));
    insta::assert_snapshot!("err-remove-last", err(&["recipients", "remove", f, "-i", k, "-r", &public]));
    insta::assert_snapshot!("err-passwd-recipients", err(&["passwd", f]));
    // Without a controlling terminal (setsid), there is nobody to ask for a passphrase.
    let out = std::process::Command::new("setsid")
        .arg("-w")
        .arg(emr_bin())
        .arg("init")
        .arg(dir.path().join("p.emr"))
        .env_remove("EMR_PASSPHRASE")
        .output()
        .unwrap();
    insta::assert_snapshot!("err-no-passphrase", format!("exit {}\n{}", out.status.code().unwrap_or(-1), stderr(&out)));
    insta::assert_snapshot!("err-add-nothing", err(&["add", f, "-i", k]));
    insta::assert_snapshot!("err-validate-not-record", err(&["validate", k]));
}
