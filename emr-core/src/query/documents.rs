//! The record's documents as a reader sees them ([`documents`]): each FHIR Composition (a
//! C-CDA document's, an IPS's) with its sections and their narrative, sanitized
//! ([`super::read_narrative`]), so that the history of present illness, the assessment or the
//! hospital course a document carries only as narrative is shown too.

use serde::{Deserialize, Serialize};

use super::narrative::{read_narrative, Narrative};
use super::{items, label_of, person_name, source_name};
use crate::json::Json;
use crate::merge::is_current;
use crate::model::{Entry, EntryRef, PartialDate, Record};

/// Sections nested deeper than this are not read (FHIR documents nest two or three deep).
const MAX_SECTION_DEPTH: usize = 32;

/// A document of the record, as shown ([`documents`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocumentCard {
    /// The title; else the type's label; else `Clinical document`.
    pub title: String,
    /// When the document was written (`Composition.date`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<PartialDate>,
    /// The kind of document: its type's text or display (e.g. `Summarization of episode note`).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The Composition's status (`preliminary`, `final`, `amended`, `entered-in-error`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The authors' display names, in order, each once.
    pub authors: Vec<String>,
    /// The display names of the sources that hold the document, sorted.
    pub sources: Vec<String>,
    /// How many entries the sections reference, subsections included.
    pub entries: usize,
    /// The sections, in document order.
    pub sections: Vec<DocumentSection>,
    /// The assertion shown.
    pub entry: EntryRef,
}

/// A section of a document, as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocumentSection {
    /// The section's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The label of the section's code (its text or a coding's display).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The narrative, sanitized (empty when the section has none or it could not be read).
    pub narrative: Vec<Narrative>,
    /// The section has a narrative that could not be read (not well-formed, or not XHTML):
    /// a reader says so rather than show nothing or the raw markup.
    pub narrative_unreadable: bool,
    /// Why the section is empty (`emptyReason`'s label), when it says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub empty_reason: Option<String>,
    /// How many entries the section references (its own, not its subsections').
    pub entries: usize,
    /// The subsections, in order.
    pub sections: Vec<DocumentSection>,
}

/// Every document (FHIR Composition) the record holds now, newest first (then by entry): its
/// title, date, type, status, authors, sources, and sections with their narrative sanitized by
/// [`read_narrative`]. The current assertions ([`crate::merge::is_current`]): only the
/// latest version of a Composition is shown, a retracted one (`entered-in-error`) is not, and
/// one several sources hold (the same `identifier`, else the same content) is shown once with
/// all of them. Not the clustered clinical view: documents are not clinical facts to fold (and
/// the clustering would cost the lazily loaded C-CDA wasm module, which carries this view,
/// 30 KB gzipped it has no room for).
///
/// # Example
/// ```
/// use emr_core::model::{Entry, Provenance, Record, Source};
/// let mut r = Record::default();
/// r.sources.push(Source::new("a", "Clinic A"));
/// r.entries.push(Entry::from_text(Provenance::new("a", "doc"), r#"{"resourceType":"Composition",
///   "status":"final","type":{"text":"Discharge summary"},"date":"2024-05-02","title":"Discharge",
///   "author":[{"display":"Dr. Lee"}],"section":[{"title":"Hospital course","text":{"status":"additional",
///   "div":"<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>Uneventful.</p></div>"}}]}"#).unwrap());
/// let docs = emr_core::query::documents(&r);
/// assert_eq!(docs[0].title, "Discharge");
/// assert_eq!(docs[0].sources, ["Clinic A"]);
/// assert_eq!(docs[0].sections[0].narrative[0].text(), "Uneventful.");
/// ```
pub fn documents(record: &Record) -> Vec<DocumentCard> {
    let name = |id: &str| source_name(record, id);
    // The current Compositions, each with its tree, grouped: one several sources hold (the
    // same identifier, else the same content) is one document with all of them. Documents are
    // few: grouped and ordered by linear search and insertion (no sort code in the wasm module).
    let mut groups: Vec<(String, Vec<&Entry>)> = Vec::new();
    for e in record.entries.iter().filter(|e| e.resource().resource_type() == "Composition") {
        if !is_current(record, e) {
            continue;
        }
        let Ok(tree) = e.resource().json() else { continue };
        let key = tree
            .get("identifier")
            .and_then(|i| Some(format!("{}|{}", text(i, "system")?, text(i, "value")?)))
            .unwrap_or_else(|| e.resource().as_str().to_owned());
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => members.push(e),
            None => groups.push((key, vec![e])),
        }
    }
    let mut out: Vec<DocumentCard> = Vec::new();
    for (_, members) in &groups {
        // The representative, shown: the least entry reference (deterministic whatever the order).
        let Some(e) = members.iter().copied().reduce(|a, b| if EntryRef::of(b) < EntryRef::of(a) { b } else { a })
        else {
            continue;
        };
        let Ok(tree) = e.resource().json() else { continue };
        let tree = &tree;
        let mut sources: Vec<String> = Vec::new();
        for m in members {
            insert_sorted(&mut sources, name(m.provenance().source.as_str()));
        }
        let kind = tree.get("type").and_then(label_of);
        let mut authors: Vec<String> = Vec::new();
        for a in items(tree, "author") {
            let source = e.provenance().source.as_str();
            if let Some(d) = text(a, "display").or_else(|| party(record, source, a, 0)) {
                if !authors.contains(&d) {
                    authors.push(d);
                }
            }
        }
        let sections: Vec<DocumentSection> = items(tree, "section").map(|s| section(s, 0)).collect();
        let card = DocumentCard {
            title: text(tree, "title").or_else(|| kind.clone()).unwrap_or_else(|| "Clinical document".to_owned()),
            date: e.clinical().time,
            kind,
            status: text(tree, "status"),
            authors,
            sources,
            entries: sections.iter().map(DocumentSection::all_entries).sum(),
            sections,
            entry: EntryRef::of(e),
        };
        // Newest first (undated last), then by entry.
        let key = |d: &DocumentCard| (std::cmp::Reverse(d.date.map(|t| (t.latest(), t.earliest()))), d.entry.clone());
        let at = out.partition_point(|d| key(d) < key(&card));
        out.insert(at, card);
    }
    out
}

