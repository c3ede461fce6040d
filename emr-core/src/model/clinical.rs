//! The clinical fields of a resource: kind, codes, times, values and status, read once.
//! (Not a *view*: that word names the record's clinical view, `merge::View`.)

use serde::{Deserialize, Serialize};

use super::coding::{string_at, CodeableConcept, Quantity, Reference};
use super::date::PartialDate;
use super::kind::EntryKind;
use crate::json::Json;

/// An observation's `value[x]`, typed.
///
/// # Example
/// ```
/// use emr_core::model::{Entry, ObservationValue, Provenance};
/// let e = Entry::from_text(Provenance::new("lab", "o1"), r#"{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":6.3,"unit":"%"}}"#)?;
/// assert!(matches!(e.clinical().value, Some(ObservationValue::Quantity(_))));
/// # Ok::<(), emr_core::model::ResourceError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", tag = "type", content = "value")]
#[non_exhaustive]
pub enum ObservationValue {
    /// `valueQuantity`.
    Quantity(Quantity),
    /// `valueCodeableConcept`.
    CodeableConcept(CodeableConcept),
    /// `valueString`.
    String(String),
    /// `valueBoolean`.
    Boolean(bool),
    /// `valueInteger`, as written.
    Integer(String),
    /// `valueRange`.
    Range {
        /// Lower bound.
        low: Option<Quantity>,
        /// Upper bound.
        high: Option<Quantity>,
    },
    /// `valueRatio`.
    Ratio {
        /// Numerator.
        numerator: Option<Quantity>,
        /// Denominator.
        denominator: Option<Quantity>,
    },
    /// `valueTime`, `valueDateTime`, `valuePeriod` or `valueSampledData`: kept in the resource.
    Other(String),
}

/// A reference range of an observation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ReferenceRange {
    /// Lower bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low: Option<Quantity>,
    /// Upper bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub high: Option<Quantity>,
    /// Text form, e.g. `<5.7 %`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// What emr understands of a resource. Derived from the resource, never stored apart from it.
///
/// Fields a kind does not have stay empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Clinical {
    /// The entry kind.
    pub kind: EntryKind,
    /// The FHIR resource type.
    pub resource_type: String,
    /// `status` as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// `clinicalStatus` code (allergies, conditions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clinical_status: Option<String>,
    /// `verificationStatus` code (allergies, conditions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification_status: Option<String>,
    /// The main concept: what was found, given, measured or done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<CodeableConcept>,
    /// When it started or happened: onset, effective, occurrence, performed, period start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<PartialDate>,
    /// When it ended: abatement, period end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<PartialDate>,
    /// When the source recorded it (`recordedDate`, `authoredOn`, `issued`, `date`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded: Option<PartialDate>,
    /// The patient the resource is about (`subject` or `patient`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Reference>,
    /// The encounter it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encounter: Option<Reference>,
    /// Observation value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<ObservationValue>,
    /// Observation reference ranges.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reference_ranges: Vec<ReferenceRange>,
    /// Observation interpretation (high, low, abnormal…).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interpretation: Vec<CodeableConcept>,
    /// Categories (e.g. laboratory, vital-signs, social-history; allergy category).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub category: Vec<CodeableConcept>,
    /// Allergy criticality: `low`, `high` or `unable-to-assess`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criticality: Option<String>,
    /// Medication dose as comparable text: the first dosage's dose quantity (`value unit`), else
    /// its text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dose: Option<String>,
}

impl Clinical {
    /// True when the source marked the resource `entered-in-error`.
    pub fn is_retracted(&self) -> bool {
        self.status.as_deref() == Some("entered-in-error")
            || self.verification_status.as_deref() == Some("entered-in-error")
    }

