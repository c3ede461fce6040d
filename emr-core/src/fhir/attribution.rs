//! Attribution: which organization asserted each resource of an input.
//!
//! In order: the `serviceProvider` of the resource's encounter (an Encounter's own), then an
//! Organization among `recorder`, `asserter`, `performer`, `requester`, `author`, `provider`,
//! `organization`, `custodian` (directly or through a PractitionerRole; a PractitionerRole is not
//! attributed by its own `organization`; a Device, referenced or itself, never by its `owner`;
//! outside documents: see `Sources::document_author`), then `meta.source` when
//! it is an absolute URI (not in a document, whose author asserts what its entries do not
//! attribute otherwise), then the caller's default (for a document: its author).

use std::collections::BTreeMap;

use super::extensions::{read_assertion, read_renamed, read_source, ASSERTION, SOURCE};
use super::index::Index;
use crate::json::Json;
use crate::model::{Provenance, Source, SourceId, SourceKind};

/// Elements whose reference may name the asserting organization, in order of preference.
const ASSERTERS: &[&str] =
    &["recorder", "asserter", "performer", "requester", "author", "provider", "organization", "custodian", "insurer"];

/// The sources found while attributing, keyed by id.
#[derive(Default)]
pub(crate) struct Sources {
    pub found: BTreeMap<SourceId, Source>,
    /// Target full URL → source, from emr's own Provenance resources.
    declared: BTreeMap<String, SourceId>,
    /// Target full URL → the full URL the entry came with, where an export had to rename it.
    original: BTreeMap<String, String>,
    /// Target full URL → the entry's provenance, where an export declared it ([`ASSERTION`]).
    assertions: BTreeMap<String, Provenance>,
    /// The input is a FHIR document (a `document` Bundle): its author asserts what its entries
    /// do not attribute otherwise, ahead of `meta.source`.
    pub document: bool,
}

/// Whether a `meta.source` identifies a system: an absolute URI (a scheme, then more), not a
/// server's request id (`#O32RiG8g36oLrv09`) or a bare word (`import`).
fn is_system_uri(source: &str) -> bool {
    let Some((scheme, rest)) = source.split_once(':') else { return false };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !rest.is_empty()
        && !rest.contains(char::is_whitespace)
}

pub(crate) use super::extensions::emr_source_of;

impl Sources {
    /// Read emr's own `Provenance` resources (an `entity` identified in `urn:emr:source`): they
    /// say which source asserted each target, so an exported record imports with its sources.
    pub(crate) fn read_provenance(&mut self, index: &Index<'_, '_>) {
        for f in &index.resources {
            let Some(source) = emr_source_of(f.tree) else { continue };
            let id = SourceId::new(source);
            let who = f.tree.pointer("/agent/0/who");
            let display = who.and_then(|w| w.get("display")).and_then(Json::as_str).filter(|d| !d.is_empty());
            let reference = who.and_then(|w| w.get("reference")).and_then(Json::as_str);
            // The source's kind and name, when the export gave them (else an organization named
            // by the agent).
            let about = extension(f.tree, SOURCE);
            let kind = about.and_then(|x| read_source(x).0);
            let name = match about {
                Some(x) => read_source(x).1,
                None => display,
            };
            self.found.entry(id.clone()).or_insert_with(|| Source {
                id: id.clone(),
                name: name.map(str::to_owned),
                kind: kind.unwrap_or(SourceKind::Organization),
                reference: reference.map(str::to_owned),
            });
            for t in f.tree.get("target").and_then(Json::as_array).unwrap_or_default() {
                if let Some(r) = t.get("reference").and_then(Json::as_str) {
                    self.declared.insert(r.to_owned(), id.clone());
                    let renamed = read_renamed(t);
                    if let Some(original) = renamed {
                        self.original.insert(r.to_owned(), original.to_owned());
                    }
                    if let Some(p) = extension(t, ASSERTION).and_then(|x| read_assertion(&id, x)) {
                        self.assertions.insert(r.to_owned(), p);
                    }
                }
            }
        }
    }

    /// The full URL an entry exported under `url` came with, if emr's export renamed it.
    pub(crate) fn original_url(&self, url: &str) -> Option<&str> {
        self.original.get(url).map(String::as_str)
    }

    /// The provenance emr's export declared for the entry exported under `url`, if it did.
    pub(crate) fn assertion(&self, url: &str) -> Option<&Provenance> {
        self.assertions.get(url)
    }

