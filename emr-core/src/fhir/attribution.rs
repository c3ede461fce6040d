//! Attribution: which organization asserted each resource of an input.
//!
//! In order: the `serviceProvider` of the resource's encounter (an Encounter's own), then an
//! Organization among `recorder`, `asserter`, `performer`, `requester`, `author`, `provider`,
//! `organization`, `custodian` (directly or through a PractitionerRole), then `meta.source`,
//! then the caller's default.

use std::collections::BTreeMap;

use super::index::Index;
use crate::json::Json;
use crate::model::{Source, SourceId, SourceKind};

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
}

/// The source id an emr-written `Provenance` names, if it is one.
pub(crate) fn emr_source_of<'t>(tree: &'t Json<'_>) -> Option<&'t str> {
    if tree.get("resourceType").and_then(Json::as_str) != Some("Provenance") {
        return None;
    }
    let what = tree.pointer("/entity/0/what/identifier")?;
    (what.get("system").and_then(Json::as_str) == Some("urn:emr:source"))
        .then(|| what.get("value").and_then(Json::as_str))
        .flatten()
}

impl Sources {
    /// Read emr's own `Provenance` resources (an `entity` identified in `urn:emr:source`): they
    /// say which source asserted each target, so an exported record imports with its sources.
    pub(crate) fn read_provenance(&mut self, index: &Index<'_, '_>) {
        for f in &index.resources {
            let Some(source) = emr_source_of(f.tree) else { continue };
            let id = SourceId::new(source);
            let who = f.tree.pointer("/agent/0/who");
            let name = who.and_then(|w| w.get("display")).and_then(Json::as_str).filter(|d| !d.is_empty());
            let reference = who.and_then(|w| w.get("reference")).and_then(Json::as_str);
            self.found.entry(id.clone()).or_insert_with(|| Source {
                id: id.clone(),
                name: name.map(str::to_owned),
                kind: SourceKind::Organization,
                reference: reference.map(str::to_owned),
            });
            for t in f.tree.get("target").and_then(Json::as_array).unwrap_or_default() {
                if let Some(r) = t.get("reference").and_then(Json::as_str) {
                    self.declared.insert(r.to_owned(), id.clone());
                    let renamed =
                        t.get("extension").and_then(Json::as_array).unwrap_or_default().iter().find_map(|x| {
                            (x.get("url").and_then(Json::as_str) == Some(super::export::ORIGINAL_FULL_URL))
                                .then(|| x.get("valueUri").and_then(Json::as_str))
                                .flatten()
                        });
                    if let Some(original) = renamed {
                        self.original.insert(r.to_owned(), original.to_owned());
                    }
                }
            }
        }
    }

    /// The full URL an entry exported under `url` came with, if emr's export renamed it.
    pub(crate) fn original_url(&self, url: &str) -> Option<&str> {
        self.original.get(url).map(String::as_str)
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
        let meta_source = tree.get("meta").and_then(|m| m.get("source")).and_then(Json::as_str)?;
        let id = SourceId::new(meta_source);
        self.found.entry(id.clone()).or_insert_with(|| Source {
            id: id.clone(),
            name: None,
            kind: SourceKind::System,
            reference: Some(meta_source.to_owned()),
        });
        Some(id)
    }

    /// The organization that authored a document input (its first Composition's author).
    pub(crate) fn document_author(&mut self, index: &Index<'_, '_>) -> Option<SourceId> {
        let i = index
            .resources
            .iter()
            .position(|f| f.tree.get("resourceType").and_then(Json::as_str) == Some("Composition"))?;
        let authors = index.resources.get(i)?.tree.get("author")?.as_array()?;
        authors.iter().find_map(|a| self.organization(index, i, a))
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
        for key in ASSERTERS {
            let Some(value) = tree.get(key) else { continue };
            let candidates: Vec<&Json<'_>> = match value {
                Json::Array(items) => items.iter().collect(),
                other => vec![other],
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

fn reference_of<'t>(r: Option<&'t Json<'_>>) -> Option<&'t str> {
    match r? {
        Json::Array(items) => items.first()?.get("reference")?.as_str(),
        other => other.get("reference")?.as_str(),
    }
}
