//! Rules that depend on the resource type: required elements, status value sets,
//! observation values, condition and allergy invariants, patient demographics.

use std::collections::BTreeSet;

use super::rules::{self, Rule};
use super::Finding;
use crate::json::Json;
use crate::model::{Deceased, Demographics, PartialDate};

/// Elements FHIR R4 requires (cardinality 1..) per resource type. `x` ends a choice prefix.
fn required(resource_type: &str) -> &'static [&'static str] {
    match resource_type {
        "Observation" | "DiagnosticReport" => &["status", "code"],
        "Condition" => &["subject"],
        "AllergyIntolerance" => &["patient"],
        "Immunization" => &["status", "vaccineCode", "patient", "occurrence[x]"],
        "MedicationRequest" => &["status", "intent", "medication[x]", "subject"],
        "MedicationStatement" => &["status", "medication[x]", "subject"],
        "MedicationAdministration" => &["status", "medication[x]", "subject", "effective[x]"],
        "MedicationDispense" => &["status", "medication[x]"],
        "Procedure" | "ImagingStudy" => &["status", "subject"],
        "Encounter" => &["status", "class"],
        "DocumentReference" => &["status", "content"],
        "Composition" => &["status", "type", "date", "author", "title"],
        "FamilyMemberHistory" => &["status", "patient", "relationship"],
        "Appointment" => &["status", "participant"],
        "Coverage" => &["status", "beneficiary", "payor"],
        "Claim" => &["status", "type", "use", "patient", "created", "provider", "priority", "insurance"],
        "ExplanationOfBenefit" => {
            &["status", "type", "use", "patient", "created", "insurer", "provider", "outcome", "insurance"]
        }
        _ => &[],
    }
}

/// The required value set of `status` per resource type.
fn statuses(resource_type: &str) -> Option<&'static [&'static str]> {
    Some(match resource_type {
        "Observation" => {
            &["registered", "preliminary", "final", "amended", "corrected", "cancelled", "entered-in-error", "unknown"]
        }
        "DiagnosticReport" => &[
            "registered",
            "partial",
            "preliminary",
            "final",
            "amended",
            "corrected",
            "appended",
            "cancelled",
            "entered-in-error",
            "unknown",
        ],
        "Immunization" => &["completed", "entered-in-error", "not-done"],
        "MedicationRequest" => {
            &["active", "on-hold", "cancelled", "completed", "entered-in-error", "stopped", "draft", "unknown"]
        }
        "MedicationStatement" => {
            &["active", "completed", "entered-in-error", "intended", "stopped", "on-hold", "unknown", "not-taken"]
        }
        "MedicationAdministration" => {
            &["in-progress", "not-done", "on-hold", "completed", "entered-in-error", "stopped", "unknown"]
        }
        "MedicationDispense" => &[
            "preparation",
            "in-progress",
            "cancelled",
            "on-hold",
            "completed",
            "entered-in-error",
            "stopped",
            "declined",
            "unknown",
        ],
        "Procedure" => &[
            "preparation",
            "in-progress",
            "not-done",
            "on-hold",
            "stopped",
            "completed",
            "entered-in-error",
            "unknown",
        ],
        "Encounter" => &[
            "planned",
            "arrived",
            "triaged",
            "in-progress",
            "onleave",
            "finished",
            "cancelled",
            "entered-in-error",
            "unknown",
        ],
        "DocumentReference" => &["current", "superseded", "entered-in-error"],
        "Composition" => &["preliminary", "final", "amended", "entered-in-error"],
        "FamilyMemberHistory" => &["partial", "completed", "entered-in-error", "health-unknown"],
        "ImagingStudy" => &["registered", "available", "cancelled", "entered-in-error", "unknown"],
        "Appointment" => &[
            "proposed",
            "pending",
            "booked",
            "arrived",
            "fulfilled",
            "cancelled",
            "noshow",
            "entered-in-error",
            "checked-in",
            "waitlist",
        ],
        "Coverage" | "Claim" | "ClaimResponse" | "ExplanationOfBenefit" | "PaymentNotice" | "PaymentReconciliation" => {
            &["active", "cancelled", "draft", "entered-in-error"]
        }
        _ => return None,
    })
}

const CONDITION_CLINICAL: &[&str] = &["active", "recurrence", "relapse", "inactive", "remission", "resolved"];
const CONDITION_VERIFICATION: &[&str] =
    &["unconfirmed", "provisional", "differential", "confirmed", "refuted", "entered-in-error"];
