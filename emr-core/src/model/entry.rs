//! An entry: one source's assertion of one clinical fact, as a FHIR resource with provenance.

use serde::{Deserialize, Serialize};

use super::provenance::Provenance;
use super::resource::{Resource, ResourceError};
use super::view::Clinical;
use super::EntryKind;
use crate::json::Json;
use crate::merge::keys::Keys;

/// One entry of a record: a FHIR resource, who asserted it, and its clinical view.
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
    /// Boxed: merging reads the keys of millions of entries and the clinical view of few, so
    /// the rest of an entry stays small and dense.
    clinical: Box<Clinical>,
    /// What merging compares, derived from the provenance and the clinical view.
    keys: Keys,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Entry) -> bool {
        // The keys are derived from these.
        self.provenance == other.provenance && self.resource == other.resource && self.clinical == other.clinical
    }
}

impl Eq for Entry {}

/// The serialized form of an entry: the view is derived, never stored.
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

impl Entry {
    /// Make an entry from a resource, extracting its clinical view.
    ///
    /// # Errors
    /// Only if the resource text no longer parses, which `Resource` rules out.
    pub fn new(provenance: Provenance, resource: Resource) -> Result<Entry, ResourceError> {
        let clinical = Clinical::from_json(&resource.json()?);
        Ok(Entry::with_clinical(provenance, resource, clinical))
    }

    /// [`Entry::new`] for a resource whose parsed text the caller already holds (import does),
    /// so the text is not parsed again. `tree` must be the parse of `resource`'s text.
    pub(crate) fn from_parsed(provenance: Provenance, resource: Resource, tree: &Json<'_>) -> Entry {
        Entry::with_clinical(provenance, resource, Clinical::from_json(tree))
    }

    fn with_clinical(provenance: Provenance, resource: Resource, clinical: Clinical) -> Entry {
        let keys = Keys::of(&provenance, &clinical);
        Entry { provenance, resource, clinical: Box::new(clinical), keys }
    }

    /// What merging compares.
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

    /// Who asserted the entry.
    pub fn provenance(&self) -> &Provenance {
        &self.provenance
    }

    /// Take `source` as the source id when it is equal to it, so that both share one text (the
    /// clinical view does not depend on it); whether it was equal.
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

    /// The clinical view of the resource.
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
