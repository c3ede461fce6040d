//! Where an entry came from: its source, its id there, when and in which version, and a
//! clinician's decision when it is one.

use serde::{Deserialize, Serialize};

use super::date::PartialDate;
use super::id::{EntryId, SourceId};

/// What kind of party a source is.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// A clinic, hospital, lab or practice system.
    #[default]
    Organization,
    /// A clinician reconciling the record.
    Clinician,
    /// The patient.
    Patient,
    /// A device or another system.
    System,
}

/// A source of entries in a record.
///
/// # Example
/// ```
/// use emr_core::model::{Source, SourceId};
/// let s = Source::new("clinic-a", "Northside Family Clinic");
/// assert_eq!(s.id, SourceId::new("clinic-a"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Source {
    /// Unique within the record.
    pub id: SourceId,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Organization, clinician, patient or system.
    #[serde(default)]
    pub kind: SourceKind,
    /// The source's FHIR `Organization`/`Practitioner` reference or URL, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

impl Source {
    /// An organization source with a display name.
    pub fn new(id: impl Into<SourceId>, name: impl Into<String>) -> Source {
        Source { id: SourceId::new(id), name: Some(name.into()), kind: SourceKind::Organization, reference: None }
    }

    /// A reconciling clinician as a source: named `name` (trimmed), with the id `clinician-` and
    /// the name in lower case, letters and digits kept, other runs of characters made one `-`
    /// (`clinician` alone when nothing is left).
    ///
    /// # Example
    /// ```
    /// use emr_core::model::{Source, SourceKind};
    /// let s = Source::clinician("Dr. Ana Lee");
    /// assert_eq!((s.id.as_str(), s.kind), ("clinician-dr-ana-lee", SourceKind::Clinician));
    /// assert_eq!(Source::clinician("  José  Núñez ").id.as_str(), "clinician-josé-núñez");
    /// assert_eq!(Source::clinician("***").id.as_str(), "clinician");
    /// ```
    pub fn clinician(name: &str) -> Source {
        let name = name.trim();
        let mut slug = String::new();
        for c in name.chars() {
            if c.is_alphanumeric() {
                slug.extend(c.to_lowercase());
            } else if !slug.ends_with('-') && !slug.is_empty() {
                slug.push('-');
            }
        }
        let slug = slug.trim_end_matches('-');
        let id = if slug.is_empty() { "clinician".to_owned() } else { format!("clinician-{slug}") };
        Source { kind: SourceKind::Clinician, ..Source::new(id, name) }
    }
}

/// Who asserted an entry, under which id, when, and which version of it.
///
/// # Example
/// ```
/// use emr_core::model::Provenance;
/// let p = Provenance::new("clinic-a", "cond-1").with_version(2);
/// assert_eq!(p.version, 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Provenance {
    /// The source that asserted the entry.
    pub source: SourceId,
    /// The entry's id within that source.
    pub id: EntryId,
    /// When the source recorded this version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded: Option<PartialDate>,
    /// Version of the entry within its source, from 1.
    #[serde(default = "first_version")]
    pub version: u32,
    /// The `Bundle.entry.fullUrl` it arrived with, so references to it keep resolving on export.
    #[serde(default, rename = "fullUrl", skip_serializing_if = "Option::is_none")]
    pub full_url: Option<String>,
    /// For a clinician's reconciliation decision: what was decided, about which entries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
}

/// Names one entry version of one source: what a report or a decision points at.
///
/// # Example
/// ```
/// use emr_core::model::{Entry, EntryRef, Provenance};
/// let e = Entry::from_text(Provenance::new("a", "c1").with_version(2), r#"{"resourceType":"Condition"}"#).unwrap();
/// let r = EntryRef::of(&e);
/// assert_eq!((r.source.as_str(), r.id.as_str(), r.version), ("a", "c1", 2));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EntryRef {
    /// The asserting source.
    pub source: SourceId,
    /// The entry's id in that source.
    pub id: EntryId,
    /// The version.
    pub version: u32,
}

impl EntryRef {
    /// The reference of an entry.
    pub fn of(e: &super::Entry) -> EntryRef {
        let p = e.provenance();
        EntryRef { source: p.source.clone(), id: p.id.clone(), version: p.version }
    }
}

/// What a reconciling clinician decided (ONC 170.315(b)(2)): recorded as a new assertion whose
/// provenance points at the entries it settles.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    /// Accept one version, reject one, or replace them with an edited resource.
    pub action: DecisionAction,
    /// The entries this decision settles (e.g. every version in a conflict).
    pub settles: Vec<EntryRef>,
}

/// The kind of reconciliation decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DecisionAction {
    /// The decision's resource (a copy of one settled entry) is right; the others are set aside.
    Accept,
    /// The decision's resource (a copy of one settled entry) is wrong and leaves the view.
    Reject,
    /// The decision's resource is the clinician's edited version; the settled entries are set aside.
    Edit,
}

fn first_version() -> u32 {
    1
}

impl Provenance {
    /// Version 1 of entry `id` from `source`, recording time unknown.
    pub fn new(source: impl Into<SourceId>, id: impl Into<EntryId>) -> Provenance {
        Provenance { source: source.into(), id: id.into(), recorded: None, version: 1, full_url: None, decision: None }
    }

    /// The same provenance with another version.
    pub fn with_version(mut self, version: u32) -> Provenance {
        self.version = version;
        self
    }

    /// The same provenance with a recording time.
    pub fn with_recorded(mut self, recorded: PartialDate) -> Provenance {
        self.recorded = Some(recorded);
        self
    }
}