const ALLERGY_CLINICAL: &[&str] = &["active", "inactive", "resolved"];
const ALLERGY_VERIFICATION: &[&str] = &["unconfirmed", "confirmed", "refuted", "entered-in-error"];

/// Ids of the resource's `contained` resources.
pub(super) fn contained_ids(tree: &Json<'_>) -> BTreeSet<String> {
    tree.get("contained")
        .and_then(Json::as_array)
        .unwrap_or_default()
        .iter()
        .filter_map(|c| c.get("id").and_then(Json::as_str).map(str::to_owned))
        .collect()
}

/// True when the object has `name`, or for a choice `name[x]` any `nameXxx`.
fn has_element(tree: &Json<'_>, name: &str) -> bool {
    match name.strip_suffix("[x]") {
        None => tree.get(name).is_some_and(|v| !v.is_null()),
        Some(prefix) => tree.as_object().unwrap_or_default().iter().any(|(k, _)| {
            k.strip_prefix(prefix).and_then(|rest| rest.chars().next()).is_some_and(|c| c.is_ascii_uppercase())
        }),
    }
}

pub(super) fn check(tree: &Json<'_>, base: &str, is_patient: bool, birth: Option<PartialDate>, out: &mut Vec<Finding>) {
    let ty = tree.get("resourceType").and_then(Json::as_str).unwrap_or_default();
    let mut push = |rule: &Rule, rel: &str, field: &str| out.push(Finding::new(rule, format!("{base}{rel}"), field));
    if let Some(id) = tree.get("id") {
        let ok = id.as_str().is_some_and(|s| {
            (1..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        });
        if !ok {
            push(&rules::RESOURCE_ID_SYNTAX, "/id", "id");
        }
    }
    for name in required(ty) {
        if !has_element(tree, name) {
            push(&rules::REQUIRED_MISSING, "", name);
        }
    }
    if let (Some(allowed), Some(status)) = (statuses(ty), tree.get("status")) {
        if !status.as_str().is_some_and(|s| allowed.contains(&s)) {
            push(&rules::STATUS_UNKNOWN, "/status", "status");
        }
    }
    match ty {
        "Observation" => observation(tree, &mut push),
        "Condition" => {
            coded_status(tree, "clinicalStatus", CONDITION_CLINICAL, &mut push);
            coded_status(tree, "verificationStatus", CONDITION_VERIFICATION, &mut push);
            clinical_with_error(tree, &mut push);
            let abated = has_element(tree, "abatement[x]");
            let active = crate::clinical::condition_activity(status_code(tree, "clinicalStatus")) == Some(true);
            if abated && active {
                push(&rules::ABATEMENT_ACTIVE, "/clinicalStatus", "clinicalStatus");
            }
            onset_after_abatement(tree, &mut push);
        }
        "AllergyIntolerance" => {
            coded_status(tree, "clinicalStatus", ALLERGY_CLINICAL, &mut push);
            coded_status(tree, "verificationStatus", ALLERGY_VERIFICATION, &mut push);
            clinical_with_error(tree, &mut push);
            if let Some(c) = tree.get("criticality") {
                if !matches!(c.as_str(), Some("low" | "high" | "unable-to-assess")) {
                    push(&rules::ALLERGY_CRITICALITY, "/criticality", "criticality");
                }
            }
        }
        "Patient" if is_patient => patient(tree, birth, &mut push),
        _ => {}
    }
}

fn status_code<'t>(tree: &'t Json<'_>, key: &str) -> Option<&'t str> {
    tree.get(key)?.get("coding")?.as_array()?.first()?.get("code")?.as_str()
}

fn coded_status(tree: &Json<'_>, key: &str, allowed: &[&str], push: &mut impl FnMut(&Rule, &str, &str)) {
    let codings = tree.get(key).and_then(|c| c.get("coding")).and_then(Json::as_array).unwrap_or_default();
    for (i, c) in codings.iter().enumerate() {
        if let Some(code) = c.get("code").and_then(Json::as_str) {
            if !allowed.contains(&code) {
                push(&rules::STATUS_UNKNOWN, &format!("/{key}/coding/{i}/code"), key);
            }
        }
    }
}

fn clinical_with_error(tree: &Json<'_>, push: &mut impl FnMut(&Rule, &str, &str)) {
    if status_code(tree, "verificationStatus") == Some("entered-in-error") && tree.get("clinicalStatus").is_some() {
        push(&rules::ERROR_WITH_CLINICAL_STATUS, "/clinicalStatus", "clinicalStatus");
    }
}

fn onset_after_abatement(tree: &Json<'_>, push: &mut impl FnMut(&Rule, &str, &str)) {
    let date = |k: &str| tree.get(k).and_then(Json::as_str).and_then(|s| s.parse::<PartialDate>().ok());
    let period = |k: &str, b: &str| {
        tree.get(k).and_then(|p| p.get(b)).and_then(Json::as_str).and_then(|s| s.parse::<PartialDate>().ok())
    };
    let onset = date("onsetDateTime").or_else(|| period("onsetPeriod", "start"));
    let (abatement, at) = match (date("abatementDateTime"), period("abatementPeriod", "end")) {
        (Some(a), _) => (Some(a), "/abatementDateTime"),
        (None, Some(a)) => (Some(a), "/abatementPeriod/end"),
        _ => (None, ""),
    };
    if let (Some(onset), Some(abatement)) = (onset, abatement) {
        if abatement.certainly_before(&onset) {
            push(&rules::ONSET_AFTER_ABATEMENT, at, at.trim_start_matches('/'));
        }
    }
}

/// The `value[x]` members of an observation or one of its components, with type checks.
fn observation_values<'t, 'a>(
    o: &'t Json<'a>,
    at: &str,
    push: &mut impl FnMut(&Rule, &str, &str),
) -> Vec<&'t (std::borrow::Cow<'a, str>, Json<'a>)> {
    let members = o.as_object().unwrap_or_default();
    let values: Vec<_> = members
        .iter()
        .filter(|(k, _)| k.strip_prefix("value").and_then(|r| r.chars().next()).is_some_and(|c| c.is_ascii_uppercase()))
        .collect();
    if values.len() > 1 {
        push(&rules::OBSERVATION_VALUE_MULTIPLE, at, "value[x]");
    }
    for (key, v) in &values {
        let fits = match key.as_ref() {
            "valueQuantity"
            | "valueCodeableConcept"
            | "valueRange"
            | "valueRatio"
            | "valueSampledData"
            | "valuePeriod" => v.as_object().is_some(),
            "valueString" | "valueTime" | "valueDateTime" => v.as_str().is_some(),
            "valueBoolean" => v.as_bool().is_some(),
            "valueInteger" => v.as_number_text().is_some_and(|t| t.bytes().all(|b| b.is_ascii_digit() || b == b'-')),
            _ => true,
        };
        if !fits {
            push(&rules::OBSERVATION_VALUE_TYPE, &format!("{at}/{key}"), key);
        }
    }
    values
}

