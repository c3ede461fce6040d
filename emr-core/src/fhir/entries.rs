//! The resources found in one input into the record's patient and entries, in two passes: the
//! first, with every tree at hand, decides what each resource becomes (attribution, provenance,
//! the patient, repeated copies passed over) and gathers the little validation needs of the
//! whole input (`Type/id`s, provenance ids); the second builds each entry and validates its
//! tree in the same step, so a caller that owns the trees (C-CDA import) drops each one then,
//! instead of holding every tree until the end.

use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use super::attribution::{emr_source_of, Sources};
use super::import::{default_source, entry_id, input_path, ImportOptions, Imported, Input, Parsed};
use super::index::{Found, Index};
use crate::json::Json;
use crate::model::{derived_meta, Entry, Patient, Provenance, Record, Resource, SourceId};
use crate::validate::{self, rules, Finding};

/// What one resource becomes.
enum Plan {
    /// Nothing (emr's own Provenance, a repeated copy, not a resource).
    Skip,
    /// The record's patient (built in the first pass; its tree is validated in the second).
    Patient,
    /// An entry with this provenance, found at `pointer`; `resource` already made when the
    /// caller's tree needed its text checked ([`Parsed::ByCaller`]).
    Entry { provenance: Provenance, pointer: String, resource: Option<Resource> },
}

/// The first pass's result: everything but the entries.
pub(crate) struct Planned {
    plans: Vec<Plan>,
    record: Record,
    sources: Sources,
    findings: Vec<Finding>,
    /// `Type/id` of each entry's resource that has both, and of the patient's.
    keys: Vec<(String, String)>,
    /// The patient's id (when the record has a patient and it has one).
    patient_id: Option<String>,
    patient_pointer: Option<String>,
    duplicates: Vec<String>,
}

/// The first pass over the resources `found` in one input (attributed, each one's fate decided).
pub(crate) fn plan(
    found: Vec<Found<'_, '_>>,
    mut findings: Vec<Finding>,
    input: Input,
    options: &ImportOptions,
) -> Planned {
    let Input { document, bulk, duplicates, parsed } = input;
    let index = Index::new(found);

    let mut sources = Sources::default();
    sources.document = document;
    sources.read_provenance(&index);
    let attributed: Vec<Option<SourceId>> = (0..index.resources.len()).map(|i| sources.attribute(&index, i)).collect();
    let default = default_source(options, &index, &attributed, &mut sources);

    let mut record = Record::default();
    record.entries.reserve(index.resources.len());
    let mut plans = Vec::with_capacity(index.resources.len());
    let mut keys = Vec::with_capacity(index.resources.len());
    let mut patient_id = None;
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
            plans.push(Plan::Skip);
            continue;
        }
        // The same resource twice under one full URL (a document and the full set) is one entry.
        if let Some(url) = f.full_url.as_deref() {
            if url_counts.get(url).is_some_and(|&n| n > 1) && !kept.insert((url, f.tree.to_canonical_string())) {
                plans.push(Plan::Skip);
                continue;
            }
        }
        let resource_type = f.tree.get("resourceType").and_then(Json::as_str);
        // What `Resource::from_parsed` asks of a tree; the caller's tree is made a resource here,
        // its text checked.
        let resource = match parsed {
            Parsed::Here if f.tree.as_object().is_some() && resource_type.is_some() => Ok(None),
            Parsed::Here => Err(()),
            Parsed::ByCaller => Resource::from_json(f.tree).map(Some).map_err(|_| ()),
        };
        let Ok(resource) = resource else {
            // The index holds objects with a string resourceType only, so this does not happen;
            // if it ever does, the input says so instead of losing the resource silently.
            findings.push(Finding::new(&rules::FHIR_ENTRY_NOT_RESOURCE, f.pointer.clone(), "resource"));
            plans.push(Plan::Skip);
            continue;
        };
        let key = resource_type.zip(f.tree.get("id").and_then(Json::as_str)).map(|(t, i)| (t.to_owned(), i.to_owned()));
        // An entry whose provenance emr's export declared: kept as declared, and always an entry
        // (a merged record keeps each source's Patient as one).
        let declared = f.full_url.as_deref().and_then(|u| sources.assertion(u));
        if declared.is_none() && resource_type == Some("Patient") {
            if record.patient.is_none() {
                let made = match resource {
                    Some(r) => Ok(r),
                    None => Resource::from_parsed(f.tree, &mut scratch),
                };
                plans.push(match made {
                    Ok(resource) => {
                        record.patient = Some(Patient::from_parsed(resource, f.tree));
                        patient_id = key.map(|(_, id)| id);
                        patient_pointer = Some(f.pointer.clone());
                        Plan::Patient
                    }
                    // Not reached: checked above.
                    Err(_) => {
                        findings.push(Finding::new(&rules::FHIR_ENTRY_NOT_RESOURCE, f.pointer.clone(), "resource"));
                        Plan::Skip
                    }
                });
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
        keys.extend(key);
        plans.push(Plan::Entry { provenance, pointer: f.pointer.clone(), resource });
    }
    Planned { plans, record, sources, findings, keys, patient_id, patient_pointer, duplicates }
}

