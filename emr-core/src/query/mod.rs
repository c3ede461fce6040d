//! Reading a record's clinical view: the timeline, lab trends, the current problem,
//! medication and allergy lists, and the documents with their narrative.

mod documents;
mod narrative;
mod plain_text;
mod summary;

pub use documents::{documents, DocumentCard, DocumentSection};
pub use narrative::{read_narrative, Narrative, Tag, MAX_NESTING, MAX_SPAN, XHTML};
pub use plain_text::plain_text;

pub use summary::{
    summary, IdentifierLine, NamedTrend, PatientCard, Summary, SummaryEvent, SummaryItem, SUMMARY_TRENDS,
};

use serde::{Deserialize, Serialize};

use crate::clinical;
use crate::codes::ucum;
use crate::json::Json;
use crate::merge::{view_ref, ItemRef, ViewItem, ViewRef};
use crate::model::{
    CodeableConcept, Entry, EntryKind, EntryRef, ObservationValue, PartialDate, Quantity, Record, ReferenceRange,
};

/// One line of the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TimelineEvent {
    /// When it happened (as precise as recorded).
    pub time: PartialDate,
    /// The entry kind.
    pub kind: EntryKind,
    /// What happened: the concept's text or display.
    pub label: String,
    /// The assertion shown, and how many sources reported it.
    pub entry: EntryRef,
    /// Number of assertions folded into this event.
    pub reported_by: usize,
}

/// One point of a lab or vital-sign trend, in the trend's unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TrendPoint {
    /// When measured.
    pub time: PartialDate,
    /// The value in the trend's unit.
    pub value: f64,
    /// The assertion.
    pub entry: EntryRef,
    /// Reference range low, in the trend's unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low: Option<f64>,
    /// Reference range high, in the trend's unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub high: Option<f64>,
    /// High, low or abnormal: the source's interpretation, else the value against the range
    /// ([`clinical::observation_flag`]'s rule).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag: Option<clinical::Flag>,
}

/// A series of measurements of one code, converted to one unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Trend {
    /// The code (`system|code` or a bare code) asked for.
    pub code: String,
    /// The concept's text, from the latest point.
    pub label: String,
    /// The unit every point is in: the unit of the most recent measurement.
    pub unit: Option<String>,
    /// Points in time order.
    pub points: Vec<TrendPoint>,
    /// Measurements left out because their unit cannot be converted to the trend's unit.
    pub unconvertible: usize,
}

/// The display name of source `id` of `record` (the id itself when the record has no such
/// source).
fn source_name(record: &Record, id: &str) -> String {
    record
        .sources
        .iter()
        .find(|s| s.id.as_str() == id)
        .map_or_else(|| id.to_owned(), |s| crate::clinical::source_display_name(s).to_owned())
}

/// A person's name, written out, from a resource's `name` (HumanName array): the official
/// name, else the first not marked old, else the first; its `text`, else prefixes, given names,
/// family name and suffixes. For the patient's card and the documents' authors alike.
fn person_name(resource: &Json<'_>) -> Option<String> {
    let names: Vec<&Json<'_>> = items(resource, "name").collect();
    let is_use = |n: &Json<'_>, name: &str| n.get("use").and_then(Json::as_str) == Some(name);
    let n = names
        .iter()
        .find(|n| is_use(n, "official"))
        .or_else(|| names.iter().find(|n| !is_use(n, "old")))
        .or_else(|| names.first())?;
    let own = |s: &str| Some(s.to_owned());
    n.get("text").and_then(Json::as_str).and_then(own).or_else(|| {
        let strings = |k: &str| items(n, k).filter_map(Json::as_str).collect::<Vec<_>>();
        let mut parts = strings("prefix");
        parts.extend(strings("given"));
        parts.extend(n.get("family").and_then(Json::as_str));
        parts.extend(strings("suffix"));
        parts.retain(|p| !p.is_empty());
        (!parts.is_empty()).then(|| parts.join(" "))
    })
}

