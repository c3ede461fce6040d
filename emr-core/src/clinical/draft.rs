//! A new entry described by a clinician (what `emr add --kind` and the npm package's `draftEntry`
//! take), written as the FHIR R4 resource emr keeps.
//!
//! The resource is compact JSON with members in FHIR's usual order; a measured value is copied
//! as written, so `6.30` stays `6.30`.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::codes::KnownSystem;
use crate::json::{is_valid_number, Json};
use crate::model::{DateError, PartialDate, Resource};

/// What kind of entry a draft describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DraftKind {
    /// A problem or diagnosis (FHIR `Condition`).
    Condition,
    /// An allergy or intolerance (FHIR `AllergyIntolerance`).
    Allergy,
    /// A lab result, vital sign or other measurement (FHIR `Observation`).
    Observation,
    /// A vaccination (FHIR `Immunization`).
    Immunization,
    /// A medication the patient takes (FHIR `MedicationStatement`).
    Medication,
}

impl DraftKind {
    /// The kind's name (`condition`, `allergy`…).
    pub fn as_str(self) -> &'static str {
        match self {
            DraftKind::Condition => "condition",
            DraftKind::Allergy => "allergy",
            DraftKind::Observation => "observation",
            DraftKind::Immunization => "immunization",
            DraftKind::Medication => "medication",
        }
    }

    /// The FHIR resource type a draft of this kind becomes.
    pub fn resource_type(self) -> &'static str {
        match self {
            DraftKind::Condition => "Condition",
            DraftKind::Allergy => "AllergyIntolerance",
            DraftKind::Observation => "Observation",
            DraftKind::Immunization => "Immunization",
            DraftKind::Medication => "MedicationStatement",
        }
    }
}

/// A new entry as a clinician describes it.
///
/// # Example
/// ```
/// use emr_core::clinical::{DraftKind, EntryDraft};
/// let draft = EntryDraft {
///     code: "loinc|4548-4".into(), display: Some("HbA1c".into()), date: Some("2024-03-01".into()),
///     value: Some("6.30".into()), unit: Some("%".into()), ..EntryDraft::new(DraftKind::Observation)
/// };
/// let resource = draft.to_resource("o1", Some("p1"))?;
/// assert_eq!(resource.resource_type(), "Observation");
/// assert!(resource.as_str().contains(r#""value":6.30"#));
/// assert!(resource.as_str().contains(r#""system":"http://loinc.org""#));
/// # Ok::<(), emr_core::clinical::DraftError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EntryDraft {
    /// The kind of entry.
    pub kind: DraftKind,
    /// The coded concept, `SYSTEM|CODE`; a known system may be given by its short name
    /// (`loinc|4548-4`, `snomed|44054006`).
    pub code: String,
    /// The concept's human-readable name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
    /// When: onset (condition, allergy), effective time (observation, medication), occurrence
    /// (immunization). A FHIR date or dateTime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// A condition's end (abatement); its clinical status then defaults to resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abatement: Option<String>,
    /// The clinical status (condition, allergy), else the resource's status. Defaults: active
    /// (resolved for an abated condition), final (observation), completed (immunization).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// An allergy's criticality: `low`, `high` or `unable-to-assess`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criticality: Option<String>,
    /// An observation's decimal value, kept as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The value's UCUM unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// Why a draft does not make a resource. Messages name the field, never its value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DraftError {
    /// The code is not `SYSTEM|CODE`.
    #[error("code must be SYSTEM|CODE, e.g. loinc|4548-4 or http://snomed.info/sct|44054006")]
    Code,
    /// A date is not a FHIR date or dateTime.
    #[error("{field}: {source}")]
    Date {
        /// `date` or `abatement`.
        field: &'static str,
        /// What is wrong with it.
        source: DateError,
    },
    /// The value is not a decimal number.
    #[error("value must be a decimal number, e.g. 6.3")]
    Value,
    /// A unit without a value.
    #[error("unit needs a value")]
    UnitWithoutValue,
    /// A field that the kind does not have.
    #[error("{field} does not apply to a {kind} entry")]
    NotFor {
        /// The field given.
        field: &'static str,
        /// The draft's kind.
        kind: &'static str,
    },
}