/// The second pass: each resource's tree (`trees`, in the order [`plan`] was given them) made an
/// entry and validated, then dropped when the caller gave it by value.
pub(crate) fn finish<'a, T: Borrow<Json<'a>>>(
    planned: Planned,
    trees: impl Iterator<Item = T>,
    parsed: Parsed,
    now: DateTime<Utc>,
) -> Imported {
    let Planned { plans, mut record, sources, mut findings, keys, patient_id, patient_pointer, duplicates } = planned;
    // Entries' `urn:` ids (all that validation needs of their provenance ids).
    let urns: Vec<String> = plans
        .iter()
        .filter_map(|p| match p {
            Plan::Entry { provenance, .. } if provenance.id.starts_with("urn:") => {
                Some(provenance.id.as_str().to_owned())
            }
            _ => None,
        })
        .collect();
    // Duplicate keys are found once for the whole input (and reported below), not per resource.
    let any = validate::Duplicates::Reported { any: !duplicates.is_empty() };
    let validation = validate::Stream::new(
        record.patient.as_ref(),
        patient_id.as_deref(),
        keys.iter().map(|(t, i)| (t.as_str(), i.as_str())),
        urns.iter().map(String::as_str),
        now,
        any,
    );
    let mut checked = Vec::new();
    let mut pointers = Vec::with_capacity(plans.len());
    let mut scratch = String::new();
    for (tree, plan) in trees.zip(plans) {
        let tree = tree.borrow();
        match plan {
            Plan::Skip => {}
            Plan::Patient => validation.resource(tree, None, &mut checked),
            Plan::Entry { provenance, pointer, resource } => {
                let resource = match resource {
                    Some(r) => Ok(r),
                    None if parsed == Parsed::Here => Resource::from_parsed(tree, &mut scratch),
                    None => Resource::from_json(tree),
                };
                let Ok(resource) = resource else {
                    // Not reached: the first pass checked what makes a resource.
                    findings.push(Finding::new(&rules::FHIR_ENTRY_NOT_RESOURCE, pointer, "resource"));
                    continue;
                };
                let entry = Entry::from_parsed(provenance, resource, tree);
                validation.resource(tree, Some((record.entries.len(), &entry)), &mut checked);
                record.entries.push(entry);
                pointers.push(pointer);
            }
        }
    }
    // Sources that asserted something (a document author found only to be passed over is not one).
    record.sources =
        sources.found.into_values().filter(|s| record.entries.iter().any(|e| e.provenance().source == s.id)).collect();
    validation.envelope(&record, now, &mut checked);
    let pointers: Vec<&str> = pointers.iter().map(String::as_str).collect();
    for f in checked {
        findings.push(Finding { path: input_path(&f.path, patient_pointer.as_deref(), &pointers), ..f });
    }
    for dup in duplicates {
        let field = dup.rsplit('/').next().unwrap_or_default().to_owned();
        findings.push(Finding::new(&rules::JSON_KEY_DUPLICATE, dup, &field));
    }
    findings.sort();
    findings.dedup();
    Imported { record, findings }
}
