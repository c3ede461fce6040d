//! An entry: one source's assertion of one clinical fact, as a FHIR resource with provenance.

use serde::{Deserialize, Serialize};

use super::clinical::Clinical;
use super::date::PartialDate;
use super::keys::Keys;
use super::provenance::Provenance;
use super::resource::{Resource, ResourceError};
use super::EntryKind;
use crate::json::Json;

/// One entry of a record: a FHIR resource, who asserted it, and its clinical fields.
///
/// # Example
/// ```
/// use emr_core::model::{Entry, EntryKind, Provenance};
/// let e = Entry::from_text(
///     Provenance::new("clinic-a", "a1"),
///     r#"{"resourceType":"AllergyIntolerance","criticality":"high","code":{"coding":[{"system":"http://snomed.info/sct","code":"91936005"}]}}"#,
/// )?;
/// assert_eq!(e.kind(), EntryKind::Allergy);
/// assert_eq!(e.clinical().criticality.as_deref(), Some("high"));
/// # Ok::<(), emr_core::model::ResourceError>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "EntryRepr", into = "EntryRepr")]
pub struct Entry {
    provenance: Provenance,
    resource: Resource,
    /// Boxed: merging reads the keys of millions of entries and the clinical fields of few, so
    /// the rest of an entry stays small and dense.
    clinical: Box<Clinical>,
    /// What comparing entries reads, derived from the provenance and the clinical fields.
    keys: Keys,
    /// Whether FHIR import would give this provenance from the resource alone.
    plain: Plain,
}

/// Whether FHIR import derives an entry's provenance from its resource alone: its id is
/// `Type/id` of the resource, its recording time the resource's `meta.lastUpdated`, its version
/// `meta.versionId` (or, without one, import's count of the entry's versions), and it records
/// no decision. The export writes the provenance of any other entry out in full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plain {
    /// Import would give another provenance.
    No,
    /// Import gives this provenance.
    Yes,
    /// The resource has no `meta.versionId`: import gives this provenance if it counts this
    /// entry as the `version`th of its source and id.
    IfCounted,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Entry) -> bool {
        // The keys are derived from these.
        self.provenance == other.provenance && self.resource == other.resource && self.clinical == other.clinical
    }
}

impl Eq for Entry {}

/// The serialized form of an entry: the clinical fields are derived, never stored.
#[derive(Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename = "Entry")]
struct EntryRepr {
    /// Who asserted the entry.
    provenance: Provenance,
    /// The FHIR resource.
    resource: Resource,
}

impl TryFrom<EntryRepr> for Entry {
    type Error = ResourceError;

    fn try_from(r: EntryRepr) -> Result<Entry, ResourceError> {
        Entry::new(r.provenance, r.resource)
    }
}

impl From<Entry> for EntryRepr {
    fn from(e: Entry) -> EntryRepr {
        EntryRepr { provenance: e.provenance, resource: e.resource }
    }
}

impl schemars::JsonSchema for Entry {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Entry".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        EntryRepr::json_schema(generator)
    }
}

/// Whether import derives `p` from a resource of type `ty` parsed as `tree` (see [`Plain`]).
fn plain(p: &Provenance, ty: &str, tree: &Json<'_>) -> Plain {
    let id = tree.get("id").and_then(Json::as_str);
    let same_id = id.is_some_and(|id| p.id.strip_prefix(ty).and_then(|rest| rest.strip_prefix('/')) == Some(id));
    if !same_id || p.decision.is_some() {
        return Plain::No;
    }
    match derived_meta(tree) {
        (_, recorded) if !identical(recorded, p.recorded) => Plain::No,
        (Some(version), _) if version == p.version => Plain::Yes,
        (Some(_), _) => Plain::No,
        (None, _) => Plain::IfCounted,
    }
}

/// What FHIR import derives from a resource's `meta` alone: the version `versionId` gives (from 1),
/// and the recording time `lastUpdated` gives.
pub(crate) fn derived_meta(tree: &Json<'_>) -> (Option<u32>, Option<PartialDate>) {
    let meta = tree.get("meta");
    let text = |key: &str| meta.and_then(|m| m.get(key)).and_then(Json::as_str);
    let version = text("versionId").and_then(|v| v.parse::<u32>().ok()).map(|v| v.max(1));
    (version, text("lastUpdated").and_then(|t| t.parse().ok()))
}

