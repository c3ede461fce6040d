//! Bulk Data NDJSON import: `TYPE.ndjson` files (one resource per line, references relative,
//! `Type/id`) into a [`crate::model::Record`], as FHIR Bulk Data exports write them, emr's own included.
//!
//! emr's export writes a `Provenance` per source whose targets are `Type/id`: each target of
//! the source that asserted the line's resource declares that assertion (`urn:emr:assertion`)
//! and what the export changed in the resource (`urn:emr:received`: the references it wrote
//! `Type/id`, an id it replaced, fields the clinical view resolved). Import undoes those
//! changes, so each line comes back as the assertion it was written from, byte for byte; the
//! record it came from then holds it already. Lines of other servers import as any resource.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::attribution::{emr_source_of, extension};
use super::extensions::{as_received, AsReceived, RECEIVED};
use super::import::{import_found, Imported, Input, Parsed};
use super::index::Found;
use super::ndjson_writer::set_id;
use super::ImportOptions;
use crate::json::{self, Json};
use crate::validate::{rules, Finding};

/// Import Bulk Data NDJSON: `files` are (name, text) pairs, e.g. `("Condition.ndjson", …)`,
/// each line one resource. Findings point at `NAME:LINE` and, within a line's resource, a JSON
/// pointer (`Condition.ndjson:3/code`); they never quote the input.
///
/// Resources are attributed as [`super::import`] attributes a Bundle's, references resolving
/// by `Type/id`; emr's own `Provenance` lines declare each line's source and assertion and what
/// the export changed, which import restores (see the module documentation). The first
/// `Patient` line becomes the record's patient. A line that is not JSON, or not a resource, is a
/// finding ([`rules::FHIR_NDJSON_LINE`]), and the other lines are imported.
///
/// # Example
/// ```
/// use chrono::{TimeZone, Utc};
/// use emr_core::fhir::{import_ndjson, to_ndjson, ExportOptions, ImportOptions};
/// use emr_core::model::{Entry, Patient, Provenance, Record, Source};
/// let p = "5a2a3f30-6b2f-4c1e-9f43-000000000001";
/// let mut record = Record::new(Patient::parse(&format!(r#"{{"resourceType":"Patient","id":"{p}"}}"#)).unwrap());
/// record.sources.push(Source::new("a", "Clinic A"));
/// record.entries.push(Entry::from_text(Provenance::new("a", "Condition/c1"),
///     &format!(r#"{{"resourceType":"Condition","id":"c1","subject":{{"reference":"urn:uuid:{p}"}}}}"#)).unwrap());
/// let files = to_ndjson(&record, &ExportOptions { timestamp: "2026-01-01T00:00:00Z".parse().unwrap() });
/// assert!(files["Condition"].contains(&format!(r#""reference":"Patient/{p}""#)));
/// let named: Vec<(String, &str)> = files.iter().map(|(ty, text)| (format!("{ty}.ndjson"), text.as_str())).collect();
/// let named: Vec<(&str, &str)> = named.iter().map(|(n, t)| (n.as_str(), *t)).collect();
/// let back = import_ndjson(&named, &ImportOptions::default(), Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap());
/// // The condition comes back as it was received, from the source that asserted it.
/// assert_eq!(back.record.entries, record.entries);
/// assert!(back.findings.iter().all(|f| !f.path.is_empty()));
/// ```
pub fn import_ndjson(files: &[(&str, &str)], options: &ImportOptions, now: DateTime<Utc>) -> Imported {
    let mut findings = Vec::new();
    // (where, tree): every line that is a resource.
    let mut lines: Vec<(String, Json<'_>)> = Vec::new();
    for (name, text) in files {
        for (n, line) in text.split('\n').enumerate() {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.trim().is_empty() {
                continue;
            }
            let at = format!("{name}:{}", n.saturating_add(1));
            match json::parse(line) {
                Ok(tree) if tree.get("resourceType").and_then(Json::as_str).is_some() => lines.push((at, tree)),
                _ => findings.push(Finding::new(&rules::FHIR_NDJSON_LINE, at, "line")),
            }
        }
    }
    // What emr's export changed in the resource written as `Type/id`.
    let mut changes: BTreeMap<String, AsReceived> = BTreeMap::new();
    for (_, tree) in &lines {
        if emr_source_of(tree).is_none() {
            continue;
        }
        for t in tree.get("target").and_then(Json::as_array).unwrap_or_default() {
            let (Some(r), Some(x)) = (t.get("reference").and_then(Json::as_str), extension(t, RECEIVED)) else {
                continue;
            };
            changes.insert(r.to_owned(), as_received(x));
        }
    }
    // Each resource's `Type/id` as written (emr's Provenance names it so), then restored.
    let mut keys = Vec::with_capacity(lines.len());
    for (_, tree) in &mut lines {
        let key = type_id(tree);
        if let Some(c) = key.as_ref().and_then(|k| changes.get(k)) {
            restore(tree, c);
        }
        keys.push(key);
    }
    let mut duplicates = Vec::new();
    for (at, tree) in &lines {
        duplicates.extend(tree.duplicate_keys().into_iter().map(|d| format!("{at}{d}")));
    }
    let found =
        lines.iter().zip(keys).map(|((at, tree), key)| Found { tree, pointer: at.clone(), full_url: key }).collect();
    let input = Input { document: false, bulk: true, duplicates, parsed: Parsed::Here };
    import_found(found, findings, input, options, now)
}

/// `Type/id` of a resource, when it has an id.
fn type_id(tree: &Json<'_>) -> Option<String> {
    let ty = tree.get("resourceType").and_then(Json::as_str)?;
    let id = tree.get("id").and_then(Json::as_str)?;
    Some(format!("{ty}/{id}"))
}

/// Undo what the export changed: the resource as it was received.
fn restore(tree: &mut Json<'_>, changes: &AsReceived) {
    for (path, original) in &changes.references {
        let Some(Json::Object(members)) = pointer_mut(tree, path) else { continue };
        let at = members.iter().position(|(k, _)| k == "reference");
        match (original, at) {
            (Some(o), Some(at)) => {
                if let Some((_, v)) = members.get_mut(at) {
                    *v = Json::String(o.clone().into());
                }
            }
            (None, Some(at)) => {
                members.remove(at);
            }
            (_, None) => {}
        }
    }
    for (name, value) in &changes.members {
        let Json::Object(members) = &mut *tree else { break };
        let at = members.iter().position(|(k, _)| k == name);
        let parsed = value.as_deref().and_then(|v| json::parse(v).ok()).map(Json::into_owned);
        match (parsed, at) {
            (Some(v), Some(at)) => {
                if let Some((_, old)) = members.get_mut(at) {
                    *old = v;
                }
            }
            (Some(v), None) => members.push((name.clone().into(), v)),
            (None, Some(at)) if value.is_none() => {
                members.remove(at);
            }
            _ => {}
        }
    }
    match &changes.id {
        None => {}
        Some(Some(id)) => set_id(tree, id),
        Some(None) => {
            if let Json::Object(members) = tree {
                members.retain(|(k, _)| k != "id");
            }
        }
    }
}

/// The value at a JSON pointer (RFC 6901), mutably.
fn pointer_mut<'t, 'a>(tree: &'t mut Json<'a>, pointer: &str) -> Option<&'t mut Json<'a>> {
    let mut at = tree;
    for token in pointer.split('/').skip(1) {
        let token = token.replace("~1", "/").replace("~0", "~");
        at = match at {
            Json::Object(members) => members.iter_mut().find(|(k, _)| *k == token).map(|(_, v)| v)?,
            Json::Array(items) => items.get_mut(token.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_lines_are_findings_with_file_and_line_and_no_content() {
        let now = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 1, 1, 0, 0, 0).single().unwrap_or_default();
        let text = "{\"resourceType\":\"Condition\",\"id\":\"c1\"}\n\nnot json SECRET\n[1]\r\n{\"resourceType\":\"Condition\",\"id\":\"c2\"}\n";
        let imported = import_ndjson(&[("Condition.ndjson", text)], &ImportOptions::default(), now);
        assert_eq!(imported.record.entries.len(), 2);
        let bad: Vec<&str> =
            imported.findings.iter().filter(|f| f.code == "ndjson.line").map(|f| f.path.as_str()).collect();
        assert_eq!(bad, ["Condition.ndjson:3", "Condition.ndjson:4"]);
        assert!(imported.findings.iter().all(|f| !f.message.contains("SECRET")));
    }

    #[test]
    fn pointers_reach_nested_members() {
        let Ok(mut tree) = json::parse(r#"{"a/b":[{"x":1},{"y":{"reference":"z"}}]}"#) else { return };
        assert!(matches!(pointer_mut(&mut tree, "/a~1b/1/y"), Some(Json::Object(_))));
        assert!(pointer_mut(&mut tree, "/a~1b/7").is_none());
        assert!(pointer_mut(&mut tree, "/a~1b/x").is_none());
    }
}
