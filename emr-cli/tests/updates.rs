//! A clinic's updated export, imported again: every change arrives (issue: `emr import` used to
//! count a changed resource with the same id as "already present" and drop it).
//!
//! For each shared Synthea patient: import the export, then an updated export of the same
//! patient in which one allergy was marked `entered-in-error`, one lab value corrected and one
//! medication stopped (same ids, no `meta.versionId`, as most exports are). All three changes show
//! in `emr lists`, `emr trend`, `emr timeline` and the FHIR export; importing the update once more
//! adds nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]
#![allow(
    clippy::disallowed_types,
    clippy::disallowed_macros,
    reason = "tests read the CLI's JSON output as a tree to check it; emr-cli/clippy.toml bans that for the CLI itself"
)]

mod common;

use std::path::Path;

use common::*;
use emr_core::json::Json;
use serde_json::Value;

fn run(args: &[&std::ffi::OsStr]) -> String {
    let out = emr().args(args).output().unwrap();
    assert!(out.status.success(), "{:?}: {}", args, stderr(&out));
    String::from_utf8(out.stdout).unwrap()
}

fn os(s: &str) -> &std::ffi::OsStr {
    std::ffi::OsStr::new(s)
}

/// `emr lists --json`: the ids (`Type/id`) of each list's representatives.
fn lists(file: &Path, key: &Path) -> Value {
    serde_json::from_str(&run(&[os("lists"), file.as_os_str(), os("-i"), key.as_os_str(), os("--json")])).unwrap()
}

fn listed(lists: &Value, list: &str, id: &str) -> bool {
    lists[list].as_array().unwrap().iter().any(|i| {
        i["members"].as_array().unwrap().iter().any(|m| m["id"].as_str() == Some(id))
            || i["representative"]["id"].as_str() == Some(id)
    })
}

/// The list items that stand for exactly one assertion (so a change to it is the item's change).
fn single(lists: &Value, list: &str) -> Vec<String> {
    lists[list]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["members"].as_array().unwrap().len() == 1)
        .map(|i| i["representative"]["id"].as_str().unwrap().to_owned())
        .collect()
}

/// A member of a JSON object, edited in place (the lossless tree keeps every other byte as it was,
/// so only the edited resources differ from the first export).
fn member<'t, 'a>(j: &'t mut Json<'a>, key: &str) -> &'t mut Json<'a> {
    let Json::Object(members) = j else { panic!("not an object") };
    if !members.iter().any(|(k, _)| k == key) {
        members.push((key.to_owned().into(), Json::Null));
    }
    &mut members.iter_mut().find(|(k, _)| k == key).unwrap().1
}

fn resource_mut<'t, 'a>(bundle: &'t mut Json<'a>, id: &str) -> &'t mut Json<'a> {
    let (ty, id) = id.split_once('/').unwrap();
    let Json::Array(entries) = member(bundle, "entry") else { panic!("no entries") };
    entries
        .iter_mut()
        .map(|e| member(e, "resource"))
        .find(|r| {
            r.get("resourceType").and_then(Json::as_str) == Some(ty) && r.get("id").and_then(Json::as_str) == Some(id)
        })
        .unwrap()
}

fn is_lab_quantity(r: &Value) -> bool {
    r["resourceType"] == "Observation"
        && r["valueQuantity"]["value"].is_number()
        && r["category"].to_string().contains("\"laboratory\"")
}

#[test]
fn an_updated_export_brings_its_retraction_correction_and_stop() {
    let Some(dir) = shared_data("synthea") else { return };
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.to_string_lossy().contains("Information"))
        .collect();
    files.sort();
    let mut checked = 0;
    for input in files {
        let tmp = tempfile::tempdir().unwrap();
        let (key, public) = key(tmp.path(), "k");
        let file = tmp.path().join("c.emr");
        emr().arg("init").arg(&file).args(["-r", &public]).assert().success();
        let first = run(&[os("import"), file.as_os_str(), os("-i"), key.as_os_str(), input.as_os_str()]);
        assert!(first.contains("(0 already present"), "{first}");
        let before = lists(&file, &key);
        let (Some(allergy), Some(medication)) =
            (single(&before, "allergies").into_iter().next(), single(&before, "medications").into_iter().next())
        else {
            continue;
        };
        let text = std::fs::read_to_string(&input).unwrap();
        let read: Value = serde_json::from_str(&text).unwrap();
        let lab =
            read["entry"].as_array().unwrap().iter().map(|e| &e["resource"]).find(|r| is_lab_quantity(r)).unwrap();
        let code = lab["code"]["coding"][0]["code"].as_str().unwrap().to_owned();
        let lab = format!("Observation/{}", lab["id"].as_str().unwrap());
        let mut bundle = emr_core::json::parse(&text).unwrap();
        let retracted = r#"{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/allergyintolerance-verification","code":"entered-in-error"}]}"#;
        *member(resource_mut(&mut bundle, &allergy), "verificationStatus") = emr_core::json::parse(retracted).unwrap();
        *member(resource_mut(&mut bundle, &medication), "status") = Json::String("stopped".into());
        let corrected = "987654.25";
        *member(member(resource_mut(&mut bundle, &lab), "valueQuantity"), "value") = Json::Number(corrected.into());
        let updated = tmp.path().join("updated.json");
        std::fs::write(&updated, bundle.to_compact_string()).unwrap();

        let second = run(&[os("import"), file.as_os_str(), os("-i"), key.as_os_str(), updated.as_os_str()]);
        assert!(second.starts_with("imported 3 entries"), "{}: {second}", input.display());
        let after = lists(&file, &key);
        assert!(listed(&before, "allergies", &allergy) && !listed(&after, "allergies", &allergy), "{allergy}");
        assert!(
            listed(&before, "medications", &medication) && !listed(&after, "medications", &medication),
            "{medication}"
        );
        let trend = run(&[os("trend"), file.as_os_str(), os(&code), os("-i"), key.as_os_str(), os("--json")]);
        assert!(trend.contains("987654.25"), "{lab}: {trend}");
        let timeline = run(&[os("timeline"), file.as_os_str(), os("-i"), key.as_os_str(), os("--json")]);
        assert!(!timeline.contains(&format!("\"{allergy}\"")) || timeline.contains("entered-in-error"));
        let export = run(&[
            os("export"),
            file.as_os_str(),
            os("-i"),
            key.as_os_str(),
            os("--format"),
            os("fhir"),
            os("-o"),
            os("-"),
        ]);
        assert!(export.contains(corrected), "the export carries the corrected value");
        assert!(export.contains("\"stopped\""));
        // The same update again is already present.
        let third = run(&[os("import"), file.as_os_str(), os("-i"), key.as_os_str(), updated.as_os_str()]);
        assert!(third.starts_with("imported 0 entries"), "{third}");
        checked += 1;
    }
    assert!(checked >= 3, "only {checked} shared patients had a single-member allergy and medication");
}
