//! Clinicians' decisions in the view: a decision sets aside the entries it settles (each
//! reported as suppressed, the decision as a `reconciled` conflict), and a rejection is not
//! shown itself.

use std::collections::BTreeMap;

use super::assertion::EntryRef;
use super::report::{Conflict, Resolution, Suppressed};
use crate::model::{Entry, SourceId};

/// Remove from `live` the entries its decisions settle, and the rejections; what was set
/// aside, and one `reconciled` conflict per decision.
pub(super) fn settle(live: &mut Vec<&Entry>) -> (Vec<Suppressed>, Vec<Conflict>) {
    let mut suppressed = Vec::new();
    let mut reconciled = Vec::new();
    let mut set_aside: BTreeMap<(&SourceId, &str, u32), String> = BTreeMap::new();
    for d in live.iter() {
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
    (suppressed, reconciled)
}
