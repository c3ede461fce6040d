//! Duplicate clustering across sources: same coded concept (any shared code of the same system)
//! at a compatible time, with kind-specific tolerances.
//!
//! Tolerances follow the HL7 Personal Health Record Format IG's informative ones: conditions
//! ±30 days, medications ±7 days, vital signs ±1 hour, labs ±1 day; immunizations and
//! procedures on the same day. Allergies cluster by substance alone. Kinds without a usable code
//! (notes, claims, coverage, opaque resources…) fold only when their content is identical.

use std::collections::BTreeMap;

use crate::model::{Entry, EntryKind};

const HOUR: i64 = 3600;
const DAY: i64 = 24 * HOUR;

/// How entries of one kind are matched in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Window {
    /// The concept alone decides (allergies).
    Any,
    /// Times must be within this many seconds; `required`: entries without a time never fold.
    Within { seconds: i64, required: bool },
    /// Only identical content folds.
    Content,
}

fn window(e: &Entry) -> Window {
    let c = e.clinical();
    let lab = c.category.iter().any(|cc| cc.codings.iter().any(|k| k.code.as_deref() == Some("laboratory")));
    match (e.kind(), c.resource_type.as_str()) {
        (EntryKind::Allergy, _) => Window::Any,
        (EntryKind::Condition, _) => Window::Within { seconds: 30 * DAY, required: false },
        (EntryKind::Medication, "Medication") => Window::Content,
        (EntryKind::Medication, _) => Window::Within { seconds: 7 * DAY, required: false },
        (EntryKind::Immunization, _) => Window::Within { seconds: 12 * HOUR, required: true },
        (EntryKind::Observation, _) if lab => Window::Within { seconds: DAY, required: true },
        (EntryKind::Observation | EntryKind::Encounter, _) => Window::Within { seconds: HOUR, required: true },
        (EntryKind::Procedure | EntryKind::DiagnosticReport, _) => Window::Within { seconds: DAY, required: true },
        _ => Window::Content,
    }
}

/// The interval an entry covers: onset/effective start to abatement/end (seconds).
fn interval(e: &Entry) -> Option<(i64, i64)> {
    let c = e.clinical();
    let start = c.time?;
    let end = c.end.map_or(start.latest(), |end| end.latest().max(start.latest()));
    Some((start.earliest(), end))
}

/// Union–find over entry indices.
struct Sets(Vec<usize>);

impl Sets {
    fn find(&mut self, mut i: usize) -> usize {
        while let Some(&p) = self.0.get(i) {
            if p == i {
                break;
            }
            let grand = self.0.get(p).copied().unwrap_or(p);
            if let Some(slot) = self.0.get_mut(i) {
                *slot = grand;
            }
            i = p;
        }
        i
    }

    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        // The smaller root wins, so the result does not depend on the order of unions.
        let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
        if let Some(slot) = self.0.get_mut(hi) {
            *slot = lo;
        }
    }
}

/// The content key of an entry for kinds that fold only when identical: its resource without
/// `id`, `meta` and narrative, canonically ordered.
fn content_key(e: &Entry) -> String {
    let Ok(tree) = e.resource().json() else { return e.resource().as_str().to_owned() };
    match tree {
        crate::json::Json::Object(members) => crate::json::Json::Object(
            members.into_iter().filter(|(k, _)| !matches!(k.as_ref(), "id" | "meta" | "text")).collect(),
        )
        .to_canonical_string(),
        other => other.to_canonical_string(),
    }
}

/// Group `entries` (sorted by the caller) into clusters of duplicates: index lists, each sorted,
/// in order of their first index.
pub(crate) fn clusters(entries: &[&Entry]) -> Vec<Vec<usize>> {
    let mut sets = Sets((0..entries.len()).collect());
    let mut coded: BTreeMap<(EntryKind, &str, &str), Vec<usize>> = BTreeMap::new();
    let mut by_content: BTreeMap<(EntryKind, String), Vec<usize>> = BTreeMap::new();
    for (i, e) in entries.iter().enumerate() {
        let w = window(e);
        let codes: Vec<(&str, &str)> = match w {
            Window::Content => Vec::new(),
            _ => e
                .clinical()
                .code
                .iter()
                .flat_map(|cc| cc.codings.iter())
                .filter_map(|k| Some((k.system.as_deref()?, k.code.as_deref()?)))
                .collect(),
        };
        if codes.is_empty() {
            by_content.entry((e.kind(), content_key(e))).or_default().push(i);
        }
        for (system, code) in codes {
            coded.entry((e.kind(), system, code)).or_default().push(i);
        }
    }
    for members in by_content.values() {
        for pair in members.windows(2) {
            if let [a, b] = pair {
                sets.union(*a, *b);
            }
        }
    }
    for members in coded.values() {
        link_in_time(entries, members, &mut sets);
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..entries.len() {
        let root = sets.find(i);
        groups.entry(root).or_default().push(i);
    }
    groups.into_values().collect()
}

/// Link members of one concept block whose times are compatible: sweep in start order, joining
/// an entry to the running chain when it starts within the window after the chain's latest end.
fn link_in_time(entries: &[&Entry], members: &[usize], sets: &mut Sets) {
    let Some(first) = members.first().and_then(|&i| entries.get(i)) else { return };
    match window(first) {
        Window::Any | Window::Content => {
            for pair in members.windows(2) {
                if let [a, b] = pair {
                    sets.union(*a, *b);
                }
            }
        }
        Window::Within { seconds, required } => {
            let mut timed = Vec::new();
            let mut untimed = Vec::new();
            for &i in members {
                match entries.get(i).and_then(|e| interval(e)) {
                    Some((start, end)) => timed.push((start, end, i)),
                    None => untimed.push(i),
                }
            }
            timed.sort_unstable();
            let mut chain: Option<(i64, usize)> = None;
            for &(start, end, i) in &timed {
                chain = match chain {
                    Some((latest, head)) if start.saturating_sub(latest) <= seconds => {
                        sets.union(head, i);
                        Some((latest.max(end), head))
                    }
                    _ => Some((end, i)),
                };
            }
            // Without a time, an entry of a kind where time is optional joins its concept.
            if !required {
                let anchor = timed.first().map(|t| t.2).or_else(|| untimed.first().copied());
                if let Some(anchor) = anchor {
                    for &i in &untimed {
                        sets.union(anchor, i);
                    }
                }
            }
        }
    }
}
