//! What a patient-facing viewer shows of a record, decided here so that a viewer only renders:
//! who the patient is, where the records come from, the current lists with what a reader needs
//! of each item, immunizations, visits, and the lab trends worth charting.

use serde::{Deserialize, Serialize};

use super::{current_lists_in, items, label_of, person_name, source_name, timeline_in, trend_in, Trend};
use crate::clinical::source_display_name;
use crate::json::Json;
use crate::merge::{view_ref, ViewItem};
use crate::model::{CodeableConcept, Deceased, EntryKind, EntryRef, PartialDate, Patient, Record};

/// The lab and vital-sign trends a summary charts, in this order, when the record has
/// measurements of them (LOINC code, name). Blood pressure is charted as its systolic and
/// diastolic components: the panel code itself carries no value.
pub const SUMMARY_TRENDS: [(&str, &str); 10] = [
    ("http://loinc.org|4548-4", "HbA1c"),
    ("http://loinc.org|2339-0", "Glucose"),
    ("http://loinc.org|8480-6", "Systolic blood pressure"),
    ("http://loinc.org|8462-4", "Diastolic blood pressure"),
    ("http://loinc.org|2093-3", "Total cholesterol"),
    ("http://loinc.org|18262-6", "LDL cholesterol"),
    ("http://loinc.org|2085-9", "HDL cholesterol"),
    ("http://loinc.org|38483-4", "Creatinine"),
    ("http://loinc.org|29463-7", "Body weight"),
    ("http://loinc.org|39156-5", "Body mass index"),
];

/// A record as a patient-facing viewer shows it ([`summary`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Who the record is about, when it says.
    pub patient: Option<PatientCard>,
    /// The display names of the record's sources, sorted.
    pub sources: Vec<String>,
    /// Active problems.
    pub problems: Vec<SummaryItem>,
    /// Current medications.
    pub medications: Vec<SummaryItem>,
    /// Active allergies and intolerances.
    pub allergies: Vec<SummaryItem>,
    /// Immunizations, oldest first.
    pub immunizations: Vec<SummaryEvent>,
    /// Visits, oldest first.
    pub encounters: Vec<SummaryEvent>,
    /// The [`SUMMARY_TRENDS`] that have measurements.
    pub trends: Vec<NamedTrend>,
}

/// The patient's details, as text to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PatientCard {
    /// The official name (else the first not marked old), written out; `Unnamed patient` if none.
    pub name: String,
    /// Birth date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<PartialDate>,
    /// Administrative gender.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    /// Whether and when the patient died.
    pub deceased: Deceased,
    /// Addresses, one line each.
    pub address: Vec<String>,
    /// Phone numbers.
    pub phones: Vec<String>,
    /// Languages of communication.
    pub languages: Vec<String>,
    /// Identifiers with the name of their type.
    pub identifiers: Vec<IdentifierLine>,
}

/// An identifier as shown: what kind it is, and its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct IdentifierLine {
    /// The type's text (e.g. `Medical Record Number`), else `Other identifier`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The value.
    pub value: String,
}

/// One item of a current list, as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SummaryItem {
    /// What it is: the concept's text or display.
    pub label: String,
    /// The `system|code` of its main concept, known systems shortened (`snomed|44054006`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Since when (onset, start, authored).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<PartialDate>,
    /// Display names of the sources that report it, sorted.
    pub sources: Vec<String>,
    /// Fields on which the sources disagree (the view shows its resolution).
    pub changed: Vec<String>,
    /// An allergy's criticality (the most severe that the sources give).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criticality: Option<String>,
    /// An allergy's reactions (manifestations), in order, each once; empty for other kinds.
    #[serde(default)]
    pub reactions: Vec<String>,
    /// A medication's dose (its first dosage's dose quantity, else its text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dosage: Option<String>,
    /// The assertion shown.
    pub entry: EntryRef,
}

/// One dated event (an immunization, a visit), as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SummaryEvent {
    /// What happened.
    pub label: String,
    /// When.
    pub time: PartialDate,
    /// The display name of the source of the assertion shown.
    pub sources: Vec<String>,
    /// How many assertions (sources) report it.
    pub reported_by: usize,
}

/// A trend with the name a summary gives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NamedTrend {
    /// The name shown above the chart.
    pub name: String,
    /// The trend.
    #[serde(flatten)]
    pub trend: Trend,
}

