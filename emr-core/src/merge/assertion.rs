//! Source assertions: which version of each entry is current, and which are retracted.

use std::cmp::Ordering;

use crate::model::Entry;
pub use crate::model::EntryRef;

/// The latest version of every (source, id), split into live and retracted ones.
pub(crate) struct Current<'r> {
    /// Latest versions that are not `entered-in-error`, by (source, id).
    pub live: Vec<&'r Entry>,
    /// Latest versions marked `entered-in-error`: the source withdrew its assertion. By (source, id).
    pub retracted: Vec<&'r Entry>,
    /// Earlier versions, kept in the record as history. By reference, then content.
    pub superseded: Vec<&'r Entry>,
    /// Whether any live entry is a clinician's decision.
    pub decisions: bool,
}

/// Order of versions of one entry: version, then recording time, then content (so that two
/// different contents under one version still have a deterministic winner).
fn version_key(e: &Entry) -> (u32, i64, &str) {
    (e.provenance().version, e.provenance().recorded.map_or(i64::MIN, |r| r.latest()), e.resource().as_str())
}

/// Which entry of a source an entry is a version of.
fn same_entry(a: &Entry, b: &Entry) -> Ordering {
    let (a, b) = (a.provenance(), b.provenance());
    a.source.cmp(&b.source).then_with(|| a.id.cmp(&b.id))
}

/// The order of [`EntryRef`]s, compared borrowed: (source, id, version).
pub(crate) fn by_ref(a: &Entry, b: &Entry) -> Ordering {
    same_entry(a, b).then_with(|| a.provenance().version.cmp(&b.provenance().version))
}

pub(crate) fn current(entries: &[Entry]) -> Current<'_> {
    // A stable sort by (source, id): records keep their entries sorted, so this is one pass,
    // and versions of one entry stay in record order.
    let mut order: Vec<&Entry> = entries.iter().collect();
    order.sort_by(|a, b| same_entry(a, b));
    let mut live = Vec::new();
    let mut retracted = Vec::new();
    let mut superseded = Vec::new();
    let mut decisions = false;
    for versions in order.chunk_by(|a, b| same_entry(a, b).is_eq()) {
        // The greatest version key wins; among equal keys, the first in record order.
        let Some(winner) =
            versions.iter().copied().reduce(|cur, e| if version_key(cur) >= version_key(e) { cur } else { e })
        else {
            continue;
        };
        superseded.extend(versions.iter().copied().filter(|e| !std::ptr::eq(*e, winner)));
        // A clinician's decision is never retracted by the status of the resource it copies (a
        // rejection usually copies an entry marked in error).
        if winner.is_retracted() && winner.provenance().decision.is_none() {
            retracted.push(winner);
        } else {
            decisions |= winner.provenance().decision.is_some();
            live.push(winner);
        }
    }
    superseded.sort_by(|a, b| by_ref(a, b).then_with(|| a.resource().as_str().cmp(b.resource().as_str())));
    Current { live, retracted, superseded, decisions }
}
