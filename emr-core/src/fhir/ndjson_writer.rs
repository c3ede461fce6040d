//! Bulk Data NDJSON export ([`NdjsonWriter`]): the clinical view of one record or many, one
//! resource per line, ids unique per type across records, every reference the record resolves
//! written `Type/id` (the closing of references is [`super::closed`]'s).

use std::collections::{BTreeMap, BTreeSet};

use super::closed::{close_agent, exported_items, patient_ref, targets, valid_id, Exported};
use super::export::{patient_url, provenances_of, s, stable_id, ExportOptions, Note};
use super::extensions::AsReceived;
use super::refs::ReferenceReport;
use crate::json::Json;
use crate::merge::{view_ref, PATIENT_ENTRY_PREFIX};
use crate::model::{EntryRef, PartialDate, Record, SourceId};

/// Bulk Data NDJSON of many records, one after another: ids stay unique per resource type
/// across all of them. A resource another record already wrote, with the same id and the same
/// text (an organization several patients saw), is written once; one with the same id and
/// other text gets an id of its own.
#[derive(Debug, Default)]
pub struct NdjsonWriter {
    /// (type, id) → a hash of the text it was written for.
    written: BTreeMap<(String, String), String>,
}

impl NdjsonWriter {
    /// A writer that has written nothing yet.
    pub fn new() -> NdjsonWriter {
        NdjsonWriter::default()
    }