impl DraftError {
    /// The error's stable code: `draft.<field>` (e.g. `draft.code`, `draft.date`).
    pub fn code(&self) -> &'static str {
        match self.field() {
            "code" => "draft.code",
            "date" => "draft.date",
            "abatement" => "draft.abatement",
            "value" => "draft.value",
            "unit" => "draft.unit",
            _ => "draft.field",
        }
    }

    /// The draft field the error is about (`code`, `date`, `abatement`, `value`, `unit`,
    /// `criticality`).
    pub fn field(&self) -> &'static str {
        match self {
            DraftError::Code => "code",
            DraftError::Date { field, .. } | DraftError::NotFor { field, .. } => field,
            DraftError::Value => "value",
            DraftError::UnitWithoutValue => "unit",
        }
    }
}

fn text(v: &str) -> Json<'static> {
    Json::String(Cow::Owned(v.to_owned()))
}

fn object(members: Vec<(&'static str, Json<'static>)>) -> Json<'static> {
    Json::Object(members.into_iter().map(|(k, v)| (Cow::Borrowed(k), v)).collect())
}

/// A status CodeableConcept from one of HL7's terminology code systems.
fn status(system: &str, code: &str) -> Json<'static> {
    let coding = object(vec![
        ("system", text(&format!("http://terminology.hl7.org/CodeSystem/{system}"))),
        ("code", text(code)),
    ]);
    object(vec![("coding", Json::Array(vec![coding]))])
}

