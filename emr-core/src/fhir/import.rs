//! FHIR R4 import: a resource or a Bundle of any type becomes a [`Record`], with findings that
//! point into the input.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use super::attribution::{emr_source_of, Sources};
use super::index::{Found, Index};
use crate::json::{self, Json, JsonError};
use crate::model::{derived_meta, Entry, Patient, Provenance, Record, Resource, Source, SourceId, SourceKind};
use crate::validate::{self, rules, Finding};

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

/// [`import_tree`] for a tree whose every number is valid JSON number text by construction
/// (the C-CDA mapping checks each one it makes): the text written from it is not checked again.
pub(crate) fn import_valid_tree(
    tree: &Json<'_>,
    options: &ImportOptions,
    now: DateTime<Utc>,
) -> Result<Imported, ImportError> {
    import_parsed(tree, options, now, Parsed::Here)
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
    mut findings: Vec<Finding>,
    input: Input,
    options: &ImportOptions,
    now: DateTime<Utc>,
) -> Imported {
    let Input { document, bulk, duplicates, parsed } = input;
    let index = Index::new(found);

    let mut sources = Sources::default();
    sources.document = document;
    sources.read_provenance(&index);
    let attributed: Vec<Option<SourceId>> = (0..index.resources.len()).map(|i| sources.attribute(&index, i)).collect();
    let default = default_source(options, &index, &attributed, &mut sources);

    let mut record = Record::default();
    record.entries.reserve(index.resources.len());
    let mut pointers = Vec::with_capacity(index.resources.len());
    // The input subtree of each entry (and of the patient): validation walks these instead of
    // parsing the entries' text again.
    let mut trees: Vec<Option<&Json<'_>>> = Vec::with_capacity(index.resources.len());
    let mut patient_tree = None;
    let mut patient_pointer = None;
    let mut seen_ids: BTreeMap<(SourceId, String), u32> = BTreeMap::new();
    // Only a full URL that occurs more than once can hold the same resource twice: the canonical
    // text (a full write) is made for those resources only.
    let mut url_counts: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &index.resources {
        if let Some(url) = f.full_url.as_deref() {
            *url_counts.entry(url).or_default() += 1;
        }
    }
    let mut kept: BTreeSet<(&str, String)> = BTreeSet::new();
    let mut scratch = String::new();
    for (i, f) in index.resources.iter().enumerate() {
        // emr's own Provenance resources became the sources above.
        if emr_source_of(f.tree).is_some() {
            continue;
        }
        // The same resource twice under one full URL (a document and the full set) is one entry.
        if let Some(url) = f.full_url.as_deref() {
            if url_counts.get(url).is_some_and(|&n| n > 1) && !kept.insert((url, f.tree.to_canonical_string())) {
                continue;
            }
        }
        let resource = match parsed {
            Parsed::Here => Resource::from_parsed(f.tree, &mut scratch),
            Parsed::ByCaller => Resource::from_json(f.tree),
        };
        let Ok(resource) = resource else {
            // The index holds objects with a string resourceType only, so this does not happen;
            // if it ever does, the input says so instead of losing the resource silently.
            findings.push(Finding::new(&rules::FHIR_ENTRY_NOT_RESOURCE, f.pointer.clone(), "resource"));
            continue;
        };
        // An entry whose provenance emr's export declared: kept as declared, and always an entry
        // (a merged record keeps each source's Patient as one).
        let declared = f.full_url.as_deref().and_then(|u| sources.assertion(u));
        if declared.is_none() && resource.resource_type() == "Patient" {
            if record.patient.is_none() {
                record.patient = Some(Patient::from_parsed(resource, f.tree));
                patient_tree = Some(f.tree);
                patient_pointer = Some(f.pointer.as_str());
                continue;
            }
            findings.push(Finding::new(&rules::FHIR_PATIENT_MULTIPLE, f.pointer.clone(), "resourceType"));
        }
        let provenance = match declared {
            Some(p) => p.clone(),
            None => {
                let source = attributed.get(i).cloned().flatten().unwrap_or_else(|| default.clone());
                let id = entry_id(f, i);
                let (version, recorded) = derived_meta(f.tree);
                // The same id twice from one source in one input: later copies are later versions.
                let counter = seen_ids.entry((source.clone(), id.clone())).or_insert(0);
                *counter += 1;
                let mut provenance = Provenance::new(source.as_str(), id).with_version(version.unwrap_or(*counter));
                if !bulk {
                    // An empty fullUrl names nothing (and is no valid uri): none is kept.
                    provenance.full_url = f
                        .full_url
                        .as_deref()
                        .filter(|u| !u.is_empty())
                        .map(|u| sources.original_url(u).unwrap_or(u).to_owned());
                }
                provenance.recorded = recorded;
                provenance
            }
        };
        record.entries.push(Entry::from_parsed(provenance, resource, f.tree));
        trees.push(Some(f.tree));
        pointers.push(f.pointer.as_str());
    }
    // Sources that asserted something (a document author found only to be passed over is not one).
    record.sources =
        sources.found.into_values().filter(|s| record.entries.iter().any(|e| e.provenance().source == s.id)).collect();

    // Duplicate keys are found once for the whole input (and reported below), not per resource.
    let parsed = validate::Trees {
        patient: patient_tree,
        entries: &trees,
        duplicates: validate::Duplicates::Reported { any: !duplicates.is_empty() },
    };
    for f in validate::validate_trees(&record, now, &parsed) {
        findings.push(Finding { path: input_path(&f.path, patient_pointer, &pointers), ..f });
    }
    for dup in duplicates {
        let field = dup.rsplit('/').next().unwrap_or_default().to_owned();
        findings.push(Finding::new(&rules::JSON_KEY_DUPLICATE, dup, &field));
    }
    findings.sort();
    findings.dedup();
    Imported { record, findings }
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
fn entry_id(f: &Found<'_, '_>, i: usize) -> String {
    let ty = f.tree.get("resourceType").and_then(Json::as_str).unwrap_or_default();
    f.tree
        .get("id")
        .and_then(Json::as_str)
        .map(|id| [ty, "/", id].concat())
        .or_else(|| f.full_url.clone())
        .unwrap_or_else(|| format!("entry-{i}"))
}

fn default_source(
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
fn input_path(path: &str, patient: Option<&str>, entries: &[&str]) -> String {
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
