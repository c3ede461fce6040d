//! Closed exports of the clinical view: the `collection` Bundle here, and what it shares with
//! Bulk Data NDJSON ([`super::NdjsonWriter`]): every reference the record can resolve reaches an
//! entry (or a line) of the export.
//!
//! The view folds assertions of one fact into one item: a reference to any of them is written
//! as the item's address, and the item's `Provenance` names each assertion it stands for
//! ([`super::extensions::FOLDED`]). References the record cannot resolve are kept as received and reported
//! ([`ReferenceReport`]); nothing is rewritten to a target it does not name.

use std::collections::BTreeMap;

use super::export::{full_url, patient_url, provenances_of, s, urn_uuid, ExportOptions, Note, Urls};
use super::refs::{ReferenceReport, Targets};
use crate::json::Json;
use crate::merge::{view_ref, ItemRef, ViewRef, PATIENT_ENTRY_PREFIX};
use crate::model::{Entry, EntryId, EntryRef, PartialDate, Record, SourceId};

/// An export and what it did with references.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported<T> {
    /// The export itself.
    pub output: T,
    /// References rewritten to their target's address, and those kept as received.
    pub references: ReferenceReport,
}

/// A full URL valid for its scheme: `urn:uuid:` and a UUID, `urn:oid:` and an OID, another
/// `urn:`, or an absolute `http(s)` URL.
pub(crate) fn valid_full_url(url: &str) -> bool {
    if let Some(uuid) = url.strip_prefix("urn:uuid:") {
        return super::export::is_uuid(uuid);
    }
    if let Some(oid) = url.strip_prefix("urn:oid:") {
        return !oid.is_empty() && oid.split('.').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    }
    let absolute = |rest: &str| !rest.is_empty() && !rest.contains(char::is_whitespace);
    url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")).is_some_and(absolute)
        || url.strip_prefix("urn:").is_some_and(|rest| rest.contains(':') && absolute(rest))
}

/// A FHIR id: 1 to 64 of `A-Z a-z 0-9 - .`.
pub(crate) fn valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

/// The full URL an item is exported under in a Bundle: the representative's own when valid for
/// its scheme, else a name-based UUID of its identity (source, id, version).
pub(crate) fn item_url(entry: &Entry) -> String {
    let url = full_url(entry);
    if valid_full_url(&url) {
        return url;
    }
    let p = entry.provenance();
    urn_uuid(&format!("{}\u{0}{}\u{0}{}", p.source, p.id, p.version))
}

/// The clinical view's items that an export lists: all but each source's patient resource
/// (the record's patient stands for them).
pub(crate) fn exported_items<'v, 'r>(v: &'v ViewRef<'r>) -> Vec<ItemRef<'v, 'r>> {
    v.items().filter(|i| !i.representative().provenance().id.starts_with(PATIENT_ENTRY_PREFIX)).collect()
}

/// The source a reference in the record's patient is looked up from.
pub(crate) fn patient_ref() -> EntryRef {
    EntryRef { source: SourceId::new("patient"), id: EntryId::new("patient"), version: 1 }
}

/// How references reach the export's resources: item `k` at slot `k`, the patient at slot
/// `items.len()`, addresses as given (one per item, then the patient's). The record's other
/// entries are named too: each source's patient resource reaches the patient; what the view
/// leaves out (retracted, settled, earlier versions of nothing shown) is held but not exported.
pub(crate) fn targets(record: &Record, items: &[ItemRef<'_, '_>], addresses: Vec<String>) -> Targets {
    let mut t = Targets::new(addresses);
    let patient_slot = record.patient.as_ref().map(|_| items.len());
    // The members, by address: each entry is read once (membership only, never iterated).
    let mut named: std::collections::HashSet<*const Entry> = std::collections::HashSet::new();
    for (k, item) in items.iter().enumerate() {
        for m in item.members() {
            named.insert(std::ptr::from_ref(m));
            if let Ok(tree) = m.resource().json() {
                t.add(&m.provenance().source, &tree, m.provenance().full_url.as_deref(), Some(k));
            }
        }
    }
    if let Some(p) = &record.patient {
        if let Ok(tree) = p.resource().json() {
            t.add(&patient_ref().source, &tree, Some(&patient_url(&tree)), patient_slot);
        }
    }
    for e in record.entries.iter().filter(|e| !named.contains(&std::ptr::from_ref(*e))) {
        let Ok(tree) = e.resource().json() else { continue };
        let is_patient =
            e.provenance().id.starts_with(PATIENT_ENTRY_PREFIX) && e.resource().resource_type() == "Patient";
        let slot = if is_patient { patient_slot } else { None };
        t.add(&e.provenance().source, &tree, e.provenance().full_url.as_deref(), slot);
    }
    t
}

