//! What a record does with an assertion that arrives again: the one "already present" rule that
//! import into a stored record and merging share.
//!
//! A source's export usually repeats an entry's id without a `meta.versionId`. When the
//! resource is unchanged, the record already holds it. When it changed — an allergy marked
//! `entered-in-error`, a corrected lab value, a stopped medication — it is a new version of
//! that source's assertion, and the latest version wins in the clinical view. Comparing ids and
//! version numbers alone would drop the update.

use super::entry::Entry;
use super::provenance::Provenance;

/// What to do with an incoming entry, given the versions a record holds of the same source and id.
///
/// # Example
/// ```
/// use emr_core::model::{arrival, Arrival, Entry, Provenance};
/// let held = Entry::from_text(Provenance::new("clinic-a", "AllergyIntolerance/a1"),
///     r#"{"resourceType":"AllergyIntolerance","id":"a1","verificationStatus":{"coding":[{"code":"confirmed"}]}}"#)?;
/// let same = held.clone();
/// let retracted = Entry::from_text(Provenance::new("clinic-a", "AllergyIntolerance/a1"),
///     r#"{"resourceType":"AllergyIntolerance","id":"a1","verificationStatus":{"coding":[{"code":"entered-in-error"}]}}"#)?;
/// assert_eq!(arrival(&same, [&held]), Arrival::Present);
/// // The update is version 2 of the clinic's assertion, although it came without a versionId.
/// assert_eq!(arrival(&retracted, [&held]), Arrival::New { version: 2 });
/// # Ok::<(), emr_core::model::ResourceError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    /// An identical assertion (same resource, same decision) is already held: nothing to add.
    Present,
    /// A new assertion, kept under `version`: the incoming entry's own, or one past the highest
    /// held version when that number is already taken by other content.
    New {
        /// The version to keep it under.
        version: u32,
    },
}

/// Decide what a record does with `incoming`, given the versions it already holds of the same
/// source and id (`held`; entries of other sources or ids are ignored).
///
/// Present when one held version has the same resource text and decision; otherwise new, under
/// its own version if that is above every held one, else one past the highest.
pub fn arrival<'a>(incoming: &Entry, held: impl IntoIterator<Item = &'a Entry>) -> Arrival {
    let p = incoming.provenance();
    let mut highest = 0;
    for h in held {
        let q = h.provenance();
        if q.source != p.source || q.id != p.id {
            continue;
        }
        if h.resource() == incoming.resource() && q.decision == p.decision {
            return Arrival::Present;
        }
        highest = highest.max(q.version);
    }
    Arrival::New { version: if p.version > highest { p.version } else { highest.saturating_add(1) } }
}

impl Entry {
    /// The same assertion under another version (what [`Arrival::New`] asks for).
    ///
    /// # Example
    /// ```
    /// use emr_core::model::{Entry, Provenance};
    /// let e = Entry::from_text(Provenance::new("a", "c1"), r#"{"resourceType":"Condition"}"#)?;
    /// assert_eq!(e.with_version(3).provenance().version, 3);
    /// # Ok::<(), emr_core::model::ResourceError>(())
    /// ```
    #[must_use]
    pub fn with_version(self, version: u32) -> Entry {
        if self.provenance().version == version {
            return self;
        }
        let provenance = Provenance { version, ..self.provenance().clone() };
        let resource = self.resource().clone();
        // The resource parsed when this entry was made, so it parses again.
        Entry::new(provenance, resource).unwrap_or(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(source: &str, id: &str, version: u32, status: &str) -> Entry {
        let text = format!(r#"{{"resourceType":"Observation","id":"o","status":"{status}"}}"#);
        Entry::from_text(Provenance::new(source, id).with_version(version), &text)
            .unwrap_or_else(|e| unreachable!("test resource parses: {e}"))
    }

    #[test]
    fn identical_content_under_any_version_is_present() {
        let held = [entry("a", "o", 1, "preliminary"), entry("a", "o", 2, "final")];
        assert_eq!(arrival(&entry("a", "o", 1, "final"), &held), Arrival::Present);
        assert_eq!(arrival(&entry("a", "o", 1, "preliminary"), &held), Arrival::Present);
    }

    #[test]
    fn changed_content_is_the_next_version() {
        let held = [entry("a", "o", 1, "preliminary"), entry("a", "o", 2, "final")];
        assert_eq!(arrival(&entry("a", "o", 1, "amended"), &held), Arrival::New { version: 3 });
        // A source's own, higher version number is kept.
        assert_eq!(arrival(&entry("a", "o", 7, "amended"), &held), Arrival::New { version: 7 });
        // Other sources and ids do not count.
        assert_eq!(arrival(&entry("b", "o", 1, "final"), &held), Arrival::New { version: 1 });
        assert_eq!(arrival(&entry("a", "p", 1, "final"), &held), Arrival::New { version: 1 });
        assert_eq!(arrival(&entry("a", "o", 1, "final"), []), Arrival::New { version: 1 });
    }

    #[test]
    fn a_decision_differs_from_the_entry_it_copies() {
        use crate::model::{Decision, DecisionAction};
        let held = entry("a", "o", 1, "final");
        let mut p = held.provenance().clone();
        p.decision = Some(Decision { action: DecisionAction::Accept, settles: vec![] });
        let decided = Entry::new(p, held.resource().clone()).unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(arrival(&decided, [&held]), Arrival::New { version: 2 });
        assert_eq!(held.clone().with_version(2).provenance().version, 2);
        assert_eq!(held.clone().with_version(2).resource(), held.resource());
    }
}