/// The members of the array `key` of a JSON object (none when absent or not an array).
fn items<'j, 'a>(j: &'j Json<'a>, key: &str) -> impl Iterator<Item = &'j Json<'a>> {
    j.get(key).and_then(Json::as_array).unwrap_or_default().iter()
}

/// The label of a concept given as JSON: its text, else a coding's display.
fn label_of(j: &Json<'_>) -> Option<String> {
    CodeableConcept::from_json(j).label().map(str::to_owned)
}

fn label(item: &ItemRef<'_, '_>) -> String {
    item.representative()
        .clinical()
        .code
        .as_ref()
        .and_then(|cc| cc.label().map(str::to_owned))
        .unwrap_or_else(|| item.kind().to_string())
}

/// The clinical view as a timeline: one event per view item that has a time, oldest first
/// (ties by kind and entry), opaque resources left out.
///
/// # Example
/// ```
/// use emr_core::model::{Entry, Provenance, Record, Source};
/// let mut r = Record::default();
/// r.sources.push(Source::new("a", "A"));
/// r.entries.push(Entry::from_text(Provenance::new("a", "e1"),
///     r#"{"resourceType":"Encounter","status":"finished","class":{"code":"AMB"},"type":[{"text":"Check-up"}],"period":{"start":"2024-05-02T09:00:00Z"}}"#).unwrap());
/// let t = emr_core::query::timeline(&r);
/// assert_eq!(t[0].label, "Check-up");
/// ```
pub fn timeline(record: &Record) -> Vec<TimelineEvent> {
    timeline_in(&view_ref(record))
}

/// [`timeline`] of a view already derived.
fn timeline_in(v: &ViewRef<'_>) -> Vec<TimelineEvent> {
    let mut events: Vec<TimelineEvent> = v
        .items()
        .filter(|i| i.kind() != EntryKind::Opaque)
        .filter_map(|i| {
            let e = i.representative();
            Some(TimelineEvent {
                time: e.clinical().time?,
                kind: i.kind(),
                label: label(&i),
                entry: EntryRef::of(e),
                reported_by: i.members().len(),
            })
        })
        .collect();
    events.sort_by(|a, b| (a.time.earliest(), a.kind, &a.entry).cmp(&(b.time.earliest(), b.kind, &b.entry)));
    events
}

/// Whether `code` (`system|code`, or a bare code in any system) names an item's concept.
fn matches(code: &str, cc: Option<&crate::model::CodeableConcept>) -> bool {
    let Some(cc) = cc else { return false };
    let code = crate::codes::expand_code(code);
    let code = code.as_ref();
    match code.split_once('|') {
        Some((system, c)) => cc.has_code(system, c),
        None => cc.codings.iter().any(|k| k.code.as_deref() == Some(code)),
    }
}

/// A quantity measured for a trend, its first reference range, and the concept's label.
struct Measured {
    quantity: crate::model::Quantity,
    range: Option<ReferenceRange>,
    label: String,
    /// The flag of the source's own interpretation.
    interpretation: Option<clinical::Flag>,
}

/// The first `component` of an Observation whose code is `code` and whose value is a quantity
/// (systolic 8480-6 and diastolic 8462-4 in a blood-pressure panel, for instance).
fn component(entry: &Entry, code: &str) -> Option<Measured> {
    let json = entry.resource().json().ok()?;
    json.get("component")?.as_array()?.iter().find_map(|part| {
        let concept = part.get("code").map(CodeableConcept::from_json);
        if !matches(code, concept.as_ref()) {
            return None;
        }
        let quantity = part.get("valueQuantity").map(Quantity::from_json)?;
        let range =
            part.get("referenceRange").and_then(Json::as_array).and_then(|r| r.first()).map(|r| ReferenceRange {
                low: r.get("low").map(Quantity::from_json),
                high: r.get("high").map(Quantity::from_json),
                text: r.get("text").and_then(Json::as_str).map(str::to_owned),
            });
        let label = concept.as_ref().and_then(|cc| cc.label()).map_or_else(|| code.to_owned(), str::to_owned);
        let interpretation: Vec<CodeableConcept> = part
            .get("interpretation")
            .and_then(Json::as_array)
            .unwrap_or_default()
            .iter()
            .map(CodeableConcept::from_json)
            .collect();
        Some(Measured { quantity, range, label, interpretation: clinical::interpretation_flag(&interpretation) })
    })
}