/// Add `name` to a sorted list of names, once.
fn insert_sorted(names: &mut Vec<String>, name: String) {
    let at = names.partition_point(|n| *n < name);
    if names.get(at) != Some(&name) {
        names.insert(at, name);
    }
}

impl DocumentSection {
    /// The entries of the section and its subsections.
    fn all_entries(&self) -> usize {
        self.entries + self.sections.iter().map(DocumentSection::all_entries).sum::<usize>()
    }
}

fn text(j: &Json<'_>, key: &str) -> Option<String> {
    j.get(key).and_then(Json::as_str).map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned)
}

/// The resource a reference of `source` names: by the full URL it came with, else `Type/id`;
/// of the same source first.
fn referenced<'r>(record: &'r Record, source: &str, reference: &str) -> Option<&'r Entry> {
    let type_id = reference.rsplit('/').nth(1).zip(reference.rsplit('/').next());
    let names = |e: &&Entry| {
        e.provenance().full_url.as_deref() == Some(reference)
            || type_id.is_some_and(|(ty, id)| {
                let r = e.resource();
                r.resource_type() == ty && r.json().ok().and_then(|j| text(&j, "id")).as_deref() == Some(id)
            })
    };
    let of =
        |own: bool| record.entries.iter().filter(|e| (e.provenance().source.as_str() == source) == own).find(names);
    of(true).or_else(|| of(false))
}

/// The name of the party a reference names (a practitioner, an organization, a person, a
/// device; a practitioner role by its practitioner, else its organization).
fn party(record: &Record, source: &str, reference: &Json<'_>, depth: usize) -> Option<String> {
    let target = referenced(record, source, reference.get("reference").and_then(Json::as_str)?)?;
    let tree = target.resource().json().ok()?;
    match target.resource().resource_type() {
        "PractitionerRole" if depth == 0 => ["practitioner", "organization"]
            .iter()
            .find_map(|k| tree.get(k).and_then(|r| text(r, "display").or_else(|| party(record, source, r, 1)))),
        "Organization" => text(&tree, "name"),
        "Device" => items(&tree, "deviceName").find_map(|n| text(n, "name")),
        _ => person_name(&tree),
    }
}

