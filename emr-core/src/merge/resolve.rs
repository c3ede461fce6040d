//! Resolution: each cluster of assertions becomes one view item, or one per disagreeing group,
//! with the conflict reported — allergies show the most severe criticality, conditions the
//! latest status, observations and medications that disagree on the value or dose are shown
//! side by side.

use super::assertion::EntryRef;
use super::report::{Conflict, Resolution};
use super::value::{comparable, loinc, same_value, Comparable};
use super::view_ref::Item;
use crate::clinical::{condition_activity, criticality_rank};
use crate::model::{Entry, EntryKind, Record, SourceKind};

fn criticality(e: &Entry) -> Option<&str> {
    e.clinical().criticality.as_deref()
}

/// A medication's dose as comparable text (extracted with the entry's clinical view).
fn dose(e: &Entry) -> &str {
    e.clinical().dose.as_deref().unwrap_or_default()
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

/// Builds the view over the live entries, sorted by reference: an entry's index orders it as
/// its [`EntryRef`] would, without building one.
pub(super) struct Builder<'b, 'r> {
    pub(super) record: &'r Record,
    pub(super) live: &'b [&'r Entry],
    /// Whether any source is a clinician.
    pub(super) clinicians: bool,
    pub(super) items: Vec<Item<'r>>,
    pub(super) members: Vec<&'r Entry>,
    pub(super) conflicts: Vec<Conflict>,
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
    pub(super) fn cluster(&mut self, members: &[usize]) {
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
