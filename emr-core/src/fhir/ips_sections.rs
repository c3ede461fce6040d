//! The IPS sections ([`SECTIONS`]): which entries each lists (problems, allergies,
//! medications and the recommended sections), and the absent/unknown entry a required section
//! gets when the record has nothing to list.

use std::collections::BTreeMap;

use super::export::{obj, s, urn_uuid};
use crate::clinical;
use crate::codes::ABSENT_UNKNOWN;
use crate::json::Json;
use crate::model::{Entry, EntryKind};

/// One IPS section.
pub(super) struct Section {
    pub(super) code: &'static str,
    pub(super) title: &'static str,
    /// The absent/unknown entry for a required section with nothing to list.
    pub(super) absent: Option<(&'static str, &'static str, &'static str)>,
    pub(super) select: fn(&Entry) -> bool,
    /// Keep only the latest entry per code (results, vital signs, social history).
    pub(super) latest_per_code: bool,
}

pub(super) fn is_absent_unknown(e: &Entry) -> bool {
    e.clinical().code.as_ref().is_some_and(|c| c.codings.iter().any(|k| k.system.as_deref() == Some(ABSENT_UNKNOWN)))
}

fn active_problem(e: &Entry) -> bool {
    let c = e.clinical();
    c.resource_type == "Condition" && (is_absent_unknown(e) || clinical::is_active_problem(c))
}

pub(super) const SECTIONS: &[Section] = &[
    Section {
        code: "11450-4",
        title: "Problem list",
        absent: Some(("Condition", "no-problem-info", "No information about current problems")),
        select: active_problem,
        latest_per_code: false,
    },
    Section {
        code: "48765-2",
        title: "Allergies and intolerances",
        absent: Some(("AllergyIntolerance", "no-allergy-info", "No information about allergies")),
        select: |e| {
            let c = e.clinical();
            c.resource_type == "AllergyIntolerance" && (is_absent_unknown(e) || clinical::is_active_allergy(c))
        },
        latest_per_code: false,
    },
    Section {
        code: "10160-0",
        title: "Medication summary",
        absent: Some(("MedicationStatement", "no-medication-info", "No information about medications")),
        select: |e| clinical::is_current_medication(e.clinical()),
        latest_per_code: false,
    },
    Section {
        code: "11369-6",
        title: "History of immunizations",
        absent: None,
        select: |e| e.kind() == EntryKind::Immunization && e.clinical().status.as_deref() == Some("completed"),
        latest_per_code: false,
    },
    Section {
        code: "30954-2",
        title: "Results",
        absent: None,
        select: |e| clinical::is_lab(e.clinical()),
        latest_per_code: true,
    },
    Section {
        code: "8716-3",
        title: "Vital signs",
        absent: None,
        select: |e| e.kind() == EntryKind::Observation && clinical::has_category(e.clinical(), "vital-signs"),
        latest_per_code: true,
    },
    Section {
        code: "47519-4",
        title: "History of procedures",
        absent: None,
        select: |e| e.kind() == EntryKind::Procedure && e.clinical().status.as_deref() == Some("completed"),
        latest_per_code: false,
    },
    Section {
        code: "46264-8",
        title: "Medical devices",
        absent: None,
        select: |e| e.clinical().resource_type == "DeviceUseStatement",
        latest_per_code: false,
    },
    Section {
        code: "11348-0",
        title: "History of past illness",
        absent: None,
        select: |e| clinical::is_past_problem(e.clinical()),
        latest_per_code: false,
    },
    Section {
        code: "18776-5",
        title: "Plan of care",
        absent: None,
        select: |e| e.clinical().resource_type == "CarePlan" && e.clinical().status.as_deref() == Some("active"),
        latest_per_code: false,
    },
    Section {
        code: "29762-2",
        title: "Social history",
        absent: None,
        select: |e| e.kind() == EntryKind::Observation && clinical::has_category(e.clinical(), "social-history"),
        latest_per_code: true,
    },
];

fn code_key(e: &Entry) -> String {
    e.clinical()
        .code
        .as_ref()
        .and_then(|c| c.codings.first())
        .map(|k| format!("{}|{}", k.system.as_deref().unwrap_or_default(), k.code.as_deref().unwrap_or_default()))
        .unwrap_or_else(|| e.resource().as_str().to_owned())
}

/// The entries of a section, in a deterministic order.
pub(super) fn members<'r>(section: &Section, current: &[&'r Entry]) -> Vec<&'r Entry> {
    let mut chosen: Vec<&Entry> = current.iter().copied().filter(|e| (section.select)(e)).collect();
    if section.latest_per_code {
        let mut latest: BTreeMap<String, &Entry> = BTreeMap::new();
        for e in chosen {
            let when =
                |x: &Entry| (x.clinical().time.map_or(i64::MIN, |t| t.earliest()), x.resource().as_str().to_owned());
            latest
                .entry(code_key(e))
                .and_modify(|cur| {
                    if when(e) > when(cur) {
                        *cur = e
                    }
                })
                .or_insert(e);
        }
        chosen = latest.into_values().collect();
    }
    // A section that lists real entries does not also list "no information".
    if chosen.iter().any(|e| !is_absent_unknown(e)) {
        chosen.retain(|e| !is_absent_unknown(e));
    }
    chosen
}

/// The absent/unknown resource for an empty required section.
pub(super) fn absent_resource(ty: &str, code: &str, text: &str, patient_ref: &str) -> Json<'static> {
    let concept = obj(vec![(
        "coding",
        Json::Array(vec![obj(vec![("system", s(ABSENT_UNKNOWN)), ("code", s(code)), ("display", s(text))])]),
    )]);
    let id = urn_uuid(&format!("absent\u{0}{code}\u{0}{patient_ref}"));
    let id = id.trim_start_matches("urn:uuid:").to_owned();
    let subject = obj(vec![("reference", s(patient_ref))]);
    match ty {
        // ait-1: clinicalStatus is required unless entered in error (as the IPS IG's examples
        // of no-allergy-info have it).
        "AllergyIntolerance" => obj(vec![
            ("resourceType", s(ty)),
            ("id", s(id)),
            (
                "clinicalStatus",
                obj(vec![(
                    "coding",
                    Json::Array(vec![obj(vec![
                        ("system", s("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical")),
                        ("code", s("active")),
                    ])]),
                )]),
            ),
            ("code", concept),
            ("patient", subject),
        ]),
        "MedicationStatement" => obj(vec![
            ("resourceType", s(ty)),
            ("id", s(id)),
            ("status", s("unknown")),
            ("medicationCodeableConcept", concept),
            ("subject", subject),
        ]),
        _ => obj(vec![("resourceType", s(ty)), ("id", s(id)), ("code", concept), ("subject", subject)]),
    }
}