/// The trend of one code (e.g. `4548-4` HbA1c, `http://loinc.org|2339-0` glucose) over the
/// clinical view: numeric values converted to the unit of the latest measurement (UCUM, and
/// mass ↔ substance for the analytes emr knows), with reference ranges.
///
/// # Example
/// ```
/// use emr_core::model::{Entry, Provenance, Record, Source};
/// let obs = |id: &str, t: &str, v: &str, u: &str| Entry::from_text(Provenance::new("a", id), &format!(
///   r#"{{"resourceType":"Observation","status":"final","code":{{"coding":[{{"system":"http://loinc.org","code":"2339-0"}}]}},"effectiveDateTime":"{t}","valueQuantity":{{"value":{v},"system":"http://unitsofmeasure.org","code":"{u}"}}}}"#)).unwrap();
/// let mut r = Record::default();
/// r.sources.push(Source::new("a", "A"));
/// r.entries = vec![obs("1", "2023-01-01", "108", "mg/dL"), obs("2", "2024-01-01", "5.5", "mmol/L")];
/// let t = emr_core::query::trend(&r, "2339-0");
/// assert_eq!(t.unit.as_deref(), Some("mmol/L"));
/// assert!((t.points[0].value - 5.99).abs() < 0.01);
/// ```
pub fn trend(record: &Record, code: &str) -> Trend {
    trend_in(&view_ref(record), code)
}

/// [`trend`] over a view already derived.
fn trend_in(v: &ViewRef<'_>, code: &str) -> Trend {
    let mut raw = Vec::new();
    for item in v.items().filter(|i| i.kind() == EntryKind::Observation) {
        let e = item.representative();
        let c = e.clinical();
        let Some(time) = c.time else { continue };
        let measured = if matches(code, c.code.as_ref()) {
            let Some(ObservationValue::Quantity(q)) = &c.value else { continue };
            Measured {
                quantity: q.clone(),
                range: c.reference_ranges.first().cloned(),
                label: label(&item),
                interpretation: clinical::interpretation_flag(&c.interpretation),
            }
        } else {
            // A panel (e.g. blood pressure 85354-9) reports the asked-for code as a component.
            match component(e, code) {
                Some(m) => m,
                None => continue,
            }
        };
        let q = &measured.quantity;
        let Some(value) = q.value.as_ref().map(|d| d.to_f64()).filter(|v| v.is_finite()) else { continue };
        let unit = q.code.clone().or_else(|| q.unit.clone());
        let range = measured.range.as_ref();
        let bound = |b: Option<&crate::model::Quantity>| b.and_then(|q| q.value.as_ref()).map(|d| d.to_f64());
        raw.push((
            time,
            value,
            unit,
            bound(range.and_then(|r| r.low.as_ref())),
            bound(range.and_then(|r| r.high.as_ref())),
            EntryRef::of(e),
            measured.label,
            measured.interpretation,
        ));
    }
    raw.sort_by(|a, b| (a.0.earliest(), &a.5).cmp(&(b.0.earliest(), &b.5)));
    let target = raw.last().and_then(|r| r.2.clone());
    let loinc = code.rsplit('|').next().unwrap_or(code);
    let convert = |v: f64, from: &Option<String>| -> Option<f64> {
        match (from, &target) {
            (Some(f), Some(t)) if f != t => ucum::convert_analyte(loinc, v, f, t).or_else(|| {
                let (f, t) = (ucum::Unit::parse(f).ok()?, ucum::Unit::parse(t).ok()?);
                ucum::convert(v, &f, &t).ok()
            }),
            _ => Some(v),
        }
    };
    let mut unconvertible = 0;
    let mut points = Vec::new();
    for (time, value, unit, low, high, entry, _, interpretation) in &raw {
        match convert(*value, unit) {
            Some(value) => {
                let (low, high) = (low.and_then(|l| convert(l, unit)), high.and_then(|h| convert(h, unit)));
                let flag = interpretation.or_else(|| clinical::range_flag(value, low, high));
                points.push(TrendPoint { time: *time, value, entry: entry.clone(), low, high, flag });
            }
            None => unconvertible += 1,
        }
    }
    Trend {
        code: code.to_owned(),
        label: raw.last().map(|r| r.6.clone()).unwrap_or_default(),
        unit: target,
        points,
        unconvertible,
    }
}