    /// The NDJSON lines of one record (type → text, each line ending in `\n`): the clinical
    /// view (one resource per fact), the patient once, and a `Provenance` per source; every
    /// reference the record resolves written `Type/id`.
    ///
    /// # Example
    /// ```
    /// use emr_core::fhir::{ExportOptions, NdjsonWriter};
    /// use emr_core::model::{Entry, Patient, Provenance, Record, Source};
    /// let record = |id: &str| {
    ///     let mut r = Record::new(Patient::parse(&format!(r#"{{"resourceType":"Patient","id":"{id}"}}"#)).unwrap());
    ///     r.sources.push(Source::new("a", "Clinic A"));
    ///     r.entries.push(Entry::from_text(Provenance::new("a", "o1"), &format!(r#"{{"resourceType":"Observation","id":"o1","subject":{{"reference":"urn:uuid:{id}"}}}}"#)).unwrap());
    ///     r
    /// };
    /// let options = ExportOptions { timestamp: "2026-01-01T00:00:00Z".parse().unwrap() };
    /// let mut writer = NdjsonWriter::new();
    /// let (p1, p2) = ("5a2a3f30-6b2f-4c1e-9f43-000000000001", "5a2a3f30-6b2f-4c1e-9f43-000000000002");
    /// let one = writer.add(&record(p1), &options).output;
    /// let two = writer.add(&record(p2), &options).output;
    /// assert!(one["Observation"].contains(&format!(r#""id":"o1","subject":{{"reference":"Patient/{p1}"}}"#)));
    /// // The second patient's observation has the same id in its source: it gets its own.
    /// assert!(!two["Observation"].contains(r#""id":"o1""#));
    /// assert!(two["Observation"].contains(&format!(r#""reference":"Patient/{p2}""#)));
    /// ```
    pub fn add(&mut self, record: &Record, options: &ExportOptions) -> Exported<BTreeMap<String, String>> {
        let v = view_ref(record);
        let items = exported_items(&v);
        // The resources in order (items, then the patient), with their type, wanted id and text.
        let mut resources: Vec<(String, Option<String>, crate::model::Resource, EntryRef)> = Vec::new();
        for item in &items {
            let r = item.resource();
            let id = r.json().ok().and_then(|j| j.get("id").and_then(Json::as_str).map(str::to_owned));
            resources.push((r.resource_type().to_owned(), id, r, EntryRef::of(item.representative())));
        }
        let patient = record.patient.as_ref().map(|p| merged_patient(record, p.resource()));
        if let Some(p) = &patient {
            let id = p.json().ok().and_then(|j| j.get("id").and_then(Json::as_str).map(str::to_owned));
            resources.push(("Patient".to_owned(), id, p.clone(), patient_ref()));
        }
        // Ids: the resource's own when valid, free in this record, and free across records (or
        // taken by the same text); else a stable one derived from the record's patient and
        // the resource's identity.
        let scope =
            record.patient.as_ref().and_then(|p| p.resource().json().ok()).map(|t| patient_url(&t)).unwrap_or_default();
        let mut here: BTreeSet<(String, String)> = BTreeSet::new();
        let mut ids = Vec::with_capacity(resources.len());
        let mut skip = Vec::with_capacity(resources.len());
        for (ty, id, r, entry) in &resources {
            let hash = stable_id(r.as_str());
            let mut chosen = id.clone().filter(|id| valid_id(id));
            let mut same_elsewhere = false;
            if let Some(id) = &chosen {
                let key = (ty.clone(), id.clone());
                match self.written.get(&key) {
                    _ if here.contains(&key) => chosen = None,
                    Some(h) if *h == hash => same_elsewhere = true,
                    Some(_) => chosen = None,
                    None => {}
                }
            }
            let id = chosen.unwrap_or_else(|| {
                let mut n = 0u32;
                loop {
                    let id = stable_id(&format!(
                        "{scope}\u{0}{ty}\u{0}{}\u{0}{}\u{0}{}\u{0}{n}",
                        entry.source, entry.id, entry.version
                    ));
                    let key = (ty.clone(), id.clone());
                    if !here.contains(&key) && !self.written.contains_key(&key) {
                        break id;
                    }
                    n += 1;
                }
            });
            here.insert((ty.clone(), id.clone()));
            self.written.insert((ty.clone(), id.clone()), hash);
            ids.push(id);
            skip.push(same_elsewhere);
        }
        let addresses: Vec<String> = resources.iter().zip(&ids).map(|((ty, ..), id)| format!("{ty}/{id}")).collect();
        let t = targets(record, &items, addresses);
        let mut report = ReferenceReport::default();
        let mut files: BTreeMap<String, String> = BTreeMap::new();
        // What the export changed in each item's resource, for import to undo.
        let mut received: Vec<AsReceived> = Vec::with_capacity(items.len());
        for (k, (((ty, own, r, entry), id), skip)) in resources.iter().zip(&ids).zip(&skip).enumerate() {
            let Ok(mut tree) = r.json() else {
                received.push(AsReceived::default());
                continue;
            };
            let mut changes = AsReceived::default();
            let mut changed = t.rewrite_recording(&mut tree, entry, &mut report, &mut changes);
            if own.as_deref() != Some(id.as_str()) {
                set_id(&mut tree, id);
                changes.id = Some(own.clone());
                changed = true;
            }
            if let Some(item) = items.get(k) {
                let original = item.representative().resource().json().ok();
                for field in item.changed() {
                    let value = original.as_ref().and_then(|o| o.get(field)).map(Json::to_compact_string);
                    changes.members.push((field.to_owned(), value));
                }
            }
            received.push(changes);
            if *skip {
                continue;
            }
            let file = files.entry(ty.clone()).or_default();
            if changed {
                crate::json::push_compact(file, &tree);
            } else {
                file.push_str(r.as_str());
            }
            file.push('\n');
        }
        // A Provenance per source, its targets the items that source asserted; the target of
        // the representative's source declares the assertion written and what the export changed.
        // (source, address) → latest recording, and the item whose representative it asserted.
        type Asserted = (Option<PartialDate>, Option<usize>);
        let mut targets_of: BTreeMap<(&SourceId, String), Asserted> = BTreeMap::new();
        for (k, item) in items.iter().enumerate() {
            let Some(address) = t.addresses.get(k) else { continue };
            let rep = item.representative();
            for m in item.members() {
                let p = m.provenance();
                let slot = targets_of.entry((&p.source, address.clone())).or_insert((None, None));
                if p.recorded.is_some_and(|r| slot.0.is_none_or(|cur| r.latest() > cur.latest())) {
                    slot.0 = p.recorded;
                }
                if std::ptr::eq(m, rep) {
                    slot.1 = Some(k);
                }
            }
        }
        let targets_list: Vec<_> = targets_of
            .into_iter()
            .map(|((source, url), (recorded, k))| {
                let written = k.and_then(|k| Some((items.get(k)?.representative(), received.get(k)?.clone())));
                let note = written.map_or(Note::Nothing, |(rep, changes)| Note::Written(rep.provenance(), changes));
                (source, url, recorded, note)
            })
            .collect();
        for mut p in provenances_of(record, targets_list, &options.timestamp) {
            let text = p.to_compact_string();
            let own = p.get("id").and_then(Json::as_str).unwrap_or_default().to_owned();
            let key = ("Provenance".to_owned(), own.clone());
            let hash = stable_id(&text);
            let id = match self.written.get(&key) {
                None => own,
                Some(_) => {
                    let mut n = 0u32;
                    loop {
                        let id = stable_id(&format!("{scope}\u{0}Provenance\u{0}{own}\u{0}{n}"));
                        if !self.written.contains_key(&("Provenance".to_owned(), id.clone())) {
                            break id;
                        }
                        n += 1;
                    }
                }
            };
            self.written.insert(("Provenance".to_owned(), id.clone()), hash);
            set_id(&mut p, &id);
            close_agent(&mut p, &t);
            let file = files.entry("Provenance".to_owned()).or_default();
            crate::json::push_compact(file, &p);
            file.push('\n');
        }
        Exported { output: files, references: report }
    }
}

