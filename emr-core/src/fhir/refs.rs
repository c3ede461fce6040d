//! References in exports that are not transactions: each reference the record can resolve is
//! written as the exported address of its target (a Bundle `fullUrl`, or `Type/id` in NDJSON);
//! one it cannot is kept as received and reported.
//!
//! A reference is looked up, from the source that wrote it first, then from any source, by:
//! the full URL the target came with; `Type/id` (relative, or the tail of an absolute URL;
//! `_history` ignored); `Type?identifier=system|value` (a conditional reference, valid only in a
//! transaction) and `Reference.identifier` (a logical reference) against the targets'
//! identifiers; `Type?_id=id`. `#id` (contained) references stay as they are.
//!
//! This file holds the report and the lookup ([`Targets`]); the walk that rewrites one
//! resource's references is `rewrite`.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Serialize;

use super::rewrite::Walk;
use crate::json::Json;
use crate::model::{is_r4_resource_type, EntryRef, SourceId};

/// Why a reference of an export was kept as received.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Unresolved {
    /// The record holds no resource the reference names (it was never received).
    NotHeld,
    /// The record holds the target, but the export leaves it out (retracted, or set aside by
    /// a clinician's decision).
    NotExported,
    /// An absolute URL to a server the record did not receive the target from: valid as it is.
    External,
}

/// One reference an export kept as received.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct KeptReference {
    /// The entry whose resource holds it (for the record's patient: source `patient`).
    pub entry: EntryRef,
    /// JSON pointer of the reference element within that resource.
    pub path: String,
    /// Why it was kept.
    pub reason: Unresolved,
}

/// What an export did with references: how many it rewrote to their target's address in the
/// export, and which it kept as received, and why. Paths, never the reference text (which may
/// hold an identifier).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReferenceReport {
    /// References written as their target's address in the export.
    pub rewritten: usize,
    /// References kept as received.
    pub kept: Vec<KeptReference>,
}

impl ReferenceReport {
    /// References whose target the record does not hold or the export leaves out (absolute
    /// URLs to other servers not counted).
    pub fn unresolved(&self) -> usize {
        self.kept.iter().filter(|k| k.reason != Unresolved::External).count()
    }
}

/// Where a target goes in an export: the text a reference to it is written as, or `None` when
/// the record holds it but the export leaves it out.
pub(crate) type Slot = Option<usize>;

/// Every way the record's resources are named, and where each goes in one export.
pub(crate) struct Targets {
    /// Lookup key → (source that holds it, slot), in the order added.
    by_key: BTreeMap<String, Vec<(SourceId, Slot)>>,
    /// Slot → the text a reference to it is written as.
    pub addresses: Vec<String>,
}

/// The identifiers of a resource (`identifier`, one or many) as lookup keys of `ty`.
fn identifier_keys(ty: &str, tree: &Json<'_>, out: &mut Vec<String>) {
    let identifiers = match tree.get("identifier") {
        Some(Json::Array(items)) => items.iter().collect(),
        Some(one @ Json::Object(_)) => vec![one],
        _ => Vec::new(),
    };
    for i in identifiers {
        if let Some(key) = identifier_key(ty, i) {
            out.push(key);
        }
    }
}

fn identifier_key(ty: &str, identifier: &Json<'_>) -> Option<String> {
    let value = identifier.get("value").and_then(Json::as_str)?;
    let system = identifier.get("system").and_then(Json::as_str).unwrap_or_default();
    Some(format!("{ty}?identifier={system}|{value}"))
}

/// `Type/id` of a reference or URL: its last two path segments, `_history` stripped, when the
/// first is an R4 resource type.
pub(crate) fn type_id(reference: &str) -> Option<(&str, &str)> {
    let path = reference.split("/_history/").next().unwrap_or(reference);
    let mut parts = path.rsplit('/');
    let (id, ty) = (parts.next()?, parts.next()?);
    (is_r4_resource_type(ty) && !id.is_empty()).then_some((ty, id))
}

/// `%7C` and `%7c` decoded (the `|` of `system|value`); other escapes are left as written.
fn decode_bar(text: &str) -> Cow<'_, str> {
    if text.contains('%') {
        Cow::Owned(text.replace("%7C", "|").replace("%7c", "|"))
    } else {
        Cow::Borrowed(text)
    }
}

impl Targets {
    /// Targets whose slot `k` is written as `addresses[k]`.
    pub(crate) fn new(addresses: Vec<String>) -> Targets {
        Targets { by_key: BTreeMap::new(), addresses }
    }

