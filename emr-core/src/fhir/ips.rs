//! International Patient Summary (IPS IG 2.0.0) export: a `document` Bundle whose Composition
//! has the required Problems, Allergies and Medications sections (with an IPS absent/unknown
//! entry when the record has nothing to list) and the recommended sections where data exists.

use std::collections::{BTreeMap, BTreeSet};

use super::closed::{bundle_layout, patient_ref, Exported, Layout};
use super::export::{instant, obj, patient_url, s, urn_uuid, ExportOptions};
use super::ips_sections::{absent_resource, is_absent_unknown, members, SECTIONS};
use super::narrative::{label, section_div};
use super::refs::ReferenceReport;
use crate::json::Json;
use crate::merge::view_ref;
use crate::model::{Entry, EntryRef, Record};

const LOINC: &str = "http://loinc.org";
pub use crate::codes::ABSENT_UNKNOWN;

/// Why an IPS cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IpsError {
    /// An IPS is about a patient; the record has none.
    #[error("record has no patient; an IPS needs one")]
    NoPatient,
}

impl IpsError {
    /// The error's stable code: `record.patient.missing`.
    pub fn code(&self) -> &'static str {
        match self {
            IpsError::NoPatient => "record.patient.missing",
        }
    }
}

fn loinc(code: &str, display: &str) -> Json<'static> {
    obj(vec![(
        "coding",
        Json::Array(vec![obj(vec![("system", s(LOINC)), ("code", s(code)), ("display", s(display))])]),
    )])
}

fn narrative(div: String) -> Json<'static> {
    obj(vec![("status", s("generated")), ("div", s(div))])
}

/// Export the record's clinical content as an IPS `document` Bundle.
///
/// It lists the clinical view (`merge::view`): one resource per fact, duplicates folded,
/// retracted and settled entries left out, each exported as received unless resolution changed
/// a field. The author is the record's only source, or for a record of several sources an
/// organization standing for the combined record.
///
/// # Errors
/// [`IpsError::NoPatient`] when the record has no patient.
///
/// # Example
/// ```
/// use emr_core::fhir::{to_ips, ExportOptions};
/// use emr_core::model::{Patient, Record, Source};
/// let mut record = Record::new(Patient::parse(r#"{"resourceType":"Patient","id":"p"}"#).unwrap());
/// record.sources.push(Source::new("a", "Clinic A"));
/// let ips = to_ips(&record, &ExportOptions { timestamp: "2026-01-01T00:00:00Z".parse().unwrap() })?;
/// assert!(ips.contains("\"60591-5\"") && ips.contains("no-allergy-info"));
/// # Ok::<(), emr_core::fhir::IpsError>(())
/// ```
pub fn to_ips(record: &Record, options: &ExportOptions) -> Result<String, IpsError> {
    export_ips(record, options).map(|e| e.output)
}