/// The text of a resource with its references rewritten (`None`: unchanged).
fn rewritten(
    text_tree: Result<Json<'_>, crate::json::JsonError>,
    t: &Targets,
    entry: &EntryRef,
    report: &mut ReferenceReport,
) -> Option<String> {
    let mut tree = text_tree.ok()?;
    t.rewrite(&mut tree, entry, false, report).then(|| tree.to_compact_string())
}

/// The clinical view laid out as a Bundle: its items (all but the sources' patient resources),
/// the patient's full URL, each item's full URL (its slot's address) and the one it came with
/// when that differs, and how references reach them.
pub(crate) struct Layout<'v, 'r> {
    pub items: Vec<ItemRef<'v, 'r>>,
    pub patient: Option<(String, &'r crate::model::Patient)>,
    pub renamed: Vec<Option<String>>,
    pub targets: Targets,
}

/// The [`Layout`] of a record's view: full URLs unique and valid for their scheme.
pub(crate) fn bundle_layout<'v, 'r>(record: &'r Record, v: &'v ViewRef<'r>) -> Layout<'v, 'r> {
    let items = exported_items(v);
    let mut urls = Urls::default();
    let patient = record.patient.as_ref().and_then(|p| p.resource().json().ok().map(|tree| (patient_url(&tree), p)));
    if let Some((url, _)) = &patient {
        urls.reserve(url);
    }
    let mut addresses = Vec::with_capacity(items.len() + 1);
    let mut renamed = Vec::with_capacity(items.len());
    for item in &items {
        let rep = item.representative();
        let (url, original) = urls.claim_url(item_url(rep), rep);
        // The URL it came with, when it had one (an empty `fullUrl` is none).
        let original =
            original.or_else(|| rep.provenance().full_url.clone().filter(|u| *u != url)).filter(|u| !u.is_empty());
        addresses.push(url);
        renamed.push(original);
    }
    addresses.extend(patient.as_ref().map(|(url, _)| url.clone()));
    let targets = targets(record, &items, addresses);
    Layout { items, patient, renamed, targets }
}

/// A view Provenance target: latest recording, the full URL the item came with when renamed,
/// and (id, version, full URL) of each assertion it stands for (when it folds several).
type ViewTarget = (Option<PartialDate>, Option<String>, Vec<(String, u32, Option<String>)>);

/// [`super::to_view_bundle`], with what it did with references.
///
/// # Example
/// ```
/// use emr_core::fhir::{export_view, ExportOptions};
/// use emr_core::model::{Entry, Patient, Provenance, Record, Source};
/// let mut record = Record::new(Patient::parse(r#"{"resourceType":"Patient","id":"p"}"#).unwrap());
/// record.sources.push(Source::new("a", "Clinic A"));
/// record.entries.push(Entry::from_text(Provenance::new("a", "o1"), r#"{"resourceType":"Observation","subject":{"reference":"Patient/p"},"performer":[{"reference":"Practitioner/x"}]}"#).unwrap());
/// let out = export_view(&record, &ExportOptions { timestamp: "2026-01-01T00:00:00Z".parse().unwrap() });
/// assert_eq!(out.references.rewritten, 1); // Patient/p: the patient's full URL
/// assert_eq!(out.references.unresolved(), 1); // Practitioner/x: not in the record, kept
/// assert!(out.output.contains(r#""reference":"Practitioner/x""#));
/// ```
pub fn export_view(record: &Record, options: &ExportOptions) -> Exported<String> {
    let v = view_ref(record);
    let Layout { items, patient, renamed, targets: t } = bundle_layout(record, &v);
    let mut report = ReferenceReport::default();

    // Each resource's text: rewritten, or the resource itself (its text copied once, into
    // the Bundle).
    let mut texts: Vec<(String, Result<String, crate::model::Resource>)> = Vec::with_capacity(items.len() + 1);
    if let Some((url, p)) = &patient {
        let text = rewritten(p.resource().json(), &t, &patient_ref(), &mut report).ok_or_else(|| p.resource().clone());
        texts.push((url.clone(), text));
    }
    // Targets by source and item: every assertion of the source that the item stands for.
    let mut by_target: BTreeMap<(&SourceId, &str), ViewTarget> = BTreeMap::new();
    for (k, item) in items.iter().enumerate() {
        let rep = item.representative();
        let url = t.addresses.get(k).map(String::as_str).unwrap_or_default();
        let resource = item.resource();
        let text = rewritten(resource.json(), &t, &EntryRef::of(rep), &mut report);
        texts.push((url.to_owned(), text.ok_or(resource)));
        let folded = item.members().len() > 1;
        for m in item.members() {
            let p = m.provenance();
            let slot = by_target.entry((&p.source, url)).or_insert_with(|| (None, None, Vec::new()));
            if p.recorded.is_some_and(|r| slot.0.is_none_or(|cur| r.latest() > cur.latest())) {
                slot.0 = p.recorded;
            }
            slot.1 = renamed.get(k).cloned().flatten();
            if folded {
                slot.2.push((p.id.to_string(), p.version, p.full_url.clone()));
            }
        }
    }
    let targets: Vec<_> = by_target
        .into_iter()
        .map(|((source, url), (recorded, renamed, members))| {
            let note = if members.is_empty() {
                renamed.map_or(Note::Nothing, Note::Renamed)
            } else {
                Note::Folded(renamed, members)
            };
            (source, url.to_owned(), recorded, note)
        })
        .collect();
    let mut provenances = provenances_of(record, targets, &options.timestamp);
    for p in &mut provenances {
        close_agent(p, &t);
    }
    let items: Vec<(String, &str)> = texts
        .iter()
        .map(|(u, t)| (u.clone(), t.as_ref().map_or_else(crate::model::Resource::as_str, String::as_str)))
        .collect();
    Exported { output: super::export::collection(&items, provenances, options), references: report }
}

/// The agent of an emr `Provenance` names its source's organization by the reference the
/// source was found under: written as the organization's address when the export holds it,
/// else left out (the `display` stays), as it may name a resource contained in another or one
/// the record never received. (emr's own element: no received content is changed.)
pub(crate) fn close_agent(provenance: &mut Json<'_>, t: &Targets) {
    let emr = SourceId::new("emr");
    rewrite_agent(provenance, |r| t.resolve(&emr, r).flatten().and_then(|slot| t.addresses.get(slot)).cloned());
}

/// Write the agent reference of an emr `Provenance` as `to` says (`None`: leave it out).
pub(crate) fn rewrite_agent(provenance: &mut Json<'_>, to: impl Fn(&str) -> Option<String>) {
    let Json::Object(members) = provenance else { return };
    let Some((_, Json::Array(agents))) = members.iter_mut().find(|(k, _)| k == "agent") else { return };
    for agent in agents {
        let Json::Object(agent) = agent else { continue };
        let Some((_, Json::Object(who))) = agent.iter_mut().find(|(k, _)| k == "who") else { continue };
        let Some(at) = who.iter().position(|(k, _)| k == "reference") else { continue };
        let reference = who.get(at).and_then(|(_, v)| v.as_str()).unwrap_or_default().to_owned();
        match to(&reference) {
            Some(address) => {
                if let Some((_, v)) = who.get_mut(at) {
                    *v = s(address);
                }
            }
            None => {
                who.remove(at);
            }
        }
    }
}