/// The current lists a clinician reads first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct CurrentLists {
    /// Active problems.
    pub problems: Vec<ViewItem>,
    /// Active medications.
    pub medications: Vec<ViewItem>,
    /// Active allergies and intolerances.
    pub allergies: Vec<ViewItem>,
}

/// Active problems, medications and allergies of the clinical view.
///
/// # Example
/// ```
/// let lists = emr_core::query::current_lists(&emr_core::model::Record::default());
/// assert!(lists.problems.is_empty());
/// ```
pub fn current_lists(record: &Record) -> CurrentLists {
    current_lists_in(&view_ref(record))
}

/// [`current_lists`] of a view already derived.
fn current_lists_in(v: &ViewRef<'_>) -> CurrentLists {
    let pick = |rule: fn(&crate::model::Clinical) -> bool| -> Vec<ViewItem> {
        v.items().filter(|i| rule(i.representative().clinical())).map(|i| i.to_item()).collect()
    };
    CurrentLists {
        problems: pick(clinical::is_active_problem),
        medications: pick(clinical::is_current_medication),
        allergies: pick(clinical::is_active_allergy),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Provenance, Source};

    /// A blood-pressure panel (85354-9) with systolic and diastolic components.
    fn bp(id: &str, time: &str, systolic: &str, diastolic: &str) -> Entry {
        let part = |code: &str, text: &str, v: &str| {
            format!(
                r#"{{"code":{{"coding":[{{"system":"http://loinc.org","code":"{code}","display":"{text}"}}]}},"valueQuantity":{{"value":{v},"unit":"mm[Hg]","system":"http://unitsofmeasure.org","code":"mm[Hg]"}},"referenceRange":[{{"high":{{"value":120,"code":"mm[Hg]"}}}}]}}"#
            )
        };
        let text = format!(
            r#"{{"resourceType":"Observation","status":"final","code":{{"coding":[{{"system":"http://loinc.org","code":"85354-9"}}]}},"effectiveDateTime":"{time}","component":[{},{}]}}"#,
            part("8480-6", "Systolic blood pressure", systolic),
            part("8462-4", "Diastolic blood pressure", diastolic)
        );
        Entry::from_text(Provenance::new("a", id), &text).unwrap_or_else(|e| unreachable!("{e}"))
    }

    #[test]
    fn trends_read_panel_components() {
        let mut r = Record::default();
        r.sources.push(Source::new("a", "A"));
        r.entries = vec![bp("1", "2023-01-01", "131", "82"), bp("2", "2024-01-01", "118", "76")];
        let systolic = trend(&r, "http://loinc.org|8480-6");
        let values: Vec<f64> = systolic.points.iter().map(|p| p.value).collect();
        assert_eq!(values, [131.0, 118.0]);
        assert_eq!(systolic.label, "Systolic blood pressure");
        assert_eq!(systolic.unit.as_deref(), Some("mm[Hg]"));
        assert_eq!(systolic.points[0].high, Some(120.0));
        let diastolic = trend(&r, "8462-4");
        assert_eq!(diastolic.points.iter().map(|p| p.value).collect::<Vec<_>>(), [82.0, 76.0]);
        // The panel's own code has no value: no points.
        assert!(trend(&r, "85354-9").points.is_empty());
    }
}
