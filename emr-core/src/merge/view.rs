//! The clinical view: one item per clinical fact, derived deterministically from the set of
//! source assertions in a record.

use crate::clinical::{condition_activity, criticality_rank};
use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::absent::{list_of, Absence};
use super::assertion::{current, EntryRef};
use super::cluster::clusters;
use super::report::{Conflict, Folded, Resolution, Suppressed};
use super::value::{comparable, loinc, same_value, Comparable};
use crate::json::Json;
use crate::model::{Entry, EntryKind, Record, Resource, SourceId, SourceKind};

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

/// The clinical view borrowed from its record ([`view_ref`]): the same items, in the same order,
/// as the [`View`] it makes, with the same conflicts, suppressions, retractions and history.
pub struct ViewRef<'r> {
    /// The items shown, in view order.
    items: Vec<Item<'r>>,
    /// Members of the items, a range per item, each by reference.
    members: Vec<&'r Entry>,
    /// Disagreements, sorted.
    conflicts: Vec<Conflict>,
    /// Entries left out of the view, sorted.
    suppressed: Vec<Suppressed>,
    /// Retracted assertions, by reference.
    retracted: Vec<&'r Entry>,
    /// Earlier versions, by reference.
    superseded: Vec<&'r Entry>,
}

/// One item of a [`ViewRef`]: one clinical fact, with the entries that assert it.
#[derive(Clone, Copy)]
pub struct ItemRef<'v, 'r> {
    view: &'v ViewRef<'r>,
    item: &'v Item<'r>,
}

impl<'r> ViewRef<'r> {
    /// The items, by kind, then time, then representative (the order of [`View::items`]).
    pub fn items(&self) -> impl ExactSizeIterator<Item = ItemRef<'_, 'r>> + '_ {
        self.items.iter().map(|item| ItemRef { view: self, item })
    }

    /// How many items the view shows.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the view shows nothing.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Disagreements ([`View::conflicts`]).
    pub fn conflicts(&self) -> &[Conflict] {
        &self.conflicts
    }

    /// Entries left out of the view, and why ([`View::suppressed`]).
    pub fn suppressed(&self) -> &[Suppressed] {
        &self.suppressed
    }

    /// The latest versions that their sources retracted (`entered-in-error`), by reference.
    pub fn retracted(&self) -> &[&'r Entry] {
        &self.retracted
    }

    /// Earlier versions, kept as history, by reference.
    pub fn superseded(&self) -> &[&'r Entry] {
        &self.superseded
    }

    /// The items of more than one assertion, as the merge report lists them.
    pub fn folded(&self) -> Vec<Folded> {
        self.items()
            .filter(ItemRef::is_folded)
            .map(|item| Folded {
                kind: item.kind(),
                representative: EntryRef::of(item.representative()),
                members: item.refs(),
            })
            .collect()
    }

    /// References to the retracted assertions, sorted ([`View::retracted`]).
    pub(crate) fn retracted_refs(&self) -> Vec<EntryRef> {
        let mut retracted: Vec<EntryRef> = self.retracted.iter().map(|e| EntryRef::of(e)).collect();
        retracted.sort();
        retracted
    }

    /// The owned, serializable view.
    pub fn to_view(&self) -> View {
        let mut items = Vec::with_capacity(self.items.len());
        let mut folded = Vec::with_capacity(self.items().filter(ItemRef::is_folded).count());
        for block in self.items.chunks(WARM) {
            // The members' references, and the count of the representative's resource.
            let block = || block.iter().map(|item| ItemRef { view: self, item });
            warm(block().flat_map(|item| {
                item.members()
                    .map(|e| e.provenance().version as usize)
                    .chain(std::iter::once(item.representative().resource().shares()))
            }));
            for item in block() {
                let built = item.to_item();
                if item.is_folded() {
                    folded.push(Folded {
                        kind: built.kind,
                        representative: built.representative.clone(),
                        members: built.members.clone(),
                    });
                }
                items.push(built);
            }
        }
        View {
            items,
            folded,
            conflicts: self.conflicts.clone(),
            suppressed: self.suppressed.clone(),
            retracted: self.retracted_refs(),
            superseded: self.superseded.iter().map(|e| EntryRef::of(e)).collect(),
        }
    }
}

impl<'v, 'r> ItemRef<'v, 'r> {
    /// The entry kind.
    pub fn kind(&self) -> EntryKind {
        self.item.kind
    }