/// [`to_ips`], with what it did with references.
///
/// The document is self-contained: it carries every resource its entries reference
/// (encounters, practitioners, organizations, locations, medications, devices, the
/// observations a report lists…), transitively, each written as the clinical view has it. A
/// reference whose target the record does not hold (or the view leaves out) is kept as
/// received, marked with the extension `urn:emr:unresolved` (`not-held`, `not-exported`), and
/// reported.
///
/// # Errors
/// [`IpsError::NoPatient`] when the record has no patient.
///
/// # Example
/// ```
/// use emr_core::fhir::{export_ips, ExportOptions};
/// use emr_core::model::{Entry, Patient, Provenance, Record, Source};
/// let mut record = Record::new(Patient::parse(r#"{"resourceType":"Patient","id":"p"}"#).unwrap());
/// record.sources.push(Source::new("a", "Clinic A"));
/// record.entries.push(Entry::from_text(Provenance::new("a", "Encounter/e1"), r#"{"resourceType":"Encounter","id":"e1","status":"finished","class":{"code":"AMB"}}"#).unwrap());
/// record.entries.push(Entry::from_text(Provenance::new("a", "Condition/c1"), r#"{"resourceType":"Condition","id":"c1","code":{"text":"Asthma"},"subject":{"reference":"Patient/p"},"encounter":{"reference":"Encounter/e1"},"asserter":{"reference":"Practitioner/x"}}"#).unwrap());
/// let ips = export_ips(&record, &ExportOptions { timestamp: "2026-01-01T00:00:00Z".parse().unwrap() })?;
/// assert!(ips.output.contains(r#""resourceType":"Encounter""#)); // carried along
/// assert!(ips.output.contains(r#""valueCode":"not-held"}],"reference":"Practitioner/x""#));
/// assert_eq!(ips.references.unresolved(), 1);
/// # Ok::<(), emr_core::fhir::IpsError>(())
/// ```
pub fn export_ips(record: &Record, options: &ExportOptions) -> Result<Exported<String>, IpsError> {
    let patient = record.patient.as_ref().ok_or(IpsError::NoPatient)?;
    let mut patient_tree = patient.resource().json().map_err(|_| IpsError::NoPatient)?;
    let patient_url = patient_url(&patient_tree);
    // The clinical view: one resource per fact (duplicates folded, retractions and clinicians'
    // decisions applied), exported as resolution left it (e.g. the most severe criticality).
    let v = view_ref(record);
    let Layout { items, targets, .. } = bundle_layout(record, &v);
    let slot_of: BTreeMap<EntryRef, usize> =
        items.iter().enumerate().map(|(k, i)| (EntryRef::of(i.representative()), k)).collect();
    // In record order (a re-imported IPS lists them as this one does).
    let current: Vec<&Entry> = record
        .entries
        .iter()
        .filter(|e| slot_of.contains_key(&EntryRef::of(e)))
        // A previous IPS's Composition is not clinical content of this one.
        .filter(|e| e.clinical().resource_type != "Composition")
        .collect();
    let address = |k: usize| targets.addresses.get(k).cloned().unwrap_or_default();

    let (author_slot, author) = author(record, &current, &slot_of);
    let author_url = author_slot.map_or_else(|| author.0.clone(), address);
    // What the sections list, in order: items of the view, or absent/unknown statements.
    let mut carried: Vec<Result<usize, (String, Json<'_>)>> = Vec::new();
    let mut listed: BTreeSet<usize> = BTreeSet::new();
    let mut sections = Vec::new();
    for section in SECTIONS {
        let chosen = members(section, &current);
        if chosen.is_empty() && section.absent.is_none() {
            continue;
        }
        let mut refs = Vec::new();
        for e in &chosen {
            let Some(&k) = slot_of.get(&EntryRef::of(e)) else { continue };
            refs.push(obj(vec![("reference", s(address(k)))]));
            if listed.insert(k) {
                carried.push(Ok(k));
            }
        }
        // "No information" entries (made here or imported from an earlier IPS) read as a sentence.
        let mut div = match chosen.first() {
            Some(first) if chosen.iter().all(|e| is_absent_unknown(e)) => section_div(&[], &label(first)),
            _ => section_div(&chosen, ""),
        };
        if let (true, Some((ty, code, text))) = (chosen.is_empty(), section.absent) {
            let absent = absent_resource(ty, code, text, &patient_url);
            let id = absent.get("id").and_then(Json::as_str).unwrap_or_default().to_owned();
            let url = format!("urn:uuid:{id}");
            refs.push(obj(vec![("reference", s(url.clone()))]));
            carried.push(Err((url, absent)));
            div = section_div(&[], text);
        }
        sections.push(obj(vec![
            ("title", s(section.title)),
            ("code", loinc(section.code, section.title)),
            ("text", narrative(div)),
            ("entry", Json::Array(refs)),
        ]));
    }

    // Every resource a carried one references comes along, transitively: the document is
    // self-contained. References are written as their targets' full URLs.
    let mut report = ReferenceReport::default();
    let mut hits = Vec::new();
    targets.rewrite_collect(&mut patient_tree, &patient_ref(), true, &mut report, &mut hits);
    let mut queue: Vec<usize> = Vec::new();
    if let Some(k) = author_slot {
        if listed.insert(k) {
            queue.push(k);
        }
    }
    queue.extend(carried.iter().filter_map(|c| c.as_ref().ok().copied()));
    let mut trees: BTreeMap<usize, Json<'static>> = BTreeMap::new();
    let mut order: Vec<usize> = Vec::new();
    let mut next = 0;
    let mut pending: Vec<usize> = hits;
    loop {
        for k in pending.drain(..) {
            if k < items.len() && listed.insert(k) {
                queue.push(k);
            }
        }
        let Some(&k) = queue.get(next) else { break };
        next += 1;
        let Some(item) = items.get(k) else { continue };
        let resource = item.resource();
        let Ok(mut tree) = resource.json() else { continue };
        targets.rewrite_collect(&mut tree, &EntryRef::of(item.representative()), true, &mut report, &mut pending);
        trees.insert(k, tree.into_owned());
        order.push(k);
    }

    let timestamp = instant(&options.timestamp);
    let composition_id = composition_url(&patient_url, &timestamp);
    let composition = obj(vec![
        ("resourceType", s("Composition")),
        ("id", s(composition_id.trim_start_matches("urn:uuid:"))),
        (
            "text",
            narrative(format!(
                "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>International Patient Summary, {} sections</p></div>",
                sections.len()
            )),
        ),
        ("status", s("final")),
        ("type", loinc("60591-5", "Patient summary Document")),
        ("subject", obj(vec![("reference", s(patient_url.clone()))])),
        ("date", s(timestamp.clone())),
        ("author", Json::Array(vec![obj(vec![("reference", s(author_url.clone()))])])),
        ("title", s("International Patient Summary")),
        ("section", Json::Array(sections)),
    ]);
    let mut entries = vec![
        obj(vec![("fullUrl", s(composition_id.clone())), ("resource", composition)]),
        obj(vec![("fullUrl", s(patient_url)), ("resource", patient_tree)]),
    ];
    if author_slot.is_none() {
        entries.push(obj(vec![("fullUrl", s(author_url)), ("resource", author.1)]));
    }
    // The author first, then the sections' entries, then what they reference.
    let mut entry = |k: usize, entries: &mut Vec<Json<'_>>| {
        if let Some(tree) = trees.remove(&k) {
            entries.push(obj(vec![("fullUrl", s(address(k))), ("resource", tree)]));
        }
    };
    if let Some(k) = author_slot {
        entry(k, &mut entries);
    }
    for c in carried {
        match c {
            Ok(k) => entry(k, &mut entries),
            Err((url, tree)) => entries.push(obj(vec![("fullUrl", s(url)), ("resource", tree)])),
        }
    }
    for k in order {
        entry(k, &mut entries);
    }
    let bundle = obj(vec![
        ("resourceType", s("Bundle")),
        ("identifier", obj(vec![("system", s("urn:ietf:rfc:3986")), ("value", s(composition_id.clone()))])),
        ("type", s("document")),
        ("timestamp", s(timestamp)),
        ("entry", Json::Array(entries)),
    ]);
    Ok(Exported { output: bundle.to_compact_string(), references: report })
}

