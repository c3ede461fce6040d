//! Resolving references inside one FHIR input: `urn:uuid:` full URLs, relative and absolute
//! `Type/id` references and `#contained` ones.

use std::collections::BTreeMap;

use crate::json::Json;
use crate::model::is_r4_resource_type;

/// Where each resource of an input is, and how references name it.
pub(crate) struct Index<'j, 'a> {
    /// Every resource found, with its JSON pointer in the input.
    pub resources: Vec<Found<'j, 'a>>,
    by_url: BTreeMap<String, usize>,
    /// Resource type → id → position (nested so that a lookup borrows the reference's parts),
    /// borrowed from the trees.
    by_type_id: BTreeMap<&'j str, BTreeMap<&'j str, usize>>,
}

/// One resource of the input.
pub(crate) struct Found<'j, 'a> {
    /// The resource tree.
    pub tree: &'j Json<'a>,
    /// JSON pointer of the resource in the input.
    pub pointer: String,
    /// `Bundle.entry.fullUrl`, when the resource came from a Bundle entry that has one.
    pub full_url: Option<String>,
}

impl<'j, 'a> Index<'j, 'a> {
    pub(crate) fn new(resources: Vec<Found<'j, 'a>>) -> Index<'j, 'a> {
        let mut by_url = BTreeMap::new();
        let mut by_type_id: BTreeMap<&'j str, BTreeMap<&'j str, usize>> = BTreeMap::new();
        for (i, f) in resources.iter().enumerate() {
            if let Some(url) = &f.full_url {
                by_url.entry(url.clone()).or_insert(i);
            }
            let ty = f.tree.get("resourceType").and_then(Json::as_str);
            let id = f.tree.get("id").and_then(Json::as_str);
            if let (Some(ty), Some(id)) = (ty, id) {
                by_type_id.entry(ty).or_default().entry(id).or_insert(i);
            }
        }
        Index { resources, by_url, by_type_id }
    }

    /// Resolve `reference` written in resource number `from`: its contained resources first,
    /// then full URLs, then `Type/id` (relative, or the tail of an absolute URL).
    pub(crate) fn resolve(&self, from: usize, reference: &str) -> Option<&'j Json<'a>> {
        if let Some(local) = reference.strip_prefix('#') {
            let container = self.resources.get(from)?.tree;
            return container
                .get("contained")
                .and_then(Json::as_array)
                .unwrap_or_default()
                .iter()
                .find(|c| c.get("id").and_then(Json::as_str) == Some(local));
        }
        if let Some(&i) = self.by_url.get(reference) {
            return self.resources.get(i).map(|f| f.tree);
        }
        let path = reference.split("/_history/").next().unwrap_or(reference);
        let mut parts = path.rsplit('/');
        let (id, ty) = (parts.next()?, parts.next()?);
        if !is_r4_resource_type(ty) {
            return None;
        }
        let i = self.by_type_id.get(ty)?.get(id)?;
        self.resources.get(*i).map(|f| f.tree)
    }
}
