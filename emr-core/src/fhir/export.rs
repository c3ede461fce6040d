//! FHIR R4 export: a `collection` Bundle with a `Provenance` per source, and Bulk Data NDJSON.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, DefaultHasher};

use crate::json::{self, Json};
use crate::model::{Entry, EntryId, PartialDate, Provenance, Record, Source, SourceId};

/// How to export.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// `Bundle.timestamp` and `Provenance.recorded` when an entry has no recording time.
    /// Passed in because emr-core reads no clock; use the current time.
    pub timestamp: PartialDate,
}

/// Owned JSON helpers for building resources.
pub(crate) fn s(text: impl Into<String>) -> Json<'static> {
    Json::String(Cow::Owned(text.into()))
}

pub(crate) fn obj<'a>(members: Vec<(&str, Json<'a>)>) -> Json<'a> {
    Json::Object(members.into_iter().map(|(k, v)| (Cow::Owned(k.to_owned()), v)).collect())
}

pub use crate::model::stable_id;
pub(crate) use crate::model::urn_uuid;

use super::extensions::{assertion, renamed, source_entity, source_extension, AsReceived};

/// The `fullUrl` an entry is exported under: the one it came with, else a stable one.
pub(crate) fn full_url(entry: &Entry) -> String {
    let p = entry.provenance();
    if let Some(url) = &p.full_url {
        return url.clone();
    }
    let id = entry.resource().json().ok().and_then(|j| j.get("id").and_then(Json::as_str).map(str::to_owned));
    match id {
        Some(id) if is_uuid(&id) => format!("urn:uuid:{id}"),
        _ => urn_uuid(&format!("{}\u{0}{}\u{0}{}", p.source, p.id, p.version)),
    }
}

/// The `fullUrl` of the record's patient: `urn:uuid:` of its id when that is a UUID (as
/// references to it are written in Synthea-style bundles), else a stable one.
pub(crate) fn patient_url(patient: &Json<'_>) -> String {
    match patient.get("id").and_then(Json::as_str) {
        Some(id) if is_uuid(id) => format!("urn:uuid:{id}"),
        Some(id) => urn_uuid(&format!("patient\u{0}{id}")),
        None => urn_uuid("patient"),
    }
}

pub(crate) fn is_uuid(id: &str) -> bool {
    id.len() == 36
        && id.char_indices().all(|(i, c)| if matches!(i, 8 | 13 | 18 | 23) { c == '-' } else { c.is_ascii_hexdigit() })
}