/// The full URL of the Composition of the IPS of the patient at `patient_url` written at
/// `timestamp` (how a re-imported IPS is recognized as the record's own: `super::own_ips`).
pub(super) fn composition_url(patient_url: &str, timestamp: &str) -> String {
    urn_uuid(&format!("ips\u{0}{patient_url}\u{0}{timestamp}"))
}

/// The author Organization: the record's only source when it has one (an EMR: that clinic
/// wrote it), the view's item of that Organization when the record holds it (its slot); for a
/// record of several sources (an EHR), one organization standing for the combined record (its
/// full URL and resource).
fn author(
    record: &Record,
    current: &[&Entry],
    slot_of: &BTreeMap<EntryRef, usize>,
) -> (Option<usize>, (String, Json<'static>)) {
    let mut ids: Vec<&crate::model::SourceId> = current.iter().map(|e| &e.provenance().source).collect();
    ids.sort();
    ids.dedup();
    let only = match ids.as_slice() {
        [one] => record.source(one),
        _ => None,
    };
    let org_id = only.and_then(|s| s.reference.as_deref()).and_then(|r| r.strip_prefix("Organization/"));
    let in_view = org_id.and_then(|org_id| {
        current
            .iter()
            .find(|e| e.resource().resource_type() == "Organization" && e.resource().id().as_deref() == Some(org_id))
    });
    let (seed, name) = match only {
        Some(s) => (s.id.to_string(), s.name.clone().unwrap_or_else(|| s.id.to_string())),
        None => ("combined".to_owned(), "Combined health record (emr)".to_owned()),
    };
    let url = urn_uuid(&format!("author\u{0}{seed}"));
    let id = url.trim_start_matches("urn:uuid:").to_owned();
    let made = (url, obj(vec![("resourceType", s("Organization")), ("id", s(id)), ("name", s(name))]));
    (in_view.and_then(|org| slot_of.get(&EntryRef::of(org)).copied()), made)
}