/// The record as a patient-facing viewer shows it.
///
/// # Example
/// ```
/// use emr_core::model::{Entry, Patient, Provenance, Record, Source};
/// let mut r = Record::new(Patient::parse(r#"{"resourceType":"Patient","name":[{"given":["Ana"],"family":"Lee"}]}"#)?);
/// r.sources.push(Source::new("a", "Clinic A -"));
/// r.entries.push(Entry::from_text(Provenance::new("a", "c1"), r#"{"resourceType":"Condition",
///   "code":{"coding":[{"system":"http://snomed.info/sct","code":"44054006","display":"Diabetes"}]},"onsetDateTime":"2019-05"}"#)?);
/// let s = emr_core::query::summary(&r);
/// assert_eq!(s.patient.unwrap().name, "Ana Lee");
/// assert_eq!(s.sources, ["Clinic A"]);
/// assert_eq!(s.problems[0].label, "Diabetes");
/// assert_eq!(s.problems[0].code.as_deref(), Some("snomed|44054006"));
/// # Ok::<(), emr_core::model::ResourceError>(())
/// ```
pub fn summary(record: &Record) -> Summary {
    let name = |id: &str| source_name(record, id);
    let names = |refs: &[EntryRef]| {
        let mut v: Vec<String> = refs.iter().map(|r| name(r.source.as_str())).collect();
        v.sort();
        v.dedup();
        v
    };
    let item = |v: &ViewItem| {
        let resource = v.resource.json().ok();
        let entry = record.entry(&v.representative);
        let clinical = entry.map(|e| e.clinical());
        let allergy = v.kind == EntryKind::Allergy;
        SummaryItem {
            label: clinical
                .and_then(|c| c.code.as_ref())
                .and_then(CodeableConcept::label)
                .map_or_else(|| v.kind.to_string(), str::to_owned),
            code: clinical
                .and_then(|c| c.code.as_ref())
                .and_then(CodeableConcept::main_code)
                .map(|c| crate::codes::shorten_code(c.trim_start_matches('|')).into_owned()),
            time: clinical.and_then(|c| c.time),
            sources: names(&v.members),
            changed: v.changed.clone(),
            criticality: if allergy { resource.as_ref().and_then(|r| text(r, "criticality")) } else { None },
            reactions: if allergy { resource.as_ref().map(reactions).unwrap_or_default() } else { Vec::new() },
            dosage: if v.kind == EntryKind::Medication { clinical.and_then(|c| c.dose.clone()) } else { None },
            entry: v.representative.clone(),
        }
    };
    // One view for all of it: the lists, the timeline and every trend read the same items.
    let v = view_ref(record);
    let lists = current_lists_in(&v);
    let events = timeline_in(&v);
    let of_kind = |kind: EntryKind| {
        events
            .iter()
            .filter(|e| e.kind == kind)
            .map(|e| SummaryEvent {
                label: e.label.clone(),
                time: e.time,
                sources: vec![name(e.entry.source.as_str())],
                reported_by: e.reported_by,
            })
            .collect()
    };
    let mut sources: Vec<String> = record.sources.iter().map(|s| source_display_name(s).to_owned()).collect();
    sources.sort();
    sources.dedup();
    Summary {
        patient: record.patient.as_ref().map(card),
        sources,
        problems: lists.problems.iter().map(item).collect(),
        medications: lists.medications.iter().map(item).collect(),
        allergies: lists.allergies.iter().map(item).collect(),
        immunizations: of_kind(EntryKind::Immunization),
        encounters: of_kind(EntryKind::Encounter),
        trends: SUMMARY_TRENDS
            .iter()
            .map(|(code, name)| NamedTrend { name: (*name).to_owned(), trend: trend_in(&v, code) })
            .filter(|t| !t.trend.points.is_empty())
            .collect(),
    }
}

fn text(j: &Json<'_>, key: &str) -> Option<String> {
    j.get(key).and_then(Json::as_str).map(str::to_owned)
}

/// An allergy's manifestations, in order, each once.
fn reactions(resource: &Json<'_>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for m in items(resource, "reaction").flat_map(|r| items(r, "manifestation")) {
        if let Some(l) = label_of(m) {
            if !out.contains(&l) {
                out.push(l);
            }
        }
    }
    out
}

