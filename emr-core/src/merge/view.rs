//! The clinical view: one item per clinical fact, derived deterministically from the set of
//! source assertions in a record.

use std::collections::BTreeSet;

use serde::Serialize;

use super::absent::{absence, list_of, Absence};
use super::assertion::{current, EntryRef};
use super::cluster::clusters;
use super::report::{Conflict, Folded, Resolution, Suppressed};
use super::value::{comparable, loinc, same_value};
use crate::json::Json;
use crate::model::{Entry, EntryKind, Record, Resource, SourceKind};

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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

/// When an assertion was made, for "latest wins": the source's recording time, else the
/// resource's own recorded date, else its clinical time.
fn recorded(e: &Entry) -> i64 {
    let c = e.clinical();
    e.provenance().recorded.or(c.recorded).or(c.time).map_or(i64::MIN, |t| t.latest())
}

/// Representative order: clinicians' decisions first, then the latest recorded, then by reference.
fn rank(record: &Record, e: &Entry) -> (bool, i64, EntryRef) {
    let clinician = record.source(&e.provenance().source).is_some_and(|s| s.kind == SourceKind::Clinician);
    (clinician, recorded(e), EntryRef::of(e))
}

fn severity(criticality: Option<&str>) -> u8 {
    match criticality {
        Some("high") => 3,
        Some("unable-to-assess") => 2,
        Some("low") => 1,
        _ => 0,
    }
}

fn active(status: Option<&str>) -> Option<bool> {
    match status? {
        "active" | "recurrence" | "relapse" => Some(true),
        "inactive" | "remission" | "resolved" => Some(false),
        _ => None,
    }
}

/// A medication's dose as comparable text: the first dosage's dose quantity, else its text.
fn dose(e: &Entry) -> String {
    let Ok(tree) = e.resource().json() else { return String::new() };
    let dosage = tree.get("dosageInstruction").or_else(|| tree.get("dosage")).and_then(Json::as_array);
    let first = dosage.and_then(|d| d.first());
    first
        .and_then(|d| d.pointer("/doseAndRate/0/doseQuantity"))
        .map(|q| {
            let value = q.get("value").and_then(Json::as_f64).map(|v| v.to_string()).unwrap_or_default();
            let unit = q.get("code").or_else(|| q.get("unit")).and_then(Json::as_str).unwrap_or_default();
            format!("{value} {unit}")
        })
        .or_else(|| first.and_then(|d| d.get("text")).and_then(Json::as_str).map(str::to_owned))
        .unwrap_or_default()
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

/// Split a cluster into groups that agree on `key`, in member order.
fn partition<'r, K: PartialEq>(
    members: &[&'r Entry],
    key: impl Fn(&Entry) -> K,
    same: impl Fn(&K, &K) -> bool,
) -> Vec<Vec<&'r Entry>> {
    let mut groups: Vec<(K, Vec<&Entry>)> = Vec::new();
    for e in members {
        let k = key(e);
        match groups.iter_mut().find(|(g, _)| same(g, &k)) {
            Some((_, v)) => v.push(e),
            None => groups.push((k, vec![e])),
        }
    }
    groups.into_iter().map(|(_, v)| v).collect()
}

struct Builder<'r> {
    record: &'r Record,
    items: Vec<ViewItem>,
    conflicts: Vec<Conflict>,
}