/// An extension with a value: `value_key` is `valueString`, `valueCode`…
pub(crate) fn extension(url: &str, value_key: &str, value: Json<'static>) -> Json<'static> {
    obj(vec![("url", s(url)), (value_key, value)])
}

/// A complex extension: its parts are extensions.
pub(crate) fn complex(url: &str, parts: Vec<Json<'static>>) -> Json<'static> {
    obj(vec![("url", s(url)), ("extension", Json::Array(parts))])
}

/// A `valuePositiveInt` extension.
pub(crate) fn positive(url: &str, n: u32) -> Json<'static> {
    extension(url, "valuePositiveInt", Json::Number(Cow::Owned(n.to_string())))
}

/// Full URLs unique within one Bundle (FHIR's bdl-7). Two sources may send the same resource
/// under the same full URL (a shared Practitioner, say), and one source may send several
/// versions of an entry: each assertion is exported, so each needs its own URL. The first
/// keeps the URL it came with; a later one gets a stable URL of its own, and its Provenance
/// target records the original ([`ASSERTION`](super::extensions::ASSERTION), or [`ORIGINAL_FULL_URL`](super::extensions::ORIGINAL_FULL_URL) in the view).
#[derive(Default)]
pub(crate) struct Urls(std::collections::BTreeSet<String>);

impl Urls {
    /// Reserve a URL that is not an entry's (the patient's).
    pub(crate) fn reserve(&mut self, url: &str) {
        self.0.insert(url.to_owned());
    }

    /// The URL `entry` is exported under, and the one it came with when that differs.
    fn claim(&mut self, entry: &Entry) -> (String, Option<String>) {
        self.claim_url(full_url(entry), entry)
    }

    /// [`Urls::claim`] of `url`, the URL `entry` would be exported under.
    pub(crate) fn claim_url(&mut self, url: String, entry: &Entry) -> (String, Option<String>) {
        if self.0.insert(url.clone()) {
            return (url, None);
        }
        let p = entry.provenance();
        let mut n = 0u32;
        loop {
            let alt = urn_uuid(&format!("{}\u{0}{}\u{0}{}\u{0}{url}\u{0}{n}", p.source, p.id, p.version));
            if self.0.insert(alt.clone()) {
                return (alt, Some(url));
            }
            n += 1;
        }
    }
}

/// What a `Provenance.target` says besides its reference.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Note<'r> {
    /// Nothing: import derives the entry's provenance from its resource.
    Nothing,
    /// The full URL the resource came with, before the export renamed it ([`ORIGINAL_FULL_URL`](super::extensions::ORIGINAL_FULL_URL)).
    Renamed(String),
    /// The entry's whole provenance ([`ASSERTION`](super::extensions::ASSERTION)).
    Assertion(&'r Provenance),
    /// A clinical-view item standing for several assertions: the full URL it came with when
    /// renamed, and (id, version, full URL) of each assertion of the target's source it stands
    /// for (each a [`super::extensions::FOLDED`] extension).
    Folded(Option<String>, Vec<(String, u32, Option<String>)>),
    /// An NDJSON line: the whole provenance of the assertion it was written from ([`ASSERTION`](super::extensions::ASSERTION))
    /// and what the export changed in its resource ([`super::extensions::RECEIVED`]).
    Written(&'r Provenance, AsReceived),
}

/// A Provenance target: the exported URL, when it was recorded, and what else it says.
type Target<'r> = (String, Option<PartialDate>, Note<'r>);

/// A `Provenance` resource saying which source asserted the resources at `targets` (full URLs,
/// with the recording time of each assertion), and the source's kind and name ([`SOURCE`](super::extensions::SOURCE)).
fn provenance(source: &Source, targets: &[Target<'_>], fallback: &PartialDate) -> Json<'static> {
    let recorded = targets.iter().filter_map(|t| t.1).max_by_key(PartialDate::latest).unwrap_or(*fallback);
    let who = match &source.reference {
        Some(r) => obj(vec![("reference", s(r.clone())), ("display", s(source.name.clone().unwrap_or_default()))]),
        None => obj(vec![("display", s(source.name.clone().unwrap_or_else(|| source.id.to_string())))]),
    };
    let agent_type = obj(vec![(
        "coding",
        Json::Array(vec![obj(vec![
            ("system", s("http://terminology.hl7.org/CodeSystem/provenance-participant-type")),
            ("code", s("author")),
        ])]),
    )]);
    obj(vec![
        ("resourceType", s("Provenance")),
        ("id", s(urn_uuid(&format!("provenance\u{0}{}", source.id)).trim_start_matches("urn:uuid:"))),
        ("extension", Json::Array(vec![source_extension(source)])),
        ("target", Json::Array(targets.iter().map(target).collect())),
        // `Provenance.recorded` is an instant: a partial date is widened to its start.
        ("recorded", s(instant(&recorded))),
        ("agent", Json::Array(vec![obj(vec![("type", agent_type), ("who", who)])])),
        ("entity", Json::Array(vec![source_entity(source)])),
    ])
}

/// A `Provenance.target` reference, with its [`Note`].
fn target(t: &Target<'_>) -> Json<'static> {
    let notes = match &t.2 {
        Note::Nothing => Vec::new(),
        Note::Renamed(original) => vec![renamed(original)],
        Note::Assertion(p) => vec![assertion(p)],
        Note::Written(p, changes) => {
            let mut notes = vec![assertion(p)];
            notes.extend(changes.extension());
            notes
        }
        Note::Folded(renamed, members) => {
            let mut notes: Vec<_> = renamed.iter().map(|o| super::extensions::renamed(o)).collect();
            notes.extend(
                members.iter().map(|(id, version, url)| super::extensions::folded(id, *version, url.as_deref())),
            );
            notes
        }
    };
    let mut members = Vec::new();
    if !notes.is_empty() {
        members.push(("extension", Json::Array(notes)));
    }
    members.push(("reference", s(t.0.clone())));
    obj(members)
}

/// The `Provenance` resources for `targets` (source, full URL, recording time, note): one per
/// source.
pub(crate) fn provenances_of(
    record: &Record,
    targets: Vec<(&SourceId, String, Option<PartialDate>, Note<'_>)>,
    fallback: &PartialDate,
) -> Vec<Json<'static>> {
    let mut by_source: BTreeMap<&SourceId, Vec<Target<'_>>> = BTreeMap::new();
    for (source, url, recorded, note) in targets {
        by_source.entry(source).or_default().push((url, recorded, note));
    }
    by_source
        .into_iter()
        .map(|(id, targets)| {
            let source = record.source(id).cloned().unwrap_or_else(|| Source {
                id: id.clone(),
                name: None,
                kind: crate::model::SourceKind::Organization,
                reference: None,
            });
            provenance(&source, &targets, fallback)
        })
        .collect()
}

/// Every entry of a record with the URL it is exported under (unique, see [`Urls`]), the
/// patient's URL reserved first; and the `Provenance` resources naming them, one per source
/// that has entries. An entry whose provenance import would not derive from the resource and
/// the URL alone is declared in full on its target ([`ASSERTION`](super::extensions::ASSERTION)): import reads the record back
/// as it was.
fn entries_and_provenances<'r>(
    record: &'r Record,
    fallback: &PartialDate,
) -> (Vec<(String, &'r Entry)>, Vec<Json<'static>>) {
    let mut urls = Urls::default();
    let patient = record.patient.as_ref().and_then(|p| p.resource().json().ok());
    if let Some(tree) = &patient {
        urls.reserve(&patient_url(tree));
    }
    // How many entries of each source and id go out undeclared: import counts their versions.
    // Only looked up, never iterated.
    let mut counts: HashMap<(&SourceId, &EntryId), u32, BuildHasherDefault<DefaultHasher>> =
        HashMap::with_capacity_and_hasher(record.entries.len(), BuildHasherDefault::default());
    let mut out = Vec::with_capacity(record.entries.len());
    let mut targets = Vec::with_capacity(record.entries.len());
    for e in &record.entries {
        let (url, original) = urls.claim(e);
        let p = e.provenance();
        let count = counts.entry((&p.source, &p.id)).or_insert(0);
        // Import takes the first undeclared Patient as the record's patient, written first.
        let plain = original.is_none()
            && p.full_url.is_some()
            && e.is_plain(*count + 1)
            && (patient.is_some() || e.resource().resource_type() != "Patient");
        let note = if plain {
            *count += 1;
            Note::Nothing
        } else {
            Note::Assertion(p)
        };
        targets.push((&p.source, url.clone(), p.recorded, note));
        out.push((url, e));
    }
    (out, provenances_of(record, targets, fallback))
}

/// Export the clinical view (`merge::view`) as a `collection` Bundle: the patient, one resource
/// per clinical fact (as received, unless resolution changed a field), and a `Provenance` per
/// source naming every fact that source asserted — so a fact reported by three clinics appears
/// once, with three Provenance targets. [`to_bundle`] exports every assertion instead.
///
/// The Bundle is closed: a reference the record resolves (to an assertion the view folded into
/// another, conditionally, by identifier, by `Type/id`) is written as the full URL of the item
/// it reaches, and that item's Provenance names each assertion it stands for. A reference the
/// record cannot resolve is kept as received; [`super::export_view`] reports them. Full URLs are
/// valid for their scheme (a received `urn:uuid:` that is not a UUID gets a name-based one).
///
/// # Example
/// ```
/// use emr_core::fhir::{to_view_bundle, ExportOptions};
/// use emr_core::model::{Entry, Patient, Provenance, Record, Source};
/// let imm = r#"{"resourceType":"Immunization","status":"completed","vaccineCode":{"coding":[{"system":"http://hl7.org/fhir/sid/cvx","code":"140"}]},"occurrenceDateTime":"2024-10-01"}"#;
/// let mut record = Record::new(Patient::parse(r#"{"resourceType":"Patient","id":"p"}"#).unwrap());
/// record.sources = vec![Source::new("a", "Clinic A"), Source::new("b", "Clinic B")];
/// record.entries = vec![Entry::from_text(Provenance::new("a", "1"), imm).unwrap(), Entry::from_text(Provenance::new("b", "9"), imm).unwrap()];
/// let bundle = to_view_bundle(&record, &ExportOptions { timestamp: "2026-01-01T00:00:00Z".parse().unwrap() });
/// assert_eq!(bundle.matches(r#""resourceType":"Immunization""#).count(), 1);
/// assert_eq!(bundle.matches(r#""resourceType":"Provenance""#).count(), 2);
/// ```
pub fn to_view_bundle(record: &Record, options: &ExportOptions) -> String {
    super::closed::export_view(record, options).output
}

/// The patient's Bundle entry: its full URL and its stored text.
fn patient_item(record: &Record) -> Option<(String, &str)> {
    let resource = record.patient.as_ref()?.resource();
    let tree = resource.json().ok()?;
    Some((patient_url(&tree), resource.as_str()))
}

/// A `collection` Bundle of `items` (full URL, resource text) followed by the `Provenance`
/// resources, as compact JSON text.
///
/// A resource's stored text is already what the compact writer makes of it (it was written by
/// that writer), so it is copied in verbatim rather than parsed and written again.
pub(crate) fn collection(items: &[(String, &str)], provenances: Vec<Json<'static>>, options: &ExportOptions) -> String {
    let size: usize = items.iter().map(|(url, text)| url.len() + text.len() + 32).sum();
    let mut out = String::with_capacity(size + 1024 * (provenances.len() + 1));
    out.push_str(r#"{"resourceType":"Bundle","type":"collection","timestamp":"#);
    json::push_string(&mut out, &instant(&options.timestamp));
    out.push_str(r#","entry":["#);
    for (i, (url, text)) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(r#"{"fullUrl":"#);
        json::push_string(&mut out, url);
        out.push_str(r#","resource":"#);
        out.push_str(text);
        out.push('}');
    }
    for (i, p) in provenances.into_iter().enumerate() {
        if i > 0 || !items.is_empty() {
            out.push(',');
        }
        let id = p.get("id").and_then(Json::as_str).unwrap_or_default().to_owned();
        json::push_compact(&mut out, &obj(vec![("fullUrl", s(format!("urn:uuid:{id}"))), ("resource", p)]));
    }
    out.push_str("]}");
    out
}

/// Export a record as a FHIR R4 `collection` Bundle: the patient, every entry exactly as
/// received, and a `Provenance` per source naming the entries it asserted.
///
/// # Example
/// ```
/// use emr_core::fhir::{to_bundle, ExportOptions};
/// use emr_core::model::{Entry, Patient, Provenance, Record, Source};
/// let mut record = Record::new(Patient::parse(r#"{"resourceType":"Patient","id":"p"}"#).unwrap());
/// record.sources.push(Source::new("a", "Clinic A"));
/// record.entries.push(Entry::from_text(Provenance::new("a", "o1"), r#"{"resourceType":"Observation","id":"o1","valueQuantity":{"value":1.30}}"#).unwrap());
/// let bundle = to_bundle(&record, &ExportOptions { timestamp: "2026-01-01T00:00:00Z".parse().unwrap() });
/// assert!(bundle.contains(r#""valueQuantity":{"value":1.30}"#));
/// assert!(bundle.contains(r#""resourceType":"Provenance""#));
/// ```
pub fn to_bundle(record: &Record, options: &ExportOptions) -> String {
    let (entries, provenances) = entries_and_provenances(record, &options.timestamp);
    let mut items = Vec::with_capacity(entries.len() + 1);
    items.extend(patient_item(record));
    items.extend(entries.into_iter().map(|(url, e)| (url, e.resource().as_str())));
    collection(&items, provenances, options)
}

/// An instant text for a possibly partial date (its earliest moment).
pub(crate) fn instant(d: &PartialDate) -> String {
    match d {
        PartialDate::DateTime(_) => d.to_string(),
        other => {
            PartialDate::from(chrono::DateTime::from_timestamp(other.earliest(), 0).unwrap_or_default()).to_string()
        }
    }
}

/// Export a record as FHIR Bulk Data NDJSON: one text per resource type (the clinical view's
/// resources, the patient once, and a `Provenance` per source), one resource per line, keyed by
/// resource type (the file name is `TYPE.ndjson`). Ids are unique per type and every reference
/// the record resolves is relative (`Patient/123`); see [`super::NdjsonWriter`] for many records.
///
/// # Example
/// ```
/// use emr_core::fhir::{to_ndjson, ExportOptions};
/// use emr_core::model::{Entry, Patient, Provenance, Record, Source};
/// let mut record = Record::new(Patient::parse(r#"{"resourceType":"Patient","id":"p"}"#).unwrap());
/// record.sources.push(Source::new("a", "Clinic A"));
/// record.entries.push(Entry::from_text(Provenance::new("a", "c1"), r#"{"resourceType":"Condition","id":"c1"}"#).unwrap());
/// let files = to_ndjson(&record, &ExportOptions { timestamp: "2026-01-01T00:00:00Z".parse().unwrap() });
/// assert_eq!(files["Condition"], "{\"resourceType\":\"Condition\",\"id\":\"c1\"}\n");
/// assert!(files.contains_key("Patient") && files.contains_key("Provenance"));
/// ```
pub fn to_ndjson(record: &Record, options: &ExportOptions) -> BTreeMap<String, String> {
    super::NdjsonWriter::new().add(record, options).output
}
