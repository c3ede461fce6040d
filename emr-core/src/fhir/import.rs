//! FHIR R4 import: a resource or a Bundle of any type becomes a [`Record`], with findings that
//! point into the input.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::attribution::Sources;
use super::entries;
use super::index::{Found, Index};
use crate::json::{self, Json, JsonError};
use crate::model::{Record, Source, SourceId, SourceKind};
use crate::validate::{rules, Finding};

/// Bundles inside bundles are unpacked to this depth; deeper ones are kept whole.
const MAX_BUNDLE_DEPTH: usize = 4;

/// How to import.
///
/// # Example
/// ```
/// use emr_core::fhir::ImportOptions;
/// use emr_core::model::Source;
/// let options = ImportOptions { default_source: Some(Source::new("clinic-a", "Clinic A")) };
/// assert!(options.default_source.is_some());
/// ```
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The source of resources whose origin the input does not say. When `None`: the author
    /// organization of a document (IPS), else the organization that provided most of the
    /// input's encounters, else a source named `import`.
    pub default_source: Option<Source>,
}

/// The result of an import: the record and what was found wrong with the input.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The imported record; its sources are the organizations that asserted its entries.
    pub record: Record,
    /// Findings, with JSON pointers into the input (not into the record).
    pub findings: Vec<Finding>,
}

/// Why an input could not be imported at all.
///
/// Messages name the problem and position, never the input's content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The input is not well-formed JSON.
    #[error("input is not valid JSON: {0}")]
    Json(#[from] JsonError),
    /// The input is JSON but not a FHIR resource.
    #[error("input is not a FHIR resource: expected a JSON object with a string `resourceType`")]
    NotAResource,
}

impl ImportError {
    /// The error's stable code: `fhir.syntax` (not JSON) or `fhir.shape` (not a resource).
    pub fn code(&self) -> &'static str {
        match self {
            ImportError::Json(_) => "fhir.syntax",
            ImportError::NotAResource => "fhir.shape",
        }
    }
}

/// Import FHIR R4 JSON (a resource or a Bundle of any type), validating as of `now`.
///
/// Resources are kept verbatim. A Bundle's entries are unpacked; a Bundle nested in it is kept
/// whole as an entry, and its entries unpacked too; references stay as written. The first Patient becomes the record's patient.
///
/// # Errors
/// [`ImportError`] when the input is not JSON or not a FHIR resource; everything else is a
/// finding, and nothing is dropped silently.
///
/// # Example
/// ```
/// use chrono::{TimeZone, Utc};
/// use emr_core::fhir::{import, ImportOptions};
/// let bundle = r#"{"resourceType":"Bundle","type":"collection","entry":[
///   {"fullUrl":"urn:uuid:p1","resource":{"resourceType":"Patient","id":"p1"}},
///   {"fullUrl":"urn:uuid:o1","resource":{"resourceType":"Organization","id":"o1","name":"Clinic A"}},
///   {"resource":{"resourceType":"Condition","id":"c1","subject":{"reference":"urn:uuid:p1"},
///     "recorder":{"reference":"urn:uuid:o1"}}}]}"#;
/// let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// let imported = import(bundle, &ImportOptions::default(), now)?;
/// assert!(imported.record.patient.is_some());
/// let condition = imported.record.entries.iter().find(|e| e.resource().resource_type() == "Condition").unwrap();
/// assert_eq!(condition.provenance().source.as_str(), "o1");
/// # Ok::<(), emr_core::fhir::ImportError>(())
/// ```
pub fn import(text: &str, options: &ImportOptions, now: DateTime<Utc>) -> Result<Imported, ImportError> {
    let tree = json::parse(text)?;
    import_parsed(&tree, options, now, Parsed::Here)
}

/// [`import`] for input given as bytes (UTF-8 is checked).
///
/// # Errors
/// As [`import`]; invalid UTF-8 is a JSON error with its byte offset.
pub fn import_bytes(bytes: &[u8], options: &ImportOptions, now: DateTime<Utc>) -> Result<Imported, ImportError> {
    let tree = json::parse_bytes(bytes)?;
    import_parsed(&tree, options, now, Parsed::Here)
}

/// [`import`] of an already parsed tree.
///
/// # Errors
/// [`ImportError::NotAResource`] when the tree is not a FHIR resource.
pub fn import_tree(tree: &Json<'_>, options: &ImportOptions, now: DateTime<Utc>) -> Result<Imported, ImportError> {
    import_parsed(tree, options, now, Parsed::ByCaller)
}