/// Set (or add, after `resourceType`) a resource's `id`.
pub(crate) fn set_id(tree: &mut Json<'_>, id: &str) {
    let Json::Object(members) = tree else { return };
    match members.iter_mut().find(|(k, _)| k == "id") {
        Some((_, v)) => *v = s(id),
        None => {
            let at = members.iter().position(|(k, _)| k == "resourceType").map_or(0, |i| i + 1);
            members.insert(at, (std::borrow::Cow::Borrowed("id"), s(id)));
        }
    }
}

/// The record's patient as NDJSON writes it, once per person: the identifiers of each source's
/// own patient resource (a clinic's MRN) that it lacks are added to its `identifier`, so that
/// every source's identifier finds the one Patient.
pub(crate) fn merged_patient(record: &Record, patient: &crate::model::Resource) -> crate::model::Resource {
    let Ok(mut tree) = patient.json() else { return patient.clone() };
    let own: Vec<String> = identifiers(&tree).iter().map(|i| i.to_canonical_string()).collect();
    let mut seen: BTreeSet<String> = own.into_iter().collect();
    let mut extra = Vec::new();
    for e in record
        .entries
        .iter()
        .filter(|e| e.provenance().id.starts_with(PATIENT_ENTRY_PREFIX) && e.resource().resource_type() == "Patient")
    {
        let Ok(other) = e.resource().json() else { continue };
        for i in identifiers(&other) {
            if seen.insert(i.to_canonical_string()) {
                extra.push(i.clone().into_owned());
            }
        }
    }
    if extra.is_empty() {
        return patient.clone();
    }
    if let Json::Object(members) = &mut tree {
        match members.iter_mut().find(|(k, _)| k == "identifier") {
            Some((_, Json::Array(items))) => items.extend(extra),
            _ => {
                let at = members.iter().position(|(k, _)| k == "id" || k == "resourceType").map_or(0, |i| i + 1);
                members.insert(at, (std::borrow::Cow::Borrowed("identifier"), Json::Array(extra)));
            }
        }
    }
    crate::model::Resource::from_json(&tree).unwrap_or_else(|_| patient.clone())
}

fn identifiers<'j, 'a>(tree: &'j Json<'a>) -> Vec<&'j Json<'a>> {
    tree.get("identifier").and_then(Json::as_array).map(|a| a.iter().collect()).unwrap_or_default()
}