    /// The source for resource number `i`, if the input says who asserted it.
    pub(crate) fn attribute(&mut self, index: &Index<'_, '_>, i: usize) -> Option<SourceId> {
        let found = index.resources.get(i)?;
        if let Some(id) = found.full_url.as_ref().and_then(|u| self.declared.get(u)) {
            return Some(id.clone());
        }
        let tree = found.tree;
        let org = self.via_encounter(index, i, tree).or_else(|| self.via_asserter(index, i, tree));
        if let Some(id) = org {
            return Some(id);
        }
        // In a document, the author asserts what no entry attributes otherwise (see
        // `document_author`); elsewhere `meta.source` counts when it names a system.
        if self.document {
            return None;
        }
        let meta_source = tree.get("meta").and_then(|m| m.get("source")).and_then(Json::as_str)?;
        if !is_system_uri(meta_source) {
            return None;
        }
        let id = SourceId::new(meta_source);
        self.found.entry(id.clone()).or_insert_with(|| Source {
            id: id.clone(),
            name: None,
            kind: SourceKind::System,
            reference: Some(meta_source.to_owned()),
        });
        Some(id)
    }

    /// The organization that authored a document input, from its first Composition: an
    /// author that is an Organization (or a PractitionerRole's), else the custodian, else a
    /// Device author's owner or the device itself (a system), else the organization of a
    /// PractitionerRole of an author who is a Practitioner.
    pub(crate) fn document_author(&mut self, index: &Index<'_, '_>) -> Option<SourceId> {
        let i = index
            .resources
            .iter()
            .position(|f| f.tree.get("resourceType").and_then(Json::as_str) == Some("Composition"))?;
        let composition = index.resources.get(i)?.tree;
        let authors = composition.get("author").and_then(Json::as_array).unwrap_or_default();
        if let Some(org) = authors.iter().find_map(|a| self.organization(index, i, a)) {
            return Some(org);
        }
        if let Some(org) = composition.get("custodian").and_then(|c| self.organization(index, i, c)) {
            return Some(org);
        }
        // A device author (a system generating documents): its owner, else the device itself.
        for a in authors {
            let r = a.get("reference").and_then(Json::as_str);
            let Some(device) = r.and_then(|r| index.resolve(i, r)) else { continue };
            if device.get("resourceType").and_then(Json::as_str) != Some("Device") {
                continue;
            }
            if let Some(org) = device.get("owner").and_then(|o| self.organization(index, i, o)) {
                return Some(org);
            }
            let id = SourceId::new(device.get("id").and_then(Json::as_str).or(r).unwrap_or("device"));
            let name = device.pointer("/deviceName/0/name").and_then(Json::as_str);
            self.found.entry(id.clone()).or_insert_with(|| Source {
                id: id.clone(),
                name: name.map(str::to_owned),
                kind: SourceKind::System,
                reference: r.map(str::to_owned),
            });
            return Some(id);
        }
        // A practitioner author: the organization of a role the input gives them.
        let practitioners: Vec<&Json<'_>> = authors
            .iter()
            .filter_map(|a| index.resolve(i, a.get("reference")?.as_str()?))
            .filter(|t| t.get("resourceType").and_then(Json::as_str) == Some("Practitioner"))
            .collect();
        for (k, f) in index.resources.iter().enumerate() {
            if f.tree.get("resourceType").and_then(Json::as_str) != Some("PractitionerRole") {
                continue;
            }
            let who = f.tree.get("practitioner").and_then(|p| p.get("reference")).and_then(Json::as_str);
            let of_author = who
                .and_then(|r| index.resolve(k, r))
                .is_some_and(|p| practitioners.iter().any(|a| std::ptr::eq(*a, p)));
            if of_author {
                if let Some(org) = f.tree.get("organization").and_then(|o| self.organization(index, k, o)) {
                    return Some(org);
                }
            }
        }
        None
    }

    fn via_encounter(&mut self, index: &Index<'_, '_>, i: usize, tree: &Json<'_>) -> Option<SourceId> {
        let encounter = if tree.get("resourceType").and_then(Json::as_str) == Some("Encounter") {
            Some(tree)
        } else {
            let r = reference_of(tree.get("encounter"))
                .or_else(|| reference_of(tree.get("context").and_then(|c| c.get("encounter"))))?;
            index.resolve(i, r)
        }?;
        let provider = encounter.get("serviceProvider")?;
        self.organization(index, i, provider)
    }