fn date(field: &'static str, value: Option<&str>) -> Result<Option<Json<'static>>, DraftError> {
    value
        .map(|v| v.parse::<PartialDate>().map(|_| text(v)).map_err(|source| DraftError::Date { field, source }))
        .transpose()
}

impl EntryDraft {
    /// A draft of `kind` with no code or details yet.
    pub fn new(kind: DraftKind) -> EntryDraft {
        EntryDraft {
            kind,
            code: String::new(),
            display: None,
            date: None,
            abatement: None,
            status: None,
            criticality: None,
            value: None,
            unit: None,
        }
    }

    /// The main concept as a CodeableConcept: one coding, and text when a display is given.
    fn concept(&self) -> Result<Json<'static>, DraftError> {
        let (system, code) =
            self.code.split_once('|').filter(|(s, c)| !s.is_empty() && !c.is_empty()).ok_or(DraftError::Code)?;
        let system = KnownSystem::from_short_name(system).map_or(system, |s| s.uri());
        let mut coding = vec![("system", text(system)), ("code", text(code))];
        let mut concept = Vec::new();
        if let Some(d) = &self.display {
            coding.push(("display", text(d)));
            concept.push(("coding", Json::Array(vec![object(coding)])));
            concept.push(("text", text(d)));
        } else {
            concept.push(("coding", Json::Array(vec![object(coding)])));
        }
        Ok(object(concept))
    }

    /// The FHIR R4 resource this draft describes, with `id`, about the patient `patient_id`.
    ///
    /// # Errors
    /// [`DraftError`] when the code, a date or the value is malformed, or a field does not apply
    /// to the kind.
    pub fn to_resource(&self, id: &str, patient_id: Option<&str>) -> Result<Resource, DraftError> {
        self.write(Some(id), patient_id)
    }

    /// [`EntryDraft::to_resource`], without an `id` when `id` is `None` (the text a new entry's
    /// default id is derived from: `validate::draft_resource`).
    pub(crate) fn write(&self, id: Option<&str>, patient_id: Option<&str>) -> Result<Resource, DraftError> {
        let kind = self.kind;
        let not_for = |field: &'static str, present: bool| {
            if present {
                Err(DraftError::NotFor { field, kind: kind.as_str() })
            } else {
                Ok(())
            }
        };
        not_for("abatement", kind != DraftKind::Condition && self.abatement.is_some())?;
        not_for("criticality", kind != DraftKind::Allergy && self.criticality.is_some())?;
        not_for("value", kind != DraftKind::Observation && self.value.is_some())?;
        if self.unit.is_some() && self.value.is_none() {
            return Err(DraftError::UnitWithoutValue);
        }
        let code = self.concept()?;
        let when = date("date", self.date.as_deref())?;
        let subject_key = match kind {
            DraftKind::Allergy | DraftKind::Immunization => "patient",
            _ => "subject",
        };
        let subject = patient_id.map(|p| (subject_key, object(vec![("reference", text(&format!("Patient/{p}")))])));
        let state = |default: &str| text(self.status.as_deref().unwrap_or(default));
        let mut m: Vec<(&'static str, Json<'static>)> = vec![("resourceType", text(kind.resource_type()))];
        m.extend(id.map(|id| ("id", text(id))));
        match kind {
            DraftKind::Condition => {
                let abatement = date("abatement", self.abatement.as_deref())?;
                let default = if abatement.is_some() { "resolved" } else { "active" };
                m.push(("clinicalStatus", status("condition-clinical", self.status.as_deref().unwrap_or(default))));
                m.push(("verificationStatus", status("condition-ver-status", "confirmed")));
                m.push(("code", code));
                m.extend(subject);
                m.extend(when.map(|d| ("onsetDateTime", d)));
                m.extend(abatement.map(|d| ("abatementDateTime", d)));
            }
            DraftKind::Allergy => {
                let clinical = self.status.as_deref().unwrap_or("active");
                m.push(("clinicalStatus", status("allergyintolerance-clinical", clinical)));
                m.push(("verificationStatus", status("allergyintolerance-verification", "confirmed")));
                m.extend(self.criticality.as_deref().map(|c| ("criticality", text(c))));
                m.push(("code", code));
                m.extend(subject);
                m.extend(when.map(|d| ("onsetDateTime", d)));
            }
            DraftKind::Observation => {
                m.push(("status", state("final")));
                m.push(("code", code));
                m.extend(subject);
                m.extend(when.map(|d| ("effectiveDateTime", d)));
                if let Some(v) = self.value.as_deref() {
                    if !is_valid_number(v) {
                        return Err(DraftError::Value);
                    }
                    let mut q = vec![("value", Json::Number(Cow::Owned(v.to_owned())))];
                    if let Some(u) = self.unit.as_deref() {
                        q.extend([("unit", text(u)), ("system", text(KnownSystem::Ucum.uri())), ("code", text(u))]);
                    }
                    m.push(("valueQuantity", object(q)));
                }
            }
            DraftKind::Immunization => {
                m.push(("status", state("completed")));
                m.push(("vaccineCode", code));
                m.extend(subject);
                m.extend(when.map(|d| ("occurrenceDateTime", d)));
            }
            DraftKind::Medication => {
                m.push(("status", state("active")));
                m.push(("medicationCodeableConcept", code));
                m.extend(subject);
                m.extend(when.map(|d| ("effectiveDateTime", d)));
            }
        }
        // Built from strings and a checked number, so the text always parses.
        Resource::parse(&object(m).to_compact_string()).map_err(|_| DraftError::Code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_makes_its_resource() {
        for (kind, ty, key) in [
            (DraftKind::Condition, "Condition", "onsetDateTime"),
            (DraftKind::Allergy, "AllergyIntolerance", "onsetDateTime"),
            (DraftKind::Observation, "Observation", "effectiveDateTime"),
            (DraftKind::Immunization, "Immunization", "occurrenceDateTime"),
            (DraftKind::Medication, "MedicationStatement", "effectiveDateTime"),
        ] {
            let d = EntryDraft { code: "snomed|1".into(), date: Some("2020-05".into()), ..EntryDraft::new(kind) };
            let r = d.to_resource("x", Some("p")).unwrap_or_else(|e| unreachable!("{e}"));
            assert_eq!(r.resource_type(), ty);
            assert!(r.as_str().contains(key) && r.as_str().contains("Patient/p"), "{}", r.as_str());
        }
    }

    #[test]
    fn malformed_drafts_name_the_field() {
        let obs = EntryDraft { code: "loinc|4548-4".into(), ..EntryDraft::new(DraftKind::Observation) };
        let bad = |d: EntryDraft| d.to_resource("x", None).err().map(|e| e.field());
        assert_eq!(bad(EntryDraft { code: "4548-4".into(), ..obs.clone() }), Some("code"));
        assert_eq!(bad(EntryDraft { value: Some("6,3".into()), ..obs.clone() }), Some("value"));
        assert_eq!(bad(EntryDraft { unit: Some("%".into()), ..obs.clone() }), Some("unit"));
        assert_eq!(bad(EntryDraft { date: Some("2019-13".into()), ..obs.clone() }), Some("date"));
        assert_eq!(bad(EntryDraft { criticality: Some("high".into()), ..obs.clone() }), Some("criticality"));
        let resolved =
            EntryDraft { abatement: Some("2021".into()), ..EntryDraft { kind: DraftKind::Condition, ..obs } };
        assert!(resolved.to_resource("x", None).is_ok_and(|r| r.as_str().contains(r#""code":"resolved""#)));
    }
}
