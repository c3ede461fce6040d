//! The record's documents as a reader sees them ([`documents`]): each FHIR Composition (a
//! C-CDA document's, an IPS's) with its sections and their narrative, sanitized
//! ([`super::read_narrative`]), so that the history of present illness, the assessment or the
//! hospital course a document carries only as narrative is shown too.

use serde::{Deserialize, Serialize};

use super::label_of;
use super::narrative::{read_narrative, Narrative};
use crate::clinical::source_display_name;
use crate::json::Json;
use crate::merge::view_ref;
use crate::model::{Entry, EntryKind, EntryRef, PartialDate, Record};

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

/// Every document (FHIR Composition) of the record's clinical view, newest first (then by
/// entry): its title, date, type, status, authors, sources, and sections with their narrative
/// sanitized by [`read_narrative`]. The view, not the raw entries: a retracted Composition is
/// not shown, only the latest version of one is, and a document several sources hold is
/// shown once with all of them.
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
    let name = |id: &str| {
        record
            .sources
            .iter()
            .find(|s| s.id.as_str() == id)
            .map_or_else(|| id.to_owned(), |s| source_display_name(s).to_owned())
    };
    let v = view_ref(record);
    let mut out: Vec<DocumentCard> = v
        .items()
        .filter(|i| i.kind() == EntryKind::Note)
        .filter_map(|i| {
            let e = i.representative();
            let tree = e.resource().json().ok()?;
            if tree.get("resourceType").and_then(Json::as_str) != Some("Composition") {
                return None;
            }
            let mut sources: Vec<String> = i.members().map(|m| name(m.provenance().source.as_str())).collect();
            sources.sort();
            sources.dedup();
            let kind = tree.get("type").and_then(label_of);
            let mut authors: Vec<String> = Vec::new();
            for a in items(&tree, "author") {
                let source = e.provenance().source.as_str();
                if let Some(d) = text(a, "display").or_else(|| party(record, source, a, 0)) {
                    if !authors.contains(&d) {
                        authors.push(d);
                    }
                }
            }
            let sections: Vec<DocumentSection> = items(&tree, "section").map(|s| section(s, 0)).collect();
            Some(DocumentCard {
                title: text(&tree, "title").or_else(|| kind.clone()).unwrap_or_else(|| "Clinical document".to_owned()),
                date: e.clinical().time,
                kind,
                status: text(&tree, "status"),
                authors,
                sources,
                entries: sections.iter().map(DocumentSection::all_entries).sum(),
                sections,
                entry: EntryRef::of(e),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        let newest = |d: &Option<PartialDate>| std::cmp::Reverse(d.map(|d| (d.latest(), d.earliest())));
        (newest(&a.date), &a.entry).cmp(&(newest(&b.date), &b.entry))
    });
    out
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

fn items<'j, 'a>(j: &'j Json<'a>, key: &str) -> impl Iterator<Item = &'j Json<'a>> {
    j.get(key).and_then(Json::as_array).unwrap_or_default().iter()
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
        _ => items(&tree, "name").find_map(human_name),
    }
}

/// A HumanName written out: its text, else prefix, given, family and suffix.
fn human_name(n: &Json<'_>) -> Option<String> {
    text(n, "text").or_else(|| {
        let strings = |k: &str| items(n, k).filter_map(Json::as_str).map(str::trim).filter(|s| !s.is_empty());
        let mut parts: Vec<&str> = strings("prefix").chain(strings("given")).collect();
        parts.extend(n.get("family").and_then(Json::as_str).map(str::trim).filter(|s| !s.is_empty()));
        parts.extend(strings("suffix"));
        (!parts.is_empty()).then(|| parts.join(" "))
    })
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
}
