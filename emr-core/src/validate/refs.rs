//! Which references resolve inside a record.

use std::collections::{BTreeMap, BTreeSet};

use super::Trees;
use crate::json::Json;
use crate::model::{is_r4_resource_type, Record};

/// What a reference points to, as far as the record can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Target {
    /// A resource in the record.
    Found,
    /// The record's patient.
    ThePatient,
    /// Another Patient resource than the record's.
    OtherPatient,
    /// A resource that should be in the record but is not.
    Missing,
    /// Outside the record (absolute URL elsewhere, conditional, logical): not checked.
    External,
    /// Not a reference at all.
    Malformed,
}

/// Every `Type/id` and `urn:…` the record can resolve, borrowed from the record and its trees.
pub(super) struct Index<'t> {
    /// Resource type → ids (nested so that a lookup borrows the reference's parts).
    typed: BTreeMap<&'t str, BTreeSet<&'t str>>,
    /// Ids of those resources: `urn:uuid:{id}` names them.
    ids: BTreeSet<&'t str>,
    /// Entries' own `urn:` ids.
    urns: BTreeSet<&'t str>,
    patient: Option<(&'static str, Option<&'t str>)>,
}

/// How the record's patient is named: its `Type/id` (when it has both) and its id.
pub(super) struct PatientKeys<'t> {
    pub(super) typed: Option<(&'t str, &'t str)>,
    pub(super) id: Option<&'t str>,
}

impl<'t> Index<'t> {
    pub(super) fn new(record: &'t Record, trees: &Trees<'t, '_>) -> Index<'t> {
        let key = |tree: &'t Json<'_>| {
            let ty = tree.get("resourceType").and_then(Json::as_str);
            let id = tree.get("id").and_then(Json::as_str);
            ty.zip(id)
        };
        let patient =
            trees.patient.map(|tree| PatientKeys { typed: key(tree), id: tree.get("id").and_then(Json::as_str) });
        let entries = trees.entries.iter().flatten().filter_map(|tree| key(tree));
        let urns = record.entries.iter().map(|e| e.provenance().id.as_str());
        Index::from_parts(patient, entries, urns)
    }

    /// The index of a patient (its `Type/id` when it has both, and its id), the entries'
    /// `Type/id`s and the entries' provenance ids (those starting with `urn:` are kept).
    pub(super) fn from_parts(
        patient: Option<PatientKeys<'t>>,
        entries: impl Iterator<Item = (&'t str, &'t str)>,
        provenance_ids: impl Iterator<Item = &'t str>,
    ) -> Index<'t> {
        let mut typed: BTreeMap<&'t str, BTreeSet<&'t str>> = BTreeMap::new();
        let mut ids = BTreeSet::new();
        let mut add = |(ty, id): (&'t str, &'t str)| {
            typed.entry(ty).or_default().insert(id);
            ids.insert(id);
        };
        let patient = patient.map(|p| {
            p.typed.into_iter().for_each(&mut add);
            ("Patient", p.id)
        });
        entries.for_each(add);
        let urns = provenance_ids.filter(|id| id.starts_with("urn:")).collect();
        Index { typed, ids, urns, patient }
    }

    /// Resolve a literal reference (not `#local` ones, which the walker handles).
    pub(super) fn resolve(&self, reference: &str) -> Target {
        if reference.is_empty() || reference.chars().any(char::is_whitespace) {
            return Target::Malformed;
        }
        if reference.starts_with("urn:") {
            let by_id = reference.strip_prefix("urn:uuid:").is_some_and(|id| self.ids.contains(id));
            if by_id || self.urns.contains(reference) {
                return self.classify_urn(reference);
            }
            return Target::Missing;
        }
        if reference.contains('?') {
            return Target::External;
        }
        let absolute = reference.contains("://");
        let path = reference.split("/_history/").next().unwrap_or(reference);
        let mut parts = path.rsplit('/');
        let (id, ty) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
        if !is_r4_resource_type(ty) {
            return if absolute { Target::External } else { Target::Missing };
        }
        if self.typed.get(ty).is_some_and(|ids| ids.contains(id)) {
            return self.classify(ty, id);
        }
        match (absolute, ty) {
            (true, _) => Target::External,
            (false, "Patient") if matches!(self.patient, Some((_, Some(_)))) => Target::OtherPatient,
            _ => Target::Missing,
        }
    }

    fn classify(&self, ty: &str, id: &str) -> Target {
        match &self.patient {
            Some((pt, Some(pid))) if *pt == ty && *pid == id => Target::ThePatient,
            _ if ty == "Patient" => Target::OtherPatient,
            _ => Target::Found,
        }
    }

    fn classify_urn(&self, urn: &str) -> Target {
        match &self.patient {
            Some((_, Some(pid))) if urn.strip_prefix("urn:uuid:") == Some(*pid) => Target::ThePatient,
            _ => Target::Found,
        }
    }
}
