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

/// Whether `entry` is what its source asserts now: the latest version of its (source, id) in
/// `record` (the version that [`view`](super::view) reads), and not retracted by its source
/// (`entered-in-error`). For readers that show each assertion apart (the documents); linear in
/// the record's entries.
///
/// # Example
/// ```
/// use emr_core::model::{Entry, Provenance, Record, Source};
/// let mut r = Record::default();
/// r.sources.push(Source::new("a", "A"));
/// let note = |v: u32, status: &str| Entry::from_text(Provenance::new("a", "n").with_version(v),
///     &format!(r#"{{"resourceType":"Composition","status":"{status}","date":"2024-01-01"}}"#)).unwrap();
/// r.entries = vec![note(1, "preliminary"), note(2, "final")];
/// assert!(!emr_core::merge::is_current(&r, &r.entries[0]) && emr_core::merge::is_current(&r, &r.entries[1]));
/// r.entries.push(note(3, "entered-in-error"));
/// assert!(!emr_core::merge::is_current(&r, &r.entries[2]));
/// ```
pub fn is_current(record: &crate::model::Record, entry: &Entry) -> bool {
    let winner = record.entries.iter().filter(|e| same_entry(e, entry) == Ordering::Equal).reduce(|cur, e| {
        if version_key(cur) >= version_key(e) {
            cur
        } else {
            e
        }
    });
    winner.is_some_and(|w| std::ptr::eq(w, entry)) && !withdrawn(entry)
}

/// Whether the latest version of an entry withdraws the assertion: marked `entered-in-error`
/// (a clinician's decision is never retracted by the status of the resource it copies: a
/// rejection usually copies an entry marked in error).
fn withdrawn(winner: &Entry) -> bool {
    winner.keys().retracted && winner.provenance().decision.is_none()
}

pub(crate) fn current(entries: &[Entry]) -> Current<'_> {
    // Runs of versions of one entry, by (source, id). Records keep their entries sorted, so one
    // pass over the entries themselves usually finds the runs (and checks that each starts after
    // the one before); otherwise a stable sort by (source, id) of references comes first, which
    // keeps the versions of one entry in record order.
    let empty = || Current {
        live: Vec::with_capacity(entries.len()),
        retracted: Vec::new(),
        superseded: Vec::new(),
        decisions: false,
    };
    let mut out = empty();
    let mut last: Option<&Entry> = None;
    let sorted = entries.chunk_by(|a, b| same_entry(a, b) == Ordering::Equal).all(|versions| {
        let first = versions.first();
        if let (Some(a), Some(b)) = (last, first) {
            if same_entry(a, b) != Ordering::Less {
                return false;
            }
        }
        last = first;
        out.add(versions.iter());
        true
    });
    if !sorted {
        out = empty();
        let mut order: Vec<&Entry> = entries.iter().collect();
        order.sort_by(|a, b| same_entry(a, b));
        for versions in order.chunk_by(|a, b| same_entry(a, b) == Ordering::Equal) {
            out.add(versions.iter().copied());
        }
    }
    out.superseded.sort_by(|a, b| by_ref(a, b).then_with(|| a.resource().as_str().cmp(b.resource().as_str())));
    out
}

impl<'r> Current<'r> {
    /// Take the versions of one entry, in record order.
    fn add(&mut self, versions: impl Iterator<Item = &'r Entry> + Clone) {
        // The greatest version key wins; among equal keys, the first in record order.
        let Some(winner) = versions.clone().reduce(|cur, e| if version_key(cur) >= version_key(e) { cur } else { e })
        else {
            return;
        };
        self.superseded.extend(versions.filter(|e| !std::ptr::eq(*e, winner)));
        if withdrawn(winner) {
            self.retracted.push(winner);
        } else {
            self.decisions |= winner.provenance().decision.is_some();
            self.live.push(winner);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Provenance;

    fn entry(source: &str, id: &str, version: u32, status: &str) -> Entry {
        let text = format!(
            r#"{{"resourceType":"Condition","clinicalStatus":{{"coding":[{{"code":"{status}"}}]}},"verificationStatus":{{"coding":[{{"code":"{status}"}}]}}}}"#
        );
        let Ok(e) = Entry::from_text(Provenance::new(source, id).with_version(version), &text) else {
            unreachable!("test resource parses")
        };
        e
    }

    fn names(entries: &[&Entry]) -> Vec<String> {
        entries
            .iter()
            .map(|e| format!("{}/{}/{}", e.provenance().source, e.provenance().id, e.provenance().version))
            .collect()
    }

    #[test]
    fn unsorted_entries_give_the_same_current_versions() {
        let sorted = vec![
            entry("a", "1", 1, "active"),
            entry("a", "1", 2, "resolved"),
            entry("a", "2", 1, "entered-in-error"),
            entry("b", "1", 1, "active"),
        ];
        let shuffled = vec![sorted[3].clone(), sorted[1].clone(), sorted[2].clone(), sorted[0].clone()];
        let (s, u) = (current(&sorted), current(&shuffled));
        assert_eq!(names(&s.live), vec!["a/1/2", "b/1/1"]);
        assert_eq!(names(&s.retracted), vec!["a/2/1"]);
        assert_eq!(names(&s.superseded), vec!["a/1/1"]);
        assert_eq!(
            (names(&u.live), names(&u.retracted), names(&u.superseded)),
            (names(&s.live), names(&s.retracted), names(&s.superseded))
        );
        assert!(current(&[]).live.is_empty());
    }
}
