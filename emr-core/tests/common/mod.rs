//! Helpers shared by emr-core's integration tests.
#![allow(dead_code, clippy::panic)]

use std::path::PathBuf;

#[path = "../../../tests/support/shared_data.rs"]
mod shared;

#[allow(unused_imports)] // not every test crate reads the shared data
pub use shared::shared_data;

/// The record of each shared Synthea patient (`synthea/*.json`, not the hospital and
/// practitioner files), whole and split per source then merged back: the merged one first,
/// named `NAME (merged from N sources)`. `None` when the shared data is absent (see
/// [`shared_data`]).
pub fn synthea_records() -> Option<Vec<(String, emr_core::model::Record)>> {
    use chrono::TimeZone;
    use emr_core::merge::{merge, MergeOptions};
    let now = chrono::Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).single()?;
    let dir = shared_data("synthea")?;
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
        if name.starts_with("hospitalInformation") || name.starts_with("practitionerInformation") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let imported = emr_core::fhir::import(&text, &Default::default(), now);
        let record = imported.unwrap_or_else(|e| panic!("{name}: {e}")).record;
        let parts = record.split_by_source();
        let (merged, _) = merge(&parts, &MergeOptions { force: true }).unwrap_or_else(|e| panic!("{name}: {e}"));
        out.push((format!("{name} (merged from {} sources)", parts.len()), merged));
        out.push((name, record));
    }
    assert!(out.len() >= 24, "{} Synthea records", out.len());
    Some(out)
}

/// `xml` with declarations of the `xsi` and `sdtc` prefixes added to its root element where
/// the document uses them undeclared (as some HL7 examples do): the namespace-well-formed
/// document the importer reads such a document as (reporting `ccda.xml.prefix.undeclared`). Other documents
/// are returned unchanged.
pub fn declared(xml: &str) -> String {
    let mut out = xml.to_owned();
    for _ in 0..2 {
        let options = roxmltree::ParsingOptions { allow_dtd: false, ..Default::default() };
        let uri = match roxmltree::Document::parse_with_options(&out, options) {
            Err(roxmltree::Error::UnknownNamespace(p, _)) if p == "xsi" => "http://www.w3.org/2001/XMLSchema-instance",
            Err(roxmltree::Error::UnknownNamespace(p, _)) if p == "sdtc" => "urn:hl7-org:sdtc",
            _ => break,
        };
        let prefix = if uri == "urn:hl7-org:sdtc" { "sdtc" } else { "xsi" };
        // After the root element's name: the first `<` and a letter.
        let Some(root) = out
            .match_indices('<')
            .map(|(i, _)| i)
            .find(|&i| out[i + 1..].starts_with(|c: char| c.is_ascii_alphabetic()))
        else {
            break;
        };
        let name_end =
            out[root..].find(|c: char| c.is_whitespace() || c == '>' || c == '/').map_or(out.len(), |e| root + e);
        out.insert_str(name_end, &format!(" xmlns:{prefix}=\"{uri}\""));
    }
    out
}

/// Every `.xml` file under `dir`, recursively, sorted.
pub fn xml_files(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
    let listing = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut entries: Vec<PathBuf> =
        listing.map(|e| e.unwrap_or_else(|e| panic!("{}: {e}", dir.display())).path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            xml_files(&p, out);
        } else if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("xml")) {
            out.push(p);
        }
    }
}

/// Every complete C-CDA document of the shared data, with its path relative to `ccda/` and its
/// text: each `.xml` file under `ccda/`, recursively, that `ccda::looks_like_ccda` accepts
/// (what `scripts/bench-ccda.sh` measures; section fragments and stubs are left out). `None`
/// when the shared data is absent (see [`shared_data`]).
pub fn ccda_documents() -> Option<Vec<(PathBuf, String)>> {
    let dir = shared_data("ccda")?;
    let mut files = Vec::new();
    xml_files(&dir, &mut files);
    let mut out = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if emr_core::ccda::looks_like_ccda(text.as_bytes()) {
            out.push((path.strip_prefix(&dir).map(PathBuf::from).unwrap_or(path), text));
        }
    }
    Some(out)
}
