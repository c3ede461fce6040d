//! The clinical view borrowed from its record ([`ViewRef`]) and its items ([`ItemRef`]): the
//! record's own entries, handed out without copies; [`ViewRef::to_view`] makes the owned
//! [`View`].

use super::assertion::EntryRef;
use super::report::{Conflict, Folded, Suppressed};
use super::view::{View, ViewItem};
use super::warm::{warm, WARM};
use crate::json::Json;
use crate::model::{Absence, Entry, EntryKind, Resource};

/// The clinical view borrowed from its record ([`view_ref`](super::view::view_ref)): the same
/// items, in the same order, as the [`View`] it makes, with the same conflicts, suppressions,
/// retractions and history.
pub struct ViewRef<'r> {
    /// The items shown, in view order.
    pub(super) items: Vec<Item<'r>>,
    /// Members of the items, a range per item, each by reference.
    pub(super) members: Vec<&'r Entry>,
    /// Disagreements, sorted.
    pub(super) conflicts: Vec<Conflict>,
    /// Entries left out of the view, sorted.
    pub(super) suppressed: Vec<Suppressed>,
    /// Retracted assertions, by reference.
    pub(super) retracted: Vec<&'r Entry>,
    /// Earlier versions, by reference.
    pub(super) superseded: Vec<&'r Entry>,
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

/// Replace a top-level string member of a resource (used for the most severe criticality).
fn with_member(resource: &Resource, key: &str, value: &str) -> Resource {
    let Ok(Json::Object(mut members)) = resource.json() else { return resource.clone() };
    match members.iter_mut().find(|(k, _)| k == key) {
        Some((_, v)) => *v = Json::String(value.to_owned().into()),
        None => members.push((key.to_owned().into(), Json::String(value.to_owned().into()))),
    }
    Resource::from_json(&Json::Object(members)).unwrap_or_else(|_| resource.clone())
}

/// A view item before it is built: its representative and where its members are.
pub(super) struct Item<'r> {
    /// The representative's kind and start time, read with it when the item is made (what the
    /// view is ordered by, so that ordering reads no entry again)...
    pub(super) kind: EntryKind,
    pub(super) start: i64,
    /// ... whether it is a positive statement ...
    pub(super) absence: Absence,
    /// ... the representative's index (which orders it as its reference would)...
    pub(super) rep: usize,
    /// ... and the representative.
    pub(super) entry: &'r Entry,
    /// Where its members (in index order) are in [`Builder::members`](super::resolve::Builder::members), then [`ViewRef`]'s.
    pub(super) members: std::ops::Range<usize>,
    /// Fields resolution changed, with their new values (boxed: usually none, and an item
    /// stays small).
    pub(super) changed: Box<[(&'static str, String)]>,
}