/// One section and its subsections.
fn section(s: &Json<'_>, depth: usize) -> DocumentSection {
    let div = s.get("text").and_then(|t| t.get("div")).and_then(Json::as_str);
    let narrative = div.map(read_narrative);
    DocumentSection {
        title: text(s, "title"),
        code: s.get("code").and_then(label_of),
        narrative_unreadable: matches!(narrative, Some(None)),
        narrative: narrative.flatten().unwrap_or_default(),
        empty_reason: s.get("emptyReason").and_then(label_of),
        entries: items(s, "entry").count(),
        sections: if depth < MAX_SECTION_DEPTH {
            items(s, "section").map(|c| section(c, depth + 1)).collect()
        } else {
            Vec::new()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Entry, Provenance, Source};

    fn composition(id: &str, date: &str, div: &str) -> Entry {
        let text = format!(
            r#"{{"resourceType":"Composition","id":"{id}","status":"final","type":{{"text":"Note"}},"date":"{date}","title":"Doc {id}","author":[{{"display":"A"}},{{"display":"A"}},{{"reference":"Practitioner/x"}}],
            "section":[{{"title":"S","code":{{"coding":[{{"display":"Plan"}}]}},"text":{{"status":"generated","div":{div}}},"entry":[{{"reference":"Condition/1"}}],
            "section":[{{"title":"Sub","entry":[{{"reference":"Condition/2"}},{{"reference":"Condition/3"}}],"emptyReason":{{"text":"Withheld"}}}}]}}]}}"#,
            div = crate::json::Json::String(div.into())
        );
        Entry::from_text(Provenance::new("a", id), &text).unwrap_or_else(|e| unreachable!("{e}"))
    }

    #[test]
    fn documents_are_newest_first_with_sections_counts_and_unreadable_narrative() {
        let mut r = Record::default();
        r.sources.push(Source::new("a", "A -"));
        let ok = r#"<div xmlns="http://www.w3.org/1999/xhtml"><p>Fine</p></div>"#;
        r.entries.push(composition("old", "2020-01-01", ok));
        r.entries.push(composition("new", "2024-01-01", "<div><p>no namespace</p></div>"));
        r.entries.push(composition("bad", "2022-01-01", "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>open</div>"));
        let docs = documents(&r);
        let titles: Vec<&str> = docs.iter().map(|d| d.title.as_str()).collect();
        assert_eq!(titles, ["Doc new", "Doc bad", "Doc old"]);
        let old = &docs[2];
        assert_eq!(old.authors, ["A"]);
        assert_eq!(old.sources, ["A"]);
        assert_eq!(old.entries, 3);
        assert_eq!(old.kind.as_deref(), Some("Note"));
        assert_eq!(old.sections[0].code.as_deref(), Some("Plan"));
        assert_eq!(old.sections[0].narrative[0].text(), "Fine");
        assert!(!old.sections[0].narrative_unreadable);
        assert_eq!(old.sections[0].sections[0].empty_reason.as_deref(), Some("Withheld"));
        for d in &docs[..2] {
            assert!(d.sections[0].narrative_unreadable && d.sections[0].narrative.is_empty(), "{}", d.title);
        }
        // A section without narrative is not unreadable.
        assert!(!old.sections[0].sections[0].narrative_unreadable);
    }

    #[test]
    fn only_current_versions_show_and_a_document_of_several_sources_shows_once() {
        let mut r = Record::default();
        r.sources.push(Source::new("a", "Clinic A"));
        r.sources.push(Source::new("b", "Clinic B"));
        let doc = |source: &str, id: &str, version: u32, status: &str, title: &str| {
            let text = format!(
                r#"{{"resourceType":"Composition","identifier":{{"system":"urn:ietf:rfc:3986","value":"urn:oid:1.2.{id}"}},"status":"{status}","date":"2024-01-01","title":"{title}"}}"#
            );
            Entry::from_text(Provenance::new(source, id).with_version(version), &text)
                .unwrap_or_else(|e| unreachable!("{e}"))
        };
        r.entries = vec![
            doc("a", "1", 1, "preliminary", "Draft"),
            doc("a", "1", 2, "final", "Final"),
            doc("b", "1", 1, "final", "Final"),
            doc("a", "2", 1, "final", "Withdrawn"),
            doc("a", "2", 2, "entered-in-error", "Withdrawn"),
        ];
        let docs = documents(&r);
        assert_eq!(docs.len(), 1, "{docs:?}");
        assert_eq!(docs[0].title, "Final");
        assert_eq!(docs[0].sources, ["Clinic A", "Clinic B"]);
        assert_eq!(docs[0].entry.source.as_str(), "a");
        // The same, whatever the order of the entries.
        r.entries.reverse();
        assert_eq!(documents(&r), docs);
    }
}