fn observation(tree: &Json<'_>, push: &mut impl FnMut(&Rule, &str, &str)) {
    let values = observation_values(tree, "", push);
    let components = tree.get("component").and_then(Json::as_array).unwrap_or_default();
    for (i, c) in components.iter().enumerate() {
        observation_values(c, &format!("/component/{i}"), push);
    }
    let has_value = !values.is_empty();
    if has_value && tree.get("dataAbsentReason").is_some() {
        push(&rules::OBSERVATION_ABSENT_REASON, "/dataAbsentReason", "dataAbsentReason");
    }
    let is_final = matches!(tree.get("status").and_then(Json::as_str), Some("final" | "amended" | "corrected"));
    let explained = ["dataAbsentReason", "component", "hasMember", "derivedFrom"].iter().any(|k| tree.get(k).is_some());
    if is_final && !has_value && !explained {
        push(&rules::OBSERVATION_VALUE_ABSENT, "", "value[x]");
    }
    let ranges = tree.get("referenceRange").and_then(Json::as_array).unwrap_or_default();
    for (i, r) in ranges.iter().enumerate() {
        let bound = |k: &str| {
            let q = r.get(k)?;
            Some((q.get("value")?.as_f64()?, q.get("code").or_else(|| q.get("unit"))?.as_str()?.to_owned()))
        };
        if let (Some((low, lu)), Some((high, hu))) = (bound("low"), bound("high")) {
            if lu == hu && low > high {
                push(&rules::RANGE_REVERSED, &format!("/referenceRange/{i}"), "referenceRange");
            }
        }
    }
}

fn patient(tree: &Json<'_>, birth: Option<PartialDate>, push: &mut impl FnMut(&Rule, &str, &str)) {
    if let Some(g) = tree.get("gender") {
        if !matches!(g.as_str(), Some("male" | "female" | "other" | "unknown")) {
            push(&rules::PATIENT_GENDER_UNKNOWN, "/gender", "gender");
        }
    }
    if let (Some(birth), Deceased::At(death)) = (birth, Demographics::from_json(tree).deceased) {
        if death.certainly_before(&birth) {
            push(&rules::PATIENT_BIRTH_AFTER_DEATH, "/deceasedDateTime", "deceasedDateTime");
        }
    }
}