    fn via_asserter(&mut self, index: &Index<'_, '_>, i: usize, tree: &Json<'_>) -> Option<SourceId> {
        // A PractitionerRole's own `organization` is where the practitioner works, not who
        // asserted the role (a document naming a colleague at another clinic): it attributes
        // the resources that reference the role, never the role itself.
        let role = tree.get("resourceType").and_then(Json::as_str) == Some("PractitionerRole");
        // The first member of each asserter name (as `tree.get` finds it), in one pass over the
        // members; then tried in `ASSERTERS` order.
        let mut found: [Option<&Json<'_>>; ASSERTERS.len()] = [None; ASSERTERS.len()];
        for (k, v) in tree.as_object().unwrap_or_default() {
            let Some(at) = ASSERTERS.iter().position(|a| *a == k) else { continue };
            if let Some(slot) = found.get_mut(at) {
                slot.get_or_insert(v);
            }
        }
        for (key, value) in ASSERTERS.iter().zip(found) {
            let Some(value) = value.filter(|_| !(role && *key == "organization")) else { continue };
            let candidates = match value {
                Json::Array(items) => items.as_slice(),
                other => std::slice::from_ref(other),
            };
            for c in candidates {
                // Procedure/Immunization wrap the reference in `actor`.
                let reference = c.get("actor").unwrap_or(c);
                if let Some(id) = self.organization(index, i, reference) {
                    return Some(id);
                }
            }
        }
        None
    }

    /// The source of an organization named by a Reference, directly or via a PractitionerRole.
    fn organization(&mut self, index: &Index<'_, '_>, i: usize, reference: &Json<'_>) -> Option<SourceId> {
        let r = reference.get("reference").and_then(Json::as_str);
        let target = r.and_then(|r| index.resolve(i, r));
        match target.and_then(|t| t.get("resourceType")).and_then(Json::as_str) {
            Some("Organization") => target.map(|t| self.add_organization(t, r)),
            Some("PractitionerRole") => {
                let org = target.and_then(|t| t.get("organization"))?;
                self.organization(index, i, org)
            }
            // A Device's `owner` keeps the device; it did not assert what the device wrote (a
            // document's software may be another organization's): a Device attributes nothing,
            // and is itself not attributed to its owner (`owner` is not an asserter).
            Some("Device") => None,
            Some(_) => None,
            // Unresolvable: a reference that names an Organization is still a source.
            None => {
                let r = r.filter(|r| r.starts_with("Organization/") || r.contains("/Organization/"))?;
                let display = reference.get("display").and_then(Json::as_str);
                let id = SourceId::new(r);
                self.found.entry(id.clone()).or_insert_with(|| Source {
                    id: id.clone(),
                    name: display.map(str::to_owned),
                    kind: SourceKind::Organization,
                    reference: Some(r.to_owned()),
                });
                Some(id)
            }
        }
    }

    fn add_organization(&mut self, org: &Json<'_>, reference: Option<&str>) -> SourceId {
        let id = org.get("id").and_then(Json::as_str).or(reference).unwrap_or("organization");
        let id = SourceId::new(id);
        self.found.entry(id.clone()).or_insert_with(|| Source {
            id: id.clone(),
            name: org.get("name").and_then(Json::as_str).map(str::to_owned),
            kind: SourceKind::Organization,
            reference: org.get("id").and_then(Json::as_str).map(|i| format!("Organization/{i}")),
        });
        id
    }
}

/// The first extension of `element` with `url`.
pub(crate) fn extension<'t, 'a>(element: &'t Json<'a>, url: &str) -> Option<&'t Json<'a>> {
    let all = element.get("extension").and_then(Json::as_array).unwrap_or_default();
    all.iter().find(|x| x.get("url").and_then(Json::as_str) == Some(url))
}

/// The `value_key` value of the first part named `url` of a complex extension; `None` when
/// that part is missing or has no such value.
pub(crate) fn value<'t, 'a>(complex: &'t Json<'a>, url: &str, value_key: &str) -> Option<&'t Json<'a>> {
    extension(complex, url)?.get(value_key)
}

fn reference_of<'t>(r: Option<&'t Json<'_>>) -> Option<&'t str> {
    match r? {
        Json::Array(items) => items.first()?.get("reference")?.as_str(),
        other => other.get("reference")?.as_str(),
    }
}
