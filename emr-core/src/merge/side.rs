//! One side of a conflict as a reader sees it: the disputed field's value, read losslessly.

use serde::Serialize;

use super::report::{Conflict, Resolution};
use super::view::view_ref;
use crate::json::Json;
use crate::model::{Entry, EntryRef, PartialDate, Record, Resource};

/// The longest text [`disputed_value`] returns, in characters.
const MAX_CHARS: usize = 60;

/// The value of a conflict's disputed `field` (or a choice type starting with it, e.g. `value`
/// for `valueQuantity`) in one side's resource, as short text: a string as written, a quantity
/// as `value unit` with the number exactly as the source wrote it (`6.30` stays `6.30`), a
/// concept as its first code (else display, else text). `None` when the resource does not state it.
///
/// # Example
/// ```
/// use emr_core::merge::disputed_value;
/// use emr_core::model::{Entry, Provenance};
/// let e = Entry::from_text(Provenance::new("a", "o"), r#"{"resourceType":"Observation",
///   "valueQuantity":{"value":6.30,"unit":"%"},"status":"final"}"#).unwrap();
/// assert_eq!(disputed_value(&e, "value").as_deref(), Some("6.30 %"));
/// assert_eq!(disputed_value(&e, "status").as_deref(), Some("final"));
/// assert_eq!(disputed_value(&e, "criticality"), None);
/// ```
pub fn disputed_value(entry: &Entry, field: &str) -> Option<String> {
    let tree = entry.resource().json().ok()?;
    let members = tree.as_object()?;
    let v = members
        .iter()
        .find(|(k, _)| k == field)
        .or_else(|| members.iter().find(|(k, _)| k.starts_with(field)))
        .map(|(_, v)| v)?;
    let text = match v {
        Json::String(s) => s.to_string(),
        Json::Object(_) if v.get("value").is_some() => {
            let unit = v.get("unit").or_else(|| v.get("code")).and_then(Json::as_str).unwrap_or_default();
            let value = v.get("value").map(Json::to_compact_string).unwrap_or_default();
            format!("{value} {unit}")
        }
        Json::Object(_) => v
            .get("coding")
            .and_then(Json::as_array)
            .and_then(<[Json<'_>]>::first)
            .and_then(|c| c.get("code").or_else(|| c.get("display")))
            .or_else(|| v.get("text"))
            .and_then(Json::as_str)
            .map_or_else(|| v.to_compact_string(), str::to_owned),
        other => other.to_compact_string(),
    };
    Some(text.chars().take(MAX_CHARS).collect())
}

/// When a side's source last recorded it: the entry's recording time, else the resource's own.
pub(super) fn last_modified(entry: &Entry) -> Option<PartialDate> {
    entry.provenance().recorded.or(entry.clinical().recorded)
}

/// One source's version of a disputed fact, as a clinician reviews it side by side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Side {
    /// The entry.
    pub entry: EntryRef,
    /// The source's display name, when the record has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_name: Option<String>,
    /// When the source last recorded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<PartialDate>,
    /// The disputed field in short ([`disputed_value`]: `high`, `6.30 %`); absent when the
    /// version does not state it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The whole FHIR resource as the source sent it.
    pub resource: Resource,
}

/// A conflict of the clinical view with each side's version: what `emr conflicts` lists and a
/// clinician settles with [`resolve`](super::resolve).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConflictSides {
    /// The conflict as the view reports it.
    pub conflict: Conflict,
    /// Whether a clinician's decision settles it.
    pub settled: bool,
    /// What the conflict is about: the first side's concept label, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Each side, in the conflict's order (numbered from 1 where people choose one).
    pub sides: Vec<Side>,
}

/// The record's conflicts with their sides: open ones first (in the view's order), then those a
/// clinician's decision settles.
///
/// # Example
/// ```
/// use emr_core::merge::conflict_sides;
/// use emr_core::model::{Entry, Provenance, Record, Source};
/// let allergy = |s: &str, c: &str| Entry::from_text(Provenance::new(s, "a1"), &format!(
///     r#"{{"resourceType":"AllergyIntolerance","criticality":"{c}","code":{{"coding":[{{"system":"http://snomed.info/sct","code":"91936005"}}]}}}}"#)).unwrap();
/// let mut record = Record::default();
/// record.sources = vec![Source::new("a", "Clinic A"), Source::new("b", "Clinic B")];
/// record.entries = vec![allergy("a", "low"), allergy("b", "high")];
/// let listed = conflict_sides(&record);
/// assert_eq!(listed[0].conflict.field, "criticality");
/// assert!(!listed[0].settled);
/// let values: Vec<_> = listed[0].sides.iter().map(|s| s.value.as_deref()).collect();
/// assert_eq!(values, [Some("low"), Some("high")]);
/// assert_eq!(listed[0].sides[0].source_name.as_deref(), Some("Clinic A"));
/// ```
pub fn conflict_sides(record: &Record) -> Vec<ConflictSides> {
    let mut out: Vec<ConflictSides> = view_ref(record)
        .conflicts()
        .iter()
        .map(|conflict| {
            // The view names entries of this record; one it lacked would be left out.
            let sides: Vec<Side> = conflict
                .entries
                .iter()
                .filter_map(|r| {
                    let entry = record.entry(r)?;
                    Some(Side {
                        entry: r.clone(),
                        source_name: record.source(&r.source).and_then(|s| s.name.clone()),
                        last_modified: last_modified(entry),
                        value: disputed_value(entry, &conflict.field),
                        resource: entry.resource().clone(),
                    })
                })
                .collect();
            let label = conflict
                .entries
                .first()
                .and_then(|r| record.entry(r))
                .and_then(|e| e.clinical().code.as_ref())
                .and_then(|cc| cc.label())
                .map(str::to_owned);
            ConflictSides {
                conflict: conflict.clone(),
                settled: conflict.resolution == Resolution::Clinician,
                label,
                sides,
            }
        })
        .collect();
    out.sort_by_key(|c| c.settled);
    out
}