/// Equal and written alike (`PartialDate` equality compares instants, whatever their offsets).
fn identical(a: Option<PartialDate>, b: Option<PartialDate>) -> bool {
    match (a, b) {
        (Some(PartialDate::DateTime(a)), Some(PartialDate::DateTime(b))) => a == b && a.offset() == b.offset(),
        (a, b) => a == b,
    }
}

impl Entry {
    /// Make an entry from a resource, reading its clinical fields.
    ///
    /// # Errors
    /// Only if the resource text no longer parses, which `Resource` rules out.
    pub fn new(provenance: Provenance, resource: Resource) -> Result<Entry, ResourceError> {
        let tree = resource.json()?;
        let plain = plain(&provenance, resource.resource_type(), &tree);
        let clinical = Clinical::from_json(&tree);
        drop(tree);
        Ok(Entry::with_clinical(provenance, resource, clinical, plain))
    }

    /// [`Entry::new`] for a resource whose parsed text the caller already holds (import does),
    /// so the text is not parsed again. `tree` must be the parse of `resource`'s text.
    pub(crate) fn from_parsed(provenance: Provenance, resource: Resource, tree: &Json<'_>) -> Entry {
        let plain = plain(&provenance, resource.resource_type(), tree);
        Entry::with_clinical(provenance, resource, Clinical::from_json(tree), plain)
    }

    fn with_clinical(provenance: Provenance, resource: Resource, clinical: Clinical, plain: Plain) -> Entry {
        let keys = Keys::of(&provenance, &clinical);
        Entry { provenance, resource, clinical: Box::new(clinical), keys, plain }
    }

    /// Whether FHIR import gives this entry's provenance from its resource alone, when it is
    /// the `count`th entry of its source and id that import derives so (see [`Plain`]).
    pub(crate) fn is_plain(&self, count: u32) -> bool {
        match self.plain {
            Plain::No => false,
            Plain::Yes => true,
            Plain::IfCounted => self.provenance.version == count,
        }
    }

    /// What comparing entries reads (merging does).
    pub(crate) fn keys(&self) -> &Keys {
        &self.keys
    }

    /// Make an entry from FHIR JSON text.
    ///
    /// # Errors
    /// The text is not a JSON object with a string `resourceType`.
    pub fn from_text(provenance: Provenance, text: &str) -> Result<Entry, ResourceError> {
        Entry::new(provenance, Resource::parse(text)?)
    }

    /// Replace the resource's text (see [`Resource::with_text`]): only for a change in a string
    /// the clinical fields and keys do not read (a DocumentReference's attachment data), as
    /// they are kept.
    pub(crate) fn set_unread_text(&mut self, text: String) {
        self.resource = self.resource.with_text(text);
    }

    /// Who asserted the entry.
    pub fn provenance(&self) -> &Provenance {
        &self.provenance
    }

    /// Take `source` as the source id when it is equal to it, so that both share one text (the
    /// clinical fields do not depend on it); whether it was equal.
    pub(crate) fn share_source(&mut self, source: &super::SourceId) -> bool {
        let equal = self.provenance.source == *source;
        if equal {
            self.provenance.source = source.clone();
        }
        equal
    }

    /// The FHIR resource as received.
    pub fn resource(&self) -> &Resource {
        &self.resource
    }

    /// The clinical fields of the resource, read once.
    pub fn clinical(&self) -> &Clinical {
        &self.clinical
    }

    /// The entry kind.
    pub fn kind(&self) -> EntryKind {
        self.keys.kind
    }

    /// True when the source marked this entry `entered-in-error`.
    pub fn is_retracted(&self) -> bool {
        self.keys.retracted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_pointer_width = "64")]
    fn an_entry_stays_small() {
        assert!(std::mem::size_of::<Entry>() <= 320, "{}", std::mem::size_of::<Entry>());
    }
}