    /// Whether the item folds more than one assertion (a [`Folded`] group).
    fn is_folded(&self) -> bool {
        self.item.members.len() > 1
    }

    /// The assertion shown.
    pub fn representative(&self) -> &'r Entry {
        self.item.entry
    }

    /// Every assertion folded into this item (the representative included), by reference.
    pub fn members(&self) -> impl ExactSizeIterator<Item = &'r Entry> + 'v {
        self.view.members.get(self.item.members.clone()).unwrap_or_default().iter().copied()
    }

    /// Fields resolution changed, e.g. `criticality`.
    pub fn changed(&self) -> impl ExactSizeIterator<Item = &'static str> + 'v {
        self.item.changed.iter().map(|(field, _)| *field)
    }

    /// The representative's resource, changed only where resolution changed a field (a copy
    /// then; else the entry's own, shared).
    pub fn resource(&self) -> Resource {
        let mut resource = self.representative().resource().clone();
        for (key, value) in &self.item.changed {
            resource = with_member(&resource, key, value);
        }
        resource
    }

    fn refs(&self) -> Vec<EntryRef> {
        self.members().map(EntryRef::of).collect()
    }

    /// The owned item ([`ViewItem`]).
    pub fn to_item(&self) -> ViewItem {
        ViewItem {
            kind: self.kind(),
            representative: EntryRef::of(self.representative()),
            members: self.refs(),
            resource: self.resource(),
            changed: self.changed().map(str::to_owned).collect(),
        }
    }
}

fn criticality(e: &Entry) -> Option<&str> {
    e.clinical().criticality.as_deref()
}

/// A medication's dose as comparable text (extracted with the entry's clinical view).
fn dose(e: &Entry) -> &str {
    e.clinical().dose.as_deref().unwrap_or_default()
}

/// Replace a top-level string member of a resource (used for the most severe criticality).
fn with_member(resource: &Resource, key: &str, value: &str) -> Resource {
    let Ok(Json::Object(mut members)) = resource.json() else { return resource.clone() };
    match members.iter_mut().find(|(k, _)| k == key) {
        Some((_, v)) => *v = Json::String(value.to_owned().into()),
        None => members.push((key.to_owned().into(), Json::String(value.to_owned().into()))),
    }
    Resource::from_json(&Json::Object(members)).unwrap_or_else(|_| resource.clone())
}

fn conflict(kind: EntryKind, field: &str, members: &[&Entry], resolution: Resolution) -> Conflict {
    let entries: Vec<EntryRef> = members.iter().map(|e| EntryRef::of(e)).collect();
    let mut sources: Vec<_> = entries.iter().map(|r| r.source.clone()).collect();
    sources.sort();
    sources.dedup();
    let first = entries.first().map(|r| format!("{}/{}", r.source, r.id)).unwrap_or_default();
    Conflict { id: format!("{kind}/{field}/{first}"), kind, field: field.to_owned(), entries, sources, resolution }
}

/// Split a cluster into groups that agree on `key`, in member order: `None` when all agree with
/// the first (the common case, which allocates nothing), else two groups or more.
fn partition<K>(members: &[usize], key: impl Fn(usize) -> K, same: impl Fn(&K, &K) -> bool) -> Option<Vec<Vec<usize>>> {
    if let Some((&first, rest)) = members.split_first() {
        let k = key(first);
        if rest.iter().all(|&i| same(&k, &key(i))) {
            return None;
        }
    }
    let mut groups: Vec<(K, Vec<usize>)> = Vec::new();
    for &i in members {
        let k = key(i);
        match groups.iter_mut().find(|(g, _)| same(g, &k)) {
            Some((_, v)) => v.push(i),
            None => groups.push((k, vec![i])),
        }
    }
    Some(groups.into_iter().map(|(_, v)| v).collect())
}

/// How many clusters are resolved, and view items built, at a time, after [`warm`]ing what
/// they read: 16 to 128 measured alike.
const WARM: usize = 32;

/// Read words of entries, one independent read after another: a tight loop of these keeps many
/// cache misses in flight at once, where the work that follows, entry by entry, would wait for
/// each in turn. At 1M entries the view is bound by such misses (the entries of one fact's
/// sources lie far apart); warming a block before working on it halves the time of the loops
/// that do it. The words mean nothing: their sum is only kept from being optimized away.
fn warm(words: impl Iterator<Item = usize>) {
    std::hint::black_box(words.fold(0usize, usize::wrapping_add));
}