/// The patient's details as text.
fn card(patient: &Patient) -> PatientCard {
    let d = patient.demographics();
    let tree = patient.resource().json().ok();
    let tree = tree.as_ref();
    let join = |parts: Vec<Option<String>>| parts.into_iter().flatten().filter(|p| !p.is_empty()).collect::<Vec<_>>();
    let name = tree.and_then(person_name);
    let address = tree
        .map(|t| {
            items(t, "address")
                .map(|a| {
                    text(a, "text").unwrap_or_else(|| {
                        let mut parts: Vec<Option<String>> =
                            items(a, "line").filter_map(Json::as_str).map(|s| Some(s.to_owned())).collect();
                        parts.extend(["city", "state", "postalCode", "country"].map(|k| text(a, k)));
                        join(parts).join(", ")
                    })
                })
                .filter(|a| !a.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let languages =
        tree.map(|t| items(t, "communication").filter_map(|c| c.get("language").and_then(label_of)).collect());
    let identifiers = tree.map(|t| {
        items(t, "identifier")
            .filter_map(|i| {
                let value = text(i, "value")?;
                let kind = i.get("type").and_then(label_of).unwrap_or_else(|| "Other identifier".to_owned());
                Some(IdentifierLine { kind, value })
            })
            .collect()
    });
    PatientCard {
        name: name.unwrap_or_else(|| "Unnamed patient".to_owned()),
        birth_date: d.birth_date,
        gender: d.gender.clone(),
        deceased: d.deceased,
        address,
        phones: d
            .telecom
            .iter()
            .filter(|t| t.system.as_deref() == Some("phone"))
            .filter_map(|t| t.value.clone())
            .collect(),
        languages: languages.unwrap_or_default(),
        identifiers: identifiers.unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Entry, Provenance, Source};

    #[test]
    fn the_card_reads_names_addresses_languages_and_identifiers() {
        let p = Patient::parse(
            r#"{"resourceType":"Patient","name":[{"use":"old","family":"Old"},{"use":"official","prefix":["Dr."],"given":["Ana","María"],"family":"Lee"}],
            "address":[{"line":["1 Main St"],"city":"Springfield","postalCode":"01101"},{"text":"Somewhere"}],
            "telecom":[{"system":"email","value":"x@example.org"},{"system":"phone","value":"555-0100"}],
            "communication":[{"language":{"coding":[{"code":"es","display":"Spanish"}]}}],
            "identifier":[{"type":{"text":"Medical Record Number"},"value":"123"},{"value":"9"},{"type":{"text":"SSN"}}],
            "deceasedBoolean":true}"#,
        )
        .unwrap_or_else(|e| unreachable!("{e}"));
        let c = card(&p);
        assert_eq!(c.name, "Dr. Ana María Lee");
        assert_eq!(c.address, ["1 Main St, Springfield, 01101", "Somewhere"]);
        assert_eq!(c.phones, ["555-0100"]);
        assert_eq!(c.languages, ["Spanish"]);
        assert_eq!(
            c.identifiers.iter().map(|i| (i.kind.as_str(), i.value.as_str())).collect::<Vec<_>>(),
            [("Medical Record Number", "123"), ("Other identifier", "9")]
        );
        assert_eq!(c.deceased, Deceased::Yes);
        let unnamed = card(&Patient::parse(r#"{"resourceType":"Patient"}"#).unwrap_or_else(|e| unreachable!("{e}")));
        assert_eq!(unnamed.name, "Unnamed patient");
    }

    #[test]
    fn allergies_carry_reactions_and_medications_their_dose() {
        let mut r = Record::default();
        r.sources.push(Source::new("a", "A"));
        let entry = |id: &str, text: &str| {
            Entry::from_text(Provenance::new("a", id), text).unwrap_or_else(|e| unreachable!("{e}"))
        };
        r.entries.push(entry("x", r#"{"resourceType":"AllergyIntolerance","criticality":"high","code":{"text":"Peanut"},
            "reaction":[{"manifestation":[{"text":"Hives"},{"text":"Hives"}]},{"manifestation":[{"coding":[{"display":"Wheeze"}]}]}]}"#));
        r.entries.push(entry(
            "m",
            r#"{"resourceType":"MedicationRequest","status":"active","medicationCodeableConcept":{"text":"Metformin"},
            "dosageInstruction":[{"doseAndRate":[{"doseQuantity":{"value":500,"unit":"mg"}}]}]}"#,
        ));
        let s = summary(&r);
        assert_eq!(s.allergies[0].reactions, ["Hives", "Wheeze"]);
        assert_eq!(s.allergies[0].criticality.as_deref(), Some("high"));
        assert_eq!(s.medications[0].label, "Metformin");
        assert!(s.medications[0].dosage.as_deref().is_some_and(|d| d.contains("500")));
        assert!(s.trends.is_empty() && s.immunizations.is_empty());
    }
}