/// [`import_tree`] of a `collection` Bundle of `resources` (full URL, resource) as the C-CDA
/// mapping makes them, given by value: each resource's tree is dropped as soon as its entry is
/// built and validated, so the trees are never all held beside the whole record. The record and
/// findings are those of the Bundle (the C-CDA module's tests compare them). Every number in
/// the trees is valid JSON number text by construction (the mapping checks each one it makes),
/// so the text written from them is not checked again; no resource is a Bundle (the mapping
/// makes none: a Bundle here would be one entry, not unpacked as a Bundle's entries are).
pub(crate) fn import_valid_resources(
    resources: Vec<(String, Json<'static>)>,
    options: &ImportOptions,
    now: DateTime<Utc>,
) -> Imported {
    let mut duplicates = Vec::new();
    let planned = {
        let mut found = Vec::with_capacity(resources.len());
        for (k, (url, tree)) in resources.iter().enumerate() {
            // The pointer `collect` gives an entry's resource.
            let mut at = String::with_capacity(24);
            at.push_str("/entry");
            json::push_index(&mut at, k);
            at.push_str("/resource");
            duplicates.extend(tree.duplicate_keys().into_iter().map(|d| [at.as_str(), &d].concat()));
            found.push(Found { tree, pointer: at, full_url: Some(url.clone()) });
        }
        let input = Input { document: false, bulk: false, duplicates, parsed: Parsed::Here };
        entries::plan(found, Vec::new(), input, options)
    };
    entries::finish(planned, resources.into_iter().map(|(_, tree)| tree), Parsed::Here, now)
}

/// Where the tree given to [`import_parsed`] comes from.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Parsed {
    /// [`json::parse`] here (or a builder that checks its numbers): every number in it is
    /// valid, so the compact text written from it is valid JSON and need not be checked again.
    Here,
    /// The caller, who may have built it by hand: the written text is checked.
    ByCaller,
}

fn import_parsed(
    tree: &Json<'_>,
    options: &ImportOptions,
    now: DateTime<Utc>,
    parsed: Parsed,
) -> Result<Imported, ImportError> {
    if tree.get("resourceType").and_then(Json::as_str).is_none() {
        return Err(ImportError::NotAResource);
    }
    let mut findings = Vec::new();
    let mut found = Vec::new();
    collect(tree, String::new(), None, 0, &mut found, &mut findings);
    let input = Input {
        document: tree.get("resourceType").and_then(Json::as_str) == Some("Bundle")
            && tree.get("type").and_then(Json::as_str) == Some("document"),
        bulk: false,
        duplicates: tree.duplicate_keys(),
        parsed,
    };
    Ok(import_found(found, findings, input, options, now))
}

/// What [`import_found`] needs to know of the input besides its resources.
pub(crate) struct Input {
    /// A FHIR document (a `document` Bundle): its author asserts what no entry attributes.
    pub document: bool,
    /// Bulk Data NDJSON: each resource's `full_url` is its `Type/id` as written (how emr's
    /// `Provenance` names it), not a full URL it came with, so no entry keeps it.
    pub bulk: bool,
    /// JSON pointers of repeated object members in the input.
    pub duplicates: Vec<String>,
    /// Who parsed the trees.
    pub parsed: Parsed,
}

/// Import the resources `found` in one input (attributed, validated, findings pointing into it).
pub(crate) fn import_found(
    found: Vec<Found<'_, '_>>,
    findings: Vec<Finding>,
    input: Input,
    options: &ImportOptions,
    now: DateTime<Utc>,
) -> Imported {
    let trees: Vec<&Json<'_>> = found.iter().map(|f| f.tree).collect();
    let parsed = input.parsed;
    let planned = entries::plan(found, findings, input, options);
    entries::finish(planned, trees.into_iter(), parsed, now)
}