/// A view item before it is built: its representative and where its members are.
struct Item<'r> {
    /// The representative's kind and start time, read with it when the item is made (what the
    /// view is ordered by, so that ordering reads no entry again)...
    kind: EntryKind,
    start: i64,
    /// ... whether it is a positive statement ...
    absence: Absence,
    /// ... the representative's index (which orders it as its reference would)...
    rep: usize,
    /// ... and the representative.
    entry: &'r Entry,
    /// Where its members (in index order) are in [`Builder::members`], then [`ViewRef`]'s.
    members: std::ops::Range<usize>,
    /// Fields resolution changed, with their new values (boxed: usually none, and an item
    /// stays small).
    changed: Box<[(&'static str, String)]>,
}

/// Builds the view over the live entries, sorted by reference: an entry's index orders it as
/// its [`EntryRef`] would, without building one.
struct Builder<'b, 'r> {
    record: &'r Record,
    live: &'b [&'r Entry],
    /// Whether any source is a clinician.
    clinicians: bool,
    items: Vec<Item<'r>>,
    members: Vec<&'r Entry>,
    conflicts: Vec<Conflict>,
}

impl<'r> Builder<'_, 'r> {
    fn entry(&self, i: usize) -> Option<&'r Entry> {
        self.live.get(i).copied()
    }

    fn entries(&self, members: &[usize]) -> Vec<&'r Entry> {
        members.iter().filter_map(|&i| self.entry(i)).collect()
    }

    /// Representative order: clinicians' decisions first, then the latest recorded, then by
    /// reference.
    fn rank(&self, i: usize) -> (bool, i64, usize) {
        let Some(e) = self.entry(i) else { return (false, i64::MIN, i) };
        let clinician = self.clinicians
            && self.record.source(&e.provenance().source).is_some_and(|s| s.kind == SourceKind::Clinician);
        (clinician, e.keys().recorded, i)
    }

    fn representative(&self, members: &[usize]) -> Option<usize> {
        match members {
            [one] => Some(*one),
            _ => members.iter().copied().max_by_key(|&i| self.rank(i)),
        }
    }

    fn item(&mut self, members: &[usize], changed: Vec<(&'static str, String)>) {
        let Some((rep, entry)) = self.representative(members).and_then(|i| Some((i, self.entry(i)?))) else { return };
        let start = self.members.len();
        let live = self.live;
        self.members.extend(members.iter().filter_map(|&i| live.get(i).copied()));
        let keys = entry.keys();
        self.items.push(Item {
            kind: keys.kind,
            start: keys.interval.map_or(i64::MIN, |(start, _)| start),
            absence: keys.absence,
            rep,
            entry,
            members: start..self.members.len(),
            changed: changed.into_boxed_slice(),
        });
    }

    /// A cluster split by `field` ([`partition`]): one item when all agree; else one item per
    /// group, and a conflict.
    fn groups(&mut self, kind: EntryKind, field: &str, members: &[usize], groups: Option<Vec<Vec<usize>>>) {
        let Some(groups) = groups else {
            self.item(members, Vec::new());
            return;
        };
        self.conflicts.push(conflict(kind, field, &self.entries(members), Resolution::BothShown));
        for g in groups {
            self.item(&g, Vec::new());
        }
    }

    /// One cluster (indices in index order) gives one item, or one per disagreeing group.
    fn cluster(&mut self, members: &[usize]) {
        if members.len() == 1 {
            // Nothing to fold, resolve or disagree with.
            self.item(members, Vec::new());
            return;
        }
        let Some(first) = members.first().and_then(|&i| self.entry(i)) else { return };
        let kind = first.kind();
        match kind {
            EntryKind::Allergy => {
                let entries = self.entries(members);
                let worst = entries.iter().map(|e| criticality(e)).max_by_key(|c| criticality_rank(*c)).flatten();
                let differ = entries.iter().any(|e| criticality_rank(criticality(e)) != criticality_rank(worst));
                let mut changed = Vec::new();
                if differ {
                    self.conflicts.push(conflict(kind, "criticality", &entries, Resolution::MostSevere));
                    if let Some(w) = worst {
                        changed.push(("criticality", w.to_owned()));
                    }
                }
                let rep_criticality = self.representative(members).and_then(|i| self.entry(i)).and_then(criticality);
                changed.retain(|(_, v)| Some(v.as_str()) != rep_criticality);
                self.item(members, changed);
            }
            EntryKind::Condition => {
                let mut states = members
                    .iter()
                    .filter_map(|&i| condition_activity(self.entry(i)?.clinical().clinical_status.as_deref()));
                let first_state = states.next();
                if states.any(|s| Some(s) != first_state) {
                    let entries = self.entries(members);
                    self.conflicts.push(conflict(kind, "clinicalStatus", &entries, Resolution::Latest));
                }
                self.item(members, Vec::new());
            }
            EntryKind::Observation => {
                let code = loinc(first);
                let live = self.live;
                let value = |i: usize| live.get(i).map_or(Comparable::None, |e| comparable(e));
                self.groups(kind, "value", members, partition(members, value, |a, b| same_value(code, a, b)));
            }
            EntryKind::Medication if first.clinical().resource_type != "Medication" => {
                let live = self.live;
                let groups = partition(
                    members,
                    |i| live.get(i).map_or("", |e| dose(e)),
                    |a, b| a.is_empty() || b.is_empty() || a == b,
                );
                self.groups(kind, "dosage", members, groups);
            }
            _ => self.item(members, Vec::new()),
        }
    }
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
    let mut suppressed = Vec::new();
    let mut reconciled = Vec::new();
    if cur.decisions {
        let mut set_aside: BTreeMap<(&SourceId, &str, u32), String> = BTreeMap::new();
        for d in &live {
            if let Some(decision) = &d.provenance().decision {
                let by = EntryRef::of(d);
                for r in &decision.settles {
                    set_aside.insert(
                        (&r.source, r.id.as_str(), r.version),
                        format!("settled by clinician decision {}/{}", by.source, by.id),
                    );
                }
                let mut entries = decision.settles.clone();
                entries.sort();
                let mut sources: Vec<_> = entries.iter().map(|r| r.source.clone()).collect();
                sources.sort();
                sources.dedup();
                reconciled.push(Conflict {
                    id: format!("{}/reconciled/{}/{}", d.kind(), by.source, by.id),
                    kind: d.kind(),
                    field: "reconciled".to_owned(),
                    entries,
                    sources,
                    resolution: Resolution::Clinician,
                });
            }
        }
        live.retain(|e| {
            let p = e.provenance();
            if let Some(reason) = set_aside.get(&(&p.source, p.id.as_str(), p.version)) {
                suppressed.push(Suppressed { entry: EntryRef::of(e), reason: reason.clone() });
                return false;
            }
            !matches!(&p.decision, Some(d) if d.action == crate::model::DecisionAction::Reject)
        });
    }

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
    // same list; "no known …" outweighs "no information". Neither is ever evidence against a
    // positive entry. Few items are not positive: only their lists are looked for.
    let absence_of = |item: &Item| item.absence;
    let list = |item: &Item| list_of(item.entry);
    let not_positive: Vec<(usize, Absence, &'static str)> = items
        .iter()
        .enumerate()
        .filter(|(_, item)| absence_of(item) != Absence::Positive)
        .map(|(k, item)| (k, absence_of(item), list(item)))
        .collect();
    let mut with_positive = BTreeSet::new();
    if !not_positive.is_empty() {
        let wanted: BTreeSet<&str> = not_positive.iter().map(|&(_, _, l)| l).collect();
        for item in items.iter().filter(|item| absence_of(item) == Absence::Positive) {
            let l = list(item);
            if wanted.contains(l) {
                with_positive.insert(l);
                if with_positive.len() == wanted.len() {
                    break;
                }
            }
        }
    }
    let with_known_absent: BTreeSet<&str> =
        not_positive.iter().filter(|&&(_, a, _)| a == Absence::KnownAbsent).map(|&(_, _, l)| l).collect();
    let mut dropped = vec![false; items.len()];
    for &(k, a, list) in &not_positive {
        let reason = if with_positive.contains(list) {
            format!("absent/unknown statement about {list} outweighed by a positive entry")
        } else if a == Absence::NoInformation && with_known_absent.contains(list) {
            format!("no information about {list} outweighed by a known-absent statement")
        } else {
            continue;
        };
        let Some(item) = items.get(k) else { continue };
        let entries = members.get(item.members.clone()).unwrap_or_default();
        suppressed.extend(entries.iter().map(|m| Suppressed { entry: EntryRef::of(m), reason: reason.clone() }));
        if let Some(d) = dropped.get_mut(k) {
            *d = true;
        }
    }

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
