//! The clinical view: one item per clinical fact, derived deterministically from the set of
//! source assertions in a record. This file holds the owned [`View`] and the steps that derive
//! it, each in its own file: current assertions (`assertion`), clinicians' decisions
//! (`settle`), clustering (`cluster`), resolution (`resolve`), absent and unknown (`absent`);
//! the view borrowed from the record is `view_ref`.

use serde::Serialize;

use super::absent::outweighed;
use super::assertion::{current, EntryRef};
use super::cluster::clusters;
use super::report::{Conflict, Folded, Suppressed};
use super::resolve::Builder;
use super::settle::settle;
use super::view_ref::ViewRef;
use super::warm::{warm, WARM};
use crate::model::{EntryKind, Record, Resource, SourceKind};

/// One clinical fact as a reader sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ViewItem {
    /// The entry kind.
    pub kind: EntryKind,
    /// The assertion shown.
    pub representative: EntryRef,
    /// Every assertion folded into this item (the representative included).
    pub members: Vec<EntryRef>,
    /// The representative's resource, changed only where resolution changed a field.
    pub resource: Resource,
    /// Fields resolution changed, e.g. `criticality`.
    pub changed: Vec<String>,
}

/// The clinical view of a record, with what it folded, flagged and left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct View {
    /// One item per clinical fact, by kind, then time, then representative.
    pub items: Vec<ViewItem>,
    /// Clusters of more than one assertion.
    pub folded: Vec<Folded>,
    /// Disagreements.
    pub conflicts: Vec<Conflict>,
    /// Entries left out of the view.
    pub suppressed: Vec<Suppressed>,
    /// Retracted assertions.
    pub retracted: Vec<EntryRef>,
    /// Earlier versions.
    pub superseded: Vec<EntryRef>,
}

/// The clinical view of a record: current assertions (latest version per source entry, minus
/// retractions) clustered into one item per fact, with conflicts resolved visibly and
/// "no known …" entries outweighed by positive ones.
///
/// A pure function of the record's entries: the same set of assertions gives the same view,
/// whatever their order.
///
/// # Example
/// ```
/// use emr_core::merge::view;
/// use emr_core::model::{Entry, Provenance, Record, Source};
/// let allergy = |source: &str, criticality: &str| Entry::from_text(
///     Provenance::new(source, "a1"),
///     &format!(r#"{{"resourceType":"AllergyIntolerance","criticality":"{criticality}","code":{{"coding":[{{"system":"http://snomed.info/sct","code":"91936005"}}]}}}}"#),
/// ).unwrap();
/// let mut record = Record::default();
/// record.sources = vec![Source::new("a", "A"), Source::new("b", "B")];
/// record.entries = vec![allergy("a", "low"), allergy("b", "high")];
/// let v = view(&record);
/// assert_eq!(v.items.len(), 1);
/// assert!(v.items[0].resource.as_str().contains(r#""criticality":"high""#));
/// assert_eq!(v.conflicts[0].field, "criticality");
/// ```
pub fn view(record: &Record) -> View {
    view_ref(record).to_view()
}

/// The clinical view of a record, borrowed from it: what [`view`] derives (clustering,
/// resolution, conflicts, absent and unknown, order) before it copies anything out. Its items
/// hand out the record's own entries, so reading the view (a timeline, the current lists, an
/// export) needs no lookup by reference and allocates no member lists; [`ViewRef::to_view`]
/// makes the owned, serializable [`View`].
///
/// # Example
/// ```
/// use emr_core::merge::{view, view_ref};
/// use emr_core::model::{Entry, Provenance, Record, Source};
/// let imm = r#"{"resourceType":"Immunization","status":"completed","vaccineCode":{"coding":[{"system":"http://hl7.org/fhir/sid/cvx","code":"140"}]},"occurrenceDateTime":"2024-10-01"}"#;
/// let mut record = Record::default();
/// record.sources = vec![Source::new("a", "A"), Source::new("b", "B")];
/// record.entries = vec![Entry::from_text(Provenance::new("a", "1"), imm).unwrap(), Entry::from_text(Provenance::new("b", "9"), imm).unwrap()];
/// let v = view_ref(&record);
/// let item = v.items().next().unwrap();
/// assert_eq!(v.len(), 1);
/// assert_eq!(item.members().count(), 2);
/// assert_eq!(item.representative().provenance().source, "b");
/// assert_eq!(v.to_view(), view(&record));
/// ```
pub fn view_ref(record: &Record) -> ViewRef<'_> {
    let cur = current(&record.entries);
    // By (source, id), each once: the order of their references.
    let mut live = cur.live;

    // Clinicians' decisions set aside the entries they settle; a rejection is not shown itself.
    let (mut suppressed, reconciled) = if cur.decisions { settle(&mut live) } else { (Vec::new(), Vec::new()) };

    let clusters = clusters(&live);
    let mut b = Builder {
        record,
        live: &live,
        clinicians: record.sources.iter().any(|s| s.kind == SourceKind::Clinician),
        items: Vec::new(),
        members: Vec::new(),
        conflicts: reconciled,
    };
    // A block of clusters at a time: first the entries of those with more than one member
    // (those resolution reads), then the work.
    let mut block: Vec<&[usize]> = Vec::with_capacity(WARM);
    let mut groups = clusters.iter().peekable();
    while groups.peek().is_some() {
        block.clear();
        block.extend(groups.by_ref().take(WARM));
        warm(block.iter().filter(|g| g.len() > 1).flat_map(|g| g.iter()).filter_map(|&i| live.get(i)).map(|e| {
            let keys = e.keys();
            let clinical = if keys.kind == EntryKind::Observation { 0 } else { e.clinical().kind as usize };
            (keys.recorded as usize).wrapping_add(keys.measure.map_or(0, |m| m.value as usize)).wrapping_add(clinical)
        }));
        for group in &block {
            b.cluster(group);
        }
    }
    let Builder { items, members, conflicts, .. } = b;
    // Absent and unknown: a positive entry outweighs "no known …" and "no information" of the
    // same list; "no known …" outweighs "no information".
    let dropped = outweighed(&items, &members, &mut suppressed);

    // View order: by (kind, time, representative), where the representative's index orders it
    // as its reference would (unique per item, so the order is total). Sorted in place: no
    // second list of items is made.
    let mut items = items;
    let mut keep = dropped.iter().map(|d| !d);
    items.retain(|_| keep.next().unwrap_or(true));
    items.sort_unstable_by_key(|item| (item.kind, item.start, item.rep));
    let mut conflicts = conflicts;
    conflicts.sort();
    suppressed.sort();
    ViewRef { items, members, conflicts, suppressed, retracted: cur.retracted, superseded: cur.superseded }
}