    /// Extract the view from a resource tree.
    pub(crate) fn from_json(j: &Json<'_>) -> Clinical {
        let resource_type = string_at(j, "resourceType").unwrap_or_default();
        let kind = EntryKind::of_resource_type(&resource_type);
        let code_key = match resource_type.as_str() {
            "MedicationRequest" | "MedicationStatement" | "MedicationAdministration" | "MedicationDispense" => {
                "medicationCodeableConcept"
            }
            "Immunization" => "vaccineCode",
            "FamilyMemberHistory" => "relationship",
            "DocumentReference" | "Composition" | "Coverage" | "Claim" | "ExplanationOfBenefit" => "type",
            "Encounter" => "type",
            "Appointment" => "serviceType",
            "ImagingStudy" => "procedureCode",
            _ => "code",
        };
        let code = j.get(code_key).and_then(|c| match c {
            Json::Array(items) => items.first().map(CodeableConcept::from_json),
            Json::Object(_) => Some(CodeableConcept::from_json(c)),
            _ => None,
        });
        let (start_keys, end_keys, recorded_keys): (&[&str], &[&str], &[&str]) = match resource_type.as_str() {
            "AllergyIntolerance" => (&["onset"], &[], &["recordedDate"]),
            "Condition" => (&["onset"], &["abatement"], &["recordedDate"]),
            "MedicationRequest" => (&["authoredOn"], &[], &["authoredOn"]),
            "MedicationStatement" | "MedicationAdministration" => (&["effective"], &["effective"], &["dateAsserted"]),
            "MedicationDispense" => (&["whenHandedOver", "whenPrepared"], &[], &[]),
            "Immunization" => (&["occurrence"], &[], &["recorded"]),
            "Observation" | "DiagnosticReport" => (&["effective", "issued"], &["effective"], &["issued"]),
            "Procedure" => (&["performed"], &["performed"], &[]),
            "Encounter" | "Coverage" => (&["period"], &["period"], &[]),
            "DocumentReference" | "Composition" | "FamilyMemberHistory" => (&["date"], &[], &["date"]),
            "ImagingStudy" => (&["started"], &[], &[]),
            "Appointment" => (&["start"], &["end"], &["created"]),
            "Claim" | "ExplanationOfBenefit" => (&["billablePeriod", "created"], &["billablePeriod"], &["created"]),
            _ => (&["effective", "occurrence", "date"], &[], &[]),
        };
        Clinical {
            kind,
            status: string_at(j, "status"),
            clinical_status: first_code(j.get("clinicalStatus")),
            verification_status: first_code(j.get("verificationStatus")),
            code,
            time: start_keys.iter().find_map(|k| choice_time(j, k, Bound::Start)),
            end: end_keys.iter().find_map(|k| choice_time(j, k, Bound::End)),
            recorded: recorded_keys.iter().find_map(|k| choice_time(j, k, Bound::Start)),
            subject: j.get("subject").or_else(|| j.get("patient")).map(Reference::from_json),
            encounter: j.get("encounter").or_else(|| j.get("context")).map(Reference::from_json),
            value: if resource_type == "Observation" { observation_value(j) } else { None },
            reference_ranges: array(j, "referenceRange")
                .map(|r| ReferenceRange {
                    low: r.get("low").map(Quantity::from_json),
                    high: r.get("high").map(Quantity::from_json),
                    text: string_at(r, "text"),
                })
                .collect(),
            interpretation: array(j, "interpretation").map(CodeableConcept::from_json).collect(),
            category: array(j, "category")
                .filter(|c| c.as_object().is_some())
                .map(CodeableConcept::from_json)
                .collect(),
            criticality: string_at(j, "criticality"),
            dose: if kind == EntryKind::Medication { dose(j) } else { None },
            resource_type,
        }
    }
}

#[derive(Clone, Copy)]
enum Bound {
    Start,
    End,
}

/// Items of an array member (empty when absent or not an array).
pub(crate) fn array<'j, 'a>(j: &'j Json<'a>, key: &str) -> impl Iterator<Item = &'j Json<'a>> {
    j.get(key).and_then(Json::as_array).unwrap_or_default().iter()
}

/// The code of the first coding of a CodeableConcept.
fn first_code(cc: Option<&Json<'_>>) -> Option<String> {
    cc.and_then(|c| c.get("coding")).and_then(Json::as_array).and_then(|a| a.first()).and_then(|c| string_at(c, "code"))
}