    /// A slot whose references are written as `address`.
    #[cfg(test)]
    fn slot(&mut self, address: String) -> usize {
        self.addresses.push(address);
        self.addresses.len() - 1
    }

    /// Name a resource of `source`: by the full URL it came with, its `Type/id` and its
    /// identifiers.
    pub(crate) fn add(&mut self, source: &SourceId, tree: &Json<'_>, full_url: Option<&str>, slot: Slot) {
        let mut keys = Vec::new();
        keys.extend(full_url.map(str::to_owned));
        let ty = tree.get("resourceType").and_then(Json::as_str).unwrap_or_default();
        if let Some(id) = tree.get("id").and_then(Json::as_str) {
            keys.push(format!("{ty}/{id}"));
        }
        identifier_keys(ty, tree, &mut keys);
        // Logical references may omit `type`.
        identifier_keys("", tree, &mut keys);
        for key in keys {
            let candidates = self.by_key.entry(key).or_default();
            if !candidates.iter().any(|(s, k)| s == source && *k == slot) {
                candidates.push((source.clone(), slot));
            }
        }
    }

    /// The candidates for `key`: of `source` first, exported first.
    fn lookup(&self, source: &SourceId, key: &str) -> Option<Slot> {
        let candidates = self.by_key.get(key)?;
        let pick = |own: bool| candidates.iter().find(|(s, slot)| (s == source) == own && slot.is_some());
        Some(pick(true).or_else(|| pick(false)).and_then(|(_, slot)| *slot))
    }

    /// Resolve a reference written by `source`: `Some(slot)` when the record holds the target.
    pub(crate) fn resolve(&self, source: &SourceId, reference: &str) -> Option<Slot> {
        if let Some((ty, query)) = reference.split_once('?') {
            let ty = ty.rsplit('/').next().unwrap_or(ty);
            return query.split('&').find_map(|param| {
                let (name, value) = param.split_once('=')?;
                match name {
                    "identifier" => self.lookup(source, &format!("{ty}?identifier={}", decode_bar(value))),
                    "_id" => self.lookup(source, &format!("{ty}/{value}")),
                    _ => None,
                }
            });
        }
        let plain = reference.split("/_history/").next().unwrap_or(reference);
        self.lookup(source, reference)
            .or_else(|| self.lookup(source, plain))
            .or_else(|| type_id(reference).and_then(|(ty, id)| self.lookup(source, &format!("{ty}/{id}"))))
    }

    /// Resolve a logical reference (`Reference.identifier`, with `Reference.type` if given).
    pub(super) fn resolve_identifier(&self, source: &SourceId, reference: &Json<'_>) -> Option<Slot> {
        let ty = reference.get("type").and_then(Json::as_str).unwrap_or_default();
        let key = identifier_key(ty, reference.get("identifier")?)?;
        self.lookup(source, &key)
    }

    /// Write every reference of `tree` (a resource of `entry`'s source) that the record resolves
    /// as its target's address; note the others in `report`. `mark` adds to each reference kept
    /// for want of a target an extension saying so ([`super::extensions::KEPT`]). Whether anything changed.
    pub(crate) fn rewrite(
        &self,
        tree: &mut Json<'_>,
        entry: &EntryRef,
        mark: bool,
        report: &mut ReferenceReport,
    ) -> bool {
        self.rewrite_collect(tree, entry, mark, report, &mut Vec::new())
    }

    /// [`Targets::rewrite`] (marking nothing), adding to `changes` what it changed (each
    /// rewritten reference as received), so that import can undo it.
    pub(crate) fn rewrite_recording(
        &self,
        tree: &mut Json<'_>,
        entry: &EntryRef,
        report: &mut ReferenceReport,
        changes: &mut super::extensions::AsReceived,
    ) -> bool {
        self.walk(tree, entry, false, report, &mut Vec::new(), Some(changes))
    }

    /// [`Targets::rewrite`], adding to `hits` the slot of each reference resolved.
    pub(crate) fn rewrite_collect(
        &self,
        tree: &mut Json<'_>,
        entry: &EntryRef,
        mark: bool,
        report: &mut ReferenceReport,
        hits: &mut Vec<usize>,
    ) -> bool {
        self.walk(tree, entry, mark, report, hits, None)
    }