/// Walk Bundles (nested ones too) and gather their resources with their pointers: a nested
/// Bundle itself, then its entries.
fn collect<'j, 'a>(
    tree: &'j Json<'a>,
    pointer: String,
    full_url: Option<String>,
    depth: usize,
    out: &mut Vec<Found<'j, 'a>>,
    findings: &mut Vec<Finding>,
) {
    let is_bundle = tree.get("resourceType").and_then(Json::as_str) == Some("Bundle");
    if !is_bundle || depth >= MAX_BUNDLE_DEPTH {
        if is_bundle {
            findings.push(Finding::new(&rules::FHIR_BUNDLE_TOO_DEEP, pointer.clone(), "Bundle"));
        }
        out.push(Found { tree, pointer, full_url });
        return;
    }
    // A Bundle inside a Bundle is kept whole as an entry (its type, identifier, timestamp,
    // signature and entry metadata survive), and its entries are imported too: the same
    // resource twice under one full URL is one entry (see `import_parsed`).
    if depth > 0 {
        out.push(Found { tree, pointer: pointer.clone(), full_url });
    }
    let entries = tree.get("entry").and_then(Json::as_array).unwrap_or_default();
    for (k, entry) in entries.iter().enumerate() {
        let at = || format!("{pointer}/entry/{k}");
        match entry.get("resource") {
            None | Some(Json::Null) => findings.push(Finding::new(&rules::FHIR_ENTRY_EMPTY, at(), "entry")),
            Some(r) if r.get("resourceType").and_then(Json::as_str).is_some() => {
                let url = entry.get("fullUrl").and_then(Json::as_str).map(str::to_owned);
                let mut at = String::with_capacity(pointer.len() + 24);
                at.push_str(&pointer);
                at.push_str("/entry");
                json::push_index(&mut at, k);
                at.push_str("/resource");
                collect(r, at, url, depth + 1, out, findings);
            }
            Some(_) => {
                findings.push(Finding::new(&rules::FHIR_ENTRY_NOT_RESOURCE, format!("{}/resource", at()), "resource"))
            }
        }
    }
}

/// The id of a resource in its source: `Type/id` (ids are unique per type only), else its full
/// URL, else its position.
pub(super) fn entry_id(f: &Found<'_, '_>, i: usize) -> String {
    let ty = f.tree.get("resourceType").and_then(Json::as_str).unwrap_or_default();
    f.tree
        .get("id")
        .and_then(Json::as_str)
        .map(|id| [ty, "/", id].concat())
        .or_else(|| f.full_url.clone())
        .unwrap_or_else(|| format!("entry-{i}"))
}

pub(super) fn default_source(
    options: &ImportOptions,
    index: &Index<'_, '_>,
    attributed: &[Option<SourceId>],
    sources: &mut Sources,
) -> SourceId {
    if let Some(s) = &options.default_source {
        sources.found.entry(s.id.clone()).or_insert_with(|| s.clone());
        return s.id.clone();
    }
    // A document's author asserts its content.
    if let Some(author) = sources.document_author(index) {
        return author;
    }
    // The organization that provided most encounters (ties: smallest id, for determinism).
    let mut counts: BTreeMap<&SourceId, usize> = BTreeMap::new();
    for (f, s) in index.resources.iter().zip(attributed) {
        if let (Some(s), Some("Encounter")) = (s, f.tree.get("resourceType").and_then(Json::as_str)) {
            *counts.entry(s).or_default() += 1;
        }
    }
    let primary = counts.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))).map(|(s, _)| (*s).clone());
    if let Some(primary) = primary {
        return primary;
    }
    let import = SourceId::new("import");
    sources.found.entry(import.clone()).or_insert_with(|| Source {
        id: import.clone(),
        name: Some("Imported FHIR".to_owned()),
        kind: SourceKind::System,
        reference: None,
    });
    import
}

/// Map a pointer into the record to a pointer into the input.
pub(super) fn input_path(path: &str, patient: Option<&str>, entries: &[&str]) -> String {
    if let Some(rest) = path.strip_prefix("/patient") {
        return format!("{}{rest}", patient.unwrap_or_default());
    }
    let Some(rest) = path.strip_prefix("/entries/") else { return String::new() };
    let (n, tail) = rest.split_once('/').unwrap_or((rest, ""));
    let Some(base) = n.parse::<usize>().ok().and_then(|n| entries.get(n)) else { return String::new() };
    match tail.strip_prefix("resource") {
        Some(inner) => format!("{base}{inner}"),
        None => (*base).to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_back_to_the_input() {
        let entries = vec!["/entry/3/resource"];
        assert_eq!(input_path("/entries/0/resource/code", None, &entries), "/entry/3/resource/code");
        assert_eq!(input_path("/entries/0/provenance/id", None, &entries), "/entry/3/resource");
        assert_eq!(
            input_path("/patient/birthDate", Some("/entry/0/resource"), &entries),
            "/entry/0/resource/birthDate"
        );
        assert_eq!(input_path("/sources/0/id", None, &entries), "");
    }
}