/// A FHIR choice element `key[x]` read as a time: `keyDateTime`, `keyInstant`,
/// `keyDate`, `keyPeriod.start|end`, or `key` itself (a date or a Period).
fn choice_time(j: &Json<'_>, key: &str, bound: Bound) -> Option<PartialDate> {
    let period_bound = |p: &Json<'_>| {
        let name = match bound {
            Bound::Start => "start",
            Bound::End => "end",
        };
        p.get(name).and_then(Json::as_str).and_then(|s| s.parse().ok())
    };
    // The first member named `key`, `keyDateTime`, `keyInstant`, `keyDate` and `keyPeriod` (as
    // `j.get` finds each), in one pass over the members.
    let mut found: [Option<&Json<'_>>; 5] = [None; 5];
    let first = key.as_bytes().first();
    for (k, v) in j.as_object().unwrap_or_default() {
        // Most members do not start as `key` does: told by their first byte, without a `memcmp`.
        if first.is_some() && k.as_bytes().first() != first {
            continue;
        }
        let slot = match k.strip_prefix(key) {
            Some("") => found.get_mut(0),
            Some("DateTime") => found.get_mut(1),
            Some("Instant") => found.get_mut(2),
            Some("Date") => found.get_mut(3),
            Some("Period") => found.get_mut(4),
            _ => None,
        };
        if let Some(slot) = slot {
            slot.get_or_insert(v);
        }
    }
    let [plain, date_time, instant, date_only, period] = found;
    let date = |v: Option<&Json<'_>>| v.and_then(Json::as_str).and_then(|s| s.parse().ok());
    let plain = match plain {
        Some(Json::String(s)) if matches!(bound, Bound::Start) => s.parse().ok(),
        Some(p @ Json::Object(_)) => period_bound(p),
        _ => None,
    };
    plain.or_else(|| {
        if matches!(bound, Bound::Start) {
            date(date_time)
                .or_else(|| date(instant))
                .or_else(|| date(date_only))
                .or_else(|| period.and_then(period_bound))
        } else {
            period.and_then(period_bound).or_else(|| date(date_time))
        }
    })
}

/// The first dosage's dose quantity as `value unit`, else its text.
fn dose(j: &Json<'_>) -> Option<String> {
    let dosage = j.get("dosageInstruction").or_else(|| j.get("dosage")).and_then(Json::as_array);
    let first = dosage.and_then(|d| d.first());
    first
        .and_then(|d| d.pointer("/doseAndRate/0/doseQuantity"))
        .map(|q| {
            let value = q.get("value").and_then(Json::as_f64).map(|v| v.to_string()).unwrap_or_default();
            let unit = q.get("code").or_else(|| q.get("unit")).and_then(Json::as_str).unwrap_or_default();
            format!("{value} {unit}")
        })
        .or_else(|| first.and_then(|d| d.get("text")).and_then(Json::as_str).map(str::to_owned))
}

fn observation_value(j: &Json<'_>) -> Option<ObservationValue> {
    let q = |v: &Json<'_>, k: &str| v.get(k).map(Quantity::from_json);
    j.as_object()?.iter().find_map(|(key, v)| {
        let value = match key.as_ref() {
            "valueQuantity" => ObservationValue::Quantity(Quantity::from_json(v)),
            "valueCodeableConcept" => ObservationValue::CodeableConcept(CodeableConcept::from_json(v)),
            "valueString" => ObservationValue::String(v.as_str()?.to_owned()),
            "valueBoolean" => ObservationValue::Boolean(v.as_bool()?),
            "valueInteger" => ObservationValue::Integer(v.as_number_text()?.to_owned()),
            "valueRange" => ObservationValue::Range { low: q(v, "low"), high: q(v, "high") },
            "valueRatio" => ObservationValue::Ratio { numerator: q(v, "numerator"), denominator: q(v, "denominator") },
            "valueTime" | "valueDateTime" | "valuePeriod" | "valueSampledData" => {
                ObservationValue::Other(key.trim_start_matches("value").to_owned())
            }
            _ => return None,
        };
        Some(value)
    })
}