impl<'r> Builder<'r> {
    fn item(&mut self, members: &[&'r Entry], changed: Vec<(&str, String)>) {
        let Some(rep) = members.iter().copied().max_by_key(|e| rank(self.record, e)) else { return };
        let mut resource = rep.resource().clone();
        let mut fields = Vec::new();
        for (key, value) in changed {
            resource = with_member(&resource, key, &value);
            fields.push(key.to_owned());
        }
        let mut refs: Vec<EntryRef> = members.iter().map(|e| EntryRef::of(e)).collect();
        refs.sort();
        self.items.push(ViewItem {
            kind: rep.kind(),
            representative: EntryRef::of(rep),
            members: refs,
            resource,
            changed: fields,
        });
    }

    fn cluster(&mut self, members: Vec<&'r Entry>) {
        let Some(first) = members.first() else { return };
        let kind = first.kind();
        match kind {
            EntryKind::Allergy => {
                let worst =
                    members.iter().map(|e| e.clinical().criticality.as_deref()).max_by_key(|c| severity(*c)).flatten();
                let differ = members.iter().any(|e| severity(e.clinical().criticality.as_deref()) != severity(worst));
                let mut changed = Vec::new();
                if differ {
                    self.conflicts.push(conflict(kind, "criticality", &members, Resolution::MostSevere));
                    if let Some(w) = worst {
                        changed.push(("criticality", w.to_owned()));
                    }
                }
                let rep_criticality = members
                    .iter()
                    .copied()
                    .max_by_key(|e| rank(self.record, e))
                    .and_then(|e| e.clinical().criticality.clone());
                changed.retain(|(_, v)| Some(v) != rep_criticality.as_ref());
                self.item(&members, changed);
            }
            EntryKind::Condition => {
                let states: BTreeSet<bool> =
                    members.iter().filter_map(|e| active(e.clinical().clinical_status.as_deref())).collect();
                if states.len() > 1 {
                    self.conflicts.push(conflict(kind, "clinicalStatus", &members, Resolution::Latest));
                }
                self.item(&members, Vec::new());
            }
            EntryKind::Observation => {
                let code = loinc(first).map(str::to_owned);
                let groups = partition(&members, comparable, |a, b| same_value(code.as_deref(), a, b));
                if groups.len() > 1 {
                    self.conflicts.push(conflict(kind, "value", &members, Resolution::BothShown));
                }
                for g in groups {
                    self.item(&g, Vec::new());
                }
            }
            EntryKind::Medication if first.clinical().resource_type != "Medication" => {
                let groups = partition(&members, dose, |a, b| a.is_empty() || b.is_empty() || a == b);
                if groups.len() > 1 {
                    self.conflicts.push(conflict(kind, "dosage", &members, Resolution::BothShown));
                }
                for g in groups {
                    self.item(&g, Vec::new());
                }
            }
            _ => self.item(&members, Vec::new()),
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
    let cur = current(&record.entries);
    let mut live = cur.live;
    live.sort_by(|a, b| EntryRef::of(a).cmp(&EntryRef::of(b)));

    // Clinicians' decisions set aside the entries they settle; a rejection is not shown itself.
    let mut suppressed = Vec::new();
    let mut reconciled = Vec::new();
    let mut set_aside: std::collections::BTreeMap<EntryRef, String> = std::collections::BTreeMap::new();
    for d in &live {
        if let Some(decision) = &d.provenance().decision {
            let by = EntryRef::of(d);
            for r in &decision.settles {
                set_aside.insert(r.clone(), format!("settled by clinician decision {}/{}", by.source, by.id));
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
        let r = EntryRef::of(e);
        if let Some(reason) = set_aside.get(&r) {
            suppressed.push(Suppressed { entry: r, reason: reason.clone() });
            return false;
        }
        !matches!(&e.provenance().decision, Some(d) if d.action == crate::model::DecisionAction::Reject)
    });
    let mut b = Builder { record, items: Vec::new(), conflicts: reconciled };
    for group in clusters(&live) {
        b.cluster(group.iter().filter_map(|&i| live.get(i).copied()).collect());
    }
    let mut items = b.items;

    // Absent and unknown: a positive entry outweighs "no known …" and "no information" of the
    // same list; "no known …" outweighs "no information". Neither is ever evidence against a
    // positive entry.
    let by_ref: std::collections::BTreeMap<EntryRef, &Entry> = live.iter().map(|e| (EntryRef::of(e), *e)).collect();
    let entry_of = |r: &EntryRef| by_ref.get(r).copied();
    let mut with_positive = BTreeSet::new();
    let mut with_known_absent = BTreeSet::new();
    for e in items.iter().filter_map(|item| entry_of(&item.representative)) {
        match absence(e) {
            Absence::Positive => with_positive.insert(list_of(e)),
            Absence::KnownAbsent => with_known_absent.insert(list_of(e)),
            Absence::NoInformation => false,
        };
    }
    items.retain(|item| {
        let Some(e) = entry_of(&item.representative) else { return true };
        let list = list_of(e);
        let reason = match absence(e) {
            Absence::Positive => return true,
            _ if with_positive.contains(list) => {
                format!("absent/unknown statement about {list} outweighed by a positive entry")
            }
            Absence::NoInformation if with_known_absent.contains(list) => {
                format!("no information about {list} outweighed by a known-absent statement")
            }
            _ => return true,
        };
        suppressed.extend(item.members.iter().map(|m| Suppressed { entry: m.clone(), reason: reason.clone() }));
        false
    });

    let time = |item: &ViewItem| {
        entry_of(&item.representative).and_then(|e| e.clinical().time).map_or(i64::MIN, |t| t.earliest())
    };
    // One key per item (its time needs a lookup): sorting with the lookup in the comparator was
    // most of the view's cost on large records (n log² n).
    items.sort_by_cached_key(|x| (x.kind, time(x), x.representative.clone()));
    let folded = items
        .iter()
        .filter(|i| i.members.len() > 1)
        .map(|i| Folded { kind: i.kind, representative: i.representative.clone(), members: i.members.clone() })
        .collect();
    let mut conflicts = b.conflicts;
    conflicts.sort();
    suppressed.sort();
    let mut retracted: Vec<EntryRef> = cur.retracted.iter().map(|e| EntryRef::of(e)).collect();
    retracted.sort();
    let superseded = cur.superseded.iter().map(|e| EntryRef::of(e)).collect();
    View { items, folded, conflicts, suppressed, retracted, superseded }
}