    fn walk(
        &self,
        tree: &mut Json<'_>,
        entry: &EntryRef,
        mark: bool,
        report: &mut ReferenceReport,
        hits: &mut Vec<usize>,
        changes: Option<&mut super::extensions::AsReceived>,
    ) -> bool {
        // A Bundle kept whole (one nested in the input) resolves its own references: it is
        // written as received.
        if tree.get("resourceType").and_then(Json::as_str) == Some("Bundle") {
            return false;
        }
        let mut path = String::new();
        let mut walk = Walk { targets: self, entry, mark, report, changed: false, hits, changes };
        walk.value(tree, &mut path);
        walk.changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets() -> Targets {
        let mut t = Targets::new(Vec::new());
        let a = SourceId::new("a");
        let b = SourceId::new("b");
        let practitioner = crate::json::parse(
            r#"{"resourceType":"Practitioner","id":"pr1","identifier":[{"system":"http://hl7.org/fhir/sid/us-npi","value":"99"}]}"#,
        )
        .unwrap_or(Json::Null);
        let s = t.slot("urn:uuid:00000000-0000-4000-8000-000000000001".to_owned());
        t.add(&a, &practitioner, Some("urn:uuid:x-1"), Some(s));
        let other = t.slot("urn:uuid:00000000-0000-4000-8000-000000000002".to_owned());
        t.add(&b, &practitioner, None, Some(other));
        t.add(&b, &crate::json::parse(r#"{"resourceType":"Condition","id":"gone"}"#).unwrap_or(Json::Null), None, None);
        t
    }

    #[test]
    fn references_resolve_own_source_first_then_any() {
        let t = targets();
        let (a, b, c) = (SourceId::new("a"), SourceId::new("b"), SourceId::new("c"));
        assert_eq!(t.resolve(&a, "Practitioner/pr1"), Some(Some(0)));
        assert_eq!(t.resolve(&b, "Practitioner/pr1"), Some(Some(1)));
        assert_eq!(t.resolve(&c, "urn:uuid:x-1"), Some(Some(0)));
        assert_eq!(t.resolve(&a, "Practitioner?identifier=http://hl7.org/fhir/sid/us-npi%7C99"), Some(Some(0)));
        assert_eq!(t.resolve(&a, "http://server/fhir/Practitioner/pr1/_history/3"), Some(Some(0)));
        assert_eq!(t.resolve(&a, "Practitioner?_id=pr1"), Some(Some(0)));
        assert_eq!(t.resolve(&a, "Condition/gone"), Some(None));
        assert_eq!(t.resolve(&a, "Practitioner/other"), None);
        assert_eq!(t.resolve(&a, "Practitioner?name=x"), None);
    }

    #[test]
    fn rewrite_writes_addresses_and_reports_the_rest() {
        let t = targets();
        let mut tree = crate::json::parse(
            r##"{"resourceType":"Observation","performer":[{"reference":"Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|99"},{"reference":"Practitioner/zz"},{"reference":"#c"},{"identifier":{"system":"http://hl7.org/fhir/sid/us-npi","value":"99"}},{"reference":"https://elsewhere/Practitioner/1"}],"focus":[{"reference":"Condition/gone"}]}"##,
        )
        .unwrap_or(Json::Null);
        let mut report = ReferenceReport::default();
        let entry = EntryRef { source: SourceId::new("a"), id: crate::model::EntryId::new("o"), version: 1 };
        assert!(t.rewrite(&mut tree, &entry, true, &mut report));
        let text = tree.to_compact_string();
        assert!(text.contains(r#"{"reference":"urn:uuid:00000000-0000-4000-8000-000000000001"}"#), "{text}");
        assert!(
            text.contains(r#"{"reference":"urn:uuid:00000000-0000-4000-8000-000000000001","identifier""#),
            "{text}"
        );
        assert!(
            text.contains(
                r#"{"extension":[{"url":"urn:emr:unresolved","valueCode":"not-held"}],"reference":"Practitioner/zz"}"#
            ),
            "{text}"
        );
        assert!(text.contains(r#""valueCode":"not-exported"}],"reference":"Condition/gone""#), "{text}");
        assert_eq!(report.rewritten, 2);
        let reasons: Vec<_> = report.kept.iter().map(|k| (k.path.as_str(), k.reason)).collect();
        assert_eq!(
            reasons,
            vec![
                ("/performer/1", Unresolved::NotHeld),
                ("/performer/4", Unresolved::External),
                ("/focus/0", Unresolved::NotExported)
            ]
        );
        assert_eq!(report.unresolved(), 2);
    }
}
