//! The merge report: what was combined, folded, in conflict, suppressed or retracted.

use serde::{Deserialize, Serialize};

use super::assertion::EntryRef;
use super::identity::IdentityScore;
use crate::model::{EntryKind, SourceId};

/// How a conflict was resolved in the clinical view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Resolution {
    /// The most severe value is shown (allergy criticality).
    MostSevere,
    /// The most recently recorded assertion is shown (condition status).
    Latest,
    /// Every version is shown, flagged (lab values, medication doses).
    BothShown,
    /// A clinician's reconciliation decision settles it.
    Clinician,
}

/// Sources disagree about one field of one clinical fact. Never dropped: reported and resolved
/// visibly.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Conflict {
    /// Stable id within a record's view (`kind/field/first entry`), for `emr resolve`.
    pub id: String,
    /// The entry kind.
    pub kind: EntryKind,
    /// The field they disagree on, e.g. `criticality`, `clinicalStatus`, `value`, `dosage`.
    pub field: String,
    /// The disagreeing assertions.
    pub entries: Vec<EntryRef>,
    /// Their sources.
    pub sources: Vec<SourceId>,
    /// What the view shows.
    pub resolution: Resolution,
}

/// Assertions of the same fact folded into one view item.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Folded {
    /// The entry kind.
    pub kind: EntryKind,
    /// The assertion shown.
    pub representative: EntryRef,
    /// Every assertion folded into it (the representative included).
    pub members: Vec<EntryRef>,
}

/// An entry left out of the view, and why.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Suppressed {
    /// The entry.
    pub entry: EntryRef,
    /// Why, e.g. `no-known-allergies outweighed by a positive entry`.
    pub reason: String,
}

/// Counts per source.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SourceCount {
    /// The source.
    pub source: SourceId,
    /// Entries (all versions) from this source.
    pub entries: usize,
    /// Latest versions that are live.
    pub current: usize,
    /// Latest versions the source retracted (`entered-in-error`).
    pub retracted: usize,
    /// Earlier versions kept as history.
    pub superseded: usize,
}

/// The identity decision taken before merging.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct IdentityReport {
    /// Comparisons of the distinct patient resources, weakest first.
    pub comparisons: Vec<IdentityScore>,
    /// True when the caller forced a merge the identity check refused.
    pub forced: bool,
}

/// The identity check of records that are to become one person's chart, without merging them
/// ([`identity_check`](super::identity_check)): the gate `merge` and an import apply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct IdentityCheck {
    /// True when every comparison finds the same person: `merge` would go ahead without `force`.
    pub same_person: bool,
    /// Comparisons of the distinct patient resources, weakest first (none when fewer than two
    /// records say who the patient is).
    pub comparisons: Vec<IdentityScore>,
}

/// What a merge did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MergeReport {
    /// Patient identity.
    pub identity: IdentityReport,
    /// Per-source counts.
    pub sources: Vec<SourceCount>,
    /// Duplicates folded (clusters with more than one assertion).
    pub folded: Vec<Folded>,
    /// Disagreements between sources.
    pub conflicts: Vec<Conflict>,
    /// Entries left out of the clinical view, with the reason.
    pub suppressed: Vec<Suppressed>,
    /// Retracted assertions (kept in the record as history).
    pub retracted: Vec<EntryRef>,
    /// Number of items in the clinical view.
    pub view_items: usize,
    /// A short summary for people.
    pub summary: String,
}
