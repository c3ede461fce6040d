//! Source assertions: which version of each entry is current, and which are retracted.

use std::collections::BTreeMap;

pub use crate::model::EntryRef;
use crate::model::{Entry, SourceId};

/// The latest version of every (source, id), split into live and retracted ones.
pub(crate) struct Current<'r> {
    /// Latest versions that are not `entered-in-error`.
    pub live: Vec<&'r Entry>,
    /// Latest versions marked `entered-in-error`: the source withdrew its assertion.
    pub retracted: Vec<&'r Entry>,
    /// Earlier versions, kept in the record as history.
    pub superseded: Vec<&'r Entry>,
}

/// Order of versions of one entry: version, then recording time, then content (so that two
/// different contents under one version still have a deterministic winner).
fn version_key(e: &Entry) -> (u32, i64, &str) {
    (e.provenance().version, e.provenance().recorded.map_or(i64::MIN, |r| r.latest()), e.resource().as_str())
}

pub(crate) fn current(entries: &[Entry]) -> Current<'_> {
    let mut latest: BTreeMap<(&SourceId, &str), &Entry> = BTreeMap::new();
    let mut superseded = Vec::new();
    for e in entries {
        let key = (&e.provenance().source, e.provenance().id.as_str());
        match latest.get(&key) {
            Some(cur) if version_key(cur) >= version_key(e) => superseded.push(e),
            Some(cur) => {
                superseded.push(*cur);
                latest.insert(key, e);
            }
            None => {
                latest.insert(key, e);
            }
        }
    }
    // A clinician's decision is never retracted by the status of the resource it copies (a
    // rejection usually copies an entry marked in error).
    let (retracted, live): (Vec<&Entry>, Vec<&Entry>) =
        latest.into_values().partition(|e| e.is_retracted() && e.provenance().decision.is_none());
    superseded
        .sort_by(|a, b| EntryRef::of(a).cmp(&EntryRef::of(b)).then(a.resource().as_str().cmp(b.resource().as_str())));
    Current { live, retracted, superseded }
}
